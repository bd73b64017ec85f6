/* cadre demo accounts */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base/clock.h"
#include "cli/cli.h"
#include "cli/keys.h"
#include "cli_index.h"
#include "domain/account.h"
#include "domain/actor.h"
#include "domain/db.h"
#include "domain/org.h"
#include "domain/policy.h"
#include "io/config.h"

#define DEMO_DOMAIN "demo.cadre.test"

/* the organisation a demo role's grant covers: England for the
 * deployment-wide roles, the trust's ICB for the ICS lead, else the trust */
static const char *demo_org(const char *role, const char *trust, const char *icb)
{
	if (strcmp(role, "administrator") == 0 || strcmp(role, "auditor") == 0)
		return ORG_ROOT_CODE;
	if (strcmp(role, "ics_lead") == 0)
		return icb;
	return trust;
}

/* demo_one: make or refresh the demo account for role. */
static int demo_one(struct cli *cli, struct store *db, const unsigned char *key,
                    const struct role_def *r, const char *org, const char *pw)
{
	struct actor sys = actor_system("cli");
	char email[ACCOUNT_EMAIL_MAX], name[ACCOUNT_NAME_MAX];
	(void)snprintf(email, sizeof email, "%s@" DEMO_DOMAIN, r->id);
	(void)snprintf(name, sizeof name, "%s (demo)", r->title);
	struct account a;
	struct cadre_err e;
	int rc = account_find_email(&sys, db, email, &a, &e);
	if (rc == CADRE_ENOTFOUND) {
		struct account_new n = {
		    .email = email, .name = name, .org_code = org, .password = pw, .role = r->id};
		return account_add(&sys, db, key, &n, clock_system(), NULL, &cli->err);
	}
	if (rc != CADRE_OK)
		return cadre_err_set(&cli->err, rc, "%s", e.msg);
	if ((rc = account_set_disabled(&sys, db, key, a.id, false, clock_system(), NULL,
	                               &cli->err)) != CADRE_OK ||
	    (rc = account_grant(&sys, db, key, a.id, r->id, org, clock_system(), NULL,
	                        &cli->err)) != CADRE_OK)
		return rc;
	return account_set_password(&sys, db, key, a.id, pw, clock_system(), &cli->err);
}

/* COMMAND: demo accounts
 * USAGE: cadre [--db DB] demo accounts [--org CODE] [--password-stdin]
 * Make one demo account per role, print how to sign in as each.
 * The accounts are ROLE@demo.cadre.test, named after their role.  The
 * administrator and the auditor hold their role over England, the ICS lead
 * over the ICB of the trust --org (default RXC), everyone else over that
 * trust.  Every run sets one new random password for all of them, printed
 * once (or the first line of standard input with --password-stdin), and
 * enables them again; an existing account keeps its other grants.  For
 * demonstrations only: never on a database with real people's data.
 */
int cmd_demo_accounts(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"org", required_argument, NULL, 'o'}, {"password-stdin", no_argument, NULL, 's'}, {0}};
	const char *trust = "RXC";
	bool from_stdin = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'o')
			trust = optarg;
		else if (c == 's')
			from_stdin = true;
		else
			return cli_usage_error(cli, "demo accounts", "unknown option '%s'",
			                       argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(cli, "demo accounts", "unexpected argument '%s'",
		                       argv[optind]);
	char pw[ACCOUNT_PASSWORD_MAX + 2];
	if (from_stdin) {
		if (!fgets(pw, (int)sizeof pw, stdin))
			return cadre_err_set(&cli->err, CADRE_EINVAL,
			                     "no password on standard input");
		pw[strcspn(pw, "\r\n")] = '\0';
	} else {
		account_password_generate(pw);
	}
	struct config *cfg = cli_config(cli);
	if (!cfg)
		return cli->err.status;
	enum account_cost cost;
	int rc = account_cost_parse(config_get_str(cfg, "session.password_cost"), &cost, &cli->err);
	if (rc != CADRE_OK)
		return rc;
	account_set_cost(cost);
	unsigned char key[AUDIT_KEY_BYTES];
	struct store *db = NULL;
	struct actor sys = actor_system("cli");
	struct org_view v;
	memset(&v, 0, sizeof v);
	char icb[ORG_CODE_MAX] = "";
	if ((rc = cli_audit_key(cli, key)) == CADRE_OK && (rc = cli_open_db(cli, &db)) == CADRE_OK)
		rc = org_show(&sys, db, trust, 0, &v, &cli->err);
	if (rc == CADRE_OK) {
		/* the trust's ICB: the first ICB up its chain */
		for (size_t i = 0; i < v.nchain && !icb[0]; i++)
			if (strcmp(v.chain[i].node.kind, "icb") == 0)
				(void)snprintf(icb, sizeof icb, "%s", v.chain[i].node.code);
		if (!icb[0])
			(void)snprintf(icb, sizeof icb, "%s", trust);
	}
	size_t n;
	const struct role_def *roles = role_defs(&n);
	for (size_t i = 0; rc == CADRE_OK && i < n; i++)
		rc = demo_one(cli, db, key, &roles[i], demo_org(roles[i].id, trust, icb), pw);
	if (rc == CADRE_OK) {
		(void)fprintf(cli->out,
		              "Demo accounts, one per role (for demonstrations only).\n"
		              "Password for each, this run only: %s\n\n",
		              pw);
		(void)fprintf(cli->out, "  %-44s  %-40s  %s\n", "Role", "Sign in as", "Over");
		for (size_t i = 0; i < n; i++) {
			char email[ACCOUNT_EMAIL_MAX];
			(void)snprintf(email, sizeof email, "%s@" DEMO_DOMAIN, roles[i].id);
			(void)fprintf(cli->out, "  %-44s  %-40s  %s\n", roles[i].title, email,
			              demo_org(roles[i].id, trust, icb));
		}
		(void)fputc('\n', cli->out);
		(void)fflush(cli->out);
	}
	sodium_memzero(pw, sizeof pw);
	org_view_free(&v);
	db_close(db);
	cli_key_wipe(key);
	return rc;
}
