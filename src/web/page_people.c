/* page_people: the staff list, a person's record and the subject access
 * export, as pages and as JSON (people_view.h does the work).
 *
 * Query parameters are checked here and in the domain; a bad one is named:
 * a field error on the page (400, the error summary), a 400 problem+json on
 * the API, where unknown parameters are refused too.  The list's pages use
 * page numbers; the API uses limit and cursor (page numbers also work).
 *
 * A person's record is read with people_record, which appends the audit
 * entry of the read in the same write transaction: so these GET handlers
 * take the bare connection (web_req_conn) rather than web_req_db's
 * read-only transaction, which would refuse the entry. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/num.h"
#include "domain/people_view.h"
#include "domain/policy.h"
#include "web/auth.h"
#include "web/pages.h"
#include "web/router.h"
#include "web_routes.h"

/* the list's query parameters (the API takes exactly these) */
static const char *const list_params[] = {"org",      "staff_group", "grade", "profession",
                                          "category", "on",          "sort",  "limit",
                                          "cursor",   "page",        NULL};

/* bad_param: a 400 naming the query parameter. */
static int bad_param(struct web_response *resp, struct cadre_err *err, const char *name,
                     const char *why)
{
	web_resp_field_error(resp, name, why);
	return web_fail(resp, err, 400, "The query parameter %s is not valid: %s", name, why);
}

/* only_params: a 400 naming the first parameter not among allowed. */
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
			ok = ok || strcmp(q->fields[i].name, allowed[j]) == 0;
		if (!ok)
			return bad_param(resp, err, q->fields[i].name,
			                 "this address takes no such parameter");
	}
	return CADRE_OK;
}

/* param: the single value of name ("" counts as absent); *field names a
 * parameter given twice. */
static const char *param(const struct form *q, const char *name, const char **field)
{
	if (form_count(q, name) > 1 && !*field)
		*field = name;
	const char *v = form_get(q, name);
	return v && *v ? v : NULL;
}

/* read_query: the list's query into *pq; CADRE_EINVAL with *field and
 * *why set for a malformed one. */
static int read_query(struct web_request *req, struct people_query *pq, const char **field,
                      const char **why, struct cadre_err *err)
{
	const struct form *q;
	*field = NULL;
	*why = NULL;
	memset(pq, 0, sizeof *pq);
	int rc = web_req_query(req, &q, err);
	if (rc != CADRE_OK) {
		*field = "query";
		*why = "the query string is malformed";
		return rc;
	}
	pq->org = param(q, "org", field);
	pq->staff_group = param(q, "staff_group", field);
	pq->grade = param(q, "grade", field);
	pq->profession = param(q, "profession", field);
	pq->category = param(q, "category", field);
	pq->on = param(q, "on", field);
	pq->cursor = param(q, "cursor", field);
	if (*field) {
		*why = "give it once";
		return cadre_err_set(err, CADRE_EINVAL, "%s given twice", *field);
	}
	const char *s = param(q, "sort", field);
	if (s && !people_sort_parse(s, &pq->sort)) {
		*field = "sort";
		*why = "one of name, staff_ref, grade, fte, start_date";
		return cadre_err_set(err, CADRE_EINVAL, "sort");
	}
	struct cadre_err e;
	const char *l = param(q, "limit", field);
	int64_t v;
	if (l) {
		if (num_parse_i64_range(l, strlen(l), 1, PEOPLE_LIST_LIMIT_MAX, &v, &e) !=
		    CADRE_OK) {
			*field = "limit";
			*why = "a whole number from 1 to 200";
			return cadre_err_set(err, CADRE_EINVAL, "limit");
		}
		pq->limit = (size_t)v;
	}
	const char *p = param(q, "page", field);
	if (p) {
		if (num_parse_i64_range(p, strlen(p), 1, PEOPLE_LIST_PAGE_MAX, &v, &e) !=
		    CADRE_OK) {
			*field = "page";
			*why = "a whole number from 1 to 100000";
			return cadre_err_set(err, CADRE_EINVAL, "page");
		}
		pq->page = v;
	}
	if (pq->cursor && p) {
		*field = "page";
		*why = "give either page or cursor, not both";
		return cadre_err_set(err, CADRE_EINVAL, "page");
	}
	return CADRE_OK;
}

