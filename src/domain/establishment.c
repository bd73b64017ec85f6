/* establishment: ledger files and vacancies (see establishment.h). */
#include "domain/establishment.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "domain/people_fields.h"
#include "domain/wards.h"
#include "io/csv.h"
#include "store/store.h"

enum { L_ORG = 0, L_CC, L_MONTH, L_GROUP, L_GRADE };

/* establishment columns after L_GRADE */
enum { E_WTE = 5, E_GBP = 6, E_NCOLS = 7 };
/* temporary-staffing columns after L_GRADE */
enum { T_TYPE = 5, T_FW = 6, T_HOURS = 7, T_SHIFTS = 8, T_GBP = 9, T_NCOLS = 10 };

static const char *const ecols[E_NCOLS] = {
    "org_code", "cost_centre_code", "month", "staff_group", "grade", "budget_wte", "budget_gbp"};
static const char *const tcols[T_NCOLS] = {
    "org_code",      "cost_centre_code", "month", "staff_group", "grade",
    "staffing_type", "framework",        "hours", "shifts",      "spend_gbp"};

static const char *const types[] = {"bank", "agency", "overtime", "locum"};
static const char *const fws[] = {"", "on", "off"};

#define TEMPORARY_HEADER                                                                           \
	"org_code,cost_centre_code,month,staff_group,grade,staffing_type,framework,hours,shifts,"  \
	"spend_gbp"

/* lrow: one staged ledger row. */
struct lrow {
	uint32_t cc; /* index into the cost-centre index */
	int32_t line;
	int month;
	uint16_t grade; /* index into grades */
	uint8_t group;  /* index into ref.groups */
	uint8_t type, fw;
	int64_t amount; /* hundredths of WTE or hours */
	int64_t shifts;
	int64_t pence;
};

struct lgrade {
	char band[PF_GRADE_MAX];
};

struct lorg {
	int64_t id;
	char code[ORG_CODE_MAX];
	int months[IMPORT_MONTHS_MAX];
	size_t nmonths;
};

struct limp {
	const struct actor *actor;
	enum ledger_kind kind;
	const char *path;
	const struct ledger_opts *opt;
	struct ledger_result *res;
	int64_t now;
	struct pf_ref ref;
	struct org_index orgix;
	struct wards_index cc;
	struct lrow *rows;
	size_t nrows, alloc;
	struct lgrade *grades;
	size_t ngrades, galloc;
	struct lorg *orgs;
	size_t norgs, oalloc;
	struct pf_index keyix;
	struct pf_index gradeix;
	int ncols;
	const char *const *cols;
};

__attribute__((format(printf, 4, 5))) static void bad(struct limp *L, const struct csv_field *fl,
                                                      int c, const char *fmt, ...)
{
	char reason[IMPORT_REASON_MAX];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	import_problem_add(&L->res->problems, L->path, fl[c].line, fl[c].col, "%s", reason);
}

static uint64_t row_key(const struct lrow *r)
{
	int mseq = (r->month / 100) * 12 + r->month % 100;
	return ((uint64_t)r->cc << 36) ^ ((uint64_t)mseq << 20) ^ ((uint64_t)r->group << 14) ^
	       ((uint64_t)r->grade << 4) ^ ((uint64_t)r->type << 2) ^ (uint64_t)r->fw;
}

static bool same_key(const struct lrow *a, const struct lrow *b)
{
	return a->cc == b->cc && a->month == b->month && a->group == b->group &&
	       a->grade == b->grade && a->type == b->type && a->fw == b->fw;
}

static int grade_slot(struct limp *L, const char *band)
{
	size_t n = strlen(band);
	uint64_t h = pf_hash(band, n, PF_HASH_INIT);
	struct pf_probe p = pf_index_probe(&L->gradeix, h);
	uint32_t i;
	while ((i = pf_index_next(&L->gradeix, &p)) != UINT32_MAX)
		if (strcmp(L->grades[i].band, band) == 0)
			return (int)i;
	if (L->ngrades >= 1000)
		return -1;
	if (L->ngrades == L->galloc) {
		L->galloc = L->galloc ? L->galloc * 2 : 64;
		L->grades = xreallocarray(L->grades, L->galloc, sizeof *L->grades);
	}
	(void)snprintf(L->grades[L->ngrades].band, sizeof L->grades[0].band, "%s", band);
	pf_index_put(&L->gradeix, h, (uint32_t)L->ngrades);
	return (int)L->ngrades++;
}

