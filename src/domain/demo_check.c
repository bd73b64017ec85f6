/* demo_check: measure a generated demo directory against its calibration
 * targets (docs/demo.md, "Calibration").
 *
 * It reads the files as an importer would (the CSV reader, exact decimal
 * parsing) and needs nothing from the generator's state, so the lead can
 * run it on a national data set generated elsewhere.  Staff groups come from
 * the occupation code (the demo's placeholder codes, demo_params.c) and,
 * for doctors (numeric codes), from the grade. */
#include "domain/demo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/num.h"
#include "domain/demo_internal.h"
#include "io/csv.h"

/* Minority-ethnic ranges (per cent of staff with a known ethnicity).  The
 * overall, doctors, nurses-and-midwives and VSM figures are published
 * (WRES: about 26% of staff, 42% of doctors, 29.2% of nurses, midwives and
 * health visitors, 10.3% of VSMs); the band ranges are this generator's
 * assumptions, set around a published-shape gradient (highest at band 5,
 * far lower from band 8a up). */
struct me_range {
	const char *name;
	int32_t lo_x10, hi_x10; /* per mille */
};
enum {
	ME_ALL,
	ME_DOC,
	ME_NM,
	ME_B2_4,
	ME_B5,
	ME_B6,
	ME_B7,
	ME_B8A,
	ME_B8BD,
	ME_B9,
	ME_VSM,
	ME_CONS,
	ME_MED_OTHER,
	ME_COUNT
};
static const struct me_range me_ranges[ME_COUNT] = {
    [ME_ALL] = {"all staff", 240, 280},
    [ME_DOC] = {"doctors", 390, 450},
    [ME_NM] = {"nurses, midwives and health visitors", 265, 320},
    [ME_B2_4] = {"AfC bands 2-4", 200, 320},
    [ME_B5] = {"AfC band 5", 280, 430},
    [ME_B6] = {"AfC band 6", 200, 330},
    [ME_B7] = {"AfC band 7", 140, 260},
    [ME_B8A] = {"AfC band 8a", 100, 220},
    [ME_B8BD] = {"AfC bands 8b-8d", 70, 190},
    [ME_B9] = {"AfC band 9", 40, 200},
    [ME_VSM] = {"very senior managers", 50, 160},
    [ME_CONS] = {"consultants", 300, 430},
    [ME_MED_OTHER] = {"other medical grades", 400, 560},
};

#define MAX_ORGS         512
#define DEMO_CHECK_MIN_N 200 /* fewer people than this: too few to judge a share */
#define NGROUP           DEMO_GROUP_COUNT

struct org_stat {
	char code[8];
	int type;
	int32_t region_ppm; /* the region's minority-ethnic factor */
	int64_t target_x100;
	int64_t fte_x10000;
};

struct check {
	struct org_stat orgs[MAX_ORGS];
	size_t norgs;
	int64_t group_fte[NGROUP];
	int64_t me_known[ME_COUNT], me_minority[ME_COUNT];
	int64_t me_factor[ME_COUNT]; /* sum of the counted people's regional factors (ppm) */
	int64_t headcount, assignments, bank, honorary, leavers, rotations, multi;
	int64_t disabled, not_declared, persons_all;
	int64_t group_hc[NGROUP], group_leavers[NGROUP];
	int64_t est_x100[NGROUP];
	int last_month;
	int64_t temp_hours_x100[3]; /* bank, agency, other in the last month */
	struct date extract;
};

