/* qx_extract.c -- the extractor: scans the marks, attributes each quote,
 * merges split quotes, lets cue-less quote paragraphs inherit their
 * speaker, and names speakers (pronouns resolved to the nearest fitting
 * earlier entity, bare names linked to an entity's canonical name). */
#include "qx_ctx.h"

#include <stdlib.h>
#include <string.h>

/* Nearest earlier entity that fits the pronoun. */
static int resolve_pronoun(ctx_t *c, const qx_quote_t *q)
{
    qx_tok_t t = {q->sp_start, q->sp_end, T_WORD, 0, -1, 0};
    uint32_t k = qx_tok_cls(c->lx, c->b, &t);
    size_t lo = 0, hi = c->nents;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->ents[mid].start < q->sp_start) lo = mid + 1;
        else hi = mid;
    }
    /* Bounded: a list with no fitting entity must not cost a full scan per
     * pronoun. */
    for (size_t i = lo, n = 0; i > 0 && n < 400; i--, n++) {
        const qx_ent_t *e = qx_ent_f(c, i - 1, QX_EF_END);
        if (e->end > q->sp_start) continue;
        e = qx_ent_f(c, i - 1, QX_EF_TYPE);
        if ((k & QX_W_PRON_PERSON) && e->type == QX_E_PERSON) return (int)(i - 1);
        if ((k & QX_W_PRON_ORG) && (e->type == QX_E_ORG || e->type == QX_E_GPE)) return (int)(i - 1);
        if ((k & QX_W_PRON_GROUP) &&
            (e->type == QX_E_ORG || e->type == QX_E_GPE || e->type == QX_E_NORP))
            return (int)(i - 1);
    }
    return -1;
}

/* Does the canonical name w[0..wn) contain s[0..n) as whole words? */
static int has_words(const char *w, size_t wn, const char *s, size_t n)
{
    for (size_t i = 0; i + n <= wn; i++) {
        if ((i == 0 || w[i - 1] == ' ') && (i + n == wn || w[i + n] == ' ') && memcmp(w + i, s, n) == 0)
            return 1;
    }
    return 0;
}

/* The PERSON or ORG entity, nearest before (else after) the name, whose
 * canonical name contains it; -1 if none. */
static int link_name(ctx_t *c, uint32_t s, uint32_t e)
{
    const char *n = c->b + s;
    size_t len = e - s;
    if (len < 2) return -1;
    int best = -1;
    /* Look at the mentions near the name only (at most 600 before it). */
    size_t lo = 0, hi = c->nents;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->ents[mid].start < s) lo = mid + 1;
        else hi = mid;
    }
    size_t from = lo > 600 ? lo - 600 : 0, to = lo + 200 < c->nents ? lo + 200 : c->nents;
    for (size_t i = from; i < to; i++) {
        const qx_ent_t *en = qx_ent_f(c, i, QX_EF_TYPE);
        if (en->type != QX_E_PERSON && en->type != QX_E_ORG) continue;
        en = qx_ent_f(c, i, QX_EF_CANON);
        if (!en->canon) continue;
        if (!has_words(en->canon, en->canon_len, n, len)) continue;
        if (en->start < s) best = (int)i;
        else if (best < 0) return (int)i;
        else break;
    }
    return best;
}

static void set_name(ctx_t *c, qx_quote_t *q, int ent, const qx_quote_t *last_named)
{
    q->name = NULL;
    q->name_len = 0;
    switch (q->sp_kind) {
    case QX_SP_ENTITY:
        if (ent >= 0 && qx_ent(c, ent)->canon) {
            q->name = qx_ent(c, ent)->canon;
            q->name_len = qx_ent(c, ent)->canon_len;
        } else {
            q->name = c->b + q->sp_start;
            q->name_len = q->sp_end - q->sp_start;
        }
        break;
    case QX_SP_NAME: {
        /* A name the entities entry missed ("Xi said"): link it to an
         * entity whose canonical name has it as a word ("Xi Jinping"). */
        int e = link_name(c, q->sp_start, q->sp_end);
        if (e >= 0) {
            q->name = qx_ent(c, e)->canon;
            q->name_len = qx_ent(c, e)->canon_len;
        } else {
            q->name = c->b + q->sp_start;
            q->name_len = q->sp_end - q->sp_start;
        }
        break;
    }
    case QX_SP_PRONOUN: {
        int e = resolve_pronoun(c, q);
        if (e >= 0) {
            q->name = qx_ent(c, e)->canon ? qx_ent(c, e)->canon : c->b + qx_ent(c, e)->start;
            q->name_len = qx_ent(c, e)->canon ? qx_ent(c, e)->canon_len : qx_ent(c, e)->end - qx_ent(c, e)->start;
        } else if (c->nents == 0 && last_named) {
            /* No entities to resolve against: the last named speaker. */
            q->name = last_named->name;
            q->name_len = last_named->name_len;
        }
        break;
    }
    default:
        break;
    }
}

