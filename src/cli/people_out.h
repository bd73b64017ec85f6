/* people_out: what the people-area commands share (import staff,
 * cost-centres, establishment, temporary-staffing; staff summary, kpi
 * vacancies and temporary-staffing, quality, demo load): the keys, the
 * problem list of a rejected file, JSON and number output. */
#ifndef CADRE_CLI_PEOPLE_OUT_H
#define CADRE_CLI_PEOPLE_OUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/cli.h"
#include "domain/audit.h"
#include "domain/establishment.h"
#include "domain/import.h"

/* people_pseudonym_key: copy secrets.pseudonym_key into key (32 bytes), or
 * set cli->err and return the status. */
int people_pseudonym_key(struct cli *cli, unsigned char key[AUDIT_KEY_BYTES]);

/* people_rejected: print every kept problem (and "and N more") on
 * cli->errout and set cli->err to "rejected: N problems; nothing was
 * written"; returns CADRE_EINVAL.  When p holds none, keeps rc and cli->err
 * as they are and returns rc. */
int people_rejected(struct cli *cli, const struct import_problems *p, bool dry, int rc);

/* people_print_json: print o (stolen) indented, keys in insertion order. */
int people_print_json(struct cli *cli, json_t *o);

/* people_num: x with thousands separators and `places` decimals into out. */
const char *people_num(double x, int places, char *out, size_t n);

/* people_money: pence as pounds with separators ("£1,234.50"). */
const char *people_money(int64_t pence, char *out, size_t n);

struct ledger_result;

/* people_ledger_report: what an establishment or temporary-staffing import
 * did, as text or JSON (name: "establishment", "temporary-staffing"). */
int people_ledger_report(struct cli *cli, const char *name, const struct ledger_result *r, bool dry,
                         bool json);

/* people_ledger_command: `cadre import NAME [--dry-run] [--json] FILE.csv`
 * for a ledger importer (establishment_import, tempstaff_import). */
typedef int (*people_ledger_fn)(const struct actor *actor, struct store *db, const char *path,
                                const struct ledger_opts *opt, struct ledger_result *res,
                                struct cadre_err *err);
int people_ledger_command(struct cli *cli, const char *name, people_ledger_fn fn, int argc,
                          char **argv);

#endif