/* list: run the query; a domain refusal of a parameter comes back with
 * *field and *why. */
static int list(struct web_request *req, const struct people_query *pq, json_t **out,
                const char **field, const char **why, struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	rc = people_list(req->actor, db, pq, out, field, err);
	if (rc == CADRE_EINVAL && *field) {
		/* "grade: a grade is ..." -> the reason after the name */
		const char *m = strchr(err->msg, ':');
		*why = m ? m + 2 : err->msg;
	}
	return rc;
}

/* API: GET /api/v1/people
 * PERMISSION: people.read
 * ORG: none
 * Named staff records in the actor's scope, one row per post, a page at a time.
 * {org {code, name}, scope (org, reports or self), count (all matches),
 * limit, page, sort, next_cursor, people [{assignment_id, staff_id, name,
 * staff_ref, org_code, org_name, cost_centre, cost_centre_name, ward,
 * ward_name, post, grade, staff_group, fte, category, start_date,
 * end_date}]}.  Query: org (a code in your grants; default your first
 * grant that reaches named records), staff_group (NURSE_HV), grade (AFC-5-2
 * or a band AFC-5), profession, category (permanent, fixed_term, bank,
 * honorary, locum), on (YYYY-MM-DD: posts active that day; default: posts
 * not ended by the latest extract), sort (name, staff_ref, grade, fte,
 * start_date; ties by post), limit (1 to 200, default 50), cursor (the
 * previous page's next_cursor) or page.  A bad or unknown parameter is a
 * 400 problem+json naming it; an organisation outside your grants is a 404.
 */
int api_people(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	int rc = only_params(req, resp, list_params, err);
	if (rc != CADRE_OK)
		return rc;
	struct people_query pq;
	const char *field, *why;
	json_t *o = NULL;
	rc = read_query(req, &pq, &field, &why, err);
	if (rc == CADRE_OK)
		rc = list(req, &pq, &o, &field, &why, err);
	if (rc == CADRE_EINVAL && field)
		return bad_param(resp, err, field, why);
	if (rc != CADRE_OK)
		return rc;
	return page_json(resp, o, err);
}

static json_t *cell(const char *text, bool header, const char *href, bool numeric)
{
	return json_pack("{s:s, s:b, s:o, s:b}", "text", text ? text : "", "header", header, "href",
	                 href ? json_string(href) : json_false(), "numeric", numeric);
}

