/* router: the route table, the application object and the request
 * lifecycle every transport shares.
 *
 * Design note
 * - Routes are declared by annotations beside their handlers (WEBPAGE: for
 *   pages people read, API: for the JSON interface; docs/web.md gives the
 *   format).  tools/mkroutes.py turns them into one generated table,
 *   web_routes[], which the router dispatches on, `cadre help routes` lists
 *   and the OpenAPI document describes.  A route states its method, path
 *   pattern with typed parameters, the permission it needs, how the
 *   object's organisation is found, whether a CSRF token is required, its
 *   cacheability and its body cap.
 * - The router enforces the declaration before the handler runs:
 *     match (404 unknown path, 405 + Allow wrong method; HEAD served by GET)
 *     -> body cap (413, before the body is read) -> who is asking (authn
 *     hook; anonymous when no credentials) -> 401 for anonymous on a
 *     non-public route -> the organisation (route parameter or lookup;
 *     unknown is 404) -> authz hook: CADRE_EPERM is 403, CADRE_ENOTFOUND
 *     (outside the actor's scope) is 404, so existence is never revealed
 *     -> CSRF hook for unsafe methods -> body must be UTF-8 when text ->
 *     handler.
 * - The hooks are the seams for accounts, sessions, grants and CSRF tokens
 *   (a later issue).  Without hooks every request is anonymous, non-public
 *   routes answer 401, and CSRF-protected routes refuse every request.
 * - GET and HEAD handlers see the database only inside a read-only
 *   transaction (web_req_db); other methods get the bare connection and
 *   their domain calls open write transactions.  Each worker thread has
 *   its own connection, opened on its first request and closed when the
 *   application is freed; a connection that failed is closed and reopened
 *   on the next request.
 * - Errors become RFC 9457 application/problem+json for /api/ routes and an
 *   HTML page for people, carrying the request id; the reason is shown
 *   only for 4xx (written for people by our own code), never for 500. */
#ifndef CADRE_WEB_ROUTER_H
#define CADRE_WEB_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "web/request.h"

struct actor;
struct assets;
struct store;
struct template_set;

typedef int (*web_handler_fn)(struct web_request *req, struct web_response *resp,
                              struct cadre_err *err);

/* web_org_lookup_fn: find the organisation of the object a request names
 * (an `ORG: lookup FN` route): CADRE_OK with *org_id, CADRE_ENOTFOUND when
 * there is no such object. */
typedef int (*web_org_lookup_fn)(struct web_request *req, int64_t *org_id, struct cadre_err *err);

enum web_org_from {
	WEB_ORG_NONE = 0, /* the route is about no one organisation */
	WEB_ORG_PATH,     /* a path parameter is the organisation's code */
	WEB_ORG_LOOKUP,   /* a function finds it from the request */
};

enum web_route_kind {
	WEB_ROUTE_PAGE = 1, /* WEBPAGE: HTML for people */
	WEB_ROUTE_API = 2,  /* API: JSON, errors as problem+json */
};

struct web_route {
	const char *method;     /* "GET", "POST", ... (never HEAD) */
	const char *pattern;    /* "/orgs/{code:code}/staff/{id:int}" */
	const char *permission; /* "public" or an id such as "org.read" */
	enum web_org_from org_from;
	const char *org_param;        /* WEB_ORG_PATH: the parameter's name */
	web_org_lookup_fn org_lookup; /* WEB_ORG_LOOKUP */
	const char *org_lookup_name;
	bool csrf;            /* a CSRF token is required */
	const char *cache;    /* the Cache-Control value */
	const char *produces; /* the success media type */
	size_t body_max;      /* the largest body accepted */
	enum web_route_kind kind;
	web_handler_fn handler;
	const char *handler_name;
	const char *summary;
	const char *help;
};

/* The generated table (web_routes.c), sorted by pattern then method, and
 * the OpenAPI 3.1 document generated from it. */
extern const struct web_route web_routes[];
extern const size_t web_route_count;
extern const char web_openapi_json[];

/* Parameter types in patterns: {name} or {name:str} one non-empty
 * segment; {name:int} a whole number from 1 to 2^63-1; {name:code} 1 to
 * 16 letters and digits (ODS and other codes). */

/* web_hooks: the seams for identity, policy and CSRF.  Each may be NULL;
 * ctx is passed to each. */
struct web_hooks {
	void *ctx;
	/* authn: who is asking.  Set *out to an actor that lives as long as
	 * the request (web_req_alloc), or leave it NULL for anonymous. */
	int (*authn)(void *ctx, struct web_request *req, const struct actor **out,
	             struct cadre_err *err);
	/* authz: may actor use permission on organisation org_id (0 when the
	 * route names none)?  CADRE_OK, CADRE_EPERM (403) or CADRE_ENOTFOUND
	 * (404: outside the actor's scope).  Never called for public routes or
	 * anonymous requests.  Without it, every non-public route is 403. */
	int (*authz)(void *ctx, const struct actor *actor, const char *permission, int64_t org_id,
	             struct cadre_err *err);
	/* org_by_code: the organisation with this code (CADRE_ENOTFOUND when
	 * none), for `ORG: path` routes.  Without it they are all 404. */
	int (*org_by_code)(void *ctx, struct web_request *req, const char *code, int64_t *org_id,
	                   struct cadre_err *err);
	/* csrf_check: CADRE_OK when the request carries a valid CSRF token.
	 * Without it, every CSRF-protected request is refused (403). */
	int (*csrf_check)(void *ctx, struct web_request *req, struct cadre_err *err);
	/* page: add what every page's layout reads about the person asking
	 * (user, csrf_token) to a page's context, before web_render renders
	 * it.  Without it pages show no one signed in. */
	int (*page)(void *ctx, struct web_request *req, json_t *page, struct cadre_err *err);
	/* respond: the last word on every reply of a request that reached
	 * authn, error replies included: set, replace or clear cookies. */
	void (*respond)(void *ctx, struct web_request *req, struct web_response *resp);
};

