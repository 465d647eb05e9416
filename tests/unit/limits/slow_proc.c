/* slow_proc.c -- a test-only external processor that sleeps `sleep_ms` on
 * records whose body contains `marker`, so the per-record time budget
 * (limits.record_timeout_ms) can be tested without guessing how fast the
 * machine is.  Built against the public header alone. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wirestream_processor.h"

typedef struct {
    const char *marker;
    int64_t sleep_ms;
} slow_config_t;

static const ws_config_key_t slow_keys[] = {
    {WS_CFG_STRING, "marker", "WS-SLOW", offsetof(slow_config_t, marker),
     "Body text that makes process() sleep.", NULL},
    {WS_CFG_INT, "sleep_ms", "300", offsetof(slow_config_t, sleep_ms),
     "How long to sleep.", NULL},
    {0}
};

typedef struct {
    char *marker;
    int64_t sleep_ms;
} slow_t;

static void *slow_create(const void *config, const ws_create_info_t *info, char *err, size_t errlen) {
    const slow_config_t *c = config;
    (void)info;
    slow_t *s = calloc(1, sizeof *s);
    if (!s || !(s->marker = strdup(c->marker))) {
        free(s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->sleep_ms = c->sleep_ms;
    return s;
}

static ws_result_t slow_process(void *inst, ws_record_t *rec, char *reason, size_t reasonlen) {
    slow_t *s = inst;
    size_t n;
    const char *body = ws_record_field(rec, WS_FIELD_BODY, &n);
    (void)reason;
    (void)reasonlen;
    if (body && *s->marker && memmem(body, n, s->marker, strlen(s->marker))) {
        struct timespec ts = {(time_t)(s->sleep_ms / 1000), (long)(s->sleep_ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0) {
        }
    }
    return WS_KEEP;
}

static void slow_destroy(void *inst) {
    slow_t *s = inst;
    if (s) free(s->marker);
    free(s);
}

const ws_processor_t ws_processor = {
    .abi_version = WS_PROCESSOR_ABI,
    .name = "slow",
    .description = "Test only: sleeps on marked records.",
    .config = slow_keys,
    .config_size = sizeof(slow_config_t),
    .create = slow_create,
    .process = slow_process,
    .destroy = slow_destroy,
};
