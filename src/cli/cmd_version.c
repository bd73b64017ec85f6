/* cadre version */
#include <getopt.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "cli_index.h"
#include "domain/about.h"

/* COMMAND: version
 * USAGE: cadre version [--verbose]
 * Print Cadre's version.
 * With --verbose, also the commit, build type and compiler, the schema
 * version this build expects, and the versions of SQLite, libpq, libsodium
 * and jansson it runs on.
 */
int cmd_version(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"verbose", no_argument, NULL, 'v'}, {0}};
	int verbose = 0;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		if (c == 'v')
			verbose = 1;
		else
			return cli_usage_error(cli, "version", "unknown option '%s'",
			                       argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(cli, "version", "unexpected argument '%s'", argv[optind]);
	if (!verbose) {
		(void)fprintf(cli->out, "cadre %s\n", about_version());
		return CADRE_OK;
	}
	struct buf b;
	buf_init(&b, (size_t)64 * 1024);
	int rc = about_write_verbose(&b, &cli->err);
	if (rc == CADRE_OK)
		(void)fputs(buf_cstr(&b), cli->out);
	buf_free(&b);
	return rc;
}
