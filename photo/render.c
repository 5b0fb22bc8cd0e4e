/* Images go through libvips (Debian's libvips-dev): it reads JPEG, PNG, WebP and HEIC, reads
 * the header without decoding the pixels (so a decompression bomb is refused before it takes
 * memory), decodes in a streaming way with shrink-on-load (vips_thumbnail: a 12-megapixel phone
 * JPEG is decoded at 1/4 or 1/8 scale straight away), applies the EXIF orientation, and saves
 * without metadata. It is maintained, fuzzed (OSS-Fuzz) and used in production by large image
 * services; ImageMagick is broader but heavier per image and has a longer record of
 * decoder CVEs. Only the four loaders above are ever run: the bytes' magic picks the loader,
 * and vips_block_untrusted_set keeps the others (and ImageMagick's) away.
 *
 * What is kept: renditions re-encoded from the upright pixels at fixed widths (400, 800, 1600,
 * and the original's own width when narrower; never upscaled), each as WebP and JPEG, with no
 * EXIF, XMP, IPTC or ICC: a phone photo's GPS position never leaves kaeru. The uploaded bytes
 * are not kept.
 *
 * This runs in kaeru-photo, a process of its own per upload (photo/main.c): libvips and the
 * hundred libraries it brings stay out of kaeru-fcgi, and a decoder that crashes, loops or
 * swells takes only this process with it. */
#include "photo/render.h"

#include <stdio.h>
#include <string.h>
#include <vips/vips.h>

#define RENDITION_WIDE_MAX 1600

static const int rendition_widths[] = {400, 800, RENDITION_WIDE_MAX};
#define WIDTHS_MAX 4 /* the fixed ones and the original's own */
_Static_assert(WIDTHS_MAX *PHOTO_FORMAT__MAX <= PHOTO_RENDITIONS_MAX, "a reply holds them all");

bool photo_library_init(const char *argv0)
{
	if (VIPS_INIT(argv0 ? argv0 : "kaeru-photo"))
		return false;
	vips_cache_set_max(0);          /* no operation cache: nothing is done twice */
	vips_concurrency_set(1);        /* one thread: kaeru-fcgi's workers are the parallelism */
	vips_block_untrusted_set(TRUE); /* loaders not fuzzed for hostile input stay off */
	return true;
}

enum image_kind { IMAGE_JPEG, IMAGE_PNG, IMAGE_WEBP, IMAGE_HEIC, IMAGE__MAX };

