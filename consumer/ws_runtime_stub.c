/* Temporary: replaced by the Kafka runtime.  Delete when ws_run lands. */
#include <stdio.h>
#include "ws_runtime.h"
int ws_run(const ws_config_t *cfg, char *err, size_t errlen)
{ (void)cfg; snprintf(err, errlen, "run: not built yet"); return 1; }
int ws_demo(const ws_config_t *cfg, char *err, size_t errlen)
{ (void)cfg; snprintf(err, errlen, "demo: not built yet"); return 1; }
