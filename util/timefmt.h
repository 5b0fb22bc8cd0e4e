/* RFC 3339 times as kaeru's API speaks them, to and from Unix seconds (UTC). */
#ifndef KAERU_UTIL_TIMEFMT_H
#define KAERU_UTIL_TIMEFMT_H

#include <stdbool.h>
#include <stdint.h>

#define RFC3339_LEN 32 /* "2026-11-03T09:00:00Z" plus NUL, with room to spare */
#define DATE_LEN    11 /* "2026-11-03" plus NUL */

/* The times the API accepts, [TIME_API_MIN, TIME_API_MAX): 2000-01-01T00:00:00Z up to
 * 2100-01-01T00:00:00Z. Orders older than 2000 cannot be returned anyway, and the bound keeps
 * every sum of a time and a policy's days far inside DATETIME's range. */
#define TIME_API_MIN INT64_C(946684800)
#define TIME_API_MAX INT64_C(4102444800)

/* Parses "YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)" into seconds since the epoch, UTC, for any
 * year 0000-9999 (callers check the range they accept). Fractions are dropped. Returns false
 * for anything else, including impossible dates. */
bool rfc3339_parse(const char *s, int64_t *out);
/* Writes t as "YYYY-MM-DDThh:mm:ssZ" into buf. */
void rfc3339_format(int64_t t, char buf[RFC3339_LEN]);
/* Days since 1970-01-01 for a proleptic Gregorian date (no range checks). */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
/* Writes the date of day number day (days since 1970-01-01) as "YYYY-MM-DD" into buf. */
void date_format(int64_t day, char buf[DATE_LEN]);

#endif
