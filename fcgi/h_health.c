#include "fcgi/handlers.h"

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
