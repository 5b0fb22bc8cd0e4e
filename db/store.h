/* kaeru's records and the statements that read and change them. Every changing function runs
 * inside the caller's db_tx_run transaction unless it says otherwise. Strings of the records
 * live in db->arena. */
#ifndef KAERU_DB_STORE_H
#define KAERU_DB_STORE_H

#include "core/domain.h"
#include "core/lifecycle.h"
#include "core/policy.h"
#include "core/resolve.h"
#include "core/rma.h"
#include "db/db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Secrets are stored as hex BLAKE2b-256 digests: 64 characters. */
#define HASH_HEX_LEN 64

/* Times are DATETIME columns in UTC (every connection runs in UTC, db.c), passed as Unix
 * seconds with 64-bit arithmetic: TIMESTAMPADD(SECOND, ?, '1970-01-01') in and
 * TIMESTAMPDIFF(SECOND, '1970-01-01', col) out, good over all of DATETIME's range. Never
 * FROM_UNIXTIME or UNIX_TIMESTAMP: they stop at 2038-01-19T03:14:07Z, and before 1970. */

struct warehouse {
	int64_t id;
	const char *code, *name;
	const char *address_json;
};

struct merchant {
	int64_t id;
	const char *slug, *name, *currency;
	const char *timezone; /* IANA name: the merchant's calendar (util/tz.h) */
	int64_t warehouse_id;
	struct policy policy;
	const char *checkout_url; /* the shop's checkout link template, or NULL */
};

/* ---- tenants (db/tenants.c) ---- */
/* A merchant's columns in a statement that names the table m, as store_merchant_from_row
 * reads them from its column col on. */
#define MERCHANT_COLUMNS                                                                           \
	"m.id, m.slug, m.name, m.currency, m.warehouse_id, m.window_days,"                         \
	" m.restocking_fee_percent, m.store_credit_bonus_percent, m.label_validity_days,"          \
	" m.resale_percent_new, m.resale_percent_like_new, m.resale_percent_good,"                 \
	" m.resale_percent_fair, m.price_step, m.timezone, m.reasons_offered, m.fee_reasons,"      \
	" m.price_floor_percent, m.checkout_url, m.review_damaged, m.review_short_receipt,"        \
	" m.review_defective_new, m.review_amount_over"
#define MERCHANT_NCOLUMNS 23
void store_merchant_from_row(const struct db_rows *rows, size_t row, size_t col,
                             struct merchant *m);
enum kaeru_err store_merchant_by_key(struct db *db, const char *key_hash_hex, struct merchant *m);
enum kaeru_err store_merchant_by_slug(struct db *db, const char *slug, struct merchant *m);
enum kaeru_err store_merchant_by_id(struct db *db, int64_t id, struct merchant *m);
enum kaeru_err store_warehouse_by_code(struct db *db, const char *code, struct warehouse *w);
/* ECONFLICT when the code is taken. */
enum kaeru_err store_warehouse_create(struct db *db, const char *code, const char *name,
                                      const char *address_json, int64_t *id);
/* ECONFLICT when the slug is taken. */
enum kaeru_err store_merchant_create(struct db *db, const char *slug, const char *name,
                                     const char *currency, const char *timezone,
                                     int64_t warehouse_id, const char *key_hash_hex,
                                     int64_t price_step, int64_t *id);
/* Stores the policy: window, fee, bonus, label validity, resale percentages, price step,
 * reasons offered and fee reasons, price floor, review rules. */
enum kaeru_err store_merchant_policy_set(struct db *db, int64_t id, const struct policy *p);
/* Stores the policy with the time zone and checkout URL (NULL for none) and writes the event
 * merchant.policy_changed in the caller's transaction (change_json: who made the change, the
 * policy before and after). Lock the merchant's row first (store_merchant_lock). */
enum kaeru_err store_merchant_policy_change(struct db *db, const struct merchant *m,
                                            const struct policy *p, const char *timezone,
                                            const char *checkout_url, const char *change_json);
/* Re-reads the merchant FOR UPDATE: policy changes of one merchant are serialised. */
enum kaeru_err store_merchant_lock(struct db *db, int64_t id, struct merchant *m);
/* Keeps the money rules of p (fee and its reasons, bonus, resale percentages, price step) as
 * those return_id settles under. */
enum kaeru_err store_return_policy_keep(struct db *db, int64_t return_id, const struct policy *p);
/* The money rules of return_policies' columns (restocking_fee_percent .. price_step, in that
 * order) from column col of row i into p: a return settles under those kept (returns made
 * before they were kept, under the merchant's policy as it is). */
void store_return_policy_from_row(const struct db_rows *rows, size_t i, size_t col,
                                  struct policy *p);
