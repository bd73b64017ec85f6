/* demo_out: one organisation's rows in every demo file, and the ledger and
 * history figures derived from its staff.
 *
 * Two more substreams per organisation: "org-ledger" (establishment and
 * temporary-staffing noise) and "org-history" (sickness and the months
 * before the detail year).  Numbers are fixed-point integers until they
 * are written (put_number). */
#include "domain/demo_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "domain/demo.h"
#include "io/csv.h"

#define NSLOT  (DEMO_GROUP_COUNT + 7)
#define DETAIL 12

static const char *const file_names[DEMO_FILE_COUNT] = {
    [DEMO_FILE_ORGANISATIONS] = "organisations.csv",
    [DEMO_FILE_COST_CENTRES] = "cost-centres.csv",
    [DEMO_FILE_STAFF] = "staff.csv",
    [DEMO_FILE_ESTABLISHMENT] = "establishment.csv",
    [DEMO_FILE_TEMPORARY_STAFFING] = "temporary-staffing.csv",
    [DEMO_FILE_SICKNESS] = "sickness-absence.csv",
    [DEMO_FILE_SICKNESS_WARDS] = "sickness-absence-wards.csv",
    [DEMO_FILE_VACANCIES] = "vacancies.csv",
    [DEMO_FILE_TEMPORARY_STAFFING_HISTORY] = "temporary-staffing-history.csv",
};

static const char *const file_headers[DEMO_FILE_COUNT] = {
    [DEMO_FILE_ORGANISATIONS] = "org_code,org_name,org_type,icb_code,region_code,target_fte",
    [DEMO_FILE_COST_CENTRES] = "org_code,cost_centre_code,cost_centre_name,ward_team_code,"
                               "ward_team_name,division_code,division_name,setting",
    [DEMO_FILE_STAFF] =
        "assignment_ref,staff_ref,national_identifier,display_name,manager_staff_ref,org_code,"
        "cost_centre_code,position_ref,occupation_code,esr_staff_group,grade,contracted_hours,fte,"
        "assignment_category,start_date,end_date,leaving_reason,birth_year,sex,ethnic_category,"
        "disability,profession,registration_body,qualification_year,training_stage,"
        "leadership_level,extract_date",
    [DEMO_FILE_ESTABLISHMENT] =
        "org_code,cost_centre_code,month,staff_group,grade,budget_wte,budget_gbp",
    [DEMO_FILE_TEMPORARY_STAFFING] = "org_code,cost_centre_code,month,staff_group,grade,"
                                     "staffing_type,framework,hours,shifts,spend_gbp",
    [DEMO_FILE_SICKNESS] = "date,nhse_region_code,nhse_region_name,ics_code,ics_name,org_code,"
                           "org_name,org_type,fte_days_lost,fte_days_available,"
                           "sickness_absence_rate_percent",
    [DEMO_FILE_SICKNESS_WARDS] = "date,org_code,ward_team_code,fte_days_lost,fte_days_available,"
                                 "sickness_absence_rate_percent",
    [DEMO_FILE_VACANCIES] = "month,org_code,staff_group,establishment_wte,contracted_wte,"
                            "vacancy_wte,vacancy_rate_percent",
    [DEMO_FILE_TEMPORARY_STAFFING_HISTORY] =
        "month,org_code,staff_group,staffing_type,framework,hours,shifts,spend_gbp",
};

const char *demo_file_name(int file)
{
	return file >= 0 && file < DEMO_FILE_COUNT ? file_names[file] : "";
}

const char *demo_file_header(int file)
{
	return file >= 0 && file < DEMO_FILE_COUNT ? file_headers[file] : "";
}

static const char *const org_type_names[DEMO_ORG_TYPE_COUNT] = {
    "Acute", "Mental Health", "Ambulance", "Community Provider Trust", "Integrated Care Board"};
static const char *const org_type_codes[DEMO_ORG_TYPE_COUNT] = {"acute", "mental_health",
                                                                "ambulance", "community", "icb"};

const char *demo_org_type_code(int type)
{
	return type >= 0 && type < DEMO_ORG_TYPE_COUNT ? org_type_codes[type] : "";
}

/* ---- the row writer: a sticky error, so a row is a list of calls ---- */

struct rw {
	struct demo_out *out;
	int file;
	struct csv_writer *w;
	struct cadre_err *err;
	int rc;
};

