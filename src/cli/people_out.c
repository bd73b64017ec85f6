/* people_out: shared output and keys of the people-area commands. */
#include "cli/people_out.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <getopt.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/mem.h"
#include "cli/keys.h"
#include "domain/db.h"
#include "io/config.h"

int people_pseudonym_key(struct cli *cli, unsigned char key[AUDIT_KEY_BYTES])
{
	struct config *c = cli_config(cli);
	if (!c)
		return cli->err.status;
	int rc = config_require_secrets(c, &cli->err);
	if (rc != CADRE_OK)
		return rc;
	const unsigned char *k = config_get_key(c, "secrets.pseudonym_key");
	if (!k)
		return cadre_err_set(&cli->err, CADRE_ENOTFOUND,
		                     "the secrets file does not set secrets.pseudonym_key");
	memcpy(key, k, AUDIT_KEY_BYTES);
	return CADRE_OK;
}

int people_rejected(struct cli *cli, const struct import_problems *p, bool dry, int rc)
{
	if (!import_problems_total(p))
		return rc;
	struct buf b;
	buf_init(&b, (size_t)1024 * 1024);
	if (import_problems_write(p, &b, &cli->err) == CADRE_OK)
		(void)fputs(buf_cstr(&b), cli->errout);
	buf_free(&b);
	long long n = (long long)import_problems_total(p);
	return cadre_err_set(&cli->err, CADRE_EINVAL, "rejected: %lld problem%s; nothing was %s", n,
	                     n == 1 ? "" : "s", dry ? "imported" : "written");
}

int people_print_json(struct cli *cli, json_t *o)
{
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(o);
	if (!text)
		return cadre_err_set(&cli->err, CADRE_EINTERNAL, "JSON output failed");
	(void)fprintf(cli->out, "%s\n", text);
	free(text);
	return CADRE_OK;
}

const char *people_num(double x, int places, char *out, size_t n)
{
	char raw[64];
	(void)snprintf(raw, sizeof raw, "%.*f", places, x);
	if (strcmp(raw, "-0") == 0 || strncmp(raw, "-0.", 3) == 0) {
		bool zero = true;
		for (const char *p = raw + 1; *p; p++)
			if (*p >= '1' && *p <= '9')
				zero = false;
		if (zero)
			memmove(raw, raw + 1, strlen(raw));
	}
	const char *dot = strchr(raw, '.');
	size_t len = strlen(raw);
	size_t intlen = dot ? (size_t)(dot - raw) : len;
	size_t lead = raw[0] == '-' ? 1 : 0;
	size_t o = 0;
	for (size_t i = 0; i < len && o + 2 < n; i++) {
		if (i > lead && i < intlen && (intlen - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = raw[i];
	}
	out[o] = '\0';
	return out;
}

const char *people_money(int64_t pence, char *out, size_t n)
{
	char num[64];
	int64_t a = pence < 0 ? -pence : pence;
	char raw[48];
	(void)snprintf(raw, sizeof raw, "%" PRId64, a / 100);
	size_t len = strlen(raw), o = 0;
	for (size_t i = 0; i < len && o + 2 < sizeof num; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			num[o++] = ',';
		num[o++] = raw[i];
	}
	num[o] = '\0';
	(void)snprintf(out, n, "%s£%s.%02d", pence < 0 ? "-" : "", num, (int)(a % 100));
	return out;
}

int people_ledger_report(struct cli *cli, const char *name, const struct ledger_result *r, bool dry,
                         bool json)
{
	char a[DATE_MONTH_SIZE] = "", b[DATE_MONTH_SIZE] = "";
	if (r->first_month) {
		date_month_format(r->first_month, a);
		date_month_format(r->last_month, b);
	}
	if (json)
		return people_print_json(
		    cli, json_pack("{s:s, s:b, s:I, s:I, s:s, s:s, s:I, s:I, s:s, s:I, s:I, s:I}",
		                   "import", name, "dry_run", dry, "rows", (json_int_t)r->rows,
		                   "organisations", (json_int_t)r->orgs, "first_month", a,
		                   "last_month", b, "rows_replaced", (json_int_t)r->rows_replaced,
		                   "stats_rows", (json_int_t)r->stats.rows, "sha256", r->sha256,
		                   "import_id", (json_int_t)r->import_id, "audit_seq",
		                   (json_int_t)r->audit_seq, "ms", (json_int_t)(r->micros / 1000)));
	FILE *out = cli->out;
	(void)fprintf(out, "%s %lld %s rows of %lld organisation%s, %s to %s\n",
	              dry ? "dry run: checked" : "imported", (long long)r->rows, name,
	              (long long)r->orgs, r->orgs == 1 ? "" : "s", a, b);
	(void)fprintf(
	    out, "rows replaced (same organisations and months): %lld; per-node sums: %lld rows\n",
	    (long long)r->rows_replaced, (long long)r->stats.rows);
	if (dry)
		(void)fprintf(out, "nothing was written (--dry-run)\n");
	else
		(void)fprintf(out, "import %lld, audit entry %lld; %lld ms in all\n",
		              (long long)r->import_id, (long long)r->audit_seq,
		              (long long)(r->micros / 1000));
	return CADRE_OK;
}

int people_ledger_command(struct cli *cli, const char *name, people_ledger_fn fn, int argc,
                          char **argv)
{
	static const struct option opts[] = {
	    {"dry-run", no_argument, NULL, 'd'}, {"json", no_argument, NULL, 'j'}, {0}};
	char cmd[64];
	(void)snprintf(cmd, sizeof cmd, "import %s", name);
	struct ledger_opts opt = {.clk = clock_system()};
	bool json = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			opt.dry_run = true;
		else if (c == 'j')
			json = true;
		else
			return cli_usage_error(cli, cmd, "unknown option '%s'", argv[optind - 1]);
	}
	if (optind + 1 != argc)
		return cli_usage_error(cli, cmd, "name one FILE.csv");
	unsigned char key[AUDIT_KEY_BYTES];
	memset(key, 0, sizeof key);
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
	struct ledger_result *res = xcalloc(1, sizeof *res);
	rc = fn(&sys, db, argv[optind], &opt, res, &cli->err);
	db_close(db);
	if (rc == CADRE_OK)
		rc = people_ledger_report(cli, name, res, opt.dry_run, json);
	else
		rc = people_rejected(cli, &res->problems, opt.dry_run, rc);
	free(res);
	cli_key_wipe(key);
	return rc;
}
