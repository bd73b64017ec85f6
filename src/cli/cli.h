/* cli: the command-line front end.
 *
 * One file per command in src/cli/, each handler annotated with a COMMAND:
 * block from which tools/mkindex.py builds the sorted table cli_commands[]
 * at build time; `cadre help` and the dispatcher both read that table.
 * A handler returns a cadre status; main turns it into the exit code. */
#ifndef CADRE_CLI_CLI_H
#define CADRE_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/err.h"

struct config;
struct store;

/* cli: what every command gets.  out and errout are stdout and stderr in
 * the binary, files in tests.  db and config_path hold the global flags
 * exactly as given (NULL when absent); the effective settings, with the
 * environment, cadre.ini and defaults below the flags, come from
 * cli_config(). */
struct cli {
	FILE *out;
	FILE *errout;
	const char *db;          /* --db, or NULL */
	const char *config_path; /* --config, or NULL */
	struct config *config;   /* loaded by cli_config(), freed by cli_run() */
	struct cadre_err err;
};

typedef int (*cli_fn)(struct cli *cli, int argc, char **argv);

struct cli_command {
	const char *name; /* "version", "config show" */
	cli_fn fn;
	const char *usage;   /* "cadre version [--verbose]" */
	const char *summary; /* one line for `cadre help` */
	const char *help;    /* the whole help text */
};

extern const struct cli_command cli_commands[];
extern const size_t cli_command_count;

/* cli_run: dispatch argv (argv[0] the program) and return the exit code. */
int cli_run(struct cli *cli, int argc, char **argv);

/* cli_usage_error: print "cadre NAME: reason" and the command's usage line,
 * and return CADRE_EUSAGE. */
int cli_usage_error(struct cli *cli, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* cli_config: the effective configuration (flags > environment > cadre.ini
 * > defaults), loaded on first use and owned by cli.  The file is --config,
 * else CADRE_CONFIG, else ./cadre.ini (which may be absent unless named).
 * Returns NULL with cli->err set when it is invalid. */
struct config *cli_config(struct cli *cli);

/* cli_db_url: the database to use (database.url after precedence), or NULL
 * with cli->err set. */
const char *cli_db_url(struct cli *cli);

/* cli_open_db: open the database (cli_db_url) for a command, checking its
 * schema without migrating (domain/db.h's db_open).  Returns the status
 * with cli->err set on failure; close with db_close. */
int cli_open_db(struct cli *cli, struct store **db);

/* cli_wants_help: true when argv holds -h or --help. */
bool cli_wants_help(int argc, char **argv);

#endif
