/* assess: self-assessment rounds, evidence, results, benchmarks, demo. */
#include "domain/assess.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "base/num.h"
#include "base/rng.h"
#include "base/utf8.h"
#include "domain/assess_evidence.h"
#include "domain/assess_invite.h"
#include "domain/assess_results.h"
#include "domain/audit.h"
#include "domain/sickness.h"
#include "domain/staff_in_post.h"
#include "domain/toolkit.h"
#include "io/chart.h"
#include "io/csv.h"
#include "store/store.h"

const struct assess_group_spec assess_default_groups[] = {
    {"board", "Board members"},
    {"senior_leaders", "Senior leaders"},
    {"line_managers", "Line managers"},
    {"workforce_planners", "Workforce planners"},
};
const size_t assess_default_ngroups =
    sizeof assess_default_groups / sizeof assess_default_groups[0];

static const char *const ROLES_CPO[] = {"chief_people_officer", NULL};
/* the action plan and shared good practice: kept by the chief people officer
 * and the workforce planners (docs/access-policy.csv, toolkit.edit) */
static const char *const ROLES_PLAN[] = {"chief_people_officer", "workforce_planner", NULL};
static const char *const ROLES_BOARD[] = {"board_member", NULL};
static const char *const ROLES_ANSWER[] = {"chief_people_officer", "assessment_respondent", NULL};

/* ---- small checks ---------------------------------------------------------------- */

/* group and respondent ids: [A-Za-z0-9._@-], 1..max-1 bytes */
static bool resp_id_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n >= max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '@' || c == '-'))
			return false;
	}
	return true;
}

static bool group_id_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 31)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* text_check: free text of at most max bytes, UTF-8, no control characters
 * but newline and tab; empty allowed only when !required */
static int text_check(const char *what, const char *s, size_t max, bool required,
                      struct cadre_err *err)
{
	size_t n = s ? strlen(s) : 0;
	bool blank = true;
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			blank = false;
	if (required && blank)
		return cadre_err_set(err, CADRE_EINVAL, "%s is empty", what);
	if (n > max)
		return cadre_err_set(err, CADRE_EINVAL, "%s is longer than %zu bytes", what, max);
	if (!utf8_valid(s ? s : "", n, NULL))
		return cadre_err_set(err, CADRE_EINVAL, "%s is not valid UTF-8", what);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			return cadre_err_set(err, CADRE_EINVAL, "%s holds a control character",
			                     what);
	}
	return CADRE_OK;
}

static void fy_text(int period, char out[DATE_FY_SIZE])
{
	date_fy_format(period, out);
}

static json_t *ts_json(int64_t us)
{
	char t[DATE_TS_SIZE];
	date_ts_format(us, t);
	return json_string(t);
}

static json_t *num2(double x)
{
	return json_real(assess_results_round2(x));
}

/* ---- permissions -------------------------------------------------------------------- */

static const struct store_sql q_is_ancestor = {
    .name = "assess_is_ancestor",
    .sql = "SELECT COUNT(*) FROM org_ancestor WHERE month = $1 AND ancestor_id = $2 AND "
           "node_id = $3",
};

/* may: the actor may act on organisation org_id in period with one of
 * roles (NULL: reading, any grant over it) */
static int may(const struct actor *actor, struct store *db, int64_t org_id, int period,
               const char *const *roles, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK || actor_is_system(actor))
		return rc;
	int month = date_fy_last_month(period), eff = 0;
	if ((rc = org_scope_check(actor, db, org_id, month, month, err)) != CADRE_OK)
		return rc;
	if (!roles)
		return CADRE_OK;
	if ((rc = org_effective_month(actor, db, month, &eff, err)) != CADRE_OK)
		return rc;
	for (size_t g = 0; g < actor->ngrants; g++) {
		bool role = false;
		for (size_t i = 0; roles[i]; i++)
			if (strcmp(actor->grants[g].role, roles[i]) == 0)
				role = true;
		if (!role)
			continue;
		struct store_stmt *st;
		if ((rc = store_prepare(db, &q_is_ancestor, &st, err)) != CADRE_OK)
			return rc;
		store_bind_i64(st, 1, eff);
		store_bind_i64(st, 2, actor->grants[g].org_id);
		store_bind_i64(st, 3, org_id);
		if ((rc = store_step(st, err)) != CADRE_OK)
			return rc == CADRE_DONE ? CADRE_EINTERNAL : rc;
		bool yes = store_col_i64(st, 0) > 0;
		store_reset(st);
		if (yes)
			return CADRE_OK;
	}
	return cadre_err_set(err, CADRE_EPERM, "this needs the %s role over the organisation",
	                     roles[0]);
}

/* ---- rounds --------------------------------------------------------------------------- */

struct round {
	int64_t id;
	struct org_node org;
	int period;
	char toolkit[TOOLKIT_ID_MAX];
	int64_t version;
	char status[16];
	char opened_by[ASSESS_NAME_MAX];
	int64_t opened_us;
	char closed_by[ASSESS_NAME_MAX];
	int64_t closed_us;
};

static const struct store_sql q_round_find = {
    .name = "assess_round_find",
    .sql = "SELECT id, toolkit_id, toolkit_version, status, opened_by, opened_us, "
           "closed_by, closed_us FROM assess_round WHERE org_id = $1 AND period = $2 "
           "AND (toolkit_id = $3 OR $3 = '') ORDER BY toolkit_id",
};

static const struct store_sql q_round_by_id = {
    .name = "assess_round_by_id",
    .sql = "SELECT r.id, r.toolkit_id, r.toolkit_version, r.status, r.opened_by, r.opened_us, "
           "r.closed_by, r.closed_us, o.code, r.period FROM assess_round r JOIN org o ON "
           "o.id = r.org_id WHERE r.id = $1",
};

static void round_read(struct store_stmt *st, struct round *r)
{
	r->id = store_col_i64(st, 0);
	(void)snprintf(r->toolkit, sizeof r->toolkit, "%s", store_col_text(st, 1));
	r->version = store_col_i64(st, 2);
	(void)snprintf(r->status, sizeof r->status, "%s", store_col_text(st, 3));
	(void)snprintf(r->opened_by, sizeof r->opened_by, "%s", store_col_text(st, 4));
	r->opened_us = store_col_i64(st, 5);
	(void)snprintf(r->closed_by, sizeof r->closed_by, "%s",
	               store_col_is_null(st, 6) ? "" : store_col_text(st, 6));
	r->closed_us = store_col_i64(st, 7);
}

/* round_find: the round ref names, which the actor may act on with roles */
static int round_find(const struct actor *actor, struct store *db, const struct assess_ref *ref,
                      const char *const *roles, struct round *r, struct cadre_err *err)
{
	memset(r, 0, sizeof *r);
	if (!ref || !ref->org || ref->period < 1 || ref->period > 9998)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "a round is named by organisation and "
		                     "period");
	int rc = org_get(actor, db, ref->org, &r->org, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = may(actor, db, r->org.id, ref->period, roles, err)) != CADRE_OK)
		return rc;
	r->period = ref->period;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_round_find, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, r->org.id);
	store_bind_i64(st, 2, ref->period);
	store_bind_str(st, 3, ref->toolkit ? ref->toolkit : "");
	size_t n = 0;
	char names[256] = "";
	size_t used = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (n == 0)
			round_read(st, r);
		int w = snprintf(names + used, sizeof names - used, "%s%s", n ? ", " : "",
		                 store_col_text(st, 1));
		if (w > 0 && (size_t)w < sizeof names - used)
			used += (size_t)w;
		n++;
	}
	if (rc != CADRE_DONE)
		return rc;
	char fy[DATE_FY_SIZE];
	fy_text(ref->period, fy);
	if (n == 0)
		return cadre_err_set(err, CADRE_ENOTFOUND, "%s has no %s%sround in %s", ref->org,
		                     ref->toolkit ? ref->toolkit : "", ref->toolkit ? " " : "", fy);
	if (n > 1)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "%s has %zu rounds in %s (%s): name one with --toolkit",
		                     ref->org, n, fy, names);
	return CADRE_OK;
}

static int need_open(const struct round *r, const char *doing, struct cadre_err *err)
{
	if (strcmp(r->status, "open") == 0)
		return CADRE_OK;
	char fy[DATE_FY_SIZE], when[DATE_TS_SIZE];
	fy_text(r->period, fy);
	date_ts_format(r->closed_us, when);
	return cadre_err_set(err, CADRE_ECONFLICT,
	                     "the %s round for %s in %s closed at %s: %s is no longer possible",
	                     r->toolkit, r->org.code, fy, when, doing);
}

static void round_object(const struct round *r, char out[AUDIT_OBJECT_MAX])
{
	(void)snprintf(out, AUDIT_OBJECT_MAX, "assess_round:%" PRId64, r->id);
}

/* audit: one entry for a change to round r */
static int audit_round(const struct actor *actor, struct store *db, const unsigned char *key,
                       const struct round *r, const char *action, int64_t at_us, json_t *payload,
                       int64_t *seq, struct cadre_err *err)
{
	char object[AUDIT_OBJECT_MAX];
	round_object(r, object);
	char fy[DATE_FY_SIZE];
	fy_text(r->period, fy);
	json_object_set_new(payload, "round", json_integer(r->id));
	json_object_set_new(payload, "org", json_string(r->org.code));
	json_object_set_new(payload, "period", json_string(fy));
	json_object_set_new(payload, "toolkit", json_string(r->toolkit));
	struct audit_change ch = {
	    .at_us = at_us, .action = action, .object = object, .payload = payload};
	int rc = audit_append(actor, db, key, &ch, seq, err);
	json_decref(payload);
	return rc;
}

static int need_key(const unsigned char *key, struct cadre_err *err)
{
	if (!key)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "assessments are audited: the audit key is needed");
	return CADRE_OK;
}

static const struct store_sql q_next_id = {
    .name = "assess_round_next_id",
    .sql = "SELECT COALESCE(MAX(id), 0) + 1 FROM assess_round",
};

static const struct store_sql q_next_action = {
    .name = "assess_action_next_id",
    .sql = "SELECT COALESCE(MAX(id), 0) + 1 FROM assess_action",
};

static int next_id(struct store *db, const struct store_sql *q, int64_t *id, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, q, &st, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE ? CADRE_EINTERNAL : rc;
	*id = store_col_i64(st, 0);
	store_reset(st);
	return CADRE_OK;
}

/* ---- automatic evidence ------------------------------------------------------------ */

static const struct store_sql q_sick_latest = {
    .name = "assess_sickness_latest",
    .sql = "SELECT MAX(month) FROM sickness_absence WHERE month <= $1",
};

static const struct store_sql q_sip_latest = {
    .name = "assess_sip_latest",
    .sql = "SELECT MAX(month) FROM staff_in_post WHERE month <= $1",
};

/* latest_month: the latest month q has at or before month; 0 when none */
static int latest_month(struct store *db, const struct store_sql *q, int month, int *out,
                        struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, q, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, month);
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE ? CADRE_EINTERNAL : rc;
	*out = store_col_is_null(st, 0) ? 0 : (int)store_col_i64(st, 0);
	store_reset(st);
	return CADRE_OK;
}

static void ev_unavailable(struct assess_evidence *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void ev_unavailable(struct assess_evidence *out, const char *fmt, ...)
{
	out->available = false;
	out->has_value = false;
	out->concern = false;
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(out->text, sizeof out->text, fmt, ap);
	va_end(ap);
}

/* sickness_absence_rate: the organisation's published sickness absence rate
 * over the 12 months ending with the latest published month at or before
 * the end of the period, against England's over the same months; a concern
 * when it is higher than England's. */
static int ev_sickness(const struct actor *actor, struct store *db, const struct org_node *org,
                       int period, struct assess_ev_cache *cache, struct assess_evidence *out,
                       struct cadre_err *err)
{
	(void)cache;
	(void)snprintf(out->source, sizeof out->source,
	               "NHS Sickness Absence Rates (NHS England), as imported");
	int last = 0;
	int rc = latest_month(db, &q_sick_latest, date_fy_last_month(period), &last, err);
	if (rc != CADRE_OK)
		return rc;
	if (!last) {
		ev_unavailable(out, "not available: no NHS Sickness Absence Rates imported for "
		                    "months up to the end of this period (cadre import sickness)");
		return CADRE_OK;
	}
	int first = date_month_add(last, -11);
	char a[DATE_MONTH_SIZE], b[DATE_MONTH_SIZE];
	date_month_format(first, a);
	date_month_format(last, b);
	struct sickness_kpi k, eng;
	struct cadre_err e2;
	rc = sickness_kpi(actor, db, org->code, first, last, &k, &e2);
	if (rc == CADRE_ENOTFOUND) {
		ev_unavailable(out,
		               "not available: no published sickness absence figures for %s "
		               "from %s to %s",
		               org->code, a, b);
		return CADRE_OK;
	}
	if (rc != CADRE_OK) {
		*err = e2;
		return rc;
	}
	rc = sickness_kpi(actor, db, ORG_ROOT_CODE, first, last, &eng, &e2);
	if (rc != CADRE_OK) {
		sickness_kpi_free(&k);
		if (rc == CADRE_ENOTFOUND) {
			ev_unavailable(out, "not available: no England figures from %s to %s", a,
			               b);
			return CADRE_OK;
		}
		*err = e2;
		return rc;
	}
	out->available = true;
	out->has_value = true;
	out->value = (double)k.rate_hundredths / 100.0;
	(void)snprintf(out->unit, sizeof out->unit, "%%");
	out->concern = k.rate_hundredths > eng.rate_hundredths;
	(void)snprintf(out->text, sizeof out->text,
	               "%.2f%% of FTE days lost to sickness absence, %s to %s (%zu month%s "
	               "published); England %.2f%%%s",
	               out->value, a, b, k.months_with_data, k.months_with_data == 1 ? "" : "s",
	               (double)eng.rate_hundredths / 100.0,
	               out->concern ? ": higher than England" : ": not higher than England");
	sickness_kpi_free(&k);
	sickness_kpi_free(&eng);
	return CADRE_OK;
}

/* staff_in_post_published: the organisation's HCHS staff in post FTE in the
 * latest published month at or before the end of the period; a concern when
 * the publication is loaded for that month but holds nothing for it. */
static int ev_staff_in_post(const struct actor *actor, struct store *db, const struct org_node *org,
                            int period, struct assess_ev_cache *cache, struct assess_evidence *out,
                            struct cadre_err *err)
{
	(void)cache;
	(void)snprintf(out->source, sizeof out->source,
	               "NHS Workforce Statistics, HCHS staff in post (NHS Digital), as imported");
	int last = 0;
	int rc = latest_month(db, &q_sip_latest, date_fy_last_month(period), &last, err);
	if (rc != CADRE_OK)
		return rc;
	if (!last) {
		ev_unavailable(out, "not available: no HCHS staff in post imported for months up "
		                    "to the end of this period (cadre import staff-in-post)");
		return CADRE_OK;
	}
	char m[DATE_MONTH_SIZE];
	date_month_format(last, m);
	struct sip_kpi k;
	struct cadre_err e2;
	rc = staff_in_post_kpi(actor, db, org->code, last, SIP_BY_NONE, &k, &e2);
	if (rc == CADRE_ENOTFOUND) {
		out->available = true;
		out->has_value = false;
		out->concern = true;
		(void)snprintf(out->text, sizeof out->text,
		               "no published staff in post for %s in %s, the latest month "
		               "imported: the organisation's workforce data is not in the "
		               "national statistics",
		               org->code, m);
		return CADRE_OK;
	}
	if (rc != CADRE_OK) {
		*err = e2;
		return rc;
	}
	out->available = true;
	out->has_value = true;
	out->value = k.fte;
	(void)snprintf(out->unit, sizeof out->unit, "FTE");
	out->concern = false;
	(void)snprintf(out->text, sizeof out->text,
	               "%.1f FTE staff in post published for %s in %s (%" PRId64
	               " organisation%s, %" PRId64 " rows)",
	               k.fte, org->code, m, k.orgs, k.orgs == 1 ? "" : "s", k.rows);
	staff_in_post_kpi_free(&k);
	return CADRE_OK;
}

const struct assess_evidence_provider assess_evidence_providers[] = {
    {"data_quality_findings", "Data-quality findings on the staff record", true,
     assess_ev_quality_findings, NULL},
    {"establishment_reconciled", "Funded establishment reconciled with staff in post", true,
     assess_ev_reconciled, NULL},
    {"establishment_review_status", "Establishment reviews reported to the board", false, NULL,
     "safe-staffing establishment reviews arrive with the board decisions capability"},
    {"plan_status", "Workforce plan status", false, NULL,
     "workforce plans arrive with the plan modelling capability"},
    {"sickness_absence_rate", "Sickness absence rate (published)", true, ev_sickness, NULL},
    {"staff_in_post_published", "Staff in post (published)", true, ev_staff_in_post, NULL},
    {"staff_record_completeness", "Staff record completeness", true, assess_ev_completeness, NULL},
    {"temporary_staffing_trend", "Bank and agency staffing trend", true, assess_ev_temporary, NULL},
    {"unknown_disability_rate", "Staff records with disability unknown", true, assess_ev_disability,
     NULL},
    {"unknown_ethnicity_rate", "Staff records with ethnicity unknown", true, assess_ev_ethnicity,
     NULL},
    {"vacancy_trend", "Vacancy rate and trend (establishment less staff in post)", true,
     assess_ev_vacancy, NULL},
};
const size_t assess_evidence_nproviders =
    sizeof assess_evidence_providers / sizeof assess_evidence_providers[0];

const struct assess_evidence_provider *assess_evidence_find(const char *key)
{
	if (!key)
		return NULL;
	for (size_t i = 0; i < assess_evidence_nproviders; i++)
		if (strcmp(assess_evidence_providers[i].key, key) == 0)
			return &assess_evidence_providers[i];
	return NULL;
}

/* evidence_for: resolve one key for org in period (inside a transaction) */
static int evidence_for(const struct actor *actor, struct store *db, const struct org_node *org,
                        int period, const char *key, struct assess_ev_cache *cache,
                        struct assess_evidence *out, struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	const struct assess_evidence_provider *p = assess_evidence_find(key);
	if (!p)
		return cadre_err_set(err, CADRE_EINVAL, "unknown evidence key '%s'", key);
	(void)snprintf(out->key, sizeof out->key, "%s", key);
	if (!p->live) {
		ev_unavailable(out, "not available yet: %s", p->reason);
		(void)snprintf(out->source, sizeof out->source, "none yet");
		return CADRE_OK;
	}
	return p->fn(actor, db, org, period, cache, out, err);
}

struct resolve_ctx {
	const struct actor *actor;
	const char *org;
	int period;
	const char *key;
	struct assess_evidence *out;
};

static int resolve_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct resolve_ctx *c = arg;
	struct org_node org;
	int rc = org_get(c->actor, db, c->org, &org, err);
	if (rc == CADRE_OK)
		rc = may(c->actor, db, org.id, c->period, NULL, err);
	if (rc == CADRE_OK)
		rc = evidence_for(c->actor, db, &org, c->period, c->key, NULL, c->out, err);
	return rc;
}

int assess_evidence_resolve(const struct actor *actor, struct store *db, const char *org,
                            int period, const char *key, struct assess_evidence *out,
                            struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct resolve_ctx c = {
	    .actor = actor, .org = org, .period = period, .key = key, .out = out};
	return store_tx_run(db, STORE_TX_READ, resolve_tx, &c, err);
}

/* ---- opening and inviting ------------------------------------------------------------- */

static const struct store_sql q_round_insert = {
    .name = "assess_round_insert",
    .sql = "INSERT INTO assess_round (id, org_id, period, toolkit_id, toolkit_version, status, "
           "opened_by, opened_us, actor) VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8)",
};

static const struct store_sql q_round_exists = {
    .name = "assess_round_exists",
    .sql = "SELECT status FROM assess_round WHERE org_id = $1 AND period = $2 AND "
           "toolkit_id = $3",
};

static const struct store_sql q_group_insert = {
    .name = "assess_group_insert",
    .sql = "INSERT INTO assess_group (round_id, group_id, label, ord, selector) "
           "VALUES ($1, $2, $3, $4, 'invited')",
};

struct open_ctx {
	const struct actor *actor;
	const unsigned char *key;
	const struct assess_open_req *req;
	int64_t now;
	int64_t id;
};

static int check_groups(const struct assess_group_spec *g, size_t n, struct cadre_err *err)
{
	if (n > ASSESS_GROUPS_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "%zu groups: a round has at most %d", n,
		                     ASSESS_GROUPS_MAX);
	for (size_t i = 0; i < n; i++) {
		if (!group_id_ok(g[i].id))
			return cadre_err_set(err, CADRE_EINVAL,
			                     "group '%s': an id is 1 to 31 characters of a-z, 0-9, "
			                     "'_' and '-'",
			                     g[i].id ? g[i].id : "");
		int rc = text_check("a group's label", g[i].label, 100, true, err);
		if (rc != CADRE_OK)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(g[i].id, g[j].id) == 0)
				return cadre_err_set(err, CADRE_EINVAL, "group '%s' is given twice",
				                     g[i].id);
	}
	return CADRE_OK;
}

