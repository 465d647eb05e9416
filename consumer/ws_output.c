/* ws_output.c -- everything the runtime produces, and what happens when the
 * broker answers.
 *
 * Every produced record carries its input message (ws_wm_msg_t) and its
 * kind in the delivery opaque; the kind is folded into the low bits of the
 * (malloc-aligned) message pointer so no allocation is needed per record.
 * A successful delivery releases one count on the input; a record the
 * broker refuses as too large is replaced by a DLQ record of the original;
 * any other failure is re-produced later (never settled), so commits wait
 * rather than lose it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ws_rt.h"
#include "ws_log.h"
#include "ws_article.h"

/* Set while a delivery report is being served: produce must not block
 * there (rd_kafka_poll cannot be re-entered), so a full queue becomes a
 * retry instead. */
static _Thread_local int in_dr;

#define KIND_BITS 3
#define KIND_MASK ((uintptr_t)((1u << KIND_BITS) - 1))

static void *tag(ws_wm_msg_t *m, ws_out_kind_t k)
{
    return (void *)((uintptr_t)m | (uintptr_t)k);
}
static ws_wm_msg_t *untag(void *p, ws_out_kind_t *k)
{
    *k = (ws_out_kind_t)((uintptr_t)p & KIND_MASK);
    return (ws_wm_msg_t *)((uintptr_t)p & ~KIND_MASK);
}

void ws_src_free(void *p)
{
    ws_src_t *s = p;
    if (!s) return;
    free(s->val);
    free(s->key);
    if (s->hdrs) rd_kafka_headers_destroy(s->hdrs);
    free(s);
}

static int too_large(rd_kafka_resp_err_t e)
{
    return e == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ||
           e == RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE ||
           e == RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE;
}

/* Produce and wait out a full queue (the input stays paused meanwhile).
 * Returns the librdkafka error (0 on success).  Headers are consumed on
 * success and left to the caller on error. */
static rd_kafka_resp_err_t produce_raw(ws_rt_t *rt, void *opaque, const char *topic,
                                       const void *key, size_t klen,
                                       const void *val, size_t vlen,
                                       rd_kafka_headers_t *hdrs)
{
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            rt->producer, RD_KAFKA_V_TOPIC(topic),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(key, klen), RD_KAFKA_V_VALUE((void *)val, vlen),
            RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL || in_dr) {
            if (!e && !in_dr && rd_kafka_outq_len(rt->producer) > rt->q_high)
                ws_out_backpressure(rt);
            return e;
        }
        ws_out_backpressure(rt);
    }
}

static void schedule_retry(ws_rt_t *rt, ws_wm_msg_t *msg, ws_out_kind_t kind,
                           const char *topic, const void *key, size_t klen,
                           const void *val, size_t vlen,
                           const rd_kafka_headers_t *hdrs, int attempts)
{
    ws_retry_t *r = calloc(1, sizeof(*r));
    if (r) {
        r->topic = strdup(topic);
        r->key = klen ? malloc(klen) : NULL;
        r->val = val ? malloc(vlen ? vlen : 1) : NULL;
    }
    if (!r || !r->topic || (klen && !r->key) || (val && !r->val)) {
        /* Out of memory: give up on this record; the input stays uncommitted. */
        ws_log(WS_LOG_ERROR, "runtime", "out of memory retrying a record for %s", topic);
        if (r) { free(r->topic); free(r->key); free(r->val); free(r); }
        if (msg) ws_wm_release(msg, 0);
        return;
    }
    if (klen) memcpy(r->key, key, klen);
    if (val && vlen) memcpy(r->val, val, vlen);
    r->klen = klen;
    r->vlen = vlen;
    r->hdrs = hdrs ? rd_kafka_headers_copy(hdrs) : NULL;
    r->msg = msg;
    r->kind = kind;
    r->attempts = attempts + 1;
    int64_t backoff = 500LL << (r->attempts < 6 ? r->attempts : 6);
    r->due_ms = ws_now_ms() + (backoff > 30000 ? 30000 : backoff);
    pthread_mutex_lock(&rt->retry_mu);
    r->next = rt->retries;
    rt->retries = r;
    pthread_mutex_unlock(&rt->retry_mu);
}

