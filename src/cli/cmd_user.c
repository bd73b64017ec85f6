/* cadre user add, grant, revoke, disable, enable, password, list */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/clock.h"
#include "cli/cli.h"
#include "cli/keys.h"
#include "cli_index.h"
#include "domain/account.h"
#include "domain/actor.h"
#include "domain/db.h"
#include "domain/policy.h"
#include "io/config.h"

struct user_opts {
	const char *email;
	const char *role;
	const char *org;
	const char *name;
	bool password_stdin;
};

/* parse: the options a user command takes; `want` lists which ("erons"
 * for email, role, org, name, password-stdin). */
static int parse(struct cli *cli, const char *cmd, const char *want, int argc, char **argv,
                 struct user_opts *o)
{
	static const struct option opts[] = {
	    {"email", required_argument, NULL, 'e'},    {"role", required_argument, NULL, 'r'},
	    {"org", required_argument, NULL, 'o'},      {"name", required_argument, NULL, 'n'},
	    {"password-stdin", no_argument, NULL, 's'}, {0}};
	memset(o, 0, sizeof *o);
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == '?' || !strchr(want, c))
			return cli_usage_error(cli, cmd, "unknown option '%s'", argv[optind - 1]);
		switch (c) {
		case 'e': o->email = optarg; break;
		case 'r': o->role = optarg; break;
		case 'o': o->org = optarg; break;
		case 'n': o->name = optarg; break;
		default: o->password_stdin = true; break;
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, cmd, "unexpected argument '%s'", argv[optind]);
	if (strchr(want, 'e') && !o->email)
		return cli_usage_error(cli, cmd, "--email is required");
	if (strchr(want, 'r') && !o->role)
		return cli_usage_error(cli, cmd, "--role is required");
	if (strchr(want, 'o') && !o->org)
		return cli_usage_error(cli, cmd, "--org is required");
	return CADRE_OK;
}

/* prepare: the audit key, the database and the password cost. */
static int prepare(struct cli *cli, unsigned char key[AUDIT_KEY_BYTES], struct store **db)
{
	*db = NULL;
	struct config *cfg = cli_config(cli);
	if (!cfg)
		return cli->err.status;
	enum account_cost cost;
	int rc = account_cost_parse(config_get_str(cfg, "session.password_cost"), &cost, &cli->err);
	if (rc != CADRE_OK)
		return rc;
	account_set_cost(cost);
	if ((rc = cli_audit_key(cli, key)) != CADRE_OK)
		return rc;
	return cli_open_db(cli, db);
}

/* read_password: one line from standard input, without its line end. */
static int read_password(struct cli *cli, char *pw, size_t cap)
{
	if (!fgets(pw, (int)cap, stdin))
		return cadre_err_set(&cli->err, CADRE_EINVAL, "no password on standard input");
	size_t n = strlen(pw);
	if (n > 0 && pw[n - 1] != '\n' && !feof(stdin))
		return cadre_err_set(&cli->err, CADRE_EINVAL,
		                     "the password is longer than %d bytes", ACCOUNT_PASSWORD_MAX);
	while (n > 0 && (pw[n - 1] == '\n' || pw[n - 1] == '\r'))
		pw[--n] = '\0';
	return CADRE_OK;
}

static const char *role_title(const char *id)
{
	const struct role_def *r = role_find(id);
	return r ? r->title : id;
}

/* COMMAND: user add
 * USAGE: cadre [--db DB] user add --email E --role R --org CODE [--name N] [--password-stdin]
 * Add an account holding role R over organisation CODE (and its subtree).
 * The email address is the sign-in name.  --name is the name pages show
 * (default: the part of the email before '@').  With --password-stdin the
 * password is read from the first line of standard input (at least 12
 * characters); otherwise a random one is made and printed once.  Roles:
 * `cadre user roles`.  The account and its grant are recorded in the audit
 * trail.
 */
