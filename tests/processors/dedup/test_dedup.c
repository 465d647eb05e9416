/* test_dedup.c -- unit tests of the dedup processor and its modules.
 *
 * Run one case: test_dedup NAME; all: test_dedup.  Texts are generated
 * here (synthetic words from a seeded generator), never taken from data. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "wirestream_processor.h"
#include "ws_record_host.h"
#include "ws_configmap.h"
#include "dd_fp.h"
#include "dd_norm.h"
#include "dd_sketch.h"
#include "dd_store.h"
#include "dd_table.h"
#include "dd_time.h"

extern const ws_processor_t ws_builtin_dedup;

#include "dd_check.h"

/* ------------------------------------------------------------ text maker */

static uint64_t rng_state;
static uint32_t rnd(void) {
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}

/* A word from synthetic syllables: pronounceable, never from real text. */
static void word(char *out, size_t cap) {
    static const char *syl[] = { "ka", "lo", "mi", "ter", "sun", "dra", "vel", "po",
                                 "ri", "nax", "bel", "ton", "gu", "shi", "fen", "ow" };
    size_t n = 0;
    unsigned k = 1 + rnd() % 3;
    out[0] = 0;
    for (unsigned i = 0; i < k; i++) {
        const char *s = syl[rnd() % 16];
        size_t l = strlen(s);
        if (n + l + 1 >= cap) break;
        memcpy(out + n, s, l + 1);
        n += l;
    }
}

/* A text of n words (sentences of 12 words) from seed. */
static char *make_text(uint64_t seed, unsigned n) {
    size_t cap = (size_t)n * 12 + 16, len = 0;
    char *t = malloc(cap), w[32];
    rng_state = seed;
    for (unsigned i = 0; i < n; i++) {
        word(w, sizeof(w));
        if (i % 12 == 0 && w[0]) w[0] = (char)(w[0] - 32);
        len += (size_t)snprintf(t + len, cap - len, "%s%s", w,
                                i + 1 == n ? ".\n" : (i % 12 == 11 ? ". " : " "));
    }
    return t;
}

/* Replace every `every`-th word of t with a new synthetic word. */
static char *mutate(const char *t, unsigned every, uint64_t seed) {
    size_t cap = strlen(t) * 2 + 64, len = 0;
    char *o = malloc(cap), w[32];
    unsigned i = 0;
    rng_state = seed;
    const char *p = t;
    while (*p) {
        const char *q = p;
        while (*q && *q != ' ' && *q != '.' && *q != '\n') q++;
        if (q > p) {
            if (++i % every == 0) {
                word(w, sizeof(w));
                len += (size_t)snprintf(o + len, cap - len, "zz%s", w);
            } else {
                memcpy(o + len, p, (size_t)(q - p));
                len += (size_t)(q - p);
            }
        }
        p = q;
        while (*p == ' ' || *p == '.' || *p == '\n') o[len++] = *p++;
    }
    o[len] = 0;
    return o;
}

/* ------------------------------------------------------------ host glue */

typedef struct {
    void *inst;
} dd_t;

static dd_t make_dedup(const char *json_opts, int has_state) {
    dd_t d = { NULL };
    char cfg[512] = { 0 }, err[256];
    ws_configmap_store_t st;
    cJSON *o = json_opts ? cJSON_Parse(json_opts) : NULL;
    ws_configmap_store_init(&st);
    if (ws_configmap_apply(ws_builtin_dedup.config, o, NULL, NULL, cfg, &st, "test", "test",
                           err, sizeof(err))) {
        fprintf(stderr, "config: %s\n", err);
        exit(2);
    }
    ws_create_info_t info = { "dedup", ".", has_state };
    d.inst = ws_builtin_dedup.create(cfg, &info, err, sizeof(err));
    if (!d.inst) {
        fprintf(stderr, "create: %s\n", err);
        exit(2);
    }
    /* Strings are copied by create(), so the config store can go. */
    ws_configmap_store_free(&st);
    cJSON_Delete(o);
    return d;
}

static void free_dedup(dd_t *d) {
    ws_builtin_dedup.destroy(d->inst);
}

typedef struct {
    ws_result_t res;
    char reason[128];
    char status[32];
    char dup_of[128];
    double sim;
    int hit;
    size_t state_n;
    ws_record_t *rec;
} out_t;

