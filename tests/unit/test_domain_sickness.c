#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/num.h"
#include "domain/audit.h"
#include "domain/org.h"
#include "domain/sickness.h"
#include "io/config.h"
#include "io/csv.h"
#include "store/store.h"
#include "testdomain.h"
#include "testorg.h"

/* ---- the published rows, read by the test itself ------------------------- */

struct pub {
	int month;
	char region[8], ics[8], org[8];
	double lost, avail;
	int64_t rate_h; /* the published rate in hundredths */
};

struct pubset {
	struct pub *v;
	size_t n;
};

static void read_pub(const char *path, struct pubset *s)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct csv_reader *r;
	struct cadre_err e;
	assert_int_equal(csv_reader_open_file(&r, f, NULL, &e), CADRE_OK);
	bool header = true;
	int rc;
	while ((rc = csv_reader_next(r, &e)) == CADRE_OK) {
		if (header) {
			header = false;
			continue;
		}
		assert_int_equal(csv_reader_count(r), 11);
		const struct csv_field *fl = csv_reader_fields(r);
		s->v = xreallocarray(s->v, s->n + 1, sizeof *s->v);
		struct pub *p = &s->v[s->n++];
		memset(p, 0, sizeof *p);
		/* DD/MM/YYYY */
		int64_t y, m;
		assert_int_equal(num_parse_i64(fl[0].s + 6, 4, &y, &e), CADRE_OK);
		assert_int_equal(num_parse_i64(fl[0].s + 3, 2, &m, &e), CADRE_OK);
		p->month = (int)(y * 100 + m);
		(void)snprintf(p->region, sizeof p->region, "%s", fl[1].s);
		(void)snprintf(p->ics, sizeof p->ics, "%s", fl[3].s);
		(void)snprintf(p->org, sizeof p->org, "%s", fl[5].s);
		assert_int_equal(num_parse_double(fl[8].s, fl[8].len, &p->lost, &e), CADRE_OK);
		assert_int_equal(num_parse_double(fl[9].s, fl[9].len, &p->avail, &e), CADRE_OK);
		assert_int_equal(num_parse_fixed(fl[10].s, fl[10].len, 2, &p->rate_h, &e),
		                 CADRE_OK);
	}
	assert_int_equal(rc, CADRE_DONE);
	csv_reader_free(r);
	(void)fclose(f);
}

/* sums: the rows of the set matching a filter, summed here. */
struct sums {
	double lost, avail;
	int64_t rows;
};

enum by { BY_ALL, BY_REGION, BY_ICS };

static struct sums sum_of(const struct pubset *s, enum by by, const char *code, int from, int to)
{
	struct sums x = {0};
	for (size_t i = 0; i < s->n; i++) {
		const struct pub *p = &s->v[i];
		if (p->month < from || p->month > to)
			continue;
		if (by == BY_REGION && strcmp(p->region, code) != 0)
			continue;
		if (by == BY_ICS && strcmp(p->ics, code) != 0)
			continue;
		x.lost += p->lost;
		x.avail += p->avail;
		x.rows++;
	}
	return x;
}

static void close_to(double got, double want, const char *what)
{
	if (fabs(got - want) > 1e-6 * fmax(1.0, fabs(want)))
		fail_msg("%s: %.6f, expected %.6f", what, got, want);
}

/* check_kpi: the KPI of code over from..to against sums computed here;
 * the rate is the publication's rounding of the summed days. */
static void check_kpi(struct testdomain *t, const char *code, int from, int to, struct sums want)
{
	struct cadre_err e;
	struct sickness_kpi k;
	if (sickness_kpi(&t->sys, t->db, code, from, to, &k, &e) != CADRE_OK)
		fail_msg("kpi %s %d-%d: %s", code, from, to, e.msg);
	char what[64];
	(void)snprintf(what, sizeof what, "%s %d-%d lost", code, from, to);
	close_to(k.fte_days_lost, want.lost, what);
	(void)snprintf(what, sizeof what, "%s %d-%d available", code, from, to);
	close_to(k.fte_days_available, want.avail, what);
	if (k.rows != want.rows)
		fail_msg("%s %d-%d: %lld rows, expected %lld", code, from, to, (long long)k.rows,
		         (long long)want.rows);
	double want_rate = round(want.lost / want.avail * 100.0 * 100.0) / 100.0;
	if (fabs((double)k.rate_hundredths / 100.0 - want_rate) > 1e-9)
		fail_msg("%s %d-%d: rate %.2f, expected %.2f", code, from, to,
		         (double)k.rate_hundredths / 100.0, want_rate);
	sickness_kpi_free(&k);
}

