#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/num.h"
#include "io/csv.h"

#define S(x) x, (sizeof(x) - 1)

enum src { SRC_MEM, SRC_FILE };

/* dump_reader: every record as "R<line> <line>:<col>=<value> ..." lines,
 * CR and LF inside values shown as \r and \n, then "DONE" or "ERR <msg>". */
static void dump_reader(struct csv_reader *r, struct buf *out)
{
	struct cadre_err e;
	int rc;
	while ((rc = csv_reader_next(r, &e)) == CADRE_OK) {
		assert_int_equal(buf_printf(out, NULL, "R%ld", csv_reader_line(r)), CADRE_OK);
		for (size_t i = 0; i < csv_reader_count(r); i++) {
			const struct csv_field *f = csv_reader_field(r, i);
			assert_non_null(f);
			assert_int_equal(f->s[f->len], '\0');
			assert_int_equal(buf_printf(out, NULL, " %ld:%ld=", f->line, f->col),
			                 CADRE_OK);
			for (size_t k = 0; k < f->len; k++) {
				const char *esc = f->s[k] == '\n'   ? "\\n"
				                  : f->s[k] == '\r' ? "\\r"
				                                    : NULL;
				if (esc)
					assert_int_equal(buf_puts(out, esc, NULL), CADRE_OK);
				else
					assert_int_equal(buf_putc(out, f->s[k], NULL), CADRE_OK);
			}
		}
		assert_null(csv_reader_field(r, csv_reader_count(r)));
		assert_int_equal(buf_putc(out, '\n', NULL), CADRE_OK);
	}
	if (rc == CADRE_DONE)
		assert_int_equal(buf_puts(out, "DONE\n", NULL), CADRE_OK);
	else
		assert_int_equal(buf_printf(out, NULL, "ERR %s\n", e.msg), CADRE_OK);
}

/* dump: read the n bytes at in through the given source and chunk size. */
static char *dump(const char *in, size_t n, const struct csv_options *base, enum src src,
                  size_t chunk)
{
	struct csv_options opt;
	if (base)
		opt = *base;
	else
		csv_options_init(&opt);
	if (chunk)
		opt.chunk_bytes = chunk;
	struct csv_reader *r = NULL;
	struct cadre_err e;
	FILE *f = NULL;
	if (src == SRC_FILE) {
		f = tmpfile();
		assert_non_null(f);
		assert_int_equal(fwrite(in, 1, n, f), n);
		rewind(f);
		assert_int_equal(csv_reader_open_file(&r, f, &opt, &e), CADRE_OK);
	} else {
		assert_int_equal(csv_reader_open_mem(&r, in, n, &opt, &e), CADRE_OK);
	}
	struct buf out;
	buf_init(&out, 1 << 24);
	dump_reader(r, &out);
	csv_reader_free(r);
	if (f)
		(void)fclose(f);
	return buf_detach(&out);
}

/* check: the dump is `want` through memory and FILE, whole and in chunks of
 * 1 to 9 and 16 bytes, so no chunk boundary changes a result. */
static void check_opt(const char *in, size_t n, const struct csv_options *opt, const char *want)
{
	static const size_t chunks[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16};
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		for (int src = SRC_MEM; src <= SRC_FILE; src++) {
			char *got = dump(in, n, opt, (enum src)src, chunks[i]);
			if (strcmp(got, want) != 0)
				print_error("chunk %zu, %s source\n", chunks[i],
				            src == SRC_MEM ? "memory" : "FILE");
			assert_string_equal(got, want);
			free(got);
		}
	}
}

#define CHECK(in, want)          check_opt(S(in), NULL, want)
#define CHECK_OPT(in, opt, want) check_opt(S(in), opt, want)

static void test_bom_skipped(void **state)
{
	(void)state;
	CHECK("\xEF\xBB\xBFid,name\r\n1,x\r\n", "R1 1:1=id 1:4=name\nR2 2:1=1 2:3=x\nDONE\n");
	/* a quoted first field right after the mark */
	CHECK("\xEF\xBB\xBF\"a\",b", "R1 1:1=a 1:5=b\nDONE\n");
	/* only the first mark is one; a second is content */
	CHECK("\xEF\xBB\xBF\xEF\xBB\xBFx", "R1 1:1=\xEF\xBB\xBFx\nDONE\n");
	CHECK("\xEF\xBB\xBF", "DONE\n");
	CHECK("", "DONE\n");
}

static void test_line_ends(void **state)
{
	(void)state;
	CHECK("a,b\nc,d\n", "R1 1:1=a 1:3=b\nR2 2:1=c 2:3=d\nDONE\n");
	CHECK("a,b\r\nc,d\r\n", "R1 1:1=a 1:3=b\nR2 2:1=c 2:3=d\nDONE\n");
	CHECK("a\r\nb\nc\rd\r\n", "R1 1:1=a\nR2 2:1=b\nR3 3:1=c\nR4 4:1=d\nDONE\n");
}

