/* multipart: streaming multipart/form-data (see multipart.h). */
#include "web/multipart.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "web/form.h"

/* the delimiter is CR LF "--" boundary */
#define DELIM_MAX (4 + MULTIPART_BOUNDARY_MAX)
/* the longest Content-Type value a part may carry */
#define PART_TYPE_MAX 255

enum mp_state {
	MP_PREAMBLE,   /* before the first delimiter: discarded */
	MP_DELIM_END,  /* just after a delimiter: "--", padding or CR LF */
	MP_DELIM_DASH, /* after the first '-' of a closing delimiter */
	MP_DELIM_PAD,  /* transport padding (spaces, tabs) before CR LF */
	MP_DELIM_CR,   /* after the CR that ends a delimiter line */
	MP_HEADERS,    /* a part's header block, up to the blank line */
	MP_BODY,       /* a part's content, up to the next delimiter */
	MP_EPILOGUE,   /* after the closing delimiter: discarded */
	MP_FAILED,
};

struct multipart {
	enum mp_state state;
	char delim[DELIM_MAX + 1];
	size_t dlen;
	size_t match; /* delimiter bytes matched so far */
	struct multipart_limits lim;
	struct multipart_handler h;
	size_t total;     /* bytes fed */
	size_t parts;     /* parts begun */
	bool in_part;     /* begin called, end not yet */
	size_t part_size; /* content bytes of the current part */
	size_t part_cap;  /* the cap for the current part */
	char *hdr;        /* the header block being read */
	size_t hdr_len;
	/* the current part's strings, pointing into names */
	struct multipart_part part;
	char label[96];
	char name[1024];
	char filename[1024];
	char ctype[PART_TYPE_MAX + 1];
	struct cadre_err fail; /* the error that failed the parser */
};

static bool bchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       strchr("'()+_,-./:=? ", c) != NULL;
}

static bool boundary_ok(const char *b, size_t n)
{
	if (n == 0 || n > MULTIPART_BOUNDARY_MAX || b[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!bchar((unsigned char)b[i]) || b[i] == '\0')
			return false;
	return true;
}

static bool ows(char c)
{
	return c == ' ' || c == '\t';
}

static bool tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* param_next: read "; key=value" from *p (up to end) into key/value
 * (pointers into the text, not terminated).  Returns 1 for a parameter, 0
 * at the end, -1 when malformed.  Quoted values end at the next '"' (no
 * escapes). */
static int param_next(const char **p, const char *end, const char **key, size_t *klen,
                      const char **val, size_t *vlen)
{
	const char *s = *p;
	while (s < end && ows(*s))
		s++;
	if (s == end)
		return 0;
	if (*s != ';')
		return -1;
	s++;
	while (s < end && ows(*s))
		s++;
	const char *k = s;
	while (s < end && tchar((unsigned char)*s))
		s++;
	if (s == k)
		return -1;
	*key = k;
	*klen = (size_t)(s - k);
	while (s < end && ows(*s))
		s++;
	if (s == end || *s != '=')
		return -1;
	s++;
	while (s < end && ows(*s))
		s++;
	if (s < end && *s == '"') {
		s++;
		const char *v = s;
		while (s < end && *s != '"')
			s++;
		if (s == end)
			return -1;
		*val = v;
		*vlen = (size_t)(s - v);
		s++;
	} else {
		const char *v = s;
		while (s < end && tchar((unsigned char)*s))
			s++;
		*val = v;
		*vlen = (size_t)(s - v);
	}
	*p = s;
	return 1;
}

int multipart_boundary(const char *content_type, char *out, size_t outsz, struct cadre_err *err)
{
	static const char want[] = "multipart/form-data";
	const char *s = content_type ? content_type : "";
	const char *end = s + strlen(s);
	while (s < end && ows(*s))
		s++;
	if ((size_t)(end - s) < sizeof want - 1 || strncasecmp(s, want, sizeof want - 1) != 0 ||
	    (s + sizeof want - 1 < end && !ows(s[sizeof want - 1]) && s[sizeof want - 1] != ';'))
		return cadre_err_set(err, CADRE_EINVAL, "the body is not multipart/form-data");
	s += sizeof want - 1;
	const char *key = NULL;
	const char *val = NULL;
	size_t klen = 0;
	size_t vlen = 0;
	bool found = false;
	int r;
	while ((r = param_next(&s, end, &key, &klen, &val, &vlen)) == 1) {
		if (klen == 8 && strncasecmp(key, "boundary", 8) == 0) {
			if (found)
				return cadre_err_set(err, CADRE_EINVAL,
				                     "multipart/form-data names two boundaries");
			if (!boundary_ok(val, vlen) || vlen + 1 > outsz)
				return cadre_err_set(err, CADRE_EINVAL,
				                     "the multipart boundary is malformed (1 to 70 "
				                     "letters, digits or '()+_,-./:=? characters)");
			memcpy(out, val, vlen);
			out[vlen] = '\0';
			found = true;
		}
	}
	if (r < 0)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "the Content-Type parameters are malformed");
	if (!found)
		return cadre_err_set(err, CADRE_EINVAL, "multipart/form-data without a boundary");
	return CADRE_OK;
}

