/* Photos: uploads by the warehouse (of an item, at inspection) and by the customer (of a
 * return with a damaged or defective item), and the renditions served at /media/.
 *
 * kaeru-fcgi never decodes an image: kaeru-photo does, a process of its own per upload
 * (fcgi/photo_child.c runs it, photo/render.c says how it reads photos and what it keeps).
 * Here: the body's type, kaeru-photo's answer mapped to the API's, the SHA-256 of the uploaded
 * bytes that names the renditions, and one transaction that keeps them. */
#include "core/rma.h"
#include "db/media.h"
#include "fcgi/handlers.h"
#include "fcgi/photo_child.h"
#include "fcgi/render.h"
#include "fcgi/session.h"
#include "validate/check.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CUSTOMER_PHOTOS 5  /* per return */
#define ITEM_PHOTOS     20 /* per item, by the warehouse */
_Static_assert(UPLOAD_BODY_MAX <= PHOTO_INPUT_MAX, "kaeru-photo reads every upload taken");

struct upload {
	char hash[MEDIA_HASH_LEN + 1]; /* SHA-256 of the uploaded bytes */
	int width, height;             /* upright */
	struct rendition r[PHOTO_RENDITIONS_MAX];
	size_t n;
};

/* kaeru-photo's formats as the media store names them. */
static const enum media_format media_format_of[PHOTO_FORMAT__MAX] = {
    [PHOTO_WEBP] = MEDIA_WEBP,
    [PHOTO_JPEG] = MEDIA_JPG,
};

/* Has kaeru-photo make the renditions of buf into u; its verdict, or the outcome of a run that
 * did not answer (*verdict untouched then). */
static enum photo_outcome upload_read(struct arena *a, const void *buf, size_t len,
                                      struct upload *u, enum photo_verdict *verdict)
{
	struct photo_reply reply;
	memset(u, 0, sizeof(*u));
	enum photo_outcome o = photo_child_render(a, buf, len, &reply);
	if (o != PHOTO_ANSWERED)
		return o;
	*verdict = reply.verdict;
	if (reply.verdict != PHOTO_OK)
		return o;
	u->width = reply.width;
	u->height = reply.height;
	for (size_t i = 0; i < reply.n; i++)
		u->r[u->n++] = (struct rendition){.width = reply.r[i].width,
		                                  .height = reply.r[i].height,
		                                  .format = media_format_of[reply.r[i].format],
		                                  .bytes = reply.r[i].bytes,
		                                  .len = reply.r[i].len};
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, buf, len);
	sodium_bin2hex(u->hash, sizeof(u->hash), digest, sizeof(digest));
	return o;
}

/* ---- answers ---- */

/* What is wrong with the body, for a 422: kaeru-photo's verdict, or how its run ended. */
static const char *refusal(struct arena *a, enum photo_outcome o, enum photo_verdict v)
{
	if (o == PHOTO_TOO_COSTLY)
		return arena_printf(a,
		                    "takes too long to decode (more than %u seconds of processor "
		                    "time)",
		                    photo_child_cpu_seconds());
	if (o == PHOTO_ANSWERED && v == PHOTO_TOO_MANY_PIXELS)
		return "is too large an image: at most 40 megapixels, 16383 pixels a side";
	if (o == PHOTO_ANSWERED && v == PHOTO_NOT_IMAGE)
		return "is not a JPEG, PNG, WebP or HEIC image";
	return "cannot be read as an image"; /* PHOTO_BROKEN, or kaeru-photo failed on it */
}

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
	enum photo_verdict v = PHOTO_BROKEN;
	enum photo_outcome o = upload_read(r->arena, r->body, r->body_len, u, &v);
	if (o == PHOTO_TIMED_OUT || o == PHOTO_UNAVAILABLE) {
		respond_problem(r, 503, "Photo not processed",
		                o == PHOTO_TIMED_OUT
		                    ? arena_printf(r->arena,
		                                   "The photo was not read within %u seconds: the "
		                                   "server is busy. Try again shortly.",
		                                   photo_child_timeout())
		                    : "Photos cannot be read right now. Try again shortly.",
		                NULL);
		return false;
	}
	if (o != PHOTO_ANSWERED || v != PHOTO_OK) {
		struct checker c;
		check_init(&c, r->arena);
		check_fail(&c, "body", refusal(r->arena, o, v));
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
	char rma[RMA_LEN + 1];
	struct ret ret;
	int64_t item_id = segment_id(r->params[1]);
	enum kaeru_err e;
	if (!auth_staff_whole(r, rma_normalize(r->params[0], rma) && item_id > 0 ? rma : NULL, &ret,
	                      NULL, NULL, &e))
		return;
	struct user u = r->who.user;
	if (e == KAERU_OK && !staff_can_see(&u, &ret))
		e = KAERU_ENOTFOUND;
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
	                       ? store_return_whole(r->db, rma, &ret, NULL, NULL)
	                       : KAERU_ENOTFOUND;
	if (e == KAERU_OK && ret.order_id != order_id)
		e = KAERU_ENOTFOUND;
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
