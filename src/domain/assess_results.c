/* assess_results: scoring, suppression and distributions (pure). */
#include "domain/assess_results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

const char *assess_shown_word(enum assess_shown s)
{
	switch (s) {
	case ASSESS_SHOWN: return "shown";
	case ASSESS_EMPTY: return "empty";
	case ASSESS_PRIMARY: return "primary";
	case ASSESS_SECONDARY: return "secondary";
	case ASSESS_ROUND: return "round";
	}
	return "?";
}

double assess_results_round2(double x)
{
	return x < 0 ? -floor(-x * 100.0 + 0.5 + 1e-9) / 100.0
	             : floor(x * 100.0 + 0.5 + 1e-9) / 100.0;
}

/* round4: priorities compare at 4 decimal places, so float noise never
 * decides an order */
static long long round4(double x)
{
	return (long long)floor(x * 10000.0 + 0.5 + 1e-9);
}

void assess_results_suppress(const int *counts, size_t n, int min_group, enum assess_shown *out)
{
	size_t hidden = 0;
	long long hidden_people = 0;
	for (size_t i = 0; i < n; i++) {
		if (counts[i] <= 0) {
			out[i] = ASSESS_EMPTY;
		} else if (counts[i] < min_group) {
			out[i] = ASSESS_PRIMARY;
			hidden++;
			hidden_people += counts[i];
		} else {
			out[i] = ASSESS_SHOWN;
		}
	}
	while (hidden > 0 && (hidden == 1 || hidden_people < min_group)) {
		size_t pick = n;
		for (size_t i = 0; i < n; i++)
			if (out[i] == ASSESS_SHOWN && (pick == n || counts[i] < counts[pick]))
				pick = i;
		if (pick == n)
			break; /* nothing left to hide it among */
		out[pick] = ASSESS_SECONDARY;
		hidden++;
		hidden_people += counts[pick];
	}
}

static int check_input(const struct assess_results_in *in, struct cadre_err *err)
{
	if (in->scale_max - in->scale_min < 1 || in->scale_min < 1)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "scale %d to %d: needs at least two points "
		                     "from 1 up",
		                     in->scale_min, in->scale_max);
	for (size_t s = 0; s < in->nstatements; s++)
		if (in->statements[s].factor >= in->nfactors)
			return cadre_err_set(err, CADRE_EINVAL, "statement %zu: no factor %zu", s,
			                     in->statements[s].factor);
	for (size_t r = 0; r < in->nrespondents; r++)
		if (in->respondents[r].group >= in->ngroups)
			return cadre_err_set(err, CADRE_EINVAL, "respondent %zu: no group %zu", r,
			                     in->respondents[r].group);
	for (size_t a = 0; a < in->nanswers; a++) {
		const struct assess_results_answer_in *an = &in->answers[a];
		if (an->respondent >= in->nrespondents || an->statement >= in->nstatements)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "answer %zu: no such respondent or "
			                     "statement",
			                     a);
		if (an->score != 0 && (an->score < in->scale_min || an->score > in->scale_max))
			return cadre_err_set(err, CADRE_EINVAL,
			                     "answer %zu: score %d is outside the scale %d to %d",
			                     a, an->score, in->scale_min, in->scale_max);
	}
	return CADRE_OK;
}

/* cell: a running sum and count */
struct cell {
	long long sum;
	int n;
};

static int cmp_rank(const void *a, const void *b, const struct assess_results_stmt *st)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	long long px = round4(st[x].priority), py = round4(st[y].priority);
	if (px != py)
		return px > py ? -1 : 1;
	long long sx = round4(st[x].score), sy = round4(st[y].score);
	if (sx != sy)
		return sx < sy ? -1 : 1;
	return x < y ? -1 : (x > y ? 1 : 0);
}

/* insertion sort: a round has tens of statements, and qsort has no
 * context argument in C17 */
