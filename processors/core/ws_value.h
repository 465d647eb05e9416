/* ws_value.h -- host-side helpers for ws_value_t (the JSON-like annotation
 * values of wirestream_processor.h): rendering, conversion from cJSON and
 * the per-record value arena. */
#ifndef WS_VALUE_H
#define WS_VALUE_H
#include <cjson/cJSON.h>
#include "../wirestream_processor.h"
#include "ws_buf.h"

/* A bump allocator for values.  While an arena is current on a thread
 * (ws_value_arena_enter), every value that thread creates comes from it,
 * ws_value_free() of such a value is a no-op, and all of them (plus any
 * malloc'd values handed to their containers) are released together by
 * ws_value_arena_reset().  The pipeline makes the record's arena current
 * while entries run, so a value created in process() lives until the
 * record is reset: a processor must not keep one across calls.
 *
 * WS_VALUE_ARENA=0 in the environment (or -DWS_VALUE_ARENA_DEFAULT=0 at
 * build time, overridden by WS_VALUE_ARENA=1) turns arenas off: every value
 * is its own malloc, so ASan/LSan/fuzzers see ownership mistakes. */
typedef struct ws_value_arena ws_value_arena_t;

/* Prototypes */
/* Appends v as compact JSON.  Strings are escaped as they are (processors
 * produce UTF-8 slices of validated input); non-finite numbers become null. */
int ws_value_render(const ws_value_t *v, ws_buf_t *out);
/* Deep copy of a cJSON tree (NULL on allocation failure). */
ws_value_t *ws_value_from_cjson(const cJSON *j);
/* 1 if the number was created as an integer. */
int ws_value_is_int(const ws_value_t *v);
int64_t ws_value_int_of(const ws_value_t *v);

/* NULL when arenas are off (WS_VALUE_ARENA=0) or out of memory: callers
 * then simply have none, and values use malloc. */
ws_value_arena_t *ws_value_arena_new(void);
/* Releases everything; the arena must not be current on any thread. */
void ws_value_arena_free(ws_value_arena_t *a);
/* Frees the values handed over to it and recycles its memory: every value
 * it gave out becomes invalid.  Free owners' trees (ws_value_free) first. */
void ws_value_arena_reset(ws_value_arena_t *a);
/* Makes a (NULL: none) current on the calling thread; returns the previous
 * one, to pass to ws_value_arena_leave. */
ws_value_arena_t *ws_value_arena_enter(ws_value_arena_t *a);
void ws_value_arena_leave(ws_value_arena_t *prev);
/* n bytes from the arena, valid until its reset (NULL: no arena, or out of
 * memory).  For the record's own short-lived bytes, such as annotation keys. */
void *ws_value_arena_bytes(ws_value_arena_t *a, size_t n);
/* Bytes handed out since the last reset (tests, metrics). */
size_t ws_value_arena_used(const ws_value_arena_t *a);
/* Bytes of chunk memory the arena holds, in use or kept for the next
 * records (tests: it stays bounded over resets). */
size_t ws_value_arena_reserved(const ws_value_arena_t *a);
/* 1 if v was allocated from an arena. */
int ws_value_in_arena(const ws_value_t *v);

#endif
