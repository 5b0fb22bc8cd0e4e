/* The item page of a listing, /shop/{merchant}/items/{id}: HTML rendered here, so crawlers and
 * chat apps that read no scripts see the photos, the title, the price and the condition — in
 * Open Graph and Twitter card tags for link previews, and in a JSON-LD Product with its Offer for
 * search engines. A sold item's page stays, and says sold. Every piece of text from a merchant,
 * a listing or an inspection is escaped. English, or Japanese when the browser asks for it. */
#include "core/policy.h"
#include "core/rma.h"
#include "db/media.h"
#include "db/store.h"
#include "fcgi/handlers.h"
#include "fcgi/render.h"
#include "fcgi/shop.h"
#include "util/timefmt.h"
#include "util/tz.h"
#include "validate/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum lang { LANG_EN, LANG_JA, LANG__MAX };

/* The page's words, per language. */
enum word {
	W_SOLD,
	W_HELD,
	W_CONDITION,
	W_ORIGINAL,
	W_SHARE,
	W_COPY,
	W_BACK,
	W_NO_PHOTO,
	W_NOTE,
	W_BUY,
	W__MAX
};
static const char *const words[LANG__MAX][W__MAX] = {
    [LANG_EN] =
        {
            [W_SOLD] = "Sold — this item found a new owner.",
            [W_HELD] = "In someone's cart right now: it may be back shortly.",
            [W_CONDITION] = "Condition",
            [W_ORIGINAL] = "Original price",
            [W_SHARE] = "Share",
            [W_COPY] = "Copy link",
            [W_BACK] = "Back to the shop",
            [W_NO_PHOTO] = "No photo yet",
            [W_NOTE] = "Inspector's note",
            [W_BUY] = "Buy",
        },
    [LANG_JA] =
        {
            [W_SOLD] = "売り切れ — この商品は新しい持ち主が見つかりました。",
            [W_HELD] = "ほかの方のカートに入っています。まもなく戻るかもしれません。",
            [W_CONDITION] = "状態",
            [W_ORIGINAL] = "元の価格",
            [W_SHARE] = "シェア",
            [W_COPY] = "リンクをコピー",
            [W_BACK] = "ショップに戻る",
            [W_NO_PHOTO] = "写真はまだありません",
            [W_NOTE] = "検品メモ",
            [W_BUY] = "購入する",
        },
};

