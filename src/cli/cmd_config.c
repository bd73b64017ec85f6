/* cadre config show */
#include <getopt.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "cli_index.h"
#include "io/config.h"

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
	struct config *c = cli_config(cli);
	if (!c)
		return cli->err.status;
	struct buf out;
	buf_init(&out, (size_t)256 * 1024);
	int rc = config_write_show(c, &out, json, &cli->err);
	if (!rc)
		(void)fputs(buf_cstr(&out), cli->out);
	buf_free(&out);
	return rc;
}
