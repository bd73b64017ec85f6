/* orgseries: monthly series for any node (see orgseries.h). */
#include "domain/orgseries.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "store/store.h"

/* Every source sums over the node's subtree ($1) as it stood each month,
 * with the columns month, first sum, second sum and the largest and
 * smallest synthetic flag, in one of four ways:
 *   _month: one month ($2) inside the materialised range, driven from
 *     org_ancestor (month, ancestor): the subtree's nodes, then their rows
 *     (CROSS JOIN keeps SQLite to that order); cheap below a region;
 *   _facts: months $2..$3 inside the range, driven from the figures by
 *     month, each looked up in org_ancestor; cheap for a region or an ICB,
 *     whose subtrees hold thousands of wards and teams but whose
 *     organisation-level figures are few (a few hundred a month);
 *   _clamp: months $2..$3 outside the range, all joined to org_ancestor at
 *     the one month $4 (the range's nearest end);
 *   _all: England, months $1..$2: every node is under England in every
 *     month (one with no known parent counts in England's total, org.h),
 *     so England sums every row without looking its node up.
 * The organisation-level history is read from history_totals (one row per
 * organisation, month and staffing type, kept by the history import), whose
 * statements add the kind and the staffing type ('' for every type) as
 * their last two parameters. */

#define SRC_MONTH(sel, facts, on)                                                                  \
	"SELECT h.month, " sel " FROM org_ancestor a CROSS JOIN " facts " WHERE a.ancestor_id = "  \
	"$1 AND a.month = $2 AND h.month = $2 AND " on " = a.node_id"
#define SRC_FACTS(sel, facts, on)                                                                  \
	"SELECT h.month, " sel " FROM " facts " CROSS JOIN org_ancestor a WHERE h.month BETWEEN "  \
	"$2 AND $3 AND a.month = h.month AND a.ancestor_id = $1 AND a.node_id = " on
#define SRC_CLAMP(sel, facts, on)                                                                  \
	"SELECT h.month, " sel " FROM org_ancestor a CROSS JOIN " facts " WHERE a.ancestor_id = "  \
	"$1 AND a.month = $4 AND h.month BETWEEN $2 AND $3 AND " on " = a.node_id"
#define SRC_ALL(sel, facts) "SELECT h.month, " sel " FROM " facts " WHERE h.month BETWEEN $1 AND $2"
#define BY_MONTH            " GROUP BY h.month"

struct source {
	const struct store_sql *month, *facts, *clamp, *all;
	int extra; /* 2: kind and staffing type follow the other parameters */
};

#define SYNTH "MAX(i.synthetic), MIN(i.synthetic)"

/* the sickness tables: the publication and the demo's synthetic months */
#define SICK_SEL   "SUM(h.fte_days_lost), SUM(h.fte_days_available), " SYNTH
#define SICK_FACTS "sickness_absence h JOIN stat_import i ON i.id = h.import_id"

static const struct store_sql q_sick_month = {
    "orgseries_sick_month", SRC_MONTH(SICK_SEL, SICK_FACTS, "h.org_id") BY_MONTH, NULL};
static const struct store_sql q_sick_facts = {
    "orgseries_sick_facts", SRC_FACTS(SICK_SEL, SICK_FACTS, "h.org_id") BY_MONTH, NULL};
static const struct store_sql q_sick_clamp = {
    "orgseries_sick_clamp", SRC_CLAMP(SICK_SEL, SICK_FACTS, "h.org_id") BY_MONTH, NULL};
static const struct store_sql q_sick_all = {"orgseries_sick_all",
                                            SRC_ALL(SICK_SEL, SICK_FACTS) BY_MONTH, NULL};
static const struct source src_sick = {&q_sick_month, &q_sick_facts, &q_sick_clamp, &q_sick_all, 0};

/* the ward history itself, for wards, teams and divisions (small subtrees:
 * only _month and _clamp are used) */
#define WARD_FACTS "sickness_ward_history h JOIN history_import i ON i.id = h.import_id"

static const struct store_sql q_ward_month = {
    "orgseries_ward_month", SRC_MONTH(SICK_SEL, WARD_FACTS, "h.node_id") BY_MONTH, NULL};
