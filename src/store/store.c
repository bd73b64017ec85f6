/* store: the shared front of the two back ends: opening by URL, the
 * statement cache, placeholder rewriting, binds and column accessors,
 * transaction nesting and the retry helper, bulk load and backup. */
#include "store/store.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/mem.h"
#include "store/store_internal.h"

int64_t store_now_ns(void)
{
	struct timespec ts;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- placeholders ---- */

int store_sql_rewrite(const char *name, const char *sql, char **out, int *nparams,
                      struct cadre_err *err)
{
	bool used[STORE_MAX_PARAMS + 1] = {false};
	int max = 0;
	struct buf b;
	buf_init(&b, (size_t)1024 * 1024);
	const char *p = sql;
	int rc = CADRE_OK;
	while (*p) {
		const char *start = p;
		if (*p == '\'' || *p == '"') {
			char q = *p++;
			for (;;) {
				if (!*p) {
					rc = cadre_err_set(err, CADRE_EINVAL,
					                   "statement %s: unterminated %s", name,
					                   q == '\'' ? "string literal"
					                             : "quoted identifier");
					goto done;
				}
				if (*p == q && p[1] == q) {
					p += 2;
					continue;
				}
				if (*p++ == q)
					break;
			}
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");
			if (!end) {
				rc = cadre_err_set(err, CADRE_EINVAL,
				                   "statement %s: unterminated /* comment", name);
				goto done;
			}
			p = end + 2;
		} else if (p[0] == '$' && isdigit((unsigned char)p[1])) {
			long n = 0;
			p++;
			while (isdigit((unsigned char)*p)) {
				if (n <= STORE_MAX_PARAMS)
					n = n * 10 + (*p - '0');
				p++;
			}
			if (n < 1 || n > STORE_MAX_PARAMS) {
				rc = cadre_err_set(
				    err, CADRE_EINVAL,
				    "statement %s: placeholder $%ld out of range 1..%d", name, n,
				    STORE_MAX_PARAMS);
				goto done;
			}
			used[n] = true;
			if (n > max)
				max = (int)n;
			if (out && (rc = buf_printf(&b, err, "?%ld", n)) != CADRE_OK)
				goto done;
			continue;
		} else if (*p == '?' && out) {
			rc = cadre_err_set(err, CADRE_EINVAL,
			                   "statement %s: use $1..$n placeholders, not '?'", name);
			goto done;
		} else {
			p++;
		}
		if (out && (rc = buf_append(&b, start, (size_t)(p - start), err)) != CADRE_OK)
			goto done;
	}
	for (int i = 1; i <= max; i++) {
		if (!used[i]) {
			rc = cadre_err_set(err, CADRE_EINVAL,
			                   "statement %s: $%d is never used (placeholders must run "
			                   "$1..$n without gaps)",
			                   name, i);
			goto done;
		}
	}
	*nparams = max;
	if (out)
		*out = buf_detach(&b);
done:
	buf_free(&b);
	return rc;
}

/* ---- open and close ---- */

static bool is_pg_url(const char *url)
{
	return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

int store_open(const char *url, const struct store_options *opt, struct store **out,
               struct cadre_err *err)
{
	*out = NULL;
	if (!url || !*url)
		return cadre_err_set(err, CADRE_EUSAGE, "no database given (--db or CADRE_DB)");
	struct store *db = xcalloc(1, sizeof *db);
	if (opt)
		db->opt = *opt;
	if (db->opt.busy_timeout_ms == 0)
		db->opt.busy_timeout_ms = STORE_DEFAULT_BUSY_MS;
	if (db->opt.statement_timeout_ms == 0)
		db->opt.statement_timeout_ms = STORE_DEFAULT_STATEMENT_MS;
	db->name = xstrdup(url);
	int rc;
	if (is_pg_url(url)) {
		db->kind = STORE_PG;
		rc = pg_open(db, url, err);
	} else {
		db->kind = STORE_SQLITE;
		rc = sq_open(db, url, err);
	}
	if (rc != CADRE_OK) {
		store_close(db);
		return rc;
	}
	*out = db;
	return CADRE_OK;
}

static void stmt_free(struct store_stmt *st)
{
	if (st->db->kind == STORE_SQLITE) {
		sq_finalize(st);
	} else {
		pg_finalize(st);
		for (int i = 0; i < st->nparams; i++)
			free(st->params[i].buf);
		free(st->params);
		free(st->values);
	}
	free(st);
}

void store_close(struct store *db)
{
	if (!db)
		return;
	if (db->bulk_active) {
		if (db->kind == STORE_SQLITE)
			sq_bulk_abort(db);
		else
			pg_bulk_abort(db);
		db->bulk_active = false;
	}
	while (db->depth > 0)
		(void)store_tx_rollback(db, NULL);
	for (size_t i = 0; i < db->nslots; i++)
		if (db->slots[i])
			stmt_free(db->slots[i]);
	free(db->slots);
	free(db->bulk_buf);
	if (db->kind == STORE_SQLITE)
		sq_close(db);
	else if (db->kind == STORE_PG)
		pg_close(db);
	free(db->name);
	free(db);
}

const char *store_kind(const struct store *db)
{
	return db->kind == STORE_PG ? "postgresql" : "sqlite";
}

bool store_is_pg(const struct store *db)
{
	return db->kind == STORE_PG;
}

const char *store_name(const struct store *db)
{
	return db->name;
}

/* ---- transaction bookkeeping shared by statements ---- */

void store_note_failure(struct store *db)
{
	if (db->depth == 0)
		return;
	/* SQLite rolls the whole transaction back itself on some errors (a
	 * full disk, an I/O error, an interrupt): then every level is lost. */
	if (db->kind == STORE_SQLITE && sqlite3_get_autocommit(db->sq)) {
		db->failed_depth = 1;
		return;
	}
	if (db->failed_depth == 0 || db->depth < db->failed_depth)
		db->failed_depth = db->depth;
}

int store_check_usable(struct store *db, const char *what, struct cadre_err *err)
{
	if (db->bulk_active)
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "%s: a bulk load is running on this connection", what);
	if (db->failed_depth)
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "%s: an earlier statement in this transaction failed; roll "
		                     "it back first",
		                     what);
	return CADRE_OK;
}

