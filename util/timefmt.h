/* RFC 3339 times as kaeru's API speaks them, to and from Unix seconds (UTC). */
#ifndef KAERU_UTIL_TIMEFMT_H
#define KAERU_UTIL_TIMEFMT_H

#include <stdbool.h>
#include <stdint.h>

#define RFC3339_LEN 32 /* "2026-11-03T09:00:00Z" plus NUL, with room to spare */

/* Parses "YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)" into seconds since the epoch, UTC.
 * Fractions are dropped. Returns false for anything else, including impossible dates. */
bool rfc3339_parse(const char *s, int64_t *out);
/* Writes t as "YYYY-MM-DDThh:mm:ssZ" into buf. */
void rfc3339_format(int64_t t, char buf[RFC3339_LEN]);
/* Days since 1970-01-01 for a proleptic Gregorian date (no range checks). */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
