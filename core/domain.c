#include "core/domain.h"

#include <string.h>

const char *const reason_names[REASON__MAX] = {
    [REASON_TOO_SMALL] = "too_small",
    [REASON_TOO_LARGE] = "too_large",
    [REASON_NOT_AS_DESCRIBED] = "not_as_described",
    [REASON_DAMAGED] = "damaged",
    [REASON_DEFECTIVE] = "defective",
    [REASON_WRONG_ITEM] = "wrong_item",
    [REASON_CHANGED_MIND] = "changed_mind",
    [REASON_ARRIVED_LATE] = "arrived_late",
    [REASON_OTHER] = "other",
};

const char *const resolution_names[RESOLUTION__MAX] = {
    [RESOLUTION_REFUND] = "refund",
    [RESOLUTION_STORE_CREDIT] = "store_credit",
    [RESOLUTION_EXCHANGE] = "exchange",
};

const char *const grade_names[GRADE__MAX] = {
    [GRADE_NEW] = "new",   [GRADE_LIKE_NEW] = "like_new", [GRADE_GOOD] = "good",
    [GRADE_FAIR] = "fair", [GRADE_DAMAGED] = "damaged",
};

const char *const disposition_names[DISPOSITION__MAX] = {
    [DISPOSITION_RESTOCK] = "restock",
    [DISPOSITION_RESALE] = "resale",
    [DISPOSITION_REFURBISH] = "refurbish",
    [DISPOSITION_RECYCLE] = "recycle",
    [DISPOSITION_RETURN_TO_CUSTOMER] = "return_to_customer",
};

const char *const return_status_names[RETURN__MAX] = {
    [RETURN_LABEL_ISSUED] = "label_issued", [RETURN_RECEIVED] = "received",
    [RETURN_RESOLVED] = "resolved",         [RETURN_CANCELED] = "canceled",
    [RETURN_EXPIRED] = "expired",           [RETURN_NEEDS_REVIEW] = "needs_review",
};

const char *const event_type_names[EVENT__MAX] = {
    [EVENT_CREATED] = "created",           [EVENT_RECEIVED] = "received",
    [EVENT_INSPECTED] = "inspected",       [EVENT_RESOLVED] = "resolved",
    [EVENT_CANCELED] = "canceled",         [EVENT_EXPIRED] = "expired",
    [EVENT_REFUND_PAID] = "refund_paid",   [EVENT_EXCHANGE_SHIPPED] = "exchange_shipped",
    [EVENT_NEEDS_REVIEW] = "needs_review", [EVENT_DECIDED] = "decided",
};

const char *const label_state_names[LABEL__MAX] = {
    [LABEL_USABLE] = "usable",
    [LABEL_USED] = "used",
    [LABEL_VOID] = "void",
};

const char *const role_names[ROLE__MAX] = {
    [ROLE_WAREHOUSE] = "warehouse",
    [ROLE_MERCHANT] = "merchant",
    [ROLE_ADMIN] = "admin",
    [ROLE_MERCHANT_STAFF] = "merchant_staff",
};

int name_index(const char *const *names, size_t n, const char *s)
{
	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

bool reason_is_customers(enum reason r)
{
	static const bool customers[REASON__MAX] = {
	    [REASON_TOO_SMALL] = true,
	    [REASON_TOO_LARGE] = true,
	    [REASON_CHANGED_MIND] = true,
	};
	return customers[r];
}

bool return_status_can(enum return_status from, enum return_status to)
{
	/* transitions[from] is the set of statuses reachable in one step; [RETURN__MAX] is the
	 * return being made. */
	static const unsigned transitions[RETURN__MAX + 1] = {
	    [RETURN__MAX] = 1u << RETURN_LABEL_ISSUED,
	    [RETURN_LABEL_ISSUED] =
	        1u << RETURN_RECEIVED | 1u << RETURN_CANCELED | 1u << RETURN_EXPIRED,
	    [RETURN_RECEIVED] = 1u << RETURN_RESOLVED | 1u << RETURN_NEEDS_REVIEW,
	    [RETURN_NEEDS_REVIEW] = 1u << RETURN_RESOLVED,
	    [RETURN_RESOLVED] = 0,
	    [RETURN_CANCELED] = 0,
	    [RETURN_EXPIRED] = 0,
	};
	return (transitions[from] >> to) & 1u;
}

enum label_state return_label_state(enum return_status s)
{
	static const enum label_state states[RETURN__MAX] = {
	    [RETURN_LABEL_ISSUED] = LABEL_USABLE, [RETURN_RECEIVED] = LABEL_USED,
	    [RETURN_RESOLVED] = LABEL_USED,       [RETURN_CANCELED] = LABEL_VOID,
	    [RETURN_EXPIRED] = LABEL_VOID,        [RETURN_NEEDS_REVIEW] = LABEL_USED,
	};
	return states[s];
}

bool return_status_open(enum return_status s)
{
	return s == RETURN_LABEL_ISSUED || s == RETURN_RECEIVED || s == RETURN_NEEDS_REVIEW;
}

bool return_status_counts(enum return_status s)
{
	return s != RETURN_CANCELED && s != RETURN_EXPIRED;
}
