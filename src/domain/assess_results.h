/* assess_results: the scoring of a self-assessment round, as pure functions
 * over plain structs (no database, no I/O, no clock).
 *
 * Design note (the rules in words, with worked examples: docs/toolkits.md,
 * "Scoring" and "Suppression")
 * - Only SUBMITTED respondents count.  A draft counts in participation
 *   ("in progress") and nowhere else.  A skipped statement (score 0: "don't
 *   know") is left out of that statement's mean; it is never a zero.
 * - Statement score: the mean of the submitted scores for it.  A statement
 *   with fewer than ASSESS_MIN_ANSWERS answers is not shown and is left out
 *   of every factor mean (otherwise the factor mean and the other statements
 *   would give it away).
 * - Factor score: the mean of its shown statements' scores (each statement
 *   weighs the same).  Overall: the mean of the factor scores.
 * - Groups: a group's factor score is the mean, over the factor's shown
 *   statements that the group answered, of the group's own statement means.
 *   Which groups may be shown is decided by assess_results_suppress (primary
 *   and secondary suppression); a round with fewer than ASSESS_MIN_TOTAL
 *   submitted respondents shows nothing at all.
 * - Spread of a factor: the highest minus the lowest factor score among the
 *   SHOWN groups (at least two); flagged when >= ASSESS_SPREAD_FLAG.
 *   Suppressed groups never enter a spread, which would leak them.
 * - Improvement ranking: every shown statement gets
 *       priority = 0.5 x low + 0.3 x disagreement + 0.2 x contrary
 *   with low = (max - score) / (max - min) of the scale, disagreement = the
 *   statement's spread between shown groups / (max - min), capped at 1, and
 *   contrary = 1 when automatic evidence on the statement raises a concern
 *   while its score is at least the scale's midpoint (opinion says fine,
 *   data says otherwise), else 0.  Ranked by priority (to 4 decimal places)
 *   highest first, then lower score, then the toolkit's order.
 * - Benchmarks: quartiles are inclusive linear interpolation (Excel
 *   QUARTILE.INC, R type 7); see assess_results_dist. */
#ifndef CADRE_DOMAIN_ASSESS_RESULTS_H
#define CADRE_DOMAIN_ASSESS_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

#define ASSESS_MIN_GROUP   3   /* respondents a group needs to be shown on its own */
#define ASSESS_MIN_TOTAL   3   /* submitted respondents a round needs to show anything */
#define ASSESS_MIN_ANSWERS 3   /* answers a statement needs to be shown */
#define ASSESS_SPREAD_FLAG 1.0 /* a factor spread this wide between groups is a finding */
#define ASSESS_MIN_PEERS   5   /* organisations a peer comparison needs (self included) */

#define ASSESS_W_LOW      0.5
#define ASSESS_W_DISAGREE 0.3
#define ASSESS_W_CONTRARY 0.2

/* why a group is, or is not, shown separately */
enum assess_shown {
	ASSESS_SHOWN = 0,     /* shown */
	ASSESS_EMPTY = 1,     /* no submitted respondent: nothing to show or hide */
	ASSESS_PRIMARY = 2,   /* fewer than min_group respondents */
	ASSESS_SECONDARY = 3, /* hidden so a primary-suppressed group cannot be worked out */
	ASSESS_ROUND = 4,     /* the whole round has fewer than ASSESS_MIN_TOTAL */
};

/* assess_shown_word: "shown", "empty", "primary", "secondary", "round". */
const char *assess_shown_word(enum assess_shown s);

/* assess_results_suppress: decide which of n groups may be shown, given
 * counts[i] submitted respondents in group i, into out[i]:
 *   1. a group with 0 respondents is ASSESS_EMPTY;
 *   2. a group with 1 .. min_group-1 is ASSESS_PRIMARY;
 *   3. while some group is hidden, some group is still shown, and either
 *      exactly one group is hidden or the hidden groups together hold fewer
 *      than min_group respondents, the shown group with the fewest
 *      respondents (the first in round order on a tie) becomes
 *      ASSESS_SECONDARY.
 * So the total and the shown groups never give away a hidden group: at
 * least two groups are hidden together, holding min_group or more people. */
