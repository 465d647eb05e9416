/* ws_state_topic.c -- durable processor state on compacted topics.
 *
 * For each pipeline entry with a state topic: create the topic if it is
 * missing (cleanup.policy=compact), then read it with a consumer outside
 * the group, assigned every partition from the beginning, read_committed.
 * Start-up blocks until every partition reached its end, so processing
 * starts with all state known; afterwards a thread keeps following the
 * topics so instances see each other's writes (the consistency window is
 * the time from one instance's acked write to the others' read: usually
 * well under a second, longer while a broker is unreachable). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ws_rt.h"
#include "ws_log.h"
#include "ws_reader.h"

struct ws_state_reader {
    ws_reader_t *r;
    pthread_t th;
    int started;
    atomic_int stop;
    ws_rt_t *rt;
};

/* Drops the topics that already exist from the list (a full metadata
 * listing, which never auto-creates a topic); returns how many are left. */
static size_t keep_missing(ws_rt_t *rt, const char **topics, size_t n)
{
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(rt->producer, 1, NULL, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return n;   /* unknown: try to create them all */
    size_t left = 0;
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        for (int t = 0; t < md->topic_cnt && !found; t++)
            found = !md->topics[t].err && strcmp(md->topics[t].topic, topics[i]) == 0;
        if (!found) topics[left++] = topics[i];
    }
    rd_kafka_metadata_destroy(md);
    return left;
}

