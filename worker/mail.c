/* Customer e-mail (worker/mail.h). Texts live in one table per kind and language; no tracking
 * pixels, no remote images: the HTML part is the text part with links. */
#include "worker/mail.h"
#include "core/policy.h"
#include "db/events.h"
#include "db/store.h"
#include "fcgi/label_of.h"
#include "util/timefmt.h"
#include "util/tz.h"

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SMTP_TIMEOUT_S 30

/* The messages, in the order of mail_kind_names: each its subject (rma, merchant), its lead
 * line (rma, merchant) and, for some, a detail line with one %s that mail_detail fills. */
enum mail_kind {
	MAIL_STARTED,
	MAIL_RECEIVED,
	MAIL_RESOLVED,
	MAIL_REFUND_PAID,
	MAIL_SHIPPED,
	MAIL_CANCELED,
	MAIL_EXPIRED,
	MAIL_EXPIRING,
	MAIL__MAX
};
static const char *const mail_kind_names[MAIL__MAX] = {
    [MAIL_STARTED] = "return_started",   [MAIL_RECEIVED] = "parcel_received",
    [MAIL_RESOLVED] = "return_resolved", [MAIL_REFUND_PAID] = "refund_paid",
    [MAIL_SHIPPED] = "exchange_shipped", [MAIL_CANCELED] = "return_canceled",
    [MAIL_EXPIRED] = "return_expired",   [MAIL_EXPIRING] = MAIL_KIND_EXPIRING,
};
struct mail_text {
	const char *subject, *lead, *detail;
};
static const struct mail_text texts[MAIL__MAX][LANGUAGE__MAX] = {
    [MAIL_STARTED] = {[LANGUAGE_JA] = {"返品を受け付けました（%s）— %s",
                                       "%2$s への返品（返品番号 %1$s）を受け付けました。",
                                       "添付の返品ラベルを印刷して荷物に貼り、%s "
                                       "までに発送してください。"},
                      [LANGUAGE_EN] = {"Your return %s is started — %s",
                                       "We have your return %s to %s.",
                                       "Print the attached label, stick it on the parcel and send "
                                       "it by %s."}},
    [MAIL_RECEIVED] = {[LANGUAGE_JA] = {"返品の荷物が届きました（%s）— %s",
                                        "返品（返品番号 %1$s）の荷物が %2$s に届きました。"
                                        "検品が済みしだいお知らせします。",
                                        NULL},
                       [LANGUAGE_EN] = {"Your parcel for return %s arrived — %s",
                                        "Your parcel for return %s arrived at %s. We will write "
                                        "again once it is inspected.",
                                        NULL}},
    [MAIL_RESOLVED] = {[LANGUAGE_JA] = {"返品の検品が終わりました（%s）— %s",
                                        "返品（返品番号 %1$s）の検品が終わりました。",
                                        "お受け取りいただくもの：%s"},
                       [LANGUAGE_EN] = {"Your return %s is settled — %s",
                                        "Your return %s to %s is inspected and settled.",
                                        "What you get: %s"}},
    [MAIL_REFUND_PAID] = {[LANGUAGE_JA] = {"返金しました（%s）— %s",
                                           "返品（返品番号 %1$s）の返金をお支払いしました。",
                                           "お支払い額：%s"},
                          [LANGUAGE_EN] = {"Your refund for return %s is paid — %s",
                                           "%2$s paid the refund of your return %1$s.",
                                           "Amount: %s"}},
    [MAIL_SHIPPED] = {[LANGUAGE_JA] = {"交換品を発送しました（%s）— %s",
                                       "返品（返品番号 %1$s）の交換品を発送しました。",
                                       "配送業者と追跡番号：%s"},
                      [LANGUAGE_EN] = {"Your replacement for return %s is on its way — %s",
                                       "%2$s shipped the replacement of your return %1$s.",
                                       "Carrier and tracking number: %s"}},
    [MAIL_CANCELED] = {[LANGUAGE_JA] = {"返品を取り消しました（%s）— %s",
                                        "返品（返品番号 %1$s）は取り消されました。"
                                        "返品ラベルは使えません。",
                                        NULL},
                       [LANGUAGE_EN] = {"Your return %s is canceled — %s",
                                        "Your return %s to %s is canceled; its label is no longer "
                                        "valid.",
                                        NULL}},
    [MAIL_EXPIRED] = {[LANGUAGE_JA] = {"返品ラベルの有効期限が切れました（%s）— %s",
                                       "返品（返品番号 %1$s）のラベルは、荷物が届かないまま"
                                       "有効期限が切れました。",
                                       NULL},
                      [LANGUAGE_EN] = {"The label of your return %s expired — %s",
                                       "The label of your return %s to %s expired before the "
                                       "parcel arrived.",
                                       NULL}},
    [MAIL_EXPIRING] = {[LANGUAGE_JA] = {"返品ラベルの有効期限が近づいています（%s）— %s",
                                        "返品（返品番号 %1$s）の荷物がまだ %2$s に届いていません。",
                                        "ラベルは %s まで有効です。それまでに発送してください。"},
                       [LANGUAGE_EN] = {"Your return label %s expires soon — %s",
                                        "The parcel of your return %s has not reached %s yet.",
                                        "The label is valid until %s: please send the parcel by "
                                        "then."}},
};
static const struct {
	const char *greeting, *items, *track, *refund, *credit, *replacement, *nothing;
} words[LANGUAGE__MAX] = {
    [LANGUAGE_JA] = {"%s 様", "返品する商品", "返品の状況はこちらでご確認いただけます：", "返金 %s",
                     "ストアクレジット %s", "交換品 %s × %lld", "なし"},
    [LANGUAGE_EN] = {"Dear %s,", "Items", "Follow your return here:", "a refund of %s",
                     "store credit of %s", "replacement %s × %lld", "nothing"},
};

