#include "io/chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "io/svg.h"

/* The NHS identity palette (nhsuk-frontend's settings/_colours-palette). */
#define COLOUR_BLUE   "#005eb8"
#define COLOUR_ORANGE "#ed8b00"
#define COLOUR_PURPLE "#330072"
#define COLOUR_RED    "#d5281b"
#define COLOUR_BLACK  "#212b32"
#define COLOUR_GREY1  "#4c6272"
#define COLOUR_GREY2  "#768692"
#define COLOUR_GREY4  "#d8dde0"
#define COLOUR_WHITE  "#ffffff"
#define FONT          "Arial, sans-serif"

/* SPC chart geometry, in viewBox units. */
#define SPC_W      720.0
#define SPC_H      340.0
#define SPC_LEFT   72.0
#define SPC_RIGHT  704.0
#define SPC_TOP    84.0
#define SPC_BOTTOM 300.0

static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int chart_month_label(char *dst, size_t cap, int32_t yyyymm, struct cadre_err *err)
{
	int32_t y = yyyymm / 100, m = yyyymm % 100;
	if (yyyymm < 0 || m < 1 || m > 12 || y < 1900 || y > 9999)
		return cadre_err_set(err, CADRE_EINVAL, "month %ld is not yyyymm", (long)yyyymm);
	int len = snprintf(dst, cap, "%s %ld", month_names[m - 1], (long)y);
	if (len < 0 || (size_t)len >= cap)
		return cadre_err_set(err, CADRE_EINVAL, "month label does not fit");
	return CADRE_OK;
}

static int check_id(const char *id, struct cadre_err *err)
{
	size_t n = id ? strlen(id) : 0;
	if (n == 0 || n > 40)
		return cadre_err_set(err, CADRE_EINVAL, "chart id must be 1-40 characters");
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return cadre_err_set(err, CADRE_EINVAL,
			                     "chart id may hold letters, digits, '-' and '_' only");
	}
	return CADRE_OK;
}

/* undo: put out back to its length before a failed call. */
static int undo(struct buf *out, size_t len, int rc)
{
	out->len = len;
	if (out->data)
		out->data[len] = '\0';
	return rc;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* fmt_value: v with the chart's decimals (trailing zeros kept, as in a
 * table) and the unit. */
static void fmt_value(char *dst, size_t cap, double v, int decimals, const char *unit)
{
	char num[SVG_NUM_MAX];
	if (svg_format_fixed(num, sizeof num, v, decimals) < 0)
		(void)snprintf(num, sizeof num, "?");
	(void)snprintf(dst, cap, "%s%s", num, or_empty(unit));
}

/* A "nice" axis: steps of 1, 2 or 5 times a power of ten, about five of them. */
struct scale {
	double lo, hi, step;
	int decimals; /* enough to tell the ticks apart */
	int ticks;    /* number of intervals */
};

static void nice_scale(struct scale *s, double lo, double hi)
{
	if (!(hi > lo)) {
		double pad = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1.0;
		lo -= pad;
		hi += pad;
	}
	/* a little air, so no line sits on the frame */
	double air = (hi - lo) * 0.04;
	lo -= air;
	hi += air;
	double raw = (hi - lo) / 5.0;
	double p = pow(10.0, floor(log10(raw)));
	double f = raw / p;
	double nf = f < 1.5 ? 1.0 : f < 3.0 ? 2.0 : f < 7.0 ? 5.0 : 10.0;
	s->step = nf * p;
	s->lo = floor(lo / s->step) * s->step;
	s->hi = ceil(hi / s->step) * s->step;
	s->ticks = (int)lround((s->hi - s->lo) / s->step);
	int d = (int)-floor(log10(s->step) + 1e-9);
	s->decimals = d < 0 ? 0 : d > 4 ? 4 : d;
}

static double y_of(const struct scale *s, double v)
{
	return SPC_BOTTOM - (v - s->lo) / (s->hi - s->lo) * (SPC_BOTTOM - SPC_TOP);
}

static double x_of(size_t i, size_t n)
{
	return SPC_LEFT + ((double)i + 0.5) * (SPC_RIGHT - SPC_LEFT) / (double)n;
}

static void line(struct svg *w, const char *cls, double x1, double y1, double x2, double y2,
                 const char *stroke, double width, const char *dash)
{
	svg_open(w, "line");
	if (cls)
		svg_attr(w, "class", cls);
	svg_attr_num(w, "x1", x1, 2);
	svg_attr_num(w, "y1", y1, 2);
	svg_attr_num(w, "x2", x2, 2);
	svg_attr_num(w, "y2", y2, 2);
	svg_attr(w, "stroke", stroke);
	svg_attr_num(w, "stroke-width", width, 2);
	if (dash)
		svg_attr(w, "stroke-dasharray", dash);
	svg_empty(w);
}

