/* pdf/label.h — 4x6 inch PDF return labels (libharu + zint). */
#ifndef KAERU_PDF_LABEL_H
#define KAERU_PDF_LABEL_H

#include <stddef.h>

struct label_address {
	const char *name, *postal_code, *region, *city, *line1, *line2, *country, *phone;
};
struct label_item {
	const char *sku, *name, *variant;
	int quantity;
};
struct label {
	const char *rma;           /* Code 128 text, exactly this string, e.g. "7KQ2M-XH4RP" */
	const char *qr_text;       /* QR content, e.g. "KAERU:7KQ2M-XH4RP" */
	const char *merchant_name; /* UTF-8 */
	const char *created_on;    /* "2026-11-22": the day made, on the merchant's calendar */
	struct label_address from; /* the customer (ship-from) */
	struct label_address to;   /* the merchant's return warehouse (ship-to) */
	const char *dock; /* the receiving warehouse as staff know it, e.g. "TYO1 · Tokyo DC";
	                   * printed beside the SHIP TO caption; may be NULL */
	const struct label_item *items;
	size_t n_items;
};
enum label_err { LABEL_OK = 0, LABEL_EINVAL, LABEL_EPDF, LABEL_EBARCODE };

/* Renders a 4x6 inch (288x432 pt) PDF return label. On LABEL_OK, *out is malloc'd (caller frees)
 * and *out_len its size. Any NULL string field prints as empty. Thread-safe: no global state.
 *
 * rma must be non-empty printable ASCII and qr_text non-empty (else LABEL_EINVAL; so are NULL l,
 * out, out_len, or items NULL with n_items > 0). LABEL_EBARCODE: zint refused the data, or the code
 * would be too dense to scan at label size (rma over 27 characters, or 54 if all digits; qr_text
 * over about 330 bytes). LABEL_EPDF: libharu, iconv or memory failed. On any error *out is NULL and
 * *out_len 0. Text lines too long for their box shrink, then end in "…"; see pdf/README.md for the
 * character set. */
enum label_err label_render(const struct label *l, unsigned char **out, size_t *out_len);

#endif
