/* test_config.c -- config loading: comments, validation errors naming the
 * key and the file, environment and --set overrides, lookup, masking. */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "ws_config.h"
#include "ws_test.h"

static char err[1024];

static ws_config_t *load(const char *text, const char *const *sets, size_t nsets) {
    const char *path = write_temp(0, text);
    ws_config_t *c = NULL;
    err[0] = '\0';
    if (ws_config_load(path, sets, nsets, &c, err, sizeof err) < 0) c = NULL;
    unlink(path);
    return c;
}

TEST(comments_trailing_commas_and_values) {
    ws_config_t *c = load("// leading comment\n{\n  /* block\n comment */ \"workers\": 3, // why\n"
                          "  \"output\": {\"topic\": \"out // not a comment\",},\n"
                          "  \"input\": {\"topics\": [\"a\", \"b\"], \"html\": true, \"fields\": {\"body\": [\"story\"]}},\n"
                          "  \"kafka\": {\"linger.ms\": 5, \"enable.idempotence\": true},\n"
                          "  \"pipeline\": [{\"name\": \"example\", \"keyword\": \"x\"}],\n}\n", NULL, 0);
    CHECK(c != NULL);
    if (!c) { fprintf(stderr, "  %s\n", err); return; }
    CHECK(c->workers == 3);
    CHECK_STR(c->output_topic, "out // not a comment");
    CHECK_STR(c->dlq_topic, "articles.dlq");
    CHECK(c->input_topics_n == 2);
    CHECK_STR(c->input_topics[1], "b");
    CHECK(c->article.html == 1);
    CHECK_STR(c->article.names[WS_FIELD_BODY][0], "story");
    CHECK(c->article.names[WS_FIELD_BODY][1] == NULL);
    CHECK_STR(c->article.names[WS_FIELD_DATE][1], "published_at");
    CHECK_STR(ws_config_kafka_get(c, "linger.ms"), "5");
    CHECK_STR(ws_config_kafka_get(c, "enable.idempotence"), "true");
    CHECK_STR(ws_config_kafka_get(c, "group.id"), "wirestream");
    CHECK(c->entries_n == 1);
    CHECK_STR(c->entries[0].processor, "example");
    CHECK(c->entries[0].enabled == 1);
    CHECK(cJSON_GetObjectItem(c->entries[0].options, "keyword") != NULL);
    CHECK(cJSON_GetObjectItem(c->entries[0].options, "name") == NULL);
    ws_config_free(c);
}

TEST(null_means_default) {
    ws_config_t *c = load("{\"delivery\": null, \"data_dir\": null, \"log\": {\"format\": null}, "
                          "\"input\": {\"topics\": null}, \"pipeline\": []}", NULL, 0);
    CHECK(c != NULL);
    if (!c) return;
    CHECK(c->delivery == WS_DELIVERY_AT_LEAST_ONCE);
    CHECK(c->log_format == WS_LOG_JSON);
    CHECK_STR(c->input_topics[0], "articles");
    ws_config_free(c);
}

TEST(defaults_without_pipeline_key) {
    ws_config_t *c = load("{}", NULL, 0);
    CHECK(c != NULL);
    if (!c) return;
    CHECK(c->entries_n == 3);
    CHECK_STR(c->entries[0].name, "dedup");
    CHECK_STR(c->entries[1].name, "entities");
    CHECK_STR(c->entries[2].name, "quotes");
    CHECK_STR(c->output_topic, "articles.enriched");
    CHECK(c->record_timeout_ms == 2000);
    CHECK(c->delivery == WS_DELIVERY_AT_LEAST_ONCE);
    ws_config_free(c);
}

TEST(unknown_key_names_key_and_file) {
    const char *path = write_temp(1, "{\"output\": {\"topik\": \"x\"}}");
    ws_config_t *c = NULL;
    CHECK(ws_config_load(path, NULL, 0, &c, err, sizeof err) == -1);
    CHECK_HAS(err, "topik");
    CHECK_HAS(err, path);
    unlink(path);
    CHECK(load("{\"outptu\": {}}", NULL, 0) == NULL);
    CHECK_HAS(err, "\"outptu\"");
    CHECK(load("{\"input\": {\"fields\": {\"bdy\": [\"x\"]}}}", NULL, 0) == NULL);
    CHECK_HAS(err, "bdy");
}

