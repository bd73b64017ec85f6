/* Tests for orgseries: monthly series at every level, on both stores, with
 * values worked out by hand from small fixtures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "domain/history.h"
#include "domain/orgseries.h"
#include "domain/orgstats.h"
#include "domain/sickness.h"
#include "testdomain.h"
#include "testorg.h"
#include "testpeople.h"

/* A publication-format file: RXC and RYR (both in QNX Sussex, Y59).
 *   2024-04  RXC 100 / 2000 = 5.00%   RYR 300 / 4000 = 7.50%
 *            QNX (400 / 6000) = 6.666.. -> 6.67%
 *   2024-05  RXC  50 / 2000 = 2.50%   RYR 100 / 4000 = 2.50%
 *            QNX (150 / 6000) = 2.50%
 *   2024-06  nothing */
#define PUB_HEAD SICKNESS_HEADER "\n"
#define PUB_ROW(d, org, name, lost, avail, rate)                                                   \
	d ",Y59,South East,QNX,Sussex," org "," name ",Acute," lost "," avail "," rate "\n"
#define PUBLICATION                                                                                \
	PUB_HEAD                                                                                   \
	PUB_ROW("30/04/2024", "RXC", "East Sussex", "100", "2000", "5.00")                         \
	PUB_ROW("30/04/2024", "RYR", "UH Sussex", "300", "4000", "7.50")                           \
	PUB_ROW("31/05/2024", "RXC", "East Sussex", "50", "2000", "2.50")                          \
	PUB_ROW("31/05/2024", "RYR", "UH Sussex", "100", "4000", "2.50")

static void import_publication(struct testdomain *t, const char *dir)
{
	char *p = tp_write(dir, "pub.csv", PUBLICATION);
	struct import_opts opt = {.audit_key = t->key, .clk = &t->clk.clock};
	struct import_result *res = xcalloc(1, sizeof *res);
	struct cadre_err e;
	const char *paths[] = {p};
	if (sickness_import(&t->sys, t->db, paths, 1, &opt, res, &e) != CADRE_OK)
		fail_msg("sickness_import: %s", e.msg);
	assert_int_equal(res->rows, 4);
	free(res);
	free(p);
}

static void get(struct testdomain *t, const char *code, enum orgseries_measure m,
                enum orgseries_staffing type, int from, int to, struct orgseries *s)
{
	struct cadre_err e;
	int rc = orgseries_get(&t->sys, t->db, code, m, type, from, to, s, &e);
	if (rc != CADRE_OK)
		fail_msg("orgseries_get %s %s: %d %s", code, orgseries_measure_name(m), rc, e.msg);
}

static void point(const struct orgseries *s, size_t i, int month, bool present, double value,
                  double num, double den)
{
	const struct orgseries_point *p = &s->points[i];
	assert_int_equal(p->month, month);
	if (p->present != present)
		fail_msg("%s %d: present %d, expected %d", s->org.code, month, p->present, present);
	if (!present)
		return;
	if (p->value < value - 1e-9 || p->value > value + 1e-9 || p->num < num - 1e-6 ||
	    p->num > num + 1e-6 || p->den < den - 1e-6 || p->den > den + 1e-6)
		fail_msg("%s %d: %.6f (%.6f / %.6f), expected %.6f (%.6f / %.6f)", s->org.code,
		         month, p->value, p->num, p->den, value, num, den);
}

