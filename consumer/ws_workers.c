/* ws_workers.c -- `workers: N` processing threads.
 *
 * Each worker owns a queue; on every assignment each partition's fetch
 * queue is forwarded to one worker's queue (by a hash of topic and
 * partition), so a partition is processed by one thread at a time and its
 * order holds.  The main thread keeps serving the consumer's callbacks
 * (rebalance, errors) and the offset stores.
 *
 * Exactly-once: a transaction commit must not race a half-processed input,
 * so the committer holds the workers (ws_workers_hold): each one finishes
 * the message in hand and parks before taking the next; the commit (or
 * abort and rewind) runs with all of them parked; ws_workers_release lets
 * them go on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ws_rt.h"
#include "ws_log.h"

struct ws_workers {
    int n;
    atomic_int stop;
    pthread_t *th;
    rd_kafka_queue_t **q;
    ws_rt_t *rt;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int hold;       /* the committer wants every worker parked */
    int parked;     /* workers parked or gone */
};

typedef struct {
    struct ws_workers *w;
    int idx;
} worker_arg_t;

static void *worker_main(void *p)
{
    worker_arg_t *a = p;
    struct ws_workers *w = a->w;
    rd_kafka_queue_t *q = w->q[a->idx];
    free(a);
    ws_scratch_t s;
    if (ws_scratch_init(&s) != 0) {
        atomic_store(&w->rt->fatal, 1);
        ws_scratch_free(&s);
        return NULL;
    }
    ws_stall_watch(w->rt, &s.busy);
    int timeout = w->rt->eos ? 50 : 200;   /* how long a hold may wait for us */
    while (!atomic_load(&w->stop) && !atomic_load(&w->rt->fatal)) {
        pthread_mutex_lock(&w->mu);
        if (w->hold) {
            w->parked++;
            pthread_cond_broadcast(&w->cv);
            while (w->hold && !atomic_load(&w->stop)) pthread_cond_wait(&w->cv, &w->mu);
            w->parked--;
        }
        pthread_mutex_unlock(&w->mu);
        rd_kafka_message_t *m = rd_kafka_consume_queue(q, timeout);
        if (!m) continue;
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                ws_log(WS_LOG_WARN, "runtime", "consume: %s", rd_kafka_message_errstr(m));
        } else {
            ws_handle_message(w->rt, &s, m);
        }
        rd_kafka_message_destroy(m);
    }
    ws_stall_unwatch(w->rt, &s.busy);
    ws_scratch_free(&s);
    /* Gone counts as parked, so a hold never waits for us. */
    pthread_mutex_lock(&w->mu);
    w->parked++;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

void ws_workers_hold(ws_rt_t *rt)
{
    struct ws_workers *w = rt->workers;
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    w->hold = 1;
    /* Wake the workers waiting for messages so they park at once. */
    for (int i = 0; i < w->n; i++) rd_kafka_queue_yield(w->q[i]);
    while (w->parked < w->started) pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
}

void ws_workers_release(ws_rt_t *rt)
{
    struct ws_workers *w = rt->workers;
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    w->hold = 0;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int ws_workers_start(ws_rt_t *rt, char *err, size_t errlen)
{
    struct ws_workers *w = calloc(1, sizeof(*w));
    if (!w) goto oom;
    w->n = rt->nworkers;
    w->rt = rt;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->th = calloc((size_t)w->n, sizeof(*w->th));
    w->q = calloc((size_t)w->n, sizeof(*w->q));
    if (!w->th || !w->q) goto oom;
    for (int i = 0; i < w->n; i++) w->q[i] = rd_kafka_queue_new(rt->consumer);
    rt->workers = w;
    for (int i = 0; i < w->n; i++) {
        worker_arg_t *a = malloc(sizeof(*a));
        if (!a) goto oom;
        a->w = w;
        a->idx = i;
        if (pthread_create(&w->th[i], NULL, worker_main, a) != 0) {
            free(a);
            snprintf(err, errlen, "cannot start worker thread %d", i);
            return -1;
        }
        w->started = i + 1;
    }
    return 0;
oom:
    snprintf(err, errlen, "out of memory starting workers");
    return -1;
}

rd_kafka_queue_t *ws_workers_queue_for(ws_rt_t *rt, int32_t partition, const char *topic)
{
    struct ws_workers *w = rt->workers;
    if (!w || w->n <= 0) return NULL;
    uint32_t h = 2166136261u;
    for (const char *c = topic; *c; c++) h = (h ^ (uint8_t)*c) * 16777619u;
    return w->q[(h + (uint32_t)partition) % (uint32_t)w->n];
}

/* Stop and join the threads; what is still queued for them was never
 * processed, so it stays uncommitted. */
void ws_workers_stop(ws_rt_t *rt)
{
    struct ws_workers *w = rt->workers;
    if (!w) return;
    atomic_store(&w->stop, 1);
    pthread_mutex_lock(&w->mu);
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    for (int i = 0; i < w->started; i++) pthread_join(w->th[i], NULL);
    w->started = 0;
    w->parked = 0;
}

/* After the consumer gave its partitions up: discard and free the queues. */
void ws_workers_free(ws_rt_t *rt)
{
    struct ws_workers *w = rt->workers;
    if (!w) return;
    ws_workers_stop(rt);
    for (int i = 0; w->q && i < w->n; i++) {
        if (!w->q[i]) continue;
        rd_kafka_message_t *m;
        while ((m = rd_kafka_consume_queue(w->q[i], 0)) != NULL) rd_kafka_message_destroy(m);
        rd_kafka_queue_destroy(w->q[i]);
    }
    free(w->th);
    free(w->q);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
    rt->workers = NULL;
}
