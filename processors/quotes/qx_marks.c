/* qx_marks.c -- finds quoted spans by pairing quote marks.
 *
 * Marks are paired paragraph by paragraph (a paragraph is a line).  Curly
 * marks, guillemets and low-high marks say which side they open; straight
 * marks are read from their neighbours (space before and a word after opens,
 * a word before and space or punctuation after closes) and otherwise
 * alternate.  A paragraph that ends inside a quote continues into the next
 * one when that opens with a mark: one quote, one span per paragraph.
 * Articles without any double marks are scanned again with single marks as
 * the primary ones (British style), telling apostrophes apart. */
#include "qx.h"
#include "qx_scan.h"

#include <stdlib.h>
#include <string.h>

enum { M_NONE = 0, M_OPEN, M_CLOSE, M_AMBIG };
enum { F_DOUBLE = 1, F_GUILL, F_LOW, F_SINGLE };

/* Bytes that can start a mark: 1 in double-mark mode, 2 in single. */
static const unsigned char mark_lead[256] = {['"'] = 1, ['\''] = 2, [0xC2] = 1, [0xE2] = 3};

typedef struct {
    int kind;     /* M_OPEN, M_CLOSE, M_AMBIG */
    int family;
    size_t len;   /* bytes of the mark */
} mark_t;

int qx_quotes_push(qx_quotes_t *qs, const qx_quote_t *q)
{
    if (qs->n >= (qs->limit ? qs->limit : QX_RAW_LIMIT)) {
        qs->truncated = 1;
        return 0;
    }
    if (qs->n == qs->cap) {
        size_t nc = qs->cap ? qs->cap * 2 : 16;
        qx_quote_t *nq = realloc(qs->q, nc * sizeof(*nq));
        if (!nq) return -1;
        qs->q = nq;
        qs->cap = nc;
    }
    qs->q[qs->n++] = *q;
    return 0;
}

/* qx_is_space_at() for a byte >= 0x80. */
int qx_is_space_high(const char *s, size_t len, size_t i, size_t *clen)
{
    unsigned char c = (unsigned char)s[i];
    if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0) {   /* nbsp */
        *clen = 2;
        return 1;
    }
    if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80) {
        unsigned char d = (unsigned char)s[i + 2];
        if ((d >= 0x80 && d <= 0x8A) || d == 0xAF) {   /* en/em/thin spaces */
            *clen = 3;
            return 1;
        }
    }
    return 0;
}

int qx_is_dash_at(const char *s, size_t len, size_t i, size_t *clen)
{
    if (s[i] == '-') {
        *clen = 1;
        return 1;
    }
    if ((unsigned char)s[i] == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80) {
        unsigned char d = (unsigned char)s[i + 2];
        if (d >= 0x93 && d <= 0x95) {   /* en dash, em dash, bar */
            *clen = 3;
            return 1;
        }
    }
    return 0;
}

/* The mark at body[i], if any, for the given primary family set. */
static mark_t mark_at(const char *s, size_t len, size_t i, int singles)
{
    mark_t m = {M_NONE, 0, 0};
    unsigned char c = (unsigned char)s[i];
    if (!singles) {
        if (c == '"') { m.kind = M_AMBIG; m.family = F_DOUBLE; m.len = 1; }
        else if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80) {
            unsigned char d = (unsigned char)s[i + 2];
            if (d == 0x9C || d == 0x9F) { m.kind = M_OPEN; m.family = F_DOUBLE; m.len = 3; }
            else if (d == 0x9D) { m.kind = M_CLOSE; m.family = F_DOUBLE; m.len = 3; }
            else if (d == 0x9E) { m.kind = M_OPEN; m.family = F_LOW; m.len = 3; }
        } else if (c == 0xC2 && i + 1 < len) {
            unsigned char d = (unsigned char)s[i + 1];
            if (d == 0xAB) { m.kind = M_OPEN; m.family = F_GUILL; m.len = 2; }
            else if (d == 0xBB) { m.kind = M_CLOSE; m.family = F_GUILL; m.len = 2; }
        }
    } else {
        if (c == '\'') { m.kind = M_AMBIG; m.family = F_SINGLE; m.len = 1; }
        else if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80) {
            unsigned char d = (unsigned char)s[i + 2];
            if (d == 0x98 || d == 0x9A) { m.kind = M_OPEN; m.family = F_SINGLE; m.len = 3; }
            else if (d == 0x99) { m.kind = M_AMBIG; m.family = F_SINGLE; m.len = 3; }
        }
    }
    return m;
}

