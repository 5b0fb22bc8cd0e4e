/* Photos: uploads by the warehouse (of an item, at inspection) and by the customer (of a
 * return with a damaged or defective item), and the renditions served at /media/.
 *
 * Images go through libvips (Debian's libvips-dev): it reads JPEG, PNG, WebP and HEIC, reads
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
 * are not kept. */
#include "core/rma.h"
#include "db/media.h"
#include "fcgi/handlers.h"
#include "fcgi/render.h"
#include "fcgi/session.h"
#include "validate/check.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>
#include <strings.h>
#include <vips/vips.h>

#define PIXELS_MAX         (40 * 1000 * 1000) /* larger images are refused with 422 */
#define SIDE_MAX           16383              /* WebP's largest side */
#define CUSTOMER_PHOTOS    5                  /* per return */
#define ITEM_PHOTOS        20                 /* per item, by the warehouse */
#define RENDITION_WIDE_MAX 1600

static const int rendition_widths[] = {400, 800, RENDITION_WIDE_MAX};
#define WIDTHS_MAX 4 /* the fixed ones and the original's own */

void media_library_init(const char *argv0)
{
	if (VIPS_INIT(argv0 ? argv0 : "kaeru"))
		vips_error_exit("cannot start libvips");
	vips_cache_set_max(0); /* no operation cache: memory stays per request */
	/* An image's buffers (megabytes each) are mapped and unmapped on their own. Left to glibc,
	 * the threshold rises after the first such free and later images land in each worker
	 * thread's heap, which keeps their pages: 200 uploads left kaeru-fcgi at 140 MB. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	vips_concurrency_set(1); /* one thread per image: kaeru's workers are the parallelism */
	vips_block_untrusted_set(TRUE); /* loaders not fuzzed for hostile input stay off */
}

/* ---- reading an upload ---- */

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

enum upload_verdict { UPLOAD_OK, UPLOAD_NOT_IMAGE, UPLOAD_TOO_MANY_PIXELS, UPLOAD_BROKEN };

struct upload {
	char hash[MEDIA_HASH_LEN + 1]; /* SHA-256 of the uploaded bytes */
	int width, height;             /* upright */
	struct rendition r[WIDTHS_MAX * MEDIA_FORMAT__MAX];
	size_t n;
};

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

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
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
		size_t size = le32(b + in + 4), whole = 8 + size + (size & 1);
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
	put_le32(b + 4, (uint32_t)(out - 8));
	return out;
}

/* The rendition of buf at width in format, upright and without metadata, into u (bytes in the
 * arena). Each format decodes anew: a sequential read streams once, and keeping the decoded
 * pixels instead could take 100 MB for a tall image. false when libvips fails. */
static bool render_one(struct arena *a, const void *buf, size_t len, int width,
                       enum media_format format, struct upload *u)
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
	if (format == MEDIA_JPG && vips_image_hasalpha(bare)) { /* no alpha: lay it on white */
		VipsArrayDouble *white = vips_array_double_newv(1, 255.0);
		ok = vips_flatten(bare, &flat, "background", white, NULL) == 0;
		vips_area_unref(VIPS_AREA(white));
	}
	void *out = NULL;
	size_t out_len = 0;
	if (ok)
		ok = (format == MEDIA_WEBP
		          ? vips_webpsave_buffer(bare, &out, &out_len, "Q", 80, "strip", TRUE, NULL)
		          : vips_jpegsave_buffer(flat ? flat : bare, &out, &out_len, "Q", 82,
		                                 "strip", TRUE, "interlace", TRUE,
		                                 "optimize_coding", TRUE, NULL)) == 0;
	if (ok) {
		unsigned char *kept = arena_alloc(a, out_len);
		memcpy(kept, out, out_len);
		if (format == MEDIA_WEBP)
			out_len = webp_strip(kept, out_len);
		u->r[u->n++] = (struct rendition){.width = vips_image_get_width(bare),
		                                  .height = vips_image_get_height(bare),
		                                  .format = format,
		                                  .bytes = kept,
		                                  .len = out_len};
	}
	g_free(out);
	if (flat)
		g_object_unref(flat);
	g_object_unref(bare);
	return ok;
}

