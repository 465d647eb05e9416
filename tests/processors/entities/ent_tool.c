/* ent_tool.c -- run the entity tagger outside the pipeline (development and
 * evaluation aid).
 *
 *   ent_tool [-c CONFIG_DIR] [-g GAZETTEER.tsv]... text  < article.txt
 *       one mention a line: start end TYPE canonical | text
 *   ent_tool [-c CONFIG_DIR] [-g ...] jsonl < articles.jsonl
 *       one JSON line per input line: {"id":..., "entities":[...]}
 *   ent_tool [-c CONFIG_DIR] bench < articles.jsonl
 *       tags every body 5 times and prints articles/s
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "ent.h"

static char *slurp(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    size_t r;
    while (b && (r = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (n + 1 >= cap) { char *nb = realloc(b, cap *= 2); if (!nb) { free(b); return NULL; } b = nb; }
    }
    if (b) b[n] = '\0';
    *len = n;
    return b;
}

int main(int argc, char **argv)
{
    const char *dir = WS_DATA_DIR;
    const char *gaz[64];
    size_t ng = 0;
    int i = 1;
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "-c") && i + 1 < argc) dir = argv[++i];
        else if (!strcmp(argv[i], "-g") && i + 1 < argc && ng < 63) gaz[ng++] = argv[++i];
        else break;
    }
    const char *mode = i < argc ? argv[i] : "text";
    const char *lex[] = {"entities/rules/*.tsv"};
    const char *rules[] = {"entities/rules/*.rules"};
    const char *weak[] = {"entities/gazetteers/ambiguous/*.tsv"};
    if (ng == 0) gaz[ng++] = "entities/gazetteers/*.tsv";
    ent_kb_opts_t o = {.dir = dir, .lexicons = lex, .n_lexicons = 1, .gazetteers = gaz,
                       .n_gazetteers = ng, .weak_gazetteers = weak, .n_weak = 1,
                       .rules = rules, .n_rules = 1};
    char err[512];
    clock_t t0 = clock();
    ent_kb_t *kb = ent_kb_load(&o, err, sizeof err);
    if (!kb) { fprintf(stderr, "ent_tool: %s\n", err); return 1; }
    fprintf(stderr, "ent_tool: %zu entries, %zu rules, loaded in %.2fs\n", ent_kb_entries(kb),
            ent_kb_rules(kb), (double)(clock() - t0) / CLOCKS_PER_SEC);
    ent_scratch_t s = {0};
    size_t len;
    char *in = slurp(stdin, &len);
    if (!in) return 1;
    int rc = 0;
    if (!strcmp(mode, "text")) {
        if (ent_tag(kb, in, len, &s, err, sizeof err) < 0) { fprintf(stderr, "%s\n", err); rc = 1; }
        for (size_t k = 0; k < s.ments_n; k++) {
            ent_mention_t *m = &s.ments[k];
            printf("%u %u %s %.*s | %.*s\n", m->start, m->end, ent_type_name(m->type),
                   (int)m->canon_len, m->canon, (int)(m->end - m->start), in + m->start);
        }
    } else {
        /* jsonl / bench */
        int bench = !strcmp(mode, "bench");
        size_t docs = 0, bytes = 0;
        char **bodies = NULL;
        size_t *blens = NULL, nb = 0, cb = 0;
        char *p = in;
        while (*p) {
            char *nl = strchr(p, '\n');
            if (nl) *nl = '\0';
            cJSON *j = cJSON_Parse(p);
            cJSON *b = j ? cJSON_GetObjectItem(j, "body") : NULL;
            if (cJSON_IsString(b)) {
                const char *body = b->valuestring;
                size_t bl = strlen(body);
                if (bench) {
                    if (nb == cb) { cb = cb ? cb * 2 : 1024; bodies = realloc(bodies, cb * sizeof *bodies); blens = realloc(blens, cb * sizeof *blens); }
                    bodies[nb] = strdup(body);
                    blens[nb++] = bl;
                } else {
                    cJSON *out = cJSON_CreateObject();
                    cJSON *id = cJSON_GetObjectItem(j, "id");
                    if (id) cJSON_AddItemToObject(out, "id", cJSON_Duplicate(id, 1));
                    cJSON *arr = cJSON_AddArrayToObject(out, "entities");
                    if (ent_tag(kb, body, bl, &s, err, sizeof err) < 0) {
                        cJSON_AddStringToObject(out, "error", err);
                    } else {
                        for (size_t k = 0; k < s.ments_n; k++) {
                            ent_mention_t *m = &s.ments[k];
                            cJSON *e = cJSON_CreateObject();
                            char *tx = strndup(body + m->start, m->end - m->start);
                            char *cn = strndup(m->canon, m->canon_len);
                            cJSON_AddStringToObject(e, "text", tx);
                            cJSON_AddStringToObject(e, "type", ent_type_name(m->type));
                            cJSON_AddStringToObject(e, "canonical", cn);
                            cJSON_AddNumberToObject(e, "start", m->start);
                            cJSON_AddNumberToObject(e, "end", m->end);
                            cJSON_AddItemToArray(arr, e);
                            free(tx);
                            free(cn);
                        }
                    }
                    char *txt = cJSON_PrintUnformatted(out);
                    puts(txt);
                    free(txt);
                    cJSON_Delete(out);
                }
            }
            cJSON_Delete(j);
            if (!nl) break;
            p = nl + 1;
        }
        if (bench) {
            struct timespec a, b2;
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
            size_t ments = 0;
            int tokonly = getenv("ENT_TOKENIZE_ONLY") != NULL;
            ent_tok_t *tt = NULL;
            for (int rep = 0; rep < 5; rep++)
                for (size_t k = 0; k < nb; k++) {
                    if (tokonly) {
                        tt = realloc(tt, (blens[k] + 1) * sizeof *tt);
                        ments += ent_tokenize(kb, bodies[k], blens[k], tt);
                    } else {
                        if (ent_tag(kb, bodies[k], blens[k], &s, err, sizeof err) < 0) { fprintf(stderr, "%s\n", err); }
                        ments += s.ments_n;
                    }
                    docs++;
                    bytes += blens[k];
                }
            free(tt);
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b2);
            double sec = (double)(b2.tv_sec - a.tv_sec) + (double)(b2.tv_nsec - a.tv_nsec) / 1e9;
            printf("%zu articles, %.1f MB, %zu mentions in %.3fs: %.0f articles/s, %.1f MB/s\n",
                   docs, bytes / 1e6, ments, sec, docs / sec, bytes / 1e6 / sec);
            for (size_t k = 0; k < nb; k++) free(bodies[k]);
            free(bodies);
            free(blens);
        }
    }
    free(in);
    ent_scratch_free(&s);
    ent_kb_free(kb);
    return rc;
}
