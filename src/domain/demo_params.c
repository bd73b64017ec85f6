/* demo_params: the demo generator's own assumptions.
 *
 * Every table here is an ASSUMPTION made for synthetic data, except where a
 * comment names a published source (then the value is that figure).  The
 * tables are described, with their reasons, in docs/demo.md; change both
 * together, and expect the output hash in tests/unit/test_domain_demo.c to
 * change. */
#include "domain/demo_internal.h"

#include <string.h>

/* ---- grades ---- */

/* Minority-ethnic factors by grade (per cent, normalised within each group
 * by its grade mix): BME staff concentrate at band 5 and thin out above
 * band 7 (the WRES indicator 1 pattern); SAS doctors are more often
 * minority ethnic than consultants.  Assumption. */
const struct demo_grade_info demo_grades[DEMO_GRADE_COUNT] = {
    [GR_AFC2] = {"AFC-2", NULL, 2, 3750, 100},
    [GR_AFC3] = {"AFC-3", NULL, 2, 3750, 100},
    [GR_AFC4] = {"AFC-4", NULL, 2, 3750, 95},
    [GR_AFC5] = {"AFC-5", NULL, 3, 3750, 125},
    [GR_AFC6] = {"AFC-6", NULL, 3, 3750, 100},
    [GR_AFC7] = {"AFC-7", NULL, 3, 3750, 75},
    [GR_AFC8A] = {"AFC-8a", NULL, 3, 3750, 62},
    [GR_AFC8B] = {"AFC-8b", NULL, 3, 3750, 55},
    [GR_AFC8C] = {"AFC-8c", NULL, 3, 3750, 48},
    [GR_AFC8D] = {"AFC-8d", NULL, 3, 3750, 42},
    [GR_AFC9] = {"AFC-9", NULL, 3, 3750, 40},
    [GR_CONS] = {"MED-CONS", "DOC_CONS", 0, 4000, 90},
    [GR_AS] = {"MED-AS", "DOC_AS", 0, 4000, 140},
    [GR_SD] = {"MED-SD", "DOC_SD", 0, 4000, 140},
    [GR_STR] = {"MED-STR", "DOC_STR", 0, 4000, 100},
    [GR_CT] = {"MED-CT", "DOC_CT", 0, 4000, 110},
    [GR_FY1] = {"MED-FY1", "DOC_FY1", 0, 4000, 85},
    [GR_FY2] = {"MED-FY2", "DOC_FY2", 0, 4000, 85},
    [GR_VSM] = {"VSM", NULL, 0, 3750, 0},
};

const char *const demo_setting_codes[DEMO_SETTING_COUNT] = {
    [ST_ASSESSMENT] = "assessment_unit",
    [ST_ADULT_INPATIENT] = "adult_inpatient",
    [ST_PAEDIATRIC_INPATIENT] = "paediatric_inpatient",
    [ST_MATERNITY] = "maternity",
    [ST_NEONATAL] = "neonatal",
    [ST_CRITICAL_CARE] = "critical_care",
    [ST_EMERGENCY] = "emergency_department",
    [ST_THEATRES] = "theatres",
    [ST_OUTPATIENTS] = "outpatients",
    [ST_MH_INPATIENT] = "mental_health_inpatient",
    [ST_MH_COMMUNITY] = "mental_health_community",
    [ST_LD_INPATIENT] = "learning_disability_inpatient",
    [ST_COMMUNITY_INPATIENT] = "community_inpatient",
    [ST_COMMUNITY_SERVICES] = "community_services",
    [ST_AMB_OPERATIONS] = "ambulance_operations",
    [ST_AMB_CONTROL] = "ambulance_control",
    [ST_PATIENT_TRANSPORT] = "patient_transport",
    [ST_MEDICAL_STAFFING] = "medical_staffing",
    [ST_CLINICAL_SUPPORT] = "clinical_support",
    [ST_CORPORATE] = "corporate",
    [ST_ESTATES] = "estates_facilities",
    [ST_COMMISSIONING] = "commissioning",
};

bool demo_setting_is_ward(int setting)
{
	switch (setting) {
	case ST_ASSESSMENT:
	case ST_ADULT_INPATIENT:
	case ST_PAEDIATRIC_INPATIENT:
	case ST_MATERNITY:
	case ST_NEONATAL:
	case ST_CRITICAL_CARE:
	case ST_MH_INPATIENT:
	case ST_LD_INPATIENT:
	case ST_COMMUNITY_INPATIENT: return true;
	default: return false;
	}
}

const struct demo_profession_info demo_professions[DEMO_PROFESSION_COUNT] = {
    [PR_NONE] = {"", ""},
    [PR_MEDICINE] = {"medicine", "GMC"},
    [PR_NURSING_ADULT] = {"nursing_adult", "NMC"},
    [PR_NURSING_CHILDREN] = {"nursing_children", "NMC"},
    [PR_NURSING_MH] = {"nursing_mental_health", "NMC"},
    [PR_NURSING_LD] = {"nursing_learning_disabilities", "NMC"},
    [PR_MIDWIFERY] = {"midwifery", "NMC"},
    [PR_NURSING_ASSOCIATE] = {"nursing_associate", "NMC"},
    [PR_PARAMEDIC] = {"paramedic", "HCPC"},
    [PR_PHYSIOTHERAPY] = {"physiotherapy", "HCPC"},
    [PR_OCCUPATIONAL_THERAPY] = {"occupational_therapy", "HCPC"},
    [PR_DIAGNOSTIC_RADIOGRAPHY] = {"diagnostic_radiography", "HCPC"},
    [PR_SPEECH_LANGUAGE] = {"speech_and_language_therapy", "HCPC"},
    [PR_DIETETICS] = {"dietetics", "HCPC"},
    [PR_PODIATRY] = {"podiatry", "HCPC"},
    [PR_ODP] = {"operating_department_practice", "HCPC"},
    [PR_BIOMEDICAL_SCIENCE] = {"biomedical_science", "HCPC"},
    [PR_CLINICAL_SCIENCE] = {"clinical_science", "HCPC"},
    [PR_PHARMACY] = {"pharmacy", "GPhC"},
    [PR_PHARMACY_TECHNICIAN] = {"pharmacy_technician", "GPhC"},
    [PR_PSYCHOLOGY] = {"practitioner_psychology", "HCPC"},
};

/* ---- roles ----
 * Occupation codes are PLACEHOLDERS in the NHS Occupation Code Manual's
 * three-character form (matrix letter first: N nursing and midwifery, A
 * ambulance, U healthcare science, as data/workforce/occupation-codes.csv
 * names them; S, H and G for therapies, support and infrastructure are [I]).
 * Their exact meanings are not verified against the manual; docs/demo.md
 * lists them with the staff group each stands for.  Doctors take a
 * three-digit specialty code from their unit instead. */
#define R(occ, grp, esr, prof, lo, hi, title)                                                      \
	{                                                                                          \
		occ, grp, esr, prof, lo, hi, title                                                 \
	}
