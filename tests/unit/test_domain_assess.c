/* assess: rounds end to end on SQLite and PostgreSQL, with every figure
 * worked out by hand in the comments: the worked round of
 * test_domain_assess_results through the domain (import, drafts, groups
 * hidden by primary and secondary suppression, evidence from published
 * sickness figures), bad input, sign-off with its audit trail, versions
 * kept and movement, an ICB benchmark of six trusts in which no other trust
 * can be identified, actions, good practice, exports, permissions and the
 * demo seed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/mem.h"
#include "domain/assess.h"
#include "domain/audit.h"
#include "domain/org.h"
#include "domain/sickness.h"
#include "domain/toolkit.h"
#include "store/store.h"
#include "testdomain.h"
#include "testorg.h"

#define FY2024 2024 /* 2024/25 */
#define FY2025 2025

/* ---- JSON paths: "factors.0.statements.1.score" ----------------------------- */

static const json_t *at(const json_t *o, const char *path)
{
	char part[128];
	const char *p = path;
	while (o && *p) {
		size_t n = strcspn(p, ".");
		if (n >= sizeof part)
			fail_msg("path part too long: %s", path);
		memcpy(part, p, n);
		part[n] = '\0';
		p += n + (p[n] == '.');
		if (json_is_array(o)) {
			char *end = NULL;
			unsigned long i = strtoul(part, &end, 10);
			o = (end && !*end) ? json_array_get(o, i) : NULL;
		} else {
			o = json_object_get(o, part);
		}
	}
	if (!o)
		fail_msg("no %s", path);
	return o;
}

static double num_at(const json_t *o, const char *path)
{
	const json_t *v = at(o, path);
	if (!json_is_number(v))
		fail_msg("%s is not a number", path);
	return json_number_value(v);
}

static const char *str_at(const json_t *o, const char *path)
{
	const json_t *v = at(o, path);
	if (!json_is_string(v))
		fail_msg("%s is not text", path);
	return json_string_value(v);
}

static void num_is(const json_t *o, const char *path, double want)
{
	double got = num_at(o, path);
	if (fabs(got - want) > 1e-9)
		fail_msg("%s: got %.6f, want %.6f", path, got, want);
}

static void null_at(const json_t *o, const char *path)
{
	if (!json_is_null(at(o, path)))
		fail_msg("%s is not null", path);
}

/* ---- fixture: organisations, toolkits, published sickness ---------------------- */

static int64_t put_org(struct testdomain *t, const char *code, const char *kind, const char *name)
{
	struct org_new n = {.code = code, .kind = kind, .name = name, .source = "test"};
	int64_t id = 0;
	bool created = false;
	struct cadre_err e;
	if (org_put(&t->sys, t->db, &n, true, &id, &created, &e) != CADRE_OK)
		fail_msg("org_put %s: %s", code, e.msg);
	return id;
}

static void edge(struct testdomain *t, int64_t child, int64_t parent)
{
	struct cadre_err e;
	if (org_edge_put(&t->sys, t->db, child, parent, ORG_EDGE_SNAPSHOT, 202404, 0, "test", &e) !=
	    CADRE_OK)
		fail_msg("edge: %s", e.msg);
}

static const struct store_sql q_stat = {
    "t_stat",
    "INSERT INTO stat_import (id, kind, file_name, sha256, rows_loaded, imported_us, actor) "
    "VALUES (1, 'sickness', 'test.csv', 'x', 6, 0, 'test')",
    NULL};

static const struct store_sql q_sick = {
    "t_sick",
    "INSERT INTO sickness_absence (month, org_id, published_date, region_code, region_name, "
    "ics_code, ics_name, org_code, org_name, org_type, fte_days_lost, fte_days_available, "
    "rate_percent, import_id) VALUES ($1, $2, '2025-01-31', 'Y62', 'North West', 'QOP', "
    "'Greater Manchester', $3, $3, 'Acute', $4, 1000, $5, 1)",
    NULL};

/* trust codes: RA1..RA6 under QOP, RA7 under QE1, RA8 under QOP (its round
 * stays open), all in region Y62 */
static const char *const trusts[] = {"RA1", "RA2", "RA3", "RA4", "RA5", "RA6", "RA7", "RA8"};
static int64_t trust_id[8];

static void build(struct testdomain *t)
{
	struct cadre_err e;
	assert_int_equal(store_tx_begin(t->db, STORE_TX_WRITE, &e), CADRE_OK);
	int64_t eng = put_org(t, "ENG", "nation", "England");
	int64_t y62 = put_org(t, "Y62", "region", "North West");
	int64_t qop = put_org(t, "QOP", "icb", "NHS Greater Manchester ICB");
	int64_t qe1 = put_org(t, "QE1", "icb", "NHS Lancashire and South Cumbria ICB");
	edge(t, y62, eng);
	edge(t, qop, y62);
	edge(t, qe1, y62);
	for (size_t i = 0; i < 8; i++) {
		char name[64];
		(void)snprintf(name, sizeof name, "Test Trust %zu", i + 1);
		trust_id[i] = put_org(t, trusts[i], "trust", name);
		edge(t, trust_id[i], i == 6 ? qe1 : qop);
	}
	/* published sickness, three months: RA1 60 of 1000 FTE days (6.00%), RA2
	 * 30 of 1000 (3.00%); England is their sum, 90 of 2000 (4.50%) */
	struct store_stmt *st;
	testdomain_exec(t->db, &q_stat);
	for (int m = 202501; m <= 202503; m++)
		for (size_t i = 0; i < 2; i++) {
			assert_int_equal(store_prepare(t->db, &q_sick, &st, &e), CADRE_OK);
			store_bind_i64(st, 1, m);
			store_bind_i64(st, 2, trust_id[i]);
			store_bind_str(st, 3, trusts[i]);
			store_bind_double(st, 4, i == 0 ? 60.0 : 30.0);
			store_bind_double(st, 5, i == 0 ? 6.0 : 3.0);
			if (store_exec(st, &e) != CADRE_OK)
				fail_msg("sickness row: %s", e.msg);
		}
	if (org_hierarchy_rebuild(&t->sys, t->db, &t->clk.clock, NULL, &e) != CADRE_OK)
		fail_msg("rebuild: %s", e.msg);
	assert_int_equal(store_tx_commit(t->db, &e), CADRE_OK);
}

static void load_tiny(struct testdomain *t, const char *file)
{
	char rel[128];
	(void)snprintf(rel, sizeof rel, "tests/fixtures/toolkits/%s", file);
	char *p = testorg_path(rel);
	struct cadre_err e;
	if (toolkit_load_file(&t->sys, t->db, t->key, p, &t->clk.clock, NULL, &e) != CADRE_OK)
		fail_msg("load %s: %s", file, e.msg);
	free(p);
}

static void setup_common(struct testdomain *t)
{
	build(t);
	load_tiny(t, "tiny-v1.json");
}

/* write_file: a temporary file holding text; the caller unlinks and frees */
static char *write_file(const char *text)
{
	char *p = xstrdup("/tmp/cadre-assess-XXXXXX.csv");
	int fd = mkstemps(p, 4);
	if (fd < 0)
		fail_msg("mkstemps failed");
	size_t n = strlen(text);
	if (write(fd, text, n) != (ssize_t)n)
		fail_msg("write failed");
	(void)close(fd);
	return p;
}

static void open_round(struct testdomain *t, const char *org, int period)
{
	struct assess_open_req req = {.ref = {.org = org, .period = period, .toolkit = "tiny"},
	                              .opened_by = "Ms C People"};
	struct cadre_err e;
	if (assess_open(&t->sys, t->db, t->key, &req, &t->clk.clock, NULL, &e) != CADRE_OK)
		fail_msg("open %s: %s", org, e.msg);
}

static int import_text(struct testdomain *t, const struct assess_ref *ref, const char *text,
                       struct assess_import_result *res, struct cadre_err *e)
{
	char *p = write_file(text);
	int rc = assess_import(&t->sys, t->db, t->key, ref, p, &t->clk.clock, res, e);
	(void)unlink(p);
	free(p);
	return rc;
}

/* The worked round of test_domain_assess_results, as a CSV:
 * statements a-1 a-2 b-1 b-2 are s0 s1 s2 s3 there. */
