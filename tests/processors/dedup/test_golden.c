/* test_golden.c -- golden values that pin the dedup state-topic format.
 *
 * Fingerprints on the state topic (dd_fp.h) carry the exact hash, the
 * figures set and the MinHash signature.  Instances read each other's, and
 * a restarted instance reads its predecessor's.  If a change to the
 * normaliser, the word/shingle hashes, the sketch or the encoding altered
 * any of these values without bumping WS_DD_FP_VERSION, old state would
 * silently stop matching new articles.  So the expected values below were
 * computed once from the code and are hard-coded: such a change must fail
 * here, and whoever makes it must bump the version (and update this file).
 *
 * Run: test_golden [NAME]; `test_golden --print` prints the current values
 * (only to regenerate after a deliberate, versioned format change).
 * Texts are written here, never taken from data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dd_fp.h"
#include "dd_norm.h"
#include "dd_sketch.h"
#include "dd_store.h"

#include "dd_check.h"

static int print_mode;

/* The shipped defaults: shingle 5, 96 signature bytes, min_length 100. */
#define SHINGLE 5
#define K 96
#define MIN_WORDS 100
#define TS 1764288000u   /* 2025-11-28T00:00:00Z */

/* ------------------------------------------------------------ texts */

/* A made-up wire story of over 100 words, with figures. */
static const char LONG_TEXT[] =
    "The harbour council of Westmere voted on Tuesday to close the old ferry pier "
    "for repairs, ending a service that has run since 1952. Officials said the work "
    "would cost 4.2 million and take about 18 months. Commuters who use the crossing "
    "each morning will be moved to a bus route around the bay, which adds roughly "
    "25 minutes to the journey. The council leader told reporters that the timber "
    "piles had rotted faster than expected after two wet winters, and that an "
    "engineer's report in March found cracks in the main deck. Local traders fear "
    "lost custom during the summer season. A public meeting is planned for next "
    "week at the town hall, where residents can put questions to the project team.";

/* The same words with other case, spacing, quotes and punctuation. */
static const char LONG_VARIANT[] =
    "  THE HARBOUR COUNCIL of westmere -- voted on tuesday, to close the \"old\" ferry pier\n"
    "for repairs; ending a service that has run since 1952!\t\tOfficials said: the work\r\n"
    "would cost 4.2 million ... and take about 18 months.   Commuters (who use the crossing\n"
    "each morning) will be moved to a bus route around the bay - which adds roughly\n"
    "25 minutes to the journey?? The Council Leader told reporters that the timber\n"
    "piles had rotted faster than expected after two wet winters and that an\n"
    "engineer's report in march found cracks in the main deck...Local traders fear\n"
    "lost custom during the summer season; a public meeting is planned for next\n"
    "week at the Town Hall, where residents can put questions to the project team";

/* Accented Latin, Greek and Cyrillic (UTF-8), with mixed case. */
static const char INTL_TEXT[] =
    "Le caf\xc3\xa9 de la Gare \xc3\xa0 Besan\xc3\xa7on rouvre le 3 mai. "
    "\xce\x97 \xce\x91\xce\xb8\xce\xae\xce\xbd\xce\xb1 \xce\xba\xce\xb1\xce\xb9 "
    "\xce\xb7 \xce\xa3\xcf\x80\xce\xac\xcf\x81\xcf\x84\xce\xb7 "
    "\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0 \xd0\xb8 "
    "\xd0\x9a\xd0\xb8\xd0\xb5\xd0\xb2 2026.";
/* Its upper-case form: the same exact hash.  (Greek capitals with tonos,
 * U+0386-U+038F, are not folded by dd_norm.c today, so the Greek words
 * that carry one keep their small letters here.  Folding them later would
 * change the exact hash of such texts, and the values below with it.) */
