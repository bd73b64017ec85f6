#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "domain/actor.h"
#include "domain/db.h"
#include "domain/setting.h"
#include "web/router.h"
#include "testweb.h"

/* where log lines go when a test is not reading them */
static FILE *quiet_log;

/* ---- the handlers of a test route table ---- */

static int h_text(struct web_response *resp, const char *s, struct cadre_err *err)
{
	resp->content_type = "text/plain; charset=utf-8";
	return web_resp_puts(resp, s, err);
}

static int h_home(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	(void)req;
	resp->content_type = "text/html; charset=utf-8";
	return web_resp_puts(resp, "<h1>home</h1>", err);
}

static int h_org(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	return web_resp_printf(resp, err, "org %s in %lld", web_req_param(req, "code"),
	                       (long long)req->org_id);
}

static int h_org_new(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	(void)req;
	return h_text(resp, "new form", err);
}

static int h_thing(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	return web_resp_printf(resp, err, "thing %lld", (long long)web_req_param_int(req, "id"));
}

/* a thing's organisation: things 1 and 2 exist, in organisations 10 and 20 */
static int thing_org(struct web_request *req, int64_t *org_id, struct cadre_err *err)
{
	int64_t id = web_req_param_int(req, "id");
	if (id == 1 || id == 2) {
		*org_id = id * 10;
		return CADRE_OK;
	}
	return cadre_err_set(err, CADRE_ENOTFOUND, "no thing %lld", (long long)id);
}

/* a form: note must not be empty */
static int h_note(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	const struct form *f;
	int rc = web_req_form(req, &f, err);
	if (rc != CADRE_OK)
		return rc;
	const char *note = form_get(f, "note");
	if (!note || !*note) {
		web_resp_field_error(resp, "note", "Enter a note");
		return cadre_err_set(err, CADRE_EINVAL, "the note is empty");
	}
	return web_resp_redirect(resp, 303, "/orgs/RXK", err);
}

static int h_echo(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	json_error_t je;
	json_t *j = json_loadb(req->body ? req->body : "", req->body_len, 0, &je);
	if (!j)
		return cadre_err_set(err, CADRE_EINVAL, "the body is not JSON");
	const char *name = json_string_value(json_object_get(j, "name"));
	int rc = CADRE_OK;
	if (!name) {
		web_resp_field_error(resp, "name", "Enter a name");
		web_resp_field_error(resp, "role", "Choose a role");
		rc = cadre_err_set(err, CADRE_EINVAL, "2 fields are wrong");
	} else {
		resp->content_type = "application/json";
		rc = web_resp_printf(resp, err, "{\"hello\":\"%s\"}", name);
	}
	json_decref(j);
	return rc;
}

static int h_boom(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	(void)req;
	(void)web_resp_puts(resp, "<p>half a page", err);
	return cadre_err_set(err, CADRE_EINTERNAL, "SELECT secret FROM person failed");
}

static int h_busy(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	(void)req;
	(void)resp;
	return cadre_err_set(err, CADRE_EBUSY, "the database is locked");
}

static int h_conflict(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	(void)req;
	(void)resp;
	return cadre_err_set(err, CADRE_ECONFLICT, "the plan was submitted by someone else");
}

static int h_teapot(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	(void)req;
	return web_fail(resp, err, 415, "send text/csv");
}

static int injected_rc;

static int h_inject(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	(void)req;
	injected_rc = web_resp_header(resp, "X-Name", "a\r\nSet-Cookie: session=evil", err);
	return h_text(resp, "refused", err);
}

static int h_big(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	(void)req;
	char line[1024];
	memset(line, 'x', sizeof line);
	int rc = CADRE_OK;
	while (rc == CADRE_OK)
		rc = web_resp_write(resp, line, sizeof line, err);
	return rc;
}

static int h_whoami(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	return web_resp_printf(resp, err, "%s %s", req->client_addr,
	                       req->secure ? "secure" : "plain");
}

/* db: a GET may read, and its writes are refused; a POST may write */
static unsigned char audit_key[32];

static int h_db(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	struct actor sys = actor_system("test");
	struct cadre_err e;
	int wrc = setting_set(&sys, db, audit_key, "test.key", req->method, NULL, &e);
	return web_resp_printf(resp, err, "write=%d", wrc);
}

static const struct web_route routes[] = {
    {.method = "GET",
     .pattern = "/",
     .permission = "public",
     .cache = "no-store",
     .kind = WEB_ROUTE_PAGE,
     .handler = h_home},
    {.method = "GET",
     .pattern = "/api/v1/things/{id:int}",
     .permission = "thing.read",
     .org_from = WEB_ORG_LOOKUP,
     .org_lookup = thing_org,
     .kind = WEB_ROUTE_API,
     .produces = "text/plain",
     .handler = h_thing},
    {.method = "POST",
     .pattern = "/api/v1/echo",
     .permission = "public",
     .body_max = 1024,
     .kind = WEB_ROUTE_API,
     .handler = h_echo},
    {.method = "GET",
     .pattern = "/api/v1/conflict",
     .permission = "public",
     .kind = WEB_ROUTE_API,
     .handler = h_conflict},
    {.method = "GET",
     .pattern = "/big",
     .permission = "public",
     .kind = WEB_ROUTE_PAGE,
     .handler = h_big},
    {.method = "GET",
     .pattern = "/boom",
     .permission = "public",
     .kind = WEB_ROUTE_PAGE,
     .handler = h_boom},
    {.method = "GET",
     .pattern = "/busy",
     .permission = "public",
     .kind = WEB_ROUTE_PAGE,
     .handler = h_busy},
    {.method = "GET",
     .pattern = "/db",
     .permission = "public",
     .kind = WEB_ROUTE_PAGE,
     .produces = "text/plain",
     .handler = h_db},
    {.method = "POST",
     .pattern = "/db",
     .permission = "public",
     .kind = WEB_ROUTE_PAGE,
     .produces = "text/plain",
     .handler = h_db},
    {.method = "GET",
     .pattern = "/inject",
     .permission = "public",
     .kind = WEB_ROUTE_PAGE,
     .handler = h_inject},
    {.method = "GET",
     .pattern = "/orgs/new",
     .permission = "public",
     .kind = WEB_ROUTE_PAGE,
     .handler = h_org_new},
    {.method = "GET",
     .pattern = "/orgs/{code:code}",
     .permission = "org.read",
     .org_from = WEB_ORG_PATH,
     .org_param = "code",
     .kind = WEB_ROUTE_PAGE,
     .produces = "text/plain",
     .cache = "private, max-age=60",
     .handler = h_org},
    {.method = "POST",
     .pattern = "/orgs/{code:code}/notes",
     .permission = "org.write",
     .org_from = WEB_ORG_PATH,
     .org_param = "code",
     .csrf = true,
     .body_max = 64,
     .kind = WEB_ROUTE_PAGE,
     .handler = h_note},
    {.method = "PUT",
     .pattern = "/teapot",
     .permission = "public",
     .body_max = 10,
     .kind = WEB_ROUTE_PAGE,
     .handler = h_teapot},
    {.method = "GET",
     .pattern = "/things/{id:int}",
     .permission = "thing.read",
     .org_from = WEB_ORG_LOOKUP,
     .org_lookup = thing_org,
     .kind = WEB_ROUTE_PAGE,
     .produces = "text/plain",
     .handler = h_thing},
    {.method = "GET",
     .pattern = "/whoami",
     .permission = "public",
     .kind = WEB_ROUTE_PAGE,
     .produces = "text/plain",
     .handler = h_whoami},
};

