/* org: the dated hierarchy (see org.h and docs/organisations.md). */
#include "domain/org.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "store/store.h"

/* ---- statements -------------------------------------------------------- */

#define ORG_COLS "o.id, o.code, o.kind, o.name, o.org_type, o.open_date, o.close_date"

static const struct store_sql q_org_by_code = {
    .name = "org_by_code",
    .sql = "SELECT " ORG_COLS " FROM org o WHERE o.code = $1",
};

static const struct store_sql q_org_insert = {
    .name = "org_insert",
    .sql = "INSERT INTO org (id, code, kind, name, org_type, postcode, open_date, close_date, "
           "source) SELECT COALESCE(MAX(id), 0) + 1, $1, $2, $3, $4, $5, $6, $7, $8 FROM org "
           "RETURNING id",
};

static const struct store_sql q_org_update = {
    .name = "org_update",
    .sql = "UPDATE org SET kind = $2, name = $3, org_type = $4, postcode = $5, open_date = $6, "
           "close_date = $7, source = $8 WHERE id = $1",
};

static const struct store_sql q_edge_insert = {
    .name = "org_edge_insert",
    .sql = "INSERT INTO org_edge (child_id, parent_id, kind, from_month, to_month, source) "
           "VALUES ($1, $2, $3, $4, $5, $6)",
};

static const struct store_sql q_edge_clear = {
    .name = "org_edge_clear",
    .sql = "DELETE FROM org_edge WHERE source = $1",
};

static const struct store_sql q_edge_clear_month = {
    .name = "org_edge_clear_month",
    .sql = "DELETE FROM org_edge WHERE source = $1 AND from_month = $2",
};

static const struct store_sql q_nodes = {
    .name = "org_nodes",
    .sql = "SELECT id, code, kind FROM org ORDER BY id",
};

static const struct store_sql q_edges = {
    .name = "org_edges",
    .sql = "SELECT child_id, parent_id, kind, from_month, to_month, source FROM org_edge "
           "ORDER BY child_id, from_month, source",
};

static const struct store_sql q_edges_of = {
    .name = "org_edges_of",
    .sql = "SELECT child_id, parent_id, kind, from_month, to_month, source FROM org_edge "
           "WHERE child_id = $1 ORDER BY from_month, source",
};

static const struct store_sql q_data_months = {
    .name = "org_data_months",
    .sql = "SELECT MIN(m), MAX(m) FROM ("
           "SELECT MIN(month) AS m FROM sickness_absence UNION ALL "
           "SELECT MAX(month) FROM sickness_absence UNION ALL "
           "SELECT MIN(month) FROM staff_in_post UNION ALL "
           "SELECT MAX(month) FROM staff_in_post) x",
};

static const struct store_sql q_anc_clear = {
    .name = "org_ancestor_clear",
    .sql = "DELETE FROM org_ancestor",
};

static const struct store_sql q_hier_put = {
    .name = "org_hierarchy_put",
    .sql = "INSERT INTO org_hierarchy (id, first_month, last_month, nodes, ancestor_rows, "
           "rebuilt_us) VALUES (1, $1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET "
           "first_month = excluded.first_month, last_month = excluded.last_month, "
           "nodes = excluded.nodes, ancestor_rows = excluded.ancestor_rows, "
           "rebuilt_us = excluded.rebuilt_us",
};

static const struct store_sql q_hier_get = {
    .name = "org_hierarchy_get",
    .sql = "SELECT first_month, last_month FROM org_hierarchy WHERE id = 1",
};

static const struct store_sql q_chain = {
    .name = "org_chain",
    .sql = "SELECT " ORG_COLS ", a.depth, a.flags FROM org_ancestor a "
           "JOIN org o ON o.id = a.ancestor_id "
           "WHERE a.month = $1 AND a.node_id = $2 AND a.depth > 0 ORDER BY a.depth",
};

static const struct store_sql q_children = {
    .name = "org_children",
    .sql = "SELECT " ORG_COLS ", a.depth, a.flags FROM org_ancestor a "
           "JOIN org o ON o.id = a.node_id "
           "WHERE a.month = $1 AND a.ancestor_id = $2 AND a.depth = 1 ORDER BY o.code",
};

