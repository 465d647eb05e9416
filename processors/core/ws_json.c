/* ws_json.c -- strict JSON validation and top-level member extraction. */
#include "ws_json.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *p, *end, *start;
    int max_depth;
    int code;
    char *err;
    size_t errlen;
    ws_buf_t key;
} reader_t;

static int fail(reader_t *r, int code, const char *what) {
    if (r->code == WS_JSON_OK) {
        r->code = code;
        if (r->err && r->errlen)
            snprintf(r->err, r->errlen, "%s at byte %zu", what, (size_t)(r->p - r->start));
    }
    return -1;
}

static void skip_ws(reader_t *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
        r->p++;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int read_hex4(const char *p, const char *end, unsigned *out) {
    if (end - p < 4) return -1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0) return -1;
        v = v * 16 + (unsigned)h;
    }
    *out = v;
    return 0;
}

/* Validates a string literal starting at '"'; leaves p after the closing quote. */
static int read_string(reader_t *r) {
    r->p++;
    while (r->p < r->end) {
        while (r->end - r->p >= 8 && !ws_json_special8(r->p)) r->p += 8;
        if (r->p >= r->end) break;
        unsigned char c = (unsigned char)*r->p;
        if (c == '"') { r->p++; return 0; }
        if (c < 0x20) return fail(r, WS_JSON_ERR_SYNTAX, "control character in string");
        if (c != '\\') { r->p++; continue; }
        if (r->end - r->p < 2) break;
        char e = r->p[1];
        if (e == 'u') {
            unsigned u;
            if (read_hex4(r->p + 2, r->end, &u) < 0) return fail(r, WS_JSON_ERR_SYNTAX, "bad \\u escape");
            r->p += 6;
            if (u >= 0xDC00 && u <= 0xDFFF) return fail(r, WS_JSON_ERR_SYNTAX, "lone low surrogate");
            if (u >= 0xD800 && u <= 0xDBFF) {
                unsigned lo;
                if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' ||
                    read_hex4(r->p + 2, r->end, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
                    return fail(r, WS_JSON_ERR_SYNTAX, "lone high surrogate");
                r->p += 6;
            }
            continue;
        }
        if (!strchr("\"\\/bfnrt", e) || e == '\0') return fail(r, WS_JSON_ERR_SYNTAX, "bad escape");
        r->p += 2;
    }
    return fail(r, WS_JSON_ERR_SYNTAX, "unterminated string");
}

static int read_number(reader_t *r) {
    const char *p = r->p;
    if (p < r->end && *p == '-') p++;
    if (p >= r->end) return fail(r, WS_JSON_ERR_SYNTAX, "bad number");
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (p < r->end && *p >= '0' && *p <= '9') p++;
    else return fail(r, WS_JSON_ERR_SYNTAX, "bad number");
    if (p < r->end && *p == '.') {
        p++;
        if (p >= r->end || *p < '0' || *p > '9') return fail(r, WS_JSON_ERR_SYNTAX, "bad number");
        while (p < r->end && *p >= '0' && *p <= '9') p++;
    }
    if (p < r->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < r->end && (*p == '+' || *p == '-')) p++;
        if (p >= r->end || *p < '0' || *p > '9') return fail(r, WS_JSON_ERR_SYNTAX, "bad number");
        while (p < r->end && *p >= '0' && *p <= '9') p++;
    }
    r->p = p;
    return 0;
}

static int read_lit(reader_t *r, const char *lit) {
    size_t n = strlen(lit);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, lit, n) != 0)
        return fail(r, WS_JSON_ERR_SYNTAX, "unexpected character");
    r->p += n;
    return 0;
}

static int read_value(reader_t *r, int depth, ws_json_kind_t *kind);

/* Reads an object or array whose opening bracket is at p.  depth is the
 * depth of the container itself (root = 1). */
