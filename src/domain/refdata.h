/* refdata: load the reference data shipped under data/ into the database.
 *
 * Design note
 * - Data-driven: one table in refdata.c lists every file (or file pattern,
 *   such as pay/afc-pay-*.csv), its exact header and the table it fills;
 *   column types follow the naming conventions of docs/reference-data.md
 *   (*_date, *_pence, is_*, level, sort_order, pay_point, rate_percent,
 *   financial_year, status).  Regions, ICBs and trusts go into the
 *   organisation hierarchy (org.h) instead of a table of their own.
 * - Strict: every file needs its FILE.csv.meta sidecar with the required
 *   keys; its header must equal the sidecar's `columns:` and the loader's
 *   own list; every value must have its column's form; `required:`
 *   columns must be filled, `key:` values unique, `ref:` values present in
 *   the file they point at, and `gap_columns:` empty exactly on the rows
 *   whose status says "not available: ...".  The first problem stops the
 *   load with "FILE:LINE:COLUMN: reason" (or "FILE.meta:LINE: reason").
 * - Files are read and checked before the write transaction; the load is
 *   then one transaction (store_tx_run): delete and reload every table,
 *   update organisation nodes in place (ids stay stable), replace the
 *   reference edges, rebuild the ancestor table, record each file's
 *   SHA-256 and provenance in ref_file, and append one audit entry.
 *   Loading the same files again gives the same tables: it is idempotent.
 * - Welsh organisations are not loaded: the sidecar's `excluded:` lines
 *   and any trust whose region code is Welsh (W..) are logged (event
 *   refdata.excluded) with their reason.  Values marked secondary are
 *   logged as warnings, inferred ones as defaults to confirm. */
#ifndef CADRE_DOMAIN_REFDATA_H
#define CADRE_DOMAIN_REFDATA_H

#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/org.h"

struct store;

#define REFDATA_MAX_FILES 32
#define REFDATA_PATH_MAX  256

struct refdata_file_report {
	char path[REFDATA_PATH_MAX]; /* relative to the data folder */
	char sha256[65];
	int64_t rows;
	int64_t secondary; /* rows whose status is secondary */
	int64_t inferred;
	int64_t gaps;     /* rows whose status is "not available: ..." */
	int64_t excluded; /* rows or sidecar entries left out (Welsh trusts) */
};

struct refdata_report {
	size_t nfiles;
	struct refdata_file_report files[REFDATA_MAX_FILES];
	int64_t orgs_created;
	int64_t orgs_updated;
	int64_t audit_seq; /* 0 when not audited */
	struct org_rebuild_stats rebuild;
};

/* refdata_find_dir: the reference data folder: $CADRE_DATA_DIR, else
 * ./data, else data/ or share/cadre/data in one of the four folders above
 * the running binary (the source tree above a build folder, an install
 * prefix).  A folder counts when it holds ods/regions.csv.
 * CADRE_ENOTFOUND otherwise. */
int refdata_find_dir(char *out, size_t n, struct cadre_err *err);

/* refdata_load: check every file under dir, then load them all in one
 * write transaction (see the design note).  key: the audit key, or NULL to
 * load without an audit entry (`cadre init` before secrets exist; the
 * caller says so).  clk: time of the load.  rep may be NULL. */
int refdata_load(const struct actor *actor, struct store *db, const char *dir,
                 const unsigned char *key, const struct clock *clk, struct refdata_report *rep,
                 struct cadre_err *err);

#endif
