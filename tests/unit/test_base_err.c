#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/err.h"

static void test_set_and_prefix(void **state)
{
	(void)state;
	struct cadre_err e;
	cadre_err_clear(&e);
	assert_int_equal(e.status, CADRE_OK);
	assert_string_equal(e.msg, "");
	assert_int_equal(cadre_err_set(&e, CADRE_EINVAL, "column %d: bad", 3), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 3: bad");
	cadre_err_prefix(&e, "%s:%d", "f.csv", 7);
	assert_string_equal(e.msg, "f.csv:7: column 3: bad");
	assert_int_equal(cadre_err_set(NULL, CADRE_EBUSY, "x"), CADRE_EBUSY);
}

static void test_truncates_long_reason(void **state)
{
	(void)state;
	struct cadre_err e;
	char big[2000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	cadre_err_set(&e, CADRE_EINVAL, "%s", big);
	assert_int_equal(strlen(e.msg), CADRE_ERR_MSG_MAX - 1);
}

/* DESIGN.md's table: usage 2, all other errors 1; HTTP per status. */
static void test_exit_and_http_codes(void **state)
{
	(void)state;
	assert_int_equal(cadre_exit_code(CADRE_OK), 0);
	assert_int_equal(cadre_exit_code(CADRE_DONE), 0);
	assert_int_equal(cadre_exit_code(CADRE_EUSAGE), 2);
	const int one[] = {CADRE_EINVAL,    CADRE_ENOTFOUND, CADRE_EPERM,
	                   CADRE_ECONFLICT, CADRE_EBUSY,     CADRE_EINTERNAL};
	for (size_t i = 0; i < sizeof one / sizeof one[0]; i++)
		assert_int_equal(cadre_exit_code(one[i]), 1);
	assert_int_equal(cadre_http_status(CADRE_EINVAL), 400);
	assert_int_equal(cadre_http_status(CADRE_ENOTFOUND), 404);
	assert_int_equal(cadre_http_status(CADRE_EPERM), 403);
	assert_int_equal(cadre_http_status(CADRE_ECONFLICT), 409);
	assert_int_equal(cadre_http_status(CADRE_EBUSY), 503);
	assert_int_equal(cadre_http_status(CADRE_EINTERNAL), 500);
	assert_string_equal(cadre_status_name(CADRE_ENOTFOUND), "not-found");
	assert_int_equal(CADRE_OK, 0);
	assert_int_equal(CADRE_DONE, 1);
	assert_true(CADRE_EUSAGE < 0 && CADRE_EINTERNAL < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_set_and_prefix),
	    cmocka_unit_test(test_truncates_long_reason),
	    cmocka_unit_test(test_exit_and_http_codes),
	};
	return cmocka_run_group_tests_name("base_err", tests, NULL, NULL);
}
