/* page_assess: self-assessment rounds in the browser and the API: the list
 * of rounds and the form to open one (/assess), a round's status, close and
 * board sign-off (/assess/rounds/{id}), inviting respondents proposed from
 * Cadre's data (/invite), and the questionnaire (/answer).
 *
 * The domain (assess.h) checks every action against the actor again: the
 * router's permission says who may ask at all (toolkit.read to see a
 * round, toolkit.run to open, invite and close, toolkit.sign_off to sign,
 * toolkit.answer to answer), the domain that the actor is the respondent
 * invited (or a chief people officer answering for them).  A round outside
 * the actor's scope is "page not found", as one that does not exist.
 * Results, actions, exports, the board summary, benchmarks and good
 * practice are other pages (linked from here). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/date.h"
#include "base/num.h"
#include "domain/assess.h"
#include "domain/policy.h"
#include "domain/toolkit.h"
#include "web/auth.h"
#include "web/pages.h"
#include "web/router.h"
#include "web_routes.h"

#define ANSWER_BODY_FIELDS 200

/* ---- shared ---------------------------------------------------------------- */

/* page_assess_round_org: the organisation of the round /assess/rounds/{id}
 * names, for the router's scope check (404 for none, or one outside the
 * scope). */
int page_assess_round_org(struct web_request *req, int64_t *org_id, struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_conn(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	return assess_round_org(db, web_req_param_int(req, "id"), org_id, err);
}

static int round_of(struct web_request *req, struct store **db, struct assess_round_info *r,
                    struct cadre_err *err)
{
	int rc = web_req_db(req, db, err);
	if (rc == CADRE_OK)
		rc = assess_round_get(req->actor, *db, web_req_param_int(req, "id"), r, err);
	return rc;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static const char *status_text(const char *s)
{
	if (strcmp(s, "open") == 0)
		return "Open";
	if (strcmp(s, "closed") == 0)
		return "Closed";
	if (strcmp(s, "signed_off") == 0)
		return "Signed off by the board";
	return s;
}

static const char *state_text(const char *s)
{
	if (strcmp(s, "submitted") == 0)
		return "Submitted";
	if (strcmp(s, "in_progress") == 0)
		return "Draft saved";
	return "Not started";
}

/* when_text: an ISO timestamp the domain wrote, for people */
static void when_text(const char *iso, char out[DATE_LONDON_SIZE])
{
	int64_t us = 0;
	struct cadre_err e;
	if (!iso || !*iso || date_ts_parse(iso, strlen(iso), &us, &e) != CADRE_OK)
		(void)snprintf(out, DATE_LONDON_SIZE, "%s", iso ? iso : "");
	else
		page_when(us, out);
}

static const char *account_name(struct web_request *req)
{
	const struct account *a = web_auth_account(req);
	return a && a->name[0] ? a->name : "unknown";
}

static bool allowed_here(struct web_request *req, struct store *db, const char *perm, int64_t org)
{
	struct cadre_err e;
	return policy_check(req->actor, db, perm, org, &e) == CADRE_OK;
}

static json_t *cell(const char *text, const char *href, bool header, bool numeric)
{
	return json_pack("{s:s, s:o, s:b, s:b}", "text", text, "href",
	                 href ? json_string(href) : json_false(), "header", header, "numeric",
	                 numeric);
}

static json_t *head(const char *const *t, size_t n, size_t numeric_from)
{
	json_t *h = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    h, json_pack("{s:s, s:b}", "text", t[i], "numeric", i >= numeric_from));
	return h;
}

/* ---- /assess ---------------------------------------------------------------- */

/* open_fields: the open-a-round form, with values and errors so far */
static json_t *open_fields(struct web_request *req, struct store *db, bool posted,
                           const char *errs[3])
{
	const struct account *me = web_auth_account(req);
	const char *org = posted ? page_form_value(req, "org") : (me ? me->org_code : "");
	const char *period = posted ? page_form_value(req, "period") : "";
	const char *toolkit = posted ? page_form_value(req, "toolkit") : "";
	json_t *opts = json_array();
	json_array_append_new(
	    opts, page_option("", "The toolkit for the organisation's level", !*toolkit));
	struct toolkit_info *tl = NULL;
	size_t n = 0;
	struct cadre_err e;
	if (toolkit_list(req->actor, db, &tl, &n, &e) == CADRE_OK) {
		for (size_t i = 0; i < n; i++) {
			if (!tl[i].latest)
				continue;
			char text[400];
			(void)snprintf(text, sizeof text, "%s (version %" PRId64 ", for %s)",
			               tl[i].title, tl[i].version, tl[i].levels);
			json_array_append_new(
			    opts, page_option(tl[i].id, text, strcmp(toolkit, tl[i].id) == 0));
		}
		free(tl);
	}
	json_t *groups = json_array();
	for (size_t i = 0; i < assess_default_ngroups; i++) {
		const char *id = assess_default_groups[i].id;
		bool on = true;
		if (posted) {
			const struct form *f;
			on = false;
			if (web_req_form(req, &f, &e) == CADRE_OK)
				for (size_t k = 0; k < f->count; k++)
					if (strcmp(f->fields[k].name, "group") == 0 &&
					    strcmp(f->fields[k].value, id) == 0)
						on = true;
		}
		char fid[48];
		(void)snprintf(fid, sizeof fid, "group-%zu", i + 1);
		json_array_append_new(groups, json_pack("{s:s, s:s, s:s, s:b}", "id", fid, "value",
		                                        id, "text", assess_default_groups[i].label,
		                                        "checked", on));
	}
	bool split = posted && strcmp(page_form_value(req, "split_levels"), "yes") == 0;
	return json_pack(
	    "{s:o, s:o, s:o, s:o, s:o, s:b}", "org",
	    page_input("org", "Organisation", NULL, org, "off",
	               "Its ODS code, like RXC: a trust, an ICB or a region in your scope",
	               errs[0]),
	    "period",
	    page_input("period", "Period", NULL, period, "off", "The financial year, like 2025/26",
	               errs[1]),
	    "toolkit",
	    page_select("toolkit", "Toolkit", opts,
	                "By default the one toolkit for the organisation's level: the five "
	                "factors for trusts, commissioning competencies for ICBs and regions",
	                errs[2]),
	    "groups", groups, "groups_error", json_false(), "split_levels", split);
}

static int list_page(struct web_request *req, struct web_response *resp, json_t *ctx, bool posted,
                     const char *errs[3], struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_db(req, &db, err);
	json_t *rounds = NULL, *inv = NULL;
	if (rc == CADRE_OK)
		rc = assess_invitations_json(req->actor, db, &inv, err);
	if (rc == CADRE_OK && web_auth_allows(req, "toolkit.read"))
		rc = assess_rounds_json(req->actor, db, &rounds, err);
	if (rc != CADRE_OK) {
		json_decref(ctx);
		json_decref(inv);
		return rc;
	}
	json_t *mine = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(inv, i, v)
	{
		char href[64], title[300];
		(void)snprintf(href, sizeof href, "/assess/rounds/%" JSON_INTEGER_FORMAT "/answer",
		               json_integer_value(json_object_get(v, "id")));
		(void)snprintf(title, sizeof title, "%s (%s), %s", jstr(v, "org_name"),
		               jstr(v, "org"), jstr(v, "period"));
		json_array_append_new(mine, json_pack("{s:s, s:s, s:s, s:s}", "href", href, "title",
		                                      title, "group", jstr(v, "group_label"),
		                                      "state", state_text(jstr(v, "state"))));
	}
	json_decref(inv);
	(void)json_object_set_new(ctx, "invitations", mine);
	if (rounds && json_array_size(rounds)) {
		static const char *const h[] = {"Organisation", "Toolkit", "Period",
		                                "State",        "Invited", "Submitted"};
		json_t *rows = json_array();
		json_array_foreach(rounds, i, v)
		{
			char href[48], org[300], tk[300], inv_s[24], sub_s[24];
			(void)snprintf(href, sizeof href, "/assess/rounds/%" JSON_INTEGER_FORMAT,
			               json_integer_value(json_object_get(v, "id")));
			(void)snprintf(org, sizeof org, "%s (%s)", jstr(v, "org_name"),
			               jstr(v, "org"));
			(void)snprintf(tk, sizeof tk, "%s, version %" JSON_INTEGER_FORMAT,
			               jstr(v, "toolkit_title"),
			               json_integer_value(json_object_get(v, "toolkit_version")));
			(void)snprintf(inv_s, sizeof inv_s, "%" JSON_INTEGER_FORMAT,
			               json_integer_value(json_object_get(v, "invited")));
			(void)snprintf(sub_s, sizeof sub_s, "%" JSON_INTEGER_FORMAT,
			               json_integer_value(json_object_get(v, "submitted")));
			json_array_append_new(
			    rows,
			    json_pack("{s:[o, o, o, o, o, o]}", "cells",
			              cell(org, href, true, false), cell(tk, NULL, false, false),
			              cell(jstr(v, "period"), NULL, false, false),
			              cell(status_text(jstr(v, "status")), NULL, false, false),
			              cell(inv_s, NULL, false, true),
			              cell(sub_s, NULL, false, true)));
		}
		(void)json_object_set_new(ctx, "rounds",
		                          json_pack("{s:s, s:o, s:o}", "caption",
		                                    "Rounds of your organisations", "head",
		                                    head(h, 6, 4), "rows", rows));
	} else {
		(void)json_object_set_new(ctx, "rounds", json_false());
	}
	json_decref(rounds);
	(void)json_object_set_new(ctx, "can_read",
	                          json_boolean(web_auth_allows(req, "toolkit.read")));
	bool can_open = web_auth_allows(req, "toolkit.run");
	(void)json_object_set_new(ctx, "can_open", json_boolean(can_open));
	(void)json_object_set_new(ctx, "fields",
	                          can_open ? open_fields(req, db, posted, errs) : json_false());
	return page_render(req, resp, "assess", ctx, err);
}

/* WEBPAGE: GET /assess
 * PERMISSION: toolkit.answer
 * ORG: none
 * Self-assessment: your questionnaires, your organisations' rounds, and
 * opening a round.
 * The open rounds you are invited to answer, with where you are in each;
 * with toolkit.read, every round of the organisations in your scope (its
 * toolkit and version, period, state and how many have submitted); with
 * toolkit.run (chief people officers), the form to open a round.
 */
int page_assess(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	const char *errs[3] = {NULL, NULL, NULL};
	json_t *ctx = page_new("Self-assessment");
	const char *done = page_query_value(req, "done");
	(void)json_object_set_new(ctx, "done",
	                          done && strcmp(done, "submitted") == 0
	                              ? json_string("Your answers have been submitted. Thank you.")
	                              : json_false());
	return list_page(req, resp, ctx, false, errs, err);
}

/* WEBPAGE: POST /assess
 * PERMISSION: toolkit.run
 * ORG: none
 * BODY: 16K
 * Open a round, then choose its respondents.
 * Organisation (an ODS code in your scope), period (2025/26), toolkit (by
 * default the one for the organisation's level) and the respondent groups
 * (board members, senior leaders, line managers, workforce planners;
 * senior leaders may be split by leadership level).  Audited; goes on to
 * the invitation page.
 */
int page_assess_open(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	int rc = page_form(req, err);
	if (rc != CADRE_OK)
		return rc;
	const char *org = page_form_value(req, "org");
	const char *period_s = page_form_value(req, "period");
	const char *toolkit = page_form_value(req, "toolkit");
	bool split = strcmp(page_form_value(req, "split_levels"), "yes") == 0;
	json_t *ctx = page_new("Self-assessment");
	(void)json_object_set_new(ctx, "done", json_false());
	const char *errs[3] = {NULL, NULL, NULL};
	int period = 0;
	struct cadre_err e;
	if (!*org)
		errs[0] = page_error(ctx, "org", "Enter the code of the organisation");
	if (!*period_s)
		errs[1] = page_error(ctx, "period", "Enter the period, like 2025/26");
	else if (date_fy_parse(period_s, strlen(period_s), &period, &e) != CADRE_OK)
		errs[1] =
		    page_error(ctx, "period", "Enter the period as a financial year, like 2025/26");
	/* the groups ticked, in the default order; senior leaders split by level */
	struct assess_group_spec groups[ASSESS_GROUPS_MAX];
	size_t ng = 0;
	const struct form *f;
	if (web_req_form(req, &f, &e) == CADRE_OK) {
		for (size_t i = 0; i < assess_default_ngroups; i++) {
			bool on = false;
			for (size_t k = 0; k < f->count; k++)
				if (strcmp(f->fields[k].name, "group") == 0 &&
				    strcmp(f->fields[k].value, assess_default_groups[i].id) == 0)
					on = true;
			if (!on)
				continue;
			if (split && strcmp(assess_default_groups[i].id, "senior_leaders") == 0) {
				for (size_t l = 0; l < assess_level_ngroups; l++)
					groups[ng++] = assess_level_groups[l];
			} else {
				groups[ng++] = assess_default_groups[i];
			}
		}
	}
	bool groups_error = ng == 0;
	if (groups_error)
		(void)page_error(ctx, "group-1", "Choose at least one group of respondents");
	if (errs[0] || errs[1] || groups_error) {
		resp->status = 422;
		rc = list_page(req, resp, ctx, true, errs, err);
		return rc;
	}
	struct store *db;
	if ((rc = web_req_db(req, &db, err)) != CADRE_OK) {
		json_decref(ctx);
		return rc;
	}
	struct assess_open_req o = {
	    .ref = {.org = org, .period = period, .toolkit = *toolkit ? toolkit : NULL},
	    .groups = groups,
	    .ngroups = ng,
	    .opened_by = account_name(req)};
	int64_t id = 0;
	rc = assess_open(req->actor, db, web_auth_key(req), &o, web_auth_clock(req), &id, &e);
	if (rc == CADRE_ENOTFOUND || rc == CADRE_EPERM) {
		errs[0] = page_error(ctx, "org",
		                     "Enter the code of an organisation in your scope, like RXC");
	} else if (rc == CADRE_ECONFLICT) {
		errs[1] = page_error(ctx, "period", e.msg);
	} else if (rc == CADRE_EINVAL) {
		errs[2] = page_error(ctx, "toolkit", e.msg);
	} else if (rc != CADRE_OK) {
		json_decref(ctx);
		return cadre_err_set(err, rc, "%s", e.msg);
	}
	if (rc != CADRE_OK) {
		resp->status = rc == CADRE_ECONFLICT ? 409 : 422;
		return list_page(req, resp, ctx, true, errs, err);
	}
	json_decref(ctx);
	char href[64];
	(void)snprintf(href, sizeof href, "/assess/rounds/%" PRId64 "/invite", id);
	return web_resp_redirect(resp, 303, href, err);
}

/* ---- /assess/rounds/{id} ------------------------------------------------------ */

static const char *round_done(const char *done)
{
	static const struct {
		const char *key, *text;
	} t[] = {
	    {"opened", "The round is open."},
	    {"invited", "The respondents have been invited."},
	    {"closed", "The round is closed: no more answers. Its evidence is frozen."},
	    {"already-closed", "The round was already closed."},
	    {"signed", "The results have been signed off for the board."},
	};
	for (size_t i = 0; done && i < sizeof t / sizeof t[0]; i++)
		if (strcmp(done, t[i].key) == 0)
			return t[i].text;
	return NULL;
}

static json_t *links(int64_t id, bool closed)
{
	static const struct {
		const char *path, *text;
		bool closed_only;
	} l[] = {
	    {"results", "Results", false},
	    {"summary", "Board summary", true},
	    {"actions", "Action plan", true},
	    {"export.csv", "Export as CSV", false},
	    {"export.json", "Export as JSON", false},
	};
	json_t *a = json_array();
	for (size_t i = 0; i < sizeof l / sizeof l[0]; i++) {
		if (l[i].closed_only && !closed)
			continue;
		char href[80];
		(void)snprintf(href, sizeof href, "/assess/rounds/%" PRId64 "/%s", id, l[i].path);
		json_array_append_new(a, json_pack("{s:s, s:s}", "href", href, "text", l[i].text));
	}
	return a;
}

/* round_page: a round's page; ctx may carry errors from a form on it */
static int round_page(struct web_request *req, struct web_response *resp, json_t *ctx,
                      const char *confirm_error, struct cadre_err *err)
{
	struct store *db;
	struct assess_round_info r;
	int rc = round_of(req, &db, &r, err);
	json_t *st = NULL, *rep = NULL;
	struct assess_ref ref = assess_round_ref(&r);
	if (rc == CADRE_OK)
		rc = assess_status_json(req->actor, db, &ref, &st, err);
	bool open = strcmp(r.status, "open") == 0;
	if (rc == CADRE_OK && !open)
		rc = assess_report_json(req->actor, db, &ref, &rep, err);
	if (rc != CADRE_OK) {
		json_decref(ctx);
		json_decref(st);
		return rc;
	}
	const json_t *round = json_object_get(st, "round");
	char title[400], opened[DATE_LONDON_SIZE], closed[DATE_LONDON_SIZE];
	(void)snprintf(title, sizeof title, "%s: self-assessment %s", r.org_name,
	               jstr(round, "period"));
	when_text(jstr(round, "opened_at"), opened);
	when_text(jstr(round, "closed_at"), closed);
	char opened_s[DATE_LONDON_SIZE + ASSESS_NAME_MAX + 8], closed_s[sizeof opened_s], tk[128];
	(void)snprintf(opened_s, sizeof opened_s, "%s by %s", opened, jstr(round, "opened_by"));
	(void)snprintf(closed_s, sizeof closed_s, "%s by %s", closed, jstr(round, "closed_by"));
	(void)snprintf(tk, sizeof tk, "%s, version %" PRId64, r.toolkit, r.version);
	char org[300];
	(void)snprintf(org, sizeof org, "%s (%s)", r.org_name, r.org);
	json_t *rows =
	    json_pack("[{s:s, s:s, s:b}, {s:s, s:s, s:b}, {s:s, s:s, s:b}, {s:s, s:s, "
	              "s:b}, {s:s, s:s, s:b}]",
	              "key", "Organisation", "value", org, "action", 0, "key", "Period", "value",
	              jstr(round, "period"), "action", 0, "key", "Toolkit", "value", tk, "action",
	              0, "key", "State", "value", status_text(r.status), "action", 0, "key",
	              "Opened", "value", opened_s, "action", 0);
	if (!open)
		json_array_append_new(rows, json_pack("{s:s, s:s, s:b}", "key", "Closed", "value",
		                                      closed_s, "action", 0));
	/* participation by group, while it is open (and as it ended) */
	static const char *const h[] = {"Group", "Invited", "Not started", "Draft saved",
	                                "Submitted"};
	json_t *prow = json_array();
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(st, "groups"), i, g)
	{
		char a[4][24];
		const char *k[4] = {"invited", "not_started", "in_progress", "submitted"};
		for (int j = 0; j < 4; j++)
			(void)snprintf(a[j], sizeof a[j], "%" JSON_INTEGER_FORMAT,
			               json_integer_value(json_object_get(g, k[j])));
		json_array_append_new(
		    prow, json_pack("{s:[o, o, o, o, o]}", "cells",
		                    cell(jstr(g, "label"), NULL, true, false),
		                    cell(a[0], NULL, false, true), cell(a[1], NULL, false, true),
		                    cell(a[2], NULL, false, true), cell(a[3], NULL, false, true)));
	}
	const json_t *all = json_object_get(st, "participation");
	char a[4][24];
	const char *k[4] = {"invited", "not_started", "in_progress", "submitted"};
	for (int j = 0; j < 4; j++)
		(void)snprintf(a[j], sizeof a[j], "%" JSON_INTEGER_FORMAT,
		               json_integer_value(json_object_get(all, k[j])));
	json_array_append_new(
	    prow, json_pack("{s:[o, o, o, o, o]}", "cells", cell("All groups", NULL, true, false),
	                    cell(a[0], NULL, false, true), cell(a[1], NULL, false, true),
	                    cell(a[2], NULL, false, true), cell(a[3], NULL, false, true)));
	/* the sign-off: who signed what when */
	json_t *signoff = json_false();
	const json_t *so = rep ? json_object_get(rep, "signoff") : NULL;
	if (json_is_object(so)) {
		char when[DATE_LONDON_SIZE];
		when_text(jstr(so, "signed_at"), when);
		const json_t *res = json_object_get(rep, "results");
		json_t *fs = json_array();
		json_t *f;
		json_array_foreach(json_object_get(res, "factors"), i, f)
		{
			char sc[32];
			const json_t *s = json_object_get(f, "score");
			if (json_is_number(s))
				(void)snprintf(sc, sizeof sc, "%.2f", json_number_value(s));
			else
				(void)snprintf(sc, sizeof sc, "not shown");
			json_array_append_new(fs,
			                      json_pack("{s:[o, o]}", "cells",
			                                cell(jstr(f, "title"), NULL, true, false),
			                                cell(sc, NULL, false, true)));
		}
		char overall[32];
		const json_t *ov = json_object_get(res, "overall");
		if (json_is_number(ov))
			(void)snprintf(overall, sizeof overall, "%.2f", json_number_value(ov));
		else
			(void)snprintf(overall, sizeof overall, "not shown");
		json_array_append_new(fs, json_pack("{s:[o, o]}", "cells",
		                                    cell("Overall", NULL, true, false),
		                                    cell(overall, NULL, false, true)));
		static const char *const fh[] = {"Factor", "Score as signed"};
		signoff = json_pack(
		    "{s:s, s:s, s:s, s:I, s:{s:s, s:o, s:o}}", "by", jstr(so, "signed_by"), "when",
		    when, "sha256", jstr(so, "results_sha256"), "audit_seq",
		    json_integer_value(json_object_get(so, "audit_seq")), "scores", "caption",
		    "The results as signed", "head", head(fh, 2, 1), "rows", fs);
	}
	bool can_run = allowed_here(req, db, "toolkit.run", r.org_id);
	bool can_sign = allowed_here(req, db, "toolkit.sign_off", r.org_id);
	const char *done = round_done(page_query_value(req, "done"));
	char me[ASSESS_ID_MAX];
	struct cadre_err e;
	bool invited = false;
	if (open && assess_self_respondent(req->actor, db, me, &e) == CADRE_OK) {
		json_t *q = NULL;
		invited = assess_questionnaire_json(req->actor, db, &ref, me, &q, &e) == CADRE_OK;
		json_decref(q);
	}
	(void)json_object_set_new(ctx, "page_title", json_string(title));
	(void)json_object_set_new(ctx, "done", done ? json_string(done) : json_false());
	(void)json_object_set_new(ctx, "round_id", json_integer(r.id));
	(void)json_object_set_new(ctx, "details", json_pack("{s:o}", "rows", rows));
	(void)json_object_set_new(
	    ctx, "participation",
	    json_pack("{s:s, s:o, s:o}", "caption",
	              open ? "Participation so far, by group" : "Participation, by group", "head",
	              head(h, 5, 1), "rows", prow));
	(void)json_object_set_new(ctx, "open", json_boolean(open));
	(void)json_object_set_new(ctx, "invited", json_boolean(invited));
	(void)json_object_set_new(ctx, "can_invite", json_boolean(open && can_run));
	(void)json_object_set_new(ctx, "can_close", json_boolean(open && can_run));
	(void)json_object_set_new(ctx, "can_sign",
	                          json_boolean(strcmp(r.status, "closed") == 0 && can_sign));
	(void)json_object_set_new(ctx, "signer", json_string(account_name(req)));
	(void)json_object_set_new(ctx, "confirm_error",
	                          confirm_error ? json_string(confirm_error) : json_false());
	(void)json_object_set_new(ctx, "signoff", signoff);
	(void)json_object_set_new(ctx, "links", links(r.id, !open));
	json_decref(st);
	json_decref(rep);
	return page_render(req, resp, "assess_round", ctx, err);
}

