/* ws_buf.c -- a growable byte buffer, and the encoders the decoders and
 * renderers share: JSON strings, UTF-8 code points, decimal integers. */
#include "ws_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static char ws_buf_empty[1] = {0};

void ws_buf_init(ws_buf_t *b) {
    b->data = ws_buf_empty;
    b->len = 0;
    b->cap = 0;
}

void ws_buf_free(ws_buf_t *b) {
    if (b->cap) free(b->data);
    ws_buf_init(b);
}

void ws_buf_reset(ws_buf_t *b) {
    b->len = 0;
    if (b->cap) b->data[0] = '\0';
}

int ws_buf_reserve(ws_buf_t *b, size_t extra) {
    if (extra > (size_t)-1 / 2 - b->len) return -1;
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    char *p = b->cap ? realloc(b->data, cap) : malloc(cap);
    if (!p) return -1;
    if (!b->cap) p[0] = '\0';
    b->data = p;
    b->cap = cap;
    return 0;
}

int ws_buf_append(ws_buf_t *b, const void *p, size_t n) {
    if (ws_buf_reserve(b, n) < 0) return -1;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int ws_buf_appends(ws_buf_t *b, const char *s) {
    return ws_buf_append(b, s, strlen(s));
}

int ws_buf_appendc(ws_buf_t *b, char c) {
    if (b->len + 1 >= b->cap && ws_buf_reserve(b, 1) < 0) return -1;
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
    return 0;
}

int ws_buf_printf(ws_buf_t *b, const char *fmt, ...) {
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return -1;
    if ((size_t)n < sizeof small) return ws_buf_append(b, small, (size_t)n);
    if (ws_buf_reserve(b, (size_t)n) < 0) return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int ws_buf_append_utf8(ws_buf_t *b, unsigned cp) {
    char t[4];
    size_t n;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    if (cp < 0x80) { t[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { t[0] = (char)(0xC0 | (cp >> 6)); t[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12)); t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        t[0] = (char)(0xF0 | (cp >> 18)); t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); t[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    return ws_buf_append(b, t, n);
}

int ws_buf_append_int(ws_buf_t *b, int64_t n) {
    char tmp[24];
    char *p = tmp + sizeof tmp;
    uint64_t u = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
    do { *--p = (char)('0' + u % 10); u /= 10; } while (u);
    if (n < 0) *--p = '-';
    return ws_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* Bytes that need escaping inside a JSON string: controls, quote, backslash.
 * Everything else (including UTF-8 multi-byte sequences) is copied in runs. */
static int needs_escape(unsigned char c) {
    return c < 0x20 || c == '"' || c == '\\';
}

/* Index of the first byte at or after i that needs escaping, or n.  Bodies
 * are long runs of plain text: 16 bytes a step with SSE2, then words. */
static inline size_t plain_run(const char *s, size_t i, size_t n) {
#ifdef __SSE2__
    const __m128i lim = _mm_set1_epi8(0x1F), q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i sp = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, lim), v),
                                  _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)));
        unsigned m = (unsigned)_mm_movemask_epi8(sp);
        if (m) return i + (unsigned)__builtin_ctz(m);
        i += 16;
    }
#endif
    while (i + 8 <= n && !ws_json_special8(s + i)) i += 8;
    while (i < n && !needs_escape((unsigned char)s[i])) i++;
    return i;
}

/* Writes straight into the buffer: room for the whole string plus some
 * slack for escapes is made once, and more only if escapes use it up. */
#define ESC_SLACK 64

int ws_buf_append_json_string(ws_buf_t *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    if (n > (size_t)-1 / 4 || ws_buf_reserve(b, n + 2 + ESC_SLACK) < 0) return -1;
    size_t len0 = b->len;
    char *d = b->data + b->len;
    /* Bytes free beyond what the rest of the input and the closing quote
     * need if copied as they are. */
    size_t slack = b->cap - 1 - b->len - (n + 2);
    *d++ = '"';
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        i = plain_run(s, i, n);
        if (i > start) {
            memcpy(d, s + start, i - start);
            d += i - start;
        }
        if (i >= n) break;
        unsigned char c = (unsigned char)s[i];
        if (slack < 5) {   /* an escape is up to 6 bytes for 1 */
            size_t at = (size_t)(d - b->data);
            b->len = at;
            if (ws_buf_reserve(b, (n - i) + 1 + 5 + ESC_SLACK) < 0) {
                b->len = len0;   /* as it was */
                b->data[len0] = '\0';
                return -1;
            }
            d = b->data + at;
            slack = b->cap - 1 - at - ((n - i) + 1);
        }
        i++;
        d[0] = '\\';
        switch (c) {
        case '"': d[1] = '"'; break;
        case '\\': d[1] = '\\'; break;
        case '\n': d[1] = 'n'; break;
        case '\r': d[1] = 'r'; break;
        case '\t': d[1] = 't'; break;
        case '\b': d[1] = 'b'; break;
        case '\f': d[1] = 'f'; break;
        default:
            d[1] = 'u'; d[2] = '0'; d[3] = '0';
            d[4] = hex[c >> 4]; d[5] = hex[c & 15];
            d += 6;
            slack -= 5;
            continue;
        }
        d += 2;
        slack -= 1;
    }
    *d++ = '"';
    b->len = (size_t)(d - b->data);
    b->data[b->len] = '\0';
    return 0;
}
