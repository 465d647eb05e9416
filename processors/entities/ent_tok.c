/* ent_tok.c -- UTF-8 tokenizer for entity tagging.
 *
 * Words are runs of letters and digits; numbers keep their inner "." "," ":"
 * (1.13, 464,000, 11:30); dotted abbreviations stay whole (U.S., a.m.) and so
 * do known abbreviations followed by a period (Oct., Inc.); the possessive 's
 * is split off; hyphens are tokens of their own.  Every token also gets the
 * shape flags the tagger needs (capitalised, all caps, sentence start,
 * headline line), so later stages never look at bytes again except to
 * compare text.  Invalid UTF-8 bytes are treated as single symbols.
 *
 * Two paths make the same tokens: word_loop takes plain ASCII words, ASCII
 * punctuation and spaces (nearly all of news text) from bit masks of the
 * text; general_step takes one token of any kind, byte by byte.  The unit
 * tests compare the two on hostile text. */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include "ent.h"
#include "ent_kb.h"

/* Decode one code point; *n receives its byte length (1 for a bad byte). */
static inline uint32_t u8_decode(const unsigned char *s, size_t len, size_t *n)
{
    unsigned c = s[0];
    if (c < 0x80) { *n = 1; return c; }
    if (c >= 0xC2 && c < 0xE0 && len >= 2 && (s[1] & 0xC0) == 0x80) {
        *n = 2; return ((c & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    }
    if (c >= 0xE0 && c < 0xF0 && len >= 3 && (s[1] & 0xC0) == 0x80 &&
        (s[2] & 0xC0) == 0x80) {
        uint32_t cp = ((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
        if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) { *n = 3; return cp; }
    }
    if (c >= 0xF0 && c < 0xF5 && len >= 4 && (s[1] & 0xC0) == 0x80 &&
        (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80) {
        uint32_t cp = ((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) |
                      ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
        if (cp >= 0x10000 && cp <= 0x10FFFF) { *n = 4; return cp; }
    }
    *n = 1;
    return 0xFFFD;
}

enum { CC_OTHER = 0, CC_SPACE, CC_NL, CC_UPPER, CC_LOWER, CC_LETTER, CC_DIGIT };

/* Character class.  Outside ASCII we know the case of Latin, Greek and
 * Cyrillic letters; other scripts count as caseless letters, and the
 * punctuation/symbol blocks as symbols. */
static inline int cclass(uint32_t c)
{
    if (c < 0x80) {
        if (c == '\n') return CC_NL;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') return CC_SPACE;
        if (c >= 'A' && c <= 'Z') return CC_UPPER;
        if (c >= 'a' && c <= 'z') return CC_LOWER;
        if (c >= '0' && c <= '9') return CC_DIGIT;
        return CC_OTHER;
    }
    if (c == 0xA0 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F ||
        c == 0x3000) return CC_SPACE;
    if (c == 0x2028 || c == 0x2029 || c == 0x85) return CC_NL;
    if (c < 0xC0) return (c == 0xAA || c == 0xB5 || c == 0xBA) ? CC_LOWER : CC_OTHER;
    if (c == 0xD7 || c == 0xF7) return CC_OTHER;
    if (c <= 0xDE) return CC_UPPER;
    if (c <= 0xFF) return CC_LOWER;
    if (c <= 0x17F) return (c & 1) ? CC_LOWER : CC_UPPER;   /* Latin Extended-A, roughly */
    if (c >= 0x391 && c <= 0x3A9) return CC_UPPER;
    if (c >= 0x3B1 && c <= 0x3C9) return CC_LOWER;
    if (c >= 0x400 && c <= 0x42F) return CC_UPPER;
    if (c >= 0x430 && c <= 0x45F) return CC_LOWER;
    if ((c >= 0x2010 && c <= 0x2BFF) || (c >= 0x3001 && c <= 0x303F) ||
        (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF0F) ||
        (c >= 0xFFF0 && c <= 0xFFFF) || c >= 0x1F000) return CC_OTHER;
    return CC_LETTER;
}

/* ASCII classes, filled on first use (tokenizing is the hot path). */
static const uint8_t ascii_cc[128] = {
    ['\t'] = CC_SPACE, ['\n'] = CC_NL, ['\v'] = CC_SPACE, ['\f'] = CC_SPACE, ['\r'] = CC_SPACE,
    [' '] = CC_SPACE,
    ['0'] = CC_DIGIT, ['1'] = CC_DIGIT, ['2'] = CC_DIGIT, ['3'] = CC_DIGIT, ['4'] = CC_DIGIT,
    ['5'] = CC_DIGIT, ['6'] = CC_DIGIT, ['7'] = CC_DIGIT, ['8'] = CC_DIGIT, ['9'] = CC_DIGIT,
    ['A'] = CC_UPPER, ['B'] = CC_UPPER, ['C'] = CC_UPPER, ['D'] = CC_UPPER, ['E'] = CC_UPPER,
    ['F'] = CC_UPPER, ['G'] = CC_UPPER, ['H'] = CC_UPPER, ['I'] = CC_UPPER, ['J'] = CC_UPPER,
    ['K'] = CC_UPPER, ['L'] = CC_UPPER, ['M'] = CC_UPPER, ['N'] = CC_UPPER, ['O'] = CC_UPPER,
    ['P'] = CC_UPPER, ['Q'] = CC_UPPER, ['R'] = CC_UPPER, ['S'] = CC_UPPER, ['T'] = CC_UPPER,
    ['U'] = CC_UPPER, ['V'] = CC_UPPER, ['W'] = CC_UPPER, ['X'] = CC_UPPER, ['Y'] = CC_UPPER,
    ['Z'] = CC_UPPER,
    ['a'] = CC_LOWER, ['b'] = CC_LOWER, ['c'] = CC_LOWER, ['d'] = CC_LOWER, ['e'] = CC_LOWER,
    ['f'] = CC_LOWER, ['g'] = CC_LOWER, ['h'] = CC_LOWER, ['i'] = CC_LOWER, ['j'] = CC_LOWER,
    ['k'] = CC_LOWER, ['l'] = CC_LOWER, ['m'] = CC_LOWER, ['n'] = CC_LOWER, ['o'] = CC_LOWER,
    ['p'] = CC_LOWER, ['q'] = CC_LOWER, ['r'] = CC_LOWER, ['s'] = CC_LOWER, ['t'] = CC_LOWER,
    ['u'] = CC_LOWER, ['v'] = CC_LOWER, ['w'] = CC_LOWER, ['x'] = CC_LOWER, ['y'] = CC_LOWER,
    ['z'] = CC_LOWER,
};

/* Class of the character at s[p]; *n receives its length. */
static inline int cc_at(const unsigned char *s, size_t len, size_t p, size_t *n, uint32_t *cp)
{
    if (s[p] < 0x80) {
        *n = 1;
        if (cp) *cp = s[p];
        return ascii_cc[s[p]];
    }
    uint32_t c = u8_decode(s + p, len - p, n);
    if (cp) *cp = c;
    return cclass(c);
}

static inline int is_alnum_cc(int k) { return k >= CC_UPPER; }
static int is_letter_cc(int k) { return k >= CC_UPPER && k <= CC_LETTER; }

static int is_apos(uint32_t c) { return c == '\'' || c == 0x2019 || c == 0x2BC; }
static int is_quote(uint32_t c)
{
    return c == '"' || c == 0x201C || c == 0x201D || c == 0x201E || c == 0xAB ||
           c == 0xBB || c == 0x2018 || c == 0x2019 || c == '\'';
}
static int is_dash(uint32_t c) { return c == '-' || (c >= 0x2010 && c <= 0x2015); }

/* Case-fold hash (FNV-1a): ASCII and Latin-1 letters fold to lower case, so
 * "CHINA", "China" and "china" share a hash; text is compared afterwards. */
/* Hash of a token made of ASCII letters and digits only: eight bytes at a
 * time.  OR-ing 0x20 into such bytes folds case exactly (digits already
 * have the bit). */
static inline uint64_t hash_alnum(const unsigned char *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);       /* a fixed-size copy compiles to one load */
        h = (h ^ (w | 0x2020202020202020ull)) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    if (n) {
        /* assemble the tail in a register: a short memcpy here stalls */
        uint64_t w = 0;
        switch (n) {
        case 7: w |= (uint64_t)p[6] << 48; /* fall through */
        case 6: w |= (uint64_t)p[5] << 40; /* fall through */
        case 5: w |= (uint64_t)p[4] << 32; /* fall through */
        case 4: w |= (uint64_t)p[3] << 24; /* fall through */
        case 3: w |= (uint64_t)p[2] << 16; /* fall through */
        case 2: w |= (uint64_t)p[1] << 8;  /* fall through */
        default: w |= p[0];
        }
        h = (h ^ (w | (0x2020202020202020ull >> (8 * (8 - n))))) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    return h;
}

uint64_t ent_hash_token(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t k = 0;
    if (len == 1 && p[0] < 0x80 && ascii_cc[p[0]] < CC_UPPER)
        return (0xcbf29ce484222325ull ^ p[0]) * 0x100000001b3ull;   /* punctuation */
    while (k < len && p[k] < 0x80 && ascii_cc[p[k]] >= CC_UPPER) k++;
    if (k == len) return hash_alnum(p, len);
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++) {
        unsigned c = p[i];
        if (c < 0x80) {
            c |= (unsigned)(ascii_cc[c] == CC_UPPER) << 5;     /* ASCII lower case */
        } else if (c == 0xC3 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9E &&
                   p[i + 1] != 0x97) {
            h ^= c; h *= 0x100000001b3ull;
            c = p[++i] + 32;
        } else if (c == 0xE2 && i + 2 < len && p[i + 1] == 0x80 && p[i + 2] == 0x99) {
            /* Curly apostrophes hash like straight ones. */
            c = '\''; i += 2;
        }
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Dotted abbreviation at p: two or more "letter." pairs (U.S., a.m., U.S.A.).
 * Returns its byte length or 0. */
static size_t dotted(const unsigned char *s, size_t len, size_t p)
{
    size_t q = p, pairs = 0, n;
    while (q < len) {
        uint32_t c = u8_decode(s + q, len - q, &n);
        if (!is_letter_cc(cclass(c)) || q + n >= len || s[q + n] != '.') break;
        q += n + 1;
        pairs++;
        /* a letter right after the dot must itself be a one-letter pair */
        if (q < len) {
            size_t n2;
            uint32_t c2 = u8_decode(s + q, len - q, &n2);
            if (is_alnum_cc(cclass(c2)) && !(q + n2 < len && s[q + n2] == '.')) {
                return 0;
            }
        }
    }
    return pairs >= 2 ? q - p : 0;
}

static void shape(const unsigned char *s, ent_tok_t *t)
{
    size_t i = t->start, n;
    int first = 1, up = 0, low = 0, later_up = 0;
    while (i < t->end) {
        int k = cc_at(s, t->end, i, &n, NULL);
        if (first && is_alnum_cc(k)) {
            if (k == CC_UPPER) t->flags |= TF_CAP;
            else if (k == CC_LOWER) t->flags |= TF_LOWER;
            else if (k == CC_DIGIT) t->flags |= TF_DIGIT;
            first = 0;
        } else if (k == CC_UPPER) later_up = 1;
        if (k == CC_UPPER) up++;
        else if (k == CC_LOWER) low++;
        i += n;
    }
    if (up && !low) t->flags |= TF_UPPER;
    if (later_up && low) t->flags |= TF_MIXED;
}

/* A title-case headline line ("Rural Mayors Back Coastal Flood Plan for
 * Somerset Levels"): at most 20 words and no numbers, every word longer than
 * three letters capitalised unless it is a function word, and at least two
 * capitalised ordinary words (a list of names or a results line has none). */
static int title_case_line(const ent_kb_t *kb, const char *text, const ent_tok_t *toks,
                           size_t i, size_t j)
{
    size_t caps = 0, words = 0, common = 0;
    (void)text;
    /* cheap checks first: most lines are prose and fail at once */
    for (size_t m = i; m < j; m++) {
        const ent_tok_t *t = &toks[m];
        if (t->flags & TF_DIGIT) return 0;
        if (!(t->flags & TF_WORD)) continue;
        if (++words > 20) return 0;
        if (t->flags & TF_CAP) caps++;
        else if ((t->flags & TF_LOWER) && t->end - t->start > 3 &&
                 !(ent_kb_classes(kb, t->h) & (CL_CONNECT | CL_LOCPREP)))
            return 0;
    }
    if (caps < 3) return 0;
    for (size_t m = i; m < j; m++) {
        const ent_tok_t *t = &toks[m];
        if (!(t->flags & TF_CAP) || (t->flags & TF_UPPER) || (t->flags & TF_DIGIT)) continue;
        unsigned cl = ent_kb_classes(kb, t->h);
        if ((cl & CL_COMMON) && !(cl & (CL_GIVEN | CL_SURNAME))) common++;
    }
    return common >= 2;
}

size_t ent_tokenize(const ent_kb_t *kb, const char *text, size_t len, ent_tok_t *toks)
{
    return ent_tokenize_cap(kb, text, len, toks, len + 1);
}

/* Shape bits of ASCII letters and digits (0 for every other byte), so the
 * word loop folds a whole word's shape with one OR per byte. */
enum { SH_UP = 1, SH_LOW = 2, SH_DIG = 4 };
#define STOP_ANY 0x80
#define STOP(b) (tt.stop[b] & 3)

/* Flags of a plain ASCII word from the shape of its first byte (f) and of
 * the rest (r): the same rules as shape(), for the tables below. */
#define WF(f, r) (TF_WORD | ((f) == SH_UP ? TF_CAP : (f) == SH_LOW ? TF_LOWER : TF_DIGIT) | \
    ((((f) | (r)) & (SH_UP | SH_LOW)) == SH_UP ? TF_UPPER : 0) | \
    ((((f) | (r)) & SH_LOW) && ((r) & SH_UP) ? TF_MIXED : 0) | \
    (((r) & SH_DIG) && (((f) | (r)) & (SH_UP | SH_LOW)) ? TF_HASDIGIT : 0))

/* The headline test (line_done) counts, per line, the words, the words in
 * capitals (not numbers), the numbers and the capitalised words: four
 * 16-bit fields of one counter, added per word (punctuation adds nothing).
 * A field is moved to a wide count (lc_spill) once its bit 15 is set, long
 * before it could carry into the next. */
#define LC_W 0
#define LC_U 16
#define LC_D 32
#define LC_C 48
#define LC_FIELD(lc, f) ((size_t)(((lc) >> (f)) & 0xFFFFu))
#define LC_HIGH 0x8000800080008000ull
#define LINE_INC(fl) ((uint64_t)1 << LC_W |                                             \
                      (uint64_t)(((fl) & (TF_UPPER | TF_DIGIT)) == TF_UPPER) << LC_U | \
                      (uint64_t)(((fl) & TF_DIGIT) != 0) << LC_D |                    \
                      (uint64_t)(((fl) & TF_CAP) != 0) << LC_C)

#define SHU(c) [c] = SH_UP, [c + 32] = SH_LOW
#define S1 (STOP_ANY | 1)
#define S2 (STOP_ANY | 2)
#define S3 (STOP_ANY | 3)
#define ST3(c) [c] = S3, [c + 32] = S3
#define WS2_16 S2, S2, S2, S2, S2, S2, S2, S2, S2, S2, S2, S2, S2, S2, S2, S2
#define LB(n) ((n) >= 8 ? ~0ull : (1ull << ((8 * (n)) & 63)) - 1)   /* & 63: no shift warning in the branch not taken */
#define HS(n) (0x9E3779B97F4A7C15ull ^ (n))
#define RL(n) (0x6060606060606060ull & ~0xFFull & LB(n))
#define WF_ROW(f) WF(f, 0), WF(f, 1), WF(f, 2), WF(f, 3), WF(f, 4), WF(f, 5), WF(f, 6), WF(f, 7)
#define WL(f, r) LINE_INC(WF(f, r))
#define WL_ROW(f) WL(f, 0), WL(f, 1), WL(f, 2), WL(f, 3), WL(f, 4), WL(f, 5), WL(f, 6), WL(f, 7)
#define C20 0x2020202020202020ull
/* word_fl/word_lc indexes: a first byte (< 128), or WI_SHAPE + f * 8 + r */
#define WI_SHAPE 128
#define SHB(c) ((c) >= '0' && (c) <= '9' ? SH_DIG : (c) >= 'A' && (c) <= 'Z' ? SH_UP : \
                (c) >= 'a' && (c) <= 'z' ? SH_LOW : 0)
#define WFB(c) [c] = (SHB(c) ? WF(SHB(c), SH_LOW) : 0u)
#define WLB(c) [c] = (SHB(c) ? LINE_INC(WF(SHB(c), SH_LOW)) : 0u)
#define WFB8(c) WFB(c), WFB(c + 1), WFB(c + 2), WFB(c + 3), WFB(c + 4), WFB(c + 5), WFB(c + 6), \
                WFB(c + 7)
#define WLB8(c) WLB(c), WLB(c + 1), WLB(c + 2), WLB(c + 3), WLB(c + 4), WLB(c + 5), WLB(c + 6), \
                WLB(c + 7)

/* The word loop's tables, in one object: position-independent code then
 * needs one address for all of them, not one per table and use. */
static const struct {
    /* SH_* of every byte */
    uint8_t shape[256];
    /* What a byte right after a run of ASCII letters and digits means for
     * the fast path: 0 the word ends; 1 it may glue a number or take a
     * period (. , :), look closer; 2 let the general code decide (' & and
     * non-ASCII, all 256 bytes so a word's next byte needs no range test);
     * 3 a letter or digit: the word goes on (past the word loop's window).
     * Those values are in the low two bits (STOP()), and STOP_ANY is set
     * with them; the space has TF_SPACE, the flag it gives the next token. */
    uint8_t stop[256];
    /* A plain ASCII word's flags and its LINE_INC, at one index (WI_*):
     * below 128 its first byte b when the bytes after it are lower-case
     * letters (or there are none and b is not a capital), so the common
     * word needs no shape lookups; else WI_SHAPE + f * 8 + r by the shape
     * of its first byte (f) and of the rest (r). */
    uint64_t word_lc[WI_SHAPE + 64];
    uint32_t word_fl[WI_SHAPE + 64];
    /* The low n bytes of a word, 0 <= n <= 8 (a table: a shift by 64 is
     * undefined, and a load is one instruction). */
    uint64_t low_bytes[9];
    /* hash_alnum's seed for a word of n bytes, 0 <= n <= 16 */
    uint64_t hseed[17];
    /* hash_alnum's first step for n <= 8 bytes, seed ^ ((w | C20) & low),
     * as (w & hmask[n]) ^ hseed8[n]: the case bits folded into the seed */
    uint64_t hmask[9], hseed8[9];
    /* Bits 5 and 6 (0x60: among letters and digits, both are set in
     * lower-case letters only) of a word's bytes after its first, n <= 8;
     * for n = 1, bit 5 of the first byte (clear in capitals only): a
     * one-letter capital word is in capitals, not a lower-case one. */
    uint64_t rest_low[9];
    /* ~rest_low[n]: (w | rest_nlow[n]) is all ones when rest_low's bits
     * are set in w (an OR and a compare, no negation) */
    uint64_t rest_nlow[9];
} tt = {
    .shape = {
        ['0'] = SH_DIG, ['1'] = SH_DIG, ['2'] = SH_DIG, ['3'] = SH_DIG, ['4'] = SH_DIG,
        ['5'] = SH_DIG, ['6'] = SH_DIG, ['7'] = SH_DIG, ['8'] = SH_DIG, ['9'] = SH_DIG,
        SHU('A'), SHU('B'), SHU('C'), SHU('D'), SHU('E'), SHU('F'), SHU('G'), SHU('H'),
        SHU('I'), SHU('J'), SHU('K'), SHU('L'), SHU('M'), SHU('N'), SHU('O'), SHU('P'),
        SHU('Q'), SHU('R'), SHU('S'), SHU('T'), SHU('U'), SHU('V'), SHU('W'), SHU('X'),
        SHU('Y'), SHU('Z'),
    },
    .stop = {
        [' '] = TF_SPACE, ['.'] = S1, [','] = S1, [':'] = S1, ['\''] = S2, ['&'] = S2,
        ['0'] = S3, ['1'] = S3, ['2'] = S3, ['3'] = S3, ['4'] = S3, ['5'] = S3, ['6'] = S3,
        ['7'] = S3, ['8'] = S3, ['9'] = S3,
        ST3('A'), ST3('B'), ST3('C'), ST3('D'), ST3('E'), ST3('F'), ST3('G'), ST3('H'),
        ST3('I'), ST3('J'), ST3('K'), ST3('L'), ST3('M'), ST3('N'), ST3('O'), ST3('P'),
        ST3('Q'), ST3('R'), ST3('S'), ST3('T'), ST3('U'), ST3('V'), ST3('W'), ST3('X'),
        ST3('Y'), ST3('Z'),
        [0x80] = WS2_16, WS2_16, WS2_16, WS2_16, WS2_16, WS2_16, WS2_16, WS2_16  /* non-ASCII */
    },
    .word_lc = {
        WLB8('0'), WLB8('8'), WLB8('@'), WLB8('H'), WLB8('P'), WLB8('X'), WLB8('`'), WLB8('h'),
        WLB8('p'), WLB8('x'),
        [WI_SHAPE + SH_UP * 8] = WL_ROW(SH_UP), [WI_SHAPE + SH_LOW * 8] = WL_ROW(SH_LOW),
        [WI_SHAPE + SH_DIG * 8] = WL_ROW(SH_DIG)
    },
    .word_fl = {
        WFB8('0'), WFB8('8'), WFB8('@'), WFB8('H'), WFB8('P'), WFB8('X'), WFB8('`'), WFB8('h'),
        WFB8('p'), WFB8('x'),
        [WI_SHAPE + SH_UP * 8] = WF_ROW(SH_UP), [WI_SHAPE + SH_LOW * 8] = WF_ROW(SH_LOW),
        [WI_SHAPE + SH_DIG * 8] = WF_ROW(SH_DIG)
    },
    .low_bytes = { LB(0), LB(1), LB(2), LB(3), LB(4), LB(5), LB(6), LB(7), LB(8) },
    .hseed = { HS(0), HS(1), HS(2), HS(3), HS(4), HS(5), HS(6), HS(7), HS(8), HS(9), HS(10),
               HS(11), HS(12), HS(13), HS(14), HS(15), HS(16) },
#define HM(n) (LB(n) & ~C20)
    .hmask = { HM(0), HM(1), HM(2), HM(3), HM(4), HM(5), HM(6), HM(7), HM(8) },
#define HS8(n) (HS(n) ^ (C20 & LB(n)))
    .hseed8 = { HS8(0), HS8(1), HS8(2), HS8(3), HS8(4), HS8(5), HS8(6), HS8(7), HS8(8) },
    .rest_low = { RL(0), 0x20, RL(2), RL(3), RL(4), RL(5), RL(6), RL(7), RL(8) },
    .rest_nlow = { ~RL(0), ~0x20ull, ~RL(2), ~RL(3), ~RL(4), ~RL(5), ~RL(6), ~RL(7), ~RL(8) },
};

/* ent_hash_token of 's and 'S */
#define FNV_STEP(h, c) (((h) ^ (c)) * 0x100000001b3ull)
#define POSS_HASH FNV_STEP(FNV_STEP(0xcbf29ce484222325ull, (uint64_t)'\''), (uint64_t)'s')

/* ASCII punctuation (what ascii_cc calls CC_OTHER) for the word loop: its
 * token's flags, TF_PUNCT and what the byte adds (TF_SENT: the next word
 * starts a sentence; the caller passes it on instead of keeping it), and
 * its ent_hash_token.  0 flags: not punctuation. */
#define IS_PUNCT(c) ((c) < 0x80 && !((c) >= '0' && (c) <= '9') && !((c) >= 'A' && (c) <= 'Z') && \
                     !((c) >= 'a' && (c) <= 'z') && (c) != ' ' && (c) != '\n' && (c) != '\t' && \
                     (c) != '\r' && (c) != '\f' && (c) != '\v')
#define PF(c) (!IS_PUNCT(c) ? 0u : TF_PUNCT | \
               ((c) == '.' || (c) == '!' || (c) == '?' ? TF_END | TF_SENT : \
                (c) == '(' || (c) == '[' || (c) == '{' ? TF_OPEN : \
                (c) == '-' ? TF_HYPH : (c) == '"' ? TF_QUOTE : 0u))
#define PF8(c) PF(c), PF(c + 1), PF(c + 2), PF(c + 3), PF(c + 4), PF(c + 5), PF(c + 6), PF(c + 7)
#define PH(c) FNV_STEP(0xcbf29ce484222325ull, (uint64_t)(c))
#define PH8(c) PH(c), PH(c + 1), PH(c + 2), PH(c + 3), PH(c + 4), PH(c + 5), PH(c + 6), PH(c + 7)
static const struct {
    uint32_t fl[256];
    uint64_t h[128];
} punct = {
    .fl = { PF8(0), PF8(8), PF8(16), PF8(24), PF8(32), PF8(40), PF8(48), PF8(56), PF8(64),
            PF8(72), PF8(80), PF8(88), PF8(96), PF8(104), PF8(112), PF8(120) },
    .h = { PH8(0), PH8(8), PH8(16), PH8(24), PH8(32), PH8(40), PH8(48), PH8(56), PH8(64),
           PH8(72), PH8(80), PH8(88), PH8(96), PH8(104), PH8(112), PH8(120) },
};

/* An ASCII possessive 's at s[p] (s[p + 2] may be read): the apostrophe,
 * s or S, and a byte that is not an ASCII letter or digit (the general
 * code decides the rest). */
static inline int poss_at(const unsigned char *s, size_t p)
{
    return s[p] == '\'' && (s[p + 1] | 0x20) == 's' && s[p + 2] < 0x80 &&
           ascii_cc[s[p + 2]] < CC_UPPER;
}

/* Hash of the ASCII letters and digits s[0..n), where s[0..avail) may be
 * read: the same value as hash_alnum, but a word of up to 8 bytes comes from one
 * unaligned load when the bytes after it are in the buffer. */
static inline uint64_t hash_alnum_at(const unsigned char *p, size_t n, size_t avail)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (n > 0 && n <= 8 && avail >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        w &= ~0ull >> (8 * (8 - n));
        uint64_t h = (0x9E3779B97F4A7C15ull ^ (uint64_t)n);
        h = (h ^ (w | (0x2020202020202020ull >> (8 * (8 - n))))) * 0xff51afd7ed558ccdull;
        return h ^ (h >> 32);
    }
#endif
    (void)avail;
    return hash_alnum(p, n);
}

