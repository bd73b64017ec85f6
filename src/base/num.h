/* num: checked number parsing.
 *
 * Every parser takes the whole text (n bytes, not NUL-terminated), accepts
 * nothing else (no leading or trailing spaces, no "+", no hex), and on failure
 * sets err to a reason that names the byte column (1-based) where the text
 * went wrong, so callers can report "line L, column C+offset". */
#ifndef CADRE_BASE_NUM_H
#define CADRE_BASE_NUM_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* num_parse_i64: a whole number such as "-42".  Overflow is an error. */
int num_parse_i64(const char *s, size_t n, int64_t *out, struct cadre_err *err);

/* num_parse_i64_range: as num_parse_i64, and lo <= value <= hi. */
int num_parse_i64_range(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out,
                        struct cadre_err *err);

/* num_parse_double: a decimal such as "0.8", "-12.50" or "1e3" (finite). */
int num_parse_double(const char *s, size_t n, double *out, struct cadre_err *err);

/* num_parse_fixed: a decimal with at most `places` fraction digits, as an
 * exact integer scaled by 10^places: "12.5" with places 2 is 1250.  Used for
 * money (pounds to pence) where a binary fraction would lose a penny. */
int num_parse_fixed(const char *s, size_t n, int places, int64_t *out, struct cadre_err *err);

#endif