struct multipart *multipart_new(const char *boundary, const struct multipart_limits *lim,
                                const struct multipart_handler *h)
{
	struct multipart *m = xcalloc(1, sizeof *m);
	size_t blen = boundary ? strlen(boundary) : 0;
	m->lim.max_parts = lim && lim->max_parts ? lim->max_parts : MULTIPART_DEFAULT_MAX_PARTS;
	m->lim.max_header_bytes = lim && lim->max_header_bytes ? lim->max_header_bytes
	                                                       : MULTIPART_DEFAULT_MAX_HEADER_BYTES;
	m->lim.max_field_bytes =
	    lim && lim->max_field_bytes ? lim->max_field_bytes : MULTIPART_DEFAULT_MAX_FIELD_BYTES;
	m->lim.max_file_bytes =
	    lim && lim->max_file_bytes ? lim->max_file_bytes : MULTIPART_DEFAULT_MAX_FILE_BYTES;
	m->lim.max_total_bytes =
	    lim && lim->max_total_bytes ? lim->max_total_bytes : MULTIPART_DEFAULT_MAX_TOTAL_BYTES;
	if (h)
		m->h = *h;
	if (!boundary_ok(boundary ? boundary : "", blen)) {
		(void)cadre_err_set(&m->fail, CADRE_EINVAL, "the multipart boundary is malformed");
		m->state = MP_FAILED;
		return m;
	}
	memcpy(m->delim, "\r\n--", 4);
	memcpy(m->delim + 4, boundary, blen);
	m->dlen = 4 + blen;
	m->delim[m->dlen] = '\0';
	/* the first delimiter may open the body, with no CR LF before it */
	m->match = 2;
	m->hdr = xmalloc(m->lim.max_header_bytes + 1);
	m->state = MP_PREAMBLE;
	return m;
}

void multipart_free(struct multipart *m)
{
	if (!m)
		return;
	free(m->hdr);
	free(m);
}

/* fail: record the error so later calls repeat it. */
static int fail(struct multipart *m, struct cadre_err *err)
{
	m->state = MP_FAILED;
	m->fail = *err;
	return err->status;
}

static int failf(struct multipart *m, struct cadre_err *err, const char *what)
{
	(void)cadre_err_set(err, CADRE_EINVAL, "%s", what);
	return fail(m, err);
}

static int part_end(struct multipart *m, struct cadre_err *err)
{
	m->in_part = false;
	if (m->h.end) {
		int rc = m->h.end(m->h.ctx, err);
		if (rc != CADRE_OK)
			return fail(m, err);
	}
	return CADRE_OK;
}

/* emit: n content bytes of the current part. */
static int emit(struct multipart *m, const char *p, size_t n, struct cadre_err *err)
{
	if (n == 0)
		return CADRE_OK;
	if (n > m->part_cap - m->part_size) {
		(void)cadre_err_set(err, CADRE_EINVAL, "%s: larger than the %zu-byte cap", m->label,
		                    m->part_cap);
		return fail(m, err);
	}
	m->part_size += n;
	if (m->h.data) {
		int rc = m->h.data(m->h.ctx, p, n, err);
		if (rc != CADRE_OK)
			return fail(m, err);
	}
	return CADRE_OK;
}

