/* UTF-8 one code point at a time, for the code that reads text by character (the label's
 * font runs, the search's terms). */
#ifndef KAERU_CORE_UTF8_H
#define KAERU_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the code point at s (NUL-terminated) into *cp and returns the bytes it took (at least 1).
 * A malformed sequence gives U+FFFD and takes one byte; the NUL is never read past. */
size_t utf8_next(const unsigned char *s, uint32_t *cp);
/* Writes cp (a valid scalar value) as UTF-8 into out[4]; returns the length. */
size_t utf8_put(uint32_t cp, char out[4]);

#endif
