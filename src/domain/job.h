/* job: work slower than ~50 ms, run by a worker under a lease.
 *
 * Design note
 * - A job is a row in `job`: kind ("org.import"), owner (the actor's label),
 *   params (a small JSON object), state, progress (done of total), a
 *   message, and its times (µs UTC, read from the caller's clock, which
 *   tests replace with a manual one to expire leases).  States: queued -> running -> done | failed | interrupted.
 * - A worker (a thread of `cadre serve`, or `cadre` itself) claims the
 *   oldest queued job with job_claim, which gives it a lease until
 *   now + lease_ms.  On PostgreSQL the claim is SELECT ... FOR UPDATE SKIP
 *   LOCKED, so concurrent workers never take the same job and never wait
 *   on each other; SQLite has one writer, whose immediate transaction does
 *   the same.
 * - The worker renews the lease with job_heartbeat (which also records
 *   progress) well before it runs out, and ends with job_finish.  The job's
 *   own writes run in the worker's transactions: commit the last of them
 *   together with job_finish (call it inside the same transaction), so a
 *   worker that lost its lease has its work refused and rolled back.
 * - If the worker dies (crash, kill, lost connection), its uncommitted
 *   writes roll back by themselves (the database drops its transaction) and
 *   its lease runs out; job_reap, run by every claim and by `cadre jobs`,
 *   marks each running job whose lease expired as interrupted, with a
 *   message naming the worker.  An interrupted job is not retried by
 *   itself: a person decides.
 * - Visibility: system actors see every job; a user sees the jobs it owns. */
#ifndef CADRE_DOMAIN_JOB_H
#define CADRE_DOMAIN_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "domain/actor.h"

struct store;

#define JOB_KIND_MAX    64   /* bytes, with NUL: [a-z0-9_.-] */
#define JOB_WORKER_MAX  64   /* bytes, with NUL: printable ASCII */
#define JOB_MESSAGE_MAX 512  /* bytes, with NUL */
#define JOB_PARAMS_MAX  2048 /* bytes, with NUL: a JSON object */

enum job_state {
	JOB_QUEUED = 1,
	JOB_RUNNING,
	JOB_DONE,
	JOB_FAILED,
	JOB_INTERRUPTED,
};

/* job: one job as read.  Times are 0 when not yet set. */
struct job {
	int64_t id;
	char kind[JOB_KIND_MAX];
	char owner[ACTOR_LABEL_MAX];
	char params[JOB_PARAMS_MAX];
	enum job_state state;
	int64_t done, total;
	char message[JOB_MESSAGE_MAX];
	int64_t created_us, started_us, finished_us;
	char lease_owner[JOB_WORKER_MAX]; /* "" when never claimed */
	int64_t lease_expires_us, heartbeat_us;
};

/* job_state_name: "queued", "running", "done", "failed", "interrupted". */
const char *job_state_name(enum job_state s);

/* job_create: queue a job of kind for actor (who becomes its owner), with
 * params a JSON object as text (NULL for "{}").  Runs in its own write
 * transaction, or as a savepoint in the caller's (so a change can queue
 * its follow-up work atomically).  *id_out gets the job's id. */
int job_create(const struct actor *actor, struct store *db, const char *kind, const char *params,
               const struct clock *clk, int64_t *id_out, struct cadre_err *err);

/* job_claim: reap expired leases, then claim the oldest queued job for
 * worker_id with a lease of lease_ms (> 0).  CADRE_OK with *out filled,
 * CADRE_DONE when nothing is queued.  Runs in its own write transaction:
 * call it outside one. */
int job_claim(const struct actor *actor, struct store *db, const char *worker_id, int64_t lease_ms,
              const struct clock *clk, struct job *out, struct cadre_err *err);

/* job_heartbeat: worker_id still works on job id: extend its lease to
 * now + lease_ms and record progress (done of total; total 0 when not
 * known).  CADRE_ECONFLICT when the worker no longer holds a live lease
 * (it expired, or the job was reaped): stop and roll back.  May run inside
 * the worker's transaction. */
int job_heartbeat(const struct actor *actor, struct store *db, int64_t id, const char *worker_id,
                  int64_t done, int64_t total, int64_t lease_ms, const struct clock *clk,
                  struct cadre_err *err);

/* job_finish: worker_id ends job id as done (ok) or failed, with message
 * (may be NULL).  CADRE_ECONFLICT when its lease is no longer live.  Call
 * it inside the transaction that commits the job's last work. */
int job_finish(const struct actor *actor, struct store *db, int64_t id, const char *worker_id,
               bool ok, const char *message, const struct clock *clk, struct cadre_err *err);

/* job_reap: mark every running job whose lease expired before now_us as
 * interrupted.  *reaped (may be NULL) gets how many.  Own transaction (a
 * savepoint in the caller's). */
int job_reap(const struct actor *actor, struct store *db, const struct clock *clk, int64_t *reaped,
             struct cadre_err *err);

/* job_get: job id, if the actor may see it (else CADRE_ENOTFOUND). */
int job_get(const struct actor *actor, struct store *db, int64_t id, struct job *out,
            struct cadre_err *err);

/* job_fn: one job for job_list; j is valid during the call. */
typedef int (*job_fn)(const struct job *j, void *arg, struct cadre_err *err);

/* job_list: call fn for each job the actor may see, newest first. */
int job_list(const struct actor *actor, struct store *db, job_fn fn, void *arg,
             struct cadre_err *err);

#endif