/* A letter or digit, counting any non-ASCII lead byte as a letter (the
 * scanner has already claimed the marks and spaces it knows). */
static int wordish(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* Last byte of the UTF-8 character ending right before i, or 0. */
static unsigned char prev_byte(const char *s, size_t ps, size_t i)
{
    if (i <= ps) return 0;
    size_t j = i - 1;
    while (j > ps && ((unsigned char)s[j] & 0xC0) == 0x80) j--;
    return (unsigned char)s[j];
}

/* Space (or the paragraph edge) before body[i]? */
static int space_before(const char *s, size_t len, size_t ps, size_t i)
{
    if (i <= ps) return 1;
    size_t cl;
    unsigned char c = (unsigned char)s[i - 1];
    if (c == ' ' || c == '\t' || c == '\r') return 1;
    if (i >= ps + 2 && (unsigned char)s[i - 2] == 0xC2 && c == 0xA0) return 1;
    if (i >= ps + 3 && qx_is_space_at(s, len, i - 3, &cl) && cl == 3) return 1;
    return 0;
}

static int opener_before(const char *s, size_t len, size_t ps, size_t i)
{
    if (space_before(s, len, ps, i)) return 1;
    unsigned char c = (unsigned char)s[i - 1];
    if (c == '(' || c == '[' || c == '{' || c == '/' || c == '-') return 1;
    size_t cl;
    if (i >= ps + 3 && qx_is_dash_at(s, len, i - 3, &cl) && cl == 3) return 1;
    /* A mark right after another opening mark ("'Hi'") also opens. */
    if (i >= ps + 3 && (unsigned char)s[i - 3] == 0xE2 && (unsigned char)s[i - 2] == 0x80 &&
        ((unsigned char)s[i - 1] == 0x9C || (unsigned char)s[i - 1] == 0x98))
        return 1;
    if (c == '"' || c == '\'') return i - 1 == ps || space_before(s, len, ps, i - 1);
    return 0;
}

static int space_after(const char *s, size_t len, size_t pe, size_t i)
{
    size_t cl;
    return i >= pe || qx_is_space_at(s, len, i, &cl);
}

static int closer_after(const char *s, size_t len, size_t pe, size_t i)
{
    if (space_after(s, len, pe, i)) return 1;
    unsigned char c = (unsigned char)s[i];
    if (strchr(",.;:!?)]}'\"", c) && c) return 1;
    size_t cl;
    if (qx_is_dash_at(s, len, i, &cl)) return 1;
    if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80) {
        unsigned char d = (unsigned char)s[i + 2];
        if (d == 0x9D || d == 0x99 || d == 0xA6) return 1;   /* ” ’ … */
    }
    return 0;
}

