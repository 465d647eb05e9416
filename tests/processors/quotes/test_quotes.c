/* test_quotes.c -- the quote extractor, pattern by pattern, on sentences
 * written for these tests.  Each case runs qx_extract() on a body and an
 * optional entity list and checks the quotes it returns. */
#include "qx.h"
#include "qx_scan.h"
#include "qx_tok.h"
#include "qx_tok_ref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quotes_check.h"

static qx_lex_t *lx;

typedef struct {
    const char *text;   /* surface text */
    const char *type;
    const char *canon;
} ent_spec_t;

static qx_etype_t etype(const char *s)
{
    if (!strcmp(s, "PERSON")) return QX_E_PERSON;
    if (!strcmp(s, "ORG")) return QX_E_ORG;
    if (!strcmp(s, "GPE")) return QX_E_GPE;
    if (!strcmp(s, "NORP")) return QX_E_NORP;
    return QX_E_OTHER;
}

/* Runs the extractor; entities are given by surface text and found at
 * every occurrence in body (as an entity annotator would mark them). */
static qx_quotes_t run(const char *body, const ent_spec_t *es)
{
    qx_ent_t ents[64];
    size_t n = 0;
    for (size_t k = 0; es && es[k].text; k++) {
        size_t tl = strlen(es[k].text);
        for (const char *p = body; (p = strstr(p, es[k].text)) && n < 64; p += tl) {
            ents[n].start = (uint32_t)(p - body);
            ents[n].end = (uint32_t)(p - body + tl);
            ents[n].type = etype(es[k].type);
            ents[n].canon = es[k].canon;
            ents[n].canon_len = strlen(es[k].canon);
            n++;
        }
    }
    /* sort by start (insertion sort: tiny lists) */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && ents[j - 1].start > ents[j].start; j--) {
            qx_ent_t t = ents[j];
            ents[j] = ents[j - 1];
            ents[j - 1] = t;
        }
    qx_quotes_t qs = {0};
    qx_opts_t opt = {0};
    if (qx_extract(lx, &opt, body, strlen(body), ents, n, &qs) != 0) {
        fprintf(stderr, "qx_extract failed\n");
        exit(1);
    }
    return qs;
}

/* Quote text: pieces joined with a space (as the processor outputs it). */
static const char *qtext(const char *body, const qx_quote_t *q)
{
    static char buf[2048];
    size_t n = 0;
    for (int i = 0; i < q->nspans; i++) {
        size_t l = q->span[i][1] - q->span[i][0];
        if (n + l + 2 >= sizeof(buf)) break;
        if (i) buf[n++] = ' ';
        memcpy(buf + n, body + q->span[i][0], l);
        n += l;
    }
    buf[n] = '\0';
    return buf;
}

static int eqn(const char *a, size_t an, const char *b)
{
    return b ? (a && an == strlen(b) && memcmp(a, b, an) == 0) : a == NULL;
}

static const char *speaker_text(const char *body, const qx_quote_t *q)
{
    static char buf[256];
    if (q->sp_kind == QX_SP_NONE) return "(none)";
    snprintf(buf, sizeof(buf), "%.*s", (int)(q->sp_end - q->sp_start), body + q->sp_start);
    return buf;
}

static const char *cue_text(const char *body, const qx_quote_t *q)
{
    static char buf[64];
    if (!q->cue_end) return "(none)";
    snprintf(buf, sizeof(buf), "%.*s", (int)(q->cue_end - q->cue_start), body + q->cue_start);
    return buf;
}

/* One quote check: text, speaker text, speaker name (NULL = null), cue
 * ("(none)" = null), partial. */
static void expect(const char *body, const qx_quote_t *q, const char *text, const char *sp,
                   const char *name, const char *cue, int partial)
{
    CHECK(!strcmp(qtext(body, q), text), "text [%s], want [%s]", qtext(body, q), text);
    CHECK(!strcmp(speaker_text(body, q), sp), "speaker [%s], want [%s] (quote [%s])",
          speaker_text(body, q), sp, text);
    CHECK(eqn(q->name, q->name_len, name), "name [%.*s], want [%s] (quote [%s])", (int)q->name_len,
          q->name ? q->name : "(null)", name ? name : "(null)", text);
    CHECK(!strcmp(cue_text(body, q), cue), "cue [%s], want [%s] (quote [%s])", cue_text(body, q), cue, text);
    CHECK(q->partial == partial, "partial %d, want %d (quote [%s])", q->partial, partial, text);
}

/* ---------------------------------------------------------------- marks */

static void test_straight_quotes_after_pattern(void)
{
    const char *b = "\"We will finish the bridge by spring,\" Mayor Ann Patel said on Monday.";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) {
        expect(b, &qs.q[0], "We will finish the bridge by spring,", "Mayor Ann Patel", "Mayor Ann Patel", "said", 0);
        CHECK(qs.q[0].nspans == 1 && qs.q[0].span[0][0] == 1, "span starts after the mark");
    }
    free(qs.q);
}

static void test_curly_quotes_and_entity_canonical(void)
{
    const ent_spec_t es[] = {{"Ann Patel", "PERSON", "Ann Patel"}, {"Patel", "PERSON", "Ann Patel"}, {0}};
    const char *b = "Mayor Ann Patel opened the bridge.\n“It took longer than we hoped,” Patel said.";
    qx_quotes_t qs = run(b, es);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "It took longer than we hoped,", "Patel", "Ann Patel", "said", 0);
    free(qs.q);
}

static void test_guillemets(void)
{
    const char *b = "«The river is rising fast,» Tom Berg told reporters.";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "The river is rising fast,", "Tom Berg", "Tom Berg", "told", 0);
    free(qs.q);
}

