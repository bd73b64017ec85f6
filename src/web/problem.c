/* problem: error replies: RFC 9457 application/problem+json for the API
 * and an NHS-style HTML page for people (see router.h, web_error).
 *
 * The page renders through templates/error.html in the NHS.UK layout; if
 * that fails (it cannot, once the templates have loaded, but an error page
 * must never be the thing that fails) a minimal built-in page with the same
 * content goes out instead.  Both carry the request id, so a person can
 * quote it and an operator can find the log line. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/router.h"

const char *web_status_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

/* what people are told: a heading and a sentence for each status whose
 * reason is not shown (a 404 must read the same whether the object is
 * missing or out of the actor's scope; a 5xx reason may name internals). */
struct wording {
	int status;
	const char *title;
	const char *text;
};

static const struct wording wordings[] = {
    {400, "There is a problem with the request", NULL},
    {401, "Sign in to continue", "You need to sign in to use this page."},
    {403, "You do not have permission to do this",
     "Your role does not allow this. Ask your Cadre administrator if you think it should."},
    {404, "Page not found",
     "If you typed the web address, check it is correct. If you pasted the web address, check "
     "you copied the entire address. The page may also be one you do not have access to."},
    {405, "This address does not accept that request", NULL},
    {409, "This has changed since you opened it", NULL},
    {411, "There is a problem with the request", NULL},
    {413, "What you sent is too large", NULL},
    {415, "There is a problem with the request", NULL},
    {422, "There is a problem", NULL},
    {431, "There is a problem with the request", NULL},
    {500, "Sorry, there is a problem with the service",
     "Try again later. If it keeps happening, tell your Cadre administrator and quote the "
     "reference below."},
    {501, "There is a problem with the request", NULL},
    {503, "Sorry, the service is busy", "Try again in a few seconds."},
    {505, "There is a problem with the request", NULL},
};

static const struct wording *wording_for(int status)
{
	for (size_t i = 0; i < sizeof wordings / sizeof wordings[0]; i++)
		if (wordings[i].status == status)
			return &wordings[i];
	return NULL;
}

/* detail_shown: the caller's reason is shown only for 4xx statuses that do
 * not have to hide anything. */
static bool detail_shown(int status)
{
	return status >= 400 && status < 500 && status != 401 && status != 403 && status != 404;
}

static bool is_api(const struct web_request *req)
{
	if (req->route)
		return req->route->kind == WEB_ROUTE_API;
	return strncmp(req->path, "/api/", 5) == 0 || strcmp(req->path, "/api") == 0;
}

static void problem_json(struct web_request *req, struct web_response *resp, const char *title,
                         const char *detail)
{
	char instance[64];
	(void)snprintf(instance, sizeof instance, "urn:cadre:request:%s", req->id);
	json_t *o = json_object();
	(void)json_object_set_new(o, "type", json_string("about:blank"));
	(void)json_object_set_new(o, "title", json_string(title));
	(void)json_object_set_new(o, "status", json_integer(resp->status));
	if (detail) {
		json_t *d = json_string(detail);
		(void)json_object_set_new(o, "detail", d ? d : json_string("(not UTF-8)"));
	}
	(void)json_object_set_new(o, "instance", json_string(instance));
	(void)json_object_set_new(o, "request_id", json_string(req->id));
	if (resp->nerrors > 0) {
		json_t *list = json_array();
		for (size_t i = 0; i < resp->nerrors; i++) {
			json_t *e = json_object();
			json_t *f = json_string(resp->errors[i].field);
			json_t *m = json_string(resp->errors[i].message);
			(void)json_object_set_new(e, "field", f ? f : json_string(""));
			(void)json_object_set_new(e, "detail", m ? m : json_string(""));
			(void)json_array_append_new(list, e);
		}
		(void)json_object_set_new(o, "errors", list);
		if (resp->more_errors)
			(void)json_object_set_new(o, "more_errors",
			                          json_integer((json_int_t)resp->more_errors));
	}
	char *text = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	struct cadre_err e;
	if (text) {
		(void)web_resp_puts(resp, text, &e);
		(void)web_resp_puts(resp, "\n", &e);
		free(text);
	}
	resp->content_type = "application/problem+json";
}

/* problem_page: the error page through the templates; false when it could
 * not be rendered. */
static bool problem_page(struct web_request *req, struct web_response *resp, const char *title,
                         const char *text)
{
	if (!req->app)
		return false;
	json_t *ctx = json_object();
	json_t *errors = json_array();
	for (size_t i = 0; i < resp->nerrors; i++) {
		char href[160];
		(void)snprintf(href, sizeof href, "#%s", resp->errors[i].field);
		json_t *item = json_object();
		json_t *h = json_string(href);
		json_t *t = json_string(resp->errors[i].message);
		(void)json_object_set_new(item, "href", h ? h : json_string("#"));
		(void)json_object_set_new(item, "text", t ? t : json_string(""));
		(void)json_array_append_new(errors, item);
	}
	json_t *tt = json_string(title);
	json_t *tx = text ? json_string(text) : json_null();
	(void)json_object_set_new(ctx, "page_title", tt ? tt : json_string("Error"));
	(void)json_object_set_new(ctx, "text", tx ? tx : json_null());
	(void)json_object_set_new(ctx, "request_id", json_string(req->id));
	(void)json_object_set_new(ctx, "errors", errors);
	struct cadre_err e;
	int rc = web_render(req, resp, "error", ctx, &e);
	json_decref(ctx);
	return rc == CADRE_OK;
}

