/* history: the monthly history import (see history.h). */
#include "domain/history.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/date.h"
#include "base/mem.h"
#include "base/num.h"
#include "domain/audit.h"
#include "domain/org.h"
#include "domain/orgstats.h"
#include "domain/sickness.h"
#include "io/csv.h"
#include "store/store.h"

#define HIST_FILE_CAP ((size_t)512 * 1024 * 1024)
#define MAXCOLS       11
#define TEXT_MAX      200

/* bounds that no real month reaches: a bigger figure is a unit error */
#define DAYS_MAX   INT64_C(100000000) /* FTE days in a month, whole England ~ 45 million */
#define WTE_MAX    INT64_C(1000000)
#define HOURS_MAX  INT64_C(100000000)
#define SHIFTS_MAX INT64_C(10000000)
#define POUNDS_MAX INT64_C(10000000000)

enum ctype {
	T_MONTHEND, /* date: a month's last day */
	T_MONTH,    /* YYYY-MM */
	T_CODE,     /* organisation, ward or staff-group code */
	T_TEXT,     /* a name */
	T_ORGTYPE,  /* the publication's organisation type */
	T_DEC5,     /* decimal(5) >= 0 */
	T_DEC2,     /* decimal(2) >= 0 */
	T_DEC2S,    /* decimal(2), may be negative */
	T_INT,      /* int >= 0 */
	T_MONEY,    /* pounds with exactly 2 decimals, >= 0 */
	T_STYPE,    /* bank, agency, overtime, locum */
	T_FRAMEWORK /* on, off or empty */
};

struct kspec {
	const char *name; /* history_kind_name */
	const char *file; /* the demo's file name */
	int ncols;
	const char *cols[MAXCOLS];
	enum ctype types[MAXCOLS];
	int key[6]; /* the key's columns, -1 ended */
	int c_org;  /* the organisation column */
};

static const struct kspec specs[HISTORY_KINDS] = {
    [HISTORY_SICKNESS] = {"sickness",
                          "sickness-absence.csv",
                          11,
                          {"date", "nhse_region_code", "nhse_region_name", "ics_code", "ics_name",
                           "org_code", "org_name", "org_type", "fte_days_lost",
                           "fte_days_available", "sickness_absence_rate_percent"},
                          {T_MONTHEND, T_CODE, T_TEXT, T_CODE, T_TEXT, T_CODE, T_TEXT, T_ORGTYPE,
                           T_DEC5, T_DEC5, T_DEC2},
                          {0, 5, -1},
                          5},
    [HISTORY_SICKNESS_WARDS] = {"sickness_wards",
                                "sickness-absence-wards.csv",
                                6,
                                {"date", "org_code", "ward_team_code", "fte_days_lost",
                                 "fte_days_available", "sickness_absence_rate_percent"},
                                {T_MONTHEND, T_CODE, T_CODE, T_DEC5, T_DEC5, T_DEC2},
                                {0, 1, 2, -1},
                                1},
    [HISTORY_VACANCIES] = {"vacancies",
                           "vacancies.csv",
                           7,
                           {"month", "org_code", "staff_group", "establishment_wte",
                            "contracted_wte", "vacancy_wte", "vacancy_rate_percent"},
                           {T_MONTH, T_CODE, T_CODE, T_DEC2, T_DEC2, T_DEC2S, T_DEC2S},
                           {0, 1, 2, -1},
                           1},
    [HISTORY_TEMPORARY] = {"temporary_staffing",
                           "temporary-staffing-history.csv",
                           8,
                           {"month", "org_code", "staff_group", "staffing_type", "framework",
                            "hours", "shifts", "spend_gbp"},
                           {T_MONTH, T_CODE, T_CODE, T_STYPE, T_FRAMEWORK, T_DEC2, T_INT, T_MONEY},
                           {0, 1, 2, 3, 4, -1},
                           1},
};

static const char *const org_types[] = {"Acute", "Mental Health", "Ambulance",
                                        "Community Provider Trust", "Integrated Care Board"};

const char *history_kind_name(enum history_kind k)
{
	return (int)k >= 0 && k < HISTORY_KINDS ? specs[k].name : NULL;
}

const char *history_file_name(enum history_kind k)
{
	return (int)k >= 0 && k < HISTORY_KINDS ? specs[k].file : NULL;
}

/* ---- parsing ----------------------------------------------------------------- */

/* span: an organisation's first and last month in the file */
struct span {
	int64_t org_id;
	int first, last;
};

struct hrow {
	long line;
	long col[MAXCOLS];
	char *f[MAXCOLS];
	int64_t v[MAXCOLS]; /* numbers, fixed point (5 or 2 places, pence, whole) */
	int month;
	char *key;
	int64_t org_id, node_id; /* node_id: the ward (wards), region (sickness) */
	int64_t ics_id;
	bool skip; /* sickness: a published figure holds the month */
};

struct himport {
	const struct actor *actor;
	const char *path;
	const struct history_opts *opt;
	struct history_result *res;
	const struct kspec *k;
	struct import_file file;
	struct arena a;
	struct hrow *rows;
	size_t nrows, alloc;
	struct span *spans; /* each organisation's months in the file */
	size_t nspans;
	int64_t now;
};

