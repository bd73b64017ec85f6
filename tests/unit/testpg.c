#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/mem.h"
#include "testpg.h"

static PGconn *admin_connect(void)
{
	const char *host = getenv("CADRE_TEST_PGHOST");
	const char *port = getenv("CADRE_TEST_PGPORT");
	if (!host || !port)
		fail_msg("CADRE_TEST_PGHOST/CADRE_TEST_PGPORT not set: run under tests/pg-harness");
	const char *keys[] = {"host", "port", "user", "dbname", NULL};
	const char *vals[] = {host, port, "postgres", "postgres", NULL};
	PGconn *c = PQconnectdbParams(keys, vals, 0);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("cannot reach the test PostgreSQL: %s", PQerrorMessage(c));
	return c;
}

static void admin_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

char *testpg_create_db(const char *suite)
{
	static unsigned seq;
	char name[64];
	(void)snprintf(name, sizeof name, "t_%.30s_%ld_%u", suite, (long)getpid(), seq++);
	for (char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
			*p = '_';
	PGconn *c = admin_connect();
	char *ident = PQescapeIdentifier(c, name, strlen(name));
	char sql[160];
	(void)snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8'",
	               ident);
	PQfreemem(ident);
	admin_exec(c, sql);
	PQfinish(c);
	char url[512];
	(void)snprintf(url, sizeof url, "postgresql:///%s?host=%s&port=%s&user=postgres", name,
	               getenv("CADRE_TEST_PGHOST"), getenv("CADRE_TEST_PGPORT"));
	return xstrdup(url);
}

void testpg_drop_db(const char *url)
{
	const char *p = strstr(url, ":///");
	if (!p)
		fail_msg("not a test database URL: %s", url);
	p += 4;
	size_t len = strcspn(p, "?");
	char name[64];
	if (len >= sizeof name)
		fail_msg("database name too long");
	memcpy(name, p, len);
	name[len] = '\0';
	PGconn *c = admin_connect();
	char *ident = PQescapeIdentifier(c, name, strlen(name));
	char sql[160];
	(void)snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", ident);
	PQfreemem(ident);
	admin_exec(c, sql);
	PQfinish(c);
}