static void test_low_high_marks(void)
{
    const char *b = "„The talks will go on,“ Lena Vogt said.";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "The talks will go on,", "Lena Vogt", "Lena Vogt", "said", 0);
    free(qs.q);
}

static void test_nested_single_quotes_stay_inside(void)
{
    const char *b = "\"He told me 'never again,' and then he left,\" Omar Haddad said.";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1)
        expect(b, &qs.q[0], "He told me 'never again,' and then he left,", "Omar Haddad", "Omar Haddad", "said", 0);
    free(qs.q);
}

static void test_apostrophes_are_not_marks(void)
{
    /* Double marks present: apostrophes never split the quote. */
    const char *b = "\"They're sure the U.S. administration's plan works,\" Kim Lo said.";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1)
        expect(b, &qs.q[0], "They're sure the U.S. administration's plan works,", "Kim Lo", "Kim Lo", "said", 0);
    free(qs.q);

    /* Single marks as the primary ones: 'tis, they're and a plural
     * possessive are apostrophes; the quote is found whole. */
    const char *s = "'Tis the season, the farmers' union noted.\n"
                    "'They're not the buyers' friends,' said Rob Kay.";
    qs = run(s, NULL);
    CHECK(qs.n == 1, "%zu quotes (single-mark mode)", qs.n);
    if (qs.n == 1) expect(s, &qs.q[0], "They're not the buyers' friends,", "Rob Kay", "Rob Kay", "said", 0);
    free(qs.q);
}

static void test_split_quote_is_one_quote(void)
{
    const char *b = "\"The plan is sound,\" said Ruth Okafor, director of the port authority. "
                    "\"We expect the first ships in May.\"";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) {
        expect(b, &qs.q[0], "The plan is sound, We expect the first ships in May.", "Ruth Okafor",
               "Ruth Okafor", "said", 0);
        CHECK(qs.q[0].nspans == 2, "%d spans", qs.q[0].nspans);
    }
    free(qs.q);
}

static void test_split_quote_around_a_title(void)
{
    const char *b = "\"We will cut taxes,\" Gov. Ada Brook said on ABC's \"Morning Desk\" Sunday. "
                    "\"And we will start in May.\"";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) {
        expect(b, &qs.q[0], "We will cut taxes, And we will start in May.", "Gov. Ada Brook", "Gov. Ada Brook",
               "said", 0);
        CHECK(qs.q[0].nspans == 2, "%d spans", qs.q[0].nspans);
    }
    free(qs.q);
}

static void test_second_cue_keeps_quotes_apart(void)
{
    const ent_spec_t es[] = {{"Ruth Okafor", "PERSON", "Ruth Okafor"}, {"Okafor", "PERSON", "Ruth Okafor"}, {0}};
    const char *b = "Ruth Okafor spoke first.\n"
                    "\"Costs are falling,\" Okafor said, later adding, \"The budget holds.\"";
    qx_quotes_t qs = run(b, es);
    CHECK(qs.n == 2, "%zu quotes", qs.n);
    if (qs.n == 2) {
        expect(b, &qs.q[0], "Costs are falling,", "Okafor", "Ruth Okafor", "said", 0);
        expect(b, &qs.q[1], "The budget holds.", "Okafor", "Ruth Okafor", "adding", 0);
    }
    free(qs.q);
}

static void test_multi_paragraph_quote(void)
{
    const char *b = "Dr. Sara Lind described the outbreak.\n"
                    "\"The first cases came in late March. We had no tests then.\n"
                    "\"By June the wards were full,\" Lind said.";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) {
        expect(b, &qs.q[0], "The first cases came in late March. We had no tests then. By June the wards were full,",
               "Lind", "Lind", "said", 0);
        CHECK(qs.q[0].nspans == 2, "%d spans", qs.q[0].nspans);
    }
    free(qs.q);
}

static void test_partial_quote(void)
{
    const ent_spec_t es[] = {{"Max Gruber", "PERSON", "Max Gruber"}, {"Gruber", "PERSON", "Max Gruber"},
                             {"Lee", "PERSON", "Dana Lee"}, {0}};
    const char *b = "Max Gruber met Dana Lee on Tuesday.\n"
                    "Calling Lee a “shrewd bargainer,” Gruber said he expected a “fair deal” soon.";
    qx_quotes_t qs = run(b, es);
    CHECK(qs.n == 2, "%zu quotes", qs.n);
    if (qs.n == 2) {
        expect(b, &qs.q[0], "shrewd bargainer,", "Gruber", "Max Gruber", "said", 1);
        expect(b, &qs.q[1], "fair deal", "Gruber", "Max Gruber", "said", 1);
    }
    free(qs.q);
}

static void test_titles_and_scare_quotes_are_not_quotes(void)
{
    const char *b = "She starred in \"The Art of the Deal\" and later in \"Night on the River,\" a drama.\n"
                    "Critics of the so-called \"reform\" stayed home.";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 0, "%zu quotes, want none", qs.n);
    free(qs.q);
}

/* ---------------------------------------------------------------- patterns */

static void test_said_x_with_title(void)
{
    const char *b = "\"Nobody expected this,\" said Jorge Ruiz, a senior analyst at the bank.";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "Nobody expected this,", "Jorge Ruiz", "Jorge Ruiz", "said", 0);
    free(qs.q);
}

static void test_x_said_colon_before(void)
{
    const ent_spec_t es[] = {{"Ines Moreau", "PERSON", "Ines Moreau"}, {0}};
    const char *b = "Ines Moreau said: \"We will appeal the ruling.\"";
    qx_quotes_t qs = run(b, es);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "We will appeal the ruling.", "Ines Moreau", "Ines Moreau", "said", 0);
    free(qs.q);
}

