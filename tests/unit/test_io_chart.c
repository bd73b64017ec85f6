#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "domain/spc.h"
#include "io/chart.h"
#include "io/svg.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a tiny XML checker: well-formedness and element counts ---------- */

struct xml_count {
	char name[16];
	int n;
};

struct xml_report {
	bool ok;
	char why[128];
	int roots;
	struct xml_count counts[32];
	size_t ncounts;
};

static void count_element(struct xml_report *r, const char *name, size_t len)
{
	for (size_t i = 0; i < r->ncounts; i++)
		if (strlen(r->counts[i].name) == len && memcmp(r->counts[i].name, name, len) == 0) {
			r->counts[i].n++;
			return;
		}
	assert_true(r->ncounts < N(r->counts) && len < sizeof r->counts[0].name);
	memcpy(r->counts[r->ncounts].name, name, len);
	r->counts[r->ncounts].name[len] = '\0';
	r->counts[r->ncounts++].n = 1;
}

static int element_count(const struct xml_report *r, const char *name)
{
	for (size_t i = 0; i < r->ncounts; i++)
		if (strcmp(r->counts[i].name, name) == 0)
			return r->counts[i].n;
	return 0;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == ':';
}

/* entity_ok: s points at '&'; one of the five entities we write. */
static size_t entity_len(const char *s)
{
	static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
	for (size_t i = 0; i < N(ents); i++)
		if (strncmp(s, ents[i], strlen(ents[i])) == 0)
			return strlen(ents[i]);
	return 0;
}

/* xml_check: every tag closed in order, attributes name="value" with no
 * raw < or & in values, text with no raw <, one root element. */
static void xml_check(const char *s, struct xml_report *r)
{
	memset(r, 0, sizeof *r);
	const char *stack[64];
	size_t stack_len[64];
	int depth = 0;
	const char *p = s;
#define BAD(msg)                                                                                   \
	do {                                                                                       \
		(void)snprintf(r->why, sizeof r->why, "%s at byte %ld", msg, (long)(p - s));       \
		return;                                                                            \
	} while (0)
	while (*p) {
		if (*p == '&') {
			size_t e = entity_len(p);
			if (!e)
				BAD("bad entity");
			p += e;
			continue;
		}
		if (*p == '>')
			BAD("stray >");
		if (*p != '<') {
			if (depth == 0 && *p != '\n')
				BAD("text outside the root");
			p++;
			continue;
		}
		p++;
		if (*p == '/') {
			const char *n = ++p;
			while (name_char(*p))
				p++;
			size_t len = (size_t)(p - n);
			if (*p != '>' || depth == 0 || stack_len[depth - 1] != len ||
			    memcmp(stack[depth - 1], n, len) != 0)
				BAD("end tag does not match");
			depth--;
			p++;
			continue;
		}
		const char *n = p;
		while (name_char(*p))
			p++;
		size_t len = (size_t)(p - n);
		if (len == 0)
			BAD("no element name");
		count_element(r, n, len);
		if (depth == 0)
			r->roots++;
		for (;;) {
			while (*p == ' ')
				p++;
			if (*p == '/' && p[1] == '>') {
				p += 2;
				break;
			}
			if (*p == '>') {
				if (depth == 64)
					BAD("too deep");
				stack[depth] = n;
				stack_len[depth++] = len;
				p++;
				break;
			}
			const char *an = p;
			while (name_char(*p))
				p++;
			if (p == an || p[0] != '=' || p[1] != '"')
				BAD("bad attribute");
			p += 2;
			while (*p && *p != '"') {
				if (*p == '<')
					BAD("< in an attribute value");
				if (*p == '&') {
					size_t e = entity_len(p);
					if (!e)
						BAD("bad entity in an attribute");
					p += e;
					continue;
				}
				p++;
			}
			if (*p != '"')
				BAD("attribute value not closed");
			p++;
		}
	}
	if (depth != 0)
		BAD("element left open");
	if (r->roots != 1)
		BAD("not exactly one root element");
	r->ok = true;
#undef BAD
}

