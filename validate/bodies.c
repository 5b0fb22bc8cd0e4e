#include "validate/bodies.h"

#include "core/domain.h"

bool check_lookup(struct checker *c, json_t *body, struct lookup_in *in)
{
	in->merchant = check_string(c, body, "merchant", REQUIRED, 1, 64, NULL);
	in->order_number = check_string(c, body, "order_number", REQUIRED, 1, 64, NULL);
	in->email = check_string(c, body, "email", REQUIRED, 1, 254, NULL);
	return check_ok(c);
}

bool check_return_items(struct checker *c, json_t *body, struct item_in **items, size_t *n)
{
	json_t *list = check_array(c, body, "items", 1, RETURN_ITEMS_MAX);
	*n = list ? json_array_size(list) : 0;
	struct item_in *out = arena_zalloc(c->arena, sizeof(*out) * (*n + 1));
	for (size_t i = 0; i < *n; i++) {
		json_t *it = json_array_get(list, i);
		struct item_in *in = &out[i];
		check_enter(c, "items[%zu].", i);
		in->line_id = check_string(c, it, "line_id", REQUIRED, 1, 64, NULL);
		in->quantity = check_int(c, it, "quantity", REQUIRED, 1, 10000, 0);
		in->reason = check_enum(c, it, "reason", REQUIRED, reason_names, REASON__MAX);
		in->comment = check_string(c, it, "comment", OPTIONAL, 0, 1000, NULL);
		in->resolution =
		    check_enum(c, it, "resolution", REQUIRED, resolution_names, RESOLUTION__MAX);
		if (in->resolution == RESOLUTION_EXCHANGE)
			in->exchange_sku =
			    check_string(c, it, "exchange_sku", REQUIRED, 1, 128, NULL);
	}
	c->prefix = "";
	*items = out;
	return check_ok(c);
}

bool check_inspection(struct checker *c, json_t *body, int64_t quantity, struct inspection *in)
{
	in->received = check_int(c, body, "received_quantity", REQUIRED, 0, quantity, 0);
	int grade = check_enum(c, body, "grade", OPTIONAL, grade_names, GRADE__MAX);
	int disp =
	    check_enum(c, body, "disposition", OPTIONAL, disposition_names, DISPOSITION__MAX);
	in->note = check_string(c, body, "note", OPTIONAL, 0, NOTE_MAX, NULL);
	if (in->note && !*in->note)
		in->note = NULL;
	if (!check_ok(c))
		return false;
	if (in->received > 0) {
		if (grade < 0)
			check_fail(c, "grade", "is required when items arrived");
		if (disp < 0)
			check_fail(c, "disposition", "is required when items arrived");
		if (grade == GRADE_DAMAGED && disp == DISPOSITION_RESALE)
			check_fail(c, "disposition", "damaged items cannot be resold");
	}
	if (!check_ok(c))
		return false;
	/* Nothing arrived: nothing to grade or send anywhere. */
	in->grade = in->received > 0 ? grade_names[grade] : NULL;
	in->disposition = in->received > 0 ? disposition_names[disp] : NULL;
	return true;
}
