/* Migrations on both back ends: init, out-of-order application, checksum
 * and unknown-version refusals, a failing migration rolled back, twins,
 * two migrators at once; and the two back ends' schemas, dumped in normal
 * form after the same migrations, compared line for line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/mem.h"
#include "domain/db.h"
#include "store/migrate.h"
#include "store/store.h"
#include "store/store_internal.h"
#include "testpg.h"

struct fx {
	bool pg;
	char *url;
	char dir[64];
	struct store *db;
};

static void fx_open_sqlite(struct fx *f)
{
	(void)snprintf(f->dir, sizeof f->dir, "/tmp/cadre-mig-XXXXXX");
	if (!mkdtemp(f->dir))
		fail_msg("mkdtemp failed");
	size_t n = strlen(f->dir) + 16;
	f->url = xmalloc(n);
	(void)snprintf(f->url, n, "%s/mig.db", f->dir);
	struct store_options opt = {.flags = STORE_OPEN_CREATE};
	struct cadre_err e;
	if (store_open(f->url, &opt, &f->db, &e) != CADRE_OK)
		fail_msg("open %s: %s", f->url, e.msg);
}

static void fx_open_pg(struct fx *f)
{
	f->pg = true;
	f->url = testpg_create_db("store_migrate");
	struct cadre_err e;
	if (store_open(f->url, NULL, &f->db, &e) != CADRE_OK)
		fail_msg("open %s: %s", f->url, e.msg);
}

static void fx_close(struct fx *f)
{
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
}

static int setup_sqlite(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	fx_open_sqlite(f);
	*state = f;
	return 0;
}

static int setup_pg(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	fx_open_pg(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	fx_close(f);
	free(f);
	return 0;
}

static void assert_msg_has(const struct cadre_err *e, const char *what)
{
	if (!strstr(e->msg, what))
		fail_msg("message [%s] lacks [%s]", e->msg, what);
}

static int64_t table_count(struct store *db, const char *table)
{
	static const struct store_sql q = {
	    .name = "t_exists",
	    .sql = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = $1",
	    .pg_sql = "SELECT count(*) FROM information_schema.tables "
	              "WHERE table_schema = current_schema() AND table_name = $1"};
	struct store_stmt *st;
	struct cadre_err e;
	assert_int_equal(store_prepare(db, &q, &st, &e), CADRE_OK);
	store_bind_str(st, 1, table);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	int64_t n = store_col_i64(st, 0);
	store_reset(st);
	return n;
}

/* the versions recorded, as "100,300" */
static void expect_recorded(struct store *db, const char *want)
{
	static const struct store_sql q = {
	    .name = "t_recorded", .sql = "SELECT version FROM schema_migrations ORDER BY version"};
	struct store_stmt *st;
	struct cadre_err e;
	char got[256] = "";
	assert_int_equal(store_prepare(db, &q, &st, &e), CADRE_OK);
	int rc;
	while ((rc = store_step(st, &e)) == CADRE_OK) {
		size_t len = strlen(got);
		(void)snprintf(got + len, sizeof got - len, "%s%lld", len ? "," : "",
		               (long long)store_col_i64(st, 0));
	}
	assert_int_equal(rc, CADRE_DONE);
	assert_string_equal(got, want);
}

static void sha_hex(const char *text, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
	sodium_bin2hex(hex, 65, h, sizeof h);
}

#define MIG(v, n, text)                                                                            \
	{                                                                                          \
		v, n, "schema/" #v "_" n ".sql", text, NULL, NULL, NULL, NULL                      \
	}

/* ---- the embedded migrations ---- */

