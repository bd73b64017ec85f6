#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "web/multipart.h"

#define CT "multipart/form-data; boundary=XyZ"

/* a body as a browser sends it: two text fields and a file */
static const char body3[] = "--XyZ\r\n"
                            "Content-Disposition: form-data; name=\"title\"\r\n"
                            "\r\n"
                            "Ward 7 review\r\n"
                            "--XyZ\r\n"
                            "Content-Disposition: form-data; name=\"notes\"\r\n"
                            "\r\n"
                            "line one\r\nline two\r\n"
                            "--XyZ\r\n"
                            "Content-Disposition: form-data; name=\"upload\"; "
                            "filename=\"staff.csv\"\r\n"
                            "Content-Type: text/csv\r\n"
                            "\r\n"
                            "id,fte\r\n1,0.8\r\n\r\n"
                            "--XyZ--\r\n";

/* a recorder: every callback as text, to compare across chunkings */
struct rec {
	struct buf log;
	size_t data_bytes;
	int fail_on_begin;
};

static int rec_begin(void *ctx, const struct multipart_part *p, struct cadre_err *err)
{
	struct rec *r = ctx;
	if (r->fail_on_begin && (int)p->index == r->fail_on_begin)
		return cadre_err_set(err, CADRE_EPERM, "refused part %zu", p->index);
	return buf_printf(&r->log, err, "[begin %zu name=%s file=%s type=%s]", p->index, p->name,
	                  p->filename ? p->filename : "(none)", p->content_type);
}

static int rec_data(void *ctx, const char *p, size_t n, struct cadre_err *err)
{
	struct rec *r = ctx;
	r->data_bytes += n;
	return buf_append(&r->log, p, n, err);
}

static int rec_end(void *ctx, struct cadre_err *err)
{
	struct rec *r = ctx;
	return buf_puts(&r->log, "[end]", err);
}

/* run: feed body in chunks of size chunk (0: all at once); the status of
 * the first failing call or of finish. */
static int run(const char *boundary, const char *b, size_t n, size_t chunk,
               const struct multipart_limits *lim, struct rec *r, struct cadre_err *err)
{
	buf_init(&r->log, (size_t)64 * 1024 * 1024);
	r->data_bytes = 0;
	struct multipart_handler h = {rec_begin, rec_data, rec_end, r};
	struct multipart *m = multipart_new(boundary, lim, &h);
	int rc = CADRE_OK;
	size_t step = chunk ? chunk : (n ? n : 1);
	for (size_t i = 0; rc == CADRE_OK && i < n; i += step)
		rc = multipart_feed(m, b + i, n - i < step ? n - i : step, err);
	if (rc == CADRE_OK)
		rc = multipart_finish(m, err);
	multipart_free(m);
	return rc;
}

static void test_parse_whole(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 0);
	struct multipart_form f;
	struct cadre_err err;
	assert_int_equal(multipart_parse(body3, sizeof body3 - 1, CT, NULL, &a, &f, &err),
	                 CADRE_OK);
	assert_int_equal(f.count, 3);
	assert_string_equal(f.fields[0].name, "title");
	assert_null(f.fields[0].filename);
	assert_string_equal(f.fields[0].content_type, "text/plain");
	assert_string_equal(f.fields[0].data, "Ward 7 review");
	assert_string_equal(f.fields[1].data, "line one\r\nline two");
	assert_string_equal(f.fields[2].name, "upload");
	assert_string_equal(f.fields[2].filename, "staff.csv");
	assert_string_equal(f.fields[2].content_type, "text/csv");
	/* the CR LF before a delimiter belongs to the delimiter */
	assert_int_equal(f.fields[2].len, 15);
	assert_memory_equal(f.fields[2].data, "id,fte\r\n1,0.8\r\n", 15);
	assert_ptr_equal(multipart_get(&f, "notes"), &f.fields[1]);
	assert_null(multipart_get(&f, "missing"));
	arena_free(&a);
}

