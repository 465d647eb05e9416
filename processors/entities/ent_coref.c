/* ent_coref.c -- in-article coreference and canonical names.
 *
 * A full personal name ("Craig Singleton", "Xi Jinping") lends its canonical
 * name to later (or earlier) one-word mentions of its last word, and of its
 * first word when that is not a given name (Chinese order: "Xi").  A
 * multi-word name lends its acronym ("Asia-Pacific Economic Cooperation" ->
 * APEC).  Gazetteer canonicals are kept as they are ("U.S." -> United
 * States).  One-word names nobody explains take the type they have
 * elsewhere in the article, else a default; capitalised ordinary words
 * nobody explains are dropped. */
#include <stdlib.h>
#include <string.h>
#include "ent_tag.h"

#define MAX_ALIASES 512
#define MAX_FULL 256          /* longer personal names compared in step 2b */
#define MAX_MERGE 16          /* step 3 mentions merged into place rather than sorted */

/* An alias: a word of a full name (chained by hash) or an acronym (a short
 * list, compared by length and text first: its hash is computed only for
 * a text that matches).  One array holds both: word aliases from its
 * start, acronyms from its end backwards. */
typedef struct {
    const char *s;           /* alias text */
    uint64_t h;              /* word aliases: its case-folded hash, as a token's */
    uint32_t len;
    uint32_t ment;           /* the full mention */
} alias_t;

static int ci_eq(const char *a, const char *b, size_t n)
{
    /* bytes that differ in more than the case bit differ in any case */
    if (n && (((unsigned char)a[0] ^ (unsigned char)b[0]) & ~0x20u)) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'a' && x <= 'z') x -= 32;
        if (y >= 'a' && y <= 'z') y -= 32;
        if (x != y) return 0;
    }
    return 1;
}

static int word_tok(const ent_tok_t *t)
{
    return (t->flags & TF_WORD) != 0;
}

/* The word aliases chained by hash, each chain in alias order, so a lookup
 * visits only the aliases that could match (equal text, exact or in any
 * ASCII case, means an equal case-folded hash). */
typedef struct {
    int16_t head[8 * MAX_ALIASES];   /* sparse: most lookups find an empty bucket */
    int16_t next[MAX_ALIASES];
    size_t mask;
} alias_index_t;

/* The bucket of hash h in a table of mask + 1 (a power of two) buckets:
 * the multiply brings the high bits down. */