/* ---- statement cache ---- */

static size_t slot_of(const struct store *db, const struct store_sql *q)
{
	uint64_t h = (uint64_t)(uintptr_t)q;
	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 20) & (db->nslots - 1);
}

static void cache_insert(struct store *db, struct store_stmt *st)
{
	if ((db->nused + 1) * 2 > db->nslots) {
		size_t old_n = db->nslots;
		struct store_stmt **old = db->slots;
		db->nslots = old_n ? old_n * 2 : 64;
		db->slots = xcalloc(db->nslots, sizeof(struct store_stmt *));
		for (size_t i = 0; i < old_n; i++) {
			if (!old[i])
				continue;
			size_t j = slot_of(db, old[i]->q);
			while (db->slots[j])
				j = (j + 1) & (db->nslots - 1);
			db->slots[j] = old[i];
		}
		free(old);
	}
	size_t j = slot_of(db, st->q);
	while (db->slots[j])
		j = (j + 1) & (db->nslots - 1);
	db->slots[j] = st;
	db->nused++;
}

static struct store_stmt *cache_find(const struct store *db, const struct store_sql *q)
{
	if (!db->nslots)
		return NULL;
	size_t j = slot_of(db, q);
	while (db->slots[j]) {
		if (db->slots[j]->q == q)
			return db->slots[j];
		j = (j + 1) & (db->nslots - 1);
	}
	return NULL;
}

/* end the current run but keep the parameters */
static void stmt_end_run(struct store_stmt *st)
{
	st->active = false;
	if (st->db->kind == STORE_SQLITE) {
		(void)sqlite3_reset(st->sq);
	} else {
		PQclear(st->res);
		st->res = NULL;
		st->row = -1;
		st->nrows = 0;
	}
}