static void text_at(struct svg *w, const char *cls, double x, double y, const char *anchor,
                    double size, const char *fill, const char *s)
{
	svg_open(w, "text");
	if (cls)
		svg_attr(w, "class", cls);
	svg_attr_num(w, "x", x, 2);
	svg_attr_num(w, "y", y, 2);
	svg_attr(w, "text-anchor", anchor);
	svg_attr_num(w, "font-size", size, 1);
	svg_attr(w, "fill", fill);
	svg_body(w);
	svg_text(w, s);
	svg_close(w);
}

static const char *cause_colour(const char *cause)
{
	if (strcmp(cause, "improve") == 0)
		return COLOUR_BLUE;
	if (strcmp(cause, "concern") == 0)
		return COLOUR_ORANGE;
	if (strcmp(cause, "neither") == 0)
		return COLOUR_PURPLE;
	return COLOUR_GREY2;
}

/* The variation icons: name, short label, colour, letter ("" for the
 * common-cause wave). */
struct icon {
	const char *name, *label, *colour, *letter;
};

static const struct icon variation_icons[] = {
    {"insufficient", "Too few points", COLOUR_GREY2, "?"},
    {"common", "Common cause", COLOUR_GREY2, ""},
    {"improve-high", "Improving (high)", COLOUR_BLUE, "H"},
    {"improve-low", "Improving (low)", COLOUR_BLUE, "L"},
    {"concern-high", "Concerning (high)", COLOUR_ORANGE, "H"},
    {"concern-low", "Concerning (low)", COLOUR_ORANGE, "L"},
    {"neither-high", "Neither (high)", COLOUR_PURPLE, "H"},
    {"neither-low", "Neither (low)", COLOUR_PURPLE, "L"},
};

static const struct icon assurance_icons[] = {
    {"pass", "Passing", COLOUR_BLUE, "P"},
    {"fail", "Failing", COLOUR_ORANGE, "F"},
    {"hit-miss", "Hit and miss", COLOUR_GREY2, "?"},
};

