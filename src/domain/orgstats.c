/* orgstats: per-node monthly aggregates (see orgstats.h). */
#include "domain/orgstats.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "domain/org.h"
#include "domain/people_fields.h"
#include "store/store.h"

/* ---- statements ----------------------------------------------------------------- */

static const struct store_sql q_groups = {
    .name = "orgstats_groups",
    .sql = "SELECT code FROM staff_group ORDER BY code",
};

static const struct store_sql q_cc = {
    .name = "orgstats_cost_centres",
    .sql = "SELECT id, node_id FROM cost_centre",
};

static const struct store_sql q_anc = {
    .name = "orgstats_ancestors",
    .sql = "SELECT node_id, ancestor_id FROM org_ancestor WHERE month = $1 "
           "ORDER BY node_id, depth",
};

static const struct store_sql q_hier = {
    .name = "orgstats_hierarchy",
    .sql = "SELECT first_month, last_month, rebuilt_us FROM org_hierarchy WHERE id = 1",
};

static const struct store_sql q_extract_range = {
    .name = "orgstats_extract_range",
    .sql = "SELECT MIN(first_extract_date), MAX(extract_date) FROM staff_extract",
};

static const struct store_sql q_staff_clear = {
    .name = "orgstats_staff_clear",
    .sql = "DELETE FROM org_stats_staff",
};

static const struct store_sql q_est_range = {
    .name = "orgstats_est_range",
    .sql = "SELECT MIN(month), MAX(month) FROM establishment",
};

static const struct store_sql q_tmp_range = {
    .name = "orgstats_tmp_range",
    .sql = "SELECT MIN(month), MAX(month) FROM temporary_staffing",
};

static const struct store_sql q_est_rows = {
    .name = "orgstats_est_rows",
    .sql = "SELECT cost_centre_id, month, staff_group, '', '', budget_wte, 0, budget_pence "
           "FROM establishment WHERE month BETWEEN $1 AND $2",
};

static const struct store_sql q_tmp_rows = {
    .name = "orgstats_tmp_rows",
    .sql = "SELECT cost_centre_id, month, staff_group, staffing_type, framework, hours, shifts, "
           "spend_pence FROM temporary_staffing WHERE month BETWEEN $1 AND $2",
};

static const struct store_sql q_est_clear = {
    .name = "orgstats_est_clear",
    .sql = "DELETE FROM org_stats_establishment WHERE month BETWEEN $1 AND $2",
};

static const struct store_sql q_tmp_clear = {
    .name = "orgstats_tmp_clear",
    .sql = "DELETE FROM org_stats_temporary WHERE month BETWEEN $1 AND $2",
};

static const struct store_sql q_state_put = {
    .name = "orgstats_state_put",
    .sql = "INSERT INTO org_stats_state (kind, hierarchy_us, first_month, last_month, "
           "rows_written, computed_us) VALUES ($1, $2, $3, $4, $5, $6) "
           "ON CONFLICT (kind) DO UPDATE SET hierarchy_us = excluded.hierarchy_us, "
           "first_month = excluded.first_month, last_month = excluded.last_month, "
           "rows_written = excluded.rows_written, computed_us = excluded.computed_us",
};

static const struct store_sql q_state_get = {
    .name = "orgstats_state_get",
    .sql = "SELECT hierarchy_us, first_month, last_month FROM org_stats_state WHERE kind = $1",
};

static const struct store_sql q_read_staff = {
    .name = "orgstats_read_staff",
    .sql = "SELECT staff_group, headcount, fte, assignments, fallback_assignments "
           "FROM org_stats_staff "
           "WHERE node_id = $1 AND month = $2 "
           "ORDER BY CASE WHEN staff_group = 'TOTAL' THEN 0 ELSE 1 END, staff_group",
};

static const struct store_sql q_read_est = {
    .name = "orgstats_read_est",
    .sql = "SELECT staff_group, '', '', budget_wte, 0, budget_pence FROM org_stats_establishment "
           "WHERE node_id = $1 AND month = $2 "
           "ORDER BY CASE WHEN staff_group = 'TOTAL' THEN 0 ELSE 1 END, staff_group",
};

static const struct store_sql q_read_tmp = {
    .name = "orgstats_read_tmp",
    .sql = "SELECT staff_group, staffing_type, framework, hours, shifts, spend_pence "
           "FROM org_stats_temporary WHERE node_id = $1 AND month = $2 "
           "ORDER BY CASE WHEN staff_group = 'TOTAL' THEN 0 ELSE 1 END, staff_group, "
           "staffing_type, framework",
};

static const char *const kind_names[] = {"staff", "establishment", "temporary"};

/* ---- shared pieces ------------------------------------------------------------- */

/* groups: staff-group codes, index by position. */
struct groups {
	char (*code)[24];
	size_t n, alloc;
	size_t total; /* index of TOTAL */
};

static size_t group_index(struct groups *g, const char *code)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->code[i], code) == 0)
			return i;
	if (g->n == g->alloc) {
		g->alloc = g->alloc ? g->alloc * 2 : 32;
		g->code = xreallocarray(g->code, g->alloc, sizeof *g->code);
	}
	(void)snprintf(g->code[g->n], sizeof g->code[0], "%s", code);
	return g->n++;
}

