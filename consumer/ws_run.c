/* ws_run.c -- `wirestream run`: set up the clients, run the main loop until
 * SIGTERM/SIGINT, shut down without loss.
 *
 * Shutdown: stop taking messages, let workers finish the one in hand,
 * flush the pipeline and the producer (bounded by shutdown_timeout_ms),
 * store and commit the done positions, close the consumer (leaves the
 * group), exit 0.  Whatever did not settle in time stays uncommitted and is
 * processed again by the next owner.  A second signal exits at once.
 *
 * A fatal producer error in at-least-once mode does not end the process:
 * the runtime is shut down the same way and built again (see ws_rt_run). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ws_rt.h"
#include "ws_run.h"
#include "ws_log.h"
#include "ws_runtime.h"

static ws_rt_t *g_rt;
static atomic_int g_signals;

static void on_signal(int sig)
{
    if (atomic_fetch_add(&g_signals, 1) > 0) _exit(128 + sig);
    if (g_rt) atomic_store(&g_rt->stop, 1);
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    ws_rt_t *rt = opaque;
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        if (!atomic_exchange(&rt->brokers_down, 1)) {
            cJSON *f = cJSON_CreateObject();
            cJSON_AddStringToObject(f, "client", rd_kafka_name(rk));
            cJSON_AddStringToObject(f, "reason", reason);
            ws_log_event(WS_LOG_WARN, "runtime", "broker down", f);
            cJSON_Delete(f);
        }
        return;
    }
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char buf[512];
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, buf, sizeof(buf));
        ws_log(WS_LOG_ERROR, "runtime", "fatal Kafka error (%s): %s", rd_kafka_err2name(orig), buf);
        if (rk == rt->producer) atomic_store(&rt->producer_fatal, 1);
        atomic_store(&rt->fatal, 1);
        return;
    }
    /* Connection errors repeat while a broker is away; librdkafka retries. */
    ws_log(err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__RESOLVE
               ? WS_LOG_DEBUG : WS_LOG_WARN,
           "runtime", "kafka %s: %s", rd_kafka_err2name(err), reason);
}

void ws_rt_install_signals(ws_rt_t *rt)
{
    g_rt = rt;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int64_t conf_int(rd_kafka_conf_t *c, const char *k, int64_t def)
{
    char v[64];
    size_t n = sizeof(v);
    if (rd_kafka_conf_get(c, k, v, &n) != RD_KAFKA_CONF_OK) return def;
    return strtoll(v, NULL, 10);
}

static int setup_pipeline(ws_rt_t *rt, char *err, size_t errlen)
{
    if (ws_pipeline_new(rt->cfg, NULL, 0, 1, &rt->pipeline, err, errlen) != 0) return -1;
    rt->nentries = ws_pipeline_size(rt->pipeline);
    rt->entry_names = calloc(rt->nentries + 1, sizeof(char *));
    rt->state_topics = calloc(rt->nentries + 1, sizeof(char *));
    if (!rt->entry_names || !rt->state_topics) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < rt->nentries; i++) {
        ws_entry_stats_t st;
        memset(&st, 0, sizeof(st));
        ws_pipeline_stats(rt->pipeline, i, &st);
        rt->entry_names[i] = st.name;
        rt->state_topics[i] = ws_pipeline_state_topic(rt->pipeline, i);
    }
    return 0;
}

