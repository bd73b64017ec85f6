/* cadre migrate */
#include <getopt.h>

#include "cli/cli.h"
#include "cli_index.h"
#include "domain/db.h"

/* COMMAND: migrate
 * USAGE: cadre [--db DB] migrate [--check]
 * Apply the schema migrations the database lacks.
 * Each migration runs in its own transaction, under a lock, so two
 * `cadre migrate` runs never interleave.  Stops, changing nothing, when a
 * migration already applied has changed in this build or when the database
 * has a migration this build does not know (made by a newer cadre).
 * `cadre serve` never migrates: run this after installing a new version.
 *   --check   change nothing; exit 1 if migrations are pending or the
 *             recorded ones differ from this build's
 */
int cmd_migrate(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"check", no_argument, NULL, 'c'}, {0}};
	int check = 0;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'c')
			check = 1;
		else
			return cli_usage_error(cli, "migrate", "unknown option '%s'",
			                       argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(cli, "migrate", "unexpected argument '%s'", argv[optind]);
	struct db_report rep;
	const char *url = cli_db_url(cli);
	if (!url)
		return cli->err.status;
	int rc = db_migrate(url, check, &rep, &cli->err);
	if (rc != CADRE_OK)
		return rc;
	if (check)
		(void)fprintf(cli->out, "%s: up to date (schema %04d)\n", url, rep.latest);
	else if (rep.applied == 0)
		(void)fprintf(cli->out, "%s: already up to date (schema %04d)\n", url, rep.version);
	else
		(void)fprintf(cli->out, "%s: applied %d migration%s; schema is now %04d\n", url,
		              rep.applied, rep.applied == 1 ? "" : "s", rep.version);
	return CADRE_OK;
}
