/* ws_cmd_healthcheck.c -- `wirestream healthcheck [--port N] [--host H]
 * [--path P] [--timeout-ms T] [--config F]`.
 *
 * GETs /healthz from a running wirestream's metrics server and exits 0 on
 * 200, 1 otherwise, so a container HEALTHCHECK needs neither curl nor a
 * shell.  Without --port the port comes from the config (metrics.http_port,
 * so WIRESTREAM_METRICS_HTTP_PORT works too); without --host the config's
 * bind address, with a wildcard bind probed on the loopback address. */
#include "ws_cmd_healthcheck.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_cmd.h"
#include "ws_config.h"
#include "ws_http.h"

static int parse_int(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static void usage(void) {
    fprintf(stderr, "usage: wirestream healthcheck [--port N] [--host H] [--path /healthz] "
                    "[--timeout-ms 3000] [--config F]\n");
}

int ws_cmd_healthcheck(int argc, char **argv) {
    const char *host = NULL, *path = "/healthz", *config = NULL;
    long port = -1, timeout_ms = 3000;
    /* Every option takes a value: step over both. */
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--port") && strcmp(a, "--timeout-ms") && strcmp(a, "--host") &&
            strcmp(a, "--path") && strcmp(a, "--config")) {
            fprintf(stderr, "healthcheck: unknown option %s\n", a);
            usage();
            return WS_EXIT_USAGE;
        }
        if (!v) {
            fprintf(stderr, "healthcheck: %s needs a value\n", a);
            usage();
            return WS_EXIT_USAGE;
        }
        if (!strcmp(a, "--port")) {
            if (parse_int(v, 1, 65535, &port) < 0) {
                fprintf(stderr, "healthcheck: --port %s: expected 1..65535\n", v);
                return WS_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--timeout-ms")) {
            if (parse_int(v, 1, 600000, &timeout_ms) < 0) {
                fprintf(stderr, "healthcheck: --timeout-ms %s: expected 1..600000\n", v);
                return WS_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--host")) {
            host = v;
        } else if (!strcmp(a, "--path")) {
            if (v[0] != '/' || strpbrk(v, " \r\n")) {
                fprintf(stderr, "healthcheck: --path %s: expected an absolute path\n", v);
                return WS_EXIT_USAGE;
            }
            path = v;
        } else {
            config = v;
        }
    }

    /* Port and host the server was started with, unless given. */
    char bind[256] = "127.0.0.1";
    if (port < 0 || !host) {
        ws_config_t *cfg = NULL;
        char err[1024];
        if (ws_config_load(config, NULL, 0, &cfg, err, sizeof err) < 0) {
            fprintf(stderr, "healthcheck: %s (or pass --port)\n", err);
            return WS_EXIT_FAIL;
        }
        if (port < 0) port = cfg->http_port;
        if (cfg->http_bind && *cfg->http_bind) snprintf(bind, sizeof bind, "%s", cfg->http_bind);
        ws_config_free(cfg);
        if (port <= 0) {
            fprintf(stderr, "healthcheck: the metrics server is off (metrics.http_port is 0); "
                            "set it, or pass --port\n");
            return WS_EXIT_FAIL;
        }
    }
    if (!host) {
        /* A wildcard bind accepts connections on the loopback address. */
        if (!strcmp(bind, "0.0.0.0") || !strcmp(bind, "*") || !bind[0]) host = "127.0.0.1";
        else if (!strcmp(bind, "::") || !strcmp(bind, "[::]")) host = "::1";
        else host = bind;
    }
    char err[512] = "";
    int status = ws_http_get_status(host, (int)port, path, (int)timeout_ms, err, sizeof err);
    if (status == 200) return WS_EXIT_OK;
    if (status < 0) fprintf(stderr, "healthcheck: %s\n", err);
    else fprintf(stderr, "healthcheck: %s:%ld%s answered %d\n", host, port, path, status);
    return WS_EXIT_FAIL;
}
