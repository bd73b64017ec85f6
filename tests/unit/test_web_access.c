/* The access-control matrix, generated: every route of the generated table
 * x every role (and an account with no grants, and no one at all) x an
 * object inside and one outside the actor's scope, through the real
 * router, hooks, sessions and handlers, on both stores.
 *
 * The expectations come from the reviewed files, never from the route
 * table: docs/access-routes.csv says which permission each route needs and
 * how its organisation is found; docs/access-policy.csv says which role
 * holds which permission with which scope.  The scope rules of policy.h are
 * written out again here, from the documentation, so a route declared with
 * the wrong permission, a route the files do not list, or a policy the
 * code applies differently all fail.
 *
 * The actors: for each role, an account granted it over the ICB Q1 (so
 * RT1, below Q1, is inside its scope and RT3, in another region, outside)
 * and one granted it over England.  For a route about an organisation's
 * object (ORG: lookup or path) "inside" is RT1's object and "outside" RT3's,
 * both asked by the Q1 account: allowed (2xx/3xx), 403 (the role lacks the
 * permission, or its scope does not reach) or 404 (outside: never saying
 * the object exists).  For a route about no organisation, "inside" is the
 * England account and "outside" the Q1 account: only a root-scoped rule
 * tells them apart. */
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
#include "base/log.h"
#include "domain/account.h"
#include "domain/assess.h"
#include "domain/policy.h"
#include "domain/session.h"
#include "domain/token.h"
#include "domain/toolkit.h"
#include "domain/establishment.h"
#include "domain/upload.h"
#include "domain/wards.h"
#include "io/assets.h"
#include "io/csv.h"
#include "web/auth.h"
#include "web/router.h"
#include "testauth.h"
#include "testdomain.h"
#include "testorg.h"
#include "testweb.h"

/* ---- the reviewed files -------------------------------------------------- */

#define MAX_ROWS 512

struct prule {
	char role[64], permission[64], effect[8], scope[16];
};

struct rroute {
	char method[8], path[96], permission[64], org[64];
	bool seen;
};

struct files {
	struct prule rules[MAX_ROWS];
	size_t nrules;
	struct rroute routes[MAX_ROWS];
	size_t nroutes;
};

/* read_csv: each record's first n fields into fn (the header skipped). */
static void read_csv(const char *rel, size_t want, void (*fn)(void *, char **), void *arg)
{
	char *path = testorg_path(rel);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: cannot open", path);
	struct csv_reader *r;
	struct cadre_err e;
	if (csv_reader_open_file(&r, f, NULL, &e) != CADRE_OK)
		fail_msg("%s", e.msg);
	int rc;
	bool header = true;
	while ((rc = csv_reader_next(r, &e)) == CADRE_OK) {
		if (csv_reader_count(r) < want)
			fail_msg("%s:%ld: %zu fields", rel, csv_reader_line(r),
			         csv_reader_count(r));
		char *v[8];
		for (size_t i = 0; i < want; i++)
			v[i] = xstrdup(csv_reader_field(r, i)->s);
		if (!header)
			fn(arg, v);
		header = false;
		for (size_t i = 0; i < want; i++)
			free(v[i]);
	}
	if (rc != CADRE_DONE)
		fail_msg("%s: %s", rel, e.msg);
	csv_reader_free(r);
	(void)fclose(f);
	free(path);
}

static void put_rule(void *arg, char **v)
{
	struct files *fl = arg;
	if (fl->nrules == MAX_ROWS)
		fail_msg("too many policy rows");
	struct prule *p = &fl->rules[fl->nrules++];
	(void)snprintf(p->role, sizeof p->role, "%s", v[0]);
	(void)snprintf(p->permission, sizeof p->permission, "%s", v[1]);
	(void)snprintf(p->effect, sizeof p->effect, "%s", v[2]);
	(void)snprintf(p->scope, sizeof p->scope, "%s", v[3]);
}

static void put_route(void *arg, char **v)
{
	struct files *fl = arg;
	if (fl->nroutes == MAX_ROWS)
		fail_msg("too many route rows");
	struct rroute *r = &fl->routes[fl->nroutes++];
	(void)snprintf(r->method, sizeof r->method, "%s", v[0]);
	(void)snprintf(r->path, sizeof r->path, "%s", v[1]);
	(void)snprintf(r->permission, sizeof r->permission, "%s", v[2]);
	(void)snprintf(r->org, sizeof r->org, "%s", v[3]);
}

static const struct prule *rule_of(const struct files *fl, const char *role, const char *perm)
{
	for (size_t i = 0; i < fl->nrules; i++)
		if (strcmp(fl->rules[i].role, role) == 0 &&
		    strcmp(fl->rules[i].permission, perm) == 0)
			return &fl->rules[i];
	return NULL;
}

