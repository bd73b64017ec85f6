#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "io/assets.h"
#include "io/template.h"

#define OUT_CAP ((size_t)1 << 20)
#define TOKEN   "Zm9vYmFyYmF6cXV4LWNzcmYtdG9rZW4"

/* ---- helpers ------------------------------------------------------------ */

/* load: a set from name/text pairs (NULL-terminated), names without
 * templates/ in front; the paths read templates/NAME. */
static int load(struct template_set *set, struct cadre_err *e, const char *const *pairs)
{
	struct template_source src[16];
	char paths[16][80];
	size_t n = 0;
	for (; pairs[2 * n]; n++) {
		(void)snprintf(paths[n], sizeof paths[n], "templates/%s", pairs[2 * n]);
		src[n].name = pairs[2 * n];
		src[n].path = paths[n];
		src[n].data = (const unsigned char *)pairs[2 * n + 1];
		src[n].len = strlen(pairs[2 * n + 1]);
	}
	return template_set_load(set, src, n, e);
}

/* load_error: the message of loading one template t.html, which must fail. */
static const char *load_error(const char *text)
{
	static struct cadre_err e;
	struct template_set set;
	template_set_init(&set);
	const char *pairs[] = {"t.html", text, NULL};
	int rc = load(&set, &e, pairs);
	template_set_free(&set);
	assert_int_equal(rc, CADRE_EINVAL);
	return e.msg;
}

/* render: t.html (plus an optional partial p.html) with the JSON context;
 * the caller frees the result.  Asserts load and render succeed. */
static char *render_with(const char *text, const char *partial, const char *ctx_json,
                         unsigned flags)
{
	struct template_set set;
	struct cadre_err e;
	template_set_init(&set);
	const char *pairs[] = {"t.html", text, partial ? "p.html" : NULL, partial, NULL};
	int rc = load(&set, &e, pairs);
	if (rc)
		fail_msg("load: %s", e.msg);
	json_error_t je;
	json_t *ctx = json_loads(ctx_json, JSON_DECODE_ANY, &je);
	if (!ctx)
		fail_msg("bad test JSON: %s", je.text);
	struct buf out;
	buf_init(&out, OUT_CAP);
	rc = template_render(&set, "t", ctx, flags, &out, &e);
	if (rc)
		fail_msg("render: %s", e.msg);
	json_decref(ctx);
	template_set_free(&set);
	return buf_detach(&out);
}

static char *render(const char *text, const char *ctx_json)
{
	return render_with(text, NULL, ctx_json, 0);
}

static void expect(const char *text, const char *ctx_json, const char *want)
{
	char *got = render(text, ctx_json);
	assert_string_equal(got, want);
	free(got);
}

/* render_error: the status and message of a render that must fail. */
static int render_error(const char *text, const char *ctx_json, unsigned flags, size_t cap,
                        struct cadre_err *e)
{
	struct template_set set;
	template_set_init(&set);
	const char *pairs[] = {"t.html", text, NULL};
	if (load(&set, e, pairs))
		fail_msg("load: %s", e->msg);
	json_t *ctx = json_loads(ctx_json, 0, NULL);
	assert_non_null(ctx);
	struct buf out;
	buf_init(&out, cap);
	assert_int_equal(buf_puts(&out, "before|", NULL), CADRE_OK);
	int rc = template_render(&set, "t", ctx, flags, &out, e);
	assert_int_not_equal(rc, CADRE_OK);
	/* never a truncated page: the buffer is as it was */
	assert_string_equal(buf_cstr(&out), "before|");
	buf_free(&out);
	json_decref(ctx);
	template_set_free(&set);
	return rc;
}

/* ---- escaping ----------------------------------------------------------- */

static void test_escape_text(void **state)
{
	(void)state;
	expect("<p>{{x}}</p>", "{\"x\": \"<script>alert('x') & \\\"y\\\"</script>\"}",
	       "<p>&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;&#x2F;script&gt;</p>");
	/* all eight, and UTF-8 passes through */
	expect("{{x}}", "{\"x\": \"& < > \\\" ' / ` = £ café\"}",
	       "&amp; &lt; &gt; &quot; &#39; &#x2F; &#96; &#61; £ café");
	/* an empty and a plain string */
	expect("[{{a}}][{{b}}]", "{\"a\": \"\", \"b\": \"Ward 7\"}", "[][Ward 7]");
}

static void test_escape_attribute(void **state)
{
	(void)state;
	expect("<a title=\"{{x}}\">t</a>", "{\"x\": \"\\\"><img src=x onerror=alert(1)>\"}",
	       "<a title=\"&quot;&gt;&lt;img src&#61;x onerror&#61;alert(1)&gt;\">t</a>");
	expect("<a title='{{x}}'>t</a>", "{\"x\": \"' onmouseover='alert(1)\"}",
	       "<a title='&#39; onmouseover&#61;&#39;alert(1)'>t</a>");
	expect("<input value=\"{{v}}\" class=\"a {{c}} b\">", "{\"v\": \"x`y\", \"c\": \"z\"}",
	       "<input value=\"x&#96;y\" class=\"a z b\">");
}

static void test_escape_html_function(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 64);
	assert_int_equal(template_escape_html(&b, "a<b>c", 5, NULL), CADRE_OK);
	assert_int_equal(template_escape_html(&b, "", 0, NULL), CADRE_OK);
	assert_string_equal(buf_cstr(&b), "a&lt;b&gt;c");
	buf_free(&b);
	/* the cap holds for escaped output too */
	struct cadre_err e;
	buf_init(&b, 8);
	assert_int_equal(template_escape_html(&b, "<<<", 3, &e), CADRE_EINVAL);
	assert_string_equal(buf_cstr(&b), "&lt;&lt;");
	buf_free(&b);
}