/* text_ok: UTF-8 without control characters. */
static bool text_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return utf8_valid(s, n, NULL);
}

/* copy_text: a parameter value into a fixed field of m. */
static int copy_text(struct multipart *m, char *dst, size_t dstsz, const char *v, size_t n,
                     const char *what, struct cadre_err *err)
{
	char label[32];
	(void)snprintf(label, sizeof label, "part %zu", m->parts);
	if (n + 1 > dstsz) {
		(void)cadre_err_set(err, CADRE_EINVAL, "%s: its %s is longer than %zu bytes", label,
		                    what, dstsz - 1);
		return fail(m, err);
	}
	if (!text_ok(v, n)) {
		(void)cadre_err_set(err, CADRE_EINVAL,
		                    "%s: its %s is not UTF-8 text without control characters",
		                    label, what);
		return fail(m, err);
	}
	memcpy(dst, v, n);
	dst[n] = '\0';
	return CADRE_OK;
}

static int disposition(struct multipart *m, const char *v, const char *end, bool *has_name,
                       struct cadre_err *err)
{
	static const char fd[] = "form-data";
	char label[32];
	(void)snprintf(label, sizeof label, "part %zu", m->parts);
	if ((size_t)(end - v) < sizeof fd - 1 || strncasecmp(v, fd, sizeof fd - 1) != 0 ||
	    (v + sizeof fd - 1 < end && !ows(v[sizeof fd - 1]) && v[sizeof fd - 1] != ';')) {
		(void)cadre_err_set(err, CADRE_EINVAL, "%s: Content-Disposition is not form-data",
		                    label);
		return fail(m, err);
	}
	const char *s = v + sizeof fd - 1;
	const char *key = NULL;
	const char *val = NULL;
	size_t klen = 0;
	size_t vlen = 0;
	bool has_file = false;
	int r;
	while ((r = param_next(&s, end, &key, &klen, &val, &vlen)) == 1) {
		int rc = CADRE_OK;
		if (klen == 4 && strncasecmp(key, "name", 4) == 0) {
			if (*has_name) {
				(void)cadre_err_set(err, CADRE_EINVAL, "%s: two names", label);
				return fail(m, err);
			}
			rc = copy_text(m, m->name, sizeof m->name, val, vlen, "name", err);
			*has_name = true;
		} else if (klen == 8 && strncasecmp(key, "filename", 8) == 0) {
			if (has_file) {
				(void)cadre_err_set(err, CADRE_EINVAL, "%s: two filenames", label);
				return fail(m, err);
			}
			rc = copy_text(m, m->filename, sizeof m->filename, val, vlen, "filename",
			               err);
			has_file = true;
		}
		if (rc != CADRE_OK)
			return rc;
	}
	if (r < 0) {
		(void)cadre_err_set(err, CADRE_EINVAL, "%s: malformed Content-Disposition", label);
		return fail(m, err);
	}
	m->part.filename = has_file ? m->filename : NULL;
	return CADRE_OK;
}

/* headers_done: parse the header block in m->hdr (ending CR LF CR LF, or
 * just CR LF for an empty block) and begin the part. */
