/* test_log.c -- log lines (JSON and logfmt, secrets masked) and the latency
 * histogram. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ws_histogram.h"
#include "ws_log.h"
#include "ws_test.h"

/* Runs fn with stderr redirected to a temp file; returns what it wrote. */
static char *capture(void (*fn)(void)) {
    static char buf[8192];
    char path[] = "/tmp/ws_unit_log_XXXXXX";
    int fd = mkstemp(path);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    fn();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return buf;
}

static void emit(void) {
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "topic", "articles");
    cJSON_AddStringToObject(f, "sasl.password", "hunter2");
    cJSON *k = cJSON_AddObjectToObject(f, "kafka");
    cJSON_AddStringToObject(k, "ssl.key.password", "pw");
    cJSON_AddNumberToObject(k, "partition", 3);
    ws_log_event(WS_LOG_WARN, "runtime", "broker \"down\"", f);
    ws_log(WS_LOG_DEBUG, "runtime", "hidden at info");
    cJSON_Delete(f);
}

TEST(json_lines_carry_standard_keys_and_mask_secrets) {
    ws_log_setup(WS_LOG_JSON, WS_LOG_INFO);
    char *out = capture(emit);
    CHECK(strncmp(out, "{\"ts\":\"", 7) == 0);
    CHECK_HAS(out, "\"level\":\"warn\",\"component\":\"runtime\",\"msg\":\"broker \\\"down\\\"\"");
    CHECK_HAS(out, "\"topic\":\"articles\"");
    CHECK_HAS(out, "\"sasl.password\":\"***\"");
    CHECK_HAS(out, "\"ssl.key.password\":\"***\"");
    CHECK(strstr(out, "hunter2") == NULL);
    CHECK(strstr(out, "hidden") == NULL);
    CHECK(strchr(out, '\n') == out + strlen(out) - 1);   /* one line */
}

TEST(logfmt_lines_flatten_and_mask) {
    ws_log_setup(WS_LOG_LOGFMT, WS_LOG_DEBUG);
    char *out = capture(emit);
    CHECK(strncmp(out, "ts=", 3) == 0);
    CHECK_HAS(out, " level=warn component=runtime msg=\"broker \\\"down\\\"\"");
    CHECK_HAS(out, " topic=articles");
    CHECK_HAS(out, " sasl.password=***");
    CHECK_HAS(out, " kafka.ssl.key.password=***");
    CHECK_HAS(out, " kafka.partition=3");
    CHECK_HAS(out, "msg=\"hidden at info\"");
    CHECK(strstr(out, "hunter2") == NULL);
    ws_log_setup(WS_LOG_JSON, WS_LOG_INFO);
}

TEST(parse_levels_formats_and_secret_keys) {
    ws_log_level_t l;
    ws_log_format_t f;
    CHECK(ws_log_level_parse("WARN", &l) == 0 && l == WS_LOG_WARN);
    CHECK(ws_log_level_parse("loud", &l) == -1);
    CHECK(ws_log_format_parse("logfmt", &f) == 0 && f == WS_LOG_LOGFMT);
    CHECK(ws_log_format_parse("xml", &f) == -1);
    CHECK(ws_log_key_is_secret("sasl.password"));
    CHECK(ws_log_key_is_secret("sasl.oauthbearer.client.secret"));
    CHECK(ws_log_key_is_secret("ssl.key.pem"));
    CHECK(ws_log_key_is_secret("api_token"));
    CHECK(ws_log_key_is_secret("private.key"));
    CHECK(!ws_log_key_is_secret("max_tokens"));
    CHECK(!ws_log_key_is_secret("sasl.mechanism"));
    CHECK(!ws_log_key_is_secret("bootstrap.servers"));
}

TEST(histogram_quantiles_within_resolution) {
    static ws_histogram_t h, snap, old, diff;
    ws_histogram_init(&h);
    CHECK(ws_histogram_quantile(&h, 0.5) == 0);
    for (uint64_t v = 1; v <= 10000; v++) ws_histogram_record(&h, v);
    uint64_t p50 = ws_histogram_quantile(&h, 0.5), p99 = ws_histogram_quantile(&h, 0.99);
    CHECK(p50 > 4850 && p50 < 5150);
    CHECK(p99 > 9600 && p99 < 10200);
    CHECK(ws_histogram_quantile(&h, 0) <= 1);
    ws_histogram_record(&h, 3600ull * 1000000 * 30);   /* beyond the range: last bucket */
    CHECK(ws_histogram_quantile(&h, 1) > 3600ull * 1000000);
    ws_histogram_snapshot(&h, &old);
    for (int i = 0; i < 100; i++) ws_histogram_record(&h, 7);
    ws_histogram_snapshot(&h, &snap);
    ws_histogram_diff(&snap, &old, &diff);
    CHECK(diff.count == 100 && diff.sum_us == 700);
    CHECK(ws_histogram_quantile(&diff, 0.5) == 7);
}

/* A quantile is a bucket's midpoint, which may lie above every value in the
 * bucket: the metrics once showed e2e_p99_us 3768320 next to e2e_max_us
 * 3744000.  Quantiles are capped at the largest value recorded, also for
 * an interval (a diff of snapshots). */
TEST(histogram_quantile_never_exceeds_the_max) {
    static ws_histogram_t h, old, now, diff;
    ws_histogram_init(&h);
    ws_histogram_record(&h, 3744000);
    CHECK(h.max_us == 3744000);
    CHECK(ws_histogram_quantile(&h, 0.5) == 3744000);
    CHECK(ws_histogram_quantile(&h, 0.99) == 3744000);
    CHECK(ws_histogram_quantile(&h, 1) == 3744000);
    ws_histogram_init(&h);
    for (int i = 0; i < 100; i++) ws_histogram_record(&h, 1000);
    CHECK(ws_histogram_quantile(&h, 0.5) == 1000 && ws_histogram_quantile(&h, 0.99) == 1000);
    /* Interval: its largest value is the all-time max when that grew ... */
    ws_histogram_init(&h);
    ws_histogram_record(&h, 10);
    ws_histogram_snapshot(&h, &old);
    ws_histogram_record(&h, 250000);
    ws_histogram_snapshot(&h, &now);
    ws_histogram_diff(&now, &old, &diff);
    CHECK(diff.max_us == 250000 && ws_histogram_quantile(&diff, 0.99) == 250000);
    /* ... else it is only known to lie in the top bucket: report its floor. */
    ws_histogram_init(&h);
    ws_histogram_record(&h, 4950);
    ws_histogram_snapshot(&h, &old);
    ws_histogram_record(&h, 4900);
    ws_histogram_snapshot(&h, &now);
    ws_histogram_diff(&now, &old, &diff);
    CHECK(diff.count == 1 && diff.max_us <= 4900 && diff.max_us > 4700);
    CHECK(ws_histogram_quantile(&diff, 0.5) <= 4900);
    ws_histogram_init(&old);   /* from empty, as the final metrics line does */
    ws_histogram_diff(&now, &old, &diff);
    CHECK(diff.max_us == 4950 && ws_histogram_quantile(&diff, 1) <= 4950);
}

int main(void) {
    RUN(json_lines_carry_standard_keys_and_mask_secrets);
    RUN(logfmt_lines_flatten_and_mask);
    RUN(parse_levels_formats_and_secret_keys);
    RUN(histogram_quantiles_within_resolution);
    RUN(histogram_quantile_never_exceeds_the_max);
    return ws_test_done();
}
