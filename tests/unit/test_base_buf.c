#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"

static void test_append_and_printf(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 1024);
	assert_string_equal(buf_cstr(&b), "");
	assert_int_equal(buf_puts(&b, "FTE ", NULL), CADRE_OK);
	assert_int_equal(buf_printf(&b, NULL, "%.1f in %s", 0.8, "ward 7"), CADRE_OK);
	assert_int_equal(buf_putc(&b, '!', NULL), CADRE_OK);
	assert_string_equal(buf_cstr(&b), "FTE 0.8 in ward 7!");
	assert_int_equal(b.len, strlen("FTE 0.8 in ward 7!"));
	buf_reset(&b);
	assert_string_equal(buf_cstr(&b), "");
	buf_free(&b);
}

static void test_cap_refuses_and_keeps_content(void **state)
{
	(void)state;
	struct buf b;
	struct cadre_err e;
	buf_init(&b, 10);
	assert_int_equal(buf_puts(&b, "0123456789", &e), CADRE_OK);
	assert_int_equal(buf_putc(&b, 'x', &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "more than 10 bytes");
	assert_string_equal(buf_cstr(&b), "0123456789");
	assert_int_equal(buf_printf(&b, &e, "%d", 1), CADRE_EINVAL);
	assert_int_equal(b.len, 10);
	char *s = buf_detach(&b);
	assert_string_equal(s, "0123456789");
	free(s);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void test_binary_and_growth(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 1 << 20);
	char chunk[1000];
	memset(chunk, 0, sizeof chunk);
	for (int i = 0; i < 500; i++)
		assert_int_equal(buf_append(&b, chunk, sizeof chunk, NULL), CADRE_OK);
	assert_int_equal(b.len, 500000);
	assert_true(b.alloc <= (1 << 20) + 1);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_append_and_printf),
	    cmocka_unit_test(test_cap_refuses_and_keeps_content),
	    cmocka_unit_test(test_binary_and_growth),
	};
	return cmocka_run_group_tests_name("base_buf", tests, NULL, NULL);
}
