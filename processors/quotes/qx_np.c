/* qx_np.c -- speaker phrases: what a speaker looks like next to a cue.
 *
 * An entity mention (PERSON, ORG, GPE, NORP), a pronoun, a run of
 * capitalised words, or a description ending in a known noun ("a senior
 * official"); and the subject of a cue, of a clause or of a sentence. */
#include "qx_ctx.h"

#include <string.h>

static int ent_at(ctx_t *c, uint32_t s, uint32_t e);

/* The entity covering [s, e), or -1.  ents are sorted by start.  The
 * patterns ask about the same word several times in a row (is it
 * skippable, is it a speaker): the last answer is kept. */
int qx_ent_at(ctx_t *c, uint32_t s, uint32_t e)
{
    if (s == c->ent_s && e == c->ent_e) return c->ent_r;
    c->ent_s = s;
    c->ent_e = e;
    c->ent_r = ent_at(c, s, e);
    return c->ent_r;
}

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
        const qx_ent_t *en = qx_ent_f(c, k - 1, QX_EF_END);
        if (en->start <= s && en->end >= e) return (int)(k - 1);
    }
    return -1;
}


/* qx_cue_at() for a word that is a cue or starts a multi-word one. */
uint32_t qx_cue_at_word(ctx_t *c, qx_toks_t *tk, size_t j, size_t *last)
{
    qx_tok_t *t = &tk->t[j];
    if (!(t->f & T_WORD)) return 0;
    uint32_t k = qx_cls(c, t);
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
        uint32_t pk = qx_cls(c, p);
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

int qx_skippable(ctx_t *c, qx_tok_t *t)
{
    if (!(t->f & T_WORD)) return 0;
    uint32_t k = qx_cls(c, t);
    if (k & QX_W_SKIP) return 1;
    if ((t->f & T_LY) && !(t->f & T_CAP) && !(k & (QX_W_NOUN | QX_W_CUE))) return 1;
    if (!(t->f & T_CAP)) return 0;
    int e = qx_ent_at(c, t->s, t->e);
    if (e >= 0 && !qx_speaker_type(qx_ent_te(c, e)->type)) return 1;   /* Thursday */
    return 0;
}


/* A word that can be part of a capitalised name. */
static int name_word(ctx_t *c, qx_tok_t *t)
{
    if (!(t->f & T_WORD) || !(t->f & T_CAP)) return 0;
    uint32_t k = qx_cls(c, t);
    return !(k & (QX_W_DET | QX_W_CUE | QX_W_PRONOUN | QX_W_NOSPEAK | QX_W_SKIP | QX_W_RELATIVE));
}

/* The speaker is entity mention e, its whole span. */
static inline void sp_entity(ctx_t *c, sp_t *sp, int e)
{
    qx_sp_set(sp, QX_SP_ENTITY, qx_ent_te(c, e)->start, qx_ent_te(c, e)->end, e);
}

/* A speaker phrase ending at token i, not reaching before lo. */
int qx_np_back(ctx_t *c, qx_toks_t *tk, long i, long lo, sp_t *sp)
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
    int e = qx_ent_at(c, t->s, t->e);
    if (e >= 0 && qx_speaker_type(qx_ent_te(c, e)->type)) {
        sp_entity(c, sp, e);
        return 1;
    }
    uint32_t k = qx_cls(c, t);
    if (k & QX_W_NOSPEAK) return 0;
    if (k & QX_W_PRONOUN) {
        qx_sp_set(sp, QX_SP_PRONOUN, t->s, t->e, -1);
        return 1;
    }
    if ((k & QX_W_CUE) && !(k & QX_W_NOUN)) {
        /* "Read said": a capitalised cue word as the subject is a name. */
        if (!(t->f & T_CAP)) return 0;
        long j = i;
        while (j - 1 >= lo && i - j < 4 && name_word(c, &tk->t[j - 1])) j--;
        qx_sp_set(sp, QX_SP_NAME, tk->t[j].s, t->e, -1);
        return 1;
    }
    if (k & QX_W_NOUN) {
        /* Extend over modifiers back to a determiner: a senior State
         * Department official. */
        long j = i;
        while (j - 1 >= lo && i - j < 5) {
            qx_tok_t *p = &tk->t[j - 1];
            if (!(p->f & T_WORD)) break;
            uint32_t pk = qx_cls(c, p);
            if (pk & (QX_W_CUE | QX_W_PRONOUN | QX_W_NOSPEAK | QX_W_RELATIVE | QX_W_SKIP)) break;
            j--;
            if (pk & QX_W_DET) break;
        }
        qx_sp_set(sp, QX_SP_DESC, tk->t[j].s, t->e, -1);
        return 1;
    }
    if (name_word(c, t)) {
        long j = i;
        while (j - 1 >= lo && i - j < 5 && name_word(c, &tk->t[j - 1])) j--;
        qx_sp_set(sp, QX_SP_NAME, tk->t[j].s, t->e, -1);
        return 1;
    }
    /* "the letter", "the announcer": a determiner close before. */
    if (!(t->f & (T_CAP | T_NUM | T_ING | T_LY))) {
        for (long j = i - 1; j >= lo && i - j <= 3; j--) {
            qx_tok_t *p = &tk->t[j];
            if (!(p->f & T_WORD)) break;
            uint32_t pk = qx_cls(c, p);
            if (pk & (QX_W_DET | QX_W_POSSESSIVE)) {   /* the letter, his colleague */
                qx_sp_set(sp, QX_SP_DESC, p->s, t->e, -1);
                return 1;
            }
            if (pk & (QX_W_CUE | QX_W_PRONOUN | QX_W_NOSPEAK | QX_W_RELATIVE | QX_W_SKIP)) break;
        }
    }
    return 0;
}

