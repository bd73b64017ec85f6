/* page_assess_results: a self-assessment round's results, action plan,
 * board summary and exports; the peer benchmark; shared good practice;
 * and their JSON API.
 *
 * Every page is built from the domain's JSON documents (assess.h:
 * assess_report_json, assess_benchmark_json, assess_practice_json), the
 * same ones the command line prints, so a page, the API and `cadre assess
 * results --json` show the same figures.  The domain decides what may be
 * shown: a suppressed group's figures are null there and are never
 * computed here; a trust's benchmark holds no other trust's code or name.
 * The radar chart is drawn by the page template as inline SVG from the
 * geometry worked out here (the same layout as io/chart.c's radar), with
 * its data table beside it. */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/date.h"
#include "domain/assess.h"
#include "domain/assess_view.h"
#include "domain/policy.h"
#include "domain/toolkit.h"
#include "web/auth.h"
#include "web/pages.h"
#include "web/router.h"
#include "web_routes.h"

#define RADAR_CX 320.0
#define RADAR_CY 200.0
#define RADAR_R  150.0

static const char *const series_colours[] = {"#005eb8", "#ed8b00"};

/* ---- small helpers ------------------------------------------------------- */

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static bool jnum(const json_t *o, const char *key, double *v)
{
	const json_t *x = json_object_get(o, key);
	if (!json_is_number(x))
		return false;
	*v = json_number_value(x);
	return true;
}

/* num2: "3.62" for a figure the domain rounded; "" for none */
static json_t *num2(const json_t *o, const char *key)
{
	double v;
	char t[32] = "";
	if (jnum(o, key, &v))
		(void)snprintf(t, sizeof t, "%.2f", v);
	return json_string(t);
}

/* signed2: "+0.40", "-0.16", "0.00" */
static void signed2(double v, char *out, size_t n)
{
	if (fabs(v) < 0.005)
		(void)snprintf(out, n, "0.00");
	else
		(void)snprintf(out, n, "%+.2f", v);
}

static json_t *cell(const char *text, bool header, bool numeric, const char *href)
{
	return json_pack("{s:s, s:b, s:b, s:o}", "text", text, "header", header, "numeric", numeric,
	                 "href", href ? json_string(href) : json_false());
}

static json_t *head(const char *text, bool numeric)
{
	return json_pack("{s:s, s:b}", "text", text, "numeric", numeric);
}

static json_t *table(const char *caption, json_t *heads, json_t *rows)
{
	return json_pack("{s:s, s:o, s:o}", "caption", caption, "head", heads, "rows", rows);
}

static json_t *row(json_t *cells)
{
	return json_pack("{s:o}", "cells", cells);
}

/* shown_reason: why a group's figures are, or are not, on the page */
static const char *shown_reason(const char *w)
{
	if (strcmp(w, "shown") == 0)
		return "Shown";
	if (strcmp(w, "empty") == 0)
		return "Not shown: nobody has submitted";
	if (strcmp(w, "primary") == 0)
		return "Suppressed: fewer than 3 respondents";
	if (strcmp(w, "secondary") == 0)
		return "Suppressed: hidden so that a smaller group cannot be worked out";
	return "Suppressed: fewer than 3 respondents in the whole round";
}

static const char *status_text(const char *s)
{
	if (strcmp(s, "open") == 0)
		return "Open";
	if (strcmp(s, "closed") == 0)
		return "Closed, awaiting board sign-off";
	if (strcmp(s, "signed_off") == 0)
		return "Signed off by the board";
	return s;
}

static const char *action_status_text(const char *s)
{
	static const struct {
		const char *id, *text;
	} t[] = {{"not_started", "Not started"},
	         {"in_progress", "In progress"},
	         {"done", "Done"},
	         {"dropped", "Dropped"}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(s, t[i].id) == 0)
			return t[i].text;
	return s;
}

static void when_text(const char *utc, char out[DATE_LONDON_SIZE])
{
	int64_t ts = 0;
	struct cadre_err e;
	if (utc && *utc && date_ts_parse(utc, strlen(utc), &ts, &e) == CADRE_OK)
		date_london_format(ts, out);
	else
		(void)snprintf(out, DATE_LONDON_SIZE, "%s", utc ? utc : "");
}

static const char *level_label(const json_t *results, double score)
{
	long k = lround(score);
	size_t i;
	const json_t *p;
	json_array_foreach(json_object_get(results, "scale"), i, p)
	{
		if (json_integer_value(json_object_get(p, "value")) == k)
			return jstr(p, "label");
	}
	return "";
}

static const char *group_label(const json_t *results, const char *id)
{
	size_t i;
	const json_t *g;
	json_array_foreach(json_object_get(results, "groups"), i, g)
	{
		if (strcmp(jstr(g, "id"), id) == 0)
			return jstr(g, "label");
	}
	return id;
}

static const char *factor_title(const json_t *results, const char *id)
{
	size_t i;
	const json_t *f;
	json_array_foreach(json_object_get(results, "factors"), i, f)
	{
		if (strcmp(jstr(f, "id"), id) == 0)
			return jstr(f, "title");
	}
	return id;
}

/* reply_json: v (stolen) as the reply, figures to 15 significant digits
 * (3.4, not 3.3999999999999999) */
static int reply_json(struct web_response *resp, json_t *v, struct cadre_err *err)
{
	if (!v)
		return cadre_err_set(err, CADRE_EINTERNAL, "no JSON to send");
	char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(v);
	if (!text)
		return cadre_err_set(err, CADRE_EINTERNAL, "JSON output failed");
	resp->content_type = "application/json";
	int rc = web_resp_puts(resp, text, err);
	free(text);
	if (rc == CADRE_OK)
		rc = web_resp_puts(resp, "\n", err);
	return rc;
}

/* ---- the round a path names ----------------------------------------------- */

/* page_assess_results_org: the organisation of the round /assess/rounds/{id}
 * names, for the router's scope check (404 when there is no such round). */
int page_assess_results_org(struct web_request *req, int64_t *org_id, struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_conn(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	return assess_round_org(db, web_req_param_int(req, "id"), org_id, err);
}

struct loaded {
	struct assess_round_info round;
	struct assess_ref ref;
	json_t *report; /* assess_report_json's; owned */
};

/* load: the round the path names and its report */
static int load(struct web_request *req, struct loaded *l, struct cadre_err *err)
{
	memset(l, 0, sizeof *l);
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc == CADRE_OK)
		rc = assess_round_get(req->actor, db, web_req_param_int(req, "id"), &l->round, err);
	if (rc != CADRE_OK)
		return rc;
	l->ref.org = l->round.org;
	l->ref.period = l->round.period;
	l->ref.toolkit = l->round.toolkit;
	return assess_report_json(req->actor, db, &l->ref, &l->report, err);
}

/* may_edit: does the actor hold toolkit.edit over the round's organisation */
static bool may_edit(struct web_request *req, const struct loaded *l)
{
	struct store *db;
	struct cadre_err e;
	if (web_req_db(req, &db, &e) != CADRE_OK)
		return false;
	return policy_check(req->actor, db, "toolkit.edit", l->round.org_id, &e) == CADRE_OK;
}

/* round_ctx: what every round page shows at its top */
static json_t *round_ctx(const struct loaded *l)
{
	const json_t *rd = json_object_get(l->report, "round");
	const json_t *res = json_object_get(l->report, "results");
	const json_t *tk = json_object_get(res, "toolkit");
	char base[64];
	(void)snprintf(base, sizeof base, "/assess/rounds/%" PRId64, l->round.id);
	char fy[DATE_FY_SIZE];
	date_fy_format(l->round.period, fy);
	char bench[256];
	(void)snprintf(bench, sizeof bench, "/assess/benchmark/%s?period=%s&toolkit=%s",
	               l->round.org, fy, l->round.toolkit);
	json_t *links =
	    json_pack("{s:s, s:s+, s:s+, s:s+, s:s+, s:s+, s:s}", "round", base, "results", base,
	              "/results", "actions", base, "/actions", "summary", base, "/summary", "csv",
	              base, "/export.csv", "json", base, "/export.json", "benchmark", bench);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:b, s:o}", "id",
	                 (json_int_t)l->round.id, "org", jstr(rd, "org"), "org_name",
	                 jstr(rd, "org_name"), "period", fy, "toolkit_title", jstr(tk, "title"),
	                 "toolkit_version", json_integer_value(json_object_get(tk, "version")),
	                 "status", status_text(jstr(rd, "status")), "provisional",
	                 json_is_true(json_object_get(res, "provisional")), "links", links);
}

static json_t *signoff_ctx(const json_t *report)
{
	const json_t *s = json_object_get(report, "signoff");
	if (!json_is_object(s))
		return json_false();
	char at[DATE_LONDON_SIZE];
	when_text(jstr(s, "signed_at"), at);
	return json_pack("{s:s, s:s, s:s}", "by", jstr(s, "signed_by"), "at", at, "sha256",
	                 jstr(s, "results_sha256"));
}

static json_t *page_for(const struct loaded *l, const char *what)
{
	const json_t *rd = json_object_get(l->report, "round");
	char fy[DATE_FY_SIZE], title[400];
	date_fy_format(l->round.period, fy);
	(void)snprintf(title, sizeof title, "%s: %s, %s", what, jstr(rd, "org_name"), fy);
	json_t *ctx = page_new(title);
	(void)json_object_set_new(ctx, "round", round_ctx(l));
	(void)json_object_set_new(ctx, "signoff", signoff_ctx(l->report));
	char base[64];
	(void)snprintf(base, sizeof base, "/assess/rounds/%" PRId64, l->round.id);
	(void)json_object_set_new(ctx, "breadcrumbs",
	                          json_pack("[{s:s, s:s}, {s:s, s:s}]", "href", "/assess", "text",
	                                    "Self-assessment", "href", base, "text", "The round"));
	(void)json_object_set_new(ctx, "back_link",
	                          json_pack("{s:s, s:s}", "href", base, "text", "The round"));
	return ctx;
}