static struct import_result *import(struct testdomain *t, const char *const *paths, size_t n,
                                    bool replace, bool dry, int want_rc)
{
	struct cadre_err e;
	struct import_opts opt = {
	    .audit_key = t->key, .clk = &t->clk.clock, .replace = replace, .dry_run = dry};
	struct import_result *res = xcalloc(1, sizeof *res);
	int rc = sickness_import(&t->sys, t->db, paths, n, &opt, res, &e);
	if (rc != want_rc)
		fail_msg("sickness_import: %d (%s), expected %d", rc, e.msg, want_rc);
	return res;
}

/* ---- every published figure ------------------------------------------------------------ */

static void test_real_data(void **state)
{
	struct testdomain *t = *state;
	testorg_load_refdata(t, NULL);
	char *paths[9];
	testorg_sickness_paths(paths);
	struct pubset s = {0};
	for (int i = 0; i < 9; i++)
		read_pub(paths[i], &s);
	assert_int_equal(s.n, 2554); /* 285 x 6 + 283 + 281 + 280 */
	struct import_result *res =
	    import(t, (const char *const *)paths, 9, false, false, CADRE_OK);
	assert_int_equal(res->rows, 2554);
	assert_int_equal(res->files, 9);
	assert_int_equal(res->nmonths, 9);
	assert_int_equal(res->months[0], 202404);
	assert_int_equal(res->months[8], 202412);
	/* 4 CSUs, 9 other bodies, the ICB-less providers and care trusts the
	 * ODS trust list lacks: every ORG_CODE not in data/ods (counted with
	 * the shell: 38) */
	assert_int_equal(res->orgs_created, 38);
	assert_true(res->audit_seq > 0);
	(void)printf("# sickness: 2554 rows imported in %lld ms, rebuild %lld ms (%s)\n",
	             (long long)(res->micros / 1000), (long long)(res->rebuild.micros / 1000),
	             t->pg ? "postgresql" : "sqlite");

	/* every published rate reproduced to 2 decimal places, by the
	 * publication's rounding and by the KPI of each organisation */
	struct cadre_err e;
	for (size_t i = 0; i < s.n; i++) {
		const struct pub *p = &s.v[i];
		assert_int_equal(sickness_rate_hundredths(p->lost, p->avail), p->rate_h);
		if (strcmp(p->org, p->ics) == 0)
			continue; /* an ICB's code is its whole area: below */
		struct sickness_kpi k;
		if (sickness_kpi(&t->sys, t->db, p->org, p->month, p->month, &k, &e) != CADRE_OK)
			fail_msg("%s %d: %s", p->org, p->month, e.msg);
		if (k.rate_hundredths != p->rate_h || k.rows != 1)
			fail_msg("%s %d: rate %lld rows %lld, published %lld", p->org, p->month,
			         (long long)k.rate_hundredths, (long long)k.rows,
			         (long long)p->rate_h);
		close_to(k.fte_days_lost, p->lost, p->org);
		sickness_kpi_free(&k);
	}

	/* ICB (ICS area), region and England totals, each month and spans */
	const char *regions[] = {"Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63", "QZZ"};
	char icss[64][8];
	size_t nics = 0;
	for (size_t i = 0; i < s.n; i++) {
		bool seen = false;
		for (size_t j = 0; j < nics; j++)
			seen |= strcmp(icss[j], s.v[i].ics) == 0;
		if (!seen)
			(void)snprintf(icss[nics++], sizeof icss[0], "%s", s.v[i].ics);
	}
	assert_int_equal(nics, 43); /* 42 ICBs and QZZ */
	for (int m = 202404; m <= 202412; m++) {
		for (size_t j = 0; j < nics; j++)
			check_kpi(t, icss[j], m, m, sum_of(&s, BY_ICS, icss[j], m, m));
		for (size_t j = 0; j < 8; j++)
			check_kpi(t, regions[j], m, m, sum_of(&s, BY_REGION, regions[j], m, m));
		check_kpi(t, "ENG", m, m, sum_of(&s, BY_ALL, "", m, m));
	}
	for (size_t j = 0; j < nics; j++)
		check_kpi(t, icss[j], 202404, 202412, sum_of(&s, BY_ICS, icss[j], 202404, 202412));
	for (size_t j = 0; j < 8; j++)
		check_kpi(t, regions[j], 202404, 202412,
		          sum_of(&s, BY_REGION, regions[j], 202404, 202412));
	check_kpi(t, "ENG", 202404, 202412, sum_of(&s, BY_ALL, "", 202404, 202412));
	check_kpi(t, "ENG", 202406, 202408, sum_of(&s, BY_ALL, "", 202406, 202408));
	check_kpi(t, "Y60", 202410, 202412, sum_of(&s, BY_REGION, "Y60", 202410, 202412));
	/* a span wider than the data: the months without figures are listed */
	struct sickness_kpi k;
	assert_int_equal(sickness_kpi(&t->sys, t->db, "ENG", 202401, 202412, &k, &e), CADRE_OK);
	assert_int_equal(k.nmonths, 12);
	assert_int_equal(k.months_with_data, 9);
	assert_false(k.months[0].has_data);
	assert_true(k.months[3].has_data);
	sickness_kpi_free(&k);
	assert_int_equal(sickness_kpi(&t->sys, t->db, "ENG", 202301, 202303, &k, &e),
	                 CADRE_ENOTFOUND);
	assert_string_equal(e.msg, "no sickness absence figures for ENG from 2023-01 to 2023-03");
	assert_int_equal(sickness_kpi(&t->sys, t->db, "ZZZ", 202404, 202404, &k, &e),
	                 CADRE_ENOTFOUND);
	assert_int_equal(sickness_kpi(&t->sys, t->db, "ENG", 202405, 202404, &k, &e), CADRE_EINVAL);

	/* --org QHL is the whole area, the ICB's own row included */
	for (int m = 202404; m <= 202412; m++) {
		struct sums area = sum_of(&s, BY_ICS, "QHL", m, m);
		const struct pub *own = NULL;
		struct sums others = {0};
		for (size_t i = 0; i < s.n; i++) {
			const struct pub *p = &s.v[i];
			if (p->month != m || strcmp(p->ics, "QHL") != 0)
				continue;
			if (strcmp(p->org, "QHL") == 0) {
				own = p;
			} else {
				others.lost += p->lost;
				others.avail += p->avail;
			}
		}
		if (!own)
			fail_msg("no QHL row in %d", m);
		assert_int_equal(sickness_kpi(&t->sys, t->db, "QHL", m, m, &k, &e), CADRE_OK);
		assert_int_equal(k.rows, area.rows);
		close_to(k.fte_days_lost - others.lost, own->lost, "QHL's own row");
		close_to(k.fte_days_available - others.avail, own->avail, "QHL's own row");
		sickness_kpi_free(&k);
	}
	/* RXK counts in QHL in 2024, not in QUA */
	struct sums qua = sum_of(&s, BY_ICS, "QUA", 202404, 202404);
	check_kpi(t, "QUA", 202404, 202404, qua);
	assert_int_equal(sickness_kpi(&t->sys, t->db, "RXK", 202404, 202404, &k, &e), CADRE_OK);
	assert_int_equal(k.rate_hundredths, 534);
	sickness_kpi_free(&k);

	/* the import is audited once, with each file's SHA-256 */
	static const struct store_sql q_audit = {
	    "t_audit", "SELECT COUNT(*) FROM audit_entry WHERE action = 'import.sickness'", NULL};
	assert_int_equal(testdomain_count(t->db, &q_audit), 1);
	static const struct store_sql q_payload = {
	    "t_payload",
	    "SELECT p.payload FROM audit_entry a JOIN audit_payload p ON p.seq = a.seq "
	    "WHERE a.action = 'import.sickness'",
	    NULL};
	struct store_stmt *st;
	assert_int_equal(store_prepare(t->db, &q_payload, &st, &e), CADRE_OK);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	char *payload = xstrdup(store_col_text(st, 0));
	store_reset(st);
	for (int i = 0; i < 9; i++) {
		FILE *f = fopen(paths[i], "rb");
		assert_non_null(f);
		(void)fseek(f, 0, SEEK_END);
		long n = ftell(f);
		rewind(f);
		char *b = xmalloc((size_t)n);
		assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
		(void)fclose(f);
		char hex[AUDIT_HEX_LEN + 1];
		audit_sha256_hex(b, (size_t)n, hex);
		free(b);
		assert_non_null(strstr(payload, hex));
	}
	assert_non_null(strstr(payload, "\"rows\":2554"));
	free(payload);
	free(s.v);
	free(res);
	testorg_free_paths(paths, 9);
}

