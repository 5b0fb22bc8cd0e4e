/* Validate once, at the edge: small total readers from a JSON body into typed values.
 * Each reader either yields a value or appends {field, message} to the error list, so a
 * handler reports every bad field at once. Field names are JSON paths: "lines[2].sku". */
#ifndef KAERU_VALIDATE_CHECK_H
#define KAERU_VALIDATE_CHECK_H

#include "util/mem.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct checker {
	struct arena *arena;
	json_t *errors;     /* array of {field, message} */
	const char *prefix; /* "" or e.g. "lines[2]." */
};

void check_init(struct checker *c, struct arena *a);
bool check_ok(const struct checker *c);
/* Appends an error for field (prefixed). */
void check_fail(struct checker *c, const char *field, const char *message);
/* Sets the prefix for nested objects: check_enter(c, "lines[%zu].", i). */
void check_enter(struct checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

enum presence { OPTIONAL, REQUIRED };

/* A string of min..max characters (UTF-8 code points; jansson guarantees valid UTF-8),
 * copied into the arena. Missing or null and optional: returns def. Control characters other
 * than newline and tab are refused. */
const char *check_string(struct checker *c, json_t *obj, const char *key, enum presence p,
                         size_t min, size_t max, const char *def);
/* An integer in [min, max]; floats, strings and booleans are refused. */
int64_t check_int(struct checker *c, json_t *obj, const char *key, enum presence p, int64_t min,
                  int64_t max, int64_t def);
bool check_bool(struct checker *c, json_t *obj, const char *key, enum presence p, bool def);
/* One of names[0..n): returns its index, or -1 (with an error when present or required). */
int check_enum(struct checker *c, json_t *obj, const char *key, enum presence p,
               const char *const *names, size_t n);
/* An RFC 3339 time in [TIME_API_MIN, TIME_API_MAX) (util/timefmt.h); *present says whether it
 * was given (null counts as absent). */
int64_t check_time(struct checker *c, json_t *obj, const char *key, enum presence p, bool *present);
/* An array of 1..max elements (or min..max); NULL when missing or wrong. */
json_t *check_array(struct checker *c, json_t *obj, const char *key, size_t min, size_t max);
/* An object; NULL when missing or wrong. */
json_t *check_object(struct checker *c, json_t *obj, const char *key, enum presence p);

/* A query parameter (already decoded) holding a whole number in [min, max]; def when absent
 * or empty. */
int64_t check_query_int(struct checker *c, const char *key, const char *value, int64_t min,
                        int64_t max, int64_t def);
/* A query parameter naming one of names[0..n); -1 when absent or empty. */
int check_query_enum(struct checker *c, const char *key, const char *value,
                     const char *const *names, size_t n);

/* True when the n bytes at s are UTF-8: shortest forms, no surrogates, at most U+10FFFF. */
bool utf8_valid(const char *s, size_t n);

/* Makes s fit to show in an answer, in place: control characters become '?', and so does
 * every byte beyond ASCII when s is not UTF-8. */
void text_printable(char *s);

/* s without surrounding blanks, copied into the arena. */
char *trim_copy(struct arena *a, const char *s);
/* How e-mails are compared (logins, lookup, search): trimmed and lower-cased, in the arena.
 * The one definition: orders and users keep it beside the address, as given, to be found by. */
char *email_key(struct arena *a, const char *s);
/* True when x and y are the same address by email_key. */
bool email_same(struct arena *a, const char *x, const char *y);
/* The positive integer id a path segment spells (no sign, no leading zero), or 0. */
int64_t segment_id(const char *s);

/* Plausible e-mail: one '@' with text on both sides, no blanks, ≤ 254 characters. */
bool email_plausible(const char *s);
/* Identifier-like path segment: 1..max printable ASCII characters without '/', '?', '#', '%'
 * and blanks. */
bool segment_plausible(const char *s, size_t max);

#endif
