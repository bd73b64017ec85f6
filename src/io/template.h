/* template: Cadre's HTML template engine, a safe subset of Mustache.
 *
 * Design note.  Templates (the .html files under templates/) are embedded in the binary by a
 * build-time generator (tools/embed_files.py), parsed ONCE at start-up into a
 * compiled form, and rendered many times from jansson values.  A broken
 * template stops start-up with "templates/org.html:14: reason".  After
 * loading, a template set is never written again, so any number of threads
 * may render from it at once; rendering allocates nothing but the output
 * buffer's growth (the context stack and the partial calls live on the C
 * stack, names are slices of the template text).
 *
 * Syntax (docs/templates.md is the full reference):
 *   {{name}} {{a.b.c}} {{.}}     a value, HTML-escaped
 *   {{#name}}...{{/name}}        section: false, null, missing, "" and [] skip
 *                                it; an array repeats it per element; any other
 *                                value renders it once; the value is pushed as
 *                                the innermost context
 *   {{^name}}...{{/name}}        inverted section: rendered when #name is not
 *   {{> partial}}                another template, in the current context
 *   {{<parent}}{{$b}}..{{/b}}{{/parent}}  render parent with block b replaced
 *   {{$block}}default{{/block}}  a block a child template may replace
 *   {{! comment }}               nothing
 *   {{{producer arg}}} or {{& producer arg}}: unescaped HTML, only from a
 *                                producer registered on the set (below)
 * A tag alone on its line (sections, partials, blocks, comments) takes its
 * line with it, as in Mustache.  Set-delimiter tags are not supported.
 *
 * Escaping.  Every {{value}} is HTML-escaped: & < > " ' / ` = become &amp;
 * &lt; &gt; &quot; &#39; &#x2F; &#96; &#61; (OWASP's rule, plus ` and =),
 * which is safe both in text and in a quoted attribute value.  The parser
 * follows the HTML around each tag and refuses, at load, a value where
 * escaping would not protect it: inside a tag or an unquoted attribute value,
 * in an on* event attribute, style or srcdoc, inside <script> or <style>.
 * A value that starts a URL attribute (href, src, action, formaction, ...)
 * is checked when rendered: anything but a relative URL or an http, https,
 * mailto or tel URL renders as "#unsafe-url" (and fails in strict mode), so
 * "javascript:" from data never becomes a link.
 *
 * Unescaped output.  There is no way to print a context string raw.  A
 * template may only write {{{producer arg}}} (or {{& producer arg}}) where
 * producer is a C function registered with template_set_add_producer before
 * loading; it receives the context value named arg (the producer's own name
 * when arg is left out) and writes trusted HTML (the CSRF hidden field, an
 * SVG chart) to the output.  An unregistered producer name is a load error.
 *
 * Missing names render as nothing (Mustache's rule); TEMPLATE_STRICT makes a
 * render fail on the first name missing from the context, for tests. */
#ifndef CADRE_IO_TEMPLATE_H
#define CADRE_IO_TEMPLATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

#define TEMPLATE_NAME_MAX      64 /* a template's or producer's name, NUL included */
#define TEMPLATE_MAX_PRODUCERS 16
#define TEMPLATE_CONTEXT_DEPTH 48 /* sections open at once while rendering */
#define TEMPLATE_CALL_DEPTH    24 /* partials and parents inside each other */

/* The form field that carries the CSRF token, as the built-in csrf_field
 * producer writes it and the web layer reads it back. */
#define TEMPLATE_CSRF_FIELD "csrf_token"

/* template_source: one template's text.  name is its path under templates/
 * ("home.html", "partials/input.html"); the template is then known as that
 * name without ".html" ("home", "partials/input") in tags and calls.  path is
 * the label in error messages ("templates/home.html").  data need not be
 * NUL-terminated.  tools/embed_files.py emits an array of these. */
struct template_source {
	const char *name;
	const char *path;
	const unsigned char *data;
	size_t len;
};

/* The templates built into the binary (generated: templates_embed.c). */
extern const struct template_source template_embedded[];
extern const size_t template_embedded_count;

