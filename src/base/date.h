/* date: calendar dates, months, NHS financial years, UTC timestamps and
 * Europe/London wall time, independent of the process's TZ.
 *
 * Nothing here uses the C library's time zone machinery (the TZ variable,
 * the zone database, struct tm conversions): every conversion is integer
 * arithmetic (days from the civil date after Howard Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms",
 * http://howardhinnant.github.io/date_algorithms.html), so the answers are the
 * same on a server in TZ=America/New_York as in London.
 *
 * Vocabulary (the same as the stores use, see DESIGN.md):
 *   - a date is struct date {y, m, d}, proleptic Gregorian; dates this module
 *     accepts from text are in years 0001..9999; written "YYYY-MM-DD";
 *   - a day number is days since 1970-01-01 (negative before);
 *   - a month key is the int yyyymm, e.g. 202604 for April 2026; months order
 *     as integers, so `for (m = a; m <= b; m = date_month_add(m, 1))` works;
 *   - an NHS financial year runs 1 April to 31 March and is held as the int of
 *     the year it starts in (2025 for 2025/26) and written "2025/26";
 *     1999/00 and 2099/00 are written so;
 *   - a timestamp is int64_t microseconds since 1970-01-01T00:00:00Z (leap
 *     seconds are not counted, as in POSIX time);
 *   - Europe/London: GMT in winter, BST (UTC+1) from 01:00 UTC on the last
 *     Sunday of March to 01:00 UTC on the last Sunday of October.  These are
 *     the rules in force since 1996.  Earlier years are out of scope: this
 *     module applies the same rules to them (proleptically), which is wrong by
 *     an hour around some transitions before 1996 and everywhere before 1972;
 *     Cadre stores no wall times that old.
 *
 * Parsers take n bytes (not NUL-terminated), accept exactly the documented
 * form and on failure set err to "column C: reason" with C the 1-based byte
 * column, so callers can prefix the line or field. */
#ifndef CADRE_BASE_DATE_H
#define CADRE_BASE_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct date {
	int y; /* year, e.g. 2026 */
	int m; /* month 1..12 */
	int d; /* day of month 1..31 */
};

#define DATE_US_PER_SEC  INT64_C(1000000)
#define DATE_US_PER_HOUR (3600 * DATE_US_PER_SEC)
#define DATE_US_PER_DAY  (86400 * DATE_US_PER_SEC)

/* Buffer sizes for the formatters, NUL included, with room for years beyond
 * 9999 or before 0001 so that formatting never truncates silently. */
#define DATE_STR_SIZE    24 /* "2026-03-29" */
#define DATE_MONTH_SIZE  24 /* "2026-03" */
#define DATE_FY_SIZE     24 /* "2025/26" */
#define DATE_TS_SIZE     48 /* "2026-03-29T01:30:00.000000Z" */
#define DATE_LONDON_SIZE 48 /* "29 Mar 2026 02:30 BST", "2026-03-29T02:30:00+01:00" */

/* ---- dates ---- */

/* date_is_leap: true for Gregorian leap years (2000 and 2024, not 1900). */
bool date_is_leap(int y);

/* date_days_in_month: 28..31, or 0 when m is not 1..12. */
int date_days_in_month(int y, int m);

/* date_valid: true when d is a real day in years 0001..9999. */
bool date_valid(struct date d);

/* date_to_days / date_from_days: a date and its day number (days since
 * 1970-01-01).  Exact inverses for every date in years 0001..9999. */
int64_t date_to_days(struct date d);
struct date date_from_days(int64_t days);

/* date_cmp: <0, 0 or >0 as a is before, the same as, or after b. */
int date_cmp(struct date a, struct date b);

/* date_add_days: d moved n days (n may be negative).  Like every function
 * here, it expects arguments that keep the result within years 0001..9999
 * (it is exact well beyond, but a day count near INT64_MAX overflows). */
struct date date_add_days(struct date d, int64_t n);

/* date_add_months: d moved n calendar months.  When the day does not exist
 * in the target month it is clamped to that month's last day:
 * 31 Jan 2024 + 1 = 29 Feb 2024; 31 Mar 2025 - 1 = 28 Feb 2025.  So adding
 * months is not always undone by subtracting them (31 Mar - 1 + 1 = 28 Mar);
 * to step through months, use month keys instead. */
struct date date_add_months(struct date d, int n);

/* date_days_between: b - a in days (negative when b is before a). */
int64_t date_days_between(struct date a, struct date b);

/* date_weekday: ISO day of the week, 1 = Monday .. 7 = Sunday. */
int date_weekday(struct date d);

/* date_month_end: the last day of d's month (the staff-in-post snapshot day
 * for that month). */
struct date date_month_end(struct date d);

/* date_parse_iso: "YYYY-MM-DD" exactly (10 bytes, years 0001..9999). */
int date_parse_iso(const char *s, size_t n, struct date *out, struct cadre_err *err);

/* date_parse_dmy: "DD/MM/YYYY" exactly (10 bytes), the form NHS published
 * files use.  "1/4/2025" is rejected: the day and month take two digits. */
int date_parse_dmy(const char *s, size_t n, struct date *out, struct cadre_err *err);

/* date_parse: either form, chosen by the separator in the 3rd or 5th byte. */
int date_parse(const char *s, size_t n, struct date *out, struct cadre_err *err);

/* date_format_iso: d as "YYYY-MM-DD" into out (DATE_STR_SIZE bytes). */
void date_format_iso(struct date d, char *out);

/* ---- month keys (int yyyymm) ---- */

/* date_month_valid: true when ym is yyyymm with year 0001..9999, month 1..12. */
bool date_month_valid(int ym);

