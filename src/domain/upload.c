/* upload: imports from the browser and the API (see upload.h). */
#include "domain/upload.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/utf8.h"
#include "domain/audit.h"
#include "domain/establishment.h"
#include "domain/import.h"
#include "domain/people.h"
#include "domain/policy.h"
#include "domain/sickness.h"
#include "domain/staff_in_post.h"
#include "domain/tempstaff.h"
#include "domain/wards.h"
#include "io/csv.h"
#include "store/store.h"

/* raw bytes per stored chunk (base64 makes it a third larger) */
#define CHUNK_RAW ((size_t)192 * 1024)

/* the temporary-staffing header (establishment.c keeps its own copy
 * private; tests/unit/test_domain_upload.c checks a good file of each
 * kind validates, so the two cannot drift apart unnoticed) */
#define TEMPORARY_STAFFING_HEADER                                                                  \
	"org_code,cost_centre_code,month,staff_group,grade,staffing_type,framework,hours,shifts,"  \
	"spend_gbp"

static const struct upload_kind kinds[] = {
    {"staff", "Staff extract (ESR-style, one row per assignment)", PEOPLE_HEADER, 5, false,
     "docs/formats.md section A"},
    {"establishment", "Funded establishment (finance ledger)", ESTABLISHMENT_HEADER, 0, false,
     "docs/formats.md section B"},
    {"temporary-staffing", "Temporary staffing (bank, agency, overtime, locum)",
     TEMPORARY_STAFFING_HEADER, 0, false, "docs/formats.md section C"},
    {"cost-centres", "Cost-centre map (cost centres to wards and teams)", WARDS_HEADER, 0, false,
     "docs/formats.md section D"},
    {"sickness", "NHS Sickness Absence Rates (national publication)", SICKNESS_HEADER, -1, true,
     "docs/formats.md, published statistics"},
    {"staff-in-post", "HCHS staff in post (national publication)", SIP_HEADER, -1, true,
     "docs/formats.md, published statistics"},
};

#define NKINDS (sizeof kinds / sizeof kinds[0])

const struct upload_kind *upload_kinds(size_t *n)
{
	*n = NKINDS;
	return kinds;
}

const struct upload_kind *upload_kind_find(const char *id)
{
	for (size_t i = 0; id && i < NKINDS; i++)
		if (strcmp(kinds[i].id, id) == 0)
			return &kinds[i];
	return NULL;
}

static const char *const state_names[] = {
    [UPLOAD_QUEUED] = "queued",         [UPLOAD_VALIDATING] = "validating",
    [UPLOAD_VALID] = "valid",           [UPLOAD_INVALID] = "invalid",
    [UPLOAD_COMMITTING] = "committing", [UPLOAD_COMMITTED] = "committed",
    [UPLOAD_DISCARDED] = "discarded",   [UPLOAD_EXPIRED] = "expired",
};

const char *upload_state_name(enum upload_state s)
{
	if (s < UPLOAD_QUEUED || s > UPLOAD_EXPIRED)
		return "?";
	return state_names[s];
}

static enum upload_state state_parse(const char *s)
{
	for (int i = UPLOAD_QUEUED; i <= UPLOAD_EXPIRED; i++)
		if (strcmp(state_names[i], s) == 0)
			return (enum upload_state)i;
	return UPLOAD_INVALID;
}

/* ---- statements --------------------------------------------------------------- */

#define UPLOAD_COLS                                                                                \
	"u.id, u.kind, u.file_name, u.size_bytes, u.sha256, u.org_id, COALESCE(o.code, ''), "      \
	"COALESCE(o.name, ''), u.owner_id, u.owner_label, COALESCE(a.name, u.owner_label), "       \
	"u.state, COALESCE(u.job_id, 0), u.rows_read, u.problems, u.message, u.created_us, "       \
	"u.expires_us, COALESCE(u.validated_us, 0), COALESCE(u.committed_us, 0), "                 \
	"COALESCE(u.committed_by, ''), COALESCE(u.audit_seq, 0), COALESCE(j.progress_done, 0), "   \
	"COALESCE(j.progress_total, 0), COALESCE(j.state, '') FROM upload u LEFT JOIN org o ON "   \
	"o.id = u.org_id "                                                                         \
	"LEFT JOIN account a ON a.id = u.owner_id LEFT JOIN job j ON j.id = u.job_id"

static const struct store_sql q_get = {
    .name = "upload_get",
    .sql = "SELECT " UPLOAD_COLS " WHERE u.id = $1",
};

static const struct store_sql q_page = {
    .name = "upload_page",
    .sql = "SELECT " UPLOAD_COLS " WHERE u.id < $1 ORDER BY u.id DESC LIMIT $2",
};

static const struct store_sql q_org_of = {
    .name = "upload_org_of",
    .sql = "SELECT org_id FROM upload WHERE id = $1",
};

static const struct store_sql q_next_id = {
    .name = "upload_next_id",
    .sql = "SELECT COALESCE(MAX(id), 0) + 1 FROM upload",
};

static const struct store_sql q_insert = {
    .name = "upload_insert",
    .sql = "INSERT INTO upload (id, kind, file_name, size_bytes, sha256, org_id, owner_id, "
           "owner_label, state, created_us, expires_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
           "'queued', $9, $10)",
};

static const struct store_sql q_set_job = {
    .name = "upload_set_job",
    .sql = "UPDATE upload SET job_id = $2 WHERE id = $1",
};

static const struct store_sql q_chunk_insert = {
    .name = "upload_chunk_insert",
    .sql = "INSERT INTO upload_chunk (upload_id, seq, data) VALUES ($1, $2, $3)",
};

static const struct store_sql q_chunks = {
    .name = "upload_chunks",
    .sql = "SELECT data FROM upload_chunk WHERE upload_id = $1 ORDER BY seq",
};

static const struct store_sql q_chunks_delete = {
    .name = "upload_chunks_delete",
    .sql = "DELETE FROM upload_chunk WHERE upload_id = $1",
};

static const struct store_sql q_cas = {
    .name = "upload_cas",
    .sql = "UPDATE upload SET state = $3 WHERE id = $1 AND state = $2",
};

static const struct store_sql q_commit_req = {
    .name = "upload_commit_req",
    .sql = "UPDATE upload SET state = 'committing', committed_by = $2, message = '' "
           "WHERE id = $1 AND expires_us > $3 AND (state = 'valid' OR (state = 'committing' "
           "AND job_id IN (SELECT id FROM job WHERE state IN ('interrupted', 'failed'))))",
};

static const struct store_sql q_validated = {
    .name = "upload_validated",
    .sql = "UPDATE upload SET state = $2, rows_read = $3, problems = $4, message = $5, "
           "validated_us = $6 WHERE id = $1",
};

static const struct store_sql q_committed = {
    .name = "upload_committed",
    .sql = "UPDATE upload SET state = 'committed', rows_read = $2, message = $3, "
           "committed_us = $4, audit_seq = $5 WHERE id = $1 AND state = 'committing'",
};

