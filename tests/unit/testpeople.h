/* testpeople: helpers for the people-area tests (staff, cost centres,
 * establishment, temporary staffing, quality): small CSV fixtures written to
 * a temporary folder, the cost-centre map of the fixtures, imports that
 * must succeed or fail, and a snapshot of every table's row count so a
 * test can say "nothing was written".  Header-only, like testorg.h. */
#ifndef CADRE_TESTS_TESTPEOPLE_H
#define CADRE_TESTS_TESTPEOPLE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/mem.h"
#include "domain/establishment.h"
#include "domain/people.h"
#include "domain/tempstaff.h"
#include "domain/wards.h"
#include "store/store.h"
#include "testdomain.h"
#include "testorg.h"

/* the test pseudonym key: bytes 0x20..0x3f */
static inline const unsigned char *tp_pkey(void)
{
	static unsigned char k[PEOPLE_KEY_BYTES];
	for (int i = 0; i < PEOPLE_KEY_BYTES; i++)
		k[i] = (unsigned char)(0x20 + i);
	return k;
}

/* tp_dir: a fresh temporary folder for a test's files (static buffer). */
static inline const char *tp_dir(void)
{
	static char dir[64];
	(void)snprintf(dir, sizeof dir, "/tmp/cadre-people-XXXXXX");
	if (!mkdtemp(dir))
		fail_msg("mkdtemp failed");
	return dir;
}

/* tp_write: write content to dir/name; the path, malloc'd. */
static inline char *tp_write(const char *dir, const char *name, const char *content)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(n);
	(void)snprintf(p, n, "%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	if (!f)
		fail_msg("cannot write %s", p);
	(void)fputs(content, f);
	(void)fclose(f);
	return p;
}

/* tp_rmdir: remove the test folder and the files in it. */
static inline void tp_rmdir(const char *dir)
{
	char cmd[256];
	(void)snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fail_msg("cannot remove %s", dir);
}

/* The fixture cost-centre map: RXC (East Sussex, in QNX Sussex) with two
 * divisions, two wards and a team; RYR (University Hospitals Sussex, in
 * QNX) with one ward; RJ1 (Guy's and St Thomas', in QKK South East London)
 * with one ward. */
#define TP_COST_CENTRES                                                                            \
	WARDS_HEADER                                                                               \
	"\n"                                                                                       \
	"RXC,RXC1001,Elderly Care,W001,Elderly Care,D1,Medicine,adult_inpatient\n"                 \
	"RXC,RXC1002,Cardiology Doctors,T001,Cardiology,D1,Medicine,medical_staffing\n"            \
	"RXC,RXC2001,Surgical Ward,W002,Surgical Ward,D2,Surgery,adult_inpatient\n"                \
	"RXC,RXC2002,Theatre Admin,W002,Surgical Ward,D2,Surgery,adult_inpatient\n"                \
	"RYR,RYR1001,Acute Medicine,W001,Acute Medicine,D1,Medicine,assessment_unit\n"             \
	"RJ1,RJ11001,Renal,W001,Renal,D1,Medicine,adult_inpatient\n"

/* The fixture extract of 31 March 2025: RXC and RYR, both in QNX (Sussex).
 * Worked out by hand, staff in post that day (permanent, fixed term, locum,
 * active):
 *   RXC  A1 100 1.0 INFRA_SENIOR_MGR (VSM, ESR 08: fallback)   ward W001
 *        A2 101 1.0 NURSE_HV (fallback)                         ward W001
 *        A3 101 0.4 INFRA_CENTRAL (fallback)                    ward W002
 *        A4 102 1.0 DOC_CONS (grade)                            team T001
 *        A7 105 1.0 SUP_DNM (fallback), no identifier           ward W001
 *        A9 107 1.0 DOC_CONS (grade), ESR 03: a conflict        team T001
 *        A10 108 1.0 STT (occupation code UAA)                  ward W002
 *        not in post: A5 bank, A6 honorary, A8 left 2024-12-31
 *        => 7 assignments, 6 people, 6.4 FTE
 *   RYR  B1 900 0.2 NURSE_HV (the same person as RXC 101)       ward W001
 *        B2 901 1.0 STT (fallback)                              ward W001
 *        => 2 people, 1.2 FTE
 *   QNX  7 people (101 and 900 are one person), 7.6 FTE, 9 assignments */
