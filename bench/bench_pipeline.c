/* bench_pipeline.c -- the whole in-process pipeline on a real corpus:
 * article parser, every pipeline entry, record rendering.
 *
 *   build-bench/bench/bench_pipeline [--data FILE] [--rounds N] [--runs R]
 *       [--threads T] [--limit N] [--config FILE] [--set key=value]...
 *       [--without NAME]... [--step-hours H] [--check] [--json]
 *
 * The corpus (default ../shared/data/bbc/bbc.jsonl) is replayed N times
 * (default 5).  Every copy gets a fresh id ("r<round>/<id>") and a date
 * that moves on by --step-hours (default 96, longer than dedup's 72 h
 * window) each round, so a replayed story is a new story to dedup -- as
 * in a real stream, where the window slides -- instead of an exact
 * duplicate of the round before.  The lines are rewritten before the clock
 * starts; the bytes timed are the rewritten ones.
 *
 * Three passes per run, R runs (default 5), medians printed:
 *   parse: the article parser alone;
 *   floor: parse + render, no processors (the JSON cost alone);
 *   full:  parse + ws_pipeline_run + render.
 * Each run builds a fresh pipeline (untimed), so every run sees the same
 * state.  With --threads T the articles are shared out to T threads that
 * run one pipeline, as `workers: T` does.
 *
 * Clocks: rates are given both per wall second and per CPU second (the
 * threads' CPU time).  The machine is shared, so wall rates move with the
 * load and CPU rates are the ones to compare.  In the full pass each step
 * (parse, pipeline, render) is timed with the thread's CPU clock, less the
 * clock's own calibrated cost; the pipeline's CPU time is split between the
 * entries in proportion to their own latency histograms (wall time, sum /
 * count), which preemption inflates about evenly.
 *
 * --check asserts behaviour, not speed (the ctest smoke): every article is
 * written or dropped by dedup, every round drops the same number, every
 * rendered record is a JSON object with the article's fresh id, and the
 * floor and full passes read the same articles.  Exits 77 when the corpus
 * is absent. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "wirestream_processor.h"
#include "ws_article.h"
#include "ws_buf.h"
#include "ws_config.h"
#include "ws_histogram.h"
#include "ws_log.h"
#include "ws_pipeline.h"
#include "ws_record_host.h"

#define MAX_SETS 32
#define MAX_RUNS 101
#define MAX_THREADS 64
#define MAX_ENTRIES 16
#define CHUNK 16

typedef struct {
    char *p;
    size_t n;
} line_t;

typedef struct {
    const char *data, *config;
    const char *sets[MAX_SETS];
    size_t nsets;
    const char *without[MAX_SETS];
    size_t nwithout;
    int rounds, runs, threads, check, json;
    size_t limit;
    double step_hours;
} opts_t;

/* One pass over the input by one thread. */
typedef struct {
    const line_t *in;
    size_t n;
    const ws_article_opts_t *aopts;
    ws_pipeline_t *pipe;        /* full pass; NULL = parse or floor pass */
    int render;                 /* 0 = parse pass */
    atomic_size_t *cursor;
    int check;
    size_t rounds, per_round;
    /* results */
    uint64_t read, written, dropped, failed, parse_failed, bytes_in, bytes_out;
    uint64_t reset_ns, parse_ns, pipe_ns, render_ns;
    uint64_t *drops_by_round;   /* [rounds] (check) */
    uint64_t bad_output;
    double cpu_s;
} worker_t;

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The CPU clock's own cost per read, subtracted from per-step times. */
static double clock_cost_ns(void) {
    uint64_t t0 = cpu_ns();
    for (int i = 0; i < 2000; i++) (void)cpu_ns();
    return (double)(cpu_ns() - t0) / 2001.0;
}

static double thread_cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The corpus, one JSON object per non-blank line. */
static line_t *load(const char *path, size_t limit, size_t *n) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    line_t *v = NULL;
    size_t cap = 0, lcap = 0;
    char *line = NULL;
    ssize_t got;
    *n = 0;
    while ((got = getline(&line, &lcap, f)) >= 0 && (!limit || *n < limit)) {
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r')) got--;
        if (got == 0) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 4096;
            line_t *nv = realloc(v, cap * sizeof *v);
            if (!nv) break;
            v = nv;
        }
        v[*n].p = malloc((size_t)got + 1);
        if (!v[*n].p) break;
        memcpy(v[*n].p, line, (size_t)got);
        v[*n].p[got] = '\0';
        v[*n].n = (size_t)got;
        (*n)++;
    }
    free(line);
    fclose(f);
    return v;
}

