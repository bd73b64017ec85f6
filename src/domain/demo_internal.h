/* demo_internal: the demo generator's private types and tables, shared by
 * src/domain/demo*.c and its unit test; not part of the domain's interface.
 *
 * Design note.  Everything that decides output is integer arithmetic: FTE
 * is held in ten-thousandths (fte_x10000), hours in hundredths, money in
 * pence, probabilities in parts per million, and every random choice is an
 * rng_below/rng_weighted draw with integer weights.  No libm function
 * (log, exp, pow, sqrt of anything data-dependent) and no floating-point
 * accumulation is used, so the output is byte-identical on every machine.
 * Decimals are written by formatting integers (demo_out.c).
 *
 * Tables: demo_tables.c is generated from the CSV files in data/demo by
 * tools/demo-calibrate.py (published figures and what is derived from
 * them); demo_params.c holds the generator's own assumptions, each
 * documented in docs/demo.md. */
#ifndef CADRE_DOMAIN_DEMO_INTERNAL_H
#define CADRE_DOMAIN_DEMO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/err.h"
#include "base/rng.h"
#include "domain/demo.h"

/* ---- generated tables (demo_tables.c) ---- */

enum demo_org_type {
	DEMO_ORG_ACUTE,
	DEMO_ORG_MENTAL_HEALTH,
	DEMO_ORG_AMBULANCE,
	DEMO_ORG_COMMUNITY,
	DEMO_ORG_ICB,
	DEMO_ORG_TYPE_COUNT
};

/* The twelve published staff groups of the 2018 table (Unknown left out),
 * in the order of data/demo/staff-group-mix.csv. */
enum demo_group {
	DG_DOC,
	DG_NURSE,
	DG_MIDWIFE,
	DG_AMB,
	DG_STT,
	DG_SUP_DNM,
	DG_SUP_AMB,
	DG_SUP_STT,
	DG_CENTRAL,
	DG_HPE,
	DG_SENIOR_MGR,
	DG_MGR,
	DEMO_GROUP_COUNT
};

struct demo_org_row {
	const char *code;
	const char *name;
	const char *icb;
	const char *region;
	int64_t fte_x100;  /* target FTE in post, hundredths */
	int32_t type;      /* enum demo_org_type */
	int32_t sick_x100; /* 2024 sickness absence rate, hundredths of a per cent */
};

struct demo_name {
	const char *code;
	const char *name;
};

struct demo_source {
	const char *path;   /* relative to the repository root */
	const char *sha256; /* of the file the table was generated from */
};

struct demo_unit_cost {
	const char *grade;
	int64_t salary_pence;
	int64_t cost_pence; /* salary with employer on-costs */
};

extern const struct demo_source demo_sources[];
extern const size_t demo_source_count;
extern const struct demo_org_row demo_org_rows[];
extern const size_t demo_org_row_count;
extern const struct demo_name demo_ics_names[];
extern const size_t demo_ics_name_count;
extern const struct demo_name demo_region_names[];
extern const size_t demo_region_name_count;
extern const int32_t demo_mix_ppm[DEMO_ORG_TYPE_COUNT + 1][DEMO_GROUP_COUNT];
extern const int32_t demo_season_permille[12];
extern const struct demo_unit_cost demo_unit_costs[];
extern const size_t demo_unit_cost_count;

/* ---- grades, settings, roles (demo_params.c) ---- */

enum demo_grade {
	GR_AFC2,
	GR_AFC3,
	GR_AFC4,
	GR_AFC5,
	GR_AFC6,
	GR_AFC7,
	GR_AFC8A,
	GR_AFC8B,
	GR_AFC8C,
	GR_AFC8D,
	GR_AFC9,
	GR_CONS,
	GR_AS,
	GR_SD,
	GR_STR,
	GR_CT,
	GR_FY1,
	GR_FY2,
	GR_VSM,
	DEMO_GRADE_COUNT
};

