/* store_sqlite: the SQLite back end.  One sqlite3 connection per store,
 * opened with extended result codes, double-quoted strings as identifiers
 * only (as in PostgreSQL), defensive mode, WAL, synchronous=NORMAL,
 * foreign keys on, a busy timeout, and a statement time limit enforced by
 * a progress handler checking a deadline. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/mem.h"
#include "store/store_internal.h"

/* how many virtual machine steps between deadline checks */
#define PROGRESS_OPS 1000

static int progress_cb(void *arg)
{
	struct store *db = arg;
	if (db->deadline_ns && store_now_ns() > db->deadline_ns) {
		db->interrupted = true;
		return 1;
	}
	return 0;
}

int sq_map_error(struct store *db, int rc, const char *what, struct cadre_err *err)
{
	int ext = db->sq ? sqlite3_extended_errcode(db->sq) : rc;
	if ((ext & 0xff) != (rc & 0xff))
		ext = rc;
	const char *msg = db->sq ? sqlite3_errmsg(db->sq) : sqlite3_errstr(rc);
	switch (ext) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		/* "UNIQUE constraint failed: org.code": names, never values */
		return cadre_err_set(err, CADRE_ECONFLICT, "%s: %s", what, msg);
	default: break;
	}
	switch (ext & 0xff) {
	case SQLITE_CONSTRAINT: return cadre_err_set(err, CADRE_EINVAL, "%s: %s", what, msg);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return cadre_err_set(err, CADRE_EBUSY,
		                     "%s: the database is busy (another writer held it longer "
		                     "than %d ms); try again",
		                     what,
		                     db->opt.busy_timeout_ms > 0 ? db->opt.busy_timeout_ms : 0);
	case SQLITE_INTERRUPT:
		if (db->interrupted)
			return cadre_err_set(err, CADRE_EINTERNAL,
			                     "%s: statement took longer than %d ms and was stopped",
			                     what, db->opt.statement_timeout_ms);
		return cadre_err_set(err, CADRE_EINTERNAL, "%s: statement interrupted", what);
	case SQLITE_NOTADB:
		return cadre_err_set(err, CADRE_EINVAL, "%s: not a Cadre/SQLite database",
		                     db->name);
	case SQLITE_READONLY:
		if (db->depth > 0 && db->outer_mode == STORE_TX_READ)
			return cadre_err_set(
			    err, CADRE_EINTERNAL,
			    "%s: writes are not allowed in a read-only transaction", what);
		return cadre_err_set(err, CADRE_EINVAL,
		                     "%s: the database is read-only (check the permissions of the "
		                     "file, its -wal and -shm files and its folder)",
		                     db->name);
	case SQLITE_FULL:
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "%s: the disk is full; nothing was written", what);
	case SQLITE_IOERR:
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "%s: I/O error on %s (%s); the transaction was rolled back",
		                     what, db->name, msg);
	case SQLITE_CORRUPT:
		return cadre_err_set(err, CADRE_EINTERNAL, "%s: the database file %s is damaged",
		                     what, db->name);
	case SQLITE_CANTOPEN:
		return cadre_err_set(err, CADRE_EINVAL, "%s: cannot open %s (%s)", what, db->name,
		                     msg);
	default: return cadre_err_set(err, CADRE_EINTERNAL, "%s: %s", what, msg);
	}
}

/* run a pragma (or any statement) and check its first result, if want */
static int sq_pragma(struct store *db, const char *sql, const char *want, struct cadre_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->sq, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sq_map_error(db, rc, "open", err);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		int status = sq_map_error(db, rc, "open", err);
		sqlite3_finalize(st);
		return status;
	}
	if (want) {
		const char *got =
		    rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
		if (!got || strcmp(got, want) != 0) {
			sqlite3_finalize(st);
			return cadre_err_set(err, CADRE_EINTERNAL,
			                     "%s: '%s' answered '%s', not '%s'", db->name, sql,
			                     got ? got : "", want);
		}
	}
	sqlite3_finalize(st);
	return CADRE_OK;
}

