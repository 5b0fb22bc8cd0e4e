/* kaeru-admin: the operator's commands, against the database named by the same settings as
 * kaeru-fcgi (KAERU_DB_*, or -c FILE). Secrets never come from argv: passwords are read from
 * standard input, API keys are printed once. */
#include "admin/maintenance.h"
#include "core/team.h"
#include "db/migrate.h"
#include "db/search.h"
#include "db/store.h"
#include "util/config.h"
#include "util/keys.h"
#include "util/password.h"
#include "util/tz.h"
#include "validate/order.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ctx {
	struct config cfg;
	struct db db;
	struct arena arena;
};

/* Options of every command; each command names those it needs. */
enum opt {
	OPT_CODE,
	OPT_NAME,
	OPT_ADDRESS_JSON,
	OPT_SLUG,
	OPT_CURRENCY,
	OPT_WAREHOUSE,
	OPT_EMAIL,
	OPT_ROLE,
	OPT_MERCHANT,
	OPT_WINDOW_DAYS,
	OPT_RESTOCKING_FEE,
	OPT_CREDIT_BONUS,
	OPT_LABEL_VALIDITY,
	OPT_RESALE_NEW,
	OPT_RESALE_LIKE_NEW,
	OPT_RESALE_GOOD,
	OPT_RESALE_FAIR,
	OPT_PRICE_STEP,
	OPT_TIMEZONE,
	OPT_REPLY_TO,
	OPT__MAX
};
static const char *const opt_names[OPT__MAX] = {
    [OPT_CODE] = "code",
    [OPT_NAME] = "name",
    [OPT_ADDRESS_JSON] = "address-json",
    [OPT_SLUG] = "slug",
    [OPT_CURRENCY] = "currency",
    [OPT_WAREHOUSE] = "warehouse",
    [OPT_EMAIL] = "email",
    [OPT_ROLE] = "role",
    [OPT_MERCHANT] = "merchant",
    [OPT_WINDOW_DAYS] = "window-days",
    [OPT_RESTOCKING_FEE] = "restocking-fee-percent",
    [OPT_CREDIT_BONUS] = "store-credit-bonus-percent",
    [OPT_LABEL_VALIDITY] = "label-validity-days",
    [OPT_RESALE_NEW] = "resale-percent-new",
    [OPT_RESALE_LIKE_NEW] = "resale-percent-like-new",
    [OPT_RESALE_GOOD] = "resale-percent-good",
    [OPT_RESALE_FAIR] = "resale-percent-fair",
    [OPT_PRICE_STEP] = "price-step",
    [OPT_TIMEZONE] = "timezone",
    [OPT_REPLY_TO] = "reply-to",
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "kaeru-admin: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 1;
}

static const char *need(const char **opts, enum opt o)
{
	if (!opts[o]) {
		fail("missing --%s", opt_names[o]);
		exit(2);
	}
	return opts[o];
}

static int db_fail(struct ctx *x, enum kaeru_err e, const char *what)
{
	if (e == KAERU_ECONFLICT)
		return fail("%s already exists", what);
	if (e == KAERU_ENOTFOUND)
		return fail("%s not found", what);
	fprintf(stderr, "kaeru-admin: database: %s\n", x->db.last_error);
	return 1;
}

static int cmd_migrate(struct ctx *x, const char **opts, int argc, char **argv)
{
	(void)opts, (void)argc, (void)argv;
	return db_migrate(&x->db, stdout) == KAERU_OK ? 0 : 1;
}

