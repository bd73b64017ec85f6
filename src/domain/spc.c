#include "domain/spc.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/num.h"
#include "io/csv.h"

/* The compiled-in table: the rows of data/spc/rules.csv (test_domain_spc
 * checks that the file parses to exactly this). */
static const struct spc_rule default_rules[] = {
    {"outside-limits", SPC_RULE_ZONE, 1, 1, 3.0, "outside the process limits",
     "A single point above the upper or below the lower process limit.", "MDC|PTD"},
    {"two-of-three", SPC_RULE_ZONE, 2, 3, 2.0, "2 of 3 close to a limit",
     "Two of three consecutive points beyond two-thirds of the way from the mean to the same "
     "process limit (beyond 2 sigma), points outside the limit included.",
     "MDC|PTD"},
    {"shift", SPC_RULE_SHIFT, 7, 7, 0.0, "run of 7 on one side of the mean",
     "Seven or more consecutive points all above or all below the mean; a point on the mean "
     "breaks the run.",
     "MDC|PTD"},
    {"trend", SPC_RULE_TREND, 7, 7, 0.0, "7 rising or falling",
     "Seven or more consecutive points each higher than the one before, or each lower; an "
     "equal value breaks the trend.",
     "MDC|PTD"},
};

void spc_rules_default(struct spc_rules *out)
{
	memset(out, 0, sizeof *out);
	out->n = sizeof default_rules / sizeof default_rules[0];
	memcpy(out->rule, default_rules, sizeof default_rules);
}

const struct spc_rule *spc_rules_find(const struct spc_rules *rules, const char *id)
{
	for (size_t i = 0; i < rules->n; i++)
		if (strcmp(rules->rule[i].id, id) == 0)
			return &rules->rule[i];
	return NULL;
}

/* rule_check: the limits every rule must respect, whether it came from the
 * file or from a caller's own table.  Returns a reason, or NULL. */
