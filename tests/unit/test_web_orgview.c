/* test_web_orgview: the organisation browser and its API through the real
 * route table (web_routes), on SQLite holding the reference data and the
 * nine published 2024 sickness files; and the chart producers.
 *
 * The accounts hooks are stand-ins: authn gives an account holding a role
 * over the organisation named by the X-Test-Grant header (ENG when absent),
 * authz allows org.read (scope is then the domain's own check: a node
 * outside the grant's subtree is "not found"), org_by_code looks the code
 * up.  Expected figures are recomputed here from the domain (sickness_kpi)
 * and the region codes of data/ods/regions.csv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "domain/org.h"
#include "domain/orgview.h"
#include "domain/refdata.h"
#include "domain/sickness.h"
#include "io/chart_json.h"
#include "io/template.h"
#include "testdomain.h"
#include "domain/establishment.h"
#include "domain/people.h"
#include "domain/quality.h"
#include "domain/tempstaff.h"
#include "testorg.h"
#include "testpeople.h"
#include "testweb.h"

struct fx {
	struct testdomain *t;
	struct web_app *app;
};

struct grant_actor {
	struct actor actor;
	struct actor_grant grant;
};

static int64_t org_id_of(struct store *db, const char *code)
{
	struct actor sys = actor_system("test");
	struct org_node n;
	struct cadre_err e;
	if (org_get(&sys, db, code, &n, &e) != CADRE_OK)
		return 0;
	return n.id;
}

static int fake_authn(void *ctx, struct web_request *req, const struct actor **out,
                      struct cadre_err *err)
{
	(void)ctx;
	const char *code = web_req_header(req, "X-Test-Grant");
	if (code && strcmp(code, "none") == 0)
		return CADRE_OK; /* anonymous */
	struct store *db;
	int rc = web_req_conn(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	struct grant_actor *g = web_req_alloc(req, sizeof *g);
	(void)snprintf(g->grant.role, sizeof g->grant.role, "workforce_planner");
	g->grant.org_id = org_id_of(db, code ? code : "ENG");
	g->actor = actor_user(7, &g->grant, 1);
	*out = &g->actor;
	return CADRE_OK;
}

static int fake_authz(void *ctx, const struct actor *actor, const char *permission, int64_t org_id,
                      struct cadre_err *err)
{
	(void)ctx;
	(void)actor;
	(void)org_id;
	if (strcmp(permission, "org.read") == 0 ||
	    strcmp(permission, "workforce.aggregate.read") == 0 ||
	    strcmp(permission, "people.read") == 0)
		return CADRE_OK;
	return cadre_err_set(err, CADRE_EPERM, "not %s", permission);
}

static int fake_org_by_code(void *ctx, struct web_request *req, const char *code, int64_t *org_id,
                            struct cadre_err *err)
{
	(void)ctx;
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	*org_id = org_id_of(db, code);
	return *org_id ? CADRE_OK : cadre_err_set(err, CADRE_ENOTFOUND, "no %s", code);
}

static int group_setup(void **state)
{
	void *ts;
	testdomain_setup_sqlite(&ts);
	struct testdomain *t = ts;
	testorg_load_refdata(t, NULL);
	char *paths[9];
	testorg_sickness_paths(paths);
	struct cadre_err e;
	struct import_opts opt = {.audit_key = t->key, .clk = &t->clk.clock};
	struct import_result *res = xcalloc(1, sizeof *res);
	FILE *quiet = tmpfile();
	log_set_output(quiet);
	int rc = sickness_import(&t->sys, t->db, (const char *const *)paths, 9, &opt, res, &e);
	log_set_output(NULL);
	(void)fclose(quiet);
	free(res);
	testorg_free_paths(paths, 9);
	if (rc != CADRE_OK)
		fail_msg("sickness_import: %s", e.msg);
	struct fx *x = xcalloc(1, sizeof *x);
	x->t = t;
	struct web_app_options o = {.db_url = t->url};
	o.hooks.authn = fake_authn;
	o.hooks.authz = fake_authz;
	o.hooks.org_by_code = fake_org_by_code;
	if (web_app_new(&o, &x->app, &e) != CADRE_OK)
		fail_msg("web_app_new: %s", e.msg);
	*state = x;
	return 0;
}

static int group_teardown(void **state)
{
	struct fx *x = *state;
	web_app_free(x->app);
	void *ts = x->t;
	free(x);
	return testdomain_teardown(&ts);
}

#define GET(path, extra) "GET " path " HTTP/1.1\r\nHost: t\r\n" extra "\r\n"

static struct testweb_reply expect(struct web_app *app, const char *raw, int status)
{
	struct testweb_reply r = testweb_send(app, raw);
	if (r.status != status)
		fail_msg("%.70s: status %d, want %d\n%.3000s", raw, r.status, status, r.raw);
	testweb_security_headers(&r);
	return r;
}

static void must_have(const struct testweb_reply *r, const char *s)
{
	if (!testweb_body_has(r, s))
		fail_msg("the reply lacks %s", s);
}

static json_t *body_json(const struct testweb_reply *r)
{
	json_error_t je;
	json_t *o = json_loadb(r->body, r->body_len, 0, &je);
	if (!o)
		fail_msg("not JSON: %s", je.text);
	return o;
}

