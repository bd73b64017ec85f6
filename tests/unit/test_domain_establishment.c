#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "domain/demo.h"
#include "domain/establishment.h"
#include "domain/org.h"
#include "domain/orgstats.h"
#include "domain/people.h"
#include "domain/tempstaff.h"
#include "domain/wards.h"
#include "store/store.h"
#include "testcsv.h"
#include "testdomain.h"
#include "testorg.h"
#include "testpeople.h"

/* Establishment, temporary staffing, vacancies and the cost-centre map.
 * Totals are checked against sums the test works out from the fixture
 * rows itself (testcsv.h), and against the trust demo's files. */

#define EST_HEADER ESTABLISHMENT_HEADER "\n"
static const char establishment[] =
    EST_HEADER "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,2.00,6000.00\n"
               "RXC,RXC1001,2025-03,SUP_DNM,AFC-3,1.50,3000.50\n"
               "RXC,RXC1002,2025-03,DOC_CONS,MED-CONS,2.50,25000.00\n"
               "RXC,RXC2001,2025-03,NURSE_HV,AFC-5,1.00,3000.00\n"
               "RXC,RXC1001,2025-02,NURSE_HV,AFC-5,2.00,6000.00\n"
               "RYR,RYR1001,2025-03,NURSE_HV,AFC-6,0.50,1800.00\n";

#define TMP_HEADER                                                                                 \
	"org_code,cost_centre_code,month,staff_group,grade,staffing_type,framework,hours,shifts,"  \
	"spend_gbp\n"
static const char temporary[] =
    TMP_HEADER "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,bank,,115.00,10,2500.00\n"
               "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,agency,on,23.00,2,800.00\n"
               "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,agency,off,11.50,1,700.00\n"
               "RXC,RXC1002,2025-03,DOC_CONS,MED-CONS,locum,,20.00,2,2400.00\n"
               "RYR,RYR1001,2025-03,NURSE_HV,AFC-6,overtime,,11.50,1,300.00\n";

/* ---- independent sums ------------------------------------------------------------- */

/* per cost centre: establishment (hundredths) and contracted FTE
 * (ten-thousandths), from the files */
struct ccsum {
	char org[8], cc[32];
	long long est100, fte10k;
};

struct ccsums {
	struct ccsum v[4096];
	size_t n;
};

static struct ccsum *cc_of(struct ccsums *s, const char *org, const char *cc)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].org, org) == 0 && strcmp(s->v[i].cc, cc) == 0)
			return &s->v[i];
	assert_true(s->n < 4096);
	struct ccsum *x = &s->v[s->n++];
	memset(x, 0, sizeof *x);
	(void)snprintf(x->org, sizeof x->org, "%s", org);
	(void)snprintf(x->cc, sizeof x->cc, "%s", cc);
	return x;
}

static void independent(const char *staff, const char *est, const char *org, const char *month,
                        const char *day, struct ccsums *s)
{
	struct tc_table st, et;
	tc_read(staff, &st);
	tc_read(est, &et);
	s->n = 0;
	for (size_t i = 0; i < et.n; i++)
		if (strcmp(et.rows[i][0], org) == 0 && strcmp(et.rows[i][2], month) == 0)
			cc_of(s, org, et.rows[i][1])->est100 += tc_scaled(et.rows[i][5], 2);
	for (size_t i = 0; i < st.n; i++)
		if (strcmp(st.rows[i][5], org) == 0 && tc_in_post(st.rows[i], day))
			cc_of(s, org, st.rows[i][6])->fte10k += tc_scaled(st.rows[i][12], 4);
	tc_free(&st);
	tc_free(&et);
}

