/* test_entities.c -- unit tests of the entities processor: the tokenizer,
 * the tagger (titles, possessives, abbreviations, coreference, acronyms,
 * numeric rules, overlaps), the regex limit, and the processor through the
 * record API.  Shipped rules and word lists; a small invented gazetteer
 * (data/gaz.tsv), so the results don't move when the shipped lists grow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wirestream_processor.h"
#include "ws_record_host.h"
#include "ws_article.h"
#include "ws_value.h"
#include "ent.h"
#include "ent_kb.h"

static int failures, checks;

#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); \
    fputc('\n', stderr); } } while (0)

static ent_kb_t *kb;
static ent_scratch_t sc;

static ent_kb_t *load(const char *extra_rules, uint32_t match_limit)
{
    const char *lex[] = {"entities/rules/*.tsv"};
    const char *gaz[] = {ENT_TEST_DATA "/gaz.tsv"};
    const char *rules[] = {"entities/rules/*.rules", extra_rules};
    ent_kb_opts_t o = {.dir = WS_DATA_DIR, .lexicons = lex, .n_lexicons = 1,
                       .gazetteers = gaz, .n_gazetteers = 1,
                       .rules = rules, .n_rules = extra_rules ? 2 : 1,
                       .match_limit = match_limit};
    char err[256];
    ent_kb_t *k = ent_kb_load(&o, err, sizeof err);
    if (!k) fprintf(stderr, "kb load: %s\n", err);
    return k;
}

static const char *text;

static void tag(const char *t)
{
    char err[256];
    text = t;
    int rc = ent_tag(kb, t, strlen(t), &sc, err, sizeof err);
    CHECK(rc == 0, "ent_tag failed: %s", err);
}

/* The mention whose text is s (the n-th such, from 0), or NULL. */
static const ent_mention_t *find(const char *s, int n)
{
    for (size_t i = 0; i < sc.ments_n; i++) {
        const ent_mention_t *m = &sc.ments[i];
        if (m->end - m->start == strlen(s) && memcmp(text + m->start, s, strlen(s)) == 0 && n-- == 0)
            return m;
    }
    return NULL;
}

static int canon_is(const ent_mention_t *m, const char *c)
{
    return m && m->canon_len == strlen(c) && memcmp(m->canon, c, m->canon_len) == 0;
}

static void expect(const char *s, int type, const char *canon)
{
    const ent_mention_t *m = find(s, 0);
    CHECK(m != NULL, "no mention '%s' in: %s", s, text);
    if (!m) return;
    CHECK(m->type == type, "'%s' is %s, want %s", s, ent_type_name(m->type), ent_type_name(type));
    if (canon)
        CHECK(canon_is(m, canon), "'%s' canonical is '%.*s', want '%s'", s, (int)m->canon_len,
              m->canon, canon);
}

static void expect_none(const char *s)
{
    CHECK(find(s, 0) == NULL, "unexpected mention '%s' in: %s", s, text);
}

static void no_overlaps(void)
{
    for (size_t i = 1; i < sc.ments_n; i++)
        CHECK(sc.ments[i - 1].end <= sc.ments[i].start, "mentions %zu and %zu overlap", i - 1, i);
}

/* ---------------------------------------------------------------- tokenizer */

static void test_tokenizer(void)
{
    const char *t = "The U.S. envoy met Trump\xE2\x80\x99s aide at 11 a.m. on Oct. 9. Asia-Pacific talks' end.";
    ent_tok_t toks[128];
    size_t n = ent_tokenize(kb, t, strlen(t), toks);
    char buf[64];
    const char *want[] = {"The", "U.S.", "envoy", "met", "Trump", "\xE2\x80\x99s", "aide", "at",
                          "11", "a.m.", "on", "Oct.", "9", ".", "Asia", "-", "Pacific", "talks",
                          "'", "end", "."};
    size_t nw = sizeof want / sizeof want[0];
    CHECK(n == nw, "token count %zu, want %zu", n, nw);
    for (size_t i = 0; i < n && i < nw; i++) {
        snprintf(buf, sizeof buf, "%.*s", (int)(toks[i].end - toks[i].start), t + toks[i].start);
        CHECK(strcmp(buf, want[i]) == 0, "token %zu is '%s', want '%s'", i, buf, want[i]);
    }
    if (n == nw) {
        CHECK(toks[5].flags & TF_POSS, "curly 's is a possessive");
        CHECK(toks[18].flags & TF_POSS, "plural ' is a possessive");
        CHECK(toks[1].flags & TF_ABBR, "U.S. is an abbreviation");
        CHECK(toks[14].flags & TF_SENT, "Asia starts a sentence");
        CHECK(!(toks[12].flags & TF_SENT), "9 after Oct. does not start a sentence");
        CHECK(toks[15].flags & TF_HYPH, "hyphen token");
    }
    const char *h = "FREEDONIA WINS AGAIN\nThe team won.";
    n = ent_tokenize(kb, h, strlen(h), toks);
    CHECK(n == 7 && (toks[0].flags & TF_HEAD) && !(toks[3].flags & TF_HEAD),
          "headline line flagged, next line not");
    /* invalid UTF-8 and control bytes never break it */
    const char bad[] = "\xff\xfe Caf\xc3 \xe2\x82 X\x01Y";
    n = ent_tokenize(kb, bad, sizeof bad - 1, toks);
    CHECK(n > 0 && toks[n - 1].end <= sizeof bad - 1, "invalid UTF-8 tokenized within bounds");
}

/* ---------------------------------------------------------------- tagger */

static void test_titles_and_possessives(void)
{
    tag("Freedonian President Anna Kowalczyk met Trade Minister Marten Olvey on Monday. "
        "Kowalczyk's plan was praised; Olvey\xE2\x80\x99s was not.");
    expect("Freedonian", ET_NORP, "Freedonian");
    expect("Anna Kowalczyk", ET_PERSON, "Anna Kowalczyk");
    expect_none("President Anna Kowalczyk");
    expect("Marten Olvey", ET_PERSON, "Marten Olvey");
    expect_none("Trade Minister");
    expect_none("Trade Minister Marten Olvey");
    expect("Kowalczyk", ET_PERSON, "Anna Kowalczyk");
    expect_none("Kowalczyk's");
    expect("Olvey", ET_PERSON, "Marten Olvey");
    expect("Monday", ET_DATE, NULL);
    no_overlaps();
}

static void test_coreference_short_forms(void)
{
    tag("Talks were led by Premier Zhao Wenliang. Zhao said the deal was close.\n"
        "Later, Zhao left Portvale.");
    expect("Zhao Wenliang", ET_PERSON, "Zhao Wenliang");
    const ent_mention_t *z1 = find("Zhao", 0), *z2 = find("Zhao", 1);
    CHECK(z1 && z1->type == ET_PERSON && canon_is(z1, "Zhao Wenliang"), "first-name-first short form");
    CHECK(z2 && canon_is(z2, "Zhao Wenliang"), "second short form");
    expect("Portvale", ET_GPE, "Portvale");
}

/* Particles inside surnames: lower-case ones join the name around them,
 * a capitalised one starts a surname, and a short form with its particles
 * joins the full name in any case.  The surname may itself be a place. */
