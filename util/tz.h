/* Merchants' time zones by IANA name ("Asia/Tokyo"), read from ICU's zone database: the one
 * place that knows about zones. What the rules need from a zone is a local day number (days
 * since 1970-01-01 on the merchant's calendar); core/ gets those, never a zone. */
#ifndef KAERU_UTIL_TZ_H
#define KAERU_UTIL_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TZ_NAME_MAX 64 /* longest zone name kept, NUL excluded (the column's size) */

/* True when name is a zone of the database, by its IANA name or an alias of one ("UTC",
 * "Asia/Tokyo", "US/Eastern"), spelt exactly; false for anything else, including ICU's
 * custom "GMT+09:00" ids and names longer than TZ_NAME_MAX. */
bool tz_valid(const char *name);

/* The local day numbers of n instants t[] (Unix seconds) in zone, into day[]. A zone that is
 * not valid counts as UTC. Safe from any thread: each keeps the ICU calendars of the last few
 * zones it used (opening one costs a few µs), closed when the thread ends. */
void tz_local_days(const char *zone, size_t n, const int64_t *t, int64_t *day);

/* The local day number of one instant t in zone. */
int64_t tz_local_day(const char *zone, int64_t t);

#endif
