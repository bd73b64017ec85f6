/* wards: the cost-centre map and the ward/team nodes (see wards.h). */
#include "domain/wards.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "domain/audit.h"
#include "domain/orgstats.h"
#include "io/csv.h"
#include "store/store.h"

enum { W_ORG = 0, W_CC, W_CC_NAME, W_WARD, W_WARD_NAME, W_DIV, W_DIV_NAME, W_SETTING, W_NCOLS };

static const char *const colnames[W_NCOLS] = {
    "org_code",       "cost_centre_code", "cost_centre_name", "ward_team_code",
    "ward_team_name", "division_code",    "division_name",    "setting",
};

static const char *const inpatient[] = {
    "assessment_unit",
    "adult_inpatient",
    "paediatric_inpatient",
    "maternity",
    "neonatal",
    "critical_care",
    "mental_health_inpatient",
    "learning_disability_inpatient",
    "community_inpatient",
};

static const char *const other_settings[] = {
    "emergency_department",    "theatres",           "outpatients",
    "mental_health_community", "community_services", "ambulance_operations",
    "ambulance_control",       "patient_transport",  "medical_staffing",
    "clinical_support",        "corporate",          "estates_facilities",
    "commissioning",
};

static const char *const employer_kinds[] = {
    "icb", "trust", "provider", "csu", "body", "ccg", "gp_practice", "pcn", "social_care", "other"};

static const struct store_sql q_cc_all = {
    .name = "wards_cc_all",
    .sql = "SELECT id, org_id, node_id, code FROM cost_centre ORDER BY id",
};

static const struct store_sql q_cc_insert = {
    .name = "wards_cc_insert",
    .sql = "INSERT INTO cost_centre (id, org_id, code, name, node_id, setting, in_map, import_id) "
           "VALUES ($1, $2, $3, $4, $5, $6, 1, $7)",
};

static const struct store_sql q_cc_update = {
    .name = "wards_cc_update",
    .sql = "UPDATE cost_centre SET name = $2, node_id = $3, setting = $4, in_map = 1, "
           "import_id = $5 WHERE id = $1",
};

static const struct store_sql q_cc_unlist = {
    .name = "wards_cc_unlist",
    .sql = "UPDATE cost_centre SET in_map = 0 WHERE org_id = $1 AND in_map = 1 "
           "AND import_id <> $2",
};

static const struct store_sql q_node_source = {
    .name = "wards_node_source",
    .sql = "SELECT id, kind, source FROM org WHERE code = $1",
};

bool wards_setting_valid(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof inpatient / sizeof inpatient[0]; i++)
		if (strlen(inpatient[i]) == n && memcmp(inpatient[i], s, n) == 0)
			return true;
	for (size_t i = 0; i < sizeof other_settings / sizeof other_settings[0]; i++)
		if (strlen(other_settings[i]) == n && memcmp(other_settings[i], s, n) == 0)
			return true;
	return false;
}

bool wards_setting_inpatient(const char *s)
{
	for (size_t i = 0; i < sizeof inpatient / sizeof inpatient[0]; i++)
		if (strcmp(inpatient[i], s) == 0)
			return true;
	return false;
}

bool wards_employer_kind(const char *kind)
{
	for (size_t i = 0; i < sizeof employer_kinds / sizeof employer_kinds[0]; i++)
		if (strcmp(employer_kinds[i], kind) == 0)
			return true;
	return false;
}

/* ---- the index ------------------------------------------------------------------ */

static uint64_t cc_hash(int64_t org, const char *code, size_t n)
{
	return pf_hash(code, n, pf_hash(&org, sizeof org, PF_HASH_INIT));
}

int wards_index_load(const struct actor *actor, struct store *db, struct wards_index *w,
                     struct cadre_err *err)
{
	memset(w, 0, sizeof *w);
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	arena_init(&w->a, 0);
	pf_index_init(&w->ix, 1024);
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_cc_all, &st, err)) != CADRE_OK)
		return rc;
	size_t alloc = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (w->n == alloc) {
			alloc = alloc ? alloc * 2 : 1024;
			w->v = xreallocarray(w->v, alloc, sizeof *w->v);
		}
		struct wards_cc *c = &w->v[w->n];
		c->id = store_col_i64(st, 0);
		c->org_id = store_col_i64(st, 1);
		c->node_id = store_col_i64(st, 2);
		c->code = arena_strndup(&w->a, store_col_text(st, 3), store_col_len(st, 3));
		pf_index_put(&w->ix, cc_hash(c->org_id, c->code, strlen(c->code)), (uint32_t)w->n);
		w->n++;
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

