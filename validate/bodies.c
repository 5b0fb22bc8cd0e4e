#include "validate/bodies.h"

#include "core/domain.h"

#include <ctype.h>
#include <string.h>

/* An order number as customers type it, without the blanks around it and a leading '#' (or the
 * full-width '＃'): shops print "#1001" and mail clients add spaces. No stored order number has
 * a '#' or blanks (validate/order.c refuses them). In the arena. */
static const char *order_number_normalise(struct arena *a, const char *in)
{
	static const char fullwidth_hash[] = "\xef\xbc\x83"; /* U+FF03 */
	while (isspace((unsigned char)*in))
		in++;
	if (*in == '#')
		in++;
	else if (strncmp(in, fullwidth_hash, 3) == 0)
		in += 3;
	while (isspace((unsigned char)*in))
		in++;
	size_t n = strlen(in);
	while (n && isspace((unsigned char)in[n - 1]))
		n--;
	return arena_strndup(a, in, n);
}

bool check_lookup(struct checker *c, json_t *body, struct lookup_in *in)
{
	in->merchant = check_string(c, body, "merchant", REQUIRED, 1, 64, NULL);
	in->link = check_string(c, body, "link", OPTIONAL, 1, 512, NULL);
	in->order_number = in->email = NULL;
	if (in->link)
		return check_ok(c);
	const char *number = check_string(c, body, "order_number", REQUIRED, 1, 64, NULL);
	in->email = check_string(c, body, "email", REQUIRED, 1, 254, NULL);
	if (number && !*(in->order_number = order_number_normalise(c->arena, number)))
		check_fail(c, "order_number", "must have characters besides '#' and blanks");
	return check_ok(c);
}

bool check_return_items(struct checker *c, json_t *body, struct life_request **items,
                        const char ***comments, size_t *n)
{
	json_t *list = check_array(c, body, "items", 1, RETURN_ITEMS_MAX);
	*n = list ? json_array_size(list) : 0;
	*items = arena_zalloc(c->arena, sizeof(**items) * (*n + 1));
	*comments = arena_zalloc(c->arena, sizeof(**comments) * (*n + 1));
	for (size_t i = 0; i < *n; i++) {
		json_t *it = json_array_get(list, i);
		struct life_request *in = &(*items)[i];
		check_enter(c, "items[%zu].", i);
		in->line_id = check_string(c, it, "line_id", REQUIRED, 1, 64, NULL);
		in->quantity = check_int(c, it, "quantity", REQUIRED, 1, RETURN_QUANTITY_MAX, 0);
		int reason = check_enum(c, it, "reason", REQUIRED, reason_names, REASON__MAX);
		(*comments)[i] = check_string(c, it, "comment", OPTIONAL, 0, 1000, NULL);
		int resolution =
		    check_enum(c, it, "resolution", REQUIRED, resolution_names, RESOLUTION__MAX);
		in->reason = reason < 0 ? REASON_OTHER : (enum reason)reason;
		in->resolution = resolution < 0 ? RESOLUTION_REFUND : (enum resolution)resolution;
		if (resolution == RESOLUTION_EXCHANGE)
			in->exchange_sku =
			    check_string(c, it, "exchange_sku", REQUIRED, 1, 128, NULL);
	}
	c->prefix = "";
	return check_ok(c);
}

bool check_inspection(struct checker *c, json_t *body, struct life_inspection *in)
{
	in->received = check_int(c, body, "received_quantity", REQUIRED, 0, RETURN_QUANTITY_MAX, 0);
	in->grade = check_enum(c, body, "grade", OPTIONAL, grade_names, GRADE__MAX);
	in->disposition =
	    check_enum(c, body, "disposition", OPTIONAL, disposition_names, DISPOSITION__MAX);
	in->note = check_string(c, body, "note", OPTIONAL, 0, NOTE_MAX, NULL);
	if (in->note && !*in->note)
		in->note = NULL;
	return check_ok(c);
}
