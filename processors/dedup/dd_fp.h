/* dd_fp.h -- the compact binary fingerprint written to the state topic
 * (key = article id).
 *
 *   byte 0      format version (1)
 *   byte 1      flags: 0x2 update, 0x4 has signature
 *   byte 2      shingle size in words
 *   byte 3      signature bytes k (0 when there is none)
 *   bytes 4-7   timestamp, seconds since the epoch, little-endian
 *   bytes 8-15  exact hash of the normalised body, little-endian
 *   bytes 16-23 figures set (dd_norm.h), little-endian
 *   bytes 24-   k signature bytes
 *
 * A reader with other sketch settings keeps only the exact hash. */
#ifndef DD_FP_H
#define DD_FP_H
#include <stddef.h>
#include <stdint.h>

#define WS_DD_FP_VERSION 1
#define WS_DD_FP_HEADER 24

typedef struct {
    unsigned flags;
    unsigned shingle;
    unsigned k;              /* 0 = no signature */
    uint32_t ts;
    uint64_t exact;
    const uint8_t *sig;      /* points into the encoded bytes after decode */
    uint64_t figures;        /* figures set (dd_norm.h) */
} ws_dd_fp_t;

/* Prototypes */
/* Writes WS_DD_FP_HEADER + k bytes into out (size outlen); returns the
 * length, or 0 when out is too small. */
size_t ws_dd_fp_encode(const ws_dd_fp_t *fp, uint8_t *out, size_t outlen);
/* 0, or -1 for a value that is not a fingerprint of this version. */
int ws_dd_fp_decode(const void *val, size_t len, ws_dd_fp_t *fp);

#endif
