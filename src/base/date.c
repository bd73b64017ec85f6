#include "base/date.h"

#include <stdio.h>

static const char *const month_names[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December",
};

static const char *const month_abbr[12] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* floor division and its remainder for a positive divisor. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if (a % b < 0)
		q--;
	return q;
}

/* ---- dates ---- */

bool date_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	if (m == 2 && date_is_leap(y))
		return 29;
	return days[m - 1];
}

bool date_valid(struct date d)
{
	return d.y >= 1 && d.y <= 9999 && d.m >= 1 && d.m <= 12 && d.d >= 1 &&
	       d.d <= date_days_in_month(d.y, d.m);
}

/* Hinnant's days_from_civil: the year is counted from 1 March so that the
 * leap day is the last day of its "year", and eras of 400 years (146097
 * days) make the arithmetic exact for negative years too. */
int64_t date_to_days(struct date d)
{
	int64_t y = (int64_t)d.y - (d.m <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;                                           /* [0, 399] */
	int64_t doy = (153 * (d.m > 2 ? d.m - 3 : d.m + 9) + 2) / 5 + d.d - 1; /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                   /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

/* Hinnant's civil_from_days, the inverse of the above. */
struct date date_from_days(int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;                                      /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                      /* [0, 11], March = 0 */
	struct date out;
	out.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	out.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	out.y = (int)(y + (out.m <= 2));
	return out;
}

int date_cmp(struct date a, struct date b)
{
	if (a.y != b.y)
		return a.y < b.y ? -1 : 1;
	if (a.m != b.m)
		return a.m < b.m ? -1 : 1;
	if (a.d != b.d)
		return a.d < b.d ? -1 : 1;
	return 0;
}

struct date date_add_days(struct date d, int64_t n)
{
	return date_from_days(date_to_days(d) + n);
}

struct date date_add_months(struct date d, int n)
{
	int64_t total = (int64_t)d.y * 12 + (d.m - 1) + n;
	int64_t y = floor_div(total, 12);
	struct date out = {(int)y, (int)(total - y * 12) + 1, d.d};
	int last = date_days_in_month(out.y, out.m);
	if (out.d > last)
		out.d = last;
	return out;
}

int64_t date_days_between(struct date a, struct date b)
{
	return date_to_days(b) - date_to_days(a);
}

int date_weekday(struct date d)
{
	int64_t z = date_to_days(d);
	/* Hinnant's weekday_from_days: 0 = Sunday; 1970-01-01 was a Thursday. */
	int64_t w = z >= -4 ? (z + 4) % 7 : (z + 5) % 7 + 6;
	return w == 0 ? 7 : (int)w;
}

struct date date_month_end(struct date d)
{
	struct date out = {d.y, d.m, date_days_in_month(d.y, d.m)};
	return out;
}

/* match: check s against a shape where '9' stands for a digit, '_' for a
 * space or 'T' (between a date and a time) and any other character for
 * itself; `form` names the shape in messages. */
static int match_at(const char *s, size_t n, size_t off, const char *shape, const char *form,
                    struct cadre_err *err)
{
	for (size_t i = off; shape[i - off]; i++) {
		if (i >= n)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "column %zu: ends early; expected %s", i + 1, form);
		unsigned char c = (unsigned char)s[i];
		if (shape[i - off] == '9') {
			if (c < '0' || c > '9')
				return cadre_err_set(err, CADRE_EINVAL,
				                     "column %zu: expected a digit; expected %s",
				                     i + 1, form);
		} else if (shape[i - off] == '_') {
			if (c != ' ' && c != 'T')
				return cadre_err_set(err, CADRE_EINVAL,
				                     "column %zu: expected a space; expected %s",
				                     i + 1, form);
		} else if (c != (unsigned char)shape[i - off]) {
			return cadre_err_set(err, CADRE_EINVAL,
			                     "column %zu: expected '%c'; expected %s", i + 1,
			                     shape[i - off], form);
		}
	}
	return CADRE_OK;
}

static int match(const char *s, size_t n, const char *shape, const char *form,
                 struct cadre_err *err)
{
	return match_at(s, n, 0, shape, form, err);
}

/* the value of count digits at s (already checked by match). */
static int digits_at(const char *s, size_t count)
{
	int v = 0;
	for (size_t i = 0; i < count; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static int trailing(size_t n, size_t len, const char *form, struct cadre_err *err)
{
	if (n > len)
		return cadre_err_set(err, CADRE_EINVAL, "column %zu: unexpected text after %s",
		                     len + 1, form);
	return CADRE_OK;
}

/* check_ymd: the year, month and day read from text, with the 1-based
 * columns where each was written. */
static int check_ymd(struct date d, size_t ycol, size_t mcol, size_t dcol, struct cadre_err *err)
{
	if (d.y < 1)
		return cadre_err_set(err, CADRE_EINVAL, "column %zu: year 0000 is out of range",
		                     ycol);
	if (d.m < 1 || d.m > 12)
		return cadre_err_set(err, CADRE_EINVAL, "column %zu: month %02d is not 01 to 12",
		                     mcol, d.m);
	int last = date_days_in_month(d.y, d.m);
	if (d.d < 1 || d.d > last)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "column %zu: day %02d does not exist in %s %04d (%d days)",
		                     dcol, d.d, month_names[d.m - 1], d.y, last);
	return CADRE_OK;
}

int date_parse_iso(const char *s, size_t n, struct date *out, struct cadre_err *err)
{
	static const char form[] = "YYYY-MM-DD";
	int rc = match(s, n, "9999-99-99", form, err);
	if (!rc)
		rc = trailing(n, 10, form, err);
	if (rc)
		return rc;
	struct date d = {digits_at(s, 4), digits_at(s + 5, 2), digits_at(s + 8, 2)};
	rc = check_ymd(d, 1, 6, 9, err);
	if (rc)
		return rc;
	*out = d;
	return CADRE_OK;
}

int date_parse_dmy(const char *s, size_t n, struct date *out, struct cadre_err *err)
{
	static const char form[] = "DD/MM/YYYY";
	int rc = match(s, n, "99/99/9999", form, err);
	if (!rc)
		rc = trailing(n, 10, form, err);
	if (rc)
		return rc;
	struct date d = {digits_at(s + 6, 4), digits_at(s + 3, 2), digits_at(s, 2)};
	rc = check_ymd(d, 7, 4, 1, err);
	if (rc)
		return rc;
	*out = d;
	return CADRE_OK;
}

int date_parse(const char *s, size_t n, struct date *out, struct cadre_err *err)
{
	if (n > 2 && s[2] == '/')
		return date_parse_dmy(s, n, out, err);
	if (n > 4 && s[4] == '-')
		return date_parse_iso(s, n, out, err);
	return cadre_err_set(err, CADRE_EINVAL,
	                     "column 1: expected a date, YYYY-MM-DD or DD/MM/YYYY");
}

void date_format_iso(struct date d, char *out)
{
	snprintf(out, DATE_STR_SIZE, "%04d-%02d-%02d", d.y, d.m, d.d);
}

/* ---- month keys ---- */

bool date_month_valid(int ym)
{
	int y = ym / 100, m = ym % 100;
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12;
}

int date_month_of(struct date d)
{
	return d.y * 100 + d.m;
}

int date_month_add(int ym, int n)
{
	int64_t total = (int64_t)(ym / 100) * 12 + (ym % 100 - 1) + n;
	int64_t y = floor_div(total, 12);
	return (int)(y * 100 + (total - y * 12) + 1);
}

int date_month_diff(int a, int b)
{
	return (b / 100 - a / 100) * 12 + (b % 100 - a % 100);
}

int date_month_days(int ym)
{
	return date_month_valid(ym) ? date_days_in_month(ym / 100, ym % 100) : 0;
}

struct date date_month_first(int ym)
{
	struct date d = {ym / 100, ym % 100, 1};
	return d;
}

struct date date_month_last(int ym)
{
	struct date d = {ym / 100, ym % 100, date_days_in_month(ym / 100, ym % 100)};
	return d;
}

int date_month_parse(const char *s, size_t n, int *out, struct cadre_err *err)
{
	static const char form[] = "YYYY-MM";
	int rc = match(s, n, "9999-99", form, err);
	if (!rc)
		rc = trailing(n, 7, form, err);
	if (rc)
		return rc;
	int y = digits_at(s, 4), m = digits_at(s + 5, 2);
	if (y < 1)
		return cadre_err_set(err, CADRE_EINVAL, "column 1: year 0000 is out of range");
	if (m < 1 || m > 12)
		return cadre_err_set(err, CADRE_EINVAL, "column 6: month %02d is not 01 to 12", m);
	*out = y * 100 + m;
	return CADRE_OK;
}

void date_month_format(int ym, char *out)
{
	snprintf(out, DATE_MONTH_SIZE, "%04d-%02d", ym / 100, ym % 100);
}

/* ---- NHS financial years ---- */

int date_fy_of(struct date d)
{
	return d.m >= 4 ? d.y : d.y - 1;
}

int date_fy_of_month(int ym)
{
	return ym % 100 >= 4 ? ym / 100 : ym / 100 - 1;
}

int date_fy_first_month(int fy)
{
	return fy * 100 + 4;
}

int date_fy_last_month(int fy)
{
	return (fy + 1) * 100 + 3;
}

struct date date_fy_first_day(int fy)
{
	struct date d = {fy, 4, 1};
	return d;
}

struct date date_fy_last_day(int fy)
{
	struct date d = {fy + 1, 3, 31};
	return d;
}

int date_fy_month_number(int ym)
{
	int m = ym % 100;
	if (m < 1 || m > 12)
		return 0;
	return (m + 8) % 12 + 1; /* April (4) -> 1, March (3) -> 12 */
}

int date_fy_parse(const char *s, size_t n, int *out, struct cadre_err *err)
{
	static const char form[] = "YYYY/YY, e.g. 2025/26";
	int rc = match(s, n, "9999/99", form, err);
	if (!rc)
		rc = trailing(n, 7, form, err);
	if (rc)
		return rc;
	int y = digits_at(s, 4), yy = digits_at(s + 5, 2);
	if (y < 1 || y > 9998)
		return cadre_err_set(err, CADRE_EINVAL, "column 1: year %04d is out of range", y);
	if (yy != (y + 1) % 100)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "column 6: a financial year starting in %04d ends in %02d, "
		                     "not %02d (%04d/%02d)",
		                     y, (y + 1) % 100, yy, y, (y + 1) % 100);
	*out = y;
	return CADRE_OK;
}

void date_fy_format(int fy, char *out)
{
	int end = (fy + 1) % 100;
	if (end < 0)
		end += 100;
	snprintf(out, DATE_FY_SIZE, "%04d/%02d", fy, end);
}

/* ---- timestamps ---- */

/* the UTC date and time of day of ts. */
static struct date_local split_ts(int64_t ts)
{
	int64_t days = floor_div(ts, DATE_US_PER_DAY);
	int64_t rem = ts - days * DATE_US_PER_DAY; /* [0, one day) */
	struct date_local t;
	t.date = date_from_days(days);
	t.hour = (int)(rem / DATE_US_PER_HOUR);
	t.min = (int)(rem / (60 * DATE_US_PER_SEC) % 60);
	t.sec = (int)(rem / DATE_US_PER_SEC % 60);
	t.usec = (int)(rem % DATE_US_PER_SEC);
	t.bst = false;
	return t;
}

int64_t date_ts_from(struct date d, int hour, int min, int sec, int usec)
{
	return date_to_days(d) * DATE_US_PER_DAY + (int64_t)hour * DATE_US_PER_HOUR +
	       (int64_t)min * 60 * DATE_US_PER_SEC + (int64_t)sec * DATE_US_PER_SEC + usec;
}

struct date date_ts_date(int64_t ts)
{
	return date_from_days(floor_div(ts, DATE_US_PER_DAY));
}

void date_ts_format(int64_t ts, char *out)
{
	struct date_local t = split_ts(ts);
	snprintf(out, DATE_TS_SIZE, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", t.date.y, t.date.m,
	         t.date.d, t.hour, t.min, t.sec, t.usec);
}

/* check_hms: a time of day read from text at 1-based column col (HH:MM:SS). */
static int check_hms(int h, int m, int s, size_t col, struct cadre_err *err)
{
	if (h > 23)
		return cadre_err_set(err, CADRE_EINVAL, "column %zu: hour %02d is not 00 to 23",
		                     col, h);
	if (m > 59)
		return cadre_err_set(err, CADRE_EINVAL, "column %zu: minute %02d is not 00 to 59",
		                     col + 3, m);
	if (s > 59)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "column %zu: second %02d is not 00 to 59 (leap seconds are "
		                     "not accepted)",
		                     col + 6, s);
	return CADRE_OK;
}