/* ---- the results page ------------------------------------------------------ */

static json_t *participation_table(const json_t *res)
{
	json_t *rows = json_array();
	const json_t *part = json_object_get(res, "participation");
	size_t i;
	const json_t *g;
	json_array_foreach(json_object_get(part, "groups"), i, g)
	{
		const json_t *rg = json_array_get(json_object_get(res, "groups"), i);
		char inv[24], sub[24];
		(void)snprintf(inv, sizeof inv, "%" JSON_INTEGER_FORMAT,
		               json_integer_value(json_object_get(g, "invited")));
		(void)snprintf(sub, sizeof sub, "%" JSON_INTEGER_FORMAT,
		               json_integer_value(json_object_get(g, "submitted")));
		json_t *overall = json_is_string(json_object_get(rg, "shown")) &&
		                          strcmp(jstr(rg, "shown"), "shown") == 0
		                      ? num2(rg, "overall")
		                      : json_string("Suppressed");
		(void)json_array_append_new(
		    rows,
		    row(json_pack("[o, o, o, {s:o, s:b, s:b, s:b}, o]",
		                  cell(jstr(g, "label"), true, false, NULL),
		                  cell(inv, false, true, NULL), cell(sub, false, true, NULL),
		                  "text", overall, "header", 0, "numeric", 1, "href", 0,
		                  cell(shown_reason(jstr(rg, "shown")), false, false, NULL))));
	}
	return table("Respondents by group",
	             json_pack("[o, o, o, o, o]", head("Group", false), head("Invited", true),
	                       head("Submitted", true), head("Overall score", true),
	                       head("Shown separately", false)),
	             rows);
}

/* factors_table: each factor's score, level, movement, spread and the
 * score of every group (or why a group is not shown) */
static json_t *factors_table(const json_t *res)
{
	const json_t *mv = json_object_get(res, "movement");
	char change_head[64] = "Change";
	if (json_is_object(mv))
		(void)snprintf(change_head, sizeof change_head, "Change since %s",
		               jstr(mv, "from_period"));
	json_t *heads = json_pack("[o, o, o, o, o]", head("Factor", false), head("Score", true),
	                          head("Level", false), head(change_head, true),
	                          head("Spread between groups", true));
	size_t i, k;
	const json_t *g, *f;
	json_array_foreach(json_object_get(res, "groups"), i, g)
	{
		(void)json_array_append_new(heads, head(jstr(g, "label"), true));
	}
	json_t *rows = json_array();
	json_array_foreach(json_object_get(res, "factors"), i, f)
	{
		double sc = 0, ch = 0, sp = 0;
		bool has = jnum(f, "score", &sc);
		char level[64] = "", change[32] = "", spread[96] = "";
		if (has)
			(void)snprintf(level, sizeof level, "%s", level_label(res, sc));
		if (jnum(json_object_get(f, "movement"), "change", &ch))
			signed2(ch, change, sizeof change);
		if (jnum(f, "spread", &sp))
			(void)snprintf(spread, sizeof spread, "%.2f%s", sp,
			               json_is_true(json_object_get(f, "spread_flagged"))
			                   ? " (wide disagreement)"
			                   : "");
		json_t *cells =
		    json_pack("[o, o, o, o, o]", cell(jstr(f, "title"), true, false, NULL),
		              json_pack("{s:o, s:b, s:b, s:b}", "text",
		                        has ? num2(f, "score") : json_string("Not shown"), "header",
		                        0, "numeric", 1, "href", 0),
		              cell(level, false, false, NULL), cell(change, false, true, NULL),
		              cell(spread, false, true, NULL));
		json_array_foreach(json_object_get(f, "groups"), k, g)
		{
			json_t *text = strcmp(jstr(g, "shown"), "shown") == 0 &&
			                       json_is_number(json_object_get(g, "score"))
			                   ? num2(g, "score")
			                   : json_string(strcmp(jstr(g, "shown"), "empty") == 0
			                                     ? "No respondents"
			                                     : "Suppressed");
			(void)json_array_append_new(cells, json_pack("{s:o, s:b, s:b, s:b}", "text",
			                                             text, "header", 0, "numeric",
			                                             1, "href", 0));
		}
		(void)json_array_append_new(rows, row(cells));
	}
	return table("Scores by factor, overall and by respondent group", heads, rows);
}

/* findings: the factors whose groups disagree widely, in words */
static json_t *findings(const json_t *res)
{
	json_t *out = json_array();
	size_t i;
	const json_t *f;
	json_array_foreach(json_object_get(res, "factors"), i, f)
	{
		if (!json_is_true(json_object_get(f, "spread_flagged")))
			continue;
		double sp = 0;
		(void)jnum(f, "spread", &sp);
		char t[600];
		(void)snprintf(t, sizeof t, "%s: %s rate it %.2f points above %s.",
		               jstr(f, "title"), group_label(res, jstr(f, "highest_group")), sp,
		               group_label(res, jstr(f, "lowest_group")));
		(void)json_array_append_new(out, json_string(t));
	}
	return out;
}

/* radar_ctx: the geometry of the factor radar (this round and, when every
 * factor has one, the previous round's score), or false when a factor has
 * no score that may be shown (no chart rather than a gap drawn as 1) */
static json_t *radar_ctx(const json_t *res)
{
	const json_t *factors = json_object_get(res, "factors");
	size_t n = json_array_size(factors);
	if (n < 3 || n > 12)
		return json_false();
	double now[12], before[12];
	bool has_before = true;
	for (size_t a = 0; a < n; a++) {
		const json_t *f = json_array_get(factors, a);
		if (!jnum(f, "score", &now[a]))
			return json_false();
		if (!jnum(json_object_get(f, "movement"), "previous", &before[a]))
			has_before = false;
	}
	size_t nscale = json_array_size(json_object_get(res, "scale"));
	double lo = 1, hi = nscale >= 2 ? (double)nscale : 5;
	char fy_prev[32] = "";
	if (has_before)
		(void)snprintf(fy_prev, sizeof fy_prev, "%s",
		               jstr(json_object_get(res, "movement"), "from_period"));
	const char *names[2] = {jstr(res, "period"), fy_prev};
	const double *vals[2] = {now, before};
	size_t nseries = has_before ? 2 : 1;

	json_t *rings = json_array();
	for (int k = (int)lo + 1; k <= (int)hi; k++) {
		double fr = ((double)k - lo) / (hi - lo);
		struct buf b;
		buf_init(&b, 1024);
		for (size_t a = 0; a < n; a++) {
			double ang = 2.0 * M_PI * (double)a / (double)n;
			(void)buf_printf(&b, NULL, "%s%.2f,%.2f", a ? " " : "",
			                 RADAR_CX + fr * RADAR_R * sin(ang),
			                 RADAR_CY - fr * RADAR_R * cos(ang));
		}
		char lbl[16], ty[32];
		(void)snprintf(lbl, sizeof lbl, "%d", k);
		(void)snprintf(ty, sizeof ty, "%.2f", RADAR_CY - fr * RADAR_R - 3);
		(void)json_array_append_new(rings, json_pack("{s:s, s:s, s:s}", "points",
		                                             buf_cstr(&b), "label", lbl, "y", ty));
		buf_free(&b);
	}
	json_t *spokes = json_array();
	for (size_t a = 0; a < n; a++) {
		double ang = 2.0 * M_PI * (double)a / (double)n;
		double x = RADAR_CX + RADAR_R * sin(ang), y = RADAR_CY - RADAR_R * cos(ang);
		double lx = RADAR_CX + 1.12 * RADAR_R * sin(ang);
		double ly = RADAR_CY - 1.12 * RADAR_R * cos(ang) + 4;
		char sx[32], sy[32], slx[32], sly[32];
		(void)snprintf(sx, sizeof sx, "%.2f", x);
		(void)snprintf(sy, sizeof sy, "%.2f", y);
		(void)snprintf(slx, sizeof slx, "%.2f", lx);
		(void)snprintf(sly, sizeof sly, "%.2f", ly);
		const char *anchor = lx > RADAR_CX + 1   ? "start"
		                     : lx < RADAR_CX - 1 ? "end"
		                                         : "middle";
		(void)json_array_append_new(
		    spokes, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "x", sx, "y", sy, "lx", slx,
		                      "ly", sly, "anchor", anchor, "label",
		                      jstr(json_array_get(factors, a), "title")));
	}
	json_t *series = json_array();
	struct buf desc;
	buf_init(&desc, 4096);
	(void)buf_printf(&desc, NULL,
	                 "Radar chart of the factor scores on the scale %.0f to %.0f. ", lo, hi);
	for (size_t s = 0; s < nseries; s++) {
		struct buf b;
		buf_init(&b, 1024);
		json_t *dots = json_array();
		(void)buf_printf(&desc, NULL, "%s: ", names[s]);
		for (size_t a = 0; a < n; a++) {
			double ang = 2.0 * M_PI * (double)a / (double)n;
			double fr = (vals[s][a] - lo) / (hi - lo);
			char cx[32], cy[32];
			(void)snprintf(cx, sizeof cx, "%.2f", RADAR_CX + fr * RADAR_R * sin(ang));
			(void)snprintf(cy, sizeof cy, "%.2f", RADAR_CY - fr * RADAR_R * cos(ang));
			(void)buf_printf(&b, NULL, "%s%s,%s", a ? " " : "", cx, cy);
			(void)json_array_append_new(dots,
			                            json_pack("{s:s, s:s}", "cx", cx, "cy", cy));
			(void)buf_printf(&desc, NULL, "%s %.2f%s",
			                 jstr(json_array_get(factors, a), "title"), vals[s][a],
			                 a + 1 < n ? ", " : ". ");
		}
		char cls[64], lx[16], tx[16];
		(void)snprintf(cls, sizeof cls, "radar-series radar-series-%zu", s + 1);
		(void)snprintf(lx, sizeof lx, "%.0f", 40 + 200 * (double)s);
		(void)snprintf(tx, sizeof tx, "%.0f", 78 + 200 * (double)s);
		(void)json_array_append_new(
		    series,
		    json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:b}", "cls", cls, "name",
		              names[s], "points", buf_cstr(&b), "colour", series_colours[s], "dots",
		              dots, "x1", lx, "x2", lx, "tx", tx, "dashed", s == 1));
		buf_free(&b);
	}
	(void)buf_puts(&desc, "The data table with the chart lists every value.", NULL);
	/* the x2 of a legend line is 30 to the right of x1 */
	size_t i;
	json_t *s;
	json_array_foreach(series, i, s)
	{
		char x2[16];
		(void)snprintf(x2, sizeof x2, "%.0f", 70 + 200 * (double)i);
		(void)json_object_set_new(s, "x2", json_string(x2));
	}
	char title[300];
	(void)snprintf(title, sizeof title, "%s: %s, %s",
	               jstr(json_object_get(res, "toolkit"), "title"),
	               jstr(json_object_get(res, "org"), "code"), jstr(res, "period"));

	/* the data table: a row per factor, a column per series */
	json_t *heads = json_pack("[o]", head("Factor", false));
	for (size_t k = 0; k < nseries; k++)
		(void)json_array_append_new(heads, head(names[k], true));
	json_t *rows = json_array();
	for (size_t a = 0; a < n; a++) {
		json_t *cells = json_pack(
		    "[o]", cell(jstr(json_array_get(factors, a), "title"), true, false, NULL));
		for (size_t k = 0; k < nseries; k++) {
			char t[32];
			(void)snprintf(t, sizeof t, "%.2f", vals[k][a]);
			(void)json_array_append_new(cells, cell(t, false, true, NULL));
		}
		(void)json_array_append_new(rows, row(cells));
	}
	char caption[400];
	(void)snprintf(caption, sizeof caption, "%s: data for the chart", title);
	json_t *out = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "title", title, "desc",
	                        buf_cstr(&desc), "rings", rings, "spokes", spokes, "series", series,
	                        "table", table(caption, heads, rows));
	buf_free(&desc);
	return out;
}

