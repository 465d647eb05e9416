/* test_metrics.c -- the metrics line: counters, rates, reasons, latency
 * quantiles, lag, health and the Prometheus page, on a fake clock. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_pipeline.h"
#include "ws_log.h"
#include "ws_metrics.h"

#define FAKE_NOW_START 1000000
#include "metrics_check.h"

/* ---- a sink that keeps the last line (the fake clock is in metrics_check.h) */

typedef struct {
    int lines;
    cJSON *last;
} sink_t;

static void sink(void *ud, const cJSON *fields) {
    sink_t *s = ud;
    cJSON_Delete(s->last);
    s->last = cJSON_Duplicate(fields, 1);
    s->lines++;
}

/* A number at a dotted path ("pipeline.dedup.in"), or -12345 when absent. */
static double num(const cJSON *o, const char *path) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *cur = o;
    for (char *save = NULL, *tok = strtok_r(buf, ".", &save); tok && cur;
         tok = strtok_r(NULL, ".", &save))
        cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
    return cJSON_IsNumber(cur) ? cur->valuedouble : -12345;
}

static const char *str(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static ws_metrics_t *new_metrics(ws_pipeline_t *p, int64_t interval_ms, sink_t *s) {
    ws_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.metrics_interval_ms = interval_ms;
    char err[256] = "";
    ws_metrics_t *m = ws_metrics_new(&cfg, p, err, sizeof err);
    if (!m) {
        fprintf(stderr, "ws_metrics_new: %s\n", err);
        exit(1);
    }
    ws_metrics_set_clock(m, fake_clock, NULL);
    if (s) ws_metrics_set_sink(m, sink, s);
    return m;
}

static void test_line_carries_known_counts(void) {
    static const char *const procs[] = {"dedup", "entities", "quotes"};
    ws_pipeline_t p;
    fake_pipeline_init(&p, procs, 3);
    sink_t s = {0, NULL};
    ws_metrics_t *m = new_metrics(&p, 10000, &s);

    for (int i = 0; i < 100; i++) ws_metrics_in(m, 50);
    for (int i = 0; i < 90; i++) ws_metrics_out(m, 100);
    for (int i = 0; i < 3; i++) ws_metrics_dlq(m, "invalid_json");
    ws_metrics_dlq(m, "empty_body");
    for (int i = 0; i < 6; i++) ws_metrics_dropped(m, "duplicate");
    for (int i = 0; i < 99; i++) ws_metrics_e2e_us(m, 1000);
    ws_metrics_e2e_us(m, 50000);
    ws_metrics_queue_depth(m, 7);
    ws_metrics_rebalance(m);
    ws_metrics_rebalance(m);
    ws_metrics_partition(m, "raw", 1, 50, 50);
    ws_metrics_partition(m, "raw", 0, 100, 40);
    ws_metrics_partition(m, "raw", 2, -1001, 3);   /* watermark not known yet */

    p.e[0].in = 100; p.e[0].out = 94; p.e[0].dropped = 6; p.e[0].hits = 8;
    p.e[1].in = 94; p.e[1].out = 93; p.e[1].errors = 1;
    for (int i = 0; i < 100; i++) ws_histogram_record(&p.h[1], i < 60 ? 200 : 400);

    ws_metrics_tick(m);
    CHECK(s.lines == 0);          /* the interval has not elapsed */
    atomic_fetch_add(&fake_now, 10000);
    ws_metrics_tick(m);
    CHECK(s.lines == 1);
    const cJSON *f = s.last;
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(f, "final")));
    CHECK(num(f, "interval_ms") == 10000);
    CHECK(num(f, "in_msgs") == 100);
    CHECK(num(f, "in_bytes") == 5000);
    CHECK(num(f, "in_msgs_per_s") == 10);
    CHECK(num(f, "in_bytes_per_s") == 500);
    CHECK(num(f, "out_msgs") == 90);
    CHECK(num(f, "out_bytes") == 9000);
    CHECK(num(f, "out_msgs_per_s") == 9);
    CHECK(num(f, "out_bytes_per_s") == 900);
    CHECK(num(f, "dlq_total") == 4);
    CHECK(num(f, "dlq_by_reason.invalid_json") == 3);
    CHECK(num(f, "dlq_by_reason.empty_body") == 1);
    CHECK(num(f, "dropped_total") == 6);
    CHECK(num(f, "dropped_by_reason.duplicate") == 6);
    CHECK(num(f, "dedup_hit_rate") == 0.08);
    CHECK(num(f, "pipeline.dedup.in") == 100);
    CHECK(num(f, "pipeline.dedup.out") == 94);
    CHECK(num(f, "pipeline.dedup.dropped") == 6);
    CHECK(num(f, "pipeline.dedup.hits") == 8);
    CHECK(num(f, "pipeline.entities.errors") == 1);
    CHECK(num(f, "pipeline.quotes.in") == 0);
    /* Histogram buckets are ~3% wide. */
    double p50 = num(f, "pipeline.entities.p50_us"), p99 = num(f, "pipeline.entities.p99_us");
    CHECK(p50 >= 194 && p50 <= 206);
    CHECK(p99 >= 388 && p99 <= 412);
    double e50 = num(f, "e2e_p50_us");
    CHECK(e50 >= 970 && e50 <= 1030);
    CHECK(num(f, "e2e_max_us") == 50000);
    CHECK(num(f, "producer_queue_depth") == 7);
    CHECK(num(f, "rebalances") == 2);
    CHECK(strcmp(str(f, "assignment"), "raw/0,raw/1,raw/2") == 0);
    CHECK(num(f, "partitions") == 3);
    CHECK(num(f, "lag.raw/0") == 60);
    CHECK(num(f, "lag.raw/1") == 0);
    CHECK(num(f, "lag.raw/2") == -12345);          /* unknown: not listed */
    CHECK(num(f, "lag_total") == 60);
    CHECK(num(f, "lag_unknown") == 1);

    /* The next interval: rates and quantiles cover only what happened in it,
     * totals keep growing. */
    for (int i = 0; i < 20; i++) ws_metrics_in(m, 10);
    ws_metrics_e2e_us(m, 5000);
    ws_metrics_partition(m, "raw", 2, 10, -1);      /* now known: 10 - 3 */
    ws_metrics_partition(m, "raw", 0, -1, 100);     /* caught up */
    atomic_fetch_add(&fake_now, 5000);
    ws_metrics_tick(m);
    CHECK(s.lines == 1);                            /* 5 s < interval */
    atomic_fetch_add(&fake_now, 5000);
    ws_metrics_tick(m);
    CHECK(s.lines == 2);
    f = s.last;
    CHECK(num(f, "in_msgs") == 120);
    CHECK(num(f, "in_msgs_per_s") == 2);
    CHECK(num(f, "in_bytes_per_s") == 20);
    CHECK(num(f, "out_msgs_per_s") == 0);
    CHECK(num(f, "pipeline.entities.p50_us") == 0); /* no new samples */
    e50 = num(f, "e2e_p50_us");
    CHECK(e50 >= 4850 && e50 <= 5150);
    CHECK(num(f, "e2e_max_us") == 5000);
    CHECK(num(f, "lag.raw/0") == 0);
    CHECK(num(f, "lag.raw/2") == 7);
    CHECK(num(f, "lag_total") == 7);
    CHECK(num(f, "lag_unknown") == 0);

    ws_metrics_partition_remove(m, "raw", 1);
    ws_metrics_partition_remove(m, "raw", 9);       /* not assigned: no-op */
    ws_metrics_final(m);
    CHECK(s.lines == 3);
    f = s.last;
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(f, "final")));
    /* The final line summarises the run: 20 s, all samples. */
    CHECK(num(f, "interval_ms") == 20000);
    CHECK(num(f, "in_msgs_per_s") == 6);
    CHECK(num(f, "out_msgs_per_s") == 4.5);
    CHECK(num(f, "e2e_max_us") == 50000);
    e50 = num(f, "e2e_p50_us");
    CHECK(e50 >= 970 && e50 <= 1030);
    p50 = num(f, "pipeline.entities.p50_us");
    CHECK(p50 >= 194 && p50 <= 206);
    CHECK(strcmp(str(f, "assignment"), "raw/0,raw/2") == 0);
    CHECK(num(f, "lag.raw/1") == -12345);

    ws_metrics_free(m);
    cJSON_Delete(s.last);
}