/* WEBPAGE: GET /assess/rounds/{id:int}
 * PERMISSION: toolkit.read
 * ORG: lookup page_assess_round_org
 * A round: its state, participation by group, closing and board sign-off.
 * The organisation, period, toolkit version and who opened and closed it;
 * how many of each group are invited, have saved a draft and have
 * submitted (counts are shown for every group: only scores are
 * suppressed); chief people officers invite and close, board members sign
 * off a closed round; after sign-off, who signed which results (their
 * SHA-256 and the scores as signed) when.
 */
int page_assess_round(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	return round_page(req, resp, page_new("Self-assessment round"), NULL, err);
}

static int redirect_round(struct web_request *req, struct web_response *resp, const char *done,
                          struct cadre_err *err)
{
	char href[80];
	(void)snprintf(href, sizeof href, "/assess/rounds/%" PRId64 "?done=%s",
	               web_req_param_int(req, "id"), done);
	return web_resp_redirect(resp, 303, href, err);
}

/* WEBPAGE: POST /assess/rounds/{id:int}/close
 * PERMISSION: toolkit.run
 * ORG: lookup page_assess_round_org
 * BODY: 4K
 * Close a round: no more answers; its automatic evidence is frozen.
 * Drafts never submitted are left out of the results.  Closing a closed
 * round changes nothing.  Audited.
 */
