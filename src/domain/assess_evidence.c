/* assess_evidence: automatic evidence from the staff extract, the
 * establishment ledger and temporary staffing (see the header). */
#include "domain/assess_evidence.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "domain/establishment.h"
#include "domain/people.h"
#include "domain/quality.h"
#include "domain/tempstaff.h"
#include "store/store.h"

#define SRC_EXTRACT "the staff extract (ESR) as imported; `cadre quality`"
#define SRC_LEDGER  "the establishment ledger and the staff extract; `cadre kpi vacancies`"
#define SRC_TEMP    "temporary staffing as imported; `cadre kpi temporary-staffing`"

static void unavailable(struct assess_evidence *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void unavailable(struct assess_evidence *out, const char *fmt, ...)
{
	out->available = false;
	out->has_value = false;
	out->concern = false;
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(out->text, sizeof out->text, fmt, ap);
	va_end(ap);
}

static void value(struct assess_evidence *out, double v, const char *unit)
{
	out->available = true;
	out->has_value = true;
	out->value = v;
	(void)snprintf(out->unit, sizeof out->unit, "%s", unit);
}

/* ---- the staff extract ---------------------------------------------------------- */

/* quality_for: the data-quality report of org on the latest extract date
 * held, or the period's last day when that is earlier.  *have false (and
 * out filled as unavailable) when there is no extract or nobody in post. */
static int quality_for(const struct actor *actor, struct store *db, const struct org_node *org,
                       int period, struct quality_report *q, bool *have,
                       struct assess_evidence *out, struct cadre_err *err)
{
	*have = false;
	(void)snprintf(out->source, sizeof out->source, "%s", SRC_EXTRACT);
	char latest[11] = "", end[11];
	int rc = people_latest_extract(actor, db, latest, err);
	if (rc != CADRE_OK)
		return rc;
	if (!*latest) {
		unavailable(out, "not available: no staff extract imported (cadre import staff)");
		return CADRE_OK;
	}
	date_format_iso(date_fy_last_day(period), end);
	const char *as_of = strcmp(latest, end) < 0 ? latest : end;
	struct cadre_err e2;
	rc = quality_report(actor, db, org->code, as_of, q, &e2);
	if (rc == CADRE_ENOTFOUND) {
		unavailable(out, "not available: no staff extract for %s on %s", org->code, as_of);
		return CADRE_OK;
	}
	if (rc != CADRE_OK) {
		*err = e2;
		return rc;
	}
	if (q->staff_in_post == 0) {
		unavailable(out,
		            "not available: the staff extract holds nobody in post at %s on %s",
		            org->code, as_of);
		return CADRE_OK;
	}
	*have = true;
	return CADRE_OK;
}

/* staff_record_completeness: the share of staff records in post that hold
 * a national identifier; a concern under ASSESS_EV_COMPLETE_MIN. */
int assess_ev_completeness(const struct actor *actor, struct store *db, const struct org_node *org,
                           int period, struct assess_evidence *out, struct cadre_err *err)
{
	struct quality_report q;
	bool have;
	int rc = quality_for(actor, db, org, period, &q, &have, out, err);
	if (rc != CADRE_OK || !have)
		return rc;
	int64_t with = q.staff_in_post - q.staff_without_identifier;
	value(out, quality_percent(with, q.staff_in_post), "%");
	out->concern = out->value < ASSESS_EV_COMPLETE_MIN;
	(void)snprintf(out->text, sizeof out->text,
	               "%.1f%% of the %" PRId64 " staff records in post on %s hold a national "
	               "identifier (%" PRId64 " without)%s",
	               out->value, q.staff_in_post, q.as_of, q.staff_without_identifier,
	               out->concern ? ": below 95%" : "");
	return CADRE_OK;
}

/* unknown_ethnicity_rate: ethnicity not stated (Z) or not known (99), of
 * the staff records in post; a concern above ASSESS_EV_ETHNICITY_MAX. */
int assess_ev_ethnicity(const struct actor *actor, struct store *db, const struct org_node *org,
                        int period, struct assess_evidence *out, struct cadre_err *err)
{
	struct quality_report q;
	bool have;
	int rc = quality_for(actor, db, org, period, &q, &have, out, err);
	if (rc != CADRE_OK || !have)
		return rc;
	int64_t n = q.ethnicity_not_stated + q.ethnicity_not_known;
	value(out, quality_percent(n, q.staff_in_post), "%");
	out->concern = out->value > ASSESS_EV_ETHNICITY_MAX;
	(void)snprintf(out->text, sizeof out->text,
	               "ethnicity unknown for %.1f%% of the %" PRId64
	               " staff records in post on %s (%" PRId64 " not stated, %" PRId64
	               " not known)%s",
	               out->value, q.staff_in_post, q.as_of, q.ethnicity_not_stated,
	               q.ethnicity_not_known, out->concern ? ": above 10%" : "");
	return CADRE_OK;
}

/* unknown_disability_rate: disability not declared, of the staff records
 * in post; a concern above ASSESS_EV_DISABILITY_MAX. */
int assess_ev_disability(const struct actor *actor, struct store *db, const struct org_node *org,
                         int period, struct assess_evidence *out, struct cadre_err *err)
{
	struct quality_report q;
	bool have;
	int rc = quality_for(actor, db, org, period, &q, &have, out, err);
	if (rc != CADRE_OK || !have)
		return rc;
	value(out, quality_percent(q.disability_not_declared, q.staff_in_post), "%");
	out->concern = out->value > ASSESS_EV_DISABILITY_MAX;
	(void)snprintf(out->text, sizeof out->text,
	               "disability not declared for %.1f%% of the %" PRId64
	               " staff records in post on %s%s",
	               out->value, q.staff_in_post, q.as_of, out->concern ? ": above 20%" : "");
	return CADRE_OK;
}

/* data_quality_findings: how many of the report's seven checks found
 * something (unlisted and closed occupation codes, staff-group conflicts,
 * records without an identifier, budgets with nobody, staff with no
 * budget, managers not in post); a concern when any did. */
int assess_ev_quality_findings(const struct actor *actor, struct store *db,
                               const struct org_node *org, int period, struct assess_evidence *out,
                               struct cadre_err *err)
{
	struct quality_report q;
	bool have;
	int rc = quality_for(actor, db, org, period, &q, &have, out, err);
	if (rc != CADRE_OK || !have)
		return rc;
	const struct {
		const char *what, *unit;
		int64_t n;
	} checks[] = {
	    {"occupation codes not in the reference data", "assignment", q.occupation_unlisted},
	    {"closed occupation codes", "assignment", q.occupation_closed},
	    {"conflicting ESR staff groups", "assignment", q.group_conflicts},
	    {"no national identifier", "record", q.staff_without_identifier},
	    {"establishment and nobody in post", "cost centre", q.cost_centres_no_staff},
	    {"staff in post and no establishment", "cost centre", q.cost_centres_no_budget},
	    {"managers not in post", "manager", q.managers_not_in_post},
	};
	size_t n = sizeof checks / sizeof checks[0], found = 0, used = 0;
	char list[300] = "";
	for (size_t i = 0; i < n; i++) {
		if (!checks[i].n)
			continue;
		found++;
		int w = snprintf(list + used, sizeof list - used, "%s%s (%" PRId64 " %s%s)",
		                 used ? "; " : "", checks[i].what, checks[i].n, checks[i].unit,
		                 checks[i].n == 1 ? "" : "s");
		if (w > 0 && (size_t)w < sizeof list - used)
			used += (size_t)w;
	}
	value(out, (double)found, "checks");
	out->concern = found > 0;
	(void)snprintf(out->text, sizeof out->text,
	               "%zu of %zu data-quality checks found problems on %s%s%s", found, n, q.as_of,
	               found ? ": " : "", list);
	return CADRE_OK;
}

/* ---- the ledger --------------------------------------------------------------------- */

static const struct store_sql q_est_month = {
    .name = "assess_ev_est_month",
    .sql = "SELECT MAX(month) FROM org_stats_establishment WHERE node_id = $1 AND month <= $2",
};

static const struct store_sql q_est_has = {
    .name = "assess_ev_est_has",
    .sql = "SELECT COUNT(*) FROM org_stats_establishment WHERE node_id = $1 AND month = $2",
};

static const struct store_sql q_tmp_month = {
    .name = "assess_ev_tmp_month",
    .sql = "SELECT MAX(month) FROM org_stats_temporary WHERE node_id = $1 AND month <= $2",
};

static const struct store_sql q_tmp_has = {
    .name = "assess_ev_tmp_has",
    .sql = "SELECT COUNT(*) FROM org_stats_temporary WHERE node_id = $1 AND month = $2",
};

/* one_int: the single integer q gives for (node, month); 0 for NULL */
static int one_int(struct store *db, const struct store_sql *q, int64_t node, int month,
                   int64_t *out, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, q, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, node);
	store_bind_i64(st, 2, month);
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE ? CADRE_EINTERNAL : rc;
	*out = store_col_is_null(st, 0) ? 0 : store_col_i64(st, 0);
	store_reset(st);
	return CADRE_OK;
}

