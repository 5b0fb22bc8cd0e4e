/* Webhook targets: URL parsing, the public-address check (util/url.c), and which event types a
 * webhook's patterns take (db/events.c). Nothing here connects anywhere: url_resolve is only
 * given IP literals, which getaddrinfo parses without asking DNS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "db/events.h"
#include "util/url.h"

static void test_url_parse(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool ok, https;
		const char *host;
		unsigned port;
	} cases[] = {
	    {"https://shop.example/hooks/kaeru", true, true, "shop.example", 443},
	    {"http://shop.example", true, false, "shop.example", 80},
	    {"http://shop.example:8080/x?y=1", true, false, "shop.example", 8080},
	    {"https://[2001:db8::1]:8443/h", true, true, "2001:db8::1", 8443},
	    {"https://[2001:db8::1]/h", true, true, "2001:db8::1", 443},
	    {"ftp://shop.example/", false, false, "", 0},
	    {"shop.example/hook", false, false, "", 0},
	    {"https://user:pw@shop.example/", false, false, "", 0},
	    {"https:///path", false, false, "", 0},
	    {"https://shop.example:0/", false, false, "", 0},
	    {"https://shop.example:65536/", false, false, "", 0},
	    {"https://shop.example:/", false, false, "", 0},
	    {"https://shop.example:80a/", false, false, "", 0},
	    {"https://shop .example/", false, false, "", 0},
	    {"https://shop.example/\n", false, false, "", 0},
	    {"https://[2001:db8::1/", false, false, "", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct url_target t;
		bool ok = url_parse(cases[i].in, &t);
		if (ok != cases[i].ok)
			fail_msg("url_parse(%s) = %d", cases[i].in, ok);
		if (!ok)
			continue;
		assert_int_equal(t.https, cases[i].https);
		assert_string_equal(t.host, cases[i].host);
		assert_int_equal(t.port, cases[i].port);
	}
}

static void test_refused_targets(void **state)
{
	(void)state;
	static const char *const refused[] = {
	    "http://127.0.0.1/",
	    "http://127.1.2.3:8080/",
	    "http://0x7f.1/",
	    "http://2130706433/",
	    "http://0.0.0.0/",
	    "http://10.0.0.1/",
	    "http://172.16.5.4/",
	    "http://172.31.255.255/",
	    "http://192.168.1.1/",
	    "http://169.254.169.254/",
	    "http://100.64.0.1/",
	    "http://224.0.0.1/",
	    "http://255.255.255.255/",
	    "http://[::1]/",
	    "http://[::]/",
	    "http://[fe80::1]/",
	    "http://[fc00::1]/",
	    "http://[fd12:3456::1]/",
	    "http://[::ffff:10.0.0.1]/",
	    "http://[::ffff:127.0.0.1]/",
	    "http://[64:ff9b::a9fe:a9fe]/",
	    "http://[2002:c0a8:0101::1]/",
	    "http://[ff02::1]/",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct url_target t;
		assert_true(url_parse(refused[i], &t));
		const char *why = url_resolve(&t, false);
		if (!why)
			fail_msg("%s should be refused", refused[i]);
		/* The operator may allow them (dev and test stacks). */
		assert_null(url_resolve(&t, true));
		assert_true(t.addr[0] != '\0');
	}
	static const char *const public[] = {"http://93.184.216.34/", "http://172.32.0.1/",
	                                     "http://[2606:4700::1111]/", "http://11.0.0.1/"};
	for (size_t i = 0; i < sizeof(public) / sizeof(public[0]); i++) {
		struct url_target t;
		assert_true(url_parse(public[i], &t));
		const char *why = url_resolve(&t, false);
		if (why)
			fail_msg("%s refused: %s", public[i], why);
	}
}

static void test_webhook_wants(void **state)
{
	(void)state;
	assert_true(webhook_wants("[\"*\"]", "return.created"));
	assert_true(webhook_wants("[\"return.*\"]", "return.resolved"));
	assert_false(webhook_wants("[\"return.*\"]", "listing.sold"));
	assert_false(webhook_wants("[\"return.*\"]", "returns.x"));
	assert_true(webhook_wants("[\"listing.sold\",\"return.*\"]", "listing.sold"));
	assert_false(webhook_wants("[\"listing.sold\"]", "listing.sold_out"));
	assert_false(webhook_wants("[]", "return.created"));
	assert_false(webhook_wants("not json", "return.created"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_url_parse),
	                                   cmocka_unit_test(test_refused_targets),
	                                   cmocka_unit_test(test_webhook_wants)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
