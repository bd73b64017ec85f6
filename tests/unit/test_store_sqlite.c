/* What only the SQLite back end has: opening files (missing, not a
 * database, read-only, a folder), the connection's settings, the online
 * backup, and I/O failures injected through a wrapping VFS: the error is
 * clear, the transaction rolled back, nothing half-written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/mem.h"
#include "store/migrate.h"
#include "store/store.h"
#include "store/store_internal.h"

struct tmp {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct tmp *t = xcalloc(1, sizeof *t);
	(void)snprintf(t->dir, sizeof t->dir, "/tmp/cadre-sq-XXXXXX");
	if (!mkdtemp(t->dir))
		fail_msg("mkdtemp failed");
	(void)snprintf(t->path, sizeof t->path, "%s/cadre.db", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;
	char cmd[160];
	(void)snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static void assert_msg_has(const struct cadre_err *e, const char *what)
{
	if (!strstr(e->msg, what))
		fail_msg("message [%s] lacks [%s]", e->msg, what);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	(void)fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static struct store *open_create(const char *path)
{
	struct store_options opt = {.flags = STORE_OPEN_CREATE};
	struct store *db;
	struct cadre_err e;
	if (store_open(path, &opt, &db, &e) != CADRE_OK)
		fail_msg("open %s: %s", path, e.msg);
	return db;
}

static void script(struct store *db, const char *sql)
{
	struct cadre_err e;
	if (store_exec_script(db, sql, &e) != CADRE_OK)
		fail_msg("[%s]: %s", sql, e.msg);
}

static const char *one_text(struct store *db, const struct store_sql *q, char *buf, size_t n)
{
	struct store_stmt *st;
	struct cadre_err e;
	if (store_prepare(db, q, &st, &e) != CADRE_OK || store_step(st, &e) != CADRE_OK)
		fail_msg("%s: %s", q->name, e.msg);
	(void)snprintf(buf, n, "%s", store_col_text(st, 0));
	store_reset(st);
	return buf;
}

static int64_t one_i64(struct store *db, const struct store_sql *q)
{
	struct store_stmt *st;
	struct cadre_err e;
	if (store_prepare(db, q, &st, &e) != CADRE_OK || store_step(st, &e) != CADRE_OK)
		fail_msg("%s: %s", q->name, e.msg);
	int64_t v = store_col_i64(st, 0);
	store_reset(st);
	return v;
}

/* ---- opening ---- */

static void test_missing_file(void **state)
{
	struct tmp *t = *state;
	struct store *db;
	struct cadre_err e;
	assert_int_equal(store_open(t->path, NULL, &db, &e), CADRE_ENOTFOUND);
	assert_null(db);
	assert_msg_has(&e, "cadre.db: no such database; create one with `cadre init`");
	assert_int_equal(access(t->path, F_OK), -1); /* not created */
	assert_int_equal(store_open("", NULL, &db, &e), CADRE_EUSAGE);
}

