/* cadre quality */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

#include "cli/cli.h"
#include "cli/people_out.h"
#include "cli_index.h"
#include "domain/db.h"
#include "domain/quality.h"

static json_t *list_json(const struct quality_list *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_pack("{s:s, s:I}", "what", l->v[i].what, "count",
		                                   (json_int_t)l->v[i].n));
	return a;
}

static json_t *pct(int64_t n, int64_t of)
{
	return json_pack("{s:I, s:f}", "count", (json_int_t)n, "percent", quality_percent(n, of));
}

static int quality_json(struct cli *cli, const struct quality_report *q)
{
	int64_t sp = q->staff_in_post, ap = q->assignments_in_post;
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "org", q->org.code, "name", q->org.name,
	              "as_of", q->as_of, "assignments", (json_int_t)q->assignments,
	              "assignments_in_post", (json_int_t)ap, "staff_in_post", (json_int_t)sp);
	json_object_set_new(
	    o, "unknown_codes",
	    json_pack("{s:o, s:I, s:o, s:o, s:I, s:o}", "occupation_codes_not_in_reference_data",
	              pct(q->occupation_unlisted, ap), "distinct_codes",
	              (json_int_t)q->occupation_unlisted_codes.total, "codes",
	              list_json(&q->occupation_unlisted_codes), "closed_occupation_codes",
	              pct(q->occupation_closed, ap), "distinct_closed",
	              (json_int_t)q->occupation_closed_codes.total, "closed",
	              list_json(&q->occupation_closed_codes)));
	json_object_set_new(o, "staff_groups",
	                    json_pack("{s:o, s:o, s:o}", "fallback_from_esr_staff_group",
	                              pct(q->group_fallback, ap), "esr_staff_group_conflicts",
	                              pct(q->group_conflicts, ap), "conflicts",
	                              list_json(&q->conflicts)));
	json_object_set_new(o, "staff_without_national_identifier",
	                    pct(q->staff_without_identifier, sp));
	json_object_set_new(o, "ledger",
	                    json_pack("{s:I, s:o, s:I, s:o}",
	                              "cost_centres_with_establishment_and_no_staff",
	                              (json_int_t)q->cost_centres_no_staff, "no_staff",
	                              list_json(&q->cost_centres_no_staff_list),
	                              "cost_centres_with_staff_and_no_establishment",
	                              (json_int_t)q->cost_centres_no_budget, "no_establishment",
	                              list_json(&q->cost_centres_no_budget_list)));
	json_object_set_new(o, "protected_characteristics",
	                    json_pack("{s:o, s:o, s:o, s:s, s:s}", "ethnicity_not_stated",
	                              pct(q->ethnicity_not_stated, sp), "ethnicity_not_known",
	                              pct(q->ethnicity_not_known, sp), "disability_not_declared",
	                              pct(q->disability_not_declared, sp), "religion", "not held",
	                              "sexual_orientation", "not held"));
	json_object_set_new(o, "managers",
	                    json_pack("{s:I, s:I, s:o}", "managers", (json_int_t)q->managers,
	                              "not_in_post", (json_int_t)q->managers_not_in_post,
	                              "not_in_post_list",
	                              list_json(&q->managers_not_in_post_list)));
	return people_print_json(cli, o);
}

static void list_text(FILE *out, const struct quality_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		(void)fprintf(out, "    %-40s %lld\n", l->v[i].what, (long long)l->v[i].n);
	if (l->total > (int64_t)l->n)
		(void)fprintf(out, "    and %lld more\n", (long long)(l->total - (int64_t)l->n));
}

