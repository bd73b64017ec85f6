/* Tests for the history import: every class of bad input is reported at its
 * FILE:LINE:COLUMN and writes nothing; good files load, are audited once and
 * re-load idempotently.  Both stores. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/mem.h"
#include "domain/history.h"
#include "domain/sickness.h"
#include "io/config.h"
#include "testdomain.h"
#include "testorg.h"
#include "testpeople.h"

#define WARD_HEAD                                                                                  \
	"date,org_code,ward_team_code,fte_days_lost,fte_days_available,"                           \
	"sickness_absence_rate_percent\n"
#define WARD_OK "2024-04-30,RXC,W001,10,200,5.00\n"
#define VAC_HEAD                                                                                   \
	"month,org_code,staff_group,establishment_wte,contracted_wte,vacancy_wte,"                 \
	"vacancy_rate_percent\n"
#define TMP_HEAD "month,org_code,staff_group,staffing_type,framework,hours,shifts,spend_gbp\n"
#define SICK_HEAD                                                                                  \
	"date,nhse_region_code,nhse_region_name,ics_code,ics_name,org_code,org_name,org_type,"     \
	"fte_days_lost,fte_days_available,sickness_absence_rate_percent\n"

static const struct store_sql q_counts[] = {
    {"h_n1", "SELECT COUNT(*) FROM sickness_absence", NULL},
    {"h_n2", "SELECT COUNT(*) FROM stat_import", NULL},
    {"h_n3", "SELECT COUNT(*) FROM history_import", NULL},
    {"h_n4", "SELECT COUNT(*) FROM sickness_ward_history", NULL},
    {"h_n5", "SELECT COUNT(*) FROM vacancy_history", NULL},
    {"h_n6", "SELECT COUNT(*) FROM temporary_staffing_history", NULL},
    {"h_n7", "SELECT COUNT(*) FROM audit_entry", NULL},
    {"h_n8", "SELECT COUNT(*) FROM org_ancestor", NULL},
    {"h_n9", "SELECT COUNT(*) FROM org_stats_staff", NULL},
};
#define NCOUNTS (sizeof q_counts / sizeof q_counts[0])

struct snap {
	int64_t n[NCOUNTS];
};

static struct snap snap(struct testdomain *t)
{
	struct snap s;
	for (size_t i = 0; i < NCOUNTS; i++)
		s.n[i] = testdomain_count(t->db, &q_counts[i]);
	return s;
}

static void same(struct snap a, struct snap b)
{
	for (size_t i = 0; i < NCOUNTS; i++)
		if (a.n[i] != b.n[i])
			fail_msg("%s: %lld before, %lld after", q_counts[i].sql, (long long)a.n[i],
			         (long long)b.n[i]);
}

struct fx {
	struct testdomain *t;
	char dir[64];
};

static int64_t import(struct fx *x, const char *content, size_t len, bool dry, int want,
                      struct history_result *res)
{
	char path[128];
	(void)snprintf(path, sizeof path, "%s/h.csv", x->dir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, len, f), len);
	(void)fclose(f);
	struct history_opts o = {
	    .dry_run = dry, .synthetic = true, .audit_key = x->t->key, .clk = &x->t->clk.clock};
	struct cadre_err e;
	int rc = history_import(&x->t->sys, x->t->db, path, &o, res, &e);
	if (rc != want)
		fail_msg("history_import: %d, expected %d: %s", rc, want, e.msg);
	return res->rows;
}

/* reject: content must be refused with its first problem at line and at
 * the column where field starts on that line (col 0 / field NULL: the
 * whole line or file), reason containing want, and nothing written. */
