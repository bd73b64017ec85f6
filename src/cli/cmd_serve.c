/* cadre serve */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "base/log.h"
#include "base/num.h"
#include "cli/cli.h"
#include "cli_index.h"
#include "domain/db.h"
#include "io/config.h"
#include "web/auth.h"
#include "web/router.h"
#include "web/server.h"
#include "web/worker.h"

/* how long in-flight requests may take to finish after SIGTERM, by default */
#define DRAIN_SECONDS_DEFAULT 10

/* COMMAND: serve
 * USAGE: cadre [--db DB] serve [--listen ADDR:PORT] [--threads N] [--drain-seconds S]
 * Run the web server until SIGTERM or SIGINT.
 * Listens on server.listen (default 127.0.0.1:8080; --listen overrides,
 * and port 0 picks a free port) with server.threads worker threads
 * (default 8), each with its own database connection.  The database must
 * exist and be migrated (`cadre init`, `cadre migrate`).  The first line on
 * standard output is the address served: "cadre: serving http://HOST:PORT/".
 *
 * Behind a reverse proxy, set server.trusted_proxies so X-Forwarded-For
 * and X-Forwarded-Proto are believed from it (and only from it), and
 * server.public_url to the address people use.  server.tls_cert and
 * server.tls_key switch on HTTPS in Cadre itself.
 *
 * On SIGTERM or SIGINT the server stops accepting connections, lets the
 * requests in flight finish for up to --drain-seconds (default 10), then
 * exits 0.  One log line per request goes to standard error (logfmt).
 *
 * imports.workers threads (default 2) run the jobs uploads queue (checking
 * a file, committing it); imports.upload_ttl_hours and imports.max_upload_mb
 * bound uploads.  On shutdown a job in progress finishes first.
 */
