/* page_import: imports from the browser and the API (domain/upload.h).
 *
 * /imports is the upload form and the import history; /imports/{id} an
 * upload's state, progress and problems with the Commit and Discard
 * buttons.  While the job runs, the page refreshes itself with a
 * `Refresh` header (no script, so the CSP holds).  The API under
 * /api/v1/imports gives the same as JSON, errors as problem+json:
 * 409 for a commit that cannot happen (already committed, still being
 * checked, has problems), 410 for an expired upload, 413 for a file over
 * the limit (over 64 MiB before any of it is read).  Lists page with
 * limit (1 to 200, default 50) and cursor (the next_cursor given). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "base/date.h"
#include "base/num.h"
#include "domain/upload.h"
#include "web/auth.h"
#include "web/pages.h"
#include "web/router.h"
#include "web/worker.h"
#include "web_routes.h"

#define PAGE_DEFAULT  50
#define PAGE_MAX      200
#define REFRESH_SECS  "2"
#define MULTIPART_CAP ((size_t)64 * 1024 * 1024)

/* page_upload_org: the organisation of the upload /imports/{id} names,
 * for the router's scope check (404 for none or one outside the scope). */
int page_upload_org(struct web_request *req, int64_t *org_id, struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_conn(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	return upload_org_of(db, web_req_param_int(req, "id"), org_id, err);
}

static const struct clock *clk_of(struct web_request *req)
{
	const struct clock *c = web_auth_clock(req);
	return c ? c : clock_system();
}

static const char *kind_title(const char *id)
{
	const struct upload_kind *k = upload_kind_find(id);
	return k ? k->title : id;
}

/* state_text: the state as people read it. */
static const char *state_text(enum upload_state s)
{
	switch (s) {
	case UPLOAD_QUEUED: return "Waiting to be checked";
	case UPLOAD_VALIDATING: return "Being checked";
	case UPLOAD_VALID: return "Ready to commit";
	case UPLOAD_INVALID: return "Has problems";
	case UPLOAD_COMMITTING: return "Being imported";
	case UPLOAD_COMMITTED: return "Imported";
	case UPLOAD_DISCARDED: return "Discarded";
	case UPLOAD_EXPIRED: return "Expired";
	default: return "Unknown";
	}
}

static bool running(enum upload_state s)
{
	return s == UPLOAD_QUEUED || s == UPLOAD_VALIDATING || s == UPLOAD_COMMITTING;
}

static json_t *ts_or_null(int64_t us)
{
	if (!us)
		return json_null();
	char t[DATE_TS_SIZE];
	date_ts_format(us, t);
	return json_string(t);
}

/* upload_json: the API's view of an upload. */
static json_t *upload_json(const struct upload *u)
{
	char self[64], commit[80], discard[80];
	(void)snprintf(self, sizeof self, "/api/v1/imports/%" PRId64, u->id);
	(void)snprintf(commit, sizeof commit, "%s/commit", self);
	(void)snprintf(discard, sizeof discard, "%s/discard", self);
	json_t *o = json_pack(
	    "{s:I, s:s, s:s, s:s, s:I, s:s, s:{s:s, s:s}, s:s, s:o, s:o, s:s, s:{s:I, s:I}, s:I, "
	    "s:I, s:s, s:o, s:o, s:o, s:o, s:{s:s, s:s, s:s}}",
	    "id", (json_int_t)u->id, "kind", u->kind, "kind_title", kind_title(u->kind),
	    "file_name", u->file_name, "size_bytes", (json_int_t)u->size, "sha256", u->sha256,
	    "organisation", "code", u->org_code, "name", u->org_name, "uploaded_by", u->owner_name,
	    "uploaded_at", ts_or_null(u->created_us), "expires_at", ts_or_null(u->expires_us),
	    "state", upload_state_name(u->state), "progress", "done", (json_int_t)u->progress_done,
	    "total", (json_int_t)u->progress_total, "rows", (json_int_t)u->rows, "problems",
	    (json_int_t)u->problems, "message", u->message, "validated_at",
	    ts_or_null(u->validated_us), "committed_at", ts_or_null(u->committed_us),
	    "committed_by", u->committed_by[0] ? json_string(u->committed_by) : json_null(),
	    "audit_seq", u->audit_seq ? json_integer(u->audit_seq) : json_null(), "links", "self",
	    self, "commit", commit, "discard", discard);
	return o;
}

static int bad_param(struct web_response *resp, struct cadre_err *err, const char *name,
                     const char *why)
{
	web_resp_field_error(resp, name, why);
	return web_fail(resp, err, 400, "The query parameter %s is not valid: %s", name, why);
}

/* query_params: refuse parameters not in allowed (NULL-terminated) and
 * repeated ones (API routes; pages ignore strangers). */
static int query_params(struct web_request *req, struct web_response *resp,
                        const char *const *allowed, struct cadre_err *err)
{
	const struct form *q;
	int rc = web_req_query(req, &q, err);
	if (rc != CADRE_OK)
		return web_fail(resp, err, 400, "%s", err->msg);
	for (size_t i = 0; i < q->count; i++) {
		bool ok = false;
		for (size_t j = 0; allowed[j]; j++)
			if (strcmp(q->fields[i].name, allowed[j]) == 0)
				ok = true;
		if (!ok)
			return bad_param(resp, err, q->fields[i].name,
			                 "this address takes no such parameter");
		if (form_count(q, q->fields[i].name) > 1)
			return bad_param(resp, err, q->fields[i].name, "give it once");
	}
	return CADRE_OK;
}

/* paging: limit (1..200, default 50) and cursor (a whole number >= 0 the
 * previous page gave) from the query. */
static int paging(struct web_request *req, struct web_response *resp, int64_t *limit,
                  int64_t *cursor, struct cadre_err *err)
{
	const char *l = page_query_value(req, "limit");
	const char *c = page_query_value(req, "cursor");
	struct cadre_err e;
	*limit = PAGE_DEFAULT;
	*cursor = 0;
	if (l &&
	    (num_parse_i64(l, strlen(l), limit, &e) != CADRE_OK || *limit < 1 || *limit > PAGE_MAX))
		return bad_param(resp, err, "limit", "enter a whole number from 1 to 200");
	if (c && (num_parse_i64(c, strlen(c), cursor, &e) != CADRE_OK || *cursor < 1))
		return bad_param(resp, err, "cursor",
		                 "use the next_cursor of the previous page, unchanged");
	return CADRE_OK;
}

/* ---- the history ------------------------------------------------------------- */

struct list_ctx {
	json_t *rows;
	int64_t last;
	bool api;
};

static int list_row(const struct upload *u, void *arg, struct cadre_err *err)
{
	(void)err;
	struct list_ctx *l = arg;
	l->last = u->id;
	if (l->api) {
		json_array_append_new(l->rows, upload_json(u));
		return CADRE_OK;
	}
	char href[40], when[DATE_LONDON_SIZE], rows[32], size[32], org[ORG_NAME_MAX + 24];
	(void)snprintf(href, sizeof href, "/imports/%" PRId64, u->id);
	page_when(u->created_us, when);
	(void)snprintf(rows, sizeof rows, "%" PRId64, u->rows);
	(void)snprintf(size, sizeof size, "%" PRId64, u->size);
	(void)snprintf(org, sizeof org, "%s (%s)", u->org_name, u->org_code);
	json_t *cells = json_array();
	const char *text[] = {u->file_name, kind_title(u->kind), org, u->owner_name, when, size,
	                      rows,         state_text(u->state)};
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
		json_array_append_new(
		    cells, json_pack("{s:s, s:b, s:s?, s:b}", "text", text[i], "header", i == 0,
		                     "href", i == 0 ? href : NULL, "numeric", i == 5 || i == 6));
	/* a missing href must read false, not fall back to the row's */
	for (size_t i = 1; i < json_array_size(cells); i++)
		json_object_set_new(json_array_get(cells, i), "href", json_false());
	json_array_append_new(l->rows, json_pack("{s:o}", "cells", cells));
	return CADRE_OK;
}

static json_t *kind_options(const char *chosen)
{
	json_t *o = json_array();
	json_array_append_new(o, page_option("", "Choose the kind of file", !chosen || !*chosen));
	size_t n;
	const struct upload_kind *k = upload_kinds(&n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    o, page_option(k[i].id, k[i].title, chosen && strcmp(chosen, k[i].id) == 0));
	return o;
}

/* imports_page: the form (with errs) and the history page from before. */
static int imports_page(struct web_request *req, struct web_response *resp, json_t *ctx,
                        const char *kind, const char *kind_err, const char *file_err,
                        struct cadre_err *err)
{
	const char *b = page_query_value(req, "before");
	int64_t before = 0;
	struct cadre_err e;
	if (b && (num_parse_i64(b, strlen(b), &before, &e) != CADRE_OK || before < 1))
		before = 0;
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc != CADRE_OK) {
		json_decref(ctx);
		return rc;
	}
	struct list_ctx l = {.rows = json_array()};
	bool more = false;
	if ((rc = upload_list(req->actor, db, before, PAGE_DEFAULT, clk_of(req), list_row, &l,
	                      &more, err)) != CADRE_OK) {
		json_decref(l.rows);
		json_decref(ctx);
		return rc;
	}
	(void)json_object_set_new(
	    ctx, "kind", page_select("kind", "Kind of file", kind_options(kind), NULL, kind_err));
	(void)json_object_set_new(ctx, "file_error",
	                          file_err ? json_string(file_err) : json_false());
	char max[32];
	(void)snprintf(max, sizeof max, "%zu MB", web_imports_limits()->max_bytes / (1024 * 1024));
	(void)json_object_set_new(ctx, "max_size", json_string(max));
	(void)json_object_set_new(ctx, "ttl_hours",
	                          json_integer(web_imports_limits()->ttl_us / 3600000000LL));
	if (json_array_size(l.rows))
		(void)json_object_set_new(
		    ctx, "history",
		    json_pack(
		        "{s:s, s:[{s:s, s:b}, {s:s, s:b}, {s:s, s:b}, {s:s, s:b}, {s:s, s:b}, "
		        "{s:s, s:b}, {s:s, s:b}, {s:s, s:b}], s:o}",
		        "caption", "Import history", "head", "text", "File", "numeric", 0, "text",
		        "Kind", "numeric", 0, "text", "Organisation", "numeric", 0, "text",
		        "Loaded by", "numeric", 0, "text", "When", "numeric", 0, "text", "Bytes",
		        "numeric", 1, "text", "Rows", "numeric", 1, "text", "Outcome", "numeric", 0,
		        "rows", l.rows));
	else {
		json_decref(l.rows);
		(void)json_object_set_new(ctx, "history", json_false());
	}
	if (more) {
		char next[48];
		(void)snprintf(next, sizeof next, "/imports?before=%" PRId64, l.last);
		(void)json_object_set_new(ctx, "next", json_string(next));
	} else {
		(void)json_object_set_new(ctx, "next", json_false());
	}
	(void)json_object_set_new(ctx, "newer", json_boolean(before > 0));
	return page_render(req, resp, "imports", ctx, err);
}