/* The end of the number whose . , or : between digits is at s[q] (1.13,
 * 464,000, 11:30, 2.5bn), as the general code finds it; 0 when it ends at
 * a byte the general code must look at (an apostrophe, &, non-ASCII). */
static size_t number_end(const unsigned char *s, size_t q, size_t len)
{
    for (;;) {
        q++;
        while (q < len && tt.shape[s[q]]) q++;
        if (q >= len || STOP(s[q]) == 0) return q;
        if (STOP(s[q]) == 2) return 0;
        if (!(tt.shape[s[q - 1]] == SH_DIG && q + 1 < len && tt.shape[s[q + 1]] == SH_DIG))
            return q;
    }
}

/* TF_WORD and the shape flags of a word that starts with a digit and has
 * other bytes than letters and digits, s[p, e): what shape() gives it. */
static uint32_t number_flags(const unsigned char *s, size_t p, size_t e)
{
    unsigned sh = 0;
    for (size_t j = p + 1; j < e; j++) sh |= tt.shape[s[j]];
    return TF_WORD | TF_DIGIT | ((sh & (SH_UP | SH_LOW)) == SH_UP ? TF_UPPER : 0) |
           ((sh & SH_UP) && (sh & SH_LOW) ? TF_MIXED : 0);
}

/* A token that may be part of an all-caps phrase: a word in capitals of
 * two bytes or more, not a number. */