static void test_url_attributes(void **state)
{
	(void)state;
	const char *t = "<a href=\"{{u}}\">x</a>";
	expect(t, "{\"u\": \"javascript:alert(1)\"}", "<a href=\"#unsafe-url\">x</a>");
	expect(t, "{\"u\": \" JaVaScRiPt:alert(1)\"}", "<a href=\"#unsafe-url\">x</a>");
	expect(t, "{\"u\": \"java\\tscript:alert(1)\"}", "<a href=\"#unsafe-url\">x</a>");
	expect(t, "{\"u\": \"data:text/html,<script>\"}", "<a href=\"#unsafe-url\">x</a>");
	expect(t, "{\"u\": \"vbscript:x\"}", "<a href=\"#unsafe-url\">x</a>");
	expect(t, "{\"u\": \"https://example.org/a?b=1&c=2\"}",
	       "<a href=\"https:&#x2F;&#x2F;example.org&#x2F;a?b&#61;1&amp;c&#61;2\">x</a>");
	expect(t, "{\"u\": \"/org/RX1\"}", "<a href=\"&#x2F;org&#x2F;RX1\">x</a>");
	expect(t, "{\"u\": \"#staff\"}", "<a href=\"#staff\">x</a>");
	expect(t, "{\"u\": \"MAILTO:a@b.nhs.uk\"}", "<a href=\"MAILTO:a@b.nhs.uk\">x</a>");
	expect(t, "{\"u\": \"people?x=a:b\"}", "<a href=\"people?x&#61;a:b\">x</a>");
	/* form action and src too */
	expect("<form action=\"{{u}}\"></form><img src=\"{{u}}\" alt=\"\">",
	       "{\"u\": \"javascript:x\"}",
	       "<form action=\"#unsafe-url\"></form><img src=\"#unsafe-url\" alt=\"\">");
	/* a literal path before the value fixes the scheme: escaped, not checked */
	expect("<a href=\"/org/{{c}}\">x</a>", "{\"c\": \"javascript:x\"}",
	       "<a href=\"/org/javascript:x\">x</a>");
	/* a literal without a delimiter does not: the value is still checked */
	expect("<a href=\"java{{c}}\">x</a>", "{\"c\": \"script:x\"}",
	       "<a href=\"java#unsafe-url\">x</a>");
	/* strict mode makes an unsafe URL an error with its line */
	struct cadre_err e;
	assert_int_equal(render_error("\n<a href=\"{{u}}\">x</a>", "{\"u\": \"javascript:1\"}",
	                              TEMPLATE_STRICT, OUT_CAP, &e),
	                 CADRE_EINTERNAL);
	assert_string_equal(e.msg, "templates/t.html:2: 'u' is not a safe URL");
}

