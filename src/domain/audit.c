/* audit: appending to the chain, audited rows, verify, log and redact.
 * The byte layouts are in audit_layout.c. */
#include "domain/audit.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/num.h"
#include "base/utf8.h"
#include "domain/policy.h"
#include "store/store.h"

static const char zero_hash[AUDIT_HEX_LEN + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* ---- the statements ---------------------------------------------------- */

/* The first statement of every append: bumping the head takes its row's
 * write lock, so appenders queue here.  It returns the new sequence and
 * the previous entry's hash (not yet replaced). */
static const struct store_sql q_head_bump = {
    .name = "audit_head_bump",
    .sql = "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash",
};

static const struct store_sql q_head_set = {
    .name = "audit_head_set",
    .sql = "UPDATE audit_head SET hash = $2, mac = $3 WHERE id = 1 AND seq = $1",
};

static const struct store_sql q_head_get = {
    .name = "audit_head_get",
    .sql = "SELECT seq, hash, mac FROM audit_head WHERE id = 1",
};

static const struct store_sql q_entry_insert = {
    .name = "audit_entry_insert",
    .sql = "INSERT INTO audit_entry (seq, at_us, actor, action, object, payload_hash, "
           "prev_hash, hash, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
};

static const struct store_sql q_payload_insert = {
    .name = "audit_payload_insert",
    .sql = "INSERT INTO audit_payload (seq, payload) VALUES ($1, $2)",
};

#define ENTRY_COLUMNS                                                                              \
	"SELECT e.seq, e.at_us, e.actor, e.action, e.object, e.payload_hash, e.prev_hash, "        \
	"e.hash, e.mac, CASE WHEN p.seq IS NULL THEN 0 ELSE 1 END, p.payload, "                    \
	"p.redacted_at FROM audit_entry e LEFT JOIN audit_payload p ON p.seq = e.seq "

static const struct store_sql q_entries = {
    .name = "audit_entries",
    .sql = ENTRY_COLUMNS "ORDER BY e.seq",
};

static const struct store_sql q_entries_since = {
    .name = "audit_entries_since",
    .sql = ENTRY_COLUMNS "WHERE e.at_us >= $1 ORDER BY e.seq",
};

static const struct store_sql q_payload_get = {
    .name = "audit_payload_get",
    .sql = "SELECT payload, redacted_at FROM audit_payload WHERE seq = $1",
};

static const struct store_sql q_redact = {
    .name = "audit_redact",
    .sql = "UPDATE audit_payload SET payload = NULL, redacted_at = $2 "
           "WHERE seq = $1 AND payload IS NOT NULL",
};

/* ---- appending ----------------------------------------------------------- */

static int check_action(const char *a, struct cadre_err *err)
{
	size_t n = a ? strlen(a) : 0;
	if (n == 0 || n > AUDIT_ACTION_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "audit action must be 1 to %d bytes",
		                     AUDIT_ACTION_MAX);
	for (size_t i = 0; i < n; i++) {
		char c = a[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return cadre_err_set(err, CADRE_EINVAL,
			                     "audit action '%s': only a-z, 0-9, '.', '_', '-'", a);
	}
	return CADRE_OK;
}

static int check_object(const char *o, struct cadre_err *err)
{
	size_t n = o ? strlen(o) : 0;
	if (n == 0 || n > AUDIT_OBJECT_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "audit object must be 1 to %d bytes",
		                     AUDIT_OBJECT_MAX);
	if (!utf8_valid(o, n, NULL))
		return cadre_err_set(err, CADRE_EINVAL, "audit object is not valid UTF-8");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)o[i] < 0x20 || o[i] == 0x7f)
			return cadre_err_set(err, CADRE_EINVAL,
			                     "audit object holds a control character");
	return CADRE_OK;
}