static void test_last_line_without_newline(void **state)
{
	(void)state;
	CHECK("a,b\nc,d", "R1 1:1=a 1:3=b\nR2 2:1=c 2:3=d\nDONE\n");
	CHECK("a,\"q\"", "R1 1:1=a 1:3=q\nDONE\n");
	CHECK("a,", "R1 1:1=a 1:3=\nDONE\n");
	CHECK("x\r", "R1 1:1=x\nDONE\n");
}

static void test_quoted_fields(void **state)
{
	(void)state;
	CHECK("x,\"a,b\",\"say \"\"hi\"\"\"\n", "R1 1:1=x 1:3=a,b 1:9=say \"hi\"\nDONE\n");
	CHECK("\"\"\"\"\n", "R1 1:1=\"\nDONE\n");
	CHECK("\"a\rb\"\r", "R1 1:1=a\\rb\nDONE\n");
}

static void test_quoted_newline_keeps_line_numbers(void **state)
{
	(void)state;
	/* the quoted field spans lines 1 to 3, so "b" sits on line 3 column 5
	 * (after l3"), and the next record starts on line 4 */
	CHECK("a,\"l1\nl2\r\nl3\",b\nc\n", "R1 1:1=a 1:3=l1\\nl2\\r\\nl3 3:5=b\nR4 4:1=c\nDONE\n");
}

static void test_empty_fields(void **state)
{
	(void)state;
	CHECK(",,\n\"\"\na,\n", "R1 1:1= 1:2= 1:3=\nR2 2:1=\nR3 3:1=a 3:3=\nDONE\n");
}

static void test_blank_lines(void **state)
{
	(void)state;
	const char in[] = "\na\n\r\n\nb\n\n";
	CHECK(in, "R2 2:1=a\nR5 5:1=b\nDONE\n");
	struct csv_options opt;
	csv_options_init(&opt);
	opt.skip_blank_lines = false;
	/* RFC 4180: an empty line is a record of one empty field; the last line
	 * end ends the last record and makes none */
	CHECK_OPT(in, &opt, "R1 1:1=\nR2 2:1=a\nR3 3:1=\nR4 4:1=\nR5 5:1=b\nR6 6:1=\nDONE\n");
}

static void test_columns_count_characters(void **state)
{
	(void)state;
	CHECK("caf\xC3\xA9,\xE2\x82\xAC"
	      "5,\"\xF0\x9F\x98\x80\",x\n",
	      "R1 1:1=caf\xC3\xA9 1:6=\xE2\x82\xAC"
	      "5 1:9=\xF0\x9F\x98\x80 1:13=x\nDONE\n");
}

/* read_until_error: the status and message after all good records. */
static int read_until_error(const char *in, size_t n, const struct csv_options *opt,
                            size_t *records, struct cadre_err *e)
{
	struct csv_reader *r = NULL;
	assert_int_equal(csv_reader_open_mem(&r, in, n, opt, e), CADRE_OK);
	int rc;
	*records = 0;
	while ((rc = csv_reader_next(r, e)) == CADRE_OK)
		(*records)++;
	/* an error is sticky: the same status and message again */
	struct cadre_err again;
	assert_int_equal(csv_reader_next(r, &again), rc);
	if (rc != CADRE_DONE) {
		assert_string_equal(again.msg, e->msg);
		long line = 0, col = 0;
		assert_true(csv_reader_error_pos(r, &line, &col));
		char prefix[64];
		(void)snprintf(prefix, sizeof prefix, "line %ld, column %ld: ", line, col);
		assert_memory_equal(e->msg, prefix, strlen(prefix));
	}
	csv_reader_free(r);
	return rc;
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	struct cadre_err e;
	size_t recs;
	/* a Windows-1252 e-acute on line 3, after "2,ab" */
	assert_int_equal(read_until_error(S("id,name\n1,ok\n2,ab\xE9,x\n"), NULL, &recs, &e),
	                 CADRE_EINVAL);
	assert_int_equal(recs, 2);
	assert_string_equal(
	    e.msg, "line 3, column 5: invalid UTF-8 byte 0xE9 (save the file as CSV UTF-8)");
	CHECK("id,name\n1,ok\n2,ab\xE9,x\n",
	      "R1 1:1=id 1:4=name\nR2 2:1=1 2:3=ok\n"
	      "ERR line 3, column 5: invalid UTF-8 byte 0xE9 (save the file as CSV UTF-8)\n");
	/* columns count characters: the bad byte after "é" is column 2 */
	assert_int_equal(read_until_error(S("\xC3\xA9\xFF"), NULL, &recs, &e), CADRE_EINVAL);
	assert_string_equal(
	    e.msg, "line 1, column 2: invalid UTF-8 byte 0xFF (save the file as CSV UTF-8)");
	/* inside a quoted field, on its second line */
	assert_int_equal(read_until_error(S("\"ok\nx\x80\"\n"), NULL, &recs, &e), CADRE_EINVAL);
	assert_string_equal(
	    e.msg, "line 2, column 2: invalid UTF-8 byte 0x80 (save the file as CSV UTF-8)");
	/* a sequence cut off by the end of the input */
	CHECK("ab\xC3",
	      "ERR line 1, column 3: invalid UTF-8 byte 0xC3 (save the file as CSV UTF-8)\n");
	/* overlong and surrogate forms */
	CHECK("a,\xC0\xAF", "ERR line 1, column 3: invalid UTF-8 byte 0xC0 (save the file as "
	                    "CSV UTF-8)\n");
	CHECK("\xED\xA0\x80", "ERR line 1, column 1: invalid UTF-8 byte 0xED (save the file as "
	                      "CSV UTF-8)\n");
}

