/* The store conformance suite: one set of tests, run twice, once against a
 * temporary SQLite file and once against a fresh PostgreSQL database (from
 * tests/pg-harness via testpg.h; missing PostgreSQL fails the run).  Every
 * test asserts the same observable behaviour on both back ends, except
 * where a comment says why the back ends must differ (and then asserts
 * each one's documented behaviour). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/mem.h"
#include "store/store.h"
#include "store/store_internal.h"
#include "testpg.h"

struct fx {
	bool pg;
	char *url;
	char dir[64];
	struct store *db;
};

static int setup_sqlite(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	(void)snprintf(f->dir, sizeof f->dir, "/tmp/cadre-conf-XXXXXX");
	if (!mkdtemp(f->dir))
		fail_msg("mkdtemp failed");
	size_t n = strlen(f->dir) + 16;
	f->url = xmalloc(n);
	(void)snprintf(f->url, n, "%s/conf.db", f->dir);
	struct store_options opt = {.flags = STORE_OPEN_CREATE};
	struct cadre_err e;
	if (store_open(f->url, &opt, &f->db, &e) != CADRE_OK)
		fail_msg("open %s: %s", f->url, e.msg);
	*state = f;
	return 0;
}

static int setup_pg(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	f->pg = true;
	f->url = testpg_create_db("store_conformance");
	struct cadre_err e;
	if (store_open(f->url, NULL, &f->db, &e) != CADRE_OK)
		fail_msg("open %s: %s", f->url, e.msg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->db);
	if (f->pg) {
		testpg_drop_db(f->url);
	} else {
		char p[128];
		const char *sfx[] = {"", "-wal", "-shm"};
		for (int i = 0; i < 3; i++) {
			(void)snprintf(p, sizeof p, "%s%s", f->url, sfx[i]);
			(void)unlink(p);
		}
		(void)rmdir(f->dir);
	}
	free(f->url);
	free(f);
	return 0;
}

/* a second connection to the same database */
static struct store *open2(struct fx *f, const struct store_options *opt)
{
	struct store *db;
	struct cadre_err e;
	if (store_open(f->url, opt, &db, &e) != CADRE_OK)
		fail_msg("second open: %s", e.msg);
	return db;
}

static void script(struct store *db, const char *sql)
{
	struct cadre_err e;
	if (store_exec_script(db, sql, &e) != CADRE_OK)
		fail_msg("[%s]: %s", sql, e.msg);
}

static int64_t now_ms(void)
{
	return store_now_ns() / 1000000;
}

static int64_t count_rows(struct store *db, const struct store_sql *q)
{
	struct store_stmt *st;
	struct cadre_err e;
	assert_int_equal(store_prepare(db, q, &st, &e), CADRE_OK);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	int64_t n = store_col_i64(st, 0);
	assert_int_equal(store_step(st, &e), CADRE_DONE);
	return n;
}

/* ---- types ---- */

static const struct store_sql q_ty_ins = {
    .name = "ty_ins",
    .sql = "INSERT INTO ty (id, i, d, s, b) VALUES ($1, $2, $3, $4, $5)",
};
static const struct store_sql q_ty_all = {
    .name = "ty_all",
    .sql = "SELECT id, i, d, s, b FROM ty ORDER BY id",
};

struct ty_row {
	bool i_null, d_null, s_null, b_null;
	int64_t i;
	double d;
	const char *s;
	bool b;
};