TEST(wrong_type_names_key_and_file) {
    CHECK(load("{\"workers\": \"two\"}", NULL, 0) == NULL);
    CHECK_HAS(err, "\"workers\"");
    CHECK_HAS(err, "/tmp/ws_unit_");
    CHECK_HAS(err, "integer");
    CHECK(load("{\"input\": {\"topics\": \"articles\"}}", NULL, 0) == NULL);
    CHECK_HAS(err, "topics");
    CHECK(load("{\"delivery\": \"twice\"}", NULL, 0) == NULL);
    CHECK_HAS(err, "at_least_once|exactly_once");
    CHECK(load("{\"kafka\": {\"x\": {\"nested\": 1}}}", NULL, 0) == NULL);
    CHECK_HAS(err, "kafka property \"x\"");
    CHECK(load("{\"workers\": 1.5}", NULL, 0) == NULL);
    CHECK_HAS(err, "workers");
}

TEST(invalid_json_reports_line_and_column) {
    CHECK(load("{\n  \"workers\": 1\n  \"log\": {}\n}", NULL, 0) == NULL);
    CHECK_HAS(err, ":3:");
}

TEST(pipeline_entries_are_checked) {
    CHECK(load("{\"pipeline\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}", NULL, 0) == NULL);
    CHECK_HAS(err, "earlier entry");
    CHECK(load("{\"pipeline\": [{\"processor\": \"dedup\"}]}", NULL, 0) == NULL);
    CHECK_HAS(err, "\"name\"");
    CHECK(load("{\"pipeline\": [{\"name\": \"body\"}]}", NULL, 0) == NULL);
    CHECK_HAS(err, "not a valid entry name");
    CHECK(load("{\"pipeline\": [{\"name\": \"x\", \"enabled\": \"yes\"}]}", NULL, 0) == NULL);
    CHECK_HAS(err, "enabled");
    CHECK(load("{\"pipeline\": {\"name\": \"x\"}}", NULL, 0) == NULL);
    CHECK_HAS(err, "array");
}

TEST(environment_overrides) {
    setenv("WIRESTREAM_OUTPUT_TOPIC", "env.out", 1);
    setenv("WIRESTREAM_KAFKA_BOOTSTRAP_SERVERS", "10.0.0.1:9092", 1);
    setenv("WIRESTREAM_DELIVERY", "exactly_once", 1);
    setenv("WIRESTREAM_PIPELINE_EXAMPLE_KEYWORD", "storm", 1);
    ws_config_t *c = load("{\"pipeline\": [{\"name\": \"example\"}]}", NULL, 0);
    CHECK(c != NULL);
    if (c) {
        CHECK_STR(c->output_topic, "env.out");
        CHECK_STR(ws_config_kafka_get(c, "bootstrap.servers"), "10.0.0.1:9092");
        CHECK(c->delivery == WS_DELIVERY_EXACTLY_ONCE);
        const cJSON *kw = cJSON_GetObjectItem(c->entries[0].option_overrides, "keyword");
        CHECK(cJSON_IsString(kw) && strcmp(kw->valuestring, "storm") == 0);
        ws_config_free(c);
    }
    /* --set wins over the environment. */
    const char *sets[] = {"output.topic=set.out", "kafka.bootstrap.servers=h:1"};
    c = load("{\"pipeline\": [{\"name\": \"example\"}]}", sets, 2);
    CHECK(c != NULL);
    if (c) {
        CHECK_STR(c->output_topic, "set.out");
        CHECK_STR(ws_config_kafka_get(c, "bootstrap.servers"), "h:1");
        ws_config_free(c);
    }
    unsetenv("WIRESTREAM_PIPELINE_EXAMPLE_KEYWORD");
    setenv("WIRESTREAM_WORKERS", "many", 1);
    CHECK(load("{\"pipeline\": []}", NULL, 0) == NULL);
    CHECK_HAS(err, "WIRESTREAM_WORKERS");
    unsetenv("WIRESTREAM_WORKERS");
    setenv("WIRESTREAM_OUTPUT_TOPICK", "x", 1);
    CHECK(load("{\"pipeline\": [{\"name\": \"example\"}]}", NULL, 0) == NULL);
    CHECK_HAS(err, "WIRESTREAM_OUTPUT_TOPICK");
    unsetenv("WIRESTREAM_OUTPUT_TOPICK");
    unsetenv("WIRESTREAM_OUTPUT_TOPIC");
    unsetenv("WIRESTREAM_KAFKA_BOOTSTRAP_SERVERS");
    unsetenv("WIRESTREAM_DELIVERY");
    unsetenv("WIRESTREAM_PIPELINE_EXAMPLE_KEYWORD");
}

