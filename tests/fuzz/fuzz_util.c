/* fuzz_util.c -- see fuzz_util.h. */
#include "fuzz_util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ws_article.h"

#ifndef WS_FUZZ_CONFIG_DIR
#error "WS_FUZZ_CONFIG_DIR must name the repository's config/ directory"
#endif

/* ---------------------------------------------------------------- work dir */

static char dirs[2][256];
static char made[32][320];   /* files and directories to remove at exit, in order */
static int nmade;

static void cleanup(void) {
    for (int i = nmade; i-- > 0;) {
        if (unlink(made[i]) != 0) rmdir(made[i]);
    }
    nmade = 0;
    dirs[0][0] = dirs[1][0] = '\0';
}

static void remember(const char *path) {
    if (nmade < (int)(sizeof made / sizeof made[0]))
        snprintf(made[nmade++], sizeof made[0], "%s", path);
}

static void die(const char *what, const char *path) {
    fprintf(stderr, "fuzz setup: %s %s: %s\n", what, path, strerror(errno));
    abort();
}

static void put(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) die("cannot write", path);
    remember(path);
}

static void sub(char *out, size_t n, const char *dir, const char *name) {
    snprintf(out, n, "%s/%s", dir, name);
}

static void link_to(const char *target, const char *path) {
    if (symlink(target, path) != 0) die("cannot link", path);
    remember(path);
}

static void dir_make(const char *path) {
    if (mkdir(path, 0700) != 0) die("cannot create", path);
    remember(path);
}

/* Tiny synthetic data: a handful of names of every kind the tagger knows,
 * the small shipped word lists and rules, and the shipped quote lexicon. */
static void tiny_data(const char *d) {
    char p[320];
    sub(p, sizeof p, d, "entities");
    dir_make(p);
    sub(p, sizeof p, d, "entities/gazetteers");
    dir_make(p);
    sub(p, sizeof p, d, "entities/gazetteers/ambiguous");
    dir_make(p);
    sub(p, sizeof p, d, "entities/rules");
    dir_make(p);
    sub(p, sizeof p, d, "entities/gazetteers/10-tiny.tsv");
    put(p, "# synthetic\n"
           "Marta Olsen\tPERSON\tMarta Olsen\n"
           "Northwind Shipping\tORG\tNorthwind Shipping\n"
           "Valdoria\tGPE\tValdoria\n"
           "Valdorian\tNORP\tValdoria\n"
           "Port Ellis\tGPE\tPort Ellis\n"
           "Harbour Board\tORG\tHarbour Board\n"
           "minister\tTITLE\tminister\n");
    sub(p, sizeof p, d, "entities/gazetteers/ambiguous/tiny.tsv");
    put(p, "Reading\tGPE\tReading\n");
    static const char *const rules[] = {"abbreviations.tsv", "context.tsv", "names.rules",
                                        "numeric.rules"};
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        char target[512];
        snprintf(target, sizeof target, "%s/entities/rules/%s", WS_FUZZ_CONFIG_DIR, rules[i]);
        snprintf(p, sizeof p, "%s/entities/rules/%s", d, rules[i]);
        if (access(target, R_OK) == 0) link_to(target, p);
    }
    sub(p, sizeof p, d, "quotes");
    link_to(WS_FUZZ_CONFIG_DIR "/quotes", p);
}

