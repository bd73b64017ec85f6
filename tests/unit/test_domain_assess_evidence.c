#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "domain/assess.h"
#include "domain/assess_evidence.h"
#include "domain/establishment.h"
#include "domain/quality.h"
#include "domain/tempstaff.h"
#include "testdomain.h"
#include "testpeople.h"

/* Automatic evidence from the people area: each value must equal the same
 * figure the read-outs give (quality_report, vacancy_report,
 * tempstaff_report: `cadre quality`, `cadre kpi vacancies|temporary-
 * staffing`) for the same organisation and day or month, computed here
 * through those read-outs; the fixture's hand-worked counts (testpeople.h)
 * pin the staff-extract ones to numbers as well.
 *
 * Round period 2025/26 (FY 2025): the extract of 2025-03-31 is the latest
 * held before the period's end; the ledger's latest month is 2025-04, and
 * 2024-04 a year before gives the trend. */

#define FY 2025

static const char establishment[] =
    ESTABLISHMENT_HEADER "\n"
                         "RXC,RXC1001,2024-04,NURSE_HV,AFC-5,3.00,9000.00\n"
                         "RXC,RXC1002,2024-04,DOC_CONS,MED-CONS,2.50,25000.00\n"
                         "RXC,RXC1001,2025-04,NURSE_HV,AFC-5,2.00,6000.00\n"
                         "RXC,RXC1001,2025-04,SUP_DNM,AFC-3,1.50,3000.50\n"
                         "RXC,RXC1002,2025-04,DOC_CONS,MED-CONS,2.50,25000.00\n"
                         "RXC,RXC2001,2025-04,NURSE_HV,AFC-5,1.00,3000.00\n"
                         "RJ1,RJ11001,2025-04,NURSE_HV,AFC-5,1.00,3000.00\n";

static const char temporary[] =
    "org_code,cost_centre_code,month,staff_group,grade,staffing_type,framework,hours,shifts,"
    "spend_gbp\n"
    "RXC,RXC1001,2024-04,NURSE_HV,AFC-5,bank,,100.00,9,2000.00\n"
    "RXC,RXC1001,2025-04,NURSE_HV,AFC-5,bank,,115.00,10,2500.00\n"
    "RXC,RXC1001,2025-04,NURSE_HV,AFC-5,agency,on,23.00,2,800.00\n"
    "RXC,RXC1002,2025-04,DOC_CONS,MED-CONS,locum,,20.00,2,2400.00\n";

static void load(struct testdomain *t, const char *dir)
{
	tp_setup(t, dir);
	char *staff = tp_write(dir, "staff.csv", TP_EXTRACT1);
	char *est = tp_write(dir, "establishment.csv", establishment);
	char *tmp = tp_write(dir, "temporary.csv", temporary);
	free(tp_staff(t, staff, false, CADRE_OK));
	free(tp_ledger(t, LEDGER_ESTABLISHMENT, est, CADRE_OK));
	free(tp_ledger(t, LEDGER_TEMPORARY, tmp, CADRE_OK));
	free(staff);
	free(est);
	free(tmp);
}

static struct assess_evidence resolve(struct testdomain *t, const char *org, const char *key)
{
	struct assess_evidence ev;
	struct cadre_err e;
	if (assess_evidence_resolve(&t->sys, t->db, org, FY, key, &ev, &e) != CADRE_OK)
		fail_msg("%s %s: %s", org, key, e.msg);
	assert_string_equal(ev.key, key);
	return ev;
}

/* the rate as `cadre kpi vacancies` prints it (cmd_kpi.c), written out
 * again here */
static double kpi_rate(const struct vacancy_report *v)
{
	if (!v->establishment_wte100)
		return 0.0;
	return round((double)v->vacancy_fte10k / (double)(v->establishment_wte100 * 100) *
	             10000.0) /
	       100.0;
}

