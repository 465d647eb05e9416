/* qx_attr.c -- attribution patterns: finds the cue and the speaker of one
 * quote from the tokens around it (qx_tok.c).
 *
 *   after the quote   "…," X said / "…," said X, <title> / "…," according to X
 *   before the quote  X said: "…" / X told reporters "…" / X, who said "…"
 *   around it         "Cruz continued:" / "X agreed. "…"" / "- Jane Roe."
 * Speaker phrases come from qx_np.c. */
#include "qx_ctx.h"
#include "qx_scan.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define TRAIL_CUE 25    /* a cue after a full quote must come this early */
#define TRAIL_CUE_PARTIAL 6

typedef struct {
    sp_t sp;
    uint32_t cue_s, cue_e;
} attr_t;

static int attr_lead_cue(ctx_t *c, qx_toks_t *tk, long qa, long lo, size_t qi, attr_t *a);

/* Index of the token holding piece `piece` of quote qi in tk, or -1.
 * Tokens are in body order, non-empty and disjoint, so their ends rise:
 * every token before the first one ending past the piece's open mark ends
 * before the piece, and the search starts there. */
static long atom_index(ctx_t *c, qx_toks_t *tk, size_t qi, int piece)
{
    uint32_t open = c->qs->q[qi].outer[piece][0];
    size_t lo = 0, hi = tk->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (tk->t[mid].e <= open) lo = mid + 1;
        else hi = mid;
    }
    for (size_t i = lo; i < tk->n; i++)
        if ((tk->t[i].f & T_QUOTE) && tk->t[i].q == (int32_t)qi && tk->t[i].piece == piece)
            return (long)i;
    return -1;
}

/* The sentence start before token i (exclusive bound). */
static long sentence_start(qx_toks_t *tk, long i)
{
    long lo = i;
    while (lo > 0 && i - lo < LEAD_MAX && !(tk->t[lo - 1].f & (T_END | T_SEMI | T_QUOTE))) lo--;
    return lo;
}

/* After the quote: "…," X said / said X / according to X. */
static int attr_trail(ctx_t *c, qx_toks_t *tk, long qz, int partial, int ends_sentence, attr_t *a)
{
    size_t k = (size_t)qz + 1;
    while (k < tk->n && (tk->t[k].f & (T_COMMA | T_DASH))) k++;
    size_t hi = k;
    while (hi < tk->n && hi - k < TRAIL_MAX && !(tk->t[hi].f & (T_END | T_SEMI | T_QUOTE))) hi++;
    /* A quote that ends its own sentence ("…." Trump said.) takes only a
     * short tag after it. */
    if (ends_sentence && hi - k > 8) return 0;
    size_t lim = k + (partial ? TRAIL_CUE_PARTIAL : TRAIL_CUE);
    if (lim > hi) lim = hi;
    for (size_t ci = k; ci < lim; ci++) {
        qx_tok_t *t = &tk->t[ci];
        if (t->f & T_COLON) break;
        size_t last;
        uint32_t ck = qx_cue_at(c, tk, ci, &last);
        if (!ck) continue;
        /* "…," Read said: a capitalised cue word before a cue is a name. */
        if ((t->f & T_CAP) && last + 1 < hi && qx_cue_at(c, tk, last + 1, &last)) {
            last = ci;
            continue;
        }
        a->cue_s = t->s;
        a->cue_e = tk->t[last].e;
        if (ck & QX_W_CUE_PREP) return qx_np_fwd(c, tk, last + 1, hi, &a->sp);
        size_t first = k;
        while (first < ci && qx_skippable(c, &tk->t[first])) first++;
        if (first == ci) return qx_np_fwd(c, tk, last + 1, hi, &a->sp);
        if (qx_subject_back(c, tk, (long)ci, (long)k, (t->f & T_ING) != 0, &a->sp)) return 1;
        return qx_np_fwd(c, tk, k, ci, &a->sp);
    }
    return 0;
}

