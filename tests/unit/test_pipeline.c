/* test_pipeline.c -- entry order, the same processor twice, drop and error
 * routing, the record time budget, --without, and every way a processor can
 * fail to load or configure, each with a clear message. */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "ws_config.h"
#include "ws_pipeline.h"
#include "ws_record_host.h"
#include "ws_test.h"
#include "ws_value.h"

#define PROC WS_TEST_PLUGIN_DIR "/test_proc.so"

static char err[2048];

static ws_config_t *config(const char *text) {
    const char *path = write_temp(0, text);
    ws_config_t *c = NULL;
    if (ws_config_load(path, NULL, 0, &c, err, sizeof err) < 0) {
        fprintf(stderr, "  config: %s\n", err);
        c = NULL;
    }
    unlink(path);
    return c;
}

/* Builds a pipeline from a config text; NULL with err set on failure. */
static ws_pipeline_t *pipeline(const char *text, const char *const *without, size_t nw) {
    ws_config_t *c = config(text);
    if (!c) return NULL;
    ws_pipeline_t *p = NULL;
    err[0] = '\0';
    if (ws_pipeline_new(c, without, nw, 0, &p, err, sizeof err) < 0) p = NULL;
    ws_config_free(c);
    return p;
}

static ws_record_t *record(const char *body) {
    ws_article_opts_t o;
    ws_article_opts_default(&o);
    ws_article_t a;
    const char *reason;
    char e[128];
    ws_record_t *r = ws_record_new();
    if (ws_article_parse(&o, body, strlen(body), &a, &reason, e, sizeof e) == 0) ws_record_take_article(r, &a);
    return r;
}

/* The test_proc entries that ran, in order, as "a,b,c": the keys whose
 * value is "ran", read from the rendered record (annotations render in
 * the order they were added). */
static const char *trace(const ws_record_t *r) {
    static char out[256];
    out[0] = '\0';
    ws_buf_t b;
    ws_buf_init(&b);
    ws_record_render(r, &b);
    for (const char *p = b.data; (p = strstr(p, "\":\"ran\"")) != NULL; p++) {
        const char *k = p;
        while (k > b.data && k[-1] != '"') k--;
        if (out[0]) strcat(out, ",");
        strncat(out, k, (size_t)(p - k));
    }
    ws_buf_free(&b);
    return out;
}

TEST(entries_run_in_configured_order_same_processor_twice) {
    ws_pipeline_t *p = pipeline("{\"pipeline\": ["
                                "{\"name\": \"c\", \"path\": \"" PROC "\"},"
                                "{\"name\": \"a\", \"path\": \"" PROC "\"},"
                                "{\"name\": \"kw1\", \"processor\": \"example\", \"keyword\": \"storm\"},"
                                "{\"name\": \"kw2\", \"processor\": \"example\", \"keyword\": \"rain\"},"
                                "{\"name\": \"b\", \"path\": \"" PROC "\"}]}", NULL, 0);
    CHECK(p != NULL);
    if (!p) { fprintf(stderr, "  %s\n", err); return; }
    CHECK(ws_pipeline_size(p) == 5);
    ws_record_t *r = record("{\"body\": \"A storm, then rain and more rain.\"}");
    ws_outcome_t o;
    ws_pipeline_run(p, r, &o);
    CHECK(o.result == WS_KEEP);
    CHECK(o.entry == NULL);
    CHECK_STR(trace(r), "c,a,b");
    CHECK(ws_value_num(ws_object_get(ws_record_annotation(r, "kw1"), "count")) == 1);
    CHECK(ws_value_num(ws_object_get(ws_record_annotation(r, "kw2"), "count")) == 2);
    ws_buf_t b;
    ws_buf_init(&b);
    ws_record_render(r, &b);
    /* Annotations render in pipeline order. */
    char *t = strstr(b.data, "\"c\":\"ran\""), *k1 = strstr(b.data, "\"kw1\""), *k2 = strstr(b.data, "\"kw2\"");
    CHECK(t && k1 && k2 && t < k1 && k1 < k2);
    ws_buf_free(&b);
    ws_entry_stats_t s;
    ws_pipeline_stats(p, 2, &s);
    CHECK_STR(s.name, "kw1");
    CHECK_STR(s.processor, "example");
    CHECK(s.in == 1 && s.out == 1 && s.hits == 1);
    CHECK(s.latency_us != NULL && s.latency_us->count == 1);
    ws_record_free(r);
    ws_pipeline_free(p);
}

