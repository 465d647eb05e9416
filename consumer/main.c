/* main.c -- the wirestream executable: command dispatch.  Only main() exits. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <string.h>

#include "wirestream_processor.h"
#include "ws_cmd.h"
#include "ws_cmd_healthcheck.h"
#include "ws_cmd_process.h"
#include "ws_log.h"
#include "ws_runtime.h"

#ifndef WS_VERSION
#define WS_VERSION "0.0.0"
#endif

static void usage(FILE *f) {
    fprintf(f,
        "wirestream " WS_VERSION " -- enrich news articles on Kafka (dedup, entities, quotes)\n"
        "\n"
        "usage: wirestream COMMAND [OPTIONS]\n"
        "\n"
        "commands:\n"
        "  run [--config F] [--set k=v]...        consume, enrich and produce until SIGTERM\n"
        "  demo [--config F] [--set k=v]...       run on an in-process mock cluster with sample articles\n"
        "  process [--config F] [--set k=v]... [--without NAME]... [FILE|-]...\n"
        "                                         run the pipeline over files or stdin, records on stdout\n"
        "  check-config [--config F] [--set k=v]...  validate, print the effective config (secrets masked)\n"
        "  config-reference [config|processors]   print the generated config reference (markdown)\n"
        "  healthcheck [--port N] [--host H]      exit 0 if /healthz of a running wirestream answers 200\n"
        "  version                                print the version\n"
        "\n"
        "Without --config: $WIRESTREAM_CONFIG, ./config/wirestream.json, then the built-in default.\n"
        "Environment overrides: WIRESTREAM_KAFKA_BOOTSTRAP_SERVERS, WIRESTREAM_OUTPUT_TOPIC, ...\n"
        "See docs/config.md.\n"
        "\n"
        "exit status of process:\n"
        "  0  ran over every input; bad lines (invalid JSON, empty body, ...) are reported on stderr\n"
        "     with file:line and counted in the summary, and print nothing on stdout\n"
        "  1  an input file could not be read (the others are still processed), or stdout\n"
        "     could not be written\n"
        "  2  config or usage error (bad option, unknown key, wrong type, a pipeline entry that\n"
        "     fails to load); nothing is processed\n"
        "check-config exits 0 when the config is valid, 2 when not.  run and demo exit 2 when the\n"
        "config or a kafka property is invalid, 1 when they stop on an error, 0 after a clean stop.\n");
}

/* run and demo: the Kafka runtime. */
static int kafka_command(int argc, char **argv, int demo) {
    ws_cmd_opts_t o;
    char err[1024];
    if (ws_cmd_parse(argc, argv, 0, 0, &o, err, sizeof err) < 0) {
        ws_log(WS_LOG_ERROR, argv[0], "%s", err);
        ws_cmd_opts_free(&o);
        return WS_EXIT_USAGE;
    }
    ws_config_t *cfg = ws_cmd_load_kafka_config(&o);
    ws_cmd_opts_free(&o);
    if (!cfg) return WS_EXIT_USAGE;
    err[0] = '\0';
    int rc = demo ? ws_demo(cfg, err, sizeof err) : ws_run(cfg, err, sizeof err);
    if (rc != 0 && err[0]) ws_log(WS_LOG_ERROR, argv[0], "%s", err);
    ws_config_free(cfg);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return WS_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return WS_EXIT_OK;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("wirestream %s (processor ABI %d, librdkafka %s)\n", WS_VERSION, WS_PROCESSOR_ABI,
               rd_kafka_version_str());
        return WS_EXIT_OK;
    }
    /* Subcommands see argv[0] = their own name. */
    int sub_argc = argc - 1;
    char **sub_argv = argv + 1;
    for (int i = 1; i < sub_argc; i++) {
        if (!strcmp(sub_argv[i], "--help") || !strcmp(sub_argv[i], "-h")) {
            usage(stdout);
            return WS_EXIT_OK;
        }
    }
    if (!strcmp(cmd, "run")) return kafka_command(sub_argc, sub_argv, 0);
    if (!strcmp(cmd, "demo")) return kafka_command(sub_argc, sub_argv, 1);
    if (!strcmp(cmd, "process")) return ws_cmd_process(sub_argc, sub_argv);
    if (!strcmp(cmd, "check-config")) return ws_cmd_check_config(sub_argc, sub_argv);
    if (!strcmp(cmd, "config-reference")) return ws_cmd_config_reference(sub_argc, sub_argv);
    if (!strcmp(cmd, "healthcheck")) return ws_cmd_healthcheck(sub_argc, sub_argv);
    fprintf(stderr, "wirestream: unknown command \"%s\"\n\n", cmd);
    usage(stderr);
    return WS_EXIT_USAGE;
}
