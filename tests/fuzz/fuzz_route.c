/* The route matcher: a path finds at most one row per method, and its '*' segments are
 * non-empty and hold no '/'. */
#include "fcgi/handlers.h"
#include "tests/fuzz/fuzz.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena a;
	char *path = fuzz_string(data, size);
	for (int m = 0; m < METHOD__MAX; m++) {
		const char *params[PATH_PARAMS_MAX] = {0};
		char allow[64];
		int route = route_find(&a, (enum method)m, path, params, allow, sizeof(allow));
		FUZZ_ASSERT(route < 0 || !*allow);
		for (int i = 0; route >= 0 && i < PATH_PARAMS_MAX && params[i]; i++)
			FUZZ_ASSERT(*params[i] && !strchr(params[i], '/'));
	}
	arena_reset(&a);
	free(path);
	return 0;
}
