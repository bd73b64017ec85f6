/* account: accounts, passwords and grants (see account.h). */
#include "domain/account.h"

#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/utf8.h"
#include "domain/policy.h"
#include "store/store.h"

/* ---- statements --------------------------------------------------------- */

#define ACCOUNT_COLS                                                                               \
	"a.id, a.email, a.name, a.org_id, o.code, o.name, a.disabled, "                            \
	"a.password_hash IS NOT NULL, a.epoch, a.created_at FROM account a JOIN org o ON o.id = "  \
	"a.org_id"

static const struct store_sql q_get = {
    .name = "account_get",
    .sql = "SELECT " ACCOUNT_COLS " WHERE a.id = $1",
};

static const struct store_sql q_by_email = {
    .name = "account_by_email",
    .sql = "SELECT " ACCOUNT_COLS " WHERE a.email = $1",
};

static const struct store_sql q_all = {
    .name = "account_all",
    .sql = "SELECT " ACCOUNT_COLS " ORDER BY a.email",
};

static const struct store_sql q_in_subtree = {
    .name = "account_in_subtree",
    .sql = "SELECT " ACCOUNT_COLS " WHERE a.org_id = $2 OR EXISTS (SELECT 1 FROM org_ancestor "
           "oa WHERE oa.month = $1 AND oa.node_id = a.org_id AND oa.ancestor_id = $2) "
           "ORDER BY a.email",
};

static const struct store_sql q_latest_month = {
    .name = "account_latest_month",
    .sql = "SELECT last_month FROM org_hierarchy WHERE id = 1",
};

static const struct store_sql q_next_id = {
    .name = "account_next_id",
    .sql = "SELECT COALESCE(MAX(id), 0) + 1 FROM account",
};

static const struct store_sql q_insert = {
    .name = "account_insert",
    .sql = "INSERT INTO account (id, email, name, org_id, person_id, password_hash, disabled, "
           "epoch, created_at) VALUES ($1, $2, $3, $4, NULL, $5, 0, 1, $6)",
};

static const struct store_sql q_org_by_code = {
    .name = "account_org_by_code",
    .sql = "SELECT id FROM org WHERE code = $1",
};

static const struct store_sql q_org_of = {
    .name = "account_org_of",
    .sql = "SELECT org_id FROM account WHERE id = $1",
};

static const struct store_sql q_grants = {
    .name = "account_grants",
    .sql = "SELECT g.id, g.role, g.org_id, o.code, o.name, g.granted_at, g.granted_by "
           "FROM account_grant g JOIN org o ON o.id = g.org_id WHERE g.account_id = $1 "
           "ORDER BY g.role, o.code",
};

static const struct store_sql q_grant_find = {
    .name = "account_grant_find",
    .sql = "SELECT id FROM account_grant WHERE account_id = $1 AND role = $2 AND org_id = $3",
};

static const struct store_sql q_grant_count = {
    .name = "account_grant_count",
    .sql = "SELECT COUNT(*) FROM account_grant WHERE account_id = $1",
};

static const struct store_sql q_grant_next_id = {
    .name = "account_grant_next_id",
    .sql = "SELECT COALESCE(MAX(id), 0) + 1 FROM account_grant",
};

static const struct store_sql q_grant_insert = {
    .name = "account_grant_insert",
    .sql = "INSERT INTO account_grant (id, account_id, role, org_id, granted_at, granted_by) "
           "VALUES ($1, $2, $3, $4, $5, $6)",
};

static const struct store_sql q_grant_delete = {
    .name = "account_grant_delete",
    .sql = "DELETE FROM account_grant WHERE id = $1",
};

static const struct store_sql q_epoch_bump = {
    .name = "account_epoch_bump",
    .sql = "UPDATE account SET epoch = epoch + 1 WHERE id = $1",
};

static const struct store_sql q_set_disabled = {
    .name = "account_set_disabled",
    .sql = "UPDATE account SET disabled = $2 WHERE id = $1",
};

static const struct store_sql q_set_password = {
    .name = "account_set_password",
    .sql = "UPDATE account SET password_hash = $2 WHERE id = $1",
};

static const struct store_sql q_sessions_end = {
    .name = "account_sessions_end",
    .sql = "UPDATE session SET ended_at = $2 WHERE account_id = $1 AND ended_at IS NULL",
};

