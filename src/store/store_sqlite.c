/* store_sqlite: the SQLite back end.  One sqlite3 connection per store,
 * opened with extended result codes, double-quoted strings as identifiers
 * only (as in PostgreSQL), defensive mode, WAL, synchronous=NORMAL,
 * foreign keys on, a busy timeout, and a statement time limit enforced by
 * a progress handler checking a deadline. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
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

/* sq_configure: once, before SQLite initialises: no memory statistics
 * (Cadre reads none), which spares a global mutex on every allocation. */
static pthread_once_t sq_configured = PTHREAD_ONCE_INIT;
static void sq_configure(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int sq_open(struct store *db, const char *path, struct cadre_err *err)
{
	(void)pthread_once(&sq_configured, sq_configure);
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

/* ---- bulk load ------------------------------------------------------------------------
 * Rows are gathered into batches and inserted by one multi-row INSERT per
 * batch, so the statement's fixed cost (bind, step, halt, reset) is paid
 * once per batch rather than once per row.  The caller's texts are valid
 * only for the store_bulk_row call, so the batch copies them.  A batch
 * that breaks a constraint changed nothing (the statement is undone): it
 * is replayed row by row so that the error names its row.  The rows left
 * over at the end go through the one-row INSERT. */

#define SQ_BATCH_ROWS 64
/* a batch holding more text than this is written at once, row by row */
#define SQ_BATCH_TEXT ((size_t)1 << 20)

struct sq_bulk {
	sqlite3_stmt *one;  /* INSERT ... VALUES (one row) */
	sqlite3_stmt *many; /* INSERT ... VALUES (batch rows); NULL when batch is 1 */
	int ncols;
	int batch; /* rows per multi-row INSERT */
	int n;     /* rows held */
	/* n * ncols values; a text's bytes are in text at offset i64 */
	struct store_value *v;
	char *text;
	size_t tlen, talloc;
	/* the CREATE INDEX statements of the indexes dropped for the load */
	char **reindex;
	int nreindex;
};

static void sqb_free(struct sq_bulk *b)
{
	if (!b)
		return;
	if (b->one)
		(void)sqlite3_finalize(b->one);
	if (b->many)
		(void)sqlite3_finalize(b->many);
	for (int i = 0; i < b->nreindex; i++)
		free(b->reindex[i]);
	free(b->reindex);
	free(b->v);
	free(b->text);
	free(b);
}

/* sq_defer_indexes: when table is empty, drop its plain indexes (made by
 * CREATE INDEX, not unique: they enforce nothing) and keep their SQL, so
 * that sq_bulk_end builds each in one sort after the load instead of
 * inserting into it row by row in random key order.  Same transaction:
 * a rollback brings the indexes back as they were. */
static int sq_defer_indexes(struct store *db, struct sq_bulk *b, const char *table,
                            struct cadre_err *err)
{
	char sql[160];
	sqlite3_stmt *st = NULL;
	/* table is a plain identifier (checked by store_bulk_begin) */
	(void)snprintf(sql, sizeof sql, "SELECT 1 FROM %s LIMIT 1", table);
	int rc = sqlite3_prepare_v2(db->sq, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	(void)sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return CADRE_OK; /* not empty: indexes stay */
	if (rc != SQLITE_DONE)
		return sq_map_error(db, rc, "bulk load", err);
	static const char q[] =
	    "SELECT s.name, s.sql FROM sqlite_schema s JOIN pragma_index_list(?1) l "
	    "ON l.name = s.name WHERE s.type = 'index' AND s.tbl_name = ?1 "
	    "AND l.\"unique\" = 0 AND l.origin = 'c' AND l.partial = 0 AND s.sql IS NOT NULL";
	if ((rc = sqlite3_prepare_v2(db->sq, q, -1, &st, NULL)) != SQLITE_OK)
		return sq_map_error(db, rc, "bulk load", err);
	(void)sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	char **names = NULL;
	int n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *def = (const char *)sqlite3_column_text(st, 1);
		if (!name || !def || strchr(name, '"') || strlen(name) > 100)
			continue;
		b->reindex = xreallocarray(b->reindex, (size_t)n + 1, sizeof *b->reindex);
		names = xreallocarray(names, (size_t)n + 1, sizeof *names);
		b->reindex[n] = xstrdup(def);
		names[n++] = xstrdup(name);
		b->nreindex = n;
	}
	(void)sqlite3_finalize(st);
	int status = rc == SQLITE_DONE ? CADRE_OK : sq_map_error(db, rc, "bulk load", err);
	for (int i = 0; i < n && status == CADRE_OK; i++) {
		(void)snprintf(sql, sizeof sql, "DROP INDEX \"%s\"", names[i]);
		if ((rc = sqlite3_exec(db->sq, sql, NULL, NULL, NULL)) != SQLITE_OK)
			status = sq_map_error(db, rc, "bulk load", err);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (status != CADRE_OK) {
		/* nothing to build again: the caller rolls back */
		for (int i = 0; i < b->nreindex; i++)
			free(b->reindex[i]);
		b->nreindex = 0;
	}
	return status;
}

int sq_bulk_begin(struct store *db, const char *table, const char *sql, int ncols,
                  struct cadre_err *err)
{
	struct sq_bulk *b = xcalloc(1, sizeof *b);
	b->ncols = ncols;
	int limit = sqlite3_limit(db->sq, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
	b->batch = limit / ncols < SQ_BATCH_ROWS ? limit / ncols : SQ_BATCH_ROWS;
	if (b->batch < 1)
		b->batch = 1;
	int rc = sqlite3_prepare_v3(db->sq, sql, -1, SQLITE_PREPARE_PERSISTENT, &b->one, NULL);
	if (rc != SQLITE_OK) {
		rc = sq_map_error(db, rc, "bulk load", err);
		goto fail;
	}
	if (b->batch > 1) {
		/* "INSERT INTO t (c, ...) VALUES (?1, ...), (?k, ...), ..." */
		const char *values = strstr(sql, ") VALUES (");
		if (!values) {
			rc = cadre_err_set(err, CADRE_EINTERNAL, "bulk load: unexpected INSERT");
			goto fail;
		}
		struct buf m;
		buf_init(&m, (size_t)1024 * 1024);
		rc = buf_append(&m, sql, (size_t)(values - sql), err);
		if (rc == CADRE_OK)
			rc = buf_puts(&m, ") VALUES ", err);
		for (int r = 0, k = 1; rc == CADRE_OK && r < b->batch; r++) {
			rc = buf_puts(&m, r ? ", (" : "(", err);
			for (int c = 0; rc == CADRE_OK && c < ncols; c++, k++)
				rc = buf_printf(&m, err, "%s?%d", c ? ", " : "", k);
			if (rc == CADRE_OK)
				rc = buf_putc(&m, ')', err);
		}
		if (rc == CADRE_OK) {
			int src = sqlite3_prepare_v3(db->sq, buf_cstr(&m), -1,
			                             SQLITE_PREPARE_PERSISTENT, &b->many, NULL);
			if (src != SQLITE_OK)
				rc = sq_map_error(db, src, "bulk load", err);
		}
		buf_free(&m);
		if (rc != CADRE_OK)
			goto fail;
	}
	b->v = xcalloc((size_t)b->batch * (size_t)ncols, sizeof *b->v);
	b->talloc = (size_t)64 * 1024;
	b->text = xmalloc(b->talloc);
	if ((rc = sq_defer_indexes(db, b, table, err)) != CADRE_OK)
		goto fail;
	db->bulk_sq = b;
	return CADRE_OK;
fail:
	sqb_free(b);
	return rc;
}

/* bind the held row r to st's parameters from first + 1 on */
static void sqb_bind(const struct sq_bulk *b, sqlite3_stmt *st, int r, int first)
{
	const struct store_value *v = &b->v[(size_t)r * (size_t)b->ncols];
	for (int i = 0; i < b->ncols; i++) {
		int idx = first + i + 1;
		switch (v[i].type) {
		case STORE_T_I64: (void)sqlite3_bind_int64(st, idx, v[i].i64); break;
		case STORE_T_DOUBLE: (void)sqlite3_bind_double(st, idx, v[i].dbl); break;
		case STORE_T_TEXT:
			(void)sqlite3_bind_text64(st, idx, b->text + v[i].i64, v[i].len,
			                          SQLITE_STATIC, SQLITE_UTF8);
			break;
		case STORE_T_NULL:
		default: (void)sqlite3_bind_null(st, idx); break;
		}
	}
}

/* step st once; SQLite's status */
static int sqb_step(struct store *db, sqlite3_stmt *st)
{
	arm_deadline(db);
	int rc = sqlite3_step(st);
	db->deadline_ns = 0;
	/* the texts were bound SQLITE_STATIC and the batch's text buffer is
	 * reused: every parameter is bound again before the next step (so no
	 * sqlite3_clear_bindings, a pass over all of them per batch) */
	(void)sqlite3_reset(st);
	return rc;
}

/* sqb_rows: insert the held rows one by one; row numbers from first. */
static int sqb_rows(struct store *db, struct sq_bulk *b, int64_t first, struct cadre_err *err)
{
	for (int r = 0; r < b->n; r++) {
		sqb_bind(b, b->one, r, 0);
		int rc = sqb_step(db, b->one);
		if (rc != SQLITE_DONE) {
			char what[64];
			(void)snprintf(what, sizeof what, "bulk load row %" PRId64, first + r);
			return sq_map_error(db, rc, what, err);
		}
	}
	return CADRE_OK;
}

/* sqb_flush: write the held rows (the first is row number first). */
static int sqb_flush(struct store *db, struct sq_bulk *b, int64_t first, struct cadre_err *err)
{
	int rc = CADRE_OK;
	if (b->n == b->batch && b->many) {
		for (int r = 0; r < b->n; r++)
			sqb_bind(b, b->many, r, r * b->ncols);
		int src = sqb_step(db, b->many);
		if (src != SQLITE_DONE) {
			/* a broken constraint undoes the statement only: find the
			 * row; anything else (or a transaction SQLite ended) is
			 * reported as it is */
			if ((src & 0xff) == SQLITE_CONSTRAINT && !sqlite3_get_autocommit(db->sq)) {
				rc = sqb_rows(db, b, first, err);
				if (rc == CADRE_OK)
					rc = cadre_err_set(err, CADRE_EINTERNAL,
					                   "bulk load rows %" PRId64 "-%" PRId64
					                   ": the batch failed, no row alone did",
					                   first, first + b->n - 1);
			} else {
				char what[80];
				(void)snprintf(what, sizeof what,
				               "bulk load rows %" PRId64 "-%" PRId64, first,
				               first + b->n - 1);
				rc = sq_map_error(db, src, what, err);
			}
		}
	} else {
		rc = sqb_rows(db, b, first, err);
	}
	b->n = 0;
	b->tlen = 0;
	return rc;
}

int sq_bulk_row(struct store *db, const struct store_value *v, struct cadre_err *err)
{
	struct sq_bulk *b = db->bulk_sq;
	struct store_value *h = &b->v[(size_t)b->n * (size_t)b->ncols];
	for (int i = 0; i < b->ncols; i++) {
		h[i] = v[i];
		if (v[i].type == STORE_T_TEXT && !v[i].text) {
			h[i].type = STORE_T_NULL;
		} else if (v[i].type == STORE_T_TEXT) {
			if (b->tlen + v[i].len > b->talloc) {
				while (b->tlen + v[i].len > b->talloc)
					b->talloc *= 2;
				b->text = xrealloc(b->text, b->talloc);
			}
			memcpy(b->text + b->tlen, v[i].text, v[i].len);
			h[i].i64 = (int64_t)b->tlen;
			h[i].text = NULL;
			b->tlen += v[i].len;
		}
	}
	b->n++;
	if (b->n < b->batch && b->tlen <= SQ_BATCH_TEXT)
		return CADRE_OK;
	/* this row is number bulk_rows + 1 */
	return sqb_flush(db, b, db->bulk_rows + 2 - b->n, err);
}

int sq_bulk_end(struct store *db, struct cadre_err *err)
{
	struct sq_bulk *b = db->bulk_sq;
	int rc = CADRE_OK;
	if (b && b->n)
		rc = sqb_flush(db, b, db->bulk_rows + 1 - b->n, err);
	for (int i = 0; b && rc == CADRE_OK && i < b->nreindex; i++) {
		db->deadline_ns = 0;
		int src = sqlite3_exec(db->sq, b->reindex[i], NULL, NULL, NULL);
		if (src != SQLITE_OK)
			rc = sq_map_error(db, src, "bulk load: building an index", err);
	}
	sq_bulk_abort(db);
	return rc;
}

void sq_bulk_abort(struct store *db)
{
	sqb_free(db->bulk_sq);
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