void assess_results_suppress(const int *counts, size_t n, int min_group, enum assess_shown *out);

/* ---- a round's input ----------------------------------------------------- */

struct assess_results_stmt_in {
	size_t factor; /* index into the factors */
	bool concern;  /* automatic evidence on it raises a concern */
};

struct assess_results_resp_in {
	size_t group; /* index into the groups */
	bool submitted;
	bool started; /* has saved at least one answer (a draft when not submitted) */
};

struct assess_results_answer_in {
	size_t respondent; /* index into the respondents */
	size_t statement;  /* index into the statements */
	int score;         /* scale_min..scale_max, or 0 for skipped */
};

struct assess_results_in {
	int scale_min; /* 1 */
	int scale_max; /* 5 */
	size_t nfactors;
	const struct assess_results_stmt_in *statements;
	size_t nstatements;
	size_t ngroups;
	const struct assess_results_resp_in *respondents;
	size_t nrespondents;
	const struct assess_results_answer_in *answers;
	size_t nanswers;
};

/* ---- a round's results ---------------------------------------------------- */

struct assess_results_stmt {
	int answers;     /* submitted, not skipped */
	int skipped;     /* submitted as "don't know" */
	bool shown;      /* answers >= ASSESS_MIN_ANSWERS and the round is shown */
	double score;    /* mean; 0 when not shown */
	bool has_spread; /* two or more shown groups answered it */
	double spread;   /* between shown groups' means of this statement */
	double low, disagreement;
	bool contrary;
	double priority;
	int rank; /* 1 = the first improvement area; 0 when not shown */
};

struct assess_results_factor {
	bool shown; /* at least one shown statement */
	double score;
	int statements; /* shown statements it averages */
	bool has_spread;
	double spread;
	bool flagged;                 /* spread >= ASSESS_SPREAD_FLAG */
	size_t high_group, low_group; /* when has_spread */
};

struct assess_results_group {
	int invited;   /* every respondent of the group */
	int started;   /* saved at least one answer, not submitted */
	int submitted; /* submitted */
	enum assess_shown shown;
	bool *factor_has;     /* [nfactors]: shown and scored */
	double *factor_score; /* [nfactors] */
	bool has_overall;
	double overall;
};

struct assess_results {
	size_t nfactors, nstatements, ngroups;
	int invited, started, submitted;
	bool shown; /* submitted >= ASSESS_MIN_TOTAL */
	bool has_overall;
	double overall;
	struct assess_results_factor *factors;
	struct assess_results_stmt *statements;
	struct assess_results_group *groups;
	size_t *ranking; /* shown statements, first improvement area first */
	size_t nranking;
};

/* assess_results_compute: score a round (rules in the design note).
 * CADRE_EINVAL for input out of range (an index past its array, a score
 * off the scale, a scale narrower than 2 points, a respondent answering a
 * statement twice).  out is filled on success and must be released with
 * assess_results_free; on failure it holds nothing to free. */
int assess_results_compute(const struct assess_results_in *in, struct assess_results *out,
                           struct cadre_err *err);

/* assess_results_free: release what assess_results_compute allocated. */
void assess_results_free(struct assess_results *r);

/* ---- benchmarks ------------------------------------------------------------ */

/* assess_dist: the distribution of n values. */
struct assess_dist {
	size_t n;
	double min, q1, median, q3, max;
};

/* assess_results_quantile: the p-quantile (0 <= p <= 1) of n sorted values
 * by inclusive linear interpolation: h = (n - 1) p, x[floor h] + (h - floor
 * h)(x[floor h + 1] - x[floor h]).  n must be at least 1. */
double assess_results_quantile(const double *sorted, size_t n, double p);

/* assess_results_dist: min, quartiles, median and max of v[0..n-1] (not
 * changed; n may be 0, giving all zeros). */
void assess_results_dist(const double *v, size_t n, struct assess_dist *out);

/* assess_results_round2: x rounded to 2 decimal places, halves away from
 * zero, as every score is shown and signed. */
double assess_results_round2(double x);

#endif