/* ---- expectations, from the files and policy.h's documented rules ----- */

enum outcome { ALLOW, SIGN_IN, E401, E403, E404, OTHER };

static const char *outcome_name(enum outcome o)
{
	static const char *n[] = {"allow", "redirect to sign-in", "401", "403", "404", "other"};
	return n[o];
}

/* expect: what (role, over_root) asking route r about an object inside or
 * outside its scope should get.  role NULL: no one signed in. */
static enum outcome expect(const struct files *fl, const struct rroute *r, bool page,
                           const char *role, bool inside, bool over_root)
{
	bool public = strcmp(r->permission, "public") == 0;
	if (public)
		return ALLOW;
	if (!role)
		return page && strcmp(r->method, "GET") == 0 ? SIGN_IN : E401;
	const struct prule *any = rule_of(fl, POLICY_ANY_ACCOUNT, r->permission);
	bool about_org = strcmp(r->org, "none") != 0;
	if (any && strcmp(any->effect, "allow") == 0 && !about_org)
		return ALLOW;
	const struct prule *p =
	    strcmp(role, POLICY_ANY_ACCOUNT) == 0 ? NULL : rule_of(fl, role, r->permission);
	bool allow = p && strcmp(p->effect, "allow") == 0;
	if (!about_org) {
		/* inside: the grant is over England; outside: over the ICB Q1 */
		if (strcmp(role, POLICY_ANY_ACCOUNT) == 0 || !allow)
			return E403;
		if (strcmp(p->scope, "root") == 0)
			return inside ? ALLOW : E403;
		return ALLOW;
	}
	if (strcmp(role, POLICY_ANY_ACCOUNT) == 0)
		return E404; /* no grant covers anything */
	if (!inside)
		return E404; /* outside every grant */
	if (!allow)
		return E403;
	/* the grant is over England or the ICB Q1: person-level data flows
	 * through neither; root needs England; none reaches no organisation */
	if (strcmp(p->scope, "person") == 0 || strcmp(p->scope, "none") == 0)
		return E403;
	if (strcmp(p->scope, "root") == 0)
		return over_root ? ALLOW : E403;
	return ALLOW;
}

static enum outcome classify(const struct testweb_reply *rep, const char *method)
{
	if (rep->status >= 200 && rep->status < 300)
		return ALLOW;
	if (rep->status >= 300 && rep->status < 400) {
		const char *loc = testweb_header(rep, "Location");
		if (strcmp(method, "GET") == 0 && loc && strncmp(loc, "/sign-in", 8) == 0)
			return SIGN_IN;
		return ALLOW;
	}
	switch (rep->status) {
	case 401: return E401;
	case 403: return E403;
	case 404: return E404;
	default: return OTHER;
	}
}

/* ---- the fixture -------------------------------------------------------- */

struct actor_acct {
	char email[64];
	unsigned char sid[SESSION_ID_BYTES];
	bool signed_in;
};

struct world {
	struct testdomain *t;
	struct web_app *app;
	struct web_auth *auth;
	int64_t user_in, user_out, token_in, token_out;
	int64_t staff_in, staff_out; /* /people/{id}: staff records under RT1 and RT3 */
	/* self-assessment rounds: open (A, every q1 account invited), one for
	 * /close to close (B), a closed one for /sign-off (C), RT3's (D) */
	int64_t round_a, round_b, round_c, round_d;
	/* signed-off rounds for the results routes (RT1's inside, RT3's
	 * outside), an action of each, and a statement RT1 scored 4 or more */
	int64_t round_in, round_out, action_in, action_out;
	char share_stmt[64];
	char asset[96];
	int counter;
	bool multipart; /* the body body_for made is multipart/form-data */
};

/* ---- the uploads' fixtures (imports.run) ---- */

#define UPLOAD_BOUNDARY "cadre-matrix-boundary"
#define UPLOAD_CSV      WARDS_HEADER "\r\nRT1,CC1,Ward one,W1,Ward one,D1,Division one,adult-acute\r\n"

/* a ledger file: every role holding imports.run may load one (a finance
 * business partner loads only the ledger's files) */
#define UPLOAD_POST_CSV ESTABLISHMENT_HEADER "\r\nRT1,CC1,2025-04,NURSING,AFC-5,10.00,400000.00\r\n"

static const struct store_sql q_upload_valid = {
    .name = "matrix_upload_valid",
    .sql = "UPDATE upload SET state = 'valid' WHERE id = $1",
};

/* fresh_upload: a new upload of RT1 (inside) or RT3 (outside), checked
 * valid, so a commit or discard of it succeeds once: each request of the
 * import routes gets its own (a second commit is rightly a 409). */