static void test_reasons_are_bounded_and_sanitised(void) {
    sink_t s = {0, NULL};
    ws_metrics_t *m = new_metrics(NULL, 10000, &s);
    char r[32];
    for (int i = 0; i < 40; i++) {
        snprintf(r, sizeof r, "reason_%d", i);
        ws_metrics_dlq(m, r);
    }
    ws_metrics_dropped(m, "near-duplicate of \"x\"");
    ws_metrics_dropped(m, NULL);
    ws_metrics_emit_now(m);
    const cJSON *f = s.last;
    CHECK(num(f, "dlq_total") == 40);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(f, "dlq_by_reason")) == 32);
    CHECK(num(f, "dlq_by_reason.reason_0") == 1);
    CHECK(num(f, "dlq_by_reason.reason_30") == 1);
    CHECK(num(f, "dlq_by_reason.other") == 9);
    CHECK(num(f, "dropped_by_reason.near-duplicate_of__x_") == 1);
    CHECK(num(f, "dropped_by_reason.unknown") == 1);
    CHECK(cJSON_GetObjectItem(f, "dedup_hit_rate") == NULL); /* no dedup entry */
    CHECK(num(f, "partitions") == 0);
    CHECK(strcmp(str(f, "assignment"), "") == 0);
    ws_metrics_free(m);
    cJSON_Delete(s.last);
}

