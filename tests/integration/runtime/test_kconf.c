/* librdkafka configurations: user properties pass through, the settings the
 * delivery guarantees depend on are forced, each role gets only its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ws_rt.h"

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; \
    fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static const char *get(rd_kafka_conf_t *c, const char *k)
{
    static char v[8][512];
    static int slot;
    char *out = v[slot++ % 8];
    size_t n = 512;
    if (rd_kafka_conf_get(c, k, out, &n) != RD_KAFKA_CONF_OK) return "<unset>";
    return out;
}

static ws_config_t *load(const char *const *sets, size_t n)
{
    ws_config_t *cfg = NULL;
    char err[1024];
    if (ws_config_load(NULL, sets, n, &cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "config: %s\n", err);
        exit(1);
    }
    return cfg;
}

static void forced_settings_win_and_user_settings_pass_through(void)
{
    const char *sets[] = { "kafka.group.id=g1", "kafka.enable.auto.offset.store=true",
                           "kafka.linger.ms=7", "kafka.session.timeout.ms=7000",
                           "output.compression=zstd" };
    ws_config_t *cfg = load(sets, 5);
    ws_rt_t rt;
    memset(&rt, 0, sizeof(rt));
    rt.cfg = cfg;
    char err[512];
    rd_kafka_conf_t *c = ws_kconf_consumer(&rt, err, sizeof(err));
    CHECK(c != NULL, "consumer conf: %s", err);
    if (c) {
        CHECK(!strcmp(get(c, "group.id"), "g1"), "group.id from config, got %s", get(c, "group.id"));
        CHECK(!strcmp(get(c, "enable.auto.offset.store"), "false"),
              "offsets are stored only by the watermark, got %s", get(c, "enable.auto.offset.store"));
        CHECK(!strcmp(get(c, "enable.auto.commit"), "true"), "at-least-once commits stored offsets");
        CHECK(!strcmp(get(c, "auto.offset.reset"), "earliest") ||
              !strcmp(get(c, "auto.offset.reset"), "smallest"), "earliest by default, got %s",
              get(c, "auto.offset.reset"));
        CHECK(!strcmp(get(c, "session.timeout.ms"), "7000"), "consumer property passed through");
        rd_kafka_conf_destroy(c);
    }
    rd_kafka_conf_t *p = ws_kconf_producer(&rt, err, sizeof(err));
    CHECK(p != NULL, "producer conf: %s", err);
    if (p) {
        CHECK(!strcmp(get(p, "linger.ms"), "7"), "producer property passed through, got %s",
              get(p, "linger.ms"));
        CHECK(!strcmp(get(p, "enable.idempotence"), "true"), "the producer is idempotent");
        CHECK(!strcmp(get(p, "compression.codec"), "zstd"), "compression from output.compression, got %s",
              get(p, "compression.codec"));
        CHECK(!strcmp(get(p, "message.timeout.ms"), "0"), "at-least-once retries forever, got %s",
              get(p, "message.timeout.ms"));
        CHECK(!strcmp(get(p, "transactional.id"), "<unset>") || !*get(p, "transactional.id"),
              "no transactions in at-least-once mode");
        rd_kafka_conf_destroy(p);
    }
    ws_config_free(cfg);
}

static void exactly_once_uses_a_stable_transactional_id_with_static_membership(void)
{
    const char *sets[] = { "kafka.group.id=g2", "delivery=exactly_once" };
    setenv("WIRESTREAM_GROUP_INSTANCE_ID", "pod-7", 1);
    ws_config_t *cfg = load(sets, 2);
    ws_rt_t rt;
    memset(&rt, 0, sizeof(rt));
    rt.cfg = cfg;
    rt.eos = 1;
    char err[512];
    rd_kafka_conf_t *c = ws_kconf_consumer(&rt, err, sizeof(err));
    CHECK(c != NULL, "consumer conf: %s", err);
    if (c) {
        CHECK(!strcmp(get(c, "group.instance.id"), "pod-7"), "static membership from the environment, got %s",
              get(c, "group.instance.id"));
        CHECK(!strcmp(get(c, "enable.auto.commit"), "false"), "offsets go through the transaction only");
        rd_kafka_conf_destroy(c);
    }
    rd_kafka_conf_t *p = ws_kconf_producer(&rt, err, sizeof(err));
    CHECK(p != NULL, "producer conf: %s", err);
    if (p) {
        CHECK(!strcmp(get(p, "transactional.id"), "wirestream-g2-pod-7"),
              "transactional.id from group and instance, got %s", get(p, "transactional.id"));
        CHECK(!strcmp(get(p, "transaction.timeout.ms"), "10000"), "short transaction timeout, got %s",
              get(p, "transaction.timeout.ms"));
        rd_kafka_conf_destroy(p);
    }
    unsetenv("WIRESTREAM_GROUP_INSTANCE_ID");
    ws_config_free(cfg);
}

int main(void)
{
    forced_settings_win_and_user_settings_pass_through();
    exactly_once_uses_a_stable_transactional_id_with_static_membership();
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("kafka conf: all tests passed\n");
    return 0;
}