static void test_types_round_trip(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	script(f->db, "CREATE TABLE ty (id BIGINT NOT NULL PRIMARY KEY, i BIGINT, "
	              "d DOUBLE PRECISION, s TEXT, b BIGINT CHECK (b IN (0, 1)))");
	static char big[100001];
	memset(big, 'x', sizeof big - 1);
	memcpy(big + 5000, "ŵ🏥", strlen("ŵ🏥"));
	const double sum = 0.1 + 0.2; /* 0.30000000000000004 */
	const struct ty_row rows[] = {
	    {.i = 0, .d = 0.8, .s = "FTE", .b = true},
	    {.i = 1, .d = sum, .s = "", .b = false}, /* empty text is not NULL */
	    {.i = -1, .d = 1.0 / 3.0, .s = "Gwenllïan ŵ Ŵ", .b = true},
	    {.i = INT64_C(9007199254740992), .d = 37.5, .s = "🏥 ward 7"},      /* 2^53 pence */
	    {.i = INT64_C(9007199254740993), .d = -2.5, .s = "tab\tnl\ncr\r"}, /* 2^53 + 1 */
	    {.i = INT64_MAX, .d = DBL_MAX, .s = "back\\slash 'q' \"dq\""},
	    {.i = INT64_MIN, .d = 1e-300, .s = "2025-04-01"},        /* a date */
	    {.i = 202504, .d = DBL_MIN, .s = "1999-12-31"},          /* a month */
	    {.i = INT64_C(1700000000123456), .d = 5e-324, .s = big}, /* µs; subnormal */
	    {.i = -1, .d = -0.8, .s = "µs before the epoch"},
	    {.i = INT64_C(-62135596800000000), .d = 1e15 + 0.5, .s = "year 1"},
	    {.i_null = true, .d_null = true, .s_null = true, .b_null = true},
	};
	const size_t n = sizeof rows / sizeof rows[0];
	struct store_stmt *st;
	for (size_t k = 0; k < n; k++) {
		const struct ty_row *r = &rows[k];
		assert_int_equal(store_prepare(f->db, &q_ty_ins, &st, &e), CADRE_OK);
		store_bind_i64(st, 1, (int64_t)k);
		if (r->i_null)
			store_bind_null(st, 2);
		else
			store_bind_i64(st, 2, r->i);
		if (r->d_null)
			store_bind_null(st, 3);
		else
			store_bind_double(st, 3, r->d);
		store_bind_str(st, 4, r->s_null ? NULL : r->s);
		if (r->b_null)
			store_bind_null(st, 5);
		else
			store_bind_bool(st, 5, r->b);
		if (store_exec(st, &e) != CADRE_OK)
			fail_msg("row %zu: %s", k, e.msg);
		assert_int_equal(store_changes(st), 1);
	}
	assert_int_equal(store_prepare(f->db, &q_ty_all, &st, &e), CADRE_OK);
	for (size_t k = 0; k < n; k++) {
		const struct ty_row *r = &rows[k];
		assert_int_equal(store_step(st, &e), CADRE_OK);
		assert_int_equal(store_col_count(st), 5);
		assert_int_equal(store_col_i64(st, 0), (int64_t)k);
		assert_int_equal(store_col_is_null(st, 1), r->i_null);
		assert_int_equal(store_col_is_null(st, 2), r->d_null);
		assert_int_equal(store_col_is_null(st, 3), r->s_null);
		assert_int_equal(store_col_is_null(st, 4), r->b_null);
		if (r->i_null) {
			assert_int_equal(store_col_i64(st, 1), 0);
			assert_null(store_col_text(st, 3));
			assert_int_equal(store_col_len(st, 3), 0);
			assert_true(store_col_double(st, 2) == 0.0);
			assert_false(store_col_bool(st, 4));
			continue;
		}
		assert_true(store_col_i64(st, 1) == r->i);
		double d = store_col_double(st, 2);
		if (memcmp(&d, &r->d, sizeof d) != 0)
			fail_msg("row %zu: double %.17g came back as %.17g", k, r->d, d);
		const char *s = store_col_text(st, 3);
		assert_non_null(s);
		assert_int_equal(store_col_len(st, 3), strlen(r->s));
		assert_memory_equal(s, r->s, strlen(r->s) + 1);
		assert_int_equal(store_col_bool(st, 4), r->b);
		assert_int_equal(store_col_i64(st, 4), r->b ? 1 : 0);
	}
	assert_int_equal(store_step(st, &e), CADRE_DONE);
	/* the exact FTE, compared in SQL too */
	static const struct store_sql q_fte = {
	    .name = "ty_fte", .sql = "SELECT count(*) FROM ty WHERE d = $1 OR d = $2"};
	assert_int_equal(store_prepare(f->db, &q_fte, &st, &e), CADRE_OK);
	store_bind_double(st, 1, 0.8);
	store_bind_double(st, 2, sum);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	assert_int_equal(store_col_i64(st, 0), 2);
	store_reset(st);
}

/* a PostgreSQL boolean expression reads as 0/1 like SQLite's */
static void test_boolean_expressions(void **state)
{
	struct fx *f = *state;
	static const struct store_sql q = {.name = "bool_expr",
	                                   .sql = "SELECT 1 = 1, 1 = 2, $1 = 'a', NULL = 1"};
	struct store_stmt *st;
	struct cadre_err e;
	assert_int_equal(store_prepare(f->db, &q, &st, &e), CADRE_OK);
	store_bind_str(st, 1, "a");
	assert_int_equal(store_step(st, &e), CADRE_OK);
	assert_true(store_col_bool(st, 0));
	assert_int_equal(store_col_i64(st, 0), 1);
	assert_false(store_col_bool(st, 1));
	assert_int_equal(store_col_i64(st, 1), 0);
	assert_true(store_col_bool(st, 2));
	assert_true(store_col_is_null(st, 3));
	assert_int_equal(store_step(st, &e), CADRE_DONE);
}

/* ---- placeholders ---- */

static void test_placeholders_any_order(void **state)
{
	struct fx *f = *state;
	static const struct store_sql q = {
	    .name = "ph_order",
	    .sql = "SELECT $2 AS a, $1 AS b, $1 AS c, '$1' AS d, \"x$1\" -- $3 ?\n"
	           "FROM (SELECT 5 AS \"x$1\") AS q /* $4 */ WHERE 'it''s $2' <> $1"};
	struct store_stmt *st;
	struct cadre_err e;
	assert_int_equal(store_prepare(f->db, &q, &st, &e), CADRE_OK);
	store_bind_str(st, 1, "one");
	store_bind_str(st, 2, "two");
	assert_int_equal(store_step(st, &e), CADRE_OK);
	assert_string_equal(store_col_text(st, 0), "two");
	assert_string_equal(store_col_text(st, 1), "one");
	assert_string_equal(store_col_text(st, 2), "one");
	assert_string_equal(store_col_text(st, 3), "$1");
	assert_int_equal(store_col_i64(st, 4), 5);
	assert_int_equal(store_step(st, &e), CADRE_DONE);
	/* the statement is cached: the same descriptor gives the same one */
	struct store_stmt *again;
	assert_int_equal(store_prepare(f->db, &q, &again, &e), CADRE_OK);
	assert_ptr_equal(again, st);
	/* and it comes back with its parameters NULL */
	assert_int_equal(store_step(again, &e), CADRE_DONE); /* NULL <> ... is not true */
}

