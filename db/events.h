/* The outbox (db/events.c): events written in the transaction of the change they tell of, the
 * feed that reads them in each merchant's order, the merchant's webhook and its deliveries.
 * Strings of the records live in db->arena. */
#ifndef KAERU_DB_EVENTS_H
#define KAERU_DB_EVENTS_H

#include "core/domain.h"
#include "db/db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct ret;

#define WEBHOOK_SECRET_HEX 64 /* 32 random bytes */

/* Writes one event of the merchant, in the caller's transaction: the event's INSERT takes the
 * merchant's next seq (its counter row stays locked until the transaction ends) and writes a
 * delivery when the merchant's webhook asks for this type, by triggers (009_events.sql,
 * 063_event_triggers.sql). rma NULL and listing_id 0 for none; data_json a JSON object. */
enum kaeru_err store_event_emit(struct db *db, int64_t merchant_id, const char *type,
                                const char *rma, int64_t listing_id, const char *data_json);
/* The event of a change to return return_id, as recorded in its timeline with detail_json:
 * the return's code, status and items read in this transaction, and for return.resolved its
 * money, shaped for an integrator. */
enum kaeru_err store_event_return(struct db *db, int64_t return_id, enum event_type type,
                                  const char *detail_json);
/* The same from r as the transaction holds it (its items loaded and current), with status as
 * it now is: nothing read back. */
enum kaeru_err store_event_return_of(struct db *db, const struct ret *r, enum return_status status,
                                     enum event_type type, const char *detail_json);
/* A listing's event ("listing.published", ...) with the listing as it is now. */
enum kaeru_err store_event_listing(struct db *db, int64_t merchant_id, int64_t listing_id,
                                   const char *type);
/* The same, naming who made the change (a staff e-mail, "shop" for the merchant key) and, when
 * changes is not NULL (stolen), what changed: {"price":{"from","to"}, ...}. */
enum kaeru_err store_event_listing_by(struct db *db, int64_t merchant_id, int64_t listing_id,
                                      const char *type, const char *by, json_t *changes);
/* The events of one change to a return, gathered while its plan runs and written at its end in
 * two statements whatever their number (store_plan_run): the merchant's events and the
 * return's timeline rows, as JSON arrays. */
struct outbox {
	int64_t merchant_id, return_id;
	json_t *events;    /* [{type, rma, listing_id, data}] */
	json_t *timeline;  /* [{type, actor, user_id, detail}] */
	json_t *analytics; /* the plan's analytics deltas (db/analytics.c), or NULL */
	/* out, once closed: the timeline rows as written (staff NULL), in the arena */
	struct return_event *written;
	bool *written_by_user; /* which of them name a staff user */
	size_t n_written;
};
/* Makes o the transaction's outbox: store_event_emit of its merchant and the timeline rows of
 * its return go to o until store_outbox_close. */
void store_outbox_open(struct db *db, struct outbox *o, int64_t merchant_id, int64_t return_id);
/* Writes what o gathered when e is KAERU_OK (timeline rows, then the events with their seqs
 * and deliveries), frees it, and ends o as the outbox; returns e or the write's error. */
enum kaeru_err store_outbox_close(struct db *db, struct outbox *o, enum kaeru_err e);
/* Adds a timeline row of return_id to the open outbox; false when no outbox of that return is
 * open (the caller writes the row itself). */
bool store_outbox_timeline(struct db *db, int64_t return_id, enum event_type type,
                           const char *actor, int64_t user_id, const char *detail_json);
/* "listing.drafted" of the listing l just drafted, from l as written: nothing read back. */
struct listing;
enum kaeru_err store_event_listing_drafted(struct db *db, const struct listing *l);

struct event_row {
	int64_t id, seq, listing_id; /* listing_id 0 for none */
	const char *type, *at, *rma; /* rma NULL for none */
	const char *data_json;
};
/* Up to limit of the merchant's events after seq `after`, in seq order. */
enum kaeru_err store_events_page(struct db *db, int64_t merchant_id, int64_t after, int64_t limit,
                                 struct event_row **out, size_t *n);

/* The event as the feed and deliveries show it: {"id","seq","type","at","rma"?,"listing_id"?,
 * "data"}. The caller owns the result. */
json_t *event_json(const struct event_row *ev);

/* Whether a webhook's patterns (a JSON array: "return.*", "listing.sold", "*") take type. */
bool webhook_wants(const char *patterns_json, const char *type);

