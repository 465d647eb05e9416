/* ws_record_host.h -- the host's side of the record: creation, rendering
 * and the side outputs (state writes) that the runtime must deliver.
 * Processors use only the functions in wirestream_processor.h. */
#ifndef WS_RECORD_HOST_H
#define WS_RECORD_HOST_H
#include <stddef.h>
#include <stdint.h>
#include "../wirestream_processor.h"
#include "ws_article.h"
#include "ws_buf.h"

typedef struct {
    const char *entry;     /* entry name that wrote it */
    const char *key;
    size_t klen;
    const char *val;       /* NULL = delete (tombstone) */
    size_t vlen;
} ws_state_write_t;

/* Prototypes */
ws_record_t *ws_record_new(void);
void ws_record_free(ws_record_t *r);
/* Clear everything for reuse (keeps allocations where it can). */
void ws_record_reset(ws_record_t *r);
/* Moves a's fields into the record (a is left empty). */
void ws_record_take_article(ws_record_t *r, ws_article_t *a);
void ws_record_set_source(ws_record_t *r, const char *topic, int32_t partition,
                          int64_t offset, int64_t timestamp_ms);
void ws_record_set_ingest_ms(ws_record_t *r, int64_t ms);
/* Which entry is running: annotate(NULL) and state writes use its name. */
void ws_record_set_entry(ws_record_t *r, const char *entry_name);
/* The record's value arena (NULL when arenas are off): the pipeline makes
 * it current while entries run; ws_record_reset recycles it. */
struct ws_value_arena *ws_record_arena(ws_record_t *r);
/* Appends the enriched JSON object (one line, no newline) to out. */
int ws_record_render(const ws_record_t *r, ws_buf_t *out);
size_t ws_record_state_count(const ws_record_t *r);
const ws_state_write_t *ws_record_state_at(const ws_record_t *r, size_t i);
int ws_record_hit_taken(ws_record_t *r);   /* returns and clears the hit flag */
int ws_record_truncated(const ws_record_t *r);
/* 1 with the message in msg when the running entry had an annotate refused
 * (another entry's key, or a key of the record itself) since the last call;
 * clears it.  The pipeline makes this the entry's error. */
int ws_record_refusal_taken(ws_record_t *r, char *msg, size_t msglen);

#endif