/* Stores the merchant's time zone, an IANA name that tz_valid accepts. */
enum kaeru_err store_merchant_timezone_set(struct db *db, int64_t id, const char *timezone);
/* The address customers' answers to kaeru's e-mail go to (NULL: none); in db->arena. */
enum kaeru_err store_merchant_reply_to_set(struct db *db, int64_t id, const char *reply_to);
enum kaeru_err store_merchant_reply_to(struct db *db, int64_t id, const char **reply_to);
/* ECONFLICT when the email is taken. merchant_id/warehouse_id 0 for none. */
enum kaeru_err store_user_create(struct db *db, const char *email, const char *password_hash,
                                 enum role role, int64_t merchant_id, int64_t warehouse_id);

/* ---- orders and inventory (db/orders.c) ---- */
struct order_line {
	int64_t id; /* 0 on input */
	const char *line_id, *sku, *product_id, *name, *variant, *category;
	int64_t quantity, unit_price;
	bool final_sale;
	int64_t returned; /* output: units in returns that count */
	int64_t position; /* output: its place in the order */
};

struct order {
	int64_t id, merchant_id;
	const char *order_number, *email, *currency;
	const char *email_key; /* email_key(email): what lookups and searches compare */
	bool has_placed, has_delivered;
	int64_t placed_at, delivered_at;
	const char *shipping_address_json;
	struct order_line *lines;
	size_t n_lines;
};

/* Inserts or replaces an order and its lines (by line_id). A line that a return refers to
 * cannot be removed, nor get fewer units than its returns that count hold: ECONFLICT with
 * *bad_line set to its line_id. A replaced order whose customer's name changed has its returns
 * queued for their search terms anew (kaeru-worker writes them). */
enum kaeru_err store_order_put(struct db *db, const struct order *o, bool *created,
                               const char **bad_line);
/* Loads an order with its lines (returned units counted), in one statement. When lock, the
 * order's row and its lines' are locked FOR UPDATE (serialises changes to its returns). */
enum kaeru_err store_order_by_id(struct db *db, int64_t order_id, bool lock, struct order *o);
/* A variant of a product: what a line of it can be exchanged for (another variant of its
 * product), in stock when at least one unit is free (available - reserved). */
struct exchange_option {
	const char *product_id, *sku, *variant;
	bool in_stock;
};
/* A return that holds units of an order line and counts (neither canceled nor expired). */
struct line_return {
	int64_t order_line_id, return_id;
	const char *rma, *tracking_key, *status;
};
/* An order lookup in one statement: the client's failed lookups of the window (read from the
 * throttles row that store_lookup_failed writes), the merchant by slug, its order by number,
 * the order's lines, the returns that count holding them and the variants of their products.
 * slug or order_number NULL, or no such merchant: only the failures are read (one statement,
 * or two when slug names no merchant). */
struct lookup {
	int64_t failures;     /* the client's failed lookups in the window (window_s seconds) */
	int64_t failures_age; /* seconds since that window started */
	bool has_merchant, has_order;
	/* what the lookup answers and decides by: id, slug, name, currency, timezone, and of the
	 * policy the window, fee, bonus, label validity and reasons (the rest the defaults') */
	struct merchant merchant;
	struct order order; /* with its lines; no shipping address (NULL) */
	/* Every variant of the products of the lines that may be returned (not final sale, with
	 * units left, delivered within the window and two days), by variant then sku. */
	struct exchange_option *options;
	size_t n_options;
	/* Every (line, return) pair of the order's returns that count, oldest return first. */
	struct line_return *returns;
	size_t n_returns;
};
enum kaeru_err store_lookup(struct db *db, const char *client, int window_s, const char *slug,
                            const char *order_number, struct lookup *out);
/* The same with the order by its id (a return link names it): found only when it is the
 * merchant's. */
enum kaeru_err store_lookup_by_id(struct db *db, const char *client, int window_s, const char *slug,
                                  int64_t order_id, struct lookup *out);
/* Counts a failed lookup of client (its only write): *failures, its failures of the window
 * after it (a window older than window_s seconds starts anew). */
enum kaeru_err store_lookup_failed(struct db *db, const char *client, int window_s,
                                   int64_t *failures);
/* The id of the merchant's order with this number; ENOTFOUND when none. */
enum kaeru_err store_order_id_by_number(struct db *db, int64_t merchant_id,
                                        const char *order_number, int64_t *order_id);
struct stock {
	const char *sku, *product_id, *variant;
	int64_t available;
};
enum kaeru_err store_inventory_put(struct db *db, int64_t merchant_id, const struct stock *items,
                                   size_t n);
/* Takes qty units of sku (which must belong to product_id) into reserve; ECONFLICT when too
 * few are free. */
