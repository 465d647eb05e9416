/* qx_tok.c -- tokenizes one paragraph around its quotes (see qx_tok.h). */
#include "qx_tok.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
    t->f = f;   /* cls is left as it is: it is read only under T_CLS */
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

/* What a byte starts at the top of the tokenizer loop: a word (ASCII letter
 * or digit), nothing (ASCII space), a punctuation token, or (non-ASCII) any
 * of these.  ' - . & are punctuation that also join word characters. */
enum { BC_WORD = 0, BC_SPACE, BC_PUNCT, BC_PUNCT_JOIN, BC_HIGH };
#define BC_P4(x) x, x, x, x
#define BC_P16(x) BC_P4(x), BC_P4(x), BC_P4(x), BC_P4(x)
static const unsigned char byte_class[256] = {
    /* 0x00-0x1f: \t \n \v \f \r are spaces */
    BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT,
    BC_PUNCT, BC_SPACE, BC_SPACE, BC_SPACE, BC_SPACE, BC_SPACE, BC_PUNCT, BC_PUNCT,
    BC_P16(BC_PUNCT),
    /* 0x20-0x2f:  ! " # $ % & ' ( ) * + , - . / */
    BC_SPACE, BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT_JOIN, BC_PUNCT_JOIN,
    BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT_JOIN, BC_PUNCT_JOIN, BC_PUNCT,
    /* 0x30-0x3f: 0-9 : ; < = > ? */
    BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD,
    BC_WORD, BC_WORD, BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT,
    /* 0x40-0x5f: @ A-Z [ \ ] ^ _ */
    BC_PUNCT, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD,
    BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD,
    BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD,
    BC_WORD, BC_WORD, BC_WORD, BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT,
    /* 0x60-0x7f: ` a-z { | } ~ DEL */
    BC_PUNCT, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD,
    BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD,
    BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD, BC_WORD,
    BC_WORD, BC_WORD, BC_WORD, BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT, BC_PUNCT,
    /* 0x80-0xff */
    BC_P16(BC_HIGH), BC_P16(BC_HIGH), BC_P16(BC_HIGH), BC_P16(BC_HIGH),
    BC_P16(BC_HIGH), BC_P16(BC_HIGH), BC_P16(BC_HIGH), BC_P16(BC_HIGH),
};

/* The flags a word takes from its first byte. */
static const uint16_t first_flags[256] = {
    ['A'] = T_CAP, ['B'] = T_CAP, ['C'] = T_CAP, ['D'] = T_CAP, ['E'] = T_CAP, ['F'] = T_CAP, ['G'] = T_CAP,
    ['H'] = T_CAP, ['I'] = T_CAP, ['J'] = T_CAP, ['K'] = T_CAP, ['L'] = T_CAP, ['M'] = T_CAP, ['N'] = T_CAP,
    ['O'] = T_CAP, ['P'] = T_CAP, ['Q'] = T_CAP, ['R'] = T_CAP, ['S'] = T_CAP, ['T'] = T_CAP, ['U'] = T_CAP,
    ['V'] = T_CAP, ['W'] = T_CAP, ['X'] = T_CAP, ['Y'] = T_CAP, ['Z'] = T_CAP,
    ['0'] = T_NUM, ['1'] = T_NUM, ['2'] = T_NUM, ['3'] = T_NUM, ['4'] = T_NUM, ['5'] = T_NUM, ['6'] = T_NUM,
    ['7'] = T_NUM, ['8'] = T_NUM, ['9'] = T_NUM,
};

#if defined(__SSE2__)
/* Bit k set when p[k] is an ASCII letter or digit (alnum_tab, 16 at once). */
static inline uint32_t alnum16(const char *p)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i l = _mm_or_si128(x, _mm_set1_epi8(0x20));   /* A-Z to a-z; nothing else lands there */
    /* A range test is one signed compare once the range is moved to the
     * bottom of the signed bytes: c - lo + 0x80 < -128 + width. */
    __m128i alpha = _mm_cmplt_epi8(_mm_add_epi8(l, _mm_set1_epi8((char)(0x80 - 'a'))),
                                   _mm_set1_epi8((char)(0x80 + 26)));
    __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8((char)(0x80 - '0'))),
                                   _mm_set1_epi8((char)(0x80 + 10)));
    return (uint32_t)_mm_movemask_epi8(_mm_or_si128(alpha, digit));
}
#endif

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
    return qx_tokenize_reuse(lx, b, len, qs, ps, pe, tk, NULL);
}

/* Decisions about a token read at most 3 bytes past its end and compare
 * positions with the window end: tokens ending this far before both
 * windows' ends come out the same in both. */
#define REUSE_MARGIN 4

static inline int same_tok(const qx_tok_t *a, const qx_tok_t *b)
{
    return a->s == b->s && a->e == b->e && ((a->f ^ b->f) & ~(uint32_t)T_CLS) == 0 && a->q == b->q &&
           a->piece == b->piece;
}