/* s with every byte but RFC 3986's unreserved ones percent-encoded; in the arena. */
static char *url_component(struct arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = arena_alloc(a, strlen(s) * 3 + 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

/* The merchant's checkout URL template with {listing_id}, {sku} and {price} (minor units) filled
 * in, each percent-encoded; other text is kept as the merchant wrote it. In the arena. */
static char *checkout_link(struct arena *a, const char *tmpl, const struct listing *l)
{
	static const char *const names[] = {"{listing_id}", "{sku}", "{price}"};
	const char *values[] = {arena_printf(a, "%lld", (long long)l->id), url_component(a, l->sku),
	                        arena_printf(a, "%lld", (long long)l->price)};
	char *out = arena_strdup(a, "");
	for (const char *p = tmpl; *p;) {
		size_t k = 0;
		while (k < 3 && strncmp(p, names[k], strlen(names[k])) != 0)
			k++;
		if (k < 3) {
			out = arena_printf(a, "%s%s", out, values[k]);
			p += strlen(names[k]);
		} else {
			out = arena_printf(a, "%s%c", out, *p);
			p++;
		}
	}
	return out;
}

/* Each resale grade: its name and what it means, in plain words. */
static const struct grade_words {
	const char *grade, *name[LANG__MAX], *meaning[LANG__MAX];
} grades[] = {
    {"new",
     {"New", "新品"},
     {"Never used, in its original condition.", "未使用で、元の状態のままです。"}},
    {"like_new",
     {"Like new", "未使用に近い"},
     {"Tried on or opened, with no visible wear.", "試着・開封のみで、使用感はありません。"}},
    {"good",
     {"Good", "目立った傷や汚れなし"},
     {"Lightly used; no marks you would notice from arm's length.",
      "軽い使用感はありますが、目立つ傷や汚れはありません。"}},
    {"fair",
     {"Fair", "やや傷や汚れあり"},
     {"Visibly used; the note and photos show where.",
      "使用感があります。場所はメモと写真でご確認ください。"}},
};

static const struct grade_words *grade_of(const char *grade)
{
	for (size_t i = 0; i < sizeof(grades) / sizeof(grades[0]); i++)
		if (strcmp(grades[i].grade, grade) == 0)
			return &grades[i];
	return &grades[sizeof(grades) / sizeof(grades[0]) - 1];
}

static enum lang lang_of(struct req *r)
{
	const char *al = FCGX_GetParam("HTTP_ACCEPT_LANGUAGE", r->fcgx->envp);
	const char *q = req_query(r, "lang");
	if (q)
		return strcmp(q, "ja") == 0 ? LANG_JA : LANG_EN;
	return al && strncasecmp(al, "ja", 2) == 0 ? LANG_JA : LANG_EN;
}

/* ---- text ---- */

static void raw(struct jtext *b, const char *s)
{
	jt_put(b, s, strlen(s));
}

/* s escaped for HTML text and attribute values. */
static void esc(struct jtext *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			raw(b, "&amp;");
			break;
		case '<':
			raw(b, "&lt;");
			break;
		case '>':
			raw(b, "&gt;");
			break;
		case '"':
			raw(b, "&quot;");
			break;
		case '\'':
			raw(b, "&#39;");
			break;
		default:
			jt_put(b, s, 1);
		}
	}
}

/* s percent-encoded for a query value. */
static void url_param(struct jtext *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			jt_put(b, (const char *)p, 1);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			jt_put(b, e, 3);
		}
	}
}

/* Amount in minor units as a decimal string ("3500", "19.99"). */
static const char *decimal(struct arena *a, int64_t amount, const char *currency)
{
	int e = currency_exponent(currency);
	int64_t div = 1;
	for (int i = 0; i < e; i++)
		div *= 10;
	if (e == 0)
		return arena_printf(a, "%lld", (long long)amount);
	return arena_printf(a, "%lld.%0*lld", (long long)(amount / div), e,
	                    (long long)(amount % div));
}

/* Amount for people: "¥3,500", "$19.99", "EUR 12.00". */
static const char *money(struct arena *a, int64_t amount, const char *currency)
{
	const char *d = decimal(a, amount, currency);
	const char *dot = strchr(d, '.');
	size_t whole = dot ? (size_t)(dot - d) : strlen(d);
	char grouped[64];
	size_t o = 0;
	for (size_t i = 0; i < whole && o + 2 < sizeof(grouped); i++) {
		if (i && (whole - i) % 3 == 0)
			grouped[o++] = ',';
		grouped[o++] = d[i];
	}
	grouped[o] = '\0';
	const char *symbol = strcmp(currency, "JPY") == 0   ? "¥"
	                     : strcmp(currency, "USD") == 0 ? "$"
	                     : strcmp(currency, "EUR") == 0 ? "€"
	                     : strcmp(currency, "GBP") == 0 ? "£"
	                                                    : NULL;
	return symbol ? arena_printf(a, "%s%s%s", symbol, grouped, dot ? dot : "")
	              : arena_printf(a, "%s %s%s", currency, grouped, dot ? dot : "");
}

/* The site's absolute origin: KAERU_PUBLIC_URL, else the request's own. */
static const char *origin_of(struct req *r)
{
	const char *pub = r->cfg->public_url;
	if (pub && *pub) {
		size_t n = strlen(pub);
		while (n && pub[n - 1] == '/')
			n--;
		return arena_strndup(r->arena, pub, n);
	}
	return arena_printf(r->arena, "%s://%s", r->https ? "https" : "http",
	                    r->host ? r->host : "localhost");
}

