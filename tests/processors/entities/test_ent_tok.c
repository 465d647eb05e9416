/* test_ent_tok.c -- the tokenizer's word loop against the general code and
 * against what it promises, on texts written to hit its edges: words at
 * every offset of the 64-byte windows and of the text's last bytes (where
 * the general code takes over), the hash and shape taken from a word's
 * loaded bytes, possessive 's, a capitalised word after an abbreviation,
 * the token budget, the headline counts of lines far longer than 16-bit
 * counters hold, and the rule-candidate pass.
 *
 * Four builds of ent_tok.c take part: the real one (SSE2 windows on x86),
 * ent_tok_swar.c (windows eight bytes at a time), ent_tok_bytes.c (a byte
 * at a time) and ent_tok_ref.c (no fast paths: every token through the
 * general code, the reference). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ent.h"
#include "ent_kb.h"

static int failures, checks;

#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); \
    fputc('\n', stderr); } } while (0)

typedef size_t (*trig_fn)(const ent_kb_t *, const char *, size_t, ent_tok_t *, size_t,
                          uint32_t *, size_t *);
typedef size_t (*cap_fn)(const ent_kb_t *, const char *, size_t, ent_tok_t *, size_t);

size_t ent_ref_tokenize_trig(const ent_kb_t *, const char *, size_t, ent_tok_t *, size_t,
                             uint32_t *, size_t *);
size_t ent_ref_tokenize_cap(const ent_kb_t *, const char *, size_t, ent_tok_t *, size_t);
size_t ent_swar_tokenize_trig(const ent_kb_t *, const char *, size_t, ent_tok_t *, size_t,
                              uint32_t *, size_t *);
size_t ent_swar_tokenize_cap(const ent_kb_t *, const char *, size_t, ent_tok_t *, size_t);
size_t ent_bytes_tokenize_trig(const ent_kb_t *, const char *, size_t, ent_tok_t *, size_t,
                               uint32_t *, size_t *);
size_t ent_bytes_tokenize_cap(const ent_kb_t *, const char *, size_t, ent_tok_t *, size_t);

static const struct {
    const char *name;
    trig_fn trig;
    cap_fn cap;
} variant[] = {
    {"sse2/best", ent_tokenize_trig, ent_tokenize_cap},
    {"swar", ent_swar_tokenize_trig, ent_swar_tokenize_cap},
    {"bytes", ent_bytes_tokenize_trig, ent_bytes_tokenize_cap},
};
#define NVARIANT (sizeof variant / sizeof variant[0])

static ent_kb_t *kb;

static ent_kb_t *load(void)
{
    const char *lex[] = {"entities/rules/*.tsv"};
    const char *gaz[] = {ENT_TEST_DATA "/gaz.tsv"};
    const char *rules[] = {"entities/rules/*.rules"};
    ent_kb_opts_t o = {.dir = WS_DATA_DIR, .lexicons = lex, .n_lexicons = 1,
                       .gazetteers = gaz, .n_gazetteers = 1, .rules = rules, .n_rules = 1};
    char err[256];
    ent_kb_t *k = ent_kb_load(&o, err, sizeof err);
    if (!k) fprintf(stderr, "kb load: %s\n", err);
    return k;
}

static size_t first_difference(const ent_tok_t *a, const ent_tok_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].start != b[i].start || a[i].end != b[i].end || a[i].hend != b[i].hend ||
            a[i].flags != b[i].flags || a[i].cls != b[i].cls || a[i].h != b[i].h)
            return i;
    return n;
}

/* Every variant, with a candidate list and without, gives the reference's
 * tokens and candidates for t[0, len) (a buffer of exactly len bytes, so a
 * read past the text is an ASan error).  Returns 1 when all agree. */