static int groups_load(struct store *db, struct groups *g, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_groups, &st, err);
	while (rc == CADRE_OK && (rc = store_step(st, err)) == CADRE_OK)
		(void)group_index(g, store_col_text(st, 0));
	if (rc != CADRE_DONE)
		return rc;
	g->total = group_index(g, ORGSTATS_TOTAL);
	return CADRE_OK;
}

/* ccmap: cost centre id -> node id. */
struct ccmap {
	int64_t *node;
	int64_t max;
};

static int ccmap_load(struct store *db, struct ccmap *c, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_cc, &st, err);
	int64_t alloc = 0;
	while (rc == CADRE_OK && (rc = store_step(st, err)) == CADRE_OK) {
		int64_t id = store_col_i64(st, 0);
		if (id <= 0 || id > INT32_MAX) {
			store_reset(st);
			return cadre_err_set(err, CADRE_EINTERNAL, "cost centre id out of range");
		}
		if (id >= alloc) {
			int64_t na = alloc ? alloc : 1024;
			while (na <= id)
				na *= 2;
			c->node = xreallocarray(c->node, (size_t)na, sizeof *c->node);
			memset(c->node + alloc, 0, (size_t)(na - alloc) * sizeof *c->node);
			alloc = na;
		}
		c->node[id] = store_col_i64(st, 1);
		if (id > c->max)
			c->max = id;
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

static int64_t ccmap_node(const struct ccmap *c, int64_t cc)
{
	return cc > 0 && cc <= c->max ? c->node[cc] : 0;
}

/* anc: every node's ancestors (itself first) in one month. */
struct anc {
	int month;     /* the effective month loaded; 0 none */
	size_t *start; /* per node id: first index into list; size maxid + 2 */
	int64_t *list;
	size_t nlist, alloc;
	int64_t maxid;
};

static void anc_free(struct anc *a)
{
	free(a->start);
	free(a->list);
	memset(a, 0, sizeof *a);
}

static int anc_load(struct store *db, int month, struct anc *a, struct cadre_err *err)
{
	if (a->month == month)
		return CADRE_OK;
	struct store_stmt *st;
	int rc = store_prepare(db, &q_anc, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, month);
	/* rows come by node id: remember (node, ancestor) pairs, then index */
	int64_t *nodes = NULL;
	size_t nalloc = 0;
	a->nlist = 0;
	int64_t maxid = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (a->nlist == a->alloc) {
			a->alloc = a->alloc ? a->alloc * 2 : 4096;
			a->list = xreallocarray(a->list, a->alloc, sizeof *a->list);
		}
		if (a->nlist >= nalloc) {
			nalloc = a->alloc;
			nodes = xreallocarray(nodes, nalloc, sizeof *nodes);
		}
		int64_t node = store_col_i64(st, 0);
		int64_t an = store_col_i64(st, 1);
		nodes[a->nlist] = node;
		a->list[a->nlist++] = an;
		if (node > maxid)
			maxid = node;
		if (an > maxid)
			maxid = an;
	}
	if (rc != CADRE_DONE) {
		free(nodes);
		return rc;
	}
	free(a->start);
	a->start = xcalloc((size_t)maxid + 2, sizeof *a->start);
	a->maxid = maxid;
	/* counting by node: start[n] .. start[n+1] */
	for (size_t i = 0; i < a->nlist; i++)
		a->start[nodes[i] + 1]++;
	for (int64_t n = 1; n <= maxid + 1; n++)
		a->start[n] += a->start[n - 1];
	free(nodes);
	a->month = month;
	return CADRE_OK;
}

/* anc_of: the ancestors of node (itself first); *n of them. */
static const int64_t *anc_of(const struct anc *a, int64_t node, size_t *n)
{
	if (node <= 0 || node > a->maxid) {
		*n = 0;
		return NULL;
	}
	*n = a->start[node + 1] - a->start[node];
	return a->list + a->start[node];
}

struct hier {
	int first, last;
	int64_t rebuilt_us;
};

static int hier_get(struct store *db, struct hier *h, struct cadre_err *err)
{
	memset(h, 0, sizeof *h);
	struct store_stmt *st;
	int rc = store_prepare(db, &q_hier, &st, err);
	if (rc != CADRE_OK)
		return rc;
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return CADRE_OK;
	if (rc != CADRE_OK)
		return rc;
	h->first = (int)store_col_i64(st, 0);
	h->last = (int)store_col_i64(st, 1);
	h->rebuilt_us = store_col_i64(st, 2);
	store_reset(st);
	return CADRE_OK;
}

static int hier_eff(const struct hier *h, int m)
{
	if (!h->first)
		return m;
	return m < h->first ? h->first : m > h->last ? h->last : m;
}

static int state_put(struct store *db, enum orgstats_kind kind, const struct hier *h, int first,
                     int last, int64_t rows, const struct clock *clk, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_state_put, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, kind_names[kind]);
	store_bind_i64(st, 2, h->rebuilt_us);
	store_bind_i64(st, 3, first);
	store_bind_i64(st, 4, last);
	store_bind_i64(st, 5, rows);
	store_bind_i64(st, 6, clock_now(clk));
	return store_exec(st, err);
}

static bool text_date(struct store_stmt *st, int col, int32_t *days)
{
	if (store_col_is_null(st, col))
		return false;
	const char *s = store_col_text(st, col);
	return pf_date(s, store_col_len(st, col), days);
}

