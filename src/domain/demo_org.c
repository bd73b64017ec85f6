/* demo_org: one organisation's structure, staff, leavers and bank.
 *
 * The order of random draws is part of the output: any change here changes
 * the demo data set (and the hash in tests/unit/test_domain_demo.c).  Two
 * substreams per organisation: "org-structure" (units, sizes, organisation
 * effects) and "org-staff" (people and assignments); each is keyed by the
 * seed and the organisation's code, so an organisation comes out the same
 * whichever others are generated with it. */
#include "domain/demo_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

#define NSLOT     (DEMO_GROUP_COUNT + 7) /* groups, then doctors by grade CONS..FY2 */
#define FTE_ONE   INT64_C(10000)
#define MIN_CHUNK 1000 /* 0.1 FTE: the smallest assignment the fill makes */

enum exec_role {
	EX_CEO,
	EX_FINANCE,
	EX_NURSE,
	EX_MEDICAL,
	EX_OPERATIONS,
	EX_PEOPLE,
	EX_STRATEGY,
	EX_DIGITAL,
	EX_COUNT
};

struct tenure_table {
	int32_t q_ppm;   /* monthly leaving probability */
	uint64_t s[601]; /* survival after k months, scaled by 2^40 */
};

struct gen {
	struct demo_org *o;
	const struct demo_pool *pool;
	struct rng rs; /* structure */
	struct rng rp; /* people */
	int32_t exec[EX_COUNT];
	int32_t mgmt[8];         /* management unit per division, -1 none */
	int32_t div_director[8]; /* person */
	int32_t div_nursing[8];  /* head of nursing or midwifery */
	int32_t div_cd[8];       /* clinical director */
	int32_t matron_first[8], matron_count[8], matron_next[8];
	int64_t budget[NSLOT];
	int64_t used[NSLOT];                          /* by roles */
	int64_t *alloc;                               /* nunits x NSLOT */
	int32_t *cons_first, *cons_count, *cons_next; /* per unit */
	int32_t *open; /* part-timers open to a second post, by slot (LIFO) */
	size_t nopen[NSLOT], open_cap;
	int32_t last_assign[NSLOT];
	int32_t grade_norm[DEMO_GROUP_COUNT]; /* weighted mean grade factor (per cent x 100) */
	struct tenure_table tenure[16];
	size_t ntenure;
	int rotation_aug; /* day numbers of the latest rotations on or before as_of */
	int rotation_feb;
};

/* ---- small helpers ---- */

int64_t demo_div_round(int64_t num, int64_t den)
{
	if (num >= 0)
		return (2 * num + den) / (2 * den);
	return -((-2 * num + den) / (2 * den));
}

uint32_t demo_pick(struct rng *r, const uint32_t *w, size_t n)
{
	size_t i = rng_weighted(r, w, n);
	return (uint32_t)(i < n ? i : 0);
}

static bool chance_ppm(struct rng *r, int64_t ppm)
{
	return (int64_t)rng_below(r, 1000000) < ppm;
}

/* stochastic rounding of x / den: floor plus one with the remainder's chance */
static int64_t round_random(struct rng *r, int64_t num, int64_t den)
{
	int64_t q = num / den;
	int64_t rem = num % den;
	if (rem > 0 && (int64_t)rng_below64(r, (uint64_t)den) < rem)
		q++;
	return q;
}

static int slot_of(int group, int grade)
{
	return group == DG_DOC ? DEMO_GROUP_COUNT + (grade - GR_CONS) : group;
}

static int slot_group(int s)
{
	return s >= DEMO_GROUP_COUNT ? DG_DOC : s;
}

static int slot_grade(int s)
{
	return s >= DEMO_GROUP_COUNT ? GR_CONS + (s - DEMO_GROUP_COUNT) : -1;
}

static int32_t date_day(struct date d)
{
	return (int32_t)date_to_days(d);
}

/* the first Wednesday of month m of year y (resident doctors' changeover) */
static int32_t first_wednesday(int y, int m)
{
	struct date d = {y, m, 1};
	int wd = date_weekday(d); /* 1 Monday .. 7 Sunday */
	int off = (3 - wd + 7) % 7;
	return date_day(d) + off;
}

int32_t demo_fte_at(const struct demo_assign *a, int32_t day)
{
	if (a->category == CAT_BANK || a->category == CAT_HONORARY)
		return 0;
	if (a->start > day || a->end < day)
		return 0;
	return a->fte_x10000;
}

static void *grow(void *p, size_t *alloc, size_t need, size_t size)
{
	if (need <= *alloc)
		return p;
	size_t n = *alloc ? *alloc * 2 : 64;
	while (n < need)
		n *= 2;
	*alloc = n;
	return xreallocarray(p, n, size);
}

/* ---- people ---- */

static int age_profile_of(int group, int grade)
{
	switch (grade) {
	case GR_CONS: return AP_CONSULTANT;
	case GR_AS:
	case GR_SD: return AP_SAS;
	case GR_STR: return AP_STR;
	case GR_CT: return AP_CT;
	case GR_FY1: return AP_FY1;
	case GR_FY2: return AP_FY2;
	case GR_AFC8B:
	case GR_AFC8C:
	case GR_AFC8D:
	case GR_AFC9:
	case GR_VSM: return AP_SENIOR;
	default: return demo_group_info[group].age_profile;
	}
}

static int32_t female_pct(int group, int grade)
{
	switch (grade) {
	case GR_CONS: return 42;
	case GR_AS:
	case GR_SD: return 45;
	case GR_STR: return 52;
	case GR_CT: return 55;
	case GR_FY1:
	case GR_FY2: return 57;
	default: return demo_group_info[group].female_pct;
	}
}

/* The weighted mean of the grade factors over a group's grade mix (per cent
 * x 100), so that the factors move minority-ethnic staff between grades
 * without moving the group's share.  Doctors use the acute mix. */
static int32_t grade_norm(int group)
{
	const uint32_t *w = demo_group_info[group].grade_weight;
	int64_t num = 0, den = 0;
	for (int g = 0; g < DEMO_GRADE_COUNT; g++) {
		int64_t wt = group == DG_DOC ? demo_templates[DEMO_ORG_ACUTE].doc_grade_weight[g]
		                             : (int64_t)w[g];
		num += wt * demo_grades[g].me_factor;
		den += wt;
	}
	return den ? (int32_t)demo_div_round(num * 100, den) : 10000;
}

/* the chance (ppm of known ethnicity) that a person is minority ethnic */
static int64_t me_chance(int group, int grade, int32_t region_ppm)
{
	int64_t p;
	if (grade == GR_VSM) {
		p = DEMO_ME_VSM_PPM;
	} else {
		int32_t norm = grade_norm(group);
		p = demo_div_round((int64_t)demo_group_info[group].me_ppm *
		                       demo_grades[grade].me_factor * 100,
		                   norm);
	}
	p = demo_div_round(p * region_ppm, 1000000);
	return p > 900000 ? 900000 : p;
}

void demo_person_draw(struct rng *r, struct demo_person *p, int group, int grade, int age_profile,
                      int32_t me_region_ppm, struct date as_of)
{
	p->female = chance_ppm(r, (int64_t)female_pct(group, grade) * 10000);
	uint32_t band = demo_pick(r, demo_age_weight[age_profile], DEMO_AGE_BANDS);
	int age = band == 0 ? 18 + (int)rng_below(r, 2) : 15 + 5 * (int)band + (int)rng_below(r, 5);
	p->birth_year = (int16_t)(as_of.y - age - (int)rng_below(r, 2));
	uint32_t u = rng_below(r, 1000000);
	if (u < DEMO_ETHNIC_Z_PPM) {
		p->ethnic = DEMO_ETHNIC_Z;
	} else if (u < DEMO_ETHNIC_Z_PPM + DEMO_ETHNIC_99_PPM) {
		p->ethnic = DEMO_ETHNIC_99;
	} else if (chance_ppm(r, me_chance(group, grade, me_region_ppm))) {
		p->ethnic = (uint8_t)demo_pick(r,
		                               group == DG_DOC ? demo_ethnic_minority_doctor_weight
		                                               : demo_ethnic_minority_other_weight,
		                               DEMO_ETHNIC_COUNT);
	} else {
		p->ethnic = (uint8_t)demo_pick(r, demo_ethnic_white_weight, DEMO_ETHNIC_COUNT);
	}
	u = rng_below(r, 1000000);
	p->disability = u < DEMO_DISABLED_PPM                                      ? 1
	                : u < DEMO_DISABLED_PPM + DEMO_DISABILITY_NOT_DECLARED_PPM ? 2
	                                                                           : 0;
	p->given = (uint16_t)rng_below(
	    r, (uint32_t)(p->female ? demo_given_female_count : demo_given_male_count));
	p->surname = (uint16_t)rng_below(r, (uint32_t)demo_surname_count);
	p->profession = PR_NONE;
	p->qual_year = 0;
}

