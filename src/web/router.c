/* router: matching, the checks before a handler, connections and
 * transactions, and the reply's last headers (see router.h). */
#include "web/router.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/num.h"
#include "base/utf8.h"
#include "domain/actor.h"
#include "domain/db.h"
#include "domain/web_tx.h"
#include "io/assets.h"
#include "io/template.h"
#include "web/proxy.h"

/* one database connection, owned by the thread that opened it */
struct conn_node {
	struct store *db;
	struct conn_node *next;
};

struct web_app {
	char *db_url;
	const struct web_route *routes;
	size_t nroutes;
	struct web_hooks hooks;
	char *public_url;
	bool public_https;
	struct web_proxies *proxies;
	bool log_requests;
	char *sign_in_path;
	struct template_set templates;
	struct assets assets;
	pthread_key_t key; /* the calling thread's struct conn_node */
	pthread_mutex_t lock;
	struct conn_node *conns;
	size_t nconns;
};

/* the longest path the router will look at, in segments */
#define SEGMENTS_MAX 32

int web_app_new(const struct web_app_options *opt, struct web_app **out, struct cadre_err *err)
{
	if (sodium_init() < 0)
		return cadre_err_set(err, CADRE_EINTERNAL, "libsodium failed to start");
	const char *pub = opt->public_url ? opt->public_url : "";
	if (*pub && strncmp(pub, "http://", 7) != 0 && strncmp(pub, "https://", 8) != 0)
		return cadre_err_set(err, CADRE_EINVAL, "public URL '%.60s' is not http(s)://",
		                     pub);
	struct web_proxies *proxies;
	int rc = web_proxies_parse(opt->trusted_proxies, &proxies, err);
	if (rc != CADRE_OK)
		return rc;
	struct web_app *app = xcalloc(1, sizeof *app);
	template_set_init(&app->templates);
	rc = template_set_load_embedded(&app->templates, err);
	if (rc == CADRE_OK)
		rc = assets_load_embedded(&app->assets, err);
	if (rc != CADRE_OK) {
		template_set_free(&app->templates);
		assets_free(&app->assets);
		web_proxies_free(proxies);
		free(app);
		return rc;
	}
	app->db_url = opt->db_url ? xstrdup(opt->db_url) : NULL;
	app->routes = opt->routes ? opt->routes : web_routes;
	app->nroutes = opt->routes ? opt->nroutes : web_route_count;
	app->hooks = opt->hooks;
	app->public_url = xstrdup(pub);
	app->public_https = strncmp(pub, "https://", 8) == 0;
	app->proxies = proxies;
	app->log_requests = opt->log_requests;
	app->sign_in_path =
	    opt->sign_in_path && *opt->sign_in_path ? xstrdup(opt->sign_in_path) : NULL;
	if (pthread_key_create(&app->key, NULL) != 0) {
		template_set_free(&app->templates);
		assets_free(&app->assets);
		web_proxies_free(proxies);
		free(app->db_url);
		free(app->public_url);
		free(app->sign_in_path);
		free(app);
		return cadre_err_set(err, CADRE_EINTERNAL, "pthread_key_create failed");
	}
	(void)pthread_mutex_init(&app->lock, NULL);
	*out = app;
	return CADRE_OK;
}

void web_app_free(struct web_app *app)
{
	if (!app)
		return;
	struct conn_node *n = app->conns;
	while (n) {
		struct conn_node *next = n->next;
		db_close(n->db);
		free(n);
		n = next;
	}
	(void)pthread_setspecific(app->key, NULL);
	(void)pthread_key_delete(app->key);
	(void)pthread_mutex_destroy(&app->lock);
	web_proxies_free(app->proxies);
	template_set_free(&app->templates);
	assets_free(&app->assets);
	free(app->db_url);
	free(app->public_url);
	free(app->sign_in_path);
	free(app);
}

const struct template_set *web_app_templates(const struct web_app *app)
{
	return &app->templates;
}

const struct assets *web_app_assets(const struct web_app *app)
{
	return &app->assets;
}

