#include "base/progress.h"

#include <inttypes.h>
#include <string.h>
#include <unistd.h>

void progress_init(struct progress *p, progress_fn fn, void *user)
{
	p->fn = fn;
	p->user = user;
	p->done = 0;
	p->total = 0;
}

void progress_update(struct progress *p, uint64_t done, uint64_t total)
{
	if (!p)
		return;
	p->done = done;
	p->total = total;
	if (p->fn)
		p->fn(p->user, done, total, false);
}

void progress_end(struct progress *p)
{
	if (!p)
		return;
	if (p->fn)
		p->fn(p->user, p->done, p->total, true);
}

/* scale: done * range / total, rounded down, without overflow; done is
 * capped at total. */
static uint64_t scale(uint64_t done, uint64_t total, uint64_t range)
{
	if (done >= total)
		return range;
	if (total <= UINT64_MAX / range)
		return done * range / total;
	return done / (total / range);
}

static void term_draw(struct progress_term *t, uint64_t done, uint64_t total)
{
	char line[160];
	int n;
	const char *sep = t->label[0] ? " " : "";
	if (total == 0) {
		n = snprintf(line, sizeof line, "\r%s%s%" PRIu64, t->label, sep, done);
	} else {
		char bar[PROGRESS_BAR_WIDTH + 1];
		size_t fill = (size_t)scale(done, total, PROGRESS_BAR_WIDTH);
		memset(bar, '#', fill);
		memset(bar + fill, '-', PROGRESS_BAR_WIDTH - fill);
		bar[PROGRESS_BAR_WIDTH] = '\0';
		n = snprintf(line, sizeof line, "\r%s%s%4u%% [%s] %" PRIu64 "/%" PRIu64, t->label,
		             sep, (unsigned)scale(done, total, 100), bar, done, total);
	}
	if (n < 0)
		return;
	size_t width = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
	fwrite(line, 1, width, t->out);
	/* blank what is left of a longer previous line */
	for (size_t i = width; i < t->last_width; i++)
		fputc(' ', t->out);
	t->last_width = width;
	fflush(t->out);
	t->drawn = true;
}

static void term_fn(void *user, uint64_t done, uint64_t total, bool end)
{
	struct progress_term *t = user;
	if (!t->enabled)
		return;
	int64_t now = clock_mono(t->clock);
	bool due;
	if (end)
		due = t->drawn; /* show the last figures, which throttling may have skipped */
	else
		due = !t->drawn || now - t->last_draw >= PROGRESS_REDRAW_US ||
		      (total && done >= total && t->last_done != done);
	if (due) {
		term_draw(t, done, total);
		t->last_draw = now;
		t->last_done = done;
	}
	if (end && t->drawn) {
		fputc('\n', t->out);
		fflush(t->out);
		t->drawn = false;
		t->last_width = 0;
	}
}

void progress_term_init(struct progress_term *t, const char *label, FILE *out,
                        enum progress_mode mode, const struct clock *clock)
{
	progress_init(&t->progress, term_fn, t);
	t->out = out ? out : stderr;
	t->enabled =
	    mode == PROGRESS_FORCE || (mode == PROGRESS_AUTO && isatty(fileno(t->out)) == 1);
	t->clock = clock;
	t->drawn = false;
	t->last_draw = 0;
	t->last_done = 0;
	t->last_width = 0;
	size_t n = label ? strlen(label) : 0;
	if (n > sizeof t->label - 1)
		n = sizeof t->label - 1;
	if (n)
		memcpy(t->label, label, n);
	t->label[n] = '\0';
}
