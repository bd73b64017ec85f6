/* page_account: signing in and out, the home page for the signed-in
 * person's scope, and /api/v1/me. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "domain/account.h"
#include "domain/policy.h"
#include "web/auth.h"
#include "web/pages.h"
#include "web/router.h"
#include "web_routes.h"

/* the pages a permission opens, for the home page and the menu */
static const struct {
	const char *permission, *href, *text, *hint;
} openings[] = {
    {"org.read", "/orgs", "Organisations",
     "the NHS hierarchy, each organisation's children and trends"},
    {"people.read", "/people", "People",
     "the staff list and each person's record, within your grants"},
    {"toolkit.answer", "/assess", "Self-assessment",
     "workforce-planning self-assessment rounds: your questionnaires, results and comparisons"},
    {"imports.run", "/imports", "Imports",
     "upload a staff, establishment or temporary-staffing file, check it, then commit it"},
    {"users.read", "/users", "Users", "the accounts of your organisations and the roles they hold"},
    {"tokens.manage", "/tokens", "API tokens", "issue and revoke tokens for API clients"},
    {"audit.read", "/audit", "Audit log", "every change, sign-in and grant, in order"},
};

static const char *role_title(const char *id)
{
	const struct role_def *r = role_find(id);
	return r ? r->title : id;
}

/* next_of: where to go after signing in: a local path, else "/". */
static const char *next_of(const char *next)
{
	return next && page_local_path(next) ? next : "/";
}

static const char *notice_for(enum session_status why)
{
	switch (why) {
	case SESSION_IDLE:
		return "You were signed out because you had not used Cadre for a while. Sign in "
		       "again to carry on.";
	case SESSION_EXPIRED:
		return "You were signed out because you signed in a long time ago. Sign in again "
		       "to carry on.";
	case SESSION_ENDED:
	case SESSION_DISABLED: return "You have been signed out.";
	default: return NULL;
	}
}

/* sign_in_form: the sign-in page with email (echoed back) and the page's
 * errors already in ctx. */
static int sign_in_form(struct web_request *req, struct web_response *resp, json_t *ctx,
                        const char *email, const char *email_error, const char *password_error,
                        const char *next, struct cadre_err *err)
{
	(void)json_object_set_new(ctx, "fields",
	                          json_pack("{s:o, s:o}", "email",
	                                    page_input("email", "Email address", "email", email,
	                                               "username", NULL, email_error),
	                                    "password",
	                                    page_input("password", "Password", "password", NULL,
	                                               "current-password", NULL, password_error)));
	(void)json_object_set_new(ctx, "next",
	                          next && page_local_path(next) && strcmp(next, "/") != 0
	                              ? json_string(next)
	                              : json_false());
	if (!json_object_get(ctx, "notice"))
		(void)json_object_set_new(ctx, "notice", json_false());
	return page_render(req, resp, "sign_in", ctx, err);
}

/* WEBPAGE: GET /sign-in
 * PERMISSION: public
 * ORG: none
 * The sign-in page: email address and password.
 * Someone already signed in goes on to the page they asked for (next=, a
 * path on this site) or home.  Says so when a session has just ended
 * (idle, too old, signed out).  Gives the visitor a fresh pre-session
 * cookie whose CSRF token the form carries.
 */
int page_sign_in(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	const char *next = page_query_value(req, "next");
	if (web_auth_account(req))
		return web_resp_redirect(resp, 303, next_of(next), err);
	char token[SESSION_CSRF_TEXT];
	int rc = web_auth_fresh_token(req, token, err);
	if (rc != CADRE_OK)
		return rc;
	json_t *ctx = page_new("Sign in");
	const char *notice = page_query_value(req, "signed-out") ? "You have signed out."
	                                                         : notice_for(web_auth_why(req));
	(void)json_object_set_new(ctx, "notice", notice ? json_string(notice) : json_false());
	(void)json_object_set_new(ctx, "csrf_token", json_string(token));
	return sign_in_form(req, resp, ctx, NULL, NULL, NULL, next, err);
}

