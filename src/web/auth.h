/* auth: who is asking, what they may do, and CSRF, plugged into the
 * router's seams (struct web_hooks).
 *
 * Design note
 * - authn: "Authorization: Bearer cadre_..." (an API token, token.h), else
 *   the session cookie (session.h).  The cookie is one name, cadre_session,
 *   holding 32 random bytes: the id of a session in the database, or, for
 *   someone not signed in, a pre-session id with no database row, whose
 *   only use is to seed the sign-in form's CSRF token.  Sign-in always
 *   makes a new id, so a cookie planted before sign-in is worthless after.
 *   A cookie that is not 43 base64url characters, or two of them, is
 *   treated as forged: the request is anonymous and the cookie is cleared.
 * - The cookie is HttpOnly, SameSite=Lax, Path=/, and Secure whenever the
 *   request reached Cadre over HTTPS (TLS here, or a trusted proxy saying
 *   so, or an https public URL).  It has no Max-Age: the server ends it
 *   (idle and absolute limits) whatever the browser keeps.
 * - authz: policy_check (policy.h) for the actor's grants: 403 when the
 *   role lacks the permission, 404 when the organisation is outside every
 *   grant.  The hook finds the request through the actor it made (the
 *   actor lives inside this file's per-request state).
 * - csrf_check: the form field csrf_token (or the X-CSRF-Token header)
 *   must equal the token of the cookie's id (session_csrf_matches); bearer
 *   requests carry no ambient credential and need none.
 * - page: adds the signed-in user (name, organisation), the CSRF token and
 *   the header navigation (the pages the person's permissions open) to
 *   every page's context.
 * - respond: sets the cookie when sign-in or a privilege change gave the
 *   session a new id, or when the sign-in page made a pre-session id; clears
 *   a forged one.
 * - `cadre http --as ROLE` uses a fixed actor instead of authn's lookups,
 *   with an all-zero session id whose CSRF token tests can compute. */
#ifndef CADRE_WEB_AUTH_H
#define CADRE_WEB_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "domain/account.h"
#include "domain/session.h"
#include "web/router.h"

#define WEB_AUTH_COOKIE "cadre_session"

struct web_auth_options {
	const unsigned char *audit_key; /* AUDIT_KEY_BYTES, copied; NULL refuses changes */
	struct session_limits limits;
	const struct clock *clk; /* NULL: the system clock */
	/* a fixed actor for every request (cadre http --as), or NULL role */
	const char *as_role;
	int64_t as_org_id;
	const char *as_org_name;
};

struct web_auth;
struct config;

/* web_auth_configure: options from the configuration: the audit key (from
 * the secrets file; NULL when there is none), the session limits, and the
 * password cost, which it sets process-wide (account_set_cost), warning in
 * the log when it is the weak test cost.  o's strings point into cfg. */
int web_auth_configure(const struct config *cfg, struct web_auth_options *o, struct cadre_err *err);

/* web_auth_new: the hooks' context for opt (copied). */
int web_auth_new(const struct web_auth_options *opt, struct web_auth **out, struct cadre_err *err);

/* web_auth_free: release a (after the application that used it). */
void web_auth_free(struct web_auth *a);

/* web_auth_hooks: fill every hook of h with a's. */
void web_auth_hooks(struct web_auth *a, struct web_hooks *h);

/* ---- for the handlers ------------------------------------------------ */

/* web_auth_account: the signed-in account (its name and organisation), or
 * NULL when anonymous.  Owned by the request. */
const struct account *web_auth_account(const struct web_request *req);

/* web_auth_why: why a presented session was not accepted (SESSION_ACTIVE
 * when none was presented or it is active). */
enum session_status web_auth_why(const struct web_request *req);

/* web_auth_key / web_auth_clock: the audit key and clock for a handler's
 * audited changes.  web_auth_key is NULL without auth (changes then fail). */
const unsigned char *web_auth_key(const struct web_request *req);
const struct clock *web_auth_clock(const struct web_request *req);

/* web_auth_fresh_token: give an anonymous visitor a new pre-session id
 * (the reply sets the cookie) and write its CSRF token to token; for a
 * signed-in one, their session's token. */
int web_auth_fresh_token(struct web_request *req, char token[SESSION_CSRF_TEXT],
                         struct cadre_err *err);

/* web_auth_sign_in: check the credentials (session_sign_in, with the
 * client's real address and the cookie's id ended); on success the reply
 * sets the new session's cookie. */
int web_auth_sign_in(struct web_request *req, const char *email, const char *password,
                     struct session_sign_in *out, struct cadre_err *err);

/* web_auth_sign_out: end the request's session (audited); the cookie is
 * cleared.  Anonymous requests change nothing. */
int web_auth_sign_out(struct web_request *req, struct cadre_err *err);

/* web_auth_allows: does the signed-in actor hold permission anywhere
 * (org 0)?  For showing links; the router checks for real. */
bool web_auth_allows(struct web_request *req, const char *permission);

#endif