static void put_text(struct rw *r, const char *s)
{
	if (!r->rc)
		r->rc = csv_writer_text(r->w, s, strlen(s), r->err);
}

/* put_number: a fixed-point number v / 10^decimals.  Non-negative numbers
 * are formatted here from the integer (exact, and several times faster
 * than printf) and written as the cell's text: a text cell is changed only
 * when it starts with = + - @ tab or CR, which a digit never is.  Negative
 * numbers, which the writer must not neutralise, go through
 * csv_writer_double (the nearest double to v / 10^d prints back exactly
 * with d decimals). */
static void put_number(struct rw *r, int64_t v, int decimals)
{
	static const double scale[5] = {1.0, 10.0, 100.0, 1000.0, 10000.0};
	if (r->rc)
		return;
	if (v < 0) {
		r->rc = csv_writer_double(r->w, (double)v / scale[decimals], decimals, r->err);
		return;
	}
	char tmp[32];
	char *p = tmp + sizeof tmp;
	uint64_t u = (uint64_t)v;
	for (int i = 0; i < decimals; i++) {
		*--p = (char)('0' + u % 10);
		u /= 10;
	}
	if (decimals)
		*--p = '.';
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	r->rc = csv_writer_text(r->w, p, (size_t)(tmp + sizeof tmp - p), r->err);
}

static void put_int(struct rw *r, int64_t v)
{
	put_number(r, v, 0);
}

static void put_dec(struct rw *r, int64_t v, int decimals)
{
	put_number(r, v, decimals);
}