/* WEBPAGE: POST /sign-in
 * PERMISSION: public
 * ORG: none
 * BODY: 16K
 * Sign in with an email address and password.
 * On success a new session begins (a new id, whatever cookie came in) and
 * the browser goes to next= or home (303).  A wrong email or password gets
 * the same answer whichever was wrong (422, the form again with an error
 * summary), so the page never tells which accounts exist.  Too many
 * attempts for the account or from the address: 429 with Retry-After.
 * Every attempt is audited.
 */
int page_sign_in_post(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	int rc = page_form(req, err);
	if (rc != CADRE_OK)
		return rc;
	const char *email = page_form_value(req, "email");
	const char *password = page_form_value(req, "password");
	const char *next = page_form_value(req, "next");
	json_t *ctx = page_new("Sign in");
	const char *email_error = NULL, *password_error = NULL;
	if (!*email)
		email_error = page_error(ctx, "email", "Enter your email address");
	if (!*password)
		password_error = page_error(ctx, "password", "Enter your password");
	if (email_error || password_error) {
		resp->status = 422;
		return sign_in_form(req, resp, ctx, email, email_error, password_error, next, err);
	}
	struct session_sign_in out;
	rc = web_auth_sign_in(req, email, password, &out, err);
	if (rc != CADRE_OK) {
		json_decref(ctx);
		return rc;
	}
	if (out.outcome == SESSION_SIGNED_IN) {
		json_decref(ctx);
		return web_resp_redirect(resp, 303, next_of(next), err);
	}
	char msg[160]; /* the throttling message, shown below */
	if (out.outcome == SESSION_THROTTLED) {
		char ra[24];
		int64_t minutes = (out.retry_after_s + 59) / 60;
		(void)snprintf(msg, sizeof msg,
		               "You have tried to sign in too many times. Wait %lld minute%s, then "
		               "try again",
		               (long long)minutes, minutes == 1 ? "" : "s");
		(void)snprintf(ra, sizeof ra, "%lld", (long long)out.retry_after_s);
		resp->status = 429;
		if ((rc = web_resp_header(resp, "Retry-After", ra, err)) != CADRE_OK) {
			json_decref(ctx);
			return rc;
		}
		email_error = page_error(ctx, "email", msg);
	} else {
		resp->status = 422;
		email_error = page_error(ctx, "email",
		                         "Enter the email address and password of your account");
		password_error = "Enter the email address and password of your account";
	}
	return sign_in_form(req, resp, ctx, email, email_error, password_error, next, err);
}

/* WEBPAGE: POST /sign-out
 * PERMISSION: account.self
 * ORG: none
 * BODY: 4K
 * Sign out: end this session (audited) and go to the sign-in page.
 * The header's Sign out button posts here with the CSRF token.
 */
int page_sign_out(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	int rc = web_auth_sign_out(req, err);
	if (rc != CADRE_OK)
		return rc;
	return web_resp_redirect(resp, 303, "/sign-in?signed-out=1", err);
}

/* grant_rows: the signed-in person's grants with their organisations. */
static json_t *grant_rows(struct web_request *req, struct cadre_err *err, int *rc)
{
	const struct account *me = web_auth_account(req);
	json_t *rows = json_array();
	struct store *db;
	struct account_grant_info *g = NULL;
	size_t n = 0;
	*rc = web_req_db(req, &db, err);
	if (*rc == CADRE_OK)
		*rc = account_grants(req->actor, db, me->id, &g, &n, err);
	if (*rc == CADRE_ENOTFOUND) {
		/* cadre http --as: a synthetic account with no row */
		*rc = CADRE_OK;
		for (size_t i = 0; i < req->actor->ngrants; i++)
			json_array_append_new(rows,
			                      json_pack("{s:s, s:s, s:b}", "key",
			                                role_title(req->actor->grants[i].role),
			                                "value", me->org_name, "action", 0));
		return rows;
	}
	for (size_t i = 0; *rc == CADRE_OK && i < n; i++) {
		char value[ORG_NAME_MAX + ORG_CODE_MAX + 8];
		(void)snprintf(value, sizeof value, "%s (%s)", g[i].org_name, g[i].org_code);
		json_array_append_new(rows,
		                      json_pack("{s:s, s:s, s:b}", "key", role_title(g[i].role),
		                                "value", value, "action", 0));
	}
	free(g);
	return rows;
}

