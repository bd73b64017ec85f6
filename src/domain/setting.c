/* setting: the deployment-wide settings table and its audit trail. */
#include "domain/setting.h"

#include <jansson.h>
#include <string.h>

#include "base/utf8.h"
#include "store/store.h"

static const struct audit_field setting_fields[] = {
    {"key", AUDIT_F_TEXT},
    {"value", AUDIT_F_TEXT},
    {"updated_at", AUDIT_F_I64},
};

static const struct store_sql q_row = {
    .name = "setting_row",
    .sql = "SELECT key, value, updated_at, row_hash, audit_seq "
           "FROM settings WHERE key = $1",
};

static const struct store_sql q_all = {
    .name = "setting_all",
    .sql = "SELECT key, value, updated_at, row_hash, audit_seq "
           "FROM settings ORDER BY key",
};

static const struct store_sql q_stamp = {
    .name = "setting_stamp",
    .sql = "UPDATE settings SET row_hash = $2, audit_seq = $3 WHERE key = $1",
};

const struct audit_table setting_audit_table = {
    .name = "settings",
    .fields = setting_fields,
    .nfields = (int)(sizeof setting_fields / sizeof setting_fields[0]),
    .select_row = &q_row,
    .select_all = &q_all,
    .stamp = &q_stamp,
};

static const struct store_sql q_get = {
    .name = "setting_get",
    .sql = "SELECT value FROM settings WHERE key = $1",
};

static const struct store_sql q_upsert = {
    .name = "setting_upsert",
    .sql = "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) "
           "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
           "updated_at = excluded.updated_at",
};

static const struct store_sql q_delete = {
    .name = "setting_delete",
    .sql = "DELETE FROM settings WHERE key = $1",
};

static int check_key(const char *key, struct cadre_err *err)
{
	size_t n = key ? strlen(key) : 0;
	if (n == 0 || n > SETTING_KEY_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "a setting's name is 1 to %d bytes",
		                     SETTING_KEY_MAX);
	for (size_t i = 0; i < n; i++) {
		char c = key[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return cadre_err_set(
			    err, CADRE_EINVAL,
			    "setting '%s': a name holds only a-z, 0-9, '.', '_', '-'", key);
	}
	return CADRE_OK;
}

static int check_value(const char *key, const char *value, struct cadre_err *err)
{
	size_t n = value ? strlen(value) : 0;
	if (!value || n > SETTING_VALUE_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "setting '%s': a value is at most %d bytes",
		                     key, SETTING_VALUE_MAX);
	if (!utf8_valid(value, n, NULL))
		return cadre_err_set(err, CADRE_EINVAL, "setting '%s': value is not valid UTF-8",
		                     key);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)value[i];
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "setting '%s': value holds a control character", key);
	}
	return CADRE_OK;
}

static int may_change(const struct actor *actor, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!actor_is_system(actor))
		return cadre_err_set(err, CADRE_EPERM,
		                     "changing settings is for the system operator until roles "
		                     "arrive");
	return CADRE_OK;
}

struct set_ctx {
	const struct actor *actor;
	const unsigned char *audit_key;
	const char *key;
	const char *value; /* NULL: unset */
	int64_t now_us;
};

/* the current value into *same: 1 equal, 0 different, -1 no row */
static int compare_current(struct store *db, const char *key, const char *value, int *same,
                           struct cadre_err *err)
{
	struct store_stmt *st = NULL;
	int rc = store_prepare(db, &q_get, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, key);
	rc = store_step(st, err);
	if (rc == CADRE_DONE) {
		*same = -1;
		return CADRE_OK;
	}
	if (rc != CADRE_OK)
		return rc;
	*same = value && strcmp(store_col_text(st, 0), value) == 0 ? 1 : 0;
	store_reset(st);
	return CADRE_OK;
}

static int set_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct set_ctx *s = arg;
	struct store_stmt *st = NULL;
	int same;
	char object[16 + SETTING_KEY_MAX];
	(void)snprintf(object, sizeof object, "setting:%s", s->key);
	int rc = compare_current(db, s->key, s->value, &same, err);
	if (rc != CADRE_OK)
		return rc;
	if (!s->value) {
		if (same < 0)
			return cadre_err_set(err, CADRE_ENOTFOUND, "setting '%s' is not set",
			                     s->key);
		if ((rc = store_prepare(db, &q_delete, &st, err)) != CADRE_OK)
			return rc;
		store_bind_str(st, 1, s->key);
		if ((rc = store_exec(st, err)) != CADRE_OK)
			return rc;
		json_t *p =
		    json_pack("{s:s, s:s, s:b}", "table", "settings", "key", s->key, "deleted", 1);
		struct audit_change ch = {
		    .at_us = s->now_us, .action = "setting.unset", .object = object, .payload = p};
		rc = audit_append(s->actor, db, s->audit_key, &ch, NULL, err);
		json_decref(p);
		return rc;
	}
	if (same == 1)
		return CADRE_OK;
	if ((rc = store_prepare(db, &q_upsert, &st, err)) != CADRE_OK)
		return rc;
	store_bind_str(st, 1, s->key);
	store_bind_str(st, 2, s->value);
	store_bind_i64(st, 3, s->now_us);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	struct audit_change ch = {.at_us = s->now_us, .action = "setting.set", .object = object};
	return audit_append_row(s->actor, db, s->audit_key, &ch, &setting_audit_table, s->key, NULL,
	                        err);
}

int setting_set(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                const char *key, const char *value, const struct clock *clk, struct cadre_err *err)
{
	int rc = may_change(actor, err);
	if (rc == CADRE_OK)
		rc = check_key(key, err);
	if (rc == CADRE_OK)
		rc = check_value(key, value, err);
	if (rc != CADRE_OK)
		return rc;
	struct set_ctx s = {.actor = actor,
	                    .audit_key = audit_key,
	                    .key = key,
	                    .value = value,
	                    .now_us = clock_now(clk)};
	return store_tx_run(db, STORE_TX_WRITE, set_tx, &s, err);
}

int setting_unset(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                  const char *key, const struct clock *clk, struct cadre_err *err)
{
	int rc = may_change(actor, err);
	if (rc == CADRE_OK)
		rc = check_key(key, err);
	if (rc != CADRE_OK)
		return rc;
	struct set_ctx s = {
	    .actor = actor, .audit_key = audit_key, .key = key, .now_us = clock_now(clk)};
	return store_tx_run(db, STORE_TX_WRITE, set_tx, &s, err);
}

int setting_get(const struct actor *actor, struct store *db, const char *key, struct buf *out,
                struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = check_key(key, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st = NULL;
	if ((rc = store_prepare(db, &q_get, &st, err)) != CADRE_OK)
		return rc;
	store_bind_str(st, 1, key);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "setting '%s' is not set", key);
	if (rc != CADRE_OK)
		return rc;
	rc = buf_append(out, store_col_text(st, 0), store_col_len(st, 0), err);
	store_reset(st);
	return rc;
}

int setting_list(const struct actor *actor, struct store *db, setting_fn fn, void *arg,
                 struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st = NULL;
	if ((rc = store_prepare(db, &q_all, &st, err)) != CADRE_OK)
		return rc;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		rc = fn(store_col_text(st, 0), store_col_text(st, 1), store_col_i64(st, 2), arg,
		        err);
		if (rc != CADRE_OK) {
			store_reset(st);
			return rc;
		}
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}
