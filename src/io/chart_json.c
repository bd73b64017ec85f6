/* chart_json: an SPC chart as JSON and the producers that draw it (see
 * chart_json.h). */
#include "io/chart_json.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "io/template.h"

static json_t *str_or_empty(const char *s)
{
	json_t *j = json_string(s ? s : "");
	return j ? j : json_string("");
}

json_t *chart_spc_json(const struct chart_spc_data *c)
{
	json_t *o = json_object();
	(void)json_object_set_new(o, "id", str_or_empty(c->id));
	(void)json_object_set_new(o, "title", str_or_empty(c->title));
	(void)json_object_set_new(o, "unit", str_or_empty(c->unit));
	(void)json_object_set_new(o, "decimals", json_integer(c->decimals));
	(void)json_object_set_new(o, "run_chart", json_boolean(c->run_chart));
	(void)json_object_set_new(o, "direction", str_or_empty(c->direction));
	(void)json_object_set_new(o, "variation", str_or_empty(c->variation));
	(void)json_object_set_new(o, "variation_text", str_or_empty(c->variation_text));
	(void)json_object_set_new(o, "assurance", str_or_empty(c->assurance));
	(void)json_object_set_new(o, "assurance_text", str_or_empty(c->assurance_text));
	(void)json_object_set_new(o, "has_target", json_boolean(c->has_target));
	(void)json_object_set_new(o, "target", c->has_target ? json_real(c->target) : json_null());
	json_t *pts = json_array();
	for (size_t i = 0; i < c->n; i++) {
		const struct chart_spc_point *p = &c->points[i];
		json_t *j = json_object();
		(void)json_object_set_new(j, "month", json_integer(p->month));
		(void)json_object_set_new(j, "value", json_real(p->value));
		(void)json_object_set_new(j, "centre", json_real(p->centre));
		(void)json_object_set_new(j, "lpl", json_real(p->lpl));
		(void)json_object_set_new(j, "upl", json_real(p->upl));
		(void)json_object_set_new(j, "cause", str_or_empty(p->cause));
		(void)json_object_set_new(j, "signal", str_or_empty(p->signal));
		(void)json_array_append_new(pts, j);
	}
	(void)json_object_set_new(o, "points", pts);
	return o;
}

static int get_str(const json_t *o, const char *key, const char **out, struct cadre_err *err)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		return cadre_err_set(err, CADRE_EINVAL, "chart: '%s' is not a string", key);
	*out = json_string_value(v);
	return CADRE_OK;
}

static int get_num(const json_t *o, const char *key, double *out, struct cadre_err *err)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_number(v))
		return cadre_err_set(err, CADRE_EINVAL, "chart: '%s' is not a number", key);
	*out = json_number_value(v);
	return CADRE_OK;
}

static int get_bool(const json_t *o, const char *key, bool *out, struct cadre_err *err)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_boolean(v))
		return cadre_err_set(err, CADRE_EINVAL, "chart: '%s' is not true or false", key);
	*out = json_is_true(v);
	return CADRE_OK;
}

int chart_spc_from_json(const json_t *v, struct arena *a, struct chart_spc_data *out,
                        struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	if (!json_is_object(v))
		return cadre_err_set(err, CADRE_EINVAL, "chart: not an object");
	int rc;
	if ((rc = get_str(v, "id", &out->id, err)) ||
	    (rc = get_str(v, "title", &out->title, err)) ||
	    (rc = get_str(v, "unit", &out->unit, err)) ||
	    (rc = get_str(v, "direction", &out->direction, err)) ||
	    (rc = get_str(v, "variation", &out->variation, err)) ||
	    (rc = get_str(v, "variation_text", &out->variation_text, err)) ||
	    (rc = get_str(v, "assurance", &out->assurance, err)) ||
	    (rc = get_str(v, "assurance_text", &out->assurance_text, err)) ||
	    (rc = get_bool(v, "run_chart", &out->run_chart, err)) ||
	    (rc = get_bool(v, "has_target", &out->has_target, err)))
		return rc;
	const json_t *dec = json_object_get(v, "decimals");
	if (!json_is_integer(dec) || json_integer_value(dec) < 0 || json_integer_value(dec) > 4)
		return cadre_err_set(err, CADRE_EINVAL, "chart: 'decimals' is not 0 to 4");
	out->decimals = (int)json_integer_value(dec);
	if (out->has_target && (rc = get_num(v, "target", &out->target, err)))
		return rc;
	const json_t *pts = json_object_get(v, "points");
	if (!json_is_array(pts) || json_array_size(pts) == 0 ||
	    json_array_size(pts) > CHART_MAX_POINTS)
		return cadre_err_set(err, CADRE_EINVAL, "chart: 'points' is not a list of 1 to %d",
		                     CHART_MAX_POINTS);
	size_t n = json_array_size(pts);
	struct chart_spc_point *p = arena_alloc(a, n * sizeof *p);
	for (size_t i = 0; i < n; i++) {
		const json_t *j = json_array_get(pts, i);
		const json_t *m = json_object_get(j, "month");
		if (!json_is_integer(m) || json_integer_value(m) < 0 ||
		    json_integer_value(m) > INT32_MAX)
			return cadre_err_set(err, CADRE_EINVAL, "chart: point %zu: bad month",
			                     i + 1);
		p[i].month = (int32_t)json_integer_value(m);
		if ((rc = get_num(j, "value", &p[i].value, err)) ||
		    (rc = get_num(j, "centre", &p[i].centre, err)) ||
		    (rc = get_num(j, "lpl", &p[i].lpl, err)) ||
		    (rc = get_num(j, "upl", &p[i].upl, err)) ||
		    (rc = get_str(j, "cause", &p[i].cause, err)) ||
		    (rc = get_str(j, "signal", &p[i].signal, err)))
			return rc;
	}
	out->points = p;
	out->n = n;
	return CADRE_OK;
}

/* produce: read value and draw it with fn; nothing is appended on failure
 * (both chart writers promise that). */
static int produce(const json_t *value, struct buf *out,
                   int (*fn)(struct buf *, const struct chart_spc_data *, struct cadre_err *),
                   struct cadre_err *err)
{
	struct arena a;
	arena_init(&a, 0);
	struct chart_spc_data c;
	int rc = chart_spc_from_json(value, &a, &c, err);
	if (rc == CADRE_OK)
		rc = fn(out, &c, err);
	arena_free(&a);
	return rc;
}

int chart_produce_svg(const json_t *value, struct buf *out, struct cadre_err *err)
{
	return produce(value, out, chart_spc_svg, err);
}

int chart_produce_table(const json_t *value, struct buf *out, struct cadre_err *err)
{
	return produce(value, out, chart_spc_table_html, err);
}

int chart_producers_add(struct template_set *set, struct cadre_err *err)
{
	int rc = template_set_add_producer(set, "spc_svg", chart_produce_svg, err);
	if (rc == CADRE_OK)
		rc = template_set_add_producer(set, "spc_table", chart_produce_table, err);
	return rc;
}
