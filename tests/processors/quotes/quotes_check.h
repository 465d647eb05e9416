/* quotes_check.h -- the CHECK both quotes tests use: counts every check and
 * prints the failing function, line and a printf-style message. */
#ifndef QUOTES_CHECK_H
#define QUOTES_CHECK_H

#include <stdio.h>

static int failures, checks;

#define CHECK(cond, ...)                                              \
    do {                                                              \
        checks++;                                                     \
        if (!(cond)) {                                                \
            failures++;                                               \
            fprintf(stderr, "FAIL %s:%d: ", __func__, __LINE__);      \
            fprintf(stderr, __VA_ARGS__);                             \
            fputc('\n', stderr);                                      \
        }                                                             \
    } while (0)

#endif
