/* request: the request and reply objects (see request.h). */
#include "web/request.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/clock.h"

void web_request_init(struct web_request *req, struct web_app *app)
{
	memset(req, 0, sizeof *req);
	arena_init(&req->arena, (size_t)16 * 1024);
	req->app = app;
	req->method = "";
	req->target = "";
	req->path = "";
	req->query = "";
	unsigned char raw[WEB_REQUEST_ID_LEN / 2];
	randombytes_buf(raw, sizeof raw);
	(void)sodium_bin2hex(req->id, sizeof req->id, raw, sizeof raw);
	req->start_us = clock_mono_us();
}

void web_request_free(struct web_request *req)
{
	arena_free(&req->arena);
}

static bool tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

int web_request_set_line(struct web_request *req, const char *method, size_t mlen,
                         const char *target, size_t tlen, struct cadre_err *err)
{
	if (mlen == 0 || mlen > 16)
		return cadre_err_set(err, CADRE_EINVAL, "malformed method");
	for (size_t i = 0; i < mlen; i++)
		if (!tchar((unsigned char)method[i]))
			return cadre_err_set(err, CADRE_EINVAL, "malformed method");
	if (tlen > WEB_TARGET_MAX)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "the request target is longer than %zu bytes", WEB_TARGET_MAX);
	if (tlen == 0 || target[0] != '/')
		return cadre_err_set(err, CADRE_EINVAL, "the request target must be a path");
	for (size_t i = 0; i < tlen; i++) {
		unsigned char c = (unsigned char)target[i];
		if (c <= 0x20 || c == 0x7f || c == '#')
			return cadre_err_set(err, CADRE_EINVAL,
			                     "the request target holds a space, '#' or a control "
			                     "character");
	}
	req->method = arena_strndup(&req->arena, method, mlen);
	char *t = arena_strndup(&req->arena, target, tlen);
	req->target = t;
	const char *q = memchr(t, '?', tlen);
	if (q) {
		req->path = arena_strndup(&req->arena, t, (size_t)(q - t));
		req->query = q + 1;
	} else {
		req->path = t;
		req->query = "";
	}
	return CADRE_OK;
}

void web_request_add_header(struct web_request *req, const char *name, size_t nlen,
                            const char *value, size_t vlen)
{
	if (req->nheaders == WEB_REQ_HEADERS_MAX) {
		req->too_many_headers = true;
		return;
	}
	bool ok = nlen > 0;
	for (size_t i = 0; ok && i < nlen; i++)
		ok = tchar((unsigned char)name[i]);
	for (size_t i = 0; ok && i < vlen; i++) {
		unsigned char c = (unsigned char)value[i];
		ok = (c >= 0x20 || c == '\t') && c != 0x7f;
	}
	if (!ok)
		req->bad_header = true;
	struct web_header *h = &req->headers[req->nheaders++];
	h->name = arena_strndup(&req->arena, name, nlen);
	h->value = arena_strndup(&req->arena, value, vlen);
}