TEST(set_overrides) {
    const char *sets[] = {"limits.record_timeout_ms=50", "input.fields.body=story,text",
                          "pipeline.ex.action=drop", "pipeline.ex.enabled=false", "workers=4"};
    ws_config_t *c = load("{\"pipeline\": [{\"name\": \"ex\", \"processor\": \"example\"}]}", sets, 5);
    CHECK(c != NULL);
    if (c) {
        CHECK(c->record_timeout_ms == 50);
        CHECK(c->workers == 4);
        CHECK_STR(c->article.names[WS_FIELD_BODY][1], "text");
        CHECK(c->entries[0].enabled == 0);
        CHECK(cJSON_GetObjectItem(c->entries[0].option_overrides, "action") != NULL);
        ws_config_free(c);
    }
    const char *list[] = {"input.topics=[\"a,b\", \"c\"]"};
    c = load("{}", list, 1);
    CHECK(c != NULL);
    if (c) {
        CHECK(c->input_topics_n == 2);
        CHECK_STR(c->input_topics[0], "a,b");
        ws_config_free(c);
    }
    const char *bad[] = {"limits.record_timeout=5"};
    CHECK(load("{}", bad, 1) == NULL);
    CHECK_HAS(err, "--set limits.record_timeout=5");
    CHECK_HAS(err, "record_timeout");
    const char *badtype[] = {"workers=lots"};
    CHECK(load("{}", badtype, 1) == NULL);
    CHECK_HAS(err, "workers");
    const char *noentry[] = {"pipeline.nope.x=1"};
    CHECK(load("{}", noentry, 1) == NULL);
    CHECK_HAS(err, "no pipeline entry");
    const char *noeq[] = {"workers"};
    CHECK(load("{}", noeq, 1) == NULL);
    CHECK_HAS(err, "key=value");
}

TEST(lookup_uses_env_config_and_masks_secrets) {
    const char *path = write_temp(2, "{\"kafka\": {\"sasl.password\": \"hunter2\", \"sasl.mechanism\": \"PLAIN\","
                                     " \"ssl.key.password\": \"k\"}, \"pipeline\": []}");
    setenv("WIRESTREAM_CONFIG", path, 1);
    ws_config_t *c = NULL;
    CHECK(ws_config_load(NULL, NULL, 0, &c, err, sizeof err) == 0);
    unsetenv("WIRESTREAM_CONFIG");
    unlink(path);
    if (!c) return;
    CHECK_STR(c->source_file, path);
    CHECK_STR(c->config_dir, "/tmp");
    CHECK_STR(ws_config_kafka_get(c, "sasl.password"), "hunter2");
    cJSON *j = ws_config_to_json(c, 1);
    char *s = cJSON_PrintUnformatted(j);
    CHECK(strstr(s, "hunter2") == NULL);
    CHECK_HAS(s, "\"sasl.password\":\"***\"");
    CHECK_HAS(s, "\"ssl.key.password\":\"***\"");
    CHECK_HAS(s, "\"sasl.mechanism\":\"PLAIN\"");
    free(s);
    cJSON_Delete(j);
    ws_config_free(c);
}

