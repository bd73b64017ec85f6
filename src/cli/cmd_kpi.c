/* cadre kpi sickness, staff-in-post, vacancies, temporary-staffing */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "base/date.h"
#include "cli/cli.h"
#include "cli_index.h"
#include "domain/actor.h"
#include "domain/db.h"
#include "domain/sickness.h"
#include "domain/establishment.h"
#include "domain/staff_in_post.h"
#include "domain/tempstaff.h"

/* published figures carry at most 5 decimals: round sums of doubles back */
static double round5(double x)
{
	return round(x * 1e5) / 1e5;
}

static double rate_of(int64_t hundredths)
{
	return (double)hundredths / 100.0;
}

static int print_json(struct cli *cli, json_t *o)
{
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(o);
	if (!text)
		return cadre_err_set(&cli->err, CADRE_EINTERNAL, "JSON output failed");
	(void)fprintf(cli->out, "%s\n", text);
	free(text);
	return CADRE_OK;
}

/* thousands: x with thousands separators and `places` decimals into out. */
static const char *thousands(double x, int places, char *out, size_t n)
{
	char raw[64];
	(void)snprintf(raw, sizeof raw, "%.*f", places, x);
	const char *dot = strchr(raw, '.');
	size_t intlen = dot ? (size_t)(dot - raw) : strlen(raw);
	size_t lead = raw[0] == '-' ? 1 : 0;
	size_t o = 0;
	for (size_t i = 0; i < strlen(raw) && o + 2 < n; i++) {
		if (i > lead && i < intlen && (intlen - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = raw[i];
	}
	out[o] = '\0';
	return out;
}

static int open_db(struct cli *cli, struct store **db)
{
	*db = NULL;
	const char *url = cli_db_url(cli);
	if (!url)
		return cli->err.status ? cli->err.status : CADRE_EINTERNAL;
	return db_open(url, db, &cli->err);
}

static int sickness_json(struct cli *cli, const struct sickness_kpi *k)
{
	char a[DATE_MONTH_SIZE], b[DATE_MONTH_SIZE];
	date_month_format(k->from, a);
	date_month_format(k->to, b);
	json_t *months = json_array();
	json_t *missing = json_array();
	int64_t earliest = 0, unassigned = 0;
	for (size_t i = 0; i < k->nmonths; i++) {
		const struct sickness_month *m = &k->months[i];
		char mm[DATE_MONTH_SIZE];
		date_month_format(m->month, mm);
		if (!m->has_data) {
			json_array_append_new(missing, json_string(mm));
			continue;
		}
		earliest += m->earliest_rows;
		unassigned += m->unassigned_rows;
		json_array_append_new(
		    months,
		    json_pack("{s:s, s:f, s:f, s:f, s:I, s:I, s:I}", "month", mm, "fte_days_lost",
		              round5(m->fte_days_lost), "fte_days_available",
		              round5(m->fte_days_available), "rate_percent",
		              rate_of(m->rate_hundredths), "organisations", (json_int_t)m->rows,
		              "placed_by_earliest_known_edges", (json_int_t)m->earliest_rows,
		              "unassigned", (json_int_t)m->unassigned_rows));
	}
	json_t *o = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:I, s:I, s:I, s:I, s:o, s:o}", "org",
	    k->org.code, "name", k->org.name, "kind", k->org.kind, "from", a, "to", b,
	    "fte_days_lost", round5(k->fte_days_lost), "fte_days_available",
	    round5(k->fte_days_available), "rate_percent", rate_of(k->rate_hundredths),
	    "organisation_months", (json_int_t)k->rows, "months_with_data",
	    (json_int_t)k->months_with_data, "placed_by_earliest_known_edges", (json_int_t)earliest,
	    "unassigned", (json_int_t)unassigned, "months", months, "months_without_data", missing);
	if (earliest)
		json_object_set_new(
		    o, "note",
		    json_string("some organisations were placed by the earliest known "
		                "edges: no source covers those months"));
	return print_json(cli, o);
}

