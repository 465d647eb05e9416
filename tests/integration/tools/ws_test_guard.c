/* ws_test_guard.c -- an external processor for the integration tests only:
 * it fails (WS_ERROR) on records whose body contains `fail_marker` and drops
 * (WS_DROP, reason "guarded") those containing `drop_marker`, so the tests
 * can drive the runtime's processor-error and drop routing on demand.
 * Built against the public header alone, like any third-party plugin. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "wirestream_processor.h"

typedef struct {
    const char *fail_marker;
    const char *drop_marker;
} guard_config_t;

static const ws_config_key_t guard_keys[] = {
    {WS_CFG_STRING, "fail_marker", "WS-TEST-FAIL", offsetof(guard_config_t, fail_marker),
     "Body text that makes process() return an error.", NULL},
    {WS_CFG_STRING, "drop_marker", "WS-TEST-DROP", offsetof(guard_config_t, drop_marker),
     "Body text that makes process() drop the record.", NULL},
    {0}
};

typedef struct {
    char *fail, *drop;
} guard_t;

static void *guard_create(const void *config, const ws_create_info_t *info, char *err, size_t errlen) {
    const guard_config_t *c = config;
    (void)info;
    guard_t *g = calloc(1, sizeof *g);
    if (!g || !(g->fail = strdup(c->fail_marker)) || !(g->drop = strdup(c->drop_marker))) {
        if (g) free(g->fail);
        free(g);
        strncpy(err, "out of memory", errlen - 1);
        err[errlen - 1] = '\0';
        return NULL;
    }
    return g;
}

static int contains(const char *s, size_t n, const char *m) {
    size_t ml = strlen(m);
    return s && ml && n >= ml && memmem(s, n, m, ml) != NULL;
}

static ws_result_t guard_process(void *inst, ws_record_t *rec, char *reason, size_t reasonlen) {
    guard_t *g = inst;
    size_t n;
    const char *body = ws_record_field(rec, WS_FIELD_BODY, &n);
    const char *why = NULL;
    ws_result_t r = WS_KEEP;
    if (contains(body, n, g->fail)) {
        why = "guard refused a record carrying the fail marker";
        r = WS_ERROR;
    } else if (contains(body, n, g->drop)) {
        why = "guarded";
        r = WS_DROP;
    }
    if (why) {
        strncpy(reason, why, reasonlen - 1);
        reason[reasonlen - 1] = '\0';
    }
    return r;
}

static void guard_destroy(void *inst) {
    guard_t *g = inst;
    if (!g) return;
    free(g->fail);
    free(g->drop);
    free(g);
}

const ws_processor_t ws_processor = {
    .abi_version = WS_PROCESSOR_ABI,
    .name = "test_guard",
    .description = "Test-only: errors on or drops records carrying a marker.",
    .flags = WS_PROCESSOR_THREAD_SAFE,
    .config = guard_keys,
    .config_size = sizeof(guard_config_t),
    .create = guard_create,
    .process = guard_process,
    .destroy = guard_destroy,
};
