/* auth: the router's hooks for accounts, sessions, tokens, the policy and
 * CSRF (see auth.h). */
#include "web/auth.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/mem.h"
#include "domain/policy.h"
#include "domain/token.h"
#include "io/config.h"
#include "io/template.h"

struct web_auth {
	unsigned char key[AUDIT_KEY_BYTES];
	bool have_key;
	struct session_limits limits;
	const struct clock *clk;
	bool fixed;
	struct actor_grant fixed_grant;
	struct account fixed_account;
	_Atomic int_least64_t root_id; /* England's id once known; 0 before */
};

enum auth_kind {
	AUTH_ANONYMOUS = 0,
	AUTH_SESSION,
	AUTH_TOKEN,
	AUTH_FIXED,
};

/* the per-request state, in the request's arena; authn's actor lives
 * inside it, so authz finds the request from the actor */
struct auth_req {
	struct actor actor;
	struct web_auth *auth;
	struct web_request *req;
	enum auth_kind kind;
	struct account account;
	struct actor_grant *grants;
	unsigned char sid[SESSION_ID_BYTES]; /* the cookie's id (session or pre-session) */
	bool have_sid;
	bool set_cookie;   /* the reply sets the cookie to sid */
	bool clear_cookie; /* the reply clears the cookie */
	enum session_status why;
};

int web_auth_configure(const struct config *cfg, struct web_auth_options *o, struct cadre_err *err)
{
	memset(o, 0, sizeof *o);
	enum account_cost cost;
	int rc = account_cost_parse(config_get_str(cfg, "session.password_cost"), &cost, err);
	if (rc != CADRE_OK)
		return rc;
	account_set_cost(cost);
	if (cost == ACCOUNT_COST_TEST) {
		struct log_line l;
		log_begin(&l, LOG_WARN, "auth.weak_password_cost");
		log_str(&l, "setting", "session.password_cost=test");
		log_str(&l, "meaning", "new password hashes are weak: for test suites only");
		log_end(&l);
	}
	o->audit_key = config_get_key(cfg, "secrets.audit_key");
	o->limits.idle_us = config_get_int(cfg, "session.idle_minutes") * 60 * INT64_C(1000000);
	o->limits.absolute_us =
	    config_get_int(cfg, "session.absolute_hours") * 3600 * INT64_C(1000000);
	return CADRE_OK;
}

int web_auth_new(const struct web_auth_options *opt, struct web_auth **out, struct cadre_err *err)
{
	if (opt->limits.idle_us <= 0 || opt->limits.absolute_us <= 0)
		return cadre_err_set(err, CADRE_EINVAL, "session limits must be positive");
	struct web_auth *a = xcalloc(1, sizeof *a);
	if (opt->audit_key) {
		memcpy(a->key, opt->audit_key, AUDIT_KEY_BYTES);
		a->have_key = true;
	}
	a->limits = opt->limits;
	a->clk = opt->clk ? opt->clk : clock_system();
	if (opt->as_role) {
		a->fixed = true;
		(void)snprintf(a->fixed_grant.role, sizeof a->fixed_grant.role, "%s", opt->as_role);
		a->fixed_grant.org_id = opt->as_org_id;
		a->fixed_account.id = INT64_MAX;
		a->fixed_account.org_id = opt->as_org_id;
		(void)snprintf(a->fixed_account.name, sizeof a->fixed_account.name,
		               "%s (cadre http)", opt->as_role);
		(void)snprintf(a->fixed_account.org_name, sizeof a->fixed_account.org_name, "%s",
		               opt->as_org_name ? opt->as_org_name : "");
		(void)snprintf(a->fixed_account.org_code, sizeof a->fixed_account.org_code, "%s",
		               opt->as_org_code ? opt->as_org_code : "");
	}
	atomic_init(&a->root_id, 0);
	*out = a;
	return CADRE_OK;
}

void web_auth_free(struct web_auth *a)
{
	if (!a)
		return;
	sodium_memzero(a->key, sizeof a->key);
	free(a);
}

static struct auth_req *state_of(const struct web_request *req)
{
	return req->auth;
}

/* from_actor: the state around an actor authn made */
static struct auth_req *from_actor(const struct actor *actor)
{
	return (struct auth_req *)(void *)((char *)(void *)actor -
	                                   offsetof(struct auth_req, actor));
}

/* cookie_id: the session cookie's value.  *count gets how many cookies of
 * that name the request sent; the value is the first. */
