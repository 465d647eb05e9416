/* test_quotes_processor.c -- the quotes processor through the record API:
 * config, the entities_from annotation, output shape, max_quotes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "wirestream_processor.h"
#include "ws_configmap.h"
#include "ws_record_host.h"
#include "quotes_check.h"

extern const ws_processor_t ws_builtin_quotes;


static const char *data_dir;

/* A quotes instance from a JSON config ("{}" for defaults); NULL with err. */
static void *make(const char *json, char *err, size_t errlen)
{
    static char cfg[512];
    static ws_configmap_store_t st;
    static int have_store;
    if (have_store) ws_configmap_store_free(&st);
    ws_configmap_store_init(&st);
    have_store = 1;
    memset(cfg, 0, sizeof(cfg));
    cJSON *obj = cJSON_Parse(json);
    int rc = ws_configmap_apply(ws_builtin_quotes.config, obj, NULL, NULL, cfg, &st, "test", "test",
                                err, errlen);
    cJSON_Delete(obj);
    if (rc != 0 || ws_builtin_quotes.config_size > sizeof(cfg)) return NULL;
    ws_create_info_t info = {"quotes", data_dir, 0};
    return ws_builtin_quotes.create(cfg, &info, err, errlen);
}

static ws_record_t *record(const char *body)
{
    ws_article_t a;
    memset(&a, 0, sizeof(a));
    a.value[WS_FIELD_ID] = strdup("t1");
    a.len[WS_FIELD_ID] = 2;
    a.value[WS_FIELD_BODY] = strdup(body);
    a.len[WS_FIELD_BODY] = strlen(body);
    ws_record_t *r = ws_record_new();
    ws_record_take_article(r, &a);
    return r;
}

/* Stores a one-mention entity list under key, as an entities entry would. */
static void add_entity(ws_record_t *r, const char *key, const char *body, const char *text,
                       const char *type, const char *canon, long start_override)
{
    const char *p = strstr(body, text);
    long s = start_override >= 0 ? start_override : (long)(p - body);
    ws_value_t *list = ws_value_array(), *m = ws_value_object();
    ws_object_set(m, "text", ws_value_string(text, strlen(text)));
    ws_object_set(m, "type", ws_value_string(type, strlen(type)));
    ws_object_set(m, "canonical", ws_value_string(canon, strlen(canon)));
    ws_object_set(m, "start", ws_value_int(s));
    ws_object_set(m, "end", ws_value_int(s + (long)strlen(text)));
    ws_array_push(list, m);
    ws_record_set_entry(r, key);
    ws_record_annotate(r, key, list);
}

static const ws_value_t *run(void *q, ws_record_t *r)
{
    char reason[256];
    ws_record_set_entry(r, "quotes");
    ws_result_t res = ws_builtin_quotes.process(q, r, reason, sizeof(reason));
    CHECK(res == WS_KEEP, "process returned %d (%s)", res, reason);
    return ws_record_annotation(r, "quotes");
}

static const char *str(const ws_value_t *v, const char *key)
{
    const char *s = ws_value_str(ws_object_get(v, key), NULL);
    return s ? s : "(null)";
}

static const char *body2 = "\"Rates will stay low,\" Smith said. \"We see no risk,\" the bank's economist added.";

