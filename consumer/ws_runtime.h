/* ws_runtime.h -- the Kafka runtime entry points called by main(). */
#ifndef WS_RUNTIME_H
#define WS_RUNTIME_H
#include <stddef.h>
#include "ws_config.h"

/* Prototypes */
/* `wirestream run`: consume, enrich, produce until SIGTERM/SIGINT.
 * Returns the process exit code (0 on a clean shutdown); err is filled on failure. */
int ws_run(const ws_config_t *cfg, char *err, size_t errlen);
/* `wirestream demo`: the same path on librdkafka's mock cluster with the
 * project's own sample articles; prints enriched records on stdout. */
int ws_demo(const ws_config_t *cfg, char *err, size_t errlen);

#endif