static int org_slot(struct limp *L, const struct org_index_entry *e)
{
	for (size_t i = 0; i < L->norgs; i++)
		if (L->orgs[i].id == e->id)
			return (int)i;
	if (L->norgs == L->oalloc) {
		L->oalloc = L->oalloc ? L->oalloc * 2 : 16;
		L->orgs = xreallocarray(L->orgs, L->oalloc, sizeof *L->orgs);
	}
	struct lorg *o = &L->orgs[L->norgs];
	memset(o, 0, sizeof *o);
	o->id = e->id;
	(void)snprintf(o->code, sizeof o->code, "%s", e->code);
	return (int)L->norgs++;
}

static bool org_add_month(struct lorg *o, int month)
{
	size_t i = 0;
	while (i < o->nmonths && o->months[i] < month)
		i++;
	if (i < o->nmonths && o->months[i] == month)
		return true;
	if (o->nmonths == IMPORT_MONTHS_MAX)
		return false;
	memmove(&o->months[i + 1], &o->months[i], (o->nmonths - i) * sizeof o->months[0]);
	o->months[i] = month;
	o->nmonths++;
	return true;
}

static void parse_row(struct limp *L, const struct csv_field *fl)
{
	char v[PF_SHOW_MAX * 2];
	struct lrow r;
	memset(&r, 0, sizeof r);
	r.line = (int32_t)fl[0].line;
	bool ok = true;
	int org = -1;
	for (int c = 0; c < L->ncols; c++) {
		bool optional = L->kind == LEDGER_TEMPORARY && c == T_FW;
		if (!fl[c].len && !optional) {
			bad(L, fl, c, "%s is empty", L->cols[c]);
			ok = false;
		}
	}
	if (!ok)
		return;
	/* organisation and cost centre */
	pf_show(fl[L_ORG].s, fl[L_ORG].len, v, sizeof v);
	const struct org_index_entry *e =
	    fl[L_ORG].len < ORG_CODE_MAX ? org_index_find(&L->orgix, fl[L_ORG].s) : NULL;
	if (!e) {
		bad(L, fl, L_ORG,
		    "org_code '%s': no such organisation (data/ods, or loaded organisations)", v);
		ok = false;
	} else if (!wards_employer_kind(e->kind)) {
		bad(L, fl, L_ORG, "org_code '%s' is a %s, not an employer", v, e->kind);
		ok = false;
	} else {
		org = org_slot(L, e);
		const struct wards_cc *c =
		    wards_index_find(&L->cc, e->id, fl[L_CC].s, fl[L_CC].len);
		if (!c) {
			pf_show(fl[L_CC].s, fl[L_CC].len, v, sizeof v);
			bad(L, fl, L_CC,
			    "cost_centre_code '%s': not in the cost-centre map of %s (import it "
			    "with "
			    "`cadre import cost-centres`)",
			    v, e->code);
			ok = false;
		} else {
			r.cc = (uint32_t)(c - L->cc.v);
		}
	}
	if (!pf_month(fl[L_MONTH].s, fl[L_MONTH].len, &r.month)) {
		pf_show(fl[L_MONTH].s, fl[L_MONTH].len, v, sizeof v);
		bad(L, fl, L_MONTH, "month '%s': not a month (YYYY-MM)", v);
		ok = false;
	}
	/* grade and staff group */
	struct pf_grade g;
	pf_show(fl[L_GRADE].s, fl[L_GRADE].len, v, sizeof v);
	char why[IMPORT_REASON_MAX];
	bool grade_ok = false;
	if (!pf_grade_parse(fl[L_GRADE].s, fl[L_GRADE].len, &g)) {
		bad(L, fl, L_GRADE, "grade '%s': not a grade code (AFC-<band>, MED-<grade> or VSM)",
		    v);
		ok = false;
	} else if (!pf_grade_check(&L->ref, &g, v, true, 0, why, sizeof why)) {
		bad(L, fl, L_GRADE, "%s", why);
		ok = false;
	} else if (L->kind == LEDGER_TEMPORARY && g.pay == PF_PAY_VSM) {
		bad(L, fl, L_GRADE,
		    "grade 'VSM': temporary staffing is booked by Agenda for Change band or "
		    "medical "
		    "grade");
		ok = false;
	} else if (g.pay == PF_PAY_MED && g.point) {
		bad(L, fl, L_GRADE,
		    "grade '%s': this file budgets by grade: write MED-%s without the point", v,
		    g.band);
		ok = false;
	} else {
		grade_ok = true;
	}
	if (grade_ok) {
		if (!pf_group_for_ledger(&L->ref, fl[L_GROUP].s, fl[L_GROUP].len, &g, why,
		                         sizeof why)) {
			bad(L, fl, L_GROUP, "%s", why);
			ok = false;
		} else {
			const struct pf_group *grp =
			    pf_group_find(&L->ref, fl[L_GROUP].s, fl[L_GROUP].len);
			r.group = (uint8_t)(grp - L->ref.groups);
			char band[PF_GRADE_MAX];
			pf_grade_band(&g, band);
			int gi = grade_slot(L, band);
			if (gi < 0) {
				bad(L, fl, L_GRADE, "too many distinct grades in one file");
				ok = false;
			}
			r.grade = (uint16_t)(gi < 0 ? 0 : gi);
		}
	}
	if (L->kind == LEDGER_ESTABLISHMENT) {
		pf_show(fl[E_WTE].s, fl[E_WTE].len, v, sizeof v);
		if (!pf_decimal(fl[E_WTE].s, fl[E_WTE].len, 2, &r.amount)) {
			bad(L, fl, E_WTE, "budget_wte '%s': not a number with at most 2 decimals",
			    v);
			ok = false;
		} else if (r.amount < 0 || r.amount > 1000000) {
			bad(L, fl, E_WTE, "budget_wte '%s': not from 0 to 10000", v);
			ok = false;
		}
		pf_show(fl[E_GBP].s, fl[E_GBP].len, v, sizeof v);
		if (!pf_money(fl[E_GBP].s, fl[E_GBP].len, &r.pence)) {
			bad(L, fl, E_GBP,
			    "budget_gbp '%s': not pounds with exactly two decimals (1234.50)", v);
			ok = false;
		} else if (r.pence < 0) {
			bad(L, fl, E_GBP, "budget_gbp '%s': negative", v);
			ok = false;
		}
	} else {
		int t = -1;
		for (int i = 0; i < 4; i++)
			if (strlen(types[i]) == fl[T_TYPE].len &&
			    memcmp(types[i], fl[T_TYPE].s, fl[T_TYPE].len) == 0)
				t = i;
		pf_show(fl[T_TYPE].s, fl[T_TYPE].len, v, sizeof v);
		if (t < 0) {
			bad(L, fl, T_TYPE, "staffing_type '%s': bank, agency, overtime or locum",
			    v);
			ok = false;
		} else if (t == 3 && grade_ok && g.pay != PF_PAY_MED) {
			bad(L, fl, T_TYPE, "staffing_type 'locum' needs a medical grade (MED-...)");
			ok = false;
		}
		r.type = (uint8_t)(t < 0 ? 0 : t);
		int f = -1;
		for (int i = 0; i < 3; i++)
			if (strlen(fws[i]) == fl[T_FW].len &&
			    memcmp(fws[i], fl[T_FW].s, fl[T_FW].len) == 0)
				f = i;
		pf_show(fl[T_FW].s, fl[T_FW].len, v, sizeof v);
		if (f < 0) {
			bad(L, fl, T_FW, "framework '%s': on, off, or empty", v);
			ok = false;
		} else if (t == 1 && f == 0) {
			bad(L, fl, T_FW, "framework is empty: agency use is on or off a framework");
			ok = false;
		} else if (t >= 0 && t != 1 && f != 0) {
			bad(L, fl, T_FW, "framework '%s' is given for %s: only agency use has one",
			    v, types[t]);
			ok = false;
		}
		r.fw = (uint8_t)(f < 0 ? 0 : f);
		pf_show(fl[T_HOURS].s, fl[T_HOURS].len, v, sizeof v);
		if (!pf_decimal(fl[T_HOURS].s, fl[T_HOURS].len, 2, &r.amount)) {
			bad(L, fl, T_HOURS, "hours '%s': not a number with at most 2 decimals", v);
			ok = false;
		} else if (r.amount < 0 || r.amount > 100000000) {
			bad(L, fl, T_HOURS, "hours '%s': not from 0 to 1,000,000", v);
			ok = false;
		}
		pf_show(fl[T_SHIFTS].s, fl[T_SHIFTS].len, v, sizeof v);
		if (!pf_int(fl[T_SHIFTS].s, fl[T_SHIFTS].len, &r.shifts) || r.shifts < 0) {
			bad(L, fl, T_SHIFTS, "shifts '%s': not a whole number of 0 or more", v);
			ok = false;
		} else if (ok && r.shifts == 0 && r.amount != 0) {
			bad(L, fl, T_SHIFTS,
			    "shifts is 0 but hours is %.*s: hours are worked in shifts",
			    (int)fl[T_HOURS].len, fl[T_HOURS].s);
			ok = false;
		}
		pf_show(fl[T_GBP].s, fl[T_GBP].len, v, sizeof v);
		if (!pf_money(fl[T_GBP].s, fl[T_GBP].len, &r.pence)) {
			bad(L, fl, T_GBP,
			    "spend_gbp '%s': not pounds with exactly two decimals (1234.50)", v);
			ok = false;
		} else if (r.pence < 0) {
			bad(L, fl, T_GBP, "spend_gbp '%s': negative", v);
			ok = false;
		}
	}
	if (!ok)
		return;
	/* the key */
	uint64_t k = row_key(&r);
	uint64_t h = pf_hash(&k, sizeof k, PF_HASH_INIT);
	struct pf_probe p = pf_index_probe(&L->keyix, h);
	uint32_t i;
	while ((i = pf_index_next(&L->keyix, &p)) != UINT32_MAX)
		if (same_key(&L->rows[i], &r)) {
			bad(L, fl, L_ORG,
			    "the row repeats the key of line %ld (organisation, cost centre, "
			    "month, "
			    "staff group, grade%s)",
			    (long)L->rows[i].line,
			    L->kind == LEDGER_TEMPORARY ? ", staffing type, framework" : "");
			return;
		}
	if (!org_add_month(&L->orgs[org], r.month)) {
		bad(L, fl, L_MONTH, "more than %d months of one organisation in one file",
		    IMPORT_MONTHS_MAX);
		return;
	}
	if (L->nrows == L->alloc) {
		L->alloc = L->alloc ? L->alloc * 2 : 65536;
		L->rows = xreallocarray(L->rows, L->alloc, sizeof *L->rows);
	}
	L->rows[L->nrows] = r;
	pf_index_put(&L->keyix, h, (uint32_t)L->nrows);
	L->nrows++;
}