static int open_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct open_ctx *c = arg;
	const struct assess_open_req *req = c->req;
	struct round r;
	memset(&r, 0, sizeof r);
	int rc = org_get(c->actor, db, req->ref.org, &r.org, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = may(c->actor, db, r.org.id, req->ref.period, ROLES_CPO, err)) != CADRE_OK)
		return rc;
	unsigned bit = toolkit_level_bit(r.org.kind);
	if (!bit)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "%s is a %s: self-assessment rounds are for trusts, ICBs and "
		                     "regions",
		                     r.org.code, r.org.kind);
	if (req->ref.toolkit)
		(void)snprintf(r.toolkit, sizeof r.toolkit, "%s", req->ref.toolkit);
	else if ((rc = toolkit_for_level(c->actor, db, r.org.kind, r.toolkit, err)) != CADRE_OK)
		return rc;
	struct toolkit tk;
	if ((rc = toolkit_get(c->actor, db, r.toolkit, req->toolkit_version, &tk, err)) != CADRE_OK)
		return rc;
	r.version = tk.version;
	unsigned levels = tk.levels;
	toolkit_free(&tk);
	if (!(levels & bit)) {
		char lv[32];
		toolkit_levels_text(levels, lv, sizeof lv);
		return cadre_err_set(err, CADRE_EINVAL, "toolkit %s is for %s; %s is a %s",
		                     r.toolkit, lv, r.org.code, r.org.kind);
	}
	r.period = req->ref.period;
	char fy[DATE_FY_SIZE];
	fy_text(r.period, fy);
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_round_exists, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, r.org.id);
	store_bind_i64(st, 2, r.period);
	store_bind_str(st, 3, r.toolkit);
	rc = store_step(st, err);
	if (rc == CADRE_OK) {
		store_reset(st);
		return cadre_err_set(err, CADRE_ECONFLICT, "%s already has a %s round in %s",
		                     r.org.code, r.toolkit, fy);
	}
	if (rc != CADRE_DONE)
		return rc;
	if ((rc = next_id(db, &q_next_id, &r.id, err)) != CADRE_OK)
		return rc;
	if ((rc = store_prepare(db, &q_round_insert, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, r.id);
	store_bind_i64(st, 2, r.org.id);
	store_bind_i64(st, 3, r.period);
	store_bind_str(st, 4, r.toolkit);
	store_bind_i64(st, 5, r.version);
	store_bind_str(st, 6, req->opened_by);
	store_bind_i64(st, 7, c->now);
	store_bind_str(st, 8, actor_label(c->actor));
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	const struct assess_group_spec *groups = req->ngroups ? req->groups : assess_default_groups;
	size_t ng = req->ngroups ? req->ngroups : assess_default_ngroups;
	json_t *gids = json_array();
	for (size_t i = 0; i < ng; i++) {
		if ((rc = store_prepare(db, &q_group_insert, &st, err)) != CADRE_OK)
			break;
		store_bind_i64(st, 1, r.id);
		store_bind_str(st, 2, groups[i].id);
		store_bind_str(st, 3, groups[i].label);
		store_bind_i64(st, 4, (int64_t)i + 1);
		if ((rc = store_exec(st, err)) != CADRE_OK)
			break;
		json_array_append_new(gids, json_string(groups[i].id));
	}
	if (rc != CADRE_OK) {
		json_decref(gids);
		return rc;
	}
	c->id = r.id;
	json_t *p = json_pack("{s:I, s:s, s:o}", "toolkit_version", (json_int_t)r.version,
	                      "opened_by", req->opened_by, "groups", gids);
	return audit_round(c->actor, db, c->key, &r, "assess.open", c->now, p, NULL, err);
}

int assess_open(const struct actor *actor, struct store *db, const unsigned char *key,
                const struct assess_open_req *req, const struct clock *clk, int64_t *round_id,
                struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = need_key(key, err);
	if (rc == CADRE_OK && (req->ref.period < 1 || req->ref.period > 9998))
		rc = cadre_err_set(err, CADRE_EINVAL, "the period is a financial year (2025/26)");
	if (rc == CADRE_OK)
		rc = text_check("the name of who opens the round", req->opened_by,
		                ASSESS_NAME_MAX - 1, true, err);
	if (rc == CADRE_OK && req->ngroups)
		rc = check_groups(req->groups, req->ngroups, err);
	if (rc != CADRE_OK)
		return rc;
	struct open_ctx c = {.actor = actor, .key = key, .req = req, .now = clock_now(clk)};
	rc = store_tx_run(db, STORE_TX_WRITE, open_tx, &c, err);
	if (rc == CADRE_OK && round_id)
		*round_id = c.id;
	return rc;
}

static const struct store_sql q_group_get = {
    .name = "assess_group_get",
    .sql = "SELECT label FROM assess_group WHERE round_id = $1 AND group_id = $2",
};

static const struct store_sql q_resp_get = {
    .name = "assess_resp_get",
    .sql = "SELECT group_id, submitted_us FROM assess_respondent WHERE round_id = $1 AND "
           "respondent_id = $2",
};

static const struct store_sql q_resp_insert = {
    .name = "assess_resp_insert",
    .sql = "INSERT INTO assess_respondent (round_id, respondent_id, group_id, invited_us) "
           "VALUES ($1, $2, $3, $4)",
};

static int group_known(struct store *db, const struct round *r, const char *group,
                       struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_group_get, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, r->id);
	store_bind_str(st, 2, group);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_EINVAL, "the round has no group '%s'", group);
	store_reset(st);
	return rc;
}

/* resp_get: *found, the respondent's group and submission time */
static int resp_get(struct store *db, int64_t round, const char *id, bool *found,
                    char group[ASSESS_ID_MAX], int64_t *submitted_us, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_resp_get, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, round);
	store_bind_str(st, 2, id);
	rc = store_step(st, err);
	*found = rc == CADRE_OK;
	if (rc == CADRE_DONE)
		return CADRE_OK;
	if (rc != CADRE_OK)
		return rc;
	if (group)
		(void)snprintf(group, ASSESS_ID_MAX, "%s", store_col_text(st, 0));
	*submitted_us = store_col_is_null(st, 1) ? 0 : store_col_i64(st, 1);
	store_reset(st);
	return CADRE_OK;
}

struct invite_ctx {
	const struct actor *actor;
	const unsigned char *key;
	const struct assess_ref *ref;
	const char *group;
	const char *const *ids;
	size_t n;
	int64_t now;
};

static int invite_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct invite_ctx *c = arg;
	struct round r;
	int rc = round_find(c->actor, db, c->ref, ROLES_CPO, &r, err);
	if (rc == CADRE_OK)
		rc = need_open(&r, "inviting", err);
	if (rc == CADRE_OK)
		rc = group_known(db, &r, c->group, err);
	if (rc != CADRE_OK)
		return rc;
	json_t *ids = json_array();
	for (size_t i = 0; i < c->n && rc == CADRE_OK; i++) {
		bool found = false;
		char g[ASSESS_ID_MAX];
		int64_t sub = 0;
		if ((rc = resp_get(db, r.id, c->ids[i], &found, g, &sub, err)) != CADRE_OK)
			break;
		if (found) {
			rc = cadre_err_set(err, CADRE_ECONFLICT,
			                   "respondent '%s' is already invited (group %s)",
			                   c->ids[i], g);
			break;
		}
		struct store_stmt *st;
		if ((rc = store_prepare(db, &q_resp_insert, &st, err)) != CADRE_OK)
			break;
		store_bind_i64(st, 1, r.id);
		store_bind_str(st, 2, c->ids[i]);
		store_bind_str(st, 3, c->group);
		store_bind_i64(st, 4, c->now);
		rc = store_exec(st, err);
		json_array_append_new(ids, json_string(c->ids[i]));
	}
	if (rc != CADRE_OK) {
		json_decref(ids);
		return rc;
	}
	json_t *p = json_pack("{s:s, s:o}", "group", c->group, "respondents", ids);
	return audit_round(c->actor, db, c->key, &r, "assess.invite", c->now, p, NULL, err);
}

int assess_invite(const struct actor *actor, struct store *db, const unsigned char *key,
                  const struct assess_ref *ref, const char *group, const char *const *ids, size_t n,
                  const struct clock *clk, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = need_key(key, err);
	if (rc != CADRE_OK)
		return rc;
	if (n == 0 || n > ASSESS_INVITE_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "invite 1 to %d respondents at a time",
		                     ASSESS_INVITE_MAX);
	if (!group_id_ok(group))
		return cadre_err_set(err, CADRE_EINVAL, "'%s' is not a group id",
		                     group ? group : "");
	for (size_t i = 0; i < n; i++) {
		if (!resp_id_ok(ids[i], ASSESS_ID_MAX))
			return cadre_err_set(err, CADRE_EINVAL,
			                     "respondent '%s': an id is 1 to %d characters of "
			                     "A-Z, a-z, 0-9, '.', '_', '@' and '-'",
			                     ids[i] ? ids[i] : "", ASSESS_ID_MAX - 1);
		for (size_t j = 0; j < i; j++)
			if (strcmp(ids[i], ids[j]) == 0)
				return cadre_err_set(err, CADRE_EINVAL,
				                     "respondent '%s' is listed twice", ids[i]);
	}
	struct invite_ctx c = {.actor = actor,
	                       .key = key,
	                       .ref = ref,
	                       .group = group,
	                       .ids = ids,
	                       .n = n,
	                       .now = clock_now(clk)};
	return store_tx_run(db, STORE_TX_WRITE, invite_tx, &c, err);
}

/* ---- answering ---------------------------------------------------------------------------- */

static const struct store_sql q_self_email = {
    .name = "assess_self_email",
    .sql = "SELECT email FROM account WHERE id = $1",
};

/* self_id: the respondent id of the signed-in account (its email), "" for
 * the system actor or an email that is not a respondent id */
static int self_id(const struct actor *actor, struct store *db, char out[ASSESS_ID_MAX],
                   struct cadre_err *err)
{
	out[0] = '\0';
	if (actor_is_system(actor))
		return CADRE_OK;
	struct store_stmt *st;
	int rc = store_prepare(db, &q_self_email, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, actor->user_id);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return CADRE_OK;
	if (rc != CADRE_OK)
		return rc;
	const char *email = store_col_text(st, 0);
	if (resp_id_ok(email, ASSESS_ID_MAX))
		(void)snprintf(out, ASSESS_ID_MAX, "%s", email);
	store_reset(st);
	return CADRE_OK;
}

/* answer_roles: who may answer for respondent: the respondent themselves
 * (any grant over the organisation: the invitation is the permission),
 * else a chief people officer or an assessment respondent */
static int answer_roles(const struct actor *actor, struct store *db, const char *respondent,
                        const char *const **roles, struct cadre_err *err)
{
	char me[ASSESS_ID_MAX];
	int rc = self_id(actor, db, me, err);
	*roles = (rc == CADRE_OK && me[0] && strcmp(me, respondent) == 0) ? NULL : ROLES_ANSWER;
	return rc;
}

static const struct store_sql q_answer_put = {
    .name = "assess_answer_put",
    .sql = "INSERT INTO assess_answer (round_id, respondent_id, statement_id, score, evidence, "
           "updated_us) VALUES ($1, $2, $3, $4, $5, $6) "
           "ON CONFLICT (round_id, respondent_id, statement_id) DO UPDATE SET "
           "score = excluded.score, evidence = excluded.evidence, "
           "updated_us = excluded.updated_us",
};

static const struct store_sql q_answers_of = {
    .name = "assess_answers_of",
    .sql = "SELECT statement_id, score, evidence FROM assess_answer WHERE round_id = $1 AND "
           "respondent_id = $2 ORDER BY statement_id",
};

static const struct store_sql q_answers_delete = {
    .name = "assess_answers_delete",
    .sql = "DELETE FROM assess_answer WHERE round_id = $1 AND respondent_id = $2",
};

static const struct store_sql q_resp_submit = {
    .name = "assess_resp_submit",
    .sql = "UPDATE assess_respondent SET submitted_us = $3 WHERE round_id = $1 AND "
           "respondent_id = $2 AND submitted_us IS NULL",
};

/* respondent_may_answer: invited, and not yet submitted */
static int respondent_may_answer(struct store *db, const struct round *r, const char *id,
                                 struct cadre_err *err)
{
	bool found = false;
	int64_t sub = 0;
	int rc = resp_get(db, r->id, id, &found, NULL, &sub, err);
	if (rc != CADRE_OK)
		return rc;
	if (!found)
		return cadre_err_set(err, CADRE_ENOTFOUND,
		                     "respondent '%s' is not invited to this round", id);
	if (sub) {
		char when[DATE_TS_SIZE];
		date_ts_format(sub, when);
		return cadre_err_set(
		    err, CADRE_ECONFLICT,
		    "respondent '%s' already submitted at %s: a respondent answers "
		    "once",
		    id, when);
	}
	return CADRE_OK;
}

/* score_check: a score on tk's scale, or 0 for skipped */
static int score_check(const struct toolkit *tk, int score, struct cadre_err *err)
{
	if (score == 0 || (score >= 1 && (size_t)score <= tk->nscale))
		return CADRE_OK;
	return cadre_err_set(err, CADRE_EINVAL,
	                     "score %d is outside the scale 1 to %zu (or leave it empty to skip)",
	                     score, tk->nscale);
}

struct answer_ctx {
	const struct actor *actor;
	const unsigned char *key;
	const struct assess_ref *ref;
	const char *respondent;
	const char *statement;
	int score;
	const char *evidence;
	int64_t now;
};

/* answer_put: save one checked answer of respondent to round r (a draft)
 * with its audit entry */
static int answer_put(const struct actor *actor, const unsigned char *key, struct store *db,
                      const struct round *r, const char *respondent, const char *statement,
                      int score, const char *evidence, int64_t now, struct cadre_err *err)
{
	bool has_ev = evidence && *evidence;
	struct store_stmt *st;
	int rc = store_prepare(db, &q_answer_put, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, r->id);
	store_bind_str(st, 2, respondent);
	store_bind_str(st, 3, statement);
	store_bind_i64(st, 4, score);
	store_bind_str(st, 5, has_ev ? evidence : NULL);
	store_bind_i64(st, 6, now);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	char evh[AUDIT_HEX_LEN + 1] = "";
	if (has_ev)
		audit_sha256_hex(evidence, strlen(evidence), evh);
	json_t *p =
	    json_pack("{s:s, s:s, s:i, s:o}", "respondent", respondent, "statement", statement,
	              "score", score, "evidence_sha256", has_ev ? json_string(evh) : json_null());
	return audit_round(actor, db, key, r, "assess.answer", now, p, NULL, err);
}

/* answer_check: statement is one of tk's and score on its scale */
static int answer_check(const struct round *r, const struct toolkit *tk, const char *statement,
                        int score, struct cadre_err *err)
{
	if (!statement || !toolkit_statement_find(tk, statement, NULL))
		return cadre_err_set(err, CADRE_EINVAL,
		                     "unknown statement '%s': %s version %" PRId64 " has no such "
		                     "statement",
		                     statement ? statement : "", r->toolkit, r->version);
	return score_check(tk, score, err);
}

/* answer_round: the round respondent may answer now (open, invited, not
 * submitted), for actor */
static int answer_round(const struct actor *actor, struct store *db, const struct assess_ref *ref,
                        const char *respondent, const char *doing, struct round *r,
                        struct cadre_err *err)
{
	const char *const *roles;
	int rc = answer_roles(actor, db, respondent, &roles, err);
	if (rc == CADRE_OK)
		rc = round_find(actor, db, ref, roles, r, err);
	if (rc == CADRE_OK)
		rc = need_open(r, doing, err);
	if (rc == CADRE_OK)
		rc = respondent_may_answer(db, r, respondent, err);
	return rc;
}

static int answer_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct answer_ctx *c = arg;
	struct round r;
	int rc = answer_round(c->actor, db, c->ref, c->respondent, "answering", &r, err);
	if (rc != CADRE_OK)
		return rc;
	struct toolkit tk;
	if ((rc = toolkit_get(c->actor, db, r.toolkit, r.version, &tk, err)) != CADRE_OK)
		return rc;
	rc = answer_check(&r, &tk, c->statement, c->score, err);
	toolkit_free(&tk);
	if (rc != CADRE_OK)
		return rc;
	return answer_put(c->actor, c->key, db, &r, c->respondent, c->statement, c->score,
	                  c->evidence, c->now, err);
}

int assess_answer(const struct actor *actor, struct store *db, const unsigned char *key,
                  const struct assess_ref *ref, const char *respondent, const char *statement,
                  int score, const char *evidence, const struct clock *clk, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = need_key(key, err);
	if (rc == CADRE_OK && !resp_id_ok(respondent, ASSESS_ID_MAX))
		rc = cadre_err_set(err, CADRE_EINVAL, "'%s' is not a respondent id",
		                   respondent ? respondent : "");
	if (rc == CADRE_OK && (!statement || !*statement))
		rc = cadre_err_set(err, CADRE_EINVAL, "which statement?");
	if (rc == CADRE_OK)
		rc = text_check("the evidence", evidence, ASSESS_TEXT_MAX, false, err);
	if (rc != CADRE_OK)
		return rc;
	struct answer_ctx c = {.actor = actor,
	                       .key = key,
	                       .ref = ref,
	                       .respondent = respondent,
	                       .statement = statement,
	                       .score = score,
	                       .evidence = evidence,
	                       .now = clock_now(clk)};
	return store_tx_run(db, STORE_TX_WRITE, answer_tx, &c, err);
}

/* answers_digest: SHA-256 of the respondent's answers in canonical JSON,
 * and how many */
static int answers_digest(struct store *db, int64_t round, const char *respondent,
                          char out[AUDIT_HEX_LEN + 1], int64_t *n, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_answers_of, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, round);
	store_bind_str(st, 2, respondent);
	json_t *list = json_array();
	*n = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		json_array_append_new(
		    list, json_pack("{s:s, s:I, s:o}", "statement", store_col_text(st, 0), "score",
		                    (json_int_t)store_col_i64(st, 1), "evidence",
		                    store_col_is_null(st, 2) ? json_null()
		                                             : json_string(store_col_text(st, 2))));
		(*n)++;
	}
	if (rc != CADRE_DONE) {
		json_decref(list);
		return rc;
	}
	json_t *wrap = json_pack("{s:o}", "answers", list);
	char *text = NULL;
	size_t len = 0;
	rc = audit_canonical_json(wrap, &text, &len, err);
	json_decref(wrap);
	if (rc != CADRE_OK)
		return rc;
	audit_sha256_hex(text, len, out);
	free(text);
	return CADRE_OK;
}

struct submit_ctx {
	const struct actor *actor;
	const unsigned char *key;
	const struct assess_ref *ref;
	const char *respondent;
	int64_t now;
};

/* submit_do: submit respondent's answers to round r (checked: open,
 * invited, not submitted), with its audit entry */
static int submit_do(const struct actor *actor, const unsigned char *key, struct store *db,
                     const struct round *r, const char *respondent, int64_t now,
                     struct cadre_err *err)
{
	char digest[AUDIT_HEX_LEN + 1];
	int64_t n = 0;
	int rc = answers_digest(db, r->id, respondent, digest, &n, err);
	if (rc != CADRE_OK)
		return rc;
	if (n == 0)
		return cadre_err_set(err, CADRE_EINVAL, "respondent '%s' has no answers to submit",
		                     respondent);
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_resp_submit, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, r->id);
	store_bind_str(st, 2, respondent);
	store_bind_i64(st, 3, now);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	json_t *p = json_pack("{s:s, s:I, s:s}", "respondent", respondent, "answers", (json_int_t)n,
	                      "answers_sha256", digest);
	return audit_round(actor, db, key, r, "assess.submit", now, p, NULL, err);
}

static int submit_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct submit_ctx *c = arg;
	struct round r;
	int rc = answer_round(c->actor, db, c->ref, c->respondent, "submitting", &r, err);
	if (rc != CADRE_OK)
		return rc;
	return submit_do(c->actor, c->key, db, &r, c->respondent, c->now, err);
}

/* ---- several answers at once (the web form, the JSON API) ---------------------- */

struct answers_ctx {
	const struct actor *actor;
	const unsigned char *key;
	const struct assess_ref *ref;
	const char *respondent;
	const struct assess_answer_in *a;
	size_t n;
	bool submit;
	int64_t now;
	size_t *failed;
};

static int answers_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct answers_ctx *c = arg;
	struct round r;
	*c->failed = c->n;
	int rc = answer_round(c->actor, db, c->ref, c->respondent,
	                      c->n ? "answering" : "submitting", &r, err);
	if (rc != CADRE_OK)
		return rc;
	struct toolkit tk;
	if ((rc = toolkit_get(c->actor, db, r.toolkit, r.version, &tk, err)) != CADRE_OK)
		return rc;
	for (size_t i = 0; i < c->n && rc == CADRE_OK; i++) {
		rc = answer_check(&r, &tk, c->a[i].statement, c->a[i].score, err);
		for (size_t j = 0; j < i && rc == CADRE_OK; j++)
			if (strcmp(c->a[i].statement, c->a[j].statement) == 0)
				rc = cadre_err_set(err, CADRE_EINVAL,
				                   "statement '%s' is answered twice",
				                   c->a[i].statement);
		if (rc != CADRE_OK)
			*c->failed = i;
	}
	toolkit_free(&tk);
	for (size_t i = 0; i < c->n && rc == CADRE_OK; i++)
		rc = answer_put(c->actor, c->key, db, &r, c->respondent, c->a[i].statement,
		                c->a[i].score, c->a[i].evidence, c->now, err);
	if (rc == CADRE_OK && c->submit)
		rc = submit_do(c->actor, c->key, db, &r, c->respondent, c->now, err);
	return rc;
}

int assess_answers(const struct actor *actor, struct store *db, const unsigned char *key,
                   const struct assess_ref *ref, const char *respondent,
                   const struct assess_answer_in *a, size_t n, bool submit, const struct clock *clk,
                   size_t *failed, struct cadre_err *err)
{
	size_t dummy;
	if (!failed)
		failed = &dummy;
	*failed = n;
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = need_key(key, err);
	if (rc == CADRE_OK && !resp_id_ok(respondent, ASSESS_ID_MAX))
		rc = cadre_err_set(err, CADRE_EINVAL, "'%s' is not a respondent id",
		                   respondent ? respondent : "");
	if (rc == CADRE_OK && n > ASSESS_ANSWERS_MAX)
		rc = cadre_err_set(err, CADRE_EINVAL, "at most %d answers at a time",
		                   ASSESS_ANSWERS_MAX);
	if (rc == CADRE_OK && n == 0 && !submit)
		return CADRE_OK;
	for (size_t i = 0; i < n && rc == CADRE_OK; i++) {
		rc = text_check("the evidence", a[i].evidence, ASSESS_TEXT_MAX, false, err);
		if (rc != CADRE_OK)
			*failed = i;
	}
	if (rc != CADRE_OK)
		return rc;
	struct answers_ctx c = {.actor = actor,
	                        .key = key,
	                        .ref = ref,
	                        .respondent = respondent,
	                        .a = a,
	                        .n = n,
	                        .submit = submit,
	                        .now = clock_now(clk),
	                        .failed = failed};
	return store_tx_run(db, STORE_TX_WRITE, answers_tx, &c, err);
}