void store_reset(struct store_stmt *st)
{
	if (!st)
		return;
	stmt_end_run(st);
	if (st->db->kind == STORE_SQLITE) {
		(void)sqlite3_clear_bindings(st->sq);
	} else {
		for (int i = 0; i < st->nparams; i++)
			st->params[i].is_null = true;
	}
}

int store_prepare(struct store *db, const struct store_sql *q, struct store_stmt **out,
                  struct cadre_err *err)
{
	*out = NULL;
	int rc = store_check_usable(db, q->name, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st = cache_find(db, q);
	if (st) {
		store_reset(st);
		*out = st;
		return CADRE_OK;
	}
	st = xcalloc(1, sizeof *st);
	st->db = db;
	st->q = q;
	st->row = -1;
	char *sqlite_text = NULL;
	if (db->kind == STORE_SQLITE) {
		rc = store_sql_rewrite(q->name, q->sql, &sqlite_text, &st->nparams, err);
		if (rc == CADRE_OK)
			rc = sq_prepare(st, sqlite_text, err);
	} else {
		const char *text = q->pg_sql ? q->pg_sql : q->sql;
		rc = store_sql_rewrite(q->name, text, NULL, &st->nparams, err);
		if (rc == CADRE_OK) {
			if (st->nparams) {
				st->params = xcalloc((size_t)st->nparams, sizeof *st->params);
				st->values = xcalloc((size_t)st->nparams, sizeof *st->values);
				for (int i = 0; i < st->nparams; i++)
					st->params[i].is_null = true;
			}
			rc = pg_prepare(st, text, err);
		}
	}
	free(sqlite_text);
	if (rc != CADRE_OK) {
		/* a failed prepare aborts a PostgreSQL transaction; treat both
		 * back ends alike */
		store_note_failure(db);
		if (db->kind == STORE_SQLITE)
			sq_finalize(st);
		free(st->params);
		free(st->values);
		free(st);
		return rc;
	}
	cache_insert(db, st);
	*out = st;
	return CADRE_OK;
}

/* ---- binds ---- */

static bool bind_ok(struct store_stmt *st, int idx)
{
	if (idx < 1 || idx > st->nparams) {
		if (!st->misuse) {
			st->misuse = STORE_MISUSE_INDEX;
			st->misuse_index = idx;
		}
		return false;
	}
	return true;
}

static void misuse(struct store_stmt *st, enum store_misuse m, int index)
{
	if (!st->misuse) {
		st->misuse = m;
		st->misuse_index = index;
	}
}

void store_bind_i64(struct store_stmt *st, int idx, int64_t v)
{
	if (!bind_ok(st, idx))
		return;
	if (st->db->kind == STORE_SQLITE) {
		(void)sqlite3_bind_int64(st->sq, idx, v);
	} else {
		char tmp[24];
		int n = snprintf(tmp, sizeof tmp, "%" PRId64, v);
		pg_param_set(st, idx, tmp, (size_t)n);
	}
}

void store_bind_double(struct store_stmt *st, int idx, double v)
{
	if (!bind_ok(st, idx))
		return;
	if (!isfinite(v)) {
		misuse(st, STORE_MISUSE_DOUBLE, idx);
		return;
	}
	if (st->db->kind == STORE_SQLITE) {
		(void)sqlite3_bind_double(st->sq, idx, v);
	} else {
		/* 17 significant digits always read back as the same double */
		char tmp[40];
		int n = snprintf(tmp, sizeof tmp, "%.17g", v);
		pg_param_set(st, idx, tmp, (size_t)n);
	}
}

void store_bind_bool(struct store_stmt *st, int idx, bool v)
{
	store_bind_i64(st, idx, v ? 1 : 0);
}

void store_bind_text(struct store_stmt *st, int idx, const char *s, size_t len)
{
	if (!s) {
		store_bind_null(st, idx);
		return;
	}
	if (!bind_ok(st, idx))
		return;
	if (memchr(s, '\0', len)) {
		misuse(st, STORE_MISUSE_NUL, idx);
		return;
	}
	if (st->db->kind == STORE_SQLITE)
		(void)sqlite3_bind_text64(st->sq, idx, s, len, SQLITE_TRANSIENT, SQLITE_UTF8);
	else
		pg_param_set(st, idx, s, len);
}

void store_bind_str(struct store_stmt *st, int idx, const char *s)
{
	store_bind_text(st, idx, s, s ? strlen(s) : 0);
}

void store_bind_null(struct store_stmt *st, int idx)
{
	if (!bind_ok(st, idx))
		return;
	if (st->db->kind == STORE_SQLITE)
		(void)sqlite3_bind_null(st->sq, idx);
	else
		st->params[idx - 1].is_null = true;
}

/* ---- running ---- */

static int report_misuse(struct store_stmt *st, struct cadre_err *err)
{
	const char *n = st->q->name;
	int i = st->misuse_index;
	enum store_misuse m = st->misuse;
	st->misuse = STORE_MISUSE_NONE;
	switch (m) {
	case STORE_MISUSE_INDEX:
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "statement %s: parameter %d is out of range 1..%d", n, i,
		                     st->nparams);
	case STORE_MISUSE_DOUBLE:
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "statement %s: parameter %d is not a finite number", n, i);
	case STORE_MISUSE_NUL:
		return cadre_err_set(err, CADRE_EINVAL,
		                     "statement %s: parameter %d holds a NUL byte", n, i);
	case STORE_MISUSE_COLUMN:
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "statement %s: column %d was read but does not exist", n, i);
	case STORE_MISUSE_NUMBER:
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "statement %s: column %d was read as a number but is not one",
		                     n, i);
	case STORE_MISUSE_NOROW:
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "statement %s: column %d was read with no current row", n, i);
	case STORE_MISUSE_NONE: break;
	}
	return CADRE_OK;
}

