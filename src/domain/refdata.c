/* refdata: the reference data loader (see refdata.h). */
#include "domain/refdata.h"

#include <dirent.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/date.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/num.h"
#include "domain/audit.h"
#include "domain/import.h"
#include "domain/orgstats.h"
#include "io/csv.h"
#include "store/store.h"

#define REF_FILE_CAP  ((size_t)16 * 1024 * 1024)
#define META_LINE_MAX 4096
#define MAX_COLS      32
#define MAX_LIST      64

/* ---- what is loaded --------------------------------------------------------- */

enum ref_apply {
	APPLY_TABLE = 0, /* rows into spec->table */
	APPLY_REGIONS,   /* nodes ENG, regions, QZZ and their edges */
	APPLY_ICBS,      /* ICB nodes under their regions */
	APPLY_TRUSTS,    /* trust nodes under their ICBs */
};

static const struct store_sql q_clear_staff_group = {"refdata_clear_staff_group",
                                                     "DELETE FROM staff_group", NULL};
static const struct store_sql q_clear_esr = {"refdata_clear_esr", "DELETE FROM esr_staff_group",
                                             NULL};
static const struct store_sql q_clear_occ = {"refdata_clear_occ", "DELETE FROM occupation_code",
                                             NULL};
static const struct store_sql q_clear_medical = {"refdata_clear_medical",
                                                 "DELETE FROM medical_grade", NULL};
static const struct store_sql q_clear_ethnic = {"refdata_clear_ethnic",
                                                "DELETE FROM ethnic_category", NULL};
static const struct store_sql q_clear_param = {"refdata_clear_param",
                                               "DELETE FROM workforce_parameter", NULL};
static const struct store_sql q_clear_band = {"refdata_clear_band", "DELETE FROM afc_band", NULL};
static const struct store_sql q_clear_pay = {"refdata_clear_pay", "DELETE FROM afc_pay", NULL};
static const struct store_sql q_clear_oncost = {"refdata_clear_oncost", "DELETE FROM on_cost",
                                                NULL};
static const struct store_sql q_clear_vsm = {"refdata_clear_vsm", "DELETE FROM vsm_pay", NULL};
static const struct store_sql q_clear_source = {"refdata_clear_source", "DELETE FROM ref_source",
                                                NULL};
static const struct store_sql q_clear_file = {"refdata_clear_file", "DELETE FROM ref_file", NULL};

static const struct store_sql q_file_insert = {
    .name = "refdata_file_insert",
    .sql = "INSERT INTO ref_file (path, sha256, title, publisher, licence, publication_date, "
           "coverage, rows_loaded, rows_secondary, rows_inferred, rows_gap, loaded_us) "
           "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
};

static const struct store_sql q_source_insert = {
    .name = "refdata_source_insert",
    .sql = "INSERT INTO ref_source (path, seq, source_key, citation) VALUES ($1, $2, $3, $4)",
};

/* ref_spec: one file, or a pattern of files in one folder ('*' once in the
 * file name), and where its rows go. */
struct ref_spec {
	const char *path;   /* relative to the data folder */
	const char *header; /* the exact header line */
	enum ref_apply apply;
	const char *table;             /* APPLY_TABLE */
	const struct store_sql *clear; /* APPLY_TABLE: empties the table */
	const char *file_column;       /* a column receiving the file's path */
	const char *decimal_cols;      /* columns read as decimals beyond the conventions */
	const char *as_of;             /* hierarchy: month observed; NULL: latest date inside */
};

/* The files, in load order (a file's `ref:` targets come before it).  The
 * observation months: regions.csv and icb.csv were built from the sickness
 * publication of April-December 2024, so they are observed from its first
 * month; trusts.csv is the ODS snapshot, observed at the latest date it
 * records (its sidecar says so). */
static const struct ref_spec specs[] = {
    {"ods/regions.csv", "code,name,kind,parent_code,notes", APPLY_REGIONS, NULL, NULL, NULL, NULL,
     "2024-04"},
    {"ods/icb.csv", "code,name,region_code,org_name", APPLY_ICBS, NULL, NULL, NULL, NULL,
     "2024-04"},
    {"ods/trusts.csv", "code,name,region_code,icb_code,postcode,open_date,close_date", APPLY_TRUSTS,
     NULL, NULL, NULL, NULL, NULL},
    {"workforce/staff-groups.csv", "code,name,parent_code,level,is_total,aliases,status",
     APPLY_TABLE, "staff_group", &q_clear_staff_group, NULL, NULL, NULL},
    {"workforce/esr-staff-groups.csv", "code,name,esr_label,status,notes", APPLY_TABLE,
     "esr_staff_group", &q_clear_esr, NULL, NULL, NULL},
    {"workforce/occupation-codes.csv", "code,rule,name,nhsd_staff_group_code,status,source,notes",
     APPLY_TABLE, "occupation_code", &q_clear_occ, NULL, NULL, NULL},
    {"workforce/medical-grades.csv", "code,name,nhsd_staff_group_code,job_role_codes,status,notes",
     APPLY_TABLE, "medical_grade", &q_clear_medical, NULL, NULL, NULL},
    {"workforce/ethnic-categories.csv", "code,description,broad_group,minority_ethnic,status,notes",
     APPLY_TABLE, "ethnic_category", &q_clear_ethnic, NULL, NULL, NULL},
    {"workforce/parameters.csv",
     "parameter,staff_group_code,period,value,unit,definition,source_ref,status,notes", APPLY_TABLE,
     "workforce_parameter", &q_clear_param, NULL, "value", NULL},
    {"pay/afc-bands.csv", "band,name,sort_order,open_to_new_entrants,status,notes", APPLY_TABLE,
     "afc_band", &q_clear_band, NULL, NULL, NULL},
    {"pay/afc-pay-*.csv", "financial_year,band,pay_point,annual_salary_pence,status,source",
     APPLY_TABLE, "afc_pay", &q_clear_pay, "file", NULL, NULL},
    {"pay/on-costs.csv",
     "financial_year,component,rate_percent,threshold_pence,allowance_pence,basis,paid_by,"
     "status,source,notes",
     APPLY_TABLE, "on_cost", &q_clear_oncost, NULL, NULL, NULL},
    {"pay/vsm.csv", "financial_year,item,value,unit,status,source,notes", APPLY_TABLE, "vsm_pay",
     &q_clear_vsm, NULL, NULL, NULL},
};

