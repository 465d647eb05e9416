/* dd_store.c -- FIFO rings of remembered articles and their indexes. */
#include "dd_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dd_sketch.h"

#define INITIAL_ENTRIES 1024u
#define INITIAL_ID_BYTES 16384u
#define MAX_CANDIDATES 256

typedef struct {
    ws_dd_store_t *s;
    unsigned band;
} band_ctx_t;

struct ws_dd_store {
    ws_dd_params_t p;
    size_t stride;

    uint8_t *ring;             /* cap entries of stride bytes */
    uint32_t cap, max_cap;     /* powers of two, cap <= max_cap <= 2^24 */
    uint32_t head, tail;       /* sequence numbers: [head, tail) are in the ring */
    uint32_t live;

    char *ids;                 /* id bytes of [head, tail), FIFO */
    uint32_t idcap;            /* power of two */
    uint32_t idhead, idtail;   /* byte positions (mod 2^32) */

    ws_dd_table_t by_id, by_exact;
    ws_dd_table_t band[WS_DD_MAX_BANDS];
    band_ctx_t band_ctx[WS_DD_MAX_BANDS];
};

uint64_t ws_dd_hash_bytes(const void *p, size_t n) {
    const unsigned char *b = p;
    uint64_t h = 0xCBF29CE484222325ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 32;
    }
    for (; i < n; i++) h = (h ^ b[i]) * 0x100000001B3ULL;
    return ws_dd_mix64(h);
}

static inline ws_dd_entry_t *ent(const ws_dd_store_t *s, uint32_t seq) {
    return (ws_dd_entry_t *)(s->ring + (size_t)(seq & (s->cap - 1)) * s->stride);
}

static inline const uint8_t *sig_of(const ws_dd_entry_t *e) {
    return (const uint8_t *)(e + 1);
}

static inline const char *id_of(const ws_dd_store_t *s, const ws_dd_entry_t *e) {
    return s->ids + (e->id_pos & (s->idcap - 1));
}

uint64_t ws_dd_entry_exact(const ws_dd_entry_t *e) {
    return ((uint64_t)e->exact_hi << 32) | e->exact_lo;
}

uint64_t ws_dd_entry_figures(const ws_dd_entry_t *e) {
    return ((uint64_t)e->fig_hi << 32) | e->fig_lo;
}

int ws_dd_figures_conflict(uint64_t a, uint64_t b) {
    return (a & ~b) != 0 && (b & ~a) != 0;
}

/* A reference's sequence number: refs are the low 24 bits, and every live
 * sequence lies within cap (<= 2^24) of tail. */
static inline uint32_t seq_of(const ws_dd_store_t *s, uint32_t ref) {
    return s->tail - ((s->tail - ref) & WS_DD_REF_MASK);
}

static uint64_t rehash_id(void *ctx, uint32_t ref) {
    ws_dd_store_t *s = ctx;
    const ws_dd_entry_t *e = ent(s, ref);
    return ws_dd_hash_bytes(id_of(s, e), e->id_len);
}

static uint64_t rehash_exact(void *ctx, uint32_t ref) {
    ws_dd_store_t *s = ctx;
    return ws_dd_entry_exact(ent(s, ref));
}

static uint64_t rehash_band(void *ctx, uint32_t ref) {
    band_ctx_t *b = ctx;
    return ws_dd_band_hash(sig_of(ent(b->s, ref)), b->band, b->s->p.rows);
}

