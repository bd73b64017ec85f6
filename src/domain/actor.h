/* actor: who is asking.  Every domain entry point takes it first.
 *
 * Design note
 * - The rule: every public domain function that reads or changes what Cadre
 *   holds takes `const struct actor *actor` as its FIRST parameter, before
 *   the connection and everything else:
 *       int org_import(const struct actor *actor, struct store *db, ...);
 *   The actor's grants decide what it may see and do, so no caller (a web
 *   handler, a command, a job) can forget the scope: there is no way to call
 *   the domain without saying who is calling.  Pure computations that touch
 *   no stored data (projections, hashes) take no actor.
 * - An actor is either a user (an account, by id) or the system (the
 *   command line, a scheduled job) with a label saying which part.  Its
 *   label is what logs and the audit trail record: "user:42", "system:cli".
 * - Grants are (role, organisation) pairs.  Roles and organisations arrive
 *   in later issues; until then a grant is a plain typed pair and the system
 *   actor needs none (it is the operator at the machine, trusted like the
 *   database owner).
 * - An actor does not own its grants: the array belongs to whoever built the
 *   actor (a session, a test) and must outlive it.  The label is held inside
 *   the struct, so an actor can be copied by value. */
#ifndef CADRE_DOMAIN_ACTOR_H
#define CADRE_DOMAIN_ACTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum actor_kind {
	ACTOR_SYSTEM = 1, /* the command line, a job runner: no account */
	ACTOR_USER = 2,   /* a signed-in account */
};

/* the longest label, including its NUL */
#define ACTOR_LABEL_MAX 64
/* the longest role name, including its NUL */
#define ACTOR_ROLE_MAX 48

/* actor_grant: a role held over an organisation (and, later, the subtree
 * below it).  role is a role's name ("workforce_lead"); org_id the
 * organisation's id. */
struct actor_grant {
	char role[ACTOR_ROLE_MAX];
	int64_t org_id;
};

struct actor {
	enum actor_kind kind;
	int64_t user_id;                  /* ACTOR_USER: the account; else 0 */
	char label[ACTOR_LABEL_MAX];      /* "user:42", "system:cli" */
	const struct actor_grant *grants; /* not owned; NULL when ngrants is 0 */
	size_t ngrants;
};

/* actor_system: the system actor for a part of Cadre: name "cli" gives the
 * label "system:cli".  name is lower-case letters, digits, '-', '_' or '.',
 * 1 to 32 bytes; anything else gives an actor with an empty label, which
 * actor_check (and so every domain entry point) refuses.  Used by the command line until accounts arrive. */
struct actor actor_system(const char *name);

/* actor_user: the actor for account user_id holding grants[0..n-1] (not
 * copied: they must outlive the actor).  Label "user:<id>"; a user_id that
 * is not positive gives an empty label, refused by actor_check. */
struct actor actor_user(int64_t user_id, const struct actor_grant *grants, size_t ngrants);

/* actor_label: the label for logs and the audit trail; owned by a. */
const char *actor_label(const struct actor *a);

/* actor_is_system: true for a system actor. */
bool actor_is_system(const struct actor *a);

/* actor_has_grant: true when a holds role over organisation org_id (an
 * exact match: subtrees come with organisations). */
bool actor_has_grant(const struct actor *a, const char *role, int64_t org_id);

/* actor_check: CADRE_OK when a is a well-formed actor (kind known, label
 * set, user id positive for a user, grants consistent), else CADRE_EINVAL.
 * Domain entry points call it first, so a zeroed or forged struct is
 * refused rather than audited under an empty name. */
int actor_check(const struct actor *a, struct cadre_err *err);

#endif