static void assert_well_formed(const char *s, struct xml_report *r)
{
	xml_check(s, r);
	if (!r->ok)
		print_error("not well formed: %s\n", r->why);
	assert_true(r->ok);
}

static int count_substr(const char *s, const char *needle)
{
	int n = 0;
	size_t len = strlen(needle);
	for (const char *p = strstr(s, needle); p; p = strstr(p + len, needle))
		n++;
	return n;
}

static void sha256_hex(const char *s, size_t n, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)s, n);
	for (size_t i = 0; i < sizeof h; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* ---- fixtures ---------------------------------------------------------- */

/* A two-year sickness absence series (lower is better) with a target: the
 * fixture the chart tests draw.  Its signals come from domain/spc (tested
 * by hand in test_domain_spc); here only the drawing is under test. */
struct fixture {
	struct spc_result res;
	struct spc_chart ch;
};

static void make_fixture(struct fixture *fx, const char *id, const char *title, size_t n,
                         bool target)
{
	/* 9, 11 alternating for a year, then 16s: the step from
	 * test_limits_from_a_baseline, limits from the first 12 points. */
	double v[24];
	int32_t months[24];
	assert_true(n <= 24);
	for (size_t i = 0; i < n; i++) {
		v[i] = i < 12 ? (i % 2 ? 4.6 : 4.2) : 5.3;
		int m = 3 + (int)i; /* months since January 2023, 0-based: April first */
		months[i] = (int32_t)((2023 + m / 12) * 100 + m % 12 + 1);
	}
	struct spc_options opt = {.direction = SPC_DIRECTION_LOWER,
	                          .baseline = n >= 12 ? 12 : 0,
	                          .has_target = target,
	                          .target = 4.0};
	struct cadre_err err;
	assert_int_equal(spc_compute(&fx->res, v, n, &opt, &err), CADRE_OK);
	assert_int_equal(spc_chart_prepare(&fx->ch, &fx->res, months, id, title, "%", 2, &err),
	                 CADRE_OK);
}

static void free_fixture(struct fixture *fx)
{
	spc_chart_free(&fx->ch);
	spc_result_free(&fx->res);
}

static char *render_svg(const struct chart_spc_data *d)
{
	struct buf out;
	struct cadre_err err;
	buf_init(&out, 1 << 20);
	int rc = chart_spc_svg(&out, d, &err);
	if (rc)
		print_error("chart_spc_svg: %s\n", err.msg);
	assert_int_equal(rc, CADRE_OK);
	return buf_detach(&out);
}

static char *render_table(const struct chart_spc_data *d)
{
	struct buf out;
	struct cadre_err err;
	buf_init(&out, 1 << 20);
	int rc = chart_spc_table_html(&out, d, &err);
	if (rc)
		print_error("chart_spc_table_html: %s\n", err.msg);
	assert_int_equal(rc, CADRE_OK);
	return buf_detach(&out);
}

/* write_snapshot: with CADRE_CHART_SNAPSHOT=DIR, keep an HTML page with
 * the chart and its table, to look at in a browser. */
static void write_snapshot(const char *name, const char *svg, const char *table)
{
	const char *dir = getenv("CADRE_CHART_SNAPSHOT");
	if (!dir)
		return;
	char path[512];
	(void)snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	(void)fprintf(f,
	              "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	              "<title>%s</title><link rel=\"stylesheet\" href=\"nhsuk.css\">"
	              "<link rel=\"stylesheet\" href=\"spc.css\"></head>\n<body><main "
	              "class=\"nhsuk-width-container\"><div class=\"spc\">\n%s\n%s\n</div></main>"
	              "</body></html>\n",
	              name, svg, table);
	(void)fclose(f);
}

/* ---- svg writer -------------------------------------------------------- */

static void test_number_format(void **state)
{
	(void)state;
	static const struct {
		double v;
		int dec;
		const char *trim, *fixed;
	} cases[] = {
	    {2.5, 2, "2.5", "2.50"},
	    {3.0, 2, "3", "3.00"},
	    {0.0, 2, "0", "0.00"},
	    {-0.0, 2, "0", "0.00"},
	    {-0.001, 2, "0", "0.00"}, /* never "-0" */
	    {-0.006, 2, "-0.01", "-0.01"},
	    {0.125, 2, "0.13", "0.13"}, /* exactly halfway: away from zero */
	    {-0.125, 2, "-0.13", "-0.13"},
	    {1.005, 2, "1", "1.00"},    /* 1.005 is 1.00499999999999989... */
	    {2.675, 2, "2.67", "2.67"}, /* 2.67499999999999982 */
	    {123456.789, 0, "123457", "123457"},
	    {4.7640031456687355, 2, "4.76", "4.76"},
	    {16.061818181818182, 4, "16.0618", "16.0618"},
	    {999999999999999.0 / 1000.0, 3, "999999999999.999", "999999999999.999"},
	    {0.1, 6, "0.1", "0.100000"},
	    {1e-300, 6, "0", "0.000000"},
	    {5e-7, 6, "0", "0.000000"},                    /* 4.99999999999999977e-7 */
	    {0.00006103515625, 6, "0.000061", "0.000061"}, /* 2^-14, exact */
	};
	char out[SVG_NUM_MAX];
	for (size_t i = 0; i < N(cases); i++) {
		int n = svg_format_number(out, sizeof out, cases[i].v, cases[i].dec);
		if (n < 0 || strcmp(out, cases[i].trim) != 0)
			print_error("case %zu: got %s want %s\n", i, out, cases[i].trim);
		assert_string_equal(out, cases[i].trim);
		assert_int_equal(n, (int)strlen(cases[i].trim));
		assert_int_equal(svg_format_fixed(out, sizeof out, cases[i].v, cases[i].dec),
		                 (int)strlen(cases[i].fixed));
		assert_string_equal(out, cases[i].fixed);
	}
	assert_int_equal(svg_format_number(out, sizeof out, NAN, 2), -1);
	assert_int_equal(svg_format_number(out, sizeof out, INFINITY, 2), -1);
	assert_int_equal(svg_format_number(out, sizeof out, 1e15, 2), -1);
	assert_int_equal(svg_format_number(out, sizeof out, 1.0, 7), -1);
	assert_int_equal(svg_format_number(out, 8, 1.0, 2), -1); /* too small a buffer */
}

static void test_escape(void **state)
{
	(void)state;
	struct buf b;
	struct cadre_err err;
	buf_init(&b, 1024);
	const char in[] = "<script>alert('x')</script> & \"q\" \x01\x7f caf\xc3\xa9 \xef\xbf\xbe";
	assert_int_equal(svg_escape(&b, in, strlen(in), &err), CADRE_OK);
	assert_string_equal(buf_cstr(&b), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
	                                  "&quot;q&quot; \xef\xbf\xbd\xef\xbf\xbd caf\xc3\xa9 "
	                                  "\xef\xbf\xbd");
	/* invalid UTF-8: refused, nothing appended */
	size_t before = b.len;
	assert_int_equal(svg_escape(&b, "ok \xc3(", 5, &err), CADRE_EINVAL);
	assert_int_equal(b.len, before);
	/* the cap: all or nothing */
	struct buf small;
	buf_init(&small, 8);
	assert_int_equal(svg_escape(&small, "a&b&c", 5, &err), CADRE_EINVAL);
	assert_int_equal(small.len, 0);
	buf_free(&small);
	buf_free(&b);
}

static void test_writer_rules(void **state)
{
	(void)state;
	struct buf b;
	struct cadre_err err;
	struct svg w;
	buf_init(&b, 4096);

	/* a well-formed fragment */
	svg_init(&w, &b, &err);
	svg_open(&w, "g");
	svg_attr(&w, "class", "a \"b\"");
	svg_body(&w);
	svg_open(&w, "circle");
	svg_attr_num(&w, "r", 2.50, 2);
	svg_empty(&w);
	svg_element_text(&w, "text", "1 < 2", "x", "3", (const char *)NULL);
	svg_close(&w);
	assert_int_equal(svg_finish(&w), CADRE_OK);
	assert_string_equal(buf_cstr(&b), "<g class=\"a &quot;b&quot;\"><circle r=\"2.5\"/>"
	                                  "<text x=\"3\">1 &lt; 2</text></g>");

	/* style= is refused: DESIGN.md's charts rule */
	buf_reset(&b);
	svg_init(&w, &b, &err);
	svg_open(&w, "rect");
	assert_int_equal(svg_attr(&w, "style", "fill:red"), CADRE_EINVAL);
	assert_non_null(strstr(err.msg, "inline style"));
	/* errors are sticky */
	assert_int_equal(svg_empty(&w), CADRE_EINVAL);
	assert_int_equal(svg_finish(&w), CADRE_EINVAL);
	assert_null(strstr(buf_cstr(&b), "style"));
	svg_init(&w, &b, &err);
	svg_open(&w, "rect");
	assert_int_equal(svg_attr(&w, "STYLE", "fill:red"), CADRE_EINVAL);

	/* an element left open, an end tag with nothing open, bad names */
	buf_reset(&b);
	svg_init(&w, &b, &err);
	svg_open(&w, "g");
	svg_body(&w);
	assert_int_equal(svg_finish(&w), CADRE_EINTERNAL);
	svg_init(&w, &b, &err);
	assert_int_equal(svg_close(&w), CADRE_EINTERNAL);
	svg_init(&w, &b, &err);
	assert_int_equal(svg_open(&w, "g onload"), CADRE_EINVAL);
	svg_init(&w, &b, &err);
	svg_open(&w, "g");
	assert_int_equal(svg_attr(&w, "onclick\"", "x"), CADRE_EINVAL);
	svg_init(&w, &b, &err);
	svg_open(&w, "g");
	assert_int_equal(svg_attr_num(&w, "x", NAN, 2), CADRE_EINVAL);
	buf_free(&b);
}

/* ---- SPC chart --------------------------------------------------------- */

static void test_month_label(void **state)
{
	(void)state;
	char m[16];
	struct cadre_err err;
	assert_int_equal(chart_month_label(m, sizeof m, 202404, &err), CADRE_OK);
	assert_string_equal(m, "Apr 2024");
	assert_int_equal(chart_month_label(m, sizeof m, 199912, &err), CADRE_OK);
	assert_string_equal(m, "Dec 1999");
	assert_int_equal(chart_month_label(m, sizeof m, 202413, &err), CADRE_EINVAL);
	assert_int_equal(chart_month_label(m, sizeof m, 202400, &err), CADRE_EINVAL);
	assert_int_equal(chart_month_label(m, sizeof m, 2024, &err), CADRE_EINVAL);
	assert_int_equal(chart_month_label(m, sizeof m, -202404, &err), CADRE_EINVAL);
}

/* 18 months, limits from the first 12 (mean 4.4, mR-bar 0.4, limits
 * 4.4 +/- 1.064 = 3.336 .. 5.464); the six 5.3s are inside the limits but
 * beyond the close zone (4.4 + 0.709333 = 5.109333) and, with the 4.6
 * before them, 7 above the mean: concern (lower is better).  So 11 common
 * points, 7 concern points, target 4.0 between the limits: hit and miss. */
static void test_spc_svg(void **state)
{
	(void)state;
	struct fixture fx;
	make_fixture(&fx, "sick-1", "Sickness absence rate", 18, true);
	assert_string_equal(fx.ch.data.variation, "concern-high");
	assert_string_equal(fx.ch.data.assurance, "hit-miss");
	char *svg = render_svg(&fx.ch.data);
	struct xml_report r;
	assert_well_formed(svg, &r);

	assert_int_equal(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39), 0);
	assert_non_null(strstr(svg, " role=\"img\""));
	assert_non_null(strstr(svg, " aria-labelledby=\"sick-1-title sick-1-desc\""));
	assert_non_null(strstr(svg, "<title id=\"sick-1-title\">Sickness absence rate</title>"));
	assert_non_null(strstr(svg, "<desc id=\"sick-1-desc\">XmR statistical process control "
	                            "chart of 18 monthly values from Apr 2023 to Sep 2024 (lower "
	                            "is better). Mean 4.40%, process limits 3.34% to 5.46%."));
	assert_non_null(strstr(svg, "Variation: Special cause of concerning nature (high)."));
	assert_non_null(strstr(svg, "Target 4.00%. Assurance: Hit and miss"));
	assert_non_null(strstr(svg, " viewBox=\"0 0 720 340\""));

	/* one circle per point, classed by cause */
	assert_int_equal(count_substr(svg, "class=\"spc-point "), 18);
	assert_int_equal(count_substr(svg, "class=\"spc-point spc-common\""), 11);
	assert_int_equal(count_substr(svg, "class=\"spc-point spc-concern\""), 7);
	assert_int_equal(count_substr(svg, "class=\"spc-point spc-improve\""), 0);
	/* mean and two dashed limits for the one period, plus the legend's */
	assert_int_equal(count_substr(svg, "class=\"spc-mean\""), 2);
	assert_int_equal(count_substr(svg, "class=\"spc-limit spc-upl\""), 1);
	assert_int_equal(count_substr(svg, "class=\"spc-limit spc-lpl\""), 1);
	assert_int_equal(count_substr(svg, "stroke-dasharray=\"6 4\""), 3);
	assert_int_equal(count_substr(svg, "class=\"spc-target\""), 2);
	/* the icons, with their labels */
	assert_non_null(strstr(svg, "class=\"spc-icon spc-icon-variation "
	                            "spc-icon-variation-concern-high\""));
	assert_non_null(strstr(svg, ">Concerning (high)</text>"));
	assert_non_null(strstr(svg, "class=\"spc-icon spc-icon-assurance "
	                            "spc-icon-assurance-hit-miss\""));
	assert_non_null(strstr(svg, ">Hit and miss</text>"));
	/* axis labels: every third month of 18 (Apr 2023, Jul 2023, ...) */
	assert_non_null(strstr(svg, ">Apr 2023</text>"));
	assert_non_null(strstr(svg, ">Jul 2023</text>"));
	assert_non_null(strstr(svg, ">Jan 2024</text>"));
	assert_null(strstr(svg, ">May 2023</text>"));
	/* a point's tooltip names its signals */
	assert_non_null(strstr(svg, "<title>Sep 2024: 5.30% (2 of 3 close to a limit; run of 7 on "
	                            "one side of the mean)</title>"));
	/* no inline style, no images, no script */
	assert_null(strstr(svg, "style="));
	assert_null(strstr(svg, "<image"));
	assert_null(strstr(svg, "<script"));
	assert_int_equal(element_count(&r, "svg"), 1);
	assert_int_equal(element_count(&r, "circle"), 18 + 3 + 2); /* points, key, icons */

	char *table = render_table(&fx.ch.data);
	write_snapshot("spc.html", svg, table);
	free(table);
	free(svg);
	free_fixture(&fx);
}

