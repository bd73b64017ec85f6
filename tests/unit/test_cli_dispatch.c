/* The command line: dispatch by leading words, help from the generated
 * table, exit codes per DESIGN.md (0 success, 1 failure, 2 usage). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

struct run {
	int code;
	char out[16384];
	char err[16384];
};

static void slurp(FILE *f, char *dst, size_t cap)
{
	rewind(f);
	size_t n = fread(dst, 1, cap - 1, f);
	dst[n] = '\0';
	(void)fclose(f);
}

/* run: call cli_run on a NULL-terminated list of words after "cadre". */
static void run(struct run *r, const char *first, ...)
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
	struct cli cli = {
	    .out = tmpfile(), .errout = tmpfile(), .db = "unused.db", .config_path = "unused.ini"};
	assert_non_null(cli.out);
	assert_non_null(cli.errout);
	r->code = cli_run(&cli, argc, argv);
	slurp(cli.out, r->out, sizeof r->out);
	slurp(cli.errout, r->err, sizeof r->err);
}

static void test_table_is_sorted_and_documented(void **state)
{
	(void)state;
	assert_true(cli_command_count >= 2);
	for (size_t i = 0; i < cli_command_count; i++) {
		const struct cli_command *c = &cli_commands[i];
		assert_non_null(c->fn);
		assert_true(strncmp(c->usage, "cadre ", 6) == 0);
		assert_true(strlen(c->summary) > 5);
		if (i > 0)
			assert_true(strcmp(cli_commands[i - 1].name, c->name) < 0);
	}
}

static void test_help_lists_every_command(void **state)
{
	(void)state;
	struct run r;
	run(&r, "help", (const char *)NULL);
	assert_int_equal(r.code, 0);
	for (size_t i = 0; i < cli_command_count; i++)
		assert_non_null(strstr(r.out, cli_commands[i].summary));
	assert_non_null(strstr(r.out, "Exit codes: 0 success, 1 failure, 2 usage error."));
}

static void test_command_help(void **state)
{
	(void)state;
	struct run r;
	run(&r, "version", "--help", (const char *)NULL);
	assert_int_equal(r.code, 0);
	assert_true(strncmp(r.out, "usage: cadre version [--verbose]\n", 33) == 0);
	run(&r, "help", "version", (const char *)NULL);
	assert_int_equal(r.code, 0);
	assert_true(strncmp(r.out, "usage: cadre version [--verbose]\n", 33) == 0);
	run(&r, "help", "no-such", (const char *)NULL);
	assert_int_equal(r.code, 2);
	assert_non_null(strstr(r.err, "no command 'no-such'"));
}

static void test_version(void **state)
{
	(void)state;
	struct run r;
	run(&r, "version", (const char *)NULL);
	assert_int_equal(r.code, 0);
	assert_true(strncmp(r.out, "cadre ", 6) == 0);
	run(&r, "version", "--verbose", (const char *)NULL);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "\nschema: "));
	assert_non_null(strstr(r.out, "\nsqlite: 3."));
	assert_non_null(strstr(r.out, "\nlibpq: "));
	assert_non_null(strstr(r.out, "\nlibsodium: "));
	assert_non_null(strstr(r.out, "\nbuild: "));
}

static void test_usage_errors_exit_2(void **state)
{
	(void)state;
	struct run r;
	run(&r, "no-such-command", (const char *)NULL);
	assert_int_equal(r.code, 2);
	assert_non_null(strstr(r.err, "unknown command 'no-such-command'"));
	run(&r, "version", "--bogus", (const char *)NULL);
	assert_int_equal(r.code, 2);
	assert_non_null(strstr(r.err, "cadre version: unknown option '--bogus'"));
	assert_non_null(strstr(r.err, "usage: cadre version [--verbose]"));
	run(&r, "version", "extra", (const char *)NULL);
	assert_int_equal(r.code, 2);
	struct cli cli = {.out = tmpfile(), .errout = tmpfile()};
	char *argv[] = {"cadre", NULL};
	assert_int_equal(cli_run(&cli, 1, argv), 2);
	(void)fclose(cli.out);
	(void)fclose(cli.errout);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_is_sorted_and_documented),
	    cmocka_unit_test(test_help_lists_every_command),
	    cmocka_unit_test(test_command_help),
	    cmocka_unit_test(test_version),
	    cmocka_unit_test(test_usage_errors_exit_2),
	};
	return cmocka_run_group_tests_name("cli_dispatch", tests, NULL, NULL);
}
