/* dd_fp.c -- fingerprint encoding for the state topic. */
#include "dd_fp.h"

#include <string.h>

size_t ws_dd_fp_encode(const ws_dd_fp_t *fp, uint8_t *out, size_t outlen) {
    unsigned k = fp->sig ? fp->k : 0;
    size_t n = WS_DD_FP_HEADER + k;
    if (outlen < n || k > 255 || fp->shingle > 255) return 0;
    out[0] = WS_DD_FP_VERSION;
    out[1] = (uint8_t)(fp->flags & 0x6);
    out[2] = (uint8_t)fp->shingle;
    out[3] = (uint8_t)k;
    for (int i = 0; i < 4; i++) out[4 + i] = (uint8_t)(fp->ts >> (8 * i));
    for (int i = 0; i < 8; i++) out[8 + i] = (uint8_t)(fp->exact >> (8 * i));
    for (int i = 0; i < 8; i++) out[16 + i] = (uint8_t)(fp->figures >> (8 * i));
    if (k) memcpy(out + WS_DD_FP_HEADER, fp->sig, k);
    return n;
}

int ws_dd_fp_decode(const void *val, size_t len, ws_dd_fp_t *fp) {
    const uint8_t *p = val;
    if (!p || len < WS_DD_FP_HEADER || p[0] != WS_DD_FP_VERSION) return -1;
    if (len != (size_t)WS_DD_FP_HEADER + p[3]) return -1;
    /* Stray bytes on the state topic must rarely pass as a fingerprint:
     * unknown flag bits, an implausible shingle size or a signature too
     * short to be ours are refused. */
    if ((p[1] & ~0x6u) != 0 || p[2] < 1 || p[2] > 16) return -1;
    if (p[3] != 0 && p[3] < 8) return -1;
    fp->flags = p[1] & 0x6;
    fp->shingle = p[2];
    fp->k = p[3];
    fp->ts = 0;
    for (int i = 0; i < 4; i++) fp->ts |= (uint32_t)p[4 + i] << (8 * i);
    fp->exact = 0;
    for (int i = 0; i < 8; i++) fp->exact |= (uint64_t)p[8 + i] << (8 * i);
    fp->figures = 0;
    for (int i = 0; i < 8; i++) fp->figures |= (uint64_t)p[16 + i] << (8 * i);
    fp->sig = fp->k ? p + WS_DD_FP_HEADER : NULL;
    if (!fp->sig) fp->flags &= ~0x4u;
    return 0;
}