#define NSPECS (sizeof specs / sizeof specs[0])

/* ---- column types by name (docs/reference-data.md, "File format") ---------- */

enum ref_type {
	RT_TEXT = 0,
	RT_INT,
	RT_BOOL,
	RT_DATE,
	RT_DECIMAL,
	RT_PENCE,
	RT_FY,
	RT_STATUS,
	RT_SOURCE,
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

/* in_list: name is one of the comma-separated names in list. */
static bool in_list(const char *list, const char *name)
{
	if (!list)
		return false;
	size_t n = strlen(name);
	const char *p = list;
	while (*p) {
		size_t len = strcspn(p, ",");
		if (len == n && memcmp(p, name, n) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

static enum ref_type col_type(const struct ref_spec *s, const char *name)
{
	if (in_list(s->decimal_cols, name))
		return RT_DECIMAL;
	if (ends_with(name, "_date"))
		return RT_DATE;
	if (ends_with(name, "_pence"))
		return RT_PENCE;
	if (strncmp(name, "is_", 3) == 0 || strcmp(name, "open_to_new_entrants") == 0 ||
	    strcmp(name, "minority_ethnic") == 0)
		return RT_BOOL;
	if (strcmp(name, "level") == 0 || strcmp(name, "sort_order") == 0 ||
	    strcmp(name, "pay_point") == 0)
		return RT_INT;
	if (strcmp(name, "rate_percent") == 0)
		return RT_DECIMAL;
	if (strcmp(name, "financial_year") == 0)
		return RT_FY;
	if (strcmp(name, "status") == 0)
		return RT_STATUS;
	if (strcmp(name, "source") == 0 || strcmp(name, "source_ref") == 0)
		return RT_SOURCE;
	return RT_TEXT;
}

#define GAP_PREFIX "not available: "

/* ---- the sidecar ------------------------------------------------------------ */

struct meta_source {
	char *key; /* NULL when the line declares no key */
	char *citation;
};

struct meta_ref {
	char *column;
	char *file; /* relative to the data folder: "ods/regions.csv" */
	char *target;
	long line;
};

struct meta {
	char *path; /* FILE.csv.meta as shown in messages */
	char *title, *publisher, *licence, *attribution, *publication_date, *retrieved;
	char *coverage, *columns, *key, *required, *gap_columns;
	struct meta_source sources[MAX_LIST];
	size_t nsources;
	struct meta_ref refs[MAX_LIST];
	size_t nrefs;
	char *excluded[MAX_LIST];
	size_t nexcluded;
};

/* one loaded file */
struct ref_loaded {
	const struct ref_spec *spec;
	char rel[REFDATA_PATH_MAX];        /* "pay/afc-pay-2024-25.csv" */
	char source[REFDATA_PATH_MAX + 8]; /* "data/" + rel: the edges' source */
	char *path;                        /* dir + rel, for messages */
	struct import_file file;
	struct meta meta;
	size_t ncols;
	char *cols[MAX_COLS];
	enum ref_type types[MAX_COLS];
	bool required[MAX_COLS];
	bool gap[MAX_COLS];
	size_t nrows;
	char ***rows; /* [row][col], "" for empty */
	long *lines;
	long **colpos; /* [row][col] the field's column in its line */
	int64_t secondary, inferred, gaps;
	int64_t excluded_rows; /* rows left out (Welsh trusts) */
	int as_of;             /* hierarchy files: the observed month */
};

struct load {
	const struct actor *actor;
	struct store *db;
	const char *dir;
	const unsigned char *key;
	const struct clock *clk;
	struct arena a;
	struct ref_loaded files[REFDATA_MAX_FILES];
	size_t nfiles;
	struct refdata_report *rep;
};

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static int meta_set(char **slot, char *value, const char *path, long line, const char *key,
                    struct cadre_err *err)
{
	if (*slot)
		return cadre_err_set(err, CADRE_EINVAL, "%s:%ld: '%s' given twice", path, line,
		                     key);
	*slot = value;
	return CADRE_OK;
}

static int meta_ref_parse(struct load *L, struct meta *m, char *v, long line, struct cadre_err *err)
{
	/* column -> data/PATH.csv:column */
	char *arrow = strstr(v, "->");
	char *colon = arrow ? strrchr(arrow, ':') : NULL;
	if (!arrow || !colon || m->nrefs == MAX_LIST)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "%s:%ld: ref must read 'column -> data/PATH.csv:column'",
		                     m->path, line);
	*arrow = '\0';
	*colon = '\0';
	char *file = trim(arrow + 2);
	if (strncmp(file, "data/", 5) != 0)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "%s:%ld: ref target '%s' is not under data/", m->path, line,
		                     file);
	struct meta_ref *r = &m->refs[m->nrefs++];
	r->column = trim(v);
	r->file = file + 5;
	r->target = trim(colon + 1);
	r->line = line;
	(void)L;
	return CADRE_OK;
}

/* meta_parse: the sidecar's "key: value" lines into m (strings in L's
 * arena). */
static int meta_parse(struct load *L, const char *path, struct meta *m, struct cadre_err *err)
{
	memset(m, 0, sizeof *m);
	m->path = arena_strdup(&L->a, path);
	struct import_file f;
	int rc = import_file_read(path, (size_t)1024 * 1024, &f, err);
	if (rc == CADRE_ENOTFOUND)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "%s: missing: every reference file needs its sidecar", path);
	if (rc != CADRE_OK)
		return rc;
	char *text = arena_strndup(&L->a, f.data, f.len);
	import_file_free(&f);
	long line = 0;
	char *save = text;
	while (save && *save) {
		char *s = save;
		char *nl = strchr(s, '\n');
		if (nl) {
			*nl = '\0';
			save = nl + 1;
		} else {
			save = NULL;
		}
		line++;
		if (strlen(s) > META_LINE_MAX)
			return cadre_err_set(err, CADRE_EINVAL, "%s:%ld: line too long", path,
			                     line);
		char *t = trim(s);
		if (!*t || *t == '#')
			continue;
		char *colon = strstr(t, ": ");
		if (!colon)
			return cadre_err_set(err, CADRE_EINVAL, "%s:%ld: expected 'key: value'",
			                     path, line);
		*colon = '\0';
		const char *k = t;
		char *v = trim(colon + 2);
		if (!*v)
			return cadre_err_set(err, CADRE_EINVAL, "%s:%ld: '%s' has no value", path,
			                     line, k);
		if (strcmp(k, "title") == 0)
			rc = meta_set(&m->title, v, path, line, k, err);
		else if (strcmp(k, "publisher") == 0)
			rc = meta_set(&m->publisher, v, path, line, k, err);
		else if (strcmp(k, "licence") == 0)
			rc = meta_set(&m->licence, v, path, line, k, err);
		else if (strcmp(k, "attribution") == 0)
			rc = meta_set(&m->attribution, v, path, line, k, err);
		else if (strcmp(k, "publication_date") == 0)
			rc = meta_set(&m->publication_date, v, path, line, k, err);
		else if (strcmp(k, "retrieved") == 0)
			rc = meta_set(&m->retrieved, v, path, line, k, err);
		else if (strcmp(k, "coverage") == 0)
			rc = meta_set(&m->coverage, v, path, line, k, err);
		else if (strcmp(k, "columns") == 0)
			rc = meta_set(&m->columns, v, path, line, k, err);
		else if (strcmp(k, "key") == 0)
			rc = meta_set(&m->key, v, path, line, k, err);
		else if (strcmp(k, "required") == 0)
			rc = meta_set(&m->required, v, path, line, k, err);
		else if (strcmp(k, "gap_columns") == 0)
			rc = meta_set(&m->gap_columns, v, path, line, k, err);
		else if (strcmp(k, "source") == 0) {
			if (m->nsources == MAX_LIST)
				return cadre_err_set(err, CADRE_EINVAL, "%s:%ld: too many sources",
				                     path, line);
			struct meta_source *src = &m->sources[m->nsources++];
			char *eq = strstr(v, " = ");
			if (eq) {
				*eq = '\0';
				src->key = trim(v);
				src->citation = trim(eq + 3);
			} else {
				src->citation = v;
			}
		} else if (strcmp(k, "ref") == 0) {
			rc = meta_ref_parse(L, m, v, line, err);
		} else if (strcmp(k, "excluded") == 0) {
			if (m->nexcluded == MAX_LIST)
				return cadre_err_set(err, CADRE_EINVAL,
				                     "%s:%ld: too many exclusions", path, line);
			m->excluded[m->nexcluded++] = v;
		} else if (strcmp(k, "note") == 0) {
			/* free text for people */
		} else {
			return cadre_err_set(err, CADRE_EINVAL, "%s:%ld: unknown key '%s'", path,
			                     line, k);
		}
		if (rc != CADRE_OK)
			return rc;
	}
	struct {
		const char *name;
		const char *v;
	} need[] = {
	    {"title", m->title},
	    {"source", m->nsources ? "y" : NULL},
	    {"publisher", m->publisher},
	    {"licence", m->licence},
	    {"publication_date", m->publication_date},
	    {"retrieved", m->retrieved},
	    {"coverage", m->coverage},
	    {"columns", m->columns},
	    {"key", m->key},
	};
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
		if (!need[i].v)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "%s: the required key '%s' is missing", path,
			                     need[i].name);
	if (strstr(m->licence, "Open Government Licence") &&
	    (!m->attribution ||
	     !strstr(m->attribution, "Contains public sector information licensed under the Open "
	                             "Government Licence v3.0.")))
		return cadre_err_set(err, CADRE_EINVAL,
		                     "%s: an Open Government Licence file needs the attribution "
		                     "\"Contains public sector information licensed under the Open "
		                     "Government Licence v3.0.\"",
		                     path);
	return CADRE_OK;
}