/* ---- the chart producers ------------------------------------------------------------- */

static json_t *hostile_chart(void)
{
	struct chart_spc_point pts[3] = {
	    {202404, 4.5, 4.6, 4.6, 4.6, "common", ""},
	    {202405, 4.6, 4.6, 4.6, 4.6, "common", "<b>signal</b>"},
	    {202406, 4.9, 4.6, 4.6, 4.6, "common", ""},
	};
	struct chart_spc_data c = {.id = "t-chart",
	                           .title = "<script>alert(1)</script> & co",
	                           .unit = "%",
	                           .decimals = 2,
	                           .run_chart = true,
	                           .points = pts,
	                           .n = 3,
	                           .direction = "lower",
	                           .variation = "insufficient",
	                           .variation_text = "Too few points",
	                           .assurance = "none",
	                           .assurance_text = "No target"};
	return chart_spc_json(&c);
}

static void test_producers_escape(void **state)
{
	(void)state;
	json_t *c = hostile_chart();
	struct buf b;
	buf_init(&b, 1 << 20);
	struct cadre_err e;
	assert_int_equal(chart_produce_svg(c, &b, &e), CADRE_OK);
	assert_int_equal(buf_append(&b, "", 1, &e), CADRE_OK);
	assert_non_null(strstr(b.data, "<svg"));
	assert_non_null(strstr(b.data, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
	assert_null(strstr(b.data, "<script"));
	b.len = 0;
	assert_int_equal(chart_produce_table(c, &b, &e), CADRE_OK);
	assert_int_equal(buf_append(&b, "", 1, &e), CADRE_OK);
	assert_non_null(strstr(b.data, "nhsuk-table"));
	assert_non_null(strstr(b.data, "Apr 2024"));
	assert_non_null(strstr(b.data, "4.90"));
	assert_null(strstr(b.data, "<script"));
	assert_null(strstr(b.data, "<b>"));
	/* the round trip gives the same chart */
	struct arena a;
	arena_init(&a, 0);
	struct chart_spc_data back;
	assert_int_equal(chart_spc_from_json(c, &a, &back, &e), CADRE_OK);
	assert_int_equal(back.n, 3);
	assert_int_equal(back.points[2].month, 202406);
	assert_true(back.points[2].value == 4.9);
	assert_string_equal(back.title, "<script>alert(1)</script> & co");
	arena_free(&a);
	/* a malformed description writes nothing and names the field */
	b.len = 0;
	(void)json_object_set_new(c, "points", json_array());
	assert_int_equal(chart_produce_svg(c, &b, &e), CADRE_EINVAL);
	assert_int_equal(b.len, 0);
	assert_non_null(strstr(e.msg, "points"));
	(void)json_object_set_new(c, "decimals", json_string("2"));
	assert_int_equal(chart_produce_table(c, &b, &e), CADRE_EINVAL);
	assert_non_null(strstr(e.msg, "decimals"));
	assert_int_equal(b.len, 0);
	buf_free(&b);
	json_decref(c);
}

static void test_producers_in_a_template(void **state)
{
	(void)state;
	struct template_set set;
	struct cadre_err e;
	template_set_init(&set);
	static const char text[] = "<div>{{{spc_svg chart}}}</div><div>{{{spc_table chart}}}</div>";
	const struct template_source src[] = {
	    {"t.html", "t.html", (const unsigned char *)text, sizeof text - 1}};
	if (template_set_load(&set, src, 1, &e) != CADRE_OK)
		fail_msg("%s", e.msg);
	json_t *ctx = json_object();
	(void)json_object_set_new(ctx, "chart", hostile_chart());
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(template_render(&set, "t", ctx, TEMPLATE_STRICT, &b, &e), CADRE_OK);
	assert_int_equal(buf_append(&b, "", 1, &e), CADRE_OK);
	assert_non_null(strstr(b.data, "<div><svg"));
	assert_non_null(strstr(b.data, "<table class=\"nhsuk-table"));
	assert_null(strstr(b.data, "<script"));
	buf_free(&b);
	json_decref(ctx);
	template_set_free(&set);
}

/* ---- pages --------------------------------------------------------------------------- */

static void test_england_page(void **state)
{
	struct fx *x = *state;
	const char *pages[] = {GET("/orgs", ""), GET("/orgs/ENG", "")};
	for (size_t p = 0; p < 2; p++) {
		struct testweb_reply r = expect(x->app, pages[p], 200);
		assert_string_equal(testweb_header(&r, "Content-Type"), "text/html; charset=utf-8");
		must_have(&r, "<h1>England</h1>");
		/* the seven regions and QZZ, as links (escaped as templates do) */
		const char *codes[] = {"Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63", "QZZ"};
		for (size_t i = 0; i < 8; i++) {
			char link[64];
			(void)snprintf(link, sizeof link, "href=\"&#x2F;orgs&#x2F;%s\"", codes[i]);
			must_have(&r, link);
		}
		must_have(&r, "9 months of figures, fewer than 12 months: a run chart, without "
		              "process limits.");
		must_have(&r, "<svg");
		must_have(&r, "role=\"img\"");
		must_have(&r, "nhsuk-table");
		must_have(&r, "Dec 2024");
		must_have(&r, "No staff data loaded.");
		must_have(&r, "<h2 id=\"staff\">Staff</h2>");
		assert_false(testweb_body_has(&r, "nhsuk-breadcrumb__link"));
		testweb_free(&r);
	}
}

static void test_trust_page(void **state)
{
	struct fx *x = *state;
	struct testweb_reply r = expect(x->app, GET("/orgs/RXK", ""), 200);
	must_have(&r, "SANDWELL AND WEST BIRMINGHAM");
	/* breadcrumbs England > Midlands > Birmingham and Solihull ICB (2024-12) */
	must_have(&r, "nhsuk-breadcrumb__link\" href=\"&#x2F;orgs&#x2F;ENG\"");
	must_have(&r, "href=\"&#x2F;orgs&#x2F;Y60\"");
	must_have(&r, "href=\"&#x2F;orgs&#x2F;QHL\"");
	must_have(&r, "NHS trust");
	must_have(&r, "No organisations are held below");
	testweb_free(&r);
	/* as it stood in 2021-09 (the ODS snapshot): the parent was QUA */
	r = expect(x->app, GET("/orgs/RXK?as-of=2021-09", ""), 200);
	must_have(&r, "href=\"&#x2F;orgs&#x2F;QUA?as-of&#61;2021-09\"");
	must_have(&r, "September 2021");
	must_have(&r, "No published sickness absence figures");
	testweb_free(&r);
}

static void test_page_errors(void **state)
{
	struct fx *x = *state;
	struct testweb_reply r = expect(x->app, GET("/orgs/ZZZ9", ""), 404);
	must_have(&r, "Page not found");
	testweb_free(&r);
	r = expect(x->app, GET("/orgs/RXK?as-of=2024-13", ""), 400);
	must_have(&r, "as-of");
	testweb_free(&r);
	/* a trust-level grant does not see England or another ICB's trust */
	r = expect(x->app, GET("/orgs/ENG", "X-Test-Grant: RXK\r\n"), 404);
	testweb_free(&r);
	/* /orgs sends it to its own top node instead */
	r = expect(x->app, GET("/orgs", "X-Test-Grant: RXK\r\n"), 303);
	assert_string_equal(testweb_header(&r, "Location"), "/orgs/RXK");
	testweb_free(&r);
	r = expect(x->app, GET("/orgs/RXK", "X-Test-Grant: RXK\r\n"), 200);
	testweb_free(&r);
	r = expect(x->app, GET("/orgs/RXK", "X-Test-Grant: none\r\n"), 401);
	testweb_free(&r);
}

/* ---- the API ------------------------------------------------------------------------- */

static void test_api_org(void **state)
{
	struct fx *x = *state;
	struct testweb_reply r = expect(x->app, GET("/api/v1/orgs/RXK", ""), 200);
	assert_string_equal(testweb_header(&r, "Content-Type"), "application/json");
	json_t *o = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "org"), "code")),
	                    "RXK");
	json_t *parents = json_object_get(o, "parents");
	assert_int_equal(json_array_size(parents), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(parents, 0), "code")),
	                    "QHL");
	assert_string_equal(json_string_value(json_object_get(json_array_get(parents, 2), "code")),
	                    "ENG");
	assert_string_equal(json_string_value(json_object_get(o, "as_of")), "2024-12");
	json_decref(o);
	testweb_free(&r);
	r = expect(x->app, GET("/api/v1/orgs/ENG", ""), 200);
	o = body_json(&r);
	assert_int_equal(json_integer_value(json_object_get(o, "children_count")), 8);
	json_decref(o);
	testweb_free(&r);
	r = expect(x->app, GET("/api/v1/orgs/ZZZ9", ""), 404);
	assert_string_equal(testweb_header(&r, "Content-Type"), "application/problem+json");
	testweb_free(&r);
}

