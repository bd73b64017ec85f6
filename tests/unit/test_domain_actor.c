/* actor: labels, grants, and the checks every domain entry point makes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "domain/actor.h"

static void test_system_actor(void **state)
{
	(void)state;
	struct cadre_err e;
	struct actor a = actor_system("cli");
	assert_string_equal(actor_label(&a), "system:cli");
	assert_true(actor_is_system(&a));
	assert_int_equal(a.user_id, 0);
	assert_int_equal(actor_check(&a, &e), CADRE_OK);
	struct actor w = actor_system("job-worker.2");
	assert_string_equal(actor_label(&w), "system:job-worker.2");
	assert_int_equal(actor_check(&w, &e), CADRE_OK);
}

static void test_bad_system_names_are_refused(void **state)
{
	(void)state;
	struct cadre_err e;
	const char *bad[] = {"", "CLI", "a b", "x:y", "123456789012345678901234567890123"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct actor a = actor_system(bad[i]);
		assert_string_equal(actor_label(&a), "");
		assert_int_equal(actor_check(&a, &e), CADRE_EINVAL);
		assert_string_equal(e.msg, "actor has no label");
	}
	struct actor ok32 = actor_system("12345678901234567890123456789012");
	assert_int_equal(actor_check(&ok32, &e), CADRE_OK);
	struct actor none = actor_system(NULL);
	assert_int_equal(actor_check(&none, &e), CADRE_EINVAL);
	assert_int_equal(actor_check(NULL, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "no actor");
}

static void test_user_actor_and_grants(void **state)
{
	(void)state;
	struct cadre_err e;
	struct actor_grant g[2] = {{"workforce_lead", 7}, {"board_member", 12}};
	struct actor a = actor_user(42, g, 2);
	assert_string_equal(actor_label(&a), "user:42");
	assert_false(actor_is_system(&a));
	assert_int_equal(actor_check(&a, &e), CADRE_OK);
	assert_true(actor_has_grant(&a, "workforce_lead", 7));
	assert_true(actor_has_grant(&a, "board_member", 12));
	assert_false(actor_has_grant(&a, "workforce_lead", 12));
	assert_false(actor_has_grant(&a, "board", 12));
	struct actor nobody = actor_user(0, NULL, 0);
	assert_int_equal(actor_check(&nobody, &e), CADRE_EINVAL);
	struct actor s = actor_system("cli");
	assert_false(actor_has_grant(&s, "workforce_lead", 7));
}

static void test_forged_actors_are_refused(void **state)
{
	(void)state;
	struct cadre_err e;
	struct actor zero;
	memset(&zero, 0, sizeof zero);
	assert_int_equal(actor_check(&zero, &e), CADRE_EINVAL);

	/* a user struct claiming another user's label */
	struct actor a = actor_user(42, NULL, 0);
	a.user_id = 43;
	assert_int_equal(actor_check(&a, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "malformed user actor");

	/* a user dressed up as the system */
	struct actor b = actor_user(42, NULL, 0);
	b.kind = ACTOR_SYSTEM;
	assert_int_equal(actor_check(&b, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "malformed system actor");

	struct actor c = actor_system("cli");
	c.ngrants = 3; /* no array */
	assert_int_equal(actor_check(&c, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "actor system:cli: grants and count disagree");

	struct actor_grant g = {"", 1};
	struct actor d = actor_user(5, &g, 1);
	assert_int_equal(actor_check(&d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "actor user:5: grant 1 has no role");

	struct actor k = actor_system("cli");
	k.kind = (enum actor_kind)9;
	assert_int_equal(actor_check(&k, &e), CADRE_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_system_actor),
	    cmocka_unit_test(test_bad_system_names_are_refused),
	    cmocka_unit_test(test_user_actor_and_grants),
	    cmocka_unit_test(test_forged_actors_are_refused),
	};
	return cmocka_run_group_tests_name("domain_actor", tests, NULL, NULL);
}
