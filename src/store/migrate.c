/* migrate: applying, checking and describing the schema (see migrate.h). */
#include "store/migrate.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/mem.h"
#include "store/store_internal.h"

/* the PostgreSQL advisory lock key that serialises migrations ("Cadr") */
#define MIGRATE_LOCK_KEY "1130456178"

static const char sm_create_sqlite[] = "CREATE TABLE schema_migrations (\n"
                                       "  version INTEGER NOT NULL PRIMARY KEY,\n"
                                       "  name TEXT NOT NULL,\n"
                                       "  sha256 TEXT NOT NULL,\n"
                                       "  applied_at INTEGER NOT NULL\n"
                                       ")";
static const char sm_create_pg[] = "CREATE TABLE schema_migrations (\n"
                                   "  version BIGINT NOT NULL PRIMARY KEY,\n"
                                   "  name TEXT NOT NULL,\n"
                                   "  sha256 TEXT NOT NULL,\n"
                                   "  applied_at BIGINT NOT NULL\n"
                                   ")";

static const struct store_sql q_sm_exists = {
    .name = "migrate_table_exists",
    .sql = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = $1",
    .pg_sql = "SELECT count(*) FROM information_schema.tables "
              "WHERE table_schema = current_schema() AND table_name = $1",
};
static const struct store_sql q_tables = {
    .name = "migrate_table_count",
    .sql = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
           "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    .pg_sql = "SELECT count(*) FROM information_schema.tables "
              "WHERE table_schema = current_schema()",
};
static const struct store_sql q_sm_list = {
    .name = "migrate_list",
    .sql = "SELECT version, name, sha256 FROM schema_migrations ORDER BY version",
};
static const struct store_sql q_sm_get = {
    .name = "migrate_get",
    .sql = "SELECT sha256 FROM schema_migrations WHERE version = $1",
};
static const struct store_sql q_sm_insert = {
    .name = "migrate_record",
    .sql = "INSERT INTO schema_migrations (version, name, sha256, applied_at) "
           "VALUES ($1, $2, $3, $4)",
};
static const struct store_sql q_lock = {
    .name = "migrate_lock",
    .sql = "SELECT 1",
    .pg_sql = "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")",
};
static const struct store_sql q_unlock = {
    .name = "migrate_unlock",
    .sql = "SELECT 1",
    .pg_sql = "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")",
};

int migrate_latest(void)
{
	return migrate_embedded_count ? migrate_embedded[migrate_embedded_count - 1].version : 0;
}

/* the text (and its file) this back end applies */
static const char *source_text(const struct store *db, const struct migrate_source *m,
                               const char **file)
{
	if (store_is_pg(db) && m->pg_sql) {
		*file = m->pg_file;
		return m->pg_sql;
	}
	if (!store_is_pg(db) && m->sqlite_sql) {
		*file = m->sqlite_file;
		return m->sqlite_sql;
	}
	*file = m->file;
	return m->sql;
}

static void sha256_hex(const char *text, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	(void)crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
	(void)sodium_bin2hex(hex, 65, h, sizeof h);
}

static int count_query(struct store *db, const struct store_sql *q, const char *arg, int64_t *n,
                       struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, q, &st, err);
	if (rc != CADRE_OK)
		return rc;
	if (arg)
		store_bind_str(st, 1, arg);
	rc = store_step(st, err);
	if (rc == CADRE_OK)
		*n = store_col_i64(st, 0);
	store_reset(st);
	return rc == CADRE_OK     ? CADRE_OK
	       : rc == CADRE_DONE ? cadre_err_set(err, CADRE_EINTERNAL, "%s: no row", q->name)
	                          : rc;
}

/* a migration recorded in the database */
struct recorded {
	int64_t version;
	char name[64];
	char sha[65];
};

static int load_recorded(struct store *db, struct recorded **out, size_t *n, struct cadre_err *err)
{
	struct store_stmt *st;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	int rc = store_prepare(db, &q_sm_list, &st, err);
	if (rc != CADRE_OK)
		return rc;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		struct recorded *r = &(*out)[(*n)++];
		memset(r, 0, sizeof *r);
		r->version = store_col_i64(st, 0);
		const char *name = store_col_text(st, 1);
		const char *sha = store_col_text(st, 2);
		(void)snprintf(r->name, sizeof r->name, "%s", name ? name : "");
		(void)snprintf(r->sha, sizeof r->sha, "%s", sha ? sha : "");
	}
	if (rc != CADRE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return rc;
	}
	return CADRE_OK;
}

