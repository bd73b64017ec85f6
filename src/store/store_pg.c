/* store_pg: the PostgreSQL back end over libpq.  Statements are prepared
 * with PQprepare under generated names (cadre_1, cadre_2, ...) and run with
 * PQexecPrepared; parameters and results travel as text, doubles with 17
 * significant digits so they read back exactly.  A result is fetched whole
 * on the first store_step, so several statements may be read at once on a
 * connection, as on SQLite.  Bulk loads use COPY ... FROM STDIN in text
 * format. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "store/store_internal.h"

/* flush COPY data to the server in pieces of about this size */
#define COPY_CHUNK ((size_t)64 * 1024)

/* a server message's first line without the trailing newline */
static void one_line(char *dst, size_t n, const char *src)
{
	if (!src)
		src = "";
	size_t len = strcspn(src, "\n");
	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

int pg_map_result(struct store *db, const PGresult *res, const char *what, struct cadre_err *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	char line[256];
	if (!state || PQstatus(db->pg) == CONNECTION_BAD) {
		one_line(line, sizeof line, PQerrorMessage(db->pg));
		return cadre_err_set(err, CADRE_EINTERNAL, "%s: lost the database connection (%s)",
		                     what, line);
	}
	const char *cons = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
	const char *table = PQresultErrorField(res, PG_DIAG_TABLE_NAME);
	const char *column = PQresultErrorField(res, PG_DIAG_COLUMN_NAME);
	if (!cons)
		cons = "?";
	if (strcmp(state, "23505") == 0)
		return cadre_err_set(err, CADRE_ECONFLICT, "%s: UNIQUE constraint failed: %s", what,
		                     cons);
	if (strcmp(state, "23502") == 0)
		return cadre_err_set(err, CADRE_EINVAL, "%s: NOT NULL constraint failed: %s.%s",
		                     what, table ? table : "?", column ? column : "?");
	if (strcmp(state, "23503") == 0)
		return cadre_err_set(err, CADRE_EINVAL, "%s: FOREIGN KEY constraint failed: %s",
		                     what, cons);
	if (strcmp(state, "23514") == 0)
		return cadre_err_set(err, CADRE_EINVAL, "%s: CHECK constraint failed: %s", what,
		                     cons);
	if (strncmp(state, "23", 2) == 0)
		return cadre_err_set(err, CADRE_EINVAL, "%s: constraint failed: %s (SQLSTATE %s)",
		                     what, cons, state);
	if (strcmp(state, "40001") == 0)
		return cadre_err_set(err, CADRE_EBUSY,
		                     "%s: the database is busy (a concurrent change conflicted); "
		                     "try again",
		                     what);
	if (strcmp(state, "40P01") == 0)
		return cadre_err_set(err, CADRE_EBUSY,
		                     "%s: the database is busy (deadlock); try again", what);
	if (strcmp(state, "55P03") == 0)
		return cadre_err_set(
		    err, CADRE_EBUSY,
		    "%s: the database is busy (a lock was held longer than %d ms); "
		    "try again",
		    what, db->opt.busy_timeout_ms > 0 ? db->opt.busy_timeout_ms : 0);
	if (strcmp(state, "25006") == 0)
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "%s: writes are not allowed in a read-only transaction", what);
	if (strcmp(state, "57014") == 0)
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "%s: statement took longer than %d ms and was stopped", what,
		                     db->opt.statement_timeout_ms);
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0) {
		one_line(line, sizeof line, PQresultErrorMessage(res));
		return cadre_err_set(err, CADRE_EINTERNAL, "%s: lost the database connection (%s)",
		                     what, line);
	}
	if (strncmp(state, "42", 2) == 0) {
		/* syntax and schema errors name only what the code wrote */
		one_line(line, sizeof line, PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
		return cadre_err_set(err, CADRE_EINTERNAL, "%s: %s (SQLSTATE %s)", what, line,
		                     state);
	}
	/* other messages (22xxx data errors above all) may quote values */
	return cadre_err_set(err, CADRE_EINTERNAL, "%s: database error (SQLSTATE %s)", what, state);
}