static void check_vacancies(struct testdomain *t, const char *org, int month,
                            const struct ccsums *s)
{
	struct vacancy_report v;
	struct cadre_err e;
	if (vacancy_report(&t->sys, t->db, org, month, &v, &e) != CADRE_OK)
		fail_msg("vacancy_report: %s", e.msg);
	long long est = 0, fte = 0, no_staff = 0, no_budget = 0;
	for (size_t i = 0; i < s->n; i++) {
		est += s->v[i].est100;
		fte += s->v[i].fte10k;
		no_staff += s->v[i].est100 > 0 && s->v[i].fte10k == 0;
		no_budget += s->v[i].est100 == 0 && s->v[i].fte10k > 0;
		long long le = 0, lf = 0, lv = 0;
		for (size_t k = 0; k < v.nlines; k++)
			if (strcmp(v.lines[k].cost_centre, s->v[i].cc) == 0) {
				le += v.lines[k].establishment_wte100;
				lf += v.lines[k].contracted_fte10k;
				lv += v.lines[k].vacancy_fte10k;
			}
		if (le != s->v[i].est100 || lf != s->v[i].fte10k || lv != le * 100 - lf)
			fail_msg("%s: establishment %lld contracted %lld vacancy %lld; the files "
			         "say %lld "
			         "%lld",
			         s->v[i].cc, le, lf, lv, s->v[i].est100, s->v[i].fte10k);
	}
	assert_int_equal(v.establishment_wte100, est);
	assert_int_equal(v.contracted_fte10k, fte);
	assert_int_equal(v.vacancy_fte10k, est * 100 - fte);
	assert_int_equal(v.cost_centres, (int64_t)s->n);
	assert_int_equal(v.cost_centres_no_staff, no_staff);
	assert_int_equal(v.cost_centres_no_budget, no_budget);
	vacancy_report_free(&v);
}

/* ---- the fixtures -------------------------------------------------------------------- */

static const struct vacancy_line *line_of(const struct vacancy_report *v, const char *cc,
                                          const char *group, const char *grade)
{
	for (size_t i = 0; i < v->nlines; i++)
		if (strcmp(v->lines[i].cost_centre, cc) == 0 &&
		    strcmp(v->lines[i].staff_group, group) == 0 &&
		    strcmp(v->lines[i].grade, grade) == 0)
			return &v->lines[i];
	fail_msg("no line %s %s %s", cc, group, grade);
	static const struct vacancy_line none;
	return &none;
}