/* qualification: the year of the primary registrable qualification */
static void person_qualify(struct gen *g, struct demo_person *p, int profession, int grade,
                           int32_t start_day)
{
	struct rng *r = &g->rp;
	int y = g->o->as_of.y;
	p->profession = (uint8_t)profession;
	if (profession == PR_NONE)
		return;
	/* registration comes at 21 at the earliest: a registered professional
	 * drawn younger is made 21-24 */
	if (p->birth_year > y - 21)
		p->birth_year = (int16_t)(y - 21 - (int)rng_below(r, 4));
	int q;
	if (grade == GR_FY1) {
		q = date_from_days(start_day).y;
	} else if (grade == GR_FY2) {
		q = date_from_days(start_day).y - 1;
	} else if (profession == PR_MEDICINE) {
		q = p->birth_year + 23 + (int)rng_below(r, 3);
		if (q > y - 2)
			q = y - 2;
	} else {
		static const uint32_t delay[6] = {55, 15, 8, 8, 7, 7};
		uint32_t k = demo_pick(r, delay, 6);
		q = p->birth_year + 21 + (int)(k < 3 ? k : 3 + (k - 3) * 4 + rng_below(r, 4));
	}
	if (q > y)
		q = y;
	if (q < p->birth_year + 20)
		q = p->birth_year + 20;
	p->qual_year = (int16_t)q;
}

/* a bijection of [0, 2^28): a four-round Feistel network on two 14-bit
 * halves, the round function a splitmix64 finaliser keyed by the seed */
static uint32_t feistel28(uint32_t x, uint64_t key)
{
	uint32_t l = x >> 14, r = x & 0x3FFF;
	for (uint64_t round = 0; round < 4; round++) {
		uint64_t z = key ^ (round << 32) ^ r;
		z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
		z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
		z ^= z >> 31;
		uint32_t nl = r;
		r = l ^ (uint32_t)(z & 0x3FFF);
		l = nl;
	}
	return l << 14 | r;
}

/* national person number -> a synthetic NI number: first letter Q (never
 * issued by HMRC, so no demo identifier can be a real person's), second
 * letter one of the 19 HMRC uses, six digits, suffix A-D.  The number is
 * scrambled by a seed-keyed permutation of [0, 76,000,000) (the Feistel
 * bijection above, cycle-walked into range), so distinct people always get
 * distinct identifiers and neighbours do not look alike. */
void demo_ni_format(uint64_t national, uint64_t seed, char out[10])
{
	static const char second[] = "ABCEGHJKLMNPRSTWXYZ";
	const uint32_t space = 76000000;
	uint32_t m = (uint32_t)(national % space);
	do
		m = feistel28(m, seed);
	while (m >= space);
	out[0] = 'Q';
	out[1] = second[m / 4000000];
	uint32_t d = (m / 4) % 1000000;
	for (int i = 7; i >= 2; i--) {
		out[i] = (char)('0' + d % 10);
		d /= 10;
	}
	out[8] = "ABCD"[m % 4];
	out[9] = '\0';
}

static int32_t new_person(struct gen *g)
{
	struct demo_org *o = g->o;
	o->persons = grow(o->persons, &o->persons_alloc, o->npersons + 1, sizeof *o->persons);
	int32_t i = (int32_t)o->npersons++;
	struct demo_person *p = &o->persons[i];
	memset(p, 0, sizeof *p);
	p->local = (uint32_t)o->npersons;
	p->national = (uint64_t)o->index * 100000 + p->local;
	return i;
}

/* ---- tenure ---- */

static const struct tenure_table *tenure_for(struct gen *g, int32_t annual_ppm)
{
	int32_t q = (int32_t)demo_div_round(annual_ppm, 12);
	for (size_t i = 0; i < g->ntenure; i++)
		if (g->tenure[i].q_ppm == q)
			return &g->tenure[i];
	struct tenure_table *t = &g->tenure[g->ntenure < 16 ? g->ntenure++ : 15];
	t->q_ppm = q;
	t->s[0] = UINT64_C(1) << 40;
	for (int k = 1; k <= 600; k++)
		t->s[k] = t->s[k - 1] / 1000000 * (uint64_t)(1000000 - q) +
		          t->s[k - 1] % 1000000 * (uint64_t)(1000000 - q) / 1000000;
	return t;
}

/* months of tenure, geometric with the group's leaving rate.  A draw
 * longer than the person's working life so far (max) becomes max: the post
 * started when they could first hold it.  (Truncating the distribution
 * instead would crowd young staff into recent starts and make every
 * organisation grow far faster than the NHS does.) */
