/* ws_cmd.h -- the non-Kafka CLI commands and the option parsing they share.
 * Each command returns the process exit code; only main() exits. */
#ifndef WS_CMD_H
#define WS_CMD_H
#include <stddef.h>
#include "ws_config.h"

/* Exit codes. */
#define WS_EXIT_OK 0
#define WS_EXIT_FAIL 1      /* ran, but something failed (e.g. unreadable input file) */
#define WS_EXIT_USAGE 2     /* bad command line or config */

typedef struct {
    const char *config;          /* --config FILE, or NULL for the lookup order */
    const char **sets;           /* --set key=value, in order */
    size_t nsets;
    const char **without;        /* --without NAME (process only) */
    size_t nwithout;
    const char **args;           /* positional arguments */
    size_t nargs;
} ws_cmd_opts_t;

/* Prototypes */
/* Parses argv[1..argc) (argv[0] is the command name).  allow_without and
 * allow_args say which extras the command takes.  0, or -1 with err set. */
int ws_cmd_parse(int argc, char **argv, int allow_without, int allow_args,
                 ws_cmd_opts_t *o, char *err, size_t errlen);
void ws_cmd_opts_free(ws_cmd_opts_t *o);
/* Loads the config for o and sets up logging from it; logs and returns NULL on error. */
ws_config_t *ws_cmd_load_config(const ws_cmd_opts_t *o);
/* The same, then every kafka property through librdkafka (ws_cmd_check_kafka):
 * for the commands that talk to Kafka (run, demo, check-config). */
ws_config_t *ws_cmd_load_kafka_config(const ws_cmd_opts_t *o);
/* Each kafka property through rd_kafka_conf_set on a scratch configuration,
 * so a bad name or value stops the command before anything connects.  0, or
 * -1 with "<file, variable or --set>: kafka.<key>: <librdkafka's message>". */
int ws_cmd_check_kafka(const ws_config_t *cfg, char *err, size_t errlen);

int ws_cmd_check_config(int argc, char **argv);
int ws_cmd_config_reference(int argc, char **argv);

#endif