/* Start of the line holding pos (the byte after the newline before it). */
static uint32_t line_start(const char *b, uint32_t pos)
{
    const char *nl = pos > 0 ? memrchr(b, '\n', pos) : NULL;
    return nl ? (uint32_t)(nl - b) + 1 : 0;
}

/* Start of the last non-blank paragraph before the one holding pos. */
static uint32_t prev_para_start(const char *b, uint32_t pos)
{
    uint32_t s = line_start(b, pos);
    /* s is the start of pos's paragraph; walk back over blank lines. */
    uint32_t e = s;
    for (;;) {
        if (e == 0) return 0;
        uint32_t ps = line_start(b, e - 1);   /* e - 1: the newline ending the previous paragraph */
        int blank = 1;
        for (uint32_t x = ps; x < e - 1 && blank; x++) {
            unsigned char ch = (unsigned char)b[x];
            if (!(ch == ' ' || ch == '\t' || ch == '\r' || ch == 0xC2 || ch == 0xA0)) blank = 0;
        }
        if (!blank) return ps;
        e = ps;
    }
}

int qx_extract(const qx_lex_t *lx, const qx_opts_t *opt, const char *body,
               size_t len, qx_ent_t *ents, size_t nents, qx_quotes_t *out)
{
    return qx_extract_sx(lx, opt, body, len, ents, nents, out, NULL);
}

int qx_extract_sx(const qx_lex_t *lx, const qx_opts_t *opt, const char *body,
                  size_t len, qx_ent_t *ents, size_t nents, qx_quotes_t *out, qx_scratch_t *sx)
{
    out->n = 0;
    out->truncated = 0;
    if (!body || len == 0 || len >= UINT32_MAX) return 0;
    if (qx_scan_marks(lx, body, len, out) != 0) return -1;
    for (size_t i = 0; i < nents; i++) ents[i].ready = QX_EF_ALL;
    qx_entlist_t el = {ents, nents, NULL, NULL};
    return qx_attribute_sx(lx, opt, body, len, &el, out, sx);
}

qx_scratch_t *qx_scratch_new(void)
{
    return calloc(1, sizeof(qx_scratch_t));
}

void qx_scratch_free(qx_scratch_t *sx)
{
    if (!sx) return;
    free(sx->info);
    free(sx->cur.t);
    free(sx->aux.t);
    free(sx->spare.t);
    free(sx);
}

size_t qx_scratch_bytes(const qx_scratch_t *sx)
{
    return sx->info_cap * sizeof(info_t) + (sx->cur.cap + sx->aux.cap + sx->spare.cap) * sizeof(qx_tok_t);
}

int qx_attribute(const qx_lex_t *lx, const qx_opts_t *opt, const char *body,
                 size_t len, qx_entlist_t *el, qx_quotes_t *out)
{
    return qx_attribute_sx(lx, opt, body, len, el, out, NULL);
}

