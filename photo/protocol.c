#include "photo/protocol.h"

#include <string.h>

static const unsigned char reply_magic[4] = {'K', 'P', 'H', '1'};

void photo_put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

uint32_t photo_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void photo_reply_header(unsigned char out[PHOTO_REPLY_HEADER_LEN], size_t total_len,
                        enum photo_verdict verdict, int width, int height, size_t count)
{
	memcpy(out, reply_magic, 4);
	photo_put_le32(out + 4, (uint32_t)total_len);
	photo_put_le32(out + 8, (uint32_t)verdict);
	photo_put_le32(out + 12, (uint32_t)width);
	photo_put_le32(out + 16, (uint32_t)height);
	photo_put_le32(out + 20, (uint32_t)count);
}

void photo_rendition_header(unsigned char out[PHOTO_RENDITION_HEADER_LEN], enum photo_format format,
                            int width, int height, size_t len)
{
	photo_put_le32(out, (uint32_t)format);
	photo_put_le32(out + 4, (uint32_t)width);
	photo_put_le32(out + 8, (uint32_t)height);
	photo_put_le32(out + 12, (uint32_t)len);
}

size_t photo_reply_length(const unsigned char head[PHOTO_REPLY_HEADER_LEN])
{
	uint32_t total = photo_le32(head + 4);
	if (memcmp(head, reply_magic, 4) != 0 || total < PHOTO_REPLY_HEADER_LEN ||
	    total > PHOTO_REPLY_MAX)
		return 0;
	return total;
}

/* Whether the bytes begin as an encoder of format writes them. */
static bool bytes_are(enum photo_format format, const unsigned char *b, size_t n)
{
	switch (format) {
	case PHOTO_JPEG:
		return n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff;
	case PHOTO_WEBP:
		return n >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0;
	case PHOTO_FORMAT__MAX:
		break;
	}
	return false;
}

static bool side_ok(uint32_t v)
{
	return v >= 1 && v <= PHOTO_SIDE_MAX;
}

bool photo_reply_parse(const unsigned char *b, size_t n, struct photo_reply *out)
{
	if (n < PHOTO_REPLY_HEADER_LEN || photo_reply_length(b) != n)
		return false;
	uint32_t verdict = photo_le32(b + 8), width = photo_le32(b + 12),
	         height = photo_le32(b + 16), count = photo_le32(b + 20);
	if (verdict >= PHOTO_VERDICT__MAX || count > PHOTO_RENDITIONS_MAX)
		return false;
	if (verdict != PHOTO_OK) {
		if (width || height || count || n != PHOTO_REPLY_HEADER_LEN)
			return false;
	} else if (!side_ok(width) || !side_ok(height) || count == 0) {
		return false;
	}
	memset(out, 0, sizeof(*out));
	out->verdict = (enum photo_verdict)verdict;
	out->width = (int)width;
	out->height = (int)height;
	size_t at = PHOTO_REPLY_HEADER_LEN;
	for (uint32_t i = 0; i < count; i++) {
		if (n - at < PHOTO_RENDITION_HEADER_LEN)
			return false;
		const unsigned char *h = b + at;
		uint32_t format = photo_le32(h), w = photo_le32(h + 4), hh = photo_le32(h + 8),
		         len = photo_le32(h + 12);
		at += PHOTO_RENDITION_HEADER_LEN;
		/* never upscaled: no rendition is wider than the original */
		if (format >= PHOTO_FORMAT__MAX || !side_ok(w) || !side_ok(hh) || w > width ||
		    len > n - at || !bytes_are((enum photo_format)format, b + at, len))
			return false;
		out->r[out->n++] = (struct photo_rendition){.format = (enum photo_format)format,
		                                            .width = (int)w,
		                                            .height = (int)hh,
		                                            .bytes = b + at,
		                                            .len = len};
		at += len;
	}
	return at == n;
}
