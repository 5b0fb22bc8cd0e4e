/* RMA codes as people and scanners type them: what reads as a code is a canonical code, and
 * reading that again gives it back. */
#include "core/rma.h"
#include "tests/fuzz/fuzz.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	char code[RMA_LEN + 1], again[RMA_LEN + 1];
	if (rma_normalize(s, code)) {
		FUZZ_ASSERT(strlen(code) == RMA_LEN && code[5] == '-');
		for (int i = 0; i < RMA_LEN; i++)
			FUZZ_ASSERT(i == 5 || strchr("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", code[i]));
		FUZZ_ASSERT(rma_normalize(code, again) && strcmp(code, again) == 0);
	}
	free(s);
	return 0;
}
