/* cadre toolkit and cadre assess through cli_run, on SQLite and
 * PostgreSQL: a round from opening to board sign-off on the real
 * organisation hierarchy and the shipped toolkit, exit codes and messages
 * for bad input, the offline import's FILE:LINE:COLUMN report, the signed
 * export whose SHA-256 matches the sign-off, and the audit trail verifying
 * afterwards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/mem.h"
#include "cli/cli.h"
#include "domain/audit.h"
#include "testorg.h"
#include "testpg.h"

#define END ((const char *)0)

struct fx {
	bool pg;
	char dir[64];
	char *url;
	int old_cwd;
};

struct run {
	int code;
	char out[65536];
	char err[16384];
};

static void slurp(FILE *f, char *dst, size_t cap)
{
	rewind(f);
	size_t n = fread(dst, 1, cap - 1, f);
	dst[n] = '\0';
	(void)fclose(f);
}

static void run(const struct fx *f, struct run *r, const char *first, ...)
{
	char *argv[48];
	int argc = 0;
	argv[argc++] = "cadre";
	va_list ap;
	va_start(ap, first);
	for (const char *w = first; w && argc < 47; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	struct cli cli = {.out = tmpfile(), .errout = tmpfile(), .db = f->url, .config_path = NULL};
	assert_non_null(cli.out);
	assert_non_null(cli.errout);
	r->code = cli_run(&cli, argc, argv);
	slurp(cli.out, r->out, sizeof r->out);
	slurp(cli.errout, r->err, sizeof r->err);
}

static void ok(const struct fx *f, struct run *r, const char *first, ...)
{
	char *argv[48];
	int argc = 0;
	argv[argc++] = "cadre";
	va_list ap;
	va_start(ap, first);
	for (const char *w = first; w && argc < 47; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	struct cli cli = {.out = tmpfile(), .errout = tmpfile(), .db = f->url, .config_path = NULL};
	r->code = cli_run(&cli, argc, argv);
	slurp(cli.out, r->out, sizeof r->out);
	slurp(cli.errout, r->err, sizeof r->err);
	if (r->code != 0)
		fail_msg("cadre %s ... exited %d: %s", first, r->code, r->err);
}

static void put_file(const char *name, const char *text)
{
	FILE *fp = fopen(name, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static int setup(void **state, bool pg)
{
	struct fx *f = xcalloc(1, sizeof *f);
	f->pg = pg;
	(void)unsetenv("CADRE_CONFIG");
	(void)unsetenv("CADRE_SECRETS_FILE");
	(void)snprintf(f->dir, sizeof f->dir, "/tmp/cadre-acli-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->old_cwd = open(".", O_RDONLY);
	assert_true(f->old_cwd >= 0);
	assert_int_equal(chdir(f->dir), 0);
	if (pg) {
		f->url = testpg_create_db("assess_cli");
	} else {
		size_t n = strlen(f->dir) + 16;
		f->url = xmalloc(n);
		(void)snprintf(f->url, n, "%s/cadre.db", f->dir);
	}
	struct run *r = xcalloc(1, sizeof *r);
	run(f, r, "init", END);
	if (r->code != 0)
		fail_msg("init: %s", r->err);
	free(r);
	*state = f;
	return 0;
}

static int setup_sqlite(void **state)
{
	return setup(state, false);
}

static int setup_pg(void **state)
{
	return setup(state, true);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	assert_int_equal(fchdir(f->old_cwd), 0);
	(void)close(f->old_cwd);
	if (f->pg)
		testpg_drop_db(f->url);
	const char *names[] = {"secrets.ini",  "cadre.db",    "cadre.db-wal",
	                       "cadre.db-shm", "answers.csv", "bad.csv",
	                       "out.csv",      "signed.json", "late.csv"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char p[128];
		(void)snprintf(p, sizeof p, "%s/%s", f->dir, names[i]);
		(void)unlink(p);
	}
	(void)rmdir(f->dir);
	free(f->url);
	free(f);
	return 0;
}

#define ORG    "--org", "R0A"
#define PERIOD "--period", "2025/26"

static void test_round_to_signoff(void **state)
{
	struct fx *f = *state;
	struct run *r = xcalloc(1, sizeof *r);
	char *fix = testorg_path("tests/fixtures/toolkits/bad-missing-factor.json");

	ok(f, r, "toolkit", "load", "--all", END);
	assert_non_null(strstr(r->out, "/toolkits: 2 toolkit versions loaded, 0 unchanged\n"));
	run(f, r, "toolkit", "load", fix, END);
	assert_int_equal(r->code, 1);
	assert_string_equal(r->err, "cadre toolkit load: bad-missing-factor.json: factors: factor "
	                            "'technology' is missing: framework nhsi-five-factor has "
	                            "leadership, technology, information-method-governance, "
	                            "engagement-integration, strategy\n");
	free(fix);
	ok(f, r, "toolkit", "list", END);
	assert_true(strncmp(r->out, "edu-commissioning      v1   latest  icb,region", 46) == 0);
	assert_non_null(strstr(r->out, "\nwfp-five-factor        v1   latest  trust         5 "
	                               "factors  31 statements    0 rounds"));

	/* open, invite, answer, submit */
	ok(f, r, "assess", "open", ORG, PERIOD, "--by", "Ms P Officer", END);
	assert_string_equal(r->out, "opened round 1: R0A 2025/26, wfp-five-factor version 1, "
	                            "groups: board senior_leaders line_managers "
	                            "workforce_planners\n");
	run(f, r, "assess", "open", ORG, PERIOD, END);
	assert_int_equal(r->code, 1);
	assert_string_equal(
	    r->err, "cadre assess open: R0A already has a wfp-five-factor round in 2025/26\n");
	ok(f, r, "assess", "invite", ORG, PERIOD, "--group", "board", "b1", "b2", "b3", END);
	assert_string_equal(r->out, "invited 3 respondents into board\n");
	ok(f, r, "assess", "respond", ORG, PERIOD, "--respondent", "b1", "--statement", "lead-1",
	   "--score", "4", "--evidence", "Board minutes, June", END);
	run(f, r, "assess", "respond", ORG, PERIOD, "--respondent", "b1", "--statement", "lead-2",
	    "--score", "9", END);
	assert_int_equal(r->code, 1);
	assert_string_equal(r->err, "cadre assess respond: score 9 is outside the scale 1 to 5 (or "
	                            "leave it empty to skip)\n");
	run(f, r, "assess", "respond", ORG, PERIOD, "--respondent", "b1", "--statement", "lead-2",
	    "--score", "3", "--skip", END);
	assert_int_equal(r->code, 2);
	ok(f, r, "assess", "respond", ORG, PERIOD, "--respondent", "b1", "--statement", "lead-2",
	   "--skip", END);
	ok(f, r, "assess", "submit", ORG, PERIOD, "--respondent", "b1", END);
	run(f, r, "assess", "submit", ORG, PERIOD, "--respondent", "b1", END);
	assert_int_equal(r->code, 1);
	assert_non_null(strstr(r->err, "respondent 'b1' already submitted at "));

	/* offline answers: b2 and b3 on the board, three line managers */
	put_file("answers.csv", "respondent,group,statement,score,evidence\n"
	                        "b2,board,lead-1,5,\nb2,board,lead-2,4,\n"
	                        "b3,board,lead-1,4,\nb3,board,lead-2,4,\n"
	                        "l1,line_managers,lead-1,2,\nl1,line_managers,lead-2,2,\n"
	                        "l2,line_managers,lead-1,3,\nl2,line_managers,lead-2,,Not sure\n"
	                        "l3,line_managers,lead-1,2,\nl3,line_managers,lead-2,3,\n");
	put_file("bad.csv", "respondent,group,statement,score,evidence\n"
	                    "x1,board,lead-9,3,\n"
	                    "x2,board,lead-1,6,\n");
	run(f, r, "assess", "import", ORG, PERIOD, "bad.csv", END);
	assert_int_equal(r->code, 1);
	assert_string_equal(
	    r->err, "bad.csv:2:10: unknown statement 'lead-9': wfp-five-factor version 1 has "
	            "no such statement\n"
	            "bad.csv:3:17: score '6' is not on the scale 1 to 5 (leave it empty to "
	            "skip)\n"
	            "cadre assess import: rejected: 2 problems; nothing was written\n");
	ok(f, r, "assess", "import", ORG, PERIOD, "answers.csv", END);
	const char *imp = "imported 10 answers from 5 respondents (3 newly invited, 1 skipped); "
	                  "audit entry ";
	assert_true(strncmp(r->out, imp, strlen(imp)) == 0);
	ok(f, r, "assess", "status", ORG, PERIOD, END);
	assert_non_null(strstr(r->out, "Board members                       3            0       "
	                               "     0          3\n"));
	assert_non_null(strstr(r->out, "all                                 6            0       "
	                               "     0          6\n"));

	/* close, sign off, the signed export hashes to the sign-off's SHA-256 */
	ok(f, r, "assess", "close", ORG, PERIOD, "--by", "Ms P Officer", END);
	put_file("late.csv",
	         "respondent,group,statement,score,evidence\nl4,line_managers,lead-1,3,\n");
	run(f, r, "assess", "import", ORG, PERIOD, "late.csv", END);
	assert_int_equal(r->code, 1);
	assert_non_null(strstr(r->err, "late.csv: the wfp-five-factor round for R0A in 2025/26 "
	                               "closed at "));
	run(f, r, "assess", "sign-off", ORG, PERIOD, END);
	assert_int_equal(r->code, 2);
	ok(f, r, "assess", "sign-off", ORG, PERIOD, "--by", "Dr A Chair", END);
	const char *prefix = "signed off by Dr A Chair; results SHA-256 ";
	assert_true(strncmp(r->out, prefix, strlen(prefix)) == 0);
	char sha[AUDIT_HEX_LEN + 1];
	memcpy(sha, r->out + strlen(prefix), AUDIT_HEX_LEN);
	sha[AUDIT_HEX_LEN] = '\0';
	ok(f, r, "assess", "export", ORG, PERIOD, "--format", "signed", END);
	char got[AUDIT_HEX_LEN + 1];
	audit_sha256_hex(r->out, strlen(r->out), got);
	assert_string_equal(got, sha);

	/* results: board 3 shown, line managers 3 shown; lead-1 (4+5+4+2+3+2)/6 */
	ok(f, r, "assess", "results", ORG, PERIOD, "--json", END);
	json_error_t je;
	json_t *o = json_loads(r->out, 0, &je);
	assert_non_null(o);
	const json_t *res = json_object_get(o, "results");
	const json_t *lead1 = json_array_get(
	    json_object_get(json_array_get(json_object_get(res, "factors"), 0), "statements"), 0);
	assert_true(json_real_value(json_object_get(lead1, "score")) == 3.33);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(o, "signoff"), "results_sha256")),
	    sha);
	json_decref(o);
	ok(f, r, "assess", "summary", ORG, PERIOD, END);
	assert_non_null(strstr(r->out, "Signed off for the board by Dr A Chair on "));
	assert_non_null(strstr(r->out, "| Board members | 3 | 3 | yes |\n"));
	assert_non_null(strstr(r->out, "| Senior leaders | 0 | 0 | no: nobody has submitted |\n"));

	/* CSV export to a file, which must not exist yet */
	ok(f, r, "assess", "export", ORG, PERIOD, "--output", "out.csv", END);
	FILE *fp = fopen("out.csv", "rb");
	assert_non_null(fp);
	char head[16] = "";
	assert_int_equal(fread(head, 1, 11, fp), 11);
	(void)fclose(fp);
	assert_true(memcmp(head, "\xef\xbb\xbforg_code", 11) == 0);
	run(f, r, "assess", "export", ORG, PERIOD, "--output", "out.csv", END);
	assert_int_equal(r->code, 1);
	assert_string_equal(r->err, "cadre assess export: out.csv: cannot create it (it must not "
	                            "exist)\n");

	/* actions */
	ok(f, r, "assess", "action", "add", ORG, PERIOD, "--factor", "leadership", "--action",
	   "Name an executive owner", "--owner", "Ms P Officer", "--due", "2026-06-30", END);
	assert_string_equal(r->out, "added action 1\n");
	ok(f, r, "assess", "action", "update", "--id", "1", "--status", "in_progress", "--note",
	   "Paper to the board in May", END);
	run(f, r, "assess", "action", "update", "--id", "1", END);
	assert_int_equal(r->code, 2);

	/* the trail verifies with every change recorded */
	ok(f, r, "audit", "verify", END);
	assert_true(strncmp(r->out, "audit trail verified: ", 22) == 0);
	free(r);
}