static const char *rule_check(const struct spc_rule *r)
{
	if (r->id[0] == '\0')
		return "empty id";
	for (const char *p = r->id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return "id must be lower-case letters, digits and '-'";
	switch (r->kind) {
	case SPC_RULE_ZONE:
		if (r->points < 1 || r->of_points < r->points || r->of_points > 50)
			return "a zone rule needs 1 <= points <= of_points <= 50";
		if (!(r->zone_sigma > 0.0 && r->zone_sigma <= 10.0))
			return "a zone rule needs zone_sigma in (0, 10]";
		return NULL;
	case SPC_RULE_SHIFT:
	case SPC_RULE_TREND:
		if (r->points < (r->kind == SPC_RULE_TREND ? 3 : 2) || r->points > 50)
			return "a run needs points in 2 .. 50 (a trend 3 .. 50)";
		if (r->of_points != r->points)
			return "of_points must equal points for a run or a trend";
		if (r->zone_sigma != 0.0)
			return "zone_sigma applies to zone rules only";
		return NULL;
	default: return "unknown kind";
	}
}

static int rules_check(const struct spc_rules *rules, struct cadre_err *err)
{
	if (rules->n == 0 || rules->n > SPC_MAX_RULES)
		return cadre_err_set(err, CADRE_EINVAL, "rules: need 1 to %d rules, got %zu",
		                     SPC_MAX_RULES, rules->n);
	for (size_t i = 0; i < rules->n; i++) {
		const char *why = rule_check(&rules->rule[i]);
		if (why)
			return cadre_err_set(err, CADRE_EINVAL, "rule %zu (%s): %s", i + 1,
			                     rules->rule[i].id, why);
		for (size_t j = 0; j < i; j++)
			if (strcmp(rules->rule[i].id, rules->rule[j].id) == 0)
				return cadre_err_set(err, CADRE_EINVAL, "rule %zu: duplicate id %s",
				                     i + 1, rules->rule[i].id);
	}
	return CADRE_OK;
}

/* The columns of data/spc/rules.csv. */
enum rule_col {
	COL_ID,
	COL_KIND,
	COL_POINTS,
	COL_OF_POINTS,
	COL_ZONE_SIGMA,
	COL_LABEL,
	COL_DESCRIPTION,
	COL_SOURCE,
	COL_STATUS,
	COL_COUNT
};

static const char *const rule_col_names[COL_COUNT] = {
    "id", "kind", "points", "of_points", "zone_sigma", "label", "description", "source", "status",
};

static int field_err(const struct csv_field *f, struct cadre_err *err, const char *what,
                     const char *why)
{
	return cadre_err_set(err, CADRE_EINVAL, "line %ld, column %ld: %s: %s", f->line, f->col,
	                     what, why);
}

/* copy_text: a text field into a fixed array, refusing what does not fit. */
static int copy_text(char *dst, size_t cap, const struct csv_field *f, const char *what,
                     bool required, struct cadre_err *err)
{
	if (required && f->len == 0)
		return field_err(f, err, what, "must not be empty");
	if (f->len >= cap) {
		char why[64];
		(void)snprintf(why, sizeof why, "longer than %zu bytes", cap - 1);
		return field_err(f, err, what, why);
	}
	memcpy(dst, f->s, f->len);
	dst[f->len] = '\0';
	return CADRE_OK;
}

static int parse_int_field(const struct csv_field *f, const char *what, int *out,
                           struct cadre_err *err)
{
	int64_t v = 0;
	struct cadre_err e;
	cadre_err_clear(&e);
	if (num_parse_i64_range(f->s, f->len, 0, 1000, &v, &e) != CADRE_OK)
		return field_err(f, err, what, e.msg);
	*out = (int)v;
	return CADRE_OK;
}

/* rule_from_record: one data row into *r. */
static int rule_from_record(struct spc_rule *r, const struct csv_reader *rd, const size_t *map,
                            struct cadre_err *err)
{
	const struct csv_field *f[COL_COUNT];
	for (size_t c = 0; c < COL_COUNT; c++)
		f[c] = csv_reader_field(rd, map[c]);
	memset(r, 0, sizeof *r);
	int rc = copy_text(r->id, sizeof r->id, f[COL_ID], "id", true, err);
	if (rc)
		return rc;
	const struct csv_field *k = f[COL_KIND];
	if (strcmp(k->s, "zone") == 0)
		r->kind = SPC_RULE_ZONE;
	else if (strcmp(k->s, "shift") == 0)
		r->kind = SPC_RULE_SHIFT;
	else if (strcmp(k->s, "trend") == 0)
		r->kind = SPC_RULE_TREND;
	else
		return field_err(k, err, "kind", "must be zone, shift or trend");
	if ((rc = parse_int_field(f[COL_POINTS], "points", &r->points, err)))
		return rc;
	if ((rc = parse_int_field(f[COL_OF_POINTS], "of_points", &r->of_points, err)))
		return rc;
	const struct csv_field *z = f[COL_ZONE_SIGMA];
	if (z->len > 0) {
		struct cadre_err e;
		cadre_err_clear(&e);
		if (num_parse_double(z->s, z->len, &r->zone_sigma, &e) != CADRE_OK)
			return field_err(z, err, "zone_sigma", e.msg);
	} else if (r->kind == SPC_RULE_ZONE) {
		return field_err(z, err, "zone_sigma", "a zone rule needs it");
	}
	if ((rc = copy_text(r->label, sizeof r->label, f[COL_LABEL], "label", true, err)))
		return rc;
	if ((rc = copy_text(r->description, sizeof r->description, f[COL_DESCRIPTION],
	                    "description", true, err)))
		return rc;
	if ((rc = copy_text(r->source, sizeof r->source, f[COL_SOURCE], "source", true, err)))
		return rc;
	const struct csv_field *st = f[COL_STATUS];
	if (strcmp(st->s, "published") != 0 && strcmp(st->s, "secondary") != 0 &&
	    strcmp(st->s, "inferred") != 0)
		return field_err(st, err, "status", "must be published, secondary or inferred");
	const char *why = rule_check(r);
	if (why)
		return field_err(f[COL_ID], err, r->id, why);
	return CADRE_OK;
}

/* header_map: which field holds each column; every column exactly once. */
static int header_map(const struct csv_reader *rd, size_t *map, struct cadre_err *err)
{
	bool seen[COL_COUNT] = {false};
	size_t n = csv_reader_count(rd);
	for (size_t i = 0; i < n; i++) {
		const struct csv_field *f = csv_reader_field(rd, i);
		size_t c = 0;
		while (c < COL_COUNT && strcmp(f->s, rule_col_names[c]) != 0)
			c++;
		if (c == COL_COUNT)
			return field_err(f, err, "header", "unknown column");
		if (seen[c])
			return field_err(f, err, "header", "column repeated");
		seen[c] = true;
		map[c] = i;
	}
	for (size_t c = 0; c < COL_COUNT; c++)
		if (!seen[c])
			return cadre_err_set(err, CADRE_EINVAL,
			                     "line %ld: header: column %s missing",
			                     csv_reader_line(rd), rule_col_names[c]);
	return CADRE_OK;
}

int spc_rules_parse(struct spc_rules *out, const char *text, size_t len, struct cadre_err *err)
{
	struct csv_reader *rd = NULL;
	struct spc_rules tmp;
	memset(&tmp, 0, sizeof tmp);
	int rc = csv_reader_open_mem(&rd, text, len, NULL, err);
	if (rc)
		return rc;
	size_t map[COL_COUNT] = {0};
	rc = csv_reader_next(rd, err);
	if (rc == CADRE_DONE) {
		rc = cadre_err_set(err, CADRE_EINVAL, "line 1: no header line");
		goto fail;
	}
	if (rc || (rc = header_map(rd, map, err)))
		goto fail;
	while ((rc = csv_reader_next(rd, err)) == CADRE_OK) {
		if (csv_reader_count(rd) != COL_COUNT) {
			rc = cadre_err_set(err, CADRE_EINVAL,
			                   "line %ld: %zu fields, the header has %d",
			                   csv_reader_line(rd), csv_reader_count(rd), COL_COUNT);
			goto fail;
		}
		if (tmp.n == SPC_MAX_RULES) {
			rc = cadre_err_set(err, CADRE_EINVAL, "line %ld: more than %d rules",
			                   csv_reader_line(rd), SPC_MAX_RULES);
			goto fail;
		}
		struct spc_rule *r = &tmp.rule[tmp.n];
		if ((rc = rule_from_record(r, rd, map, err)))
			goto fail;
		for (size_t j = 0; j < tmp.n; j++)
			if (strcmp(tmp.rule[j].id, r->id) == 0) {
				rc = field_err(csv_reader_field(rd, map[COL_ID]), err, "id",
				               "duplicate");
				goto fail;
			}
		tmp.n++;
	}
	if (rc != CADRE_DONE)
		goto fail;
	if (tmp.n == 0) {
		rc = cadre_err_set(err, CADRE_EINVAL, "line 2: no rules");
		goto fail;
	}
	*out = tmp;
	rc = CADRE_OK;
fail:
	csv_reader_free(rd);
	return rc;
}

int spc_rules_load(struct spc_rules *out, const char *path, struct cadre_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return cadre_err_set(err, errno == ENOENT ? CADRE_ENOTFOUND : CADRE_EINTERNAL,
		                     "%s: %s", path, strerror(errno));
	/* The table is small: read it whole (capped) and parse from memory. */
	enum { MAX_BYTES = 256 * 1024 };
	char *data = xmalloc(MAX_BYTES);
	size_t len = fread(data, 1, MAX_BYTES, f);
	int rc = CADRE_OK;
	if (ferror(f))
		rc = cadre_err_set(err, CADRE_EINTERNAL, "%s: read error", path);
	else if (len == MAX_BYTES)
		rc = cadre_err_set(err, CADRE_EINVAL, "%s: larger than %d bytes", path, MAX_BYTES);
	(void)fclose(f);
	if (rc == CADRE_OK) {
		rc = spc_rules_parse(out, data, len, err);
		if (rc)
			cadre_err_prefix(err, "%s", path);
	}
	free(data);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double spc_median(const double *values, size_t n)
{
	double *v = xmalloc(n * sizeof *v);
	memcpy(v, values, n * sizeof *v);
	qsort(v, n, sizeof *v, cmp_double);
	double m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
	free(v);
	return m;
}

/* flag: rule r covers point i on a side; the first rule to flag a point
 * decides its side. */
static void flag(struct spc_result *res, size_t i, size_t r, enum spc_side side)
{
	struct spc_point *p = &res->points[i];
	p->rules |= 1u << r;
	if (p->side == SPC_SIDE_NONE)
		p->side = side;
}

static int side_of(const struct spc_point *p)
{
	return (p->value > p->centre) - (p->value < p->centre);
}

/* apply_zone: at least k of any w consecutive points beyond centre +/- z
 * sigma on the same side.  The windows end at each point of the period; a
 * window reaching back before the period's start is clipped (so a period
 * shorter than w is one window). */
static void apply_zone(struct spc_result *res, const struct spc_period *pd, size_t r,
                       const struct spc_rule *rule)
{
	double sigma = SPC_LIMIT_FACTOR * pd->mr_bar / 3.0;
	double d = rule->zone_sigma * sigma;
	size_t w = (size_t)rule->of_points, k = (size_t)rule->points;
	for (int s = -1; s <= 1; s += 2) {
		for (size_t e = pd->start; e < pd->end; e++) {
			size_t a = e + 1 >= pd->start + w ? e + 1 - w : pd->start;
			size_t count = 0;
			for (size_t i = a; i <= e; i++) {
				double v = res->points[i].value;
				if (s > 0 ? v > pd->mean + d : v < pd->mean - d)
					count++;
			}
			if (count < k)
				continue;
			for (size_t i = a; i <= e; i++) {
				double v = res->points[i].value;
				if (s > 0 ? v > pd->mean + d : v < pd->mean - d)
					flag(res, i, r, s > 0 ? SPC_SIDE_HIGH : SPC_SIDE_LOW);
			}
		}
	}
}

/* apply_shift: runs of at least n points strictly on one side. */
static void apply_shift(struct spc_result *res, const struct spc_period *pd, size_t r, size_t n)
{
	size_t i = pd->start;
	while (i < pd->end) {
		int s = side_of(&res->points[i]);
		size_t j = i + 1;
		while (j < pd->end && side_of(&res->points[j]) == s)
			j++;
		if (s != 0 && j - i >= n)
			for (size_t q = i; q < j; q++)
				flag(res, q, r, s > 0 ? SPC_SIDE_HIGH : SPC_SIDE_LOW);
		i = j;
	}
}

static int step_sign(const struct spc_result *res, size_t i)
{
	double a = res->points[i - 1].value, b = res->points[i].value;
	return (b > a) - (b < a);
}

/* apply_trend: at least n points each strictly above (below) the one
 * before: runs of n - 1 or more steps of the same sign. */
static void apply_trend(struct spc_result *res, const struct spc_period *pd, size_t r, size_t n)
{
	size_t i = pd->start + 1; /* step i goes from point i - 1 to point i */
	while (i < pd->end) {
		int s = step_sign(res, i);
		size_t j = i + 1;
		while (j < pd->end && step_sign(res, j) == s)
			j++;
		/* steps i .. j-1 cover points i-1 .. j-1: j - i + 1 points */
		if (s != 0 && j - i + 1 >= n)
			for (size_t q = i - 1; q < j; q++)
				flag(res, q, r, s > 0 ? SPC_SIDE_HIGH : SPC_SIDE_LOW);
		i = j;
	}
}

static enum spc_cause cause_of(enum spc_direction dir, enum spc_side side)
{
	if (side == SPC_SIDE_NONE)
		return SPC_CAUSE_COMMON;
	if (dir == SPC_DIRECTION_NEITHER)
		return SPC_CAUSE_NEITHER;
	bool good = (dir == SPC_DIRECTION_HIGHER) == (side == SPC_SIDE_HIGH);
	return good ? SPC_CAUSE_IMPROVE : SPC_CAUSE_CONCERN;
}

static enum spc_variation variation_of(const struct spc_point *p)
{
	bool high = p->side == SPC_SIDE_HIGH;
	switch (p->cause) {
	case SPC_CAUSE_IMPROVE:
		return high ? SPC_VARIATION_IMPROVE_HIGH : SPC_VARIATION_IMPROVE_LOW;
	case SPC_CAUSE_CONCERN:
		return high ? SPC_VARIATION_CONCERN_HIGH : SPC_VARIATION_CONCERN_LOW;
	case SPC_CAUSE_NEITHER:
		return high ? SPC_VARIATION_NEITHER_HIGH : SPC_VARIATION_NEITHER_LOW;
	default: return SPC_VARIATION_COMMON;
	}
}

static enum spc_assurance assurance_of(const struct spc_result *res)
{
	if (res->run_chart || !res->has_target || res->direction == SPC_DIRECTION_NEITHER)
		return SPC_ASSURANCE_NONE;
	const struct spc_period *pd = &res->periods[res->nperiods - 1];
	bool higher = res->direction == SPC_DIRECTION_HIGHER;
	/* Target above the upper limit: every point falls short of it (a fail
	 * when higher is better); below the lower limit: every point beats it. */
	if (res->target > pd->upl)
		return higher ? SPC_ASSURANCE_FAIL : SPC_ASSURANCE_PASS;
	if (res->target < pd->lpl)
		return higher ? SPC_ASSURANCE_PASS : SPC_ASSURANCE_FAIL;
	return SPC_ASSURANCE_HIT_MISS;
}

static int check_options(const struct spc_options *opt, size_t n, struct cadre_err *err)
{
	if (opt->direction != SPC_DIRECTION_NEITHER && opt->direction != SPC_DIRECTION_HIGHER &&
	    opt->direction != SPC_DIRECTION_LOWER)
		return cadre_err_set(err, CADRE_EINVAL, "unknown improvement direction");
	if (opt->has_target && !isfinite(opt->target))
		return cadre_err_set(err, CADRE_EINVAL, "the target is not a finite number");
	if (opt->baseline == 1 || opt->baseline > n)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "baseline of %zu points: need 0 (all) or 2 .. %zu",
		                     opt->baseline, n);
	if (opt->nsteps > SPC_MAX_STEPS)
		return cadre_err_set(err, CADRE_EINVAL, "more than %d step changes", SPC_MAX_STEPS);
	size_t prev = 0;
	for (size_t s = 0; s < opt->nsteps; s++) {
		size_t at = opt->steps[s];
		/* Each period needs two points for a moving range. */
		if (at < prev + 2 || at + 2 > n)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "step change at point %zu: each period needs at least "
			                     "2 points, steps in increasing order",
			                     at);
		prev = at;
	}
	return CADRE_OK;
}