/* run one command that returns no rows */
static int pg_command(struct store *db, const char *sql, const char *what, struct cadre_err *err)
{
	PGresult *res = PQexec(db->pg, sql);
	ExecStatusType s = PQresultStatus(res);
	int rc = CADRE_OK;
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY)
		rc = pg_map_result(db, res, what, err);
	PQclear(res);
	return rc;
}

static bool byte_order_collation(const char *provider, const char *collate)
{
	/* libc "C"/"POSIX" compare bytes; glibc's C.UTF-8 sorts by code point,
	 * which for UTF-8 is byte order too; PostgreSQL 17's builtin
	 * provider's C and C.UTF-8 likewise */
	if (strcmp(provider, "c") != 0 && strcmp(provider, "b") != 0)
		return false;
	return strcmp(collate, "C") == 0 || strcmp(collate, "POSIX") == 0 ||
	       strcmp(collate, "C.UTF-8") == 0 || strcmp(collate, "C.utf8") == 0;
}

/* the checks that make both back ends agree: UTF-8, PostgreSQL 15 or
 * later, byte-order collation */
static int pg_check_database(struct store *db, struct cadre_err *err)
{
	PGresult *res = PQexec(db->pg, "SELECT current_setting('server_version_num')::int, "
	                               "pg_encoding_to_char(encoding), datcollate, "
	                               "datlocprovider::text FROM pg_database "
	                               "WHERE datname = current_database()");
	int rc = CADRE_OK;
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		rc = pg_map_result(db, res, "open", err);
		goto done;
	}
	const char *ver = PQgetvalue(res, 0, 0);
	const char *enc = PQgetvalue(res, 0, 1);
	const char *coll = PQgetvalue(res, 0, 2);
	const char *prov = PQgetvalue(res, 0, 3);
	if (strtol(ver, NULL, 10) < 150000) {
		rc = cadre_err_set(err, CADRE_EINVAL,
		                   "%s: PostgreSQL %s is too old; Cadre needs 15 "
		                   "or later",
		                   db->name, ver);
	} else if (strcmp(enc, "UTF8") != 0) {
		rc = cadre_err_set(err, CADRE_EINVAL,
		                   "%s: the database's encoding is %s; Cadre needs UTF8 (createdb "
		                   "--encoding=UTF8 --locale=C.UTF-8 --template=template0 NAME)",
		                   db->name, enc);
	} else if (!byte_order_collation(prov, coll)) {
		rc = cadre_err_set(err, CADRE_EINVAL,
		                   "%s: the database sorts text by the locale '%s'%s; Cadre needs "
		                   "byte order so that both stores sort alike: create the database "
		                   "with createdb --encoding=UTF8 --locale=C.UTF-8 "
		                   "--template=template0 NAME",
		                   db->name, coll, strcmp(prov, "i") == 0 ? " (ICU)" : "");
	}
done:
	PQclear(res);
	return rc;
}

int pg_open(struct store *db, const char *url, struct cadre_err *err)
{
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(url, &perr);
	if (!opts) {
		char line[256];
		one_line(line, sizeof line, perr ? perr : "out of memory");
		PQfreemem(perr);
		return cadre_err_set(err, CADRE_EINVAL, "the PostgreSQL URL is not valid: %s",
		                     line);
	}
	bool has_password = false;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val && o->val[0])
			has_password = true;
	PQconninfoFree(opts);
	if (has_password) {
		/* the message must not echo the URL: it holds the password */
		return cadre_err_set(err, CADRE_EINVAL,
		                     "the database URL holds a password; remove it and put the "
		                     "password in a password file instead (PGPASSFILE, or "
		                     "~/.pgpass, mode 0600)");
	}
	/* connect_timeout first so the URL may override it */
	const char *const keys[] = {"connect_timeout", "dbname", "fallback_application_name", NULL};
	const char *const vals[] = {"10", url, "cadre", NULL};
	db->pg = PQconnectdbParams(keys, vals, 1);
	if (!db->pg)
		return cadre_err_set(err, CADRE_EINTERNAL, "%s: out of memory connecting", url);
	if (PQstatus(db->pg) != CONNECTION_OK) {
		char line[400];
		one_line(line, sizeof line, PQerrorMessage(db->pg));
		return cadre_err_set(err, CADRE_EINVAL, "cannot connect to %s: %s", url, line);
	}
	if (PQsetClientEncoding(db->pg, "UTF8") != 0)
		return cadre_err_set(err, CADRE_EINTERNAL, "%s: cannot set client encoding UTF8",
		                     url);
	char sql[512];
	int stmt_ms = db->opt.statement_timeout_ms > 0 ? db->opt.statement_timeout_ms : 0;
	/* lock_timeout 0 means wait forever in PostgreSQL: a negative busy
	 * timeout (do not wait) becomes the shortest wait instead */
	int lock_ms = db->opt.busy_timeout_ms > 0 ? db->opt.busy_timeout_ms : 1;
	(void)snprintf(sql, sizeof sql,
	               "SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; "
	               "SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 1; "
	               "SET standard_conforming_strings = on; "
	               "SET statement_timeout = %d; SET lock_timeout = %d",
	               stmt_ms, lock_ms);
	int rc = pg_command(db, sql, "open", err);
	if (rc != CADRE_OK)
		return rc;
	return pg_check_database(db, err);
}

