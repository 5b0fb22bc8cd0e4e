/* A return's label, from its row, items and merchant (fcgi/label_of.h). */
#include "fcgi/label_of.h"
#include "pdf/label.h"
#include "util/timefmt.h"
#include "util/tz.h"

#include <jansson.h>
#include <stdio.h>

static const char *member(struct arena *a, json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return arena_strdup(a, s ? s : "");
}

/* An address as stored (JSON text) into the label's fields, strings in the arena. */
static void label_address_from(struct arena *a, const char *text, struct label_address *out)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	out->name = member(a, j, "name");
	out->postal_code = member(a, j, "postal_code");
	out->region = member(a, j, "region");
	out->city = member(a, j, "city");
	out->line1 = member(a, j, "line1");
	out->line2 = member(a, j, "line2");
	out->country = member(a, j, "country");
	out->phone = member(a, j, "phone");
	json_decref(j);
}

bool return_label_pdf(struct arena *arena, const struct ret *ret, const struct merchant *m,
                      unsigned char **pdf, size_t *len)
{
	/* The day the return was made on the merchant's calendar (created_at is UTC). */
	int64_t created;
	char created_on[DATE_LEN];
	if (rfc3339_parse(ret->created_at, &created))
		date_format(tz_local_day(m->timezone, created), created_on);
	else /* not seen: the column is NOT NULL and DATE_FORMAT writes RFC 3339 */
		snprintf(created_on, sizeof(created_on), "%.10s", ret->created_at);
	struct label l = {.rma = ret->rma,
	                  .qr_text = arena_printf(arena, "KAERU:%s", ret->rma),
	                  .merchant_name = m->name,
	                  .created_on = created_on,
	                  .n_items = ret->n_items};
	label_address_from(arena, ret->shipping_address_json, &l.from);
	label_address_from(arena, ret->warehouse_address_json, &l.to);
	if (!*l.to.name)
		l.to.name = ret->warehouse_name;
	l.dock = arena_printf(arena, "%s · %s", ret->warehouse_code, ret->warehouse_name);
	struct label_item *items = arena_zalloc(arena, sizeof(*items) * (ret->n_items + 1));
	for (size_t i = 0; i < ret->n_items; i++)
		items[i] = (struct label_item){ret->items[i].sku, ret->items[i].name,
		                               ret->items[i].variant, (int)ret->items[i].quantity};
	l.items = items;
	return label_render(&l, pdf, len) == LABEL_OK;
}