/* ---- staff ------------------------------------------------------------------------- */

struct srec {
	int32_t person;
	int32_t start, end; /* end INT32_MAX when open */
	int32_t from, to;   /* the terms' validity */
	int32_t node;
	int32_t fte; /* ten-thousandths */
	uint16_t group;
	uint8_t fallback; /* staff group by the fallback */
};

/* cell: one (node, group) counter.  stamp: the (month, person) last
 * counted in hc, so a person is counted once however many of their
 * assignments fall under the node. */
struct cell {
	int64_t fte;
	int64_t stamp;
	int32_t hc;
	int32_t asg;
	int32_t fb;
};

struct staff_run {
	struct groups g;
	struct ccmap cc;
	struct anc anc;
	struct hier h;
	int32_t *person_of; /* staff id -> person id */
	int64_t maxstaff;
	struct srec *rec;
	size_t nrec, alloc;
	int64_t maxperson;
	int64_t maxnode;
	struct cell *direct; /* counted at every ancestor, with stamps */
	struct cell *ward;   /* single-assignment people, counted at their ward only */
	size_t ncount;
};

static void staff_run_free(struct staff_run *r)
{
	free(r->g.code);
	free(r->cc.node);
	anc_free(&r->anc);
	free(r->person_of);
	free(r->rec);
	free(r->direct);
	free(r->ward);
}

static const struct store_sql q_staff_persons = {
    .name = "orgstats_staff_persons",
    .sql = "SELECT id, person_id FROM staff",
};

static const struct store_sql q_staff_current = {
    .name = "orgstats_staff_current",
    .sql = "SELECT staff_id, start_date, end_date, valid_from, cost_centre_id, staff_group, fte, "
           "staff_group_basis FROM assignment WHERE (category = 'permanent' OR category = "
           "'fixed_term' OR "
           "category = 'locum') AND start_date <= $2 AND (end_date IS NULL OR end_date >= $1)",
};

static const struct store_sql q_staff_history = {
    .name = "orgstats_staff_history",
    .sql = "SELECT a.staff_id, a.start_date, a.end_date, h.valid_from, h.valid_to, "
           "h.cost_centre_id, h.staff_group, h.fte, h.staff_group_basis "
           "FROM assignment_history h JOIN assignment a ON a.id = h.assignment_id "
           "WHERE (h.category = 'permanent' OR h.category = 'fixed_term' OR "
           "h.category = 'locum') AND a.start_date <= $2 "
           "AND (a.end_date IS NULL OR a.end_date >= $1) AND h.valid_to >= $1",
};