enum kaeru_err store_reserve(struct db *db, int64_t merchant_id, const char *product_id,
                             const char *sku, int64_t qty);
enum kaeru_err store_release(struct db *db, int64_t merchant_id, const char *sku, int64_t qty);

/* ---- returns (db/returns.c) ---- */
/* sku, product_id, name, variant, category and unit_price are what the customer bought, copied
 * from the order line when the return was made: a re-pushed order does not change them. */
struct return_item {
	int64_t id, order_line_id;
	const char *line_id, *sku, *name, *variant, *product_id, *category;
	int64_t quantity, unit_price, reserved_quantity;
	enum reason reason;
	const char *comment;
	enum resolution resolution;
	const char *exchange_sku;
	const char *exchange_variant; /* output: the exchange sku's variant name, when known */
	const char *status;           /* pending, inspected */
	bool has_received;
	int64_t received_quantity;
	const char *grade, *disposition, *note;
};

struct return_event {
	const char *at; /* RFC 3339 */
	const char *type, *actor, *detail_json;
	const char *staff; /* the staff member's email, or NULL */
};

/* Replacement units an exchange ships once its return resolves. */
struct shipment_line {
	const char *sku, *variant;
	int64_t quantity;
};

struct photo; /* db/media.h */
struct ret {
	int64_t id, merchant_id, order_id, warehouse_id;
	char rma[RMA_LEN + 1];
	const char *tracking_key;
	enum return_status status;
	const char *created_at; /* RFC 3339 */
	const char *order_number, *currency, *shipping_address_json;
	const char *warehouse_code, *warehouse_name, *warehouse_address_json;
	const char *received_at; /* RFC 3339, or NULL before the first scan */
	int64_t expires_at;      /* Unix seconds */
	struct return_item *items;
	size_t n_items;
	struct return_event *events;
	size_t n_events;
	/* Filled once resolved: the totals stored when it resolved and the exchanges' shipments. */
	bool has_totals;
	struct resolve_totals totals;
	struct shipment_line *shipments;
	size_t n_shipments;
	/* Its merchant's time zone when read with it (store_return_row with a merchant), else
	 * NULL: a plan's analytics then need not read it. */
	const char *timezone;
	/* events holds the whole timeline (read with the row, n_events_read of them, then what a
	 * plan wrote): store_return_timeline need not read it. */
	bool timeline_known;
	size_t n_events_read;
	/* Its photos, when read with it (store_return_whole): nothing to read to answer them. */
	bool photos_known;
	const struct photo *photos;
	size_t n_photos;
	/* The row's revision as read. Every change of what a change decides from bumps it, in the
	 * change's first write: the status moves (db/plan.c; a plan's item, ledger, shipment and
	 * timeline rows follow them), store_return_guard (the changes that keep the status: an
	 * item inspected but not the last, the shop's acknowledgements), a photo (db/media.c);
	 * the money rules a return keeps (return_policies) are only written with it. Only
	 * updated_at and language change without. So a first write that binds it proves nothing
	 * changed since the read, with no lock taken before (on Galera: nothing this node has
	 * applied; certification catches the rest, as the row is written). */
	int64_t revision;
};

/* A return by its code in one statement: its row with its order's and warehouse's columns,
 * and its merchant into *m unless m is NULL; no items, events or settlement yet. */
enum kaeru_err store_return_row(struct db *db, const char *rma, struct ret *r, struct merchant *m);
/* The same whole, still one statement: with r's items, timeline, photos and shipments, and
 * into *p unless NULL (m then too) m's policy with the money rules the return keeps
 * (return_policies) over it: what a change decides from and its answer shows. */
enum kaeru_err store_return_whole(struct db *db, const char *rma, struct ret *r, struct merchant *m,
                                  struct policy *p);
struct user;
struct session_ask {
	const char *token_hash;
	int idle_s, max_s;
};
/* store_return_whole and, in the same statement, store_session_user of s: a staff request's
 * one read before it decides. *who is the session's answer (KAERU_OK, u filled and the session
 * touched as store_session_user does; ENOTFOUND when it is not live), the result the return's
 * (ENOTFOUND when there is none); a failed statement fails both. */
enum kaeru_err store_return_whole_session(struct db *db, const char *rma, struct ret *r,
                                          struct merchant *m, struct policy *p,
                                          const struct session_ask *s, struct user *u,
                                          enum kaeru_err *who);
/* The return a change's transaction decides from: r (m, p) as read just before it
 * (store_return_whole) on its first run, when *again is false, nothing locked (the change's
 * first write binds the revision read). When it runs again (db_tx_run: that write found r
 * changed, or a conflict), r's row is written first — locked until COMMIT, so the change
 * cannot find it moved again on this node, however many race for it — and r read anew by its
 * code. Sets *again. */