static void quality_text(struct cli *cli, const struct quality_report *q)
{
	FILE *out = cli->out;
	int64_t sp = q->staff_in_post, ap = q->assignments_in_post;
	(void)fprintf(out, "%s  %s: data quality on %s\n", q->org.code, q->org.name, q->as_of);
	(void)fprintf(out, "%lld assignments active, %lld in post, %lld staff records in post\n",
	              (long long)q->assignments, (long long)ap, (long long)sp);
	(void)fprintf(out, "unknown codes:\n");
	(void)fprintf(
	    out, "  occupation codes not in the reference data: %lld assignments (%.1f%%)\n",
	    (long long)q->occupation_unlisted, quality_percent(q->occupation_unlisted, ap));
	list_text(out, &q->occupation_unlisted_codes);
	(void)fprintf(out, "  closed occupation codes: %lld assignments\n",
	              (long long)q->occupation_closed);
	list_text(out, &q->occupation_closed_codes);
	(void)fprintf(out, "staff groups:\n");
	(void)fprintf(out,
	              "  by the fallback from the ESR staff group: %lld assignments (%.1f%%)\n",
	              (long long)q->group_fallback, quality_percent(q->group_fallback, ap));
	(void)fprintf(out, "  ESR staff group conflicts with the derived group: %lld (%.1f%%)\n",
	              (long long)q->group_conflicts, quality_percent(q->group_conflicts, ap));
	list_text(out, &q->conflicts);
	(void)fprintf(out, "staff records without a national identifier: %lld (%.1f%%)\n",
	              (long long)q->staff_without_identifier,
	              quality_percent(q->staff_without_identifier, sp));
	(void)fprintf(out, "ledger cost centres with establishment and nobody in post: %lld\n",
	              (long long)q->cost_centres_no_staff);
	list_text(out, &q->cost_centres_no_staff_list);
	(void)fprintf(out, "cost centres with staff in post and no establishment: %lld\n",
	              (long long)q->cost_centres_no_budget);
	list_text(out, &q->cost_centres_no_budget_list);
	(void)fprintf(out, "protected characteristics missing (of staff records in post):\n");
	(void)fprintf(
	    out, "  ethnicity not stated (Z): %lld (%.1f%%); not known (99): %lld (%.1f%%)\n",
	    (long long)q->ethnicity_not_stated, quality_percent(q->ethnicity_not_stated, sp),
	    (long long)q->ethnicity_not_known, quality_percent(q->ethnicity_not_known, sp));
	(void)fprintf(out, "  disability not declared: %lld (%.1f%%)\n",
	              (long long)q->disability_not_declared,
	              quality_percent(q->disability_not_declared, sp));
	(void)fprintf(out, "  religion, sexual orientation: not held (not in the extract)\n");
	(void)fprintf(out, "managers who are not staff in post that day: %lld of %lld\n",
	              (long long)q->managers_not_in_post, (long long)q->managers);
	list_text(out, &q->managers_not_in_post_list);
}

/* COMMAND: quality
 * USAGE: cadre quality --org CODE [--as-of YYYY-MM-DD] [--json]
 * Data-quality report of the staff and ledger data under an organisation.
 * For the day (default: the latest extract date): occupation codes the
 * reference data does not cover and closed codes; staff groups found by
 * Cadre's fallback and ESR staff groups that conflict with the derived
 * group; staff without a national identifier; ledger cost centres with no
 * staff and staff on cost centres with no budget that month; missing
 * protected characteristics as percentages; managers who are not staff in
 * post that day.
 */
int cmd_quality(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"org", required_argument, NULL, 'o'},
	                                     {"as-of", required_argument, NULL, 'a'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {0}};
	const char *org = NULL, *as_of = NULL;
	bool json = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o': org = optarg; break;
		case 'a': as_of = optarg; break;
		case 'j': json = true; break;
		default:
			return cli_usage_error(cli, "quality", "unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, "quality", "unexpected argument '%s'", argv[optind]);
	if (!org)
		return cli_usage_error(cli, "quality", "--org is required");
	struct store *db;
	int rc = cli_open_db(cli, &db);
	if (rc != CADRE_OK)
		return rc;
	struct actor sys = actor_system("cli");
	struct quality_report *q = xcalloc(1, sizeof *q);
	rc = quality_report(&sys, db, org, as_of, q, &cli->err);
	db_close(db);
	if (rc == CADRE_OK) {
		if (json)
			rc = quality_json(cli, q);
		else
			quality_text(cli, q);
	}
	free(q);
	return rc;
}