static int draw_tenure_months(struct gen *g, int32_t annual_ppm, int max)
{
	if (max <= 0)
		return 0;
	const struct tenure_table *t = tenure_for(g, annual_ppm);
	uint64_t span = t->s[0] - t->s[600];
	uint64_t x = rng_below64(&g->rp, span);
	/* the smallest k with s[0] - s[k+1] > x */
	int lo = 0, hi = 599;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (t->s[0] - t->s[mid + 1] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < max ? lo : max;
}

static int32_t leaver_ppm(int group, int grade)
{
	/* [V] HCHS leaver rates (domain reference 2.4), years to September:
	 * consultants 4.9% (2024), doctors excluding those in training 6.3%
	 * (2021), resident doctors 2024: StR 22.6%, CT 15.6%, FY1 18.3%, FY2
	 * 44.7% (rotations out of NHS trusts included). */
	switch (grade) {
	case GR_CONS: return 49000;
	case GR_AS:
	case GR_SD: return 63000;
	case GR_STR: return 226000;
	case GR_CT: return 156000;
	case GR_FY1: return 183000;
	case GR_FY2: return 447000;
	default: return demo_group_info[group].leaver_ppm;
	}
}

/* the earliest day a person could have started this post */
static int32_t earliest_start(const struct demo_person *p)
{
	int y = p->birth_year + 18;
	if (p->qual_year && p->qual_year > y)
		y = p->qual_year;
	return date_day((struct date){y, 9, 1});
}

/* start date for a post held on `until` (the snapshot, or a leaver's last
 * day): tenure months back, a random day within the month */
static int32_t draw_start(struct gen *g, const struct demo_person *p, int group, int grade,
                          int32_t until)
{
	int32_t lo = earliest_start(p);
	if (lo >= until)
		return until;
	int max = (int)((until - lo) / 31);
	int k = draw_tenure_months(g, leaver_ppm(group, grade), max);
	int32_t day = until - k * 30 - (int32_t)rng_below(&g->rp, 30);
	return day < lo ? lo : day;
}

/* resident doctors: the rotation they started on and the one they leave on */
static void resident_dates(struct gen *g, int grade, int32_t *start, int32_t *end)
{
	struct rng *r = &g->rp;
	int y = g->o->as_of.y;
	int32_t as_of = g->o->as_of_days;
	bool feb = (grade == GR_STR || grade == GR_CT) && rng_below(r, 100) < 20;
	int back = 0;
	if (grade == GR_STR) {
		static const uint32_t w[3] = {60, 25, 15};
		back = (int)demo_pick(r, w, 3);
	} else if (grade == GR_CT) {
		static const uint32_t w[2] = {70, 30};
		back = (int)demo_pick(r, w, 2);
	}
	int m = feb ? 2 : 8;
	int32_t s = first_wednesday(y, m);
	if (s > as_of)
		s = first_wednesday(y - 1, m);
	int32_t e = first_wednesday(date_from_days(s).y + 1, m) - 1;
	if (e <= as_of) /* the reference date is the day before a rotation */
		e = first_wednesday(date_from_days(s).y + 2, m) - 1;
	s = first_wednesday(date_from_days(s).y - back, m);
	*start = s;
	*end = e;
}

/* ---- assignments ---- */

static int32_t add_assign(struct gen *g, int32_t person, int32_t unit, int role, int grade,
                          int32_t hours_x100, int category, int level, int32_t start, int32_t end)
{
	struct demo_org *o = g->o;
	o->assigns = grow(o->assigns, &o->assigns_alloc, o->nassigns + 1, sizeof *o->assigns);
	int32_t i = (int32_t)o->nassigns++;
	struct demo_assign *a = &o->assigns[i];
	memset(a, 0, sizeof *a);
	struct demo_person *p = &o->persons[person];
	a->person = person;
	a->unit = unit;
	a->manager = -1;
	a->position = ++o->units[unit].positions;
	a->role = (int16_t)role;
	a->grade = (uint8_t)grade;
	a->category = (uint8_t)category;
	a->leadership = (uint8_t)level;
	a->nth = ++p->nassign;
	a->start = start;
	a->end = end;
	if (category == CAT_BANK || category == CAT_HONORARY) {
		a->hours_x100 = 0;
		a->fte_x10000 = 0;
	} else {
		a->hours_x100 = hours_x100;
		a->fte_x10000 = (int32_t)demo_div_round((int64_t)hours_x100 * FTE_ONE,
		                                        demo_grades[grade].std_hours_x100);
	}
	if (GR_IS_AFC(grade)) {
		int n = demo_grades[grade].pay_points;
		bool new_starter = o->as_of_days - start < 365;
		a->pay_point = (uint8_t)(new_starter ? 1 : 1 + (int)rng_below(&g->rp, (uint32_t)n));
	}
	/* training stage */
	switch (grade) {
	case GR_FY1: a->stage = TS_FY1; break;
	case GR_FY2: a->stage = TS_FY2; break;
	case GR_CT: {
		static const uint32_t w[3] = {45, 40, 15};
		a->stage = (uint8_t)(TS_CT1 + demo_pick(&g->rp, w, 3));
		break;
	}
	case GR_STR: {
		static const uint32_t w[8] = {5, 5, 20, 18, 16, 14, 12, 10};
		a->stage = (uint8_t)(TS_ST1 + demo_pick(&g->rp, w, 8));
		break;
	}
	default: {
		int prof = demo_roles[role].profession;
		int age = o->as_of.y - p->birth_year;
		if (prof != PR_NONE && prof != PR_MEDICINE && grade == GR_AFC5 &&
		    p->qual_year >= o->as_of.y - 1 && o->as_of_days - start < 365)
			a->stage = TS_PRECEPTORSHIP;
		else if (prof == PR_NONE && grade <= GR_AFC4 && age < 25 &&
		         demo_roles[role].group != DG_SENIOR_MGR && rng_below(&g->rp, 100) < 20)
			a->stage = TS_APPRENTICE;
		else if (role == 23 && grade >= GR_AFC3 && rng_below(&g->rp, 100) < 3)
			a->stage = TS_TRAINEE;
		break;
	}
	}
	return i;
}

/* a role from the unit's role set for the group, compatible with grade */
static int pick_role(struct gen *g, const struct demo_unit *u, int group, int *grade)
{
	int rs = 0;
	if (u->kind >= 0)
		rs = g->o->tpl->kinds[u->kind].role_set[group];
	if (rs == 0)
		rs = demo_default_role_set(group);
	const struct demo_role_set_info *set = &demo_role_sets[rs];
	size_t n = 0;
	while (n < DEMO_ROLE_SET_MAX && set->role[n] >= 0)
		n++;
	int role = set->role[demo_pick(&g->rp, set->weight, n)];
	const struct demo_role *ri = &demo_roles[role];
	if (*grade < ri->min_grade || *grade > ri->max_grade) {
		for (size_t i = 0; i < n; i++) {
			const struct demo_role *c = &demo_roles[set->role[i]];
			if (*grade >= c->min_grade && *grade <= c->max_grade)
				return set->role[i];
		}
		*grade = *grade < ri->min_grade ? ri->min_grade : ri->max_grade;
	}
	return role;
}

/* the occupation role of a doctor: role -1 means "the unit's specialty" */
#define ROLE_DOCTOR (-1)

static int32_t draw_hours(struct gen *g, int group, int grade)
{
	struct rng *r = &g->rp;
	if (grade == GR_CONS) {
		static const uint32_t w[7] = {55, 12, 8, 7, 8, 6, 4};
		static const int pa[7] = {10, 11, 12, 9, 8, 6, 4};
		return pa[demo_pick(r, w, 7)] * 400;
	}
	if (grade == GR_AS || grade == GR_SD) {
		static const uint32_t w[3] = {70, 15, 15};
		static const int pa[3] = {10, 8, 6};
		return pa[demo_pick(r, w, 3)] * 400;
	}
	if (GR_IS_RESIDENT(grade)) {
		static const uint32_t w[3] = {88, 8, 4};
		static const int32_t h[3] = {4000, 3200, 2400};
		return h[demo_pick(r, w, 3)];
	}
	if (grade == GR_VSM || rng_below(r, 100) < (uint32_t)demo_group_info[group].full_time_pct)
		return 3750;
	static const uint32_t w[11] = {25, 25, 12, 8, 8, 6, 5, 3, 3, 3, 2};
	static const int32_t h[11] = {3000, 2250, 1500, 3375, 2625, 1875,
	                              1125, 750,  2400, 2000, 1600};
	return h[demo_pick(r, w, 11)];
}

static int draw_afc_grade(struct gen *g, int group)
{
	return (int)demo_pick(&g->rp, demo_group_info[group].grade_weight, DEMO_GRADE_COUNT);
}

/* category and end date of a new current assignment */
static int draw_category(struct gen *g, int grade, int32_t *end)
{
	struct rng *r = &g->rp;
	*end = DEMO_NO_END;
	if (GR_IS_RESIDENT(grade))
		return CAT_FIXED_TERM; /* end set by resident_dates */
	if ((grade == GR_SD || grade == GR_AS) && chance_ppm(r, DEMO_LOCUM_PPM)) {
		*end = g->o->as_of_days + 30 * (1 + (int32_t)rng_below(r, 12));
		return CAT_LOCUM;
	}
	if (GR_IS_AFC(grade) && chance_ppm(r, DEMO_FIXED_TERM_PPM)) {
		*end = g->o->as_of_days + 30 * (3 + (int32_t)rng_below(r, 16));
		return CAT_FIXED_TERM;
	}
	return CAT_PERMANENT;
}

/* mark an assignment as a doctor's: occupation code from `occ`, else the
 * unit's specialty */
static void make_doctor(struct gen *g, int32_t ai, const char *occ)
{
	struct demo_assign *a = &g->o->assigns[ai];
	const char *spec = g->o->units[a->unit].specialty;
	a->role = -1;
	a->occ = occ ? occ : spec ? spec : DEMO_DEFAULT_SPECIALTY;
}

/* a new person in post at the snapshot, with one assignment */
static int32_t hire(struct gen *g, int32_t unit, int group, int grade, int role, int32_t hours,
                    int level, const struct demo_person *from_pool)
{
	struct demo_org *o = g->o;
	int32_t pi = new_person(g);
	struct demo_person *p = &o->persons[pi];
	if (from_pool) {
		uint32_t local = p->local;
		uint64_t national = from_pool->national;
		*p = *from_pool;
		p->local = local;
		p->national = national;
		p->nassign = 0;
	} else {
		demo_person_draw(&g->rp, p, group, grade, age_profile_of(group, grade),
		                 o->me_region_ppm, o->as_of);
	}
	if (level >= 3 || grade == GR_VSM) {
		/* board and senior leaders: the VSM/board share of minority-ethnic
		 * staff (redrawn so the share does not follow the staff group) */
		if (!from_pool && p->ethnic != DEMO_ETHNIC_Z && p->ethnic != DEMO_ETHNIC_99) {
			int64_t ch =
			    me_chance(group, level >= 4 ? GR_VSM : grade, o->me_region_ppm);
			if (chance_ppm(&g->rp, ch))
				p->ethnic = (uint8_t)demo_pick(
				    &g->rp, demo_ethnic_minority_other_weight, DEMO_ETHNIC_COUNT);
			else
				p->ethnic = (uint8_t)demo_pick(&g->rp, demo_ethnic_white_weight,
				                               DEMO_ETHNIC_COUNT);
		}
	}
	int32_t start, end;
	int category;
	if (GR_IS_RESIDENT(grade)) {
		category = CAT_FIXED_TERM;
		resident_dates(g, grade, &start, &end);
	} else {
		category = draw_category(g, grade, &end);
		start = 0; /* after qualification is known */
	}
	int prof = role == ROLE_DOCTOR ? PR_MEDICINE : demo_roles[role].profession;
	if (!from_pool)
		person_qualify(g, p, prof, grade, start);
	else
		p->profession = (uint8_t)prof;
	if (!GR_IS_RESIDENT(grade))
		start = draw_start(g, p, group, grade, o->as_of_days);
	int r = role == ROLE_DOCTOR ? 0 : role;
	int32_t ai = add_assign(g, pi, unit, r, grade, hours, category, level, start, end);
	if (role == ROLE_DOCTOR)
		make_doctor(g, ai, NULL);
	return ai;
}

/* ---- structure ---- */

static void add_unit(struct gen *g, int kind, int division, int setting, const char *name,
                     const char *specialty, int *div_seq, int *ward_seq, int *team_seq)
{
	struct demo_org *o = g->o;
	o->units = grow(o->units, &o->units_alloc, o->nunits + 1, sizeof *o->units);
	struct demo_unit *u = &o->units[o->nunits++];
	memset(u, 0, sizeof *u);
	u->kind = (int16_t)kind;
	u->division = (uint8_t)division;
	u->setting = (uint8_t)setting;
	u->specialty = specialty;
	u->leader = -1;
	u->manager = -1;
	(void)snprintf(u->cc, sizeof u->cc, "%s%d%03d", o->row->code, division + 1,
	               ++div_seq[division]);
	if (demo_setting_is_ward(setting))
		(void)snprintf(u->ward, sizeof u->ward, "W%03d", ++*ward_seq);
	else
		(void)snprintf(u->ward, sizeof u->ward, "T%03d", ++*team_seq);
	(void)snprintf(u->name, sizeof u->name, "%s", name);
	u->sick_factor =
	    demo_setting_is_ward(setting) ? 600 + (int32_t)rng_below(&g->rs, 901) : 1000;
}

static void build_units(struct gen *g)
{
	struct demo_org *o = g->o;
	const struct demo_template *t = o->tpl;
	int64_t fte = o->row->fte_x100 / 100;
	int div_seq[8] = {0};
	int ward_seq = 0, team_seq = 0;
	int ndiv = 0;
	while (ndiv < 8 && t->divisions[ndiv])
		ndiv++;
	o->ndivisions = ndiv;
	int mgmt_kind = -1;
	bool has_units[8] = {false};
	for (size_t k = 0; k < t->kind_count; k++) {
		const struct demo_kind *kd = &t->kinds[k];
		if (kd->management) {
			mgmt_kind = (int)k;
			continue;
		}
		if (fte < kd->min_org_fte)
			continue;
		int64_t count = kd->per_fte ? demo_div_round(fte, kd->per_fte) : kd->min;
		if (count < kd->min)
			count = kd->min;
		if (count > kd->max)
			count = kd->max;
		if (fte < 1000 && count > 1)
			count = 1;
		size_t nnames = 0;
		while (nnames < DEMO_KIND_NAMES && kd->names[nnames])
			nnames++;
		if (nnames == 0)
			continue;
		for (int64_t i = 0; i < count; i++) {
			char name[80];
			const char *base = kd->names[i % (int64_t)nnames];
			int64_t round = i / (int64_t)nnames;
			if (nnames == 1 && count > 1)
				(void)snprintf(name, sizeof name, "%s %d", base, (int)(i + 1));
			else if (round > 0)
				(void)snprintf(name, sizeof name, "%s %d", base, (int)(round + 1));
			else
				(void)snprintf(name, sizeof name, "%s", base);
			const char *spec =
			    kd->specialty[0] ? kd->specialty[i % (int64_t)nnames] : NULL;
			if (kd->specialty[0] && !spec)
				spec = kd->specialty[0];
			add_unit(g, (int)k, kd->division, kd->setting, name, spec, div_seq,
			         &ward_seq, &team_seq);
			has_units[kd->division] = true;
			if (kd->bank)
				o->bank_unit = (int32_t)(o->nunits - 1);
		}
	}
	for (int d = 0; d < 8; d++)
		g->mgmt[d] = -1;
	if (fte >= 1000 && mgmt_kind >= 0) {
		for (int d = 0; d < ndiv - 1; d++) {
			if (!has_units[d])
				continue;
			char name[80];
			(void)snprintf(name, sizeof name, "%s Management", t->divisions[d]);
			add_unit(g, mgmt_kind, d, ST_CORPORATE, name, NULL, div_seq, &ward_seq,
			         &team_seq);
			g->mgmt[d] = (int32_t)(o->nunits - 1);
		}
	}
	/* the organisation's own effects */
	int32_t org_effect = (int32_t)rng_below(&g->rs, 40001) - 20000;
	for (int grp = 0; grp < DEMO_GROUP_COUNT; grp++)
		o->vacancy_offset_ppm[grp] = org_effect + (int32_t)rng_below(&g->rs, 20001) - 10000;
}

/* ---- budgets ---- */

static void set_budgets(struct gen *g)
{
	struct demo_org *o = g->o;
	int64_t total = o->row->fte_x100 * 100;
	int64_t given = 0;
	int last = 0;
	for (int grp = 0; grp < DEMO_GROUP_COUNT; grp++) {
		int64_t b = total * demo_mix_ppm[o->row->type][grp] / 1000000;
		if (grp == DG_DOC) {
			const int32_t *w = o->tpl->doc_grade_weight;
			int64_t sum = 0, done = 0;
			for (int gr = GR_CONS; gr <= GR_FY2; gr++)
				sum += w[gr];
			int lastgr = GR_CONS;
			for (int gr = GR_CONS; gr <= GR_FY2; gr++) {
				int64_t v = sum ? b * w[gr] / sum : 0;
				g->budget[slot_of(DG_DOC, gr)] = v;
				done += v;
				if (w[gr])
					lastgr = gr;
			}
			g->budget[slot_of(DG_DOC, lastgr)] += b - done;
		} else {
			g->budget[grp] = b;
		}
		given += b;
		if (b > 0 && grp != DG_DOC)
			last = grp;
	}
	g->budget[last] += total - given; /* rounding: the total is exact */
}

/* ---- roles: executives, divisions, unit leaders ---- */

static int32_t role_person(struct gen *g, int32_t unit, int group, int grade, int role,
                           int32_t hours, int level, int32_t manager)
{
	int32_t ai = hire(g, unit, group, grade, role, hours, level, NULL);
	struct demo_assign *a = &g->o->assigns[ai];
	a->manager = manager;
	if (a->category != CAT_BANK && a->category != CAT_HONORARY)
		g->used[slot_of(group, grade)] += a->fte_x10000;
	return a->person;
}

static int32_t exec_of(struct gen *g, int rep)
{
	int32_t p = -1;
	switch (rep) {
	case REP_FINANCE: p = g->exec[EX_FINANCE]; break;
	case REP_PEOPLE:
		p = g->exec[EX_PEOPLE] >= 0 ? g->exec[EX_PEOPLE] : g->exec[EX_FINANCE];
		break;
	case REP_OPERATIONS: p = g->exec[EX_OPERATIONS]; break;
	case REP_NURSING: p = g->exec[EX_NURSE]; break;
	case REP_MEDICAL: p = g->exec[EX_MEDICAL]; break;
	default: break;
	}
	return p >= 0 ? p : g->exec[EX_CEO];
}

/* the executive office (every template has one) */
static int32_t exec_unit_of(const struct gen *g)
{
	for (size_t u = 0; u < g->o->nunits; u++) {
		int k = g->o->units[u].kind;
		if (k >= 0 && g->o->tpl->kinds[k].exec)
			return (int32_t)u;
	}
	return 0;
}

static bool unit_nurse_led(const struct gen *g, const struct demo_unit *u)
{
	if (u->kind < 0)
		return false;
	const struct demo_kind *k = &g->o->tpl->kinds[u->kind];
	return !k->management && (k->leader_group == DG_NURSE || k->leader_group == DG_MIDWIFE) &&
	       k->reports == REP_DIVISION;
}

static void make_roles(struct gen *g)
{
	struct demo_org *o = g->o;
	int64_t fte = o->row->fte_x100 / 100;
	int32_t exec_unit = exec_unit_of(g);
	for (int i = 0; i < EX_COUNT; i++)
		g->exec[i] = -1;
	/* the executive team: a chief executive, a finance director, and with
	 * size the other directors; the medical director is a consultant and
	 * the chief nurse a nurse (clinicians in leadership posts) */
	g->exec[EX_CEO] = role_person(g, exec_unit, DG_SENIOR_MGR, GR_VSM, 37, 3750, 4, -1);
	int32_t ceo = g->exec[EX_CEO];
	g->exec[EX_FINANCE] = role_person(g, exec_unit, DG_SENIOR_MGR, GR_VSM, 37, 3750, 4, ceo);
	if (g->budget[DG_NURSE] >= 5 * FTE_ONE)
		g->exec[EX_NURSE] = role_person(g, exec_unit, DG_NURSE, GR_VSM, 6, 3750, 4, ceo);
	if (g->budget[slot_of(DG_DOC, GR_CONS)] >= 2 * FTE_ONE) {
		int32_t ai = hire(g, exec_unit, DG_DOC, GR_CONS, ROLE_DOCTOR, 4000, 4, NULL);
		o->assigns[ai].manager = ceo;
		g->used[slot_of(DG_DOC, GR_CONS)] += o->assigns[ai].fte_x10000;
		g->exec[EX_MEDICAL] = o->assigns[ai].person;
	}
	if (fte >= 1000) {
		g->exec[EX_OPERATIONS] =
		    role_person(g, exec_unit, DG_SENIOR_MGR, GR_VSM, 37, 3750, 4, ceo);
		g->exec[EX_PEOPLE] =
		    role_person(g, exec_unit, DG_SENIOR_MGR, GR_VSM, 37, 3750, 4, ceo);
	}
	if (fte >= 4000)
		g->exec[EX_STRATEGY] =
		    role_person(g, exec_unit, DG_SENIOR_MGR, GR_VSM, 37, 3750, 4, ceo);
	if (fte >= 6000)
		g->exec[EX_DIGITAL] =
		    role_person(g, exec_unit, DG_SENIOR_MGR, GR_VSM, 37, 3750, 4, ceo);
	o->units[exec_unit].leader = ceo;

	/* divisions */
	for (int d = 0; d < 8; d++) {
		g->div_director[d] = g->div_nursing[d] = g->div_cd[d] = -1;
		g->matron_first[d] = g->matron_count[d] = g->matron_next[d] = 0;
	}
	for (int d = 0; d < o->ndivisions; d++) {
		int32_t mu = g->mgmt[d];
		if (mu < 0)
			continue;
		g->div_director[d] = role_person(g, mu, DG_SENIOR_MGR, GR_AFC8D, 37, 3750, 3,
		                                 exec_of(g, REP_OPERATIONS));
		o->units[mu].leader = g->div_director[d];
		o->units[mu].manager = exec_of(g, REP_OPERATIONS);
		int nurse_units = 0;
		bool maternity = false;
		for (size_t u = 0; u < o->nunits; u++) {
			const struct demo_unit *un = &o->units[u];
			if (un->division != d || !unit_nurse_led(g, un))
				continue;
			nurse_units++;
			if (o->tpl->kinds[un->kind].leader_group == DG_MIDWIFE)
				maternity = true;
		}
		if (nurse_units >= 2) {
			int grp = maternity && g->budget[DG_MIDWIFE] > 10 * FTE_ONE ? DG_MIDWIFE
			                                                            : DG_NURSE;
			g->div_nursing[d] =
			    role_person(g, mu, grp, GR_AFC8C, grp == DG_NURSE ? 6 : 7, 3750, 3,
			                exec_of(g, REP_NURSING));
			int n = nurse_units / 5 ? nurse_units / 5 : 1;
			g->matron_first[d] = (int32_t)o->npersons;
			for (int i = 0; i < n; i++)
				role_person(g, mu, DG_NURSE, GR_AFC8A, 6, 3750, 2,
				            g->div_nursing[d]);
			g->matron_count[d] = n;
		}
	}

	/* unit leaders */
	for (size_t u = 0; u < o->nunits; u++) {
		struct demo_unit *un = &o->units[u];
		if (un->kind < 0 || un->leader >= 0)
			continue;
		const struct demo_kind *k = &o->tpl->kinds[un->kind];
		if (k->management || k->exec)
			continue;
		int grp = k->leader_group;
		int grade = k->leader_grade;
		int s = slot_of(grp, grp == DG_DOC ? GR_CONS : grade);
		if (grp == DG_DOC)
			grade = GR_CONS;
		if (g->budget[s] - g->used[s] < FTE_ONE)
			continue; /* this organisation has too few of the group */
		int32_t manager;
		int d = un->division;
		if (k->reports != REP_DIVISION) {
			manager = exec_of(g, k->reports);
		} else if (unit_nurse_led(g, un) && g->matron_count[d] > 0) {
			manager = g->matron_first[d] + g->matron_next[d]++ % g->matron_count[d];
		} else if (grp == DG_DOC && g->div_cd[d] >= 0) {
			manager = g->div_cd[d];
		} else if (grp == DG_DOC) {
			manager = exec_of(g, REP_MEDICAL);
		} else if (g->div_director[d] >= 0) {
			manager = g->div_director[d];
		} else {
			manager = exec_of(g, REP_OPERATIONS);
		}
		int role;
		int32_t hours = 3750;
		if (grp == DG_DOC) {
			role = ROLE_DOCTOR;
			hours = 4000;
		} else {
			role = pick_role(g, un, grp, &grade);
		}
		int32_t ai = hire(g, (int32_t)u, grp, grade, role, hours, k->leader_level, NULL);
		struct demo_assign *a = &o->assigns[ai];
		a->manager = manager;
		g->used[s] += a->fte_x10000;
		un->leader = a->person;
		un->manager = manager;
		/* the first clinical lead of a division with a management unit is
		 * also its clinical director: 2 PAs in the management unit */
		if (grp == DG_DOC && g->mgmt[d] >= 0 && g->div_cd[d] < 0) {
			a->hours_x100 = 3200;
			a->fte_x10000 = 8000;
			a->manager = exec_of(g, REP_MEDICAL);
			g->used[s] -= 2000;
			int32_t person = a->person, start = a->start;
			const char *occ = a->occ;
			int32_t cd = add_assign(g, person, g->mgmt[d], 0, GR_CONS, 800,
			                        CAT_PERMANENT, 3, start, DEMO_NO_END);
			make_doctor(g, cd, occ);
			o->assigns[cd].manager = exec_of(g, REP_MEDICAL);
			g->used[s] += o->assigns[cd].fte_x10000;
			g->div_cd[d] = person;
			un->manager = exec_of(g, REP_MEDICAL);
		}
	}
}

/* ---- the fill ---- */

static void distribute(struct gen *g)
{
	struct demo_org *o = g->o;
	int64_t residual[NSLOT];
	int64_t deficit = 0, positive = 0;
	for (int s = 0; s < NSLOT; s++) {
		residual[s] = g->budget[s] - g->used[s];
		if (residual[s] < 0) {
			deficit += -residual[s];
			residual[s] = 0;
		}
		positive += residual[s];
	}
	/* roles took more of some group than its share: take it from the others
	 * in proportion, so the organisation's total stays on target */
	if (deficit > 0 && positive > 0) {
		int64_t left = deficit;
		for (int s = 0; s < NSLOT && left > 0; s++) {
			int64_t cut = residual[s] * deficit / positive;
			if (cut > left)
				cut = left;
			residual[s] -= cut;
			left -= cut;
		}
		for (int s = 0; s < NSLOT && left > 0; s++) {
			int64_t cut = residual[s] < left ? residual[s] : left;
			residual[s] -= cut;
			left -= cut;
		}
	}
	/* each unit's random size factor */
	int32_t *factor = xcalloc(o->nunits, sizeof *factor);
	for (size_t u = 0; u < o->nunits; u++)
		factor[u] = 80 + (int32_t)rng_below(&g->rs, 41);
	g->alloc = xcalloc(o->nunits * NSLOT, sizeof *g->alloc);
	for (int s = 0; s < NSLOT; s++) {
		int grp = slot_group(s);
		if (residual[s] == 0)
			continue;
		int64_t sum = 0;
		for (size_t u = 0; u < o->nunits; u++) {
			int k = o->units[u].kind;
			if (k >= 0)
				sum += (int64_t)o->tpl->kinds[k].weight[grp] * factor[u];
		}
		if (sum == 0) {
			/* no unit kind takes this group here: the first management
			 * unit, else the executive office */
			int32_t fb = exec_unit_of(g);
			for (int d = 0; d < o->ndivisions; d++)
				if (g->mgmt[d] >= 0) {
					fb = g->mgmt[d];
					break;
				}
			g->alloc[(size_t)fb * NSLOT + (size_t)s] = residual[s];
			continue;
		}
		int64_t given = 0;
		size_t last = 0;
		for (size_t u = 0; u < o->nunits; u++) {
			int k = o->units[u].kind;
			if (k < 0)
				continue;
			int64_t w = (int64_t)o->tpl->kinds[k].weight[grp] * factor[u];
			if (!w)
				continue;
			int64_t v = residual[s] * w / sum;
			g->alloc[u * NSLOT + (size_t)s] = v;
			given += v;
			last = u;
		}
		g->alloc[last * NSLOT + (size_t)s] += residual[s] - given;
	}
	free(factor);
}

static void open_push(struct gen *g, int s, int32_t assign)
{
	if (g->nopen[s] >= g->open_cap)
		return;
	g->open[(size_t)s * g->open_cap + g->nopen[s]++] = assign;
}

static int32_t open_pop(struct gen *g, int s, int32_t unit)
{
	while (g->nopen[s] > 0) {
		int32_t ai = g->open[(size_t)s * g->open_cap + --g->nopen[s]];
		const struct demo_assign *a = &g->o->assigns[ai];
		if (a->unit != unit && g->o->persons[a->person].nassign == 1)
			return ai;
	}
	return -1;
}

/* the role of a cross-employer person, the same at both employers so the
 * person's profession agrees: adult nurse, healthcare assistant, doctor */
static int pool_role(int kind)
{
	return kind == 0 ? 0 : kind == 1 ? 23 : ROLE_DOCTOR;
}

/* pending pool persons (home here) for a slot, in pool order */
static const struct demo_person *pool_next(struct gen *g, int s, size_t *cursor, int *grade)
{
	const struct demo_pool *pool = g->pool;
	if (!pool)
		return NULL;
	while (*cursor < pool->n) {
		const struct demo_pool_person *pp = &pool->v[(*cursor)++];
		if (pp->home != g->o->index)
			continue;
		int want = pp->kind == 0 ? DG_NURSE : pp->kind == 1 ? DG_SUP_DNM : -1;
		int ps = want >= 0 ? want : slot_of(DG_DOC, GR_CONS);
		if (ps != s)
			continue;
		*grade = pp->grade;
		return &pp->p;
	}
	return NULL;
}

static void fill(struct gen *g)
{
	struct demo_org *o = g->o;
	int64_t carry[NSLOT] = {0};
	size_t pool_cursor[NSLOT] = {0};
	g->open_cap = 4096;
	g->open = xcalloc((size_t)NSLOT * g->open_cap, sizeof *g->open);
	for (int s = 0; s < NSLOT; s++)
		g->last_assign[s] = -1;
	g->cons_first = xcalloc(o->nunits, sizeof *g->cons_first);
	g->cons_count = xcalloc(o->nunits, sizeof *g->cons_count);
	g->cons_next = xcalloc(o->nunits, sizeof *g->cons_next);
	size_t nunits = o->nunits;
	for (size_t u = 0; u < nunits; u++) {
		for (int s = 0; s < NSLOT; s++) {
			int64_t f = g->alloc[u * NSLOT + (size_t)s];
			if (f == 0 && carry[s] == 0)
				continue;
			if (f == 0)
				continue; /* carry waits for a unit that takes the group */
			f += carry[s];
			carry[s] = 0;
			int grp = slot_group(s);
			int dgrade = slot_grade(s);
			if (dgrade == GR_CONS)
				g->cons_first[u] = (int32_t)o->nassigns;
			while (f >= MIN_CHUNK) {
				struct demo_unit *un = &o->units[u];
				int grade = dgrade >= 0 ? dgrade : draw_afc_grade(g, grp);
				const struct demo_person *pp =
				    pool_next(g, s, &pool_cursor[s], &grade);
				/* a part-timer from another unit takes a second post */
				int32_t second = -1;
				if (!pp && dgrade < 0 && chance_ppm(&g->rp, DEMO_MULTI_POST_PPM))
					second = open_pop(g, s, (int32_t)u);
				int32_t hours;
				int32_t ai;
				if (second >= 0) {
					const struct demo_assign *first = &o->assigns[second];
					int32_t room = 3750 - first->hours_x100;
					hours = draw_hours(g, grp, first->grade);
					if (hours > room)
						hours = room;
					grade = first->grade;
					int role = first->role;
					int32_t cap =
					    (int32_t)(f * demo_grades[grade].std_hours_x100 /
					              FTE_ONE / 25 * 25);
					if (hours > cap)
						hours = cap;
					if (hours < 375)
						break;
					int32_t end;
					int cat = draw_category(g, grade, &end);
					int32_t start = draw_start(g, &o->persons[first->person],
					                           grp, grade, o->as_of_days);
					if (start < first->start)
						start = first->start;
					ai = add_assign(g, first->person, (int32_t)u, role, grade,
					                hours, cat, 0, start, end);
				} else {
					int role = dgrade >= 0 ? ROLE_DOCTOR
					                       : pick_role(g, un, grp, &grade);
					if (pp)
						role = pool_role(grp == DG_NURSE     ? 0
						                 : grp == DG_SUP_DNM ? 1
						                                     : 2);
					hours = draw_hours(g, grp, grade);
					int32_t cap =
					    (int32_t)(f * demo_grades[grade].std_hours_x100 /
					              FTE_ONE / 25 * 25);
					if (hours > cap)
						hours = cap;
					if (hours < 375)
						break;
					ai = hire(g, (int32_t)u, grp, grade, role, hours, 0, pp);
					if (dgrade < 0 && hours <= 2250)
						open_push(g, s, ai);
				}
				struct demo_assign *a = &o->assigns[ai];
				/* the line manager: a consultant of the unit for resident
				 * doctors, else the unit's leader, else the division */
				if (GR_IS_RESIDENT(grade) && g->cons_count[u] > 0) {
					int32_t k =
					    g->cons_first[u] + g->cons_next[u]++ % g->cons_count[u];
					a->manager = o->assigns[k].person;
				} else if (un->leader >= 0 && un->leader != a->person) {
					a->manager = un->leader;
				} else if (g->div_director[un->division] >= 0) {
					a->manager = g->div_director[un->division];
				} else {
					a->manager = g->exec[EX_CEO];
				}
				f -= a->fte_x10000;
				g->last_assign[s] = ai;
			}
			if (dgrade == GR_CONS)
				g->cons_count[u] = (int32_t)o->nassigns - g->cons_first[u];
			carry[s] = f;
		}
	}
	/* what no unit could take in whole chunks: top up the slot's last post */
	for (int s = 0; s < NSLOT; s++) {
		if (carry[s] <= 0 || g->last_assign[s] < 0)
			continue;
		struct demo_assign *a = &o->assigns[g->last_assign[s]];
		int32_t std = demo_grades[a->grade].std_hours_x100;
		int32_t extra = (int32_t)(carry[s] * std / FTE_ONE / 25 * 25);
		if (extra > 0 && a->hours_x100 + extra <= std) {
			a->hours_x100 += extra;
			a->fte_x10000 =
			    (int32_t)demo_div_round((int64_t)a->hours_x100 * FTE_ONE, std);
		}
	}
}

/* ---- leavers, bank, honorary ---- */

static int32_t window_start(const struct demo_org *o)
{
	return date_day(date_month_first(o->first_month));
}

static void leavers(struct gen *g)
{
	struct demo_org *o = g->o;
	size_t nunits = o->nunits;
	int32_t *count = xcalloc(nunits * NSLOT, sizeof *count);
	int32_t *joined = xcalloc(nunits * NSLOT, sizeof *joined);
	int32_t w0 = window_start(o);
	int32_t w1 = o->as_of_days;
	size_t n = o->nassigns;
	for (size_t i = 0; i < n; i++) {
		const struct demo_assign *a = &o->assigns[i];
		if (a->category == CAT_BANK || a->category == CAT_HONORARY || a->nth != 1)
			continue;
		int grp = a->role >= 0 ? demo_roles[a->role].group : DG_DOC;
		if (a->grade == GR_VSM)
			continue;
		size_t k = (size_t)a->unit * NSLOT + (size_t)slot_of(grp, a->grade);
		count[k]++;
		joined[k] += a->start >= w0;
	}
	for (size_t u = 0; u < nunits; u++) {
		for (int s = 0; s < NSLOT; s++) {
			int32_t c = count[u * NSLOT + (size_t)s];
			if (!c)
				continue;
			int grp = slot_group(s);
			int dgrade = slot_grade(s);
			if (dgrade >= 0 && GR_IS_RESIDENT(dgrade))
				continue; /* rotations: below */
			/* the published leaver rate (leaving the NHS) is the floor; a
			 * trust also loses staff to other NHS employers, so leavers
			 * make up the year's joiners less the assumed growth */
			int64_t k = round_random(
			    &g->rp, (int64_t)c * leaver_ppm(grp, dgrade >= 0 ? dgrade : 0),
			    1000000);
			int64_t churn =
			    joined[u * NSLOT + (size_t)s] -
			    round_random(&g->rp, (int64_t)c * DEMO_GROWTH_PPM_PER_YEAR, 1000000);
			if (churn > k)
				k = churn;
			for (int64_t i = 0; i < k; i++) {
				struct demo_unit *un = &o->units[u];
				int grade = dgrade >= 0 ? dgrade : draw_afc_grade(g, grp);
				int role =
				    dgrade >= 0 ? ROLE_DOCTOR : pick_role(g, un, grp, &grade);
				int32_t hours = draw_hours(g, grp, grade);
				int32_t pi = new_person(g);
				struct demo_person *p = &o->persons[pi];
				demo_person_draw(&g->rp, p, grp, grade, age_profile_of(grp, grade),
				                 o->me_region_ppm, o->as_of);
				int32_t end, start;
				int cat = CAT_PERMANENT;
				int reason;
				end = w0 + (int32_t)rng_below(&g->rp, (uint32_t)(w1 - w0 + 1));
				int prof =
				    role == ROLE_DOCTOR ? PR_MEDICINE : demo_roles[role].profession;
				person_qualify(g, p, prof, grade, end);
				start = draw_start(g, p, grp, grade, end);
				int age = date_from_days(end).y - p->birth_year;
				if (GR_IS_AFC(grade) &&
				    chance_ppm(&g->rp, (int64_t)DEMO_FIXED_TERM_PPM * 3)) {
					cat = CAT_FIXED_TERM;
					reason = LR_END_FIXED_TERM;
				} else {
					reason =
					    (int)demo_pick(&g->rp,
					                   age >= 55 ? demo_leave_weight_55plus
					                             : demo_leave_weight_under55,
					                   DEMO_LEAVE_REASON_COUNT);
				}
				if (start > end)
					start = end;
				int32_t ai =
				    add_assign(g, pi, (int32_t)u, role == ROLE_DOCTOR ? 0 : role,
				               grade, hours, cat, 0, start, end);
				if (role == ROLE_DOCTOR)
					make_doctor(g, ai, NULL);
				struct demo_assign *a = &o->assigns[ai];
				a->reason = (uint8_t)reason;
				a->manager = un->leader >= 0 ? un->leader : g->exec[EX_CEO];
			}
		}
	}
	free(count);
	free(joined);
	/* resident doctors rotate: every post a resident took up inside the
	 * window had a predecessor whose assignment ended the day before */
	for (size_t i = 0; i < n; i++) {
		const struct demo_assign *cur = &o->assigns[i];
		if (!GR_IS_RESIDENT(cur->grade) || cur->category != CAT_FIXED_TERM ||
		    cur->start < w0 || cur->start > w1)
			continue;
		int grade = cur->grade;
		int32_t unit = cur->unit, end = cur->start - 1, hours = cur->hours_x100;
		struct date sd = date_from_days(cur->start);
		int back = grade == GR_STR ? 1 + (int)rng_below(&g->rp, 3) : 1;
		int32_t start = first_wednesday(sd.y - back, sd.m);
		int32_t pi = new_person(g);
		struct demo_person *p = &o->persons[pi];
		demo_person_draw(&g->rp, p, DG_DOC, grade, age_profile_of(DG_DOC, grade),
		                 o->me_region_ppm, o->as_of);
		person_qualify(g, p, PR_MEDICINE, grade, start);
		int32_t ai =
		    add_assign(g, pi, unit, 0, grade, hours, CAT_FIXED_TERM, 0, start, end);
		make_doctor(g, ai, NULL);
		struct demo_assign *a = &o->assigns[ai];
		a->reason = LR_END_ROTATION;
		a->manager = o->assigns[i].manager;
	}
}

static void bank_and_honorary(struct gen *g)
{
	struct demo_org *o = g->o;
	int32_t bu = o->bank_unit;
	int32_t bank_leader = bu >= 0 ? o->units[bu].leader : -1;
	if (bank_leader < 0)
		bank_leader = g->exec[EX_CEO];
	size_t n = o->nassigns;
	int32_t headcount[NSLOT] = {0};
	int32_t consultants = 0;
	if (bu >= 0) {
		for (size_t i = 0; i < n; i++) {
			const struct demo_assign *a = &o->assigns[i];
			if (a->nth != 1 || a->end != DEMO_NO_END || a->category != CAT_PERMANENT ||
			    a->grade == GR_VSM)
				continue;
			int grp = a->role >= 0 ? demo_roles[a->role].group : DG_DOC;
			int s = slot_of(grp, a->grade);
			headcount[s]++;
			if (a->grade == GR_CONS)
				consultants++;
			if (!chance_ppm(&g->rp,
			                (int64_t)demo_group_info[grp].bank_holder_pct * 10000))
				continue;
			int32_t span = o->as_of_days - a->start;
			int32_t start =
			    a->start + (span > 0 ? (int32_t)rng_below(&g->rp, (uint32_t)span) : 0);
			int16_t role = a->role;
			const char *occ = a->occ;
			int32_t bi = add_assign(g, a->person, bu, role >= 0 ? role : 0, a->grade, 0,
			                        CAT_BANK, 0, start, DEMO_NO_END);
			if (role < 0)
				make_doctor(g, bi, occ);
			o->assigns[bi].manager = bank_leader;
		}
		/* bank-only workers */
		for (int s = 0; s < NSLOT; s++) {
			int grp = slot_group(s);
			int dgrade = slot_grade(s);
			int64_t k = round_random(
			    &g->rp, (int64_t)headcount[s] * demo_group_info[grp].bank_only_pct,
			    100);
			for (int64_t i = 0; i < k; i++) {
				int grade = dgrade >= 0 ? dgrade : draw_afc_grade(g, grp);
				int role = dgrade >= 0 ? ROLE_DOCTOR
				                       : pick_role(g, &o->units[bu], grp, &grade);
				int32_t ai = hire(g, bu, grp, grade, role, 0, 0, NULL);
				struct demo_assign *a = &o->assigns[ai];
				a->category = CAT_BANK;
				a->hours_x100 = 0;
				a->fte_x10000 = 0;
				a->end = DEMO_NO_END;
				a->manager = bank_leader;
				a->stage = 0;
			}
		}
	}
	/* cross-employer persons whose other employer is this one */
	int32_t med_unit = -1;
	for (size_t u = 0; u < o->nunits && med_unit < 0; u++)
		if (o->units[u].setting == ST_MEDICAL_STAFFING)
			med_unit = (int32_t)u;
	if (g->pool) {
		for (size_t i = 0; i < g->pool->n; i++) {
			const struct demo_pool_person *pp = &g->pool->v[i];
			if (pp->other != o->index)
				continue;
			bool honorary = pp->kind == 2;
			int32_t unit = honorary && med_unit >= 0 ? med_unit : bu;
			if (unit < 0)
				continue;
			int32_t pi = new_person(g);
			struct demo_person *p = &o->persons[pi];
			uint32_t local = p->local;
			*p = pp->p;
			p->local = local;
			p->nassign = 0;
			int grade = pp->grade;
			int role = pool_role(pp->kind);
			int32_t start = o->as_of_days - 30 * (1 + (int32_t)rng_below(&g->rp, 48));
			int32_t ai =
			    add_assign(g, pi, unit, role >= 0 ? role : 0, grade, 0,
			               honorary ? CAT_HONORARY : CAT_BANK, 0, start, DEMO_NO_END);
			if (honorary)
				make_doctor(g, ai, NULL);
			struct demo_assign *a = &o->assigns[ai];
			int32_t lead = o->units[unit].leader;
			a->manager = lead >= 0 ? lead : g->exec[EX_CEO];
		}
	}
	/* honorary consultants (clinical academics) in acute trusts */
	if (o->row->type == DEMO_ORG_ACUTE && med_unit >= 0) {
		int64_t k =
		    round_random(&g->rp, (int64_t)consultants * DEMO_HONORARY_CONS_PPM, 1000000);
		int32_t nmed = 0;
		for (size_t u = 0; u < o->nunits; u++)
			if (o->units[u].setting == ST_MEDICAL_STAFFING)
				nmed++;
		for (int64_t i = 0; i < k; i++) {
			int32_t pick = (int32_t)rng_below(&g->rp, (uint32_t)nmed);
			int32_t unit = -1;
			for (size_t u = 0; u < o->nunits; u++)
				if (o->units[u].setting == ST_MEDICAL_STAFFING && pick-- == 0) {
					unit = (int32_t)u;
					break;
				}
			int32_t ai = hire(g, unit, DG_DOC, GR_CONS, ROLE_DOCTOR, 0, 0, NULL);
			struct demo_assign *a = &o->assigns[ai];
			a->category = CAT_HONORARY;
			a->hours_x100 = 0;
			a->fte_x10000 = 0;
			a->end = DEMO_NO_END;
			int32_t lead = o->units[unit].leader;
			a->manager = lead >= 0                  ? lead
			             : g->exec[EX_MEDICAL] >= 0 ? g->exec[EX_MEDICAL]
			                                        : g->exec[EX_CEO];
		}
	}
}

/* ---- entry points ---- */

void demo_org_generate(struct demo_org *o, const struct demo_pool *pool)
{
	struct gen g;
	memset(&g, 0, sizeof g);
	g.o = o;
	g.pool = pool;
	o->tpl = &demo_templates[o->row->type];
	o->as_of_days = date_day(o->as_of);
	o->first_month = date_month_add(date_month_of(o->as_of), -11);
	o->hist_first = date_month_add(date_month_of(o->as_of), -(DEMO_MAX_MONTHS - 1));
	o->bank_unit = -1;
	o->me_region_ppm = demo_region_me_ppm(o->row->region);
	uint64_t id = demo_org_code_id(o->row->code);
	rng_substream(&g.rs, o->seed, "org-structure", id);
	rng_substream(&g.rp, o->seed, "org-staff", id);
	build_units(&g);
	set_budgets(&g);
	make_roles(&g);
	distribute(&g);
	fill(&g);
	leavers(&g);
	bank_and_honorary(&g);
	/* nobody manages themself: a unit leader's own bank or second post
	 * reports where their first post does */
	for (size_t i = 0; i < o->nassigns; i++) {
		struct demo_assign *a = &o->assigns[i];
		if (a->manager != a->person)
			continue;
		a->manager = g.exec[EX_CEO];
		for (size_t j = 0; j < o->nassigns; j++)
			if (o->assigns[j].person == a->person &&
			    o->assigns[j].manager != a->person) {
				a->manager = o->assigns[j].manager;
				break;
			}
	}
	free(g.alloc);
	free(g.open);
	free(g.cons_first);
	free(g.cons_count);
	free(g.cons_next);
}

void demo_org_free(struct demo_org *o)
{
	free(o->units);
	free(o->persons);
	free(o->assigns);
	o->units = NULL;
	o->persons = NULL;
	o->assigns = NULL;
	o->nunits = o->npersons = o->nassigns = 0;
}

/* ---- the ICS pool ---- */

void demo_pool_build(struct demo_pool *pool, uint64_t seed, int32_t icb_index, struct date as_of)
{
	pool->v = NULL;
	pool->n = 0;
	if (icb_index < 0 || (size_t)icb_index >= demo_ics_name_count)
		return;
	const char *icb = demo_ics_names[icb_index].code;
	struct rng r;
	rng_substream(&r, seed, "ics-pool", demo_org_code_id(icb));
	/* providers of the ICS, weighted by size; homes need 1,000 FTE */
	int32_t idx[64];
	uint32_t w[64], whome[64];
	size_t n = 0;
	int64_t total = 0;
	for (size_t i = 0; i < demo_org_row_count && n < 64; i++) {
		const struct demo_org_row *row = &demo_org_rows[i];
		if (strcmp(row->icb, icb) != 0 || row->type == DEMO_ORG_ICB)
			continue;
		idx[n] = (int32_t)i;
		w[n] = (uint32_t)(row->fte_x100 / 100);
		whome[n] = row->fte_x100 >= 100000 && row->type != DEMO_ORG_AMBULANCE ? w[n] : 0;
		total += row->fte_x100 / 100;
		n++;
	}
	if (n < 2)
		return;
	size_t count = (size_t)(total / DEMO_POOL_FTE_PER_PERSON);
	pool->v = xcalloc(count ? count : 1, sizeof *pool->v);
	for (size_t k = 0; k < count; k++) {
		uint32_t h = demo_pick(&r, whome, n);
		if (whome[h] == 0)
			break;
		uint32_t save = w[h];
		w[h] = 0;
		uint32_t o2 = demo_pick(&r, w, n);
		w[h] = save;
		if (o2 == h)
			continue;
		struct demo_pool_person *pp = &pool->v[pool->n];
		memset(pp, 0, sizeof *pp);
		pp->home = idx[h];
		pp->other = idx[o2];
		const struct demo_org_row *home = &demo_org_rows[idx[h]];
		const struct demo_org_row *other = &demo_org_rows[idx[o2]];
		static const uint32_t kw[3] = {60, 25, 15};
		pp->kind = (uint8_t)demo_pick(&r, kw, 3);
		bool acute_pair =
		    (home->type == DEMO_ORG_ACUTE || home->type == DEMO_ORG_MENTAL_HEALTH) &&
		    (other->type == DEMO_ORG_ACUTE || other->type == DEMO_ORG_MENTAL_HEALTH);
		if (pp->kind == 2 && !acute_pair)
			pp->kind = 0;
		int grp = pp->kind == 0 ? DG_NURSE : pp->kind == 1 ? DG_SUP_DNM : DG_DOC;
		pp->grade = (uint8_t)(pp->kind == 0   ? GR_AFC5 + (int)rng_below(&r, 2)
		                      : pp->kind == 1 ? GR_AFC2 + (int)rng_below(&r, 2)
		                                      : GR_CONS);
		demo_person_draw(&r, &pp->p, grp, pp->grade, age_profile_of(grp, pp->grade),
		                 demo_region_me_ppm(home->region), as_of);
		pp->p.national = (uint64_t)(400 + icb_index) * 100000 + pool->n + 1;
		/* qualification, as for staff: nurses at 21-24, doctors at 23-25 */
		int prof = pp->kind == 0 ? PR_NURSING_ADULT : pp->kind == 1 ? PR_NONE : PR_MEDICINE;
		pp->p.profession = (uint8_t)prof;
		if (prof != PR_NONE) {
			int q = pp->p.birth_year + (prof == PR_MEDICINE ? 23 : 21) +
			        (int)rng_below(&r, 4);
			pp->p.qual_year = (int16_t)(q > as_of.y ? as_of.y : q);
		}
		pool->n++;
	}
}

void demo_pool_free(struct demo_pool *pool)
{
	free(pool->v);
	pool->v = NULL;
	pool->n = 0;
}
