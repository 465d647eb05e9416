/* dedup.c -- the dedup processor: exact and near-duplicate articles within
 * a time window, with same-id replays and corrections passing through, and
 * remembered fingerprints written to / read from a state topic.
 *
 * Modules: dd_norm (normalise + exact hash + shingles), dd_sketch (b-bit
 * one-permutation MinHash, LSH bands), dd_store (entries, indexes, FIFO
 * eviction), dd_fp (state-topic fingerprint), dd_time (article dates). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wirestream_processor.h"
#include "dd_fp.h"
#include "dd_norm.h"
#include "dd_sketch.h"
#include "dd_store.h"
#include "dd_time.h"

#define EXPIRE_BATCH 64          /* evictions per record, bounds its latency */
#define FUTURE_SLACK_S 86400     /* article dates further ahead are not trusted */

typedef struct {
    const char *action;
    double threshold;
    int64_t min_length;
    int64_t window_hours;
    const char *window_on;
    int64_t max_entries;
    int64_t shingle;
    int64_t sketch_size;
    int64_t bands;
    int64_t rows;
    int tombstones;
    int figures_must_match;
} dedup_config_t;

static const ws_config_key_t config_keys[] = {
    { WS_CFG_STRING, "action", "drop", offsetof(dedup_config_t, action),
      "What to do with a duplicate: drop it (counted, and routed to the entry's "
      "drop_topic if set) or flag it and pass it on", "drop|flag" },
    { WS_CFG_DOUBLE, "threshold", "0.8", offsetof(dedup_config_t, threshold),
      "Estimated Jaccard similarity of word shingles at or above which a long "
      "article is a near duplicate", NULL },
    { WS_CFG_INT, "min_length", "100", offsetof(dedup_config_t, min_length),
      "Articles shorter than this many words are matched exactly only (short "
      "templated notices differ in a few words but are different stories)", NULL },
    { WS_CFG_INT, "window_hours", "72", offsetof(dedup_config_t, window_hours),
      "How long an article is remembered", NULL },
    { WS_CFG_STRING, "window_on", "date", offsetof(dedup_config_t, window_on),
      "Clock of the window: the article date (the newest date seen so far for "
      "articles without a parsable one) or the ingest time", "date|ingest" },
    { WS_CFG_INT, "max_entries", "1000000", offsetof(dedup_config_t, max_entries),
      "Most articles remembered; the oldest are evicted first (at most 16777215)", NULL },
    { WS_CFG_INT, "shingle", "5", offsetof(dedup_config_t, shingle),
      "Words per shingle (1-16)", NULL },
    { WS_CFG_INT, "sketch_size", "96", offsetof(dedup_config_t, sketch_size),
      "MinHash signature size in bytes per article (one byte per bin, 8-256)", NULL },
    { WS_CFG_INT, "bands", "6", offsetof(dedup_config_t, bands),
      "LSH bands indexed per article (bands * rows <= sketch_size)", NULL },
    { WS_CFG_INT, "rows", "3", offsetof(dedup_config_t, rows),
      "Signature bytes per LSH band (1-8)", NULL },
    { WS_CFG_BOOL, "tombstones", "true", offsetof(dedup_config_t, tombstones),
      "Write a tombstone to the state topic for each article evicted", NULL },
    { WS_CFG_BOOL, "figures_must_match", "true", offsetof(dedup_config_t, figures_must_match),
      "A near duplicate must not contradict its original's figures: when each text has a "
      "number the other lacks (21 vs 23 cents, another date), they are different stories "
      "(templated reports and notices).  Exact duplicates are unaffected", NULL },
    { 0 }
};

typedef struct {
    int drop;
    int on_date;
    int tombstones;
    int figures;
    int has_state;
    double threshold;
    unsigned min_words;
    unsigned shingle;
    unsigned k;
    uint32_t window_s;
    int64_t clock;               /* newest timestamp seen, seconds */
    ws_dd_store_t *store;
    pthread_mutex_t lock;        /* on_state comes from the state reader thread */
} dedup_t;

enum { ST_UNIQUE, ST_DUPLICATE, ST_NEAR, ST_UPDATE };
static const char *const status_name[] = { "unique", "duplicate", "near_duplicate", "update" };

