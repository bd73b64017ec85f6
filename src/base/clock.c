#include "base/clock.h"

#include <stddef.h>
#include <time.h>

static int64_t read_clock(clockid_t id)
{
	struct timespec ts;
	/* clock_gettime cannot fail for these two clocks on Linux (both exist
	 * and ts is a valid pointer), so there is no error to report. */
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t system_now(const struct clock *c)
{
	(void)c;
	return read_clock(CLOCK_REALTIME);
}

static int64_t system_mono(const struct clock *c)
{
	(void)c;
	return read_clock(CLOCK_MONOTONIC);
}

static const struct clock system_clock = {system_now, system_mono};

const struct clock *clock_system(void)
{
	return &system_clock;
}

int64_t clock_now(const struct clock *c)
{
	if (!c)
		c = &system_clock;
	return c->now(c);
}

int64_t clock_mono(const struct clock *c)
{
	if (!c)
		c = &system_clock;
	return c->mono(c);
}

int64_t clock_mono_us(void)
{
	return read_clock(CLOCK_MONOTONIC);
}

static int64_t manual_now(const struct clock *c)
{
	return ((const struct clock_manual *)c)->now_us;
}

static int64_t manual_mono(const struct clock *c)
{
	return ((const struct clock_manual *)c)->mono_us;
}

void clock_manual_init(struct clock_manual *m, int64_t now_us)
{
	m->clock.now = manual_now;
	m->clock.mono = manual_mono;
	m->now_us = now_us;
	m->mono_us = 0;
}

void clock_manual_set(struct clock_manual *m, int64_t now_us)
{
	m->now_us = now_us;
}

void clock_manual_advance(struct clock_manual *m, int64_t us)
{
	m->now_us += us;
	m->mono_us += us;
}
