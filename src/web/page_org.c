/* page_org: the organisation browser (England -> region -> ICB -> trust,
 * and below when those levels are loaded) and its JSON API.
 *
 * Each page and API reply is built from the domain's JSON (orgview.h), so
 * the page and the API show the same figures.  Query parameters are
 * checked here: a bad one is a 400 naming it (problem+json on the API,
 * where unknown parameters are refused too, so a misspelt filter never
 * passes silently).  Pagination of lists is `limit` (1 to 200, default 50)
 * and `cursor` (the opaque next_cursor of the previous page); docs/web.md
 * describes it. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/date.h"
#include "base/num.h"
#include "domain/org.h"
#include "domain/orgview.h"
#include "domain/quality.h"
#include "web/router.h"
#include "web_routes.h"

static const char *const month_names[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};

/* month_label: "December 2024" for "2024-12" (a month the domain wrote). */
static void month_label(const char *ym, char *out, size_t cap)
{
	int m = 0;
	struct cadre_err e;
	if (!ym || date_month_parse(ym, strlen(ym), &m, &e) != CADRE_OK) {
		(void)snprintf(out, cap, "%s", ym ? ym : "");
		return;
	}
	(void)snprintf(out, cap, "%s %d", month_names[m % 100 - 1], m / 100);
}

/* bad_param: a 400 naming the query parameter (a field error, so the
 * problem+json lists it under "errors"). */
static int bad_param(struct web_response *resp, struct cadre_err *err, const char *name,
                     const char *why)
{
	web_resp_field_error(resp, name, why);
	return web_fail(resp, err, 400, "The query parameter %s is not valid: %s", name, why);
}

/* query_one: the single value of name in the query, NULL when absent; a
 * repeated parameter is a 400. */
static int query_one(struct web_request *req, struct web_response *resp, const char *name,
                     const char **out, struct cadre_err *err)
{
	*out = NULL;
	const struct form *q;
	int rc = web_req_query(req, &q, err);
	if (rc != CADRE_OK)
		return web_fail(resp, err, 400, "%s", err->msg);
	if (form_count(q, name) > 1)
		return bad_param(resp, err, name, "give it once");
	*out = form_get(q, name);
	return CADRE_OK;
}

/* only_params: a 400 naming the first query parameter that is not one of
 * the allowed (NULL-terminated) names. */
static int only_params(struct web_request *req, struct web_response *resp,
                       const char *const *allowed, struct cadre_err *err)
{
	const struct form *q;
	int rc = web_req_query(req, &q, err);
	if (rc != CADRE_OK)
		return web_fail(resp, err, 400, "%s", err->msg);
	for (size_t i = 0; i < q->count; i++) {
		bool ok = false;
		for (size_t j = 0; allowed[j]; j++)
			if (strcmp(q->fields[i].name, allowed[j]) == 0)
				ok = true;
		if (!ok)
			return bad_param(resp, err, q->fields[i].name,
			                 "this address takes no such parameter");
	}
	return CADRE_OK;
}

/* month_param: the month in parameter name ("YYYY-MM"), 0 when absent. */
static int month_param(struct web_request *req, struct web_response *resp, const char *name,
                       int *month, struct cadre_err *err)
{
	const char *v = NULL;
	*month = 0;
	int rc = query_one(req, resp, name, &v, err);
	if (rc != CADRE_OK || !v)
		return rc;
	struct cadre_err e;
	if (date_month_parse(v, strlen(v), month, &e) != CADRE_OK || *month < 190001 ||
	    *month > 999912)
		return bad_param(resp, err, name, "enter a month as YYYY-MM, for example 2024-12");
	return CADRE_OK;
}

static int reply_json(struct web_response *resp, json_t *o, struct cadre_err *err)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(o);
	if (!text)
		return cadre_err_set(err, CADRE_EINTERNAL, "JSON output failed");
	resp->content_type = "application/json";
	int rc = web_resp_puts(resp, text, err);
	free(text);
	if (rc == CADRE_OK)
		rc = web_resp_puts(resp, "\n", err);
	return rc;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static json_t *link(const char *code, const char *as_of_query)
{
	char href[96];
	(void)snprintf(href, sizeof href, "/orgs/%s%s", code, as_of_query);
	return json_string(href);
}

