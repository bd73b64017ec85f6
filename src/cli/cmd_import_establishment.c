/* cadre import establishment */
#include "cli/cli.h"
#include "cli/people_out.h"
#include "cli_index.h"
#include "domain/establishment.h"

/* COMMAND: import establishment
 * USAGE: cadre import establishment [--dry-run] [--json] FILE.csv
 * Import the finance ledger's funded establishment, by cost centre and month.
 * One row per cost centre, NHS Digital staff group, grade band and month
 * (docs/formats.md section B): budgeted WTE and pounds with on-costs.
 * A re-import replaces the rows of the organisations and months the file
 * holds.  Vacancy (`cadre kpi vacancies`) is this establishment less the
 * contracted FTE in post.  All or nothing, every rejected row as
 * FILE:LINE:COLUMN: reason; audited once.
 */
int cmd_import_establishment(struct cli *cli, int argc, char **argv)
{
	return people_ledger_command(cli, "establishment", establishment_import, argc, argv);
}
