/* test_record.c -- values, the record API and the rendered record. */
#include <stdlib.h>
#include <string.h>

#include "ws_record_host.h"
#include "ws_test.h"
#include "ws_value.h"

static ws_record_t *with_article(const char *json) {
    ws_article_opts_t o;
    ws_article_opts_default(&o);
    ws_article_t a;
    const char *reason;
    char err[128];
    if (ws_article_parse(&o, json, strlen(json), &a, &reason, err, sizeof err) < 0) return NULL;
    ws_record_t *r = ws_record_new();
    ws_record_take_article(r, &a);
    return r;
}

static char *render(const ws_record_t *r) {
    ws_buf_t b;
    ws_buf_init(&b);
    ws_record_render(r, &b);
    return b.data;   /* caller frees */
}

TEST(values_build_and_read_back) {
    ws_value_t *o = ws_value_object();
    ws_value_t *arr = ws_value_array();
    for (int i = 0; i < 100; i++) ws_array_push(arr, ws_value_int(i));
    CHECK(ws_object_set(o, "list", arr) == 0);
    CHECK(ws_object_set(o, "s", ws_value_string("a\"b", 3)) == 0);
    CHECK(ws_object_set(o, "s", ws_value_string("replaced", 8)) == 0);
    CHECK(ws_object_set(o, "d", ws_value_double(0.25)) == 0);
    CHECK(ws_object_set(o, "n", ws_value_null()) == 0);
    CHECK(ws_object_set(o, "b", ws_value_bool(1)) == 0);
    CHECK(ws_array_size(ws_object_get(o, "list")) == 100);
    CHECK(ws_value_num(ws_array_at(ws_object_get(o, "list"), 99)) == 99);
    CHECK(ws_array_at(arr, 100) == NULL);
    CHECK_STR(ws_value_str(ws_object_get(o, "s"), NULL), "replaced");
    CHECK(ws_value_type(ws_object_get(o, "n")) == WS_VALUE_NULL);
    CHECK(ws_value_type(NULL) == WS_VALUE_INVALID);
    CHECK(ws_value_truthy(ws_object_get(o, "b")));
    CHECK(ws_object_set(arr, "x", ws_value_int(1)) == -1);   /* not an object: freed, refused */
    ws_buf_t b;
    ws_buf_init(&b);
    ws_value_t *small = ws_value_object();
    ws_object_set(small, "q", ws_value_string("say \"hi\"\n\x01", 10));
    ws_object_set(small, "x", ws_value_double(1.5));
    ws_object_set(small, "big", ws_value_int(-9007199254740993LL));
    ws_value_render(small, &b);
    CHECK_STR(b.data, "{\"q\":\"say \\\"hi\\\"\\n\\u0001\",\"x\":1.5,\"big\":-9007199254740993}");
    /* A string cut in the middle of a UTF-8 sequence still renders as valid UTF-8. */
    ws_buf_reset(&b);
    ws_value_t *cut = ws_value_string("caf\xc3", 4);
    ws_value_render(cut, &b);
    CHECK_STR(b.data, "\"caf\xef\xbf\xbd\"");
    ws_value_free(cut);
    ws_buf_free(&b);
    ws_value_free(small);
    ws_value_free(o);
}

TEST(render_order_and_absent_fields) {
    ws_record_t *r = with_article("{\"body\":\"B\\n\",\"id\":\"x1\",\"date\":\"Mon, 3 Jan\",\"extra\":1}");
    CHECK(r != NULL);
    ws_record_set_entry(r, "second");
    ws_value_t *v = ws_value_object();
    ws_object_set(v, "k", ws_value_int(2));
    CHECK(ws_record_annotate(r, NULL, v) == 0);
    ws_record_set_entry(r, "first_named_later");
    CHECK(ws_record_annotate(r, "groups", ws_value_array()) == 0);
    char *s = render(r);
    CHECK_STR(s, "{\"id\":\"x1\",\"date\":\"Mon, 3 Jan\",\"body\":\"B\\n\",\"second\":{\"k\":2},\"groups\":[]}");
    free(s);
    ws_record_set_source(r, "articles", 3, 42, 1700000000000LL);
    ws_record_set_truncated(r);
    s = render(r);
    CHECK_STR(s, "{\"id\":\"x1\",\"date\":\"Mon, 3 Jan\",\"body\":\"B\\n\",\"kafka\":{\"topic\":\"articles\","
                 "\"partition\":3,\"offset\":42,\"timestamp\":1700000000000},\"second\":{\"k\":2},"
                 "\"groups\":[],\"truncated\":true}");
    free(s);
    ws_record_free(r);
}