static void test_api_children_pages(void **state)
{
	struct fx *x = *state;
	/* England's 8 children, 3 at a time, by code: QZZ Y56 Y58 | Y59 Y60 Y61 | Y62 Y63 */
	const char *want[] = {"QZZ", "Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63"};
	char cursor[32] = "";
	size_t seen = 0;
	for (int page = 0; page < 3; page++) {
		char raw[256];
		(void)snprintf(raw, sizeof raw,
		               "GET /api/v1/orgs/ENG/children?limit=3%s%s HTTP/1.1\r\nHost: "
		               "t\r\n\r\n",
		               *cursor ? "&cursor=" : "", cursor);
		struct testweb_reply r = expect(x->app, raw, 200);
		json_t *o = body_json(&r);
		assert_int_equal(json_integer_value(json_object_get(o, "total")), 8);
		assert_int_equal(json_integer_value(json_object_get(o, "limit")), 3);
		json_t *items = json_object_get(o, "items");
		for (size_t i = 0; i < json_array_size(items); i++)
			assert_string_equal(
			    json_string_value(json_object_get(json_array_get(items, i), "code")),
			    want[seen++]);
		json_t *next = json_object_get(o, "next_cursor");
		if (page < 2) {
			assert_int_equal(json_array_size(items), 3);
			(void)snprintf(cursor, sizeof cursor, "%s", json_string_value(next));
			assert_string_equal(cursor, want[seen - 1]);
		} else {
			assert_int_equal(json_array_size(items), 2);
			assert_true(json_is_null(next));
		}
		json_decref(o);
		testweb_free(&r);
	}
	assert_int_equal(seen, 8);
}