static void sickness_text(struct cli *cli, const struct sickness_kpi *k)
{
	char a[DATE_MONTH_SIZE], b[DATE_MONTH_SIZE], x[64], y[64];
	date_month_format(k->from, a);
	date_month_format(k->to, b);
	FILE *out = cli->out;
	(void)fprintf(out, "%s  %s (%s), %s to %s\n", k->org.code, k->org.name, k->org.kind, a, b);
	(void)fprintf(out, "sickness absence rate %.2f%%: %s FTE days lost of %s available\n",
	              rate_of(k->rate_hundredths), thousands(k->fte_days_lost, 2, x, sizeof x),
	              thousands(k->fte_days_available, 2, y, sizeof y));
	(void)fprintf(out, "%-8s %16s %18s %7s %6s\n", "month", "FTE days lost", "FTE days avail.",
	              "rate %", "orgs");
	for (size_t i = 0; i < k->nmonths; i++) {
		const struct sickness_month *m = &k->months[i];
		char mm[DATE_MONTH_SIZE];
		date_month_format(m->month, mm);
		if (!m->has_data) {
			(void)fprintf(out, "%-8s %16s\n", mm, "no figures");
			continue;
		}
		(void)fprintf(out, "%-8s %16s %18s %7.2f %6lld%s\n", mm,
		              thousands(m->fte_days_lost, 2, x, sizeof x),
		              thousands(m->fte_days_available, 2, y, sizeof y),
		              rate_of(m->rate_hundredths), (long long)m->rows,
		              m->earliest_rows ? "  (earliest known edges applied)" : "");
	}
}

/* COMMAND: kpi sickness
 * USAGE: cadre kpi sickness --org CODE --from YYYY-MM --to YYYY-MM [--json]
 * Sickness absence rate of an organisation and everything under it.
 * Sums FTE days lost and FTE days available over the organisation's subtree
 * as it stood in each month (the organisation's own row included: --org QHL
 * is the whole ICS area, the ICB's own staff too), then divides: rates are
 * never averaged.  The rate is rounded to 2 decimal places as NHS England
 * publishes it.  --json prints one object with org, from, to,
 * fte_days_lost, fte_days_available, rate_percent and the months.
 */
int cmd_kpi_sickness(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"org", required_argument, NULL, 'o'},
	                                     {"from", required_argument, NULL, 'f'},
	                                     {"to", required_argument, NULL, 't'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {0}};
	const char *org = NULL;
	int from = 0, to = 0;
	bool json = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o': org = optarg; break;
		case 'f':
		case 't':
			if (date_month_parse(optarg, strlen(optarg), c == 'f' ? &from : &to,
			                     &cli->err))
				return cli_usage_error(cli, "kpi sickness",
				                       "--%s '%s': expected YYYY-MM",
				                       c == 'f' ? "from" : "to", optarg);
			break;
		case 'j': json = true; break;
		default:
			return cli_usage_error(cli, "kpi sickness", "unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, "kpi sickness", "unexpected argument '%s'",
		                       argv[optind]);
	if (!org || !from || !to)
		return cli_usage_error(cli, "kpi sickness", "--org, --from and --to are required");
	if (from > to)
		return cli_usage_error(cli, "kpi sickness", "--from is after --to");
	struct store *db;
	int rc = open_db(cli, &db);
	if (rc != CADRE_OK)
		return rc;
	struct actor sys = actor_system("cli");
	struct sickness_kpi k;
	rc = sickness_kpi(&sys, db, org, from, to, &k, &cli->err);
	if (rc == CADRE_OK) {
		if (json)
			rc = sickness_json(cli, &k);
		else
			sickness_text(cli, &k);
		sickness_kpi_free(&k);
	}
	db_close(db);
	return rc;
}