/* Checks and renders an upload: its kind by magic, its size in pixels from the header before
 * any pixel is decoded, then every rendition. */
static enum upload_verdict upload_read(struct arena *a, const void *buf, size_t len,
                                       struct upload *u)
{
	memset(u, 0, sizeof(*u));
	enum image_kind kind = image_kind_of(buf, len);
	if (kind == IMAGE__MAX)
		return UPLOAD_NOT_IMAGE;
	VipsImage *img = image_header(kind, buf, len);
	if (!img) {
		vips_error_clear();
		return UPLOAD_BROKEN;
	}
	int64_t w = vips_image_get_width(img), h = vips_image_get_height(img);
	bool swap = vips_image_get_orientation_swap(img);
	g_object_unref(img);
	if (w * h > PIXELS_MAX || w > SIDE_MAX || h > SIDE_MAX)
		return UPLOAD_TOO_MANY_PIXELS;
	u->width = (int)(swap ? h : w);
	u->height = (int)(swap ? w : h);
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, buf, len);
	sodium_bin2hex(u->hash, sizeof(u->hash), digest, sizeof(digest));

	int widths[WIDTHS_MAX], n = 0;
	for (size_t i = 0; i < sizeof(rendition_widths) / sizeof(rendition_widths[0]); i++)
		if (rendition_widths[i] <= u->width)
			widths[n++] = rendition_widths[i];
	if (u->width < RENDITION_WIDE_MAX && (n == 0 || widths[n - 1] != u->width))
		widths[n++] = u->width;
	for (int i = 0; i < n * MEDIA_FORMAT__MAX; i++)
		if (!render_one(a, buf, len, widths[i / MEDIA_FORMAT__MAX],
		                (enum media_format)(i % MEDIA_FORMAT__MAX), u)) {
			fprintf(stderr, "kaeru-fcgi: image not rendered: %s\n",
			        vips_error_buffer());
			vips_error_clear();
			return UPLOAD_BROKEN;
		}
	return UPLOAD_OK;
}

/* ---- answers ---- */

/* Reads the body as an image and keeps it; answers the refusals itself (false). */
static bool take_upload(struct req *r, struct upload *u)
{
	const char *ct = r->content_type ? r->content_type : "";
	static const char *const types[] = {"image/jpeg", "image/png", "image/webp", "image/heic",
	                                    "image/heif"};
	bool typed = false;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t n = strlen(types[i]);
		if (strncasecmp(ct, types[i], n) == 0 && (ct[n] == '\0' || ct[n] == ';'))
			typed = true;
	}
	if (!typed) {
		respond_problem(
		    r, 415, "Unsupported media type",
		    "Send the photo as the body, with Content-Type image/jpeg, image/png "
		    "or image/webp.",
		    NULL);
		return false;
	}
	if (r->body_len == 0) {
		struct checker c;
		check_init(&c, r->arena);
		check_fail(&c, "body", "is empty: send the photo as the body");
		respond_invalid(r, c.errors);
		return false;
	}
	enum upload_verdict v = upload_read(r->arena, r->body, r->body_len, u);
	if (v != UPLOAD_OK) {
		struct checker c;
		check_init(&c, r->arena);
		check_fail(&c, "body",
		           v == UPLOAD_TOO_MANY_PIXELS
		               ? "is too large an image: at most 40 megapixels, 16383 pixels a side"
		           : v == UPLOAD_NOT_IMAGE ? "is not a JPEG, PNG, WebP or HEIC image"
		                                   : "cannot be read as an image");
		respond_invalid(r, c.errors);
		return false;
	}
	return true;
}

struct photo_tx {
	const struct upload *u;
	int64_t merchant_id, return_id, item_id, user_id;
	const char *source;
	int max;
	int64_t id; /* out */
	struct photo photo;
};