/* bad: a 400 problem+json whose errors name field */
static void bad(struct fx *x, const char *raw, const char *field)
{
	struct testweb_reply r = expect(x->app, raw, 400);
	assert_string_equal(testweb_header(&r, "Content-Type"), "application/problem+json");
	json_t *o = body_json(&r);
	assert_int_equal(json_integer_value(json_object_get(o, "status")), 400);
	json_t *e0 = json_array_get(json_object_get(o, "errors"), 0);
	if (!e0 || strcmp(json_string_value(json_object_get(e0, "field")), field) != 0)
		fail_msg("%.60s: errors do not name %s: %.300s", raw, field, r.body);
	json_decref(o);
	testweb_free(&r);
}

static void test_api_bad_parameters(void **state)
{
	struct fx *x = *state;
	bad(x, GET("/api/v1/orgs/ENG/children?limit=0", ""), "limit");
	bad(x, GET("/api/v1/orgs/ENG/children?limit=201", ""), "limit");
	bad(x, GET("/api/v1/orgs/ENG/children?limit=ten", ""), "limit");
	bad(x, GET("/api/v1/orgs/ENG/children?limit=3&limit=4", ""), "limit");
	bad(x, GET("/api/v1/orgs/ENG/children?cursor=%3Cx%3E", ""), "cursor");
	bad(x, GET("/api/v1/orgs/ENG/children?page=2", ""), "page");
	bad(x, GET("/api/v1/orgs/ENG/children?as-of=2024", ""), "as-of");
	bad(x, GET("/api/v1/orgs/ENG?sort=name", ""), "sort");
	bad(x, GET("/api/v1/orgs/QHL/sickness?from=2024-4", ""), "from");
	bad(x, GET("/api/v1/orgs/QHL/sickness?to=2024-00", ""), "to");
	bad(x, GET("/api/v1/orgs/QHL/sickness?from=2024-12&to=2024-04", ""), "from");
	bad(x, GET("/api/v1/orgs/QHL/sickness?org=QHL", ""), "org");
}

static void test_api_sickness(void **state)
{
	struct fx *x = *state;
	struct testweb_reply r =
	    expect(x->app, GET("/api/v1/orgs/QHL/sickness?from=2024-04&to=2024-12", ""), 200);
	json_t *o = body_json(&r);
	struct sickness_kpi k;
	struct cadre_err e;
	assert_int_equal(sickness_kpi(&x->t->sys, x->t->db, "QHL", 202404, 202412, &k, &e),
	                 CADRE_OK);
	double lost = json_number_value(json_object_get(o, "fte_days_lost"));
	double avail = json_number_value(json_object_get(o, "fte_days_available"));
	assert_true(fabs(lost - k.fte_days_lost) < 1e-4);
	assert_true(fabs(avail - k.fte_days_available) < 1e-4);
	assert_true(fabs(json_number_value(json_object_get(o, "rate_percent")) -
	                 (double)k.rate_hundredths / 100.0) < 1e-9);
	assert_int_equal(json_integer_value(json_object_get(o, "months_with_data")), 9);
	json_t *months = json_object_get(o, "months");
	assert_int_equal(json_array_size(months), 9);
	/* the monthly series adds up to the span's sums */
	double sum = 0;
	for (size_t i = 0; i < 9; i++)
		sum +=
		    json_number_value(json_object_get(json_array_get(months, i), "fte_days_lost"));
	assert_true(fabs(sum - k.fte_days_lost) < 1e-3);
	json_t *spc = json_object_get(o, "spc");
	assert_string_equal(json_string_value(json_object_get(spc, "chart")), "run");
	assert_string_equal(json_string_value(json_object_get(spc, "centre_line")), "median");
	assert_string_equal(json_string_value(json_object_get(spc, "variation")), "insufficient");
	json_t *pts = json_object_get(spc, "points");
	assert_int_equal(json_array_size(pts), 9);
	json_t *p0 = json_array_get(pts, 0);
	assert_true(json_is_null(json_object_get(p0, "upper_limit")));
	assert_true(fabs(json_number_value(json_object_get(p0, "value")) -
	                 (double)k.months[0].rate_hundredths / 100.0) < 1e-9);
	/* the page's chart description is not part of the API */
	assert_null(json_object_get(o, "chart"));
	sickness_kpi_free(&k);
	json_decref(o);
	testweb_free(&r);
	/* without from and to: every month with figures */
	r = expect(x->app, GET("/api/v1/orgs/ENG/sickness", ""), 200);
	o = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(o, "from")), "2024-04");
	assert_string_equal(json_string_value(json_object_get(o, "to")), "2024-12");
	/* England, April 2024: 4.76% (docs/spc.md) */
	assert_true(fabs(json_number_value(json_object_get(
	                     json_array_get(json_object_get(o, "months"), 0), "rate_percent")) -
	                 4.76) < 1e-9);
	json_decref(o);
	testweb_free(&r);
	/* a span without figures answers with none, not an error */
	r = expect(x->app, GET("/api/v1/orgs/QHL/sickness?from=2023-01&to=2023-03", ""), 200);
	o = body_json(&r);
	assert_int_equal(json_integer_value(json_object_get(o, "months_with_data")), 0);
	assert_int_equal(json_array_size(json_object_get(o, "months_without_data")), 3);
	assert_true(json_is_null(json_object_get(o, "spc")));
	json_decref(o);
	testweb_free(&r);
}

