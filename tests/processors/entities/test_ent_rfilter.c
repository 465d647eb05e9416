/* test_ent_rfilter.c -- the rule prefilter (ent_rfilter.c) never skips a
 * rule that matches.
 *
 * On hand-written patterns with the constructs the filter reads or refuses,
 * and on the shipped rules' trigger lists, every random or hostile subject
 * a rule matches (PCRE2 itself, the options the rules are compiled with)
 * must have that rule in the filter's answer.  The tagger's output with the
 * filters must equal its output without them (the combined patterns and
 * the rules one by one).  And the checker must catch a filter made wrong on
 * purpose, so it can fail. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ent.h"
#include "ent_kb.h"
#include "ent_rfilter.h"

static int failures, checks;

#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); \
    fputc('\n', stderr); } } while (0)

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)((rng >> 11) % n);
}

/* Pieces of subjects: numbers, separators, words the rules look for and
 * words they must not take, and bytes that test the UTF-8 handling (the
 * Kelvin sign and long s fold to k and s; a no-break space; fullwidth and
 * Arabic-Indic digits; broken sequences). */
static const char *const pieces[] = {
    "0", "1", "7", "12", "19", "20", "24", "31", "09", "300", "2019", "1999", "2031", "123456",
    "4,500", "3.5", "1,000,000", "12:30", "9:05", "1230", "0.25", "07/11/2024", "2024-03-09",
    " ", " ", " ", "  ", "\n", "\t", "\r\n", "\v", "-", ".", ",", ":", "/", "%", "$", "(", ")",
    "'", "\"", "!", "?", ";", "+", "&",
    "km", "miles", "mile", "kg", "tonnes", "feet", "MW", "mph", "km/h", "degrees", "Celsius",
    "\xc2\xb0" "C", "\xc2\xb0", "sq km", "square", "metres", "barrels", "bpd",
    "a.m.", "p.m.", "am", "pm", "PM", "GMT", "ET", "local time", "local",
    "years", "year", "year-old", "days", "day", "weeks", "months", "decades", "ago", "earlier",
    "later", "seconds", "minutes", "hours", "hour",
    "bn", "billion", "million", "m", "mn", "trillion", "thousand", "hundred", "k",
    "dollars", "pounds", "pounds sterling", "euros", "yen", "cents", "USD", "EUR", "GBP",
    "per cent", "percent", "per", "cent", "pct", "percentage points", "percentage",
    "st", "nd", "rd", "th", "s", "of", "the", "and", "for", "on", "a", "an", "few", "several",
    "one", "two", "twenty", "first", "second", "quarter", "half", "dozen", "hundreds",
    "January", "Jan", "Jan.", "Sept", "Sep", "Oct.", "May", "may", "DECEMBER", "december",
    "Monday", "MONDAY", "monday", "today", "Yesterday", "midnight", "noon", "tonight",
    "this", "last", "next", "past", "coming", "week", "weekend", "morning", "early", "mid", "late",
    "Mr", "Mr.", "Dr", "Sir", "Smith", "Olvey", "de", "van", "O'Neil", "O\xe2\x80\x99Neil",
    "Foundation", "Ministry", "Department", "House", "Defense", "Democracies", "Trade",
    "US", "HK", "\xc2\xa3", "\xe2\x82\xac", "\xc2\xa5",
    "\xe2\x84\xaa", "\xc5\xbf", "\xc2\xa0", "\xef\xbc\x91", "\xd9\xa3", "Z\xc3\xbcrich",
    "\xc3\x9cnal", "\xff", "\xc3", "\xe2\x80", "\x80", "K", "S", "k", "x", "Q", "_", "\x01",
    "aaaaaaaaaaaaaaaaaab", "abababababababababababababababababababab", "c", "b", "a",
};
#define NPIECES (sizeof pieces / sizeof pieces[0])

