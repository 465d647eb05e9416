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

typedef struct {
    const char *s;           /* alias text */
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

/* Find the alias for token i; exact case, or any case on capitals. */
static const alias_t *find_alias(ent_ctx_t *c, const alias_t *al, size_t n, size_t i,
                                 int acronyms)
{
    const ent_tok_t *t = &c->toks[i];
    const char *s = c->text + t->start;
    size_t l = t->hend - t->start;
    int anycase = (t->flags & (TF_HEAD | TF_UPPER)) != 0;
    for (size_t k = 0; k < n; k++) {
        if (al[k].acronym != acronyms || al[k].len != l) continue;
        if (memcmp(al[k].s, s, l) == 0 || (anycase && ci_eq(al[k].s, s, l))) return &al[k];
    }
    return NULL;
}

static int cmp_ment(const void *a, const void *b)
{
    const ent_mention_t *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Default type for one unknown capitalised word nobody explains. */
static int ends_with(const ent_ctx_t *c, const ent_tok_t *t, const char *suf)
{
    size_t l = strlen(suf), n = t->hend - t->start;
    return n > l + 2 && memcmp(c->text + t->hend - l, suf, l) == 0;
}

static int default_type(ent_ctx_t *c, const ent_mention_t *m)
{
    const ent_tok_t *t = &c->toks[m->tstart];
    if ((t->flags & TF_UPPER) && t->hend - t->start >= 2) return ET_ORG;
    /* adjectives of peoples, religions, movements: Islamic, Zairean, Olympic */
    if (!(ent_tok_cls(c, m->tstart) & (CL_GIVEN | CL_SURNAME)) &&
        (m->tend >= c->nt || !(c->toks[m->tend].flags & TF_CAP)) &&
        (ends_with(c, t, "ic") || ends_with(c, t, "ian") || ends_with(c, t, "ean") ||
         ends_with(c, t, "ese") || ends_with(c, t, "ish") || ends_with(c, t, "ist")))
        return ET_NORP;
    if (m->tend < c->nt && (ent_tok_cls(c, m->tend) & (CL_SPEECH | CL_PERSON_VERB)))
        return ET_PERSON;
    if (m->tstart > 0 && (ent_tok_cls(c, m->tstart - 1) & CL_LOCPREP) &&
        (c->toks[m->tstart - 1].flags & TF_LOWER))
        return ET_GPE;
    return ET_PERSON;
}

int ent_coref(ent_ctx_t *c)
{
    ent_scratch_t *s = c->s;
    alias_t al[MAX_ALIASES];
    size_t na = 0;

    /* 1. aliases from multi-word mentions */
    for (size_t i = 0; i < s->ments_n && na + 3 < MAX_ALIASES; i++) {
        ent_mention_t *m = &s->ments[i];
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
                al[na].ment = (uint32_t)i;
                al[na++].acronym = 0;
            }
            const ent_tok_t *ft = &c->toks[first];
            if (!(ent_tok_cls(c, first) & CL_GIVEN) && !(ft->flags & TF_INITIAL)) {
                al[na].s = c->text + ft->start;
                al[na].len = ft->hend - ft->start;
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
                    al[na].ment = (uint32_t)i;
                    al[na++].acronym = 0;
                }
            }
            if (bl >= 2 && c->acro_len + bl < sizeof c->acro) {
                al[na].s = buf;
                al[na].len = (uint32_t)bl;
                al[na].ment = (uint32_t)i;
                al[na++].acronym = 1;
                c->acro_len += bl;
            }
        }
    }

    /* 2. one-word mentions join a full name or an expansion */
    for (size_t i = 0; i < s->ments_n; i++) {
        ent_mention_t *m = &s->ments[i];
        size_t words = 0, w = m->tstart;
        for (size_t k = m->tstart; k < m->tend; k++)
            if (word_tok(&c->toks[k])) { words++; w = k; }
        if (words != 1 || (m->source == ENT_SRC_RULE && m->type >= ET_DATE)) continue;
        if (m->type == ET_NORP) continue;
        const alias_t *a = find_alias(c, al, na, w, 0);
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
            a = find_alias(c, al, na, w, 1);
            if (a && a->ment != i && m->source != ENT_SRC_GAZ) {
                const ent_mention_t *f = &s->ments[a->ment];
                m->type = f->type;
                m->canon = f->canon;
                m->canon_len = f->canon_len;
                m->source = ENT_SRC_ALIAS;
            }
        }
    }

    /* 3. skipped sentence-initial words that are in fact a known surname */
    for (size_t d = 0; d < c->dropped_n; d++) {
        size_t k = c->dropped[d];
        const alias_t *a = find_alias(c, al, na, k, 0);
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

    /* 4. unknown one-word names: the type the same word has elsewhere */
    for (size_t i = 0; i < s->ments_n; i++) {
        ent_mention_t *m = &s->ments[i];
        if (m->type != ENT_UNKNOWN && m->type != ENT_WEAK) continue;
        int found = 0;
        for (size_t j = 0; j < s->ments_n && !found; j++) {
            const ent_mention_t *o = &s->ments[j];
            if (o->type >= ET__COUNT || o->type == ET_NONE || o->end - o->start != m->end - m->start)
                continue;
            if (memcmp(c->text + o->start, c->text + m->start, m->end - m->start) == 0) {
                m->type = o->type;
                m->canon = o->canon;
                m->canon_len = o->canon_len;
                found = 1;
            }
        }
        if (!found) m->type = m->type == ENT_WEAK ? ET_NONE : (uint8_t)default_type(c, m);
    }

    /* 5. sports results: a city or region followed by a score is a team
     * ("Chicago 5 Boston 3"); countries stay places, as CoNLL/OntoNotes do. */
    for (size_t i = 0; i < s->ments_n; i++) {
        ent_mention_t *m = &s->ments[i];
        if (m->tend >= c->nt || !(c->toks[m->tend].flags & TF_DIGIT) ||
            (c->toks[m->tend].flags & TF_NL))
            continue;
        if (c->rule_end[m->tend] >= 0 && c->rule_type[m->tend] != ET_CARDINAL)
            continue;   /* a dateline or an amount, not a score */
        if (m->type == ET_GPE && m->source == ENT_SRC_GAZ && m->entry >= 0) {
            const ent_entry_t *e = &c->kb->entries[m->entry];
            const char *id = c->kb->pool + e->id;
            int country = e->id_len == 2 && id[0] >= 'A' && id[0] <= 'Z' && id[1] >= 'A' && id[1] <= 'Z';
            if (!country) m->type = ET_ORG;
        } else if (m->source == ENT_SRC_GUESS && m->type != ET_NORP &&
                   (m->tend - m->tstart == 1 ||
                    (m->tstart > 0 && (c->toks[m->tstart - 1].flags & TF_DIGIT)) ||
                    (m->tend + 1 < c->nt && (c->toks[m->tend + 1].flags & TF_CAP))) &&
                   !(ent_tok_cls(c, m->tstart) & (CL_GIVEN | CL_SURNAME)) &&
                   !(c->toks[m->tstart].flags & TF_INITIAL)) {
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
    qsort(s->ments, s->ments_n, sizeof *s->ments, cmp_ment);
    return 0;
}