int ws_rt_setup(ws_rt_t *rt, const ws_config_t *cfg, const ws_config_t *loaded,
                const char *bootstrap, char *err, size_t errlen)
{
    char e[512];
    int stop = atomic_load(&rt->stop);   /* the caller's: a rebuild keeps it */
    memset(rt, 0, sizeof(*rt));
    atomic_store(&rt->stop, stop);
    rt->cfg = cfg;
    pthread_mutex_init(&rt->parts_mu, NULL);
    pthread_mutex_init(&rt->bp_mu, NULL);
    pthread_mutex_init(&rt->retry_mu, NULL);
    pthread_mutex_init(&rt->txn_mu, NULL);
    rt->bootstrap_override = bootstrap ? strdup(bootstrap) : NULL;
    rt->eos = cfg->delivery == WS_DELIVERY_EXACTLY_ONCE;
    rt->nworkers = cfg->workers > 1 ? cfg->workers : 1;
    rt->revoke_timeout_ms = cfg->shutdown_timeout_ms > 0 ? cfg->shutdown_timeout_ms : 30000;

    cJSON *summary = ws_config_to_json(loaded ? loaded : cfg, 1);
    ws_log_event(WS_LOG_INFO, "runtime", "config", summary);
    cJSON_Delete(summary);

    if (setup_pipeline(rt, err, errlen) != 0) return -1;
    rt->metrics = ws_metrics_new(cfg, rt->pipeline, err, errlen);
    if (!rt->metrics) return -1;
    if (ws_metrics_http_start(rt->metrics, err, errlen) != 0) return -1;

    rd_kafka_conf_t *pc = ws_kconf_producer(rt, err, errlen);
    if (!pc) return -1;
    rd_kafka_conf_set_opaque(pc, rt);
    rd_kafka_conf_set_dr_msg_cb(pc, ws_out_dr_cb);
    rd_kafka_conf_set_error_cb(pc, error_cb);
    int64_t qmax = conf_int(pc, "queue.buffering.max.messages", 20000);
    rt->q_high = qmax * 8 / 10;
    rt->q_low = qmax / 2;
    rt->producer = rd_kafka_new(RD_KAFKA_PRODUCER, pc, e, sizeof(e));
    if (!rt->producer) {
        rd_kafka_conf_destroy(pc);
        snprintf(err, errlen, "producer: %s", e);
        return -1;
    }
    if (rt->eos && ws_txn_init(rt, err, errlen) != 0) return -1;
    if (ws_state_start(rt, err, errlen) != 0) return -1;

    rd_kafka_conf_t *cc = ws_kconf_consumer(rt, err, errlen);
    if (!cc) return -1;
    rd_kafka_conf_set_opaque(cc, rt);
    rd_kafka_conf_set_rebalance_cb(cc, ws_rebalance_cb);
    rd_kafka_conf_set_error_cb(cc, error_cb);
    rt->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cc, e, sizeof(e));
    if (!rt->consumer) {
        rd_kafka_conf_destroy(cc);
        snprintf(err, errlen, "consumer: %s", e);
        return -1;
    }
    rd_kafka_poll_set_consumer(rt->consumer);
    if (ws_stall_start(rt, err, errlen) != 0) return -1;
    if (rt->nworkers > 1 && ws_workers_start(rt, err, errlen) != 0) return -1;

    rd_kafka_topic_partition_list_t *l =
        rd_kafka_topic_partition_list_new((int)cfg->input_topics_n);
    for (size_t i = 0; i < cfg->input_topics_n; i++)
        rd_kafka_topic_partition_list_add(l, cfg->input_topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t se = rd_kafka_subscribe(rt->consumer, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (se) {
        snprintf(err, errlen, "subscribe: %s", rd_kafka_err2str(se));
        return -1;
    }
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "group", ws_kconf_group_id(cfg));
    if (ws_kconf_instance_id(cfg))
        cJSON_AddStringToObject(f, "group_instance_id", ws_kconf_instance_id(cfg));
    cJSON_AddNumberToObject(f, "workers", rt->nworkers);
    cJSON_AddStringToObject(f, "delivery", rt->eos ? "exactly_once" : "at_least_once");
    ws_log_event(WS_LOG_INFO, "runtime", "started", f);
    cJSON_Delete(f);
    return 0;
}

static void consumer_event(ws_rt_t *rt, ws_scratch_t *s, rd_kafka_message_t *m)
{
    if (!m->err) {
        ws_handle_message(rt, s, m);
        return;
    }
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
    if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
        atomic_store(&rt->fatal, 1);
        ws_log(WS_LOG_ERROR, "runtime", "consumer fatal error: %s", rd_kafka_message_errstr(m));
        return;
    }
    ws_log(WS_LOG_WARN, "runtime", "consumer: %s", rd_kafka_message_errstr(m));
}

/* While the brokers are marked down and no traffic proves otherwise, ask
 * for metadata now and then to notice their return. */
static void probe_brokers(ws_rt_t *rt)
{
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(rt->producer, 0, NULL, &md, 1000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_metadata_destroy(md);
        if (atomic_exchange(&rt->brokers_down, 0))
            ws_log_event(WS_LOG_INFO, "runtime", "broker up", NULL);
    }
}

/* A transaction has been open for transaction_interval_ms. */
static int txn_due(ws_rt_t *rt, int64_t now)
{
    pthread_mutex_lock(&rt->txn_mu);
    int due = rt->txn_open && now - rt->txn_started_ms >= rt->cfg->transaction_interval_ms;
    pthread_mutex_unlock(&rt->txn_mu);
    return due;
}

