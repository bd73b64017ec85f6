/* log: one logfmt line per event.
 *
 *   ts=2026-11-25T16:20:35.123456Z level=info event=import.done request_id=r1 rows=1200
 *
 * A line is built on the caller's stack with a small builder and written
 * with one fwrite under a mutex and the stream's lock, so lines from
 * different threads never interleave:
 *
 *   struct log_line l;
 *   log_begin(&l, LOG_INFO, "import.done");
 *   log_int(&l, "rows", n);
 *   log_str(&l, "file", name);
 *   log_end(&l);
 *
 * Below the threshold level log_begin marks the line off and the other calls
 * return at once.  Values are quoted when they hold a space, '"', '=', '\' or
 * anything that is not printable, with \" \\ \n \r \t and \u00XX escapes (and
 * \u0085, \u2028, \u2029 for Unicode line breaks; invalid UTF-8 bytes become
 * \xHH), so a value can never start a second line.  Keys are written as given
 * when made of [A-Za-z0-9_.-], otherwise each other byte becomes '_'.  A line
 * longer than LOG_LINE_MAX is cut at a whole character or escape and ends
 * with truncated=true.
 *
 * NEVER LOG SECRETS OR PERSONAL DATA: no cookies, session ids, tokens,
 * passwords, keys, or people's names, emails or staff numbers.  Log ids and
 * counts; DESIGN.md lists what a line carries (time, request id, user id,
 * route, status, microseconds).
 *
 * Configuration (output, level, clock) is process-wide and meant to be set
 * once at start-up, before threads start; the request id is per thread. */
#ifndef CADRE_BASE_LOG_H
#define CADRE_BASE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/clock.h"
#include "base/err.h"

enum log_level {
	LOG_DEBUG = 0,
	LOG_INFO = 1,
	LOG_WARN = 2,
	LOG_ERROR = 3,
};

#define LOG_LINE_MAX 4096 /* bytes in one line, newline included */

struct log_line {
	bool on;        /* false below the threshold: every call is a no-op */
	bool truncated; /* a field did not fit */
	size_t len;
	char text[LOG_LINE_MAX];
};

/* log_set_output: where lines go; NULL means stderr (the default).  The
 * stream is not closed by log. */
void log_set_output(FILE *out);

/* log_set_level: the lowest level written (default LOG_INFO). */
void log_set_level(enum log_level level);

/* log_get_level: the current threshold. */
enum log_level log_get_level(void);

/* log_set_clock: the clock for ts= (NULL for the system clock, the default).
 * The clock must outlive its use by log. */
void log_set_clock(const struct clock *c);

/* log_level_parse: "debug", "info", "warn" or "error" to a level; for
 * configuration. */
int log_level_parse(const char *s, enum log_level *out, struct cadre_err *err);

/* log_level_name: "debug", "info", "warn", "error". */
const char *log_level_name(enum log_level level);

/* log_set_request_id: the calling thread's current request id, written as
 * request_id= on every line it logs until cleared with NULL.  The id is
 * copied (up to 63 bytes). */
void log_set_request_id(const char *id);

/* log_request_id: the calling thread's request id, or NULL. */
const char *log_request_id(void);

/* log_begin: start a line at level with the event name (e.g.
 * "import.done"): ts=, level=, event= and request_id= when set. */
void log_begin(struct log_line *l, enum log_level level, const char *event);

/* log_str: key=value; a NULL value is written as an empty quoted string. */
void log_str(struct log_line *l, const char *key, const char *value);

/* log_strn: key=value for n bytes of value (not NUL-terminated). */
void log_strn(struct log_line *l, const char *key, const char *value, size_t n);

/* log_int / log_uint / log_double / log_bool: numbers and true/false. */
void log_int(struct log_line *l, const char *key, int64_t v);
void log_uint(struct log_line *l, const char *key, uint64_t v);
void log_double(struct log_line *l, const char *key, double v);
void log_bool(struct log_line *l, const char *key, bool v);

/* log_err: status=<name> error=<reason> from err. */
void log_err(struct log_line *l, const struct cadre_err *err);

/* log_end: write the line and a newline to the output in one piece. */
void log_end(struct log_line *l);

#endif