static void test_name_particles(void)
{
    tag("Prices rose, said Femke van der Linden, an economist. Van der Linden added that "
        "Tomas de la Vega agreed. Later van der Linden met Mr. van den Hoek in Portvale.");
    expect("Femke van der Linden", ET_PERSON, "Femke van der Linden");
    expect("Van der Linden", ET_PERSON, "Femke van der Linden");
    expect("van der Linden", ET_PERSON, "Femke van der Linden");
    expect("Tomas de la Vega", ET_PERSON, NULL);
    expect("van den Hoek", ET_PERSON, NULL);
    expect("Portvale", ET_GPE, NULL);
    expect_none("Linden");
    expect_none("Femke");
    no_overlaps();
    tag("Police stopped a van near Portvale. The coach, Pieter Quast, said the team was ready.");
    expect("Portvale", ET_GPE, NULL);
    expect("Pieter Quast", ET_PERSON, NULL);
    no_overlaps();
}

/* A place's name and one more ordinary word, or words ending in an
 * organisation's head: a club or a firm named after the place.  Not a
 * title, a hyphenated team (Under-21) or a date after the place. */
static void test_place_led_organisations(void)
{
    tag("Shares in Portvale Axle rose as Rivertown Rugby signed a wing from the Freedonia Under-21 "
        "squad. Lakeside Mayor Ann Blyth agreed. Traffic in Portvale Tuesday was light.");
    expect("Portvale Axle", ET_ORG, NULL);
    expect("Rivertown Rugby", ET_ORG, NULL);
    expect("Freedonia", ET_GPE, NULL);
    expect_none("Freedonia Under");
    expect("Lakeside", ET_GPE, NULL);
    expect("Ann Blyth", ET_PERSON, NULL);
    expect("Portvale", ET_GPE, NULL);
    expect_none("Rivertown");
    expect_none("Lakeside Mayor");
    expect_none("Portvale Tuesday");
    no_overlaps();
}

static void test_acronyms_and_gazetteer_canonicals(void)
{
    tag("The Federal Widget Commission (FWC) fined Quillfeather Inc on Tuesday. "
        "The FWC said the US and the U.S. agreed, and America welcomed it.");
    expect("Federal Widget Commission", ET_ORG, NULL);
    expect("FWC", ET_ORG, "Federal Widget Commission");
    const ent_mention_t *f2 = find("FWC", 1);
    CHECK(f2 && canon_is(f2, "Federal Widget Commission"), "second acronym joins too");
    expect("Quillfeather Inc", ET_ORG, NULL);
    expect("US", ET_GPE, "United States");
    expect("U.S.", ET_GPE, "United States");
    expect("America", ET_GPE, "United States");
    no_overlaps();
}

static void test_org_patterns_and_apposition(void)
{
    tag("\"It will pass,\" said Dorin Vasquell, senior fellow at the Foundation for Open "
        "Standards in Portvale. Jessamy Trell, a former ministry official who now runs "
        "Corvane Lattice, a risk advisory firm, disagreed.");
    expect("Foundation for Open Standards", ET_ORG, NULL);
    expect("Dorin Vasquell", ET_PERSON, NULL);
    expect("Jessamy Trell", ET_PERSON, NULL);
    expect("Corvane Lattice", ET_ORG, NULL);
    expect("Portvale", ET_GPE, NULL);
    expect_none("It");
    no_overlaps();
}

static void test_numeric_rules(void)
{
    tag("Profits rose 30% to $1.13bn (\xC2\xA3" "600m) on 2025-10-30, up 30 percent since Oct. 9. "
        "The ship sailed 76 km at 11 a.m. on Thursday; three crews came second in April.");
    expect("30%", ET_PERCENT, NULL);
    expect("$1.13bn", ET_MONEY, NULL);
    expect("\xC2\xA3" "600m", ET_MONEY, NULL);
    expect("2025-10-30", ET_DATE, NULL);
    expect("30 percent", ET_PERCENT, NULL);
    expect("Oct. 9", ET_DATE, NULL);
    expect("76 km", ET_QUANTITY, NULL);
    expect("11 a.m.", ET_TIME, NULL);
    expect("Thursday", ET_DATE, NULL);
    expect("three", ET_CARDINAL, NULL);
    expect("second", ET_ORDINAL, NULL);
    expect("April", ET_DATE, NULL);
    expect_none("Profits");
    expect_none("The");
    no_overlaps();
}

/* The lookaheads that only speed the numeric rules up, (?=[set])(?:a|b|...),
 * must name the first character of every word of their list, or a word
 * added to a list later would silently never match.  Checked on the
 * shipped files; then numbers in the contexts the atomic groups and the
 * lookaheads touch (two spaces, a trailing comma, a multiplier) still match. */
static void check_guards(const char *path)
{
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "cannot open %s", path);
    if (!f) return;
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        for (const char *g = strstr(line, "(?=["); g; g = strstr(g + 1, "(?=[")) {
            const char *set = g + 4, *se = strchr(set, ']');
            if (!se || strncmp(se, "])(?:", 5) != 0) continue;   /* not a first-character guard */
            /* the top-level words of the (?:...) that follows */
            const char *p = se + 5;
            int depth = 0, start = 1;
            for (; *p && !(depth == 0 && *p == ')'); p++) {
                if (start) {
                    size_t cl = ((unsigned char)*p >= 0xC0) ? 2 : 1;     /* °: two bytes */
                    int found = 0;
                    for (const char *q = set; q + cl <= se; q++)
                        if (memcmp(q, p, cl) == 0) { found = 1; break; }
                    CHECK(*p != '(' && *p != '\\' && found,
                          "%s: guard [%.*s] misses the word at '%.12s'", path, (int)(se - set), set, p);
                    start = 0;
                }
                if (*p == '\\' && p[1]) { p++; continue; }
                if (*p == '[') { while (*p && *p != ']') p++; continue; }
                if (*p == '(') depth++;
                else if (*p == ')') depth--;
                else if (*p == '|' && depth == 0) start = 1;
            }
        }
    }
    fclose(f);
}

static void test_rule_guards(void)
{
    check_guards(WS_DATA_DIR "/entities/rules/numeric.rules");
    check_guards(WS_DATA_DIR "/entities/rules/names.rules");
    tag("It cost 5  dollars. They sold 2,000, people said. A 1.5bn pounds deal and 2 million "
        "euros. Winds of 20 km/h, 40 sq km and 6 kWh. Sales rose 7 per cent. At 7 pm GMT, about "
        "30 days ago, the 12 USD fee, 4-year-old twins, 10 minutes. Ten years ago, on 5 March "
        "2004, the Ministry of Foreign Affairs spoke.");
    expect("5  dollars", ET_MONEY, NULL);
    expect("2,000", ET_CARDINAL, NULL);
    expect("1.5bn pounds", ET_MONEY, NULL);
    expect("2 million euros", ET_MONEY, NULL);
    expect("20 km", ET_QUANTITY, NULL);
    expect("40 sq km", ET_QUANTITY, NULL);
    expect("6 kWh", ET_QUANTITY, NULL);
    expect("7 per cent", ET_PERCENT, NULL);
    expect("7 pm GMT", ET_TIME, NULL);
    expect("30 days ago", ET_DATE, NULL);
    expect("12 USD", ET_MONEY, NULL);
    expect("4-year-old", ET_DATE, NULL);
    expect("10 minutes", ET_TIME, NULL);
    expect("Ten years ago", ET_DATE, NULL);
    expect("5 March 2004", ET_DATE, NULL);
    expect("Ministry of Foreign Affairs", ET_ORG, NULL);
    no_overlaps();
}

/* British spellings are ordinary words too (the word lists' British block):
 * at a sentence start they are no names. */
static void test_british_spellings(void)
{
    tag("Organisers said the race would go ahead. Rumours of a delay spread. "
        "Defence lawyers for Anna Kowalczyk disagreed.");
    expect_none("Organisers");
    expect_none("Rumours");
    expect_none("Defence");
    expect("Anna Kowalczyk", ET_PERSON, NULL);
    no_overlaps();
}