/* Minor units as "JPY 9,800" or "USD 19.99". */
static char *money(struct arena *a, const char *currency, int64_t minor)
{
	int decimals = currency_exponent(currency); /* 0 (JPY) or 2 (USD, ...) */
	long long unit = 1;
	for (int i = 0; i < decimals; i++)
		unit *= 10;
	long long major = (long long)(minor < 0 ? -minor : minor) / unit;
	char digits[32], grouped[48];
	snprintf(digits, sizeof(digits), "%lld", major);
	size_t n = strlen(digits), k = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			grouped[k++] = ',';
		grouped[k++] = digits[i];
	}
	grouped[k] = '\0';
	if (!decimals)
		return arena_printf(a, "%s %s%s", currency, minor < 0 ? "-" : "", grouped);
	return arena_printf(a, "%s %s%s.%0*lld", currency, minor < 0 ? "-" : "", grouped, decimals,
	                    (long long)(minor < 0 ? -minor : minor) % unit);
}

/* The detail line's value for kind, from the return (and its settlement) and the job's data. */
static char *mail_detail(struct arena *a, enum mail_kind kind, int lang, const struct ret *ret,
                         const struct merchant *m, json_t *data)
{
	switch (kind) {
	case MAIL_STARTED:
	case MAIL_EXPIRING: {
		char by[DATE_LEN];
		date_format(tz_local_day(m->timezone, ret->expires_at), by);
		return arena_strdup(a, by);
	}
	case MAIL_RESOLVED: {
		char *out = arena_strdup(a, "");
		const char *sep = lang == LANGUAGE_JA ? "、" : ", ";
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		if (ret->has_totals && ret->totals.refund > 0)
			out =
			    arena_printf(a, "%s%s", out,
			                 arena_printf(a, words[lang].refund,
			                              money(a, ret->currency, ret->totals.refund)));
		if (ret->has_totals && ret->totals.store_credit > 0)
			out = arena_printf(
			    a, "%s%s%s", out, *out ? sep : "",
			    arena_printf(a, words[lang].credit,
			                 money(a, ret->currency, ret->totals.store_credit)));
		for (size_t i = 0; i < ret->n_shipments; i++)
			out = arena_printf(a, "%s%s%s", out, *out ? sep : "",
			                   arena_printf(a, words[lang].replacement,
			                                ret->shipments[i].sku,
			                                (long long)ret->shipments[i].quantity));
#pragma GCC diagnostic pop
		return *out ? out : arena_strdup(a, words[lang].nothing);
	}
	case MAIL_REFUND_PAID:
		return money(a, ret->currency, json_integer_value(json_object_get(data, "amount")));
	case MAIL_SHIPPED:
		return arena_printf(
		    a, "%s, %s",
		    json_string_value(json_object_get(data, "carrier"))
		        ? json_string_value(json_object_get(data, "carrier"))
		        : "",
		    json_string_value(json_object_get(data, "tracking_number"))
		        ? json_string_value(json_object_get(data, "tracking_number"))
		        : "");
	case MAIL_RECEIVED:
	case MAIL_CANCELED:
	case MAIL_EXPIRED:
		return NULL;
	case MAIL__MAX:
		break;
	}
	abort();
}

