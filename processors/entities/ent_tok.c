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
static const uint8_t ascii_shape[256] = {
    ['0'] = SH_DIG, ['1'] = SH_DIG, ['2'] = SH_DIG, ['3'] = SH_DIG, ['4'] = SH_DIG,
    ['5'] = SH_DIG, ['6'] = SH_DIG, ['7'] = SH_DIG, ['8'] = SH_DIG, ['9'] = SH_DIG,
    ['A'] = SH_UP, ['B'] = SH_UP, ['C'] = SH_UP, ['D'] = SH_UP, ['E'] = SH_UP, ['F'] = SH_UP,
    ['G'] = SH_UP, ['H'] = SH_UP, ['I'] = SH_UP, ['J'] = SH_UP, ['K'] = SH_UP, ['L'] = SH_UP,
    ['M'] = SH_UP, ['N'] = SH_UP, ['O'] = SH_UP, ['P'] = SH_UP, ['Q'] = SH_UP, ['R'] = SH_UP,
    ['S'] = SH_UP, ['T'] = SH_UP, ['U'] = SH_UP, ['V'] = SH_UP, ['W'] = SH_UP, ['X'] = SH_UP,
    ['Y'] = SH_UP, ['Z'] = SH_UP,
    ['a'] = SH_LOW, ['b'] = SH_LOW, ['c'] = SH_LOW, ['d'] = SH_LOW, ['e'] = SH_LOW, ['f'] = SH_LOW,
    ['g'] = SH_LOW, ['h'] = SH_LOW, ['i'] = SH_LOW, ['j'] = SH_LOW, ['k'] = SH_LOW, ['l'] = SH_LOW,
    ['m'] = SH_LOW, ['n'] = SH_LOW, ['o'] = SH_LOW, ['p'] = SH_LOW, ['q'] = SH_LOW, ['r'] = SH_LOW,
    ['s'] = SH_LOW, ['t'] = SH_LOW, ['u'] = SH_LOW, ['v'] = SH_LOW, ['w'] = SH_LOW, ['x'] = SH_LOW,
    ['y'] = SH_LOW, ['z'] = SH_LOW,
};

/* Flags of a plain ASCII word from the shape of its first byte (f) and of
 * the rest (r): the same rules as shape(), for the tables below. */
#define WF(f, r) (TF_WORD | ((f) == SH_UP ? TF_CAP : (f) == SH_LOW ? TF_LOWER : TF_DIGIT) | \
    ((((f) | (r)) & (SH_UP | SH_LOW)) == SH_UP ? TF_UPPER : 0) | \
    ((((f) | (r)) & SH_LOW) && ((r) & SH_UP) ? TF_MIXED : 0) | \
    (((r) & SH_DIG) && (((f) | (r)) & (SH_UP | SH_LOW)) ? TF_HASDIGIT : 0))

/* What a byte right after a run of ASCII letters and digits means for the
 * fast path: 0 the word ends; 1 it may glue a number or take a period
 * (. , :), look closer; 2 let the general code decide (' & and non-ASCII,
 * all 256 bytes so a word's next byte needs no range test). */
#define WS2_16 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2
static const uint8_t word_stop[256] = {
    ['.'] = 1, [','] = 1, [':'] = 1, ['\''] = 2, ['&'] = 2,
    [0x80] = WS2_16, WS2_16, WS2_16, WS2_16, WS2_16, WS2_16, WS2_16, WS2_16   /* non-ASCII */
};
/* What ASCII punctuation adds to TF_PUNCT (TF_SENT: the next word starts a
 * sentence; the caller passes it on instead of keeping it). */
static const uint32_t punct_flags[128] = {
    ['.'] = TF_END | TF_SENT, ['!'] = TF_END | TF_SENT, ['?'] = TF_END | TF_SENT,
    ['('] = TF_OPEN, ['['] = TF_OPEN, ['{'] = TF_OPEN, ['-'] = TF_HYPH, ['"'] = TF_QUOTE,
};

/* ent_hash_token of 's and 'S */
#define FNV_STEP(h, c) (((h) ^ (c)) * 0x100000001b3ull)
#define POSS_HASH FNV_STEP(FNV_STEP(0xcbf29ce484222325ull, (uint64_t)'\''), (uint64_t)'s')

