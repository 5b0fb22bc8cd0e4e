#include "validate/check.h"

#include "util/timefmt.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void check_init(struct checker *c, struct arena *a)
{
	c->arena = a;
	c->errors = json_array();
	c->prefix = "";
}

bool check_ok(const struct checker *c)
{
	return json_array_size(c->errors) == 0;
}

void check_fail(struct checker *c, const char *field, const char *message)
{
	char *name = arena_printf(c->arena, "%s%s", c->prefix, field);
	json_array_append_new(c->errors,
	                      json_pack("{s:s, s:s}", "field", name, "message", message));
}

void check_enter(struct checker *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[128];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	c->prefix = arena_strdup(c->arena, buf);
}

/* The value at key, or NULL when missing or null; reports a missing required field. */
static json_t *get(struct checker *c, json_t *obj, const char *key, enum presence p)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	if (v && json_is_null(v))
		v = NULL;
	if (!v && p == REQUIRED)
		check_fail(c, key, "is required");
	return v;
}

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		unsigned c = *p++;
		size_t more;
		unsigned min, cp;
		if (c < 0x80)
			continue;
		else if (c >= 0xC2 && c <= 0xDF)
			more = 1, min = 0x80, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			more = 2, min = 0x800, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			more = 3, min = 0x10000, cp = c & 0x07;
		else
			return false;
		if ((size_t)(end - p) < more)
			return false;
		for (size_t i = 0; i < more; i++, p++) {
			if ((*p & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (*p & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
	}
	return true;
}

void text_printable(char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			s[i] = '?';
	if (!utf8_valid(s, n))
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] >= 0x80)
				s[i] = '?';
}

static size_t utf8_length(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static bool has_controls(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7F)
			return true;
	}
	return false;
}

const char *check_string(struct checker *c, json_t *obj, const char *key, enum presence p,
                         size_t min, size_t max, const char *def)
{
	json_t *v = get(c, obj, key, p);
	if (!v)
		return def;
	if (!json_is_string(v)) {
		check_fail(c, key, "must be a string");
		return def;
	}
	const char *s = json_string_value(v);
	size_t bytes = json_string_length(v);
	if (bytes != strlen(s) || has_controls(s, bytes)) {
		check_fail(c, key, "must not contain control characters");
		return def;
	}
	size_t n = utf8_length(s);
	if (n < min) {
		check_fail(c, key,
		           min == 1
		               ? "must not be empty"
		               : arena_printf(c->arena, "must be at least %zu characters", min));
		return def;
	}
	if (n > max) {
		check_fail(c, key, arena_printf(c->arena, "must be at most %zu characters", max));
		return def;
	}
	return arena_strndup(c->arena, s, bytes);
}

int64_t check_int(struct checker *c, json_t *obj, const char *key, enum presence p, int64_t min,
                  int64_t max, int64_t def)
{
	json_t *v = get(c, obj, key, p);
	if (!v)
		return def;
	if (!json_is_integer(v)) {
		check_fail(c, key, "must be an integer");
		return def;
	}
	json_int_t i = json_integer_value(v);
	if (i < min || i > max) {
		check_fail(c, key,
		           arena_printf(c->arena, "must be between %lld and %lld", (long long)min,
		                        (long long)max));
		return def;
	}
	return i;
}

int64_t check_query_int(struct checker *c, const char *key, const char *value, int64_t min,
                        int64_t max, int64_t def)
{
	if (!value || !*value)
		return def;
	char *end = NULL;
	errno = 0;
	long long v = strtoll(value, &end, 10);
	if (errno || *end || v < min || v > max) {
		check_fail(c, key,
		           arena_printf(c->arena, "must be a whole number between %lld and %lld",
		                        (long long)min, (long long)max));
		return def;
	}
	return v;
}

int check_query_enum(struct checker *c, const char *key, const char *value,
                     const char *const *names, size_t n)
{
	if (!value || !*value)
		return -1;
	json_t *obj = json_pack("{s:s}", key, value);
	if (!obj) { /* not UTF-8: no name matches */
		obj = json_pack("{s:s}", key, "");
	}
	int i = check_enum(c, obj, key, OPTIONAL, names, n);
	json_decref(obj);
	return i;
}

