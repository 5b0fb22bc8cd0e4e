/* The merchant's team in the console: its console users listed (every console user), invited
 * and removed (owners only: the route's right, core/team.h). An invited member gets a random
 * first password, answered once to the owner who invites, to hand over and be changed with
 * POST /api/v1/session/password. Each change is one transaction, serialised per merchant by
 * its row, with its event naming who made it. */
#include "db/events.h"
#include "db/team.h"
#include "fcgi/handlers.h"
#include "fcgi/session.h"
#include "validate/check.h"

#include <sodium.h>
#include <stdlib.h>

#define MEMBER_NAME_MAX 100

static json_t *render_member(const struct team_member *m)
{
	return json_pack("{s:I, s:s, s:s?, s:s, s:s, s:s?}", "id", (json_int_t)m->id, "email",
	                 m->email, "name", m->name, "role", role_names[m->role], "created_at",
	                 m->created_at, "last_sign_in_at", m->last_sign_in_at);
}

/* GET /api/v1/merchant/team */
void h_team_list(struct req *r)
{
	const struct user *u = &r->who.user;
	struct team_member *ms;
	size_t n;
	enum kaeru_err e = store_team_list(r->db, u->merchant_id, &ms, &n);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *j = render_member(&ms[i]);
		json_object_set_new(j, "you", json_boolean(ms[i].id == u->id));
		json_array_append_new(items, j);
	}
	respond_json(r, 200, json_pack("{s:o, s:i}", "items", items, "max", TEAM_MAX));
}

/* The event of a team change: who made it and the member it concerns. */
static enum kaeru_err team_event(struct db *db, const struct user *by, const char *type,
                                 const struct team_member *m)
{
	json_t *ev = json_pack("{s:s, s:I, s:o}", "by", by->email, "user_id", (json_int_t)by->id,
	                       "member", render_member(m));
	char *text = json_dumps(ev, JSON_COMPACT);
	json_decref(ev);
	if (!text)
		return KAERU_EINTERNAL;
	enum kaeru_err e = store_event_emit(db, by->merchant_id, type, NULL, 0, text);
	free(text);
	return e;
}

struct invite {
	const struct user *by;
	struct team_member member; /* email, name, role in; id, created_at out */
	const char *password_hash;
	enum team_refusal refusal; /* out */
};

/* Locks the merchant of `by` (its team's changes queue here, and on Galera the event's
 * counter row makes racing ones conflict) and counts its team: members, and owners but
 * except_id. */
static enum kaeru_err team_lock(struct db *db, const struct user *by, int64_t except_id,
                                int64_t *members, int64_t *other_owners)
{
	struct merchant m;
	enum kaeru_err e = store_merchant_lock(db, by->merchant_id, &m);
	return e != KAERU_OK ? e : store_team_count(db, m.id, except_id, members, other_owners);
}

static enum kaeru_err invite_tx(struct db *db, void *arg)
{
	struct invite *in = arg;
	int64_t members, owners;
	in->refusal = TEAM_OK;
	enum kaeru_err e = team_lock(db, in->by, 0, &members, &owners);
	if (e != KAERU_OK)
		return e;
	if ((in->refusal = team_invite_check(in->member.role, members)) != TEAM_OK)
		return KAERU_ECONFLICT;
	int64_t merchant_id = in->by->merchant_id;
	e = store_team_add(db, merchant_id, in->member.email, in->member.name, in->password_hash,
	                   in->member.role, &in->member.id);
	struct team_member stored;
	if (e == KAERU_OK &&
	    (e = store_team_member(db, merchant_id, in->member.id, &stored)) == KAERU_OK)
		in->member = stored;
	if (e == KAERU_OK)
		e = team_event(db, in->by, "merchant.team_member_added", &in->member);
	return e;
}

/* The roles a member may be invited as (core's), for the body's role field. */
static int read_team_role(struct checker *c, json_t *body)
{
	const char *names[ROLE__MAX];
	size_t n = 0;
	for (int i = 0; i < ROLE__MAX; i++)
		if (role_is_merchants((enum role)i))
			names[n++] = role_names[i];
	int k = check_enum(c, body, "role", REQUIRED, names, n);
	return k < 0 ? -1 : NAME_INDEX(role_names, names[k]);
}