static const struct migrate_source *find_source(const struct migrate_source *src, size_t n,
                                                int64_t version)
{
	for (size_t i = 0; i < n; i++)
		if (src[i].version == version)
			return &src[i];
	return NULL;
}

static bool is_recorded(const struct recorded *r, size_t n, int version)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].version == version)
			return true;
	return false;
}

/* every recorded migration must be one this build carries, unchanged */
static int verify_recorded(struct store *db, const struct migrate_source *src, size_t n,
                           const struct recorded *r, size_t nr, struct cadre_err *err)
{
	for (size_t i = 0; i < nr; i++) {
		const struct migrate_source *m = find_source(src, n, r[i].version);
		if (!m)
			return cadre_err_set(
			    err, CADRE_EINVAL,
			    "%s has migration %04" PRId64 " (%s), which this build "
			    "of cadre does not carry: it was made by a newer cadre; "
			    "use that version (or newer)",
			    store_name(db), r[i].version, r[i].name);
		const char *file;
		const char *text = source_text(db, m, &file);
		char hex[65];
		sha256_hex(text, hex);
		if (strcmp(hex, r[i].sha) != 0)
			return cadre_err_set(
			    err, CADRE_EINVAL,
			    "migration %04d (%s) has changed since it was applied to "
			    "%s: recorded sha256 %.16s..., this build's file has "
			    "%.16s...; restore the original and put the change in a "
			    "new migration",
			    m->version, file, store_name(db), r[i].sha, hex);
	}
	return CADRE_OK;
}

static int require_cadre_db(struct store *db, struct cadre_err *err)
{
	int64_t n = 0;
	int rc = count_query(db, &q_sm_exists, "schema_migrations", &n, err);
	if (rc != CADRE_OK)
		return rc;
	if (n == 0)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "%s is not a Cadre database yet (it has no schema_migrations "
		                     "table); create it with `cadre init`",
		                     store_name(db));
	return CADRE_OK;
}

int migrate_check(struct store *db, const struct migrate_source *src, size_t n,
                  struct cadre_err *err)
{
	if (!src) {
		src = migrate_embedded;
		n = migrate_embedded_count;
	}
	struct recorded *r = NULL;
	size_t nr = 0;
	int rc = require_cadre_db(db, err);
	if (rc == CADRE_OK)
		rc = load_recorded(db, &r, &nr, err);
	if (rc == CADRE_OK)
		rc = verify_recorded(db, src, n, r, nr, err);
	if (rc == CADRE_OK) {
		size_t pending = 0;
		const struct migrate_source *first = NULL;
		for (size_t i = 0; i < n; i++) {
			if (!is_recorded(r, nr, src[i].version)) {
				pending++;
				if (!first)
					first = &src[i];
			}
		}
		if (first)
			rc = cadre_err_set(err, CADRE_EINVAL,
			                   "%s needs %zu migration%s (the first is %04d_%s); run "
			                   "`cadre migrate`",
			                   store_name(db), pending, pending == 1 ? "" : "s",
			                   first->version, first->name);
	}
	free(r);
	return rc;
}

/* apply one migration in its own write transaction, unless another
 * migrator recorded it meanwhile; *done tells which */
