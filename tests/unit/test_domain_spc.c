#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/num.h"
#include "domain/refdata.h"
#include "domain/spc.h"
#include "io/csv.h"

/* Every expected signal below is worked out by hand in the comments, from
 * the method in docs/spc.md: mean; moving ranges |x[i] - x[i-1]|; mR-bar =
 * their mean; limits = mean +/- 2.66 mR-bar; "close to a limit" = beyond
 * two-thirds of that distance (2/3 x 2.66 mR-bar = 1.7733 mR-bar).  Indices
 * are 0-based, "point k" in words is 1-based. */

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define EPS  1e-9

/* assert_near: cmocka 1.1's float assertion works in float; this one in
 * double. */
#define assert_near(a, b, eps) near_at((a), (b), (eps), __LINE__)

static void near_at(double a, double b, double eps, int line)
{
	if (!(fabs(a - b) <= eps)) {
		print_error("line %d: %.17g is not %.17g (within %g)\n", line, a, b, eps);
		fail();
	}
}

/* Rule bits in the default table's order. */
enum { R_OUT = 1u << 0, R_TWO = 1u << 1, R_SHIFT = 1u << 2, R_TREND = 1u << 3 };

static void compute(struct spc_result *res, const double *v, size_t n,
                    const struct spc_options *opt)
{
	struct cadre_err err;
	cadre_err_clear(&err);
	int rc = spc_compute(res, v, n, opt, &err);
	if (rc)
		print_error("spc_compute: %s\n", err.msg);
	assert_int_equal(rc, CADRE_OK);
}

/* rules_of: each point's rule bits, to compare with an expected array. */
static void assert_rules(const struct spc_result *res, const unsigned *want)
{
	for (size_t i = 0; i < res->n; i++) {
		if (res->points[i].rules != want[i])
			print_error("point index %zu: rules 0x%x, want 0x%x\n", i,
			            res->points[i].rules, want[i]);
		assert_int_equal(res->points[i].rules, want[i]);
	}
}

static void assert_all_common(const struct spc_result *res)
{
	for (size_t i = 0; i < res->n; i++) {
		assert_int_equal(res->points[i].rules, 0);
		assert_int_equal(res->points[i].cause, SPC_CAUSE_COMMON);
		assert_int_equal(res->points[i].side, SPC_SIDE_NONE);
	}
}

/* 10, 12, 9, 11 three times (12 points).
 * mean = 3 x 42 / 12 = 10.5
 * moving ranges 2,3,2,1, 2,3,2,1, 2,3,2: sum 23, mR-bar = 23/11 = 2.090909
 * 2.66 x 2.090909 = 5.561818: limits 4.938182 .. 16.061818
 * close zone: 2/3 x 5.561818 = 3.707879: beyond 14.207879 or below 6.792121
 * No point is outside or close (9..12); the sides alternate L H L H, so no
 * run longer than 1; the steps alternate up and down, so no trend.
 * Common cause only. */
static const double stable[] = {10, 12, 9, 11, 10, 12, 9, 11, 10, 12, 9, 11};

static void test_stable_series(void **state)
{
	(void)state;
	struct spc_result res;
	compute(&res, stable, N(stable), NULL);
	assert_false(res.run_chart);
	assert_int_equal(res.nperiods, 1);
	assert_near(res.periods[0].mean, 10.5, EPS);
	assert_near(res.periods[0].mr_bar, 23.0 / 11.0, EPS);
	assert_near(res.periods[0].upl, 10.5 + 2.66 * 23.0 / 11.0, EPS);
	assert_near(res.periods[0].upl, 16.061818181818, 1e-9);
	assert_near(res.periods[0].lpl, 4.938181818182, 1e-9);
	assert_false(res.points[0].has_mr);
	assert_true(res.points[1].has_mr);
	assert_near(res.points[1].mr, 2.0, EPS);
	assert_near(res.points[2].mr, 3.0, EPS);
	assert_all_common(&res);
	assert_int_equal(res.variation, SPC_VARIATION_COMMON);
	assert_int_equal(res.assurance, SPC_ASSURANCE_NONE); /* no target */
	assert_false(res.periods[0].trial);                  /* 12 points */
	spc_result_free(&res);
}

/* 9, 11 six times, then 9, 20 (14 points).
 * sum = 7 x 9 + 6 x 11 + 20 = 63 + 66 + 20 = 149; mean = 149/14 = 10.642857
 * moving ranges: twelve of 2 (24) and |20 - 9| = 11: 35/13 = 2.692308
 * 2.66 x 2.692308 = 7.161538: UPL = 17.804396, LPL = 3.481319
 * 20 > 17.80: point 14 is outside the limits (high).
 * close zone: 2/3 x 7.161538 = 4.774359 -> above 15.417216: only 20, alone
 * in every window of 3, so two-of-three does not fire.
 * Sides alternate (9 L, 11 H), no run; steps alternate, no trend. */