/* POST /api/v1/merchant/team {email, name, role} → 201 {member, initial_password} */
void h_team_invite(struct req *r)
{
	const struct user *u = &r->who.user;
	struct checker c;
	check_init(&c, r->arena);
	const char *given = check_string(&c, r->json, "email", REQUIRED, 3, 254, NULL);
	const char *email = given ? email_key(r->arena, given) : NULL;
	if (email && !email_plausible(email))
		check_fail(&c, "email", "must be an e-mail address");
	const char *name = check_string(&c, r->json, "name", REQUIRED, 1, MEMBER_NAME_MAX, NULL);
	if (name && !*(name = trim_copy(r->arena, name)))
		check_fail(&c, "name", "must not be blank");
	int role = read_team_role(&c, r->json);
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);

	char password[INITIAL_PASSWORD_LEN + 1], hash[PASSWORD_HASH_MAX];
	initial_password_new(password);
	if (!password_make(hash, password)) {
		sodium_memzero(password, sizeof(password));
		respond_error(r, KAERU_EINTERNAL);
		return;
	}
	struct invite in = {
	    .by = u,
	    .member = {.email = email, .name = name, .role = (enum role)role},
	    .password_hash = hash,
	};
	enum kaeru_err e = db_tx_run(r->db, invite_tx, &in);
	if (e == KAERU_ECONFLICT && in.refusal == TEAM_FULL) {
		respond_problem(r, 409, "The team is full",
		                arena_printf(r->arena,
		                             "A team has at most %d members; remove one first.",
		                             TEAM_MAX),
		                NULL);
	} else if (e == KAERU_ECONFLICT) {
		respond_problem(r, 409, "E-mail already in use",
		                "Another login has this e-mail address.",
		                json_pack("[{s:s, s:s}]", "field", "email", "message",
		                          "is already the e-mail of a login"));
	} else if (e != KAERU_OK) {
		respond_error(r, e);
	} else {
		json_t *j = json_pack("{s:o, s:s}", "member", render_member(&in.member),
		                      "initial_password", password);
		respond_json_with(r, 201, j,
		                  arena_printf(r->arena,
		                               "Cache-Control: no-store\r\n"
		                               "Location: /api/v1/merchant/team/%lld\r\n",
		                               (long long)in.member.id));
	}
	sodium_memzero(password, sizeof(password));
}

struct removal {
	const struct user *by;
	int64_t id;
	struct team_member member; /* out */
	enum team_refusal refusal; /* out */
};

static enum kaeru_err remove_tx(struct db *db, void *arg)
{
	struct removal *rm = arg;
	int64_t members, other_owners;
	rm->refusal = TEAM_OK;
	enum kaeru_err e = team_lock(db, rm->by, rm->id, &members, &other_owners);
	if (e == KAERU_OK)
		e = store_team_member(db, rm->by->merchant_id, rm->id, &rm->member);
	if (e != KAERU_OK)
		return e;
	rm->refusal = team_remove_check(rm->by->id, rm->member.id, rm->member.role, other_owners);
	if (rm->refusal != TEAM_OK)
		return KAERU_ECONFLICT;
	e = store_team_remove(db, rm->by->merchant_id, rm->id);
	if (e == KAERU_OK)
		e = team_event(db, rm->by, "merchant.team_member_removed", &rm->member);
	return e;
}

/* DELETE /api/v1/merchant/team/{id}: the member can no longer sign in, and every session of
 * theirs ends at once. */
void h_team_remove(struct req *r)
{
	struct removal rm = {.by = &r->who.user, .id = segment_id(r->params[0])};
	enum kaeru_err e = rm.id ? db_tx_run(r->db, remove_tx, &rm) : KAERU_ENOTFOUND;
	if (e == KAERU_ECONFLICT && rm.refusal == TEAM_SELF)
		respond_problem(r, 409, "You cannot remove yourself",
		                "Another owner of the shop can remove you.", NULL);
	else if (e == KAERU_ECONFLICT && rm.refusal == TEAM_LAST_OWNER)
		respond_problem(r, 409, "The last owner stays",
		                "A shop keeps at least one owner; invite another owner first.",
		                NULL);
	else if (e != KAERU_OK)
		respond_error(r, e);
	else
		respond(r, 204, "application/json", "", NULL, 0);
}
