/* session: sessions, sign-in, throttling and CSRF tokens (see session.h). */
#include "domain/session.h"

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "domain/audit.h"
#include "store/store.h"

static const struct store_sql q_find = {
    .name = "session_find",
    .sql = "SELECT s.account_id, s.epoch, s.created_at, s.last_seen_at, s.ended_at, a.epoch, "
           "a.disabled FROM session s JOIN account a ON a.id = s.account_id "
           "WHERE s.id_hash = $1",
};

static const struct store_sql q_insert = {
    .name = "session_insert",
    .sql = "INSERT INTO session (id_hash, account_id, epoch, created_at, last_seen_at, "
           "ended_at) VALUES ($1, $2, $3, $4, $5, NULL)",
};

static const struct store_sql q_end = {
    .name = "session_end",
    .sql = "UPDATE session SET ended_at = $2 WHERE id_hash = $1 AND ended_at IS NULL",
};

static const struct store_sql q_touch = {
    .name = "session_touch",
    .sql = "UPDATE session SET last_seen_at = $2 WHERE id_hash = $1 AND ended_at IS NULL",
};

static const struct store_sql q_purge = {
    .name = "session_purge",
    .sql = "DELETE FROM session WHERE account_id = $1 AND (ended_at < $2 OR created_at < $3)",
};

static const struct store_sql q_account = {
    .name = "session_account",
    .sql = "SELECT id, password_hash, disabled, epoch FROM account WHERE email = $1",
};

static const struct store_sql q_rehash = {
    .name = "session_rehash",
    .sql = "UPDATE account SET password_hash = $2 WHERE id = $1 AND password_hash = $3",
};

static const struct store_sql q_throttle_get = {
    .name = "session_throttle_get",
    .sql = "SELECT window_start, attempts FROM signin_throttle WHERE key = $1",
};

static const struct store_sql q_throttle_put = {
    .name = "session_throttle_put",
    .sql = "INSERT INTO signin_throttle (key, window_start, attempts) VALUES ($1, $2, $3) "
           "ON CONFLICT (key) DO UPDATE SET window_start = excluded.window_start, "
           "attempts = excluded.attempts",
};

static const struct store_sql q_throttle_delete = {
    .name = "session_throttle_delete",
    .sql = "DELETE FROM signin_throttle WHERE key = $1",
};

static const struct store_sql q_throttle_undo = {
    .name = "session_throttle_undo",
    .sql = "UPDATE signin_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
};

static const struct store_sql q_throttle_expire = {
    .name = "session_throttle_expire",
    .sql = "DELETE FROM signin_throttle WHERE window_start < $1",
};

static const struct store_sql q_throttle_clear = {
    .name = "session_throttle_clear",
    .sql = "DELETE FROM signin_throttle",
};

/* ---- ids and tokens ---------------------------------------------------- */

static const char csrf_context[] = "cadre-csrf-v1";

void session_id_new(unsigned char id[SESSION_ID_BYTES])
{
	randombytes_buf(id, SESSION_ID_BYTES);
}

