/* page_tokens: API bearer tokens for administrators (tokens.manage):
 * issue one (shown once), see each one's last use, revoke. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "domain/account.h"
#include "domain/token.h"
#include "web/auth.h"
#include "web/pages.h"
#include "web/router.h"
#include "web_routes.h"

/* page_token_org: the organisation of the account whose token
 * /tokens/{id} names, for the router's scope check. */
int page_token_org(struct web_request *req, int64_t *org_id, struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_conn(req, &db, err);
	if (rc != CADRE_OK)
		return rc;
	return token_org_of(db, web_req_param_int(req, "id"), org_id, err);
}

static int token_row(const struct token_info *t, void *arg, struct cadre_err *err)
{
	(void)err;
	char issued[DATE_LONDON_SIZE], used[DATE_LONDON_SIZE], revoked[DATE_LONDON_SIZE];
	page_when(t->created_at, issued);
	page_when(t->last_used_at, used);
	page_when(t->revoked_at, revoked);
	json_array_append_new(arg,
	                      json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "id",
	                                (json_int_t)t->id, "prefix", t->prefix, "email", t->email,
	                                "label", t->label, "issued", issued, "last_used", used,
	                                "revoked", revoked, "active", t->revoked_at == 0));
	return CADRE_OK;
}

/* tokens_page: the list and the issue form, with errors if any. */
static int tokens_page(struct web_request *req, struct web_response *resp, json_t *ctx,
                       const char *email_error, const char *label_error, struct cadre_err *err)
{
	struct store *db;
	json_t *rows = json_array();
	int rc = web_req_db(req, &db, err);
	if (rc == CADRE_OK)
		rc = token_list(req->actor, db, token_row, rows, err);
	if (rc != CADRE_OK) {
		json_decref(rows);
		json_decref(ctx);
		return rc;
	}
	const char *done = page_query_value(req, "done");
	(void)json_object_set_new(ctx, "done",
	                          done && strcmp(done, "revoked") == 0
	                              ? json_string("The token has been revoked.")
	                              : json_false());
	(void)json_object_set_new(ctx, "tokens", rows);
	(void)json_object_set_new(
	    ctx, "fields",
	    json_pack("{s:o, s:o}", "email",
	              page_input("email", "Account's email address", "email",
	                         page_form_value(req, "email"), "off",
	                         "The client acts as this account, with its roles", email_error),
	              "label",
	              page_input("label", "Label", NULL, page_form_value(req, "label"), "off",
	                         "What the token is for, like \"nightly ESR export\"",
	                         label_error)));
	return page_render(req, resp, "tokens", ctx, err);
}

/* WEBPAGE: GET /tokens
 * PERMISSION: tokens.manage
 * ORG: none
 * API tokens: issue one, see when each was last used, revoke.
 * Lists the tokens of the accounts below your grants, newest first.
 */
int page_tokens(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	return tokens_page(req, resp, page_new("API tokens"), NULL, NULL, err);
}

/* WEBPAGE: POST /tokens
 * PERMISSION: tokens.manage
 * ORG: none
 * BODY: 16K
 * Issue a token for an account below your grants; show it once.
 * An email that names no account and one outside your scope get the same
 * field error.  Audited (the token's first characters, never the token).
 */
int page_token_issue(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	int rc = page_form(req, err);
	if (rc != CADRE_OK)
		return rc;
	const char *email = page_form_value(req, "email");
	const char *label = page_form_value(req, "label");
	json_t *ctx = page_new("API tokens");
	const char *email_error = NULL, *label_error = NULL;
	if (!*email)
		email_error = page_error(ctx, "email", "Enter the email address of the account");
	if (!*label)
		label_error =
		    page_error(ctx, "label", "Enter a label saying what the token is for");
	else if (strlen(label) >= TOKEN_LABEL_MAX)
		label_error = page_error(ctx, "label", "Enter a label of 100 characters or fewer");
	struct store *db;
	struct account a;
	char secret[TOKEN_TEXT];
	int64_t id = 0;
	struct cadre_err e;
	if (!email_error && !label_error) {
		if ((rc = web_req_db(req, &db, err)) != CADRE_OK) {
			json_decref(ctx);
			return rc;
		}
		rc = account_find_email(req->actor, db, email, &a, &e);
		if (rc == CADRE_OK)
			rc = token_issue(req->actor, db, web_auth_key(req), a.id, label,
			                 web_auth_clock(req), secret, &id, &e);
		if (rc == CADRE_ENOTFOUND || rc == CADRE_EPERM)
			email_error = page_error(
			    ctx, "email", "Enter the email address of an account you manage");
		else if (rc == CADRE_EINVAL)
			label_error =
			    page_error(ctx, "label", "Enter a label without control characters");
		else if (rc != CADRE_OK) {
			json_decref(ctx);
			return cadre_err_set(err, rc, "%s", e.msg);
		}
	}
	if (email_error || label_error) {
		resp->status = 422;
		return tokens_page(req, resp, ctx, email_error, label_error, err);
	}
	json_decref(ctx);
	char lede[ACCOUNT_EMAIL_MAX + TOKEN_LABEL_MAX + 64];
	(void)snprintf(lede, sizeof lede, "Token %" PRId64 " has been issued for %s (%s).", id,
	               a.email, label);
	ctx = page_new("Token issued");
	(void)json_object_set_new(ctx, "lede", json_string(lede));
	(void)json_object_set_new(ctx, "label", json_string("The token"));
	(void)json_object_set_new(ctx, "secret", json_string(secret));
	(void)json_object_set_new(ctx, "next_href", json_string("/tokens"));
	(void)json_object_set_new(ctx, "next_text", json_string("Back to API tokens"));
	sodium_memzero(secret, sizeof secret);
	resp->status = 201;
	return page_render(req, resp, "secret_shown", ctx, err);
}

/* WEBPAGE: POST /tokens/{id:int}/revoke
 * PERMISSION: tokens.manage
 * ORG: lookup page_token_org
 * BODY: 4K
 * Revoke an API token at once.
 * Revoking a revoked token changes nothing.  Audited.
 */
int page_token_revoke(struct web_request *req, struct web_response *resp, struct cadre_err *err)
{
	struct store *db;
	int rc = web_req_db(req, &db, err);
	if (rc == CADRE_OK)
		rc = token_revoke(req->actor, db, web_auth_key(req), web_req_param_int(req, "id"),
		                  web_auth_clock(req), err);
	if (rc != CADRE_OK)
		return rc;
	return web_resp_redirect(resp, 303, "/tokens?done=revoked", err);
}