static const char *cookie_value(const struct web_request *req, size_t *len, int *count)
{
	const char *result = NULL;
	*count = 0;
	*len = 0;
	for (size_t i = 0; i < req->nheaders; i++) {
		if (strcasecmp(req->headers[i].name, "Cookie") != 0)
			continue;
		const char *p = req->headers[i].value;
		while (*p) {
			while (*p == ' ' || *p == ';' || *p == '\t')
				p++;
			const char *eq = strchr(p, '=');
			const char *semi = strchr(p, ';');
			const char *end = semi ? semi : p + strlen(p);
			if (!eq || eq > end) {
				p = end;
				continue;
			}
			size_t nlen = (size_t)(eq - p);
			if (nlen == sizeof WEB_AUTH_COOKIE - 1 &&
			    memcmp(p, WEB_AUTH_COOKIE, nlen) == 0) {
				if ((*count)++ == 0) {
					result = eq + 1;
					*len = (size_t)(end - result);
					while (*len > 0 && result[*len - 1] == ' ')
						(*len)--;
				}
			}
			p = end;
		}
	}
	return result;
}

static void keep_identity(struct auth_req *s, struct account_identity *who)
{
	s->account = who->account;
	if (who->ngrants) {
		s->grants = web_req_alloc(s->req, who->ngrants * sizeof *s->grants);
		memcpy(s->grants, who->grants, who->ngrants * sizeof *s->grants);
	}
	s->actor = actor_user(who->account.id, s->grants, who->ngrants);
	account_identity_free(who);
}

static void remember_root(struct web_auth *a, struct store *db)
{
	if (atomic_load(&a->root_id) != 0)
		return;
	int64_t id;
	struct cadre_err e;
	if (policy_root_org(db, &id, &e) == CADRE_OK)
		atomic_store(&a->root_id, id);
}

static int authn(void *ctx, struct web_request *req, const struct actor **out,
                 struct cadre_err *err)
{
	struct web_auth *a = ctx;
	struct auth_req *s = web_req_alloc(req, sizeof *s);
	s->auth = a;
	s->req = req;
	req->auth = s;
	*out = NULL;
	if (a->fixed) {
		s->kind = AUTH_FIXED;
		s->account = a->fixed_account;
		s->actor = actor_user(INT64_MAX, &a->fixed_grant, 1);
		s->have_sid = true; /* all zeros: the --as CSRF token is computable */
		*out = &s->actor;
		struct store *fdb;
		struct cadre_err fe;
		if (web_req_conn(req, &fdb, &fe) == CADRE_OK)
			remember_root(a, fdb);
		return CADRE_OK;
	}
	bool public = req->route && strcmp(req->route->permission, "public") == 0;
	const char *authz = web_req_header(req, "Authorization");
	size_t clen;
	int ccount;
	const char *cookie = cookie_value(req, &clen, &ccount);
	if (!authz && !cookie)
		return CADRE_OK;
	struct store *db;
	int rc = web_req_conn(req, &db, err);
	if (rc != CADRE_OK)
		return public ? CADRE_OK : rc; /* a public page still works */
	remember_root(a, db);
	if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
		struct account_identity who;
		struct cadre_err e;
		rc = token_authenticate(db, authz + 7, a->clk, &who, &e);
		if (rc == CADRE_OK) {
			s->kind = AUTH_TOKEN;
			keep_identity(s, &who);
			*out = &s->actor;
			return CADRE_OK;
		}
		if (rc != CADRE_ENOTFOUND)
			return cadre_err_set(err, rc, "%s", e.msg);
		return CADRE_OK; /* a bad token is no identity: 401 where one is needed */
	}
	if (!cookie)
		return CADRE_OK;
	if (ccount != 1 || !session_id_decode(cookie, clen, s->sid)) {
		s->clear_cookie = true; /* forged or damaged */
		return CADRE_OK;
	}
	s->have_sid = true;
	struct session sess;
	struct cadre_err e;
	rc = session_resume(db, s->sid, &a->limits, a->clk, &sess, &s->why, &e);
	if (rc == CADRE_ENOTFOUND)
		return CADRE_OK; /* anonymous; the id still seeds the sign-in form */
	if (rc != CADRE_OK)
		return cadre_err_set(err, rc, "%s", e.msg);
	s->kind = AUTH_SESSION;
	if (sess.rotated) {
		memcpy(s->sid, sess.id, SESSION_ID_BYTES);
		s->set_cookie = true;
	}
	keep_identity(s, &sess.who);
	session_free(&sess);
	*out = &s->actor;
	return CADRE_OK;
}