static void test_sickness_published(void **state)
{
	struct testdomain *t = *state;
	testorg_load_refdata(t, NULL);
	const char *dir = tp_dir();
	import_publication(t, dir);
	struct orgseries s;
	get(t, "RXC", ORGSERIES_SICKNESS_RATE, ORGSERIES_ALL_TYPES, 202404, 202406, &s);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.present, 2);
	assert_string_equal(s.unit, "%");
	point(&s, 0, 202404, true, 5.00, 100, 2000);
	point(&s, 1, 202405, true, 2.50, 50, 2000);
	point(&s, 2, 202406, false, 0, 0, 0);
	assert_int_equal(s.points[0].source, ORGSERIES_SRC_PUBLISHED);
	assert_false(s.synthetic);
	orgseries_free(&s);

	get(t, "QNX", ORGSERIES_SICKNESS_RATE, ORGSERIES_ALL_TYPES, 202403, 202405, &s);
	point(&s, 0, 202403, false, 0, 0, 0);
	point(&s, 1, 202404, true, 6.67, 400, 6000);
	point(&s, 2, 202405, true, 2.50, 150, 6000);
	orgseries_free(&s);

	/* the region and England sum the same two */
	get(t, "ENG", ORGSERIES_SICKNESS_RATE, ORGSERIES_ALL_TYPES, 202404, 202404, &s);
	point(&s, 0, 202404, true, 6.67, 400, 6000);
	orgseries_free(&s);

	/* a month after the materialised range takes its last month's tree */
	get(t, "QNX", ORGSERIES_SICKNESS_RATE, ORGSERIES_ALL_TYPES, 202405, 202412, &s);
	assert_int_equal(s.present, 1);
	orgseries_free(&s);

	/* errors: unknown node, bad span */
	struct cadre_err e;
	assert_int_equal(orgseries_get(&t->sys, t->db, "NOPE", ORGSERIES_SICKNESS_RATE,
	                               ORGSERIES_ALL_TYPES, 202404, 202405, &s, &e),
	                 CADRE_ENOTFOUND);
	orgseries_free(&s);
	assert_int_equal(orgseries_get(&t->sys, t->db, "RXC", ORGSERIES_SICKNESS_RATE,
	                               ORGSERIES_ALL_TYPES, 202405, 202404, &s, &e),
	                 CADRE_EINVAL);
	orgseries_free(&s);
	tp_rmdir(dir);
}

/* history: import one history file (synthetic or not); rc must be want. */
static struct history_result *history(struct testdomain *t, const char *dir, const char *name,
                                      const char *content, bool synthetic, int want)
{
	char *p = tp_write(dir, name, content);
	struct history_opts o = {.synthetic = synthetic, .audit_key = t->key, .clk = &t->clk.clock};
	struct history_result *res = xcalloc(1, sizeof *res);
	struct cadre_err e;
	int rc = history_import(&t->sys, t->db, p, &o, res, &e);
	if (rc != want)
		fail_msg("history_import %s: %d, expected %d: %s", name, rc, want, e.msg);
	free(p);
	return res;
}

/* The ward history (the fixture map of testpeople.h: RXC W001 and T001 in
 * D1, W002 in D2; RYR W001):
 *   2024-04  RXC W001 10/200  W002 30/300  T001 0/100   RYR W001 5/50
 *   2024-05  RXC W001 20/200  W002 0/0 (nothing available)
 * so, by hand:
 *   RXCW001  04: 5.00 (10/200)          05: 10.00 (20/200)
 *   RXCD1    04: 10/300 = 3.33          05: 20/200 = 10.00
 *   RXCD2    04: 30/300 = 10.00         05: absent (0 available)
 *   RXC wards 04: 40/600 = 6.67         05: 20/200 = 10.00
 *   QNX wards 04: 45/650 = 6.92 */
#define WARD_HEAD                                                                                  \
	"date,org_code,ward_team_code,fte_days_lost,fte_days_available,"                           \
	"sickness_absence_rate_percent\n"
#define WARD_HISTORY                                                                               \
	WARD_HEAD "2024-04-30,RXC,W001,10,200,5.00\n"                                              \
	          "2024-04-30,RXC,W002,30.00000,300,10.00\n"                                       \
	          "2024-04-30,RXC,T001,0,100,0.00\n"                                               \
	          "2024-04-30,RYR,W001,5,50,10.00\n"                                               \
	          "2024-05-31,RXC,W001,20,200,10.00\n"                                             \
	          "2024-05-31,RXC,W002,0,0,0.00\n"