static int apply_one(struct store *db, const struct migrate_source *m, bool *done,
                     struct cadre_err *err)
{
	const char *file;
	const char *text = source_text(db, m, &file);
	char hex[65];
	struct store_stmt *st;
	*done = false;
	sha256_hex(text, hex);
	int rc = store_tx_begin(db, STORE_TX_WRITE, err);
	if (rc != CADRE_OK)
		goto fail_nontx;
	if ((rc = store_prepare(db, &q_sm_get, &st, err)) != CADRE_OK)
		goto fail;
	store_bind_i64(st, 1, m->version);
	rc = store_step(st, err);
	store_reset(st);
	if (rc == CADRE_OK) /* applied by someone else meanwhile */
		return store_tx_commit(db, err);
	if (rc != CADRE_DONE)
		goto fail;
	if ((rc = store_exec_script(db, text, err)) != CADRE_OK)
		goto fail;
	if ((rc = store_prepare(db, &q_sm_insert, &st, err)) != CADRE_OK)
		goto fail;
	store_bind_i64(st, 1, m->version);
	store_bind_str(st, 2, m->name);
	store_bind_str(st, 3, hex);
	store_bind_i64(st, 4, clock_now(NULL));
	if ((rc = store_exec(st, err)) != CADRE_OK)
		goto fail;
	if ((rc = store_tx_commit(db, err)) != CADRE_OK)
		goto fail;
	*done = true;
	return CADRE_OK;
fail:
	(void)store_tx_rollback(db, NULL);
fail_nontx:
	cadre_err_prefix(err, "migration %04d (%s)", m->version, file);
	return rc;
}

static int run_locked(struct store *db, const struct migrate_source *src, size_t n,
                      struct migrate_report *rep, struct cadre_err *err)
{
	struct recorded *r = NULL;
	size_t nr = 0;
	int rc = require_cadre_db(db, err);
	if (rc == CADRE_OK)
		rc = load_recorded(db, &r, &nr, err);
	if (rc == CADRE_OK)
		rc = verify_recorded(db, src, n, r, nr, err);
	int newest = 0;
	for (size_t i = 0; i < nr; i++)
		if (r[i].version > newest)
			newest = (int)r[i].version;
	for (size_t i = 0; rc == CADRE_OK && i < n; i++) {
		if (is_recorded(r, nr, src[i].version))
			continue;
		bool done;
		rc = apply_one(db, &src[i], &done, err);
		if (rc == CADRE_OK && done)
			rep->applied++;
		if (rc == CADRE_OK && src[i].version > newest)
			newest = src[i].version;
	}
	rep->version = newest;
	free(r);
	return rc;
}

int migrate_run(struct store *db, const struct migrate_source *src, size_t n,
                struct migrate_report *rep, struct cadre_err *err)
{
	struct migrate_report local;
	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof *rep);
	if (!src) {
		src = migrate_embedded;
		n = migrate_embedded_count;
	}
	if (store_tx_depth(db) != 0)
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "migrate: must not run in a transaction");
	if (sodium_init() < 0)
		return cadre_err_set(err, CADRE_EINTERNAL, "migrate: libsodium failed to start");
	struct store_stmt *st;
	int rc = store_prepare(db, &q_lock, &st, err);
	if (rc == CADRE_OK)
		rc = store_exec(st, err);
	if (rc == CADRE_EBUSY)
		cadre_err_prefix(err, "another `cadre migrate` is running");
	if (rc != CADRE_OK)
		return rc;
	rc = run_locked(db, src, n, rep, err);
	struct cadre_err uerr;
	if (store_prepare(db, &q_unlock, &st, &uerr) == CADRE_OK)
		(void)store_exec(st, &uerr);
	return rc;
}

int migrate_init(struct store *db, const struct migrate_source *src, size_t n,
                 struct migrate_report *rep, struct cadre_err *err)
{
	int64_t has = 0, tables = 0;
	int rc = count_query(db, &q_sm_exists, "schema_migrations", &has, err);
	if (rc != CADRE_OK)
		return rc;
	if (has)
		return cadre_err_set(err, CADRE_ECONFLICT,
		                     "%s is already a Cadre database; use `cadre migrate` to bring "
		                     "it up to date",
		                     store_name(db));
	if ((rc = count_query(db, &q_tables, NULL, &tables, err)) != CADRE_OK)
		return rc;
	if (tables)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "%s already holds %" PRId64 " table%s that are not Cadre's; "
		                     "refusing to initialise it",
		                     store_name(db), tables, tables == 1 ? "" : "s");
	if ((rc = store_tx_begin(db, STORE_TX_WRITE, err)) != CADRE_OK)
		return rc;
	rc = store_exec_script(db, store_is_pg(db) ? sm_create_pg : sm_create_sqlite, err);
	if (rc == CADRE_OK)
		rc = store_tx_commit(db, err);
	if (rc != CADRE_OK) {
		(void)store_tx_rollback(db, NULL);
		return rc;
	}
	return migrate_run(db, src, n, rep, err);
}

