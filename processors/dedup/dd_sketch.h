/* dd_sketch.h -- one-permutation MinHash over shingle hashes, stored as
 * one byte per bin (b-bit MinHash, b = 8), and LSH band keys over it.
 *
 * One-permutation hashing (Li, Owen, Zhang 2012) hashes every shingle once
 * and keeps the minimum per bin, so the cost is O(shingles + k) instead of
 * O(shingles * k).  Empty bins are filled by "optimal densification"
 * (Shrivastava 2017): bin i borrows the value of the first non-empty bin
 * found by a fixed hash sequence of i, identical for every document. */
#ifndef DD_SKETCH_H
#define DD_SKETCH_H
#include <stddef.h>
#include <stdint.h>

#define WS_DD_MAX_K 256
#define WS_DD_EMPTY 0xFFFFFFFFu

typedef struct {
    unsigned k;
    unsigned shingles;              /* shingles added */
    uint32_t min[WS_DD_MAX_K];
} ws_dd_sketch_t;

/* Prototypes */
void ws_dd_sketch_init(ws_dd_sketch_t *s, unsigned k);
/* Densify and write k signature bytes.  Returns 0, or -1 when no shingle
 * was added (sig is then undefined). */
int ws_dd_sketch_finish(ws_dd_sketch_t *s, uint8_t *sig);
/* Estimated Jaccard similarity of the two shingle sets, in [0, 1]. */
double ws_dd_sketch_similarity(const uint8_t *a, const uint8_t *b, unsigned k);
/* LSH key of band `band` (rows bytes starting at band * rows). */
uint64_t ws_dd_band_hash(const uint8_t *sig, unsigned band, unsigned rows);

/* splitmix64 finaliser: every input bit affects every output bit. */
static inline uint64_t ws_dd_mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    x ^= x >> 31;
    return x;
}

/* Hot path, called once per shingle: bin from the high half of the hash,
 * value from the low half. */
static inline void ws_dd_sketch_add(ws_dd_sketch_t *s, uint64_t h) {
    uint32_t bin = (uint32_t)(((h >> 32) * (uint64_t)s->k) >> 32);
    uint32_t v = (uint32_t)h;
    uint32_t m = s->min[bin];
    v -= (v == WS_DD_EMPTY);
    s->min[bin] = v < m ? v : m;    /* branch-free: the comparison is a coin toss early on */
    s->shingles++;
}

#endif