int cmd_user_add(struct cli *cli, int argc, char **argv)
{
	struct user_opts o;
	int rc = parse(cli, "user add", "erons", argc, argv, &o);
	if (rc != CADRE_OK)
		return rc;
	char name[ACCOUNT_NAME_MAX];
	if (o.name) {
		(void)snprintf(name, sizeof name, "%s", o.name);
	} else {
		const char *at = strchr(o.email, '@');
		(void)snprintf(name, sizeof name, "%.*s",
		               (int)(at ? (size_t)(at - o.email) : strlen(o.email)), o.email);
	}
	char pw[ACCOUNT_PASSWORD_MAX + 2];
	bool generated = !o.password_stdin;
	if (generated)
		account_password_generate(pw);
	else if ((rc = read_password(cli, pw, sizeof pw)) != CADRE_OK)
		return rc;
	unsigned char key[AUDIT_KEY_BYTES];
	struct store *db;
	struct actor sys = actor_system("cli");
	int64_t id = 0;
	rc = prepare(cli, key, &db);
	if (rc == CADRE_OK) {
		struct account_new n = {.email = o.email,
		                        .name = name,
		                        .org_code = o.org,
		                        .password = pw,
		                        .role = o.role};
		rc = account_add(&sys, db, key, &n, clock_system(), &id, &cli->err);
	}
	if (rc == CADRE_OK) {
		(void)fprintf(cli->out, "account %" PRId64 " added: %s, %s over %s\n", id, o.email,
		              role_title(o.role), o.org);
		if (generated)
			(void)fprintf(cli->out, "password: %s  (shown once)\n", pw);
	}
	sodium_memzero(pw, sizeof pw);
	db_close(db);
	cli_key_wipe(key);
	return rc;
}

/* one_account: the account named by --email, for the commands below. */
static int one_account(struct cli *cli, struct store *db, const char *email, struct account *a)
{
	struct actor sys = actor_system("cli");
	return account_find_email(&sys, db, email, a, &cli->err);
}

static int grant_or_revoke(struct cli *cli, int argc, char **argv, bool grant)
{
	const char *cmd = grant ? "user grant" : "user revoke";
	struct user_opts o;
	int rc = parse(cli, cmd, "ero", argc, argv, &o);
	if (rc != CADRE_OK)
		return rc;
	unsigned char key[AUDIT_KEY_BYTES];
	struct store *db;
	struct account a;
	struct actor sys = actor_system("cli");
	bool changed = false;
	rc = prepare(cli, key, &db);
	if (rc == CADRE_OK)
		rc = one_account(cli, db, o.email, &a);
	if (rc == CADRE_OK)
		rc = grant ? account_grant(&sys, db, key, a.id, o.role, o.org, clock_system(),
		                           &changed, &cli->err)
		           : account_revoke(&sys, db, key, a.id, o.role, o.org, clock_system(),
		                            &changed, &cli->err);
	if (rc == CADRE_OK)
		(void)fprintf(cli->out, "%s: %s %s over %s%s\n", a.email,
		              grant ? "granted" : "revoked", role_title(o.role), o.org,
		              changed ? ""
		              : grant ? " (already held)"
		                      : " (was not held)");
	db_close(db);
	cli_key_wipe(key);
	return rc;
}

/* COMMAND: user grant
 * USAGE: cadre [--db DB] user grant --email E --role R --org CODE
 * Give an account role R over organisation CODE and everything below it.
 * Holding it already changes nothing.  Recorded in the audit trail; the
 * account's sessions get a new id on their next request.
 */
int cmd_user_grant(struct cli *cli, int argc, char **argv)
{
	return grant_or_revoke(cli, argc, argv, true);
}

/* COMMAND: user revoke
 * USAGE: cadre [--db DB] user revoke --email E --role R --org CODE
 * Take role R over organisation CODE from an account.
 * Not holding it changes nothing.  Recorded in the audit trail.
 */
int cmd_user_revoke(struct cli *cli, int argc, char **argv)
{
	return grant_or_revoke(cli, argc, argv, false);
}

static int set_disabled(struct cli *cli, int argc, char **argv, bool disabled)
{
	const char *cmd = disabled ? "user disable" : "user enable";
	struct user_opts o;
	int rc = parse(cli, cmd, "e", argc, argv, &o);
	if (rc != CADRE_OK)
		return rc;
	unsigned char key[AUDIT_KEY_BYTES];
	struct store *db;
	struct account a;
	struct actor sys = actor_system("cli");
	bool changed = false;
	rc = prepare(cli, key, &db);
	if (rc == CADRE_OK)
		rc = one_account(cli, db, o.email, &a);
	if (rc == CADRE_OK)
		rc = account_set_disabled(&sys, db, key, a.id, disabled, clock_system(), &changed,
		                          &cli->err);
	if (rc == CADRE_OK)
		(void)fprintf(cli->out, "%s: %s%s\n", a.email, disabled ? "disabled" : "enabled",
		              changed ? "" : " (already)");
	db_close(db);
	cli_key_wipe(key);
	return rc;
}