const struct wards_cc *wards_index_find(const struct wards_index *w, int64_t org_id,
                                        const char *code, size_t n)
{
	if (!w->ix.cap)
		return NULL;
	struct pf_probe p = pf_index_probe(&w->ix, cc_hash(org_id, code, n));
	uint32_t i;
	while ((i = pf_index_next(&w->ix, &p)) != UINT32_MAX) {
		const struct wards_cc *c = &w->v[i];
		if (c->org_id == org_id && strlen(c->code) == n && memcmp(c->code, code, n) == 0)
			return c;
	}
	return NULL;
}

void wards_index_free(struct wards_index *w)
{
	free(w->v);
	pf_index_free(&w->ix);
	arena_free(&w->a);
	memset(w, 0, sizeof *w);
}

/* ---- the import ---------------------------------------------------------------------- */

struct wrow {
	const char *f[W_NCOLS];
	long col[W_NCOLS];
	long line;
	int64_t org_id;
	bool bad; /* a field check failed */
};

struct wimp {
	const struct actor *actor;
	const char *path;
	const struct wards_opts *opt;
	struct wards_result *res;
	struct arena a;
	struct wrow *rows;
	size_t nrows, alloc;
	int64_t now;
};

__attribute__((format(printf, 4, 5))) static void problem(struct wimp *W, const struct wrow *r,
                                                          int c, const char *fmt, ...)
{
	char reason[IMPORT_REASON_MAX];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	import_problem_add(&W->res->problems, W->path, r->line, c < 0 ? 0 : r->col[c], "%s",
	                   reason);
}

static bool local_code_ok(const char *org, const char *local)
{
	size_t n = strlen(local);
	if (!n || strlen(org) + n >= ORG_CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((local[i] >= 'A' && local[i] <= 'Z') || (local[i] >= '0' && local[i] <= '9')))
			return false;
	return true;
}

static void check_row(struct wimp *W, struct wrow *r)
{
	char shown[PF_SHOW_MAX * 2];
	for (int c = 0; c < W_NCOLS; c++) {
		const char *v = r->f[c];
		size_t n = strlen(v);
		if (!n) {
			problem(W, r, c, "%s is empty", colnames[c]);
			r->bad = true;
			continue;
		}
		pf_show(v, n, shown, sizeof shown);
		switch (c) {
		case W_ORG:
		case W_CC:
		case W_WARD:
		case W_DIV:
			if (!pf_code_ok(v, n, PF_CODE_MAX)) {
				problem(
				    W, r, c,
				    "%s '%s': not a code (1-30 letters, digits, _ / . -, starting "
				    "with a letter or digit)",
				    colnames[c], shown);
				r->bad = true;
			}
			break;
		case W_CC_NAME:
		case W_WARD_NAME:
		case W_DIV_NAME: {
			const char *s = v;
			size_t len = n;
			if (!pf_text_ok(&s, &len, 100)) {
				problem(
				    W, r, c,
				    "%s: longer than 100 characters or holds a control character",
				    colnames[c]);
				r->bad = true;
			} else {
				r->f[c] = s; /* neutralising quote dropped */
			}
			break;
		}
		case W_SETTING:
			if (!wards_setting_valid(v, n)) {
				problem(W, r, c,
				        "setting '%s': not a setting of docs/formats.md section D "
				        "(adult_inpatient, community_services, corporate, ...)",
				        shown);
				r->bad = true;
			}
			break;
		default: break;
		}
	}
	if (!r->bad) {
		if (!local_code_ok(r->f[W_ORG], r->f[W_WARD])) {
			problem(W, r, W_WARD,
			        "ward_team_code '%s': names the node %s%s in the hierarchy, which "
			        "must be at most %d capital letters and digits",
			        r->f[W_WARD], r->f[W_ORG], r->f[W_WARD], ORG_CODE_MAX - 1);
			r->bad = true;
		}
		if (!local_code_ok(r->f[W_ORG], r->f[W_DIV])) {
			problem(W, r, W_DIV,
			        "division_code '%s': names the node %s%s in the hierarchy, which "
			        "must be at most %d capital letters and digits",
			        r->f[W_DIV], r->f[W_ORG], r->f[W_DIV], ORG_CODE_MAX - 1);
			r->bad = true;
		}
	}
}

