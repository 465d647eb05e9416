/* dd_store.h -- the remembered articles: a FIFO ring of fixed-size entries
 * (exact hash, timestamp, flags, signature), a FIFO byte ring of their ids,
 * and hash indexes by id, by exact hash and by LSH band.
 *
 * Entries are numbered by a 32-bit insertion sequence; the low 24 bits are
 * the reference the indexes store, so at most 2^24 entries are remembered.
 * Eviction is oldest-first: by count at insert time, and by time through
 * ws_dd_store_expire (which stops at the first unexpired entry, so lookups
 * also skip expired entries themselves).  Not thread-safe: the processor
 * holds its lock around every call. */
#ifndef DD_STORE_H
#define DD_STORE_H
#include <stddef.h>
#include <stdint.h>
#include "dd_table.h"

#define WS_DD_MAX_BANDS 32
#define WS_DD_MAX_ENTRIES (1u << WS_DD_REF_BITS)

#define WS_DD_F_LIVE   0x1
#define WS_DD_F_UPDATE 0x2   /* last remembered version was a correction */
#define WS_DD_F_SIG    0x4   /* long enough for near-duplicate matching */

typedef struct {
    unsigned k;              /* signature bytes */
    unsigned bands, rows;    /* LSH: bands * rows <= k */
    uint32_t max_entries;
} ws_dd_params_t;

/* Entry header; k signature bytes follow it in the ring. */
typedef struct {
    uint32_t exact_lo, exact_hi;
    uint32_t fig_lo, fig_hi;  /* figures set (dd_norm.h) */
    uint32_t ts;             /* seconds since the epoch */
    uint32_t id_pos;         /* position in the id ring */
    uint16_t id_len;
    uint8_t flags;
    uint8_t pad;
} ws_dd_entry_t;

typedef struct ws_dd_store ws_dd_store_t;

/* Called for each live entry evicted (not for entries replaced or killed). */
typedef void (*ws_dd_evict_fn)(void *ctx, const char *id, size_t len);

/* Prototypes */
int ws_dd_store_new(const ws_dd_params_t *p, ws_dd_store_t **out, char *err, size_t errlen);
void ws_dd_store_free(ws_dd_store_t *s);

/* Remember an article.  sig may be NULL (exact matching only).  Evicts the
 * oldest entries first when max_entries is reached.  The id must not be
 * remembered already (kill it first).  Returns the reference, or -1 on
 * allocation failure or an id longer than 65535 bytes. */
int64_t ws_dd_store_insert(ws_dd_store_t *s, const char *id, size_t idlen,
                           uint64_t exact, uint64_t figures, uint32_t ts,
                           const uint8_t *sig, unsigned flags, ws_dd_evict_fn cb,
                           void *ctx);
/* Forget one entry (a correction or a deletion). */
void ws_dd_store_kill(ws_dd_store_t *s, uint32_t ref);
/* Evict up to max entries from the old end whose ts < cutoff. */
size_t ws_dd_store_expire(ws_dd_store_t *s, uint32_t cutoff, size_t max,
                          ws_dd_evict_fn cb, void *ctx);

/* Lookups return a reference or -1.  Entries with ts < cutoff are skipped. */
int64_t ws_dd_store_find_id(const ws_dd_store_t *s, const char *id, size_t len);
int64_t ws_dd_store_find_exact(const ws_dd_store_t *s, uint64_t exact, uint32_t cutoff);
/* The most similar remembered signature sharing at least one LSH band;
 * *sim receives its estimated Jaccard similarity.  With check_figures,
 * entries whose figures contradict `figures` are not candidates. */
int64_t ws_dd_store_find_near(const ws_dd_store_t *s, const uint8_t *sig,
                              uint64_t figures, int check_figures,
                              uint32_t cutoff, double *sim);
/* 1 when each set has a member the other lacks. */
int ws_dd_figures_conflict(uint64_t a, uint64_t b);

/* Start loading the index slots the lookups of this article will touch,
 * so their cache misses overlap (sig may be NULL). */
void ws_dd_store_prefetch(const ws_dd_store_t *s, const char *id, size_t idlen,
                          uint64_t exact, const uint8_t *sig);

const ws_dd_entry_t *ws_dd_store_entry(const ws_dd_store_t *s, uint32_t ref);
const uint8_t *ws_dd_store_sig(const ws_dd_store_t *s, uint32_t ref);
const char *ws_dd_store_id(const ws_dd_store_t *s, uint32_t ref, size_t *len);
uint64_t ws_dd_entry_exact(const ws_dd_entry_t *e);
uint64_t ws_dd_entry_figures(const ws_dd_entry_t *e);
size_t ws_dd_store_count(const ws_dd_store_t *s);
/* Bytes allocated by the store (rings and indexes). */
size_t ws_dd_store_bytes(const ws_dd_store_t *s);
uint64_t ws_dd_hash_bytes(const void *p, size_t n);

#endif
