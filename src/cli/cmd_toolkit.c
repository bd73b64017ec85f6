/* cadre toolkit load | list | show */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/num.h"
#include "cli/cli.h"
#include "cli/keys.h"
#include "cli_index.h"
#include "domain/actor.h"
#include "domain/db.h"
#include "domain/toolkit.h"

static int print_json(struct cli *cli, json_t *o)
{
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(o);
	if (!text)
		return cadre_err_set(&cli->err, CADRE_EINTERNAL, "JSON output failed");
	(void)fprintf(cli->out, "%s\n", text);
	free(text);
	return CADRE_OK;
}

/* COMMAND: toolkit load
 * USAGE: cadre toolkit load [--json] (--all | FILE.json...)
 * Load self-assessment toolkit files (new toolkits or new versions).
 * Each file is validated in full before anything is stored: a missing
 * factor, a duplicate statement id, a statement moved between factors
 * since an earlier version, a scale problem or an unknown level is refused
 * with the file and the JSON path of the problem.  Loading the identical
 * file again changes nothing; a different file under a version already
 * loaded is a conflict.  --all loads every toolkit shipped in
 * data/toolkits/.  Each load is one transaction with an audit entry.
 * See docs/toolkits.md.
 */
int cmd_toolkit_load(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"all", no_argument, NULL, 'a'}, {"json", no_argument, NULL, 'j'}, {0}};
	bool all = false, json = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 'j')
			json = true;
		else
			return cli_usage_error(cli, "toolkit load", "unknown option '%s'",
			                       argv[optind - 1]);
	}
	if (all == (optind < argc))
		return cli_usage_error(cli, "toolkit load", "give --all or one or more files");
	unsigned char key[AUDIT_KEY_BYTES];
	int rc = cli_audit_key(cli, key);
	if (rc != CADRE_OK)
		return rc;
	struct store *db = NULL;
	if ((rc = cli_open_db(cli, &db)) != CADRE_OK) {
		cli_key_wipe(key);
		return rc;
	}
	struct actor sys = actor_system("cli");
	json_t *out = json_array();
	if (all) {
		char dir[1024];
		size_t loaded = 0, same = 0;
		rc = toolkit_find_dir(dir, sizeof dir, &cli->err);
		if (rc == CADRE_OK)
			rc = toolkit_load_dir(&sys, db, key, dir, clock_system(), &loaded, &same,
			                      &cli->err);
		if (rc == CADRE_OK && !json)
			(void)fprintf(cli->out, "%s: %zu toolkit version%s loaded, %zu unchanged\n",
			              dir, loaded, loaded == 1 ? "" : "s", same);
		if (rc == CADRE_OK && json)
			json_array_append_new(out, json_pack("{s:s, s:I, s:I}", "folder", dir,
			                                     "loaded", (json_int_t)loaded,
			                                     "unchanged", (json_int_t)same));
	}
	for (int i = optind; !all && i < argc && rc == CADRE_OK; i++) {
		struct toolkit_load_result r;
		rc = toolkit_load_file(&sys, db, key, argv[i], clock_system(), &r, &cli->err);
		if (rc != CADRE_OK)
			break;
		if (json)
			json_array_append_new(
			    out,
			    json_pack("{s:s, s:s, s:I, s:b, s:I, s:I, s:s, s:I}", "file", argv[i],
			              "toolkit", r.id, "version", (json_int_t)r.version,
			              "unchanged", r.unchanged, "factors", (json_int_t)r.factors,
			              "statements", (json_int_t)r.statements, "sha256", r.sha256,
			              "audit_seq", (json_int_t)r.audit_seq));
		else if (r.unchanged)
			(void)fprintf(cli->out,
			              "%s: %s version %" PRId64 " is already loaded (unchanged)\n",
			              argv[i], r.id, r.version);
		else
			(void)fprintf(
			    cli->out,
			    "%s: loaded %s version %" PRId64 ": %zu factors, %zu statements "
			    "(audit entry %" PRId64 ")\n",
			    argv[i], r.id, r.version, r.factors, r.statements, r.audit_seq);
	}
	db_close(db);
	cli_key_wipe(key);
	if (rc == CADRE_OK && json)
		return print_json(cli, out);
	json_decref(out);
	return rc;
}