/* Before the quote: the nearest cue in the sentence and its subject. */
static int attr_lead(ctx_t *c, qx_toks_t *tk, long qa, long lo, size_t qi, attr_t *a)
{
    /* "Polls agree - Carl Bialik: "…"": a name alone before the colon. */
    if (qa - 2 >= lo && (tk->t[qa - 1].f & T_COLON) && qx_np_back(c, tk, qa - 2, lo, &a->sp) &&
        (a->sp.kind == QX_SP_ENTITY || a->sp.kind == QX_SP_NAME)) {
        long m = qa - 2;
        while (m > lo && tk->t[m - 1].e > a->sp.s) m--;
        if (m == lo || (tk->t[m - 1].f & T_DASH)) return 1;
    }
    memset(&a->sp, 0, sizeof(a->sp));
    a->sp.ent = -1;
    int found = attr_lead_cue(c, tk, qa, lo, qi, a);
    if (found) return found;
    /* No cue: "Republican pollster Daron Shaw: "…"", "She then addressed
     * the crowd: "…"". */
    if (qa > lo && (tk->t[qa - 1].f & T_COLON) && a->cue_e == 0) {
        if (qx_np_back(c, tk, qa - 2, lo, &a->sp)) return 1;
        if (qx_clause_subject(c, tk, lo, qa - 1, &a->sp)) return 1;
    }
    /* "Hillary shot back, "…"": a comma before a full quote. */
    if (qa > lo + 1 && (tk->t[qa - 1].f & T_COMMA) && a->cue_e == 0 && !c->qs->q[qi].partial) {
        if (qx_clause_subject(c, tk, lo, qa - 1, &a->sp)) return 1;
    }
    return 0;
}

static int attr_lead_cue(ctx_t *c, qx_toks_t *tk, long qa, long lo, size_t qi, attr_t *a)
{
    for (long j = qa - 1; j >= lo; j--) {
        size_t last;
        uint32_t ck = qx_cue_at(c, tk, (size_t)j, &last);
        if (!ck || (long)last >= qa) continue;
        qx_tok_t *t = &tk->t[j];
        a->cue_s = t->s;
        a->cue_e = tk->t[last].e;
        if (ck & QX_W_CUE_PREP) return qx_np_fwd(c, tk, last + 1, (size_t)qa, &a->sp);
        int participle = (t->f & T_ING) != 0;
        long pk = j - 1;
        while (pk > lo && (tk->t[pk].f & T_WORD) && qx_skippable(c, &tk->t[pk])) pk--;
        int after_comma = pk >= lo && (tk->t[pk].f & T_COMMA);
        /* "She sent an email saying": the participle's subject is the
         * clause's subject, not the object before it. */
        if (participle && !after_comma && j > lo && qx_clause_subject(c, tk, lo, j, &a->sp)) return 1;
        if (!(participle && after_comma) && qx_subject_back(c, tk, j, lo, participle, &a->sp)) return 1;
        /* adding / saying with no subject of its own: the subject of an
         * earlier cue in the sentence, or of the quote just before. */
        for (long k = j - 1; k >= lo; k--) {
            size_t l2;
            if (qx_cue_at(c, tk, (size_t)k, &l2) & QX_W_CUE) {
                if (qx_subject_back(c, tk, k, lo, (tk->t[k].f & T_ING) != 0, &a->sp)) return 1;
                break;
            }
        }
        if (lo > 0 && (tk->t[lo - 1].f & T_QUOTE) && tk->t[lo - 1].q >= 0 &&
            (size_t)tk->t[lo - 1].q < qi) {
            const qx_quote_t *pq = &c->qs->q[tk->t[lo - 1].q];
            if (pq->sp_kind != QX_SP_NONE) {
                qx_sp_set(&a->sp, pq->sp_kind, pq->sp_start, pq->sp_end,
                       c->info[tk->t[lo - 1].q].ent);
                return 1;
            }
        }
        /* Said Smith: "…" */
        if (j == lo && !participle && (size_t)last + 1 < (size_t)qa &&
            (tk->t[qa - 1].f & (T_COLON | T_COMMA)) && qx_np_fwd(c, tk, last + 1, (size_t)qa, &a->sp))
            return 1;
        /* "Obama ended his list by saying", "Roe reacted, saying:": the
         * subject of the clause the cue ends. */
        if (j > lo) {
            if (after_comma && qx_clause_subject(c, tk, lo, pk, &a->sp)) return 1;
            if (qx_sentence_subject(c, tk, lo, j, &a->sp)) return 1;
        }
        /* Calling Xi a "tough negotiator," Trump said: try after. */
        return 0;
    }
    return 0;
}

