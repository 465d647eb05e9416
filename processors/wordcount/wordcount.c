/* wordcount.c -- an external wirestream processor, built as a shared object
 * (build/plugins/wordcount.so) against wirestream_processor.h only.
 *
 *   {"name": "wordcount", "path": "build/plugins/wordcount.so", "min_words": 50}
 *
 * adds {"words": N, "paragraphs": P} under the entry's name and drops
 * articles shorter than min_words with reason "too_short".  See
 * docs/writing-a-processor.md. */
#include <stdlib.h>
#include <string.h>

#include "wirestream_processor.h"

/* The struct the host fills from the config table below. */
typedef struct {
    int64_t min_words;
} wordcount_config_t;

static const ws_config_key_t wordcount_keys[] = {
    {WS_CFG_INT, "min_words", "0", offsetof(wordcount_config_t, min_words),
     "Drop articles with fewer words than this (reason \"too_short\"); 0 keeps all.", NULL},
    {0}
};

typedef struct {
    int64_t min_words;
} wordcount_t;

static void *wc_create(const void *config, const ws_create_info_t *info, char *err, size_t errlen) {
    const wordcount_config_t *c = config;
    (void)info;
    if (c->min_words < 0) {
        strncpy(err, "min_words must be >= 0", errlen - 1);
        err[errlen - 1] = '\0';
        return NULL;
    }
    wordcount_t *w = malloc(sizeof *w);
    if (!w) return NULL;
    w->min_words = c->min_words;
    return w;
}

static int is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static ws_result_t wc_process(void *inst, ws_record_t *rec, char *reason, size_t reasonlen) {
    wordcount_t *w = inst;
    size_t n;
    const char *body = ws_record_field(rec, WS_FIELD_BODY, &n);
    int64_t words = 0, paragraphs = 0;
    int in_word = 0, newlines = 2;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)body[i];
        if (is_space(c)) {
            in_word = 0;
            if (c == '\n') newlines++;
            continue;
        }
        if (!in_word) words++;
        /* A paragraph starts at text after a blank line (or the start). */
        if (newlines >= 2) paragraphs++;
        in_word = 1;
        newlines = 0;
    }
    if (words < w->min_words) {
        strncpy(reason, "too_short", reasonlen - 1);
        reason[reasonlen - 1] = '\0';
        return WS_DROP;
    }
    /* ws_object_set and ws_record_annotate take ownership, also on error. */
    ws_value_t *a = ws_value_object();
    if (!a) goto oom;
    if (ws_object_set(a, "words", ws_value_int(words)) < 0 ||
        ws_object_set(a, "paragraphs", ws_value_int(paragraphs)) < 0) {
        ws_value_free(a);
        goto oom;
    }
    if (ws_record_annotate(rec, NULL, a) < 0) goto oom;
    return WS_KEEP;
oom:
    strncpy(reason, "out of memory", reasonlen - 1);
    reason[reasonlen - 1] = '\0';
    return WS_ERROR;
}

static void wc_destroy(void *inst) { free(inst); }

/* The one symbol the host looks for. */
const ws_processor_t ws_processor = {
    .abi_version = WS_PROCESSOR_ABI,
    .name = "wordcount",
    .description = "Counts words and paragraphs of the body; optionally drops short articles.",
    .flags = WS_PROCESSOR_THREAD_SAFE,
    .config = wordcount_keys,
    .config_size = sizeof(wordcount_config_t),
    .create = wc_create,
    .process = wc_process,
    .destroy = wc_destroy,
};
