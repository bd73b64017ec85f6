#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "domain/account.h"
#include "domain/assess.h"
#include "domain/toolkit.h"
#include "testauth.h"
#include "testdomain.h"
#include "testpeople.h"

/* What the web pages need from the domain: respondents proposed from
 * accounts and the staff extract (worked out by hand from testpeople.h's
 * extract), several answers saved all or nothing, a signed-in account
 * answering as itself, rounds by id within the actor's scope, the list of
 * rounds and of one's own invitations.
 *
 * The extract of 2025-03-31 at RXC, in post (permanent, fixed term,
 * locum): A1 100 level 4; A2 101 level 1 and A3 101 level 0; A4 102 level
 * 2; A7 105, A9 107, A10 108 level 0.  Managers of in-post assignments:
 * 100 (of A2, A3, A4), 101 (of A7), 102 (of A9), 103 (of A10; bank only,
 * so not in post).  So senior leaders (level 3 or 4): 100; line managers:
 * 101 and 102 (100 is already a senior leader); split by level: level 4
 * 100, level 2 102, level 3 nobody, and line managers then 101 only. */

#define FY 2025

static void setup_round(struct testdomain *t, const char *dir, const struct assess_group_spec *g,
                        size_t ng)
{
	tp_setup(t, dir);
	char *staff = tp_write(dir, "staff.csv", TP_EXTRACT1);
	free(tp_staff(t, staff, false, CADRE_OK));
	free(staff);
	struct cadre_err e;
	char *tk = testorg_path("data/toolkits");
	if (toolkit_load_dir(&t->sys, t->db, t->key, tk, &t->clk.clock, NULL, NULL, &e) != CADRE_OK)
		fail_msg("toolkits: %s", e.msg);
	free(tk);
	struct assess_open_req o = {
	    .ref = {.org = "RXC", .period = FY}, .groups = g, .ngroups = ng, .opened_by = "CPO"};
	if (assess_open(&t->sys, t->db, t->key, &o, &t->clk.clock, NULL, &e) != CADRE_OK)
		fail_msg("open: %s", e.msg);
}

static const json_t *group_of(const json_t *p, const char *id)
{
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(p, "groups"), i, g)
	{
		if (strcmp(json_string_value(json_object_get(g, "id")), id) == 0)
			return g;
	}
	fail_msg("no group %s", id);
	return NULL;
}

/* ids: the candidates' ids of group id, space-separated, into out */
static const char *ids(const json_t *p, const char *id, char *out, size_t n)
{
	out[0] = '\0';
	size_t i, used = 0;
	json_t *c;
	json_array_foreach(json_object_get(group_of(p, id), "candidates"), i, c)
	{
		int w = snprintf(out + used, n - used, "%s%s", used ? " " : "",
		                 json_string_value(json_object_get(c, "id")));
		if (w > 0 && (size_t)w < n - used)
			used += (size_t)w;
	}
	return out;
}

static void test_propose(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	setup_round(t, dir, NULL, 0);
	testauth_user(t, "board@rxc.test", "board_member", "RXC");
	testauth_user(t, "planner@rxc.test", "workforce_planner", "RXC");
	testauth_user(t, "ward@rxc.test", "ward_manager", "RXC");
	testauth_user(t, "board@ryr.test", "board_member", "RYR"); /* another trust */
	struct cadre_err e;
	struct assess_ref ref = {.org = "RXC", .period = FY};
	const char *who[] = {"staff-102"};
	assert_int_equal(
	    assess_invite(&t->sys, t->db, t->key, &ref, "line_managers", who, 1, &t->clk.clock, &e),
	    CADRE_OK);
	json_t *p = NULL;
	assert_int_equal(assess_invite_propose(&t->sys, t->db, &ref, SIZE_MAX, &p, &e), CADRE_OK);
	assert_string_equal(json_string_value(json_object_get(p, "as_of")), "2025-03-31");
	char buf[512];
	assert_string_equal(ids(p, "board", buf, sizeof buf), "board@rxc.test");
	assert_string_equal(ids(p, "senior_leaders", buf, sizeof buf), "staff-100");
	assert_string_equal(ids(p, "line_managers", buf, sizeof buf),
	                    "ward@rxc.test staff-101 staff-102");
	assert_string_equal(ids(p, "workforce_planners", buf, sizeof buf), "planner@rxc.test");
	/* names from the extract; the one already invited is marked */
	const json_t *lm = json_object_get(group_of(p, "line_managers"), "candidates");
	assert_string_equal(json_string_value(json_object_get(json_array_get(lm, 2), "name")),
	                    "Cole, Dr");
	assert_true(json_is_true(json_object_get(json_array_get(lm, 2), "invited")));
	assert_true(json_is_false(json_object_get(json_array_get(lm, 1), "invited")));
	json_decref(p);
	/* a page lists a few: the first in the same order, the rest counted */
	assert_int_equal(assess_invite_propose(&t->sys, t->db, &ref, 1, &p, &e), CADRE_OK);
	assert_string_equal(ids(p, "line_managers", buf, sizeof buf), "ward@rxc.test");
	assert_int_equal(json_integer_value(json_object_get(group_of(p, "line_managers"), "more")),
	                 2);
	assert_int_equal(json_integer_value(json_object_get(group_of(p, "board"), "more")), 0);
	json_decref(p);
	/* only a chief people officer may ask */
	int64_t bid = testauth_user(t, "b2@rxc.test", "board_member", "RXC");
	struct account_identity who_b;
	struct actor board = testauth_actor(t, bid, &who_b);
	assert_int_equal(assess_invite_propose(&board, t->db, &ref, SIZE_MAX, &p, &e), CADRE_EPERM);
	account_identity_free(&who_b);
	tp_rmdir(dir);
}

