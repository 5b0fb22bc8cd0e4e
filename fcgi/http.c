#include "fcgi/http.h"

#include "validate/check.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const method_names[METHOD__MAX] = {
    [METHOD_GET] = "GET", [METHOD_HEAD] = "HEAD",     [METHOD_POST] = "POST",
    [METHOD_PUT] = "PUT", [METHOD_DELETE] = "DELETE", [METHOD_PATCH] = "PATCH",
    [METHOD_OTHER] = "",
};

static const char *const reason_phrases[] = {
    [200] = "OK",
    [201] = "Created",
    [204] = "No Content",
    [304] = "Not Modified",
    [400] = "Bad Request",
    [401] = "Unauthorized",
    [403] = "Forbidden",
    [404] = "Not Found",
    [405] = "Method Not Allowed",
    [409] = "Conflict",
    [413] = "Content Too Large",
    [415] = "Unsupported Media Type",
    [422] = "Unprocessable Content",
    [429] = "Too Many Requests",
    [500] = "Internal Server Error",
    [503] = "Service Unavailable",
};

static const char *param(struct req *r, const char *name)
{
	const char *v = FCGX_GetParam(name, r->fcgx->envp);
	return v ? arena_strdup(r->arena, v) : NULL;
}

static bool is_json_type(const char *ct)
{
	if (!ct)
		return false;
	size_t n = strlen("application/json");
	if (strncasecmp(ct, "application/json", n) != 0)
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

#define RANGE_ERRORS_MAX 20   /* numbers out of range named in one answer */
#define SCAN_DEPTH_MAX   2048 /* jansson's own nesting limit */

/* One open container while scanning: an object's current key, or an array's current index. */
struct scan_frame {
	bool object;
	size_t index;
	const char *key; /* the key's JSON text without its quotes */
	size_t key_len;
};

/* The JSON path of the member being read ("lines[2].unit_price"), in the arena. Built only for
 * a number out of range, so its cost is paid at most RANGE_ERRORS_MAX times. */
static const char *scan_path(struct arena *a, const struct scan_frame *stack, size_t depth)
{
	size_t len = 1;
	for (size_t i = 0; i < depth; i++)
		len += stack[i].object ? stack[i].key_len + 1 : 22;
	char *path = arena_alloc(a, len), *p = path;
	for (size_t i = 0; i < depth; i++) {
		if (stack[i].object) {
			if (p != path)
				*p++ = '.';
			if (stack[i].key_len) /* the scan stops before a value without its key */
				memcpy(p, stack[i].key, stack[i].key_len);
			p += stack[i].key_len;
		} else {
			p += sprintf(p, "[%zu]", stack[i].index);
		}
	}
	*p = '\0';
	return path;
}

/* True when the JSON number at s fits what jansson reads: a 64-bit integer, or a real short
 * of infinity (an underflow reads as a tiny value). Sets *end past it. */
static bool number_fits(const char *s, const char **end)
{
	bool integer = true;
	const char *p = s + (*s == '-');
	for (; (*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' || *p == '+' ||
	       *p == '-';
	     p++)
		if (*p == '.' || *p == 'e' || *p == 'E')
			integer = false;
	*end = p;
	errno = 0;
	if (integer) {
		(void)strtoll(s, NULL, 10);
		return errno != ERANGE;
	}
	double d = strtod(s, NULL);
	return !(errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL));
}

/* Appends {field, "is out of range"} for each number in the JSON text that is too large for
 * jansson (beyond 64 bits, or beyond a double), at most RANGE_ERRORS_MAX. One pass with a stack
 * of the open containers: time linear in the text, memory its depth. jansson has read the text
 * up to its first such number, so it is JSON; whatever cannot be read ends the scan. */
static void find_huge_numbers(struct arena *a, const char *text, json_t *errors)
{
	struct scan_frame *stack = arena_alloc(a, sizeof(*stack) * SCAN_DEPTH_MAX);
	size_t depth = 0;
	bool want_key = false;
	for (const char *p = text; *p && json_array_size(errors) < RANGE_ERRORS_MAX;) {
		switch (*p) {
		case ' ':
		case '\t':
		case '\n':
		case '\r':
		case ':':
			p++;
			break;
		case '{':
		case '[':
			if (depth == SCAN_DEPTH_MAX || want_key)
				return;
			stack[depth++] = (struct scan_frame){.object = *p == '{'};
			want_key = *p == '{';
			p++;
			break;
		case '}':
		case ']':
			if (depth == 0)
				return;
			depth--;
			want_key = false;
			p++;
			break;
		case ',':
			if (depth == 0)
				return;
			if (stack[depth - 1].object)
				want_key = true;
			else
				stack[depth - 1].index++;
			p++;
			break;
		case '"': {
			const char *s = ++p;
			while (*p && *p != '"')
				p += *p == '\\' && p[1] ? 2 : 1;
			if (!*p)
				return;
			if (want_key && depth) {
				stack[depth - 1].key = s;
				stack[depth - 1].key_len = (size_t)(p - s);
				want_key = false;
			}
			p++;
			break;
		}
		case 't':
		case 'f':
		case 'n':
			if (want_key)
				return;
			while (*p >= 'a' && *p <= 'z')
				p++;
			break;
		default: {
			if (*p != '-' && (*p < '0' || *p > '9'))
				return;
			if (want_key) /* a number where a key belongs: not JSON after all */
				return;
			const char *end;
			if (!number_fits(p, &end) && depth > 0)
				json_array_append_new(errors,
				                      json_pack("{s:s, s:s}", "field",
				                                scan_path(a, stack, depth),
				                                "message", "is out of range"));
			p = end;
		}
		}
	}
}

/* Photo uploads (POST /api/v1/returns/…/photos) send an image of up to UPLOAD_BODY_MAX as the
 * body: their handlers (h_media.c) check its type themselves. */
static bool is_upload(const struct req *r)
{
	size_t n = strlen(r->path), tail = strlen("/photos");
	return r->method == METHOD_POST && strncmp(r->path, "/api/v1/returns/", 16) == 0 &&
	       n > tail && strcmp(r->path + n - tail, "/photos") == 0;
}

bool req_read(struct req *r)
{
	const char *m = FCGX_GetParam("REQUEST_METHOD", r->fcgx->envp);
	r->method = METHOD_OTHER;
	for (int i = 0; m && i < METHOD_OTHER; i++)
		if (strcmp(m, method_names[i]) == 0)
			r->method = (enum method)i;
	const char *uri = FCGX_GetParam("REQUEST_URI", r->fcgx->envp);
	if (!uri)
		uri = "/";
	const char *q = strchr(uri, '?');
	r->path = q ? arena_strndup(r->arena, uri, (size_t)(q - uri)) : arena_strdup(r->arena, uri);
	r->query = q ? arena_strdup(r->arena, q + 1) : "";
	const char *bad_param;
	if (!query_parse(r->arena, r->query, &r->query_params, &r->n_query, &bad_param)) {
		respond_invalid(r, json_pack("[{s:s, s:s}]", "field", bad_param, "message",
		                             "must be percent-encoded UTF-8 without control "
		                             "characters"));
		return false;
	}
	r->remote_addr = param(r, "REMOTE_ADDR");
	r->content_type = param(r, "CONTENT_TYPE");
	r->authorization = param(r, "HTTP_AUTHORIZATION");
	r->idempotency_key = param(r, "HTTP_IDEMPOTENCY_KEY");
	r->origin = param(r, "HTTP_ORIGIN");
	r->host = param(r, "HTTP_HOST");
	r->cookie = param(r, "HTTP_COOKIE");
	r->sec_fetch_site = param(r, "HTTP_SEC_FETCH_SITE");
	const char *https = FCGX_GetParam("HTTPS", r->fcgx->envp);
	r->https = https && *https && strcasecmp(https, "off") != 0;
	if (!r->remote_addr)
		r->remote_addr = "";
	if (r->content_type && !*r->content_type)
		r->content_type = NULL;

	if (r->method != METHOD_POST && r->method != METHOD_PUT && r->method != METHOD_DELETE &&
	    r->method != METHOD_PATCH)
		return true;
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", r->fcgx->envp);
	char *end = NULL;
	long long len = cl && *cl ? strtoll(cl, &end, 10) : 0;
	if (len < 0 || (end && *end)) {
		respond_problem(r, 400, "Bad Content-Length", NULL, NULL);
		return false;
	}
	bool upload = r->upload = is_upload(r);
	if (len > (upload ? UPLOAD_BODY_MAX : BODY_MAX)) {
		respond_problem(r, 413, "Request body too large",
		                upload ? "Photos are limited to 10 MB."
		                       : "Request bodies are limited to 1 MB.",
		                NULL);
		return false;
	}
	char *body = arena_alloc(r->arena, (size_t)len + 1);
	int got = len ? FCGX_GetStr(body, (int)len, r->fcgx->in) : 0;
	if (got != len) {
		respond_problem(r, 400, "Incomplete request body", NULL, NULL);
		return false;
	}
	body[len] = '\0';
	r->body = body;
	r->body_len = (size_t)len;
	if (len == 0 || upload) {
		r->json = json_object();
		return true;
	}
	if (!is_json_type(r->content_type)) {
		respond_problem(r, 415, "Unsupported media type",
		                "Send the body as Content-Type: application/json.", NULL);
		return false;
	}
	json_error_t jerr;
	r->json = json_loadb(body, (size_t)len, JSON_REJECT_DUPLICATES, &jerr);
	if (!r->json && json_error_code(&jerr) == json_error_numeric_overflow) {
		/* JSON with a number beyond what it can hold: a value out of range, not malformed.
		 */
		json_t *errors = json_array();
		find_huge_numbers(r->arena, body, errors);
		if (json_array_size(errors)) {
			respond_invalid(r, errors);
			return false;
		}
		json_decref(errors);
	}
	if (!r->json) {
		char *detail = arena_printf(r->arena, "Invalid JSON at line %d, column %d: %s",
		                            jerr.line, jerr.column, jerr.text);
		/* jansson quotes the body near the fault, cut anywhere: half a UTF-8 character,
		 * or a control character. The answer shows what it can of it. */
		text_printable(detail);
		respond_problem(r, 400, "Malformed JSON", detail, NULL);
		return false;
	}
	if (!json_is_object(r->json)) {
		respond_problem(r, 400, "Malformed JSON", "The body must be a JSON object.", NULL);
		return false;
	}
	return true;
}

void req_done(struct req *r)
{
	if (r->json)
		json_decref(r->json);
	r->json = NULL;
}

static int hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The n bytes at s decoded ('+' a blank, %XX a byte) into the arena; NULL when a '%' is not
 * followed by two hex digits, or the result is not UTF-8 or holds a control character. */
static char *query_decode(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			*o++ = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= n || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0)
				return NULL;
			*o++ = (char)(hex(s[i + 1]) << 4 | hex(s[i + 2]));
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	size_t len = (size_t)(o - out);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7F)
			return NULL;
	return utf8_valid(out, len) ? out : NULL;
}