static const struct icon *find_icon(const struct icon *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (name && strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

static void draw_icon(struct svg *w, const char *kind, const struct icon *ic, double cx,
                      const char *full)
{
	char cls[96];
	(void)snprintf(cls, sizeof cls, "spc-icon spc-icon-%s spc-icon-%s-%s", kind, kind,
	               ic->name);
	svg_open(w, "g");
	svg_attr(w, "class", cls);
	svg_body(w);
	svg_element_text(w, "title", full, (const char *)NULL);
	svg_open(w, "circle");
	svg_attr_num(w, "cx", cx, 2);
	svg_attr_num(w, "cy", 30, 2);
	svg_attr_num(w, "r", 18, 2);
	svg_attr(w, "fill", COLOUR_WHITE);
	svg_attr(w, "stroke", ic->colour);
	svg_attr_num(w, "stroke-width", 3, 2);
	svg_empty(w);
	if (ic->letter[0]) {
		text_at(w, "spc-icon-letter", cx, 36, "middle", 17, ic->colour, ic->letter);
	} else {
		/* common cause: a small wave inside the circle */
		double xs[5], ys[5];
		for (int i = 0; i < 5; i++) {
			xs[i] = cx - 10 + 5 * i;
			ys[i] = 30 + (i % 2 ? -5 : 5);
		}
		svg_open(w, "polyline");
		svg_attr_points(w, "points", xs, ys, 5);
		svg_attr(w, "fill", "none");
		svg_attr(w, "stroke", ic->colour);
		svg_attr_num(w, "stroke-width", 2.5, 2);
		svg_empty(w);
	}
	text_at(w, "spc-icon-label", cx, 64, "middle", 11, COLOUR_BLACK, ic->label);
	svg_close(w);
}

static int check_spc(const struct chart_spc_data *c, struct cadre_err *err)
{
	int rc = check_id(c->id, err);
	if (rc)
		return rc;
	if (!c->title || !c->points || c->n == 0 || c->n > CHART_MAX_POINTS)
		return cadre_err_set(err, CADRE_EINVAL, "chart %s: need a title and 1 to %d points",
		                     c->id, CHART_MAX_POINTS);
	if (c->decimals < 0 || c->decimals > 4)
		return cadre_err_set(err, CADRE_EINVAL, "chart %s: decimals must be 0-4", c->id);
	if (c->has_target && !(fabs(c->target) < 1e12))
		return cadre_err_set(err, CADRE_EINVAL, "chart %s: target out of range", c->id);
	if (!c->run_chart &&
	    !find_icon(variation_icons, sizeof variation_icons / sizeof variation_icons[0],
	               c->variation))
		return cadre_err_set(err, CADRE_EINVAL, "chart %s: unknown variation icon %s",
		                     c->id, or_empty(c->variation));
	if (c->assurance && strcmp(c->assurance, "none") != 0 &&
	    !find_icon(assurance_icons, sizeof assurance_icons / sizeof assurance_icons[0],
	               c->assurance))
		return cadre_err_set(err, CADRE_EINVAL, "chart %s: unknown assurance icon %s",
		                     c->id, c->assurance);
	char label[16];
	for (size_t i = 0; i < c->n; i++) {
		const struct chart_spc_point *p = &c->points[i];
		if ((rc = chart_month_label(label, sizeof label, p->month, err)))
			return rc;
		if (!(fabs(p->value) < 1e12) || !(fabs(p->centre) < 1e12) ||
		    (!c->run_chart && (!(fabs(p->lpl) < 1e12) || !(fabs(p->upl) < 1e12))))
			return cadre_err_set(
			    err, CADRE_EINVAL,
			    "chart %s: point %zu: a number is not finite or too large", c->id,
			    i + 1);
		const char *cause = or_empty(p->cause);
		if (strcmp(cause, "common") != 0 && strcmp(cause, "improve") != 0 &&
		    strcmp(cause, "concern") != 0 && strcmp(cause, "neither") != 0)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "chart %s: point %zu: unknown cause %s", c->id, i + 1,
			                     cause);
	}
	return CADRE_OK;
}

static bool same_period(const struct chart_spc_point *a, const struct chart_spc_point *b)
{
	return a->centre == b->centre && a->lpl == b->lpl && a->upl == b->upl;
}

/* describe: the words of <desc>. */
static void describe(struct buf *d, const struct chart_spc_data *c)
{
	char first[16], last[16], v[64], a[64], b[64];
	const struct chart_spc_point *lp = &c->points[c->n - 1];
	(void)chart_month_label(first, sizeof first, c->points[0].month, NULL);
	(void)chart_month_label(last, sizeof last, lp->month, NULL);
	const char *dir = or_empty(c->direction);
	const char *better = strcmp(dir, "higher") == 0  ? " (higher is better)"
	                     : strcmp(dir, "lower") == 0 ? " (lower is better)"
	                                                 : "";
	size_t special = 0;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(or_empty(c->points[i].cause), "common") != 0)
			special++;
	(void)buf_printf(d, NULL, "%s of %zu monthly value%s from %s to %s%s. ",
	                 c->run_chart ? "Run chart" : "XmR statistical process control chart", c->n,
	                 c->n == 1 ? "" : "s", first, last, better);
	fmt_value(v, sizeof v, lp->value, c->decimals, c->unit);
	if (c->run_chart) {
		fmt_value(a, sizeof a, lp->centre, c->decimals, c->unit);
		(void)buf_printf(d, NULL,
		                 "Too few points (fewer than 12) for process limits. Median %s. "
		                 "Latest, %s: %s.",
		                 a, last, v);
	} else {
		fmt_value(a, sizeof a, lp->centre, c->decimals, c->unit);
		(void)buf_printf(d, NULL, "Mean %s, ", a);
		fmt_value(a, sizeof a, lp->lpl, c->decimals, c->unit);
		fmt_value(b, sizeof b, lp->upl, c->decimals, c->unit);
		(void)buf_printf(d, NULL, "process limits %s to %s. Latest, %s: %s. ", a, b, last,
		                 v);
		(void)buf_printf(d, NULL, "%zu point%s special cause variation. Variation: %s.",
		                 special, special == 1 ? " shows" : "s show",
		                 or_empty(c->variation_text));
	}
	if (c->has_target) {
		fmt_value(a, sizeof a, c->target, c->decimals, c->unit);
		(void)buf_printf(d, NULL, " Target %s.", a);
		if (c->assurance && strcmp(c->assurance, "none") != 0)
			(void)buf_printf(d, NULL, " Assurance: %s.", or_empty(c->assurance_text));
	}
	(void)buf_puts(d, " The data table with the chart lists every value.", NULL);
}

static void legend(struct svg *w, const struct chart_spc_data *c)
{
	double x = SPC_LEFT;
	svg_open(w, "g");
	svg_attr(w, "class", "spc-legend");
	svg_body(w);
	if (c->run_chart) {
		line(w, "spc-median", x, 26, x + 24, 26, COLOUR_GREY1, 2, NULL);
		text_at(w, NULL, x + 30, 30, "start", 12, COLOUR_BLACK, "Median");
		x += 96;
	} else {
		line(w, "spc-mean", x, 26, x + 24, 26, COLOUR_BLACK, 1.5, NULL);
		text_at(w, NULL, x + 30, 30, "start", 12, COLOUR_BLACK, "Mean");
		x += 84;
		line(w, "spc-limit", x, 26, x + 24, 26, COLOUR_GREY1, 1.5, "6 4");
		text_at(w, NULL, x + 30, 30, "start", 12, COLOUR_BLACK, "Process limits");
		x += 140;
	}
	if (c->has_target) {
		line(w, "spc-target", x, 26, x + 24, 26, COLOUR_RED, 2, "10 3 2 3");
		text_at(w, NULL, x + 30, 30, "start", 12, COLOUR_BLACK, "Target");
	}
	if (!c->run_chart) {
		/* point key: improvement and concern, as the points are drawn */
		double y = 52;
		x = SPC_LEFT;
		static const char *const keys[][2] = {
		    {"common", "Common cause"},
		    {"improve", "Improvement"},
		    {"concern", "Concern"},
		    {"neither", "Special cause"},
		};
		bool neither = strcmp(or_empty(c->direction), "higher") != 0 &&
		               strcmp(or_empty(c->direction), "lower") != 0;
		for (size_t k = 0; k < 4; k++) {
			if ((k == 3) != neither && k != 0)
				continue;
			svg_open(w, "circle");
			svg_attr_num(w, "cx", x + 12, 2);
			svg_attr_num(w, "cy", y - 4, 2);
			svg_attr_num(w, "r", k ? 5.5 : 4, 2);
			svg_attr(w, "fill", cause_colour(keys[k][0]));
			svg_empty(w);
			text_at(w, NULL, x + 30, y, "start", 12, COLOUR_BLACK, keys[k][1]);
			x += 130;
		}
	}
	svg_close(w);
}

