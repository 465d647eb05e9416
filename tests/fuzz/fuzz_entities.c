/* fuzz_entities.c -- the entities processor alone (shipped gazetteers and
 * rules), through the pipeline API.  Input: the article body (invalid UTF-8
 * is repaired first: the article parser never passes it on).  Every mention
 * must lie inside the body on character boundaries with text equal to its
 * slice (fz_check_record); a PCRE2 limit must surface as regex_limit, never
 * as a hang. */
#include <stdlib.h>

#include "fuzz_util.h"

static ws_pipeline_t *pipe;
static ws_record_t *rec;
static ws_buf_t out;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!rec) {
        pipe = fz_pipeline("{\"pipeline\": [{\"name\": \"entities\"}]}", 0, NULL);
        rec = ws_record_new();
        ws_buf_init(&out);
    }
    char *text = malloc(size + 1);
    if (!text) return 0;
    fz_utf8_repair(data, size, text);
    ws_article_t a;
    fz_article(&a, text, size, NULL, NULL);
    fz_load(rec, &a);
    fz_run(pipe, rec, &out, 0);
    free(text);
    return 0;
}
