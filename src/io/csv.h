/* csv: an RFC 4180 streaming reader, and a writer for exports.
 *
 * Design note.  The reader is ours on purpose (DESIGN.md: libcsv gives no
 * positions, no caps and no byte-order-mark handling).  It reads a FILE* or a
 * memory buffer in chunks and never holds more than one record plus one chunk,
 * so a 1.5 million-row national extract costs the same memory as a ten-line
 * file.  Each record's fields are copied, NUL-terminated, into one buffer the
 * reader reuses (no allocation per field); unquoted runs are scanned with a
 * lookup table and copied with memcpy.
 *
 * What it accepts: RFC 4180 fields, quoted fields holding commas, doubled
 * quotes and line breaks; LF, CRLF or a lone CR as line ends, in any mix; a
 * final line without a line end; a UTF-8 byte-order mark at the very start
 * (skipped, and not counted as a column).  Every other byte sequence is an
 * error: invalid UTF-8, a NUL byte, a UTF-16 file, a quote inside an unquoted
 * field, text after a closing quote, a quote left open at the end of the input,
 * and a field, record or field count over the caps in struct csv_options.
 *
 * Positions: every error message reads "line L, column C: reason", L the
 * 1-based physical line (a line break inside a quoted field starts a new one)
 * and C the 1-based column counted in characters (code points), as an editor
 * shows them.  The caller puts the file name in front (cadre_err_prefix) so a
 * user sees FILE:LINE:COLUMN: reason.  Each field carries its own starting line
 * and column (its opening quote when quoted) so later validation can point at
 * it.  After an error the reader is stopped: every later call returns the same
 * status and message.
 *
 * The writer makes files that spreadsheets open correctly and safely: a UTF-8
 * byte-order mark first, CRLF line ends, fields quoted when they hold a comma,
 * quote, CR or LF.  Spreadsheet formula injection (OWASP "CSV injection") is
 * neutralised: a TEXT cell whose first character is '=', '+', '-', '@', a tab
 * or a CR gets a single quote ' in front, so "=HYPERLINK(...)" and "-12.5"
 * written with csv_writer_text() come out as '=HYPERLINK(...) and '-12.5.
 * Numbers are not text: write them with csv_writer_int() and
 * csv_writer_double(), which never alter them, so -12.5 stays -12.5.  Choose
 * the call by what the value is, never by what it looks like. */
#ifndef CADRE_IO_CSV_H
#define CADRE_IO_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"

#define CSV_DEFAULT_MAX_FIELD_BYTES ((size_t)64 * 1024)
#define CSV_DEFAULT_MAX_ROW_BYTES   ((size_t)1024 * 1024)
#define CSV_DEFAULT_MAX_FIELDS      ((size_t)512)
#define CSV_DEFAULT_CHUNK_BYTES     ((size_t)64 * 1024)
#define CSV_MAX_CHUNK_BYTES         ((size_t)64 * 1024 * 1024)

/* csv_options: the reader's caps and choices.  Start from csv_options_init();
 * a cap or chunk size of 0 means its default. */
struct csv_options {
	size_t max_field_bytes; /* one field's content, after unquoting */
	size_t max_row_bytes;   /* one record as it stands in the file, line end excluded */
	size_t max_fields;      /* fields in one record */
	bool skip_blank_lines;  /* an empty line is no record (RFC 4180 says one empty field) */
	size_t chunk_bytes;     /* read size; tests use tiny ones to hit chunk boundaries */
};

/* csv_options_init: the defaults: 64 KiB fields, 1 MiB records, 512 fields,
 * blank lines skipped, 64 KiB chunks. */
void csv_options_init(struct csv_options *opt);

/* csv_field: one field of the current record.  s is a NUL-terminated copy
 * owned by the reader and valid until the next csv_reader_next() or
 * csv_reader_free(); len excludes the NUL (the text holds no NUL byte). */
struct csv_field {
	const char *s;
	size_t len;
	long line; /* where the field starts (its opening quote if quoted), 1-based */
	long col;  /* in characters, 1-based */
};

struct csv_reader;

/* csv_reader_open_file: a reader over f, from its current position.  The
 * reader does not own f: the caller closes it after csv_reader_free().  opt
 * may be NULL for the defaults; it is copied.  Returns CADRE_OK, or
 * CADRE_EUSAGE for options out of range. */
