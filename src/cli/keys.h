/* keys: the command line's way to the audit key.
 *
 * Commands that append to or verify the audit trail need the audit key,
 * which lives only in the secrets file (io/config).  This loads the
 * configuration the same way `cadre config show` does (--config, else
 * CADRE_CONFIG, else ./cadre.ini; then the environment; then the secrets
 * file it names) and hands back a copy of the key, which the command wipes
 * when done. */
#ifndef CADRE_CLI_KEYS_H
#define CADRE_CLI_KEYS_H

#include "cli/cli.h"
#include "domain/audit.h"

/* cli_audit_key: copy the audit key into key, or set cli->err and return
 * the status (CADRE_ENOTFOUND when there is no secrets file or it lacks
 * the key, CADRE_EPERM when the file is readable by others). */
int cli_audit_key(struct cli *cli, unsigned char key[AUDIT_KEY_BYTES]);

/* cli_key_wipe: overwrite a key copy. */
void cli_key_wipe(unsigned char key[AUDIT_KEY_BYTES]);

#endif