/* ---- the fake identity, policy and CSRF hooks ---- */

/* X-Test-Role: ROLE@ORG makes a user holding ROLE over organisation ORG */
static int fake_authn(void *ctx, struct web_request *req, const struct actor **out,
                      struct cadre_err *err)
{
	(void)ctx;
	(void)err;
	const char *h = web_req_header(req, "X-Test-Role");
	if (!h)
		return CADRE_OK;
	const char *at = strchr(h, '@');
	struct actor_grant *g = web_req_alloc(req, sizeof *g);
	(void)snprintf(g->role, sizeof g->role, "%.*s", (int)(at ? at - h : 0), h);
	g->org_id = at ? strtoll(at + 1, NULL, 10) : 0;
	struct actor *a = web_req_alloc(req, sizeof *a);
	*a = actor_user(7, g, 1);
	*out = a;
	return CADRE_OK;
}

static int64_t authz_org_seen;

static int fake_authz(void *ctx, const struct actor *a, const char *perm, int64_t org_id,
                      struct cadre_err *err)
{
	(void)ctx;
	authz_org_seen = org_id;
	const struct actor_grant *g = &a->grants[0];
	if (org_id != 0 && g->org_id != org_id)
		return cadre_err_set(err, CADRE_ENOTFOUND, "outside the actor's scope");
	bool reads = strcmp(perm, "org.read") == 0 || strcmp(perm, "thing.read") == 0;
	if (strcmp(g->role, "editor") == 0 || (strcmp(g->role, "viewer") == 0 && reads))
		return CADRE_OK;
	return cadre_err_set(err, CADRE_EPERM, "role %s lacks %s", g->role, perm);
}

static int fake_org_by_code(void *ctx, struct web_request *req, const char *code, int64_t *org_id,
                            struct cadre_err *err)
{
	(void)ctx;
	(void)req;
	if (strcmp(code, "RXK") == 0)
		*org_id = 10;
	else if (strcmp(code, "QHL") == 0)
		*org_id = 20;
	else
		return cadre_err_set(err, CADRE_ENOTFOUND, "no organisation %s", code);
	return CADRE_OK;
}

static int fake_csrf(void *ctx, struct web_request *req, struct cadre_err *err)
{
	(void)ctx;
	const char *t = web_req_header(req, "X-CSRF");
	if (t && strcmp(t, "good") == 0)
		return CADRE_OK;
	return cadre_err_set(err, CADRE_EPERM, "bad token");
}

struct fx {
	struct web_app *app;
	char dir[64];
	char url[128];
};

static struct web_app *make_app(const char *db_url, const char *proxies, bool hooks)
{
	struct web_app_options o = {
	    .db_url = db_url,
	    .routes = routes,
	    .nroutes = sizeof routes / sizeof routes[0],
	    .trusted_proxies = proxies,
	};
	if (hooks) {
		o.hooks.authn = fake_authn;
		o.hooks.authz = fake_authz;
		o.hooks.org_by_code = fake_org_by_code;
		o.hooks.csrf_check = fake_csrf;
	}
	struct web_app *app;
	struct cadre_err err;
	if (web_app_new(&o, &app, &err) != CADRE_OK)
		fail_msg("web_app_new: %s", err.msg);
	return app;
}

static int setup(void **state)
{
	struct fx *x = xcalloc(1, sizeof *x);
	x->app = make_app(NULL, "10.0.0.0/8", true);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	web_app_free(x->app);
	free(x);
	return 0;
}

#define GET(path, extra) "GET " path " HTTP/1.1\r\nHost: t\r\n" extra "\r\n"

/* expect: send raw, check the status, return the reply (free it). */
static struct testweb_reply expect(struct web_app *app, const char *raw, int status)
{
	struct testweb_reply r = testweb_send(app, raw);
	if (r.status != status)
		fail_msg("%.60s: status %d, want %d\n%s", raw, r.status, status, r.raw);
	testweb_security_headers(&r);
	return r;
}