static const struct store_sql q_within = {
    .name = "org_within",
    .sql = "SELECT COUNT(*) FROM org_ancestor WHERE node_id = $1 AND ancestor_id = $2 "
           "AND month BETWEEN $3 AND $4",
};

static const struct store_sql q_within_any = {
    .name = "org_within_any",
    .sql = "SELECT COUNT(*) FROM org_ancestor WHERE node_id = $1 AND ancestor_id = $2",
};

static const struct store_sql q_index = {
    .name = "org_index",
    .sql = "SELECT code, kind, id FROM org ORDER BY code",
};

/* ---- small helpers ----------------------------------------------------- */

static const char *const kinds[] = {
    "nation", "region",      "icb",  "trust",       "provider",    "csu",
    "body",   "ccg",         "site", "division",    "cost_centre", "ward",
    "team",   "gp_practice", "pcn",  "social_care", "other",
};

bool org_kind_valid(const char *kind)
{
	if (!kind)
		return false;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return true;
	return false;
}

bool org_code_valid(const char *code, size_t len)
{
	if (!code || len == 0 || len >= ORG_CODE_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = code[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return false;
	}
	return true;
}

static void col_copy(char *dst, size_t n, struct store_stmt *st, int col)
{
	const char *s = store_col_is_null(st, col) ? "" : store_col_text(st, col);
	size_t len = strlen(s);
	if (len >= n)
		len = n - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* read_node: the ORG_COLS columns starting at col into n. */
static void read_node(struct store_stmt *st, int col, struct org_node *n)
{
	memset(n, 0, sizeof *n);
	n->id = store_col_i64(st, col);
	col_copy(n->code, sizeof n->code, st, col + 1);
	col_copy(n->kind, sizeof n->kind, st, col + 2);
	col_copy(n->name, sizeof n->name, st, col + 3);
	col_copy(n->org_type, sizeof n->org_type, st, col + 4);
	col_copy(n->open_date, sizeof n->open_date, st, col + 5);
	col_copy(n->close_date, sizeof n->close_date, st, col + 6);
}

static void bind_opt(struct store_stmt *st, int idx, const char *s)
{
	if (s && *s)
		store_bind_str(st, idx, s);
	else
		store_bind_null(st, idx);
}

static const char *edge_kind_name(enum org_edge_kind k)
{
	return k == ORG_EDGE_PUBLISHED ? "published" : "snapshot";
}

static enum org_edge_kind edge_kind_parse(const char *s)
{
	return strcmp(s, "published") == 0 ? ORG_EDGE_PUBLISHED : ORG_EDGE_SNAPSHOT;
}

/* ---- the rule ---------------------------------------------------------- */

/* better: does a outrank b when both are candidates for the same month?  A
 * later observation wins; at the same month a published edge beats a
 * snapshot; then the source name decides, so the answer never depends on
 * the order rows came back in. */
static bool better(const struct org_obs *a, const struct org_obs *b)
{
	if (a->from_month != b->from_month)
		return a->from_month > b->from_month;
	if (a->kind != b->kind)
		return a->kind == ORG_EDGE_PUBLISHED;
	return strcmp(a->source ? a->source : "", b->source ? b->source : "") < 0;
}

/* earlier: for the earliest-known rule, the first observation; at the same
 * month the same tie-breaks as better. */
static bool earlier(const struct org_obs *a, const struct org_obs *b)
{
	if (a->from_month != b->from_month)
		return a->from_month < b->from_month;
	if (a->kind != b->kind)
		return a->kind == ORG_EDGE_PUBLISHED;
	return strcmp(a->source ? a->source : "", b->source ? b->source : "") < 0;
}

int org_resolve_parent(const struct org_obs *obs, size_t n, int month, int *flags)
{
	*flags = 0;
	int best = -1;
	int first = -1;
	for (size_t i = 0; i < n; i++) {
		if (first < 0 || earlier(&obs[i], &obs[first]))
			first = (int)i;
		if (obs[i].from_month > month)
			continue;
		if (best < 0 || better(&obs[i], &obs[best]))
			best = (int)i;
	}
	if (best >= 0)
		return best;
	if (first >= 0)
		*flags = ORG_FLAG_EARLIEST;
	return first;
}

/* ---- writers ------------------------------------------------------------ */

int org_put(const struct actor *actor, struct store *db, const struct org_new *n, bool update,
            int64_t *id, bool *created, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	*id = 0;
	if (created)
		*created = false;
	if (!n->code || !org_code_valid(n->code, strlen(n->code)))
		return cadre_err_set(err, CADRE_EINVAL,
		                     "organisation code '%s' is not 1-%d letters "
		                     "and digits",
		                     n->code ? n->code : "", ORG_CODE_MAX - 1);
	if (!org_kind_valid(n->kind))
		return cadre_err_set(err, CADRE_EINVAL, "organisation %s: unknown kind '%s'",
		                     n->code, n->kind ? n->kind : "");
	if (!n->name || !*n->name)
		return cadre_err_set(err, CADRE_EINVAL, "organisation %s: empty name", n->code);
	if (!n->source || !*n->source)
		return cadre_err_set(err, CADRE_EINVAL, "organisation %s: no source", n->code);
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_org_by_code, &st, err)) != CADRE_OK)
		return rc;
	store_bind_str(st, 1, n->code);
	rc = store_step(st, err);
	if (rc == CADRE_OK) {
		*id = store_col_i64(st, 0);
		store_reset(st);
		if (!update)
			return CADRE_OK;
		if ((rc = store_prepare(db, &q_org_update, &st, err)) != CADRE_OK)
			return rc;
		store_bind_i64(st, 1, *id);
	} else if (rc == CADRE_DONE) {
		if ((rc = store_prepare(db, &q_org_insert, &st, err)) != CADRE_OK)
			return rc;
		store_bind_str(st, 1, n->code);
	} else {
		return rc;
	}
	store_bind_str(st, 2, n->kind);
	store_bind_str(st, 3, n->name);
	bind_opt(st, 4, n->org_type);
	bind_opt(st, 5, n->postcode);
	bind_opt(st, 6, n->open_date);
	bind_opt(st, 7, n->close_date);
	store_bind_str(st, 8, n->source);
	if (*id)
		return store_exec(st, err);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_EINTERNAL, "org_insert returned no id");
	if (rc != CADRE_OK)
		return rc;
	*id = store_col_i64(st, 0);
	while ((rc = store_step(st, err)) == CADRE_OK) {
	}
	if (rc != CADRE_DONE)
		return rc;
	if (created)
		*created = true;
	return CADRE_OK;
}