static const double outlier[] = {9, 11, 9, 11, 9, 11, 9, 11, 9, 11, 9, 11, 9, 20};

static void test_single_point_above_upper_limit(void **state)
{
	(void)state;
	struct spc_options opt = {.direction = SPC_DIRECTION_HIGHER};
	struct spc_result res;
	compute(&res, outlier, N(outlier), &opt);
	assert_near(res.periods[0].mean, 149.0 / 14.0, EPS);
	assert_near(res.periods[0].mr_bar, 35.0 / 13.0, EPS);
	assert_near(res.periods[0].upl, 17.804395604396, 1e-9);
	unsigned want[N(outlier)] = {0};
	want[13] = R_OUT;
	assert_rules(&res, want);
	assert_int_equal(res.points[13].side, SPC_SIDE_HIGH);
	/* higher is better: a high point is an improvement */
	assert_int_equal(res.points[13].cause, SPC_CAUSE_IMPROVE);
	assert_int_equal(res.variation, SPC_VARIATION_IMPROVE_HIGH);
	spc_result_free(&res);

	/* the same series for sickness absence (lower is better): a concern */
	opt.direction = SPC_DIRECTION_LOWER;
	compute(&res, outlier, N(outlier), &opt);
	assert_int_equal(res.points[13].cause, SPC_CAUSE_CONCERN);
	assert_int_equal(res.variation, SPC_VARIATION_CONCERN_HIGH);
	spc_result_free(&res);

	/* no direction: special cause of neither nature */
	opt.direction = SPC_DIRECTION_NEITHER;
	compute(&res, outlier, N(outlier), &opt);
	assert_int_equal(res.points[13].cause, SPC_CAUSE_NEITHER);
	assert_int_equal(res.variation, SPC_VARIATION_NEITHER_HIGH);
	spc_result_free(&res);
}

/* The mirror image 20 - x: 11, 9 six times, then 11, 0.
 * mean = 20 - 10.642857 = 9.357143; mR-bar the same 2.692308;
 * LPL = 9.357143 - 7.161538 = 2.195604; 0 < 2.1956: outside, low.
 * Sickness absence falling below the lower limit: an improvement. */
static void test_point_below_lower_limit_is_improvement_when_lower_is_better(void **state)
{
	(void)state;
	double v[N(outlier)];
	for (size_t i = 0; i < N(outlier); i++)
		v[i] = 20 - outlier[i];
	struct spc_options opt = {.direction = SPC_DIRECTION_LOWER};
	struct spc_result res;
	compute(&res, v, N(v), &opt);
	assert_near(res.periods[0].lpl, 2.195604395604, 1e-9);
	unsigned want[N(outlier)] = {0};
	want[13] = R_OUT;
	assert_rules(&res, want);
	assert_int_equal(res.points[13].side, SPC_SIDE_LOW);
	assert_int_equal(res.points[13].cause, SPC_CAUSE_IMPROVE);
	assert_int_equal(res.variation, SPC_VARIATION_IMPROVE_LOW);
	spc_result_free(&res);

	opt.direction = SPC_DIRECTION_HIGHER;
	compute(&res, v, N(v), &opt);
	assert_int_equal(res.variation, SPC_VARIATION_CONCERN_LOW);
	spc_result_free(&res);
}

/* 8, 10, 8, 10, 8, 10, 8, then 11, 10.5, 11, 10.5, 11, 10.5, 11 (14 points).
 * sum = 62 + 75.5 = 137.5; mean = 9.821429
 * moving ranges: six of 2 (12), |11 - 8| = 3, six of 0.5 (3): 18/13 = 1.384615
 * 2.66 x 1.384615 = 3.683077: limits 6.138352 .. 13.504505; close zone
 * 2.455385: above 12.276813, below 7.366044: 8 and 11 are inside it.
 * Sides: 8 L, 10 H alternate for points 1-7 (point 7 = 8 is L); points
 * 8-14 (10.5 and 11) are all above 9.82: a run of exactly 7 -> shift.
 * Steps: 8->10 up, 10->8 down ... 8->11 up, 11->10.5 down: no trend. */
static const double run7[] = {8, 10, 8, 10, 8, 10, 8, 11, 10.5, 11, 10.5, 11, 10.5, 11};