static void problem_html(struct web_request *req, struct web_response *resp, const char *title,
                         const char *text)
{
	if (problem_page(req, resp, title, text))
		return;
	struct cadre_err e;
	(void)web_resp_puts(
	    resp,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<title>",
	    &e);
	(void)web_resp_html(resp, title, &e);
	(void)web_resp_puts(
	    resp,
	    " - Cadre</title>\n</head>\n<body>\n"
	    "<a class=\"nhsuk-skip-link\" href=\"#maincontent\">Skip to main content</a>\n"
	    "<header class=\"nhsuk-header\" role=\"banner\"><div class=\"nhsuk-width-container "
	    "nhsuk-header__container\"><a class=\"nhsuk-header__link\" href=\"/\">Cadre</a></div>"
	    "</header>\n<div class=\"nhsuk-width-container\">\n"
	    "<main class=\"nhsuk-main-wrapper\" id=\"maincontent\" role=\"main\">\n"
	    "<div class=\"nhsuk-grid-row\"><div class=\"nhsuk-grid-column-two-thirds\">\n",
	    &e);
	if (resp->nerrors > 0) {
		(void)web_resp_puts(
		    resp,
		    "<div class=\"nhsuk-error-summary\" "
		    "aria-labelledby=\"error-summary-title\" role=\"alert\" "
		    "tabindex=\"-1\">\n<h2 class=\"nhsuk-error-summary__title\" "
		    "id=\"error-summary-title\">There is a problem</h2>\n"
		    "<div class=\"nhsuk-error-summary__body\"><ul class=\"nhsuk-list "
		    "nhsuk-error-summary__list\">\n",
		    &e);
		for (size_t i = 0; i < resp->nerrors; i++) {
			(void)web_resp_puts(resp, "<li><a href=\"#", &e);
			(void)web_resp_html(resp, resp->errors[i].field, &e);
			(void)web_resp_puts(resp, "\">", &e);
			(void)web_resp_html(resp, resp->errors[i].message, &e);
			(void)web_resp_puts(resp, "</a></li>\n", &e);
		}
		(void)web_resp_puts(resp, "</ul></div>\n</div>\n", &e);
	}
	(void)web_resp_puts(resp, "<h1 class=\"nhsuk-heading-l\">", &e);
	(void)web_resp_html(resp, title, &e);
	(void)web_resp_puts(resp, "</h1>\n", &e);
	if (text) {
		(void)web_resp_puts(resp, "<p>", &e);
		(void)web_resp_html(resp, text, &e);
		(void)web_resp_puts(resp, "</p>\n", &e);
	}
	(void)web_resp_puts(resp, "<p class=\"nhsuk-body-s\">Reference: <code>", &e);
	(void)web_resp_html(resp, req->id, &e);
	(void)web_resp_puts(resp, "</code></p>\n</div></div>\n</main>\n</div>\n</body>\n</html>\n",
	                    &e);
	resp->content_type = "text/html; charset=utf-8";
}

/* render: the error reply; shown is the text to show or NULL. */
static void render(struct web_request *req, struct web_response *resp, int http_status,
                   const char *shown)
{
	/* keep the field errors across the reset: they are the point of a 422 */
	struct web_field_error errors[WEB_FIELD_ERRORS_MAX];
	size_t nerrors = resp->nerrors;
	size_t more = resp->more_errors;
	memcpy(errors, resp->errors, nerrors * sizeof errors[0]);
	web_resp_reset(resp);
	memcpy(resp->errors, errors, nerrors * sizeof errors[0]);
	resp->nerrors = nerrors;
	resp->more_errors = more;
	resp->status = http_status;
	const struct wording *w = wording_for(http_status);
	if (is_api(req)) {
		problem_json(req, resp, web_status_reason(http_status),
		             shown ? shown : (w && w->text ? w->text : NULL));
		return;
	}
	const char *title = w ? w->title : web_status_reason(http_status);
	const char *text = shown ? shown : (w ? w->text : NULL);
	if (!text && http_status < 500)
		text = "Check what you sent and try again.";
	problem_html(req, resp, title, text);
}

void web_error(struct web_request *req, struct web_response *resp, int http_status,
               const char *detail)
{
	render(req, resp, http_status, detail_shown(http_status) ? detail : NULL);
}

void web_error_shown(struct web_request *req, struct web_response *resp, int http_status,
                     const char *detail)
{
	render(req, resp, http_status, detail);
}