#define GR_IS_AFC(g)      ((g) <= GR_AFC9)
#define GR_IS_MED(g)      ((g) >= GR_CONS && (g) <= GR_FY2)
#define GR_IS_RESIDENT(g) ((g) >= GR_STR && (g) <= GR_FY2)

struct demo_grade_info {
	const char *code;        /* band-level grade code: "AFC-5", "MED-CONS", "VSM" */
	const char *staff_group; /* NHS Digital leaf group for doctors ("DOC_CONS"), else NULL */
	int pay_points;          /* AfC pay points in 2024/25, 0 for others */
	int32_t std_hours_x100;  /* full-time weekly hours: 3750 AfC and VSM, 4000 medical */
	int32_t me_factor;       /* minority-ethnic factor for the grade, per cent (before
	                            normalising within the group) */
};
extern const struct demo_grade_info demo_grades[DEMO_GRADE_COUNT];

enum demo_setting {
	ST_ASSESSMENT,
	ST_ADULT_INPATIENT,
	ST_PAEDIATRIC_INPATIENT,
	ST_MATERNITY,
	ST_NEONATAL,
	ST_CRITICAL_CARE,
	ST_EMERGENCY,
	ST_THEATRES,
	ST_OUTPATIENTS,
	ST_MH_INPATIENT,
	ST_MH_COMMUNITY,
	ST_LD_INPATIENT,
	ST_COMMUNITY_INPATIENT,
	ST_COMMUNITY_SERVICES,
	ST_AMB_OPERATIONS,
	ST_AMB_CONTROL,
	ST_PATIENT_TRANSPORT,
	ST_MEDICAL_STAFFING,
	ST_CLINICAL_SUPPORT,
	ST_CORPORATE,
	ST_ESTATES,
	ST_COMMISSIONING,
	DEMO_SETTING_COUNT
};
extern const char *const demo_setting_codes[DEMO_SETTING_COUNT];
/* demo_setting_is_ward: the inpatient settings, which get ward codes and
 * ward-level sickness history. */
bool demo_setting_is_ward(int setting);

enum demo_profession {
	PR_NONE,
	PR_MEDICINE,
	PR_NURSING_ADULT,
	PR_NURSING_CHILDREN,
	PR_NURSING_MH,
	PR_NURSING_LD,
	PR_MIDWIFERY,
	PR_NURSING_ASSOCIATE,
	PR_PARAMEDIC,
	PR_PHYSIOTHERAPY,
	PR_OCCUPATIONAL_THERAPY,
	PR_DIAGNOSTIC_RADIOGRAPHY,
	PR_SPEECH_LANGUAGE,
	PR_DIETETICS,
	PR_PODIATRY,
	PR_ODP,
	PR_BIOMEDICAL_SCIENCE,
	PR_CLINICAL_SCIENCE,
	PR_PHARMACY,
	PR_PHARMACY_TECHNICIAN,
	PR_PSYCHOLOGY,
	DEMO_PROFESSION_COUNT
};
struct demo_profession_info {
	const char *code; /* docs/formats.md profession value, "" for none */
	const char *body; /* registration body, "" for none */
};
extern const struct demo_profession_info demo_professions[DEMO_PROFESSION_COUNT];

/* A role: what an assignment is, as ESR codes it. */
struct demo_role {
	const char *occupation;       /* occupation code (placeholder codes: docs/demo.md) */
	int group;                    /* enum demo_group */
	const char *esr_group;        /* data/workforce/esr-staff-groups.csv code */
	int profession;               /* enum demo_profession */
	uint8_t min_grade, max_grade; /* AfC bands the role is paid at */
	const char *title;            /* for docs and tests */
};
extern const struct demo_role demo_roles[];
extern const size_t demo_role_count;