static char *dupstr(const char *s) {
    return s ? strdup(s) : NULL;
}

/* Runs one article through the processor; the record is kept in out->rec
 * for state inspection (free with done()). */
static out_t run(dd_t *d, const char *id, const char *date, const char *body, int64_t ingest_ms) {
    out_t o;
    ws_article_t a;
    memset(&o, 0, sizeof(o));
    memset(&a, 0, sizeof(a));
    a.value[WS_FIELD_ID] = dupstr(id);
    a.len[WS_FIELD_ID] = id ? strlen(id) : 0;
    a.value[WS_FIELD_DATE] = dupstr(date);
    a.len[WS_FIELD_DATE] = date ? strlen(date) : 0;
    a.value[WS_FIELD_BODY] = dupstr(body);
    a.len[WS_FIELD_BODY] = strlen(body);
    o.rec = ws_record_new();
    ws_record_take_article(o.rec, &a);
    ws_record_set_ingest_ms(o.rec, ingest_ms);
    ws_record_set_entry(o.rec, "dedup");
    o.res = ws_builtin_dedup.process(d->inst, o.rec, o.reason, sizeof(o.reason));
    const ws_value_t *ann = ws_record_annotation(o.rec, "dedup");
    const char *s = ws_value_str(ws_object_get(ann, "status"), NULL);
    snprintf(o.status, sizeof(o.status), "%s", s ? s : "(none)");
    s = ws_value_str(ws_object_get(ann, "duplicate_of"), NULL);
    snprintf(o.dup_of, sizeof(o.dup_of), "%s", s ? s : "");
    const ws_value_t *sim = ws_object_get(ann, "similarity");
    o.sim = ws_value_type(sim) == WS_VALUE_NUMBER ? ws_value_num(sim) : -1;
    o.hit = ws_record_hit_taken(o.rec);
    o.state_n = ws_record_state_count(o.rec);
    return o;
}

static void done(out_t *o) {
    ws_record_free(o->rec);
    o->rec = NULL;
}

#define DAY_MS 86400000LL
#define T0 1760000000000LL   /* an ingest time in 2025 */

/* ------------------------------------------------------------ module tests */

static uint64_t exact_of(const char *s) {
    ws_dd_norm_t n;
    ws_dd_scan(s, strlen(s), 5, &n, NULL);
    return n.exact;
}

static void test_normalise_folds_case_space_punctuation(void) {
    uint64_t a = exact_of("The minister said: \"We will act.\"\n\nMore follows.");
    CHECK(a == exact_of("the MINISTER said \u201cwe will act\u201d --  more follows"), "case/quotes/space");
    CHECK(a == exact_of("  The minister said; We will act! More follows..."), "punctuation");
    CHECK(a != exact_of("The minister said: \"We will not act.\" More follows."), "extra word");
    CHECK(a != exact_of("The minister said: \"We act will.\" More follows."), "word order");
    CHECK(exact_of("Caf\u00e9 \u00c9LYS\u00c9E") == exact_of("cafe\u0301 elyse\u0301e"),
          "accents: precomposed and combining fold alike");
    CHECK(exact_of("\u0391\u0398\u0397\u039d\u0391") == exact_of("\u03b1\u03b8\u03b7\u03bd\u03b1"), "greek case");
    CHECK(exact_of("\u041c\u041e\u0421\u041a\u0412\u0410") == exact_of("\u043c\u043e\u0441\u043a\u0432\u0430"), "cyrillic case");
    ws_dd_norm_t n;
    const char bad[] = "abc \xff\xfe def \xe2\x82";
    ws_dd_scan(bad, sizeof(bad) - 1, 5, &n, NULL);
    CHECK(n.words == 2, "invalid UTF-8 separates, got %u words", n.words);
}

static double sketch_sim(const char *a, const char *b, unsigned k) {
    ws_dd_sketch_t s1, s2;
    ws_dd_norm_t n;
    uint8_t g1[WS_DD_MAX_K], g2[WS_DD_MAX_K];
    ws_dd_sketch_init(&s1, k);
    ws_dd_sketch_init(&s2, k);
    ws_dd_scan(a, strlen(a), 5, &n, &s1);
    ws_dd_scan(b, strlen(b), 5, &n, &s2);
    if (ws_dd_sketch_finish(&s1, g1) || ws_dd_sketch_finish(&s2, g2)) return -1;
    return ws_dd_sketch_similarity(g1, g2, k);
}