int audit_append(const struct actor *actor, struct store *db, const unsigned char *key,
                 const struct audit_change *ch, int64_t *seq_out, struct cadre_err *err)
{
	char *payload = NULL;
	size_t plen = 0;
	json_t *empty = NULL;
	struct store_stmt *st = NULL;
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!key)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "no audit key: cannot sign the audit trail");
	if (store_tx_depth(db) < 1)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "audit_append outside a transaction: the entry must commit "
		                     "with the change it records");
	if (ch->at_us < 0)
		return cadre_err_set(err, CADRE_EINVAL, "audit time before 1970");
	if ((rc = check_action(ch->action, err)) != CADRE_OK ||
	    (rc = check_object(ch->object, err)) != CADRE_OK)
		return rc;
	const json_t *pv = ch->payload;
	if (!pv)
		pv = empty = json_object();
	if ((rc = audit_canonical_json(pv, &payload, &plen, err)) != CADRE_OK)
		goto fail;

	struct audit_entry e = {
	    .at_us = ch->at_us,
	    .actor = actor_label(actor),
	    .action = ch->action,
	    .object = ch->object,
	};
	audit_sha256_hex(payload, plen, e.payload_hash);

	/* Take the head's lock first: everything after runs alone. */
	if ((rc = store_prepare(db, &q_head_bump, &st, err)) != CADRE_OK)
		goto fail;
	rc = store_step(st, err);
	if (rc == CADRE_DONE) {
		rc = cadre_err_set(err, CADRE_EINTERNAL,
		                   "audit_head has no row: run `cadre migrate`");
		goto fail;
	}
	if (rc != CADRE_OK)
		goto fail;
	e.seq = store_col_i64(st, 0);
	if (store_col_len(st, 1) != AUDIT_HEX_LEN) {
		rc = cadre_err_set(err, CADRE_EINTERNAL, "audit_head holds a malformed hash");
		goto fail;
	}
	memcpy(e.prev_hash, store_col_text(st, 1), AUDIT_HEX_LEN + 1);
	store_reset(st);
	st = NULL;

	if ((rc = audit_entry_hash(&e, e.hash, err)) != CADRE_OK)
		goto fail;
	audit_entry_mac(key, e.seq, e.hash, e.mac);
	char head_mac[AUDIT_HEX_LEN + 1];
	audit_head_mac(key, e.seq, e.hash, head_mac);

	if ((rc = store_prepare(db, &q_entry_insert, &st, err)) != CADRE_OK)
		goto fail;
	store_bind_i64(st, 1, e.seq);
	store_bind_i64(st, 2, e.at_us);
	store_bind_str(st, 3, e.actor);
	store_bind_str(st, 4, e.action);
	store_bind_str(st, 5, e.object);
	store_bind_str(st, 6, e.payload_hash);
	store_bind_str(st, 7, e.prev_hash);
	store_bind_str(st, 8, e.hash);
	store_bind_str(st, 9, e.mac);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		goto fail;

	if ((rc = store_prepare(db, &q_payload_insert, &st, err)) != CADRE_OK)
		goto fail;
	store_bind_i64(st, 1, e.seq);
	store_bind_text(st, 2, payload, plen);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		goto fail;

	if ((rc = store_prepare(db, &q_head_set, &st, err)) != CADRE_OK)
		goto fail;
	store_bind_i64(st, 1, e.seq);
	store_bind_str(st, 2, e.hash);
	store_bind_str(st, 3, head_mac);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		goto fail;
	if (store_changes(st) != 1) {
		rc = cadre_err_set(err, CADRE_EINTERNAL, "audit_head moved during an append");
		goto fail;
	}
	st = NULL;
	if (seq_out)
		*seq_out = e.seq;
fail:
	store_reset(st);
	free(payload);
	json_decref(empty);
	return rc;
}

/* ---- audited tables ---------------------------------------------------- */

const struct audit_table *audit_table_find(const char *name)
{
	for (size_t i = 0; audit_tables[i]; i++)
		if (strcmp(audit_tables[i]->name, name) == 0)
			return audit_tables[i];
	return NULL;
}