static void test_openapi_lists_routes(void **state)
{
	struct fx *x = *state;
	struct testweb_reply r = expect(x->app, GET("/api/v1/openapi.json", ""), 200);
	json_t *o = body_json(&r);
	json_t *paths = json_object_get(o, "paths");
	const char *want[] = {"/api/v1/orgs/{code}", "/api/v1/orgs/{code}/children",
	                      "/api/v1/orgs/{code}/sickness"};
	for (size_t i = 0; i < 3; i++) {
		json_t *get = json_object_get(json_object_get(paths, want[i]), "get");
		if (!get)
			fail_msg("openapi lacks %s", want[i]);
		assert_string_equal(json_string_value(json_object_get(get, "x-cadre-permission")),
		                    "org.read");
	}
	json_decref(o);
	testweb_free(&r);
}

/* ---- staff figures and data quality, on the people fixtures ------------------------ */

static const char staff_temporary[] =
    "org_code,cost_centre_code,month,staff_group,grade,staffing_type,framework,hours,shifts,"
    "spend_gbp\n"
    "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,bank,,115.00,10,2500.00\n"
    "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,agency,on,23.00,2,800.00\n"
    "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,agency,off,11.50,1,700.00\n"
    "RXC,RXC1002,2025-03,DOC_CONS,MED-CONS,locum,,20.00,2,2400.00\n"
    "RYR,RYR1001,2025-03,NURSE_HV,AFC-6,overtime,,11.50,1,300.00\n";

static const char staff_establishment[] =
    ESTABLISHMENT_HEADER "\n"
                         "RXC,RXC1001,2025-03,NURSE_HV,AFC-5,2.00,6000.00\n"
                         "RXC,RXC1002,2025-03,DOC_CONS,MED-CONS,2.50,25000.00\n"
                         "RXC,RXC2001,2025-03,NURSE_HV,AFC-5,1.00,3000.00\n"
                         "RJ1,RJ11001,2025-03,NURSE_HV,AFC-5,1.00,3000.00\n";

static int staff_setup(void **state)
{
	void *ts;
	testdomain_setup_sqlite(&ts);
	struct testdomain *t = ts;
	const char *dir = tp_dir();
	tp_setup(t, dir);
	char *staff = tp_write(dir, "staff.csv", TP_EXTRACT1);
	char *est = tp_write(dir, "establishment.csv", staff_establishment);
	char *tmp = tp_write(dir, "temporary.csv", staff_temporary);
	free(tp_staff(t, staff, false, CADRE_OK));
	free(tp_ledger(t, LEDGER_ESTABLISHMENT, est, CADRE_OK));
	free(tp_ledger(t, LEDGER_TEMPORARY, tmp, CADRE_OK));
	free(staff);
	free(est);
	free(tmp);
	tp_rmdir(dir);
	struct fx *x = xcalloc(1, sizeof *x);
	x->t = t;
	struct cadre_err e;
	struct web_app_options o = {.db_url = t->url};
	o.hooks.authn = fake_authn;
	o.hooks.authz = fake_authz;
	o.hooks.org_by_code = fake_org_by_code;
	if (web_app_new(&o, &x->app, &e) != CADRE_OK)
		fail_msg("web_app_new: %s", e.msg);
	*state = x;
	return 0;
}

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_number(v))
		fail_msg("%s is not a number", key);
	return json_number_value(v);
}

static const json_t *find_group(const json_t *arr, const char *group)
{
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(arr, i), "staff_group")),
		           group) == 0)
			return json_array_get(arr, i);
	return NULL;
}

/* the staff JSON of every level agrees with the read-outs of `cadre staff
 * summary`, `cadre kpi vacancies` and `cadre kpi temporary-staffing` for
 * the same node and month */
