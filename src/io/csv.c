#include "io/csv.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/utf8.h"

/* The longest lookahead the parser asks for: one UTF-8 sequence. */
enum { CSV_LOOKAHEAD = 4 };

struct csv_reader {
	struct csv_options opt;

	/* The input window [pos, end).  A FILE reader reads chunks into buf and
	 * moves the few unread bytes to its front before the next read; a memory
	 * reader's window is the caller's memory, widened a chunk at a time. */
	FILE *f;
	unsigned char *buf; /* FILE only: chunk_bytes + CSV_LOOKAHEAD bytes */
	size_t buf_alloc;
	const unsigned char *base;    /* buf, or the memory's first byte */
	const unsigned char *mem_end; /* memory only: the end of the input */
	const unsigned char *pos;
	const unsigned char *end;
	uint64_t base_off; /* input offset of base[0] */
	bool eof;          /* nothing lies beyond end */
	bool started;      /* the byte-order mark has been looked at */
	bool done;

	long line; /* position of *pos */
	long col;

	int failed; /* the sticky status after an error, else 0 */
	struct cadre_err saved;
	long err_line;
	long err_col;

	/* the current record: field contents, each NUL-terminated, back to back */
	char *rb;
	size_t rb_len;
	size_t rb_alloc;
	struct csv_field *fields;
	size_t nfields;
	size_t fields_alloc;
	size_t field_len; /* content bytes of the field being read */
	long rec_line;
	uint64_t rec_off;

	unsigned char stop_plain[256];  /* , " CR LF NUL and non-ASCII */
	unsigned char stop_quoted[256]; /* " CR LF NUL and non-ASCII */
};

void csv_options_init(struct csv_options *opt)
{
	opt->max_field_bytes = CSV_DEFAULT_MAX_FIELD_BYTES;
	opt->max_row_bytes = CSV_DEFAULT_MAX_ROW_BYTES;
	opt->max_fields = CSV_DEFAULT_MAX_FIELDS;
	opt->skip_blank_lines = true;
	opt->chunk_bytes = CSV_DEFAULT_CHUNK_BYTES;
}

static int reader_new(struct csv_reader **out, const struct csv_options *opt, struct cadre_err *err)
{
	struct csv_options o;
	if (opt)
		o = *opt;
	else
		csv_options_init(&o);
	if (o.max_field_bytes == 0)
		o.max_field_bytes = CSV_DEFAULT_MAX_FIELD_BYTES;
	if (o.max_row_bytes == 0)
		o.max_row_bytes = CSV_DEFAULT_MAX_ROW_BYTES;
	if (o.max_fields == 0)
		o.max_fields = CSV_DEFAULT_MAX_FIELDS;
	if (o.chunk_bytes == 0)
		o.chunk_bytes = CSV_DEFAULT_CHUNK_BYTES;
	if (o.chunk_bytes > CSV_MAX_CHUNK_BYTES)
		return cadre_err_set(err, CADRE_EUSAGE, "csv: chunk of %zu bytes is above %zu",
		                     o.chunk_bytes, CSV_MAX_CHUNK_BYTES);
	/* the caps are compared with sums of sizes; keep them far from overflow */
	if (o.max_field_bytes > SIZE_MAX / 4 || o.max_row_bytes > SIZE_MAX / 4 ||
	    o.max_fields > SIZE_MAX / (4 * sizeof(struct csv_field)))
		return cadre_err_set(err, CADRE_EUSAGE, "csv: caps out of range");

	struct csv_reader *r = xcalloc(1, sizeof *r);
	r->opt = o;
	r->line = 1;
	r->col = 1;
	static const unsigned char specials[] = {',', '"', '\r', '\n', '\0'};
	for (size_t i = 0; i < sizeof specials; i++) {
		r->stop_plain[specials[i]] = 1;
		if (specials[i] != ',')
			r->stop_quoted[specials[i]] = 1;
	}
	for (size_t c = 0x80; c < 0x100; c++) {
		r->stop_plain[c] = 1;
		r->stop_quoted[c] = 1;
	}
	*out = r;
	return CADRE_OK;
}

