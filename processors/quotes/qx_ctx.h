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
} ctx_t;

/* Token classes, looked up once. */
static inline uint32_t qx_cls(ctx_t *c, qx_tok_t *t)
{
    return qx_tok_cls(c->lx, c->b, t);
}

/* Entity i with all its fields (filled on first use). */
static inline const qx_ent_t *qx_ent(ctx_t *c, size_t i)
{
    qx_ent_t *e = &c->ents[i];
    if (!e->ready) {
        if (c->el->fill) c->el->fill(c->el->arg, i, e);
        e->ready = 1;
    }
    return e;
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
uint32_t qx_cue_at(ctx_t *c, qx_toks_t *tk, size_t j, size_t *last);
int qx_skippable(ctx_t *c, qx_tok_t *t);
int qx_np_back(ctx_t *c, qx_toks_t *tk, long i, long lo, sp_t *sp);
int qx_np_fwd(ctx_t *c, qx_toks_t *tk, size_t i, size_t hi, sp_t *sp);
int qx_subject_back(ctx_t *c, qx_toks_t *tk, long ci, long lo, int participle, sp_t *sp);
int qx_sentence_subject(ctx_t *c, qx_toks_t *tk, long lo, long hi, sp_t *sp);
int qx_clause_subject(ctx_t *c, qx_toks_t *tk, long lo, long end, sp_t *sp);

/* Prototypes (qx_attr.c) */
/* Finds the cue and speaker of raw quote qi (not a title). 0 or -1. */
int qx_attribute_quote(ctx_t *c, size_t qi);

#endif
