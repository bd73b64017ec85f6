#include "io/svg.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/utf8.h"

__extension__ typedef unsigned __int128 svg_u128;

void svg_init(struct svg *w, struct buf *out, struct cadre_err *err)
{
	memset(w, 0, sizeof *w);
	w->out = out;
	w->err = err;
}

static int fail(struct svg *w, int status, const char *what, const char *name)
{
	w->status = cadre_err_set(w->err, status, "svg: %s: %s", what, name ? name : "(null)");
	return w->status;
}

/* put: raw bytes; records the first failure. */
static int put(struct svg *w, const char *s, size_t n)
{
	if (w->status)
		return w->status;
	int rc = buf_append(w->out, s, n, w->err);
	if (rc)
		w->status = rc;
	return w->status;
}

static int puts_raw(struct svg *w, const char *s)
{
	return put(w, s, strlen(s));
}

/* A plain name: letters, digits, '-' and ':' (viewBox, xmlns:xlink,
 * aria-labelledby), starting with a lower-case letter. */
static bool plain_name(const char *s)
{
	if (!s || !(*s >= 'a' && *s <= 'z'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == ':'))
			return false;
	return true;
}

/* is_style: "style" in any case (HTML names are case-insensitive). */
static bool is_style(const char *s)
{
	static const char style[] = "style";
	for (size_t i = 0; i < sizeof style; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != style[i])
			return false;
	}
	return true;
}

int svg_open(struct svg *w, const char *name)
{
	if (w->status)
		return w->status;
	if (w->in_tag)
		return fail(w, CADRE_EINTERNAL, "start tag still open before", name);
	if (!plain_name(name))
		return fail(w, CADRE_EINVAL, "bad element name", name);
	if (w->depth == SVG_MAX_DEPTH)
		return fail(w, CADRE_EINVAL, "elements nested too deeply at", name);
	w->stack[w->depth++] = name;
	w->in_tag = 1;
	put(w, "<", 1);
	return puts_raw(w, name);
}

/* attr_start: ' name="' after the checks every attribute needs. */
static int attr_start(struct svg *w, const char *name)
{
	if (w->status)
		return w->status;
	if (!w->in_tag)
		return fail(w, CADRE_EINTERNAL, "attribute outside a start tag", name);
	if (!plain_name(name))
		return fail(w, CADRE_EINVAL, "bad attribute name", name);
	if (is_style(name))
		return fail(w, CADRE_EINVAL, "inline style is not allowed (use a class)", name);
	put(w, " ", 1);
	puts_raw(w, name);
	return put(w, "=\"", 2);
}

int svg_attr(struct svg *w, const char *name, const char *value)
{
	if (attr_start(w, name))
		return w->status;
	if (!value)
		return fail(w, CADRE_EINVAL, "no value for attribute", name);
	int rc = svg_escape(w->out, value, strlen(value), w->err);
	if (rc)
		return w->status = rc;
	return put(w, "\"", 1);
}

int svg_attr_num(struct svg *w, const char *name, double v, int decimals)
{
	char num[SVG_NUM_MAX];
	if (attr_start(w, name))
		return w->status;
	int len = svg_format_number(num, sizeof num, v, decimals);
	if (len < 0)
		return fail(w, CADRE_EINVAL, "not a drawable number in attribute", name);
	put(w, num, (size_t)len);
	return put(w, "\"", 1);
}

int svg_attr_points(struct svg *w, const char *name, const double *xs, const double *ys, size_t n)
{
	char num[SVG_NUM_MAX];
	if (attr_start(w, name))
		return w->status;
	for (size_t i = 0; i < n; i++) {
		if (i)
			put(w, " ", 1);
		int a = svg_format_number(num, sizeof num, xs[i], 2);
		if (a < 0)
			return fail(w, CADRE_EINVAL, "not a drawable number in attribute", name);
		put(w, num, (size_t)a);
		put(w, ",", 1);
		a = svg_format_number(num, sizeof num, ys[i], 2);
		if (a < 0)
			return fail(w, CADRE_EINVAL, "not a drawable number in attribute", name);
		put(w, num, (size_t)a);
	}
	return put(w, "\"", 1);
}

int svg_body(struct svg *w)
{
	if (w->status)
		return w->status;
	if (!w->in_tag)
		return fail(w, CADRE_EINTERNAL, "no start tag to end", "body");
	w->in_tag = 0;
	return put(w, ">", 1);
}

int svg_empty(struct svg *w)
{
	if (w->status)
		return w->status;
	if (!w->in_tag)
		return fail(w, CADRE_EINTERNAL, "no start tag to end", "empty");
	w->in_tag = 0;
	w->depth--;
	return put(w, "/>", 2);
}

int svg_text(struct svg *w, const char *s)
{
	if (w->status)
		return w->status;
	if (w->in_tag || w->depth == 0)
		return fail(w, CADRE_EINTERNAL, "text outside an element body", "text");
	int rc = svg_escape(w->out, s, strlen(s), w->err);
	if (rc)
		w->status = rc;
	return w->status;
}

