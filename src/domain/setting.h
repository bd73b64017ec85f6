/* setting: deployment-wide settings held in the database, audited.
 *
 * Design note
 * - Settings here are those every server must share (the database is the
 *   only shared state: DESIGN.md, Storage), as opposed to a machine's own
 *   configuration in cadre.ini.  A setting is a key ("retention.audit_years")
 *   and a text value.  Later issues declare the settings they read; until
 *   then any well-formed key may be set.
 * - They live in the settings table (schema/0100_core.sql: key, value,
 *   updated_at), the first audited table (audit.h): each change
 *   appends an audit entry in the same transaction, carrying the row's
 *   canonical form and hash, and stamps the row with that hash and the
 *   entry's sequence, so `cadre audit verify` notices a value changed
 *   behind Cadre's back.
 * - Changing settings is for the system operator until roles arrive. */
#ifndef CADRE_DOMAIN_SETTING_H
#define CADRE_DOMAIN_SETTING_H

#include <stdint.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/audit.h"

struct store;

#define SETTING_KEY_MAX   64
#define SETTING_VALUE_MAX 1024

/* setting_audit_table: the settings table's audit declaration; its
 * canonical fields are key, value and updated_at. */
extern const struct audit_table setting_audit_table;

/* setting_set: set key to value (valid UTF-8, no control characters but
 * tab and newline, at most SETTING_VALUE_MAX bytes) in its own write
 * transaction (a savepoint in the caller's), appending a "setting.set"
 * entry signed with audit_key; the time comes from clk.  Setting the value it already has changes
 * nothing and appends nothing.  key: [a-z0-9_.-], 1..64 bytes. */
int setting_set(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                const char *key, const char *value, const struct clock *clk, struct cadre_err *err);

/* setting_unset: remove key, appending a "setting.unset" entry.
 * CADRE_ENOTFOUND when it is not set. */
int setting_unset(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                  const char *key, const struct clock *clk, struct cadre_err *err);

/* setting_get: append key's value to out.  CADRE_ENOTFOUND when unset. */
int setting_get(const struct actor *actor, struct store *db, const char *key, struct buf *out,
                struct cadre_err *err);

/* setting_fn: one setting, for setting_list; valid during the call. */
typedef int (*setting_fn)(const char *key, const char *value, int64_t updated_at_us, void *arg,
                          struct cadre_err *err);

/* setting_list: call fn for every setting in key order. */
int setting_list(const struct actor *actor, struct store *db, setting_fn fn, void *arg,
                 struct cadre_err *err);

#endif