int store_step(struct store_stmt *st, struct cadre_err *err)
{
	int rc;
	if (st->misuse) {
		stmt_end_run(st);
		return report_misuse(st, err);
	}
	if (!st->active) {
		if ((rc = store_check_usable(st->db, st->q->name, err)) != CADRE_OK)
			return rc;
		st->active = true;
	}
	rc = st->db->kind == STORE_SQLITE ? sq_step(st, err) : pg_step(st, err);
	if (rc == CADRE_OK)
		return CADRE_OK;
	stmt_end_run(st);
	if (rc < 0)
		store_note_failure(st->db);
	return rc;
}

int store_exec(struct store_stmt *st, struct cadre_err *err)
{
	int rc;
	while ((rc = store_step(st, err)) == CADRE_OK)
		;
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

int64_t store_changes(const struct store_stmt *st)
{
	return st->changes;
}

/* ---- columns ---- */

/* PostgreSQL: the current row's cell, or NULL (noting the misuse) */
static bool pg_cell_ok(struct store_stmt *st, int col)
{
	if (!st->res || st->row < 0 || st->row >= st->nrows) {
		misuse(st, STORE_MISUSE_NOROW, col);
		return false;
	}
	if (col < 0 || col >= st->ncols) {
		misuse(st, STORE_MISUSE_COLUMN, col);
		return false;
	}
	return true;
}

static bool sq_cell_ok(struct store_stmt *st, int col)
{
	if (col < 0 || col >= sqlite3_column_count(st->sq)) {
		misuse(st, STORE_MISUSE_COLUMN, col);
		return false;
	}
	if (!st->active) {
		misuse(st, STORE_MISUSE_NOROW, col);
		return false;
	}
	return true;
}

int store_col_count(const struct store_stmt *st)
{
	if (st->db->kind == STORE_SQLITE)
		return sqlite3_column_count(st->sq);
	return st->res ? st->ncols : 0;
}

bool store_col_is_null(struct store_stmt *st, int col)
{
	if (st->db->kind == STORE_SQLITE) {
		if (!sq_cell_ok(st, col))
			return true;
		return sqlite3_column_type(st->sq, col) == SQLITE_NULL;
	}
	if (!pg_cell_ok(st, col))
		return true;
	return PQgetisnull(st->res, st->row, col) != 0;
}

int64_t store_col_i64(struct store_stmt *st, int col)
{
	if (st->db->kind == STORE_SQLITE) {
		if (!sq_cell_ok(st, col))
			return 0;
		return sqlite3_column_int64(st->sq, col);
	}
	if (!pg_cell_ok(st, col) || PQgetisnull(st->res, st->row, col))
		return 0;
	const char *s = PQgetvalue(st->res, st->row, col);
	/* a PostgreSQL boolean expression (EXISTS, a = b) reads as 0/1, as
	 * it does in SQLite */
	if (s[0] == 't' && s[1] == '\0')
		return 1;
	if (s[0] == 'f' && s[1] == '\0')
		return 0;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end) {
		misuse(st, STORE_MISUSE_NUMBER, col);
		return 0;
	}
	return (int64_t)v;
}