TEST(annotate_refuses_record_keys_and_replaces_own) {
    ws_record_t *r = with_article("{\"body\":\"text\"}");
    ws_record_set_entry(r, "quotes");
    const char *bad[] = {"id", "title", "url", "source", "date", "body", "kafka", "truncated", "", "k\xff"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(ws_record_annotate(r, bad[i], ws_value_int(1)) == -1);
    CHECK(ws_record_annotate(r, NULL, ws_value_int(1)) == 0);
    CHECK(ws_record_annotate(r, NULL, ws_value_int(2)) == 0);
    CHECK(ws_value_num(ws_record_annotation(r, "quotes")) == 2);
    CHECK(ws_record_annotation(r, "entities") == NULL);
    ws_record_set_entry(r, NULL);
    CHECK(ws_record_annotate(r, NULL, ws_value_int(3)) == -1);   /* no entry running */
    ws_record_free(r);
}

/* One entry may not overwrite what an earlier entry wrote (a second
 * entities entry writing "entity_groups" over the first one's); the
 * refusal is kept for the pipeline, which makes it the entry's error. */
TEST(annotate_refuses_a_key_an_earlier_entry_wrote) {
    ws_record_t *r = with_article("{\"body\":\"text\"}");
    char msg[256] = "";
    ws_record_set_entry(r, "entities");
    CHECK(ws_record_annotate(r, "entity_groups", ws_value_int(1)) == 0);
    CHECK(ws_record_annotate(r, "entity_groups", ws_value_int(2)) == 0);   /* own key: replaced */
    CHECK(ws_record_refusal_taken(r, msg, sizeof msg) == 0);
    ws_record_set_entry(r, "people");
    CHECK(ws_record_annotate(r, "entity_groups", ws_value_int(3)) == -1);
    CHECK(ws_value_num(ws_record_annotation(r, "entity_groups")) == 2);
    CHECK(ws_record_annotate(r, "entities", ws_value_int(4)) == 0);       /* nobody's yet */
    CHECK(ws_record_refusal_taken(r, msg, sizeof msg) == 1);
    CHECK_HAS(msg, "\"entity_groups\"");
    CHECK_HAS(msg, "entry \"entities\"");
    CHECK_HAS(msg, "entry \"people\"");
    CHECK(ws_record_refusal_taken(r, msg, sizeof msg) == 0);                /* taken: cleared */
    ws_record_set_entry(r, "entities");
    CHECK(ws_record_annotate(r, "entities", ws_value_int(5)) == -1);       /* people's now */
    CHECK(ws_record_annotate(r, "body", ws_value_int(6)) == -1);           /* reserved */
    CHECK(ws_record_refusal_taken(r, msg, sizeof msg) == 1);
    CHECK_HAS(msg, "\"entities\"");
    ws_record_set_entry(r, NULL);
    ws_record_reset(r);                                                     /* a new message */
    ws_record_set_entry(r, "people");
    CHECK(ws_record_annotate(r, "entity_groups", ws_value_int(7)) == 0);
    CHECK(ws_record_refusal_taken(r, msg, sizeof msg) == 0);
    ws_record_free(r);
}

TEST(fields_source_flags_and_state) {
    ws_record_t *r = with_article("{\"id\":\"7\",\"body\":\"hello\"}");
    size_t n = 99;
    CHECK_STR(ws_record_field(r, WS_FIELD_BODY, &n), "hello");
    CHECK(n == 5);
    CHECK(ws_record_field(r, WS_FIELD_URL, &n) == NULL && n == 0);
    CHECK(ws_record_source(r, NULL, NULL, NULL, NULL) == -1);
    ws_record_set_source(r, "t", 1, 2, 3);
    const char *topic;
    int32_t part;
    int64_t off, ts;
    CHECK(ws_record_source(r, &topic, &part, &off, &ts) == 0);
    CHECK_STR(topic, "t");
    CHECK(part == 1 && off == 2 && ts == 3);
    ws_record_hit(r);
    CHECK(ws_record_hit_taken(r) == 1);
    CHECK(ws_record_hit_taken(r) == 0);
    ws_record_set_entry(r, "dedup");
    CHECK(ws_record_state_put(r, "k1", 2, "v1", 2) == 0);
    CHECK(ws_record_state_put(r, "k2", 2, NULL, 0) == 0);
    CHECK(ws_record_state_count(r) == 2);
    CHECK_STR(ws_record_state_at(r, 0)->entry, "dedup");
    CHECK(memcmp(ws_record_state_at(r, 0)->val, "v1", 2) == 0);
    CHECK(ws_record_state_at(r, 1)->val == NULL);
    ws_record_reset(r);
    CHECK(ws_record_state_count(r) == 0);
    CHECK(ws_record_field(r, WS_FIELD_BODY, NULL) == NULL);
    CHECK(ws_record_source(r, NULL, NULL, NULL, NULL) == -1);
    ws_record_free(r);
}

int main(void) {
    RUN(values_build_and_read_back);
    RUN(render_order_and_absent_fields);
    RUN(annotate_refuses_record_keys_and_replaces_own);
    RUN(annotate_refuses_a_key_an_earlier_entry_wrote);
    RUN(fields_source_flags_and_state);
    return ws_test_done();
}