static const struct store_sql q_refused = {
    .name = "upload_refused",
    .sql = "UPDATE upload SET state = $2, problems = $3, message = $4, committed_by = NULL "
           "WHERE id = $1 AND state = 'committing'",
};

static const struct store_sql q_problems_delete = {
    .name = "upload_problems_delete",
    .sql = "DELETE FROM upload_problem WHERE upload_id = $1",
};

static const struct store_sql q_problem_insert = {
    .name = "upload_problem_insert",
    .sql = "INSERT INTO upload_problem (upload_id, seq, line, col, reason) VALUES ($1, $2, $3, "
           "$4, $5)",
};

static const struct store_sql q_problems = {
    .name = "upload_problems",
    .sql = "SELECT seq, line, col, reason FROM upload_problem WHERE upload_id = $1 AND seq > $2 "
           "ORDER BY seq LIMIT $3",
};

static const struct store_sql q_due = {
    .name = "upload_due",
    .sql = "SELECT id FROM upload WHERE state IN ('queued', 'validating', 'valid', 'invalid') "
           "AND expires_us <= $1 ORDER BY id",
};

static const struct store_sql q_expire = {
    .name = "upload_expire",
    .sql = "UPDATE upload SET state = 'expired' WHERE id = $1 AND state IN ('queued', "
           "'validating', 'valid', 'invalid') AND expires_us <= $2",
};

/* ---- reading -------------------------------------------------------------------- */

static void read_upload(struct store_stmt *st, struct upload *u)
{
	memset(u, 0, sizeof *u);
	u->id = store_col_i64(st, 0);
	(void)snprintf(u->kind, sizeof u->kind, "%s", store_col_text(st, 1));
	(void)snprintf(u->file_name, sizeof u->file_name, "%s", store_col_text(st, 2));
	u->size = store_col_i64(st, 3);
	(void)snprintf(u->sha256, sizeof u->sha256, "%s", store_col_text(st, 4));
	u->org_id = store_col_i64(st, 5);
	(void)snprintf(u->org_code, sizeof u->org_code, "%s", store_col_text(st, 6));
	(void)snprintf(u->org_name, sizeof u->org_name, "%s", store_col_text(st, 7));
	u->owner_id = store_col_i64(st, 8);
	(void)snprintf(u->owner_label, sizeof u->owner_label, "%s", store_col_text(st, 9));
	(void)snprintf(u->owner_name, sizeof u->owner_name, "%s", store_col_text(st, 10));
	u->state = state_parse(store_col_text(st, 11));
	u->job_id = store_col_i64(st, 12);
	u->rows = store_col_i64(st, 13);
	u->problems = store_col_i64(st, 14);
	(void)snprintf(u->message, sizeof u->message, "%s", store_col_text(st, 15));
	u->created_us = store_col_i64(st, 16);
	u->expires_us = store_col_i64(st, 17);
	u->validated_us = store_col_i64(st, 18);
	u->committed_us = store_col_i64(st, 19);
	(void)snprintf(u->committed_by, sizeof u->committed_by, "%s", store_col_text(st, 20));
	u->audit_seq = store_col_i64(st, 21);
	u->progress_done = store_col_i64(st, 22);
	u->progress_total = store_col_i64(st, 23);
	const char *js = store_col_text(st, 24);
	bool lost = strcmp(js, "interrupted") == 0 || strcmp(js, "failed") == 0;
	if (lost && (u->state == UPLOAD_QUEUED || u->state == UPLOAD_VALIDATING)) {
		u->state = UPLOAD_INVALID;
		(void)snprintf(u->message, sizeof u->message,
		               "Checking the file was interrupted; upload it again.");
	}
	if (lost && u->state == UPLOAD_COMMITTING) {
		/* its transaction rolled back with the worker: commit again */
		u->state = UPLOAD_VALID;
		(void)snprintf(
		    u->message, sizeof u->message,
		    "The commit was interrupted and nothing was imported; commit again.");
	}
}

/* as_seen: an upload past its expiry reads as expired before the sweep. */
static void as_seen(struct upload *u, int64_t now)
{
	if (u->expires_us <= now && (u->state == UPLOAD_QUEUED || u->state == UPLOAD_VALIDATING ||
	                             u->state == UPLOAD_VALID || u->state == UPLOAD_INVALID))
		u->state = UPLOAD_EXPIRED;
}

static int get_row(struct store *db, int64_t id, struct upload *out, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_get, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such upload");
	if (rc != CADRE_OK)
		return rc;
	read_upload(st, out);
	store_reset(st);
	return CADRE_OK;
}

/* may_see: imports.run over the upload's organisation; outside it, the
 * same "no such upload" as for one that does not exist. */
static int may_see(const struct actor *actor, struct store *db, int64_t org_id,
                   struct cadre_err *err)
{
	if (actor_is_system(actor))
		return CADRE_OK;
	int rc = policy_check(actor, db, UPLOAD_PERMISSION, org_id, err);
	if (rc == CADRE_ENOTFOUND)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such upload");
	return rc;
}

int upload_org_of(struct store *db, int64_t id, int64_t *org_id, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_org_of, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such upload");
	if (rc != CADRE_OK)
		return rc;
	*org_id = store_col_i64(st, 0);
	store_reset(st);
	return CADRE_OK;
}

int upload_get(const struct actor *actor, struct store *db, int64_t id, const struct clock *clk,
               struct upload *out, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = get_row(db, id, out, err);
	if (rc == CADRE_OK)
		rc = may_see(actor, db, out->org_id, err);
	if (rc == CADRE_OK)
		as_seen(out, clock_now(clk));
	return rc;
}

int upload_list(const struct actor *actor, struct store *db, int64_t before, size_t limit,
                const struct clock *clk, upload_fn fn, void *arg, bool *more, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (more)
		*more = false;
	if (limit == 0)
		return CADRE_OK;
	int64_t now = clock_now(clk);
	int64_t cursor = before > 0 ? before : INT64_MAX;
	size_t given = 0;
	/* read in pages and keep those in scope, until limit + 1 are seen */
	struct upload *page = xcalloc(100, sizeof *page);
	for (;;) {
		struct store_stmt *st;
		if ((rc = store_prepare(db, &q_page, &st, err)) != CADRE_OK)
			goto out;
		store_bind_i64(st, 1, cursor);
		store_bind_i64(st, 2, 100);
		size_t n = 0;
		while ((rc = store_step(st, err)) == CADRE_OK)
			read_upload(st, &page[n++]);
		store_reset(st);
		if (rc != CADRE_DONE)
			goto out;
		rc = CADRE_OK;
		for (size_t i = 0; i < n; i++) {
			cursor = page[i].id;
			struct cadre_err e;
			int vis = may_see(actor, db, page[i].org_id, &e);
			if (vis == CADRE_ENOTFOUND || vis == CADRE_EPERM)
				continue;
			if (vis != CADRE_OK) {
				rc = vis;
				*err = e;
				goto out;
			}
			if (given == limit) {
				if (more)
					*more = true;
				goto out;
			}
			as_seen(&page[i], now);
			if ((rc = fn(&page[i], arg, err)) != CADRE_OK)
				goto out;
			given++;
		}
		if (n < 100)
			break;
	}
out:
	free(page);
	return rc;
}