int qx_tokenize_reuse(const qx_lex_t *lx, const char *b, size_t len, const qx_quotes_t *qs,
                      uint32_t ps, uint32_t pe, qx_toks_t *tk, const qx_toks_t *old)
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
    /* Reuse: old's tokens that end before `safe` are the same as ours once
     * the two runs have produced one identical token. */
    int sync = old && old != tk && old->valid && old->n > 0 && old->ps < pe && old->pe > ps;
    uint32_t safe = 0;
    if (sync) {
        safe = old->pe < pe ? old->pe : pe;
        safe = safe > REUSE_MARGIN ? safe - REUSE_MARGIN : 0;
    }
    /* Tokens up to `seen` have been compared; SIZE_MAX once reuse is over
     * (or never began), so the loop tests one number per turn. */
    size_t seen = sync ? 0 : SIZE_MAX, ok = 0;
    while (i < pe) {
        if (tk->n > seen) {
            seen = tk->n;
            const qx_tok_t *t = &tk->t[tk->n - 1];
            if (t->e > safe) {
                seen = SIZE_MAX;
            } else {
                while (ok < old->n && old->t[ok].s < t->s) ok++;
                if (ok < old->n && same_tok(&old->t[ok], t)) {
                    size_t k = ok + 1, m = k;
                    while (m < old->n && old->t[m].e <= safe) m++;
                    if (m > k) {
                        size_t need = tk->n + (m - k);
                        if (need > tk->cap) {
                            size_t nc = tk->cap ? tk->cap : 256;
                            while (nc < need) nc *= 2;
                            qx_tok_t *nt = realloc(tk->t, nc * sizeof(*nt));
                            if (!nt) return -1;
                            tk->t = nt;
                            tk->cap = nc;
                        }
                        memcpy(tk->t + tk->n, old->t + k, (m - k) * sizeof(qx_tok_t));
                        tk->n = need;
                        i = old->t[m - 1].e;
                        as = ae = pe;
                        next_piece(qs, &qi, &piece, i, pe, &as, &ae);
                    }
                    seen = SIZE_MAX;
                    continue;
                }
            }
        }
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
        unsigned k = byte_class[ch];
        if (k == BC_SPACE) { i++; continue; }
        size_t cl, nw = k == BC_PUNCT || k == BC_PUNCT_JOIN;
        if (k == BC_HIGH) {
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
            if (i < as && b[i] == ' ') i++;   /* as after a word */
            continue;
        }
        /* A word: letters and digits, joined by apostrophes, hyphens and
         * periods that sit between word characters (they're, U.S, co-chair). */
        uint32_t s = i;
        int inner_dot = 0;
        int next = -1;   /* the ASCII byte at i that ended the word, if one did */
        while (i < as) {
#if defined(__SSE2__)
            if (i + 16 <= as) {   /* a run of ASCII letters and digits at once */
                uint32_t m = alnum16(b + i);
                if (m == 0xFFFF) { i += 16; continue; }
                i += (uint32_t)__builtin_ctz(~m);
            } else
#endif
            {
                while (i < as && alnum_tab[(unsigned char)b[i]]) i++;
                if (i >= as) break;
            }
            /* b[i] is no ASCII letter or digit.  Other ASCII ends the word
             * unless it is a joiner followed by a word character. */
            unsigned char c = (unsigned char)b[i];
            if (c < 0x80) {
                if (byte_class[c] == BC_PUNCT_JOIN && i + 1 < as && nonword_len(b, len, i + 1) == 0) {
                    if (c == '.') inner_dot = 1;
                    i++;
                    continue;
                }
                next = c;
                break;
            }
            size_t w = nonword_len(b, len, i);
            if (w == 0) { i += (uint32_t)utf8_len(c); continue; }
            /* ’ joins as an apostrophe does */
            if (w == 3 && (unsigned char)b[i + 2] == 0x99 && i + w < as && nonword_len(b, len, i + w) == 0) {
                i += (uint32_t)w;
                continue;
            }
            break;
        }
        if (i > as) i = as;
        unsigned char c0 = (unsigned char)b[s];
        uint32_t f = T_WORD | first_flags[c0];
        uint32_t n = i - s;
        if (n > 4) {
            if (b[i - 1] == 'g' && b[i - 2] == 'n' && b[i - 3] == 'i') f |= T_ING;
            if (b[i - 1] == 'y' && b[i - 2] == 'l') f |= T_LY;
        }
        if (push(tk, s, i, f, -1, 0) != 0) return -1;
        /* The space after a word is skipped here, without a turn of the loop
         * (the loop would skip it the same way: it is before the next piece). */
        if (next == ' ') {
            i++;
        } else if (next == '.') {
            /* Mr. / G. / U.S. keep their period: it does not end a sentence. */
            qx_tok_t *t = &tk->t[tk->n - 1];
            if (inner_dot || (n == 1 && (f & T_CAP)) ||
                (n <= QX_ABBREV_MAX && (qx_tok_cls(lx, b, t) & QX_W_ABBREV)))
                t->e = ++i;
            if (i < as && b[i] == ' ') i++;
        }
    }
    return 0;
}

uint32_t qx_tok_cls_lookup(const qx_lex_t *lx, const char *b, qx_tok_t *t)
{
    if (!lx || !(t->f & T_WORD)) return 0;
    if (t->f & T_CLS) return t->cls;
    uint32_t n = t->e - t->s;
    if (n > 1 && b[t->s + n - 1] == '.') n--;
    t->cls = qx_lex_word(lx, b + t->s, n);
    t->f |= T_CLS;
    return t->cls;
}