/* The current row of st (the table's fields, then row_hash, audit_seq) as a
 * canonical JSON object. */
static int row_from_stmt(const struct audit_table *t, struct store_stmt *st, json_t **out,
                         struct cadre_err *err)
{
	json_t *row = json_object();
	for (int i = 0; i < t->nfields; i++) {
		json_t *v;
		if (store_col_is_null(st, i))
			v = json_null();
		else if (t->fields[i].type == AUDIT_F_I64)
			v = json_integer((json_int_t)store_col_i64(st, i));
		else
			v = json_stringn(store_col_text(st, i), store_col_len(st, i));
		if (!v) {
			json_decref(row);
			return cadre_err_set(err, CADRE_EINVAL, "%s.%s: not valid UTF-8 text",
			                     t->name, t->fields[i].name);
		}
		json_object_set_new(row, t->fields[i].name, v);
	}
	*out = row;
	return CADRE_OK;
}

static void bind_key(struct store_stmt *st, int idx, const struct audit_table *t, const char *key,
                     int64_t ikey)
{
	if (t->fields[0].type == AUDIT_F_I64)
		store_bind_i64(st, idx, ikey);
	else
		store_bind_str(st, idx, key);
}

static int parse_key(const struct audit_table *t, const char *key, int64_t *ikey,
                     struct cadre_err *err)
{
	*ikey = 0;
	if (!key || !*key)
		return cadre_err_set(err, CADRE_EINVAL, "%s: empty key", t->name);
	if (t->fields[0].type == AUDIT_F_I64)
		return num_parse_i64(key, strlen(key), ikey, err);
	return CADRE_OK;
}

int audit_row_hash(struct store *db, const struct audit_table *t, const char *key,
                   char out[AUDIT_HEX_LEN + 1], json_t **row_out, struct cadre_err *err)
{
	int64_t ikey;
	struct store_stmt *st = NULL;
	json_t *row = NULL;
	if (row_out)
		*row_out = NULL;
	int rc = parse_key(t, key, &ikey, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = store_prepare(db, t->select_row, &st, err)) != CADRE_OK)
		return rc;
	bind_key(st, 1, t, key, ikey);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "%s '%s': no such row", t->name, key);
	if (rc != CADRE_OK)
		return rc;
	rc = row_from_stmt(t, st, &row, err);
	store_reset(st);
	if (rc == CADRE_OK)
		rc = audit_row_digest(t->name, row, out, err);
	if (rc == CADRE_OK && row_out)
		*row_out = row;
	else
		json_decref(row);
	return rc;
}

int audit_append_row(const struct actor *actor, struct store *db, const unsigned char *key,
                     const struct audit_change *ch, const struct audit_table *t,
                     const char *row_key, int64_t *seq_out, struct cadre_err *err)
{
	char hash[AUDIT_HEX_LEN + 1];
	json_t *row = NULL;
	json_t *payload = NULL;
	int64_t ikey = 0;
	int64_t seq = 0;
	int rc = parse_key(t, row_key, &ikey, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = audit_row_hash(db, t, row_key, hash, &row, err)) != CADRE_OK)
		return rc;
	if (ch->payload && !json_is_object(ch->payload)) {
		rc = cadre_err_set(err, CADRE_EINVAL, "audit payload is not a JSON object");
		goto fail;
	}
	payload = ch->payload ? json_deep_copy(ch->payload) : json_object();
	json_object_set_new(payload, "table", json_string(t->name));
	json_object_set_new(payload, "key", json_string(row_key));
	json_object_set(payload, "row", row);
	json_object_set_new(payload, "row_hash", json_string(hash));
	struct audit_change c = *ch;
	c.payload = payload;
	if ((rc = audit_append(actor, db, key, &c, &seq, err)) != CADRE_OK)
		goto fail;
	struct store_stmt *st = NULL;
	if ((rc = store_prepare(db, t->stamp, &st, err)) != CADRE_OK)
		goto fail;
	bind_key(st, 1, t, row_key, ikey);
	store_bind_str(st, 2, hash);
	store_bind_i64(st, 3, seq);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		goto fail;
	if (store_changes(st) != 1) {
		rc = cadre_err_set(err, CADRE_EINTERNAL, "%s '%s': row vanished while audited",
		                   t->name, row_key);
		goto fail;
	}
	if (seq_out)
		*seq_out = seq;