int page_assess_close(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	struct store *db;
	struct assess_round_info r;
	int rc = round_of(req, &db, &r, err);
	if (rc != CADRE_OK)
		return rc;
	if (strcmp(r.status, "open") != 0)
		return redirect_round(req, resp, "already-closed", err);
	struct assess_ref ref = assess_round_ref(&r);
	if ((rc = assess_close(req->actor, db, web_auth_key(req), &ref, account_name(req),
	                       web_auth_clock(req), err)) != CADRE_OK)
		return rc;
	return redirect_round(req, resp, "closed", err);
}

/* WEBPAGE: POST /assess/rounds/{id:int}/sign-off
 * PERMISSION: toolkit.sign_off
 * ORG: lookup page_assess_round_org
 * BODY: 4K
 * Sign off a closed round's results for the board.
 * Needs confirm=yes.  The results document is stored as signed (canonical
 * JSON and its SHA-256) with your name and the time, in an audited row; an
 * open round, or one already signed, is a conflict (409).
 */
int page_assess_sign_off(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	int rc = page_form(req, err);
	if (rc != CADRE_OK)
		return rc;
	json_t *ctx = page_new("Self-assessment round");
	if (strcmp(page_form_value(req, "confirm"), "yes") != 0) {
		const char *m =
		    page_error(ctx, "confirm", "Confirm that you sign these results for the board");
		resp->status = 422;
		return round_page(req, resp, ctx, m, err);
	}
	struct store *db;
	struct assess_round_info r;
	if ((rc = round_of(req, &db, &r, err)) != CADRE_OK) {
		json_decref(ctx);
		return rc;
	}
	struct assess_ref ref = assess_round_ref(&r);
	struct cadre_err e;
	rc = assess_sign_off(req->actor, db, web_auth_key(req), &ref, account_name(req),
	                     web_auth_clock(req), NULL, &e);
	if (rc == CADRE_ECONFLICT) {
		const char *m = page_error(ctx, "confirm", e.msg);
		resp->status = 409;
		return round_page(req, resp, ctx, m, err);
	}
	json_decref(ctx);
	if (rc != CADRE_OK)
		return cadre_err_set(err, rc, "%s", e.msg);
	return redirect_round(req, resp, "signed", err);
}