int date_ts_parse(const char *s, size_t n, int64_t *out, struct cadre_err *err)
{
	static const char form[] = "YYYY-MM-DDTHH:MM:SS.ffffffZ";
	int rc = match(s, n, "9999-99-99T99:99:99", form, err);
	if (rc)
		return rc;
	struct date d = {digits_at(s, 4), digits_at(s + 5, 2), digits_at(s + 8, 2)};
	int h = digits_at(s + 11, 2), mi = digits_at(s + 14, 2), se = digits_at(s + 17, 2);
	rc = check_ymd(d, 1, 6, 9, err);
	if (!rc)
		rc = check_hms(h, mi, se, 12, err);
	if (rc)
		return rc;
	size_t i = 19;
	int usec = 0;
	if (i < n && s[i] == '.') {
		i++;
		size_t start = i;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (i - start == 6)
				return cadre_err_set(err, CADRE_EINVAL,
				                     "column %zu: more than 6 fraction digits",
				                     i + 1);
			usec = usec * 10 + (s[i] - '0');
			i++;
		}
		if (i == start)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "column %zu: expected a digit after '.'", i + 1);
		for (size_t k = i - start; k < 6; k++)
			usec *= 10;
	}
	int64_t offset = 0;
	if (i >= n)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "column %zu: ends early; expected 'Z' or an offset such as "
		                     "+01:00",
		                     i + 1);
	if (s[i] == 'Z') {
		i++;
	} else if (s[i] == '+' || s[i] == '-') {
		int sign = s[i] == '-' ? -1 : 1;
		size_t col = i + 2;
		rc = match_at(s, n, i + 1, "99:99", "an offset such as +01:00", err);
		if (rc)
			return rc;
		int oh = digits_at(s + i + 1, 2), om = digits_at(s + i + 4, 2);
		if (oh > 23 || om > 59)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "column %zu: offset %02d:%02d is out of range", col,
			                     oh, om);
		offset =
		    sign * ((int64_t)oh * DATE_US_PER_HOUR + (int64_t)om * 60 * DATE_US_PER_SEC);
		i += 6;
	} else {
		return cadre_err_set(err, CADRE_EINVAL,
		                     "column %zu: expected 'Z' or an offset such as +01:00", i + 1);
	}
	rc = trailing(n, i, "the timestamp", err);
	if (rc)
		return rc;
	*out = date_ts_from(d, h, mi, se, usec) - offset;
	return CADRE_OK;
}

