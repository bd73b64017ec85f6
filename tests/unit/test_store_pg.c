/* What only the PostgreSQL back end has: URL handling (passwords refused,
 * libpq's reason on failure), the session settings, the database checks
 * (UTF8, byte-order collation), and backup pointing at pg_dump.  Needs
 * tests/pg-harness (testpg.h); without it the tests fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_internal.h"
#include "testpg.h"

static int setup(void **state)
{
	*state = testpg_create_db("store_pg");
	return 0;
}

static int teardown(void **state)
{
	testpg_drop_db(*state);
	free(*state);
	return 0;
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

/* url with its "postgresql://" scheme replaced and extra put after the
 * user name (":pw" for a password) */
static void url_variant(const char *url, const char *scheme, const char *query_extra, char *out,
                        size_t n)
{
	const char *rest = strstr(url, "://");
	assert_non_null(rest);
	(void)snprintf(out, n, "%s%s%s", scheme, rest, query_extra);
}

static void test_password_in_url_refused(void **state)
{
	const char *url = *state;
	char bad[600];
	struct store *db;
	struct cadre_err e;
	url_variant(url, "postgresql", "&password=Sekr1t-pw", bad, sizeof bad);
	assert_int_equal(store_open(bad, NULL, &db, &e), CADRE_EINVAL);
	assert_null(db);
	assert_msg_has(&e, "PGPASSFILE");
	assert_msg_lacks(&e, "Sekr1t");
	/* the user:password@ form too */
	assert_int_equal(
	    store_open("postgresql://cadre:Sekr1t-pw@localhost:1/cadre", NULL, &db, &e),
	    CADRE_EINVAL);
	assert_msg_has(&e, "holds a password");
	assert_msg_lacks(&e, "Sekr1t");
}

static void test_connect_failure_says_why(void **state)
{
	(void)state;
	struct store *db;
	struct cadre_err e;
	/* a socket folder where no server listens */
	assert_int_equal(store_open("postgresql:///cadre?host=/nonexistent-dir&port=5&user=cadre",
	                            NULL, &db, &e),
	                 CADRE_EINVAL);
	assert_msg_has(&e, "cannot connect to postgresql:///cadre");
	assert_msg_has(&e, "/nonexistent-dir");
	assert_int_equal(store_open("postgresql://[bad", NULL, &db, &e), CADRE_EINVAL);
	assert_msg_has(&e, "not valid");
}

static void test_postgres_scheme_and_settings(void **state)
{
	const char *url = *state;
	char alt[600];
	url_variant(url, "postgres", "", alt, sizeof alt);
	struct store *db;
	struct cadre_err e;
	struct store_options opt = {.busy_timeout_ms = 1500, .statement_timeout_ms = 2500};
	if (store_open(alt, &opt, &db, &e) != CADRE_OK)
		fail_msg("%s", e.msg);
	assert_string_equal(store_kind(db), "postgresql");
	assert_true(store_is_pg(db));
	static const struct store_sql q = {
	    .name = "settings",
	    .sql = "SELECT current_setting('TimeZone'), current_setting('DateStyle'), "
	           "current_setting('client_encoding'), current_setting('statement_timeout'), "
	           "current_setting('lock_timeout'), current_setting('application_name'), "
	           "current_setting('standard_conforming_strings'), "
	           "to_char(to_timestamp(0), 'YYYY-MM-DD HH24:MI')"};
	struct store_stmt *st;
	assert_int_equal(store_prepare(db, &q, &st, &e), CADRE_OK);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	assert_string_equal(store_col_text(st, 0), "UTC");
	assert_string_equal(store_col_text(st, 1), "ISO, YMD");
	assert_string_equal(store_col_text(st, 2), "UTF8");
	assert_string_equal(store_col_text(st, 3), "2500ms");
	assert_string_equal(store_col_text(st, 4), "1500ms");
	assert_string_equal(store_col_text(st, 5), "cadre");
	assert_string_equal(store_col_text(st, 6), "on");
	assert_string_equal(store_col_text(st, 7), "1970-01-01 00:00");
	store_reset(st);
	store_close(db);
}

/* make a database beside the suite's, return its URL in out */
static void make_db(struct store *admin, const char *url, const char *name, const char *how,
                    char *out, size_t n)
{
	char sql[300], unique[64];
	struct cadre_err e;
	(void)snprintf(unique, sizeof unique, "%s_%ld", name, (long)getpid());
	name = unique;
	(void)snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE template0 %s", name, how);
	if (store_exec_script(admin, sql, &e) != CADRE_OK)
		fail_msg("%s: %s", sql, e.msg);
	const char *q = strchr(url, '?');
	assert_non_null(q);
	(void)snprintf(out, n, "postgresql:///%s%s", name, q);
}

static void test_database_must_sort_bytes_and_be_utf8(void **state)
{
	const char *url = *state;
	struct store *admin;
	struct cadre_err e;
	assert_int_equal(store_open(url, NULL, &admin, &e), CADRE_OK);
	char icu[600], latin[600];
	make_db(admin, url, "cadre_icu_check",
	        "ENCODING 'UTF8' LOCALE 'C.UTF-8' LOCALE_PROVIDER icu ICU_LOCALE 'en-GB'", icu,
	        sizeof icu);
	make_db(admin, url, "cadre_latin_check", "ENCODING 'LATIN1' LOCALE 'C'", latin,
	        sizeof latin);
	store_close(admin);
	struct store *db;
	assert_int_equal(store_open(icu, NULL, &db, &e), CADRE_EINVAL);
	assert_null(db);
	assert_msg_has(&e, "sorts text by the locale");
	assert_msg_has(&e, "(ICU)");
	assert_msg_has(&e, "createdb --encoding=UTF8 --locale=C.UTF-8 --template=template0");
	assert_int_equal(store_open(latin, NULL, &db, &e), CADRE_EINVAL);
	assert_msg_has(&e, "encoding is LATIN1");
	testpg_drop_db(icu);
	testpg_drop_db(latin);
}

static void test_backup_points_to_pg_dump(void **state)
{
	const char *url = *state;
	struct store *db;
	struct cadre_err e;
	assert_int_equal(store_open(url, NULL, &db, &e), CADRE_OK);
	assert_int_equal(store_backup(db, "/tmp/never-written.db", &e), CADRE_EINVAL);
	assert_msg_has(&e, "pg_dump --format=custom --file=FILE");
	assert_msg_has(&e, "pg_restore");
	store_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_password_in_url_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connect_failure_says_why, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_postgres_scheme_and_settings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_database_must_sort_bytes_and_be_utf8, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_backup_points_to_pg_dump, setup, teardown),
	};
	return cmocka_run_group_tests_name("store_pg", tests, NULL, NULL);
}