/* A lone unknown word with a capital inside: a brand or a firm when the
 * capital follows a lower-case first letter or four letters or more, a
 * person's name when it comes sooner (Mc-, Di-). */
static void test_brand_words(void)
{
    tag("The zPhone sold well, QuillWorks said. McAllister agreed, and so did DiMarco.");
    expect("zPhone", ET_ORG, NULL);
    expect("QuillWorks", ET_ORG, NULL);
    expect("McAllister", ET_PERSON, NULL);
    expect("DiMarco", ET_PERSON, NULL);
    no_overlaps();
}

static void test_sentence_starts_and_headlines(void)
{
    tag("FREEDONIA SAYS WIDGET TALKS WITH PORTVALE WENT WELL\n"
        "Calling Anna Kowalczyk a partner, officials in Freedonia smiled. However, nothing changed.");
    expect("FREEDONIA", ET_GPE, "Freedonia");
    expect("PORTVALE", ET_GPE, "Portvale");
    expect_none("SAYS");
    expect_none("WIDGET");
    expect_none("Calling");
    expect_none("Calling Anna Kowalczyk");
    expect("Anna Kowalczyk", ET_PERSON, NULL);
    expect_none("However");
    no_overlaps();

    tag("Poll: Wealthy Voters Abandon Freedonia for Anna Kowalczyk.\nThe poll was small.");
    expect("Freedonia", ET_GPE, NULL);
    expect("Anna Kowalczyk", ET_PERSON, NULL);
    expect_none("Wealthy Voters Abandon Freedonia");
    expect_none("Wealthy Voters Abandon");
    expect_none("Poll");
}

static void test_document_rules(void)
{
    tag("Camilla Parker Bowles visited Lakeside Castle. Parker Bowles said Freeport's "
        "offer was fair, and Freeport said so too. She flew to Freeport.\n"
        "Rivertown 3 Lakeside 1\n");
    expect("Camilla Parker Bowles", ET_PERSON, "Camilla Parker Bowles");
    expect("Parker Bowles", ET_PERSON, "Camilla Parker Bowles");
    expect("Lakeside Castle", ET_FAC, NULL);
    const ent_mention_t *f1 = find("Freeport", 0), *f2 = find("Freeport", 1), *f3 = find("Freeport", 2);
    CHECK(f1 && f1->type == ET_GPE && canon_is(f1, "Freedonia"), "capital + possessive = its country");
    CHECK(f2 && canon_is(f2, "Freedonia"), "capital + speech verb = its country");
    CHECK(f3 && canon_is(f3, "Freeport"), "capital as a place keeps its name");
    expect("Rivertown", ET_ORG, NULL);          /* a city before a score is a team */
    const ent_mention_t *l2 = find("Lakeside", 0);
    CHECK(l2 && l2->type == ET_ORG, "second team too");
    no_overlaps();
}

static void test_events_laws_facilities(void)
{
    tag("Freedonian riders won the Freedonian Grand Prix after the Widget Safety Act passed. "
        "Fans met at Portvale Airport. \"I'm happy,\" one said; TV crews filmed.");
    expect("Freedonian Grand Prix", ET_EVENT, NULL);
    expect("Widget Safety Act", ET_LAW, NULL);
    expect("Portvale Airport", ET_FAC, NULL);
    expect_none("I'm");
    expect_none("TV");
    no_overlaps();
}

static void test_context_words(void)
{
    tag("Portvale-based Quennic and the carmaker Zorvak met Global Widget Union Minister Anna "
        "Kowalczyk on Friday. Friday Olvey said the city of Plimtown agreed.");
    expect("Portvale", ET_GPE, NULL);
    expect("Quennic", ET_ORG, NULL);
    expect("Zorvak", ET_ORG, NULL);
    expect("Global Widget Union", ET_ORG, NULL);      /* an organisation before a title */
    expect("Anna Kowalczyk", ET_PERSON, NULL);
    expect("Friday", ET_DATE, NULL);
    expect("Plimtown", ET_GPE, NULL);
    expect_none("Friday Olvey");
    no_overlaps();
}

/* Wire datelines: an all-caps place at the start of a line, followed by a
 * comma and a known place, or by (Agency) and a dash, is a GPE with a
 * title-cased canonical name. */
static void test_datelines(void)
{
    tag("DRUMMOCK, Freedonia, March 3 (Demo Wire) - Flood barriers went up overnight.");
    expect("DRUMMOCK", ET_GPE, "Drummock");
    expect("Freedonia", ET_GPE, "Freedonia");
    no_overlaps();
    tag("Second edition.\nBALLYKERRIN HEIGHTS (Demo Wire) -- The council met on Monday.");
    expect("BALLYKERRIN HEIGHTS", ET_GPE, "Ballykerrin Heights");
    tag("MCGILLAN-ON-TWEE (Demo Wire) \xe2\x80\x94 Rain fell.");
    expect("MCGILLAN-ON-TWEE", ET_GPE, "Mcgillan-On-Twee");
    tag("\xc3\x89STRAVEL, Freedonia (Demo Wire) - Rain fell.");
    expect("\xc3\x89STRAVEL", ET_GPE, "\xc3\x89stravel");
    /* a known place keeps its gazetteer canonical */
    tag("US, Freedonia sign a pact (Demo Wire) - talks went on.");
    expect("US", ET_GPE, "United States");
    /* not a dateline: an all-caps headline listing names, a run with no
     * place or credit after it */
    tag("GRUMBOLD, FREEDONIA AGREE TO TALK");
    const ent_mention_t *m = find("GRUMBOLD", 0);
    CHECK(!m || m->type != ET_GPE, "headline list word is not a dateline place");
    tag("ZORVEX, a maker of widgets, said profits rose.");
    m = find("ZORVEX", 0);
    CHECK(!m || m->type != ET_GPE, "all-caps name before an apposition is not a dateline");
}

/* A lower-case geographic noun before a name makes it a natural place
 * (LOC), not a person: not even a given name or a speech verb outweighs it. */
static void test_geo_nouns(void)
{
    tag("Barges moved slowly up the river Tamsel while hikers crossed mount Oberlin.");
    expect("Tamsel", ET_LOC, NULL);
    expect("Oberlin", ET_LOC, NULL);
    tag("Fishermen on lake Anna said the ice was thin.");
    expect("Anna", ET_LOC, NULL);
    tag("Storms closed the lake Portvale ferry and the island Freedonia airport.");
    expect("Portvale", ET_LOC, "Portvale");
    expect("Freedonia", ET_GPE, "Freedonia");     /* a country stays a GPE */
    /* capitalised: the whole name is a mention; no geographic noun, no LOC */
    tag("Walkers met Tamsel Oberlin, who said the path was closed.");
    expect("Tamsel Oberlin", ET_PERSON, NULL);
}

/* Function words and suffixes come from the word lists, not from C: the
 * shipped roles, and a role a user list adds. */
