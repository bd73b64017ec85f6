/* tempstaff: bank, agency, overtime and locum use (docs/formats.md section
 * C) and its read-out.
 *
 * Design note
 * - The file is a ledger file (establishment.h): one row per cost centre,
 *   staff group, grade band, staffing type, framework (agency only: on or
 *   off an approved framework and price cap) and month, with hours, shifts
 *   and spend.  A re-import replaces the (organisation, month) pairs it
 *   holds; the per-node sums (org_stats_temporary) are recomputed for its
 *   months in the same transaction.
 * - The read-out sums a node's subtree for a month from those per-node
 *   rows: by staffing type and framework, and by staff group. */
#ifndef CADRE_DOMAIN_TEMPSTAFF_H
#define CADRE_DOMAIN_TEMPSTAFF_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "domain/actor.h"
#include "domain/establishment.h"
#include "domain/org.h"

struct store;

/* tempstaff_import: import the temporary-staffing file at path. */
int tempstaff_import(const struct actor *actor, struct store *db, const char *path,
                     const struct ledger_opts *opt, struct ledger_result *res,
                     struct cadre_err *err);

struct tempstaff_line {
	char staff_group[24]; /* "TOTAL" for every group */
	char staffing_type[12];
	char framework[4]; /* "on", "off", "" */
	int64_t hours100;
	int64_t shifts;
	int64_t spend_pence;
};

struct tempstaff_report {
	struct org_node org;
	int month;
	bool fresh;       /* the sums were computed against the current hierarchy */
	int64_t hours100; /* every type */
	int64_t shifts;
	int64_t spend_pence;
	int64_t agency_off_framework_pence;
	struct tempstaff_line *by_type; /* TOTAL lines, by type and framework */
	size_t ntype;
	struct tempstaff_line *by_group; /* by group, type and framework */
	size_t ngroup;
};

/* tempstaff_report: the node's temporary staffing in month.
 * CADRE_ENOTFOUND for an unknown node or one outside the actor's scope.
 * Free with tempstaff_report_free. */
int tempstaff_report(const struct actor *actor, struct store *db, const char *code, int month,
                     struct tempstaff_report *out, struct cadre_err *err);

void tempstaff_report_free(struct tempstaff_report *r);

#endif