static void axes(struct svg *w, const struct chart_spc_data *c, const struct scale *s)
{
	char num[SVG_NUM_MAX], lab[SVG_NUM_MAX + 16];
	bool short_unit = c->unit && strlen(c->unit) <= 2;
	svg_open(w, "g");
	svg_attr(w, "class", "spc-axes");
	svg_body(w);
	for (int t = 0; t <= s->ticks; t++) {
		double v = s->lo + s->step * t;
		double y = y_of(s, v);
		line(w, "spc-grid", SPC_LEFT, y, SPC_RIGHT, y, COLOUR_GREY4, 1, NULL);
		if (svg_format_fixed(num, sizeof num, v, s->decimals) < 0)
			(void)snprintf(num, sizeof num, "?");
		(void)snprintf(lab, sizeof lab, "%s%s", num, short_unit ? c->unit : "");
		text_at(w, "spc-tick", SPC_LEFT - 6, y + 4, "end", 11, COLOUR_GREY1, lab);
	}
	line(w, "spc-axis", SPC_LEFT, SPC_BOTTOM, SPC_RIGHT, SPC_BOTTOM, COLOUR_GREY1, 1, NULL);
	size_t every = (c->n + 7) / 8;
	for (size_t i = 0; i < c->n; i += every) {
		char m[16];
		(void)chart_month_label(m, sizeof m, c->points[i].month, NULL);
		double x = x_of(i, c->n);
		line(w, "spc-axis", x, SPC_BOTTOM, x, SPC_BOTTOM + 4, COLOUR_GREY1, 1, NULL);
		text_at(w, "spc-tick", x, SPC_BOTTOM + 18, "middle", 11, COLOUR_GREY1, m);
	}
	svg_close(w);
}

/* centre_lines: per period (a run of points sharing centre and limits),
 * the mean (or median) and, for an XmR chart, the two limits. */
static void centre_lines(struct svg *w, const struct chart_spc_data *c, const struct scale *s)
{
	double half = (SPC_RIGHT - SPC_LEFT) / (double)c->n / 2.0;
	svg_open(w, "g");
	svg_attr(w, "class", "spc-lines");
	svg_body(w);
	size_t a = 0;
	while (a < c->n) {
		size_t b = a + 1;
		while (b < c->n && same_period(&c->points[a], &c->points[b]))
			b++;
		const struct chart_spc_point *p = &c->points[a];
		double x1 = x_of(a, c->n) - half, x2 = x_of(b - 1, c->n) + half;
		if (c->run_chart) {
			line(w, "spc-median", x1, y_of(s, p->centre), x2, y_of(s, p->centre),
			     COLOUR_GREY1, 2, NULL);
		} else {
			line(w, "spc-mean", x1, y_of(s, p->centre), x2, y_of(s, p->centre),
			     COLOUR_BLACK, 1.5, NULL);
			line(w, "spc-limit spc-upl", x1, y_of(s, p->upl), x2, y_of(s, p->upl),
			     COLOUR_GREY1, 1.5, "6 4");
			line(w, "spc-limit spc-lpl", x1, y_of(s, p->lpl), x2, y_of(s, p->lpl),
			     COLOUR_GREY1, 1.5, "6 4");
		}
		a = b;
	}
	if (c->has_target)
		line(w, "spc-target", SPC_LEFT, y_of(s, c->target), SPC_RIGHT, y_of(s, c->target),
		     COLOUR_RED, 2, "10 3 2 3");
	svg_close(w);
}