void session_id_encode(const unsigned char id[SESSION_ID_BYTES], char out[SESSION_ID_TEXT])
{
	sodium_bin2base64(out, SESSION_ID_TEXT, id, SESSION_ID_BYTES,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool session_id_decode(const char *text, size_t n, unsigned char id[SESSION_ID_BYTES])
{
	size_t got = 0;
	const char *end = NULL;
	if (n != SESSION_ID_TEXT - 1)
		return false;
	if (sodium_base642bin(id, SESSION_ID_BYTES, text, n, NULL, &got, &end,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return false;
	return got == SESSION_ID_BYTES && end == text + n;
}

void session_csrf_token(const unsigned char id[SESSION_ID_BYTES], char out[SESSION_CSRF_TEXT])
{
	unsigned char mac[32];
	crypto_generichash(mac, sizeof mac, (const unsigned char *)csrf_context,
	                   sizeof csrf_context - 1, id, SESSION_ID_BYTES);
	sodium_bin2hex(out, SESSION_CSRF_TEXT, mac, sizeof mac);
}

bool session_csrf_matches(const unsigned char id[SESSION_ID_BYTES], const char *token)
{
	char want[SESSION_CSRF_TEXT];
	if (!token || strnlen(token, SESSION_CSRF_TEXT) != SESSION_CSRF_TEXT - 1)
		return false;
	session_csrf_token(id, want);
	return sodium_memcmp(want, token, SESSION_CSRF_TEXT - 1) == 0;
}

static void id_hash(const unsigned char id[SESSION_ID_BYTES], char out[AUDIT_HEX_LEN + 1])
{
	audit_sha256_hex(id, SESSION_ID_BYTES, out);
}

/* ---- resuming ---------------------------------------------------------- */

struct resume_op {
	char hash[AUDIT_HEX_LEN + 1];
	char new_hash[AUDIT_HEX_LEN + 1];
	int64_t account;
	int64_t epoch;
	int64_t created_at;
	int64_t now;
	bool ended; /* the old id was still active and is now ended */
};

static int exec_end(struct store *db, const char *hash, int64_t now, int64_t *changed,
                    struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_end, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, hash);
	store_bind_i64(st, 2, now);
	if ((rc = store_exec(st, err)) == CADRE_OK && changed)
		*changed = store_changes(st);
	return rc;
}

static int insert_session(struct store *db, const char *hash, int64_t account, int64_t epoch,
                          int64_t created, int64_t now, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_insert, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, hash);
	store_bind_i64(st, 2, account);
	store_bind_i64(st, 3, epoch);
	store_bind_i64(st, 4, created);
	store_bind_i64(st, 5, now);
	return store_exec(st, err);
}

static int end_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct resume_op *r = arg;
	return exec_end(db, r->hash, r->now, NULL, err);
}

static int touch_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct resume_op *r = arg;
	struct store_stmt *st;
	int rc = store_prepare(db, &q_touch, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, r->hash);
	store_bind_i64(st, 2, r->now);
	return store_exec(st, err);
}

/* rotate_tx: a new id for the session, keeping its start (so the absolute
 * limit still counts from sign-in); the old id ends. */
static int rotate_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct resume_op *r = arg;
	int64_t changed = 0;
	int rc = exec_end(db, r->hash, r->now, &changed, err);
	r->ended = rc == CADRE_OK && changed == 1;
	if (rc != CADRE_OK || !r->ended)
		return rc;
	return insert_session(db, r->new_hash, r->account, r->epoch, r->created_at, r->now, err);
}

int session_resume(struct store *db, const unsigned char id[SESSION_ID_BYTES],
                   const struct session_limits *lim, const struct clock *clk, struct session *out,
                   enum session_status *why, struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	struct resume_op r = {.now = clock_now(clk)};
	id_hash(id, r.hash);
	struct store_stmt *st;
	int rc = store_prepare(db, &q_find, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, r.hash);
	rc = store_step(st, err);
	if (rc == CADRE_DONE) {
		*why = SESSION_UNKNOWN;
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such session");
	}
	if (rc != CADRE_OK)
		return rc;
	r.account = store_col_i64(st, 0);
	int64_t epoch = store_col_i64(st, 1);
	r.created_at = store_col_i64(st, 2);
	int64_t last_seen = store_col_i64(st, 3);
	bool ended = !store_col_is_null(st, 4);
	r.epoch = store_col_i64(st, 5);
	bool disabled = store_col_bool(st, 6);
	store_reset(st);
	*why = ended                                      ? SESSION_ENDED
	       : disabled                                 ? SESSION_DISABLED
	       : r.now - r.created_at >= lim->absolute_us ? SESSION_EXPIRED
	       : r.now - last_seen >= lim->idle_us        ? SESSION_IDLE
	                                                  : SESSION_ACTIVE;
	if (*why != SESSION_ACTIVE) {
		if (!ended && (rc = store_tx_run(db, STORE_TX_WRITE, end_tx, &r, err)) != CADRE_OK)
			return rc;
		return cadre_err_set(err, CADRE_ENOTFOUND, "the session is not active");
	}
	memcpy(out->id, id, SESSION_ID_BYTES);
	if (epoch != r.epoch) {
		session_id_new(out->id);
		id_hash(out->id, r.new_hash);
		if ((rc = store_tx_run(db, STORE_TX_WRITE, rotate_tx, &r, err)) != CADRE_OK)
			return rc;
		if (!r.ended) { /* another request rotated it first */
			*why = SESSION_ENDED;
			return cadre_err_set(err, CADRE_ENOTFOUND, "the session is not active");
		}
		out->rotated = true;
		last_seen = r.now;
	} else if (r.now - last_seen >= SESSION_TOUCH_US) {
		if ((rc = store_tx_run(db, STORE_TX_WRITE, touch_tx, &r, err)) != CADRE_OK)
			return rc;
		last_seen = r.now;
	}
	if ((rc = account_identity_load(db, r.account, &out->who, err)) != CADRE_OK)
		return rc;
	out->created_at = r.created_at;
	out->last_seen_at = last_seen;
	return CADRE_OK;
}

