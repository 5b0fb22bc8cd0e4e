/* The console search's terms (core/search.h) of any text: each term is one to three characters
 * of letters and digits as UTF-8, a return's terms are sorted without repeats, and a query reads
 * as terms its own text has when a return holds it — what is typed finds where it was typed. */
#include "core/rma.h"
#include "core/search.h"
#include "tests/fuzz/fuzz.h"

#include <string.h>

static void term_ok(const char *t)
{
	size_t n = strlen(t), chars = 0;
	FUZZ_ASSERT(n > 0 && n < SEARCH_TERM_SIZE);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		FUZZ_ASSERT(c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'));
		chars += (c & 0xC0) != 0x80;
	}
	FUZZ_ASSERT(chars >= 1 && chars <= 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	size_t cap = 2 * strlen(s) + 8;
	search_term *buf = malloc(cap * sizeof(search_term));
	struct search_terms stored;
	search_terms_init(&stored, buf, cap);
	search_terms_add(&stored, s);
	search_terms_finish(&stored);
	FUZZ_ASSERT(!stored.truncated);
	for (size_t i = 0; i < stored.n; i++) {
		term_ok(stored.terms[i]);
		FUZZ_ASSERT(i == 0 || strcmp(stored.terms[i - 1], stored.terms[i]) < 0);
	}
	search_term qbuf[SEARCH_QUERY_TERMS];
	struct search_terms q;
	search_terms_init(&q, qbuf, SEARCH_QUERY_TERMS);
	enum search_query kind = search_query_read(s, &q);
	char rma[RMA_LEN + 1];
	if (kind == SEARCH_TERMS) {
		FUZZ_ASSERT(q.n >= 1 && q.n <= SEARCH_QUERY_TERMS);
		for (size_t i = 0; i < q.n; i++) {
			term_ok(q.terms[i]);
			/* an RMA is read as its canonical code, which the text need not spell */
			FUZZ_ASSERT(rma_normalize(s, rma) ||
			            bsearch(q.terms[i], stored.terms, stored.n, sizeof(search_term),
			                    (int (*)(const void *, const void *))strcmp));
		}
	} else {
		FUZZ_ASSERT(q.n == 0);
	}
	free(buf);
	free(s);
	return 0;
}