static void reject_n(struct fx *x, const char *content, size_t len, long line, const char *field,
                     const char *want)
{
	struct snap before = snap(x->t);
	struct history_result *res = xcalloc(1, sizeof *res);
	(void)import(x, content, len, false, CADRE_EINVAL, res);
	assert_true(res->problems.n >= 1);
	const struct import_problem *p = &res->problems.v[0];
	long col = 0;
	if (field) {
		const char *ls = content;
		for (long l = 1; l < line; l++)
			ls = strchr(ls, '\n') + 1;
		const char *at = strstr(ls, field);
		if (!at)
			fail_msg("fixture: '%s' not on line %ld", field, line);
		col = (long)(at - ls) + 1;
	}
	char got[1024];
	import_problem_format(p, got, sizeof got);
	if (p->line != line || (field && p->col != col) || !strstr(p->reason, want))
		fail_msg("got '%s', expected line %ld column %ld: ...%s...", got, line, col, want);
	assert_non_null(strstr(p->file, "h.csv"));
	free(res);
	same(before, snap(x->t));
}

static void reject(struct fx *x, const char *content, long line, const char *field,
                   const char *want)
{
	reject_n(x, content, strlen(content), line, field, want);
}

static void test_bad_input(void **state)
{
	struct fx x = {.t = *state};
	(void)snprintf(x.dir, sizeof x.dir, "%s", tp_dir());
	tp_setup(x.t, x.dir);

	/* headers: missing, extra, misspelt columns; another file's header */
	reject(&x,
	       "date,org_code,ward_team_code,fte_days_lost,fte_days_available\n"
	       "2024-04-30,RXC,W001,10,200\n",
	       1, "fte_days_available",
	       "header of sickness-absence-wards.csv: column 6 'sickness_absence_rate_percent' is "
	       "missing");
	reject(&x,
	       "date,org_code,ward_team_code,fte_days_lost,fte_days_available,"
	       "sickness_absence_rate_percent,extra\n" WARD_OK,
	       1, "extra", "extra column 7 'extra'");
	reject(&x,
	       "date,org_code,ward_code,fte_days_lost,fte_days_available,"
	       "sickness_absence_rate_percent\n" WARD_OK,
	       1, "ward_code", "column 3 is 'ward_code', expected 'ward_team_code'");
	reject(&x, SICKNESS_HEADER "\n", 1, NULL,
	       "its header is that of NHS Sickness Absence Rates");
	reject(&x, "a,b,c\n1,2,3\n", 1, NULL, "header is none of the history files");
	reject(&x, "", 0, NULL, "empty file: no header");

	/* rows: field count, dates, codes, numbers, rates */
	reject(&x, WARD_HEAD "2024-04-30,RXC,W001,10,200\n", 2, "200", "5 fields, expected 6");
	reject(&x, WARD_HEAD "30/04/2024,RXC,W001,10,200,5.00\n", 2, "30/04",
	       "date '30/04/2024' is not a date YYYY-MM-DD");
	reject(&x, WARD_HEAD "2024-04-29,RXC,W001,10,200,5.00\n", 2, "2024",
	       "is not the last day of its month");
	reject(&x, WARD_HEAD WARD_OK "2024-05-31,XYZ,W001,10,200,5.00\n", 3, "XYZ",
	       "org_code 'XYZ' is not an organisation the hierarchy knows");
	reject(&x, WARD_HEAD "2024-04-30,Y59,W001,10,200,5.00\n", 2, "Y59",
	       "org_code 'Y59' is a region, not an organisation that employs staff");
	reject(&x, WARD_HEAD "2024-04-30,RXC,W999,10,200,5.00\n", 2, "W999",
	       "ward_team_code 'W999' is not a ward or team of RXC");
	reject(&x, WARD_HEAD "2024-04-30,RXC,W001,-1,200,5.00\n", 2, "-1",
	       "fte_days_lost '-1' is not a non-negative decimal");
	reject(&x, WARD_HEAD "2024-04-30,RXC,W001,10.123456,200,5.00\n", 2, "10.1",
	       "at most 5 decimal places");
	reject(&x, WARD_HEAD "2024-04-30,RXC,W001,1e3,200,5.00\n", 2, "1e3", "'1e3' is not");
	reject(&x, WARD_HEAD "2024-04-30,RXC,W001,200000000,300000000,66.67\n", 2, "300000000",
	       "FTE days over 100000000 in a month are absurd");
	reject(&x, WARD_HEAD "2024-04-30,RXC,W001,10,200,5.01\n", 2, "5.01",
	       "sickness_absence_rate_percent 5.01 contradicts its own days: round(10 / 200 x "
	       "100, 2) = 5.00");
	reject(&x, WARD_HEAD WARD_OK "2024-04-30,RXC,W001,11,200,5.50\n", 3, "RXC",
	       "duplicate row: the same key as line 2");
	reject(&x, WARD_HEAD "2024-04-30,RXC,\"W0\n01\",10,200,5.00\n", 2, "\"W0",
	       "ward_team_code 'W0\n01' is not a code");

	/* vacancies */
	reject(&x, VAC_HEAD "2025-02,RXC,NURSE_HV,100.00,95.50,4.40,4.40\n", 2, "4.40",
	       "vacancy_wte 4.40 is not establishment - contracted = 4.50");
	reject(&x, VAC_HEAD "2025-02,RXC,NURSE_HV,100.00,95.50,4.50,4.49\n", 2, "4.49",
	       "vacancy_rate_percent 4.49 contradicts its own WTE");
	reject(&x, VAC_HEAD "2025-02,RXC,NURSE,100.00,95.50,4.50,4.50\n", 2, "NURSE",
	       "staff_group 'NURSE' is not an NHS Digital staff-group code");
	reject(&x, VAC_HEAD "2025-13,RXC,NURSE_HV,100.00,95.50,4.50,4.50\n", 2, "2025",
	       "month '2025-13' is not a month YYYY-MM");
	reject(&x, VAC_HEAD "2025-02,RXC,NURSE_HV,2000000.00,95.50,1999904.50,100.00\n", 2,
	       "2000000", "WTE over 1000000 is absurd");

	/* temporary staffing */
	reject(&x, TMP_HEAD "2025-02,RXC,NURSE_HV,agency,,10.00,1,400.00\n", 2, ",10.00",
	       "framework must be on or off for agency staffing");
	reject(&x, TMP_HEAD "2025-02,RXC,NURSE_HV,bank,on,10.00,1,400.00\n", 2, "on",
	       "framework must be empty for bank staffing");
	reject(&x, TMP_HEAD "2025-02,RXC,NURSE_HV,locum,,10.00,1,400.00\n", 2, "locum",
	       "needs a DOC_ staff group");
	reject(&x, TMP_HEAD "2025-02,RXC,NURSE_HV,bank,,10.00,1,40000\n", 2, "40000",
	       "spend_gbp '40000' is not pounds with exactly two decimals");
	reject(&x, TMP_HEAD "2025-02,RXC,NURSE_HV,temp,,10.00,1,400.00\n", 2, "temp",
	       "staffing_type 'temp' is not bank, agency, overtime or locum");
	reject(&x, TMP_HEAD "2025-02,RXC,NURSE_HV,bank,,10.00,-1,400.00\n", 2, "-1",
	       "shifts '-1' is not a whole number");

	/* organisation sickness */
	reject(&x,
	       SICK_HEAD "2024-04-30,Y99,South East,QNX,Sussex,RXC,East Sussex,Acute,10,200,5.00\n",
	       2, "Y99", "nhse_region_code 'Y99' is not a region");
	reject(&x,
	       SICK_HEAD "2024-04-30,Y59,South East,QNX,Sussex,RXC,East Sussex,Trust,10,200,5.00\n",
	       2, "Trust", "org_type 'Trust' is not one of");
	reject(&x,
	       SICK_HEAD "2024-04-30,Y59,South East,QNX,Sussex,RXC,East Sussex,Acute,10,0,0.00\n",
	       2, "0,0.00", "fte_days_available must be above 0");

	/* the file itself: truncated, invalid UTF-8, an over-long line */
	reject(&x, WARD_HEAD "2024-04-30,RXC,\"W001,10,200,5.00\n", 2, NULL, "");
	reject(&x,
	       WARD_HEAD "2024-04-30,RXC,W\xff"
	                 "01,10,200,5.00\n",
	       2, NULL, "UTF-8");
	size_t big = (size_t)2 * 1024 * 1024;
	char *huge = xmalloc(big + 256);
	int n = snprintf(huge, 256, "%s2024-04-30,RXC,W001,10,200,", WARD_HEAD);
	memset(huge + n, '5', big);
	memcpy(huge + n + big, "\n", 2);
	reject_n(&x, huge, strlen(huge), 2, NULL, "");
	free(huge);
	tp_rmdir(x.dir);
}

