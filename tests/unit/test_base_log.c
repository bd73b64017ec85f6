#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

#define TS "ts=2026-11-25T16:20:35.123456Z "

static FILE *out;
static char *text;
static size_t text_len;
static struct clock_manual clk;

static int setup(void **state)
{
	(void)state;
	text = NULL;
	text_len = 0;
	out = open_memstream(&text, &text_len);
	if (!out)
		return -1;
	clock_manual_init(&clk, INT64_C(1795623635123456));
	log_set_output(out);
	log_set_clock(&clk.clock);
	log_set_level(LOG_INFO);
	log_set_request_id(NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	log_set_output(NULL);
	log_set_clock(NULL);
	fclose(out);
	free(text);
	return 0;
}

static const char *captured(void)
{
	static char empty[1];
	fflush(out);
	/* a writable empty string, not a literal: gcc -O3 would otherwise warn
	 * that offsets into the result may be outside a one-byte constant */
	return text ? text : empty;
}

/* one line with one string field */
static void one(const char *key, const char *value)
{
	struct log_line l;
	log_begin(&l, LOG_INFO, "t");
	log_str(&l, key, value);
	log_end(&l);
}

static void test_line(void **state)
{
	(void)state;
	struct log_line l;
	log_begin(&l, LOG_INFO, "import.done");
	log_int(&l, "rows", 1200);
	log_str(&l, "file", "staff 2026.csv");
	log_end(&l);
	assert_string_equal(captured(),
	                    TS "level=info event=import.done rows=1200 file=\"staff 2026.csv\"\n");
}

static void test_values(void **state)
{
	(void)state;
	struct log_line l;
	log_begin(&l, LOG_ERROR, "types");
	log_int(&l, "min", INT64_MIN);
	log_uint(&l, "max", UINT64_MAX);
	log_double(&l, "ratio", 0.25);
	log_double(&l, "big", 1234567.0);
	log_bool(&l, "ok", false);
	log_strn(&l, "part", "abcdef", 3);
	struct cadre_err e;
	cadre_err_set(&e, CADRE_EINVAL, "line 4, column 3: bad date");
	log_err(&l, &e);
	log_end(&l);
	assert_string_equal(captured(), TS "level=error event=types min=-9223372036854775808 "
	                                   "max=18446744073709551615 ratio=0.25 big=1.23457e+06 "
	                                   "ok=false part=abc status=invalid "
	                                   "error=\"line 4, column 3: bad date\"\n");
}

static void test_escaping(void **state)
{
	(void)state;
	one("q", "say \"hi\"");
	one("eq", "a=b");
	one("nl", "line1\nline2\r");
	one("bs", "back\\slash");
	one("tab", "a\tb");
	one("ctl", "\x01\x1f\x7f");
	one("empty", "");
	one("null", NULL);
	one("utf8", "caf\xc3\xa9");
	one("ls", "a\xe2\x80\xa8z"); /* U+2028 LINE SEPARATOR */
	one("nel", "a\xc2\x85z");    /* U+0085 NEXT LINE */
	one("bad", "a\xff\xc3z");    /* invalid UTF-8 */
	one("bad key=x\n", "v");     /* keys are sanitised */
	one("", "v");
	assert_string_equal(
	    captured(), TS
	    "level=info event=t q=\"say \\\"hi\\\"\"\n" /**/
	    TS "level=info event=t eq=\"a=b\"\n" TS
	    "level=info event=t nl=\"line1\\nline2\\r\"\n" TS
	    "level=info event=t bs=\"back\\\\slash\"\n" TS "level=info event=t tab=\"a\\tb\"\n" TS
	    "level=info event=t ctl=\"\\u0001\\u001f\\u007f\"\n" TS
	    "level=info event=t empty=\"\"\n" TS "level=info event=t null=\"\"\n" TS
	    "level=info event=t utf8=caf\xc3\xa9\n" TS "level=info event=t ls=\"a\\u2028z\"\n" TS
	    "level=info event=t nel=\"a\\u0085z\"\n" TS
	    "level=info event=t bad=\"a\\xff\\xc3z\"\n" TS "level=info event=t bad_key_x_=v\n" TS
	    "level=info event=t _=v\n");
}

static void test_no_forged_lines(void **state)
{
	(void)state;
	one("user", "x\n" TS "level=error event=forged");
	struct log_line l;
	log_begin(&l, LOG_INFO, "evil\nevent");
	log_end(&l);
	const char *s = captured();
	int lines = 0;
	for (const char *p = s; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 2);
	assert_string_equal(s,
	                    TS "level=info event=t user=\"x\\n" TS "level=error event=forged\"\n" TS
	                       "level=info event=\"evil\\nevent\"\n");
}

static void test_levels(void **state)
{
	(void)state;
	struct log_line l;
	log_set_level(LOG_WARN);
	assert_int_equal(log_get_level(), LOG_WARN);
	log_begin(&l, LOG_INFO, "quiet");
	log_str(&l, "k", "v");
	log_end(&l);
	log_begin(&l, LOG_DEBUG, "quieter");
	log_end(&l);
	log_begin(&l, LOG_WARN, "loud");
	log_end(&l);
	log_begin(&l, LOG_ERROR, "louder");
	log_end(&l);
	log_set_level(LOG_DEBUG);
	log_begin(&l, LOG_DEBUG, "detail");
	log_end(&l);
	assert_string_equal(captured(),
	                    TS "level=warn event=loud\n" TS "level=error event=louder\n" TS
	                       "level=debug event=detail\n");

	enum log_level lv = LOG_ERROR;
	struct cadre_err e;
	assert_int_equal(log_level_parse("debug", &lv, &e), CADRE_OK);
	assert_int_equal(lv, LOG_DEBUG);
	assert_int_equal(log_level_parse("warn", &lv, &e), CADRE_OK);
	assert_int_equal(lv, LOG_WARN);
	assert_int_equal(log_level_parse("verbose", &lv, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "log level 'verbose' is not debug, info, warn or error");
	assert_string_equal(log_level_name(LOG_ERROR), "error");
}

static void *other_thread(void *arg)
{
	(void)arg;
	/* a new thread has no request id of its own */
	struct log_line l;
	log_begin(&l, LOG_INFO, "worker");
	log_end(&l);
	return (void *)log_request_id();
}

static void test_request_id(void **state)
{
	(void)state;
	assert_null(log_request_id());
	log_set_request_id("req-7");
	assert_string_equal(log_request_id(), "req-7");
	struct log_line l;
	log_begin(&l, LOG_INFO, "page");
	log_int(&l, "status", 200);
	log_end(&l);
	pthread_t th;
	void *seen = (void *)1;
	assert_int_equal(pthread_create(&th, NULL, other_thread, NULL), 0);
	assert_int_equal(pthread_join(th, &seen), 0);
	assert_null(seen);
	log_set_request_id(NULL);
	log_begin(&l, LOG_INFO, "idle");
	log_end(&l);
	assert_string_equal(captured(),
	                    TS "level=info event=page request_id=req-7 status=200\n" TS
	                       "level=info event=worker\n" TS "level=info event=idle\n");
}

static void test_truncation(void **state)
{
	(void)state;
	char *big = malloc(5001);
	assert_non_null(big);
	memset(big, 'a', 5000);
	big[5000] = '\0';
	one("v", big);
	/* 52 bytes of "ts=... level=info event=t v=", then a's up to 4080
	 * bytes, " truncated=true" and the newline: exactly LOG_LINE_MAX */
	const char *s = captured();
	assert_int_equal(strlen(s), LOG_LINE_MAX);
	assert_int_equal(strspn(s + 52, "a"), 4080 - 52);
	assert_string_equal(s + 4080, " truncated=true\n");

	fflush(out);
	size_t before = text_len;
	memset(big, '"', 3000);
	big[3000] = '\0';
	struct log_line l;
	log_begin(&l, LOG_INFO, "t");
	log_str(&l, "v", big);
	log_str(&l, "after", "dropped");
	log_end(&l);
	s = captured() + before;
	/* after `v="` (53 bytes), 2013 whole \" escapes and the closing quote */
	assert_int_equal(strlen(s), LOG_LINE_MAX);
	assert_int_equal(s[52], '"');
	for (int i = 0; i < 2013; i++)
		assert_memory_equal(s + 53 + 2 * i, "\\\"", 2);
	assert_string_equal(s + 4079, "\" truncated=true\n");
	free(big);
}

#define THREADS 8
#define LINES   500

static void *writer(void *arg)
{
	char id[16];
	snprintf(id, sizeof id, "t%d", (int)(intptr_t)arg);
	log_set_request_id(id);
	for (int i = 0; i < LINES; i++) {
		struct log_line l;
		log_begin(&l, LOG_INFO, "tick");
		log_int(&l, "i", i);
		log_str(&l, "pad", "0123456789012345678901234567890123456789");
		log_end(&l);
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	pthread_t th[THREADS];
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, writer, (void *)(intptr_t)i), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	/* every line is whole: it starts with ts= and ends with the pad field */
	const char *s = captured();
	int lines = 0, counts[THREADS] = {0};
	for (const char *p = s; *p;) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		const char *head = TS "level=info event=tick request_id=t";
		assert_memory_equal(p, head, strlen(head));
		int t = p[strlen(head)] - '0';
		assert_true(t >= 0 && t < THREADS);
		counts[t]++;
		const char *tail = " pad=0123456789012345678901234567890123456789\n";
		assert_memory_equal(nl + 1 - strlen(tail), tail, strlen(tail));
		lines++;
		p = nl + 1;
	}
	assert_int_equal(lines, THREADS * LINES);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(counts[i], LINES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_values, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_forged_lines, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_levels, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_request_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	};
	return cmocka_run_group_tests_name("base_log", tests, NULL, NULL);
}
