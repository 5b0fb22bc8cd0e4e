/* Photos and their renditions in MariaDB (db/media.h). */
#include "db/media.h"
#include "db/store.h"

#include <jansson.h>

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

const char *const media_format_names[MEDIA_FORMAT__MAX] = {
    [MEDIA_WEBP] = "webp", [MEDIA_JPG] = "jpg"};

static const char sql_media_insert[] =
    "INSERT IGNORE INTO media (hash, width, height, created_at) VALUES (?, ?, ?, "
    "CURRENT_TIMESTAMP)";
static const char sql_rendition_insert[] =
    "INSERT IGNORE INTO media_renditions (hash, width, format, height, bytes) VALUES (?, ?, ?, "
    "?, ?)";
static const char sql_rendition_get[] = "SELECT height, bytes, LENGTH(bytes) FROM "
                                        "media_renditions WHERE hash = ? AND width = ? AND "
                                        "format = ?";
/* Every photo of a return answers with it (store_return_whole): a photo is a change of the
 * return, so it bumps the revision a change reads it at (store_return_guard), and the row's
 * write serialises racing uploads on any Galera node, where a FOR UPDATE would only lock one.
 * It marks the return as one with photos (has_photos: the whole read reads them only then). */
static const char sql_return_bump[] =
    "UPDATE returns SET revision = revision + 1, has_photos = TRUE WHERE id = ?";
static const char sql_photo_same[] =
    "SELECT id FROM return_photos WHERE return_id = ? AND source = ? AND hash = ?"
    " AND (return_item_id = ? OR (? IS NULL AND return_item_id IS NULL))";
static const char sql_photo_count[] =
    "SELECT COUNT(*) FROM return_photos WHERE return_id = ? AND source = ?"
    " AND (return_item_id = ? OR (? IS NULL AND return_item_id IS NULL))";
static const char sql_photo_insert[] =
    "INSERT INTO return_photos (merchant_id, return_id, return_item_id, source, hash, position,"
    " user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP)";
static const char sql_photo_get[] =
    "SELECT " PHOTO_COLUMNS " FROM return_photos p" PHOTO_JOIN " WHERE p.id = ?";
static const char sql_return_photos[] =
    "SELECT " PHOTO_COLUMNS " FROM return_photos p" PHOTO_JOIN " WHERE p.return_id = ?"
    " ORDER BY " PHOTO_ORDER;
static const char sql_listing_photos[] =
    "SELECT l.id, " PHOTO_COLUMNS " FROM listings l JOIN return_photos p"
    " ON p.return_item_id = l.return_item_id AND p.source = 'warehouse'" PHOTO_JOIN
    " WHERE l.merchant_id = ? AND ((? = 0 AND l.status = 'published') OR l.id = ?)"
    " ORDER BY l.id, p.position, p.id";
/* The same for a page of listings, their ids a JSON array: one statement, not one a listing. */
static const char sql_listings_photos_of[] =
    "SELECT l.id, " PHOTO_COLUMNS " FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) j"
    " JOIN listings l ON l.id = j.id AND l.merchant_id = ? JOIN return_photos p"
    " ON p.return_item_id = l.return_item_id AND p.source = 'warehouse'" PHOTO_JOIN
    " ORDER BY l.id, p.position, p.id";

enum kaeru_err store_media_put(struct db *db, const char *hash, int width, int height,
                               const struct rendition *rs, size_t n)
{
	uint64_t added = 0;
	enum kaeru_err e = db_exec(db, sql_media_insert,
	                           DB_ARGS(DBS(hash), DBI(width), DBI(height)), &added, NULL);
	for (size_t i = 0; e == KAERU_OK && added && i < n; i++) {
		struct db_val bytes = {.type = DB_STR, .s = rs[i].bytes, .len = rs[i].len};
		e = db_exec(db, sql_rendition_insert,
		            DB_ARGS(DBS(hash), DBI(rs[i].width),
		                    DBS(media_format_names[rs[i].format]), DBI(rs[i].height),
		                    bytes),
		            NULL, NULL);
	}
	return e;
}

enum kaeru_err store_media_rendition(struct db *db, const char *hash, int width,
                                     enum media_format format, struct rendition *out)
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_rendition_get,
	             DB_ARGS(DBS(hash), DBI(width), DBS(media_format_names[format])), &rows);
	if (e != KAERU_OK)
		return e;
	if (rows.nrows == 0)
		return KAERU_ENOTFOUND;
	*out = (struct rendition){.width = width,
	                          .height = (int)db_int(&rows, 0, 0),
	                          .format = format,
	                          .bytes = db_str(&rows, 0, 1),
	                          .len = (size_t)db_int(&rows, 0, 2)};
	return KAERU_OK;
}