double assess_ev_vacancy_rate(int64_t vacancy_fte10k, int64_t establishment_wte100)
{
	if (!establishment_wte100)
		return 0.0;
	return round((double)vacancy_fte10k / (double)(establishment_wte100 * 100) * 10000.0) /
	       100.0;
}

/* ledger_month: the latest month at or before the period's end in which
 * org's subtree has rows in q_month's table (0: none), and whether the
 * month a year before has rows too. */
static int ledger_month(struct store *db, const struct store_sql *q_month,
                        const struct store_sql *q_has, const struct org_node *org, int period,
                        int *month, bool *year_before, struct cadre_err *err)
{
	int64_t m = 0, n = 0;
	*month = 0;
	*year_before = false;
	int rc = one_int(db, q_month, org->id, date_fy_last_month(period), &m, err);
	if (rc != CADRE_OK || !m)
		return rc;
	*month = (int)m;
	if ((rc = one_int(db, q_has, org->id, date_month_add(*month, -12), &n, err)) != CADRE_OK)
		return rc;
	*year_before = n > 0;
	return CADRE_OK;
}

static int vacancy_at(const struct actor *actor, struct store *db, const struct org_node *org,
                      int month, struct vacancy_report *v, struct cadre_err *err)
{
	struct cadre_err e2;
	int rc = vacancy_report(actor, db, org->code, month, v, &e2);
	if (rc != CADRE_OK)
		*err = e2;
	return rc;
}