static void test_sketch_estimates_jaccard(void) {
    char *a = make_text(1, 400), *b = make_text(2, 400);
    char *m = mutate(a, 60, 7);     /* ~7 words changed: J about 0.84 */
    char *far = mutate(a, 6, 8);    /* every 6th word: J about 0.2 */
    CHECK(sketch_sim(a, a, 96) == 1.0, "identical");
    CHECK(sketch_sim(a, b, 96) < 0.1, "unrelated %.3f", sketch_sim(a, b, 96));
    double s = sketch_sim(a, m, 96);
    CHECK(s > 0.7 && s < 0.98, "near %.3f", s);
    CHECK(sketch_sim(a, far, 96) < 0.4, "far %.3f", sketch_sim(a, far, 96));
    /* Short bodies get densified signatures and still compare equal. */
    CHECK(sketch_sim("one two three", "One, two; three!", 96) == 1.0, "short identical");
    free(a); free(b); free(m); free(far);
}

static uint64_t table_keys[4096];
static uint64_t table_rehash(void *ctx, uint32_t ref) {
    (void)ctx;
    return table_keys[ref];
}

static void test_table_churn_matches_reference(void) {
    ws_dd_table_t t;
    int present[4096] = { 0 };
    CHECK(ws_dd_table_init(&t, 4, table_rehash, NULL) == 0, "init");
    rng_state = 42;
    for (uint32_t i = 0; i < 4096; i++)   /* few distinct keys: long runs */
        table_keys[i] = ((uint64_t)(rnd() % 64) << 40) * 0x9E3779B97F4A7C15ULL;
    for (int step = 0; step < 40000; step++) {
        uint32_t r = rnd() % 4096;
        if (present[r]) {
            CHECK(ws_dd_table_remove(&t, table_keys[r], r) == 1, "remove %u", r);
            present[r] = 0;
        } else {
            CHECK(ws_dd_table_insert(&t, table_keys[r], r) == 0, "insert");
            present[r] = 1;
        }
        if (step % 997 == 0) {
            for (uint32_t q = 0; q < 4096; q++) {
                ws_dd_iter_t it;
                int found = 0;
                for (int64_t x = ws_dd_table_first(&t, table_keys[q], &it); x >= 0;
                     x = ws_dd_table_next(&t, &it))
                    if ((uint32_t)x == q) found = 1;
                if (found != present[q]) {
                    CHECK(found == present[q], "ref %u found=%d present=%d", q, found, present[q]);
                    step = 40000;
                    break;
                }
            }
        }
    }
    ws_dd_table_free(&t);
}

static void test_store_evicts_oldest_by_count_and_time(void) {
    ws_dd_store_t *s;
    char err[128], id[32];
    ws_dd_params_t p = { 16, 4, 2, 1000 };
    uint8_t sig[16] = { 0 };
    CHECK(ws_dd_store_new(&p, &s, err, sizeof(err)) == 0, "%s", err);
    for (unsigned i = 0; i < 3000; i++) {
        snprintf(id, sizeof(id), "article-%u-with-a-longish-id", i);
        sig[0] = (uint8_t)i;
        CHECK(ws_dd_store_insert(s, id, strlen(id), 1000 + i, 0, i, sig, 0, NULL, NULL) >= 0, "insert");
    }
    CHECK(ws_dd_store_count(s) == 1000, "count %zu", ws_dd_store_count(s));
    CHECK(ws_dd_store_find_id(s, "article-1999-with-a-longish-id", 30) < 0, "old evicted");
    int64_t r = ws_dd_store_find_id(s, "article-2000-with-a-longish-id", 30);
    CHECK(r >= 0, "oldest kept");
    CHECK(ws_dd_store_find_exact(s, 1000 + 2999, 0) >= 0, "exact");
    size_t n;
    const char *got = r >= 0 ? ws_dd_store_id(s, (uint32_t)r, &n) : "";
    CHECK(r >= 0 && n == 30 && !memcmp(got, "article-2000-with-a-longish-id", 30), "id bytes");
    CHECK(ws_dd_store_expire(s, 2500, 10000, NULL, NULL) == 500, "expire by time");
    CHECK(ws_dd_store_count(s) == 500, "count after expire %zu", ws_dd_store_count(s));
    CHECK(ws_dd_store_find_exact(s, 1000 + 2499, 0) < 0, "expired gone");
    ws_dd_store_kill(s, (uint32_t)ws_dd_store_find_id(s, "article-2600-with-a-longish-id", 30));
    CHECK(ws_dd_store_find_id(s, "article-2600-with-a-longish-id", 30) < 0, "killed");
    CHECK(ws_dd_store_count(s) == 499, "count after kill");
    ws_dd_store_free(s);
}

