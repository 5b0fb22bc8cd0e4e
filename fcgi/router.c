/* The routing table: one row per endpoint, with the credential it takes. '*' matches one
 * non-empty path segment. */
#include "fcgi/auth.h"
#include "fcgi/handlers.h"
#include "fcgi/session.h"

#include <stdio.h>
#include <string.h>

enum route {
	ROUTE_HEALTH,
	ROUTE_ORDER_PUT,
	ROUTE_INVENTORY_PUT,
	ROUTE_PORTAL_GET,
	ROUTE_LOOKUP,
	ROUTE_RETURN_CREATE,
	ROUTE_RETURN_GET,
	ROUTE_RETURN_LABEL,
	ROUTE_RETURN_CANCEL,
	ROUTE_SESSION_CREATE,
	ROUTE_SESSION_GET,
	ROUTE_SESSION_DELETE,
	ROUTE_SCAN,
	ROUTE_INSPECT,
	ROUTE_MERCHANT_LISTINGS,
	ROUTE_LISTINGS_BULK_APPROVE,
	ROUTE_MERCHANT_LISTING,
	ROUTE_LISTING_APPROVE,
	ROUTE_LISTING_REJECT,
	ROUTE_MERCHANT_RETURNS,
	ROUTE_MERCHANT_SUMMARY,
	ROUTE_LISTING_SOLD,
	ROUTE_SHOP_LISTINGS,
	ROUTE_SHOP_FEED,
	ROUTE_EVENTS,
	ROUTE_WEBHOOK_GET,
	ROUTE_WEBHOOK_PUT,
	ROUTE_WEBHOOK_DELETE,
	ROUTE_WEBHOOK_DELIVERIES,
	ROUTE_WEBHOOK_RETRY,
	ROUTE_SHOP_RETURNS_CHANGED,
	ROUTE_SHOP_RETURN_GET,
	ROUTE_REFUND_PAID,
	ROUTE_EXCHANGE_SHIPPED,
	ROUTE_RETURN_LINK,
	ROUTE_RETURN_QR,
	ROUTE_METRICS,
	ROUTE_MERCHANT_POLICY_GET,
	ROUTE_MERCHANT_POLICY_PUT,
	ROUTE_MERCHANT_DECISION,
	ROUTE_MERCHANT_RETURNS_CSV,
	ROUTE_MERCHANT_LEDGER_CSV,
	ROUTE_MERCHANT_ANALYTICS,
	ROUTE_SHOP_ANALYTICS,
	ROUTE_CONSOLE_WEBHOOK_GET,
	ROUTE_CONSOLE_WEBHOOK_PUT,
	ROUTE_CONSOLE_WEBHOOK_DELETE,
	ROUTE_CONSOLE_WEBHOOK_DELIVERIES,
	ROUTE_CONSOLE_WEBHOOK_RETRY,
	ROUTE_ITEM_PHOTO_ADD,
	ROUTE_RETURN_PHOTO_ADD,
	ROUTE_MEDIA,
	ROUTE_ITEM_PAGE,
	ROUTE_SHOP_PAGE,
	ROUTE_LISTING_PATCH,
	ROUTE_LISTING_WITHDRAW,
	ROUTE_LISTING_RESTORE,
	ROUTE_LISTING_HOLD,
	ROUTE_LISTING_RELEASE,
	ROUTE_TEAM_LIST,
	ROUTE_TEAM_INVITE,
	ROUTE_TEAM_REMOVE,
	ROUTE_PASSWORD_CHANGE,
	ROUTE__MAX
};