void session_free(struct session *s)
{
	account_identity_free(&s->who);
	sodium_memzero(s->id, sizeof s->id);
}

/* ---- throttling -------------------------------------------------------- */

struct throttle_key {
	char key[96];
	int64_t limit;
};

/* throttle_keys: the account key (SHA-256 of the normalised email, or of
 * the text as typed when it is no email) and the address key. */
static void throttle_keys(const char *email, const char *addr, struct throttle_key k[2])
{
	char h[AUDIT_HEX_LEN + 1];
	audit_sha256_hex(email, strlen(email), h);
	(void)snprintf(k[0].key, sizeof k[0].key, "account:%s", h);
	k[0].limit = SESSION_THROTTLE_ACCOUNT;
	(void)snprintf(k[1].key, sizeof k[1].key, "address:%.63s", addr && *addr ? addr : "-");
	k[1].limit = SESSION_THROTTLE_ADDRESS;
}

struct sign_in_op {
	const unsigned char *key;
	const struct session_credentials *c;
	struct throttle_key tk[2];
	char email[ACCOUNT_EMAIL_MAX];
	int64_t now;
	/* the account, when the email names one */
	int64_t account;
	int64_t epoch;
	const char *reason; /* why it failed, for the trail */
	const char *rehash; /* a new hash to store, or NULL */
	const char *old_hash;
	struct session_sign_in *out;
};

/* audit_failure: a failed sign-in, recorded by system:web. */
static int audit_failure(struct store *db, const struct sign_in_op *s, struct cadre_err *err)
{
	struct actor web = actor_system("web");
	char object[AUDIT_OBJECT_MAX];
	if (s->account)
		(void)snprintf(object, sizeof object, "account:%" PRId64, s->account);
	else
		(void)snprintf(object, sizeof object, "account:unknown");
	json_t *p = json_pack("{s:s, s:s}", "reason", s->reason, "client",
	                      s->c->client_addr ? s->c->client_addr : "");
	struct audit_change ch = {
	    .at_us = s->now, .action = "signin.fail", .object = object, .payload = p};
	int rc = audit_append(&web, db, s->key, &ch, NULL, err);
	json_decref(p);
	return rc;
}

/* count_tx: refuse when either key is at its limit, else count this
 * attempt against both. */
static int count_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct sign_in_op *s = arg;
	struct store_stmt *st;
	int rc = store_prepare(db, &q_throttle_expire, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, s->now - SESSION_THROTTLE_WINDOW_US);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	int64_t start[2], attempts[2];
	s->out->outcome = SESSION_REFUSED;
	for (int i = 0; i < 2; i++) {
		if ((rc = store_prepare(db, &q_throttle_get, &st, err)) != CADRE_OK)
			return rc;
		store_bind_str(st, 1, s->tk[i].key);
		rc = store_step(st, err);
		start[i] = s->now;
		attempts[i] = 0;
		if (rc == CADRE_OK) {
			int64_t ws = store_col_i64(st, 0);
			if (s->now - ws < SESSION_THROTTLE_WINDOW_US) {
				start[i] = ws;
				attempts[i] = store_col_i64(st, 1);
			}
			store_reset(st);
		} else if (rc != CADRE_DONE) {
			return rc;
		}
		if (attempts[i] >= s->tk[i].limit) {
			int64_t wait = start[i] + SESSION_THROTTLE_WINDOW_US - s->now;
			int64_t secs = (wait + 999999) / 1000000;
			s->out->outcome = SESSION_THROTTLED;
			if (secs > s->out->retry_after_s)
				s->out->retry_after_s = secs;
		}
	}
	if (s->out->outcome == SESSION_THROTTLED) {
		s->reason = "throttled";
		return audit_failure(db, s, err);
	}
	for (int i = 0; i < 2; i++) {
		if ((rc = store_prepare(db, &q_throttle_put, &st, err)) != CADRE_OK)
			return rc;
		store_bind_str(st, 1, s->tk[i].key);
		store_bind_i64(st, 2, start[i]);
		store_bind_i64(st, 3, attempts[i] + 1);
		if ((rc = store_exec(st, err)) != CADRE_OK)
			return rc;
	}
	return CADRE_OK;
}