/* The kind of image the bytes are, by their magic; IMAGE__MAX when none kaeru takes. */
static enum image_kind image_kind_of(const unsigned char *b, size_t n)
{
	if (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return IMAGE_JPEG;
	if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
		return IMAGE_PNG;
	if (n >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
		return IMAGE_WEBP;
	if (n >= 12 && memcmp(b + 4, "ftyp", 4) == 0 &&
	    (memcmp(b + 8, "heic", 4) == 0 || memcmp(b + 8, "heix", 4) == 0 ||
	     memcmp(b + 8, "mif1", 4) == 0 || memcmp(b + 8, "msf1", 4) == 0))
		return IMAGE_HEIC;
	return IMAGE__MAX;
}

/* The image's header, read without decoding its pixels (access sequential). NULL when the
 * bytes cannot be read. */
static VipsImage *image_header(enum image_kind kind, const void *buf, size_t len)
{
	VipsImage *img = NULL;
	int rc = -1;
	switch (kind) {
	case IMAGE_JPEG:
		rc = vips_jpegload_buffer((void *)buf, len, &img, "access", VIPS_ACCESS_SEQUENTIAL,
		                          NULL);
		break;
	case IMAGE_PNG:
		rc = vips_pngload_buffer((void *)buf, len, &img, "access", VIPS_ACCESS_SEQUENTIAL,
		                         NULL);
		break;
	case IMAGE_WEBP:
		rc = vips_webpload_buffer((void *)buf, len, &img, "access", VIPS_ACCESS_SEQUENTIAL,
		                          NULL);
		break;
	case IMAGE_HEIC:
		rc = vips_heifload_buffer((void *)buf, len, &img, "access", VIPS_ACCESS_SEQUENTIAL,
		                          NULL);
		break;
	case IMAGE__MAX:
		break;
	}
	return rc == 0 ? img : NULL;
}

static void *metadata_name(VipsImage *img, const char *name, GValue *value, void *names)
{
	(void)img;
	(void)value;
	if (strcmp(name, "exif-data") == 0 || strcmp(name, "xmp-data") == 0 ||
	    strcmp(name, "iptc-data") == 0 || strcmp(name, "icc-profile-data") == 0 ||
	    strncmp(name, "exif-", 5) == 0 || strncmp(name, "png-comment", 11) == 0 ||
	    strcmp(name, "orientation") == 0 || strncmp(name, "heif-", 5) == 0)
		g_ptr_array_add(names, g_strdup(name));
	return NULL;
}

/* A copy of in without any metadata: savers are also told to strip, but their idea of "all"
 * has varied between libvips versions (8.14's WebP saver kept EXIF GPS tags). */
static VipsImage *without_metadata(VipsImage *in)
{
	VipsImage *out = NULL;
	if (vips_copy(in, &out, NULL) != 0)
		return NULL;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	vips_image_map(out, metadata_name, names);
	for (guint i = 0; i < names->len; i++)
		vips_image_remove(out, g_ptr_array_index(names, i));
	g_ptr_array_free(names, TRUE);
	return out;
}

/* Drops the EXIF and XMP chunks of a WebP file in place (and their flags in VP8X); returns the
 * new length. Debian's libvips 8.14 writes a fresh EXIF chunk (orientation, resolution) into
 * WebP even when told to strip. */
static size_t webp_strip(unsigned char *b, size_t len)
{
	if (len < 12 || memcmp(b, "RIFF", 4) != 0 || memcmp(b + 8, "WEBP", 4) != 0)
		return len;
	size_t in = 12, out = 12;
	while (in + 8 <= len) {
		size_t size = photo_le32(b + in + 4), whole = 8 + size + (size & 1);
		if (whole > len - in)
			break;
		bool drop = memcmp(b + in, "EXIF", 4) == 0 || memcmp(b + in, "XMP ", 4) == 0;
		if (memcmp(b + in, "VP8X", 4) == 0 && size >= 1)
			b[in + 8] &= (unsigned char)~(0x08 | 0x04); /* the EXIF and XMP flags */
		if (!drop) {
			memmove(b + out, b + in, whole);
			out += whole;
		}
		in += whole;
	}
	photo_put_le32(b + 4, (uint32_t)(out - 8));
	return out;
}

/* The rendition of buf at width in format, upright and without metadata, added to out. Each
 * format decodes anew: a sequential read streams once, and keeping the decoded pixels instead
 * could take 100 MB for a tall image. false when libvips fails. */
static bool render_one(const void *buf, size_t len, int width, enum photo_format format,
                       struct photo_reply *out)
{
	VipsImage *t = NULL, *flat = NULL;
	/* Auto-rotates by the EXIF orientation; shrinks on load; never upscales. */
	if (vips_thumbnail_buffer((void *)buf, len, &t, width, "height", VIPS_MAX_COORD, "size",
	                          VIPS_SIZE_DOWN, NULL) != 0)
		return false;
	VipsImage *bare = without_metadata(t);
	g_object_unref(t);
	if (!bare)
		return false;
	bool ok = true;
	if (format == PHOTO_JPEG && vips_image_hasalpha(bare)) { /* no alpha: lay it on white */
		VipsArrayDouble *white = vips_array_double_newv(1, 255.0);
		ok = vips_flatten(bare, &flat, "background", white, NULL) == 0;
		vips_area_unref(VIPS_AREA(white));
	}
	void *bytes = NULL;
	size_t bytes_len = 0;
	if (ok)
		ok = (format == PHOTO_WEBP
		          ? vips_webpsave_buffer(bare, &bytes, &bytes_len, "Q", 80, "strip", TRUE,
		                                 NULL)
		          : vips_jpegsave_buffer(flat ? flat : bare, &bytes, &bytes_len, "Q", 82,
		                                 "strip", TRUE, "interlace", TRUE,
		                                 "optimize_coding", TRUE, NULL)) == 0;
	if (ok) {
		if (format == PHOTO_WEBP)
			bytes_len = webp_strip(bytes, bytes_len);
		out->r[out->n++] = (struct photo_rendition){.format = format,
		                                            .width = vips_image_get_width(bare),
		                                            .height = vips_image_get_height(bare),
		                                            .bytes = bytes,
		                                            .len = bytes_len};
	} else {
		g_free(bytes);
	}
	if (flat)
		g_object_unref(flat);
	g_object_unref(bare);
	return ok;
}

enum photo_verdict photo_render(const void *buf, size_t len, struct photo_reply *out)
{
	memset(out, 0, sizeof(*out));
	enum image_kind kind = image_kind_of(buf, len);
	if (kind == IMAGE__MAX)
		return out->verdict = PHOTO_NOT_IMAGE;
	VipsImage *img = image_header(kind, buf, len);
	if (!img) {
		vips_error_clear();
		return out->verdict = PHOTO_BROKEN;
	}
	int64_t w = vips_image_get_width(img), h = vips_image_get_height(img);
	bool swap = vips_image_get_orientation_swap(img);
	g_object_unref(img);
	if (w * h > PHOTO_PIXELS_MAX || w > PHOTO_SIDE_MAX || h > PHOTO_SIDE_MAX)
		return out->verdict = PHOTO_TOO_MANY_PIXELS;
	int width = (int)(swap ? h : w), height = (int)(swap ? w : h);

	int widths[WIDTHS_MAX], n = 0;
	for (size_t i = 0; i < sizeof(rendition_widths) / sizeof(rendition_widths[0]); i++)
		if (rendition_widths[i] <= width)
			widths[n++] = rendition_widths[i];
	if (width < RENDITION_WIDE_MAX && (n == 0 || widths[n - 1] != width))
		widths[n++] = width;
	for (int i = 0; i < n * PHOTO_FORMAT__MAX; i++)
		if (!render_one(buf, len, widths[i / PHOTO_FORMAT__MAX],
		                (enum photo_format)(i % PHOTO_FORMAT__MAX), out)) {
			fprintf(stderr, "kaeru-photo: image not rendered: %s\n",
			        vips_error_buffer());
			vips_error_clear();
			photo_render_free(out);
			return out->verdict = PHOTO_BROKEN;
		}
	out->width = width;
	out->height = height;
	return out->verdict = PHOTO_OK;
}

void photo_render_free(struct photo_reply *r)
{
	for (size_t i = 0; i < r->n; i++)
		g_free((void *)r->r[i].bytes);
	r->n = 0;
}