static const char INTL_UPPER[] =
    "LE CAF\xc3\x89 DE LA GARE \xc3\x80 BESAN\xc3\x87ON ROUVRE LE 3 MAI "
    "\xce\x97 \xce\x91\xce\xb8\xce\xae\xce\xbd\xce\xb1 \xce\x9a\xce\x91\xce\x99 "
    "\xce\x97 \xce\xa3\xcf\x80\xce\xac\xcf\x81\xcf\x84\xce\xb7 "
    "\xd0\x9c\xd0\x9e\xd0\xa1\xd0\x9a\xd0\x92\xd0\x90 \xd0\x98 "
    "\xd0\x9a\xd0\x98\xd0\x95\xd0\x92 2026";

/* Well below min_length: its fingerprint has no signature. */
static const char SHORT_TEXT[] = "Markets closed 1.5% higher on Friday, led by banks.";
static const char SHORT_VARIANT[] = "markets CLOSED 1.5%  higher on friday -- led by BANKS";

/* ------------------------------------------------------------ golden values */

typedef struct {
    const char *name;
    uint64_t exact;
    uint32_t words;
    uint64_t figures;
    uint64_t sig_digest;        /* FNV-1a 64 of the K signature bytes */
    uint8_t sig_head[8];        /* the first 8 signature bytes */
    size_t fp_len;              /* encoded fingerprint length */
    uint64_t fp_digest;         /* FNV-1a 64 of the encoded fingerprint */
    uint8_t fp_head[32];        /* its first 32 bytes (all of it when shorter) */
} golden_t;

static const golden_t G_LONG = { "long",
    0xd093a6fac12abdb8ULL, 125, 0x0800010000410100ULL,
    0x976c49717ce2cbffULL, { 0x08, 0x5b, 0xbc, 0x4f, 0x67, 0x57, 0x3c, 0x88 },
    120, 0x2ba462b5afef253aULL,
    { 0x01, 0x04, 0x05, 0x60, 0x00, 0xe6, 0x28, 0x69,
     0xb8, 0xbd, 0x2a, 0xc1, 0xfa, 0xa6, 0x93, 0xd0,
     0x00, 0x01, 0x41, 0x00, 0x00, 0x01, 0x00, 0x08,
     0x08, 0x5b, 0xbc, 0x4f, 0x67, 0x57, 0x3c, 0x88 } };
static const golden_t G_INTL = { "intl",
    0x49c3dcfb250b037cULL, 20, 0x0000000000800001ULL,
    0x94a956ab4635f4ddULL, { 0x08, 0xf5, 0x52, 0x5f, 0x57, 0x64, 0x33, 0x3e },
    24, 0x074f6cf45c69c09bULL,
    { 0x01, 0x00, 0x05, 0x00, 0x00, 0xe6, 0x28, 0x69,
     0x7c, 0x03, 0x0b, 0x25, 0xfb, 0xdc, 0xc3, 0x49,
     0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00 } };
static const golden_t G_SHORT = { "short",
    0xc0b0386728e14ea0ULL, 10, 0x0002000000080000ULL,
    0xb5a88987bbf8af25ULL, { 0xcd, 0x88, 0xcd, 0x19, 0x19, 0xdc, 0x88, 0xcd },
    24, 0x079535444675451aULL,
    { 0x01, 0x00, 0x05, 0x00, 0x00, 0xe6, 0x28, 0x69,
     0xa0, 0x4e, 0xe1, 0x28, 0x67, 0x38, 0xb0, 0xc0,
     0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x02, 0x00 } };
/* LONG_TEXT 25 times over (over WS_DD_WORD_RING words: pins the ring
 * flushes of the shingle pass). */
static const golden_t G_HUGE = { "huge",
    0x3b48a678bdf3c8aeULL, 3125, 0x0800010000410100ULL,
    0xca120f1810c78696ULL, { 0x08, 0x5b, 0xbc, 0x4f, 0x67, 0x57, 0x3c, 0x88 },
    120, 0xcc85a37daabe5cc3ULL,
    { 0x01, 0x04, 0x05, 0x60, 0x00, 0xe6, 0x28, 0x69,
     0xae, 0xc8, 0xf3, 0xbd, 0x78, 0xa6, 0x48, 0x3b,
     0x00, 0x01, 0x41, 0x00, 0x00, 0x01, 0x00, 0x08,
     0x08, 0x5b, 0xbc, 0x4f, 0x67, 0x57, 0x3c, 0x88 } };

