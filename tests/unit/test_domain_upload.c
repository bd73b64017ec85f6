#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "domain/establishment.h"
#include "domain/job.h"
#include "domain/people.h"
#include "domain/policy.h"
#include "domain/sickness.h"
#include "domain/upload.h"
#include "domain/wards.h"
#include "store/store.h"
#include "testdomain.h"
#include "testpeople.h"

/* Uploads (domain/upload.h): the synchronous checks, and the state
 * machine through its jobs on both stores: queued -> validating -> valid |
 * invalid -> committing -> committed; discard; expiry under the manual
 * clock; scope; every problem with its line and column. */

#define HOUR_US INT64_C(3600000000)

/* a good establishment file for RXC (cost centres from TP_COST_CENTRES):
 * 2.00 + 1.50 WTE in RXC1001 in March 2025 */
static const char good[] = ESTABLISHMENT_HEADER "\n"
                                                "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,2.00,6000.00\n"
                                                "RXC,RXC1001,2025-03,SUP_DNM,AFC-3,1.50,3000.50\n";

/* the same with two errors: line 3 a grade that is no grade (column 29,
 * in characters), line 4 a WTE that is not a number (column 36) */
static const char bad[] = ESTABLISHMENT_HEADER "\n"
                                               "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,2.00,6000.00\n"
                                               "RXC,RXC1001,2025-03,SUP_DNM,BAND3,1.50,3000.50\n"
                                               "RXC,RXC1001,2025-02,NURSE_HV,AFC-5,lots,10.00\n";

static const struct store_sql q_chunks = {
    .name = "t_upload_chunks",
    .sql = "SELECT COUNT(*) FROM upload_chunk",
};

static const struct store_sql q_est_rows = {
    .name = "t_est_rows",
    .sql = "SELECT COUNT(*) FROM establishment",
};

static int64_t org_id(struct testdomain *t, const char *code)
{
	int64_t id = 0;
	struct cadre_err e;
	if (policy_org_by_code(t->db, code, &id, &e) != CADRE_OK)
		fail_msg("no %s: %s", code, e.msg);
	return id;
}

/* run_jobs: claim and run every queued job; how many ran. */
static int run_jobs(struct testdomain *t)
{
	struct actor w = actor_system("worker");
	struct upload_runner r = {.worker_id = "test-worker",
	                          .lease_ms = 60000,
	                          .audit_key = t->key,
	                          .pseudonym_key = tp_pkey(),
	                          .clk = &t->clk.clock};
	int n = 0;
	for (;;) {
		struct job j;
		struct cadre_err e;
		int rc = job_claim(&w, t->db, r.worker_id, r.lease_ms, &t->clk.clock, &j, &e);
		if (rc == CADRE_DONE)
			return n;
		if (rc != CADRE_OK)
			fail_msg("job_claim: %s", e.msg);
		if (upload_job_run(&w, t->db, &j, &r, &e) != CADRE_OK)
			fail_msg("upload_job_run: %s", e.msg);
		struct job after;
		assert_int_equal(job_get(&w, t->db, j.id, &after, &e), CADRE_OK);
		assert_true(after.state == JOB_DONE || after.state == JOB_FAILED);
		n++;
	}
}

static int64_t create(struct testdomain *t, const struct actor *a, const char *kind,
                      const char *data, int want)
{
	int64_t id = 0;
	struct cadre_err e;
	struct upload_limits lim = {.ttl_us = 2 * HOUR_US};
	int rc = upload_create(a, t->db, upload_kind_find(kind), "C:\\ledger\\march.csv", data,
	                       strlen(data), &lim, &t->clk.clock, &id, &e);
	if (rc != want)
		fail_msg("upload_create: %d, expected %d: %s", rc, want, e.msg);
	return id;
}

static struct upload get(struct testdomain *t, const struct actor *a, int64_t id)
{
	struct upload u;
	struct cadre_err e;
	if (upload_get(a, t->db, id, &t->clk.clock, &u, &e) != CADRE_OK)
		fail_msg("upload_get %lld: %s", (long long)id, e.msg);
	return u;
}

struct probs {
	struct upload_problem v[64];
	size_t n;
};

static int keep(const struct upload_problem *p, void *arg, struct cadre_err *err)
{
	(void)err;
	struct probs *ps = arg;
	if (ps->n < 64)
		ps->v[ps->n++] = *p;
	return CADRE_OK;
}

