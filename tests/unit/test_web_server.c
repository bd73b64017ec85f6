#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "domain/db.h"
#include "domain/web_tx.h"
#include "web/server.h"
#include "testweb.h"

static FILE *quiet_log;

static int h_home(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	(void)req;
	resp->content_type = "text/html; charset=utf-8";
	return web_resp_puts(resp, "<h1>served</h1>", err);
}

static int h_upload(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	resp->content_type = "text/plain";
	return web_resp_printf(resp, err, "got %zu bytes from %s", req->body_len, req->client_addr);
}

static int h_db(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc == CADRE_OK)
		rc = web_tx_ping(db, err);
	if (rc == CADRE_OK)
		rc = web_resp_puts(resp, "db ok", err);
	return rc;
}

static const struct web_route routes[] = {
    {.method = "GET",
     .pattern = "/",
     .permission = "public",
     .kind = WEB_ROUTE_PAGE,
     .handler = h_home},
    {.method = "GET",
     .pattern = "/db",
     .permission = "public",
     .kind = WEB_ROUTE_PAGE,
     .produces = "text/plain",
     .handler = h_db},
    {.method = "POST",
     .pattern = "/upload",
     .permission = "public",
     .body_max = 1024,
     .kind = WEB_ROUTE_PAGE,
     .handler = h_upload},
};

struct fx {
	struct web_app *app;
	struct web_server *srv;
	int port;
	char dir[64];
	char url[128];
};

static void start(struct fx *x, const char *db_url, unsigned threads)
{
	struct web_app_options ao = {.db_url = db_url,
	                             .routes = routes,
	                             .nroutes = sizeof routes / sizeof routes[0],
	                             .trusted_proxies = "127.0.0.1"};
	struct cadre_err err;
	if (web_app_new(&ao, &x->app, &err) != CADRE_OK)
		fail_msg("%s", err.msg);
	struct web_server_options so = {.listen = "127.0.0.1:0", .threads = threads};
	if (web_server_start(x->app, &so, &x->srv, &err) != CADRE_OK)
		fail_msg("%s", err.msg);
	x->port = web_server_port(x->srv);
	assert_true(x->port > 0);
}

static int setup(void **state)
{
	struct fx *x = xcalloc(1, sizeof *x);
	start(x, NULL, 2);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	web_server_stop(x->srv);
	web_app_free(x->app);
	if (x->dir[0]) {
		char path[160];
		const char *suffix[] = {"", "-wal", "-shm"};
		for (int i = 0; i < 3; i++) {
			(void)snprintf(path, sizeof path, "%s%s", x->url, suffix[i]);
			(void)unlink(path);
		}
		(void)rmdir(x->dir);
	}
	free(x);
	return 0;
}

static int dial(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct timeval tv = {.tv_sec = 10};
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			fail_msg("send: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
	}
}

/* find_ci: the first place needle (any case) occurs in hay, or NULL. */
static const char *find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return p;
	return NULL;
}

/* read_reply: one reply: headers, then Content-Length bytes (or to EOF). */
static struct testweb_reply read_reply(int fd)
{
	struct buf b;
	buf_init(&b, (size_t)16 * 1024 * 1024);
	char chunk[4096];
	struct cadre_err err;
	long want = -1;
	const char *end = NULL;
	for (;;) {
		if (end) {
			size_t have = b.len - (size_t)(end + 4 - b.data);
			if (want >= 0 && have >= (size_t)want)
				break;
		}
		ssize_t r = recv(fd, chunk, sizeof chunk, 0);
		if (r <= 0)
			break;
		(void)buf_append(&b, chunk, (size_t)r, &err);
		end = strstr(buf_cstr(&b), "\r\n\r\n");
		if (end) {
			const char *cl = find_ci(b.data, "\r\nContent-Length:");
			if (cl && cl < end)
				want = strtol(cl + 17, NULL, 10);
			if (strncmp(b.data, "HTTP/1.1 1", 10) == 0) { /* 100 Continue */
				fail_msg("an interim 100 reply where none was expected");
			}
		}
	}
	if (!b.len)
		fail_msg("no reply");
	struct testweb_reply rep;
	testweb_parse(&rep, b.data, b.len);
	buf_free(&b);
	return rep;
}

