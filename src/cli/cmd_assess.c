/* cadre assess ...: self-assessment rounds from the command line. */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/mem.h"
#include "base/num.h"
#include "cli/cli.h"
#include "cli/keys.h"
#include "cli_index.h"
#include "domain/actor.h"
#include "domain/assess.h"
#include "domain/audit.h"
#include "domain/db.h"

#define MAX_LIST 64

/* every option any assess command takes; each command names the ones it
 * accepts */
static const struct option all_opts[] = {
    {"org", required_argument, NULL, 'o'},
    {"period", required_argument, NULL, 'p'},
    {"toolkit", required_argument, NULL, 't'},
    {"json", no_argument, NULL, 'j'},
    {"by", required_argument, NULL, 'b'},
    {"group", required_argument, NULL, 'g'},
    {"respondent", required_argument, NULL, 'r'},
    {"statement", required_argument, NULL, 's'},
    {"score", required_argument, NULL, 'S'},
    {"skip", no_argument, NULL, 'k'},
    {"evidence", required_argument, NULL, 'e'},
    {"version", required_argument, NULL, 'v'},
    {"factor", required_argument, NULL, 'f'},
    {"action", required_argument, NULL, 'a'},
    {"owner", required_argument, NULL, 'w'},
    {"due", required_argument, NULL, 'd'},
    {"id", required_argument, NULL, 'i'},
    {"status", required_argument, NULL, 'u'},
    {"note", required_argument, NULL, 'n'},
    {"text", required_argument, NULL, 'x'},
    {"named", no_argument, NULL, 'N'},
    {"format", required_argument, NULL, 'F'},
    {"output", required_argument, NULL, 'O'},
    {"seed", required_argument, NULL, 'z'},
    {"key", required_argument, NULL, 'K'},
    {0},
};

struct aargs {
	const char *org, *toolkit, *by, *respondent, *statement, *evidence, *factor, *action;
	const char *owner, *due, *status, *note, *text, *format, *output, *key;
	const char *groups[MAX_LIST]; /* --group values as given */
	size_t ngroups;
	const char *orgs[MAX_LIST];
	size_t norgs;
	int periods[MAX_LIST];
	size_t nperiods;
	int period;
	int score;
	bool has_score, skip, json, named;
	int64_t version, id;
	uint64_t seed;
};

static const char *long_name(int c)
{
	for (size_t i = 0; all_opts[i].name; i++)
		if (all_opts[i].val == c)
			return all_opts[i].name;
	return "?";
}

/* parse: options of command name; allowed lists the option letters it
 * takes.  Positional arguments start at optind afterwards. */
static int parse(struct cli *cli, const char *name, const char *allowed, int argc, char **argv,
                 struct aargs *a)
{
	memset(a, 0, sizeof *a);
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", all_opts, NULL)) != -1) {
		if (c == '?' || !strchr(allowed, c))
			return cli_usage_error(cli, name, "unknown option '%s'", argv[optind - 1]);
		size_t n = strlen(optarg ? optarg : "");
		switch (c) {
		case 'o':
			if (a->norgs == MAX_LIST)
				return cli_usage_error(cli, name, "at most %d organisations",
				                       MAX_LIST);
			a->org = a->orgs[a->norgs++] = optarg;
			break;
		case 'p':
			if (a->nperiods == MAX_LIST ||
			    date_fy_parse(optarg, n, &a->period, &cli->err) != CADRE_OK)
				return cli_usage_error(
				    cli, name, "--period '%s': a financial year such as 2025/26",
				    optarg);
			a->periods[a->nperiods++] = a->period;
			break;
		case 't': a->toolkit = optarg; break;
		case 'j': a->json = true; break;
		case 'b': a->by = optarg; break;
		case 'g':
			if (a->ngroups == MAX_LIST)
				return cli_usage_error(cli, name, "too many --group");
			a->groups[a->ngroups++] = optarg;
			break;
		case 'r': a->respondent = optarg; break;
		case 's': a->statement = optarg; break;
		case 'S': {
			int64_t v = 0;
			if (num_parse_i64_range(optarg, n, -1000, 1000, &v, &cli->err) != CADRE_OK)
				return cli_usage_error(cli, name, "--score '%s': a whole number",
				                       optarg);
			a->score = (int)v;
			a->has_score = true;
			break;
		}
		case 'k': a->skip = true; break;
		case 'e': a->evidence = optarg; break;
		case 'v':
			if (num_parse_i64_range(optarg, n, 1, 1000000, &a->version, &cli->err) !=
			    CADRE_OK)
				return cli_usage_error(
				    cli, name, "--version '%s': a whole number from 1", optarg);
			break;
		case 'f': a->factor = optarg; break;
		case 'a': a->action = optarg; break;
		case 'w': a->owner = optarg; break;
		case 'd': a->due = optarg; break;
		case 'i':
			if (num_parse_i64_range(optarg, n, 1, INT64_MAX, &a->id, &cli->err) !=
			    CADRE_OK)
				return cli_usage_error(cli, name,
				                       "--id '%s': a whole number from 1", optarg);
			break;
		case 'u': a->status = optarg; break;
		case 'n': a->note = optarg; break;
		case 'x': a->text = optarg; break;
		case 'N': a->named = true; break;
		case 'F': a->format = optarg; break;
		case 'O': a->output = optarg; break;
		case 'z': {
			int64_t v = 0;
			if (num_parse_i64_range(optarg, n, 0, INT64_MAX, &v, &cli->err) != CADRE_OK)
				return cli_usage_error(cli, name, "--seed '%s': a whole number",
				                       optarg);
			a->seed = (uint64_t)v;
			break;
		}
		case 'K': a->key = optarg; break;
		default: return cli_usage_error(cli, name, "option --%s", long_name(c));
		}
	}
	return CADRE_OK;
}