static void problems(struct testdomain *t, const struct actor *a, int64_t id, struct probs *ps)
{
	struct cadre_err e;
	ps->n = 0;
	bool more = true;
	assert_int_equal(upload_problems(a, t->db, id, 0, 64, keep, ps, &more, &e), CADRE_OK);
	assert_false(more);
}

struct ids {
	int64_t v[16];
	size_t n;
};

static int keep_id(const struct upload *u, void *arg, struct cadre_err *err)
{
	(void)err;
	struct ids *s = arg;
	if (s->n < 16)
		s->v[s->n++] = u->id;
	return CADRE_OK;
}

/* ---- the synchronous checks (no database) ------------------------------------ */

static void check_refused(const char *kind, const char *data, size_t n, const char *says)
{
	struct cadre_err e;
	assert_int_equal(upload_check(upload_kind_find(kind), data, n, &e), CADRE_EINVAL);
	if (!strstr(e.msg, says))
		fail_msg("'%s' does not say '%s'", e.msg, says);
}

static void test_check(void **state)
{
	(void)state;
	struct cadre_err e;
	check_refused("establishment", "", 0, "empty");
	check_refused("establishment", "PK\x03\x04rest", 8, "ZIP archive");
	check_refused("establishment", "\x1f\x8b\x08", 3, "gzip");
	check_refused("establishment", "%PDF-1.7", 8, "PDF");
	check_refused("establishment", "a,b\nc\0d\n", 8, "NUL byte at line 2, column 2");
	check_refused("establishment", "\xEF\xBB\xBF  [{\"org\": 1}]", 17, "looks like JSON");
	/* another kind's header: named */
	check_refused("establishment", WARDS_HEADER "\n", strlen(WARDS_HEADER) + 1,
	              "that of a Cost-centre map");
	/* one column wrong: its number and both names */
	const char *wrong = "org_code,cost_centre_code,period,staff_group,grade,budget_wte,"
	                    "budget_gbp\r\n";
	check_refused("establishment", wrong, strlen(wrong),
	              "column 3: the header names 'period' where a Funded establishment");
	const char *short_h = "org_code,cost_centre_code,month\n";
	check_refused("establishment", short_h, strlen(short_h), "lacks column 4 'staff_group'");
	const char *extra = ESTABLISHMENT_HEADER ",note\n";
	check_refused("establishment", extra, strlen(extra), "extra column 8 'note'");
	/* good, with a byte-order mark and CRLF */
	const char *ok = "\xEF\xBB\xBF" ESTABLISHMENT_HEADER "\r\nRXC,RXC1001\r\n";
	assert_int_equal(upload_check(upload_kind_find("establishment"), ok, strlen(ok), &e),
	                 CADRE_OK);
	/* every kind is found by its id; an unknown one is not */
	size_t n;
	const struct upload_kind *k = upload_kinds(&n);
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(upload_kind_find(k[i].id), &k[i]);
	assert_null(upload_kind_find("zip"));
	assert_string_equal(upload_state_name(UPLOAD_COMMITTING), "committing");
}

/* ---- the state machine ------------------------------------------------------- */

