/* ws_txn.c -- exactly-once mode: one transactional producer; the outputs,
 * DLQ, drop and state records of a batch of inputs and those inputs'
 * offsets (rd_kafka_send_offsets_to_transaction) commit together every
 * transaction_interval_ms.  An abortable error aborts the transaction and
 * seeks the partitions back to the first input it covered; a fatal one
 * stops the process with a non-zero exit.  With workers, the committer
 * parks them first (ws_workers_hold), so no input is half-processed while
 * its transaction commits or aborts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ws_rt.h"
#include "ws_log.h"

int ws_txn_init(ws_rt_t *rt, char *err, size_t errlen)
{
    rd_kafka_error_t *e = rd_kafka_init_transactions(rt->producer, 60000);
    if (e) {
        snprintf(err, errlen, "init transactions: %s", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        return -1;
    }
    return 0;
}

int ws_txn_begin_if_needed(ws_rt_t *rt)
{
    int rc = 0;
    pthread_mutex_lock(&rt->txn_mu);
    if (!rt->txn_open) {
        rd_kafka_error_t *e = rd_kafka_begin_transaction(rt->producer);
        if (e) {
            ws_log(WS_LOG_ERROR, "runtime", "begin transaction: %s", rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
            atomic_store(&rt->fatal, 1);
            rc = -1;
        } else {
            rt->txn_open = 1;
            rt->txn_started_ms = ws_now_ms();
        }
    }
    pthread_mutex_unlock(&rt->txn_mu);
    return rc;
}

static void rewind_parts(ws_rt_t *rt)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    pthread_mutex_lock(&rt->parts_mu);
    for (size_t i = 0; i < rt->nslots; i++)
        if (rt->slots[i].txn_first >= 0)
            rd_kafka_topic_partition_list_add(l, rt->slots[i].wm->topic,
                                              rt->slots[i].wm->partition)->offset =
                rt->slots[i].txn_first;
    pthread_mutex_unlock(&rt->parts_mu);
    if (l->cnt > 0) {
        rd_kafka_error_t *e = rd_kafka_seek_partitions(rt->consumer, l, 10000);
        if (e) {
            ws_log(WS_LOG_ERROR, "runtime", "rewind: %s", rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
            atomic_store(&rt->fatal, 1);
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
}

static int abort_txn(ws_rt_t *rt, int rewind, const char *why)
{
    ws_log(WS_LOG_WARN, "runtime", "aborting transaction: %s", why);
    rd_kafka_error_t *e;
    while ((e = rd_kafka_abort_transaction(rt->producer, 10000)) != NULL) {
        int retry = rd_kafka_error_is_retriable(e) && !rd_kafka_error_is_fatal(e);
        ws_log(retry ? WS_LOG_WARN : WS_LOG_ERROR, "runtime", "abort transaction: %s",
               rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        if (!retry) {
            atomic_store(&rt->fatal, 1);
            return -1;
        }
    }
    rt->txn_open = 0;
    /* Serve the aborted records' reports now so none of them is taken for
     * a failure of the next transaction. */
    for (int i = 0; i < 200 && rd_kafka_outq_len(rt->producer) > 0; i++)
        rd_kafka_poll(rt->producer, 10);
    atomic_store(&rt->txn_abort, 0);
    if (rewind) rewind_parts(rt);
    ws_parts_reset_wm(rt);
    return 1;
}

/* Returns 0 when e is NULL or retried to success, 1 aborted, -1 fatal. */
static int handle(ws_rt_t *rt, rd_kafka_error_t *e, int rewind, const char *what)
{
    if (!e) return 0;
    char msg[512];
    snprintf(msg, sizeof(msg), "%s: %s", what, rd_kafka_error_string(e));
    int fatal = rd_kafka_error_is_fatal(e);
    int abortable = rd_kafka_error_txn_requires_abort(e);
    rd_kafka_error_destroy(e);
    if (fatal) {
        ws_log(WS_LOG_ERROR, "runtime", "fatal transaction error: %s", msg);
        atomic_store(&rt->fatal, 1);
        return -1;
    }
    if (abortable) return abort_txn(rt, rewind, msg);
    return 2;   /* retriable */
}

int ws_txn_commit(ws_rt_t *rt, int rewind)
{
    if (!rt->txn_open) return 0;
    if (atomic_load(&rt->txn_abort)) return abort_txn(rt, rewind, "a delivery failed");

    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    pthread_mutex_lock(&rt->parts_mu);
    for (size_t i = 0; i < rt->nslots; i++)
        if (rt->slots[i].txn_next >= 0)
            rd_kafka_topic_partition_list_add(l, rt->slots[i].wm->topic,
                                              rt->slots[i].wm->partition)->offset =
                rt->slots[i].txn_next;
    pthread_mutex_unlock(&rt->parts_mu);

    int rc = 0;
    for (int attempt = 0; l->cnt > 0; attempt++) {
        rd_kafka_consumer_group_metadata_t *g = rd_kafka_consumer_group_metadata(rt->consumer);
        rd_kafka_error_t *e = rd_kafka_send_offsets_to_transaction(rt->producer, l, g, 10000);
        rd_kafka_consumer_group_metadata_destroy(g);
        rc = handle(rt, e, rewind, "send offsets");
        if (rc != 2) break;
        if (attempt > 30) { rc = abort_txn(rt, rewind, "send offsets kept failing"); break; }
    }
    rd_kafka_topic_partition_list_destroy(l);
    if (rc == 2) rc = 0;
    if (rc != 0) return rc;

    for (int attempt = 0;; attempt++) {
        rd_kafka_error_t *e = rd_kafka_commit_transaction(rt->producer, 10000);
        rc = handle(rt, e, rewind, "commit transaction");
        if (rc != 2) break;
        if (attempt > 30) return abort_txn(rt, rewind, "commit kept failing");
    }
    if (rc != 0) return rc;
    if (atomic_load(&rt->txn_abort)) {
        /* A record failed yet the commit went through: cannot happen with
         * librdkafka's transactional producer, but never count it done. */
        ws_log(WS_LOG_ERROR, "runtime", "delivery failed inside a committed transaction");
        atomic_store(&rt->txn_abort, 0);
    }
    rt->txn_open = 0;
    pthread_mutex_lock(&rt->parts_mu);
    for (size_t i = 0; i < rt->nslots; i++) rt->slots[i].txn_first = rt->slots[i].txn_next = -1;
    pthread_mutex_unlock(&rt->parts_mu);
    return 0;
}