int csv_reader_open_file(struct csv_reader **r, FILE *f, const struct csv_options *opt,
                         struct cadre_err *err);

/* csv_reader_open_mem: a reader over len bytes at data, which must stay valid
 * and unchanged until csv_reader_free() (they are not copied).  As above. */
int csv_reader_open_mem(struct csv_reader **r, const void *data, size_t len,
                        const struct csv_options *opt, struct cadre_err *err);

/* csv_reader_next: read the next record.  Returns CADRE_OK with the record
 * available through the accessors below, CADRE_DONE at the end of the input,
 * CADRE_EINVAL with err set to "line L, column C: reason" for bad input, or
 * CADRE_EINTERNAL when reading the FILE failed.  The previous record's fields
 * are invalid after the call. */
int csv_reader_next(struct csv_reader *r, struct cadre_err *err);

/* csv_reader_count: how many fields the current record has (at least 1). */
size_t csv_reader_count(const struct csv_reader *r);

/* csv_reader_field: field i (0-based) of the current record, or NULL when
 * i >= csv_reader_count(r).  Owned by the reader, as struct csv_field says. */
const struct csv_field *csv_reader_field(const struct csv_reader *r, size_t i);

/* csv_reader_fields: all fields of the current record, an array of
 * csv_reader_count(r) elements owned by the reader. */
const struct csv_field *csv_reader_fields(const struct csv_reader *r);

/* csv_reader_line: the physical line where the current record starts. */
long csv_reader_line(const struct csv_reader *r);

/* csv_reader_bytes: input bytes consumed so far (for progress bars); after
 * CADRE_DONE it is the input's size. */
uint64_t csv_reader_bytes(const struct csv_reader *r);

/* csv_reader_error_pos: after an error, its line and column (the numbers in
 * the message), for callers that keep them in a problem list.  Returns false
 * when the reader has not failed. */
bool csv_reader_error_pos(const struct csv_reader *r, long *line, long *col);

/* csv_reader_free: release the reader and its record (NULL is fine). */
void csv_reader_free(struct csv_reader *r);

struct csv_writer;

/* csv_writer_open_buf: a writer appending to out (the caller owns out and
 * its cap).  Writes the byte-order mark at once, so it fails with
 * CADRE_EINVAL when out has no room for it. */
int csv_writer_open_buf(struct csv_writer **w, struct buf *out, struct cadre_err *err);

/* csv_writer_open_file: a writer to f (not owned; the caller flushes and
 * closes it after csv_writer_free()).  Writes the byte-order mark at once;
 * CADRE_EINTERNAL when that write fails. */
int csv_writer_open_file(struct csv_writer **w, FILE *f, struct cadre_err *err);

/* csv_writer_text: add a text cell of n bytes to the current row.  The text
 * must be UTF-8 without NUL bytes (CADRE_EINVAL otherwise, nothing written).
 * It is quoted when it holds a comma, quote, CR or LF, and neutralised with a
 * leading ' when it starts with = + - @ tab or CR (see the design note).  An
 * empty first cell is written as "" so a one-cell row is never a blank line.
 * Each cell reaches the output whole or not at all. */
int csv_writer_text(struct csv_writer *w, const char *s, size_t n, struct cadre_err *err);

/* csv_writer_int: add a whole-number cell, written as is (-42 stays -42). */
int csv_writer_int(struct csv_writer *w, int64_t v, struct cadre_err *err);

/* csv_writer_double: add a number cell with exactly `decimals` (0-15) fraction
 * digits, rounded as printf does, never neutralised; a value that rounds to
 * zero is written without a minus sign.  CADRE_EINVAL for NaN or infinity
 * and for decimals out of range. */
int csv_writer_double(struct csv_writer *w, double v, int decimals, struct cadre_err *err);

/* csv_writer_end_row: end the current row with CRLF.  A row with no cells is
 * an empty line, which readers skip by default. */
int csv_writer_end_row(struct csv_writer *w, struct cadre_err *err);

/* csv_writer_flush: for a FILE writer, fflush it and report a failure
 * (CADRE_EINTERNAL); nothing to do for a buf writer. */
int csv_writer_flush(struct csv_writer *w, struct cadre_err *err);

/* csv_writer_free: release the writer (NULL is fine); the output is not
 * touched. */
void csv_writer_free(struct csv_writer *w);

#endif