static void test_x_told_reporters_before(void)
{
    const char *b = "Coach Bill Hart told reporters \"We played our best game of the year.\"";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1)
        expect(b, &qs.q[0], "We played our best game of the year.", "Coach Bill Hart", "Coach Bill Hart", "told", 0);
    free(qs.q);
}

static void test_according_to(void)
{
    const ent_spec_t es[] = {{"Harbor Authority", "ORG", "Port Harbor Authority"}, {0}};
    const char *b = "\"Traffic will double by 2030,\" according to the Harbor Authority.";
    qx_quotes_t qs = run(b, es);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1)
        expect(b, &qs.q[0], "Traffic will double by 2030,", "Harbor Authority", "Port Harbor Authority",
               "according to", 0);
    free(qs.q);
}

static void test_who_said_there_was(void)
{
    const ent_spec_t es[] = {{"Nadia Karim", "PERSON", "Nadia Karim"}, {0}};
    const char *b = "The deal was backed by Nadia Karim, who said there was \"real momentum\" in the talks.";
    qx_quotes_t qs = run(b, es);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "real momentum", "Nadia Karim", "Nadia Karim", "said", 1);
    free(qs.q);
}

static void test_pronoun_resolves_to_earlier_person(void)
{
    const ent_spec_t es[] = {{"Ana Silva", "PERSON", "Ana Silva"}, {"Lisbon", "GPE", "Lisbon"}, {0}};
    const char *b = "Ana Silva arrived in Lisbon on Friday.\n\"I am glad to be home,\" she said.";
    qx_quotes_t qs = run(b, es);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "I am glad to be home,", "she", "Ana Silva", "said", 0);
    free(qs.q);
}

static void test_pronoun_they_resolves_to_org(void)
{
    const ent_spec_t es[] = {{"Nordbank", "ORG", "Nordbank AG"}, {"Pia Holm", "PERSON", "Pia Holm"}, {0}};
    const char *b = "Pia Holm runs Nordbank.\n\"We see no risk,\" they said in a filing.";
    qx_quotes_t qs = run(b, es);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "We see no risk,", "they", "Nordbank AG", "said", 0);
    free(qs.q);
}

static void test_description_speaker(void)
{
    const char *b = "\"The talks have stalled,\" a senior official said.";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "The talks have stalled,", "a senior official", NULL, "said", 0);
    free(qs.q);
}

static void test_appositive_before_cue(void)
{
    const ent_spec_t es[] = {{"Ken Adeyemi", "PERSON", "Ken Adeyemi"}, {0}};
    const char *b = "\"Prices will rise,\" Ken Adeyemi, chief economist at the bank, said.";
    qx_quotes_t qs = run(b, es);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "Prices will rise,", "Ken Adeyemi", "Ken Adeyemi", "said", 0);
    free(qs.q);
}

/* A description with the person's name in apposition: the name is the
 * speaker, after the cue and before it; a description alone stays one. */
static void test_name_in_apposition_to_description(void)
{
    const ent_spec_t es[] = {{"Lena Marsh", "PERSON", "Lena Marsh"}, {"Omar Tull", "PERSON", "Omar Tull"}, {0}};
    const char *b = "\"Stocks are cheap,\" said the fund's director, Lena Marsh. "
                    "\"Costs will fall,\" its finance director, Omar Tull, said on Monday.";
    qx_quotes_t qs = run(b, es);
    CHECK(qs.n == 2, "%zu quotes", qs.n);
    if (qs.n == 2) {
        expect(b, &qs.q[0], "Stocks are cheap,", "Lena Marsh", "Lena Marsh", "said", 0);
        expect(b, &qs.q[1], "Costs will fall,", "Omar Tull", "Omar Tull", "said", 0);
    }
    free(qs.q);
    const char *d = "\"Stocks are cheap,\" said the fund's director, adding that bonds were not.";
    qs = run(d, es);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(d, &qs.q[0], "Stocks are cheap,", "the fund's director", NULL, "said", 0);
    free(qs.q);
}

static void test_cueless_paragraph_inherits_speaker(void)
{
    const ent_spec_t es[] = {{"Mia Chen", "PERSON", "Mia Chen"}, {"Chen", "PERSON", "Mia Chen"}, {0}};
    const char *b = "Mia Chen leads the union.\n"
                    "\"We asked for a fair wage,\" Chen said.\n\n"
                    "\"We will strike if we must.\"";
    qx_quotes_t qs = run(b, es);
    CHECK(qs.n == 2, "%zu quotes", qs.n);
    if (qs.n == 2) {
        expect(b, &qs.q[0], "We asked for a fair wage,", "Chen", "Mia Chen", "said", 0);
        expect(b, &qs.q[1], "We will strike if we must.", "Chen", "Mia Chen", "(none)", 0);
        CHECK(qs.q[1].inherited, "second quote inherits");
    }
    free(qs.q);
}

static void test_colon_paragraph_introduces_quote(void)
{
    const char *b = "Governor Eva Lund wrote in a letter to the council:\n\n"
                    "\"The budget must pass this week.\"";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1)
        expect(b, &qs.q[0], "The budget must pass this week.", "Governor Eva Lund", "Governor Eva Lund", "wrote", 0);
    free(qs.q);
}

static void test_name_without_entity_links_to_canonical(void)
{
    /* The entity list missed the bare surname; it still gets the full name. */
    const ent_spec_t es[] = {{"Hana Sato", "PERSON", "Hana Sato"}, {0}};
    const char *b = "Hana Sato chairs the board.\n\"Our margins held,\" Sato said.";
    qx_quotes_t qs = run(b, es);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "Our margins held,", "Sato", "Hana Sato", "said", 0);
    free(qs.q);
}

