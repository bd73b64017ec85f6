#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/mem.h"
#include "domain/account.h"
#include "domain/people_view.h"
#include "store/store.h"
#include "testauth.h"
#include "testdomain.h"
#include "testorg.h"
#include "testpeople.h"

/* The staff list, a person's record and the subject access export, on the
 * fixture extract of testpeople.h (31 March 2025).  Values worked out by
 * hand from that file:
 *   RXC, posts not ended by 2025-03-31: A1 Ann Top, A2 and A3 Bea Nurse,
 *   A4 "Cole, Dr", A5 Dee Bank, A6 Eve Hon, A7 Fay Care, A9 Hal Doc,
 *   A10 Ivy Sci (A8 Gus Left ended 2024-12-31): 9 rows.
 *   Managers (open posts): 100 manages 101, 102, 104; 101 manages 103,
 *   105 (and 106, ended); 102 manages 107; 103 manages 108. */

static int64_t staff_id(struct testdomain *t, const char *org, const char *ref)
{
	struct cadre_err e;
	int64_t id = 0;
	if (people_export_staff_id(&t->sys, t->db, org, ref, &id, &e) != CADRE_OK)
		fail_msg("staff %s/%s: %s", org, ref, e.msg);
	return id;
}

static void load(struct testdomain *t, const char *dir)
{
	tp_setup(t, dir);
	char *staff = tp_write(dir, "staff.csv", TP_EXTRACT1);
	free(tp_staff(t, staff, false, CADRE_OK));
	free(staff);
	account_set_cost(ACCOUNT_COST_TEST);
}

/* link_person: account id is the person of staff record org/ref (there is no
 * command for it yet: the account tables keep the column for it). */
static void link_person(struct testdomain *t, int64_t account, const char *org, const char *ref)
{
	static const struct store_sql q = {
	    .name = "t_link",
	    .sql = "UPDATE account SET person_id = (SELECT person_id FROM staff WHERE id = $1) "
	           "WHERE id = $2"};
	struct cadre_err e;
	struct store_stmt *st;
	if (store_prepare(t->db, &q, &st, &e) != CADRE_OK)
		fail_msg("%s", e.msg);
	store_bind_i64(st, 1, staff_id(t, org, ref));
	store_bind_i64(st, 2, account);
	if (store_exec(st, &e) != CADRE_OK)
		fail_msg("%s", e.msg);
}

/* names: the list's rows as "name/ref;..." */
static void names(const json_t *o, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(o, "people"), i, r)
	{
		const char *nm = json_string_value(json_object_get(r, "name"));
		int k = snprintf(out + n, cap - n, "%s%s/%s", n ? ";" : "", nm ? nm : "-",
		                 json_string_value(json_object_get(r, "staff_ref")));
		if (k < 0 || (size_t)k >= cap - n)
			fail_msg("names: too long");
		n += (size_t)k;
	}
}

static json_t *list(struct testdomain *t, const struct actor *a, const struct people_query *q,
                    int want)
{
	struct cadre_err e;
	json_t *o = NULL;
	const char *field = NULL;
	int rc = people_list(a, t->db, q, &o, &field, &e);
	if (rc != want)
		fail_msg("people_list: %d, expected %d: %s", rc, want, e.msg);
	return o;
}

