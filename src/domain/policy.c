/* policy: roles and the access policy (see policy.h). */
#include "domain/policy.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "domain/org.h"
#include "store/store.h"

/* The roles of issue 6, in the order pages list them.  docs/web.md
 * ("Roles") describes each; docs/access-policy.csv says what each may do. */
static const struct role_def roles[] = {
    {"administrator", "Administrator",
     "Manages accounts, grants and API tokens for the organisations below their grant."},
    {"chief_people_officer", "Chief people officer",
     "Leads the workforce of a trust: plans, establishment and people data."},
    {"director_of_nursing", "Director of nursing",
     "Safe staffing, establishment reviews and nursing and midwifery staff."},
    {"medical_director", "Medical director",
     "Medical staffing, job plans and the medical workforce."},
    {"board_member", "Board member", "Board reports, decisions and sign-offs, as aggregates."},
    {"workforce_planner", "Workforce planner", "Builds workforce plans and scenarios."},
    {"finance_business_partner", "Finance business partner",
     "Funded establishment, pay costs and the financial side of plans."},
    {"talent_lead", "Talent lead", "Talent reviews, calibration, succession and programmes."},
    {"equality_analyst", "Equality and workforce-information analyst",
     "Equality reports, and the only role that reads protected characteristics of named "
     "people."},
    {"ward_manager", "Ward manager or matron",
     "The staff, establishment and safe-staffing returns of their wards."},
    {"line_manager", "Line manager",
     "The people they manage, directly and through the managers below them."},
    {"staff_member", "Staff member", "Their own record, assessments and career conversations."},
    {"ics_lead", "ICS or regional lead",
     "The organisations of an integrated care system or region, as aggregates by default."},
    {"auditor", "Auditor", "Reads the audit trail and who holds which access; changes nothing."},
};

#define NROLES (sizeof roles / sizeof roles[0])

static const char *const scope_names[] = {
    [POLICY_SCOPE_NONE] = "none",           [POLICY_SCOPE_ORG] = "org",
    [POLICY_SCOPE_AGGREGATE] = "aggregate", [POLICY_SCOPE_PERSON] = "person",
    [POLICY_SCOPE_SELF] = "self",           [POLICY_SCOPE_REPORTS] = "reports",
    [POLICY_SCOPE_ROOT] = "root",
};

/* The people a person manages directly: the people whose open
 * assignments (end_date NULL) name one of the manager's staff records as
 * their manager (schema 0300: assignment.manager_staff_id, staff.person_id),
 * in any organisation; the grant's organisation bounds what is shown. */
static const struct store_sql q_direct_reports = {
    .name = "policy_direct_reports",
    .sql = "SELECT DISTINCT s.person_id FROM staff m JOIN assignment a ON a.manager_staff_id = "
           "m.id JOIN staff s ON s.id = a.staff_id WHERE m.person_id = $1 AND a.end_date IS "
           "NULL ORDER BY s.person_id",
};

const struct store_sql *const policy_reports_edges = &q_direct_reports;

static const struct store_sql q_latest_month = {
    .name = "policy_latest_month",
    .sql = "SELECT last_month FROM org_hierarchy WHERE id = 1",
};

static const struct store_sql q_within = {
    .name = "policy_within",
    .sql = "SELECT COUNT(*) FROM org_ancestor WHERE month = $1 AND node_id = $2 "
           "AND ancestor_id = $3",
};

static const struct store_sql q_root = {
    .name = "policy_root",
    .sql = "SELECT id FROM org WHERE code = 'ENG'",
};

static const struct store_sql q_org_by_code = {
    .name = "policy_org_by_code",
    .sql = "SELECT id FROM org WHERE code = $1",
};

static const struct store_sql q_org_kind = {
    .name = "policy_org_kind",
    .sql = "SELECT kind FROM org WHERE id = $1",
};

const struct role_def *role_defs(size_t *n)
{
	*n = NROLES;
	return roles;
}

const struct role_def *role_find(const char *id)
{
	for (size_t i = 0; i < NROLES; i++)
		if (strcmp(roles[i].id, id) == 0)
			return &roles[i];
	return NULL;
}

const char *policy_scope_name(enum policy_scope s)
{
	if ((int)s < POLICY_SCOPE_NONE || (int)s > POLICY_SCOPE_ROOT)
		return "?";
	return scope_names[s];
}