static int cmd_warehouse_create(struct ctx *x, const char **opts, int argc, char **argv)
{
	(void)argc, (void)argv;
	const char *code = need(opts, OPT_CODE), *name = need(opts, OPT_NAME);
	const char *address = need(opts, OPT_ADDRESS_JSON);
	json_t *j = json_loads(address, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return fail(
		    "--address-json must be a JSON object like an order's shipping_address");
	}
	json_t *body = json_pack("{s:o}", "address", j);
	struct checker c;
	check_init(&c, &x->arena);
	const char *normalised = check_address(&c, body, "address");
	json_decref(body);
	size_t i;
	json_t *err;
	json_array_foreach(c.errors, i, err) fprintf(
	    stderr, "kaeru-admin: %s: %s\n", json_string_value(json_object_get(err, "field")),
	    json_string_value(json_object_get(err, "message")));
	bool ok = check_ok(&c);
	json_decref(c.errors);
	if (!ok)
		return 2;
	int64_t id;
	enum kaeru_err e = store_warehouse_create(&x->db, code, name, normalised, &id);
	if (e != KAERU_OK)
		return db_fail(x, e, "warehouse");
	printf("warehouse %s created\n", code);
	return 0;
}

/* The --reply-to given: "" when absent, NULL (after saying why) when it is no e-mail address. */
static const char *reply_to_opt(const char **opts)
{
	const char *addr = opts[OPT_REPLY_TO];
	if (!addr)
		return "";
	if (!email_plausible(addr)) {
		fail("--reply-to must be an e-mail address (got \"%s\")", addr);
		return NULL;
	}
	return addr;
}

/* The --timezone given, or fallback without one; NULL (after saying why) when it is no zone of
 * the database. */
static const char *timezone_opt(const char **opts, const char *fallback)
{
	const char *zone = opts[OPT_TIMEZONE] ? opts[OPT_TIMEZONE] : fallback;
	if (zone && !tz_valid(zone)) {
		fail("--timezone must be an IANA time zone name such as Asia/Tokyo, "
		     "America/New_York or UTC (got \"%s\")",
		     zone);
		return NULL;
	}
	return zone;
}