static void para_bounds(ctx_t *c, uint32_t pos, uint32_t *ps, uint32_t *pe)
{
    /* Quotes come in paragraph order: the last paragraph found is usually
     * the one asked for again.  [ps, pe] holds every pos with these bounds. */
    if (c->para_valid && pos >= c->para_s && pos <= c->para_e) {
        *ps = c->para_s;
        *pe = c->para_e;
        return;
    }
    const char *pl = pos > 0 ? memrchr(c->b, '\n', pos) : NULL;
    const char *nl = pos < c->len ? memchr(c->b + pos, '\n', c->len - pos) : NULL;
    *ps = pl ? (uint32_t)(pl - c->b) + 1 : 0;
    *pe = nl ? (uint32_t)(nl - c->b) : (uint32_t)c->len;
    c->para_s = *ps;
    c->para_e = *pe;
    c->para_valid = 1;
}

/* A sentence ends at body[p] (. ! ? followed by a space), unless the
 * period closes an abbreviation or an initial (Mr. Smith, U.S. officials,
 * John F. Kennedy). */
/* . ! ? : the only bytes that can end a sentence (one load per byte in the
 * window scans below). */
static const unsigned char sent_end_tab[256] = {['.'] = 1, ['!'] = 1, ['?'] = 1};

/* Does the period at b[p] end a sentence (it closes no abbreviation)? */
static int period_ends(ctx_t *c, uint32_t p)
{
    uint32_t w = p - qx_letters_before(c->b, p, QX_ABBREV_MAX + 1);
    if (p - w > QX_ABBREV_MAX) return 1;   /* longer than any abbreviation */
    if (w > 0 && c->b[w - 1] == '.') return 0;
    if (p - w == 1 && c->b[w] >= 'A' && c->b[w] <= 'Z') return 0;
    return !(qx_lex_word(c->lx, c->b + w, p - w) & QX_W_ABBREV);
}

static inline int boundary_at(ctx_t *c, uint32_t p, uint32_t pe)
{
    char ch = c->b[p];
    if (!sent_end_tab[(unsigned char)ch] || p + 1 >= pe || c->b[p + 1] != ' ') return 0;
    if (ch != '.') return 1;
    /* The period that ends one window's sentence is often where the next
     * window's sentence starts: the last answer is kept. */
    if (c->dot_p == p + 1) return c->dot_r;
    c->dot_p = p + 1;
    c->dot_r = period_ends(c, p);
    return c->dot_r;
}

/* Nonzero when one of the 8 bytes at p is . ! or ? (SWAR zero-byte test):
 * the window scans skip such-free blocks whole. */
static inline uint64_t has_sent_end8(const char *p)
{
    uint64_t x, hit = 0;
    memcpy(&x, p, 8);
    static const unsigned char ends[3] = {'.', '!', '?'};
    for (int k = 0; k < 3; k++) {
        uint64_t y = x ^ (0x0101010101010101ULL * ends[k]);
        hit |= (y - 0x0101010101010101ULL) & ~y & 0x8080808080808080ULL;
    }
    return hit;
}

