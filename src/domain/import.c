/* import: file reading and problem lists shared by the importers. */
#include "domain/import.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/date.h"
#include "base/mem.h"
#include "domain/audit.h"
#include "io/csv.h"
#include "store/store.h"

static const struct store_sql q_import_insert = {
    .name = "stat_import_insert",
    .sql = "INSERT INTO stat_import (id, kind, file_name, sha256, rows_loaded, imported_us, "
           "actor) SELECT COALESCE(MAX(id), 0) + 1, $1, $2, $3, $4, $5, $6 FROM stat_import "
           "RETURNING id",
};

static const struct store_sql q_import_seq = {
    .name = "stat_import_seq",
    .sql = "UPDATE stat_import SET audit_seq = $1 WHERE id = $2",
};

int import_file_read(const char *path, size_t cap, struct import_file *f, struct cadre_err *err)
{
	memset(f, 0, sizeof *f);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return cadre_err_set(err, errno == ENOENT ? CADRE_ENOTFOUND : CADRE_EINVAL,
		                     "%s: cannot open: %s", path, strerror(errno));
	struct stat sb;
	if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		(void)fclose(fp);
		return cadre_err_set(err, CADRE_EINVAL, "%s: not a regular file", path);
	}
	if ((uint64_t)sb.st_size > cap) {
		(void)fclose(fp);
		return cadre_err_set(err, CADRE_EINVAL, "%s: %lld bytes, over the %zu-byte limit",
		                     path, (long long)sb.st_size, cap);
	}
	size_t want = (size_t)sb.st_size;
	char *data = xmalloc(want + 1);
	size_t got = fread(data, 1, want, fp);
	int bad = ferror(fp) || got != want || fgetc(fp) != EOF;
	(void)fclose(fp);
	if (bad) {
		free(data);
		return cadre_err_set(err, CADRE_EINVAL, "%s: read failed or the file changed",
		                     path);
	}
	data[want] = '\0';
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)data, want);
	(void)sodium_bin2hex(f->sha256, sizeof f->sha256, h, sizeof h);
	f->path = xstrdup(path);
	f->data = data;
	f->len = want;
	return CADRE_OK;
}

void import_file_free(struct import_file *f)
{
	free(f->path);
	free(f->data);
	f->path = NULL;
	f->data = NULL;
	f->len = 0;
}

const char *import_csv_reason(const char *msg)
{
	if (strncmp(msg, "line ", 5) != 0)
		return msg;
	const char *c = strstr(msg, "column ");
	const char *r = c ? strstr(c, ": ") : NULL;
	return r ? r + 2 : msg;
}