/* COMMAND: toolkit list
 * USAGE: cadre toolkit list [--json]
 * List every loaded toolkit version, with its levels and rounds.
 * Every version stays loaded: a round keeps the version it was answered
 * on.  The latest version of each toolkit is marked; new rounds use it
 * unless told otherwise.
 */
int cmd_toolkit_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {0}};
	bool json = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else
			return cli_usage_error(cli, "toolkit list", "unknown option '%s'",
			                       argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(cli, "toolkit list", "unexpected argument '%s'",
		                       argv[optind]);
	struct store *db = NULL;
	int rc = cli_open_db(cli, &db);
	if (rc != CADRE_OK)
		return rc;
	struct actor sys = actor_system("cli");
	struct toolkit_info *v = NULL;
	size_t n = 0;
	rc = toolkit_list(&sys, db, &v, &n, &cli->err);
	db_close(db);
	if (rc != CADRE_OK)
		return rc;
	if (json) {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++) {
			char at[DATE_TS_SIZE];
			date_ts_format(v[i].loaded_us, at);
			json_array_append_new(
			    a, json_pack(
			           "{s:s, s:I, s:b, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:I}",
			           "id", v[i].id, "version", (json_int_t)v[i].version, "latest",
			           v[i].latest, "title", v[i].title, "levels", v[i].levels,
			           "framework", v[i].framework, "factors", (json_int_t)v[i].factors,
			           "statements", (json_int_t)v[i].statements, "file", v[i].file,
			           "sha256", v[i].sha256, "loaded_at", at, "rounds",
			           (json_int_t)v[i].rounds));
		}
		free(v);
		return print_json(cli, a);
	}
	if (n == 0)
		(void)fprintf(cli->out, "no toolkit loaded (cadre toolkit load --all)\n");
	for (size_t i = 0; i < n; i++)
		(void)fprintf(cli->out,
		              "%-22s v%-3" PRId64 " %-7s %-12s %2" PRId64 " factors %3" PRId64
		              " statements %4" PRId64 " rounds  %s\n",
		              v[i].id, v[i].version, v[i].latest ? "latest" : "", v[i].levels,
		              v[i].factors, v[i].statements, v[i].rounds, v[i].title);
	free(v);
	return CADRE_OK;
}

static json_t *toolkit_json(const struct toolkit *tk)
{
	char levels[32];
	toolkit_levels_text(tk->levels, levels, sizeof levels);
	json_t *src = json_object();
	for (size_t i = 0; i < tk->nsources; i++)
		json_object_set_new(src, tk->sources[i].key, json_string(tk->sources[i].citation));
	json_t *scale = json_array();
	for (size_t i = 0; i < tk->nscale; i++)
		json_array_append_new(
		    scale, json_pack("{s:i, s:s, s:s}", "value", tk->scale[i].value, "label",
		                     tk->scale[i].label, "description", tk->scale[i].description));
	json_t *factors = json_array();
	for (size_t f = 0; f < tk->nfactors; f++) {
		const struct toolkit_factor *fa = &tk->factors[f];
		json_t *sts = json_array();
		for (size_t s = fa->first; s < fa->first + fa->n; s++) {
			const struct toolkit_statement *st = &tk->statements[s];
			json_t *so = json_array(), *ev = json_array(), *lv = json_object();
			for (size_t k = 0; k < st->nsources; k++)
				json_array_append_new(so, json_string(st->sources[k]));
			for (size_t k = 0; k < st->nevidence; k++)
				json_array_append_new(ev, json_string(st->evidence[k]));
			for (size_t k = 0; k < tk->nscale; k++) {
				char num[24];
				(void)snprintf(num, sizeof num, "%zu", k + 1);
				json_object_set_new(lv, num, json_string(st->descriptors[k]));
			}
			json_array_append_new(sts, json_pack("{s:s, s:s, s:o, s:o, s:o, s:s}", "id",
			                                     st->id, "text", st->text, "sources",
			                                     so, "levels", lv, "evidence", ev,
			                                     "evidence_hint", st->evidence_hint));
		}
		json_array_append_new(factors, json_pack("{s:s, s:s, s:s, s:o}", "id", fa->id,
		                                         "title", fa->title, "description",
		                                         fa->description, "statements", sts));
	}
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "id", tk->id, "version",
	                 (json_int_t)tk->version, "title", tk->title, "description",
	                 tk->description, "framework", tk->framework, "levels", levels, "sources",
	                 src, "scale", scale, "factors", factors);
}

