/* toolkit: the shipped toolkits, every validation error with its exact
 * message, and the version rules on SQLite and PostgreSQL (nothing
 * half-saved, every version kept, the load audited). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "domain/assess.h"
#include "domain/audit.h"
#include "domain/import.h"
#include "domain/toolkit.h"
#include "store/store.h"
#include "testdomain.h"
#include "testorg.h"

static char *fixture(const char *name)
{
	char rel[256];
	(void)snprintf(rel, sizeof rel, "tests/fixtures/toolkits/%s", name);
	return testorg_path(rel);
}

/* parse_file: parse a file from the tree (no database) */
static int parse_file(const char *rel, struct toolkit *tk, struct cadre_err *err)
{
	char *path = testorg_path(rel);
	struct import_file f = {0};
	int rc = import_file_read(path, TOOLKIT_FILE_MAX, &f, err);
	free(path);
	if (rc != CADRE_OK)
		return rc;
	rc = toolkit_parse(import_basename(rel), f.data, f.len, tk, err);
	import_file_free(&f);
	return rc;
}

/* ---- the shipped toolkits ----------------------------------------------------- */

static void check_shipped(const struct toolkit *tk, size_t min, size_t max)
{
	assert_int_equal(tk->nfactors, 5);
	assert_int_equal(tk->nscale, 5);
	const char *labels[] = {"not started", "emerging", "developing", "established", "leading"};
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(tk->scale[i].label, labels[i]);
	for (size_t f = 0; f < tk->nfactors; f++) {
		if (tk->factors[f].n < min || tk->factors[f].n > max)
			fail_msg("%s: %zu statements, want %zu to %zu", tk->factors[f].id,
			         tk->factors[f].n, min, max);
	}
	for (size_t s = 0; s < tk->nstatements; s++) {
		const struct toolkit_statement *st = &tk->statements[s];
		assert_true(st->nsources >= 1);
		for (size_t k = 0; k < tk->nscale; k++)
			assert_true(strlen(st->descriptors[k]) > 10);
		/* every descriptor of a statement differs from the others */
		for (size_t i = 0; i < tk->nscale; i++)
			for (size_t j = i + 1; j < tk->nscale; j++)
				assert_string_not_equal(st->descriptors[i], st->descriptors[j]);
	}
}

static void test_shipped_toolkits(void **state)
{
	(void)state;
	struct toolkit tk = {0};
	struct cadre_err err;
	if (parse_file("data/toolkits/wfp-five-factor.json", &tk, &err) != CADRE_OK)
		fail_msg("%s", err.msg);
	assert_string_equal(tk.id, "wfp-five-factor");
	assert_string_equal(tk.framework, "nhsi-five-factor");
	assert_int_equal(tk.levels, TOOLKIT_LEVEL_TRUST);
	const char *f5[] = {"leadership", "technology", "information-method-governance",
	                    "engagement-integration", "strategy"};
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(tk.factors[i].id, f5[i]);
	check_shipped(&tk, 5, 8);
	assert_int_equal(tk.nstatements, 31);
	/* the statements cite the frameworks the issue names */
	size_t six = 0, cfwi = 0, star = 0;
	for (size_t s = 0; s < tk.nstatements; s++)
		for (size_t k = 0; k < tk.statements[s].nsources; k++) {
			six += strcmp(tk.statements[s].sources[k], "SIX") == 0;
			cfwi += strcmp(tk.statements[s].sources[k], "CFWI") == 0;
			star += strcmp(tk.statements[s].sources[k], "STAR") == 0;
		}
	assert_true(six > 10 && cfwi > 5 && star > 5);
	toolkit_free(&tk);

	if (parse_file("data/toolkits/edu-commissioning.json", &tk, &err) != CADRE_OK)
		fail_msg("%s", err.msg);
	assert_string_equal(tk.framework, "commissioning-competencies");
	assert_int_equal(tk.levels, TOOLKIT_LEVEL_ICB | TOOLKIT_LEVEL_REGION);
	check_shipped(&tk, 5, 8);
	assert_int_equal(tk.nstatements, 25);
	toolkit_free(&tk);
}

/* ---- every validation error ----------------------------------------------------- */