char *mail_header_word(struct arena *a, const char *s)
{
	bool plain = true;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			plain = false;
	if (plain && strlen(s) < 900)
		return arena_strdup(a, s);
	/* Words of at most 45 bytes (60 base64 characters, 72 with =?UTF-8?B?…?=), cut
	 * before a UTF-8 continuation byte never. */
	size_t len = strlen(s), out_len = 0, cap = len * 2 + 64;
	char *out = arena_alloc(a, cap);
	out[0] = '\0';
	for (size_t i = 0; i < len;) {
		size_t n = len - i < 45 ? len - i : 45;
		while (n > 0 && i + n < len && ((unsigned char)s[i + n] & 0xc0) == 0x80)
			n--;
		char b64[64];
		sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s + i, n,
		                  sodium_base64_VARIANT_ORIGINAL);
		out_len += (size_t)snprintf(out + out_len, cap - out_len,
		                            "%s=?UTF-8?B?%s?=", out_len ? "\r\n " : "", b64);
		i += n;
	}
	return out;
}

static void html_escape(struct arena *a, const char *s, char **out)
{
	size_t len = strlen(s), n = 0;
	char *o = arena_alloc(a, len * 6 + 1);
	for (const char *p = s; *p; p++) {
		const char *rep = *p == '&'    ? "&amp;"
		                  : *p == '<'  ? "&lt;"
		                  : *p == '>'  ? "&gt;"
		                  : *p == '"'  ? "&quot;"
		                  : *p == '\'' ? "&#39;"
		                               : NULL;
		if (rep) {
			memcpy(o + n, rep, strlen(rep));
			n += strlen(rep);
		} else {
			o[n++] = *p;
		}
	}
	o[n] = '\0';
	*out = o;
}

static char *esc(struct arena *a, const char *s)
{
	char *o;
	html_escape(a, s ? s : "", &o);
	return o;
}

/* s with each LF as CRLF, the canonical line break of text parts, in a. */
static char *crlf(struct arena *a, const char *s)
{
	size_t n = 0;
	char *o = arena_alloc(a, strlen(s) * 2 + 1);
	for (const char *p = s; *p; p++) {
		if (*p == '\n')
			o[n++] = '\r';
		o[n++] = *p;
	}
	o[n] = '\0';
	return o;
}

/* No CR, LF or angle brackets: safe in a header and an SMTP command. */
static bool address_ok(const char *s)
{
	return s && *s && !strpbrk(s, "\r\n<> ") && strchr(s, '@');
}

