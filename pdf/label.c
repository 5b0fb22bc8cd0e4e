/* pdf/label.c — 4x6 inch PDF return labels: libharu draws the page, zint the barcodes (as vectors).
 *
 * Text uses fonts the viewer already has, never embedded ones, so a Japanese label costs what a
 * Latin one does: base-14 Helvetica (CP1252, then CP1250) and the Adobe-Japan1 CID font MS-Gothic
 * (CP932). Each character goes to the first script in `scripts` that can encode it (iconv decides),
 * else "?". Everything a render needs lives in one struct render on the caller's stack: no global
 * state. */

#include "pdf/label.h"
#include "core/utf8.h"
#include "util/mem.h"

#include <hpdf.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zint.h>

/* Page geometry in PDF points, measured from the top-left corner (pdf_y converts). */
#define PAGE_W          288.0f
#define PAGE_H          432.0f
#define FRAME           6.0f  /* inset of the outer border */
#define LEFT            12.0f /* text column */
#define RIGHT           (PAGE_W - 12.0f)
#define TEXT_W          (RIGHT - LEFT)
#define HEADER_BOTTOM   34.0f            /* black "RETURN / 返品" bar: FRAME .. HEADER_BOTTOM */
#define MERCHANT_BOTTOM 52.0f            /* merchant name and date */
#define FROM_BOTTOM     126.0f           /* ship-from block */
#define TO_BOTTOM       240.0f           /* ship-to block */
#define BARCODE_BOTTOM  322.0f           /* Code 128 and its text */
#define BOTTOM          (PAGE_H - FRAME) /* QR code and item list */
#define QR_SIZE         (BOTTOM - BARCODE_BOTTOM - 4.0f)
#define ITEMS_LEFT      (FRAME + QR_SIZE + 10.0f)

#define LINE_GLYPHS           160  /* longer input cannot fit one line even at the smallest size */
#define ZINT_UNITS_PER_MODULE 2.0f /* zint 2.11 vector output, scale 1 */
#define CODE_MAX_BYTES        2048 /* longer data is refused before it reaches zint */
#define COMPRESS_QR_BYTES     64   /* longer qr_text: compress, or QR rectangles pass 30 KB */

enum script { SCRIPT_WESTERN, SCRIPT_CENTRAL, SCRIPT_JAPANESE, SCRIPT__MAX };

static HPDF_STATUS use_japanese(HPDF_Doc doc);

/* A font the viewer supplies, and the byte encoding its text is written in. In order of preference.
 */
static const struct script_font {
	const char *charset;   /* iconv name */
	uint32_t max_cp;       /* no code point above this is in charset */
	const char *encoding;  /* libharu encoder name */
	const char *font[2];   /* regular, bold */
	bool stroke_bold;      /* no bold font: draw bold by stroking the outline too */
	float width_by_len[3]; /* advance of a 1- or 2-byte code if fixed, else 0: ask the font */
	HPDF_STATUS(*use)
	(HPDF_Doc doc); /* registers fonts and encoder with the document, or NULL */
} scripts[SCRIPT__MAX] = {
    [SCRIPT_WESTERN] =
        {"CP1252", 0x2122, "WinAnsiEncoding", {"Helvetica", "Helvetica-Bold"}, false, {0}, NULL},
    [SCRIPT_CENTRAL] =
        {"CP1250", 0x2122, "CP1250", {"Helvetica", "Helvetica-Bold"}, false, {0}, NULL},
    /* MS-Gothic is monospaced: 2-byte codes are full-width, 1-byte ones (half-width kana) half. Its
     * ",Bold" variant is only a flag that poppler, for one, ignores. */
    [SCRIPT_JAPANESE] = {"CP932",
                         0xFFE5,
                         "90ms-RKSJ-H",
                         {"MS-Gothic", "MS-Gothic"},
                         true,
                         {0, 500, 1000},
                         use_japanese},
};

#define STROKE_BOLD_WIDTH 0.045f /* outline stroke for stroke_bold, in em */

enum align { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT };

