/* token: API bearer tokens (see token.h). */
#include "domain/token.h"

#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/utf8.h"
#include "domain/audit.h"
#include "domain/policy.h"
#include "store/store.h"

#define TOKEN_COLS                                                                                 \
	"t.id, t.account_id, a.email, a.org_id, t.label, t.prefix, t.created_at, t.created_by, "   \
	"t.last_used_at, t.revoked_at FROM api_token t JOIN account a ON a.id = t.account_id"

static const struct store_sql q_get = {
    .name = "token_get",
    .sql = "SELECT " TOKEN_COLS " WHERE t.id = $1",
};

static const struct store_sql q_all = {
    .name = "token_all",
    .sql = "SELECT " TOKEN_COLS " ORDER BY t.created_at DESC, t.id DESC",
};

static const struct store_sql q_next_id = {
    .name = "token_next_id",
    .sql = "SELECT COALESCE(MAX(id), 0) + 1 FROM api_token",
};

static const struct store_sql q_insert = {
    .name = "token_insert",
    .sql = "INSERT INTO api_token (id, account_id, label, token_hash, prefix, created_at, "
           "created_by, last_used_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, "
           "NULL)",
};

static const struct store_sql q_revoke = {
    .name = "token_revoke",
    .sql = "UPDATE api_token SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
};

static const struct store_sql q_by_hash = {
    .name = "token_by_hash",
    .sql = "SELECT t.id, t.account_id, t.last_used_at, t.revoked_at, a.disabled "
           "FROM api_token t JOIN account a ON a.id = t.account_id WHERE t.token_hash = $1",
};

static const struct store_sql q_touch = {
    .name = "token_touch",
    .sql = "UPDATE api_token SET last_used_at = $2 WHERE id = $1",
};

static const struct store_sql q_org_of = {
    .name = "token_org_of",
    .sql = "SELECT a.org_id FROM api_token t JOIN account a ON a.id = t.account_id "
           "WHERE t.id = $1",
};

static void read_token(struct store_stmt *st, struct token_info *t)
{
	memset(t, 0, sizeof *t);
	t->id = store_col_i64(st, 0);
	t->account_id = store_col_i64(st, 1);
	(void)snprintf(t->email, sizeof t->email, "%s", store_col_text(st, 2));
	t->org_id = store_col_i64(st, 3);
	(void)snprintf(t->label, sizeof t->label, "%s", store_col_text(st, 4));
	(void)snprintf(t->prefix, sizeof t->prefix, "%s", store_col_text(st, 5));
	t->created_at = store_col_i64(st, 6);
	(void)snprintf(t->created_by, sizeof t->created_by, "%s", store_col_text(st, 7));
	t->last_used_at = store_col_i64(st, 8);
	t->revoked_at = store_col_i64(st, 9);
}

static int get(struct store *db, int64_t id, struct token_info *out, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_get, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such token");
	if (rc != CADRE_OK)
		return rc;
	read_token(st, out);
	store_reset(st);
	return CADRE_OK;
}

static int may_manage(const struct actor *actor, struct store *db, int64_t org,
                      struct cadre_err *err)
{
	int rc = policy_check(actor, db, "tokens.manage", org, err);
	if (rc == CADRE_ENOTFOUND)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such token or account");
	return rc;
}

static int label_check(const char *label, struct cadre_err *err)
{
	size_t n = label ? strlen(label) : 0;
	if (n == 0)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "enter a label saying what the token is for");
	if (n >= TOKEN_LABEL_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "a label is at most %d bytes",
		                     TOKEN_LABEL_MAX - 1);
	if (!utf8_valid(label, n, NULL))
		return cadre_err_set(err, CADRE_EINVAL, "the label is not valid UTF-8");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)label[i] < 0x20 || label[i] == 0x7f)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "the label holds a control character");
	return CADRE_OK;
}

struct issue_op {
	const struct actor *actor;
	const unsigned char *key;
	int64_t account;
	const char *label;
	char hash[AUDIT_HEX_LEN + 1];
	char prefix[TOKEN_SHOWN];
	int64_t now;
	int64_t id;
};