bool query_parse(struct arena *a, const char *query, struct query_param **out, size_t *n,
                 const char **bad)
{
	size_t cap = 1;
	for (const char *p = query; *p; p++)
		cap += *p == '&';
	struct query_param *params = arena_alloc(a, sizeof(*params) * cap);
	size_t count = 0;
	*bad = NULL;
	for (const char *p = query; *p;) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t name_len = eq ? (size_t)(eq - p) : len;
		if (len) {
			const char *name = query_decode(a, p, name_len);
			const char *value = eq ? query_decode(a, eq + 1, len - name_len - 1) : "";
			if (!name || !value) {
				*bad = name && *name ? name : "query";
				return false;
			}
			params[count++] = (struct query_param){name, value};
		}
		p += len + (amp != NULL);
	}
	*out = params;
	*n = count;
	return true;
}

const char *req_query(struct req *r, const char *name)
{
	for (size_t i = 0; i < r->n_query; i++)
		if (strcmp(r->query_params[i].name, name) == 0)
			return r->query_params[i].value;
	return NULL;
}

size_t cookie_values(struct arena *a, const char *header, const char *name, const char **out,
                     size_t max)
{
	size_t n = 0, name_len = strlen(name);
	for (const char *c = header; c && *c && n < max;) {
		while (*c == ' ' || *c == '\t' || *c == ';')
			c++;
		size_t len = strcspn(c, ";");
		size_t end = len;
		while (end && (c[end - 1] == ' ' || c[end - 1] == '\t'))
			end--;
		if (end > name_len && c[name_len] == '=' && strncmp(c, name, name_len) == 0)
			out[n++] = arena_strndup(a, c + name_len + 1, end - name_len - 1);
		c += len;
	}
	return n;
}