static void data_points(struct svg *w, const struct chart_spc_data *c, const struct scale *s)
{
	double *xs = xmalloc(2 * c->n * sizeof *xs); /* n is capped by check_spc */
	double *ys = xs + c->n;
	for (size_t i = 0; i < c->n; i++) {
		xs[i] = x_of(i, c->n);
		ys[i] = y_of(s, c->points[i].value);
	}
	svg_open(w, "polyline");
	svg_attr(w, "class", "spc-line");
	svg_attr_points(w, "points", xs, ys, c->n);
	svg_attr(w, "fill", "none");
	svg_attr(w, "stroke", COLOUR_GREY2);
	svg_attr_num(w, "stroke-width", 1.5, 2);
	svg_empty(w);
	svg_open(w, "g");
	svg_attr(w, "class", "spc-points");
	svg_body(w);
	for (size_t i = 0; i < c->n; i++) {
		const struct chart_spc_point *p = &c->points[i];
		const char *cause = c->run_chart ? "common" : or_empty(p->cause);
		bool special = strcmp(cause, "common") != 0;
		char cls[64], m[16], v[64], t[512];
		(void)snprintf(cls, sizeof cls, "spc-point spc-%s", cause);
		(void)chart_month_label(m, sizeof m, p->month, NULL);
		fmt_value(v, sizeof v, p->value, c->decimals, c->unit);
		if (special && p->signal && p->signal[0])
			(void)snprintf(t, sizeof t, "%s: %s (%s)", m, v, p->signal);
		else
			(void)snprintf(t, sizeof t, "%s: %s", m, v);
		svg_open(w, "circle");
		svg_attr(w, "class", cls);
		svg_attr_num(w, "cx", xs[i], 2);
		svg_attr_num(w, "cy", ys[i], 2);
		svg_attr_num(w, "r", special ? 5.5 : 4, 2);
		svg_attr(w, "fill", cause_colour(cause));
		svg_attr(w, "stroke", COLOUR_WHITE);
		svg_attr_num(w, "stroke-width", 1, 2);
		svg_body(w);
		svg_element_text(w, "title", t, (const char *)NULL);
		svg_close(w);
	}
	svg_close(w);
	free(xs);
}

int chart_spc_svg(struct buf *out, const struct chart_spc_data *c, struct cadre_err *err)
{
	size_t start = out->len;
	int rc = check_spc(c, err);
	if (rc)
		return rc;

	/* The vertical scale holds the values, the lines and the target. */
	double lo = c->points[0].value, hi = lo;
	for (size_t i = 0; i < c->n; i++) {
		const struct chart_spc_point *p = &c->points[i];
		double v[4] = {p->value, p->centre, c->run_chart ? p->centre : p->lpl,
		               c->run_chart ? p->centre : p->upl};
		for (int k = 0; k < 4; k++) {
			lo = v[k] < lo ? v[k] : lo;
			hi = v[k] > hi ? v[k] : hi;
		}
	}
	if (c->has_target) {
		lo = c->target < lo ? c->target : lo;
		hi = c->target > hi ? c->target : hi;
	}
	struct scale s;
	nice_scale(&s, lo, hi);

	char id[CHART_ID_MAX + 16], labelled[2 * CHART_ID_MAX + 16];
	struct buf desc;
	buf_init(&desc, 4096);
	describe(&desc, c);

	struct svg w;
	svg_init(&w, out, err);
	svg_open(&w, "svg");
	svg_attr(&w, "xmlns", "http://www.w3.org/2000/svg");
	svg_attr(&w, "class", c->run_chart ? "spc-chart spc-run-chart" : "spc-chart");
	svg_attr(&w, "viewBox", "0 0 720 340");
	svg_attr(&w, "role", "img");
	(void)snprintf(labelled, sizeof labelled, "%s-title %s-desc", c->id, c->id);
	svg_attr(&w, "aria-labelledby", labelled);
	svg_attr(&w, "font-family", FONT);
	svg_body(&w);
	(void)snprintf(id, sizeof id, "%s-title", c->id);
	svg_element_text(&w, "title", c->title, "id", id, (const char *)NULL);
	(void)snprintf(id, sizeof id, "%s-desc", c->id);
	svg_element_text(&w, "desc", buf_cstr(&desc), "id", id, (const char *)NULL);
	buf_free(&desc);

	legend(&w, c);
	axes(&w, c, &s);
	centre_lines(&w, c, &s);
	data_points(&w, c, &s);

	/* the icons, top right: variation, then assurance */
	const struct icon *vi =
	    c->run_chart
	        ? &variation_icons[0]
	        : find_icon(variation_icons, sizeof variation_icons / sizeof variation_icons[0],
	                    c->variation);
	const struct icon *ai = find_icon(
	    assurance_icons, sizeof assurance_icons / sizeof assurance_icons[0], c->assurance);
	if (c->run_chart)
		ai = NULL;
	double cx = ai ? SPC_RIGHT - 140 : SPC_RIGHT - 40;
	draw_icon(&w, "variation", vi, cx,
	          c->run_chart ? "Insufficient data for process limits"
	                       : or_empty(c->variation_text));
	if (ai)
		draw_icon(&w, "assurance", ai, SPC_RIGHT - 40, or_empty(c->assurance_text));
	svg_close(&w);
	rc = svg_finish(&w);
	return rc ? undo(out, start, rc) : CADRE_OK;
}

/* cell: <td> or <th scope=row> with text. */
static void cell(struct svg *w, bool header, bool numeric, const char *text)
{
	svg_open(w, header ? "th" : "td");
	if (header) {
		svg_attr(w, "scope", "row");
		svg_attr(w, "class", "nhsuk-table__header");
	} else {
		svg_attr(w, "class",
		         numeric ? "nhsuk-table__cell nhsuk-table__cell--numeric"
		                 : "nhsuk-table__cell");
	}
	svg_body(w);
	svg_text(w, text);
	svg_close(w);
}