int web_render(struct web_request *req, struct web_response *resp, const char *name, json_t *ctx,
               struct cadre_err *err)
{
	const struct web_app *app = req->app;
	if (!json_is_object(ctx))
		return cadre_err_set(err, CADRE_EINTERNAL, "page %s: the context is not an object",
		                     name);
	if (app->hooks.page) {
		int prc = app->hooks.page(app->hooks.ctx, req, ctx, err);
		if (prc != CADRE_OK)
			return prc;
	}
	if (!json_object_get(ctx, "assets"))
		(void)json_object_set_new(ctx, "assets", assets_json(&app->assets));
	if (!json_object_get(ctx, "user"))
		(void)json_object_set_new(ctx, "user", json_false());
	if (!json_object_get(ctx, "errors"))
		(void)json_object_set_new(ctx, "errors", json_array());
	/* on failure nothing is appended: never half a page */
	int rc = template_render(&app->templates, name, ctx, 0, &resp->body, err);
	if (rc != CADRE_OK)
		return rc;
	resp->content_type = "text/html; charset=utf-8";
	return CADRE_OK;
}

const struct web_route *web_app_routes(const struct web_app *app, size_t *n)
{
	*n = app->nroutes;
	return app->routes;
}

size_t web_app_connections(struct web_app *app)
{
	(void)pthread_mutex_lock(&app->lock);
	size_t n = app->nconns;
	(void)pthread_mutex_unlock(&app->lock);
	return n;
}

/* conn_get: this thread's connection, opened on first use. */
static int conn_get(struct web_app *app, struct store **out, struct cadre_err *err)
{
	struct conn_node *node = pthread_getspecific(app->key);
	if (node) {
		*out = node->db;
		return CADRE_OK;
	}
	if (!app->db_url)
		return cadre_err_set(err, CADRE_EBUSY, "no database is configured");
	struct store *db;
	struct cadre_err e;
	if (db_open(app->db_url, &db, &e) != CADRE_OK) {
		struct log_line l;
		log_begin(&l, LOG_ERROR, "db.open_failed");
		log_err(&l, &e);
		log_end(&l);
		return cadre_err_set(err, CADRE_EBUSY, "the database is not available");
	}
	node = xcalloc(1, sizeof *node);
	node->db = db;
	(void)pthread_mutex_lock(&app->lock);
	node->next = app->conns;
	app->conns = node;
	app->nconns++;
	(void)pthread_mutex_unlock(&app->lock);
	(void)pthread_setspecific(app->key, node);
	*out = db;
	return CADRE_OK;
}

/* conn_discard: close this thread's connection (after a failure that may
 * have broken it); the next request opens a new one. */
static void conn_discard(struct web_app *app)
{
	struct conn_node *node = pthread_getspecific(app->key);
	if (!node)
		return;
	(void)pthread_mutex_lock(&app->lock);
	for (struct conn_node **p = &app->conns; *p; p = &(*p)->next) {
		if (*p == node) {
			*p = node->next;
			app->nconns--;
			break;
		}
	}
	(void)pthread_mutex_unlock(&app->lock);
	(void)pthread_setspecific(app->key, NULL);
	db_close(node->db);
	free(node);
}

static bool safe_method(const char *m)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

int web_req_conn(struct web_request *req, struct store **out, struct cadre_err *err)
{
	if (!req->db) {
		int rc = conn_get(req->app, &req->db, err);
		if (rc != CADRE_OK)
			return rc;
	}
	*out = req->db;
	return CADRE_OK;
}

