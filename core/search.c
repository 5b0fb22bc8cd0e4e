#include "core/search.h"

#include "core/rma.h"
#include "core/utf8.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading and folding characters ---- */

/* The next code point of UTF-8 text at *p, advancing *p past it; 0 at the end (and *p stays). */
static uint32_t next_cp(const unsigned char **p)
{
	uint32_t c;
	size_t n = utf8_next(*p, &c);
	if (c)
		*p += n;
	return c;
}

/* Half-width katakana U+FF61..U+FF9F as full-width (the voicing marks as combining ones). */
static const uint16_t halfwidth_kana[] = {
    0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9,
    0x30E3, 0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB,
    0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1,
    0x30C4, 0x30C6, 0x30C8, 0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5,
    0x30D8, 0x30DB, 0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9,
    0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3, 0x3099, 0x309A,
};

#define DAKUTEN    0x3099 /* combining voiced sound mark */
#define HANDAKUTEN 0x309A /* combining semi-voiced sound mark */

/* One code point as the search compares it. */
static uint32_t fold(uint32_t c)
{
	if (c >= 0xFF01 && c <= 0xFF5E) /* full-width ASCII, then as ASCII */
		c -= 0xFEE0;
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7) /* Latin-1 capitals */
		return c + 32;
	if (c == 0x3000) /* ideographic space */
		return ' ';
	if (c >= 0x3041 && c <= 0x3096) /* hiragana → katakana */
		return c + 0x60;
	if (c >= 0xFF61 && c <= 0xFF9F)
		return halfwidth_kana[c - 0xFF61];
	if (c == 0x309B)
		return DAKUTEN;
	if (c == 0x309C)
		return HANDAKUTEN;
	return c;
}

/* The katakana base with a voicing mark on it, or 0 when the two do not combine. */
static uint32_t voiced(uint32_t base, uint32_t mark)
{
	bool ka_to_to = base >= 0x30AB && base <= 0x30C8 && base != 0x30C3 &&
	                (base < 0x30C3 ? (base - 0x30AB) % 2 == 0 : (base - 0x30C4) % 2 == 0);
	bool ha_row = base >= 0x30CF && base <= 0x30DB && (base - 0x30CF) % 3 == 0;
	if (mark == DAKUTEN) {
		if (ka_to_to || ha_row)
			return base + 1;
		if (base == 0x30A6) /* ウ → ヴ */
			return 0x30F4;
		return 0;
	}
	return ha_row ? base + 2 : 0;
}

/* The next character folded, a voicing mark after it taken into it; 0 at the end. */
static uint32_t next_char(const unsigned char **p)
{
	uint32_t c = fold(next_cp(p));
	if (c >= 0x30A1 && c <= 0x30FA) {
		const unsigned char *q = *p;
		uint32_t mark = fold(next_cp(&q));
		uint32_t v = mark == DAKUTEN || mark == HANDAKUTEN ? voiced(c, mark) : 0;
		if (v) {
			*p = q;
			c = v;
		}
	}
	return c;
}

/* What a character does to the runs terms are cut from. */
enum kind {
	KIND_END,
	KIND_BLANK, /* whitespace: ends a run; a space between two Japanese runs is bridged */
	KIND_BREAK, /* other symbols: ends a run */
	KIND_JOIN,  /* punctuation inside a code or word ("-", "・", "’", accents): dropped */
	KIND_WORD,  /* letters and digits outside CJK: trigrams */
	KIND_CJK,   /* kana, kanji, hangul: bigrams */
};

