/* buf: a growable byte buffer with a hard size cap (after curl's dynbuf).
 *
 * Every append either fits under the cap or fails with CADRE_EINVAL and leaves
 * the buffer as it was.  The content is always NUL-terminated, so it can be
 * used as a C string when it holds text. */
#ifndef CADRE_BASE_BUF_H
#define CADRE_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "base/err.h"

struct buf {
	char *data; /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t alloc;
	size_t cap; /* the most bytes the content may hold */
};

/* buf_init: an empty buffer that will never hold more than cap bytes. */
void buf_init(struct buf *b, size_t cap);
/* buf_free: release the memory; the buffer is empty and usable again. */
void buf_free(struct buf *b);
/* buf_reset: empty the content, keep the memory. */
void buf_reset(struct buf *b);

int buf_append(struct buf *b, const void *p, size_t n, struct cadre_err *err);
int buf_puts(struct buf *b, const char *s, struct cadre_err *err);
int buf_putc(struct buf *b, char c, struct cadre_err *err);
int buf_printf(struct buf *b, struct cadre_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int buf_vprintf(struct buf *b, struct cadre_err *err, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* buf_cstr: the content as a string ("" when empty); owned by b. */
const char *buf_cstr(const struct buf *b);

/* buf_detach: hand the content to the caller (who frees it) and leave b
 * empty.  Never NULL. */
char *buf_detach(struct buf *b);

#endif