/* ---- a normalised description of the schema ---- */

static const struct store_sql q_d_tables = {
    .name = "dump_tables",
    .sql = "SELECT name FROM sqlite_schema WHERE type = 'table' "
           "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    .pg_sql = "SELECT table_name FROM information_schema.tables "
              "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
              "ORDER BY table_name",
};
/* name, declared type, not null, position in the primary key (0: none) */
static const struct store_sql q_d_columns = {
    .name = "dump_columns",
    .sql = "SELECT name, type, \"notnull\", pk FROM pragma_table_info($1) ORDER BY cid",
    .pg_sql = "SELECT c.column_name, c.data_type, "
              "CASE WHEN c.is_nullable = 'NO' THEN 1 ELSE 0 END, "
              "COALESCE((SELECT k.ordinal_position FROM "
              "information_schema.table_constraints t JOIN "
              "information_schema.key_column_usage k ON k.constraint_schema = "
              "t.constraint_schema AND k.constraint_name = t.constraint_name "
              "WHERE t.table_schema = c.table_schema AND t.table_name = c.table_name "
              "AND t.constraint_type = 'PRIMARY KEY' AND k.column_name = c.column_name), 0) "
              "FROM information_schema.columns c "
              "WHERE c.table_schema = current_schema() AND c.table_name = $1 "
              "ORDER BY c.ordinal_position",
};
/* origin (pk, u: unique constraint, c: created index), index name,
 * unique, partial, column */
static const struct store_sql q_d_indexes = {
    .name = "dump_indexes",
    .sql = "SELECT il.origin, il.name, il.\"unique\", il.partial, ii.name "
           "FROM pragma_index_list($1) il, pragma_index_info(il.name) ii "
           "ORDER BY il.name, ii.seqno",
    .pg_sql = "SELECT CASE c.contype WHEN 'p' THEN 'pk' WHEN 'u' THEN 'u' ELSE 'c' END, "
              "ic.relname, i.indisunique::int, (i.indpred IS NOT NULL)::int, a.attname "
              "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
              "JOIN pg_class t ON t.oid = i.indrelid "
              "JOIN pg_namespace n ON n.oid = t.relnamespace "
              "LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid "
              "AND c.conrelid = t.oid AND c.contype IN ('p', 'u') "
              "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(att, ord) "
              "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.att "
              "WHERE n.nspname = current_schema() AND t.relname = $1 "
              "ORDER BY ic.relname, k.ord",
};
/* constraint id, referenced table, column, referenced column, on delete */
static const struct store_sql q_d_fks = {
    .name = "dump_foreign_keys",
    .sql = "SELECT id, \"table\", \"from\", \"to\", on_delete "
           "FROM pragma_foreign_key_list($1) ORDER BY id, seq",
    .pg_sql = "SELECT c.conname, rt.relname, a.attname, ra.attname, "
              "CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' "
              "WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END "
              "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
              "JOIN pg_namespace n ON n.oid = t.relnamespace "
              "JOIN pg_class rt ON rt.oid = c.confrelid "
              "CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY "
              "AS k(att, ratt, ord) "
              "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.att "
              "JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.ratt "
              "WHERE c.contype = 'f' AND n.nspname = current_schema() AND t.relname = $1 "
              "ORDER BY c.conname, k.ord",
};

/* the vocabulary name of a column type; anything outside the vocabulary
 * is shown as it is, so that a mismatch shows in the comparison */
