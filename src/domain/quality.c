/* quality: the people area's data-quality report (see quality.h). */
#include "domain/quality.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "domain/people.h"
#include "domain/people_fields.h"
#include "domain/policy.h"
#include "store/store.h"

/* The terms valid on day D (a placeholder), one row per assignment. */
#define TERMS_AT(D)                                                                                \
	"(SELECT a.staff_id, a.start_date, a.end_date, a.cost_centre_id, a.category, "             \
	"a.occupation_code, a.esr_staff_group, a.staff_group, a.staff_group_basis, "               \
	"a.staff_group_conflict, a.manager_staff_id FROM assignment a WHERE a.valid_from <= " D    \
	" UNION ALL SELECT a.staff_id, a.start_date, a.end_date, h.cost_centre_id, h.category, "   \
	"h.occupation_code, h.esr_staff_group, h.staff_group, h.staff_group_basis, "               \
	"h.staff_group_conflict, h.manager_staff_id FROM assignment_history h "                    \
	"JOIN assignment a ON a.id = h.assignment_id WHERE h.valid_from <= " D                     \
	" AND h.valid_to >= " D ") t"

static const struct store_sql q_rows = {
    .name = "quality_rows",
    .sql =
        "SELECT t.staff_id, t.category, t.occupation_code, t.esr_staff_group, t.staff_group, "
        "t.staff_group_basis, t.staff_group_conflict, t.manager_staff_id, c.id, o.code, "
        "c.code, p.person_key IS NULL, "
        "CASE WHEN s.valid_from <= $3 THEN s.ethnic_category ELSE (SELECT h.ethnic_category "
        "FROM staff_history h WHERE h.staff_id = s.id AND h.valid_from <= $3 "
        "AND h.valid_to >= $3) END, "
        "CASE WHEN s.valid_from <= $3 THEN s.disability ELSE (SELECT h.disability "
        "FROM staff_history h WHERE h.staff_id = s.id AND h.valid_from <= $3 "
        "AND h.valid_to >= $3) END "
        "FROM " TERMS_AT("$3") " JOIN staff s ON s.id = t.staff_id "
                               "JOIN person p ON p.id = s.person_id JOIN org o ON o.id = s.org_id "
                               "JOIN cost_centre c ON c.id = t.cost_centre_id "
                               "JOIN org_ancestor x ON x.node_id = c.node_id AND x.month = $2 "
                               "WHERE x.ancestor_id = $1 AND t.start_date <= $3 "
                               "AND (t.end_date IS NULL OR t.end_date >= $3)",
};

/* every assignment active on the day, anywhere (managers may sit outside
 * the node's subtree) */
static const struct store_sql q_all_active = {
    .name = "quality_all_active",
    .sql = "SELECT t.staff_id, t.category FROM " TERMS_AT(
        "$1") " WHERE t.start_date <= $1 "
              "AND (t.end_date IS NULL OR t.end_date >= $1)",
};

static const struct store_sql q_staff_name = {
    .name = "quality_staff_name",
    .sql = "SELECT o.code, s.staff_ref FROM staff s JOIN org o ON o.id = s.org_id "
           "WHERE s.id = $1",
};

static const struct store_sql q_cc_name = {
    .name = "quality_cc_name",
    .sql = "SELECT o.code, c.code FROM cost_centre c JOIN org o ON o.id = c.org_id "
           "WHERE c.id = $1",
};

static const struct store_sql q_budget_ccs = {
    .name = "quality_budget_cost_centres",
    .sql = "SELECT DISTINCT c.id, o.code, c.code FROM establishment e "
           "JOIN cost_centre c ON c.id = e.cost_centre_id JOIN org o ON o.id = c.org_id "
           "JOIN org_ancestor x ON x.node_id = c.node_id AND x.month = $2 "
           "WHERE x.ancestor_id = $1 AND e.month = $3",
};

double quality_percent(int64_t n, int64_t of)
{
	if (of <= 0)
		return 0.0;
	return round((double)n * 1000.0 / (double)of) / 10.0;
}

/* ---- tallies of strings -------------------------------------------------------- */

struct tally {
	char (*key)[48];
	int64_t *n;
	size_t count, alloc;
};

