/* fcgi/http.c: reading a request and writing its answer, through an in-memory FastCGI
 * request (tests/fuzz/fake_request.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/auth.h"
#include "fcgi/handlers.h"
#include "fcgi/http.h"
#include "fcgi/render.h"
#include "fcgi/session.h"
#include "tests/fuzz/fake_request.h"

static const char *const GET_PARAMS[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/x", NULL};

/* The answer is a problem with this status, as a client would parse it. */
static void assert_problem(struct fake_request *f, int status)
{
	assert_int_equal(fake_status(f), status);
	assert_non_null(strstr(fake_answer(f, NULL), "Content-Type: application/problem+json\r\n"));
	json_error_t err;
	json_t *p = json_loads(fake_body(f), 0, &err);
	assert_non_null(p);
	assert_int_equal(json_integer_value(json_object_get(p, "status")), status);
	assert_true(json_is_string(json_object_get(p, "title")));
	assert_true(json_is_array(json_object_get(p, "errors")));
	json_decref(p);
}

/* An answer kaeru cannot render (text that is not UTF-8, a value that failed to build) is a
 * 500 problem for that request; the process goes on to the next one. */
static void test_unrenderable_answers(void **state)
{
	(void)state;
	for (int i = 0; i < 4; i++) {
		struct fake_request f;
		fake_request_init(&f, GET_PARAMS, "", 0);
		assert_true(req_read(&f.req));
		switch (i) {
		case 0:
			respond_json(&f.req, 200,
			             json_pack("{s:o}", "name", json_string_nocheck("\xff\xfe")));
			break;
		case 1:
			respond_json(&f.req, 200, json_pack("{s:s}", "name", (const char *)NULL));
			break;
		case 2:
			respond_problem(&f.req, 409, "Conflict", "caf\xe9", NULL);
			break;
		case 3:
			respond_json_with(&f.req, 201, NULL, "Location: /x\r\n");
			break;
		}
		assert_problem(&f, 500);
		fake_request_free(&f);
	}
}

/* Query strings decode strictly, as bodies do: a parameter that is not percent-encoded
 * UTF-8 without control characters is refused, by name, instead of read as something else. */
static void test_query_parse(void **state)
{
	(void)state;
	static const struct {
		const char *query;
		bool ok;
		const char *name, *want; /* ok: the value of name; else: the parameter named bad */
	} cases[] = {
	    {"", true, "q", NULL},
	    {"q=shirt", true, "q", "shirt"},
	    {"q=white+shirt&page=2", true, "page", "2"},
	    {"q=white%20shirt", true, "q", "white shirt"},
	    {"q=%E3%81%82", true, "q", "\xE3\x81\x82"},
	    {"q=%e3%81%82", true, "q", "\xE3\x81\x82"},
	    {"q=a&q=b", true, "q", "a"},
	    {"flag&q=1", true, "flag", ""},
	    {"&&q=1&", true, "q", "1"},
	    {"q=", true, "q", ""},
	    {"q=a=b", true, "q", "a=b"},
	    {"q=%00", false, "q", NULL},
	    {"q=a%00b", false, "q", NULL},
	    {"q=%zz", false, "q", NULL},
	    {"q=%2", false, "q", NULL},
	    {"q=%", false, "q", NULL},
	    {"q=%ff", false, "q", NULL},
	    {"q=%C3%28", false, "q", NULL},
	    {"q=%ED%A0%80", false, "q", NULL},    /* a surrogate */
	    {"q=%C0%AF", false, "q", NULL},       /* an overlong '/' */
	    {"q=%F4%90%80%80", false, "q", NULL}, /* beyond U+10FFFF */
	    {"q=%0A", false, "q", NULL},
	    {"q=%7F", false, "q", NULL},
	    {"page=1&status=%zz", false, "status", NULL},
	    {"%zz=1", false, "query", NULL},
	    {"=%E1%838", false, "query", NULL}, /* fuzz_query: a nameless parameter was named "" */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena a = {0};
		struct query_param *params = NULL;
		size_t n = 0;
		const char *bad = NULL;
		bool ok = query_parse(&a, cases[i].query, &params, &n, &bad);
		if (ok != cases[i].ok)
			fail_msg("%s: expected %s", cases[i].query, cases[i].ok ? "ok" : "refused");
		if (ok) {
			const char *got = NULL;
			for (size_t k = 0; k < n && !got; k++)
				if (strcmp(params[k].name, cases[i].name) == 0)
					got = params[k].value;
			if (cases[i].want)
				assert_string_equal(got, cases[i].want);
			else
				assert_null(got);
		} else {
			assert_string_equal(bad, cases[i].name);
		}
		arena_free(&a);
	}
}