bool policy_scope_parse(const char *s, enum policy_scope *out)
{
	for (int i = POLICY_SCOPE_NONE; i <= POLICY_SCOPE_ROOT; i++) {
		if (strcmp(scope_names[i], s) == 0) {
			*out = (enum policy_scope)i;
			return true;
		}
	}
	return false;
}

const struct policy_rule *policy_rule_find(const char *role, const char *permission)
{
	for (size_t i = 0; i < policy_rule_count; i++)
		if (strcmp(policy_rules[i].permission, permission) == 0 &&
		    strcmp(policy_rules[i].role, role) == 0)
			return &policy_rules[i];
	return NULL;
}

bool policy_role_allows(const char *role, const char *permission)
{
	const struct policy_rule *r = policy_rule_find(role, permission);
	return r && r->allow;
}

int policy_org_by_code(struct store *db, const char *code, int64_t *id, struct cadre_err *err)
{
	if (!code || !org_code_valid(code, strlen(code)))
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such organisation");
	struct store_stmt *st;
	int rc = store_prepare(db, &q_org_by_code, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, code);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such organisation");
	if (rc != CADRE_OK)
		return rc;
	*id = store_col_i64(st, 0);
	store_reset(st);
	return CADRE_OK;
}

int policy_root_org(struct store *db, int64_t *id, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_root, &st, err);
	if (rc != CADRE_OK)
		return rc;
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "the database has no England (ENG)");
	if (rc != CADRE_OK)
		return rc;
	*id = store_col_i64(st, 0);
	store_reset(st);
	return CADRE_OK;
}