const struct demo_role demo_roles[] = {
    /* 0 */ R("N1C", DG_NURSE, "03", PR_NURSING_ADULT, GR_AFC5, GR_AFC9, "registered nurse, adult"),
    /* 1 */
    R("N2C", DG_NURSE, "03", PR_NURSING_CHILDREN, GR_AFC5, GR_AFC9, "registered nurse, children"),
    /* 2 */
    R("N4C", DG_NURSE, "03", PR_NURSING_MH, GR_AFC5, GR_AFC9, "registered nurse, mental health"),
    /* 3 */
    R("N5C", DG_NURSE, "03", PR_NURSING_LD, GR_AFC5, GR_AFC9,
      "registered nurse, learning disabilities"),
    /* 4 */
    R("N6C", DG_NURSE, "03", PR_NURSING_ADULT, GR_AFC5, GR_AFC9, "community (district) nurse"),
    /* 5 */ R("N6H", DG_NURSE, "03", PR_NURSING_ADULT, GR_AFC6, GR_AFC9, "health visitor"),
    /* 6 */ R("N0A", DG_NURSE, "03", PR_NURSING_ADULT, GR_AFC8A, GR_VSM, "senior nurse manager"),
    /* 7 */ R("N3M", DG_MIDWIFE, "03", PR_MIDWIFERY, GR_AFC5, GR_AFC9, "registered midwife"),
    /* 8 */ R("A1P", DG_AMB, "04", PR_PARAMEDIC, GR_AFC5, GR_AFC9, "paramedic"),
    /* 9 */ R("A1T", DG_AMB, "07", PR_NONE, GR_AFC3, GR_AFC4, "emergency medical technician"),
    /* 10 */ R("A2C", DG_SUP_AMB, "08", PR_NONE, GR_AFC2, GR_AFC5, "emergency call handler"),
    /* 11 */ R("A2P", DG_SUP_AMB, "07", PR_NONE, GR_AFC2, GR_AFC4, "patient transport crew"),
    /* 12 */ R("S1P", DG_STT, "04", PR_PHYSIOTHERAPY, GR_AFC5, GR_AFC9, "physiotherapist"),
    /* 13 */
    R("S1O", DG_STT, "04", PR_OCCUPATIONAL_THERAPY, GR_AFC5, GR_AFC9, "occupational therapist"),
    /* 14 */
    R("S1R", DG_STT, "04", PR_DIAGNOSTIC_RADIOGRAPHY, GR_AFC5, GR_AFC9, "diagnostic radiographer"),
    /* 15 */
    R("S1S", DG_STT, "04", PR_SPEECH_LANGUAGE, GR_AFC5, GR_AFC9, "speech and language therapist"),
    /* 16 */ R("S1D", DG_STT, "04", PR_DIETETICS, GR_AFC5, GR_AFC9, "dietitian"),
    /* 17 */ R("S1F", DG_STT, "04", PR_PODIATRY, GR_AFC5, GR_AFC9, "podiatrist"),
    /* 18 */ R("S1T", DG_STT, "04", PR_ODP, GR_AFC5, GR_AFC8B, "operating department practitioner"),
    /* 19 */
    R("U1B", DG_STT, "06", PR_BIOMEDICAL_SCIENCE, GR_AFC5, GR_AFC9, "biomedical scientist"),
    /* 20 */ R("U1C", DG_STT, "06", PR_CLINICAL_SCIENCE, GR_AFC6, GR_AFC9, "clinical scientist"),
    /* 21 */ R("S2P", DG_STT, "05", PR_PHARMACY, GR_AFC6, GR_AFC9, "pharmacist"),
    /* 22 */ R("S3P", DG_STT, "05", PR_PSYCHOLOGY, GR_AFC7, GR_AFC9, "practitioner psychologist"),
    /* 23 */ R("H1A", DG_SUP_DNM, "07", PR_NONE, GR_AFC2, GR_AFC4, "healthcare assistant"),
    /* 24 */
    R("H1N", DG_SUP_DNM, "07", PR_NURSING_ASSOCIATE, GR_AFC4, GR_AFC4, "nursing associate"),
    /* 25 */ R("H1M", DG_SUP_DNM, "07", PR_NONE, GR_AFC2, GR_AFC4, "maternity support worker"),
    /* 26 */ R("H2T", DG_SUP_STT, "07", PR_NONE, GR_AFC2, GR_AFC4, "therapy assistant"),
    /* 27 */
    R("H2P", DG_SUP_STT, "05", PR_PHARMACY_TECHNICIAN, GR_AFC4, GR_AFC5, "pharmacy technician"),
    /* 28 */ R("H2L", DG_SUP_STT, "07", PR_NONE, GR_AFC2, GR_AFC4, "medical laboratory assistant"),
    /* 29 */ R("H2R", DG_SUP_STT, "07", PR_NONE, GR_AFC2, GR_AFC4, "radiography assistant"),
    /* 30 */ R("G1A", DG_CENTRAL, "08", PR_NONE, GR_AFC2, GR_AFC9, "administrative officer"),
    /* 31 */ R("G1W", DG_CENTRAL, "08", PR_NONE, GR_AFC2, GR_AFC4, "ward clerk or receptionist"),
    /* 32 */ R("G2D", DG_HPE, "09", PR_NONE, GR_AFC2, GR_AFC4, "domestic"),
    /* 33 */ R("G2P", DG_HPE, "09", PR_NONE, GR_AFC2, GR_AFC4, "porter"),
    /* 34 */ R("G2C", DG_HPE, "09", PR_NONE, GR_AFC2, GR_AFC5, "catering"),
    /* 35 */ R("G2E", DG_HPE, "09", PR_NONE, GR_AFC3, GR_AFC9, "estates officer"),
    /* 36 */ R("G3M", DG_MGR, "08", PR_NONE, GR_AFC7, GR_AFC9, "manager"),
    /* 37 */ R("G4S", DG_SENIOR_MGR, "08", PR_NONE, GR_AFC8C, GR_VSM, "senior manager"),
};
const size_t demo_role_count = sizeof demo_roles / sizeof demo_roles[0];

#define RS1(a)                                                                                     \
	{                                                                                          \
		{a, -1},                                                                           \
		{                                                                                  \
			1                                                                          \
		}                                                                                  \
	}
const struct demo_role_set_info demo_role_sets[DEMO_ROLE_SET_COUNT] = {
    [RS_NONE] = {{-1}, {0}},
    [RS_DOCTOR] = {{-1}, {0}},
    [RS_NURSE_ADULT] = RS1(0),
    [RS_NURSE_CHILD] = RS1(1),
    [RS_NURSE_MH] = RS1(2),
    [RS_NURSE_LD] = RS1(3),
    [RS_NURSE_COMMUNITY] = {{4, 5, -1}, {60, 40}},
    [RS_MIDWIFE] = RS1(7),
    [RS_AMB] = {{8, 9, -1}, {75, 25}},
    [RS_STT_THERAPY] = {{12, 13, 15, 16, 17, -1}, {40, 30, 12, 12, 6}},
    [RS_STT_IMAGING] = {{14, 20, -1}, {90, 10}},
    [RS_STT_LAB] = {{19, 20, -1}, {80, 20}},
    [RS_STT_PHARMACY] = RS1(21),
    [RS_STT_THEATRE] = RS1(18),
    [RS_STT_MH] = {{22, 13, 15, 16, -1}, {55, 35, 5, 5}},
    [RS_STT_COMMUNITY] = {{12, 13, 17, 15, 16, -1}, {35, 30, 15, 10, 10}},
    [RS_HCA] = {{23, 24, -1}, {88, 12}},
    [RS_HCA_MATERNITY] = {{25, 23, -1}, {80, 20}},
    [RS_SUP_AMB_CONTROL] = RS1(10),
    [RS_SUP_AMB_PTS] = RS1(11),
    [RS_SUP_STT] = {{26, 27, 28, 29, -1}, {40, 25, 20, 15}},
    [RS_CENTRAL] = {{30, 31, -1}, {80, 20}},
    [RS_HPE] = {{32, 33, 34, 35, -1}, {45, 20, 20, 15}},
    [RS_MGR] = RS1(36),
    [RS_SENIOR] = RS1(37),
};

int demo_default_role_set(int group)
{
	static const uint8_t def[DEMO_GROUP_COUNT] = {
	    [DG_DOC] = RS_DOCTOR,
	    [DG_NURSE] = RS_NURSE_ADULT,
	    [DG_MIDWIFE] = RS_MIDWIFE,
	    [DG_AMB] = RS_AMB,
	    [DG_STT] = RS_STT_THERAPY,
	    [DG_SUP_DNM] = RS_HCA,
	    [DG_SUP_AMB] = RS_SUP_AMB_CONTROL,
	    [DG_SUP_STT] = RS_SUP_STT,
	    [DG_CENTRAL] = RS_CENTRAL,
	    [DG_HPE] = RS_HPE,
	    [DG_SENIOR_MGR] = RS_SENIOR,
	    [DG_MGR] = RS_MGR,
	};
	return def[group];
}

/* ---- organisation templates ----
 * A unit kind's weight[] is the share of each staff group one unit of the
 * kind takes (relative to other units of the organisation); count is one
 * per per_fte of the organisation's target FTE, between min and max. */

#define W(...)                                                                                     \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}
#define NO_SPEC                                                                                    \
	{                                                                                          \
		NULL                                                                               \
	}