int ws_dd_store_new(const ws_dd_params_t *p, ws_dd_store_t **out, char *err, size_t errlen) {
    ws_dd_store_t *s;

    *out = NULL;
    if (p->k < 1 || p->k > WS_DD_MAX_K || p->bands < 1 || p->bands > WS_DD_MAX_BANDS ||
        p->rows < 1 || p->rows > 8 || p->bands * p->rows > p->k) {
        snprintf(err, errlen, "invalid sketch: need 1 <= bands <= %d, 1 <= rows <= 8, "
                 "bands * rows <= sketch_size <= %d", WS_DD_MAX_BANDS, WS_DD_MAX_K);
        return -1;
    }
    if (p->max_entries < 1 || p->max_entries > WS_DD_MAX_ENTRIES - 1) {
        snprintf(err, errlen, "max_entries must be between 1 and %u", WS_DD_MAX_ENTRIES - 1);
        return -1;
    }
    s = calloc(1, sizeof(*s));
    if (!s) goto oom;
    s->p = *p;
    s->stride = (sizeof(ws_dd_entry_t) + p->k + 3) & ~(size_t)3;
    s->max_cap = 1;
    while (s->max_cap < p->max_entries) s->max_cap <<= 1;
    s->cap = s->max_cap < INITIAL_ENTRIES ? s->max_cap : INITIAL_ENTRIES;
    s->ring = malloc((size_t)s->cap * s->stride);
    s->idcap = INITIAL_ID_BYTES;
    s->ids = malloc(s->idcap);
    if (!s->ring || !s->ids) goto oom;
    if (ws_dd_table_init(&s->by_id, 10, rehash_id, s) ||
        ws_dd_table_init(&s->by_exact, 10, rehash_exact, s))
        goto oom;
    for (unsigned b = 0; b < p->bands; b++) {
        s->band_ctx[b].s = s;
        s->band_ctx[b].band = b;
        if (ws_dd_table_init(&s->band[b], 10, rehash_band, &s->band_ctx[b])) goto oom;
    }
    *out = s;
    return 0;
oom:
    ws_dd_store_free(s);
    snprintf(err, errlen, "out of memory");
    return -1;
}

void ws_dd_store_free(ws_dd_store_t *s) {
    if (!s) return;
    free(s->ring);
    free(s->ids);
    ws_dd_table_free(&s->by_id);
    ws_dd_table_free(&s->by_exact);
    for (unsigned b = 0; b < WS_DD_MAX_BANDS; b++) ws_dd_table_free(&s->band[b]);
    free(s);
}

static void unindex(ws_dd_store_t *s, uint32_t seq) {
    ws_dd_entry_t *e = ent(s, seq);
    uint32_t ref = seq & WS_DD_REF_MASK;
    ws_dd_table_remove(&s->by_id, ws_dd_hash_bytes(id_of(s, e), e->id_len), ref);
    ws_dd_table_remove(&s->by_exact, ws_dd_entry_exact(e), ref);
    if (e->flags & WS_DD_F_SIG)
        for (unsigned b = 0; b < s->p.bands; b++)
            ws_dd_table_remove(&s->band[b], ws_dd_band_hash(sig_of(e), b, s->p.rows), ref);
}

void ws_dd_store_kill(ws_dd_store_t *s, uint32_t ref) {
    uint32_t seq = seq_of(s, ref);
    ws_dd_entry_t *e;
    if (seq - s->head >= s->tail - s->head) return;
    e = ent(s, seq);
    if (!(e->flags & WS_DD_F_LIVE)) return;
    unindex(s, seq);
    e->flags &= (uint8_t)~WS_DD_F_LIVE;
    s->live--;
}

/* Drop the oldest ring slot, reporting it if it was live. */
static void evict_head(ws_dd_store_t *s, ws_dd_evict_fn cb, void *ctx) {
    ws_dd_entry_t *e = ent(s, s->head);
    if (e->flags & WS_DD_F_LIVE) {
        if (cb) cb(ctx, id_of(s, e), e->id_len);
        unindex(s, s->head);
        e->flags &= (uint8_t)~WS_DD_F_LIVE;
        s->live--;
    }
    s->head++;
    s->idhead = s->head == s->tail ? s->idtail : ent(s, s->head)->id_pos;
}

static int grow_ring(ws_dd_store_t *s) {
    uint32_t ncap = s->cap * 2;
    uint8_t *n = malloc((size_t)ncap * s->stride);
    if (!n) return -1;
    for (uint32_t q = s->head; q != s->tail; q++)
        memcpy(n + (size_t)(q & (ncap - 1)) * s->stride,
               s->ring + (size_t)(q & (s->cap - 1)) * s->stride, s->stride);
    free(s->ring);
    s->ring = n;
    s->cap = ncap;
    return 0;
}