static void test_spc_table(void **state)
{
	(void)state;
	struct fixture fx;
	make_fixture(&fx, "sick-2", "Sickness absence rate", 18, true);
	char *t = render_table(&fx.ch.data);
	struct xml_report r;
	assert_well_formed(t, &r);
	assert_non_null(strstr(t, "<table class=\"nhsuk-table spc-table\" id=\"sick-2-table\">"));
	assert_non_null(strstr(t, "<caption class=\"nhsuk-table__caption\">Sickness absence "
	                          "rate: data for the chart</caption>"));
	/* month, value, mean, two limits, target, signal */
	assert_int_equal(count_substr(t, "scope=\"col\""), 7);
	assert_int_equal(count_substr(t, "scope=\"row\""), 18);
	assert_int_equal(element_count(&r, "tr"), 19);
	assert_non_null(strstr(t, ">Value (%)</th>"));
	assert_non_null(strstr(t, ">Lower process limit</th>"));
	/* first row: Apr 2023, 4.20, mean 4.40, limits 3.34 and 5.46, target 4.00 */
	assert_non_null(
	    strstr(t, "<th scope=\"row\" class=\"nhsuk-table__header\">Apr 2023</th>"
	              "<td class=\"nhsuk-table__cell nhsuk-table__cell--numeric\">4.20</td>"
	              "<td class=\"nhsuk-table__cell nhsuk-table__cell--numeric\">4.40</td>"
	              "<td class=\"nhsuk-table__cell nhsuk-table__cell--numeric\">3.34</td>"
	              "<td class=\"nhsuk-table__cell nhsuk-table__cell--numeric\">5.46</td>"
	              "<td class=\"nhsuk-table__cell nhsuk-table__cell--numeric\">4.00</td>"
	              "<td class=\"nhsuk-table__cell\">Common cause</td>"));
	assert_non_null(strstr(t, ">Concern: run of 7 on one side of the mean</td>"));
	assert_int_equal(count_substr(t, ">Common cause</td>"), 11);
	assert_null(strstr(t, "style="));
	free(t);
	free_fixture(&fx);
}

