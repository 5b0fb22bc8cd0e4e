/* JSON shapes of the API (see docs/openapi.yaml), built from records. Each returns a new
 * reference the caller owns. */
#ifndef KAERU_FCGI_RENDER_H
#define KAERU_FCGI_RENDER_H

#include "db/store.h"
#include "fcgi/http.h"

#include <jansson.h>

/* {slug, name, currency} */
json_t *render_merchant_brief(const struct merchant *m);
/* The stored order as the shop sent it. */
json_t *render_order(const struct order *o);
/* A JSON text stored by kaeru (an address, an event detail) back as JSON; null when NULL. */
json_t *render_stored_json(const char *text);
/* Who is looking: the customer (order token, tracking key) or staff (a session), who also
 * see the customer's name, the warehouse and which staff member did what. */
enum view { VIEW_CUSTOMER, VIEW_STAFF };
/* A return with its timeline, money and links. */
json_t *render_return(struct req *r, const struct ret *ret, const struct merchant *m, enum view v);

/* A listing as its merchant sees it. */
/* A listing as the merchant sees it: condition_note is the internal note, public_note what
 * shoppers read, photos [{url, width, height}]. */
json_t *render_listing(const struct listing *l);
/* [{url, width, height}] of photos: each its largest JPEG rendition, a path under /media/. */
json_t *render_photos(const struct photo *ps, size_t n);
/* {id, url, width, height} of one photo. */
json_t *render_photos_one(const struct photo *p);
/* The path of photo p's largest JPEG rendition, into buf. */
const char *render_photo_url(char *buf, size_t size, const struct photo *p);
/* A published listing as shoppers see it: nothing of the return or its customer. */
json_t *render_shop_listing(const struct listing *l);
/* A row of the console's returns list: {rma, status, order_number, customer_name, email,
 * currency, created_at, updated_at, items, refund_amount}. */
json_t *render_return_row(const struct return_row *x);
/* A keyset page's cursor (a row's id) as answers show it: a string, opaque to clients, or null
 * for none (0). Clients give it back as after (or before). */
json_t *render_cursor(int64_t id);
/* {"page","per_page","total"} members added to j. */
void render_page(json_t *j, int64_t page, int64_t per_page, int64_t total);

/* JSON text written as it goes, for answers of a fixed shape: what json_dumps(…, JSON_COMPACT)
 * would write, without an object a member. p is malloc'd (free it), NUL-terminated. jt_put and
 * jt_lit are a growing text buffer for any text (the shop's answers, the item page's HTML). */
struct jtext {
	char *p;
	size_t len, cap;
};
void jt_put(struct jtext *t, const char *s, size_t n); /* n bytes as they are */
void jt_lit(struct jtext *t, const char *s);           /* s as it is: JSON punctuation, keys */
/* s as a JSON string (null when NULL), escaped as jansson escapes: " and \, the control
 * characters (\b \f \n \r \t, the others \u00XX); UTF-8 as it is. */
void jt_str(struct jtext *t, const char *s);
void jt_int(struct jtext *t, int64_t v);
void jt_bool(struct jtext *t, bool b);
/* A literal (a member's punctuation and key, such as ",\"sku\":"), then its value. */
void jt_lit_str(struct jtext *t, const char *lit, const char *s);
void jt_lit_int(struct jtext *t, const char *lit, int64_t v);
void jt_lit_bool(struct jtext *t, const char *lit, bool b);
/* j (taken: released) as compact JSON text: a part an answer shares with others that jansson
 * renders, such as the shop's merchant. */
void jt_json(struct jtext *t, json_t *j);
/* The merchant's policy as customers see it: {window_days, store_credit_bonus_percent,
 * restocking_fee_percent, label_validity_days, reasons (offered), fee_reasons (whose refunds
 * withhold the fee), timezone}. */
void jt_merchant_policy(struct jtext *t, const struct merchant *m);
/* {slug, name, currency}, as render_merchant_brief. */
void jt_merchant_brief(struct jtext *t, const struct merchant *m);

#endif
