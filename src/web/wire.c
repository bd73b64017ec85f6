/* wire: one raw HTTP/1.1 request and its reply (see wire.h). */
#include "web/wire.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/num.h"

static bool tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* line: the next line from data[*pos..n): sets *start and *len (without
 * its CR LF or LF) and moves *pos past it.  -1 when the input ends first,
 * -2 for a bare CR, -3 when the line is longer than max bytes. */
static int line(const char *data, size_t n, size_t *pos, size_t max, const char **start,
                size_t *len)
{
	size_t i = *pos;
	while (i < n) {
		if (i - *pos > max)
			return -3;
		if (data[i] == '\n') {
			*start = data + *pos;
			*len = i - *pos;
			if (*len > 0 && data[i - 1] == '\r')
				(*len)--;
			*pos = i + 1;
			return 0;
		}
		if (data[i] == '\r' && (i + 1 >= n || data[i + 1] != '\n'))
			return -2;
		i++;
	}
	return -1;
}

static int bad(int *http_status, int status, struct cadre_err *err, const char *why)
{
	*http_status = status;
	return cadre_err_set(err, CADRE_EINVAL, "%s", why);
}

int web_wire_parse(const char *data, size_t n, struct web_request *req, int *http_status,
                   struct cadre_err *err)
{
	size_t pos = 0;
	const char *l;
	size_t len;
	int r = line(data, n, &pos, WEB_TARGET_MAX + 64, &l, &len);
	if (r == -2)
		return bad(http_status, 400, err, "The request line holds a bare CR.");
	if (r == -3)
		return bad(http_status, 414, err, "The request line is too long.");
	if (r < 0)
		return bad(http_status, 400, err, "The request line is missing or unfinished.");
	/* METHOD SP target SP HTTP/1.x */
	const char *sp1 = memchr(l, ' ', len);
	const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - l)) : NULL;
	if (!sp1 || !sp2 || memchr(sp2 + 1, ' ', len - (size_t)(sp2 + 1 - l)))
		return bad(http_status, 400, err, "The request line is malformed.");
	const char *ver = sp2 + 1;
	size_t vlen = len - (size_t)(ver - l);
	if (vlen != 8 || memcmp(ver, "HTTP/1.", 7) != 0 || (ver[7] != '0' && ver[7] != '1')) {
		if (vlen >= 5 && memcmp(ver, "HTTP/", 5) == 0)
			return bad(http_status, 505, err,
			           "Only HTTP/1.0 and HTTP/1.1 are spoken here.");
		return bad(http_status, 400, err, "The request line is malformed.");
	}
	bool http11 = ver[7] == '1';
	if (web_request_set_line(req, l, (size_t)(sp1 - l), sp1 + 1, (size_t)(sp2 - sp1 - 1),
	                         err) != CADRE_OK)
		return bad(http_status, 400, err, "The request line is malformed.");
	size_t hosts = 0;
	size_t lengths = 0;
	for (;;) {
		if (pos > WEB_WIRE_HEAD_MAX)
			return bad(http_status, 431, err, "The request headers are too large.");
		r = line(data, n, &pos, WEB_WIRE_LINE_MAX, &l, &len);
		if (r == -2)
			return bad(http_status, 400, err, "A header line holds a bare CR.");
		if (r == -3)
			return bad(http_status, 431, err, "A header line is too long.");
		if (r < 0)
			return bad(http_status, 400, err,
			           "The headers are unfinished (no blank line after them).");
		if (len == 0)
			break;
		if (l[0] == ' ' || l[0] == '\t')
			return bad(http_status, 400, err, "Folded header lines are not accepted.");
		const char *colon = memchr(l, ':', len);
		if (!colon || colon == l)
			return bad(http_status, 400, err, "A header line has no name.");
		for (const char *p = l; p < colon; p++)
			if (!tchar((unsigned char)*p))
				return bad(http_status, 400, err, "A header name is malformed.");
		const char *v = colon + 1;
		const char *ve = l + len;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		for (const char *p = v; p < ve; p++) {
			unsigned char c = (unsigned char)*p;
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return bad(http_status, 400, err,
				           "A header value holds a control character.");
		}
		size_t nlen = (size_t)(colon - l);
		if (nlen == 4 && strncasecmp(l, "Host", 4) == 0)
			hosts++;
		if (nlen == 14 && strncasecmp(l, "Content-Length", 14) == 0)
			lengths++;
		web_request_add_header(req, l, nlen, v, (size_t)(ve - v));
	}
	if (req->too_many_headers)
		return bad(http_status, 431, err, "The request has more than 100 header lines.");
	if (hosts > 1 || (http11 && hosts == 0))
		return bad(http_status, 400, err, "An HTTP/1.1 request needs one Host header.");
	if (lengths > 1)
		return bad(http_status, 400, err, "The request has two Content-Length headers.");
	size_t rest = n - pos;
	const char *cl = web_req_header(req, "Content-Length");
	int64_t want = 0;
	if (cl) {
		struct cadre_err e;
		if (num_parse_i64_range(cl, strlen(cl), 0, INT64_MAX, &want, &e) != CADRE_OK)
			return bad(http_status, 400, err,
			           "The Content-Length header is malformed.");
		if (web_req_header(req, "Transfer-Encoding"))
			return bad(http_status, 400, err,
			           "A request may not carry both Content-Length and "
			           "Transfer-Encoding.");
	}
	if (web_req_header(req, "Transfer-Encoding")) {
		/* the router answers 411; the body is not read */
		return CADRE_OK;
	}
	if ((uint64_t)want > rest)
		return bad(http_status, 400, err, "The body is shorter than its Content-Length.");
	if ((uint64_t)want < rest)
		return bad(http_status, 400, err,
		           "Bytes follow the request: send one request with a Content-Length.");
	req->body = rest ? data + pos : NULL;
	req->body_len = rest;
	return CADRE_OK;
}

