/* ent_tag.c -- find entity mentions in one article.
 *
 * 1. Tokenize (ent_tok.c).
 * 2. Run the PCRE2 rules at the tokens that trigger them (dates, money,
 *    titled persons, organisation patterns...): ent_rules.c.
 * 3. Walk the tokens.  A run of capitalised tokens (a "chunk", which may
 *    hold connectors such as "of" and hyphens) is segmented left to right:
 *    organisation patterns, then the longest gazetteer entry, then titles
 *    (which are skipped but make the next name a PERSON), then unknown name
 *    runs classified from context.  A rule span that is at least as long as
 *    what the chunk would give wins.  Mentions never overlap.
 * 4. ent_coref.c joins surnames, short forms and acronyms to full names and
 *    settles the canonical names.
 *
 * Case is meaningless at a sentence start and on all-caps headline lines:
 * there a token counts as a name only if it is not an ordinary word
 * (COMMON/STOP in the lexicon) or the gazetteer knows it. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ent.h"
#include "ent_kb.h"
#include "ent_tag.h"

/* ---------------------------------------------------------------- helpers */

/* Fill token t's class memo from its one-token slot s (NULL: unknown).
 * Called only before either memo is filled (GAZ_DONE implies CLS_DONE). */
static inline void cls_fill(ent_tok_t *t, const ent_slot_t *s)
{
    unsigned cl = s ? s->cls & CLS_MASK : 0;
    /* "US", "IT", "WHO" in running text are acronyms, not us/it/who */
    if ((t->flags & TF_UPPER) && !(t->flags & TF_HEAD) && t->end - t->start >= 2)
        cl &= ~(unsigned)(CL_COMMON | CL_STOP);
    t->cls = cl | CLS_DONE;
}

/* When no entity entry starts with token t's one-token slot s and no
 * longer one continues it (the common case), the same slot settles the
 * gazetteer memo too: no match, a title of one token or none.  Returns 1
 * then; else 0 and the memo is left to ent_gaz_match_slow. */
static inline int gaz_fill_none(ent_tok_t *t, const ent_slot_t *s)
{
    if (s && ((s->cls & ENT_SLOT_PREFIX) || s->entry >= 0)) return 0;
    t->gaz_entry = (int32_t)(GAZ_ENTRY_MASK | (uint32_t)(s && (s->cls & CL_TITLE)) << GAZ_TITLE_SHIFT);
    t->cls |= GAZ_DONE;
    return 1;
}

/* Fills token i's class memo, and its gazetteer memo when the slot settles
 * it.  Else (CLS_DONE without GAZ_DONE) gaz_entry holds the index of its
 * one-token slot, so the match need not probe it again. */
void ent_tok_cls_slow(ent_ctx_t *c, size_t i)
{
    ent_tok_t *t = &c->toks[i];
    const ent_slot_t *s = ent_kb_slot(c->kb, ent_seq_hash(ENT_SEQ_SEED, t->h));
    cls_fill(t, s);
    if (!gaz_fill_none(t, s)) {
        t->gaz_entry = (int32_t)(s - c->kb->slots);
        /* the gazetteer match of a word that has entries mostly follows,
         * and its first load is the entry: start it now */
        if (s->entry >= 0) __builtin_prefetch(&c->kb->entries[s->entry]);
    }
}

/* The function-word role of token i (FW_*, from the word lists). */
static inline unsigned fw(ent_ctx_t *c, size_t i)
{
    return ent_cls_fw(ent_tok_cls(c, i));
}

/* tok_eq() when the bytes differ: equal ignoring case, when the document
 * token is in capitals (headline or all-caps word); lengths are equal. */
static int tok_eq_fold(const ent_tok_t *t, const char *d, const char *e, size_t el)
{
    if (!(t->flags & (TF_HEAD | TF_UPPER))) return 0;
    for (size_t i = 0; i < el; i++) {
        unsigned a = (unsigned char)d[i], b = (unsigned char)e[i];
        if (a >= 'A' && a <= 'Z') a += 32;
        if (b >= 'A' && b <= 'Z') b += 32;
        if (a != b) {
            /* Latin-1 capitals in UTF-8: second byte differs by 0x20 */
            if (i > 0 && (unsigned char)d[i - 1] == 0xC3 && (a | 0x20) == (b | 0x20)) continue;
            return 0;
        }
    }
    return 1;
}

/* Compare a document token with one token of a gazetteer entry.  Exact, or
 * case-insensitive when the document token is in capitals. */
static inline int tok_eq(ent_ctx_t *c, const ent_tok_t *t, const char *e, size_t el)
{
    const char *d = c->text + t->start;
    if (t->hend - t->start != el) return 0;
    return memcmp(d, e, el) == 0 || tok_eq_fold(t, d, e, el);
}

/* Does entry e match the document's tokens from at?  Out of line: the
 * longest-match walk calls it for a few of its slots only. */
static __attribute__((noinline)) int entry_matches(ent_ctx_t *c, const ent_entry_t *e, size_t at)
{
    const char *p = c->kb->pool + e->packed, *end = p + e->packed_len;
    /* most entries are one token: no split */
    if (e->one) return at < c->nt && tok_eq(c, &c->toks[at], p, e->packed_len - 1);
    size_t k = at;
    while (p < end) {
        const char *q = memchr(p, '\x1f', (size_t)(end - p));
        if (!q || k >= c->nt) return 0;
        if (!tok_eq(c, &c->toks[k], p, (size_t)(q - p))) return 0;
        p = q + 1;
        k++;
    }
    return 1;
}

/* The longest-match walk from token i's one-token slot s (not NULL), and
 * the gazetteer memo it fills.  Out of line: most calls end before it, and
 * those should not pay for the registers it saves. */
