#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/account.h"
#include "domain/audit.h"
#include "domain/policy.h"
#include "io/csv.h"
#include "testauth.h"
#include "testdomain.h"
#include "testorg.h"

/* ---- passwords and emails (no database) --------------------------------- */

/* The one test at the production cost: INTERACTIVE, 2 passes over 64 MiB. */
static void test_password_production_cost(void **state)
{
	(void)state;
	char h[ACCOUNT_HASH_MAX];
	struct cadre_err e;
	account_set_cost(ACCOUNT_COST_INTERACTIVE);
	assert_int_equal(account_password_hash(TESTAUTH_PASSWORD, h, &e), CADRE_OK);
	assert_int_equal(strncmp(h, "$argon2id$v=19$m=65536,t=2,p=1$", 31), 0);
	assert_true(account_password_verify(h, TESTAUTH_PASSWORD));
	assert_false(account_password_verify(h, "correct horse batterY"));
	assert_false(account_password_needs_rehash(h));
	/* a hash made at another cost is re-made at the next sign-in */
	account_set_cost(ACCOUNT_COST_MODERATE);
	assert_true(account_password_needs_rehash(h));
	account_set_cost(ACCOUNT_COST_TEST);
	assert_true(account_password_needs_rehash(h));
}

static void test_password_test_cost_and_rules(void **state)
{
	(void)state;
	char h[ACCOUNT_HASH_MAX], h2[ACCOUNT_HASH_MAX];
	struct cadre_err e;
	account_set_cost(ACCOUNT_COST_TEST);
	assert_int_equal(account_password_hash("abcdefghijkl", h, &e), CADRE_OK);
	assert_int_equal(strncmp(h, "$argon2id$v=19$m=8,t=1,p=1$", 27), 0);
	assert_int_equal(account_password_hash("abcdefghijkl", h2, &e), CADRE_OK);
	assert_string_not_equal(h, h2); /* a fresh salt each time */
	assert_true(account_password_verify(h2, "abcdefghijkl"));
	assert_false(account_password_verify("not a hash", "abcdefghijkl"));
	assert_false(account_password_verify(NULL, "x"));

	assert_int_equal(account_password_check("abcdefghijk", &e), CADRE_EINVAL); /* 11 */
	assert_string_equal(e.msg, "a password must be at least 12 characters long");
	assert_int_equal(account_password_check("abcdefghijkl", &e), CADRE_OK);
	/* twelve characters of two bytes each count as twelve */
	assert_int_equal(account_password_check("éééééééééééé", &e), CADRE_OK);
	assert_int_equal(account_password_check("ééééééééééé", &e), CADRE_EINVAL);
	assert_int_equal(account_password_check("abcdefghijk\tl", &e), CADRE_EINVAL);
	assert_int_equal(account_password_check("abcdefghijkl\xff", &e), CADRE_EINVAL);
	char big[ACCOUNT_PASSWORD_MAX + 2];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(account_password_check(big, &e), CADRE_EINVAL);
	big[ACCOUNT_PASSWORD_MAX] = '\0';
	assert_int_equal(account_password_check(big, &e), CADRE_OK);

	char g1[ACCOUNT_GENERATED_PASSWORD_LEN + 1], g2[ACCOUNT_GENERATED_PASSWORD_LEN + 1];
	account_password_generate(g1);
	account_password_generate(g2);
	assert_int_equal(strlen(g1), ACCOUNT_GENERATED_PASSWORD_LEN);
	assert_string_not_equal(g1, g2);
	assert_int_equal(account_password_check(g1, &e), CADRE_OK);
	assert_null(strpbrk(g1, "01lIO"));

	enum account_cost c;
	assert_int_equal(account_cost_parse("moderate", &c, &e), CADRE_OK);
	assert_int_equal(c, ACCOUNT_COST_MODERATE);
	assert_int_equal(account_cost_parse("cheap", &c, &e), CADRE_EINVAL);
}