/* A random subject into buf (cap bytes at least 256); returns its length. */
static size_t subject(char *buf, size_t cap)
{
    size_t n = 0, k = 1 + rnd(8);
    for (size_t i = 0; i < k; i++) {
        const char *p = pieces[rnd(NPIECES)];
        size_t l = strlen(p);
        if (n + l + 1 >= cap) break;
        memcpy(buf + n, p, l);
        n += l;
        if (rnd(3) == 0 && n + 1 < cap) buf[n++] = ' ';
    }
    if (rnd(8) == 0 && n) buf[rnd((uint32_t)n)] = (char)rnd(256);     /* one byte anywhere */
    return n;
}

/* As the rules are compiled (ent_kb.c).  JIT too: the filters serve only
 * lists whose rules all have JIT code, since PCRE2's interpreter may start
 * an anchored match after invalid UTF-8 at the start offset. */
static pcre2_code *compile(const char *pat)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ANCHORED, &ec, &eo, NULL);
    if (re && pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) != 0) {
        pcre2_code_free(re);
        return NULL;
    }
    return re;
}

/* Does re match at byte off of s[0..n)? */
static int matches(const pcre2_code *re, const char *s, size_t n, size_t off, pcre2_match_data *md)
{
    return pcre2_match(re, (PCRE2_SPTR)s, n, off, 0, md, NULL) >= 0;
}

/* ---------------------------------------------------------------- hand-written patterns */

/* Patterns the filter reads, one construct each (and some together). */
static const char *const judged[] = {
    "\\d+%", "\\d+(?:st|nd|rd|th)\\b", "(?i)k\\d", "(?i)s", "(?i:abc)d", "(a(?i)b|c)d",
    "[^a]b", "\\p{Lu}x", "\\P{L}y", ".x", "a(?=b)", "a(?!b)c", "(?<=x)a", "(?<!y)a",
    "a{2,3}b", "a{0}b", "a{17,19}b", "(?:ab){20}c", "(?:ab){2,}c", "\\x41\\x{42}", "[\\x41-\\x43]+z",
    "\\s\\d", "a|", "^a$", "\\Aa\\z", "[\\d,]+\\.\\d", "[- ]x", "['\xe2\x80\x99-]s", "\xc2\xa3\\d",
    "[$\xc2\xa3\xe2\x82\xac]\\s?\\d", "\\d\\D", "\\w\\W", "\\S\\S", "\\bx\\B", "[\\b]", "[]a]",
    "[^]a]b", "(?>\\d+)\\d", "\\d++\\d", "\\d+?x", "(?<e>\\p{Lu}\\p{L}*)", "(?'n'a)b", "(?P<n>a)b",
    "(?|a|b)c", "(?-i)a(?i)b", "(?^)a", "(?m)^a$", "(?s).b", "(?n)(a)b", "x\\t\\n\\r\\f\\e\\a",
    "\\.\\$\\(\\)\\[\\]\\{\\}\\|\\*\\+\\?\\\\", "a]b}c", "\\d{3}-\\d{4}",
    "(?:(?:early|mid|late)-?\\s*)?(?:January|Jan\\.)(?:\\s+[0-3]?\\d)?",
};

/* Patterns the filter must leave to PCRE2 (always called). */
static const char *const refused[] = {
    "(\\w)\\1", "(?:[a-z]+\\s?)+\\d", "a(?#c)b", "(?x) a b", "\\Qa.b\\E", "a(?C1)b", "(*UCP)\\w",
    "(a)(?1)", "(?(1)a|b)", "a\\Kb", "\\x{263A}", "(?i)\\x{17F}", "(?i)[\xc3\xa9]", "(?i)\xc3\xa9",
    "x{,3}", "a{", "\\hx", "\\R", "\\X", "\\N", "[[:alpha:]]", "(a)\\g1", "(?<n>a)\\k<n>", "\\ca",
    "\\o{101}", "\\101",
};

