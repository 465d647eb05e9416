/* ws_html.c -- a forgiving HTML-to-text converter for article bodies.
 *
 * Not an HTML parser: it walks the bytes once, treats anything between '<'
 * and the matching '>' (quotes respected) as a tag, and only cares about the
 * tag names that change the text layout. */
#include "ws_html.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct { const char *name; unsigned cp; } entity_t;

/* Character references from the HTML standard that news markup uses; any
 * other name is kept literally. */
static const entity_t entities[] = {
    {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
    {"nbsp", 0xA0}, {"ensp", 0x2002}, {"emsp", 0x2003}, {"thinsp", 0x2009},
    {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"lsquo", 0x2018}, {"rsquo", 0x2019},
    {"sbquo", 0x201A}, {"bdquo", 0x201E}, {"laquo", 0xAB}, {"raquo", 0xBB},
    {"lsaquo", 0x2039}, {"rsaquo", 0x203A}, {"prime", 0x2032}, {"Prime", 0x2033},
    {"mdash", 0x2014}, {"ndash", 0x2013}, {"hellip", 0x2026}, {"bull", 0x2022},
    {"middot", 0xB7}, {"copy", 0xA9}, {"reg", 0xAE}, {"trade", 0x2122},
    {"euro", 0x20AC}, {"pound", 0xA3}, {"yen", 0xA5}, {"cent", 0xA2}, {"deg", 0xB0},
    {"sect", 0xA7}, {"para", 0xB6}, {"plusmn", 0xB1}, {"times", 0xD7}, {"divide", 0xF7},
    {"frac12", 0xBD}, {"frac14", 0xBC}, {"frac34", 0xBE}, {"shy", 0xAD},
    {"iexcl", 0xA1}, {"iquest", 0xBF}, {"szlig", 0xDF},
    {"Agrave", 0xC0}, {"Aacute", 0xC1}, {"Acirc", 0xC2}, {"Atilde", 0xC3}, {"Auml", 0xC4},
    {"Aring", 0xC5}, {"AElig", 0xC6}, {"Ccedil", 0xC7}, {"Egrave", 0xC8}, {"Eacute", 0xC9},
    {"Ecirc", 0xCA}, {"Euml", 0xCB}, {"Igrave", 0xCC}, {"Iacute", 0xCD}, {"Icirc", 0xCE},
    {"Iuml", 0xCF}, {"Ntilde", 0xD1}, {"Ograve", 0xD2}, {"Oacute", 0xD3}, {"Ocirc", 0xD4},
    {"Otilde", 0xD5}, {"Ouml", 0xD6}, {"Oslash", 0xD8}, {"Ugrave", 0xD9}, {"Uacute", 0xDA},
    {"Ucirc", 0xDB}, {"Uuml", 0xDC}, {"Yacute", 0xDD},
    {"agrave", 0xE0}, {"aacute", 0xE1}, {"acirc", 0xE2}, {"atilde", 0xE3}, {"auml", 0xE4},
    {"aring", 0xE5}, {"aelig", 0xE6}, {"ccedil", 0xE7}, {"egrave", 0xE8}, {"eacute", 0xE9},
    {"ecirc", 0xEA}, {"euml", 0xEB}, {"igrave", 0xEC}, {"iacute", 0xED}, {"icirc", 0xEE},
    {"iuml", 0xEF}, {"ntilde", 0xF1}, {"ograve", 0xF2}, {"oacute", 0xF3}, {"ocirc", 0xF4},
    {"otilde", 0xF5}, {"ouml", 0xF6}, {"oslash", 0xF8}, {"ugrave", 0xF9}, {"uacute", 0xFA},
    {"ucirc", 0xFB}, {"uuml", 0xFC}, {"yacute", 0xFD}, {"yuml", 0xFF},
    {NULL, 0}
};

/* Elements whose boundaries are paragraph breaks. */
static const char *const block_tags[] = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article",
    "header", "footer", "ul", "ol", "table", "pre", "figure", "figcaption", "hr", "aside",
    "main", "nav", "dl", "form", "address", NULL
};
/* Elements whose boundaries are line breaks. */
static const char *const line_tags[] = {"br", "li", "tr", "dt", "dd", "caption", NULL};
/* Elements whose content is not text. */
static const char *const skip_tags[] = {"script", "style", "noscript", "template", "head", NULL};

