#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <time.h>

#include "base/clock.h"

static void test_system(void **state)
{
	(void)state;
	const struct clock *c = clock_system();
	assert_ptr_equal(c, clock_system());
	/* the machine's clock is after 2024-01-01 and before 2100-01-01 */
	int64_t now = clock_now(c);
	assert_true(now > INT64_C(1704067200000000));
	assert_true(now < INT64_C(4102444800000000));
	/* NULL reads the system clock too, and agrees within a minute */
	int64_t now2 = clock_now(NULL);
	assert_true(now2 >= now - 60000000 && now2 <= now + 60000000);
	/* agrees with time() to within two seconds */
	int64_t secs = (int64_t)time(NULL);
	assert_true(now / 1000000 >= secs - 2 && now / 1000000 <= secs + 2);
}

static void test_monotonic(void **state)
{
	(void)state;
	int64_t a = clock_mono(NULL);
	int64_t b = clock_mono(clock_system());
	int64_t c = clock_mono_us();
	assert_true(a <= b && b <= c);
	/* a 20 ms sleep shows up as at least 20000 µs */
	struct timespec ts = {0, 20 * 1000 * 1000};
	nanosleep(&ts, NULL);
	int64_t d = clock_mono_us();
	assert_true(d - c >= 20000);
	assert_true(d - c < 5000000);
}

static void test_manual(void **state)
{
	(void)state;
	struct clock_manual m;
	clock_manual_init(&m, INT64_C(1774747800000000));
	const struct clock *c = &m.clock;
	assert_true(clock_now(c) == INT64_C(1774747800000000));
	assert_true(clock_mono(c) == 0);
	clock_manual_advance(&m, 1500);
	assert_true(clock_now(c) == INT64_C(1774747800001500));
	assert_true(clock_mono(c) == 1500);
	/* setting the wall clock backwards leaves the monotonic reading alone */
	clock_manual_set(&m, 42);
	assert_true(clock_now(c) == 42);
	assert_true(clock_mono(c) == 1500);
	clock_manual_advance(&m, 8);
	assert_true(clock_now(c) == 50);
	assert_true(clock_mono(c) == 1508);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_system),
	    cmocka_unit_test(test_monotonic),
	    cmocka_unit_test(test_manual),
	};
	return cmocka_run_group_tests_name("base_clock", tests, NULL, NULL);
}