static void test_validate_commit(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	tp_setup(t, dir);
	struct actor_grant g = {.role = "workforce_planner", .org_id = org_id(t, "RXC")};
	struct actor a = actor_user(7, &g, 1);
	struct cadre_err e;

	/* a file with errors: invalid, each problem at its line and column */
	int64_t id1 = create(t, &a, "establishment", bad, CADRE_OK);
	struct upload u = get(t, &a, id1);
	assert_int_equal(u.state, UPLOAD_QUEUED);
	assert_string_equal(u.file_name, "march.csv"); /* the base name only */
	assert_string_equal(u.org_code, "RXC");
	assert_int_equal(u.size, (int64_t)strlen(bad));
	assert_int_equal(u.expires_us, TESTDOMAIN_T0 + 2 * HOUR_US);
	/* not yet checked: no commit */
	assert_int_equal(upload_commit(&a, t->db, id1, &t->clk.clock, &e), CADRE_ECONFLICT);
	assert_non_null(strstr(e.msg, "still being checked"));
	assert_int_equal(run_jobs(t), 1);
	u = get(t, &a, id1);
	assert_int_equal(u.state, UPLOAD_INVALID);
	assert_int_equal(u.problems, 2);
	struct probs ps;
	problems(t, &a, id1, &ps);
	assert_int_equal(ps.n, 2);
	assert_int_equal(ps.v[0].line, 3);
	assert_int_equal(ps.v[0].col, 29);
	assert_int_equal(ps.v[1].line, 4);
	assert_int_equal(ps.v[1].col, 36);
	assert_int_equal(upload_commit(&a, t->db, id1, &t->clk.clock, &e), CADRE_ECONFLICT);
	assert_non_null(strstr(e.msg, "has problems"));
	assert_int_equal(testdomain_count(t->db, &q_est_rows), 0);

	/* the corrected file: valid, then committed once */
	int64_t id2 = create(t, &a, "establishment", good, CADRE_OK);
	assert_int_equal(run_jobs(t), 1);
	u = get(t, &a, id2);
	assert_int_equal(u.state, UPLOAD_VALID);
	assert_int_equal(u.rows, 2);
	assert_int_equal(u.problems, 0);
	assert_int_equal(testdomain_count(t->db, &q_est_rows), 0); /* a dry run wrote nothing */
	assert_int_equal(upload_commit(&a, t->db, id2, &t->clk.clock, &e), CADRE_OK);
	u = get(t, &a, id2);
	assert_int_equal(u.state, UPLOAD_COMMITTING);
	assert_string_equal(u.committed_by, "user:7");
	/* a double submit before the job ran */
	assert_int_equal(upload_commit(&a, t->db, id2, &t->clk.clock, &e), CADRE_ECONFLICT);
	assert_non_null(strstr(e.msg, "already being committed"));
	assert_int_equal(run_jobs(t), 1);
	u = get(t, &a, id2);
	assert_int_equal(u.state, UPLOAD_COMMITTED);
	assert_true(u.audit_seq > 0);
	assert_int_equal(testdomain_count(t->db, &q_est_rows), 2);
	/* the figure the import changes: 3.50 WTE funded in RXC, March */
	struct vacancy_report v;
	assert_int_equal(vacancy_report(&t->sys, t->db, "RXC", 202503, &v, &e), CADRE_OK);
	assert_int_equal(v.establishment_wte100, 350);
	vacancy_report_free(&v);
	/* and after: already committed, nothing imported twice, no job */
	assert_int_equal(upload_commit(&a, t->db, id2, &t->clk.clock, &e), CADRE_ECONFLICT);
	assert_non_null(strstr(e.msg, "already committed"));
	assert_int_equal(run_jobs(t), 0);
	assert_int_equal(upload_discard(&a, t->db, id2, &t->clk.clock, &e), CADRE_ECONFLICT);
	/* the committed file's bytes are gone; the invalid one's stay until it
	 * is discarded */
	assert_true(testdomain_count(t->db, &q_chunks) > 0);
	assert_int_equal(upload_discard(&a, t->db, id1, &t->clk.clock, &e), CADRE_OK);
	assert_int_equal(testdomain_count(t->db, &q_chunks), 0);
	assert_int_equal(get(t, &a, id1).state, UPLOAD_DISCARDED);
	assert_int_equal(upload_commit(&a, t->db, id1, &t->clk.clock, &e), CADRE_ECONFLICT);
	assert_non_null(strstr(e.msg, "discarded"));
	tp_rmdir(dir);
}

/* invalid UTF-8: each bad byte at its line and column, the importer not run */
static void test_utf8(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	tp_setup(t, dir);
	struct actor_grant g = {.role = "workforce_planner", .org_id = org_id(t, "RXC")};
	struct actor a = actor_user(7, &g, 1);
	const char *f = ESTABLISHMENT_HEADER "\n"
	                                     "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,2.00,6000.00\n"
	                                     "RXC,R\xE9X,2025-03\n"
	                                     "RXC,\xC3\xA9\xFF,2025-03\n";
	int64_t id = create(t, &a, "establishment", f, CADRE_OK);
	assert_int_equal(run_jobs(t), 1);
	assert_int_equal(get(t, &a, id).state, UPLOAD_INVALID);
	struct probs ps;
	problems(t, &a, id, &ps);
	assert_int_equal(ps.n, 2);
	assert_int_equal(ps.v[0].line, 3);
	assert_int_equal(ps.v[0].col, 6);
	assert_non_null(strstr(ps.v[0].reason, "not valid UTF-8 (byte 0xE9)"));
	assert_int_equal(ps.v[1].line, 4);
	assert_int_equal(ps.v[1].col, 6); /* "RXC,é" is 5 characters */
	tp_rmdir(dir);
}