/* Round r's copy of a line: fresh id, date moved on by r steps. */
static int rewrite(const line_t *src, int r, double step_hours, line_t *out) {
    cJSON *o = cJSON_ParseWithLength(src->p, src->n);
    if (!o || !cJSON_IsObject(o)) { cJSON_Delete(o); return -1; }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
    char idbuf[512], date[32];
    snprintf(idbuf, sizeof idbuf, "r%d/%s", r, cJSON_IsString(id) ? id->valuestring : "noid");
    time_t t = (time_t)1735689600 + (time_t)((double)r * step_hours * 3600.0); /* 2025-01-01 */
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_DeleteItemFromObjectCaseSensitive(o, "id");
    cJSON_DeleteItemFromObjectCaseSensitive(o, "date");
    cJSON_AddStringToObject(o, "id", idbuf);
    cJSON_AddStringToObject(o, "date", date);
    out->p = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!out->p) return -1;
    out->n = strlen(out->p);
    return 0;
}

/* --check: the rendered record is a JSON object carrying the input's id. */
static int output_ok(const char *rendered, size_t n, const char *in, size_t inlen) {
    cJSON *o = cJSON_ParseWithLength(rendered, n);
    cJSON *i = cJSON_ParseWithLength(in, inlen);
    int ok = o && i && cJSON_IsObject(o);
    if (ok) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "id");
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(i, "id");
        ok = cJSON_IsString(a) && cJSON_IsString(b) && strcmp(a->valuestring, b->valuestring) == 0;
    }
    cJSON_Delete(o);
    cJSON_Delete(i);
    return ok;
}

static void *work(void *arg) {
    worker_t *w = arg;
    ws_record_t *rec = ws_record_new();
    ws_buf_t out;
    ws_buf_init(&out);
    char err[512];
    double c0 = thread_cpu_s();
    if (!rec) { w->failed = w->n; return NULL; }
    for (;;) {
        size_t base = atomic_fetch_add(w->cursor, CHUNK);
        if (base >= w->n) break;
        size_t end = base + CHUNK < w->n ? base + CHUNK : w->n;
        for (size_t k = base; k < end; k++) {
            const line_t *l = &w->in[k];
            const char *reason = NULL;
            ws_article_t a;
            w->read++;
            w->bytes_in += l->n;
            uint64_t t0 = w->pipe ? cpu_ns() : 0;
            ws_record_reset(rec);   /* frees the previous article's annotations */
            if (w->pipe) {
                uint64_t tr = cpu_ns();
                w->reset_ns += tr - t0;
                t0 = tr;
            }
            if (ws_article_parse(w->aopts, l->p, l->n, &a, &reason, err, sizeof err) < 0) {
                w->failed++;
                w->parse_failed++;
                continue;
            }
            ws_record_take_article(rec, &a);
            ws_record_set_ingest_ms(rec, now_ms());
            if (!w->render) { w->written++; continue; }
            uint64_t t1 = 0;
            if (w->pipe) {
                t1 = cpu_ns();
                w->parse_ns += t1 - t0;
                ws_outcome_t o;
                ws_pipeline_run(w->pipe, rec, &o);
                uint64_t t2 = cpu_ns();
                w->pipe_ns += t2 - t1;
                t1 = t2;
                if (o.result == WS_DROP) {
                    w->dropped++;
                    if (w->drops_by_round) w->drops_by_round[k / w->per_round]++;
                    continue;
                }
                if (o.result == WS_ERROR) { w->failed++; continue; }
            }
            ws_buf_reset(&out);
            if (ws_record_render(rec, &out) < 0) { w->failed++; continue; }
            if (w->pipe) w->render_ns += cpu_ns() - t1;
            w->bytes_out += out.len + 1;
            w->written++;
            if (w->check && !output_ok(out.data, out.len, l->p, l->n)) w->bad_output++;
        }
    }
    w->cpu_s = thread_cpu_s() - c0;
    ws_record_free(rec);
    ws_buf_free(&out);
    return NULL;
}