static int open_csv(const char *dir, int file, FILE **f, struct csv_reader **r,
                    struct cadre_err *err)
{
	char path[4096];
	int n = snprintf(path, sizeof path, "%s/%s", dir, demo_file_name(file));
	if (n < 0 || (size_t)n >= sizeof path)
		return cadre_err_set(err, CADRE_EINVAL, "directory name too long");
	*f = fopen(path, "rb");
	if (!*f)
		return cadre_err_set(err, CADRE_EINVAL, "cannot read %s: %s", path,
		                     strerror(errno));
	int rc = csv_reader_open_file(r, *f, NULL, err);
	if (rc)
		return rc;
	rc = csv_reader_next(*r, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_EINVAL, "%s: empty file", demo_file_name(file));
	if (rc)
		return rc;
	/* the header must be the demo's own */
	const char *want = demo_file_header(file);
	size_t nf = csv_reader_count(*r);
	const char *p = want;
	for (size_t i = 0; i < nf; i++) {
		const struct csv_field *fl = csv_reader_field(*r, i);
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (fl->len != len || memcmp(fl->s, p, len) != 0 || (!c && i + 1 < nf))
			return cadre_err_set(err, CADRE_EINVAL,
			                     "%s: column %zu is '%s', expected '%.*s'",
			                     demo_file_name(file), i + 1, fl->s, (int)len, p);
		p = c ? c + 1 : p + len;
	}
	if (*p)
		return cadre_err_set(err, CADRE_EINVAL, "%s: missing columns",
		                     demo_file_name(file));
	return CADRE_OK;
}

static void close_csv(FILE *f, struct csv_reader *r)
{
	csv_reader_free(r);
	if (f)
		(void)fclose(f);
}

static const char *field(struct csv_reader *r, size_t i)
{
	const struct csv_field *f = csv_reader_field(r, i);
	return f ? f->s : "";
}

static int fixed(struct csv_reader *r, size_t i, int places, int64_t *out, const char *file,
                 struct cadre_err *err)
{
	const char *s = field(r, i);
	int rc = num_parse_fixed(s, strlen(s), places, out, err);
	if (rc)
		cadre_err_prefix(err, "%s line %ld", file, csv_reader_line(r));
	return rc;
}

static int group_of_code(const char *code)
{
	for (int g = 0; g < NGROUP; g++)
		if (strcmp(demo_group_info[g].code, code) == 0)
			return g;
	if (strncmp(code, "DOC", 3) == 0)
		return DG_DOC;
	return -1;
}

static int group_of_occupation(const char *occ)
{
	if (occ[0] >= '0' && occ[0] <= '9')
		return DG_DOC;
	for (size_t i = 0; i < demo_role_count; i++)
		if (strcmp(demo_roles[i].occupation, occ) == 0)
			return demo_roles[i].group;
	return -1;
}

static int read_orgs(struct check *ck, const char *dir, struct cadre_err *err)
{
	FILE *f = NULL;
	struct csv_reader *r = NULL;
	int rc = open_csv(dir, DEMO_FILE_ORGANISATIONS, &f, &r, err);
	while (!rc && (rc = csv_reader_next(r, err)) == CADRE_OK) {
		if (ck->norgs >= MAX_ORGS) {
			rc = cadre_err_set(err, CADRE_EINVAL, "organisations.csv: too many rows");
			break;
		}
		struct org_stat *o = &ck->orgs[ck->norgs++];
		(void)snprintf(o->code, sizeof o->code, "%s", field(r, 0));
		o->type = -1;
		for (int t = 0; t < DEMO_ORG_TYPE_COUNT; t++)
			if (strcmp(demo_org_type_code(t), field(r, 2)) == 0)
				o->type = t;
		if (o->type < 0) {
			rc = cadre_err_set(err, CADRE_EINVAL,
			                   "organisations.csv line %ld: org_type '%s'",
			                   csv_reader_line(r), field(r, 2));
			break;
		}
		o->region_ppm = demo_region_me_ppm(field(r, 4));
		rc = fixed(r, 5, 2, &o->target_x100, "organisations.csv", err);
	}
	if (rc == CADRE_DONE)
		rc = CADRE_OK;
	close_csv(f, r);
	return rc;
}

static struct org_stat *find_org(struct check *ck, const char *code)
{
	for (size_t i = 0; i < ck->norgs; i++)
		if (strcmp(ck->orgs[i].code, code) == 0)
			return &ck->orgs[i];
	return NULL;
}