static const struct store_sql q_ward_clamp = {
    "orgseries_ward_clamp", SRC_CLAMP(SICK_SEL, WARD_FACTS, "h.node_id") BY_MONTH, NULL};
static const struct source src_ward = {&q_ward_month, &q_ward_month, &q_ward_clamp, &q_ward_month,
                                       0};

/* history_totals: kind and staffing type are the last two parameters */
#define TOT_SEL(p)                                                                                 \
	"SUM(CASE WHEN " p " = '' OR h.staffing_type = " p " THEN h.sum1 ELSE 0 END), "            \
	"SUM(CASE WHEN " p " = '' OR h.staffing_type = " p " THEN h.sum2 ELSE 0 END), "            \
	"MAX(h.synthetic), MIN(h.synthetic)"
#define TOT_FACTS "history_totals h"

static const struct store_sql q_tot_month = {
    "orgseries_tot_month",
    SRC_MONTH(TOT_SEL("$4"), TOT_FACTS, "h.org_id") " AND h.kind = $3" BY_MONTH, NULL};
static const struct store_sql q_tot_facts = {
    "orgseries_tot_facts",
    SRC_FACTS(TOT_SEL("$5"), TOT_FACTS, "h.org_id") " AND h.kind = $4" BY_MONTH, NULL};
static const struct store_sql q_tot_clamp = {
    "orgseries_tot_clamp",
    SRC_CLAMP(TOT_SEL("$6"), TOT_FACTS, "h.org_id") " AND h.kind = $5" BY_MONTH, NULL};
static const struct store_sql q_tot_all = {
    "orgseries_tot_all", SRC_ALL(TOT_SEL("$4"), TOT_FACTS) " AND h.kind = $3" BY_MONTH, NULL};
static const struct source src_tot = {&q_tot_month, &q_tot_facts, &q_tot_clamp, &q_tot_all, 2};

/* the current figures (org_stats_*), stored for every node */
static const struct store_sql q_vac_cur = {
    .name = "orgseries_vac_cur",
    .sql = "SELECT e.month, e.budget_wte, COALESCE(s.fte, 0), 0, 0 "
           "FROM org_stats_establishment e LEFT JOIN org_stats_staff s "
           "ON s.node_id = e.node_id AND s.month = e.month AND s.staff_group = 'TOTAL' "
           "WHERE e.node_id = $1 AND e.staff_group = 'TOTAL' AND e.month BETWEEN $2 AND $3",
};

