/* assess_invite: proposing a round's respondents from accounts and the
 * staff extract (see the header). */
#include "domain/assess_invite.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "domain/assess.h"
#include "store/store.h"

const struct assess_group_spec assess_level_groups[] = {
    {"leaders_l4", "Board and executive leaders (level 4)"},
    {"leaders_l3", "Senior leaders (level 3)"},
    {"leaders_l2", "Service and department leaders (level 2)"},
};
const size_t assess_level_ngroups = sizeof assess_level_groups / sizeof assess_level_groups[0];

static const struct store_sql q_extract_date = {
    .name = "assess_inv_extract",
    .sql = "SELECT extract_date FROM staff_extract WHERE org_id = $1",
};

static const struct store_sql q_accounts_role = {
    .name = "assess_inv_accounts",
    .sql = "SELECT a.email, a.name FROM account a JOIN account_grant g ON g.account_id = a.id "
           "WHERE g.org_id = $1 AND g.role = $2 AND a.disabled = 0 ORDER BY a.email",
};

#define IN_POST_AT(t, day)                                                                         \
	t ".start_date <= " day " AND (" t ".end_date IS NULL OR " t ".end_date >= " day           \
	  ") AND " t ".category IN ('permanent', 'fixed_term', 'locum')"

#define ACCOUNT_OF_PERSON                                                                          \
	"(SELECT MIN(ac.email) FROM account ac WHERE ac.person_id = s.person_id AND "              \
	"ac.disabled = 0)"

/* each subquery is read once (a semi-join): assignment has no index on
 * staff_id, so a correlated EXISTS would scan it for every member of staff */
static const struct store_sql q_staff_level = {
    .name = "assess_inv_level",
    .sql = "SELECT s.staff_ref, s.display_name, " ACCOUNT_OF_PERSON
           " FROM staff s WHERE s.org_id = $1 AND s.id IN (SELECT a.staff_id FROM assignment "
           "a WHERE a.org_id = $1 AND " IN_POST_AT("a", "$2") " AND a.leadership_level "
                                                              "BETWEEN $3 AND $4) ORDER BY "
                                                              "s.staff_ref",
};

static const struct store_sql q_staff_managers = {
    .name = "assess_inv_managers",
    .sql = "SELECT s.staff_ref, s.display_name, " ACCOUNT_OF_PERSON
           " FROM staff s WHERE s.org_id = $1 AND s.id IN (SELECT m.staff_id FROM assignment m "
           "WHERE m.org_id = $1 AND " IN_POST_AT("m", "$2") ") AND s.id IN (SELECT "
                                                            "a.manager_staff_id FROM assignment "
                                                            "a WHERE a.org_id = $1 AND " IN_POST_AT(
                                                                "a", "$2") ") ORDER BY "
                                                                           "s.staff_ref",
};

/* the rules: which accounts (by role) and which staff (by leadership
 * level, or managers) a group id takes */
struct rule {
	const char *group;
	const char *roles[4];
	int level_min, level_max; /* staff at these levels; 0/0: none */
	bool managers;
	const char *text;
};

static const struct rule rules[] = {
    {"board", {"board_member", NULL}, 0, 0, false, "accounts granted Board member here"},
    {"workforce_planners",
     {"workforce_planner", NULL},
     0,
     0,
     false,
     "accounts granted Workforce planner here"},
    {"senior_leaders",
     {"chief_people_officer", "director_of_nursing", "medical_director", NULL},
     3,
     4,
     false,
     "staff in post at leadership level 3 or 4, and accounts granted an executive role here"},
    {"leaders_l4", {NULL}, 4, 4, false, "staff in post at leadership level 4"},
    {"leaders_l3", {NULL}, 3, 3, false, "staff in post at leadership level 3"},
    {"leaders_l2", {NULL}, 2, 2, false, "staff in post at leadership level 2"},
    {"line_managers",
     {"line_manager", "ward_manager", NULL},
     0,
     0,
     true,
     "staff in post who manage someone in post, and accounts granted Line manager or Ward "
     "manager here"},
};

static const struct rule *rule_for(const char *group)
{
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (strcmp(rules[i].group, group) == 0)
			return &rules[i];
	return NULL;
}

/* seen: the ids proposed or invited so far (a person is proposed once) */
struct seen {
	char **v;
	size_t n;
};

static bool seen_has(const struct seen *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], id) == 0)
			return true;
	return false;
}

static void seen_add(struct seen *s, const char *id)
{
	s->v = xreallocarray(s->v, s->n + 1, sizeof *s->v);
	s->v[s->n++] = xstrdup(id);
}

/* staff_id: a respondent id for a member of staff without an account:
 * "staff-" and the reference, keeping only the characters ids allow */