int upload_problems(const struct actor *actor, struct store *db, int64_t id, int64_t after,
                    size_t limit, upload_problem_fn fn, void *arg, bool *more,
                    struct cadre_err *err)
{
	struct upload u;
	int rc = upload_get(actor, db, id, NULL, &u, err);
	if (rc != CADRE_OK)
		return rc;
	if (more)
		*more = false;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_problems, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	store_bind_i64(st, 2, after);
	store_bind_i64(st, 3, (int64_t)limit + 1);
	size_t n = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (n == limit) {
			if (more)
				*more = true;
			continue;
		}
		struct upload_problem p = {.seq = store_col_i64(st, 0),
		                           .line = store_col_i64(st, 1),
		                           .col = store_col_i64(st, 2)};
		(void)snprintf(p.reason, sizeof p.reason, "%s", store_col_text(st, 3));
		n++;
		if ((rc = fn(&p, arg, err)) != CADRE_OK)
			break;
	}
	store_reset(st);
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

/* ---- the synchronous checks ----------------------------------------------------- */

/* line_col: the line and column (in characters) of byte off in data. */
static void line_col(const char *data, size_t off, long *line, long *col)
{
	long l = 1;
	size_t start = 0;
	for (size_t i = 0; i < off; i++)
		if (data[i] == '\n') {
			l++;
			start = i + 1;
		}
	*line = l;
	*col = (long)utf8_columns(data + start, off - start) + 1;
}

/* header_fields: split the first line of data (after a byte-order mark)
 * at commas into out (at most max); returns the count.  Header names hold
 * no quotes or commas, so a plain split is enough to compare them. */
static size_t header_fields(const char *data, size_t len, char out[][64], size_t max)
{
	size_t i = 0;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	size_t n = 0, k = 0;
	if (max == 0)
		return 0;
	out[0][0] = '\0';
	for (; i < len && data[i] != '\n'; i++) {
		char c = data[i];
		if (c == '\r')
			continue;
		if (c == ',') {
			if (n + 1 >= max)
				return n + 1;
			out[++n][0] = '\0';
			k = 0;
			continue;
		}
		if (k + 1 < 64) {
			out[n][k++] = c;
			out[n][k] = '\0';
		}
	}
	return n + 1;
}

/* header_is: do the fields equal the comma-separated header h? */
static bool header_is(char fields[][64], size_t n, const char *h, size_t *bad)
{
	size_t i = 0;
	const char *p = h;
	while (*p) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (i >= n || strlen(fields[i]) != len || memcmp(fields[i], p, len) != 0) {
			*bad = i;
			return false;
		}
		i++;
		p = c ? c + 1 : p + len;
	}
	*bad = i;
	return i == n;
}

/* header_name: column i of header h into out. */
static void header_name(const char *h, size_t i, char *out, size_t n)
{
	const char *p = h;
	for (size_t k = 0; k < i && p; k++) {
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (!p) {
		(void)snprintf(out, n, "(none)");
		return;
	}
	const char *c = strchr(p, ',');
	(void)snprintf(out, n, "%.*s", (int)(c ? (size_t)(c - p) : strlen(p)), p);
}

int upload_check(const struct upload_kind *k, const char *data, size_t len, struct cadre_err *err)
{
	if (len == 0)
		return cadre_err_set(err, CADRE_EINVAL, "The file is empty.");
	static const struct {
		const char *magic;
		size_t n;
		const char *what;
	} sigs[] = {
	    {"PK\x03\x04", 4,
	     "a ZIP archive (an Excel .xlsx workbook is one): save the sheet as CSV"},
	    {"\x1f\x8b", 2, "a gzip archive: upload the CSV file inside it"},
	    {"%PDF", 4, "a PDF document"},
	    {"\xD0\xCF\x11\xE0", 4, "an old Excel or Word file: save the sheet as CSV"},
	};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (len >= sigs[i].n && memcmp(data, sigs[i].magic, sigs[i].n) == 0)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "The file is not a CSV file: it is %s.", sigs[i].what);
	const char *nul = memchr(data, '\0', len);
	if (nul) {
		long line, col;
		line_col(data, (size_t)(nul - data), &line, &col);
		return cadre_err_set(err, CADRE_EINVAL,
		                     "The file is not a CSV file: it holds binary data (a NUL "
		                     "byte at line %ld, column %ld).",
		                     line, col);
	}
	size_t i = (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	if (i < len && (data[i] == '{' || data[i] == '['))
		return cadre_err_set(err, CADRE_EINVAL,
		                     "The file is not a CSV file: it looks like JSON. Upload the "
		                     "%s as CSV (%s).",
		                     k->title, k->format);
	if (!k->header)
		return CADRE_OK;
	char fields[64][64];
	size_t n = header_fields(data, len, fields, 64);
	size_t bad;
	if (header_is(fields, n, k->header, &bad))
		return CADRE_OK;
	for (size_t j = 0; j < NKINDS; j++) {
		size_t b2;
		if (&kinds[j] != k && kinds[j].header && header_is(fields, n, kinds[j].header, &b2))
			return cadre_err_set(
			    err, CADRE_EINVAL,
			    "Line 1: the header is that of a %s file, not a %s file. "
			    "Choose \"%s\" as the kind, or upload the right file.",
			    kinds[j].title, k->title, kinds[j].title);
	}
	char want[64];
	header_name(k->header, bad, want, sizeof want);
	if (bad >= n)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "Line 1: the header lacks column %zu '%s' (a %s file's header "
		                     "is %s).",
		                     bad + 1, want, k->title, k->header);
	if (strcmp(want, "(none)") == 0)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "Line 1: the header has an extra column %zu '%s' (a %s file's "
		                     "header is %s).",
		                     bad + 1, fields[bad], k->title, k->header);
	return cadre_err_set(err, CADRE_EINVAL,
	                     "Line 1, column %zu: the header names '%s' where a %s file has '%s' "
	                     "(its header is %s).",
	                     bad + 1, fields[bad], k->title, want, k->header);
}

/* ---- creating --------------------------------------------------------------------- */