static void test_staff_json_matches_readouts(void **state)
{
	struct fx *x = *state;
	struct testdomain *t = x->t;
	static const char *const codes[] = {"ENG", "Y59", "QNX", "RXC", "RXCD1", "RXCW001", "RXCT001",
	                                    "RYR"};
	struct cadre_err e;
	for (size_t c = 0; c < sizeof codes / sizeof codes[0]; c++) {
		json_t *o = NULL;
		if (orgview_staff_json(&t->sys, t->db, codes[c], 0, &o, &e) != CADRE_OK)
			fail_msg("%s: %s", codes[c], e.msg);
		assert_true(json_is_true(json_object_get(o, "loaded")));
		assert_string_equal(json_string_value(json_object_get(o, "month")), "2025-03");
		struct people_summary ps;
		assert_int_equal(people_summary(&t->sys, t->db, codes[c], "2025-03-31",
		                                PEOPLE_BY_STAFF_GROUP, &ps, &e),
		                 CADRE_OK);
		assert_int_equal((int64_t)num(o, "headcount"), ps.headcount);
		assert_true(fabs(num(o, "fte") - ps.fte) < 5e-5);
		const json_t *groups = json_object_get(o, "staff_groups");
		assert_int_equal(json_array_size(groups), ps.nlines);
		for (size_t i = 0; i < ps.nlines; i++) {
			const json_t *g = find_group(groups, ps.lines[i].key);
			if (!g)
				fail_msg("%s: no group %s", codes[c], ps.lines[i].key);
			assert_int_equal((int64_t)num(g, "headcount"), ps.lines[i].headcount);
			assert_true(fabs(num(g, "fte") - ps.lines[i].fte) < 5e-5);
		}
		people_summary_free(&ps);

		struct vacancy_report v;
		assert_int_equal(vacancy_report(&t->sys, t->db, codes[c], 202503, &v, &e), CADRE_OK);
		const json_t *vj = json_object_get(o, "vacancies");
		if (v.establishment_wte100 == 0) {
			assert_true(json_is_null(vj));
		} else {
			assert_true(fabs(num(vj, "establishment_wte") -
			                 (double)v.establishment_wte100 / 100.0) < 1e-9);
			assert_true(fabs(num(vj, "contracted_fte") -
			                 (double)v.contracted_fte10k / 10000.0) < 1e-9);
			assert_true(fabs(num(vj, "vacancy_wte") - (double)v.vacancy_fte10k / 10000.0) <
			            1e-9);
			double rate = round((double)v.vacancy_fte10k /
			                    (double)(v.establishment_wte100 * 100) * 10000.0) /
			              100.0;
			assert_true(fabs(num(vj, "vacancy_rate_percent") - rate) < 1e-9);
			assert_int_equal((int64_t)num(vj, "budget_pence"), v.budget_pence);
			for (size_t i = 0; i < v.ngroups; i++) {
				const json_t *g = find_group(json_object_get(vj, "staff_groups"),
				                             v.groups[i].staff_group);
				if (!g)
					fail_msg("%s: no vacancy group %s", codes[c],
					         v.groups[i].staff_group);
				assert_true(fabs(num(g, "vacancy_wte") -
				                 (double)v.groups[i].vacancy_fte10k / 10000.0) < 1e-9);
			}
		}
		vacancy_report_free(&v);

		struct tempstaff_report tr;
		assert_int_equal(tempstaff_report(&t->sys, t->db, codes[c], 202503, &tr, &e),
		                 CADRE_OK);
		const json_t *tj = json_object_get(o, "temporary_staffing");
		if (tr.ntype == 0) {
			assert_true(json_is_null(tj));
		} else {
			assert_true(fabs(num(tj, "hours") - (double)tr.hours100 / 100.0) < 1e-9);
			assert_int_equal((int64_t)num(tj, "shifts"), tr.shifts);
			assert_int_equal((int64_t)num(tj, "spend_pence"), tr.spend_pence);
			assert_int_equal((int64_t)num(tj, "agency_off_framework_pence"),
			                 tr.agency_off_framework_pence);
			assert_int_equal(json_array_size(json_object_get(tj, "by_type")), tr.ntype);
		}
		tempstaff_report_free(&tr);
		json_decref(o);
	}
	/* worked by hand from the fixture: RXC's temporary staffing is
	 * 115 + 23 + 11.5 + 20 = 169.5 hours for 2,500 + 800 + 700 + 2,400 =
	 * 6,400 pounds, bank 115 / 169.5 = 67.8% of the hours, against a
	 * budget of 34,000 pounds (18.8%); 7.6 FTE are in post at the ICB */
	json_t *o = NULL;
	assert_int_equal(orgview_staff_json(&t->sys, t->db, "RXC", 0, &o, &e), CADRE_OK);
	const json_t *tj = json_object_get(o, "temporary_staffing");
	assert_true(fabs(num(tj, "hours") - 169.5) < 1e-9);
	assert_int_equal((int64_t)num(tj, "spend_pence"), 640000);
	assert_true(fabs(num(tj, "bank_hours_percent") - 67.8) < 1e-9);
	assert_true(fabs(num(tj, "spend_percent_of_budget") - 18.8) < 1e-9);
	assert_int_equal((int64_t)num(o, "headcount"), 6);
	json_decref(o);
	assert_int_equal(orgview_staff_json(&t->sys, t->db, "QNX", 0, &o, &e), CADRE_OK);
	assert_int_equal((int64_t)num(o, "headcount"), 7);
	assert_true(fabs(num(o, "fte") - 7.6) < 1e-9);
	json_decref(o);
	/* a month with no staff figures says so */
	assert_int_equal(orgview_staff_json(&t->sys, t->db, "RXC", 201001, &o, &e), CADRE_OK);
	assert_true(json_is_false(json_object_get(o, "loaded")));
	json_decref(o);
}

/* a grant without workforce.aggregate.read sees no figures; an unknown
 * node or one outside the grant is not found */