/* WEBPAGE: GET /imports
 * PERMISSION: imports.run
 * ORG: none
 * Upload a file to import, and the import history.
 * The form takes the kind of file (staff extract, establishment,
 * temporary staffing, cost-centre map, the national publications) and the
 * CSV file.  The history lists the uploads of the organisations below
 * your grants that hold imports.run, newest first, 50 a page (?before=
 * the last id shown): file, kind, organisation, who loaded it, when, its
 * size, rows and outcome.
 */
int page_imports(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	return imports_page(req, resp, page_new("Imports"), NULL, NULL, NULL, err);
}

/* file_part: the upload's kind and file from a multipart body (parsed
 * with caps allowing the largest upload). */
static int file_part(struct web_request *req, const char **kind,
                     const struct multipart_field **file, struct cadre_err *err)
{
	struct multipart_limits lim = {.max_file_bytes = MULTIPART_CAP,
	                               .max_total_bytes = MULTIPART_CAP + 64 * 1024};
	const struct multipart_form *mf;
	int rc = web_req_multipart(req, &lim, &mf, err);
	if (rc != CADRE_OK)
		return rc;
	const struct multipart_field *k = multipart_get(mf, "kind");
	*kind = k && !k->filename ? k->data : "";
	*file = multipart_get(mf, "file");
	return CADRE_OK;
}

