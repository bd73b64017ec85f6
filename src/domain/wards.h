/* wards: the ledger's cost centres and the cost centre -> ward/team map
 * (docs/formats.md section D), which puts wards and teams into the
 * organisation hierarchy: England -> region -> ICB -> employer -> division
 * -> ward or team.
 *
 * Design note
 * - Divisions, wards and teams are hierarchy nodes (org.h); cost centres
 *   are not: each cost centre row (table cost_centre) names the ward or
 *   team node it belongs to, and figures on a cost centre roll up through
 *   that node.  This keeps the per-month ancestor table to one row per
 *   ward, not one per cost centre.
 * - Node codes are the employer's code followed by the file's local code
 *   (RXC + W001 = RXCW001, RXC + D1 = RXCD1), so a ward's code says whose it
 *   is; the local code must therefore be capital letters and digits and the
 *   whole at most ORG_CODE_MAX - 1 characters.  Kind: ward for the
 *   inpatient settings, team for the others.
 * - Edges are snapshot observations from the month given (--from, default
 *   the current month), with source "cost-centres:ORG"; loading a map again
 *   for the same month replaces that month's edges of the organisations in
 *   the file, a later month adds observations (a ward moving division is
 *   history, not a rewrite).  The ancestor table is rebuilt and the per-node
 *   statistics (orgstats.h) recomputed in the same transaction.
 * - A cost centre is never deleted: one that a newer map of its employer no
 *   longer lists keeps its ward and gets in_map 0.
 * - All or nothing, audited once; every rejected row FILE:LINE:COLUMN. */
#ifndef CADRE_DOMAIN_WARDS_H
#define CADRE_DOMAIN_WARDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "domain/actor.h"
#include "domain/import.h"
#include "domain/org.h"
#include "domain/people_fields.h"

struct store;

#define WARDS_HEADER                                                                               \
	"org_code,cost_centre_code,cost_centre_name,ward_team_code,ward_team_name,division_code,"  \
	"division_name,setting"
#define WARDS_SOURCE_PREFIX "cost-centres:"

struct wards_opts {
	bool dry_run;                   /* check and roll back */
	int from_month;                 /* yyyymm the map holds from; 0: the clock's month */
	const unsigned char *audit_key; /* required unless dry_run */
	const struct clock *clk;        /* NULL: the system clock */
};

struct wards_result {
	int64_t rows;
	int64_t orgs;                  /* employers in the file */
	int64_t cost_centres_new;      /* inserted */
	int64_t cost_centres_updated;  /* already known (name, ward or setting refreshed) */
	int64_t cost_centres_unlisted; /* known but not in this map: in_map 0 */
	int64_t divisions_new, wards_new, teams_new;
	int64_t edges;
	int from_month;
	char sha256[65];
	struct org_rebuild_stats rebuild;
	int64_t audit_seq;
	int64_t micros;
	struct import_problems problems;
};

/* wards_setting_valid: a setting of docs/formats.md section D. */
bool wards_setting_valid(const char *s, size_t n);

/* wards_setting_inpatient: an inpatient setting (its units are wards). */
bool wards_setting_inpatient(const char *s);

/* wards_import: import the cost-centre map at path (see the design note).
 * CADRE_EINVAL with res->problems when the file is rejected. */
int wards_import(const struct actor *actor, struct store *db, const char *path,
                 const struct wards_opts *opt, struct wards_result *res, struct cadre_err *err);

/* ---- the cost centres, for the other importers ---------------------------- */

struct wards_cc {
	int64_t id;
	int64_t org_id;
	int64_t node_id; /* the ward or team */
	const char *code;
};

struct wards_index {
	struct wards_cc *v;
	size_t n;
	struct pf_index ix;
	struct arena a;
};

/* wards_index_load: every cost centre, indexed by (org_id, code). */
int wards_index_load(const struct actor *actor, struct store *db, struct wards_index *w,
                     struct cadre_err *err);

/* wards_index_find: the cost centre code of employer org_id, or NULL. */
const struct wards_cc *wards_index_find(const struct wards_index *w, int64_t org_id,
                                        const char *code, size_t n);

/* wards_index_free: release w (which may be zeroed). */
void wards_index_free(struct wards_index *w);

/* wards_employer_kind: a node kind that can employ staff and own cost
 * centres (trust, icb, provider, csu, body, ccg, other ...; not the
 * nation, a region, or a node inside an employer). */
bool wards_employer_kind(const char *kind);

/* wards_demo_organisations: the organisations of a demo directory's
 * organisations.csv (docs/formats.md section F) that the hierarchy lacks
 * (care trusts, non-NHS community providers), created under their ICB with
 * snapshot edges from month (source "demo:organisations"), the hierarchy
 * rebuilt, in one transaction, audited when audit_key is given.  Existing
 * organisations are left alone.  *created gets how many were made. */
int wards_demo_organisations(const struct actor *actor, struct store *db, const char *path,
                             int month, const unsigned char *audit_key, const struct clock *clk,
                             int64_t *created, struct cadre_err *err);

#endif