static const struct store_sql q_tmp_cur = {
    .name = "orgseries_tmp_cur",
    .sql = "SELECT o.month, "
           "SUM(CASE WHEN $4 = '' OR o.staffing_type = $4 THEN o.hours ELSE 0 END), "
           "SUM(CASE WHEN $4 = '' OR o.staffing_type = $4 THEN o.spend_pence ELSE 0 END), 0, 0 "
           "FROM org_stats_temporary o WHERE o.node_id = $1 AND o.staff_group = 'TOTAL' "
           "AND o.month BETWEEN $2 AND $3 GROUP BY o.month",
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

/* run: statement q with the integer parameters ints[0..nint-1], then, for
 * a history_totals statement, kind and type; its rows into the series. */
static int run(struct orgseries *s, struct store *db, const struct store_sql *q,
               const int64_t *ints, int nint, const char *kind, const char *type,
               enum orgseries_source src, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, q, &st, err);
	if (rc != CADRE_OK)
		return rc;
	int p = 1;
	for (int i = 0; i < nint; i++)
		store_bind_i64(st, p++, ints[i]);
	if (kind) {
		store_bind_str(st, p++, kind);
		store_bind_str(st, p, type);
	}
	while ((rc = store_step(st, err)) == CADRE_OK)
		fill(s, (int)store_col_i64(st, 0), store_col_double(st, 1), store_col_double(st, 2),
		     store_col_i64(st, 3) != 0, store_col_i64(st, 4) != 0, src);
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

/* run_subtree: a source over the series' months: England in one pass;
 * otherwise in up to three segments: before the materialised range (its
 * first month's hierarchy), inside it (by the figures for a region or an
 * ICB, month by month below), after it (its last month's).  Months already
 * present (from a preferred source) are not asked for again.  kind and
 * type go with a history_totals source. */
static int run_subtree(struct orgseries *s, struct store *db, const struct source *q, int first,
                       int last, const char *kind, const char *type, enum orgseries_source src,
                       struct cadre_err *err)
{
	int rc = CADRE_OK;
	int64_t id = s->org.id, from = s->from, to = s->to;
	if (!q->extra)
		kind = type = NULL;
	if (strcmp(s->org.kind, "nation") == 0) {
		int64_t v[] = {from, to};
		return run(s, db, q->all, v, 2, kind, type, src, err);
	}
	if (from < first) {
		int64_t v[] = {id, from, to < first ? to : date_month_add(first, -1), first};
		rc = run(s, db, q->clamp, v, 4, kind, type, src, err);
	}
	int64_t lo = from > first ? from : first, hi = to < last ? to : last;
	if (rc == CADRE_OK && lo <= hi &&
	    (strcmp(s->org.kind, "region") == 0 || strcmp(s->org.kind, "icb") == 0)) {
		int64_t v[] = {id, lo, hi};
		rc = run(s, db, q->facts, v, 3, kind, type, src, err);
	} else {
		for (int m = (int)lo; m <= hi && rc == CADRE_OK; m = date_month_add(m, 1)) {
			int64_t v[] = {id, m};
			if (!s->points[date_month_diff(s->from, m)].present)
				rc = run(s, db, q->month, v, 2, kind, type, src, err);
		}
	}
	if (rc == CADRE_OK && to > last) {
		int64_t v[] = {id, from > last ? from : date_month_add(last, 1), to, last};
		rc = run(s, db, q->clamp, v, 4, kind, type, src, err);
	}
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
	bool below = is_below_employer(out->org.kind);
	int64_t span3[] = {out->org.id, from, to};
	switch (measure) {
	case ORGSERIES_SICKNESS_RATE:
	case ORGSERIES_WARD_SICKNESS_RATE:
		/* wards and divisions read the ward history; employers and above
		 * the sickness tables, or for the ward measure their wards'
		 * totals */
		if (below)
			rc = run_subtree(out, db, &src_ward, first, last, NULL, NULL,
			                 ORGSERIES_SRC_HISTORY, err);
		else if (measure == ORGSERIES_SICKNESS_RATE)
			rc = run_subtree(out, db, &src_sick, first, last, NULL, NULL,
			                 ORGSERIES_SRC_PUBLISHED, err);
		else
			rc = run_subtree(out, db, &src_tot, first, last, "sickness_wards", "",
			                 ORGSERIES_SRC_HISTORY, err);
		break;
	case ORGSERIES_VACANCY_RATE:
	case ORGSERIES_VACANCY_WTE:
		rc = run(out, db, &q_vac_cur, span3, 3, NULL, NULL, ORGSERIES_SRC_CURRENT, err);
		/* the history is organisation level: nothing under a ward */
		if (rc == CADRE_OK && !below)
			rc = run_subtree(out, db, &src_tot, first, last, "vacancies", "",
			                 ORGSERIES_SRC_HISTORY, err);
		break;
	case ORGSERIES_TEMP_HOURS:
	case ORGSERIES_TEMP_SPEND: {
		struct store_stmt *st;
		if ((rc = store_prepare(db, &q_tmp_cur, &st, err)) != CADRE_OK)
			break;
		store_bind_i64(st, 1, out->org.id);
		store_bind_i64(st, 2, from);
		store_bind_i64(st, 3, to);
		store_bind_str(st, 4, tv);
		while ((rc = store_step(st, err)) == CADRE_OK)
			fill(out, (int)store_col_i64(st, 0), store_col_double(st, 1),
			     store_col_double(st, 2), false, false, ORGSERIES_SRC_CURRENT);
		if (rc != CADRE_DONE)
			break;
		rc = CADRE_OK;
		if (!below)
			rc = run_subtree(out, db, &src_tot, first, last, "temporary_staffing", tv,
			                 ORGSERIES_SRC_HISTORY, err);
		break;
	}
	}
	return rc;
}