static const struct route_def {
	enum method method;
	const char *pattern;
	enum credential cred;
	enum right right; /* CRED_STAFF(_WHOLE): what the login must be allowed (core/team.h) */
	handler_fn handler;
} routes[ROUTE__MAX] = {
    [ROUTE_HEALTH] = {METHOD_GET, "/api/v1/health", CRED_NONE, 0, h_health},
    [ROUTE_METRICS] = {METHOD_GET, "/api/v1/metrics", CRED_NONE, 0, h_metrics},
    [ROUTE_ORDER_PUT] = {METHOD_PUT, "/api/v1/merchants/*/orders/*", CRED_MERCHANT_KEY, 0,
                         h_order_put},
    [ROUTE_INVENTORY_PUT] = {METHOD_PUT, "/api/v1/merchants/*/inventory", CRED_MERCHANT_KEY, 0,
                             h_inventory_put},
    [ROUTE_PORTAL_GET] = {METHOD_GET, "/api/v1/portal/*", CRED_NONE, 0, h_portal_get},
    [ROUTE_LOOKUP] = {METHOD_POST, "/api/v1/lookup", CRED_NONE, 0, h_lookup},
    [ROUTE_RETURN_CREATE] = {METHOD_POST, "/api/v1/returns", CRED_ORDER_TOKEN, 0, h_return_create},
    [ROUTE_RETURN_GET] = {METHOD_GET, "/api/v1/returns/*", CRED_RETURN_READ, 0, h_return_get},
    [ROUTE_RETURN_LABEL] = {METHOD_GET, "/api/v1/returns/*/label.pdf", CRED_RETURN_READ, 0,
                            h_return_label},
    [ROUTE_RETURN_CANCEL] = {METHOD_POST, "/api/v1/returns/*/cancel", CRED_ORDER_TOKEN, 0,
                             h_return_cancel},
    [ROUTE_SESSION_CREATE] = {METHOD_POST, "/api/v1/session", CRED_NONE, 0, h_session_create},
    [ROUTE_SESSION_GET] = {METHOD_GET, "/api/v1/session", CRED_STAFF, RIGHT_SIGNED_IN,
                           h_session_get},
    /* Logging out needs no live session: it ends whichever the request carries. */
    [ROUTE_SESSION_DELETE] = {METHOD_DELETE, "/api/v1/session", CRED_NONE, 0, h_session_delete},
    [ROUTE_SCAN] = {METHOD_POST, "/api/v1/scan", CRED_STAFF_WHOLE, RIGHT_WAREHOUSE, h_scan},
    [ROUTE_INSPECT] = {METHOD_POST, "/api/v1/returns/*/items/*/inspection", CRED_STAFF_WHOLE,
                       RIGHT_WAREHOUSE, h_inspect},
    [ROUTE_MERCHANT_LISTINGS] = {METHOD_GET, "/api/v1/merchant/listings", CRED_STAFF, RIGHT_CONSOLE,
                                 h_merchant_listings},
    [ROUTE_LISTINGS_BULK_APPROVE] = {METHOD_POST, "/api/v1/merchant/listings/approve", CRED_STAFF,
                                     RIGHT_CONSOLE, h_listings_bulk_approve},
    [ROUTE_MERCHANT_LISTING] = {METHOD_GET, "/api/v1/merchant/listings/*", CRED_STAFF,
                                RIGHT_CONSOLE, h_merchant_listing_get},
    [ROUTE_LISTING_APPROVE] = {METHOD_POST, "/api/v1/merchant/listings/*/approve", CRED_STAFF,
                               RIGHT_CONSOLE, h_listing_approve},
    [ROUTE_LISTING_REJECT] = {METHOD_POST, "/api/v1/merchant/listings/*/reject", CRED_STAFF,
                              RIGHT_CONSOLE, h_listing_reject},
    [ROUTE_MERCHANT_RETURNS] = {METHOD_GET, "/api/v1/merchant/returns", CRED_STAFF, RIGHT_CONSOLE,
                                h_merchant_returns},
    [ROUTE_MERCHANT_SUMMARY] = {METHOD_GET, "/api/v1/merchant/summary", CRED_STAFF, RIGHT_CONSOLE,
                                h_merchant_summary},
    [ROUTE_LISTING_SOLD] = {METHOD_POST, "/api/v1/merchants/*/listings/*/sold", CRED_MERCHANT_KEY,
                            0, h_listing_sold},
    [ROUTE_SHOP_LISTINGS] = {METHOD_GET, "/api/v1/shop/*/listings", CRED_NONE, 0, h_shop_listings},
    [ROUTE_SHOP_FEED] = {METHOD_GET, "/api/v1/shop/*/feed.csv", CRED_NONE, 0, h_shop_feed},
    [ROUTE_EVENTS] = {METHOD_GET, "/api/v1/merchants/*/events", CRED_MERCHANT_KEY, 0, h_events},
    [ROUTE_WEBHOOK_GET] = {METHOD_GET, "/api/v1/merchants/*/webhook", CRED_MERCHANT_KEY, 0,
                           h_webhook_get},
    [ROUTE_WEBHOOK_PUT] = {METHOD_PUT, "/api/v1/merchants/*/webhook", CRED_MERCHANT_KEY, 0,
                           h_webhook_put},
    [ROUTE_WEBHOOK_DELETE] = {METHOD_DELETE, "/api/v1/merchants/*/webhook", CRED_MERCHANT_KEY, 0,
                              h_webhook_delete},
    [ROUTE_WEBHOOK_DELIVERIES] = {METHOD_GET, "/api/v1/merchants/*/webhook/deliveries",
                                  CRED_MERCHANT_KEY, 0, h_webhook_deliveries},
    [ROUTE_WEBHOOK_RETRY] = {METHOD_POST, "/api/v1/merchants/*/webhook/deliveries/*/retry",
                             CRED_MERCHANT_KEY, 0, h_webhook_retry},
    [ROUTE_SHOP_RETURNS_CHANGED] = {METHOD_GET, "/api/v1/merchants/*/returns", CRED_MERCHANT_KEY, 0,
                                    h_merchant_returns_changed},
    [ROUTE_SHOP_RETURN_GET] = {METHOD_GET, "/api/v1/merchants/*/returns/*", CRED_MERCHANT_KEY, 0,
                               h_merchant_return_get},
    [ROUTE_REFUND_PAID] = {METHOD_POST, "/api/v1/merchants/*/returns/*/refund-paid",
                           CRED_MERCHANT_KEY, 0, h_refund_paid},
    [ROUTE_EXCHANGE_SHIPPED] = {METHOD_POST, "/api/v1/merchants/*/returns/*/exchange-shipped",
                                CRED_MERCHANT_KEY, 0, h_exchange_shipped},
    [ROUTE_RETURN_LINK] = {METHOD_GET, "/api/v1/merchants/*/orders/*/return-link",
                           CRED_MERCHANT_KEY, 0, h_return_link},
    [ROUTE_RETURN_QR] = {METHOD_GET, "/api/v1/returns/*/qr.svg", CRED_RETURN_READ, 0, h_return_qr},
    /* the merchant console's policy, review holds and exports (issue 13) */
    [ROUTE_MERCHANT_POLICY_GET] = {METHOD_GET, "/api/v1/merchant/policy", CRED_STAFF, RIGHT_CONSOLE,
                                   h_merchant_policy_get},
    [ROUTE_MERCHANT_POLICY_PUT] = {METHOD_PUT, "/api/v1/merchant/policy", CRED_STAFF,
                                   RIGHT_SETTINGS, h_merchant_policy_put},
    [ROUTE_MERCHANT_DECISION] = {METHOD_POST, "/api/v1/merchant/returns/*/decision",
                                 CRED_STAFF_WHOLE, RIGHT_CONSOLE, h_merchant_decision},
    [ROUTE_MERCHANT_RETURNS_CSV] = {METHOD_GET, "/api/v1/merchant/returns.csv", CRED_STAFF,
                                    RIGHT_CONSOLE, h_merchant_returns_csv},
    [ROUTE_MERCHANT_LEDGER_CSV] = {METHOD_GET, "/api/v1/merchant/ledger.csv", CRED_STAFF,
                                   RIGHT_CONSOLE, h_merchant_ledger_csv},
    [ROUTE_MERCHANT_ANALYTICS] = {METHOD_GET, "/api/v1/merchant/analytics", CRED_STAFF,
                                  RIGHT_CONSOLE, h_merchant_analytics},
    [ROUTE_SHOP_ANALYTICS] = {METHOD_GET, "/api/v1/merchants/*/analytics", CRED_MERCHANT_KEY, 0,
                              h_shop_analytics},
    /* the webhook from the console: session twins of the merchant-key routes */
    [ROUTE_CONSOLE_WEBHOOK_GET] = {METHOD_GET, "/api/v1/merchant/webhook", CRED_STAFF,
                                   RIGHT_SETTINGS, h_console_webhook_get},
    [ROUTE_CONSOLE_WEBHOOK_PUT] = {METHOD_PUT, "/api/v1/merchant/webhook", CRED_STAFF,
                                   RIGHT_SETTINGS, h_console_webhook_put},
    [ROUTE_CONSOLE_WEBHOOK_DELETE] = {METHOD_DELETE, "/api/v1/merchant/webhook", CRED_STAFF,
                                      RIGHT_SETTINGS, h_console_webhook_delete},
    [ROUTE_CONSOLE_WEBHOOK_DELIVERIES] = {METHOD_GET, "/api/v1/merchant/webhook/deliveries",
                                          CRED_STAFF, RIGHT_SETTINGS, h_console_webhook_deliveries},
    [ROUTE_CONSOLE_WEBHOOK_RETRY] = {METHOD_POST, "/api/v1/merchant/webhook/deliveries/*/retry",
                                     CRED_STAFF, RIGHT_SETTINGS, h_console_webhook_retry},
    [ROUTE_ITEM_PHOTO_ADD] = {METHOD_POST, "/api/v1/returns/*/items/*/photos", CRED_STAFF_WHOLE,
                              RIGHT_WAREHOUSE, h_item_photo_add},
    [ROUTE_RETURN_PHOTO_ADD] = {METHOD_POST, "/api/v1/returns/*/photos", CRED_ORDER_TOKEN, 0,
                                h_return_photo_add},
    [ROUTE_MEDIA] = {METHOD_GET, "/media/*", CRED_NONE, 0, h_media_get},
    [ROUTE_ITEM_PAGE] = {METHOD_GET, "/shop/*/items/*", CRED_NONE, 0, h_item_page},
    [ROUTE_SHOP_PAGE] = {METHOD_GET, "/shop/*/", CRED_NONE, 0, h_shop_page},
    [ROUTE_LISTING_PATCH] = {METHOD_PATCH, "/api/v1/merchant/listings/*", CRED_STAFF, RIGHT_CONSOLE,
                             h_listing_patch},
    [ROUTE_LISTING_WITHDRAW] = {METHOD_POST, "/api/v1/merchant/listings/*/withdraw", CRED_STAFF,
                                RIGHT_CONSOLE, h_listing_withdraw},
    [ROUTE_LISTING_RESTORE] = {METHOD_POST, "/api/v1/merchant/listings/*/restore", CRED_STAFF,
                               RIGHT_CONSOLE, h_listing_restore},
    [ROUTE_LISTING_HOLD] = {METHOD_POST, "/api/v1/merchants/*/listings/*/hold", CRED_MERCHANT_KEY,
                            0, h_listing_hold},
    [ROUTE_LISTING_RELEASE] = {METHOD_DELETE, "/api/v1/merchants/*/listings/*/hold",
                               CRED_MERCHANT_KEY, 0, h_listing_release},
    /* the merchant's team: every console user reads it, owners change it (core/team.h) */
    [ROUTE_TEAM_LIST] = {METHOD_GET, "/api/v1/merchant/team", CRED_STAFF, RIGHT_CONSOLE,
                         h_team_list},
    [ROUTE_TEAM_INVITE] = {METHOD_POST, "/api/v1/merchant/team", CRED_STAFF, RIGHT_SETTINGS,
                           h_team_invite},
    [ROUTE_TEAM_REMOVE] = {METHOD_DELETE, "/api/v1/merchant/team/*", CRED_STAFF, RIGHT_SETTINGS,
                           h_team_remove},
    [ROUTE_PASSWORD_CHANGE] = {METHOD_POST, "/api/v1/session/password", CRED_STAFF, RIGHT_SIGNED_IN,
                               h_password_change},
};