static const char worked_csv[] =
    "respondent,group,statement,score,evidence\n"
    "B1,board,a-1,5,\nB1,board,a-2,4,\nB1,board,b-1,3,\nB1,board,b-2,4,\n"
    "B2,board,a-1,4,\nB2,board,a-2,4,\nB2,board,b-1,3,\nB2,board,b-2,4,\n"
    "B3,board,a-1,5,\nB3,board,a-2,4,\nB3,board,b-1,4,\nB3,board,b-2,4,\n"
    "B4,board,a-1,4,\nB4,board,a-2,4,\"Minutes, March\"\n"
    "B4,board,b-1,4,\nB4,board,b-2,,\n"
    "S1,senior_leaders,a-1,4,\nS1,senior_leaders,a-2,3,\n"
    "S1,senior_leaders,b-1,3,\nS1,senior_leaders,b-2,3,\n"
    "S2,senior_leaders,a-1,3,\nS2,senior_leaders,a-2,3,\n"
    "S2,senior_leaders,b-1,2,\nS2,senior_leaders,b-2,3,\n"
    "S3,senior_leaders,a-1,3,\nS3,senior_leaders,a-2,3,\n"
    "S3,senior_leaders,b-1,3,\nS3,senior_leaders,b-2,3,\n"
    "M1,line_managers,a-1,2,\nM1,line_managers,a-2,3,\n"
    "M1,line_managers,b-1,2,\nM1,line_managers,b-2,3,\n"
    "M2,line_managers,a-1,3,\nM2,line_managers,a-2,2,\n"
    "M2,line_managers,b-1,2,\nM2,line_managers,b-2,3,\n"
    "M3,line_managers,a-1,2,\nM3,line_managers,a-2,3,\n"
    "M3,line_managers,b-1,2,\nM3,line_managers,b-2,3,\n"
    "M4,line_managers,a-1,3,\nM4,line_managers,a-2,2,\n"
    "M4,line_managers,b-1,2,\nM4,line_managers,b-2,3,\n"
    "M5,line_managers,a-1,2,\nM5,line_managers,a-2,3,\n"
    "M5,line_managers,b-1,2,\nM5,line_managers,b-2,3,\n"
    "P1,workforce_planners,a-1,3,\nP1,workforce_planners,a-2,2,\n"
    "P1,workforce_planners,b-1,1,\nP1,workforce_planners,b-2,2,\n"
    "P2,workforce_planners,a-1,3,\nP2,workforce_planners,a-2,2,\n"
    "P2,workforce_planners,b-1,1,\nP2,workforce_planners,b-2,2,\n";

static const struct assess_ref RA1_2024 = {.org = "RA1", .period = FY2024, .toolkit = "tiny"};

/* worked_round: open RA1 2024/25, B5 invited with nothing, M6 a draft, the
 * rest imported */
static void worked_round(struct testdomain *t)
{
	struct cadre_err e;
	open_round(t, "RA1", FY2024);
	const char *b5[] = {"B5"};
	const char *m6[] = {"M6"};
	assert_int_equal(
	    assess_invite(&t->sys, t->db, t->key, &RA1_2024, "board", b5, 1, &t->clk.clock, &e),
	    CADRE_OK);
	assert_int_equal(assess_invite(&t->sys, t->db, t->key, &RA1_2024, "line_managers", m6, 1,
	                               &t->clk.clock, &e),
	                 CADRE_OK);
	assert_int_equal(assess_answer(&t->sys, t->db, t->key, &RA1_2024, "M6", "a-1", 1, NULL,
	                               &t->clk.clock, &e),
	                 CADRE_OK);
	struct assess_import_result *res = xcalloc(1, sizeof *res);
	if (import_text(t, &RA1_2024, worked_csv, res, &e) != CADRE_OK)
		fail_msg("import: %s", e.msg);
	assert_int_equal(res->rows, 56);
	assert_int_equal(res->respondents, 14);
	assert_int_equal(res->invited, 14);
	assert_int_equal(res->skipped, 1);
	assert_true(res->audit_seq > 0);
	free(res);
}

/* check_worked: the hand-worked figures in the results document */
static void check_worked(const json_t *res)
{
	assert_true(json_is_true(at(res, "shown")));
	/* participation: 16 invited, 14 submitted, M6 in progress */
	num_is(res, "participation.invited", 16);
	num_is(res, "participation.submitted", 14);
	num_is(res, "participation.in_progress", 1);
	/* overall (3.142857 + 2.752747) / 2 = 2.947802 -> 2.95 */
	num_is(res, "overall", 2.95);
	num_is(res, "factors.0.score", 3.14);
	num_is(res, "factors.1.score", 2.75);
	/* groups: planners (2) hidden, and senior leaders (3) with them */
	assert_string_equal(str_at(res, "groups.0.shown"), "shown");
	assert_string_equal(str_at(res, "groups.1.shown"), "secondary");
	assert_string_equal(str_at(res, "groups.2.shown"), "shown");
	assert_string_equal(str_at(res, "groups.3.shown"), "primary");
	num_is(res, "groups.0.overall", 4.0);
	num_is(res, "groups.2.overall", 2.5);
	null_at(res, "groups.1.overall");
	null_at(res, "groups.3.overall");
	num_is(res, "factors.0.groups.0.score", 4.25);
	num_is(res, "factors.0.groups.2.score", 2.5);
	null_at(res, "factors.0.groups.1.score");
	null_at(res, "factors.1.groups.3.score");
	/* spreads 1.75 and 1.25, both wide, board over line managers */
	num_is(res, "factors.0.spread", 1.75);
	num_is(res, "factors.1.spread", 1.25);
	assert_true(json_is_true(at(res, "factors.0.spread_flagged")));
	assert_string_equal(str_at(res, "factors.0.highest_group"), "board");
	assert_string_equal(str_at(res, "factors.0.lowest_group"), "line_managers");
	/* statements: a-1 46/14 = 3.29, a-2 3.00, b-1 34/14 = 2.43, b-2 40/13 = 3.08 */
	num_is(res, "factors.0.statements.0.score", 3.29);
	num_is(res, "factors.0.statements.1.score", 3.0);
	num_is(res, "factors.1.statements.0.score", 2.43);
	num_is(res, "factors.1.statements.1.score", 3.08);
	num_is(res, "factors.1.statements.1.answers", 13);
	num_is(res, "factors.1.statements.1.skipped", 1);
	/* the respondent's own evidence, unattributed */
	assert_string_equal(str_at(res, "factors.0.statements.1.respondent_evidence.0"),
	                    "Minutes, March");
	/* improvement areas: a-2 0.555 (contrary evidence: RA1's sickness 6.00%
	 * above England's 4.50% while scored 3.0), b-1 0.434, a-1 0.372, b-2 0.315 */
	assert_string_equal(str_at(res, "improvement_areas.0.statement"), "a-2");
	num_is(res, "improvement_areas.0.priority", 0.555);
	assert_string_equal(str_at(res, "improvement_areas.1.statement"), "b-1");
	num_is(res, "improvement_areas.1.priority", 0.434);
	assert_string_equal(str_at(res, "improvement_areas.2.statement"), "a-1");
	num_is(res, "improvement_areas.2.priority", 0.372);
	assert_string_equal(str_at(res, "improvement_areas.3.statement"), "b-2");
	num_is(res, "improvement_areas.3.priority", 0.315);
	assert_true(json_is_true(at(res, "factors.0.statements.1.contrary_evidence")));
	assert_false(json_is_true(at(res, "factors.1.statements.0.contrary_evidence")));
	assert_string_equal(str_at(res, "improvement_areas.0.reasons.0"), "scored 3.00 of 5");
	assert_string_equal(str_at(res, "improvement_areas.0.reasons.1"),
	                    "groups differ by 1.40 points");
	assert_string_equal(
	    str_at(res, "improvement_areas.0.reasons.2"),
	    "contrary evidence: 6.00% of FTE days lost to sickness absence, 2024-04 "
	    "to 2025-03 (3 months published); England 4.50%: higher than England");
	/* evidence beside the scores */
	assert_string_equal(str_at(res, "factors.0.statements.1.evidence.0.key"),
	                    "sickness_absence_rate");
	num_is(res, "factors.0.statements.1.evidence.0.value", 6.0);
	assert_true(json_is_true(at(res, "factors.0.statements.1.evidence.0.concern")));
	assert_string_equal(str_at(res, "factors.1.statements.0.evidence.1.text"),
	                    "not available: no establishment imported for RA1 up to the end of "
	                    "this period (cadre import establishment)");
	null_at(res, "factors.1.statements.0.evidence.1.value");
	null_at(res, "movement");
}