static void test_email_normalise(void **state)
{
	(void)state;
	char out[ACCOUNT_EMAIL_MAX];
	struct cadre_err e;
	assert_int_equal(account_email_normalise("  Ada.Lovelace@Example.NHS.UK ", out, &e),
	                 CADRE_OK);
	assert_string_equal(out, "ada.lovelace@example.nhs.uk");
	/* only ASCII letters fold */
	assert_int_equal(account_email_normalise("ÉMILE@Example.org", out, &e), CADRE_OK);
	assert_string_equal(out, "Émile@example.org");
	const char *bad[] = {"",       "   ",         "no-at.example.org", "a@@b.org", "@b.org",
	                     "a@",     "a@localhost", "a b@c.org",         "a@b.org.", "a<b@c.org",
	                     "a@.org", "a\n@b.org"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (account_email_normalise(bad[i], out, &e) != CADRE_EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	char big[300];
	memset(big, 'a', sizeof big);
	memcpy(big + 250, "@b.org", 7);
	assert_int_equal(account_email_normalise(big, out, &e), CADRE_EINVAL);
}

/* ---- the policy file and the roles ------------------------------------- */

/* Every role the policy names is a role in code (or any_account), and
 * every role in code appears in the policy; the CSV read here has as many
 * rules as the compiled table. */
static void test_roles_match_policy(void **state)
{
	(void)state;
	size_t nroles;
	const struct role_def *roles = role_defs(&nroles);
	assert_int_equal(nroles, 14);
	for (size_t i = 0; i < policy_rule_count; i++)
		if (strcmp(policy_rules[i].role, POLICY_ANY_ACCOUNT) != 0 &&
		    !role_find(policy_rules[i].role))
			fail_msg("docs/access-policy.csv:%d: unknown role %s", policy_rules[i].line,
			         policy_rules[i].role);
	for (size_t r = 0; r < nroles; r++) {
		bool seen = false;
		for (size_t i = 0; i < policy_rule_count && !seen; i++)
			seen = strcmp(policy_rules[i].role, roles[r].id) == 0;
		if (!seen)
			fail_msg("role %s is not in docs/access-policy.csv", roles[r].id);
	}
	assert_null(role_find(POLICY_ANY_ACCOUNT));
	/* protected characteristics: the equality role alone */
	for (size_t r = 0; r < nroles; r++)
		assert_int_equal(policy_role_allows(roles[r].id, "people.protected.read"),
		                 strcmp(roles[r].id, "equality_analyst") == 0);
	/* the ICS lead is aggregate only by default */
	assert_false(policy_role_allows("ics_lead", "people.read"));
	assert_true(policy_role_allows("ics_lead", "workforce.aggregate.read"));

	char *path = testorg_path("docs/access-policy.csv");
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct csv_options opt;
	csv_options_init(&opt);
	struct csv_reader *r;
	struct cadre_err e;
	assert_int_equal(csv_reader_open_file(&r, f, &opt, &e), CADRE_OK);
	size_t rows = 0;
	int rc;
	while ((rc = csv_reader_next(r, &e)) == CADRE_OK)
		rows++;
	assert_int_equal(rc, CADRE_DONE);
	assert_int_equal(rows, policy_rule_count + 1); /* the header */
	csv_reader_free(r);
	(void)fclose(f);
	free(path);
}

/* ---- accounts on both stores -------------------------------------------- */

static void test_add_and_find(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	testauth_build(t);
	int64_t id = testauth_user(t, "Ada@Example.org", "administrator", "RT1");
	assert_int_equal(id, 1);
	struct account a;
	assert_int_equal(account_find_email(&t->sys, t->db, " ada@EXAMPLE.org", &a, &e), CADRE_OK);
	assert_int_equal(a.id, 1);
	assert_string_equal(a.email, "ada@example.org");
	assert_string_equal(a.org_code, "RT1");
	assert_string_equal(a.org_name, "Trust One");
	assert_true(a.has_password);
	assert_false(a.disabled);
	assert_int_equal(a.created_at, TESTDOMAIN_T0);
	/* the grant bumped the epoch once */
	assert_int_equal(a.epoch, 2);

	/* the same email in other case is taken */
	struct account_new dup = {.email = "ADA@example.org", .name = "X", .org_code = "RT1"};
	assert_int_equal(account_add(&t->sys, t->db, t->key, &dup, &t->clk.clock, NULL, &e),
	                 CADRE_ECONFLICT);
	assert_string_equal(e.msg, "an account with this email address already exists");
	struct account_new noorg = {.email = "b@example.org", .name = "B", .org_code = "ZZZ"};
	assert_int_equal(account_add(&t->sys, t->db, t->key, &noorg, &t->clk.clock, NULL, &e),
	                 CADRE_ENOTFOUND);
	struct account_new badrole = {
	    .email = "b@example.org", .name = "B", .org_code = "RT1", .role = "wizard"};
	assert_int_equal(account_add(&t->sys, t->db, t->key, &badrole, &t->clk.clock, NULL, &e),
	                 CADRE_EINVAL);
	assert_string_equal(e.msg, "'wizard' is not a role");
	struct account_new shortpw = {
	    .email = "b@example.org", .name = "B", .org_code = "RT1", .password = "short"};
	assert_int_equal(account_add(&t->sys, t->db, t->key, &shortpw, &t->clk.clock, NULL, &e),
	                 CADRE_EINVAL);
	struct account_new noname = {.email = "b@example.org", .name = "", .org_code = "RT1"};
	assert_int_equal(account_add(&t->sys, t->db, t->key, &noname, &t->clk.clock, NULL, &e),
	                 CADRE_EINVAL);
	/* nothing of those was written */
	assert_int_equal(testauth_audit_count(t, "account.add"), 1);
	assert_int_equal(testauth_audit_count(t, "grant.add"), 1);

	/* the trail verifies, live rows included, and never holds the hash */
	struct audit_verify_result res;
	assert_int_equal(audit_verify(&t->sys, t->db, t->key, &res, &e), CADRE_OK);
	assert_true(res.ok);
	assert_int_equal(res.rows, 2); /* the account and its grant */
	static const struct store_sql q_payloads = {
	    .name = "t_payloads",
	    .sql = "SELECT COUNT(*) FROM audit_payload WHERE payload LIKE '%argon2%'",
	};
	assert_int_equal(testdomain_count(t->db, &q_payloads), 0);
}

static void test_grants(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	testauth_build(t);
	int64_t id = testauth_user(t, "p@example.org", "workforce_planner", "RT1");
	bool changed;
	assert_int_equal(account_grant(&t->sys, t->db, t->key, id, "talent_lead", "Q1",
	                               &t->clk.clock, &changed, &e),
	                 CADRE_OK);
	assert_true(changed);
	assert_int_equal(account_grant(&t->sys, t->db, t->key, id, "talent_lead", "Q1",
	                               &t->clk.clock, &changed, &e),
	                 CADRE_OK);
	assert_false(changed); /* already held: nothing written */
	assert_int_equal(testauth_audit_count(t, "grant.add"), 2);
	struct account_grant_info *g;
	size_t n;
	assert_int_equal(account_grants(&t->sys, t->db, id, &g, &n, &e), CADRE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(g[0].role, "talent_lead");
	assert_string_equal(g[0].org_code, "Q1");
	assert_string_equal(g[0].granted_by, "system:cli");
	assert_string_equal(g[1].role, "workforce_planner");
	free(g);
	struct account a;
	assert_int_equal(account_get(&t->sys, t->db, id, &a, &e), CADRE_OK);
	assert_int_equal(a.epoch, 3);

	assert_int_equal(account_revoke(&t->sys, t->db, t->key, id, "talent_lead", "Q1",
	                                &t->clk.clock, &changed, &e),
	                 CADRE_OK);
	assert_true(changed);
	assert_int_equal(account_revoke(&t->sys, t->db, t->key, id, "talent_lead", "Q1",
	                                &t->clk.clock, &changed, &e),
	                 CADRE_OK);
	assert_false(changed);
	assert_int_equal(testauth_audit_count(t, "grant.revoke"), 1);
	assert_int_equal(
	    account_grant(&t->sys, t->db, t->key, id, "sorcerer", "Q1", &t->clk.clock, NULL, &e),
	    CADRE_EINVAL);
	assert_int_equal(account_grant(&t->sys, t->db, t->key, id, "talent_lead", "NOPE",
	                               &t->clk.clock, NULL, &e),
	                 CADRE_ENOTFOUND);
	assert_int_equal(
	    account_grant(&t->sys, t->db, t->key, 99, "talent_lead", "Q1", &t->clk.clock, NULL, &e),
	    CADRE_ENOTFOUND);
	struct audit_verify_result res;
	assert_int_equal(audit_verify(&t->sys, t->db, t->key, &res, &e), CADRE_OK);
	assert_true(res.ok);
}

struct names {
	char list[512];
};

static int collect(const struct account *a, void *arg, struct cadre_err *err)
{
	(void)err;
	struct names *n = arg;
	size_t len = strlen(n->list);
	(void)snprintf(n->list + len, sizeof n->list - len, "%s%s", len ? " " : "", a->email);
	return CADRE_OK;
}

/* An administrator acts only inside their grant's subtree; outside it
 * is "not found", never "forbidden"; a role without the permission is
 * forbidden. */
static void test_scoped_administration(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	testauth_build(t);
	int64_t admin = testauth_user(t, "admin@q1.org", "administrator", "Q1");
	int64_t in = testauth_user(t, "in@rt1.org", "staff_member", "RT1");
	int64_t ward = testauth_user(t, "ward@w1.org", "ward_manager", "W1");
	int64_t out = testauth_user(t, "out@rt3.org", "staff_member", "RT3");
	int64_t planner = testauth_user(t, "planner@rt1.org", "workforce_planner", "RT1");
	struct account_identity who, pwho;
	struct actor a = testauth_actor(t, admin, &who);
	struct actor p = testauth_actor(t, planner, &pwho);
	struct account acc;

	assert_int_equal(account_get(&a, t->db, in, &acc, &e), CADRE_OK);
	assert_int_equal(account_get(&a, t->db, ward, &acc, &e), CADRE_OK);
	assert_int_equal(account_get(&a, t->db, out, &acc, &e), CADRE_ENOTFOUND);
	assert_string_equal(e.msg, "no such account");
	assert_int_equal(account_get(&a, t->db, 999, &acc, &e), CADRE_ENOTFOUND);
	assert_string_equal(e.msg, "no such account");
	/* one's own account, whatever the role */
	assert_int_equal(account_get(&p, t->db, planner, &acc, &e), CADRE_OK);
	assert_int_equal(account_get(&p, t->db, in, &acc, &e), CADRE_EPERM);

	struct names n = {0};
	assert_int_equal(account_list(&a, t->db, collect, &n, &e), CADRE_OK);
	assert_string_equal(n.list, "admin@q1.org in@rt1.org planner@rt1.org ward@w1.org");
	assert_int_equal(account_list(&p, t->db, collect, &n, &e), CADRE_EPERM);

	/* adding: inside, outside, and a grant over an organisation outside */
	struct account_new inside = {
	    .email = "new@rt2.org", .name = "N", .org_code = "RT2", .role = "staff_member"};
	assert_int_equal(account_add(&a, t->db, t->key, &inside, &t->clk.clock, NULL, &e),
	                 CADRE_OK);
	struct account_new outside = {.email = "new@rt3.org", .name = "N", .org_code = "RT3"};
	assert_int_equal(account_add(&a, t->db, t->key, &outside, &t->clk.clock, NULL, &e),
	                 CADRE_ENOTFOUND);
	assert_int_equal(
	    account_grant(&a, t->db, t->key, in, "talent_lead", "RT3", &t->clk.clock, NULL, &e),
	    CADRE_ENOTFOUND);
	/* no escalation above one's own grant */
	assert_int_equal(
	    account_grant(&a, t->db, t->key, in, "administrator", "ENG", &t->clk.clock, NULL, &e),
	    CADRE_ENOTFOUND);
	assert_int_equal(
	    account_grant(&a, t->db, t->key, in, "administrator", "RT1", &t->clk.clock, NULL, &e),
	    CADRE_OK);
	assert_int_equal(
	    account_grant(&p, t->db, t->key, in, "talent_lead", "RT1", &t->clk.clock, NULL, &e),
	    CADRE_EPERM);
	assert_int_equal(
	    account_set_disabled(&a, t->db, t->key, out, true, &t->clk.clock, NULL, &e),
	    CADRE_ENOTFOUND);
	assert_int_equal(
	    account_set_disabled(&a, t->db, t->key, admin, true, &t->clk.clock, NULL, &e),
	    CADRE_ECONFLICT);
	bool changed;
	assert_int_equal(
	    account_set_disabled(&a, t->db, t->key, in, true, &t->clk.clock, &changed, &e),
	    CADRE_OK);
	assert_true(changed);
	assert_int_equal(
	    account_set_disabled(&a, t->db, t->key, in, true, &t->clk.clock, &changed, &e),
	    CADRE_OK);
	assert_false(changed);
	assert_int_equal(account_get(&a, t->db, in, &acc, &e), CADRE_OK);
	assert_true(acc.disabled);
	assert_int_equal(testauth_audit_count(t, "account.disable"), 1);
	assert_int_equal(account_set_password(&p, t->db, t->key, planner, "a new long password",
	                                      &t->clk.clock, &e),
	                 CADRE_OK);
	assert_int_equal(
	    account_set_password(&p, t->db, t->key, in, "a new long password", &t->clk.clock, &e),
	    CADRE_EPERM);
	assert_int_equal(testauth_audit_count(t, "account.password"), 1);
	account_identity_free(&who);
	account_identity_free(&pwho);
}

/* policy_check's three answers and its scopes. */
static void test_policy_check(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	struct testauth_orgs o = testauth_build(t);
	struct actor_grant g[2];
	(void)snprintf(g[0].role, sizeof g[0].role, "administrator");
	g[0].org_id = o.q1;
	(void)snprintf(g[1].role, sizeof g[1].role, "workforce_planner");
	g[1].org_id = o.rt3;
	struct actor a = actor_user(7, g, 2);
	assert_int_equal(policy_check(&a, t->db, "users.manage", o.w1, &e), CADRE_OK);
	assert_int_equal(policy_check(&a, t->db, "users.manage", o.q1, &e), CADRE_OK);
	/* RT3 is covered by the planner grant, which lacks the permission */
	assert_int_equal(policy_check(&a, t->db, "users.manage", o.rt3, &e), CADRE_EPERM);
	/* Y1 is above every grant */
	assert_int_equal(policy_check(&a, t->db, "users.manage", o.y1, &e), CADRE_ENOTFOUND);
	assert_int_equal(policy_check(&a, t->db, "plan.edit", o.rt3, &e), CADRE_OK);
	assert_int_equal(policy_check(&a, t->db, "plan.edit", o.rt1, &e), CADRE_EPERM);
	assert_int_equal(policy_check(&a, t->db, "no.such", 0, &e), CADRE_EPERM);
	/* no organisation: some grant's role must allow it */
	assert_int_equal(policy_check(&a, t->db, "users.read", 0, &e), CADRE_OK);
	assert_int_equal(policy_check(&a, t->db, "account.self", 0, &e), CADRE_OK);
	/* any_account's permissions are about no organisation */
	assert_int_equal(policy_check(&a, t->db, "account.self", o.rt1, &e), CADRE_EPERM);
	/* root scope: only a grant over England */
	assert_int_equal(policy_check(&a, t->db, "audit.read", 0, &e), CADRE_EPERM);
	g[0].org_id = o.eng;
	assert_int_equal(policy_check(&a, t->db, "audit.read", 0, &e), CADRE_OK);
	/* person scope: not through a grant above trust level */
	(void)snprintf(g[0].role, sizeof g[0].role, "chief_people_officer");
	g[0].org_id = o.q1;
	assert_int_equal(policy_check(&a, t->db, "people.read", o.rt1, &e), CADRE_EPERM);
	assert_int_equal(policy_check(&a, t->db, "workforce.aggregate.read", o.rt1, &e), CADRE_OK);
	g[0].org_id = o.rt1;
	assert_int_equal(policy_check(&a, t->db, "people.read", o.w1, &e), CADRE_OK);
	/* no grants at all: everything with an organisation is not found */
	struct actor none = actor_user(8, NULL, 0);
	assert_int_equal(policy_check(&none, t->db, "users.read", o.rt1, &e), CADRE_ENOTFOUND);
	assert_int_equal(policy_check(&none, t->db, "users.read", 0, &e), CADRE_EPERM);
	assert_int_equal(policy_check(&none, t->db, "account.self", 0, &e), CADRE_OK);
	assert_int_equal(policy_check(&t->sys, t->db, "anything.at_all", o.rt1, &e), CADRE_OK);
	int64_t id;
	assert_int_equal(policy_org_by_code(t->db, "RT3", &id, &e), CADRE_OK);
	assert_int_equal(id, o.rt3);
	assert_int_equal(policy_org_by_code(t->db, "rt3", &id, &e), CADRE_ENOTFOUND);
}

/* The person relationship, against a fixture table standing in for the
 * staff extract's manager references (not merged into this build). */
static void test_reports(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	static const struct store_sql q_create = {
	    .name = "t_create",
	    .sql = "CREATE TABLE t_manages (manager BIGINT NOT NULL, person BIGINT NOT NULL)",
	};
	static const struct store_sql q_put = {
	    .name = "t_put",
	    .sql = "INSERT INTO t_manages (manager, person) VALUES ($1, $2)",
	};
	static const struct store_sql q_edges = {
	    .name = "t_edges",
	    .sql = "SELECT person FROM t_manages WHERE manager = $1 ORDER BY person",
	};
	testdomain_exec(t->db, &q_create);
	/* 1 manages 2 and 3; 3 manages 4; 4 manages 5 and (a data error) 1;
	 * 6 manages 7 */
	const int64_t pairs[][2] = {{1, 2}, {1, 3}, {3, 4}, {4, 5}, {4, 1}, {6, 7}};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		struct store_stmt *st;
		assert_int_equal(store_prepare(t->db, &q_put, &st, &e), CADRE_OK);
		store_bind_i64(st, 1, pairs[i][0]);
		store_bind_i64(st, 2, pairs[i][1]);
		assert_int_equal(store_exec(st, &e), CADRE_OK);
	}
	const struct {
		int64_t manager, person;
		bool yes;
	} cases[] = {{1, 2, true}, {1, 5, true},  {3, 5, true},  {2, 3, false}, {1, 7, false},
	             {6, 7, true}, {7, 6, false}, {5, 1, false}, {4, 3, true},  {2, 2, false}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool yes;
		assert_int_equal(policy_reports_contains(t->db, &q_edges, cases[i].manager,
		                                         cases[i].person, &yes, &e),
		                 CADRE_OK);
		if (yes != cases[i].yes)
			fail_msg("%lld manages %lld: %d, want %d", (long long)cases[i].manager,
			         (long long)cases[i].person, yes, cases[i].yes);
	}
	bool yes = true;
	assert_int_equal(policy_reports_contains(t->db, NULL, 1, 2, &yes, &e), CADRE_OK);
	assert_false(yes);
}

/* The deployment's own statement, over the staff extract's tables: person
 * 1 (staff 11) manages 2 (staff 12), who manages 3 (staff 13, at another
 * organisation); 4's assignment under 1 has ended; 5 has no manager. */
static void test_reports_on_people_tables(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	struct testauth_orgs o = testauth_build(t);
	static const struct store_sql q_person = {
	    .name = "t_person",
	    .sql = "INSERT INTO person (id, person_key) VALUES ($1, NULL)",
	};
	static const struct store_sql q_staff = {
	    .name = "t_staff",
	    .sql = "INSERT INTO staff (id, org_id, staff_ref, person_id, birth_year, valid_from, "
	           "sex, ethnic_category, disability, attr_digest, import_id) VALUES ($1, $2, $3, "
	           "$4, 1980, '2024-01-01', 'F', 'A', 'no', 0, 1)",
	};
	static const struct store_sql q_assignment = {
	    .name = "t_assignment",
	    .sql = "INSERT INTO assignment (id, assignment_ref, staff_id, org_id, start_date, "
	           "end_date, valid_from, cost_centre_id, position_ref, occupation_code, "
	           "esr_staff_group, grade, grade_band, staff_group, staff_group_basis, "
	           "staff_group_conflict, contracted_hours, fte, category, manager_staff_id, "
	           "leadership_level, terms_digest, import_id) VALUES ($1, $2, $3, $4, "
	           "'2024-01-01', $5, '2024-01-01', 1, 'P', 'N0A', 'Nursing', 'Band 5', '5', "
	           "'Nursing', 'grade', 0, 37.5, 1.0, 'permanent', $6, 0, 0, 1)",
	};
	const struct {
		int64_t person, staff, org, manager_staff;
		const char *end;
	} rows[] = {{1, 11, o.rt1, 0, NULL},
	            {2, 12, o.rt1, 11, NULL},
	            {3, 13, o.rt3, 12, NULL},
	            {4, 14, o.rt1, 11, "2025-01-31"},
	            {5, 15, o.rt1, 0, NULL}};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct store_stmt *st;
		char ref[16];
		assert_int_equal(store_prepare(t->db, &q_person, &st, &e), CADRE_OK);
		store_bind_i64(st, 1, rows[i].person);
		assert_int_equal(store_exec(st, &e), CADRE_OK);
		(void)snprintf(ref, sizeof ref, "S%lld", (long long)rows[i].staff);
		assert_int_equal(store_prepare(t->db, &q_staff, &st, &e), CADRE_OK);
		store_bind_i64(st, 1, rows[i].staff);
		store_bind_i64(st, 2, rows[i].org);
		store_bind_str(st, 3, ref);
		store_bind_i64(st, 4, rows[i].person);
		assert_int_equal(store_exec(st, &e), CADRE_OK);
		(void)snprintf(ref, sizeof ref, "A%lld", (long long)rows[i].staff);
		assert_int_equal(store_prepare(t->db, &q_assignment, &st, &e), CADRE_OK);
		store_bind_i64(st, 1, rows[i].staff);
		store_bind_str(st, 2, ref);
		store_bind_i64(st, 3, rows[i].staff);
		store_bind_i64(st, 4, rows[i].org);
		store_bind_str(st, 5, rows[i].end);
		if (rows[i].manager_staff)
			store_bind_i64(st, 6, rows[i].manager_staff);
		if (store_exec(st, &e) != CADRE_OK)
			fail_msg("assignment: %s", e.msg);
	}
	const struct {
		int64_t manager, person;
		bool yes;
	} cases[] = {{1, 2, true},  {1, 3, true},  {2, 3, true},  {1, 4, false},
	             {1, 5, false}, {3, 1, false}, {2, 1, false}, {5, 2, false}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool yes;
		assert_int_equal(policy_reports_contains(t->db, policy_reports_edges,
		                                         cases[i].manager, cases[i].person, &yes,
		                                         &e),
		                 CADRE_OK);
		if (yes != cases[i].yes)
			fail_msg("%lld manages %lld: %d, want %d", (long long)cases[i].manager,
			         (long long)cases[i].person, yes, cases[i].yes);
	}
}

#define BOTH(f)                                                                                    \
	cmocka_unit_test_setup_teardown(f, testdomain_setup_sqlite, testdomain_teardown),          \
	    cmocka_unit_test_setup_teardown(f, testdomain_setup_pg, testdomain_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_password_production_cost),
	    cmocka_unit_test(test_password_test_cost_and_rules),
	    cmocka_unit_test(test_email_normalise),
	    cmocka_unit_test(test_roles_match_policy),
	    BOTH(test_add_and_find),
	    BOTH(test_grants),
	    BOTH(test_scoped_administration),
	    BOTH(test_policy_check),
	    BOTH(test_reports),
	    BOTH(test_reports_on_people_tables),
	};
	return cmocka_run_group_tests_name("domain_account", tests, NULL, NULL);
}
