/* bench_dedup.c -- the dedup processor alone: speed on the BBC corpus and
 * memory per remembered article.
 *
 *   build-bench/bench/bench_dedup [--data FILE] [--rounds N] [--articles N]
 *                                 [--only replay|scan|unique|memory]...
 *                                 [--set key=value]...
 *
 * 1. replay: the corpus N times with fresh ids (round 1 is unique, later
 *    rounds are exact duplicates of it, since only the ids change).
 * 2. unique: the corpus N times, each round's letters put through its own
 *    substitution cipher, so every article is new (insert path, state
 *    write) with the corpus's own lengths and word structure.
 * 3. memory: --articles unique articles (default 1,000,000) with ~30-byte
 *    ids; RSS growth divided by the articles remembered.
 * Times are this thread's CPU time around process() calls only; records
 * are built beforehand.  --only runs the named parts alone, e.g. under
 *   valgrind --tool=callgrind --toggle-collect=dedup_process
 * to count the instructions per article of one part.  The entry has a state topic (has_state = 1), so
 * every unique article also writes its fingerprint, as in Kafka mode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "wirestream_processor.h"
#include "bench_util.h"
#include "ws_record_host.h"
#include "dedup/dd_norm.h"

extern const ws_processor_t ws_builtin_dedup;

typedef struct {
    char *id;
    char *body;
    size_t blen;
} art_t;

static long rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (!f) return -1;
    while (fgets(line, sizeof(line), f))
        if (!strncmp(line, "VmRSS:", 6)) kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

static art_t *load(const char *path, size_t *n) {
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, len = 0, acap = 0;
    ssize_t got;
    art_t *a = NULL;
    if (!f) return NULL;
    while ((got = getline(&line, &cap, f)) > 0) {
        cJSON *j = cJSON_Parse(line);
        const cJSON *id = cJSON_GetObjectItem(j, "id"), *body = cJSON_GetObjectItem(j, "body");
        if (cJSON_IsString(id) && cJSON_IsString(body)) {
            if (len == acap) {
                acap = acap ? acap * 2 : 4096;
                a = realloc(a, acap * sizeof(*a));
            }
            a[len].id = strdup(id->valuestring);
            a[len].body = strdup(body->valuestring);
            a[len].blen = strlen(body->valuestring);
            len++;
        }
        cJSON_Delete(j);
    }
    free(line);
    fclose(f);
    *n = len;
    return a;
}

/* The body with its letters put through a substitution cipher chosen by
 * round: the same length and word structure, but every word (and so every
 * shingle) differs from other rounds, so each round is a new article. */
static char *ciphered(const char *b, size_t n, int round) {
    char map[26];
    uint64_t x = 0x9E3779B97F4A7C15ULL * (uint64_t)(round + 1);
    char *s = malloc(n + 1);
    for (int i = 0; i < 26; i++) map[i] = (char)i;
    for (int i = 25; i > 0; i--) {
        x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
        int j = (int)((x * 0x2545F4914F6CDD1DULL) >> 33) % (i + 1);
        char t = map[i]; map[i] = map[j]; map[j] = t;
    }
    for (size_t i = 0; i < n; i++) {
        char c = b[i];
        if (c >= 'a' && c <= 'z') c = (char)('a' + map[c - 'a']);
        else if (c >= 'A' && c <= 'Z') c = (char)('A' + map[c - 'A']);
        s[i] = c;
    }
    s[n] = 0;
    return s;
}

/* The bench's dedup instance; it has a state topic, as in Kafka mode. */
static void *make(const char *const *sets, size_t nsets) {
    static char cfg[1024];
    char err[512];
    ws_create_info_t info = { "dedup", ".", 1 };
    void *d = ws_bench_make(&ws_builtin_dedup, &info, cfg, sizeof(cfg), sets, nsets, err, sizeof(err));
    if (!d) {
        fprintf(stderr, "bench_dedup: %s\n", err);
        exit(2);
    }
    return d;
}

typedef struct {
    size_t articles, bytes, dropped;
    double secs;
} run_t;

/* Builds records for a batch, then times process() over it. */
static void batch(void *d, ws_record_t **recs, art_t *src, size_t n, int round, int salt,
                  int64_t ingest_ms, run_t *r) {
    char reason[128];
    for (size_t i = 0; i < n; i++) {
        ws_article_t a;
        char id[64];
        memset(&a, 0, sizeof(a));
        /* ~30-byte ids, fresh each round */
        snprintf(id, sizeof(id), "urn:news:r%06d:%s", round, src[i].id);
        a.value[WS_FIELD_ID] = strdup(id);
        a.len[WS_FIELD_ID] = strlen(id);
        if (salt) {
            a.value[WS_FIELD_BODY] = ciphered(src[i].body, src[i].blen, round);
            a.len[WS_FIELD_BODY] = src[i].blen;
        } else {
            a.value[WS_FIELD_BODY] = strdup(src[i].body);
            a.len[WS_FIELD_BODY] = src[i].blen;
        }
        r->bytes += a.len[WS_FIELD_BODY];
        ws_record_reset(recs[i]);
        ws_record_take_article(recs[i], &a);
        ws_record_set_ingest_ms(recs[i], ingest_ms);
        ws_record_set_entry(recs[i], "dedup");
    }
    double t0 = ws_bench_cpu_now();
    for (size_t i = 0; i < n; i++)
        if (ws_builtin_dedup.process(d, recs[i], reason, sizeof(reason)) == WS_DROP) r->dropped++;
    r->secs += ws_bench_cpu_now() - t0;
    r->articles += n;
}