static void test_dates_parse(void) {
    CHECK(ws_dd_parse_date("2025-10-30", 10) == 1761782400, "iso date");
    CHECK(ws_dd_parse_date("2025-10-30T12:00:00Z", 20) == 1761782400 + 43200, "iso Z");
    const char *s = "2025-10-30T14:00:00+02:00";
    CHECK(ws_dd_parse_date(s, strlen(s)) == 1761782400 + 43200, "iso offset");
    s = "Thu, 30 Oct 2025 12:00:00 GMT";
    CHECK(ws_dd_parse_date(s, strlen(s)) == 1761782400 + 43200, "rfc2822");
    s = "30 Oct 2025 07:00:00 -0500";
    CHECK(ws_dd_parse_date(s, strlen(s)) == 1761782400 + 43200, "rfc2822 zone");
    CHECK(ws_dd_parse_date("1761782400", 10) == 1761782400, "epoch");
    CHECK(ws_dd_parse_date("1761782400000", 13) == 1761782400, "epoch ms");
    CHECK(ws_dd_parse_date("yesterday", 9) == WS_DD_NO_DATE, "junk");
    CHECK(ws_dd_parse_date("2025-13-01", 10) == WS_DD_NO_DATE, "bad month");
}

static void test_fingerprint_round_trip(void) {
    uint8_t sig[96], buf[200];
    for (int i = 0; i < 96; i++) sig[i] = (uint8_t)(i * 7);
    ws_dd_fp_t in = { WS_DD_F_UPDATE | WS_DD_F_SIG, 5, 96, 1761782400u, 0x0123456789ABCDEFULL, sig,
                      0x8000000000000001ULL }, out;
    size_t n = ws_dd_fp_encode(&in, buf, sizeof(buf));
    CHECK(n == 24 + 96, "length %zu", n);
    CHECK(ws_dd_fp_decode(buf, n, &out) == 0, "decode");
    CHECK(out.flags == in.flags && out.shingle == 5 && out.k == 96 && out.ts == in.ts &&
          out.exact == in.exact && out.figures == in.figures && out.sig &&
          !memcmp(out.sig, sig, 96), "fields");
    CHECK(ws_dd_fp_decode(buf, n - 1, &out) < 0, "truncated refused");
    buf[0] = 99;
    CHECK(ws_dd_fp_decode(buf, n, &out) < 0, "version refused");
}

/* ------------------------------------------------------------ processor tests */

static void test_exact_duplicate_dropped_with_reason(void) {
    dd_t d = make_dedup(NULL, 0);
    char *t = make_text(11, 300);
    char *t2 = strdup(t);
    for (char *p = t2; *p; p++) if (*p >= 'a' && *p <= 'z' && (p - t2) % 5 == 0) *p = (char)(*p - 32);
    out_t a = run(&d, "wire-1", NULL, t, T0);
    out_t b = run(&d, "wire-2", NULL, t2, T0 + 1000);
    CHECK(a.res == WS_KEEP && !strcmp(a.status, "unique") && a.dup_of[0] == 0 && !a.hit, "first unique: %s", a.status);
    CHECK(b.res == WS_DROP && !strcmp(b.reason, "duplicate"), "second dropped: %d %s", b.res, b.reason);
    CHECK(!strcmp(b.status, "duplicate") && !strcmp(b.dup_of, "wire-1") && b.sim == 1.0 && b.hit,
          "annotation %s %s %f", b.status, b.dup_of, b.sim);
    /* A short exact duplicate is still a duplicate. */
    out_t c = run(&d, "wire-3", NULL, "Markets closed early.", T0 + 2000);
    out_t e = run(&d, "wire-4", NULL, "MARKETS  closed early!", T0 + 3000);
    CHECK(c.res == WS_KEEP && e.res == WS_DROP && !strcmp(e.dup_of, "wire-3"), "short exact");
    done(&a); done(&b); done(&c); done(&e);
    free(t); free(t2);
    free_dedup(&d);
}