static void test_hand_patterns(void)
{
    pcre2_match_data *md = pcre2_match_data_create(32, NULL);
    char buf[512];
    /* refused: each alone gives no filter or one with its bit always set */
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        const char *src[2] = {refused[i], "\\d+x"};
        ent_rfilter_t f;
        int rc = ent_rfilter_build(&f, src, 2);
        CHECK(rc == 0 && (f.always & 1) && !(f.always & 2), "refused pattern %s is always called",
              refused[i]);
        if (rc == 0) ent_rfilter_free(&f);
    }
    /* a sequence too long to walk recursively, and a pattern too long to
     * read: left to PCRE2, and nothing crashes */
    {
        static char longp[6000];
        for (int len = 0; len < 2; len++) {
            size_t n = len ? 5000 : 600;
            memset(longp, 'a', n);
            longp[n] = '\0';
            const char *src[2] = {longp, "\\d+x"};
            ent_rfilter_t f;
            int rc = ent_rfilter_build(&f, src, 2);
            CHECK(rc == 0 && (f.always & 1) && !(f.always & 2), "a %zu-byte pattern is always called", n);
            if (rc == 0) ent_rfilter_free(&f);
        }
    }
    /* judged: none is always called, and each is filtered alone and all together */
    size_t nj = sizeof judged / sizeof judged[0];
    pcre2_code *re[sizeof judged / sizeof judged[0]];
    ent_rfilter_t one[sizeof judged / sizeof judged[0]], all;
    for (size_t i = 0; i < nj; i++) {
        re[i] = compile(judged[i]);
        CHECK(re[i] != NULL, "pattern %s compiles (with JIT)", judged[i]);
        int rc = ent_rfilter_build(&one[i], &judged[i], 1);
        CHECK(rc == 0 && one[i].always == 0, "pattern %s is judged", judged[i]);
        if (rc) memset(&one[i], 0, sizeof one[i]);
    }
    size_t nall = nj < ENT_RFILTER_MAX_RULES ? nj : ENT_RFILTER_MAX_RULES;
    CHECK(ent_rfilter_build(&all, judged, nall) == 0, "the first %zu patterns together", nall);
    size_t hits = 0, skipped = 0;
    for (int round = 0; round < 60000; round++) {
        /* some context before the start, for the lookbehinds */
        size_t off = rnd(3) ? 0 : subject(buf, 16);
        size_t n = off + subject(buf + off, sizeof buf - off);
        for (size_t i = 0; i < nj; i++) {
            if (!re[i] || !one[i].next) continue;
            int m = matches(re[i], buf, n, off, md);
            uint32_t w = ent_rfilter_run(&one[i], (const unsigned char *)buf + off, n - off);
            hits += m;
            skipped += !w;
            CHECK(!m || (w & 1), "pattern %s matches '%.*s' but the filter skips it", judged[i],
                  (int)(n - off), buf + off);
            if (i < nall && all.next) {
                uint32_t wa = ent_rfilter_run(&all, (const unsigned char *)buf + off, n - off);
                CHECK(!m || ((wa >> i) & 1), "pattern %s (in a list) matches '%.*s' but is skipped",
                      judged[i], (int)(n - off), buf + off);
            }
        }
        if (failures > 20) break;
    }
    CHECK(hits > 1000 && skipped > 100000, "the subjects both match and are filtered (%zu, %zu)",
          hits, skipped);
    /* patterns that would make a huge automaton build in bounded time, and
     * stay exact (a superset, or no filter at all) */
    {
        const char *big[] = {
            "(?:(?:[a-z]{16}){16}){16}x", "(?:a|b|c|d|e|f|g|h)(?:a|b|c|d|e|f|g|h){16}(?:\\d{16}){16}",
            "(?:[a-z]\\d?){0,16}(?:[a-m]\\s?){0,16}(?:[n-z]-?){0,16}y",
            "(?:x[a-z]{0,16}|y[a-z]{0,15}|z[a-z]{0,14}|w[a-z]{0,13}){1,16}!",
        };
        pcre2_code *bre[4];
        ent_rfilter_t f;
        int ok = ent_rfilter_build(&f, big, 4) == 0;
        for (int i = 0; i < 4; i++) bre[i] = compile(big[i]);
        for (int round = 0; ok && round < 2000; round++) {
            size_t n = 0;
            while (n < 200) buf[n++] = "abcxyzw1 -!"[rnd(11)];
            uint32_t w = ent_rfilter_run(&f, (const unsigned char *)buf, n);
            for (int i = 0; i < 4; i++)
                CHECK(!bre[i] || !matches(bre[i], buf, n, 0, md) || ((w >> i) & 1),
                      "big pattern %d matches but is skipped", i);
        }
        if (ok) ent_rfilter_free(&f);
        for (int i = 0; i < 4; i++) pcre2_code_free(bre[i]);
    }
    /* the filter does filter: a subject no rule can start */
    {
        const char *src[] = {"\\d+%", "\\d+\\s+km\\b"};
        ent_rfilter_t f;
        CHECK(ent_rfilter_build(&f, src, 2) == 0, "two numeric rules build");
        CHECK(ent_rfilter_run(&f, (const unsigned char *)"12 people", 9) == 0, "12 people: none");
        CHECK(ent_rfilter_run(&f, (const unsigned char *)"12%", 3) == 1, "12%%: the first");
        CHECK(ent_rfilter_run(&f, (const unsigned char *)"12  km", 6) == 2, "12  km: the second");
        ent_rfilter_free(&f);
    }
    for (size_t i = 0; i < nj; i++) {
        pcre2_code_free(re[i]);
        ent_rfilter_free(&one[i]);
    }
    ent_rfilter_free(&all);
    pcre2_match_data_free(md);
}