static void test_output_shape_and_entity_link(void)
{
    char err[256];
    void *q = make("{\"entities_from\": \"ents\"}", err, sizeof(err));
    CHECK(q != NULL, "create: %s", err);
    if (!q) return;
    ws_record_t *r = record(body2);
    add_entity(r, "ents", body2, "Smith", "PERSON", "Ann Smith", -1);
    const ws_value_t *qs = run(q, r);
    CHECK(ws_array_size(qs) == 2, "%zu quotes", ws_array_size(qs));
    const ws_value_t *a = ws_array_at(qs, 0);
    CHECK(!strcmp(str(a, "text"), "Rates will stay low,"), "text %s", str(a, "text"));
    CHECK(ws_value_num(ws_object_get(a, "start")) == 1 && ws_value_num(ws_object_get(a, "end")) == 21,
          "offsets exclude the marks");
    const ws_value_t *sp = ws_array_at(ws_object_get(a, "spans"), 0);
    CHECK(ws_array_size(ws_object_get(a, "spans")) == 1 && ws_value_num(ws_array_at(sp, 0)) == 1 &&
              ws_value_num(ws_array_at(sp, 1)) == 21,
          "spans [[1,21]]");
    const ws_value_t *spk = ws_object_get(a, "speaker");
    CHECK(!strcmp(str(spk, "name"), "Ann Smith"), "name %s", str(spk, "name"));
    CHECK(!strcmp(str(spk, "text"), "Smith"), "speaker text %s", str(spk, "text"));
    CHECK(!strcmp(str(a, "cue"), "said"), "cue %s", str(a, "cue"));
    CHECK(ws_value_type(ws_object_get(a, "partial")) == WS_VALUE_BOOL && !ws_value_truthy(ws_object_get(a, "partial")),
          "partial false");
    const ws_value_t *b = ws_array_at(qs, 1);
    const ws_value_t *bsp = ws_object_get(b, "speaker");
    CHECK(!strcmp(str(bsp, "text"), "the bank's economist"), "description %s", str(bsp, "text"));
    CHECK(ws_value_type(ws_object_get(bsp, "name")) == WS_VALUE_NULL, "a description has a null name");
    CHECK(!ws_record_truncated(r), "not truncated");
    ws_record_free(r);
    ws_builtin_quotes.destroy(q);
}

static void test_without_entities_names_stay_text(void)
{
    char err[256];
    void *q = make("{}", err, sizeof(err));
    CHECK(q != NULL, "create: %s", err);
    if (!q) return;
    ws_record_t *r = record(body2);
    const ws_value_t *qs = run(q, r);
    CHECK(ws_array_size(qs) == 2, "%zu quotes", ws_array_size(qs));
    CHECK(!strcmp(str(ws_object_get(ws_array_at(qs, 0), "speaker"), "name"), "Smith"), "weak name");
    ws_record_free(r);
    ws_builtin_quotes.destroy(q);
}

static void test_max_quotes_truncates(void)
{
    char err[256];
    void *q = make("{\"max_quotes\": 1}", err, sizeof(err));
    CHECK(q != NULL, "create: %s", err);
    if (!q) return;
    ws_record_t *r = record(body2);
    const ws_value_t *qs = run(q, r);
    CHECK(ws_array_size(qs) == 1, "%zu quotes", ws_array_size(qs));
    CHECK(ws_record_truncated(r), "record marked truncated");
    ws_record_free(r);
    ws_builtin_quotes.destroy(q);
}

static void test_bad_entities_are_ignored(void)
{
    char err[256];
    void *q = make("{}", err, sizeof(err));
    if (!q) return;
    ws_record_t *r = record(body2);
    add_entity(r, "entities", body2, "Smith", "PERSON", "Ann Smith", 100000);   /* past the body */
    const ws_value_t *qs = run(q, r);
    CHECK(ws_array_size(qs) == 2, "%zu quotes", ws_array_size(qs));
    CHECK(!strcmp(str(ws_object_get(ws_array_at(qs, 0), "speaker"), "name"), "Smith"), "bad mention not used");
    ws_record_free(r);
    ws_builtin_quotes.destroy(q);
}

/* Mentions out of body order are read in full and sorted: the speaker is
 * linked as with the same list in order. */
