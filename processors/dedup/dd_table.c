/* dd_table.c -- linear-probing multimap of key hashes to entry references. */
#include "dd_table.h"

#include <stdlib.h>

#define OCCUPIED 0x80000000u

static inline uint32_t home(const ws_dd_table_t *t, uint64_t h) {
    return (uint32_t)(h >> (64 - t->bits));
}

static inline uint32_t tag_of(uint64_t h) {
    return (uint32_t)(h & 0x7F) << WS_DD_REF_BITS;
}

int ws_dd_table_init(ws_dd_table_t *t, unsigned bits, ws_dd_rehash_fn fn, void *ctx) {
    if (bits < 4) bits = 4;
    t->slot = calloc((size_t)1 << bits, sizeof(uint32_t));
    if (!t->slot) return -1;
    t->bits = bits;
    t->mask = (1u << bits) - 1;
    t->used = 0;
    t->rehash = fn;
    t->ctx = ctx;
    return 0;
}

void ws_dd_table_free(ws_dd_table_t *t) {
    free(t->slot);
    t->slot = NULL;
    t->used = 0;
}

static void place(ws_dd_table_t *t, uint64_t hash, uint32_t ref) {
    uint32_t i = home(t, hash);
    while (t->slot[i]) i = (i + 1) & t->mask;
    t->slot[i] = OCCUPIED | tag_of(hash) | (ref & WS_DD_REF_MASK);
    t->used++;
}

static int grow(ws_dd_table_t *t) {
    ws_dd_table_t n = *t;
    if (t->bits >= 31) return -1;
    n.bits = t->bits + 1;
    n.mask = (1u << n.bits) - 1;
    n.used = 0;
    n.slot = calloc((size_t)1 << n.bits, sizeof(uint32_t));
    if (!n.slot) return -1;
    for (uint32_t i = 0; i <= t->mask; i++) {
        uint32_t s = t->slot[i];
        if (!s) continue;
        uint32_t ref = s & WS_DD_REF_MASK;
        place(&n, t->rehash(t->ctx, ref), ref);
    }
    free(t->slot);
    *t = n;
    return 0;
}

int ws_dd_table_insert(ws_dd_table_t *t, uint64_t hash, uint32_t ref) {
    if ((uint64_t)(t->used + 1) * 4 > (uint64_t)(t->mask + 1) * 3 && grow(t) != 0)
        return -1;
    place(t, hash, ref);
    return 0;
}

int ws_dd_table_remove(ws_dd_table_t *t, uint64_t hash, uint32_t ref) {
    uint32_t want = OCCUPIED | tag_of(hash) | (ref & WS_DD_REF_MASK);
    uint32_t i = home(t, hash);
    while (t->slot[i] != want) {
        if (!t->slot[i]) return 0;
        i = (i + 1) & t->mask;
    }
    /* Backward shift: pull later members of the run into the hole unless
     * their home lies cyclically after the hole. */
    uint32_t hole = i, j = i;
    for (;;) {
        j = (j + 1) & t->mask;
        uint32_t s = t->slot[j];
        if (!s) break;
        uint32_t h = home(t, t->rehash(t->ctx, s & WS_DD_REF_MASK));
        if (((j - h) & t->mask) >= ((j - hole) & t->mask)) {
            t->slot[hole] = s;
            hole = j;
        }
    }
    t->slot[hole] = 0;
    t->used--;
    return 1;
}

int64_t ws_dd_table_next(const ws_dd_table_t *t, ws_dd_iter_t *it) {
    for (;;) {
        uint32_t s = t->slot[it->pos];
        if (!s) return -1;
        it->pos = (it->pos + 1) & t->mask;
        if ((s & ~(OCCUPIED | WS_DD_REF_MASK)) == it->tag)
            return (int64_t)(s & WS_DD_REF_MASK);
    }
}

int64_t ws_dd_table_first(const ws_dd_table_t *t, uint64_t hash, ws_dd_iter_t *it) {
    it->pos = home(t, hash);
    it->tag = tag_of(hash);
    it->steps = 0;
    return ws_dd_table_next(t, it);
}

size_t ws_dd_table_bytes(const ws_dd_table_t *t) {
    return ((size_t)t->mask + 1) * sizeof(uint32_t);
}
