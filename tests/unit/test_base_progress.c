#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/progress.h"

struct call {
	uint64_t done, total;
	bool end;
};

struct recorder {
	struct call calls[16];
	int n;
};

static void record(void *user, uint64_t done, uint64_t total, bool end)
{
	struct recorder *r = user;
	if (r->n < 16) {
		struct call c = {done, total, end};
		r->calls[r->n] = c;
	}
	r->n++;
}

/* what domain code does: it only sees the struct progress */
static void work(struct progress *p, uint64_t rows)
{
	for (uint64_t i = 1; i <= rows; i++)
		progress_update(p, i, rows);
	progress_end(p);
}

static void test_callback(void **state)
{
	(void)state;
	struct recorder r = {.n = 0};
	struct progress p;
	progress_init(&p, record, &r);
	work(&p, 3);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.calls[0].done, 1);
	assert_int_equal(r.calls[0].total, 3);
	assert_false(r.calls[0].end);
	assert_int_equal(r.calls[2].done, 3);
	assert_false(r.calls[2].end);
	assert_int_equal(r.calls[3].done, 3);
	assert_int_equal(r.calls[3].total, 3);
	assert_true(r.calls[3].end);
	/* nobody watching: NULL and a NULL callback are fine */
	work(NULL, 3);
	progress_init(&p, NULL, NULL);
	work(&p, 3);
}

/* the bytes written to a memory stream so far */
struct capture {
	FILE *f;
	char *data;
	size_t len;
};

static void capture_open(struct capture *c)
{
	c->data = NULL;
	c->len = 0;
	c->f = open_memstream(&c->data, &c->len);
	assert_non_null(c->f);
}

static const char *capture_text(struct capture *c)
{
	fflush(c->f);
	return c->data;
}

static void capture_close(struct capture *c)
{
	fclose(c->f);
	free(c->data);
}

static void test_bar(void **state)
{
	(void)state;
	struct capture cap;
	capture_open(&cap);
	struct clock_manual clk;
	clock_manual_init(&clk, 0);
	struct progress_term t;
	progress_term_init(&t, NULL, cap.f, PROGRESS_FORCE, &clk.clock);
	struct progress *p = &t.progress;

	progress_update(p, 420, 1000); /* the first update always draws */
	assert_string_equal(capture_text(&cap),
	                    "\r  42% [############------------------] 420/1000");
	/* 12 of 30 cells is 420/1000 rounded down */
	progress_update(p, 430, 1000); /* within 100 ms: not drawn */
	clock_manual_advance(&clk, 99999);
	progress_update(p, 440, 1000); /* still within */
	assert_int_equal(cap.len, strlen("\r  42% [############------------------] 420/1000"));
	clock_manual_advance(&clk, 1);
	progress_update(p, 999, 1000); /* 100 ms later: drawn */
	assert_string_equal(capture_text(&cap),
	                    "\r  42% [############------------------] 420/1000"
	                    "\r  99% [#############################-] 999/1000");
	progress_update(p, 1000, 1000); /* done == total: drawn at once */
	progress_update(p, 1000, 1000); /* but only once */
	progress_end(p);                /* repeats the last figures and ends the line */
	assert_string_equal(capture_text(&cap),
	                    "\r  42% [############------------------] 420/1000"
	                    "\r  99% [#############################-] 999/1000"
	                    "\r 100% [##############################] 1000/1000"
	                    "\r 100% [##############################] 1000/1000\n");
	capture_close(&cap);
}

static void test_bar_label_and_unknown_total(void **state)
{
	(void)state;
	struct capture cap;
	capture_open(&cap);
	struct clock_manual clk;
	clock_manual_init(&clk, 0);
	struct progress_term t;
	progress_term_init(&t, "import", cap.f, PROGRESS_FORCE, &clk.clock);
	progress_update(&t.progress, 1500, 0);
	clock_manual_advance(&clk, 200000);
	progress_update(&t.progress, 7, 10);
	clock_manual_advance(&clk, 200000);
	progress_update(&t.progress, 8, 0); /* shorter: blanked with spaces */
	progress_end(&t.progress);
	/* the 51-byte bar line is followed by a 9-byte line and 42 blanks */
	char want[256];
	snprintf(want, sizeof want, "%s%s%s%42s%s", "\rimport 1500",
	         "\rimport   70% [#####################---------] 7/10", "\rimport 8", "",
	         "\rimport 8\n");
	assert_string_equal(capture_text(&cap), want);
	capture_close(&cap);
}

static void test_bar_throttle_counts(void **state)
{
	(void)state;
	struct capture cap;
	capture_open(&cap);
	struct clock_manual clk;
	clock_manual_init(&clk, 0);
	struct progress_term t;
	progress_term_init(&t, NULL, cap.f, PROGRESS_FORCE, &clk.clock);
	/* 1.5 million rows at 1 µs each take 1.5 s: the first draw, one every
	 * 100 ms (15 more), then the final figures and the end */
	for (uint64_t i = 1; i <= 1500000; i++) {
		clock_manual_advance(&clk, 1);
		progress_update(&t.progress, i, 1500000);
	}
	progress_end(&t.progress);
	const char *s = capture_text(&cap);
	int draws = 0;
	for (const char *q = s; *q; q++)
		draws += *q == '\r';
	assert_int_equal(draws, 1 + 14 + 1 + 1);
	assert_non_null(strstr(s, "1500000/1500000\n"));
	capture_close(&cap);
}

static void test_silent(void **state)
{
	(void)state;
	struct capture cap;
	capture_open(&cap);
	struct progress_term t;
	/* a memory stream is not a terminal: AUTO stays silent */
	progress_term_init(&t, "x", cap.f, PROGRESS_AUTO, NULL);
	assert_false(t.enabled);
	work(&t.progress, 100);
	progress_term_init(&t, "x", cap.f, PROGRESS_OFF, NULL);
	work(&t.progress, 100);
	assert_int_equal(cap.len, 0);
	/* forced but never updated: the end writes nothing */
	progress_term_init(&t, "x", cap.f, PROGRESS_FORCE, NULL);
	progress_end(&t.progress);
	assert_int_equal(cap.len, 0);
	capture_close(&cap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_callback),
	    cmocka_unit_test(test_bar),
	    cmocka_unit_test(test_bar_label_and_unknown_total),
	    cmocka_unit_test(test_bar_throttle_counts),
	    cmocka_unit_test(test_silent),
	};
	return cmocka_run_group_tests_name("base_progress", tests, NULL, NULL);
}