/* template_limits: what one load accepts; fuzzing uses small ones. */
struct template_limits {
	size_t max_templates;    /* templates in one set (default 256) */
	size_t max_source_bytes; /* one template's text (default 256 KiB) */
	size_t max_nodes;        /* one template's compiled nodes (default 16384) */
	size_t max_nesting;      /* sections open inside each other (default 32) */
};

/* template_producer_fn: write trusted HTML for value (the context value the
 * tag names, NULL when missing) to out.  Returns CADRE_OK or a status with
 * err set; out's growth errors must be passed on. */
typedef int (*template_producer_fn)(const json_t *value, struct buf *out, struct cadre_err *err);

struct template_producer {
	char name[TEMPLATE_NAME_MAX];
	template_producer_fn fn;
};

struct template_compiled; /* private to template.c */

/* template_set: the compiled templates and the producers they may call.
 * The fields are private; use the functions below. */
struct template_set {
	struct template_limits limits;
	struct template_producer producers[TEMPLATE_MAX_PRODUCERS];
	size_t nproducers;
	struct template_compiled *items; /* sorted by name once loaded */
	size_t count;
	bool loaded;
};

enum template_flags {
	TEMPLATE_STRICT = 1, /* a name missing from the context is an error */
};

/* template_set_init: an empty set with the default limits and the built-in
 * producer csrf_field registered.  Release with template_set_free. */
void template_set_init(struct template_set *set);

/* template_set_add_producer: allow {{{name arg}}} in the templates loaded
 * later, written by fn.  name: a lower-case letter, then lower-case letters,
 * digits or _.  Fails (CADRE_EINVAL) on a bad or repeated name, a full
 * table, or a set already loaded. */
int template_set_add_producer(struct template_set *set, const char *name, template_producer_fn fn,
                              struct cadre_err *err);

/* template_set_load: parse and check n templates (copied: src may go away
 * after the call), resolve partials and parents between them.  Only once
 * per set.  On failure the set stays empty and err reads
 * "templates/x.html:LINE: reason" (CADRE_EINVAL). */
int template_set_load(struct template_set *set, const struct template_source *src, size_t n,
                      struct cadre_err *err);

/* template_set_load_embedded: template_set_load of the built-in templates;
 * the server calls it once at start-up after adding its producers. */
int template_set_load_embedded(struct template_set *set, struct cadre_err *err);

/* template_set_free: release the compiled templates; the set is empty and
 * may be initialised again. */
void template_set_free(struct template_set *set);

/* template_set_has: whether a template of that name ("home") loaded. */
bool template_set_has(const struct template_set *set, const char *name);

/* template_render: append the template `name` ("home") rendered with ctx
 * (any JSON value; normally an object) to out.  flags: TEMPLATE_STRICT or 0.
 * Safe to call from many threads on one loaded set.  On failure nothing is
 * appended (out is as it was: never a truncated page) and the status is
 * CADRE_EINTERNAL, since every cause is the server's: an unknown template,
 * output over out's cap, sections or calls nested deeper than the limits, a
 * missing name or unsafe URL in strict mode, a producer's failure.  The
 * message carries the template's path and line. */
int template_render(const struct template_set *set, const char *name, const json_t *ctx,
                    unsigned flags, struct buf *out, struct cadre_err *err);

/* template_escape_html: append s (len bytes) HTML-escaped as {{value}} does,
 * for producers that write text of their own. */
int template_escape_html(struct buf *out, const char *s, size_t len, struct cadre_err *err);

/* template_url_safe: whether s may start a URL attribute: a relative URL, or
 * one whose scheme is http, https, mailto or tel (any case). */
bool template_url_safe(const char *s, size_t len);

/* template_produce_csrf_field: the built-in csrf_field producer.  value must
 * be a string of 16 to 128 letters, digits, '-' or '_' (a token as the
 * session layer makes it); writes
 *   <input type="hidden" name="csrf_token" value="TOKEN">
 * Anything else is CADRE_EINTERNAL: a form without its token must not go
 * out. */
int template_produce_csrf_field(const json_t *value, struct buf *out, struct cadre_err *err);

#endif