int csv_reader_open_file(struct csv_reader **r, FILE *f, const struct csv_options *opt,
                         struct cadre_err *err)
{
	int rc = reader_new(r, opt, err);
	if (rc)
		return rc;
	struct csv_reader *rd = *r;
	rd->f = f;
	rd->buf_alloc = rd->opt.chunk_bytes + CSV_LOOKAHEAD;
	rd->buf = xmalloc(rd->buf_alloc);
	rd->base = rd->buf;
	rd->pos = rd->buf;
	rd->end = rd->buf;
	return CADRE_OK;
}

int csv_reader_open_mem(struct csv_reader **r, const void *data, size_t len,
                        const struct csv_options *opt, struct cadre_err *err)
{
	int rc = reader_new(r, opt, err);
	if (rc)
		return rc;
	struct csv_reader *rd = *r;
	static const unsigned char empty[1];
	rd->base = len ? (const unsigned char *)data : empty;
	rd->pos = rd->base;
	rd->end = rd->base;
	rd->mem_end = rd->base + len;
	return CADRE_OK;
}

void csv_reader_free(struct csv_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r->rb);
	free(r->fields);
	free(r);
}

static uint64_t offset_of(const struct csv_reader *r, const unsigned char *p)
{
	return r->base_off + (uint64_t)(p - r->base);
}

