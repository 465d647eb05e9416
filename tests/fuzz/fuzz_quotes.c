/* fuzz_quotes.c -- the quotes processor alone, through the pipeline API.
 *
 * Input: byte 0 picks what stands in for the entities annotation that
 * quotes reads: 0 none; 1 every run of capitalised words as a PERSON/ORG/GPE
 * mention; 2 mentions whose offsets come from the input bytes (possibly
 * outside the body or inside a character: another processor could write
 * anything under that key); 3 a mistyped annotation.  The rest is the body.
 * The stand-in goes under "fz_entities" (entities_from), so the record
 * checks judge only what quotes wrote. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

static ws_pipeline_t *pipe;
static ws_record_t *rec;
static ws_buf_t out;

static ws_value_t *mention(const char *body, size_t start, size_t end, size_t len, const char *type) {
    ws_value_t *m = ws_value_object();
    size_t a = start < len ? start : len, b = end < len ? end : len;
    if (b < a) b = a;
    /* Hostile offsets may split a character: then the text is a stand-in. */
    int whole = (a == len || ((unsigned char)body[a] & 0xC0) != 0x80) &&
                (b == len || ((unsigned char)body[b] & 0xC0) != 0x80);
    const char *t = whole ? body + a : "Someone";
    size_t tn = whole ? b - a : 7;
    ws_object_set(m, "text", ws_value_string(t, tn));
    ws_object_set(m, "type", ws_value_string(type, strlen(type)));
    ws_object_set(m, "canonical", ws_value_string(t, tn));
    ws_object_set(m, "start", ws_value_int((int64_t)start));
    ws_object_set(m, "end", ws_value_int((int64_t)end));
    return m;
}

static int upper(char c) { return c >= 'A' && c <= 'Z'; }
static int word(char c) { return (c >= 'a' && c <= 'z') || upper(c) || c == '-' || c == '\''; }

static ws_value_t *capitalised(const char *s, size_t n) {
    static const char *const types[] = {"PERSON", "PERSON", "ORG", "GPE"};
    ws_value_t *list = ws_value_array();
    size_t i = 0, k = 0;
    while (i < n) {
        if (!upper(s[i]) || (i > 0 && word(s[i - 1]))) { i++; continue; }
        size_t start = i, end = i;
        /* A run: Capitalised words separated by single spaces. */
        while (end < n && upper(s[end])) {
            size_t j = end;
            while (j < n && word(s[j])) j++;
            end = j;
            if (j + 1 < n && s[j] == ' ' && upper(s[j + 1])) end = j + 1;
            else break;
        }
        if (end > start) ws_array_push(list, mention(s, start, end, n, types[k++ % 4]));
        i = end > i ? end : i + 1;
    }
    return list;
}

static ws_value_t *hostile(const uint8_t *d, size_t n, const char *body, size_t len) {
    ws_value_t *list = ws_value_array();
    for (size_t i = 0; i + 1 < n && i < 16; i += 2) {
        size_t a = d[i], b = (size_t)d[i] + d[i + 1] % 24;
        if (d[i + 1] & 0x80) a = len + d[i + 1];   /* past the end */
        ws_array_push(list, mention(body, a, b, len, (d[i] & 1) ? "PERSON" : "ORG"));
    }
    return list;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!rec) {
        pipe = fz_pipeline("{\"pipeline\": [{\"name\": \"quotes\", \"keep_unattributed\": true,"
                           " \"entities_from\": \"fz_entities\"}]}", 0, NULL);
        rec = ws_record_new();
        ws_buf_init(&out);
    }
    if (size < 1) return 0;
    int mode = data[0] & 3;
    size_t n = size - 1;
    char *text = malloc(n + 1);
    if (!text) return 0;
    fz_utf8_repair(data + 1, n, text);
    ws_article_t a;
    fz_article(&a, text, n, NULL, NULL);
    fz_load(rec, &a);
    ws_value_t *ents = NULL;
    if (mode == 1) ents = capitalised(text, n);
    else if (mode == 2) ents = hostile(data + 1, n, text, n);
    else if (mode == 3) ents = ws_value_string("not a list", 10);
    if (ents && ws_record_annotate(rec, "fz_entities", ents) < 0) abort();
    fz_run(pipe, rec, &out, 0);
    free(text);
    return 0;
}