/* COMMAND: user disable
 * USAGE: cadre [--db DB] user disable --email E
 * Disable an account: it cannot sign in, and its sessions and API tokens
 * stop working at once.  Recorded in the audit trail.
 */
int cmd_user_disable(struct cli *cli, int argc, char **argv)
{
	return set_disabled(cli, argc, argv, true);
}

/* COMMAND: user enable
 * USAGE: cadre [--db DB] user enable --email E
 * Enable a disabled account again.  Recorded in the audit trail.
 */
int cmd_user_enable(struct cli *cli, int argc, char **argv)
{
	return set_disabled(cli, argc, argv, false);
}

/* COMMAND: user password
 * USAGE: cadre [--db DB] user password --email E [--password-stdin]
 * Set an account's password, ending its sessions.
 * With --password-stdin the password is the first line of standard input
 * (at least 12 characters); otherwise a random one is made and printed
 * once.  Recorded in the audit trail (who and when, never the password).
 */
int cmd_user_password(struct cli *cli, int argc, char **argv)
{
	struct user_opts o;
	int rc = parse(cli, "user password", "es", argc, argv, &o);
	if (rc != CADRE_OK)
		return rc;
	char pw[ACCOUNT_PASSWORD_MAX + 2];
	if (!o.password_stdin)
		account_password_generate(pw);
	else if ((rc = read_password(cli, pw, sizeof pw)) != CADRE_OK)
		return rc;
	unsigned char key[AUDIT_KEY_BYTES];
	struct store *db;
	struct account a;
	struct actor sys = actor_system("cli");
	rc = prepare(cli, key, &db);
	if (rc == CADRE_OK)
		rc = one_account(cli, db, o.email, &a);
	if (rc == CADRE_OK)
		rc = account_set_password(&sys, db, key, a.id, pw, clock_system(), &cli->err);
	if (rc == CADRE_OK) {
		(void)fprintf(cli->out, "%s: password set\n", a.email);
		if (!o.password_stdin)
			(void)fprintf(cli->out, "password: %s  (shown once)\n", pw);
	}
	sodium_memzero(pw, sizeof pw);
	db_close(db);
	cli_key_wipe(key);
	return rc;
}

struct list_ctx {
	struct cli *cli;
	struct store *db;
};

static int list_line(const struct account *a, void *arg, struct cadre_err *err)
{
	struct list_ctx *l = arg;
	struct actor sys = actor_system("cli");
	struct account_grant_info *g = NULL;
	size_t n = 0;
	int rc = account_grants(&sys, l->db, a->id, &g, &n, err);
	if (rc != CADRE_OK)
		return rc;
	(void)fprintf(l->cli->out, "%" PRId64 "\t%s\t%s\t%s\t%s\t", a->id, a->email, a->name,
	              a->org_code, a->disabled ? "disabled" : "active");
	for (size_t i = 0; i < n; i++)
		(void)fprintf(l->cli->out, "%s%s@%s", i ? "," : "", g[i].role, g[i].org_code);
	(void)fputc('\n', l->cli->out);
	free(g);
	return CADRE_OK;
}

/* COMMAND: user list
 * USAGE: cadre [--db DB] user list
 * List the accounts, one a line, by email.
 * Tab-separated: id, email, name, organisation code, active or disabled,
 * and the grants as role@CODE, comma-separated.
 */
int cmd_user_list(struct cli *cli, int argc, char **argv)
{
	struct user_opts o;
	int rc = parse(cli, "user list", "", argc, argv, &o);
	if (rc != CADRE_OK)
		return rc;
	struct list_ctx l = {.cli = cli};
	struct actor sys = actor_system("cli");
	rc = cli_open_db(cli, &l.db);
	if (rc == CADRE_OK)
		rc = account_list(&sys, l.db, list_line, &l, &cli->err);
	db_close(l.db);
	return rc;
}

/* COMMAND: user roles
 * USAGE: cadre user roles
 * List the roles an account may be granted, with what each is for.
 * docs/access-policy.csv says exactly which permissions each holds.
 */
int cmd_user_roles(struct cli *cli, int argc, char **argv)
{
	struct user_opts o;
	int rc = parse(cli, "user roles", "", argc, argv, &o);
	if (rc != CADRE_OK)
		return rc;
	size_t n;
	const struct role_def *r = role_defs(&n);
	for (size_t i = 0; i < n; i++)
		(void)fprintf(cli->out, "%-26s %s: %s\n", r[i].id, r[i].title, r[i].summary);
	return CADRE_OK;
}