typedef struct {
    double wall_s, cpu_s;
    uint64_t read, written, dropped, failed, bytes_in, bytes_out, bad_output;
    double reset_us, parse_us, pipe_us, render_us;  /* full pass: CPU per article that reached the step */
    size_t nentries;
    const char *entry_name[MAX_ENTRIES];
    double entry_us[MAX_ENTRIES];
    uint64_t entry_in[MAX_ENTRIES], entry_dropped[MAX_ENTRIES];
    uint64_t drops_by_round[256];
} pass_t;

static double clock_ns;   /* clock_cost_ns(), measured once */

static int run_pass(const opts_t *o, const line_t *in, size_t n, size_t per_round,
                    const ws_article_opts_t *aopts, int render, ws_pipeline_t *pipe,
                    pass_t *res) {
    worker_t w[MAX_THREADS];
    pthread_t th[MAX_THREADS];
    atomic_size_t cursor;
    atomic_init(&cursor, 0);
    memset(w, 0, sizeof w);
    memset(res, 0, sizeof *res);
    size_t rounds = n / per_round;
    for (int t = 0; t < o->threads; t++) {
        w[t].in = in;
        w[t].n = n;
        w[t].aopts = aopts;
        w[t].pipe = pipe;
        w[t].render = render;
        w[t].cursor = &cursor;
        w[t].check = o->check;
        w[t].rounds = rounds;
        w[t].per_round = per_round;
        w[t].drops_by_round = calloc(rounds, sizeof(uint64_t));
        if (!w[t].drops_by_round) return -1;
    }
    double t0 = mono_s();
    if (o->threads == 1) {
        work(&w[0]);
    } else {
        for (int t = 0; t < o->threads; t++)
            if (pthread_create(&th[t], NULL, work, &w[t]) != 0) return -1;
        for (int t = 0; t < o->threads; t++) pthread_join(th[t], NULL);
    }
    res->wall_s = mono_s() - t0;
    uint64_t reset_ns = 0, parse_ns = 0, pipe_ns = 0, render_ns = 0, parse_failed = 0;
    for (int t = 0; t < o->threads; t++) {
        res->cpu_s += w[t].cpu_s;
        res->read += w[t].read;
        res->written += w[t].written;
        res->dropped += w[t].dropped;
        res->failed += w[t].failed;
        res->bytes_in += w[t].bytes_in;
        res->bytes_out += w[t].bytes_out;
        res->bad_output += w[t].bad_output;
        parse_ns += w[t].parse_ns;
        reset_ns += w[t].reset_ns;
        parse_failed += w[t].parse_failed;
        pipe_ns += w[t].pipe_ns;
        render_ns += w[t].render_ns;
        for (size_t r = 0; r < rounds && r < 256; r++)
            res->drops_by_round[r] += w[t].drops_by_round[r];
        free(w[t].drops_by_round);
    }
    uint64_t parsed = res->read - parse_failed;
    if (!pipe) return 0;
    /* Each step is bracketed by two clock reads: take one read's cost off. */
    res->reset_us = res->read ? ((double)reset_ns / (double)res->read - clock_ns) / 1e3 : 0;
    res->parse_us = parsed ? ((double)parse_ns / (double)parsed - clock_ns) / 1e3 : 0;
    res->pipe_us = parsed ? ((double)pipe_ns / (double)parsed - clock_ns) / 1e3 : 0;
    res->render_us = res->written ? ((double)render_ns / (double)res->written - clock_ns) / 1e3 : 0;
    res->nentries = ws_pipeline_size(pipe);
    if (res->nentries > MAX_ENTRIES) res->nentries = MAX_ENTRIES;
    double wall_sum = 0;
    uint64_t sums[MAX_ENTRIES];
    for (size_t i = 0; i < res->nentries; i++) {
        ws_entry_stats_t s;
        ws_pipeline_stats(pipe, i, &s);
        res->entry_name[i] = s.name;
        res->entry_in[i] = s.in;
        res->entry_dropped[i] = s.dropped;
        sums[i] = s.latency_us->sum_us;
        wall_sum += (double)sums[i];
    }
    double pipe_cpu_us = res->pipe_us * (double)parsed;
    for (size_t i = 0; i < res->nentries; i++)
        res->entry_us[i] = wall_sum > 0 && res->entry_in[i]
            ? pipe_cpu_us * ((double)sums[i] / wall_sum) / (double)res->entry_in[i] : 0;
    return 0;
}