static int64_t fresh_upload(const struct world *w, bool inside)
{
	struct cadre_err e;
	int64_t org = 0;
	if (policy_org_by_code(w->t->db, inside ? "RT1" : "RT3", &org, &e) != CADRE_OK)
		fail_msg("no fixture organisation: %s", e.msg);
	struct actor_grant g = {.role = "workforce_planner", .org_id = org};
	struct actor a = actor_user(1, &g, 1);
	int64_t id = 0;
	if (upload_create(&a, w->t->db, upload_kind_find("cost-centres"), "matrix.csv", UPLOAD_CSV,
	                  strlen(UPLOAD_CSV), NULL, &w->t->clk.clock, &id, &e) != CADRE_OK)
		fail_msg("upload_create: %s", e.msg);
	struct store_stmt *st;
	if (store_prepare(w->t->db, &q_upload_valid, &st, &e) != CADRE_OK)
		fail_msg("%s", e.msg);
	store_bind_i64(st, 1, id);
	if (store_exec(st, &e) != CADRE_OK)
		fail_msg("%s", e.msg);
	return id;
}

static bool import_route(const char *pattern)
{
	return strncmp(pattern, "/imports/", 9) == 0 ||
	       strncmp(pattern, "/api/v1/imports/", 16) == 0;
}

static void sign_in(struct world *w, struct actor_acct *a)
{
	struct cadre_err e;
	struct session_sign_in out;
	struct session_credentials c = {
	    .email = a->email, .password = TESTAUTH_PASSWORD, .client_addr = "127.0.0.1"};
	if (session_sign_in(w->t->db, w->t->key, &c, &w->t->clk.clock, &out, &e) != CADRE_OK ||
	    out.outcome != SESSION_SIGNED_IN)
		fail_msg("sign in %s failed", a->email);
	memcpy(a->sid, out.id, SESSION_ID_BYTES);
	a->signed_in = true;
}

/* results_route: a round's results, action plan, summary, exports or
 * sharing (page_assess_results.c), which take the signed-off rounds of
 * results_fixture rather than the rounds of assess_fixture */
static bool results_route(const char *pattern)
{
	static const char *const parts[] = {"/results", "/actions", "/summary", "/export.",
	                                    "/share"};
	if (strncmp(pattern, "/assess/rounds/", 15) != 0 &&
	    strncmp(pattern, "/api/v1/assess/rounds/", 22) != 0)
		return false;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		if (strstr(pattern, parts[i]))
			return true;
	return false;
}

/* fill_path: the route's pattern with its parameters replaced by the
 * fixture object inside or outside the scope; false when the test has no
 * fixture for one of them (a new route: add one here). */
static bool fill_path(const struct world *w, const char *pattern, bool inside, char *out,
                      size_t outsz)
{
	struct buf b;
	buf_init(&b, outsz);
	const char *p = pattern;
	bool ok = true;
	while (*p && ok) {
		if (*p != '{') {
			ok = buf_putc(&b, *p++, NULL) == CADRE_OK;
			continue;
		}
		const char *close = strchr(p, '}');
		size_t n = (size_t)(close - p + 1);
		char value[96];
		if (strncmp(pattern, "/users/", 7) == 0 && strncmp(p, "{id:int}", n) == 0)
			(void)snprintf(value, sizeof value, "%" PRId64,
			               inside ? w->user_in : w->user_out);
		else if (strncmp(pattern, "/tokens/", 8) == 0 && strncmp(p, "{id:int}", n) == 0)
			(void)snprintf(value, sizeof value, "%" PRId64,
			               inside ? w->token_in : w->token_out);
		else if ((strncmp(pattern, "/people/", 8) == 0 ||
		          strncmp(pattern, "/api/v1/people/", 15) == 0) &&
		         strncmp(p, "{id:int}", n) == 0)
			(void)snprintf(value, sizeof value, "%" PRId64,
			               inside ? w->staff_in : w->staff_out);
		else if (results_route(pattern) && strncmp(p, "{id:int}", n) == 0)
			(void)snprintf(value, sizeof value, "%" PRId64,
			               inside ? w->round_in : w->round_out);
		else if (results_route(pattern) && strncmp(p, "{action:int}", n) == 0)
			(void)snprintf(value, sizeof value, "%" PRId64,
			               inside ? w->action_in : w->action_out);
		else if ((strncmp(pattern, "/assess/rounds/", 15) == 0 ||
		          strncmp(pattern, "/api/v1/assess/rounds/", 22) == 0) &&
		         strncmp(p, "{id:int}", n) == 0) {
			size_t pl = strlen(pattern);
			int64_t id =
			    !inside                                                ? w->round_d
			    : pl > 6 && strcmp(pattern + pl - 6, "/close") == 0    ? w->round_b
			    : pl > 9 && strcmp(pattern + pl - 9, "/sign-off") == 0 ? w->round_c
			                                                           : w->round_a;
			(void)snprintf(value, sizeof value, "%" PRId64, id);
		} else if (import_route(pattern) && strncmp(p, "{id:int}", n) == 0)
			(void)snprintf(value, sizeof value, "%" PRId64, fresh_upload(w, inside));
		else if (strncmp(pattern, "/assets/", 8) == 0 && strncmp(p, "{name}", n) == 0)
			(void)snprintf(value, sizeof value, "%s", w->asset);
		else if (strncmp(p, "{check}", n) == 0)
			(void)snprintf(value, sizeof value, "occupation-unlisted");
		else if (strncmp(p, "{measure}", n) == 0)
			(void)snprintf(value, sizeof value, "vacancy-rate");
		else if (strncmp(p, "{code:code}", n) == 0)
			(void)snprintf(value, sizeof value, "%s", inside ? "RT1" : "RT3");
		else
			ok = false;
		if (ok)
			ok = buf_puts(&b, value, NULL) == CADRE_OK;
		p = close + 1;
	}
	if (ok)
		(void)snprintf(out, outsz, "%s", buf_cstr(&b));
	buf_free(&b);
	return ok;
}