TEST(drop_stops_the_pipeline_and_names_entry_and_topic) {
    ws_pipeline_t *p = pipeline("{\"pipeline\": ["
                                "{\"name\": \"a\", \"path\": \"" PROC "\"},"
                                "{\"name\": \"b\", \"path\": \"" PROC "\", \"mode\": \"drop\", \"drop_topic\": \"dropped\"},"
                                "{\"name\": \"c\", \"path\": \"" PROC "\"}]}", NULL, 0);
    CHECK(p != NULL);
    if (!p) { fprintf(stderr, "  %s\n", err); return; }
    ws_record_t *r = record("{\"body\": \"x\"}");
    ws_outcome_t o;
    ws_pipeline_run(p, r, &o);
    CHECK(o.result == WS_DROP);
    CHECK_STR(o.entry, "b");
    CHECK_STR(o.drop_topic, "dropped");
    CHECK_STR(o.reason, "test_drop");
    CHECK_STR(o.reason_code, "test_drop");
    CHECK_STR(trace(r), "a,b");
    ws_entry_stats_t s;
    ws_pipeline_stats(p, 1, &s);
    CHECK(s.in == 1 && s.dropped == 1 && s.out == 0);
    ws_pipeline_stats(p, 2, &s);
    CHECK(s.in == 0);
    ws_record_free(r);
    ws_pipeline_free(p);
}

TEST(error_routes_record_with_entry_name_and_pipeline_goes_on) {
    ws_pipeline_t *p = pipeline("{\"pipeline\": ["
                                "{\"name\": \"ok\", \"path\": \"" PROC "\"},"
                                "{\"name\": \"broken\", \"path\": \"" PROC "\", \"mode\": \"error\"}]}", NULL, 0);
    CHECK(p != NULL);
    if (!p) { fprintf(stderr, "  %s\n", err); return; }
    for (int i = 0; i < 2; i++) {
        ws_record_t *r = record("{\"body\": \"x\"}");
        ws_outcome_t o;
        ws_pipeline_run(p, r, &o);
        CHECK(o.result == WS_ERROR);
        CHECK_STR(o.entry, "broken");
        CHECK_STR(o.reason_code, "processor_error");
        CHECK_STR(o.reason, "test failure");
        ws_record_free(r);
    }
    ws_entry_stats_t s;
    ws_pipeline_stats(p, 1, &s);
    CHECK(s.in == 2 && s.errors == 2);
    ws_pipeline_free(p);
}

/* An entry that writes a key an earlier entry wrote is refused, and the
 * pipeline makes that the writing entry's error: one processor cannot
 * silently overwrite another's output. */
TEST(overwriting_an_earlier_entrys_annotation_is_an_error) {
    ws_pipeline_t *p = pipeline("{\"pipeline\": ["
                                "{\"name\": \"first\", \"path\": \"" PROC "\"},"
                                "{\"name\": \"thief\", \"path\": \"" PROC "\", \"key\": \"first\"},"
                                "{\"name\": \"after\", \"path\": \"" PROC "\"}]}", NULL, 0);
    CHECK(p != NULL);
    if (!p) { fprintf(stderr, "  %s\n", err); return; }
    ws_record_t *r = record("{\"body\": \"x\"}");
    ws_outcome_t o;
    ws_pipeline_run(p, r, &o);
    CHECK(o.result == WS_ERROR);
    CHECK_STR(o.entry, "thief");
    CHECK_STR(o.reason_code, "processor_error");
    CHECK_HAS(o.reason, "\"first\"");
    CHECK_HAS(o.reason, "entry \"thief\"");
    CHECK_STR(ws_value_str(ws_record_annotation(r, "first"), NULL), "ran");   /* not overwritten */
    CHECK_STR(trace(r), "first,thief");
    ws_entry_stats_t s;
    ws_pipeline_stats(p, 1, &s);
    CHECK(s.in == 1 && s.errors == 1 && s.out == 0);
    ws_record_free(r);
    /* Its own key, written twice, is fine. */
    ws_pipeline_free(p);
    p = pipeline("{\"pipeline\": [{\"name\": \"self\", \"path\": \"" PROC "\", \"key\": \"self\"}]}", NULL, 0);
    CHECK(p != NULL);
    if (!p) return;
    r = record("{\"body\": \"x\"}");
    ws_pipeline_run(p, r, &o);
    CHECK(o.result == WS_KEEP);
    CHECK(ws_value_num(ws_record_annotation(r, "self")) == 1);
    ws_record_free(r);
    ws_pipeline_free(p);
}