static void test_unattributed_full_quote_has_null_speaker(void)
{
    const char *b = "The crowd roared.\n\"Build the wall higher!\"";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "Build the wall higher!", "(none)", NULL, "(none)", 0);
    free(qs.q);
}

static void test_parenthesis_before_cue(void)
{
    const char *b = "\"The bill is dead,\" Rep. Lou Park (D-Ore.) said Tuesday.";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "The bill is dead,", "Rep. Lou Park", "Rep. Lou Park", "said", 0);
    free(qs.q);
}

static void test_surname_that_is_a_cue_word(void)
{
    const char *b = "\"It was a fair price,\" Read said.";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "It was a fair price,", "Read", "Read", "said", 0);
    free(qs.q);
}

static void test_participle_takes_the_clause_subject(void)
{
    const ent_spec_t es[] = {{"Lia Costa", "PERSON", "Lia Costa"}, {0}};
    const char *b = "On Monday, Lia Costa sent an email to staff saying \"The office will close early.\"";
    qx_quotes_t qs = run(b, es);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "The office will close early.", "Lia Costa", "Lia Costa", "saying", 0);
    free(qs.q);
}

static void test_cue_sentence_before_the_quote(void)
{
    const char *b = "Analyst Ben Ortiz agreed. \"The market has turned.\"";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "The market has turned.", "Analyst Ben Ortiz", "Analyst Ben Ortiz", "agreed", 0);
    free(qs.q);
}

static void test_colon_without_cue(void)
{
    const char *b = "The view from the pollster Dana Whitfield: \"Turnout decides this one.\"";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "Turnout decides this one.", "Dana Whitfield", "Dana Whitfield", "(none)", 0);
    free(qs.q);
}

static void test_two_word_cue(void)
{
    const char *b = "\"And we are not done,\" she went on.";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "And we are not done,", "she", NULL, "went on", 0);
    free(qs.q);
}

static void test_pull_quote_with_dash_line(void)
{
    const char *b = "Quotes of the week.\n\n\"Nobody reads the fine print.\"\n\n- Mara Quinn, a consumer advocate.";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "Nobody reads the fine print.", "Mara Quinn", "Mara Quinn", "(none)", 0);
    free(qs.q);
}

static void test_cue_word_as_noun_is_not_a_cue(void)
{
    /* "comments" after a possessive is a noun: the speaker is the
     * clause's subject, not "Sanders'". */
    const ent_spec_t es[] = {{"Jeff Weaver", "PERSON", "Jeff Weaver"}, {"Sanders", "PERSON", "Bernie Sanders"}, {0}};
    const char *b = "Jeff Weaver dismissed Sanders' comments on Tuesday, telling reporters, \"We move on.\"";
    qx_quotes_t qs = run(b, es);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "We move on.", "Jeff Weaver", "Jeff Weaver", "telling", 0);
    free(qs.q);
}

static void test_parenthesis_then_comma_before_cue(void)
{
    const char *b = "After the vote in Ohio, Gov. Ann Lee (R-Ohio), said, \"We won it fairly.\"";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "We won it fairly.", "Gov. Ann Lee", "Gov. Ann Lee", "said", 0);
    free(qs.q);
}

static void test_name_before_colon_after_dash(void)
{
    const char *b = "Pollsters agree - Carl Brandt: \"The early polls were not wrong.\"";
    qx_quotes_t qs = run(b, NULL);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "The early polls were not wrong.", "Carl Brandt", "Carl Brandt", "(none)", 0);
    free(qs.q);
}

static void test_subject_before_appositive_and_verb_clause(void)
{
    const ent_spec_t es[] = {{"Nora Field", "PERSON", "Nora Field"}, {0}};
    const char *b = "Nora Field, the campaign chair, emailed volunteers on Monday, telling them, \"Keep going.\"";
    qx_quotes_t qs = run(b, es);
    CHECK(qs.n == 1, "%zu quotes", qs.n);
    if (qs.n == 1) expect(b, &qs.q[0], "Keep going.", "Nora Field", "Nora Field", "telling", 0);
    free(qs.q);
}

/* ---------------------------------------------------------------- robustness */

/* A NUL-terminated body of min + (0..spread-1) random parts, cut to fit. */
/* The tests' random numbers: an LCG, so every run builds the same bodies. */
static unsigned next_rand(unsigned *seed)
{
    return (*seed = *seed * 1103515245u + 12345u) >> 16;
}

/* Appends p to body[0..*n) if it fits with a NUL after it; 0 if not. */
static int append_part(char *body, size_t *n, size_t cap, const char *p)
{
    size_t pl = strlen(p);
    if (*n + pl >= cap) return 0;
    memcpy(body + *n, p, pl);
    *n += pl;
    return 1;
}

static size_t random_body(const char *const *parts, size_t np, unsigned *seed, int min, int spread,
                          char *body, size_t cap)
{
    size_t n = 0;
    int len = min + (int)next_rand(seed) % spread;
    for (int k = 0; k < len; k++)
        if (!append_part(body, &n, cap, parts[next_rand(seed) % np])) break;
    body[n] = '\0';
    return n;
}

