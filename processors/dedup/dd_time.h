/* dd_time.h -- article dates to seconds since the epoch. */
#ifndef DD_TIME_H
#define DD_TIME_H
#include <stddef.h>
#include <stdint.h>

#define WS_DD_NO_DATE INT64_MIN

/* Prototypes */
/* ISO 8601 ("2025-10-30", "2025-10-30T12:05:00Z", "...+02:00", a space
 * instead of T, fractions of seconds), RFC 2822 ("Thu, 30 Oct 2025 12:05:00
 * +0000", "GMT"/"UTC"/"Z"), and plain epoch seconds or milliseconds.
 * Returns WS_DD_NO_DATE when the text is none of these. */
int64_t ws_dd_parse_date(const char *s, size_t n);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t ws_dd_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
