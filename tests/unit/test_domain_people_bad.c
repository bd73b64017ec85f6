#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/mem.h"
#include "domain/people.h"
#include "io/config.h"
#include "store/store.h"
#include "testdomain.h"
#include "testorg.h"
#include "testpeople.h"

/* Bad input: each a clear message with its position, nothing written.
 * The fixture files are tests/fixtures/staff/ (README.md there). */

static char *fixture(const char *name)
{
	char rel[256];
	(void)snprintf(rel, sizeof rel, "tests/fixtures/staff/%s", name);
	return testorg_path(rel);
}

/* reject: importing path fails with first problem "path:LINE:COL: reason"
 * (col 0: "path:LINE: reason"), and nothing is written. */
static void reject(struct testdomain *t, const char *path, long line, long col, const char *reason)
{
	struct tp_snap before = tp_snapshot(t);
	struct people_result *r = tp_staff(t, path, false, CADRE_EINVAL);
	char want[2048];
	if (col)
		(void)snprintf(want, sizeof want, "%s:%ld:%ld: %s", path, line, col, reason);
	else if (line)
		(void)snprintf(want, sizeof want, "%s:%ld: %s", path, line, reason);
	else
		(void)snprintf(want, sizeof want, "%s: %s", path, reason);
	if (strcmp(tp_first_problem(&r->problems), want) != 0)
		fail_msg("%s:\n got: %s\nwant: %s", path, tp_first_problem(&r->problems), want);
	free(r);
	tp_same(before, tp_snapshot(t));
}

static void reject_fixture(struct testdomain *t, const char *name, long line, long col,
                           const char *reason)
{
	char *p = fixture(name);
	reject(t, p, line, col, reason);
	free(p);
}

#define H PEOPLE_HEADER "\n"
#define TOP                                                                                        \
	"A1,100,QQ100001A,Ann Top,,RXC,RXC1001,RXC1001-0001,G4S,08,VSM,37.50,1.0000,permanent,"    \
	"2015-01-01,,,1970,F,A,no,,,,,4,2025-03-31\n"
/* NURSE(ref, staff, ni, manager, grade, cat, start, end, reason, birth, prof, body, qual,
 * stage, extract) */
#define ROW(ref, staff, ni, mgr, occ, esr, grade, hours, fte, cat, end, reason, prof, body, qual,  \
            stage, extract)                                                                        \
	ref "," staff "," ni ",Some One," mgr ",RXC,RXC1001,RXC1001-" ref "," occ "," esr          \
	    "," grade "," hours "," fte "," cat ",2018-05-01," end "," reason ",1985,F,H,no," prof \
	    "," body "," qual "," stage ",1," extract "\n"
#define NURSE(ref, staff, ni, mgr)                                                                 \
	ROW(ref, staff, ni, mgr, "N1C", "03", "AFC-5-2", "37.50", "1.0000", "permanent", "", "",   \
	    "nursing_adult", "NMC", "2007", "", "2025-03-31")

struct inline_case {
	const char *name;
	const char *content;
	long line, col;
	const char *reason;
};

