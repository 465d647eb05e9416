/* test_article.c -- the article parser: JSON, plain text headers, HTML and
 * every bad-input reason. */
#include <stdlib.h>
#include <string.h>

#include "ws_article.h"
#include "ws_test.h"

static ws_article_opts_t opts;
static ws_article_t art;
static const char *reason;
static char err[256];

static int parse(const char *s) {
    ws_article_clear(&art);
    reason = NULL;
    return ws_article_parse(&opts, s, strlen(s), &art, &reason, err, sizeof err);
}

static const char *field(ws_field_t f) { return art.value[f]; }

TEST(json_reads_default_field_names) {
    CHECK(parse("{\"id\":\"a1\",\"title\":\"T\",\"url\":\"http://x/1\",\"source\":\"Wire\","
                "\"published_at\":\"2025-01-02T03:04:05Z\",\"text\":\"Hello world.\\n\"}") == 0);
    CHECK_STR(field(WS_FIELD_ID), "a1");
    CHECK_STR(field(WS_FIELD_TITLE), "T");
    CHECK_STR(field(WS_FIELD_URL), "http://x/1");
    CHECK_STR(field(WS_FIELD_SOURCE), "Wire");
    CHECK_STR(field(WS_FIELD_DATE), "2025-01-02T03:04:05Z");
    CHECK_STR(field(WS_FIELD_BODY), "Hello world.\n");
    CHECK(art.len[WS_FIELD_BODY] == 13);
}

TEST(json_prefers_earlier_names_in_the_list) {
    CHECK(parse("{\"content\":\"third\",\"body\":\"first\",\"text\":\"second\"}") == 0);
    CHECK_STR(field(WS_FIELD_BODY), "first");
    CHECK(parse("{\"published_at\":\"p\",\"date\":\"d\"}") == -1);   /* no body */
    CHECK(parse("{\"published_at\":\"p\",\"date\":\"d\",\"body\":\"b\"}") == 0);
    CHECK_STR(field(WS_FIELD_DATE), "d");
}

TEST(json_decodes_escapes_and_keeps_numbers_literal) {
    CHECK(parse("{\"id\": 12345678901234567890, \"body\": \"caf\\u00e9 \\\"q\\\" \\ud83d\\ude00 tab\\t\"}") == 0);
    CHECK_STR(field(WS_FIELD_ID), "12345678901234567890");
    CHECK_STR(field(WS_FIELD_BODY), "caf\xc3\xa9 \"q\" \xf0\x9f\x98\x80 tab\t");
}

TEST(byte_order_mark_is_skipped) {
    CHECK(parse("\xEF\xBB\xBF{\"body\":\"x\"}") == 0);
    CHECK_STR(field(WS_FIELD_BODY), "x");
    CHECK(parse("\xEF\xBB\xBF" "date 2030-01-01 Text.") == 0);
    CHECK_STR(field(WS_FIELD_DATE), "2030-01-01");
}

TEST(json_configurable_field_names) {
    static const char *const body_names[] = {"story", NULL};
    static const char *const id_names[] = {"guid", NULL};
    ws_article_opts_t saved = opts;
    opts.names[WS_FIELD_BODY] = body_names;
    opts.names[WS_FIELD_ID] = id_names;
    CHECK(parse("{\"guid\":\"g-7\",\"story\":\"Text here\",\"body\":\"ignored\"}") == 0);
    CHECK_STR(field(WS_FIELD_ID), "g-7");
    CHECK_STR(field(WS_FIELD_BODY), "Text here");
    opts = saved;
}

TEST(json_structured_optional_field_is_absent) {
    CHECK(parse("{\"source\":{\"name\":\"Wire\"},\"body\":\"x\"}") == 0);
    CHECK(field(WS_FIELD_SOURCE) == NULL);
}

TEST(missing_id_is_a_stable_content_hash) {
    CHECK(parse("{\"title\":\"A\",\"body\":\"Same text\"}") == 0);
    char first[32];
    snprintf(first, sizeof first, "%s", field(WS_FIELD_ID));
    CHECK(first[0] == 'h' && strlen(first) == 17);
    CHECK(parse("{\"body\":\"Same text\",\"title\":\"A\"}") == 0);
    CHECK_STR(field(WS_FIELD_ID), first);
    CHECK(parse("{\"title\":\"B\",\"body\":\"Same text\"}") == 0);
    CHECK(strcmp(field(WS_FIELD_ID), first) != 0);
    CHECK(parse("{\"id\":\"\",\"body\":\"Same text\",\"title\":\"A\"}") == 0);
    CHECK_STR(field(WS_FIELD_ID), first);
}

