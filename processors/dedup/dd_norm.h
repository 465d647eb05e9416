/* dd_norm.h -- normalise an article body into words and hash it.
 *
 * A word is a maximal run of letters, digits and other non-punctuation
 * code points.  Case is folded (ASCII, Latin-1, Latin Extended-A, Greek,
 * Cyrillic), Latin-1 accents are stripped, combining marks, soft hyphens
 * and zero-width joiners are ignored, and everything else (whitespace, ASCII
 * and Unicode punctuation, symbols) separates words.  So two bodies that
 * differ only in case, spacing, quote style or punctuation get the same
 * exact hash.
 *
 * `figures` is a 64-bit set (one hashed bit per word containing a digit:
 * amounts, dates, scores).  Two texts that each have a figure the other
 * lacks contradict each other: templated stories differ exactly there. */
#ifndef DD_NORM_H
#define DD_NORM_H
#include <stddef.h>
#include <stdint.h>
#include "dd_sketch.h"

#define WS_DD_MAX_SHINGLE 16

typedef struct {
    uint64_t exact;     /* hash of the normalised word sequence */
    uint32_t words;     /* number of words */
    uint64_t figures;   /* one bit per distinct word with a digit (hashed) */
} ws_dd_norm_t;

/* Words kept between the scan and the shingle pass. */
#define WS_DD_WORD_RING 2048

/* Scan state (private to dd_norm.c). */
typedef struct {
    unsigned shingle;
    unsigned out_rot;        /* rotation of the word leaving the window */
    uint32_t *min;           /* the sketch's bins, or NULL */
    uint32_t k;              /* number of bins */
    uint64_t roll;           /* XOR of the window's rotated word hashes */
    uint64_t exact;
    uint64_t figures;
    uint32_t words;          /* words scanned */
    uint32_t done;           /* words through the shingle pass */
} ws_dd_scan_state_t;

/* A scan whose shingle pass can wait (16 KB: keep it on the stack of the
 * thread that scans, not in shared state). */
typedef struct {
    ws_dd_scan_state_t st;
    ws_dd_sketch_t *sk;
    uint64_t wb[WS_DD_WORD_RING];  /* last word hashes, a ring */
} ws_dd_scanner_t;

/* Prototypes */
/* Scan body[0..n).  When sk is non-NULL, every run of `shingle` consecutive
 * words is hashed and added to it (a body shorter than that adds one
 * shingle of all its words).  Never fails; invalid UTF-8 bytes separate. */
void ws_dd_scan(const char *body, size_t n, unsigned shingle,
                ws_dd_norm_t *out, ws_dd_sketch_t *sk);
/* The same in two steps: ws_dd_scan_words fills *out, and the sketch is
 * complete only after ws_dd_scan_sketch.  A caller that finds an exact
 * copy from *out alone skips most of the sketching (bodies of up to about
 * WS_DD_WORD_RING words skip all of it). */
void ws_dd_scan_words(ws_dd_scanner_t *sc, const char *body, size_t n, unsigned shingle,
                      ws_dd_norm_t *out, ws_dd_sketch_t *sk);
void ws_dd_scan_sketch(ws_dd_scanner_t *sc);
/* Fold one code point: the folded code point, 0 when it is ignored inside
 * words, or -1 when it separates words. */
int32_t ws_dd_fold(uint32_t cp);

#endif