static void expect_bad(const char *name, const char *msg)
{
	char rel[256];
	(void)snprintf(rel, sizeof rel, "tests/fixtures/toolkits/%s", name);
	struct toolkit tk = {0};
	struct cadre_err err;
	int rc = parse_file(rel, &tk, &err);
	if (rc != CADRE_EINVAL)
		fail_msg("%s: status %d, want CADRE_EINVAL", name, rc);
	assert_string_equal(err.msg, msg);
}

static void test_bad_files(void **state)
{
	(void)state;
	expect_bad("bad-missing-factor.json",
	           "bad-missing-factor.json: factors: factor 'technology' is missing: framework "
	           "nhsi-five-factor has leadership, technology, information-method-governance, "
	           "engagement-integration, strategy");
	expect_bad("bad-duplicate-statement.json",
	           "bad-duplicate-statement.json: factors[1].statements[1].id: duplicate "
	           "statement id 'a-2' (first at factors[0].statements[1])");
	expect_bad("bad-scale-gap.json", "bad-scale-gap.json: scale[2].value: expected 3, found "
	                                 "4: scale values run 1, 2, 3 ... in order without gaps");
	expect_bad("bad-scale-label-twice.json", "bad-scale-label-twice.json: scale[3].label: "
	                                         "label 'emerging' is used twice (also scale[1])");
	expect_bad("bad-missing-descriptor.json",
	           "bad-missing-descriptor.json: factors[0].statements[1].levels: no descriptor "
	           "for level 4 (established)");
	expect_bad("bad-descriptor-off-scale.json",
	           "bad-descriptor-off-scale.json: factors[1].statements[0].levels.6: '6' is not "
	           "a level of the scale 1 to 5");
	expect_bad("bad-unknown-level.json",
	           "bad-unknown-level.json: levels[1]: unknown level 'ics': use trust, icb or "
	           "region");
	expect_bad("bad-unknown-source.json", "bad-unknown-source.json: "
	                                      "factors[1].statements[1].sources[1]: source 'HEE' "
	                                      "is not declared in 'sources'");
	expect_bad("bad-unknown-evidence.json",
	           "bad-unknown-evidence.json: factors[0].statements[1].evidence[0]: unknown "
	           "evidence key 'sickness_rate' (docs/toolkits.md lists the keys)");
	expect_bad("bad-unknown-member.json",
	           "bad-unknown-member.json: factors[0]: unknown member 'statments' (expected: "
	           "id, title, description, statements)");
	expect_bad("bad-syntax.json", "bad-syntax.json:5:1: string or '}' expected near '}'");
}

