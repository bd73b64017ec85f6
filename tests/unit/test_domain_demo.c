#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/buf.h"
#include "base/mem.h"
#include "domain/demo.h"
#include "domain/demo_internal.h"
#include "io/csv.h"

/* ---- the output hash ----
 *
 * TRUST_HASH is SHA-256 over the files of `cadre demo generate --scale trust
 * --seed 20250331` (reference date 2025-03-31), taken in enum demo_file order,
 * each as its name, one NUL byte, then its bytes.  Any change to the output
 * changes it.  When a change is deliberate (a new assumption, a fix, a new
 * column), run this test, check the new output is what you meant (`cadre demo
 * check`, docs/demo.md), and paste the hash the failure message prints here,
 * saying why in the commit message. */
#define TRUST_SEED 20250331
#define TRUST_HASH "fbab2f7e554afaf314357920a4ef0605ef90ef2e28ec3955f4afb7119b3b8fef"

struct tmpdir {
	char path[256];
};

static void tmpdir_make(struct tmpdir *t)
{
	const char *base = getenv("TMPDIR");
	(void)snprintf(t->path, sizeof t->path, "%s/cadre-demo-XXXXXX",
	               base && *base ? base : "/tmp");
	assert_non_null(mkdtemp(t->path));
}

static void tmpdir_remove(struct tmpdir *t)
{
	for (int i = 0; i < DEMO_FILE_COUNT; i++) {
		char p[512];
		(void)snprintf(p, sizeof p, "%s/%s", t->path, demo_file_name(i));
		(void)unlink(p);
	}
	(void)rmdir(t->path);
}

static void generate(const char *dir, enum demo_scale scale, const char *orgs,
                     struct demo_summary *sum)
{
	struct demo_options opt = {
	    .seed = TRUST_SEED, .as_of = demo_default_as_of(), .scale = scale, .orgs = orgs};
	struct cadre_err err;
	cadre_err_clear(&err);
	int rc = demo_generate(&opt, dir, NULL, sum, &err);
	if (rc)
		print_error("demo_generate: %s\n", err.msg);
	assert_int_equal(rc, CADRE_OK);
}

static char *read_file(const char *dir, const char *name, size_t *len)
{
	char p[512];
	(void)snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "rb");
	assert_non_null(f);
	struct buf b;
	buf_init(&b, (size_t)512 * 1024 * 1024);
	char chunk[65536];
	size_t n;
	struct cadre_err err;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		assert_int_equal(buf_append(&b, chunk, n, &err), CADRE_OK);
	(void)fclose(f);
	*len = b.len;
	return buf_detach(&b);
}

static void hash_dir(const char *dir, char hex[65])
{
	crypto_hash_sha256_state st;
	unsigned char out[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&st);
	for (int i = 0; i < DEMO_FILE_COUNT; i++) {
		const char *name = demo_file_name(i);
		size_t len;
		char *data = read_file(dir, name, &len);
		crypto_hash_sha256_update(&st, (const unsigned char *)name, strlen(name) + 1);
		crypto_hash_sha256_update(&st, (const unsigned char *)data, len);
		free(data);
	}
	crypto_hash_sha256_final(&st, out);
	sodium_bin2hex(hex, 65, out, sizeof out);
}

/* ---- reading demo files back ---- */

/* the column that holds the organisation code in each file */
static size_t org_column(int file)
{
	switch (file) {
	case DEMO_FILE_STAFF: return 5;
	case DEMO_FILE_SICKNESS: return 5;
	case DEMO_FILE_SICKNESS_WARDS:
	case DEMO_FILE_VACANCIES:
	case DEMO_FILE_TEMPORARY_STAFFING_HISTORY: return 1;
	default: return 0;
	}
}

/* the lines (header and CRLF kept) of `name` whose organisation is in
 * `orgs` (a comma-separated list), concatenated */
