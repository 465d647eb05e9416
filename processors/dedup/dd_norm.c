/* dd_norm.c -- tokenising, case folding and hashing of bodies. */
#include "dd_norm.h"

#include <pthread.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define FNV_PRIME 0x100000001B3ULL
#define FNV_BASIS 0xCBF29CE484222325ULL

/* Latin-1 letters U+00C0..U+00FF folded to lower case without accents;
 * 0 marks the two symbols (multiplication and division signs). */
static const uint8_t latin1_fold[64] = {
    'a','a','a','a','a','a',0xE6,'c','e','e','e','e','i','i','i','i',
    0xF0,'n','o','o','o','o','o',0,'o','u','u','u','u','y',0xFE,0xDF,
    'a','a','a','a','a','a',0xE6,'c','e','e','e','e','i','i','i','i',
    0xF0,'n','o','o','o','o','o',0,'o','u','u','u','u','y',0xFE,'y'
};

int32_t ws_dd_fold(uint32_t cp) {
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z') return (int32_t)(cp + 32);
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) return (int32_t)cp;
        return -1;
    }
    if (cp < 0xC0) {
        /* Latin-1 punctuation and symbols; keep the ordinal indicators
         * and micro sign as letters. */
        if (cp == 0xAD) return 0;                       /* soft hyphen */
        if (cp == 0xAA || cp == 0xBA) return 'a' + (cp == 0xBA) * ('o' - 'a');
        if (cp == 0xB5) return 0x3BC;
        return -1;
    }
    if (cp < 0x100) {
        uint8_t f = latin1_fold[cp - 0xC0];
        return f ? f : -1;
    }
    if (cp < 0x180) {
        /* Latin Extended-A: mostly upper/lower pairs. */
        if (cp == 0x130) return 'i';
        if (cp == 0x131 || cp == 0x138 || cp == 0x149 || cp == 0x17F) return (int32_t)cp;
        if (cp == 0x178) return 'y';
        if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
            return (int32_t)(cp | 1) == (int32_t)cp ? (int32_t)(cp + 1) : (int32_t)cp;
        return (int32_t)(cp | 1);
    }
    if (cp >= 0x300 && cp <= 0x36F) return 0;           /* combining marks */
    if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return (int32_t)(cp + 32);
    if (cp >= 0x386 && cp <= 0x38F) {                  /* accented Greek capitals */
        static const uint16_t lower[10] = {0x3AC, 0, 0x3AD, 0x3AE, 0x3AF, 0, 0x3CC, 0, 0x3CD, 0x3CE};
        if (lower[cp - 0x386]) return lower[cp - 0x386];
    }
    if (cp == 0x3AA || cp == 0x3AB) return (int32_t)(cp + 32);   /* Ϊ Ϋ */
    if (cp >= 0x410 && cp <= 0x42F) return (int32_t)(cp + 32);
    if (cp >= 0x400 && cp <= 0x40F) return (int32_t)(cp + 80);
    if (cp == 0x200C || cp == 0x200D || cp == 0x2060) return 0;   /* joiners */
    if (cp >= 0xFE00 && cp <= 0xFE0F) return 0;         /* variation selectors */
    if (cp >= 0x2000 && cp <= 0x206F) return -1;        /* general punctuation */
    if (cp >= 0x20A0 && cp <= 0x20CF) return -1;        /* currency signs */
    if (cp >= 0x2100 && cp <= 0x2BFF) return -1;        /* symbols, arrows */
    if (cp >= 0x3000 && cp <= 0x303F) return -1;        /* CJK punctuation */
    if (cp >= 0xFE10 && cp <= 0xFE6F) return -1;
    if (cp == 0xFEFF || cp == 0xFFFD) return -1;   /* BOM, replacement char */
    if ((cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
        (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65)) return -1;
    if (cp >= 0xFF21 && cp <= 0xFF3A) return (int32_t)(cp - 0xFF21 + 'a');
    if (cp >= 0xFF41 && cp <= 0xFF5A) return (int32_t)(cp - 0xFF41 + 'a');
    if (cp >= 0xFF10 && cp <= 0xFF19) return (int32_t)(cp - 0xFF10 + '0');
    return (int32_t)cp;
}