static inline size_t hash_bucket(uint64_t h, size_t mask)
{
    return (size_t)((h * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

static void alias_index(alias_index_t *ix, const alias_t *al, size_t n)
{
    size_t cap = 64;
    while (cap < 8 * n) cap *= 2;
    ix->mask = cap - 1;
    /* all -1, 64 bytes a step (cap is a multiple of 32): inline stores,
     * where the loop became a call to memset, whose code is seldom in the
     * instruction cache */
    for (size_t k = 0; k < cap; k += 32) memset(ix->head + k, 0xff, 64);
    for (size_t k = n; k-- > 0;) {
        size_t b = hash_bucket(al[k].h, ix->mask);
        ix->next[k] = ix->head[b];
        ix->head[b] = (int16_t)k;
    }
}

/* The first alias from k on in its chain with token t's text: exact case,
 * or any case on capitals.  k's hash is the token's. */
static const alias_t *word_chain(const ent_ctx_t *c, const alias_t *al, const alias_index_t *ix,
                                 int k, const ent_tok_t *t)
{
    const char *s = c->text + t->start;
    size_t l = t->hend - t->start;
    int anycase = (t->flags & (TF_HEAD | TF_UPPER)) != 0;
    for (; k >= 0; k = ix->next[k]) {
        if (al[k].h != t->h || al[k].len != l) continue;
        if (memcmp(al[k].s, s, l) == 0 || (anycase && ci_eq(al[k].s, s, l))) return &al[k];
    }
    return NULL;
}

/* The word alias for token i, the first one in alias order.  Inline up to
 * the first alias of the same hash: most tokens have none. */
static inline const alias_t *find_word(const ent_ctx_t *c, const alias_t *al,
                                       const alias_index_t *ix, size_t i)
{
    const ent_tok_t *t = &c->toks[i];
    uint64_t h = t->h;
    int k = ix->head[hash_bucket(h, ix->mask)];
    while (k >= 0 && al[k].h != h) k = ix->next[k];
    return k < 0 ? NULL : word_chain(c, al, ix, k, t);
}

/* The acronym for token i, a word in capitals, the first one in alias
 * order (ac[0], ac[-1], ...): the same text in any case (capitals match
 * any case) and the same hash as the token's. */
static const alias_t *find_acronym(const ent_ctx_t *c, const alias_t *ac, size_t n, size_t i)
{
    const ent_tok_t *t = &c->toks[i];
    const char *s = c->text + t->start;
    size_t l = t->hend - t->start;
    for (size_t k = 0; k < n; k++, ac--)
        if (ac->len == l && ci_eq(ac->s, s, l) && ent_hash_token(ac->s, l) == t->h)
            return ac;
    return NULL;
}

static int cmp_ment(const void *a, const void *b)
{
    const ent_mention_t *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Does the word end in a NORP_SUFFIX of the word lists (Zairean, Islamic),
 * with at least three characters before it? */
#define NORP_SUFFIX_MAX 6
static int norp_suffix(const ent_ctx_t *c, const ent_tok_t *t)
{
    size_t n = t->hend - t->start;
    for (size_t l = 1; l <= NORP_SUFFIX_MAX && n > l + 2; l++) {
        uint64_t h = ent_hash_token(c->text + t->hend - l, l);
        if (ent_kb_classes_inline(c->kb, h) & CL_NORP_SUFFIX) return 1;
    }
    return 0;
}

/* ent_hash_token of a mention's l bytes of text: a mention that is exactly
 * one token's hashed bytes already has it in the token (the tokenizer
 * hashes [start, hend) with the same function). */
static inline uint64_t text_hash(const ent_ctx_t *c, const ent_mention_t *m, uint32_t l)
{
    const ent_tok_t *t = &c->toks[m->tstart];
    if (m->tend == m->tstart + 1 && t->start == m->start && t->hend - t->start == l) return t->h;
    return ent_hash_token(c->text + m->start, l);
}

/* One word with a capital inside that comes after a lower-case first
 * letter or after four letters or more: a brand's or a firm's name (eBay,
 * iPod, WorldCom, GameCube), not a person's, whose inner capital comes
 * sooner (McCain, DiCaprio, MacDonald) or after a hyphen. */
static int brand_word(const ent_ctx_t *c, const ent_tok_t *t)
{
    const unsigned char *p = (const unsigned char *)c->text + t->start;
    size_t n = t->hend - t->start;
    if (n < 3 || !(t->flags & TF_MIXED)) return 0;
    if (p[0] >= 'a' && p[0] <= 'z') return p[1] >= 'A' && p[1] <= 'Z';
    for (size_t i = 1; i < n; i++) {
        if (p[i] >= 'A' && p[i] <= 'Z') return i >= 4;
        if (!(p[i] >= 'a' && p[i] <= 'z')) return 0;
    }
    return 0;
}

/* Default type for one unknown capitalised word nobody explains. */
static int default_type(ent_ctx_t *c, const ent_mention_t *m)
{
    const ent_tok_t *t = &c->toks[m->tstart];
    if ((t->flags & TF_UPPER) && t->hend - t->start >= 2) return ET_ORG;
    if (m->tend == m->tstart + 1 && brand_word(c, t)) return ET_ORG;
    /* adjectives of peoples, religions, movements: Islamic, Zairean, Olympic */
    if (!(ent_tok_cls(c, m->tstart) & (CL_GIVEN | CL_SURNAME)) &&
        (m->tend >= c->nt || !(c->toks[m->tend].flags & TF_CAP)) &&
        norp_suffix(c, t))
        return ET_NORP;
    if (m->tend < c->nt && (ent_tok_cls(c, m->tend) & (CL_SPEECH | CL_PERSON_VERB)))
        return ET_PERSON;
    if (m->tstart > 0 && (ent_tok_cls(c, m->tstart - 1) & CL_LOCPREP) &&
        (c->toks[m->tstart - 1].flags & TF_LOWER))
        return ET_GPE;
    return ET_PERSON;
}

/* "Sparta Rotterdam 2 Fortuna Sittard 1": mention i and its neighbour
 * across a score, each followed by a number. */
static int score_pair(ent_ctx_t *c, const ent_scratch_t *s, size_t i)
{
    const ent_mention_t *m = &s->ments[i];
    if (i + 1 < s->ments_n) {
        const ent_mention_t *n = &s->ments[i + 1];
        if (n->tstart == m->tend + 1 && n->tend < c->nt && (c->toks[n->tend].flags & TF_DIGIT))
            return 1;
    }
    if (i > 0) {
        const ent_mention_t *p = &s->ments[i - 1];
        if (m->tstart == p->tend + 1 && (c->toks[p->tend].flags & TF_DIGIT)) return 1;
    }
    return 0;
}

/* Step 4 of ent_coref: one group per distinct text of an unknown (or
 * weak) mention; every mention of the same text, known or not, feeds its
 * group in text order; then the unknown ones take the group's type. */
typedef struct {
    uint64_t h;
    uint32_t len;
    int32_t known, first_unknown;    /* mention indexes, or -1 */
    uint8_t org, has_unknown;
    int8_t dtype;                    /* default_type of first_unknown, or -1 */
} text_group_t;

/* The per-article scratch of ent_coref, in s->cbuf: the groups of step 4
 * and lists of mention indexes, so each later step visits only the
 * mentions it may change. */
typedef struct {
    text_group_t *g;
    uint32_t *cand, *candw;   /* step 2: one-word mentions and their word */
    uint32_t *multi, *multi3; /* mentions of two, of three tokens or more (step 2b) */
    uint32_t *unk;            /* unknown or weak mentions (step 4) */
    int32_t *ugroup, *table;  /* step 4: group of each unknown, hash table */
} coref_buf_t;

static int coref_buf(ent_scratch_t *s, size_t n, coref_buf_t *b)
{
    size_t cap = 16;
    while (cap < n * 2) cap *= 2;
    size_t need = n * sizeof(text_group_t) + 6 * n * sizeof(uint32_t) + cap * sizeof(int32_t);
    if (need > s->cbuf_cap) {
        void *nb = realloc(s->cbuf, need);
        if (!nb) return -1;
        s->cbuf = nb;
        s->cbuf_cap = need;
    }
    b->g = s->cbuf;
    b->cand = (uint32_t *)(b->g + n);
    b->candw = b->cand + n;
    b->multi = b->candw + n;
    b->multi3 = b->multi + n;
    b->unk = b->multi3 + n;
    b->ugroup = (int32_t *)(b->unk + n);
    b->table = b->ugroup + n;
    return 0;
}

/* The slot of the text (h, l) in step 4's group table: its group's, or
 * the empty one where it would go. */
static size_t group_slot(const int32_t *table, size_t cap, const text_group_t *g,
                         uint64_t h, uint32_t l)
{
    size_t slot = hash_bucket(h, cap - 1);
    while (table[slot] >= 0 && !(g[table[slot]].h == h && g[table[slot]].len == l))
        slot = (slot + 1) & (cap - 1);
    return slot;
}

static void unknown_groups(ent_ctx_t *c, coref_buf_t *b, size_t nunk)
{
    ent_scratch_t *s = c->s;
    /* the listed mentions still unknown after steps 2 and 3 (they only
     * ever give known types) */
    size_t nu = 0;
    uint64_t lens = 0;               /* bit l % 64: an unknown text of l bytes */
    for (size_t q = 0; q < nunk; q++) {
        const ent_mention_t *m = &s->ments[b->unk[q]];
        if (m->type != ENT_UNKNOWN && m->type != ENT_WEAK) continue;
        b->unk[nu++] = b->unk[q];
        lens |= 1ull << ((m->end - m->start) & 63);
    }
    if (!nu) return;
    size_t cap = 16;
    while (cap < nu * 2) cap *= 2;
    text_group_t *g = b->g;
    int32_t *ugroup = b->ugroup, *table = b->table;
    for (size_t k = 0; k < cap; k += 16) memset(table + k, 0xff, 64);   /* all -1, as above */
    size_t ng = 0;

    /* groups, one per distinct unknown text */
    for (size_t q = 0; q < nu; q++) {
        const ent_mention_t *m = &s->ments[b->unk[q]];
        uint32_t l = m->end - m->start;
        uint64_t h = text_hash(c, m, l);
        size_t slot = group_slot(table, cap, g, h, l);
        if (table[slot] < 0) {
            g[ng].h = h;
            g[ng].len = l;
            g[ng].known = g[ng].first_unknown = -1;
            g[ng].org = g[ng].has_unknown = 0;
            g[ng].dtype = -1;
            table[slot] = (int32_t)ng++;
        }
        ugroup[q] = table[slot];
    }

    /* the unknown mentions of each group, in text order */
    for (size_t q = 0; q < nu; q++) {
        size_t i = b->unk[q];
        const ent_mention_t *m = &s->ments[i];
        if (m->type != ENT_UNKNOWN) continue;
        text_group_t *gr = &g[ugroup[q]];
        gr->has_unknown = 1;
        if (gr->first_unknown < 0) gr->first_unknown = (int32_t)i;
        size_t nx = m->tend;
        if (nx < c->nt && (c->toks[nx].flags & TF_POSS)) nx++;
        if (m->tend - m->tstart == 1 && nx < c->nt &&
            (c->toks[nx].flags & TF_LOWER) && (ent_tok_cls(c, nx) & CL_ORG_CONTEXT))
            gr->org = 1;
    }

    /* the first known mention of each group's text */
    const ent_mention_t *ms = s->ments;
    size_t n = s->ments_n, pending = ng;
    for (size_t i = 0; i < n && pending; i++) {
        const ent_mention_t *m = &ms[i];
        /* a known type (not unknown ones) and a length an unknown text
         * has: one test (&, not &&), rarely true, so it predicts well */
        uint32_t l = m->end - m->start;
        unsigned known = (m->type != ET_NONE) & (m->type < ET__COUNT) & (unsigned)(lens >> (l & 63));
        if (!(known & 1)) continue;
        uint64_t h = text_hash(c, m, l);
        size_t slot = group_slot(table, cap, g, h, l);
        if (table[slot] < 0) continue;
        text_group_t *gr = &g[table[slot]];
        if (gr->known < 0) {
            gr->known = (int32_t)i;
            pending--;
        }
    }

    /* the type of each group, given to its unknown mentions */
    for (size_t q = 0; q < nu; q++) {
        ent_mention_t *m = &s->ments[b->unk[q]];
        text_group_t *gr = &g[ugroup[q]];
        const ent_mention_t *known = gr->known >= 0 ? &s->ments[gr->known] : NULL;
        int type = ET_NONE;
        if (gr->org) type = ET_ORG;
        else if (known) type = known->type;
        else if (gr->has_unknown) {
            if (gr->dtype < 0) gr->dtype = (int8_t)default_type(c, &s->ments[gr->first_unknown]);
            type = gr->dtype;
        }
        m->type = (uint8_t)type;
        if (known && !gr->org) {
            m->canon = known->canon;
            m->canon_len = known->canon_len;
        }
    }
}

/* Step 3 appended its mentions after the others: when both runs are in
 * strict order and no start is in both, merge them in place (the one
 * order any sort gives).  0 when it cannot, and nothing moved. */
static int merge_appended(ent_mention_t *ms, size_t nmain, size_t n)
{
    size_t k = n - nmain;
    if (k == 0 || k > MAX_MERGE) return 0;
    for (size_t i = 1; i < nmain; i++)
        if (!(ms[i - 1].start < ms[i].start)) return 0;
    for (size_t i = nmain + 1; i < n; i++)
        if (!(ms[i - 1].start < ms[i].start)) return 0;
    for (size_t j = nmain; j < n; j++) {
        size_t lo = 0, hi = nmain;      /* first main start >= this one */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (ms[mid].start < ms[j].start) lo = mid + 1;
            else hi = mid;
        }
        if (lo < nmain && ms[lo].start == ms[j].start) return 0;
    }
    ent_mention_t tmp[MAX_MERGE];
    memcpy(tmp, ms + nmain, k * sizeof *tmp);
    size_t i = nmain, j = k, d = n;
    while (j > 0) {
        if (i > 0 && ms[i - 1].start > tmp[j - 1].start) ms[--d] = ms[--i];
        else ms[--d] = tmp[--j];
    }
    return 1;
}

/* The types of each source that steps 5 and 6 may change: places from the
 * gazetteer, guesses but nationalities. */
static const uint32_t step56_types[8] = {
    [ENT_SRC_GAZ] = 1u << ET_GPE,
    [ENT_SRC_GUESS] = ~((1u << ET_NONE) | (1u << ET_NORP)),
};

/* Word alias a: token k of mention i, as written. */
static inline void word_alias(const ent_ctx_t *c, alias_t *a, size_t k, size_t i)
{
    const ent_tok_t *t = &c->toks[k];
    a->s = c->text + t->start;
    a->len = t->hend - t->start;
    a->h = t->h;
    a->ment = (uint32_t)i;
}

/* Step 1 for a mention of two words or more (first and last): its
 * aliases, word aliases into wal[*nw], acronyms into ac[-*nac]. */
static void add_aliases(ent_ctx_t *c, size_t i, size_t first, size_t last,
                        alias_t *wal, size_t *nw, alias_t *ac, size_t *nac)
{
    ent_mention_t *m = &c->s->ments[i];
    size_t na = *nw + *nac;
    if (m->type == ET_PERSON) {
        if (!(ent_tok_cls(c, last) & CL_NAME_PART) && !(c->toks[last].flags & TF_INITIAL))
            word_alias(c, &wal[(*nw)++], last, i);
        if (!(ent_tok_cls(c, first) & CL_GIVEN) && !(c->toks[first].flags & TF_INITIAL))
            word_alias(c, &wal[(*nw)++], first, i);
    } else if (m->type == ET_ORG || m->type == ET_GPE || m->type == ET_LOC ||
               m->type == ET_EVENT || m->type == ET_LAW || m->type == ET_FAC) {
        /* acronym of the capitalised words: Asia-Pacific Economic Cooperation
         * (built in place, or aside near the end of acro: only one that
         * fits is kept) */
        char aside[16];
        int in_place = c->acro_len + 15 <= sizeof c->acro;
        char *buf = in_place ? c->acro + c->acro_len : aside;
        size_t bl = 0;
        for (size_t k = m->tstart; k < m->tend && bl < 15; k++) {
            const ent_tok_t *t = &c->toks[k];
            if (word_tok(t) && (t->flags & TF_CAP) && !(t->flags & TF_ABBR))
                buf[bl++] = c->text[t->start];
        }
        /* short form: the first word of "Magna International Inc" */
        if (m->type == ET_ORG && first < m->tend && na + 2 < MAX_ALIASES) {
            const ent_tok_t *ft = &c->toks[first];
            int32_t e;
            unsigned fc = ent_tok_cls(c, first);
            if ((ft->flags & TF_CAP) && !(ft->flags & TF_UPPER) &&
                !(fc & (CL_COMMON | CL_ORG_HEAD | CL_ORG_SUFFIX | CL_GIVEN | CL_STOP)) &&
                ent_gaz_match(c, first, &e, NULL) == 0)
                word_alias(c, &wal[(*nw)++], first, i);
        }
        if (bl >= 2 && c->acro_len + bl < sizeof c->acro) {
            char *dst = c->acro + c->acro_len;
            if (!in_place) memcpy(dst, buf, bl);
            alias_t *a = ac - (*nac)++;
            a->s = dst;
            a->len = (uint32_t)bl;
            a->h = 0;
            a->ment = (uint32_t)i;
            c->acro_len += bl;
        }
    }
}

/* Step 8's compaction: kept mentions move down over dropped ones, a run
 * at a time. */
typedef struct {
    size_t o, run;      /* kept ones so far; the start of the pending run */
    int sorted;         /* the kept starts strictly increase */
    int64_t prev;       /* the last kept start */
} compact_t;

/* Mention j is final: kept (its run goes on), or dropped (the run before
 * it moves down, to slots no later step reads). */
static inline void step8_final(ent_mention_t *ms, size_t j, compact_t *k)
{
    const ent_mention_t *a = &ms[j];
    if (a->type != ET_NONE && a->type < ET__COUNT) {
        k->sorted &= k->prev < (int64_t)a->start;
        k->prev = a->start;
    } else {
        if (k->o != k->run) memmove(ms + k->o, ms + k->run, (j - k->run) * sizeof *ms);
        k->o += j - k->run;
        k->run = j + 1;
    }
}

int ent_coref(ent_ctx_t *c)
{
    ent_scratch_t *s = c->s;
    size_t n0 = s->ments_n;
    if (!n0) return 0;
    coref_buf_t b;
    if (coref_buf(s, n0, &b) < 0) return -1;
    alias_t wal[MAX_ALIASES], *ac = &wal[MAX_ALIASES - 1];
    size_t nw = 0, nac = 0, ncand = 0, nmulti = 0, nmulti3 = 0, nunk = 0;

    /* 1. aliases from multi-word mentions; and the lists of the mentions
     * the later steps look at (no step before them changes what puts a
     * mention on a list) */
    const ent_mention_t *ms0 = s->ments;
    const ent_tok_t *toks = c->toks;
    uint32_t *restrict cand = b.cand, *restrict candw = b.candw;
    uint32_t *restrict multi = b.multi, *restrict unk = b.unk;
    uint32_t *restrict multi3 = b.multi3;
    for (size_t i = 0; i < n0; i++) {
        const ent_mention_t *m = &ms0[i];
        unsigned type = m->type, src = m->source;
        uint32_t ts = m->tstart, te = m->tend;
        unk[nunk] = (uint32_t)i;   /* kept if unknown or weak: no branch */
        nunk += (type == ENT_UNKNOWN) | (type == ENT_WEAK);
        size_t w;
        if (te - ts == 1) {
            if (!(toks[ts].flags & TF_WORD)) continue;   /* most mentions: no loop */
            w = ts;
        } else {
            size_t first = te, last = ts, words = 0;
            for (size_t k = ts; k < te; k++)
                if (toks[k].flags & TF_WORD) {
                    if (first == te) first = k;
                    last = k;
                    words++;
                }
            multi[nmulti++] = (uint32_t)i;
            if (te - ts >= 3) multi3[nmulti3++] = (uint32_t)i;
            if (words >= 2 && nw + nac + 3 < MAX_ALIASES)
                add_aliases(c, i, first, last, wal, &nw, ac, &nac);
            if (words != 1) continue;
            w = last;
        }
        /* step 2 leaves alone rule dates, times, amounts and numbers, and
         * nationalities */
        cand[ncand] = (uint32_t)i;   /* kept unless so: no branch */
        candw[ncand] = (uint32_t)w;
        ncand += !(((src == ENT_SRC_RULE) & (type >= ET_DATE)) | (type == ET_NORP));
    }

    alias_index_t ix;
    if (nw) alias_index(&ix, wal, nw);

    /* 2. one-word mentions join a full name or an expansion (never one of
     * two words or more, so no alias's own mention changes here) */
    for (size_t q = 0; q < ncand && (nw || nac); q++) {
        size_t i = b.cand[q], w = b.candw[q];
        ent_mention_t *m = &s->ments[i];
        const alias_t *a = nw ? find_word(c, wal, &ix, w) : NULL;
        if (a && s->ments[a->ment].type == ET_ORG && a->ment != i &&
            (m->source == ENT_SRC_GUESS || m->source == ENT_SRC_ALIAS)) {
            const ent_mention_t *f = &s->ments[a->ment];
            m->type = ET_ORG;
            m->canon = f->canon;
            m->canon_len = f->canon_len;
            m->source = ENT_SRC_ALIAS;
            continue;
        }
        if (a && s->ments[a->ment].type == ET_PERSON && a->ment != i) {
            const ent_mention_t *f = &s->ments[a->ment];
            if (m->source == ENT_SRC_GAZ && m->type != ET_PERSON && f->source != ENT_SRC_GAZ &&
                f->start > m->start)
                continue;   /* a known place before the name appears: keep it */
            m->type = ET_PERSON;
            m->canon = f->canon;
            m->canon_len = f->canon_len;
            if (m->source != ENT_SRC_GAZ) m->source = ENT_SRC_ALIAS;
            continue;
        }
        if (nac && (c->toks[w].flags & TF_UPPER)) {
            a = find_acronym(c, ac, nac, w);
            if (a && a->ment != i && m->source != ENT_SRC_GAZ) {
                const ent_mention_t *f = &s->ments[a->ment];
                m->type = f->type;
                m->canon = f->canon;
                m->canon_len = f->canon_len;
                m->source = ENT_SRC_ALIAS;
            }
        }
    }

    /* 2b. a shorter personal name that ends or starts a longer one joins it:
     * "Parker Bowles" -> "Camilla Parker Bowles" */
    uint32_t fulls[MAX_FULL];
    size_t nf = 0;
    for (size_t q = 0; q < nmulti3 && nf < MAX_FULL; q++)
        if (s->ments[b.multi3[q]].type == ET_PERSON) fulls[nf++] = b.multi3[q];
    for (size_t q = 0; q < nmulti && nf; q++) {
        size_t i = b.multi[q];
        ent_mention_t *m = &s->ments[i];
        if (m->type != ET_PERSON || m->source == ENT_SRC_ALIAS || m->tend - m->tstart < 2) continue;
        for (size_t jj = 0; jj < nf; jj++) {
            size_t j = fulls[jj];
            const ent_mention_t *f = &s->ments[j];
            if (j == i || f->tend - f->tstart <= m->tend - m->tstart) continue;
            size_t ml = m->end - m->start, fl = f->end - f->start;
            if (fl <= ml) continue;   /* more tokens need not mean more bytes */
            const char *mt = c->text + m->start, *ft = c->text + f->start;
            /* in any case: "Van der Linden" ends "Marieke van der Linden" */
            int suffix = ci_eq(ft + fl - ml, mt, ml) && ft[fl - ml - 1] == ' ';
            int prefix = ci_eq(ft, mt, ml) && ft[ml] == ' ';
            if (suffix || prefix) {
                m->canon = f->canon;
                m->canon_len = f->canon_len;
                break;
            }
        }
    }

    /* 3. skipped sentence-initial words that are in fact a known surname */
    for (size_t d = 0; d < c->dropped_n && nw; d++) {
        size_t k = c->dropped[d];
        const alias_t *a = find_word(c, wal, &ix, k);
        if (!a || s->ments[a->ment].type != ET_PERSON) continue;
        if (s->ments_n == s->ments_cap && ent_ments_grow(s) < 0) return -1;
        const ent_mention_t *f = &s->ments[a->ment];
        ent_mention_t *m = &s->ments[s->ments_n++];
        memset(m, 0, sizeof *m);
        m->tstart = (uint32_t)k;
        m->tend = (uint32_t)k + 1;
        m->start = c->toks[k].start;
        m->end = c->toks[k].end;
        m->type = ET_PERSON;
        m->source = ENT_SRC_ALIAS;
        m->entry = -1;
        m->canon = f->canon;
        m->canon_len = f->canon_len;
    }

    /* 4. unknown one-word names, grouped by text (case-folded hash and
     * length; a small hash table over the unknown ones, so a long article
     * stays linear):
     *  - in company context anywhere ("Yukos shares", "Yukos's unit") they are
     *    organisations everywhere;
     *  - else they take the type the same word has elsewhere in the article;
     *  - else the default of their first occurrence (ordinary capitalised
     *    words nobody explains are dropped). */
    unknown_groups(c, &b, nunk);

    /* 5-8 in one pass: mention i gets steps 5 and 6 (they read only its
     * own type, its neighbours' token spans and the tokens), then the pair
     * before it step 7, then the one before it is final for step 8. */
    size_t n = s->ments_n;
    compact_t k8 = {.o = 0, .run = 0, .sorted = 1, .prev = -1};
    ent_mention_t *ms = s->ments;
    for (size_t i = 0; i < n; i++) {
        ent_mention_t *m = &ms[i];
        unsigned type = m->type, src = m->source;
        /* Steps 5 and 6 act only when the next token is a number (5) or,
         * after a name from the gazetteer, a possessive or a lowercase
         * word (6): that test first, as it is rarely true (a branch on
         * the type and source first mispredicted); then only these may
         * change in step 5 (a place from the gazetteer, a guess) or 6 (a
         * place from the gazetteer). */
        uint32_t te = m->tend;
        uint32_t nxf = te < c->nt ? toks[te].flags : 0;
        uint32_t want = TF_DIGIT | (src == ENT_SRC_GAZ ? TF_POSS | TF_LOWER : 0);
        if ((nxf & want) && te < c->nt && src < 8 && type < 32 && ((step56_types[src] >> type) & 1) &&
            (src != ENT_SRC_GAZ || m->entry >= 0)) {
            /* 5. sports results: a city or region followed by a score is
             * a team ("Chicago 5 Boston 3"); countries stay places, as
             * CoNLL/OntoNotes do. */
            if ((nxf & TF_DIGIT) && !(nxf & TF_NL) &&
                !((nxf & TF__RULE) && c->rule_type[m->tend] != ET_CARDINAL)) {
                if (src == ENT_SRC_GAZ) {
                    const ent_entry_t *e = &c->kb->entries[m->entry];
                    const char *id = c->kb->pool + e->id;
                    int country = e->id_len == 2 && id[0] >= 'A' && id[0] <= 'Z' &&
                                  id[1] >= 'A' && id[1] <= 'Z';
                    if (!country) m->type = ET_ORG;
                } else if (!(toks[m->tstart].flags & TF_INITIAL)) {
                    /* nobody is called by a bare first name in a results
                     * line, so a lone given name before a score is a team
                     * too ("Kent 108-3") */
                    unsigned fc = ent_tok_cls(c, m->tstart);
                    if (m->tend - m->tstart == 1 ? !(fc & CL_SURNAME)
                                                 : (score_pair(c, s, i) && !(fc & (CL_GIVEN | CL_SURNAME))))
                        m->type = ET_ORG;
                }
            }
            /* 6. a capital standing for its government: "Beijing's
             * curbs", "Moscow said" -> the country's canonical name */
            if (m->type == ET_GPE && src == ENT_SRC_GAZ &&
                ((nxf & TF_POSS) ||
                 ((nxf & TF_LOWER) && (ent_tok_cls(c, m->tend) & CL_SPEECH)))) {
                const ent_entry_t *e0 = &c->kb->entries[m->entry];
                for (int32_t e = e0->next; e >= 0; e = c->kb->entries[e].next) {
                    const ent_entry_t *ce = &c->kb->entries[e];
                    if (ce->type == ENT_T_CAPITAL && ce->packed_len == e0->packed_len &&
                        memcmp(c->kb->pool + ce->packed, c->kb->pool + e0->packed,
                               e0->packed_len) == 0) {
                        m->canon = c->kb->pool + ce->canon;
                        m->canon_len = ce->canon_len;
                        break;
                    }
                }
            }
        }
        if (i == 0) continue;
        /* 7. adjacent nationalities are one: "Iraqi Kurds" */
        ent_mention_t *a = m - 1;
        if (a->type == ET_NORP && m->type == ET_NORP && a->tend == m->tstart &&
            !(toks[m->tstart].flags & TF_NL)) {
            a->tend = m->tend;
            a->end = m->end;
            a->canon = c->text + a->start;
            a->canon_len = a->end - a->start;
            a->entry = -1;
            m->type = ET_NONE;
        }
        /* 8. the one before is final */
        step8_final(ms, i - 1, &k8);
    }
    step8_final(ms, n - 1, &k8);   /* n >= n0 > 0 */
    if (k8.o != k8.run) memmove(ms + k8.o, ms + k8.run, (n - k8.run) * sizeof *ms);
    size_t o = k8.o + (n - k8.run);
    /* step 3's mentions (always kept) are the last ones */
    size_t omain = o >= n - n0 ? o - (n - n0) : 0;
    s->ments_n = o;
    /* usually in order already (only step 3 appends out of order) */
    if (!k8.sorted && !merge_appended(ms, omain, o)) qsort(ms, o, sizeof *ms, cmp_ment);
    return 0;
}