/* ---- /assess/rounds/{id}/invite ------------------------------------------------ */

/* invite_page: the proposals, with errors (per group, by index) so far */
static int invite_page(struct web_request *req, struct web_response *resp, json_t *ctx,
                       json_t *group_errors, struct cadre_err *err)
{
	struct store *db;
	struct assess_round_info r;
	int rc = round_of(req, &db, &r, err);
	json_t *p = NULL;
	struct assess_ref ref = assess_round_ref(&r);
	bool open = rc == CADRE_OK && strcmp(r.status, "open") == 0;
	if (open)
		rc = assess_invite_propose(req->actor, db, &ref, &p, err);
	if (rc != CADRE_OK) {
		json_decref(ctx);
		json_decref(group_errors);
		return rc;
	}
	char title[300];
	(void)snprintf(title, sizeof title, "Invite respondents: %s %s", r.org_name,
	               p ? jstr(json_object_get(p, "round"), "period") : "");
	json_t *groups = json_array();
	size_t gi;
	json_t *g;
	json_array_foreach(p ? json_object_get(p, "groups") : NULL, gi, g)
	{
		json_t *items = json_array(), *already = json_array();
		size_t ci;
		json_t *c;
		json_array_foreach(json_object_get(g, "candidates"), ci, c)
		{
			char text[ASSESS_NAME_MAX + ASSESS_ID_MAX + 8];
			(void)snprintf(text, sizeof text, "%s (%s)", jstr(c, "name"),
			               jstr(c, "id"));
			if (json_is_true(json_object_get(c, "invited"))) {
				json_array_append_new(already, json_string(text));
				continue;
			}
			char id[64], value[ASSESS_ID_MAX * 2 + 2];
			(void)snprintf(id, sizeof id, "invite-%zu-%zu", gi + 1, ci + 1);
			(void)snprintf(value, sizeof value, "%s:%s", jstr(g, "id"), jstr(c, "id"));
			json_array_append_new(items,
			                      json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", id,
			                                "value", value, "text", text, "hint",
			                                jstr(c, "source"), "checked", 1));
		}
		char more[160] = "", add_id[48];
		json_int_t nmore = json_integer_value(json_object_get(g, "more"));
		if (nmore)
			(void)snprintf(more, sizeof more,
			               "%" JSON_INTEGER_FORMAT
			               " more are not listed here: add them by "
			               "their ids below.",
			               nmore);
		(void)snprintf(add_id, sizeof add_id, "add-%s", jstr(g, "id"));
		const char *gerr = json_string_value(json_array_get(group_errors, gi));
		json_array_append_new(
		    groups,
		    json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:o}", "gid", jstr(g, "id"),
		              "label", jstr(g, "label"), "rule", jstr(g, "rule"), "items", items,
		              "already", already, "more", more, "add_id", add_id, "add_value",
		              page_form_value(req, add_id), "add_error",
		              gerr ? json_string(gerr) : json_false()));
	}
	(void)json_object_set_new(ctx, "page_title", json_string(title));
	(void)json_object_set_new(ctx, "round_id", json_integer(r.id));
	(void)json_object_set_new(ctx, "open", json_boolean(open));
	(void)json_object_set_new(ctx, "as_of",
	                          p && json_is_string(json_object_get(p, "as_of"))
	                              ? json_string(jstr(p, "as_of"))
	                              : json_false());
	(void)json_object_set_new(ctx, "groups", groups);
	json_decref(p);
	json_decref(group_errors);
	return page_render(req, resp, "assess_invite", ctx, err);
}

