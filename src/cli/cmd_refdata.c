/* cadre refdata load */
#include <getopt.h>

#include "base/clock.h"
#include "cli/cli.h"
#include "cli_index.h"
#include "domain/actor.h"
#include "domain/db.h"
#include "domain/refdata.h"
#include "io/config.h"

/* COMMAND: refdata load
 * USAGE: cadre refdata load [--data DIR]
 * Load (again) the reference data shipped under data/.
 * Regions, ICBs and NHS trusts (Welsh trusts excluded, with the reason
 * logged), staff groups, occupation codes, ethnic categories, Agenda for
 * Change bands and pay tables, on-costs and workforce parameters, each
 * file checked strictly against its sidecar (FILE.csv.meta); a problem is
 * reported as FILE:LINE:COLUMN and nothing is loaded.  Loading the same
 * files again changes nothing (organisation ids are kept).  `cadre init`
 * runs this too.  DIR defaults to $CADRE_DATA_DIR, ./data, or the data
 * folder beside the cadre binary's build or install folder.
 */
int cmd_refdata_load(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, NULL, 'd'}, {0}};
	const char *dir = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			dir = optarg;
		else
			return cli_usage_error(cli, "refdata load", "unknown option '%s'",
			                       argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(cli, "refdata load", "unexpected argument '%s'",
		                       argv[optind]);
	char found[REFDATA_PATH_MAX];
	int rc;
	if (!dir) {
		if ((rc = refdata_find_dir(found, sizeof found, &cli->err)) != CADRE_OK)
			return rc;
		dir = found;
	}
	struct config *cfg = cli_config(cli);
	if (!cfg)
		return cli->err.status;
	const char *url = cli_db_url(cli);
	if (!url)
		return cli->err.status;
	struct store *db;
	if ((rc = db_open(url, &db, &cli->err)) != CADRE_OK)
		return rc;
	struct actor sys = actor_system("cli");
	struct refdata_report rep;
	const unsigned char *key = config_get_key(cfg, "secrets.audit_key");
	rc = refdata_load(&sys, db, dir, key, clock_system(), &rep, &cli->err);
	db_close(db);
	if (rc != CADRE_OK)
		return rc;
	long long rows = 0;
	for (size_t i = 0; i < rep.nfiles; i++) {
		rows += rep.files[i].rows;
		(void)fprintf(cli->out, "  %-34s %5lld rows%s\n", rep.files[i].path,
		              (long long)rep.files[i].rows,
		              rep.files[i].excluded ? "  (some excluded: see the log)" : "");
	}
	(void)fprintf(cli->out,
	              "loaded %lld rows from %zu reference files in %s; organisations: %lld "
	              "created, %lld updated; %lld ancestor rows in %lld ms\n",
	              rows, rep.nfiles, dir, (long long)rep.orgs_created,
	              (long long)rep.orgs_updated, (long long)rep.rebuild.rows,
	              (long long)(rep.rebuild.micros / 1000));
	if (!key)
		(void)fprintf(cli->errout,
		              "warning: no audit key (secrets file): the load was not audited\n");
	return CADRE_OK;
}
