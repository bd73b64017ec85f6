/* orgview: the organisation pages' and API's views as JSON (see
 * orgview.h). */
#include "domain/orgview.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "domain/org.h"
#include "domain/orgseries.h"
#include "domain/orgstats.h"
#include "domain/people.h"
#include "domain/policy.h"
#include "domain/quality.h"
#include "domain/sickness.h"
#include "domain/spc.h"
#include "io/chart_json.h"
#include "store/store.h"

static const struct store_sql q_sickness_range = {
    .name = "orgview_sickness_range",
    /* two subqueries: SQLite answers a lone MIN or MAX by one index seek,
     * but both (or COUNT) in one query by a scan of every row */
    .sql = "SELECT COALESCE((SELECT MIN(month) FROM sickness_absence), 0), "
           "COALESCE((SELECT MAX(month) FROM sickness_absence), 0)",
};

struct kind_label {
	const char *kind;
	const char *label;
};

static const struct kind_label kind_labels[] = {
    {"nation", "Nation"},
    {"region", "NHS England region"},
    {"icb", "Integrated care board"},
    {"trust", "NHS trust"},
    {"provider", "Independent provider"},
    {"csu", "Commissioning support unit"},
    {"body", "National body"},
    {"ccg", "Clinical commissioning group"},
    {"site", "Site"},
    {"division", "Division"},
    {"cost_centre", "Cost centre"},
    {"ward", "Ward"},
    {"team", "Team"},
    {"gp_practice", "GP practice"},
    {"pcn", "Primary care network"},
    {"social_care", "Social care provider"},
    {"other", "Other organisation"},
};

const char *orgview_kind_label(const char *kind)
{
	for (size_t i = 0; i < sizeof kind_labels / sizeof kind_labels[0]; i++)
		if (strcmp(kind_labels[i].kind, kind) == 0)
			return kind_labels[i].label;
	return kind;
}

/* str: a JSON string, or null for "" (and for text jansson refuses, which
 * the database's UTF-8 checks make impossible). */
static json_t *str(const char *s)
{
	if (!s || !*s)
		return json_null();
	json_t *j = json_string(s);
	return j ? j : json_null();
}

static json_t *month_json(int ym)
{
	char m[DATE_MONTH_SIZE];
	date_month_format(ym, m);
	return json_string(m);
}

static json_t *node_json(const struct org_node *n, bool full)
{
	json_t *o = json_object();
	(void)json_object_set_new(o, "code", str(n->code));
	(void)json_object_set_new(o, "name", str(n->name));
	(void)json_object_set_new(o, "kind", str(n->kind));
	(void)json_object_set_new(o, "kind_label", str(orgview_kind_label(n->kind)));
	if (full) {
		(void)json_object_set_new(o, "org_type", str(n->org_type));
		(void)json_object_set_new(o, "open_date", str(n->open_date));
		(void)json_object_set_new(o, "close_date", str(n->close_date));
	}
	return o;
}

/* show: org_show with the actor checked first. */
static int show(const struct actor *actor, struct store *db, const char *code, int month,
                struct org_view *v, struct cadre_err *err)
{
	memset(v, 0, sizeof *v);
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!code || !org_code_valid(code, strlen(code)))
		return cadre_err_set(err, CADRE_ENOTFOUND, "no organisation");
	return org_show(actor, db, code, month, v, err);
}

int orgview_org_json(const struct actor *actor, struct store *db, const char *code, int month,
                     json_t **out, struct cadre_err *err)
{
	struct org_view v;
	int rc = show(actor, db, code, month, &v, err);
	if (rc != CADRE_OK)
		return rc;
	json_t *o = json_object();
	(void)json_object_set_new(o, "org", node_json(&v.node, true));
	(void)json_object_set_new(o, "as_of", month_json(v.month ? v.month : v.effective_month));
	(void)json_object_set_new(o, "effective_month", month_json(v.effective_month));
	json_t *parents = json_array();
	for (size_t i = 0; i < v.nchain; i++)
		(void)json_array_append_new(parents, node_json(&v.chain[i].node, false));
	(void)json_object_set_new(o, "parents", parents);
	json_t *children = json_array();
	for (size_t i = 0; i < v.nchildren; i++)
		(void)json_array_append_new(children, node_json(&v.children[i].node, false));
	(void)json_object_set_new(o, "children", children);
	(void)json_object_set_new(o, "children_count", json_integer((json_int_t)v.nchildren));
	if (strcmp(v.node.code, ORG_ROOT_CODE) == 0)
		(void)json_object_set_new(o, "unassigned_count",
		                          json_integer((json_int_t)v.nunassigned));
	org_view_free(&v);
	*out = o;
	return CADRE_OK;
}

int orgview_children_json(const struct actor *actor, struct store *db, const char *code, int month,
                          const char *after, size_t limit, json_t **out, struct cadre_err *err)
{
	if (limit < 1 || limit > ORGVIEW_PAGE_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "limit must be 1 to %d", ORGVIEW_PAGE_MAX);
	struct org_view v;
	int rc = show(actor, db, code, month, &v, err);
	if (rc != CADRE_OK)
		return rc;
	/* org_show gives the children by code */
	size_t start = 0;
	if (after && *after)
		while (start < v.nchildren && strcmp(v.children[start].node.code, after) <= 0)
			start++;
	size_t end = start + limit < v.nchildren ? start + limit : v.nchildren;
	json_t *o = json_object();
	(void)json_object_set_new(o, "org", str(v.node.code));
	(void)json_object_set_new(o, "as_of", month_json(v.month ? v.month : v.effective_month));
	(void)json_object_set_new(o, "effective_month", month_json(v.effective_month));
	(void)json_object_set_new(o, "limit", json_integer((json_int_t)limit));
	json_t *items = json_array();
	for (size_t i = start; i < end; i++)
		(void)json_array_append_new(items, node_json(&v.children[i].node, false));
	(void)json_object_set_new(o, "items", items);
	(void)json_object_set_new(o, "total", json_integer((json_int_t)v.nchildren));
	(void)json_object_set_new(
	    o, "next_cursor",
	    end < v.nchildren && end > start ? str(v.children[end - 1].node.code) : json_null());
	org_view_free(&v);
	*out = o;
	return CADRE_OK;
}