static void problem(struct himport *S, const struct hrow *r, int c, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(struct himport *S, const struct hrow *r, int c, const char *fmt, ...)
{
	char reason[IMPORT_REASON_MAX];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	import_problem_add(&S->res->problems, S->path, r ? r->line : 0, r ? r->col[c] : 0, "%s",
	                   reason);
}

/* decimal_ok: ^-?[0-9]+(\.[0-9]{1,places})?$ (exact: places digits when
 * exact is set, as money requires). */
static bool decimal_ok(const char *s, int places, bool neg, bool exact)
{
	if (neg && *s == '-')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9')
		s++;
	if (!*s)
		return !exact;
	if (*s++ != '.')
		return false;
	int n = 0;
	while (*s >= '0' && *s <= '9') {
		s++;
		n++;
	}
	return !*s && n >= 1 && n <= places && (!exact || n == places);
}

static bool text_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* code_ok: ^[A-Za-z0-9][A-Za-z0-9_/.-]{0,29}$ (docs/formats.md `code`) */
static bool code_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 30)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum =
		    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '_' && c != '/' && c != '.' && c != '-')))
			return false;
	}
	return true;
}

/* parse_cell: column c of r by its type. */
static void parse_cell(struct himport *S, struct hrow *r, int c)
{
	const char *name = S->k->cols[c];
	const char *v = r->f[c];
	size_t len = strlen(v);
	struct cadre_err e;
	switch (S->k->types[c]) {
	case T_MONTHEND: {
		struct date d;
		if (date_parse_iso(v, len, &d, &e) != CADRE_OK || d.y < 1900 || d.y > 2099)
			problem(S, r, c, "%s '%s' is not a date YYYY-MM-DD", name, v);
		else if (d.d != date_days_in_month(d.y, d.m))
			problem(S, r, c, "%s '%s' is not the last day of its month", name, v);
		else
			r->month = date_month_of(d);
		return;
	}
	case T_MONTH:
		if (date_month_parse(v, len, &r->month, &e) != CADRE_OK || r->month < 190001 ||
		    r->month > 209912) {
			r->month = 0;
			problem(S, r, c, "%s '%s' is not a month YYYY-MM", name, v);
		}
		return;
	case T_CODE:
		if (!code_ok(v))
			problem(S, r, c, "%s '%s' is not a code (1-30 letters, digits, _ / . -)",
			        name, v);
		return;
	case T_TEXT:
		if (!*v)
			problem(S, r, c, "%s is empty", name);
		else if (len > TEXT_MAX || !text_ok(v))
			problem(S, r, c,
			        "%s is not a name of at most %d characters without controls", name,
			        TEXT_MAX);
		return;
	case T_ORGTYPE:
		for (size_t i = 0; i < sizeof org_types / sizeof org_types[0]; i++)
			if (strcmp(v, org_types[i]) == 0)
				return;
		problem(S, r, c,
		        "%s '%s' is not one of Acute, Mental Health, Ambulance, Community Provider "
		        "Trust, Integrated Care Board",
		        name, v);
		return;
	case T_DEC5:
	case T_DEC2:
	case T_DEC2S: {
		int places = S->k->types[c] == T_DEC5 ? 5 : 2;
		bool neg = S->k->types[c] == T_DEC2S;
		if (!decimal_ok(v, places, neg, false) ||
		    num_parse_fixed(v, len, places, &r->v[c], &e) != CADRE_OK)
			problem(S, r, c,
			        "%s '%s' is not a %sdecimal with at most %d decimal places", name,
			        v, neg ? "" : "non-negative ", places);
		return;
	}
	case T_INT:
		if (!decimal_ok(v, 0, false, false) ||
		    num_parse_i64_range(v, len, 0, SHIFTS_MAX, &r->v[c], &e) != CADRE_OK)
			problem(S, r, c, "%s '%s' is not a whole number from 0 to %" PRId64, name,
			        v, SHIFTS_MAX);
		return;
	case T_MONEY:
		if (!decimal_ok(v, 2, false, true) ||
		    num_parse_fixed(v, len, 2, &r->v[c], &e) != CADRE_OK)
			problem(S, r, c,
			        "%s '%s' is not pounds with exactly two decimals (1234.50)", name,
			        v);
		else if (r->v[c] > POUNDS_MAX * 100)
			problem(S, r, c, "%s %s is absurd (over %" PRId64 " pounds in a month)",
			        name, v, POUNDS_MAX);
		return;
	case T_STYPE:
		if (strcmp(v, "bank") && strcmp(v, "agency") && strcmp(v, "overtime") &&
		    strcmp(v, "locum"))
			problem(S, r, c, "%s '%s' is not bank, agency, overtime or locum", name, v);
		return;
	case T_FRAMEWORK:
		if (*v && strcmp(v, "on") && strcmp(v, "off"))
			problem(S, r, c, "%s '%s' is not on, off or empty", name, v);
		return;
	}
}

/* round_div: num / den rounded half away from zero (den > 0). */
static int64_t round_div(int64_t num, int64_t den)
{
	return num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den);
}

static void fmt2(int64_t v, char *out, size_t n)
{
	int64_t a = v < 0 ? -v : v;
	(void)snprintf(out, n, "%s%" PRId64 ".%02" PRId64, v < 0 ? "-" : "", a / 100, a % 100);
}

/* check_rate: a sickness rate (column c) against lost (cl) and available
 * (ca), each with 5 places: round(lost / available x 100, 2). */
static void check_rate(struct himport *S, struct hrow *r, int cl, int ca, int c)
{
	int64_t lost = r->v[cl], avail = r->v[ca];
	int64_t want = avail > 0 ? round_div(lost * 10000, avail) : 0;
	if (want != r->v[c]) {
		char w[32];
		fmt2(want, w, sizeof w);
		problem(S, r, c, "%s %s contradicts its own days: round(%s / %s x 100, 2) = %s",
		        S->k->cols[c], r->f[c], r->f[cl], r->f[ca], w);
	}
}