static int sip_json(struct cli *cli, const struct sip_kpi *k)
{
	char mm[DATE_MONTH_SIZE];
	date_month_format(k->month, mm);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:f, s:I, s:I}", "org", k->org.code, "name",
	                      k->org.name, "kind", k->org.kind, "month", mm, "fte", round5(k->fte),
	                      "organisations", (json_int_t)k->orgs, "rows", (json_int_t)k->rows);
	if (k->by != SIP_BY_NONE) {
		bool sg = k->by == SIP_BY_STAFF_GROUP;
		json_t *g = json_array();
		for (size_t i = 0; i < k->ngroups; i++) {
			const struct sip_group *x = &k->groups[i];
			json_t *row = sg ? json_pack("{s:s, s:s, s:f}", "code", x->key,
			                             "staff_group", x->name, "fte", round5(x->fte))
			                 : json_pack("{s:s, s:f}", "nationality", x->name, "fte",
			                             round5(x->fte));
			json_array_append_new(g, row);
		}
		json_object_set_new(o, "by", json_string(sg ? "staff-group" : "nationality"));
		json_object_set_new(o, "groups", g);
	}
	json_object_set_new(o, "placed_by_earliest_known_edges", json_integer(k->earliest_orgs));
	if (k->earliest_orgs)
		json_object_set_new(
		    o, "note",
		    json_string("the hierarchy for this month is not known from any "
		                "source: the earliest known edges are applied"));
	json_t *u = json_array();
	for (size_t i = 0; i < k->nunassigned; i++)
		json_array_append_new(u, json_pack("{s:s, s:s, s:f}", "code", k->unassigned[i].code,
		                                   "name", k->unassigned[i].name, "fte",
		                                   round5(k->unassigned[i].fte)));
	json_object_set_new(o, "unassigned", u);
	json_object_set_new(o, "unassigned_fte", json_real(round5(k->unassigned_fte)));
	return print_json(cli, o);
}

static void sip_text(struct cli *cli, const struct sip_kpi *k)
{
	char mm[DATE_MONTH_SIZE], x[64], y[64];
	date_month_format(k->month, mm);
	FILE *out = cli->out;
	(void)fprintf(out, "%s  %s (%s), staff in post at the end of %s\n", k->org.code,
	              k->org.name, k->org.kind, mm);
	(void)fprintf(out, "FTE %s (%s as published, summed) in %lld organisations\n",
	              thousands(k->fte, 0, x, sizeof x), thousands(k->fte, 5, y, sizeof y),
	              (long long)k->orgs);
	for (size_t i = 0; i < k->ngroups; i++)
		(void)fprintf(out, "  %-45s %14s\n", k->groups[i].name,
		              thousands(k->groups[i].fte, 2, x, sizeof x));
	if (k->earliest_orgs)
		(void)fprintf(out,
		              "note: %lld organisations are placed by the earliest known edges (no "
		              "source covers %s)\n",
		              (long long)k->earliest_orgs, mm);
	if (k->nunassigned) {
		(void)fprintf(out,
		              "unassigned: %zu organisations with no known parent in %s, %s FTE, "
		              "counted only in England's total:\n",
		              k->nunassigned, mm, thousands(k->unassigned_fte, 2, x, sizeof x));
		for (size_t i = 0; i < k->nunassigned; i++)
			(void)fprintf(out, "  %-6s %-60s %12s\n", k->unassigned[i].code,
			              k->unassigned[i].name,
			              thousands(k->unassigned[i].fte, 2, x, sizeof x));
	}
}

/* COMMAND: kpi staff-in-post
 * USAGE: cadre kpi staff-in-post --org CODE --month YYYY-MM [--by staff-group|nationality] [--json]
 * Staff in post (FTE, as published) of an organisation and everything under it.
 * Sums the published HCHS staff in post figures over the organisation's
 * subtree as it stood at the end of the month.  --by breaks the total down
 * by NHS Digital staff group or by nationality.  For England (--org ENG)
 * the organisations with no known parent that month (CCGs before 2021, for
 * instance) are listed as unassigned: they count in England's total only.
 */
