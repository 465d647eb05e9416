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
#include <cjson/cJSON.h>
#include "ws_config.h"
#include "ws_pipeline.h"

typedef struct ws_metrics ws_metrics_t;

/* Prototypes */
/* pipeline may be NULL; when given it must outlive the metrics (free the
 * metrics first: the HTTP thread reads pipeline stats). */
ws_metrics_t *ws_metrics_new(const ws_config_t *cfg, ws_pipeline_t *pipeline,
                             char *err, size_t errlen);
void ws_metrics_free(ws_metrics_t *m);                         /* also stops HTTP */

void ws_metrics_in(ws_metrics_t *m, size_t bytes);            /* a message consumed */
void ws_metrics_out(ws_metrics_t *m, size_t bytes);           /* an output record acked */
void ws_metrics_dlq(ws_metrics_t *m, const char *reason);     /* a DLQ record acked */
void ws_metrics_dropped(ws_metrics_t *m, const char *reason); /* a deliberate drop settled */
void ws_metrics_e2e_us(ws_metrics_t *m, uint64_t us);         /* msg timestamp -> produce ack */
void ws_metrics_queue_depth(ws_metrics_t *m, int64_t n);      /* rd_kafka_outq_len */
void ws_metrics_rebalance(ws_metrics_t *m);                    /* one more rebalance */
/* Current assignment and progress per partition: hw = high watermark,
 * done = wirestream's own done position (next offset not yet settled).
 * A negative hw or done (e.g. RD_KAFKA_OFFSET_INVALID) leaves that value as
 * it was, so each side can be fed on its own; a partition's lag is reported
 * once both are known.  Calling this adds the partition to the assignment. */
void ws_metrics_partition(ws_metrics_t *m, const char *topic, int32_t partition,
                          int64_t hw, int64_t done);
void ws_metrics_partition_remove(ws_metrics_t *m, const char *topic, int32_t partition);
void ws_metrics_set_healthy(ws_metrics_t *m, int alive);       /* heartbeat from the main loop */

/* Called from the main loop often: logs the metrics line when the interval
 * has elapsed (never when metrics_interval_ms is 0), and counts as a
 * heartbeat.  ws_metrics_final() logs one more line at shutdown, "final":true,
 * whose rates and quantiles summarise the whole run. */
void ws_metrics_tick(ws_metrics_t *m);
void ws_metrics_final(ws_metrics_t *m);
/* Start/stop the HTTP endpoint when cfg->http_port != 0. */
int ws_metrics_http_start(ws_metrics_t *m, char *err, size_t errlen);

/* --- Added by the metrics module (additive). */

/* 1 when the main loop is alive and has ticked (ws_metrics_tick or
 * ws_metrics_set_healthy(m, 1)) within the stall bound: max(30 s, 3 x
 * metrics_interval_ms).  This is what /healthz answers. */
int ws_metrics_healthy(ws_metrics_t *m);
/* The port the HTTP endpoint is bound to, 0 when it is off. */
int ws_metrics_http_port(const ws_metrics_t *m);
/* Starts the endpoint on an explicit address; port 0 = ephemeral (tests). */
int ws_metrics_http_start_on(ws_metrics_t *m, const char *bind, int port,
                             char *err, size_t errlen);
/* The /metrics page: Prometheus text format, malloc()ed, NUL-terminated. */
char *ws_metrics_prometheus(ws_metrics_t *m, size_t *len);

/* Test hooks.  The sink receives each metrics line's fields instead of the
 * logger (fields is freed after the call); the clock replaces the monotonic
 * clock (milliseconds).  NULL restores the default.  Set them before use. */
typedef void ws_metrics_sink_fn(void *ud, const cJSON *fields);
typedef uint64_t ws_metrics_clock_fn(void *ud);
void ws_metrics_set_sink(ws_metrics_t *m, ws_metrics_sink_fn *sink, void *ud);
void ws_metrics_set_clock(ws_metrics_t *m, ws_metrics_clock_fn *clock, void *ud);
/* Emits a metrics line now, whatever the interval. */
void ws_metrics_emit_now(ws_metrics_t *m);

#endif
