/* testweb: send one raw request through a web application (web_wire_handle,
 * the `cadre http` path) and pick the reply apart, for the web tests.
 * Header-only (static functions), like testdomain.h. */
#ifndef CADRE_TESTS_TESTWEB_H
#define CADRE_TESTS_TESTWEB_H

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/mem.h"
#include "web/router.h"
#include "web/wire.h"

#define TESTWEB_HEADERS_MAX 64

struct testweb_reply {
	int status;
	char *raw; /* the whole reply, NUL-terminated */
	size_t raw_len;
	const char *body; /* into raw */
	size_t body_len;
	size_t nheaders;
	char *names[TESTWEB_HEADERS_MAX];
	char *values[TESTWEB_HEADERS_MAX];
};

/* testweb_parse: split a raw reply (status line, headers, body). */
static inline void testweb_parse(struct testweb_reply *r, const char *raw, size_t n)
{
	memset(r, 0, sizeof *r);
	r->raw = xmalloc(n + 1);
	memcpy(r->raw, raw, n);
	r->raw[n] = '\0';
	r->raw_len = n;
	if (n < 12 || strncmp(r->raw, "HTTP/1.1 ", 9) != 0)
		fail_msg("not an HTTP/1.1 reply: %.40s", r->raw);
	r->status = (int)strtol(r->raw + 9, NULL, 10);
	const char *end = strstr(r->raw, "\r\n\r\n");
	if (!end)
		fail_msg("reply without the end of its headers");
	r->body = end + 4;
	r->body_len = n - (size_t)(r->body - r->raw);
	const char *p = strstr(r->raw, "\r\n") + 2;
	while (p < end + 2 && r->nheaders < TESTWEB_HEADERS_MAX) {
		const char *eol = strstr(p, "\r\n");
		const char *colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon)
			fail_msg("a reply header without a colon");
		r->names[r->nheaders] = xstrndup(p, (size_t)(colon - p));
		const char *v = colon + 1;
		while (*v == ' ')
			v++;
		r->values[r->nheaders] = xstrndup(v, (size_t)(eol - v));
		r->nheaders++;
		p = eol + 2;
	}
}

/* testweb_send: run raw (n bytes) through app from peer; the reply. */
static inline struct testweb_reply testweb_send_n(struct web_app *app, const char *raw, size_t n,
                                                  const char *peer)
{
	struct buf out;
	buf_init(&out, (size_t)64 * 1024 * 1024);
	struct cadre_err err;
	int status = 0;
	if (web_wire_handle(app, raw, n, peer, &out, &status, &err) != CADRE_OK)
		fail_msg("web_wire_handle: %s", err.msg);
	struct testweb_reply r;
	testweb_parse(&r, out.data, out.len);
	if (r.status != status)
		fail_msg("status line %d, reported %d", r.status, status);
	buf_free(&out);
	return r;
}

static inline struct testweb_reply testweb_send(struct web_app *app, const char *raw)
{
	return testweb_send_n(app, raw, strlen(raw), "127.0.0.1");
}

/* testweb_header: the reply's value for name (any case), or NULL. */
static inline const char *testweb_header(const struct testweb_reply *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->names[i], name) == 0)
			return r->values[i];
	return NULL;
}

/* testweb_body_has: the body contains s. */
static inline int testweb_body_has(const struct testweb_reply *r, const char *s)
{
	return r->body_len > 0 && strstr(r->body, s) != NULL;
}

static inline void testweb_free(struct testweb_reply *r)
{
	for (size_t i = 0; i < r->nheaders; i++) {
		free(r->names[i]);
		free(r->values[i]);
	}
	free(r->raw);
}

/* testweb_security_headers: fail unless r carries every header the router
 * promises on every reply. */
static inline void testweb_security_headers(const struct testweb_reply *r)
{
	const char *csp = testweb_header(r, "Content-Security-Policy");
	if (!csp || strcmp(csp, "default-src 'self'; script-src 'self'; style-src 'self'; "
	                        "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; "
	                        "base-uri 'none'") != 0)
		fail_msg("status %d: Content-Security-Policy missing or wrong: %s", r->status,
		         csp ? csp : "(none)");
	const char *want[][2] = {{"X-Content-Type-Options", "nosniff"},
	                         {"Referrer-Policy", "same-origin"},
	                         {"X-Frame-Options", "DENY"}};
	for (size_t i = 0; i < 3; i++) {
		const char *v = testweb_header(r, want[i][0]);
		if (!v || strcmp(v, want[i][1]) != 0)
			fail_msg("status %d: %s missing or wrong", r->status, want[i][0]);
	}
	const char *id = testweb_header(r, "X-Request-Id");
	if (!id || strlen(id) != WEB_REQUEST_ID_LEN)
		fail_msg("status %d: X-Request-Id missing", r->status);
	if (!testweb_header(r, "Cache-Control"))
		fail_msg("status %d: Cache-Control missing", r->status);
	if (!testweb_header(r, "Content-Length"))
		fail_msg("status %d: Content-Length missing", r->status);
}

#endif