/* Random patterns from pieces of PCRE2 syntax: whatever compiles must be
 * refused or filtered exactly, and nothing may crash the parser. */
static const char *const syntax[] = {
    "a", "b", "c", "k", "s", "1", "2", " ", "-", ".", "\\d", "\\D", "\\s", "\\S", "\\w", "\\W",
    "\\b", "\\B", "[a-c]", "[^a]", "[\\d,]", "[- ]", "[]a]", "\\p{L}", "\\p{Lu}", "\\P{N}",
    "\xc3\xa9", "\xe2\x80\x99", "\xe2\x84\xaa", "(?:", "(?>", "(?=", "(?!", "(?<=", "(?<!",
    "(?<e>", "(", ")", ")", ")", "|", "?", "*", "+", "??", "*+", "{2}", "{1,3}", "{0,}", "{17,20}",
    "(?i)", "(?-i)", "(?i:", "^", "$", "\\.", "\\x41", "\\t", "\\n", "[\\s\\d]", "{", "}",
    "\\1", "(?1)", "(*UCP)", "\\Q", "\\E", "(?#", "[[:digit:]]", "\\K", "\\z", "\\A",
};

static void test_random_patterns(void)
{
    pcre2_match_data *md = pcre2_match_data_create(32, NULL);
    char pat[256], buf[64];
    static const char alpha[] = "abcks12 -.,AKS\xc3\xa9\xe2\x84\xaa\xc5\xbf\n";
    size_t compiled = 0, judged_n = 0;
    for (int round = 0; round < 4000; round++) {
        size_t n = 0, k = 1 + rnd(10);
        for (size_t i = 0; i < k; i++) {
            const char *p = syntax[rnd(sizeof syntax / sizeof syntax[0])];
            size_t l = strlen(p);
            if (n + l + 1 >= sizeof pat) break;
            memcpy(pat + n, p, l);
            n += l;
        }
        pat[n] = '\0';
        const char *src = pat;
        ent_rfilter_t f;
        int built = ent_rfilter_build(&f, &src, 1) == 0;
        pcre2_code *re = compile(pat);
        if (!re) {
            if (built) ent_rfilter_free(&f);
            continue;
        }
        compiled++;
        if (built && !f.always) {
            judged_n++;
            for (int t = 0; t < 200; t++) {
                size_t m = rnd(12);
                for (size_t i = 0; i < m; i++) buf[i] = alpha[rnd(sizeof alpha - 1)];
                int hit = matches(re, buf, m, 0, md);
                CHECK(!hit || (ent_rfilter_run(&f, (const unsigned char *)buf, m) & 1),
                      "random pattern /%s/ matches '%.*s' but the filter skips it", pat, (int)m, buf);
            }
        }
        if (built) ent_rfilter_free(&f);
        pcre2_code_free(re);
        if (failures > 20) break;
    }
    printf("random patterns: %zu compiled, %zu judged\n", compiled, judged_n);
    CHECK(compiled > 500 && judged_n > 300, "random patterns compiled and judged (%zu, %zu)",
          compiled, judged_n);
    pcre2_match_data_free(md);
}