static void test_run_of_seven_above_mean(void **state)
{
	(void)state;
	struct spc_options opt = {.direction = SPC_DIRECTION_LOWER};
	struct spc_result res;
	compute(&res, run7, N(run7), &opt);
	assert_near(res.periods[0].mean, 137.5 / 14.0, EPS);
	assert_near(res.periods[0].mr_bar, 18.0 / 13.0, EPS);
	unsigned want[N(run7)] = {0};
	for (size_t i = 7; i < 14; i++)
		want[i] = R_SHIFT;
	assert_rules(&res, want);
	for (size_t i = 7; i < 14; i++) {
		assert_int_equal(res.points[i].side, SPC_SIDE_HIGH);
		assert_int_equal(res.points[i].cause, SPC_CAUSE_CONCERN); /* lower is better */
	}
	assert_int_equal(res.variation, SPC_VARIATION_CONCERN_HIGH);
	spc_result_free(&res);

	/* Without the last point (13 points) the run is 6: no signal.
	 * sum 126.5, mean 9.730769; mR-bar (12 + 3 + 2.5)/12 = 1.458333;
	 * limits 5.851603 .. 13.609936, close zone 2.586111 (7.144658 ..
	 * 12.316880): nothing beyond; point 7 (8) is below the mean, then 6
	 * points above. */
	compute(&res, run7, N(run7) - 1, &opt);
	assert_near(res.periods[0].mean, 126.5 / 13.0, EPS);
	assert_all_common(&res);
	assert_int_equal(res.variation, SPC_VARIATION_COMMON);
	spc_result_free(&res);
}

/* 11, 13 four times, then 10, 10.5, 11, 11.5, 12, 12.5, 13 (15 points).
 * sum = 96 + 80.5 = 176.5; mean = 11.766667
 * moving ranges: seven of 2 (14), |10 - 13| = 3, six of 0.5 (3):
 * 20/14 = 1.428571; 2.66 x = 3.8: limits 7.966667 .. 15.566667; close
 * zone 2.533333 (9.233333 .. 14.3): nothing beyond.
 * Sides: 11 L, 13 H alternate; 10 .. 11.5 L (4), 12 .. 13 H (3): no run
 * of 7.  Steps: points 9-15 rise 10 -> 13, six rises: 7 points rising ->
 * trend, high. */
static const double trend7[] = {11, 13, 11, 13, 11, 13, 11, 13, 10, 10.5, 11, 11.5, 12, 12.5, 13};

static void test_seven_rising(void **state)
{
	(void)state;
	struct spc_options opt = {.direction = SPC_DIRECTION_HIGHER};
	struct spc_result res;
	compute(&res, trend7, N(trend7), &opt);
	assert_near(res.periods[0].mean, 176.5 / 15.0, EPS);
	assert_near(res.periods[0].mr_bar, 20.0 / 14.0, EPS);
	unsigned want[N(trend7)] = {0};
	for (size_t i = 8; i < 15; i++)
		want[i] = R_TREND;
	assert_rules(&res, want);
	/* a rising trend is high even for its points below the mean */
	assert_int_equal(res.points[8].side, SPC_SIDE_HIGH);
	assert_int_equal(res.points[8].cause, SPC_CAUSE_IMPROVE);
	assert_int_equal(res.variation, SPC_VARIATION_IMPROVE_HIGH);
	spc_result_free(&res);
}

/* Six rising (the trend without its last point, 14 points):
 * sum 163.5, mean 11.678571; mR-bar (14 + 3 + 2.5)/13 = 1.5; limits
 * 7.688571 .. 15.668571; close zone 2.66 (9.018571 .. 14.338571).
 * Default rule (7 points): no signal.  A rule table asking for 6 (the
 * first DESIGN.md draft): points 9-14 flagged.  The number is data. */
static void test_six_rising(void **state)
{
	(void)state;
	struct spc_options opt = {.direction = SPC_DIRECTION_LOWER};
	struct spc_result res;
	compute(&res, trend7, N(trend7) - 1, &opt);
	assert_near(res.periods[0].mr_bar, 1.5, EPS);
	assert_all_common(&res);
	spc_result_free(&res);

	struct spc_rules rules;
	spc_rules_default(&rules);
	struct spc_rule *t = (struct spc_rule *)spc_rules_find(&rules, "trend");
	assert_non_null(t);
	t->points = t->of_points = 6;
	opt.rules = &rules;
	compute(&res, trend7, N(trend7) - 1, &opt);
	unsigned want[N(trend7) - 1] = {0};
	for (size_t i = 8; i < 14; i++)
		want[i] = R_TREND;
	assert_rules(&res, want);
	/* rising sickness absence: a concern */
	assert_int_equal(res.variation, SPC_VARIATION_CONCERN_HIGH);
	spc_result_free(&res);
}

/* 9, 11 six times, then 15.5, 11, 15.5 (15 points).
 * sum = 120 + 42 = 162; mean = 10.8
 * moving ranges: eleven of 2 (22), three of 4.5 (13.5): 35.5/14 = 2.535714
 * 2.66 x 2.535714 = 6.745: limits 4.055 .. 17.545
 * close zone: 2/3 x 6.745 = 4.496667: above 15.296667.
 * 15.5 is above 15.2967 and below 17.545: close, not outside.  Points 13
 * and 15 are two of the three points 13-15: both flagged (point 14, 11, is
 * not).  Sides: 9 L, 11 H alternate, then 15.5, 11, 15.5 all H with the
 * 11 before them: a run of 4.  Steps alternate: no trend. */
