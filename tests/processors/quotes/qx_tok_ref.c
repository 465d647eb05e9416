/* qx_tok_ref.c -- the window tokenizer's rules (qx_tok.h) restated plainly,
 * one byte at a time, with no SIMD, tables or token reuse: the reference
 * test_quotes compares qx_tokenize() with on random and hostile bodies. */
#include "qx_tok_ref.h"

#include <stdlib.h>

static int ref_push(qx_toks_t *tk, uint32_t s, uint32_t e, uint32_t f, int32_t q, int32_t piece)
{
    if (tk->n == tk->cap) {
        size_t nc = tk->cap ? tk->cap * 2 : 64;
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

static int ascii_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Bytes of the non-word character at i (ASCII other than letters and
 * digits; nbsp, guillemets; any E2 80 xx), or 0 for a word character. */
static size_t ref_nonword(const char *b, size_t len, size_t i)
{
    unsigned char c = (unsigned char)b[i];
    if (c < 0x80) return ascii_alnum(c) ? 0 : 1;
    if (c == 0xC2 && i + 1 < len) {
        unsigned char d = (unsigned char)b[i + 1];
        if (d == 0xA0 || d == 0xAB || d == 0xBB) return 2;
    }
    if (c == 0xE2 && i + 2 < len && (unsigned char)b[i + 1] == 0x80) return 3;
    return 0;
}

/* Spaces the tokenizer skips: ASCII white space, nbsp, E2 80 80-8A and AF. */
static size_t ref_space(const char *b, size_t len, size_t i)
{
    unsigned char c = (unsigned char)b[i];
    if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
    if (c == 0xC2 && i + 1 < len && (unsigned char)b[i + 1] == 0xA0) return 2;
    if (c == 0xE2 && i + 2 < len && (unsigned char)b[i + 1] == 0x80) {
        unsigned char d = (unsigned char)b[i + 2];
        if ((d >= 0x80 && d <= 0x8A) || d == 0xAF) return 3;
    }
    return 0;
}

/* The quoted piece the tokenizer folds next: quotes from the first one
 * ending after ps, titles passed over, pieces ending at or before i
 * dropped; none (as = pe) once the next piece starts at or after pe. */
typedef struct {
    size_t qi;
    int piece;
} ref_pos_t;

static void ref_piece(const qx_quotes_t *qs, ref_pos_t *p, uint32_t i, uint32_t pe, uint32_t *as, uint32_t *ae)
{
    *as = *ae = pe;
    while (p->qi < qs->n) {
        const qx_quote_t *q = &qs->q[p->qi];
        if (p->piece >= q->nspans || q->title) {
            p->qi++;
            p->piece = 0;
        } else if (q->outer[p->piece][1] <= i) {
            p->piece++;
        } else {
            if (q->outer[p->piece][0] < pe) {
                *as = q->outer[p->piece][0];
                *ae = q->outer[p->piece][1];
            }
            return;
        }
    }
}

int qx_tokenize_ref(const qx_lex_t *lx, const char *b, size_t len, const qx_quotes_t *qs, uint32_t ps,
                    uint32_t pe, qx_toks_t *tk)
{
    tk->n = 0;
    tk->ps = ps;
    tk->pe = pe;
    tk->valid = 1;
    ref_pos_t pos = {0, 0};
    while (pos.qi < qs->n && qs->q[pos.qi].close_end <= ps) pos.qi++;
    uint32_t i = ps, as, ae;
    ref_piece(qs, &pos, i, pe, &as, &ae);
    while (i < pe) {
        if (as <= i) {   /* a quoted piece: one token, cut at pe */
            uint32_t e = ae > pe ? pe : ae;
            if (e <= i) e = i + 1;
            if (ref_push(tk, i, e, T_QUOTE, (int32_t)pos.qi, pos.piece) != 0) return -1;
            i = e;
            pos.piece++;
            ref_piece(qs, &pos, i, pe, &as, &ae);
            continue;
        }
        size_t sp = ref_space(b, len, i);
        if (sp) {
            i += (uint32_t)sp;
            continue;
        }
        unsigned char c = (unsigned char)b[i];
        size_t nw = ref_nonword(b, len, i);
        if (nw) {   /* punctuation: one character (an ellipsis is three periods) */
            uint32_t f = T_PUNCT;
            if (c == '.' || c == '!' || c == '?') {
                f = T_END;
                if (c == '.' && i + 2 < pe && b[i + 1] == '.' && b[i + 2] == '.') {
                    f = T_PUNCT;
                    nw = 3;
                } else if (i + 1 < pe && (b[i + 1] == ')' || b[i + 1] == ',')) {
                    f = T_PUNCT;
                }
            } else if (c == ',') {
                f = T_COMMA;
            } else if (c == ':') {
                f = T_COLON;
            } else if (c == ';') {
                f = T_SEMI;
            } else if (c == '(' || c == '[') {
                f = T_LPAREN;
            } else if (c == ')' || c == ']') {
                f = T_RPAREN;
            } else if (c == '-' || (c == 0xE2 && i + 2 < len && (unsigned char)b[i + 1] == 0x80 &&
                                    (unsigned char)b[i + 2] >= 0x93 && (unsigned char)b[i + 2] <= 0x95)) {
                f = T_DASH;
            }
            if (i + nw > as) nw = as - i;
            if (ref_push(tk, i, i + (uint32_t)nw, f, -1, 0) != 0) return -1;
            i += (uint32_t)nw;
            continue;
        }
        /* A word: word characters, with ' - . & between two of them and ’
         * before one, all before the next piece. */
        uint32_t s = i;
        int inner_dot = 0;
        while (i < as) {
            unsigned char d = (unsigned char)b[i];
            size_t w = ref_nonword(b, len, i);
            if (w == 0) {
                i += d < 0x80 ? 1 : d < 0xE0 ? 2 : d < 0xF0 ? 3 : 4;
                continue;
            }
            if ((d == '\'' || d == '-' || d == '.' || d == '&') && i + 1 < as && ref_nonword(b, len, i + 1) == 0) {
                if (d == '.') inner_dot = 1;
                i++;
                continue;
            }
            if (d == 0xE2 && w == 3 && (unsigned char)b[i + 2] == 0x99 && i + 3 < as &&
                ref_nonword(b, len, i + 3) == 0) {
                i += 3;
                continue;
            }
            break;
        }
        if (i > as) i = as;
        uint32_t n = i - s, f = T_WORD;
        unsigned char c0 = (unsigned char)b[s];
        if (c0 >= 'A' && c0 <= 'Z') f |= T_CAP;
        if (c0 >= '0' && c0 <= '9') f |= T_NUM;
        if (n > 4 && b[i - 3] == 'i' && b[i - 2] == 'n' && b[i - 1] == 'g') f |= T_ING;
        if (n > 4 && b[i - 2] == 'l' && b[i - 1] == 'y') f |= T_LY;
        if (ref_push(tk, s, i, f, -1, 0) != 0) return -1;
        /* A period after an initial, an abbreviation or a dotted word
         * (U.S.) stays with it. */
        if (i < as && b[i] == '.') {
            qx_tok_t *t = &tk->t[tk->n - 1];
            if (inner_dot || (n == 1 && (f & T_CAP)) ||
                (n <= QX_ABBREV_MAX && (qx_tok_cls(lx, b, t) & QX_W_ABBREV)))
                t->e = ++i;
        }
    }
    return 0;
}