bool check_bool(struct checker *c, json_t *obj, const char *key, enum presence p, bool def)
{
	json_t *v = get(c, obj, key, p);
	if (!v)
		return def;
	if (!json_is_boolean(v)) {
		check_fail(c, key, "must be true or false");
		return def;
	}
	return json_is_true(v);
}

int check_enum(struct checker *c, json_t *obj, const char *key, enum presence p,
               const char *const *names, size_t n)
{
	json_t *v = get(c, obj, key, p);
	if (!v)
		return -1;
	if (json_is_string(v))
		for (size_t i = 0; i < n; i++)
			if (names[i] && strcmp(names[i], json_string_value(v)) == 0)
				return (int)i;
	size_t len = 16;
	for (size_t i = 0; i < n; i++)
		len += names[i] ? strlen(names[i]) + 2 : 0;
	char *msg = arena_alloc(c->arena, len), *m = msg;
	m += sprintf(m, "must be one of ");
	for (size_t i = 0; i < n; i++)
		if (names[i])
			m += sprintf(m, "%s%s", i ? ", " : "", names[i]);
	check_fail(c, key, msg);
	return -1;
}

int64_t check_time(struct checker *c, json_t *obj, const char *key, enum presence p, bool *present)
{
	json_t *v = get(c, obj, key, p);
	int64_t t = 0;
	*present = false;
	if (!v)
		return 0;
	if (!json_is_string(v) || !rfc3339_parse(json_string_value(v), &t)) {
		check_fail(c, key, "must be an RFC 3339 time such as 2026-11-03T09:00:00Z");
		return 0;
	}
	if (t < TIME_API_MIN || t >= TIME_API_MAX) {
		check_fail(c, key,
		           "must be from 2000-01-01T00:00:00Z to before 2100-01-01T00:00:00Z");
		return 0;
	}
	*present = true;
	return t;
}

json_t *check_array(struct checker *c, json_t *obj, const char *key, size_t min, size_t max)
{
	json_t *v = get(c, obj, key, REQUIRED);
	if (!v)
		return NULL;
	if (!json_is_array(v)) {
		check_fail(c, key, "must be an array");
		return NULL;
	}
	size_t n = json_array_size(v);
	if (n < min || n > max) {
		check_fail(
		    c, key,
		    n < min ? (min == 1 ? "must not be empty"
		                        : arena_printf(c->arena, "needs at least %zu entries", min))
		            : arena_printf(c->arena, "must have at most %zu entries", max));
		return NULL;
	}
	return v;
}

json_t *check_object(struct checker *c, json_t *obj, const char *key, enum presence p)
{
	json_t *v = get(c, obj, key, p);
	if (v && !json_is_object(v)) {
		check_fail(c, key, "must be an object");
		return NULL;
	}
	return v;
}

char *trim_copy(struct arena *a, const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return arena_strndup(a, s, n);
}

char *email_key(struct arena *a, const char *s)
{
	char *k = trim_copy(a, s);
	for (char *p = k; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return k;
}

bool email_same(struct arena *a, const char *x, const char *y)
{
	return strcmp(email_key(a, x), email_key(a, y)) == 0;
}

int64_t segment_id(const char *s)
{
	char *end = NULL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	return *s >= '1' && *s <= '9' && *end == '\0' && !errno ? v : 0;
}

bool email_plausible(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);
	if (!at || at == s || at[1] == '\0' || strchr(at + 1, '@') || n > 254)
		return false;
	for (const char *p = s; *p; p++)
		if (*p == ' ' || *p == '\t' || *p == '\n')
			return false;
	return true;
}

bool segment_plausible(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (const char *p = s; *p; p++)
		if (*p <= ' ' || *p >= 0x7F || strchr("/?#%\\", *p))
			return false;
	return true;
}
