/* chart: the charts Cadre draws as inline SVG, each with its data table.
 *
 * Design note.  Two charts:
 *   - the statistical process control chart of a monthly measure (an XmR
 *     chart, or a run chart below 12 points), drawn from a struct
 *     spc_chart_data: the points with their centre line, process limits and
 *     special-cause signals, the target line and the variation and
 *     assurance icons, all computed beforehand (domain/spc does that; this
 *     module draws what it is given and judges nothing);
 *   - the radar chart of a self-assessment (the five factors of the
 *     workforce-planning toolkit, one polygon per series: this round and the
 *     last, a trust and its ICB's median).
 * io sits below domain, so the chart takes plain arrays rather than the
 * domain's structs; domain/spc.h's spc_result maps onto spc_chart_data one
 * field for one (names, enums as strings) and a later domain or web helper
 * does that mapping.
 *
 * Every chart has its data table (DESIGN.md): chart_spc_table_html() and
 * chart_radar_table_html() write an accessible HTML table with the nhsuk
 * table classes, a caption and th scope, holding every number the chart
 * shows, so nothing is only in the picture.  The SVG is role="img" with
 * aria-labelledby pointing at its <title> and <desc>; desc says in words
 * what the chart shows (the latest point, the centre and limits, the icons).
 *
 * Styling: presentation attributes (stroke, fill, stroke-dasharray) so the
 * SVG draws correctly on its own (in a PDF, in a file), and classes
 * (spc-point spc-improve, spc-limit, ...) that assets/_spc.scss styles in
 * the page; never a style attribute (svg.h refuses one).  Text is escaped;
 * numbers are formatted by svg_format_number(), so the same input gives the
 * same bytes.
 *
 * Output goes to a caller's capped struct buf; on failure (the cap, bad
 * input) nothing is appended: the buffer is put back to its length before
 * the call. */
#ifndef CADRE_IO_CHART_H
#define CADRE_IO_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

#define CHART_MAX_POINTS 5000
#define CHART_ID_MAX     64

/* chart_spc_point: one month of an SPC chart. */
struct chart_spc_point {
	int32_t month; /* yyyymm, e.g. 202404 */
	double value;
	double centre;      /* mean (XmR) or median (run chart) of the point's period */
	double lpl, upl;    /* process limits (ignored for a run chart) */
	const char *cause;  /* "common", "improve", "concern", "neither" (spc_cause_name) */
	const char *signal; /* words for the table: "outside the process limits; ..." or "" */
};

struct chart_spc_data {
	const char *id;    /* unique on the page: [A-Za-z0-9_-], 1-40 chars; ids derive from it */
	const char *title; /* the measure: "Sickness absence rate" */
	const char *unit;  /* shown after values: "%", " FTE", or "" */
	int decimals;      /* 0-4, for labels and the table */
	bool run_chart;    /* true: median line only, no limits or signals */
	const struct chart_spc_point *points;
	size_t n;
	bool has_target;
	double target;
	const char *direction;      /* "higher", "lower" or "neither": said in desc */
	const char *variation;      /* spc_variation_name(): "common", "improve-high", ... */
	const char *variation_text; /* spc_variation_label() */
	const char *assurance;      /* spc_assurance_name(): "none", "pass", "fail", "hit-miss" */
	const char *assurance_text; /* spc_assurance_label() */
};

/* chart_spc_svg: append the chart as one <svg> element to out.
 * CADRE_EINVAL for bad input (no points, a month that is not yyyymm, a
 * non-finite number, an unknown cause or icon name, a bad id) or when out's
 * cap is reached; out is then unchanged. */
int chart_spc_svg(struct buf *out, const struct chart_spc_data *c, struct cadre_err *err);

/* chart_spc_table_html: append the data table: month, value, centre (mean
 * or median), limits, target, and the signal of each point. */
int chart_spc_table_html(struct buf *out, const struct chart_spc_data *c, struct cadre_err *err);

/* chart_month_label: "Apr 2024" for 202404 into dst (at least 16 bytes).
 * CADRE_EINVAL for a month outside 1..12 or a year outside 1900..9999. */
int chart_month_label(char *dst, size_t cap, int32_t yyyymm, struct cadre_err *err);

#define CHART_RADAR_MAX_AXES   12
#define CHART_RADAR_MAX_SERIES 6

struct chart_radar_series {
	const char *name;     /* "This round", "ICB median" */
	const double *values; /* one per axis, within [min, max] */
};

struct chart_radar_data {
	const char *id;
	const char *title;
	const char *const *axes; /* axis names, n_axes of them (3 .. 12) */
	size_t n_axes;
	double min, max; /* the scale: 1 and 5 for the toolkit */
	const struct chart_radar_series *series;
	size_t n_series; /* 1 .. 6 */
};

/* chart_radar_svg: append the radar chart: a ring per whole number of the
 * scale, a spoke and label per axis, a polygon and legend entry per series
 * (classes radar-series radar-series-1 .. 6). */
int chart_radar_svg(struct buf *out, const struct chart_radar_data *r, struct cadre_err *err);

/* chart_radar_table_html: append its data table: a row per axis, a column
 * per series. */
int chart_radar_table_html(struct buf *out, const struct chart_radar_data *r,
                           struct cadre_err *err);

#endif