static void head_cell(struct svg *w, bool numeric, const char *text)
{
	svg_open(w, "th");
	svg_attr(w, "scope", "col");
	svg_attr(w, "class",
	         numeric ? "nhsuk-table__header nhsuk-table__header--numeric"
	                 : "nhsuk-table__header");
	svg_body(w);
	svg_text(w, text);
	svg_close(w);
}

static void table_start(struct svg *w, const char *id, const char *cls, const char *caption)
{
	char tid[CHART_ID_MAX + 16];
	(void)snprintf(tid, sizeof tid, "%s-table", id);
	svg_open(w, "div");
	svg_attr(w, "class", "nhsuk-table-container");
	svg_body(w);
	svg_open(w, "table");
	svg_attr(w, "class", cls);
	svg_attr(w, "id", tid);
	svg_body(w);
	svg_element_text(w, "caption", caption, "class", "nhsuk-table__caption",
	                 (const char *)NULL);
}

int chart_spc_table_html(struct buf *out, const struct chart_spc_data *c, struct cadre_err *err)
{
	size_t start = out->len;
	int rc = check_spc(c, err);
	if (rc)
		return rc;
	char caption[512], h[128], v[64];
	(void)snprintf(caption, sizeof caption, "%s: data for the chart", c->title);
	struct svg w;
	svg_init(&w, out, err);
	table_start(&w, c->id, "nhsuk-table spc-table", caption);
	svg_open(&w, "thead");
	svg_attr(&w, "class", "nhsuk-table__head");
	svg_body(&w);
	svg_open(&w, "tr");
	svg_attr(&w, "class", "nhsuk-table__row");
	svg_body(&w);
	head_cell(&w, false, "Month");
	const char *unit = or_empty(c->unit);
	while (*unit == ' ')
		unit++;
	if (*unit)
		(void)snprintf(h, sizeof h, "Value (%s)", unit);
	else
		(void)snprintf(h, sizeof h, "Value");
	head_cell(&w, true, h);
	head_cell(&w, true, c->run_chart ? "Median" : "Mean");
	if (!c->run_chart) {
		head_cell(&w, true, "Lower process limit");
		head_cell(&w, true, "Upper process limit");
	}
	if (c->has_target)
		head_cell(&w, true, "Target");
	if (!c->run_chart)
		head_cell(&w, false, "Signal");
	svg_close(&w); /* tr */
	svg_close(&w); /* thead */
	svg_open(&w, "tbody");
	svg_attr(&w, "class", "nhsuk-table__body");
	svg_body(&w);
	for (size_t i = 0; i < c->n; i++) {
		const struct chart_spc_point *p = &c->points[i];
		char m[16];
		(void)chart_month_label(m, sizeof m, p->month, NULL);
		svg_open(&w, "tr");
		svg_attr(&w, "class", "nhsuk-table__row");
		svg_body(&w);
		cell(&w, true, false, m);
		fmt_value(v, sizeof v, p->value, c->decimals, "");
		cell(&w, false, true, v);
		fmt_value(v, sizeof v, p->centre, c->decimals, "");
		cell(&w, false, true, v);
		if (!c->run_chart) {
			fmt_value(v, sizeof v, p->lpl, c->decimals, "");
			cell(&w, false, true, v);
			fmt_value(v, sizeof v, p->upl, c->decimals, "");
			cell(&w, false, true, v);
		}
		if (c->has_target) {
			fmt_value(v, sizeof v, c->target, c->decimals, "");
			cell(&w, false, true, v);
		}
		if (!c->run_chart) {
			const char *cause = or_empty(p->cause);
			char sig[600];
			if (strcmp(cause, "common") == 0)
				(void)snprintf(sig, sizeof sig, "Common cause");
			else
				(void)snprintf(sig, sizeof sig, "%s: %s",
				               strcmp(cause, "improve") == 0   ? "Improvement"
				               : strcmp(cause, "concern") == 0 ? "Concern"
				                                               : "Special cause",
				               or_empty(p->signal));
			cell(&w, false, false, sig);
		}
		svg_close(&w); /* tr */
	}
	svg_close(&w); /* tbody */
	svg_close(&w); /* table */
	svg_close(&w); /* div */
	rc = svg_finish(&w);
	return rc ? undo(out, start, rc) : CADRE_OK;
}

/* Radar chart geometry. */
#define RADAR_CX 320.0
#define RADAR_CY 200.0
#define RADAR_R  150.0

static const char *const series_colours[CHART_RADAR_MAX_SERIES] = {
    COLOUR_BLUE, COLOUR_ORANGE, COLOUR_PURPLE, "#007f3b", COLOUR_GREY1, "#ae2573"};
static const char *const series_dash[CHART_RADAR_MAX_SERIES] = {NULL,  "6 4", "2 3",
                                                                "8 3", "4 2", "1 2"};