static int same_as_reference(const char *what, const char *src, size_t len)
{
    char *t = malloc(len ? len : 1);
    size_t room = len + 1;
    ent_tok_t *want = calloc(room, sizeof *want), *got = calloc(room, sizeof *got);
    uint32_t *wc = calloc(room, sizeof *wc), *gc = calloc(room, sizeof *gc);
    int ok = 1;
    if (!t || !want || !got || !wc || !gc) {
        CHECK(0, "out of memory");
        ok = 0;
        goto done;
    }
    memcpy(t, src, len);
    size_t nwc = 0, nw = ent_ref_tokenize_trig(kb, t, len, want, room, wc, &nwc);
    for (size_t v = 0; v < NVARIANT && ok; v++) {
        size_t ngc = 0;
        memset(got, 0, room * sizeof *got);
        size_t ng = variant[v].trig(kb, t, len, got, room, gc, &ngc);
        size_t at = ng == nw ? first_difference(want, got, nw) : 0;
        ok = ng == nw && at == nw && ngc == nwc && memcmp(wc, gc, nwc * sizeof *wc) == 0;
        CHECK(ok, "%s (%s, candidates): %zu/%zu tokens, %zu/%zu candidates, first difference "
              "at token %zu ('%.*s')", what, variant[v].name, ng, nw, ngc, nwc, at,
              at < nw ? (int)(want[at].end - want[at].start) : 0,
              at < nw ? t + want[at].start : "");
        if (!ok) break;
        memset(got, 0, room * sizeof *got);
        size_t nr = ent_ref_tokenize_cap(NULL, t, len, want, room);
        ng = variant[v].cap(NULL, t, len, got, room);
        at = ng == nr ? first_difference(want, got, nr) : 0;
        ok = ng == nr && at == nr;
        CHECK(ok, "%s (%s, no kb): %zu/%zu tokens, first difference at token %zu", what,
              variant[v].name, ng, nr, at);
        /* back to the reference with the kb for the next variant */
        nw = ent_ref_tokenize_trig(kb, t, len, want, room, wc, &nwc);
    }
done:
    free(t);
    free(want);
    free(got);
    free(wc);
    free(gc);
    return ok;
}

/* Words of every length from 1 to 20 bytes (lower case, capitalised,
 * capitals, digits, mixed) at every offset from a window's start, cut at
 * every length around the text's last WIN_READ bytes: the window masks, a
 * word running past a window, the loads of a word's bytes near the end. */
static void test_word_windows(void)
{
    static const char *const sep[] = {" ", "  ", ", ", ". ", "\n", "-", ": ", "'s ", " (",
                                      "\" ", "; "};
    char base[512];
    size_t bl = 0, w = 0;
    while (bl < 400) {
        size_t wl = 1 + (w * 7) % 20;
        for (size_t i = 0; i < wl; i++) {
            char c = (char)('a' + (w + i * 3) % 26);
            switch (w % 5) {
            case 1: if (i == 0) c = (char)(c - 32); break;              /* Capitalised */
            case 2: c = (char)(c - 32); break;                          /* CAPITALS */
            case 3: c = (char)('0' + (w + i) % 10); break;              /* 2025 */
            case 4: if (i == wl / 2) c = (char)('A' + i % 26); break;   /* mIxed */
            }
            base[bl++] = c;
        }
        const char *sp = sep[w % (sizeof sep / sizeof sep[0])];
        memcpy(base + bl, sp, strlen(sp));
        bl += strlen(sp);
        w++;
    }
    char buf[600];
    size_t bad = 0;
    for (size_t shift = 0; shift < 80 && !bad; shift++) {
        memset(buf, 'x', shift);      /* one long word first: every window offset */
        memcpy(buf + shift, base, bl);
        size_t n = shift + bl;
        for (size_t cut = n; cut > 0 && !bad; cut = cut > 100 ? cut - 37 : cut - 1) {
            char what[64];
            snprintf(what, sizeof what, "word windows (shift %zu, %zu bytes)", shift, cut);
            if (!same_as_reference(what, buf, cut)) bad++;
        }
    }
    CHECK(bad == 0, "the word loop differs from the general code at window edges");
}

/* The word loop's own possessive: the word, then 's (or 'S) as a POSS
 * token hashed as ent_hash_token does; anything else after the apostrophe
 * is left to the general code, which must agree. */
