/* fuzz_article.c -- the article parser (JSON, plain text, HTML bodies) and
 * the record renderer.
 *
 * Input: byte 0 picks the options (format, html, depth and size limits,
 * custom field names); the rest is the raw message.  A parse must either
 * fail with a known reason or yield a non-blank valid UTF-8 body and an id,
 * and the rendered record must pass fz_check_record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "ws_article.h"

static const char *const reasons[] = {
    WS_REASON_INVALID_UTF8, WS_REASON_INVALID_JSON, WS_REASON_NOT_OBJECT, WS_REASON_EMPTY_BODY,
    WS_REASON_TOO_LARGE, WS_REASON_TOO_DEEP, WS_REASON_BAD_FIELD, NULL};

static const char *const alt_body[] = {"story", "body", NULL};
static const char *const alt_id[] = {"guid", "id", NULL};

static ws_record_t *rec;
static ws_buf_t out;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    if (!rec) {
        rec = ws_record_new();
        ws_buf_init(&out);
    }
    uint8_t sel = data[0];
    ws_article_opts_t o;
    ws_article_opts_default(&o);
    o.format = (ws_input_format_t)(sel % 3);
    o.html = (sel >> 2) & 1;
    static const int depths[] = {64, 1, 3, 0};
    o.max_json_depth = depths[(sel >> 3) & 3];
    if ((sel >> 5) & 1) o.max_bytes = 64;
    if ((sel >> 6) & 1) {
        o.names[WS_FIELD_BODY] = alt_body;
        o.names[WS_FIELD_ID] = alt_id;
    }
    const char *msg = (const char *)data + 1;
    size_t len = size - 1;
    /* Not NUL-terminated on purpose: the parser must respect len. */
    char *copy = malloc(len ? len : 1);
    if (!copy) return 0;
    memcpy(copy, msg, len);

    ws_article_t a;
    const char *reason = NULL;
    char err[256];
    int rc = ws_article_parse(&o, copy, len, &a, &reason, err, sizeof err);
    if (rc < 0) {
        int known = 0;
        for (int i = 0; reasons[i]; i++)
            if (reason && strcmp(reason, reasons[i]) == 0) known = 1;
        if (!known || !err[0]) {
            fprintf(stderr, "unknown reason %s (%s)\n", reason ? reason : "(null)", err);
            abort();
        }
        for (int i = 0; i < WS_FIELD__COUNT; i++)
            if (a.value[i]) abort();   /* a failed parse leaves nothing behind */
        free(copy);
        return 0;
    }
    if (o.max_bytes && len > o.max_bytes) abort();
    if (!a.value[WS_FIELD_BODY] || !a.value[WS_FIELD_ID] || a.len[WS_FIELD_ID] == 0) abort();
    for (int i = 0; i < WS_FIELD__COUNT; i++) {
        if (!a.value[i]) continue;
        if (a.value[i][a.len[i]] != '\0') abort();
        if (!ws_utf8_valid(a.value[i], a.len[i])) abort();
    }
    /* Without HTML conversion, a plain-text body is a byte range of the input. */
    if (o.format == WS_FORMAT_TEXT && !o.html && a.len[WS_FIELD_BODY] > len) abort();
    ws_record_reset(rec);
    ws_record_take_article(rec, &a);
    for (int i = 0; i < WS_FIELD__COUNT; i++)
        if (a.value[i]) abort();   /* take_article moves everything */
    if (sel & 0x80) ws_record_set_source(rec, "articles", 3, 42, 1767225600000LL);
    fz_check_record(rec, &out);
    free(copy);
    return 0;
}
