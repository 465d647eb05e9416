/* qx_attr.c -- attribution: finds the cue and the speaker of each quote,
 * merges split quotes and lets cue-less quote paragraphs inherit.
 *
 * Patterns are matched on the tokens of the quote's paragraph (qx_tok.c):
 *   after the quote   "…," X said / "…," said X, <title> / "…," according to X
 *   before the quote  X said: "…" / X told reporters "…" / X, who said "…"
 * A speaker is an entity mention (PERSON, ORG, GPE, NORP), a pronoun
 * resolved to the nearest fitting earlier entity, a capitalised name, or a
 * description ending in a known noun ("a senior official"). */
#include "qx_tok.h"

#include <stdlib.h>
#include <string.h>

#define LEAD_MAX 60     /* tokens searched back for a cue */
#define TRAIL_MAX 40    /* tokens of the sentence after a quote */
#define TRAIL_CUE 25    /* a cue after a full quote must come this early */
#define TRAIL_CUE_PARTIAL 6

enum { A_NONE = 0, A_TRAIL, A_LEAD, A_COLON, A_INHERIT };

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
    qx_toks_t cur, aux;
} ctx_t;

/* ---------------------------------------------------------------- helpers */

static uint32_t cls(ctx_t *c, qx_tok_t *t)
{
    return qx_tok_cls(c->lx, c->b, t);
}

/* Entity i with all its fields. */
static const qx_ent_t *E(ctx_t *c, size_t i)
{
    qx_ent_t *e = &c->ents[i];
    if (!e->ready) {
        if (c->el->fill) c->el->fill(c->el->arg, i, e);
        e->ready = 1;
    }
    return e;
}

/* The entity covering [s, e), or -1.  ents are sorted by start. */
static int ent_at(ctx_t *c, uint32_t s, uint32_t e)
{
    size_t lo = 0, hi = c->nents;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->ents[mid].start <= s) lo = mid + 1;
        else hi = mid;
    }
    /* Check a few candidates left of the insertion point (nested spans). */
    for (size_t k = lo, n = 0; k > 0 && n < 3; k--, n++) {
        const qx_ent_t *en = E(c, k - 1);
        if (en->start <= s && en->end >= e) return (int)(k - 1);
    }
    return -1;
}

static int speaker_type(qx_etype_t t)
{
    return t == QX_E_PERSON || t == QX_E_ORG || t == QX_E_GPE || t == QX_E_NORP;
}

/* Cue at token j: returns its classes (QX_W_CUE or QX_W_CUE_PREP) and the
 * index of its last token. */
static uint32_t cue_at(ctx_t *c, qx_toks_t *tk, size_t j, size_t *last)
{
    qx_tok_t *t = &tk->t[j];
    if (!(t->f & T_WORD)) return 0;
    uint32_t k = cls(c, t);
    *last = j;
    if ((k & QX_W_CUE_HEAD) && j + 1 < tk->n && (tk->t[j + 1].f & T_WORD)) {
        char buf[64];
        size_t a = t->e - t->s, bl = tk->t[j + 1].e - tk->t[j + 1].s;
        if (a + bl + 1 < sizeof(buf)) {
            memcpy(buf, c->b + t->s, a);
            buf[a] = ' ';
            memcpy(buf + a + 1, c->b + tk->t[j + 1].s, bl);
            uint32_t pk = qx_lex_phrase(c->lx, buf, a + 1 + bl);
            if (pk & (QX_W_CUE | QX_W_CUE_PREP)) {
                *last = j + 1;
                return pk & (QX_W_CUE | QX_W_CUE_PREP);
            }
        }
    }
    if (!(k & QX_W_CUE)) return 0;
    /* Capitalised mid-sentence, a cue word is a name: the Washington Post,
     * Islamic State. */
    if ((t->f & T_CAP) && j > 0 && !(tk->t[j - 1].f & (T_END | T_QUOTE | T_COLON))) return 0;
    /* After a determiner or a possessive the word is a noun: "the
     * claims", "Sanders' comments", "his remarks". */
    if (j > 0 && (tk->t[j - 1].f & T_WORD)) {
        qx_tok_t *p = &tk->t[j - 1];
        uint32_t pk = cls(c, p);
        const char *w = c->b + p->s;
        size_t n = p->e - p->s;
        if ((pk & QX_W_DET) || (pk & QX_W_POSSESSIVE) ||
            (n > 2 && ((w[n - 2] == '\'' && w[n - 1] == 's') || w[n - 1] == '\'')) ||
            (n > 4 && (unsigned char)w[n - 3] == 0xE2 && (unsigned char)w[n - 1] == 0x99) ||
            (n > 4 && (unsigned char)w[n - 4] == 0xE2 && (unsigned char)w[n - 2] == 0x99 && w[n - 1] == 's'))
            return 0;
    }
    return QX_W_CUE;
}