/* COMMAND: toolkit show
 * USAGE: cadre toolkit show ID [--version N] [--json]
 * Show a toolkit's factors, statements and maturity scale.
 * The latest version unless --version names an earlier one.  The text
 * form lists every statement with its id (the ids an offline import uses)
 * and the sources it draws on; --json adds each level's descriptor.
 */
int cmd_toolkit_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"version", required_argument, NULL, 'v'}, {"json", no_argument, NULL, 'j'}, {0}};
	int64_t version = 0;
	bool json = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'v') {
			if (num_parse_i64_range(optarg, strlen(optarg), 1, 1000000, &version,
			                        &cli->err) != CADRE_OK)
				return cli_usage_error(cli, "toolkit show",
				                       "--version '%s': a whole number from 1",
				                       optarg);
		} else if (c == 'j') {
			json = true;
		} else {
			return cli_usage_error(cli, "toolkit show", "unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error(cli, "toolkit show", "give one toolkit id");
	struct store *db = NULL;
	int rc = cli_open_db(cli, &db);
	if (rc != CADRE_OK)
		return rc;
	struct actor sys = actor_system("cli");
	struct toolkit tk;
	rc = toolkit_get(&sys, db, argv[optind], version, &tk, &cli->err);
	db_close(db);
	if (rc != CADRE_OK)
		return rc;
	if (json) {
		json_t *o = toolkit_json(&tk);
		toolkit_free(&tk);
		return print_json(cli, o);
	}
	char levels[32];
	toolkit_levels_text(tk.levels, levels, sizeof levels);
	(void)fprintf(cli->out, "%s version %" PRId64 " (%s): %s\n", tk.id, tk.version, levels,
	              tk.title);
	(void)fprintf(cli->out, "scale:");
	for (size_t i = 0; i < tk.nscale; i++)
		(void)fprintf(cli->out, " %d %s%s", tk.scale[i].value, tk.scale[i].label,
		              i + 1 < tk.nscale ? "," : "\n");
	for (size_t f = 0; f < tk.nfactors; f++) {
		const struct toolkit_factor *fa = &tk.factors[f];
		(void)fprintf(cli->out, "\n%s (%s)\n", fa->title, fa->id);
		for (size_t s = fa->first; s < fa->first + fa->n; s++) {
			const struct toolkit_statement *st = &tk.statements[s];
			(void)fprintf(cli->out, "  %-7s %s [", st->id, st->text);
			for (size_t k = 0; k < st->nsources; k++)
				(void)fprintf(cli->out, "%s%s", k ? ", " : "", st->sources[k]);
			(void)fprintf(cli->out, "]\n");
		}
	}
	(void)fprintf(cli->out, "\nsources:\n");
	for (size_t i = 0; i < tk.nsources; i++)
		(void)fprintf(cli->out, "  %s: %s\n", tk.sources[i].key, tk.sources[i].citation);
	toolkit_free(&tk);
	return CADRE_OK;
}
