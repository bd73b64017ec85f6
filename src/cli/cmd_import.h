/* cmd_import: what `cadre import sickness` and `cadre import staff-in-post`
 * share: options, the audit key, the report and the problem list. */
#ifndef CADRE_CLI_CMD_IMPORT_H
#define CADRE_CLI_CMD_IMPORT_H

#include <stddef.h>

#include "cli/cli.h"
#include "domain/actor.h"
#include "domain/import.h"

struct store;

/* cmd_import_fn: a domain importer (sickness_import, staff_in_post_import). */
typedef int (*cmd_import_fn)(const struct actor *actor, struct store *db, const char *const *paths,
                             size_t n, const struct import_opts *opt, struct import_result *res,
                             struct cadre_err *err);

/* cmd_import_run: parse [--dry-run] [--replace] [--json] FILE... for the
 * command `name`, run fn on the files and print its report (or, when the
 * files are rejected, every problem on stderr).  what names the
 * publication in the report. */
int cmd_import_run(struct cli *cli, const char *name, const char *what, cmd_import_fn fn, int argc,
                   char **argv);

#endif
