#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/date.h"

#define S(x) x, strlen(x)
#define HOUR DATE_US_PER_HOUR
#define SEC  DATE_US_PER_SEC

static struct date D(int y, int m, int d) {
	struct date x = {y, m, d};
	return x;
}

static void
assert_date(struct date got, int y, int m, int d)
{
	assert_int_equal(got.y, y);
	assert_int_equal(got.m, m);
	assert_int_equal(got.d, d);
}

/* 2026-03-29 is day 20541: 2000-01-01 is day 10957 (30 years of which 7
 * leap), 2026-01-01 is 10957 + 26 * 365 + 7 (2000..2024) = 20454, and 29 March
 * is 31 + 28 + 28 days later. */
#define DAY_2026_03_29 20541
/* 2026-10-25 is 210 days (30 weeks) after 29 March: 2 + 30 + 31 + 30 + 31 +
 * 31 + 30 + 25. */
#define DAY_2026_10_25 20751
/* BST 2026: 01:00 UTC on those Sundays. */
#define BST_START_2026 ((int64_t)DAY_2026_03_29 * DATE_US_PER_DAY + HOUR)
#define BST_END_2026   ((int64_t)DAY_2026_10_25 * DATE_US_PER_DAY + HOUR)

static void test_leap_years(void **state)
{
	(void)state;
	assert_false(date_is_leap(1900));
	assert_true(date_is_leap(2000));
	assert_true(date_is_leap(2024));
	assert_false(date_is_leap(2023));
	assert_false(date_is_leap(2100));
	assert_int_equal(date_days_in_month(1900, 2), 28);
	assert_int_equal(date_days_in_month(2000, 2), 29);
	assert_int_equal(date_days_in_month(2024, 2), 29);
	assert_int_equal(date_days_in_month(2023, 2), 28);
	assert_int_equal(date_days_in_month(2026, 4), 30);
	assert_int_equal(date_days_in_month(2026, 13), 0);
	assert_true(date_valid(D(2000, 2, 29)));
	assert_true(date_valid(D(2024, 2, 29)));
	assert_false(date_valid(D(1900, 2, 29)));
	assert_false(date_valid(D(2026, 4, 31)));
	assert_false(date_valid(D(0, 1, 1)));
	assert_false(date_valid(D(10000, 1, 1)));
	assert_date(date_add_days(D(1900, 2, 28), 1), 1900, 3, 1);
	assert_date(date_add_days(D(2000, 2, 28), 1), 2000, 2, 29);
	assert_date(date_add_days(D(2024, 2, 28), 1), 2024, 2, 29);
	assert_int_equal(date_days_between(D(2024, 1, 1), D(2025, 1, 1)), 366);
	assert_int_equal(date_days_between(D(2023, 1, 1), D(2024, 1, 1)), 365);
	assert_int_equal(date_days_between(D(1900, 1, 1), D(1901, 1, 1)), 365);
	assert_int_equal(date_days_between(D(2000, 1, 1), D(2001, 1, 1)), 366);
	assert_int_equal(date_days_between(D(2026, 3, 31), D(2026, 3, 1)), -30);
}

static void test_day_numbers(void **state)
{
	(void)state;
	assert_int_equal(date_to_days(D(1970, 1, 1)), 0);
	assert_int_equal(date_to_days(D(1969, 12, 31)), -1);
	assert_int_equal(date_to_days(D(2000, 1, 1)), 10957);
	assert_int_equal(date_to_days(D(2026, 3, 29)), DAY_2026_03_29);
	/* 70 years with 17 leap days (1904..1968) before 1970 */
	assert_int_equal(date_to_days(D(1900, 1, 1)), -25567);
	/* 0001-01-01 is day 1 of the proleptic Gregorian count that reaches
	 * 1970-01-01 at 719163 */
	assert_int_equal(date_to_days(D(1, 1, 1)), -719162);
	assert_int_equal(date_to_days(D(9999, 12, 31)), 2932896);
	assert_date(date_from_days(0), 1970, 1, 1);
	assert_date(date_from_days(DAY_2026_03_29), 2026, 3, 29);
	assert_date(date_from_days(-25567), 1900, 1, 1);

	/* every day of years 1..9999: stepping by hand agrees with the formula */
	struct date d = D(1, 1, 1);
	for (int64_t z = -719162; z <= 2932896; z++) {
		struct date got = date_from_days(z);
		if (got.y != d.y || got.m != d.m || got.d != d.d || date_to_days(d) != z)
			fail_msg("day %lld: %d-%d-%d, expected %d-%d-%d", (long long)z, got.y,
			         got.m, got.d, d.y, d.m, d.d);
		if (++d.d > date_days_in_month(d.y, d.m)) {
			d.d = 1;
			if (++d.m > 12) {
				d.m = 1;
				d.y++;
			}
		}
	}
	assert_date(d, 10000, 1, 1);
}