/* fail_at: stop the reader with "line L, column C: reason" in err. */
__attribute__((format(printf, 6, 7))) static int fail_at(struct csv_reader *r,
                                                         struct cadre_err *err, int status,
                                                         long line, long col, const char *fmt, ...)
{
	char reason[CADRE_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	if (n < 0)
		reason[0] = '\0';
	(void)cadre_err_set(&r->saved, status, "line %ld, column %ld: %s", line, col, reason);
	r->failed = status;
	r->err_line = line;
	r->err_col = col;
	if (err)
		*err = r->saved;
	return status;
}

/* fill: make at least k bytes available at pos, or all that remain. */
static int fill(struct csv_reader *r, size_t k, struct cadre_err *err)
{
	while ((size_t)(r->end - r->pos) < k && !r->eof) {
		size_t chunk = r->opt.chunk_bytes;
		if (!r->f) {
			size_t left = (size_t)(r->mem_end - r->end);
			if (left == 0) {
				r->eof = true;
				break;
			}
			r->end += left < chunk ? left : chunk;
			continue;
		}
		size_t keep = (size_t)(r->end - r->pos);
		if (r->pos != r->buf) {
			memmove(r->buf, r->pos, keep);
			r->base_off += (uint64_t)(r->pos - r->buf);
			r->pos = r->buf;
			r->end = r->buf + keep;
		}
		/* keep < k <= CSV_LOOKAHEAD, so a whole chunk fits */
		size_t n = fread(r->buf + keep, 1, chunk, r->f);
		r->end += n;
		if (n < chunk) {
			if (ferror(r->f))
				return fail_at(r, err, CADRE_EINTERNAL, r->line, r->col,
				               "read error: %s", strerror(errno));
			r->eof = true;
		}
	}
	return CADRE_OK;
}

static void rb_reserve(struct csv_reader *r, size_t n)
{
	size_t need = r->rb_len + n;
	if (need <= r->rb_alloc)
		return;
	size_t alloc = r->rb_alloc ? r->rb_alloc : 256;
	while (alloc < need)
		alloc *= 2;
	r->rb = xrealloc(r->rb, alloc);
	r->rb_alloc = alloc;
}

static int row_too_long(struct csv_reader *r, struct cadre_err *err)
{
	return fail_at(r, err, CADRE_EINVAL, r->rec_line, 1, "record longer than %zu bytes",
	               r->opt.max_row_bytes);
}

/* take: append n content bytes from src to the current field and move pos
 * on by raw input bytes (a doubled quote is 2 raw bytes, 1 content byte). */
static inline int take(struct csv_reader *r, const unsigned char *src, size_t n, size_t raw,
                       struct cadre_err *err)
{
	/* Report the cap the input breaks first, whatever the chunking: kf and
	 * kr are the indexes of the first byte over each cap (a tie goes to the
	 * field).  Only plain runs (n == raw) can be split by a chunk boundary,
	 * and for them both indexes count the same bytes. */
	size_t field_room = r->opt.max_field_bytes - r->field_len;
	uint64_t row = offset_of(r, r->pos) - r->rec_off;
	size_t row_room = row < r->opt.max_row_bytes ? r->opt.max_row_bytes - (size_t)row : 0;
	bool field_over = n > field_room;
	bool row_over = raw > row_room;
	if (field_over && (!row_over || field_room <= row_room)) {
		const struct csv_field *fd = &r->fields[r->nfields];
		return fail_at(r, err, CADRE_EINVAL, fd->line, fd->col,
		               "field longer than %zu bytes", r->opt.max_field_bytes);
	}
	if (row_over)
		return row_too_long(r, err);
	rb_reserve(r, n + 1); /* + the field's NUL */
	memcpy(r->rb + r->rb_len, src, n);
	r->rb_len += n;
	r->field_len += n;
	r->pos += raw;
	return CADRE_OK;
}

/* take_utf8: the non-ASCII character at pos, validated. */
static int take_utf8(struct csv_reader *r, struct cadre_err *err)
{
	int rc = fill(r, CSV_LOOKAHEAD, err);
	if (rc)
		return rc;
	unsigned cp;
	size_t n = utf8_decode(r->pos, (size_t)(r->end - r->pos), &cp);
	if (n == 0)
		return fail_at(r, err, CADRE_EINVAL, r->line, r->col,
		               "invalid UTF-8 byte 0x%02X (save the file as CSV UTF-8)", *r->pos);
	rc = take(r, r->pos, n, n, err);
	if (rc)
		return rc;
	r->col++;
	return CADRE_OK;
}

static int nul_byte(struct csv_reader *r, struct cadre_err *err)
{
	return fail_at(r, err, CADRE_EINVAL, r->line, r->col,
	               "NUL byte (is the file UTF-16? save it as CSV UTF-8)");
}

/* take_run: the bytes from pos up to the first one stop[] marks. */
static inline int take_run(struct csv_reader *r, const unsigned char *stop, struct cadre_err *err)
{
	const unsigned char *p = r->pos;
	const unsigned char *e = r->end;
	while (e - p >= 4) {
		if (stop[p[0]])
			goto found;
		if (stop[p[1]]) {
			p += 1;
			goto found;
		}
		if (stop[p[2]]) {
			p += 2;
			goto found;
		}
		if (stop[p[3]]) {
			p += 3;
			goto found;
		}
		p += 4;
	}
	while (p < e && !stop[*p])
		p++;
found:;
	size_t n = (size_t)(p - r->pos);
	if (n == 0)
		return CADRE_OK;
	int rc = take(r, r->pos, n, n, err);
	if (rc)
		return rc;
	r->col += (long)n;
	return CADRE_OK;
}

/* read_plain: an unquoted field, up to a comma, line end or the end. */
static int read_plain(struct csv_reader *r, struct cadre_err *err)
{
	for (;;) {
		int rc = take_run(r, r->stop_plain, err);
		if (rc)
			return rc;
		if (r->pos == r->end) {
			rc = fill(r, 1, err);
			if (rc)
				return rc;
			if (r->pos == r->end)
				return CADRE_OK;
			continue;
		}
		unsigned char c = *r->pos;
		if (c == ',' || c == '\n' || c == '\r')
			return CADRE_OK;
		if (c == '"')
			return fail_at(r, err, CADRE_EINVAL, r->line, r->col,
			               "quote inside an unquoted field (quote the whole field "
			               "and double the quote)");
		if (c == '\0')
			return nul_byte(r, err);
		rc = take_utf8(r, err);
		if (rc)
			return rc;
	}
}

/* read_quoted: a quoted field from its opening quote at pos. */
static int read_quoted(struct csv_reader *r, struct cadre_err *err)
{
	const long qline = r->line;
	const long qcol = r->col;
	r->pos++;
	r->col++;
	for (;;) {
		int rc = take_run(r, r->stop_quoted, err);
		if (rc)
			return rc;
		if (r->pos == r->end) {
			rc = fill(r, 1, err);
			if (rc)
				return rc;
			if (r->pos == r->end)
				return fail_at(r, err, CADRE_EINVAL, qline, qcol,
				               "quote opened here is not closed before the end of "
				               "the input");
			continue;
		}
		unsigned char c = *r->pos;
		if (c == '"') {
			rc = fill(r, 2, err);
			if (rc)
				return rc;
			if (r->end - r->pos >= 2 && r->pos[1] == '"') {
				rc = take(r, r->pos, 1, 2, err);
				if (rc)
					return rc;
				r->col += 2;
				continue;
			}
			r->pos++; /* the closing quote */
			r->col++;
			rc = fill(r, 1, err);
			if (rc)
				return rc;
			if (r->pos == r->end)
				return CADRE_OK;
			c = *r->pos;
			if (c == ',' || c == '\n' || c == '\r')
				return CADRE_OK;
			return fail_at(r, err, CADRE_EINVAL, r->line, r->col,
			               "unexpected text after a closing quote (expected a comma "
			               "or the end of the line)");
		}
		if (c == '\n' || c == '\r') {
			size_t n = 1;
			if (c == '\r') {
				rc = fill(r, 2, err);
				if (rc)
					return rc;
				if (r->end - r->pos >= 2 && r->pos[1] == '\n')
					n = 2;
			}
			rc = take(r, r->pos, n, n, err);
			if (rc)
				return rc;
			r->line++;
			r->col = 1;
			continue;
		}
		if (c == '\0')
			return nul_byte(r, err);
		rc = take_utf8(r, err);
		if (rc)
			return rc;
	}
}

static int read_field(struct csv_reader *r, struct cadre_err *err)
{
	if (r->nfields == r->opt.max_fields)
		return fail_at(r, err, CADRE_EINVAL, r->line, r->col,
		               "more than %zu fields in a record", r->opt.max_fields);
	if (r->nfields == r->fields_alloc) {
		size_t alloc = r->fields_alloc ? r->fields_alloc * 2 : 16;
		if (alloc > r->opt.max_fields)
			alloc = r->opt.max_fields;
		r->fields = xreallocarray(r->fields, alloc, sizeof *r->fields);
		r->fields_alloc = alloc;
	}
	struct csv_field *fd = &r->fields[r->nfields];
	fd->s = NULL;
	fd->line = r->line;
	fd->col = r->col;
	r->field_len = 0;
	int rc = fill(r, 1, err);
	if (rc)
		return rc;
	if (r->pos < r->end && *r->pos == '"')
		rc = read_quoted(r, err);
	else
		rc = read_plain(r, err);
	if (rc)
		return rc;
	if (offset_of(r, r->pos) - r->rec_off > r->opt.max_row_bytes)
		return row_too_long(r, err);
	rb_reserve(r, 1);
	r->rb[r->rb_len++] = '\0';
	fd->len = r->field_len;
	r->nfields++;
	return CADRE_OK;
}

/* skip_line_end: the LF, CRLF or CR at pos. */
static int skip_line_end(struct csv_reader *r, struct cadre_err *err)
{
	if (*r->pos == '\r') {
		int rc = fill(r, 2, err);
		if (rc)
			return rc;
		if (r->end - r->pos >= 2 && r->pos[1] == '\n')
			r->pos++;
	}
	r->pos++;
	r->line++;
	r->col = 1;
	return CADRE_OK;
}

/* start: skip a UTF-8 byte-order mark; refuse a UTF-16 one. */
static int start(struct csv_reader *r, struct cadre_err *err)
{
	r->started = true;
	int rc = fill(r, 3, err);
	if (rc)
		return rc;
	size_t avail = (size_t)(r->end - r->pos);
	if (avail >= 3 && memcmp(r->pos, "\xEF\xBB\xBF", 3) == 0) {
		r->pos += 3;
		return CADRE_OK;
	}
	if (avail >= 2 &&
	    (memcmp(r->pos, "\xFF\xFE", 2) == 0 || memcmp(r->pos, "\xFE\xFF", 2) == 0))
		return fail_at(r, err, CADRE_EINVAL, 1, 1,
		               "the file is UTF-16, not UTF-8 (save it as CSV UTF-8)");
	return CADRE_OK;
}

int csv_reader_next(struct csv_reader *r, struct cadre_err *err)
{
	if (r->failed) {
		if (err)
			*err = r->saved;
		return r->failed;
	}
	if (r->done)
		return CADRE_DONE;
	r->rb_len = 0;
	r->nfields = 0;
	int rc;
	if (!r->started) {
		rc = start(r, err);
		if (rc)
			return rc;
	}
	for (;;) {
		rc = fill(r, 1, err);
		if (rc)
			return rc;
		if (r->pos == r->end) {
			r->done = true;
			return CADRE_DONE;
		}
		if (!r->opt.skip_blank_lines || (*r->pos != '\n' && *r->pos != '\r'))
			break;
		rc = skip_line_end(r, err);
		if (rc)
			return rc;
	}
	r->rec_line = r->line;
	r->rec_off = offset_of(r, r->pos);
	for (;;) {
		rc = read_field(r, err);
		if (rc)
			return rc;
		/* read_field stops at a comma, a line end, or the end of the input */
		if (r->pos == r->end)
			break;
		if (*r->pos == ',') {
			r->pos++;
			r->col++;
			continue;
		}
		rc = skip_line_end(r, err);
		if (rc)
			return rc;
		break;
	}
	size_t off = 0;
	for (size_t i = 0; i < r->nfields; i++) {
		r->fields[i].s = r->rb + off;
		off += r->fields[i].len + 1;
	}
	return CADRE_OK;
}

size_t csv_reader_count(const struct csv_reader *r)
{
	return r->nfields;
}

const struct csv_field *csv_reader_field(const struct csv_reader *r, size_t i)
{
	return i < r->nfields ? &r->fields[i] : NULL;
}

const struct csv_field *csv_reader_fields(const struct csv_reader *r)
{
	return r->fields;
}

long csv_reader_line(const struct csv_reader *r)
{
	return r->rec_line;
}

uint64_t csv_reader_bytes(const struct csv_reader *r)
{
	return offset_of(r, r->pos);
}

bool csv_reader_error_pos(const struct csv_reader *r, long *line, long *col)
{
	if (!r->failed)
		return false;
	*line = r->err_line;
	*col = r->err_col;
	return true;
}

/* ---- writer ---- */

/* the most bytes one cell may take in the output */
#define CSV_WRITER_CELL_CAP ((size_t)64 * 1024 * 1024)

struct csv_writer {
	struct buf *out; /* one of out and f */
	FILE *f;
	struct buf cell; /* the cell being composed, so it is written whole */
	size_t ncells;   /* in the current row */
};

static int writer_emit(struct csv_writer *w, const char *p, size_t n, struct cadre_err *err)
{
	if (w->out) {
		int rc = buf_append(w->out, p, n, err);
		if (rc)
			cadre_err_prefix(err, "CSV output");
		return rc;
	}
	if (n && fwrite(p, 1, n, w->f) != n)
		return cadre_err_set(err, CADRE_EINTERNAL, "CSV output: write failed: %s",
		                     strerror(errno));
	return CADRE_OK;
}

static int writer_new(struct csv_writer **out, struct buf *b, FILE *f, struct cadre_err *err)
{
	struct csv_writer *w = xcalloc(1, sizeof *w);
	w->out = b;
	w->f = f;
	buf_init(&w->cell, CSV_WRITER_CELL_CAP);
	int rc = writer_emit(w, "\xEF\xBB\xBF", 3, err);
	if (rc) {
		csv_writer_free(w);
		return rc;
	}
	*out = w;
	return CADRE_OK;
}

int csv_writer_open_buf(struct csv_writer **w, struct buf *out, struct cadre_err *err)
{
	return writer_new(w, out, NULL, err);
}

int csv_writer_open_file(struct csv_writer **w, FILE *f, struct cadre_err *err)
{
	return writer_new(w, NULL, f, err);
}

void csv_writer_free(struct csv_writer *w)
{
	if (!w)
		return;
	buf_free(&w->cell);
	free(w);
}

/* writer_cell: emit the composed cell (with its separator) and count it. */
static int writer_cell(struct csv_writer *w, struct cadre_err *err)
{
	int rc = writer_emit(w, w->cell.data, w->cell.len, err);
	if (rc)
		return rc;
	w->ncells++;
	return CADRE_OK;
}

static bool needs_quotes(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == ',' || c == '"' || c == '\r' || c == '\n')
			return true;
	}
	return false;
}