static void test_function_words_from_data(void)
{
    CHECK(ent_cls_fw(ent_kb_classes(kb, ent_hash_token("based", 5))) == FW_BASED, "based: FW_BASED");
    CHECK(ent_cls_fw(ent_kb_classes(kb, ent_hash_token("The", 3))) == FW_ARTICLE, "The: FW_ARTICLE");
    CHECK(ent_cls_fw(ent_kb_classes(kb, ent_hash_token("which", 5))) == FW_RELATIVE, "which: FW_RELATIVE");
    CHECK(ent_kb_classes(kb, ent_hash_token("ese", 3)) & CL_NORP_SUFFIX, "ese: NORP_SUFFIX");
    tag("Shares of the Portvale-based Zentrix rose.");
    expect("Zentrix", ET_ORG, NULL);
    tag("Protesters waved Ruritanian flags.");
    expect("Ruritanian", ET_NORP, NULL);
    tag("Shares of the Portvale-centred Zentrix rose.");
    const ent_mention_t *m = find("Zentrix", 0);
    CHECK(!m || m->type != ET_ORG, "no role for 'centred' in the shipped lists");

    const char *lex[] = {"entities/rules/*.tsv", ENT_TEST_DATA "/function_extra.tsv"};
    const char *gaz[] = {ENT_TEST_DATA "/gaz.tsv"};
    const char *rules[] = {"entities/rules/*.rules"};
    ent_kb_opts_t o = {.dir = WS_DATA_DIR, .lexicons = lex, .n_lexicons = 2,
                       .gazetteers = gaz, .n_gazetteers = 1, .rules = rules, .n_rules = 1};
    char err[256];
    ent_kb_t *k2 = ent_kb_load(&o, err, sizeof err);
    CHECK(k2 != NULL, "kb with a user word list: %s", err);
    if (!k2) return;
    ent_kb_t *saved = kb;
    kb = k2;
    tag("Shares of the Portvale-centred Zentrix rose.");
    expect("Zentrix", ET_ORG, NULL);
    kb = saved;
    ent_kb_free(k2);
}

static void test_regex_limit(void)
{
    ent_kb_t *slow = load(ENT_TEST_DATA "/slow.rules", 2000);
    CHECK(slow != NULL, "kb with slow rule loads");
    if (!slow) return;
    const char *t = "Aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq";
    char err[256] = "";
    ent_scratch_t s2 = {0};
    int rc = ent_tag(slow, t, strlen(t), &s2, err, sizeof err);
    CHECK(rc == -2, "catastrophic rule stops with -2, got %d", rc);
    CHECK(strncmp(err, "regex_limit:", 12) == 0, "reason starts with regex_limit: (%s)", err);
    ent_scratch_free(&s2);
    ent_kb_free(slow);
}

/* Rules that share a trigger run as one combined pattern; each still gives
 * its own match: the longest wins, a tie goes to the earlier line, and the
 * entity group is the winner's.  A limit in the combined pattern falls back
 * to the rules one by one, so the slow rule is still the one reported. */
static void test_shared_trigger_rules(void)
{
    ent_kb_t *k = load(ENT_TEST_DATA "/shared-trigger.rules", 0);
    CHECK(k != NULL, "kb with shared-trigger rules loads");
    if (!k) return;
    CHECK(k->combos_n >= 1, "the zork rules are combined");
    ent_kb_t *saved = kb;
    kb = k;
    tag("Yesterday zork Smith said so.");
    expect("Smith", ET_PERSON, NULL);          /* PERSON ties with LAW, comes first */
    tag("Then zork Acme Widgets Inc said so.");
    expect("Widgets", ET_ORG, NULL);           /* the longest match, its group e */
    expect_none("Acme");
    tag("Only zork 42 people came.");
    expect("zork 42", ET_CARDINAL, NULL);
    kb = saved;
    ent_kb_free(k);

    ent_kb_t *slow = load(ENT_TEST_DATA "/shared-trigger-slow.rules", 2000);
    CHECK(slow != NULL, "kb with a slow shared-trigger rule loads");
    if (!slow) return;
    const char *t = "zork aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn";
    char err[256] = "";
    ent_scratch_t s2 = {0};
    int rc = ent_tag(slow, t, strlen(t), &s2, err, sizeof err);
    CHECK(rc == -2, "catastrophic rule in a list stops with -2, got %d", rc);
    CHECK(strstr(err, "shared-trigger-slow.rules:4") != NULL, "the slow rule is named (%s)", err);
    ent_scratch_free(&s2);
    ent_kb_free(slow);
}

/* The tokenizer's list of rule candidates: the same tokens as without it,
 * and every token that can trigger a rule is on the list, in order. */
static void test_trigger_candidates(void)
{
    const char *t = "On Monday, 12 Freedonian firms paid $4.5bn, a 30% rise on last year: "
                    "the Ministry of Trade said Mr. Olvey, 54, and 3 others left in 2019.";
    size_t len = strlen(t);
    ent_tok_t a[256], b[256];
    uint32_t cand[256];
    size_t nc = 0;
    size_t na = ent_tokenize(kb, t, len, a);
    size_t nb = ent_tokenize_trig(kb, t, len, b, 256, cand, &nc);
    CHECK(na == nb, "same token count with candidates (%zu, %zu)", na, nb);
    for (size_t i = 0; i < na && i < nb; i++)
        CHECK(a[i].start == b[i].start && a[i].end == b[i].end && a[i].flags == b[i].flags &&
              a[i].h == b[i].h, "token %zu the same with candidates", i);
    size_t k = 0, digits = 0;
    for (size_t i = 0; i < nb; i++) {
        size_t n = 0;
        ent_kb_triggers(kb, b[i].h, &n);
        int need = n > 0 || ((b[i].flags & TF_DIGIT) && kb->n_digit) ||
                   ((b[i].flags & TF_CAP) && kb->n_cap) || ((b[i].flags & TF_UPPER) && kb->n_upper);
        digits += (b[i].flags & TF_DIGIT) != 0;
        while (k < nc && cand[k] < i) k++;
        CHECK(!need || (k < nc && cand[k] == i), "token %zu ('%.*s') is a candidate", i,
              (int)(b[i].end - b[i].start), t + b[i].start);
    }
    for (size_t j = 1; j < nc; j++) CHECK(cand[j - 1] < cand[j], "candidates in order");
    /* every word's hash (from the 16-byte scan and the one-load hash) is the
     * hash of its text, for words of 1 to 40 letters, any case, at any
     * distance from the end of the buffer */
    char w[2048];
    size_t wl = 0;
    for (int l = 1; l <= 40; l++) {
        for (int k = 0; k < l; k++)
            w[wl++] = (char)((k % 3 == 0 ? 'A' : 'a') + (l * 7 + k) % 26);
        w[wl++] = l % 5 == 0 ? ',' : ' ';
    }
    w[wl] = '\0';
    size_t nw = ent_tokenize_trig(kb, w, wl, b, 256, cand, &nc), words = 0;
    for (size_t i = 0; i < nw && nw != SIZE_MAX; i++)
        if (b[i].flags & TF_WORD) {
            words++;
            CHECK(b[i].end - b[i].start == words, "word %zu has %zu letters", words,
                  (size_t)(b[i].end - b[i].start));
        }
    CHECK(words == 40, "40 words of 1 to 40 letters, got %zu", words);
    for (size_t cut = wl; cut + 45 > wl && cut > 0; cut--) {
        size_t n = ent_tokenize_trig(kb, w, cut, b, 256, cand, &nc);
        for (size_t i = 0; i < n && n != SIZE_MAX; i++)
            CHECK(b[i].h == ent_hash_token(w + b[i].start, b[i].hend - b[i].start),
                  "hash of token %zu ('%.*s', buffer cut at %zu)", i,
                  (int)(b[i].end - b[i].start), w + b[i].start, cut);
    }
    CHECK(digits >= 5 && nc >= digits, "the numbers are candidates (%zu of %zu)", nc, digits);
    /* rules still find what they found */
    tag(t);
    expect("Monday", ET_DATE, NULL);
    expect("$4.5bn", ET_MONEY, NULL);
    expect("30%", ET_PERCENT, NULL);
    expect("last year", ET_DATE, NULL);
    expect("2019", ET_DATE, NULL);
}