static struct testweb_reply roundtrip(int port, const char *raw)
{
	int fd = dial(port);
	assert_true(fd >= 0);
	send_all(fd, raw, strlen(raw));
	struct testweb_reply r = read_reply(fd);
	(void)close(fd);
	return r;
}

static void test_get_head(void **state)
{
	struct fx *x = *state;
	struct testweb_reply r = roundtrip(x->port, "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "<h1>served</h1>");
	testweb_security_headers(&r);
	assert_non_null(testweb_header(&r, "Date"));
	testweb_free(&r);
	r = roundtrip(x->port, "HEAD / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
	assert_int_equal(r.status, 200);
	assert_string_equal(testweb_header(&r, "Content-Length"), "15");
	assert_int_equal(r.body_len, 0);
	testweb_free(&r);
	r = roundtrip(x->port, "GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n");
	assert_int_equal(r.status, 404);
	testweb_security_headers(&r);
	testweb_free(&r);
	r = roundtrip(x->port, "DELETE / HTTP/1.1\r\nHost: t\r\n\r\n");
	assert_int_equal(r.status, 405);
	assert_string_equal(testweb_header(&r, "Allow"), "GET, HEAD");
	testweb_free(&r);
}

static void test_keep_alive(void **state)
{
	struct fx *x = *state;
	int fd = dial(x->port);
	for (int i = 0; i < 3; i++) {
		const char *req = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
		send_all(fd, req, strlen(req));
		struct testweb_reply r = read_reply(fd);
		assert_int_equal(r.status, 200);
		testweb_free(&r);
	}
	(void)close(fd);
}

static void test_body(void **state)
{
	struct fx *x = *state;
	struct testweb_reply r = roundtrip(x->port, "POST /upload HTTP/1.1\r\nHost: t\r\n"
	                                            "Content-Type: application/octet-stream\r\n"
	                                            "X-Forwarded-For: 203.0.113.8\r\n"
	                                            "Content-Length: 10\r\n\r\n0123456789");
	assert_int_equal(r.status, 200);
	/* 127.0.0.1 is a trusted proxy for this server */
	assert_string_equal(r.body, "got 10 bytes from 203.0.113.8");
	testweb_free(&r);
}

static void test_too_large_before_reading(void **state)
{
	struct fx *x = *state;
	/* 100 MB announced, nothing sent: the 413 comes back on the headers */
	struct testweb_reply r = roundtrip(x->port, "POST /upload HTTP/1.1\r\nHost: t\r\n"
	                                            "Content-Length: 100000000\r\n\r\n");
	assert_int_equal(r.status, 413);
	testweb_security_headers(&r);
	testweb_free(&r);
	/* with Expect: 100-continue the client is told not to send it at all */
	r = roundtrip(x->port, "POST /upload HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
	                       "Content-Length: 100000000\r\n\r\n");
	assert_int_equal(r.status, 413);
	testweb_free(&r);
	r = roundtrip(x->port, "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
	                       "\r\n5\r\nhello\r\n0\r\n\r\n");
	assert_int_equal(r.status, 411);
	testweb_free(&r);
}

static void test_malformed(void **state)
{
	struct fx *x = *state;
	/* a request line that is not one: libmicrohttpd closes the connection
	 * without a reply, or answers 400 */
	int fd = dial(x->port);
	send_all(fd, "GARBAGE\r\n\r\n", 11);
	char c[16];
	ssize_t got = recv(fd, c, sizeof c, 0);
	assert_true(got <= 0 || (got >= 12 && memcmp(c, "HTTP/1.1 400", 12) == 0));
	(void)close(fd);
	/* no Host: libmicrohttpd's own 400; a header name with a space: ours */
	struct testweb_reply r = roundtrip(x->port, "GET / HTTP/1.1\r\n\r\n");
	assert_int_equal(r.status, 400);
	testweb_free(&r);
	r = roundtrip(x->port, "GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n");
	assert_int_equal(r.status, 400);
	testweb_security_headers(&r);
	assert_true(testweb_body_has(&r, "A header name is malformed"));
	testweb_free(&r);
	/* headers larger than the connection's memory: a 4xx, not a crash */
	struct buf b;
	buf_init(&b, 1 << 20);
	struct cadre_err err;
	(void)buf_puts(&b, "GET / HTTP/1.1\r\nHost: t\r\nX-Big: ", &err);
	for (int i = 0; i < 80 * 1024; i++)
		(void)buf_putc(&b, 'b', &err);
	(void)buf_puts(&b, "\r\n\r\n", &err);
	r = roundtrip(x->port, buf_cstr(&b));
	assert_int_equal(r.status, 431);
	testweb_free(&r);
	/* more than 100 header lines: the router's 431 */
	buf_reset(&b);
	(void)buf_puts(&b, "GET / HTTP/1.1\r\nHost: t\r\n", &err);
	for (int i = 0; i < 120; i++)
		(void)buf_printf(&b, &err, "X-H%d: %d\r\n", i, i);
	(void)buf_puts(&b, "\r\n", &err);
	r = roundtrip(x->port, buf_cstr(&b));
	assert_int_equal(r.status, 431);
	testweb_security_headers(&r);
	testweb_free(&r);
	buf_free(&b);
	/* the server is still there */
	r = roundtrip(x->port, "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
	assert_int_equal(r.status, 200);
	testweb_free(&r);
}

struct drain_arg {
	struct web_server *srv;
	size_t left;
	volatile int done;
};

static void *drain_thread(void *p)
{
	struct drain_arg *a = p;
	a->left = web_server_drain(a->srv, 5000);
	a->done = 1;
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	(void)nanosleep(&ts, NULL);
}

static void test_drain_waits_for_in_flight(void **state)
{
	struct fx *x = *state;
	int fd = dial(x->port);
	/* the request has begun (its line and part of its headers are in) */
	const char *part = "GET / HTTP/1.1\r\nHost: t\r\n";
	send_all(fd, part, strlen(part));
	for (int i = 0; i < 200 && web_server_in_flight(x->srv) == 0; i++)
		sleep_ms(10);
	assert_int_equal(web_server_in_flight(x->srv), 1);
	struct drain_arg a = {.srv = x->srv};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, drain_thread, &a), 0);
	sleep_ms(300);
	/* still waiting for our request; no new connections are taken */
	assert_int_equal(a.done, 0);
	int other = dial(x->port);
	if (other >= 0) {
		/* the kernel may still complete a handshake; nothing answers it */
		const char *req = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
		send_all(other, req, strlen(req));
		struct timeval tv = {.tv_usec = 300000};
		(void)setsockopt(other, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		char c;
		assert_true(recv(other, &c, 1, 0) <= 0);
		(void)close(other);
	}
	/* finish the request: it is answered, and the drain ends */
	send_all(fd, "\r\n", 2);
	struct testweb_reply r = read_reply(fd);
	assert_int_equal(r.status, 200);
	testweb_free(&r);
	(void)close(fd);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(a.done, 1);
	assert_int_equal(a.left, 0);
}

static void test_drain_deadline(void **state)
{
	struct fx *x = *state;
	int fd = dial(x->port);
	send_all(fd, "GET / HTTP/1.1\r\n", 16);
	for (int i = 0; i < 200 && web_server_in_flight(x->srv) == 0; i++)
		sleep_ms(10);
	/* a request that never finishes is left behind after the deadline */
	assert_int_equal(web_server_drain(x->srv, 200), 1);
	/* and, the deadline passed, it is refused at once when it completes
	 * rather than run: a stopping server does no new work */
	const char *rest = "Host: t\r\n\r\n";
	send_all(fd, rest, strlen(rest));
	struct testweb_reply r = read_reply(fd);
	assert_int_equal(r.status, 503);
	testweb_free(&r);
	(void)close(fd);
}

static int setup_db(void **state)
{
	struct fx *x = xcalloc(1, sizeof *x);
	(void)snprintf(x->dir, sizeof x->dir, "/tmp/cadre-srv-XXXXXX");
	if (!mkdtemp(x->dir))
		fail_msg("mkdtemp");
	(void)snprintf(x->url, sizeof x->url, "%s/t.db", x->dir);
	struct cadre_err err;
	if (db_init(x->url, NULL, &err) != CADRE_OK)
		fail_msg("db_init: %s", err.msg);
	start(x, x->url, 4);
	*state = x;
	return 0;
}

struct hammer_arg {
	int port;
	int ok;
};

static void *hammer(void *p)
{
	struct hammer_arg *a = p;
	for (int i = 0; i < 10; i++) {
		struct testweb_reply r = roundtrip(a->port, "GET /db HTTP/1.1\r\nHost: t\r\n\r\n");
		if (r.status == 200 && strcmp(r.body, "db ok") == 0)
			a->ok++;
		testweb_free(&r);
	}
	return NULL;
}

static void test_connection_per_thread(void **state)
{
	struct fx *x = *state;
	assert_int_equal(web_app_connections(x->app), 0);
	struct hammer_arg args[6];
	pthread_t t[6];
	for (int i = 0; i < 6; i++) {
		args[i] = (struct hammer_arg){.port = x->port};
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &args[i]), 0);
	}
	for (int i = 0; i < 6; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(args[i].ok, 10);
	}
	/* at most one connection per worker thread, kept open between requests */
	size_t n = web_app_connections(x->app);
	assert_true(n >= 1 && n <= 4);
}

