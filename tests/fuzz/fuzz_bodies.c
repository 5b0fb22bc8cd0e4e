/* The JSON validators: an order (order_in.c), a lookup, a new return's items and an
 * inspection (bodies.c). Whatever the body, each either yields values in their ranges or
 * names the fields at fault. */
#include "core/domain.h"
#include "validate/bodies.h"
#include "validate/order.h"
#include "tests/fuzz/fuzz.h"

#include <string.h>

/* Every error names a field with a message. */
static void errors_named(const struct checker *c)
{
	size_t i;
	json_t *e;
	json_array_foreach(c->errors, i, e)
	{
		FUZZ_ASSERT(json_is_string(json_object_get(e, "field")));
		FUZZ_ASSERT(json_string_length(json_object_get(e, "message")) > 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena a;
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(body)) {
		json_decref(body);
		return 0;
	}
	struct checker c;

	check_init(&c, &a);
	struct order o = {0};
	check_order(&c, body, "JPY", &o);
	if (check_ok(&c)) {
		FUZZ_ASSERT(o.email && strchr(o.email, '@') && strcmp(o.currency, "JPY") == 0);
		FUZZ_ASSERT(o.n_lines >= 1 && o.n_lines <= 100 && o.shipping_address_json);
		for (size_t i = 0; i < o.n_lines; i++)
			FUZZ_ASSERT(o.lines[i].quantity >= 1 && o.lines[i].unit_price >= 0);
	}
	errors_named(&c);
	json_decref(c.errors);

	check_init(&c, &a);
	struct lookup_in lk;
	if (check_lookup(&c, body, &lk))
		FUZZ_ASSERT(lk.merchant &&
		            (lk.link ? !lk.order_number && !lk.email
		                     : lk.order_number && *lk.order_number && lk.email));
	errors_named(&c);
	json_decref(c.errors);

	check_init(&c, &a);
	struct life_request *items = NULL;
	const char **comments = NULL;
	size_t n = 0;
	if (check_return_items(&c, body, &items, &comments, &n)) {
		FUZZ_ASSERT(n >= 1 && n <= RETURN_ITEMS_MAX);
		for (size_t i = 0; i < n; i++)
			FUZZ_ASSERT(
			    items[i].line_id && items[i].quantity >= 1 &&
			    items[i].quantity <= RETURN_QUANTITY_MAX &&
			    (items[i].resolution != RESOLUTION_EXCHANGE || items[i].exchange_sku));
	}
	errors_named(&c);
	json_decref(c.errors);

	check_init(&c, &a);
	struct life_inspection in;
	if (check_inspection(&c, body, &in)) {
		FUZZ_ASSERT(in.received >= 0 && in.received <= RETURN_QUANTITY_MAX);
		FUZZ_ASSERT(in.grade >= -1 && in.grade < GRADE__MAX);
		FUZZ_ASSERT(in.disposition >= -1 && in.disposition < DISPOSITION__MAX);
	}
	errors_named(&c);
	json_decref(c.errors);

	json_decref(body);
	arena_reset(&a);
	return 0;
}
