#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "io/assets.h"
#include "web/wire.h"
#include "testweb.h"

static int setup(void **state)
{
	struct web_app_options o = {0};
	struct web_app *app;
	struct cadre_err err;
	if (web_app_new(&o, &app, &err) != CADRE_OK)
		fail_msg("%s", err.msg);
	*state = app;
	return 0;
}

static int teardown(void **state)
{
	web_app_free(*state);
	return 0;
}

/* parse: web_wire_parse on s; *status gets the HTTP status on failure. */
static int parse(const char *s, size_t n, struct web_request *req, int *status,
                 struct cadre_err *err)
{
	web_request_init(req, NULL);
	*status = 0;
	return web_wire_parse(s, n, req, status, err);
}

static void test_parse_good(void **state)
{
	(void)state;
	static const char raw[] = "POST /orgs/RXK/notes?tab=a%20b HTTP/1.1\r\n"
	                          "Host: cadre.example\r\n"
	                          "Content-Type:application/x-www-form-urlencoded  \r\n"
	                          "X-Empty:\r\n"
	                          "Content-Length: 5\r\n"
	                          "\r\n"
	                          "a=1&b";
	struct web_request req;
	struct cadre_err err;
	int status;
	assert_int_equal(parse(raw, sizeof raw - 1, &req, &status, &err), CADRE_OK);
	assert_string_equal(req.method, "POST");
	assert_string_equal(req.target, "/orgs/RXK/notes?tab=a%20b");
	assert_string_equal(req.path, "/orgs/RXK/notes");
	assert_string_equal(req.query, "tab=a%20b");
	assert_int_equal(req.nheaders, 4);
	assert_string_equal(web_req_header(&req, "content-type"),
	                    "application/x-www-form-urlencoded");
	assert_string_equal(web_req_header(&req, "X-EMPTY"), "");
	assert_null(web_req_header(&req, "Cookie"));
	assert_int_equal(req.body_len, 5);
	assert_memory_equal(req.body, "a=1&b", 5);
	const struct form *q;
	assert_int_equal(web_req_query(&req, &q, &err), CADRE_OK);
	assert_string_equal(form_get(q, "tab"), "a b");
	web_request_free(&req);

	/* LF line ends (RFC 9112 lets a server accept them) and HTTP/1.0
	 * without Host */
	static const char lf[] = "GET / HTTP/1.0\n\n";
	assert_int_equal(parse(lf, sizeof lf - 1, &req, &status, &err), CADRE_OK);
	assert_null(req.body);
	web_request_free(&req);
}

struct bad {
	const char *raw;
	int status;
	const char *msg;
};