static const struct inline_case inline_cases[] = {
    {"self-manager", H TOP NURSE("A2", "101", "QQ100002A", "101"), 3, 27,
     "manager_staff_ref '101' is the person themself"},
    {"manager-loop",
     H TOP NURSE("A2", "101", "QQ100002A", "102") NURSE("A3", "102", "QQ100003A", "101"), 4, 27,
     "manager_staff_ref '101': following managers from staff_ref 102 of RXC comes back to 101: "
     "managers never loop"},
    {"two-tops", H TOP NURSE("A2", "101", "QQ100002A", ""), 3, 27,
     "manager_staff_ref is empty, as it is for staff_ref 100 (line 2): only the top of RXC (its "
     "chief executive) has no manager"},
    {"identifier-twice", H TOP NURSE("A2", "101", "QQ100001A", "100"), 3, 8,
     "national_identifier is also that of staff_ref 100 of RXC (line 2): one staff_ref per "
     "person within an organisation"},
    {"identifier-differs",
     H TOP NURSE("A2", "101", "QQ100002A", "100") NURSE("A3", "101", "QQ100003A", "100"), 4, 8,
     "national_identifier differs from line 3 for staff_ref 101 of RXC: one person's rows "
     "agree"},
    {"bad-identifier", H TOP NURSE("A2", "101", "QQ 10002A", "100"), 3, 8,
     "national_identifier: not a National Insurance number (two capital letters, six digits, "
     "A-D; no spaces)"},
    {"extract-dates-differ",
     H TOP ROW("A2", "101", "QQ100002A", "100", "N1C", "03", "AFC-5-2", "37.50", "1.0000",
               "permanent", "", "", "nursing_adult", "NMC", "2007", "", "2025-04-30"),
     3, 143,
     "extract_date 2025-04-30 differs from 2025-03-31 on line 2: one extract date per file"},
    {"locum-afc",
     H TOP ROW("A2", "101", "QQ100002A", "100", "N1C", "03", "AFC-5-2", "37.50", "1.0000", "locum",
               "", "", "nursing_adult", "NMC", "2007", "", "2025-03-31"),
     3, 82, "assignment_category 'locum' needs a medical grade (MED-...), not AFC-5-2"},
    {"bank-with-hours",
     H TOP ROW("A2", "101", "QQ100002A", "100", "N1C", "03", "AFC-5-2", "37.50", "1.0000", "bank",
               "", "", "nursing_adult", "NMC", "2007", "", "2025-03-31"),
     3, 69, "contracted_hours '37.50': a bank assignment has 0 hours"},
    {"ended-without-reason",
     H TOP ROW("A2", "101", "QQ100002A", "100", "N1C", "03", "AFC-5-2", "37.50", "1.0000",
               "permanent", "2024-12-31", "", "nursing_adult", "NMC", "2007", "", "2025-03-31"),
     3, 114,
     "leaving_reason is empty, but the assignment ended on 2024-12-31, on or before the extract "
     "date"},
    {"reason-while-open",
     H TOP ROW("A2", "101", "QQ100002A", "100", "N1C", "03", "AFC-5-2", "37.50", "1.0000",
               "permanent", "", "retirement_age", "nursing_adult", "NMC", "2007", "", "2025-03-31"),
     3, 104,
     "leaving_reason 'retirement_age' is given, but the assignment has not ended by the extract "
     "date"},
    {"wrong-body",
     H TOP ROW("A2", "101", "QQ100002A", "100", "N1C", "03", "AFC-5-2", "37.50", "1.0000",
               "permanent", "", "", "nursing_adult", "HCPC", "2007", "", "2025-03-31"),
     3, 131, "registration_body 'HCPC' is not the body of nursing_adult (NMC)"},
    {"qualified-too-young",
     H TOP ROW("A2", "101", "QQ100002A", "100", "N1C", "03", "AFC-5-2", "37.50", "1.0000",
               "permanent", "", "", "nursing_adult", "NMC", "1990", "", "2025-03-31"),
     3, 135,
     "qualification_year '1990': not from birth_year + 16 (2001) to the extract year (2025)"},
    {"stage-needs-grade",
     H TOP ROW("A2", "101", "QQ100002A", "100", "N1C", "03", "AFC-5-2", "37.50", "1.0000",
               "permanent", "", "", "nursing_adult", "NMC", "2007", "ST4", "2025-03-31"),
     3, 140, "training_stage 'ST4' needs grade MED-STR, not AFC-5-2"},
    {"unknown-esr-group",
     H TOP ROW("A2", "101", "QQ100002A", "100", "N1C", "11", "AFC-5-2", "37.50", "1.0000",
               "permanent", "", "", "nursing_adult", "NMC", "2007", "", "2025-03-31"),
     3, 58,
     "esr_staff_group '11': not an ESR staff group (data/workforce/esr-staff-groups.csv: 01-10)"},
    {"no-rows", H, 0, 0, "no assignments in the file"},
    {"empty", "", 0, 0, "empty file: no header"},
};

