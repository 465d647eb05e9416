/* ws_stall.c -- the guard against a record stuck inside a processor.
 *
 * A thread cannot be cancelled safely inside third-party code, so the only
 * way to free a stuck one is to end the process and let the orchestrator
 * restart it.  When a processing thread has been inside the pipeline for
 * the stall threshold, the guard takes its message over and:
 *  - at-least-once: dead-letters the record (reason `timeout`, the entry
 *    in ws.processor), waits for that delivery, stores and commits the
 *    done positions, so the restarted instance moves past the record;
 *  - exactly-once: the open transaction cannot be committed while a
 *    worker is mid-record, so nothing is committed and the record is
 *    retried after the restart (docs/hardening.md);
 * then logs a `record stuck` error event and exits with status 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ws_rt.h"
#include "ws_stall.h"
#include "ws_article.h"
#include "ws_log.h"

struct ws_stall {
    pthread_t th;
    int started;
    atomic_int stop;
    int64_t threshold_ms;
    pthread_mutex_t mu;
    ws_busy_t *list;        /* guarded by mu */
};

int64_t ws_stall_threshold_ms(int64_t record_timeout_ms)
{
    if (record_timeout_ms <= 0) return 0;
    int64_t t = record_timeout_ms * 10;
    return t < 10000 ? 10000 : t;
}

void ws_stall_enter(ws_busy_t *b, const char *topic, int32_t partition, int64_t offset,
                    ws_wm_msg_t *msg, const void *src, ws_outcome_t *outcome)
{
    b->topic = topic;
    b->partition = partition;
    b->offset = offset;
    b->msg = msg;
    b->src = src;
    b->outcome = outcome;
    atomic_store(&b->state, WS_BUSY_RUNNING);
    atomic_store(&b->since_ms, ws_now_ms());   /* publishes the fields above */
}

int ws_stall_leave(ws_busy_t *b)
{
    atomic_store(&b->since_ms, 0);
    int expected = WS_BUSY_RUNNING;
    return atomic_compare_exchange_strong(&b->state, &expected, WS_BUSY_DONE) ? 0 : -1;
}

void ws_stall_park(void)
{
    for (;;) pause();
}

void ws_stall_watch(ws_rt_t *rt, ws_busy_t *b)
{
    struct ws_stall *g = rt->stall;
    atomic_store(&b->since_ms, 0);
    atomic_store(&b->state, WS_BUSY_DONE);
    if (!g) return;
    pthread_mutex_lock(&g->mu);
    b->next = g->list;
    g->list = b;
    pthread_mutex_unlock(&g->mu);
}

void ws_stall_unwatch(ws_rt_t *rt, ws_busy_t *b)
{
    struct ws_stall *g = rt->stall;
    if (!g) return;
    pthread_mutex_lock(&g->mu);
    for (ws_busy_t **p = &g->list; *p; p = &(*p)->next)
        if (*p == b) {
            *p = b->next;
            break;
        }
    pthread_mutex_unlock(&g->mu);
}

/* The guard owns b's message now; the stuck thread never touches it again. */
static void take_over(ws_rt_t *rt, ws_busy_t *b, int64_t stuck_ms)
{
    const char *entry = b->outcome ? atomic_load(&b->outcome->running) : NULL;
    char text[384];
    snprintf(text, sizeof(text),
             "entry \"%s\" did not return within %lld ms (10x limits.record_timeout_ms, at least "
             "10 s); wirestream exits so that the instance restarts",
             entry ? entry : "?", (long long)stuck_ms);
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "entry", entry ? entry : "?");
    cJSON_AddStringToObject(f, "topic", b->topic);
    cJSON_AddNumberToObject(f, "partition", b->partition);
    cJSON_AddNumberToObject(f, "offset", (double)b->offset);
    cJSON_AddNumberToObject(f, "ms", (double)stuck_ms);
    cJSON_AddStringToObject(f, "action", rt->eos ? "exit; retried after the restart"
                                                 : "dead-lettered, committed, exit");
    ws_log_event(WS_LOG_ERROR, "runtime", "record stuck", f);
    cJSON_Delete(f);
    if (!rt->eos) {
        ws_out_dlq(rt, b->msg, b->topic, b->partition, b->offset, b->src, WS_REASON_TIMEOUT,
                   text, entry);
        ws_wm_release(b->msg, 1);   /* the stuck thread's processing hold */
        rd_kafka_flush(rt->producer, 10000);
        ws_parts_store(rt);
        rd_kafka_resp_err_t e = rd_kafka_commit(rt->consumer, NULL, 0);
        if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
            ws_log(WS_LOG_ERROR, "runtime", "commit before the stall exit: %s", rd_kafka_err2str(e));
    }
    ws_log(WS_LOG_ERROR, "runtime", "exiting: %s [%d] offset %lld stuck in entry \"%s\"",
           b->topic, (int)b->partition, (long long)b->offset, entry ? entry : "?");
    /* The stuck thread cannot be joined, so the normal shutdown would hang. */
    _exit(1);
}

static void *guard_main(void *p)
{
    ws_rt_t *rt = p;
    struct ws_stall *g = rt->stall;
    struct timespec tick = {0, 200 * 1000000L};
    while (!atomic_load(&g->stop)) {
        nanosleep(&tick, NULL);
        int64_t now = ws_now_ms();
        /* Blame a thread inside a processor, the longest-running one.  A
         * thread waiting for a non-thread-safe entry's lock is stuck behind
         * the one inside, not in it: it is blamed only when no thread is
         * inside a processor at all (stuck between entries). */
        ws_busy_t *in = NULL, *out = NULL;
        int any_inside = 0;
        pthread_mutex_lock(&g->mu);
        for (ws_busy_t *b = g->list; b; b = b->next) {
            int64_t since = atomic_load(&b->since_ms);
            if (since <= 0) continue;
            int inside = b->outcome && atomic_load(&b->outcome->running) != NULL;
            any_inside |= inside;
            if (now - since < g->threshold_ms) continue;
            ws_busy_t **best = inside ? &in : &out;
            if (!*best || since < atomic_load(&(*best)->since_ms)) *best = b;
        }
        ws_busy_t *stuck = in ? in : any_inside ? NULL : out;
        int64_t stuck_since = stuck ? atomic_load(&stuck->since_ms) : 0;
        int expected = WS_BUSY_RUNNING;
        if (stuck && !atomic_compare_exchange_strong(&stuck->state, &expected, WS_BUSY_ABANDONED))
            stuck = NULL;   /* it returned just now */
        pthread_mutex_unlock(&g->mu);
        if (stuck) take_over(rt, stuck, now - stuck_since);
    }
    return NULL;
}

int ws_stall_start(ws_rt_t *rt, char *err, size_t errlen)
{
    int64_t t = ws_stall_threshold_ms(rt->cfg->record_timeout_ms);
    if (t <= 0) return 0;
    struct ws_stall *g = calloc(1, sizeof(*g));
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    g->threshold_ms = t;
    pthread_mutex_init(&g->mu, NULL);
    rt->stall = g;
    if (pthread_create(&g->th, NULL, guard_main, rt) != 0) {
        snprintf(err, errlen, "cannot start the stall guard thread");
        return -1;
    }
    g->started = 1;
    return 0;
}

void ws_stall_stop(ws_rt_t *rt)
{
    struct ws_stall *g = rt->stall;
    if (!g) return;
    atomic_store(&g->stop, 1);
    if (g->started) pthread_join(g->th, NULL);
    pthread_mutex_destroy(&g->mu);
    free(g);
    rt->stall = NULL;
}