static int check_radar(const struct chart_radar_data *r, struct cadre_err *err)
{
	int rc = check_id(r->id, err);
	if (rc)
		return rc;
	if (!r->title || !r->axes || r->n_axes < 3 || r->n_axes > CHART_RADAR_MAX_AXES)
		return cadre_err_set(err, CADRE_EINVAL, "radar %s: need a title and 3 to %d axes",
		                     r->id, CHART_RADAR_MAX_AXES);
	if (!r->series || r->n_series < 1 || r->n_series > CHART_RADAR_MAX_SERIES)
		return cadre_err_set(err, CADRE_EINVAL, "radar %s: need 1 to %d series", r->id,
		                     CHART_RADAR_MAX_SERIES);
	if (!(r->min < r->max) || !(fabs(r->min) < 1e6) || !(fabs(r->max) < 1e6) ||
	    r->max - r->min > 100)
		return cadre_err_set(err, CADRE_EINVAL, "radar %s: bad scale", r->id);
	for (size_t a = 0; a < r->n_axes; a++)
		if (!r->axes[a])
			return cadre_err_set(err, CADRE_EINVAL, "radar %s: axis %zu has no name",
			                     r->id, a + 1);
	for (size_t s = 0; s < r->n_series; s++) {
		if (!r->series[s].name || !r->series[s].values)
			return cadre_err_set(err, CADRE_EINVAL, "radar %s: series %zu incomplete",
			                     r->id, s + 1);
		for (size_t a = 0; a < r->n_axes; a++) {
			double v = r->series[s].values[a];
			if (!(v >= r->min && v <= r->max))
				return cadre_err_set(
				    err, CADRE_EINVAL,
				    "radar %s: series %zu, axis %zu: value outside "
				    "the scale",
				    r->id, s + 1, a + 1);
		}
	}
	return CADRE_OK;
}

/* spoke: the point at fraction f of the radius on axis a (axis 0 straight
 * up, clockwise). */
static void spoke(const struct chart_radar_data *r, size_t a, double f, double *x, double *y)
{
	double ang = 2.0 * M_PI * (double)a / (double)r->n_axes;
	*x = RADAR_CX + f * RADAR_R * sin(ang);
	*y = RADAR_CY - f * RADAR_R * cos(ang);
}