/* ---- reading one file --------------------------------------------------------- */

static int col_index(const struct ref_loaded *f, const char *name)
{
	for (size_t i = 0; i < f->ncols; i++)
		if (strcmp(f->cols[i], name) == 0)
			return (int)i;
	return -1;
}

/* mark_list: set flags[i] for each column named in the comma-separated
 * list; a name that is not a column is an error at the sidecar. */
static int mark_list(const struct ref_loaded *f, const char *list, const char *what, bool *flags,
                     struct cadre_err *err)
{
	if (!list)
		return CADRE_OK;
	const char *p = list;
	while (*p) {
		size_t len = strcspn(p, ",");
		char name[64];
		if (len == 0 || len >= sizeof name)
			return cadre_err_set(err, CADRE_EINVAL, "%s: bad %s list", f->meta.path,
			                     what);
		memcpy(name, p, len);
		name[len] = '\0';
		int i = col_index(f, name);
		if (i < 0)
			return cadre_err_set(err, CADRE_EINVAL, "%s: %s names '%s', not a column",
			                     f->meta.path, what, name);
		flags[i] = true;
		p += len;
		if (*p == ',')
			p++;
	}
	return CADRE_OK;
}

static bool source_declared(const struct meta *m, const char *key, size_t len)
{
	for (size_t i = 0; i < m->nsources; i++)
		if (m->sources[i].key && strlen(m->sources[i].key) == len &&
		    memcmp(m->sources[i].key, key, len) == 0)
			return true;
	return false;
}

/* check_value: v (non-empty) has column c's form; on failure err holds
 * "FILE:LINE:COL: reason". */