int qx_attribute_sx(const qx_lex_t *lx, const qx_opts_t *opt, const char *body,
                    size_t len, qx_entlist_t *el, qx_quotes_t *out, qx_scratch_t *sx)
{
    if (out->n == 0) return 0;
    ctx_t c;
    memset(&c, 0, sizeof(c));
    c.lx = lx;
    c.opt = opt;
    c.b = body;
    c.len = len;
    c.ents = el->e;
    c.nents = el->n;
    c.el = el;
    c.qs = out;
    if (sx) {
        if (sx->info_cap < out->n) {
            size_t nc = out->n < 64 ? 64 : out->n;
            info_t *ni = malloc(nc * sizeof(*ni));
            if (ni) {
                free(sx->info);
                sx->info = ni;
                sx->info_cap = nc;
            }
        }
        c.info = sx->info_cap >= out->n ? sx->info : NULL;
        if (c.info) memset(c.info, 0, out->n * sizeof(*c.info));
        c.cur = sx->cur;   /* the buffers only: no window is valid yet */
        c.aux = sx->aux;
        c.spare = sx->spare;
        c.cur.n = c.aux.n = c.spare.n = 0;
        c.cur.valid = c.aux.valid = c.spare.valid = 0;
    } else {
        c.info = calloc(out->n, sizeof(*c.info));
    }
    int rc = c.info ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < out->n; i++) {
        c.info[i].title = out->q[i].title;
        if (out->q[i].title) continue;
        rc = qx_attribute_quote(&c, i);
    }
    if (rc != 0) goto done;

    /* Merge split quotes, inherit speakers, drop what is not a quote. */
    size_t w = 0;
    long prev = -1;       /* output index of the previous kept quote */
    long prev_raw = -1;   /* its raw index (the last piece merged into it) */
    const qx_quote_t *last_named = NULL;
    for (size_t i = 0; i < out->n; i++) {
        if (out->q[i].title) continue;
        /* Worked on in place: a quote dropped here is never read again, and
         * one kept is moved down to w <= i. */
        qx_quote_t *q = &out->q[i];
        info_t *in = &c.info[i];
        long pi_raw = (long)i - 1;   /* the previous raw quote, titles aside */
        while (pi_raw >= 0 && c.info[pi_raw].title) pi_raw--;
        if (prev >= 0 && prev_raw == pi_raw) {
            qx_quote_t *p = &out->q[prev];
            const info_t *pi = &c.info[prev_raw];
            int mergeable = in->adjacent && !q->partial && !in->own_trail &&
                            pi->how != A_NONE && p->sp_kind != QX_SP_NONE &&
                            in->gap_clean && p->last_para == q->para && !p->partial &&
                            !in->gap_intro && (pi->how == A_TRAIL || in->how == A_NONE) &&
                            p->nspans + q->nspans <= QX_MAX_SPANS;
            if (mergeable) {
                for (int s = 0; s < q->nspans; s++) {
                    p->span[p->nspans][0] = q->span[s][0];
                    p->span[p->nspans][1] = q->span[s][1];
                    p->outer[p->nspans][0] = q->outer[s][0];
                    p->outer[p->nspans][1] = q->outer[s][1];
                    p->nspans++;
                }
                p->close_end = q->close_end;
                p->last_para = q->last_para;
                p->unclosed = q->unclosed;
                *in = *pi;   /* later quotes see the merged quote's facts */
                prev_raw = (long)i;
                continue;
            }
        }
        if (q->sp_kind == QX_SP_NONE && !q->partial && prev >= 0 && in->para_initial &&
            c.info[prev_raw].how != A_NONE) {
            /* A cue-less quote paragraph right after a paragraph that ends
             * an attributed quote inherits its speaker. */
            const qx_quote_t *p = &out->q[prev];
            if (p->sp_kind != QX_SP_NONE && p->close_end >= prev_para_start(body, q->open)) {
                q->sp_kind = p->sp_kind;
                q->sp_start = p->sp_start;
                q->sp_end = p->sp_end;
                q->name = p->name;
                q->name_len = p->name_len;
                q->inherited = 1;
                q->cue_start = q->cue_end = 0;
                in->how = A_INHERIT;
            }
        }
        int attributed = q->sp_kind != QX_SP_NONE || q->cue_end != 0;
        if (!attributed && (q->partial || q->unclosed) && !opt->keep_unattributed) {
            in->how = A_NONE;
            continue;
        }
        if (!q->inherited) set_name(&c, q, in->ent, last_named);
        if (w != i) out->q[w] = *q;   /* w < i: only quotes already read are overwritten */
        if (out->q[w].name && out->q[w].sp_kind != QX_SP_PRONOUN) last_named = &out->q[w];
        prev = (long)w;
        prev_raw = (long)i;
        w++;
    }
    out->n = w;
done:
    if (sx) {
        sx->cur = c.cur;
        sx->aux = c.aux;
        sx->spare = c.spare;
    } else {
        free(c.info);
        free(c.cur.t);
        free(c.aux.t);
        free(c.spare.t);
    }
    return rc;
}