enum kaeru_err store_return_again(struct db *db, bool *again, struct ret *r, struct merchant *m,
                                  struct policy *p);
/* The first write of a change to r that does not move its status (those of db/plan.c bind the
 * revision themselves): bumps r's revision from the one r was read at, and sets updated_at,
 * so the change's events touch nothing more. KAERU_ERETRY when another change came between
 * (db_tx_run runs the transaction again, which reads r anew). Nothing is locked before: the
 * write is the lock, and on Galera the certified write that makes two nodes' changes of one
 * return conflict. */
enum kaeru_err store_return_guard(struct db *db, struct ret *r);
/* Loads r's items. */
enum kaeru_err store_return_items(struct db *db, struct ret *r);
/* Loads r's events and, when r->status is resolved, its settlement (which needs the items). */
enum kaeru_err store_return_timeline(struct db *db, struct ret *r);
/* The return made under (order, idempotency key), if any: its rma and request hash. */
enum kaeru_err store_return_by_idempotency(struct db *db, int64_t order_id, const char *key,
                                           char rma[RMA_LEN + 1],
                                           char request_hash_hex[HASH_HEX_LEN + 1]);
/* Inserts the return row and its items (r->items with order_line_id, the line's snapshot,
 * quantity, reason, ...), and the terms the console's search finds it by (db/search.h).
 * language: the one the customer used ("ja", "en"; NULL: not known), what the worker's e-mails
 * are written in. Sets r->id and each item's id. ECONFLICT when the rma or idempotency key is
 * taken. */
enum kaeru_err store_return_insert(struct db *db, struct ret *r, const char *idempotency_key,
                                   const char *request_hash_hex, const char *language,
                                   int64_t expires_at);
/* A timeline event of return_id with its feed's event (read the return and its items to make
 * it), naming the staff user behind it (0 for none). */
enum kaeru_err store_event_add_by(struct db *db, int64_t return_id, enum event_type type,
                                  const char *actor, int64_t user_id, const char *detail_json);
/* The same for r as the transaction holds it, its status now being status: the feed's event is
 * made from r's items when they are loaded, without reading them back. */
enum kaeru_err store_event_add_of(struct db *db, const struct ret *r, enum return_status status,
                                  enum event_type type, const char *actor, int64_t user_id,
                                  const char *detail_json);
/* Gives r's units back to their order lines (a canceled or expired return: 013_cluster.sql),
 * in one statement however many items. */
enum kaeru_err store_lines_give_back(struct db *db, const struct ret *r);
/* Marks an item's reservation released (reserved_quantity 0). */
enum kaeru_err store_item_unreserve(struct db *db, int64_t item_id);

/* ---- running core's plans (db/plan.c) ---- */
/* r (loaded with its items) as core's rules see it, in items (cap entries, the caller's);
 * strings point into r. EINTERNAL when r has more items than cap. */
enum kaeru_err store_return_life(const struct ret *r, struct life_item *items, size_t cap,
                                 struct life_return *out);
/* The staff member behind a plan's staff events (actor NULL and user_id 0 for none). */
struct plan_by {
	const char *actor;
	int64_t user_id;
	const char *email; /* the staff user's, for the answer's timeline; or NULL */
};
/* Runs plan p, made from r as loaded, in the caller's transaction (nothing when the plan does
 * not run). Status and item changes bind the state the plan was made from, the first write r's
 * revision as read (struct ret): when it moved meanwhile, KAERU_ERETRY (db_tx_run runs the
 * caller again, which must then read r anew and plan again). now stamps a receipt. On success r
 * reads as the plan left it: status, items, totals. A create plan runs once r and its items are
 * inserted (store_return_insert): when stock cannot cover an exchange's reservation, that
 * item's reserved_quantity becomes 0 and the run answers ECONFLICT (roll back). */
enum kaeru_err store_plan_run(struct db *db, struct ret *r, const struct plan *p,
                              const struct plan_by *by, int64_t now);

/* ---- what a resolution writes (db/receiving.c; db/plan.c runs them) ---- */
/* The ledger rows of the plan's items that have one (refund or store credit), in one
 * statement. */
enum kaeru_err store_ledger_add_plan(struct db *db, const struct ret *r, const struct plan *p);
enum kaeru_err store_shipment_add(struct db *db, const struct ret *r, const struct return_item *it,
                                  int64_t quantity);
/* Reserved exchange units leave stock for a shipment: available and reserved both drop. */
enum kaeru_err store_inventory_commit(struct db *db, int64_t merchant_id, const char *sku,
                                      int64_t qty);