/* corporate kinds shared by trusts; `d` is the corporate division */
#define K_EXEC(d)                                                                                  \
	{                                                                                          \
		"exec_office", d, ST_CORPORATE, 0, 1, 1, 0, {"Executive Office"}, NO_SPEC,         \
		    W([DG_SENIOR_MGR] = 400, [DG_CENTRAL] = 100, [DG_MGR] = 50), {0},              \
		    DG_SENIOR_MGR, GR_VSM, 4, REP_CEO, false, false, false, true                   \
	}
#define K_FINANCE(d)                                                                               \
	{                                                                                          \
		"finance", d, ST_CORPORATE, 8000, 1, 2, 0, {"Finance", "Procurement"}, NO_SPEC,    \
		    W([DG_CENTRAL] = 400, [DG_MGR] = 80, [DG_SENIOR_MGR] = 20), {0}, DG_MGR,       \
		    GR_AFC8B, 2, REP_FINANCE, false, false, false, false                           \
	}
#define K_WORKFORCE(d)                                                                             \
	{                                                                                          \
		"workforce", d, ST_CORPORATE, 8000, 1, 2, 0,                                       \
		    {"Workforce and OD", "Education and Training"}, NO_SPEC,                       \
		    W([DG_CENTRAL] = 400, [DG_MGR] = 60, [DG_SENIOR_MGR] = 15, [DG_NURSE] = 20),   \
		    {0}, DG_MGR, GR_AFC8B, 2, REP_PEOPLE, false, false, false, false               \
	}
#define K_DIGITAL(d)                                                                               \
	{                                                                                          \
		"digital", d, ST_CORPORATE, 8000, 1, 2, 0, {"Digital Services", "Health Records"}, \
		    NO_SPEC, W([DG_CENTRAL] = 500, [DG_MGR] = 60, [DG_SENIOR_MGR] = 10), {0},      \
		    DG_MGR, GR_AFC8B, 2, REP_FINANCE, false, false, false, false                   \
	}
#define K_ESTATES(d)                                                                               \
	{                                                                                          \
		"estates", d, ST_ESTATES, 6000, 1, 2, 0,                                           \
		    {"Estates", "Facilities and Hotel Services"}, NO_SPEC,                         \
		    W([DG_HPE] = 800, [DG_CENTRAL] = 30, [DG_MGR] = 30), {0}, DG_MGR, GR_AFC8B, 2, \
		    REP_OPERATIONS, true, false, false, false                                      \
	}
#define K_NURSING(d)                                                                               \
	{                                                                                          \
		"nursing_directorate", d, ST_CORPORATE, 0, 1, 1, 0, {"Nursing and Quality"},       \
		    NO_SPEC, W([DG_NURSE] = 60, [DG_CENTRAL] = 60, [DG_MGR] = 30), {0}, DG_NURSE,  \
		    GR_AFC8D, 3, REP_NURSING, false, false, false, false                           \
	}
#define K_ACCESS(d)                                                                                \
	{                                                                                          \
		"patient_access", d, ST_CORPORATE, 5000, 1, 3, 0, {"Patient Access and Booking"},  \
		    NO_SPEC, W([DG_CENTRAL] = 500, [DG_MGR] = 20), {0}, DG_MGR, GR_AFC8A, 2,       \
		    REP_OPERATIONS, false, false, false, false                                     \
	}
#define K_BANK(d)                                                                                  \
	{                                                                                          \
		"staff_bank", d, ST_CORPORATE, 0, 1, 1, 0, {"Staff Bank"}, NO_SPEC,                \
		    W([DG_CENTRAL] = 30), {0}, DG_CENTRAL, GR_AFC7, 1, REP_PEOPLE, false, false,   \
		    true, false                                                                    \
	}
#define K_MGMT                                                                                     \
	{                                                                                          \
		"division_management", 0, ST_CORPORATE, 0, 0, 0, 0, {"Management"}, NO_SPEC,       \
		    W([DG_SENIOR_MGR] = 100, [DG_MGR] = 150, [DG_CENTRAL] = 120), {0},             \
		    DG_SENIOR_MGR, GR_AFC8D, 3, REP_OPERATIONS, false, true, false, false          \
	}