/* scope: the file's organisations, who sees an upload, who may load what */
static void test_scope(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	tp_setup(t, dir);
	struct actor_grant g = {.role = "workforce_planner", .org_id = org_id(t, "RXC")};
	struct actor a = actor_user(7, &g, 1);
	struct actor_grant g2 = {.role = "workforce_planner", .org_id = org_id(t, "RJ1")};
	struct actor other = actor_user(8, &g2, 1);
	struct actor_grant g3 = {.role = "finance_business_partner", .org_id = org_id(t, "RXC")};
	struct actor fbp = actor_user(9, &g3, 1);
	struct actor_grant g4 = {.role = "board_member", .org_id = org_id(t, "RXC")};
	struct actor board = actor_user(10, &g4, 1);
	struct cadre_err e;
	/* RYR (line 3, column 1) is not below RXC */
	const char *f = ESTABLISHMENT_HEADER "\n"
	                                     "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,2.00,6000.00\n"
	                                     "RYR,RYR1001,2025-03,NURSE_HV,AFC-6,0.50,1800.00\n";
	int64_t id = create(t, &a, "establishment", f, CADRE_OK);
	assert_int_equal(run_jobs(t), 1);
	assert_int_equal(get(t, &a, id).state, UPLOAD_INVALID);
	struct probs ps;
	problems(t, &a, id, &ps);
	assert_int_equal(ps.n, 1);
	assert_int_equal(ps.v[0].line, 3);
	assert_int_equal(ps.v[0].col, 1);
	assert_non_null(strstr(ps.v[0].reason, "RYR is outside"));
	/* another trust's planner: no such upload, in the list neither */
	struct upload u;
	assert_int_equal(upload_get(&other, t->db, id, &t->clk.clock, &u, &e), CADRE_ENOTFOUND);
	assert_int_equal(upload_commit(&other, t->db, id, &t->clk.clock, &e), CADRE_ENOTFOUND);
	struct ids seen = {.n = 0};
	bool more = true;
	assert_int_equal(
	    upload_list(&other, t->db, 0, 10, &t->clk.clock, keep_id, &seen, &more, &e), CADRE_OK);
	assert_int_equal(seen.n, 0);
	assert_false(more);
	/* a finance business partner loads the ledger, not the staff extract */
	int64_t id2 = create(t, &fbp, "establishment", good, CADRE_OK);
	create(t, &fbp, "staff", PEOPLE_HEADER "\n", CADRE_EPERM);
	/* a board member loads nothing; a national publication needs England */
	create(t, &board, "establishment", good, CADRE_EPERM);
	create(t, &a, "sickness", SICKNESS_HEADER "\n", CADRE_EPERM);
	int64_t id3 = create(t, &a, "establishment", good, CADRE_OK);
	/* the RXC planner sees the three RXC uploads, newest first, two a page */
	assert_int_equal(upload_list(&a, t->db, 0, 2, &t->clk.clock, keep_id, &seen, &more, &e),
	                 CADRE_OK);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.v[0], id3);
	assert_int_equal(seen.v[1], id2);
	assert_true(more);
	seen.n = 0;
	assert_int_equal(upload_list(&a, t->db, id2, 2, &t->clk.clock, keep_id, &seen, &more, &e),
	                 CADRE_OK);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.v[0], id);
	assert_false(more);
	tp_rmdir(dir);
}