/* WEBPAGE: POST /imports
 * PERMISSION: imports.run
 * ORG: none
 * BODY: 64M
 * Upload a file: store it and queue its check.
 * multipart/form-data with kind and file.  Refused at once with the
 * reason beside the field: no kind, no file, an empty file, one that is
 * not CSV (binary, ZIP, JSON), one over the size limit, or a header that
 * is not the kind's (naming the column, or the kind it belongs to).
 * Otherwise the file is stored and you are sent to its page, where the
 * check's progress and problems appear.
 */
int page_import_upload(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	const char *kind = "";
	const struct multipart_field *file = NULL;
	json_t *ctx = page_new("Imports");
	const char *kind_err = NULL, *file_err = NULL;
	struct cadre_err e;
	if (file_part(req, &kind, &file, &e) != CADRE_OK) {
		file_err = page_error(ctx, "file", "Choose a CSV file to upload");
		resp->status = 400;
		return imports_page(req, resp, ctx, NULL, NULL, file_err, err);
	}
	const struct upload_kind *k = upload_kind_find(kind);
	if (!k)
		kind_err = page_error(ctx, "kind", "Choose the kind of file");
	if (!file || !file->filename || !file->filename[0])
		file_err = page_error(ctx, "file", "Choose a CSV file to upload");
	if (kind_err || file_err) {
		resp->status = 422;
		return imports_page(req, resp, ctx, kind, kind_err, file_err, err);
	}
	const struct upload_limits *lim = web_imports_limits();
	if (file->len > lim->max_bytes) {
		char msg[128];
		(void)snprintf(msg, sizeof msg, "The file must be smaller than %zu MB",
		               lim->max_bytes / (1024 * 1024));
		file_err = page_error(ctx, "file", msg);
		resp->status = 413;
		return imports_page(req, resp, ctx, kind, NULL, file_err, err);
	}
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc != CADRE_OK) {
		json_decref(ctx);
		return rc;
	}
	int64_t id = 0;
	rc = upload_create(req->actor, db, k, file->filename, file->data, file->len, lim,
	                   clk_of(req), &id, &e);
	if (rc == CADRE_EINVAL || rc == CADRE_EPERM) {
		if (rc == CADRE_EPERM)
			kind_err = page_error(ctx, "kind", e.msg);
		else
			file_err = page_error(ctx, "file", e.msg);
		resp->status = rc == CADRE_EPERM ? 403 : 422;
		return imports_page(req, resp, ctx, kind, kind_err, file_err, err);
	}
	json_decref(ctx);
	if (rc != CADRE_OK) {
		*err = e;
		return rc;
	}
	char to[48];
	(void)snprintf(to, sizeof to, "/imports/%" PRId64, id);
	return web_resp_redirect(resp, 303, to, err);
}

