/* Every handler of kaeru-fcgi, by user group, and the routing table that reaches them.
 * A handler gets a request whose body is already parsed JSON and whose credential its route
 * row names is already checked (r->who), and answers it exactly once. */
#ifndef KAERU_FCGI_HANDLERS_H
#define KAERU_FCGI_HANDLERS_H

#include "fcgi/http.h"

typedef void (*handler_fn)(struct req *r);

/* h_health.c */
void h_health(struct req *r);
void h_metrics(struct req *r);
/* h_ingest.c — the shop system, merchant key */
void h_order_put(struct req *r);
void h_inventory_put(struct req *r);
/* h_customer.c — the customer, no account */
void h_portal_get(struct req *r);
void h_lookup(struct req *r);
void h_return_link(struct req *r);
void h_return_create(struct req *r);
/* h_return.c — one return, by order token or tracking key */
void h_return_get(struct req *r);
void h_return_label(struct req *r);
void h_return_qr(struct req *r);
void h_return_cancel(struct req *r);
/* session.c — staff login, and a staff user's own password */
void h_session_create(struct req *r);
void h_session_get(struct req *r);
void h_session_delete(struct req *r);
void h_password_change(struct req *r);
/* h_staff.c — the warehouse, staff session */
void h_scan(struct req *r);
void h_inspect(struct req *r);
/* h_merchant.c — the merchant console, merchant session */
void h_merchant_listings(struct req *r);
void h_merchant_listing_get(struct req *r);
void h_listing_approve(struct req *r);
void h_listing_reject(struct req *r);
void h_listings_bulk_approve(struct req *r);
void h_merchant_returns(struct req *r);
void h_merchant_summary(struct req *r);
void h_merchant_policy_get(struct req *r);
void h_merchant_policy_put(struct req *r);
void h_merchant_decision(struct req *r);
void h_merchant_returns_csv(struct req *r);
void h_merchant_ledger_csv(struct req *r);
void h_merchant_analytics(struct req *r);
void h_shop_analytics(struct req *r);
void h_console_webhook_get(struct req *r);
void h_console_webhook_put(struct req *r);
void h_console_webhook_delete(struct req *r);
void h_console_webhook_deliveries(struct req *r);
void h_console_webhook_retry(struct req *r);
/* h_shop.c — the public resale shop; the storefront's sale call (merchant key) */
void h_shop_listings(struct req *r);
void h_shop_feed(struct req *r);
void h_listing_sold(struct req *r);
/* h_events.c — events feed and webhook (merchant key) */
void h_events(struct req *r);
void h_webhook_get(struct req *r);
void h_webhook_put(struct req *r);
void h_webhook_delete(struct req *r);
void h_webhook_deliveries(struct req *r);
void h_webhook_retry(struct req *r);
/* h_search.c — the console's search over returns, for the two lists of returns */
struct checker;
/* When the request has a q that is not blank, answers the search — its checks added to c's,
 * the returns of merchant_id of status (< 0: any) updated since (Unix seconds, 0: any); page
 * must be 1 — and returns true. Else does nothing and returns false. */
bool returns_search(struct req *r, struct checker *c, int64_t merchant_id, int status,
                    int64_t since, int64_t page);
/* The keyset cursor the query names field (after or before): the id of a row of an earlier
 * answer (render_cursor), 0 when absent; a bad one is added to c's failures. */
int64_t query_cursor(struct checker *c, struct req *r, const char *field);
/* h_acks.c — the shop's acknowledgements (merchant key) */
void h_merchant_returns_changed(struct req *r);
void h_merchant_return_get(struct req *r);
void h_refund_paid(struct req *r);
void h_exchange_shipped(struct req *r);
/* h_media.c — photos: the warehouse's (staff session) and the customer's (order token), and
 * the renditions served at /media/ */
void h_item_photo_add(struct req *r);
void h_return_photo_add(struct req *r);
void h_media_get(struct req *r);
/* h_listing_edit.c — the merchant's edits (merchant session) and the shop's holds (merchant key) */
void h_listing_patch(struct req *r);
void h_listing_withdraw(struct req *r);
void h_listing_restore(struct req *r);
void h_listing_hold(struct req *r);
void h_listing_release(struct req *r);
/* h_team.c — the merchant's team: its console users (merchant session; owners change it) */
void h_team_list(struct req *r);
void h_team_invite(struct req *r);
void h_team_remove(struct req *r);
/* h_item.c — the item page of a listing, HTML (no credentials) */
void h_item_page(struct req *r);
/* h_item.c — the shop's page (web/shop/index.html) with its Open Graph tags */
void h_shop_page(struct req *r);
/* Adds each item's photos ("photos") and the customer's ("customer_photos") to j, a return
 * rendered by render_return (read with it, or now); false when they cannot be read. */
bool render_return_photos(struct req *r, const struct ret *ret, json_t *j);

/* The route of method (HEAD as GET) and path: its index, with its '*' segments in params (in
 * the arena); -1 when none, with allow holding the methods the path answers ("GET, POST"),
 * empty when the path is unknown. */
int route_find(struct arena *a, enum method m, const char *path,
               const char *params[PATH_PARAMS_MAX], char *allow, size_t allow_size);
/* Finds the route for the request, fills r->params, checks the credential its row names
 * (auth_check: r->who) and runs its handler; answers 404 or 405 with a problem when there is
 * no route. */
void route_dispatch(struct req *r);

#endif
