/* web_tx: the web server's door to the database (connections and the
 * read-only transactions GET and HEAD run in).
 *
 * Design note
 * - The web layer may not include store headers or write SQL (DESIGN.md,
 *   Layers), so the few store operations the router itself needs are
 *   wrapped here.  struct store stays opaque above the domain.
 * - The router opens one connection per worker thread (db_open in db.h,
 *   which refuses a database whose schema does not match this build) and
 *   starts a read-only transaction the first time a GET or HEAD handler
 *   asks for the database; it ends it after the handler.  A handler's
 *   domain calls that write open their own write transactions, which the
 *   store refuses inside a read transaction: a GET cannot change anything.
 * - Like db.h these are plumbing, not reads or changes of what Cadre holds,
 *   so they take no actor. */
#ifndef CADRE_DOMAIN_WEB_TX_H
#define CADRE_DOMAIN_WEB_TX_H

#include "base/err.h"

struct store;

/* web_tx_read_begin: start a read-only transaction on db (SQLite: a
 * snapshot with writes refused; PostgreSQL: REPEATABLE READ READ ONLY). */
int web_tx_read_begin(struct store *db, struct cadre_err *err);

/* web_tx_depth: how many transaction levels are open on db (0: none). */
int web_tx_depth(const struct store *db);

/* web_tx_abort: roll back every open level (the read transaction after a
 * GET, or whatever a failed handler left open).  Returns how many levels it
 * rolled back; -1 when a rollback failed (the connection is then not fit
 * for another request and should be closed). */
int web_tx_abort(struct store *db);

/* web_tx_ping: check that db answers a trivial query (for /healthz). */
int web_tx_ping(struct store *db, struct cadre_err *err);

#endif
