/* test_proc.c -- a configurable processor for the pipeline tests, loaded
 * as a shared object.  It annotates its own name with "ran" (annotations
 * render in the order they were added, so tests see the order entries ran
 * in), writes 1 under `key` too when one is set (another entry's key, to
 * test that this is refused), then keeps, drops, fails or sleeps as
 * configured. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wirestream_processor.h"

typedef struct {
    const char *mode;      /* keep | drop | error | sleep */
    int64_t sleep_ms;
    int fail_create;
    const char *key;       /* "" = none */
} cfg_t;

static const ws_config_key_t keys[] = {
    {WS_CFG_STRING, "mode", "keep", offsetof(cfg_t, mode), "What to do with each record.", "keep|drop|error|sleep"},
    {WS_CFG_INT, "sleep_ms", "0", offsetof(cfg_t, sleep_ms), "Sleep per record in mode sleep.", NULL},
    {WS_CFG_BOOL, "fail_create", "false", offsetof(cfg_t, fail_create), "Make create() fail.", NULL},
    {WS_CFG_STRING, "key", "", offsetof(cfg_t, key), "Also annotate this key.", NULL},
    {0}
};

typedef struct {
    char name[64];
    char mode[8];
    char key[64];
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
    strncpy(x->key, c->key, sizeof x->key - 1);
    x->sleep_ms = c->sleep_ms;
    return x;
}

static ws_result_t process(void *inst, ws_record_t *rec, char *reason, size_t reasonlen) {
    inst_t *x = inst;
    ws_record_annotate(rec, NULL, ws_value_string("ran", 3));
    /* The result is ignored on purpose: the pipeline must catch a refusal. */
    if (x->key[0]) ws_record_annotate(rec, x->key, ws_value_int(1));
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