fail:
	json_decref(row);
	json_decref(payload);
	return rc;
}

/* ---- verify ------------------------------------------------------------ */

struct verify_ctx {
	const unsigned char *key;
	struct audit_verify_result *res;
};

/* read_only_actor: the system operator, or an account holding audit.read
 * (docs/access-policy.csv: administrators and auditors, through a grant
 * over England, because the trail is deployment-wide). */
static int read_only_actor(const struct actor *actor, struct store *db, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	return policy_check(actor, db, "audit.read", 0, err);
}

/* Fill e from q_entries' current row; the strings point into st. */
static void entry_from_stmt(struct store_stmt *st, struct audit_entry *e, bool *has_payload)
{
	memset(e, 0, sizeof *e);
	e->seq = store_col_i64(st, 0);
	e->at_us = store_col_i64(st, 1);
	e->actor = store_col_text(st, 2);
	e->action = store_col_text(st, 3);
	e->object = store_col_text(st, 4);
	char *dst[4] = {e->payload_hash, e->prev_hash, e->hash, e->mac};
	for (int i = 0; i < 4; i++) {
		size_t n = store_col_len(st, 5 + i);
		if (n > AUDIT_HEX_LEN)
			n = AUDIT_HEX_LEN; /* too long: kept short, so it fails to match */
		memcpy(dst[i], store_col_text(st, 5 + i), n);
		dst[i][n] = '\0';
	}
	*has_payload = store_col_i64(st, 9) != 0;
	e->payload = store_col_is_null(st, 10) ? NULL : store_col_text(st, 10);
	e->redacted_at_us = store_col_is_null(st, 11) ? 0 : store_col_i64(st, 11);
}