/* ---- bad input: each refused with its position, nothing written -------------------- */

static const struct store_sql q_n_rows = {"t_n_rows", "SELECT COUNT(*) FROM sickness_absence",
                                          NULL};
static const struct store_sql q_n_orgs = {"t_n_orgs", "SELECT COUNT(*) FROM org", NULL};
static const struct store_sql q_n_edges = {"t_n_edges", "SELECT COUNT(*) FROM org_edge", NULL};
static const struct store_sql q_n_imports = {"t_n_imports", "SELECT COUNT(*) FROM stat_import",
                                             NULL};
static const struct store_sql q_n_audit = {"t_n_audit", "SELECT COUNT(*) FROM audit_entry", NULL};
static const struct store_sql q_n_anc = {"t_n_anc", "SELECT COUNT(*) FROM org_ancestor", NULL};
static const struct store_sql q_max_import = {
    "t_max_import", "SELECT COALESCE(MAX(import_id), 0) FROM sickness_absence", NULL};

struct snapshot {
	int64_t v[6];
};

static struct snapshot snap(struct testdomain *t)
{
	const struct store_sql *q[] = {&q_n_rows,    &q_n_orgs,  &q_n_edges,
	                               &q_n_imports, &q_n_audit, &q_n_anc};
	struct snapshot s;
	for (size_t i = 0; i < 6; i++)
		s.v[i] = testdomain_count(t->db, q[i]);
	return s;
}