static void tally_add(struct tally *t, const char *key)
{
	for (size_t i = 0; i < t->count; i++)
		if (strcmp(t->key[i], key) == 0) {
			t->n[i]++;
			return;
		}
	if (t->count == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 16;
		t->key = xreallocarray(t->key, t->alloc, sizeof *t->key);
		t->n = xreallocarray(t->n, t->alloc, sizeof *t->n);
	}
	(void)snprintf(t->key[t->count], sizeof t->key[0], "%s", key);
	t->n[t->count++] = 1;
}

static void tally_to_list(const struct tally *t, struct quality_list *l)
{
	memset(l, 0, sizeof *l);
	l->total = (int64_t)t->count;
	bool *taken = xcalloc(t->count + 1, sizeof *taken);
	for (size_t k = 0; k < QUALITY_LIST_MAX && k < t->count; k++) {
		size_t best = t->count;
		for (size_t i = 0; i < t->count; i++) {
			if (taken[i])
				continue;
			if (best == t->count || t->n[i] > t->n[best] ||
			    (t->n[i] == t->n[best] && strcmp(t->key[i], t->key[best]) < 0))
				best = i;
		}
		taken[best] = true;
		(void)snprintf(l->v[k].what, sizeof l->v[k].what, "%s", t->key[best]);
		l->v[k].n = t->n[best];
		l->n++;
	}
	free(taken);
}

static void tally_free(struct tally *t)
{
	free(t->key);
	free(t->n);
	memset(t, 0, sizeof *t);
}

/* ---- id sets ------------------------------------------------------------------- */

struct ids {
	int64_t *v;
	size_t n, alloc;
};

static void ids_add(struct ids *s, int64_t id)
{
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 256;
		s->v = xreallocarray(s->v, s->alloc, sizeof *s->v);
	}
	s->v[s->n++] = id;
}

static int i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static void ids_sort(struct ids *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof *s->v, i64_cmp);
	size_t u = 0;
	for (size_t i = 0; i < s->n; i++)
		if (!u || s->v[i] != s->v[u - 1])
			s->v[u++] = s->v[i];
	s->n = u;
}

static bool ids_has(const struct ids *s, int64_t id)
{
	return s->n && bsearch(&id, s->v, s->n, sizeof *s->v, i64_cmp) != NULL;
}

static bool in_post(const char *cat)
{
	return strcmp(cat, "permanent") == 0 || strcmp(cat, "fixed_term") == 0 ||
	       strcmp(cat, "locum") == 0;
}

/* a sink for every item of one check, uncapped (quality_rows) */
struct rowset {
	struct quality_row *v;
	size_t n, alloc;
};

static struct quality_row *rowset_add(struct rowset *s)
{
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 64;
		s->v = xreallocarray(s->v, s->alloc, sizeof *s->v);
	}
	struct quality_row *r = &s->v[s->n++];
	memset(r, 0, sizeof *r);
	return r;
}

/* ---- the report ----------------------------------------------------------------------- */

struct qrun {
	struct ids staff_in_post; /* staff records in post in the subtree */
	struct ids ccs_staffed;   /* cost centres with someone in post */
	struct ids managers;      /* managers of in-post assignments */
	struct tally unlisted, closed, conflicts;
	struct pf_ref ref;
	struct rowset *sink; /* NULL, or where every item of sink_check goes */
	enum quality_check sink_check;
};

static void qrun_free(struct qrun *q)
{
	free(q->staff_in_post.v);
	free(q->ccs_staffed.v);
	free(q->managers.v);
	tally_free(&q->unlisted);
	tally_free(&q->closed);
	tally_free(&q->conflicts);
	pf_ref_free(&q->ref);
}

