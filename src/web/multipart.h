/* multipart: a streaming multipart/form-data parser (RFC 7578, RFC 2046 §5.1).
 *
 * Design note
 * - Ours on purpose, like form.h (CVE-2023-27371 in libmicrohttpd 0.9.75's
 *   post processor); small, capped and fuzzed (tests/fuzz/fuzz_multipart.c).
 * - Push parser: the caller feeds the body in chunks of any size, as they
 *   arrive, and receives each part through callbacks (begin with the part's
 *   name, filename and type; data in pieces; end).  Nothing is buffered but
 *   one part's header block and a few bytes of a possible boundary, so a
 *   2 GB upload is refused at its cap having held only a few kilobytes.
 *   The callbacks see the same parts whatever the chunk boundaries are.
 * - Caps: the number of parts, one part's header block, a field's bytes, a
 *   file's bytes, and all bytes fed.  Breaking one is CADRE_EINVAL naming
 *   the part ("part 2 ('upload'): larger than the 10485760-byte cap"), and
 *   the parser stays failed: every later call returns the same error.
 * - Each part needs Content-Disposition: form-data with a name; filename
 *   and Content-Type are optional (Content-Type defaults to text/plain, as
 *   RFC 7578 §4.4 says).  Parameters are token or quoted-string values with
 *   no backslash escapes (browsers percent-encode '"', CR and LF instead,
 *   per the HTML standard); filename* is ignored (RFC 7578 §4.2).  Names,
 *   filenames and types must be UTF-8 without control characters.  A
 *   filename is untrusted text for display, never a path.
 * - multipart_parse() is the whole-body convenience for small forms: it
 *   collects the parts into an arena and checks that text fields (parts
 *   without a filename) are valid UTF-8. */
#ifndef CADRE_WEB_MULTIPART_H
#define CADRE_WEB_MULTIPART_H

#include <stddef.h>

#include "base/err.h"
#include "base/mem.h"

/* the longest boundary RFC 2046 allows */
#define MULTIPART_BOUNDARY_MAX 70

struct multipart_part {
	size_t index;             /* 1-based position in the body */
	const char *name;         /* the form field's name: non-empty */
	const char *filename;     /* NULL when the part is not a file */
	const char *content_type; /* as sent, or "text/plain" */
};

/* multipart_handler: the callbacks; any may be NULL.  Returning an error
 * stops the parse with that error.  The part and its strings are valid
 * until end returns. */
struct multipart_handler {
	int (*begin)(void *ctx, const struct multipart_part *part, struct cadre_err *err);
	int (*data)(void *ctx, const char *p, size_t n, struct cadre_err *err);
	int (*end)(void *ctx, struct cadre_err *err);
	void *ctx;
};

/* multipart_limits: caps; a zero member takes its default. */
struct multipart_limits {
	size_t max_parts;        /* default 64 */
	size_t max_header_bytes; /* one part's header block (default 8 KiB) */
	size_t max_field_bytes;  /* a part without a filename (default 1 MiB) */
	size_t max_file_bytes;   /* a part with a filename (default 10 MiB) */
	size_t max_total_bytes;  /* everything fed (default 16 MiB) */
};

#define MULTIPART_DEFAULT_MAX_PARTS        ((size_t)64)
#define MULTIPART_DEFAULT_MAX_HEADER_BYTES ((size_t)8 * 1024)
#define MULTIPART_DEFAULT_MAX_FIELD_BYTES  ((size_t)1024 * 1024)
#define MULTIPART_DEFAULT_MAX_FILE_BYTES   ((size_t)10 * 1024 * 1024)
#define MULTIPART_DEFAULT_MAX_TOTAL_BYTES  ((size_t)16 * 1024 * 1024)

/* multipart_boundary: the boundary named by a Content-Type header value
 * such as `multipart/form-data; boundary="----x"`, copied into out (at
 * least MULTIPART_BOUNDARY_MAX + 1 bytes).  CADRE_EINVAL when the type is
 * not multipart/form-data or the boundary is missing or malformed. */
int multipart_boundary(const char *content_type, char *out, size_t outsz, struct cadre_err *err);

struct multipart;

/* multipart_new: a parser for a body with the given boundary (as from
 * multipart_boundary: 1 to 70 valid characters, or it fails at the first
 * feed).  lim may be NULL.  h is copied.  Free with multipart_free. */
struct multipart *multipart_new(const char *boundary, const struct multipart_limits *lim,
                                const struct multipart_handler *h);

/* multipart_feed: the next n bytes of the body. */
int multipart_feed(struct multipart *m, const char *p, size_t n, struct cadre_err *err);

/* multipart_finish: the body has ended: CADRE_OK when it ended with the
 * closing boundary, else CADRE_EINVAL. */
int multipart_finish(struct multipart *m, struct cadre_err *err);

/* multipart_free: release m; NULL is allowed. */
void multipart_free(struct multipart *m);

/* multipart_field: one collected part. */
struct multipart_field {
	const char *name;
	const char *filename; /* NULL when not a file */
	const char *content_type;
	const char *data; /* NUL-terminated after len bytes */
	size_t len;
};

struct multipart_form {
	struct multipart_field *fields; /* in body order */
	size_t count;
};

/* multipart_parse: parse a whole body whose Content-Type header value is
 * content_type, copying every part into arena a.  Text fields (no filename)
 * must be valid UTF-8 without NUL bytes. */
int multipart_parse(const char *body, size_t n, const char *content_type,
                    const struct multipart_limits *lim, struct arena *a, struct multipart_form *out,
                    struct cadre_err *err);

/* multipart_get: the first field called name, or NULL. */
const struct multipart_field *multipart_get(const struct multipart_form *f, const char *name);

#endif