static void test_vacancies(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	tp_setup(t, dir);
	char *staff = tp_write(dir, "staff.csv", TP_EXTRACT1);
	char *est = tp_write(dir, "establishment.csv", establishment);
	free(tp_staff(t, staff, false, CADRE_OK));
	struct ledger_result *r = tp_ledger(t, LEDGER_ESTABLISHMENT, est, CADRE_OK);
	assert_int_equal(r->rows, 6);
	assert_int_equal(r->orgs, 2);
	assert_int_equal(r->first_month, 202502);
	assert_int_equal(r->last_month, 202503);
	assert_true(r->audit_seq > 0);
	free(r);

	/* the lines, worked out by hand from the fixtures (negative where over
	 * establishment; staff with no budget line, budget with nobody) */
	struct vacancy_report v;
	struct cadre_err e;
	assert_int_equal(vacancy_report(&t->sys, t->db, "RXC", 202503, &v, &e), CADRE_OK);
	assert_int_equal(v.nlines, 7);
	const struct vacancy_line *L = line_of(&v, "RXC1001", "INFRA_SENIOR_MGR", "VSM");
	assert_int_equal(L->vacancy_fte10k, -10000);
	L = line_of(&v, "RXC1001", "NURSE_HV", "AFC-5");
	assert_int_equal(L->establishment_wte100, 200);
	assert_int_equal(L->contracted_fte10k, 10000);
	assert_int_equal(L->vacancy_fte10k, 10000);
	L = line_of(&v, "RXC1001", "SUP_DNM", "AFC-3");
	assert_int_equal(L->vacancy_fte10k, 5000);
	L = line_of(&v, "RXC1002", "DOC_CONS", "MED-CONS");
	assert_int_equal(L->contracted_fte10k, 20000);
	assert_int_equal(L->headcount, 2);
	assert_int_equal(L->vacancy_fte10k, 5000);
	L = line_of(&v, "RXC2001", "INFRA_CENTRAL", "AFC-3");
	assert_int_equal(L->vacancy_fte10k, -4000);
	L = line_of(&v, "RXC2001", "NURSE_HV", "AFC-5");
	assert_int_equal(L->vacancy_fte10k, 10000);
	L = line_of(&v, "RXC2002", "STT", "AFC-7");
	assert_int_equal(L->vacancy_fte10k, -10000);
	assert_int_equal(v.establishment_wte100, 700);
	assert_int_equal(v.contracted_fte10k, 64000);
	assert_int_equal(v.vacancy_fte10k, 6000);
	assert_int_equal(v.budget_pence, 3700050);
	vacancy_report_free(&v);

	/* and against the sums worked out from the files, per cost centre */
	struct ccsums *s = xcalloc(1, sizeof *s);
	independent(staff, est, "RXC", "2025-03", "2025-03-31", s);
	check_vacancies(t, "RXC", 202503, s);
	/* February: A8 still in post (left in December, no: 2024-12-31), A3 too */
	independent(staff, est, "RXC", "2025-02", "2025-02-28", s);
	check_vacancies(t, "RXC", 202502, s);
	/* the ICB sums both trusts */
	assert_int_equal(vacancy_report(&t->sys, t->db, "QNX", 202503, &v, &e), CADRE_OK);
	assert_int_equal(v.establishment_wte100, 750);
	assert_int_equal(v.contracted_fte10k, 76000);
	vacancy_report_free(&v);
	/* a ward: RXCW002 holds RXC2001 and RXC2002 */
	assert_int_equal(vacancy_report(&t->sys, t->db, "RXCW002", 202503, &v, &e), CADRE_OK);
	assert_int_equal(v.establishment_wte100, 100);
	assert_int_equal(v.contracted_fte10k, 14000);
	assert_int_equal(v.cost_centres, 2);
	vacancy_report_free(&v);

	/* the kept statistics: establishment by node */
	struct orgstats_money_row *rows;
	size_t n;
	struct org_node qnx;
	assert_int_equal(org_get(&t->sys, t->db, "QNX", &qnx, &e), CADRE_OK);
	assert_int_equal(orgstats_money_read(&t->sys, t->db, ORGSTATS_ESTABLISHMENT, qnx.id, 202503,
	                                     &rows, &n, &e),
	                 CADRE_OK);
	assert_string_equal(rows[0].group, "TOTAL");
	assert_int_equal(llround(rows[0].wte_or_hours * 100), 750);
	assert_int_equal(rows[0].pence, 3880050);
	free(rows);

	/* a re-import replaces the organisations' months it holds */
	r = tp_ledger(t, LEDGER_ESTABLISHMENT, est, CADRE_OK);
	assert_int_equal(r->rows_replaced, 6);
	free(r);
	char *est2 = tp_write(dir, "est2.csv",
	                      EST_HEADER "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,3.00,9000.00\n");
	r = tp_ledger(t, LEDGER_ESTABLISHMENT, est2, CADRE_OK);
	assert_int_equal(r->rows_replaced, 4); /* RXC's March rows; February and RYR stay */
	free(r);
	assert_int_equal(vacancy_report(&t->sys, t->db, "QNX", 202503, &v, &e), CADRE_OK);
	assert_int_equal(v.establishment_wte100, 350);
	vacancy_report_free(&v);
	assert_int_equal(vacancy_report(&t->sys, t->db, "RXC", 202502, &v, &e), CADRE_OK);
	assert_int_equal(v.establishment_wte100, 200);
	vacancy_report_free(&v);
	free(est2);
	free(s);
	free(staff);
	free(est);
	tp_rmdir(dir);
}

static void test_temporary_staffing(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	tp_setup(t, dir);
	char *tmp = tp_write(dir, "temporary.csv", temporary);
	struct ledger_result *r = tp_ledger(t, LEDGER_TEMPORARY, tmp, CADRE_OK);
	assert_int_equal(r->rows, 5);
	free(r);
	struct tempstaff_report ts;
	struct cadre_err e;
	/* the sums, worked out from the fixture rows here */
	struct tc_table tt;
	tc_read(tmp, &tt);
	const char *orgs[] = {"RXC", "QNX"};
	for (int o = 0; o < 2; o++) {
		long long hours = 0, shifts = 0, spend = 0, off = 0;
		for (size_t i = 0; i < tt.n; i++) {
			if (o == 0 && strcmp(tt.rows[i][0], "RXC") != 0)
				continue;
			hours += tc_scaled(tt.rows[i][7], 2);
			shifts += tc_scaled(tt.rows[i][8], 0);
			spend += tc_scaled(tt.rows[i][9], 2);
			if (strcmp(tt.rows[i][6], "off") == 0)
				off += tc_scaled(tt.rows[i][9], 2);
		}
		assert_int_equal(tempstaff_report(&t->sys, t->db, orgs[o], 202503, &ts, &e),
		                 CADRE_OK);
		assert_true(ts.fresh);
		assert_int_equal(ts.hours100, hours);
		assert_int_equal(ts.shifts, shifts);
		assert_int_equal(ts.spend_pence, spend);
		assert_int_equal(ts.agency_off_framework_pence, off);
		tempstaff_report_free(&ts);
	}
	tc_free(&tt);
	assert_int_equal(tempstaff_report(&t->sys, t->db, "RXC", 202503, &ts, &e), CADRE_OK);
	assert_int_equal(ts.ntype, 4); /* bank, agency on, agency off, locum */
	assert_int_equal(ts.ngroup, 4);
	tempstaff_report_free(&ts);
	free(tmp);
	tp_rmdir(dir);
}