/* The shape flags of plain ASCII words (from the 16-byte scan, its
 * lower-case shortcut, and the byte loop near the buffer's end) are those
 * the definitions in ent.h give, byte by byte: words of 1 to 40 bytes with
 * one capital or digit at every position, in every case pattern. */
static uint32_t shape_ref(const char *w, size_t n)
{
    uint32_t f = TF_WORD;
    int up = 0, low = 0, later_up = 0, later_dig = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = w[i];
        int u = ch >= 'A' && ch <= 'Z', l = ch >= 'a' && ch <= 'z', d = ch >= '0' && ch <= '9';
        if (i == 0) f |= u ? TF_CAP : l ? TF_LOWER : d ? TF_DIGIT : 0;
        else { later_up |= u; later_dig |= d; }
        up += u;
        low += l;
    }
    if (up && !low) f |= TF_UPPER;
    if (later_up && low) f |= TF_MIXED;
    if (later_dig && (up || low)) f |= TF_HASDIGIT;
    return f;
}

static void test_word_shapes(void)
{
    const uint32_t mask = TF_WORD | TF_CAP | TF_LOWER | TF_DIGIT | TF_UPPER | TF_MIXED | TF_HASDIGIT;
    static char buf[1 << 16];
    static ent_tok_t toks[1 << 14];
    static uint32_t cand[1 << 14];
    size_t bl = 0, nwords = 0;
    const char *kinds = "aAdU";   /* base letters: lower, capitalised, digit-led, upper */
    for (size_t len = 1; len <= 40; len++)
        for (const char *k = kinds; *k; k++)
            for (size_t at = 0; at <= len; at++)          /* at == len: no odd byte */
                for (int odd = 0; odd < 2; odd++) {       /* the odd byte: a capital or a digit */
                    if (bl + len + 2 >= sizeof buf) break;
                    for (size_t i = 0; i < len; i++) {
                        char ch = (char)('a' + (i * 7 + len) % 26);
                        if (*k == 'U' || (*k == 'A' && i == 0)) ch = (char)(ch - 32);
                        if (*k == 'd' && i == 0) ch = '7';
                        if (i == at) ch = odd ? (char)('0' + i % 10) : (char)('A' + i % 26);
                        buf[bl++] = ch;
                    }
                    buf[bl++] = (nwords % 3) ? ' ' : ';';
                    nwords++;
                }
    buf[bl] = '\0';
    /* whole buffer, then cut short so the last words take the byte loop */
    for (size_t cut = bl; cut + 200 > bl; cut -= 37) {
        size_t nc = 0;
        size_t n = ent_tokenize_trig(kb, buf, cut, toks, sizeof toks / sizeof toks[0], cand, &nc);
        CHECK(n != SIZE_MAX, "tokens fit");
        size_t bad = 0;
        for (size_t i = 0; i < n && n != SIZE_MAX; i++) {
            if (!(toks[i].flags & TF_WORD)) continue;
            uint32_t want = shape_ref(buf + toks[i].start, toks[i].end - toks[i].start);
            if ((toks[i].flags & mask) != want && bad++ < 5)
                CHECK(0, "word '%.*s' has flags %#x, want %#x", (int)(toks[i].end - toks[i].start),
                      buf + toks[i].start, toks[i].flags & mask, want);
        }
        CHECK(bad == 0, "%zu words with wrong shape flags (cut %zu)", bad, cut);
    }
}

/* The tokenizer's fast paths (16-byte word scan, hash from the scanned
 * bytes, sentence flag carried in the pending flags, ASCII punctuation)
 * against the same tokenizer built without them (ent_tok_ref.c), where
 * every token takes the general code: on random texts of hostile pieces
 * (abbreviations, numbers, apostrophes, dashes, quotes, Latin-1, Greek,
 * Cyrillic, CJK, emoji, stray and truncated UTF-8 bytes, NUL, all-caps
 * runs, words longer than 16 bytes), each in a buffer of exactly its
 * length, every token field and the rule-candidate list must be equal. */
size_t ent_ref_tokenize_cap(const ent_kb_t *kb, const char *text, size_t len, ent_tok_t *toks,
                            size_t cap);
size_t ent_ref_tokenize_trig(const ent_kb_t *kb, const char *text, size_t len, ent_tok_t *toks,
                             size_t cap, uint32_t *cand, size_t *ncand);

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33) % n;
}

static int same_tokens(const ent_tok_t *a, const ent_tok_t *b, size_t n, size_t *at)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].start != b[i].start || a[i].end != b[i].end || a[i].hend != b[i].hend ||
            a[i].flags != b[i].flags || a[i].cls != b[i].cls || a[i].h != b[i].h) {
            *at = i;
            return 0;
        }
    return 1;
}

static void test_tokenizer_fast_paths(void)
{
    static const char *const piece[] = {
        "the", "The", "THE", "said", "U.S.", "U.S.A.", "Oct.", "Inc.", "a.m.", "p.m", "Mr.", "J.",
        "F.", "St.", "Gen.", "vs.", "e.g.", "No.", "US", "NATO", "IT", "McCain", "eBay", "P2qpm3",
        "G7", "3D", "1,000.5", "11:30", "2025-10-30", "464,000,", "1.", "9.", "$1.13bn", "30%",
        "O'Brien", "don't", "Trump's", "TRUMP'S", "countries'", "James'", "AT&T", "a&b", "A&b",
        "Asia-Pacific", "\"", "\"Hello", "'", "''", "'s", "\xE2\x80\x99s", "\xE2\x80\x9C",
        "\xE2\x80\x9D", "\xE2\x80\x94", "\xE2\x80\x93", "(", ")", "[", "{", ",", ".", ":", ";",
        "!", "?", "...", "-", "&", "#", "@", "\xC2\xA0", "\xE2\x80\xA8", "\xC2\x85", "\xC3\xA9",
        "\xC3\x89lys\xC3\xA9" "e", "Stra\xC3\x9F" "e", "\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0",
        "\xCE\x91\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1", "\xE5\x8C\x97\xE4\xBA\xAC",
        "\xF0\x9F\x98\x80", "\xFF", "\xC3", "\x80", "\xE2\x80", "\xF0\x9F\x98", "\xED\xA0\x80",
        "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRST0123", "Supercalifragilistic",
        "international", "Internationalisation", "x", "A", "7", "Ltd", "Corp.", "PRESS DIGEST",
        "WEALTHY VOTERS ABANDON", "In", "Paris", "Friday", "President",
    };
    static const char *const sep[] = {"", " ", " ", " ", " ", "  ", "\n", "\t", "\r\n", "\n\n"};
    const size_t npiece = sizeof piece / sizeof piece[0], nsep = sizeof sep / sizeof sep[0];
    static ent_tok_t ta[2048], tb[2048];
    static uint32_t ca[2048], cb[2048];
    char buf[1024];
    size_t bad = 0;
    for (int iter = 0; iter < 20000 && bad < 3; iter++) {
        size_t bl = 0, want = 1 + rnd(600);
        while (bl < want) {
            const char *pc;
            char one[2] = {0, 0};
            if (rnd(12) == 0) {            /* any byte at all, NUL included */
                one[0] = (char)rnd(256);
                pc = one;
            } else {
                pc = piece[rnd((uint32_t)npiece)];
            }
            size_t pl = pc == one ? 1 : strlen(pc);
            const char *sp = sep[rnd((uint32_t)nsep)];
            size_t sl = strlen(sp);
            if (bl + pl + sl > sizeof buf) break;
            memcpy(buf + bl, pc, pl);
            bl += pl;
            memcpy(buf + bl, sp, sl);
            bl += sl;
        }
        /* the text alone in a buffer of its length: a read past it is an
         * ASan error, not a silent match */
        char *t = malloc(bl ? bl : 1);
        if (!t) { CHECK(0, "out of memory"); return; }
        memcpy(t, buf, bl);
        for (int with_kb = 0; with_kb < 2; with_kb++) {
            size_t nca = 0, ncb = 0, na, nb, at = 0;
            memset(ta, 0, sizeof ta);
            memset(tb, 0, sizeof tb);
            if (with_kb) {
                na = ent_tokenize_trig(kb, t, bl, ta, 2048, ca, &nca);
                nb = ent_ref_tokenize_trig(kb, t, bl, tb, 2048, cb, &ncb);
            } else {
                na = ent_tokenize_cap(NULL, t, bl, ta, 2048);
                nb = ent_ref_tokenize_cap(NULL, t, bl, tb, 2048);
            }
            int ok = na == nb && na != SIZE_MAX && same_tokens(ta, tb, na, &at) && nca == ncb &&
                     memcmp(ca, cb, nca * sizeof *ca) == 0;
            if (!ok && bad++ < 3)
                CHECK(0, "fast and general tokenizer differ (kb %d, %zu/%zu tokens, %zu/%zu "
                      "candidates, first difference at token %zu) on: %.*s", with_kb, na, nb,
                      nca, ncb, at, (int)bl, t);
            /* a token's hash is ent_hash_token of its hashed bytes
             * (coreference reuses it for one-token mentions) */
            for (size_t i = 0; ok && i < na; i++)
                if (ta[i].h != ent_hash_token(t + ta[i].start, ta[i].hend - ta[i].start)) {
                    CHECK(0, "token %zu '%.*s' hash is not ent_hash_token's", i,
                          (int)(ta[i].end - ta[i].start), t + ta[i].start);
                    break;
                }
            /* too little room: both give up */
            if (with_kb && na > 1 && na != SIZE_MAX) {
                size_t cap = na - 1;
                CHECK(ent_tokenize_trig(kb, t, bl, ta, cap, ca, &nca) == SIZE_MAX &&
                      ent_ref_tokenize_trig(kb, t, bl, tb, cap, cb, &ncb) == SIZE_MAX,
                      "a token short of room: both report it");
            }
        }
        free(t);
    }
    CHECK(bad == 0, "%zu texts tokenized differently by the fast paths", bad);
}