static void test_init_embedded(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	struct migrate_report rep;
	assert_true(migrate_embedded_count >= 1);
	assert_int_equal(migrate_embedded[0].version, 100);
	assert_string_equal(migrate_embedded[0].name, "core");
	assert_string_equal(migrate_embedded[0].file, "schema/0100_core.sql");
	assert_int_equal(migrate_latest(), migrate_embedded[migrate_embedded_count - 1].version);
	assert_int_equal(migrate_check(f->db, NULL, 0, &e), CADRE_EINVAL);
	assert_msg_has(&e, "cadre init");
	if (migrate_init(f->db, NULL, 0, &rep, &e) != CADRE_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(rep.applied, (int)migrate_embedded_count);
	assert_int_equal(rep.version, migrate_latest());
	assert_int_equal(migrate_check(f->db, NULL, 0, &e), CADRE_OK);
	assert_int_equal(table_count(f->db, "settings"), 1);
	/* the record: name, SHA-256 of the applied text, when */
	static const struct store_sql q = {
	    .name = "t_rec",
	    .sql = "SELECT name, sha256, applied_at FROM schema_migrations "
	           "WHERE version = 100"};
	struct store_stmt *st;
	assert_int_equal(store_prepare(f->db, &q, &st, &e), CADRE_OK);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	char hex[65];
	sha_hex(migrate_embedded[0].sql, hex);
	assert_string_equal(store_col_text(st, 0), "core");
	assert_string_equal(store_col_text(st, 1), hex);
	int64_t age = clock_now(NULL) - store_col_i64(st, 2);
	assert_true(age >= 0 && age < 60 * INT64_C(1000000));
	store_reset(st);
	/* again: refused; migrate: nothing to do */
	assert_int_equal(migrate_init(f->db, NULL, 0, &rep, &e), CADRE_ECONFLICT);
	assert_msg_has(&e, "already a Cadre database");
	assert_int_equal(migrate_run(f->db, NULL, 0, &rep, &e), CADRE_OK);
	assert_int_equal(rep.applied, 0);
	assert_int_equal(rep.version, migrate_latest());
}

static void test_init_refuses_foreign_tables(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	assert_int_equal(store_exec_script(f->db, "CREATE TABLE theirs (x BIGINT)", &e), CADRE_OK);
	assert_int_equal(migrate_init(f->db, NULL, 0, NULL, &e), CADRE_EINVAL);
	assert_msg_has(&e, "1 table that are not Cadre's");
	assert_int_equal(migrate_run(f->db, NULL, 0, NULL, &e), CADRE_EINVAL);
	assert_msg_has(&e, "not a Cadre database yet");
	assert_int_equal(migrate_check(f->db, NULL, 0, &e), CADRE_EINVAL);
	assert_int_equal(table_count(f->db, "schema_migrations"), 0);
}

/* ---- lists of our own ---- */

static const struct migrate_source list_a[] = {
    MIG(100, "a", "CREATE TABLE t_a (x BIGINT NOT NULL PRIMARY KEY)"),
    MIG(300, "c", "CREATE TABLE t_c (x BIGINT NOT NULL PRIMARY KEY)"),
};
static const struct migrate_source list_b[] = {
    MIG(100, "a", "CREATE TABLE t_a (x BIGINT NOT NULL PRIMARY KEY)"),
    MIG(200, "b", "CREATE TABLE t_b (x BIGINT NOT NULL PRIMARY KEY)"),
    MIG(300, "c", "CREATE TABLE t_c (x BIGINT NOT NULL PRIMARY KEY)"),
};

static void test_out_of_order_and_pending(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	struct migrate_report rep;
	assert_int_equal(migrate_init(f->db, list_a, 2, &rep, &e), CADRE_OK);
	assert_int_equal(rep.applied, 2);
	assert_int_equal(rep.version, 300);
	assert_int_equal(migrate_check(f->db, list_a, 2, &e), CADRE_OK);
	/* an area's new migration, numbered below one already applied */
	assert_int_equal(migrate_check(f->db, list_b, 3, &e), CADRE_EINVAL);
	assert_msg_has(&e, "needs 1 migration (the first is 0200_b)");
	assert_msg_has(&e, "cadre migrate");
	assert_int_equal(table_count(f->db, "t_b"), 0);
	assert_int_equal(migrate_run(f->db, list_b, 3, &rep, &e), CADRE_OK);
	assert_int_equal(rep.applied, 1);
	assert_int_equal(rep.version, 300);
	assert_int_equal(table_count(f->db, "t_b"), 1);
	expect_recorded(f->db, "100,200,300");
	assert_int_equal(migrate_check(f->db, list_b, 3, &e), CADRE_OK);
}

static void test_changed_migration_stops(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	struct migrate_report rep;
	assert_int_equal(migrate_init(f->db, list_a, 2, &rep, &e), CADRE_OK);
	const struct migrate_source changed[] = {
	    MIG(100, "a", "CREATE TABLE t_a (x BIGINT NOT NULL PRIMARY KEY, y TEXT)"),
	    MIG(300, "c", "CREATE TABLE t_c (x BIGINT NOT NULL PRIMARY KEY)"),
	    MIG(400, "d", "CREATE TABLE t_d (x BIGINT NOT NULL PRIMARY KEY)"),
	};
	assert_int_equal(migrate_check(f->db, changed, 3, &e), CADRE_EINVAL);
	assert_msg_has(&e, "migration 0100 (schema/100_a.sql) has changed");
	assert_int_equal(migrate_run(f->db, changed, 3, &rep, &e), CADRE_EINVAL);
	assert_msg_has(&e, "has changed since it was applied");
	/* nothing was applied: the check comes first */
	assert_int_equal(rep.applied, 0);
	assert_int_equal(table_count(f->db, "t_d"), 0);
	expect_recorded(f->db, "100,300");
}

static void test_unknown_newer_version_stops(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	const struct migrate_source newer[] = {
	    MIG(100, "a", "CREATE TABLE t_a (x BIGINT NOT NULL PRIMARY KEY)"),
	    MIG(300, "c", "CREATE TABLE t_c (x BIGINT NOT NULL PRIMARY KEY)"),
	    MIG(500, "e", "CREATE TABLE t_e (x BIGINT NOT NULL PRIMARY KEY)"),
	};
	assert_int_equal(migrate_init(f->db, newer, 3, NULL, &e), CADRE_OK);
	/* an older build that knows only list_a */
	assert_int_equal(migrate_check(f->db, list_a, 2, &e), CADRE_EINVAL);
	assert_msg_has(&e, "has migration 0500 (e)");
	assert_msg_has(&e, "newer cadre");
	assert_int_equal(migrate_run(f->db, list_a, 2, NULL, &e), CADRE_EINVAL);
	assert_msg_has(&e, "0500");
}

static void test_failing_migration_rolled_back(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	struct migrate_report rep;
	const struct migrate_source bad[] = {
	    MIG(100, "a", "CREATE TABLE t_a (x BIGINT NOT NULL PRIMARY KEY)"),
	    MIG(200, "half",
	        "CREATE TABLE half (x BIGINT);\nINSERT INTO half VALUES (1);\n"
	        "SELECT nosuch FROM half;"),
	    MIG(300, "c", "CREATE TABLE t_c (x BIGINT NOT NULL PRIMARY KEY)"),
	};
	assert_int_equal(migrate_init(f->db, bad, 3, &rep, &e), CADRE_EINTERNAL);
	assert_msg_has(&e, "migration 0200 (schema/200_half.sql)");
	assert_msg_has(&e, "nosuch");
	assert_int_equal(rep.applied, 1);
	assert_int_equal(table_count(f->db, "half"), 0);
	assert_int_equal(table_count(f->db, "t_c"), 0);
	expect_recorded(f->db, "100");
	assert_int_equal(store_tx_depth(f->db), 0);
}

/* an auto-numbered key needs twins */
static const struct migrate_source twins[] = {
    {100, "tw", NULL, NULL, "schema/0100_tw.sqlite.sql",
     "CREATE TABLE tw (id INTEGER NOT NULL PRIMARY KEY, s TEXT)", "schema/0100_tw.pg.sql",
     "CREATE TABLE tw (id BIGINT NOT NULL GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
     "s TEXT)"},
};

static void test_twins(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	assert_int_equal(migrate_init(f->db, twins, 1, NULL, &e), CADRE_OK);
	static const struct store_sql ins = {.name = "tw_ins",
	                                     .sql = "INSERT INTO tw (s) VALUES ($1) RETURNING id"};
	for (int i = 1; i <= 3; i++) {
		struct store_stmt *st;
		assert_int_equal(store_prepare(f->db, &ins, &st, &e), CADRE_OK);
		store_bind_str(st, 1, "x");
		assert_int_equal(store_step(st, &e), CADRE_OK);
		assert_int_equal(store_col_i64(st, 0), i);
		assert_int_equal(store_step(st, &e), CADRE_DONE);
	}
	/* the checksum is of the twin this back end applied */
	static const struct store_sql q = {.name = "t_sha",
	                                   .sql = "SELECT sha256 FROM schema_migrations"};
	struct store_stmt *st;
	char hex[65];
	sha_hex(f->pg ? twins[0].pg_sql : twins[0].sqlite_sql, hex);
	assert_int_equal(store_prepare(f->db, &q, &st, &e), CADRE_OK);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	assert_string_equal(store_col_text(st, 0), hex);
	store_reset(st);
	/* a changed twin is caught too */
	struct migrate_source changed = twins[0];
	if (f->pg)
		changed.pg_sql = "CREATE TABLE tw (id BIGINT)";
	else
		changed.sqlite_sql = "CREATE TABLE tw (id BIGINT)";
	assert_int_equal(migrate_check(f->db, &changed, 1, &e), CADRE_EINVAL);
	assert_msg_has(&e, f->pg ? "schema/0100_tw.pg.sql" : "schema/0100_tw.sqlite.sql");
}

/* two migrators at once: each migration applied exactly once */
struct racer {
	const char *url;
	const struct migrate_source *src;
	size_t n;
	int rc;
	int applied;
	char msg[CADRE_ERR_MSG_MAX];
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct store *db;
	struct cadre_err e;
	struct migrate_report rep = {0};
	r->rc = store_open(r->url, NULL, &db, &e);
	if (r->rc == CADRE_OK) {
		r->rc = migrate_run(db, r->src, r->n, &rep, &e);
		store_close(db);
	}
	r->applied = rep.applied;
	(void)snprintf(r->msg, sizeof r->msg, "%s", r->rc ? e.msg : "");
	return NULL;
}

static void test_two_migrators(void **state)
{
	struct fx *f = *state;
	struct cadre_err e;
	enum { N = 12 };
	static struct migrate_source many[N];
	static char texts[N][128];
	for (int i = 0; i < N; i++) {
		/* each a little work, so the two runs overlap */
		(void)snprintf(texts[i], sizeof texts[i],
		               "CREATE TABLE m%d (x BIGINT NOT NULL PRIMARY KEY); "
		               "INSERT INTO m%d (x) SELECT 1",
		               i, i);
		many[i] = (struct migrate_source){.version = 100 + i, .name = "m", .sql = texts[i]};
	}
	assert_int_equal(migrate_init(f->db, many, 1, NULL, &e), CADRE_OK);
	struct racer r[2] = {{f->url, many, N, 0, 0, ""}, {f->url, many, N, 0, 0, ""}};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < 2; i++)
		if (r[i].rc != CADRE_OK)
			fail_msg("migrator %d: %s", i, r[i].msg);
	assert_int_equal(r[0].applied + r[1].applied, N - 1);
	expect_recorded(f->db, "100,101,102,103,104,105,106,107,108,109,110,111");
}

