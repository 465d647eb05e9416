/* ws_cmd_opts.c -- option parsing shared by the CLI commands. */
#include "ws_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ws_log.h"

static int push(const char ***list, size_t *n, const char *v) {
    const char **l = realloc(*list, (*n + 1) * sizeof *l);
    if (!l) return -1;
    l[(*n)++] = v;
    *list = l;
    return 0;
}

/* "--opt VALUE" or "--opt=VALUE". */
static const char *opt_value(int argc, char **argv, int *i, const char *name) {
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0) return NULL;
    if (argv[*i][n] == '=') return argv[*i] + n + 1;
    if (argv[*i][n] != '\0') return NULL;
    if (*i + 1 >= argc) return "";
    return argv[++*i];
}

int ws_cmd_parse(int argc, char **argv, int allow_without, int allow_args,
                 ws_cmd_opts_t *o, char *err, size_t errlen) {
    memset(o, 0, sizeof *o);
    int only_args = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v;
        if (!only_args && strcmp(a, "--") == 0) { only_args = 1; continue; }
        if (!only_args && a[0] == '-' && a[1] != '\0') {
            if ((v = opt_value(argc, argv, &i, "--config")) || (v = opt_value(argc, argv, &i, "-c"))) {
                if (!*v) { snprintf(err, errlen, "--config needs a file"); return -1; }
                o->config = v;
            } else if ((v = opt_value(argc, argv, &i, "--set"))) {
                if (!strchr(v, '=')) { snprintf(err, errlen, "--set needs key=value"); return -1; }
                if (push(&o->sets, &o->nsets, v) < 0) goto oom;
            } else if (allow_without && (v = opt_value(argc, argv, &i, "--without"))) {
                if (!*v) { snprintf(err, errlen, "--without needs an entry name"); return -1; }
                if (push(&o->without, &o->nwithout, v) < 0) goto oom;
            } else {
                snprintf(err, errlen, "unknown option %s", a);
                return -1;
            }
            continue;
        }
        if (!allow_args) {
            snprintf(err, errlen, "unexpected argument %s", a);
            return -1;
        }
        if (push(&o->args, &o->nargs, a) < 0) goto oom;
    }
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

void ws_cmd_opts_free(ws_cmd_opts_t *o) {
    free(o->sets);
    free(o->without);
    free(o->args);
    memset(o, 0, sizeof *o);
}

ws_config_t *ws_cmd_load_config(const ws_cmd_opts_t *o) {
    ws_config_t *cfg = NULL;
    char err[1024];
    if (ws_config_load(o->config, o->sets, o->nsets, &cfg, err, sizeof err) < 0) {
        ws_log(WS_LOG_ERROR, "config", "%s", err);
        return NULL;
    }
    ws_log_setup(cfg->log_format, cfg->log_level);
    /* Secrets belong in a file only its owner can read (or in the
     * environment); say so, naming the file, but do not refuse to run. */
    char names[512];
    struct stat st;
    if (ws_config_file_secrets(cfg, names, sizeof names) > 0 && stat(cfg->source_file, &st) == 0 &&
        (st.st_mode & (S_IRGRP | S_IROTH)))
        ws_log(WS_LOG_WARN, "config",
               "%s holds secrets (%s) and is readable by %s (mode %03o): chmod 600 it, or pass them "
               "through WIRESTREAM_* environment variables", cfg->source_file, names,
               (st.st_mode & S_IROTH) ? "everyone" : "its group", (unsigned)(st.st_mode & 0777));
    return cfg;
}

ws_config_t *ws_cmd_load_kafka_config(const ws_cmd_opts_t *o) {
    ws_config_t *cfg = ws_cmd_load_config(o);
    char err[1024];
    if (cfg && ws_cmd_check_kafka(cfg, err, sizeof err) < 0) {
        ws_log(WS_LOG_ERROR, "config", "%s", err);
        ws_config_free(cfg);
        return NULL;
    }
    return cfg;
}