/* 9 months: a run chart, median only, the "too few points" icon.  The
 * values 4.2 x 5 and 4.6 x 4: the 5th of 9 sorted is 4.2. */
static void test_run_chart(void **state)
{
	(void)state;
	struct fixture fx;
	make_fixture(&fx, "sick-3", "Sickness absence rate", 9, true);
	assert_true(fx.ch.data.run_chart);
	char *svg = render_svg(&fx.ch.data);
	struct xml_report r;
	assert_well_formed(svg, &r);
	assert_non_null(strstr(svg, "class=\"spc-chart spc-run-chart\""));
	assert_non_null(strstr(svg, ">Run chart of 9 monthly values from Apr 2023 to Dec 2023 "
	                            "(lower is better). Too few points (fewer than 12) for process "
	                            "limits. Median 4.20%."));
	assert_int_equal(count_substr(svg, "class=\"spc-median\""), 2); /* line + legend */
	assert_null(strstr(svg, "spc-limit"));
	assert_null(strstr(svg, "spc-mean"));
	assert_int_equal(count_substr(svg, "class=\"spc-point spc-common\""), 9);
	assert_non_null(strstr(svg, "spc-icon-variation-insufficient"));
	assert_non_null(strstr(svg, ">Too few points</text>"));
	assert_null(strstr(svg, "spc-icon-assurance"));
	char *t = render_table(&fx.ch.data);
	assert_well_formed(t, &r);
	/* month, value, median, target: no limits or signals */
	assert_int_equal(count_substr(t, "scope=\"col\""), 4);
	assert_non_null(strstr(t, ">Median</th>"));
	assert_null(strstr(t, "limit"));
	write_snapshot("run.html", svg, t);
	free(t);
	free(svg);
	free_fixture(&fx);
}