static const struct store_sql q_identity_grants = {
    .name = "account_identity_grants",
    .sql = "SELECT role, org_id FROM account_grant WHERE account_id = $1 ORDER BY role, org_id",
};

/* ---- the audited tables ---------------------------------------------- */

static const struct audit_field account_fields[] = {
    {"id", AUDIT_F_I64},     {"email", AUDIT_F_TEXT},   {"name", AUDIT_F_TEXT},
    {"org_id", AUDIT_F_I64}, {"disabled", AUDIT_F_I64}, {"created_at", AUDIT_F_I64},
};

static const struct store_sql q_audit_row = {
    .name = "account_audit_row",
    .sql = "SELECT id, email, name, org_id, disabled, created_at, row_hash, audit_seq "
           "FROM account WHERE id = $1",
};

static const struct store_sql q_audit_all = {
    .name = "account_audit_all",
    .sql = "SELECT id, email, name, org_id, disabled, created_at, row_hash, audit_seq "
           "FROM account ORDER BY id",
};

static const struct store_sql q_audit_stamp = {
    .name = "account_audit_stamp",
    .sql = "UPDATE account SET row_hash = $2, audit_seq = $3 WHERE id = $1",
};

const struct audit_table account_audit_table = {
    .name = "account",
    .fields = account_fields,
    .nfields = (int)(sizeof account_fields / sizeof account_fields[0]),
    .select_row = &q_audit_row,
    .select_all = &q_audit_all,
    .stamp = &q_audit_stamp,
};

static const struct audit_field grant_fields[] = {
    {"id", AUDIT_F_I64},     {"account_id", AUDIT_F_I64}, {"role", AUDIT_F_TEXT},
    {"org_id", AUDIT_F_I64}, {"granted_at", AUDIT_F_I64}, {"granted_by", AUDIT_F_TEXT},
};

static const struct store_sql q_grant_audit_row = {
    .name = "account_grant_audit_row",
    .sql = "SELECT id, account_id, role, org_id, granted_at, granted_by, row_hash, audit_seq "
           "FROM account_grant WHERE id = $1",
};

static const struct store_sql q_grant_audit_all = {
    .name = "account_grant_audit_all",
    .sql = "SELECT id, account_id, role, org_id, granted_at, granted_by, row_hash, audit_seq "
           "FROM account_grant ORDER BY id",
};

static const struct store_sql q_grant_audit_stamp = {
    .name = "account_grant_audit_stamp",
    .sql = "UPDATE account_grant SET row_hash = $2, audit_seq = $3 WHERE id = $1",
};

const struct audit_table account_grant_audit_table = {
    .name = "account_grant",
    .fields = grant_fields,
    .nfields = (int)(sizeof grant_fields / sizeof grant_fields[0]),
    .select_row = &q_grant_audit_row,
    .select_all = &q_grant_audit_all,
    .stamp = &q_grant_audit_stamp,
};

/* ---- passwords ---------------------------------------------------------- */

static _Atomic int current_cost = ACCOUNT_COST_INTERACTIVE;

int account_cost_parse(const char *s, enum account_cost *out, struct cadre_err *err)
{
	if (strcmp(s, "interactive") == 0)
		*out = ACCOUNT_COST_INTERACTIVE;
	else if (strcmp(s, "moderate") == 0)
		*out = ACCOUNT_COST_MODERATE;
	else if (strcmp(s, "test") == 0)
		*out = ACCOUNT_COST_TEST;
	else
		return cadre_err_set(err, CADRE_EINVAL,
		                     "password cost '%.40s' is not interactive, moderate or test",
		                     s);
	return CADRE_OK;
}

void account_set_cost(enum account_cost c)
{
	atomic_store(&current_cost, (int)c);
}

enum account_cost account_get_cost(void)
{
	return (enum account_cost)atomic_load(&current_cost);
}

static void cost_limits(unsigned long long *ops, size_t *mem)
{
	switch (account_get_cost()) {
	case ACCOUNT_COST_MODERATE:
		*ops = crypto_pwhash_OPSLIMIT_MODERATE;
		*mem = crypto_pwhash_MEMLIMIT_MODERATE;
		break;
	case ACCOUNT_COST_TEST:
		*ops = crypto_pwhash_OPSLIMIT_MIN;
		*mem = crypto_pwhash_MEMLIMIT_MIN;
		break;
	default:
		*ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		*mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
		break;
	}
}