/* Role sets: the roles a group takes in a kind of unit, with weights. */
enum demo_role_set {
	RS_NONE,
	RS_DOCTOR, /* unused: doctors take the unit's specialty code */
	RS_NURSE_ADULT,
	RS_NURSE_CHILD,
	RS_NURSE_MH,
	RS_NURSE_LD,
	RS_NURSE_COMMUNITY,
	RS_MIDWIFE,
	RS_AMB,
	RS_STT_THERAPY,
	RS_STT_IMAGING,
	RS_STT_LAB,
	RS_STT_PHARMACY,
	RS_STT_THEATRE,
	RS_STT_MH,
	RS_STT_COMMUNITY,
	RS_HCA,
	RS_HCA_MATERNITY,
	RS_SUP_AMB_CONTROL,
	RS_SUP_AMB_PTS,
	RS_SUP_STT,
	RS_CENTRAL,
	RS_HPE,
	RS_MGR,
	RS_SENIOR,
	DEMO_ROLE_SET_COUNT
};
#define DEMO_ROLE_SET_MAX 6
struct demo_role_set_info {
	int16_t role[DEMO_ROLE_SET_MAX]; /* index into demo_roles, -1 ends */
	uint32_t weight[DEMO_ROLE_SET_MAX];
};
extern const struct demo_role_set_info demo_role_sets[DEMO_ROLE_SET_COUNT];
/* demo_default_role_set: the role set of a group where a unit kind does not
 * say otherwise. */
int demo_default_role_set(int group);

/* A kind of unit (ward, team, department) in an organisation type. */
#define DEMO_KIND_NAMES 12
/* The fields are in the order the tables in demo_params.c read best in,
 * not the tightest packing: the tables are small and static. */
struct demo_kind {                          // NOLINT(clang-analyzer-optin.performance.Padding)
	const char *key;                    /* "med_ward" */
	uint8_t division;                   /* index into the type's division names */
	uint8_t setting;                    /* enum demo_setting */
	int32_t per_fte;                    /* one unit per this many target FTE (0: exactly min) */
	int32_t min, max;                   /* count bounds; min 0 makes the kind optional */
	int32_t min_org_fte;                /* the kind exists only at or above this org size */
	const char *names[DEMO_KIND_NAMES]; /* unit names, cycled; NULL ends */
	const char *specialty[DEMO_KIND_NAMES]; /* doctors' occupation code per name */
	uint16_t weight[DEMO_GROUP_COUNT];      /* share of each group per unit */
	uint8_t role_set[DEMO_GROUP_COUNT];     /* 0 = the group's default */
	uint8_t leader_group, leader_grade, leader_level;
	uint8_t reports;    /* enum demo_reports: whom the unit leader reports to */
	bool temp_staffing; /* bank, agency and overtime are used here */
	bool management;    /* the division's management unit */
	bool bank;          /* the staff bank office */
	bool exec;          /* the executive office */
};

/* Whom a unit's leader reports to. */
enum demo_reports {
	REP_DIVISION, /* the division's management (matron for nurse-led units) */
	REP_CEO,
	REP_FINANCE,
	REP_PEOPLE,
	REP_OPERATIONS,
	REP_NURSING,
	REP_MEDICAL,
	REP_COUNT
};

struct demo_template {
	const char *divisions[8]; /* NULL ends; the last is always the corporate division */
	const struct demo_kind *kinds;
	size_t kind_count;
	int32_t doc_grade_weight[DEMO_GRADE_COUNT]; /* doctor grade mix */
};
extern const struct demo_template demo_templates[DEMO_ORG_TYPE_COUNT];

/* Per-group parameters (assumptions and published anchors, docs/demo.md). */
struct demo_group_info {
	const char *code;                        /* staff-groups.csv code */
	uint32_t grade_weight[DEMO_GRADE_COUNT]; /* AfC band mix of regular staff */
	int32_t female_pct;
	int32_t me_ppm;            /* minority-ethnic share of known ethnicity (ppm) */
	int32_t leaver_ppm;        /* annual leavers per headcount (ppm) */
	int32_t vacancy_ppm;       /* vacancy rate at the reference date (ppm) */
	int32_t vacancy_past_ppm;  /* extra vacancy rate 36 months before (ppm) */
	int32_t full_time_pct;     /* share working full time */
	int32_t age_profile;       /* enum demo_age_profile */
	int32_t bank_pct;          /* of the cover need filled by bank */
	int32_t agency_pct;        /* ... by agency */
	int32_t overtime_pct;      /* ... by overtime */
	int32_t locum_pct;         /* ... by directly engaged locums (doctors) */
	int32_t off_framework_pct; /* of agency hours, off framework */
	int32_t shift_hours_x100;  /* typical shift length */
	int32_t bank_holder_pct;   /* substantive staff who also hold a bank assignment */
	int32_t bank_only_pct;     /* bank-only workers per 100 substantive staff */
};
extern const struct demo_group_info demo_group_info[DEMO_GROUP_COUNT];