/* check_row: the rules between a row's columns. */
static void check_row(struct himport *S, struct hrow *r)
{
	switch ((enum history_kind)(S->k - specs)) {
	case HISTORY_SICKNESS:
		if (r->v[8] > DAYS_MAX * 100000 || r->v[9] > DAYS_MAX * 100000)
			problem(S, r, 9, "FTE days over %" PRId64 " in a month are absurd",
			        DAYS_MAX);
		else if (r->v[9] <= 0 && *r->f[9])
			problem(S, r, 9, "fte_days_available must be above 0");
		else
			check_rate(S, r, 8, 9, 10);
		if (strcmp(r->f[7], "Integrated Care Board") == 0 && strcmp(r->f[5], r->f[3]))
			problem(
			    S, r, 5,
			    "an Integrated Care Board's own row must carry its ICS code: org_code "
			    "'%s', ics_code '%s'",
			    r->f[5], r->f[3]);
		break;
	case HISTORY_SICKNESS_WARDS:
		if (r->v[3] > DAYS_MAX * 100000 || r->v[4] > DAYS_MAX * 100000)
			problem(S, r, 4, "FTE days over %" PRId64 " in a month are absurd",
			        DAYS_MAX);
		else
			check_rate(S, r, 3, 4, 5);
		break;
	case HISTORY_VACANCIES: {
		if (r->v[3] > WTE_MAX * 100 || r->v[4] > WTE_MAX * 100) {
			problem(S, r, 3, "WTE over %" PRId64 " is absurd", WTE_MAX);
			break;
		}
		int64_t vac = r->v[3] - r->v[4];
		char w[32];
		if (vac != r->v[5]) {
			fmt2(vac, w, sizeof w);
			problem(S, r, 5, "vacancy_wte %s is not establishment - contracted = %s",
			        r->f[5], w);
			break;
		}
		int64_t rate = r->v[3] > 0 ? round_div(vac * 10000, r->v[3]) : 0;
		if (rate != r->v[6]) {
			fmt2(rate, w, sizeof w);
			problem(
			    S, r, 6,
			    "vacancy_rate_percent %s contradicts its own WTE: round(%s / %s x 100, "
			    "2) = %s",
			    r->f[6], r->f[5], r->f[3], w);
		}
		break;
	}
	case HISTORY_TEMPORARY:
		if (r->v[5] > HOURS_MAX * 100)
			problem(S, r, 5, "hours over %" PRId64 " in a month are absurd", HOURS_MAX);
		if (strcmp(r->f[3], "agency") == 0 && !*r->f[4])
			problem(S, r, 4, "framework must be on or off for agency staffing");
		if (strcmp(r->f[3], "agency") != 0 && *r->f[4])
			problem(S, r, 4, "framework must be empty for %s staffing", r->f[3]);
		if (strcmp(r->f[3], "locum") == 0 && strncmp(r->f[2], "DOC_", 4) != 0)
			problem(S, r, 3,
			        "locum staffing (a directly engaged medical locum) needs a "
			        "DOC_ staff group, not %s",
			        r->f[2]);
		break;
	case HISTORY_KINDS: break;
	}
}

static bool header_is(const struct kspec *k, const struct csv_field *fl, size_t n)
{
	if (n != (size_t)k->ncols)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(fl[i].s, k->cols[i]) != 0)
			return false;
	return true;
}

/* header_kind: which history file this header is; a problem saying what
 * the file is instead when none. */
static int header_kind(struct himport *S, const struct csv_field *fl, size_t n, long line)
{
	for (int k = 0; k < HISTORY_KINDS; k++)
		if (header_is(&specs[k], fl, n))
			return k;
	const char *other = import_publication_of(fl, n);
	if (other) {
		import_problem_add(
		    &S->res->problems, S->path, line, 1,
		    "this is not a history file (docs/formats.md section E): its header "
		    "is that of %s",
		    other);
		return -1;
	}
	/* name the closest kind: the one whose first column matches and whose
	 * length is nearest */
	int best = -1;
	for (int k = 0; k < HISTORY_KINDS && best < 0; k++)
		if (n && strcmp(fl[0].s, specs[k].cols[0]) == 0 && n >= 2 &&
		    strcmp(fl[1].s, specs[k].cols[1]) == 0)
			best = k;
	if (best < 0) {
		import_problem_add(&S->res->problems, S->path, line, 1,
		                   "header is none of the history files of docs/formats.md section "
		                   "E (sickness-absence, sickness-absence-wards, vacancies, "
		                   "temporary-staffing-history)");
		return -1;
	}
	const struct kspec *k = &specs[best];
	for (size_t i = 0; i < (size_t)k->ncols; i++) {
		if (i >= n) {
			import_problem_add(&S->res->problems, S->path, line, fl[n - 1].col,
			                   "header of %s: column %zu '%s' is missing", k->file,
			                   i + 1, k->cols[i]);
			return -1;
		}
		if (strcmp(fl[i].s, k->cols[i]) != 0) {
			import_problem_add(&S->res->problems, S->path, line, fl[i].col,
			                   "header of %s: column %zu is '%s', expected '%s'",
			                   k->file, i + 1, fl[i].s, k->cols[i]);
			return -1;
		}
	}
	import_problem_add(&S->res->problems, S->path, line, fl[k->ncols].col,
	                   "header of %s: extra column %d '%s' (expected %d columns)", k->file,
	                   k->ncols + 1, fl[k->ncols].s, k->ncols);
	return -1;
}

/* unneutralise: a cell "'=..." "'+..." "'-..." "'@..." read without the
 * quote (docs/formats.md, spreadsheet neutralisation). */
static const char *unneutralise(const char *s, size_t *len)
{
	if (*len >= 2 && s[0] == '\'' &&
	    (s[1] == '=' || s[1] == '+' || s[1] == '-' || s[1] == '@')) {
		(*len)--;
		return s + 1;
	}
	return s;
}