static const struct store_sql q_hist_row = {
    "h_row", "SELECT synthetic, audit_seq, rows_loaded FROM history_import ORDER BY id DESC", NULL};

static const struct store_sql q_audit = {
    "h_audit", "SELECT COUNT(*) FROM audit_entry WHERE action = 'import.history'", NULL};

static void test_good_files(void **state)
{
	struct fx x = {.t = *state};
	(void)snprintf(x.dir, sizeof x.dir, "%s", tp_dir());
	tp_setup(x.t, x.dir);
	/* a byte-order mark and CRLF line ends are fine */
	const char *good = "\xef\xbb\xbf"
	                   "date,org_code,ward_team_code,fte_days_lost,fte_days_available,"
	                   "sickness_absence_rate_percent\r\n"
	                   "2024-04-30,RXC,W001,10,200,5.00\r\n"
	                   "2024-04-30,RXC,T001,0,0,0.00\r\n"
	                   "2024-05-31,RYR,W001,1.5,100.00000,1.50\r\n";
	struct history_result res;
	struct snap before = snap(x.t);
	assert_int_equal(import(&x, good, strlen(good), true, CADRE_OK, &res), 3);
	assert_int_equal(res.audit_seq, 0);
	same(before, snap(x.t)); /* dry run */
	assert_int_equal(import(&x, good, strlen(good), false, CADRE_OK, &res), 3);
	assert_int_equal(res.kind, HISTORY_SICKNESS_WARDS);
	assert_int_equal(res.orgs, 2);
	assert_int_equal(res.rows_replaced, 0);
	assert_true(res.audit_seq > 0);
	assert_int_equal(testdomain_count(x.t->db, &q_audit), 1);
	struct cadre_err e;
	struct store_stmt *st;
	assert_int_equal(store_prepare(x.t->db, &q_hist_row, &st, &e), CADRE_OK);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	assert_int_equal(store_col_i64(st, 0), 1);
	assert_int_equal(store_col_i64(st, 1), res.audit_seq);
	assert_int_equal(store_col_i64(st, 2), 3);
	store_reset(st);
	/* again: the same rows, replaced */
	struct snap once = snap(x.t);
	assert_int_equal(import(&x, good, strlen(good), false, CADRE_OK, &res), 3);
	assert_int_equal(res.rows_replaced, 3);
	struct snap twice = snap(x.t);
	assert_int_equal(twice.n[3], once.n[3]);
	assert_int_equal(twice.n[6], once.n[6] + 1); /* one more audit entry */

	/* a directory: each file checked against its own name's kind */
	char p[128];
	(void)snprintf(p, sizeof p, "%s/vacancies.csv", x.dir);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	(void)fputs(good, f);
	(void)fclose(f);
	struct history_result all[HISTORY_KINDS];
	bool present[HISTORY_KINDS];
	struct history_opts o = {.audit_key = x.t->key, .clk = &x.t->clk.clock};
	assert_int_equal(history_import_dir(&x.t->sys, x.t->db, x.dir, &o, all, present, &e),
	                 CADRE_EINVAL);
	assert_true(present[HISTORY_VACANCIES]);
	assert_false(present[HISTORY_SICKNESS]);
	assert_non_null(strstr(all[HISTORY_VACANCIES].problems.v[0].reason,
	                       "its header is that of sickness-absence-wards.csv, not of "
	                       "vacancies.csv"));
	(void)remove(p);
	assert_int_equal(history_import_dir(&x.t->sys, x.t->db, x.dir, &o, all, present, &e),
	                 CADRE_ENOTFOUND);
	tp_rmdir(x.dir);
}

