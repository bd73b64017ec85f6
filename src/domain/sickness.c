/* sickness: the NHS Sickness Absence Rates import and KPI (see sickness.h). */
#include "domain/sickness.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "base/num.h"
#include "domain/audit.h"
#include "domain/orgstats.h"
#include "io/csv.h"
#include "store/store.h"

#define SICK_FILE_CAP ((size_t)64 * 1024 * 1024)
#define NCOLS         11

enum {
	C_DATE = 0,
	C_REGION,
	C_REGION_NAME,
	C_ICS,
	C_ICS_NAME,
	C_ORG,
	C_ORG_NAME,
	C_ORG_TYPE,
	C_LOST,
	C_AVAIL,
	C_RATE,
};

static const char *const colnames[NCOLS] = {
    "DATE",
    "NHSE_REGION_CODE",
    "NHSE_REGION_NAME",
    "ICS_CODE",
    "ICS_NAME",
    "ORG_CODE",
    "ORG_NAME",
    "ORG_TYPE",
    "FTE_DAYS_LOST",
    "FTE_DAYS_AVAILABLE",
    "SICKNESS_ABSENCE_RATE_PERCENT",
};

static const struct store_sql q_month_rows = {
    .name = "sickness_month_rows",
    .sql = "SELECT COUNT(*) FROM sickness_absence s JOIN stat_import i ON i.id = s.import_id "
           "WHERE s.month = $1 AND i.synthetic = 0",
};

/* a synthetic (demo) figure gives way to the published one */
static const struct store_sql q_synthetic_any = {
    .name = "sickness_synthetic_any",
    .sql = "SELECT COUNT(*) FROM sickness_absence s JOIN stat_import i ON i.id = s.import_id "
           "WHERE s.month BETWEEN $1 AND $2 AND i.synthetic = 1",
};

static const struct store_sql q_synthetic_delete = {
    .name = "sickness_synthetic_delete",
    .sql = "DELETE FROM sickness_absence WHERE month = $1 AND org_id = $2 "
           "AND import_id IN (SELECT id FROM stat_import WHERE synthetic = 1)",
};

static const struct store_sql q_month_delete = {
    .name = "sickness_month_delete",
    .sql = "DELETE FROM sickness_absence WHERE month = $1",
};

static const struct store_sql q_kpi = {
    .name = "sickness_kpi",
    .sql = "SELECT s.month, SUM(s.fte_days_lost), SUM(s.fte_days_available), COUNT(*), "
           "SUM(CASE WHEN a.flags = 1 OR a.flags = 3 THEN 1 ELSE 0 END), "
           "SUM(CASE WHEN a.flags >= 2 THEN 1 ELSE 0 END) "
           "FROM sickness_absence s JOIN org_ancestor a "
           "ON a.month = s.month AND a.node_id = s.org_id "
           "WHERE a.ancestor_id = $1 AND s.month BETWEEN $2 AND $3 "
           "GROUP BY s.month ORDER BY s.month",
};

/* the same sums driven from the node's subtree, month by month: for a
 * trust or below the subtree is a few hundred nodes a month, so seeking
 * org_ancestor by (month, ancestor) for each month of the span and probing
 * sickness_absence by (month, org_id) beats scanning every
 * organisation-month in the span (1 ms against 8 ms for a trust on the
 * national demo's 36 months).  The months come from a recursive CTE since
 * a month range cannot seek the key's second column; CROSS JOIN keeps
 * SQLite's join order (PostgreSQL plans it itself).  For England, regions
 * and ICBs q_kpi's order is the cheaper one. */
static const struct store_sql q_kpi_subtree = {
    .name = "sickness_kpi_subtree",
    .sql = "WITH RECURSIVE m(month) AS (SELECT CAST($2 AS BIGINT) UNION ALL "
           "SELECT CASE WHEN month % 100 = 12 THEN month + 89 ELSE month + 1 END FROM m "
           "WHERE month < $3) "
           "SELECT a.month, SUM(s.fte_days_lost), SUM(s.fte_days_available), COUNT(*), "
           "SUM(CASE WHEN a.flags = 1 OR a.flags = 3 THEN 1 ELSE 0 END), "
           "SUM(CASE WHEN a.flags >= 2 THEN 1 ELSE 0 END) "
           "FROM m CROSS JOIN org_ancestor a CROSS JOIN sickness_absence s "
           "WHERE a.month = m.month AND a.ancestor_id = $1 AND s.month = a.month "
           "AND s.org_id = a.node_id GROUP BY a.month ORDER BY a.month",
};

