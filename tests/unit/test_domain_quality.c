#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "domain/demo.h"
#include "domain/establishment.h"
#include "domain/quality.h"
#include "store/store.h"
#include "testcsv.h"
#include "testdomain.h"
#include "testorg.h"
#include "testpeople.h"

/* The data-quality report, on the fixture extract (values worked out by
 * hand in testpeople.h's table) and on the trust demo (values the test
 * works out from the demo's own files). */

static void test_fixture(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	tp_setup(t, dir);
	char *staff = tp_write(dir, "staff.csv", TP_EXTRACT1);
	char *est =
	    tp_write(dir, "establishment.csv",
	             ESTABLISHMENT_HEADER "\n"
	                                  "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,2.00,6000.00\n"
	                                  "RXC,RXC1002,2025-03,DOC_CONS,MED-CONS,2.50,25000.00\n"
	                                  "RXC,RXC2001,2025-03,NURSE_HV,AFC-5,1.00,3000.00\n"
	                                  "RJ1,RJ11001,2025-03,NURSE_HV,AFC-5,1.00,3000.00\n");
	free(tp_staff(t, staff, false, CADRE_OK));
	free(tp_ledger(t, LEDGER_ESTABLISHMENT, est, CADRE_OK));
	struct quality_report *q = xcalloc(1, sizeof *q);
	struct cadre_err e;
	assert_int_equal(quality_report(&t->sys, t->db, "RXC", NULL, q, &e), CADRE_OK);
	assert_string_equal(q->as_of, "2025-03-31");
	assert_int_equal(q->assignments, 9); /* A1-A7, A9, A10 (A8 had left) */
	assert_int_equal(q->assignments_in_post, 7);
	assert_int_equal(q->staff_in_post, 6);
	/* G4S, G1A, H1A: no reference row; N1C (N..), 300, UAA are covered */
	assert_int_equal(q->occupation_unlisted, 3);
	assert_int_equal(q->occupation_unlisted_codes.total, 3);
	assert_int_equal(q->occupation_closed, 0);
	assert_int_equal(q->group_fallback, 4); /* A1 A2 A3 A7 */
	assert_int_equal(q->group_conflicts, 1);
	assert_int_equal(q->conflicts.n, 1);
	assert_string_equal(q->conflicts.v[0].what, "DOC_CONS vs ESR 03");
	assert_int_equal(q->staff_without_identifier, 1); /* 105 */
	assert_int_equal(q->ethnicity_not_stated, 1);     /* 105: Z */
	assert_int_equal(q->ethnicity_not_known, 1);      /* 107: 99 */
	assert_int_equal(q->disability_not_declared, 1);  /* 105 */
	assert_true(quality_percent(q->ethnicity_not_stated, q->staff_in_post) == 16.7);
	/* managers of in-post assignments: 100, 101, 102, 103; 103 is bank only */
	assert_int_equal(q->managers, 4);
	assert_int_equal(q->managers_not_in_post, 1);
	assert_string_equal(q->managers_not_in_post_list.v[0].what, "RXC/103 (bank only)");
	/* the ledger: every budgeted cost centre has someone; RXC2002 has
	 * staff (A10) and no budget */
	assert_int_equal(q->cost_centres_no_staff, 0);
	assert_int_equal(q->cost_centres_no_budget, 1);
	assert_string_equal(q->cost_centres_no_budget_list.v[0].what, "RXC/RXC2002");
	/* Guy's has a budget and nobody */
	assert_int_equal(quality_report(&t->sys, t->db, "RJ1", NULL, q, &e), CADRE_OK);
	assert_int_equal(q->cost_centres_no_staff, 1);
	assert_string_equal(q->cost_centres_no_staff_list.v[0].what, "RJ1/RJ11001");
	/* at the ICB both trusts count; the person in both is two staff records */
	assert_int_equal(quality_report(&t->sys, t->db, "QNX", NULL, q, &e), CADRE_OK);
	assert_int_equal(q->staff_in_post, 8);
	assert_int_equal(q->occupation_unlisted, 4); /* and S1P */
	free(q);
	free(staff);
	free(est);
	tp_rmdir(dir);
}