static void test_list(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	load(t, dir);
	struct account_identity who;
	int64_t cpo = testauth_user(t, "cpo@rxc.test", "chief_people_officer", "RXC");
	struct actor a = testauth_actor(t, cpo, &who);
	char buf[1024];

	/* the default org (the grant), sorted by name, paged by 4 with cursors */
	struct people_query q = {.limit = 4};
	json_t *o = list(t, &a, &q, CADRE_OK);
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "org"), "code")),
	                    "RXC");
	assert_string_equal(json_string_value(json_object_get(o, "scope")), "org");
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 9);
	names(o, buf, sizeof buf);
	assert_string_equal(buf, "Ann Top/100;Bea Nurse/101;Bea Nurse/101;Cole, Dr/102");
	char cursor[256];
	(void)snprintf(cursor, sizeof cursor, "%s",
	               json_string_value(json_object_get(o, "next_cursor")));
	json_decref(o);
	q.cursor = cursor;
	o = list(t, &a, &q, CADRE_OK);
	names(o, buf, sizeof buf);
	assert_string_equal(buf, "Dee Bank/103;Eve Hon/104;Fay Care/105;Hal Doc/107");
	(void)snprintf(cursor, sizeof cursor, "%s",
	               json_string_value(json_object_get(o, "next_cursor")));
	json_decref(o);
	o = list(t, &a, &q, CADRE_OK);
	names(o, buf, sizeof buf);
	assert_string_equal(buf, "Ivy Sci/108");
	assert_true(json_is_null(json_object_get(o, "next_cursor")));
	json_decref(o);
	/* page numbers give the same pages */
	q.cursor = NULL;
	q.page = 3;
	o = list(t, &a, &q, CADRE_OK);
	names(o, buf, sizeof buf);
	assert_string_equal(buf, "Ivy Sci/108");
	json_decref(o);

	/* filters: staff group (A6 honorary is DOC_CONS by its grade) */
	q = (struct people_query){.staff_group = "DOC_CONS", .sort = PEOPLE_SORT_STAFF_REF};
	o = list(t, &a, &q, CADRE_OK);
	names(o, buf, sizeof buf);
	assert_string_equal(buf, "Cole, Dr/102;Eve Hon/104;Hal Doc/107");
	json_decref(o);
	q.category = "permanent";
	o = list(t, &a, &q, CADRE_OK);
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 2);
	json_decref(o);
	/* a grade band; on 2024-06-30 Gus (A8) was still in post */
	q = (struct people_query){.grade = "AFC-5"};
	o = list(t, &a, &q, CADRE_OK);
	names(o, buf, sizeof buf);
	assert_string_equal(buf, "Bea Nurse/101;Dee Bank/103");
	json_decref(o);
	q.on = "2024-06-30";
	o = list(t, &a, &q, CADRE_OK);
	names(o, buf, sizeof buf);
	assert_string_equal(buf, "Bea Nurse/101;Dee Bank/103;Gus Left/106");
	json_decref(o);
	/* a single grade and a profession */
	q = (struct people_query){.grade = "AFC-5-1"};
	o = list(t, &a, &q, CADRE_OK);
	names(o, buf, sizeof buf);
	assert_string_equal(buf, "Dee Bank/103");
	json_decref(o);
	q = (struct people_query){.profession = "medicine", .category = "permanent"};
	o = list(t, &a, &q, CADRE_OK);
	names(o, buf, sizeof buf);
	assert_string_equal(buf, "Cole, Dr/102;Hal Doc/107");
	json_decref(o);
	/* sorted by FTE: the bank and honorary posts (0) first, then A3's 0.4 */
	q = (struct people_query){.sort = PEOPLE_SORT_FTE, .limit = 3};
	o = list(t, &a, &q, CADRE_OK);
	names(o, buf, sizeof buf);
	assert_string_equal(buf, "Dee Bank/103;Eve Hon/104;Bea Nurse/101");
	(void)snprintf(cursor, sizeof cursor, "%s",
	               json_string_value(json_object_get(o, "next_cursor")));
	json_decref(o);
	q.cursor = cursor;
	q.limit = 1;
	o = list(t, &a, &q, CADRE_OK);
	names(o, buf, sizeof buf);
	assert_string_equal(buf, "Ann Top/100"); /* 1.0, lowest assignment id */
	json_decref(o);
	/* a subtree: the ward W001 (cost centre RXC1001) */
	q = (struct people_query){.org = "RXCW001"};
	o = list(t, &a, &q, CADRE_OK);
	names(o, buf, sizeof buf);
	assert_string_equal(buf, "Ann Top/100;Bea Nurse/101;Dee Bank/103;Fay Care/105");
	json_decref(o);
	/* another trust is outside the grant: not found */
	q = (struct people_query){.org = "RYR"};
	assert_null(list(t, &a, &q, CADRE_ENOTFOUND));

	/* bad filters name their parameter */
	struct {
		struct people_query q;
		const char *field;
	} bad[] = {
	    {{.grade = "afc-5"}, "grade"},
	    {{.staff_group = "nurse"}, "staff_group"},
	    {{.category = "agency"}, "category"},
	    {{.on = "31/03/2025"}, "on"},
	    {{.on = "2025-02-30"}, "on"},
	    {{.org = "rxc"}, "org"},
	    {{.limit = 201}, "limit"},
	    {{.cursor = "0.1.zz"}, "cursor"},
	    {{.cursor = "1.5.41"}, "cursor"}, /* a cursor of another sort */
	    {{.cursor = "0.-1.41"}, "cursor"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct cadre_err e;
		json_t *x = NULL;
		const char *field = NULL;
		assert_int_equal(people_list(&a, t->db, &bad[i].q, &x, &field, &e), CADRE_EINVAL);
		assert_null(x);
		assert_non_null(field);
		assert_string_equal(field, bad[i].field);
	}
	account_identity_free(&who);
	tp_rmdir(dir);
}

