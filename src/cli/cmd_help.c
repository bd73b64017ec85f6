/* cadre help: the command list, generated from the COMMAND: annotations. */
#include <string.h>

#include "cli/cli.h"
#include "cli_index.h"

/* COMMAND: help
 * USAGE: cadre help [COMMAND...]
 * List the commands, or show one command's help.
 * With no argument, lists every command with its summary.  With a command
 * name (several words for a sub-command, such as `cadre help config show`),
 * prints that command's usage and help, as `cadre COMMAND --help` does.
 */
int cmd_help(struct cli *cli, int argc, char **argv)
{
	if (argc > 1) {
		char name[256] = "";
		size_t len = 0;
		for (int i = 1; i < argc; i++) {
			int n = snprintf(name + len, sizeof name - len, "%s%s", i > 1 ? " " : "",
			                 argv[i]);
			if (n < 0 || (size_t)n >= sizeof name - len)
				return cli_usage_error(cli, "help", "command name too long");
			len += (size_t)n;
		}
		for (size_t i = 0; i < cli_command_count; i++) {
			if (strcmp(cli_commands[i].name, name) == 0) {
				(void)fprintf(cli->out, "usage: %s\n\n%s\n", cli_commands[i].usage,
				              cli_commands[i].help);
				return CADRE_OK;
			}
		}
		return cli_usage_error(cli, "help", "no command '%s'", name);
	}
	(void)fprintf(cli->out, "usage: cadre [--db DB] [--config FILE] COMMAND [ARGS]\n\n"
	                        "Cadre: workforce planning and leadership talent for the NHS.\n\n"
	                        "Commands:\n");
	for (size_t i = 0; i < cli_command_count; i++)
		(void)fprintf(cli->out, "  %-28s %s\n", cli_commands[i].name,
		              cli_commands[i].summary);
	(void)fprintf(cli->out, "\nRun `cadre COMMAND --help` for a command's options.\n"
	                        "Exit codes: 0 success, 1 failure, 2 usage error.\n");
	return CADRE_OK;
}
