/* The shop's acknowledgements (db/acks.c): refunds paid and replacements shipped, and the
 * money and parcels of a return as the merchant API shows them. In the caller's transaction. */
#ifndef KAERU_DB_ACKS_H
#define KAERU_DB_ACKS_H

#include "db/db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Refund owed by the ledger and already paid, in minor units. */
enum kaeru_err store_refund_totals(struct db *db, int64_t return_id, int64_t *owed, int64_t *paid);
/* The amount of the payment with this reference, if any (ENOTFOUND). */
enum kaeru_err store_refund_payment(struct db *db, int64_t return_id, const char *reference,
                                    int64_t *amount);
/* Records a payment (the return's row, updated_at with it, written first: store_return_guard). */
enum kaeru_err store_refund_paid(struct db *db, int64_t merchant_id, int64_t return_id,
                                 int64_t amount, const char *reference);
/* Marks the return's pending shipments shipped; *n how many, *total how many it has. */
enum kaeru_err store_shipments_ship(struct db *db, int64_t return_id, const char *carrier,
                                    const char *tracking_number, uint64_t *n, int64_t *total);
/* A page of the merchant's returns changed at or after since (Unix seconds), oldest change
 * first: items [{"rma","status","order_number","currency","created_at","updated_at"}]. */
enum kaeru_err store_returns_changed(struct db *db, int64_t merchant_id, int64_t since,
                                     int64_t offset, int64_t limit, json_t **items, int64_t *total);
/* {"ledger":[…],"refund_payments":[…],"shipments":[…]} of a return (new reference). */
enum kaeru_err store_return_money(struct db *db, int64_t return_id, json_t **out);

#endif
