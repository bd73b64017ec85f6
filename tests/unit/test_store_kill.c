/* Crash safety of the SQLite back end: a child process writes 200,000
 * rows in one transaction and is killed with SIGKILL at a random moment,
 * 30 times over.  After each kill the database must pass
 * PRAGMA integrity_check and hold all of that batch's rows or none, and
 * every earlier committed batch must be intact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/rng.h"
#include "store/store.h"
#include "store/store_internal.h"

enum { ROWS = 200000, ROUNDS = 30 };

static const struct store_sql q_ins = {.name = "kill_ins",
                                       .sql = "INSERT INTO k (batch, i, s) VALUES ($1, $2, $3)"};
static const struct store_sql q_batch = {
    .name = "kill_batch", .sql = "SELECT count(*), coalesce(sum(i), 0) FROM k WHERE batch = $1"};
static const struct store_sql q_total = {.name = "kill_total", .sql = "SELECT count(*) FROM k"};
static const struct store_sql q_check = {.name = "kill_check", .sql = "PRAGMA integrity_check"};
static const struct store_sql q_del = {.name = "kill_del", .sql = "DELETE FROM k WHERE batch = $1"};

/* the child: one long write transaction, then exit */
static void writer(const char *path, int batch)
{
	struct store *db;
	struct cadre_err e;
	if (store_open(path, NULL, &db, &e) != CADRE_OK)
		_exit(2);
	if (store_tx_begin(db, STORE_TX_WRITE, &e) != CADRE_OK)
		_exit(3);
	for (int i = 0; i < ROWS; i++) {
		struct store_stmt *st;
		char s[48];
		int n = snprintf(s, sizeof s, "batch %d row %d ŵ", batch, i);
		if (store_prepare(db, &q_ins, &st, &e) != CADRE_OK)
			_exit(4);
		store_bind_i64(st, 1, batch);
		store_bind_i64(st, 2, i);
		store_bind_text(st, 3, s, (size_t)n);
		if (store_exec(st, &e) != CADRE_OK)
			_exit(5);
	}
	if (store_tx_commit(db, &e) != CADRE_OK)
		_exit(6);
	store_close(db);
	_exit(0);
}

static int64_t now_us(void)
{
	return store_now_ns() / 1000;
}

/* run a writer for batch; kill it after delay_us (or let it finish when
 * delay_us < 0).  Returns true if it was killed before it exited. */
static bool run_writer(const char *path, int batch, int64_t delay_us)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		writer(path, batch);
	int status;
	if (delay_us >= 0) {
		struct timespec ts = {.tv_sec = (time_t)(delay_us / 1000000),
		                      .tv_nsec = (long)(delay_us % 1000000) * 1000};
		while (nanosleep(&ts, &ts) != 0)
			;
		(void)kill(pid, SIGKILL);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status)) {
		assert_int_equal(WTERMSIG(status), SIGKILL);
		return true;
	}
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("writer exited with %d", WEXITSTATUS(status));
	return false;
}

/* rows and sum of i for one batch */
static void batch_of(struct store *db, int batch, int64_t *rows, int64_t *sum)
{
	struct store_stmt *st;
	struct cadre_err e;
	assert_int_equal(store_prepare(db, &q_batch, &st, &e), CADRE_OK);
	store_bind_i64(st, 1, batch);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	*rows = store_col_i64(st, 0);
	*sum = store_col_i64(st, 1);
	store_reset(st);
}

static void test_kill_during_write(void **state)
{
	(void)state;
	char dir[64] = "/tmp/cadre-kill-XXXXXX";
	if (!mkdtemp(dir))
		fail_msg("mkdtemp failed");
	char path[128];
	(void)snprintf(path, sizeof path, "%s/kill.db", dir);
	struct store_options opt = {.flags = STORE_OPEN_CREATE};
	struct store *db;
	struct cadre_err e;
	assert_int_equal(store_open(path, &opt, &db, &e), CADRE_OK);
	assert_int_equal(store_exec_script(db,
	                                   "CREATE TABLE k (batch BIGINT NOT NULL, i BIGINT NOT "
	                                   "NULL, s TEXT NOT NULL)",
	                                   &e),
	                 CADRE_OK);
	store_close(db);
	const int64_t full_sum = (int64_t)ROWS * (ROWS - 1) / 2;
	/* batch 0 runs to the end: it measures how long a batch takes and
	 * stays as the committed data every later check looks for */
	int64_t t0 = now_us();
	assert_false(run_writer(path, 0, -1));
	int64_t took = now_us() - t0;
	struct rng r;
	rng_seed(&r, 20240601, 7);
	int killed_mid = 0, completed = 0;
	for (int round = 1; round <= ROUNDS; round++) {
		/* anywhere from the start to a little past the expected end, so
		 * some kills land in the commit and the checkpoint */
		int64_t delay = rng_range(&r, 0, took + took / 5);
		bool killed = run_writer(path, round, delay);
		assert_int_equal(store_open(path, NULL, &db, &e), CADRE_OK);
		struct store_stmt *st;
		assert_int_equal(store_prepare(db, &q_check, &st, &e), CADRE_OK);
		assert_int_equal(store_step(st, &e), CADRE_OK);
		assert_string_equal(store_col_text(st, 0), "ok");
		assert_int_equal(store_step(st, &e), CADRE_DONE);
		int64_t rows, sum;
		batch_of(db, round, &rows, &sum);
		if (rows != 0 && rows != ROWS)
			fail_msg("round %d: %lld rows of %d survived", round, (long long)rows,
			         ROWS);
		if (rows == ROWS) {
			assert_int_equal(sum, full_sum);
			completed++;
			/* keep the file small: drop the batch again */
			assert_int_equal(store_tx_begin(db, STORE_TX_WRITE, &e), CADRE_OK);
			assert_int_equal(store_prepare(db, &q_del, &st, &e), CADRE_OK);
			store_bind_i64(st, 1, round);
			assert_int_equal(store_exec(st, &e), CADRE_OK);
			assert_int_equal(store_tx_commit(db, &e), CADRE_OK);
		} else {
			assert_true(killed);
			killed_mid++;
		}
		batch_of(db, 0, &rows, &sum);
		assert_int_equal(rows, ROWS);
		assert_int_equal(sum, full_sum);
		assert_int_equal(store_prepare(db, &q_total, &st, &e), CADRE_OK);
		assert_int_equal(store_step(st, &e), CADRE_OK);
		assert_int_equal(store_col_i64(st, 0), ROWS);
		store_reset(st);
		store_close(db);
	}
	/* the test meant something: most kills landed mid-transaction */
	assert_true(killed_mid >= ROUNDS / 2);
	print_message("kill test: %d rounds, %d killed mid-write, %d completed, batch %lld ms\n",
	              ROUNDS, killed_mid, completed, (long long)(took / 1000));
	char cmd[160];
	(void)snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kill_during_write),
	};
	return cmocka_run_group_tests_name("store_kill", tests, NULL, NULL);
}