int org_edge_put(const struct actor *actor, struct store *db, int64_t child, int64_t parent,
                 enum org_edge_kind kind, int from_month, int to_month, const char *source,
                 struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (child == parent)
		return cadre_err_set(err, CADRE_EINVAL, "an organisation cannot be its own parent");
	if (!date_month_valid(from_month) || (to_month && !date_month_valid(to_month)) ||
	    (to_month && to_month < from_month))
		return cadre_err_set(err, CADRE_EINVAL, "edge months %d..%d are not valid",
		                     from_month, to_month);
	if (kind == ORG_EDGE_PUBLISHED && !to_month)
		return cadre_err_set(err, CADRE_EINVAL, "a published edge needs its last month");
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_edge_insert, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, child);
	store_bind_i64(st, 2, parent);
	store_bind_str(st, 3, edge_kind_name(kind));
	store_bind_i64(st, 4, from_month);
	if (to_month)
		store_bind_i64(st, 5, to_month);
	else
		store_bind_null(st, 5);
	store_bind_str(st, 6, source);
	return store_exec(st, err);
}

/* edge_check: the rules org_edge_put applies to one edge. */
static int edge_check(int64_t child, int64_t parent, enum org_edge_kind kind, int from_month,
                      int to_month, struct cadre_err *err)
{
	if (child == parent)
		return cadre_err_set(err, CADRE_EINVAL, "an organisation cannot be its own parent");
	if (!date_month_valid(from_month) || (to_month && !date_month_valid(to_month)) ||
	    (to_month && to_month < from_month))
		return cadre_err_set(err, CADRE_EINVAL, "edge months %d..%d are not valid",
		                     from_month, to_month);
	if (kind == ORG_EDGE_PUBLISHED && !to_month)
		return cadre_err_set(err, CADRE_EINVAL, "a published edge needs its last month");
	return CADRE_OK;
}