static void test_pg_override_used(void **state)
{
	struct fx *f = *state;
	static const struct store_sql q = {.name = "override",
	                                   .sql = "SELECT 'generic', $1",
	                                   .pg_sql = "SELECT 'postgresql', $1::bigint"};
	struct store_stmt *st;
	struct cadre_err e;
	assert_int_equal(store_prepare(f->db, &q, &st, &e), CADRE_OK);
	store_bind_i64(st, 1, 7);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	assert_string_equal(store_col_text(st, 0), f->pg ? "postgresql" : "generic");
	assert_int_equal(store_col_i64(st, 1), 7);
	store_reset(st);
	assert_string_equal(store_kind(f->db), f->pg ? "postgresql" : "sqlite");
	assert_int_equal(store_is_pg(f->db), f->pg);
}

/* ---- sorting: byte order on both ---- */

static int cmp_bytes(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_text_sorts_in_byte_order(void **state)
{
	struct fx *f = *state;
	static const struct store_sql ins = {.name = "sort_ins",
	                                     .sql = "INSERT INTO srt (s) VALUES ($1)"};
	static const struct store_sql all = {.name = "sort_all",
	                                     .sql = "SELECT s FROM srt ORDER BY s"};
	static const struct store_sql gt = {.name = "sort_gt",
	                                    .sql = "SELECT count(*) FROM srt WHERE s > $1"};
	const char *words[] = {"b", "B",  "a",  "Z",  "é",   "e", "ŵ", "w",
	                       "🏥", "",   " x", "Ab", "A b", "ÿ", "Ā", "€",
	                       "z", "aa", "a ", "É",  "~",   "0", "Ŵ", "Ysbyty"};
	const size_t n = sizeof words / sizeof words[0];
	script(f->db, "CREATE TABLE srt (s TEXT NOT NULL)");
	struct store_stmt *st;
	struct cadre_err e;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(store_prepare(f->db, &ins, &st, &e), CADRE_OK);
		store_bind_str(st, 1, words[i]);
		assert_int_equal(store_exec(st, &e), CADRE_OK);
	}
	const char *want[sizeof words / sizeof words[0]];
	memcpy(want, words, sizeof want);
	qsort(want, n, sizeof want[0], cmp_bytes);
	/* spot-check the expectation itself: "Z" < "a" < "é" < "🏥" */
	assert_string_equal(want[0], "");
	assert_string_equal(want[n - 1], "🏥");
	assert_int_equal(store_prepare(f->db, &all, &st, &e), CADRE_OK);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(store_step(st, &e), CADRE_OK);
		assert_string_equal(store_col_text(st, 0), want[i]);
	}
	assert_int_equal(store_step(st, &e), CADRE_DONE);
	/* comparisons agree too: how many sort after "Z"? */
	size_t after = 0;
	for (size_t i = 0; i < n; i++)
		after += strcmp(words[i], "Z") > 0;
	assert_int_equal(store_prepare(f->db, &gt, &st, &e), CADRE_OK);
	store_bind_str(st, 1, "Z");
	assert_int_equal(store_step(st, &e), CADRE_OK);
	assert_int_equal(store_col_i64(st, 0), (int64_t)after);
	store_reset(st);
}

/* ---- errors ---- */

static const struct store_sql q_cf_ins = {
    .name = "cf_ins",
    .sql = "INSERT INTO cf (code, parent, n, m) VALUES ($1, $2, $3, $4)",
};

static int cf_insert(struct store *db, const char *code, const char *parent, int64_t n, bool n_null,
                     int64_t m, struct cadre_err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_cf_ins, &st, e);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, code);
	store_bind_str(st, 2, parent);
	if (n_null)
		store_bind_null(st, 3);
	else
		store_bind_i64(st, 3, n);
	store_bind_i64(st, 4, m);
	return store_exec(st, e);
}

static void assert_msg_has(const struct cadre_err *e, const char *what)
{
	if (!strstr(e->msg, what))
		fail_msg("message [%s] lacks [%s]", e->msg, what);
}

static void assert_msg_lacks(const struct cadre_err *e, const char *what)
{
	if (strstr(e->msg, what))
		fail_msg("message [%s] leaks [%s]", e->msg, what);
}