/* scope_org: the organisation an upload by actor belongs to. */
static int scope_org(const struct actor *actor, struct store *db, const struct upload_kind *k,
                     int64_t *org, struct cadre_err *err)
{
	int64_t root = 0;
	struct cadre_err e;
	bool have_root = policy_root_org(db, &root, &e) == CADRE_OK;
	if (actor_is_system(actor)) {
		if (!have_root)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "the database holds no hierarchy yet (cadre init)");
		*org = root;
		return CADRE_OK;
	}
	/* the grants whose role allows imports.run; a finance business
	 * partner's covers the ledger files only (docs/access-policy.csv) */
	size_t n = 0;
	bool ledger_only = false;
	for (size_t i = 0; i < actor->ngrants; i++) {
		const struct actor_grant *g = &actor->grants[i];
		const struct policy_rule *rule = policy_rule_find(g->role, UPLOAD_PERMISSION);
		if (!rule || !rule->allow)
			continue;
		n++;
		if (strcmp(g->role, "finance_business_partner") == 0 &&
		    strcmp(k->id, "establishment") != 0 &&
		    strcmp(k->id, "temporary-staffing") != 0) {
			ledger_only = true;
			continue;
		}
		if (k->national && (!have_root || g->org_id != root))
			continue;
		*org = g->org_id;
		return CADRE_OK;
	}
	if (n && k->national)
		return cadre_err_set(err, CADRE_EPERM,
		                     "%s is a national publication: loading it needs imports.run "
		                     "over England",
		                     k->title);
	if (n && ledger_only)
		return cadre_err_set(err, CADRE_EPERM,
		                     "a finance business partner loads the ledger's files "
		                     "(establishment, temporary staffing), not a %s",
		                     k->title);
	return cadre_err_set(err, CADRE_EPERM, "none of your roles may load data (imports.run)");
}

struct create_op {
	const struct actor *actor;
	const struct upload_kind *kind;
	const char *file_name;
	const char *data;
	size_t len;
	char sha[AUDIT_HEX_LEN + 1];
	int64_t org;
	int64_t now, expires;
	const struct clock *clk;
	int64_t id;
};