static void test_bad_files(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	tp_setup(t, dir);
	/* the fixture files */
	reject_fixture(t, "missing-column.csv", 1, 46,
	               "header: column 4 is 'manager_staff_ref', expected 'display_name' (the 27 "
	               "columns of docs/formats.md section A, in that order)");
	reject_fixture(
	    t, "extra-column.csv", 1, 365,
	    "header: extra column 28 'notes' (the 27 columns of docs/formats.md section A, "
	    "in that order)");
	reject_fixture(
	    t, "misspelt-column.csv", 1, 86,
	    "header: column 7 is 'cost_center_code', expected 'cost_centre_code' (the 27 "
	    "columns of docs/formats.md section A, in that order)");
	reject_fixture(t, "bad-date.csv", 3, 95,
	               "start_date '2024-02-30': not a date (YYYY-MM-DD, a real day in 1900-2099)");
	reject_fixture(t, "dd-mm-yyyy-date.csv", 3, 95,
	               "start_date '01/05/2018': not a date (YYYY-MM-DD, a real day in 1900-2099)");
	reject_fixture(t, "unknown-organisation.csv", 3, 32,
	               "org_code 'RZZ': no such organisation (data/ods, or loaded organisations)");
	reject_fixture(t, "unknown-cost-centre.csv", 3, 36,
	               "cost_centre_code 'RXC9999': not in the cost-centre map of RXC (import it "
	               "with `cadre import cost-centres`)");
	reject_fixture(
	    t, "unknown-occupation-code.csv", 3, 57,
	    "occupation_code '1A2': not an NHS occupation code (three digits, or a capital "
	    "letter and two capital letters or digits)");
	reject_fixture(t, "unknown-grade.csv", 3, 64,
	               "grade 'AFC-5-4': band 5 has pay points 1-3 in 2024/25");
	reject_fixture(
	    t, "unknown-medical-grade.csv", 3, 65,
	    "grade 'MED-XYZ': XYZ is not a medical grade of the reference data (AS, CONS, "
	    "CT, FY1, FY2, HPCA, OTHER, SD, SG, SPEC, STR)");
	reject_fixture(t, "negative-fte.csv", 3, 72, "contracted_hours '-18.75': negative");
	reject_fixture(t, "absurd-fte.csv", 3, 72,
	               "contracted_hours '75.00': over 60 hours a week");
	reject_fixture(t, "absurd-hours.csv", 3, 72,
	               "contracted_hours '80.00': over 60 hours a week");
	reject_fixture(
	    t, "fte-hours-disagree.csv", 3, 78,
	    "fte '0.8000' does not match contracted_hours '37.50': full time is 37.5 hours "
	    "a week for grade AFC-5-2, so 37.50 hours is 1.0000 FTE");
	reject_fixture(t, "manager-is-no-one.csv", 3, 28,
	               "manager_staff_ref '999': no one of RXC has that staff_ref in this file");
	reject_fixture(t, "birth-year-changes.csv", 4, 108,
	               "birth_year 1986 differs from 1985 on line 3 for staff_ref 101 of RXC: a "
	               "person's birth year never changes");
	reject_fixture(t, "duplicate-assignment.csv", 4, 1,
	               "assignment_ref 'A2' is listed twice (first at line 3): one row per "
	               "assignment");
	/* a quoted line break is read as such: here it is a control character in
	 * a name (refused), and the next record's line is its physical line */
	reject_fixture(t, "quoted-newline.csv", 3, 18,
	               "display_name: longer than 100 characters or holds a control character");
	reject_fixture(t, "truncated.csv", 3, 61, "10 fields, expected 27");
	reject_fixture(t, "truncated-in-quotes.csv", 3, 18,
	               "quote opened here is not closed before the end of the input");
	reject_fixture(t, "invalid-utf8.csv", 3, 22,
	               "invalid UTF-8 byte 0xFF (save the file as CSV UTF-8)");
	/* both problems of a file are reported, in order */
	char *p = fixture("quoted-newline.csv");
	struct people_result *r = tp_staff(t, p, false, CADRE_EINVAL);
	assert_int_equal(r->problems.n, 2);
	char got[1024], want[1024];
	import_problem_format(&r->problems.v[1], got, sizeof got);
	(void)snprintf(want, sizeof want,
	               "%s:5:97: start_date '2010-09-31': not a date (YYYY-MM-DD, a real day in "
	               "1900-2099)",
	               p);
	assert_string_equal(got, want);
	free(r);
	free(p);
	p = fixture("negative-fte.csv");
	r = tp_staff(t, p, false, CADRE_EINVAL);
	assert_int_equal(r->problems.n, 2);
	import_problem_format(&r->problems.v[1], got, sizeof got);
	(void)snprintf(want, sizeof want, "%s:3:79: fte '-0.5000': negative", p);
	assert_string_equal(got, want);
	free(r);
	free(p);
	p = fixture("absurd-fte.csv");
	r = tp_staff(t, p, false, CADRE_EINVAL);
	import_problem_format(&r->problems.v[1], got, sizeof got);
	(void)snprintf(want, sizeof want, "%s:3:78: fte '2.0000': over 1.5", p);
	assert_string_equal(got, want);
	free(r);
	free(p);

	/* the inline cases */
	for (size_t i = 0; i < sizeof inline_cases / sizeof inline_cases[0]; i++) {
		const struct inline_case *c = &inline_cases[i];
		char name[64];
		(void)snprintf(name, sizeof name, "%s.csv", c->name);
		char *path = tp_write(dir, name, c->content);
		reject(t, path, c->line, c->col, c->reason);
		free(path);
	}

	/* --as-of: the extract date the file must carry */
	p = fixture("valid.csv");
	struct people_opts o = {.expect_extract = "2025-04-30",
	                        .pseudonym_key = tp_pkey(),
	                        .audit_key = t->key,
	                        .clk = &t->clk.clock};
	r = xcalloc(1, sizeof *r);
	struct cadre_err e;
	assert_int_equal(people_import(&t->sys, t->db, p, &o, r, &e), CADRE_EINVAL);
	(void)snprintf(want, sizeof want,
	               "%s:2:117: extract_date 2025-03-31 is not the --as-of date 2025-04-30", p);
	assert_string_equal(tp_first_problem(&r->problems), want);
	free(r);
	free(p);

	/* a code of a matrix the reference data lists one by one is unknown */
	static const struct store_sql q_occ = {
	    "t_occ_x",
	    "INSERT INTO occupation_code (code, rule, name, status, source) VALUES "
	    "('X1A', 'exact', 'test', 'published', 'test')",
	    NULL};
	testdomain_exec(t->db, &q_occ);
	char *x = tp_write(dir, "matrix.csv",
	                   H TOP ROW("A2", "101", "QQ100002A", "100", "X9Z", "03", "AFC-5-2",
	                             "37.50", "1.0000", "permanent", "", "", "nursing_adult", "NMC",
	                             "2007", "", "2025-03-31"));
	reject(
	    t, x, 3, 54,
	    "occupation_code 'X9Z': unknown: the reference data lists the X codes one by one and "
	    "this is not one of them (data/workforce/occupation-codes.csv)");
	free(x);

	/* a file that is not there */
	struct tp_snap before = tp_snapshot(t);
	r = tp_staff(t, "/nonexistent/staff.csv", false, CADRE_ENOTFOUND);
	free(r);
	tp_same(before, tp_snapshot(t));
	tp_rmdir(dir);
}