static int read_rows(struct store *db, struct quality_report *out, struct qrun *q, int eff,
                     struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_rows, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, out->org.id);
	store_bind_i64(st, 2, eff);
	store_bind_str(st, 3, out->as_of);
	/* staff attributes are counted once per staff record: remember which */
	struct ids seen = {0};
	struct ids missing_ni = {0}, eth_z = {0}, eth_99 = {0}, dis_nd = {0};
	while ((rc = store_step(st, err)) == CADRE_OK) {
		out->assignments++;
		int64_t staff = store_col_i64(st, 0);
		if (!in_post(store_col_text(st, 1)))
			continue;
		out->assignments_in_post++;
		ids_add(&q->staff_in_post, staff);
		ids_add(&q->ccs_staffed, store_col_i64(st, 8));
		const char *occ = store_col_text(st, 2);
		const struct pf_occ *o = pf_occ_match(&q->ref, occ);
		if (!o) {
			out->occupation_unlisted++;
			tally_add(&q->unlisted, occ);
		} else if (o->closed) {
			out->occupation_closed++;
			tally_add(&q->closed, occ);
		}
		if (strcmp(store_col_text(st, 5), "fallback") == 0)
			out->group_fallback++;
		if (store_col_i64(st, 6)) {
			out->group_conflicts++;
			char pair[48];
			(void)snprintf(pair, sizeof pair, "%s vs ESR %s", store_col_text(st, 4),
			               store_col_text(st, 3));
			tally_add(&q->conflicts, pair);
		}
		if (!store_col_is_null(st, 7))
			ids_add(&q->managers, store_col_i64(st, 7));
		ids_add(&seen, staff);
		if (store_col_i64(st, 11))
			ids_add(&missing_ni, staff);
		const char *eth = store_col_is_null(st, 12) ? "" : store_col_text(st, 12);
		if (strcmp(eth, "Z") == 0)
			ids_add(&eth_z, staff);
		else if (strcmp(eth, "99") == 0)
			ids_add(&eth_99, staff);
		if (!store_col_is_null(st, 13) &&
		    strcmp(store_col_text(st, 13), "not_declared") == 0)
			ids_add(&dis_nd, staff);
	}
	if (rc == CADRE_DONE) {
		rc = CADRE_OK;
		ids_sort(&q->staff_in_post);
		ids_sort(&q->ccs_staffed);
		ids_sort(&q->managers);
		ids_sort(&missing_ni);
		ids_sort(&eth_z);
		ids_sort(&eth_99);
		ids_sort(&dis_nd);
		out->staff_in_post = (int64_t)q->staff_in_post.n;
		out->staff_without_identifier = (int64_t)missing_ni.n;
		out->ethnicity_not_stated = (int64_t)eth_z.n;
		out->ethnicity_not_known = (int64_t)eth_99.n;
		out->disability_not_declared = (int64_t)dis_nd.n;
	}
	free(seen.v);
	free(missing_ni.v);
	free(eth_z.v);
	free(eth_99.v);
	free(dis_nd.v);
	return rc;
}

static void row_set(struct quality_row *r, const char *org, const char *staff_ref,
                    const char *assignment, const char *cc, const char *detail);

static int check_ledger(struct store *db, struct quality_report *out, struct qrun *q, int eff,
                        struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_budget_ccs, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, out->org.id);
	store_bind_i64(st, 2, eff);
	store_bind_i64(st, 3, out->month);
	struct ids budget = {0};
	struct tally no_staff = {0};
	while ((rc = store_step(st, err)) == CADRE_OK) {
		int64_t cc = store_col_i64(st, 0);
		ids_add(&budget, cc);
		if (!ids_has(&q->ccs_staffed, cc)) {
			char what[48];
			(void)snprintf(what, sizeof what, "%s/%s", store_col_text(st, 1),
			               store_col_text(st, 2));
			tally_add(&no_staff, what);
			if (q->sink && q->sink_check == QUALITY_CC_NO_STAFF)
				row_set(rowset_add(q->sink), store_col_text(st, 1), "", "",
				        store_col_text(st, 2), "establishment and nobody in post");
		}
	}
	if (rc != CADRE_DONE) {
		free(budget.v);
		tally_free(&no_staff);
		return rc;
	}
	ids_sort(&budget);
	out->cost_centres_no_staff = (int64_t)no_staff.count;
	tally_to_list(&no_staff, &out->cost_centres_no_staff_list);
	tally_free(&no_staff);
	/* staffed cost centres without a budget line that month */
	struct quality_list *l = &out->cost_centres_no_budget_list;
	for (size_t i = 0; i < q->ccs_staffed.n; i++) {
		int64_t cc = q->ccs_staffed.v[i];
		if (ids_has(&budget, cc))
			continue;
		out->cost_centres_no_budget++;
		bool sink = q->sink && q->sink_check == QUALITY_CC_NO_BUDGET;
		if (l->n >= QUALITY_LIST_MAX && !sink)
			continue;
		if ((rc = store_prepare(db, &q_cc_name, &st, err)) != CADRE_OK)
			break;
		store_bind_i64(st, 1, cc);
		if ((rc = store_step(st, err)) == CADRE_OK) {
			if (sink)
				row_set(rowset_add(q->sink), store_col_text(st, 0), "", "",
				        store_col_text(st, 1), "staff in post and no establishment");
			if (l->n < QUALITY_LIST_MAX) {
				(void)snprintf(l->v[l->n].what, sizeof l->v[0].what, "%s/%s",
				               store_col_text(st, 0), store_col_text(st, 1));
				l->v[l->n++].n = 1;
			}
			store_reset(st);
		} else if (rc != CADRE_DONE) {
			break;
		}
		rc = CADRE_OK;
	}
	l->total = out->cost_centres_no_budget;
	free(budget.v);
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