double store_col_double(struct store_stmt *st, int col)
{
	if (st->db->kind == STORE_SQLITE) {
		if (!sq_cell_ok(st, col))
			return 0.0;
		return sqlite3_column_double(st->sq, col);
	}
	if (!pg_cell_ok(st, col) || PQgetisnull(st->res, st->row, col))
		return 0.0;
	const char *s = PQgetvalue(st->res, st->row, col);
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || (errno && errno != ERANGE)) {
		misuse(st, STORE_MISUSE_NUMBER, col);
		return 0.0;
	}
	return v;
}

bool store_col_bool(struct store_stmt *st, int col)
{
	return store_col_i64(st, col) != 0;
}

const char *store_col_text(struct store_stmt *st, int col)
{
	if (st->db->kind == STORE_SQLITE) {
		if (!sq_cell_ok(st, col))
			return NULL;
		if (sqlite3_column_type(st->sq, col) == SQLITE_NULL)
			return NULL;
		return (const char *)sqlite3_column_text(st->sq, col);
	}
	if (!pg_cell_ok(st, col) || PQgetisnull(st->res, st->row, col))
		return NULL;
	return PQgetvalue(st->res, st->row, col);
}

size_t store_col_len(struct store_stmt *st, int col)
{
	if (st->db->kind == STORE_SQLITE) {
		if (!sq_cell_ok(st, col) || sqlite3_column_type(st->sq, col) == SQLITE_NULL)
			return 0;
		/* after sqlite3_column_text, as the SQLite documentation advises */
		(void)sqlite3_column_text(st->sq, col);
		return (size_t)sqlite3_column_bytes(st->sq, col);
	}
	if (!pg_cell_ok(st, col) || PQgetisnull(st->res, st->row, col))
		return 0;
	return (size_t)PQgetlength(st->res, st->row, col);
}

/* ---- scripts ---- */

int store_exec_script(struct store *db, const char *sql, struct cadre_err *err)
{
	int rc = store_check_usable(db, "script", err);
	if (rc != CADRE_OK)
		return rc;
	rc = db->kind == STORE_SQLITE ? sq_exec_script(db, sql, "script", err)
	                              : pg_exec_script(db, sql, "script", err);
	if (rc < 0)
		store_note_failure(db);
	return rc;
}

/* run a transaction-control statement: no failure marking, no checks */
static int tx_control(struct store *db, const char *sql, struct cadre_err *err)
{
	/* name the statement by its first word: "BEGIN", "COMMIT", ... */
	char what[16];
	size_t n = strcspn(sql, " ;");
	if (n >= sizeof what)
		n = sizeof what - 1;
	memcpy(what, sql, n);
	what[n] = '\0';
	return db->kind == STORE_SQLITE ? sq_exec_script(db, sql, what, err)
	                                : pg_exec_script(db, sql, what, err);
}