static json_t *improvement_ctx(const json_t *res)
{
	json_t *out = json_array();
	size_t i;
	const json_t *a;
	json_array_foreach(json_object_get(res, "improvement_areas"), i, a)
	{
		json_t *reasons = json_deep_copy(json_object_get(a, "reasons"));
		(void)json_array_append_new(
		    out, json_pack("{s:I, s:s, s:s, s:s, s:o, s:o}", "rank",
		                   json_integer_value(json_object_get(a, "rank")), "statement",
		                   jstr(a, "statement"), "text", jstr(a, "text"), "factor",
		                   factor_title(res, jstr(a, "factor")), "score", num2(a, "score"),
		                   "reasons", reasons ? reasons : json_array()));
	}
	return out;
}

/* factor_sections: per factor, its statements' table and the evidence */
static json_t *factor_sections(const json_t *res)
{
	json_t *out = json_array();
	size_t i, k, e;
	const json_t *f, *s, *ev;
	json_array_foreach(json_object_get(res, "factors"), i, f)
	{
		json_t *rows = json_array();
		json_t *evidence = json_array();
		json_array_foreach(json_object_get(f, "statements"), k, s)
		{
			bool shown = json_is_true(json_object_get(s, "shown"));
			char ans[24], skip[24], rank[24] = "";
			(void)snprintf(ans, sizeof ans, "%" JSON_INTEGER_FORMAT,
			               json_integer_value(json_object_get(s, "answers")));
			(void)snprintf(skip, sizeof skip, "%" JSON_INTEGER_FORMAT,
			               json_integer_value(json_object_get(s, "skipped")));
			if (json_integer_value(json_object_get(s, "rank")) > 0)
				(void)snprintf(rank, sizeof rank, "%" JSON_INTEGER_FORMAT,
				               json_integer_value(json_object_get(s, "rank")));
			(void)json_array_append_new(
			    rows,
			    row(json_pack(
			        "[o, {s:o, s:b, s:b, s:b}, o, o, {s:o, s:b, s:b, s:b}, o, o]",
			        cell(jstr(s, "text"), true, false, NULL), "text",
			        shown ? num2(s, "score")
			              : json_string("Not shown: too few answers"),
			        "header", 0, "numeric", 1, "href", 0, cell(ans, false, true, NULL),
			        cell(skip, false, true, NULL), "text", num2(s, "spread"), "header",
			        0, "numeric", 1, "href", 0, cell(rank, false, true, NULL),
			        cell(json_is_true(json_object_get(s, "contrary_evidence")) ? "Yes"
			                                                                   : "",
			             false, false, NULL))));
			json_array_foreach(json_object_get(s, "evidence"), e, ev)
			{
				(void)json_array_append_new(
				    evidence,
				    json_pack("{s:s, s:s, s:s, s:s, s:b}", "statement",
				              jstr(s, "id"), "title", jstr(ev, "title"), "text",
				              jstr(ev, "text"), "source", jstr(ev, "source"),
				              "concern",
				              json_is_true(json_object_get(ev, "concern"))));
			}
		}
		char caption[300];
		(void)snprintf(caption, sizeof caption, "%s: scores by statement",
		               jstr(f, "title"));
		json_t *heads = json_pack(
		    "[o, o, o, o, o, o, o]", head("Statement", false), head("Score", true),
		    head("Answers", true), head("Don't know", true), head("Spread", true),
		    head("Improvement rank", true), head("Contrary evidence", false));
		(void)json_array_append_new(
		    out, json_pack("{s:s, s:s, s:o, s:o}", "id", jstr(f, "id"), "title",
		                   jstr(f, "title"), "statements", table(caption, heads, rows),
		                   "evidence", evidence));
	}
	return out;
}

/* share_ctx: the form to share good practice: the statements scored 4 or
 * more in a round that is no longer open; false when there are none */
static json_t *share_ctx(const json_t *res, const char *chosen, const char *text, bool named,
                         const char *errs[2])
{
	json_t *opts = json_array();
	(void)json_array_append_new(opts,
	                            page_option("", "Choose a statement", !chosen || !*chosen));
	size_t n = 0, i, k;
	const json_t *f, *s;
	json_array_foreach(json_object_get(res, "factors"), i, f)
	{
		json_array_foreach(json_object_get(f, "statements"), k, s)
		{
			double sc = 0;
			if (!json_is_true(json_object_get(s, "shown")) || !jnum(s, "score", &sc) ||
			    sc < ASSESS_PRACTICE_MIN)
				continue;
			char t[700];
			(void)snprintf(t, sizeof t, "%s (%.2f): %.500s", jstr(s, "id"), sc,
			               jstr(s, "text"));
			(void)json_array_append_new(
			    opts, page_option(jstr(s, "id"), t,
			                      chosen && strcmp(chosen, jstr(s, "id")) == 0));
			n++;
		}
	}
	if (n == 0) {
		json_decref(opts);
		return json_false();
	}
	return json_pack("{s:o, s:s, s:o, s:b}", "statement",
	                 page_select("statement", "Statement", opts,
	                             "Statements this organisation scored 4 or more", errs[0]),
	                 "text", text ? text : "", "text_error",
	                 errs[1] ? json_string(errs[1]) : json_false(), "named", named);
}

static const char *done_text(const char *done)
{
	static const struct {
		const char *key, *text;
	} t[] = {
	    {"shared", "Your good practice has been shared."},
	    {"added", "The action has been added to the plan."},
	    {"updated", "The action has been updated."},
	};
	for (size_t i = 0; done && i < sizeof t / sizeof t[0]; i++)
		if (strcmp(done, t[i].key) == 0)
			return t[i].text;
	return NULL;
}

