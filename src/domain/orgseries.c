/* orgseries: monthly series for any node (see orgseries.h). */
#include "domain/orgseries.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "store/store.h"

/* Each source has two statements: "in range" joins org_ancestor at the
 * figure's own month ($1 node, $2 from, $3 to); "clamped" joins it at one
 * month ($4) for figures outside the materialised range.  The
 * temporary-staffing statements add the staffing type ('' for all) as the
 * last parameter.  Columns: month, numerator sum, denominator sum, the
 * largest and smallest synthetic flag. */

#define SICK_SELECT                                                                                \
	"SELECT s.month, SUM(s.fte_days_lost), SUM(s.fte_days_available), MAX(i.synthetic), "      \
	"MIN(i.synthetic) FROM org_ancestor a JOIN sickness_absence s ON s.org_id = a.node_id "    \
	"JOIN stat_import i ON i.id = s.import_id "

static const struct store_sql q_sick_in = {
    .name = "orgseries_sick_in",
    .sql = SICK_SELECT "WHERE a.ancestor_id = $1 AND a.month BETWEEN $2 AND $3 "
                       "AND s.month = a.month GROUP BY s.month",
};

static const struct store_sql q_sick_clamp = {
    .name = "orgseries_sick_clamp",
    .sql = SICK_SELECT "WHERE a.ancestor_id = $1 AND a.month = $4 "
                       "AND s.month BETWEEN $2 AND $3 GROUP BY s.month",
};

#define WARD_SELECT                                                                                \
	"SELECT w.month, SUM(w.fte_days_lost), SUM(w.fte_days_available), MAX(i.synthetic), "      \
	"MIN(i.synthetic) FROM org_ancestor a JOIN sickness_ward_history w "                       \
	"ON w.node_id = a.node_id JOIN history_import i ON i.id = w.import_id "

static const struct store_sql q_ward_in = {
    .name = "orgseries_ward_in",
    .sql = WARD_SELECT "WHERE a.ancestor_id = $1 AND a.month BETWEEN $2 AND $3 "
                       "AND w.month = a.month GROUP BY w.month",
};

static const struct store_sql q_ward_clamp = {
    .name = "orgseries_ward_clamp",
    .sql = WARD_SELECT "WHERE a.ancestor_id = $1 AND a.month = $4 "
                       "AND w.month BETWEEN $2 AND $3 GROUP BY w.month",
};

#define VAC_SELECT                                                                                 \
	"SELECT v.month, SUM(v.establishment_wte), SUM(v.contracted_wte), MAX(i.synthetic), "      \
	"MIN(i.synthetic) FROM org_ancestor a JOIN vacancy_history v ON v.org_id = a.node_id "     \
	"JOIN history_import i ON i.id = v.import_id "

static const struct store_sql q_vac_in = {
    .name = "orgseries_vac_in",
    .sql = VAC_SELECT "WHERE a.ancestor_id = $1 AND a.month BETWEEN $2 AND $3 "
                      "AND v.month = a.month GROUP BY v.month",
};

static const struct store_sql q_vac_clamp = {
    .name = "orgseries_vac_clamp",
    .sql = VAC_SELECT "WHERE a.ancestor_id = $1 AND a.month = $4 "
                      "AND v.month BETWEEN $2 AND $3 GROUP BY v.month",
};

static const struct store_sql q_vac_cur = {
    .name = "orgseries_vac_cur",
    .sql = "SELECT e.month, e.budget_wte, COALESCE(s.fte, 0), 0, 0 "
           "FROM org_stats_establishment e LEFT JOIN org_stats_staff s "
           "ON s.node_id = e.node_id AND s.month = e.month AND s.staff_group = 'TOTAL' "
           "WHERE e.node_id = $1 AND e.staff_group = 'TOTAL' AND e.month BETWEEN $2 AND $3",
};

/* hours, then spend in pence, of the chosen type ('' all) */
#define TMP_SUMS(t, p)                                                                             \
	"SUM(CASE WHEN " p " = '' OR " t ".staffing_type = " p " THEN " t ".hours ELSE 0 END), "   \
	"SUM(CASE WHEN " p " = '' OR " t ".staffing_type = " p " THEN " t                          \
	".spend_pence ELSE 0 END), "

#define TMP_HIST_FROM                                                                              \
	"FROM org_ancestor a JOIN temporary_staffing_history t ON t.org_id = a.node_id "           \
	"JOIN history_import i ON i.id = t.import_id "

static const struct store_sql q_tmp_in = {
    .name = "orgseries_tmp_in",
    .sql = "SELECT t.month, " TMP_SUMS(
        "t", "$4") "MAX(i.synthetic), MIN(i.synthetic) " TMP_HIST_FROM
                   "WHERE a.ancestor_id = $1 AND a.month BETWEEN $2 AND $3 "
                   "AND t.month = a.month GROUP BY t.month",
};

