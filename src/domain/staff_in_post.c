/* staff_in_post: the HCHS staff in post import and KPI (see staff_in_post.h). */
#include "domain/staff_in_post.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "base/num.h"
#include "domain/orgstats.h"
#include "io/csv.h"
#include "store/store.h"

#define SIP_FILE_CAP ((size_t)256 * 1024 * 1024)
#define NCOLS        6
#define MAX_GROUPS   64

enum { C_MONTH = 0, C_ORG, C_ORG_NAME, C_GROUP, C_NAT, C_FTE };

static const char *const colnames[NCOLS] = {
    "Month", "Organisation code", "Organisation name", "Staff group", "Nationality", "FTE",
};

static const struct store_sql q_groups = {
    .name = "sip_staff_groups",
    .sql = "SELECT code, name, parent_code, aliases FROM staff_group ORDER BY code",
};

static const struct store_sql q_month_rows = {
    .name = "sip_month_rows",
    .sql = "SELECT COUNT(*) FROM staff_in_post WHERE month = $1",
};

static const struct store_sql q_month_delete = {
    .name = "sip_month_delete",
    .sql = "DELETE FROM staff_in_post WHERE month = $1",
};

static const struct store_sql q_total = {
    .name = "sip_total",
    .sql = "SELECT SUM(s.fte), COUNT(DISTINCT s.org_id), COUNT(*), "
           "COUNT(DISTINCT CASE WHEN a.flags = 1 OR a.flags = 3 THEN s.org_id END) "
           "FROM staff_in_post s JOIN org_ancestor a "
           "ON a.month = s.month AND a.node_id = s.org_id "
           "WHERE a.ancestor_id = $1 AND s.month = $2",
};

static const struct store_sql q_by_group = {
    .name = "sip_by_group",
    .sql = "SELECT s.staff_group_code, MIN(s.staff_group), SUM(s.fte), COUNT(*) "
           "FROM staff_in_post s JOIN org_ancestor a "
           "ON a.month = s.month AND a.node_id = s.org_id "
           "WHERE a.ancestor_id = $1 AND s.month = $2 "
           "GROUP BY s.staff_group_code ORDER BY SUM(s.fte) DESC, s.staff_group_code",
};

static const struct store_sql q_by_nat = {
    .name = "sip_by_nationality",
    .sql = "SELECT s.nationality, s.nationality, SUM(s.fte), COUNT(*) "
           "FROM staff_in_post s JOIN org_ancestor a "
           "ON a.month = s.month AND a.node_id = s.org_id "
           "WHERE a.ancestor_id = $1 AND s.month = $2 "
           "GROUP BY s.nationality ORDER BY SUM(s.fte) DESC, s.nationality",
};

static const struct store_sql q_unassigned = {
    .name = "sip_unassigned",
    .sql = "SELECT o.code, o.name, SUM(s.fte) FROM staff_in_post s JOIN org_ancestor a "
           "ON a.month = s.month AND a.node_id = s.org_id JOIN org o ON o.id = s.org_id "
           "WHERE a.ancestor_id = $1 AND s.month = $2 AND a.flags >= 2 "
           "GROUP BY o.code, o.name ORDER BY o.code",
};