int orgview_sickness_range(const struct actor *actor, struct store *db, int *first, int *last,
                           struct cadre_err *err)
{
	*first = *last = 0;
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_sickness_range, &st, err)) != CADRE_OK)
		return rc;
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return CADRE_OK;
	if (rc != CADRE_OK)
		return rc;
	if (store_col_i64(st, 0) > 0) {
		*first = (int)store_col_i64(st, 0);
		*last = (int)store_col_i64(st, 1);
	}
	store_reset(st);
	return CADRE_OK;
}

/* the JSON of `cadre kpi sickness --json` keeps 5 decimals of days */
static double round5(double x)
{
	return round(x * 1e5) / 1e5;
}

static double rate_of(int64_t hundredths)
{
	return (double)hundredths / 100.0;
}

/* kpi_json: the keys and figures of `cadre kpi sickness --json`. */
static json_t *kpi_json(const struct sickness_kpi *k)
{
	json_t *months = json_array();
	json_t *missing = json_array();
	int64_t earliest = 0, unassigned = 0;
	for (size_t i = 0; i < k->nmonths; i++) {
		const struct sickness_month *m = &k->months[i];
		if (!m->has_data) {
			(void)json_array_append_new(missing, month_json(m->month));
			continue;
		}
		earliest += m->earliest_rows;
		unassigned += m->unassigned_rows;
		json_t *j = json_object();
		(void)json_object_set_new(j, "month", month_json(m->month));
		(void)json_object_set_new(j, "fte_days_lost", json_real(round5(m->fte_days_lost)));
		(void)json_object_set_new(j, "fte_days_available",
		                          json_real(round5(m->fte_days_available)));
		(void)json_object_set_new(j, "rate_percent",
		                          json_real(rate_of(m->rate_hundredths)));
		(void)json_object_set_new(j, "organisations", json_integer((json_int_t)m->rows));
		(void)json_object_set_new(j, "placed_by_earliest_known_edges",
		                          json_integer((json_int_t)m->earliest_rows));
		(void)json_object_set_new(j, "unassigned",
		                          json_integer((json_int_t)m->unassigned_rows));
		(void)json_array_append_new(months, j);
	}
	json_t *o = json_object();
	(void)json_object_set_new(o, "org", str(k->org.code));
	(void)json_object_set_new(o, "name", str(k->org.name));
	(void)json_object_set_new(o, "kind", str(k->org.kind));
	(void)json_object_set_new(o, "from", month_json(k->from));
	(void)json_object_set_new(o, "to", month_json(k->to));
	(void)json_object_set_new(o, "fte_days_lost", json_real(round5(k->fte_days_lost)));
	(void)json_object_set_new(o, "fte_days_available",
	                          json_real(round5(k->fte_days_available)));
	(void)json_object_set_new(o, "rate_percent", json_real(rate_of(k->rate_hundredths)));
	(void)json_object_set_new(o, "organisation_months", json_integer((json_int_t)k->rows));
	(void)json_object_set_new(o, "months_with_data",
	                          json_integer((json_int_t)k->months_with_data));
	(void)json_object_set_new(o, "placed_by_earliest_known_edges",
	                          json_integer((json_int_t)earliest));
	(void)json_object_set_new(o, "unassigned", json_integer((json_int_t)unassigned));
	(void)json_object_set_new(o, "months", months);
	(void)json_object_set_new(o, "months_without_data", missing);
	if (earliest)
		(void)json_object_set_new(o, "note",
		                          json_string("some organisations were placed by the "
		                                      "earliest known edges: no source covers "
		                                      "those months"));
	return o;
}

static int series_spc(const double *values, const int32_t *months, size_t n, const char *chart_id,
                      const char *title, const char *unit, int decimals, json_t *o,
                      struct cadre_err *err);

/* spc_json: the SPC analysis of the months with figures, for the API
 * ("spc") and the page ("chart").  Both stay null when no month has
 * figures. */
static int spc_json(const struct sickness_kpi *k, json_t *o, struct cadre_err *err)
{
	size_t n = k->months_with_data;
	if (n == 0) {
		(void)json_object_set_new(o, "spc", json_null());
		(void)json_object_set_new(o, "chart", json_null());
		return CADRE_OK;
	}
	double *values = xcalloc(n, sizeof *values);
	int32_t *months = xcalloc(n, sizeof *months);
	size_t j = 0;
	for (size_t i = 0; i < k->nmonths && j < n; i++) {
		if (!k->months[i].has_data)
			continue;
		values[j] = rate_of(k->months[i].rate_hundredths);
		months[j] = k->months[i].month;
		j++;
	}
	int rc = series_spc(values, months, n, ORGVIEW_SICKNESS_CHART_ID, "Sickness absence rate",
	                    "%", 2, o, err);
	free(values);
	free(months);
	return rc;
}