static void test_staff_json_grants(void **state)
{
	struct fx *x = *state;
	struct testdomain *t = x->t;
	struct actor_grant g = {.role = "staff_member", .org_id = org_id_of(t->db, "RXC")};
	struct actor a = actor_user(9, &g, 1);
	struct cadre_err e;
	json_t *o = NULL;
	assert_int_equal(orgview_staff_json(&a, t->db, "RXC", 0, &o, &e), CADRE_OK);
	assert_true(json_is_false(json_object_get(o, "allowed")));
	assert_true(json_is_false(json_object_get(o, "loaded")));
	assert_null(json_object_get(o, "headcount"));
	json_decref(o);
	assert_int_equal(orgview_trend_json(&a, t->db, "RXC", "vacancy-rate", 0, 0, &o, &e),
	                 CADRE_EPERM);
	struct actor_grant p = {.role = "workforce_planner", .org_id = org_id_of(t->db, "RXC")};
	struct actor pa = actor_user(10, &p, 1);
	assert_int_equal(orgview_staff_json(&pa, t->db, "RYR", 0, &o, &e), CADRE_ENOTFOUND);
	assert_int_equal(orgview_staff_json(&pa, t->db, "RXCW001", 0, &o, &e), CADRE_OK);
	assert_true(json_is_true(json_object_get(o, "loaded")));
	json_decref(o);
	assert_int_equal(orgview_trend_json(&pa, t->db, "RXC", "nonsense", 0, 0, &o, &e),
	                 CADRE_EINVAL);
	/* one month of figures: a run chart of one point */
	assert_int_equal(orgview_trend_json(&pa, t->db, "RXC", "temporary-spend", 0, 0, &o, &e),
	                 CADRE_OK);
	const json_t *months = json_object_get(o, "months");
	assert_int_equal(json_array_size(months), 1);
	assert_true(fabs(num(json_array_get(months, 0), "value") - 6400.0) < 1e-9);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(o, "spc"), "chart")), "run");
	json_decref(o);
	/* /orgs's top node: the grant's own */
	struct org_node home;
	assert_int_equal(orgview_home(&pa, t->db, &home, &e), CADRE_OK);
	assert_string_equal(home.code, "RXC");
	assert_int_equal(orgview_home(&t->sys, t->db, &home, &e), CADRE_OK);
	assert_string_equal(home.code, "ENG");
}

/* the quality JSON carries quality_report's counts; each count's rows
 * number the count, paged by cursor; protected checks need
 * people.protected.read and person-level rows a grant at trust level */
static void test_quality_json(void **state)
{
	struct fx *x = *state;
	struct testdomain *t = x->t;
	struct cadre_err e;
	struct quality_report *r = xcalloc(1, sizeof *r);
	static const char *const codes[] = {"RXC", "QNX", "RJ1"};
	for (size_t c = 0; c < 3; c++) {
		assert_int_equal(quality_report(&t->sys, t->db, codes[c], NULL, r, &e), CADRE_OK);
		json_t *o = NULL;
		assert_int_equal(orgview_quality_json(&t->sys, t->db, codes[c], NULL, &o, &e),
		                 CADRE_OK);
		assert_int_equal((int64_t)num(o, "staff_in_post"), r->staff_in_post);
		const json_t *checks = json_object_get(o, "checks");
		assert_int_equal(json_array_size(checks), QUALITY_CHECK_COUNT);
		for (int i = 0; i < QUALITY_CHECK_COUNT; i++) {
			const json_t *cj = json_array_get(checks, (size_t)i);
			enum quality_check q;
			assert_true(quality_check_parse(
			    json_string_value(json_object_get(cj, "check")), &q));
			int64_t n = quality_check_count(r, q);
			assert_int_equal((int64_t)num(cj, "count"), n);
			/* every row behind the count, one page of 1 at a time */
			int64_t seen = 0;
			char cursor[QUALITY_KEY_MAX] = "";
			for (;;) {
				struct quality_rows rows;
				assert_int_equal(quality_rows(&t->sys, t->db, codes[c], NULL, q, cursor,
				                              1, &rows, &e),
				                 CADRE_OK);
				assert_int_equal(rows.total, n);
				seen += (int64_t)rows.n;
				(void)snprintf(cursor, sizeof cursor, "%s", rows.next);
				quality_rows_free(&rows);
				if (!cursor[0])
					break;
			}
			assert_int_equal(seen, n);
		}
		json_decref(o);
	}
	free(r);
	/* the conflict of the fixture (testpeople.h): A9 of staff 107 */
	json_t *o = NULL;
	assert_int_equal(orgview_quality_rows_json(&t->sys, t->db, "RXC", NULL, "group-conflicts",
	                                           NULL, 50, &o, &e),
	                 CADRE_OK);
	const json_t *it = json_array_get(json_object_get(o, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(it, "staff_ref")), "107");
	assert_string_equal(json_string_value(json_object_get(it, "assignment")), "A9");
	assert_string_equal(json_string_value(json_object_get(it, "cost_centre")), "RXC1002");
	assert_string_equal(json_string_value(json_object_get(it, "detail")),
	                    "DOC_CONS vs ESR 03");
	json_decref(o);
	assert_int_equal(orgview_quality_rows_json(&t->sys, t->db, "RXC", NULL, "nope", NULL, 50,
	                                           &o, &e),
	                 CADRE_ENOTFOUND);
	/* grants */
	struct actor_grant g = {.role = "workforce_planner", .org_id = org_id_of(t->db, "RXC")};
	struct actor a = actor_user(11, &g, 1);
	assert_int_equal(orgview_quality_rows_json(&a, t->db, "RXC", NULL, "no-identifier", NULL,
	                                           50, &o, &e),
	                 CADRE_OK);
	assert_int_equal((int64_t)num(o, "total"), 1); /* 105 */
	json_decref(o);
	assert_int_equal(orgview_quality_rows_json(&a, t->db, "RXC", NULL, "ethnicity-not-stated",
	                                           NULL, 50, &o, &e),
	                 CADRE_EPERM);
	struct actor_grant eq = {.role = "equality_analyst", .org_id = org_id_of(t->db, "RXC")};
	struct actor ea = actor_user(12, &eq, 1);
	assert_int_equal(orgview_quality_rows_json(&ea, t->db, "RXC", NULL, "ethnicity-not-stated",
	                                           NULL, 50, &o, &e),
	                 CADRE_OK);
	assert_int_equal((int64_t)num(o, "total"), 1); /* 105: Z */
	json_decref(o);
	struct actor_grant icb = {.role = "workforce_planner", .org_id = org_id_of(t->db, "QNX")};
	struct actor ia = actor_user(13, &icb, 1);
	assert_int_equal(orgview_quality_rows_json(&ia, t->db, "RXC", NULL, "no-identifier", NULL,
	                                           50, &o, &e),
	                 CADRE_EPERM);
}

