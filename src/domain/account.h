/* account: the people (and API clients) who sign in, their passwords and
 * their grants.
 *
 * Design note
 * - An account has an email (its sign-in name, unique, stored trimmed with
 *   ASCII letters lower-cased), a display name, its own organisation (shown
 *   in the page header; it decides which administrators manage it), an
 *   optional password and a disabled flag.  A disabled account cannot sign
 *   in and its sessions and API tokens stop working at once.
 * - Passwords are hashed with Argon2id through libsodium's
 *   crypto_pwhash_str, whose string records the algorithm, salt and costs,
 *   so a verify needs nothing else and costs can rise later (a hash made
 *   with lower costs than the current ones is re-made at the next
 *   successful sign-in).  The production cost is libsodium's INTERACTIVE
 *   (2 passes over 64 MiB, about 0.1 s on one core): above OWASP's
 *   Argon2id minimum (19 MiB, 2 passes) and cheap enough that the eight
 *   threads of a busy server hashing at once need 512 MiB, where MODERATE
 *   (256 MiB, ~0.7 s) would need 2 GiB and make sign-in an easy way to
 *   exhaust the server; throttling (session.h) bounds guessing instead.
 *   MODERATE may be chosen (auth.password_cost).  The cost "test" (the
 *   least libsodium allows) exists for the test suites only and the server
 *   warns at start-up when it is set.
 * - Grants are (role, organisation) pairs (policy.h): a role over the
 *   organisation's subtree.  Adding or removing one bumps the account's
 *   epoch, so its sessions get a new id on their next request (no
 *   session outlives a change of privilege under its old id).
 * - Every change (account added, grant added or revoked, disabled or
 *   enabled, password set) appends to the audit trail in the same
 *   transaction.  account and account_grant are audited tables: the
 *   canonical account row is (id, email, name, org_id, disabled,
 *   created_at), never the password hash.
 * - Access: the system actor may do anything; a user needs users.read (to
 *   read) or users.manage (to change) over the account's organisation, and
 *   for a grant over the grant's organisation too, so no one can grant
 *   beyond their own scope.  Outside the actor's scope is CADRE_ENOTFOUND,
 *   exactly like a missing account. */
#ifndef CADRE_DOMAIN_ACCOUNT_H
#define CADRE_DOMAIN_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/audit.h"
#include "domain/org.h"

struct store;

#define ACCOUNT_EMAIL_MAX              255 /* bytes with the NUL: 254 at most */
#define ACCOUNT_NAME_MAX               201
#define ACCOUNT_PASSWORD_MIN           12  /* characters */
#define ACCOUNT_PASSWORD_MAX           256 /* bytes */
#define ACCOUNT_HASH_MAX               128 /* crypto_pwhash_STRBYTES */
#define ACCOUNT_GRANTS_MAX             64  /* per account */
#define ACCOUNT_GENERATED_PASSWORD_LEN 20

/* the audited tables (listed in audit_tables.c) */
extern const struct audit_table account_audit_table;
extern const struct audit_table account_grant_audit_table;

/* ---- passwords ------------------------------------------------------- */

enum account_cost {
	ACCOUNT_COST_INTERACTIVE = 0, /* the default: 2 passes, 64 MiB */
	ACCOUNT_COST_MODERATE = 1,    /* 3 passes, 256 MiB */
	ACCOUNT_COST_TEST = 2,        /* the least libsodium allows: tests only */
};

/* account_cost_parse: "interactive", "moderate" or "test". */
int account_cost_parse(const char *s, enum account_cost *out, struct cadre_err *err);

/* account_set_cost / account_get_cost: the cost new hashes are made with,
 * process-wide.  Set it once at start-up, before any thread hashes. */
void account_set_cost(enum account_cost c);
enum account_cost account_get_cost(void);

/* account_password_check: CADRE_OK when pw is acceptable: valid UTF-8
 * without control characters, at least ACCOUNT_PASSWORD_MIN characters and
 * at most ACCOUNT_PASSWORD_MAX bytes (no composition rules: NCSC). */
int account_password_check(const char *pw, struct cadre_err *err);

/* account_password_hash: Argon2id hash of pw at the current cost. */
int account_password_hash(const char *pw, char out[ACCOUNT_HASH_MAX], struct cadre_err *err);

/* account_password_verify: does pw match hash?  Constant time in pw for a
 * given hash (libsodium).  A malformed hash matches nothing. */
bool account_password_verify(const char *hash, const char *pw);

/* account_password_needs_rehash: was hash made with other costs than the
 * current ones? */
bool account_password_needs_rehash(const char *hash);

/* account_password_generate: a random password of
 * ACCOUNT_GENERATED_PASSWORD_LEN characters from an alphabet without
 * look-alikes (about 100 bits), for `cadre user add` and the demo. */
void account_password_generate(char out[ACCOUNT_GENERATED_PASSWORD_LEN + 1]);

/* account_email_normalise: in trimmed of spaces, ASCII letters lower-cased,
 * checked (valid UTF-8, no control characters or spaces, exactly one '@'
 * with text either side and a dot in the domain, at most 254 bytes). */