/* digits of v (0 <= v < 10^n) into p[0..n) */
static void digits(char *p, int v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* dates and months as YYYY-MM-DD and YYYY-MM (years 2000-2099 here, so
 * four digits always; formatted by hand: millions of them) */
static void put_date(struct rw *r, int32_t day)
{
	struct date d = date_from_days(day);
	char s[10];
	digits(s, d.y, 4);
	s[4] = '-';
	digits(s + 5, d.m, 2);
	s[7] = '-';
	digits(s + 8, d.d, 2);
	if (!r->rc)
		r->rc = csv_writer_text(r->w, s, sizeof s, r->err);
}

static void put_month(struct rw *r, int ym)
{
	char s[7];
	digits(s, ym / 100, 4);
	s[4] = '-';
	digits(s + 5, ym % 100, 2);
	if (!r->rc)
		r->rc = csv_writer_text(r->w, s, sizeof s, r->err);
}

static int drain(struct demo_out *out, int file, struct cadre_err *err)
{
	struct buf *b = &out->b[file];
	if (b->len && fwrite(b->data, 1, b->len, out->f[file]) != b->len)
		return cadre_err_set(err, CADRE_EINTERNAL, "cannot write %s: %s", out->path[file],
		                     strerror(errno));
	buf_reset(b);
	return CADRE_OK;
}

static int end_row(struct rw *r)
{
	if (!r->rc)
		r->rc = csv_writer_end_row(r->w, r->err);
	if (!r->rc) {
		r->out->rows[r->file]++;
		if (r->out->b[r->file].len >= DEMO_OUT_DRAIN)
			r->rc = drain(r->out, r->file, r->err);
	}
	return r->rc;
}

static struct rw rw_for(struct demo_out *out, int file, struct cadre_err *err)
{
	return (struct rw){out, file, out->w[file], err, CADRE_OK};
}

/* ---- files ---- */

int demo_out_open(struct demo_out *out, const char *dir, struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	for (int i = 0; i < DEMO_FILE_COUNT; i++)
		buf_init(&out->b[i], DEMO_OUT_CAP);
	for (int i = 0; i < DEMO_FILE_COUNT; i++) {
		int n = snprintf(out->path[i], sizeof out->path[i], "%s/%s", dir, file_names[i]);
		if (n < 0 || (size_t)n >= sizeof out->path[i])
			return cadre_err_set(err, CADRE_EINVAL, "output directory name too long");
		out->f[i] = fopen(out->path[i], "wb");
		if (!out->f[i])
			return cadre_err_set(err, CADRE_EINTERNAL, "cannot write %s: %s",
			                     out->path[i], strerror(errno));
		int rc = csv_writer_open_buf(&out->w[i], &out->b[i], err);
		if (rc)
			return rc;
		/* the header: names only, never neutralised */
		const char *h = file_headers[i];
		struct rw r = rw_for(out, i, err);
		while (*h && !r.rc) {
			const char *c = strchr(h, ',');
			size_t len = c ? (size_t)(c - h) : strlen(h);
			r.rc = csv_writer_text(r.w, h, len, err);
			h += len + (c ? 1 : 0);
		}
		if (!r.rc)
			r.rc = csv_writer_end_row(r.w, err);
		if (r.rc)
			return r.rc;
	}
	return CADRE_OK;
}

int demo_out_close(struct demo_out *out, struct cadre_err *err)
{
	int rc = CADRE_OK;
	for (int i = 0; i < DEMO_FILE_COUNT; i++) {
		if (out->f[i] && !rc)
			rc = drain(out, i, err);
		csv_writer_free(out->w[i]);
		out->w[i] = NULL;
		if (out->f[i] && fclose(out->f[i]) != 0 && !rc)
			rc = cadre_err_set(err, CADRE_EINTERNAL, "cannot write %s: %s",
			                   out->path[i], strerror(errno));
		out->f[i] = NULL;
		buf_free(&out->b[i]);
	}
	return rc;
}

/* ---- identifiers ---- */

static void staff_ref(const struct demo_org *o, const struct demo_person *p, char *out, size_t size)
{
	(void)snprintf(out, size, "%d%05u", 100 + o->index, p->local);
}

static int slot_of(int group, int grade)
{
	return group == DG_DOC ? DEMO_GROUP_COUNT + (grade - GR_CONS) : group;
}

static int assign_group(const struct demo_assign *a)
{
	return a->role >= 0 ? demo_roles[a->role].group : DG_DOC;
}

static const char *slot_code(int s)
{
	if (s >= DEMO_GROUP_COUNT)
		return demo_grades[GR_CONS + (s - DEMO_GROUP_COUNT)].staff_group;
	return demo_group_info[s].code;
}

/* ---- organisations and cost centres ---- */

static int write_org(struct demo_out *out, const struct demo_org *o, struct cadre_err *err)
{
	struct rw r = rw_for(out, DEMO_FILE_ORGANISATIONS, err);
	put_text(&r, o->row->code);
	put_text(&r, o->row->name);
	put_text(&r, org_type_codes[o->row->type]);
	put_text(&r, o->row->icb);
	put_text(&r, o->row->region);
	put_dec(&r, o->row->fte_x100, 2);
	if (end_row(&r))
		return r.rc;
	r = rw_for(out, DEMO_FILE_COST_CENTRES, err);
	for (size_t u = 0; u < o->nunits && !r.rc; u++) {
		const struct demo_unit *un = &o->units[u];
		char div[8];
		(void)snprintf(div, sizeof div, "D%d", un->division + 1);
		put_text(&r, o->row->code);
		put_text(&r, un->cc);
		put_text(&r, un->name);
		put_text(&r, un->ward);
		put_text(&r, un->name);
		put_text(&r, div);
		put_text(&r, o->tpl->divisions[un->division]);
		put_text(&r, demo_setting_codes[un->setting]);
		end_row(&r);
	}
	return r.rc;
}

/* ---- staff ---- */

struct order {
	uint64_t key;
	int32_t idx;
};

static int order_cmp(const void *a, const void *b)
{
	const struct order *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

static int write_staff(struct demo_out *out, const struct demo_org *o, struct cadre_err *err)
{
	struct order *ord = xcalloc(o->nassigns ? o->nassigns : 1, sizeof *ord);
	for (size_t i = 0; i < o->nassigns; i++) {
		const struct demo_assign *a = &o->assigns[i];
		ord[i].key = (uint64_t)o->persons[a->person].local << 8 | a->nth;
		ord[i].idx = (int32_t)i;
	}
	qsort(ord, o->nassigns, sizeof *ord, order_cmp);
	char extract[DATE_STR_SIZE];
	date_format_iso(o->as_of, extract);
	struct rw r = rw_for(out, DEMO_FILE_STAFF, err);
	for (size_t i = 0; i < o->nassigns && !r.rc; i++) {
		const struct demo_assign *a = &o->assigns[ord[i].idx];
		const struct demo_person *p = &o->persons[a->person];
		const struct demo_unit *un = &o->units[a->unit];
		char sref[24], aref[32], mref[24], ni[10], name[96], pos[40];
		staff_ref(o, p, sref, sizeof sref);
		(void)snprintf(aref, sizeof aref, "%s-%u", sref, a->nth);
		demo_ni_format(p->national, o->seed, ni);
		(void)snprintf(name, sizeof name, "%s %s",
		               p->female ? demo_given_female[p->given] : demo_given_male[p->given],
		               demo_surnames[p->surname]);
		(void)snprintf(pos, sizeof pos, "%s-%04d", un->cc, a->position);
		mref[0] = '\0';
		if (a->manager >= 0)
			staff_ref(o, &o->persons[a->manager], mref, sizeof mref);
		const char *occ = a->role >= 0 ? demo_roles[a->role].occupation : a->occ;
		const char *esr = a->role >= 0 ? demo_roles[a->role].esr_group : "01";
		char grade[24];
		if (a->pay_point)
			(void)snprintf(grade, sizeof grade, "%s-%u", demo_grades[a->grade].code,
			               a->pay_point);
		else
			(void)snprintf(grade, sizeof grade, "%s", demo_grades[a->grade].code);
		put_text(&r, aref);
		put_text(&r, sref);
		put_text(&r, ni);
		put_text(&r, name);
		put_text(&r, mref);
		put_text(&r, o->row->code);
		put_text(&r, un->cc);
		put_text(&r, pos);
		put_text(&r, occ);
		put_text(&r, esr);
		put_text(&r, grade);
		put_dec(&r, a->hours_x100, 2);
		put_dec(&r, a->fte_x10000, 4);
		put_text(&r, demo_category_codes[a->category]);
		put_date(&r, a->start);
		if (a->end == DEMO_NO_END)
			put_text(&r, "");
		else
			put_date(&r, a->end);
		put_text(&r, a->end <= o->as_of_days ? demo_leave_reason_codes[a->reason] : "");
		put_int(&r, p->birth_year);
		put_text(&r, p->female ? "F" : "M");
		put_text(&r, demo_ethnic_codes[p->ethnic]);
		put_text(&r, p->disability == 1   ? "yes"
		             : p->disability == 2 ? "not_declared"
		                                  : "no");
		put_text(&r, demo_professions[p->profession].code);
		put_text(&r, demo_professions[p->profession].body);
		if (p->qual_year)
			put_int(&r, p->qual_year);
		else
			put_text(&r, "");
		put_text(&r, demo_stage_codes[a->stage]);
		put_int(&r, a->leadership);
		put_text(&r, extract);
		end_row(&r);
	}
	free(ord);
	return r.rc;
}

/* ---- ledger lines: (unit, staff group, grade) with contracted FTE by month ---- */

struct line {
	int32_t unit;
	int16_t slot;
	int16_t grade;
	int64_t contracted[DETAIL]; /* x10000, at each month end */
	int64_t est;                /* funded WTE x10000 */
};

struct ledger {
	struct line *v;
	size_t n, alloc;
	int32_t *table; /* open addressing: index + 1, 0 empty */
	size_t tsize;
};

static size_t line_find(struct ledger *l, int32_t unit, int slot, int grade)
{
	uint64_t key = (uint64_t)unit * 1024 + (uint64_t)slot * 32 + (uint64_t)grade;
	size_t h = (size_t)(key * UINT64_C(0x9E3779B97F4A7C15) >> 20) & (l->tsize - 1);
	for (;;) {
		int32_t e = l->table[h];
		if (e == 0)
			break;
		const struct line *x = &l->v[e - 1];
		if (x->unit == unit && x->slot == slot && x->grade == grade)
			return (size_t)(e - 1);
		h = (h + 1) & (l->tsize - 1);
	}
	if (l->n + 1 > l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 256;
		l->v = xreallocarray(l->v, l->alloc, sizeof *l->v);
	}
	struct line *x = &l->v[l->n];
	memset(x, 0, sizeof *x);
	x->unit = unit;
	x->slot = (int16_t)slot;
	x->grade = (int16_t)grade;
	l->table[h] = (int32_t)++l->n;
	return l->n - 1;
}

static int line_cmp(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	if (x->unit != y->unit)
		return x->unit < y->unit ? -1 : 1;
	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	return (x->grade > y->grade) - (x->grade < y->grade);
}

static int32_t month_snapshot(const struct demo_org *o, int ym)
{
	int32_t last = (int32_t)date_to_days(date_month_last(ym));
	return last < o->as_of_days ? last : o->as_of_days;
}

static void ledger_build(struct ledger *l, const struct demo_org *o)
{
	memset(l, 0, sizeof *l);
	l->tsize = 1024;
	while (l->tsize < o->nunits * 32)
		l->tsize *= 2;
	l->table = xcalloc(l->tsize, sizeof *l->table);
	int32_t snap[DETAIL];
	for (int m = 0; m < DETAIL; m++)
		snap[m] = month_snapshot(o, date_month_add(o->first_month, m));
	for (size_t i = 0; i < o->nassigns; i++) {
		const struct demo_assign *a = &o->assigns[i];
		if (a->category == CAT_BANK || a->category == CAT_HONORARY)
			continue;
		if (a->end < snap[0])
			continue;
		size_t li = line_find(l, a->unit, slot_of(assign_group(a), a->grade), a->grade);
		for (int m = 0; m < DETAIL; m++)
			l->v[li].contracted[m] += demo_fte_at(a, snap[m]);
	}
	/* a stable order, whatever the hash did */
	qsort(l->v, l->n, sizeof *l->v, line_cmp);
}

static void ledger_free(struct ledger *l)
{
	free(l->v);
	free(l->table);
	memset(l, 0, sizeof *l);
}

static int64_t unit_cost(int grade, bool salary)
{
	const char *code = demo_grades[grade].code;
	for (size_t i = 0; i < demo_unit_cost_count; i++)
		if (strcmp(demo_unit_costs[i].grade, code) == 0)
			return salary ? demo_unit_costs[i].salary_pence
			              : demo_unit_costs[i].cost_pence;
	return 0;
}

/* sum of 3 uniform draws in [-a, a]: a gentle bell around 0 */
static int32_t noise(struct rng *r, int32_t a)
{
	int32_t s = 0;
	for (int i = 0; i < 3; i++)
		s += (int32_t)rng_below(r, (uint32_t)(2 * a + 1)) - a;
	return s;
}

/* ---- sickness rates ---- */

static int32_t year_factor(int ym)
{
	/* national rates: 5.6% in 2022, 5.15% in 2024/25 (domain reference
	 * section 4): earlier financial years run higher (assumption) */
	int fy = date_fy_of_month(ym);
	return fy <= 2022 ? 1100 : fy == 2023 ? 1030 : 1000;
}

/* the organisation's monthly rate (ppm) for the 36 history months */
static void sick_rates(const struct demo_org *o, struct rng *r, int32_t *rate)
{
	for (int m = 0; m < DEMO_MAX_MONTHS; m++) {
		int ym = date_month_add(o->hist_first, m);
		int64_t v = (int64_t)o->row->sick_x100 * 100; /* ppm */
		v = v * demo_season_permille[ym % 100 - 1] / 1000;
		v = v * year_factor(ym) / 1000;
		v = v * (1000 + noise(r, 30)) / 1000;
		rate[m] = (int32_t)v;
	}
}

/* ---- establishment, temporary staffing and the histories ---- */

enum { TT_BANK, TT_AGENCY_ON, TT_AGENCY_OFF, TT_OVERTIME, TT_LOCUM, TT_COUNT };
static const char *const tt_type[TT_COUNT] = {"bank", "agency", "agency", "overtime", "locum"};
static const char *const tt_framework[TT_COUNT] = {"", "on", "off", "", ""};
/* pay multipliers over basic hourly pay (per cent), assumption: bank with
 * enhancements, agency on and off framework (doctors' rates higher),
 * overtime at time and a half, directly engaged locums */
static const int32_t tt_mult[TT_COUNT] = {125, 160, 240, 150, 180};
static const int32_t tt_mult_doctor[TT_COUNT] = {140, 200, 300, 150, 180};

struct temp_sum {
	int64_t hours_x100[DETAIL];
	int64_t shifts[DETAIL];
	int64_t spend[DETAIL];
};

static int write_ledger(struct demo_out *out, const struct demo_org *o, struct demo_summary *sum,
                        struct cadre_err *err)
{
	struct rng rl, rh;
	uint64_t id = demo_org_code_id(o->row->code);
	rng_substream(&rl, o->seed, "org-ledger", id);
	rng_substream(&rh, o->seed, "org-history", id);
	int32_t rate[DEMO_MAX_MONTHS];
	sick_rates(o, &rh, rate);
	struct ledger l;
	ledger_build(&l, o);
	int first_detail = DEMO_MAX_MONTHS - DETAIL; /* index of the first detail month */
	int64_t est_slot[NSLOT] = {0}, con_slot[NSLOT][DETAIL];
	memset(con_slot, 0, sizeof con_slot);
	struct temp_sum *ts = xcalloc((size_t)NSLOT * TT_COUNT, sizeof *ts);
	int64_t unit_con_size = (int64_t)o->nunits * DETAIL;
	int64_t *unit_con = xcalloc((size_t)unit_con_size, sizeof *unit_con);
	int64_t org_con[DETAIL] = {0};
	struct rw re = rw_for(out, DEMO_FILE_ESTABLISHMENT, err);
	struct rw rt = rw_for(out, DEMO_FILE_TEMPORARY_STAFFING, err);
	int rc = CADRE_OK;
	for (size_t i = 0; i < l.n && !rc; i++) {
		struct line *x = &l.v[i];
		int grp = x->slot >= DEMO_GROUP_COUNT ? DG_DOC : x->slot;
		const struct demo_group_info *gi = &demo_group_info[grp];
		/* the base is FTE in post at the reference date, or the year's
		 * largest figure for a line with no one left in post */
		int64_t mean = x->contracted[DETAIL - 1];
		for (int m = 0; m < DETAIL; m++) {
			if (x->contracted[DETAIL - 1] == 0 && x->contracted[m] > mean)
				mean = x->contracted[m];
			unit_con[(size_t)x->unit * DETAIL + (size_t)m] += x->contracted[m];
			org_con[m] += x->contracted[m];
			con_slot[x->slot][m] += x->contracted[m];
		}
		/* funded establishment: contracted FTE grossed up by the line's
		 * vacancy rate (group rate, the organisation's effect, noise);
		 * whole hundredths of a WTE as a ledger holds them */
		int64_t v = gi->vacancy_ppm + o->vacancy_offset_ppm[grp] + noise(&rl, 12000);
		if (x->grade == GR_VSM)
			v = 0;
		if (v > 500000)
			v = 500000;
		int64_t est_x100 = demo_div_round(mean * 1000000 / (1000000 - v), 100);
		x->est = est_x100 * 100;
		est_slot[x->slot] += x->est;
		int64_t cost = unit_cost(x->grade, false);
		int64_t salary = unit_cost(x->grade, true);
		const struct demo_unit *un = &o->units[x->unit];
		const char *group_code = slot_code(x->slot);
		const char *grade_code = demo_grades[x->grade].code;
		for (int m = 0; m < DETAIL; m++) {
			int ym = date_month_add(o->first_month, m);
			put_text(&re, o->row->code);
			put_text(&re, un->cc);
			put_month(&re, ym);
			put_text(&re, group_code);
			put_text(&re, grade_code);
			put_dec(&re, est_x100, 2);
			put_dec(&re, demo_div_round(est_x100 * cost, 1200), 2);
			end_row(&re);
		}
		rc = re.rc;
		/* temporary staffing: cover for the gap and for half of sickness */
		/* bank and agency cover posts up to band 6 (band 7 for scientific,
		 * therapeutic and technical staff) and every medical grade */
		int top = grp == DG_STT ? GR_AFC7 : GR_AFC6;
		bool temp = un->kind >= 0 && o->tpl->kinds[un->kind].temp_staffing &&
		            (GR_IS_MED(x->grade) || (GR_IS_AFC(x->grade) && x->grade <= top));
		if (!temp || rc)
			continue;
		int32_t pct[TT_COUNT] = {gi->bank_pct,
		                         gi->agency_pct * (100 - gi->off_framework_pct) / 100,
		                         gi->agency_pct * gi->off_framework_pct / 100,
		                         gi->overtime_pct, grp == DG_DOC ? gi->locum_pct : 0};
		int32_t std = demo_grades[x->grade].std_hours_x100;
		for (int m = 0; m < DETAIL && !rc; m++) {
			int ym = date_month_add(o->first_month, m);
			int64_t gap = x->est - x->contracted[m];
			if (gap < 0)
				gap = 0;
			int64_t need =
			    gap + x->contracted[m] * rate[first_detail + m] / 2 / 1000000;
			for (int t = 0; t < TT_COUNT; t++) {
				if (!pct[t])
					continue;
				int64_t fte = need * pct[t] / 100 * (1000 + noise(&rl, 50)) / 1000;
				int64_t hours = fte * std * date_month_days(ym) / 7 / 10000;
				if (hours < gi->shift_hours_x100)
					continue; /* less than a shift: none booked */
				int64_t shifts = demo_div_round(hours, gi->shift_hours_x100);
				if (shifts < 1)
					shifts = 1;
				int32_t mult = grp == DG_DOC ? tt_mult_doctor[t] : tt_mult[t];
				int64_t spend =
				    demo_div_round(hours * salary * mult, (int64_t)52 * std * 100);
				put_text(&rt, o->row->code);
				put_text(&rt, un->cc);
				put_month(&rt, ym);
				put_text(&rt, group_code);
				put_text(&rt, grade_code);
				put_text(&rt, tt_type[t]);
				put_text(&rt, tt_framework[t]);
				put_dec(&rt, hours, 2);
				put_int(&rt, shifts);
				put_dec(&rt, spend, 2);
				end_row(&rt);
				struct temp_sum *s = &ts[(size_t)x->slot * TT_COUNT + (size_t)t];
				s->hours_x100[m] += hours;
				s->shifts[m] += shifts;
				s->spend[m] += spend;
			}
			rc = rt.rc;
		}
	}
	if (sum)
		sum->fte_x10000 += org_con[DETAIL - 1];

	/* ---- sickness absence, organisation ---- */
	struct rw rs = rw_for(out, DEMO_FILE_SICKNESS, err);
	int32_t growth[DEMO_MAX_MONTHS]; /* per million of the first detail month's FTE */
	for (int m = 0; m < DEMO_MAX_MONTHS; m++) {
		int before = first_detail - m;
		growth[m] =
		    before > 0
		        ? (int32_t)(1000000 - (int64_t)DEMO_GROWTH_PPM_PER_YEAR * before / 12)
		        : 1000000;
	}
	for (int m = 0; m < DEMO_MAX_MONTHS && !rc; m++) {
		int ym = date_month_add(o->hist_first, m);
		int64_t fte = m >= first_detail ? org_con[m - first_detail]
		                                : org_con[0] * growth[m] / 1000000 *
		                                      (100000 + noise(&rh, 200)) / 100000;
		int64_t avail = fte * date_month_days(ym) / 100; /* FTE days x100 */
		int64_t lost = avail * rate[m] / 1000000;
		put_date(&rs, (int32_t)date_to_days(date_month_last(ym)));
		put_text(&rs, o->row->region);
		put_text(&rs, demo_region_name(o->row->region));
		put_text(&rs, o->row->icb);
		put_text(&rs, demo_ics_name(o->row->icb));
		put_text(&rs, o->row->code);
		put_text(&rs, o->row->name);
		put_text(&rs, org_type_names[o->row->type]);
		put_dec(&rs, lost, 2);
		put_dec(&rs, avail, 2);
		put_dec(&rs, avail ? demo_div_round(lost * 10000, avail) : 0, 2);
		rc = end_row(&rs);
	}

	/* ---- sickness absence, wards ---- */
	struct rw rwd = rw_for(out, DEMO_FILE_SICKNESS_WARDS, err);
	for (size_t u = 0; u < o->nunits && !rc; u++) {
		const struct demo_unit *un = &o->units[u];
		if (!demo_setting_is_ward(un->setting))
			continue;
		const int64_t *uc = &unit_con[u * DETAIL];
		for (int m = 0; m < DEMO_MAX_MONTHS && !rc; m++) {
			int ym = date_month_add(o->hist_first, m);
			int64_t fte = m >= first_detail ? uc[m - first_detail]
			                                : uc[0] * growth[m] / 1000000 *
			                                      (100000 + noise(&rh, 1500)) / 100000;
			int64_t avail = fte * date_month_days(ym) / 100;
			int64_t r = (int64_t)rate[m] * un->sick_factor / 1000 *
			            (1000 + noise(&rh, 150)) / 1000;
			int64_t lost = avail * r / 1000000;
			put_date(&rwd, (int32_t)date_to_days(date_month_last(ym)));
			put_text(&rwd, o->row->code);
			put_text(&rwd, un->ward);
			put_dec(&rwd, lost, 2);
			put_dec(&rwd, avail, 2);
			put_dec(&rwd, avail ? demo_div_round(lost * 10000, avail) : 0, 2);
			rc = end_row(&rwd);
		}
	}

	/* ---- vacancies by staff group ---- */
	struct rw rv = rw_for(out, DEMO_FILE_VACANCIES, err);
	for (int s = 0; s < NSLOT && !rc; s++) {
		if (est_slot[s] == 0)
			continue;
		int grp = s >= DEMO_GROUP_COUNT ? DG_DOC : s;
		int64_t c0 = con_slot[s][0];
		int64_t v0 = est_slot[s] ? (est_slot[s] - c0) * 1000000 / est_slot[s] : 0;
		for (int m = 0; m < DEMO_MAX_MONTHS && !rc; m++) {
			int ym = date_month_add(o->hist_first, m);
			int64_t est, con;
			if (m >= first_detail) {
				est = est_slot[s];
				con = con_slot[s][m - first_detail];
			} else {
				int before = first_detail - m;
				con = c0 * growth[m] / 1000000;
				int64_t v =
				    v0 +
				    (int64_t)demo_group_info[grp].vacancy_past_ppm * before / 24 +
				    noise(&rh, 2000);
				if (v > 500000)
					v = 500000;
				est = con * 1000000 / (1000000 - v);
			}
			int64_t est2 = demo_div_round(est, 100), con2 = demo_div_round(con, 100);
			put_month(&rv, ym);
			put_text(&rv, o->row->code);
			put_text(&rv, slot_code(s));
			put_dec(&rv, est2, 2);
			put_dec(&rv, con2, 2);
			put_dec(&rv, est2 - con2, 2);
			put_dec(&rv, est2 ? demo_div_round((est2 - con2) * 10000, est2) : 0, 2);
			rc = end_row(&rv);
		}
	}

	/* ---- temporary staffing history ---- */
	struct rw rhh = rw_for(out, DEMO_FILE_TEMPORARY_STAFFING_HISTORY, err);
	/* trend before the detail year (assumption): agency use fell after the
	 * 2023 price-cap push, bank a little; per mille extra at 24 months */
	static const int32_t trend[TT_COUNT] = {100, 350, 350, 50, 200};
	int32_t season_mean = 0;
	for (int i = 0; i < 12; i++)
		season_mean += demo_season_permille[i];
	season_mean /= 12;
	for (int s = 0; s < NSLOT && !rc; s++) {
		for (int t = 0; t < TT_COUNT && !rc; t++) {
			const struct temp_sum *x = &ts[(size_t)s * TT_COUNT + (size_t)t];
			int64_t th = 0, tsf = 0, tsp = 0;
			for (int m = 0; m < DETAIL; m++) {
				th += x->hours_x100[m];
				tsf += x->shifts[m];
				tsp += x->spend[m];
			}
			if (th == 0)
				continue;
			for (int m = 0; m < DEMO_MAX_MONTHS && !rc; m++) {
				int ym = date_month_add(o->hist_first, m);
				int64_t h, sh, sp;
				if (m >= first_detail) {
					h = x->hours_x100[m - first_detail];
					sh = x->shifts[m - first_detail];
					sp = x->spend[m - first_detail];
				} else {
					int before = first_detail - m;
					int64_t f = (1000 + (int64_t)trend[t] * before / 24) *
					            demo_season_permille[ym % 100 - 1] /
					            season_mean * (1000 + noise(&rh, 60)) / 1000;
					h = th / DETAIL * f / 1000;
					sh = tsf / DETAIL * f / 1000;
					sp = tsp / DETAIL * f / 1000;
				}
				if (h == 0)
					continue;
				put_month(&rhh, ym);
				put_text(&rhh, o->row->code);
				put_text(&rhh, slot_code(s));
				put_text(&rhh, tt_type[t]);
				put_text(&rhh, tt_framework[t]);
				put_dec(&rhh, h, 2);
				put_int(&rhh, sh);
				put_dec(&rhh, sp, 2);
				rc = end_row(&rhh);
			}
		}
	}
	if (!rc)
		rc = re.rc ? re.rc : rt.rc;
	free(ts);
	free(unit_con);
	ledger_free(&l);
	return rc;
}

int demo_out_org(struct demo_out *out, const struct demo_org *o, struct demo_summary *sum,
                 struct cadre_err *err)
{
	int rc = write_org(out, o, err);
	if (!rc)
		rc = write_staff(out, o, err);
	if (!rc)
		rc = write_ledger(out, o, sum, err);
	if (!rc && sum) {
		sum->orgs++;
		sum->persons += o->npersons;
		sum->assignments += o->nassigns;
		sum->target_fte_x100 += o->row->fte_x100;
	}
	return rc;
}