static int parse_file(struct limp *L, struct cadre_err *err)
{
	struct pf_file pf;
	int rc = pf_file_open(L->path, &pf, err);
	if (rc != CADRE_OK)
		return rc;
	struct csv_reader *r;
	if ((rc = csv_reader_open_file(&r, pf.f, NULL, err)) != CADRE_OK) {
		pf_file_close(&pf);
		return rc;
	}
	const char *header =
	    L->kind == LEDGER_ESTABLISHMENT ? ESTABLISHMENT_HEADER : TEMPORARY_HEADER;
	bool first = true;
	char v[PF_SHOW_MAX * 2];
	while ((rc = csv_reader_next(r, err)) == CADRE_OK) {
		size_t n = csv_reader_count(r);
		const struct csv_field *fl = csv_reader_fields(r);
		long line = csv_reader_line(r);
		if (first) {
			first = false;
			bool hok = true;
			for (int i = 0; i < L->ncols && hok; i++) {
				if ((size_t)i >= n) {
					import_problem_add(
					    &L->res->problems, L->path, line, fl[n - 1].col,
					    "header: column %d '%s' is missing (the header is %s)",
					    i + 1, L->cols[i], header);
					hok = false;
				} else if (strcmp(fl[i].s, L->cols[i]) != 0) {
					pf_show(fl[i].s, fl[i].len, v, sizeof v);
					import_problem_add(
					    &L->res->problems, L->path, line, fl[i].col,
					    "header: column %d is '%s', expected '%s' (the "
					    "header is %s)",
					    i + 1, v, L->cols[i], header);
					hok = false;
				}
			}
			if (hok && n > (size_t)L->ncols) {
				pf_show(fl[L->ncols].s, fl[L->ncols].len, v, sizeof v);
				import_problem_add(
				    &L->res->problems, L->path, line, fl[L->ncols].col,
				    "header: extra column %d '%s' (the header is %s)", L->ncols + 1,
				    v, header);
				hok = false;
			}
			if (!hok)
				break;
			continue;
		}
		if (n != (size_t)L->ncols) {
			import_problem_add(&L->res->problems, L->path, line,
			                   n > (size_t)L->ncols ? fl[L->ncols].col : fl[n - 1].col,
			                   "%zu fields, expected %d", n, L->ncols);
			continue;
		}
		parse_row(L, fl);
	}
	if (rc == CADRE_DONE && first)
		import_problem_add(&L->res->problems, L->path, 0, 0, "empty file: no header");
	if (rc != CADRE_OK && rc != CADRE_DONE) {
		long l = 0, c = 0;
		(void)csv_reader_error_pos(r, &l, &c);
		import_problem_add(&L->res->problems, L->path, l, c, "%s",
		                   import_csv_reason(err->msg));
	}
	csv_reader_free(r);
	rc = CADRE_OK;
	if (!import_problems_total(&L->res->problems))
		rc = pf_file_finish(&pf, err);
	(void)snprintf(L->res->sha256, sizeof L->res->sha256, "%s", pf.sha256);
	pf_file_close(&pf);
	if (rc == CADRE_OK && !first && !L->nrows && !import_problems_total(&L->res->problems))
		import_problem_add(&L->res->problems, L->path, 0, 0, "no rows in the file");
	return rc;
}