static int parse_file(struct wimp *W, struct cadre_err *err)
{
	struct pf_file pf;
	int rc = pf_file_open(W->path, &pf, err);
	if (rc != CADRE_OK)
		return rc;
	struct csv_reader *r;
	if ((rc = csv_reader_open_file(&r, pf.f, NULL, err)) != CADRE_OK) {
		pf_file_close(&pf);
		return rc;
	}
	bool header = true;
	while ((rc = csv_reader_next(r, err)) == CADRE_OK) {
		size_t n = csv_reader_count(r);
		const struct csv_field *fl = csv_reader_fields(r);
		long line = csv_reader_line(r);
		if (header) {
			header = false;
			for (size_t i = 0; i < W_NCOLS; i++) {
				if (i >= n) {
					import_problem_add(
					    &W->res->problems, W->path, line, fl[n - 1].col,
					    "header: column %zu '%s' is missing (expected %s)",
					    i + 1, colnames[i], WARDS_HEADER);
					break;
				}
				if (strcmp(fl[i].s, colnames[i]) != 0) {
					char shown[PF_SHOW_MAX * 2];
					pf_show(fl[i].s, fl[i].len, shown, sizeof shown);
					import_problem_add(
					    &W->res->problems, W->path, line, fl[i].col,
					    "header: column %zu is '%s', expected '%s' "
					    "(expected %s)",
					    i + 1, shown, colnames[i], WARDS_HEADER);
					break;
				}
			}
			if (!import_problems_total(&W->res->problems) && n > W_NCOLS) {
				char shown[PF_SHOW_MAX * 2];
				pf_show(fl[W_NCOLS].s, fl[W_NCOLS].len, shown, sizeof shown);
				import_problem_add(&W->res->problems, W->path, line,
				                   fl[W_NCOLS].col,
				                   "header: extra column %d '%s' (expected %s)",
				                   W_NCOLS + 1, shown, WARDS_HEADER);
			}
			if (import_problems_total(&W->res->problems))
				break;
			continue;
		}
		if (n != W_NCOLS) {
			import_problem_add(&W->res->problems, W->path, line,
			                   n > W_NCOLS ? fl[W_NCOLS].col : fl[n - 1].col,
			                   "%zu fields, expected %d", n, W_NCOLS);
			continue;
		}
		if (W->nrows == W->alloc) {
			W->alloc = W->alloc ? W->alloc * 2 : 1024;
			W->rows = xreallocarray(W->rows, W->alloc, sizeof *W->rows);
		}
		struct wrow *row = &W->rows[W->nrows++];
		memset(row, 0, sizeof *row);
		row->line = line;
		for (size_t i = 0; i < W_NCOLS; i++) {
			row->f[i] = arena_strndup(&W->a, fl[i].s, fl[i].len);
			row->col[i] = fl[i].col;
		}
		check_row(W, row);
	}
	if (rc == CADRE_DONE && header)
		import_problem_add(&W->res->problems, W->path, 0, 0, "empty file: no header");
	if (rc != CADRE_OK && rc != CADRE_DONE) {
		long l = 0, c = 0;
		(void)csv_reader_error_pos(r, &l, &c);
		import_problem_add(&W->res->problems, W->path, l, c, "%s",
		                   import_csv_reason(err->msg));
	}
	csv_reader_free(r);
	rc = CADRE_OK;
	if (!import_problems_total(&W->res->problems))
		rc = pf_file_finish(&pf, err);
	(void)snprintf(W->res->sha256, sizeof W->res->sha256, "%s", pf.sha256);
	pf_file_close(&pf);
	return rc;
}

/* index of row pointers sorted by a key, for the cross-row checks */
static int by_cc(const void *a, const void *b)
{
	const struct wrow *x = *(const struct wrow *const *)a, *y = *(const struct wrow *const *)b;
	int k = strcmp(x->f[W_ORG], y->f[W_ORG]);
	if (!k)
		k = strcmp(x->f[W_CC], y->f[W_CC]);
	return k ? k : (x->line < y->line ? -1 : x->line > y->line);
}

static int by_ward(const void *a, const void *b)
{
	const struct wrow *x = *(const struct wrow *const *)a, *y = *(const struct wrow *const *)b;
	int k = strcmp(x->f[W_ORG], y->f[W_ORG]);
	if (!k)
		k = strcmp(x->f[W_WARD], y->f[W_WARD]);
	return k ? k : (x->line < y->line ? -1 : x->line > y->line);
}

static int by_div(const void *a, const void *b)
{
	const struct wrow *x = *(const struct wrow *const *)a, *y = *(const struct wrow *const *)b;
	int k = strcmp(x->f[W_ORG], y->f[W_ORG]);
	if (!k)
		k = strcmp(x->f[W_DIV], y->f[W_DIV]);
	return k ? k : (x->line < y->line ? -1 : x->line > y->line);
}

static int by_line(const void *a, const void *b)
{
	const struct wrow *x = *(const struct wrow *const *)a, *y = *(const struct wrow *const *)b;
	return x->line < y->line ? -1 : x->line > y->line;
}