int web_wire_write(const struct web_request *req, const struct web_response *resp, struct buf *out,
                   struct cadre_err *err)
{
	int rc = buf_printf(out, err, "HTTP/1.1 %d %s\r\n", resp->status,
	                    web_status_reason(resp->status));
	if (rc == CADRE_OK && resp->content_type)
		rc = buf_printf(out, err, "Content-Type: %s\r\n", resp->content_type);
	for (size_t i = 0; rc == CADRE_OK && i < resp->nheaders; i++)
		rc = buf_printf(out, err, "%s: %s\r\n", resp->headers[i].name,
		                resp->headers[i].value);
	/* 204 and 304 have no body and so no length (RFC 9110 8.6) */
	bool bodiless = resp->status == 204 || resp->status == 304;
	if (rc == CADRE_OK && !bodiless)
		rc = buf_printf(out, err, "Content-Length: %zu\r\n", resp->body.len);
	if (rc == CADRE_OK)
		rc = buf_puts(out, "\r\n", err);
	if (rc == CADRE_OK && !req->head && !bodiless && resp->body.len)
		rc = buf_append(out, resp->body.data, resp->body.len, err);
	return rc;
}

int web_wire_handle(struct web_app *app, const char *data, size_t n, const char *peer,
                    struct buf *out, int *status, struct cadre_err *err)
{
	struct web_request req;
	struct web_response resp;
	web_request_init(&req, app);
	web_resp_init(&resp, &req.arena);
	(void)snprintf(req.peer_addr, sizeof req.peer_addr, "%s", peer ? peer : "127.0.0.1");
	int http_status = 0;
	struct cadre_err perr;
	cadre_err_clear(&perr);
	if (web_wire_parse(data, n, &req, &http_status, &perr) != CADRE_OK) {
		req.route = NULL;
		req.head = strcmp(req.method, "HEAD") == 0;
		(void)snprintf(req.client_addr, sizeof req.client_addr, "%s", req.peer_addr);
		web_error(&req, &resp, http_status, perr.msg);
		web_response_finish(&req, &resp);
	} else if (web_request_begin(app, &req, &resp)) {
		web_request_run(app, &req, &resp);
	}
	int rc = web_wire_write(&req, &resp, out, err);
	*status = resp.status;
	web_request_log(app, &req, &resp);
	web_resp_free(&resp);
	web_request_free(&req);
	return rc;
}
