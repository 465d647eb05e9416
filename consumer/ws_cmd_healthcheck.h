/* ws_cmd_healthcheck.h -- `wirestream healthcheck`: a container probe that
 * needs no curl (see ws_cmd_healthcheck.c). */
#ifndef WS_CMD_HEALTHCHECK_H
#define WS_CMD_HEALTHCHECK_H

/* Prototypes */
/* Returns the exit code: 0 when /healthz answers 200, 1 when it answers
 * anything else or not at all, 2 on a usage error. */
int ws_cmd_healthcheck(int argc, char **argv);

#endif