#define X1 "2025-03-31"
#define TP_EXTRACT1                                                                                \
	PEOPLE_HEADER                                                                              \
	"\n"                                                                                       \
	"A1,100,QQ100001A,Ann "                                                                    \
	"Top,,RXC,RXC1001,RXC1001-0001,G4S,08,VSM,37.50,1.0000,permanent,"                         \
	"2015-01-01,,,1970,F,A,no,,,,,4," X1 "\n"                                                  \
	"A2,101,QQ100002A,Bea Nurse,100,RXC,RXC1001,RXC1001-0002,N1C,03,AFC-5-2,37.50,1.0000,"     \
	"permanent,2018-05-01,,,1985,F,H,no,nursing_adult,NMC,2007,,1," X1 "\n"                    \
	"A3,101,QQ100002A,Bea Nurse,100,RXC,RXC2001,RXC2001-0001,G1A,08,AFC-3-1,15.00,0.4000,"     \
	"fixed_term,2024-01-01,2025-12-31,,1985,F,H,no,nursing_adult,NMC,2007,,0," X1 "\n"         \
	"A4,102,QQ100003A,\"Cole, "                                                                \
	"Dr\",100,RXC,RXC1002,RXC1002-0001,300,01,MED-CONS,40.00,1.0000,"                          \
	"permanent,2010-09-01,,,1975,M,A,no,medicine,GMC,2000,,2," X1 "\n"                         \
	"A5,103,QQ100004A,Dee Bank,101,RXC,RXC1001,RXC1001-B001,N1C,03,AFC-5-1,0,0,bank,"          \
	"2023-06-01,,,1990,F,N,yes,nursing_adult,NMC,2012,,0," X1 "\n"                             \
	"A6,104,QQ100005A,Eve Hon,100,RXC,RXC1002,RXC1002-H001,300,01,MED-CONS,0,0,honorary,"      \
	"2022-01-01,,,1968,F,A,no,medicine,GMC,1992,,0," X1 "\n"                                   \
	"A7,105,,Fay Care,101,RXC,RXC1001,RXC1001-0003,H1A,07,AFC-3-2,37.50,1.0000,permanent,"     \
	"2020-02-01,,,1995,F,Z,not_declared,,,,,0," X1 "\n"                                        \
	"A8,106,QQ100007A,Gus Left,101,RXC,RXC1001,RXC1001-0004,N1C,03,AFC-5-1,37.50,1.0000,"      \
	"permanent,2019-01-01,2024-12-31,resignation_other,1992,M,C,no,nursing_adult,NMC,"         \
	"2014,,"                                                                                   \
	"0," X1 "\n"                                                                               \
	"A9,107,QQ100008A,Hal Doc,102,RXC,RXC1002,RXC1002-0002,300,03,MED-CONS,40.00,1.0000,"      \
	"permanent,2016-03-01,,,1980,M,99,no,medicine,GMC,2004,,0," X1 "\n"                        \
	"A10,108,QQ100009A,Ivy Sci,103,RXC,RXC2002,RXC2002-0001,UAA,06,AFC-7-1,37.50,1.0000,"      \
	"permanent,2021-07-01,,,1988,F,L,no,clinical_science,HCPC,2010,,0," X1 "\n"                \
	"B1,900,QQ100002A,Bea "                                                                    \
	"Nurse,,RYR,RYR1001,RYR1001-0001,N1C,03,AFC-6-1,7.50,0.2000,permanent,"                    \
	"2022-04-01,,,1985,F,H,no,nursing_adult,NMC,2007,,1," X1 "\n"                              \
	"B2,901,QQ200001A,Jon "                                                                    \
	"Physio,900,RYR,RYR1001,RYR1001-0002,S1P,04,AFC-6-1,37.50,1.0000,"                         \
	"permanent,2020-01-01,,,1990,M,A,no,physiotherapy,HCPC,2012,,0," X1 "\n"

/* tp_setup: reference data and the fixture cost-centre map, from
 * 2024-04. */
static inline void tp_setup(struct testdomain *t, const char *dir)
{
	testorg_load_refdata(t, NULL);
	char *p = tp_write(dir, "cost-centres.csv", TP_COST_CENTRES);
	struct wards_opts wo = {.from_month = 202404, .audit_key = t->key, .clk = &t->clk.clock};
	struct wards_result *wr = xcalloc(1, sizeof *wr);
	struct cadre_err e;
	if (wards_import(&t->sys, t->db, p, &wo, wr, &e) != CADRE_OK)
		fail_msg("wards_import: %s", e.msg);
	free(wr);
	free(p);
}