static int results_page(struct web_request *req, struct web_response *resp, struct loaded *l,
                        json_t *ctx, const char *chosen, const char *text, bool named,
                        const char *errs[2], struct cadre_err *err)
{
	const json_t *res = json_object_get(l->report, "results");
	bool shown = json_is_true(json_object_get(res, "shown"));
	const json_t *mv = json_object_get(res, "movement");
	double ov = 0, ch = 0;
	char overall[32] = "", change[96] = "";
	if (jnum(res, "overall", &ov))
		(void)snprintf(overall, sizeof overall, "%.2f (%s)", ov, level_label(res, ov));
	if (jnum(mv, "overall_change", &ch)) {
		char c[32];
		signed2(ch, c, sizeof c);
		(void)snprintf(change, sizeof change, "%s since %s (%.2f then)", c,
		               jstr(mv, "from_period"),
		               json_number_value(json_object_get(mv, "previous_overall")));
	}
	const json_t *part = json_object_get(res, "participation");
	char part_text[160];
	(void)snprintf(part_text, sizeof part_text,
	               "%" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
	               " invited respondents submitted their answers.",
	               json_integer_value(json_object_get(part, "submitted")),
	               json_integer_value(json_object_get(part, "invited")));
	bool edit = may_edit(req, l);
	bool open = strcmp(l->round.status, "open") == 0;
	(void)json_object_set_new(ctx, "done",
	                          done_text(page_query_value(req, "done"))
	                              ? json_string(done_text(page_query_value(req, "done")))
	                              : json_false());
	(void)json_object_set_new(ctx, "shown", json_boolean(shown));
	(void)json_object_set_new(ctx, "overall", json_string(overall));
	(void)json_object_set_new(ctx, "overall_change",
	                          *change ? json_string(change) : json_false());
	(void)json_object_set_new(ctx, "participation_text", json_string(part_text));
	(void)json_object_set_new(ctx, "participation", participation_table(res));
	(void)json_object_set_new(ctx, "factors_table", shown ? factors_table(res) : json_false());
	(void)json_object_set_new(ctx, "findings", shown ? findings(res) : json_array());
	(void)json_object_set_new(ctx, "radar", shown ? radar_ctx(res) : json_false());
	(void)json_object_set_new(ctx, "improvement", shown ? improvement_ctx(res) : json_array());
	(void)json_object_set_new(ctx, "factor_sections",
	                          shown ? factor_sections(res) : json_array());
	(void)json_object_set_new(ctx, "share",
	                          edit && !open && shown ? share_ctx(res, chosen, text, named, errs)
	                                                 : json_false());
	return page_render(req, resp, "assess_results", ctx, err);
}

/* WEBPAGE: GET /assess/rounds/{id:int}/results
 * PERMISSION: toolkit.read
 * ORG: lookup page_assess_results_org
 * A round's results: scores, spread, radar chart, improvement areas.
 * Participation by group (a group with fewer than 3 respondents, or hidden
 * by secondary suppression, is marked suppressed and none of its figures
 * appear); scores per factor and overall with each shown group's, the
 * spread between groups (wide disagreement flagged) and the movement
 * since the previous round; the factors' radar chart (inline SVG) with its
 * data table; the improvement areas ranked with their reasons; each
 * statement's score and the automatic evidence.  With toolkit.edit over
 * the organisation and a closed round: the form to share good practice.
 */
int page_assess_results(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	struct loaded l;
	int rc = load(req, &l, err);
	if (rc != CADRE_OK) {
		json_decref(l.report);
		return rc;
	}
	const char *errs[2] = {NULL, NULL};
	rc = results_page(req, resp, &l, page_for(&l, "Results"), NULL, NULL, false, errs, err);
	json_decref(l.report);
	return rc;
}

/* WEBPAGE: POST /assess/rounds/{id:int}/share
 * PERMISSION: toolkit.edit
 * ORG: lookup page_assess_results_org
 * BODY: 16K
 * Share evidence of good practice for a statement scored 4 or more.
 * Fields: statement (its id), text (what the organisation does), named
 * ("yes" to show the organisation's name; otherwise others see neither
 * its code nor its name).  Only from a closed or signed-off round.
 * Sharing the same statement again replaces the text.  Audited.
 */
int page_assess_share(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	int rc = page_form(req, err);
	if (rc != CADRE_OK)
		return rc;
	const char *statement = page_form_value(req, "statement");
	const char *text = page_form_value(req, "text");
	bool named = strcmp(page_form_value(req, "named"), "yes") == 0;
	struct loaded l;
	if ((rc = load(req, &l, err)) != CADRE_OK) {
		json_decref(l.report);
		return rc;
	}
	json_t *ctx = page_for(&l, "Results");
	const char *errs[2] = {NULL, NULL};
	if (!*statement)
		errs[0] = page_error(ctx, "statement", "Choose the statement your practice is for");
	if (!*text)
		errs[1] = page_error(ctx, "text", "Describe your practice");
	else if (strlen(text) > ASSESS_TEXT_MAX)
		errs[1] =
		    page_error(ctx, "text", "Describe your practice in 4,000 characters or fewer");
	if (!errs[0] && !errs[1]) {
		struct store *db;
		struct cadre_err e;
		const struct account *acct = web_auth_account(req);
		if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
			goto done;
		rc = assess_share(req->actor, db, web_auth_key(req), &l.ref, statement, text, named,
		                  acct ? acct->name : "web", web_auth_clock(req), &e);
		if (rc == CADRE_OK) {
			char to[96];
			(void)snprintf(to, sizeof to,
			               "/assess/rounds/%" PRId64 "/results?done=shared",
			               l.round.id);
			rc = web_resp_redirect(resp, 303, to, err);
			goto done;
		}
		if (rc == CADRE_EINVAL || rc == CADRE_ECONFLICT)
			errs[0] =
			    page_error(ctx, "statement",
			               "Choose a statement this organisation scored 4 or more in "
			               "a closed round");
		else {
			rc = cadre_err_set(err, rc, "%s", e.msg);
			goto done;
		}
	}
	resp->status = 422;
	rc = results_page(req, resp, &l, ctx, statement, text, named, errs, err);
	ctx = NULL;
done:
	json_decref(ctx);
	json_decref(l.report);
	return rc;
}

/* ---- the action plan -------------------------------------------------------- */

static const char *const action_statuses[] = {"not_started", "in_progress", "done", "dropped"};

static json_t *factor_options(const json_t *res, const char *chosen)
{
	json_t *o = json_array();
	(void)json_array_append_new(o, page_option("", "Choose a factor", !chosen || !*chosen));
	size_t i;
	const json_t *f;
	json_array_foreach(json_object_get(res, "factors"), i, f)
	{
		(void)json_array_append_new(
		    o, page_option(jstr(f, "id"), jstr(f, "title"),
		                   chosen && strcmp(chosen, jstr(f, "id")) == 0));
	}
	return o;
}

/* actions_ctx: the plan's actions for the page, each with its update form's
 * fields (errors only on the one action the failed form was about) */
static json_t *actions_ctx(const json_t *report, int64_t failed, const char *errs[2])
{
	const json_t *res = json_object_get(report, "results");
	json_t *out = json_array();
	size_t i, k;
	const json_t *a, *n;
	json_array_foreach(json_object_get(report, "actions"), i, a)
	{
		int64_t id = json_integer_value(json_object_get(a, "id"));
		json_t *notes = json_array();
		json_array_foreach(json_object_get(a, "notes"), k, n)
		{
			char at[DATE_LONDON_SIZE];
			when_text(jstr(n, "at"), at);
			(void)json_array_append_new(
			    notes, json_pack("{s:s, s:s, s:s, s:s}", "at", at, "by", jstr(n, "by"),
			                     "status", action_status_text(jstr(n, "status")),
			                     "note", jstr(n, "note")));
		}
		json_t *opts = json_array();
		for (size_t s = 0; s < sizeof action_statuses / sizeof action_statuses[0]; s++)
			(void)json_array_append_new(
			    opts,
			    page_option(action_statuses[s], action_status_text(action_statuses[s]),
			                strcmp(action_statuses[s], jstr(a, "status")) == 0));
		char sid[48], nid[48];
		(void)snprintf(sid, sizeof sid, "status-%" PRId64, id);
		(void)snprintf(nid, sizeof nid, "note-%" PRId64, id);
		json_t *sel = page_select(sid, "Status", opts, NULL, id == failed ? errs[0] : NULL);
		(void)json_object_set_new(sel, "name", json_string("status"));
		char due[DATE_LONDON_SIZE];
		(void)snprintf(due, sizeof due, "%s", jstr(a, "due"));
		(void)json_array_append_new(
		    out,
		    json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:o}", "id",
		              (json_int_t)id, "action", jstr(a, "action"), "factor",
		              factor_title(res, jstr(a, "factor")), "owner", jstr(a, "owner"),
		              "due", due, "status", action_status_text(jstr(a, "status")), "notes",
		              notes, "status_field", sel, "note_id", nid, "note_error",
		              id == failed && errs[1] ? json_string(errs[1]) : json_false()));
	}
	return out;
}

static int actions_page(struct web_request *req, struct web_response *resp, struct loaded *l,
                        json_t *ctx, int64_t failed, const char *uerrs[2], const char *aerrs[4],
                        struct cadre_err *err)
{
	const json_t *res = json_object_get(l->report, "results");
	bool edit = may_edit(req, l);
	(void)json_object_set_new(ctx, "done",
	                          done_text(page_query_value(req, "done"))
	                              ? json_string(done_text(page_query_value(req, "done")))
	                              : json_false());
	(void)json_object_set_new(ctx, "can_edit", json_boolean(edit));
	(void)json_object_set_new(ctx, "actions", actions_ctx(l->report, failed, uerrs));
	json_t *add = json_false();
	if (edit) {
		bool adding = failed == 0;
		add = json_pack(
		    "{s:o, s:o, s:o, s:o}", "factor",
		    page_select("factor", "Factor",
		                factor_options(res, adding ? page_form_value(req, "factor") : NULL),
		                NULL, aerrs[0]),
		    "action",
		    page_input("action", "Action", NULL,
		               adding ? page_form_value(req, "action") : NULL, "off",
		               "What will be done", aerrs[1]),
		    "owner",
		    page_input("owner", "Owner", NULL,
		               adding ? page_form_value(req, "owner") : NULL, "off",
		               "The person accountable for it", aerrs[2]),
		    "due",
		    page_input("due", "Due date", NULL, adding ? page_form_value(req, "due") : NULL,
		               "off", "For example, 2027-03-31", aerrs[3]));
	}
	(void)json_object_set_new(ctx, "add", add);
	return page_render(req, resp, "assess_actions", ctx, err);
}

