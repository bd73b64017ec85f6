/* page_audit: the audit trail for administrators and auditors
 * (audit.read, through a grant over England: the trail is
 * deployment-wide). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/date.h"
#include "base/mem.h"
#include "domain/audit.h"
#include "web/auth.h"
#include "web/pages.h"
#include "web/router.h"
#include "web_routes.h"

/* the most entries a page shows: the newest ones from the date asked */
#define AUDIT_PAGE_MAX 200

struct shown {
	int64_t seq, at;
	char *actor, *action, *object;
};

/* newest: a ring of the last AUDIT_PAGE_MAX entries read (oldest first). */
struct newest {
	struct arena *a;
	struct shown v[AUDIT_PAGE_MAX];
	size_t n;     /* entries read in all */
	size_t start; /* the oldest kept, once the ring is full */
};

static int keep(const struct audit_entry *e, void *arg, struct cadre_err *err)
{
	(void)err;
	struct newest *w = arg;
	struct shown *s = &w->v[w->n % AUDIT_PAGE_MAX];
	s->seq = e->seq;
	s->at = e->at_us;
	s->actor = arena_strdup(w->a, e->actor);
	s->action = arena_strdup(w->a, e->action);
	s->object = arena_strdup(w->a, e->object);
	w->n++;
	return CADRE_OK;
}

/* WEBPAGE: GET /audit
 * PERMISSION: audit.read
 * ORG: none
 * The audit log: every change, sign-in and grant, newest first.
 * Shows the newest 200 entries from a date (from=YYYY-MM-DD, default a week
 * ago): who (account or system part), what, on which object, when.  The
 * entries are signed and chained; `cadre audit verify` checks them.
 */
int page_audit(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	json_t *ctx = page_new("Audit log");
	const struct clock *clk = web_auth_clock(req);
	int64_t now = clock_now(clk);
	const char *from = page_query_value(req, "from");
	char from_text[DATE_STR_SIZE];
	struct date d = date_ts_date(now - INT64_C(7) * 24 * 3600 * 1000000);
	const char *from_error = NULL;
	struct cadre_err e;
	if (from && *from && date_parse_iso(from, strlen(from), &d, &e) != CADRE_OK) {
		from_error = page_error(ctx, "from", "Enter a date like 2026-03-31");
		d = date_ts_date(now - INT64_C(7) * 24 * 3600 * 1000000);
	}
	date_format_iso(d, from_text);
	int64_t since = date_ts_from(d, 0, 0, 0, 0);

	struct store *db;
	struct arena a;
	arena_init(&a, 0);
	struct newest *w = xcalloc(1, sizeof *w);
	w->a = &a;
	int rc = web_req_db(req, &db, err);
	if (rc == CADRE_OK)
		rc = audit_log(req->actor, db, since, keep, w, err);
	if (rc != CADRE_OK) {
		free(w);
		arena_free(&a);
		json_decref(ctx);
		return rc;
	}
	json_t *entries = json_array();
	size_t shown = w->n < AUDIT_PAGE_MAX ? w->n : AUDIT_PAGE_MAX;
	for (size_t k = 0; k < shown; k++) {
		const struct shown *s = &w->v[(w->n - 1 - k) % AUDIT_PAGE_MAX];
		char when[DATE_LONDON_SIZE];
		page_when(s->at, when);
		json_array_append_new(entries,
		                      json_pack("{s:I, s:s, s:s, s:s, s:s}", "seq",
		                                (json_int_t)s->seq, "when", when, "actor", s->actor,
		                                "action", s->action, "object", s->object));
	}
	char summary[160];
	if (w->n == 0)
		(void)snprintf(summary, sizeof summary, "No entries since %s.", from_text);
	else if (w->n > AUDIT_PAGE_MAX)
		(void)snprintf(summary, sizeof summary,
		               "The newest %d of %zu entries since %s. Choose a later date to see "
		               "fewer.",
		               AUDIT_PAGE_MAX, w->n, from_text);
	else
		(void)snprintf(summary, sizeof summary, "%zu entr%s since %s, newest first.", w->n,
		               w->n == 1 ? "y" : "ies", from_text);
	free(w);
	arena_free(&a);
	(void)json_object_set_new(ctx, "summary", json_string(summary));
	(void)json_object_set_new(ctx, "entries", entries);
	(void)json_object_set_new(
	    ctx, "fields",
	    json_pack("{s:o}", "from",
	              page_input("from", "Entries from", NULL, from_error ? from : from_text, "off",
	                         "A date, like 2026-03-31", from_error)));
	if (from_error)
		resp->status = 422;
	return page_render(req, resp, "audit", ctx, err);
}