static int staff_persons(struct store *db, struct staff_run *r, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_staff_persons, &st, err);
	int64_t alloc = 0;
	while (rc == CADRE_OK && (rc = store_step(st, err)) == CADRE_OK) {
		int64_t id = store_col_i64(st, 0), person = store_col_i64(st, 1);
		if (id <= 0 || id > INT32_MAX || person <= 0 || person > INT32_MAX) {
			store_reset(st);
			return cadre_err_set(err, CADRE_EINTERNAL,
			                     "staff or person id out of range");
		}
		if (id >= alloc) {
			int64_t na = alloc ? alloc : 65536;
			while (na <= id)
				na *= 2;
			r->person_of =
			    xreallocarray(r->person_of, (size_t)na, sizeof *r->person_of);
			memset(r->person_of + alloc, 0,
			       (size_t)(na - alloc) * sizeof *r->person_of);
			alloc = na;
		}
		r->person_of[id] = (int32_t)person;
		if (id > r->maxstaff)
			r->maxstaff = id;
		if (person > r->maxperson)
			r->maxperson = person;
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

static int staff_records(struct store *db, struct staff_run *r, int32_t lo, int32_t hi,
                         struct cadre_err *err)
{
	char a[11], b[11];
	pf_date_format(lo, a);
	pf_date_format(hi, b);
	for (int pass = 0; pass < 2; pass++) {
		struct store_stmt *st;
		int rc =
		    store_prepare(db, pass == 0 ? &q_staff_current : &q_staff_history, &st, err);
		if (rc != CADRE_OK)
			return rc;
		store_bind_str(st, 1, a);
		store_bind_str(st, 2, b);
		char last_group[24] = "";
		uint16_t last_gi = 0;
		int c = pass == 0 ? 0 : 1; /* history has valid_to at column 4 */
		while ((rc = store_step(st, err)) == CADRE_OK) {
			if (r->nrec == r->alloc) {
				r->alloc = r->alloc ? r->alloc * 2 : 65536;
				r->rec = xreallocarray(r->rec, r->alloc, sizeof *r->rec);
			}
			struct srec *x = &r->rec[r->nrec];
			int64_t sid = store_col_i64(st, 0);
			x->person = sid > 0 && sid <= r->maxstaff ? r->person_of[sid] : 0;
			if (!x->person || !text_date(st, 1, &x->start) ||
			    !text_date(st, 3, &x->from) || (c && !text_date(st, 4, &x->to))) {
				store_reset(st);
				return cadre_err_set(
				    err, CADRE_EINTERNAL,
				    "a stored assignment has a bad date or staff id");
			}
			if (!c)
				x->to = INT32_MAX;
			if (!text_date(st, 2, &x->end))
				x->end = INT32_MAX;
			int64_t node = ccmap_node(&r->cc, store_col_i64(st, 4 + c));
			x->node = node > 0 && node <= INT32_MAX ? (int32_t)node : 0;
			const char *g = store_col_text(st, 5 + c);
			if (strcmp(g, last_group) != 0) {
				(void)snprintf(last_group, sizeof last_group, "%s", g);
				last_gi = (uint16_t)group_index(&r->g, g);
			}
			x->group = last_gi;
			x->fte = (int32_t)llround(store_col_double(st, 6 + c) * 10000.0);
			x->fallback = strcmp(store_col_text(st, 7 + c), "fallback") == 0;
			if (x->node > r->maxnode)
				r->maxnode = x->node;
			r->nrec++;
		}
		if (rc != CADRE_DONE)
			return rc;
	}
	return CADRE_OK;
}

/* by_person: the records sorted by person (a counting sort), so the
 * month passes read them in order. */
static void by_person(struct staff_run *r)
{
	size_t *count = xcalloc((size_t)r->maxperson + 2, sizeof *count);
	for (size_t i = 0; i < r->nrec; i++)
		count[r->rec[i].person + 1]++;
	for (int64_t p = 1; p <= r->maxperson + 1; p++)
		count[p] += count[p - 1];
	struct srec *sorted = xmalloc((r->nrec + 1) * sizeof *sorted);
	for (size_t i = 0; i < r->nrec; i++)
		sorted[count[r->rec[i].person]++] = r->rec[i];
	free(count);
	free(r->rec);
	r->rec = sorted;
	r->alloc = r->nrec + 1;
}

/* orow: one org_stats_staff row, held until every month is counted so
 * that the rows go to the table in its key order (node, month, group):
 * month after month, each month's rows would land all over the key index. */
struct orow {
	int32_t node;
	int32_t month;
	int32_t hc, asg, fb;
	uint16_t rank; /* the group's place in code order */
	uint16_t group;
	int64_t fte;
};

struct orows {
	struct orow *v;
	size_t n, alloc;
};

/* group_ranks: byrank[k] is the group with the k-th code in byte order. */
static void group_ranks(const struct groups *g, uint16_t *byrank)
{
	for (size_t i = 0; i < g->n; i++)
		byrank[i] = (uint16_t)i;
	for (size_t i = 1; i < g->n; i++)
		for (size_t j = i; j > 0 && strcmp(g->code[byrank[j - 1]], g->code[byrank[j]]) > 0;
		     j--) {
			uint16_t x = byrank[j];
			byrank[j] = byrank[j - 1];
			byrank[j - 1] = x;
		}
}

/* staff_collect: the month's counted cells, by node and group code. */
static void staff_collect(const struct staff_run *r, const uint16_t *byrank, int month,
                          struct orows *o)
{
	size_t G = r->g.n;
	for (size_t base = 0; base < r->ncount; base += G)
		for (size_t k = 0; k < G; k++) {
			const struct cell *c = &r->direct[base + byrank[k]];
			if (!c->asg)
				continue;
			if (o->n == o->alloc) {
				o->alloc = o->alloc ? o->alloc * 2 : 65536;
				o->v = xreallocarray(o->v, o->alloc, sizeof *o->v);
			}
			o->v[o->n++] = (struct orow){
			    .node = (int32_t)(base / G),
			    .month = month,
			    .hc = c->hc,
			    .asg = c->asg,
			    .fb = c->fb,
			    .rank = (uint16_t)k,
			    .group = byrank[k],
			    .fte = c->fte,
			};
		}
}

/* staff_emit: the held rows by node (a stable counting sort: months and
 * groups stay in order within a node), in one bulk load. */
static int staff_emit(struct store *db, const struct staff_run *r, struct orows *o, int64_t *rows,
                      struct cadre_err *err)
{
	int32_t maxnode = 0;
	for (size_t i = 0; i < o->n; i++)
		if (o->v[i].node > maxnode)
			maxnode = o->v[i].node;
	size_t *count = xcalloc((size_t)maxnode + 2, sizeof *count);
	for (size_t i = 0; i < o->n; i++)
		count[o->v[i].node + 1]++;
	for (int32_t n = 1; n <= maxnode + 1; n++)
		count[n] += count[n - 1];
	struct orow *sorted = xmalloc((o->n + 1) * sizeof *sorted);
	for (size_t i = 0; i < o->n; i++)
		sorted[count[o->v[i].node]++] = o->v[i];
	free(count);
	free(o->v);
	o->v = sorted;
	o->alloc = o->n + 1;
	static const char *const cols[] = {
	    "node_id", "month",       "staff_group",         "headcount",
	    "fte",     "assignments", "fallback_assignments"};
	int rc = store_bulk_begin(db, "org_stats_staff", cols, 7, err);
	for (size_t i = 0; i < o->n && rc == CADRE_OK; i++) {
		const struct orow *x = &o->v[i];
		const char *gc = r->g.code[x->group];
		struct store_value v[7] = {
		    STORE_V_I64(x->node),
		    STORE_V_I64(x->month),
		    STORE_V_TEXT(gc, strlen(gc)),
		    STORE_V_I64(x->hc),
		    STORE_V_DOUBLE((double)x->fte / 10000.0),
		    STORE_V_I64(x->asg),
		    STORE_V_I64(x->fb),
		};
		rc = store_bulk_row(db, v, err);
	}
	if (rc == CADRE_OK)
		rc = store_bulk_end(db, NULL, err);
	if (rc == CADRE_OK)
		*rows = (int64_t)o->n;
	return rc;
}

static bool active(const struct srec *x, int32_t day)
{
	return x->start <= day && x->end >= day && x->from <= day && x->to >= day && x->node;
}

static void count_direct(struct staff_run *r, const struct srec *x, int64_t stamp)
{
	size_t G = r->g.n;
	size_t na;
	const int64_t *an = anc_of(&r->anc, x->node, &na);
	for (size_t k = 0; k < na; k++) {
		size_t base = (size_t)an[k] * G;
		struct cell *cg = &r->direct[base + x->group];
		struct cell *ct = &r->direct[base + r->g.total];
		cg->fte += x->fte;
		cg->asg++;
		cg->fb += x->fallback;
		if (cg->stamp != stamp) {
			cg->stamp = stamp;
			cg->hc++;
		}
		ct->fte += x->fte;
		ct->asg++;
		ct->fb += x->fallback;
		if (ct->stamp != stamp) {
			ct->stamp = stamp;
			ct->hc++;
		}
	}
}

/* staff_count_month: staff in post on day.  A person with one assignment
 * that day is counted at their ward and added up the hierarchy at the end
 * (additive: one person, one ward); a person with several is counted at
 * every ancestor with stamps, so they count once wherever their
 * assignments meet. */
static void staff_count_month(struct staff_run *r, int32_t day, int64_t stamp_base)
{
	size_t G = r->g.n;
	memset(r->direct, 0, r->ncount * sizeof *r->direct);
	memset(r->ward, 0, r->ncount * sizeof *r->ward);
	for (size_t i = 0; i < r->ncount; i++)
		r->direct[i].stamp = -1;
	for (size_t i = 0; i < r->nrec;) {
		int32_t person = r->rec[i].person;
		size_t j = i, act = 0, last = 0;
		for (; j < r->nrec && r->rec[j].person == person; j++)
			if (active(&r->rec[j], day)) {
				act++;
				last = j;
			}
		if (act == 1) {
			const struct srec *x = &r->rec[last];
			size_t base = (size_t)x->node * G;
			struct cell *cg = &r->ward[base + x->group];
			struct cell *ct = &r->ward[base + r->g.total];
			cg->fte += x->fte;
			cg->asg++;
			cg->hc++;
			cg->fb += x->fallback;
			ct->fte += x->fte;
			ct->asg++;
			ct->hc++;
			ct->fb += x->fallback;
		} else if (act > 1) {
			for (size_t k = i; k < j; k++) {
				const struct srec *x = &r->rec[k];
				if (active(x, day))
					count_direct(r, x, stamp_base + person);
			}
		}
		i = j;
	}
	/* the single-assignment counts, up the hierarchy */
	for (int64_t node = 1; node <= r->maxnode; node++) {
		const struct cell *w = &r->ward[(size_t)node * G];
		if (!w[r->g.total].asg)
			continue;
		size_t na;
		const int64_t *an = anc_of(&r->anc, node, &na);
		for (size_t k = 0; k < na; k++) {
			struct cell *d = &r->direct[(size_t)an[k] * G];
			for (size_t g = 0; g < G; g++) {
				if (!w[g].asg)
					continue;
				d[g].fte += w[g].fte;
				d[g].asg += w[g].asg;
				d[g].hc += w[g].hc;
				d[g].fb += w[g].fb;
			}
		}
	}
}

int orgstats_staff_refresh(const struct actor *actor, struct store *db, const struct clock *clk,
                           struct orgstats_report *rep, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	int64_t t0 = clock_mono_us();
	struct orgstats_report local;
	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof *rep);
	struct staff_run r;
	memset(&r, 0, sizeof r);
	struct orows o = {0};
	uint16_t *byrank = NULL;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_staff_clear, &st, err)) != CADRE_OK ||
	    (rc = store_exec(st, err)) != CADRE_OK)
		goto out;
	if ((rc = hier_get(db, &r.h, err)) != CADRE_OK)
		goto out;
	if ((rc = store_prepare(db, &q_extract_range, &st, err)) != CADRE_OK)
		goto out;
	if ((rc = store_step(st, err)) != CADRE_OK) {
		rc = rc == CADRE_DONE ? CADRE_EINTERNAL : rc;
		goto out;
	}
	int32_t d0, d1;
	bool have = text_date(st, 0, &d0) && text_date(st, 1, &d1);
	store_reset(st);
	if (!have) {
		rc = state_put(db, ORGSTATS_STAFF, &r.h, 0, 0, 0, clk, err);
		goto out;
	}
	int first = date_month_add(pf_date_month(d0), -11);
	int last = pf_date_month(d1);
	if ((rc = groups_load(db, &r.g, err)) != CADRE_OK ||
	    (rc = ccmap_load(db, &r.cc, err)) != CADRE_OK ||
	    (rc = staff_persons(db, &r, err)) != CADRE_OK ||
	    (rc = staff_records(db, &r, pf_month_end(first), pf_month_end(last), err)) != CADRE_OK)
		goto out;
	free(r.person_of);
	r.person_of = NULL;
	by_person(&r);
	int64_t rows = 0;
	int mseq = 0;
	byrank = xmalloc((r.g.n + 1) * sizeof *byrank);
	group_ranks(&r.g, byrank);
	for (int m = first; m <= last; m = date_month_add(m, 1), mseq++) {
		if ((rc = anc_load(db, hier_eff(&r.h, m), &r.anc, err)) != CADRE_OK)
			goto out;
		int64_t maxid = r.anc.maxid > r.maxnode ? r.anc.maxid : r.maxnode;
		size_t need = ((size_t)maxid + 1) * r.g.n;
		if (need > r.ncount) {
			free(r.direct);
			free(r.ward);
			r.direct = xcalloc(need, sizeof *r.direct);
			r.ward = xcalloc(need, sizeof *r.ward);
			r.ncount = need;
		}
		if (r.maxnode > r.anc.maxid)
			r.maxnode = r.anc.maxid; /* nodes without ancestors count nowhere */
		staff_count_month(&r, pf_month_end(m), (int64_t)mseq * (r.maxperson + 1));
		staff_collect(&r, byrank, m, &o);
	}
	free(r.direct);
	free(r.ward);
	r.direct = r.ward = NULL;
	if ((rc = staff_emit(db, &r, &o, &rows, err)) != CADRE_OK)
		goto out;
	rep->first_month = first;
	rep->last_month = last;
	rep->rows = rows;
	rc = state_put(db, ORGSTATS_STAFF, &r.h, first, last, rows, clk, err);
