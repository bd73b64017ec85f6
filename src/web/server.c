/* server: libmicrohttpd under the router (see server.h). */
#include "web/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <sodium.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/num.h"

/* the most a TLS certificate or key file may hold */
#define TLS_FILE_MAX ((size_t)1024 * 1024)

struct web_server {
	struct web_app *app;
	struct MHD_Daemon *daemon;
	int listen_fd; /* ours until libmicrohttpd starts (it then owns it) */
	int port;
	bool tls;
	bool quiesced;
	/* set when a drain's deadline passed: requests not yet begun get a 503
	 * at once, so a queue built up under overload cannot hold the stop */
	atomic_bool stopping;
	atomic_size_t in_flight;
	char *tls_cert;
	char *tls_key;
};

enum srv_state {
	SRV_NEW,  /* the URI is known, the headers not yet */
	SRV_BODY, /* reading the body */
	SRV_DONE, /* a reply is queued */
};

/* one request on a connection: created by the URI logger, freed when
 * libmicrohttpd says the request is complete */
struct srv_req {
	struct web_request req;
	struct web_response resp;
	struct buf body;
	enum srv_state state;
	char *uri;
};

int web_parse_listen(const char *addr, char *host, size_t hostsz, char *port, size_t portsz,
                     struct cadre_err *err)
{
	const char *s = addr ? addr : "";
	const char *h = s;
	size_t hlen;
	const char *p;
	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			goto bad;
		h = s + 1;
		hlen = (size_t)(close - h);
		p = close + 2;
	} else {
		const char *colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			goto bad;
		hlen = (size_t)(colon - s);
		p = colon + 1;
	}
	int64_t port_num;
	struct cadre_err e;
	if (hlen == 0 || hlen >= hostsz || strlen(p) >= portsz ||
	    num_parse_i64_range(p, strlen(p), 0, 65535, &port_num, &e) != CADRE_OK)
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	(void)snprintf(port, portsz, "%s", p);
	return CADRE_OK;
bad:
	return cadre_err_set(err, CADRE_EINVAL,
	                     "listen address '%.80s' is not host:port or [IPv6]:port", s);
}

/* open_listener: a bound, listening, non-blocking socket for addr. */
static int open_listener(const char *addr, int *fd_out, int *port_out, struct cadre_err *err)
{
	char host[256];
	char port[8];
	int rc = web_parse_listen(addr, host, sizeof host, port, sizeof port, err);
	if (rc != CADRE_OK)
		return rc;
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
	                         .ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	int g = getaddrinfo(host, port, &hints, &res);
	if (g != 0)
		return cadre_err_set(err, CADRE_EINVAL, "listen address '%s': %s", addr,
		                     gai_strerror(g));
	int fd = -1;
	int saved = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		            ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		int one = 1;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 511) == 0)
			break;
		saved = errno;
		(void)close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return cadre_err_set(err, CADRE_EINTERNAL, "cannot listen on %s: %s", addr,
		                     strerror(saved));
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	int bound = 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			bound = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	*fd_out = fd;
	*port_out = bound;
	return CADRE_OK;
}

static int read_pem(const char *path, char **out, struct cadre_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return cadre_err_set(err, CADRE_EINVAL, "cannot read %s: %s", path,
		                     strerror(errno));
	struct buf b;
	buf_init(&b, TLS_FILE_MAX);
	char chunk[4096];
	size_t n;
	int rc = CADRE_OK;
	while (rc == CADRE_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = buf_append(&b, chunk, n, err);
	bool failed = ferror(f) != 0;
	(void)fclose(f);
	if (rc == CADRE_OK && (failed || b.len == 0))
		rc = cadre_err_set(err, CADRE_EINVAL, "cannot read %s", path);
	if (rc != CADRE_OK) {
		cadre_err_prefix(err, "%s", path);
		buf_free(&b);
		return CADRE_EINVAL;
	}
	*out = buf_detach(&b);
	return CADRE_OK;
}

/* wipe_free: a private key is wiped before its memory is returned. */
static void wipe_free(char *p)
{
	if (p) {
		sodium_memzero(p, strlen(p));
		free(p);
	}
}

static void peer_text(struct MHD_Connection *con, char *out, size_t outsz)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	out[0] = '\0';
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		(void)inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		                out, (socklen_t)outsz);
	else if (sa->sa_family == AF_INET6)
		(void)inet_ntop(AF_INET6,
		                &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
		                (socklen_t)outsz);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct web_server *s = cls;
	(void)con;
	struct srv_req *r = xcalloc(1, sizeof *r);
	web_request_init(&r->req, s->app);
	web_resp_init(&r->resp, &r->req.arena);
	r->uri = arena_strdup(&r->req.arena, uri ? uri : "");
	r->state = SRV_NEW;
	atomic_fetch_add(&s->in_flight, 1);
	return r;
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
	struct srv_req *r = cls;
	(void)kind;
	if (key)
		web_request_add_header(&r->req, key, strlen(key), value ? value : "",
		                       value ? strlen(value) : 0);
	return MHD_YES;
}