/* An ASCII possessive 's at s[p] (s[p + 2] may be read): the apostrophe,
 * s or S, and a byte that is not an ASCII letter or digit (the general
 * code decides the rest). */
static inline int poss_at(const unsigned char *s, size_t p)
{
    return s[p] == '\'' && (s[p + 1] | 0x20) == 's' && s[p + 2] < 0x80 &&
           ascii_cc[s[p + 2]] < CC_UPPER;
}

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

/* The low n bytes of a word, 0 <= n <= 8 (a table: a shift by 64 is
 * undefined, and a load is one instruction). */
static const uint64_t low_bytes[9] = {
    0, 0xFFull, 0xFFFFull, 0xFFFFFFull, 0xFFFFFFFFull, 0xFFFFFFFFFFull, 0xFFFFFFFFFFFFull,
    0xFFFFFFFFFFFFFFull, ~0ull
};
/* hash_alnum's seed for a word of n bytes, 0 <= n <= 16 */
#define HS(n) (0x9E3779B97F4A7C15ull ^ (n))
static const uint64_t hash_seed[17] = {
    HS(0), HS(1), HS(2), HS(3), HS(4), HS(5), HS(6), HS(7), HS(8), HS(9), HS(10), HS(11),
    HS(12), HS(13), HS(14), HS(15), HS(16)
};

/* A plain ASCII word's flags and its LINE_INC by shape (first byte f, the
 * rest r), at f * 8 + r. */
#define WF_ROW(f) WF(f, 0), WF(f, 1), WF(f, 2), WF(f, 3), WF(f, 4), WF(f, 5), WF(f, 6), WF(f, 7)
static const uint32_t word_fl[64] = {
    [SH_UP * 8] = WF_ROW(SH_UP), [SH_LOW * 8] = WF_ROW(SH_LOW), [SH_DIG * 8] = WF_ROW(SH_DIG)
};
#define WL(f, r) LINE_INC(WF(f, r))
#define WL_ROW(f) WL(f, 0), WL(f, 1), WL(f, 2), WL(f, 3), WL(f, 4), WL(f, 5), WL(f, 6), WL(f, 7)
static const uint64_t word_lc[64] = {
    [SH_UP * 8] = WL_ROW(SH_UP), [SH_LOW * 8] = WL_ROW(SH_LOW), [SH_DIG * 8] = WL_ROW(SH_DIG)
};

/* Bits 5 and 6 (0x60: among letters and digits, both are set in lower-case
 * letters only) of a word's bytes after its first, 0 <= n <= 8 bytes. */
#define RL(n) (0x6060606060606060ull & ~0xFFull & (n == 8 ? ~0ull : (1ull << (8 * (n))) - 1))
static const uint64_t rest_low[9] = {
    RL(0), RL(1), RL(2), RL(3), RL(4), RL(5), RL(6), RL(7), RL(8)
};

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
        while (q < len && ascii_shape[s[q]]) q++;
        if (q >= len || word_stop[s[q]] == 0) return q;
        if (word_stop[s[q]] == 2) return 0;
        if (!(ascii_shape[s[q - 1]] == SH_DIG && q + 1 < len && ascii_shape[s[q + 1]] == SH_DIG))
            return q;
    }
}

/* TF_WORD and the shape flags of a word that starts with a digit and has
 * other bytes than letters and digits, s[p, e): what shape() gives it. */
