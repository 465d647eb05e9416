/* ws_histogram.h -- a lock-free latency histogram in microseconds.
 *
 * Log-linear buckets (about 3% resolution) from 1 us to ~1 h; record() is a
 * relaxed atomic increment so worker threads can share one histogram. */
#ifndef WS_HISTOGRAM_H
#define WS_HISTOGRAM_H
#include <stdint.h>

#define WS_HISTOGRAM_BUCKETS 1024

typedef struct {
    uint64_t buckets[WS_HISTOGRAM_BUCKETS];
    uint64_t count;
    uint64_t sum_us;
    uint64_t max_us;    /* largest value recorded; for a diff, a value no larger than
                           the interval's largest (see ws_histogram_diff) */
} ws_histogram_t;

/* Prototypes */
void ws_histogram_init(ws_histogram_t *h);
void ws_histogram_record(ws_histogram_t *h, uint64_t us);
/* q in [0,1]; returns 0 when empty, and never more than max_us (a bucket's
 * midpoint can lie above every value in it).  Reads are racy but never torn. */
uint64_t ws_histogram_quantile(const ws_histogram_t *h, double q);
/* Copy into a snapshot, then subtract an older snapshot to get an interval. */
void ws_histogram_snapshot(const ws_histogram_t *h, ws_histogram_t *out);
void ws_histogram_diff(const ws_histogram_t *now, const ws_histogram_t *then,
                       ws_histogram_t *out);

#endif