/* A rule match far into a long body of short words (the rule window is
 * found by galloping and halving over the token starts). */
static void test_rule_window(void)
{
    static char body[8192];
    size_t bl = 0;
    bl += (size_t)snprintf(body + bl, sizeof body - bl, "In 2018, ");
    for (int i = 0; i < 600; i++) bl += (size_t)snprintf(body + bl, sizeof body - bl, "%c ", 'a' + i % 26);
    snprintf(body + bl, sizeof body - bl, "x on 12 March 2019 and 40%% of 7 x.");
    tag(body);
    expect("2018", ET_DATE, NULL);
    expect("12 March 2019", ET_DATE, NULL);
    expect("40%", ET_PERCENT, NULL);
    no_overlaps();
}

/* A rule is not called where its first byte cannot start a match: the
 * capitalised trigger matches (one rule alone, and a combined list), the
 * lower-case one gives exactly what the rules' absence gives. */
static void test_first_byte_filter(void)
{
    ent_kb_t *k = load(ENT_TEST_DATA "/first-byte.rules", 0);
    CHECK(k != NULL, "kb with first-byte rules loads");
    if (!k) return;
    ent_kb_t *saved = kb;
    kb = k;
    tag("We met Quorvex Dalenmark yesterday.");
    expect("Dalenmark", ET_ORG, NULL);
    tag("We met Blintor Harrowgate Ltd yesterday.");
    expect("Harrowgate", ET_ORG, NULL);
    tag("We met Blintor Harrowgate yesterday.");
    expect("Harrowgate", ET_PERSON, NULL);
    const char *low = "the quorvex Dalenmark and the blintor Harrowgate Ltd met.";
    tag(low);
    size_t n1 = sc.ments_n;
    ent_mention_t m1[64];
    memcpy(m1, sc.ments, (n1 < 64 ? n1 : 64) * sizeof *m1);
    kb = saved;
    tag(low);
    CHECK(sc.ments_n == n1, "lower-case triggers: %zu mentions, %zu without the rules", n1,
          sc.ments_n);
    for (size_t i = 0; i < n1 && i < sc.ments_n && i < 64; i++)
        CHECK(m1[i].start == sc.ments[i].start && m1[i].end == sc.ments[i].end &&
              m1[i].type == sc.ments[i].type, "mention %zu as without the rules", i);
    ent_kb_free(k);
}

static void test_bad_config(void)
{
    const char *rules[] = {ENT_TEST_DATA "/does-not-exist.rules"};
    ent_kb_opts_t o = {.dir = WS_DATA_DIR, .rules = rules, .n_rules = 1};
    char err[256] = "";
    ent_kb_t *k = ent_kb_load(&o, err, sizeof err);
    CHECK(k == NULL && strstr(err, "does-not-exist.rules"), "missing rule file named: %s", err);
    ent_kb_free(k);
}

