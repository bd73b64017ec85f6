/* fuzz_template: the template engine under libFuzzer.
 *
 * The input is up to three template sources separated by NUL bytes: t.html,
 * p.html and q.html, so {{> p}} and {{<q}} reach each other.  They are
 * loaded with small limits (so the caps are reachable) and two producers,
 * then t is rendered with one fixed context, in plain and strict mode, into
 * a small capped buffer.  Invariants, any breach aborts:
 *   - a failed load says CADRE_EINVAL and "templates/NAME.html:" first;
 *   - a failed render says CADRE_EINTERNAL and leaves the buffer empty;
 *   - a render gives the same page twice (no hidden state);
 *   - the context's strings hold "<x-inj"; escaping means a page never
 *     does, unless a template wrote it itself. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "io/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_CAP ((size_t)64 * 1024)

static void die(const char *what)
{
	(void)fprintf(stderr, "fuzz_template: invariant broken: %s\n", what);
	abort();
}

static int produce_svg(const json_t *value, struct buf *out, struct cadre_err *err)
{
	(void)value;
	return buf_puts(out, "<svg role=\"img\"><title>chart</title></svg>", err);
}

static int produce_fail(const json_t *value, struct buf *out, struct cadre_err *err)
{
	if (json_is_true(value))
		return buf_puts(out, "<b>ok</b>", err);
	(void)buf_puts(out, "<i>half", NULL);
	return cadre_err_set(err, CADRE_EINVAL, "refused");
}

static json_t *context(void)
{
	static json_t *ctx;
	if (!ctx) {
		ctx = json_loads(
		    "{\"name\": \"<x-inj>\\\"'&/`=\", \"n\": 3, \"r\": 2.5, \"t\": true, \"f\": "
		    "false,"
		    " \"z\": null, \"e\": \"\", \"url\": \"javascript:alert(1)\","
		    " \"org\": {\"name\": \"Leeds <x-inj>\", \"parent\": {\"code\": \"QWO\"}},"
		    " \"list\": [{\"name\": \"a\"}, {\"name\": \"<x-inj>\", \"t\": false}],"
		    " \"nums\": [1, 2, 3], \"empty\": [], \"nested\": [[1, [2, \"<x-inj>\"]]],"
		    " \"tree\": {\"name\": \"E\", \"children\": [{\"name\": \"R\", \"children\": "
		    "[]}]},"
		    " \"csrf_token\": \"abcdefghijklmnopqrstuvwx\", \"assets\": {\"nhsuk_css\": "
		    "\"/assets/nhsuk-12345678.css\"}}",
		    0, NULL);
		if (!ctx)
			die("context JSON");
	}
	return ctx;
}

static bool contains_ci(const uint8_t *s, size_t n, const char *what)
{
	size_t w = strlen(what);
	for (size_t i = 0; i + w <= n; i++) {
		size_t k = 0;
		while (k < w && (s[i + k] | 0x20) == (what[k] | 0x20))
			k++;
		if (k == w)
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"t.html", "p.html", "q.html"};
	static const char *const paths[] = {"templates/t.html", "templates/p.html",
	                                    "templates/q.html"};
	struct template_source src[3];
	size_t n = 0, start = 0;
	for (size_t i = 0; i <= size && n < 3; i++) {
		if (i == size || data[i] == 0) {
			src[n].name = names[n];
			src[n].path = paths[n];
			src[n].data = data + start;
			src[n].len = i - start;
			n++;
			start = i + 1;
		}
	}

	struct template_set set;
	struct cadre_err e;
	template_set_init(&set);
	set.limits.max_nodes = 256;
	set.limits.max_nesting = 8;
	set.limits.max_source_bytes = 4096;
	if (template_set_add_producer(&set, "svg", produce_svg, &e) ||
	    template_set_add_producer(&set, "fail", produce_fail, &e))
		die("producers");
	int rc = template_set_load(&set, src, n, &e);
	if (rc != CADRE_OK) {
		if (rc != CADRE_EINVAL || strncmp(e.msg, "templates", 9) != 0)
			die("load failure form");
		if (set.count != 0 || set.items)
			die("a failed load leaves the set empty");
		template_set_free(&set);
		return 0;
	}
	bool injected = contains_ci(data, size, "x-inj");
	struct buf out, again;
	buf_init(&out, OUT_CAP);
	buf_init(&again, OUT_CAP);
	for (unsigned flags = 0; flags <= TEMPLATE_STRICT; flags += TEMPLATE_STRICT) {
		buf_reset(&out);
		rc = template_render(&set, "t", context(), flags, &out, &e);
		if (rc != CADRE_OK) {
			if (rc != CADRE_EINTERNAL || e.status != CADRE_EINTERNAL)
				die("render failure status");
			if (out.len != 0)
				die("a failed render leaves the buffer as it was");
			continue;
		}
		if (!injected && strstr(buf_cstr(&out), "<x-inj"))
			die("a context string came out unescaped");
		buf_reset(&again);
		if (template_render(&set, "t", context(), flags, &again, &e) != CADRE_OK ||
		    again.len != out.len || (out.len && memcmp(again.data, out.data, out.len) != 0))
			die("two renders differ");
	}
	buf_free(&out);
	buf_free(&again);
	template_set_free(&set);
	return 0;
}