/* ---- one upload ---------------------------------------------------------------- */

struct problem_ctx {
	json_t *rows;
	int64_t last;
	bool api;
};

static int problem_row(const struct upload_problem *p, void *arg, struct cadre_err *err)
{
	(void)err;
	struct problem_ctx *c = arg;
	c->last = p->seq;
	if (c->api) {
		json_array_append_new(
		    c->rows,
		    json_pack("{s:I, s:o, s:o, s:s}", "seq", (json_int_t)p->seq, "line",
		              p->line ? json_integer(p->line) : json_null(), "column",
		              p->col ? json_integer(p->col) : json_null(), "reason", p->reason));
		return CADRE_OK;
	}
	char line[24] = "", col[24] = "";
	if (p->line)
		(void)snprintf(line, sizeof line, "%" PRId64, p->line);
	if (p->col)
		(void)snprintf(col, sizeof col, "%" PRId64, p->col);
	json_t *cells = json_pack("[{s:s, s:b, s:b, s:b}, {s:s, s:b, s:b, s:b}, {s:s, s:b, s:b, "
	                          "s:b}]",
	                          "text", p->line ? line : "-", "header", 0, "href", 0, "numeric",
	                          1, "text", p->col ? col : "-", "header", 0, "href", 0, "numeric",
	                          1, "text", p->reason, "header", 0, "href", 0, "numeric", 0);
	json_array_append_new(c->rows, json_pack("{s:o}", "cells", cells));
	return CADRE_OK;
}