static void norm_type(bool pg, const char *t, char *out, size_t n)
{
	if (pg) {
		const char *v = strcmp(t, "bigint") == 0             ? "int64"
		                : strcmp(t, "double precision") == 0 ? "double"
		                : strcmp(t, "text") == 0             ? "text"
		                : strcmp(t, "bytea") == 0            ? "blob"
		                                                     : NULL;
		(void)snprintf(out, n, "%s%s", v ? "" : "pg:", v ? v : t);
		return;
	}
	/* SQLite's affinity rules, in SQLite's order */
	char up[64];
	size_t i;
	for (i = 0; i < sizeof up - 1 && t[i]; i++)
		up[i] = (char)(t[i] >= 'a' && t[i] <= 'z' ? t[i] - 32 : t[i]);
	up[i] = '\0';
	const char *v;
	if (strstr(up, "INT"))
		v = "int64";
	else if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT"))
		v = strcmp(up, "TEXT") == 0 ? "text" : NULL;
	else if (!up[0] || strstr(up, "BLOB"))
		v = "blob";
	else if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB"))
		v = "double";
	else
		v = NULL;
	(void)snprintf(out, n, "%s%s", v ? "" : "sqlite:", v ? v : t);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* lines gathered for one table, sorted before output because the two
 * back ends list constraints in different orders */
struct lines {
	char **v;
	size_t n, cap;
};

static void lines_add(struct lines *l, struct buf *b)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = buf_detach(b);
}

static int lines_flush(struct lines *l, struct buf *out, struct cadre_err *err)
{
	int rc = CADRE_OK;
	if (l->n)
		qsort(l->v, l->n, sizeof *l->v, cmp_str);
	for (size_t i = 0; i < l->n; i++) {
		if (rc == CADRE_OK)
			rc = buf_printf(out, err, "  %s\n", l->v[i]);
		free(l->v[i]);
	}
	l->n = 0;
	return rc;
}

static const char *text_or(struct store_stmt *st, int col, const char *dflt)
{
	const char *s = store_col_text(st, col);
	return s ? s : dflt;
}

