/* page_users: accounts and their grants, for administrators (users.manage)
 * and, read only, auditors (users.read).  The domain (account.h) checks
 * every change against the actor's grants again; an organisation named in
 * a form that does not exist and one outside the administrator's scope get
 * the same field error, so the form never tells which exist. */
#include <inttypes.h>
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

#define ORG_ERROR "Enter the code of an organisation you manage, like RXC"

static const char *role_title(const char *id)
{
	const struct role_def *r = role_find(id);
	return r ? r->title : id;
}

/* role_options: every role, with chosen selected, after a blank choice. */
static json_t *role_options(const char *chosen)
{
	json_t *o = json_array();
	json_array_append_new(o, page_option("", "Choose a role", !chosen || !*chosen));
	size_t n;
	const struct role_def *r = role_defs(&n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    o, page_option(r[i].id, r[i].title, chosen && strcmp(chosen, r[i].id) == 0));
	return o;
}

/* page_user_org: the organisation of the account /users/{id} names, for
 * the router's scope check (404 for none, or one outside the scope). */
int page_user_org(struct web_request *req, int64_t *org_id, struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_conn(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	return account_org_of(db, web_req_param_int(req, "id"), org_id, err);
}

struct list_ctx {
	json_t *rows;
};

static int list_row(const struct account *a, void *arg, struct cadre_err *err)
{
	(void)err;
	struct list_ctx *l = arg;
	char href[40], org[ORG_NAME_MAX + ORG_CODE_MAX + 8];
	(void)snprintf(href, sizeof href, "/users/%" PRId64, a->id);
	(void)snprintf(org, sizeof org, "%s (%s)", a->org_name, a->org_code);
	json_t *cells = json_pack(
	    "[{s:s, s:b, s:s, s:b}, {s:s, s:b, s:b, s:b}, {s:s, s:b, s:b, s:b},"
	    " {s:s, s:b, s:b, s:b}]",
	    "text", a->name, "header", 1, "href", href, "numeric", 0, "text", a->email, "header", 0,
	    "href", 0, "numeric", 0, "text", org, "header", 0, "href", 0, "numeric", 0, "text",
	    a->disabled ? "Disabled" : "Active", "header", 0, "href", 0, "numeric", 0);
	json_array_append_new(l->rows, json_pack("{s:o}", "cells", cells));
	return CADRE_OK;
}

/* WEBPAGE: GET /users
 * PERMISSION: users.read
 * ORG: none
 * The accounts of your organisations.
 * Every account whose organisation is below one of your grants that holds
 * users.read, by email, with its status.  Administrators also get the
 * button to add one.
 */
int page_users(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	struct list_ctx l = {.rows = json_array()};
	if ((rc = account_list(req->actor, db, list_row, &l, err)) != CADRE_OK) {
		json_decref(l.rows);
		return rc;
	}
	json_t *ctx = page_new("Users");
	(void)json_object_set_new(ctx, "can_add",
	                          json_boolean(web_auth_allows(req, "users.manage")));
	if (json_array_size(l.rows))
		(void)json_object_set_new(
		    ctx, "accounts",
		    json_pack("{s:s, s:[{s:s, s:b}, {s:s, s:b}, {s:s, s:b}, {s:s, s:b}], s:o}",
		              "caption", "Accounts", "head", "text", "Name", "numeric", 0, "text",
		              "Email address", "numeric", 0, "text", "Organisation", "numeric", 0,
		              "text", "Status", "numeric", 0, "rows", l.rows));
	else {
		json_decref(l.rows);
		(void)json_object_set_new(ctx, "accounts", json_false());
	}
	return page_render(req, resp, "users", ctx, err);
}

/* new_form: the add-account form with the values and errors so far. */
static int new_form(struct web_request *req, struct web_response *resp, json_t *ctx,
                    const char *errs[4], struct cadre_err *err)
{
	(void)json_object_set_new(
	    ctx, "fields",
	    json_pack("{s:o, s:o, s:o, s:o}", "email",
	              page_input("email", "Email address", "email", page_form_value(req, "email"),
	                         "off", "They sign in with it", errs[0]),
	              "name",
	              page_input("name", "Full name", NULL, page_form_value(req, "name"), "off",
	                         NULL, errs[1]),
	              "org",
	              page_input("org", "Organisation code", NULL, page_form_value(req, "org"),
	                         "off", "The ODS code of their organisation, like RXC", errs[2]),
	              "role",
	              page_select("role", "Role", role_options(page_form_value(req, "role")),
	                          "Over their organisation and everything below it", errs[3])));
	return page_render(req, resp, "user_new", ctx, err);
}

/* WEBPAGE: GET /users/new
 * PERMISSION: users.manage
 * ORG: none
 * The form to add an account.
 * Email address, name, organisation (an ODS code below one of your
 * grants) and a first role over it.
 */
int page_user_new(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	const char *errs[4] = {NULL, NULL, NULL, NULL};
	return new_form(req, resp, page_new("Add an account"), errs, err);
}

/* WEBPAGE: POST /users
 * PERMISSION: users.manage
 * ORG: none
 * BODY: 16K
 * Add an account; show its first password once.
 * The organisation must be below one of your grants (else the same field
 * error as for a code that does not exist).  The password is random and
 * shown once on the page that follows; Cadre keeps only its hash.
 * Audited.
 */
int page_user_add(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	int rc = page_form(req, err);
	if (rc != CADRE_OK)
		return rc;
	const char *email = page_form_value(req, "email");
	const char *name = page_form_value(req, "name");
	const char *org = page_form_value(req, "org");
	const char *role = page_form_value(req, "role");
	json_t *ctx = page_new("Add an account");
	const char *errs[4] = {NULL, NULL, NULL, NULL};
	char norm[ACCOUNT_EMAIL_MAX];
	struct cadre_err e;
	if (!*email)
		errs[0] = page_error(ctx, "email", "Enter their email address");
	else if (account_email_normalise(email, norm, &e) != CADRE_OK)
		errs[0] = page_error(ctx, "email",
		                     "Enter an email address in the right form, like "
		                     "name@example.nhs.uk");
	if (!*name)
		errs[1] = page_error(ctx, "name", "Enter their full name");
	else if (strlen(name) >= ACCOUNT_NAME_MAX)
		errs[1] = page_error(ctx, "name", "Enter a name of 200 characters or fewer");
	if (!*org)
		errs[2] = page_error(ctx, "org", "Enter the code of their organisation");
	if (!role_find(role))
		errs[3] = page_error(ctx, "role", "Choose a role");
	if (errs[0] || errs[1] || errs[2] || errs[3]) {
		resp->status = 422;
		return new_form(req, resp, ctx, errs, err);
	}
	char pw[ACCOUNT_GENERATED_PASSWORD_LEN + 1];
	account_password_generate(pw);
	struct store *db;
	int64_t id = 0;
	struct account_new n = {
	    .email = email, .name = name, .org_code = org, .password = pw, .role = role};
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK) {
		json_decref(ctx);
		return rc;
	}
	rc = account_add(req->actor, db, web_auth_key(req), &n, web_auth_clock(req), &id, &e);
	if (rc == CADRE_ECONFLICT || rc == CADRE_ENOTFOUND || rc == CADRE_EINVAL) {
		if (rc == CADRE_ECONFLICT)
			errs[0] = page_error(ctx, "email",
			                     "An account with this email address already exists");
		else if (rc == CADRE_ENOTFOUND)
			errs[2] = page_error(ctx, "org", ORG_ERROR);
		else
			errs[1] =
			    page_error(ctx, "name", "Enter a name without control characters");
		resp->status = 422;
		return new_form(req, resp, ctx, errs, err);
	}
	json_decref(ctx);
	if (rc != CADRE_OK)
		return cadre_err_set(err, rc, "%s", e.msg);
	char lede[ACCOUNT_EMAIL_MAX + 64], href[40];
	(void)snprintf(lede, sizeof lede, "The account %s has been added.", email);
	(void)snprintf(href, sizeof href, "/users/%" PRId64, id);
	ctx = page_new("Account added");
	(void)json_object_set_new(ctx, "lede", json_string(lede));
	(void)json_object_set_new(ctx, "label", json_string("Their password"));
	(void)json_object_set_new(ctx, "secret", json_string(pw));
	(void)json_object_set_new(ctx, "next_href", json_string(href));
	(void)json_object_set_new(ctx, "next_text", json_string("Go to the account"));
	resp->status = 201;
	return page_render(req, resp, "secret_shown", ctx, err);
}