/* Random bytes and pathological inputs: never crash, spans stay in bounds. */
static void test_robustness(void)
{
    unsigned seed = 12345;
    char buf[2048];
    for (int round = 0; round < 300; round++) {
        size_t n = (size_t)(round * 7) % sizeof buf;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            const char alphabet[] = "Aa. ,'\"-$%1\n\xC3\xA9\xE2\x80\x99\xffMr U.S.Inc of";
            buf[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        char err[256];
        int rc = ent_tag(kb, buf, n, &sc, err, sizeof err);
        CHECK(rc == 0, "random input %d: %s", round, err);
        for (size_t i = 0; i < sc.ments_n; i++)
            CHECK(sc.ments[i].start < sc.ments[i].end && sc.ments[i].end <= n, "span in bounds");
        for (size_t i = 1; i < sc.ments_n; i++)
            CHECK(sc.ments[i - 1].end <= sc.ments[i].start, "no overlap on random input");
    }
    char err[256];
    CHECK(ent_tag(kb, "", 0, &sc, err, sizeof err) == 0 && sc.ments_n == 0, "empty text");

    /* A 2 MB article of repeated names and one endless capitalised run: the
     * document-level steps must stay near linear (ctest's timeout catches a
     * quadratic regression). */
    size_t big = 2u << 20;
    char *t = malloc(big + 1);
    if (!t) return;
    const char *unit = "Anna Kowalczyk said Kowalczyk and Zork Holdings met in Portvale. ";
    size_t ul = strlen(unit), n = 0;
    while (n + ul < big) { memcpy(t + n, unit, ul); n += ul; }
    t[n] = '\0';
    CHECK(ent_tag(kb, t, n, &sc, err, sizeof err) == 0 && sc.ments_n > 100000, "big article");
    const ent_mention_t *last = &sc.ments[sc.ments_n - 1];
    CHECK(last->type == ET_GPE, "last mention of the big article is Portvale");
    /* more tokens than a third of the bytes: the tokenizer runs again with room */
    for (n = 0; n + 2 < 60000; n += 2) memcpy(t + n, "(.", 2);
    memcpy(t + n, " Anna Kowalczyk left.", 22);
    CHECK(ent_tag(kb, t, n + 21, &sc, err, sizeof err) == 0 && sc.ments_n == 1 &&
          sc.ments[0].type == ET_PERSON && sc.ments[0].start == n + 1, "punctuation-dense article");
    for (n = 0; n + 3 < big; n += 3) memcpy(t + n, "Xy ", 3);
    t[n] = '\0';
    CHECK(ent_tag(kb, t, n, &sc, err, sizeof err) == 0, "one endless capitalised run");
    free(t);
}

/* Many long organisation names fill the per-article acronym buffer: the
 * acronym being built must never be written past it (one built near the
 * end once ran over the buffer's length and the stack; ASan catches it in
 * the sanitizer run), and the acronyms stored before must still resolve. */
static void test_acronym_buffer_fills(void)
{
    static const char *words[26] = {
        "Amber", "Birch", "Cedar", "Delta", "Ember", "Fjord", "Garnet", "Harbor", "Indigo",
        "Jasper", "Kestrel", "Laurel", "Maple", "Nectar", "Onyx", "Pebble", "Quartz", "Raven",
        "Sable", "Thistle", "Umber", "Violet", "Willow", "Xenon", "Yarrow", "Zephyr"};
    uint32_t seed = 12345;
#define NEXT(n) (seed = seed * 1103515245u + 12345u, (seed >> 16) % (n))
    size_t cap = 64u << 10, n = 0;
    char *t = malloc(cap);
    if (!t) return;
    n += (size_t)snprintf(t, cap, "The Arvel Brintmoor Castavel Group said on Monday.\n");
    for (unsigned k = 0; k < 160; k++) {   /* names of 10 to 16 words: acronyms of 10 to 15 letters */
        n += (size_t)snprintf(t + n, cap - n, "Shares in");
        for (unsigned w = 0, nw = 10 + NEXT(7); w < nw; w++)
            n += (size_t)snprintf(t + n, cap - n, " %s", words[NEXT(26)]);
        n += (size_t)snprintf(t + n, cap - n, " Corp rose on Monday, the company said.\n");
    }
#undef NEXT
    n += (size_t)snprintf(t + n, cap - n, "Later the ABCG said it agreed.\n");
    CHECK(n < cap - 1, "test text fits");
    char err[256];
    text = t;
    CHECK(ent_tag(kb, t, n, &sc, err, sizeof err) == 0, "many long names: %s", err);
    expect("ABCG", ET_ORG, "Arvel Brintmoor Castavel Group");
    no_overlaps();
    free(t);
}

/* ---------------------------------------------------------------- processor */

extern const ws_processor_t ws_builtin_entities;

typedef struct {
    ws_strlist_t lexicons, gazetteers, user_gazetteers, weak, rules;
    int64_t max_entities, match_limit, depth_limit;
} cfg_t;

static ws_record_t *make_record(const char *json)
{
    ws_article_opts_t o;
    ws_article_opts_default(&o);
    ws_article_t a;
    memset(&a, 0, sizeof a);
    const char *reason = NULL;
    char err[256];
    if (ws_article_parse(&o, json, strlen(json), &a, &reason, err, sizeof err) != 0) return NULL;
    ws_record_t *r = ws_record_new();
    ws_record_take_article(r, &a);
    ws_article_clear(&a);
    ws_record_set_entry(r, "entities");
    return r;
}

/* The annotations of one record, rendered: "<mentions>\n<groups>". */
static char *render_annotations(ws_record_t *r)
{
    ws_buf_t b;
    ws_buf_init(&b);
    ws_value_render(ws_record_annotation(r, "entities"), &b);
    ws_buf_append(&b, "\n", 1);
    ws_value_render(ws_record_annotation(r, "entity_groups"), &b);
    char *out = strdup(b.data ? b.data : "");
    ws_buf_free(&b);
    return out;
}

/* An article with many more mentions and groups than process() builds at
 * a time (a few dozen): every mention reads back as its bytes of the body,
 * in order; the groups count every mention once, in order of first
 * appearance, each with its first mention's canonical name and type; and
 * the record's arena (the pipeline's way) gives the same output as none
 * (every value its own malloc), also when the scratch is reused. */
static void test_processor_many_mentions(void *inst)
{
    const ws_processor_t *p = &ws_builtin_entities;
    char body[8192];
    size_t bl = 0;
    for (int i = 0; i < 70 && bl < sizeof body - 200; i++) {
        /* distinct amounts (a group each), a name and its short form
         * (one group), a place repeated (one group) */
        if (i % 5 == 0)
            bl += (size_t)snprintf(body + bl, sizeof body - bl,
                                   "Anna Kowalczyk spoke in Portvale on Friday. ");
        bl += (size_t)snprintf(body + bl, sizeof body - bl,
                               "Kowalczyk said sales rose %d percent to $%d million in Freedonia. ",
                               i + 1, 3 * i + 7);
    }
    char *json = malloc(bl + 64);
    if (!json) return;
    snprintf(json, bl + 64, "{\"id\":\"many\",\"body\":\"%s\"}", body);
    char *out[3] = {NULL, NULL, NULL};
    for (int run = 0; run < 3; run++) {   /* arena, none, arena again */
        ws_record_t *r = make_record(json);
        CHECK(r != NULL, "record");
        if (!r) continue;
        size_t len = 0;
        const char *text = ws_record_field(r, WS_FIELD_BODY, &len);
        char reason[256] = "";
        ws_value_arena_t *prev = ws_value_arena_enter(run == 1 ? NULL : ws_record_arena(r));
        ws_result_t res = p->process(inst, r, reason, sizeof reason);
        ws_value_arena_leave(prev);
        CHECK(res == WS_KEEP, "process (%s)", reason);
        const ws_value_t *ents = ws_record_annotation(r, "entities");
        const ws_value_t *groups = ws_record_annotation(r, "entity_groups");
        size_t n = ws_array_size(ents), ng = ws_array_size(groups);
        CHECK(n > 150 && ng > 70, "many mentions (%zu) and groups (%zu)", n, ng);
        int64_t prev_start = -1;
        for (size_t i = 0; i < n; i++) {
            const ws_value_t *e = ws_array_at(ents, i);
            size_t tl = 0, cl = 0, yl = 0;
            const char *tx = ws_value_str(ws_object_get(e, "text"), &tl);
            const char *cn = ws_value_str(ws_object_get(e, "canonical"), &cl);
            const char *ty = ws_value_str(ws_object_get(e, "type"), &yl);
            int64_t st = ws_value_int_of(ws_object_get(e, "start"));
            int64_t en = ws_value_int_of(ws_object_get(e, "end"));
            CHECK(ws_object_size(e) == 5 && tx && cn && cl > 0 && ty && yl > 0 && st > prev_start &&
                  en > st && (size_t)en <= len && tl == (size_t)(en - st) && memcmp(tx, text + st, tl) == 0,
                  "mention %zu reads back as its bytes of the body", i);
            prev_start = st;
        }
        int64_t total = 0, prev_first = -1;
        for (size_t g = 0; g < ng; g++) {
            const ws_value_t *gr = ws_array_at(groups, g);
            size_t cl = 0, yl = 0;
            const char *cn = ws_value_str(ws_object_get(gr, "canonical"), &cl);
            const char *ty = ws_value_str(ws_object_get(gr, "type"), &yl);
            int64_t count = ws_value_int_of(ws_object_get(gr, "count"));
            int64_t first = ws_value_int_of(ws_object_get(gr, "first"));
            total += count;
            CHECK(cn && ty && count >= 1 && first > prev_first, "group %zu in order of first appearance", g);
            prev_first = first;
            /* its first mention has its canonical name and type */
            size_t m = 0;
            while (m < n && ws_value_int_of(ws_object_get(ws_array_at(ents, m), "start")) != first) m++;
            size_t mcl = 0, myl = 0;
            const char *mcn = m < n ? ws_value_str(ws_object_get(ws_array_at(ents, m), "canonical"), &mcl) : NULL;
            const char *myt = m < n ? ws_value_str(ws_object_get(ws_array_at(ents, m), "type"), &myl) : NULL;
            CHECK(mcn && myt && cn && ty && mcl == cl && memcmp(mcn, cn, cl) == 0 && myl == yl &&
                  memcmp(myt, ty, yl) == 0, "group %zu: its first mention's canonical and type", g);
        }
        CHECK(total == (int64_t)n, "the groups count every mention once (%lld of %zu)", (long long)total, n);
        out[run] = render_annotations(r);
        ws_record_free(r);
    }
    CHECK(out[0] && out[1] && out[2] && strcmp(out[0], out[1]) == 0 && strcmp(out[0], out[2]) == 0,
          "the same output with the record's arena and without one");
    for (int run = 0; run < 3; run++) free(out[run]);
    free(json);
}

static void test_processor(void)
{
    const ws_processor_t *p = &ws_builtin_entities;
    CHECK(p->abi_version == WS_PROCESSOR_ABI && strcmp(p->name, "entities") == 0, "descriptor");
    CHECK(p->flags & WS_PROCESSOR_THREAD_SAFE, "declared thread-safe");
    CHECK(p->config_size == sizeof(cfg_t), "config struct layout");
    const char *lex[] = {"entities/rules/*.tsv"};
    const char *gaz[] = {ENT_TEST_DATA "/gaz.tsv"};
    const char *rules[] = {"entities/rules/*.rules"};
    cfg_t cfg = {.lexicons = {1, lex}, .gazetteers = {1, gaz}, .rules = {1, rules},
                 .max_entities = 3, .match_limit = 100000, .depth_limit = 10000};
    ws_create_info_t info = {.entry_name = "entities", .config_dir = WS_DATA_DIR};
    char err[256];
    void *inst = p->create(&cfg, &info, err, sizeof err);
    CHECK(inst != NULL, "create: %s", err);
    if (!inst) return;
    ws_record_t *r = make_record("{\"id\":\"t1\",\"body\":\"President Anna Kowalczyk of Freedonia "
                                 "met officials in Portvale. Kowalczyk left on Friday for the US.\"}");
    CHECK(r != NULL, "record");
    if (r) {
        char reason[256] = "";
        ws_result_t res = p->process(inst, r, reason, sizeof reason);
        CHECK(res == WS_KEEP, "process keeps the record (%s)", reason);
        const ws_value_t *ents = ws_record_annotation(r, "entities");
        const ws_value_t *groups = ws_record_annotation(r, "entity_groups");
        CHECK(ws_array_size(ents) == 3, "max_entities=3 cuts the list (got %zu)", ws_array_size(ents));
        CHECK(ws_record_truncated(r), "record marked truncated");
        const ws_value_t *e0 = ws_array_at(ents, 0);
        size_t l;
        const char *tx = ws_value_str(ws_object_get(e0, "text"), &l);
        CHECK(tx && strcmp(tx, "Anna Kowalczyk") == 0, "first mention text (%s)", tx ? tx : "null");
        CHECK(ws_value_num(ws_object_get(e0, "start")) == 10 && ws_value_num(ws_object_get(e0, "end")) == 24,
              "byte offsets of the first mention");
        const char *ty = ws_value_str(ws_object_get(e0, "type"), NULL);
        CHECK(ty && strcmp(ty, "PERSON") == 0, "type");
        CHECK(ws_array_size(groups) == 3, "groups over the kept mentions (%zu)", ws_array_size(groups));
        const ws_value_t *g0 = ws_array_at(groups, 0);
        const char *gc = ws_value_str(ws_object_get(g0, "canonical"), NULL);
        CHECK(gc && strcmp(gc, "Anna Kowalczyk") == 0 && ws_value_num(ws_object_get(g0, "count")) == 1 &&
              ws_value_num(ws_object_get(g0, "first")) == 10, "first group");
        ws_record_free(r);
    }
    p->destroy(inst);

    /* groups count every mention of one canonical */
    cfg.max_entities = 2000;
    inst = p->create(&cfg, &info, err, sizeof err);
    r = make_record("{\"id\":\"t2\",\"body\":\"The US and America: the U.S. again.\"}");
    if (inst && r) {
        char reason[256];
        CHECK(p->process(inst, r, reason, sizeof reason) == WS_KEEP, "process");
        const ws_value_t *groups = ws_record_annotation(r, "entity_groups");
        CHECK(ws_array_size(groups) == 1, "one group for US/America/U.S. (%zu)", ws_array_size(groups));
        CHECK(ws_value_num(ws_object_get(ws_array_at(groups, 0), "count")) == 3, "count 3");
        CHECK(!ws_record_truncated(r), "not truncated");
    }
    if (r) ws_record_free(r);
    if (inst) test_processor_many_mentions(inst);
    if (inst) p->destroy(inst);

    /* two entities entries in one pipeline: the one named "entities" writes
     * entity_groups, another ("places") writes places_groups, and neither
     * write is refused */
    cfg.max_entities = 2000;
    void *first = p->create(&cfg, &info, err, sizeof err);
    ws_create_info_t info2 = {.entry_name = "places", .config_dir = WS_DATA_DIR};
    void *second = p->create(&cfg, &info2, err, sizeof err);
    CHECK(first && second, "create two entries: %s", err);
    r = make_record("{\"id\":\"t3\",\"body\":\"Our reporter flew from Rivertown to Lakeside.\"}");
    if (first && second && r) {
        char reason[256] = "";
        CHECK(p->process(first, r, reason, sizeof reason) == WS_KEEP, "first entry (%s)", reason);
        ws_record_set_entry(r, "places");
        CHECK(p->process(second, r, reason, sizeof reason) == WS_KEEP, "second entry (%s)", reason);
        CHECK(ws_array_size(ws_record_annotation(r, "entity_groups")) == 2, "entity_groups from 'entities'");
        CHECK(ws_array_size(ws_record_annotation(r, "places_groups")) == 2, "places_groups from 'places'");
        CHECK(ws_array_size(ws_record_annotation(r, "places")) == 2, "mentions under the entry name");
    }
    if (r) ws_record_free(r);
    if (first) p->destroy(first);
    if (second) p->destroy(second);

    /* bad config: a missing rules file is reported by name */
    const char *missing[] = {"entities/rules/no-such-file.rules"};
    cfg.rules.items = missing;
    inst = p->create(&cfg, &info, err, sizeof err);
    CHECK(inst == NULL && strstr(err, "no-such-file.rules"), "create fails naming the file (%s)", err);
    if (inst) p->destroy(inst);
}

int main(void)
{
    kb = load(NULL, 0);
    if (!kb) return 1;
    test_tokenizer();
    test_titles_and_possessives();
    test_coreference_short_forms();
    test_name_particles();
    test_place_led_organisations();
    test_acronyms_and_gazetteer_canonicals();
    test_org_patterns_and_apposition();
    test_numeric_rules();
    test_rule_guards();
    test_sentence_starts_and_headlines();
    test_british_spellings();
    test_brand_words();
    test_document_rules();
    test_events_laws_facilities();
    test_context_words();
    test_datelines();
    test_geo_nouns();
    test_function_words_from_data();
    test_regex_limit();
    test_shared_trigger_rules();
    test_trigger_candidates();
    test_word_shapes();
    test_tokenizer_fast_paths();
    test_rule_window();
    test_first_byte_filter();
    test_bad_config();
    test_robustness();
    test_acronym_buffer_fills();
    test_processor();
    ent_scratch_free(&sc);
    ent_kb_free(kb);
    printf("entities: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