static size_t on_header(void *ctx, const struct csv_field *fl, size_t n, long line)
{
	struct himport *S = ctx;
	int k = header_kind(S, fl, n, line);
	if (k < 0)
		return 0;
	S->k = &specs[k];
	S->res->kind = (enum history_kind)k;
	return (size_t)S->k->ncols;
}

static void on_row(void *ctx, const struct csv_field *fl, size_t n, long line)
{
	struct himport *S = ctx;
	(void)n;
	if (S->nrows == S->alloc) {
		S->alloc = S->alloc ? S->alloc * 2 : 1024;
		S->rows = xreallocarray(S->rows, S->alloc, sizeof *S->rows);
	}
	struct hrow *row = &S->rows[S->nrows++];
	memset(row, 0, sizeof *row);
	row->line = line;
	for (int i = 0; i < S->k->ncols; i++) {
		size_t len = fl[i].len;
		const char *s = unneutralise(fl[i].s, &len);
		row->f[i] = arena_strndup(&S->a, s, len);
		row->col[i] = fl[i].col;
	}
	int64_t before = import_problems_total(&S->res->problems);
	for (int i = 0; i < S->k->ncols; i++)
		parse_cell(S, row, i);
	if (import_problems_total(&S->res->problems) == before)
		check_row(S, row);
}

static int parse_file(struct himport *S, struct cadre_err *err)
{
	int rc = import_csv_walk(S->path, HIST_FILE_CAP, &S->file, &S->res->problems, on_header,
	                         on_row, S, err);
	if (S->file.data)
		(void)snprintf(S->res->sha256, sizeof S->res->sha256, "%s", S->file.sha256);
	return rc;
}