/* ------------------------------------------------------------ helpers */

static uint64_t fnv64(const uint8_t *p, size_t n) {
    uint64_t h = 0xCBF29CE484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001B3ULL;
    return h;
}

typedef struct {
    ws_dd_norm_t nm;
    int has_sig;
    uint8_t sig[K];
    size_t fp_len;
    uint8_t fp[WS_DD_FP_HEADER + K];
} result_t;

/* What dedup.c writes for a new article: scan, sketch, and a signature
 * only at min_length words or more (but the signature is computed, and
 * pinned, for every text). */
static void compute(const char *body, size_t n, result_t *r) {
    ws_dd_sketch_t sk;
    memset(r, 0, sizeof(*r));
    ws_dd_sketch_init(&sk, K);
    ws_dd_scan(body, n, SHINGLE, &r->nm, &sk);
    r->has_sig = ws_dd_sketch_finish(&sk, r->sig) == 0;
    int with_sig = r->has_sig && r->nm.words >= MIN_WORDS;
    ws_dd_fp_t fp = { with_sig ? WS_DD_F_SIG : 0, SHINGLE, K, TS, r->nm.exact,
                      with_sig ? r->sig : NULL, r->nm.figures };
    r->fp_len = ws_dd_fp_encode(&fp, r->fp, sizeof(r->fp));
}

static void print_golden(const char *name, const result_t *r) {
    printf("static const golden_t G_%s = { \"%s\",\n    0x%016llxULL, %u, 0x%016llxULL,\n"
           "    0x%016llxULL, {", name, name, (unsigned long long)r->nm.exact, r->nm.words,
           (unsigned long long)r->nm.figures, (unsigned long long)fnv64(r->sig, K));
    for (int i = 0; i < 8; i++) printf("%s0x%02x", i ? ", " : " ", r->sig[i]);
    printf(" },\n    %zu, 0x%016llxULL,\n    {", r->fp_len,
           (unsigned long long)fnv64(r->fp, r->fp_len));
    for (size_t i = 0; i < 32 && i < r->fp_len; i++)
        printf("%s0x%02x", i == 0 ? " " : (i % 8 == 0 ? ",\n     " : ", "), r->fp[i]);
    printf(" } };\n");
}

static void check_golden(const golden_t *g, const result_t *r) {
    CHECK(r->nm.exact == g->exact, "%s: exact hash 0x%016llx, want 0x%016llx", g->name,
          (unsigned long long)r->nm.exact, (unsigned long long)g->exact);
    CHECK(r->nm.words == g->words, "%s: %u words, want %u", g->name, r->nm.words, g->words);
    CHECK(r->nm.figures == g->figures, "%s: figures 0x%016llx, want 0x%016llx", g->name,
          (unsigned long long)r->nm.figures, (unsigned long long)g->figures);
    CHECK(r->has_sig, "%s: no signature", g->name);
    CHECK(memcmp(r->sig, g->sig_head, 8) == 0, "%s: first signature bytes differ", g->name);
    CHECK(fnv64(r->sig, K) == g->sig_digest, "%s: signature digest 0x%016llx, want 0x%016llx",
          g->name, (unsigned long long)fnv64(r->sig, K), (unsigned long long)g->sig_digest);
    CHECK(r->fp_len == g->fp_len, "%s: fingerprint length %zu, want %zu", g->name, r->fp_len,
          g->fp_len);
    size_t head = r->fp_len < 32 ? r->fp_len : 32;
    CHECK(memcmp(r->fp, g->fp_head, head) == 0, "%s: fingerprint bytes differ", g->name);
    CHECK(fnv64(r->fp, r->fp_len) == g->fp_digest,
          "%s: fingerprint digest 0x%016llx, want 0x%016llx", g->name,
          (unsigned long long)fnv64(r->fp, r->fp_len), (unsigned long long)g->fp_digest);
}