static void test_ward_sickness(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	tp_setup(t, dir);
	struct history_result *r =
	    history(t, dir, "sickness-absence-wards.csv", WARD_HISTORY, true, CADRE_OK);
	assert_int_equal(r->kind, HISTORY_SICKNESS_WARDS);
	assert_int_equal(r->rows, 6);
	assert_int_equal(r->orgs, 2);
	assert_int_equal(r->first_month, 202404);
	assert_int_equal(r->last_month, 202405);
	free(r);
	struct orgseries s;
	get(t, "RXCW001", ORGSERIES_SICKNESS_RATE, ORGSERIES_ALL_TYPES, 202404, 202405, &s);
	point(&s, 0, 202404, true, 5.00, 10, 200);
	point(&s, 1, 202405, true, 10.00, 20, 200);
	assert_true(s.synthetic);
	assert_int_equal(s.points[0].source, ORGSERIES_SRC_HISTORY);
	orgseries_free(&s);
	get(t, "RXCD1", ORGSERIES_SICKNESS_RATE, ORGSERIES_ALL_TYPES, 202404, 202405, &s);
	point(&s, 0, 202404, true, 3.33, 10, 300);
	point(&s, 1, 202405, true, 10.00, 20, 200);
	orgseries_free(&s);
	get(t, "RXCD2", ORGSERIES_SICKNESS_RATE, ORGSERIES_ALL_TYPES, 202404, 202405, &s);
	point(&s, 0, 202404, true, 10.00, 30, 300);
	point(&s, 1, 202405, false, 0, 0, 0);
	orgseries_free(&s);
	/* a trust's own sickness rate reads the sickness tables: none here */
	get(t, "RXC", ORGSERIES_SICKNESS_RATE, ORGSERIES_ALL_TYPES, 202404, 202405, &s);
	assert_int_equal(s.present, 0);
	orgseries_free(&s);
	get(t, "QNX", ORGSERIES_WARD_SICKNESS_RATE, ORGSERIES_ALL_TYPES, 202404, 202404, &s);
	point(&s, 0, 202404, true, 6.92, 45, 650);
	orgseries_free(&s);

	get(t, "Y59", ORGSERIES_WARD_SICKNESS_RATE, ORGSERIES_ALL_TYPES, 202404, 202405, &s);
	point(&s, 0, 202404, true, 6.92, 45, 650);
	point(&s, 1, 202405, true, 10.00, 20, 200);
	orgseries_free(&s);

	/* the trust's ward series equals the sum of its wards' series */
	struct orgseries trust;
	get(t, "RXC", ORGSERIES_WARD_SICKNESS_RATE, ORGSERIES_ALL_TYPES, 202403, 202406, &trust);
	point(&trust, 1, 202404, true, 6.67, 40, 600);
	static const char *const wards[] = {"RXCW001", "RXCW002", "RXCT001"};
	for (size_t i = 0; i < trust.n; i++) {
		double num = 0, den = 0;
		bool any = false;
		for (size_t w = 0; w < 3; w++) {
			get(t, wards[w], ORGSERIES_WARD_SICKNESS_RATE, ORGSERIES_ALL_TYPES, 202403,
			    202406, &s);
			/* a ward with nothing available is absent but adds 0 / 0 */
			num += s.points[i].num;
			den += s.points[i].den;
			any |= s.points[i].present;
			orgseries_free(&s);
		}
		assert_true(trust.points[i].present == any);
		assert_true(trust.points[i].num > num - 1e-9 && trust.points[i].num < num + 1e-9);
		assert_true(trust.points[i].den > den - 1e-9 && trust.points[i].den < den + 1e-9);
	}
	assert_int_equal(trust.present, 2);
	orgseries_free(&trust);
	tp_rmdir(dir);
}

