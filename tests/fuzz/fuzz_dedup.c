/* fuzz_dedup.c -- the dedup processor alone, through the pipeline API.
 *
 * Input: byte 0 picks the pipeline (action drop or flag); the rest is split
 * at 0x1E into up to 6 pieces.  A piece "date\x1Fbody" is an article with
 * that date; a piece starting 0x1D is a state-topic record "key\x1Fvalue"
 * fed to on_state (a compacted topic may hold anything).  The first article
 * is replayed at the end, so the duplicate paths run on every input.
 * Memory stays bounded: max_entries is small, so eviction runs too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#define MAX_PIECES 6

static ws_pipeline_t *pipes[2];
static ws_record_t *rec;
static ws_buf_t out;

static void setup(void) {
    pipes[0] = fz_pipeline("{\"pipeline\": [{\"name\": \"dedup\", \"action\": \"drop\", \"min_length\": 4,"
                           " \"max_entries\": 2048, \"state_topic\": \"fz.state\"}]}", 1, NULL);
    pipes[1] = fz_pipeline("{\"pipeline\": [{\"name\": \"dedup\", \"action\": \"flag\", \"min_length\": 4,"
                           " \"max_entries\": 512, \"window_on\": \"ingest\", \"shingle\": 2,"
                           " \"state_topic\": \"fz.state\"}]}", 1, NULL);
    rec = ws_record_new();
    ws_buf_init(&out);
}

static void article(ws_pipeline_t *p, const char *s, size_t n, int idx) {
    const char *sep = memchr(s, 0x1F, n);
    char date[64];
    const char *d = NULL;
    if (sep && (size_t)(sep - s) < sizeof date) {
        memcpy(date, s, (size_t)(sep - s));
        date[sep - s] = '\0';
        d = date;
        n -= (size_t)(sep - s) + 1;
        s = sep + 1;
    }
    char id[32];
    snprintf(id, sizeof id, "fz-%d", idx);
    ws_article_t a;
    fz_article(&a, s, n, d, id);
    fz_load(rec, &a);
    fz_run(p, rec, &out, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!rec) setup();
    if (size < 1) return 0;
    ws_pipeline_t *p = pipes[data[0] & 1];
    char *text = malloc(size);
    if (!text) return 0;
    fz_utf8_repair(data + 1, size - 1, text);
    size_t n = size - 1;
    const char *first = NULL;
    size_t first_n = 0;
    const char *s = text;
    for (int piece = 0; piece < MAX_PIECES && s <= text + n; piece++) {
        const char *e = memchr(s, 0x1E, (size_t)(text + n - s));
        size_t len = e ? (size_t)(e - s) : (size_t)(text + n - s);
        if (len && s[0] == 0x1D) {
            const char *kv = memchr(s + 1, 0x1F, len - 1);
            size_t klen = kv ? (size_t)(kv - s - 1) : len - 1;
            const char *val = kv ? kv + 1 : NULL;   /* no value: a tombstone */
            size_t vlen = kv ? len - 1 - klen - 1 : 0;
            ws_pipeline_state_deliver(p, 0, s + 1, klen, val, vlen);
        } else {
            if (!first) { first = s; first_n = len; }
            article(p, s, len, piece);
        }
        if (!e) break;
        s = e + 1;
    }
    if (first) article(p, first, first_n, 99);
    if (data[0] & 2) ws_pipeline_flush(p);
    free(text);
    return 0;
}