static const double two3[] = {9, 11, 9, 11, 9, 11, 9, 11, 9, 11, 9, 11, 15.5, 11, 15.5};

static void test_two_of_three_close_to_limit(void **state)
{
	(void)state;
	struct spc_options opt = {.direction = SPC_DIRECTION_LOWER};
	struct spc_result res;
	compute(&res, two3, N(two3), &opt);
	assert_near(res.periods[0].mean, 10.8, EPS);
	assert_near(res.periods[0].upl, 17.545, EPS);
	unsigned want[N(two3)] = {0};
	want[12] = want[14] = R_TWO;
	assert_rules(&res, want);
	assert_int_equal(res.points[14].cause, SPC_CAUSE_CONCERN);
	assert_int_equal(res.points[13].cause, SPC_CAUSE_COMMON);
	assert_int_equal(res.variation, SPC_VARIATION_CONCERN_HIGH);
	spc_result_free(&res);

	/* Moved apart (15.5, 11, 11, 15.5; 16 points) no window of 3 holds both:
	 * sum 173, mean 10.8125; moving ranges eleven of 2 (22), then 4.5,
	 * 4.5, 0, 4.5: 35.5/15 = 2.366667; 2.66 x = 6.295333; close zone 4.196889: above 15.009389;
	 * limits up to 17.107833.  Each 15.5 is close but alone in its window. */
	const double apart[] = {9, 11, 9, 11, 9, 11, 9, 11, 9, 11, 9, 11, 15.5, 11, 11, 15.5};
	compute(&res, apart, N(apart), &opt);
	assert_near(res.periods[0].mr_bar, 35.5 / 15.0, EPS);
	assert_all_common(&res);
	spc_result_free(&res);
}

/* Assurance against the stable series (limits 4.938182 .. 16.061818). */
static void test_assurance(void **state)
{
	(void)state;
	static const struct {
		enum spc_direction dir;
		bool has_target;
		double target;
		enum spc_assurance want;
	} cases[] = {
	    /* higher is better, target 3 below the lower limit: every month beats it */
	    {SPC_DIRECTION_HIGHER, true, 3.0, SPC_ASSURANCE_PASS},
	    /* higher is better, target 20 above the upper limit: never reached */
	    {SPC_DIRECTION_HIGHER, true, 20.0, SPC_ASSURANCE_FAIL},
	    /* target 10 between the limits: hit and miss */
	    {SPC_DIRECTION_HIGHER, true, 10.0, SPC_ASSURANCE_HIT_MISS},
	    /* lower is better (sickness absence): 3 is never reached, 20 always met */
	    {SPC_DIRECTION_LOWER, true, 3.0, SPC_ASSURANCE_FAIL},
	    {SPC_DIRECTION_LOWER, true, 20.0, SPC_ASSURANCE_PASS},
	    {SPC_DIRECTION_LOWER, true, 16.0, SPC_ASSURANCE_HIT_MISS}, /* 16 < 16.0618 */
	    /* no direction, or no target: no assurance icon */
	    {SPC_DIRECTION_NEITHER, true, 3.0, SPC_ASSURANCE_NONE},
	    {SPC_DIRECTION_HIGHER, false, 0.0, SPC_ASSURANCE_NONE},
	};
	for (size_t k = 0; k < N(cases); k++) {
		struct spc_options opt = {.direction = cases[k].dir,
		                          .has_target = cases[k].has_target,
		                          .target = cases[k].target};
		struct spc_result res;
		compute(&res, stable, N(stable), &opt);
		if (res.assurance != cases[k].want)
			print_error("case %zu: %s, want %s\n", k, spc_assurance_name(res.assurance),
			            spc_assurance_name(cases[k].want));
		assert_int_equal(res.assurance, cases[k].want);
		assert_int_equal(res.variation, SPC_VARIATION_COMMON);
		spc_result_free(&res);
	}
}

/* 11 points: a run chart.  5, 7, 6, 8, 7, 9, 8, 10, 9, 11, 100: sorted
 * 5 6 7 7 8 8 9 9 10 11 100, the 6th is 8: median 8.  No limits, no
 * rules (even 100 is not a signal), the icon says insufficient data and
 * no assurance is given even with a target. */