static void not_found(struct req *r)
{
	static const char body[] =
	    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not "
	    "found</title>"
	    "<meta name=\"robots\" content=\"noindex\"></head><body><h1>Not found</h1><p>No such "
	    "item.</p></body></html>";
	respond(r, 404, "text/html; charset=utf-8", NULL, body, sizeof(body) - 1);
}

/* The URL of photo p at width w (400, 800, or its largest) in ext. */
static const char *photo_at(struct arena *a, const char *origin, const struct photo *p, int w,
                            const char *ext)
{
	return arena_printf(a, "%s/media/%s-%d.%s", origin, p->hash, w < p->width ? w : p->width,
	                    ext);
}

/* GET /shop/{merchant}/items/{id} */
void h_item_page(struct req *r)
{
	struct merchant m;
	struct listing l;
	uint64_t version;
	int64_t id = segment_id(r->params[1]);
	enum kaeru_err e = segment_plausible(r->params[0], 64) && id > 0
	                       ? store_shop_merchant(r->db, r->params[0], &m, &version)
	                       : KAERU_ENOTFOUND;
	if (e == KAERU_OK)
		e = store_listing_get(r->db, m.id, id, false, &l);
	if (e == KAERU_OK && l.status != LISTING_PUBLISHED && l.status != LISTING_SOLD)
		e = KAERU_ENOTFOUND;
	struct ret ret;
	char rma[RMA_LEN + 1];
	if (e == KAERU_OK)
		e = rma_normalize(l.rma, rma) ? store_return_row(r->db, rma, &ret, NULL)
		                              : KAERU_ENOTFOUND;
	if (e == KAERU_ENOTFOUND) {
		not_found(r);
		return;
	}
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	struct arena *a = r->arena;
	enum lang lang = lang_of(r);
	const char *const *w = words[lang];
	const struct grade_words *g = grade_of(l.grade);
	bool sold = l.status == LISTING_SOLD;
	const char *origin = origin_of(r);
	const char *shop_url = arena_printf(a, "%s/shop/%s/", origin, m.slug);
	const char *url = arena_printf(a, "%s/shop/%s/items/%lld", origin, m.slug, (long long)l.id);
	const char *title = *l.variant ? arena_printf(a, "%s — %s", l.title, l.variant) : l.title;
	const char *price = money(a, l.price, l.currency);
	const char *note = l.public_note && *l.public_note ? l.public_note : NULL;
	const char *description = arena_printf(a, "%s: %s. %s%s%s", w[W_CONDITION], g->name[lang],
	                                       price, note ? " — " : "", note ? note : "");
	int64_t saving = l.original_price > l.price ? l.original_price - l.price : 0;
	int saving_pct = l.original_price > 0 ? (int)(saving * 100 / l.original_price) : 0;
	/* The day it was inspected (its draft made), on the merchant's calendar. */
	char day[DATE_LEN] = "";
	int64_t inspected_at;
	if (l.created_at && rfc3339_parse(l.created_at, &inspected_at))
		date_format(tz_local_day(m.timezone, inspected_at), day);

	struct jtext b = {0};
	raw(&b, "<!doctype html>\n<html lang=\"");
	raw(&b, lang == LANG_JA ? "ja" : "en");
	raw(&b,
	    "\" prefix=\"og: https://ogp.me/ns# product: https://ogp.me/ns/product#\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<title>");
	esc(&b, title);
	raw(&b, " | ");
	esc(&b, m.name);
	raw(&b, "</title>\n<meta name=\"description\" content=\"");
	esc(&b, description);
	raw(&b, "\">\n<link rel=\"canonical\" href=\"");
	esc(&b, url);
	raw(&b, "\">\n<link rel=\"stylesheet\" href=\"/assets/kaeru.css\">\n"
	        "<link rel=\"stylesheet\" href=\"/assets/shop.css\">\n"
	        "<script type=\"module\" src=\"/assets/item.js\"></script>\n");
	/* Open Graph and Twitter card: what a shared link previews with. */
	struct {
		const char *property, *content;
	} og[] = {
	    {"og:type", "product"},
	    {"og:site_name", m.name},
	    {"og:title", title},
	    {"og:description", description},
	    {"og:url", url},
	    {"product:price:amount", decimal(a, l.price, l.currency)},
	    {"product:price:currency", l.currency},
	    {"product:condition", strcmp(l.grade, "new") == 0 ? "new" : "used"},
	    {"product:availability", sold ? "out of stock" : "in stock"},
	};
	for (size_t i = 0; i < sizeof(og) / sizeof(og[0]); i++) {
		raw(&b, "<meta property=\"");
		raw(&b, og[i].property);
		raw(&b, "\" content=\"");
		esc(&b, og[i].content);
		raw(&b, "\">\n");
	}
	const struct photo *first = l.n_photos ? &l.photos[0] : NULL;
	if (first) {
		raw(&b, "<meta property=\"og:image\" content=\"");
		esc(&b, photo_at(a, origin, first, 1600, "jpg"));
		raw(&b, "\">\n<meta property=\"og:image:type\" content=\"image/jpeg\">\n");
		raw(&b, arena_printf(a,
		                     "<meta property=\"og:image:width\" content=\"%d\">\n"
		                     "<meta property=\"og:image:height\" content=\"%d\">\n",
		                     first->width, first->height));
	}
	raw(&b, "<meta name=\"twitter:card\" content=\"");
	raw(&b, first ? "summary_large_image" : "summary");
	raw(&b, "\">\n<meta name=\"twitter:title\" content=\"");
	esc(&b, title);
	raw(&b, "\">\n<meta name=\"twitter:description\" content=\"");
	esc(&b, description);
	raw(&b, "\">\n");
	if (first) {
		raw(&b, "<meta name=\"twitter:image\" content=\"");
		esc(&b, photo_at(a, origin, first, 1600, "jpg"));
		raw(&b, "\">\n");
	}
	/* JSON-LD Product with its Offer. */
	json_t *images = json_array();
	for (size_t i = 0; i < l.n_photos; i++)
		json_array_append_new(images,
		                      json_string(photo_at(a, origin, &l.photos[i], 1600, "jpg")));
	json_t *ld = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:o, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, "
	    "s:s}}}",
	    "@context", "https://schema.org", "@type", "Product", "name", title, "description",
	    description, "sku", arena_printf(a, "%lld", (long long)l.id), "image", images, "brand",
	    "@type", "Brand", "name", m.name, "offers", "@type", "Offer", "url", url, "price",
	    decimal(a, l.price, l.currency), "priceCurrency", l.currency, "itemCondition",
	    strcmp(l.grade, "new") == 0 ? "https://schema.org/NewCondition"
	                                : "https://schema.org/UsedCondition",
	    "availability", sold ? "https://schema.org/SoldOut" : "https://schema.org/InStock",
	    "seller", "@type", "Organization", "name", m.name);
	char *ld_text = json_dumps(ld, JSON_COMPACT | JSON_ESCAPE_SLASH);
	json_decref(ld);
	raw(&b, "<script type=\"application/ld+json\">");
	for (const char *p = ld_text; p && *p; p++) /* no "<" can close the script element */
		if (*p == '<')
			raw(&b, "\\u003c");
		else
			jt_put(&b, p, 1);
	free(ld_text);
	raw(&b, "</script>\n</head>\n<body class=\"shop-page item-page\">\n"
	        "<header class=\"site-header\"><div class=\"site-header-inner\">"
	        "<p class=\"merchant-name\"><a href=\"");
	esc(&b, shop_url);
	raw(&b, "\">");
	esc(&b, m.name);
	raw(&b, "</a></p></div></header>\n<main id=\"main\" class=\"page item\">\n");
	if (sold) {
		raw(&b, "<p class=\"notice item-sold\" id=\"item-sold\">");
		esc(&b, w[W_SOLD]);
		raw(&b, "</p>\n");
	}
	if (!sold && l.held_until) {
		raw(&b, "<p class=\"notice item-held\" id=\"item-held\">");
		esc(&b, w[W_HELD]);
		raw(&b, "</p>\n");
	}
	/* Photos: a row that snaps photo by photo, swiped on a phone. */
	if (l.n_photos) {
		raw(&b, "<ul class=\"item-photos\" id=\"item-photos\">\n");
		for (size_t i = 0; i < l.n_photos; i++) {
			const struct photo *p = &l.photos[i];
			raw(&b, "<li><picture><source type=\"image/webp\" srcset=\"");
			int widths[] = {400, 800, 1600};
			bool any = false;
			for (int k = 0; k < 3; k++) {
				int wd = widths[k] < p->width ? widths[k] : p->width;
				if (k && widths[k - 1] >= p->width)
					break;
				raw(&b, arena_printf(a, "%s/media/%s-%d.webp %dw", any ? ", " : "",
				                     p->hash, wd, wd));
				any = true;
			}
			raw(&b, "\" sizes=\"(min-width: 40rem) 40rem, 100vw\"><img src=\"");
			esc(&b, arena_printf(a, "/media/%s-%d.jpg", p->hash,
			                     p->width < 800 ? p->width : 800));
			raw(&b, "\" alt=\"");
			esc(&b, lang == LANG_JA
			            ? arena_printf(a, "%s の写真 %d", l.title, (int)i + 1)
			            : arena_printf(a, "Photo %d of %s", (int)i + 1, l.title));
			raw(&b, arena_printf(a, "\" width=\"%d\" height=\"%d\"%s></picture></li>\n",
			                     p->width, p->height, i ? " loading=\"lazy\"" : ""));
		}
		raw(&b, "</ul>\n");
	} else {
		raw(&b, "<p class=\"item-nophoto\">");
		esc(&b, w[W_NO_PHOTO]);
		raw(&b, "</p>\n");
	}
	raw(&b, "<h1 class=\"item-title\" id=\"item-title\">");
	esc(&b, l.title);
	raw(&b, "</h1>\n");
	if (*l.variant) {
		raw(&b, "<p class=\"variant\" id=\"item-variant\">");
		esc(&b, l.variant);
		raw(&b, "</p>\n");
	}
	raw(&b, "<p class=\"item-price\"><strong class=\"price-now\" id=\"item-price\">");
	esc(&b, price);
	raw(&b, "</strong> <s class=\"price-was\">");
	esc(&b, w[W_ORIGINAL]);
	raw(&b, " ");
	esc(&b, money(a, l.original_price, l.currency));
	raw(&b, "</s>");
	if (saving > 0) {
		raw(&b, " <span class=\"saving\" id=\"item-saving\">");
		const char *amount = money(a, saving, l.currency);
		esc(&b, lang == LANG_JA
		            ? arena_printf(a, "%s お得（%d%%オフ）", amount, saving_pct)
		            : arena_printf(a, "You save %s (%d%%)", amount, saving_pct));
		raw(&b, "</span>");
	}
	raw(&b, "</p>\n");
	/* The way to buy: the merchant's checkout, while nobody else holds the item in a cart. */
	if (!sold && !l.held_until && m.checkout_url) {
		raw(&b, "<p class=\"item-buy\"><a class=\"button button--primary\" id=\"item-buy\" "
		        "rel=\"noopener\" href=\"");
		esc(&b, checkout_link(a, m.checkout_url, &l));
		raw(&b, "\">");
		esc(&b, w[W_BUY]);
		raw(&b, "</a></p>\n");
	}
	raw(&b, "<section class=\"item-condition\"><h2>");
	esc(&b, w[W_CONDITION]);
	raw(&b, ": <span class=\"grade grade--");
	esc(&b, l.grade);
	raw(&b, "\" id=\"item-grade\">");
	esc(&b, g->name[lang]);
	raw(&b, "</span></h2>\n<p id=\"item-grade-meaning\">");
	esc(&b, g->meaning[lang]);
	raw(&b, "</p>\n");
	if (note) {
		raw(&b, "<p class=\"item-note\" id=\"item-note\"><span>");
		esc(&b, w[W_NOTE]);
		raw(&b, ":</span> ");
		esc(&b, note);
		raw(&b, "</p>\n");
	}
	raw(&b, "<p class=\"item-inspected\" id=\"item-inspected\">");
	esc(&b, lang == LANG_JA
	            ? arena_printf(a, "%s で %s に一点ずつ検品しました。", ret.warehouse_name, day)
	            : arena_printf(a, "Inspected by hand at %s on %s.", ret.warehouse_name, day));
	raw(&b, "</p>\n</section>\n<p class=\"item-shipping\" id=\"item-shipping\">");
	esc(&b,
	    lang == LANG_JA
	        ? arena_printf(a, "販売・発送：%s。返品は %s の返品ポリシー（%d日）に従います。",
	                       m.name, m.name, m.policy.window_days)
	        : arena_printf(a,
	                       "Sold and shipped by %s. Returns as in %s's returns policy (%d "
	                       "days).",
	                       m.name, m.name, m.policy.window_days));
	raw(&b, "</p>\n<section class=\"item-share\" aria-labelledby=\"share-title\"><h2 "
	        "id=\"share-title\">");
	esc(&b, w[W_SHARE]);
	raw(&b, "</h2>\n<ul class=\"share-buttons\">\n"
	        "<li><a class=\"button share-line\" rel=\"noopener\" target=\"_blank\" "
	        "href=\"https://social-plugins.line.me/lineit/share?url=");
	url_param(&b, url);
	raw(&b, "\">LINE</a></li>\n<li><a class=\"button share-x\" rel=\"noopener\" "
	        "target=\"_blank\" href=\"https://twitter.com/intent/tweet?url=");
	url_param(&b, url);
	raw(&b, "&amp;text=");
	url_param(&b, arena_printf(a, "%s %s", title, price));
	raw(&b, "\">X</a></li>\n<li><a class=\"button share-facebook\" rel=\"noopener\" "
	        "target=\"_blank\" href=\"https://www.facebook.com/sharer/sharer.php?u=");
	url_param(&b, url);
	raw(&b, "\">Facebook</a></li>\n<li><button type=\"button\" class=\"button share-copy\" "
	        "id=\"share-copy\" data-url=\"");
	esc(&b, url);
	raw(&b, "\">");
	esc(&b, w[W_COPY]);
	raw(&b, "</button></li>\n</ul>\n</section>\n<p><a href=\"");
	esc(&b, shop_url);
	raw(&b, "\">");
	esc(&b, w[W_BACK]);
	raw(&b, "</a></p>\n</main>\n<div id=\"announce\" class=\"visually-hidden\" "
	        "aria-live=\"polite\"></div>\n</body>\n</html>\n");
	/* Public and short-lived: a price change or a sale shows within a minute. */
	respond(r, 200, "text/html; charset=utf-8", "Cache-Control: public, max-age=60\r\n", b.p,
	        b.len);
	free(b.p);
}