out:
	free(o.v);
	free(byrank);
	staff_run_free(&r);
	rep->micros = clock_mono_us() - t0;
	return rc;
}

/* ---- establishment and temporary staffing ------------------------------------------- */

/* A sparse accumulator per month: key (node, group, type/framework). */
struct acc {
	int64_t node;
	uint16_t group;
	uint8_t kf;     /* staffing type * 3 + framework, 0 for establishment */
	int64_t amount; /* hundredths: WTE or hours */
	int64_t shifts;
	int64_t pence;
};

struct ledger_run {
	struct groups g;
	struct ccmap cc;
	struct anc anc;
	struct hier h;
	struct acc *acc;
	size_t nacc, alloc;
	struct pf_index ix;
};

static const char *const types[] = {"bank", "agency", "overtime", "locum"};
static const char *const fws[] = {"", "on", "off"};

static int kf_of(const char *type, const char *fw)
{
	int t = 0, f = 0;
	for (int i = 0; i < 4; i++)
		if (strcmp(types[i], type) == 0)
			t = i;
	for (int i = 0; i < 3; i++)
		if (strcmp(fws[i], fw) == 0)
			f = i;
	return t * 3 + f;
}

static void acc_add(struct ledger_run *L, int64_t node, size_t group, int kf, int64_t amount,
                    int64_t shifts, int64_t pence)
{
	uint64_t key = ((uint64_t)node << 16) | ((uint64_t)group << 4) | (uint64_t)kf;
	uint64_t h = pf_hash(&key, sizeof key, PF_HASH_INIT);
	struct pf_probe p = pf_index_probe(&L->ix, h);
	uint32_t i;
	while ((i = pf_index_next(&L->ix, &p)) != UINT32_MAX) {
		struct acc *a = &L->acc[i];
		if (a->node == node && a->group == group && a->kf == kf) {
			a->amount += amount;
			a->shifts += shifts;
			a->pence += pence;
			return;
		}
	}
	if (L->nacc == L->alloc) {
		L->alloc = L->alloc ? L->alloc * 2 : 4096;
		L->acc = xreallocarray(L->acc, L->alloc, sizeof *L->acc);
	}
	L->acc[L->nacc] = (struct acc){node, (uint16_t)group, (uint8_t)kf, amount, shifts, pence};
	pf_index_put(&L->ix, h, (uint32_t)L->nacc);
	L->nacc++;
}

