/* assess_results: scoring, suppression, spreads, ranking and quartiles,
 * every expected value worked out by hand in the comments beside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "domain/assess_results.h"

#define EPS 1e-9

static void near(double got, double want)
{
	if (fabs(got - want) > 1e-6)
		fail_msg("got %.9f, want %.9f", got, want);
}

/* ---- suppression --------------------------------------------------------------- */

static void check_suppress(const int *counts, size_t n, const enum assess_shown *want)
{
	enum assess_shown got[8];
	assess_results_suppress(counts, n, ASSESS_MIN_GROUP, got);
	for (size_t i = 0; i < n; i++)
		if (got[i] != want[i])
			fail_msg("group %zu: got %s, want %s", i, assess_shown_word(got[i]),
			         assess_shown_word(want[i]));
}

static void test_suppress_rules(void **state)
{
	(void)state;
	/* one group of 2 hidden; the total and the others would give it away, so
	 * the smallest shown group (3, the second) is hidden with it */
	const int a[] = {4, 3, 5, 2};
	const enum assess_shown wa[] = {ASSESS_SHOWN, ASSESS_SECONDARY, ASSESS_SHOWN,
	                                ASSESS_PRIMARY};
	check_suppress(a, 4, wa);
	/* two groups of 1 hidden: together 2 < 3, still a pair of people, so the
	 * smallest shown group (6) is hidden too */
	const int b[] = {1, 1, 6, 7};
	const enum assess_shown wb[] = {ASSESS_PRIMARY, ASSESS_PRIMARY, ASSESS_SECONDARY,
	                                ASSESS_SHOWN};
	check_suppress(b, 4, wb);
	/* two groups of 2 hidden: together 4 >= 3, nothing more to hide */
	const int c[] = {2, 2, 6, 7};
	const enum assess_shown wc[] = {ASSESS_PRIMARY, ASSESS_PRIMARY, ASSESS_SHOWN, ASSESS_SHOWN};
	check_suppress(c, 4, wc);
	/* an empty group hides nothing */
	const int d[] = {0, 5, 5};
	const enum assess_shown wd[] = {ASSESS_EMPTY, ASSESS_SHOWN, ASSESS_SHOWN};
	check_suppress(d, 3, wd);
	/* two groups: the small one hidden, so the other too (the total is it) */
	const int e[] = {2, 5};
	const enum assess_shown we[] = {ASSESS_PRIMARY, ASSESS_SECONDARY};
	check_suppress(e, 2, we);
	/* a tie between shown groups: the first in round order is hidden */
	const int f[] = {3, 3, 2};
	const enum assess_shown wf[] = {ASSESS_SECONDARY, ASSESS_SHOWN, ASSESS_PRIMARY};
	check_suppress(f, 3, wf);
	/* nothing else to hide it among */
	const int g[] = {2};
	const enum assess_shown wg[] = {ASSESS_PRIMARY};
	check_suppress(g, 1, wg);
	/* the secondary group is the smallest shown, not the next in order */
	const int h[] = {9, 1, 4, 12};
	const enum assess_shown wh[] = {ASSESS_SHOWN, ASSESS_PRIMARY, ASSESS_SECONDARY,
	                                ASSESS_SHOWN};
	check_suppress(h, 4, wh);
}

/* ---- a worked round ------------------------------------------------------------ */

/* Groups: 0 board, 1 senior leaders, 2 line managers, 3 workforce planners.
 * Factors: 0 (statements 0, 1), 1 (statements 2, 3).  Scale 1..5.
 * Submitted answers (s0 s1 s2 s3; 0 = skipped):
 *   board    B1 5 4 3 4 | B2 4 4 3 4 | B3 5 4 4 4 | B4 4 4 4 skip   (B5 invited, nothing)
 *   senior   S1 4 3 3 3 | S2 3 3 2 3 | S3 3 3 3 3
 *   managers M1 2 3 2 3 | M2 3 2 2 3 | M3 2 3 2 3 | M4 3 2 2 3 | M5 2 3 2 3
 *            M6 draft: s0 = 1 (not submitted: not counted)
 *   planners P1 3 2 1 2 | P2 3 2 1 2
 * Evidence raises a concern on s1 and on s2. */
enum { B = 0, S = 1, M = 2, P = 3 };

static const struct assess_results_stmt_in stmts[] = {
    {.factor = 0, .concern = false},
    {.factor = 0, .concern = true},
    {.factor = 1, .concern = true},
    {.factor = 1, .concern = false},
};

static const struct assess_results_resp_in resps[] = {
    /* 0..4 board */
    {B, true, true},
    {B, true, true},
    {B, true, true},
    {B, true, true},
    {B, false, false},
    /* 5..7 senior */
    {S, true, true},
    {S, true, true},
    {S, true, true},
    /* 8..13 managers, 13 a draft */
    {M, true, true},
    {M, true, true},
    {M, true, true},
    {M, true, true},
    {M, true, true},
    {M, false, true},
    /* 14..15 planners */
    {P, true, true},
    {P, true, true},
};

