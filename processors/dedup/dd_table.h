/* dd_table.h -- an open-addressing hash multimap from 64-bit key hashes to
 * 24-bit entry references, four bytes per slot.
 *
 * A slot holds an occupied bit, a 7-bit tag from the key hash (so a probe
 * rarely has to look at the entry) and the reference.  Keys themselves are
 * not stored: the owner recomputes a reference's key hash through a
 * callback when the table grows or shifts slots on removal.  Linear probing
 * with backward-shift deletion keeps no tombstones, so a table under
 * constant insert/evict churn never degrades. */
#ifndef DD_TABLE_H
#define DD_TABLE_H
#include <stddef.h>
#include <stdint.h>

#define WS_DD_REF_BITS 24
#define WS_DD_REF_MASK ((1u << WS_DD_REF_BITS) - 1)

typedef uint64_t (*ws_dd_rehash_fn)(void *ctx, uint32_t ref);

typedef struct {
    uint32_t *slot;
    uint32_t mask;        /* capacity - 1 */
    uint32_t used;
    unsigned bits;        /* capacity = 1 << bits */
    ws_dd_rehash_fn rehash;
    void *ctx;
} ws_dd_table_t;

typedef struct {
    uint32_t pos;
    uint32_t tag;
    unsigned steps;
} ws_dd_iter_t;

/* Prototypes */
int ws_dd_table_init(ws_dd_table_t *t, unsigned bits, ws_dd_rehash_fn fn, void *ctx);
void ws_dd_table_free(ws_dd_table_t *t);
/* Adds (hash, ref); grows at 3/4 load.  0, or -1 on allocation failure. */
int ws_dd_table_insert(ws_dd_table_t *t, uint64_t hash, uint32_t ref);
/* Removes (hash, ref) if present.  Returns 1 if removed, 0 if absent. */
int ws_dd_table_remove(ws_dd_table_t *t, uint64_t hash, uint32_t ref);
/* Iterate the references whose tag matches hash (callers confirm the key):
 *   for (r = first(t, h, &it); r >= 0; r = next(t, &it)) */
int64_t ws_dd_table_first(const ws_dd_table_t *t, uint64_t hash, ws_dd_iter_t *it);
int64_t ws_dd_table_next(const ws_dd_table_t *t, ws_dd_iter_t *it);
size_t ws_dd_table_bytes(const ws_dd_table_t *t);

static inline void ws_dd_table_prefetch(const ws_dd_table_t *t, uint64_t hash) {
    __builtin_prefetch(&t->slot[(uint32_t)(hash >> (64 - t->bits))]);
}

#endif