int org_edges_put_many(const struct actor *actor, struct store *db, const struct org_edge_new *v,
                       size_t n, enum org_edge_kind kind, const char *source, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		if ((rc = edge_check(v[i].child, v[i].parent, kind, v[i].from_month, v[i].to_month,
		                     err)) != CADRE_OK)
			return rc;
	if (!n)
		return CADRE_OK;
	static const char *const cols[] = {"child_id",   "parent_id", "kind",
	                                   "from_month", "to_month",  "source"};
	if ((rc = store_bulk_begin(db, "org_edge", cols, 6, err)) != CADRE_OK)
		return rc;
	const char *k = edge_kind_name(kind);
	for (size_t i = 0; i < n; i++) {
		struct store_value row[6] = {
		    STORE_V_I64(v[i].child),
		    STORE_V_I64(v[i].parent),
		    STORE_V_TEXT(k, strlen(k)),
		    STORE_V_I64(v[i].from_month),
		    v[i].to_month ? STORE_V_I64(v[i].to_month) : STORE_V_NULL,
		    STORE_V_TEXT(source, strlen(source)),
		};
		if ((rc = store_bulk_row(db, row, err)) != CADRE_OK)
			return rc;
	}
	return store_bulk_end(db, NULL, err);
}

int org_edges_clear(const struct actor *actor, struct store *db, const char *source, int month,
                    int64_t *removed, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st;
	rc = store_prepare(db, month ? &q_edge_clear_month : &q_edge_clear, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, source);
	if (month)
		store_bind_i64(st, 2, month);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	if (removed)
		*removed = store_changes(st);
	return CADRE_OK;
}

/* ---- rebuild ------------------------------------------------------------- */

struct rb_edge {
	int child; /* node index */
	struct org_obs obs;
};

struct rebuild {
	struct arena arena;
	int64_t *ids; /* node index -> id */
	size_t nnodes;
	int *pos; /* id -> node index + 1 (0: none) */
	int64_t maxid;
	int root;            /* node index of ENG, or -1 */
	struct org_obs *obs; /* all observations, grouped by child */
	size_t nobs;
	size_t *obs_start; /* per node: first observation */
	size_t *obs_count;
	int *parent; /* per node, for the month being built: node index or -1 */
	int *pflags;
};

static void rebuild_free(struct rebuild *r)
{
	arena_free(&r->arena);
	free(r->ids);
	free(r->pos);
	free(r->obs);
	free(r->obs_start);
	free(r->obs_count);
	free(r->parent);
	free(r->pflags);
}

static int rebuild_load(struct store *db, struct rebuild *r, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_nodes, &st, err);
	if (rc != CADRE_OK)
		return rc;
	size_t alloc = 0;
	r->root = -1;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (r->nnodes == alloc) {
			alloc = alloc ? alloc * 2 : 1024;
			r->ids = xreallocarray(r->ids, alloc, sizeof *r->ids);
		}
		int64_t id = store_col_i64(st, 0);
		if (id <= 0 || id > INT32_MAX)
			return cadre_err_set(err, CADRE_EINTERNAL,
			                     "organisation id %lld out of range", (long long)id);
		if (strcmp(store_col_text(st, 1), ORG_ROOT_CODE) == 0)
			r->root = (int)r->nnodes;
		r->ids[r->nnodes++] = id;
		if (id > r->maxid)
			r->maxid = id;
	}
	if (rc != CADRE_DONE)
		return rc;
	r->pos = xcalloc((size_t)r->maxid + 1, sizeof *r->pos);
	for (size_t i = 0; i < r->nnodes; i++)
		r->pos[r->ids[i]] = (int)i + 1;
	r->obs_start = xcalloc(r->nnodes + 1, sizeof *r->obs_start);
	r->obs_count = xcalloc(r->nnodes + 1, sizeof *r->obs_count);
	r->parent = xcalloc(r->nnodes + 1, sizeof *r->parent);
	r->pflags = xcalloc(r->nnodes + 1, sizeof *r->pflags);

	if ((rc = store_prepare(db, &q_edges, &st, err)) != CADRE_OK)
		return rc;
	alloc = 0;
	int64_t prev_child = -1;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		int64_t child = store_col_i64(st, 0);
		int64_t parent = store_col_i64(st, 1);
		if (child > r->maxid || parent > r->maxid || !r->pos[child] || !r->pos[parent]) {
			store_reset(st);
			return cadre_err_set(err, CADRE_EINTERNAL, "org_edge names a missing node");
		}
		if (r->nobs == alloc) {
			alloc = alloc ? alloc * 2 : 1024;
			r->obs = xreallocarray(r->obs, alloc, sizeof *r->obs);
		}
		struct org_obs *o = &r->obs[r->nobs];
		o->parent_id = parent;
		o->kind = edge_kind_parse(store_col_text(st, 2));
		o->from_month = (int)store_col_i64(st, 3);
		o->to_month = store_col_is_null(st, 4) ? 0 : (int)store_col_i64(st, 4);
		o->source = arena_strdup(&r->arena, store_col_text(st, 5));
		int ci = r->pos[child] - 1;
		if (child != prev_child) {
			r->obs_start[ci] = r->nobs;
			prev_child = child;
		}
		r->obs_count[ci]++;
		r->nobs++;
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

