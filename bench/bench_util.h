/* bench_util.h -- what the processor benches share: a processor instance
 * built from its config table plus --set overrides, and a CPU clock. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>

#include "wirestream_processor.h"

/* An instance of p configured from its defaults and the "key=value" strings
 * in sets (entries without '=' are ignored).  cfg (cfgsize bytes) receives
 * the config struct; the caller keeps it alive as long as the instance.
 * Returns NULL with a message in err on a bad key, a too-small cfg or a
 * failed create(). */
void *ws_bench_make(const ws_processor_t *p, const ws_create_info_t *info,
                    void *cfg, size_t cfgsize, const char *const *sets, size_t nsets,
                    char *err, size_t errlen);

/* This thread's CPU time in seconds. */
double ws_bench_cpu_now(void);

#endif