int staff_in_post_month_parse(const char *s, size_t n, int *out, struct cadre_err *err)
{
	static const char *const mon[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
	                                  "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
	if (n != 8 || s[4] != '-')
		return cadre_err_set(err, CADRE_EINVAL, "expected YYYY-MON, such as 2018-JUN");
	int64_t y;
	struct cadre_err e;
	if (num_parse_i64_range(s, 4, 1900, 2999, &y, &e) != CADRE_OK)
		return cadre_err_set(err, CADRE_EINVAL, "expected YYYY-MON, such as 2018-JUN");
	for (int m = 0; m < 12; m++)
		if (memcmp(s + 5, mon[m], 3) == 0) {
			*out = (int)y * 100 + m + 1;
			return CADRE_OK;
		}
	return cadre_err_set(err, CADRE_EINVAL, "expected YYYY-MON, such as 2018-JUN");
}

/* ---- parsing ----------------------------------------------------------------- */

struct prow {
	const char *f[NCOLS];
	long col[NCOLS];
	long line;
	int month;
	int file;
	int group; /* index into the staff groups */
	double fte;
	int64_t org_id;
};

struct sgroup {
	char code[32];
	char name[SIP_KEY_MAX];
	char parent[32];
	char aliases[SIP_KEY_MAX];
	bool used;
	size_t first_row; /* the first row naming it */
};

struct pimport {
	const struct actor *actor;
	const char *const *paths;
	size_t npaths;
	const struct import_opts *opt;
	struct import_result *res;
	struct import_file *files;
	struct arena a;
	struct prow *rows;
	size_t nrows, alloc;
	struct sgroup groups[MAX_GROUPS];
	size_t ngroups;
	int64_t now;
};

static void problem(struct pimport *P, const struct prow *r, int c, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(struct pimport *P, const struct prow *r, int c, const char *fmt, ...)
{
	char reason[IMPORT_REASON_MAX];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	import_problem_add(&P->res->problems, P->paths[r->file], r->line, r->col[c], "%s", reason);
}

static void parse_row(struct pimport *P, struct prow *r)
{
	struct cadre_err e;
	const char *v = r->f[C_MONTH];
	if (staff_in_post_month_parse(v, strlen(v), &r->month, &e) != CADRE_OK)
		problem(P, r, C_MONTH,
		        "Month '%s' is not in the publication's form YYYY-MON (2018-JUN)", v);
	v = r->f[C_ORG];
	if (!org_code_valid(v, strlen(v)))
		problem(
		    P, r, C_ORG,
		    "Organisation code '%s' is not an organisation code (1-%d capital letters and "
		    "digits)",
		    v, ORG_CODE_MAX - 1);
	for (int c = C_ORG_NAME; c <= C_NAT; c++)
		if (!*r->f[c])
			problem(P, r, c, "%s is empty", colnames[c]);
	v = r->f[C_FTE];
	if (num_parse_double(v, strlen(v), &r->fte, &e) != CADRE_OK || r->fte < 0)
		problem(P, r, C_FTE, "FTE '%s' is not a number of 0 or more", v);
}

/* pwalk: which file of the import the CSV walk is reading. */
struct pwalk {
	struct pimport *P;
	size_t fi;
};

/* on_header: the publication's header, or a problem saying what the file
 * is instead (then 0: the rows are not read). */
static size_t on_header(void *ctx, const struct csv_field *fl, size_t n, long line)
{
	const struct pwalk *w = ctx;
	struct pimport *P = w->P;
	const char *path = P->paths[w->fi];
	const char *other = import_publication_of(fl, n);
	if (other && strstr(other, "staff-in-post"))
		return NCOLS;
	if (other) {
		import_problem_add(
		    &P->res->problems, path, line, 1,
		    "this is not an HCHS staff in post file: its header is that of %s", other);
		return 0;
	}
	return import_header_expect(&P->res->problems, path, fl, n, line, colnames, NCOLS,
	                            "the HCHS staff in post publication", SIP_HEADER)
	           ? NCOLS
	           : 0;
}

static void on_row(void *ctx, const struct csv_field *fl, size_t n, long line)
{
	const struct pwalk *w = ctx;
	struct pimport *P = w->P;
	(void)n;
	if (P->nrows == P->alloc) {
		P->alloc = P->alloc ? P->alloc * 2 : 65536;
		P->rows = xreallocarray(P->rows, P->alloc, sizeof *P->rows);
	}
	struct prow *row = &P->rows[P->nrows++];
	memset(row, 0, sizeof *row);
	row->file = (int)w->fi;
	row->line = line;
	row->group = -1;
	for (size_t i = 0; i < NCOLS; i++) {
		row->f[i] = arena_strndup(&P->a, fl[i].s, fl[i].len);
		row->col[i] = fl[i].col;
	}
	parse_row(P, row);
}

static int parse_file(struct pimport *P, size_t fi, struct cadre_err *err)
{
	struct pwalk w = {P, fi};
	return import_csv_walk(P->paths[fi], SIP_FILE_CAP, &P->files[fi], &P->res->problems,
	                       on_header, on_row, &w, err);
}

/* pref: a row by reference, for sorting without copying rows. */
struct pref {
	struct prow *r;
};

static int key_cmp(const void *a, const void *b)
{
	const struct prow *x = ((const struct pref *)a)->r;
	const struct prow *y = ((const struct pref *)b)->r;
	if (x->month != y->month)
		return x->month < y->month ? -1 : 1;
	for (int c = C_ORG; c <= C_NAT; c++) {
		if (c == C_ORG_NAME)
			continue;
		int k = strcmp(x->f[c], y->f[c]);
		if (k)
			return k;
	}
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static void check_duplicates(struct pimport *P)
{
	struct pref *v = xcalloc(P->nrows + 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < P->nrows; i++)
		if (P->rows[i].month)
			v[n++].r = &P->rows[i];
	qsort(v, n, sizeof *v, key_cmp);
	size_t first = 0;
	for (size_t i = 1; i < n; i++) {
		const struct prow *a = v[first].r, *b = v[i].r;
		bool same = a->month == b->month && strcmp(a->f[C_ORG], b->f[C_ORG]) == 0 &&
		            strcmp(a->f[C_GROUP], b->f[C_GROUP]) == 0 &&
		            strcmp(a->f[C_NAT], b->f[C_NAT]) == 0;
		if (!same) {
			first = i;
			continue;
		}
		problem(P, b, C_ORG, "duplicate row for %s, %s, %s in %s (first at %s:%ld)",
		        b->f[C_ORG], b->f[C_GROUP], b->f[C_NAT], b->f[C_MONTH], P->paths[a->file],
		        a->line);
	}
	free(v);
}

/* ---- the database part ----------------------------------------------------------------- */

static int load_groups(struct pimport *P, struct store *db, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_groups, &st, err);
	if (rc != CADRE_OK)
		return rc;
	P->ngroups = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (P->ngroups == MAX_GROUPS) {
			store_reset(st);
			return cadre_err_set(err, CADRE_EINTERNAL, "more than %d staff groups",
			                     MAX_GROUPS);
		}
		struct sgroup *g = &P->groups[P->ngroups++];
		memset(g, 0, sizeof *g);
		(void)snprintf(g->code, sizeof g->code, "%s", store_col_text(st, 0));
		(void)snprintf(g->name, sizeof g->name, "%s", store_col_text(st, 1));
		if (!store_col_is_null(st, 2))
			(void)snprintf(g->parent, sizeof g->parent, "%s", store_col_text(st, 2));
		if (!store_col_is_null(st, 3))
			(void)snprintf(g->aliases, sizeof g->aliases, "%s", store_col_text(st, 3));
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

/* group_of: the staff group a published name denotes (its name or one of
 * its '|'-separated aliases), or -1. */
static int group_of(const struct pimport *P, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < P->ngroups; i++) {
		const struct sgroup *g = &P->groups[i];
		if (strcmp(g->name, name) == 0)
			return (int)i;
		const char *p = g->aliases;
		while (*p) {
			size_t len = strcspn(p, "|");
			if (len == n && memcmp(p, name, n) == 0)
				return (int)i;
			p += len;
			if (*p == '|')
				p++;
		}
	}
	return -1;
}

static int group_by_code(const struct pimport *P, const char *code)
{
	for (size_t i = 0; i < P->ngroups; i++)
		if (strcmp(P->groups[i].code, code) == 0)
			return (int)i;
	return -1;
}

/* check_groups: every row's staff group is known; no group is listed
 * beside a group it totals (Total beside Midwives would count twice). */
static void check_groups(struct pimport *P)
{
	if (!P->ngroups) {
		if (P->nrows)
			problem(P, &P->rows[0], C_GROUP,
			        "no staff groups in the reference data: run `cadre init` first");
		return;
	}
	for (size_t i = 0; i < P->nrows; i++) {
		struct prow *r = &P->rows[i];
		r->group = group_of(P, r->f[C_GROUP]);
		if (r->group < 0) {
			problem(P, r, C_GROUP,
			        "Staff group '%s' is not a staff group the reference data knows "
			        "(data/workforce/staff-groups.csv names and aliases)",
			        r->f[C_GROUP]);
			continue;
		}
		struct sgroup *g = &P->groups[r->group];
		if (!g->used) {
			g->used = true;
			g->first_row = i;
		}
	}
	for (size_t i = 0; i < P->ngroups; i++) {
		if (!P->groups[i].used)
			continue;
		int k = group_by_code(P, P->groups[i].parent);
		for (int depth = 0; k >= 0 && depth < MAX_GROUPS; depth++) {
			if (P->groups[k].used) {
				const struct prow *r = &P->rows[P->groups[k].first_row];
				problem(P, r, C_GROUP,
				        "Staff group '%s' is a total of '%s', which the file also "
				        "lists: "
				        "totals are never added to their components",
				        r->f[C_GROUP], P->rows[P->groups[i].first_row].f[C_GROUP]);
				break;
			}
			k = group_by_code(P, P->groups[k].parent);
		}
	}
}

static const char *kind_of(const char *code, const char *name)
{
	size_t n = strlen(name);
	if (n >= 4 && strcmp(name + n - 4, " CCG") == 0)
		return "ccg";
	if (strlen(code) == 3 && (code[0] == 'R' || code[0] == 'T'))
		return "trust";
	return "other";
}

static int resolve_orgs(struct pimport *P, struct store *db, struct cadre_err *err)
{
	struct org_index ix = {0};
	int rc = org_index_load(P->actor, db, &ix, err);
	for (size_t i = 0; i < P->nrows && rc == CADRE_OK; i++) {
		struct prow *r = &P->rows[i];
		const struct org_index_entry *e = org_index_find(&ix, r->f[C_ORG]);
		if (e) {
			if (strcmp(e->kind, "nation") == 0 || strcmp(e->kind, "region") == 0)
				problem(P, r, C_ORG,
				        "Organisation code '%s' is a %s, not an organisation",
				        r->f[C_ORG], e->kind);
			r->org_id = e->id;
			continue;
		}
		const char *kind = kind_of(r->f[C_ORG], r->f[C_ORG_NAME]);
		struct org_new n = {.code = r->f[C_ORG],
		                    .kind = kind,
		                    .name = r->f[C_ORG_NAME],
		                    .source = "staff_in_post"};
		bool created;
		rc = org_put(P->actor, db, &n, false, &r->org_id, &created, err);
		if (rc == CADRE_OK) {
			org_index_add(&ix, n.code, kind, r->org_id);
			P->res->orgs_created += created;
		}
	}
	org_index_free(&ix);
	return rc;
}

static int check_months(struct pimport *P, struct store *db, struct cadre_err *err)
{
	for (size_t k = 0; k < P->res->nmonths; k++) {
		int m = P->res->months[k];
		int64_t have = 0;
		int rc = import_month_check(db, &q_month_rows, &q_month_delete, m, P->opt->replace,
		                            &have, &P->res->rows_replaced, err);
		if (rc != CADRE_OK)
			return rc;
		if (!have || P->opt->replace)
			continue;
		const struct prow *first = NULL;
		for (size_t i = 0; i < P->nrows && !first; i++)
			if (P->rows[i].month == m)
				first = &P->rows[i];
		char mm[DATE_MONTH_SIZE];
		date_month_format(m, mm);
		problem(P, first, C_MONTH,
		        "%s is already loaded (%" PRId64 " rows); use --replace to replace it", mm,
		        have);
	}
	return CADRE_OK;
}

static int load_rows(struct pimport *P, struct store *db, const int64_t *ids, struct cadre_err *err)
{
	static const char *const cols[] = {"month",       "org_id",           "org_name",
	                                   "staff_group", "staff_group_code", "nationality",
	                                   "fte",         "import_id"};
	int rc = store_bulk_begin(db, "staff_in_post", cols, 8, err);
	if (rc != CADRE_OK)
		return rc;
	for (size_t i = 0; i < P->nrows; i++) {
		const struct prow *r = &P->rows[i];
		const char *code = P->groups[r->group].code;
		struct store_value v[8] = {
		    STORE_V_I64(r->month),
		    STORE_V_I64(r->org_id),
		    STORE_V_TEXT(r->f[C_ORG_NAME], strlen(r->f[C_ORG_NAME])),
		    STORE_V_TEXT(r->f[C_GROUP], strlen(r->f[C_GROUP])),
		    STORE_V_TEXT(code, strlen(code)),
		    STORE_V_TEXT(r->f[C_NAT], strlen(r->f[C_NAT])),
		    STORE_V_DOUBLE(r->fte),
		    STORE_V_I64(ids[r->file]),
		};
		if ((rc = store_bulk_row(db, v, err)) != CADRE_OK) {
			cadre_err_prefix(err, "%s:%ld", P->paths[r->file], r->line);
			return rc;
		}
	}
	int64_t n = 0;
	if ((rc = store_bulk_end(db, &n, err)) != CADRE_OK)
		return rc;
	P->res->rows = n;
	return CADRE_OK;
}

static int import_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct pimport *P = arg;
	struct import_result *res = P->res;
	res->rows = res->orgs_created = res->rows_replaced = res->audit_seq = 0;
	import_problems_clear(&res->problems);
	int64_t ids[64] = {0};
	int64_t counts[64] = {0};
	int rc = load_groups(P, db, err);
	if (rc != CADRE_OK)
		return rc;
	check_groups(P);
	if ((rc = resolve_orgs(P, db, err)) != CADRE_OK ||
	    (rc = check_months(P, db, err)) != CADRE_OK)
		return rc;
	if (import_problems_total(&res->problems))
		return import_problems_fail(&res->problems, err);
	for (size_t i = 0; i < P->nrows; i++)
		counts[P->rows[i].file]++;
	for (size_t fi = 0; fi < P->npaths; fi++)
		if ((rc = import_record_file(P->actor, db, "staff_in_post", P->paths[fi],
		                             P->files[fi].sha256, counts[fi], P->now, &ids[fi],
		                             err)))
			return rc;
	if ((rc = load_rows(P, db, ids, err)) != CADRE_OK)
		return rc;
	if ((rc = org_hierarchy_rebuild(P->actor, db, P->opt->clk, &res->rebuild, err)) != CADRE_OK)
		return rc;
	/* the rebuild made the per-node statistics stale: recompute them in
	 * the same transaction, so no page sees stale figures */
	if ((rc = orgstats_refresh_all(P->actor, db, P->opt->clk, err)) != CADRE_OK)
		return rc;
	if (!P->opt->dry_run)
		rc = import_audit(P->actor, db, P->opt->audit_key, "staff_in_post", P->files,
		                  counts, ids, P->npaths, res, P->now, err);
	return rc;
}

int staff_in_post_import(const struct actor *actor, struct store *db, const char *const *paths,
                         size_t n, const struct import_opts *opt, struct import_result *res,
                         struct cadre_err *err)
{
	memset(res, 0, sizeof *res);
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!actor_is_system(actor))
		return cadre_err_set(err, CADRE_EPERM,
		                     "only the system imports published statistics");
	if (!n || n > 64)
		return cadre_err_set(err, CADRE_EUSAGE, "give 1 to 64 files");
	if (!opt->dry_run && !opt->audit_key)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "no audit key: an import is audited (set secrets.audit_key)");
	int64_t t0 = clock_mono_us();
	struct pimport *P = xcalloc(1, sizeof *P);
	P->actor = actor;
	P->paths = paths;
	P->npaths = n;
	P->opt = opt;
	P->res = res;
	P->files = xcalloc(n, sizeof *P->files);
	P->now = clock_now(opt->clk);
	arena_init(&P->a, (size_t)1024 * 1024);
	for (size_t i = 0; i < n && rc == CADRE_OK; i++)
		rc = parse_file(P, i, err);
	if (rc != CADRE_OK)
		goto out;
	check_duplicates(P);
	for (size_t i = 0; i < P->nrows; i++)
		if (P->rows[i].month && !import_result_add_month(res, P->rows[i].month)) {
			problem(P, &P->rows[i], C_MONTH, "more than %d months in one import",
			        IMPORT_MONTHS_MAX);
			break;
		}
	res->files = (int64_t)n;
	if (import_problems_total(&res->problems)) {
		rc = import_problems_fail(&res->problems, err);
		goto out;
	}
	rc = import_run(db, opt->dry_run, import_tx, P, err);