static json_t *summary_row(const char *key, const char *value)
{
	return json_pack("{s:s, s:s, s:b}", "key", key, "value", value, "action", 0);
}

/* upload_page: an upload's page; refused ("commit", "discard" or NULL)
 * says a commit or discard was refused, and the summary at the top says
 * why, from the state the upload is in now. */
static int upload_page(struct web_request *req, struct web_response *resp, const char *refused,
                       const char *notice, struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	int64_t id = web_req_param_int(req, "id");
	struct upload u;
	if ((rc = upload_get(req->actor, db, id, clk_of(req), &u, err)) != CADRE_OK)
		return rc;
	const char *a = page_query_value(req, "after");
	int64_t after = 0;
	struct cadre_err e;
	if (a && (num_parse_i64(a, strlen(a), &after, &e) != CADRE_OK || after < 0))
		after = 0;
	struct problem_ctx pc = {.rows = json_array()};
	bool more = false;
	if ((rc = upload_problems(req->actor, db, id, after, PAGE_MAX, problem_row, &pc, &more,
	                          err)) != CADRE_OK) {
		json_decref(pc.rows);
		return rc;
	}
	char title[UPLOAD_NAME_MAX + 16];
	(void)snprintf(title, sizeof title, "Import of %s", u.file_name);
	json_t *ctx = page_new(title);
	if (refused)
		notice = upload_refusal(u.state, strcmp(refused, "commit") == 0);
	if (notice)
		(void)page_error(ctx, "actions", notice);
	char when[DATE_LONDON_SIZE], expires[DATE_LONDON_SIZE], size[32], rows[32], org[240];
	page_when(u.created_us, when);
	page_when(u.expires_us, expires);
	(void)snprintf(size, sizeof size, "%" PRId64 " bytes", u.size);
	(void)snprintf(rows, sizeof rows, "%" PRId64, u.rows);
	(void)snprintf(org, sizeof org, "%s (%s)", u.org_name, u.org_code);
	json_t *sl = json_array();
	json_array_append_new(sl, summary_row("State", state_text(u.state)));
	json_array_append_new(sl, summary_row("Kind", kind_title(u.kind)));
	json_array_append_new(sl, summary_row("File", u.file_name));
	json_array_append_new(sl, summary_row("Size", size));
	json_array_append_new(sl, summary_row("Organisation", org));
	json_array_append_new(sl, summary_row("Loaded by", u.owner_name));
	json_array_append_new(sl, summary_row("Loaded", when));
	json_array_append_new(sl, summary_row("Rows", rows));
	json_array_append_new(sl, summary_row("SHA-256", u.sha256));
	if (u.state == UPLOAD_COMMITTED) {
		char c[DATE_LONDON_SIZE];
		page_when(u.committed_us, c);
		json_array_append_new(sl, summary_row("Committed", c));
		json_array_append_new(sl, summary_row("Committed by", u.committed_by));
	} else if (u.state != UPLOAD_DISCARDED && u.state != UPLOAD_EXPIRED) {
		json_array_append_new(sl, summary_row("Expires", expires));
	}
	if (u.message[0])
		json_array_append_new(sl, summary_row("Outcome", u.message));
	(void)json_object_set_new(ctx, "summary", json_pack("{s:o}", "rows", sl));
	(void)json_object_set_new(ctx, "id", json_integer(u.id));
	(void)json_object_set_new(ctx, "running", json_boolean(running(u.state)));
	if (running(u.state)) {
		int pct = 0;
		if (u.progress_total > 0)
			pct = (int)(u.progress_done * 100 / u.progress_total);
		char p[64];
		(void)snprintf(p, sizeof p, "%d%% done", pct > 100 ? 100 : pct);
		(void)json_object_set_new(ctx, "progress", json_string(p));
		(void)web_resp_header(resp, "Refresh", REFRESH_SECS, err);
	}
	(void)json_object_set_new(ctx, "can_commit", json_boolean(u.state == UPLOAD_VALID));
	(void)json_object_set_new(
	    ctx, "can_discard",
	    json_boolean(u.state == UPLOAD_QUEUED || u.state == UPLOAD_VALIDATING ||
	                 u.state == UPLOAD_VALID || u.state == UPLOAD_INVALID));
	(void)json_object_set_new(ctx, "committed", json_boolean(u.state == UPLOAD_COMMITTED));
	(void)json_object_set_new(ctx, "expired", json_boolean(u.state == UPLOAD_EXPIRED));
	char count[64];
	(void)snprintf(count, sizeof count, "%" PRId64 " problem%s", u.problems,
	               u.problems == 1 ? "" : "s");
	(void)json_object_set_new(ctx, "problem_count", json_string(count));
	if (json_array_size(pc.rows))
		(void)json_object_set_new(
		    ctx, "problems",
		    json_pack("{s:s, s:[{s:s, s:b}, {s:s, s:b}, {s:s, s:b}], s:o}", "caption",
		              "Problems found, by line and column", "head", "text", "Line",
		              "numeric", 1, "text", "Column", "numeric", 1, "text", "Problem",
		              "numeric", 0, "rows", pc.rows));
	else {
		json_decref(pc.rows);
		(void)json_object_set_new(ctx, "problems", json_false());
	}
	if (more) {
		char next[64];
		(void)snprintf(next, sizeof next, "/imports/%" PRId64 "?after=%" PRId64, u.id,
		               pc.last);
		(void)json_object_set_new(ctx, "next", json_string(next));
	} else {
		(void)json_object_set_new(ctx, "next", json_false());
	}
	return page_render(req, resp, "import", ctx, err);
}

