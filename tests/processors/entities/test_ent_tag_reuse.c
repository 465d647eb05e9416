/* test_ent_tag_reuse.c -- the tagger's per-token arrays (rule_end and its
 * friends, the class and gazetteer memos) are not reset between articles:
 * a token's rule match is trusted only where the rule pass flagged it
 * (TF__RULE) in this article.  Tag texts with one scratch reused in
 * different orders, long texts full of rule matches before short ones
 * without, and check every text gives exactly what a fresh scratch gives.
 * The texts are written here (shipped gazetteers, word lists and rules).
 * Also checks the lookup table's order against a plain scan (check_table). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ent.h"
#include "ent_kb.h"

static int checks, failures;
#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); \
    fputc('\n', stderr); } } while (0)

static const char *texts[] = {
    /* rule-heavy: dates, money, percentages, times, titled persons */
    "On Monday, 3 March 2025, the board of Harlow Freight Ltd said revenue rose 12% to "
    "$4.5 billion in the year to 31 January. Chief executive Dr. Marguerite Okonkwo-Bell "
    "said at 10:30 a.m. on Tuesday that 2,400 jobs would move to Leeds by June 2026. "
    "Shares fell 3.2 per cent, or 14p, to 420p. The European Commission, the World Bank "
    "and the Bank of England declined to comment on Wednesday evening.",
    /* a short text with capitalised runs where the long text had rule matches */
    "Ravel Quint met Osric Tamblyn in Paris.\nTHE MARKETS RALLY AGAIN\n",
    "President Ilse Varga of Freedonia told Reuters on Friday that the Treasury "
    "Secretary would visit Washington, Beijing and Moscow before 15 April, spending "
    "about 2 million euros. Varga said Moscow's offer was \"not enough\".",
    "Sparta Rotterdam 2 Fortuna Sittard 1\nKent 108-3 (Dunmore 45, Hale 30) v Essex\n"
    "LONDON, England, May 4 (Agency) - The river Thames rose 2 metres on Sunday.",
    "a lower-case line with no names at all, and 7 numbers 8 9 10.",
    "",
    "Asia-Pacific Economic Cooperation (APEC) leaders met; APEC said the Magna "
    "International Inc deal, worth 300 million dollars, closed on 1 July. Magna rose.",
};
#define NTEXTS (sizeof texts / sizeof texts[0])

typedef struct {
    size_t n;
    ent_mention_t *m;
    char *canon;           /* the canonical names, back to back */
} result_t;

static int save(result_t *r, const ent_scratch_t *s)
{
    size_t cl = 0;
    for (size_t i = 0; i < s->ments_n; i++) cl += s->ments[i].canon_len;
    r->n = s->ments_n;
    r->m = malloc((s->ments_n + 1) * sizeof *r->m);
    r->canon = malloc(cl + 1);
    if (!r->m || !r->canon) return -1;
    if (s->ments_n) memcpy(r->m, s->ments, s->ments_n * sizeof *r->m);
    cl = 0;
    for (size_t i = 0; i < s->ments_n; i++) {
        memcpy(r->canon + cl, s->ments[i].canon, s->ments[i].canon_len);
        cl += s->ments[i].canon_len;
    }
    return 0;
}

static int same(const result_t *r, const ent_scratch_t *s)
{
    if (r->n != s->ments_n) return 0;
    size_t cl = 0;
    for (size_t i = 0; i < r->n; i++) {
        const ent_mention_t *x = &r->m[i], *y = &s->ments[i];
        if (x->start != y->start || x->end != y->end || x->tstart != y->tstart ||
            x->tend != y->tend || x->type != y->type || x->source != y->source ||
            x->entry != y->entry || x->canon_len != y->canon_len ||
            memcmp(r->canon + cl, y->canon, y->canon_len) != 0)
            return 0;
        cl += x->canon_len;
    }
    return 1;
}

/* The lookup table (ent_kb.h) is an ordered linear-probing table whose
 * walk stops at the first key not smaller than the one sought.  Check its
 * order and placement, and that ent_kb_slot agrees with a plain scan of
 * every slot for each stored key and for random and near-miss keys. */
static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const ent_slot_t *scan_slot(const ent_kb_t *k, uint64_t key)
{
    for (size_t i = 0; i < k->slots_cap + ENT_SLOT_PAD; i++)
        if (k->slots[i].key == key) return &k->slots[i];
    return NULL;
}