/* establishment_reconciled: the share of the organisation's cost centres
 * (with establishment or staff in post) that have both, in the latest
 * month with establishment; a concern under ASSESS_EV_RECONCILED_MIN. */
int assess_ev_reconciled(const struct actor *actor, struct store *db, const struct org_node *org,
                         int period, struct assess_evidence *out, struct cadre_err *err)
{
	(void)snprintf(out->source, sizeof out->source, "%s", SRC_LEDGER);
	int month = 0;
	bool prev = false;
	int rc = ledger_month(db, &q_est_month, &q_est_has, org, period, &month, &prev, err);
	if (rc != CADRE_OK)
		return rc;
	if (!month) {
		unavailable(out,
		            "not available: no establishment imported for %s up to the end of "
		            "this period (cadre import establishment)",
		            org->code);
		return CADRE_OK;
	}
	struct vacancy_report v;
	if ((rc = vacancy_at(actor, db, org, month, &v, err)) != CADRE_OK)
		return rc;
	char mm[DATE_MONTH_SIZE];
	date_month_format(month, mm);
	if (v.cost_centres == 0) {
		vacancy_report_free(&v);
		unavailable(out, "not available: no cost centres with establishment or staff in %s",
		            mm);
		return CADRE_OK;
	}
	int64_t ok = v.cost_centres - v.cost_centres_no_staff - v.cost_centres_no_budget;
	value(out, quality_percent(ok, v.cost_centres), "%");
	out->concern = out->value < ASSESS_EV_RECONCILED_MIN;
	(void)snprintf(out->text, sizeof out->text,
	               "%.1f%% of %" PRId64 " cost centres reconciled in %s: %" PRId64
	               " with establishment and nobody in post, %" PRId64
	               " with staff in post and no establishment%s",
	               out->value, v.cost_centres, mm, v.cost_centres_no_staff,
	               v.cost_centres_no_budget, out->concern ? ": below 90%" : "");
	vacancy_report_free(&v);
	return CADRE_OK;
}

/* vacancy_trend: the vacancy rate (establishment less contracted FTE, of
 * establishment) in the latest month with establishment, beside the same
 * month a year before when held; a concern when it rose. */
