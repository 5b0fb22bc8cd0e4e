#include "fcgi/render.h"

#include "db/media.h"
#include "util/timefmt.h"
#include "util/tz.h"

#include <stdio.h>
#include <string.h>

/* The names of the reasons in mask (REASON_BIT), in the reasons' order, as a JSON array. */
static void jt_reasons(struct jtext *t, unsigned mask)
{
	const char *sep = "[";
	for (int i = 0; i < REASON__MAX; i++)
		if (mask & REASON_BIT(i)) {
			jt_lit(t, sep);
			jt_str(t, reason_names[i]);
			sep = ",";
		}
	jt_lit(t, *sep == '[' ? "[]" : "]");
}

void jt_merchant_policy(struct jtext *t, const struct merchant *m)
{
	const struct policy *p = &m->policy;
	unsigned fee_reasons = 0; /* the reasons whose refunds withhold the fee */
	for (int i = 0; i < REASON__MAX; i++)
		if (resolve_fee_applies(p, (enum reason)i))
			fee_reasons |= REASON_BIT(i);
	jt_lit_int(t, "{\"window_days\":", p->window_days);
	jt_lit_int(t, ",\"store_credit_bonus_percent\":", p->store_credit_bonus_percent);
	jt_lit_int(t, ",\"restocking_fee_percent\":", p->restocking_fee_percent);
	jt_lit_int(t, ",\"label_validity_days\":", p->label_validity_days);
	jt_lit(t, ",\"reasons\":"); /* the reasons the merchant offers */
	jt_reasons(t, p->reasons_offered);
	jt_lit(t, ",\"fee_reasons\":");
	jt_reasons(t, fee_reasons);
	jt_lit_str(t, ",\"timezone\":", m->timezone);
	jt_lit(t, "}");
}

void jt_merchant_brief(struct jtext *t, const struct merchant *m)
{
	jt_lit_str(t, "{\"slug\":", m->slug);
	jt_lit_str(t, ",\"name\":", m->name);
	jt_lit_str(t, ",\"currency\":", m->currency);
	jt_lit(t, "}");
}

json_t *render_merchant_brief(const struct merchant *m)
{
	return json_pack("{s:s, s:s, s:s}", "slug", m->slug, "name", m->name, "currency",
	                 m->currency);
}

json_t *render_stored_json(const char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	return j ? j : json_null();
}

static json_t *time_or_null(bool present, int64_t t)
{
	if (!present)
		return json_null();
	char buf[RFC3339_LEN];
	rfc3339_format(t, buf);
	return json_string(buf);
}

json_t *render_order(const struct order *o)
{
	json_t *lines = json_array();
	for (size_t i = 0; i < o->n_lines; i++) {
		const struct order_line *l = &o->lines[i];
		json_array_append_new(
		    lines, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:b}", "line_id",
		                     l->line_id, "sku", l->sku, "product_id", l->product_id, "name",
		                     l->name, "variant", l->variant, "category", l->category,
		                     "quantity", (json_int_t)l->quantity, "unit_price",
		                     (json_int_t)l->unit_price, "final_sale", l->final_sale));
	}
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "order_number", o->order_number,
	                 "email", o->email, "currency", o->currency, "placed_at",
	                 time_or_null(o->has_placed, o->placed_at), "delivered_at",
	                 time_or_null(o->has_delivered, o->delivered_at), "shipping_address",
	                 render_stored_json(o->shipping_address_json), "lines", lines);
}

static json_t *int_or_null(bool present, int64_t v)
{
	return present ? json_integer(v) : json_null();
}