/* A request whose query does not decode is a 422 naming the parameter, before any handler. */
static void test_bad_query_refused(void **state)
{
	(void)state;
	static const char *const params[] = {"REQUEST_METHOD=GET",
	                                     "REQUEST_URI=/api/v1/shop/x/listings?q=%00", NULL};
	struct fake_request f;
	fake_request_init(&f, params, "", 0);
	assert_false(req_read(&f.req));
	assert_problem(&f, 422);
	assert_non_null(strstr(fake_body(&f), "\"field\":\"q\""));
	fake_request_free(&f);
}

static void test_cookie_values(void **state)
{
	(void)state;
	static const struct {
		const char *header;
		size_t n;
		const char *want[3];
	} cases[] = {
	    {NULL, 0, {NULL}},
	    {"", 0, {NULL}},
	    {"s=abc", 1, {"abc"}},
	    {"a=1; s=abc; b=2", 1, {"abc"}},
	    {"s=one; s=two;s=three", 3, {"one", "two", "three"}},
	    {"  s=abc  ;", 1, {"abc"}},
	    {"xs=1; s_=2; S=3; s", 0, {NULL}},
	    {"s=", 1, {""}},
	    {";;;s=a=b;;", 1, {"a=b"}},
	    {"s=1;s=2;s=3;s=4;s=5", 3, {"1", "2", "3"}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena a = {0};
		const char *got[3];
		size_t n = cookie_values(&a, cases[i].header, "s", got, 3);
		assert_int_equal(n, cases[i].n);
		for (size_t k = 0; k < n; k++)
			assert_string_equal(got[k], cases[i].want[k]);
		arena_free(&a);
	}
}

/* Over TLS the session cookie is __Host-kaeru_session; logging out clears that one. */
static void test_session_cookie_over_tls(void **state)
{
	(void)state;
	static const char *const tls[] = {"REQUEST_METHOD=DELETE", "REQUEST_URI=/api/v1/session",
	                                  "HTTPS=on", NULL};
	static const char *const plain[] = {"REQUEST_METHOD=DELETE", "REQUEST_URI=/api/v1/session",
	                                    NULL};
	struct fake_request f;
	fake_request_init(&f, tls, "", 0);
	assert_true(req_read(&f.req));
	assert_string_equal(session_cookie_name(&f.req), "__Host-kaeru_session");
	h_session_delete(&f.req);
	assert_int_equal(fake_status(&f), 204);
	assert_non_null(strstr(fake_answer(&f, NULL),
	                       "Set-Cookie: __Host-kaeru_session=; Path=/; HttpOnly; "
	                       "SameSite=Strict; Secure; Max-Age=0\r\n"));
	fake_request_free(&f);
	fake_request_init(&f, plain, "", 0);
	assert_true(req_read(&f.req));
	assert_string_equal(session_cookie_name(&f.req), "kaeru_session");
	h_session_delete(&f.req);
	assert_non_null(strstr(fake_answer(&f, NULL), "Set-Cookie: kaeru_session=; Path=/;"));
	fake_request_free(&f);
}

/* A token signed with the fake request's secret over head. */
static char *signed_token(struct fake_request *f, const char *head)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256(mac, (const unsigned char *)head, strlen(head), f->cfg.secret);
	char b64[64];
	sodium_bin2base64(b64, sizeof(b64), mac, sizeof(mac),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return arena_printf(&f->arena, "%s.%s", head, b64);
}

/* Order tokens: what order_token_new makes is read back; anything else, even correctly
 * signed, is refused — an expiry past 64 bits no longer reads as "never expires". */
static void test_order_token(void **state)
{
	(void)state;
	struct fake_request f;
	fake_request_init(&f, GET_PARAMS, "", 0);
	int64_t id = 0;
	const char *token = order_token_new(&f.req, 42);
	assert_true(order_token_check(&f.req, token, &id));
	assert_int_equal(id, 42);
	f.req.now += ORDER_TOKEN_TTL + 1;
	assert_false(order_token_check(&f.req, token, &id));
	f.req.now -= ORDER_TOKEN_TTL + 1;
	static const char *const refused[] = {
	    "o1.42.99999999999999999999", /* expiry beyond 64 bits */
	    "o1.42.9223372036854775808",  /* INT64_MAX + 1 */
	    "o1.99999999999999999999.1900000000",
	    "o1.-42.1900000000",
	    "o1.+42.1900000000",
	    "o1. 42.1900000000",
	    "o1.042.1900000000",
	    "o1.0.1900000000",
	    "o1.42.-1900000000",
	    "o1.42.1900000000x",
	    "o1.42",
	    "o2.42.1900000000",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		id = 0;
		if (order_token_check(&f.req, signed_token(&f, refused[i]), &id))
			fail_msg("%s was accepted as order %lld", refused[i], (long long)id);
	}
	assert_true(order_token_check(&f.req, signed_token(&f, "o1.42.9223372036854775807"), &id));
	assert_false(order_token_check(&f.req, "o1.42.1900000000.", &id));
	assert_false(order_token_check(&f.req, "", &id));
	fake_request_free(&f);
}

/* Return links: what return_link_token_new makes is read back until it expires, then answers
 * LINK_EXPIRED; an order token, another shape or a changed part is LINK_FORGED. */
static void test_return_link_token(void **state)
{
	(void)state;
	struct fake_request f;
	fake_request_init(&f, GET_PARAMS, "", 0);
	int64_t mid = 0, oid = 0;
	const char *link = return_link_token_new(&f.req, 7, 42, f.req.now + RETURN_LINK_TTL);
	assert_int_equal(return_link_token_check(&f.req, link, &mid, &oid), LINK_OK);
	assert_int_equal(mid, 7);
	assert_int_equal(oid, 42);
	f.req.now += RETURN_LINK_TTL + 1;
	assert_int_equal(return_link_token_check(&f.req, link, &mid, &oid), LINK_EXPIRED);
	f.req.now -= RETURN_LINK_TTL + 1;
	static const char *const refused[] = {
	    "l1.7.42.99999999999999999999", "l1.7.042.1900000000",
	    "l1.0.42.1900000000",           "l1.7.0.1900000000",
	    "l1.-7.42.1900000000",          "l1.7.42",
	    "l1.7.42.1900000000x",          "o1.42.1900000000",
	    "l2.7.42.1900000000",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		mid = oid = 0;
		if (return_link_token_check(&f.req, signed_token(&f, refused[i]), &mid, &oid) !=
		    LINK_FORGED)
			fail_msg("%s was not refused as forged", refused[i]);
		assert_int_equal(oid, 0);
	}
	/* An order token is not a link, nor a link an order token. */
	assert_int_equal(return_link_token_check(&f.req, order_token_new(&f.req, 42), &mid, &oid),
	                 LINK_FORGED);
	assert_false(order_token_check(&f.req, link, &oid));
	/* Another signature, or a part changed under the same signature. */
	char *tampered = arena_strdup(&f.arena, link);
	tampered[3] = tampered[3] == '7' ? '8' : '7';
	assert_int_equal(return_link_token_check(&f.req, tampered, &mid, &oid), LINK_FORGED);
	assert_int_equal(return_link_token_check(&f.req, "l1.7.42.1900000000.AAAA", &mid, &oid),
	                 LINK_FORGED);
	assert_int_equal(return_link_token_check(&f.req, "", &mid, &oid), LINK_FORGED);
	fake_request_free(&f);
}

/* The routing table: each path finds its row, HEAD reads as GET, a known path with another
 * method lists what it answers, and nothing else matches. */
static void test_route_find(void **state)
{
	(void)state;
	static const struct {
		enum method m;
		const char *path;
		bool found;
		const char *param0, *param1, *allow;
	} cases[] = {
	    {METHOD_GET, "/api/v1/health", true, NULL, NULL, ""},
	    {METHOD_HEAD, "/api/v1/health", true, NULL, NULL, ""},
	    {METHOD_PUT, "/api/v1/merchants/sakura/orders/1001", true, "sakura", "1001", ""},
	    {METHOD_GET, "/api/v1/returns/7KQ2M-XH4RP", true, "7KQ2M-XH4RP", NULL, ""},
	    {METHOD_GET, "/api/v1/returns/7KQ2M-XH4RP/label.pdf", true, "7KQ2M-XH4RP", NULL, ""},
	    {METHOD_POST, "/api/v1/returns/A/items/9/inspection", true, "A", "9", ""},
	    {METHOD_POST, "/api/v1/merchant/listings/approve", true, NULL, NULL, ""},
	    {METHOD_POST, "/api/v1/merchant/listings/12/approve", true, "12", NULL, ""},
	    {METHOD_GET, "/api/v1/merchant/listings/approve", true, "approve", NULL, ""}, /* fuzz */
	    {METHOD_DELETE, "/api/v1/returns/A", false, NULL, NULL, "GET"},
	    {METHOD_PUT, "/api/v1/session", false, NULL, NULL, "POST, GET, DELETE"},
	    {METHOD_GET, "/api/v1/health/", false, NULL, NULL, ""},
	    {METHOD_GET, "/api/v1/returns/", false, NULL, NULL, ""},
	    {METHOD_GET, "/api/v1/returns//label.pdf", false, NULL, NULL, ""},
	    {METHOD_GET, "/api/v1/portal/a/b", false, NULL, NULL, ""},
	    {METHOD_GET, "", false, NULL, NULL, ""},
	    {METHOD_OTHER, "/api/v1/health", false, NULL, NULL, "GET"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena a = {0};
		const char *params[PATH_PARAMS_MAX] = {0};
		char allow[64];
		int route = route_find(&a, cases[i].m, cases[i].path, params, allow, sizeof(allow));
		if ((route >= 0) != cases[i].found)
			fail_msg("%s %s: route %d", method_names[cases[i].m], cases[i].path, route);
		if (cases[i].param0)
			assert_string_equal(params[0], cases[i].param0);
		if (cases[i].param1)
			assert_string_equal(params[1], cases[i].param1);
		assert_string_equal(allow, cases[i].allow);
		arena_free(&a);
	}
}

/* What the request reader answers for a body: status and, for a 422, the field named. */
static void test_body_answers(void **state)
{
	(void)state;
	static const struct {
		const char *body;
		int status;
		const char *field;
	} cases[] = {
	    {"{\"a\":1}", 0, NULL},
	    {"{\"n\":99999999999999999999}", 422, "n"},
	    {"{\"a\":[0,{\"b\":-1e400}]}", 422, "a[1].b"},
	    {"{\"\":1e999}", 422, ""},
	    {"{\"a\\\"b\":1e999}", 422, "a\\\"b"},
	    {"{99999e400}", 400, NULL},  /* fuzz_request: a number where a key belongs */
	    {"{[1e400]}", 400, NULL},    /* fuzz_request: an array where a key belongs */
	    {"\"\\\xc2\xbd", 400, NULL}, /* fuzz_request: jansson quoted half a character */
	    {"{\"a\":\"x\x01", 400, NULL},
	    {"[{}, {\"a\":[]}, 1e400]", 422, "[2]"},
	    {"[1e400]", 422, "[0]"},
	    {"1e400", 400, NULL},
	    {"{\"a\":", 400, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char length[48];
		snprintf(length, sizeof(length), "CONTENT_LENGTH=%zu", strlen(cases[i].body));
		const char *params[] = {"REQUEST_METHOD=POST", "REQUEST_URI=/api/v1/lookup", length,
		                        "CONTENT_TYPE=application/json", NULL};
		struct fake_request f;
		fake_request_init(&f, params, cases[i].body, strlen(cases[i].body));
		bool taken = req_read(&f.req);
		assert_int_equal(taken, cases[i].status == 0);
		if (cases[i].status) {
			assert_problem(&f, cases[i].status);
			if (cases[i].field) {
				json_t *p = json_loads(fake_body(&f), 0, NULL);
				json_t *e = json_array_get(json_object_get(p, "errors"), 0);
				assert_string_equal(json_string_value(json_object_get(e, "field")),
				                    cases[i].field);
				json_decref(p);
			}
		}
		fake_request_free(&f);
	}
}

/* Answers written as text (render.h's jt_*) read as jansson writes them: integers at their
 * edges, strings with what must be escaped, any UTF-8 as it is. */
/* t's text is what jansson writes of j (taken); t's buffer is freed. */
static void assert_text_as_jansson(struct jtext *t, json_t *j)
{
	char *want = json_dumps(j, JSON_ENCODE_ANY);
	assert_string_equal(t->p, want);
	free(want);
	json_decref(j);
	free(t->p);
}

static void test_json_text(void **state)
{
	(void)state;
	static const int64_t ints[] = {0,         1,        -1, 9, 10, -10, 4900, 1000000000000,
	                               INT64_MAX, INT64_MIN};
	static const char *const strs[] = {"", "plain", "say \"hi\" \\ back/slash",
	                                   "tab\there\nnew\x01\x1f", "かえる 💚"};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		struct jtext t = {0};
		jt_int(&t, ints[i]);
		assert_text_as_jansson(&t, json_integer(ints[i]));
	}
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		struct jtext t = {0};
		jt_str(&t, strs[i]);
		assert_text_as_jansson(&t, json_string(strs[i]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unrenderable_answers),
	    cmocka_unit_test(test_query_parse),
	    cmocka_unit_test(test_bad_query_refused),
	    cmocka_unit_test(test_cookie_values),
	    cmocka_unit_test(test_session_cookie_over_tls),
	    cmocka_unit_test(test_order_token),
	    cmocka_unit_test(test_return_link_token),
	    cmocka_unit_test(test_route_find),
	    cmocka_unit_test(test_body_answers),
	    cmocka_unit_test(test_json_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