static void *dedup_create(const void *config, const ws_create_info_t *info,
                          char *err, size_t errlen) {
    const dedup_config_t *c = config;
    dedup_t *d;
    ws_dd_params_t p;

    if (!(c->threshold > 0 && c->threshold <= 1)) {
        snprintf(err, errlen, "threshold must be in (0, 1], got %g", c->threshold);
        return NULL;
    }
    if (c->min_length < 0 || c->min_length > 1000000) {
        snprintf(err, errlen, "min_length must be between 0 and 1000000 words");
        return NULL;
    }
    if (c->window_hours < 1 || c->window_hours > 24 * 365 * 10) {
        snprintf(err, errlen, "window_hours must be between 1 and 87600");
        return NULL;
    }
    if (c->shingle < 1 || c->shingle > WS_DD_MAX_SHINGLE) {
        snprintf(err, errlen, "shingle must be between 1 and %d", WS_DD_MAX_SHINGLE);
        return NULL;
    }
    if (c->sketch_size < 8 || c->sketch_size > WS_DD_MAX_K || c->bands < 1 ||
        c->rows < 1 || c->max_entries < 1 || c->max_entries >= WS_DD_MAX_ENTRIES) {
        snprintf(err, errlen, "sketch_size must be 8-%d, bands and rows at least 1, "
                 "max_entries 1-%u", WS_DD_MAX_K, WS_DD_MAX_ENTRIES - 1);
        return NULL;
    }
    d = calloc(1, sizeof(*d));
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    d->drop = !c->action || strcmp(c->action, "flag") != 0;
    d->on_date = !c->window_on || strcmp(c->window_on, "ingest") != 0;
    d->tombstones = c->tombstones;
    d->figures = c->figures_must_match;
    d->has_state = info ? info->has_state : 0;
    d->threshold = c->threshold;
    d->min_words = (unsigned)c->min_length;
    d->shingle = (unsigned)c->shingle;
    d->k = (unsigned)c->sketch_size;
    d->window_s = (uint32_t)(c->window_hours * 3600);
    p.k = d->k;
    p.bands = (unsigned)c->bands;
    p.rows = (unsigned)c->rows;
    p.max_entries = (uint32_t)c->max_entries;
    if (ws_dd_store_new(&p, &d->store, err, errlen)) {
        free(d);
        return NULL;
    }
    pthread_mutex_init(&d->lock, NULL);
    return d;
}