/* A measure named <script>: inert text everywhere. */
static void test_text_is_escaped(void **state)
{
	(void)state;
	struct fixture fx;
	make_fixture(&fx, "x", "<script>alert(\"pwned\")</script> & co", 14, false);
	struct chart_spc_data d = fx.ch.data;
	d.unit = "<b>";
	char *svg = render_svg(&d);
	char *t = render_table(&d);
	struct xml_report r;
	assert_well_formed(svg, &r);
	assert_well_formed(t, &r);
	assert_int_equal(element_count(&r, "script"), 0);
	assert_int_equal(element_count(&r, "b"), 0);
	assert_null(strstr(svg, "<script"));
	assert_null(strstr(t, "<script"));
	assert_null(strstr(svg, "<b>"));
	assert_non_null(
	    strstr(svg, "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; co"));
	assert_non_null(strstr(t, "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; co: "
	                          "data for the chart"));
	assert_non_null(strstr(t, ">Value (&lt;b&gt;)</th>"));
	free(t);
	free(svg);
	free_fixture(&fx);
}

/* Same input, same bytes: twice, and under another locale if it exists. */
static void test_deterministic(void **state)
{
	(void)state;
	struct fixture fx;
	make_fixture(&fx, "det", "Sickness absence rate", 24, true);
	char *a = render_svg(&fx.ch.data);
	char *b = render_svg(&fx.ch.data);
	char ha[65], hb[65];
	sha256_hex(a, strlen(a), ha);
	sha256_hex(b, strlen(b), hb);
	assert_string_equal(ha, hb);
	assert_string_equal(a, b);
	/* a comma-decimal locale must not change a number (tried when installed) */
	static const char *const locales[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE.utf8"};
	for (size_t i = 0; i < N(locales); i++) {
		if (!setlocale(LC_ALL, locales[i]))
			continue;
		char *c = render_svg(&fx.ch.data);
		(void)setlocale(LC_ALL, "C");
		assert_string_equal(a, c);
		free(c);
		break;
	}
	/* a different value changes the bytes */
	struct chart_spc_point pts[24];
	memcpy(pts, fx.ch.data.points, sizeof pts);
	pts[3].value += 0.01;
	struct chart_spc_data d = fx.ch.data;
	d.points = pts;
	char *c = render_svg(&d);
	sha256_hex(c, strlen(c), hb);
	assert_string_not_equal(ha, hb);
	free(c);
	free(b);
	free(a);
	free_fixture(&fx);
}

static void test_spc_bad_input(void **state)
{
	(void)state;
	struct fixture fx;
	make_fixture(&fx, "bad", "Sickness absence rate", 14, false);
	struct buf out;
	struct cadre_err err;
	buf_init(&out, 1 << 20);
	assert_int_equal(buf_puts(&out, "kept", &err), CADRE_OK);

	struct chart_spc_data d = fx.ch.data;
	d.id = "a b";
	assert_int_equal(chart_spc_svg(&out, &d, &err), CADRE_EINVAL);
	d = fx.ch.data;
	d.n = 0;
	assert_int_equal(chart_spc_svg(&out, &d, &err), CADRE_EINVAL);
	d = fx.ch.data;
	d.variation = "sideways";
	assert_int_equal(chart_spc_svg(&out, &d, &err), CADRE_EINVAL);
	struct chart_spc_point pts[14];
	memcpy(pts, fx.ch.data.points, sizeof pts);
	d = fx.ch.data;
	d.points = pts;
	pts[5].month = 202313;
	assert_int_equal(chart_spc_svg(&out, &d, &err), CADRE_EINVAL);
	assert_int_equal(chart_spc_table_html(&out, &d, &err), CADRE_EINVAL);
	pts[5].month = fx.ch.data.points[5].month;
	pts[5].value = NAN;
	assert_int_equal(chart_spc_svg(&out, &d, &err), CADRE_EINVAL);
	pts[5].value = 1;
	pts[5].cause = "bogus";
	assert_int_equal(chart_spc_svg(&out, &d, &err), CADRE_EINVAL);
	assert_string_equal(buf_cstr(&out), "kept");

	/* the cap: nothing half-written */
	struct buf small;
	buf_init(&small, 2000);
	assert_int_equal(buf_puts(&small, "kept", &err), CADRE_OK);
	assert_int_equal(chart_spc_svg(&small, &fx.ch.data, &err), CADRE_EINVAL);
	assert_string_equal(buf_cstr(&small), "kept");
	assert_int_equal(chart_spc_table_html(&small, &fx.ch.data, &err), CADRE_EINVAL);
	assert_string_equal(buf_cstr(&small), "kept");
	buf_free(&small);
	buf_free(&out);
	free_fixture(&fx);
}

/* ---- radar ------------------------------------------------------------- */

static const char *const factors[] = {"Leadership", "Technology",
                                      "Information, method & governance",
                                      "Engagement and integration", "Strategy"};

static void radar_fixture(struct chart_radar_data *r, struct chart_radar_series *s)
{
	static const double now[] = {3, 2.5, 4, 3.5, 2};
	static const double last[] = {2, 2, 3, 3, 2};
	s[0] = (struct chart_radar_series){"This round", now};
	s[1] = (struct chart_radar_series){"Last round", last};
	*r = (struct chart_radar_data){.id = "wfp",
	                               .title = "Workforce planning self-assessment",
	                               .axes = factors,
	                               .n_axes = 5,
	                               .min = 1,
	                               .max = 5,
	                               .series = s,
	                               .n_series = 2};
}

static void test_radar(void **state)
{
	(void)state;
	struct chart_radar_data r;
	struct chart_radar_series s[2];
	radar_fixture(&r, s);
	struct buf out;
	struct cadre_err err;
	buf_init(&out, 1 << 20);
	assert_int_equal(chart_radar_svg(&out, &r, &err), CADRE_OK);
	const char *svg = buf_cstr(&out);
	struct xml_report x;
	assert_well_formed(svg, &x);
	/* rings at 2, 3, 4, 5 (1 is the centre) and a polygon per series */
	assert_int_equal(count_substr(svg, "class=\"radar-ring\""), 4);
	assert_int_equal(element_count(&x, "polygon"), 6);
	assert_int_equal(count_substr(svg, "class=\"radar-spoke\""), 5);
	assert_int_equal(count_substr(svg, "class=\"radar-series radar-series-1\""), 1);
	assert_int_equal(count_substr(svg, "class=\"radar-series radar-series-2\""), 1);
	assert_int_equal(element_count(&x, "circle"), 10);
	assert_non_null(strstr(svg, ">Information, method &amp; governance</text>"));
	assert_non_null(strstr(svg, "This round: Leadership 3, Technology 2.5, Information, "
	                            "method &amp; governance 4, Engagement and integration 3.5, "
	                            "Strategy 2."));
	/* Leadership is straight up: This round's 3 is half way (f = 0.5) to
	 * the radius 150 from the centre (320, 200): y = 200 - 75 = 125. */
	assert_non_null(strstr(svg, "points=\"320,125 "));
	assert_null(strstr(svg, "style="));

	char *svg_copy = xstrdup(svg);
	buf_reset(&out);
	assert_int_equal(chart_radar_table_html(&out, &r, &err), CADRE_OK);
	const char *t = buf_cstr(&out);
	assert_well_formed(t, &x);
	assert_int_equal(count_substr(t, "scope=\"col\""), 3);
	assert_int_equal(count_substr(t, "scope=\"row\""), 5);
	write_snapshot("radar.html", svg_copy, t);
	free(svg_copy);
	assert_non_null(strstr(t,
	                       ">Technology</th><td class=\"nhsuk-table__cell "
	                       "nhsuk-table__cell--numeric\">2.5</td><td class=\"nhsuk-table__cell "
	                       "nhsuk-table__cell--numeric\">2</td>"));

	/* a value off the scale, too few axes */
	static const double off[] = {3, 2.5, 6, 3.5, 2};
	s[1].values = off;
	buf_reset(&out);
	assert_int_equal(chart_radar_svg(&out, &r, &err), CADRE_EINVAL);
	assert_non_null(strstr(err.msg, "series 2, axis 3"));
	assert_int_equal(out.len, 0);
	s[1].values = s[0].values;
	r.n_axes = 2;
	assert_int_equal(chart_radar_svg(&out, &r, &err), CADRE_EINVAL);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_number_format), cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_writer_rules),  cmocka_unit_test(test_month_label),
	    cmocka_unit_test(test_spc_svg),       cmocka_unit_test(test_spc_table),
	    cmocka_unit_test(test_run_chart),     cmocka_unit_test(test_text_is_escaped),
	    cmocka_unit_test(test_deterministic), cmocka_unit_test(test_spc_bad_input),
	    cmocka_unit_test(test_radar),
	};
	return cmocka_run_group_tests_name("io_chart", tests, NULL, NULL);
}
