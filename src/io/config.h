/* config: Cadre's settings, declared once and read from four places.
 *
 * Every setting is one row of a table in config.c (name, type, default,
 * environment variable, command-line flag, sensitive or not, one line of
 * help); loading, validation, `cadre config show` and docs/configuration.md
 * all follow that table.  A value comes from, highest first:
 *
 *     command-line flag  >  environment variable  >  cadre.ini  >  default
 *
 * Each value remembers where it came from ("file cadre.ini:4", "environment
 * CADRE_DB", "flag --db"), so an operator can see why a setting has the value
 * it has, and every error names that place: "cadre.ini:3: server.threads:
 * expected a whole number from 1 to 256, got 'eight'".
 *
 * Secrets (the pseudonym key and the audit key) are different on purpose:
 * they are read only from the secrets file (secrets.file, default
 * secrets.ini), which must be owned by the current user and readable by that
 * user alone (mode 0600 or stricter).  A secret in cadre.ini, the
 * environment or on the command line is refused, so keys do not end up in
 * shell history, process listings or a world-readable configuration file.
 * They are masked in every listing.
 *
 * Relative paths (database.url, secrets.file, TLS files) are relative to the
 * current directory, like --config and --db. */
#ifndef CADRE_IO_CONFIG_H
#define CADRE_IO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* the size of each secret key: 32 random bytes, written as 64 hex digits */
#define CONFIG_KEY_BYTES 32

enum config_type {
	CONFIG_STRING,  /* text; `required` settings may not be empty */
	CONFIG_INT,     /* a whole number from min to max */
	CONFIG_BOOL,    /* true/false, yes/no, on/off, 1/0 */
	CONFIG_ENUM,    /* one of a fixed list of words */
	CONFIG_ADDRESS, /* host:port, [IPv6]:port */
	CONFIG_URL,     /* empty, or an http:// or https:// URL */
	CONFIG_CIDRS,   /* empty, or a comma-separated list of IP addresses or CIDR blocks */
	CONFIG_KEY,     /* a secret key: 64 hex digits (32 bytes) */
};

/* config_setting: one row of the settings table. */
struct config_setting {
	const char *name;    /* "section.key", e.g. "server.threads" */
	const char *def;     /* the default as it would be written in cadre.ini */
	const char *env;     /* environment variable, or NULL (never for secrets) */
	const char *flag;    /* command-line flag, or NULL (never for secrets) */
	const char *choices; /* CONFIG_ENUM only: "debug|info|warn|error" */
	const char *help;    /* one line */
	int64_t min, max;    /* CONFIG_INT only */
	enum config_type type;
	bool required;  /* CONFIG_STRING: may not be empty */
	bool sensitive; /* a secret: secrets file only, always masked */
};

/* config_settings: the table, in display order; *count gets its length. */
const struct config_setting *config_settings(size_t *count);

/* config_setting_find: the row for a name, or NULL. */
const struct config_setting *config_setting_find(const char *name);

struct config;

/* config_new: a configuration holding every default.  Free it with
 * config_free. */
struct config *config_new(void);

/* config_free: release c, wiping the secret keys first.  NULL is fine. */
void config_free(struct config *c);

/* config_load: read the INI file at ini_path, then the environment, then the
 * secrets file named by secrets.file, into c.
 *
 * A missing ini file is fine (defaults apply) unless ini_explicit says the
 * person named it (--config or CADRE_CONFIG).  A missing secrets file is
 * fine here (`cadre init` creates it); config_require_secrets checks for it
 * when a command needs the keys.  env is a NULL-terminated array of
 * "NAME=value" strings, or NULL for the process environment, so tests need
 * not change it.  Values already set by config_set_flag keep precedence.
 * On error c may hold part of the file; free it.  Returns CADRE_OK,
 * CADRE_EINVAL (bad file, value or environment variable), CADRE_ENOTFOUND
 * (an explicit file missing), CADRE_EPERM (secrets file too open, or owned
 * by someone else). */
int config_load(struct config *c, const char *ini_path, bool ini_explicit, const char *const *env,
                struct cadre_err *err);

/* config_set_flag: set a setting from its command-line flag (the flag's name
 * comes from the table, e.g. "--db" for database.url), validated like any
 * other value.  A flag outranks every other source, whether set before or
 * after config_load.  Secrets cannot be set this way. */
int config_set_flag(struct config *c, const char *name, const char *value, struct cadre_err *err);

/* config_get_str: the value of a text setting (STRING, ENUM, ADDRESS, URL,
 * CIDRS) as written; "" when an optional setting is unset.  Owned by c and
 * valid until the setting changes.  Asks for a secret or a number are
 * programming errors (assert). */
const char *config_get_str(const struct config *c, const char *name);

/* config_get_int / config_get_bool: the value of an INT / BOOL setting. */
int64_t config_get_int(const struct config *c, const char *name);
bool config_get_bool(const struct config *c, const char *name);

/* config_get_key: the CONFIG_KEY_BYTES bytes of a secret key, or NULL when
 * the secrets file did not set it.  Owned by c. */
const unsigned char *config_get_key(const struct config *c, const char *name);

/* config_source: where the value came from: "default", "file cadre.ini:4",
 * "environment CADRE_DB" or "flag --db".  Owned by c. */
const char *config_source(const struct config *c, const char *name);

/* config_require_secrets: CADRE_OK when both secret keys are set, else
 * CADRE_ENOTFOUND with a reason naming the secrets file and saying how to
 * create it. */
int config_require_secrets(const struct config *c, struct cadre_err *err);

/* config_write_show: append every setting to out, as lines
 * "name = value  (source)" or, when json is true, as one JSON object.
 * Secrets appear only as "********" (set) or "(not set)". */
int config_write_show(const struct config *c, struct buf *out, bool json, struct cadre_err *err);

/* config_secrets_generate: create a secrets file at path holding a fresh
 * pseudonym key and audit key from the system's random source.  The file is
 * created new (never overwriting one that exists: CADRE_ECONFLICT) with mode
 * 0600 whatever the umask.  Used by `cadre init`. */
int config_secrets_generate(const char *path, struct cadre_err *err);

#endif