static const struct store_sql q_est_delete = {
    .name = "ledger_est_delete",
    .sql = "DELETE FROM establishment WHERE org_id = $1 AND month = $2",
};

static const struct store_sql q_tmp_delete = {
    .name = "ledger_tmp_delete",
    .sql = "DELETE FROM temporary_staffing WHERE org_id = $1 AND month = $2",
};

static int ledger_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct limp *L = arg;
	struct ledger_result *res = L->res;
	bool est = L->kind == LEDGER_ESTABLISHMENT;
	res->rows_replaced = 0;
	res->audit_seq = 0;
	int64_t import_id;
	int rc = pf_next_id(db, PF_T_IMPORT, &import_id, err);
	if (rc != CADRE_OK)
		return rc;
	res->import_id = import_id;
	for (size_t o = 0; o < L->norgs; o++)
		for (size_t m = 0; m < L->orgs[o].nmonths; m++) {
			struct store_stmt *st;
			if ((rc = store_prepare(db, est ? &q_est_delete : &q_tmp_delete, &st,
			                        err)) != CADRE_OK)
				return rc;
			store_bind_i64(st, 1, L->orgs[o].id);
			store_bind_i64(st, 2, L->orgs[o].months[m]);
			if ((rc = store_exec(st, err)) != CADRE_OK)
				return rc;
			res->rows_replaced += store_changes(st);
		}
	static const char *const ecolsdb[] = {"org_id",       "cost_centre_id", "month",
	                                      "staff_group",  "grade",          "budget_wte",
	                                      "budget_pence", "import_id"};
	static const char *const tcolsdb[] = {
	    "org_id",    "cost_centre_id", "month",  "staff_group", "grade",    "staffing_type",
	    "framework", "hours",          "shifts", "spend_pence", "import_id"};
	if ((rc = store_bulk_begin(db, est ? "establishment" : "temporary_staffing",
	                           est ? ecolsdb : tcolsdb, est ? 8 : 11, err)) != CADRE_OK)
		return rc;
	for (size_t i = 0; i < L->nrows; i++) {
		const struct lrow *r = &L->rows[i];
		const struct wards_cc *c = &L->cc.v[r->cc];
		const char *grp = L->ref.groups[r->group].code;
		const char *band = L->grades[r->grade].band;
		if (est) {
			struct store_value v[8] = {
			    STORE_V_I64(c->org_id),
			    STORE_V_I64(c->id),
			    STORE_V_I64(r->month),
			    STORE_V_TEXT(grp, strlen(grp)),
			    STORE_V_TEXT(band, strlen(band)),
			    STORE_V_DOUBLE((double)r->amount / 100.0),
			    STORE_V_I64(r->pence),
			    STORE_V_I64(import_id),
			};
			rc = store_bulk_row(db, v, err);
		} else {
			const char *t = types[r->type], *f = fws[r->fw];
			struct store_value v[11] = {
			    STORE_V_I64(c->org_id),
			    STORE_V_I64(c->id),
			    STORE_V_I64(r->month),
			    STORE_V_TEXT(grp, strlen(grp)),
			    STORE_V_TEXT(band, strlen(band)),
			    STORE_V_TEXT(t, strlen(t)),
			    STORE_V_TEXT(f, strlen(f)),
			    STORE_V_DOUBLE((double)r->amount / 100.0),
			    STORE_V_I64(r->shifts),
			    STORE_V_I64(r->pence),
			    STORE_V_I64(import_id),
			};
			rc = store_bulk_row(db, v, err);
		}
		if (rc != CADRE_OK)
			return rc;
	}
	if ((rc = store_bulk_end(db, NULL, err)) != CADRE_OK)
		return rc;
	const char *kind = est ? "establishment" : "temporary_staffing";
	if ((rc = pf_import_record(L->actor, db, import_id, kind, L->path, res->sha256, res->rows,
	                           res->rows, L->now, err)) != CADRE_OK)
		return rc;
	if ((rc = orgstats_ledger_refresh(
	         L->actor, db, est ? ORGSTATS_ESTABLISHMENT : ORGSTATS_TEMPORARY, res->first_month,
	         res->last_month, L->opt->clk, &res->stats, err)) != CADRE_OK)
		return rc;
	if (L->opt->dry_run)
		return CADRE_OK;
	char a[DATE_MONTH_SIZE], b[DATE_MONTH_SIZE];
	date_month_format(res->first_month, a);
	date_month_format(res->last_month, b);
	json_t *orgs = json_array();
	for (size_t o = 0; o < L->norgs; o++)
		json_array_append_new(orgs, json_string(L->orgs[o].code));
	json_t *extra =
	    json_pack("{s:s, s:s, s:o, s:I}", "first_month", a, "last_month", b, "organisations",
	              orgs, "rows_replaced", (json_int_t)res->rows_replaced);
	rc = pf_import_audit(L->actor, db, L->opt->audit_key, kind, L->path, res->sha256, res->rows,
	                     extra, import_id, L->now, &res->audit_seq, err);
	json_decref(extra);
	return rc;
}