int svg_close(struct svg *w)
{
	if (w->status)
		return w->status;
	if (w->in_tag || w->depth == 0)
		return fail(w, CADRE_EINTERNAL, "nothing to close", "close");
	const char *name = w->stack[--w->depth];
	put(w, "</", 2);
	puts_raw(w, name);
	return put(w, ">", 1);
}

int svg_element_text(struct svg *w, const char *name, const char *text, ...)
{
	va_list ap;
	svg_open(w, name);
	va_start(ap, text);
	for (;;) {
		const char *an = va_arg(ap, const char *);
		if (!an)
			break;
		const char *av = va_arg(ap, const char *);
		svg_attr(w, an, av);
	}
	va_end(ap);
	svg_body(w);
	svg_text(w, text);
	return svg_close(w);
}

int svg_finish(struct svg *w)
{
	if (w->status)
		return w->status;
	if (w->in_tag || w->depth != 0)
		return fail(w, CADRE_EINTERNAL, "element left open",
		            w->depth ? w->stack[w->depth - 1] : "tag");
	return CADRE_OK;
}

int svg_escape(struct buf *out, const char *s, size_t n, struct cadre_err *err)
{
	size_t bad = 0;
	if (!utf8_valid(s, n, &bad))
		return cadre_err_set(err, CADRE_EINVAL, "text: invalid UTF-8 at byte %zu", bad + 1);
	size_t start_len = out->len;
	size_t run = 0; /* start of the bytes not yet copied */
	int rc = CADRE_OK;
	for (size_t i = 0; i < n && rc == CADRE_OK; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		size_t skip = 1;
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
				rep = "\xEF\xBF\xBD";
			} else if (c == 0xEF && i + 2 < n && (unsigned char)s[i + 1] == 0xBF &&
			           ((unsigned char)s[i + 2] == 0xBE ||
			            (unsigned char)s[i + 2] == 0xBF)) {
				rep = "\xEF\xBF\xBD"; /* U+FFFE, U+FFFF: not XML characters */
				skip = 3;
			}
		}
		if (!rep)
			continue;
		rc = buf_append(out, s + run, i - run, err);
		if (rc == CADRE_OK)
			rc = buf_puts(out, rep, err);
		i += skip - 1;
		run = i + 1;
	}
	if (rc == CADRE_OK)
		rc = buf_append(out, s + run, n - run, err);
	if (rc) {
		out->len = start_len; /* all or nothing */
		if (out->data)
			out->data[start_len] = '\0';
	}
	return rc;
}

static const uint64_t pow10_table[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

/* scaled: |v| x 10^decimals rounded half away from zero, computed exactly
 * from v's binary fraction (no double rounding: 1.005 is really
 * 1.00499999999999989..., so it rounds to 1.00). */
static svg_u128 scaled(double v, int decimals)
{
	int e = 0;
	double f = frexp(fabs(v), &e);       /* |v| = f x 2^e, f in [0.5, 1) */
	uint64_t m = (uint64_t)ldexp(f, 53); /* exact: 53 significant bits */
	int k = 53 - e;                      /* |v| = m / 2^k */
	svg_u128 num = (svg_u128)m * pow10_table[decimals];
	if (k <= 0)
		return num << -k; /* |v| < 1e15 keeps this far below 2^128 */
	if (k >= 120)
		return 0; /* |v| < 2^-67: nothing shows at 6 decimals */
	svg_u128 q = num >> k;
	svg_u128 rem = num - (q << k);
	if (rem >= ((svg_u128)1 << (k - 1)))
		q++;
	return q;
}

static int format(char *dst, size_t cap, double v, int decimals, bool trim)
{
	if (decimals < 0 || decimals > 6 || !isfinite(v) || fabs(v) >= 1e15 || cap < SVG_NUM_MAX)
		return -1;
	svg_u128 q = v == 0.0 ? 0 : scaled(v, decimals);
	char digits[48];
	int nd = 0;
	do {
		digits[nd++] = (char)('0' + (int)(q % 10));
		q /= 10;
	} while (q > 0);
	while (nd <= decimals) /* at least one digit before the point */
		digits[nd++] = '0';
	int frac = decimals;
	if (trim)
		while (frac > 0 && digits[decimals - frac] == '0')
			frac--;
	bool nonzero = false;
	for (int i = decimals - frac; i < nd; i++)
		if (digits[i] != '0')
			nonzero = true;
	int len = 0;
	if (v < 0 && nonzero)
		dst[len++] = '-';
	for (int i = nd - 1; i >= decimals; i--)
		dst[len++] = digits[i];
	if (frac > 0) {
		dst[len++] = '.';
		for (int i = decimals - 1; i >= decimals - frac; i--)
			dst[len++] = digits[i];
	}
	dst[len] = '\0';
	return len;
}

int svg_format_number(char *dst, size_t cap, double v, int decimals)
{
	return format(dst, cap, v, decimals, true);
}

int svg_format_fixed(char *dst, size_t cap, double v, int decimals)
{
	return format(dst, cap, v, decimals, false);
}