int account_password_check(const char *pw, struct cadre_err *err)
{
	size_t n = strlen(pw);
	if (n > ACCOUNT_PASSWORD_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "a password may be at most %d bytes",
		                     ACCOUNT_PASSWORD_MAX);
	if (!utf8_valid(pw, n, NULL))
		return cadre_err_set(err, CADRE_EINVAL, "the password is not valid UTF-8");
	size_t chars = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)pw[i];
		if (c < 0x20 || c == 0x7f)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "the password holds a control character");
		if ((c & 0xc0) != 0x80)
			chars++;
	}
	if (chars < ACCOUNT_PASSWORD_MIN)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "a password must be at least %d characters long",
		                     ACCOUNT_PASSWORD_MIN);
	return CADRE_OK;
}

int account_password_hash(const char *pw, char out[ACCOUNT_HASH_MAX], struct cadre_err *err)
{
	unsigned long long ops;
	size_t mem;
	cost_limits(&ops, &mem);
	if (sodium_init() < 0)
		return cadre_err_set(err, CADRE_EINTERNAL, "libsodium failed to start");
	if (crypto_pwhash_str(out, pw, strlen(pw), ops, mem) != 0)
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "hashing the password failed (out of memory?)");
	return CADRE_OK;
}

bool account_password_verify(const char *hash, const char *pw)
{
	if (!hash || !pw || strnlen(hash, ACCOUNT_HASH_MAX) == ACCOUNT_HASH_MAX)
		return false;
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

bool account_password_needs_rehash(const char *hash)
{
	unsigned long long ops;
	size_t mem;
	cost_limits(&ops, &mem);
	return crypto_pwhash_str_needs_rehash(hash, ops, mem) != 0;
}

void account_password_generate(char out[ACCOUNT_GENERATED_PASSWORD_LEN + 1])
{
	/* 32 symbols, no 0/O, 1/l/I: 5 bits each, 100 bits in all */
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
	for (size_t i = 0; i < ACCOUNT_GENERATED_PASSWORD_LEN; i++)
		out[i] = alphabet[randombytes_uniform(32)];
	out[ACCOUNT_GENERATED_PASSWORD_LEN] = '\0';
}

int account_email_normalise(const char *in, char out[ACCOUNT_EMAIL_MAX], struct cadre_err *err)
{
	size_t n = strlen(in);
	while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t'))
		n--;
	while (n > 0 && (*in == ' ' || *in == '\t')) {
		in++;
		n--;
	}
	if (n == 0)
		return cadre_err_set(err, CADRE_EINVAL, "enter an email address");
	if (n >= ACCOUNT_EMAIL_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "an email address is at most %d characters",
		                     ACCOUNT_EMAIL_MAX - 1);
	if (!utf8_valid(in, n, NULL))
		return cadre_err_set(err, CADRE_EINVAL, "the email address is not valid UTF-8");
	size_t at = n, nat = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == ',' ||
		    c == ';' || c == '\\')
			return cadre_err_set(err, CADRE_EINVAL,
			                     "enter an email address in the right form, like "
			                     "name@example.nhs.uk");
		if (c == '@') {
			at = i;
			nat++;
		}
		out[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	}
	out[n] = '\0';
	const char *dot = at < n ? memchr(in + at + 1, '.', n - at - 1) : NULL;
	if (nat != 1 || at == 0 || at == n - 1 || !dot || dot == in + at + 1 || in[n - 1] == '.')
		return cadre_err_set(err, CADRE_EINVAL,
		                     "enter an email address in the right form, like "
		                     "name@example.nhs.uk");
	return CADRE_OK;
}

static int name_check(const char *name, struct cadre_err *err)
{
	size_t n = strlen(name);
	if (n == 0)
		return cadre_err_set(err, CADRE_EINVAL, "enter a name");
	if (n >= ACCOUNT_NAME_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "a name is at most %d bytes",
		                     ACCOUNT_NAME_MAX - 1);
	if (!utf8_valid(name, n, NULL))
		return cadre_err_set(err, CADRE_EINVAL, "the name is not valid UTF-8");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "the name holds a control character");
	}
	return CADRE_OK;
}