static void add_header(rd_kafka_headers_t *h, const char *name, const char *v)
{
    rd_kafka_header_add(h, name, -1, v, -1);
}

/* The broker (or the producer's message.max.bytes) refused a record as too
 * large; msg holds one count for it, released here.  An enriched or
 * drop-topic record is replaced by the original in the DLQ
 * (record_too_large); a DLQ record too large even so keeps only its
 * headers, which point back to the input; a state write is given up (the
 * processor's state is an optimisation; the article itself is not lost). */
static void refused_too_large(ws_rt_t *rt, ws_wm_msg_t *msg, ws_out_kind_t kind,
                              const char *topic, const void *key, size_t klen, size_t vlen,
                              const rd_kafka_headers_t *hdrs, rd_kafka_resp_err_t e)
{
    if (kind == WS_OUT_OUTPUT || kind == WS_OUT_DROP) {
        ws_src_t *src = msg->ctx;
        ws_out_dlq(rt, msg, msg->part->topic, msg->part->partition, msg->offset, src,
                   WS_REASON_RECORD_TOO_LARGE, rd_kafka_err2str(e), NULL);
        ws_wm_release(msg, 1);
    } else if (kind == WS_OUT_DLQ && vlen > 0) {
        rd_kafka_headers_t *c = hdrs ? rd_kafka_headers_copy(hdrs) : rd_kafka_headers_new(2);
        rd_kafka_header_add(c, "ws.truncated", -1, "true", -1);
        ws_out_produce(rt, msg, WS_OUT_DLQ, topic, key, klen, "", 0, c);
        ws_wm_release(msg, 1);
    } else {
        int state = kind == WS_OUT_STATE;
        ws_log(WS_LOG_ERROR, "runtime", "%s for %s too large (%s); input %s [%d] offset %lld %s",
               state ? "state write" : "empty DLQ record", topic, rd_kafka_err2str(e),
               msg->part->topic, (int)msg->part->partition, (long long)msg->offset,
               state ? "goes on without it" : "stays uncommitted");
        ws_wm_release(msg, state);
    }
}

int ws_out_produce(ws_rt_t *rt, ws_wm_msg_t *msg, ws_out_kind_t kind,
                   const char *topic, const void *key, size_t klen,
                   const void *val, size_t vlen, rd_kafka_headers_t *hdrs)
{
    if (msg) ws_wm_retain(msg);
    rd_kafka_resp_err_t e = produce_raw(rt, tag(msg, kind), topic, key, klen, val, vlen, hdrs);
    if (!e) return 0;
    if (too_large(e) && msg) {
        refused_too_large(rt, msg, kind, topic, key, klen, vlen, hdrs, e);
        if (hdrs) rd_kafka_headers_destroy(hdrs);
        return 0;
    }
    if (rt->eos) {
        /* The open transaction is incomplete now: abort and replay it. */
        ws_log(WS_LOG_WARN, "runtime", "produce to %s failed in transaction: %s", topic,
               rd_kafka_err2str(e));
        atomic_store(&rt->txn_abort, 1);
        if (msg) ws_wm_release(msg, 0);
        if (hdrs) rd_kafka_headers_destroy(hdrs);
        return 0;
    }
    ws_log(WS_LOG_WARN, "runtime", "produce to %s failed: %s; retrying", topic,
           rd_kafka_err2str(e));
    schedule_retry(rt, msg, kind, topic, key, klen, val, vlen, hdrs, 0);
    if (hdrs) rd_kafka_headers_destroy(hdrs);
    return 0;
}

int ws_out_dlq(ws_rt_t *rt, ws_wm_msg_t *msg, const char *topic, int32_t partition,
               int64_t offset, const ws_src_t *src, const char *reason,
               const char *message, const char *processor)
{
    rd_kafka_headers_t *h = src && src->hdrs ? rd_kafka_headers_copy(src->hdrs)
                                             : rd_kafka_headers_new(8);
    char num[32];
    add_header(h, "ws.error", reason);
    add_header(h, "ws.error.message", message ? message : "");
    if (processor) add_header(h, "ws.processor", processor);
    add_header(h, "ws.source.topic", topic);
    snprintf(num, sizeof(num), "%d", (int)partition);
    add_header(h, "ws.source.partition", num);
    snprintf(num, sizeof(num), "%lld", (long long)offset);
    add_header(h, "ws.source.offset", num);
    return ws_out_produce(rt, msg, WS_OUT_DLQ, rt->cfg->dlq_topic,
                          src ? src->key : NULL, src ? src->klen : 0,
                          src ? src->val : NULL, src ? src->vlen : 0, h);
}