/* the routes, through the real route table */
static void test_staff_routes(void **state)
{
	struct fx *x = *state;
	struct testweb_reply r =
	    expect(x->app, GET("/api/v1/orgs/RXC/summary", "X-Test-Grant: RXC\r\n"), 200);
	json_t *o = body_json(&r);
	assert_int_equal((int64_t)num(o, "headcount"), 6);
	json_decref(o);
	testweb_free(&r);
	r = expect(x->app, GET("/api/v1/orgs/RXC/summary?month=2025-3", "X-Test-Grant: RXC\r\n"),
	           400);
	must_have(&r, "month");
	testweb_free(&r);
	r = expect(x->app, GET("/api/v1/orgs/RYR/summary", "X-Test-Grant: RXC\r\n"), 404);
	testweb_free(&r);
	r = expect(x->app, GET("/orgs/RXCW001", "X-Test-Grant: RXC\r\n"), 200);
	must_have(&r, "Elderly Care");
	must_have(&r, "Staff group mix");
	must_have(&r, "Nurses &amp; health visitors");
	must_have(&r, "<svg");
	testweb_free(&r);
	r = expect(x->app, GET("/orgs/RXC/quality", "X-Test-Grant: RXC\r\n"), 200);
	must_have(&r, "href=\"&#x2F;orgs&#x2F;RXC&#x2F;quality&#x2F;group-conflicts\"");
	/* a planner's role does not reach the protected rows: no link */
	if (testweb_body_has(&r, "quality&#x2F;ethnicity-not-stated"))
		fail_msg("a link to protected rows for a planner");
	testweb_free(&r);
	r = expect(x->app,
	           GET("/api/v1/orgs/RXC/quality/occupation-unlisted?limit=2", "X-Test-Grant: RXC\r\n"),
	           200);
	o = body_json(&r);
	assert_int_equal((int64_t)num(o, "total"), 3);
	assert_int_equal(json_array_size(json_object_get(o, "items")), 2);
	assert_true(json_is_string(json_object_get(o, "next_cursor")));
	json_decref(o);
	testweb_free(&r);
	r = expect(x->app,
	           GET("/api/v1/orgs/RXC/quality/occupation-unlisted?limit=0", "X-Test-Grant: RXC\r\n"),
	           400);
	testweb_free(&r);
	r = expect(x->app,
	           GET("/api/v1/orgs/RXC/quality/ethnicity-not-known", "X-Test-Grant: RXC\r\n"), 403);
	testweb_free(&r);
	r = expect(x->app, GET("/api/v1/orgs/RXC/trends/vacancy-rate?from=2025-04&to=2025-01",
	                       "X-Test-Grant: RXC\r\n"),
	           400);
	testweb_free(&r);
	r = expect(x->app, GET("/api/v1/orgs/RXC/trends/nothing", "X-Test-Grant: RXC\r\n"), 404);
	testweb_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_producers_escape),
	    cmocka_unit_test(test_producers_in_a_template),
	    cmocka_unit_test(test_england_page),
	    cmocka_unit_test(test_trust_page),
	    cmocka_unit_test(test_page_errors),
	    cmocka_unit_test(test_api_org),
	    cmocka_unit_test(test_api_children_pages),
	    cmocka_unit_test(test_api_bad_parameters),
	    cmocka_unit_test(test_api_sickness),
	    cmocka_unit_test(test_openapi_lists_routes),
	};
	const struct CMUnitTest staff_tests[] = {
	    cmocka_unit_test(test_staff_json_matches_readouts),
	    cmocka_unit_test(test_staff_json_grants),
	    cmocka_unit_test(test_quality_json),
	    cmocka_unit_test(test_staff_routes),
	};
	int failed =
	    cmocka_run_group_tests_name("web_orgview", tests, group_setup, group_teardown);
	failed += cmocka_run_group_tests_name("web_orgview_staff", staff_tests, staff_setup,
	                                      group_teardown);
	return failed;
}