static const char *done_text(const char *done)
{
	static const struct {
		const char *key, *text;
	} t[] = {
	    {"granted", "The role has been granted."},
	    {"held", "The account already holds that role."},
	    {"revoked", "The role has been revoked."},
	    {"not-held", "The account did not hold that role."},
	    {"disabled", "The account has been disabled and signed out everywhere."},
	    {"enabled", "The account has been enabled."},
	};
	for (size_t i = 0; done && i < sizeof t / sizeof t[0]; i++)
		if (strcmp(done, t[i].key) == 0)
			return t[i].text;
	return NULL;
}

/* user_page: one account, with errors from a grant form if any. */
static int user_page(struct web_request *req, struct web_response *resp, json_t *ctx,
                     const char *role_error, const char *org_error, struct cadre_err *err)
{
	int64_t id = web_req_param_int(req, "id");
	struct store *db;
	struct account a;
	struct account_grant_info *g = NULL;
	size_t n = 0;
	int rc = web_req_db(req, &db, err);
	if (rc == CADRE_OK)
		rc = account_get(req->actor, db, id, &a, err);
	if (rc == CADRE_OK)
		rc = account_grants(req->actor, db, id, &g, &n, err);
	if (rc != CADRE_OK) {
		json_decref(ctx);
		return rc;
	}
	struct cadre_err e;
	bool can_manage = policy_check(req->actor, db, "users.manage", a.org_id, &e) == CADRE_OK;
	json_t *grants = json_array();
	for (size_t i = 0; i < n; i++) {
		char when[DATE_LONDON_SIZE];
		page_when(g[i].granted_at, when);
		json_array_append_new(
		    grants, json_pack("{s:s, s:s, s:s, s:s, s:s}", "role", g[i].role, "role_title",
		                      role_title(g[i].role), "org_code", g[i].org_code, "org_name",
		                      g[i].org_name, "granted", when));
	}
	free(g);
	char org[ORG_NAME_MAX + ORG_CODE_MAX + 8], created[DATE_LONDON_SIZE];
	(void)snprintf(org, sizeof org, "%s (%s)", a.org_name, a.org_code);
	page_when(a.created_at, created);
	json_t *details = json_pack(
	    "{s:[{s:s, s:s, s:b}, {s:s, s:s, s:b}, {s:s, s:s, s:b}, {s:s, s:s, s:b}]}", "rows",
	    "key", "Email address", "value", a.email, "action", 0, "key", "Organisation", "value",
	    org, "action", 0, "key", "Status", "value", a.disabled ? "Disabled" : "Active",
	    "action", 0, "key", "Added", "value", created, "action", 0);
	const char *done = done_text(page_query_value(req, "done"));
	(void)json_object_set_new(ctx, "done", done ? json_string(done) : json_false());
	(void)json_object_set_new(ctx, "details", details);
	(void)json_object_set_new(ctx, "account_id", json_integer(a.id));
	(void)json_object_set_new(ctx, "disabled", json_boolean(a.disabled));
	(void)json_object_set_new(ctx, "can_manage", json_boolean(can_manage));
	(void)json_object_set_new(ctx, "grants", grants);
	(void)json_object_set_new(
	    ctx, "fields",
	    json_pack("{s:o, s:o}", "role",
	              page_select("role", "Role", role_options(page_form_value(req, "role")), NULL,
	                          role_error),
	              "org",
	              page_input("org", "Over the organisation", NULL, page_form_value(req, "org"),
	                         "off", "Its ODS code; the role covers everything below it too",
	                         org_error)));
	(void)json_object_set_new(ctx, "page_title", json_string(a.name));
	return page_render(req, resp, "user", ctx, err);
}

