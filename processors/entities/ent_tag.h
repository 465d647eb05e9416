/* ent_tag.h -- the per-article tagging context shared by ent_tag.c and
 * ent_coref.c. */
#ifndef ENT_TAG_H
#define ENT_TAG_H

#include "ent.h"
#include "ent_kb.h"

/* Provisional types used while tagging; never reach the output. */
#define ENT_UNKNOWN (ET__COUNT + 1)   /* one unknown capitalised word */
#define ENT_WEAK    (ET__COUNT + 2)   /* a capitalised ordinary word: kept only if coref joins it */

/* A token's cls field: its lexicon classes (CL_* bits 0-26, valid once
 * CLS_DONE is set) and GAZ_DONE; once GAZ_DONE is set, gaz_entry holds its
 * longest gazetteer match: the entry in the low 24 bits (signed: all ones is none; the
 * loader keeps entries below ENT_MAX_ENTRIES),
 * the entity and title lengths in tokens in the top two nibbles.  Both are
 * asked about the same token many times; the classes are read as they are
 * stored, one load and a mask the caller's own test absorbs. */
#define CLS_MASK 0x07FFFFFFu      /* not CL_NORP_SUFFIX: a suffix class, never a token's */
#define GAZ_DONE 0x40000000u
#define CLS_DONE 0x80000000u
#define GAZ_ENTRY_MASK 0x00FFFFFFu
#define GAZ_LEN_SHIFT 24          /* 4 bits: ENT_MAX_SEQ fits */
#define GAZ_TITLE_SHIFT 28        /* 4 bits */
_Static_assert(ENT_MAX_SEQ < 16, "match and title lengths fit a nibble");

typedef struct {
    const ent_kb_t *kb;
    ent_scratch_t *s;
    const char *text;
    size_t len;
    ent_tok_t *toks;
    size_t nt;
    int32_t *rule_end;      /* per token: end token of the best rule match (set only
                               where the token has TF__RULE) */
    int32_t *rule_es, *rule_ee;   /* its entity span */
    uint8_t *rule_type;
    uint32_t *dropped;      /* sentence-initial ordinary words skipped */
    size_t dropped_n, dropped_cap;
    char acro[1024];        /* acronyms built by coreference */
    size_t acro_len;
} ent_ctx_t;

/* The lexicon classes of token i (CL_* and the function-word role).  Asked
 * very often: the memo is read inline, the lookup (which fills it) is out
 * of line. */
void ent_tok_cls_slow(ent_ctx_t *c, size_t i);
static inline unsigned ent_tok_cls(ent_ctx_t *c, size_t i)
{
    const ent_tok_t *t = &c->toks[i];
    /* the slow path fills the memo and the answer is read from it either
     * way, so a caller testing a few class bits reads only those */
    if (__builtin_expect(!(t->cls & CLS_DONE), 0)) ent_tok_cls_slow(c, i);
    return t->cls & CLS_MASK;
}
/* Longest gazetteer match at token i: the entity length in tokens, its
 * entry, the longest title length.  Memoized per token (chunking and
 * segmenting ask about the same tokens): the memo is read inline. */
void ent_gaz_match_slow(ent_ctx_t *c, size_t i);
static inline size_t ent_gaz_match(ent_ctx_t *c, size_t i, int32_t *entry, size_t *title_len)
{
    const ent_tok_t *t = &c->toks[i];
    if (__builtin_expect(!(t->cls & GAZ_DONE), 0)) ent_gaz_match_slow(c, i);
    uint32_t g = (uint32_t)t->gaz_entry;
    *entry = (int32_t)(g << 8) >> 8;         /* the low 24 bits, sign extended */
    if (title_len) *title_len = g >> GAZ_TITLE_SHIFT;
    return (g >> GAZ_LEN_SHIFT) & 15;
}
/* Run the rules at the tokenizer's candidate tokens (ent_rules.c): fills
 * rule_end, rule_es, rule_ee and rule_type.  -2 with err filled when a rule
 * hits its match limit. */
int ent_run_rules(ent_ctx_t *c, char *err, size_t errlen);
int ent_coref(ent_ctx_t *c);

/* The scratch's mention array is full: double it.  0, or -1 out of memory. */
int ent_ments_grow(ent_scratch_t *s);

#endif