static bool is_formula_start(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

int csv_writer_text(struct csv_writer *w, const char *s, size_t n, struct cadre_err *err)
{
	size_t bad;
	if (!utf8_valid(s, n, &bad))
		return cadre_err_set(err, CADRE_EINVAL,
		                     "CSV output: text cell is not UTF-8 (byte %zu of %zu)",
		                     bad + 1, n);
	if (n && memchr(s, '\0', n))
		return cadre_err_set(err, CADRE_EINVAL, "CSV output: text cell holds a NUL byte");
	struct buf *c = &w->cell;
	buf_reset(c);
	int rc = CADRE_OK;
	if (w->ncells)
		rc = buf_putc(c, ',', err);
	bool neutral = n && is_formula_start(s[0]);
	bool quoted = (n == 0 && w->ncells == 0) || needs_quotes(s, n);
	if (!rc && quoted)
		rc = buf_putc(c, '"', err);
	if (!rc && neutral)
		rc = buf_putc(c, '\'', err);
	if (!rc && quoted) {
		const char *p = s;
		const char *e = s + n;
		while (!rc && p < e) {
			const char *q = memchr(p, '"', (size_t)(e - p));
			size_t run = q ? (size_t)(q - p) + 1 : (size_t)(e - p);
			rc = buf_append(c, p, run, err);
			if (!rc && q)
				rc = buf_putc(c, '"', err); /* the quote doubled */
			p += run;
		}
		if (!rc)
			rc = buf_putc(c, '"', err);
	} else if (!rc) {
		rc = buf_append(c, s, n, err);
	}
	if (rc) {
		cadre_err_prefix(err, "CSV output: cell");
		return rc;
	}
	return writer_cell(w, err);
}

/* writer_number: emit the n-byte number text at s as a cell, unaltered. */
static int writer_number(struct csv_writer *w, const char *s, size_t n, struct cadre_err *err)
{
	buf_reset(&w->cell);
	int rc = CADRE_OK;
	if (w->ncells)
		rc = buf_putc(&w->cell, ',', err);
	if (!rc)
		rc = buf_append(&w->cell, s, n, err);
	if (rc)
		return rc;
	return writer_cell(w, err);
}

int csv_writer_int(struct csv_writer *w, int64_t v, struct cadre_err *err)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "%" PRId64, v);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return cadre_err_set(err, CADRE_EINTERNAL, "CSV output: number format failed");
	return writer_number(w, tmp, (size_t)n, err);
}

