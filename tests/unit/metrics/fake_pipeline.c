/* fake_pipeline.c -- see fake_pipeline.h. */
#include "fake_pipeline.h"

#include <string.h>

void fake_pipeline_init(ws_pipeline_t *p, const char *const *procs, size_t n) {
    memset(p, 0, sizeof *p);
    p->n = n;
    for (size_t i = 0; i < n; i++) {
        p->e[i].name = procs[i];
        p->e[i].processor = procs[i];
        ws_histogram_init(&p->h[i]);
        p->e[i].latency_us = &p->h[i];
    }
}

size_t ws_pipeline_size(const ws_pipeline_t *p) {
    return p->n;
}

void ws_pipeline_stats(const ws_pipeline_t *p, size_t i, ws_entry_stats_t *out) {
    *out = p->e[i];
}
