/* Reading an order body (the ingest API and kaeru-admin orders import share it). */
#ifndef KAERU_VALIDATE_ORDER_H
#define KAERU_VALIDATE_ORDER_H

#include "db/store.h"
#include "validate/check.h"

#define ORDER_NUMBER_RULE "must be 1 to 64 characters without blanks, '/', '?', '#' or '%'"

bool order_number_plausible(const char *s);
/* Reads the address object at key into a normalised JSON text (name, postal_code, region,
 * city, line1, line2, country, phone); NULL with errors in c when it is not valid. */
const char *check_address(struct checker *c, json_t *obj, const char *key);
/* Reads email, currency (must equal the merchant's), placed_at, delivered_at,
 * shipping_address and lines of body into *o; problems go to c. Strings in c's arena. */
void check_order(struct checker *c, json_t *body, const char *currency, struct order *o);

#endif