int csv_writer_double(struct csv_writer *w, double v, int decimals, struct cadre_err *err)
{
	if (!isfinite(v))
		return cadre_err_set(err, CADRE_EINVAL, "CSV output: %s is not a number to write",
		                     isnan(v) ? "NaN" : "infinity");
	if (decimals < 0 || decimals > 15)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "CSV output: %d decimals is outside 0 to 15", decimals);
	char tmp[400]; /* DBL_MAX has 309 digits before the point */
	int n = snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return cadre_err_set(err, CADRE_EINTERNAL, "CSV output: number format failed");
	const char *s = tmp;
	if (tmp[0] == '-' && strspn(tmp + 1, "0.") == (size_t)n - 1) {
		s++; /* -0.00 is 0.00 */
		n--;
	}
	return writer_number(w, s, (size_t)n, err);
}

int csv_writer_end_row(struct csv_writer *w, struct cadre_err *err)
{
	int rc = writer_emit(w, "\r\n", 2, err);
	if (rc)
		return rc;
	w->ncells = 0;
	return CADRE_OK;
}

int csv_writer_flush(struct csv_writer *w, struct cadre_err *err)
{
	if (w->f && fflush(w->f) != 0)
		return cadre_err_set(err, CADRE_EINTERNAL, "CSV output: flush failed: %s",
		                     strerror(errno));
	return CADRE_OK;
}