/* limits: the centre and limits of one period from its basis points. */
static void limits(struct spc_result *res, struct spc_period *pd, size_t baseline)
{
	size_t len = pd->end - pd->start;
	pd->basis = baseline && baseline < len ? baseline : len;
	const struct spc_point *p = &res->points[pd->start];
	double sum = 0.0, mr_sum = 0.0;
	for (size_t i = 0; i < pd->basis; i++)
		sum += p[i].value;
	for (size_t i = 1; i < pd->basis; i++)
		mr_sum += p[i].mr;
	pd->mean = sum / (double)pd->basis;
	pd->mr_bar = pd->basis > 1 ? mr_sum / (double)(pd->basis - 1) : 0.0;
	pd->lpl = pd->mean - SPC_LIMIT_FACTOR * pd->mr_bar;
	pd->upl = pd->mean + SPC_LIMIT_FACTOR * pd->mr_bar;
	pd->trial = pd->basis < SPC_MIN_POINTS;
}

int spc_compute(struct spc_result *res, const double *values, size_t n,
                const struct spc_options *opt, struct cadre_err *err)
{
	memset(res, 0, sizeof *res);
	struct spc_options defaults;
	memset(&defaults, 0, sizeof defaults);
	if (!opt)
		opt = &defaults;
	if (n == 0 || n > SPC_MAX_POINTS)
		return cadre_err_set(err, CADRE_EINVAL, "need 1 to %d points, got %zu",
		                     SPC_MAX_POINTS, n);
	for (size_t i = 0; i < n; i++)
		if (!isfinite(values[i]))
			return cadre_err_set(err, CADRE_EINVAL, "point %zu is not a finite number",
			                     i + 1);
	int rc = check_options(opt, n, err);
	if (rc)
		return rc;
	if (opt->rules) {
		if ((rc = rules_check(opt->rules, err)))
			return rc;
		res->rules = *opt->rules;
	} else {
		spc_rules_default(&res->rules);
	}

	res->n = n;
	res->direction = opt->direction;
	res->has_target = opt->has_target;
	res->target = opt->has_target ? opt->target : 0.0;
	res->run_chart = n < SPC_MIN_POINTS;
	res->points = xcalloc(n, sizeof *res->points);
	for (size_t i = 0; i < n; i++)
		res->points[i].value = values[i];

	if (res->run_chart) {
		/* A run chart: one period, the median of the baseline (or all). */
		struct spc_period *pd = &res->periods[0];
		res->nperiods = 1;
		pd->start = 0;
		pd->end = n;
		pd->basis = opt->baseline ? opt->baseline : n;
		pd->mean = spc_median(values, pd->basis);
		pd->lpl = pd->upl = pd->mean;
		pd->trial = true;
		for (size_t i = 0; i < n; i++) {
			struct spc_point *p = &res->points[i];
			p->has_mr = i > 0;
			p->mr = i > 0 ? fabs(values[i] - values[i - 1]) : 0.0;
			p->centre = p->lpl = p->upl = pd->mean;
		}
		res->variation = SPC_VARIATION_INSUFFICIENT;
		res->assurance = SPC_ASSURANCE_NONE;
		return CADRE_OK;
	}

	res->nperiods = opt->nsteps + 1;
	for (size_t k = 0; k < res->nperiods; k++) {
		struct spc_period *pd = &res->periods[k];
		pd->start = k == 0 ? 0 : opt->steps[k - 1];
		pd->end = k < opt->nsteps ? opt->steps[k] : n;
		for (size_t i = pd->start; i < pd->end; i++) {
			struct spc_point *p = &res->points[i];
			p->period = k;
			p->has_mr = i > pd->start;
			p->mr = p->has_mr ? fabs(values[i] - values[i - 1]) : 0.0;
		}
		limits(res, pd, opt->baseline);
		for (size_t i = pd->start; i < pd->end; i++) {
			res->points[i].centre = pd->mean;
			res->points[i].lpl = pd->lpl;
			res->points[i].upl = pd->upl;
		}
		for (size_t r = 0; r < res->rules.n; r++) {
			const struct spc_rule *rule = &res->rules.rule[r];
			switch (rule->kind) {
			case SPC_RULE_ZONE: apply_zone(res, pd, r, rule); break;
			case SPC_RULE_SHIFT: apply_shift(res, pd, r, (size_t)rule->points); break;
			case SPC_RULE_TREND: apply_trend(res, pd, r, (size_t)rule->points); break;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		res->points[i].cause = cause_of(res->direction, res->points[i].side);
	res->variation = variation_of(&res->points[n - 1]);
	res->assurance = assurance_of(res);
	return CADRE_OK;
}

void spc_result_free(struct spc_result *res)
{
	free(res->points);
	memset(res, 0, sizeof *res);
}

int spc_chart_prepare(struct spc_chart *out, const struct spc_result *res, const int32_t *months,
                      const char *id, const char *title, const char *unit, int decimals,
                      struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	if (!res->points || res->n == 0)
		return cadre_err_set(err, CADRE_EINVAL, "no SPC result to chart");
	arena_init(&out->arena, 0);
	struct chart_spc_data *d = &out->data;
	struct chart_spc_point *pts = arena_alloc(&out->arena, res->n * sizeof *pts);
	d->id = arena_strdup(&out->arena, id ? id : "");
	d->title = arena_strdup(&out->arena, title ? title : "");
	d->unit = arena_strdup(&out->arena, unit ? unit : "");
	d->decimals = decimals;
	d->run_chart = res->run_chart;
	d->points = pts;
	d->n = res->n;
	d->has_target = res->has_target;
	d->target = res->target;
	d->direction = res->direction == SPC_DIRECTION_HIGHER  ? "higher"
	               : res->direction == SPC_DIRECTION_LOWER ? "lower"
	                                                       : "neither";
	d->variation = spc_variation_name(res->variation);
	d->variation_text = spc_variation_label(res->variation);
	d->assurance = spc_assurance_name(res->assurance);
	d->assurance_text = spc_assurance_label(res->assurance);
	for (size_t i = 0; i < res->n; i++) {
		const struct spc_point *p = &res->points[i];
		pts[i].month = months[i];
		pts[i].value = p->value;
		pts[i].centre = p->centre;
		pts[i].lpl = p->lpl;
		pts[i].upl = p->upl;
		pts[i].cause = spc_cause_name(p->cause);
		size_t len = 1;
		for (size_t r = 0; r < res->rules.n; r++)
			if (p->rules & (1u << r))
				len += strlen(res->rules.rule[r].label) + 2;
		char *sig = arena_alloc(&out->arena, len);
		size_t at = 0;
		for (size_t r = 0; r < res->rules.n; r++) {
			if (!(p->rules & (1u << r)))
				continue;
			const char *l = res->rules.rule[r].label;
			if (at) {
				memcpy(sig + at, "; ", 2);
				at += 2;
			}
			memcpy(sig + at, l, strlen(l));
			at += strlen(l);
		}
		sig[at] = '\0';
		pts[i].signal = sig;
	}
	return CADRE_OK;
}

void spc_chart_free(struct spc_chart *out)
{
	arena_free(&out->arena);
	memset(out, 0, sizeof *out);
}

const char *spc_cause_name(enum spc_cause c)
{
	switch (c) {
	case SPC_CAUSE_IMPROVE: return "improve";
	case SPC_CAUSE_CONCERN: return "concern";
	case SPC_CAUSE_NEITHER: return "neither";
	default: return "common";
	}
}

const char *spc_variation_name(enum spc_variation v)
{
	switch (v) {
	case SPC_VARIATION_COMMON: return "common";
	case SPC_VARIATION_IMPROVE_HIGH: return "improve-high";
	case SPC_VARIATION_IMPROVE_LOW: return "improve-low";
	case SPC_VARIATION_CONCERN_HIGH: return "concern-high";
	case SPC_VARIATION_CONCERN_LOW: return "concern-low";
	case SPC_VARIATION_NEITHER_HIGH: return "neither-high";
	case SPC_VARIATION_NEITHER_LOW: return "neither-low";
	default: return "insufficient";
	}
}

const char *spc_variation_label(enum spc_variation v)
{
	switch (v) {
	case SPC_VARIATION_COMMON: return "Common cause variation";
	case SPC_VARIATION_IMPROVE_HIGH: return "Special cause of improving nature (high)";
	case SPC_VARIATION_IMPROVE_LOW: return "Special cause of improving nature (low)";
	case SPC_VARIATION_CONCERN_HIGH: return "Special cause of concerning nature (high)";
	case SPC_VARIATION_CONCERN_LOW: return "Special cause of concerning nature (low)";
	case SPC_VARIATION_NEITHER_HIGH:
		return "Special cause, neither improving nor concerning (high)";
	case SPC_VARIATION_NEITHER_LOW:
		return "Special cause, neither improving nor concerning (low)";
	default: return "Insufficient data for process limits";
	}
}

const char *spc_assurance_name(enum spc_assurance a)
{
	switch (a) {
	case SPC_ASSURANCE_PASS: return "pass";
	case SPC_ASSURANCE_FAIL: return "fail";
	case SPC_ASSURANCE_HIT_MISS: return "hit-miss";
	default: return "none";
	}
}

const char *spc_assurance_label(enum spc_assurance a)
{
	switch (a) {
	case SPC_ASSURANCE_PASS: return "Consistently passing the target";
	case SPC_ASSURANCE_FAIL: return "Consistently failing the target";
	case SPC_ASSURANCE_HIT_MISS:
		return "Hit and miss: the target lies between the process limits";
	default: return "No assurance: no target or no improvement direction";
	}
}
