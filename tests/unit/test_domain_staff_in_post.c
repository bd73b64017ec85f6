#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/num.h"
#include "domain/org.h"
#include "domain/sickness.h"
#include "domain/staff_in_post.h"
#include "io/csv.h"
#include "store/store.h"
#include "testdomain.h"
#include "testorg.h"

#define SIP_REL "staff-in-post/hchs-staff-by-group-nationality-org-2017-09-2018-06.csv"

/* ---- the published rows, summed by the test itself ------------------------- */

struct agg {
	char key[96];
	double fte;
};

struct pubsums {
	double total[2]; /* [0] 2017-09, [1] 2018-06 */
	struct agg groups[2][32];
	size_t ngroups[2];
	double british[2];
	char orgs[2][512][8];
	size_t norgs[2];
	double r0a_2018; /* Manchester University NHS FT, June 2018 */
};

static void add_group(struct pubsums *s, int k, const char *g, double fte)
{
	for (size_t i = 0; i < s->ngroups[k]; i++)
		if (strcmp(s->groups[k][i].key, g) == 0) {
			s->groups[k][i].fte += fte;
			return;
		}
	assert_true(s->ngroups[k] < 32);
	struct agg *a = &s->groups[k][s->ngroups[k]++];
	(void)snprintf(a->key, sizeof a->key, "%s", g);
	a->fte = fte;
}

static void add_org(struct pubsums *s, int k, const char *code)
{
	for (size_t i = 0; i < s->norgs[k]; i++)
		if (strcmp(s->orgs[k][i], code) == 0)
			return;
	assert_true(s->norgs[k] < 512);
	(void)snprintf(s->orgs[k][s->norgs[k]++], sizeof s->orgs[0][0], "%s", code);
}

static void read_sums(const char *path, struct pubsums *s)
{
	memset(s, 0, sizeof *s);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct csv_reader *r;
	struct cadre_err e;
	assert_int_equal(csv_reader_open_file(&r, f, NULL, &e), CADRE_OK);
	bool header = true;
	int rc;
	while ((rc = csv_reader_next(r, &e)) == CADRE_OK) {
		const struct csv_field *fl = csv_reader_fields(r);
		if (header) {
			header = false;
			continue;
		}
		int k = strcmp(fl[0].s, "2018-JUN") == 0 ? 1 : 0;
		if (!k)
			assert_string_equal(fl[0].s, "2017-SEP");
		double fte;
		assert_int_equal(num_parse_double(fl[5].s, fl[5].len, &fte, &e), CADRE_OK);
		s->total[k] += fte;
		add_group(s, k, fl[3].s, fte);
		add_org(s, k, fl[1].s);
		if (strcmp(fl[4].s, "British") == 0)
			s->british[k] += fte;
		if (k && strcmp(fl[1].s, "R0A") == 0)
			s->r0a_2018 += fte;
	}
	assert_int_equal(rc, CADRE_DONE);
	csv_reader_free(r);
	(void)fclose(f);
}

static void close_to(double got, double want, const char *what)
{
	if (fabs(got - want) > 1e-6 * fmax(1.0, fabs(want)))
		fail_msg("%s: %.6f, expected %.6f", what, got, want);
}

/* in_trusts_csv: whether code is a trust in the project's data/ods/trusts.csv */
static bool in_trusts_csv(const char *code)
{
	char *p = testorg_path("data/ods/trusts.csv");
	FILE *f = fopen(p, "r");
	free(p);
	assert_non_null(f);
	char line[512], want[16];
	(void)snprintf(want, sizeof want, "%s,", code);
	bool yes = false;
	while (!yes && fgets(line, sizeof line, f))
		yes = strncmp(line, want, strlen(want)) == 0;
	(void)fclose(f);
	return yes;
}