int assess_submit(const struct actor *actor, struct store *db, const unsigned char *key,
                  const struct assess_ref *ref, const char *respondent, const struct clock *clk,
                  struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = need_key(key, err);
	if (rc == CADRE_OK && !resp_id_ok(respondent, ASSESS_ID_MAX))
		rc = cadre_err_set(err, CADRE_EINVAL, "'%s' is not a respondent id",
		                   respondent ? respondent : "");
	if (rc != CADRE_OK)
		return rc;
	struct submit_ctx c = {.actor = actor,
	                       .key = key,
	                       .ref = ref,
	                       .respondent = respondent,
	                       .now = clock_now(clk)};
	return store_tx_run(db, STORE_TX_WRITE, submit_tx, &c, err);
}

/* ---- offline import ------------------------------------------------------------------ */

enum { C_RESP, C_GROUP, C_STMT, C_SCORE, C_EVID, C_COUNT };

static const char *const import_cols[C_COUNT] = {"respondent", "group", "statement", "score",
                                                 "evidence"};

struct imp_row {
	const char *resp;
	const char *group;
	const char *stmt;
	const char *evidence; /* NULL when empty */
	int score;            /* 0: skipped */
	long line;
	long col[C_COUNT];
};

struct import_ctx {
	const struct actor *actor;
	const unsigned char *key;
	const struct assess_ref *ref;
	const char *path;
	const struct import_file *file;
	int64_t now;
	struct assess_import_result *res;
	struct arena a;
	struct imp_row *rows;
	size_t nrows;
};

static int row_cmp(const void *x, const void *y)
{
	const struct imp_row *a = x;
	const struct imp_row *b = y;
	int c = strcmp(a->resp, b->resp);
	if (!c)
		c = strcmp(a->stmt, b->stmt);
	if (!c)
		c = a->line < b->line ? -1 : (a->line > b->line ? 1 : 0);
	return c;
}

/* import_read: parse the CSV into rows, checking each field on its own */
static int import_read(struct import_ctx *c, const struct toolkit *tk, struct cadre_err *err)
{
	struct import_problems *pr = &c->res->problems;
	struct csv_reader *rd = NULL;
	int rc = csv_reader_open_mem(&rd, c->file->data, c->file->len, NULL, err);
	if (rc != CADRE_OK)
		return rc;
	bool header = true;
	size_t alloc = 0;
	while ((rc = csv_reader_next(rd, err)) == CADRE_OK) {
		size_t nf = csv_reader_count(rd);
		const struct csv_field *f = csv_reader_fields(rd);
		long line = csv_reader_line(rd);
		if (header) {
			header = false;
			bool ok = nf == C_COUNT;
			for (size_t i = 0; ok && i < C_COUNT; i++)
				if (strcmp(f[i].s, import_cols[i]) != 0) {
					import_problem_add(
					    pr, c->path, f[i].line, f[i].col,
					    "column %zu is '%s', expected '%s' (the header is "
					    "%s)",
					    i + 1, f[i].s, import_cols[i], ASSESS_IMPORT_HDR);
					ok = false;
				}
			if (!ok && nf != C_COUNT)
				import_problem_add(pr, c->path, line, 1,
				                   "the header has %zu columns; expected %s", nf,
				                   ASSESS_IMPORT_HDR);
			if (!ok)
				break;
			continue;
		}
		if (nf != C_COUNT) {
			import_problem_add(pr, c->path, line, 1, "%zu fields; expected %d (%s)", nf,
			                   C_COUNT, ASSESS_IMPORT_HDR);
			continue;
		}
		if (c->nrows == alloc) {
			alloc = alloc ? 2 * alloc : 256;
			c->rows = xreallocarray(c->rows, alloc, sizeof *c->rows);
		}
		struct imp_row *r = &c->rows[c->nrows];
		memset(r, 0, sizeof *r);
		r->line = line;
		for (size_t i = 0; i < C_COUNT; i++)
			r->col[i] = f[i].col;
		bool ok = true;
		if (!resp_id_ok(f[C_RESP].s, ASSESS_ID_MAX)) {
			import_problem_add(
			    pr, c->path, line, f[C_RESP].col,
			    "'%s' is not a respondent id (1 to %d characters of A-Z, "
			    "a-z, 0-9, '.', '_', '@', '-')",
			    f[C_RESP].s, ASSESS_ID_MAX - 1);
			ok = false;
		}
		if (!group_id_ok(f[C_GROUP].s)) {
			import_problem_add(pr, c->path, line, f[C_GROUP].col,
			                   "'%s' is not a group id", f[C_GROUP].s);
			ok = false;
		}
		if (!toolkit_statement_find(tk, f[C_STMT].s, NULL)) {
			import_problem_add(pr, c->path, line, f[C_STMT].col,
			                   "unknown statement '%s': %s version %" PRId64
			                   " has no such statement",
			                   f[C_STMT].s, tk->id, tk->version);
			ok = false;
		}
		int64_t score = 0;
		struct cadre_err e2;
		if (f[C_SCORE].len &&
		    num_parse_i64_range(f[C_SCORE].s, f[C_SCORE].len, 1, (int64_t)tk->nscale,
		                        &score, &e2) != CADRE_OK) {
			import_problem_add(
			    pr, c->path, line, f[C_SCORE].col,
			    "score '%s' is not on the scale 1 to %zu (leave it empty "
			    "to skip)",
			    f[C_SCORE].s, tk->nscale);
			ok = false;
		}
		if (text_check("the evidence", f[C_EVID].s, ASSESS_TEXT_MAX, false, &e2) !=
		    CADRE_OK) {
			import_problem_add(pr, c->path, line, f[C_EVID].col, "%s", e2.msg);
			ok = false;
		}
		if (!ok)
			continue;
		r->resp = arena_strdup(&c->a, f[C_RESP].s);
		r->group = arena_strdup(&c->a, f[C_GROUP].s);
		r->stmt = arena_strdup(&c->a, f[C_STMT].s);
		r->evidence = f[C_EVID].len ? arena_strdup(&c->a, f[C_EVID].s) : NULL;
		r->score = (int)score;
		c->nrows++;
	}
	if (rc == CADRE_EINVAL) {
		long l = 0, col = 0;
		(void)csv_reader_error_pos(rd, &l, &col);
		import_problem_add(pr, c->path, l, col, "%s", import_csv_reason(err->msg));
		rc = CADRE_DONE;
	}
	csv_reader_free(rd);
	if (rc != CADRE_DONE)
		return rc;
	if (header)
		import_problem_add(pr, c->path, 0, 0, "the file is empty; expected the header %s",
		                   ASSESS_IMPORT_HDR);
	else if (c->nrows == 0 && !import_problems_total(pr))
		import_problem_add(pr, c->path, 0, 0, "no answers after the header");
	return CADRE_OK;
}

static const struct store_sql q_answer_insert = {
    .name = "assess_answer_insert",
    .sql = "INSERT INTO assess_answer (round_id, respondent_id, statement_id, score, evidence, "
           "updated_us) VALUES ($1, $2, $3, $4, $5, $6)",
};

static int import_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct import_ctx *c = arg;
	struct assess_import_result *res = c->res;
	struct import_problems *pr = &res->problems;
	/* a retry starts again */
	import_problems_clear(pr);
	res->rows = res->respondents = res->invited = res->skipped = res->audit_seq = 0;
	c->nrows = 0;
	arena_free(&c->a);

	struct round r;
	int rc = round_find(c->actor, db, c->ref, ROLES_ANSWER, &r, err);
	if (rc == CADRE_OK)
		rc = need_open(&r, "importing answers", err);
	if (rc != CADRE_OK) {
		cadre_err_prefix(err, "%s", c->path);
		return rc;
	}
	struct toolkit tk;
	if ((rc = toolkit_get(c->actor, db, r.toolkit, r.version, &tk, err)) != CADRE_OK)
		return rc;
	rc = import_read(c, &tk, err);
	toolkit_free(&tk);
	if (rc != CADRE_OK)
		return rc;
	/* across rows: each respondent once per statement, in one group, invited
	 * into a group of the round and not yet submitted */
	/* sorted by respondent, statement, line (the rows keep their lines) */
	if (c->nrows)
		qsort(c->rows, c->nrows, sizeof *c->rows, row_cmp);
	const struct imp_row *v = c->rows;
	for (size_t i = 0; i < c->nrows && rc == CADRE_OK;) {
		size_t j = i;
		while (j < c->nrows && strcmp(v[j].resp, v[i].resp) == 0)
			j++;
		/* v[i..j-1]: one respondent, by statement then line */
		const struct imp_row *first = &v[i];
		for (size_t k = i; k < j; k++)
			if (v[k].line < first->line)
				first = &v[k];
		for (size_t k = i; k < j; k++) {
			if (k > i && strcmp(v[k].stmt, v[k - 1].stmt) == 0)
				import_problem_add(
				    pr, c->path, v[k].line, v[k].col[C_STMT],
				    "respondent '%s' answers statement '%s' twice (also "
				    "line %ld)",
				    v[k].resp, v[k].stmt, v[k - 1].line);
			if (strcmp(v[k].group, first->group) != 0)
				import_problem_add(
				    pr, c->path, v[k].line, v[k].col[C_GROUP],
				    "respondent '%s' is in group '%s' at line %ld, not "
				    "'%s'",
				    v[k].resp, first->group, first->line, v[k].group);
		}
		bool found = false;
		char g[ASSESS_ID_MAX] = "";
		int64_t sub = 0;
		if ((rc = resp_get(db, r.id, first->resp, &found, g, &sub, err)) != CADRE_OK)
			break;
		if (found && sub) {
			char when[DATE_TS_SIZE];
			date_ts_format(sub, when);
			import_problem_add(pr, c->path, first->line, first->col[C_RESP],
			                   "respondent '%s' already submitted at %s: a respondent "
			                   "answers once",
			                   first->resp, when);
		} else if (found && strcmp(g, first->group) != 0) {
			import_problem_add(pr, c->path, first->line, first->col[C_GROUP],
			                   "respondent '%s' is invited in group '%s', not '%s'",
			                   first->resp, g, first->group);
		} else if (!found) {
			struct cadre_err e2;
			int gr = group_known(db, &r, first->group, &e2);
			if (gr == CADRE_EINVAL)
				import_problem_add(pr, c->path, first->line, first->col[C_GROUP],
				                   "%s", e2.msg);
			else if (gr != CADRE_OK) {
				*err = e2;
				rc = gr;
				break;
			}
		}
		i = j;
	}
	if (rc == CADRE_OK && import_problems_total(pr))
		rc = import_problems_fail(pr, err);
	/* write: each respondent's rows replace any draft, then submit */
	for (size_t i = 0; i < c->nrows && rc == CADRE_OK;) {
		size_t j = i;
		while (j < c->nrows && strcmp(v[j].resp, v[i].resp) == 0)
			j++;
		bool found = false;
		int64_t sub = 0;
		struct store_stmt *st;
		if ((rc = resp_get(db, r.id, v[i].resp, &found, NULL, &sub, err)) != CADRE_OK)
			break;
		if (!found) {
			if ((rc = store_prepare(db, &q_resp_insert, &st, err)) != CADRE_OK)
				break;
			store_bind_i64(st, 1, r.id);
			store_bind_str(st, 2, v[i].resp);
			store_bind_str(st, 3, v[i].group);
			store_bind_i64(st, 4, c->now);
			if ((rc = store_exec(st, err)) != CADRE_OK)
				break;
			res->invited++;
		}
		if ((rc = store_prepare(db, &q_answers_delete, &st, err)) != CADRE_OK)
			break;
		store_bind_i64(st, 1, r.id);
		store_bind_str(st, 2, v[i].resp);
		if ((rc = store_exec(st, err)) != CADRE_OK)
			break;
		for (size_t k = i; k < j && rc == CADRE_OK; k++) {
			if ((rc = store_prepare(db, &q_answer_insert, &st, err)) != CADRE_OK)
				break;
			store_bind_i64(st, 1, r.id);
			store_bind_str(st, 2, v[k].resp);
			store_bind_str(st, 3, v[k].stmt);
			store_bind_i64(st, 4, v[k].score);
			store_bind_str(st, 5, v[k].evidence);
			store_bind_i64(st, 6, c->now);
			rc = store_exec(st, err);
			res->rows++;
			if (v[k].score == 0)
				res->skipped++;
		}
		if (rc != CADRE_OK)
			break;
		if ((rc = store_prepare(db, &q_resp_submit, &st, err)) != CADRE_OK)
			break;
		store_bind_i64(st, 1, r.id);
		store_bind_str(st, 2, v[i].resp);
		store_bind_i64(st, 3, c->now);
		if ((rc = store_exec(st, err)) != CADRE_OK)
			break;
		res->respondents++;
		i = j;
	}
	if (rc != CADRE_OK)
		return rc;
	json_t *p = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "file", import_basename(c->path),
	                      "sha256", c->file->sha256, "rows", (json_int_t)res->rows,
	                      "respondents", (json_int_t)res->respondents, "invited",
	                      (json_int_t)res->invited, "skipped", (json_int_t)res->skipped);
	return audit_round(c->actor, db, c->key, &r, "assess.import", c->now, p, &res->audit_seq,
	                   err);
}

/* import_bytes: the import of file (its bytes and hash already read) */
static int import_bytes(const struct actor *actor, struct store *db, const unsigned char *key,
                        const struct assess_ref *ref, const char *path,
                        const struct import_file *file, const struct clock *clk,
                        struct assess_import_result *res, struct cadre_err *err)
{
	memcpy(res->sha256, file->sha256, sizeof res->sha256);
	struct import_ctx c = {.actor = actor,
	                       .key = key,
	                       .ref = ref,
	                       .path = path,
	                       .file = file,
	                       .now = clock_now(clk),
	                       .res = res};
	arena_init(&c.a, 0);
	int rc = store_tx_run(db, STORE_TX_WRITE, import_tx, &c, err);
	arena_free(&c.a);
	free(c.rows);
	return rc;
}

int assess_import(const struct actor *actor, struct store *db, const unsigned char *key,
                  const struct assess_ref *ref, const char *path, const struct clock *clk,
                  struct assess_import_result *res, struct cadre_err *err)
{
	memset(res, 0, sizeof *res);
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = need_key(key, err);
	if (rc != CADRE_OK)
		return rc;
	struct import_file file = {0};
	if ((rc = import_file_read(path, ASSESS_IMPORT_MAX, &file, err)) != CADRE_OK)
		return rc;
	rc = import_bytes(actor, db, key, ref, path, &file, clk, res, err);
	import_file_free(&file);
	return rc;
}

/* ---- a round's data, loaded for scoring --------------------------------------------- */

struct rgroup {
	char id[ASSESS_ID_MAX];
	char label[128];
};

struct rresp {
	char id[ASSESS_ID_MAX];
	size_t group;
	bool submitted;
	bool started;
};

struct rdata {
	struct round r;
	struct toolkit tk;
	struct rgroup *groups;
	size_t ngroups;
	struct rresp *resp;
	size_t nresp;
	struct assess_results_answer_in *answers;
	char **evidence; /* per answer: the respondent's note, or NULL */
	size_t nanswers;
	struct assess_evidence *ev; /* one per evidence key the toolkit uses */
	size_t nev;
	struct assess_results_stmt_in *stmts;
};

static void rdata_free(struct rdata *d)
{
	toolkit_free(&d->tk);
	free(d->groups);
	free(d->resp);
	free(d->answers);
	for (size_t i = 0; i < d->nanswers; i++)
		free(d->evidence[i]);
	free(d->evidence);
	free(d->ev);
	free(d->stmts);
	memset(d, 0, sizeof *d);
}

static const struct store_sql q_groups_of = {
    .name = "assess_groups_of",
    .sql = "SELECT group_id, label FROM assess_group WHERE round_id = $1 ORDER BY ord",
};

static const struct store_sql q_resps_of = {
    .name = "assess_resps_of",
    .sql = "SELECT r.respondent_id, r.group_id, r.submitted_us IS NOT NULL, "
           "(SELECT COUNT(*) FROM assess_answer a WHERE a.round_id = r.round_id AND "
           "a.respondent_id = r.respondent_id) "
           "FROM assess_respondent r WHERE r.round_id = $1 ORDER BY r.respondent_id",
};

static const struct store_sql q_answers_all = {
    .name = "assess_answers_all",
    .sql = "SELECT respondent_id, statement_id, score, evidence FROM assess_answer "
           "WHERE round_id = $1 ORDER BY respondent_id, statement_id",
};

static const struct store_sql q_evidence_of = {
    .name = "assess_evidence_of",
    .sql = "SELECT evidence_key, available, value, unit, concern, text, source "
           "FROM assess_evidence WHERE round_id = $1 ORDER BY evidence_key",
};

static int resp_cmp(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const struct rresp *)elem)->id);
}

/* evidence_keys: every evidence key the toolkit's statements use, once, in
 * first-use order, into d->ev (keys only) */
static void evidence_keys(struct rdata *d)
{
	size_t cap = 0;
	for (size_t s = 0; s < d->tk.nstatements; s++)
		cap += d->tk.statements[s].nevidence;
	d->ev = xcalloc(cap ? cap : 1, sizeof *d->ev);
	d->nev = 0;
	for (size_t s = 0; s < d->tk.nstatements; s++)
		for (size_t k = 0; k < d->tk.statements[s].nevidence; k++) {
			const char *key = d->tk.statements[s].evidence[k];
			bool dup = false;
			for (size_t i = 0; i < d->nev; i++)
				if (strcmp(d->ev[i].key, key) == 0)
					dup = true;
			if (!dup)
				(void)snprintf(d->ev[d->nev++].key, sizeof d->ev[0].key, "%s", key);
		}
}

static const struct assess_evidence *ev_get(const struct rdata *d, const char *key)
{
	for (size_t i = 0; i < d->nev; i++)
		if (strcmp(d->ev[i].key, key) == 0)
			return &d->ev[i];
	return NULL;
}

/* evidence_load: for an open round resolve every key now; for a closed one
 * read what was frozen at close */
static int evidence_load(const struct actor *actor, struct store *db, struct rdata *d,
                         struct cadre_err *err)
{
	evidence_keys(d);
	int rc;
	if (strcmp(d->r.status, "open") == 0) {
		struct assess_ev_cache *cache = assess_ev_cache_new();
		rc = CADRE_OK;
		for (size_t i = 0; i < d->nev && rc == CADRE_OK; i++) {
			char key[sizeof d->ev[i].key];
			memcpy(key, d->ev[i].key, sizeof key);
			rc = evidence_for(actor, db, &d->r.org, d->r.period, key, cache, &d->ev[i],
			                  err);
		}
		assess_ev_cache_free(cache);
		return rc;
	}
	for (size_t i = 0; i < d->nev; i++)
		ev_unavailable(&d->ev[i], "not recorded when the round closed");
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_evidence_of, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, d->r.id);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		struct assess_evidence *e =
		    (struct assess_evidence *)ev_get(d, store_col_text(st, 0));
		if (!e)
			continue;
		e->available = store_col_bool(st, 1);
		e->has_value = !store_col_is_null(st, 2);
		e->value = store_col_double(st, 2);
		(void)snprintf(e->unit, sizeof e->unit, "%s", store_col_text(st, 3));
		e->concern = store_col_bool(st, 4);
		(void)snprintf(e->text, sizeof e->text, "%s", store_col_text(st, 5));
		(void)snprintf(e->source, sizeof e->source, "%s", store_col_text(st, 6));
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

/* rdata_load: everything about round r needed to score it (r is copied) */
static int rdata_load(const struct actor *actor, struct store *db, const struct round *r,
                      bool with_evidence, struct rdata *d, struct cadre_err *err)
{
	memset(d, 0, sizeof *d);
	d->r = *r;
	int rc = toolkit_get(actor, db, r->toolkit, r->version, &d->tk, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_groups_of, &st, err)) != CADRE_OK)
		goto fail;
	store_bind_i64(st, 1, r->id);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		d->groups = xreallocarray(d->groups, d->ngroups + 1, sizeof *d->groups);
		struct rgroup *g = &d->groups[d->ngroups++];
		(void)snprintf(g->id, sizeof g->id, "%s", store_col_text(st, 0));
		(void)snprintf(g->label, sizeof g->label, "%s", store_col_text(st, 1));
	}
	if (rc != CADRE_DONE)
		goto fail;
	if ((rc = store_prepare(db, &q_resps_of, &st, err)) != CADRE_OK)
		goto fail;
	store_bind_i64(st, 1, r->id);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		d->resp = xreallocarray(d->resp, d->nresp + 1, sizeof *d->resp);
		struct rresp *p = &d->resp[d->nresp++];
		(void)snprintf(p->id, sizeof p->id, "%s", store_col_text(st, 0));
		p->group = d->ngroups;
		for (size_t g = 0; g < d->ngroups; g++)
			if (strcmp(d->groups[g].id, store_col_text(st, 1)) == 0)
				p->group = g;
		p->submitted = store_col_bool(st, 2);
		p->started = store_col_i64(st, 3) > 0;
		if (p->group == d->ngroups) {
			store_reset(st);
			rc = cadre_err_set(err, CADRE_EINTERNAL, "respondent %s has no group",
			                   p->id);
			goto fail;
		}
	}
	if (rc != CADRE_DONE)
		goto fail;
	if ((rc = store_prepare(db, &q_answers_all, &st, err)) != CADRE_OK)
		goto fail;
	store_bind_i64(st, 1, r->id);
	size_t alloc = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		const struct rresp *p =
		    bsearch(store_col_text(st, 0), d->resp, d->nresp, sizeof *d->resp, resp_cmp);
		size_t si = 0;
		if (!p || !toolkit_statement_find(&d->tk, store_col_text(st, 1), &si))
			continue; /* cannot happen: answers are checked when saved */
		if (d->nanswers == alloc) {
			alloc = alloc ? 2 * alloc : 256;
			d->answers = xreallocarray(d->answers, alloc, sizeof *d->answers);
			d->evidence = xreallocarray(d->evidence, alloc, sizeof *d->evidence);
		}
		d->answers[d->nanswers].respondent = (size_t)(p - d->resp);
		d->answers[d->nanswers].statement = si;
		d->answers[d->nanswers].score = (int)store_col_i64(st, 2);
		d->evidence[d->nanswers] =
		    store_col_is_null(st, 3) ? NULL : xstrdup(store_col_text(st, 3));
		d->nanswers++;
	}
	if (rc != CADRE_DONE)
		goto fail;
	if (with_evidence) {
		if ((rc = evidence_load(actor, db, d, err)) != CADRE_OK)
			goto fail;
	} else {
		d->ev = xcalloc(1, sizeof *d->ev);
	}
	d->stmts = xcalloc(d->tk.nstatements ? d->tk.nstatements : 1, sizeof *d->stmts);
	for (size_t s = 0; s < d->tk.nstatements; s++) {
		d->stmts[s].factor = d->tk.statements[s].factor;
		for (size_t k = 0; k < d->tk.statements[s].nevidence; k++) {
			const struct assess_evidence *e =
			    ev_get(d, d->tk.statements[s].evidence[k]);
			if (e && e->available && e->concern)
				d->stmts[s].concern = true;
		}
	}
	return CADRE_OK;