/* lrow: one ledger row read, kept for the month pass. */
struct lrow {
	int64_t node;
	int month;
	uint16_t group;
	uint8_t kf;
	int64_t amount, shifts, pence;
};

static int acc_cmp(const void *a, const void *b)
{
	const struct acc *x = a, *y = b;
	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return (int)x->kf - (int)y->kf;
}

static int ledger_emit(struct store *db, struct ledger_run *L, enum orgstats_kind kind, int month,
                       int64_t *rows, struct cadre_err *err)
{
	if (L->nacc)
		qsort(L->acc, L->nacc, sizeof *L->acc, acc_cmp);
	for (size_t i = 0; i < L->nacc; i++) {
		const struct acc *a = &L->acc[i];
		const char *gc = L->g.code[a->group];
		int rc;
		if (kind == ORGSTATS_ESTABLISHMENT) {
			struct store_value v[5] = {
			    STORE_V_I64(a->node), STORE_V_I64(month), STORE_V_TEXT(gc, strlen(gc)),
			    STORE_V_DOUBLE((double)a->amount / 100.0), STORE_V_I64(a->pence)};
			rc = store_bulk_row(db, v, err);
		} else {
			const char *t = types[a->kf / 3];
			const char *f = fws[a->kf % 3];
			struct store_value v[8] = {
			    STORE_V_I64(a->node),         STORE_V_I64(month),
			    STORE_V_TEXT(gc, strlen(gc)), STORE_V_TEXT(t, strlen(t)),
			    STORE_V_TEXT(f, strlen(f)),   STORE_V_DOUBLE((double)a->amount / 100.0),
			    STORE_V_I64(a->shifts),       STORE_V_I64(a->pence)};
			rc = store_bulk_row(db, v, err);
		}
		if (rc != CADRE_OK)
			return rc;
		(*rows)++;
	}
	return CADRE_OK;
}

