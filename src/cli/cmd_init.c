/* cadre init */
#include <getopt.h>

#include "cli/cli.h"
#include "cli_index.h"
#include "domain/db.h"

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
	int rc = db_init(cli->db, &rep, &cli->err);
	if (rc != CADRE_OK)
		return rc;
	(void)fprintf(cli->out,
	              "%s: created a Cadre database (%s), schema %04d, %d migration%s applied\n",
	              cli->db, rep.kind, rep.version, rep.applied, rep.applied == 1 ? "" : "s");
	return CADRE_OK;
}