/* ---- the two schemas agree ---- */

static const struct migrate_source rich[] = {
    {100, "core", "schema/0100_core.sql",
     "CREATE TABLE settings (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL, "
     "updated_at BIGINT NOT NULL)",
     NULL, NULL, NULL, NULL},
    MIG(200, "org",
        "CREATE TABLE org (\n"
        "  code TEXT NOT NULL PRIMARY KEY,\n"
        "  name TEXT NOT NULL,\n"
        "  parent TEXT REFERENCES org (code) ON DELETE CASCADE,\n"
        "  opened TEXT,\n"
        "  fte DOUBLE PRECISION NOT NULL DEFAULT 0,\n"
        "  active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),\n"
        "  CONSTRAINT org_name_u UNIQUE (name, parent)\n"
        ");\n"
        "CREATE INDEX org_parent_idx ON org (parent, code);\n"
        "CREATE UNIQUE INDEX org_opened_idx ON org (opened) WHERE opened IS NOT NULL;\n"
        "CREATE TABLE post (org TEXT NOT NULL REFERENCES org (code), n BIGINT NOT NULL,\n"
        "  PRIMARY KEY (org, n));\n"),
    {300, "tw", NULL, NULL, "schema/0300_tw.sqlite.sql",
     "CREATE TABLE tw (id INTEGER NOT NULL PRIMARY KEY, s TEXT)", "schema/0300_tw.pg.sql",
     "CREATE TABLE tw (id BIGINT NOT NULL GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
     "s TEXT)"},
};

