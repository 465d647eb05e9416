/* dd_time.c -- small, strict date parsing for the dedup window. */
#include "dd_time.h"

#include <string.h>

int64_t ws_dd_days_from_civil(int64_t y, unsigned m, unsigned d) {
    /* Howard Hinnant's days_from_civil. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

typedef struct {
    const char *p, *end;
} cur_t;

static int digits(cur_t *c, unsigned min, unsigned max, int64_t *out) {
    unsigned n = 0;
    int64_t v = 0;
    while (c->p < c->end && n < max && *c->p >= '0' && *c->p <= '9') {
        v = v * 10 + (*c->p - '0');
        c->p++;
        n++;
    }
    if (n < min) return -1;
    *out = v;
    return 0;
}

static int eat(cur_t *c, char ch) {
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

static void spaces(cur_t *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) c->p++;
}

/* Optional zone at the cursor: Z, UTC, GMT, +hh:mm, +hhmm, +hh.  Returns
 * the offset east of UTC in seconds (0 when absent), or -1 on junk. */
static int zone(cur_t *c, int64_t *off) {
    *off = 0;
    spaces(c);
    if (c->p >= c->end) return 0;
    size_t left = (size_t)(c->end - c->p);
    if (*c->p == 'Z' || *c->p == 'z') { c->p++; return 0; }
    if (left >= 3 && (!strncmp(c->p, "UTC", 3) || !strncmp(c->p, "GMT", 3))) {
        c->p += 3;
        if (c->p >= c->end || (*c->p != '+' && *c->p != '-')) return 0;
    }
    if (*c->p == '+' || *c->p == '-') {
        int sign = *c->p == '-' ? -1 : 1;
        int64_t hh, mm = 0;
        c->p++;
        if (digits(c, 2, 2, &hh)) return -1;
        eat(c, ':');
        if (c->p < c->end && *c->p >= '0' && *c->p <= '9' && digits(c, 2, 2, &mm)) return -1;
        if (hh > 23 || mm > 59) return -1;
        *off = sign * (hh * 3600 + mm * 60);
        return 0;
    }
    return -1;
}

static int64_t finish(int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi,
                      int64_t s, int64_t off) {
    if (y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
        mi > 59 || s > 60)
        return WS_DD_NO_DATE;
    return ws_dd_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
           mi * 60 + s - off;
}

static int64_t parse_iso(cur_t c) {
    int64_t y, mo, d, h = 0, mi = 0, s = 0, off = 0, frac;
    if (digits(&c, 4, 4, &y) || !eat(&c, '-') || digits(&c, 2, 2, &mo) ||
        !eat(&c, '-') || digits(&c, 2, 2, &d))
        return WS_DD_NO_DATE;
    if (c.p < c.end && (*c.p == 'T' || *c.p == 't' || *c.p == ' ')) {
        c.p++;
        if (digits(&c, 2, 2, &h) || !eat(&c, ':') || digits(&c, 2, 2, &mi))
            return WS_DD_NO_DATE;
        if (eat(&c, ':') && digits(&c, 2, 2, &s)) return WS_DD_NO_DATE;
        if ((eat(&c, '.') || eat(&c, ',')) && digits(&c, 1, 9, &frac)) return WS_DD_NO_DATE;
        if (zone(&c, &off)) return WS_DD_NO_DATE;
    }
    spaces(&c);
    if (c.p != c.end) return WS_DD_NO_DATE;
    return finish(y, mo, d, h, mi, s, off);
}

static int month_of(const char *p, size_t n) {
    static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    char m[3];
    if (n < 3) return 0;
    for (int i = 0; i < 3; i++) m[i] = (char)(p[i] | 0x20);
    for (int i = 0; i < 12; i++)
        if (!memcmp(names + 3 * i, m, 3)) return i + 1;
    return 0;
}

static int64_t parse_rfc2822(cur_t c) {
    int64_t y, d, h, mi, s = 0, off;
    spaces(&c);
    /* Optional day name and comma. */
    const char *q = c.p;
    while (q < c.end && ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z')) q++;
    if (q > c.p && q < c.end && *q == ',') c.p = q + 1;
    spaces(&c);
    if (digits(&c, 1, 2, &d)) return WS_DD_NO_DATE;
    spaces(&c);
    int mo = month_of(c.p, (size_t)(c.end - c.p));
    if (!mo) return WS_DD_NO_DATE;
    while (c.p < c.end && ((*c.p | 0x20) >= 'a' && (*c.p | 0x20) <= 'z')) c.p++;
    spaces(&c);
    if (digits(&c, 4, 4, &y)) return WS_DD_NO_DATE;
    spaces(&c);
    if (c.p == c.end) return finish(y, mo, d, 0, 0, 0, 0);
    if (digits(&c, 2, 2, &h) || !eat(&c, ':') || digits(&c, 2, 2, &mi))
        return WS_DD_NO_DATE;
    if (eat(&c, ':') && digits(&c, 2, 2, &s)) return WS_DD_NO_DATE;
    if (zone(&c, &off)) return WS_DD_NO_DATE;
    spaces(&c);
    if (c.p != c.end) return WS_DD_NO_DATE;
    return finish(y, mo, d, h, mi, s, off);
}

int64_t ws_dd_parse_date(const char *s, size_t n) {
    cur_t c = { s, s + n };
    int64_t v;

    if (!s) return WS_DD_NO_DATE;
    while (c.p < c.end && (*c.p == ' ' || *c.p == '\t' || *c.p == '\n')) c.p++;
    while (c.end > c.p && (c.end[-1] == ' ' || c.end[-1] == '\t' || c.end[-1] == '\n' ||
                           c.end[-1] == '\r'))
        c.end--;
    if (c.p == c.end) return WS_DD_NO_DATE;

    /* All digits: epoch seconds (10 digits) or milliseconds (13). */
    cur_t d = c;
    if (!digits(&d, 9, 13, &v) && d.p == d.end) {
        size_t len = (size_t)(c.end - c.p);
        return len >= 12 ? v / 1000 : v;
    }
    if (c.end - c.p >= 10 && c.p[4] == '-') return parse_iso(c);
    return parse_rfc2822(c);
}
