/* ws_watermark.h -- per-partition "done" watermark fed by delivery reports.
 *
 * Every consumed input message becomes a ws_wm_msg_t that counts what it
 * still waits for (the processing hold, then one per produced record).  When
 * the count reaches zero the message is done; the partition's done position
 * is offset+1 of the last message of the contiguous done prefix, and only
 * that position may be committed.  A message whose delivery failed for good
 * is "failed": it never becomes done, so it blocks commits of its partition
 * (it is re-read after a restart) instead of being lost.
 *
 * A partition can be closed (revoked): no new messages are accepted.  When
 * it is detached from its owner with messages still in flight it frees
 * itself once the last one is released.  All functions are thread-safe. */
#ifndef WS_WATERMARK_H
#define WS_WATERMARK_H
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

typedef struct ws_wm_part ws_wm_part_t;
typedef struct ws_wm_msg ws_wm_msg_t;

struct ws_wm_msg {
    ws_wm_part_t *part;
    int64_t offset;
    int pending;            /* hold + records in flight; guarded by part->mu */
    int failed;             /* a record could not be delivered */
    void *ctx;              /* runtime data (original bytes...), freed by free_ctx
                               once nothing is in flight for the message */
};

struct ws_wm_part {
    pthread_mutex_t mu;
    char *topic;
    int32_t partition;
    int closed;             /* revoked: refuse new messages */
    int detached;           /* no owner: free when idle */
    int64_t done;           /* next offset not yet done, -1 = nothing seen */
    int64_t stored;         /* last position handed to offsets_store */
    size_t busy;            /* messages with pending > 0 */
    ws_wm_msg_t **q;        /* ring of messages in offset order */
    size_t head, len, cap;
    void (*free_ctx)(void *ctx);
};

/* Prototypes */
ws_wm_part_t *ws_wm_part_new(const char *topic, int32_t partition,
                             void (*free_ctx)(void *));
/* Owner lets go.  Frees now when idle, else when the last message is
 * released.  The caller must not touch p afterwards. */
void ws_wm_part_detach(ws_wm_part_t *p);
/* A new message with one hold (release it when processing is over).
 * NULL when the partition is closed or on allocation failure. */
ws_wm_msg_t *ws_wm_add(ws_wm_part_t *p, int64_t offset, void *ctx);
/* One more record in flight for m. */
void ws_wm_retain(ws_wm_msg_t *m);
/* One hold/record settled; ok=0 marks the message failed.  m may be freed.
 * Returns 1 when this release completed the message (all settled, none
 * failed), else 0. */
int ws_wm_release(ws_wm_msg_t *m, int ok);
void ws_wm_close(ws_wm_part_t *p);
/* Messages still in flight. */
size_t ws_wm_busy(ws_wm_part_t *p);
/* The done position: next offset not yet done (-1 = nothing seen). */
int64_t ws_wm_done(ws_wm_part_t *p);
/* The done position if it moved since the last call (remembered as
 * stored), else -1. */
int64_t ws_wm_take_store(ws_wm_part_t *p);

#endif
