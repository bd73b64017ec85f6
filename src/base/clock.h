/* clock: where "now" comes from, injectable so tests are deterministic.
 *
 * Code that needs the time takes a `const struct clock *` rather than calling
 * clock_gettime itself: production passes clock_system(), tests pass the
 * clock member of a struct clock_manual that they set and advance by hand.
 * A clock answers two questions:
 *   - now: the wall time, int64_t microseconds since the Unix epoch, UTC
 *     (the timestamp vocabulary of base/date.h); it can jump when the
 *     system's time is corrected;
 *   - mono: a monotonic reading in microseconds from an arbitrary start, for
 *     durations and throttling; it never goes backwards. */
#ifndef CADRE_BASE_CLOCK_H
#define CADRE_BASE_CLOCK_H

#include <stdint.h>

struct clock {
	int64_t (*now)(const struct clock *c);
	int64_t (*mono)(const struct clock *c);
};

/* clock_system: the real clocks (CLOCK_REALTIME and CLOCK_MONOTONIC).  The
 * pointer is to a static object, valid for the life of the process and safe
 * to share between threads. */
const struct clock *clock_system(void);

/* clock_now / clock_mono: read c; a NULL c reads the system clock. */
int64_t clock_now(const struct clock *c);
int64_t clock_mono(const struct clock *c);

/* clock_mono_us: the system's monotonic clock in microseconds, for code that
 * only measures a duration (end - start) and needs no injected clock. */
int64_t clock_mono_us(void);

/* clock_manual: a test clock that only moves when told to.  Pass &m.clock
 * wherever a struct clock is wanted.  Not thread-safe: set and advance it
 * from the test's own thread. */
struct clock_manual {
	struct clock clock; /* first, so a struct clock * converts back */
	int64_t now_us;
	int64_t mono_us;
};

/* clock_manual_init: a manual clock reading now_us, with mono reading 0. */
void clock_manual_init(struct clock_manual *m, int64_t now_us);

/* clock_manual_set: set the wall time (mono does not move: setting the wall
 * clock is like an administrator correcting the system time). */
void clock_manual_set(struct clock_manual *m, int64_t now_us);

/* clock_manual_advance: let us microseconds pass: both readings move. */
void clock_manual_advance(struct clock_manual *m, int64_t us);

#endif
