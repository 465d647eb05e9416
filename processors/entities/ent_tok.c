/* ent_tok.c -- UTF-8 tokenizer for entity tagging.
 *
 * Words are runs of letters and digits; numbers keep their inner "." "," ":"
 * (1.13, 464,000, 11:30); dotted abbreviations stay whole (U.S., a.m.) and so
 * do known abbreviations followed by a period (Oct., Inc.); the possessive 's
 * is split off; hyphens are tokens of their own.  Every token also gets the
 * shape flags the tagger needs (capitalised, all caps, sentence start,
 * headline line), so later stages never look at bytes again except to
 * compare text.  Invalid UTF-8 bytes are treated as single symbols. */
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

/* A title-case headline line ("Wealthy Voters Abandon Republican Party for
 * Hillary Clinton"): at most 20 words and no numbers, every word longer than
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
 * the rest (r): the same rules as shape(), as a table. */
#define WF(f, r) (TF_WORD | ((f) == SH_UP ? TF_CAP : (f) == SH_LOW ? TF_LOWER : TF_DIGIT) | \
    ((((f) | (r)) & (SH_UP | SH_LOW)) == SH_UP ? TF_UPPER : 0) | \
    ((((f) | (r)) & SH_LOW) && ((r) & SH_UP) ? TF_MIXED : 0) | \
    (((r) & SH_DIG) && (((f) | (r)) & (SH_UP | SH_LOW)) ? TF_HASDIGIT : 0))
#define WF_ROW(f) { WF(f, 0), WF(f, 1), WF(f, 2), WF(f, 3), WF(f, 4), WF(f, 5), WF(f, 6), WF(f, 7) }
static const uint32_t word_flags[8][8] = {
    [SH_UP] = WF_ROW(SH_UP), [SH_LOW] = WF_ROW(SH_LOW), [SH_DIG] = WF_ROW(SH_DIG)
};

/* What a byte right after a run of ASCII letters and digits means for the
 * fast path: 0 the word ends; 1 it may glue a number or take a period
 * (. , :), look closer; 2 let the general code decide (' & and non-ASCII,
 * all 256 bytes so a word's next byte needs no range test). */
#define WS2_16 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2
static const uint8_t word_stop[256] = {
    ['.'] = 1, [','] = 1, [':'] = 1, ['\''] = 2, ['&'] = 2,
    [0x80] = WS2_16, WS2_16, WS2_16, WS2_16, WS2_16, WS2_16, WS2_16, WS2_16   /* non-ASCII */
};

/* The headline test counts, per line, words, capitals words and numbers
 * (see line_done); two counters in 32-bit halves, added per token. */
#define LINE_INC_A(fl) (1 | (uint64_t)(((fl) & (TF_UPPER | TF_DIGIT)) == TF_UPPER) << 32)
#define LINE_INC_B(fl) ((uint64_t)(((fl) & TF_DIGIT) != 0) | (uint64_t)(((fl) & TF_CAP) != 0) << 32)
static inline uint64_t line_inc_a(uint32_t fl)   /* words | capitals words << 32 */
{
    return LINE_INC_A(fl);
}
static inline uint64_t line_inc_b(uint32_t fl)   /* numbers | capitalised words << 32 */
{
    return LINE_INC_B(fl);
}

/* The low n bytes of a word, 0 <= n <= 8 (a table: a shift by 64 is
 * undefined, and a load is one instruction). */
static const uint64_t low_bytes[9] = {
    0, 0xFFull, 0xFFFFull, 0xFFFFFFull, 0xFFFFFFFFull, 0xFFFFFFFFFFull, 0xFFFFFFFFFFFFull,
    0xFFFFFFFFFFFFFFull, ~0ull
};

/* The same for plain ASCII words, by shape, as tables. */
#define LA_ROW(f) { LINE_INC_A(WF(f, 0)), LINE_INC_A(WF(f, 1)), LINE_INC_A(WF(f, 2)), \
    LINE_INC_A(WF(f, 3)), LINE_INC_A(WF(f, 4)), LINE_INC_A(WF(f, 5)), LINE_INC_A(WF(f, 6)), \
    LINE_INC_A(WF(f, 7)) }
#define LB_ROW(f) { LINE_INC_B(WF(f, 0)), LINE_INC_B(WF(f, 1)), LINE_INC_B(WF(f, 2)), \
    LINE_INC_B(WF(f, 3)), LINE_INC_B(WF(f, 4)), LINE_INC_B(WF(f, 5)), LINE_INC_B(WF(f, 6)), \
    LINE_INC_B(WF(f, 7)) }
