/* fuzz_csv: the CSV reader and writer under libFuzzer.
 *
 * Each input is read three ways: from memory in one window, from memory in
 * chunks of 1 to 7 bytes, and from a FILE (fmemopen) in chunks of 1 to 5
 * bytes; all three must give the same records, positions and final message,
 * so chunk boundaries cannot change a result.  Small caps make the cap errors
 * reachable.  Every record read is then written with the writer and read back:
 * the fields must come back the same, except that a cell starting with a
 * formula character (= + - @ tab CR) comes back with the writer's ' in front.
 * Any mismatch aborts.
 *
 * The corpus files sickness-* hold lines of NHS Sickness Absence Rates,
 * April 2024, published by NHS England under the Open Government Licence
 * v3.0 (../shared/data/nhs-sickness-absence/). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "io/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LOG_CAP ((size_t)64 * 1024 * 1024)

static void die(const char *what)
{
	(void)fprintf(stderr, "fuzz_csv: invariant broken: %s\n", what);
	abort();
}

static void must(int rc, const char *what)
{
	if (rc != CADRE_OK)
		die(what);
}

static bool formula_start(const struct csv_field *f)
{
	if (f->len == 0)
		return false;
	char c = f->s[0];
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* append_field: the field's length and bytes, with a ' in front when
 * `neutral` and the field starts with a formula character. */
static void append_field(struct buf *b, const struct csv_field *f, bool neutral)
{
	bool q = neutral && formula_start(f);
	must(buf_printf(b, NULL, "%zu:", f->len + (q ? 1 : 0)), "log");
	if (q)
		must(buf_putc(b, '\'', NULL), "log");
	must(buf_append(b, f->s, f->len, NULL), "log");
}

/* read_all: log every record with positions into `log`; when `w` is given,
 * also write each record with it and log the fields the reread should give
 * into `expect`.  Returns the final status. */
static int read_all(struct csv_reader *r, const struct csv_options *opt, size_t size,
                    struct buf *log, struct csv_writer *w, struct buf *expect)
{
	struct cadre_err e;
	int rc;
	uint64_t last_bytes = 0;
	long last_line = 0;
	while ((rc = csv_reader_next(r, &e)) == CADRE_OK) {
		size_t n = csv_reader_count(r);
		const struct csv_field *fs = csv_reader_fields(r);
		if (n == 0 || n > opt->max_fields)
			die("field count");
		long line = csv_reader_line(r);
		if (line <= last_line)
			die("record lines go forward");
		last_line = line;
		uint64_t bytes = csv_reader_bytes(r);
		if (bytes <= last_bytes && bytes != 0)
			die("bytes consumed go forward");
		if (bytes > size)
			die("bytes consumed within the input");
		last_bytes = bytes;
		must(buf_printf(log, NULL, "R%ld %zu\n", line, n), "log");
		if (expect)
			must(buf_printf(expect, NULL, "%zu\n", n), "log");
		for (size_t i = 0; i < n; i++) {
			const struct csv_field *f = &fs[i];
			if (f->s[f->len] != '\0' || memchr(f->s, '\0', f->len))
				die("field NUL");
			if (f->len > opt->max_field_bytes)
				die("field cap");
			if (!utf8_valid(f->s, f->len, NULL))
				die("field UTF-8");
			if (f->line < line || f->col < 1)
				die("field position");
			must(buf_printf(log, NULL, "%ld:%ld ", f->line, f->col), "log");
			append_field(log, f, false);
			if (w) {
				if (csv_writer_text(w, f->s, f->len, &e) != CADRE_OK)
					die("writer refused a field the reader gave");
				append_field(expect, f, true);
			}
		}
		if (w)
			must(csv_writer_end_row(w, &e), "writer end row");
	}
	if (rc == CADRE_DONE && csv_reader_bytes(r) != size)
		die("all bytes consumed at the end");
	if (rc != CADRE_DONE && rc != CADRE_EINVAL)
		die("status");
	if (rc == CADRE_EINVAL && strncmp(e.msg, "line ", 5) != 0)
		die("message form");
	must(buf_printf(log, NULL, "END %d %s\n", rc, rc == CADRE_DONE ? "" : e.msg), "log");
	return rc;
}

static void compare(const struct buf *a, const struct buf *b, const char *what)
{
	if (a->len != b->len || (a->len && memcmp(a->data, b->data, a->len) != 0)) {
		(void)fprintf(stderr, "--- one:\n%s\n--- other:\n%s\n", buf_cstr(a), buf_cstr(b));
		die(what);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_options opt;
	csv_options_init(&opt);
	opt.max_field_bytes = 64;
	opt.max_row_bytes = 256;
	opt.max_fields = 16;
	opt.skip_blank_lines = size % 3 != 0;

	struct buf log_a, log_b, log_c, expect, out, reread;
	buf_init(&log_a, LOG_CAP);
	buf_init(&log_b, LOG_CAP);
	buf_init(&log_c, LOG_CAP);
	buf_init(&expect, LOG_CAP);
	buf_init(&out, LOG_CAP);
	buf_init(&reread, LOG_CAP);
	struct cadre_err e;
	struct csv_reader *r = NULL;
	struct csv_writer *w = NULL;

	/* A: memory, one window; written out as we go */
	must(csv_reader_open_mem(&r, data, size, &opt, &e), "open mem");
	must(csv_writer_open_buf(&w, &out, &e), "open writer");
	(void)read_all(r, &opt, size, &log_a, w, &expect);
	csv_writer_free(w);
	csv_reader_free(r);

	/* B: memory in small chunks */
	struct csv_options small = opt;
	small.chunk_bytes = 1 + size % 7;
	must(csv_reader_open_mem(&r, data, size, &small, &e), "open mem chunked");
	(void)read_all(r, &opt, size, &log_b, NULL, NULL);
	csv_reader_free(r);
	compare(&log_a, &log_b, "memory whole and chunked agree");

	/* C: a FILE in small chunks */
	if (size > 0) {
		FILE *f = fmemopen((void *)(uintptr_t)data, size, "rb");
		if (!f)
			die("fmemopen");
		small.chunk_bytes = 1 + size % 5;
		must(csv_reader_open_file(&r, f, &small, &e), "open file");
		(void)read_all(r, &opt, size, &log_c, NULL, NULL);
		csv_reader_free(r);
		(void)fclose(f);
		compare(&log_a, &log_c, "memory and FILE agree");
	}

	/* round trip: the writer's output reads back as the fields written */
	struct csv_options big;
	csv_options_init(&big);
	must(csv_reader_open_mem(&r, out.data, out.len, &big, &e), "open reread");
	int rc;
	while ((rc = csv_reader_next(r, &e)) == CADRE_OK) {
		size_t n = csv_reader_count(r);
		must(buf_printf(&reread, NULL, "%zu\n", n), "log");
		for (size_t i = 0; i < n; i++)
			append_field(&reread, csv_reader_field(r, i), false);
	}
	if (rc != CADRE_DONE) {
		(void)fprintf(stderr, "reread: %s\n", e.msg);
		die("writer output reads back");
	}
	csv_reader_free(r);
	compare(&expect, &reread, "round trip");

	buf_free(&log_a);
	buf_free(&log_b);
	buf_free(&log_c);
	buf_free(&expect);
	buf_free(&out);
	buf_free(&reread);
	return 0;
}