static void test_eleven_points_make_a_run_chart(void **state)
{
	(void)state;
	const double v[] = {5, 7, 6, 8, 7, 9, 8, 10, 9, 11, 100};
	struct spc_options opt = {
	    .direction = SPC_DIRECTION_HIGHER, .has_target = true, .target = 1.0};
	struct spc_result res;
	compute(&res, v, N(v), &opt);
	assert_true(res.run_chart);
	assert_near(res.periods[0].mean, 8.0, EPS);
	assert_near(res.points[10].centre, 8.0, EPS);
	assert_near(res.points[10].upl, 8.0, EPS); /* no limits */
	assert_all_common(&res);
	assert_int_equal(res.variation, SPC_VARIATION_INSUFFICIENT);
	assert_int_equal(res.assurance, SPC_ASSURANCE_NONE);
	spc_result_free(&res);

	/* the 12th point turns it into an XmR chart */
	const double v12[] = {5, 7, 6, 8, 7, 9, 8, 10, 9, 11, 10, 12};
	compute(&res, v12, N(v12), &opt);
	assert_false(res.run_chart);
	assert_int_not_equal(res.variation, SPC_VARIATION_INSUFFICIENT);
	spc_result_free(&res);

	/* an even count's median is the mean of the middle two: 1 2 3 10 -> 2.5 */
	const double ev[] = {10, 1, 3, 2};
	assert_near(spc_median(ev, 4), 2.5, EPS);
}

/* 9, 11 six times (12 points), then 16 six times (18 points).
 * Baseline of the first 12: mean 10, moving ranges eleven of 2: mR-bar 2;
 * limits 10 +/- 5.32 = 4.68 .. 15.32.  Every 16 is outside (high) and
 * beyond the close zone (10 + 3.546667); the last baseline point (11, H)
 * and the six 16s are 7 in a row above 10: shift on points 12-18.
 * Without the baseline, the limits take in the step and hide it:
 * mean (120 + 96)/18 = 12; moving ranges 22 + |16 - 11| = 5 + five of 0:
 * 27/17 = 1.588235; UPL = 12 + 4.224706 = 16.224706 > 16: no point
 * outside.  (The first 12 points, all below 12, then make a shift low.) */
static void test_limits_from_a_baseline(void **state)
{
	(void)state;
	double v[18];
	for (size_t i = 0; i < 12; i++)
		v[i] = i % 2 ? 11 : 9;
	for (size_t i = 12; i < 18; i++)
		v[i] = 16;
	struct spc_options opt = {.direction = SPC_DIRECTION_LOWER, .baseline = 12};
	struct spc_result res;
	compute(&res, v, 18, &opt);
	assert_int_equal(res.periods[0].basis, 12);
	assert_near(res.periods[0].mean, 10.0, EPS);
	assert_near(res.periods[0].mr_bar, 2.0, EPS);
	assert_near(res.periods[0].upl, 15.32, EPS);
	assert_near(res.periods[0].lpl, 4.68, EPS);
	unsigned want[18] = {0};
	want[11] = R_SHIFT;
	for (size_t i = 12; i < 18; i++)
		want[i] = R_OUT | R_TWO | R_SHIFT;
	assert_rules(&res, want);
	assert_int_equal(res.variation, SPC_VARIATION_CONCERN_HIGH);
	spc_result_free(&res);

	opt.baseline = 0;
	compute(&res, v, 18, &opt);
	assert_near(res.periods[0].mean, 12.0, EPS);
	assert_near(res.periods[0].upl, 12.0 + 2.66 * 27.0 / 17.0, EPS);
	for (size_t i = 0; i < 18; i++)
		assert_false(res.points[i].rules & R_OUT);
	assert_int_equal(res.points[0].side, SPC_SIDE_LOW);
	spc_result_free(&res);

	/* A step change at point 13 (index 12): two periods.  Period 1 is the
	 * stable 9, 11 (mean 10, limits 4.68 .. 15.32), period 2 the six 16s
	 * (mean 16, mR-bar 0, limits 16 .. 16; no point strictly beyond):
	 * nothing signals, and period 2 is marked trial (6 < 12 points). */
	opt.nsteps = 1;
	opt.steps[0] = 12;
	compute(&res, v, 18, &opt);
	assert_int_equal(res.nperiods, 2);
	assert_near(res.periods[1].mean, 16.0, EPS);
	assert_near(res.periods[1].mr_bar, 0.0, EPS);
	assert_true(res.periods[1].trial);
	assert_false(res.points[12].has_mr); /* no moving range across a step */
	assert_int_equal(res.points[13].period, 1);
	assert_all_common(&res);
	spc_result_free(&res);
}

/* When rules disagree about a point's side the first rule in the table
 * decides.  4, 6 five times then 13, 12.5, 12, 11.5, 11, 10.5, 10 (17
 * points), rules: only shift (7) and trend (7).
 * mean = (50 + 80.5)/17 = 7.676471.  The last 7 points are all above it
 * (a shift, high) and fall 13 -> 10 (a trend, low).  Shift first: the
 * latest point is high (improving when higher is better); trend first: it
 * is low (a concern). */