static void test_worked_round(void **state)
{
	struct testdomain *t = *state;
	setup_common(t);
	worked_round(t);
	struct cadre_err e;
	json_t *rep = NULL;
	/* while open: provisional, live evidence */
	assert_int_equal(assess_report_json(&t->sys, t->db, &RA1_2024, &rep, &e), CADRE_OK);
	assert_true(json_is_true(at(rep, "results.provisional")));
	check_worked(at(rep, "results"));
	json_decref(rep);
	/* participation while open */
	json_t *st = NULL;
	assert_int_equal(assess_status_json(&t->sys, t->db, &RA1_2024, &st, &e), CADRE_OK);
	assert_string_equal(str_at(st, "round.status"), "open");
	num_is(st, "groups.0.invited", 5);
	num_is(st, "groups.0.submitted", 4);
	num_is(st, "groups.0.not_started", 1);
	num_is(st, "groups.2.in_progress", 1);
	num_is(st, "groups.2.response_rate", 83.33);
	num_is(st, "participation.response_rate", 87.5);
	json_decref(st);
	/* closed: the same figures, evidence frozen (changing the published
	 * figures afterwards does not change the closed round) */
	assert_int_equal(
	    assess_close(&t->sys, t->db, t->key, &RA1_2024, "Ms C People", &t->clk.clock, &e),
	    CADRE_OK);
	static const struct store_sql q_zero = {
	    "t_zero", "UPDATE sickness_absence SET fte_days_lost = 0, rate_percent = 0", NULL};
	testdomain_exec(t->db, &q_zero);
	assert_int_equal(assess_report_json(&t->sys, t->db, &RA1_2024, &rep, &e), CADRE_OK);
	assert_false(json_is_true(at(rep, "results.provisional")));
	check_worked(at(rep, "results"));
	json_decref(rep);
	struct assess_evidence ev;
	assert_int_equal(assess_evidence_resolve(&t->sys, t->db, "RA1", FY2024,
	                                         "sickness_absence_rate", &ev, &e),
	                 CADRE_OK);
	assert_true(ev.available && !ev.concern);
	assert_true(ev.value == 0.0);
}

/* ---- bad input ------------------------------------------------------------------- */

static const struct store_sql q_answers = {"t_answers", "SELECT COUNT(*) FROM assess_answer", NULL};
static const struct store_sql q_resps = {"t_resps", "SELECT COUNT(*) FROM assess_respondent", NULL};

static void test_bad_input(void **state)
{
	struct testdomain *t = *state;
	setup_common(t);
	struct cadre_err e;
	open_round(t, "RA1", FY2024);
	const struct assess_ref *r = &RA1_2024;
	const char *ids[] = {"B1", "B2"};
	assert_int_equal(
	    assess_invite(&t->sys, t->db, t->key, r, "board", ids, 2, &t->clk.clock, &e), CADRE_OK);
	/* opening twice; a toolkit for another level */
	struct assess_open_req req = {.ref = *r, .opened_by = "X"};
	assert_int_equal(assess_open(&t->sys, t->db, t->key, &req, &t->clk.clock, NULL, &e),
	                 CADRE_ECONFLICT);
	assert_string_equal(e.msg, "RA1 already has a tiny round in 2024/25");
	req.ref.org = "Y62";
	assert_int_equal(assess_open(&t->sys, t->db, t->key, &req, &t->clk.clock, NULL, &e),
	                 CADRE_EINVAL);
	assert_string_equal(e.msg, "toolkit tiny is for trust,icb; Y62 is a region");
	/* scores off the scale, unknown statement, respondent not invited */
	assert_int_equal(
	    assess_answer(&t->sys, t->db, t->key, r, "B1", "a-1", 6, NULL, &t->clk.clock, &e),
	    CADRE_EINVAL);
	assert_string_equal(e.msg,
	                    "score 6 is outside the scale 1 to 5 (or leave it empty to skip)");
	assert_int_equal(
	    assess_answer(&t->sys, t->db, t->key, r, "B1", "a-1", -1, NULL, &t->clk.clock, &e),
	    CADRE_EINVAL);
	assert_int_equal(
	    assess_answer(&t->sys, t->db, t->key, r, "B1", "zz-9", 3, NULL, &t->clk.clock, &e),
	    CADRE_EINVAL);
	assert_string_equal(e.msg,
	                    "unknown statement 'zz-9': tiny version 1 has no such statement");
	assert_int_equal(
	    assess_answer(&t->sys, t->db, t->key, r, "nobody", "a-1", 3, NULL, &t->clk.clock, &e),
	    CADRE_ENOTFOUND);
	assert_string_equal(e.msg, "respondent 'nobody' is not invited to this round");
	/* nothing to submit yet */
	assert_int_equal(assess_submit(&t->sys, t->db, t->key, r, "B1", &t->clk.clock, &e),
	                 CADRE_EINVAL);
	assert_string_equal(e.msg, "respondent 'B1' has no answers to submit");
	/* answer, submit; then answering again or submitting twice is refused */
	assert_int_equal(
	    assess_answer(&t->sys, t->db, t->key, r, "B1", "a-1", 3, "x", &t->clk.clock, &e),
	    CADRE_OK);
	assert_int_equal(
	    assess_answer(&t->sys, t->db, t->key, r, "B1", "a-1", 4, NULL, &t->clk.clock, &e),
	    CADRE_OK); /* a draft may change */
	assert_int_equal(assess_submit(&t->sys, t->db, t->key, r, "B1", &t->clk.clock, &e),
	                 CADRE_OK);
	assert_int_equal(
	    assess_answer(&t->sys, t->db, t->key, r, "B1", "a-2", 3, NULL, &t->clk.clock, &e),
	    CADRE_ECONFLICT);
	assert_string_equal(e.msg,
	                    "respondent 'B1' already submitted at 2026-01-01T00:00:00.000000Z: "
	                    "a respondent answers once");
	assert_int_equal(assess_submit(&t->sys, t->db, t->key, r, "B1", &t->clk.clock, &e),
	                 CADRE_ECONFLICT);
	/* inviting twice, an unknown group */
	assert_int_equal(
	    assess_invite(&t->sys, t->db, t->key, r, "board", ids, 1, &t->clk.clock, &e),
	    CADRE_ECONFLICT);
	assert_string_equal(e.msg, "respondent 'B1' is already invited (group board)");
	const char *x9[] = {"X9"};
	assert_int_equal(
	    assess_invite(&t->sys, t->db, t->key, r, "nurses", x9, 1, &t->clk.clock, &e),
	    CADRE_EINVAL);
	assert_string_equal(e.msg, "the round has no group 'nurses'");
	/* sign-off before close */
	assert_int_equal(
	    assess_sign_off(&t->sys, t->db, t->key, r, "Chair", &t->clk.clock, NULL, &e),
	    CADRE_ECONFLICT);
	assert_string_equal(e.msg,
	                    "the tiny round for RA1 in 2024/25 is still open: close it before "
	                    "the board signs it off");

	/* an offline import with six problems: nothing is written */
	int64_t answers = testdomain_count(t->db, &q_answers);
	int64_t resps = testdomain_count(t->db, &q_resps);
	const char *bad = "respondent,group,statement,score,evidence\n"
	                  "X1,board,a-1,7,\n"         /* 2: off the scale */
	                  "X1,board,zz-1,3,\n"        /* 3: unknown statement */
	                  "X2,board,a-1,3,\n"         /* 4 */
	                  "X2,board,a-1,4,\n"         /* 5: X2 answers a-1 twice */
	                  "X3,nurses,a-1,3,\n"        /* 6: no such group */
	                  "B1,board,a-1,3,\n"         /* 7: B1 already submitted */
	                  "X4,line_managers,a-1,3,\n" /* 8 */
	                  "X4,board,a-2,3,\n";        /* 9: X4 in two groups */
	struct assess_import_result *res = xcalloc(1, sizeof *res);
	char *p = write_file(bad);
	assert_int_equal(assess_import(&t->sys, t->db, t->key, r, p, &t->clk.clock, res, &e),
	                 CADRE_EINVAL);
	assert_int_equal(import_problems_total(&res->problems), 6);
	struct buf b;
	buf_init(&b, 65536);
	assert_int_equal(import_problems_write(&res->problems, &b, &e), CADRE_OK);
	char want[4096];
	(void)snprintf(
	    want, sizeof want,
	    "%s:2:14: score '7' is not on the scale 1 to 5 (leave it empty to skip)\n"
	    "%s:3:10: unknown statement 'zz-1': tiny version 1 has no such statement\n"
	    "%s:7:1: respondent 'B1' already submitted at 2026-01-01T00:00:00.000000Z: a "
	    "respondent answers once\n"
	    "%s:5:10: respondent 'X2' answers statement 'a-1' twice (also line 4)\n"
	    "%s:6:4: the round has no group 'nurses'\n"
	    "%s:9:4: respondent 'X4' is in group 'line_managers' at line 8, not 'board'\n",
	    p, p, p, p, p, p);
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
	assert_int_equal(testdomain_count(t->db, &q_answers), answers);
	assert_int_equal(testdomain_count(t->db, &q_resps), resps);
	(void)unlink(p);
	free(p);
	/* a header of another file */
	memset(res, 0, sizeof *res);
	assert_int_equal(
	    import_text(t, r, "respondent,group,statement,score\nX1,board,a-1,3\n", res, &e),
	    CADRE_EINVAL);
	assert_non_null(strstr(e.msg, ":1:1: the header has 4 columns; expected "
	                              "respondent,group,statement,score,evidence"));

	/* after close: answers and imports are refused */
	assert_int_equal(assess_close(&t->sys, t->db, t->key, r, "Ms C People", &t->clk.clock, &e),
	                 CADRE_OK);
	assert_int_equal(
	    assess_answer(&t->sys, t->db, t->key, r, "B2", "a-1", 3, NULL, &t->clk.clock, &e),
	    CADRE_ECONFLICT);
	assert_string_equal(e.msg, "the tiny round for RA1 in 2024/25 closed at "
	                           "2026-01-01T00:00:00.000000Z: answering is no longer possible");
	memset(res, 0, sizeof *res);
	assert_int_equal(import_text(t, r,
	                             "respondent,group,statement,score,evidence\nX1,board,a-1,3,\n",
	                             res, &e),
	                 CADRE_ECONFLICT);
	assert_non_null(strstr(e.msg, ": the tiny round for RA1 in 2024/25 closed at"));
	assert_int_equal(assess_close(&t->sys, t->db, t->key, r, "Ms C People", &t->clk.clock, &e),
	                 CADRE_ECONFLICT);
	free(res);
	/* no round */
	struct assess_ref none = {.org = "RA2", .period = FY2024, .toolkit = NULL};
	json_t *o = NULL;
	assert_int_equal(assess_status_json(&t->sys, t->db, &none, &o, &e), CADRE_ENOTFOUND);
	assert_string_equal(e.msg, "RA2 has no round in 2024/25");
}