static void test_possessives(void)
{
    static const char *const tail[] = {"'s economy", "'S ECONOMY", "'s.", "'s,", "'s'",
                                       "'sx", "'s9", "'s\xC3\xA9", "'s\xE2\x80\x99", "'t",
                                       "' s", "'", "''s", "'s's", " 's", "'s"};
    const char *pad = "The finance ministers of several countries met in a hall on Monday and ";
    size_t bad = 0;
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++)
        for (int at_end = 0; at_end < 2; at_end++) {
            char buf[512];
            int n = snprintf(buf, sizeof buf, "%sBritain%s%s", pad, tail[i],
                             at_end ? "" : " and the other members of the group said so later");
            if (!same_as_reference("possessive", buf, (size_t)n)) bad++;
        }
    CHECK(bad == 0, "possessives differ from the general code");

    const char *t = "The finance ministers of several countries met in a hall on Monday and "
                    "Britain's economy grew, said BRITAIN'S chancellor and his deputy today.";
    ent_tok_t toks[64];
    uint32_t cand[64];
    size_t nc = 0, n = ent_tokenize_trig(kb, t, strlen(t), toks, 64, cand, &nc);
    int seen = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        const ent_tok_t *a = &toks[i], *b = &toks[i + 1];
        if (a->end - a->start != 7 || strncasecmp(t + a->start, "Britain", 7)) continue;
        seen++;
        CHECK((a->flags & TF_WORD) && (a->flags & TF_CAP) && a->end == b->start &&
              b->end - b->start == 2 && b->flags == TF_POSS &&
              b->h == ent_hash_token("'s", 2) && a->h == ent_hash_token("britain", 7),
              "'%.*s' + '%.*s': a capitalised word and a possessive", (int)(a->end - a->start),
              t + a->start, (int)(b->end - b->start), t + b->start);
    }
    CHECK(seen == 2, "both possessives found (%d)", seen);
}

/* Numbers with inner . , : (1.13, 464,000, 11:30, 2.5bn) are one token,
 * taken by the word loop when they start with a digit; their shape and
 * hash are the general code's, wherever they fall and however they end. */
static void test_numbers(void)
{
    static const char *const num[] = {
        "1.13", "464,000", "11:30", "2.5bn", "3.3%.", "1,000.5", "12,600'", "1.5's", "2.3bn;",
        "6709.93", "1.2.3.4", "9.", "1.a", "A1.5", "1.5\xC3\x89", "1.5&2", "0.7%,", "1.5.",
        "2,000,", "10:30:45", "1.5BN", "1.5Bn", "1.5b9", "1,a", "1.5-2.5", "1..5", "1.,5",
    };
    const char *pad = "The finance ministers of several countries met in a hall on Monday and ";
    size_t bad = 0;
    for (size_t i = 0; i < sizeof num / sizeof num[0]; i++)
        for (size_t lead = 0; lead < 72; lead += 5)
            for (int at_end = 0; at_end < 2; at_end++) {
                char buf[512];
                int n = snprintf(buf, sizeof buf, "%.*s %s%s", (int)lead, pad, num[i],
                                 at_end ? "" : " rose to record highs in the year to March, it said");
                if (!same_as_reference("number", buf, (size_t)n)) bad++;
            }
    CHECK(bad == 0, "numbers differ from the general code");

    const char *t = "Shares rose 2.5bn, or 3.3%, to 464,000 at 11:30 and 1.5BN later today, it said.";
    ent_tok_t toks[64];
    uint32_t cand[64];
    size_t nc = 0, n = ent_tokenize_trig(kb, t, strlen(t), toks, 64, cand, &nc);
    static const struct { const char *s; uint32_t fl; } want[] = {
        {"2.5bn", TF_WORD | TF_DIGIT}, {"3.3", TF_WORD | TF_DIGIT}, {"464,000", TF_WORD | TF_DIGIT},
        {"11:30", TF_WORD | TF_DIGIT}, {"1.5BN", TF_WORD | TF_DIGIT | TF_UPPER},
    };
    const uint32_t mask = TF_WORD | TF_CAP | TF_LOWER | TF_DIGIT | TF_UPPER | TF_MIXED | TF_HASDIGIT;
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        int found = 0;
        size_t l = strlen(want[w].s);
        for (size_t i = 0; i < n && n != SIZE_MAX; i++)
            if (toks[i].end - toks[i].start == l && !memcmp(t + toks[i].start, want[w].s, l)) {
                found = 1;
                CHECK((toks[i].flags & mask) == want[w].fl && toks[i].h == ent_hash_token(want[w].s, l),
                      "'%s': flags %#x, want %#x, and ent_hash_token's hash", want[w].s,
                      toks[i].flags & mask, want[w].fl);
            }
        CHECK(found, "'%s' is one token", want[w].s);
    }
}

