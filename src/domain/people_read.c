/* people_read: the staff summary read-out (see people.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "domain/orgstats.h"
#include "domain/people.h"
#include "domain/people_fields.h"
#include "store/store.h"

static const struct store_sql q_latest = {
    .name = "people_latest_extract",
    .sql = "SELECT MAX(extract_date) FROM staff_extract",
};

/* Every assignment active on day $3 under node $1 (hierarchy month $2),
 * with the terms valid that day and the staff record's profession that
 * day.  Versions are contiguous: when the current values start after the
 * day, a history row covers it. */
static const struct store_sql q_active = {
    .name = "people_active",
    .sql = "SELECT s.person_id, t.staff_group, t.grade_band, t.category, t.fte, "
           "t.staff_group_basis, "
           "CASE WHEN s.valid_from <= $3 THEN s.profession ELSE (SELECT h.profession "
           "FROM staff_history h WHERE h.staff_id = s.id AND h.valid_from <= $3 "
           "AND h.valid_to >= $3) END "
           "FROM (SELECT a.staff_id, a.start_date, a.end_date, a.cost_centre_id, "
           "a.staff_group, a.grade_band, a.category, a.fte, a.staff_group_basis "
           "FROM assignment a WHERE a.valid_from <= $3 "
           "UNION ALL SELECT a.staff_id, a.start_date, a.end_date, h.cost_centre_id, "
           "h.staff_group, h.grade_band, h.category, h.fte, h.staff_group_basis "
           "FROM assignment_history h JOIN assignment a ON a.id = h.assignment_id "
           "WHERE h.valid_from <= $3 AND h.valid_to >= $3) t "
           "JOIN staff s ON s.id = t.staff_id "
           "JOIN cost_centre c ON c.id = t.cost_centre_id "
           "JOIN org_ancestor x ON x.node_id = c.node_id AND x.month = $2 "
           "WHERE x.ancestor_id = $1 AND t.start_date <= $3 "
           "AND (t.end_date IS NULL OR t.end_date >= $3)",
};

int people_latest_extract(const struct actor *actor, struct store *db, char *out,
                          struct cadre_err *err)
{
	out[0] = '\0';
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_latest, &st, err)) != CADRE_OK)
		return rc;
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE ? CADRE_EINTERNAL : rc;
	if (!store_col_is_null(st, 0))
		(void)snprintf(out, 11, "%s", store_col_text(st, 0));
	store_reset(st);
	return CADRE_OK;
}

/* arec: one in-post assignment of the day. */
struct arec {
	int64_t person;
	char key[48];
	int64_t fte10k;
	bool fallback;
};

static int arec_cmp(const void *a, const void *b)
{
	const struct arec *x = a, *y = b;
	int k = strcmp(x->key, y->key);
	if (k)
		return k;
	return x->person < y->person ? -1 : x->person > y->person;
}

static int i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static bool in_post(const char *category)
{
	return strcmp(category, "permanent") == 0 || strcmp(category, "fixed_term") == 0 ||
	       strcmp(category, "locum") == 0;
}

static int from_stats(const struct actor *actor, struct store *db, struct people_summary *out,
                      bool *used, struct cadre_err *err)
{
	*used = false;
	int first = 0, last = 0;
	bool fresh = false;
	int rc = orgstats_staff_months(actor, db, &first, &last, err);
	if (rc == CADRE_OK)
		rc = orgstats_fresh(actor, db, ORGSTATS_STAFF, &fresh, err);
	if (rc != CADRE_OK || !fresh || !first || out->month < first || out->month > last)
		return rc;
	struct orgstats_staff_row *rows;
	size_t n;
	if ((rc = orgstats_staff_read(actor, db, out->org.id, out->month, &rows, &n, err)) !=
	    CADRE_OK)
		return rc;
	*used = true;
	size_t alloc = 0;
	for (size_t i = 0; i < n; i++) {
		const struct orgstats_staff_row *r = &rows[i];
		if (strcmp(r->group, ORGSTATS_TOTAL) == 0) {
			out->headcount = r->headcount;
			out->fte = r->fte;
			out->assignments = r->assignments;
			out->fallback_assignments = r->fallback_assignments;
			continue;
		}
		if (out->by != PEOPLE_BY_STAFF_GROUP)
			continue;
		if (out->nlines == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			out->lines = xreallocarray(out->lines, alloc, sizeof *out->lines);
		}
		struct people_line *L = &out->lines[out->nlines++];
		memset(L, 0, sizeof *L);
		(void)snprintf(L->key, sizeof L->key, "%s", r->group);
		L->headcount = r->headcount;
		L->fte = r->fte;
		L->assignments = r->assignments;
		L->fallback_assignments = r->fallback_assignments;
	}
	free(rows);
	out->from_stats = true;
	return CADRE_OK;
}