static int skippable(ctx_t *c, qx_tok_t *t)
{
    if (!(t->f & T_WORD)) return 0;
    uint32_t k = cls(c, t);
    if (k & QX_W_SKIP) return 1;
    if ((t->f & T_LY) && !(t->f & T_CAP) && !(k & (QX_W_NOUN | QX_W_CUE))) return 1;
    int e = ent_at(c, t->s, t->e);
    if (e >= 0 && !speaker_type(E(c, e)->type) && (t->f & T_CAP)) return 1;   /* Thursday */
    return 0;
}

static void sp_set(sp_t *sp, qx_spkind_t kind, uint32_t s, uint32_t e, int ent)
{
    sp->kind = kind;
    sp->s = s;
    sp->e = e;
    sp->ent = ent;
}

/* A word that can be part of a capitalised name. */
static int name_word(ctx_t *c, qx_tok_t *t)
{
    if (!(t->f & T_WORD) || !(t->f & T_CAP)) return 0;
    uint32_t k = cls(c, t);
    return !(k & (QX_W_DET | QX_W_CUE | QX_W_PRONOUN | QX_W_NOSPEAK | QX_W_SKIP | QX_W_RELATIVE));
}

/* ---------------------------------------------------------------- NPs */

/* A speaker phrase ending at token i, not reaching before lo. */
static int np_back(ctx_t *c, qx_toks_t *tk, long i, long lo, sp_t *sp)
{
    /* Skip a parenthesis: Rep. Jane Roe (D-Ore.) said. */
    if (i >= lo && (tk->t[i].f & T_RPAREN)) {
        long j = i - 1;
        while (j >= lo && i - j < 10 && !(tk->t[j].f & T_LPAREN)) j--;
        if (j < lo || !(tk->t[j].f & T_LPAREN)) return 0;
        i = j - 1;
    }
    if (i < lo) return 0;
    qx_tok_t *t = &tk->t[i];
    if (!(t->f & T_WORD)) return 0;
    int e = ent_at(c, t->s, t->e);
    if (e >= 0 && speaker_type(E(c, e)->type)) {
        sp_set(sp, QX_SP_ENTITY, E(c, e)->start, E(c, e)->end, e);
        return 1;
    }
    uint32_t k = cls(c, t);
    if (k & QX_W_NOSPEAK) return 0;
    if (k & QX_W_PRONOUN) {
        sp_set(sp, QX_SP_PRONOUN, t->s, t->e, -1);
        return 1;
    }
    if ((k & QX_W_CUE) && !(k & QX_W_NOUN)) {
        /* "Read said": a capitalised cue word as the subject is a name. */
        if (!(t->f & T_CAP)) return 0;
        long j = i;
        while (j - 1 >= lo && i - j < 4 && name_word(c, &tk->t[j - 1])) j--;
        sp_set(sp, QX_SP_NAME, tk->t[j].s, t->e, -1);
        return 1;
    }
    if (k & QX_W_NOUN) {
        /* Extend over modifiers back to a determiner: a senior State
         * Department official. */
        long j = i;
        while (j - 1 >= lo && i - j < 5) {
            qx_tok_t *p = &tk->t[j - 1];
            if (!(p->f & T_WORD)) break;
            uint32_t pk = cls(c, p);
            if (pk & (QX_W_CUE | QX_W_PRONOUN | QX_W_NOSPEAK | QX_W_RELATIVE | QX_W_SKIP)) break;
            j--;
            if (pk & QX_W_DET) break;
        }
        sp_set(sp, QX_SP_DESC, tk->t[j].s, t->e, -1);
        return 1;
    }
    if (name_word(c, t)) {
        long j = i;
        while (j - 1 >= lo && i - j < 5 && name_word(c, &tk->t[j - 1])) j--;
        sp_set(sp, QX_SP_NAME, tk->t[j].s, t->e, -1);
        return 1;
    }
    /* "the letter", "the announcer": a determiner close before. */
    if (!(t->f & (T_CAP | T_NUM | T_ING | T_LY))) {
        for (long j = i - 1; j >= lo && i - j <= 3; j--) {
            qx_tok_t *p = &tk->t[j];
            if (!(p->f & T_WORD)) break;
            uint32_t pk = cls(c, p);
            if (pk & (QX_W_DET | QX_W_POSSESSIVE)) {   /* the letter, his colleague */
                sp_set(sp, QX_SP_DESC, p->s, t->e, -1);
                return 1;
            }
            if (pk & (QX_W_CUE | QX_W_PRONOUN | QX_W_NOSPEAK | QX_W_RELATIVE | QX_W_SKIP)) break;
        }
    }
    return 0;
}

