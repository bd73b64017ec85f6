/* testauth: a small organisation tree and accounts on it, for the account,
 * session, web auth and access-matrix tests.  Header-only (static
 * functions), like testdomain.h, which it builds on.
 *
 *     ENG (nation)
 *     ├── Y1 (region)
 *     │   └── Q1 (icb)
 *     │       ├── RT1 (trust)
 *     │       │   └── W1 (ward)
 *     │       └── RT2 (trust)
 *     └── Y2 (region)
 *         └── Q2 (icb)
 *             └── RT3 (trust)
 *
 * Passwords are hashed at the test cost (account_set_cost) except where a
 * test sets the production cost itself. */
#ifndef CADRE_TESTS_TESTAUTH_H
#define CADRE_TESTS_TESTAUTH_H

#include <stdint.h>
#include <string.h>

#include "domain/account.h"
#include "domain/org.h"
#include "store/store.h"
#include "testdomain.h"

#define TESTAUTH_PASSWORD "correct horse battery"

struct testauth_orgs {
	int64_t eng, y1, y2, q1, q2, rt1, rt2, rt3, w1;
};

static inline int64_t testauth_put(struct testdomain *t, const char *code, const char *kind,
                                   const char *name)
{
	struct cadre_err e;
	struct org_new n = {.code = code, .kind = kind, .name = name, .source = "test"};
	int64_t id;
	bool created;
	if (org_put(&t->sys, t->db, &n, false, &id, &created, &e) != CADRE_OK)
		fail_msg("org_put %s: %s", code, e.msg);
	return id;
}

static inline void testauth_edge(struct testdomain *t, int64_t child, int64_t parent)
{
	struct cadre_err e;
	if (org_edge_put(&t->sys, t->db, child, parent, ORG_EDGE_SNAPSHOT, 202501, 0, "test", &e) !=
	    CADRE_OK)
		fail_msg("org_edge_put: %s", e.msg);
}

/* testauth_build: the tree above, materialised. */
static inline struct testauth_orgs testauth_build(struct testdomain *t)
{
	struct cadre_err e;
	struct testauth_orgs o;
	account_set_cost(ACCOUNT_COST_TEST);
	if (store_tx_begin(t->db, STORE_TX_WRITE, &e) != CADRE_OK)
		fail_msg("begin: %s", e.msg);
	o.eng = testauth_put(t, "ENG", "nation", "England");
	o.y1 = testauth_put(t, "Y1", "region", "Region One");
	o.y2 = testauth_put(t, "Y2", "region", "Region Two");
	o.q1 = testauth_put(t, "Q1", "icb", "ICB One");
	o.q2 = testauth_put(t, "Q2", "icb", "ICB Two");
	o.rt1 = testauth_put(t, "RT1", "trust", "Trust One");
	o.rt2 = testauth_put(t, "RT2", "trust", "Trust Two");
	o.rt3 = testauth_put(t, "RT3", "trust", "Trust Three");
	o.w1 = testauth_put(t, "W1", "ward", "Ward One");
	testauth_edge(t, o.y1, o.eng);
	testauth_edge(t, o.y2, o.eng);
	testauth_edge(t, o.q1, o.y1);
	testauth_edge(t, o.q2, o.y2);
	testauth_edge(t, o.rt1, o.q1);
	testauth_edge(t, o.rt2, o.q1);
	testauth_edge(t, o.rt3, o.q2);
	testauth_edge(t, o.w1, o.rt1);
	if (org_hierarchy_rebuild(&t->sys, t->db, &t->clk.clock, NULL, &e) != CADRE_OK)
		fail_msg("rebuild: %s", e.msg);
	if (store_tx_commit(t->db, &e) != CADRE_OK)
		fail_msg("commit: %s", e.msg);
	return o;
}

/* testauth_user: an account holding role over org (role NULL: none), with
 * TESTAUTH_PASSWORD; its id. */
static inline int64_t testauth_user(struct testdomain *t, const char *email, const char *role,
                                    const char *org)
{
	struct cadre_err e;
	int64_t id;
	struct account_new n = {.email = email,
	                        .name = email,
	                        .org_code = org,
	                        .password = TESTAUTH_PASSWORD,
	                        .role = role};
	if (account_add(&t->sys, t->db, t->key, &n, &t->clk.clock, &id, &e) != CADRE_OK)
		fail_msg("account_add %s: %s", email, e.msg);
	return id;
}

/* testauth_identity: the actor of account id, with its grants (free the
 * identity after the actor). */
static inline struct actor testauth_actor(struct testdomain *t, int64_t id,
                                          struct account_identity *who)
{
	struct cadre_err e;
	if (account_identity_load(t->db, id, who, &e) != CADRE_OK)
		fail_msg("identity %lld: %s", (long long)id, e.msg);
	return account_identity_actor(who);
}

/* testauth_audit_count: how many audit entries have this action. */
static inline int64_t testauth_audit_count(struct testdomain *t, const char *action)
{
	static const struct store_sql q = {
	    .name = "testauth_audit_count",
	    .sql = "SELECT COUNT(*) FROM audit_entry WHERE action = $1",
	};
	struct cadre_err e;
	struct store_stmt *st;
	if (store_prepare(t->db, &q, &st, &e) != CADRE_OK)
		fail_msg("%s", e.msg);
	store_bind_str(st, 1, action);
	if (store_step(st, &e) != CADRE_OK)
		fail_msg("%s", e.msg);
	int64_t n = store_col_i64(st, 0);
	store_reset(st);
	return n;
}

#endif
