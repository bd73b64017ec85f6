/* dispatch: find the command named by the leading words of argv and run it. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/db.h"
#include "io/config.h"

/* how many of argv's words (from index 0) match name, or 0 when it does not
 * match whole. */
static int match_words(const char *name, int argc, char **argv)
{
	int used = 0;
	const char *p = name;
	while (*p) {
		if (used >= argc)
			return 0;
		size_t len = strcspn(p, " ");
		if (strlen(argv[used]) != len || strncmp(argv[used], p, len) != 0)
			return 0;
		used++;
		p += len;
		while (*p == ' ')
			p++;
	}
	return used;
}

static const struct cli_command *find_command(int argc, char **argv, int *used)
{
	const struct cli_command *best = NULL;
	*used = 0;
	for (size_t i = 0; i < cli_command_count; i++) {
		int n = match_words(cli_commands[i].name, argc, argv);
		if (n > *used) {
			*used = n;
			best = &cli_commands[i];
		}
	}
	return best;
}

struct config *cli_config(struct cli *cli)
{
	if (cli->config)
		return cli->config;
	struct config *c = config_new();
	const char *path = cli->config_path;
	bool explicit_path = path != NULL;
	if (!path) {
		path = getenv("CADRE_CONFIG");
		explicit_path = path != NULL;
	}
	if (!path)
		path = "cadre.ini";
	int rc = CADRE_OK;
	if (cli->db)
		rc = config_set_flag(c, "database.url", cli->db, &cli->err);
	if (!rc)
		rc = config_load(c, path, explicit_path, NULL, &cli->err);
	if (rc) {
		config_free(c);
		return NULL;
	}
	cli->config = c;
	return c;
}

const char *cli_db_url(struct cli *cli)
{
	struct config *c = cli_config(cli);
	return c ? config_get_str(c, "database.url") : NULL;
}

int cli_open_db(struct cli *cli, struct store **db)
{
	const char *url = cli_db_url(cli);
	if (!url)
		return cli->err.status;
	return db_open(url, db, &cli->err);
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

int cli_usage_error(struct cli *cli, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	(void)fprintf(cli->errout, "cadre %s: ", name);
	(void)vfprintf(cli->errout, fmt, ap);
	(void)fputc('\n', cli->errout);
	va_end(ap);
	for (size_t i = 0; i < cli_command_count; i++)
		if (strcmp(cli_commands[i].name, name) == 0)
			(void)fprintf(cli->errout, "usage: %s\n", cli_commands[i].usage);
	return CADRE_EUSAGE;
}

/* list the commands whose names start with the given words, for `cadre
 * config` with no sub-command. */
static int list_group(struct cli *cli, int argc, char **argv)
{
	int shown = 0;
	for (size_t i = 0; i < cli_command_count; i++) {
		const char *name = cli_commands[i].name;
		size_t len = strlen(argv[0]);
		if (strncmp(name, argv[0], len) == 0 && name[len] == ' ') {
			if (!shown)
				(void)fprintf(cli->errout, "cadre %s: name a sub-command:\n",
				              argv[0]);
			(void)fprintf(cli->errout, "  %-28s %s\n", name, cli_commands[i].summary);
			shown++;
		}
	}
	(void)argc;
	return shown ? CADRE_EUSAGE : 0;
}

int cli_run(struct cli *cli, int argc, char **argv)
{
	int used;
	if (argc < 2) {
		(void)fprintf(cli->errout, "usage: cadre [--db DB] [--config FILE] COMMAND [ARGS]\n"
		                           "Run `cadre help` for the commands.\n");
		return cadre_exit_code(CADRE_EUSAGE);
	}
	const struct cli_command *cmd = find_command(argc - 1, argv + 1, &used);
	if (!cmd) {
		if (list_group(cli, argc - 1, argv + 1) == CADRE_EUSAGE)
			return cadre_exit_code(CADRE_EUSAGE);
		(void)fprintf(cli->errout,
		              "cadre: unknown command '%s'. Run `cadre help` for the commands.\n",
		              argv[1]);
		return cadre_exit_code(CADRE_EUSAGE);
	}
	/* The handler sees argv[0] as the command's name and its own arguments
	 * after it, as getopt expects. */
	int sub_argc = argc - used;
	char **sub_argv = argv + used;
	if (cli_wants_help(sub_argc, sub_argv)) {
		(void)fprintf(cli->out, "usage: %s\n\n%s\n", cmd->usage, cmd->help);
		return 0;
	}
	cadre_err_clear(&cli->err);
	int rc = cmd->fn(cli, sub_argc, sub_argv);
	config_free(cli->config);
	cli->config = NULL;
	if (rc < 0 && rc != CADRE_EUSAGE && cli->err.msg[0])
		(void)fprintf(cli->errout, "cadre %s: %s\n", cmd->name, cli->err.msg);
	return cadre_exit_code(rc);
}
