/* How long returns take (label to scan, scan to resolution) kept as counts in fixed buckets, so
 * the console's median and 90th percentile come from a histogram of a range's days rather than
 * from every return of the range. Buckets end at whole hours: one per hour up to a day, then
 * log-spaced (each about a quarter wider than the one before) up to 90 days, then one for longer.
 * A percentile is reported as the upper edge of the bucket it falls in: "at most that many
 * hours" (the span over 90 days as 2160, its lower edge). */
#ifndef KAERU_CORE_TIMING_H
#define KAERU_CORE_TIMING_H

#include <stdint.h>

#define SPAN_BUCKETS 45

/* The bucket of a span of seconds: the first whose edge is at or above it (spans of an hour or
 * less, negative ones included, in bucket 0; over 90 days in SPAN_BUCKETS - 1). */
int span_bucket(int64_t seconds);

/* The hours bucket b reports: its upper edge (the last bucket's lower edge). b in range. */
int64_t span_bucket_hours(int b);

/* The bucket holding the p-th percentile (1..100) of the spans counted in counts: the smallest
 * bucket with at least p % of the spans in it or below. -1 when nothing is counted. */
int span_percentile(const int64_t counts[SPAN_BUCKETS], int p);

#endif
