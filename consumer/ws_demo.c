/* ws_demo.c -- `wirestream demo`: the real runtime on librdkafka's
 * in-process mock cluster, with the project's own sample articles
 * (config/demo/articles.jsonl) plus one malformed message to show the DLQ.
 * Enriched records are printed on stdout as they arrive on the output
 * topic; logs and metrics go to stderr.  Exits 0 once every sample is
 * accounted for (output, DLQ or deliberate drop), non-zero after 60 s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include "ws_rt.h"
#include "ws_run.h"
#include "ws_log.h"
#include "ws_reader.h"
#include "ws_runtime.h"

#define DEMO_TIMEOUT_MS 60000
/* Not an article: shows how bad input is dead-lettered. */
#define DEMO_MALFORMED "{\"id\": \"demo-broken\", \"body\": \"unterminated"

static FILE *open_samples(const ws_config_t *cfg, char *path, size_t n)
{
    const char *dirs[] = { cfg->config_dir, "config", WS_DATA_DIR };
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        if (!dirs[i]) continue;
        snprintf(path, n, "%s/demo/articles.jsonl", dirs[i]);
        FILE *f = fopen(path, "r");
        if (f) return f;
    }
    return NULL;
}

/* Produces the samples; returns how many, or -1. */
static int produce_samples(const ws_config_t *cfg, const char *bootstrap,
                           char *err, size_t errlen)
{
    char path[4096], e[256];
    FILE *f = open_samples(cfg, path, sizeof(path));
    if (!f) {
        snprintf(err, errlen, "demo: config/demo/articles.jsonl not found");
        return -1;
    }
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set(c, "bootstrap.servers", bootstrap, e, sizeof(e));
    rd_kafka_conf_set_log_cb(c, ws_kconf_log_cb);
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, c, e, sizeof(e));
    if (!p) {
        fclose(f);
        rd_kafka_conf_destroy(c);
        snprintf(err, errlen, "demo producer: %s", e);
        return -1;
    }
    int n = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    const char *topic = cfg->input_topics[0];
    while ((len = getline(&line, &cap, f)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        if (len == 0) continue;
        if (rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(line, (size_t)len),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_HEADER("source", "wirestream-demo", -1),
                              RD_KAFKA_V_END) == 0)
            n++;
    }
    if (rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic),
                          RD_KAFKA_V_VALUE(DEMO_MALFORMED, strlen(DEMO_MALFORMED)),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END) == 0)
        n++;
    free(line);
    fclose(f);
    rd_kafka_flush(p, 10000);
    int left = rd_kafka_outq_len(p);
    rd_kafka_destroy(p);
    if (left > 0) {
        snprintf(err, errlen, "demo: %d sample(s) not delivered to the mock cluster", left);
        return -1;
    }
    ws_log(WS_LOG_INFO, "demo", "produced %d sample messages from %s", n, path);
    return n;
}

static ws_reader_t *output_reader(const ws_config_t *cfg, const char *bootstrap,
                                  char *err, size_t errlen)
{
    char e[256];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set(c, "bootstrap.servers", bootstrap, e, sizeof(e));
    rd_kafka_conf_set_log_cb(c, ws_kconf_log_cb);
    const char *topics[1] = { cfg->output_topic };
    return ws_reader_new(c, topics, 1, RD_KAFKA_OFFSET_BEGINNING, err, errlen);
}

static void *loop_thread(void *p)
{
    ws_rt_t *rt = p;
    static int rc;
    rc = ws_rt_loop(rt);
    return &rc;
}

