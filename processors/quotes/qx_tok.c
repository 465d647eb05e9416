/* qx_tok.c -- tokenizes one paragraph around its quotes (see qx_tok.h). */
#include "qx_tok.h"

#include <stdlib.h>
#include <string.h>

static inline int push(qx_toks_t *tk, uint32_t s, uint32_t e, uint32_t f, int32_t q, int32_t piece)
{
    if (__builtin_expect(tk->n == tk->cap, 0)) {
        size_t nc = tk->cap ? tk->cap * 2 : 256;
        qx_tok_t *nt = realloc(tk->t, nc * sizeof(*nt));
        if (!nt) return -1;
        tk->t = nt;
        tk->cap = nc;
    }
    qx_tok_t *t = &tk->t[tk->n++];
    t->s = s;
    t->e = e;
    t->f = f;
    t->cls = 0;
    t->q = q;
    t->piece = piece;
    return 0;
}

/* ASCII letters and digits: the word loop's fast path. */
static const unsigned char alnum_tab[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1,
    ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
    ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1,
    ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1,
    ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
    ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
};

/* Bytes of a non-word character (space, dash, mark, ellipsis) at i, or 0
 * when body[i] starts a word character. */
static inline size_t nonword_len(const char *b, size_t len, size_t i)
{
    unsigned char c = (unsigned char)b[i];
    if (c < 0x80) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 0;
        return 1;
    }
    if (c == 0xC2 && i + 1 < len) {
        unsigned char d = (unsigned char)b[i + 1];
        if (d == 0xA0 || d == 0xAB || d == 0xBB) return 2;
    }
    if (c == 0xE2 && i + 2 < len && (unsigned char)b[i + 1] == 0x80) return 3;
    return 0;
}

static inline size_t utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* First quote whose last piece ends after ps (quotes are in body order). */
static size_t first_quote(const qx_quotes_t *qs, uint32_t ps)
{
    size_t lo = 0, hi = qs->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (qs->q[mid].close_end <= ps) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Finds the next non-title quoted piece at or after i, before pe. */
static void next_piece(const qx_quotes_t *qs, size_t *qi, int *piece, uint32_t i, uint32_t pe,
                       uint32_t *as, uint32_t *ae)
{
    while (*qi < qs->n) {
        const qx_quote_t *q = &qs->q[*qi];
        /* Titles are words of the sentence, not quotes. */
        if (*piece >= q->nspans || q->title) { (*qi)++; *piece = 0; continue; }
        if (q->outer[*piece][1] <= i) { (*piece)++; continue; }
        if (q->outer[*piece][0] < pe) { *as = q->outer[*piece][0]; *ae = q->outer[*piece][1]; }
        return;
    }
}

int qx_tokenize(const qx_lex_t *lx, const char *b, size_t len, const qx_quotes_t *qs,
                uint32_t ps, uint32_t pe, qx_toks_t *tk)
{
    tk->n = 0;
    tk->ps = ps;
    tk->pe = pe;
    tk->valid = 1;
    size_t qi = first_quote(qs, ps);
    int piece = 0;
    uint32_t i = ps;
    uint32_t as = pe, ae = pe;   /* the next quoted piece, found once per piece */
    next_piece(qs, &qi, &piece, i, pe, &as, &ae);
    while (i < pe) {
        if (as <= i) {
            if (ae > pe) ae = pe;
            if (ae <= i) ae = i + 1;
            if (push(tk, i, ae, T_QUOTE, (int32_t)qi, piece) != 0) return -1;
            i = ae;
            piece++;
            as = ae = pe;
            next_piece(qs, &qi, &piece, i, pe, &as, &ae);
            continue;
        }
        unsigned char ch = (unsigned char)b[i];
        if (ch == ' ') { i++; continue; }   /* the commonest byte between tokens */
        size_t cl, nw;
        if (alnum_tab[ch]) {
            nw = 0;
        } else if (ch < 0x80) {
            if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\v') { i++; continue; }
            nw = 1;
        } else {
            if (qx_is_space_at(b, len, i, &cl)) { i += (uint32_t)cl; continue; }
            nw = nonword_len(b, len, i);
        }
        if (nw) {
            unsigned char c = (unsigned char)b[i];
            uint32_t f = T_PUNCT;
            if (c == '.' || c == '!' || c == '?') {
                f = T_END;
                if (c == '.' && i + 2 < pe && b[i + 1] == '.' && b[i + 2] == '.') {
                    f = T_PUNCT;   /* an ellipsis does not end the sentence */
                    nw = 3;
                } else if (i + 1 < pe && (b[i + 1] == ')' || b[i + 1] == ',')) {
                    f = T_PUNCT;   /* (D-Ill.) and "Inc.," end nothing */
                }
            } else if (c == ',') f = T_COMMA;
            else if (c == ':') f = T_COLON;
            else if (c == ';') f = T_SEMI;
            else if (c == '(' || c == '[') f = T_LPAREN;
            else if (c == ')' || c == ']') f = T_RPAREN;
            else if (qx_is_dash_at(b, len, i, &cl)) f = T_DASH;
            if (i + nw > as) nw = as - i;
            if (push(tk, i, i + (uint32_t)nw, f, -1, 0) != 0) return -1;
            i += (uint32_t)nw;
            continue;
        }
        /* A word: letters and digits, joined by apostrophes, hyphens and
         * periods that sit between word characters (they're, U.S, co-chair). */
        uint32_t s = i;
        int inner_dot = 0;
        while (i < as) {
            unsigned char c = (unsigned char)b[i];
            if (alnum_tab[c]) { i++; continue; }
            size_t w = nonword_len(b, len, i);
            if (w == 0) { i += (uint32_t)utf8_len(c); continue; }
            int joiner = c == '\'' || c == '-' || c == '.' || c == '&' ||
                         (w == 3 && (unsigned char)b[i + 2] == 0x99);   /* ’ */
            if (joiner && i + w < as && nonword_len(b, len, i + w) == 0) {
                if (c == '.') inner_dot = 1;
                i += (uint32_t)w;
                continue;
            }
            break;
        }
        if (i > as) i = as;
        uint32_t f = T_WORD;
        unsigned char c0 = (unsigned char)b[s];
        if (c0 >= 'A' && c0 <= 'Z') f |= T_CAP;
        if (c0 >= '0' && c0 <= '9') f |= T_NUM;
        uint32_t n = i - s;
        if (n > 4 && memcmp(b + i - 3, "ing", 3) == 0) f |= T_ING;
        if (n > 4 && memcmp(b + i - 2, "ly", 2) == 0) f |= T_LY;
        if (push(tk, s, i, f, -1, 0) != 0) return -1;
        /* Mr. / G. / U.S. keep their period: it does not end a sentence. */
        if (i < as && b[i] == '.') {
            qx_tok_t *t = &tk->t[tk->n - 1];
            if (inner_dot || (n == 1 && (f & T_CAP)) ||
                (n <= QX_ABBREV_MAX && (qx_tok_cls(lx, b, t) & QX_W_ABBREV)))
                t->e = ++i;
        }
    }
    return 0;
}

uint32_t qx_tok_cls(const qx_lex_t *lx, const char *b, qx_tok_t *t)
{
    if (!lx || !(t->f & T_WORD)) return 0;
    if (t->f & T_CLS) return t->cls;
    uint32_t n = t->e - t->s;
    if (n > 1 && b[t->s + n - 1] == '.') n--;
    t->cls = qx_lex_word(lx, b + t->s, n);
    t->f |= T_CLS;
    return t->cls;
}