static void dedup_destroy(void *inst) {
    dedup_t *d = inst;
    if (!d) return;
    ws_dd_store_free(d->store);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

static void put_tombstone(void *ctx, const char *id, size_t len) {
    ws_record_state_put(ctx, id, len, NULL, 0);
}

/* The record's time in seconds: its date (window_on=date) or ingest time. */
static int64_t record_time(dedup_t *d, const ws_record_t *rec) {
    int64_t ingest_ms = ws_record_ingest_ms(rec);
    int64_t ingest = ingest_ms > 0 ? ingest_ms / 1000 : (int64_t)time(NULL);
    if (d->on_date) {
        size_t n;
        const char *s = ws_record_field(rec, WS_FIELD_DATE, &n);
        int64_t t = s ? ws_dd_parse_date(s, n) : WS_DD_NO_DATE;
        if (t == WS_DD_NO_DATE) return d->clock > 0 ? d->clock : ingest;
        return t > ingest + FUTURE_SLACK_S ? ingest : t;
    }
    return ingest;
}

static uint32_t clamp_ts(int64_t t) {
    return t < 0 ? 0 : t > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

static uint32_t cutoff_of(const dedup_t *d) {
    return d->clock > (int64_t)d->window_s ? clamp_ts(d->clock - d->window_s) : 0;
}

static void put_fingerprint(dedup_t *d, ws_record_t *rec, const char *id, size_t idlen,
                            uint64_t exact, uint64_t figures, uint32_t ts, const uint8_t *sig,
                            unsigned flags) {
    uint8_t buf[WS_DD_FP_HEADER + WS_DD_MAX_K];
    ws_dd_fp_t fp = { flags, d->shingle, d->k, ts, exact, sig, figures };
    size_t n = ws_dd_fp_encode(&fp, buf, sizeof(buf));
    if (n && d->has_state) ws_record_state_put(rec, id, idlen, buf, n);
}

/* Advances the clock to the record's time and evicts up to `batch`
 * expired entries; *ts and *cutoff receive the record's timestamp and the
 * window's lower end.  Called with the lock held. */
static void advance(dedup_t *d, ws_record_t *rec, size_t batch, uint32_t *ts, uint32_t *cutoff) {
    int64_t now = record_time(d, rec);
    if (now > d->clock) d->clock = now;
    *ts = clamp_ts(now);
    *cutoff = cutoff_of(d);
    ws_dd_store_expire(d->store, *cutoff, batch,
                       d->tombstones && d->has_state ? put_tombstone : NULL, rec);
}

static ws_result_t dedup_process(void *inst, ws_record_t *rec, char *reason, size_t reasonlen) {
    dedup_t *d = inst;
    size_t idlen = 0, blen = 0;
    const char *id = ws_record_field(rec, WS_FIELD_ID, &idlen);
    const char *body = ws_record_field(rec, WS_FIELD_BODY, &blen);
    ws_dd_scanner_t sc;
    ws_dd_sketch_t sk;
    uint8_t sig[WS_DD_MAX_K];
    ws_dd_norm_t nm;
    int status = ST_UNIQUE, has_sig = 0, resolved = 0, early = 0;
    size_t batch = EXPIRE_BATCH;
    uint32_t ts, cutoff;
    double sim = -1;
    ws_value_t *dup = NULL;

    if (!body) body = "", blen = 0;
    if (!id) id = "", idlen = 0;
    /* Sketch only bodies that can reach min_length words (a word and its
     * separator take at least two bytes). */
    int want_sig = blen / 2 + 1 >= d->min_words;
    if (want_sig) ws_dd_sketch_init(&sk, d->k);
    ws_dd_scan_words(&sc, body, blen, d->shingle, &nm, want_sig ? &sk : NULL);
    want_sig = want_sig && nm.words >= d->min_words && nm.words > 0;

    if (want_sig) {
        /* An exact copy under a new id (a re-transmission, the common
         * duplicate) is decided before the sketch is finished, which it
         * does not need.  Anything else (a known id, no exact match) is
         * decided below, from scratch, in a second locked pass: the same
         * steps in the same order as if this pass had not happened. */
        pthread_mutex_lock(&d->lock);
        ws_dd_store_prefetch(d->store, id, idlen, nm.exact, NULL);
        advance(d, rec, batch, &ts, &cutoff);
        batch = 0;
        if (idlen == 0 || ws_dd_store_find_id(d->store, id, idlen) < 0) {
            int64_t r = ws_dd_store_find_exact(d->store, nm.exact, cutoff);
            if (r >= 0) {
                size_t n;
                const char *other = ws_dd_store_id(d->store, (uint32_t)r, &n);
                status = ST_DUPLICATE;
                sim = 1.0;
                early = 1;
                dup = ws_value_string(other, n);
            }
        }
        pthread_mutex_unlock(&d->lock);
        if (!early) {
            ws_dd_scan_sketch(&sc);
            has_sig = ws_dd_sketch_finish(&sk, sig) == 0;
        }
    }
    if (early) goto annotate;

    pthread_mutex_lock(&d->lock);
    ws_dd_store_prefetch(d->store, id, idlen, nm.exact, has_sig ? sig : NULL);
    advance(d, rec, batch, &ts, &cutoff);
    if (idlen > 0) {
        int64_t r = ws_dd_store_find_id(d->store, id, idlen);
        if (r >= 0 && ws_dd_store_entry(d->store, (uint32_t)r)->ts < cutoff) {
            ws_dd_store_kill(d->store, (uint32_t)r);
            r = -1;
        }
        if (r >= 0) {
            const ws_dd_entry_t *e = ws_dd_store_entry(d->store, (uint32_t)r);
            resolved = 1;
            if (ws_dd_entry_exact(e) == nm.exact) {
                /* Replay: same status as before; rewrite the state so a
                 * write lost before a crash is not lost for good. */
                status = (e->flags & WS_DD_F_UPDATE) ? ST_UPDATE : ST_UNIQUE;
                put_fingerprint(d, rec, id, idlen, nm.exact, ws_dd_entry_figures(e), e->ts,
                                (e->flags & WS_DD_F_SIG) ? ws_dd_store_sig(d->store, (uint32_t)r)
                                                         : NULL,
                                e->flags);
            } else {
                /* Correction: the new body replaces the old fingerprint. */
                status = ST_UPDATE;
                ws_dd_store_kill(d->store, (uint32_t)r);
                if (ts >= cutoff) {
                    ws_dd_store_insert(d->store, id, idlen, nm.exact, nm.figures, ts,
                                       has_sig ? sig : NULL,
                                       WS_DD_F_UPDATE,
                                       d->tombstones && d->has_state ? put_tombstone : NULL, rec);
                    put_fingerprint(d, rec, id, idlen, nm.exact, nm.figures, ts,
                                    has_sig ? sig : NULL,
                                    WS_DD_F_UPDATE | (has_sig ? WS_DD_F_SIG : 0));
                }
            }
        }
    }
    if (!resolved && nm.words > 0) {
        int64_t r = ws_dd_store_find_exact(d->store, nm.exact, cutoff);
        if (r >= 0) {
            status = ST_DUPLICATE;
            sim = 1.0;
        } else if (has_sig) {
            double s = 0;
            r = ws_dd_store_find_near(d->store, sig, nm.figures, d->figures, cutoff, &s);
            if (r >= 0 && s >= d->threshold) {
                status = ST_NEAR;
                sim = s;
            } else {
                r = -1;
            }
        }
        if (r >= 0) {
            size_t n;
            const char *other = ws_dd_store_id(d->store, (uint32_t)r, &n);
            dup = ws_value_string(other, n);
        } else if (idlen > 0 && ts >= cutoff) {
            /* (An article dated before the window is not remembered.) */
            ws_dd_store_insert(d->store, id, idlen, nm.exact, nm.figures, ts,
                               has_sig ? sig : NULL, 0,
                               d->tombstones && d->has_state ? put_tombstone : NULL, rec);
            put_fingerprint(d, rec, id, idlen, nm.exact, nm.figures, ts, has_sig ? sig : NULL,
                            has_sig ? WS_DD_F_SIG : 0);
        }
    }
    pthread_mutex_unlock(&d->lock);

annotate:;   /* C11: a label cannot precede a declaration (clang refuses) */
    /* Annotation: ws_object_set and ws_record_annotate own their value
     * argument even when they fail. */
    ws_value_t *o = ws_value_object();
    if (!o) {
        ws_value_free(dup);
        goto oom;
    }
    if (ws_object_set(o, "status",
                      ws_value_string(status_name[status], strlen(status_name[status])))) {
        ws_value_free(dup);
        ws_value_free(o);
        goto oom;
    }
    if (ws_object_set(o, "duplicate_of", dup ? dup : ws_value_null()) ||
        ws_object_set(o, "similarity",
                      sim >= 0 ? ws_value_double((double)(int64_t)(sim * 10000 + 0.5) / 10000)
                               : ws_value_null())) {
        ws_value_free(o);
        goto oom;
    }
    if (ws_record_annotate(rec, NULL, o)) goto oom;
    if (status == ST_DUPLICATE || status == ST_NEAR) {
        ws_record_hit(rec);
        if (d->drop) {
            /* (snprintf would cost as much as the lookups) */
            size_t n = strlen(status_name[status]);
            if (reasonlen > 0) {
                if (n >= reasonlen) n = reasonlen - 1;
                memcpy(reason, status_name[status], n);
                reason[n] = 0;
            }
            return WS_DROP;
        }
    }
    return WS_KEEP;
oom:
    snprintf(reason, reasonlen, "dedup: out of memory");
    return WS_ERROR;
}

static void dedup_on_state(void *inst, const void *key, size_t klen, const void *val,
                           size_t vlen) {
    dedup_t *d = inst;
    ws_dd_fp_t fp;

    if (!key || klen == 0) return;
    pthread_mutex_lock(&d->lock);
    int64_t r = ws_dd_store_find_id(d->store, key, klen);
    if (!val) {
        if (r >= 0) ws_dd_store_kill(d->store, (uint32_t)r);
    } else if (ws_dd_fp_decode(val, vlen, &fp) == 0) {
        /* As with article dates, a timestamp far ahead of this host's clock
         * is not trusted: one such record (a writer with a wrong clock, or
         * stray bytes that decode) would expire every instance's window,
         * and their evictions would tombstone the shared state. */
        int64_t wall = (int64_t)time(NULL);
        if ((int64_t)fp.ts > wall + FUTURE_SLACK_S) fp.ts = clamp_ts(wall);
        if ((int64_t)fp.ts > d->clock) d->clock = fp.ts;
        uint32_t cutoff = cutoff_of(d);
        const ws_dd_entry_t *e = r >= 0 ? ws_dd_store_entry(d->store, (uint32_t)r) : NULL;
        /* Our own writes come back too: an identical entry is a no-op. */
        if (fp.ts >= cutoff &&
            !(e && ws_dd_entry_exact(e) == fp.exact && e->ts == fp.ts)) {
            int compatible = fp.sig && fp.k == d->k && fp.shingle == d->shingle;
            if (r >= 0) ws_dd_store_kill(d->store, (uint32_t)r);
            ws_dd_store_insert(d->store, key, klen, fp.exact, fp.figures, fp.ts,
                               compatible ? fp.sig : NULL, fp.flags & WS_DD_F_UPDATE,
                               NULL, NULL);
        }
    }
    pthread_mutex_unlock(&d->lock);
}

const ws_processor_t ws_builtin_dedup = {
    .abi_version = WS_PROCESSOR_ABI,
    .name = "dedup",
    .description = "Drops or flags exact and near-duplicate articles (MinHash over word "
                   "shingles) within a time window; same-id replays pass, corrections "
                   "pass as updates; state survives restarts through a state topic",
    /* The store has its own lock; normalising and sketching run unlocked. */
    .flags = WS_PROCESSOR_THREAD_SAFE,
    .config = config_keys,
    .config_size = sizeof(dedup_config_t),
    .create = dedup_create,
    .process = dedup_process,
    .destroy = dedup_destroy,
    .on_state = dedup_on_state,
};