TEST(text_header_on_the_body_line) {
    /* The shape of a wire export: a space, "date" and the body on one line. */
    const char *in = " date 2031-04-02 Officials in Lakeview said on Monday the bridge would reopen.\n"
                     "\"It is safe,\" the mayor said.\n";
    CHECK(parse(in) == 0);
    CHECK_STR(field(WS_FIELD_DATE), "2031-04-02");
    CHECK_STR(field(WS_FIELD_BODY), in + 17);
    CHECK(strncmp(field(WS_FIELD_BODY), "Officials", 9) == 0);
    CHECK(field(WS_FIELD_BODY)[art.len[WS_FIELD_BODY] - 1] == '\n');
}

TEST(text_headers_on_their_own_lines) {
    CHECK(parse("id story-9\ntitle Harbour plan approved by council\nurl https://example.org/9\n"
                "source Coastal Times\n\nThe council voted 7-2.\n") == 0);
    CHECK_STR(field(WS_FIELD_ID), "story-9");
    CHECK_STR(field(WS_FIELD_TITLE), "Harbour plan approved by council");
    CHECK_STR(field(WS_FIELD_URL), "https://example.org/9");
    /* Only the first token of a one-token header; the rest is body. */
    CHECK_STR(field(WS_FIELD_SOURCE), "Coastal");
    CHECK_STR(field(WS_FIELD_BODY), "Times\n\nThe council voted 7-2.\n");
    CHECK(parse("source \"Coastal Times\"\nThe council voted.") == 0);
    CHECK_STR(field(WS_FIELD_SOURCE), "Coastal Times");
    CHECK_STR(field(WS_FIELD_BODY), "The council voted.");
}

/* Issue 2 §3: on the body's own line a header value is one token, so a
 * title there takes one word and the rest of the line stays body.  A title
 * runs to the end of its line only on a header line of its own: a line
 * break comes right after it, and the title starts the line or a blank
 * line follows. */
TEST(text_title_on_the_body_line_is_one_token) {
    const char *one = " date 2031-11-02 title Harbour reopens The harbour at Eastport reopened on Monday.\n";
    CHECK(parse(one) == 0);
    CHECK_STR(field(WS_FIELD_DATE), "2031-11-02");
    CHECK_STR(field(WS_FIELD_TITLE), "Harbour");
    CHECK_STR(field(WS_FIELD_BODY), "reopens The harbour at Eastport reopened on Monday.\n");
    /* The seed's shape with a title put in front: the body goes on below. */
    const char *multi = " date 2031-04-02 title Bridge Officials in Lakeview said on Monday the bridge would "
                        "reopen.\n\"It is safe,\" the mayor said.\n";
    CHECK(parse(multi) == 0);
    CHECK_STR(field(WS_FIELD_TITLE), "Bridge");
    CHECK(strncmp(field(WS_FIELD_BODY), "Officials in Lakeview", 21) == 0);
    CHECK(field(WS_FIELD_BODY)[art.len[WS_FIELD_BODY] - 1] == '\n');
    /* Nothing after the line: the title line is the body's own line. */
    CHECK(parse("title Storm warning for the coast") == 0);
    CHECK_STR(field(WS_FIELD_TITLE), "Storm");
    CHECK_STR(field(WS_FIELD_BODY), "warning for the coast");
    CHECK(parse("title Storm warning for the coast\n  \n") == 0);
    CHECK_STR(field(WS_FIELD_TITLE), "Storm");
    /* Header lines: the title starts its line, or a blank line follows. */
    CHECK(parse("date 2031-04-02 title Harbour plan approved\n\nThe council voted 7-2.\n") == 0);
    CHECK_STR(field(WS_FIELD_TITLE), "Harbour plan approved");
    CHECK_STR(field(WS_FIELD_BODY), "The council voted 7-2.\n");
    CHECK(parse("date 2031-04-02\r\ntitle  Harbour plan approved \r\nThe council voted 7-2.") == 0);
    CHECK_STR(field(WS_FIELD_TITLE), "Harbour plan approved");
    CHECK_STR(field(WS_FIELD_BODY), "The council voted 7-2.");
    /* A quoted title may have spaces anywhere. */
    CHECK(parse("date 2031-04-02 title \"Harbour reopens\" The harbour reopened.") == 0);
    CHECK_STR(field(WS_FIELD_TITLE), "Harbour reopens");
    CHECK_STR(field(WS_FIELD_BODY), "The harbour reopened.");
}