/* WEBPAGE: GET /users/{id:int}
 * PERMISSION: users.read
 * ORG: lookup page_user_org
 * One account: its details and the roles it holds over which organisations.
 * Administrators also get the forms to grant and revoke roles and to
 * disable or enable the account.  An account outside your scope is "page
 * not found", exactly like one that does not exist.
 */
int page_user(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	return user_page(req, resp, page_new("Account"), NULL, NULL, err);
}

/* redirect_done: back to the account with a confirmation. */
static int redirect_done(struct web_request *req, struct web_response *resp, const char *done,
                         struct cadre_err *err)
{
	char href[64];
	(void)snprintf(href, sizeof href, "/users/%" PRId64 "?done=%s",
	               web_req_param_int(req, "id"), done);
	return web_resp_redirect(resp, 303, href, err);
}

/* WEBPAGE: POST /users/{id:int}/grants
 * PERMISSION: users.manage
 * ORG: lookup page_user_org
 * BODY: 16K
 * Grant the account a role over an organisation (and its subtree).
 * The organisation must be below one of your grants too.  Holding it
 * already changes nothing.  Audited; the account's sessions get a new id.
 */
int page_user_grant(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	int rc = page_form(req, err);
	if (rc != CADRE_OK)
		return rc;
	const char *role = page_form_value(req, "role");
	const char *org = page_form_value(req, "org");
	json_t *ctx = page_new("Account");
	const char *role_error = NULL, *org_error = NULL;
	if (!role_find(role))
		role_error = page_error(ctx, "role", "Choose a role");
	if (!*org)
		org_error = page_error(ctx, "org", "Enter the code of the organisation");
	struct store *db;
	bool added = false;
	struct cadre_err e;
	if (!role_error && !org_error) {
		if ((rc = web_req_db(req, &db, err)) != CADRE_OK) {
			json_decref(ctx);
			return rc;
		}
		rc = account_grant(req->actor, db, web_auth_key(req), web_req_param_int(req, "id"),
		                   role, org, web_auth_clock(req), &added, &e);
		if (rc == CADRE_ENOTFOUND)
			org_error = page_error(ctx, "org", ORG_ERROR);
		else if (rc != CADRE_OK) {
			json_decref(ctx);
			return cadre_err_set(err, rc, "%s", e.msg);
		}
	}
	if (role_error || org_error) {
		resp->status = 422;
		return user_page(req, resp, ctx, role_error, org_error, err);
	}
	json_decref(ctx);
	return redirect_done(req, resp, added ? "granted" : "held", err);
}