/* queue: hand the finished reply to libmicrohttpd. */
static enum MHD_Result queue(struct MHD_Connection *con, struct srv_req *r)
{
	r->state = SRV_DONE;
	size_t len = r->resp.body.len;
	char *data = buf_detach(&r->resp.body);
	struct MHD_Response *m =
	    MHD_create_response_from_buffer_with_free_callback(len, data, free);
	if (!m) {
		free(data);
		return MHD_NO;
	}
	if (r->resp.content_type)
		(void)MHD_add_response_header(m, "Content-Type", r->resp.content_type);
	for (size_t i = 0; i < r->resp.nheaders; i++)
		(void)MHD_add_response_header(m, r->resp.headers[i].name, r->resp.headers[i].value);
	enum MHD_Result ret = MHD_queue_response(con, (unsigned)r->resp.status, m);
	MHD_destroy_response(m);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	struct web_server *s = cls;
	struct srv_req *r = *con_cls;
	(void)url;
	(void)version;
	if (!r)
		return MHD_NO; /* no URI logger call: cannot happen */
	if (r->state == SRV_NEW) {
		r->req.tls = s->tls;
		peer_text(con, r->req.peer_addr, sizeof r->req.peer_addr);
		struct cadre_err e;
		if (web_request_set_line(&r->req, method, strlen(method), r->uri, strlen(r->uri),
		                         &e) != CADRE_OK) {
			(void)snprintf(r->req.client_addr, sizeof r->req.client_addr, "%s",
			               r->req.peer_addr);
			web_error(&r->req, &r->resp, 400, e.msg);
			web_response_finish(&r->req, &r->resp);
			return queue(con, r);
		}
		(void)MHD_get_connection_values(con, MHD_HEADER_KIND, add_header, r);
		if (atomic_load(&s->stopping)) {
			web_error(&r->req, &r->resp, 503,
			          "the server is stopping; try again shortly");
			web_response_finish(&r->req, &r->resp);
			return queue(con, r);
		}
		if (!web_request_begin(s->app, &r->req, &r->resp))
			return queue(con, r);
		buf_init(&r->body, r->req.body_max);
		r->state = SRV_BODY;
		return MHD_YES;
	}
	if (r->state == SRV_BODY && *upload_data_size > 0) {
		struct cadre_err e;
		/* the router checked Content-Length, so this holds; if not,
		 * close the connection rather than buffer more */
		if (buf_append(&r->body, upload_data, *upload_data_size, &e) != CADRE_OK)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->state == SRV_BODY) {
		r->req.body = r->body.len ? r->body.data : NULL;
		r->req.body_len = r->body.len;
		web_request_run(s->app, &r->req, &r->resp);
		return queue(con, r);
	}
	return MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *con, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct web_server *s = cls;
	struct srv_req *r = *con_cls;
	(void)con;
	if (!r)
		return;
	*con_cls = NULL;
	if (r->state == SRV_DONE) {
		web_request_log(s->app, &r->req, &r->resp);
	} else if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK) {
		struct log_line l;
		log_set_request_id(r->req.id);
		log_begin(&l, LOG_INFO, "http.abandoned");
		log_int(&l, "reason", (int64_t)toe);
		log_end(&l);
		log_set_request_id(NULL);
	}
	buf_free(&r->body);
	web_resp_free(&r->resp);
	web_request_free(&r->req);
	free(r);
	atomic_fetch_sub(&s->in_flight, 1);
}

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	struct log_line l;
	log_begin(&l, LOG_WARN, "http.server");
	log_str(&l, "message", msg);
	log_end(&l);
}

