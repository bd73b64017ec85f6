/* orgstats: per-node monthly aggregates of the people area, kept current at
 * import time, so that pages and reports read a few rows instead of
 * scanning the staff tables.
 *
 * Design note
 * - Three tables, one per source (schema 0300 and 0400): org_stats_staff
 *   (staff in post at each month end: headcount, FTE, assignments),
 *   org_stats_establishment (funded WTE and pounds) and org_stats_temporary
 *   (bank, agency, overtime and locum hours, shifts, spend), each by node,
 *   month and NHS Digital staff group, with a 'TOTAL' row per node and
 *   month.  Vacancy = establishment - contracted FTE, read from the first
 *   two.
 * - Every node counts: wards and teams (where cost centres sit),
 *   divisions, employers, ICBs, regions, England, each as its subtree stood
 *   that month (org_ancestor), so a roll-up never adds children's rows.
 * - Headcount is distinct people and never additive: a person is counted
 *   once at a node however many assignments they hold under it, once in
 *   each staff group they appear in, and once in TOTAL.  The refresh walks
 *   the in-post assignment versions grouped by person and stamps each
 *   (node, group) counter with the person last counted there, so distinct
 *   counts cost no sorting.  FTE, WTE, hours, shifts and money are summed
 *   as integers (ten-thousandths, hundredths, pence) and stored at the end.
 * - Staff months: from 11 months before the earliest extract's month (the
 *   extract lists the year's leavers, so month ends back to then are
 *   complete) to the latest extract's month.
 * - The refreshes run inside the caller's write transaction (an import's
 *   or a hierarchy change's) and record in org_stats_state the hierarchy
 *   they were computed against; orgstats_fresh tells a reader whether a
 *   later rebuild of the hierarchy (by another import) made them stale, and
 *   orgstats_refresh_all recomputes everything. */
#ifndef CADRE_DOMAIN_ORGSTATS_H
#define CADRE_DOMAIN_ORGSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "domain/actor.h"

struct store;

#define ORGSTATS_TOTAL "TOTAL"

enum orgstats_kind {
	ORGSTATS_STAFF = 0,
	ORGSTATS_ESTABLISHMENT = 1,
	ORGSTATS_TEMPORARY = 2,
};

struct orgstats_report {
	int first_month; /* 0 when there is nothing to count */
	int last_month;
	int64_t rows; /* rows written */
	int64_t micros;
};

/* orgstats_staff_refresh: recompute org_stats_staff for every node and
 * staff month (inside the caller's write transaction). */
int orgstats_staff_refresh(const struct actor *actor, struct store *db, const struct clock *clk,
                           struct orgstats_report *rep, struct cadre_err *err);

/* orgstats_ledger_refresh: recompute org_stats_establishment
 * (ORGSTATS_ESTABLISHMENT) or org_stats_temporary (ORGSTATS_TEMPORARY) for
 * months from..to (0, 0: every month held). */
int orgstats_ledger_refresh(const struct actor *actor, struct store *db, enum orgstats_kind kind,
                            int from, int to, const struct clock *clk, struct orgstats_report *rep,
                            struct cadre_err *err);

/* orgstats_refresh_all: all three, every month (after the hierarchy
 * changed). */
int orgstats_refresh_all(const struct actor *actor, struct store *db, const struct clock *clk,
                         struct cadre_err *err);

/* orgstats_fresh: *fresh is true when kind was computed against the
 * current hierarchy (or never needed: nothing loaded). */
int orgstats_fresh(const struct actor *actor, struct store *db, enum orgstats_kind kind,
                   bool *fresh, struct cadre_err *err);

/* ---- readers ---------------------------------------------------------------- */

struct orgstats_staff_row {
	char group[24];
	int64_t headcount;
	double fte;
	int64_t assignments;
	int64_t fallback_assignments; /* staff group by Cadre's ESR fallback */
};

struct orgstats_money_row {
	char group[24];
	char staffing_type[12]; /* temporary only */
	char framework[4];      /* temporary only: "on", "off" or "" */
	double wte_or_hours;
	int64_t shifts; /* temporary only */
	int64_t pence;
};

/* orgstats_staff_read: the node's rows for month (TOTAL first, then by
 * group code); *n is 0 when none.  Free *rows with free(). */
int orgstats_staff_read(const struct actor *actor, struct store *db, int64_t node_id, int month,
                        struct orgstats_staff_row **rows, size_t *n, struct cadre_err *err);

/* orgstats_money_read: the node's establishment or temporary-staffing rows
 * for month (TOTAL first).  Free *rows with free(). */
int orgstats_money_read(const struct actor *actor, struct store *db, enum orgstats_kind kind,
                        int64_t node_id, int month, struct orgstats_money_row **rows, size_t *n,
                        struct cadre_err *err);

/* orgstats_staff_months: the staff months computed (0, 0 when none). */
int orgstats_staff_months(const struct actor *actor, struct store *db, int *first, int *last,
                          struct cadre_err *err);

#endif
