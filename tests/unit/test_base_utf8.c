#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/utf8.h"

static void test_valid(void **state)
{
	(void)state;
	const char *ok[] = {"",
	                    "ascii",
	                    "Ysbyty Gwynedd",
	                    "caf\xc3\xa9",
	                    "\xe2\x82\xac" /* euro */,
	                    "\xf0\x9f\x98\x80" /* emoji */,
	                    "\xef\xbb\xbf" /* BOM */};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		assert_true(utf8_valid(ok[i], strlen(ok[i]), NULL));
}

static void test_invalid_with_offset(void **state)
{
	(void)state;
	struct {
		const char *s;
		size_t off;
	} bad[] = {
	    {"ab\x80", 2},               /* lone continuation */
	    {"\xc0\xaf", 0},             /* overlong '/' */
	    {"x\xe0\x80\xaf", 1},        /* overlong 3-byte */
	    {"\xed\xa0\x80", 0},         /* surrogate */
	    {"ok\xf4\x90\x80\x80", 2},   /* above U+10FFFF */
	    {"caf\xc3", 3},              /* truncated */
	    {"\xff", 0},                 /* never valid */
	    {"Latin-1 caf\xe9 bar", 11}, /* Windows-1252 text */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t off = 999;
		assert_false(utf8_valid(bad[i].s, strlen(bad[i].s), &off));
		assert_int_equal(off, bad[i].off);
	}
}

static void test_decode_and_columns(void **state)
{
	(void)state;
	unsigned cp = 0;
	assert_int_equal(utf8_decode((const unsigned char *)"\xe2\x82\xac", 3, &cp), 3);
	assert_int_equal(cp, 0x20AC);
	assert_int_equal(utf8_decode((const unsigned char *)"\xe2\x82", 2, &cp), 0);
	assert_int_equal(utf8_columns("caf\xc3\xa9!", 6), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_invalid_with_offset),
	    cmocka_unit_test(test_decode_and_columns),
	};
	return cmocka_run_group_tests_name("base_utf8", tests, NULL, NULL);
}
