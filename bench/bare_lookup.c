/* bench/bare_lookup.c — kaeru-bench-lookup: the database-bound ceiling of an order lookup, for
 * ./kaeru bench --scale (issue 16). The least any lookup can do: N threads (like kaeru-fcgi's
 * workers) accept on one socket, each with its own MariaDB connection and one prepared
 * statement; a request's JSON body {merchant, order_number, email} is parsed with jansson, the
 * statement joins merchant, order and lines by their unique keys (merchants.slug,
 * orders (merchant_id, order_number), order_lines (order_id, line_id)), the e-mail is compared,
 * and the lines are rendered with jansson. No throttle, no policy, no token, no returns of the
 * lines: what kaeru-fcgi's lookup does beyond this is its own cost.
 *
 *   kaeru-bench-lookup SOCKET [WORKERS]
 *
 * The database comes from the environment, as kaeru-fcgi reads it: KAERU_DB_SOCKET,
 * KAERU_DB_USER, KAERU_DB_PASSWORD, KAERU_DB_NAME. SIGTERM/SIGINT: stop accepting and exit. */
#include "bench/bare_serve.h"

#include <ctype.h>
#include <jansson.h>
#include <mysql.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BODY_MAX 4096
#define TEXT_MAX 1024 /* the widest column read: VARCHAR(255) of utf8mb4 */

/* One row per line; the order's columns repeat on each. Unsorted, as kaeru-fcgi reads them. */
static const char sql_lookup[] =
    "SELECT o.email_key, o.currency, DATE_FORMAT(o.delivered_at, '%Y-%m-%dT%H:%i:%sZ'),"
    " l.line_id, l.sku, l.name, l.variant, l.quantity, l.returned_quantity, l.unit_price,"
    " l.final_sale FROM merchants m"
    " JOIN orders o ON o.merchant_id = m.id AND o.order_number = ?"
    " JOIN order_lines l ON l.order_id = o.id WHERE m.slug = ?";

enum { C_EMAIL, C_CURRENCY, C_DELIVERED, C_LINE, C_SKU, C_NAME, C_VARIANT, C_TEXT_END };
enum { C_QUANTITY = C_TEXT_END, C_RETURNED, C_PRICE, C_FINAL, C__MAX };

struct conn {
	MYSQL *db;
	MYSQL_STMT *stmt;
	char text[C_TEXT_END][TEXT_MAX];
	unsigned long len[C__MAX];
	my_bool null[C__MAX];
	long long num[C__MAX - C_TEXT_END];
	MYSQL_BIND out[C__MAX];
};

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static bool conn_open(struct conn *c)
{
	c->db = mysql_init(NULL);
	if (!c->db)
		return false;
	mysql_optionsv(c->db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_optionsv(c->db, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
	if (!mysql_real_connect(c->db, NULL, env("KAERU_DB_USER"), env("KAERU_DB_PASSWORD"),
	                        env("KAERU_DB_NAME"), 0, env("KAERU_DB_SOCKET"), 0)) {
		fprintf(stderr, "kaeru-bench-lookup: %s\n", mysql_error(c->db));
		return false;
	}
	c->stmt = mysql_stmt_init(c->db);
	if (!c->stmt || mysql_stmt_prepare(c->stmt, sql_lookup, sizeof(sql_lookup) - 1) != 0) {
		fprintf(stderr, "kaeru-bench-lookup: %s\n", mysql_error(c->db));
		return false;
	}
	memset(c->out, 0, sizeof(c->out));
	for (int i = 0; i < C__MAX; i++) {
		c->out[i].length = &c->len[i];
		c->out[i].is_null = &c->null[i];
		if (i < C_TEXT_END) {
			c->out[i].buffer_type = MYSQL_TYPE_STRING;
			c->out[i].buffer = c->text[i];
			c->out[i].buffer_length = TEXT_MAX - 1;
		} else {
			c->out[i].buffer_type = MYSQL_TYPE_LONGLONG;
			c->out[i].buffer = &c->num[i - C_TEXT_END];
		}
	}
	return mysql_stmt_bind_result(c->stmt, c->out) == 0;
}

/* Column i of the fetched row as a NUL-terminated string ("" when NULL). */
static const char *text_of(struct conn *c, int i)
{
	size_t n = c->null[i] ? 0 : c->len[i] < TEXT_MAX ? c->len[i] : TEXT_MAX - 1;
	c->text[i][n] = '\0';
	return c->text[i];
}

static void respond(FCGX_Request *req, const char *status, json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	FCGX_FPrintF(
	    req->out,
	    "Status: %s\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n\r\n"
	    "%s",
	    status, text ? text : "{}");
	free(text);
	json_decref(body);
}

/* The body, at most BODY_MAX bytes, NUL-terminated in buf; its length or -1. */
static int read_body(FCGX_Request *req, char *buf)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", req->envp);
	long n = cl ? strtol(cl, NULL, 10) : 0;
	if (n <= 0 || n > BODY_MAX)
		return -1;
	int got = FCGX_GetStr(buf, (int)n, req->in);
	if (got != n)
		return -1;
	buf[got] = '\0';
	return got;
}

static bool same_email(const char *given, const char *key)
{
	while (isspace((unsigned char)*given))
		given++;
	size_t n = strlen(given);
	while (n && isspace((unsigned char)given[n - 1]))
		n--;
	if (n != strlen(key))
		return false;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)given[i]) != (unsigned char)key[i])
			return false;
	return true;
}