/* Returned units go back on the shelf: available rises (the sku is added when unknown). */
enum kaeru_err store_restock(struct db *db, int64_t merchant_id, const struct return_item *it,
                             int64_t qty);
/* Codes of up to max unscanned returns whose label has expired, locked for this transaction
 * and skipped by any other one doing the same (several maintenance runs share the work). */
enum kaeru_err store_expired_labels(struct db *db, size_t max, char (*rmas)[RMA_LEN + 1],
                                    size_t *n);

/* ---- resale listings (db/listings.c) ---- */
enum listing_status {
	LISTING_PENDING_REVIEW,
	LISTING_PUBLISHED,
	LISTING_REJECTED,
	LISTING_SOLD,
	LISTING__MAX
};
extern const char *const listing_status_names[LISTING__MAX];

/* condition_note is the inspection's internal note (staff and the merchant); public_note is
 * what shoppers read. */
struct listing {
	int64_t id, merchant_id;
	enum listing_status status;
	const char *title, *variant, *sku, *product_id, *category, *grade, *condition_note;
	const char *currency, *rma;
	int64_t original_price, suggested_price, price;
	const char *created_at, *published_at, *sold_at, *reject_reason; /* RFC 3339 or NULL */
	const char *public_note;
	const struct photo *photos; /* the warehouse's photos of the listing's item, in order */
	size_t n_photos;
	const char *held_until; /* RFC 3339 while a shop's hold lasts, else NULL */
};

/* Drafts one pending listing per unit (1..units) of an inspected item. */
enum kaeru_err store_listings_draft(struct db *db, const struct ret *r,
                                    const struct return_item *it, int64_t units,
                                    int64_t suggested_price);
/* Sets the public note of the pending listings drafted from an item (inspection's public_note). */
enum kaeru_err store_listings_public_note(struct db *db, int64_t return_item_id,
                                          const char *public_note);
/* A merchant's listing, with its photos; ENOTFOUND when unknown or another merchant's. lock:
 * FOR UPDATE. */
enum kaeru_err store_listing_get(struct db *db, int64_t merchant_id, int64_t id, bool lock,
                                 struct listing *l);
/* Where a page of a console list starts: just after the row whose id is after (the pages that
 * follow) or just before the row whose id is before (those that come first), in the list's own
 * order, reading about limit index entries however deep; with neither, offset rows from the
 * list's start (a cost that grows with offset). */
struct keyset {
	int64_t after, before, offset, limit;
};
/* A page's size, the list's total and the cursors (row ids) of the pages around it: 0 where
 * the list ends. */
struct keyset_page {
	size_t n;
	int64_t total, next, prev;
};
/* A page of a merchant's listings, of one status or all (status < 0), with their photos: the
 * review queue oldest first, the others newest first. EINVALID when a cursor is none of the
 * merchant's listings. */
enum kaeru_err store_listings_page(struct db *db, int64_t merchant_id, int status,
                                   const struct keyset *at, struct listing **out,
                                   struct keyset_page *page);
/* pending_review → published at price (and title, when not NULL); ECONFLICT when the listing
 * is not pending. Publishing and selling change the shop's version (store_shop_changed). */
enum kaeru_err store_listing_publish(struct db *db, int64_t merchant_id, int64_t id, int64_t price,
                                     const char *title, int64_t user_id);
/* pending_review → rejected; ECONFLICT when not pending. */
enum kaeru_err store_listing_reject(struct db *db, int64_t merchant_id, int64_t id,
                                    const char *reason, int64_t user_id);
/* published → sold; ECONFLICT when not published (already sold, or never published), or held
 * by a hold other than hold_id (NULL: none). */
enum kaeru_err store_listing_sell(struct db *db, int64_t merchant_id, int64_t id,
                                  const char *hold_id);

/* A merchant's edit of a pending or published listing: what is not NULL (has_price) changes;
 * photo_order: the ids of the item's photos in their new order (n_photo_order 0: unchanged).
 * ECONFLICT when the listing is neither pending nor published. A "listing.updated" event names
 * by and what changed; the shop's version moves when it is published. */
struct listing_edit {
	bool has_price;
	int64_t price;
	const char *title, *public_note;
	const int64_t *photo_order;
	size_t n_photo_order;
};
enum kaeru_err store_listing_edit(struct db *db, int64_t merchant_id, int64_t id,
                                  const struct listing_edit *ed, const char *by);
/* The ids of the warehouse's photos of a listing's item, in their order. */
enum kaeru_err store_listing_photo_ids(struct db *db, int64_t merchant_id, int64_t id,
                                       int64_t **ids, size_t *n);
/* published → pending_review (out of the shop at once, its hold gone): "listing.withdrawn";
 * ECONFLICT when not published. */