static void same(struct snapshot a, struct snapshot b)
{
	for (size_t i = 0; i < 6; i++)
		if (a.v[i] != b.v[i])
			fail_msg("count %zu changed: %lld -> %lld (something was written)", i,
			         (long long)a.v[i], (long long)b.v[i]);
}

/* reject: importing the files fails; the one problem is want (FILE is the
 * first path) and nothing changed. */
static void reject(struct testdomain *t, const char *const *paths, size_t n, bool replace,
                   const char *want_fmt_reason, long line, long col)
{
	struct snapshot before = snap(t);
	struct import_result *res = import(t, paths, n, replace, false, CADRE_EINVAL);
	char want[1024], got[1024];
	(void)snprintf(want, sizeof want, "%s:%ld:%ld: %s", paths[n - 1], line, col,
	               want_fmt_reason);
	assert_int_equal(import_problems_total(&res->problems), 1);
	import_problem_format(&res->problems.v[0], got, sizeof got);
	if (strcmp(got, want) != 0)
		fail_msg("\n got: %s\nwant: %s", got, want);
	same(before, snap(t));
	free(res);
}

static char *fixture(const char *name)
{
	char rel[128];
	(void)snprintf(rel, sizeof rel, "tests/fixtures/sickness/%s", name);
	return testorg_path(rel);
}