bool mail_send(struct db *db, const struct config *cfg, const struct email_job *job, char *err,
               size_t errlen)
{
	struct arena *a = db->arena;
	int kind = NAME_INDEX(mail_kind_names, job->kind);
	if (kind < 0) {
		snprintf(err, errlen, "no message for %s", job->kind);
		return false;
	}
	if (!address_ok(job->to) || !address_ok(cfg->mail_from)) {
		snprintf(err, errlen, "no usable address (to or KAERU_MAIL_FROM)");
		return false;
	}
	struct ret ret;
	struct merchant m;
	if (store_return_whole(db, job->rma, &ret, &m, NULL) != KAERU_OK || /* one statement */
	    store_return_timeline(db, &ret) != KAERU_OK) {
		snprintf(err, errlen, "return %s: %s", job->rma, db->last_error);
		return false;
	}
	const char *reply_to = NULL;
	if (store_merchant_reply_to(db, m.id, &reply_to) != KAERU_OK) {
		snprintf(err, errlen, "merchant of %s: %s", job->rma, db->last_error);
		return false;
	}
	int lang = job->language ? NAME_INDEX(languages, job->language) : -1;
	if (lang < 0) /* not told: the merchant's own language by its currency */
		lang = strcmp(m.currency, "JPY") == 0 ? LANGUAGE_JA : LANGUAGE_EN;
	const struct mail_text *t = &texts[kind][lang];
	json_t *addr =
	    json_loads(ret.shipping_address_json ? ret.shipping_address_json : "", 0, NULL);
	const char *name = arena_strdup(a, json_string_value(json_object_get(addr, "name"))
	                                       ? json_string_value(json_object_get(addr, "name"))
	                                       : "");
	json_decref(addr);
	json_t *data = job->data_json ? json_loads(job->data_json, 0, NULL) : NULL;
	char *detail =
	    t->detail ? mail_detail(a, (enum mail_kind)kind, lang, &ret, &m, data) : NULL;
	json_decref(data);
	const char *base = cfg->public_url ? cfg->public_url : "";
	char *link = arena_printf(a, "%s/r/%s?k=%s", base, ret.rma, ret.tracking_key);
	if (lang == LANGUAGE_JA) /* the tracking page opens in the customer's language */
		link = arena_printf(a, "%s&lang=ja", link);
	char *items_text = arena_strdup(a, ""), *items_html = arena_strdup(a, "");
	for (size_t i = 0; i < ret.n_items; i++) {
		const struct return_item *it = &ret.items[i];
		const char *v = it->variant && *it->variant ? it->variant : NULL;
		items_text =
		    arena_printf(a, "%s- %s%s%s%s × %lld\n", items_text, it->name, v ? " (" : "",
		                 v ? v : "", v ? ")" : "", (long long)it->quantity);
		items_html = arena_printf(a, "%s<li>%s%s%s%s × %lld</li>", items_html,
		                          esc(a, it->name), v ? " (" : "", v ? esc(a, v) : "",
		                          v ? ")" : "", (long long)it->quantity);
	}
	/* The texts are fixed strings of this file, with positional arguments. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	char *subject = arena_printf(a, t->subject, ret.rma, m.name);
	char *greeting = arena_printf(a, words[lang].greeting, name);
	char *body = arena_printf(a, t->lead, ret.rma, m.name);
	char *by_line = detail ? arena_printf(a, t->detail, detail) : arena_strdup(a, "");
#pragma GCC diagnostic pop
	char *text =
	    arena_printf(a, "%s\n\n%s\n%s\n\n%s:\n%s\n%s\n%s\n\n%s\n", greeting, body, by_line,
	                 words[lang].items, items_text, words[lang].track, link, m.name);
	char *html =
	    arena_printf(a,
	                 "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta "
	                 "charset=\"utf-8\"><title>%s</title></head>"
	                 "<body>\n<p>%s</p>\n<p>%s<br>%s</p>\n<p>%s:</p>\n<ul>%s</ul>\n<p>%s<br><a "
	                 "href=\"%s\">%s</a></p>\n<p>%s</p>\n</body></html>\n",
	                 languages[lang], esc(a, subject), esc(a, greeting), esc(a, body),
	                 esc(a, by_line), esc(a, words[lang].items), items_html,
	                 esc(a, words[lang].track), esc(a, link), esc(a, link), esc(a, m.name));
	unsigned char *pdf = NULL;
	size_t pdf_len = 0;
	if (kind == MAIL_STARTED && !return_label_pdf(a, &ret, &m, &pdf, &pdf_len)) {
		snprintf(err, errlen, "the label could not be made");
		return false;
	}

	CURL *c = curl_easy_init();
	if (!c) {
		free(pdf);
		snprintf(err, errlen, "libcurl could not start");
		return false;
	}
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "Date: %a, %d %b %Y %H:%M:%S +0000", &tm);
	const char *domain = strchr(cfg->mail_from, '@') + 1;
	struct curl_slist *headers = curl_slist_append(NULL, date);
	headers = curl_slist_append(
	    headers, arena_printf(a, "From: %s <%s>", mail_header_word(a, m.name), cfg->mail_from));
	if (address_ok(reply_to)) /* answers go to the merchant, not to kaeru */
		headers =
		    curl_slist_append(headers, arena_printf(a, "Reply-To: %s <%s>",
		                                            mail_header_word(a, m.name), reply_to));
	headers = curl_slist_append(headers, arena_printf(a, "To: <%s>", job->to));
	headers = curl_slist_append(headers,
	                            arena_printf(a, "Subject: %s", mail_header_word(a, subject)));
	headers = curl_slist_append(headers, arena_printf(a, "Message-ID: <kaeru-%lld-%s@%s>",
	                                                  (long long)job->id, job->kind, domain));
	headers =
	    curl_slist_append(headers, arena_printf(a, "Content-Language: %s", languages[lang]));
	struct curl_slist *rcpt = curl_slist_append(NULL, arena_printf(a, "<%s>", job->to));

	curl_mime *mime = curl_mime_init(c), *alt = curl_mime_init(c);
	curl_mimepart *part = curl_mime_addpart(alt);
	curl_mime_data(part, crlf(a, text), CURL_ZERO_TERMINATED);
	curl_mime_type(part, "text/plain; charset=UTF-8");
	curl_mime_encoder(part, "quoted-printable");
	part = curl_mime_addpart(alt);
	curl_mime_data(part, crlf(a, html), CURL_ZERO_TERMINATED);
	curl_mime_type(part, "text/html; charset=UTF-8");
	curl_mime_encoder(part, "quoted-printable");
	part = curl_mime_addpart(mime);
	curl_mime_subparts(part, alt);
	curl_mime_type(part, "multipart/alternative");
	if (pdf) { /* the label goes with the first message */
		part = curl_mime_addpart(mime);
		curl_mime_data(part, (const char *)pdf, pdf_len);
		curl_mime_type(part, "application/pdf");
		curl_mime_filename(part, arena_printf(a, "return-%s.pdf", ret.rma));
		curl_mime_encoder(part, "base64");
	}

	char curl_err[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, arena_printf(a, "<%s>", cfg->mail_from));
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY); /* STARTTLS when offered */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)SMTP_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
	curl_mime_free(mime);
	curl_slist_free_all(headers);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	free(pdf);
	return rc == CURLE_OK;
}
