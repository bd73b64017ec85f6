/* cadre help routes */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "cli_index.h"
#include "web/router.h"

static const char *org_rule(const struct web_route *r, char *buf, size_t n)
{
	switch (r->org_from) {
	case WEB_ORG_PATH: (void)snprintf(buf, n, "path:%s", r->org_param); break;
	case WEB_ORG_LOOKUP: (void)snprintf(buf, n, "lookup:%s", r->org_lookup_name); break;
	default: (void)snprintf(buf, n, "none"); break;
	}
	return buf;
}

/* COMMAND: help routes
 * USAGE: cadre help routes [--verbose | --openapi]
 * List the web server's routes and what each requires.
 * One line per route: method, path pattern, permission, how the object's
 * organisation is found (none, path:PARAM or lookup:FUNCTION), whether a
 * CSRF token is required, and a summary.  GET routes also answer HEAD.
 * --verbose adds each route's cache policy, body cap and help text;
 * --openapi prints the OpenAPI 3.1 document (the same as
 * GET /api/v1/openapi.json).  The table is generated at build time from the
 * annotations beside the handlers (docs/web.md).
 */
int cmd_help_routes(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"verbose", no_argument, NULL, 'v'}, {"openapi", no_argument, NULL, 'o'}, {0}};
	bool verbose = false;
	bool openapi = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'v')
			verbose = true;
		else if (c == 'o')
			openapi = true;
		else
			return cli_usage_error(cli, "help routes", "unknown option '%s'",
			                       argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(cli, "help routes", "unexpected argument '%s'",
		                       argv[optind]);
	if (verbose && openapi)
		return cli_usage_error(cli, "help routes", "--verbose and --openapi do not mix");
	if (openapi) {
		(void)fputs(web_openapi_json, cli->out);
		return CADRE_OK;
	}
	(void)fprintf(cli->out, "%-7s %-32s %-16s %-14s %-5s %s\n", "METHOD", "PATH", "PERMISSION",
	              "ORG", "CSRF", "SUMMARY");
	for (size_t i = 0; i < web_route_count; i++) {
		const struct web_route *r = &web_routes[i];
		char org[80];
		(void)fprintf(cli->out, "%-7s %-32s %-16s %-14s %-5s %s\n", r->method, r->pattern,
		              r->permission, org_rule(r, org, sizeof org), r->csrf ? "yes" : "no",
		              r->summary);
		if (verbose) {
			(void)fprintf(cli->out,
			              "        Cache-Control: %s; body up to %zu bytes; %s\n",
			              r->cache, r->body_max,
			              r->kind == WEB_ROUTE_API ? "API (problem+json errors)"
			                                       : "page (HTML errors)");
			const char *h = r->help;
			while (*h) {
				size_t len = strcspn(h, "\n");
				(void)fprintf(cli->out, "        %.*s\n", (int)len, h);
				h += len;
				if (*h)
					h++;
			}
		}
	}
	return CADRE_OK;
}