/* rebuild_range: one month before the first observation or figure, to the
 * last one. */
static int rebuild_range(struct store *db, const struct rebuild *r, const struct clock *clk,
                         int *first, int *last, struct cadre_err *err)
{
	int lo = 0, hi = 0;
	for (size_t i = 0; i < r->nobs; i++) {
		int f = r->obs[i].from_month;
		int t = r->obs[i].to_month ? r->obs[i].to_month : f;
		if (!lo || f < lo)
			lo = f;
		if (t > hi)
			hi = t;
	}
	struct store_stmt *st;
	int rc = store_prepare(db, &q_data_months, &st, err);
	if (rc != CADRE_OK)
		return rc;
	rc = store_step(st, err);
	if (rc != CADRE_OK)
		return rc == CADRE_DONE ? cadre_err_set(err, CADRE_EINTERNAL, "no data months row")
		                        : rc;
	if (!store_col_is_null(st, 0)) {
		int dmin = (int)store_col_i64(st, 0);
		int dmax = (int)store_col_i64(st, 1);
		if (!lo || dmin < lo)
			lo = dmin;
		if (dmax > hi)
			hi = dmax;
	}
	store_reset(st);
	if (!lo) {
		lo = hi = date_month_of(date_ts_date(clock_now(clk)));
	}
	*first = date_month_add(lo, -1);
	*last = hi;
	return CADRE_OK;
}

/* resolve_month: every node's parent in month m. */
static void resolve_month(struct rebuild *r, int m)
{
	for (size_t i = 0; i < r->nnodes; i++) {
		r->parent[i] = -1;
		r->pflags[i] = 0;
		if (!r->obs_count[i])
			continue;
		int fl;
		int k = org_resolve_parent(r->obs + r->obs_start[i], r->obs_count[i], m, &fl);
		if (k < 0)
			continue;
		int64_t pid = r->obs[r->obs_start[i] + (size_t)k].parent_id;
		r->parent[i] = r->pos[pid] - 1;
		r->pflags[i] = fl;
	}
}

/* anc_row: one org_ancestor row of the month being built. */
struct anc_row {
	int64_t node, anc;
	int depth, flags;
};

static int anc_cmp(const void *a, const void *b)
{
	const struct anc_row *x = a, *y = b;
	if (x->anc != y->anc)
		return x->anc < y->anc ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

/* emit_month: the ancestor rows of every node in month m, loaded in the
 * table's key order (so the bulk load appends to its index).  A chain that
 * does not reach England gets England as a last, UNASSIGNED ancestor. */
static int emit_month(struct store *db, struct rebuild *r, int m, struct anc_row **buf,
                      size_t *alloc, int64_t *rows, struct cadre_err *err)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nnodes; i++) {
		int64_t node = r->ids[i];
		if (n + ORG_MAX_DEPTH + 2 > *alloc) {
			*alloc = *alloc * 2 + ORG_MAX_DEPTH + 2;
			*buf = xreallocarray(*buf, *alloc, sizeof **buf);
		}
		struct anc_row *v = *buf;
		v[n++] = (struct anc_row){node, node, 0, 0};
		int cur = (int)i;
		int depth = 0;
		int flags = 0;
		while (r->parent[cur] >= 0) {
			flags |= r->pflags[cur];
			cur = r->parent[cur];
			if (++depth > ORG_MAX_DEPTH || cur == (int)i) {
				char mm[DATE_MONTH_SIZE];
				date_month_format(m, mm);
				return cadre_err_set(err, CADRE_EINVAL,
				                     "the organisation hierarchy has a cycle in %s "
				                     "through node %lld",
				                     mm, (long long)node);
			}
			/* England holds every node whatever the path: no flag. */
			v[n++] =
			    (struct anc_row){node, r->ids[cur], depth, cur == r->root ? 0 : flags};
		}
		if (r->root >= 0 && cur != r->root)
			v[n++] =
			    (struct anc_row){node, r->ids[r->root], depth + 1, ORG_FLAG_UNASSIGNED};
	}
	if (n)
		qsort(*buf, n, sizeof **buf, anc_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct anc_row *a = &(*buf)[i];
		struct store_value v[5] = {STORE_V_I64(m), STORE_V_I64(a->node),
		                           STORE_V_I64(a->anc), STORE_V_I64(a->depth),
		                           STORE_V_I64(a->flags)};
		int rc = store_bulk_row(db, v, err);
		if (rc != CADRE_OK)
			return rc;
	}
	*rows += (int64_t)n;
	return CADRE_OK;
}