static struct import_result *import(struct testdomain *t, const char *const *paths, size_t n,
                                    bool replace, bool dry, int want_rc)
{
	struct cadre_err e;
	struct import_opts opt = {
	    .audit_key = t->key, .clk = &t->clk.clock, .replace = replace, .dry_run = dry};
	struct import_result *res = xcalloc(1, sizeof *res);
	int rc = staff_in_post_import(&t->sys, t->db, paths, n, &opt, res, &e);
	if (rc != want_rc)
		fail_msg("staff_in_post_import: %d (%s), expected %d", rc, e.msg, want_rc);
	return res;
}

static void test_month_parse(void **state)
{
	(void)state;
	struct cadre_err e;
	int m = 0;
	assert_int_equal(staff_in_post_month_parse("2018-JUN", 8, &m, &e), CADRE_OK);
	assert_int_equal(m, 201806);
	assert_int_equal(staff_in_post_month_parse("2017-SEP", 8, &m, &e), CADRE_OK);
	assert_int_equal(m, 201709);
	assert_int_equal(staff_in_post_month_parse("2018-06", 7, &m, &e), CADRE_EINVAL);
	assert_int_equal(staff_in_post_month_parse("2018-Jun", 8, &m, &e), CADRE_EINVAL);
	assert_int_equal(staff_in_post_month_parse("18-JUNE", 7, &m, &e), CADRE_EINVAL);
}

/* ---- the real file ------------------------------------------------------------------ */

