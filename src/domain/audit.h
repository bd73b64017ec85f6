/* audit: the tamper-evident trail of every change.
 *
 * Design note (the byte layouts are specified exactly in docs/audit.md,
 * with test vectors that test_domain_audit checks)
 * - Appending happens in the SAME transaction as the change it records:
 *   the caller opens a write transaction, makes its change, calls
 *   audit_append (or audit_append_row) and commits.  A rolled-back change
 *   leaves no entry; a committed change always has one.
 * - The chain is serialised on the one-row table audit_head: the first
 *   thing an append does is bump the head's sequence, which takes the
 *   row's write lock, so concurrent appenders queue there (SQLite has one
 *   writer anyway; on PostgreSQL the second appender waits on the row lock
 *   and then retries as a serialization failure through store_tx_run).  So
 *   sequences are gap-free and each entry names its predecessor's hash.
 * - Each entry (seq, time, actor, action, object, payload hash, previous
 *   hash) is hashed with SHA-256 over a length-prefixed layout; each entry
 *   and the head are also signed with HMAC-SHA256 under the audit key,
 *   which lives in the secrets file, never in the database.  A database
 *   administrator can edit rows, but cannot rebuild a consistent signed
 *   chain without the key, and verify names the first entry they touched.
 * - Payloads (canonical JSON) live in audit_payload, apart from the entries,
 *   so a payload holding personal data can be redacted when its retention
 *   ends: the text goes, the entry keeps the payload's hash, and verify
 *   reports the entry as redacted, not as tampered.
 * - Audited tables: a module declares its table (struct audit_table) and
 *   lists it in audit_tables.c.  Such a table carries row_hash (SHA-256 of
 *   the row's canonical form) and audit_seq (the entry that last changed
 *   it); audit_append_row records the row and its hash in the payload and
 *   stamps the row, so verify can check every live row against the chain.
 * - Times are microseconds since 1970-01-01 UTC.  An entry's time is the
 *   change's own (the caller's, from its injectable clock), so the entry and
 *   the row it records agree to the microsecond. */
#ifndef CADRE_DOMAIN_AUDIT_H
#define CADRE_DOMAIN_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "domain/actor.h"

/* The connection stays opaque here, so the command line and the web layer
 * can call these functions without seeing the store's interface. */
struct store;
struct store_sql;

#define AUDIT_KEY_BYTES   32 /* the audit key: 32 bytes (64 hex in secrets) */
#define AUDIT_HEX_LEN     64 /* a SHA-256 or HMAC-SHA256 value in hex */
#define AUDIT_ACTION_MAX  64
#define AUDIT_OBJECT_MAX  256
#define AUDIT_PAYLOAD_MAX ((size_t)4 * 1024 * 1024)

/* the domain-separation prefixes of docs/audit.md */
#define AUDIT_ENTRY_PREFIX "cadre-audit-v1"
#define AUDIT_EMAC_PREFIX  "cadre-audit-entry-mac-v1"
#define AUDIT_HEAD_PREFIX  "cadre-audit-head-v1"
#define AUDIT_ROW_PREFIX   "cadre-audit-row-v1"

/* audit_entry: one entry as stored.  The strings are owned by whoever
 * filled the struct (for audit_log's callback: valid during the call). */
struct audit_entry {
	int64_t seq;
	int64_t at_us;
	const char *actor;
	const char *action;
	const char *object;
	char payload_hash[AUDIT_HEX_LEN + 1];
	char prev_hash[AUDIT_HEX_LEN + 1];
	char hash[AUDIT_HEX_LEN + 1];
	char mac[AUDIT_HEX_LEN + 1];
	const char *payload;    /* canonical JSON, or NULL when redacted */
	int64_t redacted_at_us; /* 0 unless redacted */
};

/* ---- pure computations (no database) --------------------------------- */

/* audit_sha256_hex: SHA-256 of p[0..n-1] as 64 lower-case hex digits. */
void audit_sha256_hex(const void *p, size_t n, char out[AUDIT_HEX_LEN + 1]);

/* audit_canonical_json: v in canonical form (compact, keys sorted, UTF-8
 * as is, no ASCII escaping): the caller frees *out with free().  v must be
 * an object; at most AUDIT_PAYLOAD_MAX bytes. */
int audit_canonical_json(const json_t *v, char **out, size_t *len, struct cadre_err *err);

/* audit_entry_hash: the entry hash of e from its seq, at_us, actor,
 * action, object, payload_hash and prev_hash (docs/audit.md, "Entry
 * hash"), into out.  CADRE_EINVAL when a field is malformed (seq < 1,
 * at_us < 0, a hash not 64 lower-case hex digits). */
int audit_entry_hash(const struct audit_entry *e, char out[AUDIT_HEX_LEN + 1],
                     struct cadre_err *err);

/* audit_entry_mac: HMAC-SHA256 under key over (seq, entry hash)
 * (docs/audit.md, "Signatures"). */
void audit_entry_mac(const unsigned char key[AUDIT_KEY_BYTES], int64_t seq, const char *hash,
                     char out[AUDIT_HEX_LEN + 1]);

/* audit_head_mac: HMAC-SHA256 under key over (head seq, head hash). */
void audit_head_mac(const unsigned char key[AUDIT_KEY_BYTES], int64_t seq, const char *hash,
                    char out[AUDIT_HEX_LEN + 1]);

/* audit_row_digest: the row hash (docs/audit.md, "Row hash") of row, a
 * JSON object of the row's canonical fields, in table. */
int audit_row_digest(const char *table, const json_t *row, char out[AUDIT_HEX_LEN + 1],
                     struct cadre_err *err);

