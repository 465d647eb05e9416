/* quotes_tool.c -- runs the quote extractor alone over JSON lines
 * ({"body": ..., "entities": [...]}), printing {"quotes": [...]} a line.
 * A development and evaluation aid that needs neither the core nor the
 * entities processor (entities are read when the input carries them). */
#include "qx.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ecmp(const void *a, const void *b)
{
    const qx_ent_t *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : WS_DATA_DIR "/quotes";
    char err[512];
    qx_lex_t *lx = qx_lex_load(dir, err, sizeof(err));
    if (!lx) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    qx_opts_t opt = {0};
    size_t cap = 1 << 20;
    char *line = malloc(cap);
    qx_quotes_t qs = {0};
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        cJSON *j = cJSON_Parse(line);
        const cJSON *b = cJSON_GetObjectItem(j, "body");
        if (!cJSON_IsString(b)) {
            puts("{\"quotes\":[]}");
            cJSON_Delete(j);
            continue;
        }
        const char *body = b->valuestring;
        size_t blen = strlen(body);
        const cJSON *ev = cJSON_GetObjectItem(j, "entities");
        size_t ne = 0;
        qx_ent_t *ents = calloc((size_t)cJSON_GetArraySize(ev) + 1, sizeof(*ents));
        const cJSON *e;
        cJSON_ArrayForEach(e, ev) {
            const cJSON *t = cJSON_GetObjectItem(e, "type"), *cn = cJSON_GetObjectItem(e, "canonical");
            ents[ne].start = (uint32_t)cJSON_GetObjectItem(e, "start")->valuedouble;
            ents[ne].end = (uint32_t)cJSON_GetObjectItem(e, "end")->valuedouble;
            ents[ne].type = qx_etype_of(cJSON_IsString(t) ? t->valuestring : NULL);
            ents[ne].canon = cJSON_IsString(cn) ? cn->valuestring : NULL;
            ents[ne].canon_len = ents[ne].canon ? strlen(ents[ne].canon) : 0;
            ne++;
        }
        qsort(ents, ne, sizeof(*ents), ecmp);
        if (qx_extract(lx, &opt, body, blen, ents, ne, &qs) != 0) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }
        cJSON *out = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(out, "quotes");
        for (size_t i = 0; i < qs.n; i++) {
            const qx_quote_t *q = &qs.q[i];
            cJSON *o = cJSON_CreateObject(), *sp = cJSON_CreateArray();
            char *text = malloc(blen + QX_MAX_SPANS + 1);
            size_t tl = 0;
            for (int s = 0; s < q->nspans; s++) {
                cJSON *pr = cJSON_CreateArray();
                cJSON_AddItemToArray(pr, cJSON_CreateNumber(q->span[s][0]));
                cJSON_AddItemToArray(pr, cJSON_CreateNumber(q->span[s][1]));
                cJSON_AddItemToArray(sp, pr);
                if (s) text[tl++] = ' ';
                memcpy(text + tl, body + q->span[s][0], q->span[s][1] - q->span[s][0]);
                tl += q->span[s][1] - q->span[s][0];
            }
            text[tl] = '\0';
            cJSON_AddStringToObject(o, "text", text);
            free(text);
            cJSON_AddNumberToObject(o, "start", q->span[0][0]);
            cJSON_AddNumberToObject(o, "end", q->span[q->nspans - 1][1]);
            cJSON_AddItemToObject(o, "spans", sp);
            if (q->sp_kind) {
                cJSON *so = cJSON_AddObjectToObject(o, "speaker");
                char *nm = q->name ? strndup(q->name, q->name_len) : NULL;
                char *tx = strndup(body + q->sp_start, q->sp_end - q->sp_start);
                if (nm) cJSON_AddStringToObject(so, "name", nm);
                else cJSON_AddNullToObject(so, "name");
                cJSON_AddStringToObject(so, "text", tx);
                cJSON_AddNumberToObject(so, "start", q->sp_start);
                cJSON_AddNumberToObject(so, "end", q->sp_end);
                free(nm);
                free(tx);
            } else {
                cJSON_AddNullToObject(o, "speaker");
            }
            if (q->cue_end) {
                char *cu = strndup(body + q->cue_start, q->cue_end - q->cue_start);
                cJSON_AddStringToObject(o, "cue", cu);
                free(cu);
            } else {
                cJSON_AddNullToObject(o, "cue");
            }
            cJSON_AddBoolToObject(o, "partial", q->partial);
            cJSON_AddItemToArray(arr, o);
        }
        char *s = cJSON_PrintUnformatted(out);
        puts(s);
        free(s);
        cJSON_Delete(out);
        cJSON_Delete(j);
        free(ents);
    }
    free(qs.q);
    free(line);
    qx_lex_free(lx);
    return 0;
}