static void test_interval_zero_writes_only_the_final_line(void) {
    sink_t s = {0, NULL};
    ws_metrics_t *m = new_metrics(NULL, 0, &s);
    for (int i = 0; i < 5; i++) {
        atomic_fetch_add(&fake_now, 60000);
        ws_metrics_tick(m);
    }
    CHECK(s.lines == 0);
    CHECK(ws_metrics_healthy(m));
    ws_metrics_final(m);
    CHECK(s.lines == 1);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(s.last, "final")));
    ws_metrics_free(m);
    cJSON_Delete(s.last);
}

static void test_health_follows_the_main_loop(void) {
    sink_t s = {0, NULL};
    ws_metrics_t *m = new_metrics(NULL, 1000, &s);     /* stall bound: 30 s */
    CHECK(ws_metrics_healthy(m));
    atomic_fetch_add(&fake_now, 29000);
    CHECK(ws_metrics_healthy(m));
    atomic_fetch_add(&fake_now, 2000);
    CHECK(!ws_metrics_healthy(m));                     /* 31 s without a tick */
    ws_metrics_set_healthy(m, 1);
    CHECK(ws_metrics_healthy(m));
    atomic_fetch_add(&fake_now, 31000);
    ws_metrics_tick(m);                                /* a tick is a heartbeat */
    CHECK(ws_metrics_healthy(m));
    ws_metrics_set_healthy(m, 0);
    CHECK(!ws_metrics_healthy(m));
    ws_metrics_free(m);
    cJSON_Delete(s.last);

    m = new_metrics(NULL, 60000, NULL);                /* stall bound: 3 x 60 s */
    atomic_fetch_add(&fake_now, 100000);
    CHECK(ws_metrics_healthy(m));
    atomic_fetch_add(&fake_now, 81000);
    CHECK(!ws_metrics_healthy(m));
    ws_metrics_free(m);
}

static void test_prometheus_page(void) {
    static const char *const procs[] = {"dedup"};
    ws_pipeline_t p;
    fake_pipeline_init(&p, procs, 1);
    p.e[0].in = 10;
    p.e[0].hits = 5;
    ws_metrics_t *m = new_metrics(&p, 10000, NULL);
    for (int i = 0; i < 3; i++) ws_metrics_in(m, 7);
    ws_metrics_dlq(m, "invalid_utf8");
    ws_metrics_partition(m, "raw", 0, 12, 2);
    size_t len = 0;
    char *page = ws_metrics_prometheus(m, &len);
    CHECK(page != NULL);
    if (page) {
        CHECK(strlen(page) == len);
        CHECK(strstr(page, "\nwirestream_messages_in_total 3\n") != NULL);
        CHECK(strstr(page, "\nwirestream_bytes_in_total 21\n") != NULL);
        CHECK(strstr(page, "\nwirestream_dlq_total{reason=\"invalid_utf8\"} 1\n") != NULL);
        CHECK(strstr(page, "\nwirestream_lag{topic=\"raw\",partition=\"0\"} 10\n") != NULL);
        CHECK(strstr(page, "\nwirestream_lag_total 10\n") != NULL);
        CHECK(strstr(page, "\nwirestream_entry_hits_total{entry=\"dedup\",processor=\"dedup\"} 5\n") != NULL);
        CHECK(strstr(page, "\nwirestream_dedup_hit_ratio 0.5\n") != NULL);
        CHECK(strstr(page, "# TYPE wirestream_messages_in_total counter\n") != NULL);
        CHECK(page[len - 1] == '\n');
    }
    free(page);
    ws_metrics_free(m);
}