/* tp_staff: import a staff file; rc must be want.  res (malloc'd) is
 * returned for the caller to check and free. */
static inline struct people_result *tp_staff(struct testdomain *t, const char *path, bool dry,
                                             int want)
{
	struct people_opts o = {
	    .dry_run = dry, .pseudonym_key = tp_pkey(), .audit_key = t->key, .clk = &t->clk.clock};
	struct people_result *res = xcalloc(1, sizeof *res);
	struct cadre_err e;
	int rc = people_import(&t->sys, t->db, path, &o, res, &e);
	if (rc != want)
		fail_msg("people_import %s: %d, expected %d: %s", path, rc, want, e.msg);
	return res;
}

/* tp_ledger: import an establishment or temporary-staffing file. */
static inline struct ledger_result *tp_ledger(struct testdomain *t, enum ledger_kind kind,
                                              const char *path, int want)
{
	struct ledger_opts o = {.audit_key = t->key, .clk = &t->clk.clock};
	struct ledger_result *res = xcalloc(1, sizeof *res);
	struct cadre_err e;
	int rc = ledger_import(&t->sys, t->db, kind, path, &o, res, &e);
	if (rc != want)
		fail_msg("ledger_import %s: %d, expected %d: %s", path, rc, want, e.msg);
	return res;
}

/* tp_first_problem: the first problem as FILE:LINE:COLUMN: reason. */
static inline const char *tp_first_problem(const struct import_problems *p)
{
	static char line[1024];
	if (!p->n)
		return "";
	import_problem_format(&p->v[0], line, sizeof line);
	return line;
}

/* ---- snapshots ---------------------------------------------------------------------- */

#define TP_COUNT(table)                                                                            \
	static const struct store_sql tp_q_##table = {"tp_count_" #table,                          \
	                                              "SELECT COUNT(*) FROM " #table, NULL}

TP_COUNT(person);
TP_COUNT(staff);
TP_COUNT(staff_history);
TP_COUNT(assignment);
TP_COUNT(assignment_history);
TP_COUNT(staff_extract);
TP_COUNT(people_import);
TP_COUNT(org_stats_staff);
TP_COUNT(cost_centre);
TP_COUNT(establishment);
TP_COUNT(temporary_staffing);
TP_COUNT(org_stats_establishment);
TP_COUNT(org_stats_temporary);
TP_COUNT(org);
TP_COUNT(org_edge);
TP_COUNT(audit_entry);

static const struct store_sql tp_q_generation = {
    "tp_generation", "SELECT generation FROM people_state WHERE id = 1", NULL};

struct tp_snap {
	int64_t n[17];
};

static inline struct tp_snap tp_snapshot(struct testdomain *t)
{
	const struct store_sql *q[] = {&tp_q_person,
	                               &tp_q_staff,
	                               &tp_q_staff_history,
	                               &tp_q_assignment,
	                               &tp_q_assignment_history,
	                               &tp_q_staff_extract,
	                               &tp_q_people_import,
	                               &tp_q_org_stats_staff,
	                               &tp_q_cost_centre,
	                               &tp_q_establishment,
	                               &tp_q_temporary_staffing,
	                               &tp_q_org_stats_establishment,
	                               &tp_q_org_stats_temporary,
	                               &tp_q_org,
	                               &tp_q_org_edge,
	                               &tp_q_audit_entry,
	                               &tp_q_generation};
	struct tp_snap s;
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
		s.n[i] = testdomain_count(t->db, q[i]);
	return s;
}

static inline void tp_same(struct tp_snap a, struct tp_snap b)
{
	static const char *const names[] = {"person",
	                                    "staff",
	                                    "staff_history",
	                                    "assignment",
	                                    "assignment_history",
	                                    "staff_extract",
	                                    "people_import",
	                                    "org_stats_staff",
	                                    "cost_centre",
	                                    "establishment",
	                                    "temporary_staffing",
	                                    "org_stats_establishment",
	                                    "org_stats_temporary",
	                                    "org",
	                                    "org_edge",
	                                    "audit_entry",
	                                    "people_state.generation"};
	for (size_t i = 0; i < sizeof a.n / sizeof a.n[0]; i++)
		if (a.n[i] != b.n[i])
			fail_msg("%s: %lld rows before, %lld after", names[i], (long long)a.n[i],
			         (long long)b.n[i]);
}

#endif