static inline int caps_word(const ent_tok_t *t)
{
    return (t->flags & (TF_UPPER | TF_DIGIT)) == TF_UPPER && t->end - t->start >= 2;
}

/* Headline lines: letters mostly upper case (case says nothing there), a
 * title-case headline, or an all-caps phrase inside a line.  [i, j) is one
 * line; words, up, digits and caps its words, words in capitals (not
 * numbers), numbers and capitalised words; pair 0 when no two caps_word
 * tokens follow each other on it (then it has no all-caps phrase). */
static void line_done(const ent_kb_t *kb, const char *text, ent_tok_t *toks, size_t i,
                      size_t j, size_t words, size_t up, size_t digits, size_t caps, int pair)
{
    size_t low = words - digits - up;
    /* title_case_line gives up on a number, more than 20 words or fewer
     * than three capitalised ones: don't ask it then */
    if (up >= 2 && low * 4 < up) {
        for (size_t m = i; m < j; m++) toks[m].flags |= TF_HEAD;
    } else if (kb && !digits && words <= 20 && caps >= 3 &&
               title_case_line(kb, text, toks, i, j)) {
        for (size_t m = i; m < j; m++) toks[m].flags |= TF_HEAD;
    } else if (up >= 2 && pair) {
        /* an all-caps phrase inside a normal line ("PRESS DIGEST - Portugal"):
         * two or more capitals words, one of five letters or more */
        for (size_t m = i; m < j;) {
            while (m < j && !(toks[m].flags & TF_UPPER)) m++;
            if (m >= j) break;
            size_t e = m, longest = 0;
            while (e < j && (toks[e].flags & TF_UPPER) && !(toks[e].flags & TF_DIGIT) &&
                   toks[e].end - toks[e].start >= 2) {
                if (toks[e].end - toks[e].start > longest) longest = toks[e].end - toks[e].start;
                e++;
            }
            if (e - m >= 2 && longest >= 5)
                for (size_t q = m; q < e; q++) toks[q].flags |= TF_HEAD;
            m = e > m ? e : m + 1;
        }
    }
}