/* The default sink is the structured logger: one JSON line on stderr. */
static void test_line_goes_to_the_logger(void) {
    fflush(stderr);
    int saved = dup(2);
    FILE *tmp = tmpfile();
    if (saved < 0 || !tmp) { CHECK(0); return; }
    dup2(fileno(tmp), 2);
    ws_log_setup(WS_LOG_JSON, WS_LOG_INFO);
    ws_metrics_t *m = new_metrics(NULL, 10000, NULL);
    ws_metrics_in(m, 10);
    ws_metrics_partition(m, "raw", 3, 9, 4);
    ws_metrics_final(m);
    ws_metrics_free(m);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char buf[8192] = "";
    rewind(tmp);
    size_t n = fread(buf, 1, sizeof buf - 1, tmp);
    buf[n] = '\0';
    fclose(tmp);
    CHECK(strstr(buf, "\"component\":\"metrics\"") != NULL);
    CHECK(strstr(buf, "\"msg\":\"metrics\"") != NULL);
    CHECK(strstr(buf, "\"final\":true") != NULL);
    CHECK(strstr(buf, "\"in_msgs\":1,") != NULL);
    CHECK(strstr(buf, "\"lag\":{\"raw/3\":5}") != NULL);
    CHECK(strstr(buf, "\"lag_total\":5") != NULL);
    cJSON *line = cJSON_Parse(buf);
    CHECK(line != NULL);                           /* exactly one JSON object */
    cJSON_Delete(line);
}

/* Worker threads and delivery callbacks feed concurrently while the main
 * loop emits: no count may be lost. */
#define FEEDERS 4
#define PER_FEEDER 20000

static void *feeder(void *arg) {
    ws_metrics_t *m = arg;
    for (int i = 0; i < PER_FEEDER; i++) {
        ws_metrics_in(m, 3);
        ws_metrics_out(m, 5);
        ws_metrics_e2e_us(m, (uint64_t)i);
        if (i % 10 == 0) ws_metrics_dlq(m, i % 20 ? "invalid_json" : "too_large");
        if (i % 100 == 0) ws_metrics_partition(m, "raw", i % 7, 1000000, i);
    }
    return NULL;
}

static void test_concurrent_feeding_loses_nothing(void) {
    sink_t s = {0, NULL};
    ws_metrics_t *m = new_metrics(NULL, 10000, &s);
    pthread_t t[FEEDERS];
    for (int i = 0; i < FEEDERS; i++) pthread_create(&t[i], NULL, feeder, m);
    for (int i = 0; i < 20; i++) ws_metrics_emit_now(m);
    for (int i = 0; i < FEEDERS; i++) pthread_join(t[i], NULL);
    ws_metrics_final(m);
    const cJSON *f = s.last;
    CHECK(s.lines == 21);
    CHECK(num(f, "in_msgs") == FEEDERS * PER_FEEDER);
    CHECK(num(f, "in_bytes") == 3.0 * FEEDERS * PER_FEEDER);
    CHECK(num(f, "out_bytes") == 5.0 * FEEDERS * PER_FEEDER);
    CHECK(num(f, "dlq_total") == FEEDERS * PER_FEEDER / 10);
    CHECK(num(f, "dlq_by_reason.too_large") == FEEDERS * PER_FEEDER / 20);
    CHECK(num(f, "partitions") == 7);
    ws_metrics_free(m);
    cJSON_Delete(s.last);
}

int main(void) {
    test_line_carries_known_counts();
    test_reasons_are_bounded_and_sanitised();
    test_health_follows_the_main_loop();
    test_interval_zero_writes_only_the_final_line();
    test_prometheus_page();
    test_line_goes_to_the_logger();
    test_concurrent_feeding_loses_nothing();
    if (failures) {
        fprintf(stderr, "test_metrics: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_metrics: ok\n");
    return 0;
}