enum text_kind {
	TEXT_BANNER,
	TEXT_MERCHANT,
	TEXT_DATE,
	TEXT_CAPTION,
	TEXT_FROM_NAME,
	TEXT_FROM_LINE,
	TEXT_TO_NAME,
	TEXT_TO_LINE,
	TEXT_RMA,
	TEXT_ITEM,
	TEXT_ITEM_DETAIL,
	TEXT__MAX
};

/* Every piece of text on the label: a line too wide shrinks down to min_size, then ends in "…". */
static const struct text_style {
	float size, min_size;
	float leading; /* distance to the next line's baseline */
	bool bold;
	enum align align;
	float gray; /* 0 black, 1 white */
} text_styles[TEXT__MAX] = {
    [TEXT_BANNER] = {18.0f, 18.0f, 0.0f, true, ALIGN_CENTER, 1.0f},
    [TEXT_MERCHANT] = {10.0f, 7.0f, 0.0f, true, ALIGN_LEFT, 0.0f},
    [TEXT_DATE] = {9.0f, 7.0f, 0.0f, false, ALIGN_RIGHT, 0.0f},
    [TEXT_CAPTION] = {6.5f, 6.5f, 9.0f, true, ALIGN_LEFT, 0.0f},
    [TEXT_FROM_NAME] = {10.0f, 6.5f, 11.5f, true, ALIGN_LEFT, 0.0f},
    [TEXT_FROM_LINE] = {8.5f, 6.0f, 9.8f, false, ALIGN_LEFT, 0.0f},
    [TEXT_TO_NAME] = {14.0f, 8.0f, 15.5f, true, ALIGN_LEFT, 0.0f},
    [TEXT_TO_LINE] = {12.0f, 7.0f, 14.0f, false, ALIGN_LEFT, 0.0f},
    [TEXT_RMA] = {14.0f, 8.0f, 0.0f, true, ALIGN_CENTER, 0.0f},
    [TEXT_ITEM] = {8.0f, 5.5f, 8.5f, true, ALIGN_LEFT, 0.0f},
    [TEXT_ITEM_DETAIL] = {7.0f, 5.0f, 10.5f, false, ALIGN_LEFT, 0.0f},
};

/* How to draw a barcode so that it scans: module size limits in points, quiet zones from zint. */
static const struct code_spec {
	int symbology;
	int option_1; /* QR error correction level (2 = M), 0 for the default */
	float min_module, max_module;
	bool square; /* QR: square modules; 1D: bars stretched to the box height */
} code128_spec = {BARCODE_CODE128, 0, 0.75f, 2.0f, false},
  qr_spec = {BARCODE_QRCODE, 2, 1.25f, 4.0f, true};

enum address_field {
	ADDR_NONE,
	ADDR_POSTAL,
	ADDR_REGION,
	ADDR_CITY,
	ADDR_LINE1,
	ADDR_LINE2,
	ADDR_COUNTRY
};

#define ADDRESS_LINES 4
#define ADDRESS_PARTS 3

/* Address lines between name and phone. A part prints only if its field is non-empty: sep if the
 * line already has text, then lead, then the field. */
struct address_format {
	struct address_part {
		enum address_field field;
		const char *lead, *sep;
	} line[ADDRESS_LINES][ADDRESS_PARTS];
};

static const struct address_format address_japan = {{
    {{ADDR_POSTAL, "〒", NULL}},
    {{ADDR_REGION, NULL, NULL}, {ADDR_CITY, NULL, " "}, {ADDR_LINE1, NULL, " "}},
    {{ADDR_LINE2, NULL, NULL}},
    {{ADDR_COUNTRY, NULL, NULL}},
}};

static const struct address_format address_western = {{
    {{ADDR_LINE1, NULL, NULL}},
    {{ADDR_LINE2, NULL, NULL}},
    {{ADDR_CITY, NULL, NULL}, {ADDR_REGION, NULL, ", "}, {ADDR_POSTAL, NULL, " "}},
    {{ADDR_COUNTRY, NULL, NULL}},
}};

/* Country values that select the Japanese address order. ASCII compared without case. */
static const char *const japan_names[] = {"JP", "JPN", "Japan", "日本", "日本国"};

struct cp_range {
	uint32_t first, last;
};