const char *fz_workdir(int real_data) {
    char *d = dirs[real_data ? 1 : 0];
    if (d[0]) return d;
    const char *tmp = getenv("TMPDIR");
    snprintf(d, sizeof dirs[0], "%s/wsfuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(d)) die("cannot create", d);
    static int registered;
    if (!registered) {
        registered = 1;
        atexit(cleanup);
    }
    remember(d);
    char p[320];
    if (real_data) {
        sub(p, sizeof p, d, "entities");
        link_to(WS_FUZZ_CONFIG_DIR "/entities", p);
        sub(p, sizeof p, d, "quotes");
        link_to(WS_FUZZ_CONFIG_DIR "/quotes", p);
    } else {
        tiny_data(d);
    }
    return d;
}

const char *fz_write(int real_data, const char *name, const void *text, size_t n) {
    static char path[320];
    snprintf(path, sizeof path, "%s/%s", fz_workdir(real_data), name);
    int known = 0;
    for (int i = 0; i < nmade; i++)
        if (strcmp(made[i], path) == 0) known = 1;
    FILE *f = fopen(path, "wb");
    if (!f) return NULL;
    size_t w = fwrite(text, 1, n, f);
    if (fclose(f) != 0 || w != n) return NULL;
    if (!known) remember(path);   /* removed before its directory (reverse order) */
    return path;
}

ws_pipeline_t *fz_pipeline(const char *config_text, int has_state, ws_config_t **cfg_out) {
    const char *path = fz_write(1, "wirestream.json", config_text, strlen(config_text));
    if (!path) die("cannot write", "config");
    char err[2048];
    ws_config_t *cfg = NULL;
    ws_pipeline_t *p = NULL;
    ws_log_setup(WS_LOG_LOGFMT, WS_LOG_ERROR);
    if (ws_config_load(path, NULL, 0, &cfg, err, sizeof err) < 0 ||
        ws_pipeline_new(cfg, NULL, 0, has_state, &p, err, sizeof err) < 0) {
        fprintf(stderr, "fuzz setup: %s\n", err);
        abort();
    }
    if (cfg_out) *cfg_out = cfg;
    else ws_config_free(cfg);
    /* Processors read their data in create(): the directory can go now
     * (libFuzzer does not always run atexit handlers). */
    cleanup();
    return p;
}

/* ---------------------------------------------------------------- UTF-8 */

static size_t seq_len(const uint8_t *p, size_t n) {
    uint8_t c = p[0];
    if (c < 0x80) return 1;
    size_t need;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) need = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else return 0;
    if (n < need || p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < need; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    return need;
}

size_t fz_utf8_repair(const uint8_t *in, size_t n, char *out) {
    size_t i = 0;
    while (i < n) {
        size_t k = seq_len(in + i, n - i);
        if (!k) { out[i++] = '?'; continue; }
        memcpy(out + i, in + i, k);
        i += k;
    }
    out[n] = '\0';
    return n;
}

/* ---------------------------------------------------------------- checks */

static const char *body;
static size_t body_len;
static const char *ctx_json;

static void fail(const char *what) {
    fprintf(stderr, "fuzz invariant violated: %s\nrecord: %.4000s\n", what, ctx_json ? ctx_json : "?");
    abort();
}

static int boundary(size_t off) {
    return off == body_len || ((unsigned char)body[off] & 0xC0) != 0x80;
}

/* An offset pair [s, e) inside the body, on character boundaries. */
static void check_span(const cJSON *s, const cJSON *e, int nonempty, const char *what) {
    if (!cJSON_IsNumber(s) || !cJSON_IsNumber(e)) fail(what);
    double a = s->valuedouble, b = e->valuedouble;
    if (a < 0 || b < a || b > (double)body_len || a != (double)(size_t)a || b != (double)(size_t)b)
        fail(what);
    if (nonempty && a == b) fail(what);
    if (!boundary((size_t)a) || !boundary((size_t)b)) fail(what);
}

static void check_slice(const cJSON *text, const cJSON *s, const cJSON *e, const char *what) {
    if (!cJSON_IsString(text)) fail(what);
    size_t a = (size_t)s->valuedouble, b = (size_t)e->valuedouble;
    if (strlen(text->valuestring) != b - a || memcmp(text->valuestring, body + a, b - a) != 0)
        fail(what);
}

static void check_entities(const cJSON *ents) {
    if (!ents) return;
    if (!cJSON_IsArray(ents)) fail("entities is not a list");
    const cJSON *m;
    cJSON_ArrayForEach(m, ents) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(m, "start");
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(m, "end");
        check_span(s, e, 1, "entity offsets outside the body or inside a character");
        check_slice(cJSON_GetObjectItemCaseSensitive(m, "text"), s, e,
                    "entity text differs from body[start:end]");
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(m, "type"))) fail("entity without type");
    }
}

static void check_groups(const cJSON *groups) {
    if (!groups) return;
    if (!cJSON_IsArray(groups)) fail("entity_groups is not a list");
    const cJSON *g;
    cJSON_ArrayForEach(g, groups) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(g, "first");
        if (!cJSON_IsNumber(f) || f->valuedouble < 0 || f->valuedouble >= (double)body_len)
            fail("entity_groups first offset outside the body");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(g, "count");
        if (!cJSON_IsNumber(c) || c->valuedouble < 1) fail("entity_groups count < 1");
    }
}

static void check_quotes(const cJSON *quotes) {
    if (!quotes) return;
    if (!cJSON_IsArray(quotes)) fail("quotes is not a list");
    const cJSON *q;
    cJSON_ArrayForEach(q, quotes) {
        check_span(cJSON_GetObjectItemCaseSensitive(q, "start"),
                   cJSON_GetObjectItemCaseSensitive(q, "end"), 0, "quote offsets");
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(q, "text"))) fail("quote without text");
        const cJSON *spans = cJSON_GetObjectItemCaseSensitive(q, "spans");
        if (!cJSON_IsArray(spans) || cJSON_GetArraySize(spans) < 1) fail("quote spans missing or empty");
        const cJSON *sp;
        cJSON_ArrayForEach(sp, spans) {
            if (!cJSON_IsArray(sp) || cJSON_GetArraySize(sp) != 2) fail("quote span is not a pair");
            check_span(cJSON_GetArrayItem(sp, 0), cJSON_GetArrayItem(sp, 1), 0, "quote span offsets");
        }
        const cJSON *who = cJSON_GetObjectItemCaseSensitive(q, "speaker");
        if (!who) fail("quote without speaker key");
        if (cJSON_IsObject(who)) {
            const cJSON *s = cJSON_GetObjectItemCaseSensitive(who, "start");
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(who, "end");
            check_span(s, e, 1, "speaker offsets");
            check_slice(cJSON_GetObjectItemCaseSensitive(who, "text"), s, e,
                        "speaker text differs from body[start:end]");
        } else if (!cJSON_IsNull(who)) {
            fail("speaker is neither an object nor null");
        }
        if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(q, "partial"))) fail("quote partial not a bool");
    }
}