/* A speaker phrase starting at token i, not reaching hi. */
static int np_fwd(ctx_t *c, qx_toks_t *tk, size_t i, size_t hi, sp_t *sp)
{
    while (i < hi && skippable(c, &tk->t[i]) && !(cls(c, &tk->t[i]) & QX_W_DET)) i++;
    if (i >= hi) return 0;
    qx_tok_t *t = &tk->t[i];
    if (!(t->f & T_WORD)) return 0;
    uint32_t k = cls(c, t);
    if (k & (QX_W_NOSPEAK | QX_W_CUE)) return 0;
    int e = ent_at(c, t->s, t->e);
    if (e >= 0 && speaker_type(E(c, e)->type)) {
        /* UKA chief executive David Moorcroft: the person after an
         * organisation and its role nouns. */
        if (E(c, e)->type != QX_E_PERSON) {
            size_t j = i;
            while (j < hi && tk->t[j].e <= E(c, e)->end) j++;
            size_t r = j;
            while (r < hi && r - j < 3 && (tk->t[r].f & T_WORD) && !(tk->t[r].f & T_CAP) &&
                   (cls(c, &tk->t[r]) & QX_W_NOUN))
                r++;
            if (r > j && r < hi) {
                int pe = ent_at(c, tk->t[r].s, tk->t[r].e);
                if (pe >= 0 && E(c, pe)->type == QX_E_PERSON) {
                    sp_set(sp, QX_SP_ENTITY, E(c, pe)->start, E(c, pe)->end, pe);
                    return 1;
                }
                if (pe < 0 && name_word(c, &tk->t[r])) {
                    size_t m = r;
                    while (m + 1 < hi && m - r < 4 && name_word(c, &tk->t[m + 1])) m++;
                    sp_set(sp, QX_SP_NAME, tk->t[r].s, tk->t[m].e, -1);
                    return 1;
                }
            }
        }
        sp_set(sp, QX_SP_ENTITY, E(c, e)->start, E(c, e)->end, e);
        return 1;
    }
    if (k & QX_W_PRONOUN) {
        sp_set(sp, QX_SP_PRONOUN, t->s, t->e, -1);
        return 1;
    }
    /* the Harbor Authority: the entity after the article. */
    if ((k & QX_W_DET) && i + 1 < hi) {
        int en = ent_at(c, tk->t[i + 1].s, tk->t[i + 1].e);
        if (en >= 0 && speaker_type(E(c, en)->type)) {
            sp_set(sp, QX_SP_ENTITY, E(c, en)->start, E(c, en)->end, en);
            return 1;
        }
    }
    if (name_word(c, t) || (k & QX_W_TITLE)) {
        /* Sen. Jane Roe: prefer an entity inside the name. */
        size_t j = i;
        while (j + 1 < hi && j - i < 5 && name_word(c, &tk->t[j + 1])) j++;
        /* RNC spokesman Sean Spicer, UKA chief executive David Moorcroft:
         * role nouns, then the name. */
        size_t r = j + 1;
        while (r < hi && r - j <= 3 && (tk->t[r].f & T_WORD) && !(tk->t[r].f & T_CAP) &&
               (cls(c, &tk->t[r]) & QX_W_NOUN))
            r++;
        if (r > j + 1 && r < hi && name_word(c, &tk->t[r])) {
            i = r;
            t = &tk->t[i];
            j = i;
            while (j + 1 < hi && j - i < 5 && name_word(c, &tk->t[j + 1])) j++;
        }
        for (size_t m = i; m <= j; m++) {
            int em = ent_at(c, tk->t[m].s, tk->t[m].e);
            if (em >= 0 && speaker_type(E(c, em)->type)) {
                sp_set(sp, QX_SP_ENTITY, E(c, em)->start, E(c, em)->end, em);
                return 1;
            }
        }
        if (!(k & QX_W_NOUN) || j > i) {
            sp_set(sp, QX_SP_NAME, t->s, tk->t[j].e, -1);
            return 1;
        }
    }
    /* A description: [det] modifiers noun. */
    size_t j = i;
    int det = (k & QX_W_DET) != 0;
    for (; j < hi && j - i < 7; j++) {
        qx_tok_t *p = &tk->t[j];
        if (!(p->f & T_WORD)) break;
        uint32_t pk = cls(c, p);
        if (j > i && (pk & (QX_W_CUE | QX_W_RELATIVE | QX_W_NOSPEAK))) break;
        /* said former Wisconsin Gov. Jim Doyle: the person named. */
        int en = (p->f & T_CAP) ? ent_at(c, p->s, p->e) : -1;
        if (en >= 0 && E(c, en)->type == QX_E_PERSON) {
            sp_set(sp, QX_SP_ENTITY, E(c, en)->start, E(c, en)->end, en);
            return 1;
        }
        if (pk & QX_W_NOUN) {
            sp_set(sp, QX_SP_DESC, t->s, p->e, -1);
            return 1;
        }
    }
    /* said the announcer. */
    if (det && j > i + 1 && j - i <= 5 && (j >= hi || !(tk->t[j].f & T_WORD))) {
        sp_set(sp, QX_SP_DESC, t->s, tk->t[j - 1].e, -1);
        return 1;
    }
    return 0;
}