/* need_ref: --org and --period, once each */
static int need_ref(struct cli *cli, const char *name, const struct aargs *a,
                    struct assess_ref *ref)
{
	if (a->norgs != 1 || a->nperiods != 1)
		return cli_usage_error(cli, name, "give --org CODE and --period YYYY/YY once each");
	ref->org = a->org;
	ref->period = a->period;
	ref->toolkit = a->toolkit;
	return CADRE_OK;
}

static int no_args(struct cli *cli, const char *name, int argc, char **argv)
{
	if (optind < argc)
		return cli_usage_error(cli, name, "unexpected argument '%s'", argv[optind]);
	return CADRE_OK;
}

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

/* session: what a command that writes needs: the key, the database, the
 * system actor */
struct session {
	unsigned char key[AUDIT_KEY_BYTES];
	bool has_key;
	struct store *db;
	struct actor sys;
};

static int session_open(struct cli *cli, bool with_key, struct session *s)
{
	memset(s, 0, sizeof *s);
	s->sys = actor_system("cli");
	int rc;
	if (with_key) {
		if ((rc = cli_audit_key(cli, s->key)) != CADRE_OK)
			return rc;
		s->has_key = true;
	}
	if ((rc = cli_open_db(cli, &s->db)) != CADRE_OK) {
		cli_key_wipe(s->key);
		return rc;
	}
	return CADRE_OK;
}

static void session_close(struct session *s)
{
	db_close(s->db);
	cli_key_wipe(s->key);
}

static void fy(int period, char out[DATE_FY_SIZE])
{
	date_fy_format(period, out);
}

/* COMMAND: assess open
 * USAGE: cadre assess open --org CODE --period YYYY/YY [--toolkit ID] [--version N] [--group ID=LABEL]... [--by NAME]
 * Open a self-assessment round for an organisation and financial year.
 * The toolkit defaults to the one that applies to the organisation's level
 * (trust: the five-factor workforce-planning toolkit; ICB or region: the
 * education and workforce commissioning competencies), on its latest
 * version unless --version says otherwise; the round keeps that version.
 * Respondent groups default to board members, senior leaders, line
 * managers and workforce planners; --group ID=LABEL (repeated) chooses
 * others, for example senior leaders by leadership level.  --by names the
 * chief people officer opening it.
 */
