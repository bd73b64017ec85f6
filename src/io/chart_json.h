/* chart_json: an SPC chart as JSON, and the template producers that draw
 * it.
 *
 * Design note
 * - Pages hand templates plain JSON contexts, and templates print
 *   unescaped HTML only through registered producers (docs/templates.md).
 *   A chart therefore travels through the page context as JSON (the
 *   fields of struct chart_spc_data, points with months as yyyymm), and
 *   two producers turn it back into markup: spc_svg (the inline SVG) and
 *   spc_table (its data table), so a page can lay the two out side by
 *   side.  The producers escape nothing themselves: chart_spc_svg and
 *   chart_spc_table_html escape every piece of text they write.
 * - chart_spc_json and chart_spc_from_json are inverses: what one writes
 *   the other reads back to the same struct.  The reader checks every
 *   field's type and refuses anything else (CADRE_EINVAL), so a context
 *   built wrongly fails the page cleanly instead of drawing a wrong chart.
 * - The producers are registered on every template set by
 *   template_set_init (chart_producers_add), like csrf_field. */
#ifndef CADRE_IO_CHART_JSON_H
#define CADRE_IO_CHART_JSON_H

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "io/chart.h"

struct template_set;

/* chart_spc_json: c as a new JSON object (the caller owns it): id, title,
 * unit, decimals, run_chart, direction, variation, variation_text,
 * assurance, assurance_text, has_target, target (null without one) and
 * points [{month (yyyymm), value, centre, lpl, upl, cause, signal}]. */
json_t *chart_spc_json(const struct chart_spc_data *c);

/* chart_spc_from_json: read what chart_spc_json wrote into *out; strings
 * point into v (which must outlive *out) and the points array is allocated
 * in a.  CADRE_EINVAL naming the first field that is missing or of the
 * wrong type. */
int chart_spc_from_json(const json_t *v, struct arena *a, struct chart_spc_data *out,
                        struct cadre_err *err);

/* chart_produce_svg / chart_produce_table: the template producers
 * {{{spc_svg chart}}} and {{{spc_table chart}}}: the chart described by
 * value (chart_spc_json's form) as inline SVG, or as its nhsuk data table.
 * Nothing is written on failure. */
int chart_produce_svg(const json_t *value, struct buf *out, struct cadre_err *err);
int chart_produce_table(const json_t *value, struct buf *out, struct cadre_err *err);

/* chart_producers_add: register spc_svg and spc_table on set (before it is
 * loaded). */
int chart_producers_add(struct template_set *set, struct cadre_err *err);

#endif