static char *huge_text(size_t *n) {
    size_t l = strlen(LONG_TEXT);
    char *t = malloc(25 * (l + 1) + 1);
    if (!t) return NULL;
    for (int i = 0; i < 25; i++) {
        memcpy(t + i * (l + 1), LONG_TEXT, l);
        t[i * (l + 1) + l] = ' ';
    }
    *n = 25 * (l + 1);
    t[*n] = 0;
    return t;
}

/* ------------------------------------------------------------ tests */

static void test_values(void) {
    result_t r;
    size_t hn = 0;
    char *huge = huge_text(&hn);
    CHECK(huge != NULL, "allocation");
    if (!huge) return;
    if (print_mode) {
        compute(LONG_TEXT, strlen(LONG_TEXT), &r);
        print_golden("LONG", &r);
        compute(INTL_TEXT, strlen(INTL_TEXT), &r);
        print_golden("INTL", &r);
        compute(SHORT_TEXT, strlen(SHORT_TEXT), &r);
        print_golden("SHORT", &r);
        compute(huge, hn, &r);
        print_golden("HUGE", &r);
        free(huge);
        return;
    }
    compute(LONG_TEXT, strlen(LONG_TEXT), &r);
    check_golden(&G_LONG, &r);
    CHECK(r.nm.words >= MIN_WORDS && r.fp_len == WS_DD_FP_HEADER + K,
          "long text carries a signature");
    compute(INTL_TEXT, strlen(INTL_TEXT), &r);
    check_golden(&G_INTL, &r);
    compute(SHORT_TEXT, strlen(SHORT_TEXT), &r);
    check_golden(&G_SHORT, &r);
    CHECK(r.nm.words < MIN_WORDS && r.fp_len == WS_DD_FP_HEADER, "short text: header only");
    compute(huge, hn, &r);
    check_golden(&G_HUGE, &r);
    CHECK(r.nm.words > WS_DD_WORD_RING, "huge text spans the word ring (%u words)", r.nm.words);
    free(huge);
}

/* Variants in case, spacing and punctuation share the exact hash, the
 * figures and the signature: that is what makes the values above pin
 * the normalisation and not just one string. */
static void test_variants(void) {
    static const char *pairs[][2] = {
        { LONG_TEXT, LONG_VARIANT },
        { INTL_TEXT, INTL_UPPER },
        { SHORT_TEXT, SHORT_VARIANT },
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        result_t a, b;
        compute(pairs[i][0], strlen(pairs[i][0]), &a);
        compute(pairs[i][1], strlen(pairs[i][1]), &b);
        CHECK(a.nm.exact == b.nm.exact, "pair %zu: exact hash differs", i);
        CHECK(a.nm.words == b.nm.words, "pair %zu: words %u vs %u", i, a.nm.words, b.nm.words);
        CHECK(a.nm.figures == b.nm.figures, "pair %zu: figures differ", i);
        CHECK(memcmp(a.sig, b.sig, K) == 0, "pair %zu: signature differs", i);
        CHECK(a.fp_len == b.fp_len && memcmp(a.fp, b.fp, a.fp_len) == 0,
              "pair %zu: fingerprint differs", i);
    }
    /* Accented Greek capitals fold like plain ones: "ΑΘΉΝΑ ΚΑΙ ΣΠΆΡΤΗ" is
     * "Αθήνα και Σπάρτη". */
    {
        static const char lower_gr[] = "\xce\x91\xce\xb8\xce\xae\xce\xbd\xce\xb1 "
            "\xce\xba\xce\xb1\xce\xb9 \xce\xa3\xcf\x80\xce\xac\xcf\x81\xcf\x84\xce\xb7";
        static const char upper_gr[] = "\xce\x91\xce\x98\xce\x89\xce\x9d\xce\x91 "
            "\xce\x9a\xce\x91\xce\x99 \xce\xa3\xce\xa0\xce\x86\xce\xa1\xce\xa4\xce\x97";
        result_t g1, g2;
        compute(lower_gr, strlen(lower_gr), &g1);
        compute(upper_gr, strlen(upper_gr), &g2);
        CHECK(g1.nm.exact == g2.nm.exact, "accented Greek capitals fold to small letters");
    }
    /* And a real change is seen. */
    result_t a, b;
    compute(SHORT_TEXT, strlen(SHORT_TEXT), &a);
    static const char changed[] = "Markets closed 1.6% higher on Friday, led by banks.";
    compute(changed, strlen(changed), &b);
    CHECK(a.nm.exact != b.nm.exact && a.nm.figures != b.nm.figures, "changed figure is seen");
}

