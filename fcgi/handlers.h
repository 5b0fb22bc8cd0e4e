/* Every handler of kaeru-fcgi, by user group, and the routing table that reaches them.
 * A handler gets a request whose body is already parsed JSON and answers it exactly once. */
#ifndef KAERU_FCGI_HANDLERS_H
#define KAERU_FCGI_HANDLERS_H

#include "fcgi/http.h"

typedef void (*handler_fn)(struct req *r);

/* h_health.c */
void h_health(struct req *r);
/* h_ingest.c — the shop system, merchant key */
void h_order_put(struct req *r);
void h_inventory_put(struct req *r);
/* h_customer.c — the customer, no account */
void h_portal_get(struct req *r);
void h_lookup(struct req *r);
void h_return_create(struct req *r);
/* h_return.c — one return, by order token or tracking key */
void h_return_get(struct req *r);
void h_return_label(struct req *r);
void h_return_cancel(struct req *r);
/* session.c — staff login */
void h_session_create(struct req *r);
void h_session_get(struct req *r);
void h_session_delete(struct req *r);
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
/* h_item.c — the item page of a listing, HTML (no credentials) */
void h_item_page(struct req *r);
/* Starts libvips once per process, before any thread: no operation cache, one thread an image. */
void media_library_init(const char *argv0);

/* Finds the route for the request, fills r->params and runs its handler; answers 404 or 405
 * with a problem when there is none. */
void route_dispatch(struct req *r);

#endif