fail:
	rdata_free(d);
	return rc;
}

static int rdata_score(const struct rdata *d, struct assess_results *res, struct cadre_err *err)
{
	struct assess_results_resp_in *resp = xcalloc(d->nresp ? d->nresp : 1, sizeof *resp);
	for (size_t i = 0; i < d->nresp; i++) {
		resp[i].group = d->resp[i].group;
		resp[i].submitted = d->resp[i].submitted;
		resp[i].started = d->resp[i].started;
	}
	struct assess_results_in in = {
	    .scale_min = 1,
	    .scale_max = (int)d->tk.nscale,
	    .nfactors = d->tk.nfactors,
	    .statements = d->stmts,
	    .nstatements = d->tk.nstatements,
	    .ngroups = d->ngroups,
	    .respondents = resp,
	    .nrespondents = d->nresp,
	    .answers = d->answers,
	    .nanswers = d->nanswers,
	};
	int rc = assess_results_compute(&in, res, err);
	free(resp);
	return rc;
}

/* ---- the results document --------------------------------------------------------- */

/* prev: the previous round's factor scores, for movement */
struct prev {
	bool have;
	int period;
	int64_t version;
	bool has_overall;
	double overall;
	size_t n;
	char (*factor)[TOOLKIT_ID_MAX];
	double *score;
	bool *has;
};

static void prev_free(struct prev *p)
{
	free(p->factor);
	free(p->score);
	free(p->has);
	memset(p, 0, sizeof *p);
}

static const struct store_sql q_prev_round = {
    .name = "assess_prev_round",
    .sql = "SELECT id, toolkit_id, toolkit_version, status, opened_by, opened_us, closed_by, "
           "closed_us, period FROM assess_round WHERE org_id = $1 AND toolkit_id = $2 AND "
           "period < $3 AND status <> 'open' ORDER BY period DESC LIMIT 1",
};

static int prev_load(const struct actor *actor, struct store *db, const struct round *r,
                     struct prev *p, struct cadre_err *err)
{
	memset(p, 0, sizeof *p);
	struct store_stmt *st;
	int rc = store_prepare(db, &q_prev_round, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, r->org.id);
	store_bind_str(st, 2, r->toolkit);
	store_bind_i64(st, 3, r->period);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return CADRE_OK;
	if (rc != CADRE_OK)
		return rc;
	struct round pr;
	memset(&pr, 0, sizeof pr);
	round_read(st, &pr);
	pr.period = (int)store_col_i64(st, 8);
	pr.org = r->org;
	store_reset(st);
	struct rdata d;
	if ((rc = rdata_load(actor, db, &pr, false, &d, err)) != CADRE_OK)
		return rc;
	struct assess_results res;
	if ((rc = rdata_score(&d, &res, err)) != CADRE_OK) {
		rdata_free(&d);
		return rc;
	}
	p->have = true;
	p->period = pr.period;
	p->version = pr.version;
	p->has_overall = res.has_overall;
	p->overall = res.overall;
	p->n = d.tk.nfactors;
	p->factor = xcalloc(p->n ? p->n : 1, sizeof *p->factor);
	p->score = xcalloc(p->n ? p->n : 1, sizeof *p->score);
	p->has = xcalloc(p->n ? p->n : 1, sizeof *p->has);
	for (size_t f = 0; f < p->n; f++) {
		(void)snprintf(p->factor[f], sizeof p->factor[f], "%s", d.tk.factors[f].id);
		p->has[f] = res.factors[f].shown;
		p->score[f] = res.factors[f].score;
	}
	assess_results_free(&res);
	rdata_free(&d);
	return CADRE_OK;
}

static json_t *opt_num2(bool has, double x)
{
	return has ? num2(x) : json_null();
}

static json_t *evidence_json(const struct assess_evidence *e)
{
	const struct assess_evidence_provider *p = assess_evidence_find(e->key);
	return json_pack("{s:s, s:s, s:b, s:b, s:o, s:s, s:b, s:s, s:s}", "key", e->key, "title",
	                 p ? p->title : e->key, "live", p && p->live, "available", e->available,
	                 "value", e->has_value ? num2(e->value) : json_null(), "unit", e->unit,
	                 "concern", e->available && e->concern, "text", e->text, "source",
	                 e->source);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* statement_json: one statement's results */
static json_t *statement_json(const struct rdata *d, const struct assess_results *res, size_t s)
{
	const struct toolkit_statement *ts = &d->tk.statements[s];
	const struct assess_results_stmt *rs = &res->statements[s];
	json_t *sources = json_array();
	for (size_t i = 0; i < ts->nsources; i++)
		json_array_append_new(sources, json_string(ts->sources[i]));
	json_t *ev = json_array();
	for (size_t k = 0; k < ts->nevidence; k++) {
		const struct assess_evidence *e = ev_get(d, ts->evidence[k]);
		if (e)
			json_array_append_new(ev, evidence_json(e));
	}
	/* respondents' own evidence: submitted, unattributed, in text order */
	json_t *notes = json_array();
	if (rs->shown) {
		const char **v = xcalloc(d->nanswers ? d->nanswers : 1, sizeof *v);
		size_t n = 0;
		for (size_t a = 0; a < d->nanswers; a++)
			if (d->answers[a].statement == s && d->evidence[a] &&
			    d->resp[d->answers[a].respondent].submitted)
				v[n++] = d->evidence[a];
		if (n)
			qsort(v, n, sizeof *v, str_cmp);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(notes, json_string(v[i]));
		free(v);
	}
	return json_pack(
	    "{s:s, s:s, s:o, s:o, s:i, s:i, s:b, s:o, s:o, s:o, s:b, s:o, s:o}", "id", ts->id,
	    "text", ts->text, "sources", sources, "score", opt_num2(rs->shown, rs->score),
	    "answers", rs->answers, "skipped", rs->skipped, "shown", rs->shown, "spread",
	    opt_num2(rs->shown && rs->has_spread, rs->spread), "priority",
	    rs->shown ? json_real(floor(rs->priority * 1000.0 + 0.5) / 1000.0) : json_null(),
	    "rank", rs->rank ? json_integer(rs->rank) : json_null(), "contrary_evidence",
	    rs->contrary, "evidence", ev, "respondent_evidence", notes);
}

static json_t *reasons_json(const struct rdata *d, const struct assess_results *res, size_t s)
{
	const struct assess_results_stmt *rs = &res->statements[s];
	json_t *a = json_array();
	char t[448];
	(void)snprintf(t, sizeof t, "scored %.2f of %zu", assess_results_round2(rs->score),
	               d->tk.nscale);
	json_array_append_new(a, json_string(t));
	if (rs->has_spread && assess_results_round2(rs->spread) >= ASSESS_SPREAD_FLAG) {
		(void)snprintf(t, sizeof t, "groups differ by %.2f points",
		               assess_results_round2(rs->spread));
		json_array_append_new(a, json_string(t));
	}
	if (rs->contrary) {
		const struct toolkit_statement *ts = &d->tk.statements[s];
		for (size_t k = 0; k < ts->nevidence; k++) {
			const struct assess_evidence *e = ev_get(d, ts->evidence[k]);
			if (e && e->available && e->concern) {
				(void)snprintf(t, sizeof t, "contrary evidence: %s", e->text);
				json_array_append_new(a, json_string(t));
			}
		}
	}
	return a;
}

#define IMPROVEMENT_TOP 5

/* results_doc: the results document (see docs/toolkits.md, "Results") */
static json_t *results_doc(const struct rdata *d, const struct assess_results *res,
                           const struct prev *pv)
{
	char fy[DATE_FY_SIZE], pfy[DATE_FY_SIZE] = "";
	fy_text(d->r.period, fy);
	if (pv->have)
		fy_text(pv->period, pfy);
	json_t *scale = json_array();
	for (size_t i = 0; i < d->tk.nscale; i++)
		json_array_append_new(scale, json_pack("{s:i, s:s}", "value", d->tk.scale[i].value,
		                                       "label", d->tk.scale[i].label));
	json_t *pgroups = json_array();
	json_t *groups = json_array();
	for (size_t g = 0; g < d->ngroups; g++) {
		const struct assess_results_group *rg = &res->groups[g];
		json_array_append_new(
		    pgroups, json_pack("{s:s, s:s, s:i, s:i, s:i}", "id", d->groups[g].id, "label",
		                       d->groups[g].label, "invited", rg->invited, "in_progress",
		                       rg->started, "submitted", rg->submitted));
		json_array_append_new(
		    groups,
		    json_pack("{s:s, s:s, s:i, s:s, s:o}", "id", d->groups[g].id, "label",
		              d->groups[g].label, "respondents", rg->submitted, "shown",
		              assess_shown_word(rg->shown), "overall",
		              opt_num2(rg->shown == ASSESS_SHOWN && rg->has_overall, rg->overall)));
	}
	json_t *factors = json_array();
	for (size_t f = 0; f < d->tk.nfactors; f++) {
		const struct toolkit_factor *tf = &d->tk.factors[f];
		const struct assess_results_factor *rf = &res->factors[f];
		json_t *fg = json_array();
		for (size_t g = 0; g < d->ngroups; g++) {
			const struct assess_results_group *rg = &res->groups[g];
			json_array_append_new(
			    fg, json_pack("{s:s, s:s, s:o}", "id", d->groups[g].id, "shown",
			                  assess_shown_word(rg->shown), "score",
			                  opt_num2(rg->shown == ASSESS_SHOWN && rg->factor_has[f],
			                           rg->factor_score[f])));
		}
		json_t *sts = json_array();
		for (size_t s = tf->first; s < tf->first + tf->n; s++)
			json_array_append_new(sts, statement_json(d, res, s));
		json_t *mv = json_null();
		for (size_t k = 0; pv->have && k < pv->n; k++)
			if (strcmp(pv->factor[k], tf->id) == 0 && pv->has[k] && rf->shown)
				mv = json_pack("{s:s, s:o, s:o}", "from_period", pfy, "previous",
				               num2(pv->score[k]), "change",
				               num2(assess_results_round2(rf->score) -
				                    assess_results_round2(pv->score[k])));
		json_array_append_new(
		    factors,
		    json_pack(
		        "{s:s, s:s, s:o, s:i, s:o, s:o, s:b, s:o, s:o, s:o, s:o}", "id", tf->id,
		        "title", tf->title, "score", opt_num2(rf->shown, rf->score),
		        "statements_scored", rf->statements, "groups", fg, "spread",
		        opt_num2(rf->has_spread, rf->spread), "spread_flagged", rf->flagged,
		        "highest_group",
		        rf->has_spread ? json_string(d->groups[rf->high_group].id) : json_null(),
		        "lowest_group",
		        rf->has_spread ? json_string(d->groups[rf->low_group].id) : json_null(),
		        "movement", mv, "statements", sts));
	}
	json_t *areas = json_array();
	for (size_t i = 0; i < res->nranking && i < IMPROVEMENT_TOP; i++) {
		size_t s = res->ranking[i];
		const struct assess_results_stmt *rs = &res->statements[s];
		json_array_append_new(
		    areas, json_pack("{s:i, s:s, s:s, s:s, s:o, s:o, s:o}", "rank", rs->rank,
		                     "statement", d->tk.statements[s].id, "factor",
		                     d->tk.factors[d->tk.statements[s].factor].id, "text",
		                     d->tk.statements[s].text, "score", num2(rs->score), "priority",
		                     json_real(floor(rs->priority * 1000.0 + 0.5) / 1000.0),
		                     "reasons", reasons_json(d, res, s)));
	}
	json_t *movement = json_null();
	if (pv->have)
		movement = json_pack("{s:s, s:I, s:o, s:o}", "from_period", pfy, "toolkit_version",
		                     (json_int_t)pv->version, "previous_overall",
		                     opt_num2(pv->has_overall, pv->overall), "overall_change",
		                     (pv->has_overall && res->has_overall)
		                         ? num2(assess_results_round2(res->overall) -
		                                assess_results_round2(pv->overall))
		                         : json_null());
	json_t *rules = json_pack(
	    "{s:i, s:i, s:i, s:f, s:s, s:s}", "min_group", ASSESS_MIN_GROUP, "min_total",
	    ASSESS_MIN_TOTAL, "min_answers", ASSESS_MIN_ANSWERS, "spread_flag", ASSESS_SPREAD_FLAG,
	    "priority", "0.5 x low + 0.3 x disagreement + 0.2 x contrary evidence", "suppression",
	    "a group with fewer than 3 submitted respondents is hidden; while "
	    "exactly one group is hidden, or the hidden groups hold fewer "
	    "than 3, the smallest shown group is hidden too");
	return json_pack(
	    "{s:s, s:{s:s, s:s, s:s}, s:s, s:{s:s, s:I, s:s}, s:o, s:o, s:o, s:{s:i, s:i, s:i, "
	    "s:o}, s:b, s:o, s:o, s:o, s:o, s:o}",
	    "format", ASSESS_RESULTS_FMT, "org", "code", d->r.org.code, "name", d->r.org.name,
	    "kind", d->r.org.kind, "period", fy, "toolkit", "id", d->tk.id, "version",
	    (json_int_t)d->tk.version, "title", d->tk.title, "provisional",
	    json_boolean(strcmp(d->r.status, "open") == 0), "scale", scale, "rules", rules,
	    "participation", "invited", res->invited, "in_progress", res->started, "submitted",
	    res->submitted, "groups", pgroups, "shown", res->shown, "overall",
	    opt_num2(res->has_overall, res->overall), "groups", groups, "factors", factors,
	    "improvement_areas", areas, "movement", movement);
}

/* build_results: score round r and make its results document */
static int build_results(const struct actor *actor, struct store *db, const struct round *r,
                         json_t **out, struct cadre_err *err)
{
	struct rdata d;
	struct assess_results res;
	struct prev pv;
	int rc = rdata_load(actor, db, r, true, &d, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = rdata_score(&d, &res, err)) != CADRE_OK) {
		rdata_free(&d);
		return rc;
	}
	if ((rc = prev_load(actor, db, r, &pv, err)) == CADRE_OK) {
		*out = results_doc(&d, &res, &pv);
		if (!*out)
			rc = cadre_err_set(err, CADRE_EINTERNAL, "building the results failed");
		prev_free(&pv);
	}
	assess_results_free(&res);
	rdata_free(&d);
	return rc;
}

/* ---- closing and signing off ------------------------------------------------------ */

static const struct store_sql q_round_close = {
    .name = "assess_round_close",
    .sql = "UPDATE assess_round SET status = 'closed', closed_by = $2, closed_us = $3 "
           "WHERE id = $1 AND status = 'open'",
};

static const struct store_sql q_evidence_insert = {
    .name = "assess_evidence_insert",
    .sql = "INSERT INTO assess_evidence (round_id, evidence_key, available, value, unit, "
           "concern, text, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
};

struct close_ctx {
	const struct actor *actor;
	const unsigned char *key;
	const struct assess_ref *ref;
	const char *by;
	int64_t now;
};

static int close_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct close_ctx *c = arg;
	struct round r;
	int rc = round_find(c->actor, db, c->ref, ROLES_CPO, &r, err);
	if (rc == CADRE_OK)
		rc = need_open(&r, "closing it again", err);
	if (rc != CADRE_OK)
		return rc;
	struct rdata d;
	if ((rc = rdata_load(c->actor, db, &r, true, &d, err)) != CADRE_OK)
		return rc;
	json_t *evs = json_array();
	struct store_stmt *st;
	for (size_t i = 0; i < d.nev && rc == CADRE_OK; i++) {
		const struct assess_evidence *e = &d.ev[i];
		if ((rc = store_prepare(db, &q_evidence_insert, &st, err)) != CADRE_OK)
			break;
		store_bind_i64(st, 1, r.id);
		store_bind_str(st, 2, e->key);
		store_bind_bool(st, 3, e->available);
		if (e->has_value)
			store_bind_double(st, 4, e->value);
		else
			store_bind_null(st, 4);
		store_bind_str(st, 5, e->unit);
		store_bind_bool(st, 6, e->available && e->concern);
		store_bind_str(st, 7, e->text);
		store_bind_str(st, 8, e->source);
		rc = store_exec(st, err);
		json_array_append_new(evs, json_pack("{s:s, s:b, s:b}", "key", e->key, "available",
		                                     e->available, "concern",
		                                     e->available && e->concern));
	}
	int submitted = 0, started = 0;
	for (size_t i = 0; i < d.nresp; i++) {
		submitted += d.resp[i].submitted;
		started += !d.resp[i].submitted && d.resp[i].started;
	}
	rdata_free(&d);
	if (rc == CADRE_OK && (rc = store_prepare(db, &q_round_close, &st, err)) == CADRE_OK) {
		store_bind_i64(st, 1, r.id);
		store_bind_str(st, 2, c->by);
		store_bind_i64(st, 3, c->now);
		rc = store_exec(st, err);
	}
	if (rc != CADRE_OK) {
		json_decref(evs);
		return rc;
	}
	json_t *p = json_pack("{s:s, s:i, s:i, s:o}", "closed_by", c->by, "submitted", submitted,
	                      "drafts_left_out", started, "evidence", evs);
	return audit_round(c->actor, db, c->key, &r, "assess.close", c->now, p, NULL, err);
}

int assess_close(const struct actor *actor, struct store *db, const unsigned char *key,
                 const struct assess_ref *ref, const char *closed_by, const struct clock *clk,
                 struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = need_key(key, err);
	if (rc == CADRE_OK)
		rc = text_check("the name of who closes the round", closed_by, ASSESS_NAME_MAX - 1,
		                true, err);
	if (rc != CADRE_OK)
		return rc;
	struct close_ctx c = {
	    .actor = actor, .key = key, .ref = ref, .by = closed_by, .now = clock_now(clk)};
	return store_tx_run(db, STORE_TX_WRITE, close_tx, &c, err);
}

static const struct audit_field signoff_fields[] = {
    {"round_id", AUDIT_F_I64},        {"signed_by", AUDIT_F_TEXT}, {"signed_us", AUDIT_F_I64},
    {"results_sha256", AUDIT_F_TEXT}, {"results", AUDIT_F_TEXT},
};

static const struct store_sql q_signoff_row = {
    .name = "assess_signoff_row",
    .sql = "SELECT round_id, signed_by, signed_us, results_sha256, results, row_hash, "
           "audit_seq FROM assess_signoff WHERE round_id = $1",
};

static const struct store_sql q_signoff_all = {
    .name = "assess_signoff_all",
    .sql = "SELECT round_id, signed_by, signed_us, results_sha256, results, row_hash, "
           "audit_seq FROM assess_signoff ORDER BY round_id",
};

static const struct store_sql q_signoff_stamp = {
    .name = "assess_signoff_stamp",
    .sql = "UPDATE assess_signoff SET row_hash = $2, audit_seq = $3 WHERE round_id = $1",
};

const struct audit_table assess_signoff_audit_table = {
    .name = "assess_signoff",
    .fields = signoff_fields,
    .nfields = (int)(sizeof signoff_fields / sizeof signoff_fields[0]),
    .select_row = &q_signoff_row,
    .select_all = &q_signoff_all,
    .stamp = &q_signoff_stamp,
};

static const struct store_sql q_signoff_insert = {
    .name = "assess_signoff_insert",
    .sql = "INSERT INTO assess_signoff (round_id, signed_by, signed_us, results_sha256, "
           "results) VALUES ($1, $2, $3, $4, $5)",
};

static const struct store_sql q_round_signed = {
    .name = "assess_round_signed",
    .sql = "UPDATE assess_round SET status = 'signed_off' WHERE id = $1 AND status = 'closed'",
};

struct sign_ctx {
	const struct actor *actor;
	const unsigned char *key;
	const struct assess_ref *ref;
	const char *by;
	int64_t now;
	char sha[AUDIT_HEX_LEN + 1];
};