static void rank_sort(size_t *v, size_t n, const struct assess_results_stmt *st)
{
	for (size_t i = 1; i < n; i++) {
		size_t x = v[i];
		size_t j = i;
		while (j > 0 && cmp_rank(&x, &v[j - 1], st) < 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

int assess_results_compute(const struct assess_results_in *in, struct assess_results *out,
                           struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	int rc = check_input(in, err);
	if (rc != CADRE_OK)
		return rc;
	size_t nf = in->nfactors, ns = in->nstatements, ng = in->ngroups, nr = in->nrespondents;
	out->nfactors = nf;
	out->nstatements = ns;
	out->ngroups = ng;
	out->factors = xcalloc(nf ? nf : 1, sizeof *out->factors);
	out->statements = xcalloc(ns ? ns : 1, sizeof *out->statements);
	out->groups = xcalloc(ng ? ng : 1, sizeof *out->groups);
	out->ranking = xcalloc(ns ? ns : 1, sizeof *out->ranking);
	for (size_t g = 0; g < ng; g++) {
		out->groups[g].factor_has = xcalloc(nf ? nf : 1, sizeof(bool));
		out->groups[g].factor_score = xcalloc(nf ? nf : 1, sizeof(double));
	}
	struct cell *total = xcalloc(ns ? ns : 1, sizeof *total);
	struct cell *by_group = xcalloc((ns ? ns : 1) * (ng ? ng : 1), sizeof *by_group);
	unsigned char *seen = xcalloc((ns ? ns : 1) * (nr ? nr : 1), 1);
	int *counts = xcalloc(ng ? ng : 1, sizeof *counts);
	enum assess_shown *shown = xcalloc(ng ? ng : 1, sizeof *shown);

	/* participation */
	for (size_t r = 0; r < nr; r++) {
		const struct assess_results_resp_in *re = &in->respondents[r];
		struct assess_results_group *g = &out->groups[re->group];
		g->invited++;
		out->invited++;
		if (re->submitted) {
			g->submitted++;
			out->submitted++;
		} else if (re->started) {
			g->started++;
			out->started++;
		}
	}
	/* sums of submitted answers */
	for (size_t a = 0; a < in->nanswers; a++) {
		const struct assess_results_answer_in *an = &in->answers[a];
		unsigned char *mark = &seen[an->statement * nr + an->respondent];
		if (*mark) {
			rc =
			    cadre_err_set(err, CADRE_EINVAL,
			                  "answer %zu: respondent %zu answered statement %zu twice",
			                  a, an->respondent, an->statement);
			goto fail;
		}
		*mark = 1;
		const struct assess_results_resp_in *re = &in->respondents[an->respondent];
		if (!re->submitted)
			continue;
		struct assess_results_stmt *st = &out->statements[an->statement];
		if (an->score == 0) {
			st->skipped++;
			continue;
		}
		total[an->statement].sum += an->score;
		total[an->statement].n++;
		struct cell *c = &by_group[an->statement * ng + re->group];
		c->sum += an->score;
		c->n++;
	}

	out->shown = out->submitted >= ASSESS_MIN_TOTAL;
	for (size_t g = 0; g < ng; g++)
		counts[g] = out->groups[g].submitted;
	assess_results_suppress(counts, ng, ASSESS_MIN_GROUP, shown);
	for (size_t g = 0; g < ng; g++)
		out->groups[g].shown =
		    (!out->shown && shown[g] != ASSESS_EMPTY) ? ASSESS_ROUND : shown[g];

	double range = (double)(in->scale_max - in->scale_min);
	double mid = (in->scale_min + in->scale_max) / 2.0;

	/* statements */
	for (size_t s = 0; s < ns; s++) {
		struct assess_results_stmt *st = &out->statements[s];
		st->answers = total[s].n;
		st->shown = out->shown && total[s].n >= ASSESS_MIN_ANSWERS;
		if (!st->shown)
			continue;
		st->score = (double)total[s].sum / total[s].n;
		double lo = 0, hi = 0;
		int k = 0;
		for (size_t g = 0; g < ng; g++) {
			const struct cell *c = &by_group[s * ng + g];
			if (out->groups[g].shown != ASSESS_SHOWN || c->n == 0)
				continue;
			double m = (double)c->sum / c->n;
			if (k == 0 || m < lo)
				lo = m;
			if (k == 0 || m > hi)
				hi = m;
			k++;
		}
		if (k >= 2) {
			st->has_spread = true;
			st->spread = hi - lo;
		}
		st->low = ((double)in->scale_max - st->score) / range;
		st->disagreement = st->has_spread ? fmin(1.0, st->spread / range) : 0.0;
		st->contrary = in->statements[s].concern && st->score >= mid;
		st->priority = ASSESS_W_LOW * st->low + ASSESS_W_DISAGREE * st->disagreement +
		               ASSESS_W_CONTRARY * (st->contrary ? 1.0 : 0.0);
		out->ranking[out->nranking++] = s;
	}
	rank_sort(out->ranking, out->nranking, out->statements);
	for (size_t i = 0; i < out->nranking; i++)
		out->statements[out->ranking[i]].rank = (int)i + 1;

	/* factors, and each group's factor scores */
	double overall_sum = 0;
	int overall_n = 0;
	for (size_t f = 0; f < nf; f++) {
		struct assess_results_factor *fa = &out->factors[f];
		double sum = 0;
		for (size_t s = 0; s < ns; s++)
			if (in->statements[s].factor == f && out->statements[s].shown) {
				sum += out->statements[s].score;
				fa->statements++;
			}
		if (fa->statements) {
			fa->shown = true;
			fa->score = sum / fa->statements;
			overall_sum += fa->score;
			overall_n++;
		}
		int k = 0;
		for (size_t g = 0; g < ng; g++) {
			struct assess_results_group *gr = &out->groups[g];
			if (gr->shown != ASSESS_SHOWN)
				continue;
			double gs = 0;
			int gn = 0;
			for (size_t s = 0; s < ns; s++) {
				const struct cell *c = &by_group[s * ng + g];
				if (in->statements[s].factor != f || !out->statements[s].shown ||
				    c->n == 0)
					continue;
				gs += (double)c->sum / c->n;
				gn++;
			}
			if (!gn)
				continue;
			gr->factor_has[f] = true;
			gr->factor_score[f] = gs / gn;
			if (k == 0 ||
			    gr->factor_score[f] > out->groups[fa->high_group].factor_score[f])
				fa->high_group = g;
			if (k == 0 ||
			    gr->factor_score[f] < out->groups[fa->low_group].factor_score[f])
				fa->low_group = g;
			k++;
		}
		if (k >= 2) {
			fa->has_spread = true;
			fa->spread = out->groups[fa->high_group].factor_score[f] -
			             out->groups[fa->low_group].factor_score[f];
			fa->flagged = assess_results_round2(fa->spread) >= ASSESS_SPREAD_FLAG;
		}
	}
	if (overall_n) {
		out->has_overall = true;
		out->overall = overall_sum / overall_n;
	}
	for (size_t g = 0; g < ng; g++) {
		struct assess_results_group *gr = &out->groups[g];
		double sum = 0;
		int n = 0;
		for (size_t f = 0; f < nf; f++)
			if (gr->factor_has[f]) {
				sum += gr->factor_score[f];
				n++;
			}
		if (n) {
			gr->has_overall = true;
			gr->overall = sum / n;
		}
	}
	rc = CADRE_OK;
fail:
	free(total);
	free(by_group);
	free(seen);
	free(counts);
	free(shown);
	if (rc != CADRE_OK)
		assess_results_free(out);
	return rc;
}

void assess_results_free(struct assess_results *r)
{
	if (!r)
		return;
	if (r->groups)
		for (size_t g = 0; g < r->ngroups; g++) {
			free(r->groups[g].factor_has);
			free(r->groups[g].factor_score);
		}
	free(r->groups);
	free(r->factors);
	free(r->statements);
	free(r->ranking);
	memset(r, 0, sizeof *r);
}

double assess_results_quantile(const double *sorted, size_t n, double p)
{
	if (n == 0)
		return 0.0;
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)floor(h);
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : (x > y ? 1 : 0);
}

void assess_results_dist(const double *v, size_t n, struct assess_dist *out)
{
	memset(out, 0, sizeof *out);
	out->n = n;
	if (n == 0)
		return;
	double *s = xmalloc(n * sizeof *s);
	memcpy(s, v, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	out->min = s[0];
	out->max = s[n - 1];
	out->q1 = assess_results_quantile(s, n, 0.25);
	out->median = assess_results_quantile(s, n, 0.5);
	out->q3 = assess_results_quantile(s, n, 0.75);
	free(s);
}