static void test_near_duplicate_flagged(void) {
    dd_t d = make_dedup("{\"action\":\"flag\"}", 0);
    char *t = make_text(21, 500);
    char *m = mutate(t, 100, 3);     /* 5 words changed */
    out_t a = run(&d, "story-a", NULL, t, T0);
    out_t b = run(&d, "story-b", NULL, m, T0 + 1000);
    CHECK(a.res == WS_KEEP && !strcmp(a.status, "unique"), "first");
    CHECK(b.res == WS_KEEP && !strcmp(b.status, "near_duplicate") && !strcmp(b.dup_of, "story-a") &&
          b.sim >= 0.8 && b.sim < 1.0 && b.hit, "near: %s %s %.3f", b.status, b.dup_of, b.sim);
    done(&a); done(&b);
    free(t); free(m);
    free_dedup(&d);
}

static void test_below_threshold_is_unique(void) {
    dd_t d = make_dedup(NULL, 0);
    char *t = make_text(31, 500);
    char *m = mutate(t, 8, 4);       /* every 8th word: J well below 0.8 */
    out_t a = run(&d, "s1", NULL, t, T0);
    out_t b = run(&d, "s2", NULL, m, T0 + 1000);
    CHECK(b.res == WS_KEEP && !strcmp(b.status, "unique") && !b.hit, "below threshold: %s", b.status);
    /* Raising the threshold turns a near duplicate into a unique story. */
    dd_t strict = make_dedup("{\"threshold\":0.99}", 0);
    char *m2 = mutate(t, 60, 5);
    out_t c = run(&strict, "s1", NULL, t, T0);
    out_t e = run(&strict, "s3", NULL, m2, T0 + 1000);
    CHECK(e.res == WS_KEEP && !strcmp(e.status, "unique"), "strict threshold: %s", e.status);
    done(&a); done(&b); done(&c); done(&e);
    free(t); free(m); free(m2);
    free_dedup(&d);
    free_dedup(&strict);
}

static void test_same_id_replay_passes_and_correction_updates(void) {
    dd_t d = make_dedup(NULL, 1);
    char *t = make_text(41, 300);
    char *fix = mutate(t, 150, 9);
    out_t a = run(&d, "id-7", NULL, t, T0);
    out_t r = run(&d, "id-7", NULL, t, T0 + 5000);       /* replay after a crash */
    CHECK(r.res == WS_KEEP && !strcmp(r.status, "unique") && !r.hit, "replay passes: %s", r.status);
    CHECK(r.state_n == 1, "replay rewrites its state (%zu)", r.state_n);
    out_t c = run(&d, "id-7", NULL, fix, T0 + 9000);     /* correction */
    CHECK(c.res == WS_KEEP && !strcmp(c.status, "update") && !c.hit, "correction: %s", c.status);
    out_t c2 = run(&d, "id-7", NULL, fix, T0 + 9500);    /* replay of the correction */
    CHECK(c2.res == WS_KEEP && !strcmp(c2.status, "update"), "replayed correction: %s", c2.status);
    /* The correction replaced the fingerprint: the old body under a new id
     * is now only a near duplicate of id-7, the new body an exact one. */
    out_t x = run(&d, "id-8", NULL, fix, T0 + 10000);
    CHECK(x.res == WS_DROP && !strcmp(x.status, "duplicate") && !strcmp(x.dup_of, "id-7"), "exact of corrected");
    out_t y = run(&d, "id-9", NULL, t, T0 + 11000);
    CHECK(y.res == WS_DROP && !strcmp(y.status, "near_duplicate"), "old body: %s", y.status);
    done(&a); done(&r); done(&c); done(&c2); done(&x); done(&y);
    free(t); free(fix);
    free_dedup(&d);
}