static void test_parse_bad(void **state)
{
	(void)state;
	static const struct bad cases[] = {
	    {"", 400, "The request line is missing or unfinished."},
	    {"GET / HTTP/1.1", 400, "The request line is missing or unfinished."},
	    {"GET / HTTP/1.1\r\nHost: a\r\n", 400,
	     "The headers are unfinished (no blank line after them)."},
	    {"GET /\rX HTTP/1.1\r\n\r\n", 400, "The request line holds a bare CR."},
	    {"GET  / HTTP/1.1\r\n\r\n", 400, "The request line is malformed."},
	    {"GET / HTTP/1.1 x\r\n\r\n", 400, "The request line is malformed."},
	    {"GET /\r\n\r\n", 400, "The request line is malformed."},
	    {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505,
	     "Only HTTP/1.0 and HTTP/1.1 are spoken here."},
	    {"GET / HTTP/1.10\r\nHost: a\r\n\r\n", 505,
	     "Only HTTP/1.0 and HTTP/1.1 are spoken here."},
	    {"GET / FTP/1.1\r\n\r\n", 400, "The request line is malformed."},
	    {"GET http://evil/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "The request line is malformed."},
	    {"GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400, "The request line is malformed."},
	    {"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "The request line is malformed."},
	    {"GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "The request line is malformed."},
	    {"GET / HTTP/1.1\r\n\r\n", 400, "An HTTP/1.1 request needs one Host header."},
	    {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400,
	     "An HTTP/1.1 request needs one Host header."},
	    {"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400,
	     "Folded header lines are not accepted."},
	    {"GET / HTTP/1.1\r\nHost: a\r\nNo colon\r\n\r\n", 400, "A header line has no name."},
	    {"GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", 400, "A header line has no name."},
	    {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "A header name is malformed."},
	    {"GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\rX-B: 2\r\n\r\n", 400,
	     "A header line holds a bare CR."},
	    {"GET / HTTP/1.1\r\nHost: a\r\nX-A: a\x01b\r\n\r\n", 400,
	     "A header value holds a control character."},
	    {"GET / HTTP/1.1\r\nHost: a\r\nX-A: a\x7f\r\n\r\n", 400,
	     "A header value holds a control character."},
	    {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 400,
	     "The request has two Content-Length headers."},
	    {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\nx", 400,
	     "The Content-Length header is malformed."},
	    {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400,
	     "The Content-Length header is malformed."},
	    {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
	     "0\r\n\r\n",
	     400, "A request may not carry both Content-Length and Transfer-Encoding."},
	    {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabc", 400,
	     "The body is shorter than its Content-Length."},
	    {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nabc", 400,
	     "Bytes follow the request: send one request with a Content-Length."},
	    {"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n", 400,
	     "Bytes follow the request: send one request with a Content-Length."},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct web_request req;
		struct cadre_err err;
		int status;
		int rc = parse(cases[i].raw, strlen(cases[i].raw), &req, &status, &err);
		if (rc != CADRE_EINVAL || status != cases[i].status ||
		    strcmp(err.msg, cases[i].msg))
			fail_msg("case %zu (%.30s): got %d %d '%s'", i, cases[i].raw, rc, status,
			         err.msg);
		web_request_free(&req);
	}
}

static void test_parse_caps(void **state)
{
	(void)state;
	struct web_request req;
	struct cadre_err err;
	int status;
	/* a request line past its cap: 414 */
	size_t n = WEB_TARGET_MAX + 200;
	char *s = xmalloc(n + 64);
	memcpy(s, "GET /", 5);
	memset(s + 5, 'a', n);
	memcpy(s + 5 + n, " HTTP/1.1\r\n\r\n", 14);
	assert_int_equal(parse(s, 5 + n + 13, &req, &status, &err), CADRE_EINVAL);
	assert_int_equal(status, 414);
	web_request_free(&req);
	/* a target at its cap is fine */
	(void)snprintf(s, n + 64, "GET /");
	memset(s + 5, 'a', WEB_TARGET_MAX - 1);
	(void)snprintf(s + 4 + WEB_TARGET_MAX, 64, " HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_int_equal(parse(s, strlen(s), &req, &status, &err), CADRE_OK);
	assert_int_equal(strlen(req.target), WEB_TARGET_MAX);
	web_request_free(&req);
	free(s);
	/* one header line past 8 KiB: 431 */
	size_t hl = WEB_WIRE_LINE_MAX + 10;
	s = xmalloc(hl + 64);
	int k = snprintf(s, 64, "GET / HTTP/1.1\r\nX-Big: ");
	memset(s + k, 'b', hl);
	memcpy(s + k + hl, "\r\n\r\n", 5);
	assert_int_equal(parse(s, strlen(s), &req, &status, &err), CADRE_EINVAL);
	assert_int_equal(status, 431);
	web_request_free(&req);
	free(s);
	/* 101 headers: 431; 100 are fine */
	struct buf b;
	buf_init(&b, 1 << 20);
	(void)buf_puts(&b, "GET / HTTP/1.1\r\nHost: a\r\n", &err);
	for (int i = 0; i < 99; i++)
		(void)buf_printf(&b, &err, "X-H%d: %d\r\n", i, i);
	size_t at100 = b.len;
	(void)buf_puts(&b, "\r\n", &err);
	assert_int_equal(parse(b.data, b.len, &req, &status, &err), CADRE_OK);
	assert_int_equal(req.nheaders, 100);
	web_request_free(&req);
	b.len = at100;
	(void)buf_puts(&b, "X-One-Too-Many: 1\r\n\r\n", &err);
	assert_int_equal(parse(b.data, b.len, &req, &status, &err), CADRE_EINVAL);
	assert_int_equal(status, 431);
	web_request_free(&req);
	/* a header block past 64 KiB: 431 */
	buf_reset(&b);
	(void)buf_puts(&b, "GET / HTTP/1.1\r\n", &err);
	for (int i = 0; i < 90; i++) {
		(void)buf_printf(&b, &err, "X-Long-%d: ", i);
		for (int j = 0; j < 800; j++)
			(void)buf_putc(&b, 'v', &err);
		(void)buf_puts(&b, "\r\n", &err);
	}
	(void)buf_puts(&b, "\r\n", &err);
	assert_int_equal(parse(b.data, b.len, &req, &status, &err), CADRE_EINVAL);
	assert_int_equal(status, 431);
	web_request_free(&req);
	buf_free(&b);
}

static void test_handle_malformed_replies(void **state)
{
	struct web_app *app = *state;
	/* malformed input gets a full reply with the usual headers */
	const char *raw[] = {"\r\n\r\n", "GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\n\r\n",
	                     "GET /api/v1/x HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n"};
	for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
		struct testweb_reply r = testweb_send(app, raw[i]);
		assert_int_equal(r.status, 400);
		testweb_security_headers(&r);
		testweb_free(&r);
	}
	/* an unparsable request under /api/ answers in JSON */
	struct testweb_reply r =
	    testweb_send(app, "GET /api/v1/x HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n");
	assert_string_equal(testweb_header(&r, "Content-Type"), "application/problem+json");
	assert_true(testweb_body_has(&r, "A header name is malformed."));
	testweb_free(&r);
	r = testweb_send(app, "GET / HTTP/3\r\nHost: a\r\n\r\n");
	assert_int_equal(r.status, 505);
	testweb_free(&r);
}

static void test_handle_real_routes(void **state)
{
	struct web_app *app = *state;
	/* the generated table: openapi.json is public and needs no database */
	struct testweb_reply r =
	    testweb_send(app, "GET /api/v1/openapi.json HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_int_equal(r.status, 200);
	assert_string_equal(testweb_header(&r, "Content-Type"), "application/json");
	assert_string_equal(testweb_header(&r, "Cache-Control"), "no-cache");
	assert_true(testweb_body_has(&r, "\"openapi\": \"3.1.0\""));
	testweb_security_headers(&r);
	testweb_free(&r);
	/* healthz without a database: 503 in plain text */
	r = testweb_send(app, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_int_equal(r.status, 503);
	assert_string_equal(r.body, "database unavailable\n");
	assert_string_equal(testweb_header(&r, "Retry-After"), "5");
	testweb_free(&r);
	/* the home page needs an account (no hooks here: 401), and HEAD has
	 * no body whatever the status */
	r = testweb_send(app, "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_int_equal(r.status, 401);
	assert_int_equal(r.body_len, 0);
	testweb_free(&r);
}

static void test_assets(void **state)
{
	struct web_app *app = *state;
	const char *url = assets_url(web_app_assets(app), "nhsuk.css");
	assert_non_null(url);
	char raw[256];
	(void)snprintf(raw, sizeof raw, "GET %s HTTP/1.1\r\nHost: a\r\n\r\n", url);
	struct testweb_reply r = testweb_send(app, raw);
	assert_int_equal(r.status, 200);
	assert_string_equal(testweb_header(&r, "Content-Type"), "text/css; charset=utf-8");
	assert_string_equal(testweb_header(&r, "Cache-Control"), ASSETS_CACHE_CONTROL);
	assert_true(r.body_len > 1000);
	testweb_security_headers(&r);
	char etag[64];
	const char *tag = testweb_header(&r, "ETag");
	assert_non_null(tag);
	(void)snprintf(etag, sizeof etag, "%s", tag ? tag : "(none)");
	testweb_free(&r);
	/* a revalidation that matches: 304, no body, no length */
	(void)snprintf(raw, sizeof raw, "GET %s HTTP/1.1\r\nHost: a\r\nIf-None-Match: %s\r\n\r\n",
	               url, etag);
	r = testweb_send(app, raw);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.body_len, 0);
	assert_null(testweb_header(&r, "Content-Length"));
	assert_string_equal(testweb_header(&r, "ETag"), etag);
	testweb_free(&r);
	/* one that does not: the file */
	(void)snprintf(raw, sizeof raw,
	               "GET %s HTTP/1.1\r\nHost: a\r\nIf-None-Match: \"other\"\r\n\r\n", url);
	r = testweb_send(app, raw);
	assert_int_equal(r.status, 200);
	testweb_free(&r);
	/* the name without its hash, or a stale hash: 404 */
	r = testweb_send(app, "GET /assets/nhsuk.css HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_int_equal(r.status, 404);
	testweb_free(&r);
	r = testweb_send(app, "GET /assets/nhsuk-00000000.css HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_int_equal(r.status, 404);
	testweb_free(&r);
	/* every page, an error page too, links the stylesheet by its hashed URL */
	r = testweb_send(app, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_int_equal(r.status, 401);
	char want[160];
	(void)snprintf(want, sizeof want, "href=\"&#x2F;assets&#x2F;%s\"", url + 8);
	assert_true(testweb_body_has(&r, want));
	testweb_free(&r);
}

static void test_write(void **state)
{
	(void)state;
	struct web_request req;
	web_request_init(&req, NULL);
	struct web_response resp;
	web_resp_init(&resp, &req.arena);
	struct cadre_err err;
	resp.status = 201;
	resp.content_type = "text/plain";
	assert_int_equal(web_resp_header(&resp, "X-A", "1", &err), CADRE_OK);
	assert_int_equal(web_resp_puts(&resp, "made", &err), CADRE_OK);
	struct buf out;
	buf_init(&out, 4096);
	assert_int_equal(web_wire_write(&req, &resp, &out, &err), CADRE_OK);
	assert_string_equal(buf_cstr(&out), "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\n"
	                                    "X-A: 1\r\nContent-Length: 4\r\n\r\nmade");
	buf_reset(&out);
	req.head = true;
	assert_int_equal(web_wire_write(&req, &resp, &out, &err), CADRE_OK);
	assert_string_equal(buf_cstr(&out), "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\n"
	                                    "X-A: 1\r\nContent-Length: 4\r\n\r\n");
	buf_free(&out);
	web_resp_free(&resp);
	web_request_free(&req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_good),
	    cmocka_unit_test(test_parse_bad),
	    cmocka_unit_test(test_parse_caps),
	    cmocka_unit_test_setup_teardown(test_handle_malformed_replies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handle_real_routes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_assets, setup, teardown),
	    cmocka_unit_test(test_write),
	};
	FILE *quiet = fopen("/dev/null", "w");
	log_set_output(quiet);
	int failed = cmocka_run_group_tests_name("web_wire", tests, NULL, NULL);
	log_set_output(NULL);
	if (quiet)
		(void)fclose(quiet);
	return failed;
}