enum kaeru_err store_listing_withdraw(struct db *db, int64_t merchant_id, int64_t id,
                                      const char *by);
/* rejected → pending_review: "listing.restored"; ECONFLICT when not rejected. */
enum kaeru_err store_listing_restore(struct db *db, int64_t merchant_id, int64_t id,
                                     const char *by);
/* Holds a published listing for minutes under hold_id: "listing.held". ECONFLICT when it is not
 * published or another hold still lasts. One statement: of racing holds one wins. */
enum kaeru_err store_listing_hold(struct db *db, int64_t merchant_id, int64_t id,
                                  const char *hold_id, int minutes);
/* Ends the listing's hold (hold_id's, or any when NULL): "listing.released" when there was one. */
enum kaeru_err store_listing_release(struct db *db, int64_t merchant_id, int64_t id,
                                     const char *hold_id, bool *released);
/* Listings by status, and the sum of sold prices. */
enum kaeru_err store_listing_counts(struct db *db, int64_t merchant_id,
                                    int64_t counts[LISTING__MAX], int64_t *recovered);

/* ---- what the public shop reads (db/listings.c; fcgi/shop.c keeps it in memory) ---- */
/* The merchant whose shop is at slug, and the shop's version (0 until its first change), in
 * one read; ENOTFOUND when no merchant has the slug. */
enum kaeru_err store_shop_merchant(struct db *db, const char *slug, struct merchant *m,
                                   uint64_t *version);
/* Records that what the shop shows of listing_id changed (published, sold, held, edited,
 * withdrawn...), in the caller's transaction: the shop's version goes up by one and the listing
 * is stamped with it (its shop_version), so a snapshot of an older version finds what changed
 * (store_shop_changes). Every change to what a shopper sees of a listing calls this. */
enum kaeru_err store_shop_changed(struct db *db, int64_t merchant_id, int64_t listing_id);
/* The same for every listing of an item that is pending or published (its photos changed: they
 * are every unit's); nothing when it has none. */
enum kaeru_err store_shop_item_changed(struct db *db, int64_t merchant_id, int64_t return_item_id);
/* What a snapshot of a shop is built from, read in one statement (one read view): the shop's
 * version, its listings sold and the database's time as of the rows, and the rows, each with its
 * status and, when published, its photos; only the columns a shopper sees (condition_note is the
 * public note; held_until only while the hold lasts). In db->arena. */
struct shop_rows {
	uint64_t version;
	int64_t sold;
	const char *now; /* RFC 3339: a hold that ends by then is over */
	struct listing *rows;
	size_t n;
};
/* Every published listing of the merchant, in no order. */
enum kaeru_err store_shop_published(struct db *db, int64_t merchant_id, struct shop_rows *out);
/* The listings stamped after version after, whatever their status now (one that left the shop
 * says so), in no order: at most limit + 1 of them, read through (merchant_id, shop_version), so
 * the cost is that of the change, not of the shop. */
enum kaeru_err store_shop_changes(struct db *db, int64_t merchant_id, uint64_t after, size_t limit,
                                  struct shop_rows *out);

/* ---- the console's returns list (db/listings.c) ---- */
struct return_row {
	const char *rma, *status, *order_number, *customer_name, *email, *currency;
	const char *created_at, *updated_at;
	int64_t items;
	bool has_refund;
	int64_t refund_amount;
};
/* A return_row's columns, of `returns r JOIN orders o` (store_return_row_read reads them). */
#define RETURN_ROW_COLUMNS                                                                         \
	"r.rma, r.status, o.order_number, JSON_VALUE(o.shipping_address, '$.name'), o.email,"      \
	" o.currency, DATE_FORMAT(r.created_at, '%Y-%m-%dT%H:%i:%sZ'),"                            \
	" DATE_FORMAT(r.updated_at, '%Y-%m-%dT%H:%i:%sZ'),"                                        \
	" (SELECT COUNT(*) FROM return_items ri WHERE ri.return_id = r.id),"                       \
	" r.refund_total + r.store_credit_total"
/* Row i's RETURN_ROW_COLUMNS, starting at column col. */
void store_return_row_read(const struct db_rows *rows, size_t i, size_t col,
                           struct return_row *out);
/* A page of the merchant's returns, newest first; status < 0: any. EINVALID when a cursor is
 * none of the merchant's returns. (Searches: db/search.h.) */
enum kaeru_err store_returns_page(struct db *db, int64_t merchant_id, int status,
                                  const struct keyset *at, struct return_row **out,
                                  struct keyset_page *page);
/* Returns by status. */
enum kaeru_err store_return_counts(struct db *db, int64_t merchant_id, int64_t counts[RETURN__MAX]);

