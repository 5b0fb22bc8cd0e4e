/* Who may do what, and the rules of a merchant's team. Pure: no I/O, no allocation.
 *
 * Each staff route names the right it needs (the routing table, fcgi/router.c); role_may is the
 * one table of which role holds which right. A merchant has one or more owners (ROLE_MERCHANT)
 * and any number of staff (ROLE_MERCHANT_STAFF): both work in the console, only owners change
 * the merchant's settings — its return policy, its webhook and its team. */
#ifndef KAERU_CORE_TEAM_H
#define KAERU_CORE_TEAM_H

#include "core/domain.h"

#include <stdbool.h>
#include <stdint.h>

enum right {
	RIGHT_SIGNED_IN, /* any staff login: its own session and password */
	RIGHT_WAREHOUSE, /* receive, photograph and grade parcels */
	RIGHT_CONSOLE,   /* the console's daily work: returns, listings, review decisions,
	                  * analytics, exports, search; reading the policy and the team */
	RIGHT_SETTINGS,  /* change the merchant's policy, webhook and team */
	RIGHT__MAX
};

/* Whether a login of role holds right. */
bool role_may(enum role role, enum right right);

/* True for the roles of a merchant's console users (owner and staff): they belong to one
 * merchant and see only its data. */
bool role_is_merchants(enum role role);

/* The most members (owners and staff, not removed) a merchant's team holds: the team list is
 * one bounded page. */
#define TEAM_MAX 100

enum team_refusal {
	TEAM_OK,
	TEAM_NOT_A_TEAM_ROLE, /* invited as something else than merchant or merchant_staff */
	TEAM_FULL,            /* TEAM_MAX members already */
	TEAM_SELF,            /* an owner removing themself */
	TEAM_LAST_OWNER,      /* removing the only owner left */
	TEAM__MAX
};

/* Whether a member of role may join a team of `members` members. */
enum team_refusal team_invite_check(enum role role, int64_t members);

/* Whether owner actor_id may remove member target_id (of role target_role) while other_owners
 * owners other than the target remain (counted in the transaction that removes). */
enum team_refusal team_remove_check(int64_t actor_id, int64_t target_id, enum role target_role,
                                    int64_t other_owners);

#endif