/* A person named in apposition to a description: the PERSON mention that
 * starts at token j and ends just before a comma, a sentence end, a quote
 * or hi ("said the museum's director, Alice Fenwick."), or -1. */
static int appositive_person(ctx_t *c, qx_toks_t *tk, size_t j, size_t hi)
{
    if (j >= hi || !(tk->t[j].f & T_CAP)) return -1;
    int en = qx_ent_at(c, tk->t[j].s, tk->t[j].e);
    if (en < 0) return -1;
    const qx_ent_t *e = qx_ent_te(c, en);
    if (e->type != QX_E_PERSON || e->start != tk->t[j].s) return -1;
    size_t k = j;
    while (k < hi && tk->t[k].s < e->end) k++;
    if (k < hi && !(tk->t[k].f & (T_COMMA | T_END | T_QUOTE))) return -1;
    return en;
}

/* A speaker phrase starting at token i, not reaching hi. */
int qx_np_fwd(ctx_t *c, qx_toks_t *tk, size_t i, size_t hi, sp_t *sp)
{
    while (i < hi && qx_skippable(c, &tk->t[i]) && !(qx_cls(c, &tk->t[i]) & QX_W_DET)) i++;
    if (i >= hi) return 0;
    qx_tok_t *t = &tk->t[i];
    if (!(t->f & T_WORD)) return 0;
    uint32_t k = qx_cls(c, t);
    if (k & (QX_W_NOSPEAK | QX_W_CUE)) return 0;
    int e = qx_ent_at(c, t->s, t->e);
    if (e >= 0 && qx_speaker_type(qx_ent_te(c, e)->type)) {
        /* UKA chief executive David Moorcroft: the person after an
         * organisation and its role nouns. */
        if (qx_ent_te(c, e)->type != QX_E_PERSON) {
            size_t j = i;
            while (j < hi && tk->t[j].e <= qx_ent_te(c, e)->end) j++;
            size_t r = j;
            while (r < hi && r - j < 3 && (tk->t[r].f & T_WORD) && !(tk->t[r].f & T_CAP) &&
                   (qx_cls(c, &tk->t[r]) & QX_W_NOUN))
                r++;
            if (r > j && r < hi) {
                int pe = qx_ent_at(c, tk->t[r].s, tk->t[r].e);
                if (pe >= 0 && qx_ent_te(c, pe)->type == QX_E_PERSON) {
                    sp_entity(c, sp, pe);
                    return 1;
                }
                if (pe < 0 && name_word(c, &tk->t[r])) {
                    size_t m = r;
                    while (m + 1 < hi && m - r < 4 && name_word(c, &tk->t[m + 1])) m++;
                    qx_sp_set(sp, QX_SP_NAME, tk->t[r].s, tk->t[m].e, -1);
                    return 1;
                }
            }
        }
        sp_entity(c, sp, e);
        return 1;
    }
    if (k & QX_W_PRONOUN) {
        qx_sp_set(sp, QX_SP_PRONOUN, t->s, t->e, -1);
        return 1;
    }
    /* the Harbor Authority: the entity after the article. */
    if ((k & QX_W_DET) && i + 1 < hi) {
        int en = qx_ent_at(c, tk->t[i + 1].s, tk->t[i + 1].e);
        if (en >= 0 && qx_speaker_type(qx_ent_te(c, en)->type)) {
            sp_entity(c, sp, en);
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
               (qx_cls(c, &tk->t[r]) & QX_W_NOUN))
            r++;
        if (r > j + 1 && r < hi && name_word(c, &tk->t[r])) {
            i = r;
            t = &tk->t[i];
            j = i;
            while (j + 1 < hi && j - i < 5 && name_word(c, &tk->t[j + 1])) j++;
        }
        for (size_t m = i; m <= j; m++) {
            int em = qx_ent_at(c, tk->t[m].s, tk->t[m].e);
            if (em >= 0 && qx_speaker_type(qx_ent_te(c, em)->type)) {
                sp_entity(c, sp, em);
                return 1;
            }
        }
        if (!(k & QX_W_NOUN) || j > i) {
            qx_sp_set(sp, QX_SP_NAME, t->s, tk->t[j].e, -1);
            return 1;
        }
    }
    /* A description: [det] modifiers noun. */
    size_t j = i;
    int det = (k & QX_W_DET) != 0;
    for (; j < hi && j - i < 7; j++) {
        qx_tok_t *p = &tk->t[j];
        if (!(p->f & T_WORD)) break;
        uint32_t pk = qx_cls(c, p);
        if (j > i && (pk & (QX_W_CUE | QX_W_RELATIVE | QX_W_NOSPEAK))) break;
        /* said former Wisconsin Gov. Jim Doyle: the person named. */
        int en = (p->f & T_CAP) ? qx_ent_at(c, p->s, p->e) : -1;
        if (en >= 0 && qx_ent_te(c, en)->type == QX_E_PERSON) {
            sp_entity(c, sp, en);
            return 1;
        }
        if (pk & QX_W_NOUN) {
            /* "the museum's director, Alice Fenwick": the person named */
            int ap = j + 1 < hi && (tk->t[j + 1].f & T_COMMA) ? appositive_person(c, tk, j + 2, hi) : -1;
            if (ap >= 0)
                sp_entity(c, sp, ap);
            else
                qx_sp_set(sp, QX_SP_DESC, t->s, p->e, -1);
            return 1;
        }
    }
    /* said the announcer. */
    if (det && j > i + 1 && j - i <= 5 && (j >= hi || !(tk->t[j].f & T_WORD))) {
        qx_sp_set(sp, QX_SP_DESC, t->s, tk->t[j - 1].e, -1);
        return 1;
    }
    return 0;
}