static const uint64_t word_line_a[8][8] = {
    [SH_UP] = LA_ROW(SH_UP), [SH_LOW] = LA_ROW(SH_LOW), [SH_DIG] = LA_ROW(SH_DIG)
};
static const uint64_t word_line_b[8][8] = {
    [SH_UP] = LB_ROW(SH_UP), [SH_LOW] = LB_ROW(SH_LOW), [SH_DIG] = LB_ROW(SH_DIG)
};

#if defined(__SSE2__)
/* Byte range tests as one signed compare each: b + (0x80 - lo), as a
 * signed byte, is below -128 + n exactly when lo <= b < lo + n (the sum
 * wraps for every other byte, 0x80 and up included). */
static inline __m128i sse_in_range(__m128i x, int lo, int n)
{
    return _mm_cmpgt_epi8(_mm_set1_epi8((char)(-128 + n)),
                          _mm_add_epi8(x, _mm_set1_epi8((char)(0x80 - lo))));
}
/* ASCII letters (x | 0x20 folds them to lower case) and digits. */
static inline __m128i sse_letters(__m128i x)
{
    return sse_in_range(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 26);
}
static inline __m128i sse_digits(__m128i x)
{
    return sse_in_range(x, '0', 10);
}
#endif

/* The end of the run of ASCII letters and digits starting at s[p] (s[p]
 * is one); *rest gets the SH_* bits of the run after its first byte.
 * Eight bytes at a time where the buffer allows: for 7-bit bytes,
 * (b | 0x80) - c keeps the high bit exactly when b >= c, with no borrow
 * between bytes.  Besides fewer instructions per byte this has one
 * predictable branch per word, where a byte loop mispredicts its exit. */
static inline size_t scan_word(const unsigned char *s, size_t p, size_t len, unsigned *rest)
{
    unsigned sh = 0, b;
#if defined(__SSE2__)
    /* Sixteen bytes at a time: nearly every word fits in one step (the
     * word loop in tokenize() does this first step itself). */
    if (p + 16 <= len) {
        unsigned skip16 = 1;               /* the first byte is not "rest" */
        do {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + p));
            /* Bit 5 of a letter (moved to bit 7 by the 16-bit shift, which
             * keeps each byte's bit 7 its own) says lower case. */
            __m128i al = sse_letters(x), dg = sse_digits(x);
            unsigned ma = (unsigned)_mm_movemask_epi8(al),
                     md = (unsigned)_mm_movemask_epi8(dg),
                     ml = (unsigned)_mm_movemask_epi8(_mm_slli_epi16(x, 2)) & ma,
                     mu = ma & ~ml;
            unsigned stop = ~(ma | md) & 0xFFFFu;
            unsigned keep = ((stop & (0u - stop)) - 1u) & ~skip16;   /* bytes before the stop */
            /* most words go on in lower case only: then every byte kept is
             * a lower-case letter, and one test settles the shape */
            if (__builtin_expect(!((mu | md) & keep), 1))
                sh |= keep ? SH_LOW : 0;
            else
                sh |= ((mu & keep) ? SH_UP : 0) | ((ml & keep) ? SH_LOW : 0) |
                      ((md & keep) ? SH_DIG : 0);
            if (stop) {
                *rest = sh;
                return p + (size_t)__builtin_ctz(stop);
            }
            skip16 = 0;
            p += 16;
        } while (p + 16 <= len);
        /* the word goes on past the last whole block: its first byte is behind */
        while (p < len && (b = ascii_shape[s[p]]) != 0) {
            sh |= b;
            p++;
        }
        *rest = sh;
        return p;
    }
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101ull, hi = 0x8080808080808080ull;
    uint64_t skip = 0x80;                 /* the first byte is not "rest" */
    while (p + 8 <= len) {
        uint64_t x;
        memcpy(&x, s + p, 8);
        uint64_t x7 = (x & ~hi) | hi, ascii = ~x & hi;
        uint64_t y7 = x7 | 0x2020202020202020ull;                 /* letters folded */
        uint64_t alpha = (y7 - 'a' * ones) & ~(y7 - ('z' + 1) * ones) & ascii;
        uint64_t dg = (x7 - '0' * ones) & ~(x7 - ('9' + 1) * ones) & ascii;
        uint64_t lo = alpha & (x << 2), up = alpha & ~(x << 2);   /* bit 5: lower case */
        uint64_t stop = ~(alpha | dg) & hi;
        uint64_t keep = ((stop & (0 - stop)) - 1) & ~skip;       /* bytes before the stop */
        sh |= (unsigned)((up & keep) != 0) * SH_UP | (unsigned)((lo & keep) != 0) * SH_LOW |
              (unsigned)((dg & keep) != 0) * SH_DIG;
        if (stop) {
            *rest = sh;
            return p + ((size_t)__builtin_ctzll(stop) >> 3);
        }
        skip = 0;
        p += 8;
    }
    if (skip) p++;                        /* still at the first byte */