static uint32_t number_flags(const unsigned char *s, size_t p, size_t e)
{
    unsigned sh = 0;
    for (size_t j = p + 1; j < e; j++) sh |= ascii_shape[s[j]];
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

/* The word loop's view of 64 bytes of text: bit i set when w[i] is an
 * ASCII letter or digit, bit 63 always clear (so a word's end is always
 * found in the mask). */
static inline uint64_t win_mask(const unsigned char *w)
{
#if ENT_TOK_WIN == 2
    /* Byte range tests as one signed compare each: b + (0x80 - lo), as a
     * signed byte, is below -128 + n exactly when lo <= b < lo + n (the
     * sum wraps for every other byte, 0x80 and up included); x | 0x20
     * folds letters to lower case. */
    const __m128i k_20 = _mm_set1_epi8(0x20),
                  al_off = _mm_set1_epi8((char)(0x80 - 'a')), al_lim = _mm_set1_epi8(-128 + 26),
                  dg_off = _mm_set1_epi8((char)(0x80 - '0')), dg_lim = _mm_set1_epi8(-128 + 10);
    uint64_t a = 0;
    for (int c = 0; c < 4; c++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(w + 16 * c));
        __m128i al = _mm_cmpgt_epi8(al_lim, _mm_add_epi8(_mm_or_si128(x, k_20), al_off));
        __m128i dg = _mm_cmpgt_epi8(dg_lim, _mm_add_epi8(x, dg_off));
        a |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(al, dg)) << (16 * c);
    }
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
#else
    uint64_t a = 0;
    for (int c = 0; c < 64; c++) a |= (uint64_t)(ascii_shape[w[c]] != 0) << c;
#endif
    return a & ~(1ull << 63);
}