static const char *header_str(const rd_kafka_message_t *m, const char *name,
                              char *buf, size_t n)
{
    rd_kafka_headers_t *h = NULL;
    const void *v;
    size_t vl;
    if (rd_kafka_message_headers(m, &h) || !h ||
        rd_kafka_header_get_last(h, name, &v, &vl))
        return NULL;
    if (vl >= n) vl = n - 1;
    memcpy(buf, v, vl);
    buf[vl] = 0;
    return buf;
}

static void poison_add(ws_rt_t *rt, ws_wm_msg_t *msg)
{
    ws_poison_t *p = calloc(1, sizeof(*p));
    if (!p || !(p->topic = strdup(msg->part->topic))) { free(p); return; }
    p->partition = msg->part->partition;
    p->offset = msg->offset;
    pthread_mutex_lock(&rt->retry_mu);
    p->next = rt->poison;
    rt->poison = p;
    pthread_mutex_unlock(&rt->retry_mu);
}

int ws_out_poisoned(ws_rt_t *rt, const char *topic, int32_t partition, int64_t offset)
{
    int hit = 0;
    pthread_mutex_lock(&rt->retry_mu);
    for (ws_poison_t *p = rt->poison; p && !hit; p = p->next)
        hit = p->partition == partition && p->offset == offset && strcmp(p->topic, topic) == 0;
    pthread_mutex_unlock(&rt->retry_mu);
    return hit;
}

void ws_out_poison_free(ws_rt_t *rt)
{
    while (rt->poison) {
        ws_poison_t *n = rt->poison->next;
        free(rt->poison->topic);
        free(rt->poison);
        rt->poison = n;
    }
}

static void delivered(ws_rt_t *rt, const rd_kafka_message_t *m, ws_wm_msg_t *msg,
                      ws_out_kind_t kind)
{
    char b[128];
    const char *r;
    switch (kind) {
    case WS_OUT_OUTPUT:
        atomic_fetch_add(&rt->acked_out, 1);
        ws_metrics_out(rt->metrics, m->len);
        if (msg && msg->ctx && ((ws_src_t *)msg->ctx)->ts_ms > 0) {
            int64_t d = ws_now_ms() - ((ws_src_t *)msg->ctx)->ts_ms;
            ws_metrics_e2e_us(rt->metrics, d > 0 ? (uint64_t)d * 1000 : 0);
        }
        break;
    case WS_OUT_DLQ:
        r = header_str(m, "ws.error", b, sizeof(b));
        ws_metrics_dlq(rt->metrics, r ? r : "unknown");
        break;
    case WS_OUT_DROP:
        r = header_str(m, "ws.drop.reason", b, sizeof(b));
        ws_metrics_dropped(rt->metrics, r ? r : "unknown");
        break;
    default:
        break;
    }
    if (msg && ws_wm_release(msg, 1)) atomic_fetch_add(&rt->completed, 1);
}

/* One line per second at most: a failing topic fails every record. */
static void log_failure(const char *topic, rd_kafka_resp_err_t e)
{
    static atomic_llong last_ms;
    static atomic_long suppressed;
    long long now = ws_now_ms(), last = atomic_load(&last_ms);
    if (now - last < 1000 || !atomic_compare_exchange_strong(&last_ms, &last, now)) {
        atomic_fetch_add(&suppressed, 1);
        return;
    }
    ws_log(WS_LOG_ERROR, "runtime", "delivery to %s failed: %s; will retry (%ld more failures "
           "in the last second not logged)", topic, rd_kafka_err2str(e),
           atomic_exchange(&suppressed, 0));
}