static bool mark_bad(struct audit_verify_result *res, int64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool mark_bad(struct audit_verify_result *res, int64_t seq, const char *fmt, ...)
{
	if (!res->ok)
		return false;
	res->ok = false;
	res->bad_seq = seq;
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(res->reason, sizeof res->reason, fmt, ap);
	va_end(ap);
	return false;
}

/* Check one entry against its predecessor's hash; false when bad (res
 * says why). */
static bool verify_entry(struct verify_ctx *v, const struct audit_entry *e, bool has_payload,
                         int64_t want_seq, const char *prev_hash)
{
	struct audit_verify_result *res = v->res;
	char want[AUDIT_HEX_LEN + 1];
	if (e->seq != want_seq)
		return mark_bad(res, want_seq, "audit entry %" PRId64 ": missing", want_seq);
	if (strcmp(e->prev_hash, prev_hash) != 0)
		return mark_bad(res, e->seq,
		                "audit entry %" PRId64
		                ": previous hash does not match entry %" PRId64,
		                e->seq, e->seq - 1);
	struct cadre_err herr;
	if (audit_entry_hash(e, want, &herr) != CADRE_OK)
		return mark_bad(res, e->seq, "audit entry %" PRId64 ": malformed (%s)", e->seq,
		                herr.msg);
	if (strcmp(want, e->hash) != 0)
		return mark_bad(res, e->seq, "audit entry %" PRId64 ": entry hash does not match",
		                e->seq);
	if (!has_payload)
		return mark_bad(res, e->seq, "audit entry %" PRId64 ": payload missing", e->seq);
	if (e->payload) {
		audit_sha256_hex(e->payload, strlen(e->payload), want);
		if (strcmp(want, e->payload_hash) != 0)
			return mark_bad(res, e->seq,
			                "audit entry %" PRId64 ": payload hash does not match",
			                e->seq);
	} else {
		res->redacted++;
	}
	if (v->key) {
		audit_entry_mac(v->key, e->seq, e->hash, want);
		if (sodium_memcmp(want, e->mac, AUDIT_HEX_LEN) != 0 ||
		    strlen(e->mac) != AUDIT_HEX_LEN)
			return mark_bad(res, e->seq,
			                "audit entry %" PRId64
			                ": signature does not match the audit key",
			                e->seq);
	}
	return true;
}

static int verify_chain(struct store *db, struct verify_ctx *v, struct cadre_err *err)
{
	struct audit_verify_result *res = v->res;
	struct store_stmt *st = NULL;
	char prev[AUDIT_HEX_LEN + 1];
	char head_mac[AUDIT_HEX_LEN + 1] = "";
	bool head_has_mac = false;
	int64_t head_seq;
	memcpy(prev, zero_hash, sizeof prev);

	int rc = store_prepare(db, &q_head_get, &st, err);
	if (rc != CADRE_OK)
		return rc;
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "audit_head has no row: run `cadre migrate`");
	if (rc != CADRE_OK)
		return rc;
	head_seq = store_col_i64(st, 0);
	(void)snprintf(res->head_hash, sizeof res->head_hash, "%s", store_col_text(st, 1));
	if (!store_col_is_null(st, 2)) {
		head_has_mac = true;
		(void)snprintf(head_mac, sizeof head_mac, "%s", store_col_text(st, 2));
	}
	res->head_seq = head_seq;
	store_reset(st);

	if ((rc = store_prepare(db, &q_entries, &st, err)) != CADRE_OK)
		return rc;
	int64_t want_seq = 1;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		struct audit_entry e;
		bool has_payload;
		entry_from_stmt(st, &e, &has_payload);
		if (!verify_entry(v, &e, has_payload, want_seq, prev)) {
			store_reset(st);
			return CADRE_OK;
		}
		res->entries++;
		memcpy(prev, e.hash, sizeof prev);
		want_seq++;
	}
	if (rc != CADRE_DONE)
		return rc;
	int64_t last = want_seq - 1;
	if (head_seq > last) {
		mark_bad(res, last + 1,
		         "audit entry %" PRId64 ": missing (the head is at %" PRId64 ")", last + 1,
		         head_seq);
		return CADRE_OK;
	}
	if (head_seq < last || strcmp(res->head_hash, prev) != 0) {
		mark_bad(res, 0, "audit head: does not match the last entry (%" PRId64 ")", last);
		return CADRE_OK;
	}
	if (v->key && head_seq > 0) {
		char want[AUDIT_HEX_LEN + 1];
		audit_head_mac(v->key, head_seq, res->head_hash, want);
		if (!head_has_mac || strlen(head_mac) != AUDIT_HEX_LEN ||
		    sodium_memcmp(want, head_mac, AUDIT_HEX_LEN) != 0)
			mark_bad(res, 0,
			         "audit head (entry %" PRId64 "): signature does not match the "
			         "audit key",
			         head_seq);
	}
	return CADRE_OK;
}

/* a row problem, kept if its entry comes before any found so far */
struct row_bad {
	int64_t seq; /* INT64_MAX: none yet; 0: a row never audited */
	char reason[CADRE_ERR_MSG_MAX];
};

