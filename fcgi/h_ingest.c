/* The shop system pushes orders and inventory with its merchant key. */
#include "fcgi/auth.h"
#include "fcgi/handlers.h"
#include "fcgi/render.h"
#include "validate/order.h"

#include <string.h>

#define STOCK_MAX 1000

struct order_put {
	struct order *order;
	bool created;
	const char *bad_line;
};

static enum kaeru_err order_put_tx(struct db *db, void *arg)
{
	struct order_put *op = arg;
	return store_order_put(db, op->order, &op->created, &op->bad_line);
}

/* PUT /api/v1/merchants/{merchant}/orders/{order_number} */
void h_order_put(struct req *r)
{
	struct merchant m = r->who.merchant;
	struct checker c;
	check_init(&c, r->arena);
	struct order o = {.merchant_id = m.id, .order_number = r->params[1]};
	if (!order_number_plausible(o.order_number))
		check_fail(&c, "order_number", ORDER_NUMBER_RULE);
	check_order(&c, r->json, m.currency, &o);
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	struct order_put op = {.order = &o};
	enum kaeru_err e = db_tx_run(r->db, order_put_tx, &op);
	if (e == KAERU_ECONFLICT && op.bad_line) {
		respond_problem_ext(
		    r, 409, "Line has a return",
		    arena_printf(r->arena,
		                 "Line %s is part of a return: it cannot be removed, "
		                 "nor have fewer units than are being returned.",
		                 op.bad_line),
		    json_pack("{s:s}", "line_id", op.bad_line));
		return;
	}
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	respond_json(r, op.created ? 201 : 200, render_order(&o));
}

struct inventory_put {
	int64_t merchant_id;
	struct stock *items;
	size_t n;
};

static enum kaeru_err inventory_put_tx(struct db *db, void *arg)
{
	struct inventory_put *ip = arg;
	return store_inventory_put(db, ip->merchant_id, ip->items, ip->n);
}

/* PUT /api/v1/merchants/{merchant}/inventory */
void h_inventory_put(struct req *r)
{
	struct merchant m = r->who.merchant;
	struct checker c;
	check_init(&c, r->arena);
	json_t *items = check_array(&c, r->json, "items", 1, STOCK_MAX);
	struct inventory_put ip = {.merchant_id = m.id, .n = items ? json_array_size(items) : 0};
	ip.items = arena_zalloc(r->arena, sizeof(*ip.items) * (ip.n + 1));
	for (size_t i = 0; i < ip.n; i++) {
		json_t *it = json_array_get(items, i);
		struct stock *s = &ip.items[i];
		check_enter(&c, "items[%zu].", i);
		s->sku = check_string(&c, it, "sku", REQUIRED, 1, 128, NULL);
		s->product_id = check_string(&c, it, "product_id", OPTIONAL, 1, 128, s->sku);
		s->variant = check_string(&c, it, "variant", OPTIONAL, 0, 255, "");
		s->available = check_int(&c, it, "available", REQUIRED, 0, 1000000000, 0);
		if (!s->product_id)
			s->product_id = s->sku;
	}
	c.prefix = "";
	if (!check_ok(&c)) {
		respond_invalid(r, c.errors);
		return;
	}
	json_decref(c.errors);
	enum kaeru_err e = db_tx_run(r->db, inventory_put_tx, &ip);
	if (e != KAERU_OK) {
		respond_error(r, e);
		return;
	}
	json_t *out = json_array();
	for (size_t i = 0; i < ip.n; i++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:I}", "sku", ip.items[i].sku,
		                                     "product_id", ip.items[i].product_id,
		                                     "variant", ip.items[i].variant, "available",
		                                     (json_int_t)ip.items[i].available));
	respond_json(r, 200, json_pack("{s:o}", "items", out));
}