static void test_weekday(void **state)
{
	(void)state;
	assert_int_equal(date_weekday(D(1970, 1, 1)), 4);   /* Thursday */
	assert_int_equal(date_weekday(D(1900, 1, 1)), 1);   /* Monday */
	assert_int_equal(date_weekday(D(2000, 1, 1)), 6);   /* Saturday */
	assert_int_equal(date_weekday(D(2026, 3, 29)), 7);  /* Sunday */
	assert_int_equal(date_weekday(D(2026, 3, 31)), 2);  /* Tuesday */
	assert_int_equal(date_weekday(D(1969, 12, 28)), 7); /* Sunday, day -4 */
	assert_int_equal(date_weekday(D(1969, 12, 27)), 6); /* Saturday, day -5 */
	assert_date(date_month_end(D(2024, 2, 10)), 2024, 2, 29);
	assert_date(date_month_end(D(2026, 12, 1)), 2026, 12, 31);
	assert_int_equal(date_cmp(D(2026, 3, 31), D(2026, 4, 1)), -1);
	assert_int_equal(date_cmp(D(2026, 4, 1), D(2026, 4, 1)), 0);
	assert_int_equal(date_cmp(D(2027, 1, 1), D(2026, 12, 31)), 1);
}

static void test_add_months(void **state)
{
	(void)state;
	assert_date(date_add_months(D(2024, 1, 31), 1), 2024, 2, 29);
	assert_date(date_add_months(D(2023, 1, 31), 1), 2023, 2, 28);
	assert_date(date_add_months(D(2025, 3, 31), -1), 2025, 2, 28);
	/* not undone: 31 Mar - 1 + 1 = 28 Mar */
	assert_date(date_add_months(date_add_months(D(2025, 3, 31), -1), 1), 2025, 3, 28);
	assert_date(date_add_months(D(2025, 5, 31), 1), 2025, 6, 30);
	assert_date(date_add_months(D(2025, 12, 15), 1), 2026, 1, 15);
	assert_date(date_add_months(D(2026, 1, 15), -1), 2025, 12, 15);
	assert_date(date_add_months(D(2024, 2, 29), 12), 2025, 2, 28);
	assert_date(date_add_months(D(2024, 2, 29), 48), 2028, 2, 29);
	assert_date(date_add_months(D(2026, 1, 10), -25), 2023, 12, 10);
	assert_date(date_add_months(D(2026, 1, 10), 0), 2026, 1, 10);
}

