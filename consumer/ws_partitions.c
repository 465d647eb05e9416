/* ws_partitions.c -- the assigned partitions: their watermarks, offset
 * stores, lag metrics, and the rebalance callback.
 *
 * Revoke (eager or cooperative): close the partitions so workers take no
 * more of their messages, wait (bounded) for what is in flight, store the
 * done positions and commit synchronously, then give the partitions up.  A
 * record still in flight after the bound is abandoned: its input is not
 * committed, so the next owner processes it again (at-least-once). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ws_rt.h"
#include "ws_log.h"

/* Caller holds parts_mu. */
ws_slot_t *ws_parts_find(ws_rt_t *rt, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < rt->nslots; i++) {
        ws_slot_t *s = &rt->slots[i];
        if (s->wm->partition == partition && strcmp(s->wm->topic, topic) == 0) return s;
    }
    return NULL;
}

int ws_parts_add(ws_rt_t *rt, const char *topic, int32_t partition)
{
    int rc = 0;
    pthread_mutex_lock(&rt->parts_mu);
    if (ws_parts_find(rt, topic, partition)) goto out;
    if (rt->nslots == rt->capslots) {
        size_t nc = rt->capslots ? rt->capslots * 2 : 16;
        ws_slot_t *ns = realloc(rt->slots, nc * sizeof(*ns));
        if (!ns) { rc = -1; goto out; }
        rt->slots = ns;
        rt->capslots = nc;
    }
    ws_slot_t *s = &rt->slots[rt->nslots];
    memset(s, 0, sizeof(*s));
    s->wm = ws_wm_part_new(topic, partition, ws_src_free);
    if (!s->wm) { rc = -1; goto out; }
    s->txn_first = s->txn_next = -1;
    s->hw = s->start = -1;
    rt->nslots++;
out:
    pthread_mutex_unlock(&rt->parts_mu);
    return rc;
}

/* Removes slot i (parts_mu held); the watermark frees itself when idle. */
static void slot_remove(ws_rt_t *rt, size_t i)
{
    ws_slot_t *s = &rt->slots[i];
    if (s->fwd) {
        rd_kafka_queue_forward(s->fwd, NULL);
        rd_kafka_queue_destroy(s->fwd);
    }
    ws_metrics_partition_remove(rt->metrics, s->wm->topic, s->wm->partition);
    ws_wm_part_detach(s->wm);
    rt->slots[i] = rt->slots[--rt->nslots];
}

static int in_list(const rd_kafka_topic_partition_list_t *l, const ws_slot_t *s)
{
    for (int i = 0; l && i < l->cnt; i++)
        if (l->elems[i].partition == s->wm->partition &&
            strcmp(l->elems[i].topic, s->wm->topic) == 0)
            return 1;
    return 0;
}

/* Stores the done positions of the slots in l (all when l is NULL). */
static void store(ws_rt_t *rt, const rd_kafka_topic_partition_list_t *only)
{
    if (rt->eos) return;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    pthread_mutex_lock(&rt->parts_mu);
    for (size_t i = 0; i < rt->nslots; i++) {
        if (only && !in_list(only, &rt->slots[i])) continue;
        int64_t d = ws_wm_take_store(rt->slots[i].wm);
        if (d >= 0)
            rd_kafka_topic_partition_list_add(l, rt->slots[i].wm->topic,
                                              rt->slots[i].wm->partition)->offset = d;
    }
    pthread_mutex_unlock(&rt->parts_mu);
    if (l->cnt > 0) {
        rd_kafka_resp_err_t e = rd_kafka_offsets_store(rt->consumer, l);
        if (e && e != RD_KAFKA_RESP_ERR__STATE)
            ws_log(WS_LOG_WARN, "runtime", "offsets store: %s", rd_kafka_err2str(e));
    }
    rd_kafka_topic_partition_list_destroy(l);
}

void ws_parts_store(ws_rt_t *rt) { store(rt, NULL); }

/* A partition with nothing read yet has no position: its lag counts from
 * the committed offset.  One blocking committed-offsets request per
 * assignment, not per tick. */
static void learn_starts(ws_rt_t *rt, rd_kafka_topic_partition_list_t *need)
{
    if (need->cnt == 0 || rd_kafka_committed(rt->consumer, need, 1000)) return;
    for (int i = 0; i < need->cnt; i++) {
        rd_kafka_topic_partition_t *e = &need->elems[i];
        if (e->offset < 0) continue;   /* none committed: known once read */
        pthread_mutex_lock(&rt->parts_mu);
        ws_slot_t *s = ws_parts_find(rt, e->topic, e->partition);
        if (s) s->start = e->offset;
        pthread_mutex_unlock(&rt->parts_mu);
    }
}