const char *web_req_header(const struct web_request *req, const char *name)
{
	for (size_t i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

const char *web_req_param(const struct web_request *req, const char *name)
{
	for (size_t i = 0; i < req->nparams; i++)
		if (strcmp(req->params[i].name, name) == 0)
			return req->params[i].value;
	return NULL;
}

int64_t web_req_param_int(const struct web_request *req, const char *name)
{
	for (size_t i = 0; i < req->nparams; i++)
		if (strcmp(req->params[i].name, name) == 0)
			return req->params[i].num;
	return 0;
}

void *web_req_alloc(struct web_request *req, size_t n)
{
	return arena_alloc(&req->arena, n);
}

int web_req_query(struct web_request *req, const struct form **out, struct cadre_err *err)
{
	if (!req->query_parsed) {
		const struct form_limits lim = {.max_bytes = WEB_TARGET_MAX, .max_fields = 100};
		int rc = form_parse(req->query, strlen(req->query), &lim, &req->arena,
		                    &req->query_form, err);
		if (rc != CADRE_OK) {
			cadre_err_prefix(err, "query string");
			return rc;
		}
		req->query_parsed = true;
	}
	*out = &req->query_form;
	return CADRE_OK;
}

/* media_type_is: true when a Content-Type value names type (any case),
 * with or without parameters. */
static bool media_type_is(const char *ct, const char *type)
{
	if (!ct)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	size_t n = strlen(type);
	if (strncasecmp(ct, type, n) != 0)
		return false;
	char c = ct[n];
	return c == '\0' || c == ';' || c == ' ' || c == '\t';
}

int web_req_form(struct web_request *req, const struct form **out, struct cadre_err *err)
{
	if (!req->form_parsed) {
		const char *ct = web_req_header(req, "Content-Type");
		if (!media_type_is(ct, "application/x-www-form-urlencoded"))
			return cadre_err_set(err, CADRE_EINVAL,
			                     "expected a form body "
			                     "(application/x-www-form-urlencoded)");
		const struct form_limits lim = {.max_bytes = req->body_max ? req->body_max : 1};
		int rc = form_parse(req->body ? req->body : "", req->body_len, &lim, &req->arena,
		                    &req->body_form, err);
		if (rc != CADRE_OK)
			return rc;
		req->form_parsed = true;
	}
	*out = &req->body_form;
	return CADRE_OK;
}

int web_req_multipart(struct web_request *req, const struct multipart_limits *lim,
                      const struct multipart_form **out, struct cadre_err *err)
{
	if (!req->multipart_parsed) {
		int rc = multipart_parse(req->body ? req->body : "", req->body_len,
		                         web_req_header(req, "Content-Type"), lim, &req->arena,
		                         &req->body_multipart, err);
		if (rc != CADRE_OK)
			return rc;
		req->multipart_parsed = true;
	}
	*out = &req->body_multipart;
	return CADRE_OK;
}

void web_resp_init(struct web_response *resp, struct arena *a)
{
	memset(resp, 0, sizeof *resp);
	resp->status = 200;
	resp->arena = a;
	buf_init(&resp->body, WEB_RESPONSE_MAX);
}

void web_resp_free(struct web_response *resp)
{
	buf_free(&resp->body);
}

void web_resp_reset(struct web_response *resp)
{
	struct arena *a = resp->arena;
	struct buf body = resp->body;
	buf_reset(&body);
	memset(resp, 0, sizeof *resp);
	resp->status = 200;
	resp->arena = a;
	resp->body = body;
}

bool web_header_name_ok(const char *name)
{
	if (!name || !*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!tchar((unsigned char)*p))
			return false;
	return true;
}

bool web_header_value_ok(const char *value)
{
	if (!value)
		return false;
	size_t n = 0;
	for (const char *p = value; *p; p++, n++) {
		unsigned char c = (unsigned char)*p;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return n <= WEB_HEADER_VALUE_MAX;
}

static int resp_set(struct web_response *resp, const char *name, const char *value, size_t cap,
                    struct cadre_err *err)
{
	if (!web_header_name_ok(name))
		return cadre_err_set(err, CADRE_EINVAL, "malformed header name");
	if (!web_header_value_ok(value))
		return cadre_err_set(
		    err, CADRE_EINVAL,
		    "header %s: the value holds a control character or is too long", name);
	for (size_t i = 0; i < resp->nheaders; i++) {
		if (strcasecmp(resp->headers[i].name, name) == 0) {
			resp->headers[i].value = arena_strdup(resp->arena, value);
			return CADRE_OK;
		}
	}
	if (resp->nheaders >= cap)
		return cadre_err_set(err, CADRE_EINTERNAL, "more than %zu reply headers", cap);
	resp->headers[resp->nheaders].name = arena_strdup(resp->arena, name);
	resp->headers[resp->nheaders].value = arena_strdup(resp->arena, value);
	resp->nheaders++;
	return CADRE_OK;
}

int web_resp_header(struct web_response *resp, const char *name, const char *value,
                    struct cadre_err *err)
{
	return resp_set(resp, name, value, WEB_RESP_HEADERS_MAX, err);
}

int web_resp_header_router(struct web_response *resp, const char *name, const char *value,
                           struct cadre_err *err)
{
	return resp_set(resp, name, value, WEB_RESP_HEADERS_MAX + WEB_RESP_HEADERS_ROUTER, err);
}

const char *web_resp_get_header(const struct web_response *resp, const char *name)
{
	for (size_t i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	return NULL;
}

void web_resp_remove_header(struct web_response *resp, const char *name)
{
	for (size_t i = 0; i < resp->nheaders; i++) {
		if (strcasecmp(resp->headers[i].name, name) == 0) {
			memmove(&resp->headers[i], &resp->headers[i + 1],
			        (resp->nheaders - i - 1) * sizeof resp->headers[0]);
			resp->nheaders--;
			return;
		}
	}
}

static int too_large(int rc, struct cadre_err *err)
{
	if (rc == CADRE_OK)
		return rc;
	return cadre_err_set(err, CADRE_EINTERNAL, "the reply is larger than %zu bytes",
	                     WEB_RESPONSE_MAX);
}

int web_resp_write(struct web_response *resp, const void *p, size_t n, struct cadre_err *err)
{
	return too_large(buf_append(&resp->body, p, n, err), err);
}

int web_resp_puts(struct web_response *resp, const char *s, struct cadre_err *err)
{
	return too_large(buf_puts(&resp->body, s, err), err);
}

int web_resp_printf(struct web_response *resp, struct cadre_err *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = buf_vprintf(&resp->body, err, fmt, ap);
	va_end(ap);
	return too_large(rc, err);
}

int web_html_escape(struct buf *b, const char *s, struct cadre_err *err)
{
	const char *run = s;
	for (const char *p = s;; p++) {
		const char *rep = NULL;
		switch (*p) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '\0': return buf_append(b, run, (size_t)(p - run), err);
		default: continue;
		}
		int rc = buf_append(b, run, (size_t)(p - run), err);
		if (rc == CADRE_OK)
			rc = buf_puts(b, rep, err);
		if (rc != CADRE_OK)
			return rc;
		run = p + 1;
	}
}

int web_resp_html(struct web_response *resp, const char *s, struct cadre_err *err)
{
	return too_large(web_html_escape(&resp->body, s, err), err);
}

void web_resp_field_error(struct web_response *resp, const char *field, const char *message)
{
	if (resp->nerrors == WEB_FIELD_ERRORS_MAX) {
		resp->more_errors++;
		return;
	}
	resp->errors[resp->nerrors].field = arena_strdup(resp->arena, field);
	resp->errors[resp->nerrors].message = arena_strdup(resp->arena, message);
	resp->nerrors++;
}

int web_fail(struct web_response *resp, struct cadre_err *err, int http_status, const char *fmt,
             ...)
{
	va_list ap;
	va_start(ap, fmt);
	char msg[CADRE_ERR_MSG_MAX];
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	resp->fail_status = http_status;
	return cadre_err_set(err, CADRE_EINVAL, "%s", msg);
}

int web_resp_redirect(struct web_response *resp, int status, const char *location,
                      struct cadre_err *err)
{
	if (status < 300 || status > 399)
		return cadre_err_set(err, CADRE_EINTERNAL, "redirect with status %d", status);
	/* a path on this site: not "//host" or "/\host", which browsers read
	 * as another site */
	if (!location || location[0] != '/' || location[1] == '/' || location[1] == '\\')
		return cadre_err_set(err, CADRE_EINVAL, "a redirect must stay on this site");
	int rc = web_resp_header(resp, "Location", location, err);
	if (rc != CADRE_OK)
		return rc;
	resp->status = status;
	return CADRE_OK;
}