int ws_rt_loop(ws_rt_t *rt)
{
    ws_scratch_t s;
    if (ws_scratch_init(&s) != 0) {
        ws_scratch_free(&s);
        return 1;
    }
    ws_stall_watch(rt, &s.busy);
    int64_t last_store = 0, last_metrics = 0, last_probe = ws_now_ms();
    ws_metrics_set_healthy(rt->metrics, 1);
    while (!atomic_load(&rt->stop) && !atomic_load(&rt->fatal)) {
        /* With workers the consumer queue carries only events, so the wait
         * goes to the producer's delivery reports instead. */
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rt->consumer, rt->workers ? 0 : 50);
        if (m) {
            consumer_event(rt, &s, m);
            rd_kafka_message_destroy(m);
        }
        rd_kafka_poll(rt->producer, rt->workers && !m ? 50 : 0);
        int64_t now = ws_now_ms();
        if (now - last_store >= 200) {
            ws_out_retry_due(rt, 0);
            ws_parts_store(rt);
            last_store = now;
        }
        if (rt->eos && txn_due(rt, now)) {
            ws_workers_hold(rt);
            ws_txn_commit(rt, 1);
            ws_workers_release(rt);
        }
        if (now - last_metrics >= 1000) {
            /* Ask the broker for a high watermark the fetcher has not
             * reported yet (a fresh assignment), unless brokers are down:
             * the query blocks the loop for up to a second. */
            ws_parts_metrics(rt, !atomic_load(&rt->brokers_down));
            ws_metrics_queue_depth(rt->metrics, rd_kafka_outq_len(rt->producer));
            last_metrics = now;
        }
        if (atomic_load(&rt->brokers_down) && now - last_probe >= 5000) {
            probe_brokers(rt);
            last_probe = now;
        }
        ws_metrics_tick(rt->metrics);   /* the heartbeat: the loop is alive */
    }
    ws_stall_unwatch(rt, &s.busy);
    ws_scratch_free(&s);
    return atomic_load(&rt->fatal) ? 1 : 0;
}

/* Hard bound on shutdown: librdkafka calls that wait for an unreachable
 * broker must not keep the process alive forever.  A restart disarms it by
 * moving the generation on. */
static atomic_int g_watch_gen;
static atomic_llong g_watch_ms;

static void *watchdog(void *p)
{
    int gen = (int)(intptr_t)p;
    int64_t ms = atomic_load(&g_watch_ms);
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    if (atomic_load(&g_watch_gen) != gen) return NULL;
    ws_log(WS_LOG_ERROR, "runtime", "shutdown exceeded %lld ms; exiting", (long long)ms);
    _exit(1);
    return NULL;
}

