/* test_domain_assess_view: rounds named by id, and the benchmark's default
 * period, on both stores. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "domain/assess.h"
#include "domain/assess_view.h"
#include "testauth.h"
#include "testdomain.h"

/* world: the tree of testauth.h (ENG > Y1 > Q1 > RT1, RT2; ENG > Y2 > Q2 >
 * RT3), signed-off demo rounds of RT1 (round 1) and RT3 (round 2) in
 * 2025/26, and an open round of RT2 in 2026/27 (round 3). */
static struct testauth_orgs world(struct testdomain *t)
{
	static const char *const orgs[] = {"RT1", "RT3"};
	static const int periods[] = {2025};
	struct cadre_err e;
	struct testauth_orgs o = testauth_build(t);
	if (assess_demo_seed(&t->sys, t->db, t->key, orgs, 2, periods, 1, 1, &t->clk.clock, &e) !=
	    CADRE_OK)
		fail_msg("assess_demo_seed: %s", e.msg);
	struct assess_open_req req = {.ref = {.org = "RT2", .period = 2026, .toolkit = NULL},
	                              .opened_by = "Test"};
	int64_t id = 0;
	if (assess_open(&t->sys, t->db, t->key, &req, &t->clk.clock, &id, &e) != CADRE_OK)
		fail_msg("assess_open: %s", e.msg);
	assert_int_equal(id, 3);
	return o;
}

static void test_round_by_id(void **state)
{
	struct testdomain *t = *state;
	struct testauth_orgs o = world(t);
	struct cadre_err e;
	struct assess_view_round r;
	assert_int_equal(assess_view_round(t->db, 1, &r, &e), CADRE_OK);
	assert_int_equal(r.id, 1);
	assert_int_equal(r.org_id, o.rt1);
	assert_string_equal(r.org, "RT1");
	assert_int_equal(r.period, 2025);
	assert_string_equal(r.toolkit, "wfp-five-factor");
	assert_string_equal(r.status, "signed_off");
	assert_int_equal(assess_view_round(t->db, 3, &r, &e), CADRE_OK);
	assert_string_equal(r.org, "RT2");
	assert_int_equal(r.period, 2026);
	assert_string_equal(r.status, "open");

	int64_t org = 0;
	assert_int_equal(assess_view_round_org(t->db, 2, &org, &e), CADRE_OK);
	assert_int_equal(org, o.rt3);
	assert_int_equal(assess_view_round(t->db, 4, &r, &e), CADRE_ENOTFOUND);
	assert_int_equal(assess_view_round_org(t->db, 99, &org, &e), CADRE_ENOTFOUND);
	assert_int_equal(org, o.rt3); /* untouched on failure */
}

static void test_latest_period(void **state)
{
	struct testdomain *t = *state;
	(void)world(t);
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
	    BOTH(test_round_by_id),
	    BOTH(test_latest_period),
	};
	return cmocka_run_group_tests_name("domain_assess_view", tests, NULL, NULL);
}
