/* The console's search over returns, as short terms: what a return is found by (its RMA, order
 * number, customer name, SKUs and product names) and what a query asks for, cut the same way.
 *
 * Text is folded first, NFKC-ish: full-width ASCII to ASCII, the ideographic space to a space,
 * ASCII and Latin-1 letters to lower case, hiragana to katakana, half-width katakana (with their
 * voicing marks) to full-width. Then it is cut into runs: a run of letters and digits gives its
 * trigrams ("teeblkm" → tee eeb ebl blk lkm; a run of one or two gives itself); a run of
 * Japanese (kana, kanji) or Korean gives its bigrams (「ワンピース」 → ワン ンピ ピー ース; one
 * character gives itself). Whitespace ends a run; punctuation inside one is dropped, so
 * "7KQ2M-XH4RP", "TEE-BLK-M" and 「ワン・ピース」 are each one run. A return also gets the
 * bigram across a space between two Japanese runs, so 「山田 太郎」 is found by 「山田太郎」.
 *
 * A query matches a return that has every one of its terms: any piece of three letters or digits
 * of an RMA, order number or SKU ("KQ2M" finds "7KQ2M-XH4RP"), any two characters of a Japanese
 * name. Customers' e-mail addresses are not cut into terms: a query that is one address is
 * compared whole with the e-mail key the order keeps. */
#ifndef KAERU_CORE_SEARCH_H
#define KAERU_CORE_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#define SEARCH_TERM_SIZE   16  /* bytes of a term with its NUL: at most 3 characters */
#define SEARCH_QUERY_CHARS 254 /* the longest query, in characters (an e-mail's longest) */
#define SEARCH_QUERY_TERMS 8   /* the terms a query checks, spread over what it typed */

typedef char search_term[SEARCH_TERM_SIZE];

/* Terms in the caller's array of cap. Adding past cap drops the term and sets truncated. */
struct search_terms {
	search_term *terms;
	size_t n, cap;
	bool truncated;
};

void search_terms_init(struct search_terms *t, search_term *buf, size_t cap);
/* Adds the terms a return is found by for one of its fields (UTF-8; invalid bytes are spaces). */
void search_terms_add(struct search_terms *t, const char *text);
/* Sorts the terms and drops repeats. */
void search_terms_finish(struct search_terms *t);

enum search_query {
	SEARCH_BLANK,    /* nothing but spaces: no search at all */
	SEARCH_TERMS,    /* the terms are in *out */
	SEARCH_EMAIL,    /* one e-mail address: compare its e-mail key */
	SEARCH_NOTHING,  /* no letter or digit to search for */
	SEARCH_TOO_LONG, /* more than SEARCH_QUERY_CHARS characters */
};

#define SEARCH_KEY_SIZE 65 /* a whole order number's bytes (orders.order_number) with its NUL */

/* Whether q, less the spaces around it, is one word that may be the whole of a key a return is
 * found by: its order's number, as typed (key), or its RMA in any spelling the scanner takes
 * (rma: the canonical code, else ""). Such a query first looks for the one order or return it
 * names, by its key; only when there is none is it read into terms. A word with no digit that
 * is no RMA (a name, a product's word) is not looked up as a key: it costs no statement. */
bool search_query_key(const char *q, char key[SEARCH_KEY_SIZE], char rma[SEARCH_KEY_SIZE]);

/* Reads what a merchant typed into at most SEARCH_QUERY_TERMS terms in *out (whose cap must be
 * at least that), in the order typed, without repeats; a whole RMA in any spelling the scanner
 * takes (rma_normalize) is read as its canonical code. */
enum search_query search_query_read(const char *q, struct search_terms *out);

#endif
