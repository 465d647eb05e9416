/* qx_ctx.h -- what the attribution files share: the per-call context, the
 * per-quote facts, and the speaker-phrase functions of qx_np.c. */
#ifndef QX_CTX_H
#define QX_CTX_H

#include "qx_tok.h"

#define LEAD_MAX 60     /* tokens searched back for a cue */
#define TRAIL_MAX 40    /* tokens of the sentence after a quote */

enum { A_NONE = 0, A_TRAIL, A_LEAD, A_COLON, A_INHERIT };

/* A speaker mention found by the patterns. */
typedef struct {
    qx_spkind_t kind;
    uint32_t s, e;
    int ent;
} sp_t;

/* Per-quote attribution facts the merge pass needs. */
typedef struct {
    int how;            /* A_* */
    int own_trail;      /* a cue follows this quote in its sentence */
    int gap_intro;      /* a cue right before this quote introduces it */
    int gap_clean;      /* that gap is empty or one attribution sentence */
    int adjacent;       /* previous token-level neighbour is the previous quote */
    int para_initial;   /* first thing in its paragraph */
    int ent;            /* speaker entity, or -1 */
    int title;          /* a title: not a quote */
} info_t;

typedef struct {
    const qx_lex_t *lx;
    const qx_opts_t *opt;
    const char *b;
    size_t len;
    qx_ent_t *ents;
    size_t nents;
    qx_entlist_t *el;
    qx_quotes_t *qs;
    info_t *info;
    qx_toks_t cur, aux;    /* tokens around the current quote; a second window */
    qx_toks_t spare;       /* the buffer the next window is built in */
    uint32_t para_s, para_e;   /* the paragraph last looked up (qx_attr.c) */
    int para_valid;
    uint32_t ent_s, ent_e;     /* the last span qx_ent_at() was asked about */
    int ent_r;                 /* (ent_e == 0: none yet) and its answer */
    uint32_t dot_p;            /* 1 + the last period tested for a sentence end */
    int dot_r;                 /* (0: none yet) and the answer (qx_attr.c) */
} ctx_t;

struct qx_scratch {
    info_t *info;
    size_t info_cap;
    qx_toks_t cur, aux, spare;
};

/* Token classes, looked up once. */
static inline uint32_t qx_cls(ctx_t *c, qx_tok_t *t)
{
    return qx_tok_cls(c->lx, c->b, t);
}

/* Entity i with at least the fields in want (QX_EF_*), filled on first
 * use: most lookups need only end, or type and end. */
static inline const qx_ent_t *qx_ent_f(ctx_t *c, size_t i, int want)
{
    qx_ent_t *e = &c->ents[i];
    if ((e->ready & want) != want) {
        if (c->el->fill) c->el->fill(c->el->arg, i, e, want & ~e->ready);
        e->ready |= want;
    }
    return e;
}

/* Entity i with all its fields. */
static inline const qx_ent_t *qx_ent(ctx_t *c, size_t i)
{
    return qx_ent_f(c, i, QX_EF_ALL);
}

/* Entity i with its type and end (what speaker phrases look at). */
static inline const qx_ent_t *qx_ent_te(ctx_t *c, size_t i)
{
    return qx_ent_f(c, i, QX_EF_TYPE | QX_EF_END);
}

static inline int qx_speaker_type(qx_etype_t t)
{
    return t == QX_E_PERSON || t == QX_E_ORG || t == QX_E_GPE || t == QX_E_NORP;
}

static inline void qx_sp_set(sp_t *sp, qx_spkind_t kind, uint32_t s, uint32_t e, int ent)
{
    sp->kind = kind;
    sp->s = s;
    sp->e = e;
    sp->ent = ent;
}

/* Prototypes (qx_np.c) */
int qx_ent_at(ctx_t *c, uint32_t s, uint32_t e);
uint32_t qx_cue_at_word(ctx_t *c, qx_toks_t *tk, size_t j, size_t *last);
int qx_skippable(ctx_t *c, qx_tok_t *t);
int qx_np_back(ctx_t *c, qx_toks_t *tk, long i, long lo, sp_t *sp);
int qx_np_fwd(ctx_t *c, qx_toks_t *tk, size_t i, size_t hi, sp_t *sp);
int qx_subject_back(ctx_t *c, qx_toks_t *tk, long ci, long lo, int participle, sp_t *sp);
int qx_sentence_subject(ctx_t *c, qx_toks_t *tk, long lo, long hi, sp_t *sp);
int qx_clause_subject(ctx_t *c, qx_toks_t *tk, long lo, long end, sp_t *sp);

/* Cue at token j: its classes (QX_W_CUE or QX_W_CUE_PREP) and the index of
 * its last token.  Most words are no cue word at all: that is told here from
 * the cached classes, without a call. */
static inline uint32_t qx_cue_at(ctx_t *c, qx_toks_t *tk, size_t j, size_t *last)
{
    qx_tok_t *t = &tk->t[j];
    if (!(t->f & T_WORD)) return 0;
    *last = j;
    if (!(qx_cls(c, t) & (QX_W_CUE | QX_W_CUE_HEAD))) return 0;
    return qx_cue_at_word(c, tk, j, last);
}

/* Prototypes (qx_attr.c) */
/* Finds the cue and speaker of raw quote qi (not a title). 0 or -1. */
int qx_attribute_quote(ctx_t *c, size_t qi);

#endif