/* a few more, built in memory */
static void test_bad_inline(void **state)
{
	(void)state;
	struct toolkit tk = {0};
	struct cadre_err err;
	const char *t = "[1, 2]";
	assert_int_equal(toolkit_parse("x.json", t, strlen(t), &tk, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "x.json: a toolkit file is one JSON object");
	t = "{\"format\": \"cadre-toolkit/9\"}";
	assert_int_equal(toolkit_parse("x.json", t, strlen(t), &tk, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "x.json: format: 'cadre-toolkit/9' is not a format this Cadre "
	                             "reads (cadre-toolkit/1)");
	t = "{\"format\": \"cadre-toolkit/1\", \"id\": \"Bad Id\"}";
	assert_int_equal(toolkit_parse("x.json", t, strlen(t), &tk, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "x.json: id: 'Bad Id' is not an id: 1 to 63 characters of "
	                             "a-z, 0-9 and '-', not starting with '-'");
	t = "{\"format\": \"cadre-toolkit/1\", \"id\": \"a\", \"id\": \"b\"}";
	assert_int_equal(toolkit_parse("x.json", t, strlen(t), &tk, &err), CADRE_EINVAL);
	assert_non_null(strstr(err.msg, "duplicate object key"));
	t = "{\"format\": \"cadre-toolkit/1\", \"id\": \"a\", \"version\": 0}";
	assert_int_equal(toolkit_parse("x.json", t, strlen(t), &tk, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "x.json: version: must be a whole number from 1");
	t = "{\"format\": \"cadre-toolkit/1\", \"id\": \"a\", \"version\": 1, \"title\": \"T\", "
	    "\"levels\": [\"trust\"], \"sources\": {\"S\": \"s\"}, \"scale\": [{\"value\": 1, "
	    "\"label\": \"only\"}]}";
	assert_int_equal(toolkit_parse("x.json", t, strlen(t), &tk, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "x.json: scale: has 1 points: a scale has 2 to 10");
}

/* ---- loading and versions, on both stores --------------------------------------- */

static const struct store_sql q_versions = {"t_versions", "SELECT COUNT(*) FROM toolkit_version",
                                            NULL};
static const struct store_sql q_statements = {"t_statements",
                                              "SELECT COUNT(*) FROM toolkit_statement", NULL};
static const struct store_sql q_loads = {
    "t_loads", "SELECT COUNT(*) FROM audit_entry WHERE action = 'toolkit.load'", NULL};
static const struct store_sql q_latest = {
    "t_latest", "SELECT latest_version FROM toolkit WHERE id = 'tiny'", NULL};

static int load(struct testdomain *t, const char *name, struct toolkit_load_result *r,
                struct cadre_err *err)
{
	char *p = fixture(name);
	int rc = toolkit_load_file(&t->sys, t->db, t->key, p, &t->clk.clock, r, err);
	free(p);
	return rc;
}

static void test_versions(void **state)
{
	struct testdomain *t = *state;
	struct toolkit_load_result r;
	struct cadre_err err;
	assert_int_equal(load(t, "tiny-v1.json", &r, &err), CADRE_OK);
	assert_string_equal(r.id, "tiny");
	assert_int_equal(r.version, 1);
	assert_false(r.unchanged);
	assert_int_equal(r.statements, 4);
	assert_true(r.audit_seq > 0);
	/* the identical file again: nothing changes, nothing audited */
	assert_int_equal(load(t, "tiny-v1.json", &r, &err), CADRE_OK);
	assert_true(r.unchanged);
	assert_int_equal(testdomain_count(t->db, &q_loads), 1);
	/* a different file under version 1 */
	assert_int_equal(load(t, "tiny-v1-edited.json", &r, &err), CADRE_ECONFLICT);
	assert_string_equal(err.msg, "tiny-v1-edited.json: version 1 of tiny is already loaded "
	                             "from a different file: give the edited toolkit version 2");
	/* a statement moved between factors */
	assert_int_equal(load(t, "tiny-v2-moved.json", &r, &err), CADRE_EINVAL);
	assert_string_equal(err.msg,
	                    "tiny-v2-moved.json: factors[1].statements[2]: statement 'a-2' is "
	                    "under factor 'beta' here but under 'alpha' in version 1: statement "
	                    "ids are stable, so a statement never moves between factors (give it "
	                    "a new id)");
	/* a factor of version 1 missing */
	assert_int_equal(load(t, "tiny-v2-missing-factor.json", &r, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "tiny-v2-missing-factor.json: factors: factor 'beta' of "
	                             "version 1 is missing from version 2: a new version keeps "
	                             "every factor");
	/* nothing half-saved by the refusals */
	assert_int_equal(testdomain_count(t->db, &q_versions), 1);
	assert_int_equal(testdomain_count(t->db, &q_statements), 4);
	assert_int_equal(testdomain_count(t->db, &q_loads), 1);
	assert_int_equal(testdomain_count(t->db, &q_latest), 1);
	/* a good version 2 */
	assert_int_equal(load(t, "tiny-v2.json", &r, &err), CADRE_OK);
	assert_int_equal(r.version, 2);
	assert_int_equal(testdomain_count(t->db, &q_versions), 2);
	assert_int_equal(testdomain_count(t->db, &q_statements), 8);
	assert_int_equal(testdomain_count(t->db, &q_latest), 2);
	/* both versions stay readable */
	struct toolkit tk = {0};
	assert_int_equal(toolkit_get(&t->sys, t->db, "tiny", 0, &tk, &err), CADRE_OK);
	assert_int_equal(tk.version, 2);
	assert_non_null(toolkit_statement_find(&tk, "a-3", NULL));
	assert_null(toolkit_statement_find(&tk, "b-2", NULL));
	toolkit_free(&tk);
	assert_int_equal(toolkit_get(&t->sys, t->db, "tiny", 1, &tk, &err), CADRE_OK);
	assert_int_equal(tk.version, 1);
	assert_non_null(toolkit_statement_find(&tk, "b-2", NULL));
	assert_null(toolkit_statement_find(&tk, "a-3", NULL));
	toolkit_free(&tk);
	assert_int_equal(toolkit_get(&t->sys, t->db, "tiny", 3, &tk, &err), CADRE_ENOTFOUND);
	assert_string_equal(err.msg, "toolkit tiny version 3 is not loaded");
	/* version 1 again is still the same file: unchanged, not "older" */
	assert_int_equal(load(t, "tiny-v1.json", &r, &err), CADRE_OK);
	assert_true(r.unchanged);

	/* the list */
	struct toolkit_info *v = NULL;
	size_t n = 0;
	assert_int_equal(toolkit_list(&t->sys, t->db, &v, &n, &err), CADRE_OK);
	assert_int_equal(n, 2);
	assert_false(v[0].latest);
	assert_true(v[1].latest);
	assert_string_equal(v[1].levels, "trust,icb");
	assert_int_equal(v[1].statements, 4);
	assert_string_equal(v[0].file, "tiny-v1.json");
	free(v);

	/* the audit trail holds both loads and verifies */
	assert_int_equal(testdomain_count(t->db, &q_loads), 2);
	struct audit_verify_result vr;
	assert_int_equal(audit_verify(&t->sys, t->db, t->key, &vr, &err), CADRE_OK);
	assert_true(vr.ok);
	assert_int_equal(vr.entries, 2);
}

static void test_load_dir_and_levels(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err err;
	char id[TOOLKIT_ID_MAX];
	assert_int_equal(toolkit_for_level(&t->sys, t->db, "trust", id, &err), CADRE_ENOTFOUND);
	char *dir = testorg_path("data/toolkits");
	size_t loaded = 0, same = 0;
	assert_int_equal(
	    toolkit_load_dir(&t->sys, t->db, t->key, dir, &t->clk.clock, &loaded, &same, &err),
	    CADRE_OK);
	assert_int_equal(loaded, 2);
	assert_int_equal(same, 0);
	assert_int_equal(
	    toolkit_load_dir(&t->sys, t->db, t->key, dir, &t->clk.clock, &loaded, &same, &err),
	    CADRE_OK);
	assert_int_equal(loaded, 0);
	assert_int_equal(same, 2);
	free(dir);
	assert_int_equal(toolkit_for_level(&t->sys, t->db, "trust", id, &err), CADRE_OK);
	assert_string_equal(id, "wfp-five-factor");
	assert_int_equal(toolkit_for_level(&t->sys, t->db, "icb", id, &err), CADRE_OK);
	assert_string_equal(id, "edu-commissioning");
	assert_int_equal(toolkit_for_level(&t->sys, t->db, "region", id, &err), CADRE_OK);
	assert_string_equal(id, "edu-commissioning");
	/* a second toolkit for trusts makes the choice explicit */
	struct toolkit_load_result r;
	assert_int_equal(load(t, "tiny-v1.json", &r, &err), CADRE_OK);
	assert_int_equal(toolkit_for_level(&t->sys, t->db, "trust", id, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "2 toolkits apply to a trust (tiny, wfp-five-factor): choose "
	                             "one with --toolkit");
	/* loading is for the system operator until roles arrive; and audited */
	struct actor_grant g = {.role = "chief_people_officer", .org_id = 1};
	struct actor user = actor_user(7, &g, 1);
	char *p = fixture("tiny-v2.json");
	assert_int_equal(toolkit_load_file(&user, t->db, t->key, p, &t->clk.clock, &r, &err),
	                 CADRE_EPERM);
	assert_int_equal(toolkit_load_file(&t->sys, t->db, NULL, p, &t->clk.clock, &r, &err),
	                 CADRE_EINVAL);
	free(p);
}

#define BOTH(f)                                                                                    \
	{#f "(sqlite)", f, testdomain_setup_sqlite, testdomain_teardown, NULL},                    \
	{                                                                                          \
#f "(postgresql)", f, testdomain_setup_pg, testdomain_teardown, NULL               \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shipped_toolkits), cmocka_unit_test(test_bad_files),
	    cmocka_unit_test(test_bad_inline),       BOTH(test_versions),
	    BOTH(test_load_dir_and_levels),
	};
	return cmocka_run_group_tests_name("domain_toolkit", tests, NULL, NULL);
}
