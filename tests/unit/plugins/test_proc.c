/* test_proc.c -- a configurable processor for the pipeline tests, loaded
 * as a shared object.  It appends its entry name to the "trace" annotation
 * (so tests see the order entries ran in), then keeps, drops, fails or
 * sleeps as configured. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wirestream_processor.h"

typedef struct {
    const char *mode;      /* keep | drop | error | sleep */
    int64_t sleep_ms;
    int fail_create;
} cfg_t;

static const ws_config_key_t keys[] = {
    {WS_CFG_STRING, "mode", "keep", offsetof(cfg_t, mode), "What to do with each record.", "keep|drop|error|sleep"},
    {WS_CFG_INT, "sleep_ms", "0", offsetof(cfg_t, sleep_ms), "Sleep per record in mode sleep.", NULL},
    {WS_CFG_BOOL, "fail_create", "false", offsetof(cfg_t, fail_create), "Make create() fail.", NULL},
    {0}
};

typedef struct {
    char name[64];
    char mode[8];
    int64_t sleep_ms;
} inst_t;

static void *create(const void *config, const ws_create_info_t *info, char *err, size_t errlen) {
    const cfg_t *c = config;
    if (c->fail_create) {
        strncpy(err, "asked to fail", errlen - 1);
        err[errlen - 1] = 0;
        return NULL;
    }
    inst_t *x = calloc(1, sizeof *x);
    strncpy(x->name, info->entry_name, sizeof x->name - 1);
    strncpy(x->mode, c->mode, sizeof x->mode - 1);
    x->sleep_ms = c->sleep_ms;
    return x;
}

static ws_result_t process(void *inst, ws_record_t *rec, char *reason, size_t reasonlen) {
    inst_t *x = inst;
    const ws_value_t *old = ws_record_annotation(rec, "trace");
    ws_value_t *trace = ws_value_array();
    for (size_t i = 0; i < ws_array_size(old); i++) {
        size_t n;
        const char *s = ws_value_str(ws_array_at(old, i), &n);
        ws_array_push(trace, ws_value_string(s, n));
    }
    ws_array_push(trace, ws_value_string(x->name, strlen(x->name)));
    ws_record_annotate(rec, "trace", trace);
    if (!strcmp(x->mode, "drop")) {
        strncpy(reason, "test_drop", reasonlen - 1);
        return WS_DROP;
    }
    if (!strcmp(x->mode, "error")) {
        strncpy(reason, "test failure", reasonlen - 1);
        return WS_ERROR;
    }
    if (!strcmp(x->mode, "sleep")) {
        struct timespec ts = {(time_t)(x->sleep_ms / 1000), (long)(x->sleep_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    return WS_KEEP;
}

static void destroy(void *inst) { free(inst); }

const ws_processor_t ws_processor = {
    .abi_version = WS_PROCESSOR_ABI,
    .name = "test_proc",
    .description = "pipeline test processor",
    .config = keys,
    .config_size = sizeof(cfg_t),
    .create = create,
    .process = process,
    .destroy = destroy,
};