/* ---- sign-off and the audit trail --------------------------------------------- */

static const struct store_sql q_signoffs = {
    "t_signoffs", "SELECT COUNT(*) FROM audit_entry WHERE action = 'assess.sign_off'", NULL};
static const struct store_sql q_row_hash = {
    "t_row_hash", "SELECT row_hash, results_sha256, results FROM assess_signoff", NULL};
static const struct store_sql q_tamper = {
    "t_tamper", "UPDATE assess_signoff SET results = replace(results, '2.95', '3.95')", NULL};

static void test_signoff_audit(void **state)
{
	struct testdomain *t = *state;
	setup_common(t);
	worked_round(t);
	struct cadre_err e;
	assert_int_equal(
	    assess_close(&t->sys, t->db, t->key, &RA1_2024, "Ms C People", &t->clk.clock, &e),
	    CADRE_OK);
	clock_manual_advance(&t->clk, INT64_C(3600000000));
	char sha[AUDIT_HEX_LEN + 1];
	assert_int_equal(assess_sign_off(&t->sys, t->db, t->key, &RA1_2024, "Dr A Chair",
	                                 &t->clk.clock, sha, &e),
	                 CADRE_OK);
	assert_int_equal(assess_sign_off(&t->sys, t->db, t->key, &RA1_2024, "Dr A Chair",
	                                 &t->clk.clock, NULL, &e),
	                 CADRE_ECONFLICT);
	assert_string_equal(e.msg, "the tiny round for RA1 in 2024/25 is already signed off");
	assert_int_equal(testdomain_count(t->db, &q_signoffs), 1);
	/* the report is the signed document: its canonical form hashes to sha */
	json_t *rep = NULL;
	assert_int_equal(assess_report_json(&t->sys, t->db, &RA1_2024, &rep, &e), CADRE_OK);
	assert_string_equal(str_at(rep, "round.status"), "signed_off");
	assert_string_equal(str_at(rep, "signoff.signed_by"), "Dr A Chair");
	assert_string_equal(str_at(rep, "signoff.signed_at"), "2026-01-01T01:00:00.000000Z");
	assert_string_equal(str_at(rep, "signoff.results_sha256"), sha);
	check_worked(at(rep, "results"));
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(audit_canonical_json(at(rep, "results"), &text, &len, &e), CADRE_OK);
	char again[AUDIT_HEX_LEN + 1];
	audit_sha256_hex(text, len, again);
	assert_string_equal(again, sha);
	free(text);
	json_decref(rep);
	/* the audited row: its stored hash is its canonical form's; the chain
	 * verifies */
	struct store_stmt *st;
	assert_int_equal(store_prepare(t->db, &q_row_hash, &st, &e), CADRE_OK);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	char stored[AUDIT_HEX_LEN + 1];
	(void)snprintf(stored, sizeof stored, "%s", store_col_text(st, 0));
	assert_string_equal(store_col_text(st, 1), sha);
	char text_sha[AUDIT_HEX_LEN + 1];
	audit_sha256_hex(store_col_text(st, 2), store_col_len(st, 2), text_sha);
	assert_string_equal(text_sha, sha);
	store_reset(st);
	char row[AUDIT_HEX_LEN + 1];
	assert_int_equal(audit_row_hash(t->db, &assess_signoff_audit_table, "1", row, NULL, &e),
	                 CADRE_OK);
	assert_string_equal(row, stored);
	struct audit_verify_result vr;
	assert_int_equal(audit_verify(&t->sys, t->db, t->key, &vr, &e), CADRE_OK);
	assert_true(vr.ok);
	/* toolkit load, open, 2 invites, 1 answer, import, close, sign-off */
	assert_int_equal(vr.entries, 8);
	assert_int_equal(vr.rows, 1);
	/* tampering with the signed results is caught on read and by the row hash */
	testdomain_exec(t->db, &q_tamper);
	assert_int_equal(assess_report_json(&t->sys, t->db, &RA1_2024, &rep, &e), CADRE_EINTERNAL);
	assert_string_equal(e.msg, "the signed results of round 1 do not match their SHA-256: they "
	                           "were changed after sign-off (run cadre audit verify)");
	assert_int_equal(audit_row_hash(t->db, &assess_signoff_audit_table, "1", row, NULL, &e),
	                 CADRE_OK);
	assert_string_not_equal(row, stored);
	/* and `cadre audit verify` finds it: the table is in the registry */
	assert_ptr_equal(audit_table_find("assess_signoff"), &assess_signoff_audit_table);
	assert_int_equal(audit_verify(&t->sys, t->db, t->key, &vr, &e), CADRE_OK);
	assert_false(vr.ok);
	assert_string_equal(vr.reason, "audit entry 8: live row assess_signoff '1' does not match "
	                               "its hash (changed outside Cadre)");
}

/* ---- versions kept, movement --------------------------------------------------- */