int cmd_kpi_staff_in_post(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"org", required_argument, NULL, 'o'},
	                                     {"month", required_argument, NULL, 'm'},
	                                     {"by", required_argument, NULL, 'b'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {0}};
	const char *org = NULL;
	int month = 0;
	enum sip_by by = SIP_BY_NONE;
	bool json = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o': org = optarg; break;
		case 'm':
			if (date_month_parse(optarg, strlen(optarg), &month, &cli->err))
				return cli_usage_error(cli, "kpi staff-in-post",
				                       "--month '%s': expected YYYY-MM", optarg);
			break;
		case 'b':
			if (strcmp(optarg, "staff-group") == 0)
				by = SIP_BY_STAFF_GROUP;
			else if (strcmp(optarg, "nationality") == 0)
				by = SIP_BY_NATIONALITY;
			else
				return cli_usage_error(cli, "kpi staff-in-post",
				                       "--by '%s': staff-group or nationality",
				                       optarg);
			break;
		case 'j': json = true; break;
		default:
			return cli_usage_error(cli, "kpi staff-in-post", "unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, "kpi staff-in-post", "unexpected argument '%s'",
		                       argv[optind]);
	if (!org || !month)
		return cli_usage_error(cli, "kpi staff-in-post", "--org and --month are required");
	struct store *db;
	int rc = open_db(cli, &db);
	if (rc != CADRE_OK)
		return rc;
	struct actor sys = actor_system("cli");
	struct sip_kpi k;
	rc = staff_in_post_kpi(&sys, db, org, month, by, &k, &cli->err);
	if (rc == CADRE_OK) {
		if (json)
			rc = sip_json(cli, &k);
		else
			sip_text(cli, &k);
		staff_in_post_kpi_free(&k);
	}
	db_close(db);
	return rc;
}

/* ---- vacancies and temporary staffing (the people area) ------------------------ */

static double fte4(int64_t ten_thousandths)
{
	return (double)ten_thousandths / 10000.0;
}

