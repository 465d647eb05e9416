/* test_buf.c -- the byte buffer's encoders that the JSON decoder, the HTML
 * converter and the record renderer share. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ws_buf.h"
#include "ws_test.h"

TEST(append_utf8_encodes_every_length) {
    ws_buf_t b;
    ws_buf_init(&b);
    CHECK(ws_buf_append_utf8(&b, 'A') == 0);
    CHECK(ws_buf_append_utf8(&b, 0xE9) == 0);        /* é: 2 bytes */
    CHECK(ws_buf_append_utf8(&b, 0x201C) == 0);      /* “: 3 bytes */
    CHECK(ws_buf_append_utf8(&b, 0x1F600) == 0);     /* emoji: 4 bytes */
    CHECK(ws_buf_append_utf8(&b, 0x7F) == 0 && ws_buf_append_utf8(&b, 0x80) == 0);
    CHECK(ws_buf_append_utf8(&b, 0x7FF) == 0 && ws_buf_append_utf8(&b, 0x800) == 0);
    CHECK(ws_buf_append_utf8(&b, 0xFFFF) == 0 && ws_buf_append_utf8(&b, 0x10000) == 0);
    CHECK(ws_buf_append_utf8(&b, 0x10FFFF) == 0);
    CHECK_STR(b.data, "A\xc3\xa9\xe2\x80\x9c\xf0\x9f\x98\x80" "\x7f\xc2\x80" "\xdf\xbf\xe0\xa0\x80"
                      "\xef\xbf\xbf\xf0\x90\x80\x80" "\xf4\x8f\xbf\xbf");
    /* What has no UTF-8 form becomes U+FFFD, so the buffer stays valid. */
    ws_buf_reset(&b);
    CHECK(ws_buf_append_utf8(&b, 0xD800) == 0 && ws_buf_append_utf8(&b, 0x110000) == 0);
    CHECK_STR(b.data, "\xef\xbf\xbd\xef\xbf\xbd");
    ws_buf_free(&b);
}

TEST(append_int_writes_decimal) {
    ws_buf_t b;
    ws_buf_init(&b);
    CHECK(ws_buf_append_int(&b, 0) == 0);
    CHECK(ws_buf_appendc(&b, ' ') == 0 && ws_buf_append_int(&b, -42) == 0);
    CHECK(ws_buf_appendc(&b, ' ') == 0 && ws_buf_append_int(&b, INT64_MAX) == 0);
    CHECK(ws_buf_appendc(&b, ' ') == 0 && ws_buf_append_int(&b, INT64_MIN) == 0);
    CHECK_STR(b.data, "0 -42 9223372036854775807 -9223372036854775808");
    ws_buf_free(&b);
}

/* Reference escaper, byte by byte, for the fast one to agree with. */
static void ref_json_string(ws_buf_t *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    ws_buf_appendc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char e[7] = {'\\', 0};
        if (c == '"' || c == '\\') { e[1] = (char)c; ws_buf_append(b, e, 2); }
        else if (c == '\n') ws_buf_append(b, "\\n", 2);
        else if (c == '\r') ws_buf_append(b, "\\r", 2);
        else if (c == '\t') ws_buf_append(b, "\\t", 2);
        else if (c == '\b') ws_buf_append(b, "\\b", 2);
        else if (c == '\f') ws_buf_append(b, "\\f", 2);
        else if (c < 0x20) {
            e[1] = 'u'; e[2] = '0'; e[3] = '0'; e[4] = hex[c >> 4]; e[5] = hex[c & 15];
            ws_buf_append(b, e, 6);
        } else ws_buf_appendc(b, (char)c);
    }
    ws_buf_appendc(b, '"');
}

TEST(append_json_string_escapes_like_the_reference) {
    ws_buf_t b, r;
    ws_buf_init(&b);
    ws_buf_init(&r);
    ws_buf_append_json_string(&b, "a\"b\\c\n\x01\xc3\xa9", 9);
    CHECK_STR(b.data, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\"");
    /* Many escapes in a row use up the slack reserved up front: the
     * buffer must grow in the middle of the string. */
    char s[3000];
    uint32_t x = 12345;
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)(round * 13) % sizeof s;
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            unsigned v = (x >> 16) & 0xff;
            s[i] = (char)(round % 3 == 0 ? v % 32 : round % 3 == 1 ? (v & 1 ? '"' : 'a') : v);
        }
        ws_buf_free(&b);
        ws_buf_free(&r);
        CHECK(ws_buf_append(&b, "x", 1) == 0 && ws_buf_append(&r, "x", 1) == 0);
        CHECK(ws_buf_append_json_string(&b, s, n) == 0);
        ref_json_string(&r, s, n);
        CHECK(b.len == r.len && memcmp(b.data, r.data, b.len) == 0 && b.data[b.len] == '\0');
    }
    ws_buf_free(&b);
    ws_buf_free(&r);
}


/* One byte of each class next to the escape boundaries at every position
 * of strings up to 70 bytes: the 16- and 8-byte scans' blocks, tails and
 * the byte loop all agree with the reference. */
TEST(append_json_string_finds_every_escape_position) {
    static const unsigned char odd[] = {0x00, 0x01, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b,
                                        0x5c, 0x5d, 0x7f, 0x80, 0xc3, 0xff};
    ws_buf_t b, r;
    ws_buf_init(&b);
    ws_buf_init(&r);
    int bad = 0;
    for (size_t n = 1; n <= 70; n++) {
        for (size_t k = 0; k < sizeof odd; k++) {
            for (size_t at = 0; at < n; at++) {
                char s[80];
                for (size_t i = 0; i < n; i++) s[i] = (char)('a' + i % 26);
                s[at] = (char)odd[k];
                if (at + 1 < n && k % 2) s[n - 1] = '"';   /* and a second one at the end */
                ws_buf_reset(&b);
                ws_buf_reset(&r);
                CHECK(ws_buf_append_json_string(&b, s, n) == 0);
                ref_json_string(&r, s, n);
                if (!(b.len == r.len && memcmp(b.data, r.data, b.len) == 0) && bad++ < 5)
                    fprintf(stderr, "  byte 0x%02x at %zu of %zu: %s\n", odd[k], at, n, b.data);
            }
        }
    }
    CHECK(bad == 0);
    ws_buf_free(&b);
    ws_buf_free(&r);
}

int main(void) {
    RUN(append_utf8_encodes_every_length);
    RUN(append_int_writes_decimal);
    RUN(append_json_string_escapes_like_the_reference);
    RUN(append_json_string_finds_every_escape_position);
    return ws_test_done();
}