/* In single-mark mode: is this ' or ’ an apostrophe rather than a mark? */
static int is_apostrophe(const qx_lex_t *lx, const char *s, size_t len, size_t ps,
                         size_t pe, size_t i, size_t ml, int inside)
{
    unsigned char pb = prev_byte(s, ps, i);
    unsigned char nb = i + ml < pe ? (unsigned char)s[i + ml] : 0;
    int pw = pb && wordish(pb), nw = nb && wordish(nb);
    if (pw && nw) return 1;                             /* they're, it’s */
    if (!pw && nb >= '0' && nb <= '9') return 1;        /* '90s */
    if (!pw && nw) {                                     /* 'tis, 'em */
        size_t j = i + ml;
        while (j < pe && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z'))) j++;
        if (qx_lex_word(lx, s + i + ml, j - i - ml) & QX_W_ELISION) return 1;
    }
    /* administrations' policy: a plural possessive.  Inside a quote only
     * when a lower-case word follows (the buyers' friends), since a closing
     * mark there is usually followed by punctuation or a capital. */
    if ((pb == 's' || pb == 'S') && !nw) {
        if (!inside) return 1;
        size_t j = i + ml;
        if (j + 1 < pe && s[j] == ' ' && s[j + 1] >= 'a' && s[j + 1] <= 'z') {
            /* ... unless a cue follows: 'I love these games' he said. */
            size_t k = j + 1;
            while (k < pe && s[k] >= 'a' && s[k] <= 'z') k++;
            if (!(qx_lex_word(lx, s + j + 1, k - j - 1) & (QX_W_PRONOUN | QX_W_CUE))) return 1;
        }
    }
    return 0;
}

/* Trims spaces inside [*a, *b). */
static void trim(const char *s, size_t len, uint32_t *a, uint32_t *b)
{
    size_t cl;
    while (*a < *b && qx_is_space_at(s, len, *a, &cl)) *a += (uint32_t)cl;
    while (*b > *a) {
        size_t j = *b - 1;
        while (j > *a && ((unsigned char)s[j] & 0xC0) == 0x80) j--;
        if (!qx_is_space_at(s, len, j, &cl) || j + cl != *b) break;
        *b = (uint32_t)j;
    }
}

/* Title case: every word capitalised except minor words, no sentence
 * punctuation at the end, and short.  "The Art of the Deal" is a title; a
 * quoted sentence or phrase is not. */
static int is_title(const qx_lex_t *lx, const char *s, uint32_t a, uint32_t b)
{
    if (b <= a || b - a > 80) return 0;
    unsigned char last = (unsigned char)s[b - 1];
    if (last == '!' || last == '?' || last == ':' || last == ';') return 0;
    /* "Peace Through Strength," and ABC's "This Week." are titles; "Yes,"
     * and "Sanity." are replies. */
    int comma = last == ',' || last == '.';
    int words = 0;
    for (uint32_t i = a; i < b;) {
        while (i < b && !wordish((unsigned char)s[i])) i++;
        if (i >= b) break;
        uint32_t w = i;
        while (i < b && (wordish((unsigned char)s[i]) || s[i] == '\'' || s[i] == '-' || s[i] == '.')) i++;
        /* Sentence punctuation inside ("Like Oakland. Or Ferguson,"): a quote. */
        if (i < b - 1 && (s[i - 1] == '.' || s[i] == '!' || s[i] == '?' || s[i] == ':' || s[i] == ';') &&
            w + 2 < i)
            return 0;
        unsigned char c = (unsigned char)s[w];
        if (c >= '0' && c <= '9') { words++; continue; }
        if (c >= 'a' && c <= 'z') {
            if (words == 0 || !(qx_lex_word(lx, s + w, i - w) & QX_W_MINOR)) return 0;
        } else if (c >= 0x80) {
            return 0;   /* cannot tell the case cheaply: not a title */
        }
        words++;
    }
    return words > comma && words <= 12;
}

typedef struct {
    int inside;
    int family;      /* family of the open mark */
    int depth;       /* nested curly doubles inside */
    uint32_t open;   /* offset of the open mark */
    uint32_t cs;     /* content start */
    uint32_t ps, pe; /* the paragraph */
    int carry;       /* index of a quote continued from the previous paragraph, or -1 */
} scan_t;

static int emit(const qx_lex_t *lx, const char *s, size_t len, qx_quotes_t *out,
                scan_t *st, uint32_t ce, uint32_t close_end, uint32_t para, int unclosed)
{
    uint32_t a = st->cs, b = ce;
    trim(s, len, &a, &b);
    if (b <= a) return 0;
    if (st->carry >= 0) {
        qx_quote_t *q = &out->q[st->carry];
        if (q->nspans < QX_MAX_SPANS) {
            q->span[q->nspans][0] = a;
            q->span[q->nspans][1] = b;
            q->outer[q->nspans][0] = st->open;
            q->outer[q->nspans][1] = close_end;
            q->nspans++;
            q->close_end = close_end;
            q->last_para = para;
            q->unclosed = unclosed;
            return 0;
        }
    }
    /* Built in place (what qx_quotes_push does, without a copy). */
    if (out->n >= (out->limit ? out->limit : QX_RAW_LIMIT)) {
        out->truncated = 1;
        return 0;
    }
    if (out->n == out->cap) {
        size_t nc = out->cap ? out->cap * 2 : 16;
        qx_quote_t *nq = realloc(out->q, nc * sizeof(*nq));
        if (!nq) return -1;
        out->q = nq;
        out->cap = nc;
    }
    qx_quote_t *q = &out->q[out->n];
    /* Pieces past nspans are never read: only the fields after them are
     * cleared. */
    memset(&q->nspans, 0, sizeof(*q) - offsetof(qx_quote_t, nspans));
    q->span[0][0] = a;
    q->span[0][1] = b;
    q->outer[0][0] = st->open;
    q->outer[0][1] = close_end;
    q->nspans = 1;
    q->open = st->open;
    q->close_end = close_end;
    q->para = q->last_para = para;
    q->par_s = st->ps;
    q->par_e = st->pe;
    q->unclosed = unclosed;
    q->title = !unclosed && is_title(lx, s, a, b);
    out->n++;
    return 0;
}

static int scan(const qx_lex_t *lx, const char *s, size_t len, int singles, qx_quotes_t *out)
{
    scan_t st = {.carry = -1};
    int pending = -1;   /* quote left open at the previous paragraph's end */
    uint32_t para = 0;
    size_t ps = 0;
    while (ps <= len) {
        const char *nl = ps < len ? memchr(s + ps, '\n', len - ps) : NULL;
        size_t pe = nl ? (size_t)(nl - s) : len;
        /* A paragraph continues an open quote only if it starts with a mark. */
        size_t first = ps, cl;
        while (first < pe && qx_is_space_at(s, len, first, &cl)) first += cl;
        if (first < pe && pending >= 0) {
            mark_t m = mark_at(s, len, first, singles);
            if (m.kind == M_OPEN || m.kind == M_AMBIG) st.carry = pending;
            pending = -1;
        }
        memset(&st, 0, offsetof(scan_t, carry));
        st.ps = (uint32_t)ps;
        st.pe = (uint32_t)pe;
        const unsigned char want = singles ? 2 : 1;
        for (size_t i = ps; i < pe;) {
            i = qx_skip_plain(s, len, i, pe, singles);
            if (i >= pe) break;
            if (!(mark_lead[(unsigned char)s[i]] & want)) { i++; continue; }
            mark_t m = mark_at(s, len, i, singles);
            if (m.kind == M_NONE) { i++; continue; }
            if (singles && is_apostrophe(lx, s, len, ps, pe, i, m.len, st.inside)) {
                i += m.len;
                continue;
            }
            int lo = opener_before(s, len, ps, i) && !space_after(s, len, pe, i + m.len);
            int lc = !space_before(s, len, ps, i) && closer_after(s, len, pe, i + m.len);
            if (!st.inside) {
                int open = m.kind == M_OPEN || (m.kind == M_CLOSE && lo && !lc) ||
                           (m.kind == M_AMBIG && !(lc && !lo));
                if (open) {
                    st.inside = 1;
                    st.family = m.family;
                    st.depth = 0;
                    st.open = (uint32_t)i;
                    st.cs = (uint32_t)(i + m.len);
                }
            } else {
                int close = 0;
                if (m.kind == M_CLOSE || m.kind == M_AMBIG) {
                    if (st.depth > 0 && m.kind == M_CLOSE && m.family == F_DOUBLE) st.depth--;
                    else close = 1;
                } else if (m.kind == M_OPEN) {
                    /* „…“ closes with the high mark; a “ that reads as a
                     * closer closes; otherwise it nests. */
                    if (st.family == F_LOW || (lc && !lo)) close = 1;
                    else if (m.family == F_DOUBLE) st.depth++;
                }
                if (close) {
                    if (emit(lx, s, len, out, &st, (uint32_t)i, (uint32_t)(i + m.len), para, 0) != 0)
                        return -1;
                    st.inside = 0;
                    st.carry = -1;
                }
            }
            i += m.len;
        }
        if (st.inside) {
            size_t before = out->n;
            int carry = st.carry;
            if (emit(lx, s, len, out, &st, (uint32_t)pe, (uint32_t)pe, para, 1) != 0) return -1;
            if (carry >= 0) pending = carry;
            else if (out->n > before) pending = (int)(out->n - 1);
        }
        st.carry = -1;
        para++;
        if (!nl) break;
        ps = pe + 1;
    }
    return 0;
}

int qx_scan_marks(const qx_lex_t *lx, const char *body, size_t len, qx_quotes_t *out)
{
    size_t before = out->n;
    if (!body || len == 0 || len >= UINT32_MAX) return 0;
    if (scan(lx, body, len, 0, out) != 0) return -1;
    if (out->n > before) return 0;
    /* No double-mark quotes at all: try single marks as the primary ones. */
    return scan(lx, body, len, 1, out);
}
