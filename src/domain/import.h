/* import: what every file import shares (reference data, published
 * statistics): reading a file whole with its SHA-256, and the capped list of
 * problems a validation collects.
 *
 * Design note
 * - A file is read into memory in one piece (under a size cap) so the bytes
 *   that are hashed for the audit trail are exactly the bytes parsed.
 * - Problems are "FILE:LINE:COLUMN: reason" (DESIGN.md, Errors): the first
 *   IMPORT_PROBLEMS_CAP are kept, the rest only counted, so a file with a
 *   million bad rows costs no more memory than one with fifty, and the
 *   report ends "and N more". */
#ifndef CADRE_DOMAIN_IMPORT_H
#define CADRE_DOMAIN_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include <stdbool.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/org.h"

#define IMPORT_PROBLEMS_CAP 50
#define IMPORT_REASON_MAX   320
#define IMPORT_FILE_MAX     ((size_t)512 * 1024 * 1024)

/* import_file: a file's bytes and their SHA-256 (hex). */
struct import_file {
	char *path; /* as given; owned */
	char *data; /* the bytes, NUL-terminated; owned */
	size_t len;
	char sha256[65];
};

/* import_file_read: read path whole (at most cap bytes, else CADRE_EINVAL)
 * and hash it.  Free with import_file_free. */
int import_file_read(const char *path, size_t cap, struct import_file *f, struct cadre_err *err);

/* import_file_free: release f's memory; f may be zeroed or already freed. */
void import_file_free(struct import_file *f);

/* import_csv_reason: the reason part of a CSV reader message ("line L,
 * column C: reason" gives "reason"), so the caller can write it as
 * FILE:L:C: reason with csv_reader_error_pos. */
const char *import_csv_reason(const char *msg);

/* import_basename: the part of path after its last '/'. */
const char *import_basename(const char *path);

struct import_problem {
	char file[256];
	long line; /* 0: the file as a whole */
	long col;  /* 0: the line as a whole */
	char reason[IMPORT_REASON_MAX];
};

struct import_problems {
	struct import_problem v[IMPORT_PROBLEMS_CAP];
	size_t n;     /* kept */
	int64_t more; /* counted beyond the cap */
};

/* import_opts: how a published-statistics import runs. */
struct import_opts {
	bool dry_run;                   /* validate everything, write nothing */
	bool replace;                   /* replace months already loaded */
	const unsigned char *audit_key; /* required unless dry_run */
	const struct clock *clk;        /* the import's time; NULL: the system clock */
};

#define IMPORT_MONTHS_MAX 240

/* import_result: what an import did (or, dry, would do). */
struct import_result {
	int64_t files;
	int64_t rows;                  /* rows loaded */
	int64_t orgs_created;          /* organisations the reference data lacked */
	int64_t rows_replaced;         /* rows of replaced months deleted */
	int months[IMPORT_MONTHS_MAX]; /* the months loaded, ascending */
	size_t nmonths;
	int64_t audit_seq; /* 0 for a dry run */
	struct org_rebuild_stats rebuild;
	int64_t micros;                  /* the whole import, monotonic clock */
	struct import_problems problems; /* why it was rejected */
};

/* import_result_add_month: note month (kept sorted and unique); false
 * when the list is full. */
bool import_result_add_month(struct import_result *r, int month);

/* ---- published-statistics imports: shared steps ------------------------- */

struct csv_field;
struct store;
struct store_sql;

/* import_publication_of: when the header fields fl[0..n-1] are those of a
 * publication Cadre recognises, a phrase naming it and how to import it
 * ("HCHS staff in post ... (import it with `cadre import staff-in-post`)");
 * otherwise NULL.  Static text. */
const char *import_publication_of(const struct csv_field *fl, size_t n);

/* import_record_file: a stat_import row for one file (kind "sickness" or
 * "staff_in_post"); *id gets its id. */
