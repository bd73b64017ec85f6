#include "base/num.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int bad(struct cadre_err *err, size_t col, const char *why)
{
	return cadre_err_set(err, CADRE_EINVAL, "column %zu: %s", col, why);
}

int num_parse_i64(const char *s, size_t n, int64_t *out, struct cadre_err *err)
{
	if (n == 0)
		return bad(err, 1, "expected a whole number, found nothing");
	size_t i = 0;
	int neg = 0;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
		if (n == 1)
			return bad(err, 2, "expected a digit after '-'");
	}
	uint64_t v = 0;
	const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < '0' || c > '9')
			return bad(err, i + 1, "expected a digit");
		unsigned d = c - '0';
		if (v > (limit - d) / 10)
			return bad(err, 1, "number too large");
		v = v * 10 + d;
	}
	if (neg)
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		*out = (int64_t)v;
	return CADRE_OK;
}

int num_parse_i64_range(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out,
                        struct cadre_err *err)
{
	int64_t v = 0;
	int rc = num_parse_i64(s, n, &v, err);
	if (rc)
		return rc;
	if (v < lo || v > hi)
		return cadre_err_set(err, CADRE_EINVAL, "column 1: %lld is outside %lld to %lld",
		                     (long long)v, (long long)lo, (long long)hi);
	*out = v;
	return CADRE_OK;
}

/* the grammar: -? digits ( . digits )? ( [eE] [+-]? digits )? with at least
 * one digit before or after the point. */
int num_parse_double(const char *s, size_t n, double *out, struct cadre_err *err)
{
	if (n == 0)
		return bad(err, 1, "expected a number, found nothing");
	if (n > 64)
		return bad(err, 65, "number too long");
	size_t i = 0;
	if (s[i] == '-')
		i++;
	size_t digits = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9') {
		i++;
		digits++;
	}
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			i++;
			digits++;
		}
	}
	if (digits == 0)
		return bad(err, i + 1, "expected a digit");
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t exp_digits = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			i++;
			exp_digits++;
		}
		if (exp_digits == 0)
			return bad(err, i + 1, "expected a digit in the exponent");
	}
	if (i != n)
		return bad(err, i + 1, "unexpected character in number");
	char tmp[65];
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	char *end = NULL;
	double v = strtod(tmp, &end);
	if (end != tmp + n || !isfinite(v))
		return bad(err, 1, "number out of range");
	*out = v;
	return CADRE_OK;
}

int num_parse_fixed(const char *s, size_t n, int places, int64_t *out, struct cadre_err *err)
{
	if (places < 0 || places > 9)
		return cadre_err_set(err, CADRE_EINTERNAL, "bad scale %d", places);
	if (n == 0)
		return bad(err, 1, "expected a number, found nothing");
	size_t i = 0;
	int neg = 0;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
	}
	int64_t v = 0;
	size_t digits = 0;
	int frac = -1; /* fraction digits seen, -1 before the point */
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (c < '0' || c > '9')
			return bad(err, i + 1,
			           c == '.' ? "a second decimal point" : "expected a digit");
		if (frac >= 0 && frac == places)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "column %zu: more than %d decimal places", i + 1,
			                     places);
		if (v > (INT64_MAX - 9) / 10)
			return bad(err, 1, "number too large");
		v = v * 10 + (c - '0');
		digits++;
		if (frac >= 0)
			frac++;
	}
	if (digits == 0)
		return bad(err, n + 1, "expected a digit");
	for (int k = frac < 0 ? 0 : frac; k < places; k++) {
		if (v > INT64_MAX / 10)
			return bad(err, 1, "number too large");
		v *= 10;
	}
	*out = neg ? -v : v;
	return CADRE_OK;
}