void pg_close(struct store *db)
{
	if (db->pg)
		PQfinish(db->pg);
	db->pg = NULL;
}

int pg_prepare(struct store_stmt *st, const char *sql, struct cadre_err *err)
{
	struct store *db = st->db;
	(void)snprintf(st->pgname, sizeof st->pgname, "cadre_%u", ++db->next_stmt_id);
	PGresult *res = PQprepare(db->pg, st->pgname, sql, st->nparams, NULL);
	int rc = CADRE_OK;
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = pg_map_result(db, res, st->q->name, err);
	PQclear(res);
	return rc;
}

void pg_finalize(struct store_stmt *st)
{
	PQclear(st->res);
	st->res = NULL;
	/* the prepared statement itself lives until the connection closes */
}

void pg_param_set(struct store_stmt *st, int idx, const char *s, size_t len)
{
	struct store_pg_param *p = &st->params[idx - 1];
	if (len + 1 > p->alloc) {
		size_t n = p->alloc ? p->alloc : 32;
		while (n < len + 1)
			n *= 2;
		p->buf = xrealloc(p->buf, n);
		p->alloc = n;
	}
	memcpy(p->buf, s, len);
	p->buf[len] = '\0';
	p->is_null = false;
}

static int64_t affected(const PGresult *res)
{
	const char *cmd = PQcmdStatus((PGresult *)res);
	if (strncmp(cmd, "INSERT", 6) != 0 && strncmp(cmd, "UPDATE", 6) != 0 &&
	    strncmp(cmd, "DELETE", 6) != 0 && strncmp(cmd, "MERGE", 5) != 0 &&
	    strncmp(cmd, "COPY", 4) != 0)
		return 0;
	return strtoll(PQcmdTuples((PGresult *)res), NULL, 10);
}

int pg_step(struct store_stmt *st, struct cadre_err *err)
{
	struct store *db = st->db;
	if (!st->res) {
		for (int i = 0; i < st->nparams; i++)
			st->values[i] = st->params[i].is_null ? NULL : st->params[i].buf;
		st->res =
		    PQexecPrepared(db->pg, st->pgname, st->nparams, st->values, NULL, NULL, 0);
		ExecStatusType s = PQresultStatus(st->res);
		if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
			int rc = pg_map_result(db, st->res, st->q->name, err);
			PQclear(st->res);
			st->res = NULL;
			return rc;
		}
		st->nrows = PQntuples(st->res);
		st->ncols = PQnfields(st->res);
		st->row = -1;
		st->changes = affected(st->res);
	}
	st->row++;
	if (st->row < st->nrows)
		return CADRE_OK;
	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	return CADRE_DONE;
}

int pg_exec_script(struct store *db, const char *sql, const char *what, struct cadre_err *err)
{
	return pg_command(db, sql, what, err);
}

int pg_bulk_begin(struct store *db, const char *sql, struct cadre_err *err)
{
	PGresult *res = PQexec(db->pg, sql);
	int rc = CADRE_OK;
	if (PQresultStatus(res) != PGRES_COPY_IN)
		rc = pg_map_result(db, res, "bulk load", err);
	PQclear(res);
	db->bulk_len = 0;
	return rc;
}

