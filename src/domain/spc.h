/* spc: statistical process control for NHS trend charts, after NHS
 * England's "Making Data Count" (XmR charts, special-cause rules, variation
 * and assurance icons).
 *
 * Design note.  A pure computation: plain structs in, plain structs out, no
 * actor, no database; the one exception is spc_rules_load(), which reads the
 * shipped rule table (data/spc/rules.csv) through io/csv.  docs/spc.md is the
 * method in words.
 *
 * XmR chart.  The centre line is the mean of the values; the moving range of
 * a point is |x[i] - x[i-1]|; mR-bar is the mean of the moving ranges; the
 * process limits are mean +/- 2.66 x mR-bar (2.66 = 3 / 1.128, three sigma
 * where sigma is estimated as mR-bar / 1.128).  The limits may be computed
 * from a baseline (the first N points) and the series may be split into
 * periods at step changes; each period has its own centre and limits,
 * computed from its own first N points (or all of them), and the rules run
 * within a period, never across a step.
 *
 * Rules are data (struct spc_rules, loaded from data/spc/rules.csv; the
 * compiled-in defaults are the same table and a unit test keeps them equal).
 * Three kinds cover every rule Making Data Count uses:
 *   ZONE   at least `points` of `of_points` consecutive points lie beyond
 *          centre +/- zone_sigma x sigma on the same side (zone_sigma 3 with
 *          1 of 1 is "a point outside the process limits"; 2 of 3 beyond
 *          zone_sigma 2 is "two of three close to a limit");
 *   SHIFT  a run of at least `points` consecutive points on one side of the
 *          centre (a point on the centre line breaks the run);
 *   TREND  at least `points` consecutive points each strictly higher (or each
 *          strictly lower) than the one before (an equal value breaks it).
 * Every point a rule covers is flagged, high or low: ZONE and SHIFT by the
 * side of the centre, TREND by its direction (rising is high).  When rules
 * disagree about a point, the first rule in the table that flags it decides.
 *
 * The improvement direction turns high and low into improvement or concern;
 * for a measure with no direction they are "neither" (neutral).  The
 * variation icon describes the latest point; the assurance icon compares a
 * target with the latest period's limits (target beyond a limit on the good
 * side: consistently passing; on the bad side: consistently failing;
 * between the limits: hit and miss).
 *
 * With fewer than SPC_MIN_POINTS points the result is a run chart: a median
 * line, no limits, no rules, and the icon "insufficient data". */
#ifndef CADRE_DOMAIN_SPC_H
#define CADRE_DOMAIN_SPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/mem.h"
#include "io/chart.h"

#define SPC_LIMIT_FACTOR  2.66 /* process limits at mean +/- 2.66 x mR-bar */
#define SPC_MIN_POINTS    12   /* fewer make a run chart */
#define SPC_MAX_POINTS    5000 /* a longer series is refused (CADRE_EINVAL) */
#define SPC_MAX_RULES     16
#define SPC_MAX_STEPS     16
#define SPC_RULE_ID_MAX   32
#define SPC_RULE_TEXT_MAX 200

enum spc_rule_kind {
	SPC_RULE_ZONE = 1,
	SPC_RULE_SHIFT,
	SPC_RULE_TREND,
};

/* spc_rule: one special-cause rule, a row of data/spc/rules.csv. */
struct spc_rule {
	char id[SPC_RULE_ID_MAX]; /* stable key: "outside-limits", "shift", ... */
	enum spc_rule_kind kind;
	int points;                    /* how many points must meet it (ZONE), or the run length */
	int of_points;                 /* ZONE: the window of consecutive points; else = points */
	double zone_sigma;             /* ZONE: distance from the centre in sigmas; else 0 */
	char label[SPC_RULE_TEXT_MAX]; /* short, for tables: "outside the limits" */
	char description[SPC_RULE_TEXT_MAX]; /* a sentence for docs and help */
	char source[SPC_RULE_ID_MAX];        /* source key(s) of the sidecar */
};

struct spc_rules {
	size_t n;
	struct spc_rule rule[SPC_MAX_RULES];
};

/* spc_rules_default: the Making Data Count rules, exactly the rows of
 * data/spc/rules.csv: outside-limits, two-of-three, shift (7), trend (7). */
void spc_rules_default(struct spc_rules *out);

/* spc_rules_parse: read a rule table in the data/spc/rules.csv format from
 * len bytes at text (header line first; columns in any order, unknown
 * columns refused).  Returns CADRE_OK, or CADRE_EINVAL with err set to
 * "line L, column C: reason" (a bad kind, a count out of range, a
 * duplicate id, too many rules, an empty table). */
int spc_rules_parse(struct spc_rules *out, const char *text, size_t len, struct cadre_err *err);

/* spc_rules_load: spc_rules_parse on the file at path; errors are prefixed
 * with the path.  CADRE_ENOTFOUND when the file cannot be opened. */
int spc_rules_load(struct spc_rules *out, const char *path, struct cadre_err *err);

/* spc_rules_find: the rule with this id, or NULL. */
const struct spc_rule *spc_rules_find(const struct spc_rules *rules, const char *id);

/* Which way is better for the measure. */
enum spc_direction {
	SPC_DIRECTION_NEITHER = 0,
	SPC_DIRECTION_HIGHER, /* higher is better (staff stability) */
	SPC_DIRECTION_LOWER,  /* lower is better (sickness absence, vacancies) */
};