static void test_real_file(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	testorg_load_refdata(t, NULL);
	char *path = testorg_shared(SIP_REL);
	struct pubsums *s = xcalloc(1, sizeof *s);
	read_sums(path, s);
	struct import_result *res =
	    import(t, (const char *const *)&path, 1, false, false, CADRE_OK);
	assert_int_equal(res->rows, 81603);
	assert_int_equal(res->nmonths, 2);
	assert_int_equal(res->months[0], 201709);
	assert_int_equal(res->months[1], 201806);
	(void)printf("# staff in post: 81603 rows imported in %lld ms, of which rebuild %lld ms "
	             "(%lld ancestor rows) (%s)\n",
	             (long long)(res->micros / 1000), (long long)(res->rebuild.micros / 1000),
	             (long long)res->rebuild.rows, t->pg ? "postgresql" : "sqlite");

	/* the published totals: 1,061,617 FTE in 414 organisations (June
	 * 2018), 1,052,963 FTE in 431 (September 2017), to the unit */
	struct sip_kpi k;
	assert_int_equal(staff_in_post_kpi(&t->sys, t->db, "ENG", 201806, SIP_BY_NONE, &k, &e),
	                 CADRE_OK);
	assert_int_equal(llround(k.fte), 1061617);
	close_to(k.fte, s->total[1], "June 2018 total");
	assert_int_equal(k.orgs, 414);
	assert_int_equal((size_t)k.orgs, s->norgs[1]);
	/* every organisation with no known parent, listed: the codes that are
	 * neither in the ODS trust list nor in any other loaded source */
	size_t want_unassigned = 0;
	for (size_t i = 0; i < s->norgs[1]; i++)
		want_unassigned += !in_trusts_csv(s->orgs[1][i]);
	assert_int_equal(k.nunassigned, want_unassigned);
	assert_true(k.nunassigned > 190); /* 2018's CCGs and the trusts since merged */
	bool ccg = false;
	double unassigned = 0;
	for (size_t i = 0; i < k.nunassigned; i++) {
		assert_false(in_trusts_csv(k.unassigned[i].code));
		ccg |= strcmp(k.unassigned[i].code, "00J") == 0;
		unassigned += k.unassigned[i].fte;
	}
	assert_true(ccg); /* NHS North Durham CCG */
	close_to(k.unassigned_fte, unassigned, "unassigned FTE");
	staff_in_post_kpi_free(&k);

	assert_int_equal(staff_in_post_kpi(&t->sys, t->db, "ENG", 201709, SIP_BY_NONE, &k, &e),
	                 CADRE_OK);
	assert_int_equal(llround(k.fte), 1052963);
	close_to(k.fte, s->total[0], "September 2017 total");
	assert_int_equal(k.orgs, 431);
	staff_in_post_kpi_free(&k);

	/* by staff group, each group summed here */
	for (int m = 0; m < 2; m++) {
		int month = m ? 201806 : 201709;
		assert_int_equal(
		    staff_in_post_kpi(&t->sys, t->db, "ENG", month, SIP_BY_STAFF_GROUP, &k, &e),
		    CADRE_OK);
		assert_int_equal(k.ngroups, s->ngroups[m]);
		assert_int_equal(k.ngroups, 13);
		double sum = 0;
		for (size_t i = 0; i < k.ngroups; i++) {
			bool found = false;
			for (size_t j = 0; j < s->ngroups[m]; j++)
				if (strcmp(s->groups[m][j].key, k.groups[i].name) == 0) {
					close_to(k.groups[i].fte, s->groups[m][j].fte,
					         k.groups[i].name);
					found = true;
				}
			assert_true(found);
			sum += k.groups[i].fte;
			if (i)
				assert_true(k.groups[i].fte <= k.groups[i - 1].fte);
		}
		close_to(sum, s->total[m], "groups add up");
		/* the largest group, and a code from the reference data */
		assert_string_equal(k.groups[0].name, "Nurses & health visitors");
		assert_string_equal(k.groups[0].key, "NURSE_HV");
		staff_in_post_kpi_free(&k);
	}
	assert_int_equal(
	    staff_in_post_kpi(&t->sys, t->db, "ENG", 201806, SIP_BY_STAFF_GROUP, &k, &e), CADRE_OK);
	bool doc = false;
	for (size_t i = 0; i < k.ngroups; i++)
		if (strcmp(k.groups[i].name, "HCHS doctors") == 0) {
			assert_string_equal(k.groups[i].key, "DOC"); /* a published alias */
			assert_int_equal(llround(k.groups[i].fte), 108813);
			doc = true;
		}
	assert_true(doc);
	staff_in_post_kpi_free(&k);

	/* by nationality */
	assert_int_equal(
	    staff_in_post_kpi(&t->sys, t->db, "ENG", 201806, SIP_BY_NATIONALITY, &k, &e), CADRE_OK);
	assert_string_equal(k.groups[0].name, "British");
	close_to(k.groups[0].fte, s->british[1], "British");
	staff_in_post_kpi_free(&k);

	/* a trust: its own rows, which need no edge; a region: its trusts
	 * placed by the earliest known edges (the ODS snapshot is from 2021),
	 * and it says so */
	assert_int_equal(staff_in_post_kpi(&t->sys, t->db, "R0A", 201806, SIP_BY_NONE, &k, &e),
	                 CADRE_OK);
	close_to(k.fte, s->r0a_2018, "R0A");
	assert_int_equal(k.orgs, 1);
	assert_int_equal(k.earliest_orgs, 0);
	staff_in_post_kpi_free(&k);
	assert_int_equal(staff_in_post_kpi(&t->sys, t->db, "Y62", 201806, SIP_BY_NONE, &k, &e),
	                 CADRE_OK);
	assert_true(k.orgs > 20);
	assert_int_equal(k.earliest_orgs, k.orgs);
	assert_int_equal(k.nunassigned, 0);
	staff_in_post_kpi_free(&k);
	/* England's total is the regions' plus QZZ's plus the unassigned */
	const char *regions[] = {"Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63", "QZZ"};
	double parts = 0;
	for (size_t i = 0; i < 8; i++) {
		int rc = staff_in_post_kpi(&t->sys, t->db, regions[i], 201806, SIP_BY_NONE, &k, &e);
		if (rc == CADRE_OK) {
			parts += k.fte;
			staff_in_post_kpi_free(&k);
		} else {
			assert_int_equal(rc, CADRE_ENOTFOUND); /* QZZ has no 2018 rows */
		}
	}
	assert_int_equal(staff_in_post_kpi(&t->sys, t->db, "ENG", 201806, SIP_BY_NONE, &k, &e),
	                 CADRE_OK);
	close_to(parts + k.unassigned_fte, k.fte, "regions + unassigned = England");
	staff_in_post_kpi_free(&k);
	assert_int_equal(staff_in_post_kpi(&t->sys, t->db, "ENG", 201812, SIP_BY_NONE, &k, &e),
	                 CADRE_ENOTFOUND);
	assert_string_equal(e.msg, "no staff in post figures for ENG in 2018-12");

	/* the 2018 CCG is an unassigned node in 2018 */
	struct org_view v;
	assert_int_equal(org_show(&t->sys, t->db, "00J", 201806, &v, &e), CADRE_OK);
	assert_string_equal(v.node.kind, "ccg");
	assert_int_equal(v.flags, ORG_FLAG_UNASSIGNED);
	org_view_free(&v);

	/* importing again: refused; replaced with replace */
	free(res);
	static const struct store_sql q_rows = {"t_sip_rows", "SELECT COUNT(*) FROM staff_in_post",
	                                        NULL};
	res = import(t, (const char *const *)&path, 1, false, false, CADRE_EINVAL);
	assert_int_equal(import_problems_total(&res->problems), 2); /* both months */
	char got[1024], want[1024];
	import_problem_format(&res->problems.v[0], got, sizeof got);
	(void)snprintf(
	    want, sizeof want,
	    "%s:2:1: 2017-09 is already loaded (40511 rows); use --replace to replace it", path);
	assert_string_equal(got, want);
	free(res);
	res = import(t, (const char *const *)&path, 1, true, false, CADRE_OK);
	assert_int_equal(res->rows_replaced, 81603);
	assert_int_equal(res->orgs_created, 0);
	assert_int_equal(testdomain_count(t->db, &q_rows), 81603);
	free(res);
	free(s);
	free(path);
}

