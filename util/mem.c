#include "util/mem.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK      16384
#define ARENA_KEEP       16 /* blocks kept across resets: a usual request's 256 KiB */
#define ARENA_TRIM_AFTER (1024 * 1024)

struct arena_block {
	struct arena_block *next;
	size_t size; /* usable bytes in data[] */
	size_t used;
	_Alignas(16) unsigned char data[];
};

static void oom(size_t n)
{
	fprintf(stderr, "kaeru: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

static struct arena_block *block_new(size_t need)
{
	size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
	struct arena_block *b = xmalloc(sizeof(*b) + size);
	b->size = size;
	b->used = 0;
	b->next = NULL;
	return b;
}

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct arena_block *b = a->head;
	if (!b || b->size - b->used < n) {
		/* Reuse a kept block when it is big enough; large requests get their own. */
		struct arena_block **pp = &a->free;
		while (*pp && (*pp)->size < n)
			pp = &(*pp)->next;
		if (*pp) {
			b = *pp;
			*pp = b->next;
			b->used = 0;
		} else {
			b = block_new(n);
		}
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

void *arena_zalloc(struct arena *a, size_t n)
{
	return memset(arena_alloc(a, n), 0, n);
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	char *p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_reset(struct arena *a)
{
	size_t kept = 0, freed = 0;
	for (struct arena_block *b = a->free; b; b = b->next)
		kept++;
	while (a->head) {
		struct arena_block *b = a->head;
		a->head = b->next;
		if (b->size > ARENA_BLOCK || kept == ARENA_KEEP) {
			freed += b->size;
			free(b);
		} else {
			b->next = a->free;
			a->free = b;
			kept++;
		}
	}
	/* libc keeps what a large request freed in its own free lists: hand it to the system. */
	if (freed >= ARENA_TRIM_AFTER)
		malloc_trim(0);
}

void arena_free(struct arena *a)
{
	arena_reset(a);
	while (a->free) {
		struct arena_block *b = a->free;
		a->free = b->next;
		free(b);
	}
}

size_t arena_held(const struct arena *a)
{
	size_t n = 0;
	for (const struct arena_block *b = a->head; b; b = b->next)
		n += b->size;
	for (const struct arena_block *b = a->free; b; b = b->next)
		n += b->size;
	return n;
}