/* thousands: x rounded to places decimals with thousands separators. */
static void thousands(double x, int places, char *out, size_t n)
{
	char raw[64];
	(void)snprintf(raw, sizeof raw, "%.*f", places, x);
	const char *dot = strchr(raw, '.');
	size_t len = strlen(raw);
	size_t intlen = dot ? (size_t)(dot - raw) : len;
	size_t lead = raw[0] == '-' ? 1 : 0;
	size_t o = 0;
	for (size_t i = 0; i < len && o + 2 < n; i++) {
		if (i > lead && i < intlen && (intlen - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = raw[i];
	}
	out[o] = '\0';
}

/* sickness_ctx: the page's sickness section from orgview_sickness_json's
 * reply (borrowed): false when there are no figures. */
static json_t *sickness_ctx(const json_t *k)
{
	const json_t *chart = json_object_get(k, "chart");
	const json_t *spc = json_object_get(k, "spc");
	if (!json_is_object(chart) || !json_is_object(spc))
		return json_false();
	char from[32], to[32], lost[48], avail[48], rate[32];
	month_label(jstr(k, "from"), from, sizeof from);
	month_label(jstr(k, "to"), to, sizeof to);
	thousands(json_number_value(json_object_get(k, "fte_days_lost")), 0, lost, sizeof lost);
	thousands(json_number_value(json_object_get(k, "fte_days_available")), 0, avail,
	          sizeof avail);
	(void)snprintf(rate, sizeof rate, "%.2f%%",
	               json_number_value(json_object_get(k, "rate_percent")));
	json_t *missing = json_object_get(k, "months_without_data");
	return json_pack("{s:O, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "chart", chart,
	                 "from", from, "to", to, "rate", rate, "lost", lost, "available", avail,
	                 "explanation", jstr(spc, "explanation"), "variation_text",
	                 jstr(spc, "variation_text"), "centre_line", jstr(spc, "centre_line"),
	                 "months_without_data", (json_int_t)json_array_size(missing));
}

/* ---- tables for the staff sections -------------------------------------- */

static json_t *cell(const char *text, bool numeric, bool header)
{
	return json_pack("{s:s, s:b, s:b, s:b}", "text", text, "numeric", numeric, "header", header,
	                 "href", 0);
}

static json_t *num_cell(double x, int places)
{
	char t[64];
	thousands(x, places, t, sizeof t);
	return cell(t, true, false);
}

static json_t *pct_cell(const json_t *v)
{
	char t[32];
	if (!json_is_number(v))
		return cell("no establishment", true, false);
	(void)snprintf(t, sizeof t, "%.1f%%", json_number_value(v));
	return cell(t, true, false);
}

static json_t *money_text(json_int_t pence)
{
	char t[64], out[72];
	thousands((double)pence / 100.0, 0, t, sizeof t);
	if (t[0] == '-')
		(void)snprintf(out, sizeof out, "-£%s", t + 1);
	else
		(void)snprintf(out, sizeof out, "£%s", t);
	return json_string(out);
}

/* table: {caption, head [{text, numeric}], rows []} with the heads given
 * as "Name" or "#Name" (numeric). */
static json_t *table_new(const char *caption, const char *const *heads, size_t n)
{
	json_t *head = json_array();
	for (size_t i = 0; i < n; i++) {
		bool numeric = heads[i][0] == '#';
		(void)json_array_append_new(head, json_pack("{s:s, s:b}", "text",
		                                            heads[i] + (numeric ? 1 : 0), "numeric",
		                                            numeric));
	}
	return json_pack("{s:s, s:o, s:[]}", "caption", caption, "head", head, "rows");
}

static void table_add(json_t *table, json_t *cells)
{
	(void)json_array_append_new(json_object_get(table, "rows"),
	                            json_pack("{s:o}", "cells", cells));
}

static json_t *row_kv(const char *key, json_t *value)
{
	return json_pack("{s:s, s:o, s:b}", "key", key, "value", value, "action", 0);
}

static json_t *fmt_num(double x, int places)
{
	char t[64];
	thousands(x, places, t, sizeof t);
	return json_string(t);
}

static const char *type_label(const char *type, const char *framework)
{
	if (strcmp(type, "agency") == 0)
		return strcmp(framework, "off") == 0 ? "Agency, off framework"
		                                     : "Agency, on framework";
	if (strcmp(type, "bank") == 0)
		return "Bank";
	if (strcmp(type, "overtime") == 0)
		return "Overtime";
	if (strcmp(type, "locum") == 0)
		return "Locum (direct)";
	return type;
}

/* staff_ctx: the staff sections' context from orgview_staff_json's reply
 * (borrowed): {loaded, message, month, summary, groups, vacancies,
 * temporary}. */
static json_t *staff_ctx(const json_t *s, const char *org_name)
{
	if (!json_is_true(json_object_get(s, "loaded")))
		return json_pack("{s:b, s:s}", "loaded", 0, "message", jstr(s, "message"));
	char month[32], caption[300];
	month_label(jstr(s, "month"), month, sizeof month);
	json_t *summary = json_pack("{s:[]}", "rows");
	json_t *rows = json_object_get(summary, "rows");
	(void)json_array_append_new(
	    rows, row_kv("Headcount (people)",
	                 fmt_num((double)json_integer_value(json_object_get(s, "headcount")), 0)));
	(void)json_array_append_new(
	    rows, row_kv("Full-time equivalent",
	                 fmt_num(json_number_value(json_object_get(s, "fte")), 2)));
	(void)json_array_append_new(
	    rows,
	    row_kv("Assignments in post",
	           fmt_num((double)json_integer_value(json_object_get(s, "assignments")), 0)));

	static const char *const gh[] = {"Staff group", "#Headcount", "#FTE", "#Share of FTE"};
	(void)snprintf(caption, sizeof caption, "Staff in post by staff group, %s, %s", org_name,
	               month);
	json_t *groups = table_new(caption, gh, 4);
	const json_t *sg = json_object_get(s, "staff_groups");
	for (size_t i = 0; i < json_array_size(sg); i++) {
		const json_t *g = json_array_get(sg, i);
		char pct[32];
		(void)snprintf(pct, sizeof pct, "%.1f%%",
		               json_number_value(json_object_get(g, "fte_percent")));
		table_add(
		    groups,
		    json_pack(
		        "[o, o, o, o]", cell(jstr(g, "name"), false, true),
		        num_cell((double)json_integer_value(json_object_get(g, "headcount")), 0),
		        num_cell(json_number_value(json_object_get(g, "fte")), 2),
		        cell(pct, true, false)));
	}
	if (json_array_size(sg) == 0) {
		json_decref(groups);
		groups = json_false();
	}

	json_t *vac = json_false();
	const json_t *v = json_object_get(s, "vacancies");
	if (json_is_object(v)) {
		char rate[32];
		(void)snprintf(rate, sizeof rate, "%.2f%%",
		               json_number_value(json_object_get(v, "vacancy_rate_percent")));
		json_t *vs = json_pack(
		    "{s:[o, o, o, o, o]}", "rows",
		    row_kv("Funded establishment (WTE)",
		           fmt_num(json_number_value(json_object_get(v, "establishment_wte")), 2)),
		    row_kv("Contracted (FTE)",
		           fmt_num(json_number_value(json_object_get(v, "contracted_fte")), 2)),
		    row_kv("Vacancy (WTE)",
		           fmt_num(json_number_value(json_object_get(v, "vacancy_wte")), 2)),
		    row_kv("Vacancy rate", json_string(rate)),
		    row_kv("Funded pay budget",
		           money_text(json_integer_value(json_object_get(v, "budget_pence")))));
		static const char *const vh[] = {"Staff group", "#Establishment (WTE)",
		                                 "#Contracted (FTE)", "#Vacancy (WTE)",
		                                 "#Vacancy rate"};
		(void)snprintf(caption, sizeof caption,
		               "Vacancies against funded establishment by staff group, %s, %s",
		               org_name, month);
		json_t *vt = table_new(caption, vh, 5);
		const json_t *vg = json_object_get(v, "staff_groups");
		for (size_t i = 0; i < json_array_size(vg); i++) {
			const json_t *g = json_array_get(vg, i);
			table_add(
			    vt,
			    json_pack(
			        "[o, o, o, o, o]", cell(jstr(g, "name"), false, true),
			        num_cell(json_number_value(json_object_get(g, "establishment_wte")),
			                 2),
			        num_cell(json_number_value(json_object_get(g, "contracted_fte")),
			                 2),
			        num_cell(json_number_value(json_object_get(g, "vacancy_wte")), 2),
			        pct_cell(json_object_get(g, "vacancy_rate_percent"))));
		}
		vac = json_pack("{s:o, s:o}", "summary", vs, "table", vt);
	}

	json_t *temp = json_false();
	const json_t *t = json_object_get(s, "temporary_staffing");
	if (json_is_object(t)) {
		char share[96], bank[32], agency[32];
		const json_t *sp = json_object_get(t, "spend_percent_of_budget");
		if (json_is_number(sp))
			(void)snprintf(share, sizeof share, "%.1f%% of the funded pay budget",
			               json_number_value(sp));
		else
			(void)snprintf(share, sizeof share, "no funded pay budget held");
		(void)snprintf(bank, sizeof bank, "%.1f%%",
		               json_number_value(json_object_get(t, "bank_hours_percent")));
		(void)snprintf(agency, sizeof agency, "%.1f%%",
		               json_number_value(json_object_get(t, "agency_hours_percent")));
		json_t *ts = json_pack(
		    "{s:[o, o, o, o, o, o]}", "rows",
		    row_kv("Hours", fmt_num(json_number_value(json_object_get(t, "hours")), 2)),
		    row_kv("Shifts",
		           fmt_num((double)json_integer_value(json_object_get(t, "shifts")), 0)),
		    row_kv("Spend",
		           money_text(json_integer_value(json_object_get(t, "spend_pence")))),
		    row_kv("Spend as a share of budget", json_string(share)),
		    row_kv("Bank share of hours", json_string(bank)),
		    row_kv("Agency share of hours", json_string(agency)));
		static const char *const th[] = {"Staffing type", "#Hours", "#Share of hours",
		                                 "#Shifts", "#Spend"};
		(void)snprintf(caption, sizeof caption, "Bank and agency use by type, %s, %s",
		               org_name, month);
		json_t *tt = table_new(caption, th, 5);
		const json_t *bt = json_object_get(t, "by_type");
		for (size_t i = 0; i < json_array_size(bt); i++) {
			const json_t *x = json_array_get(bt, i);
			char pct[32];
			(void)snprintf(pct, sizeof pct, "%.1f%%",
			               json_number_value(json_object_get(x, "hours_percent")));
			json_t *spend =
			    money_text(json_integer_value(json_object_get(x, "spend_pence")));
			table_add(
			    tt,
			    json_pack(
			        "[o, o, o, o, o]",
			        cell(type_label(jstr(x, "staffing_type"), jstr(x, "framework")),
			             false, true),
			        num_cell(json_number_value(json_object_get(x, "hours")), 2),
			        cell(pct, true, false),
			        num_cell((double)json_integer_value(json_object_get(x, "shifts")),
			                 0),
			        cell(json_string_value(spend), true, false)));
			json_decref(spend);
		}
		temp = json_pack("{s:o, s:o}", "summary", ts, "table", tt);
	}
	return json_pack("{s:b, s:s, s:o, s:o, s:o, s:o, s:b}", "loaded", 1, "month", month,
	                 "summary", summary, "groups", groups, "vacancies", vac, "temporary", temp,
	                 "current", json_is_true(json_object_get(s, "current")));
}

/* trend_ctx: a trend chart's context from orgview_trend_json's reply
 * (borrowed), or false without points. */
static json_t *trend_ctx(const json_t *k)
{
	const json_t *chart = json_object_get(k, "chart");
	const json_t *spc = json_object_get(k, "spc");
	if (!json_is_object(chart) || !json_is_object(spc))
		return json_false();
	return json_pack("{s:O, s:s, s:s, s:s, s:s, s:b}", "chart", chart, "title",
	                 jstr(k, "title"), "explanation", jstr(spc, "explanation"),
	                 "variation_text", jstr(spc, "variation_text"), "centre_line",
	                 jstr(spc, "centre_line"), "synthetic",
	                 json_is_true(json_object_get(k, "synthetic")));
}

/* org_page: the page for code at month (0: latest). */
static int org_page(struct web_request *req, struct web_response *resp, const char *code,
                    struct cadre_err *err)
{
	int month = 0;
	int rc = month_param(req, resp, "as-of", &month, err);
	if (rc != CADRE_OK)
		return rc;
	struct store *db;
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
		return rc;
	json_t *view = NULL, *kpi = NULL, *staff = NULL, *ctx = NULL, *trends = NULL;
	if ((rc = orgview_org_json(req->actor, db, code, month, &view, err)) != CADRE_OK)
		goto done;
	int first = 0, last = 0;
	if ((rc = orgview_sickness_range(req->actor, db, &first, &last, err)) != CADRE_OK)
		goto done;
	/* the trend up to the month shown: every month with figures by then */
	int to = month && month < last ? month : last;
	if (first && to >= first) {
		if ((rc = orgview_sickness_json(req->actor, db, code, first, to, &kpi, err)) !=
		    CADRE_OK)
			goto done;
	}
	if ((rc = orgview_staff_json(req->actor, db, code, month, &staff, err)) != CADRE_OK)
		goto done;
	/* the workforce trends, over the staff months up to the month shown */
	trends = json_array();
	if (json_is_true(json_object_get(staff, "loaded"))) {
		/* the sickness trend of the subtree (wards, divisions; and the
		 * demo history) unless the published one is shown above */
		static const char *const measures[] = {"sickness-rate", "vacancy-rate",
		                                       "temporary-spend"};
		bool published = kpi && json_is_object(json_object_get(kpi, "chart"));
		int smonth = 0;
		struct cadre_err e;
		(void)date_month_parse(jstr(staff, "month"), strlen(jstr(staff, "month")), &smonth,
		                       &e);
		for (size_t i = 0; i < sizeof measures / sizeof measures[0]; i++) {
			if (i == 0 && published)
				continue;
			json_t *tr = NULL;
			if ((rc = orgview_trend_json(req->actor, db, code, measures[i], 0, smonth,
			                             &tr, err)) != CADRE_OK)
				goto done;
			json_t *tc = trend_ctx(tr);
			json_decref(tr);
			if (json_is_object(tc))
				(void)json_array_append_new(trends, tc);
			else
				json_decref(tc);
		}
	}

	const json_t *org = json_object_get(view, "org");
	char as_of_query[32] = "";
	if (month)
		(void)snprintf(as_of_query, sizeof as_of_query, "?as-of=%s", jstr(view, "as_of"));
	char as_of[32];
	month_label(jstr(view, "as_of"), as_of, sizeof as_of);

	/* breadcrumbs: England first, down to the parent */
	json_t *crumbs = json_array();
	const json_t *parents = json_object_get(view, "parents");
	for (size_t i = json_array_size(parents); i-- > 0;) {
		const json_t *p = json_array_get(parents, i);
		(void)json_array_append_new(crumbs, json_pack("{s:o, s:s}", "href",
		                                              link(jstr(p, "code"), as_of_query),
		                                              "text", jstr(p, "name")));
	}
	json_t *back = json_array_size(crumbs)
	                   ? json_deep_copy(json_array_get(crumbs, json_array_size(crumbs) - 1))
	                   : json_false();

	/* the children, as a table of links */
	json_t *children = json_object_get(view, "children");
	json_t *table = json_false();
	if (json_array_size(children) > 0) {
		json_t *rows = json_array();
		for (size_t i = 0; i < json_array_size(children); i++) {
			const json_t *c = json_array_get(children, i);
			json_t *cells = json_pack(
			    "[{s:s, s:o, s:b, s:b}, {s:s, s:b, s:b, s:b}, {s:s, s:b, s:b, s:b}]",
			    "text", jstr(c, "name"), "href", link(jstr(c, "code"), as_of_query),
			    "header", 1, "numeric", 0, "text", jstr(c, "kind_label"), "href", 0,
			    "header", 0, "numeric", 0, "text", jstr(c, "code"), "href", 0, "header",
			    0, "numeric", 0);
			(void)json_array_append_new(rows, json_pack("{s:o}", "cells", cells));
		}
		char caption[300];
		(void)snprintf(caption, sizeof caption, "Organisations in %s, %s",
		               jstr(org, "name"), as_of);
		table = json_pack("{s:s, s:[{s:s, s:b}, {s:s, s:b}, {s:s, s:b}], s:o}", "caption",
		                  caption, "head", "text", "Name", "numeric", 0, "text", "Kind",
		                  "numeric", 0, "text", "Code", "numeric", 0, "rows", rows);
	}

	json_t *summary = json_pack("{s:[{s:s, s:s, s:b}, {s:s, s:s, s:b}]}", "rows", "key", "Code",
	                            "value", jstr(org, "code"), "action", 0, "key", "Kind", "value",
	                            jstr(org, "kind_label"), "action", 0);
	if (*jstr(org, "org_type"))
		(void)json_array_append_new(json_object_get(summary, "rows"),
		                            json_pack("{s:s, s:s, s:b}", "key", "Type", "value",
		                                      jstr(org, "org_type"), "action", 0));
	if (*jstr(org, "open_date"))
		(void)json_array_append_new(json_object_get(summary, "rows"),
		                            json_pack("{s:s, s:s, s:b}", "key", "Opened", "value",
		                                      jstr(org, "open_date"), "action", 0));
	if (*jstr(org, "close_date"))
		(void)json_array_append_new(json_object_get(summary, "rows"),
		                            json_pack("{s:s, s:s, s:b}", "key", "Closed", "value",
		                                      jstr(org, "close_date"), "action", 0));

	char quality_href[96];
	(void)snprintf(quality_href, sizeof quality_href, "/orgs/%s/quality", jstr(org, "code"));
	ctx = json_pack("{s:s, s:O, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:O, s:I, s:s}",
	                "page_title", jstr(org, "name"), "org", org, "as_of", as_of, "breadcrumbs",
	                crumbs, "back_link", back, "summary", summary, "children_table", table,
	                "sickness", kpi ? sickness_ctx(kpi) : json_false(), "staff",
	                staff_ctx(staff, jstr(org, "name")), "trends", trends, "children_count",
	                (json_int_t)json_array_size(children), "quality_href", quality_href);
	if (!ctx) {
		rc = cadre_err_set(err, CADRE_EINTERNAL, "org page: no context");
		goto done;
	}
	rc = web_render(req, resp, "org", ctx, err);
done:
	json_decref(ctx);
	json_decref(view);
	json_decref(kpi);
	json_decref(staff);
	json_decref(trends);
	return rc;
}

/* page_orgs_root: the organisation of /orgs (an `ORG: lookup` function):
 * England, or for an actor who cannot see England the top node of its own
 * grants (the handler then redirects there); not found when there is
 * none. */
int page_orgs_root(struct web_request *req, int64_t *org_id, struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	struct org_node home;
	if ((rc = orgview_home(req->actor, db, &home, err)) != CADRE_OK)
		return rc;
	*org_id = home.id;
	return CADRE_OK;
}

/* WEBPAGE: GET /orgs
 * PERMISSION: org.read
 * ORG: lookup page_orgs_root
 * The organisation browser's top: England, its regions and their figures.
 * The same page as /orgs/ENG: the node, its children (the seven NHS England
 * regions and QZZ) as links, and the sickness absence trend of the whole
 * NHS in England as an SPC chart with its data table.  An account whose
 * grants do not cover England is sent (303) to the organisation of its own
 * grant.  ?as-of=YYYY-MM shows the hierarchy as it stood that month.
 */
int page_orgs(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	struct org_node home;
	if ((rc = orgview_home(req->actor, db, &home, err)) != CADRE_OK)
		return rc;
	if (strcmp(home.code, ORG_ROOT_CODE) != 0) {
		char to[64];
		(void)snprintf(to, sizeof to, "/orgs/%s", home.code);
		return web_resp_redirect(resp, 303, to, err);
	}
	return org_page(req, resp, ORG_ROOT_CODE, err);
}

/* WEBPAGE: GET /orgs/{code:code}
 * PERMISSION: org.read
 * ORG: path code
 * An organisation: its place in the hierarchy, its children and its trends.
 * The node's name, kind and code; its parent chain as breadcrumbs; the
 * organisations below it that month as links; the sickness absence trend
 * of its whole subtree (the sum of FTE days lost over the sum available,
 * never an average of rates) as an SPC chart with its data table; and the
 * staff sections (headcount, FTE, staff-group mix, vacancies, bank and
 * agency) once staff data is loaded.  ?as-of=YYYY-MM shows the hierarchy
 * as it stood that month, and the trend up to it.
 */
int page_org(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	return org_page(req, resp, web_req_param(req, "code"), err);
}

/* org_month_reply: the API reply of an orgview read-out of the path's
 * organisation at the month named by the one query parameter allowed
 * (param: YYYY-MM; absent, the latest). */
static int org_month_reply(struct web_request *req, struct web_response *resp, const char *param,
                           int (*view)(const struct actor *, struct store *, const char *, int,
                                       json_t **, struct cadre_err *),
                           struct cadre_err *err)
{
	const char *const allowed[] = {param, NULL};
	int month = 0;
	int rc = only_params(req, resp, allowed, err);
	if (rc == CADRE_OK)
		rc = month_param(req, resp, param, &month, err);
	if (rc != CADRE_OK)
		return rc;
	struct store *db;
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
		return rc;
	json_t *o;
	if ((rc = view(req->actor, db, web_req_param(req, "code"), month, &o, err)) != CADRE_OK)
		return rc;
	return reply_json(resp, o, err);
}

/* API: GET /api/v1/orgs/{code:code}
 * PERMISSION: org.read
 * ORG: path code
 * One organisation with its parents and children at a month.
 * {org {code, name, kind, kind_label, org_type, open_date, close_date},
 * as_of, effective_month, parents (parent first, up to England), children
 * (by code), children_count; unassigned_count for England}.  Query:
 * as-of=YYYY-MM (default: the latest month held).  Unknown parameters are
 * a 400.
 */
int api_org_get(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	return org_month_reply(req, resp, "as-of", orgview_org_json, err);
}

/* API: GET /api/v1/orgs/{code:code}/children
 * PERMISSION: org.read
 * ORG: path code
 * The organisations directly below one, a page at a time.
 * {org, as_of, effective_month, limit, items [{code, name, kind,
 * kind_label}] by code, total, next_cursor}.  Query: limit (1 to 200,
 * default 50), cursor (the next_cursor of the previous page; absent for
 * the first), as-of=YYYY-MM.  next_cursor is null on the last page.  A bad
 * or unknown parameter is a 400 problem+json naming it.
 */
int api_org_children(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	static const char *const allowed[] = {"as-of", "limit", "cursor", NULL};
	int month = 0;
	const char *limit_s = NULL, *cursor = NULL;
	int rc = only_params(req, resp, allowed, err);
	if (rc == CADRE_OK)
		rc = month_param(req, resp, "as-of", &month, err);
	if (rc == CADRE_OK)
		rc = query_one(req, resp, "limit", &limit_s, err);
	if (rc == CADRE_OK)
		rc = query_one(req, resp, "cursor", &cursor, err);
	if (rc != CADRE_OK)
		return rc;
	int64_t limit = ORGVIEW_PAGE_DEFAULT;
	if (limit_s) {
		struct cadre_err e;
		if (num_parse_i64(limit_s, strlen(limit_s), &limit, &e) != CADRE_OK || limit < 1 ||
		    limit > ORGVIEW_PAGE_MAX)
			return bad_param(resp, err, "limit", "enter a whole number from 1 to 200");
	}
	if (cursor && !org_code_valid(cursor, strlen(cursor)))
		return bad_param(resp, err, "cursor",
		                 "use the next_cursor of the previous page, unchanged");
	struct store *db;
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
		return rc;
	json_t *o;
	if ((rc = orgview_children_json(req->actor, db, web_req_param(req, "code"), month, cursor,
	                                (size_t)limit, &o, err)) != CADRE_OK)
		return rc;
	return reply_json(resp, o, err);
}

/* API: GET /api/v1/orgs/{code:code}/sickness
 * PERMISSION: org.read
 * ORG: path code
 * Published sickness absence for an organisation's subtree, with SPC.
 * The figures of `cadre kpi sickness --json` (the sums of FTE days lost and
 * available over the subtree as it stood each month, and the rate of the
 * sums), the per-month series, and spc: the statistical process control
 * analysis of the monthly rate (lower is better; a run chart with the
 * median below 12 months, else an XmR chart with limits and special-cause
 * signals; variation and assurance icons).  Query: from=YYYY-MM and
 * to=YYYY-MM (default: the first and last month with published figures).
 * A bad or unknown parameter, or from after to, is a 400 naming it.
 */
int api_org_sickness(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	static const char *const allowed[] = {"from", "to", NULL};
	int from = 0, to = 0;
	int rc = only_params(req, resp, allowed, err);
	if (rc == CADRE_OK)
		rc = month_param(req, resp, "from", &from, err);
	if (rc == CADRE_OK)
		rc = month_param(req, resp, "to", &to, err);
	if (rc != CADRE_OK)
		return rc;
	if (from && to && from > to)
		return bad_param(resp, err, "from", "from must not be after to");
	if (from && to && date_month_diff(from, to) >= 600)
		return bad_param(resp, err, "to", "ask for at most 600 months");
	struct store *db;
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
		return rc;
	json_t *o;
	if ((rc = orgview_sickness_json(req->actor, db, web_req_param(req, "code"), from, to, &o,
	                                err)) != CADRE_OK)
		return rc;
	/* the page's chart description is for templates, not for API clients */
	(void)json_object_del(o, "chart");
	return reply_json(resp, o, err);
}

/* API: GET /api/v1/orgs/{code:code}/summary
 * PERMISSION: workforce.aggregate.read
 * ORG: path code
 * An organisation's workforce figures for one month, from the kept sums.
 * The figures of its page: {org, name, kind, allowed, loaded, month (the
 * month shown: the latest staff month unless month=YYYY-MM is given),
 * first_month, last_month, current, headcount (distinct people), fte,
 * assignments, staff_groups [{staff_group, name, headcount, fte,
 * fte_percent}], vacancies {establishment_wte, budget_pence,
 * contracted_fte, vacancy_wte, vacancy_rate_percent, staff_groups [...]}
 * or null, temporary_staffing {hours, shifts, spend_pence, bank_hours,
 * agency_hours, bank_hours_percent, agency_hours_percent,
 * spend_percent_of_budget, by_type [...], ...} or null}; loaded false with
 * message when no staff figures are held for the month.  Any level from
 * England to a ward.  Unknown parameters are a 400.
 */
int api_org_summary(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	return org_month_reply(req, resp, "month", orgview_staff_json, err);
}

/* API: GET /api/v1/orgs/{code:code}/trends/{measure}
 * PERMISSION: workforce.aggregate.read
 * ORG: path code
 * A monthly workforce series of an organisation's subtree, with SPC.
 * measure is sickness-rate (percent of FTE days lost), vacancy-rate
 * (percent of funded establishment vacant) or temporary-spend (pounds of
 * bank, agency, overtime and locum spend), for any node down to a ward
 * (orgseries.h): {org, name, measure, title, unit, from, to, months
 * [{month, value, synthetic}], months_without_data, synthetic, spc} where
 * spc is the statistical process control analysis (lower is better; a run
 * chart below 12 months, else XmR with limits and special-cause signals)
 * or null.  Query: from=YYYY-MM, to=YYYY-MM (default: the 36 months up to
 * the latest month held; at most 240).  An unknown measure is a 404; a bad
 * or unknown parameter, or from after to, a 400.
 */
int api_org_trend(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	static const char *const allowed[] = {"from", "to", NULL};
	int from = 0, to = 0;
	const char *measure = web_req_param(req, "measure");
	if (!orgview_trend_valid(measure))
		return web_fail(resp, err, 404, "There is no trend called %s.",
		                measure ? measure : "");
	int rc = only_params(req, resp, allowed, err);
	if (rc == CADRE_OK)
		rc = month_param(req, resp, "from", &from, err);
	if (rc == CADRE_OK)
		rc = month_param(req, resp, "to", &to, err);
	if (rc != CADRE_OK)
		return rc;
	if (from && to && from > to)
		return bad_param(resp, err, "from", "from must not be after to");
	if (from && to && date_month_diff(from, to) >= 240)
		return bad_param(resp, err, "to", "ask for at most 240 months");
	struct store *db;
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
		return rc;
	json_t *o;
	if ((rc = orgview_trend_json(req->actor, db, web_req_param(req, "code"), measure, from, to,
	                             &o, err)) != CADRE_OK)
		return rc;
	(void)json_object_del(o, "chart");
	return reply_json(resp, o, err);
}

/* ---- data quality ---------------------------------------------------------- */

/* date_param: the day in parameter name ("YYYY-MM-DD") into out (11
 * bytes), "" when absent. */
static int date_param(struct web_request *req, struct web_response *resp, const char *name,
                      char *out, struct cadre_err *err)
{
	out[0] = '\0';
	const char *v = NULL;
	int rc = query_one(req, resp, name, &v, err);
	if (rc != CADRE_OK || !v)
		return rc;
	struct date d;
	struct cadre_err e;
	if (date_parse_iso(v, strlen(v), &d, &e) != CADRE_OK || d.y < 1900)
		return bad_param(resp, err, name,
		                 "enter a day as YYYY-MM-DD, for example 2025-03-31");
	(void)snprintf(out, 11, "%s", v);
	return CADRE_OK;
}

/* page_params: limit and cursor of a paged list. */
static int page_params(struct web_request *req, struct web_response *resp, int64_t *limit,
                       const char **cursor, struct cadre_err *err)
{
	const char *limit_s = NULL;
	*limit = QUALITY_PAGE_DEFAULT;
	int rc = query_one(req, resp, "limit", &limit_s, err);
	if (rc == CADRE_OK)
		rc = query_one(req, resp, "cursor", cursor, err);
	if (rc != CADRE_OK)
		return rc;
	if (limit_s) {
		struct cadre_err e;
		if (num_parse_i64(limit_s, strlen(limit_s), limit, &e) != CADRE_OK || *limit < 1 ||
		    *limit > QUALITY_PAGE_MAX)
			return bad_param(resp, err, "limit", "enter a whole number from 1 to 200");
	}
	if (*cursor) {
		size_t n = strlen(*cursor);
		bool ok = n > 0 && n < QUALITY_KEY_MAX;
		for (size_t i = 0; ok && i < n; i++)
			ok = (*cursor)[i] > ' ' && (*cursor)[i] < 0x7f;
		if (!ok)
			return bad_param(resp, err, "cursor",
			                 "use the next_cursor of the previous page, unchanged");
	}
	return CADRE_OK;
}

/* WEBPAGE: GET /orgs/{code:code}/quality
 * PERMISSION: workforce.aggregate.read
 * ORG: path code
 * The data quality of an organisation's staff records and ledger.
 * The foundation's data-quality report (`cadre quality`) for the node and
 * everything below it on the latest extract day (?as-of=YYYY-MM-DD for
 * another): unknown and closed occupation codes, staff groups by the
 * fallback and in conflict, records without a national identifier, ledger
 * cost centres with no staff and staffed cost centres with no budget,
 * missing protected characteristics as percentages, managers who are not
 * in post.  Each count links to the rows behind it for an account that
 * may read staff records there (people.read; people.protected.read for the
 * protected characteristics).
 */
int page_org_quality(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	char as_of[11];
	int rc = date_param(req, resp, "as-of", as_of, err);
	if (rc != CADRE_OK)
		return rc;
	struct store *db;
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
		return rc;
	const char *code = web_req_param(req, "code");
	json_t *view = NULL, *q = NULL, *ctx = NULL;
	if ((rc = orgview_org_json(req->actor, db, code, 0, &view, err)) != CADRE_OK)
		goto done;
	if ((rc = orgview_quality_json(req->actor, db, code, as_of[0] ? as_of : NULL, &q, err)) !=
	    CADRE_OK)
		goto done;
	const json_t *org = json_object_get(view, "org");
	json_t *crumbs = json_array();
	const json_t *parents = json_object_get(view, "parents");
	for (size_t i = json_array_size(parents); i-- > 0;) {
		const json_t *p = json_array_get(parents, i);
		(void)json_array_append_new(crumbs, json_pack("{s:o, s:s}", "href",
		                                              link(jstr(p, "code"), ""), "text",
		                                              jstr(p, "name")));
	}
	(void)json_array_append_new(crumbs,
	                            json_pack("{s:o, s:s}", "href", link(jstr(org, "code"), ""),
	                                      "text", jstr(org, "name")));
	json_t *back = json_deep_copy(json_array_get(crumbs, json_array_size(crumbs) - 1));
	json_t *table = json_false();
	if (json_is_true(json_object_get(q, "loaded"))) {
		bool rows_ok = json_is_true(json_object_get(q, "rows_allowed"));
		bool prot_ok = json_is_true(json_object_get(q, "protected_rows_allowed"));
		char caption[300];
		(void)snprintf(caption, sizeof caption, "Data quality checks, %s, %s",
		               jstr(org, "name"), jstr(q, "as_of"));
		static const char *const heads[] = {"Check", "#Count", "#Share", "Of"};
		table = table_new(caption, heads, 4);
		const json_t *checks = json_object_get(q, "checks");
		for (size_t i = 0; i < json_array_size(checks); i++) {
			const json_t *c = json_array_get(checks, i);
			json_int_t n = json_integer_value(json_object_get(c, "count"));
			char count[32], pct[32], href[160];
			thousands((double)n, 0, count, sizeof count);
			const json_t *p = json_object_get(c, "percent");
			if (json_is_number(p))
				(void)snprintf(pct, sizeof pct, "%.1f%%", json_number_value(p));
			else
				(void)snprintf(pct, sizeof pct, "not a share");
			bool may =
			    rows_ok && (prot_ok || !json_is_true(json_object_get(c, "protected")));
			json_t *count_cell = cell(count, true, false);
			if (may && n > 0) {
				(void)snprintf(href, sizeof href, "/orgs/%s/quality/%s%s%s",
				               jstr(org, "code"), jstr(c, "check"),
				               as_of[0] ? "?as-of=" : "", as_of);
				(void)json_object_set_new(count_cell, "href", json_string(href));
			}
			table_add(table,
			          json_pack("[o, o, o, o]", cell(jstr(c, "title"), false, true),
			                    count_cell, cell(pct, true, false),
			                    cell(jstr(c, "of"), false, false)));
		}
	}
	char title[300];
	(void)snprintf(title, sizeof title, "Data quality: %s", jstr(org, "name"));
	ctx =
	    json_pack("{s:s, s:O, s:O, s:o, s:o, s:o}", "page_title", title, "org", org, "quality",
	              q, "breadcrumbs", crumbs, "back_link", back, "checks_table", table);
	if (!ctx) {
		rc = cadre_err_set(err, CADRE_EINTERNAL, "quality page: no context");
		goto done;
	}
	rc = web_render(req, resp, "quality", ctx, err);
done:
	json_decref(ctx);
	json_decref(view);
	json_decref(q);
	return rc;
}

/* WEBPAGE: GET /orgs/{code:code}/quality/{check}
 * PERMISSION: people.read
 * ORG: path code
 * The rows behind one data-quality count, a page at a time.
 * Each row: the employer, the staff reference, the assignment, the cost
 * centre and what the check found; never a protected characteristic's
 * value (the checks about them need people.protected.read too).  Query:
 * as-of=YYYY-MM-DD, limit (1 to 200, default 50), cursor (the link to the
 * next page gives it).
 */
int page_org_quality_rows(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	char as_of[11];
	int64_t limit = 0;
	const char *cursor = NULL;
	int rc = date_param(req, resp, "as-of", as_of, err);
	if (rc == CADRE_OK)
		rc = page_params(req, resp, &limit, &cursor, err);
	if (rc != CADRE_OK)
		return rc;
	struct store *db;
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
		return rc;
	const char *code = web_req_param(req, "code");
	json_t *view = NULL, *q = NULL, *ctx = NULL;
	if ((rc = orgview_org_json(req->actor, db, code, 0, &view, err)) != CADRE_OK)
		goto done;
	if ((rc = orgview_quality_rows_json(req->actor, db, code, as_of[0] ? as_of : NULL,
	                                    web_req_param(req, "check"), cursor, (size_t)limit, &q,
	                                    err)) != CADRE_OK)
		goto done;
	const json_t *org = json_object_get(view, "org");
	json_t *crumbs = json_array();
	const json_t *parents = json_object_get(view, "parents");
	for (size_t i = json_array_size(parents); i-- > 0;) {
		const json_t *p = json_array_get(parents, i);
		(void)json_array_append_new(crumbs, json_pack("{s:o, s:s}", "href",
		                                              link(jstr(p, "code"), ""), "text",
		                                              jstr(p, "name")));
	}
	(void)json_array_append_new(crumbs,
	                            json_pack("{s:o, s:s}", "href", link(jstr(org, "code"), ""),
	                                      "text", jstr(org, "name")));
	char qhref[96];
	(void)snprintf(qhref, sizeof qhref, "/orgs/%s/quality", jstr(org, "code"));
	(void)json_array_append_new(crumbs,
	                            json_pack("{s:s, s:s}", "href", qhref, "text", "Data quality"));
	json_t *back = json_deep_copy(json_array_get(crumbs, json_array_size(crumbs) - 1));
	char caption[300];
	(void)snprintf(caption, sizeof caption, "%s, %s, %s", jstr(q, "title"), jstr(org, "name"),
	               jstr(q, "as_of"));
	static const char *const heads[] = {"Employer", "Staff reference", "Assignment",
	                                    "Cost centre", "Found"};
	json_t *table = table_new(caption, heads, 5);
	const json_t *items = json_object_get(q, "items");
	for (size_t i = 0; i < json_array_size(items); i++) {
		const json_t *x = json_array_get(items, i);
		table_add(table, json_pack("[o, o, o, o, o]", cell(jstr(x, "org"), false, false),
		                           cell(jstr(x, "staff_ref"), false, true),
		                           cell(jstr(x, "assignment"), false, false),
		                           cell(jstr(x, "cost_centre"), false, false),
		                           cell(jstr(x, "detail"), false, false)));
	}
	json_t *next = json_false();
	const char *nc = json_string_value(json_object_get(q, "next_cursor"));
	if (nc) {
		/* the cursor is letters, digits and punctuation without spaces;
		 * only '/' needs no escaping in a query, the rest is escaped */
		char href[400];
		size_t o = 0;
		o += (size_t)snprintf(href, sizeof href,
		                      "/orgs/%s/quality/%s?limit=%lld&cursor=", jstr(org, "code"),
		                      jstr(q, "check"), (long long)limit);
		for (const char *p = nc; *p && o + 4 < sizeof href; p++) {
			unsigned char ch = (unsigned char)*p;
			if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.')
				href[o++] = (char)ch;
			else
				o += (size_t)snprintf(href + o, sizeof href - o, "%%%02X", ch);
		}
		href[o] = '\0';
		if (as_of[0] && o + 18 < sizeof href)
			(void)snprintf(href + o, sizeof href - o, "&as-of=%s", as_of);
		next = json_pack("{s:s}", "href", href);
	}
	char total[32];
	thousands((double)json_integer_value(json_object_get(q, "total")), 0, total, sizeof total);
	ctx = json_pack("{s:s, s:O, s:O, s:o, s:o, s:o, s:o, s:s, s:s}", "page_title",
	                jstr(q, "title"), "org", org, "rows", q, "breadcrumbs", crumbs, "back_link",
	                back, "table", table, "next", next, "total", total, "quality_href", qhref);
	if (!ctx) {
		rc = cadre_err_set(err, CADRE_EINTERNAL, "quality rows page: no context");
		goto done;
	}
	rc = web_render(req, resp, "quality_rows", ctx, err);
done:
	json_decref(ctx);
	json_decref(view);
	json_decref(q);
	return rc;
}

/* API: GET /api/v1/orgs/{code:code}/quality
 * PERMISSION: workforce.aggregate.read
 * ORG: path code
 * The data-quality report of an organisation's staff records and ledger.
 * {org, name, kind, loaded, as_of, assignments, assignments_in_post,
 * staff_in_post, managers, rows_allowed, protected_rows_allowed, checks
 * [{check, title, count, of, base, percent, protected}], not_held}; each
 * check's rows are at /api/v1/orgs/{code}/quality/{check}.  Query:
 * as-of=YYYY-MM-DD (default: the latest extract).  Unknown parameters are
 * a 400.
 */
int api_org_quality(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	static const char *const allowed[] = {"as-of", NULL};
	char as_of[11];
	int rc = only_params(req, resp, allowed, err);
	if (rc == CADRE_OK)
		rc = date_param(req, resp, "as-of", as_of, err);
	if (rc != CADRE_OK)
		return rc;
	struct store *db;
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
		return rc;
	json_t *o;
	if ((rc = orgview_quality_json(req->actor, db, web_req_param(req, "code"),
	                               as_of[0] ? as_of : NULL, &o, err)) != CADRE_OK)
		return rc;
	return reply_json(resp, o, err);
}

/* API: GET /api/v1/orgs/{code:code}/quality/{check}
 * PERMISSION: people.read
 * ORG: path code
 * The rows behind one data-quality count, a page at a time.
 * {org, name, check, title, as_of, limit, items [{org, staff_ref,
 * assignment, cost_centre, detail}], total, next_cursor}.  check is one of
 * the report's: occupation-unlisted, occupation-closed, group-fallback,
 * group-conflicts, no-identifier, cost-centres-no-staff,
 * cost-centres-no-budget, ethnicity-not-stated, ethnicity-not-known,
 * disability-not-declared (the last three need people.protected.read as
 * well, else 403), managers-not-in-post; any other is a 404.  Query: limit
 * (1 to 200, default 50), cursor (the next_cursor of the previous page),
 * as-of=YYYY-MM-DD.  A bad or unknown parameter is a 400 naming it.
 */
int api_org_quality_rows(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	static const char *const allowed[] = {"as-of", "limit", "cursor", NULL};
	char as_of[11];
	int64_t limit = 0;
	const char *cursor = NULL;
	int rc = only_params(req, resp, allowed, err);
	if (rc == CADRE_OK)
		rc = date_param(req, resp, "as-of", as_of, err);
	if (rc == CADRE_OK)
		rc = page_params(req, resp, &limit, &cursor, err);
	if (rc != CADRE_OK)
		return rc;
	struct store *db;
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
		return rc;
	json_t *o;
	if ((rc = orgview_quality_rows_json(req->actor, db, web_req_param(req, "code"),
	                                    as_of[0] ? as_of : NULL, web_req_param(req, "check"),
	                                    cursor, (size_t)limit, &o, err)) != CADRE_OK)
		return rc;
	return reply_json(resp, o, err);
}
