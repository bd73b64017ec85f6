/* orgseries: monthly series for any node of the hierarchy (England, region,
 * ICB, trust, division, ward or team), the data behind the trend and SPC
 * charts of the organisation pages.
 *
 * Design note
 * - One call gives one measure for one node over months from..to (yyyymm),
 *   one point per calendar month, each saying whether it is present and
 *   carrying the numerator and denominator it was computed from, so a page
 *   can draw the chart, its data table and say where a figure came from.
 * - Every figure is a sum over the node's subtree as it stood that month
 *   (org_ancestor; a month outside the materialised range takes the
 *   nearest end's hierarchy, as org.h says), and rates are the rate of the
 *   sums, never an average of rates.
 * - Sources, per measure:
 *   sickness rate: wards, teams, divisions and sites sum the ward history
 *     (sickness_ward_history); trusts and above the sickness tables
 *     (sickness_absence: the publication, and the demo's synthetic history
 *     where no published figure exists for that organisation and month);
 *   ward sickness rate: the ward history summed over the subtree at any
 *     node (a trust's inpatient wards, say; from each organisation's
 *     monthly totals, history_totals, at a trust and above);
 *   vacancy rate and WTE: establishment - contracted WTE, from
 *     org_stats_establishment and org_stats_staff (TOTAL rows) in the months
 *     the ledger covers (the latest 12 of the demo), else from
 *     vacancy_history (organisation level, so wards and divisions have
 *     only the ledger months);
 *   temporary staffing hours and spend: org_stats_temporary (TOTAL rows) in
 *     the months the ledger covers, else temporary_staffing_history; for one
 *     staffing type or all.
 *   "The ledger covers a month" means the node has a row for it in the
 *   org_stats table concerned.  The organisation-level history is read
 *   from history_totals (schema 0311: one row per organisation, month and
 *   staffing type, kept by the history import), so a series costs a few
 *   milliseconds even for England (national demo: under 20 ms of CPU for
 *   England, a region or an ICB, about 2 ms for a trust, under 1 ms for a
 *   ward, in the debug build).
 * - Rounding: rates in percent to 2 decimal places, halves away from zero
 *   (as the sickness publication rounds); WTE, hours and pounds to 2.
 * - Entry points take the actor first; a node the actor may not see in
 *   every month of the span is CADRE_ENOTFOUND, as if it did not exist.
 *   Read-only: run inside the caller's read transaction if it has one. */
#ifndef CADRE_DOMAIN_ORGSERIES_H
#define CADRE_DOMAIN_ORGSERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "domain/actor.h"
#include "domain/org.h"

struct store;

/* the longest span one call serves */
#define ORGSERIES_MONTHS_MAX 240

enum orgseries_measure {
	ORGSERIES_SICKNESS_RATE = 0,  /* %: num FTE days lost, den FTE days available */
	ORGSERIES_WARD_SICKNESS_RATE, /* the same from the ward history only */
	ORGSERIES_VACANCY_RATE,       /* %: num vacancy WTE, den establishment WTE */
	ORGSERIES_VACANCY_WTE,        /* WTE: num vacancy WTE, den establishment WTE */
	ORGSERIES_TEMP_HOURS,         /* hours: num hours, den 0 */
	ORGSERIES_TEMP_SPEND,         /* pounds: num pence, den 0 */
};

/* staffing type, for the temporary-staffing measures (ignored otherwise) */
enum orgseries_staffing {
	ORGSERIES_ALL_TYPES = 0,
	ORGSERIES_BANK,
	ORGSERIES_AGENCY,
	ORGSERIES_OVERTIME,
	ORGSERIES_LOCUM,
};

/* where a point's figures came from */
enum orgseries_source {
	ORGSERIES_SRC_NONE = 0,  /* not present */
	ORGSERIES_SRC_PUBLISHED, /* sickness_absence, from a published file */
	ORGSERIES_SRC_HISTORY,   /* the history tables (or synthetic sickness rows) */
	ORGSERIES_SRC_CURRENT,   /* org_stats_*: the ledger and staff extract */
};

struct orgseries_point {
	int month; /* yyyymm */
	bool present;
	double value; /* the charted value, rounded (see the design note); 0 when absent */
	double num;   /* numerator (see enum orgseries_measure) */
	double den;   /* denominator; 0 for plain sums */
	enum orgseries_source source;
	bool synthetic; /* some figure summed here is demo (generated) data */
};

struct orgseries {
	struct org_node org;
	enum orgseries_measure measure;
	enum orgseries_staffing type;
	int from, to;
	struct orgseries_point *points; /* from..to, every month; owned */
	size_t n;
	size_t present; /* points present */
	bool synthetic; /* any point synthetic */
	char unit[8];   /* "%", "WTE", "hours", "GBP" */
};

/* orgseries_get: the measure for the node with this code, months from..to
 * (from <= to, at most ORGSERIES_MONTHS_MAX months); type chooses the
 * staffing type for the temporary-staffing measures.  A series with no
 * point present is still CADRE_OK (out->present 0).  CADRE_ENOTFOUND for
 * an unknown node or one outside the actor's scope; CADRE_EINVAL for a bad
 * span or measure.  Free with orgseries_free (also after an error). */
int orgseries_get(const struct actor *actor, struct store *db, const char *code,
                  enum orgseries_measure measure, enum orgseries_staffing type, int from, int to,
                  struct orgseries *out, struct cadre_err *err);

/* orgseries_free: release s's points; s may be zeroed or already freed. */
void orgseries_free(struct orgseries *s);

/* orgseries_measure_name: "sickness_rate", "ward_sickness_rate",
 * "vacancy_rate", "vacancy_wte", "temporary_hours", "temporary_spend"
 * (static text; NULL for an unknown value). */
const char *orgseries_measure_name(enum orgseries_measure m);

/* orgseries_staffing_name: "all", "bank", "agency", "overtime", "locum". */
const char *orgseries_staffing_name(enum orgseries_staffing t);

#endif