static int ref_cmp(const void *a, const void *b)
{
	const struct hrow *x = *(struct hrow *const *)a, *y = *(struct hrow *const *)b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* check_keys: the key unique in the file; the months and organisations. */
static void check_keys(struct himport *S)
{
	struct hrow **v = xcalloc(S->nrows + 1, sizeof *v);
	for (size_t i = 0; i < S->nrows; i++) {
		struct hrow *r = &S->rows[i];
		char key[512];
		size_t used = 0;
		for (const int *c = S->k->key; *c >= 0 && used < sizeof key; c++)
			used += (size_t)snprintf(key + used, sizeof key - used, "%s\x1f",
			                         S->k->types[*c] == T_MONTHEND ? "" : r->f[*c]);
		/* the date's month, so two spellings of one month clash */
		char mm[16];
		(void)snprintf(mm, sizeof mm, "%06d", r->month);
		r->key = arena_strdup(&S->a, key);
		size_t kl = strlen(r->key) + strlen(mm) + 1;
		char *k2 = arena_alloc(&S->a, kl);
		(void)snprintf(k2, kl, "%s%s", mm, r->key);
		r->key = k2;
		v[i] = r;
		if (r->month) {
			if (!S->res->first_month || r->month < S->res->first_month)
				S->res->first_month = r->month;
			if (r->month > S->res->last_month)
				S->res->last_month = r->month;
		}
	}
	qsort(v, S->nrows, sizeof *v, ref_cmp);
	for (size_t i = 1; i < S->nrows; i++) {
		if (strcmp(v[i]->key, v[i - 1]->key) != 0)
			continue;
		size_t k = i - 1;
		while (k > 0 && strcmp(v[k - 1]->key, v[i]->key) == 0)
			k--;
		problem(S, v[i], S->k->c_org, "duplicate row: the same key as line %ld",
		        v[k]->line);
	}
	free(v);
}

/* ---- resolving and writing ------------------------------------------------------ */

static const struct store_sql q_groups = {
    .name = "history_groups",
    .sql = "SELECT code FROM staff_group WHERE is_total = 0 AND code <> 'UNKNOWN' ORDER BY code",
};

static const struct store_sql q_held_sick = {
    .name = "history_held_sick",
    .sql = "SELECT s.org_id, s.month, i.synthetic FROM sickness_absence s "
           "JOIN stat_import i ON i.id = s.import_id WHERE s.month BETWEEN $1 AND $2",
};

static const struct store_sql q_del_sick = {
    .name = "history_del_sick",
    .sql = "DELETE FROM sickness_absence WHERE org_id = $1 AND month BETWEEN $2 AND $3 "
           "AND import_id IN (SELECT id FROM stat_import WHERE synthetic = 1)",
};

static const struct store_sql q_del_ward = {
    .name = "history_del_ward",
    .sql = "DELETE FROM sickness_ward_history WHERE org_id = $1 AND month BETWEEN $2 AND $3",
};

static const struct store_sql q_del_vac = {
    .name = "history_del_vac",
    .sql = "DELETE FROM vacancy_history WHERE org_id = $1 AND month BETWEEN $2 AND $3",
};

static const struct store_sql q_del_tmp = {
    .name = "history_del_tmp",
    .sql = "DELETE FROM temporary_staffing_history WHERE org_id = $1 AND month BETWEEN $2 "
           "AND $3",
};

static const struct store_sql q_totals_del = {
    .name = "history_totals_del",
    .sql = "DELETE FROM history_totals WHERE kind = $1 AND org_id = $2 AND month BETWEEN $3 "
           "AND $4",
};

/* the per-organisation monthly totals of each kind (schema 0311), for one
 * organisation ($1) over months $2..$3 */
static const struct store_sql q_totals_ward = {
    .name = "history_totals_ward",
    .sql = "INSERT INTO history_totals (kind, month, org_id, staffing_type, sum1, sum2, "
           "synthetic) SELECT 'sickness_wards', w.month, w.org_id, '', SUM(w.fte_days_lost), "
           "SUM(w.fte_days_available), MAX(i.synthetic) FROM sickness_ward_history w "
           "JOIN history_import i ON i.id = w.import_id WHERE w.org_id = $1 "
           "AND w.month BETWEEN $2 AND $3 GROUP BY w.month, w.org_id",
};

static const struct store_sql q_totals_vac = {
    .name = "history_totals_vac",
    .sql = "INSERT INTO history_totals (kind, month, org_id, staffing_type, sum1, sum2, "
           "synthetic) SELECT 'vacancies', v.month, v.org_id, '', SUM(v.establishment_wte), "
           "SUM(v.contracted_wte), MAX(i.synthetic) FROM vacancy_history v "
           "JOIN history_import i ON i.id = v.import_id WHERE v.org_id = $1 "
           "AND v.month BETWEEN $2 AND $3 GROUP BY v.month, v.org_id",
};

static const struct store_sql q_totals_tmp = {
    .name = "history_totals_tmp",
    .sql = "INSERT INTO history_totals (kind, month, org_id, staffing_type, sum1, sum2, "
           "synthetic) SELECT 'temporary_staffing', t.month, t.org_id, t.staffing_type, "
           "SUM(t.hours), SUM(t.spend_pence), MAX(i.synthetic) "
           "FROM temporary_staffing_history t JOIN history_import i ON i.id = t.import_id "
           "WHERE t.org_id = $1 AND t.month BETWEEN $2 AND $3 "
           "GROUP BY t.month, t.org_id, t.staffing_type",
};

static const struct store_sql q_synthetic = {
    .name = "history_stat_synthetic",
    .sql = "UPDATE stat_import SET synthetic = $1 WHERE id = $2",
};

static const struct store_sql q_stat_seq = {
    .name = "history_stat_seq",
    .sql = "UPDATE stat_import SET audit_seq = $1 WHERE id = $2",
};

static const struct store_sql q_hist_insert = {
    .name = "history_import_insert",
    .sql = "INSERT INTO history_import (id, kind, file_name, sha256, rows_loaded, synthetic, "
           "imported_us, actor) SELECT COALESCE(MAX(id), 0) + 1, $1, $2, $3, $4, $5, $6, $7 "
           "FROM history_import RETURNING id",
};

static const struct store_sql q_hist_seq = {
    .name = "history_import_seq",
    .sql = "UPDATE history_import SET audit_seq = $1 WHERE id = $2",
};

static bool is_employer_kind(const char *kind)
{
	return strcmp(kind, "trust") == 0 || strcmp(kind, "provider") == 0 ||
	       strcmp(kind, "icb") == 0 || strcmp(kind, "csu") == 0 || strcmp(kind, "body") == 0 ||
	       strcmp(kind, "social_care") == 0 || strcmp(kind, "other") == 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* load_groups: the staff-group codes a history file may use. */
static int load_groups(struct store *db, struct arena *a, char ***out, size_t *n,
                       struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_groups, &st, err);
	if (rc != CADRE_OK)
		return rc;
	size_t alloc = 0;
	*n = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			*out = xreallocarray(*out, alloc, sizeof **out);
		}
		(*out)[(*n)++] = arena_strdup(a, store_col_text(st, 0));
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

/* resolve: every row's codes against the hierarchy and reference data. */
static int resolve(struct himport *S, struct store *db, struct cadre_err *err)
{
	struct org_index ix = {0};
	char **groups = NULL;
	size_t ngroups = 0;
	int rc = org_index_load(S->actor, db, &ix, err);
	if (rc == CADRE_OK)
		rc = load_groups(db, &S->a, &groups, &ngroups, err);
	if (rc != CADRE_OK)
		goto out;
	enum history_kind kind = S->res->kind;
	for (size_t i = 0; i < S->nrows; i++) {
		struct hrow *r = &S->rows[i];
		int co = S->k->c_org;
		const struct org_index_entry *o = org_index_find(&ix, r->f[co]);
		if (!o || !is_employer_kind(o->kind)) {
			problem(S, r, co,
			        o ? "org_code '%s' is a %s, not an organisation that employs staff"
			          : "org_code '%s' is not an organisation the hierarchy knows%s",
			        r->f[co],
			        o ? o->kind
			          : " (load the reference data or the demo's "
			            "organisations first)");
			continue;
		}
		r->org_id = o->id;
		if (kind == HISTORY_SICKNESS) {
			const struct org_index_entry *reg = org_index_find(&ix, r->f[1]);
			if (!reg || strcmp(reg->kind, "region") != 0)
				problem(S, r, 1,
				        "nhse_region_code '%s' is not a region the reference "
				        "data knows",
				        r->f[1]);
			const struct org_index_entry *ics = org_index_find(&ix, r->f[3]);
			if (!ics ||
			    (strcmp(ics->kind, "icb") != 0 && strcmp(r->f[3], r->f[1]) != 0))
				problem(S, r, 3,
				        "ics_code '%s' is not an ICB the reference data knows",
				        r->f[3]);
		} else if (kind == HISTORY_SICKNESS_WARDS) {
			char code[64];
			(void)snprintf(code, sizeof code, "%s%s", r->f[1], r->f[2]);
			const struct org_index_entry *w = org_index_find(&ix, code);
			if (!w || (strcmp(w->kind, "ward") != 0 && strcmp(w->kind, "team") != 0))
				problem(S, r, 2,
				        "ward_team_code '%s' is not a ward or team of %s in the "
				        "cost-centre "
				        "map (import the cost centres first)",
				        r->f[2], r->f[1]);
			else
				r->node_id = w->id;
		} else {
			const char *g = r->f[2];
			if (!bsearch(&g, groups, ngroups, sizeof *groups, str_cmp))
				problem(S, r, 2,
				        "staff_group '%s' is not an NHS Digital staff-group code "
				        "(docs/formats.md: DOC_CONS, NURSE_HV, ...)",
				        g);
		}
	}
out:
	free(groups);
	org_index_free(&ix);
	return rc;
}

struct held {
	int64_t org_id;
	int month;
	bool synthetic;
};

static int held_cmp(const void *a, const void *b)
{
	const struct held *x = a, *y = b;
	if (x->org_id != y->org_id)
		return x->org_id < y->org_id ? -1 : 1;
	return x->month < y->month ? -1 : x->month > y->month;
}

/* mark_published: sickness rows whose organisation-month a published
 * (non-synthetic) figure holds are skipped; synthetic ones are counted as
 * replaced. */
static int mark_published(struct himport *S, struct store *db, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_held_sick, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, S->res->first_month);
	store_bind_i64(st, 2, S->res->last_month);
	struct held *h = NULL;
	size_t n = 0, alloc = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			h = xreallocarray(h, alloc, sizeof *h);
		}
		h[n++] = (struct held){store_col_i64(st, 0), (int)store_col_i64(st, 1),
		                       store_col_i64(st, 2) != 0};
	}
	if (rc != CADRE_DONE) {
		free(h);
		return rc;
	}
	if (n)
		qsort(h, n, sizeof *h, held_cmp);
	for (size_t i = 0; i < S->nrows && n; i++) {
		struct hrow *r = &S->rows[i];
		struct held key = {r->org_id, r->month, false};
		const struct held *f = bsearch(&key, h, n, sizeof *h, held_cmp);
		if (!f)
			continue;
		if (f->synthetic)
			S->res->rows_replaced++;
		else {
			r->skip = true;
			S->res->rows_skipped++;
		}
	}
	free(h);
	return CADRE_OK;
}

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->org_id < y->org_id ? -1 : x->org_id > y->org_id;
}

