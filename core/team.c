/* Who may do what (the table of roles and rights) and the rules of a merchant's team. */
#include "core/team.h"

bool role_may(enum role role, enum right right)
{
#define R(role) (1u << (role))
	static const unsigned holders[RIGHT__MAX] = {
	    [RIGHT_SIGNED_IN] =
	        R(ROLE_WAREHOUSE) | R(ROLE_MERCHANT) | R(ROLE_ADMIN) | R(ROLE_MERCHANT_STAFF),
	    [RIGHT_WAREHOUSE] = R(ROLE_WAREHOUSE) | R(ROLE_ADMIN),
	    [RIGHT_CONSOLE] = R(ROLE_MERCHANT) | R(ROLE_MERCHANT_STAFF),
	    [RIGHT_SETTINGS] = R(ROLE_MERCHANT),
	};
#undef R
	if ((unsigned)role >= ROLE__MAX || (unsigned)right >= RIGHT__MAX)
		return false;
	return (holders[right] >> role) & 1u;
}

bool role_is_merchants(enum role role)
{
	return role == ROLE_MERCHANT || role == ROLE_MERCHANT_STAFF;
}

enum team_refusal team_invite_check(enum role role, int64_t members)
{
	if (!role_is_merchants(role))
		return TEAM_NOT_A_TEAM_ROLE;
	if (members >= TEAM_MAX)
		return TEAM_FULL;
	return TEAM_OK;
}

enum team_refusal team_remove_check(int64_t actor_id, int64_t target_id, enum role target_role,
                                    int64_t other_owners)
{
	if (actor_id == target_id)
		return TEAM_SELF;
	if (target_role == ROLE_MERCHANT && other_owners < 1)
		return TEAM_LAST_OWNER;
	return TEAM_OK;
}
