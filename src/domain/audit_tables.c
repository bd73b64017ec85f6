/* audit_tables: the registry of audited tables (audit.h).  A module that
 * declares an audited table adds one line here, so `cadre audit verify`
 * checks its live rows. */
#include "domain/account.h"
#include "domain/audit.h"
#include "domain/setting.h"

const struct audit_table *const audit_tables[] = {
    &account_audit_table,
    &account_grant_audit_table,
    &setting_audit_table,
    NULL,
};