int ws_rt_shutdown(ws_rt_t *rt, int rc)
{
    int64_t budget = rt->cfg->shutdown_timeout_ms > 0 ? rt->cfg->shutdown_timeout_ms : 30000;
    int64_t t0 = ws_now_ms();
    ws_log_event(WS_LOG_INFO, "runtime", "shutting down", NULL);
    atomic_store(&g_watch_ms, budget * 2 + 15000);
    int gen = atomic_fetch_add(&g_watch_gen, 1) + 1;
    pthread_t wd;
    if (pthread_create(&wd, NULL, watchdog, (void *)(intptr_t)gen) == 0) pthread_detach(wd);

    if (rt->consumer) {
        ws_parts_close_all(rt);
        ws_workers_stop(rt);
        if (rt->pipeline) ws_pipeline_flush(rt->pipeline);
        if (rt->eos) {
            if (!atomic_load(&rt->fatal)) ws_txn_commit(rt, 0);
        } else {
            /* Drain: deliveries and retries until idle or out of time. */
            ws_out_retry_due(rt, 1);
            ws_parts_wait_idle(rt, budget);
            ws_parts_store(rt);
            rd_kafka_resp_err_t e = rd_kafka_commit(rt->consumer, NULL, 0);
            if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
                ws_log(WS_LOG_WARN, "runtime", "final commit: %s", rd_kafka_err2str(e));
        }
        /* Leaves the group; the revoke callback commits once more. */
        rt->revoke_timeout_ms = 1000;
        rd_kafka_consumer_close(rt->consumer);
        ws_workers_free(rt);
    }
    if (rt->producer) {
        /* Whatever is left failed to settle in time: its inputs stay
         * uncommitted.  Purging delivers its reports so nothing leaks. */
        if (rd_kafka_outq_len(rt->producer) > 0) {
            rd_kafka_purge(rt->producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
            rd_kafka_flush(rt->producer, 1000);
        }
        rd_kafka_poll(rt->producer, 0);
    }
    ws_out_retry_abandon(rt);
    ws_parts_drop_all(rt);
    ws_state_stop(rt);
    cJSON *f = cJSON_CreateObject();
    cJSON_AddNumberToObject(f, "consumed", (double)atomic_load(&rt->consumed));
    cJSON_AddNumberToObject(f, "completed", (double)atomic_load(&rt->completed));
    cJSON_AddNumberToObject(f, "ms", (double)(ws_now_ms() - t0));
    ws_log_event(rc ? WS_LOG_ERROR : WS_LOG_INFO, "runtime", "stopped", f);
    cJSON_Delete(f);
    return rc;
}

void ws_rt_free(ws_rt_t *rt)
{
    if (rt->consumer) rd_kafka_destroy(rt->consumer);
    if (rt->producer) rd_kafka_destroy(rt->producer);
    rt->consumer = rt->producer = NULL;
    if (rt->metrics) {
        ws_metrics_final(rt->metrics);
        ws_metrics_free(rt->metrics);
    }
    if (rt->pipeline) ws_pipeline_free(rt->pipeline);
    ws_stall_stop(rt);
    ws_out_poison_free(rt);
    free(rt->entry_names);
    free(rt->state_topics);
    free(rt->slots);
    free(rt->bootstrap_override);
    pthread_mutex_destroy(&rt->parts_mu);
    pthread_mutex_destroy(&rt->bp_mu);
    pthread_mutex_destroy(&rt->retry_mu);
    pthread_mutex_destroy(&rt->txn_mu);
}

/* A fatal producer error in at-least-once mode is cured by a new producer:
 * librdkafka 2.0.2's idempotent producer can lose its sequence numbers when
 * a broker comes back (librdkafka#4438, fixed in 2.3.0).  In exactly-once
 * mode a fatal error means another instance owns the transactional id, so
 * the process stops.  Too many in a row also stop it. */
#define RESTART_MAX 5
#define RESTART_QUIET_MS 600000   /* a run this long starts the count again */

static int restartable(ws_rt_t *rt)
{
    return !rt->eos && atomic_load(&rt->producer_fatal) && !atomic_load(&rt->stop);
}

/* Sleeps ms unless a stop comes; returns 1 when one did. */
static int backoff(ws_rt_t *rt, int64_t ms)
{
    for (int64_t end = ws_now_ms() + ms; ws_now_ms() < end;) {
        if (atomic_load(&rt->stop)) return 1;
        struct timespec ts = { 0, 50 * 1000000L };
        nanosleep(&ts, NULL);
    }
    return atomic_load(&rt->stop) != 0;
}

int ws_rt_run(ws_rt_t *rt, const ws_config_t *cfg, const char *bootstrap, int *restarts,
              char *err, size_t errlen)
{
    int rc, n = 0;
    for (;;) {
        int64_t t0 = ws_now_ms();
        int again = 0;
        if (ws_rt_setup(rt, cfg, NULL, bootstrap, err, errlen) != 0) {
            rc = ws_rt_shutdown(rt, 1);
        } else {
            rc = ws_rt_loop(rt);
            rc = ws_rt_shutdown(rt, rc);
            if (rc) snprintf(err, errlen, "stopped after a fatal Kafka error");
            again = rc && restartable(rt);
        }
        ws_rt_free(rt);
        if (!again) break;
        if (ws_now_ms() - t0 >= RESTART_QUIET_MS) n = 0;
        if (++n > RESTART_MAX) {
            snprintf(err, errlen, "stopped after %d fatal producer errors in a row", n);
            break;
        }
        atomic_fetch_add(&g_watch_gen, 1);   /* the shutdown finished: disarm its bound */
        cJSON *f = cJSON_CreateObject();
        cJSON_AddNumberToObject(f, "attempt", n);
        cJSON_AddNumberToObject(f, "of", RESTART_MAX);
        cJSON_AddNumberToObject(f, "backoff_ms", 1000.0 * n);
        ws_log_event(WS_LOG_WARN, "runtime", "restarting after a fatal producer error", f);
        cJSON_Delete(f);
        if (restarts) (*restarts)++;
        if (backoff(rt, 1000 * n)) {
            rc = 0;   /* stopped while waiting: everything is already settled */
            break;
        }
    }
    return rc;
}

int ws_run(const ws_config_t *cfg, char *err, size_t errlen)
{
    static ws_rt_t rt;
    ws_rt_install_signals(&rt);
    int rc = ws_rt_run(&rt, cfg, NULL, NULL, err, errlen);
    g_rt = NULL;
    return rc;
}
