/* store: one small database interface with two real back ends, SQLite (the
 * embedded default, a file path) and PostgreSQL (a postgresql:// URL).
 *
 * Design notes
 * - A connection (struct store) belongs to one thread at a time.  Open one
 *   per thread; nothing here is shared between connections.
 * - SQL is written once with $1..$n placeholders in a static descriptor,
 *       static const struct store_sql q_get = {
 *           .name = "org_get",
 *           .sql = "SELECT name FROM org WHERE code = $1",
 *       };
 *   optionally with .pg_sql where the dialects differ.  store_prepare()
 *   prepares it once per connection, lazily, and caches it by the
 *   descriptor's address; later calls hand back the cached statement, reset.
 *   SQLite sees the text rewritten to ?1..?n (string literals, quoted
 *   identifiers and comments are left alone).
 * - One type vocabulary for both stores (docs/store.md): whole numbers
 *   int64; fractions double (exact round trip); dates TEXT 'YYYY-MM-DD';
 *   months int64 yyyymm; timestamps int64 microseconds UTC; booleans int64
 *   0/1; money int64 pence; text UTF-8; NULL.
 * - Parameters are numbered from 1 ($1); result columns from 0.
 * - Binds never fail at the call: a misuse (index out of range, a
 *   non-finite double) is remembered and reported by the next store_step.
 * - Errors map to Cadre statuses: unique violation -> CADRE_ECONFLICT;
 *   lock contention, deadlock, serialization failure -> CADRE_EBUSY
 *   (retryable: see store_tx_run); other constraint violations ->
 *   CADRE_EINVAL naming the constraint; the rest CADRE_EINTERNAL.  Messages
 *   name the statement and constraint but never carry data values.
 * - Inside a transaction, any failed statement marks the transaction
 *   failed (as PostgreSQL does): only a rollback (of the transaction or of
 *   the savepoint level it happened in) is accepted after it, on both back
 *   ends, so code tested on SQLite behaves the same on PostgreSQL.
 * - Nothing in the bind/step/column path allocates per row once a
 *   statement has been used once. */
#ifndef CADRE_STORE_STORE_H
#define CADRE_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct store;      /* one connection */
struct store_stmt; /* a prepared statement, owned by its connection */

/* store_sql: a statement descriptor.  Declare it static const; its address
 * is the cache key, so it must outlive every connection that used it.
 * name: short and unique, used in error messages ("org_get").
 * sql: the statement with $1..$n placeholders, for both back ends.
 * pg_sql: NULL, or the PostgreSQL text where the dialects differ. */
struct store_sql {
	const char *name;
	const char *sql;
	const char *pg_sql;
};

#define STORE_DEFAULT_BUSY_MS      5000
#define STORE_DEFAULT_STATEMENT_MS 30000

/* store_open flags */
#define STORE_OPEN_CREATE 0x1u /* SQLite: create the file if missing */

/* store_options: zero-initialised means the defaults. */
struct store_options {
	int busy_timeout_ms;      /* wait for a lock this long, then CADRE_EBUSY;
	                             0: STORE_DEFAULT_BUSY_MS, <0: do not wait */
	int statement_timeout_ms; /* one store_step may run this long;
	                             0: STORE_DEFAULT_STATEMENT_MS, <0: no limit */
	unsigned flags;           /* STORE_OPEN_* */
};

/* store_open: connect to url: "postgresql://..." or "postgres://..." is
 * PostgreSQL (the database must exist; a password in the URL is refused:
 * use PGPASSFILE / ~/.pgpass); anything else is an SQLite file path.
 * opt may be NULL for the defaults.  Every connection is set up the same
 * way (SQLite: WAL, synchronous=NORMAL, foreign_keys=ON, busy timeout,
 * statement time limit; PostgreSQL: UTF8, ISO dates, UTC, statement and
 * lock timeouts, and a byte-order ("C") collation is required).
 * On success *out is the connection, closed with store_close. */
int store_open(const char *url, const struct store_options *opt, struct store **out,
               struct cadre_err *err);