static int lrow_cmp(const void *a, const void *b)
{
	const struct lrow *x = a, *y = b;
	return x->month < y->month ? -1 : x->month > y->month;
}

int orgstats_ledger_refresh(const struct actor *actor, struct store *db, enum orgstats_kind kind,
                            int from, int to, const struct clock *clk, struct orgstats_report *rep,
                            struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (kind != ORGSTATS_ESTABLISHMENT && kind != ORGSTATS_TEMPORARY)
		return cadre_err_set(err, CADRE_EINTERNAL, "orgstats_ledger_refresh: bad kind");
	int64_t t0 = clock_mono_us();
	struct orgstats_report local;
	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof *rep);
	bool est = kind == ORGSTATS_ESTABLISHMENT;
	struct ledger_run L;
	memset(&L, 0, sizeof L);
	struct lrow *rowsv = NULL;
	size_t nrows = 0, ralloc = 0;
	bool bulk = false;
	struct store_stmt *st;
	if ((rc = hier_get(db, &L.h, err)) != CADRE_OK)
		goto out;
	if (!from) {
		if ((rc = store_prepare(db, est ? &q_est_range : &q_tmp_range, &st, err)) !=
		    CADRE_OK)
			goto out;
		if ((rc = store_step(st, err)) != CADRE_OK) {
			rc = rc == CADRE_DONE ? CADRE_EINTERNAL : rc;
			goto out;
		}
		bool none = store_col_is_null(st, 0);
		from = (int)store_col_i64(st, 0);
		to = (int)store_col_i64(st, 1);
		store_reset(st);
		if (none) {
			/* nothing held: clear whatever was computed */
			if ((rc = store_prepare(db, est ? &q_est_clear : &q_tmp_clear, &st, err)) !=
			    CADRE_OK)
				goto out;
			store_bind_i64(st, 1, 0);
			store_bind_i64(st, 2, 999912);
			if ((rc = store_exec(st, err)) != CADRE_OK)
				goto out;
			rc = state_put(db, kind, &L.h, 0, 0, 0, clk, err);
			goto out;
		}
	}
	if ((rc = store_prepare(db, est ? &q_est_clear : &q_tmp_clear, &st, err)) != CADRE_OK)
		goto out;
	store_bind_i64(st, 1, from);
	store_bind_i64(st, 2, to);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		goto out;
	if ((rc = groups_load(db, &L.g, err)) != CADRE_OK ||
	    (rc = ccmap_load(db, &L.cc, err)) != CADRE_OK)
		goto out;
	if ((rc = store_prepare(db, est ? &q_est_rows : &q_tmp_rows, &st, err)) != CADRE_OK)
		goto out;
	store_bind_i64(st, 1, from);
	store_bind_i64(st, 2, to);
	char last_group[24] = "";
	uint16_t last_gi = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (nrows == ralloc) {
			ralloc = ralloc ? ralloc * 2 : 65536;
			rowsv = xreallocarray(rowsv, ralloc, sizeof *rowsv);
		}
		struct lrow *x = &rowsv[nrows++];
		x->node = ccmap_node(&L.cc, store_col_i64(st, 0));
		x->month = (int)store_col_i64(st, 1);
		const char *g = store_col_text(st, 2);
		if (strcmp(g, last_group) != 0) {
			(void)snprintf(last_group, sizeof last_group, "%s", g);
			last_gi = (uint16_t)group_index(&L.g, g);
		}
		x->group = last_gi;
		x->kf = est ? 0 : (uint8_t)kf_of(store_col_text(st, 3), store_col_text(st, 4));
		x->amount = llround(store_col_double(st, 5) * 100.0);
		x->shifts = store_col_i64(st, 6);
		x->pence = store_col_i64(st, 7);
	}
	if (rc != CADRE_DONE)
		goto out;
	if (nrows)
		qsort(rowsv, nrows, sizeof *rowsv, lrow_cmp);
	static const char *const ecols[] = {"node_id", "month", "staff_group", "budget_wte",
	                                    "budget_pence"};
	static const char *const tcols[] = {"node_id",   "month", "staff_group", "staffing_type",
	                                    "framework", "hours", "shifts",      "spend_pence"};
	int64_t written = 0;
	pf_index_init(&L.ix, 4096);
	for (size_t i = 0; i < nrows;) {
		int m = rowsv[i].month;
		if ((rc = anc_load(db, hier_eff(&L.h, m), &L.anc, err)) != CADRE_OK)
			goto out;
		L.nacc = 0;
		pf_index_free(&L.ix);
		pf_index_init(&L.ix, 4096);
		for (; i < nrows && rowsv[i].month == m; i++) {
			const struct lrow *x = &rowsv[i];
			size_t na;
			const int64_t *an = anc_of(&L.anc, x->node, &na);
			for (size_t k = 0; k < na; k++) {
				acc_add(&L, an[k], x->group, x->kf, x->amount, x->shifts, x->pence);
				acc_add(&L, an[k], L.g.total, x->kf, x->amount, x->shifts,
				        x->pence);
			}
		}
		if ((rc = store_bulk_begin(db,
		                           est ? "org_stats_establishment" : "org_stats_temporary",
		                           est ? ecols : tcols, est ? 5 : 8, err)) != CADRE_OK)
			goto out;
		bulk = true;
		if ((rc = ledger_emit(db, &L, kind, m, &written, err)) != CADRE_OK)
			goto out;
		bulk = false;
		if ((rc = store_bulk_end(db, NULL, err)) != CADRE_OK)
			goto out;
	}
	rep->first_month = from;
	rep->last_month = to;
	rep->rows = written;
	rc = state_put(db, kind, &L.h, from, to, written, clk, err);