static void test_propose_levels(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	struct assess_group_spec g[] = {assess_level_groups[0],
	                                assess_level_groups[1],
	                                assess_level_groups[2],
	                                {"line_managers", "Line managers"},
	                                {"others", "Others"}};
	setup_round(t, dir, g, 5);
	struct cadre_err e;
	struct assess_ref ref = {.org = "RXC", .period = FY};
	json_t *p = NULL;
	assert_int_equal(assess_invite_propose(&t->sys, t->db, &ref, SIZE_MAX, &p, &e), CADRE_OK);
	char buf[512];
	assert_string_equal(ids(p, "leaders_l4", buf, sizeof buf), "staff-100");
	assert_string_equal(ids(p, "leaders_l3", buf, sizeof buf), "");
	assert_string_equal(ids(p, "leaders_l2", buf, sizeof buf), "staff-102");
	assert_string_equal(ids(p, "line_managers", buf, sizeof buf), "staff-101");
	assert_string_equal(ids(p, "others", buf, sizeof buf), "");
	assert_string_equal(json_string_value(json_object_get(group_of(p, "others"), "rule")),
	                    "no rule: name its members");
	json_decref(p);
	tp_rmdir(dir);
}

static int64_t answered(struct testdomain *t, const struct actor *a, const char *resp)
{
	struct cadre_err e;
	struct assess_ref ref = {.org = "RXC", .period = FY};
	json_t *q = NULL;
	if (assess_questionnaire_json(a, t->db, &ref, resp, false, &q, &e) != CADRE_OK)
		fail_msg("questionnaire: %s", e.msg);
	int64_t n = json_integer_value(json_object_get(q, "answered"));
	json_decref(q);
	return n;
}

static void test_answers(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	setup_round(t, dir, NULL, 0);
	int64_t me_id = testauth_user(t, "me@rxc.test", "board_member", "RXC");
	int64_t ryr_id = testauth_user(t, "me@ryr.test", "board_member", "RYR");
	struct cadre_err e;
	struct assess_ref ref = {.org = "RXC", .period = FY};
	const char *inv[] = {"me@rxc.test", "other@rxc.test"};
	assert_int_equal(
	    assess_invite(&t->sys, t->db, t->key, &ref, "board", inv, 2, &t->clk.clock, &e),
	    CADRE_OK);
	struct account_identity who, who_ryr;
	struct actor me = testauth_actor(t, me_id, &who);
	struct actor ryr = testauth_actor(t, ryr_id, &who_ryr);
	char self[ASSESS_ID_MAX];
	assert_int_equal(assess_self_respondent(&me, t->db, self, &e), CADRE_OK);
	assert_string_equal(self, "me@rxc.test");
	assert_int_equal(assess_self_respondent(&t->sys, t->db, self, &e), CADRE_ENOTFOUND);

	/* a bad second answer: the first is not saved either */
	struct assess_answer_in bad[] = {{"lead-1", 3, "minutes"}, {"lead-2", 9, NULL}};
	size_t failed = 99;
	assert_int_equal(assess_answers(&me, t->db, t->key, &ref, "me@rxc.test", bad, 2, false,
	                                &t->clk.clock, &failed, &e),
	                 CADRE_EINVAL);
	assert_int_equal(failed, 1);
	assert_non_null(strstr(e.msg, "score 9 is outside the scale 1 to 5"));
	assert_int_equal(answered(t, &t->sys, "me@rxc.test"), 0);
	struct assess_answer_in twice[] = {{"lead-1", 3, NULL}, {"lead-1", 4, NULL}};
	assert_int_equal(assess_answers(&me, t->db, t->key, &ref, "me@rxc.test", twice, 2, false,
	                                &t->clk.clock, &failed, &e),
	                 CADRE_EINVAL);
	assert_int_equal(failed, 1);
	/* a board member answers as themselves (no chief people officer role) */
	struct assess_answer_in good[] = {{"lead-1", 3, "minutes"}, {"lead-2", 0, NULL}};
	assert_int_equal(assess_answers(&me, t->db, t->key, &ref, "me@rxc.test", good, 2, false,
	                                &t->clk.clock, &failed, &e),
	                 CADRE_OK);
	assert_int_equal(answered(t, &me, "me@rxc.test"), 2);
	/* but not for someone else, nor outside their grant */
	assert_int_equal(assess_answers(&me, t->db, t->key, &ref, "other@rxc.test", good, 2, false,
	                                &t->clk.clock, &failed, &e),
	                 CADRE_EPERM);
	json_t *q = NULL;
	assert_int_equal(assess_questionnaire_json(&ryr, t->db, &ref, "me@rxc.test", false, &q, &e),
	                 CADRE_ENOTFOUND);
	/* the invitation lists it, in progress */
	json_t *inv_j = NULL;
	assert_int_equal(assess_invitations_json(&me, t->db, &inv_j, &e), CADRE_OK);
	assert_int_equal(json_array_size(inv_j), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(inv_j, 0), "state")),
	                    "in_progress");
	json_decref(inv_j);
	/* submit with no new answers; then once more is a conflict */
	assert_int_equal(assess_answers(&me, t->db, t->key, &ref, "me@rxc.test", NULL, 0, true,
	                                &t->clk.clock, &failed, &e),
	                 CADRE_OK);
	assert_int_equal(assess_answers(&me, t->db, t->key, &ref, "me@rxc.test", good, 1, false,
	                                &t->clk.clock, &failed, &e),
	                 CADRE_ECONFLICT);
	assert_int_equal(failed, 1);
	assert_non_null(strstr(e.msg, "a respondent answers once"));
	/* after close: a conflict for everyone */
	assert_int_equal(assess_close(&t->sys, t->db, t->key, &ref, "CPO", &t->clk.clock, &e),
	                 CADRE_OK);
	assert_int_equal(assess_answers(&t->sys, t->db, t->key, &ref, "other@rxc.test", good, 2,
	                                false, &t->clk.clock, &failed, &e),
	                 CADRE_ECONFLICT);
	assert_non_null(strstr(e.msg, "answering is no longer possible"));
	assert_int_equal(answered(t, &t->sys, "other@rxc.test"), 0);
	account_identity_free(&who);
	account_identity_free(&who_ryr);
	tp_rmdir(dir);
}