static bool same2(const struct wrow *a, const struct wrow *b, int c)
{
	return strcmp(a->f[W_ORG], b->f[W_ORG]) == 0 && strcmp(a->f[c], b->f[c]) == 0;
}

static void cross_checks(struct wimp *W, struct wrow **v, size_t n)
{
	qsort(v, n, sizeof(struct wrow *), by_cc);
	for (size_t i = 1; i < n; i++)
		if (same2(v[i - 1], v[i], W_CC))
			problem(W, v[i], W_CC,
			        "cost_centre_code '%s' of %s is listed twice (first at line %ld): "
			        "one cost centre belongs to one ward or team",
			        v[i]->f[W_CC], v[i]->f[W_ORG], v[i - 1]->line);
	qsort(v, n, sizeof(struct wrow *), by_ward);
	size_t first = 0;
	for (size_t i = 1; i < n; i++) {
		const struct wrow *a = v[first], *b = v[i];
		if (!same2(a, b, W_WARD)) {
			first = i;
			continue;
		}
		for (int c = W_WARD_NAME; c <= W_SETTING; c++)
			if (strcmp(a->f[c], b->f[c]) != 0) {
				problem(W, b, c,
				        "ward_team_code '%s' of %s has another %s than on line "
				        "%ld: the "
				        "rows of one ward or team agree on ward_team_name, "
				        "division_code, division_name and setting",
				        b->f[W_WARD], b->f[W_ORG], colnames[c], a->line);
				break;
			}
	}
	/* v is by ward now: a division code that is also a ward code of the
	 * same organisation would name the same node */
	struct wrow **byw = xcalloc(n + 1, sizeof(struct wrow *));
	memcpy(byw, v, n * sizeof(struct wrow *));
	qsort(v, n, sizeof(struct wrow *), by_div);
	first = 0;
	for (size_t i = 0; i < n; i++) {
		const struct wrow *b = v[i];
		if (i > 0 && same2(v[first], b, W_DIV)) {
			if (strcmp(v[first]->f[W_DIV_NAME], b->f[W_DIV_NAME]) != 0)
				problem(
				    W, b, W_DIV_NAME,
				    "division_code '%s' of %s has another name than on line %ld: "
				    "one name per division",
				    b->f[W_DIV], b->f[W_ORG], v[first]->line);
			continue;
		}
		first = i;
		struct wrow key;
		memset(&key, 0, sizeof key);
		key.f[W_ORG] = b->f[W_ORG];
		key.f[W_WARD] = b->f[W_DIV];
		key.line = 0;
		const struct wrow *kp = &key;
		/* the first row of that ward code, if any (line 0 sorts first) */
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (by_ward(&byw[mid], &kp) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && same2(byw[lo], &key, W_WARD))
			problem(
			    W, b, W_DIV,
			    "division_code '%s' of %s is also a ward_team_code (line %ld): they "
			    "would name the same node",
			    b->f[W_DIV], b->f[W_ORG], byw[lo]->line);
	}
	free(byw);
}

/* node: a division or ward/team to put. */
struct wnode {
	char code[ORG_CODE_MAX];
	const char *kind;
	const char *name;
	char source[ORG_CODE_MAX + 16];
	const struct wrow *row; /* first row naming it */
	int col;
	int64_t id;
	int64_t parent_id;
	struct wnode *parent;
};

struct worg {
	char code[ORG_CODE_MAX];
	int64_t id;
	char source[ORG_CODE_MAX + 16];
};

struct wtx {
	struct wimp *W;
	struct wrow **v;
	size_t n;
};

static int node_check(struct wimp *W, struct store *db, struct wnode *x, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_node_source, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, x->code);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return CADRE_OK;
	if (rc != CADRE_OK)
		return rc;
	const char *kind = store_col_text(st, 1);
	const char *source = store_col_text(st, 2);
	bool ours = strcmp(source, x->source) == 0 &&
	            (strcmp(x->kind, "division") == 0
	                 ? strcmp(kind, "division") == 0
	                 : strcmp(kind, "ward") == 0 || strcmp(kind, "team") == 0);
	if (!ours)
		problem(W, x->row, x->col,
		        "%s '%s' would be the node %s, which already exists as a %s (from %s)",
		        colnames[x->col], x->row->f[x->col], x->code, kind, source);
	store_reset(st);
	return CADRE_OK;
}

static int worg_cmp(const void *a, const void *b)
{
	return strcmp(((const struct worg *)a)->code, ((const struct worg *)b)->code);
}

static int wnode_cmp(const void *a, const void *b)
{
	return strcmp(((const struct wnode *)a)->code, ((const struct wnode *)b)->code);
}