/* store_close: roll back any open transaction, release every cached
 * statement and close.  NULL is allowed. */
void store_close(struct store *db);

/* store_kind: "sqlite" or "postgresql". */
const char *store_kind(const struct store *db);

/* store_is_pg: true for PostgreSQL (for the rare caller that must know). */
bool store_is_pg(const struct store *db);

/* store_name: the path or URL, for messages (never holds a password);
 * owned by db. */
const char *store_name(const struct store *db);

/* store_prepare: the connection's statement for q, prepared on first use
 * and cached; it comes back reset with all parameters NULL.  *out is owned
 * by db and stays valid until store_close.  A statement serves one use at a
 * time: preparing the same descriptor again abandons the earlier use, so
 * do not nest uses of one descriptor.  A caller that stops before
 * CADRE_DONE (a one-row lookup) calls store_reset so no read lock or
 * result is held. */
int store_prepare(struct store *db, const struct store_sql *q, struct store_stmt **out,
                  struct cadre_err *err);

/* Binds: parameter idx is 1-based ($1).  Text is copied at the call, so
 * the caller's buffer may be reused at once; s == NULL binds NULL.  A
 * double must be finite. */
void store_bind_i64(struct store_stmt *st, int idx, int64_t v);
void store_bind_double(struct store_stmt *st, int idx, double v);
void store_bind_bool(struct store_stmt *st, int idx, bool v);
void store_bind_text(struct store_stmt *st, int idx, const char *s, size_t len);
/* store_bind_str: a NUL-terminated string (NULL binds NULL). */
void store_bind_str(struct store_stmt *st, int idx, const char *s);
void store_bind_null(struct store_stmt *st, int idx);

/* store_step: run the statement (first call) or move to the next row.
 * Returns CADRE_OK when a row is available through the store_col_*
 * accessors, CADRE_DONE when there are no more rows, or an error.  After
 * CADRE_DONE or an error the statement is reset (its locks released) and
 * may be bound and run again.  Stop early with store_reset. */
int store_step(struct store_stmt *st, struct cadre_err *err);

/* store_exec: run a statement to completion, ignoring any rows; CADRE_OK
 * or an error. */
int store_exec(struct store_stmt *st, struct cadre_err *err);

/* store_changes: rows inserted, updated or deleted by the statement's last
 * completed run. */
int64_t store_changes(const struct store_stmt *st);

/* store_col_count: the number of result columns, known once store_step
 * has returned a row.
 * Column accessors for the current row; col is 0-based.  A NULL reads as
 * 0, 0.0, false or NULL text: test it with store_col_is_null.
 * store_col_text's result is NUL-terminated, owned by the statement and
 * valid until the next store_step or store_reset; its length in bytes is
 * store_col_len.  Empty text is "" (not NULL). */
int store_col_count(const struct store_stmt *st);
bool store_col_is_null(struct store_stmt *st, int col);
int64_t store_col_i64(struct store_stmt *st, int col);
double store_col_double(struct store_stmt *st, int col);
bool store_col_bool(struct store_stmt *st, int col);
const char *store_col_text(struct store_stmt *st, int col);
size_t store_col_len(struct store_stmt *st, int col);

/* store_reset: abandon the current run (releasing its locks) and set all
 * parameters back to NULL.  NULL is allowed, so cleanup paths can call it
 * unconditionally. */
void store_reset(struct store_stmt *st);

/* Transactions.  STORE_TX_WRITE: SQLite BEGIN IMMEDIATE (takes the one
 * writer lock now, waiting up to the busy timeout); PostgreSQL BEGIN
 * ISOLATION LEVEL SERIALIZABLE, so code correct under SQLite's single
 * writer is correct on PostgreSQL, retried on CADRE_EBUSY.
 * STORE_TX_READ: SQLite BEGIN (a consistent snapshot from the first
 * read); PostgreSQL BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY.
 * A begin inside a transaction makes a SAVEPOINT; its rollback undoes only
 * the work since that begin.  A write begin inside a read transaction is an
 * error. */
