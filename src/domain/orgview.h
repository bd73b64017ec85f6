/* orgview: what the organisation pages and the organisation API show, as
 * JSON ready for a template context or an API reply.
 *
 * Design note
 * - The web layer writes no SQL and calls the domain only; this module
 *   gathers a node's view (org_show: the node, its parent chain, its
 *   children at a month), its published sickness absence KPI
 *   (sickness_kpi) and the SPC analysis of that KPI's monthly series
 *   (spc_compute), and writes each as JSON.  The same JSON feeds the page
 *   (through the template producers of io/chart_json.h for the chart) and
 *   the API, so the page and the API cannot disagree.
 * - Sickness: the monthly value is the published rate of the subtree's
 *   sums (FTE days lost over FTE days available, rounded to 2 decimals),
 *   never an average of rates; lower is better; no target unless one is
 *   configured (none is yet).  The JSON carries exactly the keys and
 *   figures of `cadre kpi sickness --json` plus "spc".  Fewer than 12 months
 *   with figures make a run chart (median, no limits): the trend says so.
 * - Every entry point takes the actor first: a node outside the actor's
 *   scope is CADRE_ENOTFOUND, as if it did not exist.
 * - Staff figures (headcount, FTE, staff-group mix, vacancies, bank and
 *   agency) come from the people module when it lands; until then
 *   orgview_staff_json says that no staff data is loaded, and the page
 *   shows those sections with that sentence. */
#ifndef CADRE_DOMAIN_ORGVIEW_H
#define CADRE_DOMAIN_ORGVIEW_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "domain/actor.h"

struct store;

/* children per page of the children list: default and most */
#define ORGVIEW_PAGE_DEFAULT 50
#define ORGVIEW_PAGE_MAX     200

/* the chart's id on the page (the SVG's title and desc ids derive from it) */
#define ORGVIEW_SICKNESS_CHART_ID "sickness-trend"

/* orgview_kind_label: the kind for people: "NHS trust" for "trust",
 * "Integrated care board" for "icb" ...; the kind itself when unknown. */
const char *orgview_kind_label(const char *kind);

/* orgview_org_json: the node with this code as the hierarchy stood in
 * month (yyyymm; 0 for the latest month held), as a new JSON object:
 *   org {code, name, kind, kind_label, org_type, open_date, close_date}
 *   as_of (the month asked, "YYYY-MM"), effective_month (the month of the
 *   hierarchy used), parents [{code, name, kind, kind_label}] parent first
 *   up to England, children [...] by code, children_count, and for England
 *   unassigned_count.
 * CADRE_ENOTFOUND when there is no such node or it is outside the actor's
 * scope. */
int orgview_org_json(const struct actor *actor, struct store *db, const char *code, int month,
                     json_t **out, struct cadre_err *err);

/* orgview_children_json: one page of the node's children at month (0: the
 * latest), by code: those whose code sorts after `after` (NULL or "" for
 * the first page), at most limit (1..ORGVIEW_PAGE_MAX) of them, as
 *   {org, as_of, effective_month, limit, items [{code, name, kind,
 *    kind_label}], total, next_cursor (the last code given, or null when
 *    this is the last page)}.
 * CADRE_EINVAL for a limit out of range; CADRE_ENOTFOUND as above. */
int orgview_children_json(const struct actor *actor, struct store *db, const char *code, int month,
                          const char *after, size_t limit, json_t **out, struct cadre_err *err);

/* orgview_sickness_range: the first and last month holding published
 * sickness figures anywhere; both 0 when none is loaded. */
int orgview_sickness_range(const struct actor *actor, struct store *db, int *first, int *last,
                           struct cadre_err *err);

/* orgview_sickness_json: the sickness KPI for the node's subtree, months
 * from..to (yyyymm; either 0: the first or last month with figures), as a
 * new JSON object with the keys of `cadre kpi sickness --json` (org, name,
 * kind, from, to, fte_days_lost, fte_days_available, rate_percent,
 * organisation_months, months_with_data, placed_by_earliest_known_edges,
 * unassigned, months, months_without_data, and note when some rows were
 * placed by earliest-known edges) plus
 *   spc: null when no month has figures, else {chart "run" or "xmr",
 *   direction "lower", centre_line "median" or "mean", variation,
 *   variation_text, assurance, assurance_text, target null, explanation
 *   (one sentence), points [{month, value, centre, lower_limit,
 *   upper_limit (null on a run chart), cause, signal}]} and
 *   chart: the chart for the page (io/chart_json.h's form), or null.
 * CADRE_EINVAL when from > to or the span exceeds 600 months;
 * CADRE_ENOTFOUND when the node is unknown or outside the actor's scope. */
int orgview_sickness_json(const struct actor *actor, struct store *db, const char *code, int from,
                          int to, json_t **out, struct cadre_err *err);

/* orgview_staff_json: the staff sections of the node's page (headcount,
 * FTE, staff-group mix, vacancies against funded establishment, bank and
 * agency use) at month: {loaded false, message} until staff data can be
 * loaded (the people module provides it). */
int orgview_staff_json(const struct actor *actor, struct store *db, const char *code, int month,
                       json_t **out, struct cadre_err *err);

#endif
