/* ws_cmd_process.h -- `wirestream process`: the parser and pipeline over
 * files or stdin, without Kafka.  stdout carries only enriched records (one
 * line per kept article, input order); errors, logs and the summary go to
 * stderr. */
#ifndef WS_CMD_PROCESS_H
#define WS_CMD_PROCESS_H

/* Prototypes */
/* argv[0] is "process".  Returns the exit code: 0 when it ran (bad input
 * lines are reported, not fatal), 1 when an input file could not be read or
 * stdout failed, 2 on usage or config errors. */
int ws_cmd_process(int argc, char **argv);

#endif