static const int grid[][4] = {
    {5, 4, 3, 4}, {4, 4, 3, 4},    {5, 4, 4, 4}, {4, 4, 4, 0}, {-1, -1, -1, -1}, {4, 3, 3, 3},
    {3, 3, 2, 3}, {3, 3, 3, 3},    {2, 3, 2, 3}, {3, 2, 2, 3}, {2, 3, 2, 3},     {3, 2, 2, 3},
    {2, 3, 2, 3}, {1, -1, -1, -1}, {3, 2, 1, 2}, {3, 2, 1, 2},
};

static size_t build_answers(struct assess_results_answer_in *a)
{
	size_t n = 0;
	for (size_t r = 0; r < sizeof grid / sizeof grid[0]; r++)
		for (size_t s = 0; s < 4; s++)
			if (grid[r][s] >= 0)
				a[n++] = (struct assess_results_answer_in){r, s, grid[r][s]};
	return n;
}

static void test_worked_round(void **state)
{
	(void)state;
	struct assess_results_answer_in answers[64];
	size_t na = build_answers(answers);
	struct assess_results_in in = {.scale_min = 1,
	                               .scale_max = 5,
	                               .nfactors = 2,
	                               .statements = stmts,
	                               .nstatements = 4,
	                               .ngroups = 4,
	                               .respondents = resps,
	                               .nrespondents = 16,
	                               .answers = answers,
	                               .nanswers = na};
	struct assess_results r;
	struct cadre_err err;
	assert_int_equal(assess_results_compute(&in, &r, &err), CADRE_OK);

	/* participation: 16 invited, 14 submitted, 1 draft started (M6), B5 not */
	assert_int_equal(r.invited, 16);
	assert_int_equal(r.submitted, 14);
	assert_int_equal(r.started, 1);
	assert_int_equal(r.groups[B].invited, 5);
	assert_int_equal(r.groups[B].submitted, 4);
	assert_int_equal(r.groups[M].started, 1);
	assert_true(r.shown);

	/* suppression: planners (2) primary; exactly one hidden, so the smallest
	 * shown group, senior leaders (3), is hidden as well */
	assert_int_equal(r.groups[B].shown, ASSESS_SHOWN);
	assert_int_equal(r.groups[S].shown, ASSESS_SECONDARY);
	assert_int_equal(r.groups[M].shown, ASSESS_SHOWN);
	assert_int_equal(r.groups[P].shown, ASSESS_PRIMARY);
	assert_false(r.groups[S].factor_has[0]);
	assert_false(r.groups[P].factor_has[1]);

	/* statements: sums over every submitted answer (hidden groups included:
	 * only their separate figures are hidden)
	 *   s0 (18 + 10 + 12 + 6) / 14 = 46/14; s1 (16 + 9 + 13 + 4) / 14 = 3
	 *   s2 (14 + 8 + 10 + 2) / 14 = 34/14;  s3 (12 + 9 + 15 + 4) / 13 = 40/13 */
	near(r.statements[0].score, 46.0 / 14);
	near(r.statements[1].score, 3.0);
	near(r.statements[2].score, 34.0 / 14);
	near(r.statements[3].score, 40.0 / 13);
	assert_int_equal(r.statements[3].answers, 13);
	assert_int_equal(r.statements[3].skipped, 1);

	/* factors: means of statement means; overall: mean of factors
	 *   f0 (46/14 + 3) / 2 = 3.142857; f1 (34/14 + 40/13) / 2 = 2.752747
	 *   overall (3.142857 + 2.752747) / 2 = 2.947802 */
	near(r.factors[0].score, (46.0 / 14 + 3.0) / 2);
	near(r.factors[1].score, (34.0 / 14 + 40.0 / 13) / 2);
	near(r.overall, ((46.0 / 14 + 3.0) / 2 + (34.0 / 14 + 40.0 / 13) / 2) / 2);
	assert_true(assess_results_round2(r.factors[0].score) == 3.14);
	assert_true(assess_results_round2(r.factors[1].score) == 2.75);
	assert_true(assess_results_round2(r.overall) == 2.95);

	/* groups, shown ones only: board f0 (4.5 + 4.0) / 2 = 4.25, f1 (3.5 +
	 * 4.0) / 2 = 3.75; managers f0 (2.4 + 2.6) / 2 = 2.5, f1 (2.0 + 3.0) / 2
	 * = 2.5 */
	near(r.groups[B].factor_score[0], 4.25);
	near(r.groups[B].factor_score[1], 3.75);
	near(r.groups[M].factor_score[0], 2.5);
	near(r.groups[M].factor_score[1], 2.5);
	near(r.groups[B].overall, 4.0);
	near(r.groups[M].overall, 2.5);

	/* spreads: f0 4.25 - 2.5 = 1.75, f1 3.75 - 2.5 = 1.25: both flagged,
	 * the board highest, line managers lowest */
	near(r.factors[0].spread, 1.75);
	near(r.factors[1].spread, 1.25);
	assert_true(r.factors[0].flagged && r.factors[1].flagged);
	assert_int_equal(r.factors[0].high_group, B);
	assert_int_equal(r.factors[0].low_group, M);

	/* statement spreads between board and managers: s0 4.5 - 2.4 = 2.1,
	 * s1 4.0 - 2.6 = 1.4, s2 3.5 - 2.0 = 1.5, s3 4.0 - 3.0 = 1.0 */
	near(r.statements[0].spread, 2.1);
	near(r.statements[1].spread, 1.4);
	near(r.statements[2].spread, 1.5);
	near(r.statements[3].spread, 1.0);

	/* priority = 0.5 low + 0.3 disagreement + 0.2 contrary (range 4):
	 *   s0 0.5 x (5 - 46/14)/4 + 0.3 x 2.1/4           = 0.371786
	 *   s1 0.5 x 2/4 + 0.3 x 1.4/4 + 0.2 (concern, 3 >= 3) = 0.555
	 *   s2 0.5 x (5 - 34/14)/4 + 0.3 x 1.5/4 (concern, but 2.43 < 3) = 0.433929
	 *   s3 0.5 x (5 - 40/13)/4 + 0.3 x 1.0/4           = 0.315385 */
	near(r.statements[0].priority, 0.5 * (5 - 46.0 / 14) / 4 + 0.3 * 2.1 / 4);
	near(r.statements[1].priority, 0.555);
	near(r.statements[2].priority, 0.5 * (5 - 34.0 / 14) / 4 + 0.3 * 1.5 / 4);
	near(r.statements[3].priority, 0.5 * (5 - 40.0 / 13) / 4 + 0.3 * 1.0 / 4);
	assert_true(r.statements[1].contrary);
	assert_false(r.statements[2].contrary);
	/* ranking: s1, s2, s0, s3 (without the contrary evidence s1 would be
	 * 0.355, below s0) */
	assert_int_equal(r.nranking, 4);
	assert_int_equal(r.ranking[0], 1);
	assert_int_equal(r.ranking[1], 2);
	assert_int_equal(r.ranking[2], 0);
	assert_int_equal(r.ranking[3], 3);
	assert_int_equal(r.statements[1].rank, 1);
	assert_int_equal(r.statements[3].rank, 4);
	assess_results_free(&r);
}