/* ---- transactions ---- */

/* the outermost level has ended, one way or the other */
static void tx_ended(struct store *db)
{
	db->depth = 0;
	db->failed_depth = 0;
}

int store_tx_depth(const struct store *db)
{
	return db->depth;
}

int store_tx_begin(struct store *db, enum store_tx_mode mode, struct cadre_err *err)
{
	int rc;
	if (mode != STORE_TX_READ && mode != STORE_TX_WRITE)
		return cadre_err_set(err, CADRE_EINTERNAL, "transaction mode %d is unknown",
		                     (int)mode);
	if ((rc = store_check_usable(db, "begin", err)) != CADRE_OK)
		return rc;
	if (db->depth == 0) {
		const char *sql;
		if (db->kind == STORE_SQLITE)
			sql = mode == STORE_TX_WRITE ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED";
		else
			sql = mode == STORE_TX_WRITE
			          ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
			          : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
		/* SQLite has no read-only BEGIN: sq_step refuses a statement that
		 * writes while outer_mode is STORE_TX_READ, so a write in a read
		 * transaction fails on both back ends */
		if ((rc = tx_control(db, sql, err)) != CADRE_OK)
			return rc;
		db->outer_mode = mode;
		db->depth = 1;
		return CADRE_OK;
	}
	if (mode == STORE_TX_WRITE && db->outer_mode == STORE_TX_READ)
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "a write transaction cannot begin inside a read-only one");
	char sql[48];
	(void)snprintf(sql, sizeof sql, "SAVEPOINT cadre_sp%d", db->depth + 1);
	if ((rc = tx_control(db, sql, err)) != CADRE_OK) {
		store_note_failure(db);
		return rc;
	}
	db->depth++;
	return CADRE_OK;
}

int store_tx_commit(struct store *db, struct cadre_err *err)
{
	int rc;
	if (db->depth == 0)
		return cadre_err_set(err, CADRE_EINTERNAL, "commit: no transaction is open");
	if (db->bulk_active)
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "commit: a bulk load is running; end it first");
	if (db->failed_depth)
		return cadre_err_set(
		    err, CADRE_EINTERNAL,
		    "commit: a statement in this transaction failed; roll it back");
	if (db->depth > 1) {
		char sql[48];
		(void)snprintf(sql, sizeof sql, "RELEASE SAVEPOINT cadre_sp%d", db->depth);
		if ((rc = tx_control(db, sql, err)) != CADRE_OK) {
			store_note_failure(db);
			return rc;
		}
		db->depth--;
		return CADRE_OK;
	}
	rc = tx_control(db, "COMMIT", err);
	if (rc != CADRE_OK) {
		/* The commit did not happen (a PostgreSQL serialization failure
		 * ends the transaction; SQLite may leave it open): make sure it
		 * is rolled back and closed either way. */
		bool still_open = db->kind == STORE_SQLITE
		                      ? !sqlite3_get_autocommit(db->sq)
		                      : PQtransactionStatus(db->pg) != PQTRANS_IDLE;
		if (still_open)
			(void)tx_control(db, "ROLLBACK", NULL);
	}
	tx_ended(db);
	return rc;
}

