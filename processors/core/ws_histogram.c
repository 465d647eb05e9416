/* ws_histogram.c -- log-linear latency histogram with relaxed atomics.
 *
 * Values below 32 us get one bucket each; above, every power of two is split
 * into 32 linear sub-buckets (about 3% resolution).  The index is continuous:
 * bucket(v) == v for v < 64. */
#include "ws_histogram.h"

#include <string.h>

#define SUB_BITS 5
#define SUB (1u << SUB_BITS)

static unsigned bucket_of(uint64_t v) {
    if (v < SUB) return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v);            /* floor(log2 v) >= 5 */
    unsigned sub = (unsigned)(v >> (e - SUB_BITS)) & (SUB - 1);
    uint64_t idx = (uint64_t)(e - SUB_BITS + 1) * SUB + sub;
    return idx >= WS_HISTOGRAM_BUCKETS ? WS_HISTOGRAM_BUCKETS - 1 : (unsigned)idx;
}

/* Midpoint of a bucket, the value reported for quantiles. */
static uint64_t bucket_value(unsigned idx) {
    if (idx < SUB) return idx;
    unsigned e = idx / SUB + SUB_BITS - 1;
    uint64_t sub = idx % SUB;
    uint64_t lo = ((uint64_t)SUB + sub) << (e - SUB_BITS);
    uint64_t width = 1ull << (e - SUB_BITS);
    return lo + width / 2;
}

void ws_histogram_init(ws_histogram_t *h) {
    memset(h, 0, sizeof *h);
}

/* Lowest value a bucket holds. */
static uint64_t bucket_floor(unsigned idx) {
    if (idx < SUB) return idx;
    unsigned e = idx / SUB + SUB_BITS - 1;
    return ((uint64_t)SUB + idx % SUB) << (e - SUB_BITS);
}

void ws_histogram_record(ws_histogram_t *h, uint64_t us) {
    __atomic_fetch_add(&h->buckets[bucket_of(us)], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&h->sum_us, us, __ATOMIC_RELAXED);
    __atomic_fetch_add(&h->count, 1, __ATOMIC_RELAXED);
    uint64_t cur = __atomic_load_n(&h->max_us, __ATOMIC_RELAXED);
    while (us > cur && !__atomic_compare_exchange_n(&h->max_us, &cur, us, 1, __ATOMIC_RELAXED,
                                                    __ATOMIC_RELAXED)) {
    }
}

uint64_t ws_histogram_quantile(const ws_histogram_t *h, double q) {
    uint64_t total = 0;
    for (unsigned i = 0; i < WS_HISTOGRAM_BUCKETS; i++)
        total += __atomic_load_n(&h->buckets[i], __ATOMIC_RELAXED);
    if (total == 0) return 0;
    if (q < 0) q = 0;
    if (q > 1) q = 1;
    uint64_t rank = (uint64_t)(q * (double)total);
    if (rank >= total) rank = total - 1;
    uint64_t seen = 0, max = __atomic_load_n(&h->max_us, __ATOMIC_RELAXED);
    unsigned i = 0;
    for (; i < WS_HISTOGRAM_BUCKETS - 1; i++) {
        seen += __atomic_load_n(&h->buckets[i], __ATOMIC_RELAXED);
        if (seen > rank) break;
    }
    uint64_t v = bucket_value(i);
    return v > max ? max : v;
}

void ws_histogram_snapshot(const ws_histogram_t *h, ws_histogram_t *out) {
    for (unsigned i = 0; i < WS_HISTOGRAM_BUCKETS; i++)
        out->buckets[i] = __atomic_load_n(&h->buckets[i], __ATOMIC_RELAXED);
    out->count = __atomic_load_n(&h->count, __ATOMIC_RELAXED);
    out->sum_us = __atomic_load_n(&h->sum_us, __ATOMIC_RELAXED);
    out->max_us = __atomic_load_n(&h->max_us, __ATOMIC_RELAXED);
}

void ws_histogram_diff(const ws_histogram_t *now, const ws_histogram_t *then,
                       ws_histogram_t *out) {
    for (unsigned i = 0; i < WS_HISTOGRAM_BUCKETS; i++)
        out->buckets[i] = now->buckets[i] >= then->buckets[i]
                              ? now->buckets[i] - then->buckets[i] : 0;
    out->count = now->count >= then->count ? now->count - then->count : 0;
    out->sum_us = now->sum_us >= then->sum_us ? now->sum_us - then->sum_us : 0;
    /* The interval's largest value: the all-time max if that grew since
     * then (it was recorded in the interval), else somewhere in the top
     * non-empty bucket, so its floor is a safe cap. */
    unsigned top = WS_HISTOGRAM_BUCKETS;
    while (top > 0 && !out->buckets[top - 1]) top--;
    if (top == 0) out->max_us = 0;
    else if (now->max_us > then->max_us) out->max_us = now->max_us;
    else {
        uint64_t f = bucket_floor(top - 1);
        out->max_us = f < now->max_us ? f : now->max_us;
    }
}
