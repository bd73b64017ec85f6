/* page_core: the routes every deployment has from the start: the health
 * check for load balancers, the OpenAPI document and the static assets.
 * The home page is in page_account.c. */
#include <string.h>

#include "domain/web_tx.h"
#include "io/assets.h"
#include "web/router.h"
#include "web_routes.h"

/* WEBPAGE: GET /healthz
 * PERMISSION: public
 * ORG: none
 * CACHE: no-store
 * PRODUCES: text/plain; charset=utf-8
 * Health check: "ok" when this server can reach its database.
 * For load balancers and monitoring.  Answers 200 with "ok" when the
 * worker's database connection answers a trivial query, and 503 with
 * "database unavailable" (and Retry-After) when it does not.  Reveals
 * nothing else.
 */
int page_healthz(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	struct store *db;
	struct cadre_err e;
	int rc = web_req_db(req, &db, &e);
	if (rc == CADRE_OK)
		rc = web_tx_ping(db, &e);
	resp->content_type = "text/plain; charset=utf-8";
	if (rc != CADRE_OK) {
		resp->status = 503;
		resp->retry_after = 5;
		return web_resp_puts(resp, "database unavailable\n", err);
	}
	return web_resp_puts(resp, "ok\n", err);
}

/* API: GET /api/v1/openapi.json
 * PERMISSION: public
 * ORG: none
 * CACHE: no-cache
 * The OpenAPI 3.1 description of Cadre's HTTP interface.
 * Generated at build time from the same route table the router enforces,
 * with each route's permission, organisation rule, CSRF rule and cache
 * policy as x-cadre-* fields.  Public: it describes the software (which is
 * open source), not anyone's data, and API clients need it before they hold
 * a token.
 */
int api_openapi(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	(void)req;
	resp->content_type = "application/json";
	return web_resp_write(resp, web_openapi_json, strlen(web_openapi_json), err);
}

/* WEBPAGE: GET /assets/{name}
 * PERMISSION: public
 * ORG: none
 * CACHE: public, max-age=31536000, immutable
 * PRODUCES: application/octet-stream
 * A static file: the stylesheet, the JavaScript bundle, an icon.
 * Served only under its content-hashed URL (/assets/nhsuk-1a2b3c4d.css,
 * from the table in src/io/assets.c), so it may be cached for a year; a
 * request whose If-None-Match holds the file's ETag gets 304 with no body.
 * Any other name, an old hash included, is 404.
 */
int page_asset(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	const unsigned char *data;
	size_t len;
	const char *type;
	const char *etag;
	if (assets_lookup(web_app_assets(req->app), req->path, &data, &len, &type, &etag) !=
	    CADRE_OK)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no asset %s", req->path);
	int rc = web_resp_header(resp, "ETag", etag, err);
	if (rc != CADRE_OK)
		return rc;
	const char *inm = web_req_header(req, "If-None-Match");
	if (inm && (strcmp(inm, "*") == 0 || strstr(inm, etag))) {
		resp->status = 304;
		return CADRE_OK;
	}
	resp->content_type = type;
	return web_resp_write(resp, data, len, err);
}