static void dr(ws_rt_t *rt, const rd_kafka_message_t *m);

void ws_out_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    in_dr = 1;
    dr(opaque, m);
    in_dr = 0;
}

static void dr(ws_rt_t *rt, const rd_kafka_message_t *m)
{
    ws_out_kind_t kind;
    ws_wm_msg_t *msg = untag(m->_private, &kind);
    if (!m->err) {
        if (atomic_exchange(&rt->brokers_down, 0))
            ws_log_event(WS_LOG_INFO, "runtime", "broker up", NULL);
        delivered(rt, m, msg, kind);
        return;
    }
    const char *topic = rd_kafka_topic_name(m->rkt);
    if (rt->eos) {
        /* The transaction cannot commit now; it is aborted and replayed.
         * Purge reports are the consequence of an abort, not a cause. */
        if (m->err != RD_KAFKA_RESP_ERR__PURGE_QUEUE && m->err != RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)
            atomic_store(&rt->txn_abort, 1);
        if (too_large(m->err) && msg && kind != WS_OUT_DLQ) poison_add(rt, msg);
        ws_log(WS_LOG_WARN, "runtime", "delivery to %s failed in transaction: %s",
               topic, rd_kafka_err2str(m->err));
        if (msg) ws_wm_release(msg, 0);
        return;
    }
    if (m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || m->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
        /* Shutdown gave up on it: leave the input uncommitted. */
        if (msg) ws_wm_release(msg, 0);
        return;
    }
    if (too_large(m->err) && msg) {
        rd_kafka_headers_t *h = NULL;
        rd_kafka_message_headers(m, &h);
        refused_too_large(rt, msg, kind, topic, m->key, m->key_len, m->len, h, m->err);
        return;
    }
    log_failure(topic, m->err);
    rd_kafka_headers_t *h = NULL;
    rd_kafka_message_headers(m, &h);
    schedule_retry(rt, msg, kind, topic, m->key, m->key_len, m->payload, m->len, h, 0);
}

/* Re-produce the records whose backoff has passed (all=1: every one). */
void ws_out_retry_due(ws_rt_t *rt, int all)
{
    int64_t now = ws_now_ms();
    ws_retry_t *due = NULL;
    pthread_mutex_lock(&rt->retry_mu);
    for (ws_retry_t **pp = &rt->retries; *pp;) {
        ws_retry_t *r = *pp;
        if (all || r->due_ms <= now) {
            *pp = r->next;
            r->next = due;
            due = r;
        } else {
            pp = &r->next;
        }
    }
    pthread_mutex_unlock(&rt->retry_mu);
    while (due) {
        ws_retry_t *r = due;
        due = r->next;
        rd_kafka_resp_err_t e = produce_raw(rt, tag(r->msg, r->kind), r->topic, r->key,
                                            r->klen, r->val, r->vlen, r->hdrs);
        if (!e) {
            r->hdrs = NULL;   /* consumed */
        } else if (too_large(e) && r->msg) {
            refused_too_large(rt, r->msg, r->kind, r->topic, r->key, r->klen, r->vlen,
                              r->hdrs, e);
        } else {
            ws_log(WS_LOG_WARN, "runtime", "produce to %s failed again: %s", r->topic,
                   rd_kafka_err2str(e));
            schedule_retry(rt, r->msg, r->kind, r->topic, r->key, r->klen, r->val,
                           r->vlen, r->hdrs, r->attempts);
        }
        if (r->hdrs) rd_kafka_headers_destroy(r->hdrs);
        free(r->topic);
        free(r->key);
        free(r->val);
        free(r);
    }
}

void ws_out_retry_abandon(ws_rt_t *rt)
{
    pthread_mutex_lock(&rt->retry_mu);
    ws_retry_t *r = rt->retries;
    rt->retries = NULL;
    pthread_mutex_unlock(&rt->retry_mu);
    while (r) {
        ws_retry_t *n = r->next;
        if (r->msg) ws_wm_release(r->msg, 0);
        if (r->hdrs) rd_kafka_headers_destroy(r->hdrs);
        free(r->topic);
        free(r->key);
        free(r->val);
        free(r);
        r = n;
    }
}