/* Abbreviations that end a sentence: "in the U.S. The talks" -- a
 * non-title abbreviation followed by a capitalised common word.  Called
 * for each finished token t with its predecessor. */
static inline void abbr_end(const ent_kb_t *kb, const char *text, const ent_tok_t *prev,
                            ent_tok_t *t)
{
    if ((prev->flags & TF_ABBR) && !(prev->flags & TF_INITIAL) && (t->flags & TF_CAP) &&
        !(t->flags & TF_SENT) && kb) {
        unsigned a = ent_kb_classes(kb, ent_hash_token(text + prev->start,
                                                       prev->end - prev->start - 1));
        unsigned b = ent_kb_classes(kb, ent_hash_token(text + t->start, t->end - t->start));
        if (!(a & CL_TITLE) && (b & (CL_COMMON | CL_STOP)) && !(b & CL_GIVEN))
            t->flags |= TF_SENT;
    }
}

/* The fast paths below (plain ASCII words, ASCII punctuation) must give
 * exactly what the general code gives for the same bytes; the unit test
 * builds this file again with ENT_TOK_FAST 0 and compares the two. */
#ifndef ENT_TOK_FAST
#define ENT_TOK_FAST 1
#endif

/* How the word loop classifies its 64-byte windows: 2 SSE2, 1 eight bytes
 * in a 64-bit word (little-endian), 0 a byte at a time.  The best one the
 * target has unless a test asks for another. */
#ifndef ENT_TOK_WIN
#if defined(__SSE2__)
#define ENT_TOK_WIN 2
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ENT_TOK_WIN 1
#else
#define ENT_TOK_WIN 0
#endif
#endif

/* Bytes of text a window needs: its 64 and the 8 past them that a word's
 * hash loads may touch (the last window ends that far before the text). */