/* ---------------------------------------------------------------- shipped rules */

static ent_kb_t *load(void)
{
    const char *lex[] = {"entities/rules/*.tsv"};
    const char *rules[] = {"entities/rules/*.rules"};
    ent_kb_opts_t o = {.dir = WS_DATA_DIR, .lexicons = lex, .n_lexicons = 1,
                       .rules = rules, .n_rules = 1};
    char err[256];
    ent_kb_t *k = ent_kb_load(&o, err, sizeof err);
    if (!k) fprintf(stderr, "kb load: %s\n", err);
    return k;
}

/* Count the (subject, rule) pairs where a rule of a filtered trigger list
 * matches but the filter's answer, after spoil (NULL: as it is), lacks it. */
static size_t misses(const ent_kb_t *k, int rounds, uint32_t (*spoil)(uint32_t), size_t *hits,
                     uint8_t *covered)
{
    pcre2_match_data *md = pcre2_match_data_create(64, NULL);
    char buf[512];
    size_t bad = 0;
    *hits = 0;
    uint64_t saved = rng;
    for (int round = 0; round < rounds; round++) {
        /* a trigger-like start now and then: numbers and words come from pieces */
        size_t off = rnd(4) ? 0 : subject(buf, 16);
        size_t n = off + subject(buf + off, sizeof buf - off);
        for (size_t i = 0; i < k->trig_pairs_n; i++) {
            int32_t fi = k->pair_filter[i];
            if (fi < 0) continue;
            uint32_t w = ent_rfilter_run(&k->filters[fi], (const unsigned char *)buf + off, n - off);
            if (spoil) w = spoil(w);
            for (size_t r = 0; i + r < k->trig_pairs_n && k->trig_pairs[i + r].h == k->trig_pairs[i].h; r++) {
                if (!matches(k->rules[k->trig_pairs[i + r].rule].re, buf, n, off, md)) continue;
                ++*hits;
                if (covered) covered[k->trig_pairs[i + r].rule] = 1;
                if (!((w >> r) & 1)) {
                    if (!spoil && bad < 5)
                        fprintf(stderr, "rule %s matches '%.*s' but the filter skips it\n",
                                k->rules[k->trig_pairs[i + r].rule].where, (int)(n - off), buf + off);
                    bad++;
                }
            }
        }
    }
    rng = saved;
    pcre2_match_data_free(md);
    return bad;
}

/* A filter made wrong: it drops the last rule that may match. */
static uint32_t drop_last(uint32_t w)
{
    return w ? w & ~(1u << (31 - __builtin_clz(w))) : w;
}