static int band_class(const char *grade, bool *is_med, bool *is_cons)
{
	*is_med = strncmp(grade, "MED-", 4) == 0;
	*is_cons = strncmp(grade, "MED-CONS", 8) == 0;
	if (*is_med)
		return *is_cons ? ME_CONS : ME_MED_OTHER;
	if (strcmp(grade, "VSM") == 0)
		return ME_VSM;
	if (strncmp(grade, "AFC-", 4) != 0)
		return -1;
	const char *b = grade + 4;
	if (b[0] >= '2' && b[0] <= '4')
		return ME_B2_4;
	if (b[0] == '5')
		return ME_B5;
	if (b[0] == '6')
		return ME_B6;
	if (b[0] == '7')
		return ME_B7;
	if (b[0] == '8')
		return b[1] == 'a' ? ME_B8A : ME_B8BD;
	if (b[0] == '9')
		return ME_B9;
	return -1;
}

/* staff.csv columns (docs/formats.md) */
enum {
	C_AREF,
	C_SREF,
	C_NI,
	C_NAME,
	C_MGR,
	C_ORG,
	C_CC,
	C_POS,
	C_OCC,
	C_ESR,
	C_GRADE,
	C_HOURS,
	C_FTE,
	C_CAT,
	C_START,
	C_END,
	C_REASON,
	C_BIRTH,
	C_SEX,
	C_ETHNIC,
	C_DISAB,
	C_PROF,
	C_BODY,
	C_QUAL,
	C_STAGE,
	C_LEAD,
	C_EXTRACT
};

static int read_staff(struct check *ck, const char *dir, struct cadre_err *err)
{
	FILE *f = NULL;
	struct csv_reader *r = NULL;
	int rc = open_csv(dir, DEMO_FILE_STAFF, &f, &r, err);
	char last_person[48] = "";
	char last_inpost[48] = "";
	int last_person_rows = 0;
	while (!rc && (rc = csv_reader_next(r, err)) == CADRE_OK) {
		ck->assignments++;
		char person[48];
		(void)snprintf(person, sizeof person, "%s/%s", field(r, C_ORG), field(r, C_SREF));
		bool new_person = strcmp(person, last_person) != 0;
		if (new_person) {
			(void)snprintf(last_person, sizeof last_person, "%s", person);
			last_person_rows = 0;
			ck->persons_all++;
			const char *d = field(r, C_DISAB);
			ck->disabled += strcmp(d, "yes") == 0;
			ck->not_declared += strcmp(d, "not_declared") == 0;
		}
		if (++last_person_rows == 2)
			ck->multi++;
		const char *ex = field(r, C_EXTRACT);
		if (ck->extract.y == 0) {
			rc = date_parse_iso(ex, strlen(ex), &ck->extract, err);
			if (rc)
				break;
		}
		struct org_stat *o = find_org(ck, field(r, C_ORG));
		if (!o) {
			rc = cadre_err_set(
			    err, CADRE_EINVAL,
			    "staff.csv line %ld: organisation '%s' not in organisations.csv",
			    csv_reader_line(r), field(r, C_ORG));
			break;
		}
		int grp = group_of_occupation(field(r, C_OCC));
		if (grp < 0) {
			rc = cadre_err_set(err, CADRE_EINVAL,
			                   "staff.csv line %ld: occupation code '%s'",
			                   csv_reader_line(r), field(r, C_OCC));
			break;
		}
		const char *cat = field(r, C_CAT);
		if (strcmp(cat, "bank") == 0) {
			ck->bank++;
			continue;
		}
		if (strcmp(cat, "honorary") == 0) {
			ck->honorary++;
			continue;
		}
		struct date start, end = {9999, 12, 31};
		const char *s = field(r, C_START);
		rc = date_parse_iso(s, strlen(s), &start, err);
		const char *e = field(r, C_END);
		if (!rc && *e)
			rc = date_parse_iso(e, strlen(e), &end, err);
		if (rc) {
			cadre_err_prefix(err, "staff.csv line %ld", csv_reader_line(r));
			break;
		}
		/* a leaver whose last day is the extract date is still in post on it */
		if (strcmp(field(r, C_REASON), "end_of_rotation") == 0) {
			ck->rotations++;
		} else if (*field(r, C_REASON)) {
			ck->leavers++;
			ck->group_leavers[grp]++;
		}
		if (date_cmp(start, ck->extract) > 0 || date_cmp(end, ck->extract) < 0)
			continue;
		int64_t fte;
		rc = fixed(r, C_FTE, 4, &fte, "staff.csv", err);
		if (rc)
			break;
		o->fte_x10000 += fte;
		ck->group_fte[grp] += fte;
		/* headcount and equality: once per person, at the first post */
		if (strcmp(person, last_inpost) == 0)
			continue;
		(void)snprintf(last_inpost, sizeof last_inpost, "%s", person);
		ck->headcount++;
		ck->group_hc[grp]++;
		const char *eth = field(r, C_ETHNIC);
		if (strcmp(eth, "Z") == 0 || strcmp(eth, "99") == 0)
			continue;
		bool minority = false;
		for (int i = 0; i < DEMO_ETHNIC_COUNT; i++)
			if (strcmp(demo_ethnic_codes[i], eth) == 0)
				minority = demo_ethnic_is_minority(i);
		bool is_med, is_cons;
		int band = band_class(field(r, C_GRADE), &is_med, &is_cons);
		int classes[4] = {ME_ALL, -1, band, -1};
		if (grp == DG_DOC)
			classes[1] = ME_DOC;
		else if (grp == DG_NURSE || grp == DG_MIDWIFE)
			classes[1] = ME_NM;
		for (int i = 0; i < 4; i++) {
			if (classes[i] < 0)
				continue;
			ck->me_known[classes[i]]++;
			ck->me_minority[classes[i]] += minority;
			ck->me_factor[classes[i]] += o->region_ppm;
		}
	}
	if (rc == CADRE_DONE)
		rc = CADRE_OK;
	close_csv(f, r);
	return rc;
}

