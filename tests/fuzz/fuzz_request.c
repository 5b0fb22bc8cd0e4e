/* The request reader: req_read over an in-memory FastCGI request. The input is the query
 * string up to the first newline, then the body (a JSON POST): percent-decoding, body reading,
 * JSON parsing and the search for numbers out of range (find_huge_numbers) all see it. */
#include "tests/fuzz/fake_request.h"
#include "tests/fuzz/fuzz.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t qlen = nl ? (size_t)(nl - data) : 0;
	const uint8_t *body = nl ? nl + 1 : data;
	size_t blen = size - (size_t)(body - data);
	char *query = fuzz_string(data, qlen);
	char uri[64 + 4096], length[48];
	snprintf(uri, sizeof(uri), "REQUEST_URI=/api/v1/lookup?%.4096s", query);
	snprintf(length, sizeof(length), "CONTENT_LENGTH=%zu", blen);
	const char *params[] = {"REQUEST_METHOD=POST", uri, length, "CONTENT_TYPE=application/json",
	                        "HTTP_COOKIE=a=1",     NULL};
	struct fake_request f;
	fake_request_init(&f, params, body, blen);
	bool taken = req_read(&f.req);
	if (taken) {
		FUZZ_ASSERT(json_is_object(f.req.json));
		FUZZ_ASSERT(fake_status(&f) == 0);
		for (size_t i = 0; i < f.req.n_query; i++)
			FUZZ_ASSERT(f.req.query_params[i].name && f.req.query_params[i].value);
	} else {
		/* Refused requests are answered, with a problem a client can parse. */
		int status = fake_status(&f);
		FUZZ_ASSERT(status >= 400 && status < 500);
		json_t *p = json_loads(fake_body(&f), 0, NULL);
		FUZZ_ASSERT(p && json_integer_value(json_object_get(p, "status")) == status);
		json_t *errors = json_object_get(p, "errors");
		FUZZ_ASSERT(json_is_array(errors) && json_array_size(errors) <= 20);
		json_decref(p);
	}
	fake_request_free(&f);
	free(query);
	return 0;
}