/* ---- reading ----------------------------------------------------------- */

static void copy_text(char *dst, size_t cap, const char *src)
{
	(void)snprintf(dst, cap, "%s", src ? src : "");
}

static void read_account(struct store_stmt *st, struct account *a)
{
	memset(a, 0, sizeof *a);
	a->id = store_col_i64(st, 0);
	copy_text(a->email, sizeof a->email, store_col_text(st, 1));
	copy_text(a->name, sizeof a->name, store_col_text(st, 2));
	a->org_id = store_col_i64(st, 3);
	copy_text(a->org_code, sizeof a->org_code, store_col_text(st, 4));
	copy_text(a->org_name, sizeof a->org_name, store_col_text(st, 5));
	a->disabled = store_col_bool(st, 6);
	a->has_password = store_col_bool(st, 7);
	a->epoch = store_col_i64(st, 8);
	a->created_at = store_col_i64(st, 9);
}

/* load: one account by a query with one parameter. */
static int load(struct store *db, const struct store_sql *q, int64_t id, const char *email,
                struct account *out, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, q, &st, err);
	if (rc != CADRE_OK)
		return rc;
	if (email)
		store_bind_str(st, 1, email);
	else
		store_bind_i64(st, 1, id);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such account");
	if (rc != CADRE_OK)
		return rc;
	read_account(st, out);
	store_reset(st);
	return CADRE_OK;
}

static int org_by_code(struct store *db, const char *code, int64_t *id, struct cadre_err *err)
{
	if (!code || !org_code_valid(code, strlen(code)))
		return cadre_err_set(err, CADRE_ENOTFOUND, "no organisation with that code");
	struct store_stmt *st;
	int rc = store_prepare(db, &q_org_by_code, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, code);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no organisation with code '%s'", code);
	if (rc != CADRE_OK)
		return rc;
	*id = store_col_i64(st, 0);
	store_reset(st);
	return CADRE_OK;
}

/* may_read: users.read over a's organisation, or a is the actor's own. */
static int may_read(const struct actor *actor, struct store *db, const struct account *a,
                    struct cadre_err *err)
{
	if (actor->kind == ACTOR_USER && actor->user_id == a->id)
		return CADRE_OK;
	int rc = policy_check(actor, db, "users.read", a->org_id, err);
	if (rc == CADRE_ENOTFOUND)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such account");
	return rc;
}

int account_org_of(struct store *db, int64_t id, int64_t *org_id, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_org_of, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such account");
	if (rc != CADRE_OK)
		return rc;
	*org_id = store_col_i64(st, 0);
	store_reset(st);
	return CADRE_OK;
}

int account_get(const struct actor *actor, struct store *db, int64_t id, struct account *out,
                struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = load(db, &q_get, id, NULL, out, err);
	if (rc == CADRE_OK)
		rc = may_read(actor, db, out, err);
	return rc;
}

int account_find_email(const struct actor *actor, struct store *db, const char *email,
                       struct account *out, struct cadre_err *err)
{
	char norm[ACCOUNT_EMAIL_MAX];
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = account_email_normalise(email, norm, err);
	if (rc == CADRE_OK)
		rc = load(db, &q_by_email, 0, norm, out, err);
	if (rc == CADRE_OK)
		rc = may_read(actor, db, out, err);
	return rc;
}

