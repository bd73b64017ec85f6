/* test_domain_assess_view: the benchmark's default period, on both
 * stores. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "domain/assess.h"
#include "domain/assess_view.h"
#include "testauth.h"
#include "testdomain.h"

/* world: the tree of testauth.h (ENG > Y1 > Q1 > RT1, RT2; ENG > Y2 > Q2 >
 * RT3), signed-off demo rounds of RT1 (round 1) and RT3 (round 2) in
 * 2025/26, and an open round of RT2 in 2026/27 (round 3). */
static void world(struct testdomain *t)
{
	static const char *const orgs[] = {"RT1", "RT3"};
	static const int periods[] = {2025};
	struct cadre_err e;
	(void)testauth_build(t);
	if (assess_demo_seed(&t->sys, t->db, t->key, orgs, 2, periods, 1, 1, &t->clk.clock, &e) !=
	    CADRE_OK)
		fail_msg("assess_demo_seed: %s", e.msg);
	struct assess_open_req req = {.ref = {.org = "RT2", .period = 2026, .toolkit = NULL},
	                              .opened_by = "Test"};
	int64_t id = 0;
	if (assess_open(&t->sys, t->db, t->key, &req, &t->clk.clock, &id, &e) != CADRE_OK)
		fail_msg("assess_open: %s", e.msg);
	assert_int_equal(id, 3);
}

static void test_latest_period(void **state)
{
	struct testdomain *t = *state;
	world(t);
	struct cadre_err e;
	int p = -1;
	/* a closed round of its own, or of one below it */
	assert_int_equal(assess_view_latest_period(t->db, "RT1", &p, &e), CADRE_OK);
	assert_int_equal(p, 2025);
	assert_int_equal(assess_view_latest_period(t->db, "Q1", &p, &e), CADRE_OK);
	assert_int_equal(p, 2025);
	assert_int_equal(assess_view_latest_period(t->db, "Q2", &p, &e), CADRE_OK);
	assert_int_equal(p, 2025);
	assert_int_equal(assess_view_latest_period(t->db, "ENG", &p, &e), CADRE_OK);
	assert_int_equal(p, 2025);
	/* RT2's only round (2026/27) is open: it does not count */
	assert_int_equal(assess_view_latest_period(t->db, "RT2", &p, &e), CADRE_OK);
	assert_int_equal(p, 0);
	assert_int_equal(assess_view_latest_period(t->db, "W1", &p, &e), CADRE_OK);
	assert_int_equal(p, 0);
	assert_int_equal(assess_view_latest_period(t->db, "NOPE", &p, &e), CADRE_OK);
	assert_int_equal(p, 0);
}

#define BOTH(f)                                                                                    \
	{#f "(sqlite)", f, testdomain_setup_sqlite, testdomain_teardown, NULL},                    \
	{                                                                                          \
#f "(postgresql)", f, testdomain_setup_pg, testdomain_teardown, NULL               \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_latest_period),
	};
	return cmocka_run_group_tests_name("domain_assess_view", tests, NULL, NULL);
}