static void usage(void) {
    fprintf(stderr, "usage: bench_pipeline [--data FILE] [--rounds N] [--runs R] [--threads T]\n"
                    "       [--limit N] [--config FILE] [--set key=value]... [--without NAME]...\n"
                    "       [--step-hours H] [--check] [--json]\n");
}

static int parse_args(int argc, char **argv, opts_t *o) {
    memset(o, 0, sizeof *o);
    o->data = "../shared/data/bbc/bbc.jsonl";
    o->rounds = 5;
    o->runs = 5;
    o->threads = 1;
    o->step_hours = 96;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--check")) { o->check = 1; continue; }
        if (!strcmp(a, "--json")) { o->json = 1; continue; }
        if (!v) { usage(); return -1; }
        i++;
        if (!strcmp(a, "--data")) o->data = v;
        else if (!strcmp(a, "--config")) o->config = v;
        else if (!strcmp(a, "--rounds")) o->rounds = atoi(v);
        else if (!strcmp(a, "--runs")) o->runs = atoi(v);
        else if (!strcmp(a, "--threads")) o->threads = atoi(v);
        else if (!strcmp(a, "--limit")) o->limit = (size_t)strtoull(v, NULL, 10);
        else if (!strcmp(a, "--step-hours")) o->step_hours = atof(v);
        else if (!strcmp(a, "--set") && o->nsets < MAX_SETS) o->sets[o->nsets++] = v;
        else if (!strcmp(a, "--without") && o->nwithout < MAX_SETS) o->without[o->nwithout++] = v;
        else { usage(); return -1; }
    }
    if (o->rounds < 1 || o->rounds > 256 || o->runs < 1 || o->runs > MAX_RUNS ||
        o->threads < 1 || o->threads > MAX_THREADS) { usage(); return -1; }
    return 0;
}

/* Medians over runs of one pass kind. */
typedef struct {
    double aps, mbps, mbps_out, cpu_aps, reset_us, parse_us, pipe_us, render_us, us_per_article;
    double entry_us[MAX_ENTRIES];
} summary_t;

static void summarise(const pass_t *p, int runs, summary_t *s) {
    double v[MAX_RUNS];
#define MED(field, expr) do { for (int r = 0; r < runs; r++) { const pass_t *x = &p[r]; v[r] = (expr); } \
        s->field = median(v, runs); } while (0)
    MED(aps, (double)x->read / x->wall_s);
    MED(mbps, (double)x->bytes_in / 1e6 / x->wall_s);
    MED(mbps_out, (double)x->bytes_out / 1e6 / x->wall_s);
    MED(cpu_aps, (double)x->read / x->cpu_s);
    MED(us_per_article, x->cpu_s * 1e6 / (double)x->read);
    MED(reset_us, x->reset_us);
    MED(parse_us, x->parse_us);
    MED(pipe_us, x->pipe_us);
    MED(render_us, x->render_us);
    for (size_t i = 0; i < p[0].nentries; i++) MED(entry_us[i], x->entry_us[i]);
#undef MED
}