/* WEBPAGE: GET /assess/rounds/{id:int}/actions
 * PERMISSION: toolkit.read
 * ORG: lookup page_assess_results_org
 * A round's action plan.
 * Each action with its factor, owner, due date, status and progress
 * notes.  With toolkit.edit over the organisation: the forms to add an
 * action and to move one on (status and a note).
 */
int page_assess_actions(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	struct loaded l;
	int rc = load(req, &l, err);
	if (rc == CADRE_OK) {
		const char *u[2] = {NULL, NULL}, *a[4] = {NULL, NULL, NULL, NULL};
		rc = actions_page(req, resp, &l, page_for(&l, "Action plan"), -1, u, a, err);
	}
	json_decref(l.report);
	return rc;
}

/* action_in_round: is action id one of the report's */
static bool action_in_round(const json_t *report, int64_t id)
{
	size_t i;
	const json_t *a;
	json_array_foreach(json_object_get(report, "actions"), i, a)
	{
		if (json_integer_value(json_object_get(a, "id")) == id)
			return true;
	}
	return false;
}

/* WEBPAGE: POST /assess/rounds/{id:int}/actions
 * PERMISSION: toolkit.edit
 * ORG: lookup page_assess_results_org
 * BODY: 16K
 * Add an action to a round's plan.
 * Fields: factor (its id), action, owner, due (YYYY-MM-DD).  A missing or
 * bad field is shown in the error summary and beside the field.  Audited.
 */
int page_assess_action_add(struct web_request *req, struct web_response *resp,
                           struct cadre_err *err)
{
	int rc = page_form(req, err);
	if (rc != CADRE_OK)
		return rc;
	struct loaded l;
	if ((rc = load(req, &l, err)) != CADRE_OK) {
		json_decref(l.report);
		return rc;
	}
	const char *factor = page_form_value(req, "factor");
	const char *action = page_form_value(req, "action");
	const char *owner = page_form_value(req, "owner");
	const char *due = page_form_value(req, "due");
	json_t *ctx = page_for(&l, "Action plan");
	const char *a[4] = {NULL, NULL, NULL, NULL}, *u[2] = {NULL, NULL};
	const json_t *res = json_object_get(l.report, "results");
	bool known = false;
	size_t i;
	const json_t *f;
	json_array_foreach(json_object_get(res, "factors"), i, f)
	{
		if (strcmp(jstr(f, "id"), factor) == 0)
			known = true;
	}
	struct date d;
	struct cadre_err e;
	if (!known)
		a[0] = page_error(ctx, "factor", "Choose the factor the action is for");
	if (!*action)
		a[1] = page_error(ctx, "action", "Enter the action");
	else if (strlen(action) > ASSESS_TEXT_MAX)
		a[1] = page_error(ctx, "action", "Enter an action of 4,000 characters or fewer");
	if (!*owner)
		a[2] = page_error(ctx, "owner", "Enter the name of the action's owner");
	else if (strlen(owner) >= ASSESS_NAME_MAX)
		a[2] = page_error(ctx, "owner", "Enter a name of 199 characters or fewer");
	if (!*due)
		a[3] = page_error(ctx, "due", "Enter the due date");
	else if (strlen(due) != 10 || date_parse_iso(due, strlen(due), &d, &e) != CADRE_OK)
		a[3] = page_error(ctx, "due", "Enter the due date as YYYY-MM-DD, like 2027-03-31");
	if (!a[0] && !a[1] && !a[2] && !a[3]) {
		struct store *db;
		if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
			goto done;
		rc = assess_action_add(req->actor, db, web_auth_key(req), &l.ref, factor, action,
		                       owner, due, web_auth_clock(req), NULL, &e);
		if (rc == CADRE_OK) {
			char to[96];
			(void)snprintf(to, sizeof to,
			               "/assess/rounds/%" PRId64 "/actions?done=added", l.round.id);
			rc = web_resp_redirect(resp, 303, to, err);
			goto done;
		}
		if (rc != CADRE_EINVAL) {
			rc = cadre_err_set(err, rc, "%s", e.msg);
			goto done;
		}
		/* the domain's own checks (control characters, say) */
		a[1] = page_error(ctx, "action", "Enter the action and owner as plain text");
	}
	resp->status = 422;
	rc = actions_page(req, resp, &l, ctx, 0, u, a, err);
	ctx = NULL;
done:
	json_decref(ctx);
	json_decref(l.report);
	return rc;
}

static bool status_known(const char *s)
{
	for (size_t i = 0; i < sizeof action_statuses / sizeof action_statuses[0]; i++)
		if (strcmp(s, action_statuses[i]) == 0)
			return true;
	return false;
}

/* WEBPAGE: POST /assess/rounds/{id:int}/actions/{action:int}
 * PERMISSION: toolkit.edit
 * ORG: lookup page_assess_results_org
 * BODY: 16K
 * Move an action on: its status and a progress note.
 * Fields: status (not_started, in_progress, done, dropped), note
 * (optional; kept with the status it left).  A change of neither is a
 * field error.  An action of another round is not found.  Audited.
 */
int page_assess_action_update(struct web_request *req, struct web_response *resp,
                              struct cadre_err *err)
{
	int rc = page_form(req, err);
	if (rc != CADRE_OK)
		return rc;
	struct loaded l;
	if ((rc = load(req, &l, err)) != CADRE_OK) {
		json_decref(l.report);
		return rc;
	}
	int64_t id = web_req_param_int(req, "action");
	json_t *ctx = NULL;
	if (!action_in_round(l.report, id)) {
		rc = cadre_err_set(err, CADRE_ENOTFOUND, "no such action in this round");
		goto done;
	}
	const char *status = page_form_value(req, "status");
	const char *note = page_form_value(req, "note");
	ctx = page_for(&l, "Action plan");
	char sid[48], nid[48];
	(void)snprintf(sid, sizeof sid, "status-%" PRId64, id);
	(void)snprintf(nid, sizeof nid, "note-%" PRId64, id);
	const char *u[2] = {NULL, NULL}, *a[4] = {NULL, NULL, NULL, NULL};
	if (!status_known(status))
		u[0] = page_error(ctx, sid, "Choose a status");
	if (strlen(note) > ASSESS_TEXT_MAX)
		u[1] = page_error(ctx, nid, "Enter a note of 4,000 characters or fewer");
	if (!u[0] && !u[1]) {
		struct store *db;
		struct cadre_err e;
		if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
			goto done;
		rc = assess_action_update(req->actor, db, web_auth_key(req), id, status,
		                          *note ? note : NULL, web_auth_clock(req), &e);
		if (rc == CADRE_OK) {
			char to[96];
			(void)snprintf(to, sizeof to,
			               "/assess/rounds/%" PRId64 "/actions?done=updated",
			               l.round.id);
			rc = web_resp_redirect(resp, 303, to, err);
			goto done;
		}
		if (rc != CADRE_EINVAL) {
			rc = cadre_err_set(err, rc, "%s", e.msg);
			goto done;
		}
		u[1] = page_error(ctx, nid,
		                  *note ? "Enter the note as plain text"
		                        : "Choose a new status or add a note");
	}
	resp->status = 422;
	rc = actions_page(req, resp, &l, ctx, id, u, a, err);
	ctx = NULL;
done:
	json_decref(ctx);
	json_decref(l.report);
	return rc;
}

/* ---- the board summary and the exports ------------------------------------- */

/* WEBPAGE: GET /assess/rounds/{id:int}/summary
 * PERMISSION: toolkit.read
 * ORG: lookup page_assess_results_org
 * The one-page board summary, for printing.
 * Sign-off, participation (each group's visibility and why), factor scores
 * with level, spread and movement, the five improvement areas, evidence
 * from data that raises a concern, and the action plan.
 */