int web_req_db(struct web_request *req, struct store **out, struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_conn(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	if (safe_method(req->method) && !req->db_read_tx) {
		rc = web_tx_read_begin(db, err);
		if (rc != CADRE_OK)
			return rc;
		req->db_read_tx = true;
	}
	*out = db;
	return CADRE_OK;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* seg_decode: percent-decode one path segment into the arena: NULL when
 * it is malformed, holds a control character or is not UTF-8. */
static char *seg_decode(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int hi = i + 1 < n ? hexval((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return NULL;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f)
			return NULL;
		d[k++] = (char)c;
	}
	d[k] = '\0';
	if (!utf8_valid(d, k, NULL))
		return NULL;
	return d;
}

/* param_accepts: does value suit the parameter type? */
static bool param_accepts(const char *type, size_t tlen, const char *value, int64_t *num)
{
	size_t n = strlen(value);
	*num = 0;
	if (tlen == 0 || (tlen == 3 && memcmp(type, "str", 3) == 0))
		return n > 0 && strcmp(value, ".") != 0 && strcmp(value, "..") != 0;
	if (tlen == 3 && memcmp(type, "int", 3) == 0) {
		struct cadre_err e;
		return num_parse_i64_range(value, n, 1, INT64_MAX, num, &e) == CADRE_OK;
	}
	if (tlen == 4 && memcmp(type, "code", 4) == 0) {
		if (n == 0 || n > 16)
			return false;
		for (size_t i = 0; i < n; i++) {
			char c = value[i];
			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			      (c >= '0' && c <= '9')))
				return false;
		}
		return true;
	}
	return false;
}

bool web_route_match(const struct web_route *r, const char *path, struct web_request *req)
{
	const char *p = r->pattern;
	const char *q = path;
	req->nparams = 0;
	if (p[0] != '/' || q[0] != '/')
		return false;
	if (strcmp(p, "/") == 0)
		return strcmp(q, "/") == 0;
	while (*p == '/' && *q == '/') {
		p++;
		q++;
		size_t plen = strcspn(p, "/");
		size_t qlen = strcspn(q, "/");
		if (qlen == 0)
			return false;
		if (p[0] == '{') {
			const char *close = memchr(p, '}', plen);
			if (!close || req->nparams == WEB_PARAMS_MAX)
				return false;
			const char *colon = memchr(p, ':', (size_t)(close - p));
			const char *name_end = colon ? colon : close;
			const char *type = colon ? colon + 1 : close;
			char *value = seg_decode(&req->arena, q, qlen);
			int64_t num;
			if (!value || !param_accepts(type, (size_t)(close - type), value, &num))
				return false;
			struct web_param *prm = &req->params[req->nparams++];
			prm->name = arena_strndup(&req->arena, p + 1, (size_t)(name_end - p - 1));
			prm->value = value;
			prm->num = num;
		} else if (plen != qlen || memcmp(p, q, plen) != 0) {
			return false;
		}
		p += plen;
		q += qlen;
	}
	return *p == '\0' && *q == '\0';
}

/* specificity: literal segments early in a pattern beat parameters, so
 * /orgs/new wins over /orgs/{code}. */
static uint32_t specificity(const char *pattern)
{
	uint32_t score = 0;
	int i = 0;
	for (const char *p = pattern; *p && i < SEGMENTS_MAX; i++) {
		if (*p == '/')
			p++;
		if (*p && *p != '{')
			score |= (uint32_t)1 << (SEGMENTS_MAX - 1 - i);
		p += strcspn(p, "/");
	}
	return score;
}

static bool method_matches(const struct web_route *r, const char *method)
{
	return strcmp(r->method, method) == 0 ||
	       (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0);
}

/* find: the best route for (method, path); NULL with allow listing the
 * methods the path does take ("GET, HEAD, POST"), or empty when none
 * (404). */
