/* The Kafka runtime end to end on librdkafka's in-process mock cluster: no
 * real broker needed.  Each case starts its own cluster, produces its own
 * generated articles, runs the real ws_rt_* path and checks the topics. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include "ws_run.h"
#include "ws_reader.h"
#include "ws_log.h"

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; \
    fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

typedef struct {
    rd_kafka_t *host;
    rd_kafka_mock_cluster_t *mc;
    const char *bs;
} cluster_t;

static void cluster_start(cluster_t *c)
{
    char e[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", e, sizeof(e));
    c->host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof(e));
    c->mc = rd_kafka_mock_cluster_new(c->host, 1);
    c->bs = rd_kafka_mock_cluster_bootstraps(c->mc);
    rd_kafka_mock_topic_create(c->mc, "in", 2, 1);
    rd_kafka_mock_topic_create(c->mc, "out", 1, 1);
    rd_kafka_mock_topic_create(c->mc, "dlq", 1, 1);
}

static void cluster_stop(cluster_t *c)
{
    rd_kafka_mock_cluster_destroy(c->mc);
    rd_kafka_destroy(c->host);
}

/* n distinct articles from number first on (unique words so no processor
 * drops them); big: a plain-text article whose enriched record is far
 * larger than itself. */
static void produce_range(cluster_t *c, int first, int n, int big)
{
    char e[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", c->bs, e, sizeof(e));
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof(e));
    char buf[4096];
    for (int i = first; i < first + n; i++) {
        int len = snprintf(buf, sizeof(buf),
                           "{\"id\":\"a-%05d\",\"title\":\"Item %d\",\"body\":\"Report %d: the "
                           "committee%d met in hall%d and agreed on plan%d by vote%d.\\n\"}",
                           i, i, i, i * 7, i * 13, i * 17, i * 31);
        rd_kafka_producev(p, RD_KAFKA_V_TOPIC("in"), RD_KAFKA_V_VALUE(buf, (size_t)len),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    }
    if (big) {
        int len = snprintf(buf, sizeof(buf), "id big-one\n");
        for (int i = 0; i < 90 && len < 2000; i++)
            len += snprintf(buf + len, sizeof(buf) - (size_t)len, "\"Yes,\" she said.\n");
        rd_kafka_producev(p, RD_KAFKA_V_TOPIC("in"), RD_KAFKA_V_VALUE(buf, (size_t)len),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    }
    rd_kafka_flush(p, 10000);
    CHECK(rd_kafka_outq_len(p) == 0, "test input delivered to the mock cluster");
    rd_kafka_destroy(p);
}

static void produce_articles(cluster_t *c, int n, int big)
{
    produce_range(c, 0, n, big);
}

/* Counts the records of topic, and the distinct "a-NNNNN" keys among them. */
static int read_topic(cluster_t *c, const char *topic, int want, int *distinct, char *seen_reason,
                      size_t reasonlen)
{
    char e[256], err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", c->bs, e, sizeof(e));
    rd_kafka_conf_set(conf, "log_level", "3", e, sizeof(e));
    const char *topics[1] = { topic };
    ws_reader_t *r = ws_reader_new(conf, topics, 1, RD_KAFKA_OFFSET_BEGINNING, err, sizeof(err));
    if (!r) { CHECK(0, "reader: %s", err); return 0; }
    static char seen[100000];
    memset(seen, 0, sizeof(seen));
    int n = 0;
    *distinct = 0;
    for (int idle = 0; idle < 30 && (want < 0 || *distinct < want);) {
        rd_kafka_message_t *m = ws_reader_poll(r, 100);
        if (!m) { idle++; continue; }
        if (!m->err) {
            n++;
            int k;
            if (m->key && m->key_len == 7 && sscanf((const char *)m->key, "a-%5d", &k) == 1 &&
                k >= 0 && k < 100000 && !seen[k]) {
                seen[k] = 1;
                (*distinct)++;
            }
            rd_kafka_headers_t *h = NULL;
            const void *v;
            size_t vl;
            if (seen_reason && !rd_kafka_message_headers(m, &h) &&
                !rd_kafka_header_get_last(h, "ws.error", &v, &vl) && vl < reasonlen) {
                memcpy(seen_reason, v, vl);
                seen_reason[vl] = 0;
            }
        }
        rd_kafka_message_destroy(m);
    }
    ws_reader_free(r);
    return n;
}

static ws_config_t *load_config(const char *const *extra, size_t nextra)
{
    const char *sets[16] = { "input.topics=in", "output.topic=out", "output.dlq_topic=dlq",
                             "metrics.interval_ms=60000", "log.level=warn" };
    size_t n = 5;
    for (size_t i = 0; i < nextra && n < 16; i++) sets[n++] = extra[i];
    ws_config_t *cfg = NULL;
    char err[1024];
    if (ws_config_load(NULL, sets, n, &cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "config: %s\n", err);
        exit(1);
    }
    ws_log_setup(cfg->log_format, cfg->log_level);
    return cfg;
}

typedef struct {
    ws_rt_t rt;
    pthread_t th;
    int rc;
} instance_t;

static void *loop(void *p)
{
    instance_t *in = p;
    in->rc = ws_rt_loop(&in->rt);
    return NULL;
}

/* The mock cluster has no CreateTopics: make the state topics here. */
static void create_state_topics(const ws_config_t *cfg, cluster_t *c)
{
    for (size_t i = 0; i < cfg->entries_n; i++)
        if (cfg->entries[i].state_topic)
            rd_kafka_mock_topic_create(c->mc, cfg->entries[i].state_topic, 1, 1);
}

static int start(instance_t *in, const ws_config_t *cfg, cluster_t *c)
{
    char err[1024] = "";
    create_state_topics(cfg, c);
    if (ws_rt_setup(&in->rt, cfg, NULL, c->bs, err, sizeof(err)) != 0) {
        CHECK(0, "setup: %s", err);
        ws_rt_shutdown(&in->rt, 1);
        ws_rt_free(&in->rt);
        return -1;
    }
    pthread_create(&in->th, NULL, loop, in);
    return 0;
}

static int stop(instance_t *in)
{
    atomic_store(&in->rt.stop, 1);
    pthread_join(in->th, NULL);
    int rc = ws_rt_shutdown(&in->rt, in->rc);
    ws_rt_free(&in->rt);
    return rc;
}

static int wait_completed(instance_t **ins, int nins, long want, int timeout_ms)
{
    for (int t = 0; t < timeout_ms; t += 50) {
        long sum = 0;
        for (int i = 0; i < nins; i++) sum += atomic_load(&ins[i]->rt.completed);
        if (sum >= want) return 1;
        sleep_ms(50);
    }
    return 0;
}

static void broker_outage_loses_nothing(void)
{
    cluster_t c;
    cluster_start(&c);
    produce_articles(&c, 300, 0);
    ws_config_t *cfg = load_config(NULL, 0);
    static instance_t a;
    memset(&a, 0, sizeof(a));
    if (start(&a, cfg, &c) == 0) {
        instance_t *all[1] = { &a };
        CHECK(wait_completed(all, 1, 20, 30000), "processing started");
        rd_kafka_mock_broker_set_down(c.mc, 1);
        sleep_ms(3000);
        rd_kafka_mock_broker_set_up(c.mc, 1);
        CHECK(wait_completed(all, 1, 300, 60000), "all 300 settled after the outage, got %ld",
              atomic_load(&a.rt.completed));
        CHECK(stop(&a) == 0, "clean shutdown after an outage");
        int distinct = 0;
        read_topic(&c, "out", 300, &distinct, NULL, 0);
        CHECK(distinct == 300, "every input has its output after the outage: %d of 300", distinct);
    }
    ws_config_free(cfg);
    cluster_stop(&c);
}

static void backpressure_pauses_and_loses_nothing(void)
{
    cluster_t c;
    cluster_start(&c);
    produce_articles(&c, 400, 0);
    const char *extra[] = { "kafka.queue.buffering.max.messages=10", "kafka.linger.ms=20" };
    ws_config_t *cfg = load_config(extra, 2);
    static instance_t a;
    memset(&a, 0, sizeof(a));
    if (start(&a, cfg, &c) == 0) {
        instance_t *all[1] = { &a };
        CHECK(wait_completed(all, 1, 400, 60000), "all 400 settled, got %ld",
              atomic_load(&a.rt.completed));
        long bp = atomic_load(&a.rt.bp_events);
        CHECK(stop(&a) == 0, "clean shutdown");
        CHECK(bp > 0, "a 10-message producer queue must trigger backpressure");
        int distinct = 0;
        int n = read_topic(&c, "out", 400, &distinct, NULL, 0);
        CHECK(distinct == 400, "nothing dropped under backpressure: %d of 400 (%d records)",
              distinct, n);
    }
    ws_config_free(cfg);
    cluster_stop(&c);
}

static void too_large_record_goes_to_dlq_and_commits_go_on(void)
{
    cluster_t c;
    cluster_start(&c);
    produce_articles(&c, 20, 1);
    const char *extra[] = { "kafka.message.max.bytes=2600" };
    ws_config_t *cfg = load_config(extra, 1);
    static instance_t a;
    memset(&a, 0, sizeof(a));
    if (start(&a, cfg, &c) == 0) {
        instance_t *all[1] = { &a };
        CHECK(wait_completed(all, 1, 21, 30000), "all 21 settled (none blocked), got %ld",
              atomic_load(&a.rt.completed));
        CHECK(stop(&a) == 0, "clean shutdown");
        int distinct = 0;
        char reason[64] = "";
        read_topic(&c, "out", 20, &distinct, NULL, 0);
        CHECK(distinct == 20, "the small articles are all out: %d", distinct);
        int n = read_topic(&c, "dlq", -1, &distinct, reason, sizeof(reason));
        CHECK(n == 1, "one DLQ record, got %d", n);
        CHECK(strcmp(reason, "record_too_large") == 0, "DLQ reason record_too_large, got '%s'",
              reason);
    }
    ws_config_free(cfg);
    cluster_stop(&c);
}

static void second_instance_rebalance_loses_nothing(void)
{
    cluster_t c;
    cluster_start(&c);
    produce_articles(&c, 600, 0);
    const char *extra[] = { "kafka.group.id=rb", "kafka.session.timeout.ms=6000",
                            "kafka.heartbeat.interval.ms=500" };
    ws_config_t *cfg = load_config(extra, 3);
    static instance_t a, b;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    if (start(&a, cfg, &c) == 0) {
        instance_t *one[1] = { &a };
        CHECK(wait_completed(one, 1, 50, 30000), "first instance started");
        if (start(&b, cfg, &c) == 0) {
            sleep_ms(4000);   /* let the group rebalance onto both */
            CHECK(stop(&a) == 0, "first instance leaves cleanly");
            instance_t *two[1] = { &b };
            int distinct = 0;
            for (int t = 0; t < 40 && distinct < 600; t++) {
                wait_completed(two, 1, 600, 500);
                read_topic(&c, "out", 600, &distinct, NULL, 0);
            }
            CHECK(distinct == 600, "every input has an output across the rebalance: %d of 600",
                  distinct);
            CHECK(stop(&b) == 0, "second instance stops cleanly");
        } else {
            stop(&a);
        }
    }
    ws_config_free(cfg);
    cluster_stop(&c);
}

static void exactly_once_outputs_each_input_once(int workers)
{
    cluster_t c;
    cluster_start(&c);
    produce_articles(&c, 300, 0);
    const char *extra[] = { "delivery=exactly_once", "transaction_interval_ms=50",
                            workers > 1 ? "workers=3" : "workers=1" };
    ws_config_t *cfg = load_config(extra, 3);
    static instance_t a;
    memset(&a, 0, sizeof(a));
    if (start(&a, cfg, &c) == 0) {
        instance_t *all[1] = { &a };
        CHECK(wait_completed(all, 1, 300, 60000), "all 300 settled, got %ld",
              atomic_load(&a.rt.completed));
        CHECK(stop(&a) == 0, "clean shutdown");
        int distinct = 0;
        int n = read_topic(&c, "out", -1, &distinct, NULL, 0);
        CHECK(distinct == 300 && n == 300, "read_committed sees each input once: %d records, "
              "%d distinct of 300", n, distinct);
    }
    ws_config_free(cfg);
    cluster_stop(&c);
}

/* A delivery that fails for good (here: refused by authorisation) is
 * produced again later, never settled, so nothing is lost. */
static void failed_delivery_is_retried_not_lost(void)
{
    cluster_t c;
    cluster_start(&c);
    produce_articles(&c, 50, 0);
    ws_config_t *cfg = load_config(NULL, 0);
    /* ApiKey 0 = Produce: the next three produce requests fail. */
    rd_kafka_mock_push_request_errors(c.mc, 0, 3, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    static instance_t a;
    memset(&a, 0, sizeof(a));
    if (start(&a, cfg, &c) == 0) {
        instance_t *all[1] = { &a };
        CHECK(wait_completed(all, 1, 50, 60000), "all 50 settled after the retries, got %ld",
              atomic_load(&a.rt.completed));
        CHECK(stop(&a) == 0, "clean shutdown");
        int distinct = 0;
        read_topic(&c, "out", 50, &distinct, NULL, 0);
        CHECK(distinct == 50, "every input has its output despite failed deliveries: %d of 50",
              distinct);
    }
    ws_config_free(cfg);
    cluster_stop(&c);
}

/* ws_rt_run on a thread of its own, as `wirestream run` runs it. */
typedef struct {
    instance_t in;
    const ws_config_t *cfg;
    const char *bs;
    int restarts;
    char err[512];
} runner_t;

static void *run_thread(void *p)
{
    runner_t *r = p;
    r->in.rc = ws_rt_run(&r->in.rt, r->cfg, r->bs, &r->restarts, r->err, sizeof(r->err));
    return NULL;
}

/* librdkafka 2.0.2's idempotent producer can fail fatally when a broker
 * returns (its sequence numbers out of step).  At least once, the runtime
 * is built again and every input still gets its output; exactly once, a
 * fatal error means fencing, so the run stops with exit code 1. */
static void fatal_producer_error(int eos)
{
    cluster_t c;
    cluster_start(&c);
    produce_articles(&c, 300, 0);
    /* The mock cluster keeps a closed member in the group until its session
     * times out, so the rebuilt consumer waits that long for its partitions. */
    const char *extra[] = { "kafka.session.timeout.ms=6000", "kafka.heartbeat.interval.ms=500",
                            "delivery=exactly_once", "transaction_interval_ms=50" };
    ws_config_t *cfg = load_config(extra, eos ? 4 : 2);
    create_state_topics(cfg, &c);
    static runner_t r;
    memset(&r, 0, sizeof(r));
    r.cfg = cfg;
    r.bs = c.bs;
    pthread_create(&r.in.th, NULL, run_thread, &r);
    instance_t *all[1] = { &r.in };
    CHECK(wait_completed(all, 1, 50, 30000), "processing started");
    rd_kafka_test_fatal_error(r.in.rt.producer, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                              "test: sequence desynchronisation");
    if (!eos) {
        /* these can only come out through the rebuilt runtime */
        produce_range(&c, 300, 300, 0);
        int distinct = 0;
        for (time_t end = time(NULL) + 45; distinct < 600 && time(NULL) < end;) {
            sleep_ms(500);
            read_topic(&c, "out", 600, &distinct, NULL, 0);
        }
        CHECK(distinct == 600, "every input has its output after the rebuild: %d of 600", distinct);
        atomic_store(&r.in.rt.stop, 1);
        pthread_join(r.in.th, NULL);
        CHECK(r.restarts == 1, "one rebuild after the fatal error, got %d", r.restarts);
        CHECK(r.in.rc == 0, "clean exit after the rebuilt run is stopped: rc %d (%s)", r.in.rc, r.err);
    } else {
        pthread_join(r.in.th, NULL);
        CHECK(r.restarts == 0, "no rebuild in exactly-once mode, got %d", r.restarts);
        CHECK(r.in.rc == 1 && strstr(r.err, "fatal"), "exit code 1 naming the fatal error: rc %d (%s)",
              r.in.rc, r.err);
    }
    ws_config_free(cfg);
    cluster_stop(&c);
}

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    if (!only || !strcmp(only, "outage")) broker_outage_loses_nothing();
    if (!only || !strcmp(only, "backpressure")) backpressure_pauses_and_loses_nothing();
    if (!only || !strcmp(only, "too_large")) too_large_record_goes_to_dlq_and_commits_go_on();
    if (!only || !strcmp(only, "rebalance")) second_instance_rebalance_loses_nothing();
    if (!only || !strcmp(only, "eos")) exactly_once_outputs_each_input_once(1);
    if (!only || !strcmp(only, "eos_workers")) exactly_once_outputs_each_input_once(3);
    if (!only || !strcmp(only, "retry")) failed_delivery_is_retried_not_lost();
    if (!only || !strcmp(only, "fatal")) fatal_producer_error(0);
    if (!only || !strcmp(only, "fatal_eos")) fatal_producer_error(1);
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("runtime on the mock cluster: all tests passed\n");
    return 0;
}
