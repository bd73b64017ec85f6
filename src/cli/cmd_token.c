/* cadre token issue, revoke, list */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/num.h"
#include "cli/cli.h"
#include "cli/keys.h"
#include "cli_index.h"
#include "domain/account.h"
#include "domain/actor.h"
#include "domain/db.h"
#include "domain/token.h"

/* COMMAND: token issue
 * USAGE: cadre [--db DB] token issue --email E --label TEXT
 * Issue an API bearer token for an account; print it once.
 * The client sends it as "Authorization: Bearer TOKEN" and acts as that
 * account, with its grants.  Only a hash of the token is kept, so it
 * cannot be shown again: store it in the client's secret store now.
 * Recorded in the audit trail.
 */
int cmd_token_issue(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"email", required_argument, NULL, 'e'}, {"label", required_argument, NULL, 'l'}, {0}};
	const char *email = NULL, *label = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'e')
			email = optarg;
		else if (c == 'l')
			label = optarg;
		else
			return cli_usage_error(cli, "token issue", "unknown option '%s'",
			                       argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(cli, "token issue", "unexpected argument '%s'",
		                       argv[optind]);
	if (!email || !label)
		return cli_usage_error(cli, "token issue", "--email and --label are required");
	unsigned char key[AUDIT_KEY_BYTES];
	struct store *db = NULL;
	struct actor sys = actor_system("cli");
	struct account a;
	char secret[TOKEN_TEXT];
	int64_t id = 0;
	int rc = cli_audit_key(cli, key);
	if (rc == CADRE_OK)
		rc = cli_open_db(cli, &db);
	if (rc == CADRE_OK)
		rc = account_find_email(&sys, db, email, &a, &cli->err);
	if (rc == CADRE_OK)
		rc =
		    token_issue(&sys, db, key, a.id, label, clock_system(), secret, &id, &cli->err);
	if (rc == CADRE_OK) {
		(void)fprintf(cli->out, "token %" PRId64 " for %s (%s):\n%s\n", id, a.email, label,
		              secret);
		sodium_memzero(secret, sizeof secret);
	}
	db_close(db);
	cli_key_wipe(key);
	return rc;
}

/* COMMAND: token revoke
 * USAGE: cadre [--db DB] token revoke ID
 * Revoke API token ID (from `cadre token list`) at once.
 * Revoking a revoked token changes nothing.  Recorded in the audit trail.
 */
int cmd_token_revoke(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{0}};
	optind = 0;
	opterr = 0;
	if (getopt_long(argc, argv, "", opts, NULL) != -1)
		return cli_usage_error(cli, "token revoke", "unknown option '%s'",
		                       argv[optind - 1]);
	if (argc - optind != 1)
		return cli_usage_error(cli, "token revoke", "name one token ID");
	int64_t id;
	struct cadre_err e;
	if (num_parse_i64_range(argv[optind], strlen(argv[optind]), 1, INT64_MAX, &id, &e) !=
	    CADRE_OK)
		return cli_usage_error(cli, "token revoke", "ID: %s", e.msg);
	unsigned char key[AUDIT_KEY_BYTES];
	struct store *db = NULL;
	struct actor sys = actor_system("cli");
	int rc = cli_audit_key(cli, key);
	if (rc == CADRE_OK)
		rc = cli_open_db(cli, &db);
	if (rc == CADRE_OK)
		rc = token_revoke(&sys, db, key, id, clock_system(), &cli->err);
	if (rc == CADRE_OK)
		(void)fprintf(cli->out, "token %" PRId64 " revoked\n", id);
	db_close(db);
	cli_key_wipe(key);
	return rc;
}

static int token_line(const struct token_info *t, void *arg, struct cadre_err *err)
{
	(void)err;
	struct cli *cli = arg;
	char created[DATE_TS_SIZE], used[DATE_TS_SIZE] = "never", revoked[DATE_TS_SIZE] = "active";
	date_ts_format(t->created_at, created);
	if (t->last_used_at)
		date_ts_format(t->last_used_at, used);
	if (t->revoked_at)
		date_ts_format(t->revoked_at, revoked);
	(void)fprintf(cli->out, "%" PRId64 "\t%s...\t%s\t%s\t%s\t%s\t%s\n", t->id, t->prefix,
	              t->email, t->label, created, used, revoked);
	return CADRE_OK;
}

/* COMMAND: token list
 * USAGE: cadre [--db DB] token list
 * List the API tokens, newest first.
 * Tab-separated: id, the token's first characters, the account's email,
 * the label, when issued, when last used ("never") and when revoked
 * ("active"), times in UTC.
 */
int cmd_token_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{0}};
	optind = 0;
	opterr = 0;
	if (getopt_long(argc, argv, "", opts, NULL) != -1)
		return cli_usage_error(cli, "token list", "unknown option '%s'", argv[optind - 1]);
	if (optind < argc)
		return cli_usage_error(cli, "token list", "unexpected argument '%s'", argv[optind]);
	struct store *db = NULL;
	struct actor sys = actor_system("cli");
	int rc = cli_open_db(cli, &db);
	if (rc == CADRE_OK)
		rc = token_list(&sys, db, token_line, cli, &cli->err);
	db_close(db);
	return rc;
}
