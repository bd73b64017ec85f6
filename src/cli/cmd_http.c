/* cadre http */
#include <getopt.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "cli_index.h"
#include "domain/actor.h"
#include "domain/db.h"
#include "domain/org.h"
#include "io/config.h"
#include "web/router.h"
#include "web/wire.h"

/* the most read from standard input: the largest body a route may take
 * (64 MiB) and a full header block */
#define HTTP_INPUT_MAX ((size_t)64 * 1024 * 1024 + WEB_WIRE_HEAD_MAX + WEB_TARGET_MAX)

/* the synthetic account `--as ROLE` acts as: no real account has this id,
 * so nothing it does can be mistaken for a person's */
#define HTTP_AS_USER_ID INT64_MAX

/* the organisation a synthetic grant covers: England (ODS code ENG) */
#define HTTP_AS_ORG_CODE "ENG"

struct http_as {
	struct actor actor;
	struct actor_grant grant;
};

static int as_authn(void *ctx, struct web_request *req, const struct actor **out,
                    struct cadre_err *err)
{
	(void)req;
	(void)err;
	*out = &((struct http_as *)ctx)->actor;
	return CADRE_OK;
}

/* england_id: England's organisation id in the database at url, or 0 (with
 * a warning) when the database or England is not there. */
static int64_t england_id(struct cli *cli, const char *url)
{
	struct store *db;
	struct cadre_err e;
	int64_t id = 0;
	if (db_open(url, &db, &e) == CADRE_OK) {
		struct actor sys = actor_system("cli");
		struct org_node eng;
		if (org_get(&sys, db, HTTP_AS_ORG_CODE, &eng, &e) == CADRE_OK)
			id = eng.id;
		db_close(db);
	}
	if (!id)
		(void)fprintf(
		    cli->errout,
		    "cadre http: England (%s) is not in the database (%s); the --as grant "
		    "covers no organisation\n",
		    HTTP_AS_ORG_CODE, e.msg);
	return id;
}

static bool role_ok(const char *r)
{
	size_t n = strlen(r);
	if (n == 0 || n >= ACTOR_ROLE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((r[i] >= 'a' && r[i] <= 'z') || r[i] == '_'))
			return false;
	return true;
}

/* COMMAND: http
 * USAGE: cadre [--db DB] http [--as ROLE] [--peer ADDR]
 * Answer one raw HTTP/1.1 request from standard input on standard output.
 * Reads one request (request line, headers, blank line, body of exactly
 * Content-Length bytes) from standard input, runs it through the same
 * router and handlers as `cadre serve`, in this process and without a
 * socket, and writes the raw reply (status line, headers, body) to
 * standard output.  Exits 0 whenever a reply was written, whatever its
 * HTTP status.  Lines may end CRLF or LF.
 *
 * Without --as the request is anonymous.  --as ROLE makes it come from a
 * synthetic account holding ROLE over England (ODS code ENG, looked up in
 * the database; without it the grant covers no organisation, with a
 * warning), for testing what each role may do.
 * --peer sets the client address (default 127.0.0.1), to exercise the
 * server.trusted_proxies rules.  The database, public URL and proxies come
 * from the configuration as for `cadre serve`.
 */
int cmd_http(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"as", required_argument, NULL, 'a'}, {"peer", required_argument, NULL, 'p'}, {0}};
	const char *role = NULL;
	const char *peer = "127.0.0.1";
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'a')
			role = optarg;
		else if (c == 'p')
			peer = optarg;
		else
			return cli_usage_error(cli, "http", "unknown option '%s'",
			                       argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(cli, "http", "unexpected argument '%s'", argv[optind]);
	if (role && !role_ok(role))
		return cli_usage_error(cli, "http", "--as: a role is lower-case letters and '_'");
	struct config *cfg = cli_config(cli);
	if (!cfg)
		return cli->err.status;

	struct buf in;
	buf_init(&in, HTTP_INPUT_MAX);
	char chunk[65536];
	size_t n;
	int rc = CADRE_OK;
	while (rc == CADRE_OK && (n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		rc = buf_append(&in, chunk, n, &cli->err);
	if (rc != CADRE_OK) {
		buf_free(&in);
		return cadre_err_set(&cli->err, CADRE_EINVAL,
		                     "the request is larger than %zu bytes", HTTP_INPUT_MAX);
	}
	if (ferror(stdin)) {
		buf_free(&in);
		return cadre_err_set(&cli->err, CADRE_EINVAL, "cannot read standard input");
	}

	struct http_as as;
	memset(&as, 0, sizeof as);
	struct web_app_options ao = {
	    .db_url = config_get_str(cfg, "database.url"),
	    .public_url = config_get_str(cfg, "server.public_url"),
	    .trusted_proxies = config_get_str(cfg, "server.trusted_proxies"),
	};
	if (role) {
		(void)snprintf(as.grant.role, sizeof as.grant.role, "%s", role);
		as.grant.org_id = england_id(cli, ao.db_url);
		as.actor = actor_user(HTTP_AS_USER_ID, &as.grant, 1);
		ao.hooks.ctx = &as;
		ao.hooks.authn = as_authn;
	}
	struct web_app *app;
	rc = web_app_new(&ao, &app, &cli->err);
	if (rc != CADRE_OK) {
		buf_free(&in);
		return rc;
	}
	struct buf out;
	buf_init(&out, WEB_RESPONSE_MAX + WEB_WIRE_HEAD_MAX);
	int status = 0;
	rc = web_wire_handle(app, in.data ? in.data : "", in.len, peer, &out, &status, &cli->err);
	if (rc == CADRE_OK && fwrite(out.data, 1, out.len, cli->out) != out.len)
		rc = cadre_err_set(&cli->err, CADRE_EINTERNAL, "cannot write the reply");
	(void)fflush(cli->out);
	buf_free(&out);
	buf_free(&in);
	web_app_free(app);
	return rc;
}