enum demo_age_profile {
	AP_GENERAL,
	AP_SUPPORT,
	AP_SENIOR,
	AP_CONSULTANT,
	AP_SAS,
	AP_STR,
	AP_CT,
	AP_FY1,
	AP_FY2,
	DEMO_AGE_PROFILE_COUNT
};
#define DEMO_AGE_BANDS 11 /* 18-19, 20-24, ..., 65-69 */
extern const uint32_t demo_age_weight[DEMO_AGE_PROFILE_COUNT][DEMO_AGE_BANDS];

/* Leaving reasons (docs/formats.md) and their weights by kind of leaver. */
enum demo_leave_reason {
	LR_NONE,
	LR_RELOCATION,
	LR_WORK_LIFE,
	LR_PROMOTION,
	LR_REWARD,
	LR_HEALTH,
	LR_OTHER,
	LR_RETIREMENT,
	LR_FLEXI_RETIREMENT,
	LR_ILL_HEALTH_RETIREMENT,
	LR_END_FIXED_TERM,
	LR_END_ROTATION,
	LR_DISMISSAL,
	LR_REDUNDANCY,
	LR_MUTUAL,
	LR_DEATH,
	LR_TRANSFER,
	DEMO_LEAVE_REASON_COUNT
};
extern const char *const demo_leave_reason_codes[DEMO_LEAVE_REASON_COUNT];
extern const uint32_t demo_leave_weight_under55[DEMO_LEAVE_REASON_COUNT];
extern const uint32_t demo_leave_weight_55plus[DEMO_LEAVE_REASON_COUNT];

/* Training stages (docs/formats.md); index 0 is none. */
enum demo_stage {
	TS_NONE,
	TS_FY1,
	TS_FY2,
	TS_CT1,
	TS_CT2,
	TS_CT3,
	TS_ST1,
	TS_ST2,
	TS_ST3,
	TS_ST4,
	TS_ST5,
	TS_ST6,
	TS_ST7,
	TS_ST8,
	TS_PRECEPTORSHIP,
	TS_APPRENTICE,
	TS_TRAINEE,
	DEMO_STAGE_COUNT
};
extern const char *const demo_stage_codes[DEMO_STAGE_COUNT];

/* Ethnic categories in the order of data/workforce/ethnic-categories.csv. */
#define DEMO_ETHNIC_COUNT 18
extern const char *const demo_ethnic_codes[DEMO_ETHNIC_COUNT];
extern const uint32_t demo_ethnic_white_weight[DEMO_ETHNIC_COUNT];
extern const uint32_t demo_ethnic_minority_doctor_weight[DEMO_ETHNIC_COUNT];
extern const uint32_t demo_ethnic_minority_other_weight[DEMO_ETHNIC_COUNT];
#define DEMO_ETHNIC_Z  16 /* not stated */
#define DEMO_ETHNIC_99 17 /* not known */
bool demo_ethnic_is_minority(int code_index);

struct demo_region_factor {
	const char *region;
	int32_t pct; /* minority-ethnic factor before national normalisation */
};
extern const struct demo_region_factor demo_region_factors[];
extern const size_t demo_region_factor_count;

extern const char *const demo_given_female[];
extern const char *const demo_given_male[];
extern const char *const demo_surnames[];
extern const size_t demo_given_female_count, demo_given_male_count, demo_surname_count;