static void test_chunking_invariant(void **state)
{
	(void)state;
	struct rec whole = {0};
	struct cadre_err err;
	assert_int_equal(run("XyZ", body3, sizeof body3 - 1, 0, NULL, &whole, &err), CADRE_OK);
	assert_string_equal(buf_cstr(&whole.log),
	                    "[begin 1 name=title file=(none) type=text/plain]Ward 7 review[end]"
	                    "[begin 2 name=notes file=(none) type=text/plain]line one\r\nline "
	                    "two[end]"
	                    "[begin 3 name=upload file=staff.csv type=text/csv]id,fte\r\n1,0.8\r\n"
	                    "[end]");
	for (size_t chunk = 1; chunk < sizeof body3; chunk++) {
		struct rec r = {0};
		assert_int_equal(run("XyZ", body3, sizeof body3 - 1, chunk, NULL, &r, &err),
		                 CADRE_OK);
		assert_string_equal(buf_cstr(&r.log), buf_cstr(&whole.log));
		buf_free(&r.log);
	}
	buf_free(&whole.log);
}

/* content that looks like the delimiter but is not: CR LF "--XyZ" must be
 * followed by "--" or CR LF, and "--XyZ" without CR LF before it is data */
static void test_near_delimiters(void **state)
{
	(void)state;
	static const char b[] = "preamble text\r\n"
	                        "--XyZ  \t\r\n" /* transport padding */
	                        "content-disposition: FORM-DATA; NAME=f; filename=\"a b.bin\"\r\n"
	                        "\r\n"
	                        "\r\r\n\r\n-\r\n--X\r\n--Xy--XyZ\r\r\n--XyZ--\r\n"
	                        "epilogue ignored";
	struct cadre_err err;
	for (size_t chunk = 0; chunk < sizeof b; chunk++) {
		struct rec r = {0};
		assert_int_equal(run("XyZ", b, sizeof b - 1, chunk, NULL, &r, &err), CADRE_OK);
		assert_string_equal(buf_cstr(&r.log),
		                    "[begin 1 name=f file=a b.bin type=text/plain]"
		                    "\r\r\n\r\n-\r\n--X\r\n--Xy--XyZ\r[end]");
		buf_free(&r.log);
	}
}

static void test_binary_file_and_empty_parts(void **state)
{
	(void)state;
	static const char b[] =
	    "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n"
	    "Content-Type: application/octet-stream\r\n\r\n"
	    "\x00\xff\x01\r\n"
	    "--B\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n"
	    "\r\n--B--";
	struct arena a;
	arena_init(&a, 0);
	struct multipart_form f;
	struct cadre_err err;
	assert_int_equal(multipart_parse(b, sizeof b - 1, "multipart/form-data; boundary=\"B\"",
	                                 NULL, &a, &f, &err),
	                 CADRE_OK);
	assert_int_equal(f.count, 2);
	assert_int_equal(f.fields[0].len, 3);
	assert_memory_equal(f.fields[0].data, "\x00\xff\x01", 3);
	assert_int_equal(f.fields[1].len, 0);
	assert_string_equal(f.fields[1].data, "");
	arena_free(&a);
}