static void test_nul_and_utf16(void **state)
{
	(void)state;
	CHECK("ab\0c",
	      "ERR line 1, column 3: NUL byte (is the file UTF-16? save it as CSV UTF-8)\n");
	CHECK("\xFF\xFEi\0d\0",
	      "ERR line 1, column 1: the file is UTF-16, not UTF-8 (save it as CSV UTF-8)\n");
}

static void test_field_too_long(void **state)
{
	(void)state;
	struct csv_options opt;
	csv_options_init(&opt);
	opt.max_field_bytes = 8;
	struct cadre_err e;
	size_t recs;
	assert_int_equal(read_until_error(S("a,12345678\nb,123456789\n"), &opt, &recs, &e),
	                 CADRE_EINVAL);
	assert_int_equal(recs, 1);
	assert_string_equal(e.msg, "line 2, column 3: field longer than 8 bytes");
	/* content is counted after unquoting: 8 bytes pass, 9 do not */
	CHECK_OPT("\"1234\"\"567\"\n\"1234\"\"5678\"\n", &opt,
	          "R1 1:1=1234\"567\nERR line 2, column 1: field longer than 8 bytes\n");
	/* the default cap is 64 KiB */
	size_t big = CSV_DEFAULT_MAX_FIELD_BYTES + 1;
	char *in = xmalloc(big + 2);
	in[0] = 'x';
	in[1] = ',';
	memset(in + 2, 'y', big);
	assert_int_equal(read_until_error(in, big + 2, NULL, &recs, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "line 1, column 3: field longer than 65536 bytes");
	assert_int_equal(read_until_error(in, big + 1, NULL, &recs, &e), CADRE_DONE);
	assert_int_equal(recs, 1);
	free(in);
}

static void test_row_too_long(void **state)
{
	(void)state;
	struct csv_options opt;
	csv_options_init(&opt);
	opt.max_row_bytes = 10;
	struct cadre_err e;
	size_t recs;
	/* 7 and 10 bytes pass (line ends not counted), 11 do not */
	assert_int_equal(
	    read_until_error(S("abc,def\r\n0123456789\n01234,67890\n"), &opt, &recs, &e),
	    CADRE_EINVAL);
	assert_int_equal(recs, 2);
	assert_string_equal(e.msg, "line 3, column 1: record longer than 10 bytes");
	/* raw bytes count: quotes and commas too, and lines inside quotes */
	CHECK_OPT("\"ab\"\"cd\"\n\"a\nb\",\"\",\"\"\n", &opt,
	          "R1 1:1=ab\"cd\nERR line 2, column 1: record longer than 10 bytes\n");
	/* many short fields */
	CHECK_OPT("a,b,c,d,e,f\n", &opt, "ERR line 1, column 1: record longer than 10 bytes\n");
}

/* The fuzzer found that a long unquoted run over both caps was reported as a
 * long field when read in one window and as a long record when read in small
 * chunks.  Now the cap broken first in the input is reported, a tie going to
 * the field, at every chunk size. */
static void test_first_cap_broken_wins(void **state)
{
	(void)state;
	struct csv_options opt;
	csv_options_init(&opt);
	opt.max_row_bytes = 6;
	/* "ab,cdefgh": the 7th record byte (g) breaks the record cap before
	 * the 5th field byte (h) breaks a field cap of 4 */
	opt.max_field_bytes = 4;
	CHECK_OPT("ab,cdefgh", &opt, "ERR line 1, column 1: record longer than 6 bytes\n");
	/* a field cap of 2 breaks at e, before g */
	opt.max_field_bytes = 2;
	CHECK_OPT("ab,cdefgh", &opt, "ERR line 1, column 4: field longer than 2 bytes\n");
	/* a field cap of 3 breaks at g too: the field is named */
	opt.max_field_bytes = 3;
	CHECK_OPT("ab,cdefgh", &opt, "ERR line 1, column 4: field longer than 3 bytes\n");
}

static void test_too_many_fields(void **state)
{
	(void)state;
	struct csv_options opt;
	csv_options_init(&opt);
	opt.max_fields = 3;
	struct cadre_err e;
	size_t recs;
	assert_int_equal(read_until_error(S("a,b,c\nd,e,f,g\n"), &opt, &recs, &e), CADRE_EINVAL);
	assert_int_equal(recs, 1);
	assert_string_equal(e.msg, "line 2, column 7: more than 3 fields in a record");
	/* the default is 512 */
	struct buf in;
	buf_init(&in, 4096);
	for (int i = 0; i < 512; i++)
		assert_int_equal(buf_puts(&in, i ? ",x" : "x", NULL), CADRE_OK);
	assert_int_equal(read_until_error(in.data, in.len, NULL, &recs, &e), CADRE_DONE);
	assert_int_equal(buf_puts(&in, ",y", NULL), CADRE_OK);
	assert_int_equal(read_until_error(in.data, in.len, NULL, &recs, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "line 1, column 1025: more than 512 fields in a record");
	buf_free(&in);
}

static void test_truncated_quote(void **state)
{
	(void)state;
	struct cadre_err e;
	size_t recs;
	assert_int_equal(read_until_error(S("a,b\nc,\"open\nmore, text\n"), NULL, &recs, &e),
	                 CADRE_EINVAL);
	assert_int_equal(recs, 1);
	assert_string_equal(
	    e.msg, "line 2, column 3: quote opened here is not closed before the end of the input");
	/* a doubled quote at the very end does not close it */
	CHECK(
	    "\xC3\xA9,\"x\"\"",
	    "ERR line 1, column 3: quote opened here is not closed before the end of the input\n");
}

static void test_stray_quote(void **state)
{
	(void)state;
	struct cadre_err e;
	size_t recs;
	assert_int_equal(read_until_error(S("ok\na,b\"c\n"), NULL, &recs, &e), CADRE_EINVAL);
	assert_int_equal(recs, 1);
	assert_string_equal(e.msg, "line 2, column 4: quote inside an unquoted field (quote the "
	                           "whole field and double the quote)");
	CHECK("a,12\" screen\n", "ERR line 1, column 5: quote inside an unquoted field (quote the "
	                         "whole field and double the quote)\n");
}

static void test_junk_after_closing_quote(void **state)
{
	(void)state;
	struct cadre_err e;
	size_t recs;
	assert_int_equal(read_until_error(S("x\n\"a\"b,c\n"), NULL, &recs, &e), CADRE_EINVAL);
	assert_int_equal(recs, 1);
	assert_string_equal(e.msg, "line 2, column 4: unexpected text after a closing quote "
	                           "(expected a comma or the end of the line)");
	/* a space is text too; and after a quoted line break the line counts on */
	CHECK("\"a\" ,b", "ERR line 1, column 4: unexpected text after a closing quote (expected "
	                  "a comma or the end of the line)\n");
	CHECK("\"a\n\xC3\xA9\"x", "ERR line 2, column 3: unexpected text after a closing quote "
	                          "(expected a comma or the end of the line)\n");
}

static void test_bytes_consumed(void **state)
{
	(void)state;
	const char in[] = "\xEF\xBB\xBF"
	                  "a,b\r\nc\n";
	struct csv_reader *r = NULL;
	struct cadre_err e;
	assert_int_equal(csv_reader_open_mem(&r, S(in), NULL, &e), CADRE_OK);
	assert_int_equal(csv_reader_bytes(r), 0);
	long line, col;
	assert_false(csv_reader_error_pos(r, &line, &col));
	assert_int_equal(csv_reader_next(r, &e), CADRE_OK);
	assert_int_equal(csv_reader_bytes(r), 8);
	assert_int_equal(csv_reader_next(r, &e), CADRE_OK);
	assert_int_equal(csv_reader_bytes(r), 10);
	assert_int_equal(csv_reader_next(r, &e), CADRE_DONE);
	assert_int_equal(csv_reader_bytes(r), sizeof in - 1);
	assert_int_equal(csv_reader_next(r, &e), CADRE_DONE);
	csv_reader_free(r);
}

static void test_bad_options(void **state)
{
	(void)state;
	struct csv_options opt;
	csv_options_init(&opt);
	opt.chunk_bytes = CSV_MAX_CHUNK_BYTES + 1;
	struct csv_reader *r = NULL;
	struct cadre_err e;
	assert_int_equal(csv_reader_open_mem(&r, S("a"), &opt, &e), CADRE_EUSAGE);
	assert_null(r);
	/* zeros mean the defaults */
	memset(&opt, 0, sizeof opt);
	assert_int_equal(csv_reader_open_mem(&r, S("a\n\nb"), &opt, &e), CADRE_OK);
	assert_int_equal(csv_reader_next(r, &e), CADRE_OK);
	assert_int_equal(csv_reader_next(r, &e), CADRE_OK);
	assert_int_equal(csv_reader_field(r, 0)->len, 0); /* blank lines kept */
	csv_reader_free(r);
}

/* big_row: row i of the generated file, with a quoted comma and quote, a
 * multibyte character and, every 1000th row, a quoted line break. */
static int big_row(struct buf *b, long i)
{
	return buf_printf(b, NULL, "%ld,\"name, %ld \"\"q\"\"\",caf\xC3\xA9%ld,%s\r\n", i, i, i,
	                  i % 1000 == 0 ? "\"two\nlines\"" : "plain");
}

static void read_big(FILE *f, size_t chunk, long rows, long size)
{
	struct csv_options opt;
	csv_options_init(&opt);
	opt.chunk_bytes = chunk;
	struct csv_reader *r = NULL;
	struct cadre_err e;
	rewind(f);
	assert_int_equal(csv_reader_open_file(&r, f, &opt, &e), CADRE_OK);
	long i = 0, line = 1;
	char want[64];
	int rc;
	while ((rc = csv_reader_next(r, &e)) == CADRE_OK) {
		assert_int_equal(csv_reader_count(r), 4);
		assert_int_equal(csv_reader_line(r), line);
		const struct csv_field *f0 = csv_reader_fields(r);
		(void)snprintf(want, sizeof want, "%ld", i);
		assert_string_equal(f0[0].s, want);
		(void)snprintf(want, sizeof want, "name, %ld \"q\"", i);
		assert_string_equal(f0[1].s, want);
		assert_int_equal(f0[1].len, strlen(want));
		(void)snprintf(want, sizeof want, "caf\xC3\xA9%ld", i);
		assert_string_equal(f0[2].s, want);
		assert_string_equal(f0[3].s, i % 1000 == 0 ? "two\nlines" : "plain");
		/* "café<i>" has one character fewer than bytes, and a comma follows */
		assert_int_equal(f0[3].col, f0[2].col + (long)f0[2].len);
		line += i % 1000 == 0 ? 2 : 1;
		i++;
	}
	assert_int_equal(rc, CADRE_DONE);
	assert_int_equal(i, rows);
	assert_int_equal(csv_reader_bytes(r), (uint64_t)size);
	csv_reader_free(r);
}

static void test_file_larger_than_chunk(void **state)
{
	(void)state;
	const long rows = 50000;
	FILE *f = tmpfile();
	assert_non_null(f);
	struct buf b;
	buf_init(&b, 1 << 20);
	for (long i = 0; i < rows; i++) {
		buf_reset(&b);
		assert_int_equal(big_row(&b, i), CADRE_OK);
		assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
	}
	buf_free(&b);
	long size = ftell(f);
	assert_true(size > (long)(20 * CSV_DEFAULT_CHUNK_BYTES));
	read_big(f, 0, rows, size);
	read_big(f, 7, rows, size);
	(void)fclose(f);
}

static void test_read_error(void **state)
{
	(void)state;
	FILE *f = fopen("/dev/null", "w"); /* reading a write-only stream fails */
	assert_non_null(f);
	struct csv_reader *r = NULL;
	struct cadre_err e;
	assert_int_equal(csv_reader_open_file(&r, f, NULL, &e), CADRE_OK);
	assert_int_equal(csv_reader_next(r, &e), CADRE_EINTERNAL);
	assert_string_equal(e.msg, "line 1, column 1: read error: Bad file descriptor");
	assert_int_equal(csv_reader_next(r, &e), CADRE_EINTERNAL);
	csv_reader_free(r);
	(void)fclose(f);
}

/* ---- writer ---- */

static void test_writer_format(void **state)
{
	(void)state;
	struct buf out;
	buf_init(&out, 1024);
	struct csv_writer *w = NULL;
	struct cadre_err e;
	assert_int_equal(csv_writer_open_buf(&w, &out, &e), CADRE_OK);
	assert_int_equal(csv_writer_text(w, S("Barking, Havering"), &e), CADRE_OK);
	assert_int_equal(csv_writer_int(w, 3, &e), CADRE_OK);
	assert_int_equal(csv_writer_double(w, 4.28, 2, &e), CADRE_OK);
	assert_int_equal(csv_writer_text(w, S("say \"hi\""), &e), CADRE_OK);
	assert_int_equal(csv_writer_text(w, S("two\nlines"), &e), CADRE_OK);
	assert_int_equal(csv_writer_text(w, S(""), &e), CADRE_OK);
	assert_int_equal(csv_writer_end_row(w, &e), CADRE_OK);
	/* an empty first cell is "" so a one-cell row is not a blank line */
	assert_int_equal(csv_writer_text(w, S(""), &e), CADRE_OK);
	assert_int_equal(csv_writer_end_row(w, &e), CADRE_OK);
	assert_int_equal(csv_writer_text(w, S(""), &e), CADRE_OK);
	assert_int_equal(csv_writer_text(w, S("x"), &e), CADRE_OK);
	assert_int_equal(csv_writer_end_row(w, &e), CADRE_OK);
	assert_int_equal(csv_writer_end_row(w, &e), CADRE_OK);
	assert_int_equal(csv_writer_flush(w, &e), CADRE_OK);
	csv_writer_free(w);
	assert_string_equal(out.data, "\xEF\xBB\xBF"
	                              "\"Barking, Havering\",3,4.28,\"say \"\"hi\"\"\","
	                              "\"two\nlines\",\r\n"
	                              "\"\"\r\n"
	                              "\"\",x\r\n"
	                              "\r\n");
	buf_free(&out);
}

static void test_writer_numbers(void **state)
{
	(void)state;
	struct buf out;
	buf_init(&out, 1024);
	struct csv_writer *w = NULL;
	struct cadre_err e;
	assert_int_equal(csv_writer_open_buf(&w, &out, &e), CADRE_OK);
	assert_int_equal(csv_writer_double(w, -12.5, 1, &e), CADRE_OK);
	assert_int_equal(csv_writer_double(w, -12.5, 2, &e), CADRE_OK);
	assert_int_equal(csv_writer_double(w, -0.001, 2, &e), CADRE_OK);
	assert_int_equal(csv_writer_double(w, -0.0, 0, &e), CADRE_OK);
	assert_int_equal(csv_writer_double(w, 1234567.891, 2, &e), CADRE_OK);
	assert_int_equal(csv_writer_double(w, 3.0, 0, &e), CADRE_OK);
	assert_int_equal(csv_writer_int(w, -42, &e), CADRE_OK);
	assert_int_equal(csv_writer_int(w, INT64_MIN, &e), CADRE_OK);
	assert_int_equal(csv_writer_end_row(w, &e), CADRE_OK);
	const size_t before = out.len;
	assert_int_equal(csv_writer_double(w, NAN, 2, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "CSV output: NaN is not a number to write");
	assert_int_equal(csv_writer_double(w, -INFINITY, 2, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "CSV output: infinity is not a number to write");
	assert_int_equal(csv_writer_double(w, 1.0, 16, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "CSV output: 16 decimals is outside 0 to 15");
	assert_int_equal(out.len, before);
	csv_writer_free(w);
	assert_string_equal(out.data, "\xEF\xBB\xBF-12.5,-12.50,0.00,0,1234567.89,3,-42,"
	                              "-9223372036854775808\r\n");
	buf_free(&out);
}

/* write_one: the output of a one-text-cell row, without the byte-order mark. */
static void write_one(const char *s, size_t n, const char *want)
{
	struct buf out;
	buf_init(&out, 1024);
	struct csv_writer *w = NULL;
	struct cadre_err e;
	assert_int_equal(csv_writer_open_buf(&w, &out, &e), CADRE_OK);
	assert_int_equal(csv_writer_text(w, s, n, &e), CADRE_OK);
	assert_int_equal(csv_writer_end_row(w, &e), CADRE_OK);
	csv_writer_free(w);
	assert_memory_equal(out.data, "\xEF\xBB\xBF", 3);
	assert_string_equal(out.data + 3, want);
	buf_free(&out);
}

static void test_writer_neutralises_formulas(void **state)
{
	(void)state;
	write_one(S("=SUM(A1:A9)"), "'=SUM(A1:A9)\r\n");
	write_one(S("=HYPERLINK(\"http://x\",\"y\")"),
	          "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n");
	write_one(S("+44 20 7946 0000"), "'+44 20 7946 0000\r\n");
	write_one(S("-12.5"), "'-12.5\r\n"); /* text, so neutralised: numbers use _double */
	write_one(S("@SUM(1)"), "'@SUM(1)\r\n");
	write_one(S("\tcmd"), "'\tcmd\r\n");
	write_one(S("\rcmd"), "\"'\rcmd\"\r\n");
	write_one(S("=a,b"), "\"'=a,b\"\r\n");
	/* only the first character counts */
	write_one(S("a=b-c"), "a=b-c\r\n");
	write_one(S("'quoted"), "'quoted\r\n");
	write_one(S("caf\xC3\xA9"), "caf\xC3\xA9\r\n");
}

static void test_writer_rejects_bad_text(void **state)
{
	(void)state;
	struct buf out;
	buf_init(&out, 11);
	struct csv_writer *w = NULL;
	struct cadre_err e;
	assert_int_equal(csv_writer_open_buf(&w, &out, &e), CADRE_OK);
	assert_int_equal(csv_writer_text(w, S("caf\xE9"), &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "CSV output: text cell is not UTF-8 (byte 4 of 4)");
	assert_int_equal(csv_writer_text(w, S("a\0b"), &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "CSV output: text cell holds a NUL byte");
	assert_int_equal(out.len, 3);
	/* the cap: a cell that does not fit leaves the output as it was */
	assert_int_equal(csv_writer_text(w, S("abcd"), &e), CADRE_OK);
	assert_int_equal(csv_writer_text(w, S("efgh"), &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "CSV output: more than 11 bytes");
	assert_string_equal(out.data, "\xEF\xBB\xBF"
	                              "abcd");
	csv_writer_free(w);
	buf_free(&out);
	/* no room for the byte-order mark */
	buf_init(&out, 2);
	w = NULL;
	assert_int_equal(csv_writer_open_buf(&w, &out, &e), CADRE_EINVAL);
	assert_null(w);
	buf_free(&out);
}

static void test_writer_file(void **state)
{
	(void)state;
	FILE *f = tmpfile();
	assert_non_null(f);
	struct csv_writer *w = NULL;
	struct cadre_err e;
	assert_int_equal(csv_writer_open_file(&w, f, &e), CADRE_OK);
	assert_int_equal(csv_writer_text(w, S("ORG_CODE"), &e), CADRE_OK);
	assert_int_equal(csv_writer_text(w, S("RATE"), &e), CADRE_OK);
	assert_int_equal(csv_writer_end_row(w, &e), CADRE_OK);
	assert_int_equal(csv_writer_text(w, S("RF4"), &e), CADRE_OK);
	assert_int_equal(csv_writer_double(w, 4.28, 2, &e), CADRE_OK);
	assert_int_equal(csv_writer_end_row(w, &e), CADRE_OK);
	assert_int_equal(csv_writer_flush(w, &e), CADRE_OK);
	csv_writer_free(w);
	const char want[] = "\xEF\xBB\xBFORG_CODE,RATE\r\nRF4,4.28\r\n";
	char got[64];
	rewind(f);
	size_t n = fread(got, 1, sizeof got, f);
	assert_int_equal(n, sizeof want - 1);
	assert_memory_equal(got, want, n);
	(void)fclose(f);
	/* writing a read-only stream fails at the byte-order mark */
	f = fopen("/dev/null", "r");
	assert_non_null(f);
	w = NULL;
	assert_int_equal(csv_writer_open_file(&w, f, &e), CADRE_EINTERNAL);
	assert_string_equal(e.msg, "CSV output: write failed: Bad file descriptor");
	assert_null(w);
	(void)fclose(f);
}

static void test_writer_round_trip(void **state)
{
	(void)state;
	/* rows of text cells; those starting with a formula character come back
	 * with the ' the writer put in front */
	static const char *const rows[][4] = {
	    {"", "a", "", ""},
	    {"Bath and North East Somerset, Swindon and Wiltshire", "say \"hi\"", "x\r\ny", "\n"},
	    {"\"", ",", "\r", "caf\xC3\xA9 \xF0\x9F\x98\x80"},
	    {"=1+2", "-3", "plain", " leading space"},
	};
	struct buf out;
	buf_init(&out, 1 << 16);
	struct csv_writer *w = NULL;
	struct cadre_err e;
	assert_int_equal(csv_writer_open_buf(&w, &out, &e), CADRE_OK);
	for (size_t i = 0; i < 4; i++) {
		for (size_t j = 0; j < 4; j++)
			assert_int_equal(csv_writer_text(w, rows[i][j], strlen(rows[i][j]), &e),
			                 CADRE_OK);
		assert_int_equal(csv_writer_end_row(w, &e), CADRE_OK);
	}
	assert_int_equal(csv_writer_int(w, -7, &e), CADRE_OK);
	assert_int_equal(csv_writer_double(w, -12.5, 1, &e), CADRE_OK);
	assert_int_equal(csv_writer_end_row(w, &e), CADRE_OK);
	csv_writer_free(w);

	struct csv_reader *r = NULL;
	assert_int_equal(csv_reader_open_mem(&r, out.data, out.len, NULL, &e), CADRE_OK);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(csv_reader_next(r, &e), CADRE_OK);
		assert_int_equal(csv_reader_count(r), 4);
		for (size_t j = 0; j < 4; j++) {
			const char *want = rows[i][j];
			const struct csv_field *f = csv_reader_field(r, j);
			if (want[0] == '=' || want[0] == '-' || want[0] == '\r') {
				assert_int_equal(f->s[0], '\'');
				assert_string_equal(f->s + 1, want);
			} else {
				assert_int_equal(f->len, strlen(want));
				assert_string_equal(f->s, want);
			}
		}
	}
	assert_int_equal(csv_reader_next(r, &e), CADRE_OK);
	assert_int_equal(csv_reader_count(r), 2);
	assert_string_equal(csv_reader_field(r, 0)->s, "-7");
	assert_string_equal(csv_reader_field(r, 1)->s, "-12.5");
	assert_int_equal(csv_reader_next(r, &e), CADRE_DONE);
	csv_reader_free(r);
	buf_free(&out);
}

/* ---- the published NHS sickness absence files ---- */

/* Rows below the header in each file, counted with Python's csv module:
 *   python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1]))) - 1)' F
 * on 2025-11-25 (they add up to 2554). */
static const struct {
	const char *name;
	long rows;
} sickness_files[] = {
    {"nhs_sickness_absence_2024-04.csv", 285}, {"nhs_sickness_absence_2024-05.csv", 285},
    {"nhs_sickness_absence_2024-06.csv", 285}, {"nhs_sickness_absence_2024-07.csv", 285},
    {"nhs_sickness_absence_2024-08.csv", 285}, {"nhs_sickness_absence_2024-09.csv", 285},
    {"nhs_sickness_absence_2024-10.csv", 283}, {"nhs_sickness_absence_2024-11.csv", 281},
    {"nhs_sickness_absence_2024-12.csv", 280},
};
#define N_SICKNESS_FILES (sizeof sickness_files / sizeof sickness_files[0])

static const char *const sickness_header[11] = {
    "DATE",
    "NHSE_REGION_CODE",
    "NHSE_REGION_NAME",
    "ICS_CODE",
    "ICS_NAME",
    "ORG_CODE",
    "ORG_NAME",
    "ORG_TYPE",
    "FTE_DAYS_LOST",
    "FTE_DAYS_AVAILABLE",
    "SICKNESS_ABSENCE_RATE_PERCENT",
};

static double field_double(const struct csv_field *f, long line)
{
	double v = 0;
	struct cadre_err e;
	int rc = num_parse_double(f->s, f->len, &v, &e);
	if (rc)
		print_error("line %ld, column %ld: %s\n", line, f->col, e.msg);
	assert_int_equal(rc, CADRE_OK);
	return v;
}

/* read_sickness_file: check one file; returns its data rows. */
static long read_sickness_file(const char *path, long *comma_names)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		print_error("cannot open %s\n", path);
	assert_non_null(f);
	struct csv_reader *r = NULL;
	struct cadre_err e;
	assert_int_equal(csv_reader_open_file(&r, f, NULL, &e), CADRE_OK);
	int rc = csv_reader_next(r, &e);
	assert_int_equal(rc, CADRE_OK);
	assert_int_equal(csv_reader_count(r), 11);
	for (size_t i = 0; i < 11; i++)
		assert_string_equal(csv_reader_field(r, i)->s, sickness_header[i]);
	long rows = 0;
	while ((rc = csv_reader_next(r, &e)) == CADRE_OK) {
		rows++;
		long line = csv_reader_line(r);
		assert_int_equal(line, rows + 1); /* no quoted line breaks in these files */
		assert_int_equal(csv_reader_count(r), 11);
		const struct csv_field *fd = csv_reader_fields(r);
		double lost = field_double(&fd[8], line);
		double avail = field_double(&fd[9], line);
		double rate = field_double(&fd[10], line);
		assert_true(avail > 0);
		long long computed = llround(lost / avail * 100 * 100);
		long long published = llround(rate * 100);
		if (computed != published)
			print_error("%s line %ld: %lld != %lld hundredths\n", path, line, computed,
			            published);
		assert_true(computed == published);
		const struct csv_field *ics = &fd[4];
		if (memchr(ics->s, ',', ics->len)) {
			/* read whole: the next field starts after the closing quote
			 * and the comma (the names are ASCII) */
			assert_int_equal(fd[5].col, ics->col + (long)ics->len + 3);
			assert_true(fd[5].len == 3);
			if (strcmp(ics->s, "Bath and North East Somerset, Swindon and Wiltshire") ==
			    0)
				(*comma_names)++;
		}
	}
	if (rc != CADRE_DONE)
		print_error("%s: %s\n", path, e.msg);
	assert_int_equal(rc, CADRE_DONE);
	long size = ftell(f);
	assert_int_equal(csv_reader_bytes(r), (uint64_t)size);
	csv_reader_free(r);
	(void)fclose(f);
	return rows;
}

static void test_nhs_sickness_absence_files(void **state)
{
	(void)state;
	const char *root = getenv("CADRE_SHARED_DATA");
	if (!root || !root[0])
		root = "../shared/data";
	char dir[4096];
	(void)snprintf(dir, sizeof dir, "%s/nhs-sickness-absence", root);
	DIR *d = opendir(dir);
	if (!d)
		print_error("cannot open %s (set CADRE_SHARED_DATA)\n", dir);
	assert_non_null(d); /* missing data is a failure, not a skip */
	bool seen[N_SICKNESS_FILES] = {false};
	long total = 0, files = 0;
	struct dirent *ent;
	while ((ent = readdir(d)) != NULL) {
		if (ent->d_name[0] == '.')
			continue;
		char path[8192];
		(void)snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
		bool known = false;
		for (size_t k = 0; k < N_SICKNESS_FILES; k++) {
			if (strcmp(sickness_files[k].name, ent->d_name) != 0)
				continue;
			known = true;
			long comma_names = 0;
			long rows = read_sickness_file(path, &comma_names);
			if (rows != sickness_files[k].rows)
				print_error("%s: %ld rows, want %ld\n", path, rows,
				            sickness_files[k].rows);
			assert_int_equal(rows, sickness_files[k].rows);
			assert_true(comma_names >= 1);
			seen[k] = true;
			total += rows;
		}
		if (!known)
			print_error("unexpected file %s\n", path);
		assert_true(known);
		files++;
	}
	(void)closedir(d);
	assert_int_equal(files, N_SICKNESS_FILES);
	for (size_t k = 0; k < N_SICKNESS_FILES; k++)
		assert_true(seen[k]);
	assert_int_equal(total, 2554);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bom_skipped),
	    cmocka_unit_test(test_line_ends),
	    cmocka_unit_test(test_last_line_without_newline),
	    cmocka_unit_test(test_quoted_fields),
	    cmocka_unit_test(test_quoted_newline_keeps_line_numbers),
	    cmocka_unit_test(test_empty_fields),
	    cmocka_unit_test(test_blank_lines),
	    cmocka_unit_test(test_columns_count_characters),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_nul_and_utf16),
	    cmocka_unit_test(test_field_too_long),
	    cmocka_unit_test(test_row_too_long),
	    cmocka_unit_test(test_first_cap_broken_wins),
	    cmocka_unit_test(test_too_many_fields),
	    cmocka_unit_test(test_truncated_quote),
	    cmocka_unit_test(test_stray_quote),
	    cmocka_unit_test(test_junk_after_closing_quote),
	    cmocka_unit_test(test_bytes_consumed),
	    cmocka_unit_test(test_bad_options),
	    cmocka_unit_test(test_file_larger_than_chunk),
	    cmocka_unit_test(test_read_error),
	    cmocka_unit_test(test_writer_format),
	    cmocka_unit_test(test_writer_numbers),
	    cmocka_unit_test(test_writer_neutralises_formulas),
	    cmocka_unit_test(test_writer_rejects_bad_text),
	    cmocka_unit_test(test_writer_file),
	    cmocka_unit_test(test_writer_round_trip),
	    cmocka_unit_test(test_nhs_sickness_absence_files),
	};
	return cmocka_run_group_tests_name("io_csv", tests, NULL, NULL);
}