static void test_garbage_never_crashes(void)
{
    static const char *const parts[] = {
        "\"", "“", "”", "„", "«", "»", "'", "’", "‘", "\n", " ", "said", "he", "Smith", ",", ".",
        ":", "\xE2\x80", "\xC2", "\xFF", "a", "according to", "(", ")", "—", "who", "The", "X,"};
    const size_t np = sizeof(parts) / sizeof(parts[0]);
    char body[4096];
    unsigned seed = 12345;
    qx_quotes_t qs = {0};
    qx_opts_t opt = {1};
    qx_ent_t ents[4];
    for (int it = 0; it < 3000; it++) {
        size_t n = random_body(parts, np, &seed, 1, 200, body, sizeof(body));
        size_t ne = 0;
        if (n > 4) {   /* entities at arbitrary (valid) offsets */
            ents[0].start = 0; ents[0].end = (uint32_t)n / 2; ents[0].type = QX_E_PERSON;
            ents[0].canon = "X"; ents[0].canon_len = 1;
            ents[1].start = (uint32_t)n / 3; ents[1].end = (uint32_t)n; ents[1].type = QX_E_ORG;
            ents[1].canon = NULL; ents[1].canon_len = 0;
            ne = 2;
        }
        int rc = qx_extract(lx, &opt, body, n, ents, ne, &qs);
        CHECK(rc == 0, "extract failed on iteration %d", it);
        for (size_t i = 0; i < qs.n; i++) {
            const qx_quote_t *q = &qs.q[i];
            int ok = q->nspans >= 1 && q->nspans <= QX_MAX_SPANS;
            for (int s = 0; ok && s < q->nspans; s++)
                ok = q->span[s][0] < q->span[s][1] && q->span[s][1] <= n &&
                     (s == 0 || q->span[s][0] >= q->span[s - 1][1]);
            if (q->sp_kind != QX_SP_NONE) ok = ok && q->sp_start < q->sp_end && q->sp_end <= n;
            if (q->cue_end) ok = ok && q->cue_start < q->cue_end && q->cue_end <= n;
            CHECK(ok, "bad offsets on iteration %d", it);
        }
    }
    free(qs.q);
}

/* A window tokenized with another window's tokens reused is the same as
 * one tokenized from scratch, wherever the two windows lie. */
static int same_tokens(const qx_toks_t *a, const qx_toks_t *b)
{
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++) {
        const qx_tok_t *x = &a->t[i], *y = &b->t[i];
        if (x->s != y->s || x->e != y->e || ((x->f ^ y->f) & ~(uint32_t)T_CLS) || x->q != y->q ||
            x->piece != y->piece)
            return 0;
    }
    return 1;
}

static void test_token_reuse_is_exact(void)
{
    static const char *const parts[] = {
        "\"", "“", "”", "'", "’", " ", " ", " ", "said", "Mr.", "U.S.", "co-chair", "they're", "...",
        ".", ",", ":", "(D-Ill.)", "—", "-", "Smith", "the", "\xC2\xA0", "reports", "1990s", "Inc.,", "!"};
    const size_t np = sizeof(parts) / sizeof(parts[0]);
    char body[2048];
    unsigned seed = 777;
    qx_quotes_t qs = {0};
    qx_toks_t fresh = {0}, old = {0}, reused = {0};
    int compared = 0;
    for (int it = 0; it < 2000; it++) {
        size_t n = random_body(parts, np, &seed, 20, 300, body, sizeof(body));
        qs.n = 0;
        CHECK(qx_scan_marks(lx, body, n, &qs) == 0, "scan failed");
        for (int w = 0; w < 8; w++) {
            uint32_t a = (uint32_t)(next_rand(&seed) % n);
            uint32_t b = a + 1 + (uint32_t)(next_rand(&seed) % (n - a));
            uint32_t c = (uint32_t)(next_rand(&seed) % n);
            uint32_t d = c + 1 + (uint32_t)(next_rand(&seed) % (n - c));
            CHECK(qx_tokenize(lx, body, n, &qs, a, b, &old) == 0, "tokenize");
            CHECK(qx_tokenize(lx, body, n, &qs, c, d, &fresh) == 0, "tokenize");
            CHECK(qx_tokenize_reuse(lx, body, n, &qs, c, d, &reused, &old) == 0, "tokenize_reuse");
            CHECK(same_tokens(&fresh, &reused), "reuse differs: iteration %d, old [%u,%u) new [%u,%u)", it,
                  a, b, c, d);
            compared++;
        }
    }
    CHECK(compared == 16000, "%d windows compared", compared);
    free(qs.q);
    free(fresh.t);
    free(old.t);
    free(reused.t);
}

/* A hostile body: bytes of every value (ASCII letters and digits on both
 * sides of the SIMD range tests' edges, controls, joiners, truncated and
 * stray UTF-8, marks, dashes and spaces of several widths), in runs long
 * enough to cross 16- and 64-byte blocks. */
static size_t hostile_body(unsigned *seed, char *body, size_t cap)
{
    static const char *const parts[] = {
        "\"", "'", "\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x98", "\xE2\x80\x99", "\xC2\xAB", "\xC2\xBB",
        "\xE2\x80\x9E", "\xE2\x80\x94", "\xE2\x80\x93", "\xE2\x80\xA6", "\xC2\xA0", "\xE2\x80\x89", "\xE2\x80",
        "\xE2", "\xC2", "\xC3\xA9", "\xF0\x9F\x98\x80", "\xF0\x9F", "\x80", "\xFF", " ", "  ", "\n", "\t", ".",
        "...", ",", ":", ";", "(", ")", "[", "]", "-", "&", "!", "?", "Mr.", "U.S.", "said", "Smith",
        "they're", "co-chair", "reporting", "slowly", "1990s", "@`[{/:", "Zaz09", "azAZ", "0909"};
    const size_t np = sizeof(parts) / sizeof(parts[0]);
    size_t n = 0;
    int len = 1 + (int)next_rand(seed) % 400;
    for (int k = 0; k < len && n + 8 < cap; k++) {
        unsigned r = next_rand(seed);
        if (r % 4 == 0) {   /* one byte of any value but NUL */
            body[n++] = (char)(1 + (r >> 2) % 255);
        } else if (r % 4 == 1) {   /* a run of letters and digits */
            static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
            int run = 1 + (int)((r >> 2) % 40);
            for (int j = 0; j < run && n + 1 < cap; j++) body[n++] = alnum[(r + 7u * (unsigned)j) % 62];
        } else if (!append_part(body, &n, cap, parts[(r >> 2) % np])) {
            break;
        }
    }
    body[n] = '\0';
    return n;
}