static void test_accepted(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	tp_setup(t, dir);
	/* a byte-order mark, CRLF line ends, a quoted comma: the same data */
	const char *names[] = {"valid.csv", "bom.csv", "crlf.csv"};
	for (int i = 0; i < 3; i++) {
		char *p = fixture(names[i]);
		struct people_result *r = tp_staff(t, p, false, CADRE_OK);
		assert_int_equal(r->rows, 3);
		assert_true(i == 0 ? !r->no_change : r->no_change);
		free(r);
		free(p);
	}
	static const struct store_sql q_name = {
	    "t_name", "SELECT display_name FROM staff WHERE staff_ref = '102'", NULL};
	struct store_stmt *st;
	struct cadre_err e;
	assert_int_equal(store_prepare(t->db, &q_name, &st, &e), CADRE_OK);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	assert_string_equal(store_col_text(st, 0), "Cole, Dr");
	store_reset(st);
	/* a spreadsheet-neutralised name loses its quote */
	char *n =
	    tp_write(dir, "neutral.csv",
	             H TOP "A2,101,QQ100002A,'=Bea,100,RXC,RXC1001,RXC1001-0002,N1C,03,AFC-5-2,"
	                   "37.50,1.0000,permanent,2018-05-01,,,1985,F,H,no,nursing_adult,NMC,"
	                   "2007,,1,2025-03-31\n");
	free(tp_staff(t, n, false, CADRE_OK));
	static const struct store_sql q_name2 = {
	    "t_name2", "SELECT display_name FROM staff WHERE staff_ref = '101'", NULL};
	assert_int_equal(store_prepare(t->db, &q_name2, &st, &e), CADRE_OK);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	assert_string_equal(store_col_text(st, 0), "=Bea");
	store_reset(st);
	free(n);
	tp_rmdir(dir);
}

