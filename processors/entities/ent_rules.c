/* ent_rules.c -- run the PCRE2 rules (the .rules files in config/entities/rules) at the
 * tokens that trigger them, and keep each token's longest match.
 *
 * A token triggers the rules listed under its word (its hash) and under its
 * shape (#digit, #cap, #upper).  A list's prefilter (ent_rfilter.c), a DFA
 * walked from the token, names the few rules that may match there, and only
 * those are called, one by one.  A list without a prefilter runs as one
 * combined pattern (ent_kb.c) whose callouts record every alternative that
 * matches.  Either way each rule gives exactly its own first match. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "ent.h"
#include "ent_kb.h"
#include "ent_tag.h"

#define RULE_WINDOW 256

/* What the callouts of a combined pattern record: for alternative a (bit a
 * of found), the match end me and the entity span [es, ee). */
typedef struct {
    const ent_combo_t *co;
    const ent_kb_t *kb;
    const ent_trig_pair_t *list;
    uint32_t found;
    size_t me[ENT_COMBO_MAX], es[ENT_COMBO_MAX], ee[ENT_COMBO_MAX];
} combo_state_t;

static int combo_callout(pcre2_callout_block *cb, void *data)
{
    combo_state_t *st = data;
    uint32_t a = cb->callout_number - 1;
    if (a >= st->co->n) return 1;
    const ent_rule_t *ru = &st->kb->rules[st->list[a].rule];
    size_t me = cb->current_position, es = cb->start_match, ee = me;
    size_t eg = st->co->base[a] + (size_t)ru->egroup;
    if (ru->egroup && eg < cb->capture_top && cb->offset_vector[2 * eg] != PCRE2_UNSET) {
        es = cb->offset_vector[2 * eg];
        ee = cb->offset_vector[2 * eg + 1];
    }
    st->found |= 1u << a;
    st->me[a] = me;
    st->es[a] = es;
    st->ee[a] = ee;
    return 1;       /* fail: go on with the next rule */
}

/* A rule matched up to me at token i with entity [es, ee): keep it when it
 * is longer than the best so far and its entity is whole tokens. */
static void take_match(ent_ctx_t *c, size_t i, int type, size_t me, size_t es, size_t ee,
                       size_t *best_end)
{
    if (me <= *best_end || ee <= es) return;
    /* snap to tokens: entity start must be a token start, end a token end */
    size_t k = i;
    while (k < c->nt && c->toks[k].start < es) k++;
    if (k >= c->nt || c->toks[k].start != es) return;
    size_t m = k;
    while (m < c->nt && c->toks[m].end <= ee) m++;
    if (m == k) return;
    size_t me_tok = m;
    while (me_tok < c->nt && c->toks[me_tok].end <= me) me_tok++;
    *best_end = me;
    c->rule_end[i] = (int32_t)me_tok;
    c->toks[i].flags |= TF__RULE;     /* lets ent_tag's scan skip on flags alone */
    c->rule_es[i] = (int32_t)k;
    c->rule_ee[i] = (int32_t)m;
    c->rule_type[i] = (uint8_t)type;
}

/* The end of token i's rule window: a rule sees at most RULE_WINDOW bytes
 * from its token (cut at a token start), as no entity is that long, and a
 * pattern that can run on to the end of the body ("1 1 1 ...") would make
 * this pass quadratic in the body length.  *wj: the first token at or past
 * the last window's end (token starts only grow, so it only moves on). */
static size_t window_end(const ent_ctx_t *c, size_t i, size_t *wj)
{
    size_t w = *wj > i ? *wj : i + 1;
    size_t lim = (size_t)c->toks[i].start + RULE_WINDOW;
    if (w < c->nt && c->toks[w].start < lim) {
        /* the answer is past w.  Start from a guess short of it (tokens take
         * about six bytes with their space; eight makes it short), gallop
         * on from there or halve back below it */
        size_t g = w + ((lim - c->toks[w].start) >> 3), hi;
        if (g >= c->nt) g = c->nt - 1;
        if (c->toks[g].start < lim) {
            size_t step = 1;
            w = g;
            while (w + step < c->nt && c->toks[w + step].start < lim) {
                w += step;
                step *= 2;
            }
            hi = w + step < c->nt ? w + step : c->nt;    /* start >= lim or nt */
        } else {
            hi = g;
        }
        /* the answer is in (w, hi] */
        while (hi - w > 1) {
            size_t mid = w + (hi - w) / 2;
            if (c->toks[mid].start < lim) w = mid;
            else hi = mid;
        }
        w = hi;
    }
    *wj = w;
    return w < c->nt ? c->toks[w].start : c->len;
}

/* The rules of a list that may match at token i, from its prefilter.  The
 * walk first runs to RULE_WINDOW bytes on (never past the window's end) and
 * almost always decides there, so the window is found only when a rule may
 * match (or, rarely, when the walk needs it). */
static uint32_t filter_rules(const ent_rfilter_t *f, const ent_ctx_t *c, size_t i,
                             size_t *wj, size_t *wend)
{
    const unsigned char *s = (const unsigned char *)c->text;
    size_t from = c->toks[i].start;
    size_t lim = c->len - from > RULE_WINDOW ? from + RULE_WINDOW : c->len;
    uint32_t st = ent_rfilter_walk(f, f->start, s + from, lim - from);
    if (!ent_rfilter_done(f, st) && lim < c->len) {
        if (!*wend) *wend = window_end(c, i, wj);      /* >= lim: a token start past it, or len */
        st = ent_rfilter_walk(f, st, s + lim, *wend - lim);
    }
    return ent_rfilter_mask(f, st);
}

/* Rule ru alone at token i (subject up to wend).  Returns 0, or -2 with err
 * when it hits a match limit. */
