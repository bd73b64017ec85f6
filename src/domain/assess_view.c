/* assess_view: the benchmark's default period. */
#include "domain/assess_view.h"

#include "store/store.h"

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