static void row_note(struct row_bad *rb, int64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void row_note(struct row_bad *rb, int64_t seq, const char *fmt, ...)
{
	if (seq >= rb->seq)
		return;
	rb->seq = seq;
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(rb->reason, sizeof rb->reason, fmt, ap);
	va_end(ap);
}

/* Check one live row: its fields against its row_hash, and row_hash
 * against the payload of the entry that last changed it. */
static int verify_row(struct store *db, const struct audit_table *t, struct store_stmt *st,
                      struct row_bad *rb, struct audit_verify_result *res, struct cadre_err *err)
{
	json_t *row = NULL;
	json_t *payload = NULL;
	char want[AUDIT_HEX_LEN + 1];
	char stored[AUDIT_HEX_LEN + 1] = "";
	char keytext[AUDIT_OBJECT_MAX + 1];
	int rc = row_from_stmt(t, st, &row, err);
	if (rc != CADRE_OK)
		return rc;
	if (t->fields[0].type == AUDIT_F_I64)
		(void)snprintf(keytext, sizeof keytext, "%" PRId64, store_col_i64(st, 0));
	else
		(void)snprintf(keytext, sizeof keytext, "%s", store_col_text(st, 0));
	bool no_hash = store_col_is_null(st, t->nfields);
	if (!no_hash)
		(void)snprintf(stored, sizeof stored, "%s", store_col_text(st, t->nfields));
	int64_t seq = store_col_is_null(st, t->nfields + 1) ? 0 : store_col_i64(st, t->nfields + 1);
	res->rows++;
	if (no_hash || seq <= 0) {
		row_note(rb, 0, "%s '%s': live row has no audit entry (changed outside Cadre)",
		         t->name, keytext);
		goto done;
	}
	if ((rc = audit_row_digest(t->name, row, want, err)) != CADRE_OK)
		goto done;
	if (strcmp(want, stored) != 0) {
		row_note(rb, seq,
		         "audit entry %" PRId64 ": live row %s '%s' does not match its hash "
		         "(changed outside Cadre)",
		         seq, t->name, keytext);
		goto done;
	}
	struct store_stmt *ps = NULL;
	if ((rc = store_prepare(db, &q_payload_get, &ps, err)) != CADRE_OK)
		goto done;
	store_bind_i64(ps, 1, seq);
	rc = store_step(ps, err);
	if (rc == CADRE_DONE) {
		rc = CADRE_OK;
		row_note(rb, seq, "audit entry %" PRId64 ": missing, but live row %s '%s' names it",
		         seq, t->name, keytext);
		goto done;
	}
	if (rc != CADRE_OK)
		goto done;
	if (store_col_is_null(ps, 0)) {
		store_reset(ps);
		goto done; /* redacted: the row's own hash is all there is to check */
	}
	payload = json_loadb(store_col_text(ps, 0), store_col_len(ps, 0), 0, NULL);
	store_reset(ps);
	const char *ptable = json_string_value(json_object_get(payload, "table"));
	const char *pkey = json_string_value(json_object_get(payload, "key"));
	const char *phash = json_string_value(json_object_get(payload, "row_hash"));
	if (!ptable || !pkey || !phash || strcmp(ptable, t->name) != 0 ||
	    strcmp(pkey, keytext) != 0 || strcmp(phash, stored) != 0)
		row_note(rb, seq,
		         "audit entry %" PRId64 ": does not record live row %s '%s' as it is "
		         "(changed outside Cadre)",
		         seq, t->name, keytext);
done:
	json_decref(row);
	json_decref(payload);
	return rc;
}

static int verify_rows(struct store *db, struct verify_ctx *v, struct cadre_err *err)
{
	struct row_bad rb = {.seq = INT64_MAX};
	for (size_t i = 0; audit_tables[i]; i++) {
		const struct audit_table *t = audit_tables[i];
		struct store_stmt *st = NULL;
		int rc = store_prepare(db, t->select_all, &st, err);
		if (rc != CADRE_OK)
			return rc;
		while ((rc = store_step(st, err)) == CADRE_OK) {
			if ((rc = verify_row(db, t, st, &rb, v->res, err)) != CADRE_OK) {
				store_reset(st);
				return rc;
			}
		}
		if (rc != CADRE_DONE)
			return rc;
	}
	if (rb.seq != INT64_MAX)
		mark_bad(v->res, rb.seq, "%s", rb.reason);
	return CADRE_OK;
}

static int verify_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct verify_ctx *v = arg;
	struct audit_verify_result *res = v->res;
	memset(res, 0, sizeof *res);
	res->ok = true;
	res->signed_checked = v->key != NULL;
	int rc = verify_chain(db, v, err);
	if (rc == CADRE_OK && res->ok)
		rc = verify_rows(db, v, err);
	return rc;
}

