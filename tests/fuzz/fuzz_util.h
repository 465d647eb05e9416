/* fuzz_util.h -- helpers shared by the libFuzzer targets: a scratch config
 * directory, a pipeline built from config text, UTF-8 repair, and the
 * invariant checks every rendered record must pass (a violation abort()s, so
 * libFuzzer reports it like a crash). */
#ifndef WS_FUZZ_UTIL_H
#define WS_FUZZ_UTIL_H
#include <stddef.h>
#include <stdint.h>

#include "ws_buf.h"
#include "ws_config.h"
#include "ws_pipeline.h"
#include "ws_record_host.h"

/* Prototypes */
/* A private directory under $TMPDIR (removed at exit).  With real_data its
 * entities/ and quotes/ are links to the shipped config/ data; without, they
 * hold a tiny synthetic gazetteer (fast enough to build a pipeline per run). */
const char *fz_workdir(int real_data);
/* Writes text to <workdir>/<name>; returns the path (static) or NULL. */
const char *fz_write(int real_data, const char *name, const void *text, size_t n);
/* Loads config text (written into the real-data work dir) and builds its
 * pipeline; prints the error and abort()s on failure, because a
 * harness whose setup fails finds nothing. */
ws_pipeline_t *fz_pipeline(const char *config_text, int has_state, ws_config_t **cfg_out);
/* Copies in[0..n) to out (n + 1 bytes), replacing every byte that is not
 * part of a valid UTF-8 sequence with '?', and NUL-terminates. */
size_t fz_utf8_repair(const uint8_t *in, size_t n, char *out);
/* Renders rec and checks: one line of valid UTF-8 JSON, body byte-identical, every
 * offset in entities / quotes / entity_groups inside the body and on UTF-8
 * boundaries, entity text equal to its slice.  abort()s on a violation. */
void fz_check_record(ws_record_t *rec, ws_buf_t *scratch);
/* Resets rec and moves a into it (a fixed ingest time keeps runs
 * reproducible). */
void fz_load(ws_record_t *rec, ws_article_t *a);
/* A malloc()ed article with the given body (and optional date, id). */
void fz_article(ws_article_t *a, const char *body, size_t n, const char *date, const char *id);
/* Runs rec through p and checks the result when kept; with state, feeds the
 * record's state writes back through on_state like the runtime does.
 * Returns the outcome. */
ws_result_t fz_run(ws_pipeline_t *p, ws_record_t *rec, ws_buf_t *scratch, int state);

#endif