static int check_value(const struct ref_loaded *f, size_t c, const char *v, long line, long col,
                       struct cadre_err *err)
{
	struct cadre_err e;
	size_t n = strlen(v);
	int rc = CADRE_OK;
	const char *form = "";
	switch (f->types[c]) {
	case RT_TEXT: return CADRE_OK;
	case RT_INT: {
		int64_t x;
		rc = num_parse_i64(v, n, &x, &e);
		form = "a whole number";
		break;
	}
	case RT_PENCE: {
		int64_t x;
		rc = num_parse_i64_range(v, n, 0, INT64_MAX, &x, &e);
		form = "a whole number of pence";
		break;
	}
	case RT_BOOL:
		rc = (strcmp(v, "0") == 0 || strcmp(v, "1") == 0) ? CADRE_OK : CADRE_EINVAL;
		form = "0 or 1";
		break;
	case RT_DATE: {
		struct date d;
		rc = date_parse_iso(v, n, &d, &e);
		form = "a date YYYY-MM-DD";
		break;
	}
	case RT_DECIMAL: {
		double x;
		rc = num_parse_double(v, n, &x, &e);
		form = "a decimal number";
		break;
	}
	case RT_FY: {
		int fy;
		rc = date_fy_parse(v, n, &fy, &e);
		form = "a financial year YYYY/YY";
		break;
	}
	case RT_STATUS:
		if (strcmp(v, "published") == 0 || strcmp(v, "secondary") == 0 ||
		    strcmp(v, "inferred") == 0 ||
		    (strncmp(v, GAP_PREFIX, strlen(GAP_PREFIX)) == 0 && n > strlen(GAP_PREFIX)))
			return CADRE_OK;
		rc = CADRE_EINVAL;
		form = "published, secondary, inferred or 'not available: REASON'";
		break;
	case RT_SOURCE: {
		const char *p = v;
		while (*p) {
			size_t len = strcspn(p, "|");
			if (!source_declared(&f->meta, p, len))
				return cadre_err_set(
				    err, CADRE_EINVAL,
				    "%s:%ld:%ld: %s '%.*s' is not a source declared in "
				    "the sidecar",
				    f->path, line, col, f->cols[c], (int)len, p);
			p += len;
			if (*p == '|')
				p++;
		}
		return CADRE_OK;
	}
	}
	if (rc == CADRE_OK)
		return CADRE_OK;
	return cadre_err_set(err, CADRE_EINVAL, "%s:%ld:%ld: %s '%s' is not %s", f->path, line, col,
	                     f->cols[c], v, form);
}

/* split_header: the comma-separated names of s into f->cols. */
static int split_header(struct load *L, struct ref_loaded *f, const char *s, struct cadre_err *err)
{
	f->ncols = 0;
	const char *p = s;
	for (;;) {
		size_t len = strcspn(p, ",");
		if (f->ncols == MAX_COLS)
			return cadre_err_set(err, CADRE_EINVAL, "%s: too many columns", f->path);
		f->cols[f->ncols++] = arena_strndup(&L->a, p, len);
		p += len;
		if (!*p)
			break;
		p++;
	}
	return CADRE_OK;
}

static int read_rows(struct load *L, struct ref_loaded *f, struct cadre_err *err)
{
	struct csv_options opt;
	csv_options_init(&opt);
	opt.skip_blank_lines = false;
	struct csv_reader *r;
	int rc = csv_reader_open_mem(&r, f->file.data, f->file.len, &opt, err);
	if (rc != CADRE_OK)
		return rc;
	size_t alloc = 0;
	bool header = true;
	while ((rc = csv_reader_next(r, err)) == CADRE_OK) {
		size_t n = csv_reader_count(r);
		const struct csv_field *fl = csv_reader_fields(r);
		long line = csv_reader_line(r);
		if (header) {
			header = false;
			char got[1024];
			size_t used = 0;
			for (size_t i = 0; i < n && used < sizeof got; i++)
				used += (size_t)snprintf(got + used, sizeof got - used, "%s%s",
				                         i ? "," : "", fl[i].s);
			if (strcmp(got, f->spec->header) != 0) {
				rc = cadre_err_set(err, CADRE_EINVAL,
				                   "%s:%ld:1: header '%s' is not the expected '%s'",
				                   f->path, line, got, f->spec->header);
				goto out;
			}
			continue;
		}
		if (n != f->ncols) {
			rc =
			    cadre_err_set(err, CADRE_EINVAL, "%s:%ld:%ld: %zu fields, expected %zu",
			                  f->path, line, fl[n - 1].col, n, f->ncols);
			goto out;
		}
		if (f->nrows == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			f->rows = xreallocarray(f->rows, alloc, sizeof *f->rows);
			f->lines = xreallocarray(f->lines, alloc, sizeof *f->lines);
			f->colpos = xreallocarray(f->colpos, alloc, sizeof *f->colpos);
		}
		char **row = arena_alloc(&L->a, n * sizeof *row);
		long *pos = arena_alloc(&L->a, n * sizeof *pos);
		for (size_t i = 0; i < n; i++) {
			row[i] = arena_strndup(&L->a, fl[i].s, fl[i].len);
			pos[i] = fl[i].col;
		}
		f->rows[f->nrows] = row;
		f->lines[f->nrows] = line;
		f->colpos[f->nrows] = pos;
		f->nrows++;
	}
	if (rc == CADRE_DONE) {
		rc =
		    header ? cadre_err_set(err, CADRE_EINVAL, "%s: empty file", f->path) : CADRE_OK;
	} else {
		long l = 0, c = 0;
		if (csv_reader_error_pos(r, &l, &c)) {
			char reason[CADRE_ERR_MSG_MAX];
			(void)snprintf(reason, sizeof reason, "%s", import_csv_reason(err->msg));
			rc = cadre_err_set(err, rc, "%s:%ld:%ld: %s", f->path, l, c, reason);
		} else {
			cadre_err_prefix(err, "%s", f->path);
		}
	}
out:
	csv_reader_free(r);
	return rc;
}

/* check_rows: required, forms, status and gaps, and key uniqueness. */
static int check_rows(struct ref_loaded *f, struct cadre_err *err)
{
	int status_col = col_index(f, "status");
	for (size_t i = 0; i < f->nrows; i++) {
		char **row = f->rows[i];
		long line = f->lines[i];
		bool gap_row = false;
		if (status_col >= 0) {
			const char *s = row[status_col];
			gap_row = strncmp(s, GAP_PREFIX, strlen(GAP_PREFIX)) == 0;
			f->secondary += strcmp(s, "secondary") == 0;
			f->inferred += strcmp(s, "inferred") == 0;
			f->gaps += gap_row;
		}
		for (size_t c = 0; c < f->ncols; c++) {
			long col = f->colpos[i][c];
			if (!*row[c]) {
				if (f->required[c])
					return cadre_err_set(err, CADRE_EINVAL,
					                     "%s:%ld:%ld: %s is required and empty",
					                     f->path, line, col, f->cols[c]);
				if (f->gap[c] && !gap_row)
					return cadre_err_set(
					    err, CADRE_EINVAL,
					    "%s:%ld:%ld: %s is empty but the status does not "
					    "say 'not available: ...'",
					    f->path, line, col, f->cols[c]);
				continue;
			}
			if (f->gap[c] && gap_row)
				return cadre_err_set(
				    err, CADRE_EINVAL,
				    "%s:%ld:%ld: %s holds a value on a row whose status "
				    "says it is not available",
				    f->path, line, col, f->cols[c]);
			int rc = check_value(f, c, row[c], line, col, err);
			if (rc != CADRE_OK)
				return rc;
		}
	}
	return CADRE_OK;
}

