/* test_buf.c -- the byte buffer's encoders that the JSON decoder, the HTML
 * converter and the record renderer share. */
#include <stdint.h>
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

int main(void) {
    RUN(append_utf8_encodes_every_length);
    RUN(append_int_writes_decimal);
    return ws_test_done();
}
