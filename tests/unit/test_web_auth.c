/* Sessions, cookies, CSRF and sign-in through the web layer (web/auth.c
 * with the real routes and handlers), on both stores, with a manual clock:
 * the sign-in flow, fixation, forged and expired cookies, CSRF missing or
 * wrong, throttling, Secure behind TLS, privilege change, bearer tokens,
 * open redirects, script in text, bad bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "domain/account.h"
#include "domain/session.h"
#include "domain/token.h"
#include "web/auth.h"
#include "web/router.h"
#include "testauth.h"
#include "testdomain.h"
#include "testweb.h"

#define MINUTE (INT64_C(60) * 1000000)

struct fx {
	struct testdomain *t;
	struct web_app *app;
	struct web_auth *auth;
	char cookie[128]; /* the browser's cookie, "" for none */
	char token[SESSION_CSRF_TEXT];
};

static void fx_app(struct fx *f, const char *public_url, const char *proxies)
{
	struct cadre_err e;
	struct web_auth_options ao = {
	    .audit_key = f->t->key,
	    .limits = {.idle_us = 30 * MINUTE, .absolute_us = 12 * 60 * MINUTE},
	    .clk = &f->t->clk.clock,
	};
	assert_int_equal(web_auth_new(&ao, &f->auth, &e), CADRE_OK);
	struct web_app_options opt = {.db_url = f->t->url,
	                              .sign_in_path = "/sign-in",
	                              .public_url = public_url,
	                              .trusted_proxies = proxies};
	web_auth_hooks(f->auth, &opt.hooks);
	assert_int_equal(web_app_new(&opt, &f->app, &e), CADRE_OK);
}

static void fx_free(struct fx *f)
{
	web_app_free(f->app);
	web_auth_free(f->auth);
}

/* req: send method path (with the browser's cookie, and extra headers,
 * and a form body when body is not NULL); the reply.  A Set-Cookie in the
 * reply updates the browser's cookie, as a browser would. */
static struct testweb_reply req(struct fx *f, const char *method, const char *path,
                                const char *extra, const char *body)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	int rc = buf_printf(&b, NULL, "%s %s HTTP/1.1\r\nHost: cadre.test\r\n", method, path);
	if (rc == CADRE_OK && f->cookie[0])
		rc = buf_printf(&b, NULL, "Cookie: %s=%s\r\n", WEB_AUTH_COOKIE, f->cookie);
	if (rc == CADRE_OK && extra)
		rc = buf_puts(&b, extra, NULL);
	if (rc == CADRE_OK && body)
		rc = buf_printf(&b, NULL,
		                "Content-Type: application/x-www-form-urlencoded\r\n"
		                "Content-Length: %zu\r\n",
		                strlen(body));
	if (rc == CADRE_OK)
		rc = buf_printf(&b, NULL, "\r\n%s", body ? body : "");
	assert_int_equal(rc, CADRE_OK);
	struct testweb_reply r = testweb_send(f->app, buf_cstr(&b));
	buf_free(&b);
	testweb_security_headers(&r);
	const char *sc = testweb_header(&r, "Set-Cookie");
	if (sc) {
		size_t n = strlen(WEB_AUTH_COOKIE);
		assert_int_equal(strncmp(sc, WEB_AUTH_COOKIE "=", n + 1), 0);
		const char *v = sc + n + 1;
		size_t len = strcspn(v, ";");
		assert_true(len < sizeof f->cookie);
		memcpy(f->cookie, v, len);
		f->cookie[len] = '\0';
	}
	return r;
}

/* token_in: the CSRF token a page's form carries. */
static void token_in(struct fx *f, const struct testweb_reply *r)
{
	const char *p = strstr(r->body, "name=\"csrf_token\" value=\"");
	assert_non_null(p);
	p += strlen("name=\"csrf_token\" value=\"");
	size_t n = strcspn(p, "\"");
	assert_int_equal(n, SESSION_CSRF_TEXT - 1);
	memcpy(f->token, p, n);
	f->token[n] = '\0';
}