/* ---- bad ledger files ------------------------------------------------------------------ */

static void reject_ledger(struct testdomain *t, enum ledger_kind kind, const char *dir,
                          const char *content, long line, long col, const char *reason)
{
	char *p = tp_write(dir, "bad.csv", content);
	struct tp_snap before = tp_snapshot(t);
	struct ledger_result *r = tp_ledger(t, kind, p, CADRE_EINVAL);
	char want[1024];
	(void)snprintf(want, sizeof want, "%s:%ld:%ld: %s", p, line, col, reason);
	if (strcmp(tp_first_problem(&r->problems), want) != 0)
		fail_msg("\n got: %s\nwant: %s", tp_first_problem(&r->problems), want);
	free(r);
	tp_same(before, tp_snapshot(t));
	free(p);
}

static void test_bad_ledger(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	tp_setup(t, dir);
	enum ledger_kind E = LEDGER_ESTABLISHMENT, T = LEDGER_TEMPORARY;
	reject_ledger(
	    t, E, dir, EST_HEADER "RXC,RXC9999,2025-03,NURSE_HV,AFC-5,2.00,6000.00\n", 2, 5,
	    "cost_centre_code 'RXC9999': not in the cost-centre map of RXC (import it with "
	    "`cadre import cost-centres`)");
	reject_ledger(
	    t, E, dir, EST_HEADER "RXC,RXC1001,2025-03,NURSE_HV,AFC-5-2,2.00,6000.00\n", 2, 30,
	    "grade 'AFC-5-2': this file budgets by band: write AFC-5 without the pay point");
	reject_ledger(t, E, dir, EST_HEADER "RXC,RXC1001,2025-03,NURSE_HV,MED-CONS,2.00,6000.00\n",
	              2, 21,
	              "staff_group 'NURSE_HV' does not go with grade 'MED-CONS', whose staff group "
	              "is DOC_CONS");
	reject_ledger(
	    t, E, dir, EST_HEADER "RXC,RXC1001,2025-03,DOC_OTHER,MED-SPEC,2.00,6000.00\n", 2, 21,
	    "grade 'MED-SPEC': the reference data gives medical grade SPEC no NHS Digital "
	    "staff group yet (data/workforce/medical-grades.csv), so it cannot be budgeted "
	    "by staff group");
	reject_ledger(
	    t, E, dir, EST_HEADER "RXC,RXC1001,2025-03,DOC_CONS,AFC-5,2.00,6000.00\n", 2, 21,
	    "staff_group 'DOC_CONS' is a doctors' group, but grade 'AFC-5' is not a medical "
	    "grade");
	reject_ledger(t, E, dir, EST_HEADER "RXC,RXC1001,2025-03,TOTAL,AFC-5,2.00,6000.00\n", 2, 21,
	              "staff_group 'TOTAL': not a staff-group code of the format (a component of "
	              "data/workforce/staff-groups.csv: NURSE_HV, DOC_CONS, ...; not a total or "
	              "UNKNOWN)");
	reject_ledger(t, E, dir, EST_HEADER "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,2.00,600000\n", 2,
	              41, "budget_gbp '600000': not pounds with exactly two decimals (1234.50)");
	reject_ledger(t, E, dir, EST_HEADER "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,-2.00,6000.00\n", 2,
	              36, "budget_wte '-2.00': not from 0 to 10000");
	reject_ledger(t, E, dir, EST_HEADER "RXC,RXC1001,2025-13,NURSE_HV,AFC-5,2.00,6000.00\n", 2,
	              13, "month '2025-13': not a month (YYYY-MM)");
	reject_ledger(t, E, dir,
	              EST_HEADER "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,2.00,6000.00\n"
	                         "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,1.00,3000.00\n",
	              3, 1,
	              "the row repeats the key of line 2 (organisation, cost centre, month, staff "
	              "group, grade)");
	reject_ledger(
	    t, E, dir, "org_code,cost_centre_code,month,staff_group,grade,budget_wte\n", 1, 51,
	    "header: column 7 'budget_gbp' is missing (the header is " ESTABLISHMENT_HEADER ")");
	reject_ledger(t, T, dir,
	              TMP_HEADER "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,agency,,10.00,1,100.00\n", 2,
	              43, "framework is empty: agency use is on or off a framework");
	reject_ledger(t, T, dir,
	              TMP_HEADER "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,bank,on,10.00,1,100.00\n", 2,
	              41, "framework 'on' is given for bank: only agency use has one");
	reject_ledger(t, T, dir,
	              TMP_HEADER "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,locum,,10.00,1,100.00\n", 2,
	              36, "staffing_type 'locum' needs a medical grade (MED-...)");
	reject_ledger(t, T, dir,
	              TMP_HEADER "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,bank,,10.00,0,100.00\n", 2, 48,
	              "shifts is 0 but hours is 10.00: hours are worked in shifts");
	reject_ledger(
	    t, T, dir, TMP_HEADER "RXC,RXC1001,2025-03,INFRA_SENIOR_MGR,VSM,bank,,10.00,1,100.00\n",
	    2, 38,
	    "grade 'VSM': temporary staffing is booked by Agenda for Change band or medical "
	    "grade");
	tp_rmdir(dir);
}

