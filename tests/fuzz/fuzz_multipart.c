/* fuzz_multipart: the streaming multipart/form-data parser under libFuzzer.
 *
 * An input is a body for the boundary "XyZ", unless its first line starts
 * "Content-Type:", in which case that line's value is the request's
 * Content-Type and the rest is the body (so the boundary parser is fuzzed
 * too).  The body is fed whole and in chunks of 1 to 7 bytes (chosen from
 * the input's length), with default and with small caps: both feedings must
 * give the same status and message and, on success, the same callbacks
 * (after an error, prefixes of the same stream), so chunk boundaries cannot
 * change a result; no part may pass its cap to the handler.
 * multipart_parse may refuse what the stream accepted (it also checks text
 * fields are UTF-8), never the reverse.  Any broken invariant aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "web/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
	(void)fprintf(stderr, "fuzz_multipart: invariant broken: %s\n", what);
	abort();
}

struct rec {
	struct buf log;
	size_t part_bytes;
	size_t part_cap;
	const struct multipart_limits *lim;
};

static int on_begin(void *ctx, const struct multipart_part *p, struct cadre_err *err)
{
	struct rec *r = ctx;
	r->part_bytes = 0;
	r->part_cap = p->filename ? r->lim->max_file_bytes : r->lim->max_field_bytes;
	if (!p->name || !p->name[0] || !p->content_type)
		die("a part without a name or type");
	return buf_printf(&r->log, err, "<%zu|%s|%s|%s>", p->index, p->name,
	                  p->filename ? p->filename : "-", p->content_type);
}

static int on_data(void *ctx, const char *p, size_t n, struct cadre_err *err)
{
	struct rec *r = ctx;
	r->part_bytes += n;
	if (r->part_bytes > r->part_cap)
		die("a part passed its cap to the handler");
	return buf_append(&r->log, p, n, err);
}

static int on_end(void *ctx, struct cadre_err *err)
{
	struct rec *r = ctx;
	return buf_puts(&r->log, "</>", err);
}

static int run(const char *boundary, const char *b, size_t n, size_t chunk,
               const struct multipart_limits *lim, struct rec *r, struct cadre_err *err)
{
	buf_init(&r->log, (size_t)256 * 1024 * 1024);
	r->lim = lim;
	struct multipart_handler h = {on_begin, on_data, on_end, r};
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

static void check(const char *ct, const char *body, size_t n, const struct multipart_limits *lim,
                  size_t chunk)
{
	char boundary[MULTIPART_BOUNDARY_MAX + 1];
	struct cadre_err err;
	int brc = multipart_boundary(ct, boundary, sizeof boundary, &err);
	struct arena a;
	arena_init(&a, 0);
	struct multipart_form f;
	int prc = multipart_parse(body, n, ct, lim, &a, &f, &err);
	arena_free(&a);
	if (brc != CADRE_OK) {
		if (prc != brc)
			die("multipart_parse ignored a bad Content-Type");
		return;
	}
	struct rec whole = {0};
	struct rec parts = {0};
	struct cadre_err e1;
	struct cadre_err e2;
	cadre_err_clear(&e1);
	cadre_err_clear(&e2);
	int r1 = run(boundary, body, n, 0, lim, &whole, &e1);
	int r2 = run(boundary, body, n, chunk, lim, &parts, &e2);
	if (r1 != r2 || strcmp(e1.msg, e2.msg) != 0)
		die("chunking changed the result");
	/* on success the callbacks are the same; after an error, how much of
	 * the failing part reached the handler depends on the chunks, but both
	 * saw a prefix of the same stream */
	size_t common = whole.log.len < parts.log.len ? whole.log.len : parts.log.len;
	if ((r1 == CADRE_OK && whole.log.len != parts.log.len) ||
	    (common && memcmp(whole.log.data, parts.log.data, common) != 0))
		die("chunking changed the parts");
	if (r1 != CADRE_OK && (r1 != CADRE_EINVAL || e1.msg[0] == '\0'))
		die("an error must be CADRE_EINVAL with a reason");
	/* multipart_parse adds the UTF-8 check of text fields: it may refuse
	 * what the stream accepted, never accept what it refused */
	if (r1 != CADRE_OK && prc == CADRE_OK)
		die("multipart_parse accepted what the stream refused");
	buf_free(&whole.log);
	buf_free(&parts.log);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char ct[512] = "multipart/form-data; boundary=XyZ";
	const char *body = s;
	size_t n = size;
	if (size >= 13 && memcmp(s, "Content-Type:", 13) == 0) {
		const char *nl = memchr(s, '\n', size);
		size_t len = nl ? (size_t)(nl - s) : size;
		if (len - 13 >= sizeof ct || memchr(s, '\0', len))
			return 0;
		memcpy(ct, s + 13, len - 13);
		ct[len - 13] = '\0';
		body = nl ? nl + 1 : s + size;
		n = nl ? size - len - 1 : 0;
	}
	size_t chunk = 1 + size % 7;
	struct multipart_limits defaults = {
	    .max_parts = MULTIPART_DEFAULT_MAX_PARTS,
	    .max_header_bytes = MULTIPART_DEFAULT_MAX_HEADER_BYTES,
	    .max_field_bytes = MULTIPART_DEFAULT_MAX_FIELD_BYTES,
	    .max_file_bytes = MULTIPART_DEFAULT_MAX_FILE_BYTES,
	    .max_total_bytes = MULTIPART_DEFAULT_MAX_TOTAL_BYTES,
	};
	check(ct, body, n, &defaults, chunk);
	struct multipart_limits small = {.max_parts = 3,
	                                 .max_header_bytes = 96,
	                                 .max_field_bytes = 16,
	                                 .max_file_bytes = 24,
	                                 .max_total_bytes = 256};
	check(ct, body, n, &small, chunk);
	return 0;
}