static int read_establishment(struct check *ck, const char *dir, struct cadre_err *err)
{
	FILE *f = NULL;
	struct csv_reader *r = NULL;
	int rc = open_csv(dir, DEMO_FILE_ESTABLISHMENT, &f, &r, err);
	while (!rc && (rc = csv_reader_next(r, err)) == CADRE_OK) {
		int ym;
		const char *m = field(r, 2);
		rc = date_month_parse(m, strlen(m), &ym, err);
		if (rc)
			break;
		if (ym < ck->last_month)
			continue;
		if (ym > ck->last_month) {
			ck->last_month = ym;
			memset(ck->est_x100, 0, sizeof ck->est_x100);
		}
		int grp = group_of_code(field(r, 3));
		if (grp < 0) {
			rc = cadre_err_set(err, CADRE_EINVAL,
			                   "establishment.csv line %ld: staff group '%s'",
			                   csv_reader_line(r), field(r, 3));
			break;
		}
		int64_t v;
		rc = fixed(r, 5, 2, &v, "establishment.csv", err);
		ck->est_x100[grp] += v;
	}
	if (rc == CADRE_DONE)
		rc = CADRE_OK;
	close_csv(f, r);
	if (rc)
		return rc;
	rc = open_csv(dir, DEMO_FILE_TEMPORARY_STAFFING, &f, &r, err);
	while (!rc && (rc = csv_reader_next(r, err)) == CADRE_OK) {
		int ym;
		const char *m = field(r, 2);
		rc = date_month_parse(m, strlen(m), &ym, err);
		if (rc || ym != ck->last_month)
			continue;
		int64_t h;
		rc = fixed(r, 7, 2, &h, "temporary-staffing.csv", err);
		const char *t = field(r, 5);
		ck->temp_hours_x100[strcmp(t, "bank") == 0     ? 0
		                    : strcmp(t, "agency") == 0 ? 1
		                                               : 2] += h;
	}
	if (rc == CADRE_DONE)
		rc = CADRE_OK;
	close_csv(f, r);
	return rc;
}

static int verdict(struct buf *out, bool ok, int *fails, int *checks, struct cadre_err *err)
{
	(*checks)++;
	if (!ok)
		(*fails)++;
	return buf_puts(out, ok ? "  PASS " : "  FAIL ", err);
}