TEST(data_dir_and_fallback_to_installed_data) {
    /* A config file alone in /tmp: processors find their data in the
     * installed data directory; data_dir forces a directory. */
    ws_config_t *c = load("{\"pipeline\": []}", NULL, 0);
    CHECK(c != NULL);
    if (c) {
        CHECK_STR(c->config_dir, "/tmp");
        CHECK(c->data_dir_set == 0);
        CHECK_STR(ws_config_data_dir(c, "no_such_processor_folder"), "/tmp");
        ws_config_free(c);
    }
    c = load("{\"data_dir\": \"ws-data\", \"pipeline\": []}", NULL, 0);
    CHECK(c != NULL);
    if (c) {
        CHECK_STR(c->config_dir, "/tmp/ws-data");
        CHECK_STR(ws_config_data_dir(c, "quotes"), "/tmp/ws-data");
        ws_config_free(c);
    }
    c = NULL;
    CHECK(ws_config_load(WS_SOURCE_DIR "/config/wirestream.json", NULL, 0, &c, err, sizeof err) == 0);
    if (c) {
        CHECK_STR(ws_config_data_dir(c, "entities"), c->config_dir);
        ws_config_free(c);
    }
}

TEST(secrets_written_in_the_file_are_listed) {
    const char *sets[] = {"kafka.sasl.username=from-set"};
    ws_config_t *c = load("{\"kafka\": {\"sasl.password\": \"x\", \"client.id\": \"a\"}, \"pipeline\": []}",
                          sets, 1);
    CHECK(c != NULL);
    if (!c) return;
    char names[256];
    CHECK(ws_config_file_secrets(c, names, sizeof names) == 1);
    CHECK_STR(names, "kafka.sasl.password");
    ws_config_free(c);
}

TEST(app_limits_fill_processor_options) {
    const char *sets[] = {"limits.max_quotes=7"};
    ws_config_t *c = load("{\"pipeline\": [{\"name\": \"quotes\"}, "
                          "{\"name\": \"q2\", \"processor\": \"quotes\", \"max_quotes\": 3}]}", sets, 1);
    CHECK(c != NULL);
    if (!c) return;
    cJSON *j = ws_config_to_json(c, 1);
    const cJSON *pl = cJSON_GetObjectItem(j, "pipeline");
    const cJSON *q1 = cJSON_GetObjectItem(cJSON_GetArrayItem(pl, 0), "max_quotes");
    const cJSON *q2 = cJSON_GetObjectItem(cJSON_GetArrayItem(pl, 1), "max_quotes");
    CHECK(cJSON_IsNumber(q1) && q1->valuedouble == 7);
    CHECK(cJSON_IsNumber(q2) && q2->valuedouble == 3);
    cJSON_Delete(j);
    ws_config_free(c);
}

TEST(shipped_config_is_valid) {
    ws_config_t *c = NULL;
    CHECK(ws_config_load(WS_SOURCE_DIR "/config/wirestream.json", NULL, 0, &c, err, sizeof err) == 0);
    if (!c) { fprintf(stderr, "  %s\n", err); return; }
    CHECK_STR(ws_config_kafka_get(c, "bootstrap.servers"), "127.0.0.1:9092");
    CHECK_STR(ws_config_kafka_get(c, "group.id"), "wirestream");
    CHECK_STR(c->input_topics[0], "articles");
    CHECK_STR(c->output_topic, "articles.enriched");
    CHECK_STR(c->dlq_topic, "articles.dlq");
    CHECK(c->entries_n == 3);
    CHECK_STR(c->entries[0].name, "dedup");
    CHECK_STR(c->entries[2].name, "quotes");
    ws_config_free(c);
}

int main(void) {
    /* The developer's own environment must not leak into the tests. */
    extern char **environ;
    for (int again = 1; again;) {
        again = 0;
        for (char **e = environ; *e; e++) {
            if (strncmp(*e, "WIRESTREAM_", 11) == 0) {
                char name[256];
                size_t n = strcspn(*e, "=");
                snprintf(name, sizeof name, "%.*s", (int)n, *e);
                unsetenv(name);
                again = 1;
                break;
            }
        }
    }
    RUN(comments_trailing_commas_and_values);
    RUN(defaults_without_pipeline_key);
    RUN(null_means_default);
    RUN(unknown_key_names_key_and_file);
    RUN(wrong_type_names_key_and_file);
    RUN(invalid_json_reports_line_and_column);
    RUN(pipeline_entries_are_checked);
    RUN(environment_overrides);
    RUN(set_overrides);
    RUN(lookup_uses_env_config_and_masks_secrets);
    RUN(data_dir_and_fallback_to_installed_data);
    RUN(secrets_written_in_the_file_are_listed);
    RUN(app_limits_fill_processor_options);
    RUN(shipped_config_is_valid);
    return ws_test_done();
}