/* write_huge: a file whose third line is 100 MB, written in 1 MiB chunks:
 * one field of it all, or fields of 60,000 bytes. */
static void write_huge(const char *path, bool one_field)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	(void)fputs(H TOP "A2,101,QQ100002A,", f);
	size_t chunk_n = 1 << 20;
	char *chunk = xmalloc(chunk_n);
	memset(chunk, 'x', chunk_n);
	if (!one_field)
		for (size_t i = 60000; i < chunk_n; i += 60001)
			chunk[i] = ',';
	for (int i = 0; i < 100; i++)
		assert_int_equal(fwrite(chunk, 1, chunk_n, f), chunk_n);
	(void)fputs(",100,RXC\n", f);
	(void)fclose(f);
	free(chunk);
}

/* a 100 MB line: refused at the reader's caps (a field of 64 KiB, a record
 * of 1 MiB), without reading it all into memory */
static void test_huge_line(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	tp_setup(t, dir);
	char path[128];
	(void)snprintf(path, sizeof path, "%s/huge.csv", dir);
	struct rusage before, after;
	write_huge(path, true);
	assert_int_equal(getrusage(RUSAGE_SELF, &before), 0);
	reject(t, path, 3, 18, "field longer than 65536 bytes");
	write_huge(path, false);
	reject(t, path, 3, 1, "record longer than 1048576 bytes");
	assert_int_equal(getrusage(RUSAGE_SELF, &after), 0);
	/* peak memory grew by far less than the line (kilobytes) */
	assert_true(after.ru_maxrss - before.ru_maxrss < 50 * 1024);
	tp_rmdir(dir);
}

/* ---- the real binary -------------------------------------------------------------------- */