/* key_text: the row's key values joined by a unit separator into out. */
static void key_text(const struct ref_loaded *f, const bool *key, size_t r, char *out, size_t n)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t c = 0; c < f->ncols && used < n; c++)
		if (key[c])
			used += (size_t)snprintf(out + used, n - used, "%s\x1f", f->rows[r][c]);
}

/* check_keys: the key columns of the files that share one spec's table are
 * unique across all of them. */
static int check_keys(struct load *L, size_t from, size_t to, struct cadre_err *err)
{
	for (size_t a = from; a < to; a++) {
		struct ref_loaded *fa = &L->files[a];
		bool key[MAX_COLS] = {false};
		int rc = mark_list(fa, fa->meta.key, "key", key, err);
		if (rc != CADRE_OK)
			return rc;
		for (size_t i = 0; i < fa->nrows; i++) {
			char ki[2048], kj[2048];
			key_text(fa, key, i, ki, sizeof ki);
			for (size_t b = from; b <= a; b++) {
				struct ref_loaded *fb = &L->files[b];
				size_t lim = b == a ? i : fb->nrows;
				for (size_t j = 0; j < lim; j++) {
					key_text(fb, key, j, kj, sizeof kj);
					if (strcmp(ki, kj) == 0)
						return cadre_err_set(
						    err, CADRE_EINVAL,
						    "%s:%ld:1: duplicate key (%s) of %s:%ld",
						    fa->path, fa->lines[i], fa->meta.key, fb->path,
						    fb->lines[j]);
				}
			}
		}
	}
	return CADRE_OK;
}

static const struct ref_loaded *find_loaded(const struct load *L, const char *rel)
{
	for (size_t i = 0; i < L->nfiles; i++)
		if (strcmp(L->files[i].rel, rel) == 0)
			return &L->files[i];
	return NULL;
}

/* check_refs: every `ref:` value exists in its target column. */
static int check_refs(const struct load *L, const struct ref_loaded *f, struct cadre_err *err)
{
	for (size_t k = 0; k < f->meta.nrefs; k++) {
		const struct meta_ref *r = &f->meta.refs[k];
		int c = col_index(f, r->column);
		if (c < 0)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "%s:%ld: ref names '%s', not a column", f->meta.path,
			                     r->line, r->column);
		const struct ref_loaded *t = find_loaded(L, r->file);
		if (!t)
			return cadre_err_set(
			    err, CADRE_EINVAL,
			    "%s:%ld: ref target data/%s is not loaded before this file",
			    f->meta.path, r->line, r->file);
		int tc = col_index(t, r->target);
		if (tc < 0)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "%s:%ld: data/%s has no column '%s'", f->meta.path,
			                     r->line, r->file, r->target);
		for (size_t i = 0; i < f->nrows; i++) {
			const char *v = f->rows[i][c];
			if (!*v)
				continue;
			bool found = false;
			for (size_t j = 0; j < t->nrows && !found; j++)
				found = strcmp(t->rows[j][tc], v) == 0;
			if (!found)
				return cadre_err_set(err, CADRE_EINVAL,
				                     "%s:%ld:%ld: %s '%s' is not a %s in data/%s",
				                     f->path, f->lines[i], f->colpos[i][c],
				                     r->column, v, r->target, r->file);
		}
	}
	return CADRE_OK;
}

/* latest_date: the latest *_date value in f, as a month. */
static int latest_date(const struct ref_loaded *f)
{
	int best = 0;
	for (size_t c = 0; c < f->ncols; c++) {
		if (f->types[c] != RT_DATE)
			continue;
		for (size_t i = 0; i < f->nrows; i++) {
			struct date d;
			struct cadre_err e;
			const char *v = f->rows[i][c];
			if (*v && date_parse_iso(v, strlen(v), &d, &e) == CADRE_OK &&
			    date_month_of(d) > best)
				best = date_month_of(d);
		}
	}
	return best;
}

static void log_excluded(const struct ref_loaded *f, const char *what)
{
	struct log_line l;
	log_begin(&l, LOG_INFO, "refdata.excluded");
	log_str(&l, "file", f->rel);
	log_str(&l, "reason", what);
	log_end(&l);
}

/* exclude_welsh: drop (and log) trusts whose region code is Welsh (W..),
 * and log the sidecar's own exclusions: Cadre covers England. */
static void exclude_welsh(struct ref_loaded *f)
{
	for (size_t c = 0; c < f->meta.nexcluded; c++)
		log_excluded(f, f->meta.excluded[c]);
	size_t keep = 0;
	for (size_t i = 0; i < f->nrows; i++) {
		char **row = f->rows[i];
		if (row[2][0] == 'W') {
			char why[512];
			(void)snprintf(why, sizeof why,
			               "%s %s: Welsh organisation (region %s), line %ld", row[0],
			               row[1], row[2], f->lines[i]);
			log_excluded(f, why);
			f->excluded_rows++;
			continue;
		}
		f->rows[keep] = f->rows[i];
		f->lines[keep] = f->lines[i];
		f->colpos[keep] = f->colpos[i];
		keep++;
	}
	f->nrows = keep;
}

