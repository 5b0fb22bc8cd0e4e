/* Memory: allocation that aborts on exhaustion, and per-request arenas. */
#ifndef KAERU_UTIL_MEM_H
#define KAERU_UTIL_MEM_H

#include <stddef.h>

/* Allocate or abort: out of memory is not a condition kaeru tries to survive. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* A bump allocator: many small allocations, freed together by arena_reset()/arena_free().
 * A few standard blocks are kept across resets so a worker's steady state allocates nothing
 * from libc; what one large request took beyond them is given back at its reset. */
struct arena_block;
struct arena {
	struct arena_block *head; /* block being filled */
	struct arena_block *free; /* blocks kept for reuse */
};

void *arena_alloc(struct arena *a, size_t n); /* 16-byte aligned, uninitialised */
void *arena_zalloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* printf into the arena; returns the new string. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Forgets all allocations; keeps up to 16 standard blocks, frees the rest and larger ones. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a); /* give all memory back */
/* Bytes the arena holds from libc, used or kept. */
size_t arena_held(const struct arena *a);

#endif
