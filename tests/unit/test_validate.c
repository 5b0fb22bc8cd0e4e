/* The edge validators: every bad value gets a message naming its field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/domain.h"
#include "validate/order.h"
#include "validate/check.h"

/* The field names of the errors, comma-separated. */
static const char *fields(struct checker *c)
{
	static char buf[1024];
	buf[0] = '\0';
	size_t i;
	json_t *e;
	json_array_foreach(c->errors, i, e)
	{
		if (buf[0])
			strcat(buf, ",");
		strcat(buf, json_string_value(json_object_get(e, "field")));
	}
	return buf;
}

static void test_scalars(void **state)
{
	(void)state;
	struct arena a = {0};
	static const struct {
		const char *json;
		const char *errors; /* fields with errors, in order */
	} cases[] = {
	    {"{\"s\":\"ok\",\"i\":5,\"b\":true,\"e\":\"refund\",\"t\":\"2026-11-03T09:00:00Z\"}",
	     ""},
	    {"{}", "s,i,e"},
	    {"{\"s\":null,\"i\":null,\"e\":null}", "s,i,e"},
	    {"{\"s\":5,\"i\":\"5\",\"e\":\"REFUND\",\"b\":1,\"t\":\"yesterday\"}", "s,i,b,e,t"},
	    {"{\"s\":\"\",\"i\":5.5,\"e\":\"refund\"}", "s,i"},
	    {"{\"s\":\"toolongtoolong\",\"i\":11,\"e\":\"exchange\"}", "s,i"},
	    {"{\"s\":\"a\\u0000b\",\"i\":0,\"e\":\"refund\"}", "s,i"},
	    {"{\"s\":\"tab\\tok\",\"i\":1,\"e\":\"refund\"}", ""},
	    {"{\"s\":\"bell\\u0007\",\"i\":1,\"e\":\"refund\"}", "s"},
	    {"{\"s\":\"日本語です\",\"i\":10,\"e\":\"store_credit\"}", ""},
	    {"{\"s\":\"日本語ですよね長い\",\"i\":10,\"e\":\"store_credit\"}", ""},
	    {"{\"s\":\"x\",\"i\":9223372036854775807,\"e\":\"refund\"}", "i"},
	    /* Times from 2000-01-01T00:00:00Z to before 2100-01-01T00:00:00Z. */
	    {"{\"s\":\"x\",\"i\":1,\"e\":\"refund\",\"t\":\"2038-01-19T03:14:08Z\"}", ""},
	    {"{\"s\":\"x\",\"i\":1,\"e\":\"refund\",\"t\":\"2000-01-01T00:00:00Z\"}", ""},
	    {"{\"s\":\"x\",\"i\":1,\"e\":\"refund\",\"t\":\"2000-01-01T08:59:59+09:00\"}", "t"},
	    {"{\"s\":\"x\",\"i\":1,\"e\":\"refund\",\"t\":\"2099-12-31T23:59:59Z\"}", ""},
	    {"{\"s\":\"x\",\"i\":1,\"e\":\"refund\",\"t\":\"2100-01-01T00:00:00Z\"}", "t"},
	    {"{\"s\":\"x\",\"i\":1,\"e\":\"refund\",\"t\":\"1970-01-01T00:30:00+01:00\"}", "t"},
	    {"{\"s\":\"x\",\"i\":1,\"e\":\"refund\",\"t\":\"1969-07-20T20:17:40Z\"}", "t"},
	    {"{\"s\":\"x\",\"i\":1,\"e\":\"refund\",\"t\":\"9999-12-31T23:59:59Z\"}", "t"},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		json_t *j = json_loads(cases[k].json, JSON_ALLOW_NUL, NULL);
		assert_non_null(j);
		struct checker c;
		check_init(&c, &a);
		bool present;
		check_string(&c, j, "s", REQUIRED, 1, 10, NULL);
		check_int(&c, j, "i", REQUIRED, 1, 10, 0);
		check_bool(&c, j, "b", OPTIONAL, false);
		check_enum(&c, j, "e", REQUIRED, resolution_names, RESOLUTION__MAX);
		check_time(&c, j, "t", OPTIONAL, &present);
		if (strcmp(fields(&c), cases[k].errors) != 0)
			fail_msg("%s: errors on [%s], want [%s]", cases[k].json, fields(&c),
			         cases[k].errors);
		json_decref(c.errors);
		json_decref(j);
	}
	arena_free(&a);
}