static int read_one(struct load *L, const struct ref_spec *spec, const char *rel,
                    struct cadre_err *err)
{
	if (L->nfiles == REFDATA_MAX_FILES)
		return cadre_err_set(err, CADRE_EINVAL, "%s: more than %d reference files", L->dir,
		                     REFDATA_MAX_FILES);
	struct ref_loaded *f = &L->files[L->nfiles++];
	memset(f, 0, sizeof *f);
	f->spec = spec;
	(void)snprintf(f->rel, sizeof f->rel, "%s", rel);
	(void)snprintf(f->source, sizeof f->source, "data/%s", rel);
	size_t n = strlen(L->dir) + strlen(rel) + 8;
	f->path = arena_alloc(&L->a, n);
	(void)snprintf(f->path, n, "%s/%s", L->dir, rel);
	int rc = import_file_read(f->path, REF_FILE_CAP, &f->file, err);
	if (rc != CADRE_OK)
		return rc;
	char *metapath = arena_alloc(&L->a, n + 8);
	(void)snprintf(metapath, n + 8, "%s.meta", f->path);
	if ((rc = meta_parse(L, metapath, &f->meta, err)) != CADRE_OK)
		return rc;
	if (strcmp(f->meta.columns, spec->header) != 0)
		return cadre_err_set(
		    err, CADRE_EINVAL,
		    "%s: columns '%s' are not the '%s' this version of Cadre loads", metapath,
		    f->meta.columns, spec->header);
	if ((rc = split_header(L, f, spec->header, err)) != CADRE_OK)
		return rc;
	for (size_t c = 0; c < f->ncols; c++)
		f->types[c] = col_type(spec, f->cols[c]);
	if ((rc = mark_list(f, f->meta.required, "required", f->required, err)) != CADRE_OK ||
	    (rc = mark_list(f, f->meta.gap_columns, "gap_columns", f->gap, err)) != CADRE_OK)
		return rc;
	if ((rc = read_rows(L, f, err)) != CADRE_OK)
		return rc;
	if (spec->apply == APPLY_TRUSTS)
		exclude_welsh(f);
	if ((rc = check_rows(f, err)) != CADRE_OK)
		return rc;
	if (spec->apply != APPLY_TABLE) {
		if (spec->as_of) {
			rc = date_month_parse(spec->as_of, strlen(spec->as_of), &f->as_of, err);
			if (rc != CADRE_OK)
				return rc;
		} else {
			f->as_of = latest_date(f);
			if (!f->as_of)
				return cadre_err_set(err, CADRE_EINVAL,
				                     "%s: no date to observe the snapshot at",
				                     f->path);
		}
	}
	return CADRE_OK;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* read_pattern: every file matching spec->path ('*' in the file name), in
 * name order. */
static int read_pattern(struct load *L, const struct ref_spec *spec, struct cadre_err *err)
{
	const char *slash = strrchr(spec->path, '/');
	const char *star = strchr(spec->path, '*');
	size_t dlen = (size_t)(slash - spec->path);
	char folder[REFDATA_PATH_MAX];
	(void)snprintf(folder, sizeof folder, "%s/%.*s", L->dir, (int)dlen, spec->path);
	const char *prefix = slash + 1;
	size_t plen = (size_t)(star - prefix);
	const char *suffix = star + 1;
	DIR *d = opendir(folder);
	if (!d)
		return cadre_err_set(err, CADRE_EINVAL, "%s: cannot open folder", folder);
	char *names[MAX_LIST];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		const char *nm = e->d_name;
		if (strncmp(nm, prefix, plen) == 0 && ends_with(nm, suffix) &&
		    strlen(nm) > plen + strlen(suffix) && n < MAX_LIST)
			names[n++] = arena_strdup(&L->a, nm);
	}
	(void)closedir(d);
	if (!n)
		return cadre_err_set(err, CADRE_EINVAL, "%s/%s: no file matches", L->dir,
		                     spec->path);
	qsort(names, n, sizeof names[0], name_cmp);
	for (size_t i = 0; i < n; i++) {
		char rel[REFDATA_PATH_MAX];
		(void)snprintf(rel, sizeof rel, "%.*s/%s", (int)dlen, spec->path, names[i]);
		int rc = read_one(L, spec, rel, err);
		if (rc != CADRE_OK)
			return rc;
		/* one financial year per file */
		struct ref_loaded *f = &L->files[L->nfiles - 1];
		int c = col_index(f, "financial_year");
		for (size_t r = 1; c >= 0 && r < f->nrows; r++)
			if (strcmp(f->rows[r][c], f->rows[0][c]) != 0)
				return cadre_err_set(
				    err, CADRE_EINVAL,
				    "%s:%ld:%ld: financial year %s in a file of %s: one "
				    "year per file",
				    f->path, f->lines[r], f->colpos[r][c], f->rows[r][c],
				    f->rows[0][c]);
	}
	return CADRE_OK;
}

/* read_all: read and check every file before anything is written. */
static int read_all(struct load *L, struct cadre_err *err)
{
	for (size_t s = 0; s < NSPECS; s++) {
		size_t from = L->nfiles;
		int rc = strchr(specs[s].path, '*') ? read_pattern(L, &specs[s], err)
		                                    : read_one(L, &specs[s], specs[s].path, err);
		if (rc != CADRE_OK)
			return rc;
		if ((rc = check_keys(L, from, L->nfiles, err)) != CADRE_OK)
			return rc;
		for (size_t i = from; i < L->nfiles; i++)
			if ((rc = check_refs(L, &L->files[i], err)) != CADRE_OK)
				return rc;
	}
	return CADRE_OK;
}

/* ---- writing ----------------------------------------------------------------------- */

static int org_from_row(struct load *L, const struct org_new *n, int64_t *id, struct cadre_err *err)
{
	bool created = false;
	int rc = org_put(L->actor, L->db, n, true, id, &created, err);
	if (rc != CADRE_OK)
		return rc;
	if (created)
		L->rep->orgs_created++;
	else
		L->rep->orgs_updated++;
	return CADRE_OK;
}

static int parent_id(struct load *L, const struct ref_loaded *f, size_t row, int col, int64_t *id,
                     struct cadre_err *err)
{
	struct org_node p;
	int rc = org_get(L->actor, L->db, f->rows[row][col], &p, err);
	if (rc == CADRE_ENOTFOUND)
		return cadre_err_set(err, CADRE_EINVAL, "%s:%ld:%ld: no organisation '%s'", f->path,
		                     f->lines[row], f->colpos[row][col], f->rows[row][col]);
	*id = p.id;
	return rc;
}