static enum kaeru_err photo_tx(struct db *db, void *arg)
{
	struct photo_tx *px = arg;
	enum kaeru_err e =
	    store_media_put(db, px->u->hash, px->u->width, px->u->height, px->u->r, px->u->n);
	if (e == KAERU_OK)
		e = store_photo_add(db, px->merchant_id, px->return_id, px->item_id, px->source,
		                    px->u->hash, px->user_id, px->max, &px->id);
	if (e == KAERU_OK)
		e = store_photo_get(db, px->id, &px->photo);
	return e;
}

static void keep_photo(struct req *r, struct photo_tx *px, const char *too_many)
{
	enum kaeru_err e = db_tx_run(r->db, photo_tx, px);
	if (e == KAERU_ECONFLICT) {
		respond_problem(r, 409, "Too many photos", too_many, NULL);
		return;
	}
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond_json(r, 201, render_photos_one(&px->photo));
}

/* POST /api/v1/returns/{rma}/items/{item_id}/photos (warehouse): a photo of an item, before or
 * after its grading; it travels with the item into its listings. */
void h_item_photo_add(struct req *r)
{
	struct user u = r->who.user;
	char rma[RMA_LEN + 1];
	struct ret ret;
	int64_t item_id = segment_id(r->params[1]);
	enum kaeru_err e = rma_normalize(r->params[0], rma) && item_id > 0
	                       ? store_return_row(r->db, rma, &ret, NULL)
	                       : KAERU_ENOTFOUND;
	if (e == KAERU_OK && !staff_can_see(&u, &ret))
		e = KAERU_ENOTFOUND;
	if (e == KAERU_OK)
		e = store_return_items(r->db, &ret);
	bool found = false;
	for (size_t i = 0; e == KAERU_OK && i < ret.n_items; i++)
		found |= ret.items[i].id == item_id;
	if (e == KAERU_OK && !found)
		e = KAERU_ENOTFOUND;
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	if (ret.status == RETURN_LABEL_ISSUED || ret.status == RETURN_CANCELED ||
	    ret.status == RETURN_EXPIRED) {
		respond_problem(r, 409, "Not received",
		                "Scan the parcel before taking photos of its items.", NULL);
		return;
	}
	struct upload up;
	if (!take_upload(r, &up))
		return;
	struct photo_tx px = {.u = &up,
	                      .merchant_id = ret.merchant_id,
	                      .return_id = ret.id,
	                      .item_id = item_id,
	                      .user_id = u.id,
	                      .source = "warehouse",
	                      .max = ITEM_PHOTOS};
	keep_photo(r, &px, "An item keeps at most 20 photos.");
}

/* POST /api/v1/returns/{rma}/photos (order token): the customer's photos of a damaged or
 * defective item, up to 5 a return; staff and the merchant see them, the shop never. */
void h_return_photo_add(struct req *r)
{
	int64_t order_id = r->who.order_id;
	char rma[RMA_LEN + 1];
	struct ret ret;
	enum kaeru_err e = rma_normalize(r->params[0], rma)
	                       ? store_return_row(r->db, rma, &ret, NULL)
	                       : KAERU_ENOTFOUND;
	if (e == KAERU_OK && ret.order_id != order_id)
		e = KAERU_ENOTFOUND;
	if (e == KAERU_OK)
		e = store_return_items(r->db, &ret);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	bool damaged = false;
	for (size_t i = 0; i < ret.n_items; i++)
		damaged |= ret.items[i].reason == REASON_DAMAGED ||
		           ret.items[i].reason == REASON_DEFECTIVE;
	if (!damaged) {
		respond_problem(r, 409, "No photos for this return",
		                "Photos are for items returned as damaged or defective.", NULL);
		return;
	}
	if (ret.status == RETURN_CANCELED || ret.status == RETURN_EXPIRED) {
		respond_problem(
		    r, 409, "Return closed",
		    arena_printf(r->arena, "The return is %s.", return_status_names[ret.status]),
		    NULL);
		return;
	}
	struct upload up;
	if (!take_upload(r, &up))
		return;
	struct photo_tx px = {.u = &up,
	                      .merchant_id = ret.merchant_id,
	                      .return_id = ret.id,
	                      .source = "customer",
	                      .max = CUSTOMER_PHOTOS};
	keep_photo(r, &px, "A return takes at most 5 photos.");
}