#else
    p++;
#endif
    while (p < len && (b = ascii_shape[s[p]]) != 0) {
        sh |= b;
        p++;
    }
    *rest = sh;
    return p;
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

/* Headline lines: letters mostly upper case (case says nothing there), a
 * title-case headline, or an all-caps phrase inside a line.  [i, j) is one
 * line; a and b are its line_inc_a/b sums: words, words in capitals (not
 * numbers), numbers, capitalised words. */
static void line_done(const ent_kb_t *kb, const char *text, ent_tok_t *toks, size_t i,
                      size_t j, uint64_t a, uint64_t b)
{
    size_t words = (uint32_t)a, up = (size_t)(a >> 32), digits = (uint32_t)b,
           caps = (size_t)(b >> 32);
    size_t low = words - digits - up;
    /* title_case_line gives up on a number, more than 20 words or fewer
     * than three capitalised ones: don't ask it then */
    if (up >= 2 && low * 4 < up) {
        for (size_t m = i; m < j; m++) toks[m].flags |= TF_HEAD;
    } else if (kb && !digits && words <= 20 && caps >= 3 &&
               title_case_line(kb, text, toks, i, j)) {
        for (size_t m = i; m < j; m++) toks[m].flags |= TF_HEAD;
    } else if (up >= 2) {
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

/* A token is about to start at toks[nt]: a newline before it closes the
 * line begun at *line0, and the line's counters start again. */
static inline void line_break(const ent_kb_t *kb, const char *text, ent_tok_t *toks, size_t nt,
                              uint32_t pending, size_t *line0, uint64_t *lc_a, uint64_t *lc_b)
{
    if ((pending & TF_NL) && nt > *line0) {
        line_done(kb, text, toks, *line0, nt, *lc_a, *lc_b);
        *line0 = nt;
        *lc_a = *lc_b = 0;
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

/* A token that may trigger a rule goes on the candidate list (branch-free:
 * the slot is written either way, the pointer moves only for a candidate). */
#define CAND(t) do {                                                              \
        if (cand) {                                                               \
            *cand_at = (uint32_t)nt;                                              \
            cand_at += (((t)->flags & flag_trig) != 0) | ent_trig_bloom_has(kb, (t)->h); \
        }                                                                         \
    } while (0)

/* The tokenizer; cand NULL: no candidate list (then kb may be NULL too).
 * Always inlined into its two callers, so the plain one carries no list. */
static inline __attribute__((always_inline)) size_t
tokenize(const ent_kb_t *kb, const char *text, size_t len, ent_tok_t *toks, size_t cap,
         uint32_t *cand, size_t *ncand_out)
{
    const unsigned char *s = (const unsigned char *)text;
    uint32_t *cand_at = cand;          /* the next candidate's slot */
    /* token shapes that trigger rules of their own (#digit, #cap, #upper) */
    uint32_t flag_trig = !cand ? 0 : (kb->n_digit ? TF_DIGIT : 0) | (kb->n_cap ? TF_CAP : 0) |
                                     (kb->n_upper ? TF_UPPER : 0);
    size_t nt = 0, p = 0, n;
    /* flags for the next token; TF_SENT in it: the next word starts a
     * sentence (punctuation passes it on) */
    uint32_t pending = TF_NL | TF_SENT;
    /* the current line, for the headline test */
    size_t line0 = 0;
    uint64_t lc_a = 0, lc_b = 0;       /* line_inc_a/b sums */
#if defined(__SSE2__)
    /* sse_letters / sse_digits, spelled out for the word loop */
    const __m128i k_20 = _mm_set1_epi8(0x20),
                  k_al_off = _mm_set1_epi8((char)(0x80 - 'a')), k_al_lim = _mm_set1_epi8(-128 + 26),
                  k_dg_off = _mm_set1_epi8((char)(0x80 - '0')), k_dg_lim = _mm_set1_epi8(-128 + 10);
#endif

    while (p < len) {
        unsigned b0 = s[p];
        if (b0 == ' ') { pending |= TF_SPACE; p++; continue; }
        unsigned sh0 = ascii_shape[b0];
        if (ENT_TOK_FAST && sh0) {
            /* The common case, kept short: a word of ASCII letters and digits
             * that ends at a byte that cannot continue it or give it a
             * period.  Anything else (apostrophes, non-ASCII letters, numbers
             * with inner . , :, abbreviations) is left to the general code
             * below, which starts over. */
            unsigned shr, g;
            size_t q;
#if defined(__SSE2__)
            /* Most words end inside the 16 bytes at p: classify them once,
             * here, with the constants kept out of the loop (scan_word
             * takes the words that go on, and the last 15 bytes). */
            unsigned stop = 0;
            uint64_t hs = 0;        /* the word's hash_alnum, when stop is set */
            if (p + 16 <= len) {
                __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + p));
                __m128i al = _mm_cmpgt_epi8(k_al_lim, _mm_add_epi8(_mm_or_si128(x, k_20), k_al_off));
                __m128i dg = _mm_cmpgt_epi8(k_dg_lim, _mm_add_epi8(x, k_dg_off));
                unsigned ma = (unsigned)_mm_movemask_epi8(al),
                         md = (unsigned)_mm_movemask_epi8(dg),
                         ml = (unsigned)_mm_movemask_epi8(_mm_slli_epi16(x, 2)) & ma;
                unsigned amd = ma | md;
                stop = amd ^ 0xFFFFu;
                if (stop) {
                    /* the bytes before the stop (all letters or digits),
                     * after the first */
                    unsigned keep = (stop - 1) & amd & ~1u;
                    unsigned mu = ma & ~ml;
                    if (__builtin_expect(!((mu | md) & keep), 1))
                        shr = keep ? SH_LOW : 0;
                    else
                        shr = ((mu & keep) ? SH_UP : 0) | ((ml & keep) ? SH_LOW : 0) |
                              ((md & keep) ? SH_DIG : 0);
                    size_t wn = (size_t)__builtin_ctz(stop);
                    q = p + wn;
                    g = s[q];
                    /* hash_alnum of the word, from the bytes in hand */
                    uint64_t w0 = (uint64_t)_mm_cvtsi128_si64(x) | 0x2020202020202020ull;
                    if (wn <= 8) {
                        hs = (0x9E3779B97F4A7C15ull ^ (uint64_t)wn) ^ (w0 & low_bytes[wn]);
                    } else {
                        hs = ((0x9E3779B97F4A7C15ull ^ (uint64_t)wn) ^ w0) * 0xff51afd7ed558ccdull;
                        hs ^= hs >> 32;
                        uint64_t w1 = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(x, x)) |
                                      0x2020202020202020ull;
                        hs ^= w1 & low_bytes[wn - 8];
                    }
                    hs *= 0xff51afd7ed558ccdull;
                    hs ^= hs >> 32;
                }
            }
            if (!stop) {
                q = scan_word(s, p, len, &shr);
                g = q < len ? s[q] : ' ';
            }
#else
            q = scan_word(s, p, len, &shr);
            g = q < len ? s[q] : ' ';
#endif
            int slow = word_stop[g];     /* 0: the word ends here */
            if (slow == 1) {
                /* . , : end it too when not inside a number (1.13, 464,000,
                 * 11:30) ... */
                slow = ascii_shape[s[q - 1]] == SH_DIG && q + 1 < len &&
                       ascii_shape[s[q + 1]] == SH_DIG;
                /* ... and it is no period the word could take (U.S., Oct., J.) */
                if (!slow && g == '.' && sh0 != SH_DIG && q - p <= 6) {
                    uint64_t ah = hash_alnum_at(s + p, q - p, len - p);
                    if (q - p == 1 || (kb && (kb->abbr_bloom[(ah >> 6) & 7] & (1ull << (ah & 63)))))
                        slow = 1;
                }
            }
            if (!slow) {
#if defined(__SSE2__)
                uint64_t h = stop ? hs : hash_alnum_at(s + p, q - p, len - p);
#else
                uint64_t h = hash_alnum_at(s + p, q - p, len - p);
#endif
                if (nt >= cap) return SIZE_MAX;
                line_break(kb, text, toks, nt, pending, &line0, &lc_a, &lc_b);
                ent_tok_t *t = &toks[nt];
                uint32_t fl = pending | word_flags[sh0][shr];
                t->start = (uint32_t)p;
                t->end = t->hend = (uint32_t)q;
                t->flags = fl;
                t->cls = 0;
                t->h = h;
                pending = 0;
                /* Warm the table slot of capitalised words now, so the
                 * tagger's lookups later do not wait on memory one by one. */
                if (fl & (TF_CAP | TF_MIXED)) {
                    if (kb) ent_kb_prefetch(kb, h);
                    /* abbr_end only ever acts on a capitalised word */
                    if (nt) abbr_end(kb, text, &toks[nt - 1], t);
                }
                lc_a += word_line_a[sh0][shr];
                lc_b += word_line_b[sh0][shr];
                CAND(t);
                nt++;
                p = q;
                if (g == ' ' && q < len) {       /* the usual single space after a word */
                    pending = TF_SPACE;
                    p++;
                }
                continue;
            }
        }
        if (ENT_TOK_FAST && b0 < 0x80 && ascii_cc[b0] == CC_OTHER && b0 != '\'') {
            /* ASCII punctuation other than the apostrophe: one byte, one
             * token (what the general code below does for it, in short) */
            if (nt >= cap) return SIZE_MAX;
            line_break(kb, text, toks, nt, pending, &line0, &lc_a, &lc_b);
            ent_tok_t *t = &toks[nt];
            uint32_t fl = (pending & ~TF_SENT) | TF_PUNCT, sent = pending & TF_SENT;
            if (b0 == '-') {
                fl |= TF_HYPH;
            } else if (b0 == '"') {
                fl |= TF_QUOTE;
                /* An opening quote: the quoted words start a sentence. */
                if ((fl & (TF_SPACE | TF_NL)) || nt == 0) {
                    fl |= TF_OPEN;
                    sent = TF_SENT;
                }
            } else if (b0 == '(' || b0 == '[' || b0 == '{') {
                fl |= TF_OPEN;
            } else if (b0 == '.' || b0 == '!' || b0 == '?') {
                fl |= TF_END;
                sent = TF_SENT;
            }
            t->start = (uint32_t)p;
            t->end = t->hend = (uint32_t)(p + 1);
            t->flags = fl;
            t->cls = 0;
            t->h = (0xcbf29ce484222325ull ^ b0) * 0x100000001b3ull;   /* ent_hash_token's */
            pending = sent;
            CAND(t);
            nt++;
            p++;
            continue;
        }
        uint32_t c;
        int k;
        if (b0 < 0x80) {
            n = 1;
            c = b0;
            k = ascii_cc[b0];
        } else {
            c = u8_decode(s + p, len - p, &n);
            k = cclass(c);
        }
        if (k == CC_SPACE) { pending |= TF_SPACE; p += n; continue; }
        if (k == CC_NL) {
            pending |= TF_SPACE | TF_NL | TF_SENT;
            p += n;
            continue;
        }
        if (nt >= cap) return SIZE_MAX;     /* caller retries with room for len+1 */
        line_break(kb, text, toks, nt, pending, &line0, &lc_a, &lc_b);
        ent_tok_t *t = &toks[nt];
        t->start = (uint32_t)p;
        t->flags = pending;            /* TF_SENT: dropped again for punctuation */
        t->cls = 0;
        pending = 0;

        if (is_alnum_cc(k)) {
            size_t q = 0;
            int is_dotted = 0;
            if (k != CC_DIGIT && p + n < len && s[p + n] == '.') q = dotted(s, len, p);
            if (q) {
                p += q;
                is_dotted = 1;
                t->flags |= TF_WORD | TF_ABBR;
            } else {
                size_t q0 = p;
                int prev = k;
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
                    if (wl <= 6 && k != CC_DIGIT && kb &&
                        (ah = ent_hash_token(text + q0, wl),
                         kb->abbr_bloom[(ah >> 6) & 7] & (1ull << (ah & 63))) &&
                        (ent_kb_classes(kb, ah) & CL_ABBR)) {
                        p++;
                        t->flags |= TF_ABBR;
                    } else if (wl == 1 && k == CC_UPPER && p + 1 < len && s[p + 1] == ' ' &&
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
                    if (k == CC_UPPER) fl |= TF_CAP;
                    else if (k == CC_LOWER) fl |= TF_LOWER;
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
            lc_a += line_inc_a(t->flags);
            lc_b += line_inc_b(t->flags);
            CAND(t);
            nt++;
            continue;
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
            pending = sent;
        }
        CAND(t);
        nt++;
    }
    if (nt > line0) line_done(kb, text, toks, line0, nt, lc_a, lc_b);
    if (cand) *ncand_out = (size_t)(cand_at - cand);
    return nt;
}

size_t ent_tokenize_cap(const ent_kb_t *kb, const char *text, size_t len, ent_tok_t *toks,
                        size_t cap)
{
    return tokenize(kb, text, len, toks, cap, NULL, NULL);
}

/* GCC's SLP vectorizer packs a token's four 32-bit fields into one
 * 16-byte store, through four moves and three shuffles: plain stores are
 * fewer instructions. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-slp-vectorize")))
#endif
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