static int headers_done(struct multipart *m, struct cadre_err *err)
{
	char label[32];
	(void)snprintf(label, sizeof label, "part %zu", m->parts);
	bool has_disp = false;
	bool has_name = false;
	bool has_type = false;
	m->part.filename = NULL;
	const char *end = m->hdr + m->hdr_len - 2; /* without the blank line's CR LF */
	/* first the shape of every line, so a fold is reported as one even when
	 * the line before it is also broken */
	for (const char *q = m->hdr; q < end; q++) {
		bool crlf = q[0] == '\r' && q[1] == '\n';
		if (crlf) {
			if (ows(q[2]) && q + 2 < end) {
				(void)cadre_err_set(err, CADRE_EINVAL,
				                    "%s: folded header lines are not allowed",
				                    label);
				return fail(m, err);
			}
			q++;
		} else if (*q == '\r' || *q == '\n' || *q == '\0') {
			(void)cadre_err_set(err, CADRE_EINVAL,
			                    "%s: a header line holds a bare CR, LF or NUL", label);
			return fail(m, err);
		}
	}
	if (end > m->hdr && ows(m->hdr[0])) {
		(void)cadre_err_set(err, CADRE_EINVAL, "%s: folded header lines are not allowed",
		                    label);
		return fail(m, err);
	}
	const char *s = m->hdr;
	while (s < end) {
		const char *eol = s;
		while (!(eol[0] == '\r' && eol[1] == '\n'))
			eol++;
		const char *colon = memchr(s, ':', (size_t)(eol - s));
		if (!colon || colon == s) {
			(void)cadre_err_set(err, CADRE_EINVAL, "%s: a header line has no name",
			                    label);
			return fail(m, err);
		}
		for (const char *q = s; q < colon; q++)
			if (!tchar((unsigned char)*q)) {
				(void)cadre_err_set(err, CADRE_EINVAL, "%s: malformed header name",
				                    label);
				return fail(m, err);
			}
		size_t nlen = (size_t)(colon - s);
		const char *v = colon + 1;
		const char *vend = eol;
		while (v < vend && ows(*v))
			v++;
		while (vend > v && ows(vend[-1]))
			vend--;
		if (nlen == 19 && strncasecmp(s, "Content-Disposition", 19) == 0) {
			if (has_disp) {
				(void)cadre_err_set(err, CADRE_EINVAL,
				                    "%s: two Content-Disposition headers", label);
				return fail(m, err);
			}
			has_disp = true;
			int rc = disposition(m, v, vend, &has_name, err);
			if (rc != CADRE_OK)
				return rc;
		} else if (nlen == 12 && strncasecmp(s, "Content-Type", 12) == 0) {
			if (has_type) {
				(void)cadre_err_set(err, CADRE_EINVAL,
				                    "%s: two Content-Type headers", label);
				return fail(m, err);
			}
			has_type = true;
			int rc = copy_text(m, m->ctype, sizeof m->ctype, v, (size_t)(vend - v),
			                   "Content-Type", err);
			if (rc != CADRE_OK)
				return rc;
		}
		/* other headers (Content-Transfer-Encoding and the like) are ignored */
		s = eol + 2;
	}
	if (!has_disp) {
		(void)cadre_err_set(err, CADRE_EINVAL, "%s: no Content-Disposition header", label);
		return fail(m, err);
	}
	if (!has_name || m->name[0] == '\0') {
		(void)cadre_err_set(err, CADRE_EINVAL, "%s: no field name", label);
		return fail(m, err);
	}
	if (!has_type || m->ctype[0] == '\0')
		(void)snprintf(m->ctype, sizeof m->ctype, "text/plain");
	m->part.index = m->parts;
	m->part.name = m->name;
	m->part.content_type = m->ctype;
	/* errors about the content name the part: "part 2 ('upload')", or
	 * just "part 2" when its name is not safe to repeat */
	char field[64];
	form_field_label(field, sizeof field, m->name, strlen(m->name), 0);
	if (strncmp(field, "field '", 7) == 0)
		(void)snprintf(m->label, sizeof m->label, "part %zu (%s)", m->parts, field + 6);
	else
		(void)snprintf(m->label, sizeof m->label, "part %zu", m->parts);
	m->part_size = 0;
	m->part_cap = m->part.filename ? m->lim.max_file_bytes : m->lim.max_field_bytes;
	m->in_part = true;
	if (m->h.begin) {
		int rc = m->h.begin(m->h.ctx, &m->part, err);
		if (rc != CADRE_OK)
			return fail(m, err);
	}
	return CADRE_OK;
}

/* scan: run the delimiter matcher over p[0..n) in PREAMBLE or BODY state;
 * content bytes are emitted in BODY.  *used gets how many bytes were
 * consumed (all of them, or up to the end of a delimiter). */