/* sign_in: the browser's way in: GET the form, POST it. */
static struct testweb_reply sign_in(struct fx *f, const char *email, const char *password)
{
	struct testweb_reply r = req(f, "GET", "/sign-in", NULL, NULL);
	assert_int_equal(r.status, 200);
	token_in(f, &r);
	testweb_free(&r);
	char body[512];
	(void)snprintf(body, sizeof body, "csrf_token=%s&email=%s&password=%s", f->token, email,
	               password);
	return req(f, "POST", "/sign-in", NULL, body);
}

static int64_t count(struct testdomain *t, const char *sql)
{
	struct store_sql q = {.name = sql, .sql = sql};
	struct cadre_err e;
	struct store_stmt *st;
	/* a fresh descriptor each time: not cached across calls */
	struct store *db = testdomain_open(t);
	if (store_prepare(db, &q, &st, &e) != CADRE_OK || store_step(st, &e) != CADRE_OK)
		fail_msg("%s: %s", sql, e.msg);
	int64_t n = store_col_i64(st, 0);
	store_reset(st);
	store_close(db);
	return n;
}

static void test_sign_in_flow(void **state)
{
	struct fx f = {.t = *state};
	testauth_build(f.t);
	testauth_user(f.t, "ada@example.org", "administrator", "Q1");
	fx_app(&f, NULL, NULL);

	/* anonymous: pages send you to sign in, and back afterwards */
	struct testweb_reply r = req(&f, "GET", "/users?x=1", NULL, NULL);
	assert_int_equal(r.status, 303);
	assert_string_equal(testweb_header(&r, "Location"), "/sign-in?next=/users%3Fx%3D1");
	testweb_free(&r);
	r = req(&f, "GET", "/api/v1/me", NULL, NULL);
	assert_int_equal(r.status, 401);
	assert_string_equal(testweb_header(&r, "WWW-Authenticate"), "Bearer realm=\"cadre\"");
	testweb_free(&r);

	r = req(&f, "GET", "/sign-in?next=/users", NULL, NULL);
	assert_int_equal(r.status, 200);
	const char *sc = testweb_header(&r, "Set-Cookie");
	assert_non_null(sc);
	assert_non_null(strstr(sc, "; Path=/; HttpOnly; SameSite=Lax"));
	assert_null(strstr(sc, "Secure"));
	assert_true(testweb_body_has(&r, "<input type=\"hidden\" name=\"next\" "
	                                 "value=\"&#x2F;users\">"));
	assert_true(testweb_body_has(&r, "autocomplete=\"current-password\""));
	token_in(&f, &r);
	char pre[128];
	memcpy(pre, f.cookie, sizeof pre);
	testweb_free(&r);

	char body[256];
	(void)snprintf(body, sizeof body,
	               "csrf_token=%s&email=Ada%%40Example.org&password=correct+horse+battery&next="
	               "%%2Fusers",
	               f.token);
	r = req(&f, "POST", "/sign-in", NULL, body);
	assert_int_equal(r.status, 303);
	assert_string_equal(testweb_header(&r, "Location"), "/users");
	/* a new id: the pre-session cookie is not promoted */
	assert_string_not_equal(f.cookie, pre);
	testweb_free(&r);

	r = req(&f, "GET", "/", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_true(
	    testweb_body_has(&r, "Signed in as ada@example.org (ada@example.org), ICB One."));
	assert_true(testweb_body_has(&r, "<dt class=\"nhsuk-summary-list__key\">\n      "
	                                 "Administrator"));
	assert_true(testweb_body_has(&r, "action=\"/sign-out\""));
	assert_true(testweb_body_has(&r, "href=\"&#x2F;users\">Users</a>"));
	assert_null(testweb_header(&r, "Set-Cookie"));
	token_in(&f, &r);
	testweb_free(&r);
	/* signed in, the sign-in page goes home */
	r = req(&f, "GET", "/sign-in", NULL, NULL);
	assert_int_equal(r.status, 303);
	assert_string_equal(testweb_header(&r, "Location"), "/");
	testweb_free(&r);

	/* sign out: POST with the token; the cookie is cleared */
	char out[128];
	(void)snprintf(out, sizeof out, "csrf_token=%s", f.token);
	char old[128];
	memcpy(old, f.cookie, sizeof old);
	r = req(&f, "POST", "/sign-out", NULL, out);
	assert_int_equal(r.status, 303);
	assert_string_equal(testweb_header(&r, "Location"), "/sign-in?signed-out=1");
	assert_non_null(strstr(testweb_header(&r, "Set-Cookie"), "Max-Age=0"));
	assert_string_equal(f.cookie, "");
	testweb_free(&r);
	/* the old cookie, replayed, is no one */
	memcpy(f.cookie, old, sizeof old);
	r = req(&f, "GET", "/", NULL, NULL);
	assert_int_equal(r.status, 303);
	testweb_free(&r);
	r = req(&f, "GET", "/sign-in", NULL, NULL);
	assert_true(testweb_body_has(&r, "You have been signed out."));
	testweb_free(&r);
	assert_int_equal(testauth_audit_count(f.t, "signin"), 1);
	assert_int_equal(testauth_audit_count(f.t, "signout"), 1);
	fx_free(&f);
}

static void test_wrong_password_and_throttle(void **state)
{
	struct fx f = {.t = *state};
	testauth_build(f.t);
	testauth_user(f.t, "ada@example.org", "administrator", "Q1");
	fx_app(&f, NULL, NULL);
	struct testweb_reply r = sign_in(&f, "ada%40example.org", "wrong");
	assert_int_equal(r.status, 422);
	assert_true(testweb_body_has(&r, "<title>Error: Sign in - Cadre</title>"));
	assert_true(testweb_body_has(&r, "<a href=\"#email\">Enter the email address and password "
	                                 "of your account</a>"));
	/* the email comes back; the password never does */
	assert_true(testweb_body_has(&r, "value=\"ada@example.org\""));
	assert_false(testweb_body_has(&r, "value=\"wrong\""));
	char unknown_body[8192];
	(void)snprintf(unknown_body, sizeof unknown_body, "%.*s", (int)r.body_len, r.body);
	testweb_free(&r);
	/* an unknown email: the same words */
	r = sign_in(&f, "nobody%40example.org", "wrong");
	assert_int_equal(r.status, 422);
	assert_true(testweb_body_has(&r, "Enter the email address and password of your account"));
	testweb_free(&r);
	/* empty fields */
	r = sign_in(&f, "", "");
	assert_int_equal(r.status, 422);
	assert_true(testweb_body_has(&r, "<a href=\"#email\">Enter your email address</a>"));
	assert_true(testweb_body_has(&r, "<a href=\"#password\">Enter your password</a>"));
	testweb_free(&r);
	for (int i = 1; i < SESSION_THROTTLE_ACCOUNT; i++) {
		r = sign_in(&f, "ada%40example.org", "wrong");
		assert_int_equal(r.status, 422);
		testweb_free(&r);
	}
	r = sign_in(&f, "ada%40example.org", "correct+horse+battery");
	assert_int_equal(r.status, 429);
	assert_string_equal(testweb_header(&r, "Retry-After"), "900");
	assert_true(testweb_body_has(&r, "You have tried to sign in too many times. Wait 15 "
	                                 "minutes, then try again"));
	testweb_free(&r);
	clock_manual_advance(&f.t->clk, 15 * MINUTE);
	r = sign_in(&f, "ada%40example.org", "correct+horse+battery");
	assert_int_equal(r.status, 303);
	testweb_free(&r);
	fx_free(&f);
}

static void test_csrf_and_forged_cookies(void **state)
{
	struct fx f = {.t = *state};
	testauth_build(f.t);
	testauth_user(f.t, "ada@example.org", "administrator", "Q1");
	int64_t in = testauth_user(f.t, "in@rt1.org", "staff_member", "RT1");
	fx_app(&f, NULL, NULL);

	/* sign-in without the pre-session cookie, or with a wrong token */
	struct testweb_reply r = req(&f, "POST", "/sign-in", NULL,
	                             "email=ada%40example.org&password=correct+horse+battery");
	assert_int_equal(r.status, 403);
	assert_true(
	    testweb_body_has(&r, "The form&#39;s security token is missing or out of date"));
	testweb_free(&r);
	r = req(&f, "GET", "/sign-in", NULL, NULL);
	testweb_free(&r);
	r = req(
	    &f, "POST", "/sign-in", NULL,
	    "csrf_token=0000000000000000000000000000000000000000000000000000000000000000&email=ada%"
	    "40example.org&password=correct+horse+battery");
	assert_int_equal(r.status, 403);
	testweb_free(&r);
	assert_int_equal(count(f.t, "SELECT COUNT(*) FROM session"), 0);

	r = sign_in(&f, "ada%40example.org", "correct+horse+battery");
	assert_int_equal(r.status, 303);
	testweb_free(&r);
	r = req(&f, "GET", "/", NULL, NULL);
	token_in(&f, &r);
	testweb_free(&r);
	char path[64], body[256];
	(void)snprintf(path, sizeof path, "/users/%" PRId64 "/disable", in);
	int64_t before = count(f.t, "SELECT COUNT(*) FROM audit_entry");
	/* missing, wrong, another session's, in the query string: all refused */
	r = req(&f, "POST", path, NULL, "");
	assert_int_equal(r.status, 403);
	testweb_free(&r);
	r = req(&f, "POST", path, NULL,
	        "csrf_token=93eb2d24d7643ac242f002d60cd7ce501a9880ec96e38b321c657a54f3a67078");
	assert_int_equal(r.status, 403);
	testweb_free(&r);
	char q[192];
	(void)snprintf(q, sizeof q, "%s?csrf_token=%s", path, f.token);
	r = req(&f, "POST", q, NULL, "");
	assert_int_equal(r.status, 403);
	testweb_free(&r);
	assert_int_equal(count(f.t, "SELECT COUNT(*) FROM audit_entry"), before);
	assert_int_equal(count(f.t, "SELECT disabled FROM account WHERE email = 'in@rt1.org'"), 0);
	/* the header form works too */
	char hdr[128];
	(void)snprintf(hdr, sizeof hdr, "X-CSRF-Token: %s\r\n", f.token);
	r = req(&f, "POST", path, hdr, "");
	assert_int_equal(r.status, 303);
	testweb_free(&r);
	(void)snprintf(body, sizeof body, "csrf_token=%s", f.token);
	(void)snprintf(path, sizeof path, "/users/%" PRId64 "/enable", in);
	r = req(&f, "POST", path, NULL, body);
	assert_int_equal(r.status, 303);
	testweb_free(&r);

	/* forged cookies: anonymous, and cleared */
	/* too short, too long (a 33rd byte), padded, not base64url */
	const char *forged[] = {"x", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gIQ",
	                        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	                        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH+8"};
	for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
		(void)snprintf(f.cookie, sizeof f.cookie, "%s", forged[i]);
		r = req(&f, "GET", "/", NULL, NULL);
		assert_int_equal(r.status, 303);
		assert_string_equal(f.cookie, ""); /* Max-Age=0 came back */
		testweb_free(&r);
	}
	/* a well-formed id no session has: anonymous, kept as a pre-session id */
	(void)snprintf(f.cookie, sizeof f.cookie, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
	r = req(&f, "GET", "/users", NULL, NULL);
	assert_int_equal(r.status, 303);
	assert_null(testweb_header(&r, "Set-Cookie"));
	testweb_free(&r);
	/* two session cookies: no one */
	f.cookie[0] = '\0';
	r = sign_in(&f, "ada%40example.org", "correct+horse+battery");
	testweb_free(&r);
	char two[320];
	(void)snprintf(two, sizeof two, "Cookie: %s=%s; %s=%s\r\n", WEB_AUTH_COOKIE, f.cookie,
	               WEB_AUTH_COOKIE, f.cookie);
	char keep[128];
	memcpy(keep, f.cookie, sizeof keep);
	f.cookie[0] = '\0';
	r = req(&f, "GET", "/", two, NULL);
	assert_int_equal(r.status, 303);
	testweb_free(&r);
	memcpy(f.cookie, keep, sizeof keep);
	r = req(&f, "GET", "/", NULL, NULL);
	assert_int_equal(r.status, 200);
	testweb_free(&r);
	fx_free(&f);
}

static void test_expiry_and_rotation(void **state)
{
	struct fx f = {.t = *state};
	struct cadre_err e;
	testauth_build(f.t);
	int64_t ada = testauth_user(f.t, "ada@example.org", "staff_member", "RT1");
	fx_app(&f, NULL, NULL);
	struct testweb_reply r = sign_in(&f, "ada%40example.org", "correct+horse+battery");
	testweb_free(&r);
	/* a privilege change: the next reply carries a new id */
	assert_int_equal(account_grant(&f.t->sys, f.t->db, f.t->key, ada, "administrator", "RT1",
	                               &f.t->clk.clock, NULL, &e),
	                 CADRE_OK);
	char old[128];
	memcpy(old, f.cookie, sizeof old);
	r = req(&f, "GET", "/users", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(testweb_header(&r, "Set-Cookie"));
	assert_string_not_equal(f.cookie, old);
	testweb_free(&r);
	/* idle */
	clock_manual_advance(&f.t->clk, 31 * MINUTE);
	r = req(&f, "GET", "/users", NULL, NULL);
	assert_int_equal(r.status, 303);
	assert_string_equal(testweb_header(&r, "Location"), "/sign-in?next=/users");
	testweb_free(&r);
	r = req(&f, "GET", "/sign-in?next=/users", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_true(testweb_body_has(&r, "You have been signed out."));
	testweb_free(&r);
	/* absolute */
	f.cookie[0] = '\0';
	r = sign_in(&f, "ada%40example.org", "correct+horse+battery");
	testweb_free(&r);
	for (int i = 0; i < 12 * 3; i++) {
		clock_manual_advance(&f.t->clk, 20 * MINUTE);
		r = req(&f, "GET", "/", NULL, NULL);
		assert_int_equal(r.status, i < 35 ? 200 : 303);
		testweb_free(&r);
	}
	fx_free(&f);
}

static void test_secure_cookie(void **state)
{
	struct fx f = {.t = *state};
	testauth_build(f.t);
	fx_app(&f, NULL, "127.0.0.1");
	struct testweb_reply r = req(&f, "GET", "/sign-in", "X-Forwarded-Proto: https\r\n", NULL);
	assert_non_null(strstr(testweb_header(&r, "Set-Cookie"), "; Secure"));
	testweb_free(&r);
	fx_free(&f);
	/* the same header from a peer that is not a trusted proxy: ignored */
	struct fx g = {.t = *state};
	fx_app(&g, NULL, NULL);
	r = req(&g, "GET", "/sign-in", "X-Forwarded-Proto: https\r\n", NULL);
	assert_null(strstr(testweb_header(&r, "Set-Cookie"), "Secure"));
	testweb_free(&r);
	fx_free(&g);
	struct fx h = {.t = *state};
	fx_app(&h, "https://cadre.example.nhs.uk", NULL);
	r = req(&h, "GET", "/sign-in", NULL, NULL);
	assert_non_null(strstr(testweb_header(&r, "Set-Cookie"), "; Secure"));
	testweb_free(&r);
	fx_free(&h);
}

static void test_bearer_and_bad_input(void **state)
{
	struct fx f = {.t = *state};
	struct cadre_err e;
	testauth_build(f.t);
	int64_t ada = testauth_user(f.t, "ada@example.org", "administrator", "Q1");
	fx_app(&f, NULL, NULL);
	char secret[TOKEN_TEXT], hdr[128];
	assert_int_equal(token_issue(&f.t->sys, f.t->db, f.t->key, ada, "api", &f.t->clk.clock,
	                             secret, NULL, &e),
	                 CADRE_OK);
	(void)snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", secret);
	struct testweb_reply r = req(&f, "GET", "/api/v1/me", hdr, NULL);
	assert_int_equal(r.status, 200);
	assert_true(testweb_body_has(&r, "\"email\":\"ada@example.org\""));
	testweb_free(&r);
	secret[20] = secret[20] == 'x' ? 'y' : 'x';
	(void)snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", secret);
	r = req(&f, "GET", "/api/v1/me", hdr, NULL);
	assert_int_equal(r.status, 401);
	assert_string_equal(testweb_header(&r, "Content-Type"), "application/problem+json");
	testweb_free(&r);

	r = sign_in(&f, "ada%40example.org", "correct+horse+battery");
	testweb_free(&r);
	r = req(&f, "GET", "/", NULL, NULL);
	token_in(&f, &r);
	testweb_free(&r);
	/* open redirects: anything but a local path goes home */
	const char *nexts[] = {"%2F%2Fevil.example", "https%3A%2F%2Fevil.example",
	                       "%2F%5Cevil.example", "javascript%3Aalert(1)"};
	for (size_t i = 0; i < sizeof nexts / sizeof nexts[0]; i++) {
		struct fx g = {.t = f.t};
		fx_app(&g, NULL, NULL);
		struct testweb_reply s = req(&g, "GET", "/sign-in", NULL, NULL);
		token_in(&g, &s);
		testweb_free(&s);
		char body[256];
		(void)snprintf(
		    body, sizeof body,
		    "csrf_token=%s&email=ada%%40example.org&password=correct+horse+battery&"
		    "next=%s",
		    g.token, nexts[i]);
		s = req(&g, "POST", "/sign-in", NULL, body);
		assert_int_equal(s.status, 303);
		assert_string_equal(testweb_header(&s, "Location"), "/");
		testweb_free(&s);
		fx_free(&g);
	}
	/* script in a text field is inert where it is shown */
	char body[512];
	(void)snprintf(
	    body, sizeof body,
	    "csrf_token=%s&email=x%%40rt1.org&name=%%3Cscript%%3Ealert(1)%%3C%%2Fscript%%3E"
	    "&org=RT1&role=staff_member",
	    f.token);
	r = req(&f, "POST", "/users", NULL, body);
	assert_int_equal(r.status, 201);
	testweb_free(&r);
	r = req(&f, "GET", "/users", NULL, NULL);
	assert_true(testweb_body_has(&r, "&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"));
	assert_false(testweb_body_has(&r, "<script>alert"));
	testweb_free(&r);
	/* another organisation's code in a body: a field error, nothing added */
	int64_t accounts = count(f.t, "SELECT COUNT(*) FROM account");
	(void)snprintf(body, sizeof body,
	               "csrf_token=%s&email=y%%40rt3.org&name=Y&org=RT3&role=staff_member",
	               f.token);
	r = req(&f, "POST", "/users", NULL, body);
	assert_int_equal(r.status, 422);
	assert_true(testweb_body_has(&r, "Enter the code of an organisation you manage, like RXC"));
	testweb_free(&r);
	(void)snprintf(body, sizeof body,
	               "csrf_token=%s&email=y%%40rt3.org&name=Y&org=NOPE&role=staff_member",
	               f.token);
	r = req(&f, "POST", "/users", NULL, body);
	assert_int_equal(r.status, 422);
	assert_true(testweb_body_has(&r, "Enter the code of an organisation you manage, like RXC"));
	testweb_free(&r);
	assert_int_equal(count(f.t, "SELECT COUNT(*) FROM account"), accounts);
	/* malformed and non-UTF-8 bodies */
	(void)snprintf(body, sizeof body, "csrf_token=%s&name=%%ZZ", f.token);
	r = req(&f, "POST", "/users", NULL, body);
	assert_int_equal(r.status, 403); /* the token cannot be read from a malformed form */
	testweb_free(&r);
	(void)snprintf(body, sizeof body, "csrf_token=%s&name=\xff\xfe", f.token);
	r = req(&f, "POST", "/users", NULL, body);
	assert_int_equal(r.status, 400);
	testweb_free(&r);
	(void)snprintf(body, sizeof body, "csrf_token=%s&email=%%FF%%FE", f.token);
	r = req(&f, "POST", "/users", NULL, body);
	assert_int_equal(r.status, 403);
	testweb_free(&r);
	assert_int_equal(count(f.t, "SELECT COUNT(*) FROM account"), accounts);
	fx_free(&f);
}

#define BOTH(fn)                                                                                   \
	cmocka_unit_test_setup_teardown(fn, testdomain_setup_sqlite, testdomain_teardown),         \
	    cmocka_unit_test_setup_teardown(fn, testdomain_setup_pg, testdomain_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_sign_in_flow),
	    BOTH(test_wrong_password_and_throttle),
	    BOTH(test_csrf_and_forged_cookies),
	    BOTH(test_expiry_and_rotation),
	    BOTH(test_secure_cookie),
	    BOTH(test_bearer_and_bad_input),
	};
	return cmocka_run_group_tests_name("web_auth", tests, NULL, NULL);
}