static const struct web_route *find(struct web_app *app, struct web_request *req, char *allow,
                                    size_t allowsz)
{
	const struct web_route *best = NULL;
	uint32_t best_score = 0;
	const char *methods[16];
	size_t nmethods = 0;
	for (size_t i = 0; i < app->nroutes; i++) {
		const struct web_route *r = &app->routes[i];
		if (!web_route_match(r, req->path, req))
			continue;
		if (method_matches(r, req->method)) {
			uint32_t s = specificity(r->pattern);
			if (!best || s > best_score) {
				best = r;
				best_score = s;
			}
		}
		const char *ms[2] = {r->method, strcmp(r->method, "GET") == 0 ? "HEAD" : NULL};
		for (int k = 0; k < 2 && ms[k]; k++) {
			bool seen = false;
			for (size_t j = 0; j < nmethods; j++)
				seen = seen || strcmp(methods[j], ms[k]) == 0;
			if (!seen && nmethods < sizeof methods / sizeof methods[0])
				methods[nmethods++] = ms[k];
		}
	}
	size_t alen = 0;
	allow[0] = '\0';
	for (size_t j = 0; j < nmethods; j++) {
		int w = snprintf(allow + alen, allowsz - alen, "%s%s", j ? ", " : "", methods[j]);
		if (w < 0 || (size_t)w >= allowsz - alen)
			break;
		alen += (size_t)w;
	}
	if (best)
		(void)web_route_match(best, req->path, req);
	return best;
}

/* content types whose bodies must be UTF-8 text */
static bool text_body(const char *ct)
{
	if (!ct)
		return true;
	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, "text/", 5) == 0 || strncasecmp(ct, "application/json", 16) == 0 ||
	       strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

static bool method_has_body(const char *m)
{
	return !safe_method(m);
}

/* refuse: the error reply for a request stopped before its handler. */
static bool refuse(struct web_request *req, struct web_response *resp, int status,
                   const char *detail)
{
	web_error(req, resp, status, detail);
	web_response_finish(req, resp);
	return false;
}

bool web_request_begin(struct web_app *app, struct web_request *req, struct web_response *resp)
{
	log_set_request_id(req->id);
	bool https = false;
	web_proxies_client(app->proxies, req->peer_addr, web_req_header(req, "X-Forwarded-For"),
	                   web_req_header(req, "X-Forwarded-Proto"), req->client_addr,
	                   sizeof req->client_addr, &https);
	req->secure = req->tls || https || app->public_https;
	req->head = strcmp(req->method, "HEAD") == 0;
	if (req->too_many_headers)
		return refuse(req, resp, 431, "The request has more than 100 header lines.");
	if (req->bad_header)
		return refuse(req, resp, 400,
		              "A header name is malformed or a value holds a control character.");
	char allow[128];
	req->route = find(app, req, allow, sizeof allow);
	if (!req->route) {
		if (!allow[0])
			return refuse(req, resp, 404, NULL);
		web_error(req, resp, 405, "This address does not accept this method.");
		struct cadre_err e;
		(void)web_resp_header_router(resp, "Allow", allow, &e);
		web_response_finish(req, resp);
		return false;
	}
	req->body_max = method_has_body(req->method) ? req->route->body_max : 0;
	if (web_req_header(req, "Transfer-Encoding"))
		return refuse(req, resp, 411, "Send the request body with a Content-Length.");
	const char *cl = web_req_header(req, "Content-Length");
	if (cl) {
		int64_t len;
		struct cadre_err e;
		if (num_parse_i64_range(cl, strlen(cl), 0, INT64_MAX, &len, &e) != CADRE_OK)
			return refuse(req, resp, 400, "The Content-Length header is malformed.");
		if ((uint64_t)len > req->body_max) {
			char msg[96];
			(void)snprintf(msg, sizeof msg,
			               "The request body is larger than this address accepts "
			               "(%zu bytes).",
			               req->body_max);
			return refuse(req, resp, 413, msg);
		}
	}
	return true;
}

int web_status_for(int cadre_status)
{
	return cadre_http_status(cadre_status);
}

/* fail: turn a status from a check or handler into the error reply. */
static void fail(struct web_request *req, struct web_response *resp, int rc,
                 const struct cadre_err *err)
{
	int status = resp->fail_status ? resp->fail_status : web_status_for(rc);
	if (rc == CADRE_EINVAL && !resp->fail_status && resp->nerrors > 0)
		status = 422;
	if (status >= 500) {
		/* the reason goes to the log, never to the client */
		struct log_line l;
		log_begin(&l, status == 503 ? LOG_WARN : LOG_ERROR, "http.error");
		log_str(&l, "route", req->route ? req->route->pattern : "-");
		log_int(&l, "status", status);
		log_err(&l, err);
		log_end(&l);
	}
	web_error(req, resp, status, err->msg[0] ? err->msg : NULL);
	if (rc == CADRE_EBUSY)
		resp->retry_after = 2;
}

