/* cadre backup */
#include <getopt.h>

#include "cli/cli.h"
#include "cli_index.h"
#include "domain/db.h"

/* COMMAND: backup
 * USAGE: cadre [--db DB] backup FILE
 * Copy the SQLite database to FILE while Cadre keeps running.
 * Uses SQLite's online backup API, so the copy is consistent even while
 * others write; FILE must not exist and is created readable by its owner
 * only.  Restore by stopping Cadre and putting FILE in the database's
 * place (remove any DB-wal and DB-shm files left beside the old one).
 * A PostgreSQL database is backed up with PostgreSQL's tools instead:
 *   pg_dump --format=custom --file=FILE 'postgresql://...'
 * and restored into an empty database with pg_restore; this command says
 * so and exits 1.
 */
int cmd_backup(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{0}};
	optind = 0;
	opterr = 0;
	if (getopt_long(argc, argv, "", opts, NULL) != -1)
		return cli_usage_error(cli, "backup", "unknown option '%s'", argv[optind - 1]);
	if (optind + 1 != argc)
		return cli_usage_error(
		    cli, "backup", optind < argc ? "too many arguments" : "name the backup FILE");
	const char *url = cli_db_url(cli);
	if (!url)
		return cli->err.status;
	int rc = db_backup(url, argv[optind], &cli->err);
	if (rc != CADRE_OK)
		return rc;
	(void)fprintf(cli->out, "%s: backed up to %s\n", url, argv[optind]);
	return CADRE_OK;
}