const char *req_bearer(struct req *r)
{
	const char *a = r->authorization;
	if (!a || strncasecmp(a, "Bearer ", 7) != 0)
		return NULL;
	a += 7;
	while (*a == ' ')
		a++;
	return *a ? a : NULL;
}

/* Writes the status line and headers; length is the Content-Length header line or "" (a body
 * streamed, which nginx sends chunked). */
static void put_head(struct req *r, int status, const char *content_type, const char *extra_headers,
                     const char *length)
{
	r->answered = true;
	const char *phrase = status > 0 &&
	                             (size_t)status < sizeof(reason_phrases) / sizeof(char *) &&
	                             reason_phrases[status]
	                         ? reason_phrases[status]
	                         : "";
	/* libfcgi's own printf knows no %zu: format the head here. */
	char head[1024];
	/* Nothing is cached unless the handler says how (extra_headers with a Cache-Control). */
	const char *extra = extra_headers ? extra_headers : "";
	int n =
	    snprintf(head, sizeof(head), "Status: %d %s\r\nContent-Type: %s\r\n%s%s%s\r\n", status,
	             phrase, content_type, length,
	             strstr(extra, "Cache-Control:") ? "" : "Cache-Control: no-store\r\n", extra);
	if (n < 0 || (size_t)n >= sizeof(head))
		abort(); /* headers are kaeru's own text, never this long */
	FCGX_PutStr(head, n, r->fcgx->out);
}