static int import_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct wtx *T = arg;
	struct wimp *W = T->W;
	struct wards_result *res = W->res;
	const struct wards_opts *opt = W->opt;
	import_problems_clear(&res->problems);
	res->cost_centres_new = res->cost_centres_updated = res->cost_centres_unlisted = 0;
	res->divisions_new = res->wards_new = res->teams_new = res->edges = res->orgs = 0;
	struct org_index ix = {0};
	struct wards_index cc = {0};
	struct worg *orgs = xcalloc(T->n + 1, sizeof *orgs);
	struct wnode *nodes = xcalloc(2 * T->n + 1, sizeof *nodes);
	struct org_edge_new *edges = xcalloc(2 * T->n + 1, sizeof *edges);
	size_t norgs = 0, nnodes = 0;
	int rc = org_index_load(W->actor, db, &ix, err);
	if (rc != CADRE_OK)
		goto out;
	/* organisations */
	for (size_t i = 0; i < T->n; i++) {
		struct wrow *r = T->v[i];
		const struct org_index_entry *e = org_index_find(&ix, r->f[W_ORG]);
		if (!e) {
			problem(W, r, W_ORG,
			        "org_code '%s': no such organisation (data/ods, or loaded "
			        "organisations)",
			        r->f[W_ORG]);
			continue;
		}
		if (!wards_employer_kind(e->kind)) {
			problem(W, r, W_ORG, "org_code '%s' is a %s, not an employer", r->f[W_ORG],
			        e->kind);
			continue;
		}
		r->org_id = e->id;
		bool seen = false;
		for (size_t k = 0; k < norgs && !seen; k++)
			seen = orgs[k].id == e->id;
		if (!seen) {
			struct worg *o = &orgs[norgs++];
			(void)snprintf(o->code, sizeof o->code, "%s", e->code);
			o->id = e->id;
			(void)snprintf(o->source, sizeof o->source, "%s%s", WARDS_SOURCE_PREFIX,
			               e->code);
		}
	}
	if (import_problems_total(&res->problems))
		goto check;
	qsort(orgs, norgs, sizeof *orgs, worg_cmp);
	res->orgs = (int64_t)norgs;
	/* the nodes: every row names a division and a ward or team; sorted by
	 * code (rows come by line within a code), each checked once */
	for (size_t i = 0; i < T->n; i++) {
		const struct wrow *r = T->v[i];
		for (int pass = 0; pass < 2; pass++) {
			int c = pass == 0 ? W_DIV : W_WARD;
			struct wnode *x = &nodes[nnodes++];
			(void)snprintf(x->code, sizeof x->code, "%s%s", r->f[W_ORG], r->f[c]);
			x->kind = pass == 0                                  ? "division"
			          : wards_setting_inpatient(r->f[W_SETTING]) ? "ward"
			                                                     : "team";
			x->name = r->f[pass == 0 ? W_DIV_NAME : W_WARD_NAME];
			(void)snprintf(x->source, sizeof x->source, "%s%s", WARDS_SOURCE_PREFIX,
			               r->f[W_ORG]);
			x->row = r;
			x->col = c;
			x->parent_id = pass == 0 ? r->org_id : 0;
		}
	}
	qsort(nodes, nnodes, sizeof *nodes, wnode_cmp);
	size_t u = 0;
	for (size_t k = 0; k < nnodes; k++) {
		if (u && strcmp(nodes[u - 1].code, nodes[k].code) == 0) {
			if (nodes[k].row->line < nodes[u - 1].row->line)
				nodes[u - 1] = nodes[k];
			continue;
		}
		nodes[u++] = nodes[k];
	}
	nnodes = u;
	for (size_t k = 0; k < nnodes; k++)
		if ((rc = node_check(W, db, &nodes[k], err)) != CADRE_OK)
			goto out;