#if defined(__SSE2__)
/* The same test over 16 bytes: bit k set when p[k] is . ! or ?. */
static inline uint32_t sent_end16(const char *p)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('.')),
                               _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('!')),
                                            _mm_cmpeq_epi8(x, _mm_set1_epi8('?'))));
    return (uint32_t)_mm_movemask_epi8(hit);
}
#endif

/* The start of the sentence holding s: one past the last boundary in
 * [lim, s), or lim.  Blocks of 16 bytes are tested whole, and only their
 * . ! ? looked at. */
static uint32_t sentence_open(ctx_t *c, uint32_t s, uint32_t lim, uint32_t pe)
{
    uint32_t ws = s;
    while (ws > lim) {
#if defined(__SSE2__)
        if (ws - lim >= 16) {
            uint32_t base = ws - 16, m = sent_end16(c->b + base);
            while (m) {   /* from the last . ! ? of the block back */
                uint32_t k = 31u - (uint32_t)__builtin_clz(m);
                if (boundary_at(c, base + k, pe)) return base + k + 1;
                m &= ~(1u << k);
            }
            ws = base;
            continue;
        }
#endif
        if (ws - lim >= 8 && !has_sent_end8(c->b + ws - 8)) { ws -= 8; continue; }
        if (boundary_at(c, ws - 1, pe)) return ws;
        ws--;
    }
    return ws;
}

/* The first boundary in [e, elim), or elim. */
static uint32_t sentence_close(ctx_t *c, uint32_t e, uint32_t elim, uint32_t pe)
{
    uint32_t we = e;
    while (we < elim) {
#if defined(__SSE2__)
        if (elim - we >= 16) {
            uint32_t m = sent_end16(c->b + we);
            while (m) {   /* from the first . ! ? of the block on */
                uint32_t k = (uint32_t)__builtin_ctz(m);
                if (boundary_at(c, we + k, pe)) return we + k;
                m &= m - 1;
            }
            we += 16;
            continue;
        }
#endif
        if (elim - we >= 8 && !has_sent_end8(c->b + we)) { we += 8; continue; }
        if (boundary_at(c, we, pe)) return we;
        we++;
    }
    return we;
}

/* Tokenizes what attribution can reach around the quote piece [s, e): back
 * to the sentence start (or to lead_from, the previous quote, when that is
 * closer than LEAD_BYTES), on to the sentence end.  Reuses the current
 * tokens when they cover that. */
#define LEAD_BYTES 400
#define TRAIL_BYTES 300
static int ensure_tokens(ctx_t *c, qx_toks_t *tk, uint32_t s, uint32_t e, uint32_t lead_from)
{
    uint32_t ps, pe, pe2;
    para_bounds(c, s, &ps, &pe);
    if (e > pe) para_bounds(c, e - 1, &pe2, &pe);
    uint32_t lim = s > ps + LEAD_BYTES ? s - LEAD_BYTES : ps;
    uint32_t elim = pe > e + TRAIL_BYTES ? e + TRAIL_BYTES : pe;
    /* ws never goes below lim and we never past elim: a window that already
     * covers [lim, elim) passes the reuse test below whatever they are. */
    if (tk->valid && tk->par_s == ps && tk->ps <= lim && tk->pe >= elim) return 0;
    uint32_t ws = sentence_open(c, s, lim, pe);
    if (ws == lim && lim > ps) {   /* no sentence start found: begin on a word */
        size_t cl;
        while (ws < s && !qx_is_space_at(c->b, c->len, ws, &cl)) ws++;
    }
    if (lead_from >= lim && lead_from >= ps && lead_from < ws) ws = lead_from;
    uint32_t we = sentence_close(c, e, elim, pe);
    if (we < elim) we++;   /* keep the period */
    if (tk->valid && tk->ps <= ws && tk->pe >= we && tk->par_s == ps) return 0;
    /* Build the window in the spare buffer, reusing the tokens of whichever
     * window (this one or the other) overlaps it, then swap it in. */
    qx_toks_t *other = tk == &c->cur ? &c->aux : &c->cur;
    const qx_toks_t *old = NULL;
    if (tk->valid && tk->ps < we && tk->pe > ws) old = tk;
    else if (other->valid && other->ps < we && other->pe > ws) old = other;
    if (qx_tokenize_reuse(c->lx, c->b, c->len, c->qs, ws, we, &c->spare, old) != 0) return -1;
    qx_toks_t t = *tk;
    *tk = c->spare;
    c->spare = t;
    c->spare.valid = 0;
    tk->par_s = ps;
    tk->par_e = pe;
    return 0;
}