static __attribute__((noinline)) void gaz_walk(ent_ctx_t *c, size_t i, const ent_slot_t *s)
{
    ent_tok_t *t = &c->toks[i];
    const ent_kb_t *kb = c->kb;
    size_t best = 0, tl = 0;
    int32_t entry = -1;
    /* tokens [i, lim) may be matched: a line, ENT_MAX_SEQ tokens */
    size_t lim = c->nt - i > ENT_MAX_SEQ ? i + ENT_MAX_SEQ : c->nt;
    for (size_t k = i; s; ) {
        uint32_t sc = s->cls;
        int more = (sc & ENT_SLOT_PREFIX) && k + 1 < lim && !(c->toks[k + 1].flags & TF_NL);
        uint64_t nh = 0;
        if (more) {
            /* the next sequence's slot is a random line: start loading it
             * while this one's entries are compared */
            nh = ent_seq_hash(s->key, c->toks[k + 1].h);
            ent_kb_prefetch_key(kb, nh);
        }
        if (sc & CL_TITLE) tl = k - i + 1;
        for (int32_t e = s->entry; e >= 0; e = kb->entries[e].next) {
            if (!kb->entries[e].weak && entry_matches(c, &kb->entries[e], i)) {
                best = k - i + 1;
                entry = e;
                break;
            }
        }
        if (!more) break;
        k++;
        s = ent_kb_slot(kb, nh);
    }
    t->gaz_entry = (int32_t)(((uint32_t)entry & GAZ_ENTRY_MASK) | (uint32_t)best << GAZ_LEN_SHIFT |
                             (uint32_t)tl << GAZ_TITLE_SHIFT);
    t->cls |= GAZ_DONE;
}

/* Fill token i's gazetteer memo (ent_gaz_match in ent_tag.h reads it): its
 * longest match (the first entry of that length that matches) and its
 * longest TITLE, in tokens.  The one-token slot is probed here only when
 * the class memo did not already find it. */
void ent_gaz_match_slow(ent_ctx_t *c, size_t i)
{
    ent_tok_t *t = &c->toks[i];
    const ent_slot_t *s;
    if (t->cls & CLS_DONE) {
        s = &c->kb->slots[t->gaz_entry];
    } else {
        s = ent_kb_slot(c->kb, ent_seq_hash(ENT_SEQ_SEED, t->h));
        cls_fill(t, s);
        if (gaz_fill_none(t, s)) return;
    }
    gaz_walk(c, i, s);
}

/* A weak (ambiguous-list) entry covering exactly [i, m), or -1. */
static int32_t weak_match(ent_ctx_t *c, size_t i, size_t m)
{
    uint64_t h = ENT_SEQ_SEED;
    const ent_kb_t *kb = c->kb;
    for (size_t k = i; k < m; k++) h = ent_seq_hash(h, c->toks[k].h);
    const ent_slot_t *s = ent_kb_slot(kb, h);
    if (!s) return -1;
    for (int32_t e = s->entry; e >= 0; e = kb->entries[e].next)
        if (kb->entries[e].weak == 1 && kb->entries[e].ntok == m - i &&
            entry_matches(c, &kb->entries[e], i))
            return e;
    return -1;
}

/* ---------------------------------------------------------------- mentions */

/* Out of line: rare, and emit() is inline. */
__attribute__((noinline)) int ent_ments_grow(ent_scratch_t *s)
{
    size_t cap = s->ments_cap ? s->ments_cap * 2 : 64;
    ent_mention_t *nm = realloc(s->ments, cap * sizeof *nm);
    if (!nm) return -1;
    s->ments = nm;
    s->ments_cap = cap;
    return 0;
}

static inline int emit(ent_ctx_t *c, size_t ts, size_t te, int type, int src, int32_t entry)
{
    ent_scratch_t *s = c->s;
    if (te <= ts || type == ET_NONE) return 0;
    if (s->ments_n == s->ments_cap && ent_ments_grow(s) < 0) return -1;
    ent_mention_t *m = &s->ments[s->ments_n++];
    m->tstart = (uint32_t)ts;
    m->tend = (uint32_t)te;
    m->start = c->toks[ts].start;
    m->end = c->toks[te - 1].end;
    m->type = (uint8_t)type;
    m->source = (uint8_t)src;
    m->entry = entry;
    if (entry >= 0) {
        const ent_entry_t *e = &c->kb->entries[entry];
        m->canon = c->kb->pool + e->canon;
        m->canon_len = e->canon_len;
    } else {
        m->canon = c->text + m->start;
        m->canon_len = m->end - m->start;
    }
    return 0;
}

/* namey() without the memo. */
static int namey_slow(ent_ctx_t *c, size_t i)
{
    const ent_tok_t *t = &c->toks[i];
    if (t->flags & TF_DIGIT) return 0;
    if (t->end - t->start == 1) return 0;          /* A, W, L: table headers, not names */
    if (t->flags & (TF_CONTR | TF_HASDIGIT)) return 0;   /* I'm, Don't, P2qpm3h3Pm */
    if (i > 0 && !(t->flags & TF_SPACE)) {
        /* @handles, #hashtags, URL and e-mail pieces are not names */
        char p = c->text[c->toks[i - 1].end - 1];
        if (p == '@' || p == '#' || p == '/' || p == '.' || p == '_' || p == '=') return 0;
    }
    if ((t->flags & TF_UPPER) && (ent_tok_cls(c, i) & CL_NONAME)) return 0;   /* TV, CEO */
    if (t->flags & TF_HEAD) {
        /* In a headline only uncommon words, or words the gazetteer knows. */
        unsigned cl = ent_tok_cls(c, i);
        if (!(cl & (CL_COMMON | CL_STOP))) return 1;
        int32_t e;
        return ent_gaz_match(c, i, &e, NULL) > 0;
    }
    return (t->flags & (TF_CAP | TF_MIXED)) != 0;
}

/* Could token i be (part of) a name?  Asked many times per token, so the
 * answer is kept in the token's flags. */
static inline int namey(ent_ctx_t *c, size_t i)
{
    ent_tok_t *t = &c->toks[i];
    uint32_t f = t->flags;
    /* most tokens: lower-case words and punctuation outside headlines */
    if (!(f & TF_WORD) || !(f & (TF_CAP | TF_MIXED | TF_HEAD))) return 0;
    if (!(f & TF__NAMEY_DONE)) {
        /* the common answer without the call: a capitalised word after a
         * space, of two or more bytes, with nothing namey_slow() vetoes */
        int y = !(f & (TF_DIGIT | TF_CONTR | TF_HASDIGIT | TF_UPPER | TF_HEAD)) &&
                ((f & TF_SPACE) || i == 0) && t->end - t->start != 1
                    ? 1 : namey_slow(c, i);
        f = t->flags | TF__NAMEY_DONE | (y ? TF__NAMEY : 0);
        t->flags = f;
    }
    return (f & TF__NAMEY) != 0;
}

/* A capitalised word that is probably just an ordinary word: at a sentence
 * start or in a headline, and known as COMMON/STOP, not as a given name. */