int org_hierarchy_rebuild(const struct actor *actor, struct store *db, const struct clock *clk,
                          struct org_rebuild_stats *stats, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	int64_t t0 = clock_mono_us();
	struct rebuild r;
	memset(&r, 0, sizeof r);
	arena_init(&r.arena, 0);
	int first = 0, last = 0;
	int64_t rows = 0;
	struct store_stmt *st;
	bool bulk = false;
	struct anc_row *abuf = NULL;
	size_t aalloc = 0;
	if ((rc = rebuild_load(db, &r, err)) != CADRE_OK)
		goto out;
	if ((rc = rebuild_range(db, &r, clk, &first, &last, err)) != CADRE_OK)
		goto out;
	if ((rc = store_prepare(db, &q_anc_clear, &st, err)) != CADRE_OK ||
	    (rc = store_exec(st, err)) != CADRE_OK)
		goto out;
	static const char *const cols[] = {"month", "node_id", "ancestor_id", "depth", "flags"};
	if ((rc = store_bulk_begin(db, "org_ancestor", cols, 5, err)) != CADRE_OK)
		goto out;
	bulk = true;
	for (int m = first; m <= last; m = date_month_add(m, 1)) {
		resolve_month(&r, m);
		if ((rc = emit_month(db, &r, m, &abuf, &aalloc, &rows, err)) != CADRE_OK)
			goto out;
	}
	bulk = false;
	if ((rc = store_bulk_end(db, NULL, err)) != CADRE_OK)
		goto out;
	if ((rc = store_prepare(db, &q_hier_put, &st, err)) != CADRE_OK)
		goto out;
	store_bind_i64(st, 1, first);
	store_bind_i64(st, 2, last);
	store_bind_i64(st, 3, (int64_t)r.nnodes);
	store_bind_i64(st, 4, rows);
	store_bind_i64(st, 5, clock_now(clk));
	if ((rc = store_exec(st, err)) != CADRE_OK)
		goto out;
	if (stats) {
		stats->first_month = first;
		stats->last_month = last;
		stats->nodes = (int64_t)r.nnodes;
		stats->edges = (int64_t)r.nobs;
		stats->rows = rows;
		stats->micros = clock_mono_us() - t0;
	}
out:
	if (bulk) {
		/* end the load so the connection is usable; the caller rolls the
		 * transaction back because of rc. */
		struct cadre_err ignored;
		(void)store_bulk_end(db, NULL, &ignored);
	}
	free(abuf);
	rebuild_free(&r);
	return rc;
}

/* ---- index ----------------------------------------------------------------- */

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct org_index_entry *)a)->code,
	              ((const struct org_index_entry *)b)->code);
}

int org_index_load(const struct actor *actor, struct store *db, struct org_index *ix,
                   struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	ix->n = 0;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_index, &st, err)) != CADRE_OK)
		return rc;
	while ((rc = store_step(st, err)) == CADRE_OK)
		org_index_add(ix, store_col_text(st, 0), store_col_text(st, 1),
		              store_col_i64(st, 2));
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

const struct org_index_entry *org_index_find(const struct org_index *ix, const char *code)
{
	if (!ix->n || strlen(code) >= ORG_CODE_MAX)
		return NULL;
	struct org_index_entry key;
	memset(&key, 0, sizeof key);
	memcpy(key.code, code, strlen(code) + 1);
	return bsearch(&key, ix->v, ix->n, sizeof *ix->v, entry_cmp);
}