/* The shape (SH_*) of a plain ASCII word's n - 1 bytes after its first. */
static unsigned rest_shape(const unsigned char *w, size_t n)
{
    unsigned sh = 0;
    for (size_t j = 1; j < n; j++) sh |= ascii_shape[w[j]];
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
                sh_first = ascii_shape[b0];
                p++;
            }
            while (p < len) {
                size_t m;
                /* ASCII letters and digits: the common case */
                unsigned sh;
                while (p < len && (sh = ascii_shape[s[p]]) != 0) {
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

/* The word loop: plain ASCII words, ASCII punctuation, possessive 's and
 * single spaces from k->p on, until a token for the general code (k->p is
 * left at it) or the end.  Its common path makes no calls, so its state
 * stays in registers: whatever is rare (the word after an abbreviation, words of
 * more than 16 bytes, the text's last bytes, line breaks) goes to the
 * general code instead.  The headline counts are kept here; the candidate
 * list is made at the end, in a pass of its own.
 *
 * Words are found in 64-byte windows of the text classified once into a
 * bit mask of letters and digits (a window serves about a dozen tokens): a
 * word's length is the run of set bits from its first byte; its shape and
 * hash come from one or two 8-byte loads of its bytes.
 *
 * GCC's SLP vectorizer packs a token's four 32-bit fields into one 16-byte
 * store, through four moves and three shuffles: plain stores are fewer
 * instructions. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-slp-vectorize")))
#endif
static void word_loop(tok_state_t *k)
{
    const ent_kb_t *kb = k->kb;
    const unsigned char *s = k->s;
    const size_t len = k->len;
    size_t p = k->p;
    ent_tok_t *const t0 = k->toks, *t = t0 + k->nt;    /* the next token */
    /* Every token takes a byte at least: with no more bytes than room for
     * tokens the loop need not count its room (the general code does,
     * past pend). */
    const size_t pend = k->cap - k->nt < len - p ? p + (k->cap - k->nt) : len;
    uint32_t pending = k->pending;
    uint64_t lc = k->lc;
    size_t base = k->base;
    uint64_t wa = k->win;

    while (p < pend) {
        unsigned b0 = s[p];
        unsigned sh0 = ascii_shape[b0];
        if (__builtin_expect(sh0 != 0, 1)) {
            /* A word of ASCII letters and digits that ends at a byte that
             * cannot continue it or give it a period.  Anything else
             * (apostrophes, non-ASCII letters, numbers with inner . , :,
             * abbreviations) is left to the general code, which starts
             * over.  The shift's count is masked as the machine does: for
             * i >= 63 the test below fails whatever the word. */
            size_t i = p - base, q;
            uint64_t nr = ~(wa >> (i & 63));     /* bit 63 - i is always set */
            size_t wn = (unsigned)__builtin_ctzll(nr);
            unsigned g, shr;
            uint64_t h;
            if (__builtin_expect(i + wn >= 63, 0)) {
                /* past the window, or the word may go on past it: a new
                 * window from the word, or as near it as the text's end
                 * allows (WIN_READ bytes); past that, a byte at a time */
                size_t nb = p;
                if (len - p < WIN_READ) {
                    if (len < WIN_READ) goto tail_word;
                    nb = len - WIN_READ;
                }
                if (nb == base) goto tail_word;   /* a long word, or near the end */
                /* Words in a window add at most 63 to the line's counts
                 * (and those in the text's last bytes, below, at most 72):
                 * here is where the counts move to wide ones. */
                if (lc & LC_HIGH) {
                    k->lc = lc;
                    lc_spill(k);
                    lc = 0;
                }
                base = nb;
                wa = win_mask(s + base);
                i = p - base;
                if (i >= 63) goto tail_word;
                nr = ~(wa >> i);
                wn = (unsigned)__builtin_ctzll(nr);
                if (i + wn >= 63) goto tail_word;
            }
            q = p + wn;
            g = s[q];
            /* The word's bytes (the window has the 16 at p; the general
             * code takes longer words).  Its bytes after the first are
             * most often lower-case letters only, bits 5 and 6 (0x60) set
             * in every one: then its shape is SH_LOW (none for one byte),
             * else it is read byte by byte.  hash_alnum from the same
             * loads. */
            uint64_t w0, w1;
            memcpy(&w0, s + p, 8);
            shr = wn > 1 ? SH_LOW : 0;
            if (__builtin_expect(wn <= 8, 1)) {
                if (__builtin_expect((~w0 & rest_low[wn]) != 0, 0)) {
                    shr = rest_shape(s + p, wn);
                    if (sh0 == SH_UP && !(shr & SH_LOW) && t > t0 && caps_word(t - 1)) k->caps_pair = 1;
                }
                h = hash_seed[wn] ^ ((w0 | 0x2020202020202020ull) & low_bytes[wn]);
            } else {
                if (wn > 16) break;
                memcpy(&w1, s + p + 8, 8);
                if ((~w0 & rest_low[8]) | (~w1 & 0x6060606060606060ull & low_bytes[wn - 8]))
                {
                    shr = rest_shape(s + p, wn);
                    if (sh0 == SH_UP && !(shr & SH_LOW) && t > t0 && caps_word(t - 1)) k->caps_pair = 1;
                }
                h = (hash_seed[wn] ^ (w0 | 0x2020202020202020ull)) * 0xff51afd7ed558ccdull;
                h ^= h >> 32;
                h ^= (w1 | 0x2020202020202020ull) & low_bytes[wn - 8];
            }
            h *= 0xff51afd7ed558ccdull;
            h ^= h >> 32;
word_checks:
            if (__builtin_expect(word_stop[g] != 0, 0)) {
                if (word_stop[g] == 2) {
                    /* a possessive 's ("Britain's") ends the word, as the
                     * general code splits it, before a byte that is not an
                     * ASCII letter or digit (the 's is the next token) */
                    if (!poss_at(s, q)) break;
                } else if (ascii_shape[s[q - 1]] == SH_DIG && q + 1 < len &&
                           ascii_shape[s[q + 1]] == SH_DIG) {
                    /* . , : inside a number (1.13, 464,000, 11:30): a
                     * number that starts with a digit is taken here */
                    size_t e = number_end(s, q, len);
                    if (sh0 != SH_DIG || !e) break;
                    uint32_t fl = pending | number_flags(s, p, e);
                    t->start = (uint32_t)p;
                    t->end = t->hend = (uint32_t)e;
                    t->flags = fl;
                    t->cls = 0;
                    t->h = ent_hash_token((const char *)s + p, e - p);
                    lc += LINE_INC(fl);
                    t++;
                    p = e;
                    pending = 0;
                    if (e < len && s[e] == ' ') {
                        p++;
                        pending = TF_SPACE;
                    }
                    continue;
                } else if (g == '.' && sh0 != SH_DIG && wn <= 6 &&
                           (wn == 1 || (kb && (kb->abbr_bloom[(h >> 6) & 7] & (1ull << (h & 63))) &&
                                        (ent_kb_classes_inline(kb, h) & CL_ABBR)))) {
                    /* a period the word takes (Oct., Inc., J.; the filter
                     * passes many a word, the table decides, as the general
                     * code does) */
                    break;
                }
            }
            size_t wi = sh0 * 8 + shr;
            uint32_t fl = pending | word_fl[wi];
            t->start = (uint32_t)p;
            t->end = t->hend = (uint32_t)q;
            t->flags = fl;
            t->cls = 0;
            t->h = h;
            /* Warm the table slot of capitalised words now, so the
             * tagger's lookups later do not wait on memory one by one. */
            if ((fl & (TF_CAP | TF_MIXED)) && kb) ent_kb_prefetch(kb, h);
            lc += word_lc[wi];
            t++;
            /* The usual single space after a word.  A branch, not a table:
             * predicted, it keeps the load of g off the path from one
             * word to the next. */
            if (g == ' ') {
                p = q + 1;
                pending = TF_SPACE;
            } else {
                p = q;
                pending = 0;
            }
            continue;
tail_word:
            /* The text's last bytes, which no window covers (or all of a
             * text shorter than one): the word a byte at a time.  The
             * possessive check above reads two bytes past it. */
            q = p + 1;
            while (q < len && ascii_shape[s[q]]) q++;
            wn = q - p;
            g = q < len ? s[q] : 0;
            if (wn > 16 || (word_stop[g] == 2 && q + 2 >= len)) break;
            shr = rest_shape(s + p, wn);
            if (sh0 == SH_UP && !(shr & SH_LOW) && wn > 1 && t > t0 && caps_word(t - 1))
                k->caps_pair = 1;
            h = hash_alnum_at(s + p, wn, len - p);
            goto word_checks;
        }
        if (b0 == ' ') { pending |= TF_SPACE; p++; continue; }
        if (b0 == '\n') {
            /* a line break closes the line (what the general code does) */
            k->nt = (size_t)(t - t0);
            k->lc = lc;
            line_end(k);
            lc = 0;
            pending |= TF_SPACE | TF_NL | TF_SENT;
            p++;
            continue;
        }
        if (b0 >= 0x80 || ascii_cc[b0] != CC_OTHER) break;
        /* ASCII punctuation: one byte, one token (what the general code
         * does for it, in short); the apostrophe only as a possessive 's
         * right after a token */
        uint32_t pf = pending | punct_flags[b0];
        uint32_t fl = (pf & ~TF_SENT) | TF_PUNCT, sent = pf & TF_SENT;
        uint64_t h = (0xcbf29ce484222325ull ^ b0) * 0x100000001b3ull;   /* ent_hash_token's */
        size_t tl = 1;
        if (__builtin_expect(b0 == '\'' || b0 == '"', 0)) {
            if (b0 == '\'') {
                if (p + 2 >= len || !poss_at(s, p) || t == t0 || (pending & TF_SPACE)) break;
                fl = (pending & ~TF_SENT) | TF_POSS;
                h = POSS_HASH;
                tl = 2;
            } else if ((fl & (TF_SPACE | TF_NL)) || t == t0) {
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
        t++;
        p += tl;
    }
    k->nt = (size_t)(t - t0);
    k->p = p;
    k->pending = pending;
    k->lc = lc;
    k->base = base;
    k->win = wa;
}

/* 1 when token t may trigger a rule: a trigger word (filter hit) or a shape
 * with rules of its own (ft: TF_DIGIT, TF_CAP, TF_UPPER for #digit, #cap,
 * #upper); (x + 0x7FFFFFFF) >> 31 is x != 0 for the flag bits, without a
 * compare. */
static inline unsigned cand_bit(const uint8_t *bloom, const ent_tok_t *t, uint32_t ft)
{
    return bloom[ent_trig_bloom_bit(t->h)] | (((t->flags & ft) + 0x7FFFFFFFu) >> 31);
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
        const uint32_t ft = (kb->n_digit ? TF_DIGIT : 0) | (kb->n_cap ? TF_CAP : 0) |
                            (kb->n_upper ? TF_UPPER : 0);
        const uint8_t *bloom = kb->trig_bloom;
        uint32_t *at = cand;
        size_t i = 0;
        for (; i + 4 <= k.nt; i += 4) {      /* four at a time: a quarter of the loop's work */
            unsigned c0 = cand_bit(bloom, &toks[i], ft), c1 = cand_bit(bloom, &toks[i + 1], ft),
                     c2 = cand_bit(bloom, &toks[i + 2], ft), c3 = cand_bit(bloom, &toks[i + 3], ft);
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
            at += cand_bit(bloom, &toks[i], ft);
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