static int plain_word(ent_ctx_t *c, size_t i)
{
    const ent_tok_t *t = &c->toks[i];
    unsigned cl = ent_tok_cls(c, i);
    if (cl & CL_STOP) return 1;
    if (!(t->flags & (TF_SENT | TF_HEAD))) return 0;
    return (cl & CL_COMMON) && !(cl & CL_GIVEN);
}

static int is_connector(ent_ctx_t *c, size_t i)
{
    const ent_tok_t *t = &c->toks[i];
    if (t->flags & TF_LOWER) return (ent_tok_cls(c, i) & (CL_CONNECT | CL_NAME_PART)) != 0;
    if (t->flags & TF_PUNCT) {
        const char *p = c->text + t->start;
        return *p == '&';
    }
    return 0;
}

/* Token i is a lower-case name particle (van, de, bin: NAME_PART in the
 * class lists, of any length). */
static inline int particle(ent_ctx_t *c, size_t i)
{
    return (c->toks[i].flags & TF_LOWER) && (ent_tok_cls(c, i) & CL_NAME_PART);
}

/* Name particles from i: one or two lower-case NAME_PART words ("van",
 * "van der", "de la") with a name right after them.  Returns how many, or 0
 * when there are none or no name follows within [i, b). */
static size_t particles_at(ent_ctx_t *c, size_t i, size_t b)
{
    size_t n = 0;
    while (n < 2 && i + n < b && particle(c, i + n))
        n++;
    if (n == 0 || i + n >= b) return 0;
    const ent_tok_t *t = &c->toks[i + n];
    if ((t->flags & TF_SENT) || ((t->flags & TF__RULE) && c->rule_type[i + n] >= ET_DATE))
        return 0;
    return namey(c, i + n) ? n : 0;
}

/* A capitalised particle that starts a surname: "Van Dijk", "Van der
 * Linden", "De la Cruz".  Returns the surname's offset from k (1 to 3), or
 * 0 when k does not start one. */
static size_t lead_particle(ent_ctx_t *c, size_t k, size_t b)
{
    const ent_tok_t *t = &c->toks[k];
    if (!(t->flags & TF_CAP) || (t->flags & TF_UPPER) || k + 1 >= b ||
        !(ent_tok_cls(c, k) & CL_NAME_PART))
        return 0;
    const ent_tok_t *n = &c->toks[k + 1];
    if ((n->flags & TF_CAP) && (n->flags & TF_SPACE) && !(n->flags & TF_SENT) && namey(c, k + 1))
        return 1;
    size_t np = particles_at(c, k + 1, b);
    return np ? np + 1 : 0;
}

/* Lower-case particles just before k that belong to its surname, not
 * before lo: after a title ("Mr. van der Berg"), or two of them ("later
 * van den Hoek said").  One alone is too often an ordinary word. */
static size_t particles_before(ent_ctx_t *c, size_t k, size_t lo, int after_title)
{
    size_t n = 0;
    while (n < 2 && k > lo + n && !(c->toks[k - n].flags & (TF_NL | TF_SENT)) &&
           particle(c, k - 1 - n))
        n++;
    return n == 2 || (n == 1 && after_title) ? n : 0;
}

/* The token after the last mention so far: a new one may not start before. */
static inline size_t last_mention_end(const ent_ctx_t *c)
{
    return c->s->ments_n ? c->s->ments[c->s->ments_n - 1].tend : 0;
}

/* Extend a chunk of name tokens from i; returns its end. */
static size_t chunk_end(ent_ctx_t *c, size_t i)
{
    int32_t e0;
    size_t g0 = ent_gaz_match(c, i, &e0, NULL);
    size_t j = i + (g0 > 1 ? g0 : 1);
    while (j < c->nt) {
        const ent_tok_t *t = &c->toks[j];
        if (t->flags & (TF_NL | TF_POSS)) break;
        if ((t->flags & TF_SENT) && !(c->toks[j - 1].flags & TF_ABBR)) break;
        if ((t->flags & TF__RULE) && c->rule_type[j] >= ET_DATE &&
            !(ent_tok_cls(c, j - 1) & (CL_GIVEN | CL_TITLE))) break;
        if (namey(c, j)) {
            int32_t e;
            size_t gl = ent_gaz_match(c, j, &e, NULL);
            j += gl > 1 ? gl : 1;
            continue;
        }
        /* Inzamam-ul-Haq, Ata-ur-Rehman: hyphen, name particle, hyphen, name */
        if ((t->flags & TF_HYPH) && !(t->flags & TF_SPACE) && j + 3 < c->nt &&
            (c->toks[j + 1].flags & TF_LOWER) && (ent_tok_cls(c, j + 1) & CL_NAME_PART) &&
            (c->toks[j + 2].flags & TF_HYPH) && !(c->toks[j + 3].flags & TF_SPACE) &&
            namey(c, j + 3)) { j += 4; continue; }
        /* hyphen glued on both sides: Asia-Pacific */
        if ((t->flags & TF_HYPH) && !(t->flags & TF_SPACE) && j + 1 < c->nt &&
            !(c->toks[j + 1].flags & TF_SPACE) && namey(c, j + 1)) { j += 2; continue; }
        /* connectors: of, for, de, the (after of), & */
        if (is_connector(c, j) && j + 1 < c->nt) {
            /* particles: Marieke van der Linden, Tomas de la Cruz */
            size_t np = particles_at(c, j, c->nt);
            if (np) { j += np + 1; continue; }
            size_t k = j + 1;
            if (k < c->nt && fw(c, k) == FW_ARTICLE && k + 1 < c->nt) k++;
            if (namey(c, k) && !(c->toks[k].flags & TF_SENT) &&
                !((c->toks[k].flags & TF__RULE) && c->rule_type[k] >= ET_DATE)) { j = k + 1; continue; }
        }
        break;
    }
    return j;
}

/* An organisation pattern starting at k inside the chunk [k, b):
 *   HEAD (of|for|on) [the] Name...   Foundation for Defense of Democracies
 *   Name... HEAD|SUFFIX [of Name...] State Department, TD International
 * Returns the end token or 0. */
