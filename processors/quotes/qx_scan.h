/* qx_scan.h -- byte scans of the mark scanner and of attribution, in a
 * header so that tests can compare them with byte-by-byte searches. */
#ifndef QX_SCAN_H
#define QX_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Nonzero when some byte of x equals c (the classic SWAR zero-byte test). */
static inline uint64_t qx_has_byte(uint64_t x, unsigned char c)
{
    uint64_t y = x ^ (0x0101010101010101ULL * c);
    return (y - 0x0101010101010101ULL) & ~y & 0x8080808080808080ULL;
}

/* First i in [i, pe) whose byte may start a mark (" C2 E2, or ' E2 with
 * singles), or a position before it from which the caller goes on byte by
 * byte; pe if there is none.  Never past pe, and never reads at or past
 * len (the body's end; pe is the paragraph's).  Runs of text without such
 * bytes are skipped 64 or 16 (SSE2) or 8 bytes at a time. */
static inline size_t qx_skip_plain(const char *s, size_t len, size_t i, size_t pe, int singles)
{
    (void)len;   /* only the SSE2 blocks read past pe */
#if defined(__SSE2__)
    const __m128i e2 = _mm_set1_epi8((char)0xE2);
    const __m128i a = _mm_set1_epi8(singles ? '\'' : '"');
    const __m128i b = _mm_set1_epi8(singles ? '\'' : (char)0xC2);
#define QX_HIT16(x) \
    _mm_or_si128(_mm_cmpeq_epi8(x, e2), _mm_or_si128(_mm_cmpeq_epi8(x, a), _mm_cmpeq_epi8(x, b)))
    /* Most text has no mark for hundreds of bytes: 64 at a time, one test.
     * A block may run past the paragraph end (not the body's): its bits
     * from pe on are cleared, so the paragraph's tail needs no byte loop. */
    while (i < pe && i + 64 <= len) {
        const __m128i *p = (const __m128i *)(const void *)(s + i);
        __m128i h0 = QX_HIT16(_mm_loadu_si128(p)), h1 = QX_HIT16(_mm_loadu_si128(p + 1));
        __m128i h2 = QX_HIT16(_mm_loadu_si128(p + 2)), h3 = QX_HIT16(_mm_loadu_si128(p + 3));
        if (!_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(h0, h1), _mm_or_si128(h2, h3)))) {
            i += 64;
            continue;
        }
        uint64_t m = (uint64_t)(unsigned)_mm_movemask_epi8(h0) | (uint64_t)(unsigned)_mm_movemask_epi8(h1) << 16 |
                     (uint64_t)(unsigned)_mm_movemask_epi8(h2) << 32 | (uint64_t)(unsigned)_mm_movemask_epi8(h3) << 48;
        if (pe - i < 64) m &= (1ULL << (pe - i)) - 1;
        return m ? i + (size_t)__builtin_ctzll(m) : pe;
    }
    if (i >= pe) return pe;
    while (i + 16 <= pe) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned m = (unsigned)_mm_movemask_epi8(QX_HIT16(x));
        if (m) return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
#undef QX_HIT16
#endif
    while (i + 8 <= pe) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t hit = qx_has_byte(x, 0xE2) |
                       (singles ? qx_has_byte(x, '\'') : qx_has_byte(x, '"') | qx_has_byte(x, 0xC2));
        if (hit) break;
        i += 8;
    }
    return i;
}

/* How many ASCII letters end right before p, counting at most max (<= 16):
 * the word an abbreviation's period would close.  One 16-byte test when 16
 * bytes precede p. */
static inline uint32_t qx_letters_before(const char *b, uint32_t p, uint32_t max)
{
    uint32_t n = 0;
#if defined(__SSE2__)
    if (p >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(b + p - 16));
        __m128i l = _mm_or_si128(x, _mm_set1_epi8(0x20));   /* A-Z to a-z; nothing else lands there */
        /* c - 'a' + 0x80 < -128 + 26: the range as one signed compare */
        __m128i alpha = _mm_cmplt_epi8(_mm_add_epi8(l, _mm_set1_epi8((char)(0x80 - 'a'))),
                                       _mm_set1_epi8((char)(0x80 + 26)));
        uint32_t nm = ~(uint32_t)_mm_movemask_epi8(alpha) << 16;   /* bit 31: b[p - 1] is no letter */
        n = nm ? (uint32_t)__builtin_clz(nm) : 16;
        return n < max ? n : max;
    }
#endif
    while (n < max && n < p) {
        unsigned char c = (unsigned char)b[p - 1 - n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) break;
        n++;
    }
    return n;
}

#endif
