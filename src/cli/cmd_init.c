/* cadre init */
#include <getopt.h>

#include "base/clock.h"
#include "cli/cli.h"
#include "io/config.h"
#include "cli_index.h"
#include "domain/actor.h"
#include "domain/db.h"
#include "domain/refdata.h"

/* init_refdata: load data/ into the new database.  Part of creating it,
 * so not an audit entry: ref_file records each file's SHA-256, and later
 * reloads (`cadre refdata load`) are audited. */
static int init_refdata(struct cli *cli, const char *url)
{
	char dir[REFDATA_PATH_MAX];
	int rc = refdata_find_dir(dir, sizeof dir, &cli->err);
	if (rc != CADRE_OK)
		return rc;
	struct store *db;
	if ((rc = db_open(url, &db, &cli->err)) != CADRE_OK)
		return rc;
	struct actor sys = actor_system("cli");
	struct refdata_report rr;
	rc = refdata_load(&sys, db, dir, NULL, clock_system(), &rr, &cli->err);
	db_close(db);
	if (rc == CADRE_OK)
		(void)fprintf(cli->out,
		              "loaded the reference data from %s: %zu files, %lld organisations\n",
		              dir, rr.nfiles, (long long)rr.orgs_created);
	return rc;
}

/* COMMAND: init
 * USAGE: cadre [--db DB] init
 * Create a Cadre database and bring its schema up to date.
 * DB is an SQLite file (default ./cadre.db, created readable by its owner
 * only) or a postgresql:// URL naming an existing, empty database created
 * with
 *   createdb --encoding=UTF8 --locale=C.UTF-8 --template=template0 NAME
 * A PostgreSQL password goes in a password file (PGPASSFILE or ~/.pgpass),
 * never in the URL.
 * Refuses a database that already holds tables; use `cadre migrate` to
 * update an existing Cadre database.
 * Also creates the secrets file (secrets.file, default ./secrets.ini) with
 * mode 0600 and fresh keys when it does not exist; an existing one is kept.
 * Then loads the reference data shipped under data/ (regions, ICBs, trusts,
 * staff groups, codes, pay tables, parameters; see `cadre refdata load`),
 * from $CADRE_DATA_DIR, ./data or the data folder beside the binary.
 */
int cmd_init(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{0}};
	optind = 0;
	opterr = 0;
	if (getopt_long(argc, argv, "", opts, NULL) != -1)
		return cli_usage_error(cli, "init", "unknown option '%s'", argv[optind - 1]);
	if (optind < argc)
		return cli_usage_error(cli, "init", "unexpected argument '%s'", argv[optind]);
	struct db_report rep;
	const char *url = cli_db_url(cli);
	if (!url)
		return cli->err.status;
	int rc = db_init(url, &rep, &cli->err);
	if (rc != CADRE_OK)
		return rc;
	(void)fprintf(cli->out,
	              "%s: created a Cadre database (%s), schema %04d, %d migration%s applied\n",
	              url, rep.kind, rep.version, rep.applied, rep.applied == 1 ? "" : "s");
	/* The keys for pseudonyms and the audit trail: made once, never
	 * replaced (a new audit key would fail every signature so far). */
	const char *secrets = config_get_str(cli_config(cli), "secrets.file");
	struct cadre_err gen;
	cadre_err_clear(&gen);
	rc = config_secrets_generate(secrets, &gen);
	if (rc == CADRE_OK)
		(void)fprintf(cli->out,
		              "%s: created the secrets file (mode 0600); keep it safe and "
		              "out of backups of the database\n",
		              secrets);
	else if (rc == CADRE_ECONFLICT)
		(void)fprintf(cli->out, "%s: secrets file kept\n", secrets);
	else
		return cadre_err_set(&cli->err, rc, "%s", gen.msg);
	return init_refdata(cli, url);
}