static int sign_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct sign_ctx *c = arg;
	struct round r;
	int rc = round_find(c->actor, db, c->ref, ROLES_BOARD, &r, err);
	if (rc != CADRE_OK)
		return rc;
	char fy[DATE_FY_SIZE];
	fy_text(r.period, fy);
	if (strcmp(r.status, "open") == 0)
		return cadre_err_set(err, CADRE_ECONFLICT,
		                     "the %s round for %s in %s is still open: close it before the "
		                     "board signs it off",
		                     r.toolkit, r.org.code, fy);
	if (strcmp(r.status, "signed_off") == 0)
		return cadre_err_set(err, CADRE_ECONFLICT,
		                     "the %s round for %s in %s is already signed off", r.toolkit,
		                     r.org.code, fy);
	json_t *doc = NULL;
	if ((rc = build_results(c->actor, db, &r, &doc, err)) != CADRE_OK)
		return rc;
	char *text = NULL;
	size_t len = 0;
	rc = audit_canonical_json(doc, &text, &len, err);
	json_decref(doc);
	if (rc != CADRE_OK)
		return rc;
	audit_sha256_hex(text, len, c->sha);
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_signoff_insert, &st, err)) == CADRE_OK) {
		store_bind_i64(st, 1, r.id);
		store_bind_str(st, 2, c->by);
		store_bind_i64(st, 3, c->now);
		store_bind_str(st, 4, c->sha);
		store_bind_text(st, 5, text, len);
		rc = store_exec(st, err);
	}
	free(text);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = store_prepare(db, &q_round_signed, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, r.id);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	char object[AUDIT_OBJECT_MAX], rkey[32];
	round_object(&r, object);
	(void)snprintf(rkey, sizeof rkey, "%" PRId64, r.id);
	json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "org", r.org.code, "period", fy, "toolkit",
	                      r.toolkit, "signed_by", c->by);
	struct audit_change ch = {
	    .at_us = c->now, .action = "assess.sign_off", .object = object, .payload = p};
	rc = audit_append_row(c->actor, db, c->key, &ch, &assess_signoff_audit_table, rkey, NULL,
	                      err);
	json_decref(p);
	return rc;
}

int assess_sign_off(const struct actor *actor, struct store *db, const unsigned char *key,
                    const struct assess_ref *ref, const char *by, const struct clock *clk,
                    char *sha256, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = need_key(key, err);
	if (rc == CADRE_OK)
		rc = text_check("the board member's name", by, ASSESS_NAME_MAX - 1, true, err);
	if (rc != CADRE_OK)
		return rc;
	struct sign_ctx c = {
	    .actor = actor, .key = key, .ref = ref, .by = by, .now = clock_now(clk)};
	rc = store_tx_run(db, STORE_TX_WRITE, sign_tx, &c, err);
	if (rc == CADRE_OK && sha256)
		memcpy(sha256, c.sha, AUDIT_HEX_LEN + 1);
	return rc;
}

/* ---- status and report ------------------------------------------------------------ */

static json_t *round_json(const struct round *r)
{
	char fy[DATE_FY_SIZE];
	fy_text(r->period, fy);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:o, s:o}", "id",
	                 (json_int_t)r->id, "org", r->org.code, "org_name", r->org.name, "period",
	                 fy, "toolkit", r->toolkit, "toolkit_version", (json_int_t)r->version,
	                 "status", r->status, "opened_by", r->opened_by, "opened_at",
	                 ts_json(r->opened_us), "closed_by",
	                 r->closed_by[0] ? json_string(r->closed_by) : json_null(), "closed_at",
	                 r->closed_us ? ts_json(r->closed_us) : json_null());
}

struct read_ctx {
	const struct actor *actor;
	const struct assess_ref *ref;
	json_t *out;
};

/* read_json: run fn (a read_ctx transaction building c->out) in a read
 * transaction for the actor and hand its JSON over, or free it on failure:
 * the shape of every JSON read-out below. */
static int read_json(const struct actor *actor, struct store *db, const struct assess_ref *ref,
                     int (*fn)(struct store *, void *, struct cadre_err *), json_t **out,
                     struct cadre_err *err)
{
	*out = NULL;
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct read_ctx c = {.actor = actor, .ref = ref};
	rc = store_tx_run(db, STORE_TX_READ, fn, &c, err);
	if (rc == CADRE_OK)
		*out = c.out;
	else
		json_decref(c.out);
	return rc;
}

static int status_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct read_ctx *c = arg;
	json_decref(c->out); /* a retried attempt starts again */
	c->out = NULL;
	struct round r;
	int rc = round_find(c->actor, db, c->ref, NULL, &r, err);
	if (rc != CADRE_OK)
		return rc;
	struct rdata d;
	if ((rc = rdata_load(c->actor, db, &r, false, &d, err)) != CADRE_OK)
		return rc;
	json_t *groups = json_array();
	int inv = 0, prog = 0, sub = 0;
	for (size_t g = 0; g < d.ngroups; g++) {
		int gi = 0, gp = 0, gs = 0;
		for (size_t i = 0; i < d.nresp; i++) {
			if (d.resp[i].group != g)
				continue;
			gi++;
			if (d.resp[i].submitted)
				gs++;
			else if (d.resp[i].started)
				gp++;
		}
		inv += gi;
		prog += gp;
		sub += gs;
		json_array_append_new(
		    groups, json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:o}", "id", d.groups[g].id,
		                      "label", d.groups[g].label, "invited", gi, "not_started",
		                      gi - gp - gs, "in_progress", gp, "submitted", gs,
		                      "response_rate", gi ? num2(100.0 * gs / gi) : json_null()));
	}
	c->out = json_pack("{s:o, s:{s:i, s:i, s:i, s:i, s:o}, s:o, s:i}", "round", round_json(&r),
	                   "participation", "invited", inv, "not_started", inv - prog - sub,
	                   "in_progress", prog, "submitted", sub, "response_rate",
	                   inv ? num2(100.0 * sub / inv) : json_null(), "groups", groups,
	                   "statements", (int)d.tk.nstatements);
	rdata_free(&d);
	return c->out ? CADRE_OK : cadre_err_set(err, CADRE_EINTERNAL, "status JSON failed");
}

int assess_status_json(const struct actor *actor, struct store *db, const struct assess_ref *ref,
                       json_t **out, struct cadre_err *err)
{
	return read_json(actor, db, ref, status_tx, out, err);
}

static const struct store_sql q_signoff_get = {
    .name = "assess_signoff_get",
    .sql = "SELECT signed_by, signed_us, results_sha256, results, audit_seq FROM assess_signoff "
           "WHERE round_id = $1",
};

static const struct store_sql q_actions_of = {
    .name = "assess_actions_of",
    .sql = "SELECT id, factor_id, action, owner, due_date, status, created_us, updated_us "
           "FROM assess_action WHERE round_id = $1 ORDER BY id",
};

static const struct store_sql q_notes_of = {
    .name = "assess_notes_of",
    .sql = "SELECT note_no, at_us, actor, status, note FROM assess_action_note "
           "WHERE action_id = $1 ORDER BY note_no",
};

static int actions_json(struct store *db, int64_t round, json_t **out, struct cadre_err *err)
{
	*out = json_array();
	struct store_stmt *st;
	int rc = store_prepare(db, &q_actions_of, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, round);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		json_array_append_new(
		    *out,
		    json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:[]}", "id",
		              (json_int_t)store_col_i64(st, 0), "factor", store_col_text(st, 1),
		              "action", store_col_text(st, 2), "owner", store_col_text(st, 3),
		              "due", store_col_text(st, 4), "status", store_col_text(st, 5),
		              "created_at", ts_json(store_col_i64(st, 6)), "updated_at",
		              ts_json(store_col_i64(st, 7)), "notes"));
	}
	if (rc != CADRE_DONE)
		return rc;
	size_t i;
	json_t *a;
	json_array_foreach(*out, i, a)
	{
		if ((rc = store_prepare(db, &q_notes_of, &st, err)) != CADRE_OK)
			return rc;
		store_bind_i64(st, 1, json_integer_value(json_object_get(a, "id")));
		json_t *notes = json_object_get(a, "notes");
		while ((rc = store_step(st, err)) == CADRE_OK)
			json_array_append_new(notes, json_pack("{s:I, s:o, s:s, s:s, s:s}", "no",
			                                       (json_int_t)store_col_i64(st, 0),
			                                       "at", ts_json(store_col_i64(st, 1)),
			                                       "by", store_col_text(st, 2),
			                                       "status", store_col_text(st, 3),
			                                       "note", store_col_text(st, 4)));
		if (rc != CADRE_DONE)
			return rc;
	}
	return CADRE_OK;
}

/* signed_results: the stored results of a signed-off round, checked
 * against their hash */
static int signed_results(struct store *db, const struct round *r, json_t **results,
                          json_t **signoff, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_signoff_get, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, r->id);
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE ? cadre_err_set(err, CADRE_EINTERNAL,
		                                        "round %" PRId64
		                                        " is signed off but has no sign-off row",
		                                        r->id)
		                        : rc;
	char sha[AUDIT_HEX_LEN + 1];
	audit_sha256_hex(store_col_text(st, 3), store_col_len(st, 3), sha);
	if (strcmp(sha, store_col_text(st, 2)) != 0) {
		store_reset(st);
		return cadre_err_set(
		    err, CADRE_EINTERNAL,
		    "the signed results of round %" PRId64
		    " do not match their SHA-256: they were changed after sign-off "
		    "(run cadre audit verify)",
		    r->id);
	}
	json_error_t je;
	*results = json_loadb(store_col_text(st, 3), store_col_len(st, 3), 0, &je);
	*signoff = json_pack("{s:s, s:o, s:s, s:I}", "signed_by", store_col_text(st, 0),
	                     "signed_at", ts_json(store_col_i64(st, 1)), "results_sha256",
	                     store_col_text(st, 2), "audit_seq", (json_int_t)store_col_i64(st, 4));
	store_reset(st);
	if (!*results)
		return cadre_err_set(err, CADRE_EINTERNAL, "round %" PRId64 ": signed results: %s",
		                     r->id, je.text);
	return CADRE_OK;
}

static int report_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct read_ctx *c = arg;
	json_decref(c->out); /* a retried attempt starts again */
	c->out = NULL;
	struct round r;
	int rc = round_find(c->actor, db, c->ref, NULL, &r, err);
	if (rc != CADRE_OK)
		return rc;
	json_t *results = NULL, *signoff = NULL, *actions = NULL;
	if (strcmp(r.status, "signed_off") == 0)
		rc = signed_results(db, &r, &results, &signoff, err);
	else
		rc = build_results(c->actor, db, &r, &results, err);
	if (rc == CADRE_OK)
		rc = actions_json(db, r.id, &actions, err);
	if (rc != CADRE_OK) {
		json_decref(results);
		json_decref(signoff);
		json_decref(actions);
		return rc;
	}
	c->out = json_pack("{s:o, s:o, s:o, s:o}", "round", round_json(&r), "results", results,
	                   "signoff", signoff ? signoff : json_null(), "actions", actions);
	return c->out ? CADRE_OK : cadre_err_set(err, CADRE_EINTERNAL, "report JSON failed");
}

int assess_report_json(const struct actor *actor, struct store *db, const struct assess_ref *ref,
                       json_t **out, struct cadre_err *err)
{
	return read_json(actor, db, ref, report_tx, out, err);
}

/* ---- action plan ------------------------------------------------------------------ */

static const struct store_sql q_action_insert = {
    .name = "assess_action_insert",
    .sql = "INSERT INTO assess_action (id, round_id, factor_id, action, owner, due_date, status, "
           "created_us, updated_us) VALUES ($1, $2, $3, $4, $5, $6, 'not_started', $7, $7)",
};

static const struct store_sql q_action_get = {
    .name = "assess_action_get",
    .sql = "SELECT round_id, status FROM assess_action WHERE id = $1",
};

static const struct store_sql q_action_set = {
    .name = "assess_action_set",
    .sql = "UPDATE assess_action SET status = $2, updated_us = $3 WHERE id = $1",
};

static const struct store_sql q_note_insert = {
    .name = "assess_note_insert",
    .sql = "INSERT INTO assess_action_note (action_id, note_no, at_us, actor, status, note) "
           "VALUES ($1, $6, $2, $3, $4, $5)",
};

static const struct store_sql q_note_next = {
    .name = "assess_note_next",
    .sql = "SELECT COALESCE(MAX(note_no), 0) + 1 FROM assess_action_note WHERE action_id = $1",
};

static bool action_status_ok(const char *s)
{
	return s && (strcmp(s, "not_started") == 0 || strcmp(s, "in_progress") == 0 ||
	             strcmp(s, "done") == 0 || strcmp(s, "dropped") == 0);
}

struct action_ctx {
	const struct actor *actor;
	const unsigned char *key;
	const struct assess_ref *ref;
	const char *factor, *action, *owner, *due, *status, *note;
	int64_t id;
	int64_t now;
};

static int action_add_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct action_ctx *c = arg;
	struct round r;
	int rc = round_find(c->actor, db, c->ref, ROLES_PLAN, &r, err);
	if (rc != CADRE_OK)
		return rc;
	struct toolkit tk;
	if ((rc = toolkit_get(c->actor, db, r.toolkit, r.version, &tk, err)) != CADRE_OK)
		return rc;
	bool known = toolkit_factor_find(&tk, c->factor, NULL) != NULL;
	toolkit_free(&tk);
	if (!known)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "unknown factor '%s' in %s version %" PRId64, c->factor,
		                     r.toolkit, r.version);
	if ((rc = next_id(db, &q_next_action, &c->id, err)) != CADRE_OK)
		return rc;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_action_insert, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, c->id);
	store_bind_i64(st, 2, r.id);
	store_bind_str(st, 3, c->factor);
	store_bind_str(st, 4, c->action);
	store_bind_str(st, 5, c->owner);
	store_bind_str(st, 6, c->due);
	store_bind_i64(st, 7, c->now);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	json_t *p = json_pack("{s:I, s:s, s:s, s:s, s:s}", "action_id", (json_int_t)c->id, "factor",
	                      c->factor, "action", c->action, "owner", c->owner, "due", c->due);
	return audit_round(c->actor, db, c->key, &r, "assess.action_add", c->now, p, NULL, err);
}

int assess_action_add(const struct actor *actor, struct store *db, const unsigned char *key,
                      const struct assess_ref *ref, const char *factor, const char *action,
                      const char *owner, const char *due, const struct clock *clk, int64_t *id,
                      struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = need_key(key, err);
	if (rc == CADRE_OK)
		rc = text_check("the action", action, ASSESS_TEXT_MAX, true, err);
	if (rc == CADRE_OK)
		rc = text_check("the owner", owner, ASSESS_NAME_MAX - 1, true, err);
	struct date dd;
	if (rc == CADRE_OK &&
	    (!due || date_parse_iso(due, strlen(due), &dd, err) != CADRE_OK || strlen(due) != 10))
		rc = cadre_err_set(err, CADRE_EINVAL, "due date '%s': expected YYYY-MM-DD",
		                   due ? due : "");
	if (rc == CADRE_OK && (!factor || !*factor))
		rc = cadre_err_set(err, CADRE_EINVAL, "which factor?");
	if (rc != CADRE_OK)
		return rc;
	struct action_ctx c = {.actor = actor,
	                       .key = key,
	                       .ref = ref,
	                       .factor = factor,
	                       .action = action,
	                       .owner = owner,
	                       .due = due,
	                       .now = clock_now(clk)};
	rc = store_tx_run(db, STORE_TX_WRITE, action_add_tx, &c, err);
	if (rc == CADRE_OK && id)
		*id = c.id;
	return rc;
}

static int action_update_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct action_ctx *c = arg;
	struct store_stmt *st;
	int rc = store_prepare(db, &q_action_get, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, c->id);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no action %" PRId64, c->id);
	if (rc != CADRE_OK)
		return rc;
	int64_t round_id = store_col_i64(st, 0);
	char status[16];
	(void)snprintf(status, sizeof status, "%s", store_col_text(st, 1));
	store_reset(st);
	/* the round, and the actor's right over its organisation */
	if ((rc = store_prepare(db, &q_round_by_id, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, round_id);
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE ? CADRE_EINTERNAL : rc;
	struct round r;
	memset(&r, 0, sizeof r);
	round_read(st, &r);
	char code[ORG_CODE_MAX];
	(void)snprintf(code, sizeof code, "%s", store_col_text(st, 8));
	r.period = (int)store_col_i64(st, 9);
	store_reset(st);
	if ((rc = org_get(c->actor, db, code, &r.org, err)) != CADRE_OK)
		return rc;
	if ((rc = may(c->actor, db, r.org.id, r.period, ROLES_PLAN, err)) != CADRE_OK)
		return rc;
	const char *next = c->status ? c->status : status;
	if (strcmp(next, status) == 0 && !c->note)
		return cadre_err_set(
		    err, CADRE_EINVAL,
		    "action %" PRId64 " is already %s: give a new status or a note", c->id, status);
	if ((rc = store_prepare(db, &q_action_set, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, c->id);
	store_bind_str(st, 2, next);
	store_bind_i64(st, 3, c->now);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	if (c->note) {
		if ((rc = store_prepare(db, &q_note_next, &st, err)) != CADRE_OK)
			return rc;
		store_bind_i64(st, 1, c->id);
		if ((rc = store_step(st, err)) != CADRE_OK)
			return rc == CADRE_DONE ? CADRE_EINTERNAL : rc;
		int64_t no = store_col_i64(st, 0);
		store_reset(st);
		if ((rc = store_prepare(db, &q_note_insert, &st, err)) != CADRE_OK)
			return rc;
		store_bind_i64(st, 6, no);
		store_bind_i64(st, 1, c->id);
		store_bind_i64(st, 2, c->now);
		store_bind_str(st, 3, actor_label(c->actor));
		store_bind_str(st, 4, next);
		store_bind_str(st, 5, c->note);
		if ((rc = store_exec(st, err)) != CADRE_OK)
			return rc;
	}
	json_t *p =
	    json_pack("{s:I, s:s, s:s, s:o}", "action_id", (json_int_t)c->id, "from", status, "to",
	              next, "note", c->note ? json_string(c->note) : json_null());
	return audit_round(c->actor, db, c->key, &r, "assess.action_update", c->now, p, NULL, err);
}

int assess_action_update(const struct actor *actor, struct store *db, const unsigned char *key,
                         int64_t id, const char *status, const char *note, const struct clock *clk,
                         struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = need_key(key, err);
	if (rc == CADRE_OK && status && !action_status_ok(status))
		rc = cadre_err_set(err, CADRE_EINVAL,
		                   "status '%s': use not_started, in_progress, done or dropped",
		                   status);
	if (rc == CADRE_OK && note)
		rc = text_check("the note", note, ASSESS_TEXT_MAX, true, err);
	if (rc != CADRE_OK)
		return rc;
	struct action_ctx c = {.actor = actor,
	                       .key = key,
	                       .id = id,
	                       .status = status,
	                       .note = note,
	                       .now = clock_now(clk)};
	return store_tx_run(db, STORE_TX_WRITE, action_update_tx, &c, err);
}

/* ---- good practice ----------------------------------------------------------------- */

static const struct store_sql q_practice_put = {
    .name = "assess_practice_put",
    .sql = "INSERT INTO assess_practice (round_id, statement_id, named, score, text, shared_us, "
           "shared_by) VALUES ($1, $2, $3, $4, $5, $6, $7) "
           "ON CONFLICT (round_id, statement_id) DO UPDATE SET named = excluded.named, "
           "score = excluded.score, text = excluded.text, shared_us = excluded.shared_us, "
           "shared_by = excluded.shared_by",
};

struct share_ctx {
	const struct actor *actor;
	const unsigned char *key;
	const struct assess_ref *ref;
	const char *statement, *text, *by;
	bool named;
	int64_t now;
};

static int share_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct share_ctx *c = arg;
	struct round r;
	int rc = round_find(c->actor, db, c->ref, ROLES_PLAN, &r, err);
	if (rc != CADRE_OK)
		return rc;
	if (strcmp(r.status, "open") == 0)
		return cadre_err_set(
		    err, CADRE_ECONFLICT,
		    "the round is still open: good practice is shared from a closed "
		    "round's results");
	struct rdata d;
	struct assess_results res;
	if ((rc = rdata_load(c->actor, db, &r, false, &d, err)) != CADRE_OK)
		return rc;
	size_t si = 0;
	if (!toolkit_statement_find(&d.tk, c->statement, &si)) {
		rc = cadre_err_set(err, CADRE_EINVAL,
		                   "unknown statement '%s' in %s version %" PRId64, c->statement,
		                   r.toolkit, r.version);
		rdata_free(&d);
		return rc;
	}
	if ((rc = rdata_score(&d, &res, err)) != CADRE_OK) {
		rdata_free(&d);
		return rc;
	}
	bool shown = res.statements[si].shown;
	double score = assess_results_round2(res.statements[si].score);
	assess_results_free(&res);
	rdata_free(&d);
	if (!shown)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "statement '%s' has no score that can be shown (too few "
		                     "answers): only statements scored %.0f or more are shared",
		                     c->statement, ASSESS_PRACTICE_MIN);
	if (score < ASSESS_PRACTICE_MIN)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "statement '%s' scored %.2f: good practice is shared from "
		                     "statements scored %.0f or more",
		                     c->statement, score, ASSESS_PRACTICE_MIN);
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_practice_put, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, r.id);
	store_bind_str(st, 2, c->statement);
	store_bind_bool(st, 3, c->named);
	store_bind_double(st, 4, score);
	store_bind_str(st, 5, c->text);
	store_bind_i64(st, 6, c->now);
	store_bind_str(st, 7, c->by);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	char h[AUDIT_HEX_LEN + 1];
	audit_sha256_hex(c->text, strlen(c->text), h);
	json_t *p = json_pack("{s:s, s:b, s:o, s:s, s:s}", "statement", c->statement, "named",
	                      c->named, "score", num2(score), "text_sha256", h, "by", c->by);
	return audit_round(c->actor, db, c->key, &r, "assess.share", c->now, p, NULL, err);
}