/* The shop's page template, web/shop/index.html under nginx's document root (KAERU_DOCUMENT_ROOT,
 * a FastCGI parameter of the route), into the arena; NULL when it cannot be read. */
static char *shop_template(struct req *r, size_t *len)
{
	const char *root = FCGX_GetParam("KAERU_DOCUMENT_ROOT", r->fcgx->envp);
	if (!root || !*root)
		return NULL;
	FILE *f = fopen(arena_printf(r->arena, "%s/shop/index.html", root), "rb");
	if (!f)
		return NULL;
	enum { TEMPLATE_MAX = 64 * 1024 };
	char *buf = arena_alloc(r->arena, TEMPLATE_MAX + 1);
	*len = fread(buf, 1, TEMPLATE_MAX, f);
	bool whole = feof(f) && !ferror(f);
	fclose(f);
	if (!whole)
		return NULL;
	buf[*len] = '\0';
	return buf;
}

static void meta(struct jtext *b, const char *attr, const char *name, const char *content)
{
	raw(b, "<meta ");
	raw(b, attr);
	raw(b, "=\"");
	raw(b, name);
	raw(b, "\" content=\"");
	esc(b, content);
	raw(b, "\">\n");
}

/* GET /shop/{merchant}/: the shop's page — the same page as web/shop/index.html, with Open Graph
 * and Twitter card tags of the shop in its head, so a shared shop link previews with its name,
 * what it has and a photo. An unknown shop gets the page as it is (it says so itself). */
