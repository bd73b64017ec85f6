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
#include "domain/sickness.h"
#include "domain/spc.h"
#include "io/chart_json.h"
#include "store/store.h"

static const struct store_sql q_sickness_range = {
    .name = "orgview_sickness_range",
    .sql = "SELECT COUNT(*), COALESCE(MIN(month), 0), COALESCE(MAX(month), 0) "
           "FROM sickness_absence",
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
		*first = (int)store_col_i64(st, 1);
		*last = (int)store_col_i64(st, 2);
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
	struct spc_options opt = {.direction = SPC_DIRECTION_LOWER};
	struct spc_result res;
	struct spc_chart ch;
	int rc = spc_compute(&res, values, n, &opt, err);
	if (rc != CADRE_OK)
		goto done;
	rc = spc_chart_prepare(&ch, &res, months, ORGVIEW_SICKNESS_CHART_ID,
	                       "Sickness absence rate", "%", 2, err);
	if (rc != CADRE_OK) {
		spc_result_free(&res);
		goto done;
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
done:
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

int orgview_staff_json(const struct actor *actor, struct store *db, const char *code, int month,
                       json_t **out, struct cadre_err *err)
{
	(void)db;
	(void)code;
	(void)month;
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	*out = json_pack("{s:b, s:s}", "loaded", 0, "message", "No staff data loaded.");
	return *out ? CADRE_OK : cadre_err_set(err, CADRE_EINTERNAL, "staff: no JSON");
}
