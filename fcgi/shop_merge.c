/* Merging and grouping for the shop's snapshots (fcgi/shop_merge.h). */
#include "fcgi/shop_merge.h"

#include <string.h>

void shop_merge(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, shop_order_fn order,
                const void *arg, uint32_t *out)
{
	size_t i = 0, j = 0, k = 0;
	while (i < na && j < nb)
		out[k++] = order(b[j], a[i], arg) < 0 ? b[j++] : a[i++];
	while (i < na)
		out[k++] = a[i++];
	while (j < nb)
		out[k++] = b[j++];
}

void shop_group(const uint32_t *in, size_t n, const uint32_t *value_of, size_t n_values,
                uint32_t *start, uint32_t *count, uint32_t *out)
{
	memset(count, 0, sizeof(*count) * n_values);
	for (size_t k = 0; k < n; k++)
		count[value_of[in ? in[k] : k]]++;
	uint32_t at = 0;
	for (size_t v = 0; v < n_values; v++) {
		start[v] = at;
		at += count[v];
	}
	/* count again as each value's run fills */
	memset(count, 0, sizeof(*count) * n_values);
	for (size_t k = 0; k < n; k++) {
		uint32_t e = in ? in[k] : (uint32_t)k, v = value_of[e];
		out[start[v] + count[v]++] = e;
	}
}