static int dump_table(struct store *db, const char *table, struct buf *out, struct lines *l,
                      struct cadre_err *err)
{
	bool pg = store_is_pg(db);
	struct store_stmt *st;
	struct buf line, pk;
	buf_init(&line, 4096);
	buf_init(&pk, 4096);
	int rc = buf_printf(out, err, "table %s\n", table);
	/* columns, in order, and the primary key */
	int pkpos[64] = {0};
	char *pkcol[64] = {NULL};
	if (rc == CADRE_OK)
		rc = store_prepare(db, &q_d_columns, &st, err);
	if (rc == CADRE_OK) {
		store_bind_str(st, 1, table);
		while ((rc = store_step(st, err)) == CADRE_OK) {
			char type[96];
			const char *name = text_or(st, 0, "?");
			int64_t p = store_col_i64(st, 3);
			bool notnull = store_col_bool(st, 2);
			norm_type(pg, text_or(st, 1, ""), type, sizeof type);
			rc = buf_printf(out, err, "  column %s %s%s\n", name, type,
			                notnull ? " not null" : "");
			if (rc != CADRE_OK)
				break;
			if (p > 0 && p <= 64) {
				pkpos[p - 1] = 1;
				pkcol[p - 1] = xstrdup(name);
			}
		}
		if (rc == CADRE_DONE)
			rc = CADRE_OK;
	}
	if (pkcol[0] && rc == CADRE_OK) {
		rc = buf_puts(&pk, "primary key (", err);
		for (int i = 0; rc == CADRE_OK && i < 64 && pkpos[i]; i++)
			rc = buf_printf(&pk, err, "%s%s", i ? ", " : "", pkcol[i]);
		if (rc == CADRE_OK)
			rc = buf_puts(&pk, ")", err);
		if (rc == CADRE_OK)
			rc = buf_printf(out, err, "  %s\n", buf_cstr(&pk));
	}
	for (int i = 0; i < 64; i++)
		free(pkcol[i]);
	/* unique constraints and indexes, one line per index */
	if (rc == CADRE_OK)
		rc = store_prepare(db, &q_d_indexes, &st, err);
	if (rc == CADRE_OK) {
		store_bind_str(st, 1, table);
		char cur[128] = "";
		char origin[8] = "";
		bool uniq = false, partial = false;
		for (;;) {
			rc = store_step(st, err);
			if (rc < 0)
				break;
			const char *name = rc == CADRE_OK ? text_or(st, 1, "?") : "";
			if (cur[0] && (rc == CADRE_DONE || strcmp(name, cur) != 0)) {
				int r2 = buf_puts(&line, ")", err);
				if (r2 == CADRE_OK && strcmp(origin, "c") == 0 && uniq)
					r2 = buf_puts(&line, " unique", err);
				if (r2 == CADRE_OK && partial)
					r2 = buf_puts(&line, " partial", err);
				if (r2 != CADRE_OK) {
					store_reset(st);
					rc = r2;
					break;
				}
				if (strcmp(origin, "pk") == 0)
					buf_reset(&line);
				else
					lines_add(l, &line);
				cur[0] = '\0';
			}
			if (rc == CADRE_DONE) {
				rc = CADRE_OK;
				break;
			}
			const char *col = text_or(st, 4, "?");
			int r2;
			if (!cur[0]) {
				(void)snprintf(cur, sizeof cur, "%s", name);
				(void)snprintf(origin, sizeof origin, "%s", text_or(st, 0, "c"));
				uniq = store_col_bool(st, 2);
				partial = store_col_bool(st, 3);
				if (strcmp(origin, "c") == 0)
					r2 = buf_printf(&line, err, "index %s (%s", name, col);
				else
					r2 = buf_printf(&line, err, "unique (%s", col);
			} else {
				r2 = buf_printf(&line, err, ", %s", col);
			}
			if (r2 != CADRE_OK) {
				store_reset(st);
				rc = r2;
				break;
			}
		}
	}
	/* foreign keys */
	if (rc == CADRE_OK)
		rc = store_prepare(db, &q_d_fks, &st, err);
	if (rc == CADRE_OK) {
		store_bind_str(st, 1, table);
		char cur[128] = "";
		struct buf from, to;
		buf_init(&from, 1024);
		buf_init(&to, 1024);
		char ref[128] = "", del[32] = "";
		for (;;) {
			rc = store_step(st, err);
			if (rc < 0)
				break;
			const char *id = rc == CADRE_OK ? text_or(st, 0, "?") : "";
			if (cur[0] && (rc == CADRE_DONE || strcmp(id, cur) != 0)) {
				int r2 = buf_printf(
				    &line, err, "foreign key (%s) references %s (%s) on delete %s",
				    buf_cstr(&from), ref, buf_cstr(&to), del);
				if (r2 != CADRE_OK) {
					store_reset(st);
					rc = r2;
					break;
				}
				lines_add(l, &line);
				buf_reset(&from);
				buf_reset(&to);
				cur[0] = '\0';
			}
			if (rc == CADRE_DONE) {
				rc = CADRE_OK;
				break;
			}
			if (!cur[0]) {
				(void)snprintf(cur, sizeof cur, "%s", id);
				(void)snprintf(ref, sizeof ref, "%s", text_or(st, 1, "?"));
				(void)snprintf(del, sizeof del, "%s", text_or(st, 4, "?"));
				for (char *p = del; *p; p++)
					*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
			}
			int r2 = buf_printf(&from, err, "%s%s", from.len ? ", " : "",
			                    text_or(st, 2, "?"));
			if (r2 == CADRE_OK)
				r2 = buf_printf(&to, err, "%s%s", to.len ? ", " : "",
				                text_or(st, 3, "?"));
			if (r2 != CADRE_OK) {
				store_reset(st);
				rc = r2;
				break;
			}
		}
		buf_free(&from);
		buf_free(&to);
	}
	int frc = lines_flush(l, out, err);
	if (rc == CADRE_OK)
		rc = frc;
	buf_free(&line);
	buf_free(&pk);
	return rc;
}

int migrate_schema_dump(struct store *db, struct buf *out, struct cadre_err *err)
{
	struct store_stmt *st;
	struct lines tables = {0}, l = {0};
	int rc = store_prepare(db, &q_d_tables, &st, err);
	if (rc != CADRE_OK)
		return rc;
	struct buf name;
	buf_init(&name, 256);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if ((rc = buf_puts(&name, text_or(st, 0, "?"), err)) != CADRE_OK) {
			store_reset(st);
			break;
		}
		lines_add(&tables, &name);
	}
	if (rc == CADRE_DONE)
		rc = CADRE_OK;
	for (size_t i = 0; i < tables.n; i++) {
		if (rc == CADRE_OK)
			rc = dump_table(db, tables.v[i], out, &l, err);
		free(tables.v[i]);
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	free(tables.v);
	buf_free(&name);
	return rc;
}
