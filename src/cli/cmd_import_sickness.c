/* cadre import sickness, and the import runner both import commands share */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/mem.h"
#include "cli/cli.h"
#include "cli/cmd_import.h"
#include "cli/keys.h"
#include "cli_index.h"
#include "domain/db.h"
#include "domain/sickness.h"

static int report_json(struct cli *cli, const char *name, const struct import_result *res, bool dry)
{
	json_t *months = json_array();
	for (size_t i = 0; i < res->nmonths; i++) {
		char mm[DATE_MONTH_SIZE];
		date_month_format(res->months[i], mm);
		json_array_append_new(months, json_string(mm));
	}
	char a[DATE_MONTH_SIZE], b[DATE_MONTH_SIZE];
	date_month_format(res->rebuild.first_month, a);
	date_month_format(res->rebuild.last_month, b);
	json_t *o = json_pack("{s:s, s:b, s:I, s:I, s:o, s:I, s:I, s:{s:s, s:s, s:I, s:I}, s:I, "
	                      "s:I}",
	                      "import", name, "dry_run", dry, "files", (json_int_t)res->files,
	                      "rows", (json_int_t)res->rows, "months", months, "orgs_created",
	                      (json_int_t)res->orgs_created, "rows_replaced",
	                      (json_int_t)res->rows_replaced, "hierarchy", "first", a, "last", b,
	                      "ancestor_rows", (json_int_t)res->rebuild.rows, "rebuild_ms",
	                      (json_int_t)(res->rebuild.micros / 1000), "audit_seq",
	                      (json_int_t)res->audit_seq, "ms", (json_int_t)(res->micros / 1000));
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!text)
		return cadre_err_set(&cli->err, CADRE_EINTERNAL, "JSON output failed");
	(void)fprintf(cli->out, "%s\n", text);
	free(text);
	return CADRE_OK;
}

static void report_text(struct cli *cli, const char *what, const struct import_result *res,
                        bool dry)
{
	char a[DATE_MONTH_SIZE] = "", b[DATE_MONTH_SIZE] = "";
	if (res->nmonths) {
		date_month_format(res->months[0], a);
		date_month_format(res->months[res->nmonths - 1], b);
	}
	FILE *out = cli->out;
	(void)fprintf(out, "%s %lld rows of %s from %lld file%s: %s to %s (%zu month%s)\n",
	              dry ? "dry run: checked" : "imported", (long long)res->rows, what,
	              (long long)res->files, res->files == 1 ? "" : "s", a, b, res->nmonths,
	              res->nmonths == 1 ? "" : "s");
	(void)fprintf(out, "organisations %s: %lld; rows replaced: %lld\n",
	              dry ? "that would be created" : "created", (long long)res->orgs_created,
	              (long long)res->rows_replaced);
	date_month_format(res->rebuild.first_month, a);
	date_month_format(res->rebuild.last_month, b);
	(void)fprintf(out, "hierarchy rebuilt for %s to %s: %lld ancestor rows in %lld ms\n", a, b,
	              (long long)res->rebuild.rows, (long long)(res->rebuild.micros / 1000));
	if (dry)
		(void)fprintf(out, "nothing was written (--dry-run)\n");
	else
		(void)fprintf(out, "audit entry %lld; %lld ms in all\n", (long long)res->audit_seq,
		              (long long)(res->micros / 1000));
}

int cmd_import_run(struct cli *cli, const char *name, const char *what, cmd_import_fn fn, int argc,
                   char **argv)
{
	static const struct option opts[] = {{"dry-run", no_argument, NULL, 'd'},
	                                     {"replace", no_argument, NULL, 'r'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {0}};
	struct import_opts opt = {.clk = clock_system()};
	bool json = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			opt.dry_run = true;
		else if (c == 'r')
			opt.replace = true;
		else if (c == 'j')
			json = true;
		else
			return cli_usage_error(cli, name, "unknown option '%s'", argv[optind - 1]);
	}
	if (optind >= argc)
		return cli_usage_error(cli, name, "name at least one FILE.csv");
	unsigned char key[AUDIT_KEY_BYTES];
	int rc;
	if (!opt.dry_run) {
		/* every import is audited: no key, no import */
		if ((rc = cli_audit_key(cli, key)) != CADRE_OK)
			return rc;
		opt.audit_key = key;
	}
	const char *url = cli_db_url(cli);
	struct store *db;
	if (!url || (rc = db_open(url, &db, &cli->err)) != CADRE_OK) {
		cli_key_wipe(key);
		return url ? rc : cli->err.status;
	}
	struct actor sys = actor_system("cli");
	struct import_result *res = xcalloc(1, sizeof *res);
	rc = fn(&sys, db, (const char *const *)(argv + optind), (size_t)(argc - optind), &opt, res,
	        &cli->err);
	db_close(db);
	if (rc == CADRE_OK) {
		if (json)
			rc = report_json(cli, name, res, opt.dry_run);
		else
			report_text(cli, what, res, opt.dry_run);
	} else if (import_problems_total(&res->problems)) {
		struct buf b;
		buf_init(&b, (size_t)1024 * 1024);
		if (import_problems_write(&res->problems, &b, &cli->err) == CADRE_OK)
			(void)fputs(buf_cstr(&b), cli->errout);
		buf_free(&b);
		long long n = (long long)import_problems_total(&res->problems);
		rc = cadre_err_set(&cli->err, CADRE_EINVAL,
		                   "rejected: %lld problem%s; nothing was %s", n, n == 1 ? "" : "s",
		                   opt.dry_run ? "imported" : "written");
	}
	free(res);
	cli_key_wipe(key);
	return rc;
}

/* COMMAND: import sickness
 * USAGE: cadre import sickness [--dry-run] [--replace] [--json] FILE.csv...
 * Import NHS Sickness Absence Rates CSV files exactly as published.
 * Each file is the monthly organisation-level CSV of NHS England's
 * publication (DATE, NHSE_REGION_CODE, ... SICKNESS_ABSENCE_RATE_PERCENT).
 * All the files load in one transaction, or none does: every rejected row
 * is reported as FILE:LINE:COLUMN: reason (the first 50, then "and N
 * more").  Rows whose rate contradicts their own days, dates not in
 * DD/MM/YYYY, unknown region codes, a different header or publication and
 * duplicated organisation-months are refused.  A month already loaded is
 * refused unless --replace, which replaces it in the same transaction.
 * --dry-run checks everything and writes nothing.  The import is recorded
 * once in the audit trail with each file's SHA-256.
 */
int cmd_import_sickness(struct cli *cli, int argc, char **argv)
{
	return cmd_import_run(cli, "import sickness", "NHS Sickness Absence Rates", sickness_import,
	                      argc, argv);
}