static void test_unsorted_entities_are_sorted(void)
{
    char err[256];
    void *q = make("{}", err, sizeof(err));
    if (!q) return;
    const char *body = "Ann Smith met Bo Lee. \"Rates will stay low,\" Smith said. \"No,\" Lee said.";
    ws_record_t *r = record(body);
    ws_value_t *list = ws_value_array();
    static const char *const names[][3] = {{"Bo Lee", "PERSON", "Bo Lee"}, {"Ann Smith", "PERSON", "Ann Smith"}};
    for (int k = 0; k < 2; k++) {   /* Lee first, Smith second: out of order */
        long s = (long)(strstr(body, names[k][0]) - body);
        ws_value_t *m = ws_value_object();
        ws_object_set(m, "text", ws_value_string(names[k][0], strlen(names[k][0])));
        ws_object_set(m, "type", ws_value_string(names[k][1], strlen(names[k][1])));
        ws_object_set(m, "canonical", ws_value_string(names[k][2], strlen(names[k][2])));
        ws_object_set(m, "start", ws_value_int(s));
        ws_object_set(m, "end", ws_value_int(s + (long)strlen(names[k][0])));
        ws_array_push(list, m);
    }
    ws_record_set_entry(r, "entities");
    ws_record_annotate(r, "entities", list);
    const ws_value_t *qs = run(q, r);
    CHECK(ws_array_size(qs) == 2, "%zu quotes", ws_array_size(qs));
    CHECK(!strcmp(str(ws_object_get(ws_array_at(qs, 0), "speaker"), "name"), "Ann Smith"), "Smith linked: %s",
          str(ws_object_get(ws_array_at(qs, 0), "speaker"), "name"));
    CHECK(!strcmp(str(ws_object_get(ws_array_at(qs, 1), "speaker"), "name"), "Bo Lee"), "Lee linked: %s",
          str(ws_object_get(ws_array_at(qs, 1), "speaker"), "name"));
    ws_record_free(r);
    ws_builtin_quotes.destroy(q);
}

/* Mention fields are read by walking members, not by name: a list whose
 * mentions put their fields in other orders, among extra members (some
 * with the same length and first letter as a field), or lack some, links
 * the same speakers as the plain list. */
static const char *walk_body =
    "Ann Smith met Bo Lee and Cy Dunn. \"Rates will stay low,\" Smith said. \"No,\" Lee said. "
    "\"Maybe,\" Dunn said. \"Later,\" Smith added.";
static const char *const walk_ents[][3] = {   /* text, type, canonical; first occurrence from `from` */
    {"Ann Smith", "PERSON", "Ann Smith"}, {"Bo Lee", "PERSON", "Robert Lee"}, {"Cy Dunn", "PERSON", "Cy Dunn"},
    {"Smith", "PERSON", "Ann Smith"}, {"Lee", "PERSON", "Robert Lee"}, {"Dunn", "PERSON", "Cy Dunn"},
    {"Smith", "PERSON", "Ann Smith"}};

/* One mention in one of several layouts; `omit` names a field left out. */
static ws_value_t *walk_mention(const char *const e[3], long s, int layout, const char *omit)
{
    ws_value_t *m = ws_value_object();
    long en = s + (long)strlen(e[0]);
    const char *order[4][9] = {
        {"text", "type", "canonical", "start", "end"},
        {"end", "canonical", "start", "type", "text"},
        /* decoys: score/eng/tier/canonic_x share a field's length and first letter */
        {"score", "eng", "tier", "canonic_x", "start", "confidence_value", "type", "end", "canonical"},
        {"canonical", "x", "end", "type", "text", "start", "source"},
    };
    for (int k = 0; k < 9 && order[layout][k]; k++) {
        const char *key = order[layout][k];
        if (omit && !strcmp(key, omit)) continue;
        ws_value_t *v;
        if (!strcmp(key, "text")) v = ws_value_string(e[0], strlen(e[0]));
        else if (!strcmp(key, "type")) v = ws_value_string(e[1], strlen(e[1]));
        else if (!strcmp(key, "canonical")) v = ws_value_string(e[2], strlen(e[2]));
        else if (!strcmp(key, "start")) v = ws_value_int(s);
        else if (!strcmp(key, "end")) v = ws_value_int(en);
        else if (!strcmp(key, "tier")) v = ws_value_string("ORG", 3);
        else if (!strcmp(key, "canonic_x")) v = ws_value_string("Wrong Name", 10);
        else if (!strcmp(key, "source")) v = ws_value_string("plugin", 6);
        else v = ws_value_int(0);
        ws_object_set(m, key, v);
    }
    return m;
}