static void test_versions_and_movement(void **state)
{
	struct testdomain *t = *state;
	setup_common(t);
	worked_round(t);
	struct cadre_err e;
	/* version 2 arrives while the round is open: the round keeps version 1 */
	load_tiny(t, "tiny-v2.json");
	json_t *st = NULL;
	assert_int_equal(assess_status_json(&t->sys, t->db, &RA1_2024, &st, &e), CADRE_OK);
	num_is(st, "round.toolkit_version", 1);
	num_is(st, "statements", 4);
	json_decref(st);
	assert_int_equal(assess_answer(&t->sys, t->db, t->key, &RA1_2024, "B5", "a-3", 3, NULL,
	                               &t->clk.clock, &e),
	                 CADRE_EINVAL);
	assert_string_equal(e.msg, "unknown statement 'a-3': tiny version 1 has no such statement");
	assert_int_equal(
	    assess_close(&t->sys, t->db, t->key, &RA1_2024, "Ms C People", &t->clk.clock, &e),
	    CADRE_OK);
	/* the next year, on version 2 (a-1 a-2 a-3 | b-1): three board members
	 * answer 4 throughout, so alpha = beta = overall = 4.00 */
	open_round(t, "RA1", FY2025);
	struct assess_ref r25 = {.org = "RA1", .period = FY2025, .toolkit = "tiny"};
	struct assess_import_result *res = xcalloc(1, sizeof *res);
	const char *csv = "respondent,group,statement,score,evidence\n"
	                  "B1,board,a-1,4,\nB1,board,a-2,4,\nB1,board,a-3,4,\nB1,board,b-1,4,\n"
	                  "B2,board,a-1,4,\nB2,board,a-2,4,\nB2,board,a-3,4,\nB2,board,b-1,4,\n"
	                  "B3,board,a-1,4,\nB3,board,a-2,4,\nB3,board,a-3,4,\nB3,board,b-1,4,\n";
	if (import_text(t, &r25, csv, res, &e) != CADRE_OK)
		fail_msg("import: %s", e.msg);
	free(res);
	json_t *rep = NULL;
	assert_int_equal(assess_report_json(&t->sys, t->db, &r25, &rep, &e), CADRE_OK);
	num_is(rep, "round.toolkit_version", 2);
	num_is(rep, "results.factors.0.score", 4.0);
	/* movement: alpha 4.00 - 3.14 = 0.86, beta 4.00 - 2.75 = 1.25, overall
	 * 4.00 - 2.95 = 1.05, from 2024/25 on version 1 */
	assert_string_equal(str_at(rep, "results.movement.from_period"), "2024/25");
	num_is(rep, "results.movement.toolkit_version", 1);
	num_is(rep, "results.movement.previous_overall", 2.95);
	num_is(rep, "results.movement.overall_change", 1.05);
	num_is(rep, "results.factors.0.movement.previous", 3.14);
	num_is(rep, "results.factors.0.movement.change", 0.86);
	num_is(rep, "results.factors.1.movement.change", 1.25);
	/* one group only: shown (3 respondents), no spread */
	assert_string_equal(str_at(rep, "results.groups.0.shown"), "shown");
	assert_string_equal(str_at(rep, "results.groups.1.shown"), "empty");
	null_at(rep, "results.factors.0.spread");
	json_decref(rep);
	/* the first round still reads on version 1 */
	assert_int_equal(assess_report_json(&t->sys, t->db, &RA1_2024, &rep, &e), CADRE_OK);
	num_is(rep, "results.toolkit.version", 1);
	check_worked(at(rep, "results"));
	json_decref(rep);
	/* two rounds in one year are told apart by toolkit */
	load_tiny(t, "../../../data/toolkits/wfp-five-factor.json");
	struct assess_open_req req = {
	    .ref = {.org = "RA1", .period = FY2025, .toolkit = "wfp-five-factor"},
	    .opened_by = "X"};
	assert_int_equal(assess_open(&t->sys, t->db, t->key, &req, &t->clk.clock, NULL, &e),
	                 CADRE_OK);
	struct assess_ref any = {.org = "RA1", .period = FY2025, .toolkit = NULL};
	assert_int_equal(assess_status_json(&t->sys, t->db, &any, &st, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "RA1 has 2 rounds in 2025/26 (tiny, wfp-five-factor): name one "
	                           "with --toolkit");
}

/* ---- evidence ------------------------------------------------------------------- */

static void test_evidence(void **state)
{
	struct testdomain *t = *state;
	setup_common(t);
	struct cadre_err e;
	struct assess_evidence ev;
	/* RA1 6.00% against England 4.50%: a concern; RA2 3.00%: none */
	assert_int_equal(assess_evidence_resolve(&t->sys, t->db, "RA1", FY2024,
	                                         "sickness_absence_rate", &ev, &e),
	                 CADRE_OK);
	assert_true(ev.available && ev.has_value && ev.concern);
	assert_string_equal(ev.unit, "%");
	/* the same figure as the sickness read-out for the same months */
	struct sickness_kpi k;
	assert_int_equal(sickness_kpi(&t->sys, t->db, "RA1", 202404, 202503, &k, &e), CADRE_OK);
	assert_true(ev.value == (double)k.rate_hundredths / 100.0);
	assert_int_equal(k.rate_hundredths, 600);
	sickness_kpi_free(&k);
	assert_string_equal(ev.text,
	                    "6.00% of FTE days lost to sickness absence, 2024-04 to 2025-03 "
	                    "(3 months published); England 4.50%: higher than England");
	assert_int_equal(assess_evidence_resolve(&t->sys, t->db, "RA2", FY2024,
	                                         "sickness_absence_rate", &ev, &e),
	                 CADRE_OK);
	assert_true(ev.available && !ev.concern);
	assert_true(ev.value == 3.0);
	/* an ICB: its subtree (RA1 and RA2 report; the others have no rows) */
	assert_int_equal(assess_evidence_resolve(&t->sys, t->db, "QOP", FY2024,
	                                         "sickness_absence_rate", &ev, &e),
	                 CADRE_OK);
	assert_true(ev.value == 4.5 && !ev.concern);
	/* no published month up to March 2024: not available, no number */
	assert_int_equal(
	    assess_evidence_resolve(&t->sys, t->db, "RA1", 2023, "sickness_absence_rate", &ev, &e),
	    CADRE_OK);
	assert_false(ev.available || ev.has_value);
	assert_string_equal(ev.text, "not available: no NHS Sickness Absence Rates imported for "
	                             "months up to the end of this period (cadre import sickness)");
	/* a trust without figures in the window */
	assert_int_equal(assess_evidence_resolve(&t->sys, t->db, "RA3", FY2024,
	                                         "sickness_absence_rate", &ev, &e),
	                 CADRE_OK);
	assert_false(ev.available);
	assert_string_equal(ev.text, "not available: no published sickness absence figures for RA3 "
	                             "from 2024-04 to 2025-03");
	assert_int_equal(assess_evidence_resolve(&t->sys, t->db, "RA1", FY2024,
	                                         "staff_in_post_published", &ev, &e),
	                 CADRE_OK);
	assert_false(ev.available);
	assert_string_equal(ev.text, "not available: no HCHS staff in post imported for months up "
	                             "to the end of this period (cadre import staff-in-post)");
	/* every key not yet live says why, and never carries a value */
	size_t live = 0;
	for (size_t i = 0; i < assess_evidence_nproviders; i++) {
		const struct assess_evidence_provider *p = &assess_evidence_providers[i];
		assert_int_equal(
		    assess_evidence_resolve(&t->sys, t->db, "RA1", FY2024, p->key, &ev, &e),
		    CADRE_OK);
		if (p->live) {
			live++;
			continue;
		}
		assert_false(ev.available || ev.has_value || ev.concern);
		assert_true(strncmp(ev.text, "not available yet: ", 19) == 0);
	}
	/* the two published ones and the seven from the people area
	 * (test_domain_assess_evidence.c); plans and reviews are not yet */
	assert_int_equal(live, 9);
	assert_int_equal(assess_evidence_resolve(&t->sys, t->db, "RA1", FY2024, "made_up", &ev, &e),
	                 CADRE_EINVAL);
}

/* ---- the ICB benchmark ------------------------------------------------------------- */

/* trust_round: a closed round in which three board members answer every
 * alpha statement a and every beta statement b, so alpha = a, beta = b and
 * overall = (a + b) / 2 */
static void trust_round(struct testdomain *t, const char *org, int a, int b, bool close)
{
	struct cadre_err e;
	open_round(t, org, FY2025);
	struct assess_ref r = {.org = org, .period = FY2025, .toolkit = "tiny"};
	char csv[1024];
	(void)snprintf(csv, sizeof csv,
	               "respondent,group,statement,score,evidence\n"
	               "B1,board,a-1,%d,\nB1,board,a-2,%d,\nB1,board,b-1,%d,\nB1,board,b-2,%d,\n"
	               "B2,board,a-1,%d,\nB2,board,a-2,%d,\nB2,board,b-1,%d,\nB2,board,b-2,%d,\n"
	               "B3,board,a-1,%d,\nB3,board,a-2,%d,\nB3,board,b-1,%d,\nB3,board,b-2,%d,\n",
	               a, a, b, b, a, a, b, b, a, a, b, b);
	struct assess_import_result *res = xcalloc(1, sizeof *res);
	if (import_text(t, &r, csv, res, &e) != CADRE_OK)
		fail_msg("import %s: %s", org, e.msg);
	free(res);
	if (close &&
	    assess_close(&t->sys, t->db, t->key, &r, "Ms C People", &t->clk.clock, &e) != CADRE_OK)
		fail_msg("close %s: %s", org, e.msg);
}

/* RA1..RA6 under QOP (alpha, beta): (1,5) (2,3) (3,1) (4,4) (5,2) (2,3);
 * RA7 under QE1 (3,3); RA8 under QOP stays open (5,5) and never counts. */
static void benchmark_rounds(struct testdomain *t)
{
	static const int ab[8][2] = {{1, 5}, {2, 3}, {3, 1}, {4, 4},
	                             {5, 2}, {2, 3}, {3, 3}, {5, 5}};
	for (size_t i = 0; i < 8; i++)
		trust_round(t, trusts[i], ab[i][0], ab[i][1], i != 7);
}

static void test_benchmark(void **state)
{
	struct testdomain *t = *state;
	setup_common(t);
	benchmark_rounds(t);
	struct cadre_err e;
	json_t *o = NULL;
	/* the ICB: its six closed trusts named, side by side */
	assert_int_equal(assess_benchmark_json(&t->sys, t->db, "QOP", FY2025, "tiny", &o, &e),
	                 CADRE_OK);
	num_is(o, "organisations.count", 6);
	assert_string_equal(str_at(o, "organisations.rows.0.code"), "RA1");
	assert_string_equal(str_at(o, "organisations.rows.5.code"), "RA6");
	num_is(o, "organisations.rows.0.factors.alpha", 1.0);
	num_is(o, "organisations.rows.0.factors.beta", 5.0);
	num_is(o, "organisations.rows.0.overall", 3.0);
	/* alpha 1 2 2 3 4 5: h = 5p; q1 h 1.25 -> 2.00, median h 2.5 -> 2.50,
	 * q3 h 3.75 -> 3.75 */
	num_is(o, "organisations.distribution.alpha.min", 1.0);
	num_is(o, "organisations.distribution.alpha.q1", 2.0);
	num_is(o, "organisations.distribution.alpha.median", 2.5);
	num_is(o, "organisations.distribution.alpha.q3", 3.75);
	num_is(o, "organisations.distribution.alpha.max", 5.0);
	/* beta 1 2 3 3 4 5: q1 x[1] + 0.25 (x[2] - x[1]) = 2.25, median x[2] + 0.5 x 0 =
	 * 3.00, q3 x[3] + 0.75 (x[4] - x[3]) = 3.75 */
	num_is(o, "organisations.distribution.beta.q1", 2.25);
	num_is(o, "organisations.distribution.beta.median", 3.0);
	num_is(o, "organisations.distribution.beta.q3", 3.75);
	/* overall 2 2.5 2.5 3 3.5 4: q1 2.50, median 2.75, q3 3 + 0.375 = 3.375 -> 3.38 */
	num_is(o, "organisations.distribution.overall.q1", 2.5);
	num_is(o, "organisations.distribution.overall.median", 2.75);
	num_is(o, "organisations.distribution.overall.q3", 3.38);
	null_at(o, "self");
	json_decref(o);

	/* RA3 (3, 1) against its ICB and region, as a user who holds RA3 only */
	struct actor_grant g = {.role = "chief_people_officer", .org_id = trust_id[2]};
	struct actor user = actor_user(3, &g, 1);
	assert_int_equal(assess_benchmark_json(&user, t->db, "QOP", FY2025, "tiny", &o, &e),
	                 CADRE_ENOTFOUND);
	assert_int_equal(assess_benchmark_json(&user, t->db, "RA3", FY2025, "tiny", &o, &e),
	                 CADRE_OK);
	null_at(o, "organisations");
	num_is(o, "self.factors.alpha", 3.0);
	num_is(o, "self.factors.beta", 1.0);
	assert_string_equal(str_at(o, "self.peer_groups.0.code"), "QOP");
	num_is(o, "self.peer_groups.0.organisations", 6);
	assert_false(json_is_true(at(o, "self.peer_groups.0.suppressed")));
	/* the others' values only, each factor sorted on its own: alpha without
	 * RA3's 3: 1 2 2 4 5; beta without its 1: 2 3 3 4 5; overall without its
	 * 2: 2.5 2.5 3 3.5 4 */
	const double alpha[] = {1, 2, 2, 4, 5}, beta[] = {2, 3, 3, 4, 5},
	             overall[] = {2.5, 2.5, 3, 3.5, 4};
	const json_t *fa = at(o, "self.peer_groups.0.factors");
	assert_int_equal(json_array_size(fa), 3);
	for (size_t i = 0; i < 5; i++) {
		char p[64];
		(void)snprintf(p, sizeof p, "0.others.%zu", i);
		num_is(fa, p, alpha[i]);
		(void)snprintf(p, sizeof p, "1.others.%zu", i);
		num_is(fa, p, beta[i]);
		(void)snprintf(p, sizeof p, "2.others.%zu", i);
		num_is(fa, p, overall[i]);
	}
	num_is(fa, "0.distribution.median", 2.5);
	num_is(fa, "0.self", 3.0);
	/* the region: seven trusts (RA7 from QE1 too) */
	assert_string_equal(str_at(o, "self.peer_groups.1.code"), "Y62");
	num_is(o, "self.peer_groups.1.organisations", 7);
	/* no other trust can be identified: no code or name of another trust
	 * appears anywhere in what RA3 sees */
	char *text = json_dumps(o, 0);
	for (size_t i = 0; i < 8; i++) {
		if (i == 2)
			continue;
		char name[32];
		(void)snprintf(name, sizeof name, "Test Trust %zu", i + 1);
		if (strstr(text, trusts[i]) || strstr(text, name))
			fail_msg("RA3's benchmark reveals %s", trusts[i]);
	}
	free(text);
	json_decref(o);

	/* RA7 is alone in QE1: that comparison is suppressed; the region's is not */
	assert_int_equal(assess_benchmark_json(&t->sys, t->db, "RA7", FY2025, "tiny", &o, &e),
	                 CADRE_OK);
	assert_string_equal(str_at(o, "self.peer_groups.0.code"), "QE1");
	num_is(o, "self.peer_groups.0.organisations", 1);
	assert_true(json_is_true(at(o, "self.peer_groups.0.suppressed")));
	null_at(o, "self.peer_groups.0.factors.0.others");
	null_at(o, "self.peer_groups.0.factors.0.distribution");
	assert_string_equal(str_at(o, "self.peer_groups.0.reason"),
	                    "fewer than 5 organisations with results: no comparison is shown, so "
	                    "none can be identified");
	assert_false(json_is_true(at(o, "self.peer_groups.1.suppressed")));
	num_is(o, "self.peer_groups.1.factors.0.distribution.n", 7);
	json_decref(o);
	/* the region sees all seven trusts named */
	assert_int_equal(assess_benchmark_json(&t->sys, t->db, "Y62", FY2025, "tiny", &o, &e),
	                 CADRE_OK);
	num_is(o, "organisations.count", 7);
	json_decref(o);
}

/* with only four of QOP's trusts closed, a trust's ICB comparison is
 * suppressed */
static void test_benchmark_too_few(void **state)
{
	struct testdomain *t = *state;
	setup_common(t);
	trust_round(t, "RA1", 1, 5, true);
	trust_round(t, "RA2", 2, 3, true);
	trust_round(t, "RA3", 3, 1, true);
	trust_round(t, "RA4", 4, 4, true);
	trust_round(t, "RA5", 5, 2, false);
	struct cadre_err e;
	json_t *o = NULL;
	assert_int_equal(assess_benchmark_json(&t->sys, t->db, "RA2", FY2025, "tiny", &o, &e),
	                 CADRE_OK);
	num_is(o, "self.peer_groups.0.organisations", 4);
	assert_true(json_is_true(at(o, "self.peer_groups.0.suppressed")));
	for (size_t i = 0; i < 3; i++) {
		char p[64];
		(void)snprintf(p, sizeof p, "self.peer_groups.0.factors.%zu.others", i);
		null_at(o, p);
	}
	json_decref(o);
}

/* ---- actions and good practice ---------------------------------------------------- */

static void test_actions_and_practice(void **state)
{
	struct testdomain *t = *state;
	setup_common(t);
	benchmark_rounds(t);
	struct cadre_err e;
	struct assess_ref r1 = {.org = "RA1", .period = FY2025, .toolkit = "tiny"};
	int64_t id = 0;
	assert_int_equal(assess_action_add(&t->sys, t->db, t->key, &r1, "alpha",
	                                   "Train two planners", "Mr D Owner", "2026-09-30",
	                                   &t->clk.clock, &id, &e),
	                 CADRE_OK);
	assert_int_equal(id, 1);
	assert_int_equal(assess_action_add(&t->sys, t->db, t->key, &r1, "gamma", "x", "y",
	                                   "2026-09-30", &t->clk.clock, NULL, &e),
	                 CADRE_EINVAL);
	assert_string_equal(e.msg, "unknown factor 'gamma' in tiny version 1");
	assert_int_equal(assess_action_add(&t->sys, t->db, t->key, &r1, "alpha", "x", "y",
	                                   "2026-13-01", &t->clk.clock, NULL, &e),
	                 CADRE_EINVAL);
	assert_string_equal(e.msg, "due date '2026-13-01': expected YYYY-MM-DD");
	assert_int_equal(assess_action_update(&t->sys, t->db, t->key, id, "in_progress",
	                                      "Course booked", &t->clk.clock, &e),
	                 CADRE_OK);
	assert_int_equal(assess_action_update(&t->sys, t->db, t->key, id, "in_progress", NULL,
	                                      &t->clk.clock, &e),
	                 CADRE_EINVAL);
	assert_string_equal(e.msg, "action 1 is already in_progress: give a new status or a note");
	assert_int_equal(
	    assess_action_update(&t->sys, t->db, t->key, id, "finished", NULL, &t->clk.clock, &e),
	    CADRE_EINVAL);
	assert_int_equal(
	    assess_action_update(&t->sys, t->db, t->key, 99, "done", NULL, &t->clk.clock, &e),
	    CADRE_ENOTFOUND);
	assert_int_equal(assess_action_update(&t->sys, t->db, t->key, id, "done", "Both trained",
	                                      &t->clk.clock, &e),
	                 CADRE_OK);
	json_t *rep = NULL;
	assert_int_equal(assess_report_json(&t->sys, t->db, &r1, &rep, &e), CADRE_OK);
	assert_string_equal(str_at(rep, "actions.0.status"), "done");
	assert_string_equal(str_at(rep, "actions.0.owner"), "Mr D Owner");
	assert_string_equal(str_at(rep, "actions.0.notes.0.note"), "Course booked");
	assert_string_equal(str_at(rep, "actions.0.notes.0.status"), "in_progress");
	assert_string_equal(str_at(rep, "actions.0.notes.1.note"), "Both trained");
	json_decref(rep);

	/* good practice: RA4 scored alpha 4 (named), RA5 alpha 5 (anonymous);
	 * RA2's alpha 2 is too low; RA8's round is still open */
	struct assess_ref r4 = {.org = "RA4", .period = FY2025, .toolkit = "tiny"};
	struct assess_ref r5 = {.org = "RA5", .period = FY2025, .toolkit = "tiny"};
	struct assess_ref r2 = {.org = "RA2", .period = FY2025, .toolkit = "tiny"};
	struct assess_ref r8 = {.org = "RA8", .period = FY2025, .toolkit = "tiny"};
	assert_int_equal(assess_share(&t->sys, t->db, t->key, &r4, "a-1", "We train planners.",
	                              true, "CPO 4", &t->clk.clock, &e),
	                 CADRE_OK);
	assert_int_equal(assess_share(&t->sys, t->db, t->key, &r5, "a-1", "Quarterly reviews.",
	                              false, "CPO 5", &t->clk.clock, &e),
	                 CADRE_OK);
	assert_int_equal(
	    assess_share(&t->sys, t->db, t->key, &r2, "a-1", "x", true, "CPO 2", &t->clk.clock, &e),
	    CADRE_EINVAL);
	assert_string_equal(e.msg, "statement 'a-1' scored 2.00: good practice is shared from "
	                           "statements scored 4 or more");
	assert_int_equal(
	    assess_share(&t->sys, t->db, t->key, &r8, "a-1", "x", true, "CPO 8", &t->clk.clock, &e),
	    CADRE_ECONFLICT);
	json_t *o = NULL;
	assert_int_equal(assess_practice_json(&t->sys, t->db, "tiny", "a-1", &o, &e), CADRE_OK);
	assert_int_equal(json_array_size(at(o, "practice")), 2);
	/* best score first: RA5's 5.00, anonymous */
	num_is(o, "practice.0.score", 5.0);
	null_at(o, "practice.0.org");
	null_at(o, "practice.0.org_name");
	assert_string_equal(str_at(o, "practice.0.text"), "Quarterly reviews.");
	num_is(o, "practice.1.score", 4.0);
	assert_string_equal(str_at(o, "practice.1.org"), "RA4");
	char *text = json_dumps(o, 0);
	assert_null(strstr(text, "RA5"));
	assert_null(strstr(text, "Test Trust 5"));
	free(text);
	json_decref(o);
	assert_int_equal(assess_practice_json(&t->sys, t->db, "tiny", "zz", &o, &e), CADRE_EINVAL);
}

/* ---- export and the board summary ----------------------------------------------- */

static void test_export_summary(void **state)
{
	struct testdomain *t = *state;
	setup_common(t);
	worked_round(t);
	struct cadre_err e;
	assert_int_equal(
	    assess_close(&t->sys, t->db, t->key, &RA1_2024, "Ms C People", &t->clk.clock, &e),
	    CADRE_OK);
	json_t *rep = NULL;
	assert_int_equal(assess_report_json(&t->sys, t->db, &RA1_2024, &rep, &e), CADRE_OK);
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(assess_export_csv(rep, &b, &e), CADRE_OK);
	const char *want =
	    "\xef\xbb\xbforg_code,period,toolkit_id,toolkit_version,level,factor_id,statement_id,"
	    "group_id,text,score,respondents,shown,note\r\n"
	    "RA1,2024/25,tiny,1,overall,,,,,2.95,14,1,\r\n"
	    "RA1,2024/25,tiny,1,group,,,board,Board members,4.00,4,1,\r\n"
	    "RA1,2024/25,tiny,1,group,,,senior_leaders,Senior leaders,,3,0,secondary\r\n"
	    "RA1,2024/25,tiny,1,group,,,line_managers,Line managers,2.50,5,1,\r\n"
	    "RA1,2024/25,tiny,1,group,,,workforce_planners,Workforce planners,,2,0,primary\r\n"
	    "RA1,2024/25,tiny,1,factor,alpha,,,Alpha,3.14,2,1,spread 1.75 (wide)\r\n"
	    "RA1,2024/25,tiny,1,factor_group,alpha,,board,,4.25,4,1,\r\n";
	if (strncmp(buf_cstr(&b), want, strlen(want)) != 0)
		fail_msg("CSV begins:\n%.*s", (int)strlen(want) + 40, buf_cstr(&b));
	assert_non_null(strstr(buf_cstr(&b), "RA1,2024/25,tiny,1,statement,alpha,a-2,,Statement "
	                                     "a-2.,3.00,14,1,\"rank 1, priority 0.555\"\r\n"));
	buf_reset(&b);
	assert_int_equal(assess_summary_markdown(rep, &b, &e), CADRE_OK);
	const char *md = buf_cstr(&b);
	assert_non_null(strstr(md, "# Tiny test toolkit\n\n**Test Trust 1 (RA1), 2024/25**\n"));
	if (!strstr(md, "\nClosed by Ms C People on 1 Jan 2026 00:00 GMT; not yet signed off by "
	                "the board.\n"))
		fail_msg("summary:\n%s", md);
	assert_non_null(strstr(md, "14 of 16 invited respondents submitted (88%)."));
	assert_non_null(strstr(md, "| Senior leaders | 3 | 3 | no: hidden so a smaller group "
	                           "cannot be worked out |\n"));
	assert_non_null(
	    strstr(md, "| Workforce planners | 2 | 2 | no: fewer than 3 respondents |\n"));
	assert_non_null(strstr(md, "Overall **2.95** of 5 (developing)."));
	assert_non_null(strstr(md,
	                       "| Alpha | 3.14 | developing | 1.75 (Board members highest, Line "
	                       "managers lowest) **wide** |  |\n"));
	assert_non_null(strstr(md, "1. **a-2** (alpha): Statement a-2. — scored 3.00 of 5; groups "
	                           "differ by 1.40 points; contrary evidence: 6.00%"));
	assert_non_null(strstr(md, "(concern)"));
	/* two factors are too few axes for a radar chart */
	buf_reset(&b);
	assert_int_equal(assess_radar_html(rep, &b, &e), CADRE_EINVAL);
	buf_free(&b);
	json_decref(rep);
}

/* ---- permissions --------------------------------------------------------------------- */

static void test_permissions(void **state)
{
	struct testdomain *t = *state;
	setup_common(t);
	struct cadre_err e;
	/* a chief people officer over the ICB may open a trust's round */
	int64_t qop = 0;
	struct org_node n;
	assert_int_equal(org_get(&t->sys, t->db, "QOP", &n, &e), CADRE_OK);
	qop = n.id;
	struct actor_grant cpo = {.role = "chief_people_officer", .org_id = qop};
	struct actor a_cpo = actor_user(10, &cpo, 1);
	struct assess_open_req req = {.ref = RA1_2024, .opened_by = "CPO"};
	assert_int_equal(assess_open(&a_cpo, t->db, t->key, &req, &t->clk.clock, NULL, &e),
	                 CADRE_OK);
	/* a board member of RA1 may not open, but may read and sign off */
	struct actor_grant board = {.role = "board_member", .org_id = trust_id[0]};
	struct actor a_board = actor_user(11, &board, 1);
	req.ref.period = FY2025;
	assert_int_equal(assess_open(&a_board, t->db, t->key, &req, &t->clk.clock, NULL, &e),
	                 CADRE_EPERM);
	assert_string_equal(e.msg,
	                    "this needs the chief_people_officer role over the organisation");
	json_t *o = NULL;
	assert_int_equal(assess_status_json(&a_board, t->db, &RA1_2024, &o, &e), CADRE_OK);
	json_decref(o);
	/* someone over RA2 only cannot see RA1's round at all */
	struct actor_grant other = {.role = "chief_people_officer", .org_id = trust_id[1]};
	struct actor a_other = actor_user(12, &other, 1);
	assert_int_equal(assess_status_json(&a_other, t->db, &RA1_2024, &o, &e), CADRE_ENOTFOUND);
	assert_int_equal(assess_close(&a_board, t->db, t->key, &RA1_2024, "x", &t->clk.clock, &e),
	                 CADRE_EPERM);
}

/* ---- the demo seed ------------------------------------------------------------------- */

static const struct store_sql q_signed = {
    "t_signed",
    "SELECT r.period, o.code, s.results_sha256 FROM assess_signoff s JOIN "
    "assess_round r ON r.id = s.round_id JOIN org o ON o.id = r.org_id "
    "ORDER BY o.code, r.period",
    NULL};

static void signed_list(struct store *db, struct buf *out)
{
	struct cadre_err e;
	struct store_stmt *st;
	assert_int_equal(store_prepare(db, &q_signed, &st, &e), CADRE_OK);
	int rc;
	while ((rc = store_step(st, &e)) == CADRE_OK)
		assert_int_equal(buf_printf(out, &e, "%lld %s %s\n",
		                            (long long)store_col_i64(st, 0), store_col_text(st, 1),
		                            store_col_text(st, 2)),
		                 CADRE_OK);
	assert_int_equal(rc, CADRE_DONE);
}

static void test_demo_seed(void **state)
{
	struct testdomain *t = *state;
	build(t);
	const char *orgs[] = {"RA1", "RA2", "RA3", "RA4", "RA5", "RA6", "QOP"};
	const int periods[] = {FY2025, FY2024};
	struct cadre_err e;
	if (assess_demo_seed(&t->sys, t->db, t->key, orgs, 7, periods, 2, 7, &t->clk.clock, &e) !=
	    CADRE_OK)
		fail_msg("demo: %s", e.msg);
	struct buf a, b;
	buf_init(&a, 1 << 16);
	buf_init(&b, 1 << 16);
	signed_list(t->db, &a);
	/* twelve trust rounds and one ICB round, all signed off */
	size_t lines = 0;
	for (const char *p = buf_cstr(&a); *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 13);
	/* seeding again leaves them alone */
	assert_int_equal(
	    assess_demo_seed(&t->sys, t->db, t->key, orgs, 7, periods, 2, 7, &t->clk.clock, &e),
	    CADRE_OK);
	signed_list(t->db, &b);
	assert_string_equal(buf_cstr(&a), buf_cstr(&b));
	/* the same seed in another database gives the same signed results */
	struct testdomain *t2 = NULL;
	void *s2 = NULL;
	assert_int_equal(testdomain_setup(&s2, t->pg), 0);
	t2 = s2;
	build(t2);
	assert_int_equal(
	    assess_demo_seed(&t2->sys, t2->db, t2->key, orgs, 7, periods, 2, 7, &t2->clk.clock, &e),
	    CADRE_OK);
	buf_reset(&b);
	signed_list(t2->db, &b);
	assert_string_equal(buf_cstr(&a), buf_cstr(&b));
	testdomain_teardown(&s2);
	/* the later rounds show movement, and the ICB compares its trusts */
	json_t *rep = NULL;
	struct assess_ref r = {.org = "RA1", .period = FY2025, .toolkit = NULL};
	assert_int_equal(assess_report_json(&t->sys, t->db, &r, &rep, &e), CADRE_OK);
	assert_string_equal(str_at(rep, "results.movement.from_period"), "2024/25");
	assert_true(json_array_size(at(rep, "actions")) >= 1);
	/* the radar chart: this round and the last, with its data table */
	struct buf svg;
	buf_init(&svg, 1 << 20);
	assert_int_equal(assess_radar_html(rep, &svg, &e), CADRE_OK);
	assert_true(strncmp(buf_cstr(&svg), "<svg ", 5) == 0);
	assert_non_null(strstr(buf_cstr(&svg), "Radar chart of 2 series on 5 axes, scale 1 to 5. "
	                                       "2025/26: Leadership "));
	assert_non_null(strstr(buf_cstr(&svg), "<table"));
	buf_free(&svg);
	json_decref(rep);
	assert_int_equal(assess_benchmark_json(&t->sys, t->db, "QOP", FY2025, NULL, &rep, &e),
	                 CADRE_OK);
	num_is(rep, "organisations.count", 6);
	json_decref(rep);
	buf_free(&a);
	buf_free(&b);
}

#define BOTH(f)                                                                                    \
	{#f "(sqlite)", f, testdomain_setup_sqlite, testdomain_teardown, NULL},                    \
	{                                                                                          \
#f "(postgresql)", f, testdomain_setup_pg, testdomain_teardown, NULL               \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_worked_round),      BOTH(test_bad_input),
	    BOTH(test_signoff_audit),     BOTH(test_versions_and_movement),
	    BOTH(test_evidence),          BOTH(test_benchmark),
	    BOTH(test_benchmark_too_few), BOTH(test_actions_and_practice),
	    BOTH(test_export_summary),    BOTH(test_permissions),
	    BOTH(test_demo_seed),
	};
	return cmocka_run_group_tests_name("domain_assess", tests, NULL, NULL);
}