static int kpi_org_month(struct cli *cli, const char *name, int argc, char **argv, const char **org,
                         int *month, bool *json)
{
	static const struct option opts[] = {{"org", required_argument, NULL, 'o'},
	                                     {"month", required_argument, NULL, 'm'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {0}};
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'o')
			*org = optarg;
		else if (c == 'm') {
			if (date_month_parse(optarg, strlen(optarg), month, &cli->err))
				return cli_usage_error(cli, name, "--month '%s': expected YYYY-MM",
				                       optarg);
		} else if (c == 'j')
			*json = true;
		else
			return cli_usage_error(cli, name, "unknown option '%s'", argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(cli, name, "unexpected argument '%s'", argv[optind]);
	if (!*org || !*month)
		return cli_usage_error(cli, name, "--org and --month are required");
	return CADRE_OK;
}

/* COMMAND: kpi vacancies
 * USAGE: cadre kpi vacancies --org CODE --month YYYY-MM [--json]
 * Vacancies: funded establishment less contracted FTE, by cost centre, group and grade.
 * Funded establishment from the ledger (cadre import establishment) less the
 * contracted FTE of staff in post on the month's last day, for the same
 * cost centre, NHS Digital staff group and grade band, over the
 * organisation's subtree; negative where over establishment.
 */
int cmd_kpi_vacancies(struct cli *cli, int argc, char **argv)
{
	const char *org = NULL;
	int month = 0;
	bool json = false;
	int rc = kpi_org_month(cli, "kpi vacancies", argc, argv, &org, &month, &json);
	if (rc != CADRE_OK)
		return rc;
	struct store *db;
	if ((rc = open_db(cli, &db)) != CADRE_OK)
		return rc;
	struct actor sys = actor_system("cli");
	struct vacancy_report v;
	rc = vacancy_report(&sys, db, org, month, &v, &cli->err);
	db_close(db);
	if (rc != CADRE_OK)
		return rc;
	char mm[DATE_MONTH_SIZE];
	date_month_format(month, mm);
	double est = (double)v.establishment_wte100 / 100.0;
	double rate = v.establishment_wte100
	                  ? round((double)v.vacancy_fte10k /
	                          (double)(v.establishment_wte100 * 100) * 10000.0) /
	                        100.0
	                  : 0.0;
	if (json) {
		json_t *lines = json_array();
		for (size_t i = 0; i < v.nlines; i++) {
			const struct vacancy_line *L = &v.lines[i];
			json_array_append_new(
			    lines, json_pack("{s:s, s:s, s:s, s:f, s:I, s:f, s:I, s:f}",
			                     "cost_centre", L->cost_centre, "staff_group",
			                     L->staff_group, "grade", L->grade, "establishment_wte",
			                     (double)L->establishment_wte100 / 100.0,
			                     "budget_pence", (json_int_t)L->budget_pence,
			                     "contracted_fte", fte4(L->contracted_fte10k),
			                     "headcount", (json_int_t)L->headcount, "vacancy_wte",
			                     fte4(L->vacancy_fte10k)));
		}
		json_t *groups = json_array();
		for (size_t i = 0; i < v.ngroups; i++)
			json_array_append_new(
			    groups, json_pack("{s:s, s:f, s:f, s:f}", "staff_group",
			                      v.groups[i].staff_group, "establishment_wte",
			                      (double)v.groups[i].establishment_wte100 / 100.0,
			                      "contracted_fte", fte4(v.groups[i].contracted_fte10k),
			                      "vacancy_wte", fte4(v.groups[i].vacancy_fte10k)));
		json_t *o = json_pack(
		    "{s:s, s:s, s:s, s:s, s:f, s:I, s:f, s:f, s:f, s:I, s:I, s:I, s:o, s:o}", "org",
		    v.org.code, "name", v.org.name, "kind", v.org.kind, "month", mm,
		    "establishment_wte", est, "budget_pence", (json_int_t)v.budget_pence,
		    "contracted_fte", fte4(v.contracted_fte10k), "vacancy_wte",
		    fte4(v.vacancy_fte10k), "vacancy_rate_percent", rate, "cost_centres",
		    (json_int_t)v.cost_centres, "cost_centres_with_establishment_and_no_staff",
		    (json_int_t)v.cost_centres_no_staff,
		    "cost_centres_with_staff_and_no_establishment",
		    (json_int_t)v.cost_centres_no_budget, "by_staff_group", groups, "lines", lines);
		vacancy_report_free(&v);
		return print_json(cli, o);
	}
	char a[64], b[64], c[64];
	FILE *out = cli->out;
	(void)fprintf(out, "%s  %s (%s), vacancies in %s (staff in post on the month's last day)\n",
	              v.org.code, v.org.name, v.org.kind, mm);
	(void)fprintf(
	    out, "funded establishment %s WTE, contracted %s FTE: vacancy %s WTE (%.2f%%)\n",
	    thousands(est, 2, a, sizeof a), thousands(fte4(v.contracted_fte10k), 2, b, sizeof b),
	    thousands(fte4(v.vacancy_fte10k), 2, c, sizeof c), rate);
	(void)fprintf(out, "%-22s %14s %14s %14s\n", "staff group", "establishment", "contracted",
	              "vacancy");
	for (size_t i = 0; i < v.ngroups; i++)
		(void)fprintf(
		    out, "%-22s %14s %14s %14s\n", v.groups[i].staff_group,
		    thousands((double)v.groups[i].establishment_wte100 / 100.0, 2, a, sizeof a),
		    thousands(fte4(v.groups[i].contracted_fte10k), 2, b, sizeof b),
		    thousands(fte4(v.groups[i].vacancy_fte10k), 2, c, sizeof c));
	(void)fprintf(
	    out,
	    "%lld cost centres; %lld with establishment and nobody in post, %lld with "
	    "staff and no establishment (--json lists every cost centre, group and grade)\n",
	    (long long)v.cost_centres, (long long)v.cost_centres_no_staff,
	    (long long)v.cost_centres_no_budget);
	vacancy_report_free(&v);
	return CADRE_OK;
}

/* COMMAND: kpi temporary-staffing
 * USAGE: cadre kpi temporary-staffing --org CODE --month YYYY-MM [--json]
 * Bank, agency, overtime and locum use of an organisation and everything under it.
 * Hours, shifts and spend for the month, by staffing type (agency on and
 * off framework apart) and by NHS Digital staff group, summed over the
 * organisation's subtree from the kept monthly sums.
 */
int cmd_kpi_temporary_staffing(struct cli *cli, int argc, char **argv)
{
	const char *org = NULL;
	int month = 0;
	bool json = false;
	int rc = kpi_org_month(cli, "kpi temporary-staffing", argc, argv, &org, &month, &json);
	if (rc != CADRE_OK)
		return rc;
	struct store *db;
	if ((rc = open_db(cli, &db)) != CADRE_OK)
		return rc;
	struct actor sys = actor_system("cli");
	struct tempstaff_report t;
	rc = tempstaff_report(&sys, db, org, month, &t, &cli->err);
	db_close(db);
	if (rc != CADRE_OK)
		return rc;
	char mm[DATE_MONTH_SIZE];
	date_month_format(month, mm);
	if (json) {
		json_t *types = json_array(), *groups = json_array();
		for (size_t i = 0; i < t.ntype; i++)
			json_array_append_new(
			    types, json_pack("{s:s, s:s, s:f, s:I, s:I}", "staffing_type",
			                     t.by_type[i].staffing_type, "framework",
			                     t.by_type[i].framework, "hours",
			                     (double)t.by_type[i].hours100 / 100.0, "shifts",
			                     (json_int_t)t.by_type[i].shifts, "spend_pence",
			                     (json_int_t)t.by_type[i].spend_pence));
		for (size_t i = 0; i < t.ngroup; i++)
			json_array_append_new(
			    groups, json_pack("{s:s, s:s, s:s, s:f, s:I, s:I}", "staff_group",
			                      t.by_group[i].staff_group, "staffing_type",
			                      t.by_group[i].staffing_type, "framework",
			                      t.by_group[i].framework, "hours",
			                      (double)t.by_group[i].hours100 / 100.0, "shifts",
			                      (json_int_t)t.by_group[i].shifts, "spend_pence",
			                      (json_int_t)t.by_group[i].spend_pence));
		json_t *o = json_pack(
		    "{s:s, s:s, s:s, s:s, s:b, s:f, s:I, s:I, s:I, s:o, s:o}", "org", t.org.code,
		    "name", t.org.name, "kind", t.org.kind, "month", mm, "current", t.fresh,
		    "hours", (double)t.hours100 / 100.0, "shifts", (json_int_t)t.shifts,
		    "spend_pence", (json_int_t)t.spend_pence, "agency_off_framework_pence",
		    (json_int_t)t.agency_off_framework_pence, "by_type", types, "by_staff_group",
		    groups);
		tempstaff_report_free(&t);
		return print_json(cli, o);
	}
	FILE *out = cli->out;
	char a[64], b[64];
	(void)fprintf(out, "%s  %s (%s), temporary staffing in %s\n", t.org.code, t.org.name,
	              t.org.kind, mm);
	(void)fprintf(out, "%s hours in %lld shifts, spend £%s\n",
	              thousands((double)t.hours100 / 100.0, 2, a, sizeof a), (long long)t.shifts,
	              thousands((double)t.spend_pence / 100.0, 2, b, sizeof b));
	for (size_t i = 0; i < t.ntype; i++)
		(void)fprintf(out, "  %-9s %-4s %14s hours %9lld shifts  £%s\n",
		              t.by_type[i].staffing_type, t.by_type[i].framework,
		              thousands((double)t.by_type[i].hours100 / 100.0, 2, a, sizeof a),
		              (long long)t.by_type[i].shifts,
		              thousands((double)t.by_type[i].spend_pence / 100.0, 2, b, sizeof b));
	if (!t.fresh)
		(void)fprintf(out, "note: the hierarchy changed since these sums were computed\n");
	tempstaff_report_free(&t);
	return CADRE_OK;
}
