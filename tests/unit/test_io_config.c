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

#include "base/buf.h"
#include "io/config.h"

/* Each test runs in a fresh folder made by mkdtemp and removed afterwards;
 * the tests chdir into it so the default paths cadre.ini and secrets.ini are
 * files the test controls. */
struct fixture {
	char dir[64];
	int old_cwd;
};

static const char *const no_env[] = {NULL};

static const char hex_a[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
static const char hex_b[] = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	memcpy(f->dir, "/tmp/cadre-config-XXXXXX", sizeof "/tmp/cadre-config-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	f->old_cwd = open(".", O_RDONLY | O_DIRECTORY);
	if (f->old_cwd < 0 || chdir(f->dir) != 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static const char *const made_files[] = {"cadre.ini", "secrets.ini", "other.ini",
                                         "gen.ini",   "keys.ini",    "sub/s.ini"};

static int teardown(void **state)
{
	struct fixture *f = *state;
	for (size_t i = 0; i < sizeof made_files / sizeof made_files[0]; i++)
		(void)unlink(made_files[i]);
	(void)rmdir("sub");
	int rc = fchdir(f->old_cwd);
	(void)close(f->old_cwd);
	if (rmdir(f->dir) != 0)
		rc = -1; /* a file the test made was not cleaned up */
	free(f);
	return rc;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	(void)unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, mode), 0);
	size_t n = strlen(text);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

/* load text (NULL: no cadre.ini) with env (NULL: an empty one) into a new config; returns the
 * status and leaves the config in *out (free it) */
static int load(const char *ini, const char *const *env, struct config **out, struct cadre_err *err)
{
	if (ini)
		write_file("cadre.ini", ini, 0644);
	else
		(void)unlink("cadre.ini");
	*out = config_new();
	cadre_err_clear(err);
	return config_load(*out, "cadre.ini", false, env ? env : no_env, err);
}

/* load ini and expect it to fail with status and exactly msg */
static void expect_fail(const char *ini, const char *const *env, int status, const char *msg)
{
	struct config *c;
	struct cadre_err err;
	int rc = load(ini, env, &c, &err);
	assert_string_equal(err.msg, msg);
	assert_int_equal(rc, status);
	config_free(c);
}

static char *show(const struct config *c, bool json)
{
	struct buf b;
	struct cadre_err err;
	buf_init(&b, 1 << 20);
	assert_int_equal(config_write_show(c, &b, json, &err), CADRE_OK);
	return buf_detach(&b);
}

/* ---- defaults and precedence ------------------------------------------- */

static void test_defaults(void **state)
{
	(void)state;
	struct config *c;
	struct cadre_err err;
	assert_int_equal(load(NULL, NULL, &c, &err), CADRE_OK);
	assert_string_equal(config_get_str(c, "database.url"), "cadre.db");
	assert_string_equal(config_get_str(c, "server.listen"), "127.0.0.1:8080");
	assert_int_equal(config_get_int(c, "server.threads"), 8);
	assert_string_equal(config_get_str(c, "server.public_url"), "");
	assert_int_equal(config_get_int(c, "session.idle_minutes"), 30);
	assert_int_equal(config_get_int(c, "session.absolute_hours"), 12);
	assert_string_equal(config_get_str(c, "log.level"), "info");
	assert_true(config_get_bool(c, "log.requests"));
	assert_string_equal(config_get_str(c, "secrets.file"), "secrets.ini");
	assert_null(config_get_key(c, "secrets.pseudonym_key"));
	assert_null(config_get_key(c, "secrets.audit_key"));
	assert_string_equal(config_source(c, "server.threads"), "default");
	assert_string_equal(config_source(c, "secrets.audit_key"), "default");
	assert_int_equal(config_require_secrets(c, &err), CADRE_ENOTFOUND);
	assert_string_equal(err.msg, "no secrets file 'secrets.ini' (secrets.file, default); run "
	                             "`cadre init` to create one");
	config_free(c);
}

static void test_precedence(void **state)
{
	(void)state;
	const char *ini = "[database]\n"
	                  "url = file.db\n"
	                  "[server]\n"
	                  "threads = 4\n"
	                  "listen = 0.0.0.0:9000\n";
	struct config *c;
	struct cadre_err err;

	/* file over default */
	assert_int_equal(load(ini, NULL, &c, &err), CADRE_OK);
	assert_string_equal(config_get_str(c, "database.url"), "file.db");
	assert_string_equal(config_source(c, "database.url"), "file cadre.ini:2");
	assert_int_equal(config_get_int(c, "server.threads"), 4);
	assert_string_equal(config_source(c, "server.threads"), "file cadre.ini:4");
	assert_string_equal(config_get_str(c, "log.level"), "info");
	assert_string_equal(config_source(c, "log.level"), "default");
	config_free(c);

	/* environment over file, and over default */
	const char *const env[] = {"HOME=/x", "CADRE_DB=env.db", "CADRE_LOG_LEVEL=debug",
	                           "CADRE_THREADSX=99", NULL};
	assert_int_equal(load(ini, env, &c, &err), CADRE_OK);
	assert_string_equal(config_get_str(c, "database.url"), "env.db");
	assert_string_equal(config_source(c, "database.url"), "environment CADRE_DB");
	assert_string_equal(config_get_str(c, "log.level"), "debug");
	assert_string_equal(config_source(c, "log.level"), "environment CADRE_LOG_LEVEL");
	assert_int_equal(config_get_int(c, "server.threads"), 4); /* CADRE_THREADSX is not it */
	assert_string_equal(config_get_str(c, "server.listen"), "0.0.0.0:9000");

	/* flag over environment, set after loading */
	assert_int_equal(config_set_flag(c, "database.url", "flag.db", &err), CADRE_OK);
	assert_string_equal(config_get_str(c, "database.url"), "flag.db");
	assert_string_equal(config_source(c, "database.url"), "flag --db");
	config_free(c);

	/* a flag set before loading still wins over environment and file */
	write_file("cadre.ini", ini, 0644);
	c = config_new();
	assert_int_equal(config_set_flag(c, "database.url", "early.db", &err), CADRE_OK);
	assert_int_equal(config_load(c, "cadre.ini", true, env, &err), CADRE_OK);
	assert_string_equal(config_get_str(c, "database.url"), "early.db");
	assert_string_equal(config_source(c, "database.url"), "flag --db");
	config_free(c);
}

static void test_file_forms(void **state)
{
	(void)state;
	struct config *c;
	struct cadre_err err;
	/* byte-order mark, CRLF, comments, inline comment, other spellings */
	const char *ini = "\xEF\xBB\xBF; Cadre\r\n"
	                  "# also a comment\r\n"
	                  "[server]\r\n"
	                  "threads = 16 ; sixteen\r\n"
	                  "listen = [::1]:8443\r\n"
	                  "trusted_proxies = 10.0.0.0/8, 192.168.1.7 ,fd00::/8\r\n"
	                  "public_url = https://cadre.example.nhs.uk/planning\r\n"
	                  "[log]\r\n"
	                  "requests = No\r\n";
	assert_int_equal(load(ini, NULL, &c, &err), CADRE_OK);
	assert_int_equal(config_get_int(c, "server.threads"), 16);
	assert_string_equal(config_source(c, "server.threads"), "file cadre.ini:4");
	assert_string_equal(config_get_str(c, "server.listen"), "[::1]:8443");
	assert_string_equal(config_get_str(c, "server.trusted_proxies"),
	                    "10.0.0.0/8, 192.168.1.7 ,fd00::/8");
	assert_string_equal(config_get_str(c, "server.public_url"),
	                    "https://cadre.example.nhs.uk/planning");
	assert_false(config_get_bool(c, "log.requests"));
	assert_string_equal(config_source(c, "log.requests"), "file cadre.ini:9");
	config_free(c);
}

static void test_missing_files(void **state)
{
	(void)state;
	struct config *c = config_new();
	struct cadre_err err;
	/* the default path may be absent */
	assert_int_equal(config_load(c, "cadre.ini", false, no_env, &err), CADRE_OK);
	config_free(c);
	/* a file the person named may not */
	c = config_new();
	assert_int_equal(config_load(c, "other.ini", true, no_env, &err), CADRE_ENOTFOUND);
	assert_string_equal(err.msg, "configuration file 'other.ini' not found (named by --config "
	                             "or CADRE_CONFIG)");
	config_free(c);
	/* a folder is not a configuration file */
	assert_int_equal(mkdir("sub", 0700), 0);
	c = config_new();
	assert_int_equal(config_load(c, "sub", true, no_env, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "configuration file 'sub' is not a regular file");
	config_free(c);
}

/* ---- bad values, one per type ------------------------------------------ */

static void test_bad_values_in_file(void **state)
{
	(void)state;
	static const struct {
		const char *ini;
		const char *msg;
	} cases[] = {
	    {"[server]\nthreads = eight\n",
	     "cadre.ini:2: server.threads: expected a whole number from 1 to 256, got 'eight'"},
	    {"[server]\n\nthreads = 0\n",
	     "cadre.ini:3: server.threads: expected a whole number from 1 to 256, got '0'"},
	    {"[server]\nthreads = 257\n",
	     "cadre.ini:2: server.threads: expected a whole number from 1 to 256, got '257'"},
	    {"[session]\nidle_minutes = 1441\n",
	     "cadre.ini:2: session.idle_minutes: expected a whole number from 1 to 1440, got "
	     "'1441'"},
	    {"[log]\nrequests = maybe\n",
	     "cadre.ini:2: log.requests: expected true or false (or yes/no, on/off, 1/0), got "
	     "'maybe'"},
	    {"[log]\nlevel = verbose\n",
	     "cadre.ini:2: log.level: expected one of debug, info, warn or error, got 'verbose'"},
	    {"[log]\nlevel = INFO\n",
	     "cadre.ini:2: log.level: expected one of debug, info, warn or error, got 'INFO'"},
	    {"[server]\nlisten = 8080\n",
	     "cadre.ini:2: server.listen: expected host:port such as 127.0.0.1:8080 or [::1]:8080 "
	     "(port 1 to 65535), got '8080'"},
	    {"[server]\nlisten = ::1:8080\n",
	     "cadre.ini:2: server.listen: expected host:port such as 127.0.0.1:8080 or [::1]:8080 "
	     "(port 1 to 65535), got '::1:8080'"},
	    {"[server]\nlisten = localhost:70000\n",
	     "cadre.ini:2: server.listen: expected host:port such as 127.0.0.1:8080 or [::1]:8080 "
	     "(port 1 to 65535), got 'localhost:70000'"},
	    {"[server]\npublic_url = ftp://cadre.example\n",
	     "cadre.ini:2: server.public_url: expected an http:// or https:// address such as "
	     "https://cadre.example.nhs.uk (no query or #fragment), got 'ftp://cadre.example'"},
	    {"[server]\ntrusted_proxies = 10.0.0.0/8, 10.0.0.300\n",
	     "cadre.ini:2: server.trusted_proxies: entry 2: expected an IP address or CIDR block "
	     "such as 10.0.0.0/8 or ::1, got '10.0.0.300'"},
	    {"[server]\ntrusted_proxies = 10.0.0.0/33\n",
	     "cadre.ini:2: server.trusted_proxies: entry 1: expected an IP address or CIDR block "
	     "such as 10.0.0.0/8 or ::1, got '10.0.0.0/33'"},
	    {"[database]\nurl =\n", "cadre.ini:2: database.url: must not be empty"},
	    {"[database]\nurl = caf\xC3\n", "cadre.ini:2: not valid UTF-8"},
	    {"[server]\nthreads = 4\n[server]\nthreads = 5\n",
	     "cadre.ini:4: server.threads is set twice (first on line 2)"},
	    {"[server]\ntls_cert = /etc/cadre/cert.pem\n",
	     "server.tls_cert is set (file cadre.ini:2) but server.tls_key is not: set both for "
	     "HTTPS, or neither"},
	    {"[session]\nidle_minutes = 800\n",
	     "session.idle_minutes (800, file cadre.ini:2) is longer than session.absolute_hours "
	     "(12 hours, default)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_fail(cases[i].ini, NULL, CADRE_EINVAL, cases[i].msg);
}

static void test_bad_values_from_env_and_flags(void **state)
{
	(void)state;
	const char *const threads[] = {"CADRE_THREADS=eight", NULL};
	expect_fail(NULL, threads, CADRE_EINVAL,
	            "environment CADRE_THREADS: server.threads: expected a whole number from 1 to "
	            "256, got 'eight'");
	const char *const level[] = {"CADRE_LOG_LEVEL=loud", NULL};
	expect_fail(NULL, level, CADRE_EINVAL,
	            "environment CADRE_LOG_LEVEL: log.level: expected one of debug, info, warn or "
	            "error, got 'loud'");
	const char *const db[] = {"CADRE_DB=a\nb", NULL};
	expect_fail(NULL, db, CADRE_EINVAL,
	            "environment CADRE_DB: database.url: contains a control character");
	/* an environment value is checked even when the file is fine */
	const char *const listen[] = {"CADRE_LISTEN=", NULL};
	expect_fail("[server]\nlisten = 127.0.0.1:8000\n", listen, CADRE_EINVAL,
	            "environment CADRE_LISTEN: server.listen: expected host:port such as "
	            "127.0.0.1:8080 or [::1]:8080 (port 1 to 65535), got ''");

	struct config *c = config_new();
	struct cadre_err err;
	assert_int_equal(config_set_flag(c, "database.url", "", &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "flag --db: database.url: must not be empty");
	assert_int_equal(config_set_flag(c, "server.threads", "4", &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "server.threads has no command-line flag");
	assert_int_equal(config_set_flag(c, "secrets.audit_key", hex_a, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "secrets.audit_key cannot be given on the command line; it "
	                             "is read only from the secrets file");
	assert_null(strstr(err.msg, hex_a));
	assert_null(config_get_key(c, "secrets.audit_key"));
	/* a refused value leaves the old one */
	assert_string_equal(config_get_str(c, "database.url"), "cadre.db");
	assert_string_equal(config_source(c, "database.url"), "default");
	config_free(c);
}

/* ---- syntax and names -------------------------------------------------- */

static void test_unknown_settings(void **state)
{
	(void)state;
	expect_fail(
	    "; Cadre\n[server]\nlisten = 127.0.0.1:9000\n\n\n\nthread = 8\n", NULL, CADRE_EINVAL,
	    "cadre.ini:7: unknown setting 'server.thread' (did you mean 'server.threads'?)");
	expect_fail(
	    "[serve]\nthreads = 2\n", NULL, CADRE_EINVAL,
	    "cadre.ini:2: unknown setting 'serve.threads' (did you mean 'server.threads'?)");
	expect_fail("[log]\nthreads = 2\n", NULL, CADRE_EINVAL,
	            "cadre.ini:2: unknown setting 'log.threads' (did you mean 'server.threads'?)");
	expect_fail("[server]\ncolour = blue\n", NULL, CADRE_EINVAL,
	            "cadre.ini:2: unknown setting 'server.colour'");
	expect_fail("threads = 8\n", NULL, CADRE_EINVAL,
	            "cadre.ini:1: 'threads' comes before any [section] heading: write it as "
	            "'threads = ...' under [server]");
	expect_fail("server.threads = 8\n", NULL, CADRE_EINVAL,
	            "cadre.ini:1: 'server.threads' comes before any [section] heading: write it "
	            "as 'threads = ...' under [server]");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	expect_fail("[server]\nthreads = 4\nthis line is wrong\n", NULL, CADRE_EINVAL,
	            "cadre.ini:3: expected 'name = value', '[section]' or a comment starting "
	            "with ';' or '#', got 'this line is wrong'");
	expect_fail("[server\nthreads = 4\n", NULL, CADRE_EINVAL,
	            "cadre.ini:1: a section heading needs a closing ']', got '[server'");
	/* the first problem is reported, whichever kind it is */
	expect_fail("[server]\nnonsense\nthreads = x\n", NULL, CADRE_EINVAL,
	            "cadre.ini:2: expected 'name = value', '[section]' or a comment starting "
	            "with ';' or '#', got 'nonsense'");
	expect_fail("[server]\nthreads = x\nnonsense\n", NULL, CADRE_EINVAL,
	            "cadre.ini:2: server.threads: expected a whole number from 1 to 256, got 'x'");
	expect_fail("[server]\nthreads = 4\n  5\n", NULL, CADRE_EINVAL,
	            "cadre.ini:3: indented line continues server.threads; write each setting on "
	            "one line, without indentation");
	/* a line inih would split in two */
	char ini[512];
	(void)snprintf(ini, sizeof ini, "[database]\nurl = %0250d\n", 7);
	expect_fail(ini, NULL, CADRE_EINVAL, "cadre.ini:2: line longer than 197 characters");
	(void)snprintf(ini, sizeof ini, "[database]\nurl = %0192d\r\n", 7);
	expect_fail(ini, NULL, CADRE_EINVAL, "cadre.ini:2: line longer than 197 characters");
	(void)snprintf(ini, sizeof ini, "[database]\nurl = %0191d\r\n", 7);
	struct config *ok;
	struct cadre_err ok_err;
	assert_int_equal(load(ini, NULL, &ok, &ok_err), CADRE_OK);
	assert_int_equal(strlen(config_get_str(ok, "database.url")), 191);
	config_free(ok);
	/* a NUL byte would end inih's reading early */
	write_file("cadre.ini", "[server]\nthreads = 4\n", 0644);
	int fd = open("cadre.ini", O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x\0y = 1\n", 8), 8);
	assert_int_equal(close(fd), 0);
	struct config *c = config_new();
	struct cadre_err err;
	assert_int_equal(config_load(c, "cadre.ini", true, no_env, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "cadre.ini:3: contains a NUL byte");
	config_free(c);
}

/* ---- secrets ----------------------------------------------------------- */

static void write_secrets(const char *path, mode_t mode)
{
	char text[256];
	(void)snprintf(text, sizeof text, "[secrets]\npseudonym_key = %s\naudit_key = %s\n", hex_a,
	               hex_b);
	write_file(path, text, mode);
}

static void test_secrets_mode(void **state)
{
	(void)state;
	struct config *c;
	struct cadre_err err;
	static const mode_t refused[] = {0644, 0640, 0604, 0601, 0660};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		write_secrets("secrets.ini", refused[i]);
		assert_int_equal(load(NULL, NULL, &c, &err), CADRE_EPERM);
		char want[256];
		(void)snprintf(want, sizeof want,
		               "secrets file 'secrets.ini' has mode %04o; it must be readable by "
		               "its owner only: run `chmod 600 secrets.ini`",
		               (unsigned)refused[i]);
		assert_string_equal(err.msg, want);
		assert_null(config_get_key(c, "secrets.audit_key"));
		config_free(c);
	}
	static const mode_t accepted[] = {0600, 0400};
	for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
		write_secrets("secrets.ini", accepted[i]);
		assert_int_equal(load(NULL, NULL, &c, &err), CADRE_OK);
		const unsigned char *k = config_get_key(c, "secrets.pseudonym_key");
		assert_non_null(k);
		assert_int_equal(k[0], 0x00);
		assert_int_equal(k[1], 0x11);
		assert_int_equal(k[15], 0xff);
		assert_int_equal(k[31], 0xff);
		k = config_get_key(c, "secrets.audit_key");
		assert_non_null(k);
		assert_int_equal(k[0], 0xff);
		assert_int_equal(k[31], 0x00);
		assert_string_equal(config_source(c, "secrets.audit_key"), "file secrets.ini:3");
		assert_int_equal(config_require_secrets(c, &err), CADRE_OK);
		config_free(c);
	}
}

static void test_secrets_file_rules(void **state)
{
	(void)state;
	struct config *c;
	struct cadre_err err;
	/* a secret in cadre.ini is refused, and not echoed */
	char ini[256];
	(void)snprintf(ini, sizeof ini, "[secrets]\naudit_key = %s\n", hex_a);
	assert_int_equal(load(ini, NULL, &c, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "cadre.ini:2: secrets.audit_key must not be in cadre.ini: "
	                             "secrets belong in the secrets file (secrets.file, default "
	                             "secrets.ini), readable by its owner only");
	config_free(c);
	/* ordinary settings do not go in the secrets file */
	write_file("secrets.ini", "[server]\nthreads = 2\n", 0600);
	expect_fail(NULL, NULL, CADRE_EINVAL,
	            "secrets.ini:2: server.threads does not belong in the secrets file; put it in "
	            "cadre.ini");
	/* a bad key names its length, never its text */
	write_file("secrets.ini", "[secrets]\npseudonym_key = abc\n", 0600);
	expect_fail(NULL, NULL, CADRE_EINVAL,
	            "secrets.ini:2: secrets.pseudonym_key: expected 64 hexadecimal digits (32 "
	            "bytes), got 3 characters");
	char bad[256];
	(void)snprintf(bad, sizeof bad, "[secrets]\naudit_key = %.63sg\n", hex_a);
	write_file("secrets.ini", bad, 0600);
	assert_int_equal(load(NULL, NULL, &c, &err), CADRE_EINVAL);
	assert_null(strstr(err.msg, "00112233"));
	config_free(c);
	/* one key missing */
	(void)snprintf(bad, sizeof bad, "[secrets]\naudit_key = %s\n", hex_b);
	write_file("secrets.ini", bad, 0600);
	assert_int_equal(load(NULL, NULL, &c, &err), CADRE_OK);
	assert_int_equal(config_require_secrets(c, &err), CADRE_ENOTFOUND);
	assert_string_equal(err.msg,
	                    "secrets file 'secrets.ini' does not set secrets.pseudonym_key");
	config_free(c);
	(void)unlink("secrets.ini");
	/* secrets.file chosen in cadre.ini and then by the environment */
	assert_int_equal(mkdir("sub", 0700), 0);
	write_secrets("sub/s.ini", 0600);
	assert_int_equal(load("[secrets]\nfile = sub/s.ini\n", NULL, &c, &err), CADRE_OK);
	assert_string_equal(config_source(c, "secrets.file"), "file cadre.ini:2");
	assert_non_null(config_get_key(c, "secrets.audit_key"));
	assert_string_equal(config_source(c, "secrets.audit_key"), "file sub/s.ini:3");
	config_free(c);
	const char *const env[] = {"CADRE_SECRETS_FILE=keys.ini", NULL};
	assert_int_equal(load(NULL, env, &c, &err), CADRE_OK);
	assert_string_equal(config_source(c, "secrets.file"), "environment CADRE_SECRETS_FILE");
	assert_null(config_get_key(c, "secrets.audit_key"));
	assert_int_equal(config_require_secrets(c, &err), CADRE_ENOTFOUND);
	assert_string_equal(err.msg, "no secrets file 'keys.ini' (secrets.file, environment "
	                             "CADRE_SECRETS_FILE); run `cadre init` to create one");
	config_free(c);
}

static bool is_hex64(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

static void test_secrets_generate(void **state)
{
	(void)state;
	struct cadre_err err;
	/* the mode is 0600 whatever the umask: neither wider nor narrower */
	static const mode_t masks[] = {0, 0277};
	static const char *const paths[] = {"gen.ini", "keys.ini"};
	for (int i = 0; i < 2; i++) {
		mode_t old = umask(masks[i]);
		int rc = config_secrets_generate(paths[i], &err);
		(void)umask(old);
		assert_int_equal(rc, CADRE_OK);
		struct stat st;
		assert_int_equal(stat(paths[i], &st), 0);
		assert_int_equal(st.st_mode & 07777, 0600);
		assert_int_equal(st.st_uid, geteuid());
	}
	/* two 64-hex-digit keys, loadable, different from each other and from
	 * the other file's */
	FILE *fp = fopen("gen.ini", "r");
	assert_non_null(fp);
	char line[256], keys[2][65];
	int found = 0;
	while (fgets(line, sizeof line, fp)) {
		const char *eq = strstr(line, " = ");
		if (eq && found < 2 && is_hex64(eq + 3, strcspn(eq + 3, "\n"))) {
			memcpy(keys[found], eq + 3, 64);
			keys[found][64] = '\0';
			found++;
		}
	}
	(void)fclose(fp);
	assert_int_equal(found, 2);
	assert_string_not_equal(keys[0], keys[1]);

	const char *const env[] = {"CADRE_SECRETS_FILE=gen.ini", NULL};
	struct config *c;
	assert_int_equal(load(NULL, env, &c, &err), CADRE_OK);
	assert_int_equal(config_require_secrets(c, &err), CADRE_OK);
	const unsigned char *pk = config_get_key(c, "secrets.pseudonym_key");
	const unsigned char *ak = config_get_key(c, "secrets.audit_key");
	char hex[65];
	for (int i = 0; i < 32; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", pk[i]);
	assert_string_equal(hex, keys[0]);
	for (int i = 0; i < 32; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", ak[i]);
	assert_string_equal(hex, keys[1]);
	config_free(c);

	const char *const env2[] = {"CADRE_SECRETS_FILE=keys.ini", NULL};
	assert_int_equal(load(NULL, env2, &c, &err), CADRE_OK);
	for (int i = 0; i < 32; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x",
		               config_get_key(c, "secrets.pseudonym_key")[i]);
	assert_string_not_equal(hex, keys[0]);
	config_free(c);

	/* never overwrites */
	struct stat before, after;
	assert_int_equal(stat("gen.ini", &before), 0);
	assert_int_equal(config_secrets_generate("gen.ini", &err), CADRE_ECONFLICT);
	assert_string_equal(err.msg, "secrets file 'gen.ini' already exists; Cadre never replaces "
	                             "keys (move it away first)");
	assert_int_equal(stat("gen.ini", &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	assert_int_equal(before.st_size, after.st_size);
	/* and says why it could not create one */
	assert_int_equal(config_secrets_generate("sub/none/x.ini", &err), CADRE_EINVAL);
	assert_string_equal(
	    err.msg, "cannot create secrets file 'sub/none/x.ini': No such file or directory");
}

/* ---- config show ------------------------------------------------------- */

static void test_show_text(void **state)
{
	(void)state;
	struct config *c;
	struct cadre_err err;
	write_secrets("secrets.ini", 0600);
	const char *const env[] = {"CADRE_LOG_LEVEL=warn", NULL};
	assert_int_equal(load("[server]\nthreads = 4\n", env, &c, &err), CADRE_OK);
	assert_int_equal(config_set_flag(c, "database.url", "C:\\cadre.db", &err), CADRE_OK);
	char *out = show(c, false);
	assert_string_equal(out, "# configuration file: cadre.ini\n"
	                         "# secrets file: secrets.ini\n"
	                         "database.url = C:\\\\cadre.db  (flag --db)\n"
	                         "server.listen = 127.0.0.1:8080  (default)\n"
	                         "server.threads = 4  (file cadre.ini:2)\n"
	                         "server.public_url = (not set)  (default)\n"
	                         "server.trusted_proxies = (not set)  (default)\n"
	                         "server.tls_cert = (not set)  (default)\n"
	                         "server.tls_key = (not set)  (default)\n"
	                         "session.idle_minutes = 30  (default)\n"
	                         "session.absolute_hours = 12  (default)\n"
	                         "session.password_cost = interactive  (default)\n"
	                         "imports.workers = 2  (default)\n"
	                         "imports.upload_ttl_hours = 24  (default)\n"
	                         "imports.max_upload_mb = 64  (default)\n"
	                         "log.level = warn  (environment CADRE_LOG_LEVEL)\n"
	                         "log.requests = true  (default)\n"
	                         "secrets.file = secrets.ini  (default)\n"
	                         "secrets.pseudonym_key = ********  (file secrets.ini:2)\n"
	                         "secrets.audit_key = ********  (file secrets.ini:3)\n");
	assert_null(strstr(out, "00112233"));
	assert_null(strstr(out, "ffeeddcc"));
	free(out);
	config_free(c);

	/* without files: defaults, and nothing masked because nothing is set */
	(void)unlink("secrets.ini");
	assert_int_equal(load(NULL, NULL, &c, &err), CADRE_OK);
	out = show(c, false);
	assert_non_null(
	    strstr(out, "# configuration file: cadre.ini (not found; defaults apply)\n"));
	assert_non_null(strstr(out, "# secrets file: secrets.ini (not found)\n"));
	assert_non_null(strstr(out, "\nsecrets.audit_key = (not set)  (default)\n"));
	assert_null(strstr(out, "********"));
	free(out);
	config_free(c);
}

static void test_show_json(void **state)
{
	(void)state;
	struct config *c;
	struct cadre_err err;
	write_secrets("secrets.ini", 0600);
	/* only the audit key set */
	char text[256];
	(void)snprintf(text, sizeof text, "[secrets]\naudit_key = %s\n", hex_b);
	write_file("secrets.ini", text, 0600);
	assert_int_equal(load("[server]\nthreads = 4\n[log]\nrequests = off\n", NULL, &c, &err),
	                 CADRE_OK);
	char *out = show(c, true);
	assert_null(strstr(out, "ffeeddcc"));
	json_error_t jerr;
	json_t *root = json_loads(out, 0, &jerr);
	assert_non_null(root);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(root, "config_file"), "path")),
	    "cadre.ini");
	assert_true(json_is_true(json_object_get(json_object_get(root, "config_file"), "found")));
	json_t *s = json_object_get(root, "settings");
	assert_int_equal(json_object_size(s), 18);
	json_t *t = json_object_get(s, "server.threads");
	assert_true(json_is_integer(json_object_get(t, "value")));
	assert_int_equal(json_integer_value(json_object_get(t, "value")), 4);
	assert_string_equal(json_string_value(json_object_get(t, "source")), "file cadre.ini:2");
	assert_true(json_is_false(json_object_get(json_object_get(s, "log.requests"), "value")));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(s, "database.url"), "value")),
	    "cadre.db");
	json_t *ak = json_object_get(s, "secrets.audit_key");
	assert_string_equal(json_string_value(json_object_get(ak, "value")), "********");
	assert_true(json_is_true(json_object_get(ak, "sensitive")));
	assert_string_equal(json_string_value(json_object_get(ak, "source")), "file secrets.ini:2");
	json_t *pk = json_object_get(s, "secrets.pseudonym_key");
	assert_true(json_is_null(json_object_get(pk, "value")));
	assert_null(json_object_get(json_object_get(s, "server.threads"), "sensitive"));
	json_decref(root);
	free(out);
	config_free(c);
}

static void test_table(void **state)
{
	(void)state;
	size_t n;
	const struct config_setting *s = config_settings(&n);
	assert_int_equal(n, 18);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(strchr(s[i].name, '.'));
		assert_non_null(s[i].help);
		assert_ptr_equal(config_setting_find(s[i].name), &s[i]);
		if (s[i].sensitive) {
			/* secrets come from the secrets file only */
			assert_null(s[i].env);
			assert_null(s[i].flag);
			assert_int_equal(s[i].type, CONFIG_KEY);
		} else {
			assert_non_null(s[i].env);
			assert_memory_equal(s[i].env, "CADRE_", 6);
		}
	}
	assert_null(config_setting_find("server.thread"));
	assert_string_equal(config_setting_find("database.url")->env, "CADRE_DB");
	assert_string_equal(config_setting_find("database.url")->flag, "--db");
	assert_string_equal(config_setting_find("server.listen")->env, "CADRE_LISTEN");
	assert_string_equal(config_setting_find("server.threads")->env, "CADRE_THREADS");
	assert_string_equal(config_setting_find("log.level")->env, "CADRE_LOG_LEVEL");
	assert_string_equal(config_setting_find("secrets.file")->env, "CADRE_SECRETS_FILE");
	assert_true(config_setting_find("secrets.pseudonym_key")->sensitive);
	assert_true(config_setting_find("secrets.audit_key")->sensitive);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_forms, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_values_in_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_values_from_env_and_flags, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_settings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_secrets_mode, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_secrets_file_rules, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_secrets_generate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_show_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_show_json, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_table, setup, teardown),
	};
	return cmocka_run_group_tests_name("io_config", tests, NULL, NULL);
}
