/* Request bodies read into typed values, once, at the edge: a lookup, a new return's items, an
 * inspection. (An order's body is order_in.h.) Each reader reports every bad field in the
 * checker, named by its JSON path, and returns whether all were good. The fuzzers' target. */
#ifndef KAERU_VALIDATE_BODIES_H
#define KAERU_VALIDATE_BODIES_H

#include "db/store.h"
#include "validate/check.h"

#define RETURN_ITEMS_MAX 100
#define NOTE_MAX         1000

/* POST /api/v1/lookup {merchant, order_number, email} */
struct lookup_in {
	const char *merchant, *order_number, *email;
};
bool check_lookup(struct checker *c, json_t *body, struct lookup_in *in);

/* One item of POST /api/v1/returns {items: [...]}: indexes into reason_names and
 * resolution_names; exchange_sku only for an exchange. */
struct item_in {
	const char *line_id;
	int64_t quantity;
	int reason, resolution;
	const char *comment, *exchange_sku;
};
/* The items (1..RETURN_ITEMS_MAX) into *items (in c's arena), their count in *n. */
bool check_return_items(struct checker *c, json_t *body, struct item_in **items, size_t *n);

/* POST …/items/{id}/inspection {received_quantity, grade, disposition, note} for an item of
 * quantity items: grade and disposition are required when some arrived, and then as names
 * from grade_names and disposition_names; NULL when none did. */
bool check_inspection(struct checker *c, json_t *body, int64_t quantity, struct inspection *in);

#endif
