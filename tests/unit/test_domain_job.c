/* job: queue, claim under a lease (SKIP LOCKED on PostgreSQL), heartbeat
 * and progress, finish, reap of expired leases, a killed worker's writes
 * rolled back; every test on SQLite and on PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "domain/job.h"
#include "testdomain.h"

#define LEASE_MS 30000

static int64_t create(struct testdomain *t, const struct actor *a, const char *kind)
{
	struct cadre_err e;
	int64_t id = 0;
	assert_int_equal(job_create(a, t->db, kind, NULL, &t->clk.clock, &id, &e), CADRE_OK);
	return id;
}

static void test_lifecycle(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	struct job j;
	int64_t id = 0;
	assert_int_equal(
	    job_create(&t->sys, t->db, "org.import", "{\"upload\":7}", &t->clk.clock, &id, &e),
	    CADRE_OK);
	assert_true(id > 0);
	assert_int_equal(job_get(&t->sys, t->db, id, &j, &e), CADRE_OK);
	assert_int_equal(j.state, JOB_QUEUED);
	assert_string_equal(j.kind, "org.import");
	assert_string_equal(j.owner, "system:cli");
	assert_string_equal(j.params, "{\"upload\":7}");
	assert_int_equal(j.created_us, TESTDOMAIN_T0);
	assert_int_equal(j.started_us, 0);
	assert_string_equal(j.lease_owner, "");

	clock_manual_advance(&t->clk, 1000000);
	struct actor w = actor_system("worker");
	assert_int_equal(job_claim(&w, t->db, "host-a:101", LEASE_MS, &t->clk.clock, &j, &e),
	                 CADRE_OK);
	assert_int_equal(j.id, id);
	assert_int_equal(j.state, JOB_RUNNING);
	assert_string_equal(j.lease_owner, "host-a:101");
	assert_int_equal(j.started_us, TESTDOMAIN_T0 + 1000000);
	assert_int_equal(j.lease_expires_us, TESTDOMAIN_T0 + 1000000 + LEASE_MS * INT64_C(1000));
	/* nothing else queued */
	struct job none;
	assert_int_equal(job_claim(&w, t->db, "host-b:7", LEASE_MS, &t->clk.clock, &none, &e),
	                 CADRE_DONE);

	/* heartbeats record progress and push the lease on */
	clock_manual_advance(&t->clk, 20 * INT64_C(1000000));
	assert_int_equal(
	    job_heartbeat(&w, t->db, id, "host-a:101", 250, 1000, LEASE_MS, &t->clk.clock, &e),
	    CADRE_OK);
	assert_int_equal(job_get(&t->sys, t->db, id, &j, &e), CADRE_OK);
	assert_int_equal(j.done, 250);
	assert_int_equal(j.total, 1000);
	assert_int_equal(j.heartbeat_us, TESTDOMAIN_T0 + 21000000);
	assert_int_equal(j.lease_expires_us, TESTDOMAIN_T0 + 21000000 + LEASE_MS * INT64_C(1000));
	/* another worker cannot heartbeat or finish it */
	assert_int_equal(
	    job_heartbeat(&w, t->db, id, "host-b:7", 1, 1, LEASE_MS, &t->clk.clock, &e),
	    CADRE_ECONFLICT);
	assert_int_equal(job_finish(&w, t->db, id, "host-b:7", true, "", &t->clk.clock, &e),
	                 CADRE_ECONFLICT);
	/* 40 s after the claim: past the first lease, within the renewed one */
	clock_manual_advance(&t->clk, 20 * INT64_C(1000000));
	int64_t reaped = -1;
	assert_int_equal(job_reap(&t->sys, t->db, &t->clk.clock, &reaped, &e), CADRE_OK);
	assert_int_equal(reaped, 0);
	assert_int_equal(
	    job_finish(&w, t->db, id, "host-a:101", true, "412 organisations", &t->clk.clock, &e),
	    CADRE_OK);
	assert_int_equal(job_get(&t->sys, t->db, id, &j, &e), CADRE_OK);
	assert_int_equal(j.state, JOB_DONE);
	assert_string_equal(j.message, "412 organisations");
	assert_int_equal(j.finished_us, TESTDOMAIN_T0 + 41000000);
	/* finished is final */
	assert_int_equal(job_finish(&w, t->db, id, "host-a:101", false, "again", &t->clk.clock, &e),
	                 CADRE_ECONFLICT);

	int64_t id2 = create(t, &t->sys, "plan.run");
	assert_int_equal(job_claim(&w, t->db, "host-a:101", LEASE_MS, &t->clk.clock, &j, &e),
	                 CADRE_OK);
	assert_int_equal(j.id, id2);
	assert_int_equal(job_finish(&w, t->db, id2, "host-a:101", false, "input had 3 errors",
	                            &t->clk.clock, &e),
	                 CADRE_OK);
	assert_int_equal(job_get(&t->sys, t->db, id2, &j, &e), CADRE_OK);
	assert_int_equal(j.state, JOB_FAILED);
	assert_string_equal(job_state_name(j.state), "failed");
}

