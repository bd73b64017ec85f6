#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "domain/org.h"
#include "domain/refdata.h"
#include "domain/sickness.h"
#include "store/store.h"
#include "testdomain.h"
#include "testorg.h"

/* ---- queries the tests count with (worked out independently) ------------ */

static const struct store_sql q_regions = {"t_regions",
                                           "SELECT COUNT(*) FROM org WHERE kind = 'region'", NULL};
static const struct store_sql q_nations = {"t_nations",
                                           "SELECT COUNT(*) FROM org WHERE kind = 'nation'", NULL};
static const struct store_sql q_icbs = {"t_icbs", "SELECT COUNT(*) FROM org WHERE kind = 'icb'",
                                        NULL};
static const struct store_sql q_trusts = {"t_trusts",
                                          "SELECT COUNT(*) FROM org WHERE kind = 'trust'", NULL};
static const struct store_sql q_orgs = {"t_orgs", "SELECT COUNT(*) FROM org", NULL};
static const struct store_sql q_edges = {"t_edges", "SELECT COUNT(*) FROM org_edge", NULL};
static const struct store_sql q_files = {"t_files", "SELECT COUNT(*) FROM ref_file", NULL};
static const struct store_sql q_sources = {"t_sources", "SELECT COUNT(*) FROM ref_source", NULL};
static const struct store_sql q_groups = {"t_groups", "SELECT COUNT(*) FROM staff_group", NULL};
static const struct store_sql q_ethnic = {"t_ethnic", "SELECT COUNT(*) FROM ethnic_category", NULL};
static const struct store_sql q_pay = {"t_pay", "SELECT COUNT(*) FROM afc_pay", NULL};
static const struct store_sql q_pay_b5 = {
    "t_pay_b5",
    "SELECT annual_salary_pence FROM afc_pay WHERE financial_year = '2024/25' AND band = '5' "
    "AND pay_point = 3",
    NULL};
static const struct store_sql q_bands = {"t_bands", "SELECT COUNT(*) FROM afc_band", NULL};
static const struct store_sql q_params = {"t_params", "SELECT COUNT(*) FROM workforce_parameter",
                                          NULL};
static const struct store_sql q_oncost = {"t_oncost", "SELECT COUNT(*) FROM on_cost", NULL};
static const struct store_sql q_vsm = {"t_vsm", "SELECT COUNT(*) FROM vsm_pay", NULL};
static const struct store_sql q_medical = {"t_medical", "SELECT COUNT(*) FROM medical_grade", NULL};
static const struct store_sql q_occ = {"t_occ", "SELECT COUNT(*) FROM occupation_code", NULL};
static const struct store_sql q_esr = {"t_esr", "SELECT COUNT(*) FROM esr_staff_group", NULL};
static const struct store_sql q_audit = {"t_audit",
                                         "SELECT COUNT(*) FROM audit_entry WHERE action = "
                                         "'refdata.load'",
                                         NULL};
static const struct store_sql q_anc = {"t_anc", "SELECT COUNT(*) FROM org_ancestor", NULL};

/* ---- the rule, pure --------------------------------------------------------- */

static void test_resolve_rule(void **state)
{
	(void)state;
	struct org_obs obs[] = {
	    {.parent_id = 10, .kind = ORG_EDGE_SNAPSHOT, .from_month = 202109, .source = "ods"},
	    {.parent_id = 20,
	     .kind = ORG_EDGE_PUBLISHED,
	     .from_month = 202404,
	     .to_month = 202404,
	     .source = "sickness"},
	    {.parent_id = 20,
	     .kind = ORG_EDGE_PUBLISHED,
	     .from_month = 202405,
	     .to_month = 202405,
	     .source = "sickness"},
	    {.parent_id = 30, .kind = ORG_EDGE_SNAPSHOT, .from_month = 202404, .source = "icb"},
	};
	int fl = -1;
	/* before every observation: the earliest, flagged */
	assert_int_equal(org_resolve_parent(obs, 4, 201806, &fl), 0);
	assert_int_equal(fl, ORG_FLAG_EARLIEST);
	/* from the snapshot's month on, it holds */
	assert_int_equal(org_resolve_parent(obs, 4, 202109, &fl), 0);
	assert_int_equal(fl, 0);
	assert_int_equal(org_resolve_parent(obs, 4, 202403, &fl), 0);
	/* a published month beats a snapshot observed the same month */
	assert_int_equal(org_resolve_parent(obs, 4, 202404, &fl), 1);
	assert_int_equal(org_resolve_parent(obs, 4, 202405, &fl), 2);
	/* after the last observation, the last one still holds */
	assert_int_equal(org_resolve_parent(obs, 4, 202503, &fl), 2);
	assert_int_equal(fl, 0);
	/* without the published rows the later snapshot takes over */
	struct org_obs two[] = {obs[0], obs[3]};
	assert_int_equal(org_resolve_parent(two, 2, 202404, &fl), 1);
	assert_int_equal(org_resolve_parent(two, 2, 202403, &fl), 0);
	/* the earliest of two same-month observations is the published one */
	struct org_obs tie[] = {obs[3], obs[1]};
	assert_int_equal(org_resolve_parent(tie, 2, 202001, &fl), 1);
	assert_int_equal(fl, ORG_FLAG_EARLIEST);
	/* nothing known */
	assert_int_equal(org_resolve_parent(obs, 0, 202001, &fl), -1);
	assert_int_equal(fl, 0);
}