static int cmd_merchant_create(struct ctx *x, const char **opts, int argc, char **argv)
{
	(void)argc, (void)argv;
	const char *slug = need(opts, OPT_SLUG), *name = need(opts, OPT_NAME);
	const char *currency = need(opts, OPT_CURRENCY), *code = need(opts, OPT_WAREHOUSE);
	if (!order_number_plausible(slug) ||
	    strspn(slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(slug))
		return fail("--slug must be lower-case letters, digits and '-' (got \"%s\")", slug);
	if (!currency_known(currency))
		return fail("--currency must be an ISO 4217 code kaeru knows, such as JPY or USD "
		            "(got \"%s\")",
		            currency);
	const char *zone = timezone_opt(opts, "UTC"), *reply_to = reply_to_opt(opts);
	if (!zone || !reply_to)
		return 2;
	struct warehouse w;
	enum kaeru_err e = store_warehouse_by_code(&x->db, code, &w);
	if (e != KAERU_OK)
		return db_fail(x, e, "warehouse");
	char key[48], hash[HASH_HEX_LEN + 1];
	api_key_new(key);
	hash_hex(key, strlen(key), hash);
	struct policy p;
	policy_default(&p, currency);
	int64_t id;
	e = store_merchant_create(&x->db, slug, name, currency, zone, w.id, hash, p.price_step,
	                          &id);
	if (e == KAERU_OK && *reply_to)
		e = store_merchant_reply_to_set(&x->db, id, reply_to);
	if (e != KAERU_OK)
		return db_fail(x, e, "merchant");
	printf("merchant %s created; its API key (shown once):\n%s\n", slug, key);
	return 0;
}

static int cmd_user_create(struct ctx *x, const char **opts, int argc, char **argv)
{
	(void)argc, (void)argv;
	const char *given = need(opts, OPT_EMAIL), *role_name = need(opts, OPT_ROLE);
	const char *email = email_key(&x->arena, given); /* as logins compare */
	if (!email_plausible(email))
		return fail("--email must be an e-mail address (got \"%s\")", given);
	int role = NAME_INDEX(role_names, role_name);
	if (role < 0)
		return fail(
		    "--role must be warehouse, merchant, merchant_staff or admin (got \"%s\")",
		    role_name);
	int64_t merchant_id = 0, warehouse_id = 0;
	if (opts[OPT_MERCHANT]) {
		struct merchant m;
		enum kaeru_err e = store_merchant_by_slug(&x->db, opts[OPT_MERCHANT], &m);
		if (e != KAERU_OK)
			return db_fail(x, e, "merchant");
		merchant_id = m.id;
	}
	if (opts[OPT_WAREHOUSE]) {
		struct warehouse w;
		enum kaeru_err e = store_warehouse_by_code(&x->db, opts[OPT_WAREHOUSE], &w);
		if (e != KAERU_OK)
			return db_fail(x, e, "warehouse");
		warehouse_id = w.id;
	}
	if (role_is_merchants((enum role)role) && !merchant_id)
		return fail("a merchant user needs --merchant SLUG");
	if (role == ROLE_WAREHOUSE && !warehouse_id)
		return fail("a warehouse user needs --warehouse CODE");
	char password[1024];
	if (!fgets(password, sizeof(password), stdin))
		return fail("give the password on standard input");
	password[strcspn(password, "\r\n")] = '\0';
	if (strlen(password) < PASSWORD_MIN_LEN)
		return fail("the password needs at least %d characters", PASSWORD_MIN_LEN);
	char hash[PASSWORD_HASH_MAX];
	if (!password_hash(hash, password))
		return fail("out of memory hashing the password");
	sodium_memzero(password, sizeof(password));
	enum kaeru_err e =
	    store_user_create(&x->db, email, hash, (enum role)role, merchant_id, warehouse_id);
	if (e != KAERU_OK)
		return db_fail(x, e, "user");
	printf("user %s (%s) created\n", email, role_names[role]);
	return 0;
}

/* An integer option in [min, max] into *out, left alone when the option is absent. */
static bool int_opt(const char **opts, enum opt o, int min, int max, int *out)
{
	if (!opts[o])
		return true;
	char *end = NULL;
	errno = 0;
	long v = strtol(opts[o], &end, 10);
	if (errno || end == opts[o] || *end || v < min || v > max) {
		fail("--%s must be a whole number from %d to %d (got \"%s\")", opt_names[o], min,
		     max, opts[o]);
		return false;
	}
	*out = (int)v;
	return true;
}

struct rebuild {
	int64_t merchant_id, orders, returns;
};

static enum kaeru_err rebuild_tx(struct db *db, void *arg)
{
	struct rebuild *rb = arg;
	return store_analytics_rebuild(db, rb->merchant_id, &rb->orders, &rb->returns);
}

/* analytics rebuild --merchant SLUG: the console's daily aggregates counted anew from the
 * merchant's records, in one transaction (for data made before they existed). */
static int cmd_analytics_rebuild(struct ctx *x, const char **opts, int argc, char **argv)
{
	(void)argc, (void)argv;
	const char *slug = need(opts, OPT_MERCHANT);
	struct merchant m;
	enum kaeru_err e = store_merchant_by_slug(&x->db, slug, &m);
	if (e != KAERU_OK)
		return db_fail(x, e, "merchant");
	struct rebuild rb = {.merchant_id = m.id};
	if ((e = db_tx_run(&x->db, rebuild_tx, &rb)) != KAERU_OK)
		return db_fail(x, e, "analytics");
	printf("merchant %s: analytics rebuilt from %lld orders and %lld returns\n", m.slug,
	       (long long)rb.orders, (long long)rb.returns);
	return 0;
}

#define SEARCH_REBUILD_BATCH 500 /* returns per transaction */

struct search_batch {
	int64_t merchant_id, after, n;
};

static enum kaeru_err search_queue_tx(struct db *db, void *arg)
{
	struct search_batch *b = arg;
	int64_t after = b->after; /* a batch run again starts where it started */
	enum kaeru_err e =
	    store_search_queue_all(db, b->merchant_id, SEARCH_REBUILD_BATCH, &after, &b->n);
	if (e == KAERU_OK)
		b->after = after;
	return e;
}

static enum kaeru_err search_index_tx(struct db *db, void *arg)
{
	return store_search_index_queued(db, SEARCH_REBUILD_BATCH, arg);
}

/* search rebuild [--merchant SLUG]: the console search's terms written anew for every return
 * (of one merchant): each queued for the indexer, SEARCH_REBUILD_BATCH a transaction, then the
 * queue indexed here as kaeru-worker would (beside it, if one runs: two indexers of a return
 * write the same terms). For returns made before migration 016; safe to run again, and beside
 * live traffic. */
static int cmd_search_rebuild(struct ctx *x, const char **opts, int argc, char **argv)
{
	(void)argc, (void)argv;
	struct search_batch b = {0};
	const char *what = "all merchants";
	if (opts[OPT_MERCHANT]) {
		struct merchant m;
		enum kaeru_err e = store_merchant_by_slug(&x->db, opts[OPT_MERCHANT], &m);
		if (e != KAERU_OK)
			return db_fail(x, e, "merchant");
		b.merchant_id = m.id;
		what = opts[OPT_MERCHANT];
	}
	long long total = 0;
	do {
		arena_reset(&x->arena);
		enum kaeru_err e = db_tx_run(&x->db, search_queue_tx, &b);
		if (e != KAERU_OK)
			return db_fail(x, e, "search");
		total += b.n;
	} while (b.n == SEARCH_REBUILD_BATCH);
	int64_t n = 0;
	do {
		arena_reset(&x->arena);
		enum kaeru_err e = db_tx_run(&x->db, search_index_tx, &n);
		if (e != KAERU_OK)
			return db_fail(x, e, "search");
	} while (n > 0);
	printf("search: terms written anew for %lld returns (%s)\n", total, what);
	return 0;
}

static int cmd_merchant_policy(struct ctx *x, const char **opts, int argc, char **argv)
{
	(void)argc, (void)argv;
	const char *slug = need(opts, OPT_SLUG);
	struct merchant m;
	enum kaeru_err e = store_merchant_by_slug(&x->db, slug, &m);
	if (e != KAERU_OK)
		return db_fail(x, e, "merchant");
	struct policy *p = &m.policy;
	const char *zone = timezone_opt(opts, m.timezone), *reply_to = reply_to_opt(opts);
	if (!zone || !reply_to)
		return 2;
	if (!int_opt(opts, OPT_WINDOW_DAYS, 0, 3650, &p->window_days) ||
	    !int_opt(opts, OPT_RESTOCKING_FEE, 0, 100, &p->restocking_fee_percent) ||
	    !int_opt(opts, OPT_CREDIT_BONUS, 0, 100, &p->store_credit_bonus_percent) ||
	    !int_opt(opts, OPT_LABEL_VALIDITY, 1, 3650, &p->label_validity_days) ||
	    !int_opt(opts, OPT_RESALE_NEW, 1, 100, &p->resale_percent[GRADE_NEW]) ||
	    !int_opt(opts, OPT_RESALE_LIKE_NEW, 1, 100, &p->resale_percent[GRADE_LIKE_NEW]) ||
	    !int_opt(opts, OPT_RESALE_GOOD, 1, 100, &p->resale_percent[GRADE_GOOD]) ||
	    !int_opt(opts, OPT_RESALE_FAIR, 1, 100, &p->resale_percent[GRADE_FAIR]))
		return 2;
	int step = (int)p->price_step;
	if (!int_opt(opts, OPT_PRICE_STEP, 1, 1000000, &step))
		return 2;
	p->price_step = step;
	if ((e = store_merchant_policy_set(&x->db, m.id, p)) != KAERU_OK ||
	    (e = store_merchant_timezone_set(&x->db, m.id, zone)) != KAERU_OK ||
	    (*reply_to && (e = store_merchant_reply_to_set(&x->db, m.id, reply_to)) != KAERU_OK))
		return db_fail(x, e, "merchant");
	printf("merchant %s: time zone %s, window %d days, restocking fee %d%%, store-credit "
	       "bonus %d%%, labels valid %d days; resale at new %d%%, like new %d%%, good %d%%, "
	       "fair %d%% in steps of %lld\n",
	       slug, zone, p->window_days, p->restocking_fee_percent, p->store_credit_bonus_percent,
	       p->label_validity_days, p->resale_percent[GRADE_NEW],
	       p->resale_percent[GRADE_LIKE_NEW], p->resale_percent[GRADE_GOOD],
	       p->resale_percent[GRADE_FAIR], (long long)p->price_step);
	return 0;
}

static int cmd_maintenance(struct ctx *x, const char **opts, int argc, char **argv)
{
	(void)opts, (void)argc, (void)argv;
	struct maintenance_counts n;
	const char *what = NULL;
	enum kaeru_err e = maintenance_run(&x->db, &x->arena, &n, &what);
	/* Another host (a kaeru-worker) is running it: wait for its turn, a minute at most. */
	for (int waited = 0; e == KAERU_OK && n.skipped && waited < 60; waited++) {
		sleep(1);
		e = maintenance_run(&x->db, &x->arena, &n, &what);
	}
	if (e == KAERU_OK && n.skipped) {
		fprintf(stderr, "kaeru-admin: another host is running the maintenance\n");
		return 1;
	}
	if (e != KAERU_OK)
		return db_fail(x, e, what);
	printf("expired %zu returns; queued %llu label reminders; removed %llu dead sessions, "
	       "%llu old failed logins or lookups and %llu day-old idempotency keys\n",
	       n.expired, (unsigned long long)n.reminders, (unsigned long long)n.sessions,
	       (unsigned long long)n.failures, (unsigned long long)n.idempotency_keys);
	return 0;
}

struct import {
	struct order *order;
	bool created;
	const char *bad_line;
};

static enum kaeru_err import_tx(struct db *db, void *arg)
{
	struct import *im = arg;
	return store_order_put(db, im->order, &im->created, &im->bad_line);
}

static int cmd_orders_import(struct ctx *x, const char **opts, int argc, char **argv)
{
	const char *slug = need(opts, OPT_MERCHANT);
	if (argc != 1)
		return fail("give one FILE.jsonl");
	struct merchant m;
	enum kaeru_err e = store_merchant_by_slug(&x->db, slug, &m);
	if (e != KAERU_OK)
		return db_fail(x, e, "merchant");
	char currency[8]; /* m's strings live in the arena, which each line resets */
	snprintf(currency, sizeof(currency), "%s", m.currency);
	FILE *f = strcmp(argv[0], "-") == 0 ? stdin : fopen(argv[0], "r");
	if (!f)
		return fail("cannot open %s", argv[0]);
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0, created = 0, replaced = 0, bad = 0;
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		arena_reset(&x->arena);
		json_error_t jerr;
		json_t *body = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
		struct checker c;
		check_init(&c, &x->arena);
		struct order o = {.merchant_id = m.id};
		if (!json_is_object(body)) {
			check_fail(&c, "", body ? "must be a JSON object" : jerr.text);
		} else {
			o.order_number =
			    check_string(&c, body, "order_number", REQUIRED, 1, 64, NULL);
			if (o.order_number && !order_number_plausible(o.order_number))
				check_fail(&c, "order_number", ORDER_NUMBER_RULE);
			check_order(&c, body, currency, &o);
		}
		if (check_ok(&c)) {
			struct import im = {.order = &o};
			e = db_tx_run(&x->db, import_tx, &im);
			if (e == KAERU_OK) {
				created += im.created;
				replaced += !im.created;
			} else {
				check_fail(&c, "",
				           e == KAERU_ECONFLICT && im.bad_line
				               ? "a removed line has a return"
				               : x->db.last_error);
			}
		}
		size_t i;
		json_t *err;
		json_array_foreach(c.errors, i, err)
		{
			const char *field = json_string_value(json_object_get(err, "field"));
			fprintf(stderr, "%s:%ld: %s%s%s\n", argv[0], lineno, field,
			        *field ? ": " : "",
			        json_string_value(json_object_get(err, "message")));
		}
		bad += !check_ok(&c);
		json_decref(c.errors);
		json_decref(body);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	printf("orders: %ld created, %ld replaced, %ld refused\n", created, replaced, bad);
	return bad ? 1 : 0;
}

typedef int (*command_fn)(struct ctx *x, const char **opts, int argc, char **argv);
static const struct command {
	const char *noun, *verb;
	command_fn fn;
	const char *usage;
} commands[] = {
    {"migrate", NULL, cmd_migrate, "migrate"},
    {"warehouse", "create", cmd_warehouse_create,
     "warehouse create --code TYO1 --name \"Tokyo DC\" --address-json '{...}'"},
    {"merchant", "create", cmd_merchant_create,
     "merchant create --slug sakura --name \"Sakura Apparel\" --currency JPY --warehouse TYO1 "
     "[--timezone Asia/Tokyo]  (UTC when not given) [--reply-to support@shop.example]"},
    {"user", "create", cmd_user_create,
     "user create --email a@b.jp --role warehouse|merchant|merchant_staff|admin [--merchant SLUG] "
     "[--warehouse CODE]  (password on stdin)"},
    {"merchant", "policy", cmd_merchant_policy,
     "merchant policy --slug sakura [--window-days N] [--restocking-fee-percent N] "
     "[--store-credit-bonus-percent N] [--label-validity-days N] [--resale-percent-new N] "
     "[--resale-percent-like-new N] [--resale-percent-good N] [--resale-percent-fair N] "
     "[--price-step MINOR_UNITS] [--timezone IANA_NAME] [--reply-to ADDRESS]"},
    {"orders", "import", cmd_orders_import, "orders import --merchant SLUG FILE.jsonl"},
    {"analytics", "rebuild", cmd_analytics_rebuild, "analytics rebuild --merchant SLUG"},
    {"search", "rebuild", cmd_search_rebuild,
     "search rebuild [--merchant SLUG]  (the console search's terms of returns made before it)"},
    {"maintenance", NULL, cmd_maintenance,
     "maintenance  (expire unscanned labels, queue label reminders, prune sessions; safe from "
     "cron on many hosts)"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static int usage(void)
{
	fprintf(stderr, "usage: kaeru-admin [-c config-file] COMMAND\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(stderr, "  kaeru-admin %s\n", commands[i].usage);
	return 2;
}

int main(int argc, char **argv)
{
	const char *config_path = NULL;
	int argi = 1;
	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		config_path = argv[2];
		argi = 3;
	}
	if (argi >= argc)
		return usage();
	const struct command *cmd = NULL;
	for (size_t i = 0; i < NCOMMANDS && !cmd; i++)
		if (strcmp(argv[argi], commands[i].noun) == 0 &&
		    (!commands[i].verb ||
		     (argi + 1 < argc && strcmp(argv[argi + 1], commands[i].verb) == 0)))
			cmd = &commands[i];
	if (!cmd)
		return usage();
	argi += cmd->verb ? 2 : 1;

	const char *opts[OPT__MAX] = {0};
	struct option longopts[OPT__MAX + 1];
	memset(longopts, 0, sizeof(longopts));
	for (int i = 0; i < OPT__MAX; i++)
		longopts[i] = (struct option){opt_names[i], required_argument, NULL, i};
	int sub_argc = argc - argi + 1;
	char **sub_argv = argv + argi - 1;
	optind = 1;
	int o;
	while ((o = getopt_long(sub_argc, sub_argv, "", longopts, NULL)) != -1) {
		if (o < 0 || o >= OPT__MAX)
			return usage();
		opts[o] = optarg;
	}

	struct ctx x = {0};
	char err[256];
	if (config_load(&x.cfg, config_path, err, sizeof(err)) != 0)
		return fail("%s", err);
	/* KAERU_DB_TIMEOUT bounds what a request may wait; an operator's command may run long
	 * statements (a migration's ALTER TABLE, an import), so it waits up to an hour. */
	if (x.cfg.db_timeout_s < 3600)
		x.cfg.db_timeout_s = 3600;
	if (sodium_init() < 0)
		return fail("cannot initialise libsodium");
	db_library_init();
	int rc;
	if (db_open(&x.db, &x.cfg, &x.arena) != KAERU_OK) {
		rc = fail("cannot connect to the database: %s", x.db.last_error);
	} else {
		rc = cmd->fn(&x, opts, sub_argc - optind, sub_argv + optind);
	}
	db_close(&x.db);
	db_library_end();
	arena_free(&x.arena);
	config_free(&x.cfg);
	return rc;
}