static void test_match_and_params(void **state)
{
	struct fx *x = *state;
	struct testweb_reply r =
	    expect(x->app, GET("/orgs/RXK", "X-Test-Role: viewer@10\r\n"), 200);
	assert_string_equal(r.body, "org RXK in 10");
	assert_string_equal(testweb_header(&r, "Content-Type"), "text/plain");
	assert_string_equal(testweb_header(&r, "Cache-Control"), "private, max-age=60");
	testweb_free(&r);
	/* percent-decoded before matching the type */
	r = expect(x->app, GET("/orgs/R%58K", "X-Test-Role: viewer@10\r\n"), 200);
	assert_string_equal(r.body, "org RXK in 10");
	testweb_free(&r);
	/* a literal segment beats a parameter, whatever the table order */
	r = expect(x->app, GET("/orgs/new", ""), 200);
	assert_string_equal(r.body, "new form");
	testweb_free(&r);
	/* typed parameters refuse what does not fit: 404, never the handler */
	const char *nomatch[] = {GET("/orgs/R-K", ""),
	                         GET("/orgs/ABCDEFGHIJKLMNOPQ", ""),
	                         GET("/things/0", ""),
	                         GET("/things/-1", ""),
	                         GET("/things/abc", ""),
	                         GET("/things/99999999999999999999", ""),
	                         GET("/things/1/extra", ""),
	                         GET("/things/", ""),
	                         GET("/things//1", ""),
	                         GET("/orgs/%ZZ", ""),
	                         GET("/orgs/R%00K", ""),
	                         GET("/nothing", ""),
	                         GET("/orgs", "")};
	for (size_t i = 0; i < sizeof nomatch / sizeof nomatch[0]; i++) {
		r = expect(x->app, nomatch[i], 404);
		testweb_free(&r);
	}
	r = expect(x->app, GET("/things/12?x=1", "X-Test-Role: viewer@0\r\n"), 404);
	testweb_free(&r);
}

static void test_route_match_direct(void **state)
{
	(void)state;
	struct web_request req;
	web_request_init(&req, NULL);
	const struct web_route r = {.pattern = "/a/{x}/b/{n:int}/{c:code}"};
	assert_true(web_route_match(&r, "/a/h%C3%A9llo%2Fworld/b/42/QHL", &req));
	assert_int_equal(req.nparams, 3);
	assert_string_equal(web_req_param(&req, "x"), "h\xc3\xa9llo/world");
	assert_string_equal(web_req_param(&req, "n"), "42");
	assert_int_equal(web_req_param_int(&req, "n"), 42);
	assert_string_equal(web_req_param(&req, "c"), "QHL");
	assert_null(web_req_param(&req, "missing"));
	assert_false(web_route_match(&r, "/a/./b/42/QHL", &req));
	assert_false(web_route_match(&r, "/a/%FF/b/42/QHL", &req)); /* not UTF-8 */
	assert_false(web_route_match(&r, "/a/x/b/42/QHL/", &req));  /* trailing slash */
	assert_false(web_route_match(&r, "/A/x/b/42/QHL", &req));   /* literals are exact */
	const struct web_route root = {.pattern = "/"};
	assert_true(web_route_match(&root, "/", &req));
	assert_false(web_route_match(&root, "//", &req));
	assert_false(web_route_match(&root, "", &req));
	web_request_free(&req);
}

static void test_anonymous_is_401(void **state)
{
	struct fx *x = *state;
	struct testweb_reply r = expect(x->app, GET("/orgs/RXK", ""), 401);
	assert_true(testweb_body_has(&r, "Sign in to continue"));
	assert_string_equal(testweb_header(&r, "Content-Type"), "text/html; charset=utf-8");
	assert_null(testweb_header(&r, "WWW-Authenticate"));
	testweb_free(&r);
	r = expect(x->app, GET("/api/v1/things/1", ""), 401);
	assert_string_equal(testweb_header(&r, "Content-Type"), "application/problem+json");
	assert_string_equal(testweb_header(&r, "WWW-Authenticate"), "Bearer realm=\"cadre\"");
	testweb_free(&r);
}

static void test_forbidden_vs_not_found(void **state)
{
	struct fx *x = *state;
	/* in scope, the role lacks the permission: 403 */
	struct testweb_reply r =
	    expect(x->app, GET("/orgs/RXK", "X-Test-Role: nobody@10\r\n"), 403);
	assert_int_equal(authz_org_seen, 10);
	assert_true(testweb_body_has(&r, "You do not have permission to do this"));
	testweb_free(&r);
	/* another organisation: 404, read the same as one that does not exist */
	struct testweb_reply out =
	    expect(x->app, GET("/orgs/QHL", "X-Test-Role: viewer@10\r\n"), 404);
	assert_int_equal(authz_org_seen, 20);
	struct testweb_reply none =
	    expect(x->app, GET("/orgs/ZZZ", "X-Test-Role: viewer@10\r\n"), 404);
	const char *a = strstr(out.body, "<h1");
	const char *b = strstr(none.body, "<h1");
	assert_non_null(a);
	assert_non_null(b);
	/* identical pages but for the request id */
	assert_int_equal(strlen(a), strlen(b));
	assert_memory_equal(a, b, (size_t)(strstr(a, "<code>") - a));
	assert_null(strstr(out.body, "QHL"));
	assert_null(strstr(out.body, "scope"));
	testweb_free(&out);
	testweb_free(&none);
	/* a lookup route: thing 1 is in 10, thing 2 in 20, thing 3 nowhere */
	r = expect(x->app, GET("/things/1", "X-Test-Role: viewer@10\r\n"), 200);
	assert_string_equal(r.body, "thing 1");
	testweb_free(&r);
	r = expect(x->app, GET("/things/2", "X-Test-Role: viewer@10\r\n"), 404);
	testweb_free(&r);
	r = expect(x->app, GET("/things/3", "X-Test-Role: viewer@10\r\n"), 404);
	testweb_free(&r);
	/* the role check and the scope check both happen before the handler:
	 * a 403 never runs it (its body would say "thing") */
	r = expect(x->app, GET("/things/1", "X-Test-Role: nobody@10\r\n"), 403);
	assert_false(testweb_body_has(&r, "thing 1"));
	testweb_free(&r);
}