enum store_tx_mode {
	STORE_TX_READ = 1,
	STORE_TX_WRITE = 2,
};

int store_tx_begin(struct store *db, enum store_tx_mode mode, struct cadre_err *err);
/* store_tx_commit: commit the innermost level (RELEASE for a savepoint).
 * If the level has failed, nothing is committed: the level stays open and
 * the caller must roll it back.  If the outermost COMMIT itself fails (a
 * serialization failure, a full disk), the transaction is rolled back and
 * closed. */
int store_tx_commit(struct store *db, struct cadre_err *err);
/* store_tx_rollback: roll back the innermost level.  The level is closed
 * whatever happens; an error is returned only for a broken connection. */
int store_tx_rollback(struct store *db, struct cadre_err *err);
/* store_tx_depth: 0 outside a transaction, 1 in one, 2+ in savepoints. */
int store_tx_depth(const struct store *db);

/* store_tx_run: run fn in a transaction of the given mode and commit it.
 * When fn, the begin or the commit answers CADRE_EBUSY, roll back, wait a
 * little (10, 20, 40, 80 ms, jittered) and run fn again, up to
 * STORE_TX_ATTEMPTS times in all; then return CADRE_EBUSY.  fn must
 * therefore have no effects outside the database (or tolerate repeats).
 * Called inside a transaction it becomes a savepoint and does not retry:
 * the busy error goes up to the outermost store_tx_run. */
#define STORE_TX_ATTEMPTS 5
typedef int (*store_tx_fn)(struct store *db, void *arg, struct cadre_err *err);
int store_tx_run(struct store *db, enum store_tx_mode mode, store_tx_fn fn, void *arg,
                 struct cadre_err *err);

/* Bulk load: a typed value for one cell. */
enum store_type {
	STORE_T_NULL = 0,
	STORE_T_I64,
	STORE_T_DOUBLE,
	STORE_T_TEXT,
};

struct store_value {
	enum store_type type;
	int64_t i64;
	double dbl;
	const char *text; /* not copied: valid for the store_bulk_row call */
	size_t len;
};

#define STORE_V_NULL       ((struct store_value){.type = STORE_T_NULL})
#define STORE_V_I64(v)     ((struct store_value){.type = STORE_T_I64, .i64 = (v)})
#define STORE_V_DOUBLE(v)  ((struct store_value){.type = STORE_T_DOUBLE, .dbl = (v)})
#define STORE_V_TEXT(s, n) ((struct store_value){.type = STORE_T_TEXT, .text = (s), .len = (n)})

/* store_bulk_begin: start loading rows into table (columns named by
 * columns[0..ncols-1]; plain lower-case identifiers).  Must be inside a
 * write transaction.  PostgreSQL: COPY ... FROM STDIN; SQLite: prepared
 * multi-row INSERTs of a batch of rows, and a table empty at the start has
 * its plain (non-unique) indexes built once at store_bulk_end instead of
 * row by row.  Until store_bulk_end no other statement may run on this
 * connection.  One bulk load per connection at a time. */
int store_bulk_begin(struct store *db, const char *table, const char *const *columns, int ncols,
                     struct cadre_err *err);
/* store_bulk_row: add one row of ncols values (a NULL text pointer loads
 * NULL).  On error the bulk load is over (no store_bulk_end needed) and
 * the transaction has failed. */
int store_bulk_row(struct store *db, const struct store_value *values, struct cadre_err *err);
/* store_bulk_end: finish the load; errors (a constraint, say) may surface
 * here on either store, naming the row on SQLite.  *rows (may be NULL)
 * gets the rows loaded. */
int store_bulk_end(struct store *db, int64_t *rows, struct cadre_err *err);

/* store_backup: write a consistent copy of an SQLite database to path
 * (which must not exist) through SQLite's online backup API, while others
 * keep working.  On PostgreSQL returns CADRE_EINVAL with instructions for
 * pg_dump / pg_restore. */
int store_backup(struct store *db, const char *path, struct cadre_err *err);

#endif