#define WIN_READ 72

/* The word loop's view of 64 bytes of text: bit i set when w[i] is not an
 * ASCII letter or digit, and bit 63 always set (so a word's end is always
 * found in the mask). */
static inline uint64_t win_mask(const unsigned char *w)
{
#if ENT_TOK_WIN == 2
    /* Byte range tests without compares: b - lo (wrapping) is at most
     * n - 1 exactly when lo <= b < lo + n, so the unsigned saturating
     * b - lo - (n - 1) is 0 there; the smaller of the letter and the
     * digit test is 0 for letters and digits.  x | 0x20 folds letters to
     * lower case.  Every step overwrites a value it no longer needs: no
     * copies of the constants. */
    const __m128i k_20 = _mm_set1_epi8(0x20), zero = _mm_setzero_si128(),
                  al_off = _mm_set1_epi8((char)-'a'), al_lim = _mm_set1_epi8(25),
                  dg_off = _mm_set1_epi8((char)-'0'), dg_lim = _mm_set1_epi8(9);
    uint64_t a = 0;
    for (int c = 0; c < 4; c++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(w + 16 * c));
        __m128i al = _mm_subs_epu8(_mm_add_epi8(_mm_or_si128(x, k_20), al_off), al_lim);
        __m128i dg = _mm_subs_epu8(_mm_add_epi8(x, dg_off), dg_lim);
        a |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(al, dg), zero))
             << (16 * c);
    }
    return ~a | 1ull << 63;
#elif ENT_TOK_WIN == 1
    /* For 7-bit bytes (b | 0x80) - c keeps the high bit exactly when
     * b >= c, with no borrow between bytes; the multiply gathers the
     * eight high bits into the top byte. */
    const uint64_t ones = 0x0101010101010101ull, hi = 0x8080808080808080ull;
    uint64_t a = 0;
    for (int c = 0; c < 8; c++) {
        uint64_t x;
        memcpy(&x, w + 8 * c, 8);
        uint64_t x7 = (x & ~hi) | hi, ascii = ~x & hi;
        uint64_t y7 = x7 | 0x2020202020202020ull;
        uint64_t al = (y7 - 'a' * ones) & ~(y7 - ('z' + 1) * ones) & ascii;
        uint64_t dg = (x7 - '0' * ones) & ~(x7 - ('9' + 1) * ones) & ascii;
        a |= (((al | dg) * 0x0002040810204081ull) >> 56) << (8 * c);
    }
    return ~a | 1ull << 63;
#else
    uint64_t a = 0;
    for (int c = 0; c < 64; c++) a |= (uint64_t)(tt.shape[w[c]] == 0) << c;
    return a | 1ull << 63;
#endif
}

/* The shape (SH_*) of a plain ASCII word's n - 1 bytes after its first. */
static unsigned rest_shape(const unsigned char *w, size_t n)
{
    unsigned sh = 0;
    for (size_t j = 1; j < n; j++) sh |= tt.shape[w[j]];
    return sh;
}

/* The tokenizer's state, handed from the word loop to the general code. */
typedef struct {
    const ent_kb_t *kb;
    const char *text;
    const unsigned char *s;
    size_t len, cap;
    ent_tok_t *toks;
    /* flags for the next token; TF_SENT in it: the next word starts a
     * sentence (punctuation passes it on) */
    uint32_t pending;
    size_t nt, p;
    size_t line0;            /* the current line's first token */
    uint64_t lc;             /* its counts for the headline test (LC_*) */
    size_t lw[4];            /* ... and what lc_spill moved out of lc */
    int caps_pair;           /* two caps_word tokens in a row (maybe) on the line */
    /* the word loop's window: win_mask of s[base, base + 64) */
    size_t base;
    uint64_t win;
} tok_state_t;

static void lc_spill(tok_state_t *k)
{
    k->lw[0] += LC_FIELD(k->lc, LC_W);
    k->lw[1] += LC_FIELD(k->lc, LC_U);
    k->lw[2] += LC_FIELD(k->lc, LC_D);
    k->lw[3] += LC_FIELD(k->lc, LC_C);
    k->lc = 0;
}

/* A newline (or the end): the line of tokens [line0, nt) is complete. */
static void line_end(tok_state_t *k)
{
    if (k->nt > k->line0) {
        line_done(k->kb, k->text, k->toks, k->line0, k->nt, k->lw[0] + LC_FIELD(k->lc, LC_W),
                  k->lw[1] + LC_FIELD(k->lc, LC_U), k->lw[2] + LC_FIELD(k->lc, LC_D),
                  k->lw[3] + LC_FIELD(k->lc, LC_C), k->caps_pair);
        k->line0 = k->nt;
    }
    k->lc = 0;
    k->lw[0] = k->lw[1] = k->lw[2] = k->lw[3] = 0;
    k->caps_pair = 0;
}

/* The general code: one space, line break or token at k->p, whatever its
 * bytes.  Returns 0, or -1 when the token does not fit in k->cap. */