check:
	if (import_problems_total(&res->problems)) {
		rc = import_problems_fail(&res->problems, err);
		goto out;
	}
	int64_t import_id;
	if ((rc = pf_next_id(db, PF_T_IMPORT, &import_id, err)) != CADRE_OK)
		goto out;
	/* put the nodes: divisions, then wards and teams under them */
	for (size_t k = 0; k < nnodes; k++) {
		struct wnode *x = &nodes[k];
		if (strcmp(x->kind, "division") != 0)
			continue;
		struct org_new nn = {
		    .code = x->code, .kind = x->kind, .name = x->name, .source = x->source};
		bool created;
		if ((rc = org_put(W->actor, db, &nn, true, &x->id, &created, err)) != CADRE_OK)
			goto out;
		res->divisions_new += created;
	}
	for (size_t k = 0; k < nnodes; k++) {
		struct wnode *x = &nodes[k];
		if (strcmp(x->kind, "division") == 0)
			continue;
		struct org_new nn = {
		    .code = x->code, .kind = x->kind, .name = x->name, .source = x->source};
		bool created;
		if ((rc = org_put(W->actor, db, &nn, true, &x->id, &created, err)) != CADRE_OK)
			goto out;
		if (strcmp(x->kind, "ward") == 0)
			res->wards_new += created;
		else
			res->teams_new += created;
		char dcode[ORG_CODE_MAX];
		(void)snprintf(dcode, sizeof dcode, "%s%s", x->row->f[W_ORG], x->row->f[W_DIV]);
		struct wnode key;
		memset(&key, 0, sizeof key);
		(void)snprintf(key.code, sizeof key.code, "%s", dcode);
		const struct wnode *d = bsearch(&key, nodes, nnodes, sizeof *nodes, wnode_cmp);
		x->parent_id = d ? d->id : 0;
	}
	/* edges, one source per organisation: this month's replaced */
	for (size_t o = 0; o < norgs; o++) {
		if ((rc = org_edges_clear(W->actor, db, orgs[o].source, res->from_month, NULL,
		                          err)) != CADRE_OK)
			goto out;
		size_t ne = 0;
		for (size_t k = 0; k < nnodes; k++) {
			const struct wnode *x = &nodes[k];
			if (strcmp(x->source, orgs[o].source) != 0 || !x->parent_id)
				continue;
			edges[ne++] =
			    (struct org_edge_new){x->id, x->parent_id, res->from_month, 0};
		}
		if (ne && (rc = org_edges_put_many(W->actor, db, edges, ne, ORG_EDGE_SNAPSHOT,
		                                   orgs[o].source, err)) != CADRE_OK)
			goto out;
		res->edges += (int64_t)ne;
	}
	/* cost centres */
	if ((rc = wards_index_load(W->actor, db, &cc, err)) != CADRE_OK)
		goto out;
	int64_t next_cc;
	if ((rc = pf_next_id(db, PF_T_COST_CENTRE, &next_cc, err)) != CADRE_OK)
		goto out;
	for (size_t i = 0; i < T->n; i++) {
		const struct wrow *r = T->v[i];
		char wcode[ORG_CODE_MAX];
		(void)snprintf(wcode, sizeof wcode, "%s%s", r->f[W_ORG], r->f[W_WARD]);
		struct wnode key;
		memset(&key, 0, sizeof key);
		(void)snprintf(key.code, sizeof key.code, "%s", wcode);
		const struct wnode *wn = bsearch(&key, nodes, nnodes, sizeof *nodes, wnode_cmp);
		const struct wards_cc *old =
		    wards_index_find(&cc, r->org_id, r->f[W_CC], strlen(r->f[W_CC]));
		struct store_stmt *st;
		if ((rc = store_prepare(db, old ? &q_cc_update : &q_cc_insert, &st, err)) !=
		    CADRE_OK)
			goto out;
		if (old) {
			store_bind_i64(st, 1, old->id);
			store_bind_str(st, 2, r->f[W_CC_NAME]);
			store_bind_i64(st, 3, wn ? wn->id : 0);
			store_bind_str(st, 4, r->f[W_SETTING]);
			store_bind_i64(st, 5, import_id);
			res->cost_centres_updated++;
		} else {
			store_bind_i64(st, 1, next_cc++);
			store_bind_i64(st, 2, r->org_id);
			store_bind_str(st, 3, r->f[W_CC]);
			store_bind_str(st, 4, r->f[W_CC_NAME]);
			store_bind_i64(st, 5, wn ? wn->id : 0);
			store_bind_str(st, 6, r->f[W_SETTING]);
			store_bind_i64(st, 7, import_id);
			res->cost_centres_new++;
		}
		if ((rc = store_exec(st, err)) != CADRE_OK)
			goto out;
	}
	for (size_t o = 0; o < norgs; o++) {
		struct store_stmt *st;
		if ((rc = store_prepare(db, &q_cc_unlist, &st, err)) != CADRE_OK)
			goto out;
		store_bind_i64(st, 1, orgs[o].id);
		store_bind_i64(st, 2, import_id);
		if ((rc = store_exec(st, err)) != CADRE_OK)
			goto out;
		res->cost_centres_unlisted += store_changes(st);
	}
	if ((rc = pf_import_record(W->actor, db, import_id, "cost_centres", W->path, res->sha256,
	                           (int64_t)T->n, res->cost_centres_new + res->cost_centres_updated,
	                           W->now, err)) != CADRE_OK)
		goto out;
	if ((rc = org_hierarchy_rebuild(W->actor, db, opt->clk, &res->rebuild, err)) != CADRE_OK)
		goto out;
	if ((rc = orgstats_refresh_all(W->actor, db, opt->clk, err)) != CADRE_OK)
		goto out;
	if (!opt->dry_run) {
		char fm[DATE_MONTH_SIZE];
		date_month_format(res->from_month, fm);
		json_t *extra = json_pack(
		    "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "from_month", fm,
		    "organisations", (json_int_t)res->orgs, "cost_centres_new",
		    (json_int_t)res->cost_centres_new, "cost_centres_updated",
		    (json_int_t)res->cost_centres_updated, "cost_centres_unlisted",
		    (json_int_t)res->cost_centres_unlisted, "divisions_new",
		    (json_int_t)res->divisions_new, "wards_new", (json_int_t)res->wards_new,
		    "teams_new", (json_int_t)res->teams_new, "edges", (json_int_t)res->edges);
		rc = pf_import_audit(W->actor, db, opt->audit_key, "cost_centres", W->path,
		                     res->sha256, (int64_t)T->n, extra, import_id, W->now,
		                     &res->audit_seq, err);
		json_decref(extra);
	}