static const struct store_sql q_tmp_clamp = {
    .name = "orgseries_tmp_clamp",
    .sql =
        "SELECT t.month, " TMP_SUMS("t", "$5") "MAX(i.synthetic), MIN(i.synthetic) " TMP_HIST_FROM
                                               "WHERE a.ancestor_id = $1 AND a.month = $4 "
                                               "AND t.month BETWEEN $2 AND $3 GROUP BY t.month",
};

static const struct store_sql q_tmp_cur = {
    .name = "orgseries_tmp_cur",
    .sql = "SELECT o.month, " TMP_SUMS(
        "o", "$4") "0, 0 FROM org_stats_temporary o "
                   "WHERE o.node_id = $1 AND o.staff_group = 'TOTAL' AND o.month BETWEEN $2 AND $3 "
                   "GROUP BY o.month",
};

static const char *const measure_names[] = {
    "sickness_rate", "ward_sickness_rate", "vacancy_rate",
    "vacancy_wte",   "temporary_hours",    "temporary_spend",
};

static const char *const staffing_names[] = {"all", "bank", "agency", "overtime", "locum"};

/* the staffing_type column's value for t ('' for all) */
static const char *const staffing_values[] = {"", "bank", "agency", "overtime", "locum"};

const char *orgseries_measure_name(enum orgseries_measure m)
{
	if ((int)m < 0 || (size_t)m >= sizeof measure_names / sizeof measure_names[0])
		return NULL;
	return measure_names[m];
}

const char *orgseries_staffing_name(enum orgseries_staffing t)
{
	if ((int)t < 0 || (size_t)t >= sizeof staffing_names / sizeof staffing_names[0])
		return NULL;
	return staffing_names[t];
}

void orgseries_free(struct orgseries *s)
{
	free(s->points);
	s->points = NULL;
	s->n = 0;
	s->present = 0;
}

/* round2: x to 2 decimal places, halves away from zero. */
static double round2(double x)
{
	return (double)llround(x * 100.0) / 100.0;
}

/* rate2: num / den x 100 to 2 decimal places (the publication's rounding). */
static double rate2(double num, double den)
{
	return (double)llround(num / den * 100.0 * 100.0) / 100.0;
}

/* is_below_employer: wards, teams, divisions and sites take their sickness
 * from the ward history. */
static bool is_below_employer(const char *kind)
{
	return strcmp(kind, "ward") == 0 || strcmp(kind, "team") == 0 ||
	       strcmp(kind, "division") == 0 || strcmp(kind, "site") == 0 ||
	       strcmp(kind, "cost_centre") == 0;
}

/* fill: set the point of row (month, a, b, synth max, synth min) from the
 * source, unless the point is already present (an earlier, preferred
 * source gave it). */
static void fill(struct orgseries *s, int month, double a, double b, bool synth_any, bool synth_all,
                 enum orgseries_source src)
{
	int k = date_month_diff(s->from, month);
	if (k < 0 || (size_t)k >= s->n)
		return;
	struct orgseries_point *p = &s->points[k];
	if (p->present)
		return;
	switch (s->measure) {
	case ORGSERIES_SICKNESS_RATE:
	case ORGSERIES_WARD_SICKNESS_RATE:
		if (!(b > 0))
			return; /* nothing available: no rate */
		p->num = a;
		p->den = b;
		p->value = rate2(a, b);
		if (src == ORGSERIES_SRC_PUBLISHED && synth_all)
			src = ORGSERIES_SRC_HISTORY;
		break;
	case ORGSERIES_VACANCY_RATE:
	case ORGSERIES_VACANCY_WTE:
		p->num = a - b; /* establishment - contracted */
		p->den = a;
		if (s->measure == ORGSERIES_VACANCY_WTE)
			p->value = round2(p->num);
		else if (a > 0)
			p->value = rate2(p->num, a);
		else
			return; /* no establishment: no rate */
		break;
	case ORGSERIES_TEMP_HOURS:
		p->num = a;
		p->den = 0;
		p->value = round2(a);
		break;
	case ORGSERIES_TEMP_SPEND:
		p->num = b;
		p->den = 0;
		p->value = round2(b / 100.0);
		break;
	}
	p->present = true;
	p->source = src;
	p->synthetic = synth_any;
	s->present++;
	if (synth_any)
		s->synthetic = true;
}