struct webhook {
	const char *url, *events_json, *secret;
	const char *paused_at; /* RFC 3339, or NULL */
};
enum kaeru_err store_webhook_get(struct db *db, int64_t merchant_id, struct webhook *w);
/* Sets the merchant's webhook and unpauses it. secret NULL keeps the current one (ENOTFOUND
 * when there is none). */
enum kaeru_err store_webhook_put(struct db *db, int64_t merchant_id, const char *url,
                                 const char *events_json, const char *secret);
/* ENOTFOUND when there is none. Its deliveries stay in the log; none is sent any more. */
enum kaeru_err store_webhook_delete(struct db *db, int64_t merchant_id);

struct delivery {
	int64_t id, merchant_id, event_id, attempts;
	const char *type, *status;
	bool has_status_code;
	int64_t last_status_code;
	const char *next_attempt_at, *last_error; /* RFC 3339 / text, or NULL */
	int64_t created_at;                       /* Unix seconds */
};
/* The merchant's latest deliveries, newest first. */
enum kaeru_err store_deliveries_page(struct db *db, int64_t merchant_id, int64_t limit,
                                     struct delivery **out, size_t *n);
/* Makes a delivery due now (again), whatever its status. ENOTFOUND when not the merchant's. */
enum kaeru_err store_delivery_retry(struct db *db, int64_t merchant_id, int64_t id);

/* ---- for kaeru-worker ---- */
/* What one attempt sends. */
struct delivery_job {
	int64_t id, event_id, attempts, created_at; /* created_at: Unix seconds */
	const char *url, *secret, *type, *body;     /* body: the event as the feed shows it */
};
/* Claims up to max due deliveries of unpaused webhooks for worker `me` until lease_s from now:
 * each by a guarded UPDATE that only one dispatcher can win (autocommit; a Galera certification
 * conflict counts as lost). */
enum kaeru_err store_deliveries_claim(struct db *db, const char *me, int lease_s, size_t max,
                                      struct delivery_job **out, size_t *n);
/* Records an attempt of a claimed delivery: delivered, or due again at next_at (Unix seconds),
 * or failed for good (give_up), which pauses the merchant's webhook. Only while still ours. */
enum kaeru_err store_delivery_attempted(struct db *db, const char *me, int64_t id, bool delivered,
                                        int status_code, const char *error, bool give_up,
                                        int64_t next_at);

/* ---- customer e-mail (db/events.c; sent by kaeru-worker, worker/mail.c) ---- */
/* The languages of the portal and of e-mails (a new return keeps the one its customer used:
 * store_return_insert). */
enum language { LANGUAGE_JA, LANGUAGE_EN, LANGUAGE__MAX };
extern const char *const languages[LANGUAGE__MAX];
struct email_job {
	int64_t id, attempts, created_at;  /* created_at: Unix seconds */
	const char *kind, *rma, *language; /* language NULL when not known */
	const char *to;                    /* the order's e-mail address */
	const char *data_json;             /* what the kind needs beyond the return, or NULL */
};
/* Queues the customer e-mail kind about a return, once per (kind, ref); data_json may be NULL.
 * The timeline events queue theirs by themselves (store_event_return). */
enum kaeru_err store_email_queue(struct db *db, int64_t merchant_id, int64_t return_id,
                                 const char *kind, const char *ref, const char *data_json);
/* The reminder a customer gets while the parcel has not arrived and the label is about to expire.
 */
#define MAIL_KIND_EXPIRING     "label_expiring"
#define MAIL_EXPIRING_WITHIN_S (3 * 86400) /* sent when fewer than 3 days are left */
/* Queues the reminder for up to max unscanned returns whose label expires within within_s, each
 * once (the queue's unique key); *n is how many were queued. Safe on many hosts at once. */
enum kaeru_err store_email_reminders(struct db *db, int64_t within_s, size_t max, uint64_t *n);
/* Claims up to max due e-mails for worker me, as store_deliveries_claim does. */
enum kaeru_err store_emails_claim(struct db *db, const char *me, int lease_s, size_t max,
                                  struct email_job **out, size_t *n);
/* Records an attempt of a claimed e-mail: sent, or due again at next_at, or failed for good. */
enum kaeru_err store_email_attempted(struct db *db, const char *me, int64_t id, bool sent,
                                     const char *error, bool give_up, int64_t next_at);

#endif
