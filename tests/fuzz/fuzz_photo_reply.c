/* kaeru-photo's reply as kaeru-fcgi reads it (photo/protocol.c), from a decoder that may be
 * broken or subverted: what is taken lies within the bytes read, holds at most
 * PHOTO_RENDITIONS_MAX renditions of sides kaeru allows, and writing it again gives back the
 * very bytes (nothing was skipped or guessed). */
#include "photo/protocol.h"
#include "tests/fuzz/fuzz.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct photo_reply r;
	if (size < PHOTO_REPLY_HEADER_LEN || !photo_reply_parse(data, size, &r))
		return 0;
	FUZZ_ASSERT(photo_reply_length(data) == size);
	FUZZ_ASSERT(r.verdict < PHOTO_VERDICT__MAX && r.n <= PHOTO_RENDITIONS_MAX);
	FUZZ_ASSERT(r.verdict == PHOTO_OK ? r.n >= 1 : r.n == 0);
	unsigned char *again = malloc(size);
	if (!again)
		abort();
	photo_reply_header(again, size, r.verdict, r.width, r.height, r.n);
	size_t at = PHOTO_REPLY_HEADER_LEN;
	for (size_t i = 0; i < r.n; i++) {
		const struct photo_rendition *p = &r.r[i];
		FUZZ_ASSERT(p->width >= 1 && p->width <= r.width && p->height >= 1 &&
		            p->height <= PHOTO_SIDE_MAX);
		FUZZ_ASSERT(p->bytes >= data && p->len <= size && p->bytes + p->len <= data + size);
		photo_rendition_header(again + at, p->format, p->width, p->height, p->len);
		memcpy(again + at + PHOTO_RENDITION_HEADER_LEN, p->bytes, p->len);
		at += PHOTO_RENDITION_HEADER_LEN + p->len;
	}
	FUZZ_ASSERT(at == size && memcmp(again, data, size) == 0);
	free(again);
	return 0;
}
