/* ws_stall.h -- a record stuck inside a processor.
 *
 * limits.record_timeout_ms is checked between pipeline entries: an entry
 * is never interrupted.  A processor that does not return at all (an
 * external plugin's bug) would hang its thread and, silently, every
 * partition that thread owns.  A guard thread watches each processing
 * thread; see ws_stall.c for what it does about a stuck one. */
#ifndef WS_STALL_H
#define WS_STALL_H
#include <stdatomic.h>
#include <stdint.h>
#include "ws_pipeline.h"
#include "ws_watermark.h"

struct ws_rt;

/* One processing thread's view for the guard. */
typedef struct ws_busy {
    _Atomic int64_t since_ms;   /* inside the pipeline since, 0 = not */
    atomic_int state;           /* WS_BUSY_* */
    const char *topic;
    int32_t partition;
    int64_t offset;
    ws_wm_msg_t *msg;
    const void *src;            /* ws_src_t of msg */
    ws_outcome_t *outcome;      /* names the running entry */
    struct ws_busy *next;       /* the guard's list */
} ws_busy_t;

enum { WS_BUSY_RUNNING = 0, WS_BUSY_DONE = 1, WS_BUSY_ABANDONED = 2 };

/* Prototypes */
/* The stall threshold for a time budget: 10x the budget, at least 10 s;
 * 0 (no budget) disables the guard. */
int64_t ws_stall_threshold_ms(int64_t record_timeout_ms);
int ws_stall_start(struct ws_rt *rt, char *err, size_t errlen);
void ws_stall_stop(struct ws_rt *rt);
/* A processing thread joins the guard's list (before its first record). */
void ws_stall_watch(struct ws_rt *rt, ws_busy_t *b);
void ws_stall_unwatch(struct ws_rt *rt, ws_busy_t *b);
void ws_stall_enter(ws_busy_t *b, const char *topic, int32_t partition, int64_t offset,
                    ws_wm_msg_t *msg, const void *src, ws_outcome_t *outcome);
/* 0 when the thread still owns its message; -1 when the guard took it
 * over (the process is exiting: the caller must not touch it again). */
int ws_stall_leave(ws_busy_t *b);
/* Never returns: a thread whose record the guard took over waits for the
 * exit. */
void ws_stall_park(void);

#endif