/* clear_held: delete what the file replaces, per organisation over the
 * months it holds for it. */
static int clear_held(struct himport *S, struct store *db, struct cadre_err *err)
{
	static const struct store_sql *const del[HISTORY_KINDS] = {&q_del_sick, &q_del_ward,
	                                                           &q_del_vac, &q_del_tmp};
	free(S->spans);
	struct span *v = S->spans = xcalloc(S->nrows + 1, sizeof *v);
	for (size_t i = 0; i < S->nrows; i++)
		v[i] = (struct span){S->rows[i].org_id, S->rows[i].month, S->rows[i].month};
	qsort(v, S->nrows, sizeof *v, span_cmp);
	size_t n = 0;
	for (size_t i = 0; i < S->nrows; i++) {
		if (n && v[n - 1].org_id == v[i].org_id) {
			if (v[i].first < v[n - 1].first)
				v[n - 1].first = v[i].first;
			if (v[i].last > v[n - 1].last)
				v[n - 1].last = v[i].last;
		} else {
			v[n++] = v[i];
		}
	}
	S->res->orgs = (int64_t)n;
	S->nspans = n;
	int rc = CADRE_OK;
	for (size_t i = 0; i < n && rc == CADRE_OK; i++) {
		struct store_stmt *st;
		if ((rc = store_prepare(db, del[S->res->kind], &st, err)) != CADRE_OK)
			break;
		store_bind_i64(st, 1, v[i].org_id);
		store_bind_i64(st, 2, v[i].first);
		store_bind_i64(st, 3, v[i].last);
		rc = store_exec(st, err);
		if (rc == CADRE_OK && S->res->kind != HISTORY_SICKNESS)
			S->res->rows_replaced += store_changes(st);
	}
	return rc;
}

/* refresh_totals: recompute history_totals for the organisations and
 * months the file held (not for organisation sickness, which the sickness
 * tables serve). */
static int refresh_totals(struct himport *S, struct store *db, struct cadre_err *err)
{
	static const struct store_sql *const ins[HISTORY_KINDS] = {NULL, &q_totals_ward,
	                                                           &q_totals_vac, &q_totals_tmp};
	const struct store_sql *q = ins[S->res->kind];
	if (!q)
		return CADRE_OK;
	int rc = CADRE_OK;
	for (size_t i = 0; i < S->nspans && rc == CADRE_OK; i++) {
		const struct span *v = &S->spans[i];
		struct store_stmt *st;
		if ((rc = store_prepare(db, &q_totals_del, &st, err)) != CADRE_OK)
			break;
		store_bind_str(st, 1, S->k->name);
		store_bind_i64(st, 2, v->org_id);
		store_bind_i64(st, 3, v->first);
		store_bind_i64(st, 4, v->last);
		if ((rc = store_exec(st, err)) != CADRE_OK ||
		    (rc = store_prepare(db, q, &st, err)) != CADRE_OK)
			break;
		store_bind_i64(st, 1, v->org_id);
		store_bind_i64(st, 2, v->first);
		store_bind_i64(st, 3, v->last);
		rc = store_exec(st, err);
	}
	return rc;
}

