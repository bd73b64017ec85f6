/* cadre import temporary-staffing */
#include "cli/cli.h"
#include "cli/people_out.h"
#include "cli_index.h"
#include "domain/tempstaff.h"

/* COMMAND: import temporary-staffing
 * USAGE: cadre import temporary-staffing [--dry-run] [--json] FILE.csv
 * Import bank, agency, overtime and locum use, by cost centre and month.
 * One row per cost centre, staff group, grade band, staffing type,
 * framework (agency: on or off) and month (docs/formats.md section C):
 * hours, shifts and spend.  A re-import replaces the rows of the
 * organisations and months the file holds.  All or nothing, every rejected
 * row as FILE:LINE:COLUMN: reason; audited once.
 */
int cmd_import_temporary_staffing(struct cli *cli, int argc, char **argv)
{
	return people_ledger_command(cli, "temporary-staffing", tempstaff_import, argc, argv);
}