/* expiry under the manual clock */
static void test_expiry(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	tp_setup(t, dir);
	struct actor_grant g = {.role = "workforce_planner", .org_id = org_id(t, "RXC")};
	struct actor a = actor_user(7, &g, 1);
	struct actor sys = actor_system("worker");
	struct cadre_err e;
	int64_t id1 = create(t, &a, "establishment", good, CADRE_OK);
	int64_t id2 = create(t, &a, "establishment", good, CADRE_OK);
	assert_int_equal(run_jobs(t), 2);
	assert_int_equal(get(t, &a, id1).state, UPLOAD_VALID);
	/* one microsecond before the two hours: still valid */
	clock_manual_advance(&t->clk, 2 * HOUR_US - 1);
	int64_t n = -1;
	assert_int_equal(upload_expire(&sys, t->db, &t->clk.clock, &n, &e), CADRE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(get(t, &a, id1).state, UPLOAD_VALID);
	/* at two hours: reads as expired; a commit is refused and deletes it */
	clock_manual_advance(&t->clk, 1);
	assert_int_equal(get(t, &a, id1).state, UPLOAD_EXPIRED);
	int64_t before = testdomain_count(t->db, &q_chunks);
	assert_int_equal(upload_commit(&a, t->db, id1, &t->clk.clock, &e), CADRE_ECONFLICT);
	assert_non_null(strstr(e.msg, "expired"));
	assert_true(testdomain_count(t->db, &q_chunks) < before);
	assert_int_equal(run_jobs(t), 0);
	assert_int_equal(testdomain_count(t->db, &q_est_rows), 0);
	/* the sweep takes the other; only the system sweeps */
	assert_int_equal(upload_expire(&a, t->db, &t->clk.clock, &n, &e), CADRE_EPERM);
	assert_int_equal(upload_expire(&sys, t->db, &t->clk.clock, &n, &e), CADRE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(get(t, &a, id2).state, UPLOAD_EXPIRED);
	assert_int_equal(testdomain_count(t->db, &q_chunks), 0);
	assert_int_equal(upload_discard(&a, t->db, id2, &t->clk.clock, &e), CADRE_ECONFLICT);
	/* a check queued but not run before expiry is not run after it */
	int64_t id3 = create(t, &a, "establishment", good, CADRE_OK);
	clock_manual_advance(&t->clk, 3 * HOUR_US);
	assert_int_equal(run_jobs(t), 1);
	assert_int_equal(get(t, &a, id3).state, UPLOAD_EXPIRED);
	tp_rmdir(dir);
}

/* a worker that dies mid-job: its lease runs out, the job is reaped as
 * interrupted, nothing was imported, and the upload can be committed again */
static void test_interrupted(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	tp_setup(t, dir);
	struct actor_grant g = {.role = "workforce_planner", .org_id = org_id(t, "RXC")};
	struct actor a = actor_user(7, &g, 1);
	struct actor w = actor_system("worker");
	struct cadre_err e;
	int64_t id = create(t, &a, "establishment", good, CADRE_OK);
	assert_int_equal(run_jobs(t), 1);
	assert_int_equal(upload_commit(&a, t->db, id, &t->clk.clock, &e), CADRE_OK);
	/* claimed by a worker that then vanishes */
	struct job j;
	assert_int_equal(job_claim(&w, t->db, "doomed", 1000, &t->clk.clock, &j, &e), CADRE_OK);
	assert_string_equal(j.kind, UPLOAD_JOB_COMMIT);
	assert_int_equal(get(t, &a, id).state, UPLOAD_COMMITTING);
	clock_manual_advance(&t->clk, 2000000);
	int64_t reaped = 0;
	assert_int_equal(job_reap(&w, t->db, &t->clk.clock, &reaped, &e), CADRE_OK);
	assert_int_equal(reaped, 1);
	struct upload u = get(t, &a, id);
	assert_int_equal(u.state, UPLOAD_VALID);
	assert_non_null(strstr(u.message, "interrupted"));
	assert_int_equal(testdomain_count(t->db, &q_est_rows), 0);
	/* committed again, once */
	assert_int_equal(upload_commit(&a, t->db, id, &t->clk.clock, &e), CADRE_OK);
	assert_int_equal(upload_commit(&a, t->db, id, &t->clk.clock, &e), CADRE_ECONFLICT);
	assert_int_equal(run_jobs(t), 1);
	assert_int_equal(get(t, &a, id).state, UPLOAD_COMMITTED);
	assert_int_equal(testdomain_count(t->db, &q_est_rows), 2);
	tp_rmdir(dir);
}

#define BOTH(f)                                                                                    \
	{#f " (sqlite)", f, testdomain_setup_sqlite, testdomain_teardown, NULL},                   \
	{                                                                                          \
#f " (postgresql)", f, testdomain_setup_pg, testdomain_teardown, NULL              \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check),
	    BOTH(test_validate_commit),
	    BOTH(test_utf8),
	    BOTH(test_scope),
	    BOTH(test_expiry),
	    BOTH(test_interrupted),
	};
	return cmocka_run_group_tests_name("domain_upload", tests, NULL, NULL);
}
