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
#define ENT_RFILTER_UNIT 8      /* a row's offset is kept in these units of bytes */

/* A transition to a state with something undecided holds its row's byte
 * offset in next / ENT_RFILTER_UNIT (rows are padded to a multiple of it),
 * so a step of the walk is one load, from the byte's class's column at
 * that offset, with no multiply or add on the chain of loads.  One at fin
 * or above goes to the final state nlive + (the value - fin). */
typedef struct {
    uint16_t *next;         /* nlive rows of rowbytes (ncls transitions, then padding) */
    uint32_t *mask;         /* per state: the rules that may match on the way to it */
    uint32_t always;        /* rules the filter cannot judge: always called */
    uint32_t fin;           /* transitions >= fin: to a final state */
    uint32_t rowbytes;      /* a row's bytes, a multiple of ENT_RFILTER_UNIT */
    uint16_t start;         /* the start state, as a transition */
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

/* One step of a walk: from st (not final) on byte b.  The class's column
 * first, then the row: the empty asm keeps the compiler from adding the
 * class to the row's offset instead, which would put an add on the chain
 * of loads. */
static inline uint32_t ent_rfilter_step(const ent_rfilter_t *f, uint32_t st, unsigned char b)
{
    const char *col = (const char *)(f->next + f->cls[b]);
    __asm__("" : "+r"(col));
    return *(const uint16_t *)(col + (size_t)st * ENT_RFILTER_UNIT);
}

/* The walk: from state st (f->start at a token) over s[0..n); stops early
 * once nothing is left undecided (ent_rfilter_done). */
static inline uint32_t ent_rfilter_walk(const ent_rfilter_t *f, uint32_t st,
                                        const unsigned char *s, size_t n)
{
    uint32_t fin = f->fin;
    for (size_t i = 0; i < n; i++) {
        if (__builtin_expect(st >= fin, 0)) break;
        st = ent_rfilter_step(f, st, s[i]);
    }
    return st;
}

static inline int ent_rfilter_done(const ent_rfilter_t *f, uint32_t st) { return st >= f->fin; }

/* The state a walk ended in: a final one, or (rarely: the subject ended
 * first) the one whose row it stands at. */
static inline uint32_t ent_rfilter_state(const ent_rfilter_t *f, uint32_t st)
{
    if (__builtin_expect(st >= f->fin, 1)) return st - f->fin + f->nlive;
    return st * ENT_RFILTER_UNIT / f->rowbytes;
}

/* The rules (bit i: src[i]) that may match at the start of the bytes walked
 * to reach st, the subject ending where the walk did. */
static inline uint32_t ent_rfilter_mask(const ent_rfilter_t *f, uint32_t st)
{
    return f->mask[ent_rfilter_state(f, st)] | f->always;
}

/* Bytes of the filter's tables (tests, stats). */
static inline size_t ent_rfilter_bytes(const ent_rfilter_t *f)
{
    return (size_t)f->nlive * f->rowbytes + (size_t)f->nstates * sizeof *f->mask;
}

static inline uint32_t ent_rfilter_run(const ent_rfilter_t *f, const unsigned char *s, size_t n)
{
    return ent_rfilter_mask(f, ent_rfilter_walk(f, f->start, s, n));
}

#endif