static int starts_upper(ctx_t *c, const qx_quote_t *q)
{
    unsigned char ch = (unsigned char)c->b[q->span[0][0]];
    return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch >= 0x80;
}

static int ends_sentence(ctx_t *c, const qx_quote_t *q)
{
    unsigned char ch = (unsigned char)c->b[q->span[q->nspans - 1][1] - 1];
    return ch == '.';
}

static void apply(qx_quote_t *q, info_t *in, const attr_t *a, int how)
{
    q->sp_kind = a->sp.kind;
    q->sp_start = a->sp.s;
    q->sp_end = a->sp.e;
    q->cue_start = a->cue_s;
    q->cue_end = a->cue_e;
    in->how = how;
    in->ent = a->sp.ent;
}

/* Previous paragraph ends with a colon: "Cruz continued:" introduces it. */
static int attr_colon(ctx_t *c, uint32_t ps, size_t qi, attr_t *a)
{
    uint32_t e = ps;
    size_t cl;
    while (e > 0) {   /* back over blank lines and spaces */
        uint32_t j = e - 1;
        while (j > 0 && ((unsigned char)c->b[j] & 0xC0) == 0x80) j--;
        if (c->b[j] == '\n' || (qx_is_space_at(c->b, c->len, j, &cl) && j + cl == e)) { e = j; continue; }
        break;
    }
    if (e == 0 || c->b[e - 1] != ':') return 0;
    if (ensure_tokens(c, &c->aux, e - 1, e, 0) != 0) return -1;
    qx_toks_t *tk = &c->aux;
    if (tk->n == 0) return 0;
    long end = (long)tk->n - 1;   /* the colon */
    long lo = sentence_start(tk, end);
    memset(a, 0, sizeof(*a));
    a->sp.ent = -1;
    return attr_lead(c, tk, end, lo, qi, a);
}

/* "Jane Roe agreed. "…"": the sentence before the quote, in its paragraph,
 * ends with a cue and at most a short adverbial ("said in a statement."). */
static int attr_prev_sentence(ctx_t *c, size_t qi, attr_t *a)
{
    const qx_quote_t *q = &c->qs->q[qi];
    uint32_t p = q->open;   /* back to the period before the quote */
    while (p > 0 && (c->b[p - 1] == ' ' || c->b[p - 1] == '\t')) p--;
    if (p == 0 || c->b[p - 1] != '.') return 0;
    if (ensure_tokens(c, &c->aux, p - 1, q->open, 0) != 0) return -1;
    qx_toks_t *tk = &c->aux;
    long qa = atom_index(c, tk, qi, 0);
    if (qa < 2 || !(tk->t[qa - 1].f & T_END) || c->b[tk->t[qa - 1].s] != '.') return 0;
    long lo = sentence_start(tk, qa - 1);
    for (long j = qa - 2; j >= lo && qa - 2 - j <= 4; j--) {
        qx_tok_t *t = &tk->t[j];
        if (!(t->f & T_WORD)) return 0;
        size_t last;
        uint32_t ck = qx_cue_at(c, tk, (size_t)j, &last);
        if (ck & QX_W_CUE) {
            a->cue_s = t->s;
            a->cue_e = tk->t[last].e;
            return qx_subject_back(c, tk, j, lo, (t->f & T_ING) != 0, &a->sp);
        }
        /* no clause after the cue: "He said the plan failed." is not it */
        if (qx_cls(c, t) & (QX_W_PRONOUN | QX_W_NOSPEAK | QX_W_RELATIVE)) return 0;
    }
    return 0;
}