static int run(const char *cmd, struct buf *out)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char chunk[4096];
	size_t n;
	struct cadre_err e;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		assert_int_equal(buf_append(out, chunk, n, &e), CADRE_OK);
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_cli_binary(void **state)
{
	(void)state;
	char exe[4096], bin[4200];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	(void)snprintf(bin, sizeof bin, "%s/../../cadre", exe);
	assert_int_equal(access(bin, X_OK), 0);
	const char *dir = tp_dir();
	char secrets[128], db[128];
	(void)snprintf(secrets, sizeof secrets, "%s/secrets.ini", dir);
	(void)snprintf(db, sizeof db, "%s/t.db", dir);
	struct cadre_err e;
	assert_int_equal(config_secrets_generate(secrets, &e), CADRE_OK);
	char *data = testorg_path("data");
	assert_int_equal(setenv("CADRE_SECRETS_FILE", secrets, 1), 0);
	assert_int_equal(setenv("CADRE_DATA_DIR", data, 1), 0);
	(void)unsetenv("CADRE_CONFIG");
	(void)unsetenv("CADRE_DB");
	char *cc = tp_write(dir, "cost-centres.csv", TP_COST_CENTRES);
	char cmd[16384];
	struct buf out;
	buf_init(&out, 1 << 20);
	(void)snprintf(cmd, sizeof cmd,
	               "cd %s && '%s' --db '%s' init >/dev/null 2>&1 && '%s' --db '%s' import "
	               "cost-centres --from 2024-04 '%s' 2>&1",
	               dir, bin, db, bin, db, cc);
	if (run(cmd, &out) != 0)
		fail_msg("init and cost centres: %s", buf_cstr(&out));
	/* bad files: exit code 1, every problem on stderr, nothing written */
	const char *bad[] = {"bad-date.csv", "unknown-cost-centre.csv", "manager-is-no-one.csv",
	                     "truncated.csv"};
	const char *why[] = {
	    "3:95: start_date '2024-02-30': not a date (YYYY-MM-DD, a real day in 1900-2099)",
	    "3:36: cost_centre_code 'RXC9999': not in the cost-centre map of RXC (import it with "
	    "`cadre import cost-centres`)",
	    "3:28: manager_staff_ref '999': no one of RXC has that staff_ref in this file",
	    "3:61: 10 fields, expected 27"};
	for (int i = 0; i < 4; i++) {
		char *p = fixture(bad[i]);
		buf_reset(&out);
		(void)snprintf(cmd, sizeof cmd, "cd %s && '%s' --db '%s' import staff '%s' 2>&1",
		               dir, bin, db, p);
		assert_int_equal(run(cmd, &out), 1);
		char want[1024];
		(void)snprintf(
		    want, sizeof want,
		    "%s:%s\ncadre import staff: rejected: 1 problem; nothing was written\n", p,
		    why[i]);
		assert_string_equal(buf_cstr(&out), want);
		free(p);
	}
	/* the good one, then the same again: no change */
	char *p = fixture("valid.csv");
	buf_reset(&out);
	(void)snprintf(cmd, sizeof cmd, "cd %s && '%s' --db '%s' import staff '%s' 2>&1", dir, bin,
	               db, p);
	assert_int_equal(run(cmd, &out), 0);
	assert_non_null(strstr(buf_cstr(&out), "imported 3 assignments of 1 organisation, extract "
	                                       "of 2025-03-31"));
	buf_reset(&out);
	assert_int_equal(run(cmd, &out), 0);
	assert_non_null(strstr(buf_cstr(&out), "no change: the 3 assignments"));
	/* and the summary reads it */
	buf_reset(&out);
	(void)snprintf(cmd, sizeof cmd,
	               "cd %s && '%s' --db '%s' staff summary --org RXC --json 2>&1", dir, bin, db);
	assert_int_equal(run(cmd, &out), 0);
	assert_non_null(strstr(buf_cstr(&out), "\"headcount\": 3"));
	free(p);
	buf_free(&out);
	free(cc);
	free(data);
	tp_rmdir(dir);
}

#define BOTH(f)                                                                                    \
	{#f "(sqlite)", f, testdomain_setup_sqlite, testdomain_teardown, NULL},                    \
	{                                                                                          \
#f "(postgresql)", f, testdomain_setup_pg, testdomain_teardown, NULL               \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_bad_files),
	    BOTH(test_accepted),
	    {"test_huge_line(sqlite)", test_huge_line, testdomain_setup_sqlite, testdomain_teardown,
	     NULL},
	    cmocka_unit_test(test_cli_binary),
	};
	return cmocka_run_group_tests_name("domain_people_bad", tests, NULL, NULL);
}