void ws_parts_metrics(ws_rt_t *rt, int refresh_hw)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    rd_kafka_topic_partition_list_t *need = rd_kafka_topic_partition_list_new(4);
    pthread_mutex_lock(&rt->parts_mu);
    for (size_t i = 0; i < rt->nslots; i++)
        rd_kafka_topic_partition_list_add(l, rt->slots[i].wm->topic, rt->slots[i].wm->partition);
    pthread_mutex_unlock(&rt->parts_mu);
    rd_kafka_position(rt->consumer, l);
    for (int i = 0; i < l->cnt; i++) {
        rd_kafka_topic_partition_t *e = &l->elems[i];
        int64_t lo = -1, hi = -1, done = -1;
        rd_kafka_get_watermark_offsets(rt->consumer, e->topic, e->partition, &lo, &hi);
        if (refresh_hw && hi < 0) {
            /* Ask the broker only while nothing is known for the partition:
             * a blocking round trip, once per assignment, not every tick. */
            pthread_mutex_lock(&rt->parts_mu);
            ws_slot_t *known = ws_parts_find(rt, e->topic, e->partition);
            int unknown = known && known->hw < 0;
            pthread_mutex_unlock(&rt->parts_mu);
            if (unknown)
                rd_kafka_query_watermark_offsets(rt->consumer, e->topic, e->partition, &lo, &hi, 1000);
        }
        pthread_mutex_lock(&rt->parts_mu);
        ws_slot_t *s = ws_parts_find(rt, e->topic, e->partition);
        if (s) {
            done = ws_wm_done(s->wm);
            if (done < 0 || (ws_wm_busy(s->wm) == 0 && e->offset > done)) done = e->offset;
            if (done < 0) done = s->start;
            if (done < 0 && lo >= 0 && lo == hi) done = s->start = lo;   /* empty: lag 0 */
            if (done < 0) rd_kafka_topic_partition_list_add(need, e->topic, e->partition);
            if (hi >= 0) s->hw = hi;
            hi = s->hw;
        }
        pthread_mutex_unlock(&rt->parts_mu);
        if (s) ws_metrics_partition(rt->metrics, e->topic, e->partition, hi, done);
    }
    rd_kafka_topic_partition_list_destroy(l);
    if (refresh_hw) learn_starts(rt, need);
    rd_kafka_topic_partition_list_destroy(need);
}

void ws_parts_close_all(ws_rt_t *rt)
{
    pthread_mutex_lock(&rt->parts_mu);
    for (size_t i = 0; i < rt->nslots; i++) ws_wm_close(rt->slots[i].wm);
    pthread_mutex_unlock(&rt->parts_mu);
}

static size_t busy(ws_rt_t *rt, const rd_kafka_topic_partition_list_t *only)
{
    size_t n = 0;
    pthread_mutex_lock(&rt->parts_mu);
    for (size_t i = 0; i < rt->nslots; i++)
        if (!only || in_list(only, &rt->slots[i])) n += ws_wm_busy(rt->slots[i].wm);
    pthread_mutex_unlock(&rt->parts_mu);
    return n;
}

/* Serve delivery reports until the slots in l are idle or time runs out. */
static size_t wait_idle(ws_rt_t *rt, const rd_kafka_topic_partition_list_t *l, int64_t timeout_ms)
{
    int64_t end = ws_now_ms() + timeout_ms;
    size_t n;
    while ((n = busy(rt, l)) > 0 && ws_now_ms() < end && !atomic_load(&rt->fatal)) {
        rd_kafka_poll(rt->producer, 50);
        ws_out_retry_due(rt, 0);
    }
    return n;
}

void ws_parts_wait_idle(ws_rt_t *rt, int64_t timeout_ms) { wait_idle(rt, NULL, timeout_ms); }

void ws_parts_drop_all(ws_rt_t *rt)
{
    pthread_mutex_lock(&rt->parts_mu);
    while (rt->nslots > 0) slot_remove(rt, rt->nslots - 1);
    pthread_mutex_unlock(&rt->parts_mu);
}

void ws_parts_reset_wm(ws_rt_t *rt)
{
    pthread_mutex_lock(&rt->parts_mu);
    for (size_t i = 0; i < rt->nslots; i++) {
        ws_slot_t *s = &rt->slots[i];
        ws_wm_part_t *fresh = ws_wm_part_new(s->wm->topic, s->wm->partition, ws_src_free);
        if (!fresh) continue;
        ws_wm_part_detach(s->wm);
        s->wm = fresh;
        s->txn_first = s->txn_next = -1;
    }
    pthread_mutex_unlock(&rt->parts_mu);
}

static cJSON *list_json(const rd_kafka_topic_partition_list_t *l)
{
    cJSON *f = cJSON_CreateObject();
    cJSON *a = cJSON_AddArrayToObject(f, "partitions");
    char b[300];
    for (int i = 0; i < l->cnt; i++) {
        snprintf(b, sizeof(b), "%s[%d]", l->elems[i].topic, (int)l->elems[i].partition);
        cJSON_AddItemToArray(a, cJSON_CreateString(b));
    }
    return f;
}