static void test_order(void **state)
{
	(void)state;
	struct arena a = {0};
	static const struct {
		const char *json;
		const char *errors;
	} cases[] = {
	    {"{\"email\":\"taro@example.jp\",\"currency\":\"JPY\",\"delivered_at\":null,"
	     "\"shipping_address\":{\"name\":\"山田 "
	     "太郎\",\"line1\":\"丸の内1-1-1\",\"country\":\"JP\"},"
	     "\"lines\":[{\"line_id\":\"1\",\"sku\":\"A\",\"name\":\"T\",\"quantity\":1,\"unit_"
	     "price\":4900}]}",
	     ""},
	    {"{\"email\":\"nope\",\"currency\":\"USD\",\"shipping_address\":{},\"lines\":[]}",
	     "email,currency,shipping_address.name,shipping_address.line1,shipping_address.country,"
	     "lines"},
	    {"{\"email\":\"a@b\",\"currency\":\"JPY\",\"shipping_address\":{\"name\":\"x\","
	     "\"line1\":\"y\","
	     "\"country\":\"japan\"},\"lines\":[{\"line_id\":\"1\",\"sku\":\"A\",\"name\":\"T\","
	     "\"quantity\":0,\"unit_price\":-1},{\"line_id\":\"1\",\"sku\":\"B\",\"name\":\"U\","
	     "\"quantity\":1,\"unit_price\":49.5,\"final_sale\":\"no\"}]}",
	     "shipping_address.country,lines[0].quantity,lines[0].unit_price,lines[1].unit_price,"
	     "lines[1].final_sale,lines[1].line_id"},
	    {"{\"email\":\"a@b\",\"currency\":\"JPY\",\"shipping_address\":\"Tokyo\",\"lines\":[5]"
	     "}",
	     "shipping_address,lines[0]"},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		json_t *j = json_loads(cases[k].json, 0, NULL);
		assert_non_null(j);
		struct checker c;
		check_init(&c, &a);
		struct order o = {0};
		check_order(&c, j, "JPY", &o);
		if (strcmp(fields(&c), cases[k].errors) != 0)
			fail_msg("case %zu: errors on [%s], want [%s]", k, fields(&c),
			         cases[k].errors);
		if (!cases[k].errors[0]) {
			assert_int_equal(o.n_lines, 1);
			assert_string_equal(o.lines[0].product_id, "A"); /* defaults to the sku */
			assert_false(o.has_delivered);
		}
		json_decref(c.errors);
		json_decref(j);
	}
	arena_free(&a);
}

static void test_plausible(void **state)
{
	(void)state;
	assert_true(email_plausible("taro@example.jp"));
	assert_true(email_plausible("a@b"));
	assert_false(email_plausible("@b"));
	assert_false(email_plausible("a@"));
	assert_false(email_plausible("a@@b"));
	assert_false(email_plausible("a b@c"));
	assert_true(segment_plausible("1001", 64));
	assert_true(segment_plausible("SO-2026.11_7", 64));
	assert_false(segment_plausible("", 64));
	assert_false(segment_plausible("a/b", 64));
	assert_false(segment_plausible("a b", 64));
	assert_false(segment_plausible("%2e%2e", 64));
	assert_false(segment_plausible("注文1", 64));
	assert_false(segment_plausible("12345", 4));
}

/* Ids in paths and e-mails as logins and search compare them. */
static void test_keys(void **state)
{
	(void)state;
	struct arena a = {0};
	assert_int_equal(segment_id("42"), 42);
	assert_int_equal(segment_id("9007199254740993"), 9007199254740993LL);
	static const char *const not_ids[] = {"0",  "042", "-1", "+1",
	                                      "1x", "",    " 1", "99999999999999999999"};
	for (size_t i = 0; i < sizeof(not_ids) / sizeof(not_ids[0]); i++)
		if (segment_id(not_ids[i]) != 0)
			fail_msg("\"%s\" taken as an id", not_ids[i]);
	assert_string_equal(email_key(&a, "  Taro@Example.JP \t"), "taro@example.jp");
	assert_true(email_same(&a, " TARO@example.jp", "taro@EXAMPLE.jp"));
	assert_false(email_same(&a, "taro@example.jp", "taro@example.jp.evil"));
	assert_false(email_same(&a, "tarö@example.jp", "taro@example.jp"));
	assert_string_equal(trim_copy(&a, "  1001-A  "), "1001-A");
	assert_string_equal(trim_copy(&a, "   "), "");
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scalars), cmocka_unit_test(test_order),
	    cmocka_unit_test(test_plausible), cmocka_unit_test(test_keys)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