static int in_list(const char *const *list, const char *name, size_t n) {
    for (; *list; list++)
        if (strlen(*list) == n && strncasecmp(*list, name, n) == 0) return 1;
    return 0;
}

static size_t decode_ref(const char *s, const char *end, unsigned *cp);

int ws_html_detect(const char *s, size_t n) {
    const char *end = s + n;
    int refs = 0;
    for (const char *p = s; p < end; p++) {
        if (*p == '<' && p + 1 < end) {
            char c = p[1];
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '!') return 2;
        } else if (*p == '&' && !refs) {
            unsigned cp;
            if (decode_ref(p, end, &cp)) refs = 1;
        }
    }
    return refs;
}

typedef struct {
    ws_buf_t *out;
    size_t base;        /* out->len when we started */
    int pending_space;
    int pending_break;  /* 0, 1 (newline) or 2 (paragraph) */
    int fail;
} emitter_t;

static void emit_raw(emitter_t *e, const char *s, size_t n) {
    if (ws_buf_append(e->out, s, n) < 0) e->fail = 1;
}

/* Flush pending whitespace before a visible character. */
static void before_text(emitter_t *e) {
    int started = e->out->len > e->base;
    if (started && e->pending_break) emit_raw(e, e->pending_break == 2 ? "\n\n" : "\n",
                                               (size_t)e->pending_break);
    else if (started && e->pending_space) emit_raw(e, " ", 1);
    e->pending_break = 0;
    e->pending_space = 0;
}

static void emit_cp(emitter_t *e, unsigned cp) {
    if (cp == 0xA0 || cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') {
        e->pending_space = 1;
        return;
    }
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    if (cp < 0x20) return;   /* other controls carry no text */
    before_text(e);
    if (ws_buf_append_utf8(e->out, cp) < 0) e->fail = 1;
}

/* Decodes a character reference at s ('&'); returns bytes consumed, 0 if none.
 * Numeric references may omit the ';' (browsers accept that); named ones
 * need it, so "AT&T" stays as it is. */
static size_t decode_ref(const char *s, const char *end, unsigned *cp) {
    const char *p = s + 1;
    if (p < end && *p == '#') {
        p++;
        int hex = p < end && (*p == 'x' || *p == 'X');
        if (hex) p++;
        unsigned long v = 0;
        const char *d = p;
        while (p < end && p - d < 8) {
            char c = *p;
            int dv = c >= '0' && c <= '9' ? c - '0'
                   : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                   : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (dv < 0) break;
            v = v * (hex ? 16 : 10) + (unsigned)dv;
            p++;
        }
        if (p == d) return 0;
        if (p < end && *p == ';') p++;
        *cp = v > 0x10FFFF ? 0xFFFD : (unsigned)v;
        /* Windows-1252 numeric references that web pages misuse for quotes. */
        if (*cp == 0x91) *cp = 0x2018; else if (*cp == 0x92) *cp = 0x2019;
        else if (*cp == 0x93) *cp = 0x201C; else if (*cp == 0x94) *cp = 0x201D;
        else if (*cp == 0x96) *cp = 0x2013; else if (*cp == 0x97) *cp = 0x2014;
        return (size_t)(p - s);
    }
    const char *n = p;
    while (p < end && p - n < 10 && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                                     (*p >= '0' && *p <= '9')))
        p++;
    if (p == n || p >= end || *p != ';') return 0;
    for (const entity_t *en = entities; en->name; en++) {
        if (strlen(en->name) == (size_t)(p - n) && memcmp(en->name, n, (size_t)(p - n)) == 0) {
            *cp = en->cp;
            return (size_t)(p + 1 - s);
        }
    }
    return 0;
}