static void test_scope(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	load(t, dir);
	char buf[1024];
	struct people_query q = {0};
	struct account_identity w1, w2, w3, w4, w5;

	/* a grant over the ICB does not reach named records */
	int64_t icb = testauth_user(t, "cpo@qnx.test", "chief_people_officer", "QNX");
	struct actor a = testauth_actor(t, icb, &w1);
	json_t *o = list(t, &a, &q, CADRE_OK);
	assert_true(json_is_null(json_object_get(o, "org")));
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 0);
	assert_int_equal(json_array_size(json_object_get(o, "people")), 0);
	json_decref(o);
	q.org = "RXC";
	assert_null(list(t, &a, &q, CADRE_EPERM));
	q.org = NULL;

	/* a ward manager sees their ward */
	int64_t wm = testauth_user(t, "wm@rxc.test", "ward_manager", "RXCW002");
	a = testauth_actor(t, wm, &w2);
	o = list(t, &a, &q, CADRE_OK);
	names(o, buf, sizeof buf);
	assert_string_equal(buf, "Bea Nurse/101;Ivy Sci/108"); /* A3 (RXC2001), A10 (RXC2002) */
	json_decref(o);

	/* a line manager: the people they manage, directly and below */
	int64_t lm = testauth_user(t, "lm@rxc.test", "line_manager", "RXC");
	a = testauth_actor(t, lm, &w3);
	o = list(t, &a, &q, CADRE_OK);
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 0); /* not linked */
	json_decref(o);
	link_person(t, lm, "RXC", "101");
	o = list(t, &a, &q, CADRE_OK);
	assert_string_equal(json_string_value(json_object_get(o, "scope")), "reports");
	names(o, buf, sizeof buf);
	assert_string_equal(buf, "Dee Bank/103;Fay Care/105;Ivy Sci/108");
	json_decref(o);
	link_person(t, lm, "RXC", "100");
	o = list(t, &a, &q, CADRE_OK);
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 8); /* all but A1 */
	json_decref(o);

	/* a staff member: themselves */
	int64_t sm = testauth_user(t, "sm@rxc.test", "staff_member", "RXC");
	link_person(t, sm, "RXC", "101");
	a = testauth_actor(t, sm, &w4);
	o = list(t, &a, &q, CADRE_OK);
	names(o, buf, sizeof buf);
	assert_string_equal(buf, "Bea Nurse/101;Bea Nurse/101");
	json_decref(o);

	/* the record: a line manager of 101 opens 103 but not 100 */
	link_person(t, lm, "RXC", "101");
	account_identity_free(&w3);
	a = testauth_actor(t, lm, &w3);
	struct cadre_err e;
	assert_int_equal(
	    people_record(&a, t->db, t->key, &t->clk.clock, staff_id(t, "RXC", "103"), &o, &e),
	    CADRE_OK);
	assert_true(json_is_null(json_object_get(o, "protected")));
	json_decref(o);
	int64_t before = testauth_audit_count(t, "people.read");
	assert_int_equal(
	    people_record(&a, t->db, t->key, &t->clk.clock, staff_id(t, "RXC", "100"), &o, &e),
	    CADRE_ENOTFOUND);
	assert_null(o);
	assert_int_equal(testauth_audit_count(t, "people.read"), before); /* nothing shown */
	/* a workforce planner over RYR: RXC's records do not exist for them */
	int64_t pl = testauth_user(t, "wp@ryr.test", "workforce_planner", "RYR");
	a = testauth_actor(t, pl, &w5);
	assert_int_equal(
	    people_record(&a, t->db, t->key, &t->clk.clock, staff_id(t, "RXC", "107"), &o, &e),
	    CADRE_ENOTFOUND);
	assert_int_equal(people_record(&a, t->db, t->key, &t->clk.clock, 999999, &o, &e),
	                 CADRE_ENOTFOUND);
	account_identity_free(&w1);
	account_identity_free(&w2);
	account_identity_free(&w3);
	account_identity_free(&w4);
	account_identity_free(&w5);
	tp_rmdir(dir);
}