/* Vacancies and temporary staffing: history before the ledger's months,
 * org_stats in them.
 *   history  2025-02  RXC NURSE_HV 100.00 / 95.50 (4.50)  DOC_CONS 50 / 52 (-2)
 *                     RYR NURSE_HV 200 / 180 (20)
 *            2025-03  RXC NURSE_HV 999 / 0 (overridden by the ledger month)
 *   ledger   2025-03  RXC1001 (ward W001) NURSE_HV AFC-5 10.00 WTE; staff in
 *            post 31 March (testpeople.h): RXC 6.4 FTE, W001 3.0
 * so, by hand:
 *   RXC vacancy  02: (150 - 147.5) = 2.50 WTE, 2.5 / 150 = 1.67%
 *                03: 10 - 6.4 = 3.60 WTE, 36.00%
 *   QNX vacancy  02: 350 - 327.5 = 22.50 WTE, 6.43%
 *   RXCW001      02: absent (history is organisation level); 03: 7.00, 70.00%
 * temporary staffing
 *   history  2025-02 RXC NURSE_HV bank 50.00 h 5 shifts 1000.00; agency on
 *            10.00 h 1 shift 400.00;  2025-03 RXC bank 999 h (overridden)
 *   ledger   2025-03 RXC1001 bank 100.00 h 2500.00; agency on 20.00 h 800.00
 *   RXC all  02: 60.00 h, 1400.00;  03: 120.00 h, 3300.00
 *   RXC bank 02: 50.00;  03: 100.00;  locum: present, 0 */
#define VAC_HEAD                                                                                   \
	"month,org_code,staff_group,establishment_wte,contracted_wte,vacancy_wte,"                 \
	"vacancy_rate_percent\n"
#define VAC_HISTORY                                                                                \
	VAC_HEAD "2025-02,RXC,NURSE_HV,100.00,95.50,4.50,4.50\n"                                   \
	         "2025-02,RXC,DOC_CONS,50.00,52.00,-2.00,-4.00\n"                                  \
	         "2025-02,RYR,NURSE_HV,200.00,180.00,20.00,10.00\n"                                \
	         "2025-03,RXC,NURSE_HV,999.00,0.00,999.00,100.00\n"
#define TMP_LEDGER_HEAD                                                                            \
	"org_code,cost_centre_code,month,staff_group,grade,staffing_type,framework,hours,shifts,"  \
	"spend_gbp\n"
#define TMP_HEAD "month,org_code,staff_group,staffing_type,framework,hours,shifts,spend_gbp\n"
#define TMP_HISTORY                                                                                \
	TMP_HEAD "2025-02,RXC,NURSE_HV,bank,,50.00,5,1000.00\n"                                    \
	         "2025-02,RXC,NURSE_HV,agency,on,10.00,1,400.00\n"                                 \
	         "2025-03,RXC,NURSE_HV,bank,,999.00,99,99999.00\n"