out:
	if (bulk) {
		struct cadre_err ignored;
		(void)store_bulk_end(db, NULL, &ignored);
	}
	free(rowsv);
	free(L.g.code);
	free(L.cc.node);
	free(L.acc);
	pf_index_free(&L.ix);
	anc_free(&L.anc);
	rep->micros = clock_mono_us() - t0;
	return rc;
}

int orgstats_refresh_all(const struct actor *actor, struct store *db, const struct clock *clk,
                         struct cadre_err *err)
{
	int rc = orgstats_staff_refresh(actor, db, clk, NULL, err);
	if (rc == CADRE_OK)
		rc = orgstats_ledger_refresh(actor, db, ORGSTATS_ESTABLISHMENT, 0, 0, clk, NULL,
		                             err);
	if (rc == CADRE_OK)
		rc = orgstats_ledger_refresh(actor, db, ORGSTATS_TEMPORARY, 0, 0, clk, NULL, err);
	return rc;
}

int orgstats_fresh(const struct actor *actor, struct store *db, enum orgstats_kind kind,
                   bool *fresh, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct hier h;
	if ((rc = hier_get(db, &h, err)) != CADRE_OK)
		return rc;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_state_get, &st, err)) != CADRE_OK)
		return rc;
	store_bind_str(st, 1, kind_names[kind]);
	rc = store_step(st, err);
	if (rc == CADRE_DONE) {
		*fresh = true;
		return CADRE_OK;
	}
	if (rc != CADRE_OK)
		return rc;
	*fresh = store_col_i64(st, 0) == h.rebuilt_us;
	store_reset(st);
	return CADRE_OK;
}

/* ---- readers ------------------------------------------------------------------------- */

int orgstats_staff_read(const struct actor *actor, struct store *db, int64_t node_id, int month,
                        struct orgstats_staff_row **rows, size_t *n, struct cadre_err *err)
{
	*rows = NULL;
	*n = 0;
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_read_staff, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, node_id);
	store_bind_i64(st, 2, month);
	size_t alloc = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			*rows = xreallocarray(*rows, alloc, sizeof **rows);
		}
		struct orgstats_staff_row *x = &(*rows)[(*n)++];
		memset(x, 0, sizeof *x);
		(void)snprintf(x->group, sizeof x->group, "%s", store_col_text(st, 0));
		x->headcount = store_col_i64(st, 1);
		x->fte = store_col_double(st, 2);
		x->assignments = store_col_i64(st, 3);
		x->fallback_assignments = store_col_i64(st, 4);
	}
	if (rc != CADRE_DONE) {
		free(*rows);
		*rows = NULL;
		*n = 0;
		return rc;
	}
	return CADRE_OK;
}

int orgstats_money_read(const struct actor *actor, struct store *db, enum orgstats_kind kind,
                        int64_t node_id, int month, struct orgstats_money_row **rows, size_t *n,
                        struct cadre_err *err)
{
	*rows = NULL;
	*n = 0;
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st;
	if ((rc = store_prepare(db, kind == ORGSTATS_ESTABLISHMENT ? &q_read_est : &q_read_tmp, &st,
	                        err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, node_id);
	store_bind_i64(st, 2, month);
	size_t alloc = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			*rows = xreallocarray(*rows, alloc, sizeof **rows);
		}
		struct orgstats_money_row *x = &(*rows)[(*n)++];
		memset(x, 0, sizeof *x);
		(void)snprintf(x->group, sizeof x->group, "%s", store_col_text(st, 0));
		(void)snprintf(x->staffing_type, sizeof x->staffing_type, "%s",
		               store_col_text(st, 1));
		(void)snprintf(x->framework, sizeof x->framework, "%s", store_col_text(st, 2));
		x->wte_or_hours = store_col_double(st, 3);
		x->shifts = store_col_i64(st, 4);
		x->pence = store_col_i64(st, 5);
	}
	if (rc != CADRE_DONE) {
		free(*rows);
		*rows = NULL;
		*n = 0;
		return rc;
	}
	return CADRE_OK;
}

int orgstats_staff_months(const struct actor *actor, struct store *db, int *first, int *last,
                          struct cadre_err *err)
{
	*first = *last = 0;
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_state_get, &st, err)) != CADRE_OK)
		return rc;
	store_bind_str(st, 1, kind_names[ORGSTATS_STAFF]);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return CADRE_OK;
	if (rc != CADRE_OK)
		return rc;
	*first = (int)store_col_i64(st, 1);
	*last = (int)store_col_i64(st, 2);
	store_reset(st);
	return CADRE_OK;
}