out:
	org_index_free(&ix);
	wards_index_free(&cc);
	free(orgs);
	free(nodes);
	free(edges);
	return rc;
}

int wards_import(const struct actor *actor, struct store *db, const char *path,
                 const struct wards_opts *opt, struct wards_result *res, struct cadre_err *err)
{
	memset(res, 0, sizeof *res);
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!actor_is_system(actor))
		return cadre_err_set(err, CADRE_EPERM,
		                     "only the system imports the cost-centre map");
	if (!opt->dry_run && !opt->audit_key)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "no audit key: an import is audited (set secrets.audit_key)");
	int64_t t0 = clock_mono_us();
	struct wimp W;
	memset(&W, 0, sizeof W);
	W.actor = actor;
	W.path = path;
	W.opt = opt;
	W.res = res;
	W.now = clock_now(opt->clk);
	res->from_month =
	    opt->from_month ? opt->from_month : date_month_of(date_ts_date(clock_now(opt->clk)));
	arena_init(&W.a, (size_t)256 * 1024);
	struct wrow **v = NULL;
	if ((rc = parse_file(&W, err)) != CADRE_OK)
		goto out;
	res->rows = (int64_t)W.nrows;
	v = xcalloc(W.nrows + 1, sizeof(struct wrow *));
	size_t n = 0;
	for (size_t i = 0; i < W.nrows; i++)
		if (!W.rows[i].bad)
			v[n++] = &W.rows[i];
	cross_checks(&W, v, n);
	qsort(v, n, sizeof(struct wrow *), by_line);
	if (import_problems_total(&res->problems)) {
		rc = import_problems_fail(&res->problems, err);
		goto out;
	}
	if (!n) {
		import_problem_add(&res->problems, path, 0, 0, "no cost centres in the file");
		rc = import_problems_fail(&res->problems, err);
		goto out;
	}
	struct wtx T = {&W, v, n};
	rc = import_run(db, opt->dry_run, import_tx, &T, err);
out:
	res->micros = clock_mono_us() - t0;
	free(v);
	free(W.rows);
	arena_free(&W.a);
	return rc;
}

/* ---- organisations a demo directory names ------------------------------------------ */

struct demo_org {
	char code[ORG_CODE_MAX];
	char name[ORG_NAME_MAX];
	char icb[ORG_CODE_MAX];
	const char *kind;
	long line;
};

struct demo_tx {
	const struct actor *actor;
	struct demo_org *v;
	size_t n;
	int month;
	const struct clock *clk;
	const unsigned char *key;
	const char *path;
	const char *sha256;
	int64_t created;
	int64_t audit_seq;
};