/* WEBPAGE: GET /assess/rounds/{id:int}/invite
 * PERMISSION: toolkit.run
 * ORG: lookup page_assess_round_org
 * Choose a round's respondents from Cadre's data.
 * For each group, the people Cadre proposes: accounts by their role over
 * the organisation, and from the staff extract senior leaders by
 * leadership level and line managers (staff who manage someone in post);
 * each ticked, to untick, with a box to add others by id.  A closed round
 * says so.
 */
int page_assess_invite_form(struct web_request *req, struct web_response *resp,
                            struct cadre_err *err)
{
	return invite_page(req, resp, page_new("Invite respondents"), NULL, err);
}

static bool id_ok(const char *s, size_t n)
{
	if (n == 0 || n >= ASSESS_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '@' || c == '-'))
			return false;
	}
	return true;
}

/* WEBPAGE: POST /assess/rounds/{id:int}/invite
 * PERMISSION: toolkit.run
 * ORG: lookup page_assess_round_org
 * BODY: 256K
 * Invite the people ticked (invite=GROUP:ID, repeated) and those added by id
 * (add-GROUP: ids separated by spaces, commas or new lines).
 * Each group is invited in one audited transaction; an id already invited
 * or not an id is a field error on its group's box.
 */
int page_assess_invite(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	int rc = page_form(req, err);
	if (rc != CADRE_OK)
		return rc;
	const struct form *f;
	if ((rc = web_req_form(req, &f, err)) != CADRE_OK)
		return rc;
	struct store *db;
	struct assess_round_info r;
	if ((rc = round_of(req, &db, &r, err)) != CADRE_OK)
		return rc;
	struct assess_ref ref = assess_round_ref(&r);
	json_t *p = NULL;
	struct cadre_err e;
	if ((rc = assess_invite_propose(req->actor, db, &ref, &p, &e)) != CADRE_OK)
		return cadre_err_set(err, rc, "%s", e.msg);
	json_t *ctx = page_new("Invite respondents");
	json_t *gerrs = json_array();
	size_t total = 0, gi;
	json_t *g;
	json_array_foreach(json_object_get(p, "groups"), gi, g)
	{
		const char *gid = jstr(g, "id");
		size_t glen = strlen(gid);
		const char **ids = xcalloc(f->count + 1, sizeof *ids);
		size_t n = 0;
		const char *bad = NULL;
		for (size_t k = 0; k < f->count; k++)
			if (strcmp(f->fields[k].name, "invite") == 0 &&
			    strncmp(f->fields[k].value, gid, glen) == 0 &&
			    f->fields[k].value[glen] == ':')
				ids[n++] = f->fields[k].value + glen + 1;
		char add_id[48];
		(void)snprintf(add_id, sizeof add_id, "add-%s", gid);
		const char *add = page_form_value(req, add_id);
		/* split the added ids into the request's arena */
		size_t alen = strlen(add);
		char *copy = web_req_alloc(req, alen + 1);
		memcpy(copy, add, alen + 1);
		char *s = copy;
		while (*s && !bad) {
			while (*s == ' ' || *s == ',' || *s == '\n' || *s == '\r' || *s == '\t')
				*s++ = '\0';
			if (!*s)
				break;
			char *t = s;
			while (*s && *s != ' ' && *s != ',' && *s != '\n' && *s != '\r' &&
			       *s != '\t')
				s++;
			if (!id_ok(t, (size_t)(s - t))) {
				bad = "Enter ids of letters, digits, '.', '_', '@' and '-', "
				      "separated by "
				      "spaces or new lines";
				break;
			}
			if (*s)
				*s++ = '\0';
			ids[n++] = t;
		}
		/* an id ticked and typed, or typed twice, counts once */
		size_t m = 0;
		for (size_t k = 0; k < n; k++) {
			bool dup = false;
			for (size_t j = 0; j < m; j++)
				if (strcmp(ids[j], ids[k]) == 0)
					dup = true;
			if (!dup)
				ids[m++] = ids[k];
		}
		if (!bad && m) {
			rc = assess_invite(req->actor, db, web_auth_key(req), &ref, gid, ids, m,
			                   web_auth_clock(req), &e);
			if (rc == CADRE_ECONFLICT || rc == CADRE_EINVAL)
				bad = e.msg;
			else if (rc != CADRE_OK) {
				free(ids);
				json_decref(p);
				json_decref(ctx);
				json_decref(gerrs);
				return cadre_err_set(err, rc, "%s", e.msg);
			} else {
				total += m;
			}
		}
		free(ids);
		if (bad) {
			(void)page_error(ctx, add_id, bad);
			json_array_append_new(gerrs, json_string(bad));
		} else {
			json_array_append_new(gerrs, json_null());
		}
	}
	json_decref(p);
	if (json_array_size(json_object_get(ctx, "errors"))) {
		resp->status = 422;
		return invite_page(req, resp, ctx, gerrs, err);
	}
	json_decref(gerrs);
	if (total == 0) {
		json_decref(ctx);
		ctx = page_new("Invite respondents");
		(void)page_error(ctx, "invite-form", "Choose or add at least one respondent");
		resp->status = 422;
		return invite_page(req, resp, ctx, NULL, err);
	}
	json_decref(ctx);
	return redirect_round(req, resp, "invited", err);
}

/* ---- /assess/rounds/{id}/answer ------------------------------------------------ */

/* respondent_of: who is answering: the form's or query's respondent (a
 * chief people officer answering for someone; the domain checks), else the
 * signed-in account */
static int respondent_of(struct web_request *req, struct store *db, bool post,
                         char out[ASSESS_ID_MAX], struct cadre_err *err)
{
	const char *given =
	    post ? page_form_value(req, "respondent") : page_query_value(req, "respondent");
	if (given && *given) {
		if (strlen(given) >= ASSESS_ID_MAX)
			return cadre_err_set(err, CADRE_ENOTFOUND, "not a respondent");
		(void)snprintf(out, ASSESS_ID_MAX, "%s", given);
		return CADRE_OK;
	}
	return assess_self_respondent(req->actor, db, out, err);
}

/* scores and notes as posted, per statement (NULL: not in the form) */
struct posted {
	const char **score;
	const char **note;
};

