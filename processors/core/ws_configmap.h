/* ws_configmap.h -- applies a ws_config_key_t table (wirestream_processor.h)
 * to a JSON object: rejects unknown keys and wrong types, fills defaults,
 * writes typed values into a struct, and renders the table as markdown.
 * The application's own config sections and every processor share it. */
#ifndef WS_CONFIGMAP_H
#define WS_CONFIGMAP_H
#include <stddef.h>
#include <cjson/cJSON.h>
#include "../wirestream_processor.h"
#include "ws_buf.h"

/* Owns the strings and lists written into config structs. */
typedef struct {
    void **ptrs;
    size_t n, cap;
} ws_configmap_store_t;

/* Prototypes */
void ws_configmap_store_init(ws_configmap_store_t *s);
void ws_configmap_store_free(ws_configmap_store_t *s);
/* strdup into the store (NULL on allocation failure). */
char *ws_configmap_strdup(ws_configmap_store_t *s, const char *str);
void *ws_configmap_alloc(ws_configmap_store_t *s, size_t n);

const ws_config_key_t *ws_configmap_find(const ws_config_key_t *table, const char *name);
const char *ws_configmap_type_name(ws_config_type_t t);

/* Fill dst (a zeroed struct) from the table's defaults, then from obj (may be
 * NULL), then from text_overrides (may be NULL: an object of key -> string,
 * from the environment or --set, converted by the key's type).  Keys listed
 * in skip (NULL-terminated, may be NULL) are ignored.  Errors name the key
 * and `where` ("config/wirestream.json: pipeline entry \"dedup\"") or
 * `override_where` for overrides.  0 or -1. */
int ws_configmap_apply(const ws_config_key_t *table, const cJSON *obj,
                       const cJSON *text_overrides, const char *const *skip,
                       void *dst, ws_configmap_store_t *store,
                       const char *where, const char *override_where,
                       char *err, size_t errlen);

/* Checks that text converts to the key's type (used when an override is
 * given).  0 or -1 with a message. */
int ws_configmap_check_text(const ws_config_key_t *k, const char *text, char *err, size_t errlen);

/* The value of key k in the struct as JSON (for check-config); secrets are
 * masked when mask is set. */
cJSON *ws_configmap_value_json(const ws_config_key_t *k, const void *src, int mask);

/* Markdown table: | key | type | default | description |. */
int ws_configmap_doc(const ws_config_key_t *table, const char *prefix, ws_buf_t *out);

#endif