int64_t sickness_rate_hundredths(double lost, double available)
{
	return (int64_t)llround(lost / available * 100.0 * 100.0);
}

/* ---- parsing ----------------------------------------------------------------- */

struct srow {
	size_t file; /* index into the paths */
	long line;
	long col[NCOLS];
	char *f[NCOLS];
	int month;
	char date[DATE_STR_SIZE];
	double lost, avail, rate;
	int64_t org_id, ics_id, region_id;
};

/* sref: a row by reference, for sorting without copying rows. */
struct sref {
	struct srow *r;
};

struct simport {
	const struct actor *actor;
	const char *const *paths;
	size_t npaths;
	const struct import_opts *opt;
	struct import_result *res;
	struct import_file *files;
	struct arena a;
	struct srow *rows;
	size_t nrows, alloc;
	int64_t now;
};

static void problem(struct simport *S, const struct srow *r, int c, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(struct simport *S, const struct srow *r, int c, const char *fmt, ...)
{
	char reason[IMPORT_REASON_MAX];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	import_problem_add(&S->res->problems, S->paths[r->file], r->line, r->col[c], "%s", reason);
}

/* parse_row: the row's fields into r, every problem recorded. */
static void parse_row(struct simport *S, struct srow *r)
{
	struct cadre_err e;
	const char *v = r->f[C_DATE];
	struct date d;
	if (date_parse_dmy(v, strlen(v), &d, &e) != CADRE_OK) {
		problem(S, r, C_DATE,
		        "DATE '%s' is not a date in the publication's form DD/MM/YYYY", v);
	} else if (d.d != date_days_in_month(d.y, d.m)) {
		problem(S, r, C_DATE, "DATE '%s' is not the last day of its month, as published",
		        v);
	} else {
		r->month = date_month_of(d);
		date_format_iso(d, r->date);
	}
	static const int codes[] = {C_REGION, C_ICS, C_ORG};
	for (size_t i = 0; i < 3; i++) {
		int c = codes[i];
		if (!org_code_valid(r->f[c], strlen(r->f[c])))
			problem(S, r, c,
			        "%s '%s' is not an organisation code (1-%d capital letters and "
			        "digits)",
			        colnames[c], r->f[c], ORG_CODE_MAX - 1);
	}
	static const int texts[] = {C_REGION_NAME, C_ICS_NAME, C_ORG_NAME, C_ORG_TYPE};
	for (size_t i = 0; i < 4; i++)
		if (!*r->f[texts[i]])
			problem(S, r, texts[i], "%s is empty", colnames[texts[i]]);
	bool nums = true;
	v = r->f[C_LOST];
	if (num_parse_double(v, strlen(v), &r->lost, &e) != CADRE_OK || r->lost < 0) {
		problem(S, r, C_LOST, "FTE_DAYS_LOST '%s' is not a number of days (0 or more)", v);
		nums = false;
	}
	v = r->f[C_AVAIL];
	if (num_parse_double(v, strlen(v), &r->avail, &e) != CADRE_OK || !(r->avail > 0)) {
		problem(S, r, C_AVAIL, "FTE_DAYS_AVAILABLE '%s' is not a number of days above 0",
		        v);
		nums = false;
	}
	v = r->f[C_RATE];
	int64_t published;
	if (num_parse_fixed(v, strlen(v), 2, &published, &e) != CADRE_OK || published < 0) {
		problem(S, r, C_RATE,
		        "SICKNESS_ABSENCE_RATE_PERCENT '%s' is not a percentage with at most 2 "
		        "decimal places",
		        v);
	} else {
		r->rate = (double)published / 100.0;
		int64_t want = nums ? sickness_rate_hundredths(r->lost, r->avail) : published;
		if (want != published)
			problem(S, r, C_RATE,
			        "SICKNESS_ABSENCE_RATE_PERCENT %s contradicts its own days: "
			        "round(%s / %s x 100, 2) = %" PRId64 ".%02" PRId64,
			        v, r->f[C_LOST], r->f[C_AVAIL], want / 100, want % 100);
	}
	if (strcmp(r->f[C_ORG_TYPE], "Integrated Care Board") == 0 &&
	    strcmp(r->f[C_ORG], r->f[C_ICS]) != 0)
		problem(
		    S, r, C_ORG,
		    "an Integrated Care Board's own row must carry its ICS code: ORG_CODE '%s', "
		    "ICS_CODE '%s'",
		    r->f[C_ORG], r->f[C_ICS]);
}

static bool header_is(const struct csv_field *fl, size_t n, const char *header)
{
	char got[2048];
	size_t used = 0;
	for (size_t i = 0; i < n && used < sizeof got; i++)
		used +=
		    (size_t)snprintf(got + used, sizeof got - used, "%s%s", i ? "," : "", fl[i].s);
	return strcmp(got, header) == 0;
}

/* swalk: which file of the import the CSV walk is reading. */
struct swalk {
	struct simport *S;
	size_t fi;
};

/* on_header: the publication's header, or a problem saying what the file
 * is instead (then 0: the rows are not read). */
static size_t on_header(void *ctx, const struct csv_field *fl, size_t n, long line)
{
	const struct swalk *w = ctx;
	struct simport *S = w->S;
	const char *path = S->paths[w->fi];
	if (header_is(fl, n, SICKNESS_HEADER))
		return NCOLS;
	const char *other = import_publication_of(fl, n);
	if (other) {
		import_problem_add(
		    &S->res->problems, path, line, 1,
		    "this is not an NHS Sickness Absence Rates file: its header is that "
		    "of %s",
		    other);
		return 0;
	}
	return import_header_expect(&S->res->problems, path, fl, n, line, colnames, NCOLS,
	                            "the NHS Sickness Absence Rates publication", SICKNESS_HEADER)
	           ? NCOLS
	           : 0;
}

static void on_row(void *ctx, const struct csv_field *fl, size_t n, long line)
{
	const struct swalk *w = ctx;
	struct simport *S = w->S;
	(void)n;
	if (S->nrows == S->alloc) {
		S->alloc = S->alloc ? S->alloc * 2 : 1024;
		S->rows = xreallocarray(S->rows, S->alloc, sizeof *S->rows);
	}
	struct srow *row = &S->rows[S->nrows++];
	memset(row, 0, sizeof *row);
	row->file = w->fi;
	row->line = line;
	for (size_t i = 0; i < NCOLS; i++) {
		row->f[i] = arena_strndup(&S->a, fl[i].s, fl[i].len);
		row->col[i] = fl[i].col;
	}
	parse_row(S, row);
}

static int parse_file(struct simport *S, size_t fi, struct cadre_err *err)
{
	struct swalk w = {S, fi};
	return import_csv_walk(S->paths[fi], SICK_FILE_CAP, &S->files[fi], &S->res->problems,
	                       on_header, on_row, &w, err);
}

static int row_cmp(const void *a, const void *b)
{
	const struct srow *x = ((const struct sref *)a)->r;
	const struct srow *y = ((const struct sref *)b)->r;
	if (x->month != y->month)
		return x->month < y->month ? -1 : 1;
	int c = strcmp(x->f[C_ORG], y->f[C_ORG]);
	if (c)
		return c;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int ics_cmp(const void *a, const void *b)
{
	const struct srow *x = ((const struct sref *)a)->r;
	const struct srow *y = ((const struct sref *)b)->r;
	if (x->month != y->month)
		return x->month < y->month ? -1 : 1;
	int c = strcmp(x->f[C_ICS], y->f[C_ICS]);
	if (c)
		return c;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* check_across: duplicated organisation-months and an ICS under two
 * regions in one month, across every file of the import. */
static void check_across(struct simport *S)
{
	if (!S->nrows)
		return;
	struct sref *v = xcalloc(S->nrows, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < S->nrows; i++)
		if (S->rows[i].month)
			v[n++].r = &S->rows[i];
	qsort(v, n, sizeof *v, row_cmp);
	for (size_t i = 1; i < n; i++) {
		if (v[i].r->month == v[i - 1].r->month &&
		    strcmp(v[i].r->f[C_ORG], v[i - 1].r->f[C_ORG]) == 0) {
			char mm[DATE_MONTH_SIZE];
			date_month_format(v[i].r->month, mm);
			size_t k = i - 1;
			while (k > 0 && v[k - 1].r->month == v[i].r->month &&
			       strcmp(v[k - 1].r->f[C_ORG], v[i].r->f[C_ORG]) == 0)
				k--;
			problem(S, v[i].r, C_ORG,
			        "duplicate row for organisation %s in %s (first at %s:%ld)",
			        v[i].r->f[C_ORG], mm, S->paths[v[k].r->file], v[k].r->line);
		}
	}
	qsort(v, n, sizeof *v, ics_cmp);
	for (size_t i = 1; i < n; i++) {
		const struct srow *a = v[i - 1].r, *b = v[i].r;
		if (a->month == b->month && strcmp(a->f[C_ICS], b->f[C_ICS]) == 0 &&
		    strcmp(a->f[C_REGION], b->f[C_REGION]) != 0) {
			char mm[DATE_MONTH_SIZE];
			date_month_format(b->month, mm);
			problem(S, b, C_REGION,
			        "ICS %s is under region %s here but under %s at %s:%ld in the same "
			        "month "
			        "(%s)",
			        b->f[C_ICS], b->f[C_REGION], a->f[C_REGION], S->paths[a->file],
			        a->line, mm);
		}
	}
	free(v);
}

/* ---- writing ------------------------------------------------------------------------- */

/* kind_of_type: Cadre's kind for an organisation the reference data lacks,
 * from the publication's ORG_TYPE and the shape of its code. */
static const char *kind_of_type(const char *type, const char *code)
{
	if (strcmp(type, "Integrated Care Board") == 0)
		return "icb";
	if (strcmp(type, "Commissioning Support Unit") == 0)
		return "csu";
	if (strcmp(type, "Others") == 0)
		return "body";
	if (strlen(code) == 3 && (code[0] == 'R' || code[0] == 'T'))
		return "trust";
	return "provider";
}

/* resolve_codes: match each row's region, ICS and organisation to nodes,
 * creating the ICS areas and organisations the reference data lacks. */
static int resolve_codes(struct simport *S, struct store *db, struct org_index *ix,
                         struct cadre_err *err)
{
	int rc;
	for (size_t i = 0; i < S->nrows; i++) {
		struct srow *r = &S->rows[i];
		const struct org_index_entry *reg = org_index_find(ix, r->f[C_REGION]);
		if (!reg || strcmp(reg->kind, "region") != 0) {
			problem(S, r, C_REGION,
			        "NHSE_REGION_CODE '%s' is not a region the reference data knows "
			        "(Y56, Y58-Y63 or QZZ; run `cadre init` first)",
			        r->f[C_REGION]);
			continue;
		}
		r->region_id = reg->id;
		if (strcmp(r->f[C_ICS], r->f[C_REGION]) == 0) {
			r->ics_id = reg->id; /* a region-level ICS area such as QZZ */
		} else {
			const struct org_index_entry *ics = org_index_find(ix, r->f[C_ICS]);
			if (ics && strcmp(ics->kind, "icb") != 0) {
				problem(S, r, C_ICS, "ICS_CODE '%s' is a %s, not an ICB",
				        r->f[C_ICS], ics->kind);
				continue;
			}
			if (!ics) {
				struct org_new n = {.code = r->f[C_ICS],
				                    .kind = "icb",
				                    .name = r->f[C_ICS_NAME],
				                    .org_type = "Integrated Care Board",
				                    .source = SICKNESS_SOURCE};
				bool created;
				if ((rc = org_put(S->actor, db, &n, false, &r->ics_id, &created,
				                  err)))
					return rc;
				org_index_add(ix, n.code, n.kind, r->ics_id);
				S->res->orgs_created += created;
			} else {
				r->ics_id = ics->id;
			}
		}
		const struct org_index_entry *org = org_index_find(ix, r->f[C_ORG]);
		if (org && strcmp(r->f[C_ORG], r->f[C_ICS]) != 0 &&
		    (strcmp(org->kind, "region") == 0 || strcmp(org->kind, "nation") == 0 ||
		     strcmp(org->kind, "icb") == 0)) {
			problem(
			    S, r, C_ORG,
			    "ORG_CODE '%s' is a%s %s: only its own row (ORG_CODE = ICS_CODE) may "
			    "carry it",
			    r->f[C_ORG], org->kind[0] == 'i' ? "n" : "", org->kind);
			continue;
		}
		if (org) {
			r->org_id = org->id;
			continue;
		}
		const char *kind = kind_of_type(r->f[C_ORG_TYPE], r->f[C_ORG]);
		struct org_new n = {.code = r->f[C_ORG],
		                    .kind = kind,
		                    .name = r->f[C_ORG_NAME],
		                    .org_type = r->f[C_ORG_TYPE],
		                    .source = SICKNESS_SOURCE};
		bool created;
		if ((rc = org_put(S->actor, db, &n, false, &r->org_id, &created, err)) != CADRE_OK)
			return rc;
		org_index_add(ix, n.code, n.kind, r->org_id);
		S->res->orgs_created += created;
	}
	return CADRE_OK;
}

/* check_months: a month already loaded is a problem unless replacing. */
static int check_months(struct simport *S, struct store *db, struct cadre_err *err)
{
	for (size_t k = 0; k < S->res->nmonths; k++) {
		int m = S->res->months[k];
		int64_t have = 0;
		int rc = import_month_check(db, &q_month_rows, &q_month_delete, m, S->opt->replace,
		                            &have, &S->res->rows_replaced, err);
		if (rc != CADRE_OK)
			return rc;
		if (!have)
			continue;
		if (S->opt->replace) {
			if ((rc = org_edges_clear(S->actor, db, SICKNESS_SOURCE, m, NULL, err)))
				return rc;
			continue;
		}
		const struct srow *first = NULL;
		for (size_t i = 0; i < S->nrows && !first; i++)
			if (S->rows[i].month == m)
				first = &S->rows[i];
		char mm[DATE_MONTH_SIZE];
		date_month_format(m, mm);
		problem(S, first, C_DATE,
		        "%s is already loaded (%" PRId64 " rows); use --replace to replace it", mm,
		        have);
	}
	return CADRE_OK;
}

/* drop_synthetic: published figures win over the demo's synthetic ones for
 * the same organisation and month: delete those (counted as replaced). */
static int drop_synthetic(struct simport *S, struct store *db, struct cadre_err *err)
{
	if (!S->res->nmonths)
		return CADRE_OK;
	struct store_stmt *st;
	int rc = store_prepare(db, &q_synthetic_any, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, S->res->months[0]);
	store_bind_i64(st, 2, S->res->months[S->res->nmonths - 1]);
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE ? CADRE_EINTERNAL : rc;
	int64_t any = store_col_i64(st, 0);
	store_reset(st);
	for (size_t i = 0; i < S->nrows && any; i++) {
		if ((rc = store_prepare(db, &q_synthetic_delete, &st, err)) != CADRE_OK)
			return rc;
		store_bind_i64(st, 1, S->rows[i].month);
		store_bind_i64(st, 2, S->rows[i].org_id);
		if ((rc = store_exec(st, err)) != CADRE_OK)
			return rc;
		S->res->rows_replaced += store_changes(st);
	}
	return CADRE_OK;
}

/* put_edges: the file's own hierarchy for its month: organisation -> ICS,
 * ICS -> region (once per ICS and month), in one bulk load. */
static int put_edges(struct simport *S, struct store *db, struct cadre_err *err)
{
	struct sref *v = xcalloc(S->nrows + 1, sizeof *v);
	struct org_edge_new *e = xcalloc(2 * S->nrows + 1, sizeof *e);
	size_t n = 0;
	for (size_t i = 0; i < S->nrows; i++)
		v[i].r = &S->rows[i];
	qsort(v, S->nrows, sizeof *v, ics_cmp);
	for (size_t i = 0; i < S->nrows; i++) {
		const struct srow *r = v[i].r;
		if (r->org_id != r->ics_id)
			e[n++] = (struct org_edge_new){r->org_id, r->ics_id, r->month, r->month};
		bool first_of_ics =
		    i == 0 || v[i - 1].r->month != r->month || v[i - 1].r->ics_id != r->ics_id;
		if (first_of_ics && r->ics_id != r->region_id)
			e[n++] = (struct org_edge_new){r->ics_id, r->region_id, r->month, r->month};
	}
	int rc = org_edges_put_many(S->actor, db, e, n, ORG_EDGE_PUBLISHED, SICKNESS_SOURCE, err);
	free(e);
	free(v);
	return rc;
}

/* insert_rows: the figures, in one bulk load. */
static int insert_rows(struct simport *S, struct store *db, const int64_t *import_ids,
                       struct cadre_err *err)
{
	static const char *const cols[] = {"month",        "org_id",        "published_date",
	                                   "region_code",  "region_name",   "ics_code",
	                                   "ics_name",     "org_code",      "org_name",
	                                   "org_type",     "fte_days_lost", "fte_days_available",
	                                   "rate_percent", "import_id"};
	int rc = store_bulk_begin(db, "sickness_absence", cols, 14, err);
	if (rc != CADRE_OK)
		return rc;
	for (size_t i = 0; i < S->nrows; i++) {
		const struct srow *r = &S->rows[i];
#define T(c) STORE_V_TEXT(r->f[c], strlen(r->f[c]))
		struct store_value v[14] = {
		    STORE_V_I64(r->month),
		    STORE_V_I64(r->org_id),
		    STORE_V_TEXT(r->date, strlen(r->date)),
		    T(C_REGION),
		    T(C_REGION_NAME),
		    T(C_ICS),
		    T(C_ICS_NAME),
		    T(C_ORG),
		    T(C_ORG_NAME),
		    T(C_ORG_TYPE),
		    STORE_V_DOUBLE(r->lost),
		    STORE_V_DOUBLE(r->avail),
		    STORE_V_DOUBLE(r->rate),
		    STORE_V_I64(import_ids[r->file]),
		};
#undef T
		if ((rc = store_bulk_row(db, v, err)) != CADRE_OK) {
			cadre_err_prefix(err, "%s:%ld", S->paths[r->file], r->line);
			return rc;
		}
	}
	int64_t n = 0;
	if ((rc = store_bulk_end(db, &n, err)) != CADRE_OK)
		return rc;
	S->res->rows = n;
	return CADRE_OK;
}

/* import_tx: the database part, in one write transaction. */
static int import_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct simport *S = arg;
	struct import_result *res = S->res;
	/* a retry starts from scratch */
	res->rows = res->orgs_created = res->rows_replaced = res->audit_seq = 0;
	import_problems_clear(&res->problems);
	struct org_index ix = {0};
	int64_t *ids = xcalloc(S->npaths + 1, sizeof *ids);
	int rc = org_index_load(S->actor, db, &ix, err);
	if (rc != CADRE_OK)
		goto out;
	if ((rc = resolve_codes(S, db, &ix, err)) != CADRE_OK ||
	    (rc = check_months(S, db, err)) != CADRE_OK)
		goto out;
	if (import_problems_total(&res->problems)) {
		rc = import_problems_fail(&res->problems, err);
		goto out;
	}
	if ((rc = drop_synthetic(S, db, err)) != CADRE_OK ||
	    (rc = put_edges(S, db, err)) != CADRE_OK)
		goto out;
	int64_t counts[64] = {0};
	for (size_t i = 0; i < S->nrows; i++)
		counts[S->rows[i].file]++;
	for (size_t fi = 0; fi < S->npaths; fi++) {
		rc = import_record_file(S->actor, db, "sickness", S->paths[fi], S->files[fi].sha256,
		                        counts[fi], S->now, &ids[fi], err);
		if (rc != CADRE_OK)
			goto out;
	}
	if ((rc = insert_rows(S, db, ids, err)) != CADRE_OK)
		goto out;
	if ((rc = org_hierarchy_rebuild(S->actor, db, S->opt->clk, &res->rebuild, err)) != CADRE_OK)
		goto out;
	/* the rebuild made the per-node statistics stale: recompute them in
	 * the same transaction, so no page sees stale figures */
	if ((rc = orgstats_refresh_all(S->actor, db, S->opt->clk, err)) != CADRE_OK)
		goto out;
	if (!S->opt->dry_run)
		rc = import_audit(S->actor, db, S->opt->audit_key, "sickness", S->files, counts,
		                  ids, S->npaths, res, S->now, err);
out:
	free(ids);
	org_index_free(&ix);
	return rc;
}

int sickness_import(const struct actor *actor, struct store *db, const char *const *paths, size_t n,
                    const struct import_opts *opt, struct import_result *res, struct cadre_err *err)
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
	struct simport S = {.actor = actor, .paths = paths, .npaths = n, .opt = opt, .res = res};
	S.files = xcalloc(n, sizeof *S.files);
	arena_init(&S.a, 0);
	S.now = clock_now(opt->clk);
	for (size_t i = 0; i < n && rc == CADRE_OK; i++)
		rc = parse_file(&S, i, err);
	if (rc != CADRE_OK)
		goto out;
	check_across(&S);
	for (size_t i = 0; i < S.nrows; i++)
		if (S.rows[i].month && !import_result_add_month(res, S.rows[i].month)) {
			problem(&S, &S.rows[i], C_DATE, "more than %d months in one import",
			        IMPORT_MONTHS_MAX);
			break;
		}
	res->files = (int64_t)n;
	if (import_problems_total(&res->problems)) {
		rc = import_problems_fail(&res->problems, err);
		goto out;
	}
	rc = import_run(db, opt->dry_run, import_tx, &S, err);
out:
	res->micros = clock_mono_us() - t0;
	for (size_t i = 0; i < n; i++)
		import_file_free(&S.files[i]);
	free(S.files);
	free(S.rows);
	arena_free(&S.a);
	return rc;
}

/* ---- the KPI ------------------------------------------------------------------------------ */

int sickness_kpi(const struct actor *actor, struct store *db, const char *code, int from, int to,
                 struct sickness_kpi *out, struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	if (!date_month_valid(from) || !date_month_valid(to) || from > to)
		return cadre_err_set(err, CADRE_EINVAL, "the span must be two months, from <= to");
	int span = date_month_diff(from, to) + 1;
	if (span > 600)
		return cadre_err_set(err, CADRE_EINVAL, "a span of at most 600 months");
	int rc = org_get(actor, db, code, &out->org, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = org_scope_check(actor, db, out->org.id, from, to, err)) != CADRE_OK)
		return rc;
	out->from = from;
	out->to = to;
	out->nmonths = (size_t)span;
	out->months = xcalloc(out->nmonths, sizeof *out->months);
	for (size_t i = 0; i < out->nmonths; i++)
		out->months[i].month = date_month_add(from, (int)i);
	struct store_stmt *st;
	bool wide = strcmp(out->org.kind, "nation") == 0 || strcmp(out->org.kind, "region") == 0 ||
	            strcmp(out->org.kind, "icb") == 0;
	if ((rc = store_prepare(db, wide ? &q_kpi : &q_kpi_subtree, &st, err)) != CADRE_OK)
		goto fail;
	store_bind_i64(st, 1, out->org.id);
	store_bind_i64(st, 2, from);
	store_bind_i64(st, 3, to);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		int m = (int)store_col_i64(st, 0);
		int k = date_month_diff(from, m);
		if (k < 0 || k >= span)
			continue;
		struct sickness_month *sm = &out->months[k];
		sm->has_data = true;
		sm->fte_days_lost = store_col_double(st, 1);
		sm->fte_days_available = store_col_double(st, 2);
		sm->rows = store_col_i64(st, 3);
		sm->earliest_rows = store_col_i64(st, 4);
		sm->unassigned_rows = store_col_i64(st, 5);
		sm->rate_hundredths =
		    sickness_rate_hundredths(sm->fte_days_lost, sm->fte_days_available);
		out->fte_days_lost += sm->fte_days_lost;
		out->fte_days_available += sm->fte_days_available;
		out->rows += sm->rows;
		out->months_with_data++;
	}
	if (rc != CADRE_DONE)
		goto fail;
	if (!out->months_with_data) {
		char a[DATE_MONTH_SIZE], b[DATE_MONTH_SIZE];
		date_month_format(from, a);
		date_month_format(to, b);
		rc = cadre_err_set(err, CADRE_ENOTFOUND,
		                   "no sickness absence figures for %s from %s to %s", code, a, b);
		goto fail;
	}
	out->rate_hundredths =
	    sickness_rate_hundredths(out->fte_days_lost, out->fte_days_available);
	return CADRE_OK;
fail:
	sickness_kpi_free(out);
	return rc;
}

void sickness_kpi_free(struct sickness_kpi *out)
{
	free(out->months);
	out->months = NULL;
	out->nmonths = 0;
}
