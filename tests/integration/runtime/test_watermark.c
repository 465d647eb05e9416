/* Watermark: an input offset is done only when everything it caused is
 * acknowledged AND every earlier offset of its partition is done. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ws_watermark.h"

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; \
    fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static int freed;
static void count_free(void *p) { free(p); freed++; }

static void out_of_order_acks_settle_only_the_contiguous_prefix(void)
{
    ws_wm_part_t *p = ws_wm_part_new("t", 0, count_free);
    ws_wm_msg_t *m[5];
    for (int i = 0; i < 5; i++) {
        m[i] = ws_wm_add(p, 100 + i, malloc(1));
        ws_wm_retain(m[i]);            /* one record in flight each */
        ws_wm_release(m[i], 1);        /* processing over */
    }
    CHECK(ws_wm_done(p) == 100, "nothing acked: done stays at the first offset, got %lld",
          (long long)ws_wm_done(p));
    ws_wm_release(m[2], 1);
    ws_wm_release(m[4], 1);
    CHECK(ws_wm_done(p) == 100, "acks of 102 and 104 alone must not move done, got %lld",
          (long long)ws_wm_done(p));
    ws_wm_release(m[0], 1);
    CHECK(ws_wm_done(p) == 101, "ack of 100 moves done to 101, got %lld", (long long)ws_wm_done(p));
    ws_wm_release(m[1], 1);
    CHECK(ws_wm_done(p) == 103, "ack of 101 settles 101 and 102: done 103, got %lld",
          (long long)ws_wm_done(p));
    ws_wm_release(m[3], 1);
    CHECK(ws_wm_done(p) == 105, "all acked: done 105, got %lld", (long long)ws_wm_done(p));
    CHECK(ws_wm_busy(p) == 0, "nothing in flight");
    CHECK(freed == 5, "settled messages are freed, got %d", freed);
    ws_wm_part_detach(p);
}

static void a_message_waits_for_all_its_records(void)
{
    ws_wm_part_t *p = ws_wm_part_new("t", 1, NULL);
    ws_wm_msg_t *m = ws_wm_add(p, 7, NULL);
    ws_wm_retain(m);   /* output */
    ws_wm_retain(m);   /* state write */
    ws_wm_release(m, 1);
    ws_wm_release(m, 1);
    CHECK(ws_wm_done(p) == 7, "one record still in flight: not done");
    CHECK(ws_wm_release(m, 1) == 1, "the last release completes the message");
    CHECK(ws_wm_done(p) == 8, "done after the last record, got %lld", (long long)ws_wm_done(p));
    ws_wm_part_detach(p);
}

static void a_deliberate_drop_settles_at_once(void)
{
    ws_wm_part_t *p = ws_wm_part_new("t", 1, NULL);
    ws_wm_msg_t *m = ws_wm_add(p, 3, NULL);
    ws_wm_release(m, 1);   /* processing over, nothing produced */
    CHECK(ws_wm_done(p) == 4, "a drop without a drop topic is done at once");
    ws_wm_part_detach(p);
}

static void a_failed_delivery_blocks_commits(void)
{
    ws_wm_part_t *p = ws_wm_part_new("t", 2, NULL);
    ws_wm_msg_t *a = ws_wm_add(p, 10, NULL);
    ws_wm_msg_t *b = ws_wm_add(p, 11, NULL);
    ws_wm_retain(a);
    ws_wm_release(a, 1);
    CHECK(ws_wm_release(a, 0) == 0, "a failed message does not complete");
    ws_wm_release(b, 1);
    CHECK(ws_wm_done(p) == 10, "a failed record must never be committed past, got %lld",
          (long long)ws_wm_done(p));
    ws_wm_part_detach(p);
}

static void take_store_reports_each_new_position_once(void)
{
    ws_wm_part_t *p = ws_wm_part_new("t", 3, NULL);
    CHECK(ws_wm_take_store(p) == -1, "nothing seen: nothing to store");
    ws_wm_msg_t *m = ws_wm_add(p, 0, NULL);
    ws_wm_release(m, 1);
    CHECK(ws_wm_take_store(p) == 1, "store offset+1 of the done prefix");
    CHECK(ws_wm_take_store(p) == -1, "same position: not stored twice");
    ws_wm_part_detach(p);
}

static void closed_partition_refuses_and_detached_frees_when_idle(void)
{
    freed = 0;
    ws_wm_part_t *p = ws_wm_part_new("t", 4, count_free);
    ws_wm_msg_t *m = ws_wm_add(p, 5, malloc(1));
    ws_wm_retain(m);
    ws_wm_release(m, 1);
    ws_wm_close(p);
    void *ctx = malloc(1);
    CHECK(ws_wm_add(p, 6, ctx) == NULL, "a closed (revoked) partition takes no new messages");
    free(ctx);
    ws_wm_part_detach(p);          /* still one record in flight */
    CHECK(freed == 0, "in-flight message outlives the detach");
    ws_wm_release(m, 1);           /* late delivery report: frees everything (ASan checks) */
    CHECK(freed == 1, "freed with the last release, got %d", freed);
}

static void gaps_in_offsets_are_fine(void)
{
    ws_wm_part_t *p = ws_wm_part_new("t", 5, NULL);
    ws_wm_msg_t *a = ws_wm_add(p, 10, NULL);
    ws_wm_msg_t *b = ws_wm_add(p, 15, NULL);   /* compacted or a transaction marker */
    ws_wm_release(b, 1);
    ws_wm_release(a, 1);
    CHECK(ws_wm_done(p) == 16, "done jumps over gaps, got %lld", (long long)ws_wm_done(p));
    ws_wm_part_detach(p);
}

#define NT 4
#define PER 20000
static ws_wm_msg_t *g_msgs[NT * PER];
static void *acker(void *arg)
{
    int t = (int)(intptr_t)arg;
    for (int i = t; i < NT * PER; i += NT) ws_wm_release(g_msgs[i], 1);
    return NULL;
}

static void concurrent_acks_from_several_threads(void)
{
    ws_wm_part_t *p = ws_wm_part_new("t", 6, NULL);
    for (int i = 0; i < NT * PER; i++) {
        g_msgs[i] = ws_wm_add(p, i, NULL);
        ws_wm_retain(g_msgs[i]);
        ws_wm_release(g_msgs[i], 1);
    }
    pthread_t th[NT];
    for (int t = 0; t < NT; t++) pthread_create(&th[t], NULL, acker, (void *)(intptr_t)t);
    for (int t = 0; t < NT; t++) pthread_join(th[t], NULL);
    CHECK(ws_wm_done(p) == NT * PER, "all acked: done = %d, got %lld", NT * PER,
          (long long)ws_wm_done(p));
    ws_wm_part_detach(p);
}

int main(void)
{
    out_of_order_acks_settle_only_the_contiguous_prefix();
    a_message_waits_for_all_its_records();
    a_deliberate_drop_settles_at_once();
    a_failed_delivery_blocks_commits();
    take_store_reports_each_new_position_once();
    closed_partition_refuses_and_detached_frees_when_idle();
    gaps_in_offsets_are_fine();
    concurrent_acks_from_several_threads();
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("watermark: all tests passed\n");
    return 0;
}
