/* test_util.h -- temp config files for the unit tests. */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes text to a fresh temp file; returns its path (static buffer per slot). */
static inline const char *write_temp(int slot, const char *text) {
    static char paths[8][64];
    char *p = paths[slot & 7];
    snprintf(p, 64, "/tmp/ws_unit_XXXXXX.json");
    int fd = mkstemps(p, 5);
    if (fd < 0) return NULL;
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t)n) { close(fd); return NULL; }
    close(fd);
    return p;
}

#endif
