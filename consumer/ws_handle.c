/* ws_handle.c -- one consumed message: parse, run the pipeline, produce the
 * enriched record, the DLQ record, the drop-topic record and the state
 * writes it causes, each counted against the input's watermark entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ws_rt.h"
#include "ws_article.h"
#include "ws_log.h"

int ws_scratch_init(ws_scratch_t *s)
{
    ws_buf_init(&s->out);
    s->rec = ws_record_new();
    return s->rec ? 0 : -1;
}

void ws_scratch_free(ws_scratch_t *s)
{
    if (s->rec) ws_record_free(s->rec);
    s->rec = NULL;
    ws_buf_free(&s->out);
}

static ws_src_t *src_new(const rd_kafka_message_t *m)
{
    ws_src_t *s = calloc(1, sizeof(*s));
    if (!s) return NULL;
    if (m->payload) {
        s->val = malloc(m->len ? m->len : 1);
        if (!s->val) goto fail;
        memcpy(s->val, m->payload, m->len);
        s->vlen = m->len;
    }
    if (m->key && m->key_len) {
        s->key = malloc(m->key_len);
        if (!s->key) goto fail;
        memcpy(s->key, m->key, m->key_len);
        s->klen = m->key_len;
    }
    rd_kafka_headers_t *h = NULL;
    if (!rd_kafka_message_headers(m, &h) && h) s->hdrs = rd_kafka_headers_copy(h);
    rd_kafka_timestamp_type_t tt;
    s->ts_ms = rd_kafka_message_timestamp(m, &tt);
    return s;
fail:
    ws_src_free(s);
    return NULL;
}

static rd_kafka_headers_t *hdrs_copy(const ws_src_t *src)
{
    return src->hdrs ? rd_kafka_headers_copy(src->hdrs) : NULL;
}

static const char *state_topic_for(ws_rt_t *rt, const char *entry)
{
    for (size_t i = 0; entry && i < rt->nentries; i++)
        if (rt->entry_names[i] && strcmp(rt->entry_names[i], entry) == 0)
            return rt->state_topics[i];
    return NULL;
}

static void produce_state(ws_rt_t *rt, ws_wm_msg_t *msg, ws_record_t *rec)
{
    size_t n = ws_record_state_count(rec);
    for (size_t i = 0; i < n; i++) {
        const ws_state_write_t *w = ws_record_state_at(rec, i);
        const char *t = state_topic_for(rt, w->entry);
        if (!t) continue;
        ws_out_produce(rt, msg, WS_OUT_STATE, t, w->key, w->klen, w->val, w->val ? w->vlen : 0,
                       NULL);
    }
}

static void process(ws_rt_t *rt, ws_scratch_t *s, const char *topic,
                    const rd_kafka_message_t *rkm, ws_wm_msg_t *msg, ws_src_t *src)
{
    const ws_config_t *cfg = rt->cfg;
    char err[512] = "";

    if (rt->eos && ws_out_poisoned(rt, topic, rkm->partition, rkm->offset)) {
        ws_out_dlq(rt, msg, topic, rkm->partition, rkm->offset, src,
                   WS_REASON_RECORD_TOO_LARGE, "enriched record refused by the broker", NULL);
        return;
    }
    if (!rkm->payload) {
        /* A tombstone deletes the article downstream too. */
        ws_out_produce(rt, msg, WS_OUT_OUTPUT, cfg->output_topic, src->key, src->klen,
                       NULL, 0, hdrs_copy(src));
        return;
    }

    ws_article_t a;
    memset(&a, 0, sizeof(a));
    const char *reason = NULL;
    if (ws_article_parse(&cfg->article, rkm->payload, rkm->len, &a, &reason,
                         err, sizeof(err)) != 0) {
        ws_out_dlq(rt, msg, topic, rkm->partition, rkm->offset, src,
                   reason ? reason : WS_REASON_INVALID_JSON, err, NULL);
        return;
    }
    ws_record_t *rec = s->rec;
    ws_record_reset(rec);
    ws_record_take_article(rec, &a);
    ws_article_clear(&a);
    ws_record_set_source(rec, topic, rkm->partition, rkm->offset, src->ts_ms);
    ws_record_set_ingest_ms(rec, ws_now_ms());

    ws_outcome_t oc;
    memset(&oc, 0, sizeof(oc));
    ws_stall_enter(&s->busy, topic, rkm->partition, rkm->offset, msg, src, &oc);
    ws_pipeline_run(rt->pipeline, rec, &oc);   /* serialises non-thread-safe entries */
    if (ws_stall_leave(&s->busy) != 0) ws_stall_park();   /* the guard took it over */

    if (oc.result == WS_ERROR) {
        ws_out_dlq(rt, msg, topic, rkm->partition, rkm->offset, src,
                   oc.reason_code ? oc.reason_code : WS_REASON_PROCESSOR, oc.reason, oc.entry);
        return;
    }
    produce_state(rt, msg, rec);
    if (oc.result == WS_DROP && !oc.drop_topic) {
        ws_metrics_dropped(rt->metrics, oc.reason_code ? oc.reason_code : oc.reason);
        return;
    }
    ws_buf_reset(&s->out);
    if (ws_record_render(rec, &s->out) != 0) {
        ws_out_dlq(rt, msg, topic, rkm->partition, rkm->offset, src,
                   WS_REASON_PROCESSOR, "could not render the record", NULL);
        return;
    }
    size_t idlen = 0;
    const char *id = ws_record_field(rec, WS_FIELD_ID, &idlen);
    if (oc.result == WS_DROP) {
        rd_kafka_headers_t *h = src->hdrs ? rd_kafka_headers_copy(src->hdrs)
                                          : rd_kafka_headers_new(2);
        const char *why = oc.reason_code ? oc.reason_code : oc.reason;
        rd_kafka_header_add(h, "ws.drop.reason", -1, why, -1);
        if (oc.entry) rd_kafka_header_add(h, "ws.processor", -1, oc.entry, -1);
        ws_out_produce(rt, msg, WS_OUT_DROP, oc.drop_topic, id, idlen,
                       s->out.data, s->out.len, h);
        return;
    }
    ws_out_produce(rt, msg, WS_OUT_OUTPUT, cfg->output_topic, id, idlen,
                   s->out.data, s->out.len, hdrs_copy(src));
}