static void test_constraint_errors_mapped(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	script(f->db, "CREATE TABLE cf (code TEXT NOT NULL PRIMARY KEY, "
	              "parent TEXT REFERENCES cf (code), n BIGINT NOT NULL, m BIGINT, "
	              "CONSTRAINT cf_n_nonneg CHECK (n >= 0), CONSTRAINT cf_m_u UNIQUE (m))");
	assert_int_equal(cf_insert(f->db, "SECRET-A", NULL, 1, false, 10, &e), CADRE_OK);
	/* duplicate primary key: a conflict, naming the statement, no value */
	cadre_err_clear(&e);
	assert_int_equal(cf_insert(f->db, "SECRET-A", NULL, 2, false, 11, &e), CADRE_ECONFLICT);
	assert_int_equal(e.status, CADRE_ECONFLICT);
	assert_msg_has(&e, "cf_ins");
	assert_msg_has(&e, "UNIQUE constraint failed");
	assert_msg_lacks(&e, "SECRET");
	/* duplicate in a UNIQUE column */
	assert_int_equal(cf_insert(f->db, "SECRET-B", NULL, 2, false, 10, &e), CADRE_ECONFLICT);
	assert_msg_lacks(&e, "SECRET");
	/* check, not null, foreign key: invalid, the constraint named */
	assert_int_equal(cf_insert(f->db, "SECRET-C", NULL, -5, false, 12, &e), CADRE_EINVAL);
	assert_msg_has(&e, "CHECK constraint failed");
	assert_msg_has(&e, "cf_n_nonneg");
	assert_msg_lacks(&e, "SECRET");
	assert_int_equal(cf_insert(f->db, "SECRET-D", NULL, 0, true, 13, &e), CADRE_EINVAL);
	assert_msg_has(&e, "NOT NULL constraint failed: cf.n");
	assert_int_equal(cf_insert(f->db, "SECRET-E", "NO-SUCH", 0, false, 14, &e), CADRE_EINVAL);
	assert_msg_has(&e, "FOREIGN KEY constraint failed");
	assert_msg_lacks(&e, "NO-SUCH");
	/* a good row after all that */
	assert_int_equal(cf_insert(f->db, "SECRET-F", "SECRET-A", 0, false, 15, &e), CADRE_OK);
	/* a SQL error is internal and names the statement */
	static const struct store_sql bad = {.name = "bad_sql", .sql = "SELECT nosuch FROM cf"};
	struct store_stmt *st;
	assert_int_equal(store_prepare(f->db, &bad, &st, &e), CADRE_EINTERNAL);
	assert_msg_has(&e, "bad_sql");
	assert_msg_has(&e, "nosuch");
	/* text with a NUL byte is refused before it reaches the database */
	assert_int_equal(store_prepare(f->db, &q_cf_ins, &st, &e), CADRE_OK);
	store_bind_text(st, 1, "a\0b", 3);
	store_bind_i64(st, 3, 1);
	assert_int_equal(store_exec(st, &e), CADRE_EINVAL);
	assert_msg_has(&e, "NUL");
}

static const struct store_sql q_cnt_cf = {.name = "cnt_cf", .sql = "SELECT count(*) FROM cf"};

