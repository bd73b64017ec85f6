/* job: queue, claim under a lease, heartbeat, finish, reap (job.h). */
#include "domain/job.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "store/store.h"

#define JOB_COLUMNS                                                                                \
	"id, kind, owner, params, state, progress_done, progress_total, message, created_us, "     \
	"started_us, finished_us, lease_owner, lease_expires_us, heartbeat_us"

static const struct store_sql q_insert = {
    .name = "job_insert",
    .sql = "INSERT INTO job (kind, owner, params, state, created_us) "
           "VALUES ($1, $2, $3, 'queued', $4) RETURNING id",
};

/* The claim: one statement.  On PostgreSQL the inner SELECT locks the row
 * it picks and skips rows other workers have locked, so two workers never
 * wait on, or take, the same job.  SQLite's single writer (the immediate
 * transaction around it) does the same by itself. */
static const struct store_sql q_claim = {
    .name = "job_claim",
    .sql = "UPDATE job SET state = 'running', lease_owner = $1, lease_expires_us = $2, "
           "started_us = $3, heartbeat_us = $3 "
           "WHERE id = (SELECT id FROM job WHERE state = 'queued' ORDER BY id LIMIT 1) "
           "RETURNING " JOB_COLUMNS,
    .pg_sql = "UPDATE job SET state = 'running', lease_owner = $1, lease_expires_us = $2, "
              "started_us = $3, heartbeat_us = $3 "
              "WHERE id = (SELECT id FROM job WHERE state = 'queued' ORDER BY id LIMIT 1 "
              "FOR UPDATE SKIP LOCKED) "
              "RETURNING " JOB_COLUMNS,
};

static const struct store_sql q_heartbeat = {
    .name = "job_heartbeat",
    .sql = "UPDATE job SET lease_expires_us = $3, heartbeat_us = $4, progress_done = $5, "
           "progress_total = $6 "
           "WHERE id = $1 AND state = 'running' AND lease_owner = $2 "
           "AND lease_expires_us >= $4",
};

static const struct store_sql q_finish = {
    .name = "job_finish",
    .sql = "UPDATE job SET state = $3, message = $4, finished_us = $5, heartbeat_us = $5 "
           "WHERE id = $1 AND state = 'running' AND lease_owner = $2 "
           "AND lease_expires_us >= $5",
};

static const struct store_sql q_reap = {
    .name = "job_reap",
    .sql = "UPDATE job SET state = 'interrupted', finished_us = $1, "
           "message = 'interrupted: the lease of worker ' || lease_owner || "
           "' ran out before the job finished' "
           "WHERE state = 'running' AND lease_expires_us < $1",
};

static const struct store_sql q_get = {
    .name = "job_get",
    .sql = "SELECT " JOB_COLUMNS " FROM job WHERE id = $1",
};

static const struct store_sql q_list = {
    .name = "job_list",
    .sql = "SELECT " JOB_COLUMNS " FROM job ORDER BY id DESC",
};

static const struct store_sql q_list_owner = {
    .name = "job_list_owner",
    .sql = "SELECT " JOB_COLUMNS " FROM job WHERE owner = $1 ORDER BY id DESC",
};

static const char *const state_names[] = {
    [JOB_QUEUED] = "queued", [JOB_RUNNING] = "running",         [JOB_DONE] = "done",
    [JOB_FAILED] = "failed", [JOB_INTERRUPTED] = "interrupted",
};

const char *job_state_name(enum job_state s)
{
	if (s < JOB_QUEUED || s > JOB_INTERRUPTED)
		return "unknown";
	return state_names[s];
}

static enum job_state state_parse(const char *s)
{
	for (int i = JOB_QUEUED; i <= JOB_INTERRUPTED; i++)
		if (strcmp(state_names[i], s) == 0)
			return (enum job_state)i;
	return (enum job_state)0;
}

static void copy_col(struct store_stmt *st, int col, char *dst, size_t cap)
{
	(void)snprintf(dst, cap, "%s", store_col_is_null(st, col) ? "" : store_col_text(st, col));
}

static int64_t i64_or0(struct store_stmt *st, int col)
{
	return store_col_is_null(st, col) ? 0 : store_col_i64(st, col);
}

static void job_from_stmt(struct store_stmt *st, struct job *j)
{
	memset(j, 0, sizeof *j);
	j->id = store_col_i64(st, 0);
	copy_col(st, 1, j->kind, sizeof j->kind);
	copy_col(st, 2, j->owner, sizeof j->owner);
	copy_col(st, 3, j->params, sizeof j->params);
	j->state = state_parse(store_col_text(st, 4));
	j->done = store_col_i64(st, 5);
	j->total = store_col_i64(st, 6);
	copy_col(st, 7, j->message, sizeof j->message);
	j->created_us = store_col_i64(st, 8);
	j->started_us = i64_or0(st, 9);
	j->finished_us = i64_or0(st, 10);
	copy_col(st, 11, j->lease_owner, sizeof j->lease_owner);
	j->lease_expires_us = i64_or0(st, 12);
	j->heartbeat_us = i64_or0(st, 13);
}

