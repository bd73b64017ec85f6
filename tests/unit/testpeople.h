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
	    "\n"                                                                                   \
	    "RXC,RXC1001,Elderly Care,W001,Elderly Care,D1,Medicine,adult_inpatient\n"             \
	    "RXC,RXC1002,Cardiology Doctors,T001,Cardiology,D1,Medicine,medical_staffing\n"        \
	    "RXC,RXC2001,Surgical Ward,W002,Surgical Ward,D2,Surgery,adult_inpatient\n"            \
	    "RXC,RXC2002,Theatre Admin,W002,Surgical Ward,D2,Surgery,adult_inpatient\n"            \
	    "RYR,RYR1001,Acute Medicine,W001,Acute Medicine,D1,Medicine,assessment_unit\n"         \
	    "RJ1,RJ11001,Renal,W001,Renal,D1,Medicine,adult_inpatient\n"

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