/* The speaker names and starts of walk_body's quotes (joined by '|') with
 * mention k in layout (k + rot) % nlayouts (0 without nlayouts); the
 * mentions in bit set omit_k lack field omit. */
static void walk_names(void *q, int rot, int nlayouts, unsigned omit_k, const char *omit, char *out, size_t outlen)
{
    ws_record_t *r = record(walk_body);
    ws_value_t *list = ws_value_array();
    const char *from = walk_body;
    size_t n = sizeof(walk_ents) / sizeof(walk_ents[0]);
    for (size_t k = 0; k < n; k++) {
        const char *p = strstr(k < 3 ? walk_body : from, walk_ents[k][0]);
        long s = (long)(p - walk_body);
        if (k >= 3) from = p + strlen(walk_ents[k][0]);
        int layout = nlayouts ? (int)((k + (size_t)rot) % (size_t)nlayouts) : 0;
        ws_array_push(list, walk_mention(walk_ents[k], s, layout, (omit_k >> k) & 1 ? omit : NULL));
        if (k == 3) ws_array_push(list, ws_value_int(7));   /* not an object: skipped */
    }
    ws_record_set_entry(r, "entities");
    ws_record_annotate(r, "entities", list);
    const ws_value_t *qs = run(q, r);
    out[0] = '\0';
    for (size_t i = 0; i < ws_array_size(qs); i++) {
        const ws_value_t *sp = ws_object_get(ws_array_at(qs, i), "speaker");
        size_t used = strlen(out);
        snprintf(out + used, outlen - used, "%s%s@%g", i ? "|" : "", str(sp, "name"),
                 ws_value_num(ws_object_get(sp, "start")));
    }
    ws_record_free(r);
}

static void test_mention_fields_any_layout(void)
{
    char err[256];
    void *q = make("{}", err, sizeof(err));
    CHECK(q != NULL, "create: %s", err);
    if (!q) return;
    char plain[512], got[512];
    walk_names(q, 0, 0, 0, NULL, plain, sizeof(plain));
    CHECK(!strcmp(plain, "Ann Smith@57|Robert Lee@75|Cy Dunn@94|Ann Smith@114"), "plain list: %s", plain);
    for (int nl = 2; nl <= 4; nl++)
        for (int rot = 0; rot < nl; rot++) {
            walk_names(q, rot, nl, 0, NULL, got, sizeof(got));
            CHECK(!strcmp(got, plain), "layouts %d rot %d: %s", nl, rot, got);
        }
    for (int layout = 1; layout < 4; layout++) {   /* one layout for the whole list */
        walk_names(q, layout, 4, 0, NULL, got, sizeof(got));
        CHECK(!strcmp(got, plain), "rotation %d: %s", layout, got);
    }
    /* Both Lee mentions (bits 1 and 4) lack a field: without canonical,
     * start or type the speaker keeps its text; without end the mention
     * still names it.  Any layout reads the same. */
    static const char *const omit[][2] = {
        {"canonical", "Ann Smith@57|Lee@75|Cy Dunn@94|Ann Smith@114"},
        {"start", "Ann Smith@57|Lee@75|Cy Dunn@94|Ann Smith@114"},
        {"type", "Ann Smith@57|Lee@75|Cy Dunn@94|Ann Smith@114"},
        {"end", "Ann Smith@57|Robert Lee@75|Cy Dunn@94|Ann Smith@114"},
    };
    for (int o = 0; o < 4; o++)
        for (int rot = -1; rot < 4; rot++) {
            walk_names(q, rot < 0 ? 0 : rot, rot < 0 ? 0 : 4, 0x12, omit[o][0], got, sizeof(got));
            CHECK(!strcmp(got, omit[o][1]), "without %s, rot %d: %s", omit[o][0], rot, got);
        }
    ws_builtin_quotes.destroy(q);
}

