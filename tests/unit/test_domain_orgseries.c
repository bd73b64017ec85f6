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
#include "domain/orgseries.h"
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

#define BOTH(f)                                                                                    \
	cmocka_unit_test_setup_teardown(f, testdomain_setup_sqlite, testdomain_teardown),          \
	    cmocka_unit_test_setup_teardown(f, testdomain_setup_pg, testdomain_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_sickness_published),
	};
	return cmocka_run_group_tests_name("domain_orgseries", tests, NULL, NULL);
}