int import_record_file(const struct actor *actor, struct store *db, const char *kind,
                       const char *path, const char *sha256, int64_t rows, int64_t now_us,
                       int64_t *id, struct cadre_err *err);

/* import_audit: the one audit entry of an import (action "import.KIND":
 * every file's name, SHA-256 and rows, the months, the counts) and its
 * sequence stamped on the files' stat_import rows. */
int import_audit(const struct actor *actor, struct store *db, const unsigned char *key,
                 const char *kind, const struct import_file *files, const int64_t *rows,
                 const int64_t *ids, size_t n, struct import_result *res, int64_t now_us,
                 struct cadre_err *err);

/* import_month_check: how many rows of month q_count counts ($1 = the
 * month) into *held; when there are some and replace is set, delete them
 * with q_delete ($1 = the month) and add the rows deleted to *replaced.
 * The caller reports a held month it does not replace. */
int import_month_check(struct store *db, const struct store_sql *q_count,
                       const struct store_sql *q_delete, int month, bool replace, int64_t *held,
                       int64_t *replaced, struct cadre_err *err);

/* import_run: run fn in one write transaction and commit it (retried on
 * busy), or, for a dry run, roll it back whatever fn did. */
int import_run(struct store *db, bool dry_run,
               int (*fn)(struct store *, void *, struct cadre_err *), void *arg,
               struct cadre_err *err);

/* ---- reading a CSV file: the loop every importer shares ----------------- */

/* import_header_fn: the header record's n fields (at line); returns how
 * many fields every later record must have, or 0 to stop (after recording
 * why in the problems). */
typedef size_t (*import_header_fn)(void *ctx, const struct csv_field *fl, size_t n, long line);

/* import_row_fn: one data record with the expected number of fields; the
 * fields are valid only during the call (copy what is kept). */
typedef void (*import_row_fn)(void *ctx, const struct csv_field *fl, size_t n, long line);

/* import_csv_walk: read path whole (at most cap bytes) into f (freed by
 * the caller with import_file_free) and walk its CSV records: the first to
 * on_header, each later one to on_row.  A file that cannot be read, an
 * empty file, a record with the wrong number of fields and a CSV error
 * (invalid UTF-8, an unterminated quote, an over-long line...) are
 * problems at their positions in p, and the walk goes on where it can.
 * Returns CADRE_OK whatever problems it found; an error only when the
 * reader cannot start. */
int import_csv_walk(const char *path, size_t cap, struct import_file *f, struct import_problems *p,
                    import_header_fn on_header, import_row_fn on_row, void *ctx,
                    struct cadre_err *err);

/* import_header_expect: true when the header fields fl[0..n-1] are exactly
 * cols[0..ncols-1]; otherwise a problem at the first difference: "header
 * differs from WHAT: column I is 'X', expected 'Y'", or the count of
 * columns (quoting header, the whole expected line, when some are
 * missing). */
bool import_header_expect(struct import_problems *p, const char *path, const struct csv_field *fl,
                          size_t n, long line, const char *const *cols, size_t ncols,
                          const char *what, const char *header);

/* import_problems_clear: forget every problem. */
void import_problems_clear(struct import_problems *p);

/* import_problem_add: record one problem (kept while under the cap). */
void import_problem_add(struct import_problems *p, const char *file, long line, long col,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* import_problems_total: kept plus counted. */
int64_t import_problems_total(const struct import_problems *p);

/* import_problem_format: one problem as "FILE:LINE:COLUMN: reason" (LINE
 * and COLUMN left out when 0) into out (n bytes). */
void import_problem_format(const struct import_problem *pr, char *out, size_t n);

/* import_problems_write: every kept problem, one per line, then "and N
 * more" when some were only counted. */
int import_problems_write(const struct import_problems *p, struct buf *out, struct cadre_err *err);

/* import_problems_fail: CADRE_EINVAL with err saying how many problems
 * there are and quoting the first ("3 problems; the first: FILE:2:1: ..."). */
int import_problems_fail(const struct import_problems *p, struct cadre_err *err);

#endif