/* record_file: the file's stat_import (sickness) or history_import row. */
static int record_file(struct himport *S, struct store *db, int64_t rows, struct cadre_err *err)
{
	int rc;
	struct store_stmt *st;
	if (S->res->kind == HISTORY_SICKNESS) {
		rc = import_record_file(S->actor, db, "sickness", S->path, S->file.sha256, rows,
		                        S->now, &S->res->import_id, err);
		if (rc != CADRE_OK || (rc = store_prepare(db, &q_synthetic, &st, err)) != CADRE_OK)
			return rc;
		store_bind_i64(st, 1, S->opt->synthetic ? 1 : 0);
		store_bind_i64(st, 2, S->res->import_id);
		return store_exec(st, err);
	}
	if ((rc = store_prepare(db, &q_hist_insert, &st, err)) != CADRE_OK)
		return rc;
	store_bind_str(st, 1, S->k->name);
	store_bind_str(st, 2, import_basename(S->path));
	store_bind_str(st, 3, S->file.sha256);
	store_bind_i64(st, 4, rows);
	store_bind_i64(st, 5, S->opt->synthetic ? 1 : 0);
	store_bind_i64(st, 6, S->now);
	store_bind_str(st, 7, actor_label(S->actor));
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE ? cadre_err_set(err, CADRE_EINTERNAL, "no import id") : rc;
	S->res->import_id = store_col_i64(st, 0);
	while ((rc = store_step(st, err)) == CADRE_OK) {
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

#define D5(x) STORE_V_DOUBLE((double)(x) / 100000.0)
#define D2(x) STORE_V_DOUBLE((double)(x) / 100.0)
#define TX(s) STORE_V_TEXT((s), strlen(s))

/* insert_rows: the rows, in one bulk load. */
static int insert_rows(struct himport *S, struct store *db, struct cadre_err *err)
{
	static const char *const c_sick[] = {"month",        "org_id",        "published_date",
	                                     "region_code",  "region_name",   "ics_code",
	                                     "ics_name",     "org_code",      "org_name",
	                                     "org_type",     "fte_days_lost", "fte_days_available",
	                                     "rate_percent", "import_id"};
	static const char *const c_ward[] = {
	    "node_id",      "month",    "org_id", "fte_days_lost", "fte_days_available",
	    "rate_percent", "import_id"};
	static const char *const c_vac[] = {
	    "org_id", "month", "staff_group", "establishment_wte", "contracted_wte", "import_id"};
	static const char *const c_tmp[] = {"org_id",        "month",       "staff_group",
	                                    "staffing_type", "framework",   "hours",
	                                    "shifts",        "spend_pence", "import_id"};
	static const char *const *const cols[HISTORY_KINDS] = {c_sick, c_ward, c_vac, c_tmp};
	static const int ncols[HISTORY_KINDS] = {14, 7, 6, 9};
	enum history_kind kind = S->res->kind;
	static const char *const tables[HISTORY_KINDS] = {
	    "sickness_absence", "sickness_ward_history", "vacancy_history",
	    "temporary_staffing_history"};
	int rc = store_bulk_begin(db, tables[kind], cols[kind], ncols[kind], err);
	if (rc != CADRE_OK)
		return rc;
	int64_t id = S->res->import_id;
	for (size_t i = 0; i < S->nrows; i++) {
		const struct hrow *r = &S->rows[i];
		if (r->skip)
			continue;
		struct store_value v[14];
		switch (kind) {
		case HISTORY_SICKNESS: {
			struct store_value w[14] = {STORE_V_I64(r->month), STORE_V_I64(r->org_id),
			                            TX(r->f[0]),           TX(r->f[1]),
			                            TX(r->f[2]),           TX(r->f[3]),
			                            TX(r->f[4]),           TX(r->f[5]),
			                            TX(r->f[6]),           TX(r->f[7]),
			                            D5(r->v[8]),           D5(r->v[9]),
			                            D2(r->v[10]),          STORE_V_I64(id)};
			memcpy(v, w, sizeof w);
			break;
		}
		case HISTORY_SICKNESS_WARDS: {
			struct store_value w[7] = {STORE_V_I64(r->node_id),
			                           STORE_V_I64(r->month),
			                           STORE_V_I64(r->org_id),
			                           D5(r->v[3]),
			                           D5(r->v[4]),
			                           D2(r->v[5]),
			                           STORE_V_I64(id)};
			memcpy(v, w, sizeof w);
			break;
		}
		case HISTORY_VACANCIES: {
			struct store_value w[6] = {STORE_V_I64(r->org_id),
			                           STORE_V_I64(r->month),
			                           TX(r->f[2]),
			                           D2(r->v[3]),
			                           D2(r->v[4]),
			                           STORE_V_I64(id)};
			memcpy(v, w, sizeof w);
			break;
		}
		case HISTORY_TEMPORARY:
		default: {
			struct store_value w[9] = {STORE_V_I64(r->org_id),
			                           STORE_V_I64(r->month),
			                           TX(r->f[2]),
			                           TX(r->f[3]),
			                           TX(r->f[4]),
			                           D2(r->v[5]),
			                           STORE_V_I64(r->v[6]),
			                           STORE_V_I64(r->v[7]),
			                           STORE_V_I64(id)};
			memcpy(v, w, sizeof w);
			break;
		}
		}
		if ((rc = store_bulk_row(db, v, err)) != CADRE_OK) {
			cadre_err_prefix(err, "%s:%ld", S->path, r->line);
			return rc;
		}
	}
	int64_t n = 0;
	if ((rc = store_bulk_end(db, &n, err)) != CADRE_OK)
		return rc;
	S->res->rows = n;
	return CADRE_OK;
}

/* audit: the import's one entry, its sequence stamped on the file's row. */
static int audit(struct himport *S, struct store *db, struct cadre_err *err)
{
	struct history_result *res = S->res;
	char a[DATE_MONTH_SIZE] = "", b[DATE_MONTH_SIZE] = "";
	if (res->first_month) {
		date_month_format(res->first_month, a);
		date_month_format(res->last_month, b);
	}
	json_t *payload = json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:I, s:I, s:I, s:I}", "kind",
	                            S->k->name, "file", import_basename(S->path), "sha256",
	                            S->file.sha256, "synthetic", S->opt->synthetic, "first_month",
	                            a, "last_month", b, "rows", (json_int_t)res->rows,
	                            "rows_skipped", (json_int_t)res->rows_skipped, "rows_replaced",
	                            (json_int_t)res->rows_replaced, "orgs", (json_int_t)res->orgs);
	char object[AUDIT_OBJECT_MAX];
	(void)snprintf(object, sizeof object, "history:%s:%s..%s", S->k->name, a, b);
	struct audit_change ch = {
	    .at_us = S->now, .action = "import.history", .object = object, .payload = payload};
	int rc = audit_append(S->actor, db, S->opt->audit_key, &ch, &res->audit_seq, err);
	json_decref(payload);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st;
	rc = store_prepare(db, res->kind == HISTORY_SICKNESS ? &q_stat_seq : &q_hist_seq, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, res->audit_seq);
	store_bind_i64(st, 2, res->import_id);
	return store_exec(st, err);
}