/* Matches path against pattern; on success the '*' segments point into the arena. */
static bool match(struct arena *a, const char *pattern, const char *path, const char **params)
{
	size_t np = 0;
	while (*pattern && *path) {
		if (*pattern == '*') {
			const char *end = strchr(path, '/');
			size_t len = end ? (size_t)(end - path) : strlen(path);
			if (len == 0 || np == PATH_PARAMS_MAX)
				return false;
			params[np++] = arena_strndup(a, path, len);
			path += len;
			pattern++;
		} else if (*pattern++ != *path++) {
			return false;
		}
	}
	return *pattern == '\0' && *path == '\0';
}

int route_find(struct arena *a, enum method m, const char *path,
               const char *params[PATH_PARAMS_MAX], char *allow, size_t allow_size)
{
	if (m == METHOD_HEAD)
		m = METHOD_GET;
	if (allow_size)
		allow[0] = '\0';
	for (int i = 0; i < ROUTE__MAX; i++) {
		const char *found[PATH_PARAMS_MAX] = {0};
		if (!match(a, routes[i].pattern, path, found))
			continue;
		if (routes[i].method == m) {
			memcpy(params, found, sizeof(found));
			if (allow_size)
				allow[0] =
				    '\0'; /* found: a row before it with another method is moot */
			return i;
		}
		size_t used = strlen(allow);
		snprintf(allow + used, allow_size - used, "%s%s", used ? ", " : "",
		         method_names[routes[i].method]);
	}
	return -1;
}

void route_dispatch(struct req *r)
{
	char allow[64];
	int i = route_find(r->arena, r->method, r->path, r->params, allow, sizeof(allow));
	if (i >= 0) {
		if (auth_check(r, routes[i].cred, routes[i].right))
			routes[i].handler(r);
		if (!r->answered)
			respond_problem(r, 500, "Internal error", "No answer.", NULL);
		return;
	}
	if (*allow) {
		char headers[96];
		snprintf(headers, sizeof(headers), "Allow: %s\r\n", allow);
		char detail[96];
		snprintf(detail, sizeof(detail), "This resource answers %s.", allow);
		respond_problem_with(r, 405, "Method not allowed", detail, NULL, headers);
		return;
	}
	respond_problem(r, 404, "Not found", "No such endpoint.", NULL);
}
