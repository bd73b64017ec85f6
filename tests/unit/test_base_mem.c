#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/mem.h"

static jmp_buf on_fail;
static size_t failed_size;

static void fail_hook(size_t wanted)
{
	failed_size = wanted;
	longjmp(on_fail, 1);
}

static void test_xmalloc_aborts_on_exhaustion(void **state)
{
	(void)state;
	mem_set_fail_hook(fail_hook);
	failed_size = 0;
	if (setjmp(on_fail) == 0) {
		/* An overflowing array size cannot be satisfied. */
		void *p = xreallocarray(NULL, SIZE_MAX / 2, 4);
		(void)p;
		fail_msg("xreallocarray returned");
	}
	assert_int_equal(failed_size, SIZE_MAX);
	mem_set_fail_hook(NULL);
}

static void test_strdup(void **state)
{
	(void)state;
	char *s = xstrdup("Agenda for Change");
	assert_string_equal(s, "Agenda for Change");
	char *t = xstrndup("Band 5", 4);
	assert_string_equal(t, "Band");
	free(s);
	free(t);
}

static void test_arena(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 128);
	char *p[100];
	for (int i = 0; i < 100; i++) {
		p[i] = arena_alloc(&a, 40);
		assert_non_null(p[i]);
		assert_int_equal(((uintptr_t)p[i]) % _Alignof(max_align_t), 0);
		for (int k = 0; k < 40; k++)
			assert_int_equal(p[i][k], 0);
		memset(p[i], i, 40);
	}
	/* earlier blocks are untouched by later ones */
	for (int i = 0; i < 100; i++)
		assert_int_equal((unsigned char)p[i][39], i);
	char *big = arena_alloc(&a, 100000); /* larger than a block */
	memset(big, 1, 100000);
	char *s = arena_strdup(&a, "ward 7");
	assert_string_equal(s, "ward 7");
	assert_true(a.used >= 100 * 40 + 100000);
	arena_free(&a);
	assert_null(a.head);
	assert_int_equal(a.used, 0);
	/* usable again */
	assert_non_null(arena_strndup(&a, "abcdef", 3));
	assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_xmalloc_aborts_on_exhaustion),
	    cmocka_unit_test(test_strdup),
	    cmocka_unit_test(test_arena),
	};
	return cmocka_run_group_tests_name("base_mem", tests, NULL, NULL);
}