/* after a failed statement only a rollback is accepted, on both */
static void test_failed_transaction_needs_rollback(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	script(f->db, "CREATE TABLE cf (code TEXT NOT NULL PRIMARY KEY, "
	              "parent TEXT REFERENCES cf (code), n BIGINT NOT NULL, m BIGINT)");
	assert_int_equal(store_tx_begin(f->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(store_tx_depth(f->db), 1);
	assert_int_equal(cf_insert(f->db, "a", NULL, 1, false, 1, &e), CADRE_OK);
	assert_int_equal(cf_insert(f->db, "a", NULL, 1, false, 1, &e), CADRE_ECONFLICT);
	assert_int_equal(cf_insert(f->db, "b", NULL, 1, false, 1, &e), CADRE_EINTERNAL);
	assert_msg_has(&e, "roll it back");
	assert_int_equal(store_tx_begin(f->db, STORE_TX_WRITE, &e), CADRE_EINTERNAL);
	assert_int_equal(store_tx_commit(f->db, &e), CADRE_EINTERNAL);
	assert_int_equal(store_tx_depth(f->db), 1);
	assert_int_equal(store_tx_rollback(f->db, &e), CADRE_OK);
	assert_int_equal(store_tx_depth(f->db), 0);
	assert_int_equal(count_rows(f->db, &q_cnt_cf), 0);
	assert_int_equal(cf_insert(f->db, "b", NULL, 1, false, 1, &e), CADRE_OK);
	assert_int_equal(count_rows(f->db, &q_cnt_cf), 1);
	/* rollback outside a transaction is harmless; commit is not */
	assert_int_equal(store_tx_rollback(f->db, &e), CADRE_OK);
	assert_int_equal(store_tx_commit(f->db, &e), CADRE_EINTERNAL);
}

/* ---- transactions ---- */

static const struct store_sql q_names = {.name = "names",
                                         .sql = "SELECT code FROM cf ORDER BY code"};

static void expect_codes(struct store *db, const char *want)
{
	struct store_stmt *st;
	struct cadre_err e;
	char got[256] = "";
	assert_int_equal(store_prepare(db, &q_names, &st, &e), CADRE_OK);
	int rc;
	while ((rc = store_step(st, &e)) == CADRE_OK) {
		size_t len = strlen(got);
		(void)snprintf(got + len, sizeof got - len, "%s%s", len ? "," : "",
		               store_col_text(st, 0));
	}
	assert_int_equal(rc, CADRE_DONE);
	assert_string_equal(got, want);
}

static void test_rollback_and_savepoints(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	script(f->db, "CREATE TABLE cf (code TEXT NOT NULL PRIMARY KEY, "
	              "parent TEXT REFERENCES cf (code), n BIGINT NOT NULL, m BIGINT)");
	/* a rolled-back transaction leaves nothing */
	assert_int_equal(store_tx_begin(f->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(cf_insert(f->db, "x", NULL, 1, false, 1, &e), CADRE_OK);
	assert_int_equal(store_tx_rollback(f->db, &e), CADRE_OK);
	expect_codes(f->db, "");
	/* inner rollback keeps the outer's earlier (and later) writes */
	assert_int_equal(store_tx_begin(f->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(cf_insert(f->db, "a", NULL, 1, false, 1, &e), CADRE_OK);
	assert_int_equal(store_tx_begin(f->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(store_tx_depth(f->db), 2);
	assert_int_equal(cf_insert(f->db, "b", NULL, 1, false, 1, &e), CADRE_OK);
	assert_int_equal(store_tx_rollback(f->db, &e), CADRE_OK);
	assert_int_equal(store_tx_depth(f->db), 1);
	/* a failure inside a savepoint is recovered by rolling back to it */
	assert_int_equal(store_tx_begin(f->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(cf_insert(f->db, "a", NULL, 1, false, 1, &e), CADRE_ECONFLICT);
	assert_int_equal(store_tx_rollback(f->db, &e), CADRE_OK);
	/* a committed savepoint (three deep) stays with the outer */
	assert_int_equal(store_tx_begin(f->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(cf_insert(f->db, "c", NULL, 1, false, 1, &e), CADRE_OK);
	assert_int_equal(store_tx_begin(f->db, STORE_TX_READ, &e), CADRE_OK);
	assert_int_equal(store_tx_depth(f->db), 3);
	assert_int_equal(cf_insert(f->db, "d", NULL, 1, false, 1, &e), CADRE_OK);
	assert_int_equal(store_tx_commit(f->db, &e), CADRE_OK);
	assert_int_equal(store_tx_commit(f->db, &e), CADRE_OK);
	assert_int_equal(cf_insert(f->db, "e", NULL, 1, false, 1, &e), CADRE_OK);
	assert_int_equal(store_tx_commit(f->db, &e), CADRE_OK);
	assert_int_equal(store_tx_depth(f->db), 0);
	expect_codes(f->db, "a,c,d,e");
	/* a rolled-back outer undoes its committed savepoints */
	assert_int_equal(store_tx_begin(f->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(store_tx_begin(f->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(cf_insert(f->db, "f", NULL, 1, false, 1, &e), CADRE_OK);
	assert_int_equal(store_tx_commit(f->db, &e), CADRE_OK);
	assert_int_equal(store_tx_rollback(f->db, &e), CADRE_OK);
	expect_codes(f->db, "a,c,d,e");
}

static void test_read_transaction_is_read_only(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	script(f->db, "CREATE TABLE cf (code TEXT NOT NULL PRIMARY KEY, "
	              "parent TEXT REFERENCES cf (code), n BIGINT NOT NULL, m BIGINT)");
	assert_int_equal(cf_insert(f->db, "a", NULL, 1, false, 1, &e), CADRE_OK);
	assert_int_equal(store_tx_begin(f->db, STORE_TX_READ, &e), CADRE_OK);
	expect_codes(f->db, "a");
	assert_int_equal(store_tx_begin(f->db, STORE_TX_WRITE, &e), CADRE_EINTERNAL);
	assert_int_equal(cf_insert(f->db, "b", NULL, 1, false, 1, &e), CADRE_EINTERNAL);
	assert_msg_has(&e, "read-only transaction");
	assert_int_equal(store_tx_rollback(f->db, &e), CADRE_OK);
	/* writes work again afterwards */
	assert_int_equal(cf_insert(f->db, "b", NULL, 1, false, 1, &e), CADRE_OK);
	assert_int_equal(store_tx_begin(f->db, STORE_TX_READ, &e), CADRE_OK);
	expect_codes(f->db, "a,b");
	assert_int_equal(store_tx_commit(f->db, &e), CADRE_OK);
	assert_int_equal(cf_insert(f->db, "c", NULL, 1, false, 1, &e), CADRE_OK);
}

struct attempts {
	const char *prefix;
	int calls;
	int busy_times; /* answer busy this many times, then succeed */
};

static int busy_then_insert(struct store *db, void *arg, struct cadre_err *err)
{
	struct attempts *a = arg;
	a->calls++;
	char code[16];
	(void)snprintf(code, sizeof code, "%s%d", a->prefix, a->calls);
	int rc = cf_insert(db, code, NULL, 1, false, a->calls, err);
	if (rc != CADRE_OK)
		return rc;
	if (a->calls <= a->busy_times)
		return cadre_err_set(err, CADRE_EBUSY, "pretend busy");
	return CADRE_OK;
}

static void test_tx_run_retries_busy(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	script(f->db, "CREATE TABLE cf (code TEXT NOT NULL PRIMARY KEY, "
	              "parent TEXT REFERENCES cf (code), n BIGINT NOT NULL, m BIGINT)");
	struct attempts a = {.prefix = "try", .busy_times = 2};
	assert_int_equal(store_tx_run(f->db, STORE_TX_WRITE, busy_then_insert, &a, &e), CADRE_OK);
	assert_int_equal(a.calls, 3);
	expect_codes(f->db, "try3"); /* the busy attempts were rolled back */
	struct attempts always = {.prefix = "always", .busy_times = 100};
	int64_t t0 = now_ms();
	assert_int_equal(store_tx_run(f->db, STORE_TX_WRITE, busy_then_insert, &always, &e),
	                 CADRE_EBUSY);
	int64_t took = now_ms() - t0;
	assert_int_equal(always.calls, STORE_TX_ATTEMPTS);
	assert_msg_has(&e, "still busy after 5 attempts");
	assert_true(took >= 150); /* 10 + 20 + 40 + 80 ms of backing off */
	assert_int_equal(store_tx_depth(f->db), 0);
	expect_codes(f->db, "try3");
	/* inside a transaction it is a savepoint and does not retry */
	struct attempts inner = {.prefix = "inner", .busy_times = 1};
	assert_int_equal(store_tx_begin(f->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(store_tx_run(f->db, STORE_TX_WRITE, busy_then_insert, &inner, &e),
	                 CADRE_EBUSY);
	assert_int_equal(inner.calls, 1);
	assert_int_equal(store_tx_depth(f->db), 1);
	assert_int_equal(store_tx_commit(f->db, &e), CADRE_OK);
	expect_codes(f->db, "try3");
}

/* ---- two connections ---- */

static const struct store_sql q_bump = {.name = "bump",
                                        .sql = "UPDATE cf SET n = n + 1 WHERE code = $1"};

static int bump(struct store *db, const char *code, struct cadre_err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_bump, &st, e);
	if (rc == CADRE_OK) {
		store_bind_str(st, 1, code);
		rc = store_exec(st, e);
	}
	return rc;
}

static void test_second_writer_gets_busy(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	script(f->db, "CREATE TABLE cf (code TEXT NOT NULL PRIMARY KEY, "
	              "parent TEXT REFERENCES cf (code), n BIGINT NOT NULL, m BIGINT)");
	assert_int_equal(cf_insert(f->db, "a", NULL, 0, false, 1, &e), CADRE_OK);
	struct store_options quick = {.busy_timeout_ms = 100};
	struct store *db2 = open2(f, &quick);
	assert_int_equal(store_tx_begin(f->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(bump(f->db, "a", &e), CADRE_OK);
	int64_t t0 = now_ms();
	int rc = store_tx_begin(db2, STORE_TX_WRITE, &e);
	if (f->pg) {
		/* PostgreSQL takes row locks: the begin succeeds, the update of
		 * the same row waits lock_timeout and then answers busy */
		assert_int_equal(rc, CADRE_OK);
		rc = bump(db2, "a", &e);
	}
	int64_t took = now_ms() - t0;
	assert_int_equal(rc, CADRE_EBUSY);
	assert_msg_has(&e, "busy");
	assert_true(took >= 90);
	assert_true(took < 3000);
	(void)store_tx_rollback(db2, &e);
	assert_int_equal(store_tx_commit(f->db, &e), CADRE_OK);
	/* once the first writer is done the second goes through */
	assert_int_equal(store_tx_begin(db2, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(bump(db2, "a", &e), CADRE_OK);
	assert_int_equal(store_tx_commit(db2, &e), CADRE_OK);
	static const struct store_sql q_n = {.name = "n_of_a",
	                                     .sql = "SELECT n FROM cf WHERE code = 'a'"};
	assert_int_equal(count_rows(f->db, &q_n), 2);
	store_close(db2);
}

struct interfere {
	struct store *other;
	int calls;
	int other_rc;
};

/* reads a row, lets another connection change it (first call only), then
 * writes it: SQLite's writer lock keeps the other out (it gets busy);
 * PostgreSQL lets it in and fails this transaction with a serialization
 * failure, which store_tx_run retries */
static int read_then_write(struct store *db, void *arg, struct cadre_err *err)
{
	struct interfere *in = arg;
	in->calls++;
	static const struct store_sql q_n = {.name = "n_of_b",
	                                     .sql = "SELECT n FROM cf WHERE code = 'b'"};
	struct store_stmt *st;
	int rc = store_prepare(db, &q_n, &st, err);
	if (rc == CADRE_OK)
		rc = store_step(st, err);
	store_reset(st);
	if (rc != CADRE_OK)
		return rc < 0 ? rc : cadre_err_set(err, CADRE_EINTERNAL, "no row b");
	if (in->calls == 1) {
		struct cadre_err e2;
		in->other_rc = bump(in->other, "b", &e2);
	}
	return bump(db, "b", err);
}

static void test_serialization_conflict_retried(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	script(f->db, "CREATE TABLE cf (code TEXT NOT NULL PRIMARY KEY, "
	              "parent TEXT REFERENCES cf (code), n BIGINT NOT NULL, m BIGINT)");
	assert_int_equal(cf_insert(f->db, "b", NULL, 0, false, 1, &e), CADRE_OK);
	struct store_options quick = {.busy_timeout_ms = 50};
	struct interfere in = {.other = open2(f, &quick)};
	if (store_tx_run(f->db, STORE_TX_WRITE, read_then_write, &in, &e) != CADRE_OK)
		fail_msg("%s", e.msg);
	if (f->pg) {
		assert_int_equal(in.other_rc, CADRE_OK);
		assert_int_equal(in.calls, 2);
	} else {
		assert_int_equal(in.other_rc, CADRE_EBUSY);
		assert_int_equal(in.calls, 1);
	}
	/* either way no update was lost */
	static const struct store_sql q_n = {.name = "n_of_b2",
	                                     .sql = "SELECT n FROM cf WHERE code = 'b'"};
	assert_int_equal(count_rows(f->db, &q_n), f->pg ? 2 : 1);
	store_close(in.other);
}

/* ---- bulk load ---- */

static const char *const pieces[] = {
    "tab\there", "nl\nx", "cr\rx", "back\\slash", "\\N",     "\\.",  "quote'", "dq\"",
    "ŵ Ŵ",       "🏥",     "a,b",   "end\\",       "\\t lit", "\t\n", " ",      "Gwenllïan",
};
#define NPIECES (sizeof pieces / sizeof pieces[0])

/* the awkward text of row i, or NULL */
static const char *bulk_text(int i, char *buf, size_t n)
{
	if (i % 11 == 0)
		return NULL;
	if (i % 13 == 0)
		return "";
	(void)snprintf(buf, n, "%d:%s%s", i, pieces[i % NPIECES], pieces[(i / 7) % NPIECES]);
	return buf;
}

static void test_bulk_load_round_trip(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	enum { ROWS = 10000 };
	script(f->db, "CREATE TABLE bl (id BIGINT NOT NULL PRIMARY KEY, s TEXT, "
	              "d DOUBLE PRECISION, n BIGINT)");
	const char *const cols[] = {"id", "s", "d", "n"};
	assert_int_equal(store_bulk_begin(f->db, "bl", cols, 4, &e), CADRE_EINTERNAL);
	assert_msg_has(&e, "write transaction");
	assert_int_equal(store_tx_begin(f->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(store_bulk_begin(f->db, "bl", cols, 4, &e), CADRE_OK);
	/* nothing else runs on the connection meanwhile */
	struct store_stmt *st;
	assert_int_equal(store_prepare(f->db, &q_names, &st, &e), CADRE_EINTERNAL);
	for (int i = 0; i < ROWS; i++) {
		char buf[128];
		const char *s = bulk_text(i, buf, sizeof buf);
		struct store_value v[4] = {
		    STORE_V_I64(i),
		    s ? STORE_V_TEXT(s, strlen(s)) : STORE_V_NULL,
		    STORE_V_DOUBLE(i * 0.1),
		    i % 7 == 0 ? STORE_V_NULL : STORE_V_I64((int64_t)i * 1000000007),
		};
		if (store_bulk_row(f->db, v, &e) != CADRE_OK)
			fail_msg("row %d: %s", i, e.msg);
	}
	int64_t rows = 0;
	assert_int_equal(store_bulk_end(f->db, &rows, &e), CADRE_OK);
	assert_int_equal(rows, ROWS);
	assert_int_equal(store_tx_commit(f->db, &e), CADRE_OK);
	static const struct store_sql all = {.name = "bl_all",
	                                     .sql = "SELECT id, s, d, n FROM bl ORDER BY id"};
	assert_int_equal(store_prepare(f->db, &all, &st, &e), CADRE_OK);
	for (int i = 0; i < ROWS; i++) {
		char buf[128];
		const char *s = bulk_text(i, buf, sizeof buf);
		assert_int_equal(store_step(st, &e), CADRE_OK);
		assert_int_equal(store_col_i64(st, 0), i);
		if (!s) {
			assert_true(store_col_is_null(st, 1));
		} else {
			assert_false(store_col_is_null(st, 1));
			if (store_col_len(st, 1) != strlen(s) || strcmp(store_col_text(st, 1), s))
				fail_msg("row %d: text differs", i);
		}
		double d = store_col_double(st, 2), want = i * 0.1;
		assert_memory_equal(&d, &want, sizeof d);
		if (i % 7 == 0)
			assert_true(store_col_is_null(st, 3));
		else
			assert_true(store_col_i64(st, 3) == (int64_t)i * 1000000007);
	}
	assert_int_equal(store_step(st, &e), CADRE_DONE);
}

static void test_bulk_load_failure_rolls_back(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	script(f->db, "CREATE TABLE bl (id BIGINT NOT NULL PRIMARY KEY, s TEXT, "
	              "d DOUBLE PRECISION, n BIGINT)");
	const char *const cols[] = {"id", "s"};
	assert_int_equal(store_tx_begin(f->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(store_bulk_begin(f->db, "bl", cols, 2, &e), CADRE_OK);
	int rc = CADRE_OK;
	for (int i = 0; i < 100 && rc == CADRE_OK; i++) {
		/* row 50 repeats id 7 */
		struct store_value v[2] = {STORE_V_I64(i == 50 ? 7 : i), STORE_V_TEXT("SECRET", 6)};
		rc = store_bulk_row(f->db, v, &e);
	}
	/* SQLite finds the duplicate at its row, PostgreSQL at the end */
	if (rc == CADRE_OK)
		rc = store_bulk_end(f->db, NULL, &e);
	assert_int_equal(rc, CADRE_ECONFLICT);
	assert_msg_lacks(&e, "SECRET");
	assert_int_equal(store_tx_commit(f->db, &e), CADRE_EINTERNAL);
	assert_int_equal(store_tx_rollback(f->db, &e), CADRE_OK);
	static const struct store_sql cnt = {.name = "bl_cnt", .sql = "SELECT count(*) FROM bl"};
	assert_int_equal(count_rows(f->db, &cnt), 0);
	/* names must be plain identifiers */
	const char *const evil[] = {"id); DROP TABLE bl; --"};
	assert_int_equal(store_tx_begin(f->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(store_bulk_begin(f->db, "bl", evil, 1, &e), CADRE_EINTERNAL);
	assert_int_equal(store_bulk_begin(f->db, "Bl", cols, 2, &e), CADRE_EINTERNAL);
	/* and a bulk abandoned by a rollback leaves the connection usable */
	assert_int_equal(store_bulk_begin(f->db, "bl", cols, 2, &e), CADRE_OK);
	struct store_value v[2] = {STORE_V_I64(1), STORE_V_NULL};
	assert_int_equal(store_bulk_row(f->db, v, &e), CADRE_OK);
	assert_int_equal(store_tx_rollback(f->db, &e), CADRE_OK);
	assert_int_equal(count_rows(f->db, &cnt), 0);
}

/* ---- limits and misuse ---- */

static void test_statement_time_limit(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	struct store_options opt = {.statement_timeout_ms = 150};
	struct store *db2 = open2(f, &opt);
	static const struct store_sql slow = {
	    .name = "slow_count",
	    .sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
	           "WHERE x < 10000000000) SELECT count(*) FROM c"};
	struct store_stmt *st;
	assert_int_equal(store_prepare(db2, &slow, &st, &e), CADRE_OK);
	int64_t t0 = now_ms();
	assert_int_equal(store_step(st, &e), CADRE_EINTERNAL);
	int64_t took = now_ms() - t0;
	assert_msg_has(&e, "slow_count");
	assert_msg_has(&e, "took longer than 150 ms");
	assert_true(took >= 140 && took < 5000);
	/* the connection is still good */
	static const struct store_sql one = {.name = "one", .sql = "SELECT 1"};
	assert_int_equal(count_rows(db2, &one), 1);
	store_close(db2);
}

static void test_misuse_reported(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	static const struct store_sql q = {.name = "misuse", .sql = "SELECT $1 || 'x'"};
	struct store_stmt *st;
	assert_int_equal(store_prepare(f->db, &q, &st, &e), CADRE_OK);
	store_bind_str(st, 2, "no such parameter");
	assert_int_equal(store_step(st, &e), CADRE_EINTERNAL);
	assert_msg_has(&e, "parameter 2 is out of range 1..1");
	store_bind_double(st, 1, NAN);
	assert_int_equal(store_step(st, &e), CADRE_EINTERNAL);
	assert_msg_has(&e, "not a finite number");
	store_bind_str(st, 1, "a");
	assert_int_equal(store_step(st, &e), CADRE_OK);
	assert_string_equal(store_col_text(st, 0), "ax");
	assert_null(store_col_text(st, 3));
	assert_int_equal(store_step(st, &e), CADRE_EINTERNAL);
	assert_msg_has(&e, "column 3");
	/* reported once; then the statement works again */
	assert_int_equal(store_step(st, &e), CADRE_OK);
	assert_string_equal(store_col_text(st, 0), "ax");
	store_reset(st);
	store_reset(NULL);
	/* a malformed statement is refused at prepare */
	static const struct store_sql gap = {.name = "gap", .sql = "SELECT $2"};
	assert_int_equal(store_prepare(f->db, &gap, &st, &e), CADRE_EINVAL);
	assert_msg_has(&e, "$1 is never used");
}

/* several statements may be read at once on one connection */
static void test_interleaved_statements(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	script(f->db, "CREATE TABLE src (v BIGINT NOT NULL); CREATE TABLE dst (v BIGINT NOT NULL);"
	              "INSERT INTO src VALUES (1), (2), (3)");
	static const struct store_sql rd = {.name = "src_all",
	                                    .sql = "SELECT v FROM src ORDER BY v"};
	static const struct store_sql wr = {.name = "dst_ins",
	                                    .sql = "INSERT INTO dst (v) VALUES ($1 * 10)"};
	static const struct store_sql up = {.name = "dst_up", .sql = "UPDATE dst SET v = v + 1"};
	static const struct store_sql sum = {.name = "dst_sum", .sql = "SELECT sum(v) FROM dst"};
	struct store_stmt *r, *w;
	assert_int_equal(store_tx_begin(f->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(store_prepare(f->db, &rd, &r, &e), CADRE_OK);
	int rc;
	while ((rc = store_step(r, &e)) == CADRE_OK) {
		assert_int_equal(store_prepare(f->db, &wr, &w, &e), CADRE_OK);
		store_bind_i64(w, 1, store_col_i64(r, 0));
		assert_int_equal(store_exec(w, &e), CADRE_OK);
		assert_int_equal(store_changes(w), 1);
	}
	assert_int_equal(rc, CADRE_DONE);
	assert_int_equal(store_prepare(f->db, &up, &w, &e), CADRE_OK);
	assert_int_equal(store_exec(w, &e), CADRE_OK);
	assert_int_equal(store_changes(w), 3);
	assert_int_equal(store_tx_commit(f->db, &e), CADRE_OK);
	assert_int_equal(count_rows(f->db, &sum), 63);
}

#define BOTH(t) cmocka_unit_test(t)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_types_round_trip),
	    BOTH(test_boolean_expressions),
	    BOTH(test_placeholders_any_order),
	    BOTH(test_pg_override_used),
	    BOTH(test_text_sorts_in_byte_order),
	    BOTH(test_constraint_errors_mapped),
	    BOTH(test_failed_transaction_needs_rollback),
	    BOTH(test_rollback_and_savepoints),
	    BOTH(test_read_transaction_is_read_only),
	    BOTH(test_tx_run_retries_busy),
	    BOTH(test_second_writer_gets_busy),
	    BOTH(test_serialization_conflict_retried),
	    BOTH(test_bulk_load_round_trip),
	    BOTH(test_bulk_load_failure_rolls_back),
	    BOTH(test_statement_time_limit),
	    BOTH(test_misuse_reported),
	    BOTH(test_interleaved_statements),
	};
	/* each test gets a fresh database, so tables never leak between them;
	 * one group (the pipeline reads one XML report per binary), each test
	 * named after its back end */
	enum { N = sizeof tests / sizeof tests[0] };
	static char names[2 * N][96];
	struct CMUnitTest all[2 * N];
	for (size_t i = 0; i < 2 * N; i++) {
		bool pg = i >= N;
		all[i] = tests[i % N];
		(void)snprintf(names[i], sizeof names[i], "%s/%s", pg ? "postgresql" : "sqlite",
		               tests[i % N].name);
		all[i].name = names[i];
		all[i].setup_func = pg ? setup_pg : setup_sqlite;
		all[i].teardown_func = teardown;
	}
	return cmocka_run_group_tests_name("store_conformance", all, NULL, NULL);
}
