/* db: init, migrate, backup and checked opening (see db.h). */
#include "domain/db.h"

#include <stdio.h>
#include <string.h>

#include "store/migrate.h"
#include "store/store.h"

static void report_fill(struct db_report *rep, const struct store *db,
                        const struct migrate_report *m)
{
	if (!rep)
		return;
	memset(rep, 0, sizeof *rep);
	(void)snprintf(rep->kind, sizeof rep->kind, "%s", store_kind(db));
	rep->applied = m->applied;
	rep->version = m->version;
	rep->latest = migrate_latest();
}

int db_init(const char *url, struct db_report *rep, struct cadre_err *err)
{
	struct store_options opt = {.flags = STORE_OPEN_CREATE};
	struct store *db;
	struct migrate_report m = {0};
	int rc = store_open(url, &opt, &db, err);
	if (rc != CADRE_OK)
		return rc;
	rc = migrate_init(db, NULL, 0, &m, err);
	if (rc == CADRE_OK)
		report_fill(rep, db, &m);
	store_close(db);
	return rc;
}

int db_migrate(const char *url, int check_only, struct db_report *rep, struct cadre_err *err)
{
	struct store *db;
	struct migrate_report m = {0};
	int rc = store_open(url, NULL, &db, err);
	if (rc != CADRE_OK)
		return rc;
	if (check_only) {
		rc = migrate_check(db, NULL, 0, err);
		m.version = migrate_latest();
	} else {
		rc = migrate_run(db, NULL, 0, &m, err);
	}
	if (rc == CADRE_OK)
		report_fill(rep, db, &m);
	store_close(db);
	return rc;
}

int db_backup(const char *url, const char *path, struct cadre_err *err)
{
	struct store *db;
	int rc = store_open(url, NULL, &db, err);
	if (rc != CADRE_OK)
		return rc;
	rc = store_backup(db, path, err);
	store_close(db);
	return rc;
}

int db_open(const char *url, struct store **out, struct cadre_err *err)
{
	struct store *db;
	*out = NULL;
	int rc = store_open(url, NULL, &db, err);
	if (rc != CADRE_OK)
		return rc;
	rc = migrate_check(db, NULL, 0, err);
	if (rc != CADRE_OK) {
		store_close(db);
		return rc;
	}
	*out = db;
	return CADRE_OK;
}

void db_close(struct store *db)
{
	store_close(db);
}