static int cmp_account_email(const void *a, const void *b)
{
	const struct account *x = a, *y = b;
	int c = strcmp(x->email, y->email);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

int account_list(const struct actor *actor, struct store *db, account_fn fn, void *arg,
                 struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	int64_t orgs[ACCOUNT_GRANTS_MAX];
	size_t norgs = 0;
	bool all = false;
	policy_grant_orgs(actor, "users.read", orgs, ACCOUNT_GRANTS_MAX, &norgs, &all);
	if (!all && norgs == 0)
		return cadre_err_set(err, CADRE_EPERM, "%s may not read accounts",
		                     actor_label(actor));
	struct store_stmt *st;
	int64_t month = 0;
	if (!all) {
		if ((rc = store_prepare(db, &q_latest_month, &st, err)) != CADRE_OK)
			return rc;
		rc = store_step(st, err);
		if (rc == CADRE_OK)
			month = store_col_i64(st, 0);
		store_reset(st);
		if (rc != CADRE_OK && rc != CADRE_DONE)
			return rc;
	}
	struct account *v = NULL;
	size_t n = 0, alloc = 0;
	for (size_t g = 0; g < (all ? 1 : norgs); g++) {
		if ((rc = store_prepare(db, all ? &q_all : &q_in_subtree, &st, err)) != CADRE_OK)
			goto done;
		if (!all) {
			store_bind_i64(st, 1, month);
			store_bind_i64(st, 2, orgs[g]);
		}
		while ((rc = store_step(st, err)) == CADRE_OK) {
			if (n == alloc) {
				alloc = alloc ? alloc * 2 : 32;
				v = xreallocarray(v, alloc, sizeof *v);
			}
			read_account(st, &v[n++]);
		}
		if (rc != CADRE_DONE)
			goto done;
	}
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_account_email);
	rc = CADRE_OK;
	for (size_t i = 0; i < n && rc == CADRE_OK; i++)
		if (i == 0 || v[i].id != v[i - 1].id)
			rc = fn(&v[i], arg, err);
done:
	free(v);
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

int account_grants(const struct actor *actor, struct store *db, int64_t id,
                   struct account_grant_info **out, size_t *n, struct cadre_err *err)
{
	struct account a;
	*out = NULL;
	*n = 0;
	int rc = account_get(actor, db, id, &a, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_grants, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	size_t alloc = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 8;
			*out = xreallocarray(*out, alloc, sizeof **out);
		}
		struct account_grant_info *g = &(*out)[(*n)++];
		memset(g, 0, sizeof *g);
		g->id = store_col_i64(st, 0);
		copy_text(g->role, sizeof g->role, store_col_text(st, 1));
		g->org_id = store_col_i64(st, 2);
		copy_text(g->org_code, sizeof g->org_code, store_col_text(st, 3));
		copy_text(g->org_name, sizeof g->org_name, store_col_text(st, 4));
		g->granted_at = store_col_i64(st, 5);
		copy_text(g->granted_by, sizeof g->granted_by, store_col_text(st, 6));
	}
	if (rc != CADRE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return rc;
	}
	return CADRE_OK;
}

/* ---- changing ---------------------------------------------------------- */

/* may_manage: users.manage over org (404 for outside the scope). */
static int may_manage(const struct actor *actor, struct store *db, int64_t org,
                      struct cadre_err *err)
{
	int rc = policy_check(actor, db, "users.manage", org, err);
	if (rc == CADRE_ENOTFOUND)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such account or organisation");
	return rc;
}

static int next_id(struct store *db, const struct store_sql *q, int64_t *id, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, q, &st, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE ? cadre_err_set(err, CADRE_EINTERNAL, "no next id") : rc;
	*id = store_col_i64(st, 0);
	store_reset(st);
	return CADRE_OK;
}

static int exec_id(struct store *db, const struct store_sql *q, int64_t id, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, q, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	return store_exec(st, err);
}

static int end_sessions(struct store *db, int64_t account, int64_t now, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_sessions_end, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, account);
	store_bind_i64(st, 2, now);
	return store_exec(st, err);
}

static void object_of(char out[AUDIT_OBJECT_MAX], int64_t id)
{
	(void)snprintf(out, AUDIT_OBJECT_MAX, "account:%" PRId64, id);
}

/* append_row: audit the account row (or grant row) after a change. */
static int append_row(const struct actor *actor, struct store *db, const unsigned char *key,
                      int64_t at, const char *action, int64_t account, const struct audit_table *t,
                      int64_t row, json_t *payload, struct cadre_err *err)
{
	char object[AUDIT_OBJECT_MAX];
	char rowkey[32];
	object_of(object, account);
	(void)snprintf(rowkey, sizeof rowkey, "%" PRId64, row);
	struct audit_change ch = {
	    .at_us = at, .action = action, .object = object, .payload = payload};
	return audit_append_row(actor, db, key, &ch, t, rowkey, NULL, err);
}

struct grant_op {
	const struct actor *actor;
	const unsigned char *key;
	int64_t account;
	const char *role;
	int64_t org;
	const char *org_code;
	int64_t now;
	bool done; /* added / removed */
};

