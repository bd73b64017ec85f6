#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "web/form.h"

struct fx {
	struct arena a;
	struct form f;
	struct cadre_err err;
};

static int setup(void **state)
{
	struct fx *x = xcalloc(1, sizeof *x);
	arena_init(&x->a, 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	arena_free(&x->a);
	free(x);
	return 0;
}

static int parse(struct fx *x, const char *s, const struct form_limits *lim)
{
	cadre_err_clear(&x->err);
	return form_parse(s, strlen(s), lim, &x->a, &x->f, &x->err);
}

static void test_basic(void **state)
{
	struct fx *x = *state;
	assert_int_equal(parse(x, "a=1&b=two+words&c=%41%42%2b", NULL), CADRE_OK);
	assert_int_equal(x->f.count, 3);
	assert_string_equal(x->f.fields[0].name, "a");
	assert_string_equal(x->f.fields[0].value, "1");
	assert_string_equal(x->f.fields[1].value, "two words");
	assert_string_equal(x->f.fields[2].value, "AB+");
	assert_int_equal(x->f.fields[2].value_len, 3);
	assert_string_equal(form_get(&x->f, "b"), "two words");
	assert_null(form_get(&x->f, "z"));
}

static void test_duplicates_in_order(void **state)
{
	struct fx *x = *state;
	assert_int_equal(parse(x, "x=1&y=&x=2&x=3", NULL), CADRE_OK);
	assert_int_equal(x->f.count, 4);
	assert_int_equal(form_count(&x->f, "x"), 3);
	assert_int_equal(form_count(&x->f, "y"), 1);
	assert_string_equal(x->f.fields[0].value, "1");
	assert_string_equal(x->f.fields[2].value, "2");
	assert_string_equal(x->f.fields[3].value, "3");
	assert_string_equal(form_get(&x->f, "x"), "1");
	assert_string_equal(form_get(&x->f, "y"), "");
}

static void test_shapes(void **state)
{
	struct fx *x = *state;
	/* empty pairs skipped, a bare name has an empty value, '=' in a value */
	assert_int_equal(parse(x, "&&flag&&a=b=c&", NULL), CADRE_OK);
	assert_int_equal(x->f.count, 2);
	assert_string_equal(x->f.fields[0].name, "flag");
	assert_string_equal(x->f.fields[0].value, "");
	assert_string_equal(x->f.fields[1].name, "a");
	assert_string_equal(x->f.fields[1].value, "b=c");
	/* an empty name is kept, as the URL standard does */
	assert_int_equal(parse(x, "=v", NULL), CADRE_OK);
	assert_int_equal(x->f.count, 1);
	assert_string_equal(x->f.fields[0].name, "");
	assert_string_equal(x->f.fields[0].value, "v");
	/* nothing at all */
	assert_int_equal(parse(x, "", NULL), CADRE_OK);
	assert_int_equal(x->f.count, 0);
	assert_null(x->f.fields);
}

static void test_utf8(void **state)
{
	struct fx *x = *state;
	/* é (C3 A9) percent-encoded and raw; a CR LF kept from a textarea */
	assert_int_equal(parse(x, "n=Ren%C3%A9e&m=caf\xc3\xa9&t=a%0D%0Ab", NULL), CADRE_OK);
	assert_string_equal(form_get(&x->f, "n"), "Ren\xc3\xa9"
	                                          "e");
	assert_string_equal(form_get(&x->f, "m"), "caf\xc3\xa9");
	assert_string_equal(form_get(&x->f, "t"), "a\r\nb");
	/* half a character after decoding */
	assert_int_equal(parse(x, "ok=1&surname=Ren%C3", NULL), CADRE_EINVAL);
	assert_string_equal(x->err.msg,
	                    "field 'surname': its value is not valid UTF-8 after decoding");
	/* a raw Latin-1 byte */
	assert_int_equal(parse(x, "note=caf\xe9", NULL), CADRE_EINVAL);
	assert_string_equal(x->err.msg,
	                    "field 'note': its value is not valid UTF-8 after decoding");
	/* an overlong encoding of '/' (C0 AF) */
	assert_int_equal(parse(x, "p=%C0%AF", NULL), CADRE_EINVAL);
	/* a name that is not UTF-8 is named by position */
	assert_int_equal(parse(x, "a=1&%FF=2", NULL), CADRE_EINVAL);
	assert_string_equal(x->err.msg, "field 2: its name is not valid UTF-8 after decoding");
}

static void test_hostile_names_not_echoed(void **state)
{
	struct fx *x = *state;
	assert_int_equal(parse(x, "a=1&b=2&%3Cscript%3E=%FF", NULL), CADRE_EINVAL);
	assert_string_equal(x->err.msg, "field 3: its value is not valid UTF-8 after decoding");
	assert_null(strstr(x->err.msg, "script"));
}

static void test_malformed_escapes(void **state)
{
	struct fx *x = *state;
	const char *bad[] = {"a=%", "a=%4", "a=%zz", "a=%4g", "a%=1", "a=1%"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(parse(x, bad[i], NULL), CADRE_EINVAL);
		assert_non_null(strstr(x->err.msg, "malformed percent-escape"));
		assert_int_equal(x->f.count, 0);
	}
	assert_int_equal(parse(x, "a%=1", NULL), CADRE_EINVAL);
	assert_string_equal(x->err.msg, "field 1: malformed percent-escape in its name");
}

static void test_nul_refused(void **state)
{
	struct fx *x = *state;
	assert_int_equal(parse(x, "user=admin%00x", NULL), CADRE_EINVAL);
	assert_string_equal(x->err.msg, "field 'user': its value holds a NUL byte");
	assert_int_equal(parse(x, "us%00er=x", NULL), CADRE_EINVAL);
	assert_string_equal(x->err.msg, "field 1: its name holds a NUL byte");
}

static void test_caps(void **state)
{
	struct fx *x = *state;
	struct form_limits lim = {.max_bytes = 10};
	assert_int_equal(parse(x, "a=123456", &lim), CADRE_OK);
	assert_int_equal(parse(x, "a=12345678", &lim), CADRE_OK); /* exactly 10 */
	assert_int_equal(parse(x, "a=123456789", &lim), CADRE_EINVAL);
	assert_string_equal(x->err.msg, "form data is larger than 10 bytes");

	struct form_limits lf = {.max_fields = 3};
	assert_int_equal(parse(x, "a&b&c", &lf), CADRE_OK);
	assert_int_equal(parse(x, "a&&b&c&", &lf), CADRE_OK); /* empty pairs do not count */
	assert_int_equal(parse(x, "a&b&c&d", &lf), CADRE_EINVAL);
	assert_string_equal(x->err.msg, "form data has more than 3 fields");

	struct form_limits ln = {.max_name = 4};
	assert_int_equal(parse(x, "abcd=1", &ln), CADRE_OK);
	assert_int_equal(parse(x, "%61bcd=1", &ln), CADRE_OK); /* decoded length counts */
	assert_int_equal(parse(x, "abcde=1", &ln), CADRE_EINVAL);
	assert_string_equal(x->err.msg, "field 1: its name is longer than 4 bytes");

	struct form_limits lv = {.max_value = 3};
	assert_int_equal(parse(x, "v=%41%42%43", &lv), CADRE_OK);
	assert_int_equal(parse(x, "v=abcd", &lv), CADRE_EINVAL);
	assert_string_equal(x->err.msg, "field 'v': its value is longer than 3 bytes");
}

static void test_defaults(void **state)
{
	struct fx *x = *state;
	/* 1001 fields breaks the default cap of 1000 */
	char *s = xmalloc(4 * 1001 + 1);
	size_t n = 0;
	for (int i = 0; i < 1001; i++) {
		memcpy(s + n, "a=1&", 4);
		n += 4;
	}
	s[n] = '\0';
	assert_int_equal(parse(x, s, NULL), CADRE_EINVAL);
	assert_string_equal(x->err.msg, "form data has more than 1000 fields");
	s[4 * 1000] = '\0';
	assert_int_equal(parse(x, s, NULL), CADRE_OK);
	assert_int_equal(x->f.count, 1000);
	free(s);
}

static void test_label(void **state)
{
	(void)state;
	char b[64];
	form_field_label(b, sizeof b, "staff[0].name", 13, 4);
	assert_string_equal(b, "field 'staff[0].name'");
	form_field_label(b, sizeof b, "has space", 9, 4);
	assert_string_equal(b, "field 4");
	form_field_label(b, sizeof b, NULL, 0, 2);
	assert_string_equal(b, "field 2");
	form_field_label(b, sizeof b, "", 0, 7);
	assert_string_equal(b, "field 7");
	/* 41 bytes is too long to repeat */
	form_field_label(b, sizeof b, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 41, 1);
	assert_string_equal(b, "field 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicates_in_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_shapes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_utf8, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hostile_names_not_echoed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_escapes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nul_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
	    cmocka_unit_test(test_label),
	};
	return cmocka_run_group_tests_name("web_form", tests, NULL, NULL);
}