static int check_word(const char *what, const char *s, size_t cap, struct cadre_err *err)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n >= cap)
		return cadre_err_set(err, CADRE_EINVAL, "job %s must be 1 to %zu bytes", what,
		                     cap - 1);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return cadre_err_set(err, CADRE_EINVAL,
			                     "job %s '%s': only a-z, 0-9, '.', '_', '-'", what, s);
	}
	return CADRE_OK;
}

static int check_worker(const char *w, struct cadre_err *err)
{
	size_t n = w ? strlen(w) : 0;
	if (n == 0 || n >= JOB_WORKER_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "a worker id is 1 to %d bytes",
		                     JOB_WORKER_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if (w[i] <= 0x20 || w[i] >= 0x7f)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "a worker id is printable ASCII without spaces");
	return CADRE_OK;
}

static int check_message(const char *m, struct cadre_err *err)
{
	size_t n = strlen(m);
	if (n >= JOB_MESSAGE_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "a job message is at most %d bytes",
		                     JOB_MESSAGE_MAX - 1);
	if (!utf8_valid(m, n, NULL))
		return cadre_err_set(err, CADRE_EINVAL, "a job message is not valid UTF-8");
	return CADRE_OK;
}

/* ---- create ------------------------------------------------------------- */

struct create_ctx {
	const struct actor *actor;
	const char *kind;
	const char *params;
	int64_t now_us;
	int64_t id;
};

static int create_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct create_ctx *c = arg;
	struct store_stmt *st = NULL;
	int rc = store_prepare(db, &q_insert, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, c->kind);
	store_bind_str(st, 2, actor_label(c->actor));
	store_bind_str(st, 3, c->params);
	store_bind_i64(st, 4, c->now_us);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_EINTERNAL, "job insert returned no id");
	if (rc != CADRE_OK)
		return rc;
	c->id = store_col_i64(st, 0);
	store_reset(st);
	return CADRE_OK;
}

int job_create(const struct actor *actor, struct store *db, const char *kind, const char *params,
               const struct clock *clk, int64_t *id_out, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = check_word("kind", kind, JOB_KIND_MAX, err);
	if (rc != CADRE_OK)
		return rc;
	if (!params)
		params = "{}";
	if (strlen(params) >= JOB_PARAMS_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "job params are at most %d bytes",
		                     JOB_PARAMS_MAX - 1);
	json_error_t jerr;
	json_t *p = json_loads(params, JSON_REJECT_DUPLICATES, &jerr);
	bool is_obj = json_is_object(p);
	json_decref(p);
	if (!is_obj)
		return cadre_err_set(err, CADRE_EINVAL, "job params must be a JSON object");
	struct create_ctx c = {
	    .actor = actor, .kind = kind, .params = params, .now_us = clock_now(clk)};
	rc = store_tx_run(db, STORE_TX_WRITE, create_tx, &c, err);
	if (rc == CADRE_OK && id_out)
		*id_out = c.id;
	return rc;
}

/* ---- reap and claim ------------------------------------------------------- */

static int reap_in_tx(struct store *db, int64_t now_us, int64_t *reaped, struct cadre_err *err)
{
	struct store_stmt *st = NULL;
	int rc = store_prepare(db, &q_reap, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, now_us);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	if (reaped)
		*reaped = store_changes(st);
	return CADRE_OK;
}

struct reap_ctx {
	int64_t now_us;
	int64_t reaped;
};

static int reap_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct reap_ctx *r = arg;
	return reap_in_tx(db, r->now_us, &r->reaped, err);
}

int job_reap(const struct actor *actor, struct store *db, const struct clock *clk, int64_t *reaped,
             struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct reap_ctx r = {.now_us = clock_now(clk)};
	rc = store_tx_run(db, STORE_TX_WRITE, reap_tx, &r, err);
	if (rc == CADRE_OK && reaped)
		*reaped = r.reaped;
	return rc;
}

struct claim_ctx {
	const char *worker;
	int64_t lease_ms;
	int64_t now_us;
	struct job *out;
	bool claimed;
};

static int claim_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct claim_ctx *c = arg;
	struct store_stmt *st = NULL;
	c->claimed = false;
	int rc = reap_in_tx(db, c->now_us, NULL, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = store_prepare(db, &q_claim, &st, err)) != CADRE_OK)
		return rc;
	store_bind_str(st, 1, c->worker);
	store_bind_i64(st, 2, c->now_us + c->lease_ms * 1000);
	store_bind_i64(st, 3, c->now_us);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return CADRE_OK;
	if (rc != CADRE_OK)
		return rc;
	job_from_stmt(st, c->out);
	c->claimed = true;
	store_reset(st);
	return CADRE_OK;
}