out:
	res->micros = clock_mono_us() - t0;
	for (size_t i = 0; i < n; i++)
		import_file_free(&P->files[i]);
	free(P->files);
	free(P->rows);
	arena_free(&P->a);
	free(P);
	return rc;
}

/* ---- the KPI ------------------------------------------------------------------------------- */

static int read_groups(struct store *db, const struct store_sql *q, struct sip_kpi *out,
                       struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, q, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, out->org.id);
	store_bind_i64(st, 2, out->month);
	size_t alloc = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (out->ngroups == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			out->groups = xreallocarray(out->groups, alloc, sizeof *out->groups);
		}
		struct sip_group *g = &out->groups[out->ngroups++];
		memset(g, 0, sizeof *g);
		(void)snprintf(g->key, sizeof g->key, "%s", store_col_text(st, 0));
		(void)snprintf(g->name, sizeof g->name, "%s", store_col_text(st, 1));
		g->fte = store_col_double(st, 2);
		g->rows = store_col_i64(st, 3);
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

static int read_unassigned(struct store *db, struct sip_kpi *out, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_unassigned, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, out->org.id);
	store_bind_i64(st, 2, out->month);
	size_t alloc = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (out->nunassigned == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			out->unassigned =
			    xreallocarray(out->unassigned, alloc, sizeof *out->unassigned);
		}
		struct sip_org *o = &out->unassigned[out->nunassigned++];
		memset(o, 0, sizeof *o);
		(void)snprintf(o->code, sizeof o->code, "%s", store_col_text(st, 0));
		(void)snprintf(o->name, sizeof o->name, "%s", store_col_text(st, 1));
		o->fte = store_col_double(st, 2);
		out->unassigned_fte += o->fte;
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