/* WEBPAGE: POST /users/{id:int}/grants/revoke
 * PERMISSION: users.manage
 * ORG: lookup page_user_org
 * BODY: 16K
 * Revoke one of the account's roles (role and org in the form).
 * Not holding it changes nothing.  Audited; the account's sessions get a
 * new id.
 */
int page_user_revoke(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	int rc = page_form(req, err);
	if (rc != CADRE_OK)
		return rc;
	struct store *db;
	bool removed = false;
	rc = web_req_db(req, &db, err);
	if (rc == CADRE_OK)
		rc = account_revoke(req->actor, db, web_auth_key(req), web_req_param_int(req, "id"),
		                    page_form_value(req, "role"), page_form_value(req, "org"),
		                    web_auth_clock(req), &removed, err);
	if (rc != CADRE_OK)
		return rc;
	return redirect_done(req, resp, removed ? "revoked" : "not-held", err);
}

static int set_disabled(struct web_request *req, struct web_response *resp, bool disabled,
                        struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc == CADRE_OK)
		rc = account_set_disabled(req->actor, db, web_auth_key(req),
		                          web_req_param_int(req, "id"), disabled,
		                          web_auth_clock(req), NULL, err);
	if (rc != CADRE_OK)
		return rc;
	return redirect_done(req, resp, disabled ? "disabled" : "enabled", err);
}

/* WEBPAGE: POST /users/{id:int}/disable
 * PERMISSION: users.manage
 * ORG: lookup page_user_org
 * BODY: 4K
 * Disable the account: it is signed out everywhere and its tokens stop.
 * You cannot disable your own account (409).  Audited.
 */
int page_user_disable(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	return set_disabled(req, resp, true, err);
}

/* WEBPAGE: POST /users/{id:int}/enable
 * PERMISSION: users.manage
 * ORG: lookup page_user_org
 * BODY: 4K
 * Enable a disabled account again.  Audited.
 * Its old sessions stay ended: the person signs in again.
 */
int page_user_enable(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	return set_disabled(req, resp, false, err);
}