/* Fixed parameters (docs/demo.md). */
#define DEMO_ME_VSM_PPM                  103000 /* VSM minority-ethnic share, WRES [V] */
#define DEMO_ETHNIC_Z_PPM                30000  /* "not stated" */
#define DEMO_ETHNIC_99_PPM               5000   /* "not known" */
#define DEMO_DISABLED_PPM                30000  /* declared a disability in ESR [V] about 3% */
#define DEMO_DISABILITY_NOT_DECLARED_PPM 180000
#define DEMO_GROWTH_PPM_PER_YEAR         30000 /* FTE growth, for history before the detail year */
#define DEMO_MULTI_POST_PPM              30000 /* part-timers who take a second substantive post */
#define DEMO_FIXED_TERM_PPM              30000 /* AfC staff on fixed-term contracts */
#define DEMO_LOCUM_PPM                   30000 /* career-grade doctors on trust locum contracts */
#define DEMO_HONORARY_CONS_PPM           40000 /* honorary consultants per consultant (acute) */
#define DEMO_POOL_FTE_PER_PERSON         400 /* ICS pool: one cross-employer person per this many FTE */

/* ---- generation state (demo_org.c) ---- */

enum demo_category { CAT_PERMANENT, CAT_FIXED_TERM, CAT_BANK, CAT_HONORARY, CAT_LOCUM };
extern const char *const demo_category_codes[5];

#define DEMO_NO_END            INT32_MAX
#define DEMO_DEFAULT_SPECIALTY "300" /* doctors outside a specialty unit */
#define DEMO_MAX_MONTHS        36

struct demo_unit {
	char cc[24];   /* cost centre code: organisation code + 4 digits */
	char ward[16]; /* ward/team code: W001 (wards) or T001 */
	char name[80]; /* "Elderly Care Ward" */
	int16_t kind;  /* index into the template's kinds; -1 for the staff bank */
	uint8_t division;
	uint8_t setting;
	const char *specialty; /* doctors' occupation code here */
	int32_t leader;        /* person index of the unit leader, -1 none */
	int32_t manager;       /* person the leader reports to, -1 none */
	int32_t positions;     /* position numbers issued */
	int32_t sick_factor;   /* ward sickness factor, per mille */
};

struct demo_person {
	uint32_t local;    /* staff number within the organisation */
	uint64_t national; /* national person number (the NI encoding) */
	int16_t birth_year;
	int16_t qual_year; /* 0 when none */
	uint8_t female;
	uint8_t ethnic;     /* index into demo_ethnic_codes */
	uint8_t disability; /* 0 no, 1 yes, 2 not declared */
	uint8_t profession;
	uint16_t given, surname;
	uint8_t nassign; /* assignments issued so far (the -n suffix) */
};

struct demo_assign {
	const char *occ; /* doctors: the specialty code; NULL for the role's code */
	int32_t person;
	int32_t unit;
	int32_t manager; /* person index, -1 none */
	int32_t position;
	int16_t role;
	uint8_t grade;
	uint8_t pay_point; /* 1-based, 0 none */
	uint8_t category;
	uint8_t leadership;
	uint8_t stage; /* training stage index, 0 none */
	uint8_t reason;
	uint8_t nth; /* the person's assignment number */
	int32_t hours_x100;
	int32_t fte_x10000;
	int32_t start; /* days since 1970-01-01 */
	int32_t end;   /* DEMO_NO_END when open */
};

/* A cross-employer person from the ICS pool (demo.c). */
struct demo_pool_person {
	int32_t home;  /* index into demo_org_rows */
	int32_t other; /* index into demo_org_rows */
	uint8_t kind;  /* 0 nurse on the other's bank, 1 HCA on its bank, 2 honorary consultant */
	uint8_t grade;
	struct demo_person p; /* local and nassign are per organisation, set there */
};

struct demo_pool {
	struct demo_pool_person *v;
	size_t n;
};