struct web_app_options {
	const char *db_url;             /* NULL: no database; web_req_db answers 503 */
	const struct web_route *routes; /* NULL: the generated table */
	size_t nroutes;
	struct web_hooks hooks;
	const char *public_url;      /* server.public_url, or NULL/"" */
	const char *trusted_proxies; /* server.trusted_proxies, or NULL/"" */
	bool log_requests;           /* one log line per request */
	/* sign_in_path: where an anonymous GET of a page that needs an account
	 * is sent (303, with ?next= the page); NULL or "": answer 401 */
	const char *sign_in_path;
};

struct web_app;

/* web_app_new: an application for opt (copied; strings too).
 * CADRE_EINVAL when the trusted proxies or public URL are malformed. */
int web_app_new(const struct web_app_options *opt, struct web_app **out, struct cadre_err *err);

/* web_app_free: close every connection any thread opened and free app.
 * Call it only when no thread will use app again (after the server has
 * stopped).  NULL is allowed. */
void web_app_free(struct web_app *app);

/* web_app_templates / web_app_assets: the page templates and static assets,
 * loaded and checked once by web_app_new (a broken template stops start-up
 * with its file and line).  Read-only afterwards: safe from every thread. */
const struct template_set *web_app_templates(const struct web_app *app);
const struct assets *web_app_assets(const struct web_app *app);

/* web_render: render the page template name ("home") with ctx (a JSON
 * object, borrowed; keys the layout needs and ctx lacks are added: assets,
 * user false, errors []) as the reply's HTML body.  CADRE_EINTERNAL (a
 * clean 500) when it fails; the reply is then untouched. */
int web_render(struct web_request *req, struct web_response *resp, const char *name, json_t *ctx,
               struct cadre_err *err);

/* web_app_routes: the table app dispatches on; *n gets its length. */
const struct web_route *web_app_routes(const struct web_app *app, size_t *n);

/* web_app_connections: how many database connections are open now (one at
 * most per thread that has needed one). */
size_t web_app_connections(struct web_app *app);

/* web_request_begin: after the request line and headers: set the client
 * address and scheme (trusting X-Forwarded-For and -Proto only from a
 * trusted proxy), check the header count, match the route and decide the
 * body cap (req->body_max).  Returns true when the transport should read a
 * body of at most req->body_max bytes and call web_request_run; false when
 * resp already holds the (error) reply, complete with headers. */
bool web_request_begin(struct web_app *app, struct web_request *req, struct web_response *resp);

/* web_request_run: with the body in place, do everything else (see the
 * design note) and leave the complete reply in resp. */
void web_request_run(struct web_app *app, struct web_request *req, struct web_response *resp);

/* web_request_log: the request's log line (when the application logs
 * requests): method, route, status, microseconds, request id, user id. */
void web_request_log(struct web_app *app, const struct web_request *req,
                     const struct web_response *resp);

/* web_req_db: the database for this request.  For GET and HEAD, inside a
 * read-only transaction begun on first use; for other methods, the bare
 * connection.  CADRE_EBUSY (503) when the database cannot be reached.
 * Owned by the worker thread; valid until the handler returns. */
int web_req_db(struct web_request *req, struct store **out, struct cadre_err *err);

/* web_req_conn: the worker thread's connection with no transaction begun,
 * for an authn hook that must write (a session's last-seen time) before a
 * GET's read transaction starts.  Handlers use web_req_db. */
int web_req_conn(struct web_request *req, struct store **out, struct cadre_err *err);

/* web_route_match: does path (percent-encoded, without the query) match
 * r's pattern?  On a match, fills req->params (decoded, in the request's
 * arena) and returns true. */
bool web_route_match(const struct web_route *r, const char *path, struct web_request *req);

/* web_error: replace resp with the error reply for http_status: problem+
 * json for API routes (and unmatched /api/ paths), HTML otherwise.  detail
 * is shown for 4xx statuses, never for 5xx.  Field errors already in resp
 * are kept (422). */
void web_error(struct web_request *req, struct web_response *resp, int http_status,
               const char *detail);

/* web_error_shown: web_error with detail shown whatever the status: for
 * the router's own fixed messages (a stale CSRF token's 403), never for a
 * reason that came from a check or a handler. */
void web_error_shown(struct web_request *req, struct web_response *resp, int http_status,
                     const char *detail);

/* web_response_finish: the headers every reply gets: Content-Type,
 * Cache-Control (the route's, or no-store), the security headers (CSP,
 * nosniff, Referrer-Policy, X-Frame-Options; HSTS over HTTPS) and
 * X-Request-Id.  Called by the router; transports add Content-Length. */
void web_response_finish(struct web_request *req, struct web_response *resp);

/* web_status_reason: the reason phrase for an HTTP status ("Not Found"). */
const char *web_status_reason(int status);

/* web_status_for: the HTTP status for a cadre status (DESIGN.md's table). */
int web_status_for(int cadre_status);

#endif