/* Format characters with no glyph of their own (variation selectors follow kanji in some names). */
static const struct cp_range invisible_cps[] = {
    {0x00AD, 0x00AD}, {0x200B, 0x200F}, {0x202A, 0x202E},   {0x2060, 0x2064},
    {0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
};

/* Control and separator characters, printed as a space. */
static const struct cp_range blank_cps[] = {{0x00, 0x1F}, {0x7F, 0x9F}, {0x2028, 0x2029}};

/* Kana, CJK ideographs and full-width forms: a country-less address written in them is Japanese. */
static const struct cp_range cjk_cps[] = {
    {0x3000, 0x30FF},
    {0x3400, 0x9FFF},
    {0xF900, 0xFAFF},
    {0xFF00, 0xFFEF},
};

/* One character, encoded for its script's font. */
struct glyph {
	unsigned char script; /* enum script */
	unsigned char len;    /* bytes in code: 1 or 2 */
	unsigned char code[2];
	float width; /* advance, 1/1000 em */
};

/* One line of text being built, then drawn in the style of its kind. */
struct line {
	enum text_kind kind;
	size_t n;
	bool cut; /* more input than LINE_GLYPHS */
	struct glyph g[LINE_GLYPHS];
};

/* All state of one label_render call. */
struct render {
	HPDF_Doc doc;
	HPDF_Page page;
	HPDF_STATUS pdf_error; /* first error libharu reported, HPDF_OK if none */
	bool conv_failed;      /* iconv_open failed: the system lacks a charset */
	bool conv_tried[SCRIPT__MAX];
	bool script_used[SCRIPT__MAX];
	iconv_t conv[SCRIPT__MAX];      /* UTF-8 to the script's charset, opened on first use */
	HPDF_Font font[SCRIPT__MAX][2]; /* fetched on first use */
	float width[SCRIPT__MAX][2]
	           [256]; /* advances of 1-byte codes as the font gave them, 0 if not asked */
};

/* libharu calls this on every error; the first one is kept and the render fails at the end. */
static void render_on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	struct render *r = user_data;

	(void)detail_no;
	if (r->pdf_error == HPDF_OK)
		r->pdf_error = error_no;
}

static HPDF_STATUS use_japanese(HPDF_Doc doc)
{
	HPDF_STATUS st = HPDF_UseJPFonts(doc);

	return st != HPDF_OK ? st : HPDF_UseJPEncodings(doc);
}

static float pdf_y(float top)
{
	return PAGE_H - top;
}

static float min_f(float a, float b)
{
	return a < b ? a : b;
}

static bool in_ranges(uint32_t cp, const struct cp_range *ranges, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cp >= ranges[i].first && cp <= ranges[i].last)
			return true;
	return false;
}

#define IN_RANGES(cp, table) in_ranges((cp), (table), sizeof(table) / sizeof((table)[0]))

/* True if s (NULL: false) contains a kana, kanji or full-width character. */
static bool has_cjk(const char *s)
{
	uint32_t cp;

	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;) {
		p += utf8_next(p, &cp);
		if (IN_RANGES(cp, cjk_cps))
			return true;
	}
	return false;
}

static bool ascii_equal_nocase(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;

		if ((x >= 'a' && x <= 'z' ? x - 32 : x) != (y >= 'a' && y <= 'z' ? y - 32 : y))
			return false;
	}
	return *a == *b;
}

/* Returns the iconv descriptor for script s, opening it on first use; (iconv_t)-1 if unavailable.
 */
static iconv_t render_conv(struct render *r, enum script s)
{
	if (!r->conv_tried[s]) {
		r->conv_tried[s] = true;
		r->conv[s] = iconv_open(scripts[s].charset, "UTF-8");
		if (r->conv[s] == (iconv_t)-1)
			r->conv_failed = true;
	}
	return r->conv[s];
}

/* Returns script s's font (bold or regular), registering the script with the document on first use.
 * NULL if libharu failed; the error is then in r->pdf_error. */
static HPDF_Font render_font(struct render *r, enum script s, bool bold)
{
	if (r->font[s][bold])
		return r->font[s][bold];
	if (!r->script_used[s]) {
		r->script_used[s] = true;
		if (scripts[s].use && scripts[s].use(r->doc) != HPDF_OK)
			return NULL;
	}
	r->font[s][bold] = HPDF_GetFont(r->doc, scripts[s].font[bold], scripts[s].encoding);
	return r->font[s][bold];
}