const char *import_basename(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

bool import_result_add_month(struct import_result *r, int month)
{
	size_t i = 0;
	while (i < r->nmonths && r->months[i] < month)
		i++;
	if (i < r->nmonths && r->months[i] == month)
		return true;
	if (r->nmonths == IMPORT_MONTHS_MAX)
		return false;
	memmove(&r->months[i + 1], &r->months[i], (r->nmonths - i) * sizeof r->months[0]);
	r->months[i] = month;
	r->nmonths++;
	return true;
}

void import_problems_clear(struct import_problems *p)
{
	p->n = 0;
	p->more = 0;
}

void import_problem_add(struct import_problems *p, const char *file, long line, long col,
                        const char *fmt, ...)
{
	if (p->n >= IMPORT_PROBLEMS_CAP) {
		p->more++;
		return;
	}
	struct import_problem *pr = &p->v[p->n++];
	(void)snprintf(pr->file, sizeof pr->file, "%s", file);
	pr->line = line;
	pr->col = col;
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(pr->reason, sizeof pr->reason, fmt, ap);
	va_end(ap);
}

int64_t import_problems_total(const struct import_problems *p)
{
	return (int64_t)p->n + p->more;
}

void import_problem_format(const struct import_problem *pr, char *out, size_t n)
{
	if (pr->line && pr->col)
		(void)snprintf(out, n, "%s:%ld:%ld: %s", pr->file, pr->line, pr->col, pr->reason);
	else if (pr->line)
		(void)snprintf(out, n, "%s:%ld: %s", pr->file, pr->line, pr->reason);
	else
		(void)snprintf(out, n, "%s: %s", pr->file, pr->reason);
}

int import_problems_write(const struct import_problems *p, struct buf *out, struct cadre_err *err)
{
	char line[sizeof p->v[0].file + IMPORT_REASON_MAX + 64];
	for (size_t i = 0; i < p->n; i++) {
		import_problem_format(&p->v[i], line, sizeof line);
		int rc = buf_printf(out, err, "%s\n", line);
		if (rc != CADRE_OK)
			return rc;
	}
	if (p->more)
		return buf_printf(out, err, "and %" PRId64 " more\n", p->more);
	return CADRE_OK;
}

int import_problems_fail(const struct import_problems *p, struct cadre_err *err)
{
	int64_t total = import_problems_total(p);
	if (!total)
		return cadre_err_set(err, CADRE_EINVAL, "rejected");
	char first[sizeof p->v[0].file + IMPORT_REASON_MAX + 64];
	import_problem_format(&p->v[0], first, sizeof first);
	if (total == 1)
		return cadre_err_set(err, CADRE_EINVAL, "%s", first);
	return cadre_err_set(err, CADRE_EINVAL, "%" PRId64 " problems; the first: %s", total,
	                     first);
}

/* ---- published-statistics imports -------------------------------------- */

struct known_header {
	const char *header; /* the whole header, or a prefix ending in ',' */
	const char *what;
};

static const struct known_header known[] = {
    {"DATE,NHSE_REGION_CODE,NHSE_REGION_NAME,ICS_CODE,ICS_NAME,ORG_CODE,ORG_NAME,ORG_TYPE,"
     "FTE_DAYS_LOST,FTE_DAYS_AVAILABLE,SICKNESS_ABSENCE_RATE_PERCENT",
     "NHS Sickness Absence Rates (import it with `cadre import sickness`)"},
    {"Month,Organisation code,Organisation name,Staff group,Nationality,FTE",
     "HCHS staff in post by staff group, nationality and organisation (import it with "
     "`cadre import staff-in-post`)"},
    {"ODS code,Year,Organisation name,Benchmarking group,",
     "the NHS Staff Survey organisational results (Cadre does not import it here)"},
};

const char *import_publication_of(const struct csv_field *fl, size_t n)
{
	char got[4096];
	size_t used = 0;
	for (size_t i = 0; i < n && used < sizeof got; i++)
		used +=
		    (size_t)snprintf(got + used, sizeof got - used, "%s%s", i ? "," : "", fl[i].s);
	for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
		const char *h = known[k].header;
		size_t len = strlen(h);
		if (h[len - 1] == ',' ? strncmp(got, h, len) == 0 : strcmp(got, h) == 0)
			return known[k].what;
	}
	/* the ODS etr extract: 27 quoted fields, no header, a trust code first */
	if (n == 27 && fl[0].len >= 3 && fl[0].len <= 5)
		return "the ODS etr extract of NHS trusts (27 columns, no header line; Cadre ships "
		       "it "
		       "as data/ods/trusts.csv)";
	return NULL;
}