/* people_fixture: staff records for /people/{id}: M1 (the manager) and S1
 * under RT1's ward W1, S3 under RT3; the Q1 line manager's account is M1's
 * person and the Q1 staff member's is S1's, so their reports and self
 * scopes reach S1 as the policy's scope says they should. */
static void people_fixture(struct world *w)
{
	static const struct store_sql q[] = {
	    {.name = "t_pf_person",
	     .sql = "INSERT INTO person (id, person_key) VALUES (1, NULL), (2, NULL), (3, NULL)"},
	    {.name = "t_pf_cc",
	     .sql = "INSERT INTO cost_centre (id, org_id, code, name, node_id, setting, in_map, "
	            "import_id) SELECT 1, (SELECT id FROM org WHERE code = 'RT1'), 'CC1', 'One', "
	            "(SELECT id FROM org WHERE code = 'W1'), 'adult_inpatient', 1, 1 UNION ALL "
	            "SELECT 2, (SELECT id FROM org WHERE code = 'RT3'), 'CC3', 'Three', "
	            "(SELECT id FROM org WHERE code = 'RT3'), 'adult_inpatient', 1, 1"},
	    {.name = "t_pf_staff",
	     .sql =
	         "INSERT INTO staff (id, org_id, staff_ref, person_id, birth_year, valid_from, "
	         "display_name, sex, ethnic_category, disability, attr_digest, import_id) "
	         "SELECT s.id, o.id, s.ref, s.id, 1980, '1900-01-01', s.ref, 'F', 'A', 'no', 0, 1 "
	         "FROM (SELECT 1 AS id, 'M1' AS ref, 'RT1' AS org UNION ALL SELECT 2, 'S1', 'RT1' "
	         "UNION ALL SELECT 3, 'S3', 'RT3') s JOIN org o ON o.code = s.org"},
	    {.name = "t_pf_assignment",
	     .sql = "INSERT INTO assignment (id, assignment_ref, staff_id, org_id, start_date, "
	            "valid_from, cost_centre_id, position_ref, occupation_code, esr_staff_group, "
	            "grade, grade_band, staff_group, staff_group_basis, staff_group_conflict, "
	            "contracted_hours, fte, category, manager_staff_id, leadership_level, "
	            "terms_digest, import_id) SELECT s.id, s.staff_ref, s.id, s.org_id, "
	            "'2020-01-01', '1900-01-01', CASE WHEN s.id = 3 THEN 2 ELSE 1 END, 'P', 'N1C', "
	            "'03', 'AFC-5-1', 'AFC-5', 'NURSE_HV', 'fallback', 0, 37.5, 1.0, 'permanent', "
	            "CASE WHEN s.id = 2 THEN 1 ELSE NULL END, 0, 0, 1 FROM staff s"},
	    {.name = "t_pf_link",
	     .sql = "UPDATE account SET person_id = CASE email WHEN 'line_manager@q1.test' THEN 1 "
	            "ELSE 2 END WHERE email = 'line_manager@q1.test' OR "
	            "email = 'staff_member@q1.test'"},
	};
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
		testdomain_exec(w->t->db, &q[i]);
	w->staff_in = 2;
	w->staff_out = 3;
}

