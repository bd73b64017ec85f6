/* `cadre person export` end to end through cli_run, on the people fixture
 * of the HTTP tests (tests/http/people: RXC and RYR, 31 March 2025): the
 * file's mode and content, no temporary file left behind, the audit entry,
 * and a file that cannot be written leaving no entry.  Both stores. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/mem.h"
#include "cli/cli.h"
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
	char err[8192];
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
	char *argv[32];
	int argc = 0;
	argv[argc++] = "cadre";
	va_list ap;
	va_start(ap, first);
	for (const char *w = first; w; w = va_arg(ap, const char *))
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

static int setup(void **state, bool pg)
{
	struct fx *f = xcalloc(1, sizeof *f);
	f->pg = pg;
	(void)unsetenv("CADRE_CONFIG");
	(void)unsetenv("CADRE_SECRETS_FILE");
	(void)snprintf(f->dir, sizeof f->dir, "/tmp/cadre-cli-person-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	char *cc = testorg_path("tests/http/people/cost-centres.csv");
	char *staff = testorg_path("tests/http/people/staff.csv");
	f->old_cwd = open(".", O_RDONLY);
	assert_true(f->old_cwd >= 0);
	assert_int_equal(chdir(f->dir), 0);
	if (pg) {
		f->url = testpg_create_db("cli_person");
	} else {
		size_t n = strlen(f->dir) + 16;
		f->url = xmalloc(n);
		(void)snprintf(f->url, n, "%s/cadre.db", f->dir);
	}
	struct run *r = xcalloc(1, sizeof *r);
	run(f, r, "init", END);
	if (r->code != 0)
		fail_msg("init: %s", r->err);
	run(f, r, "import", "cost-centres", "--from", "2024-04", cc, END);
	if (r->code != 0)
		fail_msg("import cost-centres: %s", r->err);
	run(f, r, "import", "staff", staff, END);
	if (r->code != 0)
		fail_msg("import staff: %s", r->err);
	free(r);
	free(cc);
	free(staff);
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
	char cmd[128];
	(void)snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f->url);
	free(f);
	return 0;
}

/* exports: how many people.export entries `cadre audit log` lists. */
static int exports(const struct fx *f, struct run *r)
{
	run(f, r, "audit", "log", END);
	assert_int_equal(r->code, 0);
	int n = 0;
	for (const char *p = r->out; (p = strstr(p, "\tpeople.export\t")); p++)
		n++;
	return n;
}

/* files: the names in the current folder starting with prefix. */
static int files(const char *prefix)
{
	DIR *d = opendir(".");
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	(void)closedir(d);
	return n;
}

static void test_export(void **state)
{
	struct fx *f = *state;
	struct run *r = xcalloc(1, sizeof *r);
	assert_int_equal(exports(f, r), 0);
	mode_t old = umask(022);
	run(f, r, "person", "export", "--staff-ref", "107", "--org", "RXC", "--out", "sar.json",
	    END);
	(void)umask(old);
	assert_int_equal(r->code, 0);
	assert_non_null(strstr(r->out, "wrote sar.json"));
	struct stat st;
	assert_int_equal(stat("sar.json", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(files("sar.json"), 1); /* no temporary file left */
	json_error_t je;
	json_t *x = json_load_file("sar.json", 0, &je);
	assert_non_null(x);
	json_t *rec = json_object_get(x, "record");
	assert_string_equal(json_string_value(json_object_get(rec, "name")), "Hal Doc");
	assert_string_equal(json_string_value(json_object_get(rec, "staff_ref")), "107");
	assert_string_equal(json_string_value(json_object_get(x, "exported_by")), "system:cli");
	json_t *p = json_object_get(rec, "protected");
	assert_string_equal(json_string_value(json_object_get(p, "ethnic_category")), "99");
	json_t *a0 = json_array_get(json_object_get(rec, "assignments"), 0);
	assert_string_equal(json_string_value(json_object_get(a0, "assignment_ref")), "A9");
	json_decref(x);
	assert_int_equal(exports(f, r), 1);

	/* a second export lists the first in its audit entries */
	run(f, r, "person", "export", "--staff-ref", "107", "--org", "RXC", "--out", "sar.json",
	    "--format", "json", END);
	assert_int_equal(r->code, 0);
	x = json_load_file("sar.json", 0, &je);
	json_t *au = json_object_get(x, "audit_entries");
	assert_int_equal(json_array_size(au), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(au, 0), "action")),
	                    "people.export");
	json_decref(x);
	assert_int_equal(exports(f, r), 2);

	/* a file that cannot be written: exit 1, no entry, nothing left */
	run(f, r, "person", "export", "--staff-ref", "107", "--org", "RXC", "--out",
	    "no-such-dir/sar.json", END);
	assert_int_equal(r->code, 1);
	assert_non_null(strstr(r->err, "cannot create"));
	assert_int_equal(exports(f, r), 2);
	/* no such person, bad usage */
	run(f, r, "person", "export", "--staff-ref", "999", "--org", "RXC", "--out", "x.json", END);
	assert_int_equal(r->code, 1);
	assert_non_null(strstr(r->err, "no staff record 999 at RXC"));
	run(f, r, "person", "export", "--staff-ref", "107", "--out", "x.json", END);
	assert_int_equal(r->code, 2);
	run(f, r, "person", "export", "--staff-ref", "107", "--org", "RXC", "--out", "x.csv",
	    "--format", "csv", END);
	assert_int_equal(r->code, 2);
	assert_int_equal(files("x."), 0);
	assert_int_equal(exports(f, r), 2);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    {"test_export(sqlite)", test_export, setup_sqlite, teardown, NULL},
	    {"test_export(postgresql)", test_export, setup_pg, teardown, NULL},
	};
	return cmocka_run_group_tests_name("cli_person", tests, NULL, NULL);
}