/* ---- Europe/London ---- */

/* the day number of the last Sunday of month m in year y. */
static int64_t last_sunday(int y, int m)
{
	struct date last = {y, m, date_days_in_month(y, m)};
	return date_to_days(last) - date_weekday(last) % 7;
}

int64_t date_london_bst_start(int y)
{
	return last_sunday(y, 3) * DATE_US_PER_DAY + DATE_US_PER_HOUR;
}

int64_t date_london_bst_end(int y)
{
	return last_sunday(y, 10) * DATE_US_PER_DAY + DATE_US_PER_HOUR;
}

bool date_london_is_bst(int64_t ts)
{
	/* BST never spans a UTC new year, so the UTC year picks the rule. */
	int y = date_ts_date(ts).y;
	return ts >= date_london_bst_start(y) && ts < date_london_bst_end(y);
}

struct date_local date_london_from_ts(int64_t ts)
{
	bool bst = date_london_is_bst(ts);
	struct date_local t = split_ts(ts + (bst ? DATE_US_PER_HOUR : 0));
	t.bst = bst;
	return t;
}

/* resolve: the instants whose London wall time is `wall` (a wall time
 * written as if it were UTC).  Returns how many there are (0, 1 or 2) and the
 * earliest in *ts. */
static int resolve(int64_t wall, int64_t *ts)
{
	int64_t gmt = wall, bst = wall - DATE_US_PER_HOUR;
	bool gmt_ok = !date_london_is_bst(gmt), bst_ok = date_london_is_bst(bst);
	if (bst_ok)
		*ts = bst;
	else if (gmt_ok)
		*ts = gmt;
	return gmt_ok + bst_ok;
}