/* ---- the real binary: demo load and import history ----------------------------------------- */

/* run: a shell command; its output (stdout and stderr) into out. */
static int run(const char *cmd, struct buf *out)
{
	buf_reset(out);
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

static void test_cli(void **state)
{
	(void)state;
	char exe[4096], bin[4200];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	(void)snprintf(bin, sizeof bin, "%s/../../cadre", exe);
	assert_int_equal(access(bin, X_OK), 0);
	char dir[64];
	(void)snprintf(dir, sizeof dir, "%s", tp_dir());
	char secrets[128];
	(void)snprintf(secrets, sizeof secrets, "%s/secrets.ini", dir);
	struct cadre_err e;
	assert_int_equal(config_secrets_generate(secrets, &e), CADRE_OK);
	char *data = testorg_path("data");
	assert_int_equal(setenv("CADRE_SECRETS_FILE", secrets, 1), 0);
	assert_int_equal(setenv("CADRE_DATA_DIR", data, 1), 0);
	(void)unsetenv("CADRE_CONFIG");
	(void)unsetenv("CADRE_DB");
	char cmd[16384];
	struct buf out;
	buf_init(&out, 1 << 20);
	(void)snprintf(cmd, sizeof cmd,
	               "cd %s && mkdir demo && '%s' --db t.db init 2>&1 && '%s' demo generate "
	               "--scale trust --seed 1 --out demo --quiet 2>&1 && '%s' --db t.db demo load "
	               "demo 2>&1",
	               dir, bin, bin, bin);
	if (run(cmd, &out) != 0)
		fail_msg("demo load: %s", buf_cstr(&out));
	if (!strstr(buf_cstr(&out), "history (synthetic): sickness 36 organisation-months (0 "
	                            "skipped: published figures held them), 1,584 ward-months, "
	                            "vacancies 648 rows, temporary staffing 1,414 rows"))
		fail_msg("demo load said: %s", buf_cstr(&out));

	/* the KPI reads the history's months */
	(void)snprintf(cmd, sizeof cmd,
	               "cd %s && '%s' --db t.db kpi sickness --org RXC --from 2022-04 --to 2022-04 "
	               "2>&1",
	               dir, bin);
	assert_int_equal(run(cmd, &out), 0);
	if (!strstr(buf_cstr(&out), "2022-04         11,566.97         212,113.50    5.45      1"))
		fail_msg("kpi said: %s", buf_cstr(&out));

	/* the directory again: the same rows, replaced */
	(void)snprintf(cmd, sizeof cmd,
	               "cd %s && '%s' --db t.db import history --synthetic demo 2>&1", dir, bin);
	assert_int_equal(run(cmd, &out), 0);
	if (!strstr(buf_cstr(&out), "imported sickness-absence.csv: 36 rows for 1 organisation, "
	                            "2022-04 to 2025-03; 36 replaced, 0 skipped"))
		fail_msg("import history said: %s", buf_cstr(&out));

	/* a bad file: its problem at FILE:LINE:COLUMN, exit 1 */
	(void)snprintf(cmd, sizeof cmd,
	               "cd %s && printf '" VAC_HEAD "2025-02,RXC,NURSE_HV,1,2,3,4\\n' > bad.csv && "
	               "'%s' --db t.db import history bad.csv 2>&1",
	               dir, bin);
	assert_int_equal(run(cmd, &out), 1);
	assert_string_equal(
	    buf_cstr(&out),
	    "bad.csv:2:26: vacancy_wte 3 is not establishment - contracted = "
	    "-1.00\ncadre import history: rejected: 1 problem; nothing of that file "
	    "was written\n");
	free(data);
	buf_free(&out);
	tp_rmdir(dir);
}

#define BOTH(f)                                                                                    \
	cmocka_unit_test_setup_teardown(f, testdomain_setup_sqlite, testdomain_teardown),          \
	    cmocka_unit_test_setup_teardown(f, testdomain_setup_pg, testdomain_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_bad_input),
	    BOTH(test_good_files),
	    cmocka_unit_test(test_cli),
	};
	return cmocka_run_group_tests_name("domain_history", tests, NULL, NULL);
}
