/* ws_rt.h -- the Kafka runtime's shared state (private to consumer/).
 *
 * One ws_rt_t per `wirestream run`: the group consumer, one producer, the
 * pipeline, the partition table with its watermarks, and the optional
 * worker pool, state-topic reader and transaction driver.  The main thread
 * owns the consumer's callbacks (rebalance, offsets store, commits); worker
 * threads only process messages and produce. */
#ifndef WS_RT_H
#define WS_RT_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <librdkafka/rdkafka.h>
#include "ws_config.h"
#include "ws_pipeline.h"
#include "ws_metrics.h"
#include "ws_watermark.h"
#include "ws_record_host.h"
#include "ws_buf.h"
#include "ws_stall.h"

/* What a produced record is, carried in the delivery opaque. */
typedef enum {
    WS_OUT_OUTPUT = 0,   /* enriched record (or forwarded tombstone) */
    WS_OUT_DLQ,          /* original bytes + ws.error headers */
    WS_OUT_DROP,         /* enriched record to an entry's drop_topic */
    WS_OUT_STATE,        /* a processor's state write */
    WS_OUT__COUNT
} ws_out_kind_t;

/* The original input, kept until its message is done so that a record the
 * broker refuses can still be dead-lettered with the original bytes. */
typedef struct {
    char *val;                 /* NULL for a tombstone */
    size_t vlen;
    char *key;
    size_t klen;
    rd_kafka_headers_t *hdrs;  /* copy of the input headers, or NULL */
    int64_t ts_ms;             /* message timestamp, -1 if none */
} ws_src_t;

/* One assigned partition. */
typedef struct {
    ws_wm_part_t *wm;
    rd_kafka_queue_t *fwd;     /* partition queue forwarded to a worker, or NULL */
    int64_t txn_first;         /* exactly-once: first offset in the open transaction */
    int64_t txn_next;          /* exactly-once: last processed offset + 1 */
    int64_t hw;                /* last known high watermark */
    int64_t start;             /* where consumption starts (committed offset, or
                                  the low watermark of an empty partition); -1
                                  unknown.  Lag of a partition not yet read. */
} ws_slot_t;

/* A record whose delivery failed with a retriable-by-us error. */
typedef struct ws_retry {
    struct ws_retry *next;
    ws_wm_msg_t *msg;
    ws_out_kind_t kind;
    char *topic;
    char *key, *val;
    size_t klen, vlen;
    rd_kafka_headers_t *hdrs;
    int64_t due_ms;
    int attempts;
} ws_retry_t;

/* A poisoned input (exactly-once: its record was refused as too large, so
 * on replay it goes straight to the DLQ). */
typedef struct ws_poison {
    struct ws_poison *next;
    char *topic;
    int32_t partition;
    int64_t offset;
} ws_poison_t;

/* Per-thread scratch for processing. */
typedef struct {
    ws_record_t *rec;
    ws_buf_t out;
    ws_busy_t busy;            /* what the stall guard sees of this thread */
} ws_scratch_t;

struct ws_workers;
struct ws_state_reader;
struct ws_stall;

typedef struct ws_rt {
    const ws_config_t *cfg;
    rd_kafka_t *consumer;
    rd_kafka_t *producer;
    ws_pipeline_t *pipeline;
    ws_metrics_t *metrics;
    int eos;                       /* delivery: exactly_once */
    int nworkers;

    /* Pipeline entries by index: name and state topic. */
    size_t nentries;
    const char **entry_names;
    const char **state_topics;

    /* Partition table; guarded by parts_mu (workers look up under it). */
    pthread_mutex_t parts_mu;
    ws_slot_t *slots;
    size_t nslots, capslots;

    /* Backpressure: pause above q_high, resume below q_low. */
    int64_t q_high, q_low;
    pthread_mutex_t bp_mu;
    int bp_on;
    int bp_paused;                 /* the input partitions are paused */
    int64_t bp_since_ms;

    pthread_mutex_t retry_mu;
    ws_retry_t *retries;
    ws_poison_t *poison;           /* guarded by retry_mu */

    atomic_int stop;               /* 1: shut down (signal or demo) */
    atomic_int fatal;              /* a fatal Kafka error: exit non-zero */
    atomic_int producer_fatal;     /* ... raised by the producer */
    atomic_int brokers_down;
    atomic_int txn_abort;          /* exactly-once: a delivery failed */
    atomic_long consumed;          /* input messages taken */
    atomic_long completed;         /* inputs fully settled */
    atomic_long acked_out;         /* output records acknowledged */
    atomic_long bp_events;         /* times the input was paused for backpressure */
    int64_t revoke_timeout_ms;

    /* exactly-once; txn_mu serialises begin between workers */
    pthread_mutex_t txn_mu;
    int txn_open;
    int64_t txn_started_ms;

    struct ws_workers *workers;
    struct ws_state_reader *state;
    struct ws_stall *stall;        /* the stuck-record guard, or NULL */
    char *bootstrap_override;      /* demo: the mock cluster */
} ws_rt_t;