static void test_window_evicts_old_articles(void) {
    dd_t d = make_dedup("{\"window_hours\":72}", 1);
    char *t = make_text(51, 300);
    out_t a = run(&d, "w1", "2025-10-01T08:00:00Z", t, T0);
    out_t b = run(&d, "w2", "2025-10-03T08:00:00Z", t, T0);     /* 48 h later */
    CHECK(b.res == WS_DROP, "inside the window: %s", b.status);
    out_t f = run(&d, "filler", "2025-10-05T09:00:00Z", "Unrelated short note.", T0);
    CHECK(f.state_n >= 2, "tombstone for the evicted article (%zu writes)", f.state_n);
    int tomb = 0;
    for (size_t i = 0; i < f.state_n; i++) {
        const ws_state_write_t *w = ws_record_state_at(f.rec, i);
        if (!w->val && w->klen == 2 && !memcmp(w->key, "w1", 2)) tomb = 1;
    }
    CHECK(tomb, "tombstone keyed w1");
    out_t c = run(&d, "w3", "2025-10-05T09:00:00Z", t, T0);     /* 97 h after w1 */
    CHECK(c.res == WS_KEEP && !strcmp(c.status, "unique"), "outside the window: %s", c.status);
    done(&a); done(&b); done(&f); done(&c);
    /* Ingest-time window. */
    dd_t g = make_dedup("{\"window_on\":\"ingest\",\"window_hours\":1}", 0);
    out_t g1 = run(&g, "i1", "2001-01-01", t, T0);
    out_t g2 = run(&g, "i2", "2001-01-01", t, T0 + 30 * 60000);
    out_t g3 = run(&g, "i3", "2001-01-01", t, T0 + 3 * 3600000LL);
    CHECK(g2.res == WS_DROP && g3.res == WS_KEEP, "ingest window: %s %s", g2.status, g3.status);
    done(&g1); done(&g2); done(&g3);
    free(t);
    free_dedup(&d);
    free_dedup(&g);
}

static void test_short_articles_match_exactly_only(void) {
    dd_t d = make_dedup(NULL, 0);
    /* Templated notices: alike in words, different stories. */
    const char *n1 = "The board of Kestrel Holdings declared a quarterly dividend of 21 cents per "
                     "share, payable on 14 March to shareholders of record on 28 February. The "
                     "company has paid a dividend every quarter since it listed.";
    const char *n2 = "The board of Kestrel Holdings declared a quarterly dividend of 23 cents per "
                     "share, payable on 14 June to shareholders of record on 28 May. The "
                     "company has paid a dividend every quarter since it listed.";
    out_t a = run(&d, "n1", NULL, n1, T0);
    out_t b = run(&d, "n2", NULL, n2, T0 + 1000);
    CHECK(b.res == WS_KEEP && !strcmp(b.status, "unique"), "short templated: %s", b.status);
    /* With min_length lowered (and shorter shingles) the same pair is
     * compared by similarity and counts as near. */
    dd_t loose = make_dedup("{\"min_length\":10,\"shingle\":3,\"threshold\":0.3,"
                            "\"figures_must_match\":false,\"action\":\"flag\"}", 0);
    out_t c = run(&loose, "n1", NULL, n1, T0);
    out_t e = run(&loose, "n2", NULL, n2, T0 + 1000);
    CHECK(!strcmp(e.status, "near_duplicate"), "with a low min_length: %s", e.status);
    done(&a); done(&b); done(&c); done(&e);
    free_dedup(&d);
    free_dedup(&loose);
}

/* A long templated report: the same 300 words of boilerplate around five
 * figures.  Two days' reports are different stories (their figures
 * contradict); a re-send that only drops a figure is a near duplicate. */
static char *report(const char *const fig[5]) {
    char *base = make_text(77, 300), *out = malloc(strlen(base) + 200);
    size_t o = 0;
    unsigned w = 0;
    for (const char *p = base; *p; p++) {
        out[o++] = *p;
        if (*p == ' ' && ++w % 60 == 30 && w / 60 < 5)
            o += (size_t)sprintf(out + o, "%s ", fig[w / 60]);
    }
    out[o] = 0;
    free(base);
    return out;
}

