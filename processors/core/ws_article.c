/* ws_article.c -- raw message -> article fields (JSON or plain text). */
#include "ws_article.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ws_buf.h"
#include "ws_html.h"
#include "ws_json.h"

static const char *const def_id[] = {"id", NULL};
static const char *const def_title[] = {"title", NULL};
static const char *const def_url[] = {"url", NULL};
static const char *const def_source[] = {"source", NULL};
static const char *const def_date[] = {"date", "published_at", NULL};
static const char *const def_body[] = {"body", "text", "content", NULL};

/* Header keys of the plain-text format, indexed by field. */
static const char *const text_keys[WS_FIELD__COUNT] = {"id", "title", "url", "source", "date", NULL};

void ws_article_opts_default(ws_article_opts_t *o) {
    memset(o, 0, sizeof *o);
    o->format = WS_FORMAT_AUTO;
    o->max_bytes = 4u << 20;
    o->max_json_depth = 64;
    o->names[WS_FIELD_ID] = def_id;
    o->names[WS_FIELD_TITLE] = def_title;
    o->names[WS_FIELD_URL] = def_url;
    o->names[WS_FIELD_SOURCE] = def_source;
    o->names[WS_FIELD_DATE] = def_date;
    o->names[WS_FIELD_BODY] = def_body;
}

void ws_article_clear(ws_article_t *a) {
    for (int i = 0; i < WS_FIELD__COUNT; i++) {
        free(a->value[i]);
        a->value[i] = NULL;
        a->len[i] = 0;
    }
}

/* UTF-8 validation (RFC 3629: no overlongs, no surrogates, <= U+10FFFF),
 * with an 8-byte ASCII fast path since most news text is ASCII. */
int ws_utf8_valid(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        if (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (!(w & 0x8080808080808080ull)) { p += 8; continue; }
        }
        unsigned char c = *p;
        if (c < 0x80) { p++; continue; }
        if (c >= 0xC2 && c <= 0xDF) {
            if (end - p < 2 || (p[1] & 0xC0) != 0x80) return 0;
            p += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (end - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
            if (c == 0xE0 && p[1] < 0xA0) return 0;      /* overlong */
            if (c == 0xED && p[1] > 0x9F) return 0;      /* surrogate */
            p += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (end - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
                (p[3] & 0xC0) != 0x80)
                return 0;
            if (c == 0xF0 && p[1] < 0x90) return 0;
            if (c == 0xF4 && p[1] > 0x8F) return 0;
            p += 4;
        } else {
            return 0;
        }
    }
    return 1;
}

static int set_field(ws_article_t *a, int f, const char *s, size_t n) {
    char *v = malloc(n + 1);
    if (!v) return -1;
    if (n) memcpy(v, s, n);
    v[n] = '\0';
    free(a->value[f]);
    a->value[f] = v;
    a->len[f] = n;
    return 0;
}

/* Moves b's bytes (malloc'd and NUL-terminated) into field f: the decoded
 * string is not copied once more.  b is left empty. */
static int take_field(ws_article_t *a, int f, ws_buf_t *b) {
    if (!b->cap) return set_field(a, f, b->data, b->len);
    free(a->value[f]);
    a->value[f] = b->data;
    a->len[f] = b->len;
    ws_buf_init(b);
    return 0;
}

static int is_blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '\f' &&
            s[i] != '\v')
            return 0;
    return 1;
}

/* ---------------------------------------------------------------- JSON */

typedef struct {
    const ws_article_opts_t *o;
    /* Per field: the winning member's value span, its kind and its name's
     * rank in the configured list (lower wins; equal rank: last wins). */
    const char *val[WS_FIELD__COUNT];
    size_t vlen[WS_FIELD__COUNT];
    ws_json_kind_t kind[WS_FIELD__COUNT];
    int rank[WS_FIELD__COUNT];
} json_ctx_t;

