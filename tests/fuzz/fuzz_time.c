/* RFC 3339 times: what parses within the API's range formats back to the same instant. */
#include "tests/fuzz/fuzz.h"
#include "util/timefmt.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	int64_t t = 0, again = 0;
	if (rfc3339_parse(s, &t) && t >= TIME_API_MIN && t < TIME_API_MAX) {
		char buf[RFC3339_LEN];
		rfc3339_format(t, buf);
		FUZZ_ASSERT(rfc3339_parse(buf, &again) && again == t);
	}
	free(s);
	return 0;
}