void ws_handle_message(ws_rt_t *rt, ws_scratch_t *s, rd_kafka_message_t *rkm)
{
    const char *topic = rd_kafka_topic_name(rkm->rkt);
    ws_src_t *src = src_new(rkm);
    if (!src) {
        ws_log(WS_LOG_ERROR, "runtime", "out of memory at %s [%d] offset %lld", topic,
               (int)rkm->partition, (long long)rkm->offset);
        atomic_store(&rt->fatal, 1);
        return;
    }
    pthread_mutex_lock(&rt->parts_mu);
    ws_slot_t *sl = ws_parts_find(rt, topic, rkm->partition);
    ws_wm_msg_t *msg = sl ? ws_wm_add(sl->wm, rkm->offset, src) : NULL;
    if (msg && rt->eos) {
        /* Exactly-once: what the transaction covers, to commit or rewind. */
        if (sl->txn_first < 0) sl->txn_first = rkm->offset;
        sl->txn_next = rkm->offset + 1;
    }
    pthread_mutex_unlock(&rt->parts_mu);
    if (!msg) {
        /* Revoked while queued: the new owner processes it. */
        ws_src_free(src);
        return;
    }
    atomic_fetch_add(&rt->consumed, 1);
    ws_metrics_in(rt->metrics, rkm->len);
    if (rt->eos) ws_txn_begin_if_needed(rt);
    process(rt, s, topic, rkm, msg, src);
    if (ws_wm_release(msg, 1)) atomic_fetch_add(&rt->completed, 1);
}