static int apply_hierarchy(struct load *L, struct ref_loaded *f, struct cadre_err *err)
{
	int rc = org_edges_clear(L->actor, L->db, f->source, 0, NULL, err);
	if (rc != CADRE_OK)
		return rc;
	int64_t *ids = xcalloc(f->nrows + 1, sizeof *ids);
	int pcol = f->spec->apply == APPLY_REGIONS ? 3 : f->spec->apply == APPLY_ICBS ? 2 : 3;
	/* the nodes first, so a parent later in the file is there for the edges */
	for (size_t i = 0; i < f->nrows && rc == CADRE_OK; i++) {
		char **row = f->rows[i];
		struct org_new n = {.code = row[0], .name = row[1], .source = f->source};
		if (!org_code_valid(row[0], strlen(row[0]))) {
			rc = cadre_err_set(
			    err, CADRE_EINVAL,
			    "%s:%ld:%ld: code '%s' is not 1-%d capital letters and digits", f->path,
			    f->lines[i], f->colpos[i][0], row[0], ORG_CODE_MAX - 1);
			break;
		}
		switch (f->spec->apply) {
		case APPLY_REGIONS:
			n.kind = row[2];
			if (strcmp(row[2], "nation") != 0 && strcmp(row[2], "region") != 0)
				rc = cadre_err_set(err, CADRE_EINVAL,
				                   "%s:%ld:%ld: kind '%s' is not nation or region",
				                   f->path, f->lines[i], f->colpos[i][2], row[2]);
			break;
		case APPLY_ICBS:
			n.kind = "icb";
			n.name = row[3];
			n.org_type = "Integrated Care Board";
			break;
		case APPLY_TRUSTS:
			n.kind = "trust";
			n.postcode = row[4];
			n.open_date = row[5];
			n.close_date = row[6];
			break;
		case APPLY_TABLE: break;
		}
		if (rc == CADRE_OK)
			rc = org_from_row(L, &n, &ids[i], err);
	}
	for (size_t i = 0; i < f->nrows && rc == CADRE_OK; i++) {
		int64_t pid = 0;
		if (!*f->rows[i][pcol])
			continue;
		if ((rc = parent_id(L, f, i, pcol, &pid, err)) != CADRE_OK)
			break;
		rc = org_edge_put(L->actor, L->db, ids[i], pid, ORG_EDGE_SNAPSHOT, f->as_of, 0,
		                  f->source, err);
		if (rc != CADRE_OK)
			cadre_err_prefix(err, "%s:%ld", f->path, f->lines[i]);
	}
	free(ids);
	return rc;
}

static int apply_table(struct load *L, const struct ref_loaded *f, struct cadre_err *err)
{
	const char *cols[MAX_COLS + 1];
	size_t n = f->ncols;
	for (size_t c = 0; c < n; c++)
		cols[c] = f->cols[c];
	if (f->spec->file_column)
		cols[n++] = f->spec->file_column;
	int rc = store_bulk_begin(L->db, f->spec->table, cols, (int)n, err);
	if (rc != CADRE_OK)
		return rc;
	for (size_t i = 0; i < f->nrows; i++) {
		struct store_value v[MAX_COLS + 1];
		for (size_t c = 0; c < f->ncols; c++) {
			const char *s = f->rows[i][c];
			size_t len = strlen(s);
			struct cadre_err e;
			if (!len) {
				v[c] = STORE_V_NULL;
				continue;
			}
			switch (f->types[c]) {
			case RT_INT:
			case RT_PENCE: {
				int64_t x = 0;
				(void)num_parse_i64(s, len, &x, &e);
				v[c] = STORE_V_I64(x);
				break;
			}
			case RT_BOOL: v[c] = STORE_V_I64(s[0] == '1'); break;
			case RT_DECIMAL: {
				double x = 0;
				(void)num_parse_double(s, len, &x, &e);
				v[c] = STORE_V_DOUBLE(x);
				break;
			}
			default: v[c] = STORE_V_TEXT(s, len); break;
			}
		}
		if (f->spec->file_column)
			v[f->ncols] = STORE_V_TEXT(f->rel, strlen(f->rel));
		if ((rc = store_bulk_row(L->db, v, err)) != CADRE_OK) {
			cadre_err_prefix(err, "%s:%ld", f->path, f->lines[i]);
			return rc;
		}
	}
	rc = store_bulk_end(L->db, NULL, err);
	if (rc != CADRE_OK)
		cadre_err_prefix(err, "%s", f->path);
	return rc;
}

static int record_file(struct load *L, const struct ref_loaded *f, int64_t now,
                       struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(L->db, &q_file_insert, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, f->rel);
	store_bind_str(st, 2, f->file.sha256);
	store_bind_str(st, 3, f->meta.title);
	store_bind_str(st, 4, f->meta.publisher);
	store_bind_str(st, 5, f->meta.licence);
	store_bind_str(st, 6, f->meta.publication_date);
	store_bind_str(st, 7, f->meta.coverage);
	store_bind_i64(st, 8, (int64_t)f->nrows);
	store_bind_i64(st, 9, f->secondary);
	store_bind_i64(st, 10, f->inferred);
	store_bind_i64(st, 11, f->gaps);
	store_bind_i64(st, 12, now);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	for (size_t i = 0; i < f->meta.nsources; i++) {
		if ((rc = store_prepare(L->db, &q_source_insert, &st, err)) != CADRE_OK)
			return rc;
		store_bind_str(st, 1, f->rel);
		store_bind_i64(st, 2, (int64_t)i + 1);
		if (f->meta.sources[i].key)
			store_bind_str(st, 3, f->meta.sources[i].key);
		else
			store_bind_null(st, 3);
		store_bind_str(st, 4, f->meta.sources[i].citation);
		if ((rc = store_exec(st, err)) != CADRE_OK)
			return rc;
	}
	return CADRE_OK;
}

static int audit_load(struct load *L, int64_t now, struct cadre_err *err)
{
	json_t *files = json_array();
	for (size_t i = 0; i < L->nfiles; i++) {
		const struct ref_loaded *f = &L->files[i];
		json_array_append_new(files,
		                      json_pack("{s:s, s:s, s:I}", "path", f->rel, "sha256",
		                                f->file.sha256, "rows", (json_int_t)f->nrows));
	}
	json_t *payload = json_pack("{s:o, s:I, s:I}", "files", files, "orgs_created",
	                            (json_int_t)L->rep->orgs_created, "orgs_updated",
	                            (json_int_t)L->rep->orgs_updated);
	struct audit_change ch = {
	    .at_us = now, .action = "refdata.load", .object = "refdata", .payload = payload};
	int rc = audit_append(L->actor, L->db, L->key, &ch, &L->rep->audit_seq, err);
	json_decref(payload);
	return rc;
}