/* WEBPAGE: GET /imports/{id:int}
 * PERMISSION: imports.run
 * ORG: lookup page_upload_org
 * An upload: its state, progress and problems; commit or discard it.
 * States: waiting to be checked, being checked (with progress), ready to
 * commit, has problems (each with its line and column, 200 a page,
 * ?after= the last shown), being imported, imported, discarded, expired.
 * The page refreshes itself every 2 seconds while a job runs.
 */
int page_import(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	const char *refused = page_query_value(req, "refused");
	if (!refused || (strcmp(refused, "commit") != 0 && strcmp(refused, "discard") != 0))
		return upload_page(req, resp, NULL, NULL, err);
	return upload_page(req, resp, refused, NULL, err);
}

/* act: commit or discard from a page, then back to the upload's page (Post/
 * Redirect/Get, so a reload never posts again); when it could not be done
 * (a double submit, an expired upload) the page says why at the top. */
static int act(struct web_request *req, struct web_response *resp, bool commit,
               struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	int64_t id = web_req_param_int(req, "id");
	struct cadre_err e;
	rc = commit ? upload_commit(req->actor, db, id, clk_of(req), &e)
	            : upload_discard(req->actor, db, id, clk_of(req), &e);
	char to[64];
	(void)snprintf(to, sizeof to, "/imports/%" PRId64 "%s", id,
	               rc != CADRE_ECONFLICT ? ""
	               : commit              ? "?refused=commit"
	                                     : "?refused=discard");
	if (rc != CADRE_OK && rc != CADRE_ECONFLICT) {
		*err = e;
		return rc;
	}
	return web_resp_redirect(resp, 303, to, err);
}

/* WEBPAGE: POST /imports/{id:int}/commit
 * PERMISSION: imports.run
 * ORG: lookup page_upload_org
 * BODY: 16K
 * Commit a checked upload: import it, in one transaction, audited.
 * Only a valid upload can be committed, once: a second commit (a double
 * click, a resubmitted form) says it was already committed and imports
 * nothing; an expired upload says so (its file was deleted).
 */
int page_import_commit(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	return act(req, resp, true, err);
}

/* WEBPAGE: POST /imports/{id:int}/discard
 * PERMISSION: imports.run
 * ORG: lookup page_upload_org
 * BODY: 16K
 * Discard an upload that was not committed; its file is deleted.
 */
int page_import_discard(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	return act(req, resp, false, err);
}

/* ---- the API ------------------------------------------------------------------- */