TEST(record_over_time_budget_is_an_error_timeout) {
    ws_pipeline_t *p = pipeline("{\"limits\": {\"record_timeout_ms\": 20}, \"pipeline\": ["
                                "{\"name\": \"slow\", \"path\": \"" PROC "\", \"mode\": \"sleep\", \"sleep_ms\": 60},"
                                "{\"name\": \"after\", \"path\": \"" PROC "\"}]}", NULL, 0);
    CHECK(p != NULL);
    if (!p) { fprintf(stderr, "  %s\n", err); return; }
    ws_record_t *r = record("{\"body\": \"x\"}");
    ws_outcome_t o;
    ws_pipeline_run(p, r, &o);
    CHECK(o.result == WS_ERROR);
    CHECK_STR(o.reason_code, "timeout");
    CHECK_STR(o.entry, "slow");
    CHECK_HAS(o.reason, "record_timeout_ms");
    CHECK_STR(trace(r), "slow");
    ws_record_free(r);
    ws_pipeline_free(p);
}

TEST(without_and_disabled_entries_are_skipped) {
    const char *cfg = "{\"pipeline\": [{\"name\": \"a\", \"path\": \"" PROC "\"},"
                      "{\"name\": \"b\", \"path\": \"" PROC "\"},"
                      "{\"name\": \"off\", \"path\": \"" PROC "\", \"enabled\": false},"
                      "{\"name\": \"c\", \"path\": \"" PROC "\"}]}";
    const char *without[] = {"b"};
    ws_pipeline_t *p = pipeline(cfg, without, 1);
    CHECK(p != NULL);
    if (!p) return;
    ws_record_t *r = record("{\"body\": \"x\"}");
    ws_outcome_t o;
    ws_pipeline_run(p, r, &o);
    CHECK_STR(trace(r), "a,c");
    ws_record_free(r);
    ws_pipeline_free(p);
    const char *unknown[] = {"nope"};
    CHECK(pipeline(cfg, unknown, 1) == NULL);
    CHECK_HAS(err, "--without nope");
}

TEST(plugin_file_missing) {
    CHECK(pipeline("{\"pipeline\": [{\"name\": \"x\", \"path\": \"/nonexistent/dir/x.so\"}]}", NULL, 0) == NULL);
    CHECK_HAS(err, "pipeline entry \"x\"");
    CHECK_HAS(err, "/nonexistent/dir/x.so");
    CHECK_HAS(err, "No such file");
}

TEST(plugin_not_a_shared_object) {
    const char *junk = write_temp(3, "this is not an ELF file\n");
    char cfg[512];
    snprintf(cfg, sizeof cfg, "{\"pipeline\": [{\"name\": \"junk\", \"path\": \"%s\"}]}", junk);
    CHECK(pipeline(cfg, NULL, 0) == NULL);
    CHECK_HAS(err, "cannot load processor plugin");
    CHECK_HAS(err, junk);
    unlink(junk);
}

TEST(plugin_abi_mismatch) {
    CHECK(pipeline("{\"pipeline\": [{\"name\": \"old\", \"path\": \"" WS_TEST_PLUGIN_DIR "/bad_abi.so\"}]}",
                   NULL, 0) == NULL);
    CHECK_HAS(err, "ABI 999");
    CHECK_HAS(err, "bad_abi.so");
    CHECK_HAS(err, "rebuild");
}