/* The subject of the cue at token ci: the phrase before it, past adverbs,
 * auxiliaries, dates, appositives and "who". */
int qx_subject_back(ctx_t *c, qx_toks_t *tk, long ci, long lo, int participle, sp_t *sp)
{
    long j = ci - 1;
    int skipped = 0;
    while (j >= lo && skipped < 6) {
        qx_tok_t *t = &tk->t[j];
        if (!(t->f & T_WORD)) break;
        uint32_t k = qx_cls(c, t);
        if (qx_skippable(c, t) && !(k & (QX_W_PRONOUN | QX_W_NOUN | QX_W_DET))) { j--; skipped++; continue; }
        /* was overheard saying: any plain verb before a participle cue. */
        if (participle && skipped < 3 && !(t->f & (T_CAP | T_NUM)) &&
            !(k & (QX_W_PRONOUN | QX_W_NOUN | QX_W_DET | QX_W_CUE | QX_W_NOSPEAK | QX_W_RELATIVE)) &&
            qx_ent_at(c, t->s, t->e) < 0) {
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
        if (j - 1 >= lo && (tk->t[j - 1].f & T_RPAREN) && qx_np_back(c, tk, j - 1, lo, sp)) return 1;
        /* X, a senior official, said / X, 45, a lawyer, said */
        long k = j - 1;
        for (int commas = 0; commas < 3 && k >= lo; commas++) {
            long n = 0;
            while (k >= lo && n < 25 &&
                   !(tk->t[k].f & (T_COMMA | T_END | T_QUOTE | T_COLON | T_SEMI))) { k--; n++; }
            if (k < lo || !(tk->t[k].f & T_COMMA)) break;
            if (qx_np_back(c, tk, k - 1, lo, sp)) {
                /* "its director, Tomas Eriksen, said": the person between
                 * the commas, not the description before them */
                int ap = commas == 0 && sp->kind == QX_SP_DESC ? appositive_person(c, tk, (size_t)k + 1, (size_t)j) : -1;
                if (ap >= 0)
                    sp_entity(c, sp, ap);
                return 1;
            }
            k--;
        }
        return 0;
    }
    if (t->f & T_WORD && (qx_cls(c, t) & QX_W_RELATIVE)) {
        long k = j - 1;
        if (k >= lo && (tk->t[k].f & T_COMMA)) k--;
        return qx_np_back(c, tk, k, lo, sp);
    }
    if (qx_np_back(c, tk, j, lo, sp)) return 1;
    /* A longer subject: "another source familiar with the talks said",
     * "an official who spoke anonymously said".  Look back a few words for
     * a "who" or for a description's head noun. */
    for (long k = j - 1; k >= lo && j - k <= 8; k--) {
        qx_tok_t *p = &tk->t[k];
        if (!(p->f & T_WORD)) break;
        uint32_t pk = qx_cls(c, p);
        if (pk & QX_W_CUE) break;
        if (pk & QX_W_RELATIVE) {
            long m = k - 1;
            if (m >= lo && (tk->t[m].f & T_COMMA)) m--;
            return qx_np_back(c, tk, m, lo, sp);
        }
        if ((pk & QX_W_NOUN) && !(p->f & T_CAP)) return qx_np_back(c, tk, k, lo, sp);
    }
    return 0;
}

/* The subject of the sentence starting at token lo: its first speaker
 * phrase, when lo really starts a sentence. */
int qx_sentence_subject(ctx_t *c, qx_toks_t *tk, long lo, long hi, sp_t *sp)
{
    if (lo > 0 && !(tk->t[lo - 1].f & T_END)) return 0;
    if (lo == 0 && tk->ps != tk->par_s) return 0;
    long i = lo;
    while (i < hi && i - lo < 3 && (tk->t[i].f & T_WORD) && qx_skippable(c, &tk->t[i])) i++;
    return i < hi && qx_np_fwd(c, tk, (size_t)i, (size_t)hi, sp);
}

/* The subject of the clause that ends at token end (a comma before a
 * participle, a colon): the first speaker phrase after the previous comma
 * or the sentence start.  "In a statement Thursday, Rep. Jane Roe reacted
 * to the news, saying:" gives Rep. Jane Roe. */
int qx_clause_subject(ctx_t *c, qx_toks_t *tk, long lo, long end, sp_t *sp)
{
    for (int clauses = 0; clauses < 4 && end > lo; clauses++) {
        long cs = end;
        while (cs > lo && !(tk->t[cs - 1].f & (T_COMMA | T_END | T_SEMI | T_QUOTE | T_COLON | T_DASH))) cs--;
        long i = cs;
        while (i < end && i - cs < 3 && (tk->t[i].f & T_WORD) &&
               (qx_skippable(c, &tk->t[i]) || (qx_cls(c, &tk->t[i]) & (QX_W_MINOR | QX_W_SUBORD))) &&
               !(qx_cls(c, &tk->t[i]) & QX_W_DET))
            i++;
        /* "X, the campaign chair, emailed staff, telling them": a clause that
         * opens with a verb continues the subject of the one before. */
        qx_tok_t *t = i < end ? &tk->t[i] : NULL;
        int verbish = t && (t->f & T_WORD) && !(t->f & (T_CAP | T_NUM)) &&
                      !(qx_cls(c, t) & (QX_W_DET | QX_W_POSSESSIVE | QX_W_PRONOUN | QX_W_NOUN)) &&
                      qx_ent_at(c, t->s, t->e) < 0;
        if (!verbish && i < end && qx_np_fwd(c, tk, (size_t)i, (size_t)end, sp)) {
            /* After a verb clause, a description between commas is an
             * appositive: "Nora Field, the campaign chair, emailed…". */
            sp_t name;
            if (clauses > 0 && sp->kind == QX_SP_DESC && cs > lo && (tk->t[cs - 1].f & T_COMMA) &&
                qx_clause_subject(c, tk, lo, cs - 1, &name) && name.kind != QX_SP_DESC)
                *sp = name;
            return 1;
        }
        if (cs <= lo) return !verbish && qx_sentence_subject(c, tk, lo, end, sp);
        if (!verbish && !(tk->t[cs - 1].f & T_COMMA)) return 0;
        end = cs - 1;
    }
    return 0;
}

