/* utf8: validation of UTF-8 text at every boundary (files, forms, the
 * database).  Overlong forms, surrogates and code points above U+10FFFF are
 * invalid, as RFC 3629 says. */
#ifndef CADRE_BASE_UTF8_H
#define CADRE_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* utf8_valid: true when the n bytes at s are valid UTF-8.  When false and
 * bad_offset is not NULL, *bad_offset is the offset of the first byte of the
 * first invalid sequence. */
bool utf8_valid(const char *s, size_t n, size_t *bad_offset);

/* utf8_decode: decode one code point at s (n bytes available) into *cp.
 * Returns its length in bytes (1-4), or 0 when the sequence is invalid or
 * truncated. */
size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp);

/* utf8_columns: how many code points the n valid bytes at s hold: the column
 * a person counts in an editor. */
size_t utf8_columns(const char *s, size_t n);

#endif