int ledger_import(const struct actor *actor, struct store *db, enum ledger_kind kind,
                  const char *path, const struct ledger_opts *opt, struct ledger_result *res,
                  struct cadre_err *err)
{
	memset(res, 0, sizeof *res);
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!actor_is_system(actor))
		return cadre_err_set(err, CADRE_EPERM, "only the system imports ledger files");
	if (!opt->dry_run && !opt->audit_key)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "no audit key: an import is audited (set secrets.audit_key)");
	int64_t t0 = clock_mono_us();
	struct limp *L = xcalloc(1, sizeof *L);
	L->actor = actor;
	L->kind = kind;
	L->path = path;
	L->opt = opt;
	L->res = res;
	L->now = clock_now(opt->clk);
	L->ncols = kind == LEDGER_ESTABLISHMENT ? E_NCOLS : T_NCOLS;
	L->cols = kind == LEDGER_ESTABLISHMENT ? ecols : tcols;
	pf_index_init(&L->keyix, 1024);
	pf_index_init(&L->gradeix, 64);
	if ((rc = pf_ref_load(db, &L->ref, err)) != CADRE_OK ||
	    (rc = org_index_load(actor, db, &L->orgix, err)) != CADRE_OK ||
	    (rc = wards_index_load(actor, db, &L->cc, err)) != CADRE_OK)
		goto out;
	if ((rc = parse_file(L, err)) != CADRE_OK)
		goto out;
	if (import_problems_total(&res->problems)) {
		rc = import_problems_fail(&res->problems, err);
		goto out;
	}
	res->rows = (int64_t)L->nrows;
	res->orgs = (int64_t)L->norgs;
	for (size_t o = 0; o < L->norgs; o++) {
		const struct lorg *g = &L->orgs[o];
		if (!res->first_month || g->months[0] < res->first_month)
			res->first_month = g->months[0];
		if (g->months[g->nmonths - 1] > res->last_month)
			res->last_month = g->months[g->nmonths - 1];
	}
	pf_index_free(&L->keyix);
	rc = import_run(db, opt->dry_run, ledger_tx, L, err);
