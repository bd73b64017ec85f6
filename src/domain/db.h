/* db: the domain's door to the database for the commands that manage it
 * (`cadre init`, `cadre migrate`, `cadre backup`) and for opening a
 * connection that is checked against this build's schema.
 *
 * cli and web never include store headers: they call these functions,
 * which wrap src/store.  struct store is opaque above the domain.
 *
 * These are administrative operations run by whoever can reach the
 * database, so they take no actor yet; when the actor type arrives, a
 * `const struct actor *` will become each function's first parameter. */
#ifndef CADRE_DOMAIN_DB_H
#define CADRE_DOMAIN_DB_H

#include "base/err.h"

struct store;

struct db_report {
	char kind[16]; /* "sqlite" or "postgresql" */
	int applied;   /* migrations applied by this run */
	int version;   /* newest migration recorded in the database */
	int latest;    /* newest migration this build carries */
};

/* db_init: create a Cadre database at url (an SQLite file is created; a
 * PostgreSQL database must exist and be empty) and apply every migration.
 * rep may be NULL. */
int db_init(const char *url, struct db_report *rep, struct cadre_err *err);

/* db_migrate: apply the migrations the database lacks.  With check_only,
 * change nothing and report (CADRE_EINVAL) when migrations are pending or
 * the recorded ones differ from this build's.  rep may be NULL. */
int db_migrate(const char *url, int check_only, struct db_report *rep, struct cadre_err *err);

/* db_backup: copy an SQLite database to path (which must not exist) while
 * it stays in use; for PostgreSQL, CADRE_EINVAL explaining pg_dump. */
int db_backup(const char *url, const char *path, struct cadre_err *err);

/* db_open: a connection for serving: opened and checked with
 * migrate_check (never migrated).  Close it with db_close. */
int db_open(const char *url, struct store **out, struct cadre_err *err);

/* db_close: close a connection from db_open; NULL is allowed. */
void db_close(struct store *db);

#endif