static void test_bad_input(void **state)
{
	struct testdomain *t = *state;
	testorg_load_refdata(t, NULL);
	char *f;

	f = fixture("wrong-date.csv");
	reject(t, (const char *const *)&f, 1, false,
	       "DATE '2024-04-30' is not a date in the publication's form DD/MM/YYYY", 2, 1);
	free(f);

	f = fixture("rate-contradicts-days.csv");
	reject(t, (const char *const *)&f, 1, false,
	       "SICKNESS_ABSENCE_RATE_PERCENT 3.99 contradicts its own days: round(1868.54684 / "
	       "52881.10823 x 100, 2) = 3.53",
	       3, 230);
	free(f);

	f = fixture("unknown-region.csv");
	reject(t, (const char *const *)&f, 1, false,
	       "NHSE_REGION_CODE 'Y99' is not a region the reference data knows (Y56, Y58-Y63 or "
	       "QZZ; run `cadre init` first)",
	       2, 12);
	free(f);

	f = fixture("header-differs.csv");
	reject(t, (const char *const *)&f, 1, false,
	       "header differs from the NHS Sickness Absence Rates publication: column 2 is "
	       "'REGION_CODE', expected 'NHSE_REGION_CODE'",
	       1, 6);
	free(f);

	f = fixture("staff-in-post-given-to-sickness.csv");
	reject(
	    t, (const char *const *)&f, 1, false,
	    "this is not an NHS Sickness Absence Rates file: its header is that of HCHS staff in "
	    "post by staff group, nationality and organisation (import it with `cadre import "
	    "staff-in-post`)",
	    1, 1);
	free(f);

	f = fixture("duplicated-org-month.csv");
	char want[512];
	(void)snprintf(want, sizeof want,
	               "duplicate row for organisation 0AR in 2024-04 (first at %s:2)", f);
	reject(t, (const char *const *)&f, 1, false, want, 4, 128);
	free(f);

	/* the same month in two files of one import is a duplicate too */
	char *april = testorg_shared("nhs-sickness-absence/nhs_sickness_absence_2024-04.csv");
	const char *twice[] = {april, april};
	struct snapshot before = snap(t);
	struct import_result *res = import(t, twice, 2, false, false, CADRE_EINVAL);
	assert_int_equal(import_problems_total(&res->problems), 285);
	assert_int_equal(res->problems.n, IMPORT_PROBLEMS_CAP);
	assert_int_equal(res->problems.more, 285 - IMPORT_PROBLEMS_CAP);
	struct buf b;
	buf_init(&b, 1 << 20);
	struct cadre_err e;
	assert_int_equal(import_problems_write(&res->problems, &b, &e), CADRE_OK);
	assert_non_null(strstr(buf_cstr(&b), "\nand 235 more\n"));
	buf_free(&b);
	same(before, snap(t));
	free(res);

	/* a month already loaded: refused, then replaced only with replace */
	res = import(t, (const char *const *)&april, 1, false, false, CADRE_OK);
	int64_t first_import = testdomain_count(t->db, &q_max_import);
	free(res);
	reject(t, (const char *const *)&april, 1, false,
	       "2024-04 is already loaded (285 rows); use --replace to replace it", 2, 1);
	res = import(t, (const char *const *)&april, 1, true, false, CADRE_OK);
	assert_int_equal(res->rows_replaced, 285);
	assert_int_equal(res->rows, 285);
	assert_int_equal(res->orgs_created, 0);
	free(res);
	assert_int_equal(testdomain_count(t->db, &q_n_rows), 285);
	int64_t second_import = testdomain_count(t->db, &q_max_import);
	assert_true(second_import > first_import);
	/* a replace that fails on another file leaves the month as it was */
	f = fixture("wrong-date.csv");
	const char *mixed[] = {april, f};
	reject(t, mixed, 2, true,
	       "DATE '2024-04-30' is not a date in the publication's form "
	       "DD/MM/YYYY",
	       2, 1);
	assert_int_equal(testdomain_count(t->db, &q_max_import), second_import);
	free(f);

	/* --dry-run checks everything and writes nothing */
	char *paths[9];
	testorg_sickness_paths(paths);
	before = snap(t);
	res = import(t, (const char *const *)paths + 1, 8, false, true, CADRE_OK);
	assert_int_equal(res->rows, 2554 - 285);
	assert_int_equal(res->audit_seq, 0);
	same(before, snap(t));
	free(res);
	testorg_free_paths(paths, 9);
	free(april);

	/* a file that is not there */
	const char *missing = "/nonexistent/sickness.csv";
	res = import(t, &missing, 1, false, false, CADRE_EINVAL);
	char got[1024];
	import_problem_format(&res->problems.v[0], got, sizeof got);
	assert_string_equal(got,
	                    "/nonexistent/sickness.csv: cannot open: No such file or directory");
	free(res);
}

/* ---- the real binary ------------------------------------------------------------------------- */