/* The subject of the cue at token ci: the phrase before it, past adverbs,
 * auxiliaries, dates, appositives and "who". */
static int subject_back(ctx_t *c, qx_toks_t *tk, long ci, long lo, int participle, sp_t *sp)
{
    long j = ci - 1;
    int skipped = 0;
    while (j >= lo && skipped < 6) {
        qx_tok_t *t = &tk->t[j];
        if (!(t->f & T_WORD)) break;
        uint32_t k = cls(c, t);
        if (skippable(c, t) && !(k & (QX_W_PRONOUN | QX_W_NOUN | QX_W_DET))) { j--; skipped++; continue; }
        /* was overheard saying: any plain verb before a participle cue. */
        if (participle && skipped < 3 && !(t->f & (T_CAP | T_NUM)) &&
            !(k & (QX_W_PRONOUN | QX_W_NOUN | QX_W_DET | QX_W_CUE | QX_W_NOSPEAK | QX_W_RELATIVE)) &&
            ent_at(c, t->s, t->e) < 0) {
            j--;
            skipped++;
            continue;
        }
        break;
    }
    if (j < lo) return 0;
    qx_tok_t *t = &tk->t[j];
    if (t->f & T_COMMA) {
        /* Gov. Jane Roe (R-Ohio), said */
        if (j - 1 >= lo && (tk->t[j - 1].f & T_RPAREN) && np_back(c, tk, j - 1, lo, sp)) return 1;
        /* X, a senior official, said / X, 45, a lawyer, said */
        long k = j - 1;
        for (int commas = 0; commas < 3 && k >= lo; commas++) {
            long n = 0;
            while (k >= lo && n < 25 &&
                   !(tk->t[k].f & (T_COMMA | T_END | T_QUOTE | T_COLON | T_SEMI))) { k--; n++; }
            if (k < lo || !(tk->t[k].f & T_COMMA)) break;
            if (np_back(c, tk, k - 1, lo, sp)) return 1;
            k--;
        }
        return 0;
    }
    if (t->f & T_WORD && (cls(c, t) & QX_W_RELATIVE)) {
        long k = j - 1;
        if (k >= lo && (tk->t[k].f & T_COMMA)) k--;
        return np_back(c, tk, k, lo, sp);
    }
    if (np_back(c, tk, j, lo, sp)) return 1;
    /* A longer subject: "another source familiar with the talks said",
     * "an official who spoke anonymously said".  Look back a few words for
     * a "who" or for a description's head noun. */
    for (long k = j - 1; k >= lo && j - k <= 8; k--) {
        qx_tok_t *p = &tk->t[k];
        if (!(p->f & T_WORD)) break;
        uint32_t pk = cls(c, p);
        if (pk & QX_W_CUE) break;
        if (pk & QX_W_RELATIVE) {
            long m = k - 1;
            if (m >= lo && (tk->t[m].f & T_COMMA)) m--;
            return np_back(c, tk, m, lo, sp);
        }
        if ((pk & QX_W_NOUN) && !(p->f & T_CAP)) return np_back(c, tk, k, lo, sp);
    }
    return 0;
}

/* ---------------------------------------------------------------- patterns */

typedef struct {
    sp_t sp;
    uint32_t cue_s, cue_e;
} attr_t;

/* Index of the token holding piece `piece` of quote qi in tk, or -1. */
static long atom_index(qx_toks_t *tk, size_t qi, int piece)
{
    for (size_t i = 0; i < tk->n; i++)
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
        uint32_t ck = cue_at(c, tk, ci, &last);
        if (!ck) continue;
        /* "…," Read said: a capitalised cue word before a cue is a name. */
        if ((t->f & T_CAP) && last + 1 < hi && cue_at(c, tk, last + 1, &last)) {
            last = ci;
            continue;
        }
        a->cue_s = t->s;
        a->cue_e = tk->t[last].e;
        if (ck & QX_W_CUE_PREP) return np_fwd(c, tk, last + 1, hi, &a->sp);
        size_t first = k;
        while (first < ci && skippable(c, &tk->t[first])) first++;
        if (first == ci) return np_fwd(c, tk, last + 1, hi, &a->sp);
        if (subject_back(c, tk, (long)ci, (long)k, (t->f & T_ING) != 0, &a->sp)) return 1;
        return np_fwd(c, tk, k, ci, &a->sp);
    }
    return 0;
}