int page_assess_summary(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	struct loaded l;
	int rc = load(req, &l, err);
	if (rc != CADRE_OK) {
		json_decref(l.report);
		return rc;
	}
	const json_t *res = json_object_get(l.report, "results");
	bool shown = json_is_true(json_object_get(res, "shown"));
	json_t *ctx = page_for(&l, "Board summary");
	double ov = 0, ch = 0;
	char overall[64] = "", change[96] = "";
	if (jnum(res, "overall", &ov))
		(void)snprintf(overall, sizeof overall, "%.2f of %zu (%s)", ov,
		               json_array_size(json_object_get(res, "scale")),
		               level_label(res, ov));
	if (jnum(json_object_get(res, "movement"), "overall_change", &ch)) {
		char c[32];
		signed2(ch, c, sizeof c);
		(void)snprintf(change, sizeof change, "%s since %s", c,
		               jstr(json_object_get(res, "movement"), "from_period"));
	}
	/* evidence from data that contradicts the respondents */
	json_t *concerns = json_array();
	size_t i, k, e;
	const json_t *f, *s, *ev;
	json_array_foreach(json_object_get(res, "factors"), i, f)
	{
		json_array_foreach(json_object_get(f, "statements"), k, s)
		{
			json_array_foreach(json_object_get(s, "evidence"), e, ev)
			{
				if (json_is_true(json_object_get(ev, "concern")))
					(void)json_array_append_new(
					    concerns,
					    json_pack("{s:s, s:s}", "title", jstr(ev, "title"),
					              "text", jstr(ev, "text")));
			}
		}
	}
	json_t *acts = json_array();
	const json_t *a;
	json_array_foreach(json_object_get(l.report, "actions"), i, a)
	{
		(void)json_array_append_new(
		    acts, row(json_pack(
		              "[o, o, o, o, o]", cell(jstr(a, "action"), true, false, NULL),
		              cell(factor_title(res, jstr(a, "factor")), false, false, NULL),
		              cell(jstr(a, "owner"), false, false, NULL),
		              cell(jstr(a, "due"), false, false, NULL),
		              cell(action_status_text(jstr(a, "status")), false, false, NULL))));
	}
	json_t *actions =
	    json_array_size(acts)
	        ? table("Action plan",
	                json_pack("[o, o, o, o, o]", head("Action", false), head("Factor", false),
	                          head("Owner", false), head("Due", false), head("Status", false)),
	                acts)
	        : (json_decref(acts), json_false());
	json_t *areas = shown ? improvement_ctx(res) : json_array();
	(void)json_object_set_new(ctx, "shown", json_boolean(shown));
	(void)json_object_set_new(ctx, "overall", json_string(overall));
	(void)json_object_set_new(ctx, "overall_change",
	                          *change ? json_string(change) : json_false());
	(void)json_object_set_new(ctx, "participation", participation_table(res));
	(void)json_object_set_new(ctx, "factors_table", shown ? factors_table(res) : json_false());
	(void)json_object_set_new(ctx, "findings", shown ? findings(res) : json_array());
	(void)json_object_set_new(ctx, "improvement", areas);
	(void)json_object_set_new(ctx, "concerns", concerns);
	(void)json_object_set_new(ctx, "actions_table", actions);
	rc = page_render(req, resp, "assess_summary", ctx, err);
	json_decref(l.report);
	return rc;
}

/* attachment: Content-Disposition for a download named after the round */
static int attachment(struct web_response *resp, const struct loaded *l, const char *ext,
                      struct cadre_err *err)
{
	char fy[DATE_FY_SIZE], name[160];
	date_fy_format(l->round.period, fy);
	fy[4] = '-'; /* 2025/26 -> 2025-26 */
	(void)snprintf(name, sizeof name, "attachment; filename=\"assess-%s-%s-%s.%s\"",
	               l->round.org, fy, l->round.toolkit, ext);
	return web_resp_header(resp, "Content-Disposition", name, err);
}

/* WEBPAGE: GET /assess/rounds/{id:int}/export.csv
 * PERMISSION: toolkit.read
 * ORG: lookup page_assess_results_org
 * PRODUCES: text/csv; charset=utf-8
 * A round's results as CSV, to open in a spreadsheet.
 * One row per overall, group, factor, factor-and-group and statement
 * figure (org_code, period, toolkit_id, toolkit_version, level, factor_id,
 * statement_id, group_id, text, score, respondents, shown, note), with a
 * byte-order mark and CRLF; a text cell starting with = + - @, tab or
 * carriage return is neutralised so no spreadsheet runs it as a formula.
 * Suppressed figures are empty.
 */
int page_assess_export_csv(struct web_request *req, struct web_response *resp,
                           struct cadre_err *err)
{
	struct loaded l;
	int rc = load(req, &l, err);
	struct buf b;
	buf_init(&b, (size_t)8 << 20);
	if (rc == CADRE_OK)
		rc = assess_export_csv(l.report, &b, err);
	if (rc == CADRE_OK)
		rc = attachment(resp, &l, "csv", err);
	if (rc == CADRE_OK) {
		resp->content_type = "text/csv; charset=utf-8";
		rc = web_resp_write(resp, b.data, b.len, err);
	}
	buf_free(&b);
	json_decref(l.report);
	return rc;
}

/* WEBPAGE: GET /assess/rounds/{id:int}/export.json
 * PERMISSION: toolkit.read
 * ORG: lookup page_assess_results_org
 * PRODUCES: application/json
 * A round's report as JSON, to download.
 * {round, results (the document a board member signs), signoff, actions}:
 * the same as `cadre assess results --json`.
 */
int page_assess_export_json(struct web_request *req, struct web_response *resp,
                            struct cadre_err *err)
{
	struct loaded l;
	int rc = load(req, &l, err);
	if (rc == CADRE_OK)
		rc = attachment(resp, &l, "json", err);
	if (rc != CADRE_OK) {
		json_decref(l.report);
		return rc;
	}
	return reply_json(resp, l.report, err);
}

/* ---- the peer benchmark ---------------------------------------------------- */

/* period_param: the period in ?period=YYYY/YY; a bad one is a 400 naming
 * it.  Absent: the latest period with a closed round of the organisation
 * or one below it, else the current financial year. */
static int period_param(struct web_request *req, struct web_response *resp, int *period,
                        struct cadre_err *err)
{
	const struct form *q;
	int rc = web_req_query(req, &q, err);
	if (rc != CADRE_OK)
		return web_fail(resp, err, 400, "%s", err->msg);
	const char *v = form_get(q, "period");
	struct cadre_err e;
	if (!v) {
		/* the latest period with a closed round there, else this year */
		struct store *db;
		if ((rc = web_req_db(req, &db, err)) != CADRE_OK ||
		    (rc = assess_view_latest_period(db, web_req_param(req, "code"), period, err)) !=
		        CADRE_OK)
			return rc;
		if (*period == 0) {
			*period = date_fy_of(date_ts_date(clock_now(web_auth_clock(req))));
		}
		return CADRE_OK;
	}
	if (form_count(q, "period") > 1 || date_fy_parse(v, strlen(v), period, &e) != CADRE_OK) {
		web_resp_field_error(resp, "period",
		                     "Enter a financial year as YYYY/YY, for example 2025/26");
		return web_fail(
		    resp, err, 400,
		    "The query parameter period is not valid: enter a financial year as "
		    "YYYY/YY, for example 2025/26");
	}
	return CADRE_OK;
}

/* toolkit_param: ?toolkit=ID, NULL when absent; a malformed id is a 400 */
static int toolkit_param(struct web_request *req, struct web_response *resp, const char **out,
                         struct cadre_err *err)
{
	const struct form *q;
	*out = NULL;
	int rc = web_req_query(req, &q, err);
	if (rc != CADRE_OK)
		return web_fail(resp, err, 400, "%s", err->msg);
	const char *v = form_get(q, "toolkit");
	if (!v || !*v)
		return CADRE_OK;
	bool ok = form_count(q, "toolkit") == 1 && strlen(v) < TOOLKIT_ID_MAX;
	for (const char *p = v; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-';
	if (!ok) {
		web_resp_field_error(resp, "toolkit", "Give a toolkit id, like wfp-five-factor");
		return web_fail(resp, err, 400,
		                "The query parameter toolkit is not valid: give a toolkit id, like "
		                "wfp-five-factor");
	}
	*out = v;
	return CADRE_OK;
}

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
		if (!ok) {
			web_resp_field_error(resp, q->fields[i].name,
			                     "this address takes no such parameter");
			return web_fail(
			    resp, err, 400,
			    "The query parameter %s is not valid: this address takes no "
			    "such parameter",
			    q->fields[i].name);
		}
	}
	return CADRE_OK;
}

static int benchmark_load(struct web_request *req, struct web_response *resp, json_t **out,
                          struct cadre_err *err)
{
	static const char *const allowed[] = {"period", "toolkit", NULL};
	int period = 0;
	const char *toolkit = NULL;
	*out = NULL;
	int rc = only_params(req, resp, allowed, err);
	if (rc == CADRE_OK)
		rc = period_param(req, resp, &period, err);
	if (rc == CADRE_OK)
		rc = toolkit_param(req, resp, &toolkit, err);
	struct store *db;
	if (rc == CADRE_OK)
		rc = web_req_db(req, &db, err);
	if (rc == CADRE_OK)
		rc = assess_benchmark_json(req->actor, db, web_req_param(req, "code"), period,
		                           toolkit, out, err);
	return rc;
}

static json_t *dist_cells(json_t *cells, const json_t *d)
{
	static const char *const k[] = {"min", "q1", "median", "q3", "max"};
	for (size_t i = 0; i < 5; i++)
		(void)json_array_append_new(cells,
		                            json_pack("{s:o, s:b, s:b, s:b}", "text", num2(d, k[i]),
		                                      "header", 0, "numeric", 1, "href", 0));
	return cells;
}

static json_t *dist_heads(json_t *heads)
{
	static const char *const k[] = {"Minimum", "Lower quartile", "Median", "Upper quartile",
	                                "Maximum"};
	for (size_t i = 0; i < 5; i++)
		(void)json_array_append_new(heads, head(k[i], true));
	return heads;
}