static int authz(void *ctx, const struct actor *actor, const char *permission, int64_t org_id,
                 struct cadre_err *err)
{
	(void)ctx;
	struct auth_req *s = from_actor(actor);
	struct store *db;
	int rc = web_req_conn(s->req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	return policy_check(actor, db, permission, org_id, err);
}

static int org_by_code(void *ctx, struct web_request *req, const char *code, int64_t *org_id,
                       struct cadre_err *err)
{
	(void)ctx;
	struct store *db;
	int rc = web_req_conn(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	return policy_org_by_code(db, code, org_id, err);
}

/* submitted_token: the CSRF token the request carries, or NULL. */
static const char *submitted_token(struct web_request *req)
{
	const char *h = web_req_header(req, "X-CSRF-Token");
	if (h)
		return h;
	const char *ct = web_req_header(req, "Content-Type");
	struct cadre_err e;
	if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0) {
		const struct multipart_form *mf;
		if (web_req_multipart(req, NULL, &mf, &e) != CADRE_OK)
			return NULL;
		const struct multipart_field *f = multipart_get(mf, TEMPLATE_CSRF_FIELD);
		return f && !f->filename ? f->data : NULL;
	}
	const struct form *f;
	if (web_req_form(req, &f, &e) != CADRE_OK)
		return NULL;
	return form_get(f, TEMPLATE_CSRF_FIELD);
}

static int csrf_check(void *ctx, struct web_request *req, struct cadre_err *err)
{
	(void)ctx;
	struct auth_req *s = state_of(req);
	if (s && s->kind == AUTH_TOKEN)
		return CADRE_OK; /* a bearer token is no ambient credential */
	if (!s || !s->have_sid)
		return cadre_err_set(err, CADRE_EPERM,
		                     "no session to check the CSRF token against");
	const char *token = submitted_token(req);
	if (!token)
		return cadre_err_set(err, CADRE_EPERM, "the CSRF token is missing");
	if (!session_csrf_matches(s->sid, token))
		return cadre_err_set(err, CADRE_EPERM, "the CSRF token is wrong");
	return CADRE_OK;
}

/* holds: does the signed-in actor hold permission somewhere (for links)? */
static bool holds(const struct auth_req *s, const char *permission)
{
	if (s->kind == AUTH_ANONYMOUS)
		return false;
	if (policy_role_allows(POLICY_ANY_ACCOUNT, permission))
		return true;
	int64_t root = atomic_load(&s->auth->root_id);
	for (size_t i = 0; i < s->actor.ngrants; i++) {
		const struct policy_rule *r = policy_rule_find(s->actor.grants[i].role, permission);
		if (r && r->allow &&
		    (r->scope != POLICY_SCOPE_ROOT || s->actor.grants[i].org_id == root))
			return true;
	}
	return false;
}

bool web_auth_allows(struct web_request *req, const char *permission)
{
	const struct auth_req *s = state_of(req);
	return s && holds(s, permission);
}

static bool current(const struct web_request *req, const char *href)
{
	if (!req->route)
		return false;
	const char *p = req->route->pattern;
	size_t n = strlen(href);
	if (strcmp(href, "/") == 0)
		return strcmp(p, "/") == 0;
	return strncmp(p, href, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

static int page(void *ctx, struct web_request *req, json_t *page_ctx, struct cadre_err *err)
{
	(void)ctx;
	(void)err;
	struct auth_req *s = state_of(req);
	if (!s)
		return CADRE_OK;
	if (s->have_sid && !json_object_get(page_ctx, "csrf_token")) {
		char token[SESSION_CSRF_TEXT];
		session_csrf_token(s->sid, token);
		(void)json_object_set_new(page_ctx, "csrf_token", json_string(token));
	}
	if (s->kind == AUTH_ANONYMOUS || s->kind == AUTH_TOKEN)
		return CADRE_OK;
	if (!json_object_get(page_ctx, "user"))
		(void)json_object_set_new(page_ctx, "user",
		                          json_pack("{s:s, s:s}", "name", s->account.name,
		                                    "organisation", s->account.org_name));
	if (!json_object_get(page_ctx, "nav")) {
		static const struct {
			const char *href, *text, *permission;
		} items[] = {
		    {"/", "Home", "account.self"},
		    {"/orgs", "Organisations", "org.read"},
		    {"/people", "People", "people.read"},
		    {"/assess", "Self-assessment", "toolkit.answer"},
		    {"/imports", "Imports", "imports.run"},
		    {"/users", "Users", "users.read"},
		    {"/tokens", "API tokens", "tokens.manage"},
		    {"/audit", "Audit log", "audit.read"},
		};
		json_t *nav = json_array();
		for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
			if (holds(s, items[i].permission))
				json_array_append_new(nav, json_pack("{s:s, s:s, s:b}", "href",
				                                     items[i].href, "text",
				                                     items[i].text, "current",
				                                     current(req, items[i].href)));
		(void)json_object_set_new(page_ctx, "nav", nav);
	}
	return CADRE_OK;
}

static void respond(void *ctx, struct web_request *req, struct web_response *resp)
{
	(void)ctx;
	struct auth_req *s = state_of(req);
	if (!s || s->kind == AUTH_FIXED || (!s->set_cookie && !s->clear_cookie))
		return;
	char value[160];
	char id[SESSION_ID_TEXT];
	const char *secure = req->secure ? "; Secure" : "";
	if (s->set_cookie) {
		session_id_encode(s->sid, id);
		(void)snprintf(value, sizeof value, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s",
		               WEB_AUTH_COOKIE, id, secure);
	} else {
		(void)snprintf(value, sizeof value,
		               "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s", WEB_AUTH_COOKIE,
		               secure);
	}
	struct cadre_err e;
	(void)web_resp_header(resp, "Set-Cookie", value, &e);
	sodium_memzero(id, sizeof id);
}

void web_auth_hooks(struct web_auth *a, struct web_hooks *h)
{
	h->ctx = a;
	h->authn = authn;
	h->authz = authz;
	h->org_by_code = org_by_code;
	h->csrf_check = csrf_check;
	h->page = page;
	h->respond = respond;
}

const struct account *web_auth_account(const struct web_request *req)
{
	const struct auth_req *s = state_of(req);
	return s && s->kind != AUTH_ANONYMOUS ? &s->account : NULL;
}

enum session_status web_auth_why(const struct web_request *req)
{
	const struct auth_req *s = state_of(req);
	return s ? s->why : SESSION_ACTIVE;
}

const unsigned char *web_auth_key(const struct web_request *req)
{
	const struct auth_req *s = state_of(req);
	return s && s->auth->have_key ? s->auth->key : NULL;
}

const struct clock *web_auth_clock(const struct web_request *req)
{
	const struct auth_req *s = state_of(req);
	return s ? s->auth->clk : clock_system();
}

int web_auth_fresh_token(struct web_request *req, char token[SESSION_CSRF_TEXT],
                         struct cadre_err *err)
{
	struct auth_req *s = state_of(req);
	if (!s)
		return cadre_err_set(err, CADRE_EINTERNAL, "no authentication is installed");
	if (s->kind == AUTH_ANONYMOUS) {
		session_id_new(s->sid);
		s->have_sid = true;
		s->set_cookie = true;
		s->clear_cookie = false;
	}
	session_csrf_token(s->sid, token);
	return CADRE_OK;
}

int web_auth_sign_in(struct web_request *req, const char *email, const char *password,
                     struct session_sign_in *out, struct cadre_err *err)
{
	struct auth_req *s = state_of(req);
	if (!s || !s->auth->have_key)
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "signing in needs the audit key (the secrets file)");
	if (s->kind == AUTH_FIXED)
		return cadre_err_set(err, CADRE_ECONFLICT, "cadre http --as cannot sign in");
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	struct session_credentials c = {
	    .email = email,
	    .password = password,
	    .client_addr = req->client_addr,
	    .old_id = s->have_sid ? s->sid : NULL,
	};
	rc = session_sign_in(db, s->auth->key, &c, s->auth->clk, out, err);
	if (rc != CADRE_OK || out->outcome != SESSION_SIGNED_IN)
		return rc;
	memcpy(s->sid, out->id, SESSION_ID_BYTES);
	s->have_sid = true;
	s->set_cookie = true;
	s->clear_cookie = false;
	struct log_line l;
	log_begin(&l, LOG_INFO, "auth.signed_in");
	log_int(&l, "user", out->account_id);
	log_end(&l);
	return CADRE_OK;
}

int web_auth_sign_out(struct web_request *req, struct cadre_err *err)
{
	struct auth_req *s = state_of(req);
	if (!s || s->kind != AUTH_SESSION)
		return CADRE_OK;
	if (!s->auth->have_key)
		return cadre_err_set(err, CADRE_EINTERNAL, "signing out needs the audit key");
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc == CADRE_OK)
		rc = session_sign_out(&s->actor, db, s->auth->key, s->sid, s->auth->clk, err);
	if (rc != CADRE_OK)
		return rc;
	s->set_cookie = false;
	s->clear_cookie = true;
	return CADRE_OK;
}