/* The same round without the evidence: s1 falls to 0.355 and s0 takes its
 * place (proves the contrary evidence is what moved it). */
static void test_ranking_without_evidence(void **state)
{
	(void)state;
	struct assess_results_stmt_in plain[4];
	memcpy(plain, stmts, sizeof plain);
	for (size_t i = 0; i < 4; i++)
		plain[i].concern = false;
	struct assess_results_answer_in answers[64];
	struct assess_results_in in = {.scale_min = 1,
	                               .scale_max = 5,
	                               .nfactors = 2,
	                               .statements = plain,
	                               .nstatements = 4,
	                               .ngroups = 4,
	                               .respondents = resps,
	                               .nrespondents = 16,
	                               .answers = answers,
	                               .nanswers = build_answers(answers)};
	struct assess_results r;
	struct cadre_err err;
	assert_int_equal(assess_results_compute(&in, &r, &err), CADRE_OK);
	near(r.statements[1].priority, 0.355);
	/* s2 0.433929, s0 0.371786, s1 0.355, s3 0.315385 */
	assert_int_equal(r.ranking[0], 2);
	assert_int_equal(r.ranking[1], 0);
	assert_int_equal(r.ranking[2], 1);
	assert_int_equal(r.ranking[3], 3);
	assess_results_free(&r);
}

/* A statement with fewer than 3 answers is not shown and is left out of its
 * factor's mean; a round with fewer than 3 submitted shows nothing. */