/* Encodes cp in script s's charset into code; returns the byte count, or 0 if s cannot show cp.
 * Best-fit mappings of non-ASCII characters onto ASCII bytes (CP932 maps "¥" to "\") count as
 * cannot. */
static size_t script_encode(struct render *r, enum script s, uint32_t cp, unsigned char code[2])
{
	iconv_t cd = render_conv(r, s);
	char in[4], out[4];
	char *in_p = in, *out_p = out;
	size_t in_left = utf8_put(cp, in), out_left = sizeof(out), n;

	if (cd == (iconv_t)-1)
		return 0;
	if (iconv(cd, &in_p, &in_left, &out_p, &out_left) == (size_t)-1 || in_left != 0)
		return 0;
	n = (size_t)(out_p - out);
	if (n == 0 || n > 2 || (cp >= 0x80 && n == 1 && (unsigned char)out[0] < 0x80))
		return 0;
	memcpy(code, out, n);
	return n;
}

/* Fills g with cp in the first script that can show it, else with "?". */
static void glyph_make(struct render *r, struct glyph *g, uint32_t cp, bool bold)
{
	enum script s = SCRIPT_WESTERN;
	size_t len = 0;
	HPDF_Font font;

	if (cp < 0x80) {
		g->code[0] = (unsigned char)cp;
		len = 1;
	}
	for (; len == 0 && s < SCRIPT__MAX; s++)
		if (cp <= scripts[s].max_cp && (len = script_encode(r, s, cp, g->code)) != 0)
			break;
	if (len == 0) {
		s = SCRIPT_WESTERN;
		g->code[0] = '?';
		len = 1;
	}
	g->script = (unsigned char)s;
	g->len = (unsigned char)len;
	g->width = scripts[s].width_by_len[len];
	if (g->width == 0.0f && len == 1)
		g->width = r->width[s][bold][g->code[0]];
	if (g->width == 0.0f && (font = render_font(r, s, bold)) != NULL) {
		g->width = (float)HPDF_Font_TextWidth(font, g->code, (HPDF_UINT)len).width;
		if (len == 1)
			r->width[s][bold][g->code[0]] = g->width;
	}
}

static void line_begin(struct line *ln, enum text_kind kind)
{
	ln->kind = kind;
	ln->n = 0;
	ln->cut = false;
}

/* Appends UTF-8 text (NULL: nothing) to the line. */
static void line_add(struct render *r, struct line *ln, const char *utf8)
{
	bool bold = text_styles[ln->kind].bold;
	uint32_t cp;

	for (const unsigned char *p = (const unsigned char *)(utf8 ? utf8 : ""); *p;) {
		p += utf8_next(p, &cp);
		if (IN_RANGES(cp, invisible_cps))
			continue;
		if (IN_RANGES(cp, blank_cps))
			cp = ' ';
		if (ln->n == LINE_GLYPHS) {
			ln->cut = true;
			return;
		}
		glyph_make(r, &ln->g[ln->n++], cp, bold);
	}
}

static bool line_empty(const struct line *ln)
{
	for (size_t i = 0; i < ln->n; i++)
		if (!(ln->g[i].len == 1 && ln->g[i].code[0] == ' '))
			return false;
	return true;
}

/* Cuts the line to fit max_em (in em) with "…" at its end. */
static void line_ellipsize(struct render *r, struct line *ln, float max_em)
{
	struct glyph ellipsis;
	float used = 0.0f;
	size_t n = 0;

	glyph_make(r, &ellipsis, 0x2026, text_styles[ln->kind].bold);
	max_em = max_em * 1000.0f - ellipsis.width;
	while (n < ln->n && n < LINE_GLYPHS - 1 && used + ln->g[n].width <= max_em)
		used += ln->g[n++].width;
	while (n > 0 && ln->g[n - 1].len == 1 && ln->g[n - 1].code[0] == ' ')
		n--;
	ln->g[n++] = ellipsis;
	ln->n = n;
}