static size_t org_pattern(ent_ctx_t *c, size_t k, size_t b)
{
    size_t best = 0;
    if (!namey(c, k)) return 0;
    for (size_t m = k; m < b; m++) {
        unsigned cl = ent_tok_cls(c, m);
        /* "Name... HEAD" takes only names (and &) before the head */
        if (m > k && !namey(c, m) && !(c->toks[m].flags & TF_HYPH) &&
            !(c->text[c->toks[m].start] == '&'))
            break;
        if ((cl & CL_TITLE) && !(cl & (CL_ORG_HEAD | CL_ORG_SUFFIX)) && m > k) break;
        if (!(cl & (CL_ORG_HEAD | CL_ORG_SUFFIX)) || !namey(c, m)) continue;
        if (m == k && (cl & CL_ORG_SUFFIX) && !(cl & CL_ORG_HEAD)) continue;
        size_t e = m + 1;
        /* HEAD of X: take the rest of the chunk, stopping at a second HEAD of */
        if ((cl & CL_ORG_HEAD) && e < b && is_connector(c, e)) {
            size_t x = e;
            while (x < b) {
                if (namey(c, x) || (c->toks[x].flags & TF_HYPH)) { x++; continue; }
                if (!is_connector(c, x) && fw(c, x) != FW_ARTICLE) break;
                /* "the" only right after of/for/on; "and the ..." starts another name */
                if (fw(c, x) == FW_ARTICLE && !(x > e && (fw(c, x - 1) == FW_OF ||
                                                           fw(c, x - 1) == FW_LINK)) && x != e)
                    break;
                if (fw(c, x) == FW_AND && x + 1 < b && fw(c, x + 1) == FW_ARTICLE) break;
                x++;
            }
            while (x > e && !namey(c, x - 1)) x--;
            if (x > e + 1) e = x;
        }
        /* trailing suffixes: Holdings Ltd */
        while (e < b && (ent_tok_cls(c, e) & CL_ORG_SUFFIX) && namey(c, e)) e++;
        if (e - k < 2) continue;            /* a lone "Trust" or "Group" is no name */
        best = e;
    }
    return best;
}

/* Look for an apposition after token e: ", a former State Department
 * official".  Returns the CL_*_NOUN class found, or 0. */
static unsigned apposition(ent_ctx_t *c, size_t e)
{
    if (e >= c->nt || !(c->toks[e].flags & TF_PUNCT) || c->text[c->toks[e].start] != ',')
        return 0;
    size_t k = e + 1;
    if (k >= c->nt) return 0;
    if (!(c->toks[k].flags & TF_LOWER) && fw(c, k) != FW_APPOS_DET && fw(c, k) != FW_ARTICLE)
        return 0;
    for (size_t n = 0; k < c->nt && n < 8; k++, n++) {
        const ent_tok_t *t = &c->toks[k];
        if (t->flags & TF_PUNCT) {
            if (t->flags & TF_HYPH) continue;
            break;
        }
        unsigned cl = ent_tok_cls(c, k);
        if ((t->flags & TF_LOWER) && (cl & CL_LOCPREP)) break;
        if (ent_cls_fw(cl) == FW_OF || ent_cls_fw(cl) == FW_RELATIVE)
            break;
        /* a verb: "Smith, said the team's ...", not an apposition */
        if ((t->flags & TF_LOWER) && (cl & (CL_SPEECH | CL_PERSON_VERB))) break;
        if (!(t->flags & TF_LOWER) && !(t->flags & TF_UPPER)) continue;
        if (cl & (CL_PERSON_NOUN | CL_ORG_NOUN | CL_PLACE_NOUN)) {
            /* the head noun is the last noun before of/who/punctuation */
            size_t nx = k + 1;
            if (nx < c->nt && (ent_tok_cls(c, nx) & (CL_PERSON_NOUN | CL_ORG_NOUN | CL_PLACE_NOUN)) &&
                !(c->toks[nx].flags & TF_PUNCT))
                continue;
            return cl & (CL_PERSON_NOUN | CL_ORG_NOUN | CL_PLACE_NOUN);
        }
        if (t->flags & TF_CAP) continue;
    }
    return 0;
}

/* A lower-case geographic noun right before token k (river, lake, mount). */
static int geo_noun_before(ent_ctx_t *c, size_t k)
{
    return k > 0 && (c->toks[k - 1].flags & TF_LOWER) && (ent_tok_cls(c, k - 1) & CL_GEO_NOUN);
}

/* Classify an unknown name run [k, m) from its context. */
static int classify_run(ent_ctx_t *c, size_t k, size_t m, int after_title, int *guess)
{
    size_t n = 0;                 /* name words, not hyphens or particles */
    for (size_t i = k; i < m; i++)
        if ((c->toks[i].flags & TF_WORD) && !(c->toks[i].flags & TF_LOWER)) n++;
    *guess = 0;
    unsigned first = ent_tok_cls(c, k), last = ent_tok_cls(c, m - 1);
    if (after_title) return ET_PERSON;
    /* "the river Severn", "mount Kenvale": a natural place, whatever a
     * given name or a speech verb after it would suggest */
    if (geo_noun_before(c, k)) return ET_LOC;
    /* role before the name: "trade negotiator Li Chenggang", "CEO of X" */
    if (k > 0) {
        unsigned pc = ent_tok_cls(c, k - 1);
        const ent_tok_t *pt = &c->toks[k - 1];
        if ((pt->flags & TF_WORD) && (pc & (CL_PERSON_NOUN | CL_TITLE)) && !(pt->flags & TF_CAP))
            return ET_PERSON;
        if ((pt->flags & TF_LOWER) && (pc & CL_ORG_NOUN) && !(pc & CL_PERSON_NOUN))
            return ET_ORG;         /* "the carmaker Volkswagen", "the bank HSBC" */
        if (k > 1 && fw(c, k - 1) == FW_BASED && (c->toks[k - 2].flags & TF_HYPH))
            return ET_ORG;         /* "Madrid-based Telefonica" */
        if (k > 1 && (fw(c, k - 1) == FW_OF || fw(c, k - 1) == FW_AT) &&
            (ent_tok_cls(c, k - 2) & (CL_PERSON_NOUN | CL_TITLE)))
            return ET_ORG;
        if (k > 1 && fw(c, k - 1) == FW_OF && (c->toks[k - 2].flags & TF_LOWER) &&
            (ent_tok_cls(c, k - 2) & CL_PLACE_NOUN))
            return ET_GPE;         /* "the city of Tacambaro" */
    }
    if (k > 0 && (c->toks[k - 1].flags & TF_LOWER) && (ent_tok_cls(c, k - 1) & CL_SPEECH) && n >= 2)
        return ET_PERSON;          /* "said Dorin Vasquell" */
    unsigned ap = apposition(c, m);
    if (ap & CL_ORG_NOUN) return ET_ORG;
    if (ap & CL_PLACE_NOUN) return ET_GPE;
    if (ap & CL_PERSON_NOUN) return ET_PERSON;
    /* a surname led by two particles: "van der Linden", "De la Cruz" */
    if ((first & CL_NAME_PART) && k + 2 < m && particle(c, k + 1))
        return ET_PERSON;
    if (first & CL_GIVEN && n >= 2 && !(c->toks[k].flags & TF_UPPER)) return ET_PERSON;
    if (n >= 2 && (c->toks[k].flags & TF_INITIAL)) return ET_PERSON;
    if (n >= 2 && (last & CL_SURNAME)) return ET_PERSON;
    if (n >= 2 && (last & CL_FAC_HEAD)) return ET_FAC;
    if (n >= 2 && (last & CL_EVENT_HEAD)) return ET_EVENT;
    if (n >= 2 && (last & CL_LAW_HEAD)) return ET_LAW;
    if (n >= 2 && (last & (CL_ORG_SUFFIX | CL_ORG_HEAD))) return ET_ORG;
    if (n == 1 && (first & CL_GIVEN) && !(c->toks[k].flags & TF_UPPER)) return ET_PERSON;
    /* next word: a speech or human verb */
    if (m < c->nt && (ent_tok_cls(c, m) & (CL_SPEECH | CL_PERSON_VERB)) &&
        (c->toks[m].flags & TF_LOWER) && n >= 2)
        return ET_PERSON;
    if (k > 0 && (ent_tok_cls(c, k - 1) & CL_LOCPREP) && (c->toks[k - 1].flags & TF_LOWER) &&
        n <= 2 && !(c->toks[k].flags & TF_UPPER))
        return ET_GPE;
    *guess = 1;
    if (n >= 2 && n <= 3) {
        /* two or three uncommon capitalised words: most often a person */
        int common = 0;
        for (size_t i = k; i < m; i++)
            /* particles are not ordinary words here: Jan van Dijk, Omar Bin
             * Salem, Van Dijk (but not in La Rosa Theatre) */
            if ((i != k || m - k == 2) && (ent_tok_cls(c, i) & CL_NAME_PART)) continue;
            else if (ent_tok_cls(c, i) & CL_COMMON) common++;
            else if ((c->toks[i].flags & TF_UPPER) && c->toks[i].end - c->toks[i].start > 1) common++;
        if (common == 0) return ET_PERSON;
        return ET_ORG;
    }
    if (n > 3) return ET_ORG;
    return ENT_UNKNOWN;     /* one word: settled by coreference */
}