int job_claim(const struct actor *actor, struct store *db, const char *worker_id, int64_t lease_ms,
              const struct clock *clk, struct job *out, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = check_worker(worker_id, err);
	if (rc != CADRE_OK)
		return rc;
	if (lease_ms <= 0 || lease_ms > INT64_C(86400000))
		return cadre_err_set(err, CADRE_EINVAL, "a lease is 1 ms to 24 hours");
	if (store_tx_depth(db) > 0)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "job_claim inside a transaction: a claim must commit at once");
	struct claim_ctx c = {
	    .worker = worker_id, .lease_ms = lease_ms, .now_us = clock_now(clk), .out = out};
	rc = store_tx_run(db, STORE_TX_WRITE, claim_tx, &c, err);
	if (rc != CADRE_OK)
		return rc;
	return c.claimed ? CADRE_OK : CADRE_DONE;
}

/* ---- heartbeat and finish ------------------------------------------------ */

struct lease_ctx {
	const struct store_sql *q;
	int64_t id;
	const char *worker;
	int64_t a, b, c; /* heartbeat: expiry, done, total */
	const char *state, *message;
	int64_t now_us;
};

static int lease_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct lease_ctx *l = arg;
	struct store_stmt *st = NULL;
	int rc = store_prepare(db, l->q, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, l->id);
	store_bind_str(st, 2, l->worker);
	if (l->q == &q_heartbeat) {
		store_bind_i64(st, 3, l->a);
		store_bind_i64(st, 4, l->now_us);
		store_bind_i64(st, 5, l->b);
		store_bind_i64(st, 6, l->c);
	} else {
		store_bind_str(st, 3, l->state);
		store_bind_str(st, 4, l->message);
		store_bind_i64(st, 5, l->now_us);
	}
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	if (store_changes(st) != 1)
		return cadre_err_set(err, CADRE_ECONFLICT,
		                     "job %" PRId64 ": worker %s no longer holds its lease "
		                     "(it ran out, or the job was interrupted)",
		                     l->id, l->worker);
	return CADRE_OK;
}

int job_heartbeat(const struct actor *actor, struct store *db, int64_t id, const char *worker_id,
                  int64_t done, int64_t total, int64_t lease_ms, const struct clock *clk,
                  struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = check_worker(worker_id, err);
	if (rc != CADRE_OK)
		return rc;
	if (lease_ms <= 0 || lease_ms > INT64_C(86400000))
		return cadre_err_set(err, CADRE_EINVAL, "a lease is 1 ms to 24 hours");
	if (done < 0 || total < 0)
		return cadre_err_set(err, CADRE_EINVAL, "job progress cannot be negative");
	int64_t now_us = clock_now(clk);
	struct lease_ctx l = {.q = &q_heartbeat,
	                      .id = id,
	                      .worker = worker_id,
	                      .a = now_us + lease_ms * 1000,
	                      .b = done,
	                      .c = total,
	                      .now_us = now_us};
	return store_tx_run(db, STORE_TX_WRITE, lease_tx, &l, err);
}

int job_finish(const struct actor *actor, struct store *db, int64_t id, const char *worker_id,
               bool ok, const char *message, const struct clock *clk, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = check_worker(worker_id, err);
	if (!message)
		message = "";
	if (rc == CADRE_OK)
		rc = check_message(message, err);
	if (rc != CADRE_OK)
		return rc;
	struct lease_ctx l = {.q = &q_finish,
	                      .id = id,
	                      .worker = worker_id,
	                      .state = ok ? "done" : "failed",
	                      .message = message,
	                      .now_us = clock_now(clk)};
	return store_tx_run(db, STORE_TX_WRITE, lease_tx, &l, err);
}

/* ---- reading ------------------------------------------------------------- */

static bool may_see(const struct actor *actor, const struct job *j)
{
	return actor_is_system(actor) || strcmp(j->owner, actor_label(actor)) == 0;
}

int job_get(const struct actor *actor, struct store *db, int64_t id, struct job *out,
            struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st = NULL;
	if ((rc = store_prepare(db, &q_get, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	rc = store_step(st, err);
	if (rc == CADRE_OK) {
		job_from_stmt(st, out);
		store_reset(st);
		if (may_see(actor, out))
			return CADRE_OK;
		memset(out, 0, sizeof *out);
	} else if (rc != CADRE_DONE) {
		return rc;
	}
	return cadre_err_set(err, CADRE_ENOTFOUND, "job %" PRId64 ": no such job", id);
}

int job_list(const struct actor *actor, struct store *db, job_fn fn, void *arg,
             struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	bool all = actor_is_system(actor);
	struct store_stmt *st = NULL;
	if ((rc = store_prepare(db, all ? &q_list : &q_list_owner, &st, err)) != CADRE_OK)
		return rc;
	if (!all)
		store_bind_str(st, 1, actor_label(actor));
	struct job j;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		job_from_stmt(st, &j);
		if ((rc = fn(&j, arg, err)) != CADRE_OK) {
			store_reset(st);
			return rc;
		}
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}
