/* One HTTP request as kaeru-fcgi sees it, and the ways to answer it. Everything a request
 * allocates lives in its arena and is gone after the answer. */
#ifndef KAERU_FCGI_HTTP_H
#define KAERU_FCGI_HTTP_H

#include "core/domain.h"
#include "core/team.h"
#include "db/db.h"
#include "db/store.h"
#include "util/config.h"
#include "util/mem.h"

#include <fcgiapp.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define BODY_MAX        (1024 * 1024)      /* larger request bodies are refused with 413 */
#define UPLOAD_BODY_MAX (10 * 1024 * 1024) /* photo uploads (POST …/photos): an image, not JSON */
#define PATH_PARAMS_MAX 4

enum method {
	METHOD_GET,
	METHOD_HEAD,
	METHOD_POST,
	METHOD_PUT,
	METHOD_DELETE,
	METHOD_PATCH,
	METHOD_OTHER,
	METHOD__MAX
};
extern const char *const method_names[METHOD__MAX];

/* Who a request comes from, as the credential check of its route found it (auth.h). */
enum principal_kind {
	WHO_ANYBODY,      /* the route takes no credential */
	WHO_MERCHANT_KEY, /* merchant: the API key's, the one named in the path */
	WHO_ORDER_TOKEN,  /* order_id: the order a token from lookup grants */
	WHO_TRACKING_KEY, /* tracking_key: ?k=, for the handler to compare with the return's */
	WHO_STAFF,        /* user: a live staff session of a role the route admits */
	WHO_STAFF_UNREAD, /* a staff session cookie its handler reads with the return, its role to
	                   * hold right (auth_staff_whole) */
};
struct principal {
	enum principal_kind kind;
	enum right right; /* WHO_STAFF_UNREAD: what the session's role must hold */
	struct merchant merchant;
	int64_t order_id;
	const char *tracking_key;
	struct user user;
};

/* One parameter of the query string, decoded. */
struct query_param {
	const char *name, *value;
};

struct req {
	FCGX_Request *fcgx;
	struct arena *arena;
	struct db *db;
	const struct config *cfg;
	int64_t now; /* Unix seconds when the request arrived */

	enum method method;
	const char *path;                 /* decoded of nothing: the raw path, without the query */
	const char *query;                /* raw query string, "" when none */
	struct query_param *query_params; /* decoded, in order; UTF-8 without controls */
	size_t n_query;
	const char *params[PATH_PARAMS_MAX]; /* the '*' segments of the matched route */
	struct principal who;                /* filled by the route's credential check */

	const char *remote_addr;
	const char *content_type;
	const char *authorization;
	const char *idempotency_key;
	const char *origin;
	const char *host;
	const char *cookie;         /* the Cookie header, or NULL */
	const char *sec_fetch_site; /* "same-origin", "cross-site", ... or NULL */
	bool https;                 /* the client spoke TLS to nginx */

	const char *body; /* NUL-terminated copy, body_len bytes */
	size_t body_len;
	json_t *json; /* parsed body of POST/PUT; {} when empty; owned by the request */
	bool upload;  /* a photo upload: body is the image (its handler checks the type), json {} */

	bool answered;
};

/* Reads method, path, query, headers and (for POST/PUT/DELETE) the body. When the request
 * cannot be taken — a query parameter that does not decode, body too large, not JSON,
 * malformed JSON — answers it and returns false. */
bool req_read(struct req *r);
void req_done(struct req *r);

/* Parses a raw query string ("a=1&b=x%20y") into its parameters, decoded into the arena ('+'
 * a blank, %XX a byte), in order; a parameter without '=' has the value "". False when one is
 * not percent-encoded UTF-8 without control characters (NUL included): *bad then names it,
 * or is "query" when its name is empty or cannot be read. Time and memory linear in the query. */
bool query_parse(struct arena *a, const char *query, struct query_param **out, size_t *n,
                 const char **bad);
/* The value of a query parameter (its first occurrence), decoded; NULL when absent. Every
 * parameter was checked by req_read: the request was refused unless all decode. */
const char *req_query(struct req *r, const char *name);
/* The values of the cookies called name in a Cookie header (which may be NULL), in order, at
 * most max of them, copied into the arena; returns how many. A browser sends one cookie of a
 * name per path and domain, so a name may come more than once. */
size_t cookie_values(struct arena *a, const char *header, const char *name, const char **out,
                     size_t max);
/* The bearer credential of the Authorization header, or NULL. */
const char *req_bearer(struct req *r);

/* Answers with a body; extra_headers is "" or CRLF-terminated header lines. */
void respond(struct req *r, int status, const char *content_type, const char *extra_headers,
             const void *body, size_t len);
/* An answer streamed: respond_stream_begin sends the status and headers (no Content-Length;
 * nginx sends the body chunked), then respond_stream writes the body piece by piece as it is
 * made. libfcgi copies each piece into its one output buffer of the request and sends that to
 * nginx whenever it fills, so a body of any length takes that buffer, never the whole. Begin
 * returns false for HEAD (nothing to write after; respond_stream writes nothing then either).
 * Once begun, the status is sent: a failure later can only end the body early. */
bool respond_stream_begin(struct req *r, int status, const char *content_type,
                          const char *extra_headers);
void respond_stream(struct req *r, const void *p, size_t n);
/* One CSV field of a streamed body, then sep ("," or the row's "\r\n"): RFC 4180, quoted when
 * it holds a comma, quote or line break, a quote doubled; NULL an empty field. With text, a
 * value a spreadsheet would run as a formula (= + - @ tab CR first) is quoted behind an
 * apostrophe. */
void respond_stream_csv(struct req *r, const char *s, bool text, const char *sep);
/* Answers with j serialised (and releases j). */
void respond_json(struct req *r, int status, json_t *j);
/* The same, with extra CRLF-terminated header lines. */
void respond_json_with(struct req *r, int status, json_t *j, const char *headers);
/* True when the request says its body is JSON (Content-Type application/json). */
bool req_is_json(const struct req *r);
/* Answers application/problem+json. errors is an array of {field, message} or NULL (stolen). */
void respond_problem(struct req *r, int status, const char *title, const char *detail,
                     json_t *errors);
/* The same, with extra CRLF-terminated header lines (or NULL). */
void respond_problem_with(struct req *r, int status, const char *title, const char *detail,
                          json_t *errors, const char *headers);
/* The same, with extra members merged into the problem object (extra is stolen). */
void respond_problem_ext(struct req *r, int status, const char *title, const char *detail,
                         json_t *extra);
/* Answers for a kaeru_err that a handler could not turn into anything more precise. */
void respond_error(struct req *r, enum kaeru_err e);
/* 422 with the collected field errors. */
void respond_invalid(struct req *r, json_t *errors);

#endif