TEST(text_without_headers_is_all_body) {
    const char *in = "  Sources close to the talks said a deal was near.\n";
    CHECK(parse(in) == 0);
    CHECK_STR(field(WS_FIELD_BODY), in);
    CHECK(field(WS_FIELD_SOURCE) == NULL);
    CHECK(parse("Source close to the talks said a deal was near.") == 0);
    CHECK(field(WS_FIELD_SOURCE) == NULL);
    CHECK(parse("id cards will be required from May.") == 0);
    CHECK(field(WS_FIELD_ID) != NULL && field(WS_FIELD_ID)[0] == 'h');
    CHECK_STR(field(WS_FIELD_BODY), "id cards will be required from May.");
    CHECK(parse("Title: Storm warning\nSource: Coastal\nDate: 2031-01-02\nRain is coming.") == 0);
    CHECK_STR(field(WS_FIELD_TITLE), "Storm warning");
    CHECK_STR(field(WS_FIELD_SOURCE), "Coastal");
    CHECK_STR(field(WS_FIELD_BODY), "Rain is coming.");
    CHECK(parse("date night ideas for the weekend.") == 0);   /* "night" is not a date */
    CHECK(field(WS_FIELD_DATE) == NULL);
    CHECK_STR(field(WS_FIELD_BODY), "date night ideas for the weekend.");
}

TEST(html_body_becomes_text_with_paragraphs) {
    opts.html = 1;
    CHECK(parse("{\"body\":\"<html><head><title>x</title></head><body><p>First &amp; best"
                "&nbsp;para.</p>\\n<p>She said &ldquo;yes&rdquo; &#8212; twice&#x21;</p>"
                "<script>var a = '<p>';</script><div>Last<br>line</div></body></html>\"}") == 0);
    CHECK_STR(field(WS_FIELD_BODY),
              "First & best para.\n\nShe said \xe2\x80\x9cyes\xe2\x80\x9d \xe2\x80\x94 twice!\n\nLast\nline");
    CHECK(parse("{\"body\":\"plain text, no markup\\n\"}") == 0);
    CHECK_STR(field(WS_FIELD_BODY), "plain text, no markup\n");
    CHECK(parse("{\"body\":\"AT&T and R&D rose.\\n\\nTom &amp; Jerry &#8220;ok&#8221;\\n\"}") == 0);
    CHECK_STR(field(WS_FIELD_BODY), "AT&T and R&D rose.\n\nTom & Jerry \xe2\x80\x9cok\xe2\x80\x9d\n");
    CHECK(parse("{\"body\":\"1 < 2 and 3 > 2\\n\"}") == 0);
    CHECK_STR(field(WS_FIELD_BODY), "1 < 2 and 3 > 2\n");
    CHECK(parse("{\"body\":\"<p>Rates <b>rose</b>; 2 <3 and x &lt; y</p>\"}") == 0);
    CHECK_STR(field(WS_FIELD_BODY), "Rates rose; 2 <3 and x < y");
    CHECK(parse("{\"body\":\"<p> </p><br>\"}") == -1);
    CHECK_STR(reason, WS_REASON_EMPTY_BODY);
    opts.html = 0;
    CHECK(parse("{\"body\":\"<p>kept</p>\"}") == 0);
    CHECK_STR(field(WS_FIELD_BODY), "<p>kept</p>");
}

