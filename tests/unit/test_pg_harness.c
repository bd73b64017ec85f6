/* The PostgreSQL test harness works: a database made for this suite accepts
 * a libpq connection, is PostgreSQL 15 in UTF8 with the C.UTF-8 locale, and
 * is gone after it is dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "testpg.h"

static char *query1(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	char *v = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

static void test_connect_through_libpq(void **state)
{
	(void)state;
	char *url = testpg_create_db("pg_harness");
	PGconn *c = PQconnectdb(url);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	assert_true(PQserverVersion(c) >= 150000 && PQserverVersion(c) < 160000);
	char *enc = query1(c, "SHOW server_encoding");
	assert_string_equal(enc, "UTF8");
	char *coll =
	    query1(c, "SELECT datcollate FROM pg_database WHERE datname = current_database()");
	assert_string_equal(coll, "C.UTF-8");
	char *sum = query1(c, "SELECT 2 + 3");
	assert_string_equal(sum, "5");
	free(enc);
	free(coll);
	free(sum);
	PQfinish(c);
	testpg_drop_db(url);
	c = PQconnectdb(url);
	assert_int_not_equal(PQstatus(c), CONNECTION_OK);
	PQfinish(c);
	free(url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_connect_through_libpq),
	};
	return cmocka_run_group_tests_name("pg_harness", tests, NULL, NULL);
}
