#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "web/proxy.h"

static void test_parse(void **state)
{
	(void)state;
	struct web_proxies *p;
	struct cadre_err err;
	assert_int_equal(web_proxies_parse(NULL, &p, &err), CADRE_OK);
	assert_false(web_proxies_contains(p, "127.0.0.1"));
	web_proxies_free(p);
	assert_int_equal(web_proxies_parse(" 10.0.0.0/8 ,192.168.1.5,, ::1, fd00::/8 ", &p, &err),
	                 CADRE_OK);
	assert_true(web_proxies_contains(p, "10.0.0.1"));
	assert_true(web_proxies_contains(p, "10.255.255.255"));
	assert_false(web_proxies_contains(p, "11.0.0.1"));
	assert_true(web_proxies_contains(p, "192.168.1.5"));
	assert_false(web_proxies_contains(p, "192.168.1.6"));
	assert_true(web_proxies_contains(p, "::1"));
	assert_false(web_proxies_contains(p, "::2"));
	assert_true(web_proxies_contains(p, "fd12:3456::1"));
	assert_false(web_proxies_contains(p, "fe80::1"));
	/* an IPv4-mapped IPv6 address is the IPv4 address */
	assert_true(web_proxies_contains(p, "::ffff:10.9.8.7"));
	assert_false(web_proxies_contains(p, "not an address"));
	assert_false(web_proxies_contains(p, NULL));
	web_proxies_free(p);
	/* prefixes that do not fall on a byte */
	assert_int_equal(web_proxies_parse("172.16.0.0/12, 2001:db8::/33", &p, &err), CADRE_OK);
	assert_true(web_proxies_contains(p, "172.31.255.1"));
	assert_false(web_proxies_contains(p, "172.32.0.1"));
	assert_true(web_proxies_contains(p, "2001:db8:7fff::1"));
	assert_false(web_proxies_contains(p, "2001:db8:8000::1"));
	web_proxies_free(p);
	assert_int_equal(web_proxies_parse("0.0.0.0/0", &p, &err), CADRE_OK);
	assert_true(web_proxies_contains(p, "203.0.113.1"));
	assert_false(web_proxies_contains(p, "2001:db8::1"));
	web_proxies_free(p);
	const char *bad[] = {"10.0.0.0/33", "::1/129",     "10.0.0/8",    "10.0.0.0/",
	                     "10.0.0.0/x",  "example.org", "10.0.0.1/-1", "1.2.3.4/08x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(web_proxies_parse(bad[i], &p, &err), CADRE_EINVAL);
	assert_int_equal(web_proxies_parse("10.0.0.1, junk", &p, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "trusted proxies: 'junk' is not an address or CIDR block");
}

static void test_client(void **state)
{
	(void)state;
	struct web_proxies *p;
	struct cadre_err err;
	assert_int_equal(web_proxies_parse("10.0.0.0/8, ::1", &p, &err), CADRE_OK);
	char c[64];
	bool https = false;
	/* untrusted peer: headers ignored */
	web_proxies_client(p, "203.0.113.5", "1.1.1.1", "https", c, sizeof c, &https);
	assert_string_equal(c, "203.0.113.5");
	assert_false(https);
	/* trusted peer: the rightmost address that is not a proxy */
	web_proxies_client(p, "10.0.0.2", "198.51.100.1, 203.0.113.7, 10.0.0.9", "http, https", c,
	                   sizeof c, &https);
	assert_string_equal(c, "203.0.113.7");
	assert_true(https);
	https = false;
	/* a scheme other than https leaves it alone */
	web_proxies_client(p, "10.0.0.2", NULL, "http", c, sizeof c, &https);
	assert_string_equal(c, "10.0.0.2");
	assert_false(https);
	/* every hop a proxy: the leftmost */
	web_proxies_client(p, "10.0.0.2", "10.1.1.1,10.2.2.2", NULL, c, sizeof c, &https);
	assert_string_equal(c, "10.1.1.1");
	/* a malformed hop stops the walk at the last trusted one */
	web_proxies_client(p, "10.0.0.2", "203.0.113.7, bogus, 10.0.0.3", NULL, c, sizeof c,
	                   &https);
	assert_string_equal(c, "10.0.0.3");
	web_proxies_client(p, "10.0.0.2", "", NULL, c, sizeof c, &https);
	assert_string_equal(c, "10.0.0.2");
	/* IPv6 peer and hops, and an IPv4-mapped peer written as IPv4 */
	web_proxies_client(p, "::1", "2001:db8::7", NULL, c, sizeof c, &https);
	assert_string_equal(c, "2001:db8::7");
	web_proxies_client(p, "::ffff:10.0.0.4", "192.0.2.1", NULL, c, sizeof c, &https);
	assert_string_equal(c, "192.0.2.1");
	web_proxies_client(p, "::ffff:192.0.2.9", NULL, NULL, c, sizeof c, &https);
	assert_string_equal(c, "192.0.2.9");
	/* a peer that is not an address is passed through */
	web_proxies_client(p, "local", "1.2.3.4", NULL, c, sizeof c, &https);
	assert_string_equal(c, "local");
	web_proxies_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_client),
	};
	return cmocka_run_group_tests_name("web_proxy", tests, NULL, NULL);
}