/* date_month_of: the month key of a date: 2026-03-29 -> 202603. */
int date_month_of(struct date d);

/* date_month_add: ym moved n months: date_month_add(202511, 3) = 202602. */
int date_month_add(int ym, int n);

/* date_month_diff: how many months b is after a (negative if before):
 * date_month_diff(202504, 202603) = 11.  The number of months from a to b
 * inclusive is that plus one. */
int date_month_diff(int a, int b);

/* date_month_days: days in the month (28..31), 0 for an invalid key. */
int date_month_days(int ym);

/* date_month_first / date_month_last: its first and last day.  The last day
 * is the staff-in-post snapshot date for the month. */
struct date date_month_first(int ym);
struct date date_month_last(int ym);

/* date_month_parse: "YYYY-MM" exactly into a month key. */
int date_month_parse(const char *s, size_t n, int *out, struct cadre_err *err);

/* date_month_format: "YYYY-MM" into out (DATE_MONTH_SIZE bytes). */
void date_month_format(int ym, char *out);

/* ---- NHS financial years (int start year; 2025 is 2025/26) ---- */

/* date_fy_of: the financial year a date falls in: 31 Mar 2026 -> 2025,
 * 1 Apr 2026 -> 2026. */
int date_fy_of(struct date d);

/* date_fy_of_month: the financial year of a month key: 202603 -> 2025. */
int date_fy_of_month(int ym);

/* date_fy_first_month / date_fy_last_month: April and March of the year:
 * 2025 -> 202504 and 202603. */
int date_fy_first_month(int fy);
int date_fy_last_month(int fy);

/* date_fy_first_day / date_fy_last_day: 1 April and 31 March. */
struct date date_fy_first_day(int fy);
struct date date_fy_last_day(int fy);

/* date_fy_month_number: the month's place in its financial year: April is 1,
 * March is 12; 0 for an invalid key. */
int date_fy_month_number(int ym);

/* date_fy_parse: "YYYY/YY" where YY is the last two digits of YYYY + 1
 * ("2025/26", "1999/00", "2099/00"); YYYY in 0001..9998. */
int date_fy_parse(const char *s, size_t n, int *out, struct cadre_err *err);

/* date_fy_format: "2025/26" into out (DATE_FY_SIZE bytes). */
void date_fy_format(int fy, char *out);

/* ---- UTC timestamps (int64_t microseconds since the epoch) ---- */

/* date_ts_from: the timestamp of a UTC date and time of day. */
int64_t date_ts_from(struct date d, int hour, int min, int sec, int usec);

/* date_ts_date: the UTC date of a timestamp. */
struct date date_ts_date(int64_t ts);

/* date_ts_format: RFC 3339 UTC with microseconds,
 * "2026-03-29T01:30:00.000000Z", into out (DATE_TS_SIZE bytes). */
void date_ts_format(int64_t ts, char *out);

/* date_ts_parse: an RFC 3339 timestamp "YYYY-MM-DDTHH:MM:SS[.f]Z" with 0 to 6
 * fraction digits, or with a "+HH:MM" / "-HH:MM" offset instead of "Z".
 * Leap seconds (":60") and lower-case 't'/'z' are rejected. */
int date_ts_parse(const char *s, size_t n, int64_t *out, struct cadre_err *err);

/* ---- Europe/London wall time ---- */

/* date_local: a Europe/London wall-clock time. */
struct date_local {
	struct date date;
	int hour, min, sec, usec;
	bool bst; /* true in British Summer Time (UTC+1), false in GMT */
};

/* date_london_bst_start / date_london_bst_end: the timestamps at which BST
 * begins (01:00 UTC, last Sunday of March) and ends (01:00 UTC, last Sunday of
 * October) in year y. */
int64_t date_london_bst_start(int y);
int64_t date_london_bst_end(int y);

/* date_london_is_bst: true when ts falls in BST. */
bool date_london_is_bst(int64_t ts);

/* date_london_from_ts: the London wall time at ts. */
struct date_local date_london_from_ts(int64_t ts);

/* date_london_to_ts: the timestamp of a London wall time given by a person
 * (local.bst is ignored).  A time in the spring-forward gap (01:00 to 01:59
 * on the last Sunday of March) does not exist: CADRE_EINVAL with the reason.
 * A time in the autumn overlap (01:00 to 01:59 on the last Sunday of
 * October) happens twice: the earlier instant, still in BST, is chosen and
 * *ambiguous (when not NULL) is set to true; otherwise it is set to false. */
int date_london_to_ts(struct date_local local, int64_t *ts, bool *ambiguous, struct cadre_err *err);

/* date_london_parse: a London wall time "YYYY-MM-DD HH:MM" or
 * "YYYY-MM-DD HH:MM:SS" ('T' may replace the space) to a timestamp, with the
 * rules of date_london_to_ts. */
int date_london_parse(const char *s, size_t n, int64_t *ts, bool *ambiguous, struct cadre_err *err);

/* date_london_format: for people, "29 Mar 2026 02:30 BST" or
 * "25 Dec 2026 09:00 GMT", into out (DATE_LONDON_SIZE bytes). */
void date_london_format(int64_t ts, char *out);

/* date_london_format_iso: ISO 8601 local time with its offset,
 * "2026-03-29T02:30:00+01:00", into out (DATE_LONDON_SIZE bytes).  Seconds
 * are truncated; date_ts_parse reads it back. */
void date_london_format_iso(int64_t ts, char *out);

/* date_london_day_length: how long the London calendar day d lasts, in
 * microseconds: 24 hours, but 23 on the last Sunday of March and 25 on the
 * last Sunday of October. */
int64_t date_london_day_length(struct date d);

#endif