/* Decode one UTF-8 sequence at p (n > 0 bytes left).  Returns its length;
 * an invalid byte decodes as U+FFFD of length 1 (which separates). */
static size_t decode(const unsigned char *p, size_t n, uint32_t *cp) {
    unsigned c = p[0];
    if (c < 0xC2 || c > 0xF4) goto bad;
    if (c < 0xE0) {
        if (n < 2 || (p[1] & 0xC0) != 0x80) goto bad;
        *cp = ((c & 0x1Fu) << 6) | (p[1] & 0x3Fu);
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) goto bad;
        *cp = ((c & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
        if (*cp < 0x800) goto bad;
        return 3;
    }
    if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
        (p[3] & 0xC0) != 0x80) goto bad;
    *cp = ((c & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) |
          (p[3] & 0x3Fu);
    if (*cp < 0x10000 || *cp > 0x10FFFF) goto bad;
    return 4;
bad:
    *cp = 0xFFFD;
    return 1;
}

/* Per-byte class for the slow path: the folded byte for ASCII letters and
 * digits, 0 for separators, 0xFF for bytes >= 0x80 (decode them). */
static uint8_t ascii_class[256];
static pthread_once_t ascii_once = PTHREAD_ONCE_INIT;

static void ascii_init(void) {
    for (unsigned c = 0; c < 256; c++) {
        if (c >= 0x80) ascii_class[c] = 0xFF;
        else {
            int32_t f = ws_dd_fold(c);
            ascii_class[c] = f > 0 ? (uint8_t)f : 0;
        }
    }
}

/* Words go through two passes (see dd_norm.h).  The scan finishes each
 * word's hash, the exact hash and the figures set, and appends the word
 * hash to the ring; the shingle pass rolls the shingle hashes over the
 * ring into the sketch.  It runs when the ring is nearly full and at the
 * end, so an article found to be an exact copy skips it.  Two short loops
 * also keep their state in registers where one long loop would spill. */
#define WB_SIZE WS_DD_WORD_RING
#define FLUSH_AT (WB_SIZE - 64)  /* + 32 words of a window + 16 <= WB_SIZE */

typedef ws_dd_scan_state_t scan_state_t;

static inline uint64_t rotl(uint64_t x, unsigned r) {
    r &= 63;
    return (x << r) | (x >> ((64 - r) & 63));
}

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/* One finished word (wh: its hash so far): finish its hash, update the
 * exact hash and the figures set, and append it to the ring. */
static ALWAYS_INLINE void end_word(scan_state_t *st, uint64_t *wb, uint64_t wh, int digit) {
    wh *= 0x9E3779B97F4A7C15ULL;
    wh ^= wh >> 32;
    st->figures |= (uint64_t)digit << (wh >> 58);
    /* Position-weighted sum: order-sensitive without a serial multiply
     * chain from word to word. */
    st->exact += wh * (2 * (uint64_t)st->words + 1);
    wb[st->words % WB_SIZE] = wh;
    st->words++;
}

/* The shingle pass over words [from, to): returns the new rolling hash.
 * The shingle hash rolls (cyclic polynomial, "buzhash"): rotate the
 * window, add the new word, remove the word that left, so it costs O(1)
 * per word whatever the shingle size.  13 * shingle is never a multiple
 * of 64, so a leaving word never cancels itself.  The ring's top
 * WS_DD_MAX_SHINGLE slots start zeroed, so before `shingle` words the
 * leaving word is 0.  Bins are updated as ws_dd_sketch_add does (the
 * count is set once at the end). */
static uint64_t shingle_pass(const uint64_t *wb, uint32_t from, uint32_t to, uint64_t roll,
                             unsigned shingle, unsigned out_rot, uint32_t *min, uint32_t k) {
    uint32_t j = from;
    /* The first shingle - 1 words only fill the window. */
    for (; j < to && j + 1 < shingle; j++)
        roll = rotl(roll, 13) ^ wb[j % WB_SIZE] ^ rotl(wb[(j - shingle) % WB_SIZE], out_rot);
    for (; j < to; j++) {
        uint64_t old = wb[(j - shingle) % WB_SIZE];
        roll = rotl(roll, 13) ^ wb[j % WB_SIZE] ^ rotl(old, out_rot);
        uint64_t h = roll;
        h ^= h >> 31;
        h *= 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 29;
        uint32_t bin = (uint32_t)(((h >> 32) * (uint64_t)k) >> 32);
        uint32_t v = (uint32_t)h, m = min[bin];
        v -= (v == WS_DD_EMPTY);
        min[bin] = v < m ? v : m;
    }
    return roll;
}

static inline void flush(scan_state_t *st, const uint64_t *wb) {
    st->roll = shingle_pass(wb, st->done, st->words, st->roll, st->shingle, st->out_rot,
                            st->min, st->k);
    st->done = st->words;
}

/* Words are hashed eight folded bytes at a time: bytes are packed into
 * `chunk` (first byte lowest), which is mixed into the word hash when full
 * and at the end, so the hash depends only on the folded bytes. */
typedef struct {
    uint64_t wh, chunk;
    unsigned nchunk;
    uint64_t digit;    /* non-zero when the word has a digit */
} word_t;

static inline void word_mix(word_t *w, uint64_t v) {
    w->wh = (w->wh ^ v) * FNV_PRIME;
}

/* Folded digits are the only word bytes without bit 0x40, so whether a
 * word has one is checked once per chunk, not per byte. */
#define BIT40S 0x4040404040404040ULL
static inline void word_digits(word_t *w) {
    w->digit |= ~w->chunk & ((1ULL << (8 * w->nchunk)) - 1) & BIT40S;
}

static inline void word_byte(word_t *w, uint32_t c) {
    w->chunk |= (uint64_t)c << (8 * w->nchunk);
    if (++w->nchunk == 8) {
        w->digit |= ~w->chunk & BIT40S;
        word_mix(w, w->chunk);
        w->chunk = 0;
        w->nchunk = 0;
    }
}

/* Folded code point f (> 0) into the word.  Folds to ASCII (accented Latin
 * letters) give the same bytes as the unaccented spelling; wider code
 * points take a chunk of their own. */
static inline void word_cp(word_t *w, int32_t f) {
    if (f < 0x80) {
        word_byte(w, (uint32_t)f);
        return;
    }
    if (w->nchunk) {
        word_digits(w);
        word_mix(w, w->chunk);
    }
    w->chunk = 0;
    w->nchunk = 0;
    word_mix(w, (uint64_t)f | 0x100000000ULL);
}

/* The slow path, for a run of word bytes that has bytes >= 0x80 (or is
 * too long for the fast path): decode and fold code point by code point
 * from p[i] up to the next ASCII separator (or n), ending a word at each
 * non-ASCII separator.  Returns where it stopped. */
static size_t scan_run(scan_state_t *st, uint64_t *ring, const unsigned char *p, size_t i,
                       size_t n) {
    for (;;) {
        word_t w = { FNV_BASIS, 0, 0, 0 };
        int have = 0, stop = 1;
        while (i < n) {
            uint32_t c = ascii_class[p[i]];
            if (c == 0) break;
            if (c != 0xFF) {
                word_byte(&w, c);
                have = 1;
                i++;
                continue;
            }
            uint32_t cp;
            i += decode(p + i, n - i, &cp);
            int32_t f = ws_dd_fold(cp);
            if (f < 0) {
                stop = 0;          /* a word ends, the run goes on */
                break;
            }
            if (f > 0) {
                word_cp(&w, f);
                have = 1;
            }
        }
        if (have) {
            word_digits(&w);
            /* end_word's multiply finishes the last chunk */
            end_word(st, ring, w.wh ^ w.chunk ^ ((uint64_t)w.nchunk << 60), w.digit != 0);
            if (st->min && st->words - st->done >= FLUSH_AT) flush(st, ring);
        }
        if (stop || i >= n) return i;
    }
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

#if !defined(__SSE2__)
/* High bit of each byte set where lo <= byte <= hi; bytes must be < 0x80
 * so that no sum carries into the next byte. */
static inline uint64_t in_range(uint64_t x, unsigned lo, unsigned hi) {
    return (x + ONES * (0x80 - lo)) & ~(x + ONES * (0x7F - hi)) & HIGHS;
}
#endif

#define WIN 64            /* bytes classified at once */
#define WIN_READ 80       /* bytes the fast path may read from a window */

/* Bit i of *word is set when win[i] is an ASCII letter or digit, bit i of
 * *high when win[i] >= 0x80. */
static inline void classify(const unsigned char *win, uint64_t *word, uint64_t *high) {
#if defined(__SSE2__)
    uint64_t a = 0, h = 0;
    const __m128i lower = _mm_set1_epi8(0x20);
    const __m128i abias = _mm_set1_epi8((char)(0x80 - 'a'));
    const __m128i alim = _mm_set1_epi8((char)(-128 + 26));
    const __m128i dbias = _mm_set1_epi8((char)(0x80 - '0'));
    const __m128i dlim = _mm_set1_epi8((char)(-128 + 10));
    for (int j = 0; j < WIN / 16; j++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(win + 16 * j));
        /* x in [lo, lo + n) <=> (x - lo) ^ 0x80, signed, < -128 + n */
        __m128i al = _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(v, lower), abias), alim);
        __m128i dg = _mm_cmplt_epi8(_mm_add_epi8(v, dbias), dlim);
        a |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_or_si128(al, dg)) << (16 * j);
        h |= (uint64_t)(uint16_t)_mm_movemask_epi8(v) << (16 * j);
    }
    *word = a;
    *high = h;