static int grow_ids(ws_dd_store_t *s) {
    uint32_t ncap;
    char *n;
    if (s->idcap >= 0x80000000u) return -1;
    ncap = s->idcap * 2;
    n = malloc(ncap);
    if (!n) return -1;
    /* An id never straddles the end of the old ring, so it cannot straddle
     * the end of one twice as large either. */
    for (uint32_t q = s->head; q != s->tail; q++) {
        const ws_dd_entry_t *e = ent(s, q);
        memcpy(n + (e->id_pos & (ncap - 1)), s->ids + (e->id_pos & (s->idcap - 1)),
               e->id_len);
    }
    free(s->ids);
    s->ids = n;
    s->idcap = ncap;
    return 0;
}

int64_t ws_dd_store_insert(ws_dd_store_t *s, const char *id, size_t idlen,
                           uint64_t exact, uint64_t figures, uint32_t ts,
                           const uint8_t *sig, unsigned flags, ws_dd_evict_fn cb,
                           void *ctx) {
    uint32_t pos, pad, seq, ref;
    ws_dd_entry_t *e;
    unsigned b = 0;

    if (idlen > 0xFFFF) return -1;
    while (s->live >= s->p.max_entries) evict_head(s, cb, ctx);
    if (s->tail - s->head == s->cap) {
        if (s->cap < s->max_cap) {
            if (grow_ring(s)) return -1;
        } else {
            /* The ring is full of live and dead (replaced) slots. */
            while (s->tail - s->head >= s->cap) evict_head(s, cb, ctx);
        }
    }
    for (;;) {
        uint32_t phys = s->idtail & (s->idcap - 1);
        pad = phys + idlen > s->idcap ? s->idcap - phys : 0;
        if ((uint64_t)(s->idtail - s->idhead) + pad + idlen <= s->idcap) break;
        if (grow_ids(s)) return -1;
    }
    pos = s->idtail + pad;
    memcpy(s->ids + (pos & (s->idcap - 1)), id, idlen);

    seq = s->tail;
    ref = seq & WS_DD_REF_MASK;
    e = ent(s, seq);
    e->exact_lo = (uint32_t)exact;
    e->exact_hi = (uint32_t)(exact >> 32);
    e->fig_lo = (uint32_t)figures;
    e->fig_hi = (uint32_t)(figures >> 32);
    e->ts = ts;
    e->id_pos = pos;
    e->id_len = (uint16_t)idlen;
    e->flags = (uint8_t)((flags & WS_DD_F_UPDATE) | WS_DD_F_LIVE | (sig ? WS_DD_F_SIG : 0));
    e->pad = 0;
    if (sig) memcpy((uint8_t *)(e + 1), sig, s->p.k);
    s->tail++;
    s->idtail = pos + (uint32_t)idlen;
    if (s->head + 1 == s->tail) s->idhead = pos;

    if (ws_dd_table_insert(&s->by_id, ws_dd_hash_bytes(id, idlen), ref)) goto fail;
    if (ws_dd_table_insert(&s->by_exact, exact, ref)) goto fail_id;
    if (sig)
        for (; b < s->p.bands; b++)
            if (ws_dd_table_insert(&s->band[b], ws_dd_band_hash(sig, b, s->p.rows), ref))
                goto fail_bands;
    s->live++;
    return ref;

fail_bands:
    while (b-- > 0)
        ws_dd_table_remove(&s->band[b], ws_dd_band_hash(sig, b, s->p.rows), ref);
    ws_dd_table_remove(&s->by_exact, exact, ref);
fail_id:
    ws_dd_table_remove(&s->by_id, ws_dd_hash_bytes(id, idlen), ref);
fail:
    /* Leave a dead slot behind; eviction reclaims it. */
    e->flags = 0;
    return -1;
}

size_t ws_dd_store_expire(ws_dd_store_t *s, uint32_t cutoff, size_t max,
                          ws_dd_evict_fn cb, void *ctx) {
    size_t n = 0;
    while (s->head != s->tail && n < max) {
        const ws_dd_entry_t *e = ent(s, s->head);
        if ((e->flags & WS_DD_F_LIVE) && e->ts >= cutoff) break;
        evict_head(s, cb, ctx);
        n++;
    }
    return n;
}