int policy_org_within(struct store *db, int64_t node, int64_t ancestor, bool *yes,
                      struct cadre_err *err)
{
	*yes = false;
	if (node == ancestor) {
		*yes = true;
		return CADRE_OK;
	}
	struct store_stmt *st;
	int rc = store_prepare(db, &q_latest_month, &st, err);
	if (rc != CADRE_OK)
		return rc;
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return CADRE_OK; /* no hierarchy yet: only the node itself */
	if (rc != CADRE_OK)
		return rc;
	int64_t month = store_col_i64(st, 0);
	store_reset(st);
	if ((rc = store_prepare(db, &q_within, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, month);
	store_bind_i64(st, 2, node);
	store_bind_i64(st, 3, ancestor);
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE ? cadre_err_set(err, CADRE_EINTERNAL, "no count") : rc;
	*yes = store_col_i64(st, 0) > 0;
	store_reset(st);
	return CADRE_OK;
}

/* person_level_org: may person-level data flow through a grant over org?
 * Only at trust level or below: not England, a region or an ICB. */
static int person_level_org(struct store *db, int64_t org, bool *yes, struct cadre_err *err)
{
	struct store_stmt *st;
	*yes = false;
	int rc = store_prepare(db, &q_org_kind, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, org);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return CADRE_OK;
	if (rc != CADRE_OK)
		return rc;
	const char *k = store_col_text(st, 0);
	*yes = strcmp(k, "nation") != 0 && strcmp(k, "region") != 0 && strcmp(k, "icb") != 0;
	store_reset(st);
	return CADRE_OK;
}

/* grant_serves: does the rule's scope let this grant (over grant_org) reach
 * org (0: none)?  *covers says whether the grant's subtree holds org at all
 * (for the 404/403 choice). */
static int grant_serves(struct store *db, const struct policy_rule *r, int64_t grant_org,
                        int64_t org, int64_t root, bool *covers, bool *serves,
                        struct cadre_err *err)
{
	*serves = false;
	*covers = false;
	int rc;
	if (org == 0) {
		*covers = true;
		if (!r || !r->allow)
			return CADRE_OK;
		*serves = r->scope != POLICY_SCOPE_ROOT || grant_org == root;
		return CADRE_OK;
	}
	if ((rc = policy_org_within(db, org, grant_org, covers, err)) != CADRE_OK)
		return rc;
	if (!*covers || !r || !r->allow)
		return CADRE_OK;
	switch (r->scope) {
	case POLICY_SCOPE_NONE: return CADRE_OK; /* about no organisation */
	case POLICY_SCOPE_ROOT: *serves = grant_org == root; return CADRE_OK;
	case POLICY_SCOPE_PERSON: return person_level_org(db, grant_org, serves, err);
	default: *serves = true; return CADRE_OK;
	}
}

int policy_check(const struct actor *actor, struct store *db, const char *permission,
                 int64_t org_id, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (actor_is_system(actor))
		return CADRE_OK;
	const struct policy_rule *any = policy_rule_find(POLICY_ANY_ACCOUNT, permission);
	if (any && any->allow && org_id == 0)
		return CADRE_OK;
	int64_t root = 0;
	struct cadre_err e;
	if (policy_root_org(db, &root, &e) != CADRE_OK)
		root = 0;
	bool covered = false;
	for (size_t i = 0; i < actor->ngrants; i++) {
		const struct actor_grant *g = &actor->grants[i];
		const struct policy_rule *r = policy_rule_find(g->role, permission);
		bool covers, serves;
		if ((rc = grant_serves(db, r, g->org_id, org_id, root, &covers, &serves, err)) !=
		    CADRE_OK)
			return rc;
		if (serves)
			return CADRE_OK;
		covered = covered || covers;
	}
	if (org_id != 0 && !covered)
		return cadre_err_set(err, CADRE_ENOTFOUND, "outside the actor's scope");
	return cadre_err_set(err, CADRE_EPERM, "no grant of %s allows %s", actor_label(actor),
	                     permission);
}

void policy_grant_orgs(const struct actor *actor, const char *permission, int64_t *orgs, size_t max,
                       size_t *n, bool *all)
{
	*n = 0;
	*all = actor_is_system(actor);
	if (*all)
		return;
	for (size_t i = 0; i < actor->ngrants && *n < max; i++) {
		if (!policy_role_allows(actor->grants[i].role, permission))
			continue;
		bool seen = false;
		for (size_t j = 0; j < *n; j++)
			seen = seen || orgs[j] == actor->grants[i].org_id;
		if (!seen)
			orgs[(*n)++] = actor->grants[i].org_id;
	}
}

/* idset: an open-addressing set of positive ids (0 marks an empty slot). */
struct idset {
	int64_t *slot;
	size_t cap; /* a power of two */
	size_t n;
};

static size_t id_hash(int64_t id, size_t cap)
{
	uint64_t x = (uint64_t)id * UINT64_C(0x9E3779B97F4A7C15);
	return (size_t)(x >> 32) & (cap - 1);
}

/* idset_put: add id to a set with room; true when it was not there yet. */
static bool idset_put(struct idset *s, int64_t id)
{
	size_t i = id_hash(id, s->cap);
	while (s->slot[i]) {
		if (s->slot[i] == id)
			return false;
		i = (i + 1) & (s->cap - 1);
	}
	s->slot[i] = id;
	s->n++;
	return true;
}

/* idset_add: idset_put, growing the set first when it is half full. */
static bool idset_add(struct idset *s, int64_t id)
{
	if ((s->n + 1) * 2 > s->cap) {
		struct idset big = {.cap = s->cap ? s->cap * 2 : 64};
		big.slot = xcalloc(big.cap, sizeof *big.slot);
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				(void)idset_put(&big, s->slot[i]);
		free(s->slot);
		*s = big;
	}
	return idset_put(s, id);
}

int policy_reports_contains(struct store *db, const struct store_sql *edges, int64_t manager,
                            int64_t person, bool *yes, struct cadre_err *err)
{
	*yes = false;
	if (!edges || manager <= 0 || person <= 0)
		return CADRE_OK;
	/* breadth first from the manager; seen holds every person queued */
	struct idset seen = {0};
	size_t alloc = 64, head = 0, tail = 0;
	int64_t *queue = xmalloc(alloc * sizeof *queue);
	queue[tail++] = manager;
	(void)idset_add(&seen, manager);
	int rc = CADRE_OK;
	while (head < tail && !*yes) {
		int64_t m = queue[head++];
		struct store_stmt *st;
		if ((rc = store_prepare(db, edges, &st, err)) != CADRE_OK)
			break;
		store_bind_i64(st, 1, m);
		while ((rc = store_step(st, err)) == CADRE_OK) {
			int64_t p = store_col_i64(st, 0);
			if (p == person) {
				*yes = true;
				store_reset(st);
				rc = CADRE_DONE;
				break;
			}
			if (p <= 0 || !idset_add(&seen, p))
				continue;
			if (tail == POLICY_REPORTS_MAX) {
				store_reset(st);
				rc = cadre_err_set(err, CADRE_EINTERNAL,
				                   "more than %d people below one manager",
				                   POLICY_REPORTS_MAX);
				break;
			}
			if (tail == alloc) {
				alloc *= 2;
				queue = xreallocarray(queue, alloc, sizeof *queue);
			}
			queue[tail++] = p;
		}
		if (rc != CADRE_DONE)
			break;
		rc = CADRE_OK;
	}
	free(queue);
	free(seen.slot);
	return rc;
}