static int grant_add_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct grant_op *g = arg;
	struct store_stmt *st;
	g->done = false;
	int rc = store_prepare(db, &q_grant_find, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, g->account);
	store_bind_str(st, 2, g->role);
	store_bind_i64(st, 3, g->org);
	rc = store_step(st, err);
	store_reset(st);
	if (rc == CADRE_OK)
		return CADRE_OK; /* already held */
	if (rc != CADRE_DONE)
		return rc;
	if ((rc = store_prepare(db, &q_grant_count, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, g->account);
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE ? CADRE_EINTERNAL : rc;
	int64_t count = store_col_i64(st, 0);
	store_reset(st);
	if (count >= ACCOUNT_GRANTS_MAX)
		return cadre_err_set(err, CADRE_ECONFLICT, "an account may hold at most %d grants",
		                     ACCOUNT_GRANTS_MAX);
	int64_t id;
	if ((rc = next_id(db, &q_grant_next_id, &id, err)) != CADRE_OK)
		return rc;
	if ((rc = store_prepare(db, &q_grant_insert, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	store_bind_i64(st, 2, g->account);
	store_bind_str(st, 3, g->role);
	store_bind_i64(st, 4, g->org);
	store_bind_i64(st, 5, g->now);
	store_bind_str(st, 6, actor_label(g->actor));
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	if ((rc = exec_id(db, &q_epoch_bump, g->account, err)) != CADRE_OK)
		return rc;
	json_t *p = json_pack("{s:s, s:s}", "role", g->role, "org", g->org_code);
	rc = append_row(g->actor, db, g->key, g->now, "grant.add", g->account,
	                &account_grant_audit_table, id, p, err);
	json_decref(p);
	g->done = rc == CADRE_OK;
	return rc;
}

static int grant_revoke_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct grant_op *g = arg;
	struct store_stmt *st;
	g->done = false;
	int rc = store_prepare(db, &q_grant_find, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, g->account);
	store_bind_str(st, 2, g->role);
	store_bind_i64(st, 3, g->org);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return CADRE_OK; /* not held */
	if (rc != CADRE_OK)
		return rc;
	int64_t id = store_col_i64(st, 0);
	store_reset(st);
	if ((rc = exec_id(db, &q_grant_delete, id, err)) != CADRE_OK ||
	    (rc = exec_id(db, &q_epoch_bump, g->account, err)) != CADRE_OK)
		return rc;
	char object[AUDIT_OBJECT_MAX];
	object_of(object, g->account);
	json_t *p = json_pack("{s:s, s:I, s:b, s:s, s:s}", "table", "account_grant", "key",
	                      (json_int_t)id, "deleted", 1, "role", g->role, "org", g->org_code);
	struct audit_change ch = {
	    .at_us = g->now, .action = "grant.revoke", .object = object, .payload = p};
	rc = audit_append(g->actor, db, g->key, &ch, NULL, err);
	json_decref(p);
	g->done = rc == CADRE_OK;
	return rc;
}

/* grant_prepare: check everything a grant change needs before writing. */
static int grant_prepare(struct grant_op *g, struct store *db, int64_t id, const char *role,
                         const char *org_code, struct cadre_err *err)
{
	int rc = actor_check(g->actor, err);
	if (rc != CADRE_OK)
		return rc;
	int64_t account_org;
	if ((rc = account_org_of(db, id, &account_org, err)) != CADRE_OK)
		return rc;
	if ((rc = may_manage(g->actor, db, account_org, err)) != CADRE_OK)
		return rc;
	if (!role || !role_find(role))
		return cadre_err_set(err, CADRE_EINVAL, "'%.48s' is not a role",
		                     role ? role : "(none)");
	if ((rc = org_by_code(db, org_code, &g->org, err)) != CADRE_OK)
		return rc;
	/* the grant's own organisation must be in the actor's scope too */
	if ((rc = may_manage(g->actor, db, g->org, err)) != CADRE_OK)
		return rc;
	g->account = id;
	g->role = role;
	g->org_code = org_code;
	return CADRE_OK;
}

int account_grant(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                  int64_t id, const char *role, const char *org_code, const struct clock *clk,
                  bool *added, struct cadre_err *err)
{
	struct grant_op g = {.actor = actor, .key = audit_key, .now = clock_now(clk)};
	int rc = grant_prepare(&g, db, id, role, org_code, err);
	if (rc == CADRE_OK)
		rc = store_tx_run(db, STORE_TX_WRITE, grant_add_tx, &g, err);
	if (added)
		*added = rc == CADRE_OK && g.done;
	return rc;
}

int account_revoke(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                   int64_t id, const char *role, const char *org_code, const struct clock *clk,
                   bool *removed, struct cadre_err *err)
{
	struct grant_op g = {.actor = actor, .key = audit_key, .now = clock_now(clk)};
	int rc = grant_prepare(&g, db, id, role, org_code, err);
	if (rc == CADRE_OK)
		rc = store_tx_run(db, STORE_TX_WRITE, grant_revoke_tx, &g, err);
	if (removed)
		*removed = rc == CADRE_OK && g.done;
	return rc;
}

struct add_op {
	const struct actor *actor;
	const unsigned char *key;
	const struct account_new *n;
	char email[ACCOUNT_EMAIL_MAX];
	const char *hash; /* NULL: no password */
	int64_t org;
	int64_t now;
	int64_t id;
};

static int add_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct add_op *a = arg;
	struct store_stmt *st;
	int rc = store_prepare(db, &q_by_email, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, a->email);
	rc = store_step(st, err);
	store_reset(st);
	if (rc == CADRE_OK)
		return cadre_err_set(err, CADRE_ECONFLICT,
		                     "an account with this email address already exists");
	if (rc != CADRE_DONE)
		return rc;
	if ((rc = next_id(db, &q_next_id, &a->id, err)) != CADRE_OK)
		return rc;
	if ((rc = store_prepare(db, &q_insert, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, a->id);
	store_bind_str(st, 2, a->email);
	store_bind_str(st, 3, a->n->name);
	store_bind_i64(st, 4, a->org);
	store_bind_str(st, 5, a->hash);
	store_bind_i64(st, 6, a->now);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	json_t *p = json_pack("{s:b}", "password", a->hash != NULL);
	rc = append_row(a->actor, db, a->key, a->now, "account.add", a->id, &account_audit_table,
	                a->id, p, err);
	json_decref(p);
	if (rc != CADRE_OK || !a->n->role)
		return rc;
	struct grant_op g = {.actor = a->actor,
	                     .key = a->key,
	                     .account = a->id,
	                     .role = a->n->role,
	                     .org = a->org,
	                     .org_code = a->n->org_code,
	                     .now = a->now};
	return grant_add_tx(db, &g, err);
}

int account_add(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                const struct account_new *n, const struct clock *clk, int64_t *id,
                struct cadre_err *err)
{
	struct add_op a = {.actor = actor, .key = audit_key, .n = n, .now = clock_now(clk)};
	char hash[ACCOUNT_HASH_MAX];
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = org_by_code(db, n->org_code, &a.org, err)) != CADRE_OK)
		return rc;
	if ((rc = may_manage(actor, db, a.org, err)) != CADRE_OK)
		return rc;
	if ((rc = account_email_normalise(n->email ? n->email : "", a.email, err)) != CADRE_OK)
		return rc;
	if ((rc = name_check(n->name ? n->name : "", err)) != CADRE_OK)
		return rc;
	if (n->role && !role_find(n->role))
		return cadre_err_set(err, CADRE_EINVAL, "'%.48s' is not a role", n->role);
	if (n->password) {
		if ((rc = account_password_check(n->password, err)) != CADRE_OK ||
		    (rc = account_password_hash(n->password, hash, err)) != CADRE_OK)
			return rc;
		a.hash = hash;
	}
	rc = store_tx_run(db, STORE_TX_WRITE, add_tx, &a, err);
	sodium_memzero(hash, sizeof hash);
	if (rc == CADRE_OK && id)
		*id = a.id;
	return rc;
}

struct flag_op {
	const struct actor *actor;
	const unsigned char *key;
	int64_t id;
	bool disabled;
	const char *hash;
	int64_t now;
	bool changed;
};

static int disable_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct flag_op *f = arg;
	struct account a;
	int rc = load(db, &q_get, f->id, NULL, &a, err);
	if (rc != CADRE_OK)
		return rc;
	f->changed = a.disabled != f->disabled;
	if (!f->changed)
		return CADRE_OK;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_set_disabled, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, f->id);
	store_bind_bool(st, 2, f->disabled);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	if (f->disabled && (rc = end_sessions(db, f->id, f->now, err)) != CADRE_OK)
		return rc;
	if ((rc = exec_id(db, &q_epoch_bump, f->id, err)) != CADRE_OK)
		return rc;
	return append_row(f->actor, db, f->key, f->now,
	                  f->disabled ? "account.disable" : "account.enable", f->id,
	                  &account_audit_table, f->id, NULL, err);
}