int account_email_normalise(const char *in, char out[ACCOUNT_EMAIL_MAX], struct cadre_err *err);

/* ---- accounts ---------------------------------------------------------- */

struct account {
	int64_t id;
	char email[ACCOUNT_EMAIL_MAX];
	char name[ACCOUNT_NAME_MAX];
	int64_t org_id;
	char org_code[ORG_CODE_MAX];
	char org_name[ORG_NAME_MAX];
	bool disabled;
	bool has_password;
	int64_t epoch;
	int64_t created_at;
};

/* account_grant_info: one grant as listed. */
struct account_grant_info {
	int64_t id;
	char role[ACTOR_ROLE_MAX];
	int64_t org_id;
	char org_code[ORG_CODE_MAX];
	char org_name[ORG_NAME_MAX];
	int64_t granted_at;
	char granted_by[ACTOR_LABEL_MAX];
};

/* account_new: what account_add needs.  password and role may be NULL
 * (no password: the account cannot sign in until one is set; a role: the
 * first grant, over org_code). */
struct account_new {
	const char *email;
	const char *name;
	const char *org_code;
	const char *password;
	const char *role;
};

/* account_add: create an account (and its first grant), audited.
 * CADRE_ECONFLICT when the email is taken; CADRE_EINVAL naming what is
 * wrong; CADRE_ENOTFOUND for an organisation that does not exist or is
 * outside the actor's scope.  *id (may be NULL) gets the new id. */
int account_add(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                const struct account_new *n, const struct clock *clk, int64_t *id,
                struct cadre_err *err);

/* account_get: the account with this id (users.read, or the actor's own). */
int account_get(const struct actor *actor, struct store *db, int64_t id, struct account *out,
                struct cadre_err *err);

/* account_find_email: the account with this email (normalised first). */
int account_find_email(const struct actor *actor, struct store *db, const char *email,
                       struct account *out, struct cadre_err *err);

/* account_fn: one account, for account_list; valid during the call. */
typedef int (*account_fn)(const struct account *a, void *arg, struct cadre_err *err);

/* account_list: every account the actor may read, by email. */
int account_list(const struct actor *actor, struct store *db, account_fn fn, void *arg,
                 struct cadre_err *err);

/* account_grants: the grants of account id, by role then organisation
 * code; *out (free() it) holds *n.  Same access as account_get. */
int account_grants(const struct actor *actor, struct store *db, int64_t id,
                   struct account_grant_info **out, size_t *n, struct cadre_err *err);

/* account_grant: give account id role over org_code, audited
 * ("grant.add").  *added (may be NULL) is false when it already held it,
 * which changes nothing.  CADRE_EINVAL for an unknown role. */
int account_grant(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                  int64_t id, const char *role, const char *org_code, const struct clock *clk,
                  bool *added, struct cadre_err *err);

/* account_revoke: take role over org_code from account id, audited
 * ("grant.revoke").  *removed (may be NULL) is false when it did not hold
 * it, which changes nothing. */
int account_revoke(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                   int64_t id, const char *role, const char *org_code, const struct clock *clk,
                   bool *removed, struct cadre_err *err);

/* account_set_disabled: disable (ending its sessions) or enable account
 * id, audited ("account.disable" / "account.enable").  A user cannot
 * disable their own account (CADRE_ECONFLICT).  *changed may be NULL. */
int account_set_disabled(const struct actor *actor, struct store *db,
                         const unsigned char *audit_key, int64_t id, bool disabled,
                         const struct clock *clk, bool *changed, struct cadre_err *err);

/* account_set_password: set account id's password (checked, hashed),
 * audited ("account.password": who and when, never the hash); its other
 * sessions end.  users.manage, or the account's own. */
int account_set_password(const struct actor *actor, struct store *db,
                         const unsigned char *audit_key, int64_t id, const char *password,
                         const struct clock *clk, struct cadre_err *err);

/* account_org_of: the organisation of account id, CADRE_ENOTFOUND when
 * there is none.  Plumbing for the router's scope check (which then
 * answers 404 for an account outside the actor's scope): no actor. */
int account_org_of(struct store *db, int64_t id, int64_t *org_id, struct cadre_err *err);

/* ---- who is signed in ------------------------------------------------ */

/* account_identity: an account with its grants, as a session or an API
 * token presents it.  The actor it makes (account_identity_actor) points
 * at grants, so the identity must outlive the actor. */
struct account_identity {
	struct account account;
	struct actor_grant *grants; /* malloc'd; account_identity_free */
	size_t ngrants;
};

/* account_identity_load: account id and its grants (no access check:
 * plumbing for sessions and tokens, which have authenticated it). */
int account_identity_load(struct store *db, int64_t id, struct account_identity *out,
                          struct cadre_err *err);

/* account_identity_actor: the actor for an identity. */
struct actor account_identity_actor(const struct account_identity *who);

/* account_identity_free: release the grants (the struct is the caller's). */
void account_identity_free(struct account_identity *who);

#endif