static void test_problem_json(void **state)
{
	struct fx *x = *state;
	struct testweb_reply r =
	    expect(x->app, GET("/api/v1/things/2", "X-Test-Role: viewer@10\r\n"), 404);
	assert_string_equal(testweb_header(&r, "Content-Type"), "application/problem+json");
	json_error_t je;
	json_t *j = json_loadb(r.body, r.body_len, 0, &je);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "about:blank");
	assert_string_equal(json_string_value(json_object_get(j, "title")), "Not Found");
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 404);
	const char *id = testweb_header(&r, "X-Request-Id");
	char want[80];
	(void)snprintf(want, sizeof want, "urn:cadre:request:%s", id);
	assert_string_equal(json_string_value(json_object_get(j, "instance")), want);
	assert_string_equal(json_string_value(json_object_get(j, "request_id")), id);
	/* the reason (outside the scope) is not given away */
	assert_null(strstr(r.body, "scope"));
	assert_null(json_object_get(j, "errors"));
	json_decref(j);
	testweb_free(&r);
	/* unknown /api/ paths answer in JSON too */
	r = expect(x->app, GET("/api/v9/nothing", ""), 404);
	assert_string_equal(testweb_header(&r, "Content-Type"), "application/problem+json");
	testweb_free(&r);
	/* 409 shows the handler's reason */
	r = expect(x->app, GET("/api/v1/conflict", ""), 409);
	j = json_loadb(r.body, r.body_len, 0, &je);
	assert_string_equal(json_string_value(json_object_get(j, "title")), "Conflict");
	assert_string_equal(json_string_value(json_object_get(j, "detail")),
	                    "the plan was submitted by someone else");
	json_decref(j);
	testweb_free(&r);
}

static void test_422_field_errors(void **state)
{
	struct fx *x = *state;
	const char *req =
	    "POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
	    "Content-Length: 2\r\n\r\n{}";
	struct testweb_reply r = expect(x->app, req, 422);
	json_error_t je;
	json_t *j = json_loadb(r.body, r.body_len, 0, &je);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 422);
	assert_string_equal(json_string_value(json_object_get(j, "detail")), "2 fields are wrong");
	json_t *errs = json_object_get(j, "errors");
	assert_int_equal(json_array_size(errs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "field")),
	                    "name");
	assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "detail")),
	                    "Enter a name");
	assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 1), "field")),
	                    "role");
	json_decref(j);
	testweb_free(&r);
	/* the same for people: an error summary linking to the field */
	const char *form = "POST /orgs/RXK/notes HTTP/1.1\r\nHost: t\r\nX-Test-Role: editor@10\r\n"
	                   "X-CSRF: good\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	                   "Content-Length: 5\r\n\r\nnote=";
	r = expect(x->app, form, 422);
	assert_true(testweb_body_has(&r, "nhsuk-error-summary"));
	assert_true(testweb_body_has(&r, "<a href=\"#note\">Enter a note</a>"));
	testweb_free(&r);
	/* and a valid note is a 303 back to the organisation */
	r = testweb_send(x->app, "POST /orgs/RXK/notes HTTP/1.1\r\nHost: t\r\n"
	                         "X-Test-Role: editor@10\r\nX-CSRF: good\r\n"
	                         "Content-Type: application/x-www-form-urlencoded\r\n"
	                         "Content-Length: 10\r\n\r\nnote=hello");
	assert_int_equal(r.status, 303);
	assert_string_equal(testweb_header(&r, "Location"), "/orgs/RXK");
	testweb_security_headers(&r);
	testweb_free(&r);
	/* a malformed form is a 400 naming the field */
	r = expect(x->app,
	           "POST /orgs/RXK/notes HTTP/1.1\r\nHost: t\r\nX-Test-Role: editor@10\r\n"
	           "X-CSRF: good\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	           "Content-Length: 8\r\n\r\nnote=%zz",
	           400);
	assert_true(testweb_body_has(&r, "field &#39;note&#39;: malformed percent-escape"));
	testweb_free(&r);
	/* web_fail chooses a status the table has no word for */
	r = expect(x->app, "PUT /teapot HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", 415);
	/* the page escapes '/' as the templates do */
	assert_true(testweb_body_has(&r, "send text&#x2F;csv"));
	testweb_free(&r);
}

static void test_csrf(void **state)
{
	struct fx *x = *state;
#define CSRF_REQ                                                                                   \
	"POST /orgs/RXK/notes HTTP/1.1\r\nHost: t\r\nX-Test-Role: %s@10\r\n"                       \
	"%sContent-Type: application/x-www-form-urlencoded\r\n"                                    \
	"Content-Length: 10\r\n\r\nnote=hello"
	char raw[512];
	(void)snprintf(raw, sizeof raw, CSRF_REQ, "editor", "");
	struct testweb_reply r = expect(x->app, raw, 403);
	assert_true(testweb_body_has(&r, "security token is missing or out of date"));
	testweb_free(&r);
	(void)snprintf(raw, sizeof raw, CSRF_REQ, "editor", "X-CSRF: forged\r\n");
	r = expect(x->app, raw, 403);
	assert_true(testweb_body_has(&r, "security token is missing or out of date"));
	testweb_free(&r);
	/* a viewer is refused for the permission, whatever the token */
	(void)snprintf(raw, sizeof raw, CSRF_REQ, "viewer", "X-CSRF: good\r\n");
	r = expect(x->app, raw, 403);
	assert_true(testweb_body_has(&r, "You do not have permission"));
	testweb_free(&r);
	(void)snprintf(raw, sizeof raw, CSRF_REQ, "editor", "X-CSRF: good\r\n");
	r = testweb_send(x->app, raw);
	assert_int_equal(r.status, 303);
	testweb_free(&r);
}