static void test_shipped_lists(ent_kb_t *k)
{
    size_t states = 0, bytes = 0, maxcls = 0;
    for (size_t i = 0; i < k->filters_n; i++) {
        const ent_rfilter_t *f = &k->filters[i];
        states += f->nstates;
        bytes += ent_rfilter_bytes(f);
        if (f->ncls > maxcls) maxcls = f->ncls;
        /* rows only for the undecided states, numbered first: a walk
         * that goes on stays in them, one that ends names a real state */
        size_t rowlen = f->rowbytes / sizeof *f->next;
        int rows_ok = f->nlive <= f->nstates && rowlen >= f->ncls &&
                      f->rowbytes % ENT_RFILTER_UNIT == 0 &&
                      f->fin == f->nlive * f->rowbytes / ENT_RFILTER_UNIT &&
                      f->fin + (f->nstates - f->nlive) <= 65536 &&
                      ent_rfilter_state(f, f->start) < (ent_rfilter_done(f, f->start) ? f->nstates : f->nlive);
        for (size_t e = 0; rows_ok && e < (size_t)f->nlive * rowlen; e++) {
            uint32_t y = f->next[e];
            if (e % rowlen >= f->ncls) continue;        /* padding */
            rows_ok = ent_rfilter_done(f, y) ? ent_rfilter_state(f, y) < f->nstates
                                             : y * ENT_RFILTER_UNIT % f->rowbytes == 0 &&
                                                   ent_rfilter_state(f, y) < f->nlive;
        }
        CHECK(rows_ok, "filter %zu: undecided states first, every transition in range", i);
        if (getenv("ENT_RFILTER_STATS"))
            printf("filter %zu: %u states, %u undecided, %u classes\n", i, f->nstates, f->nlive,
                   f->ncls);
    }
    printf("shipped filters: %zu, %zu states, %zu table bytes, at most %zu classes\n",
           k->filters_n, states, bytes, maxcls);
    size_t lists = 0, filtered = 0;
    for (size_t i = 0; i < k->trig_pairs_n; i++) {
        if (i && k->trig_pairs[i].h == k->trig_pairs[i - 1].h) continue;
        lists++;
        filtered += k->pair_filter[i] >= 0;
    }
    CHECK(lists > 0 && filtered == lists, "every shipped trigger list has a filter (%zu of %zu)",
          filtered, lists);
    int rounds = getenv("ENT_RFILTER_ROUNDS") ? atoi(getenv("ENT_RFILTER_ROUNDS")) : 20000;
    size_t hits, spoiled_hits;
    uint8_t *covered = calloc(k->rules_n, 1);
    size_t bad = misses(k, rounds, NULL, &hits, covered);
    size_t ncov = 0;
    for (size_t r = 0; covered && r < k->rules_n; r++) ncov += covered[r];
    printf("shipped rules: %zu matches, %zu of %zu rules matched at least once\n", hits, ncov,
           k->rules_n);
    CHECK(ncov * 4 >= k->rules_n * 3, "three rules in four match some subject (%zu of %zu)", ncov,
          k->rules_n);
    free(covered);
    CHECK(bad == 0, "no shipped rule is skipped where it matches (%zu skipped of %zu)", bad, hits);
    CHECK(hits > 1000, "the random subjects match shipped rules (%zu)", hits);
    /* the same subjects against a filter that is wrong: the check sees it */
    size_t spoiled = misses(k, rounds, drop_last, &spoiled_hits, NULL);
    CHECK(spoiled > 0 && spoiled_hits == hits, "a wrong filter is caught (%zu misses)", spoiled);
}

/* The walk as a plain table of state numbers, decoded from the encoded
 * one: the reference the fast walk must agree with. */
static uint32_t slow_walk(const ent_rfilter_t *f, const unsigned char *s, size_t n)
{
    uint32_t st = f->start;
    for (size_t i = 0; i < n && !ent_rfilter_done(f, st); i++) {
        uint32_t id = ent_rfilter_state(f, st);
        st = f->next[(size_t)id * (f->rowbytes / sizeof *f->next) + f->cls[s[i]]];
    }
    return st;
}

/* The walks the tagger makes (ent_rules.c: split at its window) give the
 * same state and answer as the plain walk, on the shipped filters and on
 * filters with many classes (wide rows, fewer rows allowed). */
static size_t walks_differ(const ent_rfilter_t *f, int rounds)
{
    char a[512];
    size_t bad = 0;
    for (int round = 0; round < rounds; round++) {
        size_t na = subject(a, sizeof a);
        if (rnd(4) == 0)        /* long ones too, for the split */
            while (na + 40 < sizeof a) na += subject(a + na, sizeof a - na);
        const unsigned char *sa = (const unsigned char *)a;
        uint32_t ref = slow_walk(f, sa, na);
        uint32_t one = ent_rfilter_walk(f, f->start, sa, na);
        size_t cut = rnd((uint32_t)na + 1);
        uint32_t split = ent_rfilter_walk(f, ent_rfilter_walk(f, f->start, sa, cut), sa + cut, na - cut);
        if (one != ref || split != ref || ent_rfilter_mask(f, one) != ent_rfilter_mask(f, ref)) {
            if (bad++ < 5) fprintf(stderr, "walks differ on '%.*s'\n", (int)na, a);
        }
    }
    return bad;
}