static const char rich_dump[] = "table org\n"
                                "  column code text not null\n"
                                "  column name text not null\n"
                                "  column parent text\n"
                                "  column opened text\n"
                                "  column fte double not null\n"
                                "  column active int64 not null\n"
                                "  primary key (code)\n"
                                "  foreign key (parent) references org (code) on delete cascade\n"
                                "  index org_opened_idx (opened) unique partial\n"
                                "  index org_parent_idx (parent, code)\n"
                                "  unique (name, parent)\n"
                                "table post\n"
                                "  column org text not null\n"
                                "  column n int64 not null\n"
                                "  primary key (org, n)\n"
                                "  foreign key (org) references org (code) on delete no action\n"
                                "table schema_migrations\n"
                                "  column version int64 not null\n"
                                "  column name text not null\n"
                                "  column sha256 text not null\n"
                                "  column applied_at int64 not null\n"
                                "  primary key (version)\n"
                                "table settings\n"
                                "  column key text not null\n"
                                "  column value text not null\n"
                                "  column updated_at int64 not null\n"
                                "  primary key (key)\n"
                                "table tw\n"
                                "  column id int64 not null\n"
                                "  column s text\n"
                                "  primary key (id)\n";

static char *dump_after(struct fx *f, const struct migrate_source *src, size_t n)
{
	struct cadre_err e;
	struct buf b;
	buf_init(&b, 1 << 20);
	if (migrate_init(f->db, src, n, NULL, &e) != CADRE_OK)
		fail_msg("%s: %s", store_kind(f->db), e.msg);
	if (migrate_schema_dump(f->db, &b, &e) != CADRE_OK)
		fail_msg("%s: %s", store_kind(f->db), e.msg);
	return buf_detach(&b);
}