static int store_chunks(struct store *db, int64_t id, const char *data, size_t len,
                        struct cadre_err *err)
{
	size_t cap = sodium_base64_ENCODED_LEN(CHUNK_RAW, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = xmalloc(cap);
	int rc = CADRE_OK;
	int64_t seq = 0;
	for (size_t off = 0; off < len; off += CHUNK_RAW, seq++) {
		size_t n = len - off < CHUNK_RAW ? len - off : CHUNK_RAW;
		sodium_bin2base64(b64, cap, (const unsigned char *)data + off, n,
		                  sodium_base64_VARIANT_ORIGINAL);
		struct store_stmt *st;
		if ((rc = store_prepare(db, &q_chunk_insert, &st, err)) != CADRE_OK)
			break;
		store_bind_i64(st, 1, id);
		store_bind_i64(st, 2, seq);
		store_bind_str(st, 3, b64);
		if ((rc = store_exec(st, err)) != CADRE_OK)
			break;
	}
	free(b64);
	return rc;
}

static int create_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct create_op *o = arg;
	struct store_stmt *st;
	int rc = store_prepare(db, &q_next_id, &st, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE ? CADRE_EINTERNAL : rc;
	o->id = store_col_i64(st, 0);
	store_reset(st);
	if ((rc = store_prepare(db, &q_insert, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, o->id);
	store_bind_str(st, 2, o->kind->id);
	store_bind_str(st, 3, o->file_name);
	store_bind_i64(st, 4, (int64_t)o->len);
	store_bind_str(st, 5, o->sha);
	store_bind_i64(st, 6, o->org);
	store_bind_i64(st, 7, o->actor->user_id);
	store_bind_str(st, 8, actor_label(o->actor));
	store_bind_i64(st, 9, o->now);
	store_bind_i64(st, 10, o->expires);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	if ((rc = store_chunks(db, o->id, o->data, o->len, err)) != CADRE_OK)
		return rc;
	char params[64];
	(void)snprintf(params, sizeof params, "{\"upload\": %" PRId64 "}", o->id);
	int64_t job = 0;
	if ((rc = job_create(o->actor, db, UPLOAD_JOB_VALIDATE, params, o->clk, &job, err)) !=
	    CADRE_OK)
		return rc;
	if ((rc = store_prepare(db, &q_set_job, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, o->id);
	store_bind_i64(st, 2, job);
	return store_exec(st, err);
}

/* clean_name: the file name for display: its base name, control
 * characters and invalid UTF-8 replaced, at most UPLOAD_NAME_MAX - 1
 * bytes. */
static void clean_name(const char *in, char *out, size_t n)
{
	const char *base = in ? in : "";
	for (const char *p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	size_t len = strlen(base);
	if (!utf8_valid(base, len, NULL) || len >= n) {
		size_t k = 0;
		for (size_t i = 0; base[i] && k + 1 < n; i++) {
			unsigned char c = (unsigned char)base[i];
			out[k++] = (c < 0x80 && c >= 0x20 && c != 0x7f) ? (char)c : '_';
		}
		out[k] = '\0';
		return;
	}
	size_t k = 0;
	for (size_t i = 0; i < len; i++)
		out[k++] = ((unsigned char)base[i] < 0x20 || base[i] == 0x7f) ? '_' : base[i];
	out[k] = '\0';
	if (!out[0])
		(void)snprintf(out, n, "upload.csv");
}

int upload_create(const struct actor *actor, struct store *db, const struct upload_kind *kind,
                  const char *file_name, const char *data, size_t len,
                  const struct upload_limits *lim, const struct clock *clk, int64_t *id,
                  struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!kind)
		return cadre_err_set(err, CADRE_EINVAL, "choose what kind of file this is");
	size_t max = lim && lim->max_bytes ? lim->max_bytes : UPLOAD_MAX_DEFAULT;
	int64_t ttl = lim && lim->ttl_us > 0 ? lim->ttl_us : UPLOAD_TTL_DEFAULT_US;
	if (len > max)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "The file is %zu bytes; uploads are at most %zu bytes.", len,
		                     max);
	struct create_op o = {.actor = actor,
	                      .kind = kind,
	                      .data = data,
	                      .len = len,
	                      .clk = clk,
	                      .now = clock_now(clk)};
	o.expires = o.now + ttl;
	char name[UPLOAD_NAME_MAX];
	clean_name(file_name, name, sizeof name);
	o.file_name = name;
	if ((rc = scope_org(actor, db, kind, &o.org, err)) != CADRE_OK)
		return rc;
	if ((rc = upload_check(kind, data, len, err)) != CADRE_OK)
		return rc;
	audit_sha256_hex(data, len, o.sha);
	if ((rc = store_tx_run(db, STORE_TX_WRITE, create_tx, &o, err)) != CADRE_OK)
		return rc;
	if (id)
		*id = o.id;
	return CADRE_OK;
}

/* ---- commit, discard, expiry -------------------------------------------------------- */

static int delete_chunks(struct store *db, int64_t id, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_chunks_delete, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	return store_exec(st, err);
}

static int expire_one(struct store *db, int64_t id, int64_t now, bool *done, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_expire, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	store_bind_i64(st, 2, now);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	*done = store_changes(st) > 0;
	return *done ? delete_chunks(db, id, err) : CADRE_OK;
}

const char *upload_refusal(enum upload_state s, bool commit)
{
	switch (s) {
	case UPLOAD_COMMITTED:
		return "This upload was already committed: it was imported once and will not be "
		       "imported again.";
	case UPLOAD_COMMITTING:
		return "This upload is already being committed: it will be imported once.";
	case UPLOAD_EXPIRED:
		return "This upload has expired and its file was deleted: upload the file again.";
	case UPLOAD_DISCARDED: return "This upload was discarded.";
	case UPLOAD_INVALID:
		return commit ? "This upload has problems, so it cannot be committed: correct the "
		                "file and upload it again."
		              : "This upload cannot be discarded now.";
	case UPLOAD_QUEUED:
	case UPLOAD_VALIDATING:
		return commit
		           ? "This upload is still being checked: it can be committed once it is "
		             "valid."
		           : "This upload cannot be discarded now.";
	case UPLOAD_VALID:
	default:
		return commit ? "This upload cannot be committed now."
		              : "This upload cannot be discarded now.";
	}
}

/* conflict: why upload u (as seen) cannot be committed or discarded. */
static int conflict(const struct upload *u, const char *verb, struct cadre_err *err)
{
	return cadre_err_set(err, CADRE_ECONFLICT, "%s",
	                     upload_refusal(u->state, strcmp(verb, "committed") == 0));
}

struct commit_op {
	const struct actor *actor;
	const struct clock *clk;
	int64_t id;
	int64_t now;
	bool changed;
};

static int commit_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct commit_op *o = arg;
	struct store_stmt *st;
	int rc = store_prepare(db, &q_commit_req, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, o->id);
	store_bind_str(st, 2, actor_label(o->actor));
	store_bind_i64(st, 3, o->now);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	o->changed = store_changes(st) > 0;
	if (!o->changed)
		return CADRE_OK;
	char params[64];
	(void)snprintf(params, sizeof params, "{\"upload\": %" PRId64 "}", o->id);
	int64_t job = 0;
	if ((rc = job_create(o->actor, db, UPLOAD_JOB_COMMIT, params, o->clk, &job, err)) !=
	    CADRE_OK)
		return rc;
	if ((rc = store_prepare(db, &q_set_job, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, o->id);
	store_bind_i64(st, 2, job);
	return store_exec(st, err);
}

static int expire_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct commit_op *o = arg;
	return expire_one(db, o->id, o->now, &o->changed, err);
}

int upload_commit(const struct actor *actor, struct store *db, int64_t id, const struct clock *clk,
                  struct cadre_err *err)
{
	struct upload u;
	int rc = upload_get(actor, db, id, clk, &u, err);
	if (rc != CADRE_OK)
		return rc;
	struct commit_op o = {.actor = actor, .clk = clk, .id = id, .now = clock_now(clk)};
	if (u.state == UPLOAD_EXPIRED) {
		if ((rc = store_tx_run(db, STORE_TX_WRITE, expire_tx, &o, err)) != CADRE_OK)
			return rc;
		return conflict(&u, "committed", err);
	}
	if (u.state != UPLOAD_VALID)
		return conflict(&u, "committed", err);
	if ((rc = store_tx_run(db, STORE_TX_WRITE, commit_tx, &o, err)) != CADRE_OK)
		return rc;
	if (o.changed)
		return CADRE_OK;
	/* someone else moved it first: say what it is now */
	if ((rc = upload_get(actor, db, id, clk, &u, err)) != CADRE_OK)
		return rc;
	return conflict(&u, "committed", err);
}

static int discard_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct commit_op *o = arg;
	static const char *const from[] = {"queued", "validating", "valid", "invalid"};
	o->changed = false;
	for (size_t i = 0; i < 4 && !o->changed; i++) {
		struct store_stmt *st;
		int rc = store_prepare(db, &q_cas, &st, err);
		if (rc != CADRE_OK)
			return rc;
		store_bind_i64(st, 1, o->id);
		store_bind_str(st, 2, from[i]);
		store_bind_str(st, 3, "discarded");
		if ((rc = store_exec(st, err)) != CADRE_OK)
			return rc;
		o->changed = store_changes(st) > 0;
	}
	return o->changed ? delete_chunks(db, o->id, err) : CADRE_OK;
}

int upload_discard(const struct actor *actor, struct store *db, int64_t id, const struct clock *clk,
                   struct cadre_err *err)
{
	struct upload u;
	int rc = upload_get(actor, db, id, clk, &u, err);
	if (rc != CADRE_OK)
		return rc;
	struct commit_op o = {.actor = actor, .clk = clk, .id = id, .now = clock_now(clk)};
	if (u.state == UPLOAD_EXPIRED) {
		if ((rc = store_tx_run(db, STORE_TX_WRITE, expire_tx, &o, err)) != CADRE_OK)
			return rc;
		return conflict(&u, "discarded", err);
	}
	if ((rc = store_tx_run(db, STORE_TX_WRITE, discard_tx, &o, err)) != CADRE_OK)
		return rc;
	if (o.changed)
		return CADRE_OK;
	if ((rc = upload_get(actor, db, id, clk, &u, err)) != CADRE_OK)
		return rc;
	return conflict(&u, "discarded", err);
}

struct sweep_op {
	int64_t now;
	int64_t n;
};

static int sweep_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct sweep_op *o = arg;
	o->n = 0;
	int64_t ids[256];
	size_t n = 0;
	struct store_stmt *st;
	int rc = store_prepare(db, &q_due, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, o->now);
	while (n < 256 && (rc = store_step(st, err)) == CADRE_OK)
		ids[n++] = store_col_i64(st, 0);
	store_reset(st);
	if (rc != CADRE_OK && rc != CADRE_DONE)
		return rc;
	for (size_t i = 0; i < n; i++) {
		bool done = false;
		if ((rc = expire_one(db, ids[i], o->now, &done, err)) != CADRE_OK)
			return rc;
		o->n += done;
	}
	return CADRE_OK;
}

int upload_expire(const struct actor *actor, struct store *db, const struct clock *clk, int64_t *n,
                  struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!actor_is_system(actor))
		return cadre_err_set(err, CADRE_EPERM, "uploads expire by themselves");
	struct sweep_op o = {.now = clock_now(clk)};
	if ((rc = store_tx_run(db, STORE_TX_WRITE, sweep_tx, &o, err)) != CADRE_OK)
		return rc;
	if (n)
		*n = o.n;
	return CADRE_OK;
}

/* ---- the job ---------------------------------------------------------------------- */

/* scan: problems the importers would word less well or not check: bytes
 * that are not UTF-8 (line and column), and organisation codes outside
 * the upload's organisation.  Adds to p; *rows gets the data rows. */
struct scan_org {
	char code[ORG_CODE_MAX];
	bool ok;
};

static int scan(struct store *db, const struct upload *u, const struct upload_kind *k,
                const char *data, size_t len, struct import_problems *p, int64_t *rows,
                bool *not_text, struct cadre_err *err)
{
	*rows = 0;
	*not_text = false;
	size_t off = 0;
	bool utf8_ok = true;
	while (off < len) {
		size_t bad;
		if (utf8_valid(data + off, len - off, &bad))
			break;
		utf8_ok = false;
		long line, col;
		line_col(data, off + bad, &line, &col);
		import_problem_add(p, u->file_name, line, col,
		                   "not valid UTF-8 (byte 0x%02X): save the file as UTF-8 text",
		                   (unsigned char)data[off + bad]);
		/* continue after the bad byte */
		off += bad + 1;
	}
	if (!utf8_ok) {
		*not_text = true;
		return CADRE_OK;
	}
	struct csv_reader *r;
	int rc = csv_reader_open_mem(&r, data, len, NULL, err);
	if (rc != CADRE_OK)
		return rc;
	struct scan_org seen[64];
	size_t nseen = 0;
	int64_t root = 0;
	struct cadre_err e;
	if (policy_root_org(db, &root, &e) != CADRE_OK)
		root = 0;
	bool first = true;
	while ((rc = csv_reader_next(r, &e)) == CADRE_OK) {
		if (first) {
			first = false;
			continue;
		}
		(*rows)++;
		if (k->org_col < 0 || u->org_id == root)
			continue;
		const struct csv_field *f = csv_reader_field(r, (size_t)k->org_col);
		if (!f || f->len == 0 || f->len >= ORG_CODE_MAX)
			continue; /* the importer reports it */
		size_t i;
		for (i = 0; i < nseen; i++)
			if (strcmp(seen[i].code, f->s) == 0)
				break;
		if (i == nseen) {
			struct scan_org so = {.ok = true};
			(void)snprintf(so.code, sizeof so.code, "%s", f->s);
			int64_t org = 0;
			int q = policy_org_by_code(db, f->s, &org, &e);
			if (q == CADRE_OK) {
				bool yes = false;
				if ((rc = policy_org_within(db, org, u->org_id, &yes, err)) !=
				    CADRE_OK)
					break;
				so.ok = yes;
			} else if (q != CADRE_ENOTFOUND) {
				rc = q;
				*err = e;
				break;
			}
			if (nseen < 64)
				seen[nseen++] = so;
			else
				seen[i = 63] = so;
		}
		if (!seen[i].ok)
			import_problem_add(p, u->file_name, f->line, f->col,
			                   "organisation %s is outside %s (%s), the organisation "
			                   "your role to load data covers",
			                   f->s, u->org_name, u->org_code);
	}
	if (rc == CADRE_EINVAL) {
		long line = 0, col = 0;
		(void)csv_reader_error_pos(r, &line, &col);
		import_problem_add(p, u->file_name, line, col, "%s", import_csv_reason(e.msg));
		rc = CADRE_DONE;
	}
	csv_reader_free(r);
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

/* load: the upload's bytes from its chunks into *data (owned). */
static int load(struct store *db, int64_t id, char **data, size_t *len, struct cadre_err *err)
{
	struct buf b;
	buf_init(&b, (size_t)1 << 31);
	struct store_stmt *st;
	int rc = store_prepare(db, &q_chunks, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	unsigned char *raw = xmalloc(CHUNK_RAW + 16);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		const char *t = store_col_text(st, 0);
		size_t n = 0;
		if (sodium_base642bin(raw, CHUNK_RAW + 16, t, strlen(t), NULL, &n, NULL,
		                      sodium_base64_VARIANT_ORIGINAL) != 0) {
			rc = cadre_err_set(err, CADRE_EINTERNAL,
			                   "upload %" PRId64 ": a stored chunk "
			                   "is not base64",
			                   id);
			break;
		}
		if ((rc = buf_append(&b, raw, n, err)) != CADRE_OK)
			break;
	}
	free(raw);
	store_reset(st);
	if (rc != CADRE_DONE) {
		buf_free(&b);
		return rc;
	}
	if (buf_append(&b, "", 1, err) != CADRE_OK) {
		buf_free(&b);
		return CADRE_EINTERNAL;
	}
	*len = b.len - 1;
	*data = b.data;
	return CADRE_OK;
}

/* write_temp: data into a new private file under dir; path gets its name. */
static int write_temp(const char *dir, const char *data, size_t len, char *path, size_t n,
                      struct cadre_err *err)
{
	if (!dir) {
		dir = getenv("TMPDIR");
		if (!dir || !*dir)
			dir = "/tmp";
	}
	(void)snprintf(path, n, "%s/cadre-upload-XXXXXX", dir);
	int fd = mkstemp(path); /* mode 0600 */
	if (fd < 0)
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "cannot create a temporary file in %s: %s", dir,
		                     strerror(errno));
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			(void)close(fd);
			(void)unlink(path);
			return cadre_err_set(err, CADRE_EINTERNAL, "cannot write %s: %s", path,
			                     strerror(e));
		}
		off += (size_t)w;
	}
	if (close(fd) != 0) {
		(void)unlink(path);
		return cadre_err_set(err, CADRE_EINTERNAL, "cannot write %s", path);
	}
	return CADRE_OK;
}