int date_london_to_ts(struct date_local local, int64_t *ts, bool *ambiguous, struct cadre_err *err)
{
	struct date d = local.date;
	if (!date_valid(d))
		return cadre_err_set(err, CADRE_EINVAL, "%04d-%02d-%02d is not a date", d.y, d.m,
		                     d.d);
	if (local.hour < 0 || local.hour > 23 || local.min < 0 || local.min > 59 || local.sec < 0 ||
	    local.sec > 59 || local.usec < 0 || local.usec > 999999)
		return cadre_err_set(err, CADRE_EINVAL, "%02d:%02d:%02d is not a time of day",
		                     local.hour, local.min, local.sec);
	int64_t wall = date_ts_from(d, local.hour, local.min, local.sec, local.usec);
	int64_t t = 0;
	int count = resolve(wall, &t);
	if (count == 0)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "%02d:%02d on %d %s %04d does not exist in Europe/London: the "
		                     "clocks went forward from 01:00 GMT to 02:00 BST",
		                     local.hour, local.min, d.d, month_abbr[d.m - 1], d.y);
	if (ambiguous)
		*ambiguous = count == 2;
	*ts = t;
	return CADRE_OK;
}

int date_london_parse(const char *s, size_t n, int64_t *ts, bool *ambiguous, struct cadre_err *err)
{
	static const char form[] = "YYYY-MM-DD HH:MM";
	int rc = match(s, n, "9999-99-99_99:99", form, err);
	if (rc)
		return rc;
	struct date_local t = {{digits_at(s, 4), digits_at(s + 5, 2), digits_at(s + 8, 2)},
	                       digits_at(s + 11, 2),
	                       digits_at(s + 14, 2),
	                       0,
	                       0,
	                       false};
	size_t len = 16;
	if (n > 16 && s[16] == ':') {
		rc = match(s, n, "9999-99-99_99:99:99", "YYYY-MM-DD HH:MM:SS", err);
		if (rc)
			return rc;
		t.sec = digits_at(s + 17, 2);
		len = 19;
	}
	rc = trailing(n, len, "the time", err);
	if (!rc)
		rc = check_ymd(t.date, 1, 6, 9, err);
	if (!rc)
		rc = check_hms(t.hour, t.min, t.sec, 12, err);
	if (rc)
		return rc;
	return date_london_to_ts(t, ts, ambiguous, err);
}

void date_london_format(int64_t ts, char *out)
{
	struct date_local t = date_london_from_ts(ts);
	snprintf(out, DATE_LONDON_SIZE, "%d %s %04d %02d:%02d %s", t.date.d,
	         month_abbr[t.date.m - 1], t.date.y, t.hour, t.min, t.bst ? "BST" : "GMT");
}

void date_london_format_iso(int64_t ts, char *out)
{
	struct date_local t = date_london_from_ts(ts);
	snprintf(out, DATE_LONDON_SIZE, "%04d-%02d-%02dT%02d:%02d:%02d%s", t.date.y, t.date.m,
	         t.date.d, t.hour, t.min, t.sec, t.bst ? "+01:00" : "+00:00");
}

int64_t date_london_day_length(struct date d)
{
	/* London midnight is never in a gap or an overlap (the clocks change at
	 * 01:00 GMT / 02:00 BST), so each midnight has exactly one instant. */
	int64_t start = 0, end = 0;
	resolve(date_ts_from(d, 0, 0, 0, 0), &start);
	resolve(date_ts_from(date_add_days(d, 1), 0, 0, 0, 0), &end);
	return end - start;
}