static void test_schemas_agree(void **state)
{
	(void)state;
	struct fx sq = {0}, pg = {0};
	fx_open_sqlite(&sq);
	fx_open_pg(&pg);
	char *a = dump_after(&sq, rich, 3);
	char *b = dump_after(&pg, rich, 3);
	assert_string_equal(a, rich_dump);
	assert_string_equal(b, rich_dump);
	free(a);
	free(b);
	fx_close(&sq);
	fx_close(&pg);
}

/* the embedded schema itself agrees */
static void test_embedded_schemas_agree(void **state)
{
	(void)state;
	struct fx sq = {0}, pg = {0};
	fx_open_sqlite(&sq);
	fx_open_pg(&pg);
	char *a = dump_after(&sq, migrate_embedded, migrate_embedded_count);
	char *b = dump_after(&pg, migrate_embedded, migrate_embedded_count);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "table settings\n  column key text not null\n"));
	free(a);
	free(b);
	fx_close(&sq);
	fx_close(&pg);
}

/* and the comparison would catch a divergence: PostgreSQL's INTEGER is
 * 32 bits, a PRIMARY KEY column left nullable in SQLite */
static void test_schema_dump_shows_divergence(void **state)
{
	(void)state;
	struct fx sq = {0}, pg = {0};
	fx_open_sqlite(&sq);
	fx_open_pg(&pg);
	const struct migrate_source loose[] = {
	    MIG(100, "loose", "CREATE TABLE loose (k TEXT PRIMARY KEY, n INTEGER, f REAL)"),
	};
	char *a = dump_after(&sq, loose, 1);
	char *b = dump_after(&pg, loose, 1);
	assert_non_null(strstr(a, "  column k text\n  column n int64\n  column f double\n"));
	assert_non_null(
	    strstr(b, "  column k text not null\n  column n pg:integer\n  column f pg:real\n"));
	free(a);
	free(b);
	fx_close(&sq);
	fx_close(&pg);
}

/* ---- the domain's wrapper, as the CLI uses it ---- */