/* Everything generated for one organisation, held until it is written. */
struct demo_org {
	const struct demo_org_row *row;
	int32_t index; /* in demo_org_rows */
	int32_t icb_index;
	const struct demo_template *tpl;
	uint64_t seed;
	struct date as_of;
	int32_t as_of_days;
	int first_month; /* month key of the first of the 12 detail months */
	int hist_first;  /* month key of the first of the 36 history months */
	struct demo_unit *units;
	size_t nunits, units_alloc;
	struct demo_person *persons;
	size_t npersons, persons_alloc;
	struct demo_assign *assigns;
	size_t nassigns, assigns_alloc;
	int32_t bank_unit; /* the staff bank's unit index */
	int32_t ndivisions;
	int32_t vacancy_offset_ppm[DEMO_GROUP_COUNT]; /* the organisation's own effect */
	int32_t me_region_ppm;                        /* region factor, normalised, ppm */
};

/* demo_org_generate: build the organisation's structure, staff, leavers and
 * bank, cross-employer pool members included.  o must be zeroed except for
 * row, index, icb_index, seed and as_of.  Frees nothing: demo_org_free. */
void demo_org_generate(struct demo_org *o, const struct demo_pool *pool);

/* demo_org_free: release what demo_org_generate allocated. */
void demo_org_free(struct demo_org *o);

/* demo_pool_build: the ICS's cross-employer persons, from the (seed,
 * "ics-pool", ICB) substream; depends on nothing else. */
void demo_pool_build(struct demo_pool *pool, uint64_t seed, int32_t icb_index, struct date as_of);
void demo_pool_free(struct demo_pool *pool);

/* Person attributes, shared by organisations and the pool. */
void demo_person_draw(struct rng *r, struct demo_person *p, int group, int grade, int age_profile,
                      int32_t me_region_ppm, struct date as_of);
uint64_t demo_org_code_id(const char *code);
void demo_ni_format(uint64_t national, uint64_t seed, char out[10]);
int32_t demo_region_me_ppm(const char *region);
int demo_icb_index(const char *icb);
const char *demo_ics_name(const char *icb);
const char *demo_region_name(const char *region);

/* ---- output (demo_out.c) ---- */

struct csv_writer;
#define DEMO_OUT_DRAIN ((size_t)1024 * 1024)     /* write a file's buffer out past this */
#define DEMO_OUT_CAP   ((size_t)8 * 1024 * 1024) /* a buffer's cap (rows are small) */

/* Each file's rows go through a CSV writer into a memory buffer that is
 * written to the file a megabyte at a time (one fwrite per megabyte, not
 * per cell). */
struct demo_out {
	FILE *f[DEMO_FILE_COUNT];
	struct csv_writer *w[DEMO_FILE_COUNT];
	struct buf b[DEMO_FILE_COUNT];
	uint64_t rows[DEMO_FILE_COUNT];
	char path[DEMO_FILE_COUNT][4096];
};

/* demo_out_open: create every demo file in dir with its header row.  On
 * failure, demo_out_close still releases what was opened. */
int demo_out_open(struct demo_out *out, const char *dir, struct cadre_err *err);
/* demo_out_org: the organisation's rows in every file. */
int demo_out_org(struct demo_out *out, const struct demo_org *o, struct demo_summary *sum,
                 struct cadre_err *err);
/* demo_out_close: flush and close every file (safe after a failed open). */
int demo_out_close(struct demo_out *out, struct cadre_err *err);
/* demo_file_header: the header line of a file, comma-separated. */
const char *demo_file_header(int file);
/* demo_org_type_code: "acute", "mental_health", ... */
const char *demo_org_type_code(int type);

/* Small integer helpers. */
int64_t demo_div_round(int64_t num, int64_t den); /* num/den rounded half up, den > 0 */
uint32_t demo_pick(struct rng *r, const uint32_t *w, size_t n);

/* demo_fte_at: staff-in-post FTE (x10000) of assignment a on day `day`
 * (0 when not in post then). */
int32_t demo_fte_at(const struct demo_assign *a, int32_t day);

#endif