static int demo_tx_fn(struct store *db, void *arg, struct cadre_err *err)
{
	struct demo_tx *D = arg;
	D->created = 0;
	struct org_index ix = {0};
	struct org_edge_new *edges = xcalloc(D->n + 1, sizeof *edges);
	size_t ne = 0;
	int rc = org_index_load(D->actor, db, &ix, err);
	for (size_t i = 0; i < D->n && rc == CADRE_OK; i++) {
		struct demo_org *o = &D->v[i];
		if (org_index_find(&ix, o->code))
			continue;
		const struct org_index_entry *icb = org_index_find(&ix, o->icb);
		if (!icb) {
			rc = cadre_err_set(err, CADRE_EINVAL, "%s:%ld: icb_code '%s': no such ICB",
			                   D->path, o->line, o->icb);
			break;
		}
		struct org_new nn = {.code = o->code,
		                     .kind = o->kind,
		                     .name = o->name,
		                     .source = "demo:organisations"};
		int64_t id;
		bool created;
		if ((rc = org_put(D->actor, db, &nn, false, &id, &created, err)) != CADRE_OK)
			break;
		org_index_add(&ix, o->code, o->kind, id);
		D->created += created;
		edges[ne++] = (struct org_edge_new){id, icb->id, D->month, 0};
	}
	if (rc == CADRE_OK && ne) {
		rc = org_edges_clear(D->actor, db, "demo:organisations", D->month, NULL, err);
		if (rc == CADRE_OK)
			rc = org_edges_put_many(D->actor, db, edges, ne, ORG_EDGE_SNAPSHOT,
			                        "demo:organisations", err);
		if (rc == CADRE_OK)
			rc = org_hierarchy_rebuild(D->actor, db, D->clk, NULL, err);
		/* like every import that rebuilds the hierarchy: the kept
		 * statistics follow it in the same transaction */
		if (rc == CADRE_OK)
			rc = orgstats_refresh_all(D->actor, db, D->clk, err);
		if (rc == CADRE_OK && D->key) {
			json_t *payload =
			    json_pack("{s:s, s:s, s:I}", "file", import_basename(D->path), "sha256",
			              D->sha256, "created", (json_int_t)D->created);
			struct audit_change ch = {.at_us = clock_now(D->clk),
			                          .action = "demo.organisations",
			                          .object = "org:demo",
			                          .payload = payload};
			rc = audit_append(D->actor, db, D->key, &ch, &D->audit_seq, err);
			json_decref(payload);
		}
	}
	free(edges);
	org_index_free(&ix);
	return rc;
}

int wards_demo_organisations(const struct actor *actor, struct store *db, const char *path,
                             int month, const unsigned char *audit_key, const struct clock *clk,
                             int64_t *created, struct cadre_err *err)
{
	*created = 0;
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!actor_is_system(actor))
		return cadre_err_set(err, CADRE_EPERM, "only the system loads demo organisations");
	struct pf_file pf;
	if ((rc = pf_file_open(path, &pf, err)) != CADRE_OK)
		return rc;
	struct csv_reader *r;
	if ((rc = csv_reader_open_file(&r, pf.f, NULL, err)) != CADRE_OK) {
		pf_file_close(&pf);
		return rc;
	}
	static const char *const want[] = {"org_code", "org_name",    "org_type",
	                                   "icb_code", "region_code", "target_fte"};
	struct demo_org *v = NULL;
	size_t n = 0, alloc = 0;
	bool header = true;
	while ((rc = csv_reader_next(r, err)) == CADRE_OK) {
		size_t nf = csv_reader_count(r);
		const struct csv_field *fl = csv_reader_fields(r);
		long line = csv_reader_line(r);
		if (nf != 6) {
			rc = cadre_err_set(err, CADRE_EINVAL, "%s:%ld: %zu fields, expected 6",
			                   path, line, nf);
			break;
		}
		if (header) {
			header = false;
			for (size_t i = 0; i < 6 && rc == CADRE_OK; i++)
				if (strcmp(fl[i].s, want[i]) != 0)
					rc = cadre_err_set(err, CADRE_EINVAL,
					                   "%s:%ld:%ld: header: expected %s", path,
					                   line, fl[i].col, want[i]);
			if (rc != CADRE_OK)
				break;
			continue;
		}
		if (!org_code_valid(fl[0].s, fl[0].len) || !org_code_valid(fl[3].s, fl[3].len) ||
		    !fl[1].len || fl[1].len >= ORG_NAME_MAX) {
			rc = cadre_err_set(err, CADRE_EINVAL,
			                   "%s:%ld: org_code, org_name or icb_code is not valid",
			                   path, line);
			break;
		}
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			v = xreallocarray(v, alloc, sizeof *v);
		}
		struct demo_org *o = &v[n++];
		memset(o, 0, sizeof *o);
		memcpy(o->code, fl[0].s, fl[0].len);
		memcpy(o->name, fl[1].s, fl[1].len);
		memcpy(o->icb, fl[3].s, fl[3].len);
		o->line = line;
		o->kind = strcmp(fl[2].s, "icb") == 0 ? "icb"
		          : (fl[0].len == 3 && (fl[0].s[0] == 'R' || fl[0].s[0] == 'T'))
		              ? "trust"
		              : "provider";
	}
	csv_reader_free(r);
	if (rc == CADRE_DONE)
		rc = pf_file_finish(&pf, err);
	if (rc == CADRE_OK) {
		struct demo_tx D = {actor, v, n, month, clk, audit_key, path, pf.sha256, 0, 0};
		rc = store_tx_run(db, STORE_TX_WRITE, demo_tx_fn, &D, err);
		*created = D.created;
	}
	pf_file_close(&pf);
	free(v);
	return rc;
}
