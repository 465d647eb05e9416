/* example.c -- the smallest useful built-in processor, and the template for
 * new ones.  It counts how often a keyword occurs in the title and body and
 * either flags the record ({"keyword": "...", "count": N}) or drops it.
 *
 * Enable it with {"name": "example", "keyword": "election"} in the pipeline;
 * {"action": "drop"} drops matching records with reason "keyword". */
#include <stdlib.h>
#include <string.h>

#include "wirestream_processor.h"

typedef struct {
    const char *keyword;   /* NULL: count nothing, annotate only the size */
    const char *action;    /* "flag" or "drop" */
} example_config_t;

static const ws_config_key_t example_keys[] = {
    {WS_CFG_STRING, "keyword", NULL, offsetof(example_config_t, keyword),
     "Case-sensitive text to count in the title and body.", NULL},
    {WS_CFG_STRING, "action", "flag", offsetof(example_config_t, action),
     "flag: annotate matching records; drop: drop them (reason \"keyword\").", "flag|drop"},
    {0}
};

typedef struct {
    char *keyword;
    size_t klen;
    int drop;
} example_t;

static void *example_create(const void *config, const ws_create_info_t *info, char *err,
                            size_t errlen) {
    const example_config_t *c = config;
    (void)info;
    (void)err;
    (void)errlen;
    example_t *x = calloc(1, sizeof *x);
    if (!x) return NULL;
    if (c->keyword && *c->keyword) {
        x->keyword = strdup(c->keyword);
        if (!x->keyword) { free(x); return NULL; }
        x->klen = strlen(x->keyword);
    }
    x->drop = strcmp(c->action, "drop") == 0;
    return x;
}

static size_t count(const char *s, size_t n, const char *k, size_t kl) {
    size_t hits = 0;
    if (!s || kl == 0 || n < kl) return 0;
    for (const char *p = s; (p = memmem(p, n - (size_t)(p - s), k, kl)) != NULL; p += kl) hits++;
    return hits;
}

static ws_result_t example_process(void *inst, ws_record_t *rec, char *reason, size_t reasonlen) {
    example_t *x = inst;
    size_t blen, tlen;
    const char *body = ws_record_field(rec, WS_FIELD_BODY, &blen);
    const char *title = ws_record_field(rec, WS_FIELD_TITLE, &tlen);
    ws_value_t *a = ws_value_object();
    if (!a) goto oom;
    ws_object_set(a, "bytes", ws_value_int((int64_t)blen));
    if (x->keyword) {
        size_t n = count(title, tlen, x->keyword, x->klen) + count(body, blen, x->keyword, x->klen);
        if (n && x->drop) {
            ws_value_free(a);
            ws_record_hit(rec);
            strncpy(reason, "keyword", reasonlen - 1);
            reason[reasonlen - 1] = '\0';
            return WS_DROP;
        }
        if (n) ws_record_hit(rec);
        ws_object_set(a, "keyword", ws_value_string(x->keyword, x->klen));
        ws_object_set(a, "count", ws_value_int((int64_t)n));
    }
    if (ws_record_annotate(rec, NULL, a) < 0) goto oom;
    return WS_KEEP;
oom:
    strncpy(reason, "out of memory", reasonlen - 1);
    reason[reasonlen - 1] = '\0';
    return WS_ERROR;
}

static void example_destroy(void *inst) {
    example_t *x = inst;
    if (!x) return;
    free(x->keyword);
    free(x);
}

const ws_processor_t ws_builtin_example = {
    .abi_version = WS_PROCESSOR_ABI,
    .name = "example",
    .description = "Template processor: annotates the body size and counts a keyword; can drop "
                   "records that contain it.",
    .flags = WS_PROCESSOR_THREAD_SAFE,
    .config = example_keys,
    .config_size = sizeof(example_config_t),
    .create = example_create,
    .process = example_process,
    .destroy = example_destroy,
};
