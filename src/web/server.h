/* server: the HTTP server, libmicrohttpd under the router.
 *
 * Design note
 * - libmicrohttpd runs a pool of worker threads, each with its own epoll
 *   loop (DESIGN.md: at least 8 by default).  Every connection has a time
 *   limit, the server a connection limit, and each connection a memory
 *   limit that caps its request line and headers (libmicrohttpd answers 431
 *   or 414 beyond it).  Parsing is strict (MHD_OPTION_STRICT_FOR_CLIENT).
 * - A request is handled in the worker thread that read it: the router
 *   (router.h) decides everything, from the route and the body cap (413
 *   before any of the body is read; 411 for bodies without Content-Length)
 *   to the reply, which is sent whole from its capped buffer.
 * - The database connection of each worker is the router's (one per
 *   thread, opened on first need), so several servers can run against one
 *   PostgreSQL database: no state lives in the process.
 * - Shutdown: the caller blocks SIGTERM, SIGINT and SIGPIPE before
 *   web_server_start (the workers inherit the mask), waits for a signal,
 *   then web_server_drain stops accepting and waits for the requests in
 *   flight up to a deadline, and web_server_stop ends the rest.
 * - Built-in TLS uses libmicrohttpd's GnuTLS support (the Debian build has
 *   it); usually a reverse proxy terminates TLS instead. */
#ifndef CADRE_WEB_SERVER_H
#define CADRE_WEB_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "web/router.h"

#define WEB_SERVER_CONNECTION_LIMIT   512
#define WEB_SERVER_CONNECTION_TIMEOUT 30 /* seconds idle before a connection is closed */
#define WEB_SERVER_CONNECTION_MEMORY  ((size_t)64 * 1024)

struct web_server_options {
	const char *listen;    /* "host:port" or "[v6]:port"; port 0 picks a free port */
	unsigned threads;      /* worker threads, 1 to 256 */
	unsigned conn_limit;   /* 0: WEB_SERVER_CONNECTION_LIMIT */
	unsigned conn_timeout; /* seconds; 0: WEB_SERVER_CONNECTION_TIMEOUT */
	size_t conn_memory;    /* bytes; 0: WEB_SERVER_CONNECTION_MEMORY */
	const char *tls_cert;  /* PEM file of the certificate chain, or NULL/"" */
	const char *tls_key;   /* PEM file of its private key, or NULL/"" */
};

struct web_server;

/* web_server_start: listen and serve app with opt's settings.  app must
 * outlive the server.  CADRE_EINVAL for a bad address or TLS file,
 * CADRE_EINTERNAL when the address cannot be bound or libmicrohttpd will
 * not start. */
int web_server_start(struct web_app *app, const struct web_server_options *opt,
                     struct web_server **out, struct cadre_err *err);

/* web_server_port: the port the server listens on (useful with port 0). */
int web_server_port(const struct web_server *s);

/* web_server_in_flight: requests begun and not yet finished. */
size_t web_server_in_flight(struct web_server *s);

/* web_server_drain: stop accepting connections, then wait until no request
 * is in flight or deadline_ms have passed.  Returns how many requests were
 * still in flight (0 when all finished). */
size_t web_server_drain(struct web_server *s, int64_t deadline_ms);

/* web_server_stop: close every connection, join the workers and free s.
 * NULL is allowed. */
void web_server_stop(struct web_server *s);

/* web_parse_listen: split "host:port" / "[v6]:port" into host (without
 * brackets) and port.  CADRE_EINVAL when malformed. */
int web_parse_listen(const char *addr, char *host, size_t hostsz, char *port, size_t portsz,
                     struct cadre_err *err);

#endif