#else
    uint64_t a = 0, h = 0;
    for (int j = 0; j < WIN / 8; j++) {
        uint64_t x, lo, y, m;
        memcpy(&x, win + 8 * j, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        x = __builtin_bswap64(x);
#endif
        lo = x & ~HIGHS;
        y = lo | (ONES * 0x20);
        m = (in_range(y, 'a', 'z') | in_range(lo, '0', '9')) & ~x;
        /* gather each byte's top bit into one bit per byte */
        a |= ((((m >> 7) & ONES) * 0x0102040810204080ULL) >> 56) << (8 * j);
        h |= ((((x & HIGHS) >> 7) * 0x0102040810204080ULL) >> 56) << (8 * j);
    }
    *word = a;
    *high = h;
#endif
}

static inline uint64_t load64(const unsigned char *p) {
    uint64_t x;
    memcpy(&x, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);      /* first byte lowest, as on little-endian */
#endif
    return x;
}

/* The first len bytes of a chunk, and their 0x40 bits (len 0..8). */
#define LM(n) ((n) == 8 ? ~0ULL : (1ULL << ((8 * (n)) & 63)) - 1)
static const uint64_t len_mask[9] = {
    LM(0), LM(1), LM(2), LM(3), LM(4), LM(5), LM(6), LM(7), LM(8)
};
static const uint64_t len_mask40[9] = {
    LM(0) & BIT40S, LM(1) & BIT40S, LM(2) & BIT40S, LM(3) & BIT40S, LM(4) & BIT40S,
    LM(5) & BIT40S, LM(6) & BIT40S, LM(7) & BIT40S, LM(8) & BIT40S
};