int account_set_disabled(const struct actor *actor, struct store *db,
                         const unsigned char *audit_key, int64_t id, bool disabled,
                         const struct clock *clk, bool *changed, struct cadre_err *err)
{
	struct flag_op f = {.actor = actor,
	                    .key = audit_key,
	                    .id = id,
	                    .disabled = disabled,
	                    .now = clock_now(clk)};
	int64_t org;
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = account_org_of(db, id, &org, err);
	if (rc == CADRE_OK)
		rc = may_manage(actor, db, org, err);
	if (rc == CADRE_OK && disabled && actor->kind == ACTOR_USER && actor->user_id == id)
		rc = cadre_err_set(err, CADRE_ECONFLICT, "you cannot disable your own account");
	if (rc == CADRE_OK)
		rc = store_tx_run(db, STORE_TX_WRITE, disable_tx, &f, err);
	if (changed)
		*changed = rc == CADRE_OK && f.changed;
	return rc;
}

static int password_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct flag_op *f = arg;
	struct store_stmt *st;
	int rc = store_prepare(db, &q_set_password, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, f->id);
	store_bind_str(st, 2, f->hash);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	if (store_changes(st) != 1)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such account");
	if ((rc = end_sessions(db, f->id, f->now, err)) != CADRE_OK)
		return rc;
	char object[AUDIT_OBJECT_MAX];
	object_of(object, f->id);
	struct audit_change ch = {.at_us = f->now, .action = "account.password", .object = object};
	return audit_append(f->actor, db, f->key, &ch, NULL, err);
}