static int create_topics(ws_rt_t *rt, const char **topics, size_t n, char *err, size_t errlen)
{
    rd_kafka_NewTopic_t **nt = calloc(n, sizeof(*nt));
    if (!nt) { snprintf(err, errlen, "out of memory"); return -1; }
    char e[256];
    for (size_t i = 0; i < n; i++) {
        nt[i] = rd_kafka_NewTopic_new(topics[i], -1, -1, e, sizeof(e));
        if (!nt[i]) {
            snprintf(err, errlen, "state topic %s: %s", topics[i], e);
            for (size_t j = 0; j < i; j++) rd_kafka_NewTopic_destroy(nt[j]);
            free(nt);
            return -1;
        }
        rd_kafka_NewTopic_set_config(nt[i], "cleanup.policy", "compact");
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rt->producer);
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rt->producer, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(o, 10000, e, sizeof(e));
    rd_kafka_CreateTopics(rt->producer, nt, n, o, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
    int rc = 0;
    if (!ev) {
        ws_log(WS_LOG_WARN, "runtime", "state topics: create timed out");
    } else if (rd_kafka_event_error(ev)) {
        ws_log(WS_LOG_WARN, "runtime", "state topics: create: %s", rd_kafka_event_error_string(ev));
    } else {
        size_t cnt = 0;
        const rd_kafka_topic_result_t **r =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
        for (size_t i = 0; i < cnt; i++) {
            rd_kafka_resp_err_t te = rd_kafka_topic_result_error(r[i]);
            if (!te) {
                ws_log(WS_LOG_INFO, "runtime", "created state topic %s", rd_kafka_topic_result_name(r[i]));
            } else if (te != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                /* The reader below fails clearly if it is really missing. */
                ws_log(WS_LOG_WARN, "runtime", "state topic %s: %s",
                       rd_kafka_topic_result_name(r[i]), rd_kafka_topic_result_error_string(r[i]));
            }
        }
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy_array(nt, n);
    free(nt);
    return rc;
}

static void deliver(ws_rt_t *rt, const rd_kafka_message_t *m)
{
    const char *t = rd_kafka_topic_name(m->rkt);
    for (size_t i = 0; i < rt->nentries; i++)
        if (rt->state_topics[i] && strcmp(rt->state_topics[i], t) == 0)
            ws_pipeline_state_deliver(rt->pipeline, i, m->key, m->key_len,
                                      m->payload, m->payload ? m->len : 0);
}

/* Counts each partition's end once in *nseen: a partition that keeps
 * receiving writes (from running instances) reports its end again after each
 * new batch, and counting those reports would end the load early. */
static void note_eof(int64_t *seen, int *nseen, int cap, const char **topics, size_t n,
                     const rd_kafka_message_t *m)
{
    const char *t = rd_kafka_topic_name(m->rkt);
    size_t ti = 0;
    while (ti < n && strcmp(topics[ti], t) != 0) ti++;
    int64_t k = (int64_t)((uint64_t)ti << 32 | (uint32_t)m->partition);
    for (int i = 0; i < *nseen; i++)
        if (seen[i] == k) return;
    if (*nseen < cap) seen[(*nseen)++] = k;
}

static void *follow(void *p)
{
    struct ws_state_reader *s = p;
    while (!atomic_load(&s->stop)) {
        rd_kafka_message_t *m = ws_reader_poll(s->r, 200);
        if (!m) continue;
        if (!m->err) deliver(s->rt, m);
        else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            ws_log(WS_LOG_WARN, "runtime", "state reader: %s", rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
    }
    return NULL;
}

int ws_state_start(ws_rt_t *rt, char *err, size_t errlen)
{
    const char **topics = calloc(rt->nentries + 1, sizeof(*topics));
    size_t n = 0;
    if (!topics) { snprintf(err, errlen, "out of memory"); return -1; }
    for (size_t i = 0; i < rt->nentries; i++) {
        const char *t = rt->state_topics[i];
        int dup = 0;
        for (size_t j = 0; t && j < n; j++) dup |= strcmp(topics[j], t) == 0;
        if (t && !dup) topics[n++] = t;
    }
    if (n == 0) { free(topics); return 0; }
    int rc = -1;
    struct ws_state_reader *s = NULL;
    int64_t *seen = NULL;
    const char **missing = calloc(n, sizeof(*missing));
    if (!missing) { snprintf(err, errlen, "out of memory"); goto out; }
    memcpy(missing, topics, n * sizeof(*missing));
    size_t nmissing = keep_missing(rt, missing, n);
    int crc = nmissing ? create_topics(rt, missing, nmissing, err, errlen) : 0;
    free(missing);
    if (crc != 0) goto out;

    s = calloc(1, sizeof(*s));
    if (!s) { snprintf(err, errlen, "out of memory"); goto out; }
    s->rt = rt;
    rd_kafka_conf_t *c = ws_kconf_reader(rt, err, errlen);
    if (!c) goto out;
    s->r = ws_reader_new(c, topics, n, RD_KAFKA_OFFSET_BEGINNING, err, errlen);
    if (!s->r) goto out;
    int parts = ws_reader_partitions(s->r);
    seen = calloc((size_t)(parts > 0 ? parts : 1), sizeof(*seen));
    if (!seen) { snprintf(err, errlen, "out of memory"); goto out; }

    /* Load to the end of every partition before processing starts. */
    int64_t t0 = ws_now_ms();
    long loaded = 0;
    int eofs = 0;
    while (eofs < parts && !atomic_load(&rt->stop)) {
        rd_kafka_message_t *m = ws_reader_poll(s->r, 500);
        if (!m) continue;
        if (!m->err) { deliver(rt, m); loaded++; }
        else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
            note_eof(seen, &eofs, parts, topics, n, m);
        else ws_log(WS_LOG_WARN, "runtime", "state reader: %s", rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
    }
    cJSON *f = cJSON_CreateObject();
    cJSON_AddNumberToObject(f, "records", (double)loaded);
    cJSON_AddNumberToObject(f, "partitions", parts);
    cJSON_AddNumberToObject(f, "ms", (double)(ws_now_ms() - t0));
    ws_log_event(WS_LOG_INFO, "runtime", "state loaded", f);
    cJSON_Delete(f);

    if (pthread_create(&s->th, NULL, follow, s) != 0) {
        snprintf(err, errlen, "cannot start the state reader thread");
        goto out;
    }
    s->started = 1;
    rt->state = s;
    s = NULL;
    rc = 0;
out:
    if (s) {
        ws_reader_free(s->r);
        free(s);
    }
    free(seen);
    free(topics);
    return rc;
}

void ws_state_stop(ws_rt_t *rt)
{
    struct ws_state_reader *s = rt->state;
    if (!s) return;
    atomic_store(&s->stop, 1);
    if (s->started) pthread_join(s->th, NULL);
    ws_reader_free(s->r);
    free(s);
    rt->state = NULL;
}