/* ---- reference data ------------------------------------------------------------ */

static int64_t count(struct testdomain *t, const struct store_sql *q)
{
	return testdomain_count(t->db, q);
}

static size_t occurrences(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static char *slurp(FILE *f)
{
	long n = ftell(f);
	rewind(f);
	char *s = xcalloc((size_t)n + 1, 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		fail_msg("short read");
	return s;
}

static void test_refdata_load(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	struct refdata_report rep;
	char *dir = testorg_path("data");
	FILE *logf = tmpfile();
	log_set_output(logf);
	int rc = refdata_load(&t->sys, t->db, dir, t->key, &t->clk.clock, &rep, &e);
	log_set_output(NULL);
	char *log = slurp(logf);
	(void)fclose(logf);
	if (rc != CADRE_OK)
		fail_msg("%s", e.msg);
	/* the files of docs/reference-data.md, counted by hand from data/ */
	assert_int_equal(rep.nfiles, 15);
	assert_int_equal(count(t, &q_files), 15);
	assert_int_equal(count(t, &q_nations), 1);
	assert_int_equal(count(t, &q_regions), 8); /* Y56, Y58-Y63 and QZZ */
	assert_int_equal(count(t, &q_icbs), 42);
	assert_int_equal(count(t, &q_trusts), 215);
	assert_int_equal(count(t, &q_orgs), 1 + 8 + 42 + 215);
	assert_int_equal(rep.orgs_created, 266);
	/* edges: 8 regions to ENG, 42 ICBs to regions, 215 trusts to ICBs */
	assert_int_equal(count(t, &q_edges), 8 + 42 + 215);
	assert_int_equal(count(t, &q_groups), 27);
	assert_int_equal(count(t, &q_ethnic), 18);
	assert_int_equal(count(t, &q_bands), 12);
	assert_int_equal(count(t, &q_pay), 19 + 31 + 31);
	assert_int_equal(testdomain_count(t->db, &q_pay_b5), 3648300); /* £36,483 */
	assert_int_equal(count(t, &q_params), 58);
	assert_int_equal(count(t, &q_oncost), 12);
	assert_int_equal(count(t, &q_vsm), 6);
	assert_int_equal(count(t, &q_medical), 11);
	assert_int_equal(count(t, &q_occ), 8);
	assert_int_equal(count(t, &q_esr), 10);
	assert_true(count(t, &q_sources) >= 15);
	assert_int_equal(count(t, &q_audit), 1);
	assert_true(rep.audit_seq > 0);
	/* the Welsh trusts are not loaded, and the log says why */
	struct org_node n;
	assert_int_equal(org_get(&t->sys, t->db, "RQF", &n, &e), CADRE_ENOTFOUND);
	assert_int_equal(org_get(&t->sys, t->db, "RT4", &n, &e), CADRE_ENOTFOUND);
	assert_int_equal(org_get(&t->sys, t->db, "RYT", &n, &e), CADRE_ENOTFOUND);
	assert_int_equal(occurrences(log, "event=refdata.excluded"), 3);
	assert_non_null(strstr(log, "RQF VELINDRE NHS TRUST: Welsh organisation"));
	for (size_t i = 0; i < rep.nfiles; i++)
		if (strcmp(rep.files[i].path, "ods/trusts.csv") == 0)
			assert_int_equal(rep.files[i].excluded, 3);
	free(log);
	/* hierarchy range: one month before the ODS snapshot (2021-09) to the
	 * ICB list's month (2024-04) */
	assert_int_equal(rep.rebuild.first_month, 202108);
	assert_int_equal(rep.rebuild.last_month, 202404);
	int64_t anc = count(t, &q_anc);
	assert_int_equal(anc, rep.rebuild.rows);
	(void)printf("# refdata: %lld ancestor rows rebuilt in %lld ms (%s)\n",
	             (long long)rep.rebuild.rows, (long long)(rep.rebuild.micros / 1000),
	             t->pg ? "postgresql" : "sqlite");

	/* idempotent: loading again changes nothing, ids included */
	struct org_node rxk1, rxk2;
	assert_int_equal(org_get(&t->sys, t->db, "RXK", &rxk1, &e), CADRE_OK);
	struct refdata_report rep2;
	FILE *quiet = tmpfile();
	log_set_output(quiet);
	rc = refdata_load(&t->sys, t->db, dir, t->key, &t->clk.clock, &rep2, &e);
	log_set_output(NULL);
	(void)fclose(quiet);
	assert_int_equal(rc, CADRE_OK);
	assert_int_equal(rep2.orgs_created, 0);
	assert_int_equal(rep2.orgs_updated, 266);
	assert_int_equal(org_get(&t->sys, t->db, "RXK", &rxk2, &e), CADRE_OK);
	assert_int_equal(rxk1.id, rxk2.id);
	assert_string_equal(rxk2.name, "SANDWELL AND WEST BIRMINGHAM HOSPITALS NHS TRUST");
	assert_string_equal(rxk2.open_date, "2002-04-01");
	assert_int_equal(count(t, &q_orgs), 266);
	assert_int_equal(count(t, &q_edges), 265);
	assert_int_equal(count(t, &q_pay), 81);
	assert_int_equal(count(t, &q_files), 15);
	assert_int_equal(count(t, &q_anc), anc);
	assert_int_equal(count(t, &q_audit), 2);
	free(dir);
}

/* ---- the rules on a small hierarchy, built by hand --------------------------------- */

struct mini {
	int64_t eng, r1, i1, i2, t1, u1;
};

static int64_t put(struct testdomain *t, const char *code, const char *kind)
{
	struct cadre_err e;
	struct org_new n = {.code = code, .kind = kind, .name = code, .source = "test"};
	int64_t id;
	bool created;
	if (org_put(&t->sys, t->db, &n, false, &id, &created, &e) != CADRE_OK)
		fail_msg("org_put %s: %s", code, e.msg);
	assert_true(created);
	return id;
}

static void edge(struct testdomain *t, int64_t c, int64_t p, enum org_edge_kind k, int m)
{
	struct cadre_err e;
	int rc = org_edge_put(&t->sys, t->db, c, p, k, m, k == ORG_EDGE_PUBLISHED ? m : 0,
	                      k == ORG_EDGE_PUBLISHED ? "pub" : "snap", &e);
	if (rc != CADRE_OK)
		fail_msg("edge: %s", e.msg);
}

static struct mini build_mini(struct testdomain *t)
{
	struct cadre_err e;
	struct mini m;
	assert_int_equal(store_tx_begin(t->db, STORE_TX_WRITE, &e), CADRE_OK);
	m.eng = put(t, "ENG", "nation");
	m.r1 = put(t, "R1", "region");
	m.i1 = put(t, "I1", "icb");
	m.i2 = put(t, "I2", "icb");
	m.t1 = put(t, "T1", "trust");
	m.u1 = put(t, "U1", "ccg");
	edge(t, m.r1, m.eng, ORG_EDGE_SNAPSHOT, 202001);
	edge(t, m.i1, m.r1, ORG_EDGE_SNAPSHOT, 202001);
	edge(t, m.t1, m.i1, ORG_EDGE_SNAPSHOT, 202006);
	edge(t, m.t1, m.i2, ORG_EDGE_PUBLISHED, 202008);
	edge(t, m.i2, m.r1, ORG_EDGE_PUBLISHED, 202008);
	struct org_rebuild_stats st;
	if (org_hierarchy_rebuild(&t->sys, t->db, &t->clk.clock, &st, &e) != CADRE_OK)
		fail_msg("rebuild: %s", e.msg);
	assert_int_equal(store_tx_commit(t->db, &e), CADRE_OK);
	/* 201912..202008 = 9 months; each month: ENG 1, R1 2, I1 3, I2 3,
	 * T1 4, U1 2 (itself and England, unassigned) = 15 rows */
	assert_int_equal(st.first_month, 201912);
	assert_int_equal(st.last_month, 202008);
	assert_int_equal(st.nodes, 6);
	assert_int_equal(st.edges, 5);
	assert_int_equal(st.rows, 9 * 15);
	return m;
}

static void show(struct testdomain *t, const char *code, int month, struct org_view *v)
{
	struct cadre_err e;
	if (org_show(&t->sys, t->db, code, month, v, &e) != CADRE_OK)
		fail_msg("org_show %s: %s", code, e.msg);
}

static void test_rules_by_hand(void **state)
{
	struct testdomain *t = *state;
	struct mini m = build_mini(t);
	struct org_view v;

	/* T1 before its first edge (2020-06): the earliest edge, flagged */
	show(t, "T1", 202005, &v);
	assert_int_equal(v.effective_month, 202005);
	assert_int_equal(v.nchain, 3);
	assert_string_equal(v.chain[0].node.code, "I1");
	assert_int_equal(v.chain[0].flags, ORG_FLAG_EARLIEST);
	assert_string_equal(v.chain[1].node.code, "R1");
	assert_int_equal(v.chain[1].flags, ORG_FLAG_EARLIEST);
	assert_string_equal(v.chain[2].node.code, "ENG");
	assert_int_equal(v.chain[2].flags, 0); /* England holds it whatever the path */
	assert_int_equal(v.flags, ORG_FLAG_EARLIEST);
	assert_string_equal(v.edge_source, "snap");
	assert_int_equal(v.edge_month, 202006);
	org_view_free(&v);

	/* from the snapshot on, no flag */
	show(t, "T1", 202007, &v);
	assert_string_equal(v.chain[0].node.code, "I1");
	assert_int_equal(v.flags, 0);
	org_view_free(&v);

	/* the published month moves it */
	show(t, "T1", 202008, &v);
	assert_string_equal(v.chain[0].node.code, "I2");
	assert_int_equal(v.edge_kind, ORG_EDGE_PUBLISHED);
	assert_string_equal(v.chain[1].node.code, "R1");
	org_view_free(&v);

	/* after the range: the last month's hierarchy */
	show(t, "T1", 202112, &v);
	assert_int_equal(v.effective_month, 202008);
	assert_string_equal(v.chain[0].node.code, "I2");
	org_view_free(&v);

	/* I2 in 2020-05: before its only (published) edge: earliest */
	show(t, "I2", 202005, &v);
	assert_string_equal(v.chain[0].node.code, "R1");
	assert_int_equal(v.chain[0].flags, ORG_FLAG_EARLIEST);
	org_view_free(&v);

	/* U1 has no edge: unassigned, in England only */
	show(t, "U1", 202008, &v);
	assert_int_equal(v.nchain, 1);
	assert_string_equal(v.chain[0].node.code, "ENG");
	assert_int_equal(v.flags, ORG_FLAG_UNASSIGNED);
	assert_int_equal(v.edge_kind, 0);
	org_view_free(&v);

	/* England: R1 its child, U1 unassigned */
	show(t, "ENG", 202008, &v);
	assert_int_equal(v.nchain, 0);
	assert_int_equal(v.nchildren, 1);
	assert_string_equal(v.children[0].node.code, "R1");
	assert_int_equal(v.nunassigned, 1);
	assert_string_equal(v.unassigned[0].node.code, "U1");
	org_view_free(&v);

	/* R1's children by month */
	show(t, "R1", 202007, &v);
	assert_int_equal(v.nchildren, 2);
	assert_string_equal(v.children[0].node.code, "I1");
	assert_string_equal(v.children[1].node.code, "I2");
	assert_int_equal(v.children[1].flags, ORG_FLAG_EARLIEST);
	org_view_free(&v);
	show(t, "I1", 202008, &v);
	assert_int_equal(v.nchildren, 0); /* T1 moved to I2 */
	org_view_free(&v);
	show(t, "I1", 202007, &v);
	assert_int_equal(v.nchildren, 1);
	org_view_free(&v);

	/* a cycle is refused and nothing changes */
	struct cadre_err e;
	assert_int_equal(store_tx_begin(t->db, STORE_TX_WRITE, &e), CADRE_OK);
	edge(t, m.r1, m.t1, ORG_EDGE_PUBLISHED, 202008);
	assert_int_equal(org_hierarchy_rebuild(&t->sys, t->db, &t->clk.clock, NULL, &e),
	                 CADRE_EINVAL);
	assert_non_null(strstr(e.msg, "the organisation hierarchy has a cycle in 2020-08"));
	assert_int_equal(store_tx_rollback(t->db, &e), CADRE_OK);
	assert_int_equal(count(t, &q_anc), 9 * 15);
	assert_int_equal(count(t, &q_edges), 5);

	/* bad input to the writers */
	int64_t id;
	struct org_new bad = {.code = "r1x", .kind = "trust", .name = "x", .source = "t"};
	assert_int_equal(org_put(&t->sys, t->db, &bad, false, &id, NULL, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "organisation code 'r1x' is not 1-15 letters and digits");
	struct org_new badkind = {.code = "X1", .kind = "planet", .name = "x", .source = "t"};
	assert_int_equal(org_put(&t->sys, t->db, &badkind, false, &id, NULL, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "organisation X1: unknown kind 'planet'");
	assert_int_equal(
	    org_edge_put(&t->sys, t->db, m.t1, m.t1, ORG_EDGE_SNAPSHOT, 202001, 0, "s", &e),
	    CADRE_EINVAL);
	assert_int_equal(
	    org_edge_put(&t->sys, t->db, m.t1, m.i1, ORG_EDGE_SNAPSHOT, 202013, 0, "s", &e),
	    CADRE_EINVAL);
	assert_int_equal(org_get(&t->sys, t->db, "NOPE", &v.node, &e), CADRE_ENOTFOUND);
	assert_string_equal(e.msg, "no organisation with code 'NOPE'");
}

/* ---- the real hierarchy --------------------------------------------------------------- */

static void expect_parent(struct testdomain *t, const char *code, int month, const char *parent,
                          int flags, const char *source)
{
	struct org_view v;
	show(t, code, month, &v);
	if (!v.nchain)
		fail_msg("%s in %d: no parent", code, month);
	if (strcmp(v.chain[0].node.code, parent) != 0 || v.flags != flags ||
	    strcmp(v.edge_source, source) != 0)
		fail_msg("%s in %d: parent %s flags %d source %s; expected %s, %d, %s", code, month,
		         v.chain[0].node.code, v.flags, v.edge_source, parent, flags, source);
	org_view_free(&v);
}

static bool has_child(struct testdomain *t, const char *code, int month, const char *child)
{
	struct org_view v;
	show(t, code, month, &v);
	bool yes = false;
	for (size_t i = 0; i < v.nchildren; i++)
		yes |= strcmp(v.children[i].node.code, child) == 0;
	org_view_free(&v);
	return yes;
}

/* icb_rows_in: ICBs of a region in data/ods/icb.csv, counted from the file */
static size_t icbs_in(const char *region)
{
	char *path = testorg_path("data/ods/icb.csv");
	FILE *f = fopen(path, "r");
	free(path);
	assert_non_null(f);
	char line[512];
	size_t n = 0;
	char want[16];
	(void)snprintf(want, sizeof want, ",%s,", region);
	while (fgets(line, sizeof line, f))
		n += strstr(line, want) != NULL;
	(void)fclose(f);
	return n;
}

static void test_real_hierarchy(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	testorg_load_refdata(t, NULL);

	/* the ODS snapshot alone: RXK under QUA from 2021-09, and before it by
	 * the earliest-known rule */
	expect_parent(t, "RXK", 202306, "QUA", 0, "data/ods/trusts.csv");
	expect_parent(t, "RXK", 202109, "QUA", 0, "data/ods/trusts.csv");
	expect_parent(t, "RXK", 201806, "QUA", ORG_FLAG_EARLIEST, "data/ods/trusts.csv");
	expect_parent(t, "QUA", 202404, "Y60", 0, "data/ods/icb.csv");
	expect_parent(t, "QUA", 202306, "Y60", ORG_FLAG_EARLIEST, "data/ods/icb.csv");
	struct org_view v;
	show(t, "QZZ", 202404, &v);
	assert_string_equal(v.node.kind, "region");
	assert_int_equal(v.nchain, 1);
	assert_string_equal(v.chain[0].node.code, "ENG");
	org_view_free(&v);
	show(t, "Y60", 202404, &v);
	assert_int_equal(v.nchildren, icbs_in("Y60"));
	org_view_free(&v);
	show(t, "ENG", 202404, &v);
	assert_int_equal(v.nchildren, 8); /* 7 regions and QZZ */
	assert_int_equal(v.nunassigned, 0);
	org_view_free(&v);

	/* the 2024 sickness files place RXK and RXT under QHL for their months */
	char *paths[9];
	testorg_sickness_paths(paths);
	struct import_opts opt = {.audit_key = t->key, .clk = &t->clk.clock};
	struct import_result *res = xcalloc(1, sizeof *res);
	int rc = sickness_import(&t->sys, t->db, (const char *const *)paths, 9, &opt, res, &e);
	if (rc != CADRE_OK)
		fail_msg("%s", e.msg);
	for (int m = 202404; m <= 202412; m++) {
		expect_parent(t, "RXK", m, "QHL", 0, "sickness");
		expect_parent(t, "RXT", m, "QHL", 0, "sickness");
		assert_true(has_child(t, "QHL", m, "RXK"));
		assert_false(has_child(t, "QUA", m, "RXK"));
	}
	/* before the files: the snapshot; after them: the last file */
	expect_parent(t, "RXK", 202403, "QUA", 0, "data/ods/trusts.csv");
	expect_parent(t, "RXK", 202306, "QUA", 0, "data/ods/trusts.csv");
	assert_true(has_child(t, "QUA", 202306, "RXK"));
	expect_parent(t, "RXK", 202503, "QHL", 0, "sickness");
	expect_parent(t, "RXK", 201806, "QUA", ORG_FLAG_EARLIEST, "data/ods/trusts.csv");
	/* organisations the reference data lacked, under the file's codes */
	expect_parent(t, "0AR", 202404, "QZZ", 0, "sickness");
	expect_parent(t, "X24", 202406, "QZZ", 0, "sickness");
	expect_parent(t, "TAD", 202404, "QWO", 0, "sickness");
	expect_parent(t, "TAD", 202301, "QWO", ORG_FLAG_EARLIEST, "sickness");
	struct org_node n;
	assert_int_equal(org_get(&t->sys, t->db, "0AR", &n, &e), CADRE_OK);
	assert_string_equal(n.kind, "csu");
	assert_string_equal(n.org_type, "Commissioning Support Unit");
	assert_int_equal(org_get(&t->sys, t->db, "X24", &n, &e), CADRE_OK);
	assert_string_equal(n.kind, "body");
	assert_int_equal(org_get(&t->sys, t->db, "TAD", &n, &e), CADRE_OK);
	assert_string_equal(n.kind, "trust");
	(void)printf("# sickness import (9 files): %lld ancestor rows rebuilt in %lld ms (%s)\n",
	             (long long)res->rebuild.rows, (long long)(res->rebuild.micros / 1000),
	             t->pg ? "postgresql" : "sqlite");
	testorg_free_paths(paths, 9);
	free(res);
}

/* ---- scope ------------------------------------------------------------------------------------ */

static void test_scope(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	testorg_load_refdata(t, NULL);
	char *paths[9];
	testorg_sickness_paths(paths);
	struct import_opts opt = {.audit_key = t->key, .clk = &t->clk.clock};
	struct import_result *res = xcalloc(1, sizeof *res);
	assert_int_equal(
	    sickness_import(&t->sys, t->db, (const char *const *)paths, 9, &opt, res, &e),
	    CADRE_OK);
	struct org_node qhl, rxk, rax;
	assert_int_equal(org_get(&t->sys, t->db, "QHL", &qhl, &e), CADRE_OK);
	assert_int_equal(org_get(&t->sys, t->db, "RXK", &rxk, &e), CADRE_OK);
	struct actor_grant g = {.role = "workforce_lead", .org_id = qhl.id};
	struct actor u = actor_user(5, &g, 1);
	/* RXK is in QHL's subtree in the 2024 months only */
	assert_int_equal(org_scope_check(&u, t->db, rxk.id, 202404, 202412, &e), CADRE_OK);
	assert_int_equal(org_scope_check(&u, t->db, rxk.id, 202306, 202306, &e), CADRE_ENOTFOUND);
	assert_int_equal(org_scope_check(&u, t->db, qhl.id, 202404, 202404, &e), CADRE_OK);
	struct sickness_kpi k;
	assert_int_equal(sickness_kpi(&u, t->db, "RXK", 202404, 202412, &k, &e), CADRE_OK);
	sickness_kpi_free(&k);
	assert_int_equal(sickness_kpi(&u, t->db, "RXK", 202403, 202404, &k, &e), CADRE_ENOTFOUND);
	/* a London trust is not there at all for this user */
	assert_int_equal(org_get(&u, t->db, "RAL", &rax, &e), CADRE_ENOTFOUND);
	assert_string_equal(e.msg, "no organisation with code 'RAL'");
	assert_int_equal(org_get(&t->sys, t->db, "RAL", &rax, &e), CADRE_OK);
	testorg_free_paths(paths, 9);
	free(res);
}

/* ---- bad reference files ------------------------------------------------------------------- */

static void copy_tree(const char *from, const char *to)
{
	if (mkdir(to, 0700) != 0)
		fail_msg("mkdir %s", to);
	DIR *d = opendir(from);
	assert_non_null(d);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char a[1024], b[1024];
		(void)snprintf(a, sizeof a, "%s/%s", from, de->d_name);
		(void)snprintf(b, sizeof b, "%s/%s", to, de->d_name);
		struct stat sb;
		assert_int_equal(stat(a, &sb), 0);
		if (S_ISDIR(sb.st_mode)) {
			copy_tree(a, b);
			continue;
		}
		FILE *in = fopen(a, "rb"), *out = fopen(b, "wb");
		assert_non_null(in);
		assert_non_null(out);
		char buf[8192];
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, in)) > 0)
			assert_int_equal(fwrite(buf, 1, n, out), n);
		(void)fclose(in);
		(void)fclose(out);
	}
	(void)closedir(d);
}

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char p[1024];
		(void)snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		struct stat sb;
		if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			remove_tree(p);
		else
			(void)unlink(p);
	}
	(void)closedir(d);
	(void)rmdir(dir);
}