static int exec_key(struct store *db, const struct store_sql *q, const char *key,
                    struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, q, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, key);
	return store_exec(st, err);
}

/* success_tx: start the session, clear the counts, record it. */
static int success_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct sign_in_op *s = arg;
	char hash[AUDIT_HEX_LEN + 1];
	int rc;
	if ((rc = exec_key(db, &q_throttle_delete, s->tk[0].key, err)) != CADRE_OK ||
	    (rc = exec_key(db, &q_throttle_undo, s->tk[1].key, err)) != CADRE_OK)
		return rc;
	if (s->c->old_id) {
		id_hash(s->c->old_id, hash);
		if ((rc = exec_end(db, hash, s->now, NULL, err)) != CADRE_OK)
			return rc;
	}
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_purge, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, s->account);
	/* a session ended a day ago, or begun a week ago, is of no more use */
	store_bind_i64(st, 2, s->now - INT64_C(24) * 3600 * 1000000);
	store_bind_i64(st, 3, s->now - INT64_C(7) * 24 * 3600 * 1000000);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	session_id_new(s->out->id);
	id_hash(s->out->id, hash);
	if ((rc = insert_session(db, hash, s->account, s->epoch, s->now, s->now, err)) != CADRE_OK)
		return rc;
	if (s->rehash) {
		if ((rc = store_prepare(db, &q_rehash, &st, err)) != CADRE_OK)
			return rc;
		store_bind_i64(st, 1, s->account);
		store_bind_str(st, 2, s->rehash);
		store_bind_str(st, 3, s->old_hash);
		if ((rc = store_exec(st, err)) != CADRE_OK)
			return rc;
	}
	struct actor who = actor_user(s->account, NULL, 0);
	char object[AUDIT_OBJECT_MAX];
	(void)snprintf(object, sizeof object, "account:%" PRId64, s->account);
	json_t *p = json_pack("{s:s}", "client", s->c->client_addr ? s->c->client_addr : "");
	struct audit_change ch = {
	    .at_us = s->now, .action = "signin", .object = object, .payload = p};
	rc = audit_append(&who, db, s->key, &ch, NULL, err);
	json_decref(p);
	return rc;
}

static int failure_tx(struct store *db, void *arg, struct cadre_err *err)
{
	return audit_failure(db, arg, err);
}

/* dummy hashes, one per cost, so an unknown email costs what a known one
 * does */
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static char dummy_hash[3][ACCOUNT_HASH_MAX];

static void dummy_verify(const char *pw)
{
	enum account_cost c = account_get_cost();
	(void)pthread_mutex_lock(&dummy_lock);
	if (!dummy_hash[c][0]) {
		unsigned char r[16];
		char pw0[33];
		struct cadre_err e;
		randombytes_buf(r, sizeof r);
		sodium_bin2hex(pw0, sizeof pw0, r, sizeof r);
		if (account_password_hash(pw0, dummy_hash[c], &e) != CADRE_OK)
			dummy_hash[c][0] = '\0';
	}
	char h[ACCOUNT_HASH_MAX];
	memcpy(h, dummy_hash[c], sizeof h);
	(void)pthread_mutex_unlock(&dummy_lock);
	if (h[0])
		(void)account_password_verify(h, pw);
}