int demo_check(const char *dir, struct buf *out, bool *pass, struct cadre_err *err)
{
	*pass = false;
	struct check *ck = xcalloc(1, sizeof *ck);
	int rc = read_orgs(ck, dir, err);
	if (!rc)
		rc = read_staff(ck, dir, err);
	if (!rc)
		rc = read_establishment(ck, dir, err);
	int fails = 0, checks = 0;
	int64_t total_target = 0, total_fte = 0;
	for (size_t i = 0; i < ck->norgs; i++) {
		total_target += ck->orgs[i].target_x100;
		total_fte += ck->orgs[i].fte_x10000;
	}
	if (!rc)
		rc = buf_printf(out, err,
		                "demo check of %s (extract date %04d-%02d-%02d)\n"
		                "organisations: %zu; FTE in post %.1f, target %.1f\n",
		                dir, ck->extract.y, ck->extract.m, ck->extract.d, ck->norgs,
		                (double)total_fte / 10000.0, (double)total_target / 100.0);
	/* 1. organisation sizes */
	if (!rc) {
		const struct org_stat *worst = NULL;
		int64_t worst_ppm = 0;
		int over = 0;
		for (size_t i = 0; i < ck->norgs; i++) {
			const struct org_stat *o = &ck->orgs[i];
			int64_t diff = o->fte_x10000 - o->target_x100 * 100;
			int64_t ppm = o->target_x100 ? diff * 10000 / o->target_x100 : 0;
			if ((ppm < 0 ? -ppm : ppm) > 20000)
				over++;
			if (!worst ||
			    (ppm < 0 ? -ppm : ppm) > (worst_ppm < 0 ? -worst_ppm : worst_ppm)) {
				worst = o;
				worst_ppm = ppm;
			}
		}
		rc = verdict(out, over == 0, &fails, &checks, err);
		if (!rc)
			rc = buf_printf(
			    out, err,
			    "organisation FTE in post within 2%% of target: %d outside; "
			    "largest difference %s %+.3f%%\n",
			    over, worst ? worst->code : "-", (double)worst_ppm / 10000.0);
	}
	/* 2. staff-group shares */
	if (!rc)
		rc = buf_puts(out,
		              "staff-group share of FTE in post, against the 2018 mix weighted by "
		              "the organisation types present (within 1 point):\n",
		              err);
	int64_t all_fte = 0;
	for (int g = 0; g < NGROUP; g++)
		all_fte += ck->group_fte[g];
	for (int g = 0; g < NGROUP && !rc; g++) {
		int64_t num = 0;
		for (size_t i = 0; i < ck->norgs; i++)
			num += ck->orgs[i].target_x100 * demo_mix_ppm[ck->orgs[i].type][g];
		double target = total_target ? (double)num / (double)total_target / 10000.0 : 0.0;
		double share = all_fte ? (double)ck->group_fte[g] * 100.0 / (double)all_fte : 0.0;
		double national = (double)demo_mix_ppm[DEMO_ORG_TYPE_COUNT][g] / 10000.0;
		double d = share - target;
		rc = verdict(out, d <= 1.0 && d >= -1.0, &fails, &checks, err);
		if (!rc)
			rc = buf_printf(
			    out, err,
			    "%-16s %6.2f%%  target %6.2f%%  difference %+.2f  (2018 national "
			    "%.2f%%)\n",
			    demo_group_info[g].code, share, target, d, national);
	}
	/* 3. minority-ethnic shares, standardised to the nation's regional
	 * mix: the generator scales each person's chance by their region's
	 * factor, which averages 1 over the nation (docs/demo.md), so the
	 * standardised share divides the minority-ethnic count by the sum of
	 * the counted people's factors instead of by their number.  For the
	 * national data set the two agree. */
	if (!rc)
		rc = buf_printf(
		    out, err,
		    "minority-ethnic share of staff in post with a known ethnicity "
		    "(headcount), and standardised to the national regional mix (under %d "
		    "people reported, not judged):\n",
		    DEMO_CHECK_MIN_N);
	for (int i = 0; i < ME_COUNT && !rc; i++) {
		const struct me_range *m = &me_ranges[i];
		if (ck->me_known[i] == 0)
			continue;
		int64_t fsum = ck->me_factor[i] > 0 ? ck->me_factor[i] : 1;
		int64_t x10 = ck->me_minority[i] * 1000 * 1000000 / fsum;
		double pct = (double)ck->me_minority[i] * 100.0 / (double)ck->me_known[i];
		double std = (double)ck->me_minority[i] * 100.0 * 1000000.0 / (double)fsum;
		if (ck->me_known[i] >= DEMO_CHECK_MIN_N)
			rc = verdict(out, x10 >= m->lo_x10 && x10 <= m->hi_x10, &fails, &checks,
			             err);
		else
			rc = buf_puts(out, "  info ", err);
		if (!rc)
			rc = buf_printf(out, err,
			                "%-38s %5.1f%%  standardised %5.1f%%  range %4.1f-%4.1f%%  "
			                "(n = %lld)\n",
			                m->name, pct, std, m->lo_x10 / 10.0, m->hi_x10 / 10.0,
			                (long long)ck->me_known[i]);
	}
	/* 4. vacancies at the last ledger month */
	if (!rc)
		rc = buf_printf(
		    out, err,
		    "vacancy rate by staff group, establishment %04d-%02d against FTE in "
		    "post at the extract date (5%% to 12%%):\n",
		    ck->last_month / 100, ck->last_month % 100);
	int64_t est_all = 0, gap_all = 0;
	for (int g = 0; g < NGROUP && !rc; g++) {
		int64_t est = ck->est_x100[g] * 100;
		if (est == 0)
			continue;
		int64_t gap = est - ck->group_fte[g];
		est_all += est;
		gap_all += gap;
		double rate = (double)gap * 100.0 / (double)est;
		/* groups under 1,000 WTE are reported, not judged: too few posts */
		if (est >= INT64_C(1000) * 10000) {
			rc = verdict(out, rate >= 5.0 && rate <= 12.0, &fails, &checks, err);
		} else {
			rc = buf_puts(out, "  info ", err);
		}
		if (!rc)
			rc = buf_printf(out, err, "%-16s %5.1f%%  (establishment %.1f WTE)\n",
			                demo_group_info[g].code, rate, (double)est / 10000.0);
	}
	/* 5. information */
	if (!rc) {
		double wte_bank = (double)ck->temp_hours_x100[0] / 100.0 / (37.5 * 30.0 / 7.0);
		double wte_agency = (double)ck->temp_hours_x100[1] / 100.0 / (37.5 * 30.0 / 7.0);
		rc = buf_printf(
		    out, err,
		    "information:\n"
		    "  staff.csv rows %lld; people %lld (in post %lld); people with more than one "
		    "assignment %lld; bank assignments %lld; honorary %lld; leavers in the year "
		    "%lld (and %lld resident doctors' rotations)\n"
		    "  disability: declared %.1f%%, not declared %.1f%% of people\n"
		    "  vacancy %.1f%% of establishment overall; temporary staffing in the last "
		    "month "
		    "about %.0f WTE bank and %.0f WTE agency against a %.0f WTE gap\n",
		    (long long)ck->assignments, (long long)ck->persons_all,
		    (long long)ck->headcount, (long long)ck->multi, (long long)ck->bank,
		    (long long)ck->honorary, (long long)ck->leavers, (long long)ck->rotations,
		    ck->persons_all ? (double)ck->disabled * 100.0 / (double)ck->persons_all : 0.0,
		    ck->persons_all ? (double)ck->not_declared * 100.0 / (double)ck->persons_all
		                    : 0.0,
		    est_all ? (double)gap_all * 100.0 / (double)est_all : 0.0, wte_bank, wte_agency,
		    (double)gap_all / 10000.0);
	}
	for (int g = 0; g < NGROUP && !rc; g++) {
		if (!ck->group_hc[g])
			continue;
		rc = buf_printf(
		    out, err,
		    "  leavers in the year (rotations apart), %-16s %5.1f%% of headcount\n",
		    demo_group_info[g].code,
		    (double)ck->group_leavers[g] * 100.0 / (double)ck->group_hc[g]);
	}
	if (!rc)
		rc = buf_printf(out, err, "%s: %d of %d checks failed\n", fails ? "FAIL" : "PASS",
		                fails, checks);
	if (!rc)
		*pass = fails == 0 && checks > 0;
	free(ck);
	return rc;
}