/* ---- CSV exports (db/exports.c) ---- */
/* Creation times from (inclusive) to (exclusive), Unix seconds. */
struct export_range {
	int64_t from, to;
};
/* Where a keyset page starts: after the row created at `at` with id `id` ({from - 1, 0} for
 * the first page). Each row's first two columns are its key (created_at seconds, id). */
struct export_key {
	int64_t at, id;
};
/* The items of up to limit returns created in range, after `after` (its id a return's), by
 * (created_at, return id, item id): created_at, return id, rma, status, order_number, email,
 * currency, sku, product_id, name, variant, quantity, unit_price, reason, comment, resolution,
 * exchange_sku, received_quantity, grade, disposition, then the item's ledger entry — gross,
 * restocking_fee, bonus, withheld, amount (NULL when none) — and resolved_at seconds (NULL until
 * resolved). */
enum kaeru_err store_export_returns_page(struct db *db, int64_t merchant_id,
                                         const struct export_range *range,
                                         const struct export_key *after, size_t limit,
                                         struct db_rows *rows);
/* Up to limit ledger entries made in range, after `after`, by (created_at, id): created_at,
 * id, rma, order_number, sku, kind, currency, gross, restocking_fee, bonus, withheld, amount. */
enum kaeru_err store_export_ledger_page(struct db *db, int64_t merchant_id,
                                        const struct export_range *range,
                                        const struct export_key *after, size_t limit,
                                        struct db_rows *rows);

/* ---- analytics (db/analytics.c; what each aggregate counts: 061_exports_analytics.sql) ---- */
/* Counts the units of an order's lines as sold on its local day (sign 1), or takes back what it
 * counted (sign -1, before it is replaced); nothing when the order does not exist. When
 * customer, *customer is the name its shipping address holds (NULL for none, or no order). */
enum kaeru_err store_analytics_order(struct db *db, int64_t merchant_id, const char *order_number,
                                     int sign, const char **customer);
/* What a plan that ran changes in the aggregates: a new return's units and reasons (its
 * commented items the insert's trigger keeps), a canceled or expired one's units and reasons
 * taken back, a first scan's time from the label, a resolution's money and time from the scan.
 * Computed now, written behind the transaction: added to the plan's outbox (store_plan_run's,
 * db->memo.outbox), whose first timeline row carries them to the queue that
 * store_analytics_fold empties (069_analytics_pending.sql). now 0: the clock's. */
enum kaeru_err store_analytics_plan(struct db *db, const struct ret *r, const struct plan *p,
                                    int64_t now);
/* A change of a listing that the resale figures count. */
enum resale_change {
	RESALE_DRAFTED,   /* counted on the local day of its created_at */
	RESALE_PUBLISHED, /* of its published_at */
	RESALE_WITHDRAWN, /* before the withdrawal clears published_at: takes back its publication
	                   */
	RESALE_SOLD,      /* of its sold_at, with its price and original price */
};
/* Counts change c of listing id (merchant_id's) in the resale aggregates, reading the listing
 * FOR UPDATE in the caller's transaction: after the statement that drafts, publishes or sells
 * it, and before the one that withdraws it (nothing when it is not published then). */
enum kaeru_err store_analytics_listing(struct db *db, int64_t merchant_id, int64_t id,
                                       enum resale_change c);
/* Lets the transaction's analytics use r's merchant's time zone, read with r, rather than read
 * it again (nothing when r has none). */
void store_analytics_zone_known(struct db *db, const struct ret *r);
/* Counts n listings drafted just now (on today's local day), without reading them back: with
 * the plan's deltas when the merchant's plan is running (a resolving inspection's). */
enum kaeru_err store_analytics_drafted(struct db *db, int64_t merchant_id, int64_t n);
/* Folds up to limit of the oldest queued deltas into the aggregates and deletes them, in the
 * caller's transaction: the rows of a day added up first, each aggregate written in one
 * statement in key order; *n says how many were folded. */
enum kaeru_err store_analytics_fold(struct db *db, int64_t limit, int64_t *n);
/* Recomputes the merchant's aggregates from its orders, returns, resolutions and listings (for
 * data made before the aggregates existed), in the caller's transaction, and drops its queued
 * deltas (their changes are in the records it counts); *orders and *returns say how many were
 * counted. */
enum kaeru_err store_analytics_rebuild(struct db *db, int64_t merchant_id, int64_t *orders,
                                       int64_t *returns);
/* The analytics of local days from_day..to_day (range: the same days as instants) as the API
 * answers them (*out, the caller's). */
enum kaeru_err store_analytics_read(struct db *db, int64_t merchant_id, int64_t from_day,
                                    int64_t to_day, const struct export_range *range, json_t **out);