static char *rows_of(const char *dir, int file, const char *orgs, size_t *len)
{
	size_t n;
	char *data = read_file(dir, demo_file_name(file), &n);
	struct buf out;
	buf_init(&out, (size_t)512 * 1024 * 1024);
	struct csv_reader *r;
	struct cadre_err err;
	assert_int_equal(csv_reader_open_mem(&r, data, n, NULL, &err), CADRE_OK);
	uint64_t prev = 0;
	bool header = true;
	int rc;
	while ((rc = csv_reader_next(r, &err)) == CADRE_OK) {
		uint64_t end = csv_reader_bytes(r);
		/* the record's bytes: from the previous record's end to this one's */
		const char *org = csv_reader_field(r, org_column(file))->s;
		char key[16];
		(void)snprintf(key, sizeof key, ",%s,", org);
		char list[256];
		(void)snprintf(list, sizeof list, ",%s,", orgs);
		if (header || strstr(list, key))
			assert_int_equal(buf_append(&out, data + prev, (size_t)(end - prev), &err),
			                 CADRE_OK);
		header = false;
		prev = end;
	}
	assert_int_equal(rc, CADRE_DONE);
	csv_reader_free(r);
	free(data);
	*len = out.len;
	return buf_detach(&out);
}

static void assert_same_rows(const char *whole, const char *part, const char *orgs)
{
	for (int i = 0; i < DEMO_FILE_COUNT; i++) {
		size_t la, lb;
		char *a = rows_of(whole, i, orgs, &la);
		char *b = rows_of(part, i, orgs, &lb);
		if (la != lb || memcmp(a, b, la) != 0)
			print_error("%s differs for %s (%zu and %zu bytes)\n", demo_file_name(i),
			            orgs, la, lb);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
		free(a);
		free(b);
	}
}

/* ---- tests ---- */

/* The repository root: the tests run from it (scripts/test) or from a
 * build directory inside it (meson test). */
static const char *source_root(void)
{
	static const char *const candidates[] = {".", "..", "../..", "../../.."};
	static char found[256];
	for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
		char p[512];
		(void)snprintf(p, sizeof p, "%s/data/demo/org-fte-2024.csv", candidates[i]);
		if (access(p, R_OK) == 0) {
			(void)snprintf(found, sizeof found, "%s", candidates[i]);
			return found;
		}
	}
	print_error("data/demo/org-fte-2024.csv not found from the working directory\n");
	fail();
	return NULL;
}

/* The compiled-in tables are those of data/demo/: regenerate with
 * tools/demo-calibrate.py when this fails. */
static void test_tables_current(void **state)
{
	(void)state;
	const char *root = source_root();
	assert_int_equal(demo_source_count, 4);
	for (size_t i = 0; i < demo_source_count; i++) {
		size_t len;
		char *data = read_file(root, demo_sources[i].path, &len);
		unsigned char h[crypto_hash_sha256_BYTES];
		char hex[65];
		crypto_hash_sha256(h, (const unsigned char *)data, len);
		sodium_bin2hex(hex, sizeof hex, h, sizeof h);
		free(data);
		if (strcmp(hex, demo_sources[i].sha256) != 0)
			print_error("%s changed: run tools/demo-calibrate.py\n",
			            demo_sources[i].path);
		assert_string_equal(hex, demo_sources[i].sha256);
	}
	/* 272 organisations: 135 acute, 49 mental health, 10 ambulance, 36
	 * community, 42 ICBs; 1,429,111 FTE together (data/demo/org-fte-2024.csv.meta) */
	assert_int_equal(demo_org_row_count, 272);
	int64_t fte = 0;
	int types[DEMO_ORG_TYPE_COUNT] = {0};
	for (size_t i = 0; i < demo_org_row_count; i++) {
		fte += demo_org_rows[i].fte_x100;
		types[demo_org_rows[i].type]++;
		if (i)
			assert_true(strcmp(demo_org_rows[i - 1].code, demo_org_rows[i].code) < 0);
	}
	assert_int_equal(fte / 100, 1429111);
	assert_int_equal(types[DEMO_ORG_ACUTE], 135);
	assert_int_equal(types[DEMO_ORG_MENTAL_HEALTH], 49);
	assert_int_equal(types[DEMO_ORG_AMBULANCE], 10);
	assert_int_equal(types[DEMO_ORG_COMMUNITY], 36);
	assert_int_equal(types[DEMO_ORG_ICB], 42);
	/* each type's mix sums to one million parts (rounding: within 7) */
	for (int t = 0; t <= DEMO_ORG_TYPE_COUNT; t++) {
		int64_t s = 0;
		for (int g = 0; g < DEMO_GROUP_COUNT; g++)
			s += demo_mix_ppm[t][g];
		assert_true(s >= 999993 && s <= 1000007);
	}
}

