/* cadre demo load */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
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
#include "domain/establishment.h"
#include "domain/history.h"
#include "domain/people.h"
#include "domain/tempstaff.h"
#include "domain/wards.h"
#include "io/csv.h"

/* extract_month: the month of the extract_date on staff.csv's first row. */
static int extract_month(struct cli *cli, const char *path, int *month)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return cadre_err_set(&cli->err, CADRE_ENOTFOUND, "%s: cannot open", path);
	struct csv_reader *r;
	int rc = csv_reader_open_file(&r, f, NULL, &cli->err);
	if (rc == CADRE_OK) {
		rc = csv_reader_next(r, &cli->err);
		if (rc == CADRE_OK)
			rc = csv_reader_next(r, &cli->err);
		if (rc == CADRE_OK) {
			size_t n = csv_reader_count(r);
			const struct csv_field *fd = csv_reader_field(r, PEOPLE_NCOLS - 1);
			struct date d;
			if (n != PEOPLE_NCOLS || !fd ||
			    date_parse_iso(fd->s, fd->len, &d, &cli->err) != CADRE_OK)
				rc = cadre_err_set(&cli->err, CADRE_EINVAL,
				                   "%s: line 2 has no extract_date", path);
			else
				*month = date_month_of(d);
		} else if (rc == CADRE_DONE) {
			rc = cadre_err_set(&cli->err, CADRE_EINVAL, "%s: no rows", path);
		}
		csv_reader_free(r);
	}
	(void)fclose(f);
	return rc;
}

struct loaded {
	int64_t orgs_created;
	struct wards_result wards;
	struct people_result staff;
	struct ledger_result est, tmp;
	struct history_result hist[HISTORY_KINDS];
	bool hist_present[HISTORY_KINDS];
};

static int step_failed(struct cli *cli, const char *what, const struct import_problems *p, int rc)
{
	rc = people_rejected(cli, p, false, rc);
	cadre_err_prefix(&cli->err, "demo load: %s", what);
	return rc;
}

/* COMMAND: demo load
 * USAGE: cadre demo load [--until STEP] [--json] DIR
 * Import a generated demo directory into the database, in the right order.
 * DIR is what `cadre demo generate` wrote: the organisations the hierarchy
 * lacks (organisations.csv), the cost-centre map (its wards and teams
 * holding from the first month of the extract's year), the staff extract,
 * the funded establishment and the temporary staffing, each imported as
 * `cadre import ...` does it (all or nothing, audited), then the 36 months
 * of history as `cadre import history --synthetic` does (each file in its
 * own transaction; published sickness figures already held win).  Prints
 * what it loaded.  --until organisations|cost-centres|staff|establishment|
 * temporary-staffing stops after that step (the benchmark loads the map,
 * then times the staff import on its own).
 */