static const char *js(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static const char *category_label(const char *c)
{
	static const char *const names[][2] = {{"permanent", "Permanent"},
	                                       {"fixed_term", "Fixed term"},
	                                       {"bank", "Bank"},
	                                       {"honorary", "Honorary"},
	                                       {"locum", "Locum"}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (c && strcmp(c, names[i][0]) == 0)
			return names[i][1];
	return c ? c : "";
}

/* people_table: the list's rows as a partials/table context. */
static json_t *people_table(const json_t *o)
{
	json_t *head = json_array();
	static const char *const cols[] = {
	    "Name",    "Staff reference", "Organisation", "Ward or team (cost centre)",
	    "Post",    "Grade",           "Staff group",  "FTE",
	    "Category"};
	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
		json_array_append_new(head, json_pack("{s:s, s:b}", "text", cols[i], "numeric",
		                                      strcmp(cols[i], "FTE") == 0));
	json_t *rows = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(o, "people"), i, r)
	{
		char href[48], ward[400], fte[32];
		(void)snprintf(href, sizeof href, "/people/%" JSON_INTEGER_FORMAT,
		               json_integer_value(json_object_get(r, "staff_id")));
		(void)snprintf(ward, sizeof ward, "%s (%s)", js(r, "ward_name"),
		               js(r, "cost_centre"));
		(void)snprintf(fte, sizeof fte, "%.2f", json_real_value(json_object_get(r, "fte")));
		const char *name = js(r, "name");
		json_t *cells = json_array();
		json_array_append_new(cells,
		                      cell(*name ? name : "(no name held)", true, href, false));
		json_array_append_new(cells, cell(js(r, "staff_ref"), false, NULL, false));
		json_array_append_new(cells, cell(js(r, "org_name"), false, NULL, false));
		json_array_append_new(cells, cell(ward, false, NULL, false));
		json_array_append_new(cells, cell(js(r, "post"), false, NULL, false));
		json_array_append_new(cells, cell(js(r, "grade"), false, NULL, false));
		json_array_append_new(cells, cell(js(r, "staff_group"), false, NULL, false));
		json_array_append_new(cells, cell(fte, false, NULL, true));
		json_array_append_new(cells,
		                      cell(category_label(js(r, "category")), false, NULL, false));
		json_array_append_new(rows, json_pack("{s:o}", "cells", cells));
	}
	return json_pack("{s:s, s:o, s:o}", "caption", "Staff, one row per post", "head", head,
	                 "rows", rows);
}

/* page_href: /people with the query's filters and page n (the values were
 * checked: capital letters, digits, '_', '-', lower-case letters, so they
 * need no escaping). */
static void page_href(const struct people_query *q, int64_t n, char *out, size_t cap)
{
	struct buf b;
	buf_init(&b, 1024);
	(void)buf_printf(&b, NULL, "/people?page=%" PRId64, n);
	const char *names[] = {"org", "staff_group", "grade", "profession", "category", "on"};
	const char *vals[] = {q->org, q->staff_group, q->grade, q->profession, q->category, q->on};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (vals[i])
			(void)buf_printf(&b, NULL, "&%s=%s", names[i], vals[i]);
	if (q->sort != PEOPLE_SORT_NAME)
		(void)buf_printf(&b, NULL, "&sort=%s", people_sort_name(q->sort));
	if (q->limit)
		(void)buf_printf(&b, NULL, "&limit=%zu", q->limit);
	(void)snprintf(out, cap, "%s", buf_cstr(&b));
	buf_free(&b);
}

/* filter_fields: the filter form's fields, showing the query's values and
 * the error of the parameter named field. */
static json_t *filter_fields(const struct people_query *q, const char *field, const char *why)
{
#define ERR(name) (field && strcmp(field, name) == 0 ? why : NULL)
	json_t *f = json_object();
	json_object_set_new(f, "org",
	                    page_input("org", "Organisation code", "text", q->org, "off",
	                               "A trust, division, ward or team in your access, for "
	                               "example RXC",
	                               ERR("org")));
	json_object_set_new(f, "staff_group",
	                    page_input("staff_group", "Staff group", "text", q->staff_group, "off",
	                               "NHS Digital staff group code, for example NURSE_HV",
	                               ERR("staff_group")));
	json_object_set_new(f, "grade",
	                    page_input("grade", "Grade", "text", q->grade, "off",
	                               "A grade or a band, for example AFC-5 or MED-CONS",
	                               ERR("grade")));
	json_object_set_new(f, "profession",
	                    page_input("profession", "Profession", "text", q->profession, "off",
	                               "For example nursing_adult", ERR("profession")));
	static const char *const cats[][2] = {
	    {"", "Any"},      {"permanent", "Permanent"}, {"fixed_term", "Fixed term"},
	    {"bank", "Bank"}, {"honorary", "Honorary"},   {"locum", "Locum"}};
	json_t *opts = json_array();
	for (size_t i = 0; i < sizeof cats / sizeof cats[0]; i++)
		json_array_append_new(
		    opts, page_option(cats[i][0], cats[i][1],
		                      (!q->category && !*cats[i][0]) ||
		                          (q->category && strcmp(q->category, cats[i][0]) == 0)));
	json_object_set_new(
	    f, "category",
	    page_select("category", "Assignment category", opts, NULL, ERR("category")));
	json_object_set_new(f, "on",
	                    page_input("on", "In post on", "text", q->on, "off",
	                               "A date as YYYY-MM-DD; leave empty for current posts",
	                               ERR("on")));
	static const char *const sorts[][2] = {{"name", "Name"},
	                                       {"staff_ref", "Staff reference"},
	                                       {"grade", "Grade"},
	                                       {"fte", "FTE"},
	                                       {"start_date", "Start date"}};
	opts = json_array();
	for (size_t i = 0; i < sizeof sorts / sizeof sorts[0]; i++)
		json_array_append_new(
		    opts, page_option(sorts[i][0], sorts[i][1],
		                      strcmp(people_sort_name(q->sort), sorts[i][0]) == 0));
	json_object_set_new(f, "sort", page_select("sort", "Sort by", opts, NULL, ERR("sort")));
#undef ERR
	return f;
}

/* WEBPAGE: GET /people
 * PERMISSION: people.read
 * ORG: none
 * The staff list: named staff records in your scope, filtered, sorted and paged.
 * One row per post (name, staff reference, organisation, ward or team and
 * cost centre, post, grade, staff group, FTE, category), with the number of
 * matches.  Filters as /api/v1/people; page numbers of 50 rows.  A grant
 * over a trust or below lists its subtree; a line manager sees the people
 * they manage, a staff member themselves.  A bad filter is shown as a field
 * error.
 */
int page_people(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	struct people_query pq;
	const char *field = NULL, *why = NULL;
	json_t *o = NULL;
	int rc = read_query(req, &pq, &field, &why, err);
	if (rc == CADRE_OK)
		rc = list(req, &pq, &o, &field, &why, err);
	json_t *ctx = page_new("People");
	if (rc == CADRE_EINVAL && field) {
		/* the form again, with the error; no list */
		resp->status = 400;
		page_error(ctx, field, why);
		json_object_set_new(ctx, "fields", filter_fields(&pq, field, why));
		json_object_set_new(ctx, "table", json_false());
		json_object_set_new(ctx, "count_text", json_false());
		return page_render(req, resp, "people", ctx, err);
	}
	if (rc != CADRE_OK) {
		json_decref(ctx);
		return rc;
	}
	json_object_set_new(ctx, "fields", filter_fields(&pq, NULL, NULL));
	json_t *org = json_object_get(o, "org");
	int64_t count = json_integer_value(json_object_get(o, "count"));
	if (json_is_object(org)) {
		char title[400];
		(void)snprintf(title, sizeof title, "%s (%s)", js(org, "name"), js(org, "code"));
		json_object_set_new(ctx, "org_title", json_string(title));
		if (!pq.org)
			json_object_set(json_object_get(json_object_get(ctx, "fields"), "org"),
			                "value", json_object_get(org, "code"));
	} else {
		json_object_set_new(ctx, "org_title", json_false());
	}
	const char *scope = js(o, "scope");
	json_object_set_new(
	    ctx, "scope_text",
	    strcmp(scope, "reports") == 0
	        ? json_string("You see the people you manage, directly and through the managers "
	                      "below you.")
	    : strcmp(scope, "self") == 0 ? json_string("You see your own record.")
	                                 : json_false());
	json_object_set_new(ctx, "reason",
	                    json_object_get(o, "reason") ? json_string(js(o, "reason"))
	                                                 : json_false());
	char count_text[64];
	(void)snprintf(count_text, sizeof count_text, "%" PRId64 " %s", count,
	               count == 1 ? "post matches" : "posts match");
	json_object_set_new(ctx, "count_text", json_string(count_text));
	json_object_set_new(ctx, "table",
	                    json_array_size(json_object_get(o, "people")) ? people_table(o)
	                                                                  : json_false());
	int64_t limit = json_integer_value(json_object_get(o, "limit"));
	int64_t page = pq.page ? pq.page : 1;
	int64_t pages = limit > 0 ? (count + limit - 1) / limit : 1;
	json_t *nav = json_object();
	char href[1200], label[64];
	if (page > 1) {
		page_href(&pq, page - 1, href, sizeof href);
		json_object_set_new(nav, "prev_href", json_string(href));
	} else
		json_object_set_new(nav, "prev_href", json_false());
	if (page < pages) {
		page_href(&pq, page + 1, href, sizeof href);
		json_object_set_new(nav, "next_href", json_string(href));
	} else
		json_object_set_new(nav, "next_href", json_false());
	(void)snprintf(label, sizeof label, "Page %" PRId64 " of %" PRId64, page,
	               pages ? pages : 1);
	json_object_set_new(nav, "label", json_string(label));
	json_object_set_new(ctx, "pagination", pages > 1 ? nav : json_false());
	if (pages <= 1)
		json_decref(nav);
	json_decref(o);
	return page_render(req, resp, "people", ctx, err);
}

/* page_person_org: the organisation standing for /people/{id} in the
 * router's scope check (the ward or team of the record's first open post),
 * so a ward manager's grant reaches their ward's staff; the domain narrows
 * further (reports, self). */
int page_person_org(struct web_request *req, int64_t *org_id, struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_conn(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	return people_record_org(db, web_req_param_int(req, "id"), org_id, err);
}

/* record: the record, read and audited (see the file's note). */
static int record(struct web_request *req, json_t **out, bool *can_export, struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_conn(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	rc = people_record(req->actor, db, web_auth_key(req), web_auth_clock(req),
	                   web_req_param_int(req, "id"), out, err);
	if (rc == CADRE_OK && can_export) {
		struct cadre_err e;
		*can_export =
		    policy_check(req->actor, db, "people.export", req->org_id, &e) == CADRE_OK;
	}
	return rc;
}

/* API: GET /api/v1/people/{id:int}
 * PERMISSION: people.read
 * ORG: lookup page_person_org
 * One person's record at one employer (id: the staff record's id from the list).
 * {id, staff_ref, name, org {code, name}, attributes {valid_from,
 * profession, registration_body, qualification_year}, attribute_history,
 * protected ({birth_year, age_band, sex, ethnic_category, disability}, or
 * null unless your role holds people.protected.read), protected_shown,
 * manager ({staff_id, name, staff_ref, linked} or null), assignments
 * (current first, each with its terms_history), grade_history, audit_seq}.
 * Every read is audited (people.read).  Outside your scope: 404.
 */
int api_person(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	int rc = only_params(req, resp, (const char *const[]){NULL}, err);
	json_t *o = NULL;
	if (rc == CADRE_OK)
		rc = record(req, &o, NULL, err);
	return rc == CADRE_OK ? page_json(resp, o, err) : rc;
}

static json_t *row(const char *key, const char *value)
{
	return json_pack("{s:s, s:s, s:b}", "key", key, "value",
	                 value && *value ? value : "Not held", "action", 0);
}

static json_t *simple_table(const char *caption, const char *const *head, size_t ncols,
                            json_t *rows)
{
	json_t *h = json_array();
	for (size_t i = 0; i < ncols; i++)
		json_array_append_new(h, json_pack("{s:s, s:b}", "text", head[i], "numeric", 0));
	return json_pack("{s:s, s:o, s:o}", "caption", caption, "head", h, "rows", rows);
}

/* WEBPAGE: GET /people/{id:int}
 * PERMISSION: people.read
 * ORG: lookup page_person_org
 * A person's record: posts (current and ended), grade history, manager, dated attributes.
 * Protected characteristics (birth year and age band, sex, ethnic
 * category, disability) only for a role holding people.protected.read
 * (the equality analyst); the national identifier is never held.  Every
 * read is audited (who read whom, when).  Roles holding people.export get
 * the subject access export button.  Outside your scope: page not found.
 */
int page_person(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	json_t *o = NULL;
	bool can_export = false;
	int rc = record(req, &o, &can_export, err);
	if (rc != CADRE_OK)
		return rc;
	const char *name = js(o, "name");
	json_t *ctx = page_new(*name ? name : "A staff record");
	char buf[400];
	json_t *rows = json_array();
	json_array_append_new(rows, row("Staff reference", js(o, "staff_ref")));
	json_t *org = json_object_get(o, "org");
	(void)snprintf(buf, sizeof buf, "%s (%s)", js(org, "name"), js(org, "code"));
	json_array_append_new(rows, row("Employer", buf));
	json_t *at = json_object_get(o, "attributes");
	json_array_append_new(rows, row("Profession", js(at, "profession")));
	json_array_append_new(rows, row("Registration body", js(at, "registration_body")));
	json_t *qy = json_object_get(at, "qualification_year");
	(void)snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(qy));
	json_array_append_new(rows, row("Qualification year", json_is_integer(qy) ? buf : ""));
	(void)snprintf(buf, sizeof buf, "%s", js(at, "valid_from"));
	json_array_append_new(rows,
	                      row("These details apply from",
	                          strcmp(buf, "1900-01-01") == 0 ? "the first extract held" : buf));
	json_object_set_new(ctx, "details", json_pack("{s:o}", "rows", rows));
	/* the manager, linked when the reader may open their record */
	json_t *m = json_object_get(o, "manager");
	if (json_is_object(m)) {
		char href[48];
		(void)snprintf(href, sizeof href, "/people/%" JSON_INTEGER_FORMAT,
		               json_integer_value(json_object_get(m, "staff_id")));
		json_object_set_new(ctx, "manager",
		                    json_pack("{s:s, s:s, s:o}", "name",
		                              *js(m, "name") ? js(m, "name") : "(no name held)",
		                              "staff_ref", js(m, "staff_ref"), "href",
		                              json_is_true(json_object_get(m, "linked"))
		                                  ? json_string(href)
		                                  : json_false()));
	} else {
		json_object_set_new(ctx, "manager", json_false());
	}
	/* protected characteristics */
	json_t *p = json_object_get(o, "protected");
	if (json_is_object(p)) {
		json_t *pr = json_array();
		(void)snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT " (age band %s)",
		               json_integer_value(json_object_get(p, "birth_year")),
		               js(p, "age_band"));
		json_array_append_new(pr, row("Year of birth", buf));
		json_array_append_new(pr, row("Sex", js(p, "sex")));
		json_array_append_new(pr, row("Ethnic category", js(p, "ethnic_category")));
		json_array_append_new(pr, row("Disability", js(p, "disability")));
		json_object_set_new(ctx, "protected", json_pack("{s:o}", "rows", pr));
	} else {
		json_object_set_new(ctx, "protected", json_false());
	}
	/* posts */
	static const char *const ah[] = {"Post",  "Ward or team (cost centre)",
	                                 "Grade", "Staff group",
	                                 "FTE",   "Category",
	                                 "Start", "End"};
	json_t *cur = json_array(), *ended = json_array(), *grades = json_array();
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(o, "assignments"), i, a)
	{
		char ward[400], fte[32];
		(void)snprintf(ward, sizeof ward, "%s (%s)", js(a, "ward_name"),
		               js(a, "cost_centre"));
		(void)snprintf(fte, sizeof fte, "%.2f", json_real_value(json_object_get(a, "fte")));
		char end[96];
		(void)snprintf(end, sizeof end, "%s%s%s", js(a, "end_date"),
		               *js(a, "leaving_reason") ? ", " : "", js(a, "leaving_reason"));
		json_t *cells = json_pack(
		    "[o, o, o, o, o, o, o, o]", cell(js(a, "post"), true, NULL, false),
		    cell(ward, false, NULL, false), cell(js(a, "grade"), false, NULL, false),
		    cell(js(a, "staff_group"), false, NULL, false), cell(fte, false, NULL, false),
		    cell(category_label(js(a, "category")), false, NULL, false),
		    cell(js(a, "start_date"), false, NULL, false),
		    cell(*end ? end : "Current", false, NULL, false));
		json_array_append_new(json_is_true(json_object_get(a, "current")) ? cur : ended,
		                      json_pack("{s:o}", "cells", cells));
	}
	json_t *g;
	json_array_foreach(json_object_get(o, "grade_history"), i, g)
	{
		const char *from = js(g, "from");
		json_t *cells = json_pack(
		    "[o, o, o, o]", cell(js(g, "assignment_ref"), true, NULL, false),
		    cell(js(g, "grade"), false, NULL, false),
		    cell(strcmp(from, "1900-01-01") == 0 ? "the first extract held" : from, false,
		         NULL, false),
		    cell(*js(g, "to") ? js(g, "to") : "now", false, NULL, false));
		json_array_append_new(grades, json_pack("{s:o}", "cells", cells));
	}
	json_object_set_new(ctx, "current",
	                    json_array_size(cur) ? simple_table("Current posts", ah, 8, cur)
	                                         : json_false());
	if (!json_array_size(cur))
		json_decref(cur);
	json_object_set_new(ctx, "ended",
	                    json_array_size(ended) ? simple_table("Ended posts", ah, 8, ended)
	                                           : json_false());
	if (!json_array_size(ended))
		json_decref(ended);
	static const char *const gh[] = {"Assignment", "Grade", "From", "To"};
	json_object_set_new(ctx, "grades", simple_table("Grade history", gh, 4, grades));
	/* earlier versions of the attributes */
	json_t *hist = json_array();
	json_array_foreach(json_object_get(o, "attribute_history"), i, g)
	{
		json_t *cells =
		    json_pack("[o, o, o, o]", cell(js(g, "valid_from"), true, NULL, false),
		              cell(js(g, "valid_to"), false, NULL, false),
		              cell(js(g, "name"), false, NULL, false),
		              cell(js(g, "profession"), false, NULL, false));
		json_array_append_new(hist, json_pack("{s:o}", "cells", cells));
	}
	static const char *const hh[] = {"From", "To", "Name", "Profession"};
	json_object_set_new(ctx, "history",
	                    json_array_size(hist)
	                        ? simple_table("Earlier versions of these details", hh, 4, hist)
	                        : json_false());
	if (!json_array_size(hist))
		json_decref(hist);
	json_object_set_new(ctx, "staff_id", json_integer(web_req_param_int(req, "id")));
	json_object_set_new(ctx, "can_export", json_boolean(can_export));
	json_decref(o);
	return page_render(req, resp, "person", ctx, err);
}

static int deliver(const char *text, size_t len, void *arg, struct cadre_err *err)
{
	return web_resp_write(arg, text, len, err);
}

/* WEBPAGE: POST /people/{id:int}/export
 * PERMISSION: people.export
 * ORG: lookup page_person_org
 * BODY: 4K
 * PRODUCES: application/json
 * Download a subject access export of one staff record, as JSON (audited).
 * The same file as `cadre person export`: the record with every attribute
 * version (protected characteristics included: it is the person's own
 * data), every post with every version of its terms, the person key,
 * linked accounts and the audit entries about reads of the record.
 */
int page_person_export(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	int64_t id = web_req_param_int(req, "id");
	rc = people_export(req->actor, db, web_auth_key(req), web_auth_clock(req), id, deliver,
	                   resp, err);
	if (rc != CADRE_OK) {
		web_resp_reset(resp);
		return rc;
	}
	char disp[96];
	(void)snprintf(disp, sizeof disp,
	               "attachment; filename=\"cadre-subject-access-%" PRId64 ".json\"", id);
	resp->content_type = "application/json";
	return web_resp_header(resp, "Content-Disposition", disp, err);
}