static enum kind kind_of(uint32_t c)
{
	if (c == 0)
		return KIND_END;
	if (c < 0x80) {
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			return KIND_WORD;
		if (c <= ' ' || c == 0x7F)
			return KIND_BLANK;
		return KIND_JOIN;
	}
	if (c < 0xC0 || c == 0xD7 || c == 0xF7)
		return KIND_BREAK;
	if (c >= 0x300 && c <= 0x36F) /* combining accents */
		return KIND_JOIN;
	if ((c >= 0x2010 && c <= 0x2015) || c == 0x2018 || c == 0x2019)
		return KIND_JOIN;
	if (c >= 0x2000 && c <= 0x2BFF)
		return KIND_BREAK;
	if (c >= 0x3005 && c <= 0x3007) /* 々 〆 〇 */
		return KIND_CJK;
	if (c >= 0x3000 && c <= 0x303F)
		return KIND_BREAK;
	if (c >= DAKUTEN && c <= 0x309C) /* a voicing mark on nothing it voices */
		return KIND_JOIN;
	if (c == 0x30FB) /* ・ */
		return KIND_JOIN;
	if (c == 0x30A0)
		return KIND_BREAK;
	if ((c >= 0x3040 && c <= 0x31FF) || (c >= 0x3400 && c <= 0x4DBF) ||
	    (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
	    (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF))
		return KIND_CJK;
	if ((c >= 0x3200 && c <= 0x33FF) || (c >= 0x4DC0 && c <= 0x4DFF) ||
	    (c >= 0xE000 && c <= 0xF8FF) || (c >= 0xFE10 && c <= 0xFFFF) || c >= 0x10000)
		return KIND_BREAK;
	if (c >= 0xFE00 && c <= 0xFE0F) /* variation selectors */
		return KIND_JOIN;
	return KIND_WORD;
}

/* ---- cutting runs into terms ---- */

static void add_term(struct search_terms *t, const uint32_t *c, size_t n)
{
	if (t->n == t->cap) {
		t->truncated = true;
		return;
	}
	char *out = t->terms[t->n++];
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += utf8_put(c[i], out + len); /* n <= 3 characters of <= 4 bytes */
	out[len] = '\0';
}

struct cutter {
	struct search_terms *t;
	bool bridge;     /* a return's text: bigrams across a space between Japanese runs */
	enum kind run;   /* KIND_WORD, KIND_CJK, or KIND_END for none */
	uint32_t win[3]; /* the run's last three characters, the newest last */
	size_t len;      /* the run's length */
	uint32_t last_cjk;
	bool may_bridge; /* a Japanese run ended in last_cjk and only blanks followed */
};

static void end_run(struct cutter *k)
{
	if (k->run == KIND_WORD && k->len <= 2)
		add_term(k->t, k->win + 3 - k->len, k->len);
	if (k->run == KIND_CJK && k->len == 1)
		add_term(k->t, k->win + 2, 1);
	if (k->run != KIND_END) {
		k->may_bridge = k->run == KIND_CJK;
		k->last_cjk = k->win[2];
	}
	k->run = KIND_END;
	k->len = 0;
}

static void push(struct cutter *k, enum kind kind, uint32_t c)
{
	if (k->run != kind)
		end_run(k);
	if (kind == KIND_CJK && k->len == 0 && k->may_bridge && k->bridge)
		add_term(k->t, (uint32_t[]){k->last_cjk, c}, 2);
	k->may_bridge = false;
	k->run = kind;
	k->win[0] = k->win[1];
	k->win[1] = k->win[2];
	k->win[2] = c;
	k->len++;
	if (kind == KIND_WORD && k->len >= 3)
		add_term(k->t, k->win, 3);
	if (kind == KIND_CJK && k->len >= 2)
		add_term(k->t, k->win + 1, 2);
}

/* Cuts text into k's terms. */
static void cut(struct cutter *k, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	for (;;) {
		uint32_t c = next_char(&p);
		enum kind kind = kind_of(c);
		if (kind == KIND_END)
			break;
		if (kind == KIND_WORD || kind == KIND_CJK) {
			push(k, kind, c);
		} else if (kind == KIND_BLANK) {
			end_run(k);
		} else if (kind == KIND_BREAK) {
			end_run(k);
			k->may_bridge = false;
		}
	}
	end_run(k);
}

void search_terms_init(struct search_terms *t, search_term *buf, size_t cap)
{
	*t = (struct search_terms){.terms = buf, .cap = cap};
}

void search_terms_add(struct search_terms *t, const char *text)
{
	struct cutter k = {.t = t, .bridge = true, .run = KIND_END};
	if (text)
		cut(&k, text);
}

static int term_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

void search_terms_finish(struct search_terms *t)
{
	if (t->n == 0)
		return;
	qsort(t->terms, t->n, sizeof(search_term), term_cmp);
	size_t kept = 1;
	for (size_t i = 1; i < t->n; i++)
		if (strcmp(t->terms[i], t->terms[kept - 1]) != 0)
			memcpy(t->terms[kept++], t->terms[i], sizeof(search_term));
	t->n = kept;
}

/* ---- queries ---- */

/* One e-mail address: something@something, no blank inside (surrounding blanks allowed). */
static bool is_email(const char *q)
{
	while (*q == ' ' || *q == '\t')
		q++;
	const char *at = NULL, *end = q;
	size_t ats = 0;
	for (; *end && *end != ' ' && *end != '\t' && *end != '\r' && *end != '\n'; end++)
		if (*end == '@') {
			at = end;
			ats++;
		}
	const char *rest = end;
	while (*rest == ' ' || *rest == '\t' || *rest == '\r' || *rest == '\n')
		rest++;
	return *rest == '\0' && ats == 1 && at > q && at + 1 < end;
}

enum search_query search_query_read(const char *q, struct search_terms *out)
{
	assert(out->cap >= SEARCH_QUERY_TERMS);
	out->n = 0;
	out->truncated = false;
	/* Every term of what was typed, in order; a query cuts into at most one per character. */
	search_term all[SEARCH_QUERY_CHARS + 1];
	struct search_terms t;
	search_terms_init(&t, all, SEARCH_QUERY_CHARS + 1);
	struct cutter k = {.t = &t, .bridge = false, .run = KIND_END};
	char rma[RMA_LEN + 1];
	size_t chars = 0, blanks = 0;
	for (const unsigned char *p = (const unsigned char *)q; *p;) {
		chars++;
		blanks += kind_of(fold(next_cp(&p))) == KIND_BLANK;
	}
	if (chars > SEARCH_QUERY_CHARS)
		return SEARCH_TOO_LONG;
	if (blanks == chars)
		return SEARCH_BLANK;
	if (is_email(q))
		return SEARCH_EMAIL;
	cut(&k, rma_normalize(q, rma) ? rma : q);
	/* Without repeats, in the order typed. */
	size_t n = 0;
	for (size_t i = 0; i < t.n; i++) {
		bool seen = false;
		for (size_t j = 0; j < n && !seen; j++)
			seen = strcmp(all[j], all[i]) == 0;
		if (!seen)
			memmove(all[n++], all[i], sizeof(search_term));
	}
	if (n == 0)
		return SEARCH_NOTHING;
	/* At most SEARCH_QUERY_TERMS, spread from the first to the last. */
	size_t take = n < SEARCH_QUERY_TERMS ? n : SEARCH_QUERY_TERMS;
	for (size_t i = 0; i < take; i++) {
		size_t from = take == 1 ? 0 : i * (n - 1) / (take - 1);
		memcpy(out->terms[out->n++], all[from], sizeof(search_term));
	}
	out->truncated = n > take;
	return SEARCH_TERMS;
}

bool search_query_key(const char *q, char key[SEARCH_KEY_SIZE], char rma[SEARCH_KEY_SIZE])
{
	while (*q == ' ' || *q == '\t')
		q++;
	size_t n = strlen(q);
	while (n > 0 && (q[n - 1] == ' ' || q[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= SEARCH_KEY_SIZE)
		return false;
	bool digit = false;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)q[i] <= ' ' ||
		    (i + 2 < n && memcmp(q + i, "\xe3\x80\x80", 3) == 0)) /* U+3000, a space */
			return false;
		digit |= q[i] >= '0' && q[i] <= '9';
	}
	memcpy(key, q, n);
	key[n] = '\0';
	if (!rma_normalize(key, rma))
		rma[0] = '\0';
	return digit || rma[0]; /* a word of no digit is a name, not a number */
}