int64_t ws_dd_store_find_id(const ws_dd_store_t *s, const char *id, size_t len) {
    ws_dd_iter_t it;
    for (int64_t r = ws_dd_table_first(&s->by_id, ws_dd_hash_bytes(id, len), &it); r >= 0;
         r = ws_dd_table_next(&s->by_id, &it)) {
        const ws_dd_entry_t *e = ent(s, (uint32_t)r);
        if (e->id_len == len && !memcmp(id_of(s, e), id, len)) return r;
    }
    return -1;
}

int64_t ws_dd_store_find_exact(const ws_dd_store_t *s, uint64_t exact, uint32_t cutoff) {
    ws_dd_iter_t it;
    for (int64_t r = ws_dd_table_first(&s->by_exact, exact, &it); r >= 0;
         r = ws_dd_table_next(&s->by_exact, &it)) {
        const ws_dd_entry_t *e = ent(s, (uint32_t)r);
        if (ws_dd_entry_exact(e) == exact && e->ts >= cutoff) return r;
    }
    return -1;
}

int64_t ws_dd_store_find_near(const ws_dd_store_t *s, const uint8_t *sig,
                              uint64_t figures, int check_figures,
                              uint32_t cutoff, double *sim) {
    uint32_t seen[MAX_CANDIDATES];
    unsigned nseen = 0, rows = s->p.rows;
    int64_t best = -1;
    double best_sim = -1;

    for (unsigned b = 0; b < s->p.bands && nseen < MAX_CANDIDATES; b++) {
        ws_dd_iter_t it;
        const uint8_t *band = sig + (size_t)b * rows;
        for (int64_t r = ws_dd_table_first(&s->band[b], ws_dd_band_hash(sig, b, rows), &it);
             r >= 0 && nseen < MAX_CANDIDATES; r = ws_dd_table_next(&s->band[b], &it)) {
            const ws_dd_entry_t *e = ent(s, (uint32_t)r);
            const uint8_t *es = sig_of(e);
            unsigned i;
            if (memcmp(es + (size_t)b * rows, band, rows) || e->ts < cutoff) continue;
            if (check_figures && ws_dd_figures_conflict(figures, ws_dd_entry_figures(e)))
                continue;
            for (i = 0; i < nseen && seen[i] != (uint32_t)r; i++) {}
            if (i < nseen) continue;
            seen[nseen++] = (uint32_t)r;
            double v = ws_dd_sketch_similarity(sig, es, s->p.k);
            /* Ties go to the oldest entry: the first article seen. */
            if (v > best_sim ||
                (v == best_sim && seq_of(s, (uint32_t)r) - s->head <
                                      seq_of(s, (uint32_t)best) - s->head)) {
                best_sim = v;
                best = r;
            }
        }
    }
    if (best >= 0) *sim = best_sim;
    return best;
}

void ws_dd_store_prefetch(const ws_dd_store_t *s, const char *id, size_t idlen,
                          uint64_t exact, const uint8_t *sig) {
    ws_dd_table_prefetch(&s->by_id, ws_dd_hash_bytes(id, idlen));
    ws_dd_table_prefetch(&s->by_exact, exact);
    if (sig)
        for (unsigned b = 0; b < s->p.bands; b++)
            ws_dd_table_prefetch(&s->band[b], ws_dd_band_hash(sig, b, s->p.rows));
}

const ws_dd_entry_t *ws_dd_store_entry(const ws_dd_store_t *s, uint32_t ref) {
    return ent(s, ref);
}

const uint8_t *ws_dd_store_sig(const ws_dd_store_t *s, uint32_t ref) {
    return sig_of(ent(s, ref));
}

const char *ws_dd_store_id(const ws_dd_store_t *s, uint32_t ref, size_t *len) {
    const ws_dd_entry_t *e = ent(s, ref);
    *len = e->id_len;
    return id_of(s, e);
}

size_t ws_dd_store_count(const ws_dd_store_t *s) {
    return s->live;
}

size_t ws_dd_store_bytes(const ws_dd_store_t *s) {
    size_t n = sizeof(*s) + (size_t)s->cap * s->stride + s->idcap;
    n += ws_dd_table_bytes(&s->by_id) + ws_dd_table_bytes(&s->by_exact);
    for (unsigned b = 0; b < s->p.bands; b++) n += ws_dd_table_bytes(&s->band[b]);
    return n;
}