static int general_step(tok_state_t *k)
{
    const ent_kb_t *kb = k->kb;
    const char *text = k->text;
    const unsigned char *s = k->s;
    size_t len = k->len, p = k->p, n, nt = k->nt;
    ent_tok_t *toks = k->toks;
    unsigned b0 = s[p];
    uint32_t c;
    int kc;
    if (b0 < 0x80) {
        n = 1;
        c = b0;
        kc = ascii_cc[b0];
    } else {
        c = u8_decode(s + p, len - p, &n);
        kc = cclass(c);
    }
    if (kc == CC_SPACE) {
        k->pending |= TF_SPACE;
        k->p = p + n;
        return 0;
    }
    if (kc == CC_NL) {
        line_end(k);
        k->pending |= TF_SPACE | TF_NL | TF_SENT;
        k->p = p + n;
        return 0;
    }
    if (nt >= k->cap) return -1;    /* caller retries with room for len+1 */
    ent_tok_t *t = &toks[nt];
    t->start = (uint32_t)p;
    t->flags = k->pending;          /* TF_SENT: dropped again for punctuation */
    t->cls = 0;
    k->pending = 0;

    if (is_alnum_cc(kc)) {
        size_t q = 0;
        int is_dotted = 0;
        if (kc != CC_DIGIT && p + n < len && s[p + n] == '.') q = dotted(s, len, p);
        if (q) {
            p += q;
            is_dotted = 1;
            t->flags |= TF_WORD | TF_ABBR;
        } else {
            size_t q0 = p;
            int prev = kc;
            /* One pass finds the end and the shape of plain ASCII words;
             * anything else is redone slowly below. */
            unsigned sh_first = 0, sh_rest = 0;
            int simple = 1;
            if (b0 < 0x80) {
                /* the first byte is an ASCII letter or digit */
                sh_first = tt.shape[b0];
                p++;
            }
            while (p < len) {
                size_t m;
                /* ASCII letters and digits: the common case */
                unsigned sh;
                while (p < len && (sh = tt.shape[s[p]]) != 0) {
                    sh_rest |= sh;
                    p++;
                }
                if (p >= len) break;
                /* most words end at a space or punctuation that cannot glue */
                unsigned g = s[p];
                if (g < 0x80 && g != '.' && g != ',' && g != ':' && g != '\'' && g != '&') break;
                if (p > q0 && s[p - 1] < 0x80) prev = ascii_cc[s[p - 1]];
                uint32_t d;
                int dk = cc_at(s, len, p, &m, &d);
                if (is_alnum_cc(dk)) { prev = dk; p += m; simple = 0; continue; }
                size_t m2 = 0;
                uint32_t nx = p + m < len ? u8_decode(s + p + m, len - p - m, &m2) : 0;
                int nk = p + m < len ? cclass(nx) : CC_SPACE;
                if ((d == '.' || d == ',' || d == ':') && prev == CC_DIGIT && nk == CC_DIGIT) {
                    p += m; simple = 0; continue;
                }
                if (is_apos(d) && is_letter_cc(nk)) {
                    /* split the possessive 's; keep O'Brien, don't */
                    size_t m3 = 0;
                    int after = CC_SPACE;
                    if (p + m + m2 < len)
                        after = cclass(u8_decode(s + p + m + m2, len - p - m - m2, &m3));
                    if ((nx == 's' || nx == 'S') && !is_alnum_cc(after)) break;
                    if (nk == CC_LOWER) t->flags |= TF_CONTR;
                    p += m; simple = 0; continue;
                }
                if (d == '&' && prev == CC_UPPER && nk == CC_UPPER) { p += m; simple = 0; continue; }
                break;
            }
            /* Known abbreviation or an initial takes the following period. */
            if (p < len && s[p] == '.') {
                size_t wl = p - q0;
                uint64_t ah;
                if (wl <= 6 && kc != CC_DIGIT && kb &&
                    (ah = ent_hash_token(text + q0, wl),
                     kb->abbr_bloom[(ah >> 6) & 7] & (1ull << (ah & 63))) &&
                    (ent_kb_classes(kb, ah) & CL_ABBR)) {
                    p++;
                    t->flags |= TF_ABBR;
                } else if (wl == 1 && kc == CC_UPPER && p + 1 < len && s[p + 1] == ' ' &&
                           p + 2 < len && cclass(s[p + 2]) == CC_UPPER) {
                    p++;
                    t->flags |= TF_ABBR | TF_INITIAL;
                }
            }
            if (simple) {
                unsigned sh_all = sh_first | sh_rest;
                uint32_t fl = TF_WORD;
                t->end = (uint32_t)p;
                t->hend = (uint32_t)(p - ((t->flags & TF_ABBR) ? 1 : 0));
                t->h = hash_alnum_at(s + q0, t->hend - q0, len - q0);
                if (kc == CC_UPPER) fl |= TF_CAP;
                else if (kc == CC_LOWER) fl |= TF_LOWER;
                else fl |= TF_DIGIT;
                if ((sh_all & (SH_UP | SH_LOW)) == SH_UP) fl |= TF_UPPER;
                if ((sh_all & SH_LOW) && (sh_rest & SH_UP)) fl |= TF_MIXED;
                if ((sh_rest & SH_DIG) && (sh_all & (SH_UP | SH_LOW))) fl |= TF_HASDIGIT;
                t->flags |= fl;
                /* Warm the table slot of capitalised words now, so the
                 * tagger's lookups later do not wait on memory one by one. */
                if (kb && (fl & (TF_CAP | TF_MIXED))) ent_kb_prefetch(kb, t->h);
                goto word_done;
            }
        }
        t->end = (uint32_t)p;
        t->flags |= TF_WORD;
        shape(s, t);
        {
            /* "Oct." and "Inc." hash without their period, "U.S." with it. */
            size_t l = t->end - t->start;
            if ((t->flags & TF_ABBR) && !(t->flags & TF_INITIAL) && !is_dotted) l--;
            t->hend = t->start + (uint32_t)l;
            t->h = ent_hash_token(text + t->start, l);
        }
word_done:
        if (nt) abbr_end(kb, text, &toks[nt - 1], t);
        if (nt && caps_word(t) && caps_word(&toks[nt - 1])) k->caps_pair = 1;
        k->lc += LINE_INC(t->flags);
        if (k->lc & LC_HIGH) lc_spill(k);
    } else {
        uint32_t sent = t->flags & TF_SENT;
        t->flags &= ~TF_SENT;
        p += n;
        t->end = (uint32_t)p;
        t->flags |= TF_PUNCT;
        if (is_apos(c) && p < len && (s[p] == 's' || s[p] == 'S') &&
            (p + 1 >= len || !is_alnum_cc(cclass(s[p + 1]))) &&
            nt > 0 && !(t->flags & TF_SPACE) ) {
            p++;
            t->end = (uint32_t)p;
            t->flags = (t->flags & ~TF_PUNCT) | TF_POSS;
        } else if (is_apos(c) && p < len && (s[p] == 's' || s[p] == 'S') &&
                   (p + 1 >= len || !is_alnum_cc(cclass(s[p + 1]))) && nt > 0 &&
                   (toks[nt - 1].flags & TF_WORD)) {
            /* space-separated "Trump 's" (pre-tokenized text) */
            p++;
            t->end = (uint32_t)p;
            t->flags = (t->flags & ~TF_PUNCT) | TF_POSS;
        } else if (is_apos(c) && nt > 0 && !(t->flags & TF_SPACE) &&
                   (toks[nt - 1].flags & TF_WORD) &&
                   (s[t->start - 1] == 's' || s[t->start - 1] == 'S') &&
                   (p >= len || !is_alnum_cc(cclass(u8_decode(s + p, len - p, &n))))) {
            t->flags |= TF_POSS;   /* plural possessive: countries' */
        } else if (is_dash(c)) {
            t->flags |= TF_HYPH;
        } else if (is_quote(c)) {
            t->flags |= TF_QUOTE;
            /* An opening quote: the quoted words start a sentence. */
            if ((t->flags & (TF_SPACE | TF_NL)) || nt == 0) {
                t->flags |= TF_OPEN;
                sent = TF_SENT;
            }
        } else if (c == '(' || c == '[' || c == '{') {
            t->flags |= TF_OPEN;
        } else if (c == '.' || c == '!' || c == '?') {
            t->flags |= TF_END;
            sent = TF_SENT;
        }
        t->hend = t->end;
        t->h = ent_hash_token(text + t->start, t->end - t->start);
        k->pending = sent;
    }
    k->nt = nt + 1;
    k->p = p;
    return 0;
}

/* x >> n with copies of bit 63 shifted in, n < 64 (GCC and Clang shift
 * signed values so; other compilers get the same from unsigned shifts). */
static inline uint64_t sar64(uint64_t x, unsigned n)
{
#if defined(__GNUC__)
    return (uint64_t)((int64_t)x >> n);
#else
    return x >> 63 ? ~(~x >> n) : x >> n;
#endif
}

/* The number of trailing zero bits of x != 0, as a size_t.  On x86-64 GCC
 * widens __builtin_ctzll's int with a sign extension and clears the
 * destination first (for old CPUs' false dependency): one instruction
 * instead of three on the word loop's critical path.  (tzcnt runs as bsf
 * where BMI1 is missing: the same for x != 0.) */
static inline size_t ctz64(uint64_t x)
{
#if defined(__GNUC__) && defined(__x86_64__)
    uint64_t n;
    __asm__("tzcnt %1, %0" : "=r"(n) : "r"(x) : "cc");
    return (size_t)n;
#else
    return (size_t)(unsigned)__builtin_ctzll(x);
#endif
}

/* The word loop's mask from p on (see word_loop): the window's, or all
 * bits set when it has no window there for this pend. */
static inline uint64_t win_at(const tok_state_t *k, size_t p, size_t pend)
{
    size_t base = k->base;
    return base < k->len && base + 64 < pend && p - base < 64 ? sar64(k->win, (unsigned)(p - base))
                                                             : ~0ull;
}

/* The word_fl/word_lc index (WI_*) of a plain ASCII word of n bytes at w
 * by its shape, byte by byte; the line's all-caps phrase test (caps_pair)
 * may be answered here. */
static size_t shape_index(tok_state_t *k, const unsigned char *w, size_t n, const ent_tok_t *t)
{
    unsigned sh0 = tt.shape[w[0]], shr = rest_shape(w, n);
    if (sh0 == SH_UP && !(shr & SH_LOW) && n > 1 && t > k->toks && caps_word(t - 1))
        k->caps_pair = 1;
    return WI_SHAPE + sh0 * 8 + shr;
}

/* The index (WI_*) and the hash of a plain word of n <= 8 bytes at w, from
 * w0, its first 8 bytes (the word and bytes after it).  Its bytes after
 * the first are most often lower-case letters only, bits 5 and 6 (0x60)
 * set in every one: then its index is its first byte, else shape_index
 * reads it byte by byte.  The hash is hash_alnum's. */