/* qx_tokenize (SIMD word runs, reuse) gives the same tokens as the plain
 * byte-by-byte reference on hostile bodies, for windows anywhere,
 * including ones ending at the body's end and inside a character. */
static void test_tokens_match_the_reference(void)
{
    char body[4096];
    unsigned seed = 4242;
    qx_quotes_t qs = {0};
    qx_toks_t got = {0}, want = {0}, old = {0};
    int compared = 0, bad = 0;
    for (int it = 0; it < 3000; it++) {
        size_t n = hostile_body(&seed, body, sizeof(body));
        if (n == 0) continue;
        qs.n = 0;
        CHECK(qx_scan_marks(lx, body, n, &qs) == 0, "scan failed");
        for (int w = 0; w < 6; w++) {
            uint32_t a = (uint32_t)(next_rand(&seed) % n);
            uint32_t b = a + 1 + (uint32_t)(next_rand(&seed) % (n - a));
            if (w == 0) { a = 0; b = (uint32_t)n; }
            CHECK(qx_tokenize_ref(lx, body, n, &qs, a, b, &want) == 0, "reference");
            CHECK(qx_tokenize(lx, body, n, &qs, a, b, &got) == 0, "tokenize");
            if (!same_tokens(&got, &want) && bad++ < 3) {
                size_t k = 0;
                while (k < got.n && k < want.n && got.t[k].s == want.t[k].s && got.t[k].e == want.t[k].e &&
                       !((got.t[k].f ^ want.t[k].f) & ~(uint32_t)T_CLS))
                    k++;
                CHECK(0, "iteration %d window [%u,%u): %zu tokens, reference %zu; first difference at token %zu", it,
                      a, b, got.n, want.n, k);
            }
            /* And with an overlapping earlier window's tokens reused. */
            uint32_t c = a > 20 ? a - 20 : 0, d = b;
            CHECK(qx_tokenize(lx, body, n, &qs, c, d, &old) == 0, "tokenize");
            CHECK(qx_tokenize_reuse(lx, body, n, &qs, a, b, &got, &old) == 0, "tokenize_reuse");
            if (!same_tokens(&got, &want) && bad++ < 3) CHECK(0, "reuse: iteration %d window [%u,%u)", it, a, b);
            compared++;
        }
    }
    CHECK(bad == 0, "%d windows differ from the reference", bad);
    CHECK(compared > 17000, "%d windows compared", compared);
    free(qs.q);
    free(got.t);
    free(want.t);
    free(old.t);
}

/* The mark scanner's skip never passes a byte that can start a mark, never
 * returns past the paragraph end, and lands on the first one wherever the
 * 64-byte blocks reach it; checked against a byte-by-byte search from
 * random starts, to paragraph ends inside blocks, at their edges and at
 * the body's end. */
static void test_mark_skip_matches_a_byte_search(void)
{
    char body[600];
    unsigned seed = 99;
    int bad = 0, exact = 0, runs = 0;
    for (int it = 0; it < 400; it++) {
        size_t n = hostile_body(&seed, body, sizeof(body));
        /* Thin the hits out so that long plain runs occur too. */
        for (size_t k = 0; k < n; k++) {
            unsigned char c = (unsigned char)body[k];
            if ((c == '"' || c == '\'' || c == 0xC2 || c == 0xE2) &&
                next_rand(&seed) % 4)
                body[k] = 'x';
        }
        for (int singles = 0; singles < 2; singles++) {
            for (int w = 0; w < 40 && n > 0; w++) {
                size_t i = next_rand(&seed) % n;
                size_t pe = i + next_rand(&seed) % (n - i + 1);
                if (w % 4 == 0) pe = n;
                if (w % 4 == 1 && i + 64 <= n) pe = i + 64 - (size_t)(w % 3);
                size_t first = i;
                while (first < pe) {
                    unsigned char c = (unsigned char)body[first];
                    if (c == 0xE2 || (singles ? c == '\'' : (c == '"' || c == 0xC2))) break;
                    first++;
                }
                size_t r = qx_skip_plain(body, n, i, pe, singles);
                runs++;
                if (r < i || r > first) {
                    if (bad++ < 3)
                        CHECK(0, "iteration %d singles %d [%zu,%zu) of %zu: skip %zu, first mark byte %zu", it,
                              singles, i, pe, n, r, first);
                }
                if (r == first) exact++;
#if defined(__SSE2__)
                /* Where the 64-byte blocks from i reach the first mark byte
                 * (or the paragraph's last byte) inside the body, the skip
                 * lands on it: a paragraph end inside a block is cut by mask. */
                size_t t = first < pe ? first : pe - 1;
                if (pe > i && i + 64 * ((t - i) / 64 + 1) <= n && r != first && bad++ < 3)
                    CHECK(0, "iteration %d singles %d [%zu,%zu): inexact skip %zu, first %zu", it, singles, i,
                          pe, r, first);
#endif
            }
        }
    }
    CHECK(bad == 0, "%d skips wrong", bad);
    CHECK(runs > 20000 && exact > runs / 2, "%d runs, %d exact", runs, exact);
}

/* The letters counted back from a period (the abbreviation test's word)
 * match a byte loop at every position of hostile bodies, for every cap,
 * including positions under 16 bytes from the start and letters next to
 * the range edges (@ [ ` {). */
