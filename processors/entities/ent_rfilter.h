/* ent_rfilter.h -- an exact prefilter for the rules of one trigger list: a
 * DFA over bytes that says which of the list's rules may match at a token.
 *
 * Built at load time from the rules' pattern text.  Each rule is read as a
 * regular language that contains every match PCRE2 can give (lookarounds,
 * \b and anchors are dropped, classes widened to whole UTF-8 characters), so
 * a rule whose language no prefix of the text reaches cannot match there and
 * need not be called; a rule the reader does not understand is always
 * called.  The walk stops as soon as no rule is left undecided. */
#ifndef ENT_RFILTER_H
#define ENT_RFILTER_H

#include <stddef.h>
#include <stdint.h>

#define ENT_RFILTER_MAX_RULES 32
#define ENT_RFILTER_DONE 0x8000u    /* next-state flag: nothing left undecided */

typedef struct {
    uint16_t *next;         /* nlive * ncls transitions (ENT_RFILTER_DONE flagged) */
    uint32_t *mask;         /* per state: the rules that may match on the way to it */
    uint32_t always;        /* rules the filter cannot judge: always called */
    uint16_t start;         /* start state (ENT_RFILTER_DONE flagged when done) */
    uint16_t ncls;          /* byte classes */
    uint32_t nstates;       /* states 0..nlive-1 have something undecided (a row in next) */
    uint32_t nlive;
    uint8_t cls[256];       /* byte -> class */
} ent_rfilter_t;

/* Prototypes */

/* Build the filter of the n (<= 32) patterns src[] (compiled by the caller
 * with PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ANCHORED and no other
 * option).  Returns 0, or -1 when no filter can be built (then the caller
 * calls every rule). */
int ent_rfilter_build(ent_rfilter_t *f, const char *const *src, size_t n);
void ent_rfilter_free(ent_rfilter_t *f);

/* The walk: from state st (f->start at a token) over s[0..n); stops early
 * once nothing is left undecided (ent_rfilter_done). */
static inline uint32_t ent_rfilter_walk(const ent_rfilter_t *f, uint32_t st,
                                        const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n && !(st & ENT_RFILTER_DONE); i++)
        st = f->next[st * f->ncls + f->cls[s[i]]];
    return st;
}

static inline int ent_rfilter_done(uint32_t st) { return (st & ENT_RFILTER_DONE) != 0; }

/* The rules (bit i: src[i]) that may match at the start of the bytes walked
 * to reach st, the subject ending where the walk did. */
static inline uint32_t ent_rfilter_mask(const ent_rfilter_t *f, uint32_t st)
{
    return f->mask[st & ~ENT_RFILTER_DONE] | f->always;
}

/* Bytes of the filter's tables (tests, stats). */
static inline size_t ent_rfilter_bytes(const ent_rfilter_t *f)
{
    return (size_t)f->nlive * f->ncls * sizeof *f->next + (size_t)f->nstates * sizeof *f->mask;
}

static inline uint32_t ent_rfilter_run(const ent_rfilter_t *f, const unsigned char *s, size_t n)
{
    return ent_rfilter_mask(f, ent_rfilter_walk(f, f->start, s, n));
}

#endif