static void check_table(const ent_kb_t *k)
{
    size_t n = k->slots_cap + ENT_SLOT_PAD, used = 0, bad = 0;
    uint64_t prev = 0;
    CHECK(k->slots[n - 1].key == 0, "the last slot is empty (every walk ends)");
    for (size_t i = 0; i < n; i++) {
        uint64_t key = k->slots[i].key;
        if (!key) continue;
        used++;
        size_t home = (size_t)(key >> (64 - __builtin_ctzll(k->slots_cap)));   /* not from slots_shift */
        int ok = key > prev && home <= i && home == ent_kb_home_of(k, key);
        for (size_t j = home; ok && j < i; j++) ok = k->slots[j].key != 0;
        if (ok) ok = ent_kb_slot(k, key) == &k->slots[i];
        if (!ok && bad++ < 5) CHECK(0, "slot %zu: ordered, at or after its home, found", i);
        prev = key;
    }
    CHECK(used == k->slots_n, "%zu keys stored, %zu counted", used, k->slots_n);
    size_t misses = 0;
    for (int r = 0; r < 200000; r++) {
        uint64_t key = next_rand();
        if (r & 1) {
            /* next to a stored key: the walk must stop right there */
            const ent_slot_t *s = &k->slots[key % n];
            key = s->key + (r & 2 ? 1 : (uint64_t)-1);
        }
        if (!key) continue;
        const ent_slot_t *a = ent_kb_slot(k, key), *b = scan_slot(k, key);
        if (a != b && misses++ < 5) CHECK(0, "key %llx: walk and scan disagree", (unsigned long long)key);
        checks++;
    }
    /* the largest and smallest keys (the table's two ends) */
    CHECK(ent_kb_slot(k, UINT64_MAX) == scan_slot(k, UINT64_MAX), "the largest key");
    CHECK(ent_kb_slot(k, 1) == scan_slot(k, 1), "the smallest key");
}

int main(void)
{
    const char *lex[] = {"entities/rules/*.tsv"};
    const char *gaz[] = {"entities/gazetteers/*.tsv"};
    const char *weak[] = {"entities/gazetteers/ambiguous/*.tsv"};
    const char *rules[] = {"entities/rules/*.rules"};
    ent_kb_opts_t o = {.dir = WS_DATA_DIR, .lexicons = lex, .n_lexicons = 1,
                       .gazetteers = gaz, .n_gazetteers = 1, .weak_gazetteers = weak,
                       .n_weak = 1, .rules = rules, .n_rules = 1,
                       .match_limit = 100000, .depth_limit = 10000};
    char err[256];
    ent_kb_t *k = ent_kb_load(&o, err, sizeof err);
    CHECK(k != NULL, "the shipped knowledge base loads (%s)", k ? "" : err);
    if (!k) return 1;
    check_table(k);

    /* each text alone, with a fresh scratch */
    result_t ref[NTEXTS];
    size_t total = 0, rule_ments = 0;
    for (size_t t = 0; t < NTEXTS; t++) {
        ent_scratch_t s = {0};
        int rc = ent_tag(k, texts[t], strlen(texts[t]), &s, err, sizeof err);
        CHECK(rc == 0, "text %zu tags (%s)", t, rc ? err : "");
        CHECK(save(&ref[t], &s) == 0, "out of memory");
        total += s.ments_n;
        for (size_t i = 0; i < s.ments_n; i++) rule_ments += s.ments[i].source == ENT_SRC_RULE;
        ent_scratch_free(&s);
    }
    /* the texts exercise what they are meant to */
    CHECK(total > 20 && rule_ments > 8, "mentions found (%zu, %zu from rules)", total, rule_ments);

    /* one scratch, many orders: forwards, backwards, and each text after
     * every other one */
    ent_scratch_t s = {0};
    size_t runs = 0;
    for (size_t a = 0; a < NTEXTS; a++)
        for (size_t b = 0; b < NTEXTS; b++) {
            size_t order[2] = {a, b};
            for (int j = 0; j < 2; j++) {
                size_t t = order[j];
                int rc = ent_tag(k, texts[t], strlen(texts[t]), &s, err, sizeof err);
                CHECK(rc == 0 && same(&ref[t], &s),
                      "text %zu after text %zu: the same mentions as with a fresh scratch",
                      t, j ? a : b);
                runs++;
            }
        }
    /* a prefix of a rule-heavy text: its tokens end where the stale ones go on */
    for (size_t t = 0; t < NTEXTS; t++) {
        size_t l = strlen(texts[t]);
        for (size_t cut = 1; cut < l; cut += 7) {
            ent_scratch_t f = {0};
            int rf = ent_tag(k, texts[0], strlen(texts[0]), &s, err, sizeof err);
            rf |= ent_tag(k, texts[t], cut, &s, err, sizeof err);
            int rg = ent_tag(k, texts[t], cut, &f, err, sizeof err);
            result_t r = {0};
            CHECK(rf == 0 && rg == 0 && save(&r, &f) == 0 && same(&r, &s),
                  "text %zu cut at %zu: the same mentions after a rule-heavy text", t, cut);
            free(r.m);
            free(r.canon);
            ent_scratch_free(&f);
            runs++;
            if (failures > 20) break;
        }
    }
    ent_scratch_free(&s);
    for (size_t t = 0; t < NTEXTS; t++) {
        free(ref[t].m);
        free(ref[t].canon);
    }
    ent_kb_free(k);
    printf("%zu runs, %d checks, %d failures\n", runs, checks, failures);
    return failures ? 1 : 0;
}