int assess_share(const struct actor *actor, struct store *db, const unsigned char *key,
                 const struct assess_ref *ref, const char *statement, const char *text, bool named,
                 const char *by, const struct clock *clk, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = need_key(key, err);
	if (rc == CADRE_OK)
		rc = text_check("the good practice", text, ASSESS_TEXT_MAX, true, err);
	if (rc == CADRE_OK)
		rc = text_check("the name of who shares it", by, ASSESS_NAME_MAX - 1, true, err);
	if (rc == CADRE_OK && (!statement || !*statement))
		rc = cadre_err_set(err, CADRE_EINVAL, "which statement?");
	if (rc != CADRE_OK)
		return rc;
	struct share_ctx c = {.actor = actor,
	                      .key = key,
	                      .ref = ref,
	                      .statement = statement,
	                      .text = text,
	                      .by = by,
	                      .named = named,
	                      .now = clock_now(clk)};
	return store_tx_run(db, STORE_TX_WRITE, share_tx, &c, err);
}

static const struct store_sql q_practice_list = {
    .name = "assess_practice_list",
    .sql = "SELECT p.statement_id, p.named, p.score, p.text, r.period, r.toolkit_version, "
           "o.code, o.name FROM assess_practice p JOIN assess_round r ON r.id = p.round_id "
           "JOIN org o ON o.id = r.org_id WHERE r.toolkit_id = $1 AND "
           "(p.statement_id = $2 OR $2 = '') ORDER BY p.statement_id, p.score DESC, p.text",
};

struct practice_ctx {
	const struct actor *actor;
	const char *toolkit, *statement;
	json_t *out;
};

static int practice_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct practice_ctx *c = arg;
	json_decref(c->out);
	c->out = NULL;
	struct toolkit tk;
	int rc = toolkit_get(c->actor, db, c->toolkit, 0, &tk, err);
	if (rc != CADRE_OK)
		return rc;
	if (c->statement && !toolkit_statement_find(&tk, c->statement, NULL)) {
		rc = cadre_err_set(err, CADRE_EINVAL, "unknown statement '%s' in %s", c->statement,
		                   c->toolkit);
		toolkit_free(&tk);
		return rc;
	}
	json_t *items = json_array();
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_practice_list, &st, err)) == CADRE_OK) {
		store_bind_str(st, 1, c->toolkit);
		store_bind_str(st, 2, c->statement ? c->statement : "");
		while ((rc = store_step(st, err)) == CADRE_OK) {
			bool named = store_col_bool(st, 1);
			const struct toolkit_statement *ts =
			    toolkit_statement_find(&tk, store_col_text(st, 0), NULL);
			char fy[DATE_FY_SIZE];
			fy_text((int)store_col_i64(st, 4), fy);
			json_array_append_new(
			    items,
			    json_pack("{s:s, s:s, s:o, s:s, s:s, s:b, s:o, s:o}", "statement",
			              store_col_text(st, 0), "statement_text", ts ? ts->text : "",
			              "score", num2(store_col_double(st, 2)), "text",
			              store_col_text(st, 3), "period", fy, "named", named, "org",
			              named ? json_string(store_col_text(st, 6)) : json_null(),
			              "org_name",
			              named ? json_string(store_col_text(st, 7)) : json_null()));
		}
		if (rc == CADRE_DONE)
			rc = CADRE_OK;
	}
	toolkit_free(&tk);
	if (rc != CADRE_OK) {
		json_decref(items);
		return rc;
	}
	c->out =
	    json_pack("{s:s, s:o, s:o}", "toolkit", c->toolkit, "statement",
	              c->statement ? json_string(c->statement) : json_null(), "practice", items);
	return CADRE_OK;
}

int assess_practice_json(const struct actor *actor, struct store *db, const char *toolkit,
                         const char *statement, json_t **out, struct cadre_err *err)
{
	*out = NULL;
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!toolkit || !*toolkit)
		return cadre_err_set(err, CADRE_EINVAL, "which toolkit?");
	struct practice_ctx c = {.actor = actor, .toolkit = toolkit, .statement = statement};
	rc = store_tx_run(db, STORE_TX_READ, practice_tx, &c, err);
	if (rc == CADRE_OK)
		*out = c.out;
	else
		json_decref(c.out);
	return rc;
}

/* ---- peer benchmark ----------------------------------------------------------------- */

static const struct store_sql q_members = {
    .name = "assess_members",
    .sql = "SELECT o.id, o.code, o.name, o.kind, r.id, r.toolkit_version, r.status, "
           "r.opened_by, r.opened_us, r.closed_by, r.closed_us "
           "FROM org_ancestor a JOIN org o ON o.id = a.node_id "
           "JOIN assess_round r ON r.org_id = o.id "
           "WHERE a.month = $1 AND a.ancestor_id = $2 AND a.depth >= 1 AND r.toolkit_id = $3 "
           "AND r.period = $4 AND r.status <> 'open' ORDER BY o.code",
};

static const struct store_sql q_ancestors = {
    .name = "assess_ancestors",
    .sql = "SELECT o.id, o.code, o.name, o.kind FROM org_ancestor a JOIN org o ON "
           "o.id = a.ancestor_id WHERE a.month = $1 AND a.node_id = $2 AND a.depth >= 1 "
           "ORDER BY a.depth",
};

/* scored: one organisation's completed round, scored */
struct scored {
	struct org_node org;
	int64_t round_id;
	int64_t version;
	bool shown;
	bool has_overall;
	double overall;
	double *score; /* per factor of the benchmark's toolkit (latest version) */
	bool *has;
};

static void scored_free(struct scored *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].score);
		free(v[i].has);
	}
	free(v);
}

/* score_round: the factor scores of round r, matched by factor id to tk's */
static int score_round(const struct actor *actor, struct store *db, const struct round *r,
                       const struct toolkit *tk, struct scored *out, struct cadre_err *err)
{
	struct rdata d;
	struct assess_results res;
	int rc = rdata_load(actor, db, r, false, &d, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = rdata_score(&d, &res, err)) != CADRE_OK) {
		rdata_free(&d);
		return rc;
	}
	out->org = r->org;
	out->round_id = r->id;
	out->version = r->version;
	out->shown = res.shown;
	out->has_overall = res.has_overall;
	out->overall = assess_results_round2(res.overall);
	out->score = xcalloc(tk->nfactors ? tk->nfactors : 1, sizeof *out->score);
	out->has = xcalloc(tk->nfactors ? tk->nfactors : 1, sizeof *out->has);
	for (size_t f = 0; f < tk->nfactors; f++) {
		size_t k = 0;
		if (toolkit_factor_find(&d.tk, tk->factors[f].id, &k) && res.factors[k].shown) {
			out->has[f] = true;
			out->score[f] = assess_results_round2(res.factors[k].score);
		}
	}
	assess_results_free(&res);
	rdata_free(&d);
	return CADRE_OK;
}

/* members: the completed rounds of the organisations below anc whose kind
 * the toolkit applies to (and, when kind is given, of that kind only) */
static int members_load(const struct actor *actor, struct store *db, int month, int64_t anc,
                        const struct toolkit *tk, int period, const char *kind, struct scored **out,
                        size_t *n, struct cadre_err *err)
{
	*out = NULL;
	*n = 0;
	struct round *rs = NULL;
	size_t nr = 0;
	struct store_stmt *st;
	int rc = store_prepare(db, &q_members, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, month);
	store_bind_i64(st, 2, anc);
	store_bind_str(st, 3, tk->id);
	store_bind_i64(st, 4, period);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		const char *k = store_col_text(st, 3);
		if (!(toolkit_level_bit(k) & tk->levels) || (kind && strcmp(kind, k) != 0))
			continue;
		rs = xreallocarray(rs, nr + 1, sizeof *rs);
		struct round *r = &rs[nr++];
		memset(r, 0, sizeof *r);
		r->org.id = store_col_i64(st, 0);
		(void)snprintf(r->org.code, sizeof r->org.code, "%s", store_col_text(st, 1));
		(void)snprintf(r->org.name, sizeof r->org.name, "%s", store_col_text(st, 2));
		(void)snprintf(r->org.kind, sizeof r->org.kind, "%s", k);
		r->id = store_col_i64(st, 4);
		r->version = store_col_i64(st, 5);
		(void)snprintf(r->status, sizeof r->status, "%s", store_col_text(st, 6));
		(void)snprintf(r->toolkit, sizeof r->toolkit, "%s", tk->id);
		r->period = period;
	}
	if (rc != CADRE_DONE) {
		free(rs);
		return rc;
	}
	struct scored *v = xcalloc(nr ? nr : 1, sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < nr; i++) {
		if ((rc = score_round(actor, db, &rs[i], tk, &v[k], err)) != CADRE_OK) {
			scored_free(v, k);
			free(rs);
			return rc;
		}
		if (v[k].shown)
			k++;
		else {
			free(v[k].score);
			free(v[k].has);
		}
	}
	free(rs);
	*out = v;
	*n = k;
	return CADRE_OK;
}

static json_t *dist_json(const double *v, size_t n)
{
	struct assess_dist d;
	assess_results_dist(v, n, &d);
	if (n == 0)
		return json_null();
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "n", (json_int_t)n, "min", num2(d.min),
	                 "q1", num2(d.q1), "median", num2(d.median), "q3", num2(d.q3), "max",
	                 num2(d.max));
}

/* values: the scores of factor f (or the overall, f == nfactors) of v */
static size_t values(const struct scored *v, size_t n, size_t f, size_t nf, double *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (f == nf ? v[i].has_overall : v[i].has[f])
			out[k++] = f == nf ? v[i].overall : v[i].score[f];
	}
	return k;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : (x > y ? 1 : 0);
}

/* organisations_json: named scores of an ICB's or region's organisations */
static json_t *organisations_json(const struct scored *v, size_t n, const struct toolkit *tk)
{
	json_t *rows = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *fs = json_object();
		for (size_t f = 0; f < tk->nfactors; f++)
			json_object_set_new(fs, tk->factors[f].id,
			                    v[i].has[f] ? num2(v[i].score[f]) : json_null());
		json_array_append_new(
		    rows, json_pack("{s:s, s:s, s:s, s:I, s:o, s:o}", "code", v[i].org.code, "name",
		                    v[i].org.name, "kind", v[i].org.kind, "toolkit_version",
		                    (json_int_t)v[i].version, "overall",
		                    opt_num2(v[i].has_overall, v[i].overall), "factors", fs));
	}
	double *buf = xcalloc(n ? n : 1, sizeof *buf);
	json_t *dist = json_object();
	for (size_t f = 0; f <= tk->nfactors; f++) {
		size_t k = values(v, n, f, tk->nfactors, buf);
		json_object_set_new(dist, f == tk->nfactors ? "overall" : tk->factors[f].id,
		                    dist_json(buf, k));
	}
	free(buf);
	return json_pack("{s:I, s:o, s:o}", "count", (json_int_t)n, "rows", rows, "distribution",
	                 dist);
}

/* peer_json: self against the organisations of its kind under anc, others
 * anonymised: their values only, sorted per factor, and nothing at all
 * when fewer than ASSESS_MIN_PEERS (self included) have a value */
static json_t *peer_json(const struct org_node *anc, const struct scored *self,
                         const struct scored *v, size_t n, const struct toolkit *tk)
{
	double *buf = xcalloc(n ? n : 1, sizeof *buf);
	json_t *items = json_array();
	bool any = false;
	for (size_t f = 0; f <= tk->nfactors; f++) {
		bool is_overall = f == tk->nfactors;
		bool self_has = is_overall ? self->has_overall : self->has[f];
		double self_v = is_overall ? self->overall : self->score[f];
		size_t k = values(v, n, f, tk->nfactors, buf);
		json_t *o =
		    json_pack("{s:s, s:o, s:I}", "id", is_overall ? "overall" : tk->factors[f].id,
		              "self", opt_num2(self_has, self_v), "organisations", (json_int_t)k);
		if (k < ASSESS_MIN_PEERS || !self_has) {
			json_object_set_new(o, "suppressed", json_true());
			json_object_set_new(o, "distribution", json_null());
			json_object_set_new(o, "others", json_null());
		} else {
			any = true;
			json_object_set_new(o, "suppressed", json_false());
			json_object_set_new(o, "distribution", dist_json(buf, k));
			/* the others: self's value taken out once, the rest sorted */
			qsort(buf, k, sizeof *buf, cmp_dbl);
			json_t *others = json_array();
			bool skipped = false;
			for (size_t i = 0; i < k; i++) {
				if (!skipped && buf[i] == self_v) {
					skipped = true;
					continue;
				}
				json_array_append_new(others, num2(buf[i]));
			}
			json_object_set_new(o, "others", others);
		}
		json_array_append_new(items, o);
	}
	free(buf);
	char reason[200];
	(void)snprintf(reason, sizeof reason,
	               "fewer than %d organisations with results: no comparison is shown, so "
	               "none can be identified",
	               ASSESS_MIN_PEERS);
	return json_pack("{s:s, s:s, s:s, s:I, s:b, s:o, s:o}", "code", anc->code, "name",
	                 anc->name, "kind", anc->kind, "organisations", (json_int_t)n, "suppressed",
	                 !any, "reason", any ? json_null() : json_string(reason), "factors", items);
}

struct bench_ctx {
	const struct actor *actor;
	const char *org;
	int period;
	const char *toolkit;
	json_t *out;
};

static const struct store_sql q_own_round = {
    .name = "assess_own_round",
    .sql = "SELECT id, toolkit_id, toolkit_version, status, opened_by, opened_us, closed_by, "
           "closed_us FROM assess_round WHERE org_id = $1 AND period = $2 AND toolkit_id = $3 "
           "AND status <> 'open'",
};

static int bench_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct bench_ctx *c = arg;
	json_decref(c->out);
	c->out = NULL;
	struct org_node org;
	int rc = org_get(c->actor, db, c->org, &org, err);
	if (rc == CADRE_OK)
		rc = may(c->actor, db, org.id, c->period, NULL, err);
	if (rc != CADRE_OK)
		return rc;
	char tkid[TOOLKIT_ID_MAX];
	if (c->toolkit)
		(void)snprintf(tkid, sizeof tkid, "%s", c->toolkit);
	else if ((rc = toolkit_for_level(c->actor, db, "trust", tkid, err)) != CADRE_OK)
		return rc;
	struct toolkit tk;
	if ((rc = toolkit_get(c->actor, db, tkid, 0, &tk, err)) != CADRE_OK)
		return rc;
	int month = 0;
	if ((rc = org_effective_month(c->actor, db, date_fy_last_month(c->period), &month, err)) !=
	    CADRE_OK) {
		toolkit_free(&tk);
		return rc;
	}
	struct scored *v = NULL;
	size_t n = 0;
	json_t *orgs = json_null(), *self = json_null();
	/* the organisations below it, named */
	if ((rc = members_load(c->actor, db, month, org.id, &tk, c->period, NULL, &v, &n, err)) !=
	    CADRE_OK)
		goto out;
	if (n) {
		json_decref(orgs);
		orgs = organisations_json(v, n, &tk);
	}
	scored_free(v, n);
	v = NULL;
	n = 0;
	/* itself against its peers */
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_own_round, &st, err)) != CADRE_OK)
		goto out;
	store_bind_i64(st, 1, org.id);
	store_bind_i64(st, 2, c->period);
	store_bind_str(st, 3, tk.id);
	rc = store_step(st, err);
	if (rc == CADRE_OK) {
		struct round own;
		memset(&own, 0, sizeof own);
		round_read(st, &own);
		own.org = org;
		own.period = c->period;
		store_reset(st);
		struct scored me;
		memset(&me, 0, sizeof me);
		if ((rc = score_round(c->actor, db, &own, &tk, &me, err)) != CADRE_OK)
			goto out;
		json_t *groups = json_array();
		struct org_node anc[ORG_MAX_DEPTH];
		size_t na = 0;
		if ((rc = store_prepare(db, &q_ancestors, &st, err)) == CADRE_OK) {
			store_bind_i64(st, 1, month);
			store_bind_i64(st, 2, org.id);
			while ((rc = store_step(st, err)) == CADRE_OK) {
				const char *k = store_col_text(st, 3);
				if ((strcmp(k, "icb") != 0 && strcmp(k, "region") != 0) ||
				    na == ORG_MAX_DEPTH)
					continue;
				memset(&anc[na], 0, sizeof anc[na]);
				anc[na].id = store_col_i64(st, 0);
				(void)snprintf(anc[na].code, sizeof anc[na].code, "%s",
				               store_col_text(st, 1));
				(void)snprintf(anc[na].name, sizeof anc[na].name, "%s",
				               store_col_text(st, 2));
				(void)snprintf(anc[na].kind, sizeof anc[na].kind, "%s", k);
				na++;
			}
			if (rc == CADRE_DONE)
				rc = CADRE_OK;
		}
		for (size_t i = 0; i < na && rc == CADRE_OK; i++) {
			if ((rc = members_load(c->actor, db, month, anc[i].id, &tk, c->period,
			                       org.kind, &v, &n, err)) != CADRE_OK)
				break;
			json_array_append_new(groups, peer_json(&anc[i], &me, v, n, &tk));
			scored_free(v, n);
			v = NULL;
			n = 0;
		}
		if (rc != CADRE_OK) {
			json_decref(groups);
			free(me.score);
			free(me.has);
			goto out;
		}
		json_t *fs = json_object();
		for (size_t f = 0; f < tk.nfactors; f++)
			json_object_set_new(fs, tk.factors[f].id,
			                    me.has[f] ? num2(me.score[f]) : json_null());
		self = json_pack("{s:b, s:o, s:o, s:o}", "shown", me.shown, "overall",
		                 opt_num2(me.has_overall, me.overall), "factors", fs, "peer_groups",
		                 groups);
		free(me.score);
		free(me.has);
	} else if (rc == CADRE_DONE) {
		rc = CADRE_OK;
	}
	if (rc != CADRE_OK)
		goto out;
	char fy[DATE_FY_SIZE];
	fy_text(c->period, fy);
	json_t *factors = json_array();
	for (size_t f = 0; f < tk.nfactors; f++)
		json_array_append_new(factors, json_pack("{s:s, s:s}", "id", tk.factors[f].id,
		                                         "title", tk.factors[f].title));
	c->out = json_pack("{s:{s:s, s:s, s:s}, s:s, s:{s:s, s:s}, s:o, s:i, s:o, s:o}", "org",
	                   "code", org.code, "name", org.name, "kind", org.kind, "period", fy,
	                   "toolkit", "id", tk.id, "title", tk.title, "factors", factors,
	                   "min_peers", ASSESS_MIN_PEERS, "organisations", orgs, "self", self);
	orgs = self = NULL;
	if (!c->out)
		rc = cadre_err_set(err, CADRE_EINTERNAL, "benchmark JSON failed");
out:
	scored_free(v, n);
	json_decref(orgs);
	json_decref(self);
	toolkit_free(&tk);
	return rc;
}

int assess_benchmark_json(const struct actor *actor, struct store *db, const char *org, int period,
                          const char *toolkit, json_t **out, struct cadre_err *err)
{
	*out = NULL;
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!org || period < 1 || period > 9998)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "a benchmark needs an organisation and a "
		                     "period");
	struct bench_ctx c = {.actor = actor, .org = org, .period = period, .toolkit = toolkit};
	rc = store_tx_run(db, STORE_TX_READ, bench_tx, &c, err);
	if (rc == CADRE_OK)
		*out = c.out;
	else
		json_decref(c.out);
	return rc;
}

/* ---- the board summary and the CSV export ----------------------------------------------- */

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static bool jnum(const json_t *o, const char *k, double *v)
{
	const json_t *x = json_object_get(o, k);
	if (!json_is_number(x))
		return false;
	*v = json_number_value(x);
	return true;
}

/* md_cell: text fit for a Markdown table cell: '|' escaped, line breaks as
 * spaces */
static int md_cell(struct buf *b, const char *s, struct cadre_err *err)
{
	for (; *s; s++) {
		int rc;
		if (*s == '|')
			rc = buf_puts(b, "\\|", err);
		else if (*s == '\n' || *s == '\r')
			rc = buf_putc(b, ' ', err);
		else
			rc = buf_putc(b, *s, err);
		if (rc != CADRE_OK)
			return rc;
	}
	return CADRE_OK;
}

static const char *level_label(const json_t *results, double score)
{
	const json_t *scale = json_object_get(results, "scale");
	long k = lround(score);
	size_t i;
	const json_t *p;
	json_array_foreach(scale, i, p)
	{
		if (json_integer_value(json_object_get(p, "value")) == k)
			return jstr(p, "label");
	}
	return "";
}

static const char *group_label(const json_t *results, const char *id)
{
	size_t i;
	const json_t *g;
	json_array_foreach(json_object_get(results, "groups"), i, g)
	{
		if (strcmp(jstr(g, "id"), id) == 0)
			return jstr(g, "label");
	}
	return id;
}

static const char *shown_phrase(const char *w)
{
	if (strcmp(w, "shown") == 0)
		return "yes";
	if (strcmp(w, "empty") == 0)
		return "no: nobody has submitted";
	if (strcmp(w, "primary") == 0)
		return "no: fewer than 3 respondents";
	if (strcmp(w, "secondary") == 0)
		return "no: hidden so a smaller group cannot be worked out";
	return "no: fewer than 3 respondents in the whole round";
}

/* london: an RFC 3339 UTC time from a report as people read it, "29 Mar
 * 2026 02:30 BST" (the text itself when it does not parse) */
static void london(const char *utc, char out[DATE_LONDON_SIZE])
{
	int64_t ts = 0;
	struct cadre_err e;
	if (date_ts_parse(utc, strlen(utc), &ts, &e) == CADRE_OK)
		date_london_format(ts, out);
	else
		(void)snprintf(out, DATE_LONDON_SIZE, "%s", utc);
}

