/* mem: allocation that never returns NULL, and arenas.
 *
 * x*alloc abort the process with a message on exhaustion (as Redis's
 * zmalloc does), which removes a whole class of error paths: an NHS server
 * out of memory cannot do anything useful for the request anyway.
 *
 * An arena owns every block allocated from it; arena_free releases them all in
 * one call.  A request or an import owns one. */
#ifndef CADRE_BASE_MEM_H
#define CADRE_BASE_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
/* xrealloc: like realloc; p may be NULL.  Aborts on exhaustion. */
void *xrealloc(void *p, size_t n);
/* xreallocarray: xrealloc of count * size, aborting on overflow. */
void *xreallocarray(void *p, size_t count, size_t size);
/* xstrdup / xstrndup: the caller frees the copy. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* mem_set_fail_hook: tests replace the abort with a longjmp-able hook. */
typedef void (*mem_fail_fn)(size_t wanted);
void mem_set_fail_hook(mem_fail_fn fn);

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t block_size; /* default size of a new block */
	size_t used;       /* bytes handed out, for caps and reports */
};

/* arena_init: an empty arena whose blocks are block_size bytes (0 for the
 * default of 64 KiB).  No memory is taken until the first allocation. */
void arena_init(struct arena *a, size_t block_size);

/* arena_alloc: n bytes aligned for any type, zeroed, valid until
 * arena_free.  Never NULL. */
void *arena_alloc(struct arena *a, size_t n);

/* arena_strdup / arena_strndup: copies owned by the arena. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* arena_free: release every block; the arena may be used again. */
void arena_free(struct arena *a);

#endif
