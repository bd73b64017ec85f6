/* assess_view: rounds by id, for the results pages. */
#include "domain/assess_view.h"

#include <stdio.h>
#include <string.h>

#include "store/store.h"

static const struct store_sql q_round = {
    .name = "assess_view_round",
    .sql = "SELECT r.org_id, o.code, r.period, r.toolkit_id, r.status FROM assess_round r "
           "JOIN org o ON o.id = r.org_id WHERE r.id = $1",
};

int assess_view_round(struct store *db, int64_t id, struct assess_view_round *out,
                      struct cadre_err *err)
{
	memset(out, 0, sizeof *out);
	struct store_stmt *st;
	int rc = store_prepare(db, &q_round, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no round %lld", (long long)id);
	if (rc != CADRE_OK)
		return rc;
	out->id = id;
	out->org_id = store_col_i64(st, 0);
	(void)snprintf(out->org, sizeof out->org, "%s", store_col_text(st, 1));
	out->period = (int)store_col_i64(st, 2);
	(void)snprintf(out->toolkit, sizeof out->toolkit, "%s", store_col_text(st, 3));
	(void)snprintf(out->status, sizeof out->status, "%s", store_col_text(st, 4));
	store_reset(st);
	return CADRE_OK;
}

int assess_view_round_org(struct store *db, int64_t id, int64_t *org_id, struct cadre_err *err)
{
	struct assess_view_round r;
	int rc = assess_view_round(db, id, &r, err);
	if (rc == CADRE_OK)
		*org_id = r.org_id;
	return rc;
}

static const struct store_sql q_latest = {
    .name = "assess_view_latest_period",
    .sql = "SELECT MAX(r.period) FROM assess_round r JOIN org_ancestor a ON a.node_id = "
           "r.org_id JOIN org o ON o.id = a.ancestor_id WHERE o.code = $1 AND r.status <> "
           "'open'",
};

int assess_view_latest_period(struct store *db, const char *code, int *period,
                              struct cadre_err *err)
{
	*period = 0;
	struct store_stmt *st;
	int rc = store_prepare(db, &q_latest, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, code);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return CADRE_OK;
	if (rc != CADRE_OK)
		return rc;
	if (!store_col_is_null(st, 0))
		*period = (int)store_col_i64(st, 0);
	store_reset(st);
	return CADRE_OK;
}
