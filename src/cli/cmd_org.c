/* cadre org show */
#include <getopt.h>
#include <jansson.h>
#include <string.h>

#include "base/date.h"
#include "cli/cli.h"
#include "cli_index.h"
#include "domain/actor.h"
#include "domain/db.h"
#include "domain/org.h"

static const char *edge_kind_word(int k)
{
	return k == ORG_EDGE_PUBLISHED ? "published" : k == ORG_EDGE_SNAPSHOT ? "snapshot" : "";
}

static json_t *link_json(const struct org_link *l)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:b, s:b}", "code", l->node.code, "name",
	                 l->node.name, "kind", l->node.kind, "depth", l->depth, "earliest_known",
	                 (l->flags & ORG_FLAG_EARLIEST) != 0, "unassigned",
	                 (l->flags & ORG_FLAG_UNASSIGNED) != 0);
}

static json_t *links_json(const struct org_link *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, link_json(&v[i]));
	return a;
}

static json_t *opt_str(const char *s)
{
	return *s ? json_string(s) : json_null();
}

static int show_json(struct cli *cli, const struct org_view *v)
{
	char asked[DATE_MONTH_SIZE], used[DATE_MONTH_SIZE], first[DATE_MONTH_SIZE],
	    last[DATE_MONTH_SIZE], obs[DATE_MONTH_SIZE] = "";
	date_month_format(v->month, asked);
	date_month_format(v->effective_month, used);
	date_month_format(v->first_month, first);
	date_month_format(v->last_month, last);
	json_t *edge = json_null();
	if (v->edge_kind) {
		date_month_format(v->edge_month, obs);
		edge = json_pack("{s:s, s:s, s:s, s:b}", "source", v->edge_source, "kind",
		                 edge_kind_word(v->edge_kind), "observed", obs, "earliest_known",
		                 (v->flags & ORG_FLAG_EARLIEST) != 0);
	}
	json_t *o = json_pack(
	    "{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:{s:s, s:s}, s:o, s:b, s:b, s:o, s:o, s:o}",
	    "code", v->node.code, "name", v->node.name, "kind", v->node.kind, "org_type",
	    opt_str(v->node.org_type), "open_date", opt_str(v->node.open_date), "close_date",
	    opt_str(v->node.close_date), "as_of", asked, "hierarchy_month", used, "range", "first",
	    first, "last", last, "parent_edge", edge, "earliest_known",
	    (v->flags & ORG_FLAG_EARLIEST) != 0, "unassigned",
	    (v->flags & ORG_FLAG_UNASSIGNED) != 0, "chain", links_json(v->chain, v->nchain),
	    "children", links_json(v->children, v->nchildren), "unassigned_children",
	    links_json(v->unassigned, v->nunassigned));
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!text)
		return cadre_err_set(&cli->err, CADRE_EINTERNAL, "JSON output failed");
	(void)fprintf(cli->out, "%s\n", text);
	free(text);
	return CADRE_OK;
}

static void show_text(struct cli *cli, const struct org_view *v)
{
	char asked[DATE_MONTH_SIZE], used[DATE_MONTH_SIZE], obs[DATE_MONTH_SIZE];
	date_month_format(v->month, asked);
	date_month_format(v->effective_month, used);
	FILE *out = cli->out;
	(void)fprintf(out, "%s  %s (%s%s%s)\n", v->node.code, v->node.name, v->node.kind,
	              v->node.org_type[0] ? ", " : "", v->node.org_type);
	if (v->node.open_date[0] || v->node.close_date[0])
		(void)fprintf(out, "open %s%s%s\n", v->node.open_date[0] ? v->node.open_date : "?",
		              v->node.close_date[0] ? ", closed " : "", v->node.close_date);
	(void)fprintf(out, "as of %s", asked);
	if (v->month < v->effective_month)
		(void)fprintf(
		    out, " (before every known edge: the earliest known edges apply, as in %s)",
		    used);
	else if (v->month > v->effective_month)
		(void)fprintf(out, " (after the latest source: %s's hierarchy holds)", used);
	(void)fputc('\n', out);
	if (v->flags & ORG_FLAG_UNASSIGNED) {
		(void)fprintf(out, "parent: none known in %s: counted only in England's total\n",
		              asked);
	} else if (v->edge_kind) {
		date_month_format(v->edge_month, obs);
		(void)fprintf(out, "parent edge: %s (%s, observed %s)\n", v->edge_source,
		              edge_kind_word(v->edge_kind), obs);
		if (v->flags & ORG_FLAG_EARLIEST)
			(void)fprintf(
			    out,
			    "note: no source places %s as early as %s; the earliest known "
			    "edge is applied\n",
			    v->node.code, asked);
	}
	for (size_t i = 0; i < v->nchain; i++)
		(void)fprintf(out, "%*s^ %s  %s (%s)%s\n", (int)(2 * i), "", v->chain[i].node.code,
		              v->chain[i].node.name, v->chain[i].node.kind,
		              (v->chain[i].flags & ORG_FLAG_EARLIEST) ? "  [earliest known]" : "");
	(void)fprintf(out, "children: %zu\n", v->nchildren);
	for (size_t i = 0; i < v->nchildren; i++)
		(void)fprintf(out, "  %s  %s (%s)%s\n", v->children[i].node.code,
		              v->children[i].node.name, v->children[i].node.kind,
		              (v->children[i].flags & ORG_FLAG_EARLIEST) ? "  [earliest known]"
		                                                         : "");
	if (v->nunassigned) {
		(void)fprintf(out,
		              "unassigned (no known parent in %s; in England's total only): %zu\n",
		              asked, v->nunassigned);
		for (size_t i = 0; i < v->nunassigned; i++)
			(void)fprintf(out, "  %s  %s (%s)\n", v->unassigned[i].node.code,
			              v->unassigned[i].node.name, v->unassigned[i].node.kind);
	}
}

/* COMMAND: org show
 * USAGE: cadre org show CODE [--as-of YYYY-MM] [--json]
 * Show an organisation, its parent chain and its children at a month.
 * CODE is an ODS code (RXK, QHL, Y60) or ENG for England.  --as-of picks
 * the month (default: the latest month the hierarchy is known for).  The
 * parent comes from the latest source that placed the organisation by that
 * month (a published file's codes for its own month, otherwise the ODS
 * snapshot or the ICB list); before every source the earliest known edge is
 * applied and the output says so.  Organisations with no known parent are
 * listed under England as unassigned.  See docs/organisations.md.
 */
int cmd_org_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"as-of", required_argument, NULL, 'a'}, {"json", no_argument, NULL, 'j'}, {0}};
	int month = 0;
	bool json = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'a') {
			if (date_month_parse(optarg, strlen(optarg), &month, &cli->err) != CADRE_OK)
				return cli_usage_error(cli, "org show",
				                       "--as-of '%s': expected YYYY-MM", optarg);
		} else if (c == 'j') {
			json = true;
		} else {
			return cli_usage_error(cli, "org show", "unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error(cli, "org show", "give one organisation code");
	const char *url = cli_db_url(cli);
	if (!url)
		return cli->err.status;
	struct store *db;
	int rc = db_open(url, &db, &cli->err);
	if (rc != CADRE_OK)
		return rc;
	struct actor sys = actor_system("cli");
	struct org_view v;
	rc = org_show(&sys, db, argv[optind], month, &v, &cli->err);
	if (rc == CADRE_OK) {
		if (json)
			rc = show_json(cli, &v);
		else
			show_text(cli, &v);
		org_view_free(&v);
	}
	db_close(db);
	return rc;
}