int import_record_file(const struct actor *actor, struct store *db, const char *kind,
                       const char *path, const char *sha256, int64_t rows, int64_t now_us,
                       int64_t *id, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_import_insert, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, kind);
	store_bind_str(st, 2, import_basename(path));
	store_bind_str(st, 3, sha256);
	store_bind_i64(st, 4, rows);
	store_bind_i64(st, 5, now_us);
	store_bind_str(st, 6, actor_label(actor));
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE ? cadre_err_set(err, CADRE_EINTERNAL, "no import id") : rc;
	*id = store_col_i64(st, 0);
	while ((rc = store_step(st, err)) == CADRE_OK) {
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

int import_audit(const struct actor *actor, struct store *db, const unsigned char *key,
                 const char *kind, const struct import_file *files, const int64_t *rows,
                 const int64_t *ids, size_t n, struct import_result *res, int64_t now_us,
                 struct cadre_err *err)
{
	json_t *jf = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(jf, json_pack("{s:s, s:s, s:I}", "file",
		                                    import_basename(files[i].path), "sha256",
		                                    files[i].sha256, "rows", (json_int_t)rows[i]));
	json_t *jm = json_array();
	for (size_t i = 0; i < res->nmonths; i++) {
		char mm[DATE_MONTH_SIZE];
		date_month_format(res->months[i], mm);
		json_array_append_new(jm, json_string(mm));
	}
	json_t *payload =
	    json_pack("{s:s, s:o, s:o, s:I, s:I, s:I}", "kind", kind, "files", jf, "months", jm,
	              "rows", (json_int_t)res->rows, "orgs_created", (json_int_t)res->orgs_created,
	              "rows_replaced", (json_int_t)res->rows_replaced);
	char action[AUDIT_ACTION_MAX];
	char object[AUDIT_OBJECT_MAX];
	(void)snprintf(action, sizeof action, "import.%s", kind);
	char a[DATE_MONTH_SIZE] = "", b[DATE_MONTH_SIZE] = "";
	if (res->nmonths) {
		date_month_format(res->months[0], a);
		date_month_format(res->months[res->nmonths - 1], b);
	}
	(void)snprintf(object, sizeof object, "%s:%s..%s", kind, a, b);
	struct audit_change ch = {
	    .at_us = now_us, .action = action, .object = object, .payload = payload};
	int rc = audit_append(actor, db, key, &ch, &res->audit_seq, err);
	json_decref(payload);
	for (size_t i = 0; i < n && rc == CADRE_OK; i++) {
		struct store_stmt *st;
		if ((rc = store_prepare(db, &q_import_seq, &st, err)) != CADRE_OK)
			break;
		store_bind_i64(st, 1, res->audit_seq);
		store_bind_i64(st, 2, ids[i]);
		rc = store_exec(st, err);
	}
	return rc;
}

int import_run(struct store *db, bool dry_run,
               int (*fn)(struct store *, void *, struct cadre_err *), void *arg,
               struct cadre_err *err)
{
	if (!dry_run)
		return store_tx_run(db, STORE_TX_WRITE, fn, arg, err);
	int rc = store_tx_begin(db, STORE_TX_WRITE, err);
	if (rc != CADRE_OK)
		return rc;
	rc = fn(db, arg, err);
	struct cadre_err e2;
	int rb = store_tx_rollback(db, &e2);
	if (rc == CADRE_OK && rb != CADRE_OK) {
		*err = e2;
		rc = rb;
	}
	return rc;
}

/* ---- the CSV loop ------------------------------------------------------------ */

int import_csv_walk(const char *path, size_t cap, struct import_file *f, struct import_problems *p,
                    import_header_fn on_header, import_row_fn on_row, void *ctx,
                    struct cadre_err *err)
{
	int rc = import_file_read(path, cap, f, err);
	if (rc != CADRE_OK) {
		/* the reason without the path import_file_read put in front */
		size_t pl = strlen(path);
		import_problem_add(p, path, 0, 0, "%s",
		                   strncmp(err->msg, path, pl) == 0 && err->msg[pl] == ':'
		                       ? err->msg + pl + 2
		                       : err->msg);
		return CADRE_OK;
	}
	struct csv_options copt;
	csv_options_init(&copt);
	struct csv_reader *r;
	if ((rc = csv_reader_open_mem(&r, f->data, f->len, &copt, err)) != CADRE_OK)
		return rc;
	bool header = true;
	size_t ncols = 0;
	while ((rc = csv_reader_next(r, err)) == CADRE_OK) {
		size_t n = csv_reader_count(r);
		const struct csv_field *fl = csv_reader_fields(r);
		long line = csv_reader_line(r);
		if (header) {
			header = false;
			if (!(ncols = on_header(ctx, fl, n, line)))
				break;
			continue;
		}
		if (n != ncols) {
			import_problem_add(p, path, line, fl[n - 1].col, "%zu fields, expected %zu",
			                   n, ncols);
			continue;
		}
		on_row(ctx, fl, n, line);
	}
	if (rc == CADRE_DONE && header)
		import_problem_add(p, path, 0, 0, "empty file: no header");
	if (rc != CADRE_OK && rc != CADRE_DONE) {
		long l = 0, c = 0;
		(void)csv_reader_error_pos(r, &l, &c);
		import_problem_add(p, path, l, c, "%s", import_csv_reason(err->msg));
	}
	csv_reader_free(r);
	return CADRE_OK;
}

bool import_header_expect(struct import_problems *p, const char *path, const struct csv_field *fl,
                          size_t n, long line, const char *const *cols, size_t ncols,
                          const char *what, const char *header)
{
	for (size_t i = 0; i < ncols; i++) {
		if (i >= n) {
			import_problem_add(p, path, line, fl[n - 1].col,
			                   "header differs from %s: %zu columns, expected %zu (%s)",
			                   what, n, ncols, header);
			return false;
		}
		if (strcmp(fl[i].s, cols[i]) != 0) {
			import_problem_add(
			    p, path, line, fl[i].col,
			    "header differs from %s: column %zu is '%s', expected '%s'", what,
			    i + 1, fl[i].s, cols[i]);
			return false;
		}
	}
	if (n == ncols)
		return true;
	import_problem_add(p, path, line, fl[ncols].col,
	                   "header differs from %s: %zu columns, expected %zu", what, n, ncols);
	return false;
}

int import_month_check(struct store *db, const struct store_sql *q_count,
                       const struct store_sql *q_delete, int month, bool replace, int64_t *held,
                       int64_t *replaced, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, q_count, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, month);
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE
		           ? cadre_err_set(err, CADRE_EINTERNAL, "%s: no row", q_count->name)
		           : rc;
	*held = store_col_i64(st, 0);
	store_reset(st);
	if (!*held || !replace)
		return CADRE_OK;
	if ((rc = store_prepare(db, q_delete, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, month);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	*replaced += store_changes(st);
	return CADRE_OK;
}