static void test_claims_oldest_first(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	int64_t ids[3];
	for (int i = 0; i < 3; i++) {
		ids[i] = create(t, &t->sys, "org.import");
		clock_manual_advance(&t->clk, 1);
	}
	struct actor w = actor_system("worker");
	for (int i = 0; i < 3; i++) {
		struct job j;
		assert_int_equal(job_claim(&w, t->db, "w1", LEASE_MS, &t->clk.clock, &j, &e),
		                 CADRE_OK);
		assert_int_equal(j.id, ids[i]);
	}
	struct job j;
	assert_int_equal(job_claim(&w, t->db, "w1", LEASE_MS, &t->clk.clock, &j, &e), CADRE_DONE);
}

static void test_validation(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	struct job j;
	int64_t id;
	const struct clock *c = &t->clk.clock;
	assert_int_equal(job_create(&t->sys, t->db, "", NULL, c, &id, &e), CADRE_EINVAL);
	assert_int_equal(job_create(&t->sys, t->db, "Org Import", NULL, c, &id, &e), CADRE_EINVAL);
	assert_int_equal(job_create(&t->sys, t->db, "x", "[1]", c, &id, &e), CADRE_EINVAL);
	assert_int_equal(job_create(&t->sys, t->db, "x", "{", c, &id, &e), CADRE_EINVAL);
	struct actor nobody = actor_system("");
	assert_int_equal(job_create(&nobody, t->db, "x", NULL, c, &id, &e), CADRE_EINVAL);
	assert_int_equal(job_claim(&t->sys, t->db, "", LEASE_MS, c, &j, &e), CADRE_EINVAL);
	assert_int_equal(job_claim(&t->sys, t->db, "a b", LEASE_MS, c, &j, &e), CADRE_EINVAL);
	assert_int_equal(job_claim(&t->sys, t->db, "w", 0, c, &j, &e), CADRE_EINVAL);
	assert_int_equal(job_heartbeat(&t->sys, t->db, 1, "w", -1, 0, LEASE_MS, c, &e),
	                 CADRE_EINVAL);
	assert_int_equal(job_get(&t->sys, t->db, 999, &j, &e), CADRE_ENOTFOUND);
	/* a claim must commit at once: not inside a caller's transaction */
	assert_int_equal(store_tx_begin(t->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(job_claim(&t->sys, t->db, "w", LEASE_MS, c, &j, &e), CADRE_EINVAL);
	assert_int_equal(store_tx_rollback(t->db, &e), CADRE_OK);
}

/* An expired lease: the worker is refused, the reaper marks it. */
static void test_lease_expiry_interrupts(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	struct job j;
	int64_t id = create(t, &t->sys, "org.import");
	struct actor w = actor_system("worker");
	assert_int_equal(job_claim(&w, t->db, "host-a:101", 1000, &t->clk.clock, &j, &e), CADRE_OK);
	clock_manual_advance(&t->clk, 1000000); /* exactly at expiry: still held */
	assert_int_equal(job_heartbeat(&w, t->db, id, "host-a:101", 1, 10, 1000, &t->clk.clock, &e),
	                 CADRE_OK);
	clock_manual_advance(&t->clk, 1000001); /* 1 µs past the renewed lease */
	assert_int_equal(job_heartbeat(&w, t->db, id, "host-a:101", 2, 10, 1000, &t->clk.clock, &e),
	                 CADRE_ECONFLICT);
	assert_int_equal(job_finish(&w, t->db, id, "host-a:101", true, NULL, &t->clk.clock, &e),
	                 CADRE_ECONFLICT);
	int64_t reaped = 0;
	assert_int_equal(job_reap(&t->sys, t->db, &t->clk.clock, &reaped, &e), CADRE_OK);
	assert_int_equal(reaped, 1);
	assert_int_equal(job_get(&t->sys, t->db, id, &j, &e), CADRE_OK);
	assert_int_equal(j.state, JOB_INTERRUPTED);
	assert_string_equal(j.message,
	                    "interrupted: the lease of worker host-a:101 ran out before the job "
	                    "finished");
	assert_int_equal(j.done, 1);
	assert_int_equal(j.finished_us, TESTDOMAIN_T0 + 2000001);
	assert_int_equal(job_reap(&t->sys, t->db, &t->clk.clock, &reaped, &e), CADRE_OK);
	assert_int_equal(reaped, 0);
	/* an interrupted job is not claimed again by itself */
	assert_int_equal(job_claim(&w, t->db, "host-b:1", 1000, &t->clk.clock, &j, &e), CADRE_DONE);

	/* the claim reaps too */
	int64_t id2 = create(t, &t->sys, "org.import");
	int64_t id3 = create(t, &t->sys, "org.import");
	assert_int_equal(job_claim(&w, t->db, "host-a:101", 1000, &t->clk.clock, &j, &e), CADRE_OK);
	assert_int_equal(j.id, id2);
	clock_manual_advance(&t->clk, 5000000);
	assert_int_equal(job_claim(&w, t->db, "host-b:1", 1000, &t->clk.clock, &j, &e), CADRE_OK);
	assert_int_equal(j.id, id3);
	assert_int_equal(job_get(&t->sys, t->db, id2, &j, &e), CADRE_OK);
	assert_int_equal(j.state, JOB_INTERRUPTED);
}

static const struct store_sql q_lock_job1 = {
    .name = "t_lock_job1",
    .sql = "SELECT id FROM job WHERE id = 1",
    .pg_sql = "SELECT id FROM job WHERE id = 1 FOR UPDATE",
};

/* PostgreSQL: a job row locked by another worker's claim is skipped, not
 * waited for (the lock timeout would answer busy).  SQLite: the other
 * worker's open write transaction holds the only writer lock, so the
 * claim waits its busy timeout and answers busy: never the same job. */
static void test_claim_skips_locked(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	int64_t id1 = create(t, &t->sys, "org.import");
	int64_t id2 = create(t, &t->sys, "org.import");
	assert_int_equal(id1, 1);
	struct store *other = testdomain_open(t);
	assert_int_equal(store_tx_begin(other, STORE_TX_WRITE, &e), CADRE_OK);
	struct store_stmt *st;
	assert_int_equal(store_prepare(other, &q_lock_job1, &st, &e), CADRE_OK);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	store_reset(st);

	struct store_options opt = {.busy_timeout_ms = 300};
	struct store *db = NULL;
	assert_int_equal(store_open(t->url, &opt, &db, &e), CADRE_OK);
	struct actor w = actor_system("worker");
	struct job j;
	int rc = job_claim(&w, db, "w2", LEASE_MS, &t->clk.clock, &j, &e);
	if (t->pg) {
		assert_int_equal(rc, CADRE_OK);
		assert_int_equal(j.id, id2);
	} else {
		assert_int_equal(rc, CADRE_EBUSY);
	}
	assert_int_equal(store_tx_rollback(other, &e), CADRE_OK);
	store_close(other);
	assert_int_equal(job_claim(&w, db, "w2", LEASE_MS, &t->clk.clock, &j, &e), CADRE_OK);
	assert_int_equal(j.id, id1);
	store_close(db);
}

/* ---- many workers at once -------------------------------------------------- */

#define NJOBS    40
#define NWORKERS 4

struct worker {
	const struct testdomain *t;
	char id[16];
	int64_t claimed[NJOBS];
	int n;
	char err[CADRE_ERR_MSG_MAX];
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct cadre_err e;
	struct store *db = NULL;
	struct actor a = actor_system("worker");
	int busy = 0;
	if (store_open(w->t->url, NULL, &db, &e) != CADRE_OK) {
		(void)snprintf(w->err, sizeof w->err, "%s", e.msg);
		return NULL;
	}
	for (;;) {
		struct job j;
		int rc = job_claim(&a, db, w->id, LEASE_MS, &w->t->clk.clock, &j, &e);
		if (rc == CADRE_DONE)
			break;
		/* a real worker loop waits and tries again when the claim
		 * stayed busy through its retries */
		if (rc == CADRE_EBUSY && ++busy < 20)
			continue;
		if (rc == CADRE_OK)
			rc = job_finish(&a, db, j.id, w->id, true, w->id, &w->t->clk.clock, &e);
		if (rc != CADRE_OK) {
			(void)snprintf(w->err, sizeof w->err, "%s", e.msg);
			break;
		}
		w->claimed[w->n++] = j.id;
	}
	store_close(db);
	return NULL;
}

struct seen {
	int count[NJOBS + 1];
	char by[NJOBS + 1][16];
};

static int note_job(const struct job *j, void *arg, struct cadre_err *err)
{
	(void)err;
	struct seen *s = arg;
	if (j->id < 1 || j->id > NJOBS || j->state != JOB_DONE)
		return cadre_err_set(err, CADRE_EINVAL, "job %lld in state %s", (long long)j->id,
		                     job_state_name(j->state));
	s->count[j->id]++;
	(void)snprintf(s->by[j->id], sizeof s->by[j->id], "%.15s", j->message);
	return CADRE_OK;
}

/* Workers on their own connections never claim the same job, and every
 * job is done by the worker that claimed it. */
static void test_workers_never_share_a_job(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	for (int i = 0; i < NJOBS; i++)
		(void)create(t, &t->sys, "org.import");
	struct worker w[NWORKERS];
	pthread_t th[NWORKERS];
	memset(w, 0, sizeof w);
	for (int i = 0; i < NWORKERS; i++) {
		w[i].t = t;
		(void)snprintf(w[i].id, sizeof w[i].id, "w%d", i);
		assert_int_equal(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
	}
	int total = 0;
	int claimed_by[NJOBS + 1] = {0};
	for (int i = 0; i < NWORKERS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		if (w[i].err[0])
			fail_msg("%s: %s", w[i].id, w[i].err);
		total += w[i].n;
		for (int k = 0; k < w[i].n; k++) {
			assert_int_equal(claimed_by[w[i].claimed[k]], 0);
			claimed_by[w[i].claimed[k]] = i + 1;
		}
	}
	assert_int_equal(total, NJOBS);
	struct seen s;
	memset(&s, 0, sizeof s);
	assert_int_equal(job_list(&t->sys, t->db, note_job, &s, &e), CADRE_OK);
	for (int id = 1; id <= NJOBS; id++) {
		assert_int_equal(s.count[id], 1);
		assert_string_equal(s.by[id], w[claimed_by[id] - 1].id);
	}
}

/* ---- a worker killed mid-transaction ------------------------------------- */

static const struct store_sql q_scratch_create = {
    .name = "t_scratch_create",
    .sql = "CREATE TABLE scratch (n BIGINT NOT NULL)",
};
static const struct store_sql q_scratch_insert = {
    .name = "t_scratch_insert",
    .sql = "INSERT INTO scratch (n) VALUES ($1)",
};
static const struct store_sql q_scratch_count = {
    .name = "t_scratch_count",
    .sql = "SELECT count(*) FROM scratch",
};

/* the child: claim, commit one heartbeat, then write rows and a second
 * heartbeat in a transaction that never commits: SIGKILL first.  Exit
 * codes other than death by SIGKILL report where it went wrong. */
static void child_worker(const struct testdomain *t, int ready_fd)
{
	struct cadre_err e;
	struct store *db = NULL;
	struct actor a = actor_system("worker");
	struct job j;
	if (store_open(t->url, NULL, &db, &e) != CADRE_OK)
		_exit(10);
	if (job_claim(&a, db, "child", 1000, &t->clk.clock, &j, &e) != CADRE_OK)
		_exit(11);
	if (job_heartbeat(&a, db, j.id, "child", 1, 100, 1000, &t->clk.clock, &e) != CADRE_OK)
		_exit(12);
	if (store_tx_begin(db, STORE_TX_WRITE, &e) != CADRE_OK)
		_exit(13);
	for (int i = 0; i < 50; i++) {
		struct store_stmt *st;
		if (store_prepare(db, &q_scratch_insert, &st, &e) != CADRE_OK)
			_exit(14);
		store_bind_i64(st, 1, i);
		if (store_exec(st, &e) != CADRE_OK)
			_exit(15);
	}
	if (job_heartbeat(&a, db, j.id, "child", 50, 100, 1000, &t->clk.clock, &e) != CADRE_OK)
		_exit(16);
	char c = 'r';
	if (write(ready_fd, &c, 1) != 1)
		_exit(17);
	(void)raise(SIGKILL);
	_exit(18);
}

static void test_killed_worker_rolls_back(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	testdomain_exec(t->db, &q_scratch_create);
	int64_t id = create(t, &t->sys, "org.import");
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		(void)close(fds[0]);
		child_worker(t, fds[1]);
	}
	(void)close(fds[1]);
	char c = 0;
	ssize_t got = read(fds[0], &c, 1);
	(void)close(fds[0]);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
		fail_msg("child did not die by SIGKILL: exit %d",
		         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	assert_int_equal(got, 1);

	/* the uncommitted rows and heartbeat are gone with the worker */
	assert_int_equal(testdomain_count(t->db, &q_scratch_count), 0);
	struct job j;
	assert_int_equal(job_get(&t->sys, t->db, id, &j, &e), CADRE_OK);
	assert_int_equal(j.state, JOB_RUNNING);
	assert_int_equal(j.done, 1);
	assert_string_equal(j.lease_owner, "child");
	/* still leased: the reaper leaves it */
	int64_t reaped = -1;
	assert_int_equal(job_reap(&t->sys, t->db, &t->clk.clock, &reaped, &e), CADRE_OK);
	assert_int_equal(reaped, 0);
	/* once the lease has run out it is interrupted */
	clock_manual_advance(&t->clk, 1000001);
	assert_int_equal(job_reap(&t->sys, t->db, &t->clk.clock, &reaped, &e), CADRE_OK);
	assert_int_equal(reaped, 1);
	assert_int_equal(job_get(&t->sys, t->db, id, &j, &e), CADRE_OK);
	assert_int_equal(j.state, JOB_INTERRUPTED);
	assert_int_equal(j.done, 1);
	assert_int_equal(j.total, 100);
	assert_int_equal(testdomain_count(t->db, &q_scratch_count), 0);
}

/* ---- who sees what ------------------------------------------------------------ */

struct listed {
	int n;
	int64_t ids[8];
};

static int list_ids(const struct job *j, void *arg, struct cadre_err *err)
{
	(void)err;
	struct listed *l = arg;
	l->ids[l->n++] = j->id;
	return CADRE_OK;
}

static void test_visibility(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	struct actor u42 = actor_user(42, NULL, 0);
	struct actor u7 = actor_user(7, NULL, 0);
	int64_t a = create(t, &u42, "plan.run");
	int64_t b = create(t, &u7, "plan.run");
	int64_t c = create(t, &t->sys, "org.import");
	struct listed l = {0};
	assert_int_equal(job_list(&t->sys, t->db, list_ids, &l, &e), CADRE_OK);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.ids[0], c); /* newest first */
	assert_int_equal(l.ids[2], a);
	memset(&l, 0, sizeof l);
	assert_int_equal(job_list(&u42, t->db, list_ids, &l, &e), CADRE_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.ids[0], a);
	struct job j;
	assert_int_equal(job_get(&u42, t->db, a, &j, &e), CADRE_OK);
	assert_string_equal(j.owner, "user:42");
	assert_int_equal(job_get(&u42, t->db, b, &j, &e), CADRE_ENOTFOUND);
	assert_string_equal(e.msg, "job 2: no such job");
	assert_int_equal(job_get(&u42, t->db, c, &j, &e), CADRE_ENOTFOUND);
}

#define BOTH(f)                                                                                    \
	{#f "(sqlite)", f, testdomain_setup_sqlite, testdomain_teardown, NULL},                    \
	{                                                                                          \
#f "(postgresql)", f, testdomain_setup_pg, testdomain_teardown, NULL               \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_lifecycle),
	    BOTH(test_claims_oldest_first),
	    BOTH(test_validation),
	    BOTH(test_lease_expiry_interrupts),
	    BOTH(test_claim_skips_locked),
	    BOTH(test_workers_never_share_a_job),
	    BOTH(test_killed_worker_rolls_back),
	    BOTH(test_visibility),
	};
	return cmocka_run_group_tests_name("domain_job", tests, NULL, NULL);
}
