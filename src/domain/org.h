/* org: the dated NHS organisation hierarchy.
 *
 * Design note (the rules in full, with their reasons: docs/organisations.md)
 * - Nodes: one per code (ENG, regions Y56..Y63, QZZ, ICBs Q.., trusts,
 *   CSUs, national bodies, CCGs, and later sites, wards and teams), each
 *   with a surrogate id that stays stable across reloads.
 * - Edges are observations: "in month M, source S said C's parent is P".
 *   A snapshot (the ODS extract, the ICB list) is observed at one month; a
 *   published file (a sickness month) for its own months.  For a month m a
 *   child's parent is the edge with the latest observation month <= m
 *   (published beating snapshot at the same month): an observation holds
 *   until a later source says otherwise.  For a month before every edge of
 *   the child, its earliest edge applies and is flagged EARLIEST.  A node
 *   with no edge at all has no known parent and counts only in England's
 *   total: flagged UNASSIGNED.
 * - org_ancestor holds, for every month of the materialised range, every
 *   node with each of its ancestors, itself at depth 0, so a node's own
 *   figures count in its subtree.  org_hierarchy_rebuild recomputes it in
 *   one C pass and a bulk load after every load; every roll-up and scope
 *   check joins it.  A month outside the range takes the nearest end's
 *   hierarchy (before the first month every edge is an earliest one).
 * - An ICB's code names both the employer and its ICS area: the ICB's own
 *   rows are its node's own figures.  A code that a file uses as both
 *   region and ICS (QZZ) is one region-level node under ENG.
 * - Writers (org_put, org_edge_put, org_edges_clear, rebuild) run inside
 *   the caller's write transaction: an import's nodes, edges and ancestor
 *   rows commit or roll back with its figures. */
#ifndef CADRE_DOMAIN_ORG_H
#define CADRE_DOMAIN_ORG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "domain/actor.h"

struct store;

#define ORG_CODE_MAX 16  /* bytes, NUL included */
#define ORG_NAME_MAX 200 /* bytes, NUL included */
#define ORG_KIND_MAX 16
#define ORG_TYPE_MAX 64
#define ORG_DATE_MAX 11 /* "YYYY-MM-DD" */

#define ORG_ROOT_CODE "ENG"

/* ancestor-row flags */
#define ORG_FLAG_EARLIEST   1 /* the path uses an edge from before its first observation */
#define ORG_FLAG_UNASSIGNED 2 /* no known parent: counted in England's total only */

/* the most levels between a node and England */
#define ORG_MAX_DEPTH 32

struct org_node {
	int64_t id;
	char code[ORG_CODE_MAX];
	char kind[ORG_KIND_MAX];
	char name[ORG_NAME_MAX];
	char org_type[ORG_TYPE_MAX]; /* "" when none */
	char open_date[ORG_DATE_MAX];
	char close_date[ORG_DATE_MAX];
};

/* org_kind_valid: true for a kind the schema accepts ("trust", "icb" ...). */
bool org_kind_valid(const char *kind);

/* org_code_valid: 1 to ORG_CODE_MAX-1 upper-case letters and digits. */
bool org_code_valid(const char *code, size_t len);

/* ---- the rule, as a pure function ------------------------------------ */

enum org_edge_kind {
	ORG_EDGE_SNAPSHOT = 1,
	ORG_EDGE_PUBLISHED = 2,
};

/* org_obs: one observed edge of a child. */
struct org_obs {
	int64_t parent_id;
	enum org_edge_kind kind;
	int from_month; /* yyyymm observed */
	int to_month;   /* published: last month it covers; snapshot: 0 */
	const char *source;
};

/* org_resolve_parent: which of a child's n observations gives its parent in
 * month m (the rule above).  Returns the index into obs, or -1 when n is 0;
 * *flags gets ORG_FLAG_EARLIEST when m is before every observation. */
int org_resolve_parent(const struct org_obs *obs, size_t n, int month, int *flags);

/* ---- writers (inside the caller's write transaction) ------------------ */

/* org_new: a node to create or update; NULL or "" for an absent field. */
struct org_new {
	const char *code;
	const char *kind;
	const char *name;
	const char *org_type;
	const char *postcode;
	const char *open_date; /* YYYY-MM-DD */
	const char *close_date;
	const char *source; /* what said so: "data/ods/trusts.csv", "sickness" */
};

/* org_put: the node for n->code: created when missing (*created true); when
 * it exists and update is true its kind, name and the other fields are
 * replaced by n's; otherwise left alone.  *id gets its id. */
int org_put(const struct actor *actor, struct store *db, const struct org_new *n, bool update,
            int64_t *id, bool *created, struct cadre_err *err);

/* org_edge_put: record that source said child's parent is parent, observed
 * from from_month (a published edge covers from_month..to_month; a snapshot
 * passes to_month 0).  CADRE_ECONFLICT when the source already said
 * something about that child for that month. */
int org_edge_put(const struct actor *actor, struct store *db, int64_t child, int64_t parent,
                 enum org_edge_kind kind, int from_month, int to_month, const char *source,
                 struct cadre_err *err);