static void staff_id(const char *ref, char out[ASSESS_ID_MAX])
{
	size_t o = (size_t)snprintf(out, ASSESS_ID_MAX, "staff-");
	for (size_t i = 0; ref[i] && o + 1 < ASSESS_ID_MAX; i++) {
		char c = ref[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-')
			out[o++] = c;
	}
	out[o] = '\0';
}

struct gather {
	struct seen *seen;
	const char *const *invited;
	size_t ninvited;
	json_t *cands;
	int64_t more;
};

/* offer: propose id (name, source) unless already proposed; an id already
 * invited is listed as such */
static void offer(struct gather *g, const char *id, const char *name, const char *source)
{
	if (!id || !*id || seen_has(g->seen, id))
		return;
	seen_add(g->seen, id);
	bool inv = false;
	for (size_t i = 0; i < g->ninvited; i++)
		if (strcmp(g->invited[i], id) == 0)
			inv = true;
	if (json_array_size(g->cands) >= ASSESS_PROPOSE_MAX) {
		g->more++;
		return;
	}
	json_array_append_new(g->cands, json_pack("{s:s, s:s, s:s, s:b}", "id", id, "name", name,
	                                          "source", source, "invited", inv));
}

static int offer_accounts(struct store *db, int64_t org, const char *role, struct gather *g,
                          struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_accounts_role, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, org);
	store_bind_str(st, 2, role);
	char source[80];
	(void)snprintf(source, sizeof source, "account: %s", role);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		const char *email = store_col_text(st, 0);
		if (strlen(email) < ASSESS_ID_MAX)
			offer(g, email, store_col_text(st, 1), source);
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

static int offer_staff(struct store *db, const struct store_sql *q, int64_t org, const char *day,
                       int lo, int hi, const char *source, struct gather *g, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, q, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, org);
	store_bind_str(st, 2, day);
	if (q == &q_staff_level) {
		store_bind_i64(st, 3, lo);
		store_bind_i64(st, 4, hi);
	}
	while ((rc = store_step(st, err)) == CADRE_OK) {
		const char *ref = store_col_text(st, 0);
		char id[ASSESS_ID_MAX], name[ASSESS_NAME_MAX];
		if (!store_col_is_null(st, 2) && strlen(store_col_text(st, 2)) < ASSESS_ID_MAX)
			(void)snprintf(id, sizeof id, "%s", store_col_text(st, 2));
		else
			staff_id(ref, id);
		if (!store_col_is_null(st, 1) && *store_col_text(st, 1))
			(void)snprintf(name, sizeof name, "%s", store_col_text(st, 1));
		else
			(void)snprintf(name, sizeof name, "staff %s", ref);
		offer(g, id, name, source);
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

int assess_invite_candidates(struct store *db, int64_t org_id, const struct assess_invite_group *g,
                             size_t n, const char *const *invited, size_t ninvited, char *as_of,
                             json_t **out, struct cadre_err *err)
{
	*out = NULL;
	as_of[0] = '\0';
	struct store_stmt *st;
	int rc = store_prepare(db, &q_extract_date, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, org_id);
	rc = store_step(st, err);
	if (rc == CADRE_OK) {
		(void)snprintf(as_of, 11, "%s", store_col_text(st, 0));
		store_reset(st);
	} else if (rc != CADRE_DONE) {
		return rc;
	}
	struct seen seen = {0};
	json_t *groups = json_array();
	rc = CADRE_OK;
	for (size_t i = 0; i < n && rc == CADRE_OK; i++) {
		const struct rule *r = rule_for(g[i].id);
		struct gather ga = {
		    .seen = &seen, .invited = invited, .ninvited = ninvited, .cands = json_array()};
		const char *const *roles = r ? r->roles : NULL;
		for (size_t k = 0; roles && k < 4 && roles[k] && rc == CADRE_OK; k++)
			rc = offer_accounts(db, org_id, roles[k], &ga, err);
		if (rc == CADRE_OK && r && as_of[0] && r->level_max > 0) {
			char source[48];
			(void)snprintf(source, sizeof source,
			               "staff extract: leadership level %d%s", r->level_min,
			               r->level_min == r->level_max ? "" : " or more");
			rc = offer_staff(db, &q_staff_level, org_id, as_of, r->level_min,
			                 r->level_max, source, &ga, err);
		}
		if (rc == CADRE_OK && r && as_of[0] && r->managers)
			rc = offer_staff(db, &q_staff_managers, org_id, as_of, 0, 0,
			                 "staff extract: manages staff in post", &ga, err);
		json_array_append_new(
		    groups, json_pack("{s:s, s:s, s:s, s:o, s:I}", "id", g[i].id, "label",
		                      g[i].label, "rule", r ? r->text : "no rule: name its members",
		                      "candidates", ga.cands, "more", (json_int_t)ga.more));
	}
	for (size_t i = 0; i < seen.n; i++)
		free(seen.v[i]);
	free(seen.v);
	if (rc != CADRE_OK) {
		json_decref(groups);
		return rc;
	}
	*out = groups;
	return CADRE_OK;
}
