/* qx_tok.h -- paragraph tokens for attribution: words and punctuation, with
 * every quoted piece folded into one token, so cue and speaker patterns are
 * matched on the text around the quotes only. */
#ifndef QX_TOK_H
#define QX_TOK_H

#include "qx.h"

enum {
    T_WORD = 1u << 0,
    T_CAP = 1u << 1,      /* starts with an ASCII capital */
    T_END = 1u << 2,      /* . ! ? */
    T_COMMA = 1u << 3,
    T_COLON = 1u << 4,
    T_SEMI = 1u << 5,
    T_QUOTE = 1u << 6,    /* a quoted piece (marks included) */
    T_ING = 1u << 7,      /* word ending in -ing */
    T_LY = 1u << 8,       /* word ending in -ly */
    T_LPAREN = 1u << 9,
    T_RPAREN = 1u << 10,
    T_DASH = 1u << 11,
    T_PUNCT = 1u << 12,   /* any other punctuation */
    T_NUM = 1u << 13,
    T_CLS = 1u << 14      /* cls has been looked up */
};

typedef struct {
    uint32_t s, e;
    uint32_t f;
    uint32_t cls;         /* lexicon classes, valid once T_CLS is set */
    int32_t q;            /* quote index of a T_QUOTE token, else -1 */
    int32_t piece;
} qx_tok_t;

typedef struct {
    qx_tok_t *t;
    size_t n, cap;
    uint32_t ps, pe;      /* the window tokenized, [ps, pe) */
    uint32_t par_s, par_e; /* the paragraph it lies in */
    int valid;
} qx_toks_t;

/* Tokenizes body[ps..pe) (part of one paragraph), folding the pieces of qs
 * that lie in it. */
int qx_tokenize(const qx_lex_t *lx, const char *b, size_t len, const qx_quotes_t *qs,
                uint32_t ps, uint32_t pe, qx_toks_t *tk);
/* The same, copying what it can from old, an earlier window of the same
 * body and quotes: once the new tokens meet one of old's, the tokens that
 * follow are old's (up to a margin before either window's end, where the
 * window edge changes how words end).  The result equals qx_tokenize(). */
int qx_tokenize_reuse(const qx_lex_t *lx, const char *b, size_t len, const qx_quotes_t *qs,
                      uint32_t ps, uint32_t pe, qx_toks_t *tk, const qx_toks_t *old);
/* Lexicon classes of token t, looked up on first use (qx_tok_cls_lookup);
 * the cached case is inline, since patterns ask about the same few tokens
 * many times. */
uint32_t qx_tok_cls_lookup(const qx_lex_t *lx, const char *b, qx_tok_t *t);
static inline uint32_t qx_tok_cls(const qx_lex_t *lx, const char *b, qx_tok_t *t)
{
    if (!(t->f & T_WORD)) return 0;
    if (t->f & T_CLS) return t->cls;
    return qx_tok_cls_lookup(lx, b, t);
}

#endif