/* spc_options: how to compute.  Zero-initialise, then set what applies. */
struct spc_options {
	enum spc_direction direction;
	bool has_target;
	double target;
	size_t baseline; /* 0: limits from all points of a period; N: from its first N (N >= 2) */
	size_t nsteps;   /* step changes: a new period starts at each index in steps[] */
	size_t steps[SPC_MAX_STEPS];   /* strictly increasing, each in 1 .. n-1 */
	const struct spc_rules *rules; /* NULL: spc_rules_default() */
};

/* What a point is. */
enum spc_cause {
	SPC_CAUSE_COMMON = 0,
	SPC_CAUSE_IMPROVE,
	SPC_CAUSE_CONCERN,
	SPC_CAUSE_NEITHER, /* special cause of a measure with no improvement direction */
};

enum spc_side {
	SPC_SIDE_NONE = 0,
	SPC_SIDE_HIGH,
	SPC_SIDE_LOW,
};

/* The variation icon: what the latest point shows. */
enum spc_variation {
	SPC_VARIATION_INSUFFICIENT = 0, /* run chart: too few points for limits */
	SPC_VARIATION_COMMON,
	SPC_VARIATION_IMPROVE_HIGH,
	SPC_VARIATION_IMPROVE_LOW,
	SPC_VARIATION_CONCERN_HIGH,
	SPC_VARIATION_CONCERN_LOW,
	SPC_VARIATION_NEITHER_HIGH,
	SPC_VARIATION_NEITHER_LOW,
};

/* The assurance icon: can the process be relied on to meet the target? */
enum spc_assurance {
	SPC_ASSURANCE_NONE = 0, /* no target, no direction, or a run chart */
	SPC_ASSURANCE_PASS,     /* consistently passing */
	SPC_ASSURANCE_FAIL,     /* consistently failing */
	SPC_ASSURANCE_HIT_MISS, /* hit and miss: the target lies between the limits */
};

struct spc_point {
	double value;
	bool has_mr;    /* false for the first point of a period */
	double mr;      /* |value - previous value| within the period */
	size_t period;  /* index into spc_result.periods */
	double centre;  /* the period's mean (run chart: the median) */
	double lpl;     /* the period's lower process limit (run chart: = centre) */
	double upl;     /* the period's upper process limit (run chart: = centre) */
	unsigned rules; /* bit r set when rule r of spc_result.rules flags the point */
	enum spc_side side;
	enum spc_cause cause;
};

struct spc_period {
	size_t start, end; /* points [start, end) */
	size_t basis;      /* how many of its first points the limits use */
	double mean;       /* XmR: mean of the basis points; run chart: their median */
	double mr_bar;     /* mean moving range of the basis points (0 for a run chart) */
	double lpl, upl;   /* mean -/+ 2.66 x mr_bar */
	bool trial;        /* fewer than SPC_MIN_POINTS points in the basis */
};

/* spc_result: owned by the caller; spc_result_free() releases points. */
struct spc_result {
	bool run_chart; /* fewer than SPC_MIN_POINTS points */
	size_t n;
	struct spc_point *points;
	size_t nperiods;
	struct spc_period periods[SPC_MAX_STEPS + 1];
	struct spc_rules rules; /* the rules applied (a copy) */
	enum spc_direction direction;
	bool has_target;
	double target;
	enum spc_variation variation;
	enum spc_assurance assurance;
};

/* spc_compute: analyse n values (in time order, finite, n in 1 ..
 * SPC_MAX_POINTS) as opt says (NULL: defaults: no direction, no target,
 * all points, default rules).  On CADRE_OK *res holds the result and must
 * be released with spc_result_free(); on failure (CADRE_EINVAL with the
 * reason: a non-finite value, a step or baseline out of range, a rule
 * table that does not validate) *res is empty and needs no freeing. */
int spc_compute(struct spc_result *res, const double *values, size_t n,
                const struct spc_options *opt, struct cadre_err *err);

/* spc_result_free: release what spc_compute allocated; res is empty after. */
void spc_result_free(struct spc_result *res);

/* spc_chart: a result prepared for io/chart (which cannot see domain
 * structs): data is what chart_spc_svg() and chart_spc_table_html() take;
 * its strings and points live in the arena. */
struct spc_chart {
	struct chart_spc_data data;
	struct arena arena;
};

/* spc_chart_prepare: fill *out from res with months[i] (yyyymm) for point
 * i.  id, title and unit are copied; each point's signal is the labels of
 * the rules that flag it, joined by "; ".  Release with spc_chart_free().
 * CADRE_EINVAL for an empty result. */
int spc_chart_prepare(struct spc_chart *out, const struct spc_result *res, const int32_t *months,
                      const char *id, const char *title, const char *unit, int decimals,
                      struct cadre_err *err);

/* spc_chart_free: release the arena; out is empty after. */
void spc_chart_free(struct spc_chart *out);

/* spc_median: the median of n values (n >= 1), for run charts. */
double spc_median(const double *values, size_t n);

/* Names for classes, tables and logs; never NULL. */
const char *spc_cause_name(enum spc_cause c);          /* "common", "improve", ... */
const char *spc_variation_name(enum spc_variation v);  /* "improve-high", ... */
const char *spc_variation_label(enum spc_variation v); /* "Special cause: improving (high)" */
const char *spc_assurance_name(enum spc_assurance a);  /* "pass", "fail", "hit-miss" */
const char *spc_assurance_label(enum spc_assurance a); /* "Consistently passing the target" */

#endif