/* ---- the cost-centre map ---------------------------------------------------------------------- */

static void parent_is(struct testdomain *t, const char *code, int month, const char *parent)
{
	struct org_view v;
	struct cadre_err e;
	if (org_show(&t->sys, t->db, code, month, &v, &e) != CADRE_OK)
		fail_msg("org_show %s: %s", code, e.msg);
	assert_true(v.nchain > 0);
	if (strcmp(v.chain[0].node.code, parent) != 0)
		fail_msg("%s in %d: parent %s, expected %s", code, month, v.chain[0].node.code,
		         parent);
	org_view_free(&v);
}

static void reject_map(struct testdomain *t, const char *dir, const char *content, long line,
                       long col, const char *reason)
{
	char *p = tp_write(dir, "map.csv", content);
	struct tp_snap before = tp_snapshot(t);
	struct wards_opts wo = {.from_month = 202404, .audit_key = t->key, .clk = &t->clk.clock};
	struct wards_result *wr = xcalloc(1, sizeof *wr);
	struct cadre_err e;
	assert_int_equal(wards_import(&t->sys, t->db, p, &wo, wr, &e), CADRE_EINVAL);
	char want[1024];
	(void)snprintf(want, sizeof want, "%s:%ld:%ld: %s", p, line, col, reason);
	if (strcmp(tp_first_problem(&wr->problems), want) != 0)
		fail_msg("\n got: %s\nwant: %s", tp_first_problem(&wr->problems), want);
	free(wr);
	tp_same(before, tp_snapshot(t));
	free(p);
}