int assess_ev_vacancy(const struct actor *actor, struct store *db, const struct org_node *org,
                      int period, struct assess_evidence *out, struct cadre_err *err)
{
	(void)snprintf(out->source, sizeof out->source, "%s", SRC_LEDGER);
	int month = 0;
	bool prev = false;
	int rc = ledger_month(db, &q_est_month, &q_est_has, org, period, &month, &prev, err);
	if (rc != CADRE_OK)
		return rc;
	if (!month) {
		unavailable(out,
		            "not available: no establishment imported for %s up to the end of "
		            "this period (cadre import establishment)",
		            org->code);
		return CADRE_OK;
	}
	struct vacancy_report v;
	if ((rc = vacancy_at(actor, db, org, month, &v, err)) != CADRE_OK)
		return rc;
	char mm[DATE_MONTH_SIZE], pm[DATE_MONTH_SIZE];
	date_month_format(month, mm);
	date_month_format(date_month_add(month, -12), pm);
	value(out, assess_ev_vacancy_rate(v.vacancy_fte10k, v.establishment_wte100), "%");
	double wte = (double)v.vacancy_fte10k / 10000.0;
	vacancy_report_free(&v);
	if (!prev) {
		out->concern = false;
		(void)snprintf(out->text, sizeof out->text,
		               "vacancy rate %.2f%% in %s (%.2f WTE); no establishment held for "
		               "%s to show the trend",
		               out->value, mm, wte, pm);
		return CADRE_OK;
	}
	struct vacancy_report p;
	if ((rc = vacancy_at(actor, db, org, date_month_add(month, -12), &p, err)) != CADRE_OK)
		return rc;
	double before = assess_ev_vacancy_rate(p.vacancy_fte10k, p.establishment_wte100);
	vacancy_report_free(&p);
	out->concern = out->value > before;
	(void)snprintf(out->text, sizeof out->text,
	               "vacancy rate %.2f%% in %s (%.2f WTE), %s from %.2f%% in %s", out->value, mm,
	               wte,
	               out->value > before   ? "up"
	               : out->value < before ? "down"
	                                     : "unchanged",
	               before, pm);
	return CADRE_OK;
}

/* temporary_staffing_trend: bank, agency, overtime and locum hours in the
 * latest month with temporary staffing, beside the same month a year
 * before when held; a concern when they rose. */
int assess_ev_temporary(const struct actor *actor, struct store *db, const struct org_node *org,
                        int period, struct assess_evidence *out, struct cadre_err *err)
{
	(void)snprintf(out->source, sizeof out->source, "%s", SRC_TEMP);
	int month = 0;
	bool prev = false;
	int rc = ledger_month(db, &q_tmp_month, &q_tmp_has, org, period, &month, &prev, err);
	if (rc != CADRE_OK)
		return rc;
	if (!month) {
		unavailable(out,
		            "not available: no temporary staffing imported for %s up to the "
		            "end of this period (cadre import temporary-staffing)",
		            org->code);
		return CADRE_OK;
	}
	struct tempstaff_report r;
	struct cadre_err e2;
	if ((rc = tempstaff_report(actor, db, org->code, month, &r, &e2)) != CADRE_OK) {
		*err = e2;
		return rc;
	}
	char mm[DATE_MONTH_SIZE], pm[DATE_MONTH_SIZE];
	date_month_format(month, mm);
	date_month_format(date_month_add(month, -12), pm);
	value(out, (double)r.hours100 / 100.0, "hours");
	double spend = (double)r.spend_pence / 100.0;
	tempstaff_report_free(&r);
	if (!prev) {
		out->concern = false;
		(void)snprintf(out->text, sizeof out->text,
		               "%.2f hours of bank, agency, overtime and locum staffing in %s "
		               "(\xc2\xa3%.2f); none held for %s to show the trend",
		               out->value, mm, spend, pm);
		return CADRE_OK;
	}
	struct tempstaff_report p;
	if ((rc = tempstaff_report(actor, db, org->code, date_month_add(month, -12), &p, &e2)) !=
	    CADRE_OK) {
		*err = e2;
		return rc;
	}
	double before = (double)p.hours100 / 100.0;
	tempstaff_report_free(&p);
	out->concern = out->value > before;
	(void)snprintf(out->text, sizeof out->text,
	               "%.2f hours of bank, agency, overtime and locum staffing in %s "
	               "(\xc2\xa3%.2f), %s from %.2f hours in %s",
	               out->value, mm, spend,
	               out->value > before   ? "up"
	               : out->value < before ? "down"
	                                     : "unchanged",
	               before, pm);
	return CADRE_OK;
}