void respond(struct req *r, int status, const char *content_type, const char *extra_headers,
             const void *body, size_t len)
{
	if (r->answered)
		return;
	char length[40];
	snprintf(length, sizeof(length), "Content-Length: %zu\r\n", len);
	put_head(r, status, content_type, extra_headers, length);
	if (len && r->method != METHOD_HEAD)
		FCGX_PutStr(body, (int)len, r->fcgx->out);
}

bool respond_stream_begin(struct req *r, int status, const char *content_type,
                          const char *extra_headers)
{
	if (r->answered)
		return false;
	put_head(r, status, content_type, extra_headers, "");
	return r->method != METHOD_HEAD;
}

void respond_stream(struct req *r, const void *p, size_t n)
{
	if (n && r->method != METHOD_HEAD)
		FCGX_PutStr(p, (int)n, r->fcgx->out);
}

void respond_stream_csv(struct req *r, const char *s, bool text, const char *sep)
{
	s = s ? s : "";
	bool formula = text && *s && strchr("=+-@\t\r", *s);
	if (formula || strpbrk(s, ",\"\r\n")) {
		respond_stream(r, formula ? "\"'" : "\"", formula ? 2 : 1);
		for (const char *q = s; *q;) {
			size_t run = strcspn(q, "\"");
			respond_stream(r, q, run);
			q += run;
			if (*q == '"') {
				respond_stream(r, "\"\"", 2);
				q++;
			}
		}
		respond_stream(r, "\"", 1);
	} else {
		respond_stream(r, s, strlen(s));
	}
	respond_stream(r, sep, strlen(sep));
}

/* The answer when kaeru cannot render its own: a fixed text, nothing to go wrong. */
static const char render_failed[] =
    "{\"type\":\"about:blank\",\"title\":\"Internal error\",\"status\":500,"
    "\"detail\":\"The answer could not be rendered.\",\"errors\":[]}";

/* Answers 500 with render_failed and says in the log which request could not be rendered:
 * a value kaeru built wrongly (a NULL where a string belongs, text not UTF-8) is a defect to
 * fix, but one request's, not every request's in flight. */