/* run: a shell command; its output (stdout and stderr) into out. */
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
	char dir[64];
	(void)snprintf(dir, sizeof dir, "/tmp/cadre-cli-XXXXXX");
	assert_non_null(mkdtemp(dir));
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
	char *april = testorg_shared("nhs-sickness-absence/nhs_sickness_absence_2024-04.csv");
	char *may = testorg_shared("nhs-sickness-absence/nhs_sickness_absence_2024-05.csv");
	char *bad = fixture("wrong-date.csv");
	char cmd[8192];
	struct buf out;
	buf_init(&out, 1 << 22);

	(void)snprintf(cmd, sizeof cmd, "cd %s && '%s' --db '%s' init 2>&1", dir, bin, db);
	if (run(cmd, &out) != 0)
		fail_msg("init: %s", buf_cstr(&out));
	assert_non_null(strstr(buf_cstr(&out), "loaded the reference data"));

	/* reloading the reference data changes nothing */
	buf_reset(&out);
	(void)snprintf(cmd, sizeof cmd, "cd %s && '%s' --db '%s' refdata load 2>&1", dir, bin, db);
	if (run(cmd, &out) != 0)
		fail_msg("refdata load: %s", buf_cstr(&out));
	assert_non_null(strstr(buf_cstr(&out), "organisations: 0 created, 266 updated"));

	buf_reset(&out);
	(void)snprintf(cmd, sizeof cmd, "cd %s && '%s' --db '%s' import sickness '%s' '%s' 2>&1",
	               dir, bin, db, april, may);
	if (run(cmd, &out) != 0)
		fail_msg("import: %s", buf_cstr(&out));
	assert_non_null(strstr(buf_cstr(&out), "imported 570 rows of NHS Sickness Absence Rates"));

	buf_reset(&out);
	(void)snprintf(cmd, sizeof cmd, "cd %s && '%s' --db '%s' import sickness '%s' 2>&1", dir,
	               bin, db, bad);
	assert_int_equal(run(cmd, &out), 1);
	char want[1024];
	(void)snprintf(
	    want, sizeof want,
	    "%s:2:1: DATE '2024-04-30' is not a date in the publication's form "
	    "DD/MM/YYYY\ncadre import sickness: rejected: 1 problem; nothing was written\n",
	    bad);
	assert_string_equal(buf_cstr(&out), want);

	buf_reset(&out);
	(void)snprintf(cmd, sizeof cmd,
	               "cd %s && '%s' --db '%s' kpi sickness --org QHL --from 2024-04 --to 2024-05 "
	               "--json",
	               dir, bin, db);
	assert_int_equal(run(cmd, &out), 0);
	json_error_t je;
	json_t *o = json_loads(buf_cstr(&out), 0, &je);
	if (!o)
		fail_msg("not JSON (%s): %s", je.text, buf_cstr(&out));
	struct pubset s = {0};
	read_pub(april, &s);
	read_pub(may, &s);
	struct sums want_sums = sum_of(&s, BY_ICS, "QHL", 202404, 202405);
	assert_string_equal(json_string_value(json_object_get(o, "org")), "QHL");
	assert_string_equal(json_string_value(json_object_get(o, "from")), "2024-04");
	assert_string_equal(json_string_value(json_object_get(o, "to")), "2024-05");
	close_to(json_number_value(json_object_get(o, "fte_days_lost")), want_sums.lost, "lost");
	close_to(json_number_value(json_object_get(o, "fte_days_available")), want_sums.avail,
	         "available");
	double rate = round(want_sums.lost / want_sums.avail * 10000.0) / 100.0;
	close_to(json_number_value(json_object_get(o, "rate_percent")), rate, "rate");
	assert_int_equal(json_array_size(json_object_get(o, "months")), 2);
	json_decref(o);

	buf_reset(&out);
	(void)snprintf(cmd, sizeof cmd,
	               "cd %s && '%s' --db '%s' org show RXK --as-of 2024-05 --json", dir, bin, db);
	assert_int_equal(run(cmd, &out), 0);
	o = json_loads(buf_cstr(&out), 0, &je);
	assert_non_null(o);
	json_t *chain = json_object_get(o, "chain");
	assert_string_equal(json_string_value(json_object_get(json_array_get(chain, 0), "code")),
	                    "QHL");
	json_decref(o);

	buf_free(&out);
	free(s.v);
	free(april);
	free(may);
	free(bad);
	free(data);
	const char *sfx[] = {"t.db", "t.db-wal", "t.db-shm", "secrets.ini"};
	for (size_t i = 0; i < 4; i++) {
		char p[256];
		(void)snprintf(p, sizeof p, "%s/%s", dir, sfx[i]);
		(void)unlink(p);
	}
	(void)rmdir(dir);
}

#define BOTH(f)                                                                                    \
	{#f "(sqlite)", f, testdomain_setup_sqlite, testdomain_teardown, NULL},                    \
	{                                                                                          \
#f "(postgresql)", f, testdomain_setup_pg, testdomain_teardown, NULL               \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_real_data),
	    BOTH(test_bad_input),
	    cmocka_unit_test(test_cli_binary),
	};
	return cmocka_run_group_tests_name("domain_sickness", tests, NULL, NULL);
}