json_t *render_return(struct req *r, const struct ret *ret, const struct merchant *m, enum view v)
{
	json_t *items = json_array();
	for (size_t i = 0; i < ret->n_items; i++) {
		const struct return_item *it = &ret->items[i];
		json_array_append_new(
		    items,
		    json_pack(
		        "{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s?, s:s, s:s?, s:s?, s:s, s:o,"
		        " s:s?, s:s?, s:s?}",
		        "item_id", (json_int_t)it->id, "line_id", it->line_id, "sku", it->sku,
		        "name", it->name, "variant", it->variant, "quantity",
		        (json_int_t)it->quantity, "unit_price", (json_int_t)it->unit_price,
		        "reason", reason_names[it->reason], "comment", it->comment, "resolution",
		        resolution_names[it->resolution], "exchange_sku", it->exchange_sku,
		        "exchange_variant", it->exchange_variant, "status", it->status,
		        "received_quantity", int_or_null(it->has_received, it->received_quantity),
		        "grade", it->grade, "disposition", it->disposition, "note", it->note));
	}
	json_t *events = json_array();
	for (size_t i = 0; i < ret->n_events; i++) {
		const struct return_event *ev = &ret->events[i];
		json_t *e =
		    json_pack("{s:s, s:s, s:s, s:o}", "at", ev->at, "type", ev->type, "actor",
		              ev->actor, "detail", render_stored_json(ev->detail_json));
		if (v == VIEW_STAFF)
			json_object_set_new(e, "staff",
			                    ev->staff ? json_string(ev->staff) : json_null());
		json_array_append_new(events, e);
	}
	json_t *exchanges = json_array();
	for (size_t i = 0; i < ret->n_shipments; i++)
		json_array_append_new(exchanges,
		                      json_pack("{s:s, s:s, s:I}", "sku", ret->shipments[i].sku,
		                                "variant", ret->shipments[i].variant, "quantity",
		                                (json_int_t)ret->shipments[i].quantity));
	const struct resolve_totals *t = &ret->totals;
	json_t *refund =
	    !ret->has_totals
	        ? json_null()
	        : json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "amount",
	                    (json_int_t)(t->refund + t->store_credit), "currency", ret->currency,
	                    "method", resolve_method(t), "refund", (json_int_t)t->refund,
	                    "restocking_fee", (json_int_t)t->fee, "store_credit",
	                    (json_int_t)t->store_credit, "store_credit_bonus", (json_int_t)t->bonus,
	                    "missing", (json_int_t)t->missing);
	const char *base = r->cfg->public_url ? r->cfg->public_url : "";
	char *label_url = arena_printf(r->arena, "%s/api/v1/returns/%s/label.pdf?k=%s", base,
	                               ret->rma, ret->tracking_key);
	char *tracking_url =
	    arena_printf(r->arena, "%s/r/%s?k=%s", base, ret->rma, ret->tracking_key);
	json_t *j = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "rma", ret->rma,
	    "merchant", m->slug, "merchant_name", m->name, "order_number", ret->order_number,
	    "currency", ret->currency, "status", return_status_names[ret->status], "created_at",
	    ret->created_at, "label_url", label_url, "tracking_url", tracking_url, "items", items,
	    "events", events, "refund", refund, "exchanges", exchanges);
	json_object_set_new(j, "label_state",
	                    json_string(label_state_names[return_label_state(ret->status)]));
	json_object_set_new(j, "merchant_timezone", json_string(m->timezone));
	if (return_label_state(ret->status) == LABEL_USABLE && ret->expires_at > 0) {
		/* The label's last day, on the merchant's calendar: the parcel goes out by then. */
		char at[RFC3339_LEN], ship_by[DATE_LEN];
		rfc3339_format(ret->expires_at, at);
		date_format(tz_local_day(m->timezone, ret->expires_at), ship_by);
		json_object_set_new(j, "label_expires_at", json_string(at));
		json_object_set_new(j, "ship_by", json_string(ship_by));
		/* The label's QR code alone, for a counter that scans it off the phone. */
		json_object_set_new(
		    j, "qr_url",
		    json_string(arena_printf(r->arena, "%s/api/v1/returns/%s/qr.svg?k=%s", base,
		                             ret->rma, ret->tracking_key)));
	}
	if (v == VIEW_STAFF) {
		json_t *address = render_stored_json(ret->shipping_address_json);
		json_t *name = json_object_get(address, "name");
		json_object_set_new(
		    j, "customer_name",
		    json_string(json_string_value(name) ? json_string_value(name) : ""));
		json_decref(address);
		json_object_set_new(j, "warehouse", json_string(ret->warehouse_code));
		json_object_set_new(j, "warehouse_name", json_string(ret->warehouse_name));
		json_object_set_new(j, "received_at",
		                    ret->received_at ? json_string(ret->received_at) : json_null());
		/* What the inspection may choose: the grades the merchant's policy resells. */
		json_t *resalable = json_array();
		for (int g = 0; g < GRADE__MAX; g++)
			if (grade_resalable(&m->policy, (enum grade)g))
				json_array_append_new(resalable, json_string(grade_names[g]));
		json_object_set_new(j, "resalable_grades", resalable);
	}
	return j;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

const char *render_photo_url(char *buf, size_t size, const struct photo *p)
{
	snprintf(buf, size, "/media/%s-%d.jpg", p->hash, p->width);
	return buf;
}

json_t *render_photos_one(const struct photo *p)
{
	char url[128];
	return json_pack("{s:I, s:s, s:i, s:i}", "id", (json_int_t)p->id, "url",
	                 render_photo_url(url, sizeof(url), p), "width", p->width, "height",
	                 p->height);
}