/* the trust demo: the report agrees with what the files say */
static void test_demo(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	testorg_load_refdata(t, NULL);
	struct demo_options o = {
	    .seed = 1, .as_of = demo_default_as_of(), .scale = DEMO_SCALE_TRUST};
	struct demo_summary sum;
	struct cadre_err e;
	if (demo_generate(&o, dir, NULL, &sum, &e) != CADRE_OK)
		fail_msg("demo_generate: %s", e.msg);
	char cc[256], staff[256], est[256];
	(void)snprintf(cc, sizeof cc, "%s/cost-centres.csv", dir);
	(void)snprintf(staff, sizeof staff, "%s/staff.csv", dir);
	(void)snprintf(est, sizeof est, "%s/establishment.csv", dir);
	struct wards_opts wo = {.from_month = 202404, .audit_key = t->key, .clk = &t->clk.clock};
	struct wards_result *wr = xcalloc(1, sizeof *wr);
	if (wards_import(&t->sys, t->db, cc, &wo, wr, &e) != CADRE_OK)
		fail_msg("wards_import: %s", e.msg);
	free(wr);
	free(tp_staff(t, staff, false, CADRE_OK));
	free(tp_ledger(t, LEDGER_ESTABLISHMENT, est, CADRE_OK));

	/* the files' own counts, on 2025-03-31 */
	const char *day = "2025-03-31";
	struct tc_table st;
	tc_read(staff, &st);
	long long active = 0, in_post = 0, records = 0, z = 0, nk = 0, nd = 0, unlisted = 0;
	long long fallback = 0, conflicts = 0, managers = 0, mgr_out = 0;
	for (size_t i = 0; i < st.n; i++) {
		char **r = st.rows[i];
		active += tc_active(r, day);
		if (!tc_in_post(r, day))
			continue;
		in_post++;
		/* occupation codes the shipped reference data covers: the A, N, T
		 * and U matrices and three digits */
		const char *occ = r[8];
		bool numeric = occ[0] >= '0' && occ[0] <= '9';
		bool listed = numeric || strchr("ANTU", occ[0]) != NULL;
		unlisted += !listed;
		/* authoritative: a medical grade with a group (every one but
		 * SPEC), or the one mapped code UAA; else the fallback */
		bool med = strncmp(r[10], "MED-", 4) == 0 && strncmp(r[10], "MED-SPEC", 8) != 0;
		bool uaa = strcmp(occ, "UAA") == 0;
		fallback += !med && !uaa;
		conflicts += med && strcmp(r[9], "01") != 0;
		/* each staff record once */
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(st.rows[k][1], r[1]) == 0 && tc_in_post(st.rows[k], day);
		if (seen)
			continue;
		records++;
		z += strcmp(r[19], "Z") == 0;
		nk += strcmp(r[19], "99") == 0;
		nd += strcmp(r[20], "not_declared") == 0;
	}
	/* managers of in-post rows, and those not in post themselves */
	for (size_t i = 0; i < st.n; i++) {
		char **r = st.rows[i];
		if (!tc_in_post(r, day) || !r[4][0])
			continue;
		bool first = true;
		for (size_t k = 0; k < i && first; k++)
			first = !(tc_in_post(st.rows[k], day) && strcmp(st.rows[k][4], r[4]) == 0);
		if (!first)
			continue;
		managers++;
		bool there = false;
		for (size_t k = 0; k < st.n && !there; k++)
			there = strcmp(st.rows[k][1], r[4]) == 0 && tc_in_post(st.rows[k], day);
		mgr_out += !there;
	}
	tc_free(&st);
	struct quality_report *q = xcalloc(1, sizeof *q);
	assert_int_equal(quality_report(&t->sys, t->db, "RXC", day, q, &e), CADRE_OK);
	assert_int_equal(q->assignments, active);
	assert_int_equal(q->assignments_in_post, in_post);
	assert_int_equal(q->staff_in_post, records);
	assert_int_equal(q->ethnicity_not_stated, z);
	assert_int_equal(q->ethnicity_not_known, nk);
	assert_int_equal(q->disability_not_declared, nd);
	assert_int_equal(q->occupation_unlisted, unlisted);
	assert_int_equal(q->group_fallback, fallback);
	assert_int_equal(q->group_conflicts, conflicts);
	assert_int_equal(q->managers, managers);
	assert_int_equal(q->managers_not_in_post, mgr_out);
	assert_true(z > 0 && nd > 0 && unlisted > 0); /* the checks had something to count */
	free(q);
	tp_rmdir(dir);
}

#define BOTH(f)                                                                                    \
	{#f "(sqlite)", f, testdomain_setup_sqlite, testdomain_teardown, NULL},                    \
	{                                                                                          \
#f "(postgresql)", f, testdomain_setup_pg, testdomain_teardown, NULL               \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_fixture),
	    BOTH(test_demo),
	};
	return cmocka_run_group_tests_name("domain_quality", tests, NULL, NULL);
}