static void test_options(void **state)
{
	(void)state;
	struct web_app_options ao = {0};
	struct web_app *app;
	struct cadre_err err;
	assert_int_equal(web_app_new(&ao, &app, &err), CADRE_OK);
	struct web_server *s;
	struct web_server_options bad_addr = {.listen = "nonsense", .threads = 1};
	assert_int_equal(web_server_start(app, &bad_addr, &s, &err), CADRE_EINVAL);
	struct web_server_options bad_threads = {.listen = "127.0.0.1:0", .threads = 0};
	assert_int_equal(web_server_start(app, &bad_threads, &s, &err), CADRE_EINVAL);
	struct web_server_options half_tls = {
	    .listen = "127.0.0.1:0", .threads = 1, .tls_cert = "cert.pem"};
	assert_int_equal(web_server_start(app, &half_tls, &s, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "TLS needs both a certificate and a key");
	struct web_server_options missing = {.listen = "127.0.0.1:0",
	                                     .threads = 1,
	                                     .tls_cert = "/nonexistent/cert.pem",
	                                     .tls_key = "/nonexistent/key.pem"};
	assert_int_equal(web_server_start(app, &missing, &s, &err), CADRE_EINVAL);
	/* an address in use */
	struct web_server_options one = {.listen = "127.0.0.1:0", .threads = 1};
	assert_int_equal(web_server_start(app, &one, &s, &err), CADRE_OK);
	char busy[32];
	(void)snprintf(busy, sizeof busy, "127.0.0.1:%d", web_server_port(s));
	struct web_server_options clash = {.listen = busy, .threads = 1};
	struct web_server *s2;
	assert_int_equal(web_server_start(app, &clash, &s2, &err), CADRE_EINTERNAL);
	web_server_stop(s);
	/* IPv6 loopback */
	struct web_server_options v6 = {.listen = "[::1]:0", .threads = 1};
	if (web_server_start(app, &v6, &s, &err) == CADRE_OK) {
		assert_true(web_server_port(s) > 0);
		web_server_stop(s);
	}
	web_app_free(app);

	char host[64];
	char port[8];
	assert_int_equal(web_parse_listen("[::1]:8080", host, sizeof host, port, sizeof port, &err),
	                 CADRE_OK);
	assert_string_equal(host, "::1");
	assert_string_equal(port, "8080");
	assert_int_equal(web_parse_listen("0.0.0.0:0", host, sizeof host, port, sizeof port, &err),
	                 CADRE_OK);
	const char *bad[] = {
	    "", "host", ":80", "host:", "host:65536", "::1:80", "[::1]80", "host:8o"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(
		    web_parse_listen(bad[i], host, sizeof host, port, sizeof port, &err),
		    CADRE_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_get_head, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_keep_alive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_body, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_large_before_reading, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_drain_waits_for_in_flight, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_drain_deadline, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connection_per_thread, setup_db, teardown),
	    cmocka_unit_test(test_options),
	};
	quiet_log = fopen("/dev/null", "w");
	log_set_output(quiet_log);
	int failed = cmocka_run_group_tests_name("web_server", tests, NULL, NULL);
	log_set_output(NULL);
	if (quiet_log)
		(void)fclose(quiet_log);
	return failed;
}