static void test_templated_reports_with_other_figures_are_unique(void) {
    const char *monday[5] = { "7512", "0.5%", "38", "2025-10-27", "1.2bn" };
    const char *tuesday[5] = { "7498", "0.2%", "41", "2025-10-28", "1.2bn" };
    const char *resent[5] = { "7512", "0.5%", "38", "2025-10-27", "" };
    char *a = report(monday), *b = report(tuesday), *c = report(resent);
    dd_t d = make_dedup("{\"action\":\"flag\"}", 0);
    out_t x = run(&d, "mon", NULL, a, T0);
    out_t y = run(&d, "tue", NULL, b, T0 + 1000);
    CHECK(!strcmp(y.status, "unique"), "other figures: %s (%.3f)", y.status, y.sim);
    out_t z = run(&d, "mon-resent", NULL, c, T0 + 2000);
    CHECK(!strcmp(z.status, "near_duplicate") && !strcmp(z.dup_of, "mon"), "re-send: %s %s",
          z.status, z.dup_of);
    /* Without the rule, the boilerplate makes them near duplicates. */
    dd_t off = make_dedup("{\"action\":\"flag\",\"figures_must_match\":false}", 0);
    out_t p = run(&off, "mon", NULL, a, T0);
    out_t q = run(&off, "tue", NULL, b, T0 + 1000);
    CHECK(!strcmp(q.status, "near_duplicate"), "rule off: %s", q.status);
    done(&x); done(&y); done(&z); done(&p); done(&q);
    free(a); free(b); free(c);
    free_dedup(&d);
    free_dedup(&off);
}

static void test_state_round_trip_between_instances(void) {
    dd_t a = make_dedup(NULL, 1);
    dd_t b = make_dedup(NULL, 1);
    char *t = make_text(61, 400), *m = mutate(t, 120, 2);
    out_t x = run(&a, "alpha", "2025-10-01T08:00:00Z", t, T0);
    CHECK(x.state_n == 1, "one state write (%zu)", x.state_n);
    const ws_state_write_t *w = ws_record_state_at(x.rec, 0);
    CHECK(w && w->val && w->klen == 5 && !memcmp(w->key, "alpha", 5) && w->vlen == 24 + 96,
          "fingerprint keyed by id");
    /* Instance b loads it (and a gets its own echo: a no-op). */
    ws_builtin_dedup.on_state(b.inst, w->key, w->klen, w->val, w->vlen);
    ws_builtin_dedup.on_state(a.inst, w->key, w->klen, w->val, w->vlen);
    out_t y = run(&b, "beta", "2025-10-01T09:00:00Z", m, T0);
    CHECK(y.res == WS_DROP && !strcmp(y.status, "near_duplicate") && !strcmp(y.dup_of, "alpha"),
          "b sees a's article: %s %s", y.status, y.dup_of);
    out_t z = run(&b, "alpha", "2025-10-01T08:00:00Z", t, T0);
    CHECK(z.res == WS_KEEP && !strcmp(z.status, "unique"), "replay on b passes: %s", z.status);
    out_t e = run(&a, "alpha", "2025-10-01T08:00:00Z", t, T0);
    CHECK(e.res == WS_KEEP && !strcmp(e.status, "unique"), "echo kept a's entry: %s", e.status);
    /* A tombstone removes it. */
    ws_builtin_dedup.on_state(b.inst, "alpha", 5, NULL, 0);
    out_t g = run(&b, "gamma", "2025-10-01T10:00:00Z", t, T0);
    CHECK(g.res == WS_KEEP && !strcmp(g.status, "unique"), "after tombstone: %s", g.status);
    /* Garbage values are ignored. */
    ws_builtin_dedup.on_state(b.inst, "junk", 4, "xyz", 3);
    done(&x); done(&y); done(&z); done(&e); done(&g);
    free(t); free(m);
    free_dedup(&a);
    free_dedup(&b);
}

static void test_bad_config_is_refused(void) {
    char cfg[512] = { 0 }, err[256];
    ws_configmap_store_t st;
    cJSON *o = cJSON_Parse("{\"threshold\": 1.5}");
    ws_configmap_store_init(&st);
    CHECK(ws_configmap_apply(ws_builtin_dedup.config, o, NULL, NULL, cfg, &st, "t", "t", err,
                             sizeof(err)) == 0, "table accepts a double");
    ws_create_info_t info = { "dedup", ".", 0 };
    CHECK(ws_builtin_dedup.create(cfg, &info, err, sizeof(err)) == NULL && strstr(err, "threshold"),
          "threshold out of range: %s", err);
    cJSON_Delete(o);
    ws_configmap_store_free(&st);
    o = cJSON_Parse("{\"action\": \"delete\"}");
    ws_configmap_store_init(&st);
    CHECK(ws_configmap_apply(ws_builtin_dedup.config, o, NULL, NULL, cfg, &st, "t", "t", err,
                             sizeof(err)) != 0, "bad action refused");
    cJSON_Delete(o);
    ws_configmap_store_free(&st);
}