static void lookup(struct conn *c, FCGX_Request *req)
{
	char buf[BODY_MAX + 1];
	int len = read_body(req, buf);
	json_t *in = len > 0 ? json_loadb(buf, (size_t)len, JSON_REJECT_DUPLICATES, NULL) : NULL;
	const char *slug = json_string_value(json_object_get(in, "merchant"));
	const char *number = json_string_value(json_object_get(in, "order_number"));
	const char *email = json_string_value(json_object_get(in, "email"));
	if (!slug || !number || !email) {
		json_decref(in);
		respond(req, "400 Bad Request", json_pack("{s:s}", "title", "Invalid request"));
		return;
	}
	MYSQL_BIND args[2];
	memset(args, 0, sizeof(args));
	args[0].buffer_type = MYSQL_TYPE_STRING;
	args[0].buffer = (void *)number;
	args[0].buffer_length = strlen(number);
	args[1].buffer_type = MYSQL_TYPE_STRING;
	args[1].buffer = (void *)slug;
	args[1].buffer_length = strlen(slug);
	if (mysql_stmt_bind_param(c->stmt, args) != 0 || mysql_stmt_execute(c->stmt) != 0) {
		fprintf(stderr, "kaeru-bench-lookup: %s\n", mysql_stmt_error(c->stmt));
		json_decref(in);
		respond(req, "503 Service Unavailable", NULL);
		return;
	}
	json_t *lines = json_array(), *order = NULL;
	bool found = false;
	int rc;
	while ((rc = mysql_stmt_fetch(c->stmt)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
		if (!order) {
			found = same_email(email, text_of(c, C_EMAIL));
			order = json_pack("{s:s, s:s, s:s}", "order_number", number, "currency",
			                  text_of(c, C_CURRENCY), "delivered_at",
			                  text_of(c, C_DELIVERED));
		}
		long long qty = c->num[C_QUANTITY - C_TEXT_END];
		long long returned = c->num[C_RETURNED - C_TEXT_END];
		bool final = c->num[C_FINAL - C_TEXT_END] != 0;
		json_array_append_new(
		    lines, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:b}", "line_id",
		                     text_of(c, C_LINE), "sku", text_of(c, C_SKU), "name",
		                     text_of(c, C_NAME), "variant", text_of(c, C_VARIANT),
		                     "quantity", (json_int_t)qty, "returnable_quantity",
		                     (json_int_t)(final ? 0 : qty - returned), "unit_price",
		                     (json_int_t)c->num[C_PRICE - C_TEXT_END], "eligible",
		                     !final && qty > returned));
	}
	mysql_stmt_free_result(c->stmt);
	json_decref(in);
	if (!found) {
		json_decref(lines);
		json_decref(order);
		respond(req, "404 Not Found", json_pack("{s:s}", "title", "Order not found"));
		return;
	}
	json_object_set_new(order, "lines", lines);
	respond(req, "200 OK", json_pack("{s:o}", "order", order));
}

static void *conn_setup(void)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c || !conn_open(c))
		exit(1); /* a responder without its database measures nothing */
	return c;
}

static void conn_answer(void *state, FCGX_Request *req)
{
	lookup(state, req);
}

static void conn_close(void *state)
{
	struct conn *c = state;
	mysql_stmt_close(c->stmt);
	mysql_close(c->db);
	free(c);
	mysql_thread_end();
}

int main(int argc, char **argv)
{
	if (!env("KAERU_DB_SOCKET") || !env("KAERU_DB_USER") || !env("KAERU_DB_NAME")) {
		fprintf(stderr, "kaeru-bench-lookup: set KAERU_DB_SOCKET, KAERU_DB_USER, "
		                "KAERU_DB_PASSWORD and KAERU_DB_NAME\n");
		return 2;
	}
	if (mysql_library_init(0, NULL, NULL) != 0)
		return 1;
	static const struct bare_handler h = {.name = "kaeru-bench-lookup",
	                                      .setup = conn_setup,
	                                      .answer = conn_answer,
	                                      .teardown = conn_close};
	int rc = bare_serve(&h, argc, argv);
	mysql_library_end();
	return rc;
}
