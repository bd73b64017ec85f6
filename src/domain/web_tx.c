/* web_tx: connections and read transactions for the web layer (see
 * web_tx.h). */
#include "domain/web_tx.h"

#include "store/store.h"

int web_tx_read_begin(struct store *db, struct cadre_err *err)
{
	return store_tx_begin(db, STORE_TX_READ, err);
}

int web_tx_depth(const struct store *db)
{
	return store_tx_depth(db);
}

int web_tx_abort(struct store *db)
{
	int n = 0;
	while (store_tx_depth(db) > 0) {
		struct cadre_err e;
		if (store_tx_rollback(db, &e) != CADRE_OK)
			return -1;
		n++;
	}
	return n;
}

int web_tx_ping(struct store *db, struct cadre_err *err)
{
	static const struct store_sql q_ping = {
	    .name = "web_ping",
	    .sql = "SELECT 1",
	};
	struct store_stmt *st;
	int rc = store_prepare(db, &q_ping, &st, err);
	if (rc != CADRE_OK)
		return rc;
	rc = store_step(st, err);
	if (rc == CADRE_OK && store_col_i64(st, 0) != 1)
		rc = cadre_err_set(err, CADRE_EINTERNAL, "the database answered SELECT 1 wrongly");
	store_reset(st);
	if (rc == CADRE_DONE)
		rc = cadre_err_set(err, CADRE_EINTERNAL,
		                   "the database returned no row for SELECT 1");
	return rc;
}
