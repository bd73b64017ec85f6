/* worker: the job runner inside `cadre serve` (see worker.h). */
#include "web/worker.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"
#include "domain/audit.h"
#include "domain/db.h"
#include "domain/job.h"

/* how often, at most, one thread sweeps expired uploads */
#define SWEEP_US ((int64_t)60 * 1000000)

static struct upload_limits limits = {.ttl_us = UPLOAD_TTL_DEFAULT_US,
                                      .max_bytes = UPLOAD_MAX_DEFAULT};

void web_imports_configure(const struct upload_limits *lim)
{
	limits.ttl_us = lim->ttl_us > 0 ? lim->ttl_us : UPLOAD_TTL_DEFAULT_US;
	limits.max_bytes = lim->max_bytes ? lim->max_bytes : UPLOAD_MAX_DEFAULT;
}

const struct upload_limits *web_imports_limits(void)
{
	return &limits;
}

struct web_worker;

struct worker_thread {
	struct web_worker *w;
	pthread_t tid;
	unsigned n;
	bool started;
};

struct web_worker {
	char *db_url;
	int64_t lease_ms, poll_ms;
	unsigned char audit_key[AUDIT_KEY_BYTES];
	unsigned char pseudonym_key[AUDIT_KEY_BYTES];
	char *tmpdir;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	int64_t last_sweep_us;
	struct worker_thread *threads;
	unsigned nthreads;
};

static bool stopping(struct web_worker *w)
{
	(void)pthread_mutex_lock(&w->mu);
	bool s = w->stop;
	(void)pthread_mutex_unlock(&w->mu);
	return s;
}

/* nap: sleep ms unless stop is asked for first. */
static void nap(struct web_worker *w, int64_t ms)
{
	struct timespec ts;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	(void)pthread_mutex_lock(&w->mu);
	while (!w->stop && pthread_cond_timedwait(&w->cv, &w->mu, &ts) == 0) {
	}
	(void)pthread_mutex_unlock(&w->mu);
}

/* sweep_due: true for the one thread whose turn it is to sweep. */
static bool sweep_due(struct web_worker *w)
{
	int64_t now = clock_mono_us();
	(void)pthread_mutex_lock(&w->mu);
	bool due = now - w->last_sweep_us >= SWEEP_US;
	if (due)
		w->last_sweep_us = now;
	(void)pthread_mutex_unlock(&w->mu);
	return due;
}

static void log_failure(const char *event, int64_t job, const struct cadre_err *e)
{
	struct log_line l;
	log_begin(&l, LOG_WARN, event);
	if (job)
		log_int(&l, "job", job);
	log_err(&l, e);
	log_end(&l);
}

static void *thread_main(void *arg)
{
	struct worker_thread *t = arg;
	struct web_worker *w = t->w;
	char id[JOB_WORKER_MAX];
	char host[32] = "";
	(void)gethostname(host, sizeof host - 1);
	(void)snprintf(id, sizeof id, "%s:%ld:w%u", host[0] ? host : "cadre", (long)getpid(), t->n);
	struct actor sys = actor_system("worker");
	struct upload_runner r = {.worker_id = id,
	                          .lease_ms = w->lease_ms,
	                          .audit_key = w->audit_key,
	                          .pseudonym_key = w->pseudonym_key,
	                          .tmpdir = w->tmpdir,
	                          .clk = clock_system()};
	struct store *db = NULL;
	while (!stopping(w)) {
		struct cadre_err e;
		if (!db && db_open(w->db_url, &db, &e) != CADRE_OK) {
			log_failure("worker.db_open", 0, &e);
			db = NULL;
			nap(w, 5000);
			continue;
		}
		if (sweep_due(w)) {
			int64_t n = 0;
			if (upload_expire(&sys, db, clock_system(), &n, &e) != CADRE_OK)
				log_failure("worker.expire", 0, &e);
			else if (n > 0) {
				struct log_line l;
				log_begin(&l, LOG_INFO, "upload.expired");
				log_int(&l, "uploads", n);
				log_end(&l);
			}
		}
		struct job j;
		int rc = job_claim(&sys, db, id, w->lease_ms, clock_system(), &j, &e);
		if (rc == CADRE_DONE) {
			nap(w, w->poll_ms);
			continue;
		}
		if (rc != CADRE_OK) {
			log_failure("worker.claim", 0, &e);
			if (rc == CADRE_EINTERNAL) {
				db_close(db);
				db = NULL;
			}
			nap(w, 1000);
			continue;
		}
		int64_t t0 = clock_mono_us();
		rc = upload_job_run(&sys, db, &j, &r, &e);
		struct log_line l;
		log_begin(&l, rc == CADRE_OK ? LOG_INFO : LOG_WARN, "job.ran");
		log_int(&l, "job", j.id);
		log_str(&l, "kind", j.kind);
		log_int(&l, "us", clock_mono_us() - t0);
		if (rc != CADRE_OK)
			log_err(&l, &e);
		log_end(&l);
		if (rc == CADRE_EINTERNAL) {
			db_close(db);
			db = NULL;
		}
	}
	db_close(db);
	return NULL;
}

