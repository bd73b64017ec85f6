/* The placeholder rewriter: $n -> ?n outside literals, quoted identifiers
 * and comments; malformed statements refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

static char *rewrite_ok(const char *sql, int want_n)
{
	struct cadre_err e;
	cadre_err_clear(&e);
	char *out = NULL;
	int n = -1;
	int rc = store_sql_rewrite("t", sql, &out, &n, &e);
	if (rc != CADRE_OK)
		fail_msg("rewrite of [%s] failed: %s", sql, e.msg);
	assert_int_equal(n, want_n);
	return out;
}

static void expect_rewrite(const char *sql, const char *want, int want_n)
{
	char *out = rewrite_ok(sql, want_n);
	assert_string_equal(out, want);
	free(out);
}

static void expect_refused(const char *sql, const char *why)
{
	struct cadre_err e;
	cadre_err_clear(&e);
	char *out = NULL;
	int n = -1;
	assert_int_equal(store_sql_rewrite("stmt_x", sql, &out, &n, &e), CADRE_EINVAL);
	assert_null(out);
	assert_non_null(strstr(e.msg, "stmt_x"));
	if (!strstr(e.msg, why))
		fail_msg("message [%s] lacks [%s]", e.msg, why);
}

static void test_placeholders(void **state)
{
	(void)state;
	expect_rewrite("SELECT 1", "SELECT 1", 0);
	expect_rewrite("SELECT a FROM t WHERE b = $1", "SELECT a FROM t WHERE b = ?1", 1);
	/* any order, repeated */
	expect_rewrite("SELECT $2, $1, $1, $2", "SELECT ?2, ?1, ?1, ?2", 2);
	expect_rewrite("VALUES ($10,$9,$8,$7,$6,$5,$4,$3,$2,$1)",
	               "VALUES (?10,?9,?8,?7,?6,?5,?4,?3,?2,?1)", 10);
	/* leading zeros are the same number */
	expect_rewrite("SELECT $01", "SELECT ?1", 1);
	/* a $ not followed by a digit is left alone */
	expect_rewrite("SELECT 'a' || $1 || x$", "SELECT 'a' || ?1 || x$", 1);
}

static void test_literals_and_comments_left_alone(void **state)
{
	(void)state;
	expect_rewrite("SELECT '$1', $1", "SELECT '$1', ?1", 1);
	/* '' inside a literal does not end it */
	expect_rewrite("SELECT 'it''s $2 ?', $1", "SELECT 'it''s $2 ?', ?1", 1);
	expect_rewrite("SELECT \"col$1\" FROM t WHERE x = $1",
	               "SELECT \"col$1\" FROM t WHERE x = ?1", 1);
	expect_rewrite("SELECT \"a\"\"$2\" , $1", "SELECT \"a\"\"$2\" , ?1", 1);
	expect_rewrite("SELECT $1 -- and $2 ?\n, $2", "SELECT ?1 -- and $2 ?\n, ?2", 2);
	expect_rewrite("SELECT $1 /* $3 ? ' \" */ , $2", "SELECT ?1 /* $3 ? ' \" */ , ?2", 2);
	expect_rewrite("SELECT 1 -- $1 at the end", "SELECT 1 -- $1 at the end", 0);
	/* non-ASCII passes through untouched */
	expect_rewrite("SELECT 'ŵ🏥' || $1", "SELECT 'ŵ🏥' || ?1", 1);
}

static void test_malformed_refused(void **state)
{
	(void)state;
	expect_refused("SELECT 'open", "unterminated string literal");
	expect_refused("SELECT \"open", "unterminated quoted identifier");
	expect_refused("SELECT 1 /* open", "unterminated /* comment");
	expect_refused("SELECT $0", "out of range");
	expect_refused("SELECT $1000", "out of range");
	expect_refused("SELECT $99999999999999999999", "out of range");
	expect_refused("SELECT ?", "not '?'");
	expect_refused("SELECT $1, $3", "$2 is never used");
}

/* PostgreSQL texts are only counted: a '?' (a jsonb operator) is allowed */
static void test_count_only(void **state)
{
	(void)state;
	struct cadre_err e;
	int n = -1;
	assert_int_equal(store_sql_rewrite("t", "SELECT $2::jsonb ? $1", NULL, &n, &e), CADRE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_sql_rewrite("t", "SELECT $2", NULL, &n, &e), CADRE_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_placeholders),
	    cmocka_unit_test(test_literals_and_comments_left_alone),
	    cmocka_unit_test(test_malformed_refused),
	    cmocka_unit_test(test_count_only),
	};
	return cmocka_run_group_tests_name("store_sql", tests, NULL, NULL);
}