/* load_tx: everything written, inside one write transaction (may be run
 * again by store_tx_run after a busy answer). */
static int load_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct load *L = arg;
	struct refdata_report *rep = L->rep;
	rep->orgs_created = rep->orgs_updated = 0;
	rep->audit_seq = 0;
	int64_t now = clock_now(L->clk);
	struct store_stmt *st;
	int rc;
	/* empty the tables, dependants first */
	for (size_t s = NSPECS; s-- > 0;) {
		if (!specs[s].clear)
			continue;
		if ((rc = store_prepare(db, specs[s].clear, &st, err)) != CADRE_OK ||
		    (rc = store_exec(st, err)) != CADRE_OK)
			return rc;
	}
	if ((rc = store_prepare(db, &q_clear_source, &st, err)) != CADRE_OK ||
	    (rc = store_exec(st, err)) != CADRE_OK ||
	    (rc = store_prepare(db, &q_clear_file, &st, err)) != CADRE_OK ||
	    (rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	for (size_t i = 0; i < L->nfiles; i++) {
		struct ref_loaded *f = &L->files[i];
		rc = f->spec->apply == APPLY_TABLE ? apply_table(L, f, err)
		                                   : apply_hierarchy(L, f, err);
		if (rc != CADRE_OK)
			return rc;
		if ((rc = record_file(L, f, now, err)) != CADRE_OK)
			return rc;
	}
	if ((rc = org_hierarchy_rebuild(L->actor, db, L->clk, &rep->rebuild, err)) != CADRE_OK)
		return rc;
	/* the rebuild made the per-node statistics stale: recompute them in
	 * the same transaction, so no page sees stale figures */
	if ((rc = orgstats_refresh_all(L->actor, db, L->clk, err)) != CADRE_OK)
		return rc;
	if (L->key && (rc = audit_load(L, now, err)) != CADRE_OK)
		return rc;
	return CADRE_OK;
}

static void log_quality(const struct ref_loaded *f)
{
	struct log_line l;
	if (f->secondary) {
		log_begin(&l, LOG_WARN, "refdata.secondary");
		log_str(&l, "file", f->rel);
		log_int(&l, "rows", f->secondary);
		log_str(&l, "meaning", "values read in a secondary publication, not the original");
		log_end(&l);
	}
	if (f->inferred) {
		log_begin(&l, LOG_INFO, "refdata.inferred");
		log_str(&l, "file", f->rel);
		log_int(&l, "rows", f->inferred);
		log_str(&l, "meaning", "inferred defaults a deployment must confirm");
		log_end(&l);
	}
}

int refdata_load(const struct actor *actor, struct store *db, const char *dir,
                 const unsigned char *key, const struct clock *clk, struct refdata_report *rep,
                 struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!actor_is_system(actor))
		return cadre_err_set(err, CADRE_EPERM, "only the system loads reference data");
	struct refdata_report local;
	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof *rep);
	struct load *L = xcalloc(1, sizeof *L);
	L->actor = actor;
	L->db = db;
	L->dir = dir;
	L->key = key;
	L->clk = clk;
	L->rep = rep;
	arena_init(&L->a, 0);
	if ((rc = read_all(L, err)) != CADRE_OK)
		goto out;
	if ((rc = store_tx_run(db, STORE_TX_WRITE, load_tx, L, err)) != CADRE_OK)
		goto out;
	for (size_t i = 0; i < L->nfiles; i++) {
		const struct ref_loaded *f = &L->files[i];
		log_quality(f);
		struct refdata_file_report *fr = &rep->files[rep->nfiles++];
		(void)snprintf(fr->path, sizeof fr->path, "%s", f->rel);
		memcpy(fr->sha256, f->file.sha256, sizeof fr->sha256);
		fr->rows = (int64_t)f->nrows;
		fr->secondary = f->secondary;
		fr->inferred = f->inferred;
		fr->gaps = f->gaps;
		fr->excluded = f->excluded_rows + (int64_t)f->meta.nexcluded;
	}
out:
	for (size_t i = 0; i < L->nfiles; i++) {
		import_file_free(&L->files[i].file);
		free(L->files[i].rows);
		free(L->files[i].lines);
		free(L->files[i].colpos);
	}
	arena_free(&L->a);
	free(L);
	return rc;
}

/* ---- finding the folder ---------------------------------------------------------------- */

static bool holds_refdata(const char *dir)
{
	char p[2 * REFDATA_PATH_MAX + 64];
	(void)snprintf(p, sizeof p, "%s/ods/regions.csv", dir);
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

int refdata_find_dir(char *out, size_t n, struct cadre_err *err)
{
	const char *env = getenv("CADRE_DATA_DIR");
	if (env && *env) {
		if (!holds_refdata(env))
			return cadre_err_set(err, CADRE_ENOTFOUND,
			                     "CADRE_DATA_DIR '%s' holds no ods/regions.csv", env);
		(void)snprintf(out, n, "%s", env);
		return CADRE_OK;
	}
	if (holds_refdata("data")) {
		(void)snprintf(out, n, "data");
		return CADRE_OK;
	}
	char exe[REFDATA_PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (len > 0) {
		exe[len] = '\0';
		/* the source tree above a build folder (build/cadre,
		 * build-san/tests/unit/test_x), or an install prefix */
		char *slash;
		for (int up = 0; up < 4 && (slash = strrchr(exe, '/')) != NULL; up++) {
			*slash = '\0';
			const char *tries[] = {"data", "share/cadre/data"};
			for (size_t i = 0; i < 2; i++) {
				char cand[REFDATA_PATH_MAX + 64];
				(void)snprintf(cand, sizeof cand, "%s/%s", exe, tries[i]);
				if (holds_refdata(cand)) {
					(void)snprintf(out, n, "%s", cand);
					return CADRE_OK;
				}
			}
		}
	}
	return cadre_err_set(err, CADRE_ENOTFOUND,
	                     "reference data not found: set CADRE_DATA_DIR to the folder holding "
	                     "ods/regions.csv, then run `cadre refdata load`");
}