int orgview_sickness_json(const struct actor *actor, struct store *db, const char *code, int from,
                          int to, json_t **out, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!code || !org_code_valid(code, strlen(code)))
		return cadre_err_set(err, CADRE_ENOTFOUND, "no organisation");
	struct org_node node;
	memset(&node, 0, sizeof node);
	if ((rc = org_get(actor, db, code, &node, err)) != CADRE_OK)
		return rc;
	int first = 0, last = 0;
	if ((rc = orgview_sickness_range(actor, db, &first, &last, err)) != CADRE_OK)
		return rc;
	if (!from)
		from = first;
	if (!to)
		to = last;
	json_t *o = NULL;
	if (!from || !to) {
		/* nothing is loaded, and the span was not given in full */
		struct sickness_kpi empty;
		memset(&empty, 0, sizeof empty);
		empty.org = node;
		empty.from = from ? from : to;
		empty.to = to ? to : from;
		o = kpi_json(&empty);
		if (!from && !to) {
			(void)json_object_set_new(o, "from", json_null());
			(void)json_object_set_new(o, "to", json_null());
		}
		(void)json_object_set_new(o, "spc", json_null());
		(void)json_object_set_new(o, "chart", json_null());
		*out = o;
		return CADRE_OK;
	}
	if (from > to)
		return cadre_err_set(err, CADRE_EINVAL, "from (%d) is after to (%d)", from, to);
	if (date_month_diff(from, to) >= 600)
		return cadre_err_set(err, CADRE_EINVAL, "the span is more than 600 months");
	struct sickness_kpi k;
	memset(&k, 0, sizeof k);
	rc = sickness_kpi(actor, db, code, from, to, &k, err);
	if (rc == CADRE_ENOTFOUND) {
		/* the node is visible (org_get said so): no month holds figures */
		memset(&k, 0, sizeof k);
		k.org = node;
		k.from = from;
		k.to = to;
		o = kpi_json(&k);
		json_t *missing = json_object_get(o, "months_without_data");
		for (int m = from; m <= to; m = date_month_add(m, 1))
			(void)json_array_append_new(missing, month_json(m));
		(void)json_object_set_new(o, "spc", json_null());
		(void)json_object_set_new(o, "chart", json_null());
		*out = o;
		return CADRE_OK;
	}
	if (rc != CADRE_OK)
		return rc;
	o = kpi_json(&k);
	rc = spc_json(&k, o, err);
	sickness_kpi_free(&k);
	if (rc != CADRE_OK) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return CADRE_OK;
}

/* ---- staff figures (from the kept monthly statistics, orgstats.h) ---------------- */

static const struct store_sql q_group_names = {
    .name = "orgview_staff_group_names",
    .sql = "SELECT code, name FROM staff_group ORDER BY code",
};

struct group_names {
	char (*code)[24];
	char (*name)[80];
	size_t n;
};

static int group_names_load(struct store *db, struct group_names *g, struct cadre_err *err)
{
	memset(g, 0, sizeof *g);
	struct store_stmt *st;
	int rc = store_prepare(db, &q_group_names, &st, err);
	if (rc != CADRE_OK)
		return rc;
	size_t alloc = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (g->n == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			g->code = xreallocarray(g->code, alloc, sizeof *g->code);
			g->name = xreallocarray(g->name, alloc, sizeof *g->name);
		}
		(void)snprintf(g->code[g->n], sizeof g->code[0], "%s", store_col_text(st, 0));
		(void)snprintf(g->name[g->n], sizeof g->name[0], "%s", store_col_text(st, 1));
		g->n++;
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

static void group_names_free(struct group_names *g)
{
	free(g->code);
	free(g->name);
	memset(g, 0, sizeof *g);
}

static const char *group_name(const struct group_names *g, const char *code)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->code[i], code) == 0)
			return g->name[i];
	return code;
}

/* the JSON figures keep FTE to 4 decimals and WTE and hours to 2, as the
 * command line's --json does */
static double round4(double x)
{
	return round(x * 1e4) / 1e4;
}

/* vacancy_rate: vacancy over establishment as a percentage to 2 places,
 * from the integer units (hundredths of WTE, ten-thousandths of FTE), the
 * formula of `cadre kpi vacancies`. */
static double vacancy_rate(int64_t est100, int64_t vac10k)
{
	if (!est100)
		return 0.0;
	return round((double)vac10k / (double)(est100 * 100) * 10000.0) / 100.0;
}

/* node_for: the visible node with this code (scope checked). */
static int node_for(const struct actor *actor, struct store *db, const char *code,
                    struct org_node *node, struct cadre_err *err)
{
	memset(node, 0, sizeof *node);
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!code || !org_code_valid(code, strlen(code)))
		return cadre_err_set(err, CADRE_ENOTFOUND, "no organisation");
	return org_get(actor, db, code, node, err);
}

int orgview_staff_allowed(const struct actor *actor, struct store *db, int64_t org_id,
                          bool *allowed, struct cadre_err *err)
{
	*allowed = false;
	int rc = policy_check(actor, db, ORGVIEW_FIGURES_PERMISSION, org_id, err);
	if (rc == CADRE_OK) {
		*allowed = true;
		return CADRE_OK;
	}
	if (rc == CADRE_EPERM || rc == CADRE_ENOTFOUND)
		return CADRE_OK; /* not an error: the page says so */
	return rc;
}

/* staff_section: headcount, FTE and the staff-group mix at month. */
static int staff_section(const struct actor *actor, struct store *db, const struct org_node *node,
                         int month, const struct group_names *gn, json_t *o,
                         int64_t *fte10k_by_total, struct cadre_err *err)
{
	struct orgstats_staff_row *rows = NULL;
	size_t n = 0;
	int rc = orgstats_staff_read(actor, db, node->id, month, &rows, &n, err);
	if (rc != CADRE_OK)
		return rc;
	int64_t headcount = 0, assignments = 0;
	double fte = 0.0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].group, ORGSTATS_TOTAL) == 0) {
			headcount = rows[i].headcount;
			fte = rows[i].fte;
			assignments = rows[i].assignments;
		}
	*fte10k_by_total = llround(fte * 10000.0);
	json_t *groups = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct orgstats_staff_row *r = &rows[i];
		if (strcmp(r->group, ORGSTATS_TOTAL) == 0)
			continue;
		json_t *g = json_object();
		(void)json_object_set_new(g, "staff_group", json_string(r->group));
		(void)json_object_set_new(g, "name", str(group_name(gn, r->group)));
		(void)json_object_set_new(g, "headcount", json_integer((json_int_t)r->headcount));
		(void)json_object_set_new(g, "fte", json_real(round4(r->fte)));
		(void)json_object_set_new(
		    g, "fte_percent",
		    json_real(fte > 0 ? round(r->fte / fte * 1000.0) / 10.0 : 0.0));
		(void)json_array_append_new(groups, g);
	}
	free(rows);
	(void)json_object_set_new(o, "headcount", json_integer((json_int_t)headcount));
	(void)json_object_set_new(o, "fte", json_real(round4(fte)));
	(void)json_object_set_new(o, "assignments", json_integer((json_int_t)assignments));
	(void)json_object_set_new(o, "staff_groups", groups);
	return CADRE_OK;
}