static void test_405_allow(void **state)
{
	struct fx *x = *state;
	struct testweb_reply r =
	    expect(x->app, "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", 405);
	assert_string_equal(testweb_header(&r, "Allow"), "GET, HEAD");
	testweb_free(&r);
	r = expect(x->app, "DELETE /orgs/RXK/notes HTTP/1.1\r\nHost: t\r\n\r\n", 405);
	assert_string_equal(testweb_header(&r, "Allow"), "POST");
	testweb_free(&r);
	r = expect(x->app, "PATCH /db HTTP/1.1\r\nHost: t\r\n\r\n", 405);
	assert_string_equal(testweb_header(&r, "Allow"), "GET, HEAD, POST");
	testweb_free(&r);
	r = expect(x->app, "OPTIONS /api/v1/echo HTTP/1.1\r\nHost: t\r\n\r\n", 405);
	assert_string_equal(testweb_header(&r, "Allow"), "POST");
	assert_string_equal(testweb_header(&r, "Content-Type"), "application/problem+json");
	testweb_free(&r);
}

static void test_head(void **state)
{
	struct fx *x = *state;
	struct testweb_reply g = expect(x->app, GET("/", ""), 200);
	struct testweb_reply h = expect(x->app, "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n", 200);
	assert_int_equal(h.body_len, 0);
	assert_int_equal(g.body_len, 13);
	assert_string_equal(testweb_header(&h, "Content-Length"), "13");
	assert_string_equal(testweb_header(&h, "Content-Type"), "text/html; charset=utf-8");
	testweb_free(&g);
	testweb_free(&h);
	/* a HEAD that fails has headers and no body either */
	h = expect(x->app, "HEAD /nothing HTTP/1.1\r\nHost: t\r\n\r\n", 404);
	assert_int_equal(h.body_len, 0);
	assert_string_not_equal(testweb_header(&h, "Content-Length"), "0");
	testweb_free(&h);
}

static void test_body_caps(void **state)
{
	struct fx *x = *state;
	/* declared larger than the route takes: refused on the headers alone
	 * (the body is not even here) */
	struct testweb_reply r =
	    expect(x->app,
	           "POST /orgs/RXK/notes HTTP/1.1\r\nHost: t\r\nX-Test-Role: editor@10\r\n"
	           "X-CSRF: good\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	           "Content-Length: 65\r\n\r\n",
	           400); /* the wire sees a short body first */
	testweb_free(&r);
	struct web_request req;
	struct web_response resp;
	web_request_init(&req, x->app);
	web_resp_init(&resp, &req.arena);
	struct cadre_err err;
	assert_int_equal(web_request_set_line(&req, "POST", 4, "/orgs/RXK/notes", 15, &err), 0);
	web_request_add_header(&req, "Content-Length", 14, "2147483648", 10);
	assert_false(web_request_begin(x->app, &req, &resp));
	assert_int_equal(resp.status, 413);
	assert_non_null(strstr(buf_cstr(&resp.body), "(64 bytes)"));
	web_resp_free(&resp);
	web_request_free(&req);
	/* a GET takes no body */
	char big[200];
	(void)snprintf(big, sizeof big, "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nx");
	r = expect(x->app, big, 413);
	testweb_free(&r);
	/* exactly the cap is accepted */
	char note[256];
	(void)snprintf(note, sizeof note,
	               "POST /orgs/RXK/notes HTTP/1.1\r\nHost: t\r\nX-Test-Role: editor@10\r\n"
	               "X-CSRF: good\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	               "Content-Length: 64\r\n\r\nnote=%059d",
	               0);
	r = testweb_send(x->app, note);
	assert_int_equal(r.status, 303);
	testweb_free(&r);
	(void)snprintf(note, sizeof note,
	               "POST /orgs/RXK/notes HTTP/1.1\r\nHost: t\r\nX-Test-Role: editor@10\r\n"
	               "X-CSRF: good\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	               "Content-Length: 65\r\n\r\nnote=%060d",
	               0);
	r = expect(x->app, note, 413);
	testweb_free(&r);
	/* chunked bodies are not taken: a length is required */
	r = expect(x->app,
	           "POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
	           "0\r\n\r\n",
	           411);
	assert_string_equal(testweb_header(&r, "Content-Type"), "application/problem+json");
	testweb_free(&r);
	/* a malformed length */
	r = expect(x->app, "POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: +5\r\n\r\n",
	           400);
	testweb_free(&r);
}

static void test_utf8_bodies(void **state)
{
	struct fx *x = *state;
	struct testweb_reply r =
	    expect(x->app,
	           "POST /api/v1/echo HTTP/1.1\r\nHost: t\r\n"
	           "Content-Type: application/json\r\nContent-Length: 14\r\n\r\n"
	           "{\"name\":\"\xc3\xa9\xff\"}",
	           400);
	assert_true(testweb_body_has(&r, "not valid UTF-8"));
	testweb_free(&r);
	r = expect(x->app,
	           "POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
	           "Content-Length: 13\r\n\r\n{\"name\":\"\xc3\xa9\"}",
	           200);
	assert_string_equal(r.body, "{\"hello\":\"\xc3\xa9\"}");
	testweb_free(&r);
}

static void test_internal_errors(void **state)
{
	struct fx *x = *state;
	FILE *logf = tmpfile();
	log_set_output(logf);
	struct testweb_reply r = expect(x->app, GET("/boom", ""), 500);
	log_set_output(quiet_log);
	/* a clean page: none of the half-built reply, no internals */
	assert_false(testweb_body_has(&r, "half a page"));
	assert_false(testweb_body_has(&r, "SELECT"));
	assert_false(testweb_body_has(&r, "secret"));
	assert_true(testweb_body_has(&r, "Sorry, there is a problem with the service"));
	const char *id = testweb_header(&r, "X-Request-Id");
	assert_true(testweb_body_has(&r, id));
	assert_string_equal(testweb_header(&r, "Cache-Control"), "no-store");
	/* the reason goes to the log, with the request id */
	char line[4096] = "";
	rewind(logf);
	size_t n = fread(line, 1, sizeof line - 1, logf);
	line[n] = '\0';
	(void)fclose(logf);
	assert_non_null(strstr(line, "event=http.error"));
	assert_non_null(strstr(line, "SELECT secret FROM person failed"));
	assert_non_null(strstr(line, id));
	testweb_free(&r);
	/* the reply outgrows its cap: still a clean 500 */
	r = expect(x->app, GET("/big", ""), 500);
	assert_true(r.body_len < 4096);
	testweb_free(&r);
	/* busy: 503 with Retry-After */
	r = expect(x->app, GET("/busy", ""), 503);
	assert_string_equal(testweb_header(&r, "Retry-After"), "2");
	assert_false(testweb_body_has(&r, "locked"));
	testweb_free(&r);
}