/* Parses "<64 hex>-<width>.<webp|jpg>". */
static bool media_name(const char *s, char hash[MEDIA_HASH_LEN + 1], int *width,
                       enum media_format *format)
{
	for (int i = 0; i < MEDIA_HASH_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	if (s[MEDIA_HASH_LEN] != '-')
		return false;
	memcpy(hash, s, MEDIA_HASH_LEN);
	hash[MEDIA_HASH_LEN] = '\0';
	const char *p = s + MEDIA_HASH_LEN + 1;
	int w = 0, digits = 0;
	while (*p >= '0' && *p <= '9' && digits < 5) {
		w = w * 10 + (*p++ - '0');
		digits++;
	}
	if (!digits || *p != '.' || w <= 0)
		return false;
	for (int f = 0; f < MEDIA_FORMAT__MAX; f++)
		if (strcmp(p + 1, media_format_names[f]) == 0) {
			*width = w;
			*format = (enum media_format)f;
			return true;
		}
	return false;
}

/* GET /media/{hash}-{width}.{webp|jpg}: a rendition, immutable (its name is its content). */
void h_media_get(struct req *r)
{
	char hash[MEDIA_HASH_LEN + 1];
	int width;
	enum media_format format;
	if (!media_name(r->params[0], hash, &width, &format)) {
		respond_problem(r, 404, "Not found", "No such image.", NULL);
		return;
	}
	const char *etag =
	    arena_printf(r->arena, "\"%s-%d-%s\"", hash, width, media_format_names[format]);
	const char *headers = arena_printf(
	    r->arena, "Cache-Control: public, max-age=31536000, immutable\r\nETag: %s\r\n", etag);
	const char *inm = FCGX_GetParam("HTTP_IF_NONE_MATCH", r->fcgx->envp);
	if (inm && strstr(inm, etag)) {
		respond(r, 304, format == MEDIA_WEBP ? "image/webp" : "image/jpeg", headers, "", 0);
		return;
	}
	struct rendition rd;
	enum kaeru_err e = store_media_rendition(r->db, hash, width, format, &rd);
	if (e == KAERU_ENOTFOUND) {
		respond_problem(r, 404, "Not found", "No such image.", NULL);
		return;
	}
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond(r, 200, format == MEDIA_WEBP ? "image/webp" : "image/jpeg", headers, rd.bytes,
	        rd.len);
}

bool render_return_photos(struct req *r, const struct ret *ret, json_t *j)
{
	const struct photo *ps = ret->photos;
	size_t n = ret->n_photos;
	struct photo *read;
	if (!ret->photos_known) { /* else read with the return */
		if (store_return_photos(r->db, ret->id, &read, &n) != KAERU_OK)
			return false;
		ps = read;
	}
	json_t *items = json_object_get(j, "items"), *item;
	size_t i;
	json_array_foreach(items, i, item)
	{
		int64_t id = json_integer_value(json_object_get(item, "item_id"));
		json_t *mine = json_array();
		for (size_t k = 0; k < n; k++)
			if (ps[k].return_item_id == id)
				json_array_append_new(mine, render_photos_one(&ps[k]));
		json_object_set_new(item, "photos", mine);
	}
	json_t *customer = json_array();
	for (size_t k = 0; k < n; k++)
		if (ps[k].return_item_id == 0)
			json_array_append_new(customer, render_photos_one(&ps[k]));
	json_object_set_new(j, "customer_photos", customer);
	return true;
}