static int check_managers(struct store *db, struct quality_report *out, struct qrun *q,
                          struct cadre_err *err)
{
	out->managers = (int64_t)q->managers.n;
	if (!q->managers.n)
		return CADRE_OK;
	/* what each manager holds that day: in post, bank, honorary */
	struct ids mgr_in_post = {0}, mgr_bank = {0}, mgr_hon = {0};
	struct store_stmt *st;
	int rc = store_prepare(db, &q_all_active, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, out->as_of);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		int64_t staff = store_col_i64(st, 0);
		if (!ids_has(&q->managers, staff))
			continue;
		const char *cat = store_col_text(st, 1);
		if (in_post(cat))
			ids_add(&mgr_in_post, staff);
		else if (strcmp(cat, "bank") == 0)
			ids_add(&mgr_bank, staff);
		else
			ids_add(&mgr_hon, staff);
	}
	if (rc == CADRE_DONE) {
		rc = CADRE_OK;
		ids_sort(&mgr_in_post);
		ids_sort(&mgr_bank);
		ids_sort(&mgr_hon);
		struct quality_list *l = &out->managers_not_in_post_list;
		for (size_t i = 0; i < q->managers.n && rc == CADRE_OK; i++) {
			int64_t m = q->managers.v[i];
			if (ids_has(&mgr_in_post, m))
				continue;
			out->managers_not_in_post++;
			bool sink = q->sink && q->sink_check == QUALITY_MANAGERS_NOT_IN_POST;
			if (l->n >= QUALITY_LIST_MAX && !sink)
				continue; /* counted, not named */
			const char *why = ids_has(&mgr_bank, m)  ? "bank only"
			                  : ids_has(&mgr_hon, m) ? "honorary only"
			                                         : "no assignment that day";
			if ((rc = store_prepare(db, &q_staff_name, &st, err)) != CADRE_OK)
				break;
			store_bind_i64(st, 1, m);
			if ((rc = store_step(st, err)) == CADRE_OK) {
				if (sink)
					row_set(rowset_add(q->sink), store_col_text(st, 0),
					        store_col_text(st, 1), "", "", why);
				if (l->n < QUALITY_LIST_MAX) {
					(void)snprintf(l->v[l->n].what, sizeof l->v[0].what,
					               "%s/%s (%s)", store_col_text(st, 0),
					               store_col_text(st, 1), why);
					l->v[l->n++].n = 1;
				}
				store_reset(st);
			} else if (rc == CADRE_DONE) {
				rc = CADRE_OK;
			}
		}
		l->total = out->managers_not_in_post;
	}
	free(mgr_in_post.v);
	free(mgr_bank.v);
	free(mgr_hon.v);
	return rc;
}

/* report_run: the report, with every item of one check into sink when it
 * is not NULL. */