static void test_first_rule_decides_the_side(void **state)
{
	(void)state;
	const double v[] = {4, 6, 4, 6, 4, 6, 4, 6, 4, 6, 13, 12.5, 12, 11.5, 11, 10.5, 10};
	struct spc_rules all, rules;
	spc_rules_default(&all);
	memset(&rules, 0, sizeof rules);
	rules.n = 2;
	rules.rule[0] = *spc_rules_find(&all, "shift");
	rules.rule[1] = *spc_rules_find(&all, "trend");
	struct spc_options opt = {.direction = SPC_DIRECTION_HIGHER, .rules = &rules};
	struct spc_result res;
	compute(&res, v, N(v), &opt);
	assert_near(res.periods[0].mean, 130.5 / 17.0, EPS);
	assert_int_equal(res.points[16].rules, 3);
	assert_int_equal(res.points[16].side, SPC_SIDE_HIGH);
	assert_int_equal(res.variation, SPC_VARIATION_IMPROVE_HIGH);
	spc_result_free(&res);

	rules.rule[0] = *spc_rules_find(&all, "trend");
	rules.rule[1] = *spc_rules_find(&all, "shift");
	compute(&res, v, N(v), &opt);
	assert_int_equal(res.points[16].side, SPC_SIDE_LOW);
	assert_int_equal(res.variation, SPC_VARIATION_CONCERN_LOW);
	spc_result_free(&res);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct spc_result res;
	struct cadre_err err;
	const double v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
	double bad[3] = {1, NAN, 3};
	assert_int_equal(spc_compute(&res, v, 0, NULL, &err), CADRE_EINVAL);
	assert_int_equal(spc_compute(&res, bad, 3, NULL, &err), CADRE_EINVAL);
	assert_non_null(strstr(err.msg, "point 2"));
	bad[1] = INFINITY;
	assert_int_equal(spc_compute(&res, bad, 3, NULL, &err), CADRE_EINVAL);
	struct spc_options opt = {.baseline = 1};
	assert_int_equal(spc_compute(&res, v, N(v), &opt, &err), CADRE_EINVAL);
	opt.baseline = 15;
	assert_int_equal(spc_compute(&res, v, N(v), &opt, &err), CADRE_EINVAL);
	opt.baseline = 0;
	opt.nsteps = 2;
	opt.steps[0] = 8;
	opt.steps[1] = 5; /* not increasing */
	assert_int_equal(spc_compute(&res, v, N(v), &opt, &err), CADRE_EINVAL);
	opt.nsteps = 1;
	opt.steps[0] = 13; /* would leave one point in the last period */
	assert_int_equal(spc_compute(&res, v, N(v), &opt, &err), CADRE_EINVAL);
	opt.nsteps = 0;
	opt.has_target = true;
	opt.target = NAN;
	assert_int_equal(spc_compute(&res, v, N(v), &opt, &err), CADRE_EINVAL);
	opt.has_target = false;
	struct spc_rules rules;
	spc_rules_default(&rules);
	rules.rule[1].points = 4; /* 4 of 3 */
	opt.rules = &rules;
	assert_int_equal(spc_compute(&res, v, N(v), &opt, &err), CADRE_EINVAL);
	assert_non_null(strstr(err.msg, "two-of-three"));
	spc_rules_default(&rules);
	memcpy(rules.rule[1].id, "shift", 6); /* duplicate */
	assert_int_equal(spc_compute(&res, v, N(v), &opt, &err), CADRE_EINVAL);
	assert_null(res.points);
}

/* load_shipped_rules: data/spc/rules.csv from the data folder the program
 * itself would use (refdata_find_dir: $CADRE_DATA_DIR, ./data, or data/
 * above the test binary). */
static int load_shipped_rules(struct spc_rules *out, struct cadre_err *err)
{
	char dir[4096], path[4200];
	int rc = refdata_find_dir(dir, sizeof dir, err);
	if (rc)
		return rc;
	(void)snprintf(path, sizeof path, "%s/spc/rules.csv", dir);
	return spc_rules_load(out, path, err);
}

/* The shipped file is the compiled-in default, field for field. */
static void test_rules_file_matches_defaults(void **state)
{
	(void)state;
	struct spc_rules file, def;
	struct cadre_err err;
	cadre_err_clear(&err);
	int rc = load_shipped_rules(&file, &err);
	if (rc)
		print_error("%s\n", err.msg);
	assert_int_equal(rc, CADRE_OK);
	spc_rules_default(&def);
	assert_int_equal(file.n, 4);
	assert_int_equal(file.n, def.n);
	for (size_t i = 0; i < def.n; i++) {
		const struct spc_rule *a = &file.rule[i], *b = &def.rule[i];
		assert_string_equal(a->id, b->id);
		assert_int_equal(a->kind, b->kind);
		assert_int_equal(a->points, b->points);
		assert_int_equal(a->of_points, b->of_points);
		assert_near(a->zone_sigma, b->zone_sigma, 0.0);
		assert_string_equal(a->label, b->label);
		assert_string_equal(a->description, b->description);
		assert_string_equal(a->source, b->source);
	}
	/* the Making Data Count numbers, as checked against NHSRplotthedots */
	assert_int_equal(spc_rules_find(&def, "shift")->points, 7);
	assert_int_equal(spc_rules_find(&def, "trend")->points, 7);
	assert_int_equal(spc_rules_find(&def, "two-of-three")->points, 2);
	assert_int_equal(spc_rules_find(&def, "two-of-three")->of_points, 3);
	assert_near(spc_rules_find(&def, "outside-limits")->zone_sigma, 3.0, 0.0);
	assert_null(spc_rules_find(&def, "nope"));
}