/* Pipeline hooks, one call per topic. */
static void pipeline_hook(ws_rt_t *rt, const rd_kafka_topic_partition_list_t *l, int assign)
{
    int32_t *parts = malloc(sizeof(int32_t) * (size_t)(l->cnt ? l->cnt : 1));
    char *seen = calloc((size_t)(l->cnt ? l->cnt : 1), 1);
    if (!parts || !seen) { free(parts); free(seen); return; }
    for (int i = 0; i < l->cnt; i++) {
        if (seen[i]) continue;
        size_t n = 0;
        for (int j = i; j < l->cnt; j++)
            if (!seen[j] && strcmp(l->elems[j].topic, l->elems[i].topic) == 0) {
                seen[j] = 1;
                parts[n++] = l->elems[j].partition;
            }
        if (assign) ws_pipeline_assign(rt->pipeline, l->elems[i].topic, parts, n);
        else ws_pipeline_revoke(rt->pipeline, l->elems[i].topic, parts, n);
    }
    free(parts);
    free(seen);
}

static void on_assign(ws_rt_t *rt, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *l, int coop)
{
    for (int i = 0; i < l->cnt; i++) {
        const char *t = l->elems[i].topic;
        int32_t p = l->elems[i].partition;
        if (ws_parts_add(rt, t, p) != 0) {
            ws_log(WS_LOG_ERROR, "runtime", "out of memory assigning %s[%d]", t, (int)p);
            atomic_store(&rt->fatal, 1);
            continue;
        }
        rd_kafka_queue_t *wq = rt->workers ? ws_workers_queue_for(rt, p, t) : NULL;
        if (wq) {
            /* Before assign, so no message of it reaches the main queue. */
            rd_kafka_queue_t *pq = rd_kafka_queue_get_partition(rk, t, p);
            if (pq) {
                rd_kafka_queue_forward(pq, wq);
                pthread_mutex_lock(&rt->parts_mu);
                ws_slot_t *s = ws_parts_find(rt, t, p);
                if (s) s->fwd = pq;
                else rd_kafka_queue_destroy(pq);
                pthread_mutex_unlock(&rt->parts_mu);
            }
        }
    }
    rd_kafka_resp_err_t e = 0;
    rd_kafka_error_t *ee = NULL;
    if (coop) ee = rd_kafka_incremental_assign(rk, l);
    else e = rd_kafka_assign(rk, l);
    if (ee) {
        ws_log(WS_LOG_ERROR, "runtime", "assign: %s", rd_kafka_error_string(ee));
        rd_kafka_error_destroy(ee);
    } else if (e) {
        ws_log(WS_LOG_ERROR, "runtime", "assign: %s", rd_kafka_err2str(e));
    }
    pipeline_hook(rt, l, 1);
    cJSON *f = list_json(l);
    ws_log_event(WS_LOG_INFO, "runtime", "partitions assigned", f);
    cJSON_Delete(f);
}

static void on_revoke(ws_rt_t *rt, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *l,
                      int coop, int lost)
{
    pthread_mutex_lock(&rt->parts_mu);
    for (size_t i = 0; i < rt->nslots; i++)
        if (in_list(l, &rt->slots[i])) ws_wm_close(rt->slots[i].wm);
    pthread_mutex_unlock(&rt->parts_mu);

    size_t left = 0;
    if (rt->eos) {
        /* The open transaction holds these partitions' offsets. */
        ws_workers_hold(rt);
        if (!lost) ws_txn_commit(rt, 0);
        else if (rt->txn_open) {
            rd_kafka_error_t *e = rd_kafka_abort_transaction(rt->producer, 30000);
            if (e) rd_kafka_error_destroy(e);
            rt->txn_open = 0;
        }
    } else {
        left = wait_idle(rt, l, rt->revoke_timeout_ms);
        if (!lost) {
            store(rt, l);
            rd_kafka_resp_err_t e = rd_kafka_commit(rk, NULL, 0);
            if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
                ws_log(WS_LOG_WARN, "runtime", "commit on revoke: %s", rd_kafka_err2str(e));
        }
    }
    pipeline_hook(rt, l, 0);
    pthread_mutex_lock(&rt->parts_mu);
    for (size_t i = 0; i < rt->nslots;) {
        if (in_list(l, &rt->slots[i])) slot_remove(rt, i);
        else i++;
    }
    pthread_mutex_unlock(&rt->parts_mu);
    if (coop) {
        rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, l);
        if (e) rd_kafka_error_destroy(e);
    } else {
        rd_kafka_assign(rk, NULL);
    }
    if (rt->eos) ws_workers_release(rt);
    cJSON *f = list_json(l);
    cJSON_AddNumberToObject(f, "abandoned_in_flight", (double)left);
    if (lost) cJSON_AddBoolToObject(f, "lost", 1);
    ws_log_event(WS_LOG_INFO, "runtime", "partitions revoked", f);
    cJSON_Delete(f);
}

void ws_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                     rd_kafka_topic_partition_list_t *l, void *opaque)
{
    ws_rt_t *rt = opaque;
    int coop = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    ws_metrics_rebalance(rt->metrics);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        on_assign(rt, rk, l, coop);
    } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
        on_revoke(rt, rk, l, coop, rd_kafka_assignment_lost(rk));
    } else {
        ws_log(WS_LOG_ERROR, "runtime", "rebalance error: %s", rd_kafka_err2str(err));
        on_revoke(rt, rk, l, coop, 1);
    }
}
