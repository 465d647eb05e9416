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

typedef struct {
    const char *s;           /* alias text */
    uint64_t h;              /* its case-folded hash, as a token's */
    uint32_t len;
    uint32_t ment;           /* the full mention */
    uint8_t acronym;
} alias_t;

static int ci_eq(const char *a, const char *b, size_t n)
{
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

/* The aliases chained by hash, each chain in alias order, so a lookup
 * visits only the aliases that could match (equal text, exact or in any
 * ASCII case, means an equal case-folded hash). */
typedef struct {
    int16_t head[2 * MAX_ALIASES];
    int16_t next[MAX_ALIASES];
    size_t mask;
} alias_index_t;

static void alias_index(alias_index_t *ix, const alias_t *al, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n) cap *= 2;
    ix->mask = cap - 1;
    for (size_t k = 0; k < cap; k++) ix->head[k] = -1;
    for (size_t k = n; k-- > 0;) {
        size_t b = (size_t)((al[k].h * 0x9E3779B97F4A7C15ull) >> 32) & ix->mask;
        ix->next[k] = ix->head[b];
        ix->head[b] = (int16_t)k;
    }
}

/* Find the alias for token i; exact case, or any case on capitals; the
 * first one in alias order. */
static const alias_t *find_alias(ent_ctx_t *c, const alias_t *al, const alias_index_t *ix,
                                 size_t i, int acronyms)
{
    const ent_tok_t *t = &c->toks[i];
    const char *s = c->text + t->start;
    size_t l = t->hend - t->start;
    int anycase = (t->flags & (TF_HEAD | TF_UPPER)) != 0;
    size_t b = (size_t)((t->h * 0x9E3779B97F4A7C15ull) >> 32) & ix->mask;
    for (int k = ix->head[b]; k >= 0; k = ix->next[k]) {
        if (al[k].h != t->h || al[k].acronym != acronyms || al[k].len != l) continue;
        if (memcmp(al[k].s, s, l) == 0 || (anycase && ci_eq(al[k].s, s, l))) return &al[k];
    }
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
        if (ent_kb_classes(c->kb, h) & CL_NORP_SUFFIX) return 1;
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

/* Default type for one unknown capitalised word nobody explains. */
static int default_type(ent_ctx_t *c, const ent_mention_t *m)
{
    const ent_tok_t *t = &c->toks[m->tstart];
    if ((t->flags & TF_UPPER) && t->hend - t->start >= 2) return ET_ORG;
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
} text_group_t;

static int unknown_groups(ent_ctx_t *c)
{
    ent_scratch_t *s = c->s;
    size_t nu = 0;
    uint64_t lens = 0;               /* bit l: an unknown text of l bytes (l < 64) */
    int long_lens = 0;
    for (size_t i = 0; i < s->ments_n; i++) {
        const ent_mention_t *m = &s->ments[i];
        if (m->type != ENT_UNKNOWN && m->type != ENT_WEAK) continue;
        nu++;
        uint32_t l = m->end - m->start;
        if (l < 64) lens |= 1ull << l;
        else long_lens = 1;
    }
    if (!nu) return 0;
    size_t cap = 16;
    while (cap < nu * 2) cap *= 2;
    size_t need = nu * sizeof(text_group_t) + nu * sizeof(int32_t) + cap * sizeof(int32_t);
    if (need > s->cbuf_cap) {
        void *nb = realloc(s->cbuf, need);
        if (!nb) return -1;
        s->cbuf = nb;
        s->cbuf_cap = need;
    }
    text_group_t *g = s->cbuf;
    int32_t *ugroup = (int32_t *)(g + nu);    /* group of the k-th unknown mention */
    int32_t *table = ugroup + nu;
    for (size_t k = 0; k < cap; k++) table[k] = -1;
    size_t ng = 0, ku = 0;

    /* groups, one per distinct unknown text */
    for (size_t i = 0; i < s->ments_n; i++) {
        const ent_mention_t *m = &s->ments[i];
        if (m->type != ENT_UNKNOWN && m->type != ENT_WEAK) continue;
        uint32_t l = m->end - m->start;
        uint64_t h = text_hash(c, m, l);
        size_t slot = (size_t)((h * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
        while (table[slot] >= 0 && !(g[table[slot]].h == h && g[table[slot]].len == l))
            slot = (slot + 1) & (cap - 1);
        if (table[slot] < 0) {
            g[ng].h = h;
            g[ng].len = l;
            g[ng].known = g[ng].first_unknown = -1;
            g[ng].org = g[ng].has_unknown = 0;
            table[slot] = (int32_t)ng++;
        }
        ugroup[ku++] = table[slot];
    }

    /* every mention of those texts, in text order */
    for (size_t i = 0; i < s->ments_n; i++) {
        const ent_mention_t *m = &s->ments[i];
        uint32_t l = m->end - m->start;
        if (l < 64 ? !(lens & (1ull << l)) : !long_lens) continue;
        uint64_t h = text_hash(c, m, l);
        size_t slot = (size_t)((h * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
        while (table[slot] >= 0 && !(g[table[slot]].h == h && g[table[slot]].len == l))
            slot = (slot + 1) & (cap - 1);
        if (table[slot] < 0) continue;
        text_group_t *gr = &g[table[slot]];
        if (m->type == ENT_UNKNOWN || m->type == ENT_WEAK) {
            if (m->type == ENT_UNKNOWN) {
                gr->has_unknown = 1;
                if (gr->first_unknown < 0) gr->first_unknown = (int32_t)i;
            }
            size_t nx = m->tend;
            if (nx < c->nt && (c->toks[nx].flags & TF_POSS)) nx++;
            if (m->type == ENT_UNKNOWN && m->tend - m->tstart == 1 && nx < c->nt &&
                (c->toks[nx].flags & TF_LOWER) && (ent_tok_cls(c, nx) & CL_ORG_CONTEXT))
                gr->org = 1;
        } else if (m->type != ET_NONE && m->type < ET__COUNT && gr->known < 0) {
            gr->known = (int32_t)i;
        }
    }

    /* the type of each group, given to its unknown mentions */
    ku = 0;
    for (size_t i = 0; i < s->ments_n; i++) {
        ent_mention_t *m = &s->ments[i];
        if (m->type != ENT_UNKNOWN && m->type != ENT_WEAK) continue;
        const text_group_t *gr = &g[ugroup[ku++]];
        const ent_mention_t *known = gr->known >= 0 ? &s->ments[gr->known] : NULL;
        int type = ET_NONE;
        if (gr->org) type = ET_ORG;
        else if (known) type = known->type;
        else if (gr->has_unknown) type = default_type(c, &s->ments[gr->first_unknown]);
        m->type = (uint8_t)type;
        if (known && !gr->org) {
            m->canon = known->canon;
            m->canon_len = known->canon_len;
        }
    }
    return 0;
}

int ent_coref(ent_ctx_t *c)
{
    ent_scratch_t *s = c->s;
    alias_t al[MAX_ALIASES];
    size_t na = 0;

    /* 1. aliases from multi-word mentions */
    for (size_t i = 0; i < s->ments_n && na + 3 < MAX_ALIASES; i++) {
        ent_mention_t *m = &s->ments[i];
        if (m->tend - m->tstart < 2) continue;   /* most: one token, one word at most */
        size_t words = 0, first = m->tend, last = m->tstart;
        for (size_t k = m->tstart; k < m->tend; k++)
            if (word_tok(&c->toks[k])) {
                if (first == m->tend) first = k;
                last = k;
                words++;
            }
        if (words < 2) continue;
        if (m->type == ET_PERSON) {
            const ent_tok_t *lt = &c->toks[last];
            if (!(ent_tok_cls(c, last) & CL_NAME_PART) && !(lt->flags & TF_INITIAL)) {
                al[na].s = c->text + lt->start;
                al[na].len = lt->hend - lt->start;
                al[na].h = lt->h;
                al[na].ment = (uint32_t)i;
                al[na++].acronym = 0;
            }
            const ent_tok_t *ft = &c->toks[first];
            if (!(ent_tok_cls(c, first) & CL_GIVEN) && !(ft->flags & TF_INITIAL)) {
                al[na].s = c->text + ft->start;
                al[na].len = ft->hend - ft->start;
                al[na].h = ft->h;
                al[na].ment = (uint32_t)i;
                al[na++].acronym = 0;
            }
        } else if (m->type == ET_ORG || m->type == ET_GPE || m->type == ET_LOC ||
                   m->type == ET_EVENT || m->type == ET_LAW || m->type == ET_FAC) {
            /* acronym of the capitalised words: Asia-Pacific Economic Cooperation */
            char *buf = c->acro + c->acro_len;
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
                    ent_gaz_match(c, first, &e, NULL) == 0) {
                    al[na].s = c->text + ft->start;
                    al[na].len = ft->hend - ft->start;
                    al[na].h = ft->h;
                    al[na].ment = (uint32_t)i;
                    al[na++].acronym = 0;
                }
            }
            if (bl >= 2 && c->acro_len + bl < sizeof c->acro) {
                al[na].s = buf;
                al[na].len = (uint32_t)bl;
                al[na].h = ent_hash_token(buf, bl);
                al[na].ment = (uint32_t)i;
                al[na++].acronym = 1;
                c->acro_len += bl;
            }
        }
    }

    alias_index_t ix;
    alias_index(&ix, al, na);

    /* 2. one-word mentions join a full name or an expansion */
    for (size_t i = 0; i < s->ments_n; i++) {
        ent_mention_t *m = &s->ments[i];
        size_t words, w = m->tstart;
        if (m->tend - m->tstart == 1) {
            words = word_tok(&c->toks[w]);   /* most mentions: no loop */
        } else {
            words = 0;
            for (size_t k = m->tstart; k < m->tend; k++)
                if (word_tok(&c->toks[k])) { words++; w = k; }
        }
        if (words != 1 || (m->source == ENT_SRC_RULE && m->type >= ET_DATE)) continue;
        if (m->type == ET_NORP) continue;
        const alias_t *a = find_alias(c, al, &ix, w, 0);
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
        if (c->toks[w].flags & TF_UPPER) {
            a = find_alias(c, al, &ix, w, 1);
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
    for (size_t i = 0; i < s->ments_n && nf < MAX_FULL; i++)
        if (s->ments[i].type == ET_PERSON && s->ments[i].tend - s->ments[i].tstart >= 3)
            fulls[nf++] = (uint32_t)i;
    for (size_t i = 0; i < s->ments_n && nf; i++) {
        ent_mention_t *m = &s->ments[i];
        if (m->type != ET_PERSON || m->source == ENT_SRC_ALIAS || m->tend - m->tstart < 2) continue;
        for (size_t jj = 0; jj < nf; jj++) {
            size_t j = fulls[jj];
            const ent_mention_t *f = &s->ments[j];
            if (j == i || f->tend - f->tstart <= m->tend - m->tstart) continue;
            size_t ml = m->end - m->start, fl = f->end - f->start;
            if (fl <= ml) continue;   /* more tokens need not mean more bytes */
            const char *mt = c->text + m->start, *ft = c->text + f->start;
            int suffix = memcmp(ft + fl - ml, mt, ml) == 0 && ft[fl - ml - 1] == ' ';
            int prefix = memcmp(ft, mt, ml) == 0 && ft[ml] == ' ';
            if (suffix || prefix) {
                m->canon = f->canon;
                m->canon_len = f->canon_len;
                break;
            }
        }
    }

    /* 3. skipped sentence-initial words that are in fact a known surname */
    for (size_t d = 0; d < c->dropped_n; d++) {
        size_t k = c->dropped[d];
        const alias_t *a = find_alias(c, al, &ix, k, 0);
        if (!a || s->ments[a->ment].type != ET_PERSON) continue;
        if (s->ments_n == s->ments_cap) {
            size_t cap = s->ments_cap ? s->ments_cap * 2 : 64;
            ent_mention_t *nm = realloc(s->ments, cap * sizeof *nm);
            if (!nm) return -1;
            s->ments = nm;
            s->ments_cap = cap;
        }
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
    if (unknown_groups(c) < 0) return -1;

    /* 5. sports results: a city or region followed by a score is a team
     * ("Chicago 5 Boston 3"); countries stay places, as CoNLL/OntoNotes do. */
    for (size_t i = 0; i < s->ments_n; i++) {
        ent_mention_t *m = &s->ments[i];
        if (m->type == ET_NONE) continue;
        if (m->tend >= c->nt || !(c->toks[m->tend].flags & TF_DIGIT) ||
            (c->toks[m->tend].flags & TF_NL))
            continue;
        if ((c->toks[m->tend].flags & TF__RULE) && c->rule_type[m->tend] != ET_CARDINAL)
            continue;   /* a dateline or an amount, not a score */
        if (m->type == ET_GPE && m->source == ENT_SRC_GAZ && m->entry >= 0) {
            const ent_entry_t *e = &c->kb->entries[m->entry];
            const char *id = c->kb->pool + e->id;
            int country = e->id_len == 2 && id[0] >= 'A' && id[0] <= 'Z' && id[1] >= 'A' && id[1] <= 'Z';
            if (!country) m->type = ET_ORG;
        } else if (m->source == ENT_SRC_GUESS && m->type != ET_NORP &&
                   !(c->toks[m->tstart].flags & TF_INITIAL)) {
            /* nobody is called by a bare first name in a results line, so a
             * lone given name before a score is a team too ("Kent 108-3") */
            unsigned fc = ent_tok_cls(c, m->tstart);
            if (m->tend - m->tstart == 1 ? !(fc & CL_SURNAME)
                                         : (score_pair(c, s, i) && !(fc & (CL_GIVEN | CL_SURNAME))))
                m->type = ET_ORG;
        }
    }

    /* 6. a capital standing for its government: "Beijing's curbs", "Moscow
     * said" -> the country's canonical name */
    for (size_t i = 0; i < s->ments_n; i++) {
        ent_mention_t *m = &s->ments[i];
        if (m->type != ET_GPE || m->source != ENT_SRC_GAZ || m->entry < 0 || m->tend >= c->nt)
            continue;
        const ent_tok_t *nx = &c->toks[m->tend];
        if (!(nx->flags & TF_POSS) &&
            !((nx->flags & TF_LOWER) && (ent_tok_cls(c, m->tend) & CL_SPEECH)))
            continue;
        const ent_entry_t *e0 = &c->kb->entries[m->entry];
        for (int32_t e = e0->next; e >= 0; e = c->kb->entries[e].next) {
            const ent_entry_t *ce = &c->kb->entries[e];
            if (ce->type == ENT_T_CAPITAL && ce->packed_len == e0->packed_len &&
                memcmp(c->kb->pool + ce->packed, c->kb->pool + e0->packed, e0->packed_len) == 0) {
                m->canon = c->kb->pool + ce->canon;
                m->canon_len = ce->canon_len;
                break;
            }
        }
    }

    /* 7. adjacent nationalities are one: "Iraqi Kurds" */
    for (size_t i = 0; i + 1 < s->ments_n; i++) {
        ent_mention_t *a = &s->ments[i], *b = &s->ments[i + 1];
        if (a->type == ET_NORP && b->type == ET_NORP && a->tend == b->tstart &&
            !(c->toks[b->tstart].flags & TF_NL)) {
            a->tend = b->tend;
            a->end = b->end;
            a->canon = c->text + a->start;
            a->canon_len = a->end - a->start;
            a->entry = -1;
            b->type = ET_NONE;
        }
    }

    /* 8. compact and sort */
    size_t o = 0;
    for (size_t i = 0; i < s->ments_n; i++) {
        if (s->ments[i].type == ET_NONE || s->ments[i].type >= ET__COUNT) continue;
        s->ments[o++] = s->ments[i];
    }
    s->ments_n = o;
    /* ments is NULL until the first mention; it is usually in order already
     * (only step 3 appends out of order) */
    int sorted = 1;
    for (size_t i = 1; i < s->ments_n && sorted; i++)
        sorted = s->ments[i - 1].start < s->ments[i].start;
    if (!sorted) qsort(s->ments, s->ments_n, sizeof *s->ments, cmp_ment);
    return 0;
}
