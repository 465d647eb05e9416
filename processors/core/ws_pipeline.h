/* ws_pipeline.h -- the ordered list of processor instances a record runs through.
 *
 * Built-ins come from the registry (ws_registry.h); an entry with a "path"
 * is dlopen()ed and its WS_PROCESSOR_SYMBOL checked for the ABI version.
 * Each entry has counters and a latency histogram, read by the metrics. */
#ifndef WS_PIPELINE_H
#define WS_PIPELINE_H
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include "../wirestream_processor.h"
#include "ws_config.h"
#include "ws_histogram.h"

typedef struct ws_pipeline ws_pipeline_t;

typedef struct {
    ws_result_t result;      /* WS_KEEP, WS_DROP or WS_ERROR */
    const char *entry;       /* the entry that dropped or failed, NULL on keep */
    const char *drop_topic;  /* that entry's drop_topic (WS_DROP only), or NULL */
    const char *reason_code; /* WS_REASON_* for errors ("processor_error",
                                "timeout", "regex_limit"...), drop reason for drops */
    char reason[256];        /* human text: drop reason or error message */
    _Atomic(const char *) running;  /* the entry inside process() now (NULL
                                       between entries and while waiting for a
                                       non-thread-safe entry's lock), for the
                                       runtime's stuck-record guard */
} ws_outcome_t;

typedef struct {
    const char *name;
    const char *processor;
    uint64_t in, out, dropped, errors, hits;
    const ws_histogram_t *latency_us;   /* live histogram, shared */
} ws_entry_stats_t;

/* Prototypes */
/* without: entry names to skip (wirestream process --without NAME). */
int ws_pipeline_new(const ws_config_t *cfg, const char *const *without,
                    size_t nwithout, int has_state, ws_pipeline_t **out,
                    char *err, size_t errlen);
void ws_pipeline_free(ws_pipeline_t *p);
/* Runs every entry in order; stops at the first drop or error. */
void ws_pipeline_run(ws_pipeline_t *p, ws_record_t *rec, ws_outcome_t *out);
void ws_pipeline_assign(ws_pipeline_t *p, const char *topic, const int32_t *parts, size_t n);
void ws_pipeline_revoke(ws_pipeline_t *p, const char *topic, const int32_t *parts, size_t n);
void ws_pipeline_flush(ws_pipeline_t *p);
size_t ws_pipeline_size(const ws_pipeline_t *p);
void ws_pipeline_stats(const ws_pipeline_t *p, size_t i, ws_entry_stats_t *out);
/* Entry i's state topic (NULL if none or the processor has no on_state). */
const char *ws_pipeline_state_topic(const ws_pipeline_t *p, size_t i);
/* Feed one state-topic record back to entry i (thread-safe per processor contract). */
void ws_pipeline_state_deliver(ws_pipeline_t *p, size_t i, const void *key, size_t klen,
                               const void *val, size_t vlen);

#endif