/* org_edge_new: one edge for org_edges_put_many. */
struct org_edge_new {
	int64_t child;
	int64_t parent;
	int from_month;
	int to_month; /* published: last month covered; snapshot: 0 */
};

/* org_edges_put_many: org_edge_put for n edges of one kind and source, in
 * one bulk load (an import's thousands of edges).  The edges are checked
 * as org_edge_put checks them before anything is loaded; a duplicate of
 * an existing edge fails the load (CADRE_ECONFLICT). */
int org_edges_put_many(const struct actor *actor, struct store *db, const struct org_edge_new *v,
                       size_t n, enum org_edge_kind kind, const char *source,
                       struct cadre_err *err);

/* org_edges_clear: forget what source said (month 0: for every month;
 * otherwise the edges observed in that month).  *removed may be NULL. */
int org_edges_clear(const struct actor *actor, struct store *db, const char *source, int month,
                    int64_t *removed, struct cadre_err *err);

/* org_rebuild_stats: what a rebuild did, for reports and benchmarks. */
struct org_rebuild_stats {
	int first_month;
	int last_month;
	int64_t nodes;
	int64_t edges;
	int64_t rows;
	int64_t micros; /* how long the rebuild took (the real monotonic clock) */
};

/* org_hierarchy_rebuild: recompute org_ancestor for every month from one
 * month before the earliest edge or published figure to the latest (clk
 * gives the month when there is neither, and the rebuild time).  A cycle
 * is CADRE_EINVAL naming it.  st may be NULL. */
int org_hierarchy_rebuild(const struct actor *actor, struct store *db, const struct clock *clk,
                          struct org_rebuild_stats *st, struct cadre_err *err);

/* ---- an in-memory code index for imports ----------------------------- */

struct org_index_entry {
	char code[ORG_CODE_MAX];
	char kind[ORG_KIND_MAX];
	int64_t id;
};

/* org_index: every node's code, id and kind, sorted by code. */
struct org_index {
	struct org_index_entry *v;
	size_t n, alloc;
};

/* org_index_load: fill ix (empty it first) from the database. */
int org_index_load(const struct actor *actor, struct store *db, struct org_index *ix,
                   struct cadre_err *err);

/* org_index_find: the entry for code, or NULL; owned by ix. */
const struct org_index_entry *org_index_find(const struct org_index *ix, const char *code);

/* org_index_add: remember a node created since the load. */
void org_index_add(struct org_index *ix, const char *code, const char *kind, int64_t id);

/* org_index_free: release ix's memory (ix itself is the caller's). */
void org_index_free(struct org_index *ix);

/* ---- readers ---------------------------------------------------------- */

/* org_get: the node with this code; CADRE_ENOTFOUND when there is none or
 * the actor may not see it. */
int org_get(const struct actor *actor, struct store *db, const char *code, struct org_node *out,
            struct cadre_err *err);

/* org_range: the materialised months; CADRE_ENOTFOUND before the first
 * rebuild. */
int org_range(const struct actor *actor, struct store *db, int *first, int *last,
              struct cadre_err *err);

/* org_link: a node related to the one shown, at the month shown. */
struct org_link {
	struct org_node node;
	int depth; /* 1 for the parent (or a child), 2 the grandparent ... */
	int flags; /* ORG_FLAG_* of the path */
};

/* org_view: a node at a month: its parent chain, children and, for
 * England, the unassigned nodes. */
struct org_view {
	struct org_node node;
	int month;           /* asked for */
	int effective_month; /* the materialised month used */
	int first_month;     /* the materialised range */
	int last_month;
	int flags;              /* ORG_FLAG_* of the node's own parent edge */
	char edge_source[64];   /* the source of the parent edge used, "" if none */
	int edge_kind;          /* enum org_edge_kind, 0 if none */
	int edge_month;         /* its observation month, 0 if none */
	struct org_link *chain; /* parent first, up to England */
	size_t nchain;
	struct org_link *children; /* by code */
	size_t nchildren;
	struct org_link *unassigned; /* England only: nodes with no known parent */
	size_t nunassigned;
};

/* org_show: the node with this code as the hierarchy stood in month (0:
 * the latest materialised month).  Free with org_view_free. */
int org_show(const struct actor *actor, struct store *db, const char *code, int month,
             struct org_view *out, struct cadre_err *err);

/* org_view_free: release what org_show allocated. */
void org_view_free(struct org_view *v);

/* org_effective_month: month clamped into the materialised range. */
int org_effective_month(const struct actor *actor, struct store *db, int month, int *eff,
                        struct cadre_err *err);

/* org_scope_check: CADRE_OK when actor may see node org_id in every month
 * from..to: a system actor always; a user when one of its grants is over
 * an ancestor of the node (the node itself included) in each of those
 * months.  Otherwise CADRE_ENOTFOUND, as if the node did not exist. */
int org_scope_check(const struct actor *actor, struct store *db, int64_t org_id, int from, int to,
                    struct cadre_err *err);

#endif