static int issue_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct issue_op *o = arg;
	struct store_stmt *st;
	int rc = store_prepare(db, &q_next_id, &st, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE ? CADRE_EINTERNAL : rc;
	o->id = store_col_i64(st, 0);
	store_reset(st);
	if ((rc = store_prepare(db, &q_insert, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, o->id);
	store_bind_i64(st, 2, o->account);
	store_bind_str(st, 3, o->label);
	store_bind_str(st, 4, o->hash);
	store_bind_str(st, 5, o->prefix);
	store_bind_i64(st, 6, o->now);
	store_bind_str(st, 7, actor_label(o->actor));
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	char object[AUDIT_OBJECT_MAX];
	(void)snprintf(object, sizeof object, "account:%" PRId64, o->account);
	json_t *p = json_pack("{s:I, s:s, s:s}", "token", (json_int_t)o->id, "label", o->label,
	                      "prefix", o->prefix);
	struct audit_change ch = {
	    .at_us = o->now, .action = "token.issue", .object = object, .payload = p};
	rc = audit_append(o->actor, db, o->key, &ch, NULL, err);
	json_decref(p);
	return rc;
}

int token_issue(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                int64_t account_id, const char *label, const struct clock *clk,
                char secret[TOKEN_TEXT], int64_t *id, struct cadre_err *err)
{
	int64_t org;
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = account_org_of(db, account_id, &org, err);
	if (rc == CADRE_OK)
		rc = may_manage(actor, db, org, err);
	if (rc == CADRE_OK)
		rc = label_check(label, err);
	if (rc != CADRE_OK)
		return rc;
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	memcpy(secret, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1);
	sodium_bin2base64(secret + sizeof TOKEN_PREFIX - 1, TOKEN_TEXT - (sizeof TOKEN_PREFIX - 1),
	                  raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	struct issue_op o = {.actor = actor,
	                     .key = audit_key,
	                     .account = account_id,
	                     .label = label,
	                     .now = clock_now(clk)};
	audit_sha256_hex(secret, strlen(secret), o.hash);
	(void)snprintf(o.prefix, sizeof o.prefix, "%.12s", secret);
	rc = store_tx_run(db, STORE_TX_WRITE, issue_tx, &o, err);
	if (rc != CADRE_OK) {
		sodium_memzero(secret, TOKEN_TEXT);
		return rc;
	}
	if (id)
		*id = o.id;
	return CADRE_OK;
}

struct revoke_op {
	const struct actor *actor;
	const unsigned char *key;
	const struct token_info *t;
	int64_t now;
};

static int revoke_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct revoke_op *o = arg;
	struct store_stmt *st;
	int rc = store_prepare(db, &q_revoke, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, o->t->id);
	store_bind_i64(st, 2, o->now);
	if ((rc = store_exec(st, err)) != CADRE_OK || store_changes(st) == 0)
		return rc;
	char object[AUDIT_OBJECT_MAX];
	(void)snprintf(object, sizeof object, "account:%" PRId64, o->t->account_id);
	json_t *p = json_pack("{s:I, s:s}", "token", (json_int_t)o->t->id, "prefix", o->t->prefix);
	struct audit_change ch = {
	    .at_us = o->now, .action = "token.revoke", .object = object, .payload = p};
	rc = audit_append(o->actor, db, o->key, &ch, NULL, err);
	json_decref(p);
	return rc;
}

int token_revoke(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                 int64_t id, const struct clock *clk, struct cadre_err *err)
{
	struct token_info t;
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = get(db, id, &t, err);
	if (rc == CADRE_OK)
		rc = may_manage(actor, db, t.org_id, err);
	if (rc != CADRE_OK)
		return rc;
	struct revoke_op o = {.actor = actor, .key = audit_key, .t = &t, .now = clock_now(clk)};
	return store_tx_run(db, STORE_TX_WRITE, revoke_tx, &o, err);
}

int token_list(const struct actor *actor, struct store *db, token_fn fn, void *arg,
               struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	int64_t orgs[ACCOUNT_GRANTS_MAX];
	size_t norgs = 0;
	bool all = false;
	policy_grant_orgs(actor, "tokens.manage", orgs, ACCOUNT_GRANTS_MAX, &norgs, &all);
	if (!all && norgs == 0)
		return cadre_err_set(err, CADRE_EPERM, "%s may not manage tokens",
		                     actor_label(actor));
	/* read them all first: the scope check runs statements of its own */
	struct token_info *v = NULL;
	size_t n = 0, alloc = 0;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_all, &st, err)) != CADRE_OK)
		return rc;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			v = xreallocarray(v, alloc, sizeof *v);
		}
		read_token(st, &v[n++]);
	}
	if (rc != CADRE_DONE)
		goto done;
	rc = CADRE_OK;
	for (size_t i = 0; i < n && rc == CADRE_OK; i++) {
		bool in = all;
		for (size_t g = 0; g < norgs && !in && rc == CADRE_OK; g++)
			rc = policy_org_within(db, v[i].org_id, orgs[g], &in, err);
		if (rc == CADRE_OK && in)
			rc = fn(&v[i], arg, err);
	}
done:
	free(v);
	return rc;
}

int token_org_of(struct store *db, int64_t id, int64_t *org_id, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_org_of, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such token");
	if (rc != CADRE_OK)
		return rc;
	*org_id = store_col_i64(st, 0);
	store_reset(st);
	return CADRE_OK;
}

struct touch_op {
	int64_t id;
	int64_t now;
};

static int touch_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct touch_op *o = arg;
	struct store_stmt *st;
	int rc = store_prepare(db, &q_touch, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, o->id);
	store_bind_i64(st, 2, o->now);
	return store_exec(st, err);
}

int token_authenticate(struct store *db, const char *secret, const struct clock *clk,
                       struct account_identity *out, struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	size_t n = secret ? strlen(secret) : 0;
	if (n != TOKEN_TEXT - 1 || strncmp(secret, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1) != 0)
		return cadre_err_set(err, CADRE_ENOTFOUND, "not a Cadre API token");
	char hash[AUDIT_HEX_LEN + 1];
	audit_sha256_hex(secret, n, hash);
	struct store_stmt *st;
	int rc = store_prepare(db, &q_by_hash, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, hash);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "unknown token");
	if (rc != CADRE_OK)
		return rc;
	struct touch_op o = {.id = store_col_i64(st, 0), .now = clock_now(clk)};
	int64_t account = store_col_i64(st, 1);
	int64_t last = store_col_i64(st, 2);
	bool revoked = !store_col_is_null(st, 3);
	bool disabled = store_col_bool(st, 4);
	store_reset(st);
	if (revoked || disabled)
		return cadre_err_set(err, CADRE_ENOTFOUND,
		                     "the token is revoked or its account "
		                     "disabled");
	if (o.now - last >= TOKEN_TOUCH_US &&
	    (rc = store_tx_run(db, STORE_TX_WRITE, touch_tx, &o, err)) != CADRE_OK)
		return rc;
	return account_identity_load(db, account, out, err);
}