int assess_summary_markdown(const json_t *report, struct buf *b, struct cadre_err *err)
{
	const json_t *res = json_object_get(report, "results");
	const json_t *round = json_object_get(report, "round");
	const json_t *so = json_object_get(report, "signoff");
	if (!json_is_object(res) || !json_is_object(round))
		return cadre_err_set(err, CADRE_EINVAL, "not an assessment report");
	const json_t *org = json_object_get(res, "org");
	const json_t *tk = json_object_get(res, "toolkit");
	size_t nscale = json_array_size(json_object_get(res, "scale"));
	int rc = buf_printf(b, err, "# %s\n\n**%s (%s), %s**\n\n", jstr(tk, "title"),
	                    jstr(org, "name"), jstr(org, "code"), jstr(res, "period"));
	if (rc != CADRE_OK)
		return rc;
	const char *status = jstr(round, "status");
	char when[DATE_LONDON_SIZE];
	if (json_is_object(so)) {
		london(jstr(so, "signed_at"), when);
		rc = buf_printf(b, err,
		                "Signed off for the board by %s on %s. Results SHA-256 `%s`.\n\n",
		                jstr(so, "signed_by"), when, jstr(so, "results_sha256"));
	} else if (strcmp(status, "closed") == 0) {
		london(jstr(round, "closed_at"), when);
		rc = buf_printf(b, err, "Closed by %s on %s; not yet signed off by the board.\n\n",
		                jstr(round, "closed_by"), when);
	} else {
		rc =
		    buf_printf(b, err, "Open: results are provisional until the round closes.\n\n");
	}
	if (rc != CADRE_OK)
		return rc;
	/* participation */
	const json_t *part = json_object_get(res, "participation");
	long long inv = json_integer_value(json_object_get(part, "invited"));
	long long sub = json_integer_value(json_object_get(part, "submitted"));
	rc = buf_printf(
	    b, err,
	    "## Participation\n\n%lld of %lld invited respondents submitted (%.0f%%).\n\n"
	    "| Group | Invited | Submitted | Shown separately |\n|---|---:|---:|---|\n",
	    sub, inv, inv ? 100.0 * (double)sub / (double)inv : 0.0);
	if (rc != CADRE_OK)
		return rc;
	size_t i;
	const json_t *g;
	json_array_foreach(json_object_get(part, "groups"), i, g)
	{
		const json_t *rg = json_array_get(json_object_get(res, "groups"), i);
		if ((rc = buf_puts(b, "| ", err)) != CADRE_OK ||
		    (rc = md_cell(b, jstr(g, "label"), err)) != CADRE_OK ||
		    (rc = buf_printf(b, err, " | %lld | %lld | %s |\n",
		                     (long long)json_integer_value(json_object_get(g, "invited")),
		                     (long long)json_integer_value(json_object_get(g, "submitted")),
		                     shown_phrase(jstr(rg, "shown")))) != CADRE_OK)
			return rc;
	}
	if (!json_is_true(json_object_get(res, "shown")))
		return buf_printf(
		    b, err, "\nFewer than %d respondents have submitted: no scores are shown.\n",
		    ASSESS_MIN_TOTAL);
	/* factors */
	double ov = 0;
	const json_t *mv = json_object_get(res, "movement");
	if ((rc = buf_puts(b, "\n## Factors\n\n", err)) != CADRE_OK)
		return rc;
	if (jnum(res, "overall", &ov)) {
		rc = buf_printf(b, err, "Overall **%.2f** of %zu (%s)", ov, nscale,
		                level_label(res, ov));
		double ch;
		if (rc == CADRE_OK && json_is_object(mv) && jnum(mv, "overall_change", &ch))
			rc = buf_printf(b, err, "; %+.2f since %s", ch, jstr(mv, "from_period"));
		if (rc == CADRE_OK)
			rc = buf_puts(b, ".\n\n", err);
		if (rc != CADRE_OK)
			return rc;
	}
	if ((rc = buf_puts(b,
	                   "| Factor | Score | Level | Spread between groups | Movement |\n"
	                   "|---|---:|---|---|---:|\n",
	                   err)) != CADRE_OK)
		return rc;
	const json_t *f;
	json_array_foreach(json_object_get(res, "factors"), i, f)
	{
		double sc = 0, sp = 0, ch = 0;
		bool has = jnum(f, "score", &sc);
		if ((rc = buf_puts(b, "| ", err)) != CADRE_OK ||
		    (rc = md_cell(b, jstr(f, "title"), err)) != CADRE_OK)
			return rc;
		if (has)
			rc = buf_printf(b, err, " | %.2f | %s | ", sc, level_label(res, sc));
		else
			rc = buf_puts(b, " | n/a | | ", err);
		if (rc == CADRE_OK && jnum(f, "spread", &sp))
			rc = buf_printf(
			    b, err, "%.2f (%s highest, %s lowest)%s", sp,
			    group_label(res, jstr(f, "highest_group")),
			    group_label(res, jstr(f, "lowest_group")),
			    json_is_true(json_object_get(f, "spread_flagged")) ? " **wide**" : "");
		if (rc == CADRE_OK)
			rc = buf_puts(b, " | ", err);
		const json_t *fm = json_object_get(f, "movement");
		if (rc == CADRE_OK && json_is_object(fm) && jnum(fm, "change", &ch))
			rc = buf_printf(b, err, "%+.2f", ch);
		if (rc == CADRE_OK)
			rc = buf_puts(b, " |\n", err);
		if (rc != CADRE_OK)
			return rc;
	}
	/* improvement areas */
	if ((rc = buf_puts(b, "\n## Improvement areas\n\n", err)) != CADRE_OK)
		return rc;
	const json_t *a;
	json_array_foreach(json_object_get(res, "improvement_areas"), i, a)
	{
		rc = buf_printf(b, err, "%lld. **%s** (%s): ",
		                (long long)json_integer_value(json_object_get(a, "rank")),
		                jstr(a, "statement"), jstr(a, "factor"));
		if (rc == CADRE_OK)
			rc = md_cell(b, jstr(a, "text"), err);
		size_t k;
		const json_t *why;
		json_array_foreach(json_object_get(a, "reasons"), k, why)
		{
			if (rc == CADRE_OK)
				rc = buf_puts(b, k ? "; " : " — ", err);
			if (rc == CADRE_OK)
				rc = md_cell(b, json_string_value(why), err);
		}
		if (rc == CADRE_OK)
			rc = buf_puts(b, "\n", err);
		if (rc != CADRE_OK)
			return rc;
	}
	/* evidence from data */
	bool header = false;
	json_array_foreach(json_object_get(res, "factors"), i, f)
	{
		size_t k;
		const json_t *s;
		json_array_foreach(json_object_get(f, "statements"), k, s)
		{
			size_t e;
			const json_t *ev;
			json_array_foreach(json_object_get(s, "evidence"), e, ev)
			{
				if (!json_is_true(json_object_get(ev, "available")))
					continue;
				if (!header) {
					if ((rc = buf_puts(
					         b, "\n## Evidence from the data Cadre holds\n\n",
					         err)) != CADRE_OK)
						return rc;
					header = true;
				}
				rc = buf_printf(b, err, "- %s (%s): ", jstr(s, "id"),
				                jstr(ev, "title"));
				if (rc == CADRE_OK)
					rc = md_cell(b, jstr(ev, "text"), err);
				if (rc == CADRE_OK)
					rc = buf_puts(b,
					              json_is_true(json_object_get(ev, "concern"))
					                  ? " **(concern)**\n"
					                  : "\n",
					              err);
				if (rc != CADRE_OK)
					return rc;
			}
		}
	}
	/* action plan */
	const json_t *acts = json_object_get(report, "actions");
	if (json_array_size(acts)) {
		if ((rc = buf_puts(
		         b,
		         "\n## Action plan\n\n| # | Factor | Action | Owner | Due | Status "
		         "|\n|---:|---|---|---|---|---|\n",
		         err)) != CADRE_OK)
			return rc;
		json_array_foreach(acts, i, a)
		{
			rc = buf_printf(b, err, "| %lld | %s | ",
			                (long long)json_integer_value(json_object_get(a, "id")),
			                jstr(a, "factor"));
			if (rc == CADRE_OK)
				rc = md_cell(b, jstr(a, "action"), err);
			if (rc == CADRE_OK)
				rc = buf_puts(b, " | ", err);
			if (rc == CADRE_OK)
				rc = md_cell(b, jstr(a, "owner"), err);
			if (rc == CADRE_OK)
				rc = buf_printf(b, err, " | %s | %s |\n", jstr(a, "due"),
				                jstr(a, "status"));
			if (rc != CADRE_OK)
				return rc;
		}
	}
	return CADRE_OK;
}

/* csv_num: a number cell, or an empty one for null */
static int csv_num(struct csv_writer *w, const json_t *o, const char *k, struct cadre_err *err)
{
	double v;
	if (jnum(o, k, &v))
		return csv_writer_double(w, v, 2, err);
	return csv_writer_text(w, "", 0, err);
}

static int csv_str(struct csv_writer *w, const char *s, struct cadre_err *err)
{
	return csv_writer_text(w, s, strlen(s), err);
}

/* csv_row: org, period, toolkit, version, level, factor, statement, group,
 * then the caller's text, score, respondents, shown, note */
static int csv_head(struct csv_writer *w, const json_t *res, const char *level, const char *factor,
                    const char *statement, const char *group, struct cadre_err *err)
{
	const json_t *tk = json_object_get(res, "toolkit");
	int rc = csv_str(w, jstr(json_object_get(res, "org"), "code"), err);
	if (rc == CADRE_OK)
		rc = csv_str(w, jstr(res, "period"), err);
	if (rc == CADRE_OK)
		rc = csv_str(w, jstr(tk, "id"), err);
	if (rc == CADRE_OK)
		rc = csv_writer_int(w, json_integer_value(json_object_get(tk, "version")), err);
	if (rc == CADRE_OK)
		rc = csv_str(w, level, err);
	if (rc == CADRE_OK)
		rc = csv_str(w, factor, err);
	if (rc == CADRE_OK)
		rc = csv_str(w, statement, err);
	if (rc == CADRE_OK)
		rc = csv_str(w, group, err);
	return rc;
}

static int csv_tail(struct csv_writer *w, const char *text, const json_t *o, const char *k,
                    long long n, bool shown, const char *note, struct cadre_err *err)
{
	int rc = csv_str(w, text, err);
	if (rc == CADRE_OK)
		rc = csv_num(w, o, k, err);
	if (rc == CADRE_OK)
		rc = csv_writer_int(w, n, err);
	if (rc == CADRE_OK)
		rc = csv_writer_int(w, shown ? 1 : 0, err);
	if (rc == CADRE_OK)
		rc = csv_str(w, note, err);
	if (rc == CADRE_OK)
		rc = csv_writer_end_row(w, err);
	return rc;
}

int assess_export_csv(const json_t *report, struct buf *out, struct cadre_err *err)
{
	static const char *const cols[] = {
	    "org_code",     "period",   "toolkit_id", "toolkit_version", "level",       "factor_id",
	    "statement_id", "group_id", "text",       "score",           "respondents", "shown",
	    "note"};
	const json_t *res = json_object_get(report, "results");
	if (!json_is_object(res))
		return cadre_err_set(err, CADRE_EINVAL, "not an assessment report");
	struct csv_writer *w = NULL;
	int rc = csv_writer_open_buf(&w, out, err);
	if (rc != CADRE_OK)
		return rc;
	for (size_t i = 0; i < sizeof cols / sizeof cols[0] && rc == CADRE_OK; i++)
		rc = csv_str(w, cols[i], err);
	if (rc == CADRE_OK)
		rc = csv_writer_end_row(w, err);
	bool shown = json_is_true(json_object_get(res, "shown"));
	long long submitted =
	    json_integer_value(json_object_get(json_object_get(res, "participation"), "submitted"));
	if (rc == CADRE_OK)
		rc = csv_head(w, res, "overall", "", "", "", err);
	if (rc == CADRE_OK)
		rc = csv_tail(w, "", res, "overall", submitted, shown, shown ? "" : "round", err);
	size_t i;
	const json_t *g;
	json_array_foreach(json_object_get(res, "groups"), i, g)
	{
		if (rc != CADRE_OK)
			break;
		bool gs = strcmp(jstr(g, "shown"), "shown") == 0;
		rc = csv_head(w, res, "group", "", "", jstr(g, "id"), err);
		if (rc == CADRE_OK)
			rc = csv_tail(w, jstr(g, "label"), g, "overall",
			              json_integer_value(json_object_get(g, "respondents")), gs,
			              gs ? "" : jstr(g, "shown"), err);
	}
	const json_t *f;
	json_array_foreach(json_object_get(res, "factors"), i, f)
	{
		if (rc != CADRE_OK)
			break;
		char note[160] = "";
		double sp;
		if (jnum(f, "spread", &sp))
			(void)snprintf(
			    note, sizeof note, "spread %.2f%s", sp,
			    json_is_true(json_object_get(f, "spread_flagged")) ? " (wide)" : "");
		rc = csv_head(w, res, "factor", jstr(f, "id"), "", "", err);
		if (rc == CADRE_OK)
			rc = csv_tail(w, jstr(f, "title"), f, "score",
			              json_integer_value(json_object_get(f, "statements_scored")),
			              json_is_number(json_object_get(f, "score")), note, err);
		size_t k;
		const json_t *fg;
		json_array_foreach(json_object_get(f, "groups"), k, fg)
		{
			if (rc != CADRE_OK)
				break;
			bool gs = json_is_number(json_object_get(fg, "score"));
			const json_t *rg = json_array_get(json_object_get(res, "groups"), k);
			rc = csv_head(w, res, "factor_group", jstr(f, "id"), "", jstr(fg, "id"),
			              err);
			if (rc == CADRE_OK)
				rc =
				    csv_tail(w, "", fg, "score",
				             json_integer_value(json_object_get(rg, "respondents")),
				             gs, gs ? "" : jstr(fg, "shown"), err);
		}
		const json_t *s;
		json_array_foreach(json_object_get(f, "statements"), k, s)
		{
			if (rc != CADRE_OK)
				break;
			char sn[160] = "";
			if (json_is_integer(json_object_get(s, "rank")))
				(void)snprintf(
				    sn, sizeof sn, "rank %lld, priority %.3f",
				    (long long)json_integer_value(json_object_get(s, "rank")),
				    json_number_value(json_object_get(s, "priority")));
			rc = csv_head(w, res, "statement", jstr(f, "id"), jstr(s, "id"), "", err);
			if (rc == CADRE_OK)
				rc = csv_tail(w, jstr(s, "text"), s, "score",
				              json_integer_value(json_object_get(s, "answers")),
				              json_is_true(json_object_get(s, "shown")), sn, err);
		}
	}
	csv_writer_free(w);
	return rc;
}

/* ---- the radar chart ---------------------------------------------------------------- */

int assess_radar_html(const json_t *report, struct buf *out, struct cadre_err *err)
{
	const json_t *res = json_object_get(report, "results");
	const json_t *factors = json_object_get(res, "factors");
	size_t n = json_array_size(factors);
	if (!json_is_object(res) || n == 0)
		return cadre_err_set(err, CADRE_EINVAL, "not an assessment report");
	if (n > CHART_RADAR_MAX_AXES)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "%zu factors: a radar chart draws at most %d", n,
		                     CHART_RADAR_MAX_AXES);
	const char *axes[CHART_RADAR_MAX_AXES];
	double now[CHART_RADAR_MAX_AXES], before[CHART_RADAR_MAX_AXES];
	bool has_before = true;
	for (size_t i = 0; i < n; i++) {
		const json_t *f = json_array_get(factors, i);
		axes[i] = jstr(f, "title");
		if (!jnum(f, "score", &now[i]))
			return cadre_err_set(
			    err, CADRE_EINVAL,
			    "factor '%s' has no score that can be shown: no radar chart",
			    jstr(f, "id"));
		if (!jnum(json_object_get(f, "movement"), "previous", &before[i]))
			has_before = false;
	}
	char prev_name[64] = "";
	const json_t *mv = json_object_get(res, "movement");
	if (has_before)
		(void)snprintf(prev_name, sizeof prev_name, "%s", jstr(mv, "from_period"));
	char now_name[64];
	(void)snprintf(now_name, sizeof now_name, "%s", jstr(res, "period"));
	struct chart_radar_series series[2] = {{now_name, now}, {prev_name, before}};
	size_t nscale = json_array_size(json_object_get(res, "scale"));
	char title[300];
	(void)snprintf(title, sizeof title, "%s: %s, %s",
	               jstr(json_object_get(res, "toolkit"), "title"),
	               jstr(json_object_get(res, "org"), "code"), jstr(res, "period"));
	struct chart_radar_data r = {.id = "assess-radar",
	                             .title = title,
	                             .axes = axes,
	                             .n_axes = n,
	                             .min = 1,
	                             .max = nscale ? (double)nscale : 5,
	                             .series = series,
	                             .n_series = has_before ? 2 : 1};
	int rc = chart_radar_svg(out, &r, err);
	if (rc == CADRE_OK)
		rc = buf_putc(out, '\n', err);
	if (rc == CADRE_OK)
		rc = chart_radar_table_html(out, &r, err);
	return rc;
}

/* ---- demo ---------------------------------------------------------------------------- */

static const char *const demo_notes[] = {
    "Board minutes show the workforce plan discussed twice this year.",
    "Covered in the people committee's annual cycle of business.",
    "Our planners use ESR and the finance ledger, but reconcile them by hand.",
    "Service leads were asked for demand assumptions; not all replied.",
    "Scenario modelling done for nursing only so far.",
    "Partners in the ICS share a supply model for hard-to-fill roles.",
    "Training needs analysis is annual and linked to appraisal.",
    "No evidence yet: planned for next year.",
};

/* demo group: id, label, respondent id prefix, size range, bias */
struct demo_group {
	const char *id;
	const char *prefix;
	int lo, hi;
	double bias;
};

static const struct demo_group demo_groups[] = {
    {"board", "board", 5, 9, 0.6},
    {"senior_leaders", "sl", 6, 14, 0.3},
    {"line_managers", "lm", 10, 24, -0.3},
    {"workforce_planners", "wp", 2, 5, 0.0},
};

static int demo_round(const struct actor *actor, struct store *db, const unsigned char *key,
                      const struct org_node *org, const char *toolkit, int period, bool latest,
                      uint64_t seed, const struct clock *clk, struct cadre_err *err)
{
	struct assess_ref ref = {.org = org->code, .period = period, .toolkit = toolkit};
	struct assess_open_req req = {.ref = ref, .opened_by = "Chief People Officer (demo)"};
	int rc = assess_open(actor, db, key, &req, clk, NULL, err);
	if (rc == CADRE_ECONFLICT)
		return CADRE_OK; /* already there: left alone */
	if (rc != CADRE_OK)
		return rc;
	struct toolkit tk;
	if ((rc = toolkit_get(actor, db, toolkit, 0, &tk, err)) != CADRE_OK)
		return rc;
	/* the organisation's maturity per factor, and how it moves year on year */
	struct rng base, trend, r;
	rng_substream(&base, seed, "assess.base", (uint64_t)org->id);
	rng_substream(&trend, seed, "assess.trend", (uint64_t)org->id);
	rng_substream(&r, seed, toolkit, (uint64_t)org->id * 10000u + (uint64_t)period);
	double *level = xcalloc(tk.nfactors, sizeof *level);
	for (size_t f = 0; f < tk.nfactors; f++) {
		double b = 1.8 + 1.8 * rng_double(&base);
		double t = -0.2 + 0.8 * rng_double(&trend);
		level[f] = b + t * (double)(period - 2024);
	}
	double *stmt_fx = xcalloc(tk.nstatements, sizeof *stmt_fx);
	for (size_t s = 0; s < tk.nstatements; s++)
		stmt_fx[s] = rng_normal(&base, 0.0, 0.35);
	struct buf csv;
	buf_init(&csv, ASSESS_IMPORT_MAX);
	rc = buf_printf(&csv, err, "%s\n", ASSESS_IMPORT_HDR);
	char drafts[8][ASSESS_ID_MAX];
	size_t ndrafts = 0;
	for (size_t g = 0; g < sizeof demo_groups / sizeof demo_groups[0] && rc == CADRE_OK; g++) {
		const struct demo_group *dg = &demo_groups[g];
		int n = (int)rng_range(&r, dg->lo, dg->hi);
		for (int i = 1; i <= n && rc == CADRE_OK; i++) {
			char id[ASSESS_ID_MAX];
			(void)snprintf(id, sizeof id, "%s-%02d", dg->prefix, i);
			if (rng_double(&r) < 0.1) { /* invited, still a draft */
				if (ndrafts < 8) {
					(void)snprintf(drafts[ndrafts], ASSESS_ID_MAX, "%s", id);
					const char *ids[1] = {id};
					rc = assess_invite(actor, db, key, &ref, dg->id, ids, 1,
					                   clk, err);
					if (rc == CADRE_OK)
						rc = assess_answer(actor, db, key, &ref, id,
						                   tk.statements[0].id, 3, NULL,
						                   clk, err);
					ndrafts++;
				}
				continue;
			}
			double person = rng_normal(&r, 0.0, 0.4);
			for (size_t s = 0; s < tk.nstatements && rc == CADRE_OK; s++) {
				double x = level[tk.statements[s].factor] + stmt_fx[s] + dg->bias +
				           person + rng_normal(&r, 0.0, 0.5);
				long score = lround(x);
				score = score < 1
				            ? 1
				            : (score > (long)tk.nscale ? (long)tk.nscale : score);
				bool skip = rng_double(&r) < 0.04;
				const char *note =
				    rng_double(&r) < 0.06
				        ? demo_notes[rng_below(&r, sizeof demo_notes /
				                                       sizeof demo_notes[0])]
				        : "";
				if (skip)
					rc = buf_printf(&csv, err, "%s,%s,%s,,\"%s\"\n", id, dg->id,
					                tk.statements[s].id, note);
				else
					rc = buf_printf(&csv, err, "%s,%s,%s,%ld,\"%s\"\n", id,
					                dg->id, tk.statements[s].id, score, note);
			}
		}
	}
	free(stmt_fx);
	if (rc == CADRE_OK) {
		struct import_file file = {.data = (char *)buf_cstr(&csv), .len = csv.len};
		audit_sha256_hex(file.data, file.len, file.sha256);
		struct assess_import_result *res = xcalloc(1, sizeof *res);
		char name[64];
		(void)snprintf(name, sizeof name, "demo-%s-%d.csv", org->code, period);
		rc = import_bytes(actor, db, key, &ref, name, &file, clk, res, err);
		free(res);
	}
	buf_free(&csv);
	if (rc == CADRE_OK)
		rc = assess_close(actor, db, key, &ref, "Chief People Officer (demo)", clk, err);
	if (rc == CADRE_OK)
		rc = assess_sign_off(actor, db, key, &ref, "Chair of the Board (demo)", clk, NULL,
		                     err);
	/* the latest round gets an action plan on its two weakest factors, and
	 * shares one statement it does well */
	if (rc == CADRE_OK && latest) {
		size_t lo1 = 0, lo2 = tk.nfactors > 1 ? 1 : 0;
		for (size_t f = 0; f < tk.nfactors; f++) {
			if (level[f] < level[lo1]) {
				lo2 = lo1;
				lo1 = f;
			} else if (f != lo1 && (lo2 == lo1 || level[f] < level[lo2])) {
				lo2 = f;
			}
		}
		char due[DATE_STR_SIZE];
		date_format_iso(date_fy_last_day(period + 1), due);
		char text[300];
		(void)snprintf(text, sizeof text,
		               "Agree an improvement plan for %s with the "
		               "people committee",
		               tk.factors[lo1].title);
		int64_t aid = 0;
		rc = assess_action_add(actor, db, key, &ref, tk.factors[lo1].id, text,
		                       "Deputy Director of Workforce (demo)", due, clk, &aid, err);
		if (rc == CADRE_OK)
			rc = assess_action_update(actor, db, key, aid, "in_progress",
			                          "Scoping workshop held with service leads.", clk,
			                          err);
		(void)snprintf(text, sizeof text,
		               "Close the gap between board and line-manager "
		               "views on %s",
		               tk.factors[lo2].title);
		if (rc == CADRE_OK && lo2 != lo1)
			rc = assess_action_add(actor, db, key, &ref, tk.factors[lo2].id, text,
			                       "Head of Workforce Planning (demo)", due, clk, NULL,
			                       err);
		for (size_t s = 0; rc == CADRE_OK && s < tk.nstatements; s++) {
			struct cadre_err e2;
			int sr = assess_share(
			    actor, db, key, &ref, tk.statements[s].id,
			    "We review this quarterly at the people committee, with the "
			    "data pack and the risks it shows (demo text).",
			    org->id % 2 == 0, "Chief People Officer (demo)", clk, &e2);
			if (sr == CADRE_OK)
				break;
			if (sr != CADRE_EINVAL) {
				*err = e2;
				rc = sr;
			}
		}
	}
	free(level);
	toolkit_free(&tk);
	return rc;
}