static void test_cost_centre_map(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	tp_setup(t, dir);
	/* the nodes: England > region > ICB > trust > division > ward/team */
	struct org_node n;
	struct cadre_err e;
	assert_int_equal(org_get(&t->sys, t->db, "RXCW001", &n, &e), CADRE_OK);
	assert_string_equal(n.kind, "ward");
	assert_string_equal(n.name, "Elderly Care");
	assert_int_equal(org_get(&t->sys, t->db, "RXCT001", &n, &e), CADRE_OK);
	assert_string_equal(n.kind, "team");
	assert_int_equal(org_get(&t->sys, t->db, "RXCD2", &n, &e), CADRE_OK);
	assert_string_equal(n.kind, "division");
	parent_is(t, "RXCW001", 202404, "RXCD1");
	parent_is(t, "RXCD1", 202404, "RXC");
	parent_is(t, "RYRW001", 202404, "RYRD1");
	struct org_view v;
	assert_int_equal(org_show(&t->sys, t->db, "RXCW002", 202404, &v, &e), CADRE_OK);
	assert_int_equal(v.nchain, 5); /* RXCD2 RXC QNX Y59 ENG */
	assert_string_equal(v.chain[4].node.code, "ENG");
	org_view_free(&v);
	/* the same map again changes nothing in the hierarchy */
	struct tp_snap before = tp_snapshot(t);
	char *p = tp_write(dir, "cost-centres.csv", TP_COST_CENTRES);
	struct wards_opts wo = {.from_month = 202404, .audit_key = t->key, .clk = &t->clk.clock};
	struct wards_result *wr = xcalloc(1, sizeof *wr);
	assert_int_equal(wards_import(&t->sys, t->db, p, &wo, wr, &e), CADRE_OK);
	assert_int_equal(wr->cost_centres_new, 0);
	assert_int_equal(wr->cost_centres_updated, 6);
	assert_int_equal(wr->divisions_new + wr->wards_new + wr->teams_new, 0);
	struct tp_snap after = tp_snapshot(t);
	assert_int_equal(after.n[13], before.n[13]); /* org */
	assert_int_equal(after.n[14], before.n[14]); /* org_edge */
	free(p);
	/* a later month: W002 moves to D1 (history kept), RXC2002 unlisted */
	p = tp_write(dir, "later.csv",
	             WARDS_HEADER
	             "\n"
	             "RXC,RXC1001,Elderly Care,W001,Elderly Care,D1,Medicine,adult_inpatient\n"
	             "RXC,RXC1002,Cardiology Doctors,T001,Cardiology,D1,Medicine,"
	             "medical_staffing\n"
	             "RXC,RXC2001,Surgical Ward,W002,Surgical Ward,D1,Medicine,"
	             "adult_inpatient\n");
	wo.from_month = 202501;
	assert_int_equal(wards_import(&t->sys, t->db, p, &wo, wr, &e), CADRE_OK);
	assert_int_equal(wr->cost_centres_unlisted, 1);
	parent_is(t, "RXCW002", 202412, "RXCD2");
	parent_is(t, "RXCW002", 202501, "RXCD1");
	parent_is(t, "RYRW001", 202501, "RYRD1"); /* another employer's map: untouched */
	free(p);
	free(wr);
	/* bad maps */
	reject_map(t, dir, WARDS_HEADER "\nRZZ,RZZ1,A,W1,A,D1,B,corporate\n", 2, 1,
	           "org_code 'RZZ': no such organisation (data/ods, or loaded organisations)");
	reject_map(t, dir, WARDS_HEADER "\nY59,Y591,A,W1,A,D1,B,corporate\n", 2, 1,
	           "org_code 'Y59' is a region, not an employer");
	reject_map(t, dir, WARDS_HEADER "\nRXC,RXC9,A,W9,A,D9,B,somewhere\n", 2, 22,
	           "setting 'somewhere': not a setting of docs/formats.md section D "
	           "(adult_inpatient, community_services, corporate, ...)");
	reject_map(
	    t, dir,
	    WARDS_HEADER "\nRXC,RXC9,A,W9,A,D9,B,corporate\nRXC,RXC9,A,W8,A,D9,B,corporate\n", 3, 5,
	    "cost_centre_code 'RXC9' of RXC is listed twice (first at line 2): one cost centre "
	    "belongs to one ward or team");
	reject_map(
	    t, dir,
	    WARDS_HEADER "\nRXC,RXC9,A,W9,A,D9,B,corporate\nRXC,RXC8,A,W9,A,D9,B,theatres\n", 3, 22,
	    "ward_team_code 'W9' of RXC has another setting than on line 2: the rows of one "
	    "ward or team agree on ward_team_name, division_code, division_name and setting");
	reject_map(
	    t, dir, WARDS_HEADER "\nRXC,RXC9,A,w9,A,D9,B,corporate\n", 2, 12,
	    "ward_team_code 'w9': names the node RXCw9 in the hierarchy, which must be at most "
	    "15 capital letters and digits");
	reject_map(
	    t, dir, WARDS_HEADER "\nRXC,RXC9,A,W9,A,W9,B,corporate\n", 2, 17,
	    "division_code 'W9' of RXC is also a ward_team_code (line 2): they would name the "
	    "same node");
	reject_map(
	    t, dir, WARDS_HEADER "\nRXC,RXC9,A,D1,A,D9,B,corporate\n", 2, 12,
	    "ward_team_code 'D1' would be the node RXCD1, which already exists as a division "
	    "(from cost-centres:RXC)");
	tp_rmdir(dir);
}