static void test_vacancy_temporary(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	tp_setup(t, dir);
	char *p = tp_write(dir, "staff.csv", TP_EXTRACT1);
	free(tp_staff(t, p, false, CADRE_OK));
	free(p);
	p = tp_write(dir, "establishment.csv",
	             ESTABLISHMENT_HEADER "\nRXC,RXC1001,2025-03,NURSE_HV,AFC-5,10.00,1000.00\n");
	free(tp_ledger(t, LEDGER_ESTABLISHMENT, p, CADRE_OK));
	free(p);
	p = tp_write(dir, "temporary-staffing.csv",
	             TMP_LEDGER_HEAD
	             "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,bank,,100.00,10,2500.00\n"
	             "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,agency,on,20.00,2,800.00\n");
	free(tp_ledger(t, LEDGER_TEMPORARY, p, CADRE_OK));
	free(p);
	free(history(t, dir, "vacancies.csv", VAC_HISTORY, false, CADRE_OK));
	free(history(t, dir, "temporary-staffing-history.csv", TMP_HISTORY, true, CADRE_OK));

	struct orgseries s;
	get(t, "RXC", ORGSERIES_VACANCY_WTE, ORGSERIES_ALL_TYPES, 202501, 202503, &s);
	assert_string_equal(s.unit, "WTE");
	point(&s, 0, 202501, false, 0, 0, 0);
	point(&s, 1, 202502, true, 2.50, 2.5, 150);
	point(&s, 2, 202503, true, 3.60, 3.6, 10);
	assert_int_equal(s.points[1].source, ORGSERIES_SRC_HISTORY);
	assert_int_equal(s.points[2].source, ORGSERIES_SRC_CURRENT);
	assert_false(s.synthetic);
	orgseries_free(&s);
	get(t, "RXC", ORGSERIES_VACANCY_RATE, ORGSERIES_ALL_TYPES, 202502, 202503, &s);
	point(&s, 0, 202502, true, 1.67, 2.5, 150);
	point(&s, 1, 202503, true, 36.00, 3.6, 10);
	orgseries_free(&s);
	get(t, "QNX", ORGSERIES_VACANCY_RATE, ORGSERIES_ALL_TYPES, 202502, 202502, &s);
	point(&s, 0, 202502, true, 6.43, 22.5, 350);
	orgseries_free(&s);
	get(t, "RXCW001", ORGSERIES_VACANCY_RATE, ORGSERIES_ALL_TYPES, 202502, 202503, &s);
	point(&s, 0, 202502, false, 0, 0, 0);
	point(&s, 1, 202503, true, 70.00, 7, 10);
	orgseries_free(&s);

	get(t, "RXC", ORGSERIES_TEMP_HOURS, ORGSERIES_ALL_TYPES, 202502, 202503, &s);
	assert_string_equal(s.unit, "hours");
	point(&s, 0, 202502, true, 60.00, 60, 0);
	point(&s, 1, 202503, true, 120.00, 120, 0);
	assert_true(s.points[0].synthetic);
	assert_false(s.points[1].synthetic);
	orgseries_free(&s);
	get(t, "RXC", ORGSERIES_TEMP_SPEND, ORGSERIES_ALL_TYPES, 202502, 202503, &s);
	point(&s, 0, 202502, true, 1400.00, 140000, 0);
	point(&s, 1, 202503, true, 3300.00, 330000, 0);
	orgseries_free(&s);
	get(t, "RXC", ORGSERIES_TEMP_HOURS, ORGSERIES_BANK, 202502, 202503, &s);
	point(&s, 0, 202502, true, 50.00, 50, 0);
	point(&s, 1, 202503, true, 100.00, 100, 0);
	orgseries_free(&s);
	get(t, "RXC", ORGSERIES_TEMP_SPEND, ORGSERIES_AGENCY, 202502, 202503, &s);
	point(&s, 0, 202502, true, 400.00, 40000, 0);
	point(&s, 1, 202503, true, 800.00, 80000, 0);
	orgseries_free(&s);
	get(t, "RXC", ORGSERIES_TEMP_HOURS, ORGSERIES_LOCUM, 202502, 202503, &s);
	point(&s, 0, 202502, true, 0, 0, 0);
	point(&s, 1, 202503, true, 0, 0, 0);
	orgseries_free(&s);
	/* England and the region read the figures by month: the same sums */
	get(t, "ENG", ORGSERIES_VACANCY_RATE, ORGSERIES_ALL_TYPES, 202502, 202502, &s);
	point(&s, 0, 202502, true, 6.43, 22.5, 350);
	orgseries_free(&s);
	get(t, "Y59", ORGSERIES_TEMP_SPEND, ORGSERIES_BANK, 202502, 202502, &s);
	point(&s, 0, 202502, true, 1000.00, 100000, 0);
	orgseries_free(&s);
	/* a re-import of RXC's vacancies replaces its rows and its totals;
	 * RYR, not in the file, keeps its own */
	free(history(t, dir, "vacancies.csv",
	             VAC_HEAD "2025-02,RXC,NURSE_HV,100.00,90.00,10.00,10.00\n", false, CADRE_OK));
	get(t, "QNX", ORGSERIES_VACANCY_WTE, ORGSERIES_ALL_TYPES, 202502, 202502, &s);
	point(&s, 0, 202502, true, 30.00, 30, 300);
	orgseries_free(&s);
	/* QNX sums RXC's history (RYR has none) */
	get(t, "QNX", ORGSERIES_TEMP_HOURS, ORGSERIES_ALL_TYPES, 202502, 202502, &s);
	point(&s, 0, 202502, true, 60.00, 60, 0);
	orgseries_free(&s);
	tp_rmdir(dir);
}