/* bench_ctx: the benchmark page's tables from assess_benchmark_json */
static json_t *bench_ctx(const json_t *b)
{
	const json_t *factors = json_object_get(b, "factors");
	const json_t *orgs = json_object_get(b, "organisations");
	json_t *side = json_false(), *dist = json_false();
	size_t i, k;
	const json_t *f, *o;
	if (json_is_object(orgs) && json_integer_value(json_object_get(orgs, "count")) > 0) {
		json_t *heads =
		    json_pack("[o, o]", head("Organisation", false), head("Overall", true));
		json_array_foreach(factors, i, f)
		{
			(void)json_array_append_new(heads, head(jstr(f, "title"), true));
		}
		json_t *rows = json_array();
		json_array_foreach(json_object_get(orgs, "rows"), k, o)
		{
			char name[400];
			(void)snprintf(name, sizeof name, "%s (%s)", jstr(o, "name"),
			               jstr(o, "code"));
			json_t *cells = json_pack(
			    "[o, {s:o, s:b, s:b, s:b}]", cell(name, true, false, NULL), "text",
			    num2(o, "overall"), "header", 0, "numeric", 1, "href", 0);
			json_array_foreach(factors, i, f)
			{
				(void)json_array_append_new(
				    cells,
				    json_pack("{s:o, s:b, s:b, s:b}", "text",
				              num2(json_object_get(o, "factors"), jstr(f, "id")),
				              "header", 0, "numeric", 1, "href", 0));
			}
			(void)json_array_append_new(rows, row(cells));
		}
		side = table("Factor scores of each organisation", heads, rows);
		json_t *drows = json_array();
		const json_t *dd = json_object_get(orgs, "distribution");
		json_array_foreach(factors, i, f)
		{
			const json_t *d = json_object_get(dd, jstr(f, "id"));
			char n[24];
			(void)snprintf(n, sizeof n, "%" JSON_INTEGER_FORMAT,
			               json_integer_value(json_object_get(d, "n")));
			(void)json_array_append_new(
			    drows,
			    row(dist_cells(json_pack("[o, o]",
			                             cell(jstr(f, "title"), true, false, NULL),
			                             cell(n, false, true, NULL)),
			                   d)));
		}
		const json_t *d = json_object_get(dd, "overall");
		char n[24];
		(void)snprintf(n, sizeof n, "%" JSON_INTEGER_FORMAT,
		               json_integer_value(json_object_get(d, "n")));
		(void)json_array_append_new(
		    drows, row(dist_cells(json_pack("[o, o]", cell("Overall", true, false, NULL),
		                                    cell(n, false, true, NULL)),
		                          d)));
		dist = table("Distribution of the organisations' scores",
		             dist_heads(json_pack("[o, o]", head("Factor", false),
		                                  head("Organisations", true))),
		             drows);
	}
	json_t *peers = json_array();
	const json_t *self = json_object_get(b, "self");
	const json_t *pg;
	json_array_foreach(json_object_get(self, "peer_groups"), k, pg)
	{
		json_t *rows = json_array();
		json_array_foreach(json_object_get(pg, "factors"), i, f)
		{
			const char *fid = jstr(f, "id");
			const char *title = strcmp(fid, "overall") == 0 ? "Overall" : NULL;
			size_t j;
			const json_t *tf;
			json_array_foreach(factors, j, tf)
			{
				if (strcmp(jstr(tf, "id"), fid) == 0)
					title = jstr(tf, "title");
			}
			char n[24];
			(void)snprintf(n, sizeof n, "%" JSON_INTEGER_FORMAT,
			               json_integer_value(json_object_get(f, "organisations")));
			json_t *cells = json_pack("[o, {s:o, s:b, s:b, s:b}, o]",
			                          cell(title ? title : fid, true, false, NULL),
			                          "text", num2(f, "self"), "header", 0, "numeric",
			                          1, "href", 0, cell(n, false, true, NULL));
			if (json_is_true(json_object_get(f, "suppressed"))) {
				for (int c = 0; c < 6; c++)
					(void)json_array_append_new(
					    cells,
					    cell(c == 0 ? "Suppressed: fewer than 5 organisations"
					                : "",
					         false, false, NULL));
			} else {
				dist_cells(cells, json_object_get(f, "distribution"));
				struct buf ob;
				buf_init(&ob, 4096);
				size_t m;
				const json_t *v;
				json_array_foreach(json_object_get(f, "others"), m, v)
				{
					(void)buf_printf(&ob, NULL, "%s%.2f", m ? ", " : "",
					                 json_number_value(v));
				}
				(void)json_array_append_new(
				    cells, cell(buf_cstr(&ob), false, false, NULL));
				buf_free(&ob);
			}
			(void)json_array_append_new(rows, row(cells));
		}
		char caption[400];
		(void)snprintf(caption, sizeof caption,
		               "Against the organisations of %s (%" JSON_INTEGER_FORMAT
		               " with results, this one included)",
		               jstr(pg, "name"),
		               json_integer_value(json_object_get(pg, "organisations")));
		json_t *heads = dist_heads(json_pack("[o, o, o]", head("Factor", false),
		                                     head("This organisation", true),
		                                     head("Organisations", true)));
		(void)json_array_append_new(heads, head("Others, anonymised (sorted)", false));
		(void)json_array_append_new(
		    peers, json_pack("{s:s, s:b, s:s, s:o}", "name", jstr(pg, "name"), "suppressed",
		                     json_is_true(json_object_get(pg, "suppressed")), "reason",
		                     jstr(pg, "reason"), "table", table(caption, heads, rows)));
	}
	return json_pack("{s:o, s:o, s:o, s:b}", "side_by_side", side, "distribution", dist,
	                 "peers", peers, "has_self", json_is_object(self));
}

/* WEBPAGE: GET /assess/benchmark/{code:code}
 * PERMISSION: toolkit.read
 * ORG: path code
 * Peer benchmark: how organisations compare on the factors.
 * For an ICB or region, its organisations' factor scores side by side
 * with each factor's distribution (minimum, quartiles, median, maximum).
 * For an organisation with its own round, its scores against its ICB's
 * and region's distributions, the other organisations anonymised (values
 * only, sorted per factor; fewer than 5 organisations: suppressed).
 * Query: period=YYYY/YY (default: the latest with a closed round there),
 * toolkit=ID (default: the trusts').
 */
int page_assess_benchmark(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	json_t *b = NULL;
	int rc = benchmark_load(req, resp, &b, err);
	if (rc != CADRE_OK)
		return rc;
	const json_t *org = json_object_get(b, "org");
	char title[400];
	(void)snprintf(title, sizeof title, "Peer benchmark: %s, %s", jstr(org, "name"),
	               jstr(b, "period"));
	json_t *ctx = page_new(title);
	(void)json_object_set_new(ctx, "org", json_deep_copy(org));
	(void)json_object_set_new(ctx, "period", json_string(jstr(b, "period")));
	(void)json_object_set_new(ctx, "toolkit_title",
	                          json_string(jstr(json_object_get(b, "toolkit"), "title")));
	(void)json_object_set_new(ctx, "toolkit_id",
	                          json_string(jstr(json_object_get(b, "toolkit"), "id")));
	(void)json_object_set_new(ctx, "bench", bench_ctx(b));
	json_decref(b);
	return page_render(req, resp, "assess_benchmark", ctx, err);
}

/* ---- good practice ---------------------------------------------------------- */

/* WEBPAGE: GET /assess/good-practice
 * PERMISSION: toolkit.read
 * ORG: none
 * Good practice other organisations chose to share.
 * Evidence shared for statements scored 4 or more, best score first,
 * filtered by toolkit (default: the five-factor toolkit), factor and
 * statement; an organisation is named only when it opted in.
 */
int page_assess_practice(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	static const char *const allowed[] = {"toolkit", "factor", "statement", NULL};
	const char *toolkit = NULL;
	int rc = only_params(req, resp, allowed, err);
	if (rc == CADRE_OK)
		rc = toolkit_param(req, resp, &toolkit, err);
	if (rc != CADRE_OK)
		return rc;
	if (!toolkit)
		toolkit = "wfp-five-factor";
	const char *factor = page_query_value(req, "factor");
	const char *statement = page_query_value(req, "statement");
	struct store *db;
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
		return rc;
	struct toolkit tk;
	struct cadre_err e;
	if (toolkit_get(req->actor, db, toolkit, 0, &tk, &e) != CADRE_OK) {
		web_resp_field_error(resp, "toolkit", "Choose a toolkit that is loaded");
		return web_fail(resp, err, 400, "No toolkit %s is loaded", toolkit);
	}
	size_t fi = 0;
	bool has_factor = factor && *factor && toolkit_factor_find(&tk, factor, &fi);
	json_t *p = NULL;
	rc = assess_practice_json(req->actor, db, toolkit,
	                          statement && *statement ? statement : NULL, &p, err);
	if (rc != CADRE_OK) {
		toolkit_free(&tk);
		return rc;
	}
	/* the filter form: toolkits, factors of this one */
	struct toolkit_info *tl = NULL;
	size_t ntl = 0;
	json_t *topts = json_array();
	if (toolkit_list(req->actor, db, &tl, &ntl, &e) == CADRE_OK)
		for (size_t i = 0; i < ntl; i++)
			if (tl[i].latest)
				(void)json_array_append_new(
				    topts, page_option(tl[i].id, tl[i].title,
				                       strcmp(tl[i].id, toolkit) == 0));
	free(tl);
	json_t *fopts = json_array();
	(void)json_array_append_new(fopts, page_option("", "All factors", !has_factor));
	for (size_t i = 0; i < tk.nfactors; i++)
		(void)json_array_append_new(
		    fopts,
		    page_option(tk.factors[i].id, tk.factors[i].title, has_factor && i == fi));
	json_t *items = json_array();
	size_t i;
	const json_t *it;
	json_array_foreach(json_object_get(p, "practice"), i, it)
	{
		size_t si = 0;
		const struct toolkit_statement *st =
		    toolkit_statement_find(&tk, jstr(it, "statement"), &si);
		if (has_factor && (!st || st->factor != fi))
			continue;
		char who[400];
		if (json_is_true(json_object_get(it, "named")))
			(void)snprintf(who, sizeof who, "%s (%s)", jstr(it, "org_name"),
			               jstr(it, "org"));
		else
			(void)snprintf(who, sizeof who,
			               "An organisation that chose not to be named");
		(void)json_array_append_new(
		    items,
		    json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s}", "statement",
		              jstr(it, "statement"), "statement_text", jstr(it, "statement_text"),
		              "factor", st ? tk.factors[st->factor].title : "", "score",
		              num2(it, "score"), "text", jstr(it, "text"), "period",
		              jstr(it, "period"), "who", who));
	}
	json_t *ctx = page_new("Good practice");
	(void)json_object_set_new(ctx, "toolkit",
	                          page_select("toolkit", "Toolkit", topts, NULL, NULL));
	(void)json_object_set_new(ctx, "factor",
	                          page_select("factor", "Factor", fopts, NULL, NULL));
	(void)json_object_set_new(ctx, "items", items);
	(void)json_object_set_new(ctx, "toolkit_title", json_string(tk.title));
	toolkit_free(&tk);
	json_decref(p);
	return page_render(req, resp, "assess_practice", ctx, err);
}