static void free_worker(struct web_worker *w)
{
	sodium_memzero(w->audit_key, sizeof w->audit_key);
	sodium_memzero(w->pseudonym_key, sizeof w->pseudonym_key);
	(void)pthread_cond_destroy(&w->cv);
	(void)pthread_mutex_destroy(&w->mu);
	free(w->threads);
	free(w->db_url);
	free(w->tmpdir);
	free(w);
}

int web_worker_start(const struct web_worker_options *opt, struct web_worker **out,
                     struct cadre_err *err)
{
	*out = NULL;
	if (opt->threads == 0)
		return CADRE_OK;
	if (!opt->db_url || !opt->audit_key || !opt->pseudonym_key)
		return cadre_err_set(err, CADRE_EUSAGE, "the worker needs a database and the keys");
	struct web_worker *w = xcalloc(1, sizeof *w);
	w->db_url = xstrdup(opt->db_url);
	w->tmpdir = opt->tmpdir ? xstrdup(opt->tmpdir) : NULL;
	w->lease_ms = opt->lease_ms > 0 ? opt->lease_ms : WEB_WORKER_LEASE_MS;
	w->poll_ms = opt->poll_ms > 0 ? opt->poll_ms : WEB_WORKER_POLL_MS;
	memcpy(w->audit_key, opt->audit_key, sizeof w->audit_key);
	memcpy(w->pseudonym_key, opt->pseudonym_key, sizeof w->pseudonym_key);
	w->last_sweep_us = clock_mono_us() - SWEEP_US;
	(void)pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_t ca;
	(void)pthread_condattr_init(&ca);
	(void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	(void)pthread_cond_init(&w->cv, &ca);
	(void)pthread_condattr_destroy(&ca);
	w->threads = xcalloc(opt->threads, sizeof *w->threads);
	w->nthreads = opt->threads;
	for (unsigned i = 0; i < opt->threads; i++) {
		struct worker_thread *t = &w->threads[i];
		t->w = w;
		t->n = i + 1;
		if (pthread_create(&t->tid, NULL, thread_main, t) != 0) {
			web_worker_stop(w);
			return cadre_err_set(err, CADRE_EINTERNAL, "cannot start worker thread %u",
			                     i + 1);
		}
		t->started = true;
	}
	*out = w;
	return CADRE_OK;
}

void web_worker_stop(struct web_worker *w)
{
	if (!w)
		return;
	(void)pthread_mutex_lock(&w->mu);
	w->stop = true;
	(void)pthread_cond_broadcast(&w->cv);
	(void)pthread_mutex_unlock(&w->mu);
	for (unsigned i = 0; i < w->nthreads; i++)
		if (w->threads[i].started)
			(void)pthread_join(w->threads[i].tid, NULL);
	free_worker(w);
}