static int report_run(const struct actor *actor, struct store *db, const char *code,
                      const char *as_of, struct quality_report *out, struct rowset *sink,
                      enum quality_check sink_check, int *eff_out, struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	int rc = org_get(actor, db, code, &out->org, err);
	if (rc != CADRE_OK)
		return rc;
	char latest[11];
	if (!as_of) {
		if ((rc = people_latest_extract(actor, db, latest, err)) != CADRE_OK)
			return rc;
		if (!latest[0])
			return cadre_err_set(
			    err, CADRE_ENOTFOUND,
			    "no staff extract has been imported (cadre import staff)");
		as_of = latest;
	}
	int32_t day;
	if (!pf_date(as_of, strlen(as_of), &day))
		return cadre_err_set(err, CADRE_EINVAL, "as-of '%s': expected YYYY-MM-DD", as_of);
	pf_date_format(day, out->as_of);
	out->month = pf_date_month(day);
	if ((rc = org_scope_check(actor, db, out->org.id, out->month, out->month, err)) != CADRE_OK)
		return rc;
	int eff;
	if ((rc = org_effective_month(actor, db, out->month, &eff, err)) != CADRE_OK)
		return rc;
	if (eff_out)
		*eff_out = eff;
	struct qrun q;
	memset(&q, 0, sizeof q);
	q.sink = sink;
	q.sink_check = sink_check;
	if ((rc = pf_ref_load(db, &q.ref, err)) != CADRE_OK)
		return rc;
	if ((rc = read_rows(db, out, &q, eff, err)) == CADRE_OK &&
	    (rc = check_ledger(db, out, &q, eff, err)) == CADRE_OK)
		rc = check_managers(db, out, &q, err);
	if (rc == CADRE_OK) {
		tally_to_list(&q.unlisted, &out->occupation_unlisted_codes);
		tally_to_list(&q.closed, &out->occupation_closed_codes);
		tally_to_list(&q.conflicts, &out->conflicts);
	}
	qrun_free(&q);
	return rc;
}

int quality_report(const struct actor *actor, struct store *db, const char *code, const char *as_of,
                   struct quality_report *out, struct cadre_err *err)
{
	return report_run(actor, db, code, as_of, out, NULL, QUALITY_CHECK_COUNT, NULL, err);
}

/* ---- the rows behind the counts -------------------------------------------------------- */

struct check_def {
	const char *name;
	const char *title;
	bool protected_data;
};

static const struct check_def check_defs[QUALITY_CHECK_COUNT] = {
    [QUALITY_OCCUPATION_UNLISTED] = {"occupation-unlisted",
                                     "Occupation codes the reference data does not cover", false},
    [QUALITY_OCCUPATION_CLOSED] = {"occupation-closed", "Closed occupation codes", false},
    [QUALITY_GROUP_FALLBACK] = {"group-fallback",
                                "Staff groups found by the ESR staff group fallback", false},
    [QUALITY_GROUP_CONFLICTS] = {"group-conflicts",
                                 "ESR staff groups that conflict with the derived staff group",
                                 false},
    [QUALITY_NO_IDENTIFIER] = {"no-identifier", "Staff records without a national identifier",
                               false},
    [QUALITY_CC_NO_STAFF] = {"cost-centres-no-staff",
                             "Ledger cost centres with establishment and nobody in post", false},
    [QUALITY_CC_NO_BUDGET] = {"cost-centres-no-budget",
                              "Cost centres with staff in post and no establishment", false},
    [QUALITY_ETHNICITY_NOT_STATED] = {"ethnicity-not-stated", "Ethnicity not stated", true},
    [QUALITY_ETHNICITY_NOT_KNOWN] = {"ethnicity-not-known", "Ethnicity not known", true},
    [QUALITY_DISABILITY_NOT_DECLARED] = {"disability-not-declared", "Disability not declared",
                                         true},
    [QUALITY_MANAGERS_NOT_IN_POST] = {"managers-not-in-post", "Managers who are not in post",
                                      false},
};

bool quality_check_parse(const char *name, enum quality_check *out)
{
	for (int i = 0; i < QUALITY_CHECK_COUNT; i++)
		if (name && strcmp(check_defs[i].name, name) == 0) {
			*out = (enum quality_check)i;
			return true;
		}
	return false;
}

const char *quality_check_name(enum quality_check c)
{
	return c >= 0 && c < QUALITY_CHECK_COUNT ? check_defs[c].name : "";
}

