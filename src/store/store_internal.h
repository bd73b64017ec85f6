/* store_internal: what the shared front (store.c) and the two back ends
 * (store_sqlite.c, store_pg.c) share, plus the few store-layer-only entry
 * points (scripts for migrations, the placeholder rewriter for tests).
 * Nothing outside src/store and the store's own tests includes this.
 *
 * The front owns the statement cache, the parameter bookkeeping that both
 * back ends need, the transaction depth and "failed" marker, and the
 * sticky bind errors.  A back end supplies connect/close, prepare/finalize,
 * bind/step/column, script execution, bulk load and error mapping. */
#ifndef CADRE_STORE_STORE_INTERNAL_H
#define CADRE_STORE_STORE_INTERNAL_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

enum store_backend {
	STORE_SQLITE = 1,
	STORE_PG = 2,
};

/* the most parameters one statement may use */
#define STORE_MAX_PARAMS 999

/* a misuse remembered by a bind or column accessor */
enum store_misuse {
	STORE_MISUSE_NONE = 0,
	STORE_MISUSE_INDEX,  /* parameter index out of range */
	STORE_MISUSE_DOUBLE, /* non-finite double */
	STORE_MISUSE_COLUMN, /* column index out of range */
	STORE_MISUSE_NUMBER, /* a column read as a number is not one */
	STORE_MISUSE_NOROW,  /* a column read with no current row */
	STORE_MISUSE_NUL,    /* text holding a NUL byte */
};

/* PostgreSQL parameter: sent as text (the text protocol, so the server's
 * inferred type parses it), each in its own buffer reused from run to run,
 * so binding allocates only when a value outgrows its predecessor. */
struct store_pg_param {
	bool is_null;
	char *buf;
	size_t alloc;
};

struct store_stmt {
	struct store *db;
	const struct store_sql *q;
	int nparams;
	int ncols;
	bool active; /* run started, not yet DONE/error/reset */
	int64_t changes;
	enum store_misuse misuse;
	int misuse_index;
	/* SQLite */
	sqlite3_stmt *sq;
	/* PostgreSQL */
	char pgname[24];
	struct store_pg_param *params;
	const char **values;
	PGresult *res;
	int row, nrows;
};

struct store {
	enum store_backend kind;
	char *name; /* path or URL, no password */
	struct store_options opt;
	/* statement cache: open addressing on the descriptor's address */
	struct store_stmt **slots;
	size_t nslots, nused;
	/* transactions */
	int depth;
	enum store_tx_mode outer_mode;
	int failed_depth; /* 0, or the level at which a statement failed */
	/* bulk load */
	bool bulk_active;
	int bulk_ncols;
	int64_t bulk_rows;
	struct sq_bulk *bulk_sq; /* SQLite: the batch (store_sqlite.c) */
	char *bulk_buf;
	size_t bulk_len, bulk_alloc;
	/* SQLite */
	sqlite3 *sq;
	int64_t deadline_ns; /* 0: none; checked by the progress handler */
	bool interrupted;
	/* PostgreSQL */
	PGconn *pg;
	unsigned next_stmt_id;
};

/* the placeholder rewriter: checks that sql uses $1..$n with no gaps
 * (outside literals, quoted identifiers and comments) and, when out is not
 * NULL, writes the SQLite form (?1..?n) to *out (caller frees).  *nparams
 * gets n.  CADRE_EINVAL for a malformed statement (unterminated literal or
 * comment, a bare '?', $0, a gap). */
int store_sql_rewrite(const char *name, const char *sql, char **out, int *nparams,
                      struct cadre_err *err);

/* store_exec_script: run SQL text holding any number of statements, no
 * parameters, no rows (migrations, test set-up).  Marks a transaction
 * failed on error like any statement. */
int store_exec_script(struct store *db, const char *sql, struct cadre_err *err);

/* store_now_ns: CLOCK_MONOTONIC in nanoseconds. */
int64_t store_now_ns(void);

/* store_note_failure: record that a statement failed in the current
 * transaction level (no-op outside a transaction). */
void store_note_failure(struct store *db);

/* store_check_usable: CADRE_EINTERNAL when a bulk load is running or the
 * transaction has failed, so no statement may run. */
int store_check_usable(struct store *db, const char *what, struct cadre_err *err);

/* SQLite back end (store_sqlite.c) */
int sq_open(struct store *db, const char *path, struct cadre_err *err);
void sq_close(struct store *db);
int sq_prepare(struct store_stmt *st, const char *sql, struct cadre_err *err);
void sq_finalize(struct store_stmt *st);
int sq_step(struct store_stmt *st, struct cadre_err *err);
int sq_exec_script(struct store *db, const char *sql, const char *what, struct cadre_err *err);
/* sq_bulk_begin: table and ncols as given to store_bulk_begin, sql the
 * one-row INSERT built from them. */
int sq_bulk_begin(struct store *db, const char *table, const char *sql, int ncols,
                  struct cadre_err *err);
int sq_bulk_row(struct store *db, const struct store_value *v, struct cadre_err *err);
int sq_bulk_end(struct store *db, struct cadre_err *err);
void sq_bulk_abort(struct store *db);
int sq_backup(struct store *db, const char *path, struct cadre_err *err);
/* sq_map_error: turn the connection's last error (rc) into a status and
 * message naming what (a statement name). */
int sq_map_error(struct store *db, int rc, const char *what, struct cadre_err *err);

/* PostgreSQL back end (store_pg.c) */
int pg_open(struct store *db, const char *url, struct cadre_err *err);
void pg_close(struct store *db);
int pg_prepare(struct store_stmt *st, const char *sql, struct cadre_err *err);
void pg_finalize(struct store_stmt *st);
int pg_step(struct store_stmt *st, struct cadre_err *err);
int pg_exec_script(struct store *db, const char *sql, const char *what, struct cadre_err *err);
int pg_bulk_begin(struct store *db, const char *sql, struct cadre_err *err);
int pg_bulk_row(struct store *db, const struct store_value *v, struct cadre_err *err);
int pg_bulk_end(struct store *db, int64_t *rows, struct cadre_err *err);
void pg_bulk_abort(struct store *db);
/* pg_map_result: turn a failed result into a status and message. */
int pg_map_result(struct store *db, const PGresult *res, const char *what, struct cadre_err *err);
/* pg_param_set: store text of len bytes as parameter idx (1-based). */
void pg_param_set(struct store_stmt *st, int idx, const char *s, size_t len);

#endif
