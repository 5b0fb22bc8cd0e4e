/* Credentials as clients send them: the Cookie header's session cookies and the order token
 * of a Bearer header. Neither may read past its input, and no input is a valid token. */
#include "fcgi/auth.h"
#include "fcgi/http.h"
#include "tests/fuzz/fake_request.h"
#include "tests/fuzz/fuzz.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *header = fuzz_string(data, size);
	static const char *const get[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/", NULL};
	struct fake_request f;
	fake_request_init(&f, get, "", 0);
	const char *values[4];
	static const char *const names[] = {"kaeru_session", "__Host-kaeru_session"};
	for (int k = 0; k < 2; k++) {
		size_t n = cookie_values(&f.arena, header, names[k], values, 4);
		FUZZ_ASSERT(n <= 4);
		for (size_t i = 0; i < n; i++)
			FUZZ_ASSERT(!strchr(values[i], ';') && strlen(values[i]) < size);
	}
	int64_t order_id = -1;
	/* The secret is the fake request's: what the fuzzer writes cannot carry its MAC. */
	FUZZ_ASSERT(!order_token_check(&f.req, header, &order_id) && order_id == -1);
	int64_t merchant_id = -1;
	FUZZ_ASSERT(return_link_token_check(&f.req, header, &merchant_id, &order_id) ==
	                LINK_FORGED &&
	            merchant_id == -1 && order_id == -1);
	fake_request_free(&f);
	free(header);
	return 0;
}