/* API: GET /api/v1/imports
 * PERMISSION: imports.run
 * ORG: none
 * The import history: uploads in your scope, newest first.
 * {items: [upload], limit, next_cursor}.  Query: limit (1 to 200, default
 * 50), cursor (the next_cursor of the previous page).  Each upload: id,
 * kind, file_name, size_bytes, sha256, organisation, uploaded_by,
 * uploaded_at, expires_at, state (queued, validating, valid, invalid,
 * committing, committed, discarded, expired), progress {done, total},
 * rows, problems, message, committed_at, committed_by, audit_seq, links.
 */
int api_imports(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	static const char *const allowed[] = {"limit", "cursor", NULL};
	int64_t limit, cursor;
	int rc = query_params(req, resp, allowed, err);
	if (rc == CADRE_OK)
		rc = paging(req, resp, &limit, &cursor, err);
	if (rc != CADRE_OK)
		return rc;
	struct store *db;
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
		return rc;
	struct list_ctx l = {.rows = json_array(), .api = true};
	bool more = false;
	if ((rc = upload_list(req->actor, db, cursor, (size_t)limit, clk_of(req), list_row, &l,
	                      &more, err)) != CADRE_OK) {
		json_decref(l.rows);
		return rc;
	}
	char next[32];
	(void)snprintf(next, sizeof next, "%" PRId64, l.last);
	return page_json(resp,
	                 json_pack("{s:o, s:I, s:o}", "items", l.rows, "limit", (json_int_t)limit,
	                           "next_cursor", more ? json_string(next) : json_null()),
	                 err);
}

/* API: POST /api/v1/imports
 * PERMISSION: imports.run
 * ORG: none
 * BODY: 64M
 * Upload a file to import; its check is queued.
 * Either multipart/form-data with fields kind and file, or the CSV itself
 * as the body (Content-Type text/csv) with ?kind= and optionally ?name=
 * (the file name to record).  201 with the upload and a Location header;
 * then poll GET /api/v1/imports/{id} until its state is valid or invalid.
 * 413 over the size limit (over 64 MiB before the body is read); 422 for
 * a file that is not CSV or whose header is not the kind's, naming why;
 * 403 for a kind your role may not load.
 */
int api_import_upload(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	static const char *const allowed[] = {"kind", "name", NULL};
	int rc = query_params(req, resp, allowed, err);
	if (rc != CADRE_OK)
		return rc;
	const char *ct = web_req_header(req, "Content-Type");
	const char *kind = page_query_value(req, "kind");
	const char *name = page_query_value(req, "name");
	const char *data = NULL;
	size_t len = 0;
	if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0) {
		const struct multipart_field *file = NULL;
		const char *mk = "";
		if (file_part(req, &mk, &file, err) != CADRE_OK)
			return web_fail(resp, err, 400, "The multipart body is malformed: %s",
			                err->msg);
		if (!kind || !*kind)
			kind = mk;
		if (!file || !file->filename) {
			web_resp_field_error(resp, "file", "send the CSV as the part called file");
			return cadre_err_set(err, CADRE_EINVAL, "There is no file part.");
		}
		name = file->filename;
		data = file->data;
		len = file->len;
	} else if (ct && strncasecmp(ct, "text/csv", 8) == 0) {
		data = req->body ? req->body : "";
		len = req->body_len;
	} else {
		return web_fail(resp, err, 415,
		                "Send the file as multipart/form-data or as text/csv with ?kind=.");
	}
	const struct upload_kind *k = upload_kind_find(kind);
	if (!k) {
		web_resp_field_error(
		    resp, "kind",
		    "one of staff, establishment, temporary-staffing, cost-centres, "
		    "sickness, staff-in-post");
		return cadre_err_set(err, CADRE_EINVAL, "Say what kind of file this is.");
	}
	const struct upload_limits *lim = web_imports_limits();
	if (len > lim->max_bytes)
		return web_fail(resp, err, 413,
		                "The file is larger than uploads may be (%zu bytes).",
		                lim->max_bytes);
	struct store *db;
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
		return rc;
	int64_t id = 0;
	rc = upload_create(req->actor, db, k, name && *name ? name : "upload.csv", data, len, lim,
	                   clk_of(req), &id, err);
	if (rc == CADRE_EINVAL) {
		web_resp_field_error(resp, "file", err->msg);
		return rc;
	}
	if (rc != CADRE_OK)
		return rc;
	struct upload u;
	if ((rc = upload_get(req->actor, db, id, clk_of(req), &u, err)) != CADRE_OK)
		return rc;
	char loc[48];
	(void)snprintf(loc, sizeof loc, "/api/v1/imports/%" PRId64, id);
	if ((rc = web_resp_header(resp, "Location", loc, err)) != CADRE_OK)
		return rc;
	resp->status = 201;
	return page_json(resp, upload_json(&u), err);
}