/* integer helpers the output depends on, worked by hand */
static void test_integer_helpers(void **state)
{
	(void)state;
	assert_int_equal(demo_div_round(5, 2), 3);
	assert_int_equal(demo_div_round(4, 3), 1);
	assert_int_equal(demo_div_round(-5, 2), -3);
	assert_int_equal(demo_div_round(-4, 3), -1);
	assert_int_equal(demo_div_round(0, 7), 0);
	/* substream ids: the code's bytes, little-endian */
	assert_true(demo_org_code_id("RXC") == (0x43u << 16 | 0x58u << 8 | 0x52u));
	assert_true(demo_org_code_id("G6V2S") != demo_org_code_id("G6V2"));
	/* the region factors average to one over the nation's FTE */
	int64_t num = 0, den = 0;
	for (size_t i = 0; i < demo_org_row_count; i++) {
		num += demo_org_rows[i].fte_x100 * demo_region_me_ppm(demo_org_rows[i].region);
		den += demo_org_rows[i].fte_x100;
	}
	int64_t mean = num / den;
	assert_true(mean > 999000 && mean < 1001000);
	assert_true(demo_region_me_ppm("Y56") > 2 * demo_region_me_ppm("Y58"));
}

static int cmp_ni(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* NI-style identifiers: the documented form, never a real NI prefix
 * (Q is never issued), and distinct for distinct people */
static void test_national_identifiers(void **state)
{
	(void)state;
	const size_t n = 200000;
	char *all = xcalloc(n, 10);
	for (size_t i = 0; i < n; i++) {
		/* organisation 0-199 with people 1-1000, as the generator numbers them */
		uint64_t national = (uint64_t)(i / 1000) * 100000 + i % 1000 + 1;
		char *ni = all + i * 10;
		demo_ni_format(national, 7, ni);
		assert_int_equal(strlen(ni), 9);
		assert_int_equal(ni[0], 'Q');
		assert_non_null(strchr("ABCEGHJKLMNPRSTWXYZ", ni[1]));
		for (int k = 2; k < 8; k++)
			assert_true(ni[k] >= '0' && ni[k] <= '9');
		assert_non_null(strchr("ABCD", ni[8]));
	}
	qsort(all, n, 10, cmp_ni);
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(all + (i - 1) * 10, all + i * 10) != 0);
	/* the seed changes every identifier's spelling */
	char a[10], b[10];
	demo_ni_format(12345, 1, a);
	demo_ni_format(12345, 2, b);
	assert_string_not_equal(a, b);
	free(all);
}

static void test_options(void **state)
{
	(void)state;
	struct tmpdir t;
	tmpdir_make(&t);
	struct cadre_err err;
	enum demo_scale sc;
	assert_int_equal(demo_scale_parse("ics", &sc, &err), CADRE_OK);
	assert_int_equal(sc, DEMO_SCALE_ICS);
	assert_int_equal(demo_scale_parse("region", &sc, &err), CADRE_EINVAL);
	struct demo_options opt = {
	    .seed = 1, .as_of = demo_default_as_of(), .scale = DEMO_SCALE_ICS, .orgs = "RPC,XXX"};
	assert_int_equal(demo_generate(&opt, t.path, NULL, NULL, &err), CADRE_EINVAL);
	assert_non_null(strstr(err.msg, "'XXX' is not an organisation"));
	opt.orgs = "RJ1"; /* Guy's and St Thomas': not in Sussex */
	assert_int_equal(demo_generate(&opt, t.path, NULL, NULL, &err), CADRE_EINVAL);
	assert_non_null(strstr(err.msg, "not in the chosen scale"));
	opt.orgs = "RPC,";
	assert_int_equal(demo_generate(&opt, t.path, NULL, NULL, &err), CADRE_EINVAL);
	opt.orgs = NULL;
	opt.as_of = (struct date){1999, 3, 31};
	assert_int_equal(demo_generate(&opt, t.path, NULL, NULL, &err), CADRE_EINVAL);
	opt.as_of = (struct date){2025, 2, 29};
	assert_int_equal(demo_generate(&opt, t.path, NULL, NULL, &err), CADRE_EINVAL);
	opt.as_of = demo_default_as_of();
	assert_int_equal(demo_generate(&opt, "/nonexistent/cadre-demo", NULL, NULL, &err),
	                 CADRE_EINTERNAL);
	tmpdir_remove(&t);
}