/* body_for: a request body that succeeds when the request is allowed. */
static void body_for(struct world *w, const char *method, const char *pattern, char *out,
                     size_t outsz)
{
	out[0] = '\0';
	w->multipart = false;
	if (strcmp(method, "POST") != 0)
		return;
	if (strcmp(pattern, "/imports") == 0 || strcmp(pattern, "/api/v1/imports") == 0) {
		/* the CSRF part follows (send) */
		w->multipart = true;
		(void)snprintf(
		    out, outsz,
		    "--" UPLOAD_BOUNDARY "\r\nContent-Disposition: form-data; "
		    "name=\"kind\"\r\n\r\nestablishment\r\n--" UPLOAD_BOUNDARY
		    "\r\nContent-Disposition: form-data; name=\"file\"; "
		    "filename=\"m.csv\"\r\nContent-Type: text/csv\r\n\r\n" UPLOAD_POST_CSV "\r\n");
	} else if (strcmp(pattern, "/sign-in") == 0)
		(void)snprintf(out, outsz,
		               "email=signin%%40rt1.test&password=correct+horse+battery");
	else if (strcmp(pattern, "/users") == 0)
		(void)snprintf(out, outsz, "email=m%d%%40rt1.test&name=M&org=RT1&role=staff_member",
		               ++w->counter);
	else if (strcmp(pattern, "/tokens") == 0)
		(void)snprintf(out, outsz, "email=in%%40rt1.test&label=matrix");
	else if (strncmp(pattern, "/users/{id:int}/grants", 22) == 0)
		(void)snprintf(out, outsz, "role=talent_lead&org=RT1");
	else if (strcmp(pattern, "/assess/rounds/{id:int}/actions") == 0 ||
	         strcmp(pattern, "/api/v1/assess/rounds/{id:int}/actions") == 0)
		(void)snprintf(out, outsz,
		               "factor=leadership&action=Matrix&owner=M&due=2027-03-31");
	else if (strcmp(pattern, "/assess/rounds/{id:int}/actions/{action:int}") == 0 ||
	         strcmp(pattern, "/api/v1/assess/rounds/{id:int}/actions/{action:int}") == 0)
		(void)snprintf(out, outsz, "status=in_progress&note=matrix%d", ++w->counter);
	else if (strcmp(pattern, "/assess/rounds/{id:int}/share") == 0)
		(void)snprintf(out, outsz, "statement=%s&text=Matrix", w->share_stmt);
	else if (strcmp(pattern, "/assess") == 0) {
		int y = 2040 + ++w->counter;
		(void)snprintf(out, outsz, "org=RT1&period=%d%%2F%02d&group=board", y,
		               (y + 1) % 100);
	} else if (strcmp(pattern, "/assess/rounds/{id:int}/invite") == 0)
		(void)snprintf(out, outsz, "add-board=matrix-%d", ++w->counter);
	else if (strcmp(pattern, "/assess/rounds/{id:int}/answer") == 0)
		(void)snprintf(out, outsz, "action=save");
	else if (strcmp(pattern, "/assess/rounds/{id:int}/sign-off") == 0)
		(void)snprintf(out, outsz, "confirm=yes");
	else if (strcmp(pattern, "/api/v1/assess/rounds/{id:int}/answers") == 0)
		(void)snprintf(out, outsz, "{\"answers\": []}");
}

static struct testweb_reply send(struct world *w, const char *method, const char *path,
                                 const struct actor_acct *a, const char *body)
{
	struct buf req;
	buf_init(&req, 8192);
	char cookie[SESSION_ID_TEXT] = "", token[SESSION_CSRF_TEXT] = "";
	if (a) {
		session_id_encode(a->sid, cookie);
		session_csrf_token(a->sid, token);
	}
	/* a JSON body (the API) carries the token in X-CSRF-Token */
	bool json = body[0] == '{';
	size_t blen = strlen(body) + (a && strcmp(method, "POST") == 0 ? 80 : 0) + 200;
	char *full = xmalloc(blen + 1);
	if (w->multipart)
		(void)snprintf(full, blen + 1,
		               "%s--" UPLOAD_BOUNDARY "\r\nContent-Disposition: form-data; "
		               "name=\"csrf_token\"\r\n\r\n%s\r\n--" UPLOAD_BOUNDARY "--\r\n",
		               body, token);
	else if (a && strcmp(method, "POST") == 0 && !json)
		(void)snprintf(full, blen + 1, "%s%scsrf_token=%s", body, *body ? "&" : "", token);
	else
		(void)snprintf(full, blen + 1, "%s", body);
	if (buf_printf(&req, NULL, "%s %s HTTP/1.1\r\nHost: cadre.test\r\n", method, path) ||
	    (a && buf_printf(&req, NULL, "Cookie: %s=%s\r\n", WEB_AUTH_COOKIE, cookie)) ||
	    (strcmp(method, "POST") == 0 && json && a &&
	     buf_printf(&req, NULL, "X-CSRF-Token: %s\r\n", token)) ||
	    (strcmp(method, "POST") == 0 &&
	     buf_printf(&req, NULL, "Content-Type: %s\r\nContent-Length: %zu\r\n",
	                json           ? "application/json"
	                : w->multipart ? "multipart/form-data; boundary=" UPLOAD_BOUNDARY
	                               : "application/x-www-form-urlencoded",
	                strlen(full))) ||
	    buf_printf(&req, NULL, "\r\n%s", full))
		fail_msg("request too long");
	struct testweb_reply r = testweb_send(w->app, buf_cstr(&req));
	buf_free(&req);
	free(full);
	return r;
}

