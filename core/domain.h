/* The words of kaeru's domain, each an enum with a parallel table of names: one place to read.
 * Pure: no I/O, no allocation. */
#ifndef KAERU_CORE_DOMAIN_H
#define KAERU_CORE_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>

/* Result of any fallible kaeru function; the HTTP edge maps each to a status once. */
enum kaeru_err {
	KAERU_OK = 0,
	KAERU_ENOTFOUND, /* no such thing, or not the caller's */
	KAERU_ECONFLICT, /* the state forbids it */
	KAERU_EINVALID,  /* a value the rules refuse */
	KAERU_EDB,       /* the database failed or went away */
	KAERU_ERETRY,    /* a deadlock or lock wait: run the transaction again */
	KAERU_EINTERNAL,
};

enum reason {
	REASON_TOO_SMALL,
	REASON_TOO_LARGE,
	REASON_NOT_AS_DESCRIBED,
	REASON_DAMAGED,
	REASON_DEFECTIVE,
	REASON_WRONG_ITEM,
	REASON_CHANGED_MIND,
	REASON_ARRIVED_LATE,
	REASON_OTHER,
	REASON__MAX
};

enum resolution {
	RESOLUTION_REFUND,
	RESOLUTION_STORE_CREDIT,
	RESOLUTION_EXCHANGE,
	RESOLUTION__MAX
};

enum grade { GRADE_NEW, GRADE_LIKE_NEW, GRADE_GOOD, GRADE_FAIR, GRADE_DAMAGED, GRADE__MAX };

enum disposition {
	DISPOSITION_RESTOCK,
	DISPOSITION_RESALE,
	DISPOSITION_REFURBISH,
	DISPOSITION_RECYCLE,
	DISPOSITION_RETURN_TO_CUSTOMER,
	DISPOSITION__MAX
};

enum return_status {
	RETURN_LABEL_ISSUED,
	RETURN_RECEIVED,
	RETURN_RESOLVED,
	RETURN_CANCELED,
	RETURN_EXPIRED,
	RETURN_NEEDS_REVIEW, /* inspected, held by a review rule until the merchant decides */
	RETURN__MAX
};

enum event_type {
	EVENT_CREATED,
	EVENT_RECEIVED,
	EVENT_INSPECTED,
	EVENT_RESOLVED,
	EVENT_CANCELED,
	EVENT_EXPIRED,
	EVENT_REFUND_PAID,      /* the shop paid (part of) the refund */
	EVENT_EXCHANGE_SHIPPED, /* the shop shipped the replacement */
	EVENT_NEEDS_REVIEW,     /* the last inspection tripped a review rule: held */
	EVENT_DECIDED,          /* the merchant decided a held return */
	EVENT__MAX
};

/* ROLE_MERCHANT: a merchant's owner; ROLE_MERCHANT_STAFF: its console staff (core/team.h). */
enum role { ROLE_WAREHOUSE, ROLE_MERCHANT, ROLE_ADMIN, ROLE_MERCHANT_STAFF, ROLE__MAX };

extern const char *const reason_names[REASON__MAX];
extern const char *const resolution_names[RESOLUTION__MAX];
extern const char *const grade_names[GRADE__MAX];
extern const char *const disposition_names[DISPOSITION__MAX];
extern const char *const return_status_names[RETURN__MAX];
extern const char *const event_type_names[EVENT__MAX];
extern const char *const role_names[ROLE__MAX];

/* Index of s in names[0..n), or -1. Exact, case-sensitive match; s may be NULL. */
int name_index(const char *const *names, size_t n, const char *s);
#define NAME_INDEX(table, s) name_index((table), sizeof(table) / sizeof((table)[0]), (s))

/* True when the reason is the customer's own choice (a restocking fee may apply). */
bool reason_is_customers(enum reason r);

/* True when a return may move from one status to another: the one transition table of the
 * lifecycle (core/lifecycle.h). from RETURN__MAX stands for a return not made yet, which is
 * born label_issued. */
bool return_status_can(enum return_status from, enum return_status to);

/* What a return's label is good for: printing before the scan (usable), a record once the
 * parcel arrived (used: still downloadable), nothing once canceled or expired (void: the parcel
 * must not travel, so the label is not served). */
enum label_state { LABEL_USABLE, LABEL_USED, LABEL_VOID, LABEL__MAX };
extern const char *const label_state_names[LABEL__MAX];
enum label_state return_label_state(enum return_status s);

/* True while the return is under way: its exchange units stay reserved. */
bool return_status_open(enum return_status s);

/* True when the return's units count as returned (everything but canceled and expired). */
bool return_status_counts(enum return_status s);

#endif