/* end_db: close the read transaction, and roll back anything a handler
 * left open; a connection that failed is replaced on the next request. */
static void end_db(struct web_request *req, int rc)
{
	if (!req->db)
		return;
	int n = web_tx_abort(req->db);
	bool leaked = n > 0 && !req->db_read_tx;
	if (leaked) {
		struct log_line l;
		log_begin(&l, LOG_ERROR, "http.tx_left_open");
		log_str(&l, "route", req->route ? req->route->pattern : "-");
		log_end(&l);
	}
	if (n < 0 || rc == CADRE_EINTERNAL)
		conn_discard(req->app);
	req->db = NULL;
	req->db_read_tx = false;
}

/* sign_in_redirect: send an anonymous person asking for a page to the
 * sign-in page, which brings them back (?next=, percent-encoded; the
 * sign-in page accepts only a path on this site). */
static void sign_in_redirect(struct web_app *app, struct web_request *req,
                             struct web_response *resp)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b;
	struct cadre_err e;
	buf_init(&b, WEB_HEADER_VALUE_MAX);
	int rc = buf_puts(&b, app->sign_in_path, &e);
	if (rc == CADRE_OK && strcmp(req->target, "/") != 0) {
		rc = buf_puts(&b, "?next=", &e);
		for (const char *p = req->target; rc == CADRE_OK && *p; p++) {
			unsigned char c = (unsigned char)*p;
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '/' || c == '-' || c == '_' || c == '.')
				rc = buf_putc(&b, (char)c, &e);
			else if ((rc = buf_putc(&b, '%', &e)) == CADRE_OK &&
			         (rc = buf_putc(&b, hex[c >> 4], &e)) == CADRE_OK)
				rc = buf_putc(&b, hex[c & 15], &e);
		}
	}
	if (rc != CADRE_OK || web_resp_redirect(resp, 303, buf_cstr(&b), &e) != CADRE_OK)
		web_error(req, resp, 401, NULL);
	buf_free(&b);
}

void web_request_run(struct web_app *app, struct web_request *req, struct web_response *resp)
{
	const struct web_route *r = req->route;
	struct cadre_err err;
	cadre_err_clear(&err);
	int rc = CADRE_OK;
	log_set_request_id(req->id);
	if (req->body_len > 0 && text_body(web_req_header(req, "Content-Type")) &&
	    !utf8_valid(req->body, req->body_len, NULL)) {
		web_error(req, resp, 400, "The request body is not valid UTF-8.");
		goto done;
	}
	const struct actor *actor = NULL;
	if (app->hooks.authn) {
		rc = app->hooks.authn(app->hooks.ctx, req, &actor, &err);
		if (rc != CADRE_OK)
			goto failed;
	}
	req->actor = actor;
	bool public = strcmp(r->permission, "public") == 0;
	if (!public && !actor && app->sign_in_path && r->kind == WEB_ROUTE_PAGE &&
	    safe_method(req->method)) {
		sign_in_redirect(app, req, resp);
		goto done;
	}
	if (!public && !actor) {
		web_error(req, resp, 401, NULL);
		if (r->kind == WEB_ROUTE_API) {
			struct cadre_err e;
			(void)web_resp_header_router(resp, "WWW-Authenticate",
			                             "Bearer realm=\"cadre\"", &e);
		}
		goto done;
	}
	int64_t org_id = 0;
	if (r->org_from == WEB_ORG_PATH) {
		const char *code = web_req_param(req, r->org_param);
		if (!code || !app->hooks.org_by_code)
			rc = cadre_err_set(&err, CADRE_ENOTFOUND, "no organisation");
		else
			rc = app->hooks.org_by_code(app->hooks.ctx, req, code, &org_id, &err);
	} else if (r->org_from == WEB_ORG_LOOKUP) {
		rc = r->org_lookup ? r->org_lookup(req, &org_id, &err)
		                   : cadre_err_set(&err, CADRE_ENOTFOUND, "no lookup");
	}
	if (rc != CADRE_OK)
		goto failed;
	req->org_id = org_id;
	if (!public) {
		rc = app->hooks.authz
		         ? app->hooks.authz(app->hooks.ctx, actor, r->permission, org_id, &err)
		         : cadre_err_set(&err, CADRE_EPERM, "no access policy is installed");
		if (rc != CADRE_OK)
			goto failed;
	}
	if (r->csrf && !safe_method(req->method)) {
		rc = app->hooks.csrf_check
		         ? app->hooks.csrf_check(app->hooks.ctx, req, &err)
		         : cadre_err_set(&err, CADRE_EPERM, "the form's security token is missing");
		if (rc != CADRE_OK) {
			if (rc == CADRE_EPERM || rc == CADRE_EINVAL) {
				web_error_shown(
				    req, resp, 403,
				    "The form's security token is missing or out of date. Go "
				    "back, reload the page and try again.");
				goto done;
			}
			goto failed;
		}
	}
	rc = r->handler(req, resp, &err);
	end_db(req, rc);
	if (rc == CADRE_OK)
		goto done;
failed:
	end_db(req, rc);
	if (rc == CADRE_OK || rc == CADRE_DONE)
		rc = cadre_err_set(&err, CADRE_EINTERNAL, "a check answered %d", rc);
	fail(req, resp, rc, &err);
done:
	if (app->hooks.respond)
		app->hooks.respond(app->hooks.ctx, req, resp);
	web_response_finish(req, resp);
}