static void on_member(void *vctx, const char *key, size_t klen, ws_json_kind_t kind,
                      const char *val, size_t vlen) {
    json_ctx_t *c = vctx;
    for (int f = 0; f < WS_FIELD__COUNT; f++) {
        const char *const *names = c->o->names[f];
        if (!names) continue;
        for (int r = 0; names[r]; r++) {
            if (strlen(names[r]) != klen || memcmp(names[r], key, klen) != 0) continue;
            if (c->val[f] && c->rank[f] < r) break;
            c->val[f] = val;
            c->vlen[f] = vlen;
            c->kind[f] = kind;
            c->rank[f] = r;
            break;
        }
    }
}

static int parse_json(const ws_article_opts_t *o, const char *buf, size_t len, ws_article_t *out,
                      const char **reason, char *err, size_t errlen) {
    json_ctx_t c;
    memset(&c, 0, sizeof c);
    c.o = o;
    int rc = ws_json_scan_object(buf, len, o->max_json_depth, on_member, &c, err, errlen);
    if (rc == WS_JSON_ERR_DEPTH) { *reason = WS_REASON_TOO_DEEP; return -1; }
    if (rc == WS_JSON_ERR_NOT_OBJECT) { *reason = WS_REASON_NOT_OBJECT; return -1; }
    if (rc != WS_JSON_OK) { *reason = WS_REASON_INVALID_JSON; return -1; }

    ws_buf_t tmp;
    ws_buf_init(&tmp);
    for (int f = 0; f < WS_FIELD__COUNT; f++) {
        if (!c.val[f] || c.kind[f] == WS_JSON_NULL) continue;
        if (c.kind[f] == WS_JSON_STRING) {
            ws_buf_reset(&tmp);
            if (ws_json_decode_string(c.val[f], c.vlen[f], &tmp) < 0 || take_field(out, f, &tmp) < 0)
                goto oom;
        } else if (c.kind[f] == WS_JSON_NUMBER && f != WS_FIELD_BODY) {
            /* Numeric ids and epoch dates: keep the literal text exactly. */
            if (set_field(out, f, c.val[f], c.vlen[f]) < 0) goto oom;
        } else if (f == WS_FIELD_BODY || f == WS_FIELD_ID) {
            ws_buf_free(&tmp);
            *reason = WS_REASON_BAD_FIELD;
            snprintf(err, errlen, "field \"%s\" must be a %s", o->names[f][c.rank[f]],
                     f == WS_FIELD_BODY ? "string" : "string or number");
            return -1;
        }
        /* Other fields with structured values (e.g. a source object) carry
         * nothing we can pass through as text: they stay absent. */
    }
    ws_buf_free(&tmp);
    return 0;
oom:
    ws_buf_free(&tmp);
    *reason = WS_REASON_TOO_LARGE;
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* ---------------------------------------------------------------- text */

static int is_sp(char c) { return c == ' ' || c == '\t'; }
static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* A prose body may start with a word like "Source" or "Date": headers whose
 * value cannot be what the key promises are not headers. */
static int plausible_value(int f, const char *v, size_t n) {
    if (n == 0) return 0;
    if (f == WS_FIELD_DATE) {
        for (size_t i = 0; i < n; i++) if (v[i] >= '0' && v[i] <= '9') return 1;
        return 0;
    }
    if (f == WS_FIELD_ID) {
        /* Ids are codes ("story-9", "12345"), not words ("id cards ..."). */
        for (size_t i = 0; i < n; i++)
            if ((v[i] >= '0' && v[i] <= '9') || v[i] == '-' || v[i] == '_' || v[i] == '/' || v[i] == ':' ||
                v[i] == '.')
                return 1;
        return 0;
    }
    if (f == WS_FIELD_URL) {
        for (size_t i = 0; i + 2 < n; i++) if (v[i] == ':' && v[i + 1] == '/' && v[i + 2] == '/') return 1;
        return n > 4 && strncasecmp(v, "www.", 4) == 0;
    }
    return 1;
}

/* The first '\n' or '\r' at or after p, or end. */
static const char *line_end(const char *p, const char *end) {
    while (p < end && *p != '\n' && *p != '\r') p++;
    return p;
}

/* 1 if only spaces or tabs stand between the start of its line and k. */
static int starts_line(const char *buf, const char *k) {
    while (k > buf && is_sp(k[-1])) k--;
    return k == buf || k[-1] == '\n' || k[-1] == '\r';
}

/* A title whose key is at k runs to the end of its line (eol) only when the
 * line is a header line of its own: a line break comes right after it, a body follows,
 * and the title starts its line or a blank line follows.  Otherwise the line
 * is the body's own line, where a header value is one token (issue 2 §3):
 * " date 2025-10-30 title Talks Officials said ..." keeps "Officials ..."
 * as body. */
static int title_owns_line(const char *buf, const char *k, const char *eol, const char *end) {
    if (eol >= end) return 0;                               /* last line: no body after */
    const char *n = eol + (eol + 1 < end && eol[0] == '\r' && eol[1] == '\n' ? 2 : 1);
    if (is_blank(n, (size_t)(end - n))) return 0;
    if (starts_line(buf, k)) return 1;
    while (n < end && is_sp(*n)) n++;
    return n < end && (*n == '\n' || *n == '\r');              /* a blank line follows */
}

/* Leading "key value" headers.  Each known key is read at most once; a key
 * must be followed on the same line by a value.  The value is one token,
 * except a quoted value ("...") and a title on a header line of its own
 * (title_owns_line), which runs to the end of the line because titles have
 * spaces.  Whitespace after the last header is skipped; the body is
 * everything after it, byte for byte. */
static int parse_text(const char *buf, size_t len, ws_article_t *out) {
    const char *p = buf, *end = buf + len;
    const char *body = buf;
    int seen[WS_FIELD__COUNT] = {0};
    const char *q = p;
    while (q < end && is_ws(*q)) q++;
    for (;;) {
        const char *k = q;
        while (q < end && !is_ws(*q) && *q != ':') q++;
        size_t kl = (size_t)(q - k);
        int colon = q < end && *q == ':';
        if (colon) q++;
        /* "date 2025-01-02" or "Date: 2025-01-02", but not "Source close
         * to the talks said": a capitalised key needs its colon. */
        int f = -1;
        for (int i = 0; i < WS_FIELD__COUNT; i++)
            if (text_keys[i] && strlen(text_keys[i]) == kl &&
                (colon ? strncasecmp(text_keys[i], k, kl) : strncmp(text_keys[i], k, kl)) == 0)
                f = i;
        if (f < 0 || seen[f] || q >= end || !is_sp(*q)) break;
        while (q < end && is_sp(*q)) q++;
        if (q >= end || *q == '\n' || *q == '\r') break;
        const char *v = q, *ve;
        if (*q == '"') {
            const char *cl = q + 1;
            while (cl < end && *cl != '"' && *cl != '\n') cl++;
            if (cl >= end || *cl != '"') break;
            v = q + 1;
            ve = cl;
            q = cl + 1;
        } else if (f == WS_FIELD_TITLE && title_owns_line(buf, k, line_end(q, end), end)) {
            q = line_end(q, end);
            ve = q;
            while (ve > v && is_sp(ve[-1])) ve--;
        } else {
            while (q < end && !is_ws(*q)) q++;
            ve = q;
        }
        if (!plausible_value(f, v, (size_t)(ve - v))) break;
        if (set_field(out, f, v, (size_t)(ve - v)) < 0) return -1;
        seen[f] = 1;
        while (q < end && is_ws(*q)) q++;
        body = q;
    }
    return set_field(out, WS_FIELD_BODY, body, (size_t)(end - body));
}

/* ---------------------------------------------------------------- common */

/* FNV-1a 64: stable across platforms and releases, which is what an id needs. */
static uint64_t fnv1a(uint64_t h, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

int ws_article_parse(const ws_article_opts_t *o, const char *buf, size_t len,
                     ws_article_t *out, const char **reason, char *err, size_t errlen) {
    static const char *unknown = WS_REASON_INVALID_JSON;
    const char *dummy;
    if (!reason) reason = &dummy;
    *reason = unknown;
    if (err && errlen) err[0] = '\0';
    memset(out, 0, sizeof *out);
    if (!buf) { buf = ""; len = 0; }
    if (o->max_bytes && len > o->max_bytes) {
        *reason = WS_REASON_TOO_LARGE;
        snprintf(err, errlen, "message is %zu bytes, limit is %zu", len, o->max_bytes);
        return -1;
    }
    if (!ws_utf8_valid(buf, len)) {
        *reason = WS_REASON_INVALID_UTF8;
        snprintf(err, errlen, "message is not valid UTF-8");
        return -1;
    }
    /* A UTF-8 byte order mark is an encoding artefact, not content. */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        buf += 3;
        len -= 3;
    }
    const char *p = buf;
    while (p < buf + len && is_ws(*p)) p++;
    int json = o->format == WS_FORMAT_JSON ||
               (o->format == WS_FORMAT_AUTO && p < buf + len && *p == '{');
    /* Auto mode: a message that is valid JSON but not an object (an array,
     * a string, a number) is a producer mistake, not a plain-text article. */
    if (!json && o->format == WS_FORMAT_AUTO && p < buf + len &&
        ws_json_scan_object(buf, len, o->max_json_depth, NULL, NULL, NULL, 0) == WS_JSON_ERR_NOT_OBJECT) {
        *reason = WS_REASON_NOT_OBJECT;
        snprintf(err, errlen, "top-level JSON value is not an object");
        return -1;
    }
    int rc = json ? parse_json(o, buf, len, out, reason, err, errlen) : parse_text(buf, len, out);
    if (rc < 0) {
        if (!json) {
            *reason = WS_REASON_TOO_LARGE;
            snprintf(err, errlen, "out of memory");
        }
        ws_article_clear(out);
        return -1;
    }

    int kind = o->html && out->value[WS_FIELD_BODY]
                   ? ws_html_detect(out->value[WS_FIELD_BODY], out->len[WS_FIELD_BODY]) : 0;
    if (kind) {
        /* Markup is converted; a body with only character references keeps
         * its own line breaks. */
        ws_buf_t t;
        ws_buf_init(&t);
        int rc = kind == 2 ? ws_html_to_text(out->value[WS_FIELD_BODY], out->len[WS_FIELD_BODY], &t)
                           : ws_html_decode_refs(out->value[WS_FIELD_BODY], out->len[WS_FIELD_BODY], &t);
        if (rc < 0 ||
            set_field(out, WS_FIELD_BODY, t.data, t.len) < 0) {
            ws_buf_free(&t);
            ws_article_clear(out);
            *reason = WS_REASON_TOO_LARGE;
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        ws_buf_free(&t);
    }

    if (!out->value[WS_FIELD_BODY] || is_blank(out->value[WS_FIELD_BODY], out->len[WS_FIELD_BODY])) {
        *reason = WS_REASON_EMPTY_BODY;
        snprintf(err, errlen, "%s", out->value[WS_FIELD_BODY] ? "body is empty" : "no body field");
        ws_article_clear(out);
        return -1;
    }

    if (!out->value[WS_FIELD_ID] || out->len[WS_FIELD_ID] == 0) {
        uint64_t h = 0xcbf29ce484222325ull;
        if (out->value[WS_FIELD_TITLE]) h = fnv1a(h, out->value[WS_FIELD_TITLE], out->len[WS_FIELD_TITLE]);
        h = fnv1a(h, "\xff", 1);   /* separator: title "ab"+body "c" != title "a"+body "bc" */
        h = fnv1a(h, out->value[WS_FIELD_BODY], out->len[WS_FIELD_BODY]);
        char id[24];
        int n = snprintf(id, sizeof id, "h%016llx", (unsigned long long)h);
        if (set_field(out, WS_FIELD_ID, id, (size_t)n) < 0) {
            ws_article_clear(out);
            *reason = WS_REASON_TOO_LARGE;
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    return 0;
}