static int run_rule(ent_ctx_t *c, const ent_rule_t *ru, size_t i, size_t wend,
                    size_t *best_end, char *err, size_t errlen)
{
    const ent_tok_t *t = &c->toks[i];
    pcre2_match_data *md = c->s->md;
    pcre2_match_context *mc = c->s->mctx;
    if (!ent_first_ok(ru->first, (unsigned char)c->text[t->start])) return 0;
    int rc = ru->jit ? pcre2_jit_match(ru->re, (PCRE2_SPTR)c->text, wend, t->start, 0, md, mc)
                     : pcre2_match(ru->re, (PCRE2_SPTR)c->text, wend, t->start, 0, md, mc);
    if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_PARTIAL) return 0;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_HEAPLIMIT) {
        snprintf(err, errlen, "regex_limit: rule %s hit its match limit at byte %u",
                 ru->where, t->start);
        return -2;
    }
    if (rc < 0) return 0;     /* other failures: treat as no match */
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    size_t ms = ov[0], me = ov[1], es = ms, ee = me;
    if (ru->egroup && ru->egroup < rc && ov[2 * ru->egroup] != PCRE2_UNSET) {
        es = ov[2 * ru->egroup];
        ee = ov[2 * ru->egroup + 1];
    }
    take_match(c, i, ru->type, me, es, ee, best_end);
    return 0;
}

/* The rules of a list without a prefilter, as its combined pattern: one
 * call whose callouts record every rule's match.  Returns 1 when done, 0
 * when the rules must be asked one by one (a limit or an odd result). */
static int run_combo(ent_ctx_t *c, const ent_trig_pair_t *list, int32_t cb, size_t i,
                     size_t wend, size_t *best_end)
{
    const ent_kb_t *kb = c->kb;
    pcre2_match_context *mc = c->s->mctx;
    combo_state_t st;
    st.co = &kb->combos[cb];
    st.kb = kb;
    st.list = list;
    st.found = 0;
    pcre2_set_callout(mc, combo_callout, &st);
    const ent_combo_t *co = st.co;
    size_t from = c->toks[i].start;
    int rc = co->jit ? pcre2_jit_match(co->re, (PCRE2_SPTR)c->text, wend, from, 0, c->s->md, mc)
                     : pcre2_match(co->re, (PCRE2_SPTR)c->text, wend, from, 0, c->s->md, mc);
    /* st dies here; a rule run alone keeps its own callouts inert */
    pcre2_set_callout(mc, NULL, NULL);
    if (rc != PCRE2_ERROR_NOMATCH) return 0;
    /* the rules that matched, in list order */
    for (uint32_t f = st.found; f; f &= f - 1) {
        unsigned a = (unsigned)__builtin_ctz(f);
        take_match(c, i, kb->rules[list[a].rule].type, st.me[a], st.es[a], st.ee[a], best_end);
    }
    return 1;
}

int ent_run_rules(ent_ctx_t *c, char *err, size_t errlen)
{
    const ent_kb_t *kb = c->kb;
    size_t wj = 0;   /* first token at or past the last rule window's end */
    /* rule_end[i] is read only where take_match set TF__RULE: no reset */
    /* Only the tokenizer's candidates: a trigger word (filter hit) or a
     * shape that triggers rules (#digit, #cap, #upper). */
    const uint32_t *cand = c->s->cand;
    size_t ncand = c->s->cand_n;
    for (size_t ci = 0; ci < ncand; ci++) {
        size_t i = cand[ci];
        const ent_tok_t *t = &c->toks[i];
        const ent_trig_pair_t *lists[4];
        size_t ns[4], nl = 0;
        lists[nl] = ent_kb_triggers(kb, t->h, &ns[nl]);    /* none for a filter miss */
        if (ns[nl]) nl++;
        if (t->flags & kb->shape_flags) {
            if ((t->flags & TF_DIGIT) && kb->n_digit) { lists[nl] = kb->trig_digit; ns[nl++] = kb->n_digit; }
            if ((t->flags & TF_CAP) && kb->n_cap) { lists[nl] = kb->trig_capl; ns[nl++] = kb->n_cap; }
            if ((t->flags & TF_UPPER) && kb->n_upper) { lists[nl] = kb->trig_upper; ns[nl++] = kb->n_upper; }
        }
        if (!nl) continue;   /* a false hit of the trigger filter: touch nothing more */
        size_t wend = 0;     /* the window's end, found when first needed */
        size_t best_end = 0;
        unsigned char b0 = (unsigned char)c->text[t->start];
        for (size_t l = 0; l < nl; l++) {
            const ent_trig_pair_t *list = lists[l];
            size_t pi = (size_t)(list - kb->trig_pairs);
            int32_t cb = kb->pair_combo[pi], fi = kb->pair_filter[pi];
            if (cb >= 0 && !ent_first_ok(kb->combos[cb].first, b0)) continue;   /* no rule can */
            if (fi >= 0) {
                /* only the rules that may match here, in list order */
                uint32_t want = filter_rules(&kb->filters[fi], c, i, &wj, &wend);
                if (want && !wend) wend = window_end(c, i, &wj);
                for (; want; want &= want - 1) {
                    const ent_rule_t *ru = &kb->rules[list[__builtin_ctz(want)].rule];
                    if (run_rule(c, ru, i, wend, &best_end, err, errlen) < 0) return -2;
                }
                continue;
            }
            if (!wend) wend = window_end(c, i, &wj);
            if (cb >= 0 && run_combo(c, list, cb, i, wend, &best_end)) continue;
            for (size_t r = 0; r < ns[l]; r++)
                if (run_rule(c, &kb->rules[list[r].rule], i, wend, &best_end, err, errlen) < 0)
                    return -2;
        }
    }
    return 0;
}
