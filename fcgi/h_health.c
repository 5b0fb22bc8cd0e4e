#include "fcgi/handlers.h"
#include "fcgi/shop.h"

static const char sql_ping[] = "SELECT 1";

/* GET /api/v1/health: 200 while the database answers, 503 otherwise. */
void h_health(struct req *r)
{
	struct db_rows rows;
	if (db_query(r->db, sql_ping, NULL, 0, &rows) != KAERU_OK) {
		respond_error(r, KAERU_EDB);
		return;
	}
	respond_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

/* GET /api/v1/metrics: this kaeru-fcgi's counters since it started (each process counts its
 * own: read each one, e.g. through a per-process address, and add them up). */
void h_metrics(struct req *r)
{
	struct shop_counters shop;
	shop_counters(&shop);
	respond_json(
	    r, 200,
	    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "transactions_retried",
	              (json_int_t)db_tx_retries(), "database_failovers", (json_int_t)db_failovers(),
	              "database_statements", (json_int_t)db_statements(), "shop_builds_full",
	              (json_int_t)shop.full, "shop_builds_full_microseconds",
	              (json_int_t)shop.full_us, "shop_builds_delta", (json_int_t)shop.delta,
	              "shop_builds_delta_microseconds", (json_int_t)shop.delta_us,
	              "shop_last_build_microseconds", (json_int_t)shop.last_us));
}