static float line_em(const struct line *ln)
{
	float em = 0.0f;

	for (size_t i = 0; i < ln->n; i++)
		em += ln->g[i].width;
	return em / 1000.0f;
}

/* Draws the line with its baseline at `baseline` (from the top) inside [x, x + width], shrinking or
 * ellipsizing it to fit. Blank lines draw nothing. */
static void line_draw(struct render *r, struct line *ln, float x, float baseline, float width)
{
	const struct text_style *st = &text_styles[ln->kind];
	float em = line_em(ln), size = st->size;
	char run[LINE_GLYPHS * 2 + 1];
	bool stroked = false;

	if (line_empty(ln))
		return;
	if (em * size > width)
		size = width / em > st->min_size ? width / em : st->min_size;
	if (ln->cut || em * size > width * 1.0001f) {
		line_ellipsize(r, ln, width / size);
		em = line_em(ln);
	}
	if (st->align == ALIGN_CENTER)
		x += (width - em * size) / 2.0f;
	else if (st->align == ALIGN_RIGHT)
		x += width - em * size;

	HPDF_Page_SetGrayFill(r->page, st->gray);
	HPDF_Page_BeginText(r->page);
	HPDF_Page_MoveTextPos(r->page, x, pdf_y(baseline));
	for (size_t i = 0; i < ln->n;) {
		unsigned char s = ln->g[i].script;
		HPDF_Font font = render_font(r, s, st->bold);
		size_t len = 0;

		for (; i < ln->n && ln->g[i].script == s; i++) {
			memcpy(run + len, ln->g[i].code, ln->g[i].len);
			len += ln->g[i].len;
		}
		run[len] = '\0';
		if (!font)
			break;
		if (st->bold && scripts[s].stroke_bold) {
			HPDF_Page_SetGrayStroke(r->page, st->gray);
			HPDF_Page_SetLineWidth(r->page, size * STROKE_BOLD_WIDTH);
			HPDF_Page_SetTextRenderingMode(r->page, HPDF_FILL_THEN_STROKE);
			stroked = true;
		}
		HPDF_Page_SetFontAndSize(r->page, font, size);
		HPDF_Page_ShowText(r->page, run);
		if (st->bold && scripts[s].stroke_bold)
			HPDF_Page_SetTextRenderingMode(r->page, HPDF_FILL);
	}
	HPDF_Page_EndText(r->page);
	if (stroked)
		HPDF_Page_SetGrayStroke(r->page, 0.0f);
}

/* Draws one line of text made of the given string. */
static void text_draw(struct render *r, enum text_kind kind, const char *utf8, float x,
                      float baseline, float width)
{
	struct line ln;

	line_begin(&ln, kind);
	line_add(r, &ln, utf8);
	line_draw(r, &ln, x, baseline, width);
}

/* Strokes a line segment, coordinates from the top. */
static void rule_draw(struct render *r, float x0, float y0, float x1, float y1, float width)
{
	HPDF_Page_SetLineWidth(r->page, width);
	HPDF_Page_MoveTo(r->page, x0, pdf_y(y0));
	HPDF_Page_LineTo(r->page, x1, pdf_y(y1));
	HPDF_Page_Stroke(r->page);
}

static const char *address_get(const struct label_address *a, enum address_field f)
{
	switch (f) {
	case ADDR_NONE:
		return NULL;
	case ADDR_POSTAL:
		return a->postal_code;
	case ADDR_REGION:
		return a->region;
	case ADDR_CITY:
		return a->city;
	case ADDR_LINE1:
		return a->line1;
	case ADDR_LINE2:
		return a->line2;
	case ADDR_COUNTRY:
		return a->country;
	}
	abort();
}

/* Japanese order (〒 postal, prefecture, city, street) if the country says Japan, or if there is no
 * country and the region or city is written in Japanese; else the Western order. */
static const struct address_format *address_format_of(const struct label_address *a)
{
	const char *country = a->country ? a->country : "";

	for (size_t i = 0; i < sizeof(japan_names) / sizeof(japan_names[0]); i++)
		if (ascii_equal_nocase(country, japan_names[i]))
			return &address_japan;
	if (!*country && (has_cjk(a->region) || has_cjk(a->city)))
		return &address_japan;
	return &address_western;
}