static void respond_render_failed(struct req *r, const char *what)
{
	fprintf(stderr, "kaeru-fcgi: cannot render the %s of %s %.200s\n", what,
	        method_names[r->method], r->path ? r->path : "?");
	respond(r, 500, "application/problem+json", NULL, render_failed, strlen(render_failed));
}

void respond_json_with(struct req *r, int status, json_t *j, const char *headers)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!s) {
		respond_render_failed(r, "answer");
		return;
	}
	respond(r, status, "application/json", headers, s, strlen(s));
	free(s);
}

void respond_json(struct req *r, int status, json_t *j)
{
	respond_json_with(r, status, j, NULL);
}

bool req_is_json(const struct req *r)
{
	return is_json_type(r->content_type);
}

static const char *problem_type(int status)
{
	switch (status) {
	case 400:
		return "https://kaeru.dev/problems/malformed";
	case 401:
		return "https://kaeru.dev/problems/unauthorized";
	case 403:
		return "https://kaeru.dev/problems/forbidden";
	case 404:
		return "https://kaeru.dev/problems/not-found";
	case 405:
		return "https://kaeru.dev/problems/method-not-allowed";
	case 409:
		return "https://kaeru.dev/problems/conflict";
	case 410:
		return "https://kaeru.dev/problems/gone";
	case 413:
		return "https://kaeru.dev/problems/too-large";
	case 415:
		return "https://kaeru.dev/problems/unsupported-media-type";
	case 422:
		return "https://kaeru.dev/problems/invalid";
	case 429:
		return "https://kaeru.dev/problems/too-many-requests";
	case 503:
		return "https://kaeru.dev/problems/unavailable";
	default:
		return "about:blank";
	}
}

static void respond_problem_object(struct req *r, int status, const char *title, const char *detail,
                                   json_t *errors, json_t *extra, const char *headers)
{
	json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:o}", "type", problem_type(status), "title",
	                      title, "status", status, "detail", detail ? detail : title, "errors",
	                      errors ? errors : json_array());
	if (extra) {
		json_object_update_missing(p, extra);
		json_decref(extra);
	}
	char *s = p ? json_dumps(p, JSON_COMPACT) : NULL;
	json_decref(p);
	if (!s) {
		respond_render_failed(r, "problem");
		return;
	}
	respond(r, status, "application/problem+json", headers, s, strlen(s));
	free(s);
}

void respond_problem_with(struct req *r, int status, const char *title, const char *detail,
                          json_t *errors, const char *headers)
{
	respond_problem_object(r, status, title, detail, errors, NULL, headers);
}

void respond_problem_ext(struct req *r, int status, const char *title, const char *detail,
                         json_t *extra)
{
	respond_problem_object(r, status, title, detail, NULL, extra, NULL);
}

void respond_problem(struct req *r, int status, const char *title, const char *detail,
                     json_t *errors)
{
	const char *headers = NULL;
	if (status == 503)
		headers = "Retry-After: 5\r\n";
	else if (status == 401)
		headers = "WWW-Authenticate: Bearer\r\n";
	respond_problem_with(r, status, title, detail, errors, headers);
}

void respond_error(struct req *r, enum kaeru_err e)
{
	switch (e) {
	case KAERU_OK:
		abort();
	case KAERU_ENOTFOUND:
		respond_problem(r, 404, "Not found", NULL, NULL);
		return;
	case KAERU_ECONFLICT:
		respond_problem(r, 409, "Conflict", "The resource's state does not allow this.",
		                NULL);
		return;
	case KAERU_EINVALID:
		respond_problem(r, 422, "Invalid request", NULL, NULL);
		return;
	case KAERU_EDB:
	case KAERU_ERETRY:
		respond_problem(r, 503, "Service unavailable",
		                "The database cannot be reached; try again shortly.", NULL);
		return;
	case KAERU_EINTERNAL:
		respond_problem(r, 500, "Internal error", NULL, NULL);
		return;
	}
	abort();
}

void respond_invalid(struct req *r, json_t *errors)
{
	respond_problem(r, 422, "Invalid request", "Some fields are missing or not valid.", errors);
}
