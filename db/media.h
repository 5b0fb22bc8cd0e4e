/* Photos in MariaDB: distinct uploads by the SHA-256 of their bytes (media), their renditions
 * (the bytes served at /media/), and which return or item each photo belongs to. Strings and
 * bytes read live in db->arena. Changing functions run in the caller's transaction. */
#ifndef KAERU_DB_MEDIA_H
#define KAERU_DB_MEDIA_H

#include "db/db.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEDIA_HASH_LEN 64 /* hex SHA-256 */

enum media_format { MEDIA_WEBP, MEDIA_JPG, MEDIA_FORMAT__MAX };
extern const char *const media_format_names[MEDIA_FORMAT__MAX]; /* also the file extension */

struct rendition {
	int width, height;
	enum media_format format;
	const void *bytes;
	size_t len;
};

/* A photo as listings and returns show it: its largest JPEG rendition. */
struct photo {
	int64_t id;
	int64_t return_item_id; /* 0: the customer's photo of the whole return */
	const char *hash, *source;
	int width, height; /* of the rendition the url names */
};

/* The columns of a photo p (photo_row reads them) and the rendition they name: the largest
 * JPEG rendition, 1600 wide or the original's width when narrower. */
#define PHOTO_COLUMNS "p.id, COALESCE(p.return_item_id, 0), p.hash, p.source, mr.width, mr.height"
#define PHOTO_JOIN                                                                                 \
	" JOIN media m ON m.hash = p.hash JOIN media_renditions mr ON mr.hash = p.hash"            \
	" AND mr.format = 'jpg' AND mr.width = LEAST(m.width, 1600)"
/* A return's photos in their order: the items' in item order, then the return's own. */
#define PHOTO_ORDER "p.return_item_id IS NULL, p.return_item_id, p.position, p.id"
/* The photos of rows of PHOTO_COLUMNS at column col, in db->arena. */
const struct photo *store_photos_from_rows(struct db *db, const struct db_rows *rows, size_t col);

/* Keeps an upload's renditions under hash, unless kept already (the same bytes uploaded
 * again). width and height: the upright original's. */
enum kaeru_err store_media_put(struct db *db, const char *hash, int width, int height,
                               const struct rendition *rs, size_t n);
/* One rendition; ENOTFOUND when there is none such. */
enum kaeru_err store_media_rendition(struct db *db, const char *hash, int width,
                                     enum media_format format, struct rendition *out);
/* Adds photo hash (kept by store_media_put) to a return — to its item item_id, or to the
 * return itself when item_id is 0 — as the last of its photos. Writes the return's row first
 * (its revision: a lock Galera certifies too) so that racing uploads count right: ECONFLICT when
 * the return (item_id 0) or item already has max photos from source. The same hash twice on one
 * item or return is one photo: *id is the first's. */
enum kaeru_err store_photo_add(struct db *db, int64_t merchant_id, int64_t return_id,
                               int64_t item_id, const char *source, const char *hash,
                               int64_t user_id, int max, int64_t *id);
/* The photo (as shown) of a return by its id. */
enum kaeru_err store_photo_get(struct db *db, int64_t id, struct photo *out);
/* Every photo of a return, the items' in their order and then the return's own. */
enum kaeru_err store_return_photos(struct db *db, int64_t return_id, struct photo **out, size_t *n);
/* The photos of a merchant's listings — the warehouse's photos of each listing's item — by
 * listing, each listing's in their order: of listing_id alone, or (listing_id 0) of every
 * published listing. */
struct listing_photo {
	int64_t listing_id;
	struct photo photo;
};
enum kaeru_err store_listing_photos(struct db *db, int64_t merchant_id, int64_t listing_id,
                                    struct listing_photo **out, size_t *n);
/* The same for the listings of ids (a page of them), in one statement. */
enum kaeru_err store_listings_photos_of(struct db *db, int64_t merchant_id, const int64_t *ids,
                                        size_t n_ids, struct listing_photo **out, size_t *n);

#endif
