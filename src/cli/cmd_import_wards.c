/* cadre import cost-centres */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "cli/cli.h"
#include "cli/keys.h"
#include "cli/people_out.h"
#include "cli_index.h"
#include "domain/db.h"
#include "base/mem.h"
#include "domain/wards.h"

static int report(struct cli *cli, const struct wards_result *r, bool dry, bool json)
{
	char fm[DATE_MONTH_SIZE], a[DATE_MONTH_SIZE], b[DATE_MONTH_SIZE];
	date_month_format(r->from_month, fm);
	date_month_format(r->rebuild.first_month, a);
	date_month_format(r->rebuild.last_month, b);
	if (json)
		return people_print_json(
		    cli,
		    json_pack("{s:s, s:b, s:I, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
		              "s:{s:s, s:s, s:I}, s:s, s:I, s:I}",
		              "import", "cost-centres", "dry_run", dry, "rows", (json_int_t)r->rows,
		              "organisations", (json_int_t)r->orgs, "from", fm, "cost_centres_new",
		              (json_int_t)r->cost_centres_new, "cost_centres_updated",
		              (json_int_t)r->cost_centres_updated, "cost_centres_unlisted",
		              (json_int_t)r->cost_centres_unlisted, "divisions_new",
		              (json_int_t)r->divisions_new, "wards_new", (json_int_t)r->wards_new,
		              "teams_new", (json_int_t)r->teams_new, "edges", (json_int_t)r->edges,
		              "hierarchy", "first", a, "last", b, "ancestor_rows",
		              (json_int_t)r->rebuild.rows, "sha256", r->sha256, "audit_seq",
		              (json_int_t)r->audit_seq, "ms", (json_int_t)(r->micros / 1000)));
	FILE *out = cli->out;
	(void)fprintf(out, "%s %lld cost centres of %lld organisation%s, the map holding from %s\n",
	              dry ? "dry run: checked" : "imported", (long long)r->rows, (long long)r->orgs,
	              r->orgs == 1 ? "" : "s", fm);
	(void)fprintf(out,
	              "cost centres: %lld new, %lld already known, %lld no longer listed; new "
	              "nodes: %lld divisions, %lld wards, %lld teams (%lld edges)\n",
	              (long long)r->cost_centres_new, (long long)r->cost_centres_updated,
	              (long long)r->cost_centres_unlisted, (long long)r->divisions_new,
	              (long long)r->wards_new, (long long)r->teams_new, (long long)r->edges);
	(void)fprintf(out, "hierarchy rebuilt for %s to %s: %lld ancestor rows\n", a, b,
	              (long long)r->rebuild.rows);
	if (dry)
		(void)fprintf(out, "nothing was written (--dry-run)\n");
	else
		(void)fprintf(out, "audit entry %lld; %lld ms in all\n", (long long)r->audit_seq,
		              (long long)(r->micros / 1000));
	return CADRE_OK;
}

/* COMMAND: import cost-centres
 * USAGE: cadre import cost-centres [--from YYYY-MM] [--dry-run] [--json] FILE.csv
 * Import the ledger's cost centres and the cost centre -> ward/team map.
 * The file (docs/formats.md section D) gives each cost centre's ward or
 * team, division and care setting; divisions, wards and teams become nodes
 * of the organisation hierarchy under their employer (codes: the
 * employer's code and the local code, RXCW001), observed from --from
 * (default: this month), so figures on a cost centre roll up to its ward,
 * division, trust, ICB, region and England.  Loading the map again for the
 * same month replaces that month's edges; a later month adds history.  All
 * or nothing, every rejected row as FILE:LINE:COLUMN: reason; audited once.
 */
int cmd_import_cost_centres(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
	                                     {"dry-run", no_argument, NULL, 'd'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {0}};
	struct wards_opts opt = {.clk = clock_system()};
	bool json = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'f') {
			if (date_month_parse(optarg, strlen(optarg), &opt.from_month, &cli->err))
				return cli_usage_error(cli, "import cost-centres",
				                       "--from '%s': expected YYYY-MM", optarg);
		} else if (c == 'd') {
			opt.dry_run = true;
		} else if (c == 'j') {
			json = true;
		} else {
			return cli_usage_error(cli, "import cost-centres", "unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(cli, "import cost-centres", "name one FILE.csv");
	unsigned char key[AUDIT_KEY_BYTES];
	int rc;
	if (!opt.dry_run) {
		if ((rc = cli_audit_key(cli, key)) != CADRE_OK)
			return rc;
		opt.audit_key = key;
	}
	struct store *db;
	if ((rc = cli_open_db(cli, &db)) != CADRE_OK) {
		cli_key_wipe(key);
		return rc;
	}
	struct actor sys = actor_system("cli");
	struct wards_result *res = xcalloc(1, sizeof *res);
	rc = wards_import(&sys, db, argv[optind], &opt, res, &cli->err);
	db_close(db);
	if (rc == CADRE_OK)
		rc = report(cli, res, opt.dry_run, json);
	else
		rc = people_rejected(cli, &res->problems, opt.dry_run, rc);
	free(res);
	cli_key_wipe(key);
	return rc;
}