/* Where and how large one address block is drawn. */
struct address_look {
	const char *caption;
	enum text_kind name, line;
	float x, top, width;
};

/* Draws caption, name, address lines and phone from look->top down. */
static void address_draw(struct render *r, const struct label_address *a,
                         const struct address_look *look)
{
	const struct address_format *fmt = address_format_of(a);
	float y = look->top + text_styles[TEXT_CAPTION].leading;
	struct line ln;

	text_draw(r, TEXT_CAPTION, look->caption, LEFT, y, TEXT_W);
	y += text_styles[look->name].size + 2.0f;
	text_draw(r, look->name, a->name, look->x, y, look->width);
	for (size_t i = 0; i < ADDRESS_LINES; i++) {
		line_begin(&ln, look->line);
		for (size_t j = 0; j < ADDRESS_PARTS && fmt->line[i][j].field != ADDR_NONE; j++) {
			const struct address_part *part = &fmt->line[i][j];
			const char *value = address_get(a, part->field);

			if (!value || !*value)
				continue;
			if (ln.n > 0)
				line_add(r, &ln, part->sep);
			line_add(r, &ln, part->lead);
			line_add(r, &ln, value);
		}
		if (ln.n == 0)
			continue;
		y += text_styles[look->line].leading;
		line_draw(r, &ln, look->x, y, look->width);
	}
	if (a->phone && *a->phone) {
		line_begin(&ln, look->line);
		line_add(r, &ln, "TEL ");
		line_add(r, &ln, a->phone);
		y += text_styles[look->line].leading;
		line_draw(r, &ln, look->x, y, look->width);
	}
}

/* Fills zint's vector rectangles into the box (x, top, w, h), centred, scaled per spec. */
static enum label_err code_fill(struct render *r, const struct code_spec *spec,
                                const struct zint_vector *v, float x, float top, float w, float h)
{
	float sx = w / v->width, sy = h / v->height;

	if (spec->square)
		sx = sy = min_f(sx, sy);
	if (sx * ZINT_UNITS_PER_MODULE > spec->max_module) {
		sx = spec->max_module / ZINT_UNITS_PER_MODULE;
		if (spec->square)
			sy = sx;
	}
	if (sx * ZINT_UNITS_PER_MODULE < spec->min_module)
		return LABEL_EBARCODE;
	x += (w - v->width * sx) / 2.0f;
	top += (h - v->height * sy) / 2.0f;

	HPDF_Page_SetGrayFill(r->page, 0.0f);
	for (const struct zint_vector_rect *rect = v->rectangles; rect; rect = rect->next)
		HPDF_Page_Rectangle(r->page, x + rect->x * sx,
		                    pdf_y(top + (rect->y + rect->height) * sy), rect->width * sx,
		                    rect->height * sy);
	HPDF_Page_Fill(r->page);
	return LABEL_OK;
}

/* Encodes data (bytes taken as they are) as spec->symbology and draws it as filled rectangles in
 * the box. LABEL_EBARCODE if zint refuses the data or the modules would be smaller than spec
 * allows. */
static enum label_err code_draw(struct render *r, const struct code_spec *spec, const char *data,
                                float x, float top, float w, float h)
{
	size_t len = strlen(data);
	struct zint_symbol *z;
	enum label_err err = LABEL_EBARCODE;
	int rc;

	if (len == 0 || len > CODE_MAX_BYTES)
		return LABEL_EBARCODE;
	z = ZBarcode_Create();
	if (!z)
		return LABEL_EPDF;
	z->symbology = spec->symbology;
	z->input_mode = DATA_MODE;
	z->output_options = BARCODE_QUIET_ZONES;
	z->show_hrt = 0;
	if (spec->option_1)
		z->option_1 = spec->option_1;
	rc = ZBarcode_Encode_and_Buffer_Vector(z, (const unsigned char *)data, (int)len, 0);
	if (rc < ZINT_ERROR && z->vector && z->vector->rectangles && z->vector->width > 0.0f &&
	    z->vector->height > 0.0f)
		err = code_fill(r, spec, z->vector, x, top, w, h);
	ZBarcode_Delete(z);
	return err;
}

