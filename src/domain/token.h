/* token: API bearer tokens.
 *
 * Design note
 * - An API client sends "Authorization: Bearer cadre_..." and acts as the
 *   account the token was issued for, with that account's grants: a token
 *   is a way in for an account, not a permission of its own.  Issue one to
 *   a dedicated account for each client, holding only the grants it needs.
 * - The secret is "cadre_" and 32 random bytes in base64url; it is shown
 *   once, when issued.  The database keeps its SHA-256 (a plain hash is
 *   right for a 256-bit random secret: there is nothing to guess) and its
 *   first 12 characters, so a list can say which token is which.
 * - Administrators (tokens.manage over the account's organisation) issue
 *   and revoke tokens and see when each was last used; last_used_at is
 *   written at most once a minute.  A revoked token, or one whose account
 *   is disabled, is refused.  Issue and revoke are audited. */
#ifndef CADRE_DOMAIN_TOKEN_H
#define CADRE_DOMAIN_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "domain/account.h"
#include "domain/actor.h"

struct store;

#define TOKEN_PREFIX    "cadre_"
#define TOKEN_TEXT      50 /* "cadre_" + 43 base64url characters + NUL */
#define TOKEN_SHOWN     13 /* the first 12 characters and the NUL */
#define TOKEN_LABEL_MAX 101
#define TOKEN_TOUCH_US  (INT64_C(60) * 1000000)

struct token_info {
	int64_t id;
	int64_t account_id;
	char email[ACCOUNT_EMAIL_MAX];
	int64_t org_id;
	char label[TOKEN_LABEL_MAX];
	char prefix[TOKEN_SHOWN];
	int64_t created_at;
	char created_by[ACTOR_LABEL_MAX];
	int64_t last_used_at; /* 0: never */
	int64_t revoked_at;   /* 0: active */
};

/* token_issue: a new token for account_id labelled label (1 to 100
 * characters of text), audited ("token.issue").  secret gets the token,
 * which is never stored or shown again; *id (may be NULL) its id. */
int token_issue(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                int64_t account_id, const char *label, const struct clock *clk,
                char secret[TOKEN_TEXT], int64_t *id, struct cadre_err *err);

/* token_revoke: revoke token id, audited ("token.revoke").  Revoking a
 * revoked token changes nothing. */
int token_revoke(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                 int64_t id, const struct clock *clk, struct cadre_err *err);

/* token_fn: one token, for token_list; valid during the call. */
typedef int (*token_fn)(const struct token_info *t, void *arg, struct cadre_err *err);

/* token_list: the tokens of the accounts the actor may manage tokens for,
 * newest first. */
int token_list(const struct actor *actor, struct store *db, token_fn fn, void *arg,
               struct cadre_err *err);

/* token_org_of: the organisation of token id's account (router plumbing,
 * like account_org_of). */
int token_org_of(struct store *db, int64_t id, int64_t *org_id, struct cadre_err *err);

/* token_authenticate: the account a bearer secret stands for, with its
 * grants (free with account_identity_free).  CADRE_ENOTFOUND for a
 * malformed, unknown or revoked token or a disabled account.  Writes
 * last_used_at when a minute has passed (call outside a transaction). */
int token_authenticate(struct store *db, const char *secret, const struct clock *clk,
                       struct account_identity *out, struct cadre_err *err);

#endif
