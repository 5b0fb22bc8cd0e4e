/* What kaeru-fcgi and kaeru-photo say to each other. kaeru-fcgi runs kaeru-photo once per
 * upload, writes the uploaded bytes on its stdin and closes it; kaeru-photo answers one reply on
 * its stdout and exits 0. Integers are unsigned 32-bit little-endian:
 *
 *   reply:     "KPH1"  total_len  verdict  width  height  count     (PHOTO_REPLY_HEADER_LEN)
 *   count ×    format  width  height  len  bytes[len]               (PHOTO_RENDITION_HEADER_LEN +
 * len)
 *
 * total_len is the whole reply's length, header included, so the reader allocates once (and
 * refuses more than PHOTO_REPLY_MAX before it allocates). width and height are the upright
 * original's; a verdict other than PHOTO_OK has no renditions and width and height 0.
 * kaeru-fcgi trusts none of it: photo_reply_parse checks every field, and each rendition's bytes
 * must begin as its format does. */
#ifndef KAERU_PHOTO_PROTOCOL_H
#define KAERU_PHOTO_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PHOTO_INPUT_MAX            (10 * 1024 * 1024) /* the largest upload (fcgi/http.h UPLOAD_BODY_MAX) */
#define PHOTO_REPLY_MAX            (8 * PHOTO_INPUT_MAX) /* more is a broken kaeru-photo, not a photo */
#define PHOTO_PIXELS_MAX           (40 * 1000 * 1000) /* larger images are refused from their header */
#define PHOTO_SIDE_MAX             16383              /* WebP's largest side */
#define PHOTO_RENDITIONS_MAX       8 /* 4 widths (400, 800, 1600, the original's) × 2 formats */
#define PHOTO_REPLY_HEADER_LEN     24
#define PHOTO_RENDITION_HEADER_LEN 16
/* kaeru-photo's exit statuses: 0 once its reply is written, whatever the verdict; */
#define PHOTO_EXIT_USAGE    2 /* a bad argument, or more than PHOTO_INPUT_MAX bytes in */
#define PHOTO_EXIT_UNUSABLE 3 /* it cannot work here (libvips, its limits): try again later */

/* What kaeru-photo made of the bytes. */
enum photo_verdict {
	PHOTO_OK,              /* renditions follow */
	PHOTO_NOT_IMAGE,       /* not JPEG, PNG, WebP or HEIC by its first bytes */
	PHOTO_TOO_MANY_PIXELS, /* over PHOTO_PIXELS_MAX or PHOTO_SIDE_MAX, from its header */
	PHOTO_BROKEN,          /* its header or pixels cannot be read */
	PHOTO_VERDICT__MAX
};

enum photo_format { PHOTO_WEBP, PHOTO_JPEG, PHOTO_FORMAT__MAX };

struct photo_rendition {
	enum photo_format format;
	int width, height;
	const unsigned char *bytes; /* inside the parsed reply */
	size_t len;
};

struct photo_reply {
	enum photo_verdict verdict;
	int width, height; /* the upright original's */
	struct photo_rendition r[PHOTO_RENDITIONS_MAX];
	size_t n;
};

/* Unsigned 32-bit little-endian integers, as the reply and RIFF (WebP) write them. */
uint32_t photo_le32(const unsigned char *p);
void photo_put_le32(unsigned char *p, uint32_t v);
/* Writes a reply's header into out; total_len counts the renditions that will follow. */
void photo_reply_header(unsigned char out[PHOTO_REPLY_HEADER_LEN], size_t total_len,
                        enum photo_verdict verdict, int width, int height, size_t count);
/* Writes the header of one rendition (its len bytes follow it) into out. */
void photo_rendition_header(unsigned char out[PHOTO_RENDITION_HEADER_LEN], enum photo_format format,
                            int width, int height, size_t len);
/* The total_len of a reply's first PHOTO_REPLY_HEADER_LEN bytes; 0 when they are not a reply's
 * header or total_len is out of [PHOTO_REPLY_HEADER_LEN, PHOTO_REPLY_MAX]. */
size_t photo_reply_length(const unsigned char head[PHOTO_REPLY_HEADER_LEN]);
/* Reads a whole reply of n bytes into *out, its renditions pointing into b. false, with *out
 * unspecified, when any field is out of range, the lengths do not add up to n, or a
 * rendition's bytes are not of its format. */
bool photo_reply_parse(const unsigned char *b, size_t n, struct photo_reply *out);

#endif