int chart_radar_svg(struct buf *out, const struct chart_radar_data *r, struct cadre_err *err)
{
	size_t start = out->len;
	int rc = check_radar(r, err);
	if (rc)
		return rc;
	double xs[CHART_RADAR_MAX_AXES], ys[CHART_RADAR_MAX_AXES];
	char id[CHART_ID_MAX + 16], labelled[2 * CHART_ID_MAX + 16], num[SVG_NUM_MAX];
	struct buf desc;
	buf_init(&desc, 4096);
	(void)buf_printf(&desc, NULL, "Radar chart of %zu series on %zu axes, scale ", r->n_series,
	                 r->n_axes);
	(void)svg_format_number(num, sizeof num, r->min, 2);
	(void)buf_printf(&desc, NULL, "%s to ", num);
	(void)svg_format_number(num, sizeof num, r->max, 2);
	(void)buf_printf(&desc, NULL, "%s. ", num);
	for (size_t s = 0; s < r->n_series; s++) {
		(void)buf_printf(&desc, NULL, "%s: ", r->series[s].name);
		for (size_t a = 0; a < r->n_axes; a++) {
			(void)svg_format_number(num, sizeof num, r->series[s].values[a], 2);
			(void)buf_printf(&desc, NULL, "%s %s%s", r->axes[a], num,
			                 a + 1 < r->n_axes ? ", " : ". ");
		}
	}
	(void)buf_puts(&desc, "The data table with the chart lists every value.", NULL);

	struct svg w;
	svg_init(&w, out, err);
	svg_open(&w, "svg");
	svg_attr(&w, "xmlns", "http://www.w3.org/2000/svg");
	svg_attr(&w, "class", "radar-chart");
	svg_attr(&w, "viewBox", "0 0 640 440");
	svg_attr(&w, "role", "img");
	(void)snprintf(labelled, sizeof labelled, "%s-title %s-desc", r->id, r->id);
	svg_attr(&w, "aria-labelledby", labelled);
	svg_attr(&w, "font-family", FONT);
	svg_body(&w);
	(void)snprintf(id, sizeof id, "%s-title", r->id);
	svg_element_text(&w, "title", r->title, "id", id, (const char *)NULL);
	(void)snprintf(id, sizeof id, "%s-desc", r->id);
	svg_element_text(&w, "desc", buf_cstr(&desc), "id", id, (const char *)NULL);
	buf_free(&desc);

	/* rings at each whole number of the scale, spokes, axis labels */
	svg_open(&w, "g");
	svg_attr(&w, "class", "radar-grid");
	svg_body(&w);
	double span = r->max - r->min;
	/* span <= 100 (check_radar), so at most 101 rings */
	int first = (int)ceil(r->min), last = (int)floor(r->max);
	for (int k = first; k <= last; k++) {
		double v = (double)k;
		double f = (v - r->min) / span;
		if (f <= 0)
			continue;
		for (size_t a = 0; a < r->n_axes; a++)
			spoke(r, a, f, &xs[a], &ys[a]);
		svg_open(&w, "polygon");
		svg_attr(&w, "class", "radar-ring");
		svg_attr_points(&w, "points", xs, ys, r->n_axes);
		svg_attr(&w, "fill", "none");
		svg_attr(&w, "stroke", COLOUR_GREY4);
		svg_attr_num(&w, "stroke-width", 1, 2);
		svg_empty(&w);
		(void)svg_format_number(num, sizeof num, v, 2);
		text_at(&w, "radar-tick", RADAR_CX + 4, RADAR_CY - f * RADAR_R - 3, "start", 10,
		        COLOUR_GREY1, num);
	}
	for (size_t a = 0; a < r->n_axes; a++) {
		double x, y, lx, ly;
		spoke(r, a, 1.0, &x, &y);
		line(&w, "radar-spoke", RADAR_CX, RADAR_CY, x, y, COLOUR_GREY4, 1, NULL);
		spoke(r, a, 1.12, &lx, &ly);
		const char *anchor = lx > RADAR_CX + 1   ? "start"
		                     : lx < RADAR_CX - 1 ? "end"
		                                         : "middle";
		text_at(&w, "radar-axis", lx, ly + 4, anchor, 12, COLOUR_BLACK, r->axes[a]);
	}
	svg_close(&w);

	/* one polygon per series, then the legend */
	for (size_t s = 0; s < r->n_series; s++) {
		char cls[64];
		(void)snprintf(cls, sizeof cls, "radar-series radar-series-%zu", s + 1);
		for (size_t a = 0; a < r->n_axes; a++)
			spoke(r, a, (r->series[s].values[a] - r->min) / span, &xs[a], &ys[a]);
		svg_open(&w, "g");
		svg_attr(&w, "class", cls);
		svg_body(&w);
		svg_element_text(&w, "title", r->series[s].name, (const char *)NULL);
		svg_open(&w, "polygon");
		svg_attr_points(&w, "points", xs, ys, r->n_axes);
		svg_attr(&w, "fill", "none");
		svg_attr(&w, "stroke", series_colours[s]);
		svg_attr_num(&w, "stroke-width", 2.5, 2);
		if (series_dash[s])
			svg_attr(&w, "stroke-dasharray", series_dash[s]);
		svg_empty(&w);
		for (size_t a = 0; a < r->n_axes; a++) {
			svg_open(&w, "circle");
			svg_attr_num(&w, "cx", xs[a], 2);
			svg_attr_num(&w, "cy", ys[a], 2);
			svg_attr_num(&w, "r", 3.5, 2);
			svg_attr(&w, "fill", series_colours[s]);
			svg_empty(&w);
		}
		svg_close(&w);
	}
	svg_open(&w, "g");
	svg_attr(&w, "class", "radar-legend");
	svg_body(&w);
	for (size_t s = 0; s < r->n_series; s++) {
		/* below the chart, three to a row */
		size_t row = s / 3;
		double x = 40 + 200 * (double)(s % 3), y = 392 + 24 * (double)row;
		line(&w, NULL, x, y, x + 30, y, series_colours[s], 2.5, series_dash[s]);
		text_at(&w, NULL, x + 38, y + 4, "start", 12, COLOUR_BLACK, r->series[s].name);
	}
	svg_close(&w);
	svg_close(&w); /* svg */
	rc = svg_finish(&w);
	return rc ? undo(out, start, rc) : CADRE_OK;
}

int chart_radar_table_html(struct buf *out, const struct chart_radar_data *r, struct cadre_err *err)
{
	size_t start = out->len;
	int rc = check_radar(r, err);
	if (rc)
		return rc;
	char caption[512], num[SVG_NUM_MAX];
	(void)snprintf(caption, sizeof caption, "%s: data for the chart", r->title);
	struct svg w;
	svg_init(&w, out, err);
	table_start(&w, r->id, "nhsuk-table radar-table", caption);
	svg_open(&w, "thead");
	svg_attr(&w, "class", "nhsuk-table__head");
	svg_body(&w);
	svg_open(&w, "tr");
	svg_attr(&w, "class", "nhsuk-table__row");
	svg_body(&w);
	head_cell(&w, false, "Factor");
	for (size_t s = 0; s < r->n_series; s++)
		head_cell(&w, true, r->series[s].name);
	svg_close(&w);
	svg_close(&w);
	svg_open(&w, "tbody");
	svg_attr(&w, "class", "nhsuk-table__body");
	svg_body(&w);
	for (size_t a = 0; a < r->n_axes; a++) {
		svg_open(&w, "tr");
		svg_attr(&w, "class", "nhsuk-table__row");
		svg_body(&w);
		cell(&w, true, false, r->axes[a]);
		for (size_t s = 0; s < r->n_series; s++) {
			(void)svg_format_number(num, sizeof num, r->series[s].values[a], 2);
			cell(&w, false, true, num);
		}
		svg_close(&w);
	}
	svg_close(&w);
	svg_close(&w);
	svg_close(&w);
	rc = svg_finish(&w);
	return rc ? undo(out, start, rc) : CADRE_OK;
}