int main(int argc, char **argv) {
    opts_t o;
    char err[1024];
    if (parse_args(argc, argv, &o) < 0) return 2;
    ws_log_setup(WS_LOG_JSON, WS_LOG_WARN);
    size_t n0 = 0;
    line_t *src = load(o.data, o.limit, &n0);
    if (!src || n0 == 0) {
        fprintf(stderr, "bench_pipeline: %s: no corpus (skipped)\n", o.data);
        return 77;
    }
    size_t n = n0 * (size_t)o.rounds;
    line_t *in = calloc(n, sizeof *in);
    if (!in) return 1;
    for (int r = 0; r < o.rounds; r++)
        for (size_t k = 0; k < n0; k++)
            if (rewrite(&src[k], r, o.step_hours, &in[(size_t)r * n0 + k]) < 0) {
                fprintf(stderr, "bench_pipeline: line %zu is not a JSON object\n", k + 1);
                return 1;
            }

    ws_config_t *cfg = NULL;
    if (ws_config_load(o.config, o.sets, o.nsets, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "bench_pipeline: config: %s\n", err);
        return 2;
    }
    ws_article_opts_t aopts = cfg->article;
    if (aopts.format == WS_FORMAT_AUTO) aopts.format = WS_FORMAT_JSON;

    pass_t *parse_p = calloc((size_t)o.runs, sizeof *parse_p);
    pass_t *floor_p = calloc((size_t)o.runs, sizeof *floor_p);
    pass_t *full_p = calloc((size_t)o.runs, sizeof *full_p);
    char **names = NULL;
    if (!parse_p || !floor_p || !full_p) return 1;
    clock_ns = clock_cost_ns();
    int rc = 0;
    for (int r = 0; r < o.runs; r++) {
        ws_pipeline_t *pipe = NULL;
        if (ws_pipeline_new(cfg, o.without, o.nwithout, 0, &pipe, err, sizeof err) < 0) {
            fprintf(stderr, "bench_pipeline: pipeline: %s\n", err);
            return 2;
        }
        if (run_pass(&o, in, n, n0, &aopts, 0, NULL, &parse_p[r]) < 0 ||
            run_pass(&o, in, n, n0, &aopts, 1, NULL, &floor_p[r]) < 0 ||
            run_pass(&o, in, n, n0, &aopts, 1, pipe, &full_p[r]) < 0) {
            fprintf(stderr, "bench_pipeline: cannot start threads\n");
            return 1;
        }
        ws_pipeline_flush(pipe);
        /* Entry names outlive the pipeline for the report. */
        if (r == o.runs - 1) {
            names = calloc(full_p[r].nentries + 1, sizeof *names);
            for (size_t i = 0; names && i < full_p[r].nentries; i++)
                names[i] = strdup(full_p[r].entry_name[i]);
        }
        ws_pipeline_free(pipe);
        if (!o.json)
            fprintf(stderr, "run %d: floor %.0f art/CPU-s, full %.0f art/CPU-s (%.0f art/s wall)\n",
                    r + 1, (double)floor_p[r].read / floor_p[r].cpu_s,
                    (double)full_p[r].read / full_p[r].cpu_s,
                    (double)full_p[r].read / full_p[r].wall_s);
    }

    if (o.check) {
        for (int r = 0; r < o.runs; r++) {
            const pass_t *f = &floor_p[r], *p = &full_p[r];
            if (f->read != n || p->read != n || f->failed || p->failed || parse_p[r].failed) {
                fprintf(stderr, "check: run %d: read %llu/%llu of %zu, failed %llu/%llu\n", r + 1,
                        (unsigned long long)f->read, (unsigned long long)p->read, n,
                        (unsigned long long)f->failed, (unsigned long long)p->failed);
                rc = 1;
            }
            if (p->written + p->dropped != n || f->written != n) {
                fprintf(stderr, "check: run %d: written %llu + dropped %llu != %zu\n", r + 1,
                        (unsigned long long)p->written, (unsigned long long)p->dropped, n);
                rc = 1;
            }
            if (f->bad_output || p->bad_output) {
                fprintf(stderr, "check: run %d: %llu rendered records lack the input id\n", r + 1,
                        (unsigned long long)(f->bad_output + p->bad_output));
                rc = 1;
            }
            for (size_t i = 0; i < p->nentries; i++)
                if (p->entry_dropped[i] && strcmp(names[i], "dedup") != 0) {
                    fprintf(stderr, "check: entry %s dropped articles\n", names[i]);
                    rc = 1;
                }
            /* Every round is the same stories after the window slid: the same drops.
             * (Only with one thread: with several, a round's last articles can
             * be read after the next round's first.) */
            if (o.threads == 1)
                for (int k = 1; k < o.rounds; k++)
                    if (p->drops_by_round[k] != p->drops_by_round[0]) {
                        fprintf(stderr, "check: round %d dropped %llu, round 1 dropped %llu\n", k + 1,
                                (unsigned long long)p->drops_by_round[k],
                                (unsigned long long)p->drops_by_round[0]);
                        rc = 1;
                    }
        }
    }

    summary_t ps_, fs, ps;
    summarise(parse_p, o.runs, &ps_);
    summarise(floor_p, o.runs, &fs);
    summarise(full_p, o.runs, &ps);
    const pass_t *last = &full_p[o.runs - 1];
    double mb = 0;
    for (size_t k = 0; k < n; k++) mb += (double)in[k].n;
    mb /= 1e6;
    if (o.json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "data", o.data);
        cJSON_AddNumberToObject(j, "articles", (double)n);
        cJSON_AddNumberToObject(j, "mb", mb);
        cJSON_AddNumberToObject(j, "rounds", o.rounds);
        cJSON_AddNumberToObject(j, "runs", o.runs);
        cJSON_AddNumberToObject(j, "threads", o.threads);
        cJSON_AddNumberToObject(j, "dropped_per_run", (double)last->dropped);
        cJSON_AddNumberToObject(j, "clock_read_ns", clock_ns);
        const summary_t *ss[3] = {&ps_, &fs, &ps};
        const char *k[3] = {"parse", "floor", "full"};
        for (int i = 0; i < 3; i++) {
            cJSON *x = cJSON_AddObjectToObject(j, k[i]);
            cJSON_AddNumberToObject(x, "articles_per_s", ss[i]->aps);
            cJSON_AddNumberToObject(x, "mb_per_s_in", ss[i]->mbps);
            cJSON_AddNumberToObject(x, "articles_per_cpu_s", ss[i]->cpu_aps);
            cJSON_AddNumberToObject(x, "mb_per_cpu_s_in", ss[i]->cpu_aps * mb / (double)n);
            cJSON_AddNumberToObject(x, "cpu_us_per_article", ss[i]->us_per_article);
            if (i == 1) cJSON_AddNumberToObject(x, "mb_per_s_out", ss[i]->mbps_out);
            if (i == 2) {
                cJSON_AddNumberToObject(x, "mb_per_s_out", ss[i]->mbps_out);
                cJSON_AddNumberToObject(x, "reset_us", ss[i]->reset_us);
                cJSON_AddNumberToObject(x, "parse_us", ss[i]->parse_us);
                cJSON_AddNumberToObject(x, "pipeline_us", ss[i]->pipe_us);
                cJSON_AddNumberToObject(x, "render_us", ss[i]->render_us);
                cJSON *e = cJSON_AddObjectToObject(x, "entry_us");
                for (size_t q = 0; q < last->nentries; q++)
                    cJSON_AddNumberToObject(e, names[q], ss[i]->entry_us[q]);
            }
        }
        char *str = cJSON_PrintUnformatted(j);
        printf("%s\n", str);
        free(str);
        cJSON_Delete(j);
    } else {
        printf("corpus %s: %zu articles x %d rounds = %zu articles, %.1f MB; %d runs, %d thread(s); medians\n",
               o.data, n0, o.rounds, n, mb, o.runs, o.threads);
        printf("%-6s %12s %9s %12s %11s %11s\n", "pass", "articles/s", "MB/s", "art/CPU-s",
               "MB/CPU-s", "CPU us/art");
        const summary_t *ss[3] = {&ps_, &fs, &ps};
        const char *k[3] = {"parse", "floor", "full"};
        for (int i = 0; i < 3; i++)
            printf("%-6s %12.0f %9.1f %12.0f %11.1f %11.2f\n", k[i], ss[i]->aps, ss[i]->mbps,
                   ss[i]->cpu_aps, ss[i]->cpu_aps * mb / (double)n, ss[i]->us_per_article);
        printf("floor = parse + render with no processors: parse %.2f us, render %.2f us per article\n",
               ps_.us_per_article, fs.us_per_article - ps_.us_per_article);
        printf("full, CPU us per article: record reset %.2f (frees the last one's annotations), "
               "parse %.2f, pipeline %.2f, render %.2f (output %.1f MB/s wall; clock read %.0f ns)\n",
               ps.reset_us, ps.parse_us, ps.pipe_us, ps.render_us, ps.mbps_out, clock_ns);
        for (size_t q = 0; q < last->nentries; q++)
            printf("  %-12s %9.2f us per article entering it (in %llu, dropped %llu)\n", names[q],
                   ps.entry_us[q], (unsigned long long)last->entry_in[q],
                   (unsigned long long)last->entry_dropped[q]);
        printf("dropped per run: %llu (by dedup: the corpus's own duplicates, each round)\n\n",
               (unsigned long long)last->dropped);
    }
    if (o.check) fprintf(stderr, "check: %s\n", rc ? "FAILED" : "ok");
    for (size_t i = 0; names && names[i]; i++) free(names[i]);
    free(names);
    for (size_t k = 0; k < n; k++) free(in[k].p);
    for (size_t k = 0; k < n0; k++) free(src[k].p);
    free(in);
    free(src);
    free(parse_p);
    free(floor_p);
    free(full_p);
    ws_config_free(cfg);
    return rc;
}
