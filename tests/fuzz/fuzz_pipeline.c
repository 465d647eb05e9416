/* fuzz_pipeline.c -- the whole path of one message: article parser, the
 * shipped pipeline (dedup flagging instead of dropping, entities, quotes,
 * example), and the renderer.  Input: byte 0 picks HTML conversion and
 * whether the record carries Kafka metadata; the rest is the raw message,
 * exactly as it would arrive on the input topic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "ws_article.h"

static ws_pipeline_t *pipe;
static ws_config_t *cfg;
static ws_record_t *rec;
static ws_buf_t out;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!rec) {
        pipe = fz_pipeline("{\"pipeline\": ["
                           "{\"name\": \"dedup\", \"action\": \"flag\", \"max_entries\": 4096},"
                           "{\"name\": \"entities\"}, {\"name\": \"quotes\"}, {\"name\": \"example\"}]}",
                           0, &cfg);
        rec = ws_record_new();
        ws_buf_init(&out);
    }
    if (size < 1) return 0;
    ws_article_opts_t o = cfg->article;
    o.html = data[0] & 1;
    ws_article_t a;
    const char *reason;
    char err[256];
    if (ws_article_parse(&o, (const char *)data + 1, size - 1, &a, &reason, err, sizeof err) < 0)
        return 0;
    fz_load(rec, &a);
    if (data[0] & 2) ws_record_set_source(rec, "articles", 0, (int64_t)size, 1767225600000LL);
    fz_run(pipe, rec, &out, 0);
    return 0;
}