/* ---- the trust demo: the read-outs agree with the files -------------------------------- */

static void test_demo_agrees(void **state)
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
	char p[5][256];
	const char *names[] = {"cost-centres.csv", "staff.csv", "establishment.csv",
	                       "temporary-staffing.csv", "organisations.csv"};
	for (int i = 0; i < 5; i++)
		(void)snprintf(p[i], sizeof p[i], "%s/%s", dir, names[i]);
	struct wards_opts wo = {.from_month = 202404, .audit_key = t->key, .clk = &t->clk.clock};
	struct wards_result *wr = xcalloc(1, sizeof *wr);
	if (wards_import(&t->sys, t->db, p[0], &wo, wr, &e) != CADRE_OK)
		fail_msg("wards_import: %s", e.msg);
	free(wr);
	struct people_result *r = tp_staff(t, p[1], false, CADRE_OK);
	assert_int_equal((uint64_t)r->rows, sum.assignments);
	free(r);
	free(tp_ledger(t, LEDGER_ESTABLISHMENT, p[2], CADRE_OK));
	free(tp_ledger(t, LEDGER_TEMPORARY, p[3], CADRE_OK));
	/* vacancies for three months, per cost centre */
	struct ccsums *s = xcalloc(1, sizeof *s);
	const char *months[] = {"2024-04", "2024-10", "2025-03"};
	const char *days[] = {"2024-04-30", "2024-10-31", "2025-03-31"};
	for (int m = 0; m < 3; m++) {
		independent(p[1], p[2], "RXC", months[m], days[m], s);
		int ym = 0;
		assert_int_equal(date_month_parse(months[m], 7, &ym, &e), CADRE_OK);
		check_vacancies(t, "RXC", ym, s);
	}
	free(s);
	/* staff in post: the files' count of FTE; headcount of staff records
	 * (within one trust a person is one staff record) */
	struct tc_table st;
	tc_read(p[1], &st);
	long long fte = 0;
	size_t people = 0;
	for (size_t i = 0; i < st.n; i++) {
		if (!tc_in_post(st.rows[i], "2025-03-31"))
			continue;
		fte += tc_scaled(st.rows[i][12], 4);
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(st.rows[k][1], st.rows[i][1]) == 0 &&
			       tc_in_post(st.rows[k], "2025-03-31");
		people += !seen;
	}
	tc_free(&st);
	struct people_summary ps;
	assert_int_equal(people_summary(&t->sys, t->db, "RXC", NULL, PEOPLE_BY_NONE, &ps, &e),
	                 CADRE_OK);
	assert_int_equal(ps.headcount, (int64_t)people);
	assert_int_equal(llround(ps.fte * 10000.0), fte);
	assert_int_equal(fte, sum.fte_x10000);
	people_summary_free(&ps);
	/* temporary staffing for a month */
	struct tc_table tt;
	tc_read(p[3], &tt);
	long long hours = 0, shifts = 0, spend = 0;
	for (size_t i = 0; i < tt.n; i++)
		if (strcmp(tt.rows[i][2], "2025-01") == 0) {
			hours += tc_scaled(tt.rows[i][7], 2);
			shifts += tc_scaled(tt.rows[i][8], 0);
			spend += tc_scaled(tt.rows[i][9], 2);
		}
	tc_free(&tt);
	struct tempstaff_report ts;
	assert_int_equal(tempstaff_report(&t->sys, t->db, "RXC", 202501, &ts, &e), CADRE_OK);
	assert_int_equal(ts.hours100, hours);
	assert_int_equal(ts.shifts, shifts);
	assert_int_equal(ts.spend_pence, spend);
	tempstaff_report_free(&ts);
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
	    BOTH(test_vacancies),       BOTH(test_temporary_staffing), BOTH(test_bad_ledger),
	    BOTH(test_cost_centre_map), BOTH(test_demo_agrees),
	};
	return cmocka_run_group_tests_name("domain_establishment", tests, NULL, NULL);
}
