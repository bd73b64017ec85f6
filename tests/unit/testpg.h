/* testpg: a fresh PostgreSQL database per test suite.
 *
 * The test pipeline runs unit tests inside tests/pg-harness, which exports
 * CADRE_TEST_PGHOST (a unix socket folder) and CADRE_TEST_PGPORT.  Suites
 * that use PostgreSQL call testpg_create_db() in their setup: it creates an
 * empty database named after the suite and the process and returns its
 * postgresql:// URL.  Without the harness it fails the test (never skips). */
#ifndef CADRE_TESTS_TESTPG_H
#define CADRE_TESTS_TESTPG_H

/* testpg_create_db: a new empty database; the caller frees the URL.  Fails
 * the running cmocka test when PostgreSQL is not there. */
char *testpg_create_db(const char *suite);

/* testpg_drop_db: drop the database the URL names (after every connection
 * to it is closed) and free nothing. */
void testpg_drop_db(const char *url);

#endif
