/* pdf/qr.h — a QR code as an SVG document (zint), for pages that show a label's code. */
#ifndef KAERU_PDF_QR_H
#define KAERU_PDF_QR_H

#include <stdbool.h>
#include <stddef.h>

/* Encodes text (1 to 256 bytes, taken as they are) as a QR code, error correction M, with its
 * quiet zone, drawn as one black path on white in an SVG document. On true, *svg is malloc'd
 * (caller frees) and *len its size; false when zint refuses the text or memory fails. */
bool qr_svg(const char *text, char **svg, size_t *len);

#endif