/* edit: replace the first `old` in dir/rel by `new` (old "" appends). */
static void edit(const char *dir, const char *rel, const char *old, const char *new)
{
	char p[1024];
	(void)snprintf(p, sizeof p, "%s/%s", dir, rel);
	FILE *f = fopen(p, "rb");
	assert_non_null(f);
	(void)fseek(f, 0, SEEK_END);
	char *s = slurp(f);
	(void)fclose(f);
	const char *at = *old ? strstr(s, old) : s + strlen(s);
	if (!at)
		fail_msg("%s: '%s' not found", rel, old);
	f = fopen(p, "wb");
	assert_non_null(f);
	(void)fwrite(s, 1, (size_t)(at - s), f);
	(void)fputs(new, f);
	(void)fputs(at + strlen(old), f);
	(void)fclose(f);
	free(s);
}

struct bad_case {
	const char *rel;
	const char *old;
	const char *new;
	const char *msg; /* @D is the copied data folder */
};

/* subst: msg with each @D replaced by dir. */
static void subst(char *out, size_t n, const char *msg, const char *dir)
{
	size_t o = 0;
	for (const char *p = msg; *p && o + 1 < n;) {
		if (p[0] == '@' && p[1] == 'D') {
			int w = snprintf(out + o, n - o, "%s", dir);
			o += w > 0 ? (size_t)w : 0;
			p += 2;
		} else {
			out[o++] = *p++;
		}
	}
	out[o < n ? o : n - 1] = '\0';
}