int cmd_serve(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"listen", required_argument, NULL, 'l'},
	                                     {"threads", required_argument, NULL, 't'},
	                                     {"drain-seconds", required_argument, NULL, 'd'},
	                                     {0}};
	const char *listen_opt = NULL;
	int64_t threads = 0;
	int64_t drain = DRAIN_SECONDS_DEFAULT;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		struct cadre_err e;
		if (c == 'l') {
			listen_opt = optarg;
		} else if (c == 't') {
			if (num_parse_i64_range(optarg, strlen(optarg), 1, 256, &threads, &e) != 0)
				return cli_usage_error(
				    cli, "serve", "--threads: expected 1 to 256, got '%s'", optarg);
		} else if (c == 'd') {
			if (num_parse_i64_range(optarg, strlen(optarg), 0, 3600, &drain, &e) != 0)
				return cli_usage_error(
				    cli, "serve", "--drain-seconds: expected 0 to 3600, got '%s'",
				    optarg);
		} else {
			return cli_usage_error(cli, "serve", "unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, "serve", "unexpected argument '%s'", argv[optind]);
	struct config *cfg = cli_config(cli);
	if (!cfg)
		return cli->err.status;
	const char *url = config_get_str(cfg, "database.url");
	const char *listen_addr = listen_opt ? listen_opt : config_get_str(cfg, "server.listen");
	if (!threads)
		threads = config_get_int(cfg, "server.threads");
	enum log_level level;
	if (log_level_parse(config_get_str(cfg, "log.level"), &level, &cli->err) != CADRE_OK)
		return cli->err.status;
	log_set_level(level);
	char host[256];
	char port[8];
	int rc = web_parse_listen(listen_addr, host, sizeof host, port, sizeof port, &cli->err);
	if (rc != CADRE_OK)
		return rc;

	/* refuse to start on a database that is missing or not migrated */
	struct store *probe;
	rc = db_open(url, &probe, &cli->err);
	if (rc != CADRE_OK)
		return rc;
	db_close(probe);

	struct web_app_options ao = {
	    .db_url = url,
	    .public_url = config_get_str(cfg, "server.public_url"),
	    .trusted_proxies = config_get_str(cfg, "server.trusted_proxies"),
	    .log_requests = config_get_bool(cfg, "log.requests"),
	    .sign_in_path = "/sign-in",
	};
	/* accounts, sessions and the access policy (web/auth.h); signing in is
	 * audited, so the audit key must be there */
	struct web_auth_options wo;
	struct web_auth *auth;
	if ((rc = config_require_secrets(cfg, &cli->err)) != CADRE_OK ||
	    (rc = web_auth_configure(cfg, &wo, &cli->err)) != CADRE_OK ||
	    (rc = web_auth_new(&wo, &auth, &cli->err)) != CADRE_OK)
		return rc;
	web_auth_hooks(auth, &ao.hooks);
	struct upload_limits lim = {
	    .ttl_us = config_get_int(cfg, "imports.upload_ttl_hours") * INT64_C(3600000000),
	    .max_bytes = (size_t)config_get_int(cfg, "imports.max_upload_mb") * 1024 * 1024};
	web_imports_configure(&lim);
	struct web_app *app;
	rc = web_app_new(&ao, &app, &cli->err);
	if (rc != CADRE_OK) {
		web_auth_free(auth);
		return rc;
	}

	/* block the signals before any worker thread exists, so every thread
	 * inherits the mask and only sigwait below receives them */
	sigset_t set;
	sigset_t old;
	(void)sigemptyset(&set);
	(void)sigaddset(&set, SIGTERM);
	(void)sigaddset(&set, SIGINT);
	(void)sigaddset(&set, SIGPIPE);
	(void)pthread_sigmask(SIG_BLOCK, &set, &old);

	struct web_server_options so = {
	    .listen = listen_addr,
	    .threads = (unsigned)threads,
	    .tls_cert = config_get_str(cfg, "server.tls_cert"),
	    .tls_key = config_get_str(cfg, "server.tls_key"),
	};
	struct web_server *srv;
	rc = web_server_start(app, &so, &srv, &cli->err);
	if (rc != CADRE_OK) {
		web_app_free(app);
		web_auth_free(auth);
		(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
		return rc;
	}
	/* the job workers: after the signal mask, so they inherit it */
	struct web_worker_options jo = {
	    .db_url = url,
	    .threads = (unsigned)config_get_int(cfg, "imports.workers"),
	    .audit_key = config_get_key(cfg, "secrets.audit_key"),
	    .pseudonym_key = config_get_key(cfg, "secrets.pseudonym_key"),
	};
	struct web_worker *jobs = NULL;
	if ((rc = web_worker_start(&jo, &jobs, &cli->err)) != CADRE_OK) {
		web_server_stop(srv);
		web_app_free(app);
		web_auth_free(auth);
		(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
		return rc;
	}
	bool tls = so.tls_cert && *so.tls_cert;
	bool v6 = strchr(host, ':') != NULL;
	(void)fprintf(cli->out, "cadre: serving %s://%s%s%s:%d/ (%d threads)\n",
	              tls ? "https" : "http", v6 ? "[" : "", host, v6 ? "]" : "",
	              web_server_port(srv), (int)threads);
	(void)fflush(cli->out);
	struct log_line l;
	log_begin(&l, LOG_INFO, "http.listening");
	log_str(&l, "host", host);
	log_int(&l, "port", web_server_port(srv));
	log_int(&l, "threads", threads);
	log_bool(&l, "tls", tls);
	log_end(&l);

	sigset_t wait_set;
	(void)sigemptyset(&wait_set);
	(void)sigaddset(&wait_set, SIGTERM);
	(void)sigaddset(&wait_set, SIGINT);
	int sig = 0;
	while (sigwait(&wait_set, &sig) != 0) {
	}
	log_begin(&l, LOG_INFO, "http.stopping");
	log_str(&l, "signal", sig == SIGTERM ? "TERM" : "INT");
	log_int(&l, "in_flight", (int64_t)web_server_in_flight(srv));
	log_end(&l);
	size_t left = web_server_drain(srv, drain * 1000);
	if (left > 0) {
		log_begin(&l, LOG_WARN, "http.drain_deadline");
		log_int(&l, "in_flight", (int64_t)left);
		log_end(&l);
	}
	web_server_stop(srv);
	web_worker_stop(jobs);
	web_app_free(app);
	web_auth_free(auth);
	/* the signals stay blocked: a second SIGTERM pending now must not kill
	 * the process on its way out with a clean status */
	log_begin(&l, LOG_INFO, "http.stopped");
	log_end(&l);
	return CADRE_OK;
}