/* answer_page: the questionnaire q (stolen) as a form, with the values
 * posted (may be NULL) and errors already in ctx */
static int answer_page(struct web_request *req, struct web_response *resp, json_t *ctx, json_t *q,
                       const struct posted *pv, json_t *field_errors, const char *respondent,
                       bool for_other, struct cadre_err *err)
{
	const json_t *round = json_object_get(q, "round");
	bool open = strcmp(jstr(round, "status"), "open") == 0;
	bool submitted = strcmp(jstr(q, "state"), "submitted") == 0;
	bool editable = open && !submitted;
	json_t *factors = json_array();
	size_t fi, si, n = 0;
	json_t *f, *s;
	json_array_foreach(json_object_get(q, "factors"), fi, f)
	{
		json_t *stmts = json_array();
		json_array_foreach(json_object_get(f, "statements"), si, s)
		{
			const char *sid = jstr(s, "id");
			char fid[96], nid[96];
			(void)snprintf(fid, sizeof fid, "score-%s", sid);
			(void)snprintf(nid, sizeof nid, "note-%s", sid);
			const json_t *sc = json_object_get(s, "score");
			char saved[16] = "";
			if (json_is_integer(sc))
				(void)snprintf(saved, sizeof saved, "%" JSON_INTEGER_FORMAT,
				               json_integer_value(sc));
			const char *chosen = pv && pv->score[n] ? pv->score[n] : saved;
			json_t *items = json_array();
			size_t li;
			json_t *lv;
			json_array_foreach(json_object_get(s, "levels"), li, lv)
			{
				char iid[128], val[24], text[200];
				if (li == 0)
					(void)snprintf(iid, sizeof iid, "%s", fid);
				else
					(void)snprintf(iid, sizeof iid, "%s-%zu", fid, li + 1);
				(void)snprintf(val, sizeof val, "%" JSON_INTEGER_FORMAT,
				               json_integer_value(json_object_get(lv, "value")));
				(void)snprintf(text, sizeof text, "%s: %s", val, jstr(lv, "label"));
				json_array_append_new(
				    items, json_pack("{s:s, s:s, s:s, s:b, s:s, s:s}", "id", iid,
				                     "value", val, "text", text, "checked",
				                     strcmp(chosen, val) == 0, "item_hint",
				                     jstr(lv, "descriptor"), "name", fid));
			}
			char dk[112];
			(void)snprintf(dk, sizeof dk, "%s-dk", fid);
			json_array_append_new(items,
			                      json_pack("{s:s, s:s, s:s, s:b, s:b, s:s}", "id", dk,
			                                "value", "0", "text", "Don't know",
			                                "checked", strcmp(chosen, "0") == 0,
			                                "item_hint", 0, "name", fid));
			const char *ferr = json_string_value(json_object_get(field_errors, fid));
			json_t *radios = json_pack(
			    "{s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:s, s:b}", "id", fid, "name", fid,
			    "legend", jstr(s, "text"), "items", items, "hint",
			    *jstr(s, "hint") ? json_string(jstr(s, "hint")) : json_false(), "error",
			    ferr ? json_string(ferr) : json_false(), "inline", 0, "legend_size",
			    "s", "heading", 0);
			const char *note =
			    pv && pv->note[n] ? pv->note[n] : jstr(s, "evidence_note");
			const char *scored = "Not answered";
			char scored_b[200];
			if (json_is_integer(sc)) {
				json_int_t v = json_integer_value(sc);
				if (v == 0)
					scored = "Don't know";
				else {
					(void)snprintf(scored_b, sizeof scored_b,
					               "%" JSON_INTEGER_FORMAT, v);
					scored = scored_b;
				}
			}
			json_t *ev = json_array();
			size_t ei;
			json_t *e;
			json_array_foreach(json_object_get(s, "evidence"), ei, e)
			{
				json_array_append_new(
				    ev, json_pack("{s:s, s:s, s:b, s:s}", "title", jstr(e, "title"),
				                  "text", jstr(e, "text"), "concern",
				                  json_is_true(json_object_get(e, "concern")),
				                  "source", jstr(e, "source")));
			}
			json_array_append_new(
			    stmts, json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:s}", "sid", sid,
			                     "text", jstr(s, "text"), "radios", radios, "note_id",
			                     nid, "note", note, "scored", scored, "auto", ev,
			                     "stmt_hint", jstr(s, "hint")));
			n++;
		}
		json_array_append_new(
		    factors, json_pack("{s:s, s:s, s:o}", "title", jstr(f, "title"), "description",
		                       jstr(f, "description"), "statements", stmts));
	}
	char title[400], sub_when[DATE_LONDON_SIZE];
	(void)snprintf(title, sizeof title, "%s: %s %s", jstr(q, "toolkit_title"),
	               jstr(round, "org_name"), jstr(round, "period"));
	when_text(jstr(q, "submitted_at"), sub_when);
	char progress[120];
	(void)snprintf(progress, sizeof progress,
	               "%" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT " statements answered",
	               json_integer_value(json_object_get(q, "answered")),
	               json_integer_value(json_object_get(q, "statements")));
	json_t *scale = json_array();
	size_t i;
	json_t *pt;
	json_array_foreach(json_object_get(q, "scale"), i, pt)
	{
		json_array_append_new(
		    scale, json_pack("{s:I, s:s, s:s}", "value",
		                     json_integer_value(json_object_get(pt, "value")), "label",
		                     jstr(pt, "label"), "description", jstr(pt, "description")));
	}
	const char *done = page_query_value(req, "done");
	(void)json_object_set_new(ctx, "page_title", json_string(title));
	(void)json_object_set_new(ctx, "round_id",
	                          json_integer(json_integer_value(json_object_get(round, "id"))));
	(void)json_object_set_new(ctx, "group_label", json_string(jstr(q, "group_label")));
	(void)json_object_set_new(ctx, "state", json_string(state_text(jstr(q, "state"))));
	(void)json_object_set_new(ctx, "progress", json_string(progress));
	(void)json_object_set_new(ctx, "editable", json_boolean(editable));
	(void)json_object_set_new(ctx, "closed", json_boolean(!open));
	(void)json_object_set_new(ctx, "submitted", json_boolean(submitted));
	(void)json_object_set_new(ctx, "submitted_when", json_string(sub_when));
	(void)json_object_set_new(ctx, "scale", scale);
	(void)json_object_set_new(ctx, "factors", factors);
	(void)json_object_set_new(ctx, "for_other",
	                          for_other ? json_string(respondent) : json_false());
	(void)json_object_set_new(ctx, "saved", json_boolean(done && strcmp(done, "saved") == 0));
	json_decref(q);
	json_decref(field_errors);
	return page_render(req, resp, "assess_answer", ctx, err);
}

/* WEBPAGE: GET /assess/rounds/{id:int}/answer
 * PERMISSION: toolkit.answer
 * ORG: lookup page_assess_round_org
 * Your questionnaire for a round you are invited to.
 * The statements grouped by factor, each with the maturity scale (1 to 5,
 * each level's descriptor) as radio buttons and "don't know", your optional
 * evidence, and beside it the automatic evidence Cadre holds for it.
 * Save a draft and return later, or submit (once).  Not invited: page not
 * found.  ?respondent=ID: a chief people officer answering for someone.
 */
