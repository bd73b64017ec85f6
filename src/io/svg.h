/* svg: a small writer of SVG (and the escaping the HTML beside it needs),
 * into a capped struct buf.
 *
 * Design note.  Charts are built element by element: svg_open() starts a
 * tag, svg_attr*() add attributes, svg_body() or svg_empty() end the start
 * tag, svg_close() ends the innermost open element.  The writer keeps the
 * stack of open elements, so its output is always well formed (every start
 * tag closed, in order; svg_finish() refuses an unclosed element).
 *
 * DESIGN.md's rule for charts is enforced here: an attribute named "style"
 * (in any case) is refused (attributes or classes only, never inline
 * style), as is an element or attribute name that is not plain (letters,
 * digits, '-', ':', starting with a lower-case letter).  All
 * text and attribute values pass through svg_escape(), which escapes & < >
 * " and ', refuses invalid UTF-8 and replaces control characters XML cannot
 * carry with U+FFFD, so a measure named "<script>" is inert text.
 *
 * Numbers are written by svg_format_number(): fixed decimals rounded half
 * away from zero from the value's exact binary fraction, trailing zeros
 * removed, never "-0", with no use of the C library's locale (no
 * setlocale() can change a chart).  The same input always gives the same
 * bytes.
 *
 * Errors are sticky, as with a FILE: after the first failure (the buffer's
 * cap, a bad name) every later call does nothing and returns the same
 * status; err, given once to svg_init(), holds the reason.  So a chart
 * writes all its parts and checks once at svg_finish(). */
#ifndef CADRE_IO_SVG_H
#define CADRE_IO_SVG_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

#define SVG_MAX_DEPTH 16
#define SVG_NUM_MAX   48 /* enough for any double at 6 decimals */

struct svg {
	struct buf *out;
	struct cadre_err *err;
	int status;
	int depth;
	const char *stack[SVG_MAX_DEPTH]; /* names of the open elements (static strings) */
	int in_tag;                       /* a start tag is open for attributes */
};

/* svg_init: a writer appending to out (owned by the caller, with its cap);
 * reasons go to err (may be NULL). */
void svg_init(struct svg *w, struct buf *out, struct cadre_err *err);

/* svg_open: write "<name"; attributes may follow.  name must be a static
 * string (it is kept on the stack until svg_close). */
int svg_open(struct svg *w, const char *name);

/* svg_attr: add name="escaped value" to the open start tag. */
int svg_attr(struct svg *w, const char *name, const char *value);

/* svg_attr_num: add name="number" with up to `decimals` (0-6) decimals. */
int svg_attr_num(struct svg *w, const char *name, double v, int decimals);

/* svg_attr_points: add name="x1,y1 x2,y2 ..." (a polyline's or polygon's
 * points), 2 decimals. */
int svg_attr_points(struct svg *w, const char *name, const double *xs, const double *ys, size_t n);

/* svg_body: end the start tag with ">"; content and svg_close() follow. */
int svg_body(struct svg *w);

/* svg_empty: end the start tag with "/>"; the element is complete. */
int svg_empty(struct svg *w);

/* svg_text: escaped character content inside the innermost element. */
int svg_text(struct svg *w, const char *s);

/* svg_close: write the end tag of the innermost open element. */
int svg_close(struct svg *w);

/* svg_element_text: <name attrs...>text</name> in one call, with attribute
 * pairs given as a NULL-terminated list of name, value strings. */
int svg_element_text(struct svg *w, const char *name, const char *text, ...);

/* svg_finish: CADRE_OK when everything was written and every element is
 * closed; else the sticky status (err says why). */
int svg_finish(struct svg *w);

/* svg_escape: append the n bytes at s to out with & < > " ' escaped (the
 * same escaping is right for XML and HTML text and quoted attributes).
 * CADRE_EINVAL for invalid UTF-8 (nothing appended); C0 controls other
 * than tab, LF and CR and the DEL character become U+FFFD. */
int svg_escape(struct buf *out, const char *s, size_t n, struct cadre_err *err);

/* svg_format_number: v with at most `decimals` (0-6) fraction digits into
 * dst (SVG_NUM_MAX bytes is always enough), trailing zeros and a bare
 * point dropped: 2.50 -> "2.5", 3.00 -> "3", -0.001 -> "0".  Returns the
 * length, or -1 for NaN, infinity, a magnitude of 1e15 or more, or
 * decimals out of range. */
int svg_format_number(char *dst, size_t cap, double v, int decimals);

/* svg_format_fixed: as svg_format_number but always exactly `decimals`
 * fraction digits (2.50 stays "2.50"): for tables, where figures line up. */
int svg_format_fixed(char *dst, size_t cap, double v, int decimals);

#endif