int sq_open(struct store *db, const char *path, struct cadre_err *err)
{
	struct stat sb;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
	if (stat(path, &sb) != 0) {
		if (errno != ENOENT)
			return cadre_err_set(err, CADRE_EINVAL, "%s: %s", path, strerror(errno));
		if (!(db->opt.flags & STORE_OPEN_CREATE))
			return cadre_err_set(err, CADRE_ENOTFOUND,
			                     "%s: no such database; create one with `cadre init`",
			                     path);
		/* create it ourselves so that it (and the -wal and -shm files,
		 * which copy its mode) is readable by its owner only */
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return cadre_err_set(err, CADRE_EINVAL, "%s: cannot create (%s)", path,
			                     strerror(errno));
		(void)close(fd);
	} else if (S_ISDIR(sb.st_mode)) {
		return cadre_err_set(err, CADRE_EINVAL, "%s: is a folder, not a database file",
		                     path);
	}
	int rc = sqlite3_open_v2(path, &db->sq, flags, NULL);
	if (rc != SQLITE_OK) {
		int status = cadre_err_set(err, CADRE_EINVAL, "%s: cannot open (%s)", path,
		                           db->sq ? sqlite3_errmsg(db->sq) : sqlite3_errstr(rc));
		return status;
	}
	(void)sqlite3_extended_result_codes(db->sq, 1);
	if (sqlite3_db_readonly(db->sq, "main") == 1)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "%s: the file is read-only; Cadre needs to write to it and to "
		                     "create files beside it",
		                     path);
	/* "..." is an identifier, never a string, as in PostgreSQL; and no
	 * statement may corrupt the file through the schema tables */
	(void)sqlite3_db_config(db->sq, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
	(void)sqlite3_db_config(db->sq, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)NULL);
	(void)sqlite3_db_config(db->sq, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	(void)sqlite3_db_config(db->sq, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	(void)sqlite3_busy_timeout(db->sq,
	                           db->opt.busy_timeout_ms > 0 ? db->opt.busy_timeout_ms : 0);
	sqlite3_progress_handler(db->sq, PROGRESS_OPS, progress_cb, db);
	if ((rc = sq_pragma(db, "PRAGMA journal_mode=WAL", "wal", err)) != CADRE_OK)
		return rc;
	if ((rc = sq_pragma(db, "PRAGMA synchronous=NORMAL", NULL, err)) != CADRE_OK)
		return rc;
	if ((rc = sq_pragma(db, "PRAGMA foreign_keys=ON", NULL, err)) != CADRE_OK)
		return rc;
	return sq_pragma(db, "PRAGMA foreign_keys", "1", err);
}

void sq_close(struct store *db)
{
	if (db->sq) {
		sqlite3_progress_handler(db->sq, 0, NULL, NULL);
		(void)sqlite3_close_v2(db->sq);
		db->sq = NULL;
	}
}

int sq_prepare(struct store_stmt *st, const char *sql, struct cadre_err *err)
{
	struct store *db = st->db;
	int rc = sqlite3_prepare_v3(db->sq, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->sq, NULL);
	if (rc != SQLITE_OK)
		return sq_map_error(db, rc, st->q->name, err);
	if (!st->sq)
		return cadre_err_set(err, CADRE_EINTERNAL, "statement %s is empty", st->q->name);
	st->ncols = sqlite3_column_count(st->sq);
	return CADRE_OK;
}

void sq_finalize(struct store_stmt *st)
{
	if (st->sq)
		(void)sqlite3_finalize(st->sq);
	st->sq = NULL;
}

static void arm_deadline(struct store *db)
{
	db->interrupted = false;
	db->deadline_ns = db->opt.statement_timeout_ms > 0
	                      ? store_now_ns() + (int64_t)db->opt.statement_timeout_ms * 1000000
	                      : 0;
}

int sq_step(struct store_stmt *st, struct cadre_err *err)
{
	struct store *db = st->db;
	/* SQLite has no read-only BEGIN.  A write in a read transaction is
	 * refused here, before it runs, rather than by PRAGMA query_only: that
	 * pragma expires every prepared statement on the connection each time
	 * it changes, so every request would parse its statements again
	 * (docs/web.md, Benchmark). */
	if (db->depth > 0 && db->outer_mode == STORE_TX_READ && !sqlite3_stmt_readonly(st->sq))
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "%s: writes are not allowed in a read-only transaction",
		                     st->q->name);
	arm_deadline(db);
	int rc = sqlite3_step(st->sq);
	db->deadline_ns = 0;
	if (rc == SQLITE_ROW)
		return CADRE_OK;
	if (rc == SQLITE_DONE) {
		st->changes = sqlite3_stmt_readonly(st->sq) ? 0 : sqlite3_changes64(db->sq);
		return CADRE_DONE;
	}
	return sq_map_error(db, rc, st->q->name, err);
}