/* The capitalised words right after a place's name, in its run, when they
 * make it an organisation named after the place: a club, a company, a
 * paper ("Detroit Axle", "Lakeside Rovers", "Riverton Gazette").  They must
 * be glued to it by single spaces, be no title, list entry, particle or
 * geographic word or head of a facility, event or law, and either end in
 * an organisation's head or suffix or be one ordinary word.  Returns the
 * end of the organisation, or 0. */
static size_t place_org_end(ent_ctx_t *c, size_t x, size_t b)
{
    size_t m = x;
    int plain = 1;
    while (m < b && namey(c, m) && !(c->toks[m].flags & TF_NL) && (c->toks[m].flags & TF_SPACE)) {
        unsigned cl = ent_tok_cls(c, m);
        if (cl & (CL_TITLE | CL_GEO_NOUN | CL_PLACE_NOUN | CL_NAME_PART | CL_DEMONYM | CL_STOP |
                  CL_FAC_HEAD | CL_EVENT_HEAD | CL_LAW_HEAD))
            return 0;
        int32_t e;
        size_t tl;
        if (ent_gaz_match(c, m, &e, &tl) > 0 || tl) return 0;
        if (!(cl & CL_COMMON) || (cl & CL_GIVEN)) plain = 0;
        m++;
    }
    /* not when the name goes on (Under-21, Track & Field, Bank of ...) */
    if (m == x || (m < c->nt && (namey(c, m) || is_connector(c, m) ||
                             ((c->toks[m].flags & TF_HYPH) && !(c->toks[m].flags & TF_SPACE)))))
        return 0;
    if (ent_tok_cls(c, m - 1) & (CL_ORG_SUFFIX | CL_ORG_HEAD)) return m;
    /* one ordinary word: a team or a firm (Riverton Rugby); more are most
     * often a title or an event (Riverton Book Fair) */
    return plain && m == x + 1 ? m : 0;
}