/* One instance keeps its working memory between calls: a record after a
 * bigger one gets exactly what a fresh instance gives it. */
static void test_instance_reuse_leaves_no_state(void)
{
    char err[256];
    void *q = make("{}", err, sizeof(err));
    void *fresh = make("{}", err, sizeof(err));
    if (!q || !fresh) return;
    char big[8192];
    size_t n = 0;
    for (int k = 0; k < 60; k++)
        n += (size_t)snprintf(big + n, sizeof(big) - n, "\"Point %d is made,\" Smith said. ", k);
    ws_record_t *r1 = record(big);
    CHECK(ws_array_size(run(q, r1)) == 60, "%zu quotes in the big record", ws_array_size(ws_record_annotation(r1, "quotes")));
    ws_record_t *r2 = record(body2), *r3 = record(body2);
    const ws_value_t *a = run(q, r2), *b = run(fresh, r3);
    CHECK(ws_array_size(a) == ws_array_size(b) && ws_array_size(a) == 2, "%zu vs %zu quotes", ws_array_size(a),
          ws_array_size(b));
    for (size_t i = 0; i < ws_array_size(a) && i < ws_array_size(b); i++) {
        const ws_value_t *x = ws_array_at(a, i), *y = ws_array_at(b, i);
        CHECK(!strcmp(str(x, "text"), str(y, "text")) && !strcmp(str(x, "cue"), str(y, "cue")) &&
                  !strcmp(str(ws_object_get(x, "speaker"), "text"), str(ws_object_get(y, "speaker"), "text")),
              "quote %zu differs", i);
    }
    ws_record_free(r1);
    ws_record_free(r2);
    ws_record_free(r3);
    ws_builtin_quotes.destroy(q);
    ws_builtin_quotes.destroy(fresh);
}

static void test_no_quotes_gives_empty_list(void)
{
    char err[256];
    void *q = make("{}", err, sizeof(err));
    if (!q) return;
    ws_record_t *r = record("Markets were calm on Monday.\n");
    const ws_value_t *qs = run(q, r);
    CHECK(ws_value_type(qs) == WS_VALUE_ARRAY && ws_array_size(qs) == 0, "an empty list");
    ws_record_free(r);
    ws_builtin_quotes.destroy(q);
}

static void test_bad_config_is_refused(void)
{
    char err[256] = "";
    CHECK(make("{\"max_quotes\": -1}", err, sizeof(err)) == NULL && strstr(err, "max_quotes"),
          "negative max_quotes refused: [%s]", err);
    err[0] = '\0';
    CHECK(make("{\"data_dir\": \"/nonexistent\"}", err, sizeof(err)) == NULL && strstr(err, "cues.txt"),
          "missing data dir names the file: [%s]", err);
    err[0] = '\0';
    CHECK(make("{\"no_such_key\": 1}", err, sizeof(err)) == NULL && strstr(err, "no_such_key"),
          "unknown key refused: [%s]", err);
}

int main(int argc, char **argv)
{
    data_dir = argc > 1 ? argv[1] : WS_DATA_DIR;
    CHECK(ws_builtin_quotes.flags & WS_PROCESSOR_THREAD_SAFE, "declared thread-safe");
    test_output_shape_and_entity_link();
    test_without_entities_names_stay_text();
    test_max_quotes_truncates();
    test_bad_entities_are_ignored();
    test_unsorted_entities_are_sorted();
    test_mention_fields_any_layout();
    test_instance_reuse_leaves_no_state();
    test_no_quotes_gives_empty_list();
    test_bad_config_is_refused();
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