int page_assess_answer_form(struct web_request *req, struct web_response *resp,
                            struct cadre_err *err)
{
	struct store *db;
	struct assess_round_info r;
	int rc = round_of(req, &db, &r, err);
	char me[ASSESS_ID_MAX];
	if (rc == CADRE_OK)
		rc = respondent_of(req, db, false, me, err);
	json_t *q = NULL;
	struct assess_ref ref = assess_round_ref(&r);
	if (rc == CADRE_OK)
		rc = assess_questionnaire_json(req->actor, db, &ref, me, &q, err);
	if (rc == CADRE_EPERM)
		rc = cadre_err_set(err, CADRE_ENOTFOUND, "not invited");
	if (rc != CADRE_OK)
		return rc;
	const char *given = page_query_value(req, "respondent");
	return answer_page(req, resp, page_new("Questionnaire"), q, NULL, NULL, me, given && *given,
	                   err);
}

/* WEBPAGE: POST /assess/rounds/{id:int}/answer
 * PERMISSION: toolkit.answer
 * ORG: lookup page_assess_round_org
 * BODY: 1M
 * Save your answers as a draft (action=save) or save and submit them
 * (action=submit).
 * Fields score-STATEMENT (1 to the scale's top, 0 for don't know, empty
 * for not answered) and note-STATEMENT (your evidence, optional).  A score
 * off the scale is a field error (422); answering after the round closed or
 * after submitting is a conflict (409) shown in the error summary; nothing
 * is saved when any answer is refused.  Each saved answer is audited.
 */
int page_assess_answer(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	int rc = page_form(req, err);
	if (rc != CADRE_OK)
		return rc;
	struct store *db;
	struct assess_round_info r;
	if ((rc = round_of(req, &db, &r, err)) != CADRE_OK)
		return rc;
	char me[ASSESS_ID_MAX];
	if ((rc = respondent_of(req, db, true, me, err)) != CADRE_OK)
		return rc;
	const char *given = page_form_value(req, "respondent");
	bool for_other = *given != '\0';
	struct assess_ref ref = assess_round_ref(&r);
	json_t *q = NULL;
	if ((rc = assess_questionnaire_json(req->actor, db, &ref, me, &q, err)) != CADRE_OK)
		return rc == CADRE_EPERM ? cadre_err_set(err, CADRE_ENOTFOUND, "not invited") : rc;
	const char *action = page_form_value(req, "action");
	bool submit = strcmp(action, "submit") == 0;
	json_t *ctx = page_new("Questionnaire");
	json_t *ferrs = json_object();
	/* the statements in order, what was posted for each, checked here */
	size_t nst = (size_t)json_integer_value(json_object_get(q, "statements"));
	int top = (int)json_array_size(json_object_get(q, "scale"));
	struct posted pv = {.score = xcalloc(nst + 1, sizeof *pv.score),
	                    .note = xcalloc(nst + 1, sizeof *pv.note)};
	struct change {
		const char *sid;
		int score;
		const char *note;
	} *ch = xcalloc(nst + 1, sizeof *ch);
	size_t nch = 0, k = 0, fi, si;
	json_t *f, *s;
	const struct form *form;
	(void)web_req_form(req, &form, err);
	json_array_foreach(json_object_get(q, "factors"), fi, f)
	{
		json_array_foreach(json_object_get(f, "statements"), si, s)
		{
			if (k >= nst)
				break;
			const char *sid = jstr(s, "id");
			char fid[96], nid[96];
			(void)snprintf(fid, sizeof fid, "score-%s", sid);
			(void)snprintf(nid, sizeof nid, "note-%s", sid);
			const char *sv = form_get(form, fid);
			const char *nv = form_get(form, nid);
			pv.score[k] = sv;
			pv.note[k] = nv;
			k++;
			if (!sv || !*sv) {
				if (nv && *nv) {
					(void)page_error(
					    ctx, fid,
					    "Choose a level for this statement to keep "
					    "your evidence");
					(void)json_object_set_new(
					    ferrs, fid,
					    json_string("Choose a level to keep your evidence"));
				}
				continue;
			}
			int64_t v = -1;
			struct cadre_err e;
			if (num_parse_i64(sv, strlen(sv), &v, &e) != CADRE_OK || v < 0 || v > top) {
				char m[160];
				(void)snprintf(
				    m, sizeof m,
				    "Choose a level from 1 to %d, or don't know, for: %.80s", top,
				    jstr(s, "text"));
				(void)page_error(ctx, fid, m);
				(void)json_object_set_new(
				    ferrs, fid, json_string("Choose a level on the scale"));
				continue;
			}
			const json_t *old = json_object_get(s, "score");
			const char *old_note = jstr(s, "evidence_note");
			if (json_is_integer(old) && json_integer_value(old) == v &&
			    strcmp(old_note, nv ? nv : "") == 0)
				continue; /* unchanged: no new audit entry */
			ch[nch].sid = sid;
			ch[nch].score = (int)v;
			ch[nch].note = nv;
			nch++;
		}
	}
	if (json_array_size(json_object_get(ctx, "errors"))) {
		free(ch);
		resp->status = 422;
		rc = answer_page(req, resp, ctx, q, &pv, ferrs, me, for_other, err);
		free(pv.score);
		free(pv.note);
		return rc;
	}
	struct cadre_err e;
	rc = CADRE_OK;
	const char *failed = NULL;
	for (size_t i = 0; i < nch && rc == CADRE_OK; i++) {
		rc = assess_answer(req->actor, db, web_auth_key(req), &ref, me, ch[i].sid,
		                   ch[i].score, ch[i].note, web_auth_clock(req), &e);
		if (rc != CADRE_OK)
			failed = ch[i].sid;
	}
	if (rc == CADRE_OK && submit)
		rc = assess_submit(req->actor, db, web_auth_key(req), &ref, me, web_auth_clock(req),
		                   &e);
	free(ch);
	if (rc == CADRE_ECONFLICT || rc == CADRE_EINVAL) {
		/* closed, already submitted, nothing to submit, a bad note: shown
		 * with the questionnaire as it now stands */
		json_t *q2 = NULL;
		struct cadre_err e2;
		if (assess_questionnaire_json(req->actor, db, &ref, me, &q2, &e2) == CADRE_OK) {
			json_decref(q);
			q = q2;
		}
		char fid[96] = "answers";
		if (failed && rc == CADRE_EINVAL)
			(void)snprintf(fid, sizeof fid, "note-%s", failed);
		(void)page_error(ctx, fid, e.msg);
		resp->status = rc == CADRE_ECONFLICT ? 409 : 422;
		rc = answer_page(req, resp, ctx, q, rc == CADRE_ECONFLICT ? NULL : &pv, ferrs, me,
		                 for_other, err);
		free(pv.score);
		free(pv.note);
		return rc;
	}
	free(pv.score);
	free(pv.note);
	json_decref(q);
	json_decref(ctx);
	json_decref(ferrs);
	if (rc != CADRE_OK)
		return cadre_err_set(err, rc, "%s", e.msg);
	if (submit && !for_other)
		return web_resp_redirect(resp, 303, "/assess?done=submitted", err);
	char href[ASSESS_ID_MAX * 3 + 96];
	(void)snprintf(href, sizeof href, "/assess/rounds/%" PRId64 "/answer?done=%s%s%s", r.id,
	               submit ? "submitted" : "saved", for_other ? "&respondent=" : "",
	               for_other ? me : "");
	return web_resp_redirect(resp, 303, href, err);
}

/* ---- the API ------------------------------------------------------------------- */