/* outcome: what running an importer gave. */
struct outcome {
	int rc;
	struct cadre_err err;
	int64_t rows;
	int64_t audit_seq;
	char summary[UPLOAD_MESSAGE_MAX];
	struct import_problems problems;
};

/* run_importer: the kind's importer over path, dry or for real, as actor. */
static void run_importer(const struct actor *actor, struct store *db, const struct upload_kind *k,
                         const char *path, bool dry, const struct upload_runner *r,
                         struct outcome *out)
{
	struct cadre_err *err = &out->err;
	if (strcmp(k->id, "staff") == 0) {
		struct people_opts o = {.dry_run = dry,
		                        .pseudonym_key = r->pseudonym_key,
		                        .audit_key = r->audit_key,
		                        .clk = r->clk};
		struct people_result *res = xcalloc(1, sizeof *res);
		out->rc = people_import(actor, db, path, &o, res, err);
		out->rows = res->rows;
		out->audit_seq = res->audit_seq;
		out->problems = res->problems;
		(void)snprintf(out->summary, sizeof out->summary,
		               "%s%" PRId64 " assignments of %" PRId64
		               " organisation%s; staff: %" PRId64 " new, %" PRId64
		               " changed; assignments closed: %" PRId64,
		               res->no_change ? "no change: " : "", res->rows, res->orgs,
		               res->orgs == 1 ? "" : "s", res->staff_new, res->staff_changed,
		               res->assignments_closed);
		free(res);
	} else if (strcmp(k->id, "establishment") == 0 ||
	           strcmp(k->id, "temporary-staffing") == 0) {
		struct ledger_opts o = {.dry_run = dry, .audit_key = r->audit_key, .clk = r->clk};
		struct ledger_result *res = xcalloc(1, sizeof *res);
		out->rc = k->id[0] == 'e' ? establishment_import(actor, db, path, &o, res, err)
		                          : tempstaff_import(actor, db, path, &o, res, err);
		out->rows = res->rows;
		out->audit_seq = res->audit_seq;
		out->problems = res->problems;
		(void)snprintf(out->summary, sizeof out->summary,
		               "%" PRId64 " rows of %" PRId64 " organisation%s, months %d to %d; "
		               "%" PRId64 " rows held for them replaced",
		               res->rows, res->orgs, res->orgs == 1 ? "" : "s", res->first_month,
		               res->last_month, res->rows_replaced);
		free(res);
	} else if (strcmp(k->id, "cost-centres") == 0) {
		struct wards_opts o = {.dry_run = dry, .audit_key = r->audit_key, .clk = r->clk};
		struct wards_result *res = xcalloc(1, sizeof *res);
		out->rc = wards_import(actor, db, path, &o, res, err);
		out->rows = res->rows;
		out->audit_seq = res->audit_seq;
		out->problems = res->problems;
		(void)snprintf(out->summary, sizeof out->summary,
		               "%" PRId64 " cost centres (%" PRId64 " new); wards %" PRId64
		               " new, teams %" PRId64 " new, divisions %" PRId64 " new",
		               res->rows, res->cost_centres_new, res->wards_new, res->teams_new,
		               res->divisions_new);
		free(res);
	} else {
		struct import_opts o = {.dry_run = dry, .audit_key = r->audit_key, .clk = r->clk};
		struct import_result *res = xcalloc(1, sizeof *res);
		const char *paths[1] = {path};
		out->rc = strcmp(k->id, "sickness") == 0
		              ? sickness_import(actor, db, paths, 1, &o, res, err)
		              : staff_in_post_import(actor, db, paths, 1, &o, res, err);
		out->rows = res->rows;
		out->audit_seq = res->audit_seq;
		out->problems = res->problems;
		(void)snprintf(out->summary, sizeof out->summary,
		               "%" PRId64 " rows over %zu month%s", res->rows, res->nmonths,
		               res->nmonths == 1 ? "" : "s");
		free(res);
	}
}