/* Random churn: ids reused (replays, corrections), bodies long, short and
 * binary, state echoed back, tombstones, a tiny max_entries and window so
 * the rings wrap and grow.  Checks invariants; ASan/UBSan check memory. */
static void test_random_churn_keeps_invariants(void) {
    dd_t d = make_dedup("{\"max_entries\":64,\"window_hours\":1,\"action\":\"flag\","
                        "\"min_length\":20,\"sketch_size\":32,\"bands\":8,\"rows\":4}", 1);
    char *texts[40];
    uint64_t seed = 99;
    for (int i = 0; i < 40; i++) {
        if (i % 4 == 3) {           /* binary junk, including NULs */
            size_t n = 50 + (size_t)i * 13;
            texts[i] = malloc(n + 1);
            rng_state = (uint64_t)i;
            for (size_t j = 0; j < n; j++) texts[i][j] = (char)(rnd() & 0xFF);
            texts[i][n] = 0;
        } else {
            texts[i] = make_text((uint64_t)i / 2, 10 + (unsigned)i * 7);
        }
    }
    char id[2100];
    int64_t now = T0;
    for (int step = 0; step < 6000; step++) {
        rng_state = seed;
        unsigned which = rnd() % 40, idn = rnd() % 200, idlen = 1 + rnd() % 60;
        if (rnd() % 50 == 0) idlen = 1000 + rnd() % 1000;   /* long ids wrap the id ring */
        seed = rng_state;
        memset(id, 'a' + (int)(idn % 26), idlen);
        snprintf(id, 12, "%u-", idn);
        id[strlen(id)] = 'x';
        id[idlen] = 0;
        now += 1000 * (int64_t)(rnd() % 120);
        out_t o = run(&d, id, NULL, texts[which], now);
        CHECK(o.res == WS_KEEP, "flag mode keeps everything (%s)", o.reason);
        /* Echo the state writes back, sometimes twice. */
        for (size_t i = 0; i < o.state_n; i++) {
            const ws_state_write_t *w = ws_record_state_at(o.rec, i);
            ws_builtin_dedup.on_state(d.inst, w->key, w->klen, w->val, w->vlen);
            if (rnd() % 3 == 0)
                ws_builtin_dedup.on_state(d.inst, w->key, w->klen, w->val, w->vlen);
        }
        /* A replay right away is never a duplicate of something else. */
        if (!strcmp(o.status, "unique") && step % 7 == 0) {
            out_t r = run(&d, id, NULL, texts[which], now);
            CHECK(!strcmp(r.status, "unique") || !strcmp(r.status, "update"),
                  "replay at step %d: %s", step, r.status);
            done(&r);
        }
        if (rnd() % 17 == 0) ws_builtin_dedup.on_state(d.inst, id, strlen(id), NULL, 0);
        done(&o);
        if (failures > 20) break;
    }
    for (int i = 0; i < 40; i++) free(texts[i]);
    free_dedup(&d);
}

static const test_t tests[] = {
    { "normalise", test_normalise_folds_case_space_punctuation },
    { "sketch", test_sketch_estimates_jaccard },
    { "table", test_table_churn_matches_reference },
    { "store", test_store_evicts_oldest_by_count_and_time },
    { "dates", test_dates_parse },
    { "fingerprint", test_fingerprint_round_trip },
    { "exact", test_exact_duplicate_dropped_with_reason },
    { "near", test_near_duplicate_flagged },
    { "below_threshold", test_below_threshold_is_unique },
    { "replay_correction", test_same_id_replay_passes_and_correction_updates },
    { "window", test_window_evicts_old_articles },
    { "short_rule", test_short_articles_match_exactly_only },
    { "templated_figures", test_templated_reports_with_other_figures_are_unique },
    { "state_round_trip", test_state_round_trip_between_instances },
    { "config", test_bad_config_is_refused },
    { "churn", test_random_churn_keeps_invariants },
};

int main(int argc, char **argv) {
    return dd_run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