/* Segment the chunk [a, b) into mentions. */
static int segment(ent_ctx_t *c, size_t a, size_t b)
{
    size_t k = a;
    int after_title = 0, skipped = 0;
    while (k < b) {
        if (is_connector(c, k) || !(c->toks[k].flags & TF_WORD) || !namey(c, k)) {
            k++;
            skipped = 1;
            continue;
        }
        /* a role word before "of": "CEO of TD International" */
        if ((ent_tok_cls(c, k) & CL_PERSON_NOUN) && !(ent_tok_cls(c, k) & CL_ORG_HEAD) &&
            k + 1 < b && is_connector(c, k + 1)) {
            k += 2;
            continue;
        }
        int32_t entry;
        size_t tl;
        size_t gl = ent_gaz_match(c, k, &entry, &tl);
        if (gl + k > b) gl = b - k;   /* never past the chunk (cannot happen often) */
        /* a surname with its particles: "Van der Linden", "Mr. van der
         * Berg"; the surname may be a known word or place (Linden) */
        size_t mstart = k, m;
        int particled = 0;
        if (gl <= 1 && !tl) {
            size_t lead = lead_particle(c, k, b), back = 0;
            /* only after a title or particles skipped inside the chunk
             * ("Later van den Hoek"): asking at every chunk start costs
             * more than the rare name it finds (coreference still gives
             * that surname its full name) */
            if (!lead && (after_title || (skipped && k > a))) {
                size_t lo = last_mention_end(c);   /* and inside the chunk */
                back = particles_before(c, k, lo > a ? lo : a, after_title);
            }
            skipped = 0;
            if (lead || back) {
                particled = 1;
                mstart = k - back;
                m = k + lead + 1;
                goto run;
            }
        }
        if (gl == 0 && plain_word(c, k)) {
            if (c->dropped_n < c->dropped_cap) c->dropped[c->dropped_n++] = (uint32_t)k;
            k++;
            continue;
        }
        size_t oe = org_pattern(c, k, b);
        if (oe && oe - k > gl && !(tl && tl >= oe - k)) {
            while (k + 1 < oe && (ent_tok_cls(c, k) & CL_STOP)) k++;   /* not "The" */
            if (emit(c, k, oe, ET_ORG, ENT_SRC_GUESS, -1) < 0) return -1;
            k = oe;
            after_title = 0;
            continue;
        }
        if (gl && entry >= 0 && k + gl < b && (ent_tok_cls(c, k + gl) & CL_FAC_HEAD) &&
            namey(c, k + gl)) {
            /* Windsor Castle, Heathrow Airport, Wembley Stadium */
            size_t fe = k + gl + 1;
            while (fe < b && (ent_tok_cls(c, fe) & CL_FAC_HEAD) && namey(c, fe)) fe++;
            if (emit(c, k, fe, ET_FAC, ENT_SRC_GUESS, -1) < 0) return -1;
            k = fe;
            after_title = 0;
            continue;
        }
        if (gl && entry >= 0 && k + gl < b &&
            (c->kb->entries[entry].type == ET_NORP || c->kb->entries[entry].type == ET_GPE)) {
            /* European Cup, Hong Kong Open, Canadian Grand Prix: a place or a
             * people, then names ending in an event word */
            size_t x = k + gl, last = 0;
            while (x < b && namey(c, x) && !(ent_tok_cls(c, x) & CL_TITLE)) {
                int32_t e4;
                if (ent_gaz_match(c, x, &e4, NULL) > 0) break;
                if (ent_tok_cls(c, x) & CL_EVENT_HEAD) last = x + 1;
                x++;
            }
            if (last) {
                if (emit(c, k, last, ET_EVENT, ENT_SRC_GUESS, -1) < 0) return -1;
                k = last;
                after_title = 0;
                continue;
            }
        }
        if (gl && entry >= 0) {
            const ent_entry_t *e = &c->kb->entries[entry];
            unsigned cl = ent_tok_cls(c, k);
            int skip = 0;
            /* a given name that is also a place, followed by another name */
            if ((cl & CL_GIVEN) && gl == 1 && e->type != ET_PERSON && k + 1 < b &&
                namey(c, k + 1) && !(c->toks[k].flags & TF_UPPER)) {
                int32_t e2;
                if (ent_gaz_match(c, k + 1, &e2, NULL) == 0) skip = 1;
            }
            if (gl == 1 && (cl & CL_STOP)) skip = 2;
            if (tl > gl) {
                /* a title that starts with an organisation or a place:
                 * "U.N. Secretary-General", "Treasury Secretary" — the body is
                 * a mention of its own (OntoNotes), the rest is the title */
                if (e->type == ET_ORG || e->type == ET_GPE || e->type == ET_NORP) {
                    if (emit(c, k, k + gl, e->type, ENT_SRC_GAZ, entry) < 0) return -1;
                    k += tl;
                    after_title = 1;
                    continue;
                }
                skip = 3;                          /* title is longer: Prime Minister */
            }
            if (skip == 2) {
                if (c->dropped_n < c->dropped_cap) c->dropped[c->dropped_n++] = (uint32_t)k;
                k++;
                continue;
            }
            if (!skip) {
                int type = e->type;
                size_t oe;
                if (type == ET_GPE && k + gl < b && (oe = place_org_end(c, k + gl, b))) {
                    if (emit(c, k, oe, ET_ORG, ENT_SRC_GUESS, -1) < 0) return -1;
                    k = oe;
                    after_title = 0;
                    continue;
                }
                if (type == ET_GPE && geo_noun_before(c, k)) {
                    /* "lake Geneva": the lake, not the city; a country stays a
                     * GPE ("the island Freedonia") */
                    const char *id = c->kb->pool + e->id;
                    if (!(e->id_len == 2 && id[0] >= 'A' && id[0] <= 'Z' && id[1] >= 'A' && id[1] <= 'Z'))
                        type = ET_LOC;
                }
                if (emit(c, k, k + gl, type, ENT_SRC_GAZ, entry) < 0) return -1;
                k += gl;
                after_title = 0;
                continue;
            }
        }
        if (tl) {
            k += tl;
            after_title = 1;
            continue;
        }
        /* unknown run */
        m = k;
run:
        while (m < b) {
            if (m > k) {
                if (is_connector(c, m)) {
                    size_t np = particles_at(c, m, b);
                    if (np) { m += np + 1; continue; }   /* the surname after them too */
                    break;
                }
                if (c->toks[m].flags & TF_HYPH) {
                    if (m + 1 < b && namey(c, m + 1)) { m++; continue; }
                    if (m + 3 < b && (ent_tok_cls(c, m + 1) & CL_NAME_PART) &&
                        (c->toks[m + 2].flags & TF_HYPH) && namey(c, m + 3)) { m += 3; continue; }
                    break;
                }
                int32_t e2;
                size_t t2;
                size_t g2 = ent_gaz_match(c, m, &e2, &t2);
                if (g2 == 1 && !t2 && e2 >= 0 && c->kb->entries[e2].type != ET_NORP &&
                    ((ent_tok_cls(c, m - 1) & CL_GIVEN) || (c->toks[m - 1].flags & TF_INITIAL)) &&
                    (m + 1 >= b || !namey(c, m + 1)) && namey(c, m)) {
                    /* a surname that is also a place: Lindsay Davenport, J. Crawley */
                    m++;
                    break;
                }
                if (g2 == 1 && !t2 && e2 >= 0 && c->kb->entries[e2].type == ET_GPE &&
                    !(ent_tok_cls(c, m - 1) & (CL_COMMON | CL_GIVEN | CL_TITLE)) &&
                    !(c->toks[m - 1].flags & TF_INITIAL) && (m + 1 >= b || !namey(c, m + 1))) {
                    /* a name and then a city: a club or a company ("Hansa Rostock") */
                    int32_t e3;
                    if (ent_gaz_match(c, k, &e3, NULL) == 0 && !(ent_tok_cls(c, k) & (CL_GIVEN | CL_COMMON))) {
                        if (emit(c, k, m + 1, ET_ORG, ENT_SRC_GUESS, -1) < 0) return -1;
                        k = m + 1;
                        goto next_segment;
                    }
                }
                if (g2 > 0 || t2) break;
            }
            if (!namey(c, m)) break;
            m++;
        }
        if (m == k) { k++; continue; }
        /* drop leading ordinary words: "Calling Xi", "But Smith" */
        while (!particled && k < m && plain_word(c, k)) {
            if (c->dropped_n < c->dropped_cap) c->dropped[c->dropped_n++] = (uint32_t)k;
            k++;
        }
        if (particled) k = mstart;
        if (k == m) continue;
        int guess;
        int type = classify_run(c, k, m, after_title, &guess);
        if (guess) {
            int32_t we = weak_match(c, k, m);
            if (we >= 0) {
                if (emit(c, k, m, c->kb->entries[we].type, ENT_SRC_GAZ, we) < 0) return -1;
                after_title = 0;
                k = m;
                continue;
            }
        }
        if (m - k == 1 && (ent_tok_cls(c, k) & CL_COMMON) && !after_title &&
            type == ENT_UNKNOWN && !(c->toks[k].flags & TF_UPPER)) {
            /* a lone capitalised ordinary word mid-sentence: keep for coref only */
            type = ENT_WEAK;
        }
        if (emit(c, k, m, type, ENT_SRC_GUESS, -1) < 0) return -1;
        after_title = 0;
        k = m;
        continue;
next_segment:
        after_title = 0;
    }
    return 0;
}