/* The trust demo: the hash, and facts about it that follow from the design. */
static void test_trust(void **state)
{
	(void)state;
	struct tmpdir t;
	tmpdir_make(&t);
	struct demo_summary sum;
	generate(t.path, DEMO_SCALE_TRUST, NULL, &sum);
	char hex[65];
	hash_dir(t.path, hex);
	if (strcmp(hex, TRUST_HASH) != 0)
		print_error("trust demo hash is now %s (see the comment at TRUST_HASH)\n", hex);
	assert_string_equal(hex, TRUST_HASH);

	/* RXC: 7,675.20 FTE in post in the 2024 publication, the average of
	 * its nine months (data/demo/org-fte-2024.csv) */
	assert_int_equal(sum.orgs, 1);
	assert_int_equal(sum.target_fte_x100, 767520);
	assert_true(sum.fte_x10000 > INT64_C(76752000) * 98 / 100 &&
	            sum.fte_x10000 < INT64_C(76752000) * 102 / 100);
	assert_true(sum.assignments == sum.rows[DEMO_FILE_STAFF]);
	/* 36 months of organisation sickness history */
	assert_int_equal(sum.rows[DEMO_FILE_SICKNESS], 36);

	/* staff.csv: managers are staff of the same extract, exactly one person
	 * (the chief executive) has none; assignments outnumber people */
	size_t n;
	char *data = read_file(t.path, "staff.csv", &n);
	struct csv_reader *r;
	struct cadre_err err;
	assert_int_equal(csv_reader_open_mem(&r, data, n, NULL, &err), CADRE_OK);
	assert_int_equal(csv_reader_next(r, &err), CADRE_OK); /* header */
	size_t cap = sum.assignments + 1, count = 0;
	char(*sref)[16] = xcalloc(cap, sizeof *sref);
	char(*mref)[16] = xcalloc(cap, sizeof *mref);
	size_t people = 0, no_manager = 0, level4 = 0, clin_leaders = 0;
	while (csv_reader_next(r, &err) == CADRE_OK) {
		assert_true(count < cap);
		(void)snprintf(sref[count], sizeof sref[count], "%s", csv_reader_field(r, 1)->s);
		(void)snprintf(mref[count], sizeof mref[count], "%s", csv_reader_field(r, 4)->s);
		if (count == 0 || strcmp(sref[count], sref[count - 1]) != 0) {
			people++;
			no_manager += mref[count][0] == '\0';
		}
		const char *level = csv_reader_field(r, 25)->s;
		const char *prof = csv_reader_field(r, 21)->s;
		level4 += strcmp(level, "4") == 0;
		/* doctors and nurses in leadership posts (levels 1-4) */
		if (level[0] != '0' &&
		    (strcmp(prof, "medicine") == 0 || strncmp(prof, "nursing", 7) == 0))
			clin_leaders++;
		count++;
	}
	csv_reader_free(r);
	assert_int_equal(count, sum.assignments);
	assert_true(count > people);
	assert_int_equal(no_manager, 1);
	/* an acute trust over 6,000 FTE has eight executives (demo_org.c) */
	assert_int_equal(level4, 8);
	assert_true(clin_leaders > 50);
	for (size_t i = 0; i < count; i++) {
		if (!mref[i][0])
			continue;
		assert_string_not_equal(mref[i], sref[i]);
		bool found = false;
		for (size_t j = 0; j < count && !found; j++)
			found = strcmp(sref[j], mref[i]) == 0;
		assert_true(found);
	}
	free(sref);
	free(mref);
	free(data);

	/* tens of wards for a trust of this size */
	data = read_file(t.path, "cost-centres.csv", &n);
	size_t wards = 0;
	for (const char *p = data; (p = strstr(p, ",W")) != NULL; p++)
		wards++;
	assert_true(wards >= 30 && wards <= 80);
	free(data);
	tmpdir_remove(&t);
}

/* An organisation's rows are the same whichever others are generated with
 * it: the ICS demo restricted to two organisations, the national demo
 * restricted to the same two, and the whole ICS agree row for row; so
 * do the trust demo and the ICS's rows for that trust. */