static inline size_t short_word(tok_state_t *k, const unsigned char *w, uint64_t w0, size_t n,
                                const ent_tok_t *t, uint64_t *hp)
{
    uint64_t h = ((w0 & tt.hmask[n]) ^ tt.hseed8[n]) * 0xff51afd7ed558ccdull;
    *hp = h ^ (h >> 32);
    if (__builtin_expect((w0 | tt.rest_nlow[n]) != ~0ull, 0)) return shape_index(k, w, n, t);
    return (size_t)(w0 & 0x7F);
}

/* The same for 8 < n <= 16 bytes, with a second load. */
static inline size_t long_word(tok_state_t *k, const unsigned char *w, uint64_t w0, size_t n,
                               const ent_tok_t *t, uint64_t *hp)
{
    uint64_t w1;
    memcpy(&w1, w + 8, 8);
    uint64_t h = (tt.hseed[n] ^ (w0 | C20)) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
    h ^= (w1 | C20) & tt.low_bytes[n - 8];
    h *= 0xff51afd7ed558ccdull;
    *hp = h ^ (h >> 32);
    if ((~w0 & tt.rest_low[8]) | (~w1 & 0x6060606060606060ull & tt.low_bytes[n - 8]))
        return shape_index(k, w, n, t);
    return (size_t)(w0 & 0x7F);
}

/* The word loop: plain ASCII words, ASCII punctuation, possessive 's and
 * single spaces from k->p on, until a token for the general code (k->p is
 * left at it) or the end.  Its common path makes no calls and keeps few
 * values, so they stay in registers (the rest is read from k when
 * needed): whatever is rare (the word after an abbreviation, words of
 * more than 16 bytes, the text's last bytes, line breaks) goes to the
 * general code instead.  The headline counts are kept here; the candidate
 * list is made at the end, in a pass of its own.
 *
 * Words are found in 64-byte windows of the text classified once into a
 * bit mask (a window serves about a dozen tokens).  m is that mask from
 * the byte at p on, bits set for bytes that are not letters or digits and
 * for every byte past the window: bit 0 clear is a word of the window, its
 * length the count of clear bits; one that seems to end at a letter or
 * digit (stop 3) runs past the window.  Those, and words where there is
 * no window, make a new window.  A window ends more than a byte before
 * pend, so after a word of the window the loop need not check its bounds.
 * A word's shape and hash come from one or two 8-byte loads of its bytes.
 *
 * GCC's SLP vectorizer packs a token's four 32-bit fields into one 16-byte
 * store, through four moves and three shuffles: plain stores are fewer
 * instructions. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-slp-vectorize")))
#endif
static void word_loop(tok_state_t *k)
{
    const unsigned char *const s = k->s;
    size_t p = k->p;
    ent_tok_t *t = k->toks + k->nt;    /* the next token */
    /* Every token takes a byte at least: with no more bytes than room for
     * tokens the loop need not count its room (the general code does,
     * past pend). */
    const size_t pend = k->cap - k->nt < k->len - p ? p + (k->cap - k->nt) : k->len;
    uint32_t pending = k->pending;
    uint64_t lc = k->lc;
    uint64_t m = win_at(k, p, pend);
    /* The one-token sequence hash of the token before t when it is a
     * capitalised word (else 0, and always 0 without a kb): the two-token
     * sequence it starts is prefetched at the next word. */
    uint64_t prev_seq = 0;
    if (t > k->toks && (t[-1].flags & (TF_CAP | TF_MIXED)) && k->kb)
        prev_seq = ent_seq_hash(ENT_SEQ_SEED, t[-1].h);

    if (p >= pend) goto out;
    for (;;) {
        /* here p < pend */
        unsigned b0, sh0;
        if (__builtin_expect(!(m & 1), 1)) {
            /* A word of ASCII letters and digits that ends at a byte that
             * cannot continue it or give it a period.  Anything else
             * (apostrophes, non-ASCII letters, numbers with inner . , :,
             * abbreviations) is left to the general code, which starts
             * over.  The window has 16 bytes from p (the general code
             * takes longer words). */
            uint64_t w0, h;
            memcpy(&w0, s + p, 8);
            size_t wn = ctz64(m), wi;
            size_t q = p + wn;
            unsigned nx = tt.stop[s[q]], sp;
            if (__builtin_expect((nx & STOP_ANY) != 0, 0)) goto word_stop;
            if (__builtin_expect(wn <= 8, 1)) {
                wi = short_word(k, s + p, w0, wn, t, &h);
            } else {
                if (wn > 16) break;
                wi = long_word(k, s + p, w0, wn, t, &h);
            }
word_put:
            {
                uint32_t fl = pending | tt.word_fl[wi];
                t->start = (uint32_t)p;
                t->end = t->hend = (uint32_t)q;
                t->flags = fl;
                t->cls = 0;
                t->h = h;
                if (__builtin_expect((fl & (TF_CAP | TF_MIXED)) != 0, 0)) {
                    /* Warm the table slot of capitalised words now, so the
                     * tagger's lookups later do not wait on memory one by
                     * one ... */
                    if (k->kb) {
                        uint64_t seq = ent_seq_hash(ENT_SEQ_SEED, h);
                        ent_kb_prefetch_key(k->kb, seq);
                        /* ... and the two-token sequence a capitalised
                         * word starts ("Bank of", "New York"): the
                         * tagger's longest-match walk loads it next, and
                         * only a word the table marks as a prefix needs
                         * it, but that is known too late to help. */
                        if (prev_seq && !(fl & TF_NL))
                            ent_kb_prefetch_key(k->kb, ent_seq_hash(prev_seq, h));
                        else if (t > k->toks)
                            /* the word before a name: the tagger asks
                             * its class for context ("said", "of"), a
                             * quarter of the lower-case words it asks
                             * about (on news text) */
                            ent_kb_prefetch(k->kb, t[-1].h);
                        prev_seq = seq;
                    }
                } else if (prev_seq) {
                    if (!(fl & TF_NL)) ent_kb_prefetch_key(k->kb, ent_seq_hash(prev_seq, h));
                    /* the word after a name: its class is asked too
                     * (connectors, "said"), two thirds of the
                     * lower-case words the tagger asks about */
                    ent_kb_prefetch(k->kb, h);
                    prev_seq = 0;
                }
                lc += tt.word_lc[wi];
                t++;
            }
            /* The usual single space after a word, without a branch (one
             * that about one word in eight would mispredict): nx is its
             * TF_SPACE, else 0. */
            sp = nx / TF_SPACE;
            m = sar64(m, (unsigned)(wn + sp));
            p = q + sp;
            pending = nx;
            continue;

word_stop:
            if ((nx & 3) == 3) goto new_window;   /* the word runs past the window */
            if (__builtin_expect(wn <= 8, 1)) {
                wi = short_word(k, s + p, w0, wn, t, &h);
            } else {
                if (wn > 16) break;
                wi = long_word(k, s + p, w0, wn, t, &h);
            }
            sh0 = tt.shape[s[p]];
word_checks:
            if ((nx & 3) == 2) {
                /* a possessive 's ("Britain's") ends the word, as the
                 * general code splits it, before a byte that is not an
                 * ASCII letter or digit (the 's is the next token) */
                if (!poss_at(s, q)) break;
            } else if ((nx & 3) == 1) {
                if (tt.shape[s[q - 1]] == SH_DIG && q + 1 < k->len &&
                    tt.shape[s[q + 1]] == SH_DIG) {
                    /* . , : inside a number (1.13, 464,000, 11:30): a
                     * number that starts with a digit is taken here */
                    size_t e = number_end(s, q, k->len);
                    if (sh0 != SH_DIG || !e) break;
                    uint32_t fl = pending | number_flags(s, p, e);
                    t->start = (uint32_t)p;
                    t->end = t->hend = (uint32_t)e;
                    t->flags = fl;
                    t->cls = 0;
                    t->h = ent_hash_token((const char *)s + p, e - p);
                    lc += LINE_INC(fl);
                    t++;
                    prev_seq = 0;
                    p = e;
                    pending = 0;
                    if (e < k->len && s[e] == ' ') {
                        p++;
                        pending = TF_SPACE;
                    }
                    if (p >= pend) break;
                    m = win_at(k, p, pend);
                    continue;
                } else if (s[q] == '.' && sh0 != SH_DIG && wn <= 6 &&
                           (wn == 1 || (k->kb && (k->kb->abbr_bloom[(h >> 6) & 7] & (1ull << (h & 63))) &&
                                        (ent_kb_classes_inline(k->kb, h) & CL_ABBR)))) {
                    /* a period the word takes (Oct., Inc., J.; the filter
                     * passes many a word, the table decides, as the general
                     * code does) */
                    break;
                }
            }
            nx &= TF_SPACE;
            goto word_put;

new_window:
            /* A word where no window is, or that runs past it: a new window
             * from the word, or as near it as the text's end allows
             * (WIN_READ bytes) if that ends more than a byte before pend;
             * else the word a byte at a time. */
            {
                size_t nb = p;
                if (k->len - p < WIN_READ) {
                    if (k->len < WIN_READ) goto tail_word;
                    nb = k->len - WIN_READ;
                }
                if (nb == k->base || nb + 64 >= pend || p - nb >= 63) goto tail_word;
                /* Words in a window add at most 64 to the line's counts
                 * (and those in the text's last bytes, below, at most 72):
                 * here is where the counts move to wide ones. */
                if (lc & LC_HIGH) {
                    k->lc = lc;
                    lc_spill(k);
                    lc = 0;
                }
                k->base = nb;
                k->win = win_mask(s + nb);
                m = sar64(k->win, (unsigned)(p - nb));   /* bit 0 clear: a word */
                continue;
            }

tail_word:
            /* The text's last bytes, which no window covers (or all of a
             * text shorter than one, or near pend, or a word longer than a
             * window): the word a byte at a time.  The possessive check
             * above reads two bytes past it.  The word must end before
             * pend (with its space), as a word of a window does; else the
             * general code takes it. */
            q = p + 1;
            while (q < k->len && tt.shape[s[q]]) q++;
            wn = q - p;
            nx = tt.stop[q < k->len ? s[q] : 0];
            if (wn > 16 || ((nx & 3) == 2 && q + 2 >= k->len) || q + (nx & TF_SPACE) / TF_SPACE >= pend)
                break;
            sh0 = tt.shape[s[p]];
            wi = shape_index(k, s + p, wn, t);
            h = hash_alnum_at(s + p, wn, k->len - p);
            goto word_checks;
        }
        b0 = s[p];
        sh0 = tt.shape[b0];
        if (sh0) goto new_window;   /* a letter or digit past the window */
        m = sar64(m, 1);
        if (b0 == ' ') {
            pending |= TF_SPACE;
            if (++p >= pend) break;
            continue;
        }
        if (b0 == '\n') {
            /* a line break closes the line (what the general code does) */
            k->nt = (size_t)(t - k->toks);
            k->lc = lc;
            line_end(k);
            lc = 0;
            pending |= TF_SPACE | TF_NL | TF_SENT;
            if (++p >= pend) break;
            continue;
        }
        /* ASCII punctuation: one byte, one token (what the general code
         * does for it, in short); the apostrophe only as a possessive 's
         * right after a token */
        uint32_t pf = punct.fl[b0];
        if (!pf) break;
        pf |= pending;
        uint32_t fl = pf & ~TF_SENT, sent = pf & TF_SENT;
        uint64_t h = punct.h[b0];
        size_t tl = 1;
        if (__builtin_expect(b0 == '\'' || b0 == '"', 0)) {
            if (b0 == '\'') {
                if (p + 2 >= k->len || !poss_at(s, p) || t == k->toks || (pending & TF_SPACE))
                    break;
                fl = (pending & ~TF_SENT) | TF_POSS;
                h = POSS_HASH;
                tl = 2;
                m = sar64(m, 1);
            } else if ((fl & (TF_SPACE | TF_NL)) || t == k->toks) {
                /* An opening quote: the quoted words start a sentence. */
                fl |= TF_OPEN;
                sent = TF_SENT;
            }
        }
        t->start = (uint32_t)p;
        t->end = t->hend = (uint32_t)(p + tl);
        t->flags = fl;
        t->cls = 0;
        t->h = h;
        pending = sent;
        prev_seq = 0;
        t++;
        p += tl;
        if (p >= pend) break;
        /* the usual space after punctuation, as the space path takes it */
        if (s[p] == ' ') {
            pending |= TF_SPACE;
            m = sar64(m, 1);
            if (++p >= pend) break;
        }
    }