int assess_demo_seed(const struct actor *actor, struct store *db, const unsigned char *key,
                     const char *const *orgs, size_t norgs, const int *periods, size_t nperiods,
                     uint64_t seed, const struct clock *clk, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = need_key(key, err);
	if (rc != CADRE_OK)
		return rc;
	if (!nperiods)
		return cadre_err_set(err, CADRE_EINVAL, "the demo needs at least one period");
	/* the shipped toolkits, loaded when they are not */
	static const char tk_trust[] = "wfp-five-factor", tk_icb[] = "edu-commissioning";
	struct toolkit tk;
	rc = toolkit_get(actor, db, tk_trust, 0, &tk, err);
	if (rc == CADRE_OK)
		toolkit_free(&tk);
	if (rc == CADRE_ENOTFOUND) {
		char dir[1024];
		if ((rc = toolkit_find_dir(dir, sizeof dir, err)) == CADRE_OK)
			rc = toolkit_load_dir(actor, db, key, dir, clk, NULL, NULL, err);
	}
	if (rc != CADRE_OK)
		return rc;
	int *ps = xcalloc(nperiods, sizeof *ps);
	memcpy(ps, periods, nperiods * sizeof *ps);
	for (size_t i = 1; i < nperiods; i++)
		for (size_t j = i; j > 0 && ps[j] < ps[j - 1]; j--) {
			int t = ps[j];
			ps[j] = ps[j - 1];
			ps[j - 1] = t;
		}
	for (size_t i = 0; i < norgs && rc == CADRE_OK; i++) {
		struct org_node org;
		if ((rc = org_get(actor, db, orgs[i], &org, err)) != CADRE_OK)
			break;
		if (strcmp(org.kind, "trust") == 0) {
			for (size_t p = 0; p < nperiods && rc == CADRE_OK; p++)
				rc = demo_round(actor, db, key, &org, tk_trust, ps[p],
				                p + 1 == nperiods, seed, clk, err);
		} else if (strcmp(org.kind, "icb") == 0 || strcmp(org.kind, "region") == 0) {
			rc = demo_round(actor, db, key, &org, tk_icb, ps[nperiods - 1], true, seed,
			                clk, err);
		} else {
			rc = cadre_err_set(err, CADRE_EINVAL,
			                   "%s is a %s: the demo seeds trusts, ICBs and regions",
			                   org.code, org.kind);
		}
	}
	free(ps);
	return rc;
}

/* ---- rounds by id, lists and questionnaires (the web pages) ------------------------ */

static const struct store_sql q_round_org = {
    .name = "assess_round_org",
    .sql = "SELECT org_id FROM assess_round WHERE id = $1",
};

int assess_round_org(struct store *db, int64_t id, int64_t *org_id, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_round_org, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no round %" PRId64, id);
	if (rc != CADRE_OK)
		return rc;
	*org_id = store_col_i64(st, 0);
	store_reset(st);
	return CADRE_OK;
}

struct assess_ref assess_round_ref(const struct assess_round_info *r)
{
	struct assess_ref ref = {.org = r->org, .period = r->period, .toolkit = r->toolkit};
	return ref;
}

struct get_ctx {
	const struct actor *actor;
	int64_t id;
	struct assess_round_info *out;
};

static int round_get_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct get_ctx *c = arg;
	struct assess_round_info *o = c->out;
	memset(o, 0, sizeof *o);
	struct store_stmt *st;
	int rc = store_prepare(db, &q_round_by_id, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, c->id);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no round %" PRId64, c->id);
	if (rc != CADRE_OK)
		return rc;
	struct round r;
	memset(&r, 0, sizeof r);
	round_read(st, &r);
	(void)snprintf(o->org, sizeof o->org, "%s", store_col_text(st, 8));
	o->period = (int)store_col_i64(st, 9);
	store_reset(st);
	if ((rc = org_get(c->actor, db, o->org, &r.org, err)) != CADRE_OK)
		return rc;
	if ((rc = may(c->actor, db, r.org.id, o->period, NULL, err)) != CADRE_OK)
		return rc == CADRE_EPERM
		           ? cadre_err_set(err, CADRE_ENOTFOUND, "no round %" PRId64, c->id)
		           : rc;
	o->id = r.id;
	o->org_id = r.org.id;
	(void)snprintf(o->org_name, sizeof o->org_name, "%s", r.org.name);
	(void)snprintf(o->toolkit, sizeof o->toolkit, "%s", r.toolkit);
	o->version = r.version;
	(void)snprintf(o->status, sizeof o->status, "%s", r.status);
	return CADRE_OK;
}

int assess_round_get(const struct actor *actor, struct store *db, int64_t id,
                     struct assess_round_info *out, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct get_ctx c = {.actor = actor, .id = id, .out = out};
	return store_tx_run(db, STORE_TX_READ, round_get_tx, &c, err);
}

static const struct store_sql q_rounds_all = {
    .name = "assess_rounds_all",
    .sql = "SELECT r.id, r.org_id, o.code, o.name, o.kind, r.period, r.toolkit_id, "
           "r.toolkit_version, r.status, v.title, "
           "(SELECT COUNT(*) FROM assess_respondent p WHERE p.round_id = r.id), "
           "(SELECT COUNT(*) FROM assess_respondent p WHERE p.round_id = r.id AND "
           "p.submitted_us IS NOT NULL), "
           "(SELECT COUNT(*) FROM assess_respondent p WHERE p.round_id = r.id AND "
           "p.submitted_us IS NULL AND EXISTS (SELECT 1 FROM assess_answer a WHERE "
           "a.round_id = p.round_id AND a.respondent_id = p.respondent_id)) "
           "FROM assess_round r JOIN org o ON o.id = r.org_id JOIN toolkit_version v ON "
           "v.toolkit_id = r.toolkit_id AND v.version = r.toolkit_version "
           "ORDER BY r.period DESC, o.code, r.toolkit_id",
};

/* readable: may the actor read organisation org in period (any grant)? */
static int readable(const struct actor *actor, struct store *db, int64_t org, int period, bool *yes,
                    struct cadre_err *err)
{
	struct cadre_err e2;
	int rc = may(actor, db, org, period, NULL, &e2);
	*yes = rc == CADRE_OK;
	if (rc == CADRE_OK || rc == CADRE_ENOTFOUND || rc == CADRE_EPERM)
		return CADRE_OK;
	*err = e2;
	return rc;
}

static int rounds_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct read_ctx *c = arg;
	json_decref(c->out);
	c->out = json_array();
	struct store_stmt *st;
	int rc = store_prepare(db, &q_rounds_all, &st, err);
	if (rc != CADRE_OK)
		return rc;
	/* read every row first: the scope checks use the connection too */
	struct row {
		int64_t id, org;
		int period;
		json_t *o;
	} *rows = NULL;
	size_t n = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		rows = xreallocarray(rows, n + 1, sizeof *rows);
		char fy[DATE_FY_SIZE];
		int period = (int)store_col_i64(st, 5);
		fy_text(period, fy);
		rows[n].id = store_col_i64(st, 0);
		rows[n].org = store_col_i64(st, 1);
		rows[n].period = period;
		rows[n].o =
		    json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:I, s:I}", "id",
		              (json_int_t)rows[n].id, "org", store_col_text(st, 2), "org_name",
		              store_col_text(st, 3), "org_kind", store_col_text(st, 4), "period",
		              fy, "toolkit", store_col_text(st, 6), "toolkit_version",
		              (json_int_t)store_col_i64(st, 7), "status", store_col_text(st, 8),
		              "toolkit_title", store_col_text(st, 9), "invited",
		              (json_int_t)store_col_i64(st, 10), "submitted",
		              (json_int_t)store_col_i64(st, 11), "in_progress",
		              (json_int_t)store_col_i64(st, 12));
		n++;
	}
	if (rc == CADRE_DONE)
		rc = CADRE_OK;
	for (size_t i = 0; i < n; i++) {
		bool yes = false;
		if (rc == CADRE_OK)
			rc = readable(c->actor, db, rows[i].org, rows[i].period, &yes, err);
		if (rc == CADRE_OK && yes)
			json_array_append(c->out, rows[i].o);
		json_decref(rows[i].o);
	}
	free(rows);
	return rc;
}

int assess_rounds_json(const struct actor *actor, struct store *db, json_t **out,
                       struct cadre_err *err)
{
	return read_json(actor, db, NULL, rounds_tx, out, err);
}

struct self_ctx {
	const struct actor *actor;
	char *out;
};

static int self_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct self_ctx *c = arg;
	int rc = self_id(c->actor, db, c->out, err);
	if (rc == CADRE_OK && !c->out[0])
		rc = cadre_err_set(err, CADRE_ENOTFOUND, "this account cannot answer assessments");
	return rc;
}

int assess_self_respondent(const struct actor *actor, struct store *db, char out[ASSESS_ID_MAX],
                           struct cadre_err *err)
{
	out[0] = '\0';
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct self_ctx c = {.actor = actor, .out = out};
	return store_tx_run(db, STORE_TX_READ, self_tx, &c, err);
}

static const struct store_sql q_invitations = {
    .name = "assess_invitations",
    .sql = "SELECT r.id, r.org_id, o.code, o.name, r.period, r.toolkit_id, r.status, "
           "p.group_id, g.label, p.submitted_us IS NOT NULL, EXISTS (SELECT 1 FROM "
           "assess_answer a WHERE a.round_id = p.round_id AND a.respondent_id = "
           "p.respondent_id) FROM assess_respondent p JOIN assess_round r ON r.id = "
           "p.round_id JOIN org o ON o.id = r.org_id JOIN assess_group g ON g.round_id = "
           "p.round_id AND g.group_id = p.group_id WHERE p.respondent_id = $1 AND "
           "r.status = 'open' ORDER BY r.period DESC, o.code",
};

static int invitations_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct read_ctx *c = arg;
	json_decref(c->out);
	c->out = json_array();
	char me[ASSESS_ID_MAX];
	int rc = self_id(c->actor, db, me, err);
	if (rc != CADRE_OK || !me[0])
		return rc;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_invitations, &st, err)) != CADRE_OK)
		return rc;
	store_bind_str(st, 1, me);
	struct row {
		int64_t org;
		int period;
		json_t *o;
	} *rows = NULL;
	size_t n = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		rows = xreallocarray(rows, n + 1, sizeof *rows);
		char fy[DATE_FY_SIZE];
		rows[n].org = store_col_i64(st, 1);
		rows[n].period = (int)store_col_i64(st, 4);
		fy_text(rows[n].period, fy);
		bool sub = store_col_bool(st, 9), started = store_col_bool(st, 10);
		rows[n].o =
		    json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
		              (json_int_t)store_col_i64(st, 0), "org", store_col_text(st, 2),
		              "org_name", store_col_text(st, 3), "period", fy, "toolkit",
		              store_col_text(st, 5), "status", store_col_text(st, 6), "group",
		              store_col_text(st, 7), "group_label", store_col_text(st, 8), "state",
		              sub       ? "submitted"
		              : started ? "in_progress"
		                        : "not_started");
		n++;
	}
	if (rc == CADRE_DONE)
		rc = CADRE_OK;
	for (size_t i = 0; i < n; i++) {
		bool yes = false;
		if (rc == CADRE_OK)
			rc = readable(c->actor, db, rows[i].org, rows[i].period, &yes, err);
		if (rc == CADRE_OK && yes)
			json_array_append(c->out, rows[i].o);
		json_decref(rows[i].o);
	}
	free(rows);
	return rc;
}

int assess_invitations_json(const struct actor *actor, struct store *db, json_t **out,
                            struct cadre_err *err)
{
	return read_json(actor, db, NULL, invitations_tx, out, err);
}

struct quest_ctx {
	const struct actor *actor;
	const struct assess_ref *ref;
	const char *respondent;
	bool with_evidence;
	json_t *out;
};

static json_t *ev_item(const struct assess_evidence *e)
{
	const struct assess_evidence_provider *p = assess_evidence_find(e->key);
	return json_pack("{s:s, s:s, s:b, s:o, s:s, s:b, s:s, s:s}", "key", e->key, "title",
	                 p ? p->title : e->key, "available", e->available, "value",
	                 e->has_value ? json_real(e->value) : json_null(), "unit", e->unit,
	                 "concern", e->concern, "text", e->text, "source", e->source);
}

static int quest_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct quest_ctx *c = arg;
	json_decref(c->out);
	c->out = NULL;
	const char *const *roles;
	struct round r;
	int rc = answer_roles(c->actor, db, c->respondent, &roles, err);
	if (rc == CADRE_OK)
		rc = round_find(c->actor, db, c->ref, roles, &r, err);
	if (rc != CADRE_OK)
		return rc;
	bool found = false;
	char group[ASSESS_ID_MAX] = "";
	int64_t sub = 0;
	if ((rc = resp_get(db, r.id, c->respondent, &found, group, &sub, err)) != CADRE_OK)
		return rc;
	if (!found)
		return cadre_err_set(err, CADRE_ENOTFOUND,
		                     "respondent '%s' is not invited to this round", c->respondent);
	struct rdata d;
	if ((rc = rdata_load(c->actor, db, &r, c->with_evidence, &d, err)) != CADRE_OK)
		return rc;
	/* the respondent's own answers */
	int *score = xcalloc(d.tk.nstatements ? d.tk.nstatements : 1, sizeof *score);
	const char **note = xcalloc(d.tk.nstatements ? d.tk.nstatements : 1, sizeof *note);
	const struct rresp *me = bsearch(c->respondent, d.resp, d.nresp, sizeof *d.resp, resp_cmp);
	size_t answered = 0;
	for (size_t s = 0; s < d.tk.nstatements; s++)
		score[s] = -1;
	for (size_t a = 0; me && a < d.nanswers; a++) {
		if (d.answers[a].respondent != (size_t)(me - d.resp))
			continue;
		score[d.answers[a].statement] = d.answers[a].score;
		note[d.answers[a].statement] = d.evidence[a];
		answered++;
	}
	json_t *scale = json_array();
	for (size_t i = 0; i < d.tk.nscale; i++)
		json_array_append_new(scale,
		                      json_pack("{s:i, s:s, s:s}", "value", d.tk.scale[i].value,
		                                "label", d.tk.scale[i].label, "description",
		                                d.tk.scale[i].description));
	json_t *factors = json_array();
	for (size_t f = 0; f < d.tk.nfactors; f++) {
		const struct toolkit_factor *F = &d.tk.factors[f];
		json_t *stmts = json_array();
		for (size_t s = F->first; s < F->first + F->n; s++) {
			const struct toolkit_statement *S = &d.tk.statements[s];
			json_t *levels = json_array();
			for (size_t i = 0; i < d.tk.nscale; i++)
				json_array_append_new(levels,
				                      json_pack("{s:i, s:s, s:s}", "value",
				                                d.tk.scale[i].value, "label",
				                                d.tk.scale[i].label, "descriptor",
				                                S->descriptors[i]));
			json_t *ev = json_array();
			for (size_t k = 0; k < S->nevidence; k++) {
				const struct assess_evidence *e = ev_get(&d, S->evidence[k]);
				if (e)
					json_array_append_new(ev, ev_item(e));
			}
			json_array_append_new(
			    stmts,
			    json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "id", S->id, "text",
			              S->text, "hint", S->evidence_hint, "levels", levels, "score",
			              score[s] >= 0 ? json_integer(score[s]) : json_null(),
			              "evidence_note", note[s] ? json_string(note[s]) : json_null(),
			              "evidence", ev));
		}
		json_array_append_new(factors, json_pack("{s:s, s:s, s:s, s:o}", "id", F->id,
		                                         "title", F->title, "description",
		                                         F->description, "statements", stmts));
	}
	const char *label = group;
	for (size_t g = 0; g < d.ngroups; g++)
		if (strcmp(d.groups[g].id, group) == 0)
			label = d.groups[g].label;
	c->out = json_pack("{s:o, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:I, s:I}", "round",
	                   round_json(&r), "toolkit_title", d.tk.title, "respondent", c->respondent,
	                   "group", group, "group_label", label, "submitted_at",
	                   sub ? ts_json(sub) : json_null(), "state",
	                   sub        ? "submitted"
	                   : answered ? "in_progress"
	                              : "not_started",
	                   "scale", scale, "factors", factors, "answered", (json_int_t)answered,
	                   "statements", (json_int_t)d.tk.nstatements);
	free(score);
	free(note);
	rdata_free(&d);
	return c->out ? CADRE_OK : cadre_err_set(err, CADRE_EINTERNAL, "questionnaire JSON failed");
}

int assess_questionnaire_json(const struct actor *actor, struct store *db,
                              const struct assess_ref *ref, const char *respondent,
                              bool with_evidence, json_t **out, struct cadre_err *err)
{
	*out = NULL;
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK && !resp_id_ok(respondent, ASSESS_ID_MAX))
		rc = cadre_err_set(err, CADRE_ENOTFOUND, "not a respondent");
	if (rc != CADRE_OK)
		return rc;
	struct quest_ctx c = {
	    .actor = actor, .ref = ref, .respondent = respondent, .with_evidence = with_evidence};
	rc = store_tx_run(db, STORE_TX_READ, quest_tx, &c, err);
	if (rc == CADRE_OK)
		*out = c.out;
	else
		json_decref(c.out);
	return rc;
}

/* ---- proposing respondents from Cadre's data (assess_invite.c) ------------------ */

struct propose_ctx {
	const struct actor *actor;
	const struct assess_ref *ref;
	size_t max;
	json_t *out;
};

static int propose_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct propose_ctx *c = arg;
	json_decref(c->out);
	c->out = NULL;
	struct round r;
	int rc = round_find(c->actor, db, c->ref, ROLES_CPO, &r, err);
	if (rc == CADRE_OK)
		rc = need_open(&r, "inviting", err);
	if (rc != CADRE_OK)
		return rc;
	struct rdata d;
	if ((rc = rdata_load(c->actor, db, &r, false, &d, err)) != CADRE_OK)
		return rc;
	struct assess_invite_group *g = xcalloc(d.ngroups ? d.ngroups : 1, sizeof *g);
	const char **invited = xcalloc(d.nresp ? d.nresp : 1, sizeof *invited);
	for (size_t i = 0; i < d.ngroups; i++) {
		g[i].id = d.groups[i].id;
		g[i].label = d.groups[i].label;
	}
	for (size_t i = 0; i < d.nresp; i++)
		invited[i] = d.resp[i].id;
	json_t *groups = NULL;
	char as_of[11] = "";
	rc = assess_invite_candidates(db, r.org.id, g, d.ngroups, invited, d.nresp, c->max, as_of,
	                              &groups, err);
	free(g);
	free(invited);
	rdata_free(&d);
	if (rc != CADRE_OK)
		return rc;
	c->out = json_pack("{s:o, s:o, s:o}", "round", round_json(&r), "as_of",
	                   as_of[0] ? json_string(as_of) : json_null(), "groups", groups);
	return c->out ? CADRE_OK : cadre_err_set(err, CADRE_EINTERNAL, "proposal JSON failed");
}

int assess_invite_propose(const struct actor *actor, struct store *db, const struct assess_ref *ref,
                          size_t max_listed, json_t **out, struct cadre_err *err)
{
	*out = NULL;
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct propose_ctx c = {.actor = actor, .ref = ref, .max = max_listed};
	rc = store_tx_run(db, STORE_TX_READ, propose_tx, &c, err);
	if (rc == CADRE_OK)
		*out = c.out;
	else
		json_decref(c.out);
	return rc;
}