int store_tx_rollback(struct store *db, struct cadre_err *err)
{
	int rc = CADRE_OK;
	if (db->depth == 0)
		return CADRE_OK;
	if (db->bulk_active) {
		if (db->kind == STORE_SQLITE)
			sq_bulk_abort(db);
		else
			pg_bulk_abort(db);
		db->bulk_active = false;
	}
	bool sq_gone = db->kind == STORE_SQLITE && sqlite3_get_autocommit(db->sq);
	if (db->depth == 1) {
		if (!sq_gone)
			rc = tx_control(db, "ROLLBACK", err);
		tx_ended(db);
		return rc;
	}
	if (sq_gone) {
		/* SQLite already rolled everything back: the outer levels are
		 * lost too, so they must roll back as well */
		db->depth--;
		db->failed_depth = 1;
		return CADRE_OK;
	}
	char sql[96];
	(void)snprintf(sql, sizeof sql,
	               "ROLLBACK TO SAVEPOINT cadre_sp%d; RELEASE SAVEPOINT cadre_sp%d", db->depth,
	               db->depth);
	rc = tx_control(db, sql, err);
	if (rc != CADRE_OK) {
		db->depth--;
		db->failed_depth = 1;
		return rc;
	}
	if (db->failed_depth >= db->depth)
		db->failed_depth = 0;
	db->depth--;
	return CADRE_OK;
}

static void backoff_sleep(int attempt)
{
	/* 10, 20, 40, 80 ms, each plus up to half again, the jitter taken from
	 * the clock's low bits so two waiting writers drift apart */
	int64_t base_ns = (int64_t)10000000 << attempt;
	int64_t jitter = (store_now_ns() / 1000) % (base_ns / 2 + 1);
	int64_t ns = base_ns + jitter;
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000),
	                      .tv_nsec = (long)(ns % 1000000000)};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int store_tx_run(struct store *db, enum store_tx_mode mode, store_tx_fn fn, void *arg,
                 struct cadre_err *err)
{
	int rc;
	if (db->depth > 0) {
		if ((rc = store_tx_begin(db, mode, err)) != CADRE_OK)
			return rc;
		rc = fn(db, arg, err);
		if (rc < 0) {
			(void)store_tx_rollback(db, NULL);
			return rc;
		}
		int crc = store_tx_commit(db, err);
		if (crc != CADRE_OK) {
			(void)store_tx_rollback(db, NULL);
			return crc;
		}
		return rc;
	}
	for (int attempt = 0;; attempt++) {
		rc = store_tx_begin(db, mode, err);
		if (rc == CADRE_OK) {
			rc = fn(db, arg, err);
			if (rc >= 0) {
				int frc = rc;
				rc = store_tx_commit(db, err);
				if (rc == CADRE_OK)
					return frc;
			} else {
				(void)store_tx_rollback(db, NULL);
			}
		}
		if (rc != CADRE_EBUSY)
			return rc;
		if (attempt + 1 >= STORE_TX_ATTEMPTS)
			break;
		backoff_sleep(attempt);
	}
	cadre_err_prefix(err, "still busy after %d attempts", STORE_TX_ATTEMPTS);
	return CADRE_EBUSY;
}

/* ---- bulk load ---- */

static bool plain_ident(const char *s)
{
	if (!s || !(islower((unsigned char)*s) || *s == '_'))
		return false;
	size_t n = 0;
	for (; *s; s++, n++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
			return false;
	return n <= 63;
}

int store_bulk_begin(struct store *db, const char *table, const char *const *columns, int ncols,
                     struct cadre_err *err)
{
	int rc;
	if ((rc = store_check_usable(db, "bulk load", err)) != CADRE_OK)
		return rc;
	if (db->depth == 0 || db->outer_mode != STORE_TX_WRITE)
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "bulk load into %s: needs a write transaction", table);
	if (!plain_ident(table))
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "bulk load: table name is not a plain identifier");
	if (ncols < 1 || ncols > STORE_MAX_PARAMS)
		return cadre_err_set(err, CADRE_EINTERNAL, "bulk load into %s: %d columns", table,
		                     ncols);
	struct buf sql;
	buf_init(&sql, (size_t)64 * 1024);
	rc = buf_printf(&sql, err, db->kind == STORE_PG ? "COPY %s (" : "INSERT INTO %s (", table);
	for (int i = 0; rc == CADRE_OK && i < ncols; i++) {
		if (!plain_ident(columns[i])) {
			rc = cadre_err_set(err, CADRE_EINTERNAL,
			                   "bulk load into %s: column %d is not a plain identifier",
			                   table, i + 1);
			break;
		}
		rc = buf_printf(&sql, err, "%s%s", i ? ", " : "", columns[i]);
	}
	if (rc == CADRE_OK && db->kind == STORE_PG) {
		rc = buf_puts(&sql, ") FROM STDIN", err);
	} else if (rc == CADRE_OK) {
		rc = buf_puts(&sql, ") VALUES (", err);
		for (int i = 0; rc == CADRE_OK && i < ncols; i++)
			rc = buf_printf(&sql, err, "%s?%d", i ? ", " : "", i + 1);
		if (rc == CADRE_OK)
			rc = buf_putc(&sql, ')', err);
	}
	if (rc != CADRE_OK) {
		buf_free(&sql);
		return rc;
	}
	rc = db->kind == STORE_PG ? pg_bulk_begin(db, buf_cstr(&sql), err)
	                          : sq_bulk_begin(db, table, buf_cstr(&sql), ncols, err);
	buf_free(&sql);
	if (rc != CADRE_OK) {
		store_note_failure(db);
		return rc;
	}
	db->bulk_active = true;
	db->bulk_ncols = ncols;
	db->bulk_rows = 0;
	return CADRE_OK;
}