/* ---- the API ---------------------------------------------------------------- */

/* API: GET /api/v1/assess/rounds/{id:int}/results
 * PERMISSION: toolkit.read
 * ORG: lookup page_assess_results_org
 * A round's report: round, results, signoff and actions.
 * {round, results (format cadre-assess-results/1: scores per statement,
 * factor and overall; groups with shown = shown | empty | primary |
 * secondary | round and their figures null when hidden; spread; movement;
 * improvement_areas), signoff (null until signed), actions}.
 */
int api_assess_results(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	static const char *const allowed[] = {NULL};
	int rc = only_params(req, resp, allowed, err);
	if (rc != CADRE_OK)
		return rc;
	struct loaded l;
	if ((rc = load(req, &l, err)) != CADRE_OK) {
		json_decref(l.report);
		return rc;
	}
	return reply_json(resp, l.report, err);
}

/* API: GET /api/v1/assess/benchmark/{code:code}
 * PERMISSION: toolkit.read
 * ORG: path code
 * Peer benchmark of an organisation for a period.
 * {org, period, toolkit, factors, min_peers, organisations (null, or the
 * named organisations below with rows and distribution), self (null, or
 * its scores against each peer group above it: other organisations'
 * values only, sorted per factor, suppressed under min_peers)}.  Query:
 * period=YYYY/YY (default: the latest with a closed round there),
 * toolkit=ID.  A bad or unknown parameter is a
 * 400 naming it.
 */
int api_assess_benchmark(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	json_t *b = NULL;
	int rc = benchmark_load(req, resp, &b, err);
	if (rc != CADRE_OK)
		return rc;
	return reply_json(resp, b, err);
}

/* API: GET /api/v1/assess/good-practice
 * PERMISSION: toolkit.read
 * ORG: none
 * Shared good practice for a toolkit.
 * {toolkit, statement, practice [{statement, statement_text, score, text,
 * period, named, org, org_name}]}: org and org_name are null unless the
 * organisation opted in.  Query: toolkit=ID (default wfp-five-factor, the
 * trusts' toolkit), statement=ID.
 */
int api_assess_practice(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	static const char *const allowed[] = {"toolkit", "statement", NULL};
	const char *toolkit = NULL;
	int rc = only_params(req, resp, allowed, err);
	if (rc == CADRE_OK)
		rc = toolkit_param(req, resp, &toolkit, err);
	if (rc != CADRE_OK)
		return rc;
	if (!toolkit)
		toolkit = "wfp-five-factor";
	const char *statement = page_query_value(req, "statement");
	struct store *db;
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
		return rc;
	json_t *p = NULL;
	if ((rc = assess_practice_json(req->actor, db, toolkit,
	                               statement && *statement ? statement : NULL, &p, err)) !=
	    CADRE_OK)
		return rc;
	return reply_json(resp, p, err);
}

/* API: GET /api/v1/assess/rounds/{id:int}/actions
 * PERMISSION: toolkit.read
 * ORG: lookup page_assess_results_org
 * A round's action plan.
 * {round, actions [{id, factor, action, owner, due, status, created_at,
 * updated_at, notes [{no, at, by, status, note}]}]}.
 */
int api_assess_actions(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	struct loaded l;
	int rc = load(req, &l, err);
	if (rc != CADRE_OK) {
		json_decref(l.report);
		return rc;
	}
	json_t *o = json_pack("{s:I, s:O}", "round", (json_int_t)l.round.id, "actions",
	                      json_object_get(l.report, "actions"));
	json_decref(l.report);
	return reply_json(resp, o, err);
}

/* body_value: a field of the request body: a JSON object's string member
 * (Content-Type application/json) or a form field; "" when absent */
static const char *body_value(struct web_request *req, const json_t *body, const char *name)
{
	if (body) {
		const char *s = json_string_value(json_object_get(body, name));
		return s ? s : "";
	}
	return page_form_value(req, name);
}

/* body_parse: a JSON body into *out (NULL for a form body) */
static int body_parse(struct web_request *req, struct web_response *resp, json_t **out,
                      struct cadre_err *err)
{
	*out = NULL;
	const char *ct = web_req_header(req, "Content-Type");
	if (ct && strncmp(ct, "application/json", 16) == 0) {
		json_error_t je;
		json_t *v = json_loadb(req->body ? req->body : "", req->body_len,
		                       JSON_REJECT_DUPLICATES, &je);
		if (!json_is_object(v)) {
			json_decref(v);
			return web_fail(resp, err, 400, "the body is not a JSON object");
		}
		*out = v;
		return CADRE_OK;
	}
	return page_form(req, err);
}

/* API: POST /api/v1/assess/rounds/{id:int}/actions
 * PERMISSION: toolkit.edit
 * ORG: lookup page_assess_results_org
 * BODY: 16K
 * Add an action to a round's plan.
 * Body (JSON object or form): factor, action, owner, due (YYYY-MM-DD).
 * 201 with {id}; 422 listing the fields that are wrong.  Audited.
 */
int api_assess_action_add(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	json_t *body = NULL;
	int rc = body_parse(req, resp, &body, err);
	if (rc != CADRE_OK)
		return rc;
	struct loaded l;
	if ((rc = load(req, &l, err)) != CADRE_OK)
		goto done;
	const char *factor = body_value(req, body, "factor");
	const char *action = body_value(req, body, "action");
	const char *owner = body_value(req, body, "owner");
	const char *due = body_value(req, body, "due");
	int bad = 0;
	if (!*factor && ++bad)
		web_resp_field_error(resp, "factor", "Give the factor's id");
	if (!*action && ++bad)
		web_resp_field_error(resp, "action", "Give the action");
	if (!*owner && ++bad)
		web_resp_field_error(resp, "owner", "Give the owner's name");
	if (!*due && ++bad)
		web_resp_field_error(resp, "due", "Give the due date as YYYY-MM-DD");
	if (bad) {
		rc = cadre_err_set(err, CADRE_EINVAL, "%d fields are wrong", bad);
		goto done;
	}
	struct store *db;
	int64_t id = 0;
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
		goto done;
	rc = assess_action_add(req->actor, db, web_auth_key(req), &l.ref, factor, action, owner,
	                       due, web_auth_clock(req), &id, err);
	if (rc == CADRE_EINVAL) {
		web_resp_field_error(resp,
		                     strstr(err->msg, "due")      ? "due"
		                     : strstr(err->msg, "factor") ? "factor"
		                     : strstr(err->msg, "owner")  ? "owner"
		                                                  : "action",
		                     err->msg);
		goto done;
	}
	if (rc != CADRE_OK)
		goto done;
	resp->status = 201;
	rc = reply_json(resp, json_pack("{s:I}", "id", (json_int_t)id), err);
done:
	json_decref(body);
	json_decref(l.report);
	return rc;
}

/* API: POST /api/v1/assess/rounds/{id:int}/actions/{action:int}
 * PERMISSION: toolkit.edit
 * ORG: lookup page_assess_results_org
 * BODY: 16K
 * Move an action on: a new status and/or a progress note.
 * Body (JSON object or form): status (not_started, in_progress, done,
 * dropped; absent keeps it), note (absent: none).  Neither changing is a
 * 422.  An action of another round is 404.  Audited.
 */
int api_assess_action_update(struct web_request *req, struct web_response *resp,
                             struct cadre_err *err)
{
	json_t *body = NULL;
	int rc = body_parse(req, resp, &body, err);
	if (rc != CADRE_OK)
		return rc;
	struct loaded l;
	if ((rc = load(req, &l, err)) != CADRE_OK)
		goto done;
	int64_t id = web_req_param_int(req, "action");
	if (!action_in_round(l.report, id)) {
		rc = cadre_err_set(err, CADRE_ENOTFOUND, "no such action in this round");
		goto done;
	}
	const char *status = body_value(req, body, "status");
	const char *note = body_value(req, body, "note");
	if (*status && !status_known(status)) {
		web_resp_field_error(resp, "status",
		                     "Use not_started, in_progress, done or dropped");
		rc = cadre_err_set(err, CADRE_EINVAL, "1 field is wrong");
		goto done;
	}
	struct store *db;
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
		goto done;
	rc = assess_action_update(req->actor, db, web_auth_key(req), id, *status ? status : NULL,
	                          *note ? note : NULL, web_auth_clock(req), err);
	if (rc == CADRE_EINVAL) {
		web_resp_field_error(resp, *note ? "note" : "status", err->msg);
		goto done;
	}
	if (rc == CADRE_OK)
		rc = reply_json(resp, json_pack("{s:I}", "id", (json_int_t)id), err);
done:
	json_decref(body);
	json_decref(l.report);
	return rc;
}
