#include "base/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

void buf_init(struct buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* grow so that n more bytes (plus the NUL) fit. */
static int buf_reserve(struct buf *b, size_t n, struct cadre_err *err)
{
	if (n > b->cap || b->len > b->cap - n)
		return cadre_err_set(err, CADRE_EINVAL, "more than %zu bytes", b->cap);
	size_t need = b->len + n + 1;
	if (need <= b->alloc)
		return CADRE_OK;
	size_t alloc = b->alloc ? b->alloc : 64;
	while (alloc < need)
		alloc = alloc > (SIZE_MAX / 2) ? need : alloc * 2;
	if (alloc > b->cap + 1)
		alloc = b->cap + 1;
	b->data = xrealloc(b->data, alloc);
	b->alloc = alloc;
	return CADRE_OK;
}

int buf_append(struct buf *b, const void *p, size_t n, struct cadre_err *err)
{
	int rc = buf_reserve(b, n, err);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return CADRE_OK;
}

int buf_puts(struct buf *b, const char *s, struct cadre_err *err)
{
	return buf_append(b, s, strlen(s), err);
}

int buf_putc(struct buf *b, char c, struct cadre_err *err)
{
	return buf_append(b, &c, 1, err);
}

int buf_vprintf(struct buf *b, struct cadre_err *err, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return cadre_err_set(err, CADRE_EINTERNAL, "format failed");
	int rc = buf_reserve(b, (size_t)n, err);
	if (rc)
		return rc;
	(void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return CADRE_OK;
}

int buf_printf(struct buf *b, struct cadre_err *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = buf_vprintf(b, err, fmt, ap);
	va_end(ap);
	return rc;
}

const char *buf_cstr(const struct buf *b)
{
	return b->data ? b->data : "";
}

char *buf_detach(struct buf *b)
{
	char *p = b->data ? b->data : xstrdup("");
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	return p;
}
