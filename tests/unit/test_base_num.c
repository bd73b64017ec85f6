#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/num.h"

#define S(x) x, strlen(x)

static void test_i64(void **state)
{
	(void)state;
	int64_t v;
	struct cadre_err e;
	assert_int_equal(num_parse_i64(S("0"), &v, &e), CADRE_OK);
	assert_int_equal(v, 0);
	assert_int_equal(num_parse_i64(S("-42"), &v, &e), CADRE_OK);
	assert_int_equal(v, -42);
	assert_int_equal(num_parse_i64(S("9223372036854775807"), &v, &e), CADRE_OK);
	assert_int_equal(v, INT64_MAX);
	assert_int_equal(num_parse_i64(S("-9223372036854775808"), &v, &e), CADRE_OK);
	assert_true(v == INT64_MIN);
	assert_int_equal(num_parse_i64(S("9223372036854775808"), &v, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 1: number too large");
	assert_int_equal(num_parse_i64(S("12a4"), &v, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 3: expected a digit");
	assert_int_equal(num_parse_i64(S(" 1"), &v, &e), CADRE_EINVAL);
	assert_int_equal(num_parse_i64(S("+1"), &v, &e), CADRE_EINVAL);
	assert_int_equal(num_parse_i64(S(""), &v, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 1: expected a whole number, found nothing");
	assert_int_equal(num_parse_i64(S("-"), &v, &e), CADRE_EINVAL);
	assert_int_equal(num_parse_i64_range(S("1999"), 1900, 2100, &v, &e), CADRE_OK);
	assert_int_equal(num_parse_i64_range(S("2101"), 1900, 2100, &v, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 1: 2101 is outside 1900 to 2100");
}

static void test_double(void **state)
{
	(void)state;
	double d;
	struct cadre_err e;
	assert_int_equal(num_parse_double(S("0.8"), &d, &e), CADRE_OK);
	assert_true(d == 0.8);
	assert_int_equal(num_parse_double(S("-12.50"), &d, &e), CADRE_OK);
	assert_true(d == -12.5);
	assert_int_equal(num_parse_double(S(".5"), &d, &e), CADRE_OK);
	assert_int_equal(num_parse_double(S("5."), &d, &e), CADRE_OK);
	assert_int_equal(num_parse_double(S("1e3"), &d, &e), CADRE_OK);
	assert_true(d == 1000.0);
	assert_int_equal(num_parse_double(S("1e"), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 3: expected a digit in the exponent");
	assert_int_equal(num_parse_double(S("1,5"), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 2: unexpected character in number");
	assert_int_equal(num_parse_double(S("nan"), &d, &e), CADRE_EINVAL);
	assert_int_equal(num_parse_double(S("1e999"), &d, &e), CADRE_EINVAL);
	assert_int_equal(num_parse_double(S("."), &d, &e), CADRE_EINVAL);
}

static void test_fixed(void **state)
{
	(void)state;
	int64_t v;
	struct cadre_err e;
	assert_int_equal(num_parse_fixed(S("12.5"), 2, &v, &e), CADRE_OK);
	assert_int_equal(v, 1250);
	assert_int_equal(num_parse_fixed(S("0.29"), 2, &v, &e), CADRE_OK);
	assert_int_equal(v, 29); /* exact, where 0.29 * 100 in binary is 28.999... */
	assert_int_equal(num_parse_fixed(S("-3"), 2, &v, &e), CADRE_OK);
	assert_int_equal(v, -300);
	assert_int_equal(num_parse_fixed(S("1.234"), 2, &v, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 5: more than 2 decimal places");
	assert_int_equal(num_parse_fixed(S("1.2.3"), 2, &v, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 4: a second decimal point");
	assert_int_equal(num_parse_fixed(S("£5"), 2, &v, &e), CADRE_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_i64),
	    cmocka_unit_test(test_double),
	    cmocka_unit_test(test_fixed),
	};
	return cmocka_run_group_tests_name("base_num", tests, NULL, NULL);
}
