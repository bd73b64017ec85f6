/* tempstaff: temporary staffing import and read-out (see tempstaff.h). */
#include "domain/tempstaff.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "domain/orgstats.h"

int tempstaff_import(const struct actor *actor, struct store *db, const char *path,
                     const struct ledger_opts *opt, struct ledger_result *res,
                     struct cadre_err *err)
{
	return ledger_import(actor, db, LEDGER_TEMPORARY, path, opt, res, err);
}

int tempstaff_report(const struct actor *actor, struct store *db, const char *code, int month,
                     struct tempstaff_report *out, struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	if (!date_month_valid(month))
		return cadre_err_set(err, CADRE_EINVAL, "not a month: %d", month);
	int rc = org_get(actor, db, code, &out->org, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = org_scope_check(actor, db, out->org.id, month, month, err)) != CADRE_OK)
		return rc;
	out->month = month;
	if ((rc = orgstats_fresh(actor, db, ORGSTATS_TEMPORARY, &out->fresh, err)) != CADRE_OK)
		return rc;
	struct orgstats_money_row *rows;
	size_t n;
	if ((rc = orgstats_money_read(actor, db, ORGSTATS_TEMPORARY, out->org.id, month, &rows, &n,
	                              err)) != CADRE_OK)
		return rc;
	size_t ta = 0, ga = 0;
	for (size_t i = 0; i < n; i++) {
		const struct orgstats_money_row *r = &rows[i];
		struct tempstaff_line L;
		memset(&L, 0, sizeof L);
		(void)snprintf(L.staff_group, sizeof L.staff_group, "%s", r->group);
		(void)snprintf(L.staffing_type, sizeof L.staffing_type, "%s", r->staffing_type);
		(void)snprintf(L.framework, sizeof L.framework, "%s", r->framework);
		L.hours100 = llround(r->wte_or_hours * 100.0);
		L.shifts = r->shifts;
		L.spend_pence = r->pence;
		if (strcmp(r->group, ORGSTATS_TOTAL) == 0) {
			if (out->ntype == ta) {
				ta = ta ? ta * 2 : 8;
				out->by_type =
				    xreallocarray(out->by_type, ta, sizeof *out->by_type);
			}
			out->by_type[out->ntype++] = L;
			out->hours100 += L.hours100;
			out->shifts += L.shifts;
			out->spend_pence += L.spend_pence;
			if (strcmp(L.staffing_type, "agency") == 0 &&
			    strcmp(L.framework, "off") == 0)
				out->agency_off_framework_pence += L.spend_pence;
		} else {
			if (out->ngroup == ga) {
				ga = ga ? ga * 2 : 32;
				out->by_group =
				    xreallocarray(out->by_group, ga, sizeof *out->by_group);
			}
			out->by_group[out->ngroup++] = L;
		}
	}
	free(rows);
	return CADRE_OK;
}

void tempstaff_report_free(struct tempstaff_report *r)
{
	free(r->by_type);
	free(r->by_group);
	r->by_type = r->by_group = NULL;
	r->ntype = r->ngroup = 0;
}