TEST(plugin_missing_symbol) {
    CHECK(pipeline("{\"pipeline\": [{\"name\": \"ns\", \"path\": \"" WS_TEST_PLUGIN_DIR "/no_symbol.so\"}]}",
                   NULL, 0) == NULL);
    CHECK_HAS(err, "does not export the symbol \"ws_processor\"");
    CHECK_HAS(err, "no_symbol.so");
}

TEST(bad_processor_config) {
    CHECK(pipeline("{\"pipeline\": [{\"name\": \"t\", \"path\": \"" PROC "\", \"mood\": \"drop\"}]}", NULL, 0) == NULL);
    CHECK_HAS(err, "unknown key \"mood\"");
    CHECK_HAS(err, "pipeline entry \"t\"");
    CHECK_HAS(err, "/tmp/ws_unit_");
    CHECK(pipeline("{\"pipeline\": [{\"name\": \"t\", \"path\": \"" PROC "\", \"sleep_ms\": \"long\"}]}", NULL, 0) == NULL);
    CHECK_HAS(err, "\"sleep_ms\" must be an integer");
    CHECK(pipeline("{\"pipeline\": [{\"name\": \"t\", \"path\": \"" PROC "\", \"mode\": \"maybe\"}]}", NULL, 0) == NULL);
    CHECK_HAS(err, "keep|drop|error|sleep");
    CHECK(pipeline("{\"pipeline\": [{\"name\": \"t\", \"path\": \"" PROC "\", \"fail_create\": true}]}", NULL, 0) == NULL);
    CHECK_HAS(err, "failed to start: asked to fail");
    CHECK(pipeline("{\"pipeline\": [{\"name\": \"t\", \"processor\": \"no_such_thing\"}]}", NULL, 0) == NULL);
    CHECK_HAS(err, "no built-in processor \"no_such_thing\"");
    CHECK(pipeline("{\"pipeline\": [{\"name\": \"ex\", \"processor\": \"example\", \"keywords\": [\"a\"]}]}", NULL, 0) == NULL);
    CHECK_HAS(err, "unknown key \"keywords\"");
}

TEST(option_override_is_typed_by_the_processor_table) {
    const char *path = write_temp(4, "{\"pipeline\": [{\"name\": \"t\", \"path\": \"" PROC "\"}]}");
    const char *sets[] = {"pipeline.t.mode=drop"};
    ws_config_t *c = NULL;
    CHECK(ws_config_load(path, sets, 1, &c, err, sizeof err) == 0);
    ws_pipeline_t *p = NULL;
    CHECK(c && ws_pipeline_new(c, NULL, 0, 0, &p, err, sizeof err) == 0);
    if (p) {
        ws_record_t *r = record("{\"body\": \"x\"}");
        ws_outcome_t o;
        ws_pipeline_run(p, r, &o);
        CHECK(o.result == WS_DROP);
        ws_record_free(r);
        ws_pipeline_free(p);
    }
    ws_config_free(c);
    const char *bad[] = {"pipeline.t.sleep_ms=soon"};
    c = NULL;
    CHECK(ws_config_load(path, bad, 1, &c, err, sizeof err) == 0);
    p = NULL;
    CHECK(c && ws_pipeline_new(c, NULL, 0, 0, &p, err, sizeof err) == -1);
    CHECK_HAS(err, "sleep_ms");
    CHECK_HAS(err, "--set");
    ws_config_free(c);
    unlink(path);
}

int main(void) {
    RUN(entries_run_in_configured_order_same_processor_twice);
    RUN(drop_stops_the_pipeline_and_names_entry_and_topic);
    RUN(error_routes_record_with_entry_name_and_pipeline_goes_on);
    RUN(overwriting_an_earlier_entrys_annotation_is_an_error);
    RUN(record_over_time_budget_is_an_error_timeout);
    RUN(without_and_disabled_entries_are_skipped);
    RUN(plugin_file_missing);
    RUN(plugin_not_a_shared_object);
    RUN(plugin_abi_mismatch);
    RUN(plugin_missing_symbol);
    RUN(bad_processor_config);
    RUN(option_override_is_typed_by_the_processor_table);
    return ws_test_done();
}