/* vacancy_section: funded establishment (org_stats_establishment) less
 * contracted FTE (org_stats_staff) for the month, in total and by staff
 * group; null when no establishment is held for the month. */
static int vacancy_section(const struct actor *actor, struct store *db, const struct org_node *node,
                           int month, const struct group_names *gn, json_t *o,
                           struct cadre_err *err)
{
	struct orgstats_money_row *est = NULL;
	struct orgstats_staff_row *staff = NULL;
	size_t ne = 0, ns = 0;
	int rc =
	    orgstats_money_read(actor, db, ORGSTATS_ESTABLISHMENT, node->id, month, &est, &ne, err);
	if (rc == CADRE_OK)
		rc = orgstats_staff_read(actor, db, node->id, month, &staff, &ns, err);
	if (rc != CADRE_OK) {
		free(est);
		return rc;
	}
	if (ne == 0) {
		(void)json_object_set_new(o, "vacancies", json_null());
		free(staff);
		return CADRE_OK;
	}
	/* the groups of either side, by code (both readers give TOTAL first,
	 * then groups by code) */
	json_t *groups = json_array();
	int64_t t_est = 0, t_con = 0, t_pence = 0;
	size_t i = 0, j = 0;
	while (i < ne || j < ns) {
		if (i < ne && strcmp(est[i].group, ORGSTATS_TOTAL) == 0) {
			t_est = llround(est[i].wte_or_hours * 100.0);
			t_pence = est[i].pence;
			i++;
			continue;
		}
		if (j < ns && strcmp(staff[j].group, ORGSTATS_TOTAL) == 0) {
			t_con = llround(staff[j].fte * 10000.0);
			j++;
			continue;
		}
		int c = i >= ne ? 1 : j >= ns ? -1 : strcmp(est[i].group, staff[j].group);
		const char *code = c <= 0 ? est[i].group : staff[j].group;
		int64_t e100 = c <= 0 ? llround(est[i].wte_or_hours * 100.0) : 0;
		int64_t c10k = c >= 0 ? llround(staff[j].fte * 10000.0) : 0;
		int64_t vac = e100 * 100 - c10k;
		json_t *g = json_object();
		(void)json_object_set_new(g, "staff_group", json_string(code));
		(void)json_object_set_new(g, "name", str(group_name(gn, code)));
		(void)json_object_set_new(g, "establishment_wte", json_real((double)e100 / 100.0));
		(void)json_object_set_new(g, "contracted_fte", json_real((double)c10k / 10000.0));
		(void)json_object_set_new(g, "vacancy_wte", json_real((double)vac / 10000.0));
		(void)json_object_set_new(g, "vacancy_rate_percent",
		                          e100 ? json_real(vacancy_rate(e100, vac)) : json_null());
		(void)json_array_append_new(groups, g);
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	free(est);
	free(staff);
	int64_t vac = t_est * 100 - t_con;
	char mm[DATE_MONTH_SIZE];
	date_month_format(month, mm);
	json_t *v = json_object();
	(void)json_object_set_new(v, "month", json_string(mm));
	(void)json_object_set_new(v, "establishment_wte", json_real((double)t_est / 100.0));
	(void)json_object_set_new(v, "budget_pence", json_integer((json_int_t)t_pence));
	(void)json_object_set_new(v, "contracted_fte", json_real((double)t_con / 10000.0));
	(void)json_object_set_new(v, "vacancy_wte", json_real((double)vac / 10000.0));
	(void)json_object_set_new(v, "vacancy_rate_percent", json_real(vacancy_rate(t_est, vac)));
	(void)json_object_set_new(v, "staff_groups", groups);
	(void)json_object_set_new(o, "vacancies", v);
	return CADRE_OK;
}

/* temporary_section: bank, agency, overtime and locum use in the month
 * (org_stats_temporary's TOTAL rows by type and framework), with each
 * type's share of the temporary hours and the spend as a share of the
 * month's funded pay budget; null when nothing is held for the month. */
static int temporary_section(const struct actor *actor, struct store *db,
                             const struct org_node *node, int month, json_t *o,
                             struct cadre_err *err)
{
	struct orgstats_money_row *rows = NULL, *est = NULL;
	size_t n = 0, ne = 0;
	int rc =
	    orgstats_money_read(actor, db, ORGSTATS_TEMPORARY, node->id, month, &rows, &n, err);
	if (rc == CADRE_OK)
		rc = orgstats_money_read(actor, db, ORGSTATS_ESTABLISHMENT, node->id, month, &est,
		                         &ne, err);
	if (rc != CADRE_OK) {
		free(rows);
		return rc;
	}
	int64_t budget = 0;
	for (size_t i = 0; i < ne; i++)
		if (strcmp(est[i].group, ORGSTATS_TOTAL) == 0)
			budget = est[i].pence;
	free(est);
	int64_t hours100 = 0, shifts = 0, pence = 0, off = 0, bank100 = 0, agency100 = 0;
	int64_t bank_p = 0, agency_p = 0;
	size_t ntotal = 0;
	for (size_t i = 0; i < n; i++) {
		const struct orgstats_money_row *r = &rows[i];
		if (strcmp(r->group, ORGSTATS_TOTAL) != 0)
			continue;
		ntotal++;
		int64_t h = llround(r->wte_or_hours * 100.0);
		hours100 += h;
		shifts += r->shifts;
		pence += r->pence;
		if (strcmp(r->staffing_type, "bank") == 0) {
			bank100 += h;
			bank_p += r->pence;
		} else if (strcmp(r->staffing_type, "agency") == 0) {
			agency100 += h;
			agency_p += r->pence;
			if (strcmp(r->framework, "off") == 0)
				off += r->pence;
		}
	}
	if (ntotal == 0) {
		free(rows);
		(void)json_object_set_new(o, "temporary_staffing", json_null());
		return CADRE_OK;
	}
	json_t *types = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct orgstats_money_row *r = &rows[i];
		if (strcmp(r->group, ORGSTATS_TOTAL) != 0)
			continue;
		int64_t h = llround(r->wte_or_hours * 100.0);
		json_t *t = json_object();
		(void)json_object_set_new(t, "staffing_type", json_string(r->staffing_type));
		(void)json_object_set_new(t, "framework", json_string(r->framework));
		(void)json_object_set_new(t, "hours", json_real((double)h / 100.0));
		(void)json_object_set_new(t, "shifts", json_integer((json_int_t)r->shifts));
		(void)json_object_set_new(t, "spend_pence", json_integer((json_int_t)r->pence));
		(void)json_object_set_new(t, "hours_percent",
		                          json_real(quality_percent(h, hours100)));
		(void)json_array_append_new(types, t);
	}
	free(rows);
	char mm[DATE_MONTH_SIZE];
	date_month_format(month, mm);
	json_t *t = json_object();
	(void)json_object_set_new(t, "month", json_string(mm));
	(void)json_object_set_new(t, "hours", json_real((double)hours100 / 100.0));
	(void)json_object_set_new(t, "shifts", json_integer((json_int_t)shifts));
	(void)json_object_set_new(t, "spend_pence", json_integer((json_int_t)pence));
	(void)json_object_set_new(t, "agency_off_framework_pence", json_integer((json_int_t)off));
	(void)json_object_set_new(t, "bank_hours", json_real((double)bank100 / 100.0));
	(void)json_object_set_new(t, "bank_spend_pence", json_integer((json_int_t)bank_p));
	(void)json_object_set_new(t, "agency_hours", json_real((double)agency100 / 100.0));
	(void)json_object_set_new(t, "agency_spend_pence", json_integer((json_int_t)agency_p));
	(void)json_object_set_new(t, "bank_hours_percent",
	                          json_real(quality_percent(bank100, hours100)));
	(void)json_object_set_new(t, "agency_hours_percent",
	                          json_real(quality_percent(agency100, hours100)));
	(void)json_object_set_new(t, "budget_pence", json_integer((json_int_t)budget));
	(void)json_object_set_new(t, "spend_percent_of_budget",
	                          budget > 0 ? json_real(quality_percent(pence, budget))
	                                     : json_null());
	(void)json_object_set_new(t, "by_type", types);
	(void)json_object_set_new(o, "temporary_staffing", t);
	return CADRE_OK;
}

