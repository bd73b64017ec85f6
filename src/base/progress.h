/* progress: how long work reports how far it has got, without knowing who
 * is watching.
 *
 * Domain code receives a `struct progress *` (possibly NULL) and calls
 * progress_update(p, done, total) as it goes and progress_end(p) when it
 * stops; it may call update for every row, so a listener must be cheap.
 * The command line passes the clock-throttled terminal bar below; the web
 * server passes a callback that records the figures on the job row; tests
 * pass a recorder.
 *
 * The terminal bar draws on stderr only when stderr is a terminal (or when
 * forced, for tests), at most once per PROGRESS_REDRAW_US of the monotonic
 * clock, and always on the first update, at done == total and at the end:
 *
 *     42% [############------------------] 420/1000
 *   import   42% [############------------------] 420/1000   (with a label)
 *
 * With total 0 (unknown) it shows the count alone: "import 420". */
#ifndef CADRE_BASE_PROGRESS_H
#define CADRE_BASE_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/clock.h"

/* progress_fn: told done of total (total 0 when unknown); `end` is true for
 * the last call, from progress_end, which repeats the last figures. */
typedef void (*progress_fn)(void *user, uint64_t done, uint64_t total, bool end);

struct progress {
	progress_fn fn;
	void *user;
	uint64_t done, total; /* the last figures reported */
};

/* progress_init: a progress that calls fn(user, ...). */
void progress_init(struct progress *p, progress_fn fn, void *user);

/* progress_update: report done of total.  p may be NULL (nobody watching). */
void progress_update(struct progress *p, uint64_t done, uint64_t total);

/* progress_end: report that the work has stopped (finished or not). */
void progress_end(struct progress *p);

#define PROGRESS_REDRAW_US 100000 /* at most ten redraws a second */
#define PROGRESS_BAR_WIDTH 30

enum progress_mode {
	PROGRESS_AUTO,  /* draw when the output is a terminal (isatty) */
	PROGRESS_FORCE, /* always draw (tests) */
	PROGRESS_OFF,   /* never draw */
};

/* progress_term: the terminal bar.  Pass &t.progress to domain code. */
struct progress_term {
	struct progress progress; /* first member: the callback finds t from it */
	FILE *out;
	bool enabled;
	const struct clock *clock; /* its mono reading throttles redraws */
	bool drawn;                /* something is on the line */
	int64_t last_draw;         /* mono time of the last redraw */
	uint64_t last_done;        /* done at the last redraw */
	size_t last_width;         /* bytes of the last line, to blank leftovers */
	char label[48];
};

/* progress_term_init: a bar labelled `label` (copied, cut to 47 bytes) on
 * out (NULL for stderr) in the given mode, throttled by clock (NULL for the
 * system clock; the clock must outlive t). */
void progress_term_init(struct progress_term *t, const char *label, FILE *out,
                        enum progress_mode mode, const struct clock *clock);

#endif