int account_set_password(const struct actor *actor, struct store *db,
                         const unsigned char *audit_key, int64_t id, const char *password,
                         const struct clock *clk, struct cadre_err *err)
{
	char hash[ACCOUNT_HASH_MAX];
	int64_t org;
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = account_org_of(db, id, &org, err);
	if (rc == CADRE_OK && !(actor->kind == ACTOR_USER && actor->user_id == id))
		rc = may_manage(actor, db, org, err);
	if (rc == CADRE_OK)
		rc = account_password_check(password, err);
	if (rc == CADRE_OK)
		rc = account_password_hash(password, hash, err);
	if (rc != CADRE_OK)
		return rc;
	struct flag_op f = {
	    .actor = actor, .key = audit_key, .id = id, .hash = hash, .now = clock_now(clk)};
	rc = store_tx_run(db, STORE_TX_WRITE, password_tx, &f, err);
	sodium_memzero(hash, sizeof hash);
	return rc;
}

/* ---- identities ------------------------------------------------------ */

int account_identity_load(struct store *db, int64_t id, struct account_identity *out,
                          struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	int rc = load(db, &q_get, id, NULL, &out->account, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_identity_grants, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (out->ngrants == ACCOUNT_GRANTS_MAX) {
			store_reset(st);
			rc = CADRE_DONE;
			break;
		}
		if (!out->grants)
			out->grants = xcalloc(ACCOUNT_GRANTS_MAX, sizeof *out->grants);
		struct actor_grant *g = &out->grants[out->ngrants++];
		copy_text(g->role, sizeof g->role, store_col_text(st, 0));
		g->org_id = store_col_i64(st, 1);
	}
	if (rc != CADRE_DONE) {
		account_identity_free(out);
		return rc;
	}
	return CADRE_OK;
}

struct actor account_identity_actor(const struct account_identity *who)
{
	return actor_user(who->account.id, who->grants, who->ngrants);
}

void account_identity_free(struct account_identity *who)
{
	free(who->grants);
	who->grants = NULL;
	who->ngrants = 0;
}