static int attr_lead_cue(ctx_t *c, qx_toks_t *tk, long qa, long lo, size_t qi, attr_t *a);

/* The subject of the sentence starting at token lo: its first speaker
 * phrase, when lo really starts a sentence. */
static int sentence_subject(ctx_t *c, qx_toks_t *tk, long lo, long hi, sp_t *sp)
{
    if (lo > 0 && !(tk->t[lo - 1].f & T_END)) return 0;
    if (lo == 0 && tk->ps != tk->par_s) return 0;
    long i = lo;
    while (i < hi && i - lo < 3 && (tk->t[i].f & T_WORD) && skippable(c, &tk->t[i])) i++;
    return i < hi && np_fwd(c, tk, (size_t)i, (size_t)hi, sp);
}

/* The subject of the clause that ends at token end (a comma before a
 * participle, a colon): the first speaker phrase after the previous comma
 * or the sentence start.  "In a statement Thursday, Rep. Jane Roe reacted
 * to the news, saying:" gives Rep. Jane Roe. */
static int clause_subject(ctx_t *c, qx_toks_t *tk, long lo, long end, sp_t *sp)
{
    for (int clauses = 0; clauses < 4 && end > lo; clauses++) {
        long cs = end;
        while (cs > lo && !(tk->t[cs - 1].f & (T_COMMA | T_END | T_SEMI | T_QUOTE | T_COLON | T_DASH))) cs--;
        long i = cs;
        while (i < end && i - cs < 3 && (tk->t[i].f & T_WORD) &&
               (skippable(c, &tk->t[i]) || (cls(c, &tk->t[i]) & (QX_W_MINOR | QX_W_SUBORD))) &&
               !(cls(c, &tk->t[i]) & QX_W_DET))
            i++;
        /* "X, the campaign chair, emailed staff, telling them": a clause that
         * opens with a verb continues the subject of the one before. */
        qx_tok_t *t = i < end ? &tk->t[i] : NULL;
        int verbish = t && (t->f & T_WORD) && !(t->f & (T_CAP | T_NUM)) &&
                      !(cls(c, t) & (QX_W_DET | QX_W_POSSESSIVE | QX_W_PRONOUN | QX_W_NOUN)) &&
                      ent_at(c, t->s, t->e) < 0;
        if (!verbish && i < end && np_fwd(c, tk, (size_t)i, (size_t)end, sp)) {
            /* After a verb clause, a description between commas is an
             * appositive: "Nora Field, the campaign chair, emailed…". */
            sp_t name;
            if (clauses > 0 && sp->kind == QX_SP_DESC && cs > lo && (tk->t[cs - 1].f & T_COMMA) &&
                clause_subject(c, tk, lo, cs - 1, &name) && name.kind != QX_SP_DESC)
                *sp = name;
            return 1;
        }
        if (cs <= lo) return !verbish && sentence_subject(c, tk, lo, end, sp);
        if (!verbish && !(tk->t[cs - 1].f & T_COMMA)) return 0;
        end = cs - 1;
    }
    return 0;
}

/* Before the quote: the nearest cue in the sentence and its subject. */
static int attr_lead(ctx_t *c, qx_toks_t *tk, long qa, long lo, size_t qi, attr_t *a)
{
    /* "Polls agree - Carl Bialik: "…"": a name alone before the colon. */
    if (qa - 2 >= lo && (tk->t[qa - 1].f & T_COLON) && np_back(c, tk, qa - 2, lo, &a->sp) &&
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
        if (np_back(c, tk, qa - 2, lo, &a->sp)) return 1;
        if (clause_subject(c, tk, lo, qa - 1, &a->sp)) return 1;
    }
    /* "Hillary shot back, "…"": a comma before a full quote. */
    if (qa > lo + 1 && (tk->t[qa - 1].f & T_COMMA) && a->cue_e == 0 && !c->qs->q[qi].partial) {
        if (clause_subject(c, tk, lo, qa - 1, &a->sp)) return 1;
    }
    return 0;
}