/* The two-step scan (dedup.c's path) gives the same values as ws_dd_scan. */
static void test_two_step_scan(void) {
    static ws_dd_scanner_t sc;   /* 16 KB: keep it off the stack */
    size_t hn = 0;
    char *huge = huge_text(&hn);
    CHECK(huge != NULL, "allocation");
    if (!huge) return;
    const char *texts[] = { LONG_TEXT, INTL_TEXT, SHORT_TEXT, huge };
    for (size_t i = 0; i < 4; i++) {
        size_t n = i == 3 ? hn : strlen(texts[i]);
        result_t r;
        ws_dd_sketch_t sk;
        ws_dd_norm_t nm;
        uint8_t sig[K];
        compute(texts[i], n, &r);
        ws_dd_sketch_init(&sk, K);
        ws_dd_scan_words(&sc, texts[i], n, SHINGLE, &nm, &sk);
        ws_dd_scan_sketch(&sc);
        CHECK(ws_dd_sketch_finish(&sk, sig) == 0, "text %zu: sketch", i);
        CHECK(nm.exact == r.nm.exact && nm.words == r.nm.words && nm.figures == r.nm.figures,
              "text %zu: two-step norm differs", i);
        CHECK(memcmp(sig, r.sig, K) == 0, "text %zu: two-step signature differs", i);
    }
    free(huge);
}

/* decode(encode(fp)) gives back every field; another version byte, or a
 * changed length, is refused. */
static void test_round_trip_and_version(void) {
    const char *texts[] = { LONG_TEXT, SHORT_TEXT };
    for (size_t i = 0; i < 2; i++) {
        result_t r;
        ws_dd_fp_t out;
        compute(texts[i], strlen(texts[i]), &r);
        CHECK(r.fp[0] == WS_DD_FP_VERSION && WS_DD_FP_VERSION == 1, "version byte is 1");
        CHECK(ws_dd_fp_decode(r.fp, r.fp_len, &out) == 0, "text %zu: decode", i);
        int sig = r.fp_len > WS_DD_FP_HEADER;
        CHECK(out.flags == (sig ? WS_DD_F_SIG : 0u) && out.shingle == SHINGLE &&
              out.k == (sig ? K : 0u) && out.ts == TS && out.exact == r.nm.exact &&
              out.figures == r.nm.figures, "text %zu: fields", i);
        CHECK(sig ? (out.sig && memcmp(out.sig, r.sig, K) == 0) : out.sig == NULL,
              "text %zu: signature", i);
        /* Re-encoding the decoded value gives the same bytes. */
        uint8_t again[WS_DD_FP_HEADER + K];
        size_t n2 = ws_dd_fp_encode(&out, again, sizeof(again));
        CHECK(n2 == r.fp_len && memcmp(again, r.fp, n2) == 0, "text %zu: re-encode", i);

        uint8_t other[WS_DD_FP_HEADER + K];
        memcpy(other, r.fp, r.fp_len);
        for (unsigned v = 0; v < 256; v++) {
            if (v == WS_DD_FP_VERSION) continue;
            other[0] = (uint8_t)v;
            CHECK(ws_dd_fp_decode(other, r.fp_len, &out) < 0, "text %zu: version %u accepted",
                  i, v);
        }
        CHECK(ws_dd_fp_decode(r.fp, r.fp_len - 1, &out) < 0, "text %zu: truncated accepted", i);
    }
}

static const test_t tests[] = {
    { "values", test_values },
    { "variants", test_variants },
    { "two_step", test_two_step_scan },
    { "round_trip", test_round_trip_and_version },
};

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--print")) {
        print_mode = 1;
        test_values();
        return failures ? 1 : 0;
    }
    return dd_run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
