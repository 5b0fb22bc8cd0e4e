/* A merchant's team (db/team.c): its console users, owners and staff, as the console lists,
 * invites and removes them; a staff user's own password. Strings live in db->arena. Changing
 * functions run in the caller's transaction; lock the merchant first (store_merchant_lock), so
 * that a team's changes are serialised and the counts they check hold until COMMIT. */
#ifndef KAERU_DB_TEAM_H
#define KAERU_DB_TEAM_H

#include "core/team.h"
#include "db/db.h"

#include <stddef.h>
#include <stdint.h>

struct team_member {
	int64_t id;
	const char *email, *name; /* name NULL when none was given */
	enum role role;
	const char *created_at;      /* RFC 3339 */
	const char *last_sign_in_at; /* RFC 3339, or NULL when never (or not since migration 015) */
};

/* The merchant's members not removed, oldest first: at most TEAM_MAX (core/team.h). */
enum kaeru_err store_team_list(struct db *db, int64_t merchant_id, struct team_member **out,
                               size_t *n);
/* How many members the merchant has, and how many owners other than except_id (0: all). */
enum kaeru_err store_team_count(struct db *db, int64_t merchant_id, int64_t except_id,
                                int64_t *members, int64_t *other_owners);
/* Adds a member with its password's hash; *id is its user id. ECONFLICT when a user (of any
 * merchant, or warehouse or admin staff) not removed already has email (as email_key makes it). */
enum kaeru_err store_team_add(struct db *db, int64_t merchant_id, const char *email,
                              const char *name, const char *password_hash, enum role role,
                              int64_t *id);
/* The merchant's member id, not removed; ENOTFOUND when it is not one of the merchant's. */
enum kaeru_err store_team_member(struct db *db, int64_t merchant_id, int64_t id,
                                 struct team_member *m);
/* Marks the merchant's member id removed and ends all of its sessions at once. */
enum kaeru_err store_team_remove(struct db *db, int64_t merchant_id, int64_t id);

/* Sets user_id's password hash to new_hash when it is still old_hash (ECONFLICT when it
 * changed meanwhile) and ends the user's other sessions: all but keep_session (a token hash;
 * NULL ends them all). */
enum kaeru_err store_password_change(struct db *db, int64_t user_id, const char *old_hash,
                                     const char *new_hash, const char *keep_session);

#endif
