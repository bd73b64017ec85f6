/* main: global options, then the command.  The only place that exits. */
#include <string.h>

#include "cli/cli.h"

int main(int argc, char **argv)
{
	struct cli cli = {
	    .out = stdout,
	    .errout = stderr,
	};
	/* Global options come before the command word. */
	int i = 1;
	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];
		const char **slot = NULL;
		size_t len = 0;
		if (strncmp(a, "--db", 4) == 0) {
			slot = &cli.db;
			len = 4;
		} else if (strncmp(a, "--config", 8) == 0) {
			slot = &cli.config_path;
			len = 8;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			argv[i] = "help";
			break;
		} else {
			(void)fprintf(stderr, "cadre: unknown option '%s'\n", a);
			return 2;
		}
		if (a[len] == '=') {
			*slot = a + len + 1;
			i++;
		} else if (a[len] == '\0' && i + 1 < argc) {
			*slot = argv[i + 1];
			i += 2;
		} else {
			(void)fprintf(stderr, "cadre: option '%s' needs a value\n", a);
			return 2;
		}
	}
	argv[i - 1] = argv[0];
	return cli_run(&cli, argc - (i - 1), argv + (i - 1));
}