static int save_problems(struct store *db, const struct upload *u, const struct import_problems *p,
                         struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_problems_delete, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, u->id);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	for (size_t i = 0; i < p->n; i++) {
		if ((rc = store_prepare(db, &q_problem_insert, &st, err)) != CADRE_OK)
			return rc;
		store_bind_i64(st, 1, u->id);
		store_bind_i64(st, 2, (int64_t)i + 1);
		store_bind_i64(st, 3, p->v[i].line);
		store_bind_i64(st, 4, p->v[i].col);
		store_bind_str(st, 5, p->v[i].reason);
		if ((rc = store_exec(st, err)) != CADRE_OK)
			return rc;
	}
	if (p->more > 0) {
		if ((rc = store_prepare(db, &q_problem_insert, &st, err)) != CADRE_OK)
			return rc;
		char more[96];
		(void)snprintf(more, sizeof more, "and %" PRId64 " more problems not listed",
		               p->more);
		store_bind_i64(st, 1, u->id);
		store_bind_i64(st, 2, (int64_t)p->n + 1);
		store_bind_i64(st, 3, 0);
		store_bind_i64(st, 4, 0);
		store_bind_str(st, 5, more);
		rc = store_exec(st, err);
	}
	return rc;
}

struct finish_op {
	const struct actor *actor;
	const struct upload_runner *r;
	const struct job *j;
	const struct upload *u;
	const struct outcome *o;
	bool commit;
	int64_t now;
};

/* record_tx: the validation's or a refused commit's outcome, with the
 * job's finish, in one transaction. */
static int record_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct finish_op *f = arg;
	const struct outcome *o = f->o;
	bool ok = o->rc == CADRE_OK;
	int64_t total = import_problems_total(&o->problems);
	char msg[UPLOAD_MESSAGE_MAX];
	if (ok)
		(void)snprintf(msg, sizeof msg, "%s", o->summary);
	else if (o->problems.n)
		(void)snprintf(msg, sizeof msg, "%" PRId64 " problem%s found", total,
		               total == 1 ? "" : "s");
	else
		(void)snprintf(msg, sizeof msg, "%s", o->err.msg);
	struct store_stmt *st;
	int rc;
	if (!f->commit) {
		if ((rc = store_prepare(db, &q_validated, &st, err)) != CADRE_OK)
			return rc;
		store_bind_i64(st, 1, f->u->id);
		store_bind_str(st, 2, ok ? "valid" : "invalid");
		store_bind_i64(st, 3, o->rows);
		store_bind_i64(st, 4, ok ? 0 : (total ? total : 1));
		store_bind_str(st, 5, msg);
		store_bind_i64(st, 6, f->now);
	} else {
		/* refused: busy goes back to valid (commit again), anything
		 * else to invalid with its problems */
		bool busy = o->rc == CADRE_EBUSY;
		if (busy)
			(void)snprintf(msg, sizeof msg,
			               "The database was busy and nothing was imported; commit "
			               "again.");
		if ((rc = store_prepare(db, &q_refused, &st, err)) != CADRE_OK)
			return rc;
		store_bind_i64(st, 1, f->u->id);
		store_bind_str(st, 2, busy ? "valid" : "invalid");
		store_bind_i64(st, 3, busy ? 0 : (total ? total : 1));
		store_bind_str(st, 4, msg);
	}
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	if (!(f->commit && o->rc == CADRE_EBUSY)) {
		struct import_problems *p = xcalloc(1, sizeof *p);
		*p = o->problems;
		if (!ok && p->n == 0 && p->more == 0)
			import_problem_add(p, f->u->file_name, 0, 0, "%s", o->err.msg);
		rc = save_problems(db, f->u, p, err);
		free(p);
		if (rc != CADRE_OK)
			return rc;
	}
	return job_finish(f->actor, db, f->j->id, f->r->worker_id, ok || !f->commit, msg, f->r->clk,
	                  err);
}

struct commit_run {
	const struct actor *actor;
	const struct actor *importer;
	const struct upload_runner *r;
	const struct job *j;
	const struct upload *u;
	const struct upload_kind *k;
	const char *path;
	struct outcome *o;
	int64_t now;
};

/* commit_run_tx: the import and the upload's committed state and the
 * job's finish, all in one transaction: nothing half-imported. */
static int commit_run_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct commit_run *c = arg;
	run_importer(c->importer, db, c->k, c->path, false, c->r, c->o);
	if (c->o->rc != CADRE_OK) {
		*err = c->o->err;
		return c->o->rc == CADRE_EBUSY ? CADRE_EBUSY : CADRE_EINVAL;
	}
	struct store_stmt *st;
	int rc = store_prepare(db, &q_committed, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, c->u->id);
	store_bind_i64(st, 2, c->o->rows);
	store_bind_str(st, 3, c->o->summary);
	store_bind_i64(st, 4, c->now);
	store_bind_i64(st, 5, c->o->audit_seq);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	if (store_changes(st) == 0)
		return cadre_err_set(err, CADRE_ECONFLICT,
		                     "upload %" PRId64 " is not being committed", c->u->id);
	if ((rc = delete_chunks(db, c->u->id, err)) != CADRE_OK)
		return rc;
	return job_finish(c->actor, db, c->j->id, c->r->worker_id, true, c->o->summary, c->r->clk,
	                  err);
}