int orgview_staff_month(const struct actor *actor, struct store *db, int month, int *use,
                        int *first, int *last, struct cadre_err *err)
{
	*use = 0;
	int rc = orgstats_staff_months(actor, db, first, last, err);
	if (rc != CADRE_OK)
		return rc;
	if (!*first)
		return CADRE_OK;
	if (!month)
		*use = *last;
	else if (month >= *first && month <= *last)
		*use = month;
	return CADRE_OK;
}

int orgview_staff_json(const struct actor *actor, struct store *db, const char *code, int month,
                       json_t **out, struct cadre_err *err)
{
	*out = NULL;
	struct org_node node;
	int rc = node_for(actor, db, code, &node, err);
	if (rc != CADRE_OK)
		return rc;
	bool allowed = false;
	if ((rc = orgview_staff_allowed(actor, db, node.id, &allowed, err)) != CADRE_OK)
		return rc;
	json_t *o = json_object();
	(void)json_object_set_new(o, "org", str(node.code));
	(void)json_object_set_new(o, "name", str(node.name));
	(void)json_object_set_new(o, "kind", str(node.kind));
	if (!allowed) {
		(void)json_object_set_new(o, "loaded", json_false());
		(void)json_object_set_new(o, "allowed", json_false());
		(void)json_object_set_new(
		    o, "message",
		    json_string("Your role does not include workforce figures for this "
		                "organisation."));
		*out = o;
		return CADRE_OK;
	}
	(void)json_object_set_new(o, "allowed", json_true());
	int use = 0, first = 0, last = 0;
	if ((rc = orgview_staff_month(actor, db, month, &use, &first, &last, err)) != CADRE_OK)
		goto fail;
	if (!use) {
		(void)json_object_set_new(o, "loaded", json_false());
		char msg[120];
		char mm[DATE_MONTH_SIZE];
		date_month_format(month, mm);
		if (!first)
			(void)snprintf(msg, sizeof msg, "No staff data loaded.");
		else
			(void)snprintf(msg, sizeof msg, "No staff figures are held for %s.", mm);
		(void)json_object_set_new(o, "message", json_string(msg));
		*out = o;
		return CADRE_OK;
	}
	bool fresh = true;
	if ((rc = orgstats_fresh(actor, db, ORGSTATS_STAFF, &fresh, err)) != CADRE_OK)
		goto fail;
	struct group_names gn;
	if ((rc = group_names_load(db, &gn, err)) != CADRE_OK)
		goto fail;
	(void)json_object_set_new(o, "loaded", json_true());
	(void)json_object_set_new(o, "month", month_json(use));
	(void)json_object_set_new(o, "first_month", month_json(first));
	(void)json_object_set_new(o, "last_month", month_json(last));
	(void)json_object_set_new(o, "current", json_boolean(fresh));
	int64_t fte10k = 0;
	rc = staff_section(actor, db, &node, use, &gn, o, &fte10k, err);
	if (rc == CADRE_OK)
		rc = vacancy_section(actor, db, &node, use, &gn, o, err);
	if (rc == CADRE_OK)
		rc = temporary_section(actor, db, &node, use, o, err);
	group_names_free(&gn);
	if (rc != CADRE_OK)
		goto fail;
	*out = o;
	return CADRE_OK;
fail:
	json_decref(o);
	return rc;
}