static void test_subsets(void **state)
{
	(void)state;
	struct tmpdir ics, two, nat, trust;
	tmpdir_make(&ics);
	tmpdir_make(&two);
	tmpdir_make(&nat);
	tmpdir_make(&trust);
	generate(ics.path, DEMO_SCALE_ICS, NULL, NULL);
	generate(two.path, DEMO_SCALE_ICS, "RYD,RPC", NULL);
	generate(nat.path, DEMO_SCALE_NATIONAL, "RPC,RYD", NULL);
	generate(trust.path, DEMO_SCALE_TRUST, NULL, NULL);
	assert_same_rows(ics.path, two.path, "RPC,RYD");
	assert_same_rows(nat.path, two.path, "RPC,RYD");
	assert_same_rows(ics.path, trust.path, DEMO_TRUST_ORG);
	/* and the subset holds no one else */
	size_t la, lb;
	char *a = rows_of(two.path, DEMO_FILE_STAFF, "RPC,RYD", &la);
	char *b = read_file(two.path, "staff.csv", &lb);
	assert_int_equal(la, lb);
	free(a);
	free(b);
	tmpdir_remove(&ics);
	tmpdir_remove(&two);
	tmpdir_remove(&nat);
	tmpdir_remove(&trust);
}

/* Calibration on a deterministic sample of the nation: every 24th
 * organisation of data/demo/org-fte-2024.csv in code order (12 organisations
 * of every type, about 45,000 FTE), generated with their national rows.  The
 * full national run is checked by `cadre demo check` (docs/demo.md). */
#define SAMPLE_STEP 24

static void test_calibration(void **state)
{
	(void)state;
	struct tmpdir t;
	tmpdir_make(&t);
	char sample[512] = "";
	size_t len = 0, count = 0;
	for (size_t i = 0; i < demo_org_row_count; i += SAMPLE_STEP, count++)
		len += (size_t)snprintf(sample + len, sizeof sample - len, "%s%s", len ? "," : "",
		                        demo_org_rows[i].code);
	assert_true(len < sizeof sample);
	assert_int_equal(count, 12);
	generate(t.path, DEMO_SCALE_NATIONAL, sample, NULL);
	struct buf report;
	buf_init(&report, (size_t)1024 * 1024);
	struct cadre_err err;
	bool pass = false;
	int rc = demo_check(t.path, &report, &pass, &err);
	assert_int_equal(rc, CADRE_OK);
	if (!pass)
		print_error("%s", buf_cstr(&report));
	assert_true(pass);
	assert_non_null(strstr(buf_cstr(&report), "organisations: 12;"));
	assert_non_null(strstr(buf_cstr(&report), "PASS: 0 of"));

	/* the check can fail: claim every organisation is 5% bigger */
	size_t n;
	char *orgs = read_file(t.path, "organisations.csv", &n);
	char path[512];
	(void)snprintf(path, sizeof path, "%s/organisations.csv", t.path);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	struct csv_reader *r;
	assert_int_equal(csv_reader_open_mem(&r, orgs, n, NULL, &err), CADRE_OK);
	assert_int_equal(csv_reader_next(r, &err), CADRE_OK);
	(void)fputs("org_code,org_name,org_type,icb_code,region_code,target_fte\n", f);
	while (csv_reader_next(r, &err) == CADRE_OK) {
		const struct csv_field *c = csv_reader_fields(r);
		(void)fprintf(f, "%s,\"%s\",%s,%s,%s,%.2f\n", c[0].s, c[1].s, c[2].s, c[3].s,
		              c[4].s, strtod(c[5].s, NULL) * 1.05);
	}
	csv_reader_free(r);
	(void)fclose(f);
	free(orgs);
	buf_reset(&report);
	assert_int_equal(demo_check(t.path, &report, &pass, &err), CADRE_OK);
	assert_false(pass);
	assert_non_null(strstr(buf_cstr(&report),
	                       "FAIL organisation FTE in post within 2% of target: "
	                       "12 outside"));
	buf_free(&report);
	tmpdir_remove(&t);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tables_current),
	    cmocka_unit_test(test_integer_helpers),
	    cmocka_unit_test(test_national_identifiers),
	    cmocka_unit_test(test_options),
	    cmocka_unit_test(test_trust),
	    cmocka_unit_test(test_subsets),
	    cmocka_unit_test(test_calibration),
	};
	return cmocka_run_group_tests_name("domain_demo", tests, NULL, NULL);
}