/* Item list right of the QR code: "2 × name" then "variant · SKU sku"; "+ N more" if they overflow.
 */
static void items_draw(struct render *r, const struct label *l, float x, float top, float width)
{
	const float pitch = text_styles[TEXT_ITEM].leading + text_styles[TEXT_ITEM_DETAIL].leading;
	float y = top + text_styles[TEXT_CAPTION].leading;
	size_t slots, shown;
	struct line ln;
	char num[64];

	text_draw(r, TEXT_CAPTION, "ITEMS / 返品内容", x, y, width);
	slots = (size_t)((BOTTOM - 2.0f - y) / pitch);
	shown = l->n_items <= slots ? l->n_items : slots > 0 ? slots - 1 : 0;
	for (size_t i = 0; i < shown; i++) {
		const struct label_item *it = &l->items[i];

		line_begin(&ln, TEXT_ITEM);
		snprintf(num, sizeof(num), "%d × ", it->quantity);
		line_add(r, &ln, num);
		line_add(r, &ln, it->name);
		y += text_styles[TEXT_ITEM].leading + 1.5f;
		line_draw(r, &ln, x, y, width);

		line_begin(&ln, TEXT_ITEM_DETAIL);
		line_add(r, &ln, it->variant);
		if (it->sku && *it->sku) {
			line_add(r, &ln, ln.n > 0 ? " · SKU " : "SKU ");
			line_add(r, &ln, it->sku);
		}
		y += text_styles[TEXT_ITEM_DETAIL].leading - 1.5f;
		line_draw(r, &ln, x, y, width);
	}
	if (shown < l->n_items) {
		snprintf(num, sizeof(num), "+ %zu more / 他%zu点", l->n_items - shown,
		         l->n_items - shown);
		y += text_styles[TEXT_ITEM].leading + 1.5f;
		text_draw(r, TEXT_ITEM, num, x, y, width);
	}
}

/* Draws the whole label onto r->page. */
static enum label_err label_draw(struct render *r, const struct label *l)
{
	static const struct address_look from_look = {
	    "FROM / 差出人", TEXT_FROM_NAME, TEXT_FROM_LINE, LEFT, MERCHANT_BOTTOM + 1.0f, TEXT_W};
	static const struct address_look to_look = {"SHIP TO / お届け先", TEXT_TO_NAME,
	                                            TEXT_TO_LINE,         LEFT + 12.0f,
	                                            FROM_BOTTOM + 1.0f,   TEXT_W - 12.0f};
	enum label_err err;

	/* Frame, banner and the rules between blocks. */
	HPDF_Page_SetLineWidth(r->page, 1.0f);
	HPDF_Page_Rectangle(r->page, FRAME, FRAME, PAGE_W - 2 * FRAME, PAGE_H - 2 * FRAME);
	HPDF_Page_Stroke(r->page);
	HPDF_Page_SetGrayFill(r->page, 0.0f);
	HPDF_Page_Rectangle(r->page, FRAME, pdf_y(HEADER_BOTTOM), PAGE_W - 2 * FRAME,
	                    HEADER_BOTTOM - FRAME);
	HPDF_Page_Fill(r->page);
	rule_draw(r, FRAME, MERCHANT_BOTTOM, PAGE_W - FRAME, MERCHANT_BOTTOM, 0.75f);
	rule_draw(r, FRAME, FROM_BOTTOM, PAGE_W - FRAME, FROM_BOTTOM, 0.75f);
	rule_draw(r, FRAME, TO_BOTTOM, PAGE_W - FRAME, TO_BOTTOM, 2.0f);
	rule_draw(r, FRAME, BARCODE_BOTTOM, PAGE_W - FRAME, BARCODE_BOTTOM, 0.75f);
	rule_draw(r, ITEMS_LEFT - 5.0f, BARCODE_BOTTOM, ITEMS_LEFT - 5.0f, BOTTOM, 0.75f);

	err = code_draw(r, &code128_spec, l->rma, LEFT, TO_BOTTOM + 8.0f, TEXT_W, 50.0f);
	if (err == LABEL_OK)
		err = code_draw(r, &qr_spec, l->qr_text, FRAME + 2.0f, BARCODE_BOTTOM + 2.0f,
		                QR_SIZE, QR_SIZE);
	if (err != LABEL_OK)
		return err;

