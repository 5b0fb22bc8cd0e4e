/* pdf/qr.c — a QR code as SVG: zint's vector rectangles written as one path (pdf/qr.h). */
#include "pdf/qr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zint.h>

#define QR_TEXT_MAX 256

bool qr_svg(const char *text, char **svg, size_t *len)
{
	size_t n = text ? strlen(text) : 0;
	*svg = NULL;
	*len = 0;
	if (n == 0 || n > QR_TEXT_MAX)
		return false;
	struct zint_symbol *z = ZBarcode_Create();
	if (!z)
		return false;
	z->symbology = BARCODE_QRCODE;
	z->input_mode = DATA_MODE;
	z->output_options = BARCODE_QUIET_ZONES;
	z->option_1 = 2; /* M, as on the label */
	z->show_hrt = 0;
	bool ok = false;
	char *buf = NULL;
	size_t size = 0;
	FILE *f = NULL;
	int rc = ZBarcode_Encode_and_Buffer_Vector(z, (const unsigned char *)text, (int)n, 0);
	if (rc < ZINT_ERROR && z->vector && z->vector->width > 0.0f &&
	    (f = open_memstream(&buf, &size))) {
		const struct zint_vector *v = z->vector;
		fprintf(f,
		        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %g %g\""
		        " shape-rendering=\"crispEdges\"><rect width=\"100%%\" height=\"100%%\""
		        " fill=\"#fff\"/><path fill=\"#000\" d=\"",
		        (double)v->width, (double)v->height);
		for (const struct zint_vector_rect *rect = v->rectangles; rect; rect = rect->next)
			fprintf(f, "M%g %gh%gv%gh%gz", (double)rect->x, (double)rect->y,
			        (double)rect->width, (double)rect->height, (double)-rect->width);
		fputs("\"/></svg>\n", f);
		ok = fclose(f) == 0;
	}
	ZBarcode_Delete(z);
	if (!ok) {
		free(buf);
		return false;
	}
	*svg = buf;
	*len = size;
	return true;
}