void web_request_log(struct web_app *app, const struct web_request *req,
                     const struct web_response *resp)
{
	if (!app->log_requests)
		return;
	log_set_request_id(req->id);
	struct log_line l;
	log_begin(&l, LOG_INFO, "http.request");
	log_str(&l, "method", req->method);
	log_str(&l, "route", req->route ? req->route->pattern : "-");
	log_int(&l, "status", resp->status);
	log_int(&l, "us", clock_mono_us() - req->start_us);
	if (req->actor)
		log_str(&l, "actor", actor_label(req->actor));
	log_end(&l);
	log_set_request_id(NULL);
}

void web_response_finish(struct web_request *req, struct web_response *resp)
{
	struct cadre_err e;
	if (!resp->content_type && resp->body.len > 0)
		resp->content_type = req->route && req->route->produces
		                         ? req->route->produces
		                         : "application/octet-stream";
	const char *cache = req->route && req->route->cache ? req->route->cache : "no-store";
	if (resp->status >= 400)
		(void)web_resp_header_router(resp, "Cache-Control", "no-store", &e);
	else if (!web_resp_get_header(resp, "Cache-Control"))
		(void)web_resp_header_router(resp, "Cache-Control", cache, &e);
	(void)web_resp_header_router(resp, "Content-Security-Policy",
	                             "default-src 'self'; script-src 'self'; style-src 'self'; "
	                             "img-src 'self' data:; frame-ancestors 'none'; "
	                             "form-action 'self'; base-uri 'none'",
	                             &e);
	(void)web_resp_header_router(resp, "X-Content-Type-Options", "nosniff", &e);
	(void)web_resp_header_router(resp, "Referrer-Policy", "same-origin", &e);
	(void)web_resp_header_router(resp, "X-Frame-Options", "DENY", &e);
	(void)web_resp_header_router(resp, "Cross-Origin-Opener-Policy", "same-origin", &e);
	if (req->secure)
		(void)web_resp_header_router(resp, "Strict-Transport-Security", "max-age=31536000",
		                             &e);
	(void)web_resp_header_router(resp, "X-Request-Id", req->id, &e);
	if (resp->status == 503) {
		char ra[16];
		(void)snprintf(ra, sizeof ra, "%d", resp->retry_after > 0 ? resp->retry_after : 2);
		(void)web_resp_header_router(resp, "Retry-After", ra, &e);
	}
}