/* ---- bad input ----------------------------------------------------------------------------- */

static const struct store_sql q_n_rows = {"t_n_rows", "SELECT COUNT(*) FROM staff_in_post", NULL};
static const struct store_sql q_n_orgs = {"t_n_orgs", "SELECT COUNT(*) FROM org", NULL};
static const struct store_sql q_n_imports = {"t_n_imports", "SELECT COUNT(*) FROM stat_import",
                                             NULL};
static const struct store_sql q_n_audit = {"t_n_audit", "SELECT COUNT(*) FROM audit_entry", NULL};

static char *write_tmp(const char *text)
{
	char *p = xstrdup("/tmp/cadre-sip-XXXXXX");
	int fd = mkstemp(p);
	assert_true(fd >= 0);
	size_t n = strlen(text);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	(void)close(fd);
	return p;
}

static void reject(struct testdomain *t, const char *text, const char *reason, long line, long col)
{
	int64_t before[4] = {testdomain_count(t->db, &q_n_rows), testdomain_count(t->db, &q_n_orgs),
	                     testdomain_count(t->db, &q_n_imports),
	                     testdomain_count(t->db, &q_n_audit)};
	char *p = write_tmp(text);
	struct import_result *res =
	    import(t, (const char *const *)&p, 1, false, false, CADRE_EINVAL);
	char got[2048], want[2048];
	import_problem_format(&res->problems.v[0], got, sizeof got);
	/* FILE in the reason stands for the file's path */
	char r2[1024];
	const char *at = strstr(reason, "FILE");
	if (at)
		(void)snprintf(r2, sizeof r2, "%.*s%s%s", (int)(at - reason), reason, p, at + 4);
	else
		(void)snprintf(r2, sizeof r2, "%s", reason);
	(void)snprintf(want, sizeof want, "%s:%ld:%ld: %s", p, line, col, r2);
	if (strcmp(got, want) != 0)
		fail_msg("\n got: %s\nwant: %s", got, want);
	assert_int_equal(import_problems_total(&res->problems), 1);
	int64_t after[4] = {testdomain_count(t->db, &q_n_rows), testdomain_count(t->db, &q_n_orgs),
	                    testdomain_count(t->db, &q_n_imports),
	                    testdomain_count(t->db, &q_n_audit)};
	assert_memory_equal(before, after, sizeof before);
	(void)unlink(p);
	free(p);
	free(res);
}