out:
	pf_ref_free(&L->ref);
	org_index_free(&L->orgix);
	wards_index_free(&L->cc);
	pf_index_free(&L->keyix);
	pf_index_free(&L->gradeix);
	free(L->rows);
	free(L->grades);
	free(L->orgs);
	free(L);
	res->micros = clock_mono_us() - t0;
	return rc;
}

int establishment_import(const struct actor *actor, struct store *db, const char *path,
                         const struct ledger_opts *opt, struct ledger_result *res,
                         struct cadre_err *err)
{
	return ledger_import(actor, db, LEDGER_ESTABLISHMENT, path, opt, res, err);
}

/* ---- vacancies -------------------------------------------------------------------------- */

static const struct store_sql q_vac_est = {
    .name = "vacancy_establishment",
    .sql = "SELECT c.code, e.staff_group, e.grade, e.budget_wte, e.budget_pence "
           "FROM establishment e JOIN cost_centre c ON c.id = e.cost_centre_id "
           "JOIN org_ancestor x ON x.node_id = c.node_id AND x.month = $2 "
           "WHERE x.ancestor_id = $1 AND e.month = $3",
};

/* staff in post on day $3, with the terms valid that day ($3 as text) */
static const struct store_sql q_vac_staff = {
    .name = "vacancy_staff",
    .sql = "SELECT c.code, t.staff_group, t.grade_band, t.fte, t.person_id "
           "FROM (SELECT a.cost_centre_id, a.staff_group, a.grade_band, a.fte, a.category, "
           "a.start_date, a.end_date, s.person_id FROM assignment a "
           "JOIN staff s ON s.id = a.staff_id WHERE a.valid_from <= $3 "
           "UNION ALL SELECT h.cost_centre_id, h.staff_group, h.grade_band, h.fte, h.category, "
           "a.start_date, a.end_date, s.person_id FROM assignment_history h "
           "JOIN assignment a ON a.id = h.assignment_id JOIN staff s ON s.id = a.staff_id "
           "WHERE h.valid_from <= $3 AND h.valid_to >= $3) t "
           "JOIN cost_centre c ON c.id = t.cost_centre_id "
           "JOIN org_ancestor x ON x.node_id = c.node_id AND x.month = $2 "
           "WHERE x.ancestor_id = $1 AND t.category IN ('permanent', 'fixed_term', 'locum') "
           "AND t.start_date <= $3 AND (t.end_date IS NULL OR t.end_date >= $3)",
};