static int problem_order(const void *a, const void *b)
{
	const struct import_problem *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

/* merge_problems: add from's problems to p, kept in (line, column) order;
 * past the cap they are counted. */
static void merge_problems(struct import_problems *p, const struct import_problems *from)
{
	for (size_t i = 0; i < from->n; i++)
		import_problem_add(p, from->v[i].file, from->v[i].line, from->v[i].col, "%s",
		                   from->v[i].reason);
	p->more += from->more;
	qsort(p->v, p->n, sizeof p->v[0], problem_order);
}

/* rename_problems: the importers name the temporary file; people know
 * the file by the name they uploaded. */
static void rename_problems(struct import_problems *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		(void)snprintf(p->v[i].file, sizeof p->v[i].file, "%s", name);
}

static int set_state(struct store *db, int64_t id, const char *from, const char *to,
                     struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_cas, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	store_bind_str(st, 2, from);
	store_bind_str(st, 3, to);
	return store_exec(st, err);
}

struct start_op {
	const struct actor *actor;
	const struct upload_runner *r;
	int64_t job, id, done, total;
};

static int start_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct start_op *s = arg;
	int rc = set_state(db, s->id, "queued", "validating", err);
	if (rc == CADRE_OK)
		rc = job_heartbeat(s->actor, db, s->job, s->r->worker_id, s->done, s->total,
		                   s->r->lease_ms, s->r->clk, err);
	return rc;
}

static int beat_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct start_op *s = arg;
	return job_heartbeat(s->actor, db, s->job, s->r->worker_id, s->done, s->total,
	                     s->r->lease_ms, s->r->clk, err);
}

static int fail_job(const struct actor *actor, struct store *db, const struct job *j,
                    const struct upload_runner *r, const char *msg, struct cadre_err *err)
{
	struct cadre_err e;
	int rc = job_finish(actor, db, j->id, r->worker_id, false, msg, r->clk, &e);
	if (rc != CADRE_OK)
		*err = e;
	return rc;
}

int upload_job_run(const struct actor *actor, struct store *db, const struct job *j,
                   const struct upload_runner *r, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!actor_is_system(actor))
		return cadre_err_set(err, CADRE_EPERM, "upload jobs are run by the system");
	bool commit = strcmp(j->kind, UPLOAD_JOB_COMMIT) == 0;
	if (!commit && strcmp(j->kind, UPLOAD_JOB_VALIDATE) != 0)
		return fail_job(actor, db, j, r, "not an upload job", err);
	json_error_t jerr;
	json_t *params = json_loads(j->params, 0, &jerr);
	json_int_t id = json_integer_value(json_object_get(params, "upload"));
	json_decref(params);
	struct upload u;
	if (id <= 0 || get_row(db, id, &u, err) != CADRE_OK)
		return fail_job(actor, db, j, r, "the upload is gone", err);
	const struct upload_kind *k = upload_kind_find(u.kind);
	int64_t now = clock_now(r->clk);
	if (!k || (commit && u.state != UPLOAD_COMMITTING) ||
	    (!commit && u.state != UPLOAD_QUEUED && u.state != UPLOAD_VALIDATING) ||
	    (!commit && u.expires_us <= now))
		return fail_job(actor, db, j, r, "the upload is no longer waiting for this job",
		                err);
	struct start_op s = {
	    .actor = actor, .r = r, .job = j->id, .id = u.id, .done = 0, .total = u.size};
	if ((rc = store_tx_run(db, STORE_TX_WRITE, commit ? beat_tx : start_tx, &s, err)) !=
	    CADRE_OK)
		return rc;
	char *data = NULL;
	size_t len = 0;
	if ((rc = load(db, u.id, &data, &len, err)) != CADRE_OK)
		return rc;
	struct outcome *o = xcalloc(1, sizeof *o);
	struct import_problems *scanned = xcalloc(1, sizeof *scanned);
	bool not_text = false;
	char path[512] = "";
	char label[32];
	(void)snprintf(label, sizeof label, "upload.%" PRId64, u.id);
	struct actor importer = actor_system(label);
	struct finish_op f = {
	    .actor = actor, .r = r, .j = j, .u = &u, .o = o, .commit = commit, .now = now};
	if (!commit) {
		rc = scan(db, &u, k, data, len, scanned, &o->rows, &not_text, err);
		if (rc != CADRE_OK)
			goto out;
		s.done = (int64_t)len / 2;
		if ((rc = store_tx_run(db, STORE_TX_WRITE, beat_tx, &s, err)) != CADRE_OK)
			goto out;
		if (not_text) {
			/* not UTF-8 text: the importer would only repeat it */
			o->problems = *scanned;
			o->rc = CADRE_EINVAL;
			rc = store_tx_run(db, STORE_TX_WRITE, record_tx, &f, err);
			goto out;
		}
	}
	if ((rc = write_temp(r->tmpdir, data, len, path, sizeof path, err)) != CADRE_OK)
		goto out;
	free(data);
	data = NULL;
	if (!commit) {
		int64_t rows = o->rows;
		run_importer(&importer, db, k, path, true, r, o);
		if (o->rows == 0)
			o->rows = rows;
		rename_problems(&o->problems, u.file_name);
		/* the scan's problems (organisations out of scope) and the
		 * importer's, in the order of the file */
		if (import_problems_total(scanned) > 0) {
			merge_problems(&o->problems, scanned);
			if (o->rc == CADRE_OK) {
				o->rc = CADRE_EINVAL;
				(void)snprintf(o->err.msg, sizeof o->err.msg,
				               "organisations out of scope");
			}
		}
		rc = store_tx_run(db, STORE_TX_WRITE, record_tx, &f, err);
		goto out;
	}
	struct commit_run c = {.actor = actor,
	                       .importer = &importer,
	                       .r = r,
	                       .j = j,
	                       .u = &u,
	                       .k = k,
	                       .path = path,
	                       .o = o,
	                       .now = now};
	struct cadre_err e;
	if ((rc = store_tx_begin(db, STORE_TX_WRITE, &e)) == CADRE_OK) {
		rc = commit_run_tx(db, &c, &e);
		if (rc == CADRE_OK)
			rc = store_tx_commit(db, &e);
		if (rc != CADRE_OK && store_tx_depth(db) > 0)
			(void)store_tx_rollback(db, err);
	}
	if (rc == CADRE_OK)
		goto out;
	if (o->rc == CADRE_OK) {
		/* the import went through but its transaction did not: busy or
		 * a lost lease; nothing was written */
		o->rc = rc == CADRE_EBUSY ? CADRE_EBUSY : CADRE_EINVAL;
		o->err = e;
	}
	rename_problems(&o->problems, u.file_name);
	rc = store_tx_run(db, STORE_TX_WRITE, record_tx, &f, err);
out:
	if (path[0])
		(void)unlink(path);
	free(data);
	free(scanned);
	free(o);
	return rc;
}
