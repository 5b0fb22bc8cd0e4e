/* Request bodies read into typed values, once, at the edge: a lookup, a new return's items, an
 * inspection. (An order's body is order_in.h.) Each reader reports every bad field in the
 * checker, named by its JSON path, and returns whether all were good. The fuzzers' target. */
#ifndef KAERU_VALIDATE_BODIES_H
#define KAERU_VALIDATE_BODIES_H

#include "core/lifecycle.h"
#include "validate/check.h"

#define NOTE_MAX 1000

/* POST /api/v1/lookup {merchant, order_number, email} or {merchant, link}: a shop's return link
 * stands for number and e-mail (link NULL otherwise; order_number and email NULL with a link).
 * The order number comes without the blanks around it and a leading '#' or '＃'. */
struct lookup_in {
	const char *merchant, *order_number, *email, *link;
};
bool check_lookup(struct checker *c, json_t *body, struct lookup_in *in);

/* The items of POST /api/v1/returns {items: [...]} (1..RETURN_ITEMS_MAX), shapes only — core
 * judges them against the order — into *items, with each item's comment (or NULL) in
 * *comments, in c's arena; their count in *n. */
bool check_return_items(struct checker *c, json_t *body, struct life_request **items,
                        const char ***comments, size_t *n);

/* POST …/items/{id}/inspection {received_quantity, grade, disposition, note}: shapes only;
 * what it may say of the item is core's to judge. grade and disposition are -1 when absent. */
bool check_inspection(struct checker *c, json_t *body, struct life_inspection *in);

#endif