void h_shop_page(struct req *r)
{
	size_t len = 0;
	char *html = shop_template(r, &len);
	if (!html) {
		respond_problem(r, 500, "Internal error", "The shop page is missing.", NULL);
		return;
	}
	char *head_end = strstr(html, "</head>");
	struct merchant m;
	uint64_t version;
	struct shop *s = NULL;
	enum kaeru_err e = segment_plausible(r->params[0], 64)
	                       ? store_shop_merchant(r->db, r->params[0], &m, &version)
	                       : KAERU_ENOTFOUND;
	if (e == KAERU_OK)
		e = shop_get(r->db, m.id, version, &s);
	if (e != KAERU_OK && e != KAERU_ENOTFOUND) {
		respond_error(r, e);
		return;
	}
	struct jtext b = {0};
	if (e == KAERU_OK && head_end) {
		struct arena *a = r->arena;
		enum lang lang = lang_of(r);
		const char *origin = origin_of(r);
		const char *url = arena_printf(a, "%s/shop/%s/", origin, m.slug);
		int64_t n = (int64_t)shop_size(s), sold = shop_sold(s);
		const char *title = lang == LANG_JA ? arena_printf(a, "%s リユースショップ", m.name)
		                                    : arena_printf(a, "%s — resale shop", m.name);
		const char *description =
		    lang == LANG_JA
		        ? arena_printf(a,
		                       "検品済みの%lld点を販売中。%lld点が新しい持ち主のもとへ。",
		                       (long long)n, (long long)sold)
		        : arena_printf(a, "%lld inspected item%s for sale; %lld found %s here.",
		                       (long long)n, n == 1 ? "" : "s", (long long)sold,
		                       sold == 1 ? "a new owner" : "new owners");
		const struct photo *photo = NULL;
		for (size_t i = 0; !photo && i < (size_t)n; i++)
			if (shop_item(s, i)->n_photos)
				photo = &shop_item(s, i)->photos[0];
		jt_put(&b, html, (size_t)(head_end - html));
		meta(&b, "name", "description", description);
		raw(&b, "<link rel=\"canonical\" href=\"");
		esc(&b, url);
		raw(&b, "\">\n");
		meta(&b, "property", "og:type", "website");
		meta(&b, "property", "og:site_name", m.name);
		meta(&b, "property", "og:title", title);
		meta(&b, "property", "og:description", description);
		meta(&b, "property", "og:url", url);
		if (photo)
			meta(&b, "property", "og:image", photo_at(a, origin, photo, 1600, "jpg"));
		meta(&b, "name", "twitter:card", photo ? "summary_large_image" : "summary");
		meta(&b, "name", "twitter:title", title);
		raw(&b, head_end);
	} else {
		jt_put(&b, html, len);
	}
	if (s)
		shop_release(s);
	/* Like the other pages: revalidated, as it links the assets of the day by their hashes. */
	respond(r, 200, "text/html; charset=utf-8", "Cache-Control: no-cache\r\n", b.p, b.len);
	free(b.p);
}