/* audit_last: the actor and object of the latest entry with action. */
static void audit_last(struct testdomain *t, const char *action, char *actor, char *object,
                       size_t cap)
{
	static const struct store_sql q = {
	    .name = "t_audit_last",
	    .sql = "SELECT actor, object FROM audit_entry WHERE action = $1 ORDER BY seq DESC"};
	struct cadre_err e;
	struct store_stmt *st;
	if (store_prepare(t->db, &q, &st, &e) != CADRE_OK)
		fail_msg("%s", e.msg);
	store_bind_str(st, 1, action);
	if (store_step(st, &e) != CADRE_OK)
		fail_msg("no %s entry", action);
	(void)snprintf(actor, cap, "%s", store_col_text(st, 0));
	(void)snprintf(object, cap, "%s", store_col_text(st, 1));
	store_reset(st);
}

static void test_record(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	load(t, dir);
	struct account_identity w1, w2;
	int64_t ea = testauth_user(t, "ea@rxc.test", "equality_analyst", "RXC");
	int64_t wp = testauth_user(t, "wp@rxc.test", "workforce_planner", "RXC");
	struct actor eq = testauth_actor(t, ea, &w1);
	struct actor pl = testauth_actor(t, wp, &w2);
	int64_t hal = staff_id(t, "RXC", "107");
	struct cadre_err e;
	json_t *o = NULL;
	char actor[64], object[64], want[64];

	/* the equality analyst sees Hal's protected characteristics */
	int64_t n0 = testauth_audit_count(t, "people.read");
	assert_int_equal(people_record(&eq, t->db, t->key, &t->clk.clock, hal, &o, &e), CADRE_OK);
	assert_int_equal(testauth_audit_count(t, "people.read"), n0 + 1);
	audit_last(t, "people.read", actor, object, sizeof actor);
	(void)snprintf(want, sizeof want, "user:%lld", (long long)ea);
	assert_string_equal(actor, want);
	(void)snprintf(want, sizeof want, "staff:%lld", (long long)hal);
	assert_string_equal(object, want);
	assert_string_equal(json_string_value(json_object_get(o, "name")), "Hal Doc");
	json_t *p = json_object_get(o, "protected");
	assert_true(json_is_object(p));
	assert_string_equal(json_string_value(json_object_get(p, "ethnic_category")), "99");
	assert_string_equal(json_string_value(json_object_get(p, "sex")), "M");
	assert_string_equal(json_string_value(json_object_get(p, "disability")), "no");
	assert_int_equal(json_integer_value(json_object_get(p, "birth_year")), 1980);
	/* the test clock is 2026-01-01: 2026 - 1980 = 46 */
	assert_string_equal(json_string_value(json_object_get(p, "age_band")), "46-50");
	/* one post, its grade, its manager (Cole, linked: in the analyst's scope) */
	json_t *as = json_object_get(o, "assignments");
	assert_int_equal(json_array_size(as), 1);
	json_t *a0 = json_array_get(as, 0);
	assert_string_equal(json_string_value(json_object_get(a0, "assignment_ref")), "A9");
	assert_string_equal(json_string_value(json_object_get(a0, "grade")), "MED-CONS");
	assert_string_equal(json_string_value(json_object_get(a0, "staff_group")), "DOC_CONS");
	assert_string_equal(json_string_value(json_object_get(a0, "ward")), "RXCT001");
	json_t *m = json_object_get(o, "manager");
	assert_string_equal(json_string_value(json_object_get(m, "name")), "Cole, Dr");
	assert_true(json_is_true(json_object_get(m, "linked")));
	json_t *gh = json_object_get(o, "grade_history");
	assert_int_equal(json_array_size(gh), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(gh, 0), "from")),
	                    "1900-01-01");
	/* never the national identifier, nor the person key, on a page */
	char *text = json_dumps(o, JSON_COMPACT);
	assert_null(strstr(text, "QQ100008A"));
	assert_null(strstr(text, "person_key"));
	free(text);
	json_decref(o);

	/* the planner: the same record without them, and audited as well */
	assert_int_equal(people_record(&pl, t->db, t->key, &t->clk.clock, hal, &o, &e), CADRE_OK);
	assert_int_equal(testauth_audit_count(t, "people.read"), n0 + 2);
	assert_true(json_is_null(json_object_get(o, "protected")));
	assert_true(json_is_false(json_object_get(o, "protected_shown")));
	text = json_dumps(o, JSON_COMPACT);
	assert_null(strstr(text, "ethnic"));
	assert_null(strstr(text, "\"99\""));
	assert_null(strstr(text, "1980"));
	free(text);
	json_decref(o);

	/* Bea (101) has two posts, the fixed-term one ending 2025-12-31 */
	assert_int_equal(
	    people_record(&pl, t->db, t->key, &t->clk.clock, staff_id(t, "RXC", "101"), &o, &e),
	    CADRE_OK);
	as = json_object_get(o, "assignments");
	assert_int_equal(json_array_size(as), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(as, 0), "grade")),
	                    "AFC-5-2");
	assert_string_equal(json_string_value(json_object_get(json_array_get(as, 1), "end_date")),
	                    "2025-12-31");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(o, "manager"), "staff_ref")), "100");
	json_decref(o);
	/* Gus (106): an ended post */
	assert_int_equal(
	    people_record(&pl, t->db, t->key, &t->clk.clock, staff_id(t, "RXC", "106"), &o, &e),
	    CADRE_OK);
	a0 = json_array_get(json_object_get(o, "assignments"), 0);
	assert_true(json_is_false(json_object_get(a0, "current")));
	assert_string_equal(json_string_value(json_object_get(a0, "leaving_reason")),
	                    "resignation_other");
	json_decref(o);
	account_identity_free(&w1);
	account_identity_free(&w2);
	tp_rmdir(dir);
}

