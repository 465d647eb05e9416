/* ws_backpressure.c -- holding the input while the producer queue drains.
 *
 * When the producer queue is full (or above the high mark), the thread that
 * wanted to produce waits, serving delivery reports, until the queue is
 * below the low mark.  Nothing is dropped and nothing spins. */
#include "ws_rt.h"
#include "ws_log.h"

static void pause_all(ws_rt_t *rt, int pause)
{
    rd_kafka_topic_partition_list_t *l = NULL;
    if (rd_kafka_assignment(rt->consumer, &l) || !l) return;
    if (l->cnt > 0) {
        if (pause) rd_kafka_pause_partitions(rt->consumer, l);
        else rd_kafka_resume_partitions(rt->consumer, l);
    }
    rd_kafka_topic_partition_list_destroy(l);
}

/* The producer queue is full: hold the input, serve delivery reports until
 * the queue is below the low mark, go on.  Any thread may call this; the
 * first one logs "backpressure on" and, if the wait lasts (an outage, a
 * slow broker), pauses the assigned partitions so nothing more is fetched.
 * Short waits do not pause: a pause drops the fetched-ahead messages and
 * costs a fetch round trip on resume.  Blocks in rd_kafka_poll, never spins. */
#define BP_PAUSE_AFTER_MS 250

void ws_out_backpressure(ws_rt_t *rt)
{
    pthread_mutex_lock(&rt->bp_mu);
    if (!rt->bp_on) {
        rt->bp_on = 1;
        rt->bp_paused = 0;
        rt->bp_since_ms = ws_now_ms();
        atomic_fetch_add(&rt->bp_events, 1);
        cJSON *f = cJSON_CreateObject();
        cJSON_AddNumberToObject(f, "queue", rd_kafka_outq_len(rt->producer));
        ws_log_event(WS_LOG_WARN, "runtime", "backpressure on", f);
        cJSON_Delete(f);
    }
    pthread_mutex_unlock(&rt->bp_mu);
    while (rd_kafka_outq_len(rt->producer) > rt->q_low && !atomic_load(&rt->fatal)) {
        rd_kafka_poll(rt->producer, 50);
        ws_metrics_queue_depth(rt->metrics, rd_kafka_outq_len(rt->producer));
        pthread_mutex_lock(&rt->bp_mu);
        if (rt->bp_on && !rt->bp_paused && ws_now_ms() - rt->bp_since_ms >= BP_PAUSE_AFTER_MS) {
            rt->bp_paused = 1;
            pause_all(rt, 1);
        }
        pthread_mutex_unlock(&rt->bp_mu);
    }
    pthread_mutex_lock(&rt->bp_mu);
    if (rt->bp_on) {
        rt->bp_on = 0;
        if (rt->bp_paused) pause_all(rt, 0);
        cJSON *f = cJSON_CreateObject();
        cJSON_AddNumberToObject(f, "queue", rd_kafka_outq_len(rt->producer));
        cJSON_AddNumberToObject(f, "ms", (double)(ws_now_ms() - rt->bp_since_ms));
        cJSON_AddBoolToObject(f, "paused", rt->bp_paused);
        ws_log_event(WS_LOG_INFO, "runtime", "backpressure off", f);
        cJSON_Delete(f);
        rt->bp_paused = 0;
    }
    pthread_mutex_unlock(&rt->bp_mu);
}