static void test_headers_everywhere(void **state)
{
	struct fx *x = *state;
	/* every kind of reply, including the ones the router makes itself */
	const struct {
		const char *raw;
		int status;
	} cases[] = {
	    {GET("/", ""), 200},
	    {GET("/nothing", ""), 404},
	    {GET("/orgs/RXK", ""), 401},
	    {GET("/orgs/RXK", "X-Test-Role: nobody@10\r\n"), 403},
	    {"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", 405},
	    {"POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n", 400},
	    {GET("/boom", ""), 500},
	    {GET("/busy", ""), 503},
	    {"BROKEN\r\n\r\n", 400},
	    {"GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505},
	    {"GET / HTTP/1.1\r\n\r\n", 400},
	};
	FILE *logf = tmpfile();
	log_set_output(logf);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct testweb_reply r = expect(x->app, cases[i].raw, cases[i].status);
		testweb_free(&r);
	}
	log_set_output(quiet_log);
	(void)fclose(logf);
}

static void test_header_injection(void **state)
{
	struct fx *x = *state;
	injected_rc = 0;
	struct testweb_reply r = expect(x->app, GET("/inject", ""), 200);
	assert_int_equal(injected_rc, CADRE_EINVAL);
	assert_null(testweb_header(&r, "Set-Cookie"));
	assert_null(testweb_header(&r, "X-Name"));
	assert_null(strstr(r.raw, "evil"));
	testweb_free(&r);

	struct arena a;
	arena_init(&a, 0);
	struct web_response resp;
	web_resp_init(&resp, &a);
	struct cadre_err err;
	const char *bad_values[] = {"a\rb", "a\nb", "a\r\nb", "\x01", "a\x7f", "a\x1b[0m"};
	for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++)
		assert_int_equal(web_resp_header(&resp, "X-Test", bad_values[i], &err),
		                 CADRE_EINVAL);
	const char *bad_names[] = {"", "X Test", "X-Test:", "X\r\nY", "X(Test)"};
	for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++)
		assert_int_equal(web_resp_header(&resp, bad_names[i], "v", &err), CADRE_EINVAL);
	assert_int_equal(resp.nheaders, 0);
	assert_int_equal(web_resp_header(&resp, "X-Test", "tab\tand UTF-8 \xc3\xa9 ok", &err), 0);
	assert_int_equal(web_resp_header(&resp, "x-test", "replaced", &err), 0);
	assert_int_equal(resp.nheaders, 1);
	assert_string_equal(web_resp_get_header(&resp, "X-TEST"), "replaced");
	/* a value over 8 KiB */
	char *longv = xmalloc(WEB_HEADER_VALUE_MAX + 2);
	memset(longv, 'v', WEB_HEADER_VALUE_MAX + 1);
	longv[WEB_HEADER_VALUE_MAX + 1] = '\0';
	assert_int_equal(web_resp_header(&resp, "X-Long", longv, &err), CADRE_EINVAL);
	longv[WEB_HEADER_VALUE_MAX] = '\0';
	assert_int_equal(web_resp_header(&resp, "X-Long", longv, &err), CADRE_OK);
	free(longv);
	/* redirects stay on this site */
	assert_int_equal(web_resp_redirect(&resp, 303, "//evil.example/", &err), CADRE_EINVAL);
	assert_int_equal(web_resp_redirect(&resp, 303, "/\\evil.example/", &err), CADRE_EINVAL);
	assert_int_equal(web_resp_redirect(&resp, 303, "https://evil.example/", &err),
	                 CADRE_EINVAL);
	assert_int_equal(web_resp_redirect(&resp, 303, "/ok\r\nSet-Cookie: a=b", &err),
	                 CADRE_EINVAL);
	assert_int_equal(web_resp_redirect(&resp, 303, "/orgs/RXK", &err), CADRE_OK);
	assert_int_equal(resp.status, 303);
	/* handlers cannot use the router's reserved header slots */
	web_resp_reset(&resp);
	char name[16];
	for (int i = 0; i < WEB_RESP_HEADERS_MAX; i++) {
		(void)snprintf(name, sizeof name, "X-H%d", i);
		assert_int_equal(web_resp_header(&resp, name, "v", &err), CADRE_OK);
	}
	assert_int_equal(web_resp_header(&resp, "X-One-More", "v", &err), CADRE_EINTERNAL);
	assert_int_equal(web_resp_header_router(&resp, "X-Router", "v", &err), CADRE_OK);
	web_resp_free(&resp);
	arena_free(&a);
}

/* without templates (no application), an error page is still a page */
static void test_error_page_fallback(void **state)
{
	(void)state;
	struct web_request req;
	web_request_init(&req, NULL);
	struct web_response resp;
	web_resp_init(&resp, &req.arena);
	web_resp_field_error(&resp, "email", "Enter an email address");
	web_error(&req, &resp, 422, "<b>1 field</b> is wrong");
	const char *body = buf_cstr(&resp.body);
	assert_int_equal(resp.status, 422);
	assert_string_equal(resp.content_type, "text/html; charset=utf-8");
	assert_non_null(strstr(body, "<h1 class=\"nhsuk-heading-l\">There is a problem</h1>"));
	assert_non_null(strstr(body, "<a href=\"#email\">Enter an email address</a>"));
	assert_non_null(strstr(body, "&lt;b&gt;1 field&lt;/b&gt; is wrong"));
	assert_non_null(strstr(body, req.id));
	assert_null(strstr(body, "<b>"));
	web_resp_free(&resp);
	web_request_free(&req);
}

