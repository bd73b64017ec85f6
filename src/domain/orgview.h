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
 * - Staff figures (headcount, FTE, staff-group mix, vacancies against
 *   funded establishment, bank and agency use) and their trends are read
 *   from the kept per-node monthly statistics (orgstats.h) only, never
 *   from the staff tables, so a page costs a few indexed rows at any
 *   level from England to a ward.  Headcount is the node's distinct
 *   people (never a sum of children or groups); FTE, WTE, hours and money
 *   are sums.  Vacancy = establishment - contracted FTE, by NHS Digital
 *   staff group and in total, the definition of `cadre kpi vacancies`.
 * - Workforce figures are aggregates under ORGVIEW_FIGURES_PERMISSION
 *   (workforce.aggregate.read) over the node: the organisation pages need
 *   only org.read, so an actor without it sees the hierarchy and published
 *   figures and a sentence in place of the staff sections. */
#ifndef CADRE_DOMAIN_ORGVIEW_H
#define CADRE_DOMAIN_ORGVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "domain/actor.h"
#include "domain/org.h"

struct store;

/* children per page of the children list: default and most */
#define ORGVIEW_PAGE_DEFAULT 50
#define ORGVIEW_PAGE_MAX     200

/* the permission the staff figures and their trends need over the node */
#define ORGVIEW_FIGURES_PERMISSION "workforce.aggregate.read"

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

/* orgview_staff_allowed: *allowed when actor holds
 * ORGVIEW_FIGURES_PERMISSION over org_id (no grant or no permission is
 * false, not an error). */
int orgview_staff_allowed(const struct actor *actor, struct store *db, int64_t org_id,
                          bool *allowed, struct cadre_err *err);

/* orgview_staff_month: the staff month to show for month (yyyymm; 0: the
 * latest): *use is month when staff figures are held for it, the latest
 * for 0, else 0; *first and *last the months held (0 when none). */
int orgview_staff_month(const struct actor *actor, struct store *db, int month, int *use,
                        int *first, int *last, struct cadre_err *err);

/* orgview_staff_json: the staff sections of the node's page at month
 * (yyyymm; 0: the latest staff month), from orgstats only, as a new JSON
 * object {org, name, kind, allowed, loaded} and, when not loaded, message
 * (the sentence the page shows: no permission, no staff data, or no
 * figures for that month); when loaded: month, first_month, last_month,
 * current (false when the hierarchy changed since the sums were made),
 * headcount (distinct people), fte, assignments, staff_groups [{staff_group,
 * name, headcount, fte, fte_percent}] by code, vacancies (null without
 * establishment that month, else {month, establishment_wte, budget_pence,
 * contracted_fte, vacancy_wte, vacancy_rate_percent, staff_groups
 * [{staff_group, name, establishment_wte, contracted_fte, vacancy_wte,
 * vacancy_rate_percent (null without establishment)}]}) and
 * temporary_staffing (null when none is held, else {month, hours, shifts,
 * spend_pence, agency_off_framework_pence, bank_hours, bank_spend_pence,
 * agency_hours, agency_spend_pence, bank_hours_percent,
 * agency_hours_percent, budget_pence, spend_percent_of_budget (null
 * without a budget), by_type [{staffing_type, framework, hours, shifts,
 * spend_pence, hours_percent}]}).  CADRE_ENOTFOUND for an unknown node or
 * one outside the actor's scope. */
int orgview_staff_json(const struct actor *actor, struct store *db, const char *code, int month,
                       json_t **out, struct cadre_err *err);

/* orgview_trend_valid: measure is a trend orgview_trend_json knows:
 * "vacancy-rate" (percent of funded establishment vacant, from the
 * establishment and staff sums) or "temporary-spend" (pounds of bank,
 * agency, overtime and locum spend). */
bool orgview_trend_valid(const char *measure);

/* orgview_trend_json: the monthly series of measure for the node's
 * subtree over the staff months held (from..to, yyyymm, 0: the first or
 * last), with its SPC analysis (lower is better; no target), as
 * {org, name, measure, title, unit, from, to, months [{month, value}],
 * months_without_data, spc (as orgview_sickness_json's, or null), chart
 * (for the page, or null)}.  CADRE_EINVAL for an unknown measure or from
 * after to; CADRE_EPERM without ORGVIEW_FIGURES_PERMISSION;
 * CADRE_ENOTFOUND as above. */
int orgview_trend_json(const struct actor *actor, struct store *db, const char *code,
                       const char *measure, int from, int to, json_t **out,
                       struct cadre_err *err);

/* orgview_home: the top node the actor may browse: England when visible,
 * else the organisation of its first grant through which it holds
 * org.read (so /orgs can send a trust's user to their trust).
 * CADRE_ENOTFOUND when there is none. */
int orgview_home(const struct actor *actor, struct store *db, struct org_node *out,
                 struct cadre_err *err);

/* orgview_quality_json: the data-quality report (quality.h) of the node on
 * as_of ("YYYY-MM-DD"; NULL: the latest extract) as {org, name, kind,
 * loaded} and, when an extract is held, as_of, assignments,
 * assignments_in_post, staff_in_post, managers, rows_allowed (the actor
 * may open the rows: people.read), protected_rows_allowed (and
 * people.protected.read), checks [{check, title, count, of, base,
 * percent (null for a plain count), protected}] in the report's order, and
 * not_held (the protected characteristics the extract does not carry);
 * else message.  CADRE_ENOTFOUND as orgview_org_json. */
int orgview_quality_json(const struct actor *actor, struct store *db, const char *code,
                         const char *as_of, json_t **out, struct cadre_err *err);

/* orgview_quality_rows_json: one page of the rows behind a check
 * (quality_rows) as {org, name, check, title, as_of, limit, items [{org,
 * staff_ref, assignment, cost_centre, detail}], total, next_cursor (null on
 * the last page)}.  CADRE_ENOTFOUND for an unknown check or node;
 * CADRE_EPERM without people.read (and people.protected.read for the
 * protected checks); CADRE_EINVAL for a bad limit. */
int orgview_quality_rows_json(const struct actor *actor, struct store *db, const char *code,
                              const char *as_of, const char *check, const char *after,
                              size_t limit, json_t **out, struct cadre_err *err);

#endif
