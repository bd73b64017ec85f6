/* testdomain: a fresh, migrated database per test, on either store, for the
 * domain tests that must behave the same on SQLite and PostgreSQL.
 *
 * A test file runs its group twice, once with testdomain_setup_sqlite and
 * once with testdomain_setup_pg as each test's setup (testdomain_teardown
 * after).  *state is then a struct testdomain: the connection, the URL
 * (so a test can open a second connection), a manual clock, the system
 * actor and the test audit key of docs/audit.md.  Header-only (static
 * functions), because each unit test binary is built from its own file. */
#ifndef CADRE_TESTS_TESTDOMAIN_H
#define CADRE_TESTS_TESTDOMAIN_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/mem.h"
#include "domain/actor.h"
#include "domain/audit.h"
#include "store/migrate.h"
#include "store/store.h"
#include "testpg.h"

/* 2026-01-01T00:00:00Z */
#define TESTDOMAIN_T0 INT64_C(1767225600000000)

static const char testdomain_key_hex[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

struct testdomain {
	bool pg;
	char *url;    /* SQLite: the file; PostgreSQL: the test database */
	char dir[64]; /* SQLite: the temporary folder holding it */
	struct store *db;
	struct clock_manual clk;
	struct actor sys;
	unsigned char key[AUDIT_KEY_BYTES];
};

/* testdomain_open: another connection to the test's database. */
static inline struct store *testdomain_open(const struct testdomain *t)
{
	struct cadre_err e;
	struct store *db = NULL;
	if (store_open(t->url, NULL, &db, &e) != CADRE_OK)
		fail_msg("open %s: %s", t->url, e.msg);
	return db;
}

static inline int testdomain_setup(void **state, bool pg)
{
	struct cadre_err e;
	struct testdomain *t = xcalloc(1, sizeof *t);
	t->pg = pg;
	if (pg) {
		t->url = testpg_create_db("domain");
	} else {
		(void)snprintf(t->dir, sizeof t->dir, "/tmp/cadre-test-XXXXXX");
		if (!mkdtemp(t->dir))
			fail_msg("mkdtemp failed");
		size_t n = strlen(t->dir) + 16;
		t->url = xmalloc(n);
		(void)snprintf(t->url, n, "%s/t.db", t->dir);
	}
	struct store_options opt = {.flags = STORE_OPEN_CREATE};
	if (store_open(t->url, &opt, &t->db, &e) != CADRE_OK)
		fail_msg("open %s: %s", t->url, e.msg);
	if (migrate_init(t->db, NULL, 0, NULL, &e) != CADRE_OK)
		fail_msg("migrate %s: %s", t->url, e.msg);
	clock_manual_init(&t->clk, TESTDOMAIN_T0);
	t->sys = actor_system("cli");
	if (audit_key_parse(testdomain_key_hex, t->key, &e) != CADRE_OK)
		fail_msg("key: %s", e.msg);
	*state = t;
	return 0;
}

static inline int testdomain_setup_sqlite(void **state)
{
	return testdomain_setup(state, false);
}

static inline int testdomain_setup_pg(void **state)
{
	return testdomain_setup(state, true);
}

static inline int testdomain_teardown(void **state)
{
	struct testdomain *t = *state;
	store_close(t->db);
	if (t->pg) {
		testpg_drop_db(t->url);
	} else {
		const char *sfx[] = {"", "-wal", "-shm", "-journal"};
		for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
			char p[128];
			(void)snprintf(p, sizeof p, "%s%s", t->url, sfx[i]);
			(void)unlink(p);
		}
		(void)rmdir(t->dir);
	}
	free(t->url);
	free(t);
	return 0;
}

/* testdomain_exec: run one statement that must succeed. */
static inline void testdomain_exec(struct store *db, const struct store_sql *q)
{
	struct cadre_err e;
	struct store_stmt *st;
	if (store_prepare(db, q, &st, &e) != CADRE_OK || store_exec(st, &e) != CADRE_OK)
		fail_msg("%s: %s", q->name, e.msg);
}

/* testdomain_count: the first column of a one-row query, as a number. */
static inline int64_t testdomain_count(struct store *db, const struct store_sql *q)
{
	struct cadre_err e;
	struct store_stmt *st;
	if (store_prepare(db, q, &st, &e) != CADRE_OK || store_step(st, &e) != CADRE_OK)
		fail_msg("%s: %s", q->name, e.msg);
	int64_t v = store_col_i64(st, 0);
	store_reset(st);
	return v;
}

#endif
