#include "validate/order.h"

#include <stdlib.h>
#include <string.h>

#define LINES_MAX 100

/* Reads an address object into a normalised JSON text with exactly the known fields. */
const char *check_address(struct checker *c, json_t *obj, const char *key)
{
	json_t *a = check_object(c, obj, key, REQUIRED);
	if (!a)
		return NULL;
	const char *saved = c->prefix;
	check_enter(c, "%s%s.", saved, key);
	static const struct {
		const char *name;
		enum presence presence;
		size_t max;
	} fields[] = {
	    {"name", REQUIRED, 255},  {"postal_code", OPTIONAL, 32}, {"region", OPTIONAL, 255},
	    {"city", OPTIONAL, 255},  {"line1", REQUIRED, 255},      {"line2", OPTIONAL, 255},
	    {"country", REQUIRED, 2}, {"phone", OPTIONAL, 32},
	};
	json_t *out = json_object();
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		size_t min = fields[i].presence == REQUIRED ? 1 : 0;
		const char *v =
		    check_string(c, a, fields[i].name, fields[i].presence, min, fields[i].max, "");
		json_object_set_new(out, fields[i].name, json_string(v ? v : ""));
	}
	const char *country = json_string_value(json_object_get(out, "country"));
	if (country && *country &&
	    (strlen(country) != 2 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' ||
	     country[1] > 'Z'))
		check_fail(c, "country", "must be an ISO 3166 alpha-2 code such as JP");
	c->prefix = saved;
	char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(out);
	char *copy = arena_strdup(c->arena, text);
	free(text);
	return copy;
}

static void check_lines(struct checker *c, json_t *body, struct order *o)
{
	json_t *lines = check_array(c, body, "lines", 1, LINES_MAX);
	if (!lines)
		return;
	o->n_lines = json_array_size(lines);
	o->lines = arena_zalloc(c->arena, sizeof(*o->lines) * o->n_lines);
	for (size_t i = 0; i < o->n_lines; i++) {
		json_t *l = json_array_get(lines, i);
		struct order_line *ol = &o->lines[i];
		check_enter(c, "lines[%zu].", i);
		if (!json_is_object(l)) {
			c->prefix = "";
			check_fail(c, arena_printf(c->arena, "lines[%zu]", i), "must be an object");
			continue;
		}
		ol->line_id = check_string(c, l, "line_id", REQUIRED, 1, 64, NULL);
		ol->sku = check_string(c, l, "sku", REQUIRED, 1, 128, NULL);
		ol->product_id = check_string(c, l, "product_id", OPTIONAL, 1, 128, ol->sku);
		ol->name = check_string(c, l, "name", REQUIRED, 1, 255, NULL);
		ol->variant = check_string(c, l, "variant", OPTIONAL, 0, 255, "");
		ol->category = check_string(c, l, "category", OPTIONAL, 0, 128, "");
		ol->quantity = check_int(c, l, "quantity", REQUIRED, 1, 10000, 0);
		ol->unit_price = check_int(c, l, "unit_price", REQUIRED, 0, 1000000000000LL, 0);
		ol->final_sale = check_bool(c, l, "final_sale", OPTIONAL, false);
		if (!ol->product_id)
			ol->product_id = ol->sku;
		for (size_t j = 0; ol->line_id && j < i; j++)
			if (o->lines[j].line_id && strcmp(o->lines[j].line_id, ol->line_id) == 0)
				check_fail(c, "line_id", "appears twice in this order");
	}
	c->prefix = "";
}

bool order_number_plausible(const char *s)
{
	return segment_plausible(s, 64);
}

void check_order(struct checker *c, json_t *body, const char *currency, struct order *o)
{
	o->email = check_string(c, body, "email", REQUIRED, 3, 254, NULL);
	if (o->email && !email_plausible(o->email))
		check_fail(c, "email", "must be an e-mail address");
	o->email_key = o->email ? email_key(c->arena, o->email) : NULL;
	o->currency = check_string(c, body, "currency", REQUIRED, 3, 3, NULL);
	if (o->currency && strcmp(o->currency, currency) != 0)
		check_fail(c, "currency",
		           arena_printf(c->arena, "must be the merchant's currency, %s", currency));
	o->placed_at = check_time(c, body, "placed_at", OPTIONAL, &o->has_placed);
	o->delivered_at = check_time(c, body, "delivered_at", OPTIONAL, &o->has_delivered);
	o->shipping_address_json = check_address(c, body, "shipping_address");
	check_lines(c, body, o);
}
