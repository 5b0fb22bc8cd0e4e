/* fcgi/http.c: reading a request and writing its answer, through an in-memory FastCGI
 * request (tests/fuzz/fake_request.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "fcgi/http.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unrenderable_answers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
