/* The audit, setting and jobs commands end to end through cli_run, on
 * SQLite and on PostgreSQL: exit codes, output, the first bad entry named
 * on stderr, and the audit key read from a 0600 secrets file. */
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

#include "base/clock.h"
#include "base/mem.h"
#include "cli/cli.h"
#include "domain/actor.h"
#include "domain/job.h"
#include "store/store.h"
#include "testpg.h"

/* the end of run()'s word list (a typed null pointer, as variadic
 * functions need) */
#define END ((const char *)0)

struct fx {
	bool pg;
	char dir[64];
	char *url;
	int old_cwd;
};

struct run {
	int code;
	char out[32768];
	char err[8192];
};

static void slurp(FILE *f, char *dst, size_t cap)
{
	rewind(f);
	size_t n = fread(dst, 1, cap - 1, f);
	dst[n] = '\0';
	(void)fclose(f);
}

/* run: cadre --db URL WORDS... (NULL-terminated) */
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

static void write_secrets(void)
{
	int fd = open("secrets.ini", O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	static const char text[] =
	    "[secrets]\n"
	    "pseudonym_key = ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\n"
	    "audit_key = 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
	assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
	assert_int_equal(close(fd), 0);
}

static int setup(void **state, bool pg)
{
	struct fx *f = xcalloc(1, sizeof *f);
	f->pg = pg;
	(void)unsetenv("CADRE_CONFIG");
	(void)unsetenv("CADRE_SECRETS_FILE");
	(void)snprintf(f->dir, sizeof f->dir, "/tmp/cadre-cli-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->old_cwd = open(".", O_RDONLY);
	assert_true(f->old_cwd >= 0);
	assert_int_equal(chdir(f->dir), 0);
	if (pg) {
		f->url = testpg_create_db("cli_audit");
	} else {
		size_t n = strlen(f->dir) + 16;
		f->url = xmalloc(n);
		(void)snprintf(f->url, n, "%s/cadre.db", f->dir);
	}
	struct run r;
	run(f, &r, "init", END);
	if (r.code != 0)
		fail_msg("init: %s", r.err);
	/* init made a secrets file with random keys; the tests write their
	 * own, with a known key, when they need one. */
	assert_int_equal(unlink("secrets.ini"), 0);
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
	const char *names[] = {"secrets.ini", "cadre.db", "cadre.db-wal", "cadre.db-shm"};
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

static void test_needs_the_secrets_file(void **state)
{
	struct fx *f = *state;
	struct run r;
	run(f, &r, "setting", "set", "a", "1", END);
	assert_int_equal(r.code, 1);
	assert_string_equal(r.err, "cadre setting set: no secrets file 'secrets.ini' "
	                           "(secrets.file, default); run `cadre init` to create one\n");
	run(f, &r, "audit", "verify", END);
	assert_int_equal(r.code, 1);
	/* too open a secrets file is refused */
	write_secrets();
	assert_int_equal(chmod("secrets.ini", 0644), 0);
	run(f, &r, "audit", "verify", END);
	assert_int_equal(r.code, 1);
	assert_non_null(strstr(r.err, "mode 0644"));
}

static void test_verify_and_log(void **state)
{
	struct fx *f = *state;
	struct run r;
	write_secrets();
	run(f, &r, "audit", "verify", END);
	assert_int_equal(r.code, 0);
	assert_string_equal(r.out,
	                    "audit trail verified: 0 entries, head 0 "
	                    "0000000000000000000000000000000000000000000000000000000000000000\n"
	                    "redacted payloads: 0\n"
	                    "audited rows checked: 0\n"
	                    "signatures: checked with the audit key\n");
	run(f, &r, "setting", "set", "retention.audit_years", "8", END);
	assert_int_equal(r.code, 0);
	run(f, &r, "setting", "set", "site.name", "T\xc5\xb7 Gwyn", END);
	assert_int_equal(r.code, 0);
	run(f, &r, "setting", "get", "site.name", END);
	assert_int_equal(r.code, 0);
	assert_string_equal(r.out, "T\xc5\xb7 Gwyn\n");
	run(f, &r, "setting", "get", "nope", END);
	assert_int_equal(r.code, 1);
	assert_string_equal(r.err, "cadre setting get: setting 'nope' is not set\n");
	run(f, &r, "setting", "list", END);
	assert_int_equal(r.code, 0);
	assert_true(strncmp(r.out, "retention.audit_years\t8\t20", 26) == 0);
	assert_non_null(strstr(r.out, "\nsite.name\tT\xc5\xb7 Gwyn\t20"));

	run(f, &r, "audit", "verify", END);
	assert_int_equal(r.code, 0);
	assert_true(strncmp(r.out, "audit trail verified: 2 entries, head 2 ", 40) == 0);
	assert_non_null(strstr(r.out, "audited rows checked: 2\n"));

	run(f, &r, "audit", "log", END);
	assert_int_equal(r.code, 0);
	char *line2 = strchr(r.out, '\n');
	assert_non_null(line2);
	assert_true(strncmp(r.out, "1\t20", 4) == 0);
	assert_non_null(
	    strstr(r.out, "Z\tsystem:cli\tsetting.set\tsetting:retention.audit_years\t"));
	assert_true(strncmp(line2 + 1, "2\t20", 4) == 0);

	run(f, &r, "audit", "log", "--json", END);
	assert_int_equal(r.code, 0);
	json_error_t je;
	json_t *a = json_loads(r.out, 0, &je);
	assert_non_null(a);
	assert_int_equal(json_array_size(a), 2);
	json_t *e2 = json_array_get(a, 1);
	assert_int_equal(json_integer_value(json_object_get(e2, "seq")), 2);
	assert_string_equal(json_string_value(json_object_get(e2, "object")), "setting:site.name");
	assert_int_equal(strlen(json_string_value(json_object_get(e2, "hash"))), 64);
	assert_true(json_is_false(json_object_get(e2, "redacted")));
	json_decref(a);

	run(f, &r, "audit", "log", "--since", "2999-01-01", END);
	assert_int_equal(r.code, 0);
	assert_string_equal(r.out, "");
	run(f, &r, "audit", "log", "--since", "2999-01-01", "--json", END);
	assert_string_equal(r.out, "[]\n");
	run(f, &r, "audit", "log", "--since", "yesterday", END);
	assert_int_equal(r.code, 2);

	run(f, &r, "audit", "redact", "2", "--reason", "retention ended", END);
	assert_int_equal(r.code, 0);
	assert_string_equal(r.out, "audit entry 2: payload redacted\n");
	run(f, &r, "audit", "redact", "2", "--reason", "again", END);
	assert_int_equal(r.code, 1);
	run(f, &r, "audit", "redact", "2", END);
	assert_int_equal(r.code, 2);
	run(f, &r, "audit", "verify", "--json", END);
	assert_int_equal(r.code, 0);
	json_t *v = json_loads(r.out, 0, &je);
	assert_non_null(v);
	assert_true(json_is_true(json_object_get(v, "ok")));
	assert_int_equal(json_integer_value(json_object_get(v, "entries")), 3);
	assert_int_equal(json_integer_value(json_object_get(v, "redacted")), 1);
	json_decref(v);
}

static const struct store_sql q_tamper = {
    .name = "t_cli_tamper",
    .sql = "UPDATE audit_payload SET payload = '{}' WHERE seq = 2",
};

static void test_verify_names_first_bad_entry(void **state)
{
	struct fx *f = *state;
	struct run r;
	write_secrets();
	run(f, &r, "setting", "set", "a", "1", END);
	run(f, &r, "setting", "set", "b", "2", END);
	run(f, &r, "setting", "set", "c", "3", END);
	assert_int_equal(r.code, 0);
	struct cadre_err e;
	struct store *db;
	assert_int_equal(store_open(f->url, NULL, &db, &e), CADRE_OK);
	struct store_stmt *st;
	assert_int_equal(store_prepare(db, &q_tamper, &st, &e), CADRE_OK);
	assert_int_equal(store_exec(st, &e), CADRE_OK);
	store_close(db);
	run(f, &r, "audit", "verify", END);
	assert_int_equal(r.code, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err,
	                    "cadre audit verify: audit entry 2: payload hash does not match\n");
	run(f, &r, "audit", "verify", "--json", END);
	assert_int_equal(r.code, 1);
	json_t *v = json_loads(r.out, 0, NULL);
	assert_non_null(v);
	assert_true(json_is_false(json_object_get(v, "ok")));
	assert_int_equal(json_integer_value(json_object_get(v, "bad_entry")), 2);
	json_decref(v);
}

/* A job whose worker vanished long ago shows as interrupted. */
static void test_jobs(void **state)
{
	struct fx *f = *state;
	struct run r;
	run(f, &r, "jobs", END);
	assert_int_equal(r.code, 0);
	assert_string_equal(r.out, "");
	run(f, &r, "jobs", "--json", END);
	assert_string_equal(r.out, "[]\n");

	struct cadre_err e;
	struct store *db;
	assert_int_equal(store_open(f->url, NULL, &db, &e), CADRE_OK);
	struct clock_manual clk;
	clock_manual_init(&clk, INT64_C(1767225600000000)); /* 2026-01-01, long past */
	struct actor sys = actor_system("cli");
	struct actor w = actor_system("worker");
	int64_t id1, id2;
	assert_int_equal(job_create(&sys, db, "org.import", NULL, &clk.clock, &id1, &e), CADRE_OK);
	assert_int_equal(job_create(&sys, db, "plan.run", NULL, &clk.clock, &id2, &e), CADRE_OK);
	struct job j;
	assert_int_equal(job_claim(&w, db, "host-a:1", 60000, &clk.clock, &j, &e), CADRE_OK);
	assert_int_equal(job_heartbeat(&w, db, id1, "host-a:1", 3, 9, 60000, &clk.clock, &e),
	                 CADRE_OK);
	store_close(db);

	run(f, &r, "jobs", END);
	assert_int_equal(r.code, 0);
	static const char first[] =
	    "2\tqueued\tplan.run\tsystem:cli\t0/0\t2026-01-01T00:00:00.000000Z\t-\t\n"
	    "1\tinterrupted\torg.import\tsystem:cli\t3/9\t2026-01-01T00:00:00.000000Z\t";
	static const char last[] =
	    "Z\tinterrupted: the lease of worker host-a:1 ran out before the job finished\n";
	/* the finished time between them is now: when `cadre jobs` reaped it */
	assert_true(strncmp(r.out, first, strlen(first)) == 0);
	assert_true(strlen(r.out) > strlen(first) + strlen(last));
	assert_string_equal(r.out + strlen(r.out) - strlen(last), last);
	run(f, &r, "jobs", "--json", END);
	assert_int_equal(r.code, 0);
	json_t *a = json_loads(r.out, 0, NULL);
	assert_non_null(a);
	assert_int_equal(json_array_size(a), 2);
	json_t *j1 = json_array_get(a, 1);
	assert_string_equal(json_string_value(json_object_get(j1, "state")), "interrupted");
	assert_string_equal(json_string_value(json_object_get(j1, "worker")), "host-a:1");
	assert_string_equal(json_string_value(json_object_get(j1, "message")),
	                    "interrupted: the lease of worker host-a:1 ran out before the job "
	                    "finished");
	assert_true(json_is_null(json_object_get(json_array_get(a, 0), "worker")));
	json_decref(a);
}

#define BOTH(f)                                                                                    \
	{#f "(sqlite)", f, setup_sqlite, teardown, NULL},                                          \
	{                                                                                          \
#f "(postgresql)", f, setup_pg, teardown, NULL                                     \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_needs_the_secrets_file),
	    BOTH(test_verify_and_log),
	    BOTH(test_verify_names_first_bad_entry),
	    BOTH(test_jobs),
	};
	return cmocka_run_group_tests_name("cli_audit", tests, NULL, NULL);
}