const char *quality_check_title(enum quality_check c)
{
	return c >= 0 && c < QUALITY_CHECK_COUNT ? check_defs[c].title : "";
}

bool quality_check_protected(enum quality_check c)
{
	return c >= 0 && c < QUALITY_CHECK_COUNT && check_defs[c].protected_data;
}

int64_t quality_check_count(const struct quality_report *r, enum quality_check c)
{
	switch (c) {
	case QUALITY_OCCUPATION_UNLISTED: return r->occupation_unlisted;
	case QUALITY_OCCUPATION_CLOSED: return r->occupation_closed;
	case QUALITY_GROUP_FALLBACK: return r->group_fallback;
	case QUALITY_GROUP_CONFLICTS: return r->group_conflicts;
	case QUALITY_NO_IDENTIFIER: return r->staff_without_identifier;
	case QUALITY_CC_NO_STAFF: return r->cost_centres_no_staff;
	case QUALITY_CC_NO_BUDGET: return r->cost_centres_no_budget;
	case QUALITY_ETHNICITY_NOT_STATED: return r->ethnicity_not_stated;
	case QUALITY_ETHNICITY_NOT_KNOWN: return r->ethnicity_not_known;
	case QUALITY_DISABILITY_NOT_DECLARED: return r->disability_not_declared;
	case QUALITY_MANAGERS_NOT_IN_POST: return r->managers_not_in_post;
	case QUALITY_CHECK_COUNT: break;
	}
	return 0;
}

/* The in-post rows of the day under the node, with what the listings show:
 * the same population and terms as q_rows. */
static const struct store_sql q_list = {
    .name = "quality_list",
    .sql =
        "SELECT o.code, s.staff_ref, a.assignment_ref, c.code, t.category, t.occupation_code, "
        "t.esr_staff_group, t.staff_group, t.staff_group_basis, t.staff_group_conflict, "
        "p.person_key IS NULL, "
        "CASE WHEN s.valid_from <= $3 THEN s.ethnic_category ELSE (SELECT h.ethnic_category "
        "FROM staff_history h WHERE h.staff_id = s.id AND h.valid_from <= $3 "
        "AND h.valid_to >= $3) END, "
        "CASE WHEN s.valid_from <= $3 THEN s.disability ELSE (SELECT h.disability "
        "FROM staff_history h WHERE h.staff_id = s.id AND h.valid_from <= $3 "
        "AND h.valid_to >= $3) END, t.manager_staff_id "
        "FROM (SELECT a.id AS assignment_id, a.staff_id, a.start_date, a.end_date, "
        "a.cost_centre_id, a.category, a.occupation_code, a.esr_staff_group, a.staff_group, "
        "a.staff_group_basis, a.staff_group_conflict, a.manager_staff_id FROM assignment a "
        "WHERE a.valid_from <= $3 UNION ALL SELECT a.id, a.staff_id, a.start_date, "
        "a.end_date, h.cost_centre_id, h.category, h.occupation_code, h.esr_staff_group, "
        "h.staff_group, h.staff_group_basis, h.staff_group_conflict, h.manager_staff_id "
        "FROM assignment_history h JOIN assignment a ON a.id = h.assignment_id "
        "WHERE h.valid_from <= $3 AND h.valid_to >= $3) t "
        "JOIN assignment a ON a.id = t.assignment_id JOIN staff s ON s.id = t.staff_id "
        "JOIN person p ON p.id = s.person_id JOIN org o ON o.id = s.org_id "
        "JOIN cost_centre c ON c.id = t.cost_centre_id "
        "JOIN org_ancestor x ON x.node_id = c.node_id AND x.month = $2 "
        "WHERE x.ancestor_id = $1 AND t.start_date <= $3 "
        "AND (t.end_date IS NULL OR t.end_date >= $3)",
};

static int row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct quality_row *)a)->key, ((const struct quality_row *)b)->key);
}