#define HDR "id,kind,points,of_points,zone_sigma,label,description,source,status\n"

static void expect_parse_error(const char *text, const char *want)
{
	struct spc_rules r;
	struct cadre_err err;
	cadre_err_clear(&err);
	int rc = spc_rules_parse(&r, text, strlen(text), &err);
	if (rc != CADRE_EINVAL || !strstr(err.msg, want))
		print_error("parse gave %d \"%s\", want \"%s\"\n", rc, err.msg, want);
	assert_int_equal(rc, CADRE_EINVAL);
	assert_non_null(strstr(err.msg, want));
}

static void test_rules_parse(void **state)
{
	(void)state;
	struct spc_rules r;
	struct cadre_err err;
	/* columns in another order; a six-point trend */
	const char *ok = "status,id,kind,points,of_points,zone_sigma,label,description,source\n"
	                 "inferred,trend6,trend,6,6,,6 rising,Six rising.,LOCAL\n";
	assert_int_equal(spc_rules_parse(&r, ok, strlen(ok), &err), CADRE_OK);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.rule[0].id, "trend6");
	assert_int_equal(r.rule[0].kind, SPC_RULE_TREND);
	assert_int_equal(r.rule[0].points, 6);

	expect_parse_error("", "no header");
	expect_parse_error(HDR, "no rules");
	expect_parse_error("id,kind\n", "column points missing");
	expect_parse_error(HDR "x,wobble,1,1,,l,d,S,published\n", "line 2, column 3: kind");
	expect_parse_error(HDR "x,zone,1,1,,l,d,S,published\n", "zone_sigma: a zone rule needs it");
	expect_parse_error(HDR "x,zone,3,2,2,l,d,S,published\n", "line 2, column 1: x: a zone");
	expect_parse_error(HDR "x,shift,7,6,,l,d,S,published\n", "of_points must equal");
	expect_parse_error(HDR "x,shift,seven,7,,l,d,S,published\n", "line 2, column 9: points");
	expect_parse_error(HDR "x,shift,7,7,,l,d,S,maybe\n", "status");
	expect_parse_error(HDR "x,shift,7,7,,,d,S,published\n", "label: must not be empty");
	expect_parse_error(HDR "X Y,shift,7,7,,l,d,S,published\n", "id must be lower-case");
	expect_parse_error(HDR "x,shift,7,7,,l,d,S,published\n"
	                       "x,trend,7,7,,l,d,S,published\n",
	                   "line 3, column 1: id: duplicate");
	expect_parse_error(HDR "x,shift,7,7,,l,d\n", "line 2: 7 fields");
	expect_parse_error("id,kind,points,of_points,zone_sigma,label,description,source,status,"
	                   "extra\n",
	                   "unknown column");
}

/* England's monthly sickness absence rate, April-December 2024, from the
 * published files: sum of FTE days lost / sum of FTE days available x 100
 * over every organisation in each month's file (ICBs, trusts, CSUs and
 * others, as published).  Worked out separately (Python, same row order):
 *   Apr 4.764003  May 4.712304  Jun 4.873680  Jul 5.198479  Aug 4.793195
 *   Sep 4.961540  Oct 5.412360  Nov 5.429916  Dec 5.744944
 * 9 points: a run chart.  Sorted, the 5th of 9 is September's 4.961540:
 * the median.  What it shows: a summer rise in July, then October to
 * December the three highest months, all above the median, climbing into
 * winter.  Nine months cannot say whether that is special cause or the
 * usual winter season: it takes 12 points for limits, and a second winter
 * to tell season from change. */