/* ---- staff users and sessions (db/staff.c) ---- */
/* A user's columns (user_row reads them), of users u joined to USER_JOINS. */
#define USER_COLUMNS                                                                               \
	"u.id, u.email, u.password_hash, u.role, COALESCE(u.merchant_id, 0),"                      \
	" COALESCE(u.warehouse_id, 0), m.slug, m.name, w.code, w.name"
#define USER_JOINS                                                                                 \
	" LEFT JOIN merchants m ON m.id = u.merchant_id"                                           \
	" LEFT JOIN warehouses w ON w.id = u.warehouse_id"
/* The user of a live session: SESSION_USER_COLUMNS (USER_COLUMNS, then the seconds since the
 * session's last use) SESSION_USER_FROM, whose parameters are the token's hash, the idle and
 * the maximum age in seconds (struct session_ask). Read by store_session_user, and with a
 * return by store_return_whole_session. */
#define SESSION_USER_COLUMNS                                                                       \
	USER_COLUMNS ", TIMESTAMPDIFF(SECOND, s.last_seen_at, CURRENT_TIMESTAMP)"
#define SESSION_USER_NCOLUMNS 11
#define SESSION_USER_FROM                                                                          \
	" FROM sessions s JOIN users u ON u.id = s.user_id" USER_JOINS                             \
	" WHERE s.token_hash = ? AND s.last_seen_at > CURRENT_TIMESTAMP - INTERVAL ? SECOND"       \
	" AND s.created_at > CURRENT_TIMESTAMP - INTERVAL ? SECOND AND u.removed_at IS NULL"
struct user {
	int64_t id;
	const char *email, *password_hash;
	enum role role;
	int64_t merchant_id, warehouse_id; /* 0 for none */
	const char *merchant_slug, *merchant_name, *warehouse_code, *warehouse_name; /* or NULL */
	const char *session_hash; /* the session it was read by (store_session_user), or NULL */
};
/* By lower-cased email; removed team members are not found. */
enum kaeru_err store_user_by_email(struct db *db, const char *email, struct user *u);
/* A new session of user_id, whose last sign-in becomes now. */
enum kaeru_err store_session_create(struct db *db, const char *token_hash, int64_t user_id);
/* The user of a live session: used within idle_s seconds and younger than max_s. Refreshes
 * its last use at most once a minute. ENOTFOUND when unknown or dead, or the user was removed.
 * u->session_hash is token_hash (not copied). */
enum kaeru_err store_session_user(struct db *db, const char *token_hash, int idle_s, int max_s,
                                  struct user *u);
/* store_session_user's verdict from its row read (rows of SESSION_USER_COLUMNS: none when the
 * session is not live), the touch included. */
enum kaeru_err store_session_from_rows(struct db *db, const struct db_rows *rows,
                                       const char *token_hash, struct user *u);
enum kaeru_err store_session_delete(struct db *db, const char *token_hash);
/* Deletes sessions dead by those limits; *n how many. */
enum kaeru_err store_sessions_prune(struct db *db, int idle_s, int max_s, uint64_t *n);

/* Throttles: attempts per subject (a client address, an account) in a window of time,
 * counted before the attempt is decided so that racing attempts cannot overshoot a limit. */
enum throttle_kind { THROTTLE_LOOKUP, THROTTLE_LOGIN_ACCOUNT, THROTTLE_LOGIN_ADDRESS };
/* Counts one attempt of subject and returns in *attempts the attempts of its window, this one
 * included (a window older than window_s seconds starts anew). One atomic statement: of racing
 * attempts each sees a different count. */
enum kaeru_err store_throttle_take(struct db *db, enum throttle_kind kind, const char *subject,
                                   int window_s, int64_t *attempts);
/* Gives a taken attempt back: it succeeded, or was refused before it was evaluated. */
enum kaeru_err store_throttle_give_back(struct db *db, enum throttle_kind kind,
                                        const char *subject);
/* Records that a taken attempt failed: it stays counted, and is the latest failure. */
enum kaeru_err store_throttle_failed(struct db *db, enum throttle_kind kind, const char *subject);
/* Forgets subject's attempts (a login that succeeded clears its account). */
enum kaeru_err store_throttle_clear(struct db *db, enum throttle_kind kind, const char *subject);
struct throttle_state {
	int64_t attempts, failures;
	int64_t window_age;    /* seconds since the window started */
	int64_t since_failure; /* seconds since the latest failure; -1: none in the window */
};
/* subject's throttle as it is now (all zero when it has none). */
enum kaeru_err store_throttle_read(struct db *db, enum throttle_kind kind, const char *subject,
                                   struct throttle_state *out);
/* Forgets throttles (of logins and lookups) older than a day. */
enum kaeru_err store_failures_prune(struct db *db, uint64_t *n);

#endif