static void test_created_owner_only(void **state)
{
	struct tmp *t = *state;
	struct store *db = open_create(t->path);
	struct stat sb;
	assert_int_equal(stat(t->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_string_equal(store_kind(db), "sqlite");
	assert_string_equal(store_name(db), t->path);
	store_close(db);
}

static void test_not_a_database(void **state)
{
	struct tmp *t = *state;
	char text[4096];
	for (size_t i = 0; i < sizeof text - 1; i++)
		text[i] = (char)('a' + i % 26);
	text[sizeof text - 1] = '\0';
	write_file(t->path, text);
	struct store *db;
	struct cadre_err e;
	assert_int_equal(store_open(t->path, NULL, &db, &e), CADRE_EINVAL);
	assert_null(db);
	char want[200];
	(void)snprintf(want, sizeof want, "%s: not a Cadre/SQLite database", t->path);
	assert_string_equal(e.msg, want);
	/* a folder */
	assert_int_equal(store_open(t->dir, NULL, &db, &e), CADRE_EINVAL);
	assert_msg_has(&e, "is a folder");
}

/* open read-only as an unprivileged user; the parent checks the answer */
static void test_read_only_file(void **state)
{
	struct tmp *t = *state;
	struct store *db = open_create(t->path);
	struct cadre_err e;
	assert_int_equal(migrate_init(db, NULL, 0, NULL, &e), CADRE_OK);
	store_close(db);
	assert_int_equal(chmod(t->path, 0444), 0);
	assert_int_equal(chmod(t->dir, 0755), 0);
	int pipefd[2];
	assert_int_equal(pipe(pipefd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pipefd[0]);
		/* root ignores file modes: become nobody first */
		if (geteuid() == 0) {
			const struct passwd *pw = getpwnam("nobody");
			if (!pw || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
				_exit(3);
		}
		struct store *d2 = NULL;
		struct cadre_err e2;
		int rc = store_open(t->path, NULL, &d2, &e2);
		store_close(d2);
		char out[CADRE_ERR_MSG_MAX + 16];
		int n = snprintf(out, sizeof out, "%d %s", rc, rc ? e2.msg : "");
		if (write(pipefd[1], out, (size_t)n) != n)
			_exit(4);
		_exit(0);
	}
	close(pipefd[1]);
	char got[CADRE_ERR_MSG_MAX + 16] = "";
	ssize_t n = read(pipefd[0], got, sizeof got - 1);
	close(pipefd[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(n > 0);
	got[n] = '\0';
	char want[300];
	(void)snprintf(want, sizeof want,
	               "%d %s: the file is read-only; Cadre needs to write to it and to create "
	               "files beside it",
	               CADRE_EINVAL, t->path);
	assert_string_equal(got, want);
}

static void test_connection_settings(void **state)
{
	struct tmp *t = *state;
	struct store *db = open_create(t->path);
	char buf[64];
	static const struct store_sql jm = {.name = "jm", .sql = "PRAGMA journal_mode"};
	static const struct store_sql fk = {.name = "fk", .sql = "PRAGMA foreign_keys"};
	static const struct store_sql sy = {.name = "sy", .sql = "PRAGMA synchronous"};
	static const struct store_sql bt = {.name = "bt", .sql = "PRAGMA busy_timeout"};
	assert_string_equal(one_text(db, &jm, buf, sizeof buf), "wal");
	assert_int_equal(one_i64(db, &fk), 1);
	assert_int_equal(one_i64(db, &sy), 1); /* NORMAL */
	assert_int_equal(one_i64(db, &bt), STORE_DEFAULT_BUSY_MS);
	/* "..." is an identifier, never a string, as in PostgreSQL */
	static const struct store_sql dq = {.name = "dq", .sql = "SELECT \"nosuch\""};
	struct store_stmt *st;
	struct cadre_err e;
	assert_int_equal(store_prepare(db, &dq, &st, &e), CADRE_EINTERNAL);
	assert_msg_has(&e, "no such column: nosuch");
	store_close(db);
	struct store_options opt = {.busy_timeout_ms = 1234};
	assert_int_equal(store_open(t->path, &opt, &db, &e), CADRE_OK);
	assert_int_equal(one_i64(db, &bt), 1234);
	store_close(db);
}

/* ---- bulk load ---- */

static const struct store_sql q_idx = {
    .name = "idx",
    .sql = "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'bk_g'"};
static const struct store_sql q_bk = {.name = "bk",
                                      .sql = "SELECT count(*), sum(id), sum(g) FROM bk"};
static const struct store_sql q_bk_g = {
    .name = "bk_g", .sql = "SELECT count(*) FROM bk INDEXED BY bk_g WHERE g = 3"};

static int load_bk(struct store *db, int from, int n, int dup_at, struct cadre_err *e)
{
	static const char *const cols[] = {"id", "s", "g"};
	int rc = store_bulk_begin(db, "bk", cols, 3, e);
	for (int i = from; i < from + n && rc == CADRE_OK; i++) {
		char s[16];
		(void)snprintf(s, sizeof s, "r%d", i);
		struct store_value v[3] = {STORE_V_I64(i == dup_at ? from : i),
		                           STORE_V_TEXT(s, strlen(s)), STORE_V_I64(i % 7)};
		rc = store_bulk_row(db, v, e);
	}
	if (rc == CADRE_OK)
		rc = store_bulk_end(db, NULL, e);
	return rc;
}

/* Rows go in batches through a multi-row INSERT; a broken constraint in a
 * batch is found again row by row, so the message names the row.  A table
 * empty at the start has its plain index dropped for the load and built at
 * the end; a rollback brings it back; a table with rows keeps it. */
static void test_bulk_batches_and_indexes(void **state)
{
	struct tmp *t = *state;
	struct store *db = open_create(t->path);
	struct cadre_err e;
	script(db, "CREATE TABLE bk (id BIGINT NOT NULL PRIMARY KEY, s TEXT NOT NULL, "
	           "g BIGINT NOT NULL); CREATE INDEX bk_g ON bk (g)");
	/* 1000 rows: 15 full batches of 64 and 40 left over */
	assert_int_equal(store_tx_begin(db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(load_bk(db, 1, 1000, 0, &e), CADRE_OK);
	assert_int_equal(one_i64(db, &q_idx), 1);
	assert_int_equal(store_tx_commit(db, &e), CADRE_OK);
	assert_int_equal(one_i64(db, &q_bk), 1000);
	/* rows 1..1000 with g = i % 7 = 3: i = 3, 10, ..., 997: 143 rows */
	assert_int_equal(one_i64(db, &q_bk_g), 143);
	/* a duplicate id in the second batch: row 100 repeats row 1's id */
	script(db, "DELETE FROM bk");
	assert_int_equal(store_tx_begin(db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(load_bk(db, 1, 200, 100, &e), CADRE_ECONFLICT);
	assert_msg_has(&e, "bulk load row 100:");
	assert_int_equal(store_tx_rollback(db, &e), CADRE_OK);
	assert_int_equal(one_i64(db, &q_bk), 0);
	assert_int_equal(one_i64(db, &q_idx), 1); /* the rollback restored it */
	/* in the rows left over after the last full batch: row 150 */
	assert_int_equal(store_tx_begin(db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(load_bk(db, 1, 150, 150, &e), CADRE_ECONFLICT);
	assert_msg_has(&e, "bulk load row 150:");
	assert_int_equal(store_tx_rollback(db, &e), CADRE_OK);
	/* into a table with rows: the index stays, and holds the new rows */
	assert_int_equal(store_tx_begin(db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(load_bk(db, 1, 10, 0, &e), CADRE_OK);
	assert_int_equal(store_tx_commit(db, &e), CADRE_OK);
	assert_int_equal(store_tx_begin(db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(load_bk(db, 11, 90, 0, &e), CADRE_OK);
	assert_int_equal(store_tx_commit(db, &e), CADRE_OK);
	assert_int_equal(one_i64(db, &q_bk), 100);
	assert_int_equal(one_i64(db, &q_idx), 1);
	assert_int_equal(one_i64(db, &q_bk_g), 14); /* 3, 10, ..., 94 */
	store_close(db);
}

/* ---- backup ---- */

static const struct store_sql q_sum = {.name = "sum", .sql = "SELECT count(*), sum(v) FROM b"};

static void test_backup(void **state)
{
	struct tmp *t = *state;
	struct store *db = open_create(t->path);
	struct cadre_err e;
	assert_int_equal(migrate_init(db, NULL, 0, NULL, &e), CADRE_OK);
	script(db, "CREATE TABLE b (v BIGINT NOT NULL);"
	           "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000)"
	           " INSERT INTO b SELECT x FROM c");
	/* a second connection holds an uncommitted write while we copy */
	struct store *w;
	assert_int_equal(store_open(t->path, NULL, &w, &e), CADRE_OK);
	assert_int_equal(store_tx_begin(w, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(store_exec_script(w, "INSERT INTO b VALUES (1000000)", &e), CADRE_OK);
	char copy[160];
	(void)snprintf(copy, sizeof copy, "%s/copy.db", t->dir);
	if (store_backup(db, copy, &e) != CADRE_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(store_tx_commit(w, &e), CADRE_OK);
	store_close(w);
	struct stat sb;
	assert_int_equal(stat(copy, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	char part[200];
	(void)snprintf(part, sizeof part, "%s.part", copy);
	assert_int_equal(access(part, F_OK), -1);
	/* the copy is a Cadre database with the committed rows only */
	struct store *c;
	assert_int_equal(store_open(copy, NULL, &c, &e), CADRE_OK);
	assert_int_equal(migrate_check(c, NULL, 0, &e), CADRE_OK);
	struct store_stmt *st;
	assert_int_equal(store_prepare(c, &q_sum, &st, &e), CADRE_OK);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	assert_int_equal(store_col_i64(st, 0), 5000);
	assert_int_equal(store_col_i64(st, 1), 5000 * 5001 / 2);
	store_reset(st);
	store_close(c);
	/* never over an existing file */
	assert_int_equal(store_backup(db, copy, &e), CADRE_EINVAL);
	assert_msg_has(&e, "already exists");
	store_close(db);
}

/* ---- injected I/O failures ---- */

/* A VFS that passes everything to the default one, except that once armed
 * it lets `writes_left` writes through and fails the rest with fail_code. */
static sqlite3_vfs *real_vfs;
static sqlite3_vfs fault_vfs;
static int writes_left = -1; /* -1: not armed */
static int fail_code = SQLITE_IOERR_WRITE;
static int failures;

struct ffile {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct in the same allocation */
};

#define REAL(f) (((struct ffile *)(f))->real)

static int f_close(sqlite3_file *f)
{
	int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
	return rc;
}
static int f_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}
static int f_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	if (writes_left == 0) {
		failures++;
		return fail_code;
	}
	if (writes_left > 0)
		writes_left--;
	return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int f_sync(sqlite3_file *f, int flags)
{
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int f_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int f_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int f_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int f_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int f_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int f_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int f_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int f_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, pp);
}
static int f_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void f_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int f_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}
static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	*pp = NULL; /* no memory mapping: every page goes through xRead */
	(void)f;
	(void)off;
	(void)n;
	return SQLITE_OK;
}
static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	(void)f;
	(void)off;
	(void)p;
	return SQLITE_OK;
}

static const sqlite3_io_methods fault_io = {
    3,          f_close,       f_read,      f_write,   f_truncate, f_sync,   f_size,
    f_lock,     f_unlock,      f_reserved,  f_control, f_sector,   f_device, f_shm_map,
    f_shm_lock, f_shm_barrier, f_shm_unmap, f_fetch,   f_unfetch,
};

static int f_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out)
{
	(void)vfs;
	struct ffile *ff = (struct ffile *)file;
	ff->real = (sqlite3_file *)(ff + 1);
	int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out);
	file->pMethods = ff->real->pMethods ? &fault_io : NULL;
	return rc;
}

static void fault_vfs_register(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	assert_non_null(real_vfs);
	fault_vfs = *real_vfs;
	fault_vfs.zName = "cadre-fault";
	fault_vfs.szOsFile = (int)sizeof(struct ffile) + real_vfs->szOsFile;
	fault_vfs.xOpen = f_open;
	fault_vfs.pNext = NULL;
	assert_int_equal(sqlite3_vfs_register(&fault_vfs, 1), SQLITE_OK);
}

static void fault_vfs_unregister(void)
{
	assert_int_equal(sqlite3_vfs_unregister(&fault_vfs), SQLITE_OK);
	assert_int_equal(sqlite3_vfs_register(real_vfs, 1), SQLITE_OK);
}

static const struct store_sql q_ins = {.name = "fault_ins",
                                       .sql = "INSERT INTO f (i, s) VALUES ($1, $2)"};
static const struct store_sql q_count = {.name = "fault_count",
                                         .sql = "SELECT count(*), coalesce(sum(i), 0) FROM f"};
static const struct store_sql q_check = {.name = "check", .sql = "PRAGMA integrity_check"};

/* a transaction of rows big enough to write many pages */
static int write_batch(struct store *db, int base, struct cadre_err *e)
{
	int rc = store_tx_begin(db, STORE_TX_WRITE, e);
	if (rc != CADRE_OK)
		return rc;
	char text[300];
	memset(text, 'q', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	for (int i = 0; i < 2000 && rc == CADRE_OK; i++) {
		struct store_stmt *st;
		rc = store_prepare(db, &q_ins, &st, e);
		if (rc == CADRE_OK) {
			store_bind_i64(st, 1, base + i);
			store_bind_str(st, 2, text);
			rc = store_exec(st, e);
		}
	}
	if (rc == CADRE_OK)
		rc = store_tx_commit(db, e);
	if (rc != CADRE_OK)
		(void)store_tx_rollback(db, NULL);
	return rc;
}

static void check_intact(const char *path, int64_t want_rows, int64_t want_sum)
{
	struct store *db;
	struct cadre_err e;
	if (store_open(path, NULL, &db, &e) != CADRE_OK)
		fail_msg("reopen: %s", e.msg);
	char buf[64];
	assert_string_equal(one_text(db, &q_check, buf, sizeof buf), "ok");
	struct store_stmt *st;
	assert_int_equal(store_prepare(db, &q_count, &st, &e), CADRE_OK);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	assert_int_equal(store_col_i64(st, 0), want_rows);
	assert_int_equal(store_col_i64(st, 1), want_sum);
	store_reset(st);
	store_close(db);
}

static void fault_round(const char *path, int code)
{
	fault_vfs_register();
	struct store *db = open_create(path);
	script(db, "CREATE TABLE IF NOT EXISTS f (i BIGINT NOT NULL, s TEXT NOT NULL)");
	struct cadre_err e;
	/* the committed baseline: 2000 rows, i = 0..1999 */
	assert_int_equal(write_batch(db, 0, &e), CADRE_OK);
	const int64_t rows = 2000, sum = 1999 * 2000 / 2;
	/* fail after 0, 1, 3, ... writes: early, mid-transaction, at commit */
	const int after[] = {0, 1, 3, 10, 40, 100, 300};
	int hit = 0;
	for (size_t k = 0; k < sizeof after / sizeof after[0]; k++) {
		failures = 0;
		fail_code = code;
		writes_left = after[k];
		cadre_err_clear(&e);
		int rc = write_batch(db, 100000, &e);
		writes_left = -1;
		if (failures == 0) {
			/* the whole batch fit in fewer writes: it committed */
			assert_int_equal(rc, CADRE_OK);
			continue;
		}
		hit++;
		assert_int_equal(rc, CADRE_EINTERNAL);
		if (code == SQLITE_FULL)
			assert_msg_has(&e, "the disk is full");
		else
			assert_msg_has(&e, "I/O error");
		assert_int_equal(store_tx_depth(db), 0);
		/* nothing half-written, seen from a fresh connection */
		check_intact(path, rows, sum);
	}
	assert_true(hit >= 5);
	/* and the first connection still works */
	assert_int_equal(write_batch(db, 5000, &e), CADRE_OK);
	store_close(db);
	check_intact(path, 2 * rows, sum + (5000 + 6999) * 2000 / 2);
	fault_vfs_unregister();
}

static void test_io_error_rolls_back(void **state)
{
	struct tmp *t = *state;
	fault_round(t->path, SQLITE_IOERR_WRITE);
}

static void test_disk_full_rolls_back(void **state)
{
	struct tmp *t = *state;
	fault_round(t->path, SQLITE_FULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_created_owner_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_only_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connection_settings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bulk_batches_and_indexes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_io_error_rolls_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disk_full_rolls_back, setup, teardown),
	};
	return cmocka_run_group_tests_name("store_sqlite", tests, NULL, NULL);
}