/* API: GET /api/v1/imports/{id:int}
 * PERMISSION: imports.run
 * ORG: lookup page_upload_org
 * An upload's state, progress and problems.
 * The upload (as in the list) with errors: {items: [{seq, line, column,
 * reason}], limit, next_cursor}.  Query: limit (1 to 200, default 50) and
 * cursor (the errors' next_cursor) page the errors.
 */
int api_import(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	static const char *const allowed[] = {"limit", "cursor", NULL};
	int64_t limit, cursor;
	int rc = query_params(req, resp, allowed, err);
	if (rc == CADRE_OK)
		rc = paging(req, resp, &limit, &cursor, err);
	if (rc != CADRE_OK)
		return rc;
	struct store *db;
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK)
		return rc;
	int64_t id = web_req_param_int(req, "id");
	struct upload u;
	if ((rc = upload_get(req->actor, db, id, clk_of(req), &u, err)) != CADRE_OK)
		return rc;
	struct problem_ctx pc = {.rows = json_array(), .api = true};
	bool more = false;
	if ((rc = upload_problems(req->actor, db, id, cursor, (size_t)limit, problem_row, &pc,
	                          &more, err)) != CADRE_OK) {
		json_decref(pc.rows);
		return rc;
	}
	json_t *o = upload_json(&u);
	char next[32];
	(void)snprintf(next, sizeof next, "%" PRId64, pc.last);
	(void)json_object_set_new(o, "errors",
	                          json_pack("{s:o, s:I, s:o}", "items", pc.rows, "limit",
	                                    (json_int_t)limit, "next_cursor",
	                                    more ? json_string(next) : json_null()));
	return page_json(resp, o, err);
}

/* api_act: commit or discard for the API: the upload after, or a 409
 * (410 when expired) problem saying why not. */
static int api_act(struct web_request *req, struct web_response *resp, bool commit,
                   struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	int64_t id = web_req_param_int(req, "id");
	struct cadre_err e;
	rc = commit ? upload_commit(req->actor, db, id, clk_of(req), &e)
	            : upload_discard(req->actor, db, id, clk_of(req), &e);
	struct upload u;
	if (rc == CADRE_ECONFLICT) {
		if ((rc = upload_get(req->actor, db, id, clk_of(req), &u, err)) != CADRE_OK)
			return rc;
		if (u.state == UPLOAD_EXPIRED)
			return web_fail(resp, err, 410, "%s", e.msg);
		*err = e;
		return CADRE_ECONFLICT;
	}
	if (rc != CADRE_OK) {
		*err = e;
		return rc;
	}
	if ((rc = upload_get(req->actor, db, id, clk_of(req), &u, err)) != CADRE_OK)
		return rc;
	resp->status = commit ? 202 : 200;
	return page_json(resp, upload_json(&u), err);
}

/* API: POST /api/v1/imports/{id:int}/commit
 * PERMISSION: imports.run
 * ORG: lookup page_upload_org
 * BODY: 16K
 * Commit a valid upload: its import is queued (202).
 * Poll the upload until its state is committed.  409 when it cannot be
 * committed: already committed (a double submit imports nothing), being
 * committed, still being checked, has problems, or discarded; 410 when
 * it expired.
 */
int api_import_commit(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	return api_act(req, resp, true, err);
}

/* API: POST /api/v1/imports/{id:int}/discard
 * PERMISSION: imports.run
 * ORG: lookup page_upload_org
 * BODY: 16K
 * Discard an upload that was not committed; its file is deleted.
 * 409 when it was committed, is being committed or was discarded; 410
 * when it expired.
 */
int api_import_discard(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	return api_act(req, resp, false, err);
}