int sq_exec_script(struct store *db, const char *sql, const char *what, struct cadre_err *err)
{
	db->deadline_ns = 0;
	int rc = sqlite3_exec(db->sq, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sq_map_error(db, rc, what, err);
	return CADRE_OK;
}

int sq_bulk_begin(struct store *db, const char *sql, struct cadre_err *err)
{
	int rc = sqlite3_prepare_v3(db->sq, sql, -1, SQLITE_PREPARE_PERSISTENT, &db->bulk_sq, NULL);
	if (rc != SQLITE_OK)
		return sq_map_error(db, rc, "bulk load", err);
	return CADRE_OK;
}

int sq_bulk_row(struct store *db, const struct store_value *v, struct cadre_err *err)
{
	sqlite3_stmt *st = db->bulk_sq;
	for (int i = 0; i < db->bulk_ncols; i++) {
		int idx = i + 1;
		switch (v[i].type) {
		case STORE_T_I64: (void)sqlite3_bind_int64(st, idx, v[i].i64); break;
		case STORE_T_DOUBLE: (void)sqlite3_bind_double(st, idx, v[i].dbl); break;
		case STORE_T_TEXT:
			if (v[i].text)
				(void)sqlite3_bind_text64(st, idx, v[i].text, v[i].len,
				                          SQLITE_STATIC, SQLITE_UTF8);
			else
				(void)sqlite3_bind_null(st, idx);
			break;
		case STORE_T_NULL:
		default: (void)sqlite3_bind_null(st, idx); break;
		}
	}
	arm_deadline(db);
	int rc = sqlite3_step(st);
	db->deadline_ns = 0;
	if (rc != SQLITE_DONE) {
		char what[64];
		(void)snprintf(what, sizeof what, "bulk load row %" PRId64, db->bulk_rows + 1);
		int status = sq_map_error(db, rc, what, err);
		(void)sqlite3_reset(st);
		return status;
	}
	/* the texts were bound SQLITE_STATIC: drop them before returning */
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
	return CADRE_OK;
}

int sq_bulk_end(struct store *db, struct cadre_err *err)
{
	(void)err;
	sq_bulk_abort(db);
	return CADRE_OK;
}

void sq_bulk_abort(struct store *db)
{
	if (db->bulk_sq)
		(void)sqlite3_finalize(db->bulk_sq);
	db->bulk_sq = NULL;
}

int sq_backup(struct store *db, const char *path, struct cadre_err *err)
{
	struct stat sb;
	if (lstat(path, &sb) == 0)
		return cadre_err_set(err, CADRE_EINVAL, "%s already exists; choose a new file name",
		                     path);
	struct buf tmp;
	buf_init(&tmp, 8192);
	int rc = buf_printf(&tmp, err, "%s.part", path);
	if (rc != CADRE_OK) {
		buf_free(&tmp);
		return rc;
	}
	const char *tpath = buf_cstr(&tmp);
	sqlite3 *dst = NULL;
	sqlite3_backup *b = NULL;
	/* the copy holds personal data: owner-only, like the database */
	int fd = open(tpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = cadre_err_set(err, CADRE_EINVAL, "%s: cannot create (%s)", tpath,
		                   strerror(errno));
		buf_free(&tmp);
		return rc;
	}
	(void)close(fd);
	int src = sqlite3_open_v2(tpath, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_EXRESCODE, NULL);
	if (src != SQLITE_OK) {
		rc = cadre_err_set(err, CADRE_EINVAL, "%s: cannot open (%s)", tpath,
		                   dst ? sqlite3_errmsg(dst) : sqlite3_errstr(src));
		goto fail;
	}
	b = sqlite3_backup_init(dst, "main", db->sq, "main");
	if (!b) {
		rc = cadre_err_set(err, CADRE_EINTERNAL, "backup: %s", sqlite3_errmsg(dst));
		goto fail;
	}
	/* all pages in one step, under one read transaction, so writers on
	 * other connections cannot force a restart */
	int deadline_ms = db->opt.busy_timeout_ms > 0 ? db->opt.busy_timeout_ms : 0;
	int64_t give_up = store_now_ns() + (int64_t)deadline_ms * 1000000;
	for (;;) {
		src = sqlite3_backup_step(b, -1);
		if (src == SQLITE_DONE)
			break;
		if ((src == SQLITE_BUSY || src == SQLITE_LOCKED) && store_now_ns() < give_up) {
			sqlite3_sleep(20);
			continue;
		}
		(void)sqlite3_backup_finish(b);
		b = NULL;
		rc =
		    src == SQLITE_BUSY || src == SQLITE_LOCKED
		        ? cadre_err_set(err, CADRE_EBUSY, "backup: the database is busy; try again")
		        : cadre_err_set(err, CADRE_EINTERNAL, "backup: %s", sqlite3_errstr(src));
		goto fail;
	}
	src = sqlite3_backup_finish(b);
	b = NULL;
	if (src != SQLITE_OK) {
		rc = cadre_err_set(err, CADRE_EINTERNAL, "backup: %s", sqlite3_errstr(src));
		goto fail;
	}
	/* check the copy before it takes the final name */
	sqlite3_stmt *qc = NULL;
	src = sqlite3_prepare_v2(dst, "PRAGMA quick_check", -1, &qc, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_step(qc);
	const char *verdict = src == SQLITE_ROW ? (const char *)sqlite3_column_text(qc, 0) : NULL;
	bool ok = verdict && strcmp(verdict, "ok") == 0;
	(void)sqlite3_finalize(qc);
	if (!ok) {
		rc = cadre_err_set(err, CADRE_EINTERNAL, "backup: the copy failed its check");
		goto fail;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		rc = cadre_err_set(err, CADRE_EINTERNAL, "backup: cannot close the copy");
		dst = NULL;
		goto fail;
	}
	dst = NULL;
	/* link, unlike rename, never replaces a file made meanwhile */
	if (link(tpath, path) != 0) {
		rc = cadre_err_set(err, CADRE_EINVAL, "%s: cannot create (%s)", path,
		                   strerror(errno));
		goto fail;
	}
	(void)unlink(tpath);
	buf_free(&tmp);
	return CADRE_OK;
fail:
	if (b)
		(void)sqlite3_backup_finish(b);
	if (dst)
		(void)sqlite3_close_v2(dst);
	(void)unlink(tpath);
	buf_free(&tmp);
	return rc;
}