/* A pull quote: the quote ends its paragraph and the next paragraph is an
 * attribution line, "- Jane Roe, mayor of Springfield." */
static int attr_dash_line(ctx_t *c, size_t qi, attr_t *a)
{
    const qx_quote_t *q = &c->qs->q[qi];
    uint32_t p = q->close_end;
    size_t cl;
    while (p < c->len && c->b[p] != '\n') {   /* nothing else after the quote */
        if (!qx_is_space_at(c->b, c->len, p, &cl)) return 0;
        p += (uint32_t)cl;
    }
    while (p < c->len && qx_is_space_at(c->b, c->len, p, &cl)) p += (uint32_t)cl;
    if (p >= c->len || !qx_is_dash_at(c->b, c->len, p, &cl)) return 0;
    if (ensure_tokens(c, &c->aux, p, p + (uint32_t)cl, 0) != 0) return -1;
    qx_toks_t *tk = &c->aux;
    if (tk->n < 2 || tk->ps != tk->par_s || !(tk->t[0].f & T_DASH)) return 0;
    size_t hi = 1;
    while (hi < tk->n && (tk->t[hi].f & T_WORD)) hi++;
    return qx_np_fwd(c, tk, 1, hi, &a->sp) && a->sp.kind != QX_SP_PRONOUN;
}