int audit_verify(const struct actor *actor, struct store *db, const unsigned char *key,
                 struct audit_verify_result *res, struct cadre_err *err)
{
	int rc = read_only_actor(actor, db, err);
	if (rc != CADRE_OK)
		return rc;
	struct verify_ctx v = {.key = key, .res = res};
	return store_tx_run(db, STORE_TX_READ, verify_tx, &v, err);
}

/* ---- log ------------------------------------------------------------------ */

struct log_ctx {
	int64_t since_us;
	audit_entry_fn fn;
	void *arg;
};

static int log_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct log_ctx *l = arg;
	struct store_stmt *st = NULL;
	int rc = store_prepare(db, &q_entries_since, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, l->since_us);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		struct audit_entry e;
		bool has_payload;
		entry_from_stmt(st, &e, &has_payload);
		if ((rc = l->fn(&e, l->arg, err)) != CADRE_OK) {
			store_reset(st);
			return rc;
		}
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

int audit_log(const struct actor *actor, struct store *db, int64_t since_us, audit_entry_fn fn,
              void *arg, struct cadre_err *err)
{
	int rc = read_only_actor(actor, db, err);
	if (rc != CADRE_OK)
		return rc;
	struct log_ctx l = {.since_us = since_us, .fn = fn, .arg = arg};
	return store_tx_run(db, STORE_TX_READ, log_tx, &l, err);
}

/* ---- redact ---------------------------------------------------------------- */

struct redact_ctx {
	const struct actor *actor;
	const unsigned char *key;
	int64_t seq;
	const char *reason;
	int64_t now_us;
};

static int redact_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct redact_ctx *r = arg;
	struct store_stmt *st = NULL;
	int rc = store_prepare(db, &q_payload_get, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, r->seq);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "audit entry %" PRId64 ": no such entry",
		                     r->seq);
	if (rc != CADRE_OK)
		return rc;
	bool already = store_col_is_null(st, 0);
	store_reset(st);
	if (already)
		return cadre_err_set(err, CADRE_ECONFLICT,
		                     "audit entry %" PRId64 ": payload already redacted", r->seq);
	if ((rc = store_prepare(db, &q_redact, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, r->seq);
	store_bind_i64(st, 2, r->now_us);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	char object[32];
	(void)snprintf(object, sizeof object, "audit:%" PRId64, r->seq);
	json_t *p = json_pack("{s:I, s:s}", "seq", (json_int_t)r->seq, "reason", r->reason);
	if (!p)
		return cadre_err_set(err, CADRE_EINVAL, "redaction reason is not valid UTF-8");
	struct audit_change ch = {
	    .at_us = r->now_us, .action = "audit.redact", .object = object, .payload = p};
	rc = audit_append(r->actor, db, r->key, &ch, NULL, err);
	json_decref(p);
	return rc;
}

int audit_redact(const struct actor *actor, struct store *db, const unsigned char *key, int64_t seq,
                 const char *reason, const struct clock *clk, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!actor_is_system(actor))
		return cadre_err_set(err, CADRE_EPERM,
		                     "redacting the audit trail is for the system operator until "
		                     "audit roles arrive");
	if (!reason || !*reason)
		return cadre_err_set(err, CADRE_EINVAL, "a redaction needs a reason");
	struct redact_ctx r = {
	    .actor = actor, .key = key, .seq = seq, .reason = reason, .now_us = clock_now(clk)};
	return store_tx_run(db, STORE_TX_WRITE, redact_tx, &r, err);
}