int session_sign_in(struct store *db, const unsigned char *audit_key,
                    const struct session_credentials *c, const struct clock *clk,
                    struct session_sign_in *out, struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	struct sign_in_op s = {.key = audit_key, .c = c, .now = clock_now(clk), .out = out};
	char stored[ACCOUNT_HASH_MAX] = "";
	char rehash[ACCOUNT_HASH_MAX];
	struct cadre_err e;
	const char *email = c->email ? c->email : "";
	const char *password = c->password ? c->password : "";
	bool email_ok = account_email_normalise(email, s.email, &e) == CADRE_OK;
	throttle_keys(email_ok ? s.email : email, c->client_addr, s.tk);
	int rc = store_tx_run(db, STORE_TX_WRITE, count_tx, &s, err);
	if (rc != CADRE_OK || out->outcome == SESSION_THROTTLED)
		return rc;

	/* the account, outside any transaction */
	bool disabled = false;
	if (email_ok) {
		struct store_stmt *st;
		if ((rc = store_prepare(db, &q_account, &st, err)) != CADRE_OK)
			return rc;
		store_bind_str(st, 1, s.email);
		rc = store_step(st, err);
		if (rc == CADRE_OK) {
			s.account = store_col_i64(st, 0);
			if (!store_col_is_null(st, 1))
				(void)snprintf(stored, sizeof stored, "%s", store_col_text(st, 1));
			disabled = store_col_bool(st, 2);
			s.epoch = store_col_i64(st, 3);
			store_reset(st);
		} else if (rc != CADRE_DONE) {
			return rc;
		}
	}
	bool ok = false;
	if (stored[0]) {
		ok = account_password_verify(stored, password);
	} else {
		dummy_verify(password);
	}
	s.reason = !s.account   ? "unknown"
	           : !stored[0] ? "no-password"
	           : !ok        ? "password"
	           : disabled   ? "disabled"
	                        : NULL;
	if (s.reason) {
		out->outcome = SESSION_REFUSED;
		rc = store_tx_run(db, STORE_TX_WRITE, failure_tx, &s, err);
		sodium_memzero(stored, sizeof stored);
		return rc;
	}
	if (account_password_needs_rehash(stored) &&
	    account_password_hash(password, rehash, &e) == CADRE_OK) {
		s.rehash = rehash;
		s.old_hash = stored;
	}
	rc = store_tx_run(db, STORE_TX_WRITE, success_tx, &s, err);
	sodium_memzero(stored, sizeof stored);
	sodium_memzero(rehash, sizeof rehash);
	if (rc != CADRE_OK) {
		sodium_memzero(out->id, sizeof out->id);
		return rc;
	}
	out->outcome = SESSION_SIGNED_IN;
	out->account_id = s.account;
	return CADRE_OK;
}

struct sign_out_op {
	const struct actor *actor;
	const unsigned char *key;
	char hash[AUDIT_HEX_LEN + 1];
	int64_t now;
};

static int sign_out_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct sign_out_op *o = arg;
	int64_t changed = 0;
	int rc = exec_end(db, o->hash, o->now, &changed, err);
	if (rc != CADRE_OK || changed == 0)
		return rc;
	char object[AUDIT_OBJECT_MAX];
	(void)snprintf(object, sizeof object, "account:%" PRId64, o->actor->user_id);
	struct audit_change ch = {.at_us = o->now, .action = "signout", .object = object};
	return audit_append(o->actor, db, o->key, &ch, NULL, err);
}

int session_sign_out(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                     const unsigned char id[SESSION_ID_BYTES], const struct clock *clk,
                     struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (actor->kind != ACTOR_USER)
		return cadre_err_set(err, CADRE_EINVAL, "only an account signs out");
	struct sign_out_op o = {.actor = actor, .key = audit_key, .now = clock_now(clk)};
	id_hash(id, o.hash);
	return store_tx_run(db, STORE_TX_WRITE, sign_out_tx, &o, err);
}

int session_throttle_clear(const struct actor *actor, struct store *db, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!actor_is_system(actor))
		return cadre_err_set(err, CADRE_EPERM,
		                     "only the system operator clears throttling");
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_throttle_clear, &st, err)) != CADRE_OK)
		return rc;
	return store_exec(st, err);
}
