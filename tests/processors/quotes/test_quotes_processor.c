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
    test_instance_reuse_leaves_no_state();
    test_no_quotes_gives_empty_list();
    test_bad_config_is_refused();
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