static void test_letters_before_matches_a_byte_loop(void)
{
    char body[600];
    unsigned seed = 31337;
    int bad = 0, runs = 0, long_runs = 0;
    for (int it = 0; it < 300; it++) {
        size_t n = hostile_body(&seed, body, sizeof(body));
        for (uint32_t p = 0; p <= n; p++) {
            for (uint32_t max = 0; max <= 16; max += (max < 8 ? 1 : 8)) {
                uint32_t want = 0;
                while (want < max && want < p) {
                    unsigned char c = (unsigned char)body[p - 1 - want];
                    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) break;
                    want++;
                }
                uint32_t got = qx_letters_before(body, p, max);
                runs++;
                if (want >= 7) long_runs++;
                if (got != want && bad++ < 3)
                    CHECK(0, "iteration %d p %u max %u: %u letters, byte loop %u", it, p, max, got, want);
            }
        }
    }
    CHECK(bad == 0, "%d counts wrong", bad);
    CHECK(runs > 100000 && long_runs > 1000, "%d runs, %d of 7 letters or more", runs, long_runs);
}

/* The tokens of body[ps..pe) joined with '|', a quoted piece as Q. */
static void token_string(const char *body, const qx_toks_t *tk, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < tk->n && o + 2 < cap; i++) {
        const qx_tok_t *t = &tk->t[i];
        int w = (t->f & T_QUOTE) ? snprintf(out + o, cap - o, "%sQ", i ? "|" : "")
                                 : snprintf(out + o, cap - o, "%s%.*s", i ? "|" : "", (int)(t->e - t->s), body + t->s);
        if (w < 0 || (size_t)w >= cap - o) break;
        o += (size_t)w;
    }
}

/* Words, joiners, kept periods and folded quotes, as the patterns expect
 * them; a window end cuts a word, and a word near it (less than a block of
 * 16 bytes before it) ends where it would without the end. */
static void test_tokens_split_words_and_punctuation(void)
{
    static const char body[] =
        "Mr. Smith, co-chair of U.S. Steel, said they\xE2\x80\x99re \"raising\" every rate slowly (D-Ill.) "
        "in 1990s... Inc., reporting: A.B&C! Internationalization-wise";
    qx_quotes_t qs = {0};
    qx_toks_t tk = {0};
    size_t n = strlen(body);
    CHECK(qx_scan_marks(lx, body, n, &qs) == 0 && qs.n == 1, "one quote");
    CHECK(qx_tokenize(lx, body, n, &qs, 0, (uint32_t)n, &tk) == 0, "tokenize");
    char got[1024];
    token_string(body, &tk, got, sizeof(got));
    CHECK(!strcmp(got, "Mr.|Smith|,|co-chair|of|U.S.|Steel|,|said|they\xE2\x80\x99re|Q|every|rate|slowly|(|D-Ill|.|)|"
                       "in|1990s|...|Inc.|,|reporting|:|A.B&C|!|Internationalization-wise"),
          "tokens: %s", got);
    uint32_t want[] = {T_CAP, T_CAP, T_COMMA, 0, 0, T_CAP, T_CAP, T_COMMA, 0, 0, T_QUOTE, 0, 0, T_LY, T_LPAREN, T_CAP,
                       T_PUNCT, T_RPAREN, 0, T_NUM, T_PUNCT, T_CAP, T_COMMA, T_ING, T_COLON, T_CAP, T_END, T_CAP};
    CHECK(tk.n == sizeof(want) / sizeof(want[0]), "%zu tokens", tk.n);
    for (size_t i = 0; i < tk.n && i < sizeof(want) / sizeof(want[0]); i++) {
        uint32_t f = tk.t[i].f & (T_CAP | T_NUM | T_ING | T_LY | T_END | T_COMMA | T_COLON | T_QUOTE | T_PUNCT |
                                  T_LPAREN | T_RPAREN);
        CHECK(f == want[i], "token %zu (%.*s): flags %#x, want %#x", i, (int)(tk.t[i].e - tk.t[i].s),
              body + tk.t[i].s, f, want[i]);
    }
    /* A window ending inside the last word cuts it, at every length (the
     * hyphen is the 21st byte: it joins only what follows it in the window). */
    uint32_t last = (uint32_t)(strstr(body, "Internationalization") - body);
    for (uint32_t cut = 1; cut < 26; cut++) {
        if (cut == 21) continue;
        CHECK(qx_tokenize(lx, body, n, &qs, last, last + cut, &tk) == 0, "tokenize");
        CHECK(tk.n == 1 && tk.t[0].s == last && tk.t[0].e == last + cut && (tk.t[0].f & T_WORD),
              "cut %u: %zu tokens, last ends at %u", cut, tk.n, tk.n ? tk.t[tk.n - 1].e - last : 0);
    }
    /* Ending a window right after a joiner leaves the joiner out of the word. */
    uint32_t co = (uint32_t)(strstr(body, "co-chair") - body);
    CHECK(qx_tokenize(lx, body, n, &qs, co, co + 3, &tk) == 0, "tokenize");
    token_string(body, &tk, got, sizeof(got));
    CHECK(!strcmp(got, "co|-"), "window [co-): %s", got);
    free(qs.q);
    free(tk.t);
}

/* Lookups fold ASCII capitals and nothing else, at every word length (words
 * of up to 8 bytes and longer ones are stored apart). */