int ws_demo(const ws_config_t *cfg, char *err, size_t errlen)
{
    char e[256];
    /* The mock cluster lives in a handle of its own. */
    rd_kafka_conf_t *hc = rd_kafka_conf_new();
    rd_kafka_conf_set(hc, "log_level", "3", e, sizeof(e));   /* it has no bootstrap: by design */
    rd_kafka_conf_set_log_cb(hc, ws_kconf_log_cb);
    rd_kafka_t *host = rd_kafka_new(RD_KAFKA_PRODUCER, hc, e, sizeof(e));
    if (!host) {
        rd_kafka_conf_destroy(hc);
        snprintf(err, errlen, "demo: %s", e);
        return 1;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(host, 1);
    if (!mc) {
        rd_kafka_destroy(host);
        snprintf(err, errlen, "demo: cannot start the mock cluster");
        return 1;
    }
    const char *bs = rd_kafka_mock_cluster_bootstraps(mc);

    /* The demo's own view of the config: no external Kafka settings, quick
     * metrics, no HTTP port. */
    ws_config_t dc = *cfg;   /* shallow: never passed to ws_config_free */
    dc.kafka_n = 0;
    dc.metrics_interval_ms = 1000;
    dc.http_port = 0;
    for (size_t i = 0; i < dc.input_topics_n; i++)
        rd_kafka_mock_topic_create(mc, dc.input_topics[i], 2, 1);
    rd_kafka_mock_topic_create(mc, dc.output_topic, 1, 1);
    rd_kafka_mock_topic_create(mc, dc.dlq_topic, 1, 1);
    for (size_t i = 0; i < dc.entries_n; i++) {
        if (dc.entries[i].drop_topic) rd_kafka_mock_topic_create(mc, dc.entries[i].drop_topic, 1, 1);
        if (dc.entries[i].state_topic) rd_kafka_mock_topic_create(mc, dc.entries[i].state_topic, 1, 1);
    }

    int rc = 1;
    static ws_rt_t rt;
    ws_reader_t *reader = NULL;
    int n = produce_samples(&dc, bs, err, errlen);
    if (n < 0) goto out_cluster;
    ws_rt_install_signals(&rt);
    if (ws_rt_setup(&rt, &dc, cfg, bs, err, errlen) != 0) {
        ws_rt_shutdown(&rt, 1);
        ws_rt_free(&rt);
        goto out_cluster;
    }
    reader = output_reader(&dc, bs, err, errlen);
    pthread_t th;
    if (!reader || pthread_create(&th, NULL, loop_thread, &rt) != 0) {
        if (!*err) snprintf(err, errlen, "demo: cannot start the runtime thread");
        ws_rt_shutdown(&rt, 1);
        ws_rt_free(&rt);
        goto out_reader;
    }

    long printed = 0;
    int64_t end = ws_now_ms() + DEMO_TIMEOUT_MS;
    int timed_out = 0;
    for (;;) {
        if (atomic_load(&rt.completed) >= n && printed >= atomic_load(&rt.acked_out)) break;
        if (atomic_load(&rt.stop) || atomic_load(&rt.fatal)) break;
        if (ws_now_ms() > end) { timed_out = 1; break; }
        rd_kafka_message_t *m = ws_reader_poll(reader, 100);
        if (!m) continue;
        if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            ws_log(WS_LOG_WARN, "demo", "output reader: %s", rd_kafka_message_errstr(m));
        if (!m->err && m->payload) {
            fwrite(m->payload, 1, m->len, stdout);
            fputc('\n', stdout);
            fflush(stdout);
            printed++;
        }
        rd_kafka_message_destroy(m);
    }
    long completed = atomic_load(&rt.completed);
    atomic_store(&rt.stop, 1);
    void *lrc;
    pthread_join(th, &lrc);
    int loop_rc = lrc ? *(int *)lrc : 1;
    loop_rc = ws_rt_shutdown(&rt, loop_rc);
    ws_rt_free(&rt);

    cJSON *f = cJSON_CreateObject();
    cJSON_AddNumberToObject(f, "samples", n);
    cJSON_AddNumberToObject(f, "accounted", (double)completed);
    cJSON_AddNumberToObject(f, "records_printed", (double)printed);
    ws_log_event(WS_LOG_INFO, "demo", "done", f);
    cJSON_Delete(f);
    if (timed_out)
        snprintf(err, errlen, "demo: only %ld of %d samples accounted for after %d s",
                 completed, n, DEMO_TIMEOUT_MS / 1000);
    else if (loop_rc || completed < n)
        snprintf(err, errlen, "demo: runtime stopped early (%ld of %d samples)", completed, n);
    else
        rc = 0;
out_reader:
    ws_reader_free(reader);
out_cluster:
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(host);
    return rc;
}