static void test_england_sickness_absence_2024(void **state)
{
	(void)state;
	static const double want[9] = {4.7640031456687355, 4.712303532870583, 4.873679526383336,
	                               5.198479492975568,  4.793195115501238, 4.961540278800632,
	                               5.412359940732839,  5.429915540926249, 5.744944422092695};
	const char *root = getenv("CADRE_SHARED_DATA");
	if (!root || !root[0])
		root = "../shared/data";
	double rate[9];
	int32_t months[9];
	for (int m = 0; m < 9; m++) {
		int month = 4 + m;
		char path[4096];
		(void)snprintf(path, sizeof path,
		               "%s/nhs-sickness-absence/nhs_sickness_absence_2024-%02d.csv", root,
		               month);
		FILE *f = fopen(path, "rb");
		if (!f)
			print_error("cannot open %s (set CADRE_SHARED_DATA)\n", path);
		assert_non_null(f); /* missing data is a failure, not a skip */
		struct csv_reader *r = NULL;
		struct cadre_err err;
		assert_int_equal(csv_reader_open_file(&r, f, NULL, &err), CADRE_OK);
		assert_int_equal(csv_reader_next(r, &err), CADRE_OK); /* header */
		assert_string_equal(csv_reader_field(r, 8)->s, "FTE_DAYS_LOST");
		assert_string_equal(csv_reader_field(r, 9)->s, "FTE_DAYS_AVAILABLE");
		double lost = 0, avail = 0;
		int rc, rows = 0;
		while ((rc = csv_reader_next(r, &err)) == CADRE_OK) {
			double a = 0, b = 0;
			const struct csv_field *fl = csv_reader_field(r, 8);
			const struct csv_field *fa = csv_reader_field(r, 9);
			assert_int_equal(num_parse_double(fl->s, fl->len, &a, &err), CADRE_OK);
			assert_int_equal(num_parse_double(fa->s, fa->len, &b, &err), CADRE_OK);
			lost += a;
			avail += b;
			rows++;
		}
		assert_int_equal(rc, CADRE_DONE);
		assert_true(rows > 270);
		csv_reader_free(r);
		(void)fclose(f);
		rate[m] = lost / avail * 100.0;
		months[m] = 202400 + month;
		assert_near(rate[m], want[m], 1e-9);
	}
	struct spc_options opt = {.direction = SPC_DIRECTION_LOWER};
	struct spc_result res;
	compute(&res, rate, 9, &opt);
	assert_true(res.run_chart);
	assert_near(res.periods[0].mean, want[5], 1e-12); /* September */
	for (int m = 6; m < 9; m++)
		assert_true(rate[m] > res.periods[0].mean);
	assert_all_common(&res);
	assert_int_equal(res.variation, SPC_VARIATION_INSUFFICIENT);

	/* prepared for the chart: months carried, no signals */
	struct spc_chart ch;
	struct cadre_err err;
	assert_int_equal(spc_chart_prepare(&ch, &res, months, "eng-sick",
	                                   "Sickness absence, England", "%", 2, &err),
	                 CADRE_OK);
	assert_true(ch.data.run_chart);
	assert_int_equal(ch.data.points[8].month, 202412);
	assert_string_equal(ch.data.points[8].signal, "");
	assert_string_equal(ch.data.variation, "insufficient");
	spc_chart_free(&ch);
	spc_result_free(&res);
}

/* spc_chart_prepare joins the labels of the rules that flag a point. */
static void test_chart_prepare_signals(void **state)
{
	(void)state;
	double v[18];
	int32_t months[18];
	for (size_t i = 0; i < 18; i++) {
		v[i] = i < 12 ? (i % 2 ? 11 : 9) : 16;
		months[i] = (int32_t)(202304 + (i < 9 ? i : i + 88)); /* Apr 2023 .. Sep 2024 */
	}
	struct spc_options opt = {
	    .direction = SPC_DIRECTION_LOWER, .baseline = 12, .has_target = true, .target = 12};
	struct spc_result res;
	compute(&res, v, 18, &opt);
	struct spc_chart ch;
	struct cadre_err err;
	assert_int_equal(spc_chart_prepare(&ch, &res, months, "c", "T", "%", 1, &err), CADRE_OK);
	assert_int_equal(ch.data.points[9].month, 202401);
	assert_string_equal(ch.data.points[17].signal,
	                    "outside the process limits; 2 of 3 close to a limit; "
	                    "run of 7 on one side of the mean");
	assert_string_equal(ch.data.points[11].signal, "run of 7 on one side of the mean");
	assert_string_equal(ch.data.points[11].cause, "concern");
	assert_string_equal(ch.data.points[0].cause, "common");
	assert_string_equal(ch.data.variation, "concern-high");
	/* target 12 lies between 4.68 and 15.32 */
	assert_string_equal(ch.data.assurance, "hit-miss");
	assert_string_equal(ch.data.direction, "lower");
	spc_chart_free(&ch);
	spc_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stable_series),
	    cmocka_unit_test(test_single_point_above_upper_limit),
	    cmocka_unit_test(test_point_below_lower_limit_is_improvement_when_lower_is_better),
	    cmocka_unit_test(test_run_of_seven_above_mean),
	    cmocka_unit_test(test_seven_rising),
	    cmocka_unit_test(test_six_rising),
	    cmocka_unit_test(test_two_of_three_close_to_limit),
	    cmocka_unit_test(test_assurance),
	    cmocka_unit_test(test_eleven_points_make_a_run_chart),
	    cmocka_unit_test(test_limits_from_a_baseline),
	    cmocka_unit_test(test_first_rule_decides_the_side),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_rules_file_matches_defaults),
	    cmocka_unit_test(test_rules_parse),
	    cmocka_unit_test(test_england_sickness_absence_2024),
	    cmocka_unit_test(test_chart_prepare_signals),
	};
	return cmocka_run_group_tests_name("domain_spc", tests, NULL, NULL);
}
