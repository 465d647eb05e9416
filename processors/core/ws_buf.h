/* ws_buf.h -- a growable byte buffer (always NUL-terminated after len). */
#ifndef WS_BUF_H
#define WS_BUF_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    char *data;
    size_t len;
    size_t cap;
} ws_buf_t;

/* Prototypes.  All appends return 0, or -1 on allocation failure (the
 * buffer is left as it was). */
void ws_buf_init(ws_buf_t *b);
void ws_buf_free(ws_buf_t *b);
void ws_buf_reset(ws_buf_t *b);                 /* len = 0, keeps memory */
int ws_buf_reserve(ws_buf_t *b, size_t extra);
int ws_buf_append(ws_buf_t *b, const void *p, size_t n);
int ws_buf_appends(ws_buf_t *b, const char *s);
int ws_buf_appendc(ws_buf_t *b, char c);
int ws_buf_printf(ws_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal, quotes included.  Invalid UTF-8 is
 * never produced: callers pass validated text. */
int ws_buf_append_json_string(ws_buf_t *b, const char *s, size_t n);
/* Append code point cp as UTF-8; a surrogate or a value above U+10FFFF,
 * which have no UTF-8 form, becomes U+FFFD. */
int ws_buf_append_utf8(ws_buf_t *b, unsigned cp);
/* Append n in decimal (no printf: renderers call it per value). */
int ws_buf_append_int(ws_buf_t *b, int64_t n);

/* 1 if any of the 8 bytes at p needs escaping in a JSON string (a control
 * byte, '"' or '\\').  Word-at-a-time scanning for the string fast paths. */
static inline int ws_json_special8(const char *p) {
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t w, q, b;
    memcpy(&w, p, 8);
    q = w ^ (ones * 0x22);
    b = w ^ (ones * 0x5C);
    return (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs ? 1 : 0;
}

#endif
