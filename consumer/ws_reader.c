/* ws_reader.c -- group-less reader of whole topics (see ws_reader.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ws_reader.h"

struct ws_reader {
    rd_kafka_t *rk;
    rd_kafka_queue_t *q;
    size_t n;
    rd_kafka_topic_t **rkt;
    int *nparts;
    int total;
};

/* Partition count of a topic; retries a while for a just-created topic. */
static int partition_count(rd_kafka_t *rk, rd_kafka_topic_t *t, char *err, size_t errlen)
{
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TIMED_OUT;
    for (int tries = 0; tries < 40; tries++) {
        const struct rd_kafka_metadata *md = NULL;
        e = rd_kafka_metadata(rk, 0, t, &md, 5000);
        if (!e) {
            int cnt = md->topic_cnt == 1 && !md->topics[0].err ? md->topics[0].partition_cnt : 0;
            e = md->topic_cnt == 1 && md->topics[0].err ? md->topics[0].err
                                                        : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
            rd_kafka_metadata_destroy(md);
            if (cnt > 0) return cnt;
        }
        struct timespec ts = { 0, 250 * 1000000L };
        nanosleep(&ts, NULL);
    }
    snprintf(err, errlen, "topic %s: %s", rd_kafka_topic_name(t), rd_kafka_err2str(e));
    return -1;
}

ws_reader_t *ws_reader_new(rd_kafka_conf_t *conf, const char *const *topics, size_t n,
                           int64_t start, char *err, size_t errlen)
{
    char e[256];
    ws_reader_t *r = calloc(1, sizeof(*r));
    if (!r) {
        rd_kafka_conf_destroy(conf);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, e, sizeof(e));
    if (!r->rk) {
        rd_kafka_conf_destroy(conf);
        snprintf(err, errlen, "reader: %s", e);
        free(r);
        return NULL;
    }
    r->q = rd_kafka_queue_new(r->rk);
    r->rkt = calloc(n ? n : 1, sizeof(*r->rkt));
    r->nparts = calloc(n ? n : 1, sizeof(*r->nparts));
    if (!r->rkt || !r->nparts) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        r->rkt[i] = rd_kafka_topic_new(r->rk, topics[i], NULL);
        r->n = i + 1;
        if (!r->rkt[i]) {
            snprintf(err, errlen, "topic %s: %s", topics[i], rd_kafka_err2str(rd_kafka_last_error()));
            goto fail;
        }
        int np = partition_count(r->rk, r->rkt[i], err, errlen);
        if (np < 0) goto fail;
        for (int p = 0; p < np; p++) {
            if (rd_kafka_consume_start_queue(r->rkt[i], p, start, r->q) != 0) {
                snprintf(err, errlen, "topic %s [%d]: %s", topics[i], p,
                         rd_kafka_err2str(rd_kafka_last_error()));
                goto fail;
            }
            r->nparts[i] = p + 1;
        }
        r->total += np;
    }
    return r;
fail:
    ws_reader_free(r);
    return NULL;
}

int ws_reader_partitions(const ws_reader_t *r) { return r->total; }

rd_kafka_message_t *ws_reader_poll(ws_reader_t *r, int timeout_ms)
{
    return rd_kafka_consume_queue(r->q, timeout_ms);
}

void ws_reader_free(ws_reader_t *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        if (!r->rkt[i]) continue;
        for (int p = 0; p < r->nparts[i]; p++) rd_kafka_consume_stop(r->rkt[i], p);
        rd_kafka_topic_destroy(r->rkt[i]);
    }
    if (r->q) rd_kafka_queue_destroy(r->q);
    free(r->rkt);
    free(r->nparts);
    rd_kafka_destroy(r->rk);
    free(r);
}
