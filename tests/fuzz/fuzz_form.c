/* fuzz_form: the application/x-www-form-urlencoded parser under libFuzzer.
 *
 * Each input is parsed twice: with the default caps and with small caps
 * (so the cap errors are reachable).  When a parse succeeds, every name and
 * value must be valid UTF-8 without NUL bytes and within its cap, and the
 * fields, percent-encoded again and parsed, must come back the same.  Any
 * broken invariant aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "web/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
	(void)fprintf(stderr, "fuzz_form: invariant broken: %s\n", what);
	abort();
}

static void encode(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	struct cadre_err e;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			if (buf_putc(b, (char)c, &e) != CADRE_OK)
				die("encode");
		} else if (c == ' ') {
			if (buf_putc(b, '+', &e) != CADRE_OK)
				die("encode");
		} else {
			char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
			if (buf_append(b, esc, 3, &e) != CADRE_OK)
				die("encode");
		}
	}
}

static void check(const char *s, size_t n, const struct form_limits *lim)
{
	struct arena a;
	arena_init(&a, 0);
	struct form f;
	struct cadre_err err;
	int rc = form_parse(s, n, lim, &a, &f, &err);
	if (rc != CADRE_OK) {
		if (rc != CADRE_EINVAL || err.msg[0] == '\0' || f.count != 0)
			die("an error must be CADRE_EINVAL with a reason and no fields");
		arena_free(&a);
		return;
	}
	size_t max_fields = lim && lim->max_fields ? lim->max_fields : FORM_DEFAULT_MAX_FIELDS;
	size_t max_name = lim && lim->max_name ? lim->max_name : FORM_DEFAULT_MAX_NAME;
	size_t max_value = lim && lim->max_value ? lim->max_value : FORM_DEFAULT_MAX_VALUE;
	if (f.count > max_fields)
		die("too many fields");
	struct buf again;
	buf_init(&again, (size_t)64 * 1024 * 1024);
	for (size_t i = 0; i < f.count; i++) {
		const struct form_field *x = &f.fields[i];
		if (x->name_len > max_name || x->value_len > max_value)
			die("a field over its cap");
		if (strlen(x->name) != x->name_len || strlen(x->value) != x->value_len)
			die("a NUL inside a name or value");
		if (!utf8_valid(x->name, x->name_len, NULL) ||
		    !utf8_valid(x->value, x->value_len, NULL))
			die("not UTF-8");
		struct cadre_err e;
		if (i > 0 && buf_putc(&again, '&', &e) != CADRE_OK)
			die("buf");
		encode(&again, x->name, x->name_len);
		if (buf_putc(&again, '=', &e) != CADRE_OK)
			die("buf");
		encode(&again, x->value, x->value_len);
	}
	struct form g;
	/* the encoding is longer than the input, so parse it without a size cap */
	struct form_limits big = {.max_bytes = again.len + 1,
	                          .max_fields = max_fields,
	                          .max_name = max_name,
	                          .max_value = max_value};
	if (form_parse(buf_cstr(&again), again.len, &big, &a, &g, &err) != CADRE_OK)
		die("re-encoded fields do not parse");
	if (g.count != f.count)
		die("re-encoded field count differs");
	for (size_t i = 0; i < f.count; i++) {
		if (g.fields[i].name_len != f.fields[i].name_len ||
		    g.fields[i].value_len != f.fields[i].value_len ||
		    memcmp(g.fields[i].name, f.fields[i].name, f.fields[i].name_len) != 0 ||
		    memcmp(g.fields[i].value, f.fields[i].value, f.fields[i].value_len) != 0)
			die("re-encoded field differs");
	}
	buf_free(&again);
	arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	check(s, size, NULL);
	struct form_limits small = {
	    .max_bytes = 64, .max_fields = 4, .max_name = 8, .max_value = 16};
	check(s, size, &small);
	return 0;
}