static void row_set(struct quality_row *r, const char *org, const char *staff_ref,
                    const char *assignment, const char *cc, const char *detail)
{
	(void)snprintf(r->org, sizeof r->org, "%s", org);
	(void)snprintf(r->staff_ref, sizeof r->staff_ref, "%s", staff_ref);
	(void)snprintf(r->assignment, sizeof r->assignment, "%s", assignment);
	(void)snprintf(r->cost_centre, sizeof r->cost_centre, "%s", cc);
	(void)snprintf(r->detail, sizeof r->detail, "%s", detail);
	if (*staff_ref)
		(void)snprintf(r->key, sizeof r->key, "%s/%s/%s", org, staff_ref, assignment);
	else
		(void)snprintf(r->key, sizeof r->key, "%s/%s", org, cc);
}

/* list_assignments: the rows of the assignment and staff-record checks. */
static int list_assignments(struct store *db, const struct quality_rows *q, int eff,
                            enum quality_check c, const struct pf_ref *ref, struct rowset *out,
                            struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_list, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, q->org.id);
	store_bind_i64(st, 2, eff);
	store_bind_str(st, 3, q->as_of);
	bool per_staff = c == QUALITY_NO_IDENTIFIER || c == QUALITY_ETHNICITY_NOT_STATED ||
	                 c == QUALITY_ETHNICITY_NOT_KNOWN || c == QUALITY_DISABILITY_NOT_DECLARED;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (!in_post(store_col_text(st, 4)))
			continue;
		const char *org = store_col_text(st, 0), *ref_s = store_col_text(st, 1);
		const char *asg = store_col_text(st, 2), *cc = store_col_text(st, 3);
		const char *occ = store_col_text(st, 5);
		char detail[64] = "";
		bool hit = false;
		switch (c) {
		case QUALITY_OCCUPATION_UNLISTED:
		case QUALITY_OCCUPATION_CLOSED: {
			const struct pf_occ *o = pf_occ_match(ref, occ);
			hit = c == QUALITY_OCCUPATION_UNLISTED ? !o : (o && o->closed);
			(void)snprintf(detail, sizeof detail, "occupation code %s", occ);
			break;
		}
		case QUALITY_GROUP_FALLBACK:
			hit = strcmp(store_col_text(st, 8), "fallback") == 0;
			(void)snprintf(detail, sizeof detail, "%s from ESR %s", store_col_text(st, 7),
			               store_col_text(st, 6));
			break;
		case QUALITY_GROUP_CONFLICTS:
			hit = store_col_i64(st, 9) != 0;
			(void)snprintf(detail, sizeof detail, "%s vs ESR %s", store_col_text(st, 7),
			               store_col_text(st, 6));
			break;
		case QUALITY_NO_IDENTIFIER:
			hit = store_col_i64(st, 10) != 0;
			(void)snprintf(detail, sizeof detail, "no national identifier");
			break;
		case QUALITY_ETHNICITY_NOT_STATED:
		case QUALITY_ETHNICITY_NOT_KNOWN: {
			const char *eth = store_col_is_null(st, 11) ? "" : store_col_text(st, 11);
			hit = strcmp(eth, c == QUALITY_ETHNICITY_NOT_STATED ? "Z" : "99") == 0;
			(void)snprintf(detail, sizeof detail, "%s",
			               c == QUALITY_ETHNICITY_NOT_STATED ? "not stated" : "not known");
			break;
		}
		case QUALITY_DISABILITY_NOT_DECLARED:
			hit = !store_col_is_null(st, 12) &&
			      strcmp(store_col_text(st, 12), "not_declared") == 0;
			(void)snprintf(detail, sizeof detail, "not declared");
			break;
		default: break;
		}
		if (!hit)
			continue;
		/* a staff-record check lists the record once, under its first
		 * assignment (the duplicates go after sorting) */
		struct quality_row *r = rowset_add(out);
		row_set(r, org, ref_s, per_staff ? "" : asg, cc, detail);
		if (per_staff)
			(void)snprintf(r->assignment, sizeof r->assignment, "%s", asg);
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}


