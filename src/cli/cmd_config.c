/* cadre config show */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "cli_index.h"
#include "io/config.h"

/* the value of --db, or NULL when main filled cli->db from CADRE_DB or its
 * default.  main.c does not record which it was, so this tells them apart:
 * a value from the environment is getenv's own pointer, and the default is
 * "cadre.db" with no CADRE_DB set (an explicit `--db cadre.db` then shows as
 * the default, with the same value). */
static const char *db_flag(const struct cli *cli)
{
	const char *env = getenv("CADRE_DB");
	if (!cli->db || (env && cli->db == env))
		return NULL;
	if (!env && strcmp(cli->db, "cadre.db") == 0)
		return NULL;
	return cli->db;
}

/* whether the person named the configuration file (--config or
 * CADRE_CONFIG), so that a missing one is an error; as with db_flag, an
 * explicit `--config cadre.ini` looks like the default. */
static bool config_explicit(const struct cli *cli)
{
	return getenv("CADRE_CONFIG") != NULL ||
	       (cli->config_path && strcmp(cli->config_path, "cadre.ini") != 0);
}

/* COMMAND: config show
 * USAGE: cadre config show [--json]
 * Print the effective configuration and where each value came from.
 * Each setting is printed as `name = value  (source)`, where the source is
 * `default`, `file cadre.ini:LINE`, `environment VARIABLE` or `flag --FLAG`;
 * a flag beats the environment, which beats the file, which beats the
 * default.  Secret keys are never printed: they show as ******** when the
 * secrets file sets them.  With --json, the same as one JSON object.
 * See docs/configuration.md for every setting.
 */
int cmd_config_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {0}};
	bool json = false;
	int ch;
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'j')
			json = true;
		else
			return cli_usage_error(cli, "config show", "unknown option '%s'",
			                       argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(cli, "config show", "unexpected argument '%s'",
		                       argv[optind]);
	struct config *c = config_new();
	struct buf out;
	buf_init(&out, 256 * 1024);
	int rc = CADRE_OK;
	const char *db = db_flag(cli);
	if (db)
		rc = config_set_flag(c, "database.url", db, &cli->err);
	if (!rc)
		rc = config_load(c, cli->config_path ? cli->config_path : "cadre.ini",
		                 config_explicit(cli), NULL, &cli->err);
	if (!rc)
		rc = config_write_show(c, &out, json, &cli->err);
	if (!rc)
		(void)fputs(buf_cstr(&out), cli->out);
	buf_free(&out);
	config_free(c);
	return rc;
}
