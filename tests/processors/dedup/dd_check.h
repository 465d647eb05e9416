/* dd_check.h -- the assertion macro and runner shared by the dedup tests. */
#ifndef DD_CHECK_H
#define DD_CHECK_H
#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...) do { \
    if (!(cond)) { \
        fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
        fprintf(stderr, __VA_ARGS__); \
        fputc('\n', stderr); \
        failures++; \
    } \
} while (0)

typedef struct {
    const char *name;
    void (*fn)(void);
} test_t;

/* Runs the test named by argv[1], or all of them: 0 if all passed, 1 on a
 * failure, 2 when no test has that name. */
static int dd_run_tests(const test_t *tests, size_t n, int argc, char **argv) {
    int ran = 0;
    for (size_t i = 0; i < n; i++) {
        if (argc > 1 && strcmp(argv[1], tests[i].name)) continue;
        int before = failures;
        tests[i].fn();
        fprintf(stderr, "%s %s\n", failures == before ? "ok  " : "FAIL", tests[i].name);
        ran++;
    }
    if (!ran) {
        fprintf(stderr, "no test named %s\n", argc > 1 ? argv[1] : "");
        return 2;
    }
    return failures ? 1 : 0;
}

#endif
