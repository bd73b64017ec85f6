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
#include "web/auth.h"
#include "web/router.h"
#include "web/wire.h"

/* the most read from standard input: the largest body a route may take
 * (64 MiB) and a full header block */
#define HTTP_INPUT_MAX ((size_t)64 * 1024 * 1024 + WEB_WIRE_HEAD_MAX + WEB_TARGET_MAX)

/* the organisation a synthetic grant covers by default: England (ODS code
 * ENG) */
#define HTTP_AS_ORG_CODE "ENG"

/* org_of: the organisation with this code in the database at url (its id
 * and name), or id 0 (with a warning) when the database or the code is not
 * there. */
static int64_t org_of(struct cli *cli, const char *url, const char *code, char *name, size_t namesz)
{
	struct store *db;
	struct cadre_err e;
	int64_t id = 0;
	if (db_open(url, &db, &e) == CADRE_OK) {
		struct actor sys = actor_system("cli");
		struct org_node n;
		if (org_get(&sys, db, code, &n, &e) == CADRE_OK) {
			id = n.id;
			(void)snprintf(name, namesz, "%s", n.name);
		}
		db_close(db);
	}
	if (!id)
		(void)fprintf(
		    cli->errout,
		    "cadre http: %s is not in the database (%s); the --as grant covers no "
		    "organisation\n",
		    code, e.msg);
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
 * USAGE: cadre [--db DB] http [--as ROLE [--org CODE]] [--peer ADDR]
 * Answer one raw HTTP/1.1 request from standard input on standard output.
 * Reads one request (request line, headers, blank line, body of exactly
 * Content-Length bytes) from standard input, runs it through the same
 * router, hooks and handlers as `cadre serve`, in this process and without
 * a socket, and writes the raw reply (status line, headers, body) to
 * standard output.  Exits 0 whenever a reply was written, whatever its
 * HTTP status.  Lines may end CRLF or LF.
 *
 * Without --as the request is who its cookie or bearer token says (or
 * anonymous), exactly as on a server.  --as ROLE makes it come from a
 * synthetic account (id 2^63-1, which no real account has) holding ROLE
 * over England (ODS code ENG), or over --org CODE, looked up in the
 * database; the access policy then applies to it as to anyone.  Its CSRF
 * token is that of an all-zero session id: the BLAKE2b-256 of
 * "cadre-csrf-v1" keyed with 32 zero bytes, in hex (docs/web.md).
 * --peer sets the client address (default 127.0.0.1), to exercise the
 * server.trusted_proxies rules.  The database, public URL, proxies, session
 * limits and secrets come from the configuration as for `cadre serve`.
 */
int cmd_http(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"as", required_argument, NULL, 'a'},
	                                     {"org", required_argument, NULL, 'o'},
	                                     {"peer", required_argument, NULL, 'p'},
	                                     {0}};
	const char *role = NULL;
	const char *org_code = HTTP_AS_ORG_CODE;
	bool org_given = false;
	const char *peer = "127.0.0.1";
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'a')
			role = optarg;
		else if (c == 'p')
			peer = optarg;
		else if (c == 'o') {
			org_code = optarg;
			org_given = true;
		} else
			return cli_usage_error(cli, "http", "unknown option '%s'",
			                       argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(cli, "http", "unexpected argument '%s'", argv[optind]);
	if (role && !role_ok(role))
		return cli_usage_error(cli, "http", "--as: a role is lower-case letters and '_'");
	if (org_given && !role)
		return cli_usage_error(cli, "http", "--org goes with --as");
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

	struct web_app_options ao = {
	    .db_url = config_get_str(cfg, "database.url"),
	    .public_url = config_get_str(cfg, "server.public_url"),
	    .trusted_proxies = config_get_str(cfg, "server.trusted_proxies"),
	    .sign_in_path = "/sign-in",
	};
	struct web_auth_options wo;
	struct web_auth *auth = NULL;
	char org_name[ORG_NAME_MAX] = "";
	rc = web_auth_configure(cfg, &wo, &cli->err);
	if (rc == CADRE_OK && role) {
		wo.as_role = role;
		wo.as_org_id = org_of(cli, ao.db_url, org_code, org_name, sizeof org_name);
		wo.as_org_name = org_name;
	}
	if (rc == CADRE_OK)
		rc = web_auth_new(&wo, &auth, &cli->err);
	if (rc != CADRE_OK) {
		buf_free(&in);
		return rc;
	}
	web_auth_hooks(auth, &ao.hooks);
	struct web_app *app;
	rc = web_app_new(&ao, &app, &cli->err);
	if (rc != CADRE_OK) {
		buf_free(&in);
		web_auth_free(auth);
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
	web_auth_free(auth);
	return rc;
}