/* import_tx: the database part, in one write transaction. */
static int import_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct himport *S = arg;
	struct history_result *res = S->res;
	/* a retry starts from scratch */
	res->rows = res->rows_skipped = res->rows_replaced = res->orgs = res->audit_seq = 0;
	res->import_id = 0;
	res->rebuilt = false;
	import_problems_clear(&res->problems);
	for (size_t i = 0; i < S->nrows; i++)
		S->rows[i].skip = false;
	int rc = resolve(S, db, err);
	if (rc != CADRE_OK)
		return rc;
	if (import_problems_total(&res->problems))
		return import_problems_fail(&res->problems, err);
	if (res->kind == HISTORY_SICKNESS && (rc = mark_published(S, db, err)) != CADRE_OK)
		return rc;
	if ((rc = clear_held(S, db, err)) != CADRE_OK)
		return rc;
	if ((rc = record_file(S, db, (int64_t)S->nrows - res->rows_skipped, err)) != CADRE_OK)
		return rc;
	if ((rc = insert_rows(S, db, err)) != CADRE_OK ||
	    (rc = refresh_totals(S, db, err)) != CADRE_OK)
		return rc;
	if (res->kind == HISTORY_SICKNESS) {
		/* the materialised months follow the sickness months: when the
		 * file's months fall outside them, rebuild (no edge changed, so
		 * inside them a rebuild would give the same rows), and since a
		 * rebuild makes the per-node statistics stale, recompute them */
		int first = 0, last = 0;
		rc = org_range(S->actor, db, &first, &last, err);
		if (rc != CADRE_OK && rc != CADRE_ENOTFOUND)
			return rc;
		if (rc == CADRE_ENOTFOUND || res->first_month < first || res->last_month > last) {
			if ((rc = org_hierarchy_rebuild(S->actor, db, S->opt->clk, NULL, err)) !=
			    CADRE_OK)
				return rc;
			if ((rc = orgstats_refresh_all(S->actor, db, S->opt->clk, err)) != CADRE_OK)
				return rc;
			res->rebuilt = true;
		}
		rc = CADRE_OK;
	}
	if (!S->opt->dry_run)
		rc = audit(S, db, err);
	return rc;
}

/* run: import path; want is the kind its header must have (-1: any). */
static int run(const struct actor *actor, struct store *db, const char *path, int want,
               const struct history_opts *opt, struct history_result *res, struct cadre_err *err)
{
	memset(res, 0, sizeof *res);
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!actor_is_system(actor))
		return cadre_err_set(err, CADRE_EPERM, "only the system imports history files");
	if (!opt->dry_run && !opt->audit_key)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "no audit key: an import is audited (set secrets.audit_key)");
	int64_t t0 = clock_mono_us();
	struct himport S = {.actor = actor, .path = path, .opt = opt, .res = res};
	arena_init(&S.a, 0);
	S.now = clock_now(opt->clk);
	if ((rc = parse_file(&S, err)) != CADRE_OK)
		goto out;
	if (S.k && want >= 0 && S.k != &specs[want])
		import_problem_add(&res->problems, path, 1, 1,
		                   "its header is that of %s, not of %s", S.k->file,
		                   specs[want].file);
	if (S.k && !import_problems_total(&res->problems))
		check_keys(&S);
	if (!import_problems_total(&res->problems) && !S.nrows)
		import_problem_add(&res->problems, path, 0, 0, "no rows after the header");
	if (import_problems_total(&res->problems)) {
		rc = import_problems_fail(&res->problems, err);
		goto out;
	}
	rc = import_run(db, opt->dry_run, import_tx, &S, err);
out:
	res->micros = clock_mono_us() - t0;
	import_file_free(&S.file);
	free(S.rows);
	free(S.spans);
	arena_free(&S.a);
	return rc;
}

int history_import(const struct actor *actor, struct store *db, const char *path,
                   const struct history_opts *opt, struct history_result *res,
                   struct cadre_err *err)
{
	return run(actor, db, path, -1, opt, res, err);
}

int history_import_dir(const struct actor *actor, struct store *db, const char *dir,
                       const struct history_opts *opt, struct history_result res[HISTORY_KINDS],
                       bool present[HISTORY_KINDS], struct cadre_err *err)
{
	size_t found = 0;
	char paths[HISTORY_KINDS][4096];
	for (int k = 0; k < HISTORY_KINDS; k++) {
		memset(&res[k], 0, sizeof res[k]);
		(void)snprintf(paths[k], sizeof paths[k], "%s/%s", dir, specs[k].file);
		struct stat sb;
		present[k] = stat(paths[k], &sb) == 0 && S_ISREG(sb.st_mode);
		found += present[k];
	}
	if (!found)
		return cadre_err_set(err, CADRE_ENOTFOUND,
		                     "%s holds none of the history files (sickness-absence.csv, "
		                     "sickness-absence-wards.csv, vacancies.csv, "
		                     "temporary-staffing-history.csv)",
		                     dir);
	for (int k = 0; k < HISTORY_KINDS; k++) {
		if (!present[k])
			continue;
		int rc = run(actor, db, paths[k], k, opt, &res[k], err);
		if (rc != CADRE_OK)
			return rc;
	}
	return CADRE_OK;
}