struct vraw {
	char cc[32];
	char group[24];
	char grade[16];
	int64_t wte100, pence, fte10k, person;
	bool staff;
};

static int vraw_cmp(const void *a, const void *b)
{
	const struct vraw *x = a, *y = b;
	int k = strcmp(x->cc, y->cc);
	if (!k)
		k = strcmp(x->group, y->group);
	if (!k)
		k = strcmp(x->grade, y->grade);
	if (!k && x->person != y->person)
		k = x->person < y->person ? -1 : 1;
	return k;
}

static int group_cmp(const void *a, const void *b)
{
	return strcmp(((const struct vacancy_group *)a)->staff_group,
	              ((const struct vacancy_group *)b)->staff_group);
}

int vacancy_report(const struct actor *actor, struct store *db, const char *code, int month,
                   struct vacancy_report *out, struct cadre_err *err)
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
	if ((rc = org_effective_month(actor, db, month, &out->hierarchy_month, err)) != CADRE_OK)
		return rc;
	char day[11];
	pf_date_format(pf_month_end(month), day);
	struct vraw *v = NULL;
	size_t n = 0, alloc = 0;
	for (int pass = 0; pass < 2 && rc == CADRE_OK; pass++) {
		struct store_stmt *st;
		if ((rc = store_prepare(db, pass == 0 ? &q_vac_est : &q_vac_staff, &st, err)) !=
		    CADRE_OK)
			break;
		store_bind_i64(st, 1, out->org.id);
		store_bind_i64(st, 2, out->hierarchy_month);
		if (pass == 0)
			store_bind_i64(st, 3, month);
		else
			store_bind_str(st, 3, day);
		while ((rc = store_step(st, err)) == CADRE_OK) {
			if (n == alloc) {
				alloc = alloc ? alloc * 2 : 256;
				v = xreallocarray(v, alloc, sizeof *v);
			}
			struct vraw *x = &v[n++];
			memset(x, 0, sizeof *x);
			(void)snprintf(x->cc, sizeof x->cc, "%s", store_col_text(st, 0));
			(void)snprintf(x->group, sizeof x->group, "%s", store_col_text(st, 1));
			(void)snprintf(x->grade, sizeof x->grade, "%s", store_col_text(st, 2));
			if (pass == 0) {
				x->wte100 = llround(store_col_double(st, 3) * 100.0);
				x->pence = store_col_i64(st, 4);
				x->person = -1;
			} else {
				x->fte10k = llround(store_col_double(st, 3) * 10000.0);
				x->person = store_col_i64(st, 4);
				x->staff = true;
			}
		}
		if (rc == CADRE_DONE)
			rc = CADRE_OK;
	}
	if (rc != CADRE_OK) {
		free(v);
		return rc;
	}
	if (n)
		qsort(v, n, sizeof *v, vraw_cmp);
	size_t lalloc = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		struct vacancy_line L;
		memset(&L, 0, sizeof L);
		(void)snprintf(L.cost_centre, sizeof L.cost_centre, "%s", v[i].cc);
		(void)snprintf(L.staff_group, sizeof L.staff_group, "%s", v[i].group);
		(void)snprintf(L.grade, sizeof L.grade, "%s", v[i].grade);
		int64_t last_person = -2;
		while (j < n && strcmp(v[j].cc, v[i].cc) == 0 &&
		       strcmp(v[j].group, v[i].group) == 0 && strcmp(v[j].grade, v[i].grade) == 0) {
			L.establishment_wte100 += v[j].wte100;
			L.budget_pence += v[j].pence;
			L.contracted_fte10k += v[j].fte10k;
			if (v[j].staff && v[j].person != last_person) {
				L.headcount++;
				last_person = v[j].person;
			}
			j++;
		}
		L.vacancy_fte10k = L.establishment_wte100 * 100 - L.contracted_fte10k;
		if (out->nlines == lalloc) {
			lalloc = lalloc ? lalloc * 2 : 64;
			out->lines = xreallocarray(out->lines, lalloc, sizeof *out->lines);
		}
		out->lines[out->nlines++] = L;
		out->establishment_wte100 += L.establishment_wte100;
		out->budget_pence += L.budget_pence;
		out->contracted_fte10k += L.contracted_fte10k;
		i = j;
	}
	out->vacancy_fte10k = out->establishment_wte100 * 100 - out->contracted_fte10k;
	/* cost centres with budget and no staff, or staff and no budget */
	for (size_t i = 0; i < out->nlines;) {
		size_t j = i;
		int64_t hc = 0;
		bool has_est = false;
		while (j < out->nlines &&
		       strcmp(out->lines[j].cost_centre, out->lines[i].cost_centre) == 0) {
			hc += out->lines[j].headcount;
			has_est |= out->lines[j].establishment_wte100 > 0 ||
			           out->lines[j].budget_pence > 0;
			j++;
		}
		out->cost_centres++;
		out->cost_centres_no_staff += has_est && hc == 0;
		out->cost_centres_no_budget += !has_est && hc > 0;
		i = j;
	}
	/* by staff group */
	size_t galloc = 0;
	for (size_t i = 0; i < out->nlines; i++) {
		const struct vacancy_line *L = &out->lines[i];
		struct vacancy_group *g = NULL;
		for (size_t k = 0; k < out->ngroups && !g; k++)
			if (strcmp(out->groups[k].staff_group, L->staff_group) == 0)
				g = &out->groups[k];
		if (!g) {
			if (out->ngroups == galloc) {
				galloc = galloc ? galloc * 2 : 16;
				out->groups =
				    xreallocarray(out->groups, galloc, sizeof *out->groups);
			}
			g = &out->groups[out->ngroups++];
			memset(g, 0, sizeof *g);
			(void)snprintf(g->staff_group, sizeof g->staff_group, "%s", L->staff_group);
		}
		g->establishment_wte100 += L->establishment_wte100;
		g->contracted_fte10k += L->contracted_fte10k;
		g->vacancy_fte10k += L->vacancy_fte10k;
	}
	if (out->ngroups)
		qsort(out->groups, out->ngroups, sizeof *out->groups, group_cmp);
	free(v);
	return CADRE_OK;
}

void vacancy_report_free(struct vacancy_report *r)
{
	free(r->lines);
	free(r->groups);
	r->lines = NULL;
	r->groups = NULL;
	r->nlines = r->ngroups = 0;
}
