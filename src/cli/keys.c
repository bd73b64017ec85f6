/* keys: load the audit key for a command (keys.h). */
#include "cli/keys.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "io/config.h"

/* whether the person named the configuration file, so a missing one is an
 * error (as `cadre config show` decides it) */
static bool config_explicit(const struct cli *cli)
{
	return getenv("CADRE_CONFIG") != NULL ||
	       (cli->config_path && strcmp(cli->config_path, "cadre.ini") != 0);
}

int cli_audit_key(struct cli *cli, unsigned char key[AUDIT_KEY_BYTES])
{
	struct config *c = config_new();
	int rc = config_load(c, cli->config_path ? cli->config_path : "cadre.ini",
	                     config_explicit(cli), NULL, &cli->err);
	if (rc == CADRE_OK)
		rc = config_require_secrets(c, &cli->err);
	if (rc == CADRE_OK) {
		const unsigned char *k = config_get_key(c, "secrets.audit_key");
		if (k)
			memcpy(key, k, AUDIT_KEY_BYTES);
		else
			rc = cadre_err_set(&cli->err, CADRE_ENOTFOUND,
			                   "the secrets file does not set secrets.audit_key");
	}
	config_free(c);
	return rc;
}

void cli_key_wipe(unsigned char key[AUDIT_KEY_BYTES])
{
	sodium_memzero(key, AUDIT_KEY_BYTES);
}