static int attr_lead_cue(ctx_t *c, qx_toks_t *tk, long qa, long lo, size_t qi, attr_t *a)
{
    for (long j = qa - 1; j >= lo; j--) {
        size_t last;
        uint32_t ck = cue_at(c, tk, (size_t)j, &last);
        if (!ck || (long)last >= qa) continue;
        qx_tok_t *t = &tk->t[j];
        a->cue_s = t->s;
        a->cue_e = tk->t[last].e;
        if (ck & QX_W_CUE_PREP) return np_fwd(c, tk, last + 1, (size_t)qa, &a->sp);
        int participle = (t->f & T_ING) != 0;
        long pk = j - 1;
        while (pk > lo && (tk->t[pk].f & T_WORD) && skippable(c, &tk->t[pk])) pk--;
        int after_comma = pk >= lo && (tk->t[pk].f & T_COMMA);
        /* "She sent an email saying": the participle's subject is the
         * clause's subject, not the object before it. */
        if (participle && !after_comma && j > lo && clause_subject(c, tk, lo, j, &a->sp)) return 1;
        if (!(participle && after_comma) && subject_back(c, tk, j, lo, participle, &a->sp)) return 1;
        /* adding / saying with no subject of its own: the subject of an
         * earlier cue in the sentence, or of the quote just before. */
        for (long k = j - 1; k >= lo; k--) {
            size_t l2;
            if (cue_at(c, tk, (size_t)k, &l2) & QX_W_CUE) {
                if (subject_back(c, tk, k, lo, (tk->t[k].f & T_ING) != 0, &a->sp)) return 1;
                break;
            }
        }
        if (lo > 0 && (tk->t[lo - 1].f & T_QUOTE) && tk->t[lo - 1].q >= 0 &&
            (size_t)tk->t[lo - 1].q < qi) {
            const qx_quote_t *pq = &c->qs->q[tk->t[lo - 1].q];
            if (pq->sp_kind != QX_SP_NONE) {
                sp_set(&a->sp, pq->sp_kind, pq->sp_start, pq->sp_end,
                       c->info[tk->t[lo - 1].q].ent);
                return 1;
            }
        }
        /* Said Smith: "…" */
        if (j == lo && !participle && (size_t)last + 1 < (size_t)qa &&
            (tk->t[qa - 1].f & (T_COLON | T_COMMA)) && np_fwd(c, tk, last + 1, (size_t)qa, &a->sp))
            return 1;
        /* "Obama ended his list by saying", "Roe reacted, saying:": the
         * subject of the clause the cue ends. */
        if (j > lo) {
            if (after_comma && clause_subject(c, tk, lo, pk, &a->sp)) return 1;
            if (sentence_subject(c, tk, lo, j, &a->sp)) return 1;
        }
        /* Calling Xi a "tough negotiator," Trump said: try after. */
        return 0;
    }
    return 0;
}

/* ---------------------------------------------------------------- driver */

static void para_bounds(ctx_t *c, uint32_t pos, uint32_t *ps, uint32_t *pe)
{
    const char *pl = pos > 0 ? memrchr(c->b, '\n', pos) : NULL;
    const char *nl = pos < c->len ? memchr(c->b + pos, '\n', c->len - pos) : NULL;
    *ps = pl ? (uint32_t)(pl - c->b) + 1 : 0;
    *pe = nl ? (uint32_t)(nl - c->b) : (uint32_t)c->len;
}

/* A sentence ends at body[p] (. ! ? followed by a space), unless the
 * period closes an abbreviation or an initial (Mr. Smith, U.S. officials,
 * John F. Kennedy). */
