/* establishment: the finance ledger's funded establishment (docs/formats.md
 * section B) and the vacancy read-out; also the ledger-file machinery that
 * temporary staffing (tempstaff.h) shares.
 *
 * Design note
 * - A ledger file is one row per cost centre, staff group, grade band and
 *   month (temporary staffing adds the staffing type and framework).  Rows
 *   are checked streaming (codes, months, the grade and staff-group rules of
 *   docs/formats.md, numbers exact: WTE and hours in hundredths, money in
 *   pence), the key checked unique, and then one write transaction replaces
 *   the rows of the (organisation, month) pairs the file holds, recomputes
 *   the per-node statistics of those months (orgstats.h), records the
 *   import and appends its one audit entry.
 * - Vacancy = funded establishment - contracted FTE (staff in post on the
 *   month's last day: permanent, fixed-term and locum assignments active
 *   that day, with the terms valid that day), for the same cost centre,
 *   NHS Digital staff group and grade band; negative where over
 *   establishment.  Lines with establishment and no staff, or staff and no
 *   establishment, both appear. */
#ifndef CADRE_DOMAIN_ESTABLISHMENT_H
#define CADRE_DOMAIN_ESTABLISHMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/import.h"
#include "domain/org.h"
#include "domain/orgstats.h"

struct store;

#define ESTABLISHMENT_HEADER                                                                       \
	"org_code,cost_centre_code,month,staff_group,grade,budget_wte,budget_gbp"

struct ledger_opts {
	bool dry_run;
	const unsigned char *audit_key; /* required unless dry_run */
	const struct clock *clk;        /* NULL: the system clock */
};

struct ledger_result {
	int64_t rows;
	int64_t orgs;
	int first_month, last_month;
	int64_t rows_replaced; /* held rows of the same organisations and months */
	char sha256[65];
	int64_t import_id;
	int64_t audit_seq;
	struct orgstats_report stats;
	int64_t micros;
	struct import_problems problems;
};

enum ledger_kind {
	LEDGER_ESTABLISHMENT = 0,
	LEDGER_TEMPORARY = 1,
};

/* ledger_import: import a ledger file of the kind (establishment_import
 * and tempstaff_import call it). */
int ledger_import(const struct actor *actor, struct store *db, enum ledger_kind kind,
                  const char *path, const struct ledger_opts *opt, struct ledger_result *res,
                  struct cadre_err *err);

/* establishment_import: import the funded establishment at path. */
int establishment_import(const struct actor *actor, struct store *db, const char *path,
                         const struct ledger_opts *opt, struct ledger_result *res,
                         struct cadre_err *err);

/* ---- vacancies ------------------------------------------------------------------ */

struct vacancy_line {
	char cost_centre[32];
	char staff_group[24];
	char grade[16];
	int64_t establishment_wte100; /* hundredths */
	int64_t budget_pence;
	int64_t contracted_fte10k; /* ten-thousandths */
	int64_t headcount;         /* distinct people in post on the line */
	int64_t vacancy_fte10k;    /* establishment - contracted */
};

struct vacancy_group {
	char staff_group[24];
	int64_t establishment_wte100;
	int64_t contracted_fte10k;
	int64_t vacancy_fte10k;
};

struct vacancy_report {
	struct org_node org;
	int month;
	int hierarchy_month; /* the materialised month used */
	int64_t establishment_wte100;
	int64_t budget_pence;
	int64_t contracted_fte10k;
	int64_t vacancy_fte10k;
	int64_t cost_centres;           /* with establishment or staff */
	int64_t cost_centres_no_staff;  /* establishment, nobody in post */
	int64_t cost_centres_no_budget; /* staff in post, no establishment */
	struct vacancy_line *lines;     /* by cost centre, group, grade */
	size_t nlines;
	struct vacancy_group *groups; /* by group */
	size_t ngroups;
};

/* vacancy_report: funded establishment against contracted FTE under the
 * node with this code in month (see the design note).  CADRE_ENOTFOUND for
 * an unknown node or one outside the actor's scope.  Free with
 * vacancy_report_free. */
int vacancy_report(const struct actor *actor, struct store *db, const char *code, int month,
                   struct vacancy_report *out, struct cadre_err *err);

void vacancy_report_free(struct vacancy_report *r);

#endif
