/* ws_run.h -- the runtime's lifecycle, shared by `run` and `demo`. */
#ifndef WS_RUN_H
#define WS_RUN_H
#include "ws_rt.h"

/* Prototypes */
/* Clears rt except rt->stop, which is the caller's.
 * bootstrap: overrides kafka.bootstrap.servers (the demo's mock cluster).
 * loaded: the config as loaded, for the start-up summary, when cfg is an
 * adjusted shallow copy of it (ws_config_to_json needs the original). */
int ws_rt_setup(ws_rt_t *rt, const ws_config_t *cfg, const ws_config_t *loaded,
                const char *bootstrap, char *err, size_t errlen);
/* Until rt->stop or a fatal error; returns the exit code so far. */
int ws_rt_loop(ws_rt_t *rt);
/* Drain, commit, close; returns rc. */
int ws_rt_shutdown(ws_rt_t *rt, int rc);
void ws_rt_free(ws_rt_t *rt);
/* setup, loop, shutdown and free until stopped; in at-least-once mode a
 * fatal producer error builds the runtime again (up to 5 times in a row).
 * restarts (may be NULL) counts those rebuilds.  Returns the exit code. */
int ws_rt_run(ws_rt_t *rt, const ws_config_t *cfg, const char *bootstrap, int *restarts,
              char *err, size_t errlen);
/* SIGTERM/SIGINT set rt->stop; a second signal exits at once. */
void ws_rt_install_signals(ws_rt_t *rt);

#endif