int cmd_demo_load(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'}, {"until", required_argument, NULL, 'u'}, {0}};
	static const char *const steps[] = {"organisations", "cost-centres",       "staff",
	                                    "establishment", "temporary-staffing", "history"};
	bool json = false;
	int until = 5;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j') {
			json = true;
		} else if (c == 'u') {
			until = -1;
			for (int i = 0; i < 6; i++)
				if (strcmp(optarg, steps[i]) == 0)
					until = i;
			if (until < 0)
				return cli_usage_error(
				    cli, "demo load",
				    "--until '%s': organisations, cost-centres, staff, "
				    "establishment, temporary-staffing or history",
				    optarg);
		} else {
			return cli_usage_error(cli, "demo load", "unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(cli, "demo load", "name one demo DIR");
	const char *dir = argv[optind];
	char p_orgs[4096], p_cc[4096], p_staff[4096], p_est[4096], p_tmp[4096];
	(void)snprintf(p_orgs, sizeof p_orgs, "%s/organisations.csv", dir);
	(void)snprintf(p_cc, sizeof p_cc, "%s/cost-centres.csv", dir);
	(void)snprintf(p_staff, sizeof p_staff, "%s/staff.csv", dir);
	(void)snprintf(p_est, sizeof p_est, "%s/establishment.csv", dir);
	(void)snprintf(p_tmp, sizeof p_tmp, "%s/temporary-staffing.csv", dir);
	int month = 0;
	int rc = extract_month(cli, p_staff, &month);
	if (rc != CADRE_OK)
		return rc;
	int from = date_month_add(month, -11);
	unsigned char akey[AUDIT_KEY_BYTES], pkey[AUDIT_KEY_BYTES];
	memset(pkey, 0, sizeof pkey);
	if ((rc = cli_audit_key(cli, akey)) != CADRE_OK)
		return rc;
	if ((rc = people_pseudonym_key(cli, pkey)) != CADRE_OK)
		goto wipe;
	struct store *db;
	if ((rc = cli_open_db(cli, &db)) != CADRE_OK)
		goto wipe;
	struct actor sys = actor_system("cli");
	const struct clock *clk = clock_system();
	struct loaded *L = xcalloc(1, sizeof *L);
	int64_t t0 = clock_mono_us();
	rc = wards_demo_organisations(&sys, db, p_orgs, from, akey, clk, &L->orgs_created,
	                              &cli->err);
	if (rc == CADRE_OK && until >= 1) {
		struct wards_opts wo = {.from_month = from, .audit_key = akey, .clk = clk};
		rc = wards_import(&sys, db, p_cc, &wo, &L->wards, &cli->err);
		if (rc != CADRE_OK)
			rc = step_failed(cli, "cost-centres.csv", &L->wards.problems, rc);
	}
	if (rc == CADRE_OK && until >= 2) {
		struct people_opts po = {.pseudonym_key = pkey, .audit_key = akey, .clk = clk};
		rc = people_import(&sys, db, p_staff, &po, &L->staff, &cli->err);
		if (rc != CADRE_OK)
			rc = step_failed(cli, "staff.csv", &L->staff.problems, rc);
	}
	struct ledger_opts lo = {.audit_key = akey, .clk = clk};
	if (rc == CADRE_OK && until >= 3) {
		rc = establishment_import(&sys, db, p_est, &lo, &L->est, &cli->err);
		if (rc != CADRE_OK)
			rc = step_failed(cli, "establishment.csv", &L->est.problems, rc);
	}
	if (rc == CADRE_OK && until >= 4) {
		rc = tempstaff_import(&sys, db, p_tmp, &lo, &L->tmp, &cli->err);
		if (rc != CADRE_OK)
			rc = step_failed(cli, "temporary-staffing.csv", &L->tmp.problems, rc);
	}
	if (rc == CADRE_OK && until >= 5) {
		struct history_opts ho = {.synthetic = true, .audit_key = akey, .clk = clk};
		rc = history_import_dir(&sys, db, dir, &ho, L->hist, L->hist_present, &cli->err);
		for (int k = 0; k < HISTORY_KINDS && rc != CADRE_OK; k++)
			if (L->hist_present[k] && import_problems_total(&L->hist[k].problems)) {
				rc = step_failed(cli, history_file_name((enum history_kind)k),
				                 &L->hist[k].problems, rc);
				break;
			}
	}
	int64_t ms = (clock_mono_us() - t0) / 1000;
	db_close(db);
	if (rc == CADRE_OK && json) {
		rc = people_print_json(
		    cli,
		    json_pack(
		        "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:I, s:I, s:I, s:I, s:I, s:I, "
		        "s:I, s:I}",
		        "dir", dir, "organisations_created", (json_int_t)L->orgs_created,
		        "cost_centres", (json_int_t)L->wards.rows, "wards_and_teams",
		        (json_int_t)L->wards.wards_new + (json_int_t)L->wards.teams_new,
		        "assignments", (json_int_t)L->staff.rows, "people",
		        (json_int_t)L->staff.persons_new, "organisations",
		        (json_int_t)L->staff.orgs, "staff_unchanged", L->staff.no_change,
		        "establishment_rows", (json_int_t)L->est.rows, "temporary_staffing_rows",
		        (json_int_t)L->tmp.rows, "sickness_history_rows",
		        (json_int_t)L->hist[HISTORY_SICKNESS].rows, "sickness_history_skipped",
		        (json_int_t)L->hist[HISTORY_SICKNESS].rows_skipped,
		        "ward_sickness_history_rows",
		        (json_int_t)L->hist[HISTORY_SICKNESS_WARDS].rows, "vacancy_history_rows",
		        (json_int_t)L->hist[HISTORY_VACANCIES].rows,
		        "temporary_staffing_history_rows",
		        (json_int_t)L->hist[HISTORY_TEMPORARY].rows, "ms", (json_int_t)ms));
	} else if (rc == CADRE_OK) {
		char a[32], b[32], d[32], e[32];
		char mm[DATE_MONTH_SIZE];
		date_month_format(month, mm);
		(void)fprintf(cli->out, "loaded the demo from %s (extract month %s) in %lld ms:\n",
		              dir, mm, (long long)ms);
		(void)fprintf(cli->out, "  organisations: %lld created from organisations.csv\n",
		              (long long)L->orgs_created);
		if (until >= 1)
			(void)fprintf(
			    cli->out,
			    "  cost centres: %s in %lld wards and teams, %lld divisions\n",
			    people_num((double)L->wards.rows, 0, a, sizeof a),
			    (long long)L->wards.wards_new + (long long)L->wards.teams_new,
			    (long long)L->wards.divisions_new);
		if (until >= 2 && L->staff.no_change)
			(void)fprintf(cli->out,
			              "  staff: %s assignments, already held (no change)\n",
			              people_num((double)L->staff.rows, 0, b, sizeof b));
		else if (until >= 2)
			(void)fprintf(cli->out,
			              "  staff: %s assignments of %s people at %lld employers\n",
			              people_num((double)L->staff.rows, 0, b, sizeof b),
			              people_num((double)L->staff.persons_new, 0, d, sizeof d),
			              (long long)L->staff.orgs);
		if (until >= 3)
			(void)fprintf(cli->out, "  establishment: %s rows\n",
			              people_num((double)L->est.rows, 0, e, sizeof e));
		if (until >= 4)
			(void)fprintf(cli->out, "  temporary staffing: %s rows\n",
			              people_num((double)L->tmp.rows, 0, a, sizeof a));
		if (until >= 5)
			(void)fprintf(
			    cli->out,
			    "  history (synthetic): sickness %s organisation-months (%lld skipped: "
			    "published figures held them), %s ward-months, vacancies %s rows, "
			    "temporary staffing %s rows\n",
			    people_num((double)L->hist[HISTORY_SICKNESS].rows, 0, a, sizeof a),
			    (long long)L->hist[HISTORY_SICKNESS].rows_skipped,
			    people_num((double)L->hist[HISTORY_SICKNESS_WARDS].rows, 0, b,
			               sizeof b),
			    people_num((double)L->hist[HISTORY_VACANCIES].rows, 0, d, sizeof d),
			    people_num((double)L->hist[HISTORY_TEMPORARY].rows, 0, e, sizeof e));
	}
	free(L);
wipe:
	cli_key_wipe(akey);
	cli_key_wipe(pkey);
	return rc;
}