int staff_in_post_kpi(const struct actor *actor, struct store *db, const char *code, int month,
                      enum sip_by by, struct sip_kpi *out, struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	if (!date_month_valid(month))
		return cadre_err_set(err, CADRE_EINVAL, "not a month: %d", month);
	int rc = org_get(actor, db, code, &out->org, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = org_scope_check(actor, db, out->org.id, month, month, err)) != CADRE_OK)
		return rc;
	out->month = month;
	out->by = by;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_total, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, out->org.id);
	store_bind_i64(st, 2, month);
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE ? CADRE_EINTERNAL : rc;
	out->fte = store_col_double(st, 0);
	out->orgs = store_col_i64(st, 1);
	out->rows = store_col_i64(st, 2);
	out->earliest_orgs = store_col_i64(st, 3);
	store_reset(st);
	if (!out->rows) {
		char mm[DATE_MONTH_SIZE];
		date_month_format(month, mm);
		return cadre_err_set(err, CADRE_ENOTFOUND, "no staff in post figures for %s in %s",
		                     code, mm);
	}
	if (by == SIP_BY_STAFF_GROUP)
		rc = read_groups(db, &q_by_group, out, err);
	else if (by == SIP_BY_NATIONALITY)
		rc = read_groups(db, &q_by_nat, out, err);
	if (rc == CADRE_OK)
		rc = read_unassigned(db, out, err);
	if (rc != CADRE_OK)
		staff_in_post_kpi_free(out);
	return rc;
}

void staff_in_post_kpi_free(struct sip_kpi *out)
{
	free(out->groups);
	free(out->unassigned);
	out->groups = NULL;
	out->unassigned = NULL;
	out->ngroups = out->nunassigned = 0;
}