out:
    k->nt = (size_t)(t - k->toks);
    k->p = p;
    k->pending = pending;
    k->lc = lc;
}

/* 1 when token t may trigger a rule: a trigger word (filter hit) or a shape
 * with rules of its own (TF_DIGIT, TF_CAP, TF_UPPER for #digit, #cap,
 * #upper: all in the flags' low five bits, so shape[flags & 31] says it
 * with one load). */
static inline unsigned cand_bit(const uint8_t *bloom, const ent_tok_t *t, const uint8_t *shape)
{
    return bloom[ent_trig_bloom_bit(t->h)] | shape[t->flags & 31];
}

/* The tokenizer; cand NULL: no candidate list (then kb may be NULL too). */
static size_t tokenize(const ent_kb_t *kb, const char *text, size_t len, ent_tok_t *toks,
                       size_t cap, uint32_t *cand, size_t *ncand_out)
{
    tok_state_t k;
    memset(&k, 0, sizeof k);
    k.kb = kb;
    k.text = text;
    k.s = (const unsigned char *)text;
    k.len = len;
    k.cap = cap;
    k.toks = toks;
    k.pending = TF_NL | TF_SENT;
    k.base = (size_t)0 - 64;         /* no window yet: the first word makes one */
    while (k.p < len) {
        if (ENT_TOK_FAST) {
            word_loop(&k);
            if (k.p >= len) break;
        }
        if (general_step(&k)) return SIZE_MAX;
        /* A capitalised word after an abbreviation may start a sentence
         * (abbr_end): the general code takes the token after one too. */
        while (k.p < len && k.nt && (toks[k.nt - 1].flags & TF_ABBR))
            if (general_step(&k)) return SIZE_MAX;
    }
    line_end(&k);
    if (cand) {
        /* The tokens that may trigger a rule, in one pass at the end.
         * Branch-free: the slot is written either way, the pointer moves
         * only for a candidate. */
        const uint8_t *shape = kb->shape_cand;
        const uint8_t *bloom = kb->trig_bloom;
        uint32_t *at = cand;
        size_t i = 0;
        for (; i + 4 <= k.nt; i += 4) {      /* four at a time: a quarter of the loop's work */
            unsigned c0 = cand_bit(bloom, &toks[i], shape),
                     c1 = cand_bit(bloom, &toks[i + 1], shape),
                     c2 = cand_bit(bloom, &toks[i + 2], shape),
                     c3 = cand_bit(bloom, &toks[i + 3], shape);
            at[0] = (uint32_t)i;
            at += c0;
            at[0] = (uint32_t)(i + 1);
            at += c1;
            at[0] = (uint32_t)(i + 2);
            at += c2;
            at[0] = (uint32_t)(i + 3);
            at += c3;
        }
        for (; i < k.nt; i++) {
            *at = (uint32_t)i;
            at += cand_bit(bloom, &toks[i], shape);
        }
        *ncand_out = (size_t)(at - cand);
    }
    return k.nt;
}

size_t ent_tokenize_cap(const ent_kb_t *kb, const char *text, size_t len, ent_tok_t *toks,
                        size_t cap)
{
    return tokenize(kb, text, len, toks, cap, NULL, NULL);
}

size_t ent_tokenize_trig(const ent_kb_t *kb, const char *text, size_t len, ent_tok_t *toks,
                         size_t cap, uint32_t *cand, size_t *ncand)
{
    if (!kb || !cand) {
        size_t nt = tokenize(kb, text, len, toks, cap, NULL, NULL);
        for (size_t i = 0; cand && nt != SIZE_MAX && i < nt; i++) cand[i] = (uint32_t)i;
        if (ncand) *ncand = cand && nt != SIZE_MAX ? nt : 0;
        return nt;
    }
    return tokenize(kb, text, len, toks, cap, cand, ncand);
}