static void test_lexicon_folds_ascii_case_only(void)
{
    static const char *const words[] = {"said", "it's", "according", "he", "spokeswoman"};
    for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
        const char *w = words[k];
        size_t n = strlen(w);
        uint32_t cls = qx_lex_word(lx, w, n);
        CHECK(cls != 0, "%s is in the lexicon", w);
        char v[32];
        for (unsigned mask = 0; mask < (1u << n) && mask < 4096; mask++) {
            for (size_t i = 0; i < n; i++)
                v[i] = (char)((mask >> i & 1) && w[i] >= 'a' && w[i] <= 'z' ? w[i] - 32 : w[i]);
            CHECK(qx_lex_word(lx, v, n) == cls, "%.*s: %#x, want %#x", (int)n, v, qx_lex_word(lx, v, n), cls);
        }
        memcpy(v, w, n);
        v[n] = '\0';
        CHECK(qx_lex_word(lx, v, n + 1) == 0, "%s with a NUL after it is no word", w);
        CHECK(qx_lex_word(lx, v, n - 1) == 0 || !strcmp(w, "he"), "%.*s is no word", (int)n - 1, v);
        v[n - 1] = (char)(v[n - 1] ^ 0x80);
        CHECK(qx_lex_word(lx, v, n) == 0, "%s with a high bit set is no word", w);
        /* ' is 0x27: 0x07 becomes it under a fold that sets bit 5 of every byte */
        memcpy(v, w, n);
        for (size_t i = 0; i < n; i++)
            if (v[i] == '\'') v[i] = 0x07;
        CHECK(strchr(w, '\'') == NULL || qx_lex_word(lx, v, n) == 0, "%s with 0x07 for ' is no word", w);
    }
    CHECK(qx_lex_word(lx, "SAID", 4) & QX_W_CUE, "SAID is a cue");
    CHECK(qx_lex_phrase(lx, "According to", 12) & QX_W_CUE_PREP, "According to is a cue preposition");
}

/* A scratch kept across calls gives the same quotes as fresh memory. */
static void test_scratch_gives_the_same_quotes(void)
{
    static const char *const bodies[] = {
        "\"Rates will stay low,\" Smith said. \"We see no risk.\"\n\"Nor do we,\" she added.",
        "Calling Xi a \"tough negotiator,\" Trump said: \"We will see.\"",
        "No quotes here at all.",
        "“A,” he said, “B.” And then: “C.”\n“D,” said the official, a spokeswoman.",
    };
    qx_scratch_t *sx = qx_scratch_new();
    qx_quotes_t a = {0}, b = {0};
    qx_opts_t opt = {0};
    for (int round = 0; round < 3; round++)
        for (size_t k = 0; k < sizeof(bodies) / sizeof(bodies[0]); k++) {
            const char *body = bodies[k];
            CHECK(qx_extract(lx, &opt, body, strlen(body), NULL, 0, &a) == 0, "extract");
            CHECK(qx_extract_sx(lx, &opt, body, strlen(body), NULL, 0, &b, sx) == 0, "extract_sx");
            int same = a.n == b.n;
            for (size_t i = 0; same && i < a.n; i++)
                same = a.q[i].nspans == b.q[i].nspans && a.q[i].span[0][0] == b.q[i].span[0][0] &&
                       a.q[i].sp_kind == b.q[i].sp_kind && a.q[i].sp_start == b.q[i].sp_start &&
                       a.q[i].cue_end == b.q[i].cue_end && a.q[i].partial == b.q[i].partial;
            CHECK(same, "body %zu round %d: %zu vs %zu quotes", k, round, a.n, b.n);
        }
    CHECK(qx_scratch_bytes(sx) > 0, "the scratch kept its buffers");
    qx_scratch_free(sx);
    free(a.q);
    free(b.q);
}

static void test_bad_data_dir_is_an_error(void)
{
    char err[256] = "";
    qx_lex_t *bad = qx_lex_load("/nonexistent/quotes", err, sizeof(err));
    CHECK(bad == NULL && strstr(err, "cues.txt"), "want an error naming the file, got [%s]", err);
}

int main(int argc, char **argv)
{
    char err[512];
    const char *dir = argc > 1 ? argv[1] : WS_DATA_DIR "/quotes";
    lx = qx_lex_load(dir, err, sizeof(err));
    if (!lx) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    test_straight_quotes_after_pattern();
    test_curly_quotes_and_entity_canonical();
    test_guillemets();
    test_low_high_marks();
    test_nested_single_quotes_stay_inside();
    test_apostrophes_are_not_marks();
    test_split_quote_is_one_quote();
    test_split_quote_around_a_title();
    test_second_cue_keeps_quotes_apart();
    test_multi_paragraph_quote();
    test_partial_quote();
    test_titles_and_scare_quotes_are_not_quotes();
    test_said_x_with_title();
    test_x_said_colon_before();
    test_x_told_reporters_before();
    test_according_to();
    test_who_said_there_was();
    test_pronoun_resolves_to_earlier_person();
    test_pronoun_they_resolves_to_org();
    test_description_speaker();
    test_appositive_before_cue();
    test_name_in_apposition_to_description();
    test_cueless_paragraph_inherits_speaker();
    test_colon_paragraph_introduces_quote();
    test_name_without_entity_links_to_canonical();
    test_unattributed_full_quote_has_null_speaker();
    test_parenthesis_before_cue();
    test_surname_that_is_a_cue_word();
    test_participle_takes_the_clause_subject();
    test_cue_sentence_before_the_quote();
    test_colon_without_cue();
    test_two_word_cue();
    test_pull_quote_with_dash_line();
    test_cue_word_as_noun_is_not_a_cue();
    test_parenthesis_then_comma_before_cue();
    test_name_before_colon_after_dash();
    test_subject_before_appositive_and_verb_clause();
    test_garbage_never_crashes();
    test_token_reuse_is_exact();
    test_tokens_split_words_and_punctuation();
    test_tokens_match_the_reference();
    test_mark_skip_matches_a_byte_search();
    test_letters_before_matches_a_byte_loop();
    test_lexicon_folds_ascii_case_only();
    test_scratch_gives_the_same_quotes();
    test_bad_data_dir_is_an_error();
    qx_lex_free(lx);
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
