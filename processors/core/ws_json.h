/* ws_json.h -- a strict, depth-limited JSON reader for article messages.
 *
 * It validates the whole document (RFC 8259, no lone surrogates, no raw
 * control characters in strings) without building a tree or allocating, and
 * reports each top-level member of the root object with the raw span of its
 * value.  Recursion is bounded by max_depth, so hostile nesting cannot blow
 * the stack. */
#ifndef WS_JSON_H
#define WS_JSON_H
#include <stddef.h>
#include "ws_buf.h"

typedef enum {
    WS_JSON_NULL = 0, WS_JSON_FALSE, WS_JSON_TRUE, WS_JSON_NUMBER,
    WS_JSON_STRING, WS_JSON_ARRAY, WS_JSON_OBJECT
} ws_json_kind_t;

/* Called once per top-level member.  key is decoded and NUL-terminated;
 * [val, val+vlen) is the raw value text (strings include their quotes). */
typedef void (*ws_json_member_fn)(void *ctx, const char *key, size_t klen,
                                  ws_json_kind_t kind, const char *val, size_t vlen);

/* Result codes. */
#define WS_JSON_OK 0
#define WS_JSON_ERR_SYNTAX -1
#define WS_JSON_ERR_DEPTH -2
#define WS_JSON_ERR_NOT_OBJECT -3

/* Prototypes */
/* Hard depth cap applied when max_depth is 0 or larger. */
#define WS_JSON_MAX_DEPTH_CAP 512
int ws_json_scan_object(const char *p, size_t n, int max_depth, ws_json_member_fn fn,
                        void *ctx, char *err, size_t errlen);
/* Decode a raw string literal (quotes included, already validated) into out. */
int ws_json_decode_string(const char *raw, size_t rawlen, ws_buf_t *out);

#endif