static void test_parse_dates(void **state)
{
	(void)state;
	struct date d = {0, 0, 0};
	struct cadre_err e;
	assert_int_equal(date_parse_iso(S("2024-02-29"), &d, &e), CADRE_OK);
	assert_date(d, 2024, 2, 29);
	assert_int_equal(date_parse_iso(S("2023-02-29"), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 9: day 29 does not exist in February 2023 (28 days)");
	assert_int_equal(date_parse_iso(S("1900-02-29"), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 9: day 29 does not exist in February 1900 (28 days)");
	assert_int_equal(date_parse_iso(S("2026-04-00"), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 9: day 00 does not exist in April 2026 (30 days)");
	assert_int_equal(date_parse_iso(S("2026-13-01"), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 6: month 13 is not 01 to 12");
	assert_int_equal(date_parse_iso(S("2026-1-01"), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 7: expected a digit; expected YYYY-MM-DD");
	assert_int_equal(date_parse_iso(S("2026/01/01"), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 5: expected '-'; expected YYYY-MM-DD");
	assert_int_equal(date_parse_iso(S("2026-01-01x"), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 11: unexpected text after YYYY-MM-DD");
	assert_int_equal(date_parse_iso(S(" 2026-01-01"), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 1: expected a digit; expected YYYY-MM-DD");
	assert_int_equal(date_parse_iso(S("2026-01"), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 8: ends early; expected YYYY-MM-DD");
	assert_int_equal(date_parse_iso(S(""), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 1: ends early; expected YYYY-MM-DD");
	assert_int_equal(date_parse_iso(S("0000-01-01"), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 1: year 0000 is out of range");
	/* not NUL-terminated: only n bytes are read */
	assert_int_equal(date_parse_iso("2026-01-019", 10, &d, &e), CADRE_OK);
	assert_date(d, 2026, 1, 1);

	assert_int_equal(date_parse_dmy(S("31/03/2026"), &d, &e), CADRE_OK);
	assert_date(d, 2026, 3, 31);
	assert_int_equal(date_parse_dmy(S("31/04/2026"), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 1: day 31 does not exist in April 2026 (30 days)");
	assert_int_equal(date_parse_dmy(S("01/13/2026"), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 4: month 13 is not 01 to 12");
	assert_int_equal(date_parse_dmy(S("1/4/2025"), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 2: expected a digit; expected DD/MM/YYYY");
	assert_int_equal(date_parse_dmy(S("01-04-2025"), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 3: expected '/'; expected DD/MM/YYYY");

	assert_int_equal(date_parse(S("2026-03-31"), &d, &e), CADRE_OK);
	assert_date(d, 2026, 3, 31);
	assert_int_equal(date_parse(S("01/04/2026"), &d, &e), CADRE_OK);
	assert_date(d, 2026, 4, 1);
	assert_int_equal(date_parse(S("20260331"), &d, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 1: expected a date, YYYY-MM-DD or DD/MM/YYYY");

	char out[DATE_STR_SIZE];
	date_format_iso(D(2026, 4, 1), out);
	assert_string_equal(out, "2026-04-01");
	date_format_iso(D(1, 1, 1), out);
	assert_string_equal(out, "0001-01-01");
}

static void test_months(void **state)
{
	(void)state;
	assert_int_equal(date_month_of(D(2026, 3, 29)), 202603);
	assert_int_equal(date_month_add(202511, 3), 202602);
	assert_int_equal(date_month_add(202512, 1), 202601);
	assert_int_equal(date_month_add(202601, -1), 202512);
	assert_int_equal(date_month_add(202601, -13), 202412);
	assert_int_equal(date_month_add(202601, 24), 202801);
	assert_int_equal(date_month_diff(202504, 202603), 11);
	assert_int_equal(date_month_diff(202603, 202504), -11);
	assert_int_equal(date_month_diff(202412, 202501), 1);
	assert_int_equal(date_month_days(202402), 29);
	assert_int_equal(date_month_days(190002), 28);
	assert_int_equal(date_month_days(202604), 30);
	assert_int_equal(date_month_days(202613), 0);
	assert_true(date_month_valid(202612));
	assert_false(date_month_valid(202600));
	assert_false(date_month_valid(202613));
	assert_date(date_month_first(202602), 2026, 2, 1);
	assert_date(date_month_last(202602), 2026, 2, 28);
	assert_date(date_month_last(202402), 2024, 2, 29);

	/* iterating over a year end */
	int seen[8], count = 0;
	for (int m = 202411; m <= 202502; m = date_month_add(m, 1))
		seen[count++] = m;
	assert_int_equal(count, 4);
	assert_int_equal(seen[0], 202411);
	assert_int_equal(seen[1], 202412);
	assert_int_equal(seen[2], 202501);
	assert_int_equal(seen[3], 202502);

	int ym = 0;
	struct cadre_err e;
	assert_int_equal(date_month_parse(S("2026-03"), &ym, &e), CADRE_OK);
	assert_int_equal(ym, 202603);
	assert_int_equal(date_month_parse(S("2026-13"), &ym, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 6: month 13 is not 01 to 12");
	assert_int_equal(date_month_parse(S("2026-3"), &ym, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 7: ends early; expected YYYY-MM");
	assert_int_equal(date_month_parse(S("2026/03"), &ym, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 5: expected '-'; expected YYYY-MM");
	assert_int_equal(date_month_parse(S("2026-03-01"), &ym, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 8: unexpected text after YYYY-MM");
	char out[DATE_MONTH_SIZE];
	date_month_format(202604, out);
	assert_string_equal(out, "2026-04");
}

static void test_financial_years(void **state)
{
	(void)state;
	/* the boundary: 31 March is the last day of the year that began the
	 * April before */
	assert_int_equal(date_fy_of(D(2026, 3, 31)), 2025);
	assert_int_equal(date_fy_of(D(2026, 4, 1)), 2026);
	assert_int_equal(date_fy_of(D(2026, 1, 1)), 2025);
	assert_int_equal(date_fy_of(D(2025, 12, 31)), 2025);
	assert_int_equal(date_fy_of_month(202603), 2025);
	assert_int_equal(date_fy_of_month(202604), 2026);
	assert_int_equal(date_fy_first_month(2025), 202504);
	assert_int_equal(date_fy_last_month(2025), 202603);
	assert_date(date_fy_first_day(2025), 2025, 4, 1);
	assert_date(date_fy_last_day(2025), 2026, 3, 31);
	assert_int_equal(date_fy_month_number(202504), 1);
	assert_int_equal(date_fy_month_number(202512), 9);
	assert_int_equal(date_fy_month_number(202601), 10);
	assert_int_equal(date_fy_month_number(202603), 12);
	assert_int_equal(date_fy_month_number(202600), 0);
	/* the twelve months of 2025/26 in order */
	int m = date_fy_first_month(2025);
	for (int i = 1; i <= 12; i++, m = date_month_add(m, 1)) {
		assert_int_equal(date_fy_month_number(m), i);
		assert_int_equal(date_fy_of_month(m), 2025);
	}
	assert_int_equal(m, 202604);

	char out[DATE_FY_SIZE];
	date_fy_format(2025, out);
	assert_string_equal(out, "2025/26");
	date_fy_format(1999, out);
	assert_string_equal(out, "1999/00");
	date_fy_format(2099, out);
	assert_string_equal(out, "2099/00");
	date_fy_format(2009, out);
	assert_string_equal(out, "2009/10");

	int fy = 0;
	struct cadre_err e;
	assert_int_equal(date_fy_parse(S("2025/26"), &fy, &e), CADRE_OK);
	assert_int_equal(fy, 2025);
	date_fy_format(fy, out);
	assert_string_equal(out, "2025/26");
	assert_int_equal(date_fy_parse(S("1999/00"), &fy, &e), CADRE_OK);
	assert_int_equal(fy, 1999);
	assert_int_equal(date_fy_parse(S("2099/00"), &fy, &e), CADRE_OK);
	assert_int_equal(fy, 2099);
	assert_int_equal(date_fy_parse(S("2025/27"), &fy, &e), CADRE_EINVAL);
	assert_string_equal(
	    e.msg, "column 6: a financial year starting in 2025 ends in 26, not 27 (2025/26)");
	assert_int_equal(date_fy_parse(S("1999/99"), &fy, &e), CADRE_EINVAL);
	assert_string_equal(
	    e.msg, "column 6: a financial year starting in 1999 ends in 00, not 99 (1999/00)");
	assert_int_equal(date_fy_parse(S("2025-26"), &fy, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 5: expected '/'; expected YYYY/YY, e.g. 2025/26");
	assert_int_equal(date_fy_parse(S("25/26"), &fy, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 3: expected a digit; expected YYYY/YY, e.g. 2025/26");
	assert_int_equal(date_fy_parse(S("2025/2026"), &fy, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 8: unexpected text after YYYY/YY, e.g. 2025/26");
	assert_int_equal(date_fy_parse(S("9999/00"), &fy, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 1: year 9999 is out of range");
	assert_int_equal(fy, 2099); /* untouched on failure */
}

static void test_timestamps(void **state)
{
	(void)state;
	char out[DATE_TS_SIZE];
	struct cadre_err e;
	int64_t ts = 0;
	/* 20541 days * 86400 s = 1774742400 s, plus 1.5 hours */
	const int64_t t0130 = INT64_C(1774747800000000);
	assert_true(date_ts_from(D(2026, 3, 29), 1, 30, 0, 0) == t0130);
	date_ts_format(t0130, out);
	assert_string_equal(out, "2026-03-29T01:30:00.000000Z");
	date_ts_format(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00.000000Z");
	date_ts_format(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59.999999Z");
	date_ts_format(INT64_C(1795623635123456), out);
	assert_string_equal(out, "2026-11-25T16:20:35.123456Z");
	assert_date(date_ts_date(-1), 1969, 12, 31);
	assert_date(date_ts_date(t0130), 2026, 3, 29);

	assert_int_equal(date_ts_parse(S("2026-03-29T01:30:00.000000Z"), &ts, &e), CADRE_OK);
	assert_true(ts == t0130);
	assert_int_equal(date_ts_parse(S("2026-03-29T01:30:00Z"), &ts, &e), CADRE_OK);
	assert_true(ts == t0130);
	assert_int_equal(date_ts_parse(S("2026-03-29T02:30:00+01:00"), &ts, &e), CADRE_OK);
	assert_true(ts == t0130);
	assert_int_equal(date_ts_parse(S("2026-03-28T20:00:00-05:30"), &ts, &e), CADRE_OK);
	assert_true(ts == t0130);
	assert_int_equal(date_ts_parse(S("2026-03-29T01:30:00.5Z"), &ts, &e), CADRE_OK);
	assert_true(ts == t0130 + 500000);
	assert_int_equal(date_ts_parse(S("1969-12-31T23:59:59.999999Z"), &ts, &e), CADRE_OK);
	assert_true(ts == -1);

	assert_int_equal(date_ts_parse(S("2026-03-29T01:30:00.1234567Z"), &ts, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 27: more than 6 fraction digits");
	assert_int_equal(date_ts_parse(S("2026-03-29T24:00:00Z"), &ts, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 12: hour 24 is not 00 to 23");
	assert_int_equal(date_ts_parse(S("2026-03-29T01:60:00Z"), &ts, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 15: minute 60 is not 00 to 59");
	assert_int_equal(date_ts_parse(S("2016-12-31T23:59:60Z"), &ts, &e), CADRE_EINVAL);
	assert_string_equal(e.msg,
	                    "column 18: second 60 is not 00 to 59 (leap seconds are not accepted)");
	assert_int_equal(date_ts_parse(S("2026-03-29 01:30:00Z"), &ts, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 11: expected 'T'; expected YYYY-MM-DDTHH:MM:SS.ffffffZ");
	assert_int_equal(date_ts_parse(S("2026-03-29T01:30:00"), &ts, &e), CADRE_EINVAL);
	assert_string_equal(e.msg,
	                    "column 20: ends early; expected 'Z' or an offset such as +01:00");
	assert_int_equal(date_ts_parse(S("2026-03-29T01:30:00.Z"), &ts, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 21: expected a digit after '.'");
	assert_int_equal(date_ts_parse(S("2026-03-29T01:30:00+0100"), &ts, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 23: expected ':'; expected an offset such as +01:00");
	assert_int_equal(date_ts_parse(S("2026-03-29T01:30:00+24:00"), &ts, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 21: offset 24:00 is out of range");
	assert_int_equal(date_ts_parse(S("2026-03-29T01:30:00z"), &ts, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 20: expected 'Z' or an offset such as +01:00");
	assert_int_equal(date_ts_parse(S("2026-03-29T01:30:00Zjunk"), &ts, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 21: unexpected text after the timestamp");
	assert_int_equal(date_ts_parse(S("2026-02-29T01:30:00Z"), &ts, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 9: day 29 does not exist in February 2026 (28 days)");

	/* round trip, including before the epoch and every microsecond digit */
	const int64_t samples[] = {
	    0,
	    -1,
	    1,
	    t0130,
	    t0130 - 1,
	    INT64_C(951782400000000),    /* 2000-02-29 */
	    INT64_C(-2208988800000000),  /* 1900-01-01 */
	    INT64_C(253402300799999999), /* 9999-12-31T23:59:59.999999Z */
	    INT64_C(-62135596800000000), /* 0001-01-01 */
	    INT64_C(1234567890123456),
	};
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		date_ts_format(samples[i], out);
		assert_int_equal(date_ts_parse(out, strlen(out), &ts, &e), CADRE_OK);
		if (ts != samples[i])
			fail_msg("%s parsed to %lld, not %lld", out, (long long)ts,
			         (long long)samples[i]);
	}
	date_ts_format(INT64_C(-62135596800000000), out);
	assert_string_equal(out, "0001-01-01T00:00:00.000000Z");
	date_ts_format(INT64_C(253402300799999999), out);
	assert_string_equal(out, "9999-12-31T23:59:59.999999Z");
}

static void assert_local(struct date_local t, int y, int mo, int d, int h, int mi, int s, int us,
                         bool bst)
{
	assert_date(t.date, y, mo, d);
	assert_int_equal(t.hour, h);
	assert_int_equal(t.min, mi);
	assert_int_equal(t.sec, s);
	assert_int_equal(t.usec, us);
	assert_int_equal(t.bst, bst);
}

static void test_london_transitions(void **state)
{
	(void)state;
	assert_true(date_london_bst_start(2026) == BST_START_2026);
	assert_true(date_london_bst_end(2026) == BST_END_2026);
	assert_true(BST_START_2026 == INT64_C(1774746000000000));
	assert_true(BST_END_2026 == INT64_C(1792890000000000));
	/* 2000: 26 March and 29 October; 1996: 31 March and 27 October */
	assert_true(date_london_bst_start(2000) == date_ts_from(D(2000, 3, 26), 1, 0, 0, 0));
	assert_true(date_london_bst_end(2000) == date_ts_from(D(2000, 10, 29), 1, 0, 0, 0));
	assert_true(date_london_bst_start(1996) == date_ts_from(D(1996, 3, 31), 1, 0, 0, 0));
	assert_true(date_london_bst_end(1996) == date_ts_from(D(1996, 10, 27), 1, 0, 0, 0));

	/* spring forward at exactly 01:00:00.000000 UTC */
	assert_false(date_london_is_bst(BST_START_2026 - 1));
	assert_true(date_london_is_bst(BST_START_2026));
	assert_local(date_london_from_ts(BST_START_2026 - 1), 2026, 3, 29, 0, 59, 59, 999999,
	             false);
	assert_local(date_london_from_ts(BST_START_2026), 2026, 3, 29, 2, 0, 0, 0, true);
	/* fall back at exactly 01:00:00.000000 UTC */
	assert_true(date_london_is_bst(BST_END_2026 - 1));
	assert_false(date_london_is_bst(BST_END_2026));
	assert_local(date_london_from_ts(BST_END_2026 - 1), 2026, 10, 25, 1, 59, 59, 999999, true);
	assert_local(date_london_from_ts(BST_END_2026), 2026, 10, 25, 1, 0, 0, 0, false);
	/* winter and new year */
	assert_local(date_london_from_ts(date_ts_from(D(2026, 12, 31), 23, 59, 59, 0)), 2026, 12,
	             31, 23, 59, 59, 0, false);
	assert_local(date_london_from_ts(date_ts_from(D(2026, 6, 30), 23, 30, 0, 0)), 2026, 7, 1, 0,
	             30, 0, 0, true);

	char out[DATE_LONDON_SIZE];
	date_london_format(INT64_C(1774747800000000), out);
	assert_string_equal(out, "29 Mar 2026 02:30 BST");
	date_london_format(date_ts_from(D(2026, 12, 25), 9, 0, 0, 0), out);
	assert_string_equal(out, "25 Dec 2026 09:00 GMT");
	date_london_format(date_ts_from(D(2026, 4, 5), 8, 5, 0, 0), out);
	assert_string_equal(out, "5 Apr 2026 09:05 BST");
	date_london_format_iso(INT64_C(1774747800000000), out);
	assert_string_equal(out, "2026-03-29T02:30:00+01:00");
	date_london_format_iso(date_ts_from(D(2026, 12, 25), 9, 0, 7, 999), out);
	assert_string_equal(out, "2026-12-25T09:00:07+00:00");
	int64_t ts = 0;
	struct cadre_err e;
	assert_int_equal(date_ts_parse(S("2026-03-29T02:30:00+01:00"), &ts, &e), CADRE_OK);
	assert_true(ts == INT64_C(1774747800000000));
}

static struct date_local L(int y, int mo, int d, int h, int mi, int s, int us) {
	struct date_local t = {{y, mo, d}, h, mi, s, us, false};
	return t;
}

static void
test_london_wall_times(void **state)
{
	(void)state;
	int64_t ts = 0;
	bool amb = true;
	struct cadre_err e;
	/* spring: 01:00..01:59 local does not exist on 29 March 2026 */
	assert_int_equal(date_london_to_ts(L(2026, 3, 29, 0, 59, 59, 999999), &ts, &amb, &e),
	                 CADRE_OK);
	assert_true(ts == BST_START_2026 - 1);
	assert_false(amb);
	assert_int_equal(date_london_to_ts(L(2026, 3, 29, 1, 0, 0, 0), &ts, &amb, &e),
	                 CADRE_EINVAL);
	assert_string_equal(e.msg, "01:00 on 29 Mar 2026 does not exist in Europe/London: the "
	                           "clocks went forward from 01:00 GMT to 02:00 BST");
	assert_int_equal(date_london_to_ts(L(2026, 3, 29, 1, 59, 59, 999999), &ts, &amb, &e),
	                 CADRE_EINVAL);
	assert_int_equal(date_london_to_ts(L(2026, 3, 29, 2, 0, 0, 0), &ts, &amb, &e), CADRE_OK);
	assert_true(ts == BST_START_2026);
	assert_false(amb);

	/* autumn: 01:00..01:59 local happens twice on 25 October 2026; the
	 * earlier, BST instant is taken */
	assert_int_equal(date_london_to_ts(L(2026, 10, 25, 0, 59, 59, 999999), &ts, &amb, &e),
	                 CADRE_OK);
	assert_true(ts == BST_END_2026 - HOUR - 1);
	assert_false(amb);
	assert_int_equal(date_london_to_ts(L(2026, 10, 25, 1, 0, 0, 0), &ts, &amb, &e), CADRE_OK);
	assert_true(ts == BST_END_2026 - HOUR);
	assert_true(amb);
	assert_int_equal(date_london_to_ts(L(2026, 10, 25, 1, 30, 0, 0), &ts, &amb, &e), CADRE_OK);
	assert_true(ts == BST_END_2026 - 30 * 60 * SEC);
	assert_true(amb);
	assert_int_equal(date_london_to_ts(L(2026, 10, 25, 1, 59, 59, 999999), &ts, &amb, &e),
	                 CADRE_OK);
	assert_true(ts == BST_END_2026 - 1);
	assert_true(amb);
	assert_int_equal(date_london_to_ts(L(2026, 10, 25, 2, 0, 0, 0), &ts, NULL, &e), CADRE_OK);
	assert_true(ts == BST_END_2026 + HOUR);

	assert_int_equal(date_london_to_ts(L(2026, 2, 30, 9, 0, 0, 0), &ts, &amb, &e),
	                 CADRE_EINVAL);
	assert_string_equal(e.msg, "2026-02-30 is not a date");
	assert_int_equal(date_london_to_ts(L(2026, 2, 3, 24, 0, 0, 0), &ts, &amb, &e),
	                 CADRE_EINVAL);
	assert_string_equal(e.msg, "24:00:00 is not a time of day");

	/* the same through text */
	assert_int_equal(date_london_parse(S("2026-03-29 01:30"), &ts, &amb, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "01:30 on 29 Mar 2026 does not exist in Europe/London: the "
	                           "clocks went forward from 01:00 GMT to 02:00 BST");
	assert_int_equal(date_london_parse(S("2026-10-25 01:30"), &ts, &amb, &e), CADRE_OK);
	assert_true(ts == BST_END_2026 - 30 * 60 * SEC);
	assert_true(amb);
	assert_int_equal(date_london_parse(S("2026-07-01T09:00:30"), &ts, &amb, &e), CADRE_OK);
	assert_true(ts == date_ts_from(D(2026, 7, 1), 8, 0, 30, 0));
	assert_false(amb);
	assert_int_equal(date_london_parse(S("2026-01-15 09:00"), &ts, &amb, &e), CADRE_OK);
	assert_true(ts == date_ts_from(D(2026, 1, 15), 9, 0, 0, 0));
	assert_int_equal(date_london_parse(S("2026-01-15 9:00"), &ts, &amb, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 13: expected a digit; expected YYYY-MM-DD HH:MM");
	assert_int_equal(date_london_parse(S("2026-01-15_09:00"), &ts, &amb, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 11: expected a space; expected YYYY-MM-DD HH:MM");
	assert_int_equal(date_london_parse(S("2026-01-15 09:00:6"), &ts, &amb, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 19: ends early; expected YYYY-MM-DD HH:MM:SS");
	assert_int_equal(date_london_parse(S("2026-01-15 09:75"), &ts, &amb, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 15: minute 75 is not 00 to 59");
	assert_int_equal(date_london_parse(S("2026-01-15 09:00 GMT"), &ts, &amb, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "column 17: unexpected text after the time");
}

static void test_london_day_length(void **state)
{
	(void)state;
	assert_true(date_london_day_length(D(2026, 3, 29)) == 23 * HOUR);
	assert_true(date_london_day_length(D(2026, 10, 25)) == 25 * HOUR);
	assert_true(date_london_day_length(D(2026, 3, 28)) == 24 * HOUR);
	assert_true(date_london_day_length(D(2026, 3, 30)) == 24 * HOUR);
	assert_true(date_london_day_length(D(2026, 10, 24)) == 24 * HOUR);
	assert_true(date_london_day_length(D(2026, 10, 26)) == 24 * HOUR);
	/* 2025: 30 March and 26 October */
	assert_true(date_london_day_length(D(2025, 3, 30)) == 23 * HOUR);
	assert_true(date_london_day_length(D(2025, 10, 26)) == 25 * HOUR);
	/* over a whole year the short and long days cancel */
	int64_t total = 0;
	for (struct date d = D(2026, 1, 1); d.y == 2026; d = date_add_days(d, 1))
		total += date_london_day_length(d);
	assert_true(total == 365 * 24 * HOUR);
}

/* everything above again with TZ set to zones whose rules differ from
 * London's, to show that nothing reads the process's time zone */
static void test_tz_independence(void **state)
{
	(void)state;
	const char *zones[] = {"America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"};
	char *saved = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		setenv("TZ", zones[i], 1);
		tzset();
		test_london_day_length(state);
		test_london_transitions(state);
		test_london_wall_times(state);
		test_timestamps(state);
		test_financial_years(state);
		char out[DATE_LONDON_SIZE];
		date_london_format(INT64_C(1774747800000000), out);
		assert_string_equal(out, "29 Mar 2026 02:30 BST");
	}
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_leap_years),
	    cmocka_unit_test(test_day_numbers),
	    cmocka_unit_test(test_weekday),
	    cmocka_unit_test(test_add_months),
	    cmocka_unit_test(test_parse_dates),
	    cmocka_unit_test(test_months),
	    cmocka_unit_test(test_financial_years),
	    cmocka_unit_test(test_timestamps),
	    cmocka_unit_test(test_london_transitions),
	    cmocka_unit_test(test_london_wall_times),
	    cmocka_unit_test(test_london_day_length),
	    cmocka_unit_test(test_tz_independence),
	};
	return cmocka_run_group_tests_name("base_date", tests, NULL, NULL);
}