/* "in the U.S. The talks": the capitalised common word after a non-title
 * abbreviation starts a sentence, wherever the abbreviation falls. */
static void test_after_abbreviation(void)
{
    size_t bad = 0;
    for (size_t lead = 0; lead < 70; lead++) {
        char buf[256];
        int n = snprintf(buf, sizeof buf, "%.*s said the talks in the U.S. The meeting ended and "
                         "Oct. Talks began with Mr. Smith in a.m. hours later on.", (int)lead,
                         "Ministers of several countries met in a large hall on Monday morning and");
        if (!same_as_reference("after an abbreviation", buf, (size_t)n)) bad++;
        ent_tok_t toks[64];
        uint32_t cand[64];
        size_t nc = 0, nt = ent_tokenize_trig(kb, buf, (size_t)n, toks, 64, cand, &nc);
        for (size_t i = 1; i < nt; i++)
            if (toks[i].end - toks[i].start == 3 && !memcmp(buf + toks[i].start, "The", 3))
                CHECK(toks[i].flags & TF_SENT, "'The' after 'U.S.' starts a sentence (lead %zu)",
                      lead);
    }
    CHECK(bad == 0, "words after abbreviations differ from the general code");
}

/* Room for fewer tokens than the text has: SIZE_MAX, and no token written
 * past the room (each array is exactly that big: ASan sees a write past
 * it); with room enough, the same tokens as with room for every byte. */
static void test_token_budget(void)
{
    const char *t = "Small ferry firm Harbour Lines has beaten Coastal Freight to the "
                    "12th regional Maritime Service Prize.\n\nThe ITV panel chose Harbour Lines "
                    "Night Crossing in the best short route category, and Kay & Rob's "
                    "Sunday Harbour Tour won the readers' choice vote.";
    size_t len = strlen(t);
    ent_tok_t *full = calloc(len + 1, sizeof *full);
    uint32_t *fc = calloc(len + 1, sizeof *fc);
    if (!full || !fc) { CHECK(0, "out of memory"); free(full); free(fc); return; }
    size_t nfc = 0, nt = ent_tokenize_trig(kb, t, len, full, len + 1, fc, &nfc);
    for (size_t cap = 0; cap <= nt + 2; cap++) {
        ent_tok_t *toks = malloc((cap ? cap : 1) * sizeof *toks);
        uint32_t *cand = malloc((cap ? cap : 1) * sizeof *cand);
        if (!toks || !cand) { CHECK(0, "out of memory"); free(toks); free(cand); break; }
        size_t nc = 0, n = ent_tokenize_trig(kb, t, len, toks, cap, cand, &nc);
        if (cap < nt)
            CHECK(n == SIZE_MAX, "room for %zu of %zu tokens: SIZE_MAX (got %zu)", cap, nt, n);
        else
            CHECK(n == nt && first_difference(full, toks, nt) == nt && nc == nfc &&
                  memcmp(fc, cand, nc * sizeof *cand) == 0,
                  "room for %zu of %zu tokens: the same tokens", cap, nt);
        n = ent_tokenize_cap(NULL, t, len, toks, cap);
        CHECK(cap < nt ? n == SIZE_MAX : n == nt, "no kb, room for %zu of %zu: %zu", cap, nt, n);
        free(toks);
        free(cand);
    }
    free(full);
    free(fc);
}