static void test_walks(const ent_kb_t *k)
{
    size_t bad = 0;
    for (size_t i = 0; i < k->filters_n; i++) bad += walks_differ(&k->filters[i], 2000);
    CHECK(k->filters_n && bad == 0, "the walks agree with the plain one (%zu differ)", bad);
    /* many bytes in classes of their own, and long literals: wide rows,
     * more of them than such rows may have */
    static char pat[ENT_RFILTER_MAX_RULES][900];
    const char *src[ENT_RFILTER_MAX_RULES];
    for (int r = 0; r < ENT_RFILTER_MAX_RULES; r++) {
        size_t n = 0;
        for (int c = 0; c < 8; c++) n += (size_t)snprintf(pat[r] + n, 8, "\\x%02x", (r * 8 + c) & 0x7f);
        for (int c = 0; c < 120; c++) pat[r][n++] = "abcdefghijklmnopqrstuvwxyz0123456789 .,"[(r * 7 + c * 3) % 39];
        pat[r][n] = '\0';
        src[r] = pat[r];
    }
    ent_rfilter_t f;
    int rc = ent_rfilter_build(&f, src, ENT_RFILTER_MAX_RULES);
    CHECK(rc == 0, "a filter with wide rows builds");
    if (rc == 0) {
        printf("wide filter: %u classes, %u states, %u undecided\n", f.ncls, f.nstates, f.nlive);
        CHECK(walks_differ(&f, 2000) == 0, "its walks agree with the plain one");
        ent_rfilter_free(&f);
    }
}

/* Tagging with the filters equals tagging without them. */
static void test_same_mentions(ent_kb_t *k)
{
    int32_t *saved = k->pair_filter;
    int32_t *none = malloc(k->trig_pairs_n * sizeof *none);
    if (!none) return;
    for (size_t i = 0; i < k->trig_pairs_n; i++) none[i] = -1;
    ent_scratch_t a = {0}, b = {0};
    char err[256], doc[4096];
    size_t docs = 0, ments = 0;
    for (int d = 0; d < 3000; d++) {
        size_t n = 0;
        while (n + 300 < sizeof doc) n += subject(doc + n, sizeof doc - n);
        int ra = ent_tag(k, doc, n, &a, err, sizeof err);
        k->pair_filter = none;
        int rb = ent_tag(k, doc, n, &b, err, sizeof err);
        k->pair_filter = saved;
        CHECK(ra == rb, "same result code (%d, %d)", ra, rb);
        if (ra || rb) continue;
        docs++;
        ments += a.ments_n;
        int same = a.ments_n == b.ments_n;
        for (size_t m = 0; same && m < a.ments_n; m++) {
            const ent_mention_t *x = &a.ments[m], *y = &b.ments[m];
            same = x->start == y->start && x->end == y->end && x->type == y->type &&
                   x->source == y->source && x->entry == y->entry && x->canon_len == y->canon_len &&
                   memcmp(x->canon, y->canon, x->canon_len) == 0;
        }
        CHECK(same, "document %d: the same mentions with and without the filters", d);
        if (failures > 20) break;
    }
    CHECK(docs > 2900 && ments > docs, "documents tagged (%zu, %zu mentions)", docs, ments);
    ent_scratch_free(&a);
    ent_scratch_free(&b);
    free(none);
}

int main(void)
{
    test_hand_patterns();
    test_random_patterns();
    ent_kb_t *k = load();
    CHECK(k != NULL, "the shipped rules load");
    if (k) {
        test_shipped_lists(k);
        test_walks(k);
        test_same_mentions(k);
        ent_kb_free(k);
    }
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
