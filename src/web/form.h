/* form: the application/x-www-form-urlencoded parser (bodies of HTML forms
 * and URL query strings).
 *
 * Design note
 * - Ours on purpose (DESIGN.md): libmicrohttpd 0.9.75's post processor has a
 *   known denial-of-service flaw (CVE-2023-27371).  This one is small, takes
 *   the whole input at once (a form body is capped by the route before it is
 *   read), and is fuzzed (tests/fuzz/fuzz_form.c).
 * - The grammar is the WHATWG URL standard's: pairs separated by '&',
 *   name and value separated by the first '=', '+' is a space, %HH is a
 *   byte.  Empty pairs ("a=1&&b=2") are skipped; a pair without '=' has an
 *   empty value.  Duplicate names are kept, in order (a form's checkboxes).
 * - Stricter than WHATWG where leniency would hide bad input: a '%' not
 *   followed by two hex digits, a decoded NUL byte, and text that is not
 *   UTF-8 after decoding are errors, reported with the field's name (or its
 *   position when the name itself is unreadable).
 * - Every size is capped: the input, the number of fields, and each name and
 *   value.  Decoded names and values are NUL-terminated copies in the
 *   caller's arena, so they live as long as the request. */
#ifndef CADRE_WEB_FORM_H
#define CADRE_WEB_FORM_H

#include <stddef.h>

#include "base/err.h"
#include "base/mem.h"

struct form_field {
	const char *name; /* decoded, NUL-terminated, valid UTF-8 */
	const char *value;
	size_t name_len;
	size_t value_len;
};

struct form {
	struct form_field *fields; /* in input order; NULL when count is 0 */
	size_t count;
};

/* form_limits: caps; a zero member takes its default. */
struct form_limits {
	size_t max_bytes;  /* the whole input (default 1 MiB) */
	size_t max_fields; /* default 1000 */
	size_t max_name;   /* decoded bytes of one name (default 256) */
	size_t max_value;  /* decoded bytes of one value (default 1 MiB) */
};

#define FORM_DEFAULT_MAX_BYTES  ((size_t)1024 * 1024)
#define FORM_DEFAULT_MAX_FIELDS ((size_t)1000)
#define FORM_DEFAULT_MAX_NAME   ((size_t)256)
#define FORM_DEFAULT_MAX_VALUE  ((size_t)1024 * 1024)

/* form_parse: parse the n bytes at s into *out, copying into arena a.
 * lim may be NULL for the defaults.  Returns CADRE_OK, or CADRE_EINVAL with
 * err saying which field and why ("field 'note': not valid UTF-8 after
 * decoding").  On error *out is empty (what was copied stays in the arena
 * until it is freed). */
int form_parse(const char *s, size_t n, const struct form_limits *lim, struct arena *a,
               struct form *out, struct cadre_err *err);

/* form_field_label: how an error message names a field: "field 'name'"
 * when the name is 1 to 40 bytes of [A-Za-z0-9_.[]-], else "field N" with
 * N its 1-based position, so a hostile name never reaches a message.
 * name may be NULL (then the position is used).  Writes at most outsz
 * bytes, NUL included. */
void form_field_label(char *out, size_t outsz, const char *name, size_t len, size_t index);

/* form_get: the first value for name, or NULL when there is none.  Owned by
 * the arena the form was parsed into. */
const char *form_get(const struct form *f, const char *name);

/* form_count: how many fields are called name. */
size_t form_count(const struct form *f, const char *name);

#endif