static void test_small_numbers(void **state)
{
	(void)state;
	const struct assess_results_stmt_in st[] = {{0, false}, {0, false}};
	const struct assess_results_resp_in rs[] = {
	    {0, true, true}, {0, true, true}, {0, true, true}, {0, true, true}};
	/* s0: 4, 4, 2, 2 -> 3.0; s1 answered by two (5, 5) and skipped by two */
	const struct assess_results_answer_in an[] = {
	    {0, 0, 4}, {1, 0, 4}, {2, 0, 2}, {3, 0, 2}, {0, 1, 5}, {1, 1, 5}, {2, 1, 0}, {3, 1, 0},
	};
	struct assess_results_in in = {.scale_min = 1,
	                               .scale_max = 5,
	                               .nfactors = 1,
	                               .statements = st,
	                               .nstatements = 2,
	                               .ngroups = 1,
	                               .respondents = rs,
	                               .nrespondents = 4,
	                               .answers = an,
	                               .nanswers = 8};
	struct assess_results r;
	struct cadre_err err;
	assert_int_equal(assess_results_compute(&in, &r, &err), CADRE_OK);
	assert_true(r.statements[0].shown);
	assert_false(r.statements[1].shown);
	assert_int_equal(r.statements[1].answers, 2);
	assert_int_equal(r.statements[1].skipped, 2);
	/* the factor is s0 alone: 3.0, not (3.0 + 5.0) / 2 */
	near(r.factors[0].score, 3.0);
	assert_int_equal(r.factors[0].statements, 1);
	assert_int_equal(r.nranking, 1);
	/* one group only: no spread */
	assert_false(r.factors[0].has_spread);
	assess_results_free(&r);

	/* two submitted: nothing shown at all */
	in.nrespondents = 2;
	const struct assess_results_answer_in two[] = {{0, 0, 4}, {1, 0, 4}};
	in.answers = two;
	in.nanswers = 2;
	assert_int_equal(assess_results_compute(&in, &r, &err), CADRE_OK);
	assert_false(r.shown);
	assert_false(r.statements[0].shown);
	assert_false(r.has_overall);
	assert_int_equal(r.groups[0].shown, ASSESS_ROUND);
	assess_results_free(&r);
}

static void test_bad_input(void **state)
{
	(void)state;
	const struct assess_results_stmt_in st[] = {{0, false}};
	const struct assess_results_resp_in rs[] = {{0, true, true}};
	struct assess_results_answer_in an[] = {{0, 0, 6}, {0, 0, 3}};
	struct assess_results_in in = {.scale_min = 1,
	                               .scale_max = 5,
	                               .nfactors = 1,
	                               .statements = st,
	                               .nstatements = 1,
	                               .ngroups = 1,
	                               .respondents = rs,
	                               .nrespondents = 1,
	                               .answers = an,
	                               .nanswers = 1};
	struct assess_results r;
	struct cadre_err err;
	assert_int_equal(assess_results_compute(&in, &r, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "answer 0: score 6 is outside the scale 1 to 5");
	an[0].score = 3;
	in.nanswers = 2;
	assert_int_equal(assess_results_compute(&in, &r, &err), CADRE_EINVAL);
	assert_string_equal(err.msg, "answer 1: respondent 0 answered statement 0 twice");
	an[1].statement = 7;
	assert_int_equal(assess_results_compute(&in, &r, &err), CADRE_EINVAL);
	in.nanswers = 1;
	in.scale_max = 1;
	assert_int_equal(assess_results_compute(&in, &r, &err), CADRE_EINVAL);
}

static void test_quartiles(void **state)
{
	(void)state;
	struct assess_dist d;
	/* 2.0 3.0 3.5 4.0 4.5 (given unsorted): h = 4p: q1 x[1] = 3.0, median
	 * x[2] = 3.5, q3 x[3] = 4.0 */
	const double a[] = {4.5, 2.0, 4.0, 3.0, 3.5};
	assess_results_dist(a, 5, &d);
	near(d.min, 2.0);
	near(d.q1, 3.0);
	near(d.median, 3.5);
	near(d.q3, 4.0);
	near(d.max, 4.5);
	/* 1 2 3 4: h = 3p: q1 h 0.75 -> 1.75, median 1.5 -> 2.5, q3 2.25 -> 3.25 */
	const double b[] = {1, 2, 3, 4};
	assess_results_dist(b, 4, &d);
	near(d.q1, 1.75);
	near(d.median, 2.5);
	near(d.q3, 3.25);
	/* one value: all equal it */
	const double c[] = {2.2};
	assess_results_dist(c, 1, &d);
	near(d.q1, 2.2);
	near(d.max, 2.2);
	assess_results_dist(NULL, 0, &d);
	assert_int_equal(d.n, 0);
	/* rounding: halves away from zero, float noise ignored */
	assert_true(assess_results_round2(2.675) == 2.68);
	assert_true(assess_results_round2(3.14159) == 3.14);
	assert_true(assess_results_round2(-0.125) == -0.13);
	(void)EPS;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_suppress_rules),
	    cmocka_unit_test(test_worked_round),
	    cmocka_unit_test(test_ranking_without_evidence),
	    cmocka_unit_test(test_small_numbers),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_quartiles),
	};
	return cmocka_run_group_tests_name("domain_assess_results", tests, NULL, NULL);
}
