/* One HTTP request as kaeru-fcgi sees it, and the ways to answer it. Everything a request
 * allocates lives in its arena and is gone after the answer. */
#ifndef KAERU_FCGI_HTTP_H
#define KAERU_FCGI_HTTP_H

#include "core/domain.h"
#include "db/db.h"
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

struct req {
	FCGX_Request *fcgx;
	struct arena *arena;
	struct db *db;
	const struct config *cfg;
	int64_t now; /* Unix seconds when the request arrived */

	enum method method;
	const char *path;  /* decoded of nothing: the raw path, without the query */
	const char *query; /* raw query string, "" when none */
	const char *params[PATH_PARAMS_MAX]; /* the '*' segments of the matched route */

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

/* Reads method, path, headers and (for POST/PUT/DELETE) the body. When the request cannot be
 * taken — body too large, not JSON, malformed JSON — answers it and returns false. */
bool req_read(struct req *r);
void req_done(struct req *r);

/* The value of a query parameter, percent-decoded into the arena; NULL when absent. */
const char *req_query(struct req *r, const char *name);
/* The bearer credential of the Authorization header, or NULL. */
const char *req_bearer(struct req *r);

/* Answers with a body; extra_headers is "" or CRLF-terminated header lines. */
void respond(struct req *r, int status, const char *content_type, const char *extra_headers,
             const void *body, size_t len);
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