static void test_by_id(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	setup_round(t, dir, NULL, 0);
	struct cadre_err e;
	struct assess_open_req o = {.ref = {.org = "RJ1", .period = FY}, .opened_by = "CPO"};
	int64_t rj1 = 0;
	assert_int_equal(assess_open(&t->sys, t->db, t->key, &o, &t->clk.clock, &rj1, &e),
	                 CADRE_OK);
	assert_int_equal(rj1, 2);
	int64_t org = 0;
	assert_int_equal(assess_round_org(t->db, 1, &org, &e), CADRE_OK);
	assert_int_equal(assess_round_org(t->db, 3, &org, &e), CADRE_ENOTFOUND);
	int64_t uid = testauth_user(t, "b@rxc.test", "board_member", "RXC");
	struct account_identity who;
	struct actor b = testauth_actor(t, uid, &who);
	struct assess_round_info r;
	assert_int_equal(assess_round_get(&b, t->db, 1, &r, &e), CADRE_OK);
	assert_string_equal(r.org, "RXC");
	assert_int_equal(r.period, FY);
	assert_string_equal(r.toolkit, "wfp-five-factor");
	assert_string_equal(r.status, "open");
	assert_int_equal(r.org_id, org);
	/* RJ1's round is outside the grant: as if there were none */
	assert_int_equal(assess_round_get(&b, t->db, 2, &r, &e), CADRE_ENOTFOUND);
	json_t *list = NULL;
	assert_int_equal(assess_rounds_json(&b, t->db, &list, &e), CADRE_OK);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "org")),
	                    "RXC");
	json_decref(list);
	assert_int_equal(assess_rounds_json(&t->sys, t->db, &list, &e), CADRE_OK);
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);
	account_identity_free(&who);
	tp_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_propose, testdomain_setup_sqlite,
	                                    testdomain_teardown),
	    cmocka_unit_test_setup_teardown(test_propose, testdomain_setup_pg, testdomain_teardown),
	    cmocka_unit_test_setup_teardown(test_propose_levels, testdomain_setup_sqlite,
	                                    testdomain_teardown),
	    cmocka_unit_test_setup_teardown(test_propose_levels, testdomain_setup_pg,
	                                    testdomain_teardown),
	    cmocka_unit_test_setup_teardown(test_answers, testdomain_setup_sqlite,
	                                    testdomain_teardown),
	    cmocka_unit_test_setup_teardown(test_answers, testdomain_setup_pg, testdomain_teardown),
	    cmocka_unit_test_setup_teardown(test_by_id, testdomain_setup_sqlite,
	                                    testdomain_teardown),
	    cmocka_unit_test_setup_teardown(test_by_id, testdomain_setup_pg, testdomain_teardown),
	};
	return cmocka_run_group_tests_name("domain_assess_web", tests, NULL, NULL);
}
