/* cadre import staff */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/mem.h"
#include "cli/cli.h"
#include "cli/keys.h"
#include "cli/people_out.h"
#include "cli_index.h"
#include "domain/db.h"
#include "domain/people.h"

static int report(struct cli *cli, const struct people_result *r, bool dry, bool json)
{
	if (json) {
		json_t *o = json_pack(
		    "{s:s, s:b, s:b, s:s, s:s, s:I, s:I, s:I, s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I, "
		    "s:I}, s:{s:I, s:I, s:I, s:I, s:I, s:I}}",
		    "import", "staff", "dry_run", dry, "no_change", r->no_change, "extract_date",
		    r->extract_date, "sha256", r->sha256, "rows", (json_int_t)r->rows,
		    "organisations", (json_int_t)r->orgs, "persons_new", (json_int_t)r->persons_new,
		    "staff", "new", (json_int_t)r->staff_new, "changed",
		    (json_int_t)r->staff_changed, "unchanged", (json_int_t)r->staff_unchanged,
		    "assignments", "new", (json_int_t)r->assignments_new, "changed",
		    (json_int_t)r->assignments_changed, "unchanged",
		    (json_int_t)r->assignments_unchanged, "closed",
		    (json_int_t)r->assignments_closed, "staff_group", "from_grade",
		    (json_int_t)r->group_grade, "from_occupation_code",
		    (json_int_t)r->group_occupation, "fallback_from_esr_staff_group",
		    (json_int_t)r->group_fallback, "esr_staff_group_conflicts",
		    (json_int_t)r->group_conflicts, "occupation_codes_not_in_reference_data",
		    (json_int_t)r->occupation_unlisted, "occupation_codes_closed",
		    (json_int_t)r->occupation_closed);
		json_object_set_new(o, "stats_rows", json_integer(r->stats.rows));
		json_object_set_new(o, "import_id", json_integer(r->import_id));
		json_object_set_new(o, "audit_seq", json_integer(r->audit_seq));
		json_object_set_new(o, "ms",
		                    json_pack("{s:I, s:I, s:I, s:I, s:I}", "check",
		                              (json_int_t)(r->micros_check / 1000), "plan",
		                              (json_int_t)(r->micros_plan / 1000), "write",
		                              (json_int_t)(r->micros_write / 1000), "stats",
		                              (json_int_t)(r->stats.micros / 1000), "total",
		                              (json_int_t)(r->micros / 1000)));
		return people_print_json(cli, o);
	}
	FILE *out = cli->out;
	if (r->no_change) {
		(void)fprintf(out,
		              "no change: the %lld assignments of %lld organisation%s (extract %s) "
		              "match what is held; nothing was written\n",
		              (long long)r->rows, (long long)r->orgs, r->orgs == 1 ? "" : "s",
		              r->extract_date);
		return CADRE_OK;
	}
	(void)fprintf(out, "%s %lld assignments of %lld organisation%s, extract of %s\n",
	              dry ? "dry run: checked" : "imported", (long long)r->rows, (long long)r->orgs,
	              r->orgs == 1 ? "" : "s", r->extract_date);
	(void)fprintf(out,
	              "people: %lld new; staff records: %lld new, %lld changed, %lld unchanged\n",
	              (long long)r->persons_new, (long long)r->staff_new,
	              (long long)r->staff_changed, (long long)r->staff_unchanged);
	(void)fprintf(out,
	              "assignments: %lld new, %lld changed, %lld unchanged, %lld closed (no longer "
	              "listed by their employer)\n",
	              (long long)r->assignments_new, (long long)r->assignments_changed,
	              (long long)r->assignments_unchanged, (long long)r->assignments_closed);
	(void)fprintf(out,
	              "NHS Digital staff group: %lld from the medical grade, %lld from the "
	              "occupation code, %lld by the FALLBACK from the ESR staff group (the "
	              "reference data does not map their occupation codes)\n",
	              (long long)r->group_grade, (long long)r->group_occupation,
	              (long long)r->group_fallback);
	if (r->group_conflicts || r->occupation_unlisted || r->occupation_closed)
		(void)fprintf(
		    out,
		    "reported, not rejected: %lld ESR staff groups conflict with the derived "
		    "group; %lld occupation codes not in the reference data; %lld closed "
		    "codes (see `cadre quality`)\n",
		    (long long)r->group_conflicts, (long long)r->occupation_unlisted,
		    (long long)r->occupation_closed);
	(void)fprintf(out, "staff in post statistics: %lld rows\n", (long long)r->stats.rows);
	if (dry)
		(void)fprintf(out, "nothing was written (--dry-run)\n");
	else
		(void)fprintf(out, "import %lld, audit entry %lld; %lld ms in all\n",
		              (long long)r->import_id, (long long)r->audit_seq,
		              (long long)(r->micros / 1000));
	return CADRE_OK;
}

/* COMMAND: import staff
 * USAGE: cadre import staff [--as-of YYYY-MM-DD] [--dry-run] [--json] FILE.csv
 * Import an ESR-style staff extract, one row per assignment.
 * The file (docs/formats.md section A) lists the assignments of the
 * organisations it names, open on its extract date or ended in the year
 * before.  National identifiers are kept only as an HMAC under the
 * deployment's pseudonym key, so one person is counted once across
 * employers.  A newer extract updates by assignment_ref, keeps dated
 * history of changed attributes and terms, and closes the open assignments
 * of the organisations in the file that it no longer lists; the same file
 * again changes nothing.  The NHS Digital staff group is derived from the
 * grade and occupation code, or by Cadre's fallback from the ESR staff
 * group where the reference data cannot (reported).  --as-of: the extract
 * date the file must carry.  All or nothing: every rejected row is
 * reported as FILE:LINE:COLUMN: reason.  Audited once.
 */
int cmd_import_staff(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"as-of", required_argument, NULL, 'a'},
	                                     {"dry-run", no_argument, NULL, 'd'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {0}};
	struct people_opts opt = {.clk = clock_system()};
	bool json = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'a') {
			struct date d;
			if (date_parse_iso(optarg, strlen(optarg), &d, &cli->err) != CADRE_OK)
				return cli_usage_error(cli, "import staff",
				                       "--as-of '%s': expected YYYY-MM-DD", optarg);
			opt.expect_extract = optarg;
		} else if (c == 'd') {
			opt.dry_run = true;
		} else if (c == 'j') {
			json = true;
		} else {
			return cli_usage_error(cli, "import staff", "unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(cli, "import staff", "name one FILE.csv");
	unsigned char akey[AUDIT_KEY_BYTES], pkey[AUDIT_KEY_BYTES];
	memset(akey, 0, sizeof akey);
	int rc = people_pseudonym_key(cli, pkey);
	if (rc != CADRE_OK)
		return rc;
	opt.pseudonym_key = pkey;
	if (!opt.dry_run) {
		if ((rc = cli_audit_key(cli, akey)) != CADRE_OK)
			goto wipe;
		opt.audit_key = akey;
	}
	struct store *db;
	if ((rc = cli_open_db(cli, &db)) != CADRE_OK)
		goto wipe;
	struct actor sys = actor_system("cli");
	struct people_result *res = xcalloc(1, sizeof *res);
	rc = people_import(&sys, db, argv[optind], &opt, res, &cli->err);
	db_close(db);
	if (rc == CADRE_OK)
		rc = report(cli, res, opt.dry_run, json);
	else
		rc = people_rejected(cli, &res->problems, opt.dry_run, rc);
	free(res);
wipe:
	cli_key_wipe(akey);
	cli_key_wipe(pkey);
	return rc;
}
