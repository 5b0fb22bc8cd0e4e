/* Spans in fixed buckets and the percentiles of their counts (core/timing.h). */
#include "core/timing.h"

/* Upper edges in hours: each hour of the first day, then log-spaced to 90 days. */
static const int64_t span_edges[SPAN_BUCKETS - 1] = {
    1,   2,   3,   4,   5,   6,   7,   8,   9,   10,  11,   12,   13,   14,   15,
    16,  17,  18,  19,  20,  21,  22,  23,  24,  30,  36,   48,   60,   72,   96,
    120, 144, 168, 216, 264, 336, 432, 528, 672, 840, 1080, 1344, 1680, 2160,
};

int span_bucket(int64_t seconds)
{
	int b = 0;
	while (b < SPAN_BUCKETS - 1 && seconds > span_edges[b] * 3600)
		b++;
	return b;
}

int64_t span_bucket_hours(int b)
{
	return span_edges[b < SPAN_BUCKETS - 1 ? b : SPAN_BUCKETS - 2];
}

int span_percentile(const int64_t counts[SPAN_BUCKETS], int p)
{
	int64_t n = 0;
	for (int b = 0; b < SPAN_BUCKETS; b++)
		n += counts[b];
	if (n <= 0)
		return -1;
	int64_t rank = (n * p + 99) / 100, seen = 0; /* the rank-th smallest span, from 1 */
	for (int b = 0; b < SPAN_BUCKETS; b++)
		if ((seen += counts[b]) >= rank)
			return b;
	return SPAN_BUCKETS - 1;
}