static void test_demo_and_benchmark(void **state)
{
	struct fx *f = *state;
	struct run *r = xcalloc(1, sizeof *r);
	ok(f, r, "assess", "demo", "--org", "R0A", "--org", "RBV", "--org", "RM3", "--org", "RMC",
	   "--org", "RMP", "--org", "RT2", "--org", "QOP", "--period", "2024/25", "--period",
	   "2025/26", "--seed", "11", END);
	assert_string_equal(r->out, "demo rounds seeded for 7 organisations\n");
	ok(f, r, "assess", "benchmark", "--org", "QOP", "--period", "2025/26", END);
	assert_non_null(strstr(r->out, "\norganisations (6):\n"));
	assert_non_null(strstr(r->out, "\nRM3     "));
	ok(f, r, "assess", "benchmark", "--org", "RM3", "--period", "2025/26", END);
	assert_non_null(strstr(r->out, "against QOP NHS Greater Manchester ICB (icb), other "
	                               "organisations anonymised:\n"));
	assert_null(strstr(r->out, "R0A"));
	assert_null(strstr(r->out, "RBV"));
	ok(f, r, "assess", "results", "--org", "QOP", "--period", "2025/26", END);
	assert_non_null(strstr(r->out, "# Education and workforce commissioning competencies\n"));
	ok(f, r, "assess", "practice", "--toolkit", "wfp-five-factor", END);
	ok(f, r, "assess", "radar", "--org", "RM3", "--period", "2025/26", END);
	assert_true(strncmp(r->out, "<svg ", 5) == 0);
	assert_non_null(strstr(r->out, "Radar chart of 2 series on 5 axes"));
	ok(f, r, "assess", "evidence", "--org", "RM3", "--period", "2025/26", "--key",
	   "vacancy_trend", END);
	/* the fixture has no establishment for RM3: the provider says so */
	assert_string_equal(r->out, "vacancy_trend                not available: no establishment "
	                            "imported for RM3 up to the end of this period (cadre import "
	                            "establishment)\n");
	run(f, r, "assess", "evidence", "--org", "RM3", "--period", "2025/26", "--key", "nope",
	    END);
	assert_int_equal(r->code, 2);
	run(f, r, "assess", "status", "--org", "RM3", "--period", "2025-26", END);
	assert_int_equal(r->code, 2);
	assert_non_null(strstr(r->err, "--period '2025-26': a financial year such as 2025/26"));
	free(r);
}

#define BOTH(fn)                                                                                   \
	{#fn "(sqlite)", fn, setup_sqlite, teardown, NULL},                                        \
	{                                                                                          \
#fn "(postgresql)", fn, setup_pg, teardown, NULL                                   \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_round_to_signoff),
	    BOTH(test_demo_and_benchmark),
	};
	return cmocka_run_group_tests_name("domain_assess_cli", tests, NULL, NULL);
}