int cmd_assess_open(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess open";
	struct aargs a;
	struct assess_ref ref = {0};
	int rc = parse(cli, name, "optvgb", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = need_ref(cli, name, &a, &ref);
	if (rc == CADRE_OK)
		rc = no_args(cli, name, argc, argv);
	if (rc != CADRE_OK)
		return rc;
	struct assess_group_spec groups[MAX_LIST];
	char ids[MAX_LIST][ASSESS_ID_MAX];
	for (size_t i = 0; i < a.ngroups; i++) {
		const char *eq = strchr(a.groups[i], '=');
		size_t n = eq ? (size_t)(eq - a.groups[i]) : 0;
		if (!eq || n == 0 || n >= ASSESS_ID_MAX || !eq[1])
			return cli_usage_error(cli, name, "--group '%s': expected ID=LABEL",
			                       a.groups[i]);
		memcpy(ids[i], a.groups[i], n);
		ids[i][n] = '\0';
		groups[i].id = ids[i];
		groups[i].label = eq + 1;
	}
	struct session s;
	if ((rc = session_open(cli, true, &s)) != CADRE_OK)
		return rc;
	struct assess_open_req req = {.ref = ref,
	                              .toolkit_version = a.version,
	                              .groups = groups,
	                              .ngroups = a.ngroups,
	                              .opened_by = a.by ? a.by : "chief people officer"};
	int64_t id = 0;
	rc = assess_open(&s.sys, s.db, s.key, &req, clock_system(), &id, &cli->err);
	json_t *st = NULL;
	if (rc == CADRE_OK)
		rc = assess_status_json(&s.sys, s.db, &ref, &st, &cli->err);
	session_close(&s);
	if (rc != CADRE_OK)
		return rc;
	if (a.json)
		return print_json(cli, st);
	const json_t *r = json_object_get(st, "round");
	(void)fprintf(cli->out, "opened round %" PRId64 ": %s %s, %s version %lld, groups:", id,
	              ref.org, json_string_value(json_object_get(r, "period")),
	              json_string_value(json_object_get(r, "toolkit")),
	              (long long)json_integer_value(json_object_get(r, "toolkit_version")));
	size_t i;
	const json_t *g;
	json_array_foreach(json_object_get(st, "groups"), i, g)
	{
		(void)fprintf(cli->out, " %s", json_string_value(json_object_get(g, "id")));
	}
	(void)fputc('\n', cli->out);
	json_decref(st);
	return CADRE_OK;
}

/* COMMAND: assess invite
 * USAGE: cadre assess invite --org CODE --period YYYY/YY [--toolkit ID] --group ID RESPONDENT...
 * Invite respondents into one of an open round's groups.
 * A respondent is an id (letters, digits, '.', '_', '@', '-') chosen by the
 * chief people officer; until accounts and the staff extract arrive, ids
 * are how people are told apart.  All the ids are invited or none is.
 */
int cmd_assess_invite(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess invite";
	struct aargs a;
	struct assess_ref ref = {0};
	int rc = parse(cli, name, "optg", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = need_ref(cli, name, &a, &ref);
	if (rc != CADRE_OK)
		return rc;
	if (a.ngroups != 1)
		return cli_usage_error(cli, name, "give --group ID once");
	if (optind >= argc)
		return cli_usage_error(cli, name, "name at least one respondent");
	struct session s;
	if ((rc = session_open(cli, true, &s)) != CADRE_OK)
		return rc;
	size_t n = (size_t)(argc - optind);
	rc = assess_invite(&s.sys, s.db, s.key, &ref, a.groups[0],
	                   (const char *const *)argv + optind, n, clock_system(), &cli->err);
	session_close(&s);
	if (rc == CADRE_OK)
		(void)fprintf(cli->out, "invited %zu respondent%s into %s\n", n, n == 1 ? "" : "s",
		              a.groups[0]);
	return rc;
}

/* COMMAND: assess respond
 * USAGE: cadre assess respond --org CODE --period YYYY/YY [--toolkit ID] --respondent ID --statement ID (--score N | --skip) [--evidence TEXT]
 * Save a respondent's answer to one statement, as a draft.
 * The score is on the toolkit's scale (1 not started ... 5 leading);
 * --skip records "don't know", which is left out of the statement's mean.
 * --evidence adds the respondent's own note.  Saving again replaces the
 * answer until the respondent submits (cadre assess submit); after that,
 * or once the round has closed, answers are refused.
 */
int cmd_assess_respond(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess respond";
	struct aargs a;
	struct assess_ref ref = {0};
	int rc = parse(cli, name, "optrsSke", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = need_ref(cli, name, &a, &ref);
	if (rc == CADRE_OK)
		rc = no_args(cli, name, argc, argv);
	if (rc != CADRE_OK)
		return rc;
	if (!a.respondent || !a.statement || a.has_score == a.skip)
		return cli_usage_error(
		    cli, name, "give --respondent, --statement and one of --score or --skip");
	if (a.has_score && a.score == 0)
		return cli_usage_error(cli, name, "--score 0: use --skip for \"don't know\"");
	struct session s;
	if ((rc = session_open(cli, true, &s)) != CADRE_OK)
		return rc;
	rc = assess_answer(&s.sys, s.db, s.key, &ref, a.respondent, a.statement,
	                   a.skip ? 0 : a.score, a.evidence, clock_system(), &cli->err);
	session_close(&s);
	if (rc == CADRE_OK)
		(void)fprintf(cli->out, "saved %s's answer to %s (draft until submitted)\n",
		              a.respondent, a.statement);
	return rc;
}

/* COMMAND: assess submit
 * USAGE: cadre assess submit --org CODE --period YYYY/YY [--toolkit ID] --respondent ID
 * Submit a respondent's saved answers; a respondent submits once.
 * Only submitted answers count in the results; drafts show only as
 * "in progress" in the participation figures.
 */
int cmd_assess_submit(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess submit";
	struct aargs a;
	struct assess_ref ref = {0};
	int rc = parse(cli, name, "optr", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = need_ref(cli, name, &a, &ref);
	if (rc == CADRE_OK)
		rc = no_args(cli, name, argc, argv);
	if (rc != CADRE_OK)
		return rc;
	if (!a.respondent)
		return cli_usage_error(cli, name, "give --respondent ID");
	struct session s;
	if ((rc = session_open(cli, true, &s)) != CADRE_OK)
		return rc;
	rc = assess_submit(&s.sys, s.db, s.key, &ref, a.respondent, clock_system(), &cli->err);
	session_close(&s);
	if (rc == CADRE_OK)
		(void)fprintf(cli->out, "submitted %s's answers\n", a.respondent);
	return rc;
}

/* COMMAND: assess import
 * USAGE: cadre assess import --org CODE --period YYYY/YY [--toolkit ID] [--json] FILE.csv
 * Import responses gathered offline into an open round, all or nothing.
 * The file's header is respondent,group,statement,score,evidence; each
 * respondent's rows are their complete answers, which are saved and
 * submitted (replacing any draft).  An empty score is "don't know".  A
 * respondent new to the round is invited into the row's group.  Every
 * problem is reported as FILE:LINE:COLUMN: reason (the first 50, then "and
 * N more") and nothing is written: a score off the scale, an unknown
 * statement or group, a respondent answering a statement twice or one who
 * has already submitted.  The import is one audit entry with the file's
 * SHA-256.
 */
int cmd_assess_import(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess import";
	struct aargs a;
	struct assess_ref ref = {0};
	int rc = parse(cli, name, "optj", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = need_ref(cli, name, &a, &ref);
	if (rc != CADRE_OK)
		return rc;
	if (optind != argc - 1)
		return cli_usage_error(cli, name, "give one FILE.csv");
	struct session s;
	if ((rc = session_open(cli, true, &s)) != CADRE_OK)
		return rc;
	struct assess_import_result *res = xcalloc(1, sizeof *res);
	rc = assess_import(&s.sys, s.db, s.key, &ref, argv[optind], clock_system(), res, &cli->err);
	session_close(&s);
	if (rc == CADRE_OK) {
		if (a.json)
			rc = print_json(cli, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}",
			                               "file", argv[optind], "sha256", res->sha256,
			                               "rows", (json_int_t)res->rows, "respondents",
			                               (json_int_t)res->respondents, "invited",
			                               (json_int_t)res->invited, "skipped",
			                               (json_int_t)res->skipped, "audit_seq",
			                               (json_int_t)res->audit_seq));
		else
			(void)fprintf(cli->out,
			              "imported %" PRId64 " answers from %" PRId64
			              " respondents (%" PRId64 " newly invited, %" PRId64
			              " skipped); audit entry %" PRId64 "\n",
			              res->rows, res->respondents, res->invited, res->skipped,
			              res->audit_seq);
	} else if (import_problems_total(&res->problems)) {
		struct buf b;
		buf_init(&b, (size_t)1024 * 1024);
		if (import_problems_write(&res->problems, &b, &cli->err) == CADRE_OK)
			(void)fputs(buf_cstr(&b), cli->errout);
		buf_free(&b);
		long long n = (long long)import_problems_total(&res->problems);
		rc = cadre_err_set(&cli->err, CADRE_EINVAL,
		                   "rejected: %lld problem%s; nothing was written", n,
		                   n == 1 ? "" : "s");
	}
	free(res);
	return rc;
}

/* COMMAND: assess status
 * USAGE: cadre assess status --org CODE --period YYYY/YY [--toolkit ID] [--json]
 * Show a round's state and participation by respondent group.
 * Invited, not started, in progress (a saved draft) and submitted, for each
 * group and in all, with the response rate, so the chief people officer
 * can chase participation while the round is open.
 */
int cmd_assess_status(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess status";
	struct aargs a;
	struct assess_ref ref = {0};
	int rc = parse(cli, name, "optj", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = need_ref(cli, name, &a, &ref);
	if (rc == CADRE_OK)
		rc = no_args(cli, name, argc, argv);
	if (rc != CADRE_OK)
		return rc;
	struct session s;
	if ((rc = session_open(cli, false, &s)) != CADRE_OK)
		return rc;
	json_t *st = NULL;
	rc = assess_status_json(&s.sys, s.db, &ref, &st, &cli->err);
	session_close(&s);
	if (rc != CADRE_OK)
		return rc;
	if (a.json)
		return print_json(cli, st);
	const json_t *r = json_object_get(st, "round");
	const json_t *p = json_object_get(st, "participation");
	(void)fprintf(cli->out, "%s %s  %s  %s v%lld  %s\n",
	              json_string_value(json_object_get(r, "org")),
	              json_string_value(json_object_get(r, "org_name")),
	              json_string_value(json_object_get(r, "period")),
	              json_string_value(json_object_get(r, "toolkit")),
	              (long long)json_integer_value(json_object_get(r, "toolkit_version")),
	              json_string_value(json_object_get(r, "status")));
	(void)fprintf(cli->out, "%-28s %8s %12s %12s %10s\n", "group", "invited", "not started",
	              "in progress", "submitted");
	size_t i;
	const json_t *g;
	json_array_foreach(json_object_get(st, "groups"), i, g)
	{
		(void)fprintf(cli->out, "%-28s %8lld %12lld %12lld %10lld\n",
		              json_string_value(json_object_get(g, "label")),
		              (long long)json_integer_value(json_object_get(g, "invited")),
		              (long long)json_integer_value(json_object_get(g, "not_started")),
		              (long long)json_integer_value(json_object_get(g, "in_progress")),
		              (long long)json_integer_value(json_object_get(g, "submitted")));
	}
	(void)fprintf(cli->out, "%-28s %8lld %12lld %12lld %10lld\n", "all",
	              (long long)json_integer_value(json_object_get(p, "invited")),
	              (long long)json_integer_value(json_object_get(p, "not_started")),
	              (long long)json_integer_value(json_object_get(p, "in_progress")),
	              (long long)json_integer_value(json_object_get(p, "submitted")));
	json_decref(st);
	return CADRE_OK;
}

/* print_statements: the per-statement table under the summary */
static void print_statements(struct cli *cli, const json_t *res)
{
	(void)fprintf(cli->out,
	              "\n## Statements\n\n| Statement | Score | Answers | Skipped | Spread "
	              "| Rank | Evidence |\n|---|---:|---:|---:|---:|---:|---|\n");
	size_t i, k, e;
	const json_t *f, *s, *ev;
	json_array_foreach(json_object_get(res, "factors"), i, f)
	{
		json_array_foreach(json_object_get(f, "statements"), k, s)
		{
			const json_t *sc = json_object_get(s, "score");
			const json_t *sp = json_object_get(s, "spread");
			const json_t *rk = json_object_get(s, "rank");
			(void)fprintf(cli->out, "| %s | ",
			              json_string_value(json_object_get(s, "id")));
			if (json_is_number(sc))
				(void)fprintf(cli->out, "%.2f", json_number_value(sc));
			else
				(void)fprintf(cli->out, "not shown");
			(void)fprintf(cli->out, " | %lld | %lld | ",
			              (long long)json_integer_value(json_object_get(s, "answers")),
			              (long long)json_integer_value(json_object_get(s, "skipped")));
			if (json_is_number(sp))
				(void)fprintf(cli->out, "%.2f", json_number_value(sp));
			(void)fprintf(cli->out, " | ");
			if (json_is_integer(rk))
				(void)fprintf(cli->out, "%lld", (long long)json_integer_value(rk));
			(void)fprintf(cli->out, " | ");
			json_array_foreach(json_object_get(s, "evidence"), e, ev)
			{
				(void)fprintf(cli->out, "%s%s%s", e ? "; " : "",
				              json_string_value(json_object_get(ev, "key")),
				              json_is_true(json_object_get(ev, "concern"))
				                  ? " (concern)"
				                  : (json_is_true(json_object_get(ev, "available"))
				                         ? ""
				                         : " (not available)"));
			}
			(void)fprintf(cli->out, " |\n");
		}
	}
}

/* report: the round's report, or the status set in cli->err */
static int report(struct cli *cli, const struct assess_ref *ref, json_t **out)
{
	struct session s;
	int rc = session_open(cli, false, &s);
	if (rc != CADRE_OK)
		return rc;
	rc = assess_report_json(&s.sys, s.db, ref, out, &cli->err);
	session_close(&s);
	return rc;
}

static int print_summary(struct cli *cli, const json_t *rep)
{
	struct buf b;
	buf_init(&b, (size_t)4 * 1024 * 1024);
	int rc = assess_summary_markdown(rep, &b, &cli->err);
	if (rc == CADRE_OK)
		(void)fputs(buf_cstr(&b), cli->out);
	buf_free(&b);
	return rc;
}

/* COMMAND: assess results
 * USAGE: cadre assess results --org CODE --period YYYY/YY [--toolkit ID] [--json]
 * Show a round's results: factors, groups, spreads, improvement areas.
 * Scores per statement, factor and overall (means of submitted answers;
 * "don't know" left out); each group's factor scores where the group may be
 * shown (fewer than 3 respondents hides a group, and secondary suppression
 * hides another so it cannot be worked out from the total); the spread
 * between groups, flagged at 1 point or more; improvement areas ranked
 * from low scores, disagreement and contrary evidence; automatic evidence;
 * movement since the previous round; the action plan.  An open round's
 * results are provisional; a signed-off round shows exactly what was
 * signed.  --json gives the document the web page renders.  See
 * docs/toolkits.md for every rule.
 */
int cmd_assess_results(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess results";
	struct aargs a;
	struct assess_ref ref = {0};
	int rc = parse(cli, name, "optj", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = need_ref(cli, name, &a, &ref);
	if (rc == CADRE_OK)
		rc = no_args(cli, name, argc, argv);
	if (rc != CADRE_OK)
		return rc;
	json_t *rep = NULL;
	if ((rc = report(cli, &ref, &rep)) != CADRE_OK)
		return rc;
	if (a.json)
		return print_json(cli, rep);
	rc = print_summary(cli, rep);
	const json_t *res = json_object_get(rep, "results");
	if (rc == CADRE_OK && json_is_true(json_object_get(res, "shown")))
		print_statements(cli, res);
	json_decref(rep);
	return rc;
}

/* COMMAND: assess summary
 * USAGE: cadre assess summary --org CODE --period YYYY/YY [--toolkit ID]
 * Print the one-page board summary of a round, as Markdown.
 * Participation, factor scores with their level, spread and movement, the
 * top five improvement areas, evidence from Cadre's data and the action
 * plan, with the sign-off (who, when, the SHA-256 of the results as
 * signed).
 */
int cmd_assess_summary(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess summary";
	struct aargs a;
	struct assess_ref ref = {0};
	int rc = parse(cli, name, "opt", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = need_ref(cli, name, &a, &ref);
	if (rc == CADRE_OK)
		rc = no_args(cli, name, argc, argv);
	if (rc != CADRE_OK)
		return rc;
	json_t *rep = NULL;
	if ((rc = report(cli, &ref, &rep)) != CADRE_OK)
		return rc;
	rc = print_summary(cli, rep);
	json_decref(rep);
	return rc;
}

/* write_out: b to FILE (which must not exist) or to the command's output */
static int write_out(struct cli *cli, const char *path, const struct buf *b)
{
	int rc = CADRE_OK;
	FILE *f = cli->out;
	if (path) {
		f = fopen(path, "wx");
		if (!f)
			return cadre_err_set(&cli->err, CADRE_EINVAL,
			                     "%s: cannot create it (it must not exist)", path);
	}
	if (fwrite(b->data ? b->data : "", 1, b->len, f) != b->len)
		rc = cadre_err_set(&cli->err, CADRE_EINTERNAL, "writing the output failed");
	if (path && fclose(f) != 0 && rc == CADRE_OK)
		rc = cadre_err_set(&cli->err, CADRE_EINTERNAL, "%s: closing failed", path);
	return rc;
}

/* COMMAND: assess export
 * USAGE: cadre assess export --org CODE --period YYYY/YY [--toolkit ID] [--format csv|json|signed] [--output FILE]
 * Export a round's results as CSV (default), JSON, or as signed.
 * CSV: one row per overall, group, factor, group-and-factor and statement
 * figure, with a byte-order mark, CRLF line ends and text cells that would
 * start a formula neutralised.  json: the whole report.  signed: the
 * results document in the canonical form whose SHA-256 the sign-off
 * recorded (compact, keys sorted), so `sha256sum` can check it.  --output
 * writes to FILE, which must not exist.
 */
int cmd_assess_export(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess export";
	struct aargs a;
	struct assess_ref ref = {0};
	int rc = parse(cli, name, "optFO", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = need_ref(cli, name, &a, &ref);
	if (rc == CADRE_OK)
		rc = no_args(cli, name, argc, argv);
	if (rc != CADRE_OK)
		return rc;
	const char *format = a.format ? a.format : "csv";
	if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0 &&
	    strcmp(format, "signed") != 0)
		return cli_usage_error(cli, name, "--format '%s': csv, json or signed", format);
	json_t *rep = NULL;
	if ((rc = report(cli, &ref, &rep)) != CADRE_OK)
		return rc;
	struct buf b;
	buf_init(&b, (size_t)64 * 1024 * 1024);
	if (strcmp(format, "csv") == 0) {
		rc = assess_export_csv(rep, &b, &cli->err);
	} else if (strcmp(format, "json") == 0) {
		char *t =
		    json_dumps(rep, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		rc = t ? buf_puts(&b, t, &cli->err)
		       : cadre_err_set(&cli->err, CADRE_EINTERNAL, "JSON output failed");
		if (rc == CADRE_OK)
			rc = buf_putc(&b, '\n', &cli->err);
		free(t);
	} else if (!json_is_object(json_object_get(rep, "signoff"))) {
		rc =
		    cadre_err_set(&cli->err, CADRE_EINVAL,
		                  "the round is not signed off: there is nothing signed to export");
	} else {
		char *t = NULL;
		size_t len = 0;
		rc = audit_canonical_json(json_object_get(rep, "results"), &t, &len, &cli->err);
		if (rc == CADRE_OK)
			rc = buf_append(&b, t, len, &cli->err);
		free(t);
	}
	json_decref(rep);
	if (rc == CADRE_OK)
		rc = write_out(cli, a.output, &b);
	buf_free(&b);
	return rc;
}

/* COMMAND: assess radar
 * USAGE: cadre assess radar --org CODE --period YYYY/YY [--toolkit ID] [--output FILE]
 * Draw a round's factor scores as a radar chart (SVG with its table).
 * This round, and the previous round when there is one, as inline SVG
 * followed by the HTML table of every number it shows.  --output writes to
 * FILE, which must not exist.
 */
int cmd_assess_radar(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess radar";
	struct aargs a;
	struct assess_ref ref = {0};
	int rc = parse(cli, name, "optO", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = need_ref(cli, name, &a, &ref);
	if (rc == CADRE_OK)
		rc = no_args(cli, name, argc, argv);
	if (rc != CADRE_OK)
		return rc;
	json_t *rep = NULL;
	if ((rc = report(cli, &ref, &rep)) != CADRE_OK)
		return rc;
	struct buf b;
	buf_init(&b, (size_t)4 * 1024 * 1024);
	rc = assess_radar_html(rep, &b, &cli->err);
	json_decref(rep);
	if (rc == CADRE_OK)
		rc = write_out(cli, a.output, &b);
	buf_free(&b);
	return rc;
}

/* COMMAND: assess close
 * USAGE: cadre assess close --org CODE --period YYYY/YY [--toolkit ID] [--by NAME]
 * Close an open round: no more answers; automatic evidence is frozen.
 * Drafts that were never submitted are left out of the results.
 */
int cmd_assess_close(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess close";
	struct aargs a;
	struct assess_ref ref = {0};
	int rc = parse(cli, name, "optb", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = need_ref(cli, name, &a, &ref);
	if (rc == CADRE_OK)
		rc = no_args(cli, name, argc, argv);
	if (rc != CADRE_OK)
		return rc;
	struct session s;
	if ((rc = session_open(cli, true, &s)) != CADRE_OK)
		return rc;
	rc = assess_close(&s.sys, s.db, s.key, &ref, a.by ? a.by : "chief people officer",
	                  clock_system(), &cli->err);
	session_close(&s);
	if (rc == CADRE_OK) {
		char p[DATE_FY_SIZE];
		fy(ref.period, p);
		(void)fprintf(cli->out, "closed the round for %s in %s\n", ref.org, p);
	}
	return rc;
}

/* COMMAND: assess sign-off
 * USAGE: cadre assess sign-off --org CODE --period YYYY/YY [--toolkit ID] --by NAME
 * A board member signs off a closed round for the board.
 * The results document is stored exactly as signed, in canonical JSON,
 * with its SHA-256, the name given and the time, in an audited row; the
 * results shown afterwards are the signed ones, checked against the hash.
 */
int cmd_assess_sign_off(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess sign-off";
	struct aargs a;
	struct assess_ref ref = {0};
	int rc = parse(cli, name, "optb", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = need_ref(cli, name, &a, &ref);
	if (rc == CADRE_OK)
		rc = no_args(cli, name, argc, argv);
	if (rc != CADRE_OK)
		return rc;
	if (!a.by)
		return cli_usage_error(cli, name, "give --by NAME: the board member signing off");
	struct session s;
	if ((rc = session_open(cli, true, &s)) != CADRE_OK)
		return rc;
	char sha[AUDIT_HEX_LEN + 1];
	rc = assess_sign_off(&s.sys, s.db, s.key, &ref, a.by, clock_system(), sha, &cli->err);
	session_close(&s);
	if (rc == CADRE_OK)
		(void)fprintf(cli->out, "signed off by %s; results SHA-256 %s\n", a.by, sha);
	return rc;
}

/* COMMAND: assess action add
 * USAGE: cadre assess action add --org CODE --period YYYY/YY [--toolkit ID] --factor ID --action TEXT --owner NAME --due YYYY-MM-DD
 * Add an action to a round's improvement plan.
 * Each action belongs to a factor of the round's toolkit, has an owner and
 * a due date, and starts as not_started.
 */
int cmd_assess_action_add(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess action add";
	struct aargs a;
	struct assess_ref ref = {0};
	int rc = parse(cli, name, "optfawd", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = need_ref(cli, name, &a, &ref);
	if (rc == CADRE_OK)
		rc = no_args(cli, name, argc, argv);
	if (rc != CADRE_OK)
		return rc;
	if (!a.factor || !a.action || !a.owner || !a.due)
		return cli_usage_error(cli, name, "give --factor, --action, --owner and --due");
	struct session s;
	if ((rc = session_open(cli, true, &s)) != CADRE_OK)
		return rc;
	int64_t id = 0;
	rc = assess_action_add(&s.sys, s.db, s.key, &ref, a.factor, a.action, a.owner, a.due,
	                       clock_system(), &id, &cli->err);
	session_close(&s);
	if (rc == CADRE_OK)
		(void)fprintf(cli->out, "added action %" PRId64 "\n", id);
	return rc;
}

/* COMMAND: assess action update
 * USAGE: cadre assess action update --id N [--status not_started|in_progress|done|dropped] [--note TEXT]
 * Change an action's status and/or add a progress note.
 */
int cmd_assess_action_update(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess action update";
	struct aargs a;
	int rc = parse(cli, name, "iun", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = no_args(cli, name, argc, argv);
	if (rc != CADRE_OK)
		return rc;
	if (!a.id || (!a.status && !a.note))
		return cli_usage_error(cli, name, "give --id and a --status or a --note");
	struct session s;
	if ((rc = session_open(cli, true, &s)) != CADRE_OK)
		return rc;
	rc = assess_action_update(&s.sys, s.db, s.key, a.id, a.status, a.note, clock_system(),
	                          &cli->err);
	session_close(&s);
	if (rc == CADRE_OK)
		(void)fprintf(cli->out, "updated action %" PRId64 "\n", a.id);
	return rc;
}

/* COMMAND: assess share
 * USAGE: cadre assess share --org CODE --period YYYY/YY [--toolkit ID] --statement ID --text TEXT [--named] [--by NAME]
 * Share good practice for a statement the organisation scored 4 or more.
 * Only from a closed or signed-off round.  Others browse it with cadre
 * assess practice; the organisation is named only with --named.
 */
int cmd_assess_share(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess share";
	struct aargs a;
	struct assess_ref ref = {0};
	int rc = parse(cli, name, "optsxNb", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = need_ref(cli, name, &a, &ref);
	if (rc == CADRE_OK)
		rc = no_args(cli, name, argc, argv);
	if (rc != CADRE_OK)
		return rc;
	if (!a.statement || !a.text)
		return cli_usage_error(cli, name, "give --statement and --text");
	struct session s;
	if ((rc = session_open(cli, true, &s)) != CADRE_OK)
		return rc;
	rc = assess_share(&s.sys, s.db, s.key, &ref, a.statement, a.text, a.named,
	                  a.by ? a.by : "chief people officer", clock_system(), &cli->err);
	session_close(&s);
	if (rc == CADRE_OK)
		(void)fprintf(cli->out, "shared good practice for %s (%s)\n", a.statement,
		              a.named ? "named" : "anonymous");
	return rc;
}

/* COMMAND: assess practice
 * USAGE: cadre assess practice --toolkit ID [--statement ID] [--json]
 * Browse good practice that organisations chose to share.
 * For statements scored 4 or more; the organisation is named only when it
 * opted in.
 */
int cmd_assess_practice(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess practice";
	struct aargs a;
	int rc = parse(cli, name, "tsj", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = no_args(cli, name, argc, argv);
	if (rc != CADRE_OK)
		return rc;
	if (!a.toolkit)
		return cli_usage_error(cli, name, "give --toolkit ID");
	struct session s;
	if ((rc = session_open(cli, false, &s)) != CADRE_OK)
		return rc;
	json_t *o = NULL;
	rc = assess_practice_json(&s.sys, s.db, a.toolkit, a.statement, &o, &cli->err);
	session_close(&s);
	if (rc != CADRE_OK)
		return rc;
	if (a.json)
		return print_json(cli, o);
	size_t i;
	const json_t *p;
	const json_t *list = json_object_get(o, "practice");
	if (!json_array_size(list))
		(void)fprintf(cli->out, "no good practice shared yet\n");
	json_array_foreach(list, i, p)
	{
		const json_t *org = json_object_get(p, "org");
		(void)fprintf(cli->out, "%s (%.2f, %s, %s): %s\n  %s\n",
		              json_string_value(json_object_get(p, "statement")),
		              json_number_value(json_object_get(p, "score")),
		              json_string_value(json_object_get(p, "period")),
		              json_is_string(org)
		                  ? json_string_value(json_object_get(p, "org_name"))
		                  : "an organisation that chose not to be named",
		              json_string_value(json_object_get(p, "statement_text")),
		              json_string_value(json_object_get(p, "text")));
	}
	json_decref(o);
	return CADRE_OK;
}

static void print_dist(struct cli *cli, const json_t *d)
{
	if (!json_is_object(d)) {
		(void)fprintf(cli->out, "%-40s", "");
		return;
	}
	(void)fprintf(cli->out, "%4.2f %4.2f %4.2f %4.2f %4.2f (n %lld)",
	              json_number_value(json_object_get(d, "min")),
	              json_number_value(json_object_get(d, "q1")),
	              json_number_value(json_object_get(d, "median")),
	              json_number_value(json_object_get(d, "q3")),
	              json_number_value(json_object_get(d, "max")),
	              (long long)json_integer_value(json_object_get(d, "n")));
}

static void print_score(struct cli *cli, const json_t *v)
{
	if (json_is_number(v))
		(void)fprintf(cli->out, " %5.2f", json_number_value(v));
	else
		(void)fprintf(cli->out, " %5s", "-");
}

static void print_benchmark(struct cli *cli, const json_t *o)
{
	const json_t *org = json_object_get(o, "org");
	const json_t *factors = json_object_get(o, "factors");
	(void)fprintf(cli->out, "%s %s, %s, %s\n", json_string_value(json_object_get(org, "code")),
	              json_string_value(json_object_get(org, "name")),
	              json_string_value(json_object_get(o, "period")),
	              json_string_value(json_object_get(json_object_get(o, "toolkit"), "id")));
	size_t i, k;
	const json_t *f, *row;
	const json_t *orgs = json_object_get(o, "organisations");
	if (json_is_object(orgs)) {
		(void)fprintf(cli->out, "\norganisations (%lld):\n%-6s %7s",
		              (long long)json_integer_value(json_object_get(orgs, "count")), "code",
		              "overall");
		json_array_foreach(factors, i, f)
		{
			(void)fprintf(cli->out, " f%zu   ", i + 1);
		}
		(void)fputc('\n', cli->out);
		json_array_foreach(json_object_get(orgs, "rows"), k, row)
		{
			(void)fprintf(cli->out, "%-6s  ",
			              json_string_value(json_object_get(row, "code")));
			print_score(cli, json_object_get(row, "overall"));
			json_array_foreach(factors, i, f)
			{
				print_score(cli, json_object_get(
				                     json_object_get(row, "factors"),
				                     json_string_value(json_object_get(f, "id"))));
			}
			(void)fprintf(cli->out, "  %s\n",
			              json_string_value(json_object_get(row, "name")));
		}
		(void)fprintf(cli->out, "distribution (min q1 median q3 max):\n");
		const json_t *dist = json_object_get(orgs, "distribution");
		(void)fprintf(cli->out, "  %-32s ", "overall");
		print_dist(cli, json_object_get(dist, "overall"));
		(void)fputc('\n', cli->out);
		json_array_foreach(factors, i, f)
		{
			(void)fprintf(cli->out, "  f%zu %-29s ", i + 1,
			              json_string_value(json_object_get(f, "title")));
			print_dist(cli, json_object_get(
			                    dist, json_string_value(json_object_get(f, "id"))));
			(void)fputc('\n', cli->out);
		}
	}
	const json_t *self = json_object_get(o, "self");
	if (json_is_object(self)) {
		const json_t *pg;
		json_array_foreach(json_object_get(self, "peer_groups"), k, pg)
		{
			(void)fprintf(cli->out,
			              "\nagainst %s %s (%s), other organisations anonymised:\n",
			              json_string_value(json_object_get(pg, "code")),
			              json_string_value(json_object_get(pg, "name")),
			              json_string_value(json_object_get(pg, "kind")));
			if (json_is_true(json_object_get(pg, "suppressed"))) {
				(void)fprintf(cli->out, "  %s\n",
				              json_string_value(json_object_get(pg, "reason")));
				continue;
			}
			const json_t *it;
			json_array_foreach(json_object_get(pg, "factors"), i, it)
			{
				(void)fprintf(cli->out, "  %-30s self",
				              json_string_value(json_object_get(it, "id")));
				print_score(cli, json_object_get(it, "self"));
				(void)fprintf(cli->out, "  ");
				print_dist(cli, json_object_get(it, "distribution"));
				(void)fputc('\n', cli->out);
			}
		}
	}
	if (!json_is_object(orgs) && !json_is_object(self))
		(void)fprintf(cli->out, "no closed rounds to compare\n");
}

/* COMMAND: assess benchmark
 * USAGE: cadre assess benchmark --org CODE --period YYYY/YY [--toolkit ID] [--json]
 * Compare factor scores across organisations (peer benchmark).
 * For an ICB or region: its organisations' factor scores side by side,
 * named, with each factor's distribution (min, quartiles, median, max).
 * For an organisation with its own round: itself against its ICB's and
 * region's organisations, the others anonymised (values only, sorted per
 * factor) and nothing shown when fewer than 5 organisations have results.
 * Closed and signed-off rounds count.  The toolkit defaults to the one for
 * trusts.
 */
int cmd_assess_benchmark(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess benchmark";
	struct aargs a;
	struct assess_ref ref = {0};
	int rc = parse(cli, name, "optj", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = need_ref(cli, name, &a, &ref);
	if (rc == CADRE_OK)
		rc = no_args(cli, name, argc, argv);
	if (rc != CADRE_OK)
		return rc;
	struct session s;
	if ((rc = session_open(cli, false, &s)) != CADRE_OK)
		return rc;
	json_t *o = NULL;
	rc = assess_benchmark_json(&s.sys, s.db, ref.org, ref.period, ref.toolkit, &o, &cli->err);
	session_close(&s);
	if (rc != CADRE_OK)
		return rc;
	if (a.json)
		return print_json(cli, o);
	print_benchmark(cli, o);
	json_decref(o);
	return CADRE_OK;
}

/* COMMAND: assess evidence
 * USAGE: cadre assess evidence --org CODE --period YYYY/YY [--key KEY] [--json]
 * Resolve automatic evidence keys for an organisation and period.
 * Every key of the evidence registry (or only --key), with its value from
 * the data Cadre holds, or "not available yet" and why: never an invented
 * figure.  docs/toolkits.md lists which keys are live.
 */
int cmd_assess_evidence(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess evidence";
	struct aargs a;
	struct assess_ref ref = {0};
	int rc = parse(cli, name, "opKj", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = need_ref(cli, name, &a, &ref);
	if (rc == CADRE_OK)
		rc = no_args(cli, name, argc, argv);
	if (rc != CADRE_OK)
		return rc;
	if (a.key && !assess_evidence_find(a.key))
		return cli_usage_error(cli, name, "--key '%s': no such evidence key", a.key);
	struct session s;
	if ((rc = session_open(cli, false, &s)) != CADRE_OK)
		return rc;
	json_t *arr = json_array();
	for (size_t i = 0; i < assess_evidence_nproviders && rc == CADRE_OK; i++) {
		const struct assess_evidence_provider *p = &assess_evidence_providers[i];
		if (a.key && strcmp(a.key, p->key) != 0)
			continue;
		struct assess_evidence e;
		rc = assess_evidence_resolve(&s.sys, s.db, ref.org, ref.period, p->key, &e,
		                             &cli->err);
		if (rc != CADRE_OK)
			break;
		json_array_append_new(
		    arr,
		    json_pack("{s:s, s:s, s:b, s:b, s:o, s:s, s:b, s:s, s:s}", "key", e.key,
		              "title", p->title, "live", p->live, "available", e.available, "value",
		              e.has_value ? json_real(e.value) : json_null(), "unit", e.unit,
		              "concern", e.concern, "text", e.text, "source", e.source));
	}
	session_close(&s);
	if (rc != CADRE_OK) {
		json_decref(arr);
		return rc;
	}
	if (a.json)
		return print_json(cli, arr);
	size_t i;
	const json_t *e;
	json_array_foreach(arr, i, e)
	{
		(void)fprintf(cli->out, "%-28s %s%s\n",
		              json_string_value(json_object_get(e, "key")),
		              json_string_value(json_object_get(e, "text")),
		              json_is_true(json_object_get(e, "concern")) ? " [concern]" : "");
	}
	json_decref(arr);
	return CADRE_OK;
}

/* COMMAND: assess demo
 * USAGE: cadre assess demo --org CODE... --period YYYY/YY... [--seed N]
 * Seed completed demo rounds: trusts in every period, ICBs in the latest.
 * Responses are drawn deterministically from --seed (default 1), so the
 * same seed gives the same rounds; each round is closed and signed off, and
 * the latest gets an action plan and, where a statement scores 4 or more,
 * shared good practice.  Rounds that already exist are left alone.  The
 * shipped toolkits are loaded first when none is.
 */
int cmd_assess_demo(struct cli *cli, int argc, char **argv)
{
	static const char name[] = "assess demo";
	struct aargs a;
	int rc = parse(cli, name, "opz", argc, argv, &a);
	if (rc == CADRE_OK)
		rc = no_args(cli, name, argc, argv);
	if (rc != CADRE_OK)
		return rc;
	if (!a.norgs || !a.nperiods)
		return cli_usage_error(cli, name, "give at least one --org and one --period");
	bool seeded = false;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--seed") == 0 || strncmp(argv[i], "--seed=", 7) == 0)
			seeded = true;
	struct session s;
	if ((rc = session_open(cli, true, &s)) != CADRE_OK)
		return rc;
	rc = assess_demo_seed(&s.sys, s.db, s.key, a.orgs, a.norgs, a.periods, a.nperiods,
	                      seeded ? a.seed : 1, clock_system(), &cli->err);
	session_close(&s);
	if (rc == CADRE_OK)
		(void)fprintf(cli->out, "demo rounds seeded for %zu organisation%s\n", a.norgs,
		              a.norgs == 1 ? "" : "s");
	return rc;
}