static void test_url_safe(void **state)
{
	(void)state;
	const char *ok[] = {"",         "/",         "/a:b",     "a/b:c",    "?q=x:y", "#f",
	                    "http://x", "HTTPS://x", "mailto:x", "tel:+441", "plain",  "a.b-c"};
	const char *bad[] = {"javascript:", "JAVASCRIPT:x",   " http://x",
	                     "data:x",      "ftp://x",        ":x",
	                     "file:///etc", "java\nscript:x", "https\x01:x"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		assert_true(template_url_safe(ok[i], strlen(ok[i])));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(template_url_safe(bad[i], strlen(bad[i])));
}

/* Values only where escaping protects them: refused at load, with the line. */
static void test_context_refusals(void **state)
{
	(void)state;
	struct {
		const char *text;
		const char *want;
	} cases[] = {
	    {"<div {{x}}>", "templates/t.html:1: {{x}} stands inside a tag (outside a quoted "
	                    "attribute value): a value may only stand in text or inside a quoted "
	                    "attribute value"},
	    {"<td colspan={{n}}>",
	     "templates/t.html:1: {{n}} stands in an unquoted attribute value: "
	     "a value may only stand in text or inside a quoted attribute "
	     "value"},
	    {"<p>\n<a onclick=\"go({{x}})\">", "templates/t.html:2: {{x}} stands in the attribute "
	                                       "'onclick', where HTML escaping does not protect it "
	                                       "(script, style or srcdoc)"},
	    {"<p style=\"color: {{c}}\">", "templates/t.html:1: {{c}} stands in the attribute "
	                                   "'style', where HTML escaping does not protect it "
	                                   "(script, style or srcdoc)"},
	    {"<iframe srcdoc=\"{{h}}\">", "templates/t.html:1: {{h}} stands in the attribute "
	                                  "'srcdoc', where HTML escaping does not protect it "
	                                  "(script, style or srcdoc)"},
	    {"<script>\nvar x = \"{{x}}\";\n</script>",
	     "templates/t.html:2: {{x}} stands inside <script> or <style>: a value may only stand "
	     "in text or inside a quoted attribute value"},
	    {"<STYLE>p { color: {{c}} }</STYLE>",
	     "templates/t.html:1: {{c}} stands inside <script> or <style>: a value may only stand "
	     "in text or inside a quoted attribute value"},
	    {"<{{x}}>", "templates/t.html:1: {{x}} stands inside markup ('<', '<!' or '</' before "
	                "it): a value may only stand in text or inside a quoted attribute value"},
	    {"<a title=\"{{{csrf_field csrf_token}}}\">",
	     "templates/t.html:1: unescaped output may only stand in text, not in an attribute "
	     "value"},
	    {"<div class=\"{{> p}}\">", "templates/t.html:1: a partial may only stand in text, not "
	                                "in an attribute value"},
	    {"<script>{{#a}}x{{/a}}</script>",
	     "templates/t.html:1: a section may not open inside <script> or <style>"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(load_error(cases[i].text), cases[i].want);
	/* after </script> and in comments, values are fine again */
	expect("<script src=\"/a.js\"></script><p>{{x}}</p><!-- {{x}} -->", "{\"x\": \"<b>\"}",
	       "<script src=\"/a.js\"></script><p>&lt;b&gt;</p><!-- &lt;b&gt; -->");
	expect("<p>a < b {{x}}</p>", "{\"x\": 1}", "<p>a < b 1</p>");
}

/* ---- values, sections, names -------------------------------------------- */

static void test_values(void **state)
{
	(void)state;
	expect("{{i}}|{{n}}|{{r}}|{{s}}|{{t}}|{{f}}|{{z}}|{{o}}|{{a}}|{{m}}",
	       "{\"i\": 42, \"n\": -7, \"r\": 12.5, \"s\": \"x\", \"t\": true, \"f\": false, "
	       "\"z\": null, \"o\": {\"k\": 1}, \"a\": [1]}",
	       "42|-7|12.5|x|true|false||||");
	expect("{{a}} {{b}} {{c}}", "{\"a\": 0.1, \"b\": 1234567.5, \"c\": 9007199254740993}",
	       "0.1 1234567.5 9007199254740993");
}

static void test_sections(void **state)
{
	(void)state;
	/* falsy: false, null, missing, "", []; truthy: everything else, 0 too */
	const char *t = "{{#v}}Y{{/v}}{{^v}}N{{/v}}";
	struct {
		const char *ctx;
		const char *want;
	} cases[] = {
	    {"{\"v\": false}", "N"}, {"{\"v\": null}", "N"},  {"{}", "N"},
	    {"{\"v\": \"\"}", "N"},  {"{\"v\": []}", "N"},    {"{\"v\": true}", "Y"},
	    {"{\"v\": 0}", "Y"},     {"{\"v\": \"0\"}", "Y"}, {"{\"v\": {}}", "Y"},
	    {"{\"v\": 0.0}", "Y"},   {"{\"v\": [0]}", "Y"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect(t, cases[i].ctx, cases[i].want);
	/* arrays of objects iterate; objects push; the outer context shows through */
	expect("<ul>{{#staff}}<li>{{name}} ({{band}}) at {{org}}</li>{{/staff}}</ul>",
	       "{\"org\": \"RX1\", \"staff\": [{\"name\": \"Ann\", \"band\": 5}, "
	       "{\"name\": \"Bob\", \"band\": 6, \"org\": \"RY2\"}]}",
	       "<ul><li>Ann (5) at RX1</li><li>Bob (6) at RY2</li></ul>");
	expect("{{#org}}{{name}} {{code}}{{/org}}",
	       "{\"code\": \"X\", \"org\": {\"name\": \"Leeds\"}}", "Leeds X");
	/* scalars push themselves for {{.}}; nested arrays */
	expect("{{#l}}[{{.}}]{{/l}}", "{\"l\": [\"a\", 2, true]}", "[a][2][true]");
	expect("{{#rows}}{{#.}}{{.}},{{/.}};{{/rows}}", "{\"rows\": [[1, 2], [3]]}", "1,2,;3,;");
	expect("{{#s}}{{.}}{{/s}}", "{\"s\": \"once\"}", "once");
	/* list.0: once when the list is not empty */
	const char *once = "{{#l.0}}<ul>{{#l}}<li>{{.}}</li>{{/l}}</ul>{{/l.0}}";
	expect(once, "{\"l\": [\"a\", \"b\"]}", "<ul><li>a</li><li>b</li></ul>");
	expect(once, "{\"l\": []}", "");
	/* sections inside tags and attribute values */
	expect("<input{{#d}} disabled{{/d}} class=\"a{{#e}} b{{/e}}\">", "{\"d\": 1, \"e\": 0}",
	       "<input disabled class=\"a b\">");
	expect("<input{{#d}} disabled{{/d}} class=\"a{{#e}} b{{/e}}\">", "{}",
	       "<input class=\"a\">");
}

static void test_dotted_names(void **state)
{
	(void)state;
	expect("{{org.name}}|{{org.parent.code}}|{{org.nope}}|{{nope.x}}|{{list.1.n}}|{{list.9.n}}",
	       "{\"org\": {\"name\": \"Leeds\", \"parent\": {\"code\": \"QWO\"}}, "
	       "\"list\": [{\"n\": 1}, {\"n\": 2}]}",
	       "Leeds|QWO|||2|");
	/* Mustache: once the first part is found, the rest is looked up in it
	 * only, never further out */
	expect("{{#a}}{{b.c}}{{/a}}", "{\"b\": {\"c\": \"outer\"}, \"a\": {\"b\": {}}}", "");
	expect("{{#a}}{{b.c}}{{/a}}", "{\"b\": {\"c\": \"outer\"}, \"a\": {\"x\": 1}}", "outer");
	/* a context that is not an object */
	expect("[{{.}}][{{x}}]", "\"top\"", "[top][]");
}

static void test_strict_mode(void **state)
{
	(void)state;
	struct cadre_err e;
	assert_int_equal(
	    render_error("a\nb {{org.name}}", "{\"org\": {}}", TEMPLATE_STRICT, OUT_CAP, &e),
	    CADRE_EINTERNAL);
	assert_string_equal(e.msg, "templates/t.html:2: no value for 'org.name' (strict mode)");
	assert_int_equal(render_error("{{#staff}}x{{/staff}}", "{}", TEMPLATE_STRICT, OUT_CAP, &e),
	                 CADRE_EINTERNAL);
	assert_string_equal(e.msg, "templates/t.html:1: no value for 'staff' (strict mode)");
	assert_int_equal(render_error("{{o}}", "{\"o\": {}}", TEMPLATE_STRICT, OUT_CAP, &e),
	                 CADRE_EINTERNAL);
	assert_string_equal(e.msg, "templates/t.html:1: 'o' is an object or array, not a value");
	/* null and false are present, an empty list's .0 too */
	char *s = render_with("[{{a}}]{{#b}}x{{/b}}{{#l.0}}y{{/l.0}}", NULL,
	                      "{\"a\": null, \"b\": false, \"l\": []}", TEMPLATE_STRICT);
	assert_string_equal(s, "[]");
	free(s);
}

/* ---- partials, parents, comments, whitespace ---------------------------- */

static void test_partials(void **state)
{
	(void)state;
	char *s = render_with("<ul>{{#people}}{{> p}}{{/people}}</ul>", "<li>{{name}}</li>",
	                      "{\"people\": [{\"name\": \"A\"}, {\"name\": \"<B>\"}]}", 0);
	assert_string_equal(s, "<ul><li>A</li><li>&lt;B&gt;</li></ul>");
	free(s);
	/* recursion over data: an organisation tree */
	s = render_with(
	    "{{> p}}",
	    "{{name}}{{#children.0}}({{/children.0}}{{#children}}{{> p}}{{/children}}"
	    "{{#children.0}}){{/children.0}}",
	    "{\"name\": \"E\", \"children\": [{\"name\": \"R\", \"children\": "
	    "[{\"name\": \"I1\", \"children\": []}, {\"name\": \"I2\", \"children\": []}]}]}",
	    TEMPLATE_STRICT);
	assert_string_equal(s, "E(R(I1I2))");
	free(s);
	/* endless recursion is an error, not a crash */
	struct template_set set;
	struct cadre_err e;
	template_set_init(&set);
	const char *pairs[] = {"t.html", "x{{> t}}", NULL};
	assert_int_equal(load(&set, &e, pairs), CADRE_OK);
	struct buf out;
	buf_init(&out, OUT_CAP);
	assert_int_equal(template_render(&set, "t", NULL, 0, &out, &e), CADRE_EINTERNAL);
	assert_string_equal(e.msg, "templates/t.html:1: partials, parents and blocks nested more "
	                           "than 24 deep");
	assert_int_equal(out.len, 0);
	buf_free(&out);
	template_set_free(&set);
	/* an unknown partial stops the load, with its line */
	assert_string_equal(load_error("a\n\n{{> nowhere}}"),
	                    "templates/t.html:3: unknown partial 'nowhere'");
	/* an unknown template at render */
	template_set_init(&set);
	const char *one[] = {"t.html", "x", NULL};
	assert_int_equal(load(&set, &e, one), CADRE_OK);
	assert_true(template_set_has(&set, "t"));
	assert_false(template_set_has(&set, "t.html"));
	buf_init(&out, OUT_CAP);
	assert_int_equal(template_render(&set, "nope", NULL, 0, &out, &e), CADRE_EINTERNAL);
	assert_string_equal(e.msg, "no template named 'nope'");
	buf_free(&out);
	template_set_free(&set);
}

static void test_parents_and_blocks(void **state)
{
	(void)state;
	struct template_set set;
	struct cadre_err e;
	template_set_init(&set);
	const char *pairs[] = {
	    "base.html",
	    "<title>{{$title}}Cadre{{/title}}</title><main>{{$body}}empty{{/body}}</main>",
	    "section.html",
	    "{{<base}}{{$body}}<nav>{{$nav}}-{{/nav}}</nav>{{$inner}}i{{/inner}}{{/body}}{{/base}}",
	    "page.html",
	    "{{! a page }}\n{{<section}}\n  {{$title}}Home {{who}}{{/title}}\n  "
	    "{{$inner}}<h1>{{who}}</h1>{{/inner}}\n{{/section}}\n",
	    "plain.html",
	    "{{<base}}{{/base}}",
	    NULL};
	if (load(&set, &e, pairs))
		fail_msg("%s", e.msg);
	json_t *ctx = json_pack("{s:s}", "who", "<Ann>");
	struct buf out;
	buf_init(&out, OUT_CAP);
	assert_int_equal(template_render(&set, "page", ctx, TEMPLATE_STRICT, &out, &e), CADRE_OK);
	assert_string_equal(buf_cstr(&out), "<title>Home &lt;Ann&gt;</title><main><nav>-</nav>"
	                                    "<h1>&lt;Ann&gt;</h1></main>");
	buf_reset(&out);
	assert_int_equal(template_render(&set, "plain", ctx, 0, &out, &e), CADRE_OK);
	assert_string_equal(buf_cstr(&out), "<title>Cadre</title><main>empty</main>");
	buf_reset(&out);
	assert_int_equal(template_render(&set, "base", ctx, 0, &out, &e), CADRE_OK);
	assert_string_equal(buf_cstr(&out), "<title>Cadre</title><main>empty</main>");
	buf_free(&out);
	json_decref(ctx);
	template_set_free(&set);

	assert_string_equal(load_error("{{<t}}\n oops {{$a}}{{/a}}{{/t}}"),
	                    "templates/t.html:2: text inside {{<t}} outside any {{$block}} (it "
	                    "would never show)");
	assert_string_equal(load_error("{{<t}}{{x}}{{/t}}"),
	                    "templates/t.html:1: only {{$block}} tags and comments may stand "
	                    "inside {{<parent}}");
	assert_string_equal(load_error("x\n{{<nowhere}}{{/nowhere}}"),
	                    "templates/t.html:2: unknown parent template 'nowhere'");
}

static void test_comments_and_standalone_lines(void **state)
{
	(void)state;
	expect("a{{! note }}b{{!\n  two\n  lines }}c", "{}", "abc");
	assert_string_equal(load_error("{{! a {b}} }}\n"),
	                    "templates/t.html:1: '}}' outside a tag (did a comment holding '}}' "
	                    "end early?)");
	assert_string_equal(
	    load_error("x\n{{! use {{#a}} here }}"),
	    "templates/t.html:2: '{{' inside a comment: a comment ends at the first "
	    "'}}', so it cannot hold tags");
	/* tags alone on their line take the line with them; values do not */
	expect("<ul>\n  {{#l}}\n  <li>{{.}}</li>\n  {{/l}}\n</ul>\n", "{\"l\": [1, 2]}",
	       "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
	expect("  {{! c }}  \r\nx\n{{^no}}\ny\n{{/no}}", "{}", "x\ny\n");
	expect("a {{#t}}b{{/t}} c\n  {{v}}\n", "{\"t\": 1, \"v\": 2}", "a b c\n  2\n");
	expect("{{#t}}\n{{/t}}x", "{\"t\": 1}", "x");
}

/* ---- unescaped output: producers only ----------------------------------- */

static int produce_chart(const json_t *value, struct buf *out, struct cadre_err *err)
{
	json_int_t n = json_integer_value(value);
	return buf_printf(out, err, "<svg role=\"img\"><title>%lld points</title></svg>",
	                  (long long)n);
}

static int produce_fail(const json_t *value, struct buf *out, struct cadre_err *err)
{
	(void)value;
	(void)buf_puts(out, "partial", NULL);
	return cadre_err_set(err, CADRE_EINVAL, "no chart data");
}

static void test_producers(void **state)
{
	(void)state;
	/* not registered: refused at load, with file and line, both spellings */
	assert_string_equal(load_error("<p>\n\n{{{name}}}</p>"),
	                    "templates/t.html:3: 'name' is not a registered producer of trusted "
	                    "HTML: unescaped output comes only from producers (docs/templates.md)");
	assert_string_equal(load_error("{{& name}}"),
	                    "templates/t.html:1: 'name' is not a registered producer of trusted "
	                    "HTML: unescaped output comes only from producers (docs/templates.md)");
	assert_string_equal(load_error("{{{csrf_field a..b}}}"),
	                    "templates/t.html:1: bad name 'a..b' for producer csrf_field");

	struct template_set set;
	struct cadre_err e;
	template_set_init(&set);
	assert_int_equal(template_set_add_producer(&set, "chart", produce_chart, &e), CADRE_OK);
	assert_int_equal(template_set_add_producer(&set, "fail", produce_fail, &e), CADRE_OK);
	assert_int_equal(template_set_add_producer(&set, "chart", produce_chart, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "producer chart registered twice");
	assert_int_equal(template_set_add_producer(&set, "Bad", produce_chart, &e), CADRE_EINVAL);
	assert_int_equal(template_set_add_producer(&set, "x-y", produce_chart, &e), CADRE_EINVAL);
	const char *pairs[] = {"t.html",
	                       "<form>{{{csrf_field csrf_token}}}</form>{{& chart n}}{{{chart}}}",
	                       "f.html", "a\n{{{fail}}}", NULL};
	assert_int_equal(load(&set, &e, pairs), CADRE_OK);
	assert_int_equal(template_set_add_producer(&set, "late", produce_chart, &e), CADRE_EINVAL);
	json_t *ctx = json_pack("{s:s,s:i,s:i}", "csrf_token", TOKEN, "n", 3, "chart", 7);
	struct buf out;
	buf_init(&out, OUT_CAP);
	assert_int_equal(template_render(&set, "t", ctx, TEMPLATE_STRICT, &out, &e), CADRE_OK);
	assert_string_equal(buf_cstr(&out),
	                    "<form><input type=\"hidden\" name=\"csrf_token\" value=\"" TOKEN
	                    "\"></form><svg role=\"img\"><title>3 points</title></svg>"
	                    "<svg role=\"img\"><title>7 points</title></svg>");
	/* a producer's failure fails the page, as the server's fault */
	buf_reset(&out);
	assert_int_equal(template_render(&set, "f", ctx, 0, &out, &e), CADRE_EINTERNAL);
	assert_string_equal(e.msg, "templates/f.html:2: no chart data");
	assert_int_equal(out.len, 0);
	/* a missing or malformed CSRF token never becomes a form */
	json_object_set_new(ctx, "csrf_token", json_string("short"));
	assert_int_equal(template_render(&set, "t", ctx, 0, &out, &e), CADRE_EINTERNAL);
	assert_string_equal(e.msg, "templates/t.html:1: csrf_field: no CSRF token of 16 to 128 "
	                           "characters in the context");
	json_object_set_new(ctx, "csrf_token", json_string("abcdefghijklmnop\"><script>"));
	assert_int_equal(template_render(&set, "t", ctx, 0, &out, &e), CADRE_EINTERNAL);
	json_object_del(ctx, "csrf_token");
	assert_int_equal(template_render(&set, "t", ctx, 0, &out, &e), CADRE_EINTERNAL);
	assert_int_equal(out.len, 0);
	buf_free(&out);
	json_decref(ctx);
	template_set_free(&set);
}

/* ---- parse errors ------------------------------------------------------- */

static void test_parse_errors(void **state)
{
	(void)state;
	struct {
		const char *text;
		const char *want;
	} cases[] = {
	    {"<h1>Org</h1>\n\n\n\n\n\n\n\n\n\n\n\n\n{{#staff}}\n<p>{{name}}</p>\n",
	     "templates/t.html:14: unclosed section 'staff'"},
	    {"{{^a}}\n{{#b}}", "templates/t.html:2: unclosed section 'b'"},
	    {"x\n{{^none}}", "templates/t.html:2: unclosed inverted section 'none'"},
	    {"{{$b}}", "templates/t.html:1: unclosed block 'b'"},
	    {"{{#a}}\n{{/b}}",
	     "templates/t.html:2: closing tag {{/b}} does not match {{#a}} opened "
	     "on line 1"},
	    {"x\n\n{{/a}}", "templates/t.html:3: closing tag {{/a}} without an open section"},
	    {"a\nb {{name\n}}", "templates/t.html:2: unclosed tag '{{name': no '}}' on its line"},
	    {"{{{csrf_field}}", "templates/t.html:1: unclosed tag '{{{': expected '}}}'"},
	    {"{{! never closed", "templates/t.html:1: unclosed tag '{{! never closed': no '}}' on "
	                         "its line"},
	    {"{{=<% %>=}}", "templates/t.html:1: set-delimiter tags {{=...=}} are not supported"},
	    {"{{}}", "templates/t.html:1: bad name ''"},
	    {"{{a..b}}", "templates/t.html:1: bad name 'a..b'"},
	    {"{{a b}}", "templates/t.html:1: bad name 'a b'"},
	    {"{{.a}}", "templates/t.html:1: bad name '.a'"},
	    {"{{#a.}}{{/a.}}", "templates/t.html:1: bad section name 'a.'"},
	    {"{{> ../etc}}", "templates/t.html:1: bad template name '../etc'"},
	    {"{{$a.b}}{{/a.b}}", "templates/t.html:1: bad block name 'a.b'"},
	    {"<p>\n{{#a}}<b class=\"{{/a}}\">",
	     "templates/t.html:2: section 'a' opened in text on line 2 but closes in an attribute "
	     "value: its body must leave the HTML where it found it"},
	    {"<a title=\"{{#a}}\" b=\"{{/a}}\">",
	     "templates/t.html:1: section 'a' opened in an attribute value on line 1 but closes in "
	     "an attribute value: its body must leave the HTML where it found it"},
	    {"<p>\n<a href=\"x\"", "templates/t.html:2: the template ends inside a tag (outside a "
	                           "quoted attribute value)"},
	    {"<!-- open", "templates/t.html:1: the template ends in an HTML comment"},
	    {"<a title=\"x>", "templates/t.html:1: the template ends in an attribute value"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(load_error(cases[i].text), cases[i].want);
}

static void test_load_errors(void **state)
{
	(void)state;
	assert_string_equal(load_error("ok\nbad \xff byte"), "templates/t.html:2: not valid UTF-8");
	struct template_set set;
	struct cadre_err e;
	/* a NUL byte */
	template_set_init(&set);
	struct template_source nul = {"t.html", "templates/t.html", (const unsigned char *)"a\n\0b",
	                              4};
	assert_int_equal(template_set_load(&set, &nul, 1, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "templates/t.html:2: a NUL byte");
	template_set_free(&set);
	/* two templates of one name */
	template_set_init(&set);
	const char *dup[] = {"a.html", "1", "a", "2", NULL};
	assert_int_equal(load(&set, &e, dup), CADRE_EINVAL);
	assert_string_equal(e.msg, "templates/a.html: a second template named 'a' (templates/a)");
	assert_false(template_set_has(&set, "a"));
	template_set_free(&set);
	/* a bad template name */
	template_set_init(&set);
	const char *bad[] = {"a b.html", "1", NULL};
	assert_int_equal(load(&set, &e, bad), CADRE_EINVAL);
	assert_string_equal(e.msg, "templates/a b.html: bad template name 'a b.html' (letters, "
	                           "digits, _ - /, then .html)");
	template_set_free(&set);
	/* loading twice */
	template_set_init(&set);
	const char *one[] = {"a.html", "1", NULL};
	assert_int_equal(load(&set, &e, one), CADRE_OK);
	assert_int_equal(load(&set, &e, one), CADRE_EINVAL);
	assert_string_equal(e.msg, "templates: the set is already loaded");
	template_set_free(&set);
	/* the limits */
	template_set_init(&set);
	set.limits.max_nodes = 4;
	const char *many[] = {"a.html", "1{{a}}2{{b}}3", NULL};
	assert_int_equal(load(&set, &e, many), CADRE_EINVAL);
	assert_string_equal(e.msg, "templates/a.html:1: more than 4 tags and text runs");
	template_set_free(&set);
	template_set_init(&set);
	set.limits.max_nesting = 2;
	const char *deep[] = {"a.html", "{{#a}}{{#b}}\n{{#c}}{{/c}}{{/b}}{{/a}}", NULL};
	assert_int_equal(load(&set, &e, deep), CADRE_EINVAL);
	assert_string_equal(e.msg, "templates/a.html:2: sections nested more than 2 deep");
	template_set_free(&set);
	template_set_init(&set);
	set.limits.max_source_bytes = 3;
	assert_int_equal(load(&set, &e, many), CADRE_EINVAL);
	assert_string_equal(e.msg, "templates/a.html: larger than 3 bytes");
	template_set_free(&set);
	template_set_init(&set);
	set.limits.max_templates = 1;
	assert_int_equal(load(&set, &e, dup), CADRE_EINVAL);
	assert_string_equal(e.msg, "templates: more than 1 templates");
	template_set_free(&set);
}

/* ---- rendering limits --------------------------------------------------- */

static void test_output_cap(void **state)
{
	(void)state;
	struct cadre_err e;
	/* "before|" takes 7 of the 20 bytes; "abcd" three times fits, the
	 * escaped "<" after it does not */
	assert_int_equal(
	    render_error("{{#l}}abcd{{/l}}{{x}}", "{\"l\": [1, 2, 3], \"x\": \"<\"}", 0, 20, &e),
	    CADRE_EINTERNAL);
	assert_string_equal(
	    e.msg, "templates/t.html:1: the page is larger than the reply cap of 20 bytes");
	struct template_set set;
	template_set_init(&set);
	const char *pairs[] = {"t.html", "{{#l}}abcd{{/l}}x", NULL};
	assert_int_equal(load(&set, &e, pairs), CADRE_OK);
	json_t *ctx = json_pack("{s:[i,i,i]}", "l", 1, 2, 3);
	struct buf out;
	buf_init(&out, 13);
	assert_int_equal(template_render(&set, "t", ctx, 0, &out, &e), CADRE_OK);
	assert_string_equal(buf_cstr(&out), "abcdabcdabcdx");
	buf_free(&out);
	json_decref(ctx);
	template_set_free(&set);
	/* sections nested past the context stack */
	struct buf t;
	buf_init(&t, 4096);
	for (int i = 0; i < TEMPLATE_CONTEXT_DEPTH; i++)
		assert_int_equal(buf_puts(&t, "{{#a}}", NULL), CADRE_OK);
	for (int i = 0; i < TEMPLATE_CONTEXT_DEPTH; i++)
		assert_int_equal(buf_puts(&t, "{{/a}}", NULL), CADRE_OK);
	template_set_init(&set);
	set.limits.max_nesting = TEMPLATE_CONTEXT_DEPTH;
	const char *nest[] = {"t.html", buf_cstr(&t), NULL};
	assert_int_equal(load(&set, &e, nest), CADRE_OK);
	ctx = json_loads("{\"a\": [1]}", 0, NULL);
	buf_init(&out, OUT_CAP);
	assert_int_equal(template_render(&set, "t", ctx, 0, &out, &e), CADRE_EINTERNAL);
	assert_string_equal(e.msg, "templates/t.html:1: sections nested more than 48 deep");
	buf_free(&out);
	buf_free(&t);
	json_decref(ctx);
	template_set_free(&set);
}

/* ---- the embedded templates --------------------------------------------- */

/* balanced: whether the elements of html open and close in order (void
 * elements and <x/> excepted); a rough check of well-formedness. */
static bool balanced(const char *html, char *why, size_t whylen)
{
	static const char *const voids[] = {"area",  "base", "br",   "col",    "embed", "hr", "img",
	                                    "input", "link", "meta", "source", "track", "wbr"};
	char stack[64][16];
	int depth = 0;
	for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
		if (p[1] == '!')
			continue;
		bool closing = p[1] == '/';
		const char *n = p + 1 + closing;
		size_t len = strcspn(n, " \t\n>/");
		if (len == 0 || len >= 16)
			continue;
		const char *gt = strchr(n, '>');
		if (!gt)
			return snprintf(why, whylen, "no > after <%.*s", (int)len, n), false;
		bool self = gt[-1] == '/';
		bool is_void = false;
		for (size_t i = 0; i < sizeof voids / sizeof voids[0]; i++)
			is_void =
			    is_void || (strlen(voids[i]) == len && memcmp(voids[i], n, len) == 0);
		if (closing) {
			if (depth == 0 || strlen(stack[depth - 1]) != len ||
			    memcmp(stack[depth - 1], n, len) != 0)
				return snprintf(why, whylen, "</%.*s> closes <%s>", (int)len, n,
				                depth ? stack[depth - 1] : "nothing"),
				       false;
			depth--;
		} else if (!self && !is_void) {
			if (depth == 64)
				return snprintf(why, whylen, "too deep"), false;
			memcpy(stack[depth], n, len);
			stack[depth][len] = '\0';
			depth++;
		}
	}
	if (depth)
		return snprintf(why, whylen, "<%s> never closed", stack[depth - 1]), false;
	return true;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

static json_t *home_context(const struct assets *a, bool signed_in)
{
	json_error_t je;
	json_t *ctx = json_loads(
	    "{\"page_title\": \"Home\", \"lede\": \"Workforce plans for your organisations.\","
	    " \"csrf_token\": \"" TOKEN "\","
	    " \"nav\": [{\"href\": \"/\", \"text\": \"Home\", \"current\": true},"
	    "           {\"href\": \"/plans\", \"text\": \"Plans\", \"current\": false}],"
	    " \"breadcrumbs\": [{\"href\": \"/\", \"text\": \"Home\"}],"
	    " \"back_link\": {\"href\": \"/\", \"text\": \"Home\"},"
	    " \"footer_links\": [{\"href\": \"/accessibility\", \"text\": \"Accessibility "
	    "statement\"}],"
	    " \"errors\": [],"
	    " \"links\": [{\"href\": \"/users\", \"text\": \"Users\","
	    "              \"hint\": \"accounts & their roles\"}],"
	    " \"scope\": {\"rows\": [{\"key\": \"Organisation\", \"value\": \"Leeds & York <NHS>\","
	    "                        \"action\": {\"href\": \"/org/RR8\", \"text\": \"View\","
	    "                                   \"hidden\": \"organisation\"}},"
	    "                       {\"key\": \"Role\", \"value\": \"Workforce planner\","
	    "                        \"action\": false}]},"
	    " \"organisations\": {\"caption\": \"Organisations you can see\","
	    "   \"head\": [{\"text\": \"Name\", \"numeric\": false}, {\"text\": \"Staff (FTE)\","
	    "              \"numeric\": true}],"
	    "   \"rows\": [{\"cells\": [{\"text\": \"Leeds\", \"header\": true, \"href\": "
	    "\"/org/RR8\","
	    "                           \"numeric\": false},"
	    "                          {\"text\": \"18,240.5\", \"header\": false, \"href\": false,"
	    "                           \"numeric\": true}]}]}"
	    "}",
	    0, &je);
	if (!ctx)
		fail_msg("bad JSON: %s", je.text);
	json_object_set_new(ctx, "assets", assets_json(a));
	if (signed_in)
		json_object_set_new(ctx, "user",
		                    json_pack("{s:s,s:s}", "name", "Ada Lovelace", "organisation",
		                              "Leeds Teaching Hospitals NHS Trust"));
	else
		json_object_set_new(ctx, "user", json_false());
	return ctx;
}

/* write_snapshot: with CADRE_TEMPLATE_SNAPSHOT=DIR set, keep the page and
 * the stylesheet it links to, to look at in a browser. */
static void write_snapshot(const char *name, const char *html, const struct assets *a)
{
	const char *dir = getenv("CADRE_TEMPLATE_SNAPSHOT");
	if (!dir)
		return;
	char path[512];
	(void)snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	(void)fputs(html, f);
	(void)fclose(f);
	for (size_t i = 0; i < a->count; i++) {
		(void)snprintf(path, sizeof path, "%s%s", dir, a->items[i].url);
		f = fopen(path, "wb");
		if (!f)
			continue; /* make DIR/assets first to have them */
		(void)fwrite(a->items[i].data, 1, a->items[i].len, f);
		(void)fclose(f);
	}
}

static void test_embedded_layout(void **state)
{
	(void)state;
	struct template_set set;
	struct assets a;
	struct cadre_err e;
	template_set_init(&set);
	if (template_set_load_embedded(&set, &e))
		fail_msg("%s", e.msg);
	if (assets_load_embedded(&a, &e))
		fail_msg("%s", e.msg);
	assert_true(template_set_has(&set, "layout"));
	assert_true(template_set_has(&set, "home"));
	assert_true(template_set_has(&set, "partials/input"));

	for (int signed_in = 1; signed_in >= 0; signed_in--) {
		json_t *ctx = home_context(&a, signed_in);
		struct buf out;
		buf_init(&out, OUT_CAP);
		if (template_render(&set, "home", ctx, TEMPLATE_STRICT, &out, &e))
			fail_msg("%s", e.msg);
		const char *h = buf_cstr(&out);
		char why[128];
		if (!balanced(h, why, sizeof why))
			fail_msg("unbalanced: %s", why);
		assert_int_equal(strncmp(h, "<!DOCTYPE html>\n<html lang=\"en\">", 32), 0);
		assert_int_equal(count(h, "<h1"), 1);
		assert_int_equal(count(h, "<main "), 1);
		assert_non_null(strstr(h, "<title>Home - Cadre</title>"));
		assert_non_null(
		    strstr(h, "<a class=\"nhsuk-skip-link\" data-module=\"nhsuk-skip-link\" "
		              "href=\"#maincontent\">Skip to main content</a>"));
		assert_non_null(strstr(h, "id=\"maincontent\""));
		assert_non_null(strstr(h, "<header class=\"nhsuk-header\""));
		assert_non_null(strstr(h, "<footer class=\"nhsuk-footer\" role=\"contentinfo\">"));
		assert_non_null(
		    strstr(h, "<span class=\"nhsuk-header__service-name\">Cadre</span>"));
		assert_non_null(strstr(h, "aria-label=\"Breadcrumb\""));
		/* the stylesheet by its hashed URL, escaped as every value is */
		struct buf css;
		buf_init(&css, 256);
		assert_int_equal(buf_puts(&css, "<link rel=\"stylesheet\" href=\"", NULL),
		                 CADRE_OK);
		const char *url = assets_url(&a, "nhsuk.css");
		assert_non_null(url);
		assert_int_equal(strncmp(url, "/assets/nhsuk-", 14), 0);
		assert_int_equal(strlen(url), strlen("/assets/nhsuk-12345678.css"));
		assert_int_equal(template_escape_html(&css, url, strlen(url), NULL), CADRE_OK);
		assert_non_null(strstr(h, buf_cstr(&css)));
		buf_free(&css);
		/* text from data is escaped; no inline script, no remote address */
		assert_non_null(strstr(h, "Leeds &amp; York &lt;NHS&gt;"));
		assert_non_null(strstr(h, "<li><a href=\"&#x2F;users\">Users</a>: accounts &amp; "
		                          "their roles</li>"));
		assert_null(strstr(h, "<NHS>"));
		assert_int_equal(count(h, "<script"), 1);
		assert_non_null(
		    strstr(h, "<script type=\"module\" src=\"&#x2F;assets&#x2F;cadre-"));
		assert_null(strstr(h, "https://"));
		assert_non_null(
		    strstr(h, "nhsuk-table__cell nhsuk-table__cell--numeric\">18,240.5</td>"));
		if (signed_in) {
			assert_non_null(strstr(h, "Leeds Teaching Hospitals NHS Trust"));
			assert_non_null(strstr(h,
			                       "<form class=\"nhsuk-header__account-form\" "
			                       "action=\"/sign-out\" method=\"post\" novalidate>"));
			assert_non_null(strstr(
			    h, "<input type=\"hidden\" name=\"csrf_token\" value=\"" TOKEN "\">"));
			write_snapshot("home.html", h, &a);
		} else {
			assert_null(strstr(h, "nhsuk-header__account"));
			assert_null(strstr(h, "csrf_token"));
		}
		buf_free(&out);
		json_decref(ctx);
	}
	assets_free(&a);
	template_set_free(&set);
}

/* The form partials, as a form page would use them, with errors. */
static void test_form_partials(void **state)
{
	(void)state;
	struct template_set set;
	struct assets a;
	struct cadre_err e;
	size_t n = template_embedded_count;
	struct template_source *src = xcalloc(n + 1, sizeof *src);
	memcpy(src, template_embedded, n * sizeof *src);
	static const char form[] =
	    "{{<layout}}{{$content}}\n"
	    "<div class=\"nhsuk-grid-row\"><div class=\"nhsuk-grid-column-two-thirds\">\n"
	    "{{#errors.0}}{{> partials/error_summary}}{{/errors.0}}\n"
	    "<h1>{{page_title}}</h1>\n"
	    "<form method=\"post\" action=\"/example\" novalidate>\n"
	    "{{{csrf_field csrf_token}}}\n"
	    "{{#email}}{{> partials/input}}{{/email}}\n"
	    "{{#region}}{{> partials/select}}{{/region}}\n"
	    "{{#band}}{{> partials/radios}}{{/band}}\n"
	    "{{#save}}{{> partials/button}}{{/save}}\n"
	    "{{#cancel}}{{> partials/button}}{{/cancel}}\n"
	    "</form></div></div>\n{{/content}}{{/layout}}\n";
	src[n].name = "example_form.html";
	src[n].path = "tests/example_form.html";
	src[n].data = (const unsigned char *)form;
	src[n].len = sizeof form - 1;
	template_set_init(&set);
	if (template_set_load(&set, src, n + 1, &e))
		fail_msg("%s", e.msg);
	free(src);
	if (assets_load_embedded(&a, &e))
		fail_msg("%s", e.msg);
	json_t *ctx = json_loads(
	    "{\"page_title\": \"Your details\", \"csrf_token\": \"" TOKEN "\", \"user\": false,"
	    " \"nav\": [], \"breadcrumbs\": [], \"footer_links\": [],"
	    " \"errors\": [{\"href\": \"#email\", \"text\": \"Enter an email address like "
	    "name@nhs.net\"}, {\"href\": \"#band\", \"text\": \"Select a band\"}],"
	    " \"email\": {\"id\": \"email\", \"name\": \"email\", \"label\": \"Email address\","
	    "   \"type\": \"email\", \"value\": \"not-an-email\\\"><script>\", \"width\": 20,"
	    "   \"autocomplete\": \"email\", \"hint\": \"Your NHS.net address\","
	    "   \"error\": \"Enter an email address like name@nhs.net\"},"
	    " \"region\": {\"id\": \"region\", \"name\": \"region\", \"label\": \"Region\","
	    "   \"options\": [{\"value\": \"\", \"text\": \"Choose a region\", \"selected\": "
	    "false},"
	    "                 {\"value\": \"Y56\", \"text\": \"London\", \"selected\": true}]},"
	    " \"band\": {\"id\": \"band\", \"name\": \"band\", \"legend\": \"Band\", \"inline\": "
	    "true,"
	    "   \"error\": \"Select a band\", \"items\": [{\"id\": \"band\", \"value\": \"5\","
	    "   \"text\": \"Band 5\", \"checked\": false}, {\"id\": \"band-2\", \"value\": \"6\","
	    "   \"text\": \"Band 6\", \"checked\": false, \"item_hint\": \"Senior\"}]},"
	    " \"save\": {\"text\": \"Save\"}, \"cancel\": {\"text\": \"Cancel\", \"href\": \"/\","
	    "   \"secondary\": true}}",
	    0, NULL);
	assert_non_null(ctx);
	json_object_set_new(ctx, "assets", assets_json(&a));
	struct buf out;
	buf_init(&out, OUT_CAP);
	if (template_render(&set, "example_form", ctx, 0, &out, &e))
		fail_msg("%s", e.msg);
	const char *h = buf_cstr(&out);
	char why[128];
	if (!balanced(h, why, sizeof why))
		fail_msg("unbalanced: %s", why);
	assert_non_null(strstr(h, "<title>Error: Your details - Cadre</title>"));
	assert_int_equal(count(h, "<h1"), 1);
	assert_non_null(strstr(h, "<div class=\"nhsuk-error-summary\" data-module="
	                          "\"nhsuk-error-summary\">"));
	assert_non_null(
	    strstr(h, "<a href=\"#email\">Enter an email address like name@nhs.net</a>"));
	assert_non_null(strstr(h, "<div class=\"nhsuk-form-group nhsuk-form-group--error\">"));
	assert_non_null(strstr(
	    h, "<input class=\"nhsuk-input nhsuk-input--error nhsuk-input--width-20\" id=\"email\" "
	       "name=\"email\" type=\"email\" value=\"not-an-email&quot;&gt;&lt;script&gt;\" "
	       "autocomplete=\"email\" aria-describedby=\"email-hint email-error\">"));
	assert_non_null(strstr(h,
	                       "<span class=\"nhsuk-error-message\" id=\"email-error\">\n  <span "
	                       "class=\"nhsuk-u-visually-hidden\">Error: </span>Enter an email"));
	assert_non_null(strstr(h, "<select class=\"nhsuk-select\" id=\"region\" name=\"region\">"));
	assert_non_null(strstr(h, "<option value=\"Y56\" selected>London</option>"));
	assert_non_null(
	    strstr(h, "<fieldset class=\"nhsuk-fieldset\" aria-describedby=\"band-error\">"));
	assert_non_null(strstr(h, "<div class=\"nhsuk-radios nhsuk-radios--inline\" "));
	assert_non_null(strstr(h, "id=\"band-2\" name=\"band\" type=\"radio\" value=\"6\" "
	                          "aria-describedby=\"band-2-item-hint\">"));
	assert_non_null(strstr(h, "<button class=\"nhsuk-button\" data-module=\"nhsuk-button\" "
	                          "type=\"submit\">\n  Save\n</button>"));
	assert_non_null(strstr(h, "<a class=\"nhsuk-button nhsuk-button--secondary\" "
	                          "data-module=\"nhsuk-button\" href=\"&#x2F;\" role=\"button\" "
	                          "draggable=\"false\">"));
	assert_null(strstr(h, "<script>"));
	write_snapshot("form.html", h, &a);
	buf_free(&out);
	json_decref(ctx);
	assets_free(&a);
	template_set_free(&set);
}

/* ---- threads and size --------------------------------------------------- */

struct job {
	const struct template_set *set;
	const json_t *ctx;
	char *out;
	int rc;
};

static void *render_job(void *arg)
{
	struct job *j = arg;
	struct buf out;
	buf_init(&out, OUT_CAP);
	for (int i = 0; i < 50 && j->rc == CADRE_OK; i++) {
		buf_reset(&out);
		j->rc = template_render(j->set, "t", j->ctx, 0, &out, NULL);
	}
	j->out = buf_detach(&out);
	return NULL;
}

static void test_threads_and_big_table(void **state)
{
	(void)state;
	struct template_set set;
	struct cadre_err e;
	template_set_init(&set);
	const char *pairs[] = {"t.html",
	                       "<table>{{#rows}}<tr><th>{{code}}</th><td>{{name}}</td>"
	                       "<td>{{fte}}</td></tr>{{/rows}}</table>",
	                       NULL};
	assert_int_equal(load(&set, &e, pairs), CADRE_OK);
	json_t *rows = json_array();
	for (int i = 0; i < 500; i++)
		json_array_append_new(rows, json_pack("{s:s,s:s,s:f}", "code", "RX1", "name",
		                                      "Ward <7>", "fte", 12.5));
	json_t *ctx = json_pack("{s:o}", "rows", rows);
	struct job jobs[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct job){&set, ctx, NULL, CADRE_OK};
		assert_int_equal(pthread_create(&th[i], NULL, render_job, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	const char *row = "<tr><th>RX1</th><td>Ward &lt;7&gt;</td><td>12.5</td></tr>";
	for (int i = 0; i < 4; i++) {
		assert_int_equal(jobs[i].rc, CADRE_OK);
		assert_int_equal(strlen(jobs[i].out),
		                 strlen("<table></table>") + 500 * strlen(row));
		assert_int_equal(count(jobs[i].out, row), 500);
		assert_string_equal(jobs[i].out, jobs[0].out);
	}
	for (int i = 0; i < 4; i++)
		free(jobs[i].out);
	json_decref(ctx);
	template_set_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_text),
	    cmocka_unit_test(test_escape_attribute),
	    cmocka_unit_test(test_escape_html_function),
	    cmocka_unit_test(test_url_attributes),
	    cmocka_unit_test(test_url_safe),
	    cmocka_unit_test(test_context_refusals),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_sections),
	    cmocka_unit_test(test_dotted_names),
	    cmocka_unit_test(test_strict_mode),
	    cmocka_unit_test(test_partials),
	    cmocka_unit_test(test_parents_and_blocks),
	    cmocka_unit_test(test_comments_and_standalone_lines),
	    cmocka_unit_test(test_producers),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_load_errors),
	    cmocka_unit_test(test_output_cap),
	    cmocka_unit_test(test_embedded_layout),
	    cmocka_unit_test(test_form_partials),
	    cmocka_unit_test(test_threads_and_big_table),
	};
	return cmocka_run_group_tests_name("io_template", tests, NULL, NULL);
}
