/* dd_sketch.c -- one-permutation b-bit MinHash and LSH band keys. */
#include "dd_sketch.h"

#include <string.h>

void ws_dd_sketch_init(ws_dd_sketch_t *s, unsigned k) {
    if (k > WS_DD_MAX_K) k = WS_DD_MAX_K;
    if (k == 0) k = 1;
    s->k = k;
    s->shingles = 0;
    memset(s->min, 0xFF, sizeof(s->min[0]) * k);
}

/* The value an empty bin i borrows: the first non-empty bin on i's own
 * probe sequence.  The sequence depends only on i, so two documents with
 * the same occupied bins borrow identically.  At least one bin is
 * occupied, so the fallback scan always ends. */
static uint32_t borrow(const ws_dd_sketch_t *s, unsigned i) {
    unsigned k = s->k;
    uint32_t v = WS_DD_EMPTY;
    for (uint64_t a = 1; a <= 4 * (uint64_t)k && v == WS_DD_EMPTY; a++) {
        uint64_t h = ws_dd_mix64(((uint64_t)i << 32) | a);
        uint32_t j = (uint32_t)(((h >> 32) * (uint64_t)k) >> 32);
        v = s->min[j];
    }
    for (unsigned j = (i + 1) % k; v == WS_DD_EMPTY; j = (j + 1) % k)
        v = s->min[j];
    return v;
}

int ws_dd_sketch_finish(ws_dd_sketch_t *s, uint8_t *sig) {
    if (s->shingles == 0) return -1;
    /* Borrowing reads the bins as they were, never a filled-in value. */
    for (unsigned i = 0; i < s->k; i++) {
        uint32_t v = s->min[i];
        if (v == WS_DD_EMPTY) v = borrow(s, i);
        sig[i] = (uint8_t)((v * 0x9E3779B1u) >> 24);
    }
    return 0;
}

double ws_dd_sketch_similarity(const uint8_t *a, const uint8_t *b, unsigned k) {
    unsigned eq = 0;
    for (unsigned i = 0; i < k; i++) eq += (a[i] == b[i]);
    /* Two different minima still agree on 8 bits 1/256 of the time. */
    double m = (double)eq / (double)k;
    double r = (m - 1.0 / 256.0) / (1.0 - 1.0 / 256.0);
    if (r < 0) r = 0;
    if (r > 1) r = 1;
    return r;
}

uint64_t ws_dd_band_hash(const uint8_t *sig, unsigned band, unsigned rows) {
    uint64_t h = 0x9E3779B97F4A7C15ULL * (band + 1);
    const uint8_t *p = sig + (size_t)band * rows;
    for (unsigned i = 0; i < rows; i++)
        h = (h ^ p[i]) * 0x100000001B3ULL;
    return ws_dd_mix64(h);
}