/* The fast path classifies 64 bytes at once into bit masks and walks the
 * words with bit tricks.  A word of plain ASCII letters and digits that
 * ends inside the window is hashed from one to eight unaligned loads.  A
 * run of word bytes with a byte >= 0x80 goes to the slow path, which
 * decodes it; runs are delimited by ASCII separators, which never belong to
 * a UTF-8 sequence, so both paths give the same words.  A window always
 * starts at a separator or at a run's first byte.  The state lives in a
 * local copy (registers) and is handed over around the slow path. */
static ALWAYS_INLINE void scan_fast(scan_state_t *st, uint64_t *ring, const unsigned char *p,
                                    size_t n, int with_sk) {
    scan_state_t l = *st;
    unsigned char tmp[WIN_READ];
    size_t pos = 0;

    while (pos < n) {
        const unsigned char *win = p + pos;
        size_t avail = n - pos;
        uint64_t wordm, high, m;
        if (avail < WIN_READ) {
            /* Near the end: a zero-padded copy (0 separates words). */
            size_t c = avail < WIN ? avail : WIN;
            memcpy(tmp, win, c);
            memset(tmp + c, 0, sizeof(tmp) - c);
            win = tmp;
        }
        classify(win, &wordm, &high);
        m = wordm | high;
        /* Runs start where a bit follows a clear one and end where a clear
         * one follows (a window never starts inside a run).  Runs from
         * `cut` on are left out: from the first run with a byte >= 0x80
         * (the slow path takes it and what follows it), else from a run
         * that reaches the window's end (it may go on: the next window
         * starts there, or the slow path takes a run of 64 bytes). */
        uint64_t starts = m & ~(m << 1), ends = m & ~(m >> 1);
        unsigned cut = WIN;
        int slow = 0;
        if (high) {
            unsigned fh = (unsigned)__builtin_ctzll(high);
            cut = 63 - (unsigned)__builtin_clzll(starts & ((2ULL << fh) - 1));
            slow = 1;
        } else if (m >> 63) {
            cut = 63 - (unsigned)__builtin_clzll(starts);
            slow = cut == 0;
        }
        if (cut < WIN) {
            starts &= (1ULL << cut) - 1;
            ends &= (1ULL << cut) - 1;
        }
        while (starts) {
            unsigned s = (unsigned)__builtin_ctzll(starts);
            unsigned e = (unsigned)__builtin_ctzll(ends) + 1;
            starts &= starts - 1;
            ends &= ends - 1;
            /* ASCII letters and digits fold by setting bit 0x20. */
            unsigned len = e - s;
            const unsigned char *q = win + s;
            uint64_t wh = FNV_BASIS, digit = 0, c;
            while (len >= 8) {
                c = load64(q) | (ONES * 0x20);
                digit |= ~c & BIT40S;
                wh = (wh ^ c) * FNV_PRIME;
                q += 8;
                len -= 8;
            }
            c = (load64(q) | (ONES * 0x20)) & len_mask[len];
            digit |= ~c & len_mask40[len];
            end_word(&l, ring, wh ^ c ^ ((uint64_t)len << 60), digit != 0);
        }
        if (slow) {
            *st = l;
            pos = scan_run(st, ring, p, pos + cut, n);
            l = *st;
        } else {
            pos += cut;
        }
        if (with_sk && l.words - l.done >= FLUSH_AT) flush(&l, ring);
    }
    *st = l;
}