/* Organisation sickness history beside the publication: published wins. */
#define SICK_HEAD                                                                                  \
	"date,nhse_region_code,nhse_region_name,ics_code,ics_name,org_code,org_name,org_type,"     \
	"fte_days_lost,fte_days_available,sickness_absence_rate_percent\n"
#define SICK_ROW(d, lost, avail, rate)                                                             \
	d ",Y59,South East,QNX,Sussex,RXC,East Sussex Healthcare NHS Trust,Acute," lost "," avail  \
	  "," rate "\n"

static const struct store_sql q_n_sick = {"t_n_sick", "SELECT COUNT(*) FROM sickness_absence",
                                          NULL};

static void test_published_wins(void **state)
{
	struct testdomain *t = *state;
	testorg_load_refdata(t, NULL);
	const char *dir = tp_dir();
	import_publication(t, dir); /* RXC 2024-04 100/2000, 2024-05 50/2000 */
	const char *hist = SICK_HEAD SICK_ROW("2024-03-31", "30", "1000", "3.00")
	    SICK_ROW("2024-04-30", "999", "1000", "99.90")
	        SICK_ROW("2024-06-30", "40", "1000", "4.00");
	struct history_result *r = history(t, dir, "sickness-absence.csv", hist, true, CADRE_OK);
	assert_int_equal(r->rows, 2);
	assert_int_equal(r->rows_skipped, 1);
	assert_int_equal(r->rows_replaced, 0);
	free(r);
	assert_int_equal(testdomain_count(t->db, &q_n_sick), 6);
	struct orgseries s;
	get(t, "RXC", ORGSERIES_SICKNESS_RATE, ORGSERIES_ALL_TYPES, 202403, 202406, &s);
	point(&s, 0, 202403, true, 3.00, 30, 1000);
	point(&s, 1, 202404, true, 5.00, 100, 2000); /* the published figure */
	point(&s, 2, 202405, true, 2.50, 50, 2000);
	point(&s, 3, 202406, true, 4.00, 40, 1000);
	assert_true(s.points[0].synthetic);
	assert_int_equal(s.points[0].source, ORGSERIES_SRC_HISTORY);
	assert_false(s.points[1].synthetic);
	assert_int_equal(s.points[1].source, ORGSERIES_SRC_PUBLISHED);
	orgseries_free(&s);
	/* the KPI reads the same rows, the synthetic months included */
	struct sickness_kpi k;
	struct cadre_err e;
	assert_int_equal(sickness_kpi(&t->sys, t->db, "QNX", 202403, 202403, &k, &e), CADRE_OK);
	assert_int_equal(k.rate_hundredths, 300);
	sickness_kpi_free(&k);

	/* again: idempotent (the synthetic rows replace themselves) */
	r = history(t, dir, "sickness-absence.csv", hist, true, CADRE_OK);
	assert_int_equal(r->rows, 2);
	assert_int_equal(r->rows_skipped, 1);
	assert_int_equal(r->rows_replaced, 2);
	free(r);
	assert_int_equal(testdomain_count(t->db, &q_n_sick), 6);

	/* a publication of June replaces the synthetic June */
	char *p =
	    tp_write(dir, "june.csv",
	             PUB_HEAD PUB_ROW("30/06/2024", "RXC", "East Sussex", "60", "2000", "3.00"));
	struct import_opts opt = {.audit_key = t->key, .clk = &t->clk.clock};
	struct import_result *res = xcalloc(1, sizeof *res);
	const char *paths[] = {p};
	if (sickness_import(&t->sys, t->db, paths, 1, &opt, res, &e) != CADRE_OK)
		fail_msg("sickness_import: %s", e.msg);
	assert_int_equal(res->rows_replaced, 1);
	free(res);
	free(p);
	assert_int_equal(testdomain_count(t->db, &q_n_sick), 6);
	get(t, "RXC", ORGSERIES_SICKNESS_RATE, ORGSERIES_ALL_TYPES, 202406, 202406, &s);
	point(&s, 0, 202406, true, 3.00, 60, 2000);
	assert_false(s.synthetic);
	orgseries_free(&s);
	tp_rmdir(dir);
}