/* make room for n more bytes in the COPY buffer */
static char *copy_room(struct store *db, size_t n)
{
	if (db->bulk_len + n > db->bulk_alloc) {
		size_t a = db->bulk_alloc ? db->bulk_alloc : 2 * COPY_CHUNK;
		while (a < db->bulk_len + n)
			a *= 2;
		db->bulk_buf = xrealloc(db->bulk_buf, a);
		db->bulk_alloc = a;
	}
	return db->bulk_buf + db->bulk_len;
}

static int copy_flush(struct store *db, struct cadre_err *err)
{
	if (db->bulk_len == 0)
		return CADRE_OK;
	if (PQputCopyData(db->pg, db->bulk_buf, (int)db->bulk_len) != 1) {
		char line[256];
		one_line(line, sizeof line, PQerrorMessage(db->pg));
		return cadre_err_set(err, CADRE_EINTERNAL, "bulk load: sending rows failed (%s)",
		                     line);
	}
	db->bulk_len = 0;
	return CADRE_OK;
}

int pg_bulk_row(struct store *db, const struct store_value *v, struct cadre_err *err)
{
	for (int i = 0; i < db->bulk_ncols; i++) {
		char *p;
		int n;
		if (i > 0) {
			*copy_room(db, 1) = '\t';
			db->bulk_len++;
		}
		switch (v[i].type) {
		case STORE_T_I64:
			p = copy_room(db, 24);
			n = snprintf(p, 24, "%" PRId64, v[i].i64);
			db->bulk_len += (size_t)n;
			break;
		case STORE_T_DOUBLE:
			p = copy_room(db, 40);
			n = snprintf(p, 40, "%.17g", v[i].dbl);
			db->bulk_len += (size_t)n;
			break;
		case STORE_T_TEXT:
			if (v[i].text) {
				/* text format: escape the backslash, the column and row
				 * separators and carriage return; at most 2 bytes each */
				p = copy_room(db, 2 * v[i].len);
				const char *s = v[i].text;
				for (size_t k = 0; k < v[i].len; k++) {
					char c = s[k];
					switch (c) {
					case '\\': *p++ = '\\', *p++ = '\\'; break;
					case '\t': *p++ = '\\', *p++ = 't'; break;
					case '\n': *p++ = '\\', *p++ = 'n'; break;
					case '\r': *p++ = '\\', *p++ = 'r'; break;
					default: *p++ = c; break;
					}
				}
				db->bulk_len = (size_t)(p - db->bulk_buf);
				break;
			}
			/* a NULL text is NULL */
			__attribute__((fallthrough));
		case STORE_T_NULL:
		default:
			p = copy_room(db, 2);
			p[0] = '\\', p[1] = 'N';
			db->bulk_len += 2;
			break;
		}
	}
	*copy_room(db, 1) = '\n';
	db->bulk_len++;
	if (db->bulk_len >= COPY_CHUNK)
		return copy_flush(db, err);
	return CADRE_OK;
}

/* collect the COPY's results until libpq has none left */
static int copy_finish(struct store *db, int64_t *rows, struct cadre_err *err)
{
	int rc = CADRE_OK;
	PGresult *res;
	while ((res = PQgetResult(db->pg)) != NULL) {
		ExecStatusType s = PQresultStatus(res);
		if (s == PGRES_COMMAND_OK) {
			if (rows)
				*rows = affected(res);
		} else if (rc == CADRE_OK) {
			rc = pg_map_result(db, res, "bulk load", err);
		}
		PQclear(res);
	}
	return rc;
}

int pg_bulk_end(struct store *db, int64_t *rows, struct cadre_err *err)
{
	int rc = copy_flush(db, err);
	if (rc != CADRE_OK) {
		pg_bulk_abort(db);
		return rc;
	}
	if (PQputCopyEnd(db->pg, NULL) != 1) {
		char line[256];
		one_line(line, sizeof line, PQerrorMessage(db->pg));
		(void)copy_finish(db, NULL, NULL);
		return cadre_err_set(err, CADRE_EINTERNAL, "bulk load: ending failed (%s)", line);
	}
	return copy_finish(db, rows, err);
}

void pg_bulk_abort(struct store *db)
{
	db->bulk_len = 0;
	if (PQputCopyEnd(db->pg, "bulk load abandoned") == 1)
		(void)copy_finish(db, NULL, NULL);
}