/* The headline test counts a line's words, capitals words and numbers in
 * 16-bit fields that move to wide counts as they fill: a line of 70,000
 * capitals words and 17,000 lower-case ones is a headline (17,000 * 4 <
 * 70,000), with 18,000 it is not (and its two-letter capitals make no
 * all-caps phrase); 70,000 numbers on top change neither.  A count that
 * wrapped at 65,536 would decide otherwise. */
static void test_long_line_counts(void)
{
    static const struct { size_t up, low, num; int head; } c[] = {
        {70000, 17000, 0, 1}, {70000, 18000, 0, 0}, {70000, 17000, 70000, 1},
        {70000, 18000, 70000, 0},
    };
    for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
        size_t words = c[k].up + c[k].low + c[k].num, len = words * 3 + 16;
        char *t = malloc(len);
        ent_tok_t *toks = malloc((len + 1) * sizeof *toks);
        uint32_t *cand = malloc((len + 1) * sizeof *cand);
        if (!t || !toks || !cand) { CHECK(0, "out of memory"); free(t); free(toks); free(cand); return; }
        size_t n = 0;
        for (size_t i = 0; i < words; i++) {
            const char *w = i < c[k].num ? "12" : i < c[k].num + c[k].low ? "ab" : "AB";
            memcpy(t + n, w, 2);
            t[n + 2] = ' ';
            n += 3;
        }
        memcpy(t + n, "\nnext line\n", 11);
        n += 11;
        for (size_t v = 0; v < NVARIANT + 1; v++) {
            size_t nc = 0;
            size_t nt = v < NVARIANT ? variant[v].trig(kb, t, n, toks, len + 1, cand, &nc)
                                     : ent_ref_tokenize_trig(kb, t, n, toks, len + 1, cand, &nc);
            size_t head = 0;
            for (size_t i = 0; i < nt && i < words; i++) head += (toks[i].flags & TF_HEAD) != 0;
            CHECK(nt == words + 2 && head == (c[k].head ? words : 0),
                  "%s: a line of %zu capitals, %zu lower-case and %zu numbers is %sa headline "
                  "(%zu tokens, %zu with TF_HEAD)", v < NVARIANT ? variant[v].name : "reference",
                  c[k].up, c[k].low, c[k].num, c[k].head ? "" : "not ", nt, head);
        }
        free(t);
        free(toks);
        free(cand);
    }
}

/* An all-caps phrase inside a normal line (two words in capitals or more
 * in a row, one of five letters or more) is headline text, whichever path
 * made its words (the general code takes DIGEST\xC3\x89); capitals words
 * apart are not, nor "I" and "A", nor a phrase of short words. */
static void test_caps_phrases(void)
{
    static const char *const line[] = {
        "The agency said that PRESS DIGEST items were late again, and I and A were fine.",
        "The agency said that the BBC and NATO were late again today, and I and A were fine.",
        "The agency said that PRESS DIGEST\xC3\x89 items were late, while NATO BBC agreed.",   /* 4 < 5 */
        "The agency said that NATO OTAN PRESS were late again today while X said nothing.",
    };
    static const char *const head[][4] = {
        {"PRESS", "DIGEST", NULL}, {NULL}, {"PRESS", "DIGEST\xC3\x89", NULL},
        {"NATO", "OTAN", "PRESS", NULL},
    };
    for (size_t k = 0; k < sizeof line / sizeof line[0]; k++) {
        char buf[512];
        /* a lead of every length: the phrase at every window offset */
        for (size_t lead = 0; lead < 64; lead += 7) {
            int n = snprintf(buf, sizeof buf, "%.*s%s\nMore text follows on the next line here.",
                             (int)lead, "Ministers of several countries met in a large hall today and ",
                             line[k]);
            same_as_reference("caps phrase", buf, (size_t)n);
            ent_tok_t toks[128];
            uint32_t cand[128];
            size_t nc = 0, nt = ent_tokenize_trig(kb, buf, (size_t)n, toks, 128, cand, &nc);
            for (size_t i = 0; i < nt && nt != SIZE_MAX; i++) {
                int want = 0;
                for (size_t h = 0; head[k][h]; h++)
                    want |= toks[i].end - toks[i].start == strlen(head[k][h]) &&
                            !memcmp(buf + toks[i].start, head[k][h], strlen(head[k][h]));
                CHECK(!!(toks[i].flags & TF_HEAD) == want, "line %zu lead %zu: '%.*s' %s headline "
                      "text", k, lead, (int)(toks[i].end - toks[i].start), buf + toks[i].start,
                      want ? "is" : "is not");
            }
        }
    }
}

