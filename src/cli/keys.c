/* keys: load the audit key for a command (keys.h). */
#include "cli/keys.h"

#include <sodium.h>
#include <string.h>

#include "io/config.h"

int cli_audit_key(struct cli *cli, unsigned char key[AUDIT_KEY_BYTES])
{
	struct config *c = cli_config(cli);
	if (!c)
		return cli->err.status;
	int rc = config_require_secrets(c, &cli->err);
	if (rc == CADRE_OK) {
		const unsigned char *k = config_get_key(c, "secrets.audit_key");
		if (k)
			memcpy(key, k, AUDIT_KEY_BYTES);
		else
			rc = cadre_err_set(&cli->err, CADRE_ENOTFOUND,
			                   "the secrets file does not set secrets.audit_key");
	}
	return rc;
}

void cli_key_wipe(unsigned char key[AUDIT_KEY_BYTES])
{
	sodium_memzero(key, AUDIT_KEY_BYTES);
}