/* The imports that rebuild the hierarchy recompute org_stats in the same
 * transaction: after each, every kind is fresh. */
static void all_fresh(struct testdomain *t, const char *after)
{
	struct cadre_err e;
	for (int k = ORGSTATS_STAFF; k <= ORGSTATS_TEMPORARY; k++) {
		bool fresh = false;
		if (orgstats_fresh(&t->sys, t->db, (enum orgstats_kind)k, &fresh, &e) != CADRE_OK)
			fail_msg("orgstats_fresh: %s", e.msg);
		if (!fresh)
			fail_msg("after %s, org_stats kind %d is stale", after, k);
	}
}

static void test_stats_fresh(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	tp_setup(t, dir);
	char *p = tp_write(dir, "staff.csv", TP_EXTRACT1);
	free(tp_staff(t, p, false, CADRE_OK));
	free(p);
	p = tp_write(dir, "establishment.csv",
	             ESTABLISHMENT_HEADER "\nRXC,RXC1001,2025-03,NURSE_HV,AFC-5,10.00,1000.00\n");
	free(tp_ledger(t, LEDGER_ESTABLISHMENT, p, CADRE_OK));
	free(p);
	all_fresh(t, "the ledger");
	t->clk.now_us += 1000000;
	import_publication(t, dir);
	all_fresh(t, "a sickness import");
	t->clk.now_us += 1000000;
	testorg_load_refdata(t, NULL);
	all_fresh(t, "a reference-data load");
	t->clk.now_us += 1000000;
	free(history(t, dir, "sickness-absence.csv",
	             SICK_HEAD SICK_ROW("2023-03-31", "30", "1000", "3.00"), true, CADRE_OK));
	all_fresh(t, "a sickness history import");
	/* months past the materialised ones widen them: a rebuild, then fresh
	 * statistics; the same months again need no rebuild */
	t->clk.now_us += 1000000;
	struct history_result *r =
	    history(t, dir, "sickness-absence.csv",
	            SICK_HEAD SICK_ROW("2030-01-31", "5", "100", "5.00"), true, CADRE_OK);
	assert_true(r->rebuilt);
	free(r);
	all_fresh(t, "a sickness history import that widened the months");
	struct sickness_kpi k;
	struct cadre_err e;
	assert_int_equal(sickness_kpi(&t->sys, t->db, "QNX", 203001, 203001, &k, &e), CADRE_OK);
	assert_int_equal(k.rate_hundredths, 500);
	sickness_kpi_free(&k);
	r = history(t, dir, "sickness-absence.csv",
	            SICK_HEAD SICK_ROW("2030-01-31", "5", "100", "5.00"), true, CADRE_OK);
	assert_false(r->rebuilt);
	free(r);
	/* the figures are the same after the refreshes: RXC 2025-03 */
	struct orgseries s;
	get(t, "RXC", ORGSERIES_VACANCY_WTE, ORGSERIES_ALL_TYPES, 202503, 202503, &s);
	point(&s, 0, 202503, true, 3.60, 3.6, 10);
	orgseries_free(&s);
	tp_rmdir(dir);
}

#define BOTH(f)                                                                                    \
	cmocka_unit_test_setup_teardown(f, testdomain_setup_sqlite, testdomain_teardown),          \
	    cmocka_unit_test_setup_teardown(f, testdomain_setup_pg, testdomain_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_sickness_published), BOTH(test_ward_sickness), BOTH(test_vacancy_temporary),
	    BOTH(test_published_wins),     BOTH(test_stats_fresh),
	};
	return cmocka_run_group_tests_name("domain_orgseries", tests, NULL, NULL);
}