json_t *render_photos(const struct photo *ps, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, render_photos_one(&ps[i]));
	return a;
}

json_t *render_listing(const struct listing *l)
{
	json_t *j = json_pack(
	    "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s,"
	    " s:s, s:o, s:o, s:o}",
	    "id", (json_int_t)l->id, "status", listing_status_names[l->status], "title", l->title,
	    "variant", l->variant, "sku", l->sku, "product_id", l->product_id, "category",
	    l->category, "grade", l->grade, "condition_note", l->condition_note, "original_price",
	    (json_int_t)l->original_price, "suggested_price", (json_int_t)l->suggested_price,
	    "price", (json_int_t)l->price, "currency", l->currency, "rma", l->rma, "created_at",
	    l->created_at, "published_at", str_or_null(l->published_at), "sold_at",
	    str_or_null(l->sold_at), "reject_reason", str_or_null(l->reject_reason));
	json_object_set_new(j, "public_note", json_string(l->public_note ? l->public_note : ""));
	json_object_set_new(j, "photos", render_photos(l->photos, l->n_photos));
	json_object_set_new(j, "held_until", str_or_null(l->held_until));
	return j;
}

json_t *render_shop_listing(const struct listing *l)
{
	json_t *j =
	    json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:o}", "id", (json_int_t)l->id,
	              "title", l->title, "variant", l->variant, "grade", l->grade, "category",
	              l->category, "condition_note", l->condition_note, "price",
	              (json_int_t)l->price, "original_price", (json_int_t)l->original_price,
	              "currency", l->currency, "published_at", str_or_null(l->published_at));
	json_object_set_new(j, "photos", render_photos(l->photos, l->n_photos));
	json_object_set_new(j, "held_until", str_or_null(l->held_until));
	return j;
}

json_t *render_return_row(const struct return_row *x)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "rma", x->rma,
	                 "status", x->status, "order_number", x->order_number, "customer_name",
	                 x->customer_name ? x->customer_name : "", "email", x->email, "currency",
	                 x->currency, "created_at", x->created_at, "updated_at", x->updated_at,
	                 "items", (json_int_t)x->items, "refund_amount",
	                 x->has_refund ? json_integer(x->refund_amount) : json_null());
}

json_t *render_cursor(int64_t id)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%lld", (long long)id);
	return id ? json_string(buf) : json_null();
}

void render_page(json_t *j, int64_t page, int64_t per_page, int64_t total)
{
	json_object_set_new(j, "page", json_integer(page));
	json_object_set_new(j, "per_page", json_integer(per_page));
	json_object_set_new(j, "total", json_integer(total));
}

void jt_put(struct jtext *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->p = xrealloc(t->p, t->cap);
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

void jt_lit(struct jtext *t, const char *s)
{
	jt_put(t, s, strlen(s));
}

void jt_str(struct jtext *t, const char *s)
{
	if (!s) {
		jt_lit(t, "null");
		return;
	}
	jt_put(t, "\"", 1);
	while (*s) {
		size_t run = 0;
		while (s[run] && s[run] != '"' && s[run] != '\\' && (unsigned char)s[run] >= 0x20)
			run++;
		jt_put(t, s, run);
		s += run;
		if (!*s)
			break;
		/* " and \ and the control characters of a short escape, then the others */
		static const char shorts[] = "\"\\\b\f\n\r\t", letters[] = "\"\\bfnrt";
		const char *k = strchr(shorts, *s);
		char esc[8];
		if (k)
			snprintf(esc, sizeof(esc), "\\%c", letters[k - shorts]);
		else
			snprintf(esc, sizeof(esc), "\\u%04X", (unsigned)(unsigned char)*s);
		jt_lit(t, esc);
		s++;
	}
	jt_put(t, "\"", 1);
}

void jt_int(struct jtext *t, int64_t v)
{
	/* digits from the right, not snprintf's format parser (a lookup writes dozens) */
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	jt_put(t, p, (size_t)(buf + sizeof(buf) - p));
}

void jt_bool(struct jtext *t, bool b)
{
	jt_lit(t, b ? "true" : "false");
}

void jt_lit_str(struct jtext *t, const char *lit, const char *s)
{
	jt_lit(t, lit);
	jt_str(t, s);
}

void jt_lit_int(struct jtext *t, const char *lit, int64_t v)
{
	jt_lit(t, lit);
	jt_int(t, v);
}

void jt_lit_bool(struct jtext *t, const char *lit, bool b)
{
	jt_lit(t, lit);
	jt_bool(t, b);
}

void jt_json(struct jtext *t, json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	jt_lit(t, text ? text : "null");
	free(text);
}
