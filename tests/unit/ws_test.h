/* ws_test.h -- a tiny assertion harness for the unit tests.
 *
 *   TEST(name) { CHECK(x == 1); CHECK_STR(a, "b"); }
 *   int main(void) { RUN(name); return ws_test_done(); }
 *
 * Each failed check prints file:line and the expression; the last line is
 * "N passed, N failed" and the exit code is non-zero on any failure. */
#ifndef WS_TEST_H
#define WS_TEST_H
#include <stdio.h>
#include <string.h>

static int ws_test_passed, ws_test_failed, ws_test_cur_failed;
static const char *ws_test_name;

#define TEST(name) static void name(void)

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "  %s:%d: %s: CHECK failed: %s\n", __FILE__, __LINE__,   \
                    ws_test_name, #cond);                                            \
            ws_test_cur_failed = 1;                                                  \
        }                                                                            \
    } while (0)

#define CHECK_STR(got, want)                                                         \
    do {                                                                             \
        const char *g_ = (got), *w_ = (want);                                        \
        if (!g_ || !w_ || strcmp(g_, w_) != 0) {                                     \
            fprintf(stderr, "  %s:%d: %s: got \"%s\", want \"%s\"\n", __FILE__,      \
                    __LINE__, ws_test_name, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
            ws_test_cur_failed = 1;                                                  \
        }                                                                            \
    } while (0)

/* got contains want as a substring. */
#define CHECK_HAS(got, want)                                                         \
    do {                                                                             \
        const char *g_ = (got), *w_ = (want);                                        \
        if (!g_ || !strstr(g_, w_)) {                                                \
            fprintf(stderr, "  %s:%d: %s: \"%s\" does not contain \"%s\"\n",         \
                    __FILE__, __LINE__, ws_test_name, g_ ? g_ : "(null)", w_);       \
            ws_test_cur_failed = 1;                                                  \
        }                                                                            \
    } while (0)

#define RUN(name)                                                                    \
    do {                                                                             \
        ws_test_name = #name;                                                        \
        ws_test_cur_failed = 0;                                                      \
        name();                                                                      \
        if (ws_test_cur_failed) { ws_test_failed++; fprintf(stderr, "FAIL %s\n", #name); } \
        else { ws_test_passed++; fprintf(stderr, "ok   %s\n", #name); }              \
    } while (0)

static inline int ws_test_done(void) {
    printf("%d passed, %d failed\n", ws_test_passed, ws_test_failed);
    return ws_test_failed ? 1 : 0;
}

#endif