static void test_extract(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	load(t, dir);
	struct quality_report *q = xcalloc(1, sizeof *q);
	struct cadre_err e;
	assert_int_equal(quality_report(&t->sys, t->db, "RXC", "2025-03-31", q, &e), CADRE_OK);
	assert_int_equal(q->staff_in_post, 6);

	struct assess_evidence ev = resolve(t, "RXC", "staff_record_completeness");
	assert_true(ev.available && ev.has_value);
	assert_true(ev.value == quality_percent(q->staff_in_post - q->staff_without_identifier,
	                                        q->staff_in_post));
	assert_true(ev.value == 83.3); /* 5 of 6: 105 has no identifier */
	assert_true(ev.concern);       /* under 95% */
	assert_string_equal(ev.unit, "%");
	assert_non_null(strstr(ev.text, "2025-03-31"));

	ev = resolve(t, "RXC", "unknown_ethnicity_rate");
	assert_true(ev.value == quality_percent(q->ethnicity_not_stated + q->ethnicity_not_known,
	                                        q->staff_in_post));
	assert_true(ev.value == 33.3); /* 105 Z, 107 99 */
	assert_true(ev.concern);       /* over 10% */

	ev = resolve(t, "RXC", "unknown_disability_rate");
	assert_true(ev.value == quality_percent(q->disability_not_declared, q->staff_in_post));
	assert_true(ev.value == 16.7); /* 105 */
	assert_false(ev.concern);      /* not over 20% */

	ev = resolve(t, "RXC", "data_quality_findings");
	int64_t counts[] = {q->occupation_unlisted,   q->occupation_closed,
	                    q->group_conflicts,       q->staff_without_identifier,
	                    q->cost_centres_no_staff, q->cost_centres_no_budget,
	                    q->managers_not_in_post};
	int found = 0;
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
		found += counts[i] > 0;
	assert_true(found >= 4); /* unlisted 3, conflict 1, no identifier 1, manager 1 */
	assert_true(ev.value == (double)found);
	assert_true(ev.concern);
	assert_non_null(
	    strstr(ev.text, "occupation codes not in the reference data (3 assignments)"));
	assert_non_null(strstr(ev.text, "conflicting ESR staff groups (1 assignment)"));

	/* RYR: 2 in post, both with identifiers */
	assert_int_equal(quality_report(&t->sys, t->db, "RYR", "2025-03-31", q, &e), CADRE_OK);
	ev = resolve(t, "RYR", "staff_record_completeness");
	assert_true(ev.value == quality_percent(q->staff_in_post - q->staff_without_identifier,
	                                        q->staff_in_post));
	assert_true(ev.value == 100.0);
	assert_false(ev.concern);
	/* RJ1 has nobody in the extract: said, never a number */
	ev = resolve(t, "RJ1", "unknown_ethnicity_rate");
	assert_false(ev.available || ev.has_value);
	assert_true(strncmp(ev.text, "not available: ", 15) == 0);
	free(q);
	tp_rmdir(dir);
}

static void test_ledger(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	load(t, dir);
	struct cadre_err e;
	struct vacancy_report now, before;
	assert_int_equal(vacancy_report(&t->sys, t->db, "RXC", 202504, &now, &e), CADRE_OK);
	assert_int_equal(vacancy_report(&t->sys, t->db, "RXC", 202404, &before, &e), CADRE_OK);
	assert_int_equal(now.establishment_wte100, 700); /* 2.00 + 1.50 + 2.50 + 1.00 */

	struct assess_evidence ev = resolve(t, "RXC", "vacancy_trend");
	assert_true(ev.available && ev.has_value);
	assert_true(ev.value == kpi_rate(&now));
	assert_true(ev.value ==
	            assess_ev_vacancy_rate(now.vacancy_fte10k, now.establishment_wte100));
	assert_true(ev.concern == (kpi_rate(&now) > kpi_rate(&before)));
	assert_non_null(strstr(ev.text, "2025-04"));
	assert_non_null(strstr(ev.text, "2024-04"));

	ev = resolve(t, "RXC", "establishment_reconciled");
	int64_t ok = now.cost_centres - now.cost_centres_no_staff - now.cost_centres_no_budget;
	assert_true(ev.value == quality_percent(ok, now.cost_centres));
	assert_true(ev.concern == (ev.value < 90.0));
	vacancy_report_free(&now);
	vacancy_report_free(&before);

	struct tempstaff_report tn, tb;
	assert_int_equal(tempstaff_report(&t->sys, t->db, "RXC", 202504, &tn, &e), CADRE_OK);
	assert_int_equal(tempstaff_report(&t->sys, t->db, "RXC", 202404, &tb, &e), CADRE_OK);
	ev = resolve(t, "RXC", "temporary_staffing_trend");
	assert_true(ev.value == (double)tn.hours100 / 100.0);
	assert_true(ev.value == 158.0); /* 115 + 23 + 20, by hand */
	assert_true((double)tb.hours100 / 100.0 == 100.0);
	assert_true(ev.concern); /* up from 100 hours */
	assert_non_null(strstr(ev.text, "up from 100.00 hours in 2024-04"));
	tempstaff_report_free(&tn);
	tempstaff_report_free(&tb);

	/* RJ1: establishment in 2025-04 only: a rate, no trend, no concern */
	assert_int_equal(vacancy_report(&t->sys, t->db, "RJ1", 202504, &now, &e), CADRE_OK);
	ev = resolve(t, "RJ1", "vacancy_trend");
	assert_true(ev.value == kpi_rate(&now));
	assert_true(ev.value == 100.0); /* nobody in post */
	assert_false(ev.concern);
	assert_non_null(strstr(ev.text, "no establishment held for 2024-04"));
	vacancy_report_free(&now);
	/* RYR: no establishment and no temporary staffing at all */
	ev = resolve(t, "RYR", "vacancy_trend");
	assert_false(ev.available || ev.has_value);
	ev = resolve(t, "RYR", "temporary_staffing_trend");
	assert_false(ev.available || ev.has_value);
	assert_true(strncmp(ev.text, "not available: ", 15) == 0);
	tp_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_extract, testdomain_setup_sqlite,
	                                    testdomain_teardown),
	    cmocka_unit_test_setup_teardown(test_extract, testdomain_setup_pg, testdomain_teardown),
	    cmocka_unit_test_setup_teardown(test_ledger, testdomain_setup_sqlite,
	                                    testdomain_teardown),
	    cmocka_unit_test_setup_teardown(test_ledger, testdomain_setup_pg, testdomain_teardown),
	};
	return cmocka_run_group_tests_name("domain_assess_evidence", tests, NULL, NULL);
}
