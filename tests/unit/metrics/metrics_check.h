/* metrics_check.h -- what both metrics tests start with: a counting CHECK
 * and a fake clock.  Define FAKE_NOW_START (microseconds) before including;
 * each test starts its clock where its own expectations assume. */
#ifndef METRICS_CHECK_H
#define METRICS_CHECK_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

static int failures;

#define CHECK(cond)                                                             \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                         \
        }                                                                       \
    } while (0)

static _Atomic uint64_t fake_now = FAKE_NOW_START;
static uint64_t fake_clock(void *ud) {
    (void)ud;
    return atomic_load(&fake_now);
}

#endif