/* WEBPAGE: GET /
 * PERMISSION: account.self
 * ORG: none
 * The home page: your roles, the organisations they cover, what you can do.
 * Lists each grant (a role over an organisation and everything below it)
 * and links to the pages your roles open.  Someone not signed in is sent to
 * the sign-in page.
 */
int page_home(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	const struct account *me = web_auth_account(req);
	if (!me)
		return cadre_err_set(err, CADRE_EINTERNAL, "home: no account");
	int rc;
	json_t *rows = grant_rows(req, err, &rc);
	if (rc != CADRE_OK) {
		json_decref(rows);
		return rc;
	}
	char lede[ACCOUNT_NAME_MAX + ACCOUNT_EMAIL_MAX + ORG_NAME_MAX + 32];
	if (me->email[0])
		(void)snprintf(lede, sizeof lede, "Signed in as %s (%s), %s.", me->name, me->email,
		               me->org_name);
	else
		(void)snprintf(lede, sizeof lede, "Signed in as %s.", me->name);
	json_t *links = json_array();
	for (size_t i = 0; i < sizeof openings / sizeof openings[0]; i++)
		if (web_auth_allows(req, openings[i].permission))
			json_array_append_new(
			    links, json_pack("{s:s, s:s, s:s}", "href", openings[i].href, "text",
			                     openings[i].text, "hint", openings[i].hint));
	json_t *ctx = page_new("Home");
	(void)json_object_set_new(ctx, "lede", json_string(lede));
	(void)json_object_set_new(ctx, "scope",
	                          json_array_size(rows) ? json_pack("{s:o}", "rows", rows)
	                                                : (json_decref(rows), json_false()));
	(void)json_object_set_new(ctx, "organisations", json_false());
	(void)json_object_set_new(ctx, "links", links);
	return page_render(req, resp, "home", ctx, err);
}

/* API: GET /api/v1/me
 * PERMISSION: account.self
 * ORG: none
 * The account asking: its name, organisation, grants and permissions.
 * For API clients to check their token and what it may do: the account
 * the token was issued for, each grant (role and organisation code) and
 * the permissions its roles hold somewhere.
 */
int api_me(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	const struct account *me = web_auth_account(req);
	if (!me)
		return cadre_err_set(err, CADRE_EINTERNAL, "me: no account");
	struct store *db;
	struct account_grant_info *g = NULL;
	size_t n = 0;
	int rc = web_req_db(req, &db, err);
	if (rc == CADRE_OK)
		rc = account_grants(req->actor, db, me->id, &g, &n, err);
	json_t *grants = json_array();
	if (rc == CADRE_ENOTFOUND) {
		/* cadre http --as: a synthetic account with no row */
		rc = CADRE_OK;
		for (size_t i = 0; i < req->actor->ngrants; i++)
			json_array_append_new(
			    grants, json_pack("{s:s, s:s, s:s}", "role", req->actor->grants[i].role,
			                      "org", me->org_code, "org_name", me->org_name));
	}
	if (rc != CADRE_OK) {
		json_decref(grants);
		return rc;
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(grants, json_pack("{s:s, s:s, s:s}", "role", g[i].role, "org",
		                                        g[i].org_code, "org_name", g[i].org_name));
	free(g);
	json_t *perms = json_array();
	const char *last = "";
	for (size_t i = 0; i < policy_rule_count; i++) {
		const char *p = policy_rules[i].permission;
		if (strcmp(p, last) == 0)
			continue;
		bool seen = false;
		for (size_t j = 0; j < json_array_size(perms) && !seen; j++)
			seen = strcmp(json_string_value(json_array_get(perms, j)), p) == 0;
		if (!seen && web_auth_allows(req, p))
			json_array_append_new(perms, json_string(p));
		last = p;
	}
	return page_json(resp,
	                 json_pack("{s:I, s:s, s:s, s:{s:s, s:s}, s:o, s:o}", "id",
	                           (json_int_t)me->id, "email", me->email, "name", me->name,
	                           "organisation", "code", me->org_code, "name", me->org_name,
	                           "grants", grants, "permissions", perms),
	                 err);
}