static void test_html_escape(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 1024);
	struct cadre_err err;
	assert_int_equal(web_html_escape(&b, "<script>alert('x&y')</script>\"", &err), CADRE_OK);
	assert_string_equal(buf_cstr(&b),
	                    "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;&quot;");
	buf_free(&b);
}

static void test_trusted_proxies(void **state)
{
	struct fx *x = *state;
	const char *raw = GET("/whoami", "X-Forwarded-For: 198.51.100.7, 203.0.113.9, 10.0.0.5\r\n"
	                                 "X-Forwarded-Proto: https\r\n");
	struct testweb_reply r = testweb_send_n(x->app, raw, strlen(raw), "10.1.2.3");
	assert_string_equal(r.body, "203.0.113.9 secure");
	assert_string_equal(testweb_header(&r, "Strict-Transport-Security"), "max-age=31536000");
	testweb_free(&r);
	/* the same headers from anyone else are ignored */
	r = testweb_send_n(x->app, raw, strlen(raw), "192.0.2.44");
	assert_string_equal(r.body, "192.0.2.44 plain");
	assert_null(testweb_header(&r, "Strict-Transport-Security"));
	testweb_free(&r);
}

static void test_logging(void **state)
{
	struct fx *x = *state;
	web_app_free(x->app);
	struct web_app_options o = {
	    .routes = routes,
	    .nroutes = sizeof routes / sizeof routes[0],
	    .log_requests = true,
	    .hooks = {.authn = fake_authn, .authz = fake_authz, .org_by_code = fake_org_by_code}};
	struct cadre_err err;
	assert_int_equal(web_app_new(&o, &x->app, &err), CADRE_OK);
	FILE *logf = tmpfile();
	log_set_output(logf);
	struct testweb_reply r = testweb_send(x->app, GET("/orgs/RXK?token=abc123",
	                                                  "Cookie: cadre_session=SECRETSESSION\r\n"
	                                                  "Authorization: Bearer SECRETTOKEN\r\n"
	                                                  "X-Test-Role: viewer@10\r\n"));
	log_set_output(quiet_log);
	char text[4096] = "";
	rewind(logf);
	size_t n = fread(text, 1, sizeof text - 1, logf);
	text[n] = '\0';
	(void)fclose(logf);
	assert_non_null(strstr(text, "event=http.request"));
	assert_non_null(strstr(text, "method=GET"));
	assert_non_null(strstr(text, "route=/orgs/{code:code}"));
	assert_non_null(strstr(text, "status=200"));
	assert_non_null(strstr(text, " us="));
	assert_non_null(strstr(text, "actor=user:7"));
	char want[64];
	const char *rid = testweb_header(&r, "X-Request-Id");
	assert_non_null(rid);
	(void)snprintf(want, sizeof want, "request_id=%s", rid ? rid : "(none)");
	assert_non_null(strstr(text, want));
	assert_null(strstr(text, "SECRET"));
	assert_null(strstr(text, "abc123"));
	testweb_free(&r);
}

/* ---- no hooks: the secure defaults ---- */

static void test_no_hooks(void **state)
{
	(void)state;
	struct web_app *app = make_app(NULL, NULL, false);
	struct testweb_reply r = expect(app, GET("/orgs/RXK", "X-Test-Role: editor@10\r\n"), 401);
	testweb_free(&r);
	r = expect(app, GET("/", ""), 200);
	testweb_free(&r);
	/* a public route that wants a database, with none configured: 503 */
	r = expect(app, GET("/db", ""), 503);
	testweb_free(&r);
	web_app_free(app);
	/* an actor but no policy: 403 */
	struct web_app_options o = {.routes = routes,
	                            .nroutes = sizeof routes / sizeof routes[0],
	                            .hooks = {.authn = fake_authn}};
	struct cadre_err err;
	assert_int_equal(web_app_new(&o, &app, &err), CADRE_OK);
	r = expect(app, GET("/things/1", "X-Test-Role: editor@10\r\n"), 403);
	testweb_free(&r);
	/* an ORG: path route without an organisation lookup: 404 */
	r = expect(app, GET("/orgs/RXK", "X-Test-Role: editor@10\r\n"), 404);
	testweb_free(&r);
	web_app_free(app);
	/* policy but no CSRF check: every protected request refused */
	o.hooks.authz = fake_authz;
	o.hooks.org_by_code = fake_org_by_code;
	assert_int_equal(web_app_new(&o, &app, &err), CADRE_OK);
	r = expect(app,
	           "POST /orgs/RXK/notes HTTP/1.1\r\nHost: t\r\nX-Test-Role: editor@10\r\n"
	           "X-CSRF: good\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	           "Content-Length: 10\r\n\r\nnote=hello",
	           403);
	testweb_free(&r);
	web_app_free(app);
}

static void test_app_options(void **state)
{
	(void)state;
	struct web_app *app;
	struct cadre_err err;
	struct web_app_options bad_proxy = {.trusted_proxies = "10.0.0.0/33"};
	assert_int_equal(web_app_new(&bad_proxy, &app, &err), CADRE_EINVAL);
	assert_string_equal(err.msg,
	                    "trusted proxies: '10.0.0.0/33' is not an address or CIDR block");
	struct web_app_options bad_url = {.public_url = "ftp://x"};
	assert_int_equal(web_app_new(&bad_url, &app, &err), CADRE_EINVAL);
	/* an https public URL makes every request secure (cookies get Secure) */
	struct web_app_options https = {.routes = routes,
	                                .nroutes = sizeof routes / sizeof routes[0],
	                                .public_url = "https://cadre.example.nhs.uk"};
	assert_int_equal(web_app_new(&https, &app, &err), CADRE_OK);
	struct testweb_reply r = testweb_send(app, GET("/whoami", ""));
	assert_string_equal(r.body, "127.0.0.1 secure");
	testweb_free(&r);
	web_app_free(app);
	/* the generated table is the default */
	struct web_app_options gen = {0};
	assert_int_equal(web_app_new(&gen, &app, &err), CADRE_OK);
	size_t n;
	assert_ptr_equal(web_app_routes(app, &n), web_routes);
	assert_int_equal(n, web_route_count);
	web_app_free(app);
}