int main(int argc, char **argv) {
    const char *data = "../shared/data/bbc/bbc.jsonl";
    int rounds = 20;
    long articles = 1000000;
    const char *sets[32];
    size_t nsets = 0, n;
    unsigned only = 0;            /* bit per part; 0 = all */
    static const char *const parts[] = { "replay", "scan", "unique", "memory" };

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--data") && i + 1 < argc) data = argv[++i];
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--articles") && i + 1 < argc) articles = atol(argv[++i]);
        else if (!strcmp(argv[i], "--set") && i + 1 < argc && nsets < 32) sets[nsets++] = argv[++i];
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            unsigned b = 0;
            for (unsigned j = 0; j < 4; j++)
                if (!strcmp(argv[i + 1], parts[j])) b = 1u << j;
            if (!b) goto usage;
            only |= b;
            i++;
        } else {
        usage:
            fprintf(stderr, "usage: bench_dedup [--data FILE] [--rounds N] [--articles N] "
                            "[--only replay|scan|unique|memory]... [--set key=value]...\n");
            return 2;
        }
    }
    if (!only) only = 0xF;
    art_t *src = load(data, &n);
    if (!src || n == 0) {
        fprintf(stderr, "bench_dedup: cannot read %s (skipped)\n", data);
        return 77;
    }
    ws_record_t **recs = malloc(n * sizeof(*recs));
    for (size_t i = 0; i < n; i++) recs[i] = ws_record_new();
    int64_t t0 = 1760000000000LL;

    /* 1. replay with fresh ids */
    void *d;
    run_t r = { 0 };
    if (only & 1) {
        d = make(sets, nsets);
        for (int k = 0; k < rounds; k++) batch(d, recs, src, n, k, 0, t0 + k * 1000, &r);
        printf("replay  %zu articles (%d rounds of %zu, fresh ids): %.0f articles/s, %.0f MB/s, "
               "%.2f us/article, %zu dropped as duplicates\n",
               r.articles, rounds, n, r.articles / r.secs, r.bytes / r.secs / 1e6,
               r.secs * 1e6 / r.articles, r.dropped);
        ws_builtin_dedup.destroy(d);
    }

    /* Breakdown: normalising + hashing + sketching alone (dd_norm). */
    if (only & 2) {
        double c0 = ws_bench_cpu_now();
        uint64_t x = 0;
        size_t bytes = 0;
        for (int k = 0; k < rounds; k++)
            for (size_t i = 0; i < n; i++) {
                ws_dd_sketch_t sk;
                ws_dd_norm_t nm;
                ws_dd_sketch_init(&sk, 96);
                ws_dd_scan(src[i].body, src[i].blen, 5, &nm, &sk);
                x ^= nm.exact;
                bytes += src[i].blen;
            }
        double c1 = ws_bench_cpu_now() - c0;
        printf("scan    normalise + exact hash + 5-word shingles into the sketch alone: "
               "%.2f us/article, %.0f MB/s (%llx)\n", c1 * 1e6 / ((double)rounds * n),
               bytes / c1 / 1e6, (unsigned long long)(x & 0xF));
    }

    /* 2. all unique */
    if (only & 4) {
        d = make(sets, nsets);
        memset(&r, 0, sizeof(r));
        for (int k = 0; k < rounds; k++) batch(d, recs, src, n, k, 1, t0 + k * 1000, &r);
        printf("unique  %zu articles (%d ciphered rounds): %.0f articles/s, %.0f MB/s, "
               "%.2f us/article, %zu dropped\n",
               r.articles, rounds, r.articles / r.secs, r.bytes / r.secs / 1e6,
               r.secs * 1e6 / r.articles, r.dropped);
        ws_builtin_dedup.destroy(d);
    }

    /* 3. memory at `articles` remembered articles */
    if ((only & 8) && articles > 0) {
        char mx[64];
        snprintf(mx, sizeof(mx), "max_entries=%ld", articles);
        if (nsets < 32) sets[nsets++] = mx;
        d = make(sets, nsets);
        long before = rss_kb();
        memset(&r, 0, sizeof(r));
        /* Until exactly `articles` are remembered (the corpus's own
         * duplicates are dropped each round). */
        for (int k = 0; r.articles - r.dropped < (size_t)articles; k++) {
            size_t m = n;
            if (r.articles - r.dropped + m > (size_t)articles)
                m = (size_t)articles - (r.articles - r.dropped);
            batch(d, recs, src, m, k, 1, t0 + k * 1000, &r);
        }
        /* Free the batch's records so only the processor's memory remains. */
        for (size_t i = 0; i < n; i++) ws_record_reset(recs[i]);
        long after = rss_kb();
        printf("memory  %zu unique articles remembered (~30-byte ids): RSS +%.1f MB = %.1f "
               "bytes/article (%zu dropped as near duplicates); %.0f articles/s\n",
               r.articles - r.dropped, (after - before) / 1024.0,
               (after - before) * 1024.0 / (double)(r.articles - r.dropped), r.dropped,
               r.articles / r.secs);
        ws_builtin_dedup.destroy(d);
    }
    for (size_t i = 0; i < n; i++) {
        ws_record_free(recs[i]);
        free(src[i].id);
        free(src[i].body);
    }
    free(recs);
    free(src);
    return 0;
}