/* ---- trends --------------------------------------------------------------------- */

struct trend_def {
	const char *measure;
	const char *title;
	const char *unit;
	int decimals;
	enum orgseries_measure series;
};

static const struct trend_def trend_defs[] = {
    {"sickness-rate", "Sickness absence rate", "%", 2, ORGSERIES_SICKNESS_RATE},
    {"vacancy-rate", "Vacancy rate", "%", 2, ORGSERIES_VACANCY_RATE},
    {"temporary-spend", "Temporary staffing spend", "£", 0, ORGSERIES_TEMP_SPEND},
};

bool orgview_trend_valid(const char *measure)
{
	for (size_t i = 0; i < sizeof trend_defs / sizeof trend_defs[0]; i++)
		if (measure && strcmp(trend_defs[i].measure, measure) == 0)
			return true;
	return false;
}

/* series_spc: the SPC analysis ("spc") and the page's chart ("chart") of
 * n points, set on o. */
static int series_spc(const double *values, const int32_t *months, size_t n, const char *chart_id,
                      const char *title, const char *unit, int decimals, json_t *o,
                      struct cadre_err *err)
{
	struct spc_options opt = {.direction = SPC_DIRECTION_LOWER};
	struct spc_result res;
	struct spc_chart ch;
	int rc = spc_compute(&res, values, n, &opt, err);
	if (rc != CADRE_OK)
		return rc;
	rc = spc_chart_prepare(&ch, &res, months, chart_id, title, unit, decimals, err);
	if (rc != CADRE_OK) {
		spc_result_free(&res);
		return rc;
	}
	json_t *s = json_object();
	(void)json_object_set_new(s, "chart", json_string(res.run_chart ? "run" : "xmr"));
	(void)json_object_set_new(s, "direction", json_string("lower"));
	(void)json_object_set_new(s, "centre_line", json_string(res.run_chart ? "median" : "mean"));
	(void)json_object_set_new(s, "variation", json_string(spc_variation_name(res.variation)));
	(void)json_object_set_new(s, "variation_text",
	                          json_string(spc_variation_label(res.variation)));
	(void)json_object_set_new(s, "assurance", json_string(spc_assurance_name(res.assurance)));
	(void)json_object_set_new(s, "assurance_text",
	                          json_string(spc_assurance_label(res.assurance)));
	(void)json_object_set_new(s, "target", json_null());
	char why[200];
	if (res.run_chart)
		(void)snprintf(
		    why, sizeof why,
		    "%zu months of figures, fewer than %d months: a run chart, without process "
		    "limits.",
		    n, SPC_MIN_POINTS);
	else
		(void)snprintf(why, sizeof why,
		               "%zu months: an XmR chart with process limits at the mean plus or "
		               "minus 2.66 times the mean moving range.",
		               n);
	(void)json_object_set_new(s, "explanation", json_string(why));
	json_t *pts = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct chart_spc_point *p = &ch.data.points[i];
		json_t *pj = json_object();
		(void)json_object_set_new(pj, "month", month_json(p->month));
		(void)json_object_set_new(pj, "value", json_real(p->value));
		(void)json_object_set_new(pj, "centre", json_real(p->centre));
		(void)json_object_set_new(pj, "lower_limit",
		                          res.run_chart ? json_null() : json_real(p->lpl));
		(void)json_object_set_new(pj, "upper_limit",
		                          res.run_chart ? json_null() : json_real(p->upl));
		(void)json_object_set_new(pj, "cause", json_string(p->cause));
		(void)json_object_set_new(pj, "signal", str(p->signal));
		(void)json_array_append_new(pts, pj);
	}
	(void)json_object_set_new(s, "points", pts);
	(void)json_object_set_new(o, "spc", s);
	(void)json_object_set_new(o, "chart", chart_spc_json(&ch.data));
	spc_chart_free(&ch);
	spc_result_free(&res);
	return CADRE_OK;
}