static void test_domain_db(void **state)
{
	(void)state;
	struct fx sq = {0}, pg = {0};
	fx_open_sqlite(&sq);
	fx_open_pg(&pg);
	/* the fixtures' files and databases exist but are empty: start the
	 * SQLite one afresh so db_init creates it */
	store_close(sq.db);
	store_close(pg.db);
	sq.db = pg.db = NULL;
	assert_int_equal(unlink(sq.url), 0);
	struct db_report rep;
	struct cadre_err e;
	struct store *db;
	assert_int_equal(db_migrate(sq.url, 0, &rep, &e), CADRE_ENOTFOUND);
	assert_int_equal(db_open(sq.url, &db, &e), CADRE_ENOTFOUND);
	assert_null(db);
	for (int i = 0; i < 2; i++) {
		const char *url = i ? pg.url : sq.url;
		if (db_init(url, &rep, &e) != CADRE_OK)
			fail_msg("%s", e.msg);
		assert_string_equal(rep.kind, i ? "postgresql" : "sqlite");
		assert_int_equal(rep.applied, (int)migrate_embedded_count);
		assert_int_equal(rep.version, migrate_latest());
		assert_int_equal(rep.latest, migrate_latest());
		assert_int_equal(db_init(url, &rep, &e), CADRE_ECONFLICT);
		assert_int_equal(db_migrate(url, 1, &rep, &e), CADRE_OK);
		assert_int_equal(db_migrate(url, 0, &rep, &e), CADRE_OK);
		assert_int_equal(rep.applied, 0);
		assert_int_equal(db_open(url, &db, &e), CADRE_OK);
		assert_non_null(db);
		db_close(db);
	}
	char copy[160];
	(void)snprintf(copy, sizeof copy, "%s/copy.db", sq.dir);
	assert_int_equal(db_backup(sq.url, copy, &e), CADRE_OK);
	assert_int_equal(db_migrate(copy, 1, &rep, &e), CADRE_OK);
	assert_int_equal(unlink(copy), 0);
	assert_int_equal(db_backup(pg.url, copy, &e), CADRE_EINVAL);
	assert_msg_has(&e, "pg_dump");
	/* a database behind this build: db_open refuses to serve it */
	assert_int_equal(store_open(sq.url, NULL, &sq.db, &e), CADRE_OK);
	assert_int_equal(
	    store_exec_script(sq.db, "DELETE FROM schema_migrations WHERE version = 100", &e),
	    CADRE_OK);
	assert_int_equal(db_open(sq.url, &db, &e), CADRE_EINVAL);
	assert_msg_has(&e, "run `cadre migrate`");
	assert_int_equal(db_migrate(sq.url, 1, &rep, &e), CADRE_EINVAL);
	fx_close(&sq);
	fx_close(&pg);
}

#define BOTH(t) cmocka_unit_test(t)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_init_embedded),
	    BOTH(test_init_refuses_foreign_tables),
	    BOTH(test_out_of_order_and_pending),
	    BOTH(test_changed_migration_stops),
	    BOTH(test_unknown_newer_version_stops),
	    BOTH(test_failing_migration_rolled_back),
	    BOTH(test_twins),
	    BOTH(test_two_migrators),
	};
	const struct CMUnitTest cross[] = {
	    cmocka_unit_test(test_schemas_agree),
	    cmocka_unit_test(test_embedded_schemas_agree),
	    cmocka_unit_test(test_schema_dump_shows_divergence),
	    cmocka_unit_test(test_domain_db),
	};
	/* one group (the pipeline reads one XML report per binary): the
	 * per-back-end tests twice, named after their back end, then the
	 * tests that use both */
	enum { N = sizeof tests / sizeof tests[0], X = sizeof cross / sizeof cross[0] };
	static char names[2 * N][96];
	struct CMUnitTest all[2 * N + X];
	for (size_t i = 0; i < 2 * N; i++) {
		bool pg = i >= N;
		all[i] = tests[i % N];
		(void)snprintf(names[i], sizeof names[i], "%s/%s", pg ? "postgresql" : "sqlite",
		               tests[i % N].name);
		all[i].name = names[i];
		all[i].setup_func = pg ? setup_pg : setup_sqlite;
		all[i].teardown_func = teardown;
	}
	for (size_t i = 0; i < X; i++)
		all[2 * N + i] = cross[i];
	return cmocka_run_group_tests_name("store_migrate", all, NULL, NULL);
}