int store_bulk_row(struct store *db, const struct store_value *values, struct cadre_err *err)
{
	if (!db->bulk_active)
		return cadre_err_set(err, CADRE_EINTERNAL, "bulk row: no bulk load is running");
	int rc = CADRE_OK;
	for (int i = 0; i < db->bulk_ncols; i++) {
		const struct store_value *v = &values[i];
		if (v->type == STORE_T_TEXT && v->text && memchr(v->text, '\0', v->len)) {
			rc = cadre_err_set(err, CADRE_EINVAL,
			                   "bulk load: row %" PRId64 ", column %d holds a NUL byte",
			                   db->bulk_rows + 1, i + 1);
			break;
		}
		if (v->type == STORE_T_DOUBLE && !isfinite(v->dbl)) {
			rc = cadre_err_set(err, CADRE_EINVAL,
			                   "bulk load: row %" PRId64 ", column %d is not a finite "
			                   "number",
			                   db->bulk_rows + 1, i + 1);
			break;
		}
	}
	if (rc == CADRE_OK)
		rc = db->kind == STORE_PG ? pg_bulk_row(db, values, err)
		                          : sq_bulk_row(db, values, err);
	if (rc != CADRE_OK) {
		if (db->kind == STORE_PG)
			pg_bulk_abort(db);
		else
			sq_bulk_abort(db);
		db->bulk_active = false;
		store_note_failure(db);
		return rc;
	}
	db->bulk_rows++;
	return CADRE_OK;
}

int store_bulk_end(struct store *db, int64_t *rows, struct cadre_err *err)
{
	if (!db->bulk_active)
		return cadre_err_set(err, CADRE_EINTERNAL, "bulk end: no bulk load is running");
	int64_t n = db->bulk_rows;
	int rc = db->kind == STORE_PG ? pg_bulk_end(db, &n, err) : sq_bulk_end(db, err);
	db->bulk_active = false;
	if (rc != CADRE_OK) {
		store_note_failure(db);
		return rc;
	}
	if (rows)
		*rows = n;
	return CADRE_OK;
}

/* ---- backup ---- */

int store_backup(struct store *db, const char *path, struct cadre_err *err)
{
	if (db->kind == STORE_PG)
		return cadre_err_set(
		    err, CADRE_EINVAL,
		    "backups of a PostgreSQL database are made with PostgreSQL's own tools: "
		    "pg_dump --format=custom --file=FILE '%s' (restore into an empty database "
		    "with pg_restore --dbname='postgresql://...' FILE)",
		    db->name);
	if (db->bulk_active)
		return cadre_err_set(err, CADRE_EINTERNAL, "backup: a bulk load is running");
	return sq_backup(db, path, err);
}