#define H "Month,Organisation code,Organisation name,Staff group,Nationality,FTE\n"

static void test_bad_input(void **state)
{
	struct testdomain *t = *state;
	testorg_load_refdata(t, NULL);
	reject(t, H "2018-06,R0A,Manchester,Midwives,British,3.5\n",
	       "Month '2018-06' is not in the publication's form YYYY-MON (2018-JUN)", 2, 1);
	reject(t, H "2018-JUN,R0A,Manchester,Midwifery,British,3.5\n",
	       "Staff group 'Midwifery' is not a staff group the reference data knows "
	       "(data/workforce/staff-groups.csv names and aliases)",
	       2, 25);
	reject(t, H "2018-JUN,R0A,Manchester,Midwives,British,-1\n",
	       "FTE '-1' is not a number of 0 or more", 2, 42);
	reject(t,
	       H "2018-JUN,R0A,Manchester,Midwives,British,3.5\n"
	         "2018-JUN,R0A,Manchester,Midwives,Irish,1\n"
	         "2018-JUN,R0A,Manchester,Midwives,British,2\n",
	       "duplicate row for R0A, Midwives, British in 2018-JUN (first at FILE:2)", 4, 10);
	reject(
	    t,
	    H "2018-JUN,R0A,Manchester,Total,British,3.5\n"
	      "2018-JUN,R0A,Manchester,Midwives,British,2\n",
	    "Staff group 'Total' is a total of 'Midwives', which the file also lists: totals are "
	    "never added to their components",
	    2, 25);
	reject(t, "Month,Organisation code,Organisation name,Staff group,Nationality,FTE_VALUE\n",
	       "header differs from the HCHS staff in post publication: column 6 is 'FTE_VALUE', "
	       "expected 'FTE'",
	       1, 67);
	reject(t,
	       "DATE,NHSE_REGION_CODE,NHSE_REGION_NAME,ICS_CODE,ICS_NAME,ORG_CODE,ORG_NAME,"
	       "ORG_TYPE,FTE_DAYS_LOST,FTE_DAYS_AVAILABLE,SICKNESS_ABSENCE_RATE_PERCENT\n",
	       "this is not an HCHS staff in post file: its header is that of NHS Sickness Absence "
	       "Rates (import it with `cadre import sickness`)",
	       1, 1);
	reject(t, H "2018-JUN,Y60,Midlands,Midwives,British,3.5\n",
	       "Organisation code 'Y60' is a region, not an organisation", 2, 10);
	/* a dry run of a good file writes nothing */
	char *p = write_tmp(H "2018-JUN,R0A,Manchester,Midwives,British,3.5\n"
	                      "2018-JUN,00J,NHS North Durham CCG,Midwives,British,1\n");
	struct import_result *res = import(t, (const char *const *)&p, 1, false, true, CADRE_OK);
	assert_int_equal(res->rows, 2);
	assert_int_equal(res->orgs_created, 1);
	assert_int_equal(testdomain_count(t->db, &q_n_rows), 0);
	assert_int_equal(testdomain_count(t->db, &q_n_orgs), 266);
	free(res);
	(void)unlink(p);
	free(p);
}

#define BOTH(f)                                                                                    \
	{#f "(sqlite)", f, testdomain_setup_sqlite, testdomain_teardown, NULL},                    \
	{                                                                                          \
#f "(postgresql)", f, testdomain_setup_pg, testdomain_teardown, NULL               \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_month_parse),
	    BOTH(test_real_file),
	    BOTH(test_bad_input),
	};
	return cmocka_run_group_tests_name("domain_staff_in_post", tests, NULL, NULL);
}