TEST(bad_input_reasons) {
    CHECK(parse("{\"body\":\"bad \xff byte\"}") == -1);
    CHECK_STR(reason, WS_REASON_INVALID_UTF8);
    CHECK(parse("plain \xc3\x28 text") == -1);
    CHECK_STR(reason, WS_REASON_INVALID_UTF8);
    CHECK(parse("{\"body\":\"x\"") == -1);
    CHECK_STR(reason, WS_REASON_INVALID_JSON);
    CHECK(parse("{\"body\":\"x\"} trailing") == -1);
    CHECK_STR(reason, WS_REASON_INVALID_JSON);
    CHECK(parse("{\"body\":\"lone \\ud800\"}") == -1);
    CHECK_STR(reason, WS_REASON_INVALID_JSON);
    CHECK(parse("{\"body\":\"raw\ncontrol\"}") == -1);
    CHECK_STR(reason, WS_REASON_INVALID_JSON);
    CHECK(parse("{\"a\":01,\"body\":\"x\"}") == -1);
    CHECK_STR(reason, WS_REASON_INVALID_JSON);
    opts.format = WS_FORMAT_JSON;
    CHECK(parse("[1,2]") == -1);
    CHECK_STR(reason, WS_REASON_NOT_OBJECT);
    CHECK(parse("\"just a string\"") == -1);
    CHECK_STR(reason, WS_REASON_NOT_OBJECT);
    CHECK(parse("not json") == -1);
    CHECK_STR(reason, WS_REASON_INVALID_JSON);
    opts.format = WS_FORMAT_AUTO;
    CHECK(parse(" [{\"body\": \"x\"}]") == -1);   /* auto: valid JSON, but not an object */
    CHECK_STR(reason, WS_REASON_NOT_OBJECT);
    CHECK(parse("[Updated] Officials said the road is open.") == 0);   /* text that starts with '[' */
    CHECK(parse("{\"title\":\"no body\"}") == -1);
    CHECK_STR(reason, WS_REASON_EMPTY_BODY);
    CHECK(parse("{\"body\":\"  \\n \"}") == -1);
    CHECK_STR(reason, WS_REASON_EMPTY_BODY);
    CHECK(parse("date 2030-01-01   \n  ") == -1);
    CHECK_STR(reason, WS_REASON_EMPTY_BODY);
    CHECK(parse("") == -1);
    CHECK_STR(reason, WS_REASON_EMPTY_BODY);
    CHECK(parse("{\"body\":42}") == -1);
    CHECK_STR(reason, WS_REASON_BAD_FIELD);
    CHECK(parse("{\"id\":[1],\"body\":\"x\"}") == -1);
    CHECK_STR(reason, WS_REASON_BAD_FIELD);
    opts.max_bytes = 16;
    CHECK(parse("{\"body\":\"this is more than sixteen bytes\"}") == -1);
    CHECK_STR(reason, WS_REASON_TOO_LARGE);
    opts.max_bytes = 0;
    CHECK(err[0] != '\0');
}

TEST(deep_json_is_refused_without_recursing) {
    size_t depth = 200000;
    char *s = malloc(depth * 2 + 32);
    size_t n = 0;
    n += (size_t)sprintf(s, "{\"body\":\"x\",\"a\":");
    for (size_t i = 0; i < depth; i++) s[n++] = '[';
    for (size_t i = 0; i < depth; i++) s[n++] = ']';
    s[n++] = '}';
    s[n] = '\0';
    CHECK(parse(s) == -1);
    CHECK_STR(reason, WS_REASON_TOO_DEEP);
    opts.max_json_depth = 3;
    CHECK(parse("{\"body\":\"x\",\"a\":{\"b\":[1]}}") == 0);
    CHECK(parse("{\"body\":\"x\",\"a\":{\"b\":[[1]]}}") == -1);
    CHECK_STR(reason, WS_REASON_TOO_DEEP);
    opts.max_json_depth = 64;
    free(s);
}

TEST(utf8_validator) {
    CHECK(ws_utf8_valid("plain ascii text, long enough for the fast path", 47));
    CHECK(ws_utf8_valid("\xe2\x80\x9c\xf0\x9f\x98\x80", 7));
    CHECK(!ws_utf8_valid("\xc0\xaf", 2));            /* overlong */
    CHECK(!ws_utf8_valid("\xed\xa0\x80", 3));        /* surrogate */
    CHECK(!ws_utf8_valid("\xf4\x90\x80\x80", 4));    /* > U+10FFFF */
    CHECK(!ws_utf8_valid("abc\xe2\x80", 5));         /* truncated */
}

int main(void) {
    ws_article_opts_default(&opts);
    memset(&art, 0, sizeof art);
    RUN(json_reads_default_field_names);
    RUN(json_prefers_earlier_names_in_the_list);
    RUN(json_decodes_escapes_and_keeps_numbers_literal);
    RUN(json_configurable_field_names);
    RUN(byte_order_mark_is_skipped);
    RUN(json_structured_optional_field_is_absent);
    RUN(missing_id_is_a_stable_content_hash);
    RUN(text_header_on_the_body_line);
    RUN(text_headers_on_their_own_lines);
    RUN(text_title_on_the_body_line_is_one_token);
    RUN(text_without_headers_is_all_body);
    RUN(html_body_becomes_text_with_paragraphs);
    RUN(bad_input_reasons);
    RUN(deep_json_is_refused_without_recursing);
    RUN(utf8_validator);
    ws_article_clear(&art);
    return ws_test_done();
}
