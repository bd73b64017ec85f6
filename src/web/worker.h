/* worker: the job runner inside `cadre serve`: threads that claim queued
 * jobs under a lease and run them (today: uploads, domain/upload.h), and
 * sweep expired uploads.
 *
 * Design note
 * - Each thread has its own database connection (db_open) and claims the
 *   oldest queued job with job_claim (a skip-locked row claim on
 *   PostgreSQL, the one writer on SQLite), so any number of threads and
 *   servers share the queue without taking the same job twice.  A job
 *   whose worker dies is marked interrupted by the next claim's reaper
 *   once its lease has run out (job.h); its writes have rolled back.
 * - With nothing queued a thread sleeps poll_ms (woken at once by stop);
 *   about once a minute one of them expires the uploads past their time.
 * - The upload limits (how long an upload is kept, how large it may be)
 *   are set once at start-up, before any request, and read by the upload
 *   handlers (web_imports_limits); `cadre http` runs with the defaults.
 * - Stop: web_worker_stop sets the flag, wakes the sleepers and joins the
 *   threads; a job in progress runs to its end first. */
#ifndef CADRE_WEB_WORKER_H
#define CADRE_WEB_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "domain/upload.h"

#define WEB_WORKER_LEASE_MS ((int64_t)15 * 60 * 1000) /* an import runs without beats */
#define WEB_WORKER_POLL_MS  ((int64_t)500)

struct web_worker_options {
	const char *db_url;
	unsigned threads;                   /* 0: no worker at all */
	int64_t lease_ms;                   /* 0: WEB_WORKER_LEASE_MS */
	int64_t poll_ms;                    /* 0: WEB_WORKER_POLL_MS */
	const unsigned char *audit_key;     /* 32 bytes, copied */
	const unsigned char *pseudonym_key; /* 32 bytes, copied */
	const char *tmpdir;                 /* NULL: $TMPDIR or /tmp */
};

struct web_worker;

/* web_worker_start: start opt->threads threads.  CADRE_EINTERNAL when a
 * thread cannot be created (those started are stopped).  *out is NULL
 * when threads is 0. */
int web_worker_start(const struct web_worker_options *opt, struct web_worker **out,
                     struct cadre_err *err);

/* web_worker_stop: stop and join every thread and free w (NULL is fine). */
void web_worker_stop(struct web_worker *w);

/* web_imports_configure: the upload limits every handler uses; call once
 * before the server starts. */
void web_imports_configure(const struct upload_limits *lim);

/* web_imports_limits: the limits set, or the defaults. */
const struct upload_limits *web_imports_limits(void);

#endif