static int scan(struct multipart *m, const char *p, size_t n, size_t *used, struct cadre_err *err)
{
	bool body = m->state == MP_BODY;
	size_t run = 0; /* start of content not yet emitted */
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == m->delim[m->match]) {
			if (m->match == 0 && body) {
				int rc = emit(m, p + run, i - run, err);
				if (rc != CADRE_OK)
					return rc;
			}
			m->match++;
			if (m->match == m->dlen) {
				m->match = 0;
				*used = i + 1;
				m->state = MP_DELIM_END;
				return body ? part_end(m, err) : CADRE_OK;
			}
			continue;
		}
		if (m->match > 0) {
			/* the held bytes were content after all; only a CR can
			 * start the delimiter again, since a boundary has none */
			if (body) {
				int rc = emit(m, m->delim, m->match, err);
				if (rc != CADRE_OK)
					return rc;
			}
			m->match = 0;
			if (c == m->delim[0]) {
				m->match = 1;
				run = i + 1;
				continue;
			}
			run = i;
		}
	}
	*used = n;
	if (body && m->match == 0)
		return emit(m, p + run, n - run, err);
	return CADRE_OK;
}

int multipart_feed(struct multipart *m, const char *p, size_t n, struct cadre_err *err)
{
	if (m->state == MP_FAILED) {
		*err = m->fail;
		return err->status;
	}
	/* bytes past the total cap are refused only after those before it are
	 * parsed, so the cap broken first is reported whatever the chunking */
	bool over = n > m->lim.max_total_bytes - m->total;
	if (over)
		n = m->lim.max_total_bytes - m->total;
	m->total += n;
	size_t i = 0;
	while (i < n) {
		switch (m->state) {
		case MP_PREAMBLE:
		case MP_BODY: {
			size_t used = 0;
			int rc = scan(m, p + i, n - i, &used, err);
			if (rc != CADRE_OK)
				return rc;
			i += used;
			break;
		}
		case MP_DELIM_END:
			if (p[i] == '-') {
				m->state = MP_DELIM_DASH;
			} else if (ows(p[i])) {
				m->state = MP_DELIM_PAD;
			} else if (p[i] == '\r') {
				m->state = MP_DELIM_CR;
			} else {
				return failf(m, err, "a multipart boundary line is malformed");
			}
			i++;
			break;
		case MP_DELIM_DASH:
			if (p[i] != '-')
				return failf(m, err, "a multipart boundary line is malformed");
			m->state = MP_EPILOGUE;
			i++;
			break;
		case MP_DELIM_PAD:
			if (p[i] == '\r')
				m->state = MP_DELIM_CR;
			else if (!ows(p[i]))
				return failf(m, err, "a multipart boundary line is malformed");
			i++;
			break;
		case MP_DELIM_CR:
			if (p[i] != '\n')
				return failf(m, err, "a multipart boundary line is malformed");
			i++;
			if (m->parts == m->lim.max_parts) {
				(void)cadre_err_set(err, CADRE_EINVAL,
				                    "the multipart body has more than %zu parts",
				                    m->lim.max_parts);
				return fail(m, err);
			}
			m->parts++;
			m->hdr_len = 0;
			m->state = MP_HEADERS;
			break;
		case MP_HEADERS: {
			/* copy up to the end of the header block or of the input */
			while (i < n) {
				if (m->hdr_len == m->lim.max_header_bytes) {
					(void)cadre_err_set(
					    err, CADRE_EINVAL,
					    "part %zu: its headers are longer than %zu "
					    "bytes",
					    m->parts, m->lim.max_header_bytes);
					return fail(m, err);
				}
				m->hdr[m->hdr_len++] = p[i++];
				size_t h = m->hdr_len;
				bool done = (h == 2 && memcmp(m->hdr, "\r\n", 2) == 0) ||
				            (h >= 4 && memcmp(m->hdr + h - 4, "\r\n\r\n", 4) == 0);
				if (done) {
					m->hdr[h] = '\0';
					int rc = headers_done(m, err);
					if (rc != CADRE_OK)
						return rc;
					m->state = MP_BODY;
					m->match = 0;
					break;
				}
			}
			break;
		}
		case MP_EPILOGUE: i = n; break;
		case MP_FAILED: *err = m->fail; return err->status;
		}
	}
	if (over) {
		(void)cadre_err_set(err, CADRE_EINVAL,
		                    "the multipart body is larger than %zu bytes",
		                    m->lim.max_total_bytes);
		return fail(m, err);
	}
	return CADRE_OK;
}

