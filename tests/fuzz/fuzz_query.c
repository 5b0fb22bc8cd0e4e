/* The query parser: every parameter it yields is UTF-8 without control characters, and a
 * refusal names a parameter. */
#include "fcgi/http.h"
#include "validate/check.h"
#include "tests/fuzz/fuzz.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena a;
	char *query = fuzz_string(data, size);
	struct query_param *params = NULL;
	size_t n = 0, amps = 0;
	const char *bad = NULL;
	for (const char *p = query; *p; p++)
		amps += *p == '&';
	if (query_parse(&a, query, &params, &n, &bad)) {
		FUZZ_ASSERT(n <= amps + 1);
		for (size_t i = 0; i < n; i++) {
			const char *s[2] = {params[i].name, params[i].value};
			for (int k = 0; k < 2; k++) {
				FUZZ_ASSERT(utf8_valid(s[k], strlen(s[k])));
				for (const char *c = s[k]; *c; c++)
					FUZZ_ASSERT((unsigned char)*c >= 0x20 && *c != 0x7F);
			}
		}
	} else {
		FUZZ_ASSERT(bad && *bad);
	}
	arena_reset(&a);
	free(query);
	return 0;
}