struct capture {
	char *text;
	int fail;
};

static int capture(const char *text, size_t len, void *arg, struct cadre_err *err)
{
	struct capture *c = arg;
	if (c->fail)
		return cadre_err_set(err, CADRE_EINVAL, "disk full");
	c->text = xmalloc(len + 1);
	memcpy(c->text, text, len);
	c->text[len] = '\0';
	return CADRE_OK;
}

static void test_export(void **state)
{
	struct testdomain *t = *state;
	const char *dir = tp_dir();
	load(t, dir);
	struct account_identity w1, w2;
	int64_t wp = testauth_user(t, "wp@rxc.test", "workforce_planner", "RXC");
	int64_t cpo = testauth_user(t, "cpo@rxc.test", "chief_people_officer", "RXC");
	struct actor pl = testauth_actor(t, wp, &w1);
	struct actor ch = testauth_actor(t, cpo, &w2);
	int64_t bea = staff_id(t, "RXC", "101");
	struct cadre_err e;
	json_t *o = NULL;
	/* two reads first: the export lists them */
	assert_int_equal(people_record(&pl, t->db, t->key, &t->clk.clock, bea, &o, &e), CADRE_OK);
	json_decref(o);
	assert_int_equal(people_record(&ch, t->db, t->key, &t->clk.clock, bea, &o, &e), CADRE_OK);
	json_decref(o);

	/* a planner may not export (people.export); a failing delivery leaves
	 * no entry */
	struct capture c = {0};
	int64_t id = 0;
	assert_int_equal(people_export_staff_id(&pl, t->db, "RXC", "101", &id, &e),
	                 CADRE_ENOTFOUND);
	assert_int_equal(people_export(&pl, t->db, t->key, &t->clk.clock, bea, capture, &c, &e),
	                 CADRE_ENOTFOUND);
	c.fail = 1;
	assert_int_equal(people_export(&ch, t->db, t->key, &t->clk.clock, bea, capture, &c, &e),
	                 CADRE_EINVAL);
	assert_int_equal(testauth_audit_count(t, "people.export"), 0);
	c.fail = 0;
	assert_int_equal(people_export_staff_id(&ch, t->db, "RXC", "101", &id, &e), CADRE_OK);
	assert_int_equal(id, bea);
	assert_int_equal(people_export(&ch, t->db, t->key, &t->clk.clock, bea, capture, &c, &e),
	                 CADRE_OK);
	assert_int_equal(testauth_audit_count(t, "people.export"), 1);
	json_error_t je;
	json_t *x = json_loads(c.text, 0, &je);
	assert_non_null(x);
	assert_string_equal(json_string_value(json_object_get(x, "format")),
	                    "cadre-subject-access-v1");
	json_t *r = json_object_get(x, "record");
	assert_string_equal(json_string_value(json_object_get(r, "staff_ref")), "101");
	assert_string_equal(json_string_value(json_object_get(r, "name")), "Bea Nurse");
	/* their own protected characteristics are in their export */
	json_t *p = json_object_get(r, "protected");
	assert_string_equal(json_string_value(json_object_get(p, "ethnic_category")), "H");
	assert_int_equal(json_integer_value(json_object_get(p, "birth_year")), 1985);
	assert_int_equal(json_array_size(json_object_get(r, "assignments")), 2);
	/* the person key (32 hex digits), never the NI number */
	assert_int_equal(strlen(json_string_value(json_object_get(r, "person_key"))), 32);
	assert_null(strstr(c.text, "QQ100002A"));
	/* RYR holds B1 for the same person */
	assert_int_equal(json_integer_value(json_object_get(x, "records_at_other_employers")), 1);
	/* the two reads, by whom */
	json_t *au = json_object_get(x, "audit_entries");
	assert_int_equal(json_array_size(au), 2);
	char want[32];
	(void)snprintf(want, sizeof want, "user:%lld", (long long)wp);
	assert_string_equal(json_string_value(json_object_get(json_array_get(au, 0), "actor")),
	                    want);
	assert_string_equal(json_string_value(json_object_get(json_array_get(au, 0), "action")),
	                    "people.read");
	json_decref(x);
	free(c.text);
	/* the system actor (the command line) may export anyone */
	c.text = NULL;
	assert_int_equal(people_export_staff_id(&t->sys, t->db, "RYR", "900", &id, &e), CADRE_OK);
	assert_int_equal(people_export(&t->sys, t->db, t->key, &t->clk.clock, id, capture, &c, &e),
	                 CADRE_OK);
	assert_non_null(strstr(c.text, "\"staff_ref\":\"900\""));
	free(c.text);
	assert_int_equal(people_export_staff_id(&t->sys, t->db, "RYR", "nobody", &id, &e),
	                 CADRE_ENOTFOUND);
	account_identity_free(&w1);
	account_identity_free(&w2);
	tp_rmdir(dir);
}

static void test_age_band(void **state)
{
	(void)state;
	assert_string_equal(people_age_band(2006, 2026), "Under 21");
	assert_string_equal(people_age_band(2005, 2026), "21-25");
	assert_string_equal(people_age_band(2001, 2026), "21-25");
	assert_string_equal(people_age_band(2000, 2026), "26-30");
	assert_string_equal(people_age_band(1956, 2026), "66-70");
	assert_string_equal(people_age_band(1955, 2026), "71 and over");
}

#define BOTH(f)                                                                                    \
	{#f "(sqlite)", f, testdomain_setup_sqlite, testdomain_teardown, NULL},                    \
	{                                                                                          \
#f "(postgresql)", f, testdomain_setup_pg, testdomain_teardown, NULL               \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_age_band),
	    BOTH(test_list),
	    BOTH(test_scope),
	    BOTH(test_record),
	    BOTH(test_export),
	};
	return cmocka_run_group_tests_name("domain_people_view", tests, NULL, NULL);
}