/* ---------------------------------------------------------------- datelines */

/* A wire dateline at the start of a line: "SHREWSBURY, England, March 3
 * (Agency) -" or "KETTERING (Agency) -".  The all-caps run [i, end) is a
 * place when a comma and a known place (not on a headline line, where
 * "JAPAN, CHINA AGREE" is a list) or a bracketed credit and a dash follow.
 * A run the gazetteer knows whole is left to the gazetteer (U.S., LONDON).
 * Returns the run's end token, or 0. */
static size_t dateline_end(ent_ctx_t *c, size_t i)
{
    size_t m = i, words = 0;
    while (m < c->nt && words < 6) {
        const ent_tok_t *t = &c->toks[m];
        if (m > i && (t->flags & TF_NL)) break;
        if ((t->flags & TF_WORD) && (t->flags & TF_UPPER) && !(t->flags & (TF_DIGIT | TF_HASDIGIT))) {
            words++;
            m++;
            continue;
        }
        /* WINSTON-SALEM: a hyphen glued on both sides */
        if (m > i && (t->flags & TF_HYPH) && !(t->flags & TF_SPACE) && m + 1 < c->nt &&
            !(c->toks[m + 1].flags & (TF_SPACE | TF_NL)) && (c->toks[m + 1].flags & TF_UPPER)) {
            m++;
            continue;
        }
        break;
    }
    if (!words || m + 1 >= c->nt || (c->toks[m].flags & TF_NL)) return 0;
    int32_t e;
    if (ent_gaz_match(c, i, &e, NULL) >= m - i) return 0;
    const ent_tok_t *n = &c->toks[m];
    char ch = c->text[n->start];
    if (ch == ',' && n->end - n->start == 1) {
        const ent_tok_t *g = &c->toks[m + 1];
        if ((g->flags & (TF_NL | TF_HEAD)) || !(g->flags & TF_WORD)) return 0;
        if (ent_gaz_match(c, m + 1, &e, NULL) == 0 || e < 0) return 0;
        int ty = c->kb->entries[e].type;
        return ty == ET_GPE || ty == ET_LOC ? m : 0;
    }
    if (ch == '(') {
        /* (Agency) then a dash, on the same line */
        for (size_t k = m + 1; k < c->nt && k < m + 10; k++) {
            const ent_tok_t *t = &c->toks[k];
            if (t->flags & TF_NL) return 0;
            if (c->text[t->start] == ')' && t->end - t->start == 1)
                return k + 1 < c->nt && (c->toks[k + 1].flags & TF_HYPH) &&
                       !(c->toks[k + 1].flags & TF_NL) ? m : 0;
        }
    }
    return 0;
}

/* Emit the dateline place [i, m) with a title-cased canonical name kept in
 * the scratch (the text's own bytes when the buffer is full). */
static int emit_dateline(ent_ctx_t *c, size_t i, size_t m)
{
    if (emit(c, i, m, ET_GPE, ENT_SRC_GAZ, -1) < 0) return -1;
    ent_scratch_t *s = c->s;
    ent_mention_t *mt = &s->ments[s->ments_n - 1];
    size_t l = mt->end - mt->start;
    if (l > sizeof s->canon_buf - s->canon_used) return 0;
    char *o = s->canon_buf + s->canon_used;
    const unsigned char *p = (const unsigned char *)c->text + mt->start;
    int word_start = 1, lower = 0;   /* lower: this character is not a word's first */
    size_t letters = 0;              /* in the current word: O'NEILL -> O'Neill, not ST. JOHN'S */
    for (size_t k = 0; k < l; k++) {
        unsigned char b = p[k];
        if (b >= 0x80 && b < 0xC0) {
            /* UTF-8 continuation: Latin-1 capitals U+00C0-U+00DE (not U+00D7) */
            if (lower && k > 0 && p[k - 1] == 0xC3 && b <= 0x9E && b != 0x97)
                b = (unsigned char)(b + 0x20);
            o[k] = (char)b;
            continue;
        }
        lower = !word_start;
        int letter = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b >= 0xC0;
        if (lower && b >= 'A' && b <= 'Z') b = (unsigned char)(b + 32);
        o[k] = (char)b;
        letters = letter ? letters + 1 : b == '\'' ? letters : 0;
        word_start = !letter && (b != '\'' || letters == 1);
    }
    mt->canon = o;
    mt->canon_len = (uint32_t)l;
    s->canon_used += l;
    return 0;
}

/* ---------------------------------------------------------------- driver */

static int ensure_toks(ent_scratch_t *s, size_t nt)
{
    if (nt > s->toks_cap) {
        size_t cap = nt < 1024 ? 1024 : nt;
        ent_tok_t *t = realloc(s->toks, cap * sizeof *t);
        if (!t) return -1;
        s->toks = t;
        uint32_t *cd = realloc(s->cand, cap * sizeof *cd);
        if (!cd) return -1;     /* toks_cap stays: both are grown again */
        s->cand = cd;
        s->toks_cap = cap;
    }
    return 0;
}

static int ensure(ent_scratch_t *s, size_t nt, const ent_kb_t *kb)
{
    if (nt * 5 > s->aux_cap) {
        size_t cap = nt * 5 < 8192 ? 8192 : nt * 5;
        int32_t *a = realloc(s->aux, cap * sizeof *a);
        if (!a) return -1;
        s->aux = a;
        s->aux_cap = cap;
    }
    uint32_t pairs = kb->max_pairs > 32 ? kb->max_pairs : 32;
    if (s->md && s->md_pairs < pairs) {
        pcre2_match_data_free(s->md);
        s->md = NULL;
    }
    if (!s->md) {
        s->md = pcre2_match_data_create(pairs, NULL);
        if (!s->md) return -1;
        s->md_pairs = pairs;
    }
    if (!s->mctx) {
        s->mctx = pcre2_match_context_create(NULL);
        if (!s->mctx) return -1;
    }
    /* every call: the scratch may have served another knowledge base */
    pcre2_set_match_limit(s->mctx, kb->match_limit);
    pcre2_set_depth_limit(s->mctx, kb->depth_limit);
    return 0;
}