enum kaeru_err store_photo_add(struct db *db, int64_t merchant_id, int64_t return_id,
                               int64_t item_id, const char *source, const char *hash,
                               int64_t user_id, int max, int64_t *id)
{
	struct db_rows rows;
	struct db_val item = item_id ? DBI(item_id) : DBN;
	uint64_t written = 0;
	enum kaeru_err e = db_exec(db, sql_return_bump, DB_ARGS(DBI(return_id)), &written, NULL);
	if (e != KAERU_OK)
		return e;
	if (written == 0)
		return KAERU_ENOTFOUND;
	if ((e = db_query(db, sql_photo_same,
	                  DB_ARGS(DBI(return_id), DBS(source), DBS(hash), item, item), &rows)) !=
	    KAERU_OK)
		return e;
	if (rows.nrows) {
		*id = db_int(&rows, 0, 0);
		return KAERU_OK;
	}
	if ((e = db_query(db, sql_photo_count, DB_ARGS(DBI(return_id), DBS(source), item, item),
	                  &rows)) != KAERU_OK)
		return e;
	int64_t count = rows.nrows ? db_int(&rows, 0, 0) : 0;
	if (count >= max)
		return KAERU_ECONFLICT;
	uint64_t insert_id = 0;
	e = db_exec(db, sql_photo_insert,
	            DB_ARGS(DBI(merchant_id), DBI(return_id), item, DBS(source), DBS(hash),
	                    DBI(count), user_id ? DBI(user_id) : DBN),
	            NULL, &insert_id);
	*id = (int64_t)insert_id;
	/* The warehouse's photos of an item travel into its listings, the shop's among them. */
	if (e == KAERU_OK && item_id && strcmp(source, "warehouse") == 0)
		e = store_shop_item_changed(db, merchant_id, item_id);
	return e;
}

static void photo_row(const struct db_rows *rows, size_t i, size_t c, struct photo *p)
{
	*p = (struct photo){.id = db_int(rows, i, c),
	                    .return_item_id = db_int(rows, i, c + 1),
	                    .hash = db_str(rows, i, c + 2),
	                    .source = db_str(rows, i, c + 3),
	                    .width = (int)db_int(rows, i, c + 4),
	                    .height = (int)db_int(rows, i, c + 5)};
}

const struct photo *store_photos_from_rows(struct db *db, const struct db_rows *rows, size_t col)
{
	struct photo *all = arena_zalloc(db->arena, sizeof(*all) * (rows->nrows + 1));
	for (size_t i = 0; i < rows->nrows; i++)
		photo_row(rows, i, col, &all[i]);
	return all;
}

enum kaeru_err store_photo_get(struct db *db, int64_t id, struct photo *out)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_photo_get, DB_ARGS(DBI(id)), &rows);
	if (e != KAERU_OK)
		return e;
	if (rows.nrows == 0)
		return KAERU_ENOTFOUND;
	photo_row(&rows, 0, 0, out);
	return KAERU_OK;
}

enum kaeru_err store_return_photos(struct db *db, int64_t return_id, struct photo **out, size_t *n)
{
	struct db_rows rows;
	enum kaeru_err e = db_query(db, sql_return_photos, DB_ARGS(DBI(return_id)), &rows);
	if (e != KAERU_OK)
		return e;
	*n = rows.nrows;
	*out = arena_zalloc(db->arena, sizeof(**out) * (rows.nrows + 1));
	for (size_t i = 0; i < rows.nrows; i++)
		photo_row(&rows, i, 0, &(*out)[i]);
	return KAERU_OK;
}

static enum kaeru_err listing_photo_rows(enum kaeru_err e, struct db *db,
                                         const struct db_rows *rows, struct listing_photo **out,
                                         size_t *n)
{
	if (e != KAERU_OK)
		return e;
	*n = rows->nrows;
	*out = arena_zalloc(db->arena, sizeof(**out) * (rows->nrows + 1));
	for (size_t i = 0; i < rows->nrows; i++) {
		(*out)[i].listing_id = db_int(rows, i, 0);
		photo_row(rows, i, 1, &(*out)[i].photo);
	}
	return KAERU_OK;
}

enum kaeru_err store_listing_photos(struct db *db, int64_t merchant_id, int64_t listing_id,
                                    struct listing_photo **out, size_t *n)
{
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_listing_photos,
	             DB_ARGS(DBI(merchant_id), DBI(listing_id), DBI(listing_id)), &rows);
	return listing_photo_rows(e, db, &rows, out, n);
}

enum kaeru_err store_listings_photos_of(struct db *db, int64_t merchant_id, const int64_t *ids,
                                        size_t n_ids, struct listing_photo **out, size_t *n)
{
	char *json = arena_alloc(db->arena, 2 + n_ids * 21);
	size_t len = 0;
	json[len++] = '[';
	for (size_t i = 0; i < n_ids; i++)
		len += (size_t)snprintf(json + len, 22, "%s%lld", i ? "," : "", (long long)ids[i]);
	json[len++] = ']';
	json[len] = '\0';
	struct db_rows rows;
	enum kaeru_err e =
	    db_query(db, sql_listings_photos_of, DB_ARGS(DBS(json), DBI(merchant_id)), &rows);
	return listing_photo_rows(e, db, &rows, out, n);
}