int people_summary(const struct actor *actor, struct store *db, const char *code, const char *as_of,
                   enum people_by by, struct people_summary *out, struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	out->by = by;
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
	int month = pf_date_month(day);
	if ((rc = org_scope_check(actor, db, out->org.id, month, month, err)) != CADRE_OK)
		return rc;
	if ((rc = org_effective_month(actor, db, month, &out->month, err)) != CADRE_OK)
		return rc;
	out->month = month;
	int eff;
	if ((rc = org_effective_month(actor, db, month, &eff, err)) != CADRE_OK)
		return rc;
	/* month ends by staff group: the kept statistics, when current */
	if ((by == PEOPLE_BY_NONE || by == PEOPLE_BY_STAFF_GROUP) && day == pf_month_end(month)) {
		bool used;
		if ((rc = from_stats(actor, db, out, &used, err)) != CADRE_OK || used)
			return rc;
	}
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_active, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, out->org.id);
	store_bind_i64(st, 2, eff);
	store_bind_str(st, 3, out->as_of);
	struct arec *v = NULL;
	size_t n = 0, alloc = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		const char *cat = store_col_text(st, 3);
		if (!in_post(cat)) {
			out->excluded_bank += strcmp(cat, "bank") == 0;
			out->excluded_honorary += strcmp(cat, "honorary") == 0;
			continue;
		}
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 1024;
			v = xreallocarray(v, alloc, sizeof *v);
		}
		struct arec *x = &v[n++];
		memset(x, 0, sizeof *x);
		x->person = store_col_i64(st, 0);
		x->fte10k = llround(store_col_double(st, 4) * 10000.0);
		x->fallback = strcmp(store_col_text(st, 5), "fallback") == 0;
		const char *key = "";
		if (by == PEOPLE_BY_STAFF_GROUP)
			key = store_col_text(st, 1);
		else if (by == PEOPLE_BY_GRADE)
			key = store_col_text(st, 2);
		else if (by == PEOPLE_BY_PROFESSION)
			key = store_col_is_null(st, 6) ? "none" : store_col_text(st, 6);
		(void)snprintf(x->key, sizeof x->key, "%s", key);
	}
	if (rc != CADRE_DONE) {
		free(v);
		return rc;
	}
	/* the whole: distinct people, summed FTE */
	int64_t *people = xmalloc((n + 1) * sizeof *people);
	int64_t fte = 0;
	for (size_t i = 0; i < n; i++) {
		people[i] = v[i].person;
		fte += v[i].fte10k;
		out->fallback_assignments += v[i].fallback;
	}
	if (n)
		qsort(people, n, sizeof *people, i64_cmp);
	for (size_t i = 0; i < n; i++)
		out->headcount += i == 0 || people[i] != people[i - 1];
	free(people);
	out->fte = (double)fte / 10000.0;
	out->assignments = (int64_t)n;
	/* the lines: distinct people within each */
	if (by != PEOPLE_BY_NONE && n) {
		qsort(v, n, sizeof *v, arec_cmp);
		size_t lalloc = 0;
		for (size_t i = 0; i < n;) {
			if (out->nlines == lalloc) {
				lalloc = lalloc ? lalloc * 2 : 16;
				out->lines = xreallocarray(out->lines, lalloc, sizeof *out->lines);
			}
			struct people_line *L = &out->lines[out->nlines++];
			memset(L, 0, sizeof *L);
			(void)snprintf(L->key, sizeof L->key, "%s", v[i].key);
			int64_t lf = 0;
			size_t j = i;
			for (; j < n && strcmp(v[j].key, v[i].key) == 0; j++) {
				L->headcount += j == i || v[j].person != v[j - 1].person;
				lf += v[j].fte10k;
				L->assignments++;
				L->fallback_assignments += v[j].fallback;
			}
			L->fte = (double)lf / 10000.0;
			i = j;
		}
	}
	free(v);
	return CADRE_OK;
}

void people_summary_free(struct people_summary *s)
{
	free(s->lines);
	s->lines = NULL;
	s->nlines = 0;
}