static int64_t issue(struct world *w, int64_t account)
{
	char secret[TOKEN_TEXT];
	int64_t id;
	struct cadre_err e;
	if (token_issue(&w->t->sys, w->t->db, w->t->key, account, "fixture", &w->t->clk.clock,
	                secret, &id, &e) != CADRE_OK)
		fail_msg("token_issue: %s", e.msg);
	return id;
}

/* assess_fixture: the shipped toolkits and the rounds fill_path names */
static void assess_fixture(struct world *w, const struct actor_acct *q1, size_t nq1)
{
	struct testdomain *t = w->t;
	struct cadre_err e;
	char *dir = testorg_path("data/toolkits");
	if (toolkit_load_dir(&t->sys, t->db, t->key, dir, &t->clk.clock, NULL, NULL, &e) !=
	    CADRE_OK)
		fail_msg("toolkit_load_dir: %s", e.msg);
	free(dir);
	const struct {
		const char *org;
		int period;
		int64_t *id;
	} rounds[] = {{"RT1", 2025, &w->round_a},
	              {"RT1", 2024, &w->round_b},
	              {"RT1", 2023, &w->round_c},
	              {"RT3", 2025, &w->round_d}};
	for (size_t i = 0; i < sizeof rounds / sizeof rounds[0]; i++) {
		struct assess_open_req o = {
		    .ref = {.org = rounds[i].org, .period = rounds[i].period},
		    .opened_by = "Matrix CPO"};
		if (assess_open(&t->sys, t->db, t->key, &o, &t->clk.clock, rounds[i].id, &e) !=
		    CADRE_OK)
			fail_msg("assess_open %s: %s", rounds[i].org, e.msg);
	}
	const char **ids = xcalloc(nq1, sizeof *ids);
	for (size_t i = 0; i < nq1; i++)
		ids[i] = q1[i].email;
	struct assess_ref a = {.org = "RT1", .period = 2025};
	if (assess_invite(&t->sys, t->db, t->key, &a, "board", ids, nq1, &t->clk.clock, &e) !=
	    CADRE_OK)
		fail_msg("assess_invite: %s", e.msg);
	free(ids);
	struct assess_ref c = {.org = "RT1", .period = 2023};
	if (assess_close(&t->sys, t->db, t->key, &c, "Matrix CPO", &t->clk.clock, &e) != CADRE_OK)
		fail_msg("assess_close: %s", e.msg);
}

/* results_fixture: signed-off rounds of RT1 (inside) and RT3 (outside) in
 * 2026/27 (the demo's, with its actions; a period assess_fixture leaves
 * alone) and a statement RT1 scored 4 or more. */
static void results_fixture(struct world *w)
{
	static const char *const orgs[] = {"RT1", "RT3"};
	static const int periods[] = {2026};
	struct cadre_err e;
	struct testdomain *t = w->t;
	if (assess_demo_seed(&t->sys, t->db, t->key, orgs, 2, periods, 1, 2, &t->clk.clock, &e) !=
	    CADRE_OK)
		fail_msg("assess_demo_seed: %s", e.msg);
	json_t *rep[2] = {NULL, NULL};
	for (int i = 0; i < 2; i++) {
		struct assess_ref ref = {.org = orgs[i], .period = 2026, .toolkit = NULL};
		if (assess_report_json(&t->sys, t->db, &ref, &rep[i], &e) != CADRE_OK)
			fail_msg("assess_report_json: %s", e.msg);
		if (json_array_size(json_object_get(rep[i], "actions")) == 0)
			fail_msg("the demo round of %s has no actions", orgs[i]);
	}
	w->round_in = json_integer_value(json_object_get(json_object_get(rep[0], "round"), "id"));
	w->round_out = json_integer_value(json_object_get(json_object_get(rep[1], "round"), "id"));
	w->action_in = json_integer_value(
	    json_object_get(json_array_get(json_object_get(rep[0], "actions"), 0), "id"));
	w->action_out = json_integer_value(
	    json_object_get(json_array_get(json_object_get(rep[1], "actions"), 0), "id"));
	size_t i, k;
	const json_t *f, *st;
	json_array_foreach(json_object_get(json_object_get(rep[0], "results"), "factors"), i, f)
	{
		json_array_foreach(json_object_get(f, "statements"), k, st)
		{
			if (!w->share_stmt[0] &&
			    json_number_value(json_object_get(st, "score")) >= 4)
				(void)snprintf(w->share_stmt, sizeof w->share_stmt, "%s",
				               json_string_value(json_object_get(st, "id")));
		}
	}
	json_decref(rep[0]);
	json_decref(rep[1]);
	if (!w->share_stmt[0])
		fail_msg("RT1's demo round scored no statement 4 or more");
}