void fz_check_record(ws_record_t *rec, ws_buf_t *out) {
    ws_buf_reset(out);
    if (ws_record_render(rec, out) < 0) return;   /* allocation failure: reported, not a bug */
    ctx_json = out->data;
    body = ws_record_field(rec, WS_FIELD_BODY, &body_len);
    cJSON *root = cJSON_ParseWithLength(out->data, out->len);
    if (!root) fail("rendered record is not valid JSON");
    if (!cJSON_IsObject(root)) fail("rendered record is not an object");
    if (memchr(out->data, '\n', out->len)) fail("rendered record spans lines");
    /* JSON text is UTF-8 (RFC 8259): a processor that slices inside a
     * character would hand consumers an undecodable record. */
    if (!ws_utf8_valid(out->data, out->len)) fail("rendered record is not valid UTF-8");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
    if (!cJSON_IsString(id)) fail("record id missing");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(root, "body");
    if (!cJSON_IsString(b)) fail("record body missing");
    /* cJSON strings stop at NUL: compare only bodies without one. */
    if (body && strlen(body) == body_len &&
        (strlen(b->valuestring) != body_len || memcmp(b->valuestring, body, body_len) != 0))
        fail("rendered body is not byte-identical");
    if (body && strlen(body) == body_len) {
        check_entities(cJSON_GetObjectItemCaseSensitive(root, "entities"));
        check_groups(cJSON_GetObjectItemCaseSensitive(root, "entity_groups"));
        check_quotes(cJSON_GetObjectItemCaseSensitive(root, "quotes"));
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "truncated");
    if (t && !cJSON_IsTrue(t)) fail("truncated present but not true");
    cJSON_Delete(root);
    ctx_json = NULL;
}

void fz_article(ws_article_t *a, const char *body, size_t n, const char *date, const char *id) {
    memset(a, 0, sizeof *a);
    /* Not strndup: a body may hold NUL bytes (JSON "\u0000"). */
    a->value[WS_FIELD_BODY] = malloc(n + 1);
    if (a->value[WS_FIELD_BODY]) {
        memcpy(a->value[WS_FIELD_BODY], body, n);
        a->value[WS_FIELD_BODY][n] = '\0';
        a->len[WS_FIELD_BODY] = n;
    }
    if (date) {
        a->value[WS_FIELD_DATE] = strdup(date);
        a->len[WS_FIELD_DATE] = a->value[WS_FIELD_DATE] ? strlen(date) : 0;
    }
    a->value[WS_FIELD_ID] = strdup(id ? id : "fz");
    a->len[WS_FIELD_ID] = a->value[WS_FIELD_ID] ? strlen(a->value[WS_FIELD_ID]) : 0;
    if (!a->value[WS_FIELD_BODY] || !a->value[WS_FIELD_ID]) abort();
}

void fz_load(ws_record_t *rec, ws_article_t *a) {
    ws_record_reset(rec);
    ws_record_take_article(rec, a);
    ws_record_set_ingest_ms(rec, 1767225600000LL);
}

ws_result_t fz_run(ws_pipeline_t *p, ws_record_t *rec, ws_buf_t *scratch, int state) {
    ws_outcome_t o;
    ws_pipeline_run(p, rec, &o);
    if (o.result == WS_KEEP) fz_check_record(rec, scratch);
    else if (!o.entry || !o.reason_code) {
        fprintf(stderr, "fuzz invariant violated: a drop or error without entry or reason\n");
        abort();
    }
    if (state) {
        for (size_t i = 0; i < ws_record_state_count(rec); i++) {
            const ws_state_write_t *w = ws_record_state_at(rec, i);
            for (size_t e = 0; e < ws_pipeline_size(p); e++) {
                ws_entry_stats_t st;
                ws_pipeline_stats(p, e, &st);
                if (strcmp(st.name, w->entry) == 0)
                    ws_pipeline_state_deliver(p, e, w->key, w->klen, w->val, w->vlen);
            }
        }
    }
    return o.result;
}