	text_draw(r, TEXT_BANNER, "RETURN / 返品", LEFT, HEADER_BOTTOM - 8.5f, TEXT_W);
	text_draw(r, TEXT_MERCHANT, l->merchant_name, LEFT, MERCHANT_BOTTOM - 5.5f, TEXT_W - 70.0f);
	text_draw(r, TEXT_DATE, l->created_on, RIGHT - 66.0f, MERCHANT_BOTTOM - 5.5f, 66.0f);
	address_draw(r, &l->from, &from_look);
	address_draw(r, &l->to, &to_look);
	if (l->dock)
		text_draw(r, TEXT_CAPTION, l->dock, LEFT + 78.0f,
		          to_look.top + text_styles[TEXT_CAPTION].leading, TEXT_W - 78.0f);
	text_draw(r, TEXT_RMA, l->rma, LEFT, BARCODE_BOTTOM - 8.0f, TEXT_W);
	items_draw(r, l, ITEMS_LEFT, BARCODE_BOTTOM + 1.0f, RIGHT - ITEMS_LEFT);
	return LABEL_OK;
}

/* Copies the finished document into a malloc'd buffer. */
static enum label_err render_save(struct render *r, unsigned char **out, size_t *out_len)
{
	HPDF_UINT32 size, got;
	unsigned char *buf;

	if (HPDF_SaveToStream(r->doc) != HPDF_OK || r->pdf_error != HPDF_OK)
		return LABEL_EPDF;
	size = HPDF_GetStreamSize(r->doc);
	if (size == 0 || HPDF_ResetStream(r->doc) != HPDF_OK)
		return LABEL_EPDF;
	buf = xmalloc(size);
	got = size;
	if (HPDF_ReadFromStream(r->doc, buf, &got) != HPDF_OK || got != size ||
	    r->pdf_error != HPDF_OK) {
		free(buf);
		return LABEL_EPDF;
	}
	*out = buf;
	*out_len = size;
	return LABEL_OK;
}

/* rma goes into Code 128 and onto the label as is: printable ASCII only. */
static bool rma_valid(const char *rma)
{
	if (!rma || !*rma)
		return false;
	for (; *rma; rma++)
		if (*rma < 0x20 || *rma > 0x7E)
			return false;
	return true;
}

enum label_err label_render(const struct label *l, unsigned char **out, size_t *out_len)
{
	struct render r = {.pdf_error = HPDF_OK};
	enum label_err err = LABEL_EPDF;

	if (!out || !out_len)
		return LABEL_EINVAL;
	*out = NULL;
	*out_len = 0;
	if (!l || (l->n_items > 0 && !l->items) || !rma_valid(l->rma) || !l->qr_text ||
	    !*l->qr_text)
		return LABEL_EINVAL;

	for (size_t s = 0; s < SCRIPT__MAX; s++)
		r.conv[s] = (iconv_t)-1;
	r.doc = HPDF_New(render_on_error, &r);
	if (!r.doc)
		return LABEL_EPDF;
	/* Deflate halves a label (9 KB to 4 KB) but adds 0.3 ms: worth it only for a dense QR code.
	 */
	if (strlen(l->qr_text) > COMPRESS_QR_BYTES)
		HPDF_SetCompressionMode(r.doc, HPDF_COMP_ALL);
	r.page = HPDF_AddPage(r.doc);
	if (r.page) {
		HPDF_Page_SetWidth(r.page, PAGE_W);
		HPDF_Page_SetHeight(r.page, PAGE_H);
		err = label_draw(&r, l);
		if (err == LABEL_OK && (r.pdf_error != HPDF_OK || r.conv_failed))
			err = LABEL_EPDF;
		if (err == LABEL_OK)
			err = render_save(&r, out, out_len);
	}

	HPDF_Free(r.doc);
	for (size_t s = 0; s < SCRIPT__MAX; s++)
		if (r.conv[s] != (iconv_t)-1)
			iconv_close(r.conv[s]);
	return err;
}