/* audit_key_parse: 64 hex digits into a key (for tests and the shell
 * tools; the secrets file is read by io/config). */
int audit_key_parse(const char *hex, unsigned char key[AUDIT_KEY_BYTES], struct cadre_err *err);

/* ---- appending (inside the caller's write transaction) ---------------- */

/* audit_change: what an entry records.  payload: a JSON object (not
 * stolen; NULL means {}). */
struct audit_change {
	int64_t at_us;      /* when, µs UTC (>= 0) */
	const char *action; /* "org.import", "grant.add": [a-z0-9_.-], 1..64 */
	const char *object; /* "org:RXK": printable UTF-8, 1..256 bytes */
	const json_t *payload;
};

/* audit_append: append one entry for actor's change ch, in db's current
 * write transaction (CADRE_EINVAL outside one), signing the entry and the
 * new head with key.  *seq_out (may be NULL) gets the entry's sequence.
 * On error the transaction must be rolled back. */
int audit_append(const struct actor *actor, struct store *db, const unsigned char *key,
                 const struct audit_change *ch, int64_t *seq_out, struct cadre_err *err);

/* ---- audited tables -------------------------------------------------- */

enum audit_ftype {
	AUDIT_F_TEXT = 1,
	AUDIT_F_I64 = 2,
};

struct audit_field {
	const char *name; /* the name in the canonical form */
	enum audit_ftype type;
};

/* audit_table: an audited table, declared once by the module that owns it
 * and listed in audit_tables.c.  fields[0] is the key.  The statements:
 * - select_row ($1 the key): the fields in order, then row_hash, audit_seq;
 * - select_all (no parameters): the same columns for every row, in key
 *   order;
 * - stamp ($1 key, $2 row_hash, $3 audit_seq): record the hash and entry. */
struct audit_table {
	const char *name;
	const struct audit_field *fields;
	int nfields;
	const struct store_sql *select_row;
	const struct store_sql *select_all;
	const struct store_sql *stamp;
};

/* audit_tables: the registry, NULL-terminated. */
extern const struct audit_table *const audit_tables[];

/* audit_table_find: the registered table of that name, or NULL. */
const struct audit_table *audit_table_find(const char *name);

/* audit_row_hash: the row of t whose key is key (as text; an I64 key is
 * parsed), in canonical form: *row_out (may be NULL; the caller
 * json_decref's it) gets {"field": value, ...} and out gets its hash
 * (docs/audit.md, "Row hash").  CADRE_ENOTFOUND when there is no row. */
int audit_row_hash(struct store *db, const struct audit_table *t, const char *key,
                   char out[AUDIT_HEX_LEN + 1], json_t **row_out, struct cadre_err *err);

/* audit_append_row: after changing (inserting or updating) the row of t
 * whose key is key, append an entry whose payload is ch->payload's members
 * (if any) plus "table", "key", "row" (the canonical row) and "row_hash",
 * and stamp the row with its hash and the entry's sequence.  Same
 * transaction rules as audit_append.  A deleted row is recorded with
 * audit_append (payload {"table", "key", "deleted": true}). */
int audit_append_row(const struct actor *actor, struct store *db, const unsigned char *key,
                     const struct audit_change *ch, const struct audit_table *t,
                     const char *row_key, int64_t *seq_out, struct cadre_err *err);

/* ---- reading, verifying, redacting ----------------------------------- */

/* audit_verify_result: what audit_verify found. */
struct audit_verify_result {
	bool ok;
	int64_t entries;  /* entries read */
	int64_t redacted; /* of which redacted payloads */
	int64_t rows;     /* audited live rows checked */
	int64_t head_seq;
	char head_hash[AUDIT_HEX_LEN + 1];
	bool signed_checked;            /* signatures checked with a key */
	int64_t bad_seq;                /* first bad entry; 0: the head or a row */
	char reason[CADRE_ERR_MSG_MAX]; /* "audit entry 17: payload hash does not match" */
};

/* audit_verify: check, in one read snapshot, the chain (sequence without
 * gaps, each previous hash, each entry hash recomputed), each payload not
 * redacted against its hash, each audited live row against its hash and
 * the entry that last changed it, and, when key is not NULL, each entry's
 * and the head's signature.  Stops at the first bad entry.  Returns
 * CADRE_OK with res filled (res->ok says the verdict) or an error when it
 * could not read.  The system actor, or an account holding audit.read
 * (policy.h), may read the trail. */
int audit_verify(const struct actor *actor, struct store *db, const unsigned char *key,
                 struct audit_verify_result *res, struct cadre_err *err);

/* audit_entry_fn: called once per entry by audit_log; e and its strings
 * are valid during the call only.  A non-OK return stops the walk and is
 * returned. */
typedef int (*audit_entry_fn)(const struct audit_entry *e, void *arg, struct cadre_err *err);

/* audit_log: call fn for each entry with at_us >= since_us, oldest first,
 * in one read snapshot.  The system actor, or an account holding
 * audit.read (policy.h). */
int audit_log(const struct actor *actor, struct store *db, int64_t since_us, audit_entry_fn fn,
              void *arg, struct cadre_err *err);

/* audit_redact: remove entry seq's payload (its retention is over),
 * keeping its hash, and append an "audit.redact" entry saying who did it,
 * when and why.  Runs in its own write transaction (a savepoint inside
 * the caller's).  CADRE_ENOTFOUND for no such entry, CADRE_ECONFLICT when
 * already redacted. */
int audit_redact(const struct actor *actor, struct store *db, const unsigned char *key, int64_t seq,
                 const char *reason, const struct clock *clk, struct cadre_err *err);

#endif