static void test_bad_refdata(void **state)
{
	struct testdomain *t = *state;
	static const struct bad_case cases[] = {
	    {"ods/icb.csv", "QE1,Lancashire and South Cumbria,Y62",
	     "QE1,Lancashire and South Cumbria,Y99",
	     "@D/ods/icb.csv:2:34: region_code 'Y99' is not a code in data/ods/regions.csv"},
	    {"ods/trusts.csv", "code,name,region_code,", "code,name,region,",
	     "@D/ods/trusts.csv:1:1: header "
	     "'code,name,region,icb_code,postcode,open_date,close_date' is not the expected "
	     "'code,name,region_code,icb_code,postcode,open_date,close_date'"},
	    {"pay/afc-pay-2024-25.csv", "2024/25,2,1,2361500,", "2024/25,2,1,23615.00,",
	     "@D/pay/afc-pay-2024-25.csv:3:13: annual_salary_pence '23615.00' is not a whole "
	     "number of pence"},
	    {"pay/afc-pay-2024-25.csv",
	     "2024/25,1,,,not available: band 1 is closed to new entrants; the source gives no "
	     "band "
	     "1 figure,",
	     "2024/25,1,,,published,",
	     "@D/pay/afc-pay-2024-25.csv:2:12: annual_salary_pence is empty but the status does "
	     "not say 'not available: ...'"},
	    {"workforce/ethnic-categories.csv", "", "A,Duplicate,White,0,published,\n",
	     "@D/workforce/ethnic-categories.csv:20:1: duplicate key (code) of "
	     "@D/workforce/ethnic-categories.csv:2"},
	    {"workforce/ethnic-categories.csv", "D,Mixed - White and Black Caribbean,Mixed,1,",
	     "D,Mixed - White and Black Caribbean,Mixed,yes,",
	     "@D/workforce/ethnic-categories.csv:5:43: minority_ethnic 'yes' is not 0 or 1"},
	    {"ods/regions.csv.meta", "key: code\n", "",
	     "@D/ods/regions.csv.meta: the required key 'key' is missing"},
	    {"workforce/staff-groups.csv", "TOTAL,Total,,0,1,,published",
	     "TOTAL,Total,,0,1,,approved",
	     "@D/workforce/staff-groups.csv:2:19: status 'approved' is not published, secondary, "
	     "inferred or 'not available: REASON'"},
	    {"pay/on-costs.csv", ",NI-TABLES,", ",NI-TABLE,",
	     "@D/pay/on-costs.csv:2:200: source 'NI-TABLE' is not a source declared in the "
	     "sidecar"},
	};
	char *src = testorg_path("data");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char dir[64];
		(void)snprintf(dir, sizeof dir, "/tmp/cadre-refdata-XXXXXX");
		assert_non_null(mkdtemp(dir));
		char data[128];
		(void)snprintf(data, sizeof data, "%s/data", dir);
		copy_tree(src, data);
		edit(data, cases[i].rel, cases[i].old, cases[i].new);
		struct cadre_err e;
		FILE *quiet = tmpfile();
		log_set_output(quiet);
		int rc = refdata_load(&t->sys, t->db, data, t->key, &t->clk.clock, NULL, &e);
		log_set_output(NULL);
		(void)fclose(quiet);
		char want[1024];
		subst(want, sizeof want, cases[i].msg, data);
		if (rc != CADRE_EINVAL || strcmp(e.msg, want) != 0)
			fail_msg("case %zu: rc %d\n got: %s\nwant: %s", i, rc, e.msg, want);
		/* nothing written */
		assert_int_equal(count(t, &q_orgs), 0);
		assert_int_equal(count(t, &q_files), 0);
		assert_int_equal(count(t, &q_groups), 0);
		remove_tree(dir);
	}
	/* a missing sidecar */
	char dir[64];
	(void)snprintf(dir, sizeof dir, "/tmp/cadre-refdata-XXXXXX");
	assert_non_null(mkdtemp(dir));
	char data[128], meta[256];
	(void)snprintf(data, sizeof data, "%s/data", dir);
	copy_tree(src, data);
	(void)snprintf(meta, sizeof meta, "%s/pay/vsm.csv.meta", data);
	assert_int_equal(unlink(meta), 0);
	struct cadre_err e;
	FILE *quiet = tmpfile();
	log_set_output(quiet);
	assert_int_equal(refdata_load(&t->sys, t->db, data, t->key, &t->clk.clock, NULL, &e),
	                 CADRE_EINVAL);
	log_set_output(NULL);
	(void)fclose(quiet);
	char want[512];
	(void)snprintf(want, sizeof want, "%s: missing: every reference file needs its sidecar",
	               meta);
	assert_string_equal(e.msg, want);
	remove_tree(dir);

	/* a Welsh trust in the file is left out, with the reason logged */
	(void)snprintf(dir, sizeof dir, "/tmp/cadre-refdata-XXXXXX");
	assert_non_null(mkdtemp(dir));
	(void)snprintf(data, sizeof data, "%s/data", dir);
	copy_tree(src, data);
	edit(data, "ods/trusts.csv", "", "RQF,VELINDRE NHS TRUST,W00,Q99,CF14 2TL,1994-12-01,\n");
	FILE *logf = tmpfile();
	log_set_output(logf);
	int rc = refdata_load(&t->sys, t->db, data, t->key, &t->clk.clock, NULL, &e);
	log_set_output(NULL);
	char *log = slurp(logf);
	(void)fclose(logf);
	assert_int_equal(rc, CADRE_OK);
	assert_non_null(strstr(log, "RQF VELINDRE NHS TRUST: Welsh organisation (region W00), line "
	                            "217"));
	struct org_node n;
	assert_int_equal(org_get(&t->sys, t->db, "RQF", &n, &e), CADRE_ENOTFOUND);
	assert_int_equal(count(t, &q_trusts), 215);
	free(log);
	remove_tree(dir);
	free(src);
}

#define BOTH(f)                                                                                    \
	{#f "(sqlite)", f, testdomain_setup_sqlite, testdomain_teardown, NULL},                    \
	{                                                                                          \
#f "(postgresql)", f, testdomain_setup_pg, testdomain_teardown, NULL               \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_resolve_rule), BOTH(test_refdata_load), BOTH(test_rules_by_hand),
	    BOTH(test_real_hierarchy),           BOTH(test_scope),        BOTH(test_bad_refdata),
	};
	return cmocka_run_group_tests_name("domain_org", tests, NULL, NULL);
}
