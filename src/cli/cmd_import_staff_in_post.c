/* cadre import staff-in-post */
#include "cli/cli.h"
#include "cli/cmd_import.h"
#include "cli_index.h"
#include "domain/staff_in_post.h"

/* COMMAND: import staff-in-post
 * USAGE: cadre import staff-in-post [--dry-run] [--replace] [--json] FILE.csv...
 * Import HCHS staff in post by staff group, nationality and organisation.
 * The file is NHS Digital's CSV (Month, Organisation code, Organisation
 * name, Staff group, Nationality, FTE), kept as published aggregates: its
 * organisations include CCGs and trusts that have since merged, which are
 * created without a parent and count only in England's total.  All or
 * nothing, in one transaction, every rejected row reported as
 * FILE:LINE:COLUMN: reason; a month already loaded is replaced only with
 * --replace; --dry-run checks and writes nothing.  Audited once.
 */
int cmd_import_staff_in_post(struct cli *cli, int argc, char **argv)
{
	return cmd_import_run(cli, "import staff-in-post", "HCHS staff in post",
	                      staff_in_post_import, argc, argv);
}
