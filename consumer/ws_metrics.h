/* ws_metrics.h -- counters the runtime feeds, and the periodic "metrics" log
 * line (plus the optional /metrics and /healthz HTTP endpoint).
 *
 * All feed functions are thread-safe (atomics or a short mutex) so worker
 * threads and librdkafka's callbacks can call them.  Field names in the log
 * line are stable and documented in docs/metrics.md. */
#ifndef WS_METRICS_H
#define WS_METRICS_H
#include <stddef.h>
#include <stdint.h>
#include "ws_config.h"
#include "ws_pipeline.h"

typedef struct ws_metrics ws_metrics_t;

/* Prototypes */
ws_metrics_t *ws_metrics_new(const ws_config_t *cfg, ws_pipeline_t *pipeline,
                             char *err, size_t errlen);
void ws_metrics_free(ws_metrics_t *m);

void ws_metrics_in(ws_metrics_t *m, size_t bytes);            /* a message consumed */
void ws_metrics_out(ws_metrics_t *m, size_t bytes);           /* an output record acked */
void ws_metrics_dlq(ws_metrics_t *m, const char *reason);     /* a DLQ record acked */
void ws_metrics_dropped(ws_metrics_t *m, const char *reason); /* a deliberate drop settled */
void ws_metrics_e2e_us(ws_metrics_t *m, uint64_t us);         /* msg timestamp -> produce ack */
void ws_metrics_queue_depth(ws_metrics_t *m, int64_t n);      /* rd_kafka_outq_len */
void ws_metrics_rebalance(ws_metrics_t *m);                    /* one more rebalance */
/* Current assignment and progress per partition: hw = high watermark,
 * done = wirestream's own done position (next offset not yet settled). */
void ws_metrics_partition(ws_metrics_t *m, const char *topic, int32_t partition,
                          int64_t hw, int64_t done);
void ws_metrics_partition_remove(ws_metrics_t *m, const char *topic, int32_t partition);
void ws_metrics_set_healthy(ws_metrics_t *m, int alive);       /* heartbeat from the main loop */

/* Called from the main loop often: logs the metrics line when the interval
 * has elapsed.  ws_metrics_final() logs one more line at shutdown. */
void ws_metrics_tick(ws_metrics_t *m);
void ws_metrics_final(ws_metrics_t *m);
/* Start/stop the HTTP endpoint when cfg->http_port != 0. */
int ws_metrics_http_start(ws_metrics_t *m, char *err, size_t errlen);

#endif