int multipart_finish(struct multipart *m, struct cadre_err *err)
{
	if (m->state == MP_FAILED) {
		*err = m->fail;
		return err->status;
	}
	if (m->state == MP_EPILOGUE)
		return CADRE_OK;
	if (m->state == MP_PREAMBLE)
		return failf(m, err, "the multipart body holds no boundary");
	return failf(m, err, "the multipart body ends before its closing boundary");
}

/* multipart_parse's collector */
struct collect {
	struct arena *a;
	struct multipart_field *fields;
	size_t count;
	size_t alloc;
	struct buf data;
};

static int collect_begin(void *ctx, const struct multipart_part *part, struct cadre_err *err)
{
	struct collect *c = ctx;
	(void)err;
	if (c->count == c->alloc) {
		size_t na = c->alloc ? c->alloc * 2 : 8;
		struct multipart_field *nf = arena_alloc(c->a, na * sizeof *nf);
		if (c->count)
			memcpy(nf, c->fields, c->count * sizeof *nf);
		c->fields = nf;
		c->alloc = na;
	}
	struct multipart_field *f = &c->fields[c->count];
	f->name = arena_strdup(c->a, part->name);
	f->filename = part->filename ? arena_strdup(c->a, part->filename) : NULL;
	f->content_type = arena_strdup(c->a, part->content_type);
	buf_reset(&c->data);
	return CADRE_OK;
}

static int collect_data(void *ctx, const char *p, size_t n, struct cadre_err *err)
{
	struct collect *c = ctx;
	/* the parser's own caps hold the part below the buffer's cap */
	return buf_append(&c->data, p, n, err);
}

static int collect_end(void *ctx, struct cadre_err *err)
{
	struct collect *c = ctx;
	struct multipart_field *f = &c->fields[c->count];
	if (!f->filename && (memchr(c->data.data ? c->data.data : "", '\0', c->data.len) ||
	                     !utf8_valid(buf_cstr(&c->data), c->data.len, NULL))) {
		char label[64];
		form_field_label(label, sizeof label, f->name, strlen(f->name), c->count + 1);
		return cadre_err_set(err, CADRE_EINVAL, "%s: not valid UTF-8 text", label);
	}
	char *d = arena_alloc(c->a, c->data.len + 1);
	if (c->data.len)
		memcpy(d, buf_cstr(&c->data), c->data.len);
	f->data = d;
	f->len = c->data.len;
	c->count++;
	return CADRE_OK;
}

int multipart_parse(const char *body, size_t n, const char *content_type,
                    const struct multipart_limits *lim, struct arena *a, struct multipart_form *out,
                    struct cadre_err *err)
{
	char boundary[MULTIPART_BOUNDARY_MAX + 1] = "";
	out->fields = NULL;
	out->count = 0;
	int rc = multipart_boundary(content_type, boundary, sizeof boundary, err);
	if (rc != CADRE_OK)
		return rc;
	struct collect c = {.a = a};
	buf_init(&c.data, SIZE_MAX / 2);
	struct multipart_handler h = {collect_begin, collect_data, collect_end, &c};
	struct multipart *m = multipart_new(boundary, lim, &h);
	rc = multipart_feed(m, body, n, err);
	if (rc == CADRE_OK)
		rc = multipart_finish(m, err);
	multipart_free(m);
	buf_free(&c.data);
	if (rc != CADRE_OK)
		return rc;
	out->fields = c.fields;
	out->count = c.count;
	return CADRE_OK;
}

const struct multipart_field *multipart_get(const struct multipart_form *f, const char *name)
{
	for (size_t i = 0; i < f->count; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return &f->fields[i];
	return NULL;
}
