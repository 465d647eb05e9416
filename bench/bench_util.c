/* bench_util.c -- see bench_util.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "bench_util.h"
#include "ws_configmap.h"

void *ws_bench_make(const ws_processor_t *p, const ws_create_info_t *info,
                    void *cfg, size_t cfgsize, const char *const *sets, size_t nsets,
                    char *err, size_t errlen) {
    if (p->config_size > cfgsize) {
        snprintf(err, errlen, "config struct of %zu bytes, bench buffer %zu", p->config_size, cfgsize);
        return NULL;
    }
    cJSON *over = cJSON_CreateObject();
    for (size_t i = 0; i < nsets; i++) {
        const char *eq = strchr(sets[i], '=');
        if (!eq) continue;
        char key[128];
        snprintf(key, sizeof(key), "%.*s", (int)(eq - sets[i]), sets[i]);
        cJSON_AddStringToObject(over, key, eq + 1);
    }
    ws_configmap_store_t st;
    ws_configmap_store_init(&st);
    memset(cfg, 0, cfgsize);
    void *d = NULL;
    if (!ws_configmap_apply(p->config, NULL, over, NULL, cfg, &st, "bench", "--set", err, errlen))
        d = p->create(cfg, info, err, errlen);
    cJSON_Delete(over);
    /* create() copies what it keeps. */
    ws_configmap_store_free(&st);
    return d;
}

double ws_bench_cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}
