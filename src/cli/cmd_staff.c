/* cadre staff summary */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/people_out.h"
#include "cli_index.h"
#include "domain/db.h"
#include "domain/people.h"

static const char *by_name(enum people_by by)
{
	switch (by) {
	case PEOPLE_BY_STAFF_GROUP: return "staff-group";
	case PEOPLE_BY_GRADE: return "grade";
	case PEOPLE_BY_PROFESSION: return "profession";
	case PEOPLE_BY_NONE: break;
	}
	return "";
}

static double round4(double x)
{
	return (double)llround(x * 10000.0) / 10000.0;
}

static int summary_json(struct cli *cli, const struct people_summary *s)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:f, s:I, s:I}", "org", s->org.code,
	                      "name", s->org.name, "kind", s->org.kind, "as_of", s->as_of, "source",
	                      s->from_stats ? "org_stats_staff" : "computed", "headcount",
	                      (json_int_t)s->headcount, "fte", round4(s->fte), "assignments",
	                      (json_int_t)s->assignments, "staff_group_fallback_assignments",
	                      (json_int_t)s->fallback_assignments);
	if (!s->from_stats) {
		json_object_set_new(o, "excluded_bank_assignments", json_integer(s->excluded_bank));
		json_object_set_new(o, "excluded_honorary_assignments",
		                    json_integer(s->excluded_honorary));
	}
	if (s->by != PEOPLE_BY_NONE) {
		json_t *lines = json_array();
		for (size_t i = 0; i < s->nlines; i++) {
			const struct people_line *L = &s->lines[i];
			json_t *l = json_pack("{s:s, s:I, s:f, s:I}", "key", L->key, "headcount",
			                      (json_int_t)L->headcount, "fte", round4(L->fte),
			                      "assignments", (json_int_t)L->assignments);
			if (s->by == PEOPLE_BY_STAFF_GROUP)
				json_object_set_new(l, "fallback_assignments",
				                    json_integer(L->fallback_assignments));
			json_array_append_new(lines, l);
		}
		json_object_set_new(o, "by", json_string(by_name(s->by)));
		json_object_set_new(o, "lines", lines);
		json_object_set_new(
		    o, "note",
		    json_string("headcount is distinct people: a person counts once "
		                "in each line they appear in and once in the total, "
		                "so lines do not add up to it; FTE does"));
	}
	return people_print_json(cli, o);
}

static void summary_text(struct cli *cli, const struct people_summary *s)
{
	FILE *out = cli->out;
	char a[32], b[32];
	(void)fprintf(out, "%s  %s (%s), staff in post on %s\n", s->org.code, s->org.name,
	              s->org.kind, s->as_of);
	(void)fprintf(out, "headcount %s people, FTE %s, in %s assignments (%s)\n",
	              people_num((double)s->headcount, 0, a, sizeof a),
	              people_num(s->fte, 2, b, sizeof b),
	              people_num((double)s->assignments, 0, a + 16, sizeof a - 16),
	              s->from_stats ? "from the kept monthly statistics" : "computed");
	if (!s->from_stats && (s->excluded_bank || s->excluded_honorary))
		(void)fprintf(out, "not staff in post: %lld bank and %lld honorary assignments\n",
		              (long long)s->excluded_bank, (long long)s->excluded_honorary);
	if (s->by != PEOPLE_BY_NONE) {
		(void)fprintf(out, "%-28s %12s %14s %12s%s\n", by_name(s->by), "headcount", "FTE",
		              "assignments", s->by == PEOPLE_BY_STAFF_GROUP ? "  fallback" : "");
		for (size_t i = 0; i < s->nlines; i++) {
			const struct people_line *L = &s->lines[i];
			(void)fprintf(out, "%-28s %12lld %14s %12lld", L->key,
			              (long long)L->headcount, people_num(L->fte, 2, a, sizeof a),
			              (long long)L->assignments);
			if (s->by == PEOPLE_BY_STAFF_GROUP)
				(void)fprintf(out, "  %lld", (long long)L->fallback_assignments);
			(void)fputc('\n', out);
		}
		(void)fprintf(out, "(headcount is distinct people: lines do not add up to the "
		                   "total; FTE does)\n");
	}
	if (s->fallback_assignments)
		(void)fprintf(
		    out,
		    "FALLBACK: the staff group of %lld assignments comes from Cadre's ESR "
		    "staff group correspondence, not from the occupation code (the reference "
		    "data does not map those codes; see `cadre quality`)\n",
		    (long long)s->fallback_assignments);
}

/* COMMAND: staff summary
 * USAGE: cadre staff summary --org CODE [--as-of YYYY-MM-DD] [--by staff-group|grade|profession] [--json]
 * Staff in post under an organisation, ward or team: headcount and FTE.
 * Staff in post are the permanent, fixed-term and locum assignments active
 * on the day (default: the latest extract date), never bank or honorary.
 * Headcount is distinct people: a person with two posts, or posts at two
 * trusts of an ICB, counts once; it is never added across lines.  FTE is
 * summed.  --by breaks it down by NHS Digital staff group (with how many
 * were placed by Cadre's fallback from the ESR staff group), by grade band
 * or by profession, using the values valid on the day.
 */
int cmd_staff_summary(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"org", required_argument, NULL, 'o'},
	                                     {"as-of", required_argument, NULL, 'a'},
	                                     {"by", required_argument, NULL, 'b'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {0}};
	const char *org = NULL, *as_of = NULL;
	enum people_by by = PEOPLE_BY_NONE;
	bool json = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o': org = optarg; break;
		case 'a': as_of = optarg; break;
		case 'b':
			if (strcmp(optarg, "staff-group") == 0)
				by = PEOPLE_BY_STAFF_GROUP;
			else if (strcmp(optarg, "grade") == 0)
				by = PEOPLE_BY_GRADE;
			else if (strcmp(optarg, "profession") == 0)
				by = PEOPLE_BY_PROFESSION;
			else
				return cli_usage_error(
				    cli, "staff summary",
				    "--by '%s': staff-group, grade or profession", optarg);
			break;
		case 'j': json = true; break;
		default:
			return cli_usage_error(cli, "staff summary", "unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, "staff summary", "unexpected argument '%s'",
		                       argv[optind]);
	if (!org)
		return cli_usage_error(cli, "staff summary", "--org is required");
	struct store *db;
	int rc = cli_open_db(cli, &db);
	if (rc != CADRE_OK)
		return rc;
	struct actor sys = actor_system("cli");
	struct people_summary s;
	rc = people_summary(&sys, db, org, as_of, by, &s, &cli->err);
	db_close(db);
	if (rc != CADRE_OK)
		return rc;
	if (json)
		rc = summary_json(cli, &s);
	else
		summary_text(cli, &s);
	people_summary_free(&s);
	return rc;
}