void ent_scratch_free(ent_scratch_t *s)
{
    free(s->toks);
    free(s->cand);
    free(s->ments);
    free(s->aux);
    free(s->cbuf);
    if (s->md) pcre2_match_data_free(s->md);
    if (s->mctx) pcre2_match_context_free(s->mctx);
    memset(s, 0, sizeof *s);
}

int ent_tag(const ent_kb_t *kb, const char *text, size_t len, ent_scratch_t *s,
            char *err, size_t errlen)
{
    s->ments_n = 0;
    s->canon_used = 0;
    if (len >= UINT32_MAX) { snprintf(err, errlen, "body too large"); return -1; }
    /* News runs about one token per five bytes: size for a third and
     * tokenize again with room for every byte only when that is not enough,
     * so a 4 MB article does not cost 128 MB of tokens up front. */
    size_t guess = len / 3 + 64;
    if (guess > len + 1) guess = len + 1;
    /* one token more than the tokenizer may fill: the walk's sentinel */
    if (ensure_toks(s, guess + 1) < 0) { snprintf(err, errlen, "out of memory"); return -1; }
    size_t nt = ent_tokenize_trig(kb, text, len, s->toks, s->toks_cap - 1, s->cand, &s->cand_n);
    if (nt == SIZE_MAX) {
        if (ensure_toks(s, len + 2) < 0) { snprintf(err, errlen, "out of memory"); return -1; }
        nt = ent_tokenize_trig(kb, text, len, s->toks, s->toks_cap - 1, s->cand, &s->cand_n);
    }
    if (ensure(s, nt + 1, kb) < 0) { snprintf(err, errlen, "out of memory"); return -1; }
    ent_ctx_t c;
    memset(&c, 0, offsetof(ent_ctx_t, acro));   /* not the 1 KB acronym buffer */
    c.acro_len = 0;
    c.kb = kb;
    c.s = s;
    c.text = text;
    c.len = len;
    c.toks = s->toks;
    c.nt = nt;
    c.rule_end = s->aux;
    c.rule_es = s->aux + nt;
    c.rule_ee = s->aux + 2 * nt;
    c.rule_type = (uint8_t *)(s->aux + 3 * nt);
    c.dropped = (uint32_t *)(s->aux + 4 * nt);
    c.dropped_cap = nt;
    int rc = ent_run_rules(&c, err, errlen);
    if (rc < 0) return rc;

    size_t i = 0;
    s->toks[nt].flags = TF_CAP;     /* sentinel: the skip loop below stops there */
    while (i < nt) {
        /* skip what can start nothing: no rule match, and not a name (namey()
         * needs a capital or a headline) */
        const uint32_t start_mask = TF__RULE | TF_CAP | TF_MIXED | TF_HEAD;
        const ent_tok_t *p = c.toks + i;
        /* four at a time while four are left: most tokens are lower-case words */
        while (p + 4 <= c.toks + nt &&
               !((p[0].flags | p[1].flags | p[2].flags | p[3].flags) & start_mask))
            p += 4;
        while (!(p->flags & start_mask))
            p++;
        i = (size_t)(p - c.toks);
        if (i >= nt) break;
        const ent_tok_t *t = &c.toks[i];
        if ((i == 0 || (t->flags & TF_NL)) && (t->flags & TF_UPPER) && (t->flags & TF_WORD)) {
            size_t de = dateline_end(&c, i);
            if (de) {
                if (emit_dateline(&c, i, de) < 0) goto oom;
                i = de;
                continue;
            }
        }
        size_t re = (t->flags & TF__RULE) ? (size_t)c.rule_end[i] : 0;
        if (!(t->flags & TF_WORD) && !re) { i++; continue; }
        if (namey(&c, i)) {
            size_t b = chunk_end(&c, i);
            if (re && re >= b) {
                if (emit(&c, (size_t)c.rule_es[i], (size_t)c.rule_ee[i], c.rule_type[i],
                         ENT_SRC_RULE, -1) < 0) goto oom;
                i = re;
                continue;
            }
            if (re && c.rule_type[i] >= ET_DATE && !(ent_tok_cls(&c, i) & CL_GIVEN)) {
                int32_t ge;
                if (ent_gaz_match(&c, i, &ge, NULL) == 0) {
                    /* "Friday Mitchell said", "August National Association of ...":
                     * a date word starting a capitalised run is a date; the
                     * run goes on after it */
                    if (emit(&c, (size_t)c.rule_es[i], (size_t)c.rule_ee[i], c.rule_type[i],
                             ENT_SRC_RULE, -1) < 0) goto oom;
                    i = re;
                    continue;
                }
            }
            if (re && c.rule_type[i] < ET_DATE) {
                /* a name rule (titled person, org pattern) inside a longer chunk:
                 * take the rule, then continue the chunk after it */
                if (emit(&c, (size_t)c.rule_es[i], (size_t)c.rule_ee[i], c.rule_type[i],
                         ENT_SRC_RULE, -1) < 0) goto oom;
                i = re;
                continue;
            }
            size_t before = s->ments_n;
            if (segment(&c, i, b) < 0) goto oom;
            /* a date rule that starts at the chunk and no name came out of it */
            if (re && s->ments_n > before && s->ments[before].tstart == i &&
                s->ments[before].tend <= re && s->ments[before].source != ENT_SRC_GAZ &&
                c.rule_type[i] >= ET_DATE && !(ent_tok_cls(&c, i) & CL_GIVEN)) {
                s->ments_n = before;
                if (emit(&c, (size_t)c.rule_es[i], (size_t)c.rule_ee[i], c.rule_type[i],
                         ENT_SRC_RULE, -1) < 0) goto oom;
                i = re;
                continue;
            }
            i = b;
            continue;
        }
        if (re) {
            if (emit(&c, (size_t)c.rule_es[i], (size_t)c.rule_ee[i], c.rule_type[i],
                     ENT_SRC_RULE, -1) < 0) goto oom;
            i = re;
            continue;
        }
        i++;
    }
    if (ent_coref(&c) < 0) goto oom;
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}
