/* fake_pipeline.h -- a stand-in ws_pipeline_t for the metrics tests: fixed
 * entries whose counters and latency histograms the test sets directly.  It
 * defines ws_pipeline_size/ws_pipeline_stats, so the real pipeline object is
 * never linked in. */
#ifndef FAKE_PIPELINE_H
#define FAKE_PIPELINE_H
#include "ws_pipeline.h"

#define FAKE_MAX_ENTRIES 4

struct ws_pipeline {
    size_t n;
    ws_entry_stats_t e[FAKE_MAX_ENTRIES];
    ws_histogram_t h[FAKE_MAX_ENTRIES];
};

/* Entries named after their processor, latency histograms empty. */
void fake_pipeline_init(ws_pipeline_t *p, const char *const *procs, size_t n);

#endif
