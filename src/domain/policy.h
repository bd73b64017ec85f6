/* policy: roles, and which role may use which permission over what.
 *
 * Design note
 * - The policy is a reviewed data file, docs/access-policy.csv (role,
 *   permission, effect, scope, note).  tools/mkpolicy.py checks it and turns
 *   it into a C table at build time (policy_rules[]), so the binary carries
 *   exactly the reviewed file and a malformed one stops the build with its
 *   line.  The access-matrix test reads the CSV itself, not this table.
 * - Roles are fixed in code (policy.c: id, title, what it is for); the
 *   policy names them by id.  A role or permission the policy does not
 *   mention is denied.  The pseudo-role "any_account" holds permissions
 *   every signed-in account has, whatever its grants (its home page,
 *   signing out); its rules have scope "none".
 * - A grant is a role over an organisation and its subtree (org_ancestor,
 *   as the hierarchy stands in its latest materialised month).  The scope
 *   of a rule says what the grant must cover:
 *     none       the permission is about no organisation (routes with
 *                ORG: none only);
 *     org        the object's organisation is in the grant's subtree;
 *     aggregate  the same, for figures that are totals only;
 *     person     the same, and the grant is at trust level or below:
 *                person-level data never flows through a grant over an
 *                ICB, a region or England (DESIGN.md, Information
 *                governance);
 *     self       the same; the domain narrows it to the account's own
 *                person record;
 *     reports    the same; the domain narrows it to the people the account's
 *                person manages, directly and through the managers below
 *                (policy_reports_contains over the staff extract's manager
 *                references);
 *     root       only a grant over the root of the hierarchy (England)
 *                counts: for deployment-wide things such as the audit
 *                trail.
 * - policy_check answers for (actor, permission, organisation):
 *   CADRE_OK; CADRE_ENOTFOUND when no grant of the actor covers the
 *   organisation at all (the router's 404, never revealing that it
 *   exists); CADRE_EPERM when a grant covers it but none whose role allows
 *   the permission (403).  The system actor (the command line) may do
 *   anything. */
#ifndef CADRE_DOMAIN_POLICY_H
#define CADRE_DOMAIN_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "domain/actor.h"

struct store;
struct store_sql;

/* the pseudo-role every signed-in account holds */
#define POLICY_ANY_ACCOUNT "any_account"

enum policy_scope {
	POLICY_SCOPE_NONE = 1,
	POLICY_SCOPE_ORG,
	POLICY_SCOPE_AGGREGATE,
	POLICY_SCOPE_PERSON,
	POLICY_SCOPE_SELF,
	POLICY_SCOPE_REPORTS,
	POLICY_SCOPE_ROOT,
};

/* policy_rule: one row of docs/access-policy.csv. */
struct policy_rule {
	const char *role;
	const char *permission;
	bool allow;
	enum policy_scope scope;
	const char *note;
	int line; /* its line in the CSV */
};

/* The generated table (policy_rules.c), in the file's order. */
extern const struct policy_rule policy_rules[];
extern const size_t policy_rule_count;

/* role_def: a role an account may be granted. */
struct role_def {
	const char *id;      /* "workforce_planner" */
	const char *title;   /* "Workforce planner" */
	const char *summary; /* one sentence: who holds it and why */
};

/* role_defs: the roles, in display order; *n gets the count. */
const struct role_def *role_defs(size_t *n);

/* role_find: the role with this id, or NULL (any_account is not a role). */
const struct role_def *role_find(const char *id);

/* policy_scope_name: "org" for POLICY_SCOPE_ORG ...; "?" when unknown. */
const char *policy_scope_name(enum policy_scope s);

/* policy_scope_parse: the scope named s; false when s names none. */
bool policy_scope_parse(const char *s, enum policy_scope *out);

/* policy_rule_find: the rule for (role, permission), or NULL (denied). */
const struct policy_rule *policy_rule_find(const char *role, const char *permission);

/* policy_role_allows: true when the policy allows role the permission
 * (any scope). */
bool policy_role_allows(const char *role, const char *permission);

/* policy_check: may actor use permission on organisation org_id (0: the
 * route names no organisation)?  See the design note.  Reads the
 * hierarchy for subtree checks. */
int policy_check(const struct actor *actor, struct store *db, const char *permission,
                 int64_t org_id, struct cadre_err *err);

/* policy_grant_orgs: the organisations of actor's grants through which it
 * holds permission (a subtree each, with the rule's scope), for listing
 * pages that show everything in scope.  Writes at most max ids to orgs;
 * *n gets how many.  A system actor gets *all true (and no ids). */
void policy_grant_orgs(const struct actor *actor, const char *permission, int64_t *orgs, size_t max,
                       size_t *n, bool *all);

/* policy_org_within: is node in the subtree of ancestor (itself included),
 * as the hierarchy stands in its latest materialised month?  Without a
 * hierarchy only node == ancestor counts.  No actor: this is the primitive
 * the checks above are built from. */
int policy_org_within(struct store *db, int64_t node, int64_t ancestor, bool *yes,
                      struct cadre_err *err);

/* policy_org_by_code: the id of the organisation with this code;
 * CADRE_ENOTFOUND when there is none (or the code is malformed).  No
 * actor: the router resolves a path's organisation with it and then asks
 * policy_check, which answers 404 for one outside the actor's scope. */
int policy_org_by_code(struct store *db, const char *code, int64_t *id, struct cadre_err *err);

/* policy_root_org: the id of the root organisation (England, ODS ENG);
 * CADRE_ENOTFOUND when the database has none. */
int policy_root_org(struct store *db, int64_t *id, struct cadre_err *err);

/* ---- the person relationship --------------------------------------- */

/* policy_reports_contains: is person among the people manager manages,
 * directly or through the managers below (any depth; cycles in the data
 * are tolerated)?  edges is the statement that lists the people a manager
 * manages directly: $1 the manager's person id, one column, the person
 * ids (policy_reports_edges for the deployment's own tables; tests pass a
 * fixture).  A NULL edges answers false.  Walks breadth first, at most
 * POLICY_REPORTS_MAX people. */
#define POLICY_REPORTS_MAX 100000
int policy_reports_contains(struct store *db, const struct store_sql *edges, int64_t manager,
                            int64_t person, bool *yes, struct cadre_err *err);

/* policy_reports_edges: the direct-reports statement over the staff
 * extract's manager references (schema 0300: the people of the open
 * assignments whose manager_staff_id is one of the manager's staff
 * records). */
extern const struct store_sql *const policy_reports_edges;

#endif