/* known_statement: is id a statement of questionnaire q? */
static bool known_statement(const json_t *q, const char *id)
{
	size_t fi, si;
	json_t *f, *s;
	if (!id)
		return false;
	json_array_foreach(json_object_get(q, "factors"), fi, f)
	{
		json_array_foreach(json_object_get(f, "statements"), si, s)
		{
			if (strcmp(jstr(s, "id"), id) == 0)
				return true;
		}
	}
	return false;
}

/* API: GET /api/v1/assess/rounds
 * PERMISSION: toolkit.read
 * ORG: none
 * The self-assessment rounds of the organisations in your scope.
 * {rounds: [{id, org, org_name, org_kind, period, toolkit, toolkit_version,
 * toolkit_title, status, invited, in_progress, submitted}]}, newest period
 * first; participation in all, never by group.
 */
int api_assess_rounds(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	struct store *db;
	json_t *rounds = NULL;
	int rc = web_req_db(req, &db, err);
	if (rc == CADRE_OK)
		rc = assess_rounds_json(req->actor, db, &rounds, err);
	if (rc != CADRE_OK)
		return rc;
	return page_json(resp, json_pack("{s:o}", "rounds", rounds), err);
}

/* API: GET /api/v1/assess/rounds/{id:int}
 * PERMISSION: toolkit.read
 * ORG: lookup page_assess_round_org
 * A round's status: the round and its participation by group.
 * The JSON of `cadre assess status --json`: {round {id, org, org_name,
 * period, toolkit, toolkit_version, status, opened_by, opened_at,
 * closed_by, closed_at}, participation {invited, not_started, in_progress,
 * submitted, response_rate}, groups [{id, label, invited, not_started,
 * in_progress, submitted, response_rate}], statements}.
 */
int api_assess_round(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	struct store *db;
	struct assess_round_info r;
	int rc = round_of(req, &db, &r, err);
	json_t *st = NULL;
	struct assess_ref ref = assess_round_ref(&r);
	if (rc == CADRE_OK)
		rc = assess_status_json(req->actor, db, &ref, &st, err);
	if (rc != CADRE_OK)
		return rc;
	return page_json(resp, st, err);
}

/* API: POST /api/v1/assess/rounds/{id:int}/answers
 * PERMISSION: toolkit.answer
 * ORG: lookup page_assess_round_org
 * BODY: 1M
 * Save your answers, and optionally submit them, as JSON.
 * Body (application/json): {"answers": [{"statement": "lead-1", "score": 3,
 * "evidence": "optional note"}], "submit": false, "respondent": optional
 * (a chief people officer answering for someone)}.  score 0 is "don't
 * know".  Reply {respondent, saved, submitted, state, answered,
 * statements}.  Errors are problem+json: a bad body or score 422 with
 * errors naming the field (answers[N].score); after the round closed or
 * after submitting 409; not invited 404.  All answers are checked before
 * any is saved.
 */
int api_assess_answers(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	const char *ct = web_req_header(req, "Content-Type");
	if (!ct || strncmp(ct, "application/json", 16) != 0)
		return web_fail(resp, err, 415, "send the answers as application/json");
	json_error_t je;
	json_t *body =
	    json_loadb(req->body ? req->body : "", req->body_len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(body)) {
		json_decref(body);
		web_resp_field_error(resp, "body", "not a JSON object");
		return web_fail(resp, err, 400, "the body is not a JSON object: %s", je.text);
	}
	json_t *answers = json_object_get(body, "answers");
	const json_t *sub = json_object_get(body, "submit");
	const json_t *who = json_object_get(body, "respondent");
	if (!json_is_array(answers) || (sub && !json_is_boolean(sub)) ||
	    (who && !json_is_string(who))) {
		json_decref(body);
		web_resp_field_error(resp, "answers", "an array of {statement, score, evidence}");
		return web_fail(resp, err, 422,
		                "give answers (an array), submit (true or false) and respondent "
		                "(a string) only");
	}
	struct store *db;
	struct assess_round_info r;
	int rc = round_of(req, &db, &r, err);
	char me[ASSESS_ID_MAX];
	if (rc == CADRE_OK) {
		if (who && strlen(json_string_value(who)) < ASSESS_ID_MAX)
			(void)snprintf(me, sizeof me, "%s", json_string_value(who));
		else if (who)
			rc = cadre_err_set(err, CADRE_ENOTFOUND, "not a respondent");
		else
			rc = assess_self_respondent(req->actor, db, me, err);
	}
	struct assess_ref ref = assess_round_ref(&r);
	json_t *q = NULL;
	if (rc == CADRE_OK)
		rc = assess_questionnaire_json(req->actor, db, &ref, me, &q, err);
	if (rc != CADRE_OK) {
		json_decref(body);
		return rc == CADRE_EPERM ? cadre_err_set(err, CADRE_ENOTFOUND, "not invited") : rc;
	}
	int top = (int)json_array_size(json_object_get(q, "scale"));
	/* check every answer first */
	size_t i;
	json_t *a;
	size_t bad = 0;
	json_array_foreach(answers, i, a)
	{
		char field[64];
		const json_t *st = json_object_get(a, "statement");
		const json_t *sc = json_object_get(a, "score");
		const json_t *ev = json_object_get(a, "evidence");
		if (!json_is_object(a) || !known_statement(q, json_string_value(st))) {
			(void)snprintf(field, sizeof field, "answers[%zu].statement", i);
			web_resp_field_error(resp, field,
			                     "not a statement of this round's toolkit");
			bad++;
			continue;
		}
		if (!json_is_integer(sc) || json_integer_value(sc) < 0 ||
		    json_integer_value(sc) > top) {
			char m[80];
			(void)snprintf(field, sizeof field, "answers[%zu].score", i);
			(void)snprintf(m, sizeof m,
			               "a whole number from 1 to %d, or 0 for don't know", top);
			web_resp_field_error(resp, field, m);
			bad++;
		}
		if (ev && !json_is_string(ev) && !json_is_null(ev)) {
			(void)snprintf(field, sizeof field, "answers[%zu].evidence", i);
			web_resp_field_error(resp, field, "a string, or null");
			bad++;
		}
	}
	json_decref(q);
	if (bad) {
		json_decref(body);
		return web_fail(resp, err, 422, "%zu problem%s in the answers: nothing was saved",
		                bad, bad == 1 ? "" : "s");
	}
	size_t saved = 0;
	json_array_foreach(answers, i, a)
	{
		const json_t *ev = json_object_get(a, "evidence");
		rc = assess_answer(req->actor, db, web_auth_key(req), &ref, me,
		                   json_string_value(json_object_get(a, "statement")),
		                   (int)json_integer_value(json_object_get(a, "score")),
		                   json_is_string(ev) ? json_string_value(ev) : NULL,
		                   web_auth_clock(req), err);
		if (rc != CADRE_OK)
			break;
		saved++;
	}
	bool submitted = false;
	if (rc == CADRE_OK && json_is_true(sub)) {
		rc = assess_submit(req->actor, db, web_auth_key(req), &ref, me, web_auth_clock(req),
		                   err);
		submitted = rc == CADRE_OK;
	}
	json_decref(body);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = assess_questionnaire_json(req->actor, db, &ref, me, &q, err)) != CADRE_OK)
		return rc;
	json_t *o = json_pack("{s:s, s:I, s:b, s:s, s:O, s:O}", "respondent", me, "saved",
	                      (json_int_t)saved, "submitted", submitted, "state", jstr(q, "state"),
	                      "answered", json_object_get(q, "answered"), "statements",
	                      json_object_get(q, "statements"));
	json_decref(q);
	return page_json(resp, o, err);
}