void org_index_add(struct org_index *ix, const char *code, const char *kind, int64_t id)
{
	if (ix->n == ix->alloc) {
		ix->alloc = ix->alloc ? ix->alloc * 2 : 1024;
		ix->v = xreallocarray(ix->v, ix->alloc, sizeof *ix->v);
	}
	struct org_index_entry e;
	memset(&e, 0, sizeof e);
	(void)snprintf(e.code, sizeof e.code, "%s", code);
	(void)snprintf(e.kind, sizeof e.kind, "%s", kind);
	e.id = id;
	/* keep the array sorted: find the place and shift */
	size_t lo = 0, hi = ix->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->v[mid].code, e.code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&ix->v[lo + 1], &ix->v[lo], (ix->n - lo) * sizeof *ix->v);
	ix->v[lo] = e;
	ix->n++;
}

void org_index_free(struct org_index *ix)
{
	free(ix->v);
	ix->v = NULL;
	ix->n = ix->alloc = 0;
}

/* ---- readers ------------------------------------------------------------------ */

static int user_sees(struct store *db, const struct actor *actor, int64_t org_id, bool *yes,
                     struct cadre_err *err)
{
	*yes = false;
	for (size_t g = 0; g < actor->ngrants && !*yes; g++) {
		struct store_stmt *st;
		int rc = store_prepare(db, &q_within_any, &st, err);
		if (rc != CADRE_OK)
			return rc;
		store_bind_i64(st, 1, org_id);
		store_bind_i64(st, 2, actor->grants[g].org_id);
		if ((rc = store_step(st, err)) != CADRE_OK)
			return rc == CADRE_DONE ? CADRE_EINTERNAL : rc;
		*yes = store_col_i64(st, 0) > 0;
		store_reset(st);
	}
	return CADRE_OK;
}

int org_get(const struct actor *actor, struct store *db, const char *code, struct org_node *out,
            struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_org_by_code, &st, err)) != CADRE_OK)
		return rc;
	store_bind_str(st, 1, code);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no organisation with code '%s'", code);
	if (rc != CADRE_OK)
		return rc;
	read_node(st, 0, out);
	store_reset(st);
	if (!actor_is_system(actor)) {
		bool yes;
		if ((rc = user_sees(db, actor, out->id, &yes, err)) != CADRE_OK)
			return rc;
		if (!yes)
			return cadre_err_set(err, CADRE_ENOTFOUND, "no organisation with code '%s'",
			                     code);
	}
	return CADRE_OK;
}

int org_range(const struct actor *actor, struct store *db, int *first, int *last,
              struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_hier_get, &st, err)) != CADRE_OK)
		return rc;
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(
		    err, CADRE_ENOTFOUND,
		    "the organisation hierarchy has not been built: run `cadre init` "
		    "or `cadre refdata load`");
	if (rc != CADRE_OK)
		return rc;
	*first = (int)store_col_i64(st, 0);
	*last = (int)store_col_i64(st, 1);
	store_reset(st);
	return CADRE_OK;
}

int org_effective_month(const struct actor *actor, struct store *db, int month, int *eff,
                        struct cadre_err *err)
{
	int first = 0, last = 0;
	int rc = org_range(actor, db, &first, &last, err);
	if (rc != CADRE_OK)
		return rc;
	*eff = month < first ? first : month > last ? last : month;
	return CADRE_OK;
}

int org_scope_check(const struct actor *actor, struct store *db, int64_t org_id, int from, int to,
                    struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (actor_is_system(actor))
		return CADRE_OK;
	int a, b;
	if ((rc = org_effective_month(actor, db, from, &a, err)) != CADRE_OK ||
	    (rc = org_effective_month(actor, db, to, &b, err)) != CADRE_OK)
		return rc;
	for (int m = a; m <= b; m = date_month_add(m, 1)) {
		bool ok = false;
		for (size_t g = 0; g < actor->ngrants && !ok; g++) {
			struct store_stmt *st;
			if ((rc = store_prepare(db, &q_within, &st, err)) != CADRE_OK)
				return rc;
			store_bind_i64(st, 1, org_id);
			store_bind_i64(st, 2, actor->grants[g].org_id);
			store_bind_i64(st, 3, m);
			store_bind_i64(st, 4, m);
			if ((rc = store_step(st, err)) != CADRE_OK)
				return rc == CADRE_DONE ? CADRE_EINTERNAL : rc;
			ok = store_col_i64(st, 0) > 0;
			store_reset(st);
		}
		if (!ok)
			return cadre_err_set(err, CADRE_ENOTFOUND, "no such organisation");
	}
	return CADRE_OK;
}

