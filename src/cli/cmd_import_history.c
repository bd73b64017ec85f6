/* cadre import history */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/mem.h"
#include "cli/cli.h"
#include "cli/keys.h"
#include "cli_index.h"
#include "domain/db.h"
#include "domain/history.h"

static json_t *result_json(const struct history_result *r)
{
	char a[DATE_MONTH_SIZE] = "", b[DATE_MONTH_SIZE] = "";
	if (r->first_month) {
		date_month_format(r->first_month, a);
		date_month_format(r->last_month, b);
	}
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:I, s:I}", "kind",
	                 history_kind_name(r->kind), "rows", (json_int_t)r->rows, "rows_skipped",
	                 (json_int_t)r->rows_skipped, "rows_replaced", (json_int_t)r->rows_replaced,
	                 "orgs", (json_int_t)r->orgs, "first_month", a, "last_month", b, "sha256",
	                 r->sha256, "audit_seq", (json_int_t)r->audit_seq, "ms",
	                 (json_int_t)(r->micros / 1000));
}

static void result_text(struct cli *cli, const struct history_result *r, bool dry)
{
	char a[DATE_MONTH_SIZE] = "", b[DATE_MONTH_SIZE] = "";
	if (r->first_month) {
		date_month_format(r->first_month, a);
		date_month_format(r->last_month, b);
	}
	(void)fprintf(cli->out, "%s %s: %lld rows for %lld organisation%s, %s to %s; %lld replaced",
	              dry ? "checked" : "imported", history_file_name(r->kind), (long long)r->rows,
	              (long long)r->orgs, r->orgs == 1 ? "" : "s", a, b,
	              (long long)r->rows_replaced);
	if (r->kind == HISTORY_SICKNESS)
		(void)fprintf(cli->out, ", %lld skipped (a published figure held the month)",
		              (long long)r->rows_skipped);
	(void)fputc('\n', cli->out);
}

/* COMMAND: import history
 * USAGE: cadre import history [--synthetic] [--dry-run] [--json] DIR|FILE.csv
 * Import monthly history files (docs/formats.md section E).
 * A FILE is one of sickness-absence.csv (organisation sickness absence in
 * the publication's columns, lower-case, ISO dates), sickness-absence-wards.csv,
 * vacancies.csv or temporary-staffing-history.csv, its kind told by its
 * header; a DIR imports each of the four it holds, in that order.  Each
 * file is one import: all of it in one transaction or nothing, every
 * rejected row reported as FILE:LINE:COLUMN: reason.  Organisation sickness
 * goes beside the published figures, which always win: a month a published
 * file already holds for an organisation is skipped.  --synthetic marks the
 * figures as generated (the demo), so pages say so.  --dry-run checks
 * everything and writes nothing.
 */
int cmd_import_history(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"dry-run", no_argument, NULL, 'd'},
	                                     {"synthetic", no_argument, NULL, 's'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {0}};
	struct history_opts opt = {.clk = clock_system()};
	bool json = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			opt.dry_run = true;
		else if (c == 's')
			opt.synthetic = true;
		else if (c == 'j')
			json = true;
		else
			return cli_usage_error(cli, "import history", "unknown option '%s'",
			                       argv[optind - 1]);
	}
	if (optind + 1 != argc)
		return cli_usage_error(cli, "import history", "name one DIR or FILE.csv");
	const char *path = argv[optind];
	struct stat sb;
	if (stat(path, &sb) != 0)
		return cadre_err_set(&cli->err, CADRE_ENOTFOUND, "%s: no such file or folder",
		                     path);
	bool is_dir = S_ISDIR(sb.st_mode);
	unsigned char key[AUDIT_KEY_BYTES];
	memset(key, 0, sizeof key);
	int rc;
	if (!opt.dry_run) {
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
	struct history_result *res = xcalloc(HISTORY_KINDS, sizeof *res);
	bool present[HISTORY_KINDS] = {false};
	if (is_dir) {
		rc = history_import_dir(&sys, db, path, &opt, res, present, &cli->err);
	} else {
		rc = history_import(&sys, db, path, &opt, &res[0], &cli->err);
		present[0] = true;
	}
	db_close(db);
	const struct history_result *failed = NULL;
	for (int k = 0; k < HISTORY_KINDS; k++)
		if (present[k] && import_problems_total(&res[k].problems))
			failed = &res[k];
	if (rc == CADRE_OK && json) {
		json_t *arr = json_array();
		for (int k = 0; k < HISTORY_KINDS; k++)
			if (present[k])
				json_array_append_new(arr, result_json(&res[k]));
		json_t *o = json_pack("{s:s, s:b, s:b, s:o}", "import", "history", "dry_run",
		                      opt.dry_run, "synthetic", opt.synthetic, "files", arr);
		char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(o);
		if (text)
			(void)fprintf(cli->out, "%s\n", text);
		else
			rc = cadre_err_set(&cli->err, CADRE_EINTERNAL, "JSON output failed");
		free(text);
	} else if (rc == CADRE_OK) {
		for (int k = 0; k < HISTORY_KINDS; k++)
			if (present[k])
				result_text(cli, &res[k], opt.dry_run);
		if (opt.dry_run)
			(void)fprintf(cli->out, "nothing was written (--dry-run)\n");
	} else if (failed) {
		struct buf b;
		buf_init(&b, (size_t)1024 * 1024);
		if (import_problems_write(&failed->problems, &b, &cli->err) == CADRE_OK)
			(void)fputs(buf_cstr(&b), cli->errout);
		buf_free(&b);
		long long n = (long long)import_problems_total(&failed->problems);
		rc = cadre_err_set(&cli->err, CADRE_EINVAL,
		                   "rejected: %lld problem%s; nothing of that file was written", n,
		                   n == 1 ? "" : "s");
	}
	free(res);
	cli_key_wipe(key);
	return rc;
}