int web_server_start(struct web_app *app, const struct web_server_options *opt,
                     struct web_server **out, struct cadre_err *err)
{
	bool tls = opt->tls_cert && *opt->tls_cert;
	if (tls != (opt->tls_key && *opt->tls_key))
		return cadre_err_set(err, CADRE_EINVAL, "TLS needs both a certificate and a key");
	if (opt->threads < 1 || opt->threads > 256)
		return cadre_err_set(err, CADRE_EINVAL, "threads must be from 1 to 256");
	if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		return cadre_err_set(err, CADRE_EINVAL, "this libmicrohttpd has no TLS support");
	struct web_server *s = xcalloc(1, sizeof *s);
	s->app = app;
	s->tls = tls;
	s->listen_fd = -1;
	atomic_init(&s->in_flight, 0);
	int rc = CADRE_OK;
	if (tls) {
		rc = read_pem(opt->tls_cert, &s->tls_cert, err);
		if (rc == CADRE_OK)
			rc = read_pem(opt->tls_key, &s->tls_key, err);
	}
	if (rc == CADRE_OK)
		rc = open_listener(opt->listen, &s->listen_fd, &s->port, err);
	if (rc != CADRE_OK)
		goto fail;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	flags |=
	    MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL : MHD_USE_AUTO;
	if (tls)
		flags |= MHD_USE_TLS;
	struct MHD_OptionItem ops[16];
	size_t n = 0;
	/* the logger first, so libmicrohttpd's own messages use it too */
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, NULL};
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, s->listen_fd, NULL};
	ops[n++] = (struct MHD_OptionItem){
	    MHD_OPTION_CONNECTION_LIMIT,
	    (intptr_t)(opt->conn_limit ? opt->conn_limit : WEB_SERVER_CONNECTION_LIMIT), NULL};
	ops[n++] = (struct MHD_OptionItem){
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    (intptr_t)(opt->conn_timeout ? opt->conn_timeout : WEB_SERVER_CONNECTION_TIMEOUT),
	    NULL};
	ops[n++] = (struct MHD_OptionItem){
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (intptr_t)(opt->conn_memory ? opt->conn_memory : WEB_SERVER_CONNECTION_MEMORY), NULL};
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL};
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, s};
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s};
	if (opt->threads > 1)
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE,
		                                   (intptr_t)opt->threads, NULL};
	if (tls) {
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->tls_cert};
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key};
	}
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, ops,
	                             MHD_OPTION_END);
	if (!s->daemon) {
		rc = cadre_err_set(err, CADRE_EINTERNAL,
		                   "libmicrohttpd did not start (see the log line before this)");
		goto fail;
	}
	s->listen_fd = -1; /* libmicrohttpd's now: closed by quiesce or stop */
	*out = s;
	return CADRE_OK;
fail:
	if (s->listen_fd >= 0)
		(void)close(s->listen_fd);
	wipe_free(s->tls_key);
	free(s->tls_cert);
	free(s);
	return rc;
}

int web_server_port(const struct web_server *s)
{
	return s->port;
}

size_t web_server_in_flight(struct web_server *s)
{
	return atomic_load(&s->in_flight);
}

size_t web_server_drain(struct web_server *s, int64_t deadline_ms)
{
	if (!s->quiesced) {
		MHD_socket fd = MHD_quiesce_daemon(s->daemon);
		if (fd != MHD_INVALID_SOCKET)
			(void)close(fd);
		s->quiesced = true;
	}
	int64_t end = clock_mono_us() + deadline_ms * 1000;
	size_t left;
	while ((left = atomic_load(&s->in_flight)) > 0 && clock_mono_us() < end) {
		struct timespec ts = {0, 10L * 1000 * 1000};
		(void)nanosleep(&ts, NULL);
	}
	if (left > 0)
		atomic_store(&s->stopping, true);
	return left;
}

void web_server_stop(struct web_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->daemon);
	wipe_free(s->tls_key);
	free(s->tls_cert);
	free(s);
}
