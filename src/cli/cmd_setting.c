/* cadre setting set, cadre setting get, cadre setting list, cadre setting unset */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/date.h"
#include "cli/cli.h"
#include "cli/keys.h"
#include "cli_index.h"
#include "domain/actor.h"
#include "domain/db.h"
#include "domain/setting.h"

/* no options: refuse any, and expect exactly want arguments */
static int plain_args(struct cli *cli, const char *name, int argc, char **argv, int want,
                      const char *what)
{
	static const struct option opts[] = {{0}};
	optind = 0;
	opterr = 0;
	while (getopt_long(argc, argv, "", opts, NULL) != -1)
		return cli_usage_error(cli, name, "unknown option '%s'", argv[optind - 1]);
	if (argc - optind != want)
		return cli_usage_error(cli, name, "%s", what);
	return CADRE_OK;
}

/* open the database, with the audit key when the change is audited */
static int open_for_change(struct cli *cli, unsigned char key[AUDIT_KEY_BYTES], struct store **db)
{
	int rc = cli_audit_key(cli, key);
	if (rc == CADRE_OK)
		rc = cli_open_db(cli, db);
	return rc;
}

/* COMMAND: setting set
 * USAGE: cadre [--db DB] setting set KEY VALUE
 * Set a deployment-wide setting, recorded in the audit trail.
 * Settings live in the database, shared by every server.  KEY is
 * lower-case letters, digits, '.', '_' and '-'; VALUE is UTF-8 text of at
 * most 1024 bytes.  The change and its audit entry commit together; the
 * entry is signed with the audit key from the secrets file.  Setting the
 * value a key already has changes nothing.
 */
int cmd_setting_set(struct cli *cli, int argc, char **argv)
{
	int rc = plain_args(cli, "setting set", argc, argv, 2, "name a KEY and a VALUE");
	if (rc != CADRE_OK)
		return rc;
	unsigned char key[AUDIT_KEY_BYTES];
	struct store *db = NULL;
	struct actor actor = actor_system("cli");
	rc = open_for_change(cli, key, &db);
	if (rc == CADRE_OK)
		rc = setting_set(&actor, db, key, argv[optind], argv[optind + 1], clock_system(),
		                 &cli->err);
	db_close(db);
	cli_key_wipe(key);
	return rc;
}

/* COMMAND: setting unset
 * USAGE: cadre [--db DB] setting unset KEY
 * Remove a deployment-wide setting, recorded in the audit trail.
 */
int cmd_setting_unset(struct cli *cli, int argc, char **argv)
{
	int rc = plain_args(cli, "setting unset", argc, argv, 1, "name one KEY");
	if (rc != CADRE_OK)
		return rc;
	unsigned char key[AUDIT_KEY_BYTES];
	struct store *db = NULL;
	struct actor actor = actor_system("cli");
	rc = open_for_change(cli, key, &db);
	if (rc == CADRE_OK)
		rc = setting_unset(&actor, db, key, argv[optind], clock_system(), &cli->err);
	db_close(db);
	cli_key_wipe(key);
	return rc;
}

/* COMMAND: setting get
 * USAGE: cadre [--db DB] setting get KEY
 * Print a deployment-wide setting's value; exit 1 when it is not set.
 */
int cmd_setting_get(struct cli *cli, int argc, char **argv)
{
	int rc = plain_args(cli, "setting get", argc, argv, 1, "name one KEY");
	if (rc != CADRE_OK)
		return rc;
	struct store *db = NULL;
	struct actor actor = actor_system("cli");
	struct buf b;
	buf_init(&b, SETTING_VALUE_MAX + 1);
	rc = cli_open_db(cli, &db);
	if (rc == CADRE_OK)
		rc = setting_get(&actor, db, argv[optind], &b, &cli->err);
	if (rc == CADRE_OK)
		(void)fprintf(cli->out, "%s\n", buf_cstr(&b));
	db_close(db);
	buf_free(&b);
	return rc;
}

static int setting_line(const char *key, const char *value, int64_t updated_at_us, void *arg,
                        struct cadre_err *err)
{
	(void)err;
	struct cli *cli = arg;
	char when[DATE_TS_SIZE];
	date_ts_format(updated_at_us, when);
	(void)fprintf(cli->out, "%s\t%s\t%s\n", key, value, when);
	return CADRE_OK;
}

/* COMMAND: setting list
 * USAGE: cadre [--db DB] setting list
 * List the deployment-wide settings.
 * One line per setting, tab-separated: key, value, and when it last
 * changed (UTC).  `cadre audit log` shows who changed it.
 */
int cmd_setting_list(struct cli *cli, int argc, char **argv)
{
	int rc = plain_args(cli, "setting list", argc, argv, 0, "takes no arguments");
	if (rc != CADRE_OK)
		return rc;
	struct store *db = NULL;
	struct actor actor = actor_system("cli");
	rc = cli_open_db(cli, &db);
	if (rc == CADRE_OK)
		rc = setting_list(&actor, db, setting_line, cli, &cli->err);
	db_close(db);
	return rc;
}