static int read_container(reader_t *r, int depth, int is_obj, ws_json_member_fn fn, void *ctx) {
    if (depth > r->max_depth) return fail(r, WS_JSON_ERR_DEPTH, "nesting too deep");
    char close = is_obj ? '}' : ']';
    r->p++;
    skip_ws(r);
    if (r->p < r->end && *r->p == close) { r->p++; return 0; }
    for (;;) {
        const char *kstart = NULL, *kend = NULL;
        if (is_obj) {
            skip_ws(r);
            if (r->p >= r->end || *r->p != '"') return fail(r, WS_JSON_ERR_SYNTAX, "expected key");
            kstart = r->p;
            if (read_string(r) < 0) return -1;
            kend = r->p;
            skip_ws(r);
            if (r->p >= r->end || *r->p != ':') return fail(r, WS_JSON_ERR_SYNTAX, "expected ':'");
            r->p++;
        }
        skip_ws(r);
        const char *vstart = r->p;
        ws_json_kind_t kind;
        if (read_value(r, depth + 1, &kind) < 0) return -1;
        if (fn && is_obj && depth == 1) {
            ws_buf_reset(&r->key);
            if (ws_json_decode_string(kstart, (size_t)(kend - kstart), &r->key) < 0)
                return fail(r, WS_JSON_ERR_SYNTAX, "out of memory");
            fn(ctx, r->key.data, r->key.len, kind, vstart, (size_t)(r->p - vstart));
        }
        skip_ws(r);
        if (r->p >= r->end) return fail(r, WS_JSON_ERR_SYNTAX, "unexpected end");
        if (*r->p == ',') { r->p++; continue; }
        if (*r->p == close) { r->p++; return 0; }
        return fail(r, WS_JSON_ERR_SYNTAX, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int read_value(reader_t *r, int depth, ws_json_kind_t *kind) {
    skip_ws(r);
    if (r->p >= r->end) return fail(r, WS_JSON_ERR_SYNTAX, "unexpected end");
    switch (*r->p) {
    case '{': *kind = WS_JSON_OBJECT; return read_container(r, depth, 1, NULL, NULL);
    case '[': *kind = WS_JSON_ARRAY; return read_container(r, depth, 0, NULL, NULL);
    case '"': *kind = WS_JSON_STRING; return read_string(r);
    case 't': *kind = WS_JSON_TRUE; return read_lit(r, "true");
    case 'f': *kind = WS_JSON_FALSE; return read_lit(r, "false");
    case 'n': *kind = WS_JSON_NULL; return read_lit(r, "null");
    default:
        *kind = WS_JSON_NUMBER;
        return read_number(r);
    }
}

int ws_json_scan_object(const char *p, size_t n, int max_depth, ws_json_member_fn fn,
                        void *ctx, char *err, size_t errlen) {
    reader_t r = {.p = p, .end = p + n, .start = p, .err = err, .errlen = errlen};
    r.max_depth = (max_depth <= 0 || max_depth > WS_JSON_MAX_DEPTH_CAP) ? WS_JSON_MAX_DEPTH_CAP
                                                                        : max_depth;
    ws_buf_init(&r.key);
    skip_ws(&r);
    int rc;
    if (r.p < r.end && *r.p == '{') {
        rc = read_container(&r, 1, 1, fn, ctx);
    } else {
        ws_json_kind_t kind;
        rc = read_value(&r, 1, &kind);
        if (rc == 0) {
            skip_ws(&r);
            if (r.p != r.end) rc = fail(&r, WS_JSON_ERR_SYNTAX, "trailing data");
            else {
                ws_buf_free(&r.key);
                if (err && errlen) snprintf(err, errlen, "top-level JSON value is not an object");
                return WS_JSON_ERR_NOT_OBJECT;
            }
        }
    }
    if (rc == 0) {
        skip_ws(&r);
        if (r.p != r.end) fail(&r, WS_JSON_ERR_SYNTAX, "trailing data after object");
    }
    ws_buf_free(&r.key);
    return r.code;
}

int ws_json_decode_string(const char *raw, size_t rawlen, ws_buf_t *out) {
    if (rawlen < 2) return -1;
    const char *p = raw + 1, *end = raw + rawlen - 1;
    if (ws_buf_reserve(out, rawlen) < 0) return -1;
    while (p < end) {
        const char *s = p;
        p = memchr(p, '\\', (size_t)(end - p));
        if (!p) p = end;
        if (p > s && ws_buf_append(out, s, (size_t)(p - s)) < 0) return -1;
        if (p >= end) break;
        char e = p[1];
        char c;
        switch (e) {
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        case 'u': {
            unsigned u = 0, lo = 0;
            if (read_hex4(p + 2, end, &u) < 0) return -1;
            p += 6;
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (end - p < 6 || read_hex4(p + 2, end, &lo) < 0) return -1;
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
            if (ws_buf_append_utf8(out, u) < 0) return -1;
            continue;
        }
        default: c = e; break;   /* \" \\ \/ */
        }
        if (ws_buf_appendc(out, c) < 0) return -1;
        p += 2;
    }
    return 0;
}