/* Prototypes */
int64_t ws_now_ms(void);

/* ws_kafka_conf.c */
rd_kafka_conf_t *ws_kconf_consumer(const ws_rt_t *rt, char *err, size_t errlen);
rd_kafka_conf_t *ws_kconf_producer(const ws_rt_t *rt, char *err, size_t errlen);
rd_kafka_conf_t *ws_kconf_reader(const ws_rt_t *rt, char *err, size_t errlen);
int ws_kconf_set(rd_kafka_conf_t *c, const char *k, const char *v, char *err, size_t errlen);
const char *ws_kconf_group_id(const ws_config_t *cfg);
const char *ws_kconf_instance_id(const ws_config_t *cfg);
void ws_kconf_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf);

/* ws_output.c */
void ws_src_free(void *src);
int ws_out_produce(ws_rt_t *rt, ws_wm_msg_t *msg, ws_out_kind_t kind,
                   const char *topic, const void *key, size_t klen,
                   const void *val, size_t vlen, rd_kafka_headers_t *hdrs);
int ws_out_dlq(ws_rt_t *rt, ws_wm_msg_t *msg, const char *topic, int32_t partition,
               int64_t offset, const ws_src_t *src, const char *reason,
               const char *message, const char *processor);
void ws_out_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque);
void ws_out_retry_due(ws_rt_t *rt, int all);
void ws_out_retry_abandon(ws_rt_t *rt);
int ws_out_poisoned(ws_rt_t *rt, const char *topic, int32_t partition, int64_t offset);
void ws_out_poison_free(ws_rt_t *rt);

/* ws_backpressure.c: wait until the producer queue is below the low mark. */
void ws_out_backpressure(ws_rt_t *rt);

/* ws_handle.c */
int ws_scratch_init(ws_scratch_t *s);
void ws_scratch_free(ws_scratch_t *s);
/* One consumed message: parse, pipeline, produce.  Skips (without
 * settling) messages of partitions this instance no longer owns. */
void ws_handle_message(ws_rt_t *rt, ws_scratch_t *s, rd_kafka_message_t *rkm);

/* ws_partitions.c */
ws_slot_t *ws_parts_find(ws_rt_t *rt, const char *topic, int32_t partition);
int ws_parts_add(ws_rt_t *rt, const char *topic, int32_t partition);
void ws_parts_store(ws_rt_t *rt);
void ws_parts_metrics(ws_rt_t *rt, int refresh_hw);
void ws_parts_close_all(ws_rt_t *rt);
void ws_parts_wait_idle(ws_rt_t *rt, int64_t timeout_ms);
void ws_parts_drop_all(ws_rt_t *rt);
void ws_parts_reset_wm(ws_rt_t *rt);
void ws_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                     rd_kafka_topic_partition_list_t *parts, void *opaque);

/* ws_workers.c */
int ws_workers_start(ws_rt_t *rt, char *err, size_t errlen);
rd_kafka_queue_t *ws_workers_queue_for(ws_rt_t *rt, int32_t partition, const char *topic);
void ws_workers_stop(ws_rt_t *rt);
void ws_workers_free(ws_rt_t *rt);
/* Exactly-once: park every worker between two messages / let them go. */
void ws_workers_hold(ws_rt_t *rt);
void ws_workers_release(ws_rt_t *rt);

/* ws_txn.c */
int ws_txn_init(ws_rt_t *rt, char *err, size_t errlen);
int ws_txn_begin_if_needed(ws_rt_t *rt);
/* Commit the open transaction with the consumed offsets.  Returns 0, 1 when
 * it was aborted and the partitions rewound, -1 on a fatal error.  With
 * workers, call it between ws_workers_hold and ws_workers_release. */
int ws_txn_commit(ws_rt_t *rt, int rewind);

/* ws_state_topic.c */
int ws_state_start(ws_rt_t *rt, char *err, size_t errlen);
void ws_state_stop(ws_rt_t *rt);

#endif