static inline int boundary_at(ctx_t *c, uint32_t p, uint32_t pe)
{
    char ch = c->b[p];
    if ((ch != '.' && ch != '!' && ch != '?') || p + 1 >= pe || c->b[p + 1] != ' ') return 0;
    if (ch != '.') return 1;
    uint32_t w = p;
    while (w > 0 && p - w <= QX_ABBREV_MAX &&
           ((c->b[w - 1] >= 'a' && c->b[w - 1] <= 'z') || (c->b[w - 1] >= 'A' && c->b[w - 1] <= 'Z')))
        w--;
    if (p - w > QX_ABBREV_MAX) return 1;   /* longer than any abbreviation */
    if (w > 0 && c->b[w - 1] == '.') return 0;
    if (p - w == 1 && c->b[w] >= 'A' && c->b[w] <= 'Z') return 0;
    return !(qx_lex_word(c->lx, c->b + w, p - w) & QX_W_ABBREV);
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
    uint32_t lim = s > ps + LEAD_BYTES ? s - LEAD_BYTES : ps, ws = s;
    while (ws > lim && !boundary_at(c, ws - 1, pe)) ws--;
    if (ws == lim && lim > ps) {   /* no sentence start found: begin on a word */
        size_t cl;
        while (ws < s && !qx_is_space_at(c->b, c->len, ws, &cl)) ws++;
    }
    if (lead_from >= lim && lead_from >= ps && lead_from < ws) ws = lead_from;
    uint32_t elim = pe > e + TRAIL_BYTES ? e + TRAIL_BYTES : pe, we = e;
    while (we < elim && !boundary_at(c, we, pe)) we++;
    if (we < elim) we++;   /* keep the period */
    if (tk->valid && tk->ps <= ws && tk->pe >= we && tk->par_s == ps) return 0;
    if (qx_tokenize(c->lx, c->b, c->len, c->qs, ws, we, tk) != 0) return -1;
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
    long qa = atom_index(tk, qi, 0);
    if (qa < 2 || !(tk->t[qa - 1].f & T_END) || c->b[tk->t[qa - 1].s] != '.') return 0;
    long lo = sentence_start(tk, qa - 1);
    for (long j = qa - 2; j >= lo && qa - 2 - j <= 4; j--) {
        qx_tok_t *t = &tk->t[j];
        if (!(t->f & T_WORD)) return 0;
        size_t last;
        uint32_t ck = cue_at(c, tk, (size_t)j, &last);
        if (ck & QX_W_CUE) {
            a->cue_s = t->s;
            a->cue_e = tk->t[last].e;
            return subject_back(c, tk, j, lo, (t->f & T_ING) != 0, &a->sp);
        }
        /* no clause after the cue: "He said the plan failed." is not it */
        if (cls(c, t) & (QX_W_PRONOUN | QX_W_NOSPEAK | QX_W_RELATIVE)) return 0;
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
    return np_fwd(c, tk, 1, hi, &a->sp) && a->sp.kind != QX_SP_PRONOUN;
}

static int attribute(ctx_t *c, size_t qi)
{
    qx_quote_t *q = &c->qs->q[qi];
    info_t *in = &c->info[qi];
    in->ent = -1;
    /* The previous quote, titles aside (they are words of the text). */
    long pqi = (long)qi - 1;
    while (pqi >= 0 && c->qs->q[pqi].title) pqi--;
    const qx_quote_t *pq = pqi >= 0 ? &c->qs->q[pqi] : NULL;
    uint32_t lead_from = pq ? pq->outer[pq->nspans - 1][0] : 0;
    if (ensure_tokens(c, &c->cur, q->outer[0][0], q->outer[0][1], lead_from) != 0) return -1;
    qx_toks_t *tk = &c->cur;
    long qa = atom_index(tk, qi, 0);
    if (qa < 0) return 0;
    long lo = sentence_start(tk, qa);
    in->para_initial = qa == 0 && tk->ps == tk->par_s;
    /* The gap to the previous quote: is it one attribution sentence
     * ("…," he said. "…"), and does a cue of its own introduce this one
     * ("…," he said, later adding, "…")? */
    {
        long g = qa - 1;
        int clean = 1, intro = 0;
        uint32_t pcue = pq ? pq->cue_start : 0;
        while (g >= 0 && !(tk->t[g].f & T_QUOTE)) {
            size_t last;
            /* "later adding, …" introduces; "in a Friday tweet. …" does not. */
            if (qa - g <= 4 && tk->t[g].s != pcue && !(tk->t[qa - 1].f & T_END) &&
                cue_at(c, tk, (size_t)g, &last))
                intro = 1;
            if ((tk->t[g].f & (T_END | T_SEMI)) && g != qa - 1) clean = 0;
            g--;
        }
        in->adjacent = g >= 0 && pq && tk->t[g].q == (int32_t)pqi;
        in->gap_intro = intro;
        in->gap_clean = clean && qa - g - 1 <= 60;
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
                                       cue_at(c, tk, (size_t)qa - 1, &last) ||
                                       (qa - 2 >= lo && cue_at(c, tk, (size_t)qa - 2, &last))));
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
        qz = atom_index(tk, qi, q->nspans - 1);
        if (qz < 0) {
            if (ensure_tokens(c, &c->aux, q->outer[q->nspans - 1][0], q->outer[q->nspans - 1][1], 0) != 0)
                return -1;
            tz = &c->aux;
            qz = atom_index(tz, qi, q->nspans - 1);
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
        const qx_ent_t *e = E(c, i - 1);
        if (e->end > q->sp_start) continue;
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
        const qx_ent_t *en = E(c, i);
        if ((en->type != QX_E_PERSON && en->type != QX_E_ORG) || !en->canon) continue;
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
        if (ent >= 0 && E(c, ent)->canon) {
            q->name = E(c, ent)->canon;
            q->name_len = E(c, ent)->canon_len;
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
            q->name = E(c, e)->canon;
            q->name_len = E(c, e)->canon_len;
        } else {
            q->name = c->b + q->sp_start;
            q->name_len = q->sp_end - q->sp_start;
        }
        break;
    }
    case QX_SP_PRONOUN: {
        int e = resolve_pronoun(c, q);
        if (e >= 0) {
            q->name = E(c, e)->canon ? E(c, e)->canon : c->b + E(c, e)->start;
            q->name_len = E(c, e)->canon ? E(c, e)->canon_len : E(c, e)->end - E(c, e)->start;
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

/* Start of the last non-blank paragraph before the one holding pos. */
static uint32_t prev_para_start(const char *b, uint32_t pos)
{
    uint32_t s = pos;
    while (s > 0 && b[s - 1] != '\n') s--;
    /* s is the start of pos's paragraph; walk back over blank lines. */
    uint32_t e = s;
    for (;;) {
        if (e == 0) return 0;
        uint32_t ps = e - 1;   /* the newline ending the previous paragraph */
        while (ps > 0 && b[ps - 1] != '\n') ps--;
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
    out->n = 0;
    out->truncated = 0;
    if (!body || len == 0 || len >= UINT32_MAX) return 0;
    if (qx_scan_marks(lx, body, len, out) != 0) return -1;
    for (size_t i = 0; i < nents; i++) ents[i].ready = 1;
    qx_entlist_t el = {ents, nents, NULL, NULL};
    return qx_attribute(lx, opt, body, len, &el, out);
}

int qx_attribute(const qx_lex_t *lx, const qx_opts_t *opt, const char *body,
                 size_t len, qx_entlist_t *el, qx_quotes_t *out)
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
    c.info = calloc(out->n, sizeof(*c.info));
    int rc = c.info ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < out->n; i++) {
        c.info[i].title = out->q[i].title;
        if (out->q[i].title) continue;
        rc = attribute(&c, i);
    }
    if (rc != 0) goto done;

    /* Merge split quotes, inherit speakers, drop what is not a quote. */
    size_t w = 0;
    long prev = -1;       /* output index of the previous kept quote */
    long prev_raw = -1;   /* its raw index (the last piece merged into it) */
    const qx_quote_t *last_named = NULL;
    for (size_t i = 0; i < out->n; i++) {
        qx_quote_t q = out->q[i];
        info_t *in = &c.info[i];
        if (q.title) continue;
        long pi_raw = (long)i - 1;   /* the previous raw quote, titles aside */
        while (pi_raw >= 0 && c.info[pi_raw].title) pi_raw--;
        if (prev >= 0 && prev_raw == pi_raw) {
            qx_quote_t *p = &out->q[prev];
            const info_t *pi = &c.info[prev_raw];
            int mergeable = in->adjacent && !q.partial && !in->own_trail &&
                            pi->how != A_NONE && p->sp_kind != QX_SP_NONE &&
                            in->gap_clean && p->last_para == q.para && !p->partial &&
                            !in->gap_intro && (pi->how == A_TRAIL || in->how == A_NONE) &&
                            p->nspans + q.nspans <= QX_MAX_SPANS;
            if (mergeable) {
                for (int s = 0; s < q.nspans; s++) {
                    p->span[p->nspans][0] = q.span[s][0];
                    p->span[p->nspans][1] = q.span[s][1];
                    p->outer[p->nspans][0] = q.outer[s][0];
                    p->outer[p->nspans][1] = q.outer[s][1];
                    p->nspans++;
                }
                p->close_end = q.close_end;
                p->last_para = q.last_para;
                p->unclosed = q.unclosed;
                *in = *pi;   /* later quotes see the merged quote's facts */
                prev_raw = (long)i;
                continue;
            }
        }
        if (q.sp_kind == QX_SP_NONE && !q.partial && prev >= 0 && in->para_initial &&
            c.info[prev_raw].how != A_NONE) {
            /* A cue-less quote paragraph right after a paragraph that ends
             * an attributed quote inherits its speaker. */
            const qx_quote_t *p = &out->q[prev];
            if (p->sp_kind != QX_SP_NONE && p->close_end >= prev_para_start(body, q.open)) {
                q.sp_kind = p->sp_kind;
                q.sp_start = p->sp_start;
                q.sp_end = p->sp_end;
                q.name = p->name;
                q.name_len = p->name_len;
                q.inherited = 1;
                q.cue_start = q.cue_end = 0;
                in->how = A_INHERIT;
            }
        }
        int attributed = q.sp_kind != QX_SP_NONE || q.cue_end != 0;
        if (!attributed && (q.partial || q.unclosed) && !opt->keep_unattributed) {
            in->how = A_NONE;
            continue;
        }
        if (!q.inherited) set_name(&c, &q, in->ent, last_named);
        out->q[w] = q;
        if (q.name && q.sp_kind != QX_SP_PRONOUN) last_named = &out->q[w];
        prev = (long)w;
        prev_raw = (long)i;
        w++;
    }
    out->n = w;
done:
    free(c.info);
    free(c.cur.t);
    free(c.aux.t);
    return rc;
}