int qx_attribute_quote(ctx_t *c, size_t qi)
{
    qx_quote_t *q = &c->qs->q[qi];
    info_t *in = &c->info[qi];
    in->ent = -1;
    /* The previous quote, titles aside (they are words of the text). */
    long pqi = (long)qi - 1;
    while (pqi >= 0 && c->qs->q[pqi].title) pqi--;
    const qx_quote_t *pq = pqi >= 0 ? &c->qs->q[pqi] : NULL;
    uint32_t lead_from = pq ? pq->outer[pq->nspans - 1][0] : 0;
    /* The scanner knew the quote's paragraph: no search for its bounds. */
    if (q->par_e > q->par_s && q->outer[0][0] >= q->par_s && q->outer[0][1] <= q->par_e) {
        c->para_s = q->par_s;
        c->para_e = q->par_e;
        c->para_valid = 1;
    }
    if (ensure_tokens(c, &c->cur, q->outer[0][0], q->outer[0][1], lead_from) != 0) return -1;
    qx_toks_t *tk = &c->cur;
    long qa = atom_index(c, tk, qi, 0);
    if (qa < 0) return 0;
    long lo = sentence_start(tk, qa);
    in->para_initial = qa == 0 && tk->ps == tk->par_s;
    /* The gap to the previous quote: is it one attribution sentence
     * ("…," he said. "…"), and does a cue of its own introduce this one
     * ("…," he said, later adding, "…")? */
    {
        long g = qa - 1;
        int intro = 0;
        uint32_t pcue = pq ? pq->cue_start : 0;
        uint32_t seen = 0;   /* the flags of the gap's tokens but the last */
        if (g >= 0 && !(tk->t[g].f & T_QUOTE)) {
            /* "later adding, …" introduces; "in a Friday tweet. …" does not.
             * Only the last four tokens can introduce. */
            int ends = (tk->t[qa - 1].f & T_END) != 0;
            for (; g >= 0 && qa - g <= 4 && !(tk->t[g].f & T_QUOTE); g--) {
                size_t last;
                if (!ends && tk->t[g].s != pcue && qx_cue_at(c, tk, (size_t)g, &last)) intro = 1;
                if (g != qa - 1) seen |= tk->t[g].f;
            }
            /* Merging needs a gap both adjacent and clean: once it cannot
             * be clean (a sentence end, or longer than 60 tokens), where
             * the previous quote lies does not matter. */
            for (; g >= 0 && !(tk->t[g].f & T_QUOTE); g--) {
                seen |= tk->t[g].f;
                if (qa - g - 1 >= 60) seen |= T_END;
                if (seen & (T_END | T_SEMI)) break;
            }
        }
        int clean = !(seen & (T_END | T_SEMI)) && qa - g - 1 <= 60;
        in->adjacent = clean && g >= 0 && pq && tk->t[g].q == (int32_t)pqi;
        in->gap_intro = intro;
        in->gap_clean = clean;
    }

    /* Partial: the quote sits inside a sentence rather than making one up
     * or following "X said:". */
    int full = 1;
    if (q->nspans == 1 && !q->unclosed && qa > lo) {
        qx_tok_t *p = &tk->t[qa - 1];
        size_t last;
        /* "…," he said, "because …": the same sentence goes on. */
        int cont = (p->f & T_COMMA) && lo > 0 && (tk->t[lo - 1].f & T_QUOTE) &&
                   pq && tk->t[lo - 1].q == (int32_t)pqi && pq->cue_end;
        full = cont || (p->f & T_COLON) ||
               (starts_upper(c, q) && ((p->f & (T_COMMA | T_DASH)) ||
                                       qx_cue_at(c, tk, (size_t)qa - 1, &last) ||
                                       (qa - 2 >= lo && qx_cue_at(c, tk, (size_t)qa - 2, &last))));
    }
    q->partial = !full;

    /* The trail is read in the paragraph of the last piece. */
    attr_t a;
    memset(&a, 0, sizeof(a));
    a.sp.ent = -1;
    int got = 0;
    qx_toks_t *tz = tk;
    long qz = qa;
    if (q->nspans > 1) {
        qz = atom_index(c, tk, qi, q->nspans - 1);
        if (qz < 0) {
            if (ensure_tokens(c, &c->aux, q->outer[q->nspans - 1][0], q->outer[q->nspans - 1][1], 0) != 0)
                return -1;
            tz = &c->aux;
            qz = atom_index(c, tz, qi, q->nspans - 1);
        }
    }
    int es = ends_sentence(c, q);
    if (qz >= 0 && !q->partial) {
        got = attr_trail(c, tz, qz, 0, es, &a);
        in->own_trail = a.cue_e != 0;
        if (got) { apply(q, in, &a, A_TRAIL); return 0; }
    }
    memset(&a, 0, sizeof(a));
    a.sp.ent = -1;
    if (attr_lead(c, tk, qa, lo, qi, &a)) { apply(q, in, &a, A_LEAD); return 0; }
    if (q->partial && qz >= 0) {
        memset(&a, 0, sizeof(a));
        a.sp.ent = -1;
        if (attr_trail(c, tz, qz, 1, es, &a)) {
            in->own_trail = 1;
            apply(q, in, &a, A_TRAIL);
            return 0;
        }
    }
    if (in->para_initial) {
        memset(&a, 0, sizeof(a));
        a.sp.ent = -1;
        int r = attr_colon(c, tk->par_s, qi, &a);
        if (r < 0) return -1;
        if (r) { apply(q, in, &a, A_COLON); return 0; }
    }
    if (!q->partial) {
        memset(&a, 0, sizeof(a));
        a.sp.ent = -1;
        int r = attr_dash_line(c, qi, &a);
        if (r < 0) return -1;
        if (r) { apply(q, in, &a, A_TRAIL); return 0; }
    }
    if (!in->para_initial && !q->partial && qa == lo && q->open > tk->par_s + 1) {
        memset(&a, 0, sizeof(a));
        a.sp.ent = -1;
        int r = attr_prev_sentence(c, qi, &a);
        if (r < 0) return -1;
        if (r) { apply(q, in, &a, A_COLON); return 0; }
    }
    return 0;
}