int quality_rows(const struct actor *actor, struct store *db, const char *code, const char *as_of,
                 enum quality_check c, const char *after, size_t limit, struct quality_rows *out,
                 struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	out->check = c;
	if (c < 0 || c >= QUALITY_CHECK_COUNT)
		return cadre_err_set(err, CADRE_EINVAL, "no such check");
	if (limit < 1 || limit > QUALITY_PAGE_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "limit must be 1 to %d", QUALITY_PAGE_MAX);
	int rc = org_get(actor, db, code, &out->org, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = policy_check(actor, db, "people.read", out->org.id, err)) != CADRE_OK)
		return rc;
	if (quality_check_protected(c) &&
	    (rc = policy_check(actor, db, "people.protected.read", out->org.id, err)) != CADRE_OK)
		return rc == CADRE_ENOTFOUND ? cadre_err_set(err, CADRE_EPERM,
		                                             "protected characteristics need "
		                                             "people.protected.read")
		                             : rc;
	/* people.read through a self or reports rule reaches one's own record
	 * or one's reports only: the organisation's rows are not theirs */
	bool whole = actor_is_system(actor);
	for (size_t i = 0; i < actor->ngrants && !whole; i++) {
		const struct policy_rule *pr =
		    policy_rule_find(actor->grants[i].role, "people.read");
		if (!pr || !pr->allow || pr->scope != POLICY_SCOPE_PERSON)
			continue;
		if ((rc = policy_org_within(db, out->org.id, actor->grants[i].org_id, &whole,
		                            err)) != CADRE_OK)
			return rc;
	}
	char latest[11] = "";
	if (!as_of && (rc = people_latest_extract(actor, db, latest, err)) != CADRE_OK)
		return rc;
	if (!whole || (!as_of && !latest[0])) {
		/* nothing to list: no extract, or no organisation-wide reach */
		out->v = xcalloc(1, sizeof *out->v);
		return CADRE_OK;
	}
	struct rowset all = {0};
	struct quality_report *rep = xcalloc(1, sizeof *rep);
	int eff = 0;
	bool from_report = c == QUALITY_CC_NO_STAFF || c == QUALITY_CC_NO_BUDGET ||
	                   c == QUALITY_MANAGERS_NOT_IN_POST;
	rc = report_run(actor, db, code, as_of, rep, from_report ? &all : NULL, c, &eff, err);
	if (rc == CADRE_OK) {
		(void)snprintf(out->as_of, sizeof out->as_of, "%s", rep->as_of);
		if (!from_report) {
			struct pf_ref ref;
			memset(&ref, 0, sizeof ref);
			if ((rc = pf_ref_load(db, &ref, err)) == CADRE_OK)
				rc = list_assignments(db, out, eff, c, &ref, &all, err);
			pf_ref_free(&ref);
		}
	}
	free(rep);
	if (rc != CADRE_OK) {
		free(all.v);
		return rc;
	}
	if (all.n)
		qsort(all.v, all.n, sizeof *all.v, row_cmp);
	/* a staff-record check keeps each record once (its first assignment) */
	bool per_staff = c == QUALITY_NO_IDENTIFIER || c == QUALITY_ETHNICITY_NOT_STATED ||
	                 c == QUALITY_ETHNICITY_NOT_KNOWN || c == QUALITY_DISABILITY_NOT_DECLARED;
	size_t u = 0;
	for (size_t i = 0; i < all.n; i++) {
		if (u && (per_staff ? strcmp(all.v[i].org, all.v[u - 1].org) == 0 &&
		                          strcmp(all.v[i].staff_ref, all.v[u - 1].staff_ref) == 0
		                    : strcmp(all.v[i].key, all.v[u - 1].key) == 0))
			continue;
		all.v[u++] = all.v[i];
	}
	all.n = u;
	out->total = (int64_t)all.n;
	size_t start = 0;
	if (after && *after)
		while (start < all.n && strcmp(all.v[start].key, after) <= 0)
			start++;
	size_t end = start + limit < all.n ? start + limit : all.n;
	out->n = end - start;
	out->v = xcalloc(out->n + 1, sizeof *out->v);
	if (out->n)
		memcpy(out->v, all.v + start, out->n * sizeof *out->v);
	if (end < all.n && end > start)
		(void)snprintf(out->next, sizeof out->next, "%s", all.v[end - 1].key);
	free(all.v);
	return CADRE_OK;
}

void quality_rows_free(struct quality_rows *r)
{
	free(r->v);
	r->v = NULL;
	r->n = 0;
}
