#include "base/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mem_fail_fn fail_hook;

void mem_set_fail_hook(mem_fail_fn fn)
{
	fail_hook = fn;
}

static void mem_fail(size_t n)
{
	if (fail_hook)
		fail_hook(n);
	(void)fprintf(stderr, "cadre: out of memory (wanted %zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		mem_fail(n);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		mem_fail(count * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		mem_fail(n);
	return q;
}

void *xreallocarray(void *p, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		mem_fail(SIZE_MAX);
	return xrealloc(p, count * size);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t off;
	max_align_t data[];
};

#define ARENA_DEFAULT_BLOCK ((size_t)64 * 1024)
#define ARENA_ALIGN         (sizeof(max_align_t))

void arena_init(struct arena *a, size_t block_size)
{
	a->head = NULL;
	a->block_size = block_size ? block_size : ARENA_DEFAULT_BLOCK;
	a->used = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
	if (n > SIZE_MAX - ARENA_ALIGN)
		mem_fail(n);
	size_t need = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	struct arena_block *b = a->head;
	if (!b || b->size - b->off < need) {
		size_t size = need > a->block_size ? need : a->block_size;
		b = xmalloc(sizeof *b + size);
		b->size = size;
		b->off = 0;
		/* A large one-off block goes behind the head so the head's free
		 * space is not wasted. */
		if (a->head && need > a->block_size) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = (char *)b->data + b->off;
	b->off += need;
	a->used += need;
	memset(p, 0, n);
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void arena_free(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used = 0;
}