/* run_one: one statement's rows into the series. */
static int run_one(struct orgseries *s, struct store *db, const struct store_sql *q, int from,
                   int to, int clamp, const char *type, enum orgseries_source src,
                   struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, q, &st, err);
	if (rc != CADRE_OK)
		return rc;
	int p = 1;
	store_bind_i64(st, p++, s->org.id);
	store_bind_i64(st, p++, from);
	store_bind_i64(st, p++, to);
	if (clamp)
		store_bind_i64(st, p++, clamp);
	if (type)
		store_bind_str(st, p, type);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		int m = (int)store_col_i64(st, 0);
		fill(s, m, store_col_double(st, 1), store_col_double(st, 2),
		     store_col_i64(st, 3) != 0, store_col_i64(st, 4) != 0, src);
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

/* run_subtree: a subtree-summing source over from..to, in up to three
 * segments: before the materialised range (its first month's hierarchy),
 * inside it, after it (its last month's). */
static int run_subtree(struct orgseries *s, struct store *db, const struct store_sql *q_in,
                       const struct store_sql *q_clamp, int first, int last, const char *type,
                       enum orgseries_source src, struct cadre_err *err)
{
	int rc = CADRE_OK;
	int from = s->from, to = s->to;
	if (from < first)
		rc = run_one(s, db, q_clamp, from, to < first ? to : date_month_add(first, -1),
		             first, type, src, err);
	if (rc == CADRE_OK && to >= first && from <= last)
		rc = run_one(s, db, q_in, from > first ? from : first, to < last ? to : last, 0,
		             type, src, err);
	if (rc == CADRE_OK && to > last)
		rc = run_one(s, db, q_clamp, from > last ? from : date_month_add(last, 1), to, last,
		             type, src, err);
	return rc;
}

int orgseries_get(const struct actor *actor, struct store *db, const char *code,
                  enum orgseries_measure measure, enum orgseries_staffing type, int from, int to,
                  struct orgseries *out, struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	if (!orgseries_measure_name(measure))
		return cadre_err_set(err, CADRE_EINVAL, "unknown measure %d", (int)measure);
	if (!orgseries_staffing_name(type))
		return cadre_err_set(err, CADRE_EINVAL, "unknown staffing type %d", (int)type);
	if (!date_month_valid(from) || !date_month_valid(to) || from > to)
		return cadre_err_set(err, CADRE_EINVAL, "the span must be two months, from <= to");
	int span = date_month_diff(from, to) + 1;
	if (span > ORGSERIES_MONTHS_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "a span of at most %d months",
		                     ORGSERIES_MONTHS_MAX);
	int rc = org_get(actor, db, code, &out->org, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = org_scope_check(actor, db, out->org.id, from, to, err)) != CADRE_OK)
		return rc;
	out->measure = measure;
	out->type = type;
	out->from = from;
	out->to = to;
	out->n = (size_t)span;
	out->points = xcalloc(out->n, sizeof *out->points);
	for (size_t i = 0; i < out->n; i++)
		out->points[i].month = date_month_add(from, (int)i);
	static const char *const units[] = {"%", "%", "%", "WTE", "hours", "GBP"};
	(void)snprintf(out->unit, sizeof out->unit, "%s", units[measure]);
	int first = 0, last = 0;
	rc = org_range(actor, db, &first, &last, err);
	if (rc == CADRE_ENOTFOUND)
		return CADRE_OK; /* no hierarchy yet: nothing to sum */
	if (rc != CADRE_OK)
		return rc;
	const char *tv = staffing_values[type];
	switch (measure) {
	case ORGSERIES_SICKNESS_RATE:
	case ORGSERIES_WARD_SICKNESS_RATE:
		/* wards and divisions read the ward history, employers and above
		 * the sickness tables */
		if (measure == ORGSERIES_SICKNESS_RATE && !is_below_employer(out->org.kind))
			rc = run_subtree(out, db, &q_sick_in, &q_sick_clamp, first, last, NULL,
			                 ORGSERIES_SRC_PUBLISHED, err);
		else
			rc = run_subtree(out, db, &q_ward_in, &q_ward_clamp, first, last, NULL,
			                 ORGSERIES_SRC_HISTORY, err);
		break;
	case ORGSERIES_VACANCY_RATE:
	case ORGSERIES_VACANCY_WTE:
		rc = run_one(out, db, &q_vac_cur, from, to, 0, NULL, ORGSERIES_SRC_CURRENT, err);
		if (rc == CADRE_OK)
			rc = run_subtree(out, db, &q_vac_in, &q_vac_clamp, first, last, NULL,
			                 ORGSERIES_SRC_HISTORY, err);
		break;
	case ORGSERIES_TEMP_HOURS:
	case ORGSERIES_TEMP_SPEND:
		rc = run_one(out, db, &q_tmp_cur, from, to, 0, tv, ORGSERIES_SRC_CURRENT, err);
		if (rc == CADRE_OK)
			rc = run_subtree(out, db, &q_tmp_in, &q_tmp_clamp, first, last, tv,
			                 ORGSERIES_SRC_HISTORY, err);
		break;
	}
	return rc;
}