static const struct demo_kind acute_kinds[] = {
    {"medical_ward",
     0,
     ST_ADULT_INPATIENT,
     330,
     2,
     60,
     0,
     {"Elderly Care", "Respiratory", "Cardiology", "Gastroenterology", "Stroke", "General Medicine",
      "Diabetes and Endocrinology", "Renal", "Haematology", "Oncology", "Frailty",
      "Infectious Diseases"},
     NO_SPEC,
     W([DG_NURSE] = 100, [DG_SUP_DNM] = 60, [DG_CENTRAL] = 6, [DG_HPE] = 12),
     {0},
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"acute_medical_unit",
     0,
     ST_ASSESSMENT,
     0,
     1,
     1,
     1500,
     {"Acute Medical Unit"},
     NO_SPEC,
     W([DG_NURSE] = 130, [DG_SUP_DNM] = 80, [DG_CENTRAL] = 8, [DG_HPE] = 12),
     {0},
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"emergency_department",
     0,
     ST_EMERGENCY,
     9000,
     1,
     2,
     2500,
     {"Emergency Department"},
     {"180"},
     W([DG_DOC] = 400, [DG_NURSE] = 450, [DG_SUP_DNM] = 200, [DG_CENTRAL] = 60, [DG_HPE] = 20),
     {0},
     DG_NURSE,
     GR_AFC8A,
     2,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"medicine_medical_staff",
     0,
     ST_MEDICAL_STAFFING,
     900,
     2,
     9,
     0,
     {"General Medicine", "Elderly Medicine", "Cardiology", "Respiratory Medicine",
      "Gastroenterology", "Stroke Medicine", "Diabetes and Endocrinology", "Renal Medicine",
      "Haematology"},
     {"300", "430", "320", "340", "301", "328", "307", "361", "303"},
     W([DG_DOC] = 1000, [DG_CENTRAL] = 20),
     {0},
     DG_DOC,
     GR_CONS,
     2,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"surgical_ward",
     1,
     ST_ADULT_INPATIENT,
     600,
     1,
     30,
     0,
     {"General Surgery", "Trauma and Orthopaedics", "Urology", "Vascular Surgery",
      "Colorectal Surgery", "ENT and Maxillofacial", "Surgical Assessment Unit", "Day Surgery Unit",
      "Elective Orthopaedics", "Upper GI Surgery"},
     NO_SPEC,
     W([DG_NURSE] = 100, [DG_SUP_DNM] = 55, [DG_CENTRAL] = 6, [DG_HPE] = 12),
     {0},
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"theatres",
     1,
     ST_THEATRES,
     2500,
     1,
     8,
     1000,
     {"Main Theatres", "Day Surgery Theatres", "Orthopaedic Theatres", "Emergency Theatres"},
     NO_SPEC,
     W([DG_NURSE] = 150, [DG_STT] = 120, [DG_SUP_DNM] = 100, [DG_HPE] = 20, [DG_CENTRAL] = 10),
     W([DG_STT] = RS_STT_THEATRE),
     DG_NURSE,
     GR_AFC8A,
     2,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"critical_care",
     1,
     ST_CRITICAL_CARE,
     5000,
     1,
     3,
     2000,
     {"Intensive Care Unit", "High Dependency Unit", "Cardiac Intensive Care"},
     {"192"},
     W([DG_NURSE] = 450, [DG_SUP_DNM] = 60, [DG_DOC] = 60, [DG_CENTRAL] = 10, [DG_HPE] = 10),
     {0},
     DG_NURSE,
     GR_AFC8A,
     2,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"surgery_medical_staff",
     1,
     ST_MEDICAL_STAFFING,
     1100,
     1,
     7,
     0,
     {"General Surgery", "Trauma and Orthopaedics", "Anaesthetics", "Urology", "ENT",
      "Ophthalmology", "Vascular Surgery"},
     {"100", "110", "190", "101", "120", "130", "107"},
     W([DG_DOC] = 1000, [DG_CENTRAL] = 20),
     {0},
     DG_DOC,
     GR_CONS,
     2,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"maternity_ward",
     2,
     ST_MATERNITY,
     4000,
     1,
     3,
     2000,
     {"Maternity Ward", "Labour Ward", "Birth Centre"},
     NO_SPEC,
     W([DG_MIDWIFE] = 400, [DG_SUP_DNM] = 150, [DG_NURSE] = 20, [DG_CENTRAL] = 20, [DG_HPE] = 15),
     W([DG_SUP_DNM] = RS_HCA_MATERNITY),
     DG_MIDWIFE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"community_midwifery",
     2,
     ST_COMMUNITY_SERVICES,
     6000,
     1,
     2,
     2000,
     {"Community Midwifery"},
     NO_SPEC,
     W([DG_MIDWIFE] = 200, [DG_SUP_DNM] = 30, [DG_CENTRAL] = 15),
     W([DG_SUP_DNM] = RS_HCA_MATERNITY),
     DG_MIDWIFE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"neonatal_unit",
     2,
     ST_NEONATAL,
     7000,
     1,
     1,
     2500,
     {"Neonatal Unit"},
     NO_SPEC,
     W([DG_NURSE] = 220, [DG_SUP_DNM] = 40, [DG_CENTRAL] = 8, [DG_HPE] = 5),
     W([DG_NURSE] = RS_NURSE_CHILD),
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"childrens_ward",
     2,
     ST_PAEDIATRIC_INPATIENT,
     5000,
     1,
     3,
     2000,
     {"Children's Ward", "Paediatric Assessment Unit", "Children's Day Unit"},
     NO_SPEC,
     W([DG_NURSE] = 150, [DG_SUP_DNM] = 60, [DG_CENTRAL] = 8, [DG_HPE] = 8),
     W([DG_NURSE] = RS_NURSE_CHILD),
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"women_children_medical_staff",
     2,
     ST_MEDICAL_STAFFING,
     0,
     2,
     2,
     2000,
     {"Obstetrics and Gynaecology", "Paediatrics"},
     {"501", "420"},
     W([DG_DOC] = 1000, [DG_CENTRAL] = 20),
     {0},
     DG_DOC,
     GR_CONS,
     2,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"outpatients",
     3,
     ST_OUTPATIENTS,
     3000,
     1,
     4,
     0,
     {"Main Outpatients", "Eye Clinic", "Fracture Clinic", "Outpatients"},
     NO_SPEC,
     W([DG_NURSE] = 60, [DG_SUP_DNM] = 150, [DG_CENTRAL] = 120, [DG_HPE] = 10),
     {0},
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"pharmacy",
     3,
     ST_CLINICAL_SUPPORT,
     0,
     1,
     1,
     0,
     {"Pharmacy"},
     NO_SPEC,
     W([DG_STT] = 200, [DG_SUP_STT] = 300, [DG_CENTRAL] = 20),
     W([DG_STT] = RS_STT_PHARMACY),
     DG_STT,
     GR_AFC8B,
     2,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"imaging",
     3,
     ST_CLINICAL_SUPPORT,
     6000,
     1,
     2,
     0,
     {"Radiology", "Imaging"},
     {"810"},
     W([DG_STT] = 400, [DG_SUP_STT] = 150, [DG_CENTRAL] = 60, [DG_DOC] = 40, [DG_NURSE] = 20),
     W([DG_STT] = RS_STT_IMAGING),
     DG_STT,
     GR_AFC8B,
     2,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"pathology",
     3,
     ST_CLINICAL_SUPPORT,
     8000,
     1,
     2,
     1500,
     {"Pathology", "Blood Sciences"},
     {"800"},
     W([DG_STT] = 400, [DG_SUP_STT] = 250, [DG_CENTRAL] = 30, [DG_DOC] = 25, [DG_SUP_DNM] = 60),
     W([DG_STT] = RS_STT_LAB),
     DG_STT,
     GR_AFC8B,
     2,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"therapies",
     3,
     ST_CLINICAL_SUPPORT,
     3500,
     1,
     4,
     0,
     {"Therapies", "Physiotherapy", "Occupational Therapy", "Speech and Language Therapy"},
     NO_SPEC,
     W([DG_STT] = 400, [DG_SUP_STT] = 150, [DG_CENTRAL] = 20),
     {0},
     DG_STT,
     GR_AFC8A,
     2,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    K_EXEC(4),
    K_FINANCE(4),
    K_WORKFORCE(4),
    K_DIGITAL(4),
    K_ESTATES(4),
    K_NURSING(4),
    K_ACCESS(4),
    K_BANK(4),
    K_MGMT,
};

static const struct demo_kind mh_kinds[] = {
    {"adult_ward",
     0,
     ST_MH_INPATIENT,
     450,
     1,
     25,
     0,
     {"Acute Admissions", "Psychiatric Intensive Care Unit", "Rehabilitation", "Female Acute",
      "Male Acute", "Recovery"},
     NO_SPEC,
     W([DG_NURSE] = 100, [DG_SUP_DNM] = 110, [DG_STT] = 8, [DG_CENTRAL] = 6, [DG_HPE] = 12),
     W([DG_NURSE] = RS_NURSE_MH, [DG_STT] = RS_STT_MH),
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"community_team",
     0,
     ST_MH_COMMUNITY,
     200,
     2,
     60,
     0,
     {"Community Mental Health Team", "Crisis Resolution and Home Treatment",
      "Early Intervention in Psychosis", "Liaison Psychiatry", "Assertive Outreach",
      "Talking Therapies"},
     NO_SPEC,
     W([DG_NURSE] = 60, [DG_STT] = 70, [DG_SUP_DNM] = 25, [DG_CENTRAL] = 25),
     W([DG_NURSE] = RS_NURSE_MH, [DG_STT] = RS_STT_MH),
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"adult_psychiatry",
     0,
     ST_MEDICAL_STAFFING,
     1500,
     1,
     4,
     0,
     {"Adult Psychiatry"},
     {"710"},
     W([DG_DOC] = 1000, [DG_CENTRAL] = 40),
     {0},
     DG_DOC,
     GR_CONS,
     2,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"older_adult_ward",
     1,
     ST_MH_INPATIENT,
     1500,
     1,
     8,
     0,
     {"Dementia Assessment", "Older Adults Functional"},
     NO_SPEC,
     W([DG_NURSE] = 90, [DG_SUP_DNM] = 130, [DG_CENTRAL] = 5, [DG_HPE] = 12),
     W([DG_NURSE] = RS_NURSE_MH),
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"older_adult_team",
     1,
     ST_MH_COMMUNITY,
     1200,
     1,
     10,
     0,
     {"Memory Assessment Service", "Older Adults Community Team"},
     NO_SPEC,
     W([DG_NURSE] = 60, [DG_STT] = 40, [DG_SUP_DNM] = 20, [DG_CENTRAL] = 20),
     W([DG_NURSE] = RS_NURSE_MH, [DG_STT] = RS_STT_MH),
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"old_age_psychiatry",
     1,
     ST_MEDICAL_STAFFING,
     4000,
     1,
     2,
     0,
     {"Old Age Psychiatry"},
     {"715"},
     W([DG_DOC] = 1000, [DG_CENTRAL] = 40),
     {0},
     DG_DOC,
     GR_CONS,
     2,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"camhs_team",
     2,
     ST_MH_COMMUNITY,
     900,
     1,
     10,
     0,
     {"CAMHS Community Team", "Eating Disorders Service"},
     NO_SPEC,
     W([DG_NURSE] = 40, [DG_STT] = 80, [DG_SUP_DNM] = 10, [DG_CENTRAL] = 20),
     W([DG_NURSE] = RS_NURSE_MH, [DG_STT] = RS_STT_MH),
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"adolescent_unit",
     2,
     ST_MH_INPATIENT,
     6000,
     0,
     2,
     3000,
     {"Adolescent Inpatient Unit"},
     NO_SPEC,
     W([DG_NURSE] = 100, [DG_SUP_DNM] = 100, [DG_STT] = 20),
     W([DG_NURSE] = RS_NURSE_MH, [DG_STT] = RS_STT_MH),
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"child_psychiatry",
     2,
     ST_MEDICAL_STAFFING,
     0,
     1,
     1,
     0,
     {"Child and Adolescent Psychiatry"},
     {"711"},
     W([DG_DOC] = 1000, [DG_CENTRAL] = 40),
     {0},
     DG_DOC,
     GR_CONS,
     2,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"secure_ward",
     3,
     ST_MH_INPATIENT,
     2500,
     0,
     8,
     2000,
     {"Medium Secure", "Low Secure"},
     NO_SPEC,
     W([DG_NURSE] = 100, [DG_SUP_DNM] = 120, [DG_STT] = 10, [DG_HPE] = 10),
     W([DG_NURSE] = RS_NURSE_MH, [DG_STT] = RS_STT_MH),
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"learning_disability_ward",
     3,
     ST_LD_INPATIENT,
     6000,
     0,
     2,
     3000,
     {"Learning Disability Assessment and Treatment"},
     NO_SPEC,
     W([DG_NURSE] = 80, [DG_SUP_DNM] = 120),
     W([DG_NURSE] = RS_NURSE_LD),
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"forensic_psychiatry",
     3,
     ST_MEDICAL_STAFFING,
     0,
     0,
     1,
     2000,
     {"Forensic Psychiatry"},
     {"712"},
     W([DG_DOC] = 1000, [DG_CENTRAL] = 40),
     {0},
     DG_DOC,
     GR_CONS,
     2,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"pharmacy",
     3,
     ST_CLINICAL_SUPPORT,
     0,
     1,
     1,
     0,
     {"Pharmacy"},
     NO_SPEC,
     W([DG_STT] = 150, [DG_SUP_STT] = 200, [DG_CENTRAL] = 10),
     W([DG_STT] = RS_STT_PHARMACY),
     DG_STT,
     GR_AFC8B,
     2,
     REP_DIVISION,
     false,
     false,
     false,
     false},
    K_EXEC(4),
    K_FINANCE(4),
    K_WORKFORCE(4),
    K_DIGITAL(4),
    K_ESTATES(4),
    K_NURSING(4),
    K_ACCESS(4),
    K_BANK(4),
    K_MGMT,
};

static const struct demo_kind ambulance_kinds[] = {
    {"ambulance_station",
     0,
     ST_AMB_OPERATIONS,
     70,
     2,
     150,
     0,
     {"Ambulance Station"},
     NO_SPEC,
     W([DG_AMB] = 100, [DG_SUP_AMB] = 12, [DG_CENTRAL] = 2),
     W([DG_SUP_AMB] = RS_SUP_AMB_PTS),
     DG_AMB,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"hazardous_area_response",
     0,
     ST_AMB_OPERATIONS,
     0,
     1,
     1,
     2000,
     {"Hazardous Area Response Team"},
     NO_SPEC,
     W([DG_AMB] = 150),
     {0},
     DG_AMB,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"operations_centre",
     1,
     ST_AMB_CONTROL,
     1500,
     1,
     4,
     0,
     {"Emergency Operations Centre", "Clinical Assessment Service", "NHS 111"},
     {"180"},
     W([DG_SUP_AMB] = 300, [DG_AMB] = 40, [DG_NURSE] = 40, [DG_CENTRAL] = 20, [DG_DOC] = 5,
       [DG_MIDWIFE] = 1, [DG_STT] = 2),
     {0},
     DG_MGR,
     GR_AFC8A,
     2,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"patient_transport",
     2,
     ST_PATIENT_TRANSPORT,
     2500,
     0,
     4,
     1000,
     {"Patient Transport Service"},
     NO_SPEC,
     W([DG_SUP_AMB] = 300, [DG_CENTRAL] = 20),
     W([DG_SUP_AMB] = RS_SUP_AMB_PTS),
     DG_MGR,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"fleet",
     3,
     ST_ESTATES,
     3000,
     1,
     2,
     0,
     {"Fleet and Logistics", "Make Ready Service"},
     NO_SPEC,
     W([DG_HPE] = 200, [DG_CENTRAL] = 10, [DG_SUP_DNM] = 5, [DG_SUP_STT] = 2),
     {0},
     DG_MGR,
     GR_AFC7,
     1,
     REP_OPERATIONS,
     true,
     false,
     false,
     false},
    K_EXEC(3),
    K_FINANCE(3),
    K_WORKFORCE(3),
    K_DIGITAL(3),
    K_NURSING(3),
    K_BANK(3),
    K_MGMT,
};

static const struct demo_kind community_kinds[] = {
    {"community_ward",
     0,
     ST_COMMUNITY_INPATIENT,
     1200,
     0,
     12,
     800,
     {"Community Hospital Ward", "Rehabilitation Ward", "Intermediate Care Unit"},
     NO_SPEC,
     W([DG_NURSE] = 100, [DG_SUP_DNM] = 110, [DG_STT] = 20, [DG_CENTRAL] = 6, [DG_HPE] = 15),
     W([DG_STT] = RS_STT_COMMUNITY),
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"district_nursing",
     0,
     ST_COMMUNITY_SERVICES,
     150,
     1,
     60,
     0,
     {"District Nursing Team", "Community Nursing Team", "Urgent Community Response",
      "Virtual Ward Team"},
     NO_SPEC,
     W([DG_NURSE] = 100, [DG_SUP_DNM] = 45, [DG_CENTRAL] = 10),
     {0},
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"community_therapy",
     0,
     ST_COMMUNITY_SERVICES,
     600,
     1,
     15,
     0,
     {"Community Therapy Team", "Podiatry", "Musculoskeletal Physiotherapy"},
     NO_SPEC,
     W([DG_STT] = 100, [DG_SUP_STT] = 40, [DG_CENTRAL] = 10, [DG_AMB] = 1),
     W([DG_STT] = RS_STT_COMMUNITY),
     DG_STT,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"health_visiting",
     1,
     ST_COMMUNITY_SERVICES,
     400,
     0,
     25,
     300,
     {"Health Visiting Team", "School Nursing Team", "Family Nurse Partnership"},
     NO_SPEC,
     W([DG_NURSE] = 100, [DG_SUP_DNM] = 30, [DG_CENTRAL] = 15, [DG_MIDWIFE] = 1),
     W([DG_NURSE] = RS_NURSE_COMMUNITY),
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"childrens_therapy",
     1,
     ST_COMMUNITY_SERVICES,
     1500,
     0,
     5,
     500,
     {"Children's Therapies"},
     NO_SPEC,
     W([DG_STT] = 100, [DG_SUP_STT] = 20),
     W([DG_STT] = RS_STT_COMMUNITY),
     DG_STT,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"community_paediatrics",
     1,
     ST_MEDICAL_STAFFING,
     0,
     0,
     1,
     500,
     {"Community Paediatrics"},
     {"290"},
     W([DG_DOC] = 1000, [DG_CENTRAL] = 30),
     {0},
     DG_DOC,
     GR_CONS,
     2,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    {"specialist_service",
     2,
     ST_COMMUNITY_SERVICES,
     800,
     1,
     12,
     0,
     {"Sexual Health", "Community Dental Service", "Diabetes Specialist Nursing",
      "Tissue Viability", "Continence Service", "Palliative Care"},
     {"360", "450", "307", "300", "300", "315"},
     W([DG_NURSE] = 60, [DG_STT] = 20, [DG_SUP_DNM] = 20, [DG_CENTRAL] = 20, [DG_DOC] = 15),
     {0},
     DG_NURSE,
     GR_AFC7,
     1,
     REP_DIVISION,
     true,
     false,
     false,
     false},
    K_EXEC(3),
    K_FINANCE(3),
    K_WORKFORCE(3),
    K_DIGITAL(3),
    K_ESTATES(3),
    K_NURSING(3),
    K_BANK(3),
    K_MGMT,
};

static const struct demo_kind icb_kinds[] = {
    {"commissioning",
     0,
     ST_COMMISSIONING,
     120,
     2,
     12,
     0,
     {"Acute Commissioning", "Primary Care Commissioning", "Mental Health Commissioning",
      "Continuing Healthcare", "Population Health", "Place Team"},
     NO_SPEC,
     W([DG_CENTRAL] = 100, [DG_MGR] = 50, [DG_SENIOR_MGR] = 15, [DG_NURSE] = 15, [DG_STT] = 5,
       [DG_SUP_DNM] = 3),
     {0},
     DG_MGR,
     GR_AFC8B,
     2,
     REP_DIVISION,
     false,
     false,
     false,
     false},
    {"quality",
     1,
     ST_COMMISSIONING,
     400,
     1,
     4,
     0,
     {"Quality and Safety", "Safeguarding", "Continuing Healthcare Nursing"},
     NO_SPEC,
     W([DG_NURSE] = 120, [DG_CENTRAL] = 40, [DG_MGR] = 15, [DG_MIDWIFE] = 1, [DG_AMB] = 1),
     {0},
     DG_NURSE,
     GR_AFC8B,
     2,
     REP_NURSING,
     false,
     false,
     false,
     false},
    {"medicines",
     2,
     ST_COMMISSIONING,
     500,
     1,
     3,
     0,
     {"Medicines Optimisation", "Clinical Leadership"},
     {"600", "600"},
     W([DG_STT] = 150, [DG_DOC] = 20, [DG_CENTRAL] = 20, [DG_NURSE] = 10, [DG_SUP_STT] = 2),
     W([DG_STT] = RS_STT_PHARMACY),
     DG_STT,
     GR_AFC8B,
     2,
     REP_MEDICAL,
     false,
     false,
     false,
     false},
    K_EXEC(3),
    K_FINANCE(3),
    K_WORKFORCE(3),
    K_DIGITAL(3),
    K_MGMT,
};

#define KINDS(a) (a), sizeof(a) / sizeof((a)[0])

/* Doctor grade mixes (per cent of doctors' FTE).  Anchor [V]: at 30
 * September 2017 consultants were 45.8k and doctors in training 52.8k of
 * about 106k HCHS doctors FTE (domain reference section 4); the split of
 * training grades and of SAS grades, and the other types, are assumptions. */
const struct demo_template demo_templates[DEMO_ORG_TYPE_COUNT] = {
    [DEMO_ORG_ACUTE] = {{"Medicine and Urgent Care", "Surgery and Critical Care",
                         "Women and Children", "Clinical Support Services", "Corporate Services",
                         NULL},
                        KINDS(acute_kinds),
                        {[GR_CONS] = 42,
                         [GR_AS] = 1,
                         [GR_SD] = 8,
                         [GR_STR] = 30,
                         [GR_CT] = 9,
                         [GR_FY1] = 5,
                         [GR_FY2] = 5}},
    [DEMO_ORG_MENTAL_HEALTH] = {{"Adult Mental Health", "Older People's Mental Health",
                                 "Children and Young People", "Specialist and Forensic Services",
                                 "Corporate Services", NULL},
                                KINDS(mh_kinds),
                                {[GR_CONS] = 40,
                                 [GR_AS] = 2,
                                 [GR_SD] = 18,
                                 [GR_STR] = 18,
                                 [GR_CT] = 15,
                                 [GR_FY1] = 3,
                                 [GR_FY2] = 4}},
    [DEMO_ORG_AMBULANCE] = {{"999 Operations", "Emergency Operations Centre and 111",
                             "Patient Transport Services", "Corporate Services", NULL},
                            KINDS(ambulance_kinds),
                            {[GR_CONS] = 50, [GR_SD] = 50}},
    [DEMO_ORG_COMMUNITY] =
        {{"Adult Community Services", "Children and Families", "Specialist Services",
          "Corporate Services", NULL},
         KINDS(community_kinds),
         {[GR_CONS] = 35, [GR_AS] = 3, [GR_SD] = 40, [GR_STR] = 12, [GR_CT] = 5, [GR_FY2] = 5}},
    [DEMO_ORG_ICB] = {{"Strategy and Commissioning", "Nursing and Quality", "Medical Directorate",
                       "Corporate Services", NULL},
                      KINDS(icb_kinds),
                      {[GR_CONS] = 60, [GR_SD] = 40}},
};

/* ---- staff groups ----
 * Published anchors [V] (domain reference): minority-ethnic shares 42% of
 * doctors and 29.2% of nurses, midwives and health visitors (WRES 2023;
 * nurses 30.0% and midwives 18% here, which average to 29.2% by the 2018
 * FTE); leaver rates for nurses 8.8% (year to September 2024).  Doctors'
 * leaver rates are set per grade in demo_org.c.  Everything else is an
 * assumption: see docs/demo.md. */
#define GW(...)                                                                                    \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}
const struct demo_group_info demo_group_info[DEMO_GROUP_COUNT] = {
    [DG_DOC] = {"DOC", GW(0), 48, 420000, 0, 65000, 15000, 85, AP_CONSULTANT, 45, 30, 0, 10, 20,
                1000, 10, 2},
    [DG_NURSE] = {"NURSE_HV", GW([GR_AFC5] = 52, [GR_AFC6] = 33, [GR_AFC7] = 12, [GR_AFC8A] = 3),
                  89, 300000, 88000, 75000, 35000, 62, AP_GENERAL, 60, 20, 0, 0, 15, 1150, 15, 6},
    [DG_MIDWIFE] = {"MIDWIFE", GW([GR_AFC5] = 15, [GR_AFC6] = 60, [GR_AFC7] = 20, [GR_AFC8A] = 5),
                    99, 180000, 100000, 80000, 30000, 55, AP_GENERAL, 65, 10, 0, 0, 10, 1150, 15,
                    5},
    [DG_AMB] = {"AMB",
                GW([GR_AFC4] = 20, [GR_AFC5] = 25, [GR_AFC6] = 45, [GR_AFC7] = 8, [GR_AFC8A] = 2),
                48, 50000, 100000, 65000, 20000, 85, AP_GENERAL, 0, 0, 70, 0, 10, 1200, 5, 1},
    [DG_STT] = {"STT",
                GW([GR_AFC4] = 4, [GR_AFC5] = 20, [GR_AFC6] = 32, [GR_AFC7] = 28, [GR_AFC8A] = 11,
                   [GR_AFC8B] = 4, [GR_AFC8C] = 1),
                78, 220000, 100000, 90000, 20000, 68, AP_GENERAL, 20, 35, 0, 0, 25, 750, 5, 2},
    [DG_SUP_DNM] = {"SUP_DNM", GW([GR_AFC2] = 30, [GR_AFC3] = 52, [GR_AFC4] = 18), 83, 270000,
                    100000, 85000, 25000, 58, AP_SUPPORT, 80, 0, 0, 0, 10, 1150, 18, 8},
    [DG_SUP_AMB] = {"SUP_AMB", GW([GR_AFC2] = 10, [GR_AFC3] = 50, [GR_AFC4] = 40), 50, 80000,
                    100000, 70000, 20000, 75, AP_SUPPORT, 10, 10, 40, 0, 10, 1200, 5, 2},
    [DG_SUP_STT] = {"SUP_STT", GW([GR_AFC2] = 15, [GR_AFC3] = 45, [GR_AFC4] = 30, [GR_AFC5] = 10),
                    75, 240000, 100000, 80000, 20000, 65, AP_SUPPORT, 30, 10, 0, 0, 15, 750, 5, 2},
    [DG_CENTRAL] = {"INFRA_CENTRAL",
                    GW([GR_AFC2] = 10, [GR_AFC3] = 30, [GR_AFC4] = 25, [GR_AFC5] = 13,
                       [GR_AFC6] = 10, [GR_AFC7] = 8, [GR_AFC8A] = 4),
                    80, 200000, 100000, 70000, 20000, 70, AP_GENERAL, 30, 0, 0, 0, 20, 750, 4, 3},
    [DG_HPE] = {"INFRA_HPE",
                GW([GR_AFC2] = 65, [GR_AFC3] = 15, [GR_AFC4] = 10, [GR_AFC5] = 5, [GR_AFC6] = 3,
                   [GR_AFC7] = 2),
                55, 260000, 100000, 80000, 20000, 60, AP_SUPPORT, 45, 10, 10, 0, 10, 750, 6, 5},
    [DG_SENIOR_MGR] = {"INFRA_SENIOR_MGR", GW([GR_AFC8C] = 35, [GR_AFC8D] = 35, [GR_AFC9] = 30), 55,
                       130000, 100000, 65000, 15000, 92, AP_SENIOR, 0, 0, 0, 0, 0, 750, 0, 0},
    [DG_MGR] = {"INFRA_MGR", GW([GR_AFC7] = 20, [GR_AFC8A] = 45, [GR_AFC8B] = 25, [GR_AFC8C] = 10),
                62, 160000, 100000, 70000, 15000, 88, AP_SENIOR, 0, 0, 0, 0, 0, 750, 0, 0},
};

/* Age profiles: weights for ages 18-19, 20-24, ..., 65-69 (assumption: the
 * domain reference has no verified NHS age profile; docs/demo.md). */
const uint32_t demo_age_weight[DEMO_AGE_PROFILE_COUNT][DEMO_AGE_BANDS] = {
    [AP_GENERAL] = {0, 5, 11, 13, 13, 13, 12, 13, 12, 6, 2},
    [AP_SUPPORT] = {3, 10, 11, 11, 11, 11, 11, 11, 11, 7, 3},
    [AP_SENIOR] = {0, 0, 1, 6, 14, 20, 22, 20, 12, 4, 1},
    [AP_CONSULTANT] = {0, 0, 0, 3, 17, 21, 20, 17, 14, 7, 1},
    [AP_SAS] = {0, 0, 2, 12, 18, 18, 16, 14, 11, 7, 2},
    [AP_STR] = {0, 0, 30, 45, 18, 5, 2, 0, 0, 0, 0},
    [AP_CT] = {0, 5, 50, 35, 8, 2, 0, 0, 0, 0, 0},
    [AP_FY1] = {0, 75, 22, 3, 0, 0, 0, 0, 0, 0, 0},
    [AP_FY2] = {0, 60, 35, 5, 0, 0, 0, 0, 0, 0, 0},
};

const char *const demo_leave_reason_codes[DEMO_LEAVE_REASON_COUNT] = {
    [LR_NONE] = "",
    [LR_RELOCATION] = "resignation_relocation",
    [LR_WORK_LIFE] = "resignation_work_life_balance",
    [LR_PROMOTION] = "resignation_promotion",
    [LR_REWARD] = "resignation_better_reward",
    [LR_HEALTH] = "resignation_health",
    [LR_OTHER] = "resignation_other",
    [LR_RETIREMENT] = "retirement_age",
    [LR_FLEXI_RETIREMENT] = "retirement_flexi",
    [LR_ILL_HEALTH_RETIREMENT] = "retirement_ill_health",
    [LR_END_FIXED_TERM] = "end_of_fixed_term",
    [LR_END_ROTATION] = "end_of_rotation",
    [LR_DISMISSAL] = "dismissal",
    [LR_REDUNDANCY] = "redundancy",
    [LR_MUTUAL] = "mutually_agreed_resignation",
    [LR_DEATH] = "death_in_service",
    [LR_TRANSFER] = "employee_transfer",
};

/* Leaving reasons by age (assumption). */
const uint32_t demo_leave_weight_under55[DEMO_LEAVE_REASON_COUNT] = {
    [LR_RELOCATION] = 18,
    [LR_WORK_LIFE] = 24,
    [LR_PROMOTION] = 15,
    [LR_REWARD] = 6,
    [LR_HEALTH] = 4,
    [LR_OTHER] = 19,
    [LR_ILL_HEALTH_RETIREMENT] = 1,
    [LR_DISMISSAL] = 4,
    [LR_REDUNDANCY] = 1,
    [LR_MUTUAL] = 2,
    [LR_DEATH] = 1,
    [LR_TRANSFER] = 5,
};
const uint32_t demo_leave_weight_55plus[DEMO_LEAVE_REASON_COUNT] = {
    [LR_RETIREMENT] = 52,
    [LR_FLEXI_RETIREMENT] = 14,
    [LR_ILL_HEALTH_RETIREMENT] = 4,
    [LR_WORK_LIFE] = 9,
    [LR_OTHER] = 9,
    [LR_RELOCATION] = 4,
    [LR_HEALTH] = 3,
    [LR_DEATH] = 2,
    [LR_DISMISSAL] = 1,
    [LR_MUTUAL] = 1,
    [LR_TRANSFER] = 1,
};

const char *const demo_stage_codes[DEMO_STAGE_COUNT] = {
    [TS_NONE] = "",
    [TS_FY1] = "FY1",
    [TS_FY2] = "FY2",
    [TS_CT1] = "CT1",
    [TS_CT2] = "CT2",
    [TS_CT3] = "CT3",
    [TS_ST1] = "ST1",
    [TS_ST2] = "ST2",
    [TS_ST3] = "ST3",
    [TS_ST4] = "ST4",
    [TS_ST5] = "ST5",
    [TS_ST6] = "ST6",
    [TS_ST7] = "ST7",
    [TS_ST8] = "ST8",
    [TS_PRECEPTORSHIP] = "preceptorship",
    [TS_APPRENTICE] = "apprentice",
    [TS_TRAINEE] = "trainee",
};

const char *const demo_category_codes[5] = {"permanent", "fixed_term", "bank", "honorary", "locum"};

/* ---- equality ---- */

/* NHS Data Dictionary ETHNIC CATEGORY codes, as data/workforce/ethnic-categories.csv. */
const char *const demo_ethnic_codes[DEMO_ETHNIC_COUNT] = {
    "A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z", "99"};

bool demo_ethnic_is_minority(int code_index)
{
	return code_index >= 3 && code_index <= 15;
}

/* Within white staff and within minority-ethnic staff, the split across
 * categories (assumption; more other-white and African and other-Asian
 * staff among nurses, more Indian and Pakistani among doctors). */
const uint32_t demo_ethnic_white_weight[DEMO_ETHNIC_COUNT] = {80, 3, 17};
const uint32_t demo_ethnic_minority_doctor_weight[DEMO_ETHNIC_COUNT] = {
    [3] = 1,   [4] = 1,  [5] = 3,   [6] = 2,  [7] = 35, [8] = 12, [9] = 3,
    [10] = 15, [11] = 1, [12] = 12, [13] = 2, [14] = 3, [15] = 10};
const uint32_t demo_ethnic_minority_other_weight[DEMO_ETHNIC_COUNT] = {
    [3] = 2,   [4] = 2,  [5] = 2,   [6] = 3,  [7] = 18, [8] = 5, [9] = 2,
    [10] = 20, [11] = 5, [12] = 28, [13] = 3, [14] = 2, [15] = 8};

/* Regional factors on the minority-ethnic share (assumption: London trusts
 * employ far more minority-ethnic staff than the South West or the North
 * East); normalised at run time so the national FTE-weighted mean is 1. */
const struct demo_region_factor demo_region_factors[] = {
    {"Y56", 210}, {"Y58", 55}, {"Y59", 85}, {"Y60", 110}, {"Y61", 95}, {"Y62", 80}, {"Y63", 65},
};
const size_t demo_region_factor_count = sizeof demo_region_factors / sizeof demo_region_factors[0];

/* ---- synthetic names ----
 * Common given names and surnames in England, drawn independently of
 * ethnicity (so that the demo never ties a name to a protected
 * characteristic).  No combination refers to a real person. */
const char *const demo_given_female[] = {
    "Olivia",  "Amelia",   "Isla",      "Ava",     "Emily",    "Sophie",    "Grace",    "Mia",
    "Poppy",   "Ella",     "Lily",      "Evie",    "Isabella", "Sophia",    "Ivy",      "Freya",
    "Harper",  "Willow",   "Charlotte", "Jessica", "Sarah",    "Emma",      "Rachel",   "Hannah",
    "Laura",   "Rebecca",  "Claire",    "Helen",   "Karen",    "Susan",     "Julie",    "Nicola",
    "Joanne",  "Michelle", "Lisa",      "Amanda",  "Angela",   "Catherine", "Fatima",   "Aisha",
    "Priya",   "Ananya",   "Zainab",    "Maryam",  "Ifeoma",   "Blessing",  "Chloe",    "Amara",
    "Maria",   "Ana",      "Joy",       "Mercy",   "Leah",     "Zara",      "Niamh",    "Siobhan",
    "Megan",   "Bethan",   "Katie",     "Lauren",  "Victoria", "Elizabeth", "Margaret", "Patricia",
    "Deborah", "Alison",   "Gemma",     "Kelly",   "Samantha", "Danielle",  "Aaliyah",  "Mei",
    "Yasmin",  "Shreya",   "Esther",    "Ruth",    "Naomi",    "Agnieszka", "Anna",     "Joanna"};
const size_t demo_given_female_count = sizeof demo_given_female / sizeof demo_given_female[0];

const char *const demo_given_male[] = {
    "Oliver",  "George",  "Noah",   "Arthur",      "Muhammad", "Leo",     "Oscar",   "Harry",
    "Archie",  "Jack",    "Henry",  "Charlie",     "Freddie",  "Theo",    "Thomas",  "James",
    "William", "David",   "John",   "Paul",        "Mark",     "Andrew",  "Richard", "Michael",
    "Peter",   "Stephen", "Robert", "Christopher", "Daniel",   "Matthew", "Simon",   "Gareth",
    "Ian",     "Neil",    "Adam",   "Ben",         "Sam",      "Joseph",  "Samuel",  "Ahmed",
    "Ali",     "Omar",    "Hassan", "Rahul",       "Arjun",    "Ravi",    "Sanjay",  "Emmanuel",
    "Daniyal", "Kwame",   "Tunde",  "Chinedu",     "Jose",     "Marco",   "Luca",    "Tomasz",
    "Piotr",   "Wei",     "Jun",    "Ciaran",      "Sean",     "Liam",    "Conor",   "Rhys",
    "Owen",    "Dylan",   "Ethan",  "Joshua",      "Nathan",   "Ryan",    "Kieran",  "Jamal",
    "Yusuf",   "Ibrahim", "Isaac",  "Elijah",      "Aaron",    "Gabriel", "Anthony", "Kevin"};
const size_t demo_given_male_count = sizeof demo_given_male / sizeof demo_given_male[0];

const char *const demo_surnames[] = {
    "Smith",      "Jones",     "Williams",  "Taylor",   "Brown",        "Davies",     "Evans",
    "Wilson",     "Thomas",    "Johnson",   "Roberts",  "Robinson",     "Thompson",   "Wright",
    "Walker",     "White",     "Edwards",   "Hughes",   "Green",        "Hall",       "Lewis",
    "Harris",     "Clarke",    "Patel",     "Jackson",  "Wood",         "Turner",     "Martin",
    "Cooper",     "Hill",      "Ward",      "Morris",   "Moore",        "Clark",      "Lee",
    "King",       "Baker",     "Harrison",  "Morgan",   "Allen",        "James",      "Scott",
    "Phillips",   "Watson",    "Davis",     "Parker",   "Price",        "Bennett",    "Young",
    "Griffiths",  "Mitchell",  "Kelly",     "Cook",     "Carter",       "Richardson", "Bailey",
    "Collins",    "Bell",      "Shaw",      "Murphy",   "Miller",       "Cox",        "Richards",
    "Khan",       "Marshall",  "Anderson",  "Simpson",  "Ellis",        "Adams",      "Singh",
    "Begum",      "Wilkinson", "Foster",    "Chapman",  "Powell",       "Webb",       "Rogers",
    "Gray",       "Mason",     "Ali",       "Hunt",     "Hussain",      "Campbell",   "Matthews",
    "Owen",       "Palmer",    "Holmes",    "Mills",    "Barnes",       "Knight",     "Lloyd",
    "Butler",     "Russell",   "Barker",    "Fisher",   "Stevens",      "Jenkins",    "Murray",
    "Dixon",      "Harvey",    "Graham",    "Pearson",  "Ahmed",        "Fletcher",   "Walsh",
    "Kaur",       "Gibson",    "Howard",    "Andrews",  "Stewart",      "Elliott",    "Reynolds",
    "Saunders",   "Payne",     "Fox",       "Ford",     "Pearce",       "Day",        "Brooks",
    "West",       "Lawrence",  "Cole",      "Atkinson", "Bradley",      "Spencer",    "Gill",
    "Dawson",     "Ball",      "Burton",    "O'Brien",  "Watts",        "Rose",       "Booth",
    "Perry",      "Ryan",      "Grant",     "Wells",    "Armstrong",    "Francis",    "Rees",
    "Hayes",      "Hart",      "Hudson",    "Newman",   "Barrett",      "Webster",    "Hunter",
    "Gregory",    "Carr",      "Lowe",      "Page",     "Marsh",        "Riley",      "Dunn",
    "Woods",      "Parsons",   "Berry",     "Stone",    "Reid",         "Holland",    "Hawkins",
    "Harding",    "Porter",    "Robertson", "Newton",   "Oliver",       "Reed",       "Kennedy",
    "Williamson", "Bird",      "Gardner",   "Shah",     "Dean",         "Lane",       "Cooke",
    "Bates",      "Henderson", "Parry",     "Burgess",  "Bishop",       "Walton",     "Burns",
    "Nicholson",  "Shepherd",  "Ross",      "Cross",    "Long",         "Freeman",    "Warren",
    "Nicholls",   "Hamilton",  "Byrne",     "Sutton",   "McDonald",     "Yates",      "Hodgson",
    "Robson",     "Curtis",    "Hopkins",   "O'Connor", "Harper",       "Coleman",    "Watkins",
    "Moss",       "McCarthy",  "Chambers",  "Okafor",   "Mensah",       "Adeyemi",    "Nguyen",
    "Chen",       "Wong",      "Kowalski",  "Nowak",    "Santos",       "Fernandes",  "Rodrigues",
    "Da Silva",   "Joseph",    "Mahmood",   "Iqbal",    "Akhtar",       "Sharma",     "Kumar",
    "Das",        "Rahman",    "Islam",     "Miah",     "Osei",         "Boateng",    "Owusu",
    "Abdi",       "Mohamed",   "Yilmaz",    "Kaya",     "Papadopoulos", "Rossi",      "Reyes",
    "Cruz",       "Garcia"};
const size_t demo_surname_count = sizeof demo_surnames / sizeof demo_surnames[0];

/* ---- lookups ---- */

uint64_t demo_org_code_id(const char *code)
{
	/* the code's bytes, little-endian, as the substream id (codes are at
	 * most 5 characters, so ids never collide) */
	uint64_t id = 0;
	for (size_t i = 0; i < 8 && code[i]; i++)
		id |= (uint64_t)(unsigned char)code[i] << (8 * i);
	return id;
}

int demo_icb_index(const char *icb)
{
	for (size_t i = 0; i < demo_ics_name_count; i++)
		if (strcmp(demo_ics_names[i].code, icb) == 0)
			return (int)i;
	return -1;
}

const char *demo_ics_name(const char *icb)
{
	int i = demo_icb_index(icb);
	return i < 0 ? "" : demo_ics_names[i].name;
}

const char *demo_region_name(const char *region)
{
	for (size_t i = 0; i < demo_region_name_count; i++)
		if (strcmp(demo_region_names[i].code, region) == 0)
			return demo_region_names[i].name;
	return "";
}

/* demo_region_me_ppm: the region's minority-ethnic factor in ppm of the
 * national mean (so that the FTE-weighted mean over every organisation in
 * demo_org_rows is 1,000,000): fixed by the table, whatever is generated. */
int32_t demo_region_me_ppm(const char *region)
{
	int64_t num = 0, den = 0;
	int32_t mine = 100;
	for (size_t i = 0; i < demo_org_row_count; i++) {
		int32_t f = 100;
		for (size_t j = 0; j < demo_region_factor_count; j++)
			if (strcmp(demo_region_factors[j].region, demo_org_rows[i].region) == 0)
				f = demo_region_factors[j].pct;
		num += demo_org_rows[i].fte_x100 * f;
		den += demo_org_rows[i].fte_x100;
	}
	for (size_t j = 0; j < demo_region_factor_count; j++)
		if (strcmp(demo_region_factors[j].region, region) == 0)
			mine = demo_region_factors[j].pct;
	/* mine / (num / den) in ppm */
	return (int32_t)demo_div_round((int64_t)mine * den * 1000000, num);
}
