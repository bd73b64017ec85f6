/* form: application/x-www-form-urlencoded (see form.h). */
#include "web/form.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void form_field_label(char *out, size_t outsz, const char *name, size_t len, size_t index)
{
	bool safe = name && len > 0 && len <= 40;
	for (size_t i = 0; safe && i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		       c == '_' || c == '-' || c == '.' || c == '[' || c == ']';
	}
	if (safe)
		(void)snprintf(out, outsz, "field '%.*s'", (int)len, name);
	else
		(void)snprintf(out, outsz, "field %zu", index);
}

/* decode the n bytes at s into a new NUL-terminated copy in a.  what says
 * "name" or "value" for messages; the field is described by label once the
 * name is known (or by its index before). */
static int decode(const char *s, size_t n, size_t max, struct arena *a, char **out, size_t *outlen,
                  const char *what, const char *label, struct cadre_err *err)
{
	/* decoding never lengthens the text, so n bytes are enough */
	char *d = arena_alloc(a, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi = i + 1 < n ? hexval((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return cadre_err_set(err, CADRE_EINVAL,
				                     "%s: malformed percent-escape in its %s",
				                     label, what);
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		}
		if (c == 0)
			return cadre_err_set(err, CADRE_EINVAL, "%s: its %s holds a NUL byte",
			                     label, what);
		d[k++] = (char)c;
		if (k > max)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "%s: its %s is longer than %zu bytes", label, what,
			                     max);
	}
	d[k] = '\0';
	if (!utf8_valid(d, k, NULL))
		return cadre_err_set(err, CADRE_EINVAL,
		                     "%s: its %s is not valid UTF-8 after decoding", label, what);
	*out = d;
	*outlen = k;
	return CADRE_OK;
}

int form_parse(const char *s, size_t n, const struct form_limits *lim, struct arena *a,
               struct form *out, struct cadre_err *err)
{
	size_t max_bytes = lim && lim->max_bytes ? lim->max_bytes : FORM_DEFAULT_MAX_BYTES;
	size_t max_fields = lim && lim->max_fields ? lim->max_fields : FORM_DEFAULT_MAX_FIELDS;
	size_t max_name = lim && lim->max_name ? lim->max_name : FORM_DEFAULT_MAX_NAME;
	size_t max_value = lim && lim->max_value ? lim->max_value : FORM_DEFAULT_MAX_VALUE;
	out->fields = NULL;
	out->count = 0;
	if (n > max_bytes)
		return cadre_err_set(err, CADRE_EINVAL, "form data is larger than %zu bytes",
		                     max_bytes);
	/* count the non-empty pairs first, so the array is allocated once */
	size_t pairs = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && s[j] != '&')
			j++;
		if (j > i)
			pairs++;
		i = j + 1;
	}
	if (pairs > max_fields)
		return cadre_err_set(err, CADRE_EINVAL, "form data has more than %zu fields",
		                     max_fields);
	if (pairs == 0)
		return CADRE_OK;
	struct form_field *fields = arena_alloc(a, pairs * sizeof *fields);
	size_t count = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && s[j] != '&')
			j++;
		if (j > i) {
			const char *eq = memchr(s + i, '=', j - i);
			size_t name_end = eq ? (size_t)(eq - s) : j;
			char label[64];
			char *name = NULL;
			char *value = NULL;
			size_t name_len = 0;
			size_t value_len = 0;
			form_field_label(label, sizeof label, NULL, 0, count + 1);
			int rc = decode(s + i, name_end - i, max_name, a, &name, &name_len, "name",
			                label, err);
			if (rc != CADRE_OK)
				return rc;
			form_field_label(label, sizeof label, name, name_len, count + 1);
			size_t vstart = eq ? name_end + 1 : j;
			rc = decode(s + vstart, j - vstart, max_value, a, &value, &value_len,
			            "value", label, err);
			if (rc != CADRE_OK)
				return rc;
			fields[count].name = name;
			fields[count].name_len = name_len;
			fields[count].value = value;
			fields[count].value_len = value_len;
			count++;
		}
		i = j + 1;
	}
	out->fields = fields;
	out->count = count;
	return CADRE_OK;
}

const char *form_get(const struct form *f, const char *name)
{
	for (size_t i = 0; i < f->count; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return f->fields[i].value;
	return NULL;
}

size_t form_count(const struct form *f, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < f->count; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			n++;
	return n;
}