/* Finds the '>' ending a tag, skipping quoted attribute values. */
static const char *tag_end(const char *p, const char *end) {
    char q = 0;
    for (; p < end; p++) {
        if (q) { if (*p == q) q = 0; }
        else if (*p == '"' || *p == '\'') q = *p;
        else if (*p == '>') return p;
    }
    return NULL;
}

static const char *find_ci(const char *p, const char *end, const char *needle) {
    size_t n = strlen(needle);
    for (; p + n <= end; p++)
        if (strncasecmp(p, needle, n) == 0) return p;
    return NULL;
}

int ws_html_to_text(const char *s, size_t n, ws_buf_t *out) {
    emitter_t e = {.out = out, .base = out->len};
    const char *p = s, *end = s + n;
    int no_more_tags = 0;   /* a '<' without its '>': the rest is text */
    while (p < end && !e.fail) {
        unsigned char c = (unsigned char)*p;
        if (c == '<' && !no_more_tags) {
            if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
                const char *q = find_ci(p + 4, end, "-->");
                p = q ? q + 3 : end;
                continue;
            }
            const char *q = p + 1;
            int closing = q < end && *q == '/';
            if (closing) q++;
            const char *name = q;
            /* A tag name starts with a letter: "2 <3" is text. */
            if (q < end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
                while (q < end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                                   (*q >= '0' && *q <= '9')))
                    q++;
            size_t nl = (size_t)(q - name);
            int is_tag = nl > 0 || (!closing && q < end && (*q == '!' || *q == '?'));
            if (!is_tag) {           /* a bare '<' in text */
                before_text(&e);
                emit_raw(&e, "<", 1);
                p++;
                continue;
            }
            const char *gt = tag_end(q, end);
            if (!gt) {
                /* Keep the text; never rescan it (that would be quadratic). */
                no_more_tags = 1;
                before_text(&e);
                emit_raw(&e, "<", 1);
                p++;
                continue;
            }
            p = gt + 1;
            if (nl == 0) continue;   /* <!doctype>, <?xml?> */
            if (!closing && in_list(skip_tags, name, nl)) {
                char close[16] = "</";
                memcpy(close + 2, name, nl < 12 ? nl : 12);
                close[2 + (nl < 12 ? nl : 12)] = '\0';
                const char *cl = find_ci(p, end, close);
                const char *cg = cl ? tag_end(cl, end) : NULL;
                p = cg ? cg + 1 : end;
                continue;
            }
            if (in_list(block_tags, name, nl)) e.pending_break = 2;
            else if (in_list(line_tags, name, nl)) { if (e.pending_break < 1) e.pending_break = 1; }
            continue;
        }
        if (c == '&') {
            unsigned cp;
            size_t used = decode_ref(p, end, &cp);
            if (used) { emit_cp(&e, cp); p += used; continue; }
            before_text(&e);
            emit_raw(&e, "&", 1);
            p++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            e.pending_space = 1;
            p++;
            continue;
        }
        /* A run of ordinary bytes (UTF-8 sequences included) goes out as is. */
        const char *r = p + 1;   /* p is a visible byte (or a '<' once tags are off) */
        while (r < end && *r != '<' && *r != '&' && *r != ' ' && *r != '\t' && *r != '\n' &&
               *r != '\r' && *r != '\f')
            r++;
        before_text(&e);
        emit_raw(&e, p, (size_t)(r - p));
        p = r;
    }
    return e.fail ? -1 : 0;
}

int ws_html_decode_refs(const char *s, size_t n, ws_buf_t *out) {
    const char *p = s, *end = s + n;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        if (!amp) return ws_buf_append(out, p, (size_t)(end - p));
        if (ws_buf_append(out, p, (size_t)(amp - p)) < 0) return -1;
        unsigned cp;
        size_t used = decode_ref(amp, end, &cp);
        if (!used) {
            if (ws_buf_appendc(out, '&') < 0) return -1;
            p = amp + 1;
            continue;
        }
        if (ws_buf_append_utf8(out, cp ? cp : 0xFFFD) < 0) return -1;   /* a NUL is no text */
        p = amp + used;
    }
    return 0;
}