int orgview_trend_json(const struct actor *actor, struct store *db, const char *code,
                       const char *measure, int from, int to, json_t **out, struct cadre_err *err)
{
	*out = NULL;
	const struct trend_def *def = NULL;
	for (size_t i = 0; i < sizeof trend_defs / sizeof trend_defs[0]; i++)
		if (measure && strcmp(trend_defs[i].measure, measure) == 0)
			def = &trend_defs[i];
	if (!def)
		return cadre_err_set(err, CADRE_EINVAL, "no such trend: %s",
		                     measure ? measure : "");
	struct org_node node;
	int rc = node_for(actor, db, code, &node, err);
	if (rc != CADRE_OK)
		return rc;
	bool allowed = false;
	if ((rc = orgview_staff_allowed(actor, db, node.id, &allowed, err)) != CADRE_OK)
		return rc;
	if (!allowed)
		return cadre_err_set(err, CADRE_EPERM,
		                     "your role does not include workforce figures for %s",
		                     node.code);
	if (from && to && from > to)
		return cadre_err_set(err, CADRE_EINVAL, "from is after to");
	/* the default span: the ORGVIEW_TREND_MONTHS months up to the latest
	 * staff month (or the latest published sickness month) */
	if (!to) {
		int first = 0, last = 0, sfirst = 0, slast = 0;
		if ((rc = orgstats_staff_months(actor, db, &first, &last, err)) != CADRE_OK ||
		    (rc = orgview_sickness_range(actor, db, &sfirst, &slast, err)) != CADRE_OK)
			return rc;
		to = last > slast ? last : slast;
		if (from && to && from > to)
			to = from;
	}
	json_t *o = json_object();
	(void)json_object_set_new(o, "org", str(node.code));
	(void)json_object_set_new(o, "name", str(node.name));
	(void)json_object_set_new(o, "measure", json_string(def->measure));
	(void)json_object_set_new(o, "title", json_string(def->title));
	(void)json_object_set_new(o, "unit", json_string(def->unit));
	if (!to) {
		/* nothing is held at all */
		(void)json_object_set_new(o, "from", json_null());
		(void)json_object_set_new(o, "to", json_null());
		(void)json_object_set_new(o, "months", json_array());
		(void)json_object_set_new(o, "months_without_data", json_array());
		(void)json_object_set_new(o, "synthetic", json_false());
		(void)json_object_set_new(o, "spc", json_null());
		(void)json_object_set_new(o, "chart", json_null());
		*out = o;
		return CADRE_OK;
	}
	if (!from) {
		/* the default span starts where the actor's grants cover the
		 * node through to the end (a grant over an ICB does not cover
		 * its trusts in the months before the ICB existed) */
		from = date_month_add(to, -(ORGVIEW_TREND_MONTHS - 1));
		while (from < to) {
			struct cadre_err e;
			int sc = org_scope_check(actor, db, node.id, from, to, &e);
			if (sc == CADRE_OK)
				break;
			if (sc != CADRE_ENOTFOUND) {
				json_decref(o);
				*err = e;
				return sc;
			}
			from = date_month_add(from, 1);
		}
	}
	if (date_month_diff(from, to) >= ORGSERIES_MONTHS_MAX) {
		json_decref(o);
		return cadre_err_set(err, CADRE_EINVAL, "ask for at most %d months",
		                     ORGSERIES_MONTHS_MAX);
	}
	struct orgseries s;
	memset(&s, 0, sizeof s);
	if ((rc = orgseries_get(actor, db, node.code, def->series, ORGSERIES_ALL_TYPES, from, to,
	                        &s, err)) != CADRE_OK) {
		orgseries_free(&s);
		json_decref(o);
		return rc;
	}
	double *values = xcalloc(s.n + 1, sizeof *values);
	int32_t *months = xcalloc(s.n + 1, sizeof *months);
	size_t n = 0;
	json_t *series = json_array(), *missing = json_array();
	for (size_t i = 0; i < s.n; i++) {
		const struct orgseries_point *p = &s.points[i];
		if (!p->present) {
			(void)json_array_append_new(missing, month_json(p->month));
			continue;
		}
		values[n] = p->value;
		months[n] = p->month;
		n++;
		(void)json_array_append_new(series, json_pack("{s:o, s:f, s:b}", "month",
		                                              month_json(p->month), "value",
		                                              p->value, "synthetic", p->synthetic));
	}
	(void)json_object_set_new(o, "from", month_json(from));
	(void)json_object_set_new(o, "to", month_json(to));
	(void)json_object_set_new(o, "months", series);
	(void)json_object_set_new(o, "months_without_data", missing);
	(void)json_object_set_new(o, "synthetic", json_boolean(s.synthetic));
	orgseries_free(&s);
	rc = CADRE_OK;
	if (n == 0) {
		(void)json_object_set_new(o, "spc", json_null());
		(void)json_object_set_new(o, "chart", json_null());
	} else {
		char id[48];
		(void)snprintf(id, sizeof id, "%s-trend", def->measure);
		rc =
		    series_spc(values, months, n, id, def->title, def->unit, def->decimals, o, err);
	}
	free(values);
	free(months);
	if (rc != CADRE_OK) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return CADRE_OK;
}

/* ---- the actor's own top node --------------------------------------------------- */

static const struct store_sql q_org_code = {
    .name = "orgview_org_code",
    .sql = "SELECT code FROM org WHERE id = $1",
};

int orgview_home(const struct actor *actor, struct store *db, struct org_node *out,
                 struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	rc = org_get(actor, db, ORG_ROOT_CODE, out, err);
	if (rc != CADRE_ENOTFOUND)
		return rc;
	int64_t ids[16];
	size_t n = 0;
	bool all = false;
	policy_grant_orgs(actor, "org.read", ids, sizeof ids / sizeof ids[0], &n, &all);
	for (size_t i = 0; i < n; i++) {
		struct store_stmt *st;
		if ((rc = store_prepare(db, &q_org_code, &st, err)) != CADRE_OK)
			return rc;
		store_bind_i64(st, 1, ids[i]);
		rc = store_step(st, err);
		if (rc == CADRE_DONE)
			continue;
		if (rc != CADRE_OK)
			return rc;
		char code[ORG_CODE_MAX];
		(void)snprintf(code, sizeof code, "%s", store_col_text(st, 0));
		store_reset(st);
		rc = org_get(actor, db, code, out, err);
		if (rc != CADRE_ENOTFOUND)
			return rc;
	}
	return cadre_err_set(err, CADRE_ENOTFOUND, "no organisation");
}

/* ---- data quality --------------------------------------------------------------- */

/* allowed_to: actor holds permission over org_id (false, not an error, when
 * not). */
static int allowed_to(const struct actor *actor, struct store *db, const char *permission,
                      int64_t org_id, bool *yes, struct cadre_err *err)
{
	*yes = false;
	int rc = policy_check(actor, db, permission, org_id, err);
	if (rc == CADRE_OK)
		*yes = true;
	return rc == CADRE_OK || rc == CADRE_EPERM || rc == CADRE_ENOTFOUND ? CADRE_OK : rc;
}

/* what each check counts, for "n of N" */
static const char *check_of(enum quality_check c)
{
	switch (c) {
	case QUALITY_NO_IDENTIFIER:
	case QUALITY_ETHNICITY_NOT_STATED:
	case QUALITY_ETHNICITY_NOT_KNOWN:
	case QUALITY_DISABILITY_NOT_DECLARED: return "staff records in post";
	case QUALITY_CC_NO_STAFF:
	case QUALITY_CC_NO_BUDGET: return "cost centres";
	case QUALITY_MANAGERS_NOT_IN_POST: return "managers";
	default: return "assignments in post";
	}
}

