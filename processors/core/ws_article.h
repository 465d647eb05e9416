/* ws_article.h -- turns one raw message (JSON or plain text) into article fields.
 *
 * JSON: an object; each field is looked up under the configured names in
 * order (defaults: id; url; source; title; date, published_at; body, text,
 * content).  Plain text: leading "key value" headers with known keys (date,
 * title, url, source, id) are read as fields, even on the body's own line; a
 * header value is one token.  Leading whitespace before the first header is
 * skipped.  Refinements that keep prose from being read as headers: a key is
 * lowercase, or any case followed by ':' ("Title: ..."); a value must look
 * like its field (a date has a digit, a url has "://", an id is a code, not
 * a word); a "quoted value" may have spaces, and so may a title on a header
 * line of its own (a line break right after it, a body below, and the title
 * starting its line or a blank line following; on the body's own line a
 * title is one token like any header).  The body is kept
 * byte-identical (trailing newline included), or converted from HTML when
 * html is on.  A missing id becomes a stable id derived from a content hash
 * ("h" + 16 hex digits of a 64-bit FNV-1a hash of title + body). */
#ifndef WS_ARTICLE_H
#define WS_ARTICLE_H
#include <stddef.h>
#include "../wirestream_processor.h"

/* Reasons are stable strings; they go into the DLQ "ws.error" header and
 * the metrics' dlq-by-reason counters. */
#define WS_REASON_INVALID_UTF8   "invalid_utf8"
#define WS_REASON_INVALID_JSON   "invalid_json"
#define WS_REASON_NOT_OBJECT     "not_an_object"
#define WS_REASON_EMPTY_BODY     "empty_body"
#define WS_REASON_TOO_LARGE      "too_large"
#define WS_REASON_TOO_DEEP       "too_deep"
#define WS_REASON_BAD_FIELD      "bad_field"
#define WS_REASON_PROCESSOR      "processor_error"
#define WS_REASON_TIMEOUT        "timeout"
#define WS_REASON_REGEX_LIMIT    "regex_limit"
#define WS_REASON_RECORD_TOO_LARGE "record_too_large"

typedef enum { WS_FORMAT_AUTO = 0, WS_FORMAT_JSON, WS_FORMAT_TEXT } ws_input_format_t;

typedef struct {
    ws_input_format_t format;       /* auto: JSON when the first non-space byte is '{' */
    int html;                       /* convert HTML bodies to text */
    size_t max_bytes;               /* 0 = unlimited */
    int max_json_depth;             /* 0 = unlimited */
    /* Field-name lists per field (NULL-terminated arrays of names). */
    const char *const *names[WS_FIELD__COUNT];
} ws_article_opts_t;

typedef struct {
    char *value[WS_FIELD__COUNT];   /* NUL-terminated copies, NULL when absent */
    size_t len[WS_FIELD__COUNT];
} ws_article_t;

/* Prototypes */
void ws_article_opts_default(ws_article_opts_t *o);
/* Returns 0, or -1 with *reason set to one of WS_REASON_* and a human
 * message in err.  On success the caller owns out (ws_article_clear). */
int ws_article_parse(const ws_article_opts_t *o, const char *buf, size_t len,
                     ws_article_t *out, const char **reason,
                     char *err, size_t errlen);
void ws_article_clear(ws_article_t *a);
/* 1 if p[0..n) is valid UTF-8. */
int ws_utf8_valid(const char *p, size_t n);

#endif
