/* bench_quotes.c -- the quotes processor alone: articles per second on one
 * core over a corpus of real news bodies.
 *
 *   build-bench/bench/bench_quotes [--data FILE] [--rounds N] [--no-entities]
 *                                  [--extractor-only] [--set key=value]...
 *
 * Records are built beforehand and, unless --no-entities, annotated by the
 * built-in entities processor (untimed), so quotes reads a realistic entity
 * list.  Every round resets the records and refills them (untimed), and the
 * record's value arena is current around process(), as in the pipeline.  The
 * timer is this thread's CPU time around quotes' process() only, which
 * includes reading the entity list and building the annotation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "wirestream_processor.h"
#include "bench_util.h"
#include "ws_record_host.h"
#include "ws_value.h"
#include "quotes/qx.h"

extern const ws_processor_t ws_builtin_quotes;
extern const ws_processor_t ws_builtin_entities;

static void *make(const ws_processor_t *p, const char *name, const char *const *sets, size_t nsets)
{
    /* Two instances (entities, quotes) live at once: one config each. */
    static char cfgs[2][4096];
    static int used;
    char err[512];
    ws_create_info_t info = {name, WS_DATA_DIR, 0};
    void *d = ws_bench_make(p, &info, cfgs[used++ & 1], sizeof(cfgs[0]), sets, nsets, err, sizeof(err));
    if (!d) {
        fprintf(stderr, "bench_quotes: %s: %s\n", name, err);
        exit(2);
    }
    return d;
}

