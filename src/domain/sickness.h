/* sickness: NHS Sickness Absence Rates, imported exactly as published, and
 * the sickness KPI over any node and span.
 *
 * Design note
 * - The file is the publication's monthly CSV (DATE, NHSE_REGION_CODE,
 *   NHSE_REGION_NAME, ICS_CODE, ICS_NAME, ORG_CODE, ORG_NAME, ORG_TYPE,
 *   FTE_DAYS_LOST, FTE_DAYS_AVAILABLE, SICKNESS_ABSENCE_RATE_PERCENT), one
 *   row per organisation, dates DD/MM/YYYY at the month's end.  Its header
 *   must be exactly that; a file of another publication is named as such.
 * - Every row is checked, and every problem reported as FILE:LINE:COLUMN
 *   (capped, "and N more"): the date's form, the codes, the numbers, the
 *   published rate against its own days (round(lost / available x 100, 2)),
 *   duplicated organisation-months across all the files given, a region
 *   code the reference data does not know, an ICS under two regions in one
 *   month, and a month already loaded (replaced only with replace, inside
 *   the same transaction).  Any problem rejects the whole import: all the
 *   files of one import load in one transaction or not at all.
 * - The file's region and ICS codes are authoritative for its month: each
 *   row gives a published edge organisation -> ICS and ICS -> region for
 *   that month ("sickness").  Organisations the reference data lacks (CSUs,
 *   special bodies, non-NHS providers) are created under those codes.  An
 *   ICB's own row (ORG_CODE = ICS_CODE) is its node's own figure.
 * - Synthetic figures (the demo's history, loaded by history.h into the same
 *   table and marked by stat_import.synthetic) give way: a month holding
 *   only synthetic rows is not "already loaded", and the synthetic rows of
 *   the organisations and months a publication brings are replaced by it.
 * - After the rows and the hierarchy rebuild, the per-node statistics
 *   (orgstats.h) are recomputed in the same transaction, so they never go
 *   stale.
 * - The KPI sums FTE days lost and available over the node's subtree as it
 *   stood in each month (org_ancestor) and rounds the rate of the sums to 2
 *   decimal places as the publication does; rates are never averaged. */
#ifndef CADRE_DOMAIN_SICKNESS_H
#define CADRE_DOMAIN_SICKNESS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "domain/actor.h"
#include "domain/import.h"
#include "domain/org.h"

struct store;

/* the publication's header, exactly */
#define SICKNESS_HEADER                                                                            \
	"DATE,NHSE_REGION_CODE,NHSE_REGION_NAME,ICS_CODE,ICS_NAME,ORG_CODE,ORG_NAME,ORG_TYPE,"     \
	"FTE_DAYS_LOST,FTE_DAYS_AVAILABLE,SICKNESS_ABSENCE_RATE_PERCENT"

/* where sickness files put their edges (org_edge.source) */
#define SICKNESS_SOURCE "sickness"

/* sickness_rate_hundredths: the rate as the publication rounds it, in
 * hundredths of a percent: round(lost / available x 100, 2) x 100, halves
 * away from zero.  available must be positive. */
int64_t sickness_rate_hundredths(double lost, double available);

/* sickness_import: import the n files at paths (see the design note).
 * res (required) gets counts, or the problems when the import is rejected
 * (CADRE_EINVAL, err quoting the first).  A month already loaded without
 * opt->replace is a problem too.  Needs opt->audit_key unless dry. */
int sickness_import(const struct actor *actor, struct store *db, const char *const *paths, size_t n,
                    const struct import_opts *opt, struct import_result *res,
                    struct cadre_err *err);

/* sickness_month: one month of the KPI. */
struct sickness_month {
	int month;
	bool has_data;
	double fte_days_lost;
	double fte_days_available;
	int64_t rate_hundredths; /* 0 when !has_data */
	int64_t rows;            /* organisations with a row this month */
	int64_t earliest_rows;   /* of which placed by earliest-known edges */
	int64_t unassigned_rows; /* of which counted only in England's total */
};

struct sickness_kpi {
	struct org_node org;
	int from, to;
	double fte_days_lost; /* summed over the months with data */
	double fte_days_available;
	int64_t rate_hundredths;
	int64_t rows;
	size_t months_with_data;
	struct sickness_month *months; /* from..to, every month */
	size_t nmonths;
};

/* sickness_kpi: the KPI for the node with this code, months from..to
 * (yyyymm, from <= to, at most 600 months).  CADRE_ENOTFOUND when the node
 * is unknown or outside the actor's scope, or no month holds figures.  Free
 * with sickness_kpi_free. */
int sickness_kpi(const struct actor *actor, struct store *db, const char *code, int from, int to,
                 struct sickness_kpi *out, struct cadre_err *err);

/* sickness_kpi_free: release out's months. */
void sickness_kpi_free(struct sickness_kpi *out);

#endif
