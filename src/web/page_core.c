/* page_core: the routes every deployment has from the start: the health
 * check for load balancers, the OpenAPI document, and a first home page.
 * Real pages arrive with accounts and templates (later issues). */
#include <string.h>

#include "domain/web_tx.h"
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

/* WEBPAGE: GET /
 * PERMISSION: public
 * ORG: none
 * CACHE: no-store
 * The home page.
 * For now a short page saying what Cadre is and where its machine-readable
 * description lives; with accounts it becomes the home page for the
 * signed-in person's scope.
 */
int page_home(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	(void)req;
	resp->content_type = "text/html; charset=utf-8";
	return web_resp_puts(
	    resp,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<title>Cadre</title>\n</head>\n<body>\n"
	    "<a class=\"nhsuk-skip-link\" href=\"#maincontent\">Skip to main content</a>\n"
	    "<header class=\"nhsuk-header\" role=\"banner\"><div class=\"nhsuk-width-container "
	    "nhsuk-header__container\"><a class=\"nhsuk-header__link\" href=\"/\">Cadre</a></div>"
	    "</header>\n<div class=\"nhsuk-width-container\">\n"
	    "<main class=\"nhsuk-main-wrapper\" id=\"maincontent\" role=\"main\">\n"
	    "<h1 class=\"nhsuk-heading-xl\">Cadre</h1>\n"
	    "<p class=\"nhsuk-lede-text\">Workforce planning and leadership talent for the "
	    "NHS.</p>\n"
	    "<p>The API is described at <a href=\"/api/v1/openapi.json\">"
	    "/api/v1/openapi.json</a>.</p>\n"
	    "</main>\n</div>\n</body>\n</html>\n",
	    err);
}