/* The candidate list the rule pass walks: increasing token indexes, and
 * every token with rules of its own (a trigger word, or a shape that has
 * #digit, #cap or #upper rules) on it. */
static void test_candidates(void)
{
    const char *t = "On Monday, 12 March 2019, the Treasury Secretary said prices rose 30 percent "
                    "to $1.13bn in the U.S. and Britain's NATO allies at 11 a.m. this week, "
                    "while Foundation for Defense of Democracies and Acme Inc shares fell 76 km "
                    "away in Paris on Thursday; the first of April, 2025-10-30.";
    size_t len = strlen(t);
    ent_tok_t toks[256];
    uint32_t cand[256];
    size_t nc = 0, nt = ent_tokenize_trig(kb, t, len, toks, 256, cand, &nc);
    CHECK(nt != SIZE_MAX && nc <= nt, "tokens and candidates");
    for (size_t i = 1; i < nc; i++) CHECK(cand[i - 1] < cand[i], "candidates increase");
    size_t missing = 0, with_rules = 0;
    for (size_t i = 0; i < nt && nt != SIZE_MAX; i++) {
        size_t nr = 0;
        ent_kb_triggers(kb, toks[i].h, &nr);
        uint32_t f = toks[i].flags;
        int shape = (kb->n_digit && (f & TF_DIGIT)) || (kb->n_cap && (f & TF_CAP)) ||
                    (kb->n_upper && (f & TF_UPPER));
        if (!nr && !shape) continue;
        with_rules++;
        int found = 0;
        for (size_t j = 0; j < nc; j++) found |= cand[j] == i;
        if (!found && missing++ < 5)
            CHECK(0, "token %zu '%.*s' has rules but is no candidate", i,
                  (int)(toks[i].end - toks[i].start), t + toks[i].start);
    }
    CHECK(missing == 0 && with_rules > 10, "%zu of %zu tokens with rules missing", missing,
          with_rules);
}

/* Random text from a mix that favours what the fast paths take (words
 * of every case, single spaces, . , : ' & - and quotes, line breaks) with
 * any byte value among it (every value, so the window classification is
 * checked on all 256), against the reference; deterministic. */
static void test_random_text(void)
{
    static const char punct[] = ".,:'&-\"()!?;$%/";
    char buf[700];
    uint64_t r = 0x9E3779B97F4A7C15ull;
    size_t bad = 0;
    for (int n = 0; n < 400 && bad < 3; n++) {
        size_t len = 1 + (size_t)(n * 37) % 680;
        for (size_t i = 0; i < len; i++) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            unsigned x = (unsigned)(r >> 33), k = x % 100, v = (x >> 8) & 0xFF;
            char c;
            if (k < 40) c = (char)('a' + v % 26);
            else if (k < 50) c = (char)('A' + v % 26);
            else if (k < 58) c = (char)('0' + v % 10);
            else if (k < 75) c = ' ';
            else if (k < 87) c = punct[v % (sizeof punct - 1)];
            else if (k < 90) c = '\n';
            else if (k < 93) c = (char)(n % 2 ? v : 0x80 + v % 64);
            else c = (char)v;
            buf[i] = c;
        }
        if (!same_as_reference("random text", buf, len)) bad++;
    }
    CHECK(bad == 0, "%zu random texts differ from the reference", bad);
}

int main(void)
{
    kb = load();
    if (!kb) return 1;
    test_word_windows();
    test_possessives();
    test_numbers();
    test_after_abbreviation();
    test_token_budget();
    test_long_line_counts();
    test_caps_phrases();
    test_candidates();
    test_random_text();
    ent_kb_free(kb);
    printf("ent_tok: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