int main(int argc, char **argv)
{
    const char *data = "../shared/data/bbc/bbc.jsonl";
    int rounds = 20, entities = 1, process_rounds = 1;
    const char *sets[32];
    size_t nsets = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--data") && i + 1 < argc) data = argv[++i];
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--no-entities")) entities = 0;
        else if (!strcmp(argv[i], "--extractor-only")) process_rounds = 0;
        else if (!strcmp(argv[i], "--set") && i + 1 < argc && nsets < 32) sets[nsets++] = argv[++i];
        else {
            fprintf(stderr, "usage: bench_quotes [--data FILE] [--rounds N] [--no-entities] [--extractor-only] "
                            "[--set key=value]...\n");
            return 2;
        }
    }
    FILE *f = fopen(data, "r");
    if (!f) {
        fprintf(stderr, "bench_quotes: cannot read %s (skipped)\n", data);
        return 77;
    }
    /* Bodies are kept aside: every round resets the records and parses them
     * again (untimed), as the runtime does with each message. */
    char **bodies = NULL;
    size_t n = 0, cap = 0, bytes = 0;
    char *line = NULL;
    size_t lcap = 0;
    while (getline(&line, &lcap, f) > 0) {
        cJSON *j = cJSON_Parse(line);
        const cJSON *body = cJSON_GetObjectItem(j, "body");
        if (cJSON_IsString(body)) {
            if (n == cap) {
                cap = cap ? cap * 2 : 4096;
                bodies = realloc(bodies, cap * sizeof(*bodies));
            }
            bodies[n] = strdup(body->valuestring);
            bytes += strlen(bodies[n]);
            n++;
        }
        cJSON_Delete(j);
    }
    free(line);
    fclose(f);
    if (n == 0) {
        fprintf(stderr, "bench_quotes: no articles in %s (skipped)\n", data);
        return 77;
    }
    ws_record_t **recs = calloc(n, sizeof(*recs));
    for (size_t i = 0; i < n; i++) recs[i] = ws_record_new();
    char reason[256];
    size_t nents = 0;
    void *e = entities ? make(&ws_builtin_entities, "entities", NULL, 0) : NULL;
    void *q = make(&ws_builtin_quotes, "quotes", sets, nsets);
    size_t quotes = 0;
    double secs = 0;
    /* As in the pipeline: each record is reset and refilled, the record's
     * value arena is current while entries run, and quotes runs right after
     * entities on the same record.  Batches of BATCH records go through
     * reset + parse + entities (untimed), then through quotes (timed), so the
     * annotation is as warm as in real use. */
    enum { BATCH = 8 };
    int total_rounds = process_rounds ? rounds : 1;
    for (int r = 0; r < total_rounds; r++) {
        for (size_t b0 = 0; b0 < n; b0 += BATCH) {
            size_t b1 = b0 + BATCH < n ? b0 + BATCH : n;
            for (size_t i = b0; i < b1; i++) {
                ws_article_t a;
                memset(&a, 0, sizeof(a));
                a.len[WS_FIELD_BODY] = strlen(bodies[i]);
                a.value[WS_FIELD_BODY] = malloc(a.len[WS_FIELD_BODY] + 1);
                memcpy(a.value[WS_FIELD_BODY], bodies[i], a.len[WS_FIELD_BODY] + 1);
                ws_record_reset(recs[i]);
                ws_record_take_article(recs[i], &a);
            }
            if (entities)
                for (size_t i = b0; i < b1; i++) {
                    ws_value_arena_t *prev = ws_value_arena_enter(ws_record_arena(recs[i]));
                    ws_record_set_entry(recs[i], "entities");
                    ws_result_t er = ws_builtin_entities.process(e, recs[i], reason, sizeof(reason));
                    ws_value_arena_leave(prev);
                    if (er != WS_KEEP) {
                        fprintf(stderr, "bench_quotes: entities failed: %s\n", reason);
                        return 1;
                    }
                    if (r == 0) nents += ws_array_size(ws_record_annotation(recs[i], "entities"));
                }
            if (!process_rounds) continue;
            for (size_t i = b0; i < b1; i++) ws_record_set_entry(recs[i], "quotes");
            double t0 = ws_bench_cpu_now();
            for (size_t i = b0; i < b1; i++) {
                ws_value_arena_t *prev = ws_value_arena_enter(ws_record_arena(recs[i]));
                ws_result_t qr = ws_builtin_quotes.process(q, recs[i], reason, sizeof(reason));
                ws_value_arena_leave(prev);
                if (qr != WS_KEEP) {
                    fprintf(stderr, "bench_quotes: quotes failed: %s\n", reason);
                    return 1;
                }
            }
            secs += ws_bench_cpu_now() - t0;
        }
    }
    if (e) ws_builtin_entities.destroy(e);
    for (size_t i = 0; i < n; i++) quotes += ws_array_size(ws_record_annotation(recs[i], "quotes"));
    double arts = (double)n * rounds;
    printf("bench_quotes: %zu articles x %d rounds (%.1f KB avg, %.1f entities and %.1f quotes per "
           "article%s)\n", n, rounds, bytes / 1024.0 / n, (double)nents / n, (double)quotes / n,
           entities ? "" : ", no entities");
    if (process_rounds)
        printf("bench_quotes: process() %.0f articles/s, %.1f MB/s, %.2f us/article (one core, CPU time)\n",
               arts / secs, bytes * (double)rounds / secs / 1e6, secs / arts * 1e6);
    /* The extractor alone (no entity reading, no annotation values). */
    {
        char err[256];
        qx_lex_t *lx = qx_lex_load(WS_DATA_DIR "/quotes", err, sizeof(err));
        if (!lx) {
            fprintf(stderr, "bench_quotes: %s\n", err);
            return 1;
        }
        qx_quotes_t qs = {0};
        qx_opts_t opt = {0};
        /* Entity lists converted beforehand, so only extraction is timed. */
        qx_ent_t **ents = calloc(n, sizeof(*ents));
        size_t *ne = calloc(n, sizeof(*ne));
        for (size_t i = 0; i < n; i++) {
            const ws_value_t *ev = ws_record_annotation(recs[i], "entities");
            size_t m = ws_array_size(ev);
            ents[i] = calloc(m + 1, sizeof(qx_ent_t));
            for (size_t k = 0; k < m; k++) {
                const ws_value_t *e = ws_array_at(ev, k);
                const char *t = ws_value_str(ws_object_get(e, "type"), NULL);
                qx_ent_t *x = &ents[i][ne[i]++];
                x->start = (uint32_t)ws_value_num(ws_object_get(e, "start"));
                x->end = (uint32_t)ws_value_num(ws_object_get(e, "end"));
                x->ready = QX_EF_ALL;
                x->type = !t ? QX_E_OTHER : !strcmp(t, "PERSON") ? QX_E_PERSON : !strcmp(t, "ORG") ? QX_E_ORG
                        : !strcmp(t, "GPE") ? QX_E_GPE : !strcmp(t, "NORP") ? QX_E_NORP : QX_E_OTHER;
                x->canon = ws_value_str(ws_object_get(e, "canonical"), &x->canon_len);
            }
        }
        /* One scratch for all calls, as the processor keeps per thread. */
        qx_scratch_t *sx = qx_scratch_new();
        if (!sx) return 1;
        double t0 = ws_bench_cpu_now();
        for (int r = 0; r < rounds; r++)
            for (size_t i = 0; i < n; i++) {
                size_t bl;
                const char *b = ws_record_field(recs[i], WS_FIELD_BODY, &bl);
                if (qx_extract_sx(lx, &opt, b, bl, ents[i], ne[i], &qs, sx) != 0) return 1;
            }
        qx_scratch_free(sx);
        for (size_t i = 0; i < n; i++) free(ents[i]);
        free(ents);
        free(ne);
        double es = ws_bench_cpu_now() - t0;
        printf("bench_quotes: extractor alone %.0f articles/s, %.1f MB/s, %.2f us/article\n", arts / es,
               bytes * (double)rounds / es / 1e6, es / arts * 1e6);
        free(qs.q);
        qx_lex_free(lx);
    }
    ws_builtin_quotes.destroy(q);
    for (size_t i = 0; i < n; i++) {
        ws_record_free(recs[i]);
        free(bodies[i]);
    }
    free(recs);
    free(bodies);
    return 0;
}