static int64_t check_base(const struct quality_report *r, enum quality_check c)
{
	switch (c) {
	case QUALITY_NO_IDENTIFIER:
	case QUALITY_ETHNICITY_NOT_STATED:
	case QUALITY_ETHNICITY_NOT_KNOWN:
	case QUALITY_DISABILITY_NOT_DECLARED: return r->staff_in_post;
	case QUALITY_CC_NO_STAFF:
	case QUALITY_CC_NO_BUDGET: return 0; /* a count, not a share */
	case QUALITY_MANAGERS_NOT_IN_POST: return r->managers;
	default: return r->assignments_in_post;
	}
}

int orgview_quality_json(const struct actor *actor, struct store *db, const char *code,
                         const char *as_of, json_t **out, struct cadre_err *err)
{
	*out = NULL;
	struct org_node node;
	int rc = node_for(actor, db, code, &node, err);
	if (rc != CADRE_OK)
		return rc;
	bool rows_ok = false, protected_ok = false;
	if ((rc = allowed_to(actor, db, "people.read", node.id, &rows_ok, err)) != CADRE_OK ||
	    (rc = allowed_to(actor, db, "people.protected.read", node.id, &protected_ok, err)) !=
	        CADRE_OK)
		return rc;
	char latest[11];
	if ((rc = people_latest_extract(actor, db, latest, err)) != CADRE_OK)
		return rc;
	json_t *o = json_object();
	(void)json_object_set_new(o, "org", str(node.code));
	(void)json_object_set_new(o, "name", str(node.name));
	(void)json_object_set_new(o, "kind", str(node.kind));
	if (!latest[0] && !as_of) {
		(void)json_object_set_new(o, "loaded", json_false());
		(void)json_object_set_new(o, "message",
		                          json_string("No staff extract has been imported."));
		*out = o;
		return CADRE_OK;
	}
	struct quality_report *r = xcalloc(1, sizeof *r);
	if ((rc = quality_report(actor, db, code, as_of, r, err)) != CADRE_OK) {
		free(r);
		json_decref(o);
		return rc;
	}
	(void)json_object_set_new(o, "loaded", json_true());
	(void)json_object_set_new(o, "as_of", json_string(r->as_of));
	(void)json_object_set_new(o, "assignments", json_integer((json_int_t)r->assignments));
	(void)json_object_set_new(o, "assignments_in_post",
	                          json_integer((json_int_t)r->assignments_in_post));
	(void)json_object_set_new(o, "staff_in_post", json_integer((json_int_t)r->staff_in_post));
	(void)json_object_set_new(o, "managers", json_integer((json_int_t)r->managers));
	(void)json_object_set_new(o, "rows_allowed", json_boolean(rows_ok));
	(void)json_object_set_new(o, "protected_rows_allowed",
	                          json_boolean(rows_ok && protected_ok));
	json_t *checks = json_array();
	for (int i = 0; i < QUALITY_CHECK_COUNT; i++) {
		enum quality_check c = (enum quality_check)i;
		int64_t n = quality_check_count(r, c);
		int64_t base = check_base(r, c);
		json_t *j = json_object();
		(void)json_object_set_new(j, "check", json_string(quality_check_name(c)));
		(void)json_object_set_new(j, "title", json_string(quality_check_title(c)));
		(void)json_object_set_new(j, "count", json_integer((json_int_t)n));
		(void)json_object_set_new(j, "of", json_string(check_of(c)));
		(void)json_object_set_new(j, "base",
		                          base ? json_integer((json_int_t)base) : json_null());
		(void)json_object_set_new(j, "percent",
		                          base ? json_real(quality_percent(n, base)) : json_null());
		(void)json_object_set_new(j, "protected", json_boolean(quality_check_protected(c)));
		(void)json_array_append_new(checks, j);
	}
	(void)json_object_set_new(o, "checks", checks);
	(void)json_object_set_new(o, "not_held",
	                          json_pack("[s, s]", "religion", "sexual_orientation"));
	free(r);
	*out = o;
	return CADRE_OK;
}

int orgview_quality_rows_json(const struct actor *actor, struct store *db, const char *code,
                              const char *as_of, const char *check, const char *after, size_t limit,
                              json_t **out, struct cadre_err *err)
{
	*out = NULL;
	enum quality_check c;
	if (!quality_check_parse(check, &c))
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such check");
	struct org_node node;
	int rc = node_for(actor, db, code, &node, err);
	if (rc != CADRE_OK)
		return rc;
	struct quality_rows q;
	if ((rc = quality_rows(actor, db, code, as_of, c, after, limit, &q, err)) != CADRE_OK)
		return rc;
	json_t *items = json_array();
	for (size_t i = 0; i < q.n; i++) {
		const struct quality_row *x = &q.v[i];
		json_t *j = json_object();
		(void)json_object_set_new(j, "org", str(x->org));
		(void)json_object_set_new(j, "staff_ref", str(x->staff_ref));
		(void)json_object_set_new(j, "assignment", str(x->assignment));
		(void)json_object_set_new(j, "cost_centre", str(x->cost_centre));
		(void)json_object_set_new(j, "detail", str(x->detail));
		(void)json_array_append_new(items, j);
	}
	json_t *o = json_object();
	(void)json_object_set_new(o, "org", str(q.org.code));
	(void)json_object_set_new(o, "name", str(q.org.name));
	(void)json_object_set_new(o, "check", json_string(quality_check_name(c)));
	(void)json_object_set_new(o, "title", json_string(quality_check_title(c)));
	(void)json_object_set_new(o, "as_of", json_string(q.as_of));
	(void)json_object_set_new(o, "limit", json_integer((json_int_t)limit));
	(void)json_object_set_new(o, "items", items);
	(void)json_object_set_new(o, "total", json_integer((json_int_t)q.total));
	(void)json_object_set_new(o, "next_cursor", q.next[0] ? json_string(q.next) : json_null());
	quality_rows_free(&q);
	*out = o;
	return CADRE_OK;
}