static void test_boundary_header(void **state)
{
	(void)state;
	char b[MULTIPART_BOUNDARY_MAX + 1];
	struct cadre_err err;
	assert_int_equal(multipart_boundary(CT, b, sizeof b, &err), CADRE_OK);
	assert_string_equal(b, "XyZ");
	assert_int_equal(multipart_boundary("Multipart/Form-Data ; charset=utf-8; "
	                                    "BOUNDARY=\"----WebKitFormBoundary7MA4YWxk\"",
	                                    b, sizeof b, &err),
	                 CADRE_OK);
	assert_string_equal(b, "----WebKitFormBoundary7MA4YWxk");
	/* a quoted boundary may hold a space, but not end with one */
	assert_int_equal(
	    multipart_boundary("multipart/form-data; boundary=\"a b\"", b, sizeof b, &err),
	    CADRE_OK);
	assert_string_equal(b, "a b");
	assert_int_equal(
	    multipart_boundary("multipart/form-data; boundary=\"ab \"", b, sizeof b, &err),
	    CADRE_EINVAL);

	const struct {
		const char *ct;
		const char *msg;
	} bad[] = {
	    {NULL, "the body is not multipart/form-data"},
	    {"application/x-www-form-urlencoded", "the body is not multipart/form-data"},
	    {"multipart/form-datax; boundary=a", "the body is not multipart/form-data"},
	    {"multipart/mixed; boundary=a", "the body is not multipart/form-data"},
	    {"multipart/form-data", "multipart/form-data without a boundary"},
	    {"multipart/form-data; charset=utf-8", "multipart/form-data without a boundary"},
	    {"multipart/form-data; boundary=",
	     "the multipart boundary is malformed (1 to 70 letters, "
	     "digits or '()+_,-./:=? characters)"},
	    {"multipart/form-data; boundary=\"a\\\"b\"",
	     "the multipart boundary is malformed (1 to "
	     "70 letters, digits or '()+_,-./:=? "
	     "characters)"},
	    {"multipart/form-data; boundary=a; boundary=b",
	     "multipart/form-data names two boundaries"},
	    {"multipart/form-data; boundary=\"unterminated",
	     "the Content-Type parameters are malformed"},
	    {"multipart/form-data boundary=a", "the Content-Type parameters are malformed"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(multipart_boundary(bad[i].ct, b, sizeof b, &err), CADRE_EINVAL);
		assert_string_equal(err.msg, bad[i].msg);
	}
	/* 70 characters is the most RFC 2046 allows */
	char ct[160];
	char seventy[71];
	memset(seventy, 'q', 70);
	seventy[70] = '\0';
	(void)snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", seventy);
	assert_int_equal(multipart_boundary(ct, b, sizeof b, &err), CADRE_OK);
	(void)snprintf(ct, sizeof ct, "multipart/form-data; boundary=%sq", seventy);
	assert_int_equal(multipart_boundary(ct, b, sizeof b, &err), CADRE_EINVAL);
}

struct bad_case {
	const char *body;
	const char *msg;
};

static void test_malformed(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
	    {"", "the multipart body holds no boundary"},
	    {"just text", "the multipart body holds no boundary"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nvalue",
	     "the multipart body ends before its closing boundary"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=a\r\n",
	     "the multipart body ends before its closing boundary"},
	    {"--XyZ", "the multipart body ends before its closing boundary"},
	    {"--XyZx\r\n", "a multipart boundary line is malformed"},
	    {"--XyZ-x", "a multipart boundary line is malformed"},
	    {"--XyZ \r-", "a multipart boundary line is malformed"},
	    {"--XyZ\r\n\r\nno headers\r\n--XyZ--", "part 1: no Content-Disposition header"},
	    {"--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--",
	     "part 1: no Content-Disposition header"},
	    {"--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--XyZ--",
	     "part 1: Content-Disposition is not form-data"},
	    {"--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--",
	     "part 1: no field name"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--XyZ--",
	     "part 1: no field name"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nx\r\n--XyZ--",
	     "part 1: two names"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=a; filename=x; filename=y\r\n\r\n",
	     "part 1: two filenames"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\n",
	     "part 1: malformed Content-Disposition"},
	    {"--XyZ\r\nContent-Disposition: form-data; name\r\n\r\n",
	     "part 1: malformed Content-Disposition"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; "
	     "name=b\r\n\r\n",
	     "part 1: two Content-Disposition headers"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Type: a\r\nContent-Type: "
	     "b\r\n\r\n",
	     "part 1: two Content-Type headers"},
	    {"--XyZ\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\n",
	     "part 1: folded header lines are not allowed"},
	    {"--XyZ\r\nno colon here\r\n\r\n", "part 1: a header line has no name"},
	    {"--XyZ\r\n: empty name\r\n\r\n", "part 1: a header line has no name"},
	    {"--XyZ\r\nBad Name: x\r\n\r\n", "part 1: malformed header name"},
	    {"--XyZ\r\nX-A: 1\rX-B: 2\r\n\r\n", "part 1: a header line holds a bare CR, LF or NUL"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"a\xff\"\r\n\r\n",
	     "part 1: its name is not UTF-8 text without control characters"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=a; filename=\"x\ty\"\r\n\r\n",
	     "part 1: its filename is not UTF-8 text without control characters"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--XyZ\r\n"
	     "Content-Disposition: form-data; name=b\r\nContent-Type: text/\x01\r\n\r\n",
	     "part 2: its Content-Type is not UTF-8 text without control characters"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (size_t chunk = 0; chunk < 4; chunk++) {
			struct rec r = {0};
			struct cadre_err err;
			cadre_err_clear(&err);
			int rc =
			    run("XyZ", cases[i].body, strlen(cases[i].body), chunk, NULL, &r, &err);
			if (rc != CADRE_EINVAL || strcmp(err.msg, cases[i].msg) != 0)
				fail_msg("case %zu chunk %zu: got %d '%s', want '%s'", i, chunk, rc,
				         err.msg, cases[i].msg);
			buf_free(&r.log);
		}
	}
}

static void test_text_fields_utf8(void **state)
{
	(void)state;
	static const char bad_text[] =
	    "--B\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\ncaf\xe9\r\n--B--";
	static const char nul_text[] =
	    "--B\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\na\x00"
	    "b\r\n--B--";
	struct arena a;
	arena_init(&a, 0);
	struct multipart_form f;
	struct cadre_err err;
	assert_int_equal(multipart_parse(bad_text, sizeof bad_text - 1,
	                                 "multipart/form-data; boundary=B", NULL, &a, &f, &err),
	                 CADRE_EINVAL);
	assert_string_equal(err.msg, "field 'comment': not valid UTF-8 text");
	assert_int_equal(f.count, 0);
	assert_int_equal(multipart_parse(nul_text, sizeof nul_text - 1,
	                                 "multipart/form-data; boundary=B", NULL, &a, &f, &err),
	                 CADRE_EINVAL);
	assert_string_equal(err.msg, "field 'comment': not valid UTF-8 text");
	arena_free(&a);
}

static void test_caps(void **state)
{
	(void)state;
	struct cadre_err err;
	struct rec r = {0};
	static const char two[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n12345\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=f; filename=z\r\n\r\n"
	    "1234567\r\n--XyZ--";
	struct multipart_limits ok = {.max_parts = 2,
	                              .max_field_bytes = 5,
	                              .max_file_bytes = 7,
	                              .max_total_bytes = sizeof two - 1};
	assert_int_equal(run("XyZ", two, sizeof two - 1, 0, &ok, &r, &err), CADRE_OK);
	buf_free(&r.log);

	struct multipart_limits parts = ok;
	parts.max_parts = 1;
	assert_int_equal(run("XyZ", two, sizeof two - 1, 3, &parts, &r, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "the multipart body has more than 1 parts");
	buf_free(&r.log);

	struct multipart_limits field = ok;
	field.max_field_bytes = 4;
	assert_int_equal(run("XyZ", two, sizeof two - 1, 1, &field, &r, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "part 1 ('a'): larger than the 4-byte cap");
	assert_int_equal(r.data_bytes, 4); /* never more than the cap reached the handler */
	buf_free(&r.log);

	struct multipart_limits file = ok;
	file.max_file_bytes = 6;
	assert_int_equal(run("XyZ", two, sizeof two - 1, 0, &file, &r, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "part 2 ('f'): larger than the 6-byte cap");
	buf_free(&r.log);

	struct multipart_limits total = ok;
	total.max_total_bytes = sizeof two - 2;
	assert_int_equal(run("XyZ", two, sizeof two - 1, 5, &total, &r, &err), CADRE_EINVAL);
	char want[80];
	(void)snprintf(want, sizeof want, "the multipart body is larger than %zu bytes",
	               sizeof two - 2);
	assert_string_equal(err.msg, want);
	buf_free(&r.log);

	struct multipart_limits hdr = ok;
	hdr.max_header_bytes = 20;
	assert_int_equal(run("XyZ", two, sizeof two - 1, 0, &hdr, &r, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "part 1: its headers are longer than 20 bytes");
	buf_free(&r.log);
}

/* A huge upload is refused at its cap having passed no more than the cap to
 * the handler and buffered nothing: the parser is fed 1 MiB at a time, as a
 * server would, and fails on the chunk that crosses 10 MiB. */
static void test_streaming_refusal(void **state)
{
	(void)state;
	static const char head[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=upload; filename=big.csv\r\n\r\n";
	size_t mib = (size_t)1024 * 1024;
	char *chunk = xmalloc(mib);
	memset(chunk, 'x', mib);
	struct rec r = {0};
	buf_init(&r.log, 16);
	r.data_bytes = 0;
	/* the log is capped at 16 bytes: only the counter may grow */
	struct multipart_handler h = {NULL, NULL, NULL, &r};
	struct multipart_limits lim = {.max_file_bytes = 10 * mib,
	                               .max_total_bytes = (size_t)4 * 1024 * mib};
	struct multipart *m = multipart_new("XyZ", &lim, &h);
	struct cadre_err err;
	assert_int_equal(multipart_feed(m, head, sizeof head - 1, &err), CADRE_OK);
	int rc = CADRE_OK;
	size_t fed = 0;
	while (rc == CADRE_OK && fed < 2048 * mib) {
		rc = multipart_feed(m, chunk, mib, &err);
		fed += mib;
	}
	assert_int_equal(rc, CADRE_EINVAL);
	assert_int_equal(fed, 11 * mib);
	assert_string_equal(err.msg, "part 1 ('upload'): larger than the 10485760-byte cap");
	/* the failure sticks */
	assert_int_equal(multipart_feed(m, "x", 1, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "part 1 ('upload'): larger than the 10485760-byte cap");
	assert_int_equal(multipart_finish(m, &err), CADRE_EINVAL);
	multipart_free(m);
	buf_free(&r.log);
	free(chunk);
}

static void test_callback_errors_stop(void **state)
{
	(void)state;
	struct rec r = {.fail_on_begin = 2};
	struct cadre_err err;
	assert_int_equal(run("XyZ", body3, sizeof body3 - 1, 7, NULL, &r, &err), CADRE_EPERM);
	assert_string_equal(err.msg, "refused part 2");
	assert_string_equal(buf_cstr(&r.log),
	                    "[begin 1 name=title file=(none) type=text/plain]Ward 7 review[end]");
	buf_free(&r.log);
}

static void test_bad_boundary_argument(void **state)
{
	(void)state;
	struct rec r = {0};
	struct cadre_err err;
	assert_int_equal(run("", body3, sizeof body3 - 1, 0, NULL, &r, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "the multipart boundary is malformed");
	buf_free(&r.log);
	assert_int_equal(run("a\rb", body3, sizeof body3 - 1, 0, NULL, &r, &err), CADRE_EINVAL);
	buf_free(&r.log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_whole),
	    cmocka_unit_test(test_chunking_invariant),
	    cmocka_unit_test(test_near_delimiters),
	    cmocka_unit_test(test_binary_file_and_empty_parts),
	    cmocka_unit_test(test_boundary_header),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_text_fields_utf8),
	    cmocka_unit_test(test_caps),
	    cmocka_unit_test(test_streaming_refusal),
	    cmocka_unit_test(test_callback_errors_stop),
	    cmocka_unit_test(test_bad_boundary_argument),
	};
	return cmocka_run_group_tests_name("web_multipart", tests, NULL, NULL);
}
