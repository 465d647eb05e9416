/* fuzz_config.c -- the config loader (JSON with comments, sections, the
 * pipeline list, --set overrides), check-config's masked rendering, and the
 * processors' config tables (the pipeline is built against tiny synthetic
 * data, so each run is cheap).
 *
 * Input: the config text, then optionally NUL-separated --set strings.
 * Invariant: a config that loads renders with every secret masked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "ws_log.h"

#define MAX_SETS 6

static void check_masked(const cJSON *j) {
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(j, "kafka");
    const cJSON *c;
    cJSON_ArrayForEach(c, k) {
        if (ws_log_key_is_secret(c->string) &&
            !(cJSON_IsString(c) && strcmp(c->valuestring, "***") == 0)) {
            fprintf(stderr, "secret kafka.%s printed unmasked\n", c->string);
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int once;
    if (!once) {
        once = 1;
        ws_log_setup(WS_LOG_LOGFMT, WS_LOG_ERROR);   /* quiet: warnings are expected */
        fz_workdir(0);
    }
    const char *end = memchr(data, '\0', size);
    size_t clen = end ? (size_t)(end - (const char *)data) : size;
    const char *path = fz_write(0, "wirestream.json", data, clen);
    if (!path) return 0;

    char *sets_buf = NULL;
    const char *sets[MAX_SETS];
    size_t nsets = 0;
    if (end) {
        size_t rest = size - clen - 1;
        sets_buf = malloc(rest + 1);
        if (!sets_buf) return 0;
        memcpy(sets_buf, end + 1, rest);
        sets_buf[rest] = '\0';
        char *s = sets_buf;
        while (nsets < MAX_SETS && s < sets_buf + rest) {
            sets[nsets++] = s;
            s += strlen(s) + 1;
        }
    }
    ws_config_t *cfg = NULL;
    char err[1024];
    err[0] = '\0';
    if (ws_config_load(path, sets, nsets, &cfg, err, sizeof err) == 0) {
        cJSON *j = ws_config_to_json(cfg, 1);
        if (!j) abort();
        check_masked(j);
        char *text = cJSON_PrintUnformatted(j);
        free(text);
        cJSON_Delete(j);
        /* External processors are dlopen()ed by path: never let the fuzzer
         * load an arbitrary shared object. */
        int external = 0;
        for (size_t i = 0; i < cfg->entries_n; i++)
            if (cfg->entries[i].path) external = 1;
        ws_pipeline_t *p = NULL;
        if (!external) {
            if (ws_pipeline_new(cfg, NULL, 0, 0, &p, err, sizeof err) == 0) ws_pipeline_free(p);
            else if (!err[0]) abort();   /* errors always say why */
        }
        ws_config_free(cfg);
    } else if (!err[0]) {
        abort();
    }
    free(sets_buf);
    return 0;
}