/* ---- the generated table and the OpenAPI document agree ---- */

static void test_generated_table(void **state)
{
	(void)state;
	json_error_t je;
	json_t *doc = json_loads(web_openapi_json, 0, &je);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
	json_t *paths = json_object_get(doc, "paths");
	size_t operations = 0;
	const char *key;
	json_t *item;
	json_object_foreach(paths, key, item) operations += json_object_size(item);
	assert_int_equal(operations, web_route_count);
	assert_true(web_route_count >= 3);
	for (size_t i = 0; i < web_route_count; i++) {
		const struct web_route *r = &web_routes[i];
		assert_non_null(r->handler);
		assert_true(r->pattern[0] == '/');
		assert_true(r->permission[0] != '\0');
		assert_true(strcmp(r->method, "HEAD") != 0);
		bool api = strncmp(r->pattern, "/api/", 5) == 0;
		assert_int_equal(r->kind, api ? WEB_ROUTE_API : WEB_ROUTE_PAGE);
		/* GET never wants a CSRF token nor takes a body */
		if (strcmp(r->method, "GET") == 0) {
			assert_false(r->csrf);
			assert_int_equal(r->body_max, 0);
		}
		/* the document describes the route as the table declares it */
		char path[256];
		size_t k = 0;
		for (const char *p = r->pattern; *p && k + 1 < sizeof path; p++) {
			if (*p == ':')
				while (p[1] && p[1] != '}')
					p++;
			else
				path[k++] = *p;
		}
		path[k] = '\0';
		char method[8];
		for (k = 0; r->method[k] && k + 1 < sizeof method; k++)
			method[k] = (char)(r->method[k] - 'A' + 'a');
		method[k] = '\0';
		json_t *op = json_object_get(json_object_get(paths, path), method);
		if (!op)
			fail_msg("%s %s is not in the OpenAPI document", r->method, path);
		assert_string_equal(json_string_value(json_object_get(op, "x-cadre-permission")),
		                    r->permission);
		assert_string_equal(json_string_value(json_object_get(op, "operationId")),
		                    r->handler_name);
		assert_int_equal(json_is_true(json_object_get(op, "x-cadre-csrf")), r->csrf);
	}
	/* sorted by pattern, so `cadre help routes` reads in order */
	for (size_t i = 1; i < web_route_count; i++)
		assert_true(strcmp(web_routes[i - 1].pattern, web_routes[i].pattern) <= 0);
	json_decref(doc);
}

/* ---- GET and HEAD in read-only transactions, on a real database ---- */

static int setup_db(void **state)
{
	struct fx *x = xcalloc(1, sizeof *x);
	(void)snprintf(x->dir, sizeof x->dir, "/tmp/cadre-web-XXXXXX");
	if (!mkdtemp(x->dir))
		fail_msg("mkdtemp");
	(void)snprintf(x->url, sizeof x->url, "%s/t.db", x->dir);
	struct cadre_err err;
	if (db_init(x->url, NULL, &err) != CADRE_OK)
		fail_msg("db_init: %s", err.msg);
	x->app = make_app(x->url, NULL, true);
	*state = x;
	return 0;
}

static int teardown_db(void **state)
{
	struct fx *x = *state;
	web_app_free(x->app);
	char path[160];
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		(void)snprintf(path, sizeof path, "%s%s", x->url, suffix[i]);
		(void)unlink(path);
	}
	(void)rmdir(x->dir);
	free(x);
	return 0;
}

static void test_read_only_get(void **state)
{
	struct fx *x = *state;
	assert_int_equal(web_app_connections(x->app), 0);
	/* GET: the handler's write is refused inside the read transaction */
	struct testweb_reply r = expect(x->app, GET("/db", ""), 200);
	char want[32];
	(void)snprintf(want, sizeof want, "write=%d", CADRE_OK);
	assert_string_not_equal(r.body, want);
	testweb_free(&r);
	r = expect(x->app, "HEAD /db HTTP/1.1\r\nHost: t\r\n\r\n", 200);
	testweb_free(&r);
	/* POST: the same write goes through */
	r = expect(x->app, "POST /db HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", 200);
	assert_string_equal(r.body, want);
	testweb_free(&r);
	/* one thread, one connection, reused */
	assert_int_equal(web_app_connections(x->app), 1);
	r = expect(x->app, GET("/db", ""), 200);
	testweb_free(&r);
	assert_int_equal(web_app_connections(x->app), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_match_and_params, setup, teardown),
	    cmocka_unit_test(test_route_match_direct),
	    cmocka_unit_test_setup_teardown(test_anonymous_is_401, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_forbidden_vs_not_found, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_problem_json, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_422_field_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_csrf, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_405_allow, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_head, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_body_caps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_utf8_bodies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_internal_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_headers_everywhere, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_header_injection, setup, teardown),
	    cmocka_unit_test(test_html_escape),
	    cmocka_unit_test(test_error_page_fallback),
	    cmocka_unit_test_setup_teardown(test_trusted_proxies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_logging, setup, teardown),
	    cmocka_unit_test(test_no_hooks),
	    cmocka_unit_test(test_app_options),
	    cmocka_unit_test(test_generated_table),
	    cmocka_unit_test_setup_teardown(test_read_only_get, setup_db, teardown_db),
	};
	/* the log lines of the requests go nowhere unless a test reads them */
	quiet_log = fopen("/dev/null", "w");
	log_set_output(quiet_log);
	int failed = cmocka_run_group_tests_name("web_router", tests, NULL, NULL);
	log_set_output(NULL);
	if (quiet_log)
		(void)fclose(quiet_log);
	return failed;
}