void ws_dd_scan_words(ws_dd_scanner_t *sc, const char *body, size_t n, unsigned shingle,
                      ws_dd_norm_t *out, ws_dd_sketch_t *sk) {
    scan_state_t *st = &sc->st;

    pthread_once(&ascii_once, ascii_init);
    if (shingle < 1) shingle = 1;
    if (shingle > WS_DD_MAX_SHINGLE) shingle = WS_DD_MAX_SHINGLE;
    sc->sk = sk;
    st->shingle = shingle;
    st->out_rot = (13 * shingle) & 63;
    st->min = sk ? sk->min : NULL;
    st->k = sk ? sk->k : 0;
    st->roll = 0;
    st->exact = FNV_BASIS;
    st->figures = 0;
    st->words = 0;
    st->done = 0;
    memset(sc->wb + WB_SIZE - WS_DD_MAX_SHINGLE, 0, WS_DD_MAX_SHINGLE * sizeof(sc->wb[0]));
    if (sk) scan_fast(st, sc->wb, (const unsigned char *)body, n, 1);
    else scan_fast(st, sc->wb, (const unsigned char *)body, n, 0);
    out->exact = ws_dd_mix64(st->exact ^ st->words);
    out->words = st->words;
    out->figures = st->figures;
}

void ws_dd_scan_sketch(ws_dd_scanner_t *sc) {
    scan_state_t *st = &sc->st;
    ws_dd_sketch_t *sk = sc->sk;

    if (!sk) return;
    flush(st, sc->wb);
    if (st->words >= st->shingle) sk->shingles += st->words - st->shingle + 1;
    /* A body shorter than one shingle is one shingle of all its words. */
    if (st->words > 0 && st->words < st->shingle) {
        uint64_t h = st->words;
        for (unsigned j = 0; j < st->words; j++) h += rotl(sc->wb[j], j * 13);
        ws_dd_sketch_add(sk, ws_dd_mix64(h));
    }
    sc->sk = NULL;
}

void ws_dd_scan(const char *body, size_t n, unsigned shingle,
                ws_dd_norm_t *out, ws_dd_sketch_t *sk) {
    ws_dd_scanner_t sc;
    ws_dd_scan_words(&sc, body, n, shingle, out, sk);
    ws_dd_scan_sketch(&sc);
}