static int read_links(struct store *db, const struct store_sql *q, int month, int64_t id,
                      struct org_link **out, size_t *n, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, q, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, month);
	store_bind_i64(st, 2, id);
	size_t alloc = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			*out = xreallocarray(*out, alloc, sizeof **out);
		}
		struct org_link *l = &(*out)[(*n)++];
		read_node(st, 0, &l->node);
		l->depth = (int)store_col_i64(st, 7);
		l->flags = (int)store_col_i64(st, 8);
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

/* own_edge: which observation gave the node its parent in month m. */
static int own_edge(struct store *db, struct org_view *v, int m, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_edges_of, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, v->node.id);
	struct arena a;
	arena_init(&a, 0);
	struct org_obs *obs = NULL;
	size_t n = 0, alloc = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			obs = xreallocarray(obs, alloc, sizeof *obs);
		}
		obs[n].parent_id = store_col_i64(st, 1);
		obs[n].kind = edge_kind_parse(store_col_text(st, 2));
		obs[n].from_month = (int)store_col_i64(st, 3);
		obs[n].to_month = store_col_is_null(st, 4) ? 0 : (int)store_col_i64(st, 4);
		obs[n].source = arena_strdup(&a, store_col_text(st, 5));
		n++;
	}
	if (rc == CADRE_DONE) {
		rc = CADRE_OK;
		int fl;
		int k = n ? org_resolve_parent(obs, n, m, &fl) : -1;
		if (k >= 0) {
			(void)snprintf(v->edge_source, sizeof v->edge_source, "%s", obs[k].source);
			v->edge_kind = (int)obs[k].kind;
			v->edge_month = obs[k].from_month;
		}
	}
	free(obs);
	arena_free(&a);
	return rc;
}

int org_show(const struct actor *actor, struct store *db, const char *code, int month,
             struct org_view *v, struct cadre_err *err)
{
	memset(v, 0, sizeof *v);
	int rc = org_get(actor, db, code, &v->node, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = org_range(actor, db, &v->first_month, &v->last_month, err)) != CADRE_OK)
		return rc;
	v->month = month ? month : v->last_month;
	v->effective_month = v->month < v->first_month  ? v->first_month
	                     : v->month > v->last_month ? v->last_month
	                                                : v->month;
	int m = v->effective_month;
	if ((rc = read_links(db, &q_chain, m, v->node.id, &v->chain, &v->nchain, err)) != CADRE_OK)
		goto fail;
	struct org_link *kids = NULL;
	size_t nkids = 0;
	rc = read_links(db, &q_children, m, v->node.id, &kids, &nkids, err);
	if (rc != CADRE_OK) {
		free(kids);
		goto fail;
	}
	/* split England's unassigned children from its real ones */
	for (size_t i = 0; i < nkids; i++) {
		struct org_link *dst;
		size_t *cnt;
		if (kids[i].flags & ORG_FLAG_UNASSIGNED) {
			v->unassigned =
			    xreallocarray(v->unassigned, v->nunassigned + 1, sizeof *v->unassigned);
			dst = v->unassigned;
			cnt = &v->nunassigned;
		} else {
			v->children =
			    xreallocarray(v->children, v->nchildren + 1, sizeof *v->children);
			dst = v->children;
			cnt = &v->nchildren;
		}
		dst[(*cnt)++] = kids[i];
	}
	free(kids);
	if (v->nchain)
		v->flags = v->chain[0].flags;
	if ((rc = own_edge(db, v, m, err)) != CADRE_OK)
		goto fail;
	return CADRE_OK;
fail:
	org_view_free(v);
	return rc;
}

void org_view_free(struct org_view *v)
{
	free(v->chain);
	free(v->children);
	free(v->unassigned);
	v->chain = v->children = v->unassigned = NULL;
	v->nchain = v->nchildren = v->nunassigned = 0;
}
