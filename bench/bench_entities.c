/* bench_entities.c -- articles per second of the entities processor on one
 * core, over the BBC corpus (../shared/data/bbc/bbc.jsonl).
 *
 *   build/bench/bench_entities [bbc.jsonl] [rounds] [max_articles]
 *
 * ENT_BENCH_ONLY=tagger or =processor runs one half only (for callgrind:
 * valgrind --tool=callgrind build/bench/bench_entities bbc.jsonl 1 300).
 *
 * Three numbers: the tagger alone (tokenize, rules, gazetteer, coreference);
 * the whole processor through the record API (plus building the
 * `entities` / `entity_groups` values), with the record's value arena
 * current and the records reset between rounds, as ws_pipeline_run does;
 * and the same with one record reset and reused for each article, as a
 * worker does (WS_VALUE_ARENA=0: no arena, one malloc per value).  Bodies
 * are parsed before the clock starts.  Each is timed per round; the median
 * round is reported in process CPU time (other load on the machine counts
 * against it only through shared caches) and in wall-clock time, the third
 * in wall-clock time around process() alone.  Exits 77 when the corpus is
 * absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "wirestream_processor.h"
#include "ws_record_host.h"
#include "ws_article.h"
#include "ws_value.h"
#include "entities/ent.h"
#include "entities/ent_kb.h"

extern const ws_processor_t ws_builtin_entities;

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double wall_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median of v[0..n) (sorts v). */
static double median(double *v, int n)
{
    if (n <= 0) return 0;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef struct {
    ws_strlist_t lexicons, gazetteers, user_gazetteers, weak, rules;
    int64_t max_entities, match_limit, depth_limit;
} cfg_t;

/* Resets every record and gives it its article again. */
static void reload(ws_record_t **recs, char **bodies, size_t n, const ws_article_opts_t *ao)
{
    char err[256];
    for (size_t i = 0; i < n; i++) {
        if (!recs[i]) continue;
        ws_record_reset(recs[i]);
        ws_article_t a;
        memset(&a, 0, sizeof a);
        const char *reason;
        if (ws_article_parse(ao, bodies[i], strlen(bodies[i]), &a, &reason, err, sizeof err) == 0)
            ws_record_take_article(recs[i], &a);
        ws_article_clear(&a);
        ws_record_set_entry(recs[i], "entities");
    }
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "../shared/data/bbc/bbc.jsonl";
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    if (rounds < 1) rounds = 1;
    size_t max_articles = argc > 3 ? (size_t)strtoull(argv[3], NULL, 10) : 0;
    const char *only = getenv("ENT_BENCH_ONLY");
    int run_tagger = !only || strcmp(only, "processor") != 0;
    int run_proc = !only || strcmp(only, "tagger") != 0;
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "bench_entities: %s not found, skipping\n", path); return 77; }
    size_t n = 0, cap = 0, bytes = 0;
    char **bodies = NULL, *line = NULL;
    size_t lcap = 0;
    ssize_t ll;
    while ((!max_articles || n < max_articles) && (ll = getline(&line, &lcap, f)) > 0) {
        cJSON *j = cJSON_ParseWithLength(line, (size_t)ll);
        cJSON *b = j ? cJSON_GetObjectItem(j, "body") : NULL;
        if (cJSON_IsString(b)) {
            if (n == cap) {
                cap = cap ? cap * 2 : 4096;
                char **nb = realloc(bodies, cap * sizeof *nb);
                if (!nb) return 1;
                bodies = nb;
            }
            /* keep the article as JSON for the record path */
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "id", "x");
            cJSON_AddStringToObject(o, "body", b->valuestring);
            bodies[n++] = cJSON_PrintUnformatted(o);
            bytes += strlen(b->valuestring);
            cJSON_Delete(o);
        }
        cJSON_Delete(j);
    }
    free(line);
    fclose(f);

    /* the processor as configured by default */
    const char *lex[] = {"entities/rules/*.tsv"};
    const char *gaz[] = {"entities/gazetteers/*.tsv"};
    const char *weak[] = {"entities/gazetteers/ambiguous/*.tsv"};
    const char *rules[] = {"entities/rules/*.rules"};
    cfg_t cfg = {.lexicons = {1, lex}, .gazetteers = {1, gaz}, .weak = {1, weak},
                 .rules = {1, rules}, .max_entities = 2000, .match_limit = 100000,
                 .depth_limit = 10000};
    ws_create_info_t info = {.entry_name = "entities", .config_dir = WS_DATA_DIR};
    char err[256];
    double t0 = cpu_now();
    void *inst = ws_builtin_entities.create(&cfg, &info, err, sizeof err);
    if (!inst) { fprintf(stderr, "create: %s\n", err); return 1; }
    printf("knowledge base loaded in %.3f s CPU\n", cpu_now() - t0);

    /* 1. the records, parsed up front */
    ws_article_opts_t ao;
    ws_article_opts_default(&ao);
    ws_record_t **recs = calloc(n, sizeof *recs);
    for (size_t i = 0; i < n; i++) {
        ws_article_t a;
        memset(&a, 0, sizeof a);
        const char *reason;
        if (ws_article_parse(&ao, bodies[i], strlen(bodies[i]), &a, &reason, err, sizeof err) == 0) {
            recs[i] = ws_record_new();
            ws_record_take_article(recs[i], &a);
            ws_record_set_entry(recs[i], "entities");
        }
        ws_article_clear(&a);
    }

    /* 2. tagger alone */
    size_t docs = 0;
    for (size_t i = 0; i < n; i++) docs += recs[i] != NULL;
    double *cpu = calloc((size_t)rounds + 1, sizeof *cpu), *wall = calloc((size_t)rounds + 1, sizeof *wall);
    if (!cpu || !wall) return 1;
    if (run_tagger) {
        ent_scratch_t sc = {0};
        ent_kb_opts_t ko = {.dir = WS_DATA_DIR, .lexicons = lex, .n_lexicons = 1, .gazetteers = gaz,
                            .n_gazetteers = 1, .weak_gazetteers = weak, .n_weak = 1,
                            .rules = rules, .n_rules = 1};
        ent_kb_t *kb = ent_kb_load(&ko, err, sizeof err);
        if (!kb) { fprintf(stderr, "kb: %s\n", err); return 1; }
        /* the lookup table's size decides whether it stays in cache */
        printf("lookup table: %zu of %zu slots used, %.2f MB; %zu entries\n", kb->slots_n,
               kb->slots_cap, (double)(kb->slots_cap * sizeof *kb->slots) / 1048576.0,
               kb->entries_n);
        size_t ments = 0;
        for (int r = 0; r < rounds; r++) {
            double c0 = cpu_now(), w0 = wall_now();
            for (size_t i = 0; i < n; i++) {
                if (!recs[i]) continue;
                size_t bl;
                const char *body = ws_record_field(recs[i], WS_FIELD_BODY, &bl);
                if (ent_tag(kb, body, bl, &sc, err, sizeof err) == 0) ments += sc.ments_n;
            }
            cpu[r] = cpu_now() - c0;
            wall[r] = wall_now() - w0;
        }
        double dc = median(cpu, rounds), dw = median(wall, rounds);
        printf("tagger:    %zu articles (%.1f MB) x %d rounds; median round %.3f s CPU, %.3f s wall: "
               "%.0f articles/s CPU, %.0f articles/s wall, %.1f MB/s CPU, %.1f mentions/article\n",
               docs, (double)bytes / 1e6, rounds, dc, dw, docs / dc, docs / dw,
               (double)bytes / 1e6 / dc, (double)ments / (double)(docs ? docs * rounds : 1));
        ent_scratch_free(&sc);
        ent_kb_free(kb);
    }

    /* 3. the processor through the record API (values included) */
    if (run_proc) {
        for (int r = 0; r < rounds; r++) {
            /* As the pipeline does between records: reset (recycling the
             * record's value arena), outside the clock. */
            if (r > 0) reload(recs, bodies, n, &ao);
            double c0 = cpu_now(), w0 = wall_now();
            for (size_t i = 0; i < n; i++) {
                if (!recs[i]) continue;
                char reason[256];
                /* the record's arena is current while the entry runs, as in
                 * ws_pipeline_run (none with WS_VALUE_ARENA=0: malloc) */
                ws_value_arena_t *prev = ws_value_arena_enter(ws_record_arena(recs[i]));
                ws_result_t res = ws_builtin_entities.process(inst, recs[i], reason, sizeof reason);
                ws_value_arena_leave(prev);
                if (res != WS_KEEP) fprintf(stderr, "record %zu: %s\n", i, reason);
            }
            cpu[r] = cpu_now() - c0;
            wall[r] = wall_now() - w0;
        }
        double dc = median(cpu, rounds), dw = median(wall, rounds);
        printf("processor: %zu articles x %d rounds; median round %.3f s CPU, %.3f s wall: "
               "%.0f articles/s CPU, %.0f articles/s wall (record API, values built)\n",
               docs, rounds, dc, dw, docs / dc, docs / dw);

        /* 4. the same with one record, reset and given the next article
         * before each call, as a worker does (consumer/ws_handle.c): its
         * arena is reused while warm, where the run above writes 2,225
         * records' worth of fresh memory a round.  Only process() is
         * timed, by the wall clock (a vDSO read; CPU clocks are system
         * calls), so run it on a quiet machine. */
        ws_record_t *one = ws_record_new();
        size_t arena_bytes = 0;   /* the values' arena bytes of the first round */
        for (int r = 0; r < rounds && one; r++) {
            double in_process = 0;
            for (size_t i = 0; i < n; i++) {
                if (!recs[i]) continue;
                ws_record_reset(one);
                ws_article_t a;
                memset(&a, 0, sizeof a);
                const char *why;
                if (ws_article_parse(&ao, bodies[i], strlen(bodies[i]), &a, &why, err, sizeof err) != 0) {
                    ws_article_clear(&a);
                    continue;
                }
                ws_record_take_article(one, &a);
                ws_article_clear(&a);
                ws_record_set_entry(one, "entities");
                char reason[256];
                double w0 = wall_now();
                ws_value_arena_t *prev = ws_value_arena_enter(ws_record_arena(one));
                ws_result_t res = ws_builtin_entities.process(inst, one, reason, sizeof reason);
                ws_value_arena_leave(prev);
                in_process += wall_now() - w0;
                if (r == 0) arena_bytes += ws_value_arena_used(ws_record_arena(one));
                if (res != WS_KEEP) fprintf(stderr, "record %zu: %s\n", i, reason);
            }
            wall[r] = in_process;
        }
        if (one) {
            dw = median(wall, rounds);
            printf("processor, one record reused (as a worker): median round %.3f s wall in process(): "
                   "%.0f articles/s\n", dw, docs / dw);
            /* what a record kept while others are built writes (cold) */
            printf("values: %.0f arena bytes per article\n", (double)arena_bytes / (double)(docs ? docs : 1));
            ws_record_free(one);
        }
    }
    free(cpu);
    free(wall);

    for (size_t i = 0; i < n; i++) {
        if (recs[i]) ws_record_free(recs[i]);
        cJSON_free(bodies[i]);
    }
    free(recs);
    free(bodies);
    ws_builtin_entities.destroy(inst);
    return 0;
}