static const char *org_rule(const struct web_route *r, char *buf, size_t n)
{
	if (r->org_from == WEB_ORG_PATH)
		(void)snprintf(buf, n, "path:%s", r->org_param);
	else if (r->org_from == WEB_ORG_LOOKUP)
		(void)snprintf(buf, n, "lookup:%s", r->org_lookup_name);
	else
		(void)snprintf(buf, n, "none");
	return buf;
}

static void test_matrix(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	log_set_level(LOG_WARN); /* a sign-in per POST: quiet */
	struct files *fl = xcalloc(1, sizeof *fl);
	read_csv("docs/access-policy.csv", 4, put_rule, fl);
	read_csv("docs/access-routes.csv", 4, put_route, fl);
	assert_true(fl->nrules > 50);

	struct buf fails;
	buf_init(&fails, 1 << 20);
	size_t nfail = 0;

	/* 1. the table against the reviewed list, both ways */
	for (size_t i = 0; i < web_route_count; i++) {
		const struct web_route *r = &web_routes[i];
		struct rroute *want = NULL;
		for (size_t k = 0; k < fl->nroutes && !want; k++)
			if (strcmp(fl->routes[k].method, r->method) == 0 &&
			    strcmp(fl->routes[k].path, r->pattern) == 0)
				want = &fl->routes[k];
		char org[96];
		org_rule(r, org, sizeof org);
		if (!want) {
			nfail++;
			(void)buf_printf(&fails, NULL, "%s %s: not in docs/access-routes.csv\n",
			                 r->method, r->pattern);
			continue;
		}
		want->seen = true;
		if (strcmp(want->permission, r->permission) != 0 || strcmp(want->org, org) != 0) {
			nfail++;
			(void)buf_printf(
			    &fails, NULL,
			    "%s %s: declared %s / %s, docs/access-routes.csv says %s / %s\n",
			    r->method, r->pattern, r->permission, org, want->permission, want->org);
		}
	}
	for (size_t k = 0; k < fl->nroutes; k++)
		if (!fl->routes[k].seen) {
			nfail++;
			(void)buf_printf(&fails, NULL,
			                 "docs/access-routes.csv: %s %s is no route\n",
			                 fl->routes[k].method, fl->routes[k].path);
		}
	/* the policy states every role for every permission a route needs */
	size_t nroles;
	const struct role_def *roles = role_defs(&nroles);
	for (size_t k = 0; k < fl->nroutes; k++) {
		const char *perm = fl->routes[k].permission;
		if (strcmp(perm, "public") == 0 || rule_of(fl, POLICY_ANY_ACCOUNT, perm) != NULL)
			continue;
		for (size_t r = 0; r < nroles; r++)
			if (!rule_of(fl, roles[r].id, perm)) {
				nfail++;
				(void)buf_printf(&fails, NULL,
				                 "docs/access-policy.csv: %s / %s is not stated\n",
				                 roles[r].id, perm);
			}
	}

	/* 2. the fixture */
	struct world w = {.t = t};
	testauth_build(t);
	w.user_in = testauth_user(t, "in@rt1.test", "staff_member", "RT1");
	w.user_out = testauth_user(t, "out@rt3.test", "staff_member", "RT3");
	testauth_user(t, "signin@rt1.test", "staff_member", "RT1");
	w.token_in = issue(&w, w.user_in);
	w.token_out = issue(&w, w.user_out);
	size_t nactors = nroles + 1;
	struct actor_acct *q1 = xcalloc(nactors, sizeof *q1);
	struct actor_acct *eng = xcalloc(nactors, sizeof *eng);
	for (size_t r = 0; r < nactors; r++) {
		const char *role = r < nroles ? roles[r].id : POLICY_ANY_ACCOUNT;
		(void)snprintf(q1[r].email, sizeof q1[r].email, "%s@q1.test", role);
		(void)snprintf(eng[r].email, sizeof eng[r].email, "%s@eng.test", role);
		testauth_user(t, q1[r].email, r < nroles ? role : NULL, "Q1");
		testauth_user(t, eng[r].email, r < nroles ? role : NULL, "ENG");
	}
	people_fixture(&w);
	assess_fixture(&w, q1, nactors);
	results_fixture(&w);
	struct web_auth_options ao = {
	    .audit_key = t->key,
	    .limits = {.idle_us = INT64_C(30) * 60 * 1000000,
	               .absolute_us = INT64_C(12) * 3600 * 1000000},
	    .clk = &t->clk.clock,
	};
	assert_int_equal(web_auth_new(&ao, &w.auth, &e), CADRE_OK);
	struct web_app_options opt = {.db_url = t->url, .sign_in_path = "/sign-in"};
	web_auth_hooks(w.auth, &opt.hooks);
	assert_int_equal(web_app_new(&opt, &w.app, &e), CADRE_OK);
	const char *css = assets_url(web_app_assets(w.app), "nhsuk.css");
	assert_non_null(css);
	(void)snprintf(w.asset, sizeof w.asset, "%s", css + strlen("/assets/"));

	/* 3. every route x every role x inside and outside */
	size_t cases = 0;
	for (size_t i = 0; i < web_route_count; i++) {
		const struct web_route *r = &web_routes[i];
		const struct rroute *want = NULL;
		for (size_t k = 0; k < fl->nroutes && !want; k++)
			if (strcmp(fl->routes[k].method, r->method) == 0 &&
			    strcmp(fl->routes[k].path, r->pattern) == 0)
				want = &fl->routes[k];
		if (!want)
			continue; /* reported above */
		bool page = r->kind == WEB_ROUTE_PAGE;
		bool about_org = strcmp(want->org, "none") != 0;
		for (int in = 1; in >= 0; in--) {
			char path[256];
			if (!fill_path(&w, r->pattern, in, path, sizeof path)) {
				nfail++;
				(void)buf_printf(&fails, NULL,
				                 "%s %s: the matrix test has no fixture for its "
				                 "parameters\n",
				                 r->method, r->pattern);
				break;
			}
			for (size_t k = 0; k <= nactors; k++) {
				/* k == nactors: no one signed in */
				const char *role = k < nroles    ? roles[k].id
				                   : k < nactors ? POLICY_ANY_ACCOUNT
				                                 : NULL;
				/* no one signed in still has the pre-session cookie the
				 * sign-in page gives, which signs no one in */
				struct actor_acct anon;
				session_id_new(anon.sid);
				/* an object named in the path: RT1's or RT3's, asked by
				 * the Q1 account; a fixed object (England, or none):
				 * asked by the England account inside, the Q1 one outside */
				bool fixed = !strchr(r->pattern, '{');
				bool over_root = in && (fixed || !about_org);
				struct actor_acct *a = &anon;
				if (role)
					a = over_root ? &eng[k] : &q1[k];
				if (role && (!a->signed_in || strcmp(r->method, "POST") == 0))
					sign_in(&w, a);
				/* each request of an upload's routes gets its own upload */
				if (import_route(r->pattern))
					(void)fill_path(&w, r->pattern, in, path, sizeof path);
				char body[1024];
				body_for(&w, r->method, r->pattern, body, sizeof body);
				struct testweb_reply rep = send(&w, r->method, path, a, body);
				enum outcome got = classify(&rep, r->method);
				enum outcome exp = expect(fl, want, page, role, in, over_root);
				/* the browser's top (/orgs) sends an account whose grants
				 * do not cover England to its own top node: the Q1
				 * account is then inside its own grant */
				if (!in && role && strcmp(role, POLICY_ANY_ACCOUNT) != 0 &&
				    strcmp(want->org, "lookup:page_orgs_root") == 0)
					exp = expect(fl, want, page, role, true, false);
				cases++;
				if (got != exp) {
					nfail++;
					(void)buf_printf(
					    &fails, NULL,
					    "%s %s as %s (%s scope): %s (%d), expected %s\n",
					    r->method, path, role ? role : "anonymous",
					    in ? "inside" : "outside", outcome_name(got),
					    rep.status, outcome_name(exp));
				}
				testweb_free(&rep);
				if (strcmp(r->method, "POST") == 0)
					a->signed_in = false; /* it may have signed in or out */
			}
		}
	}
	(void)fprintf(stderr, "access matrix: %zu routes, %zu roles, %zu requests\n",
	              web_route_count, nroles, cases);
	web_app_free(w.app);
	web_auth_free(w.auth);
	free(q1);
	free(eng);
	free(fl);
	if (nfail) {
		char *text = buf_detach(&fails);
		fail_msg("%zu access matrix failures:\n%.20000s", nfail, text ? text : "");
	}
	buf_free(&fails);
	assert_true(cases >= web_route_count * 2 * (nroles + 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_matrix, testdomain_setup_sqlite,
	                                    testdomain_teardown),
	    cmocka_unit_test_setup_teardown(test_matrix, testdomain_setup_pg, testdomain_teardown),
	};
	return cmocka_run_group_tests_name("web_access", tests, NULL, NULL);
}
