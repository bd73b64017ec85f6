/* staff_in_post: HCHS staff in post by staff group, nationality and
 * organisation (NHS Digital), imported exactly as published, and its FTE
 * read out for any node of the hierarchy.
 *
 * Design note
 * - The file: "Month,Organisation code,Organisation name,Staff group,
 *   Nationality,FTE", months written 2017-SEP (the month-end snapshot),
 *   FTE as published (already adjusted by the publisher to prevent
 *   disclosure).  Rows are kept as published aggregates; nothing is
 *   derived from them except sums.
 * - Checks, each reported as FILE:LINE:COLUMN (capped, "and N more"): the
 *   header (a file of another publication is named as such), the month's
 *   form, codes, a staff group the reference data does not know (names and
 *   their published aliases, data/workforce/staff-groups.csv), a total
 *   listed beside its own components (never added), FTE not a number of 0
 *   or more, a duplicated (month, organisation, staff group, nationality),
 *   and a month already loaded (replaced only with replace).
 * - Organisations include CCGs and trusts that have since merged: a code
 *   the reference data lacks becomes a node (kind ccg when its name ends
 *   in "CCG", trust for an R.. or T.. three-character code, else other)
 *   with no parent, so it counts only in England's total and is listed as
 *   unassigned, unless a later source places it.
 * - Speed: the 81,603-row national file is parsed from memory, checked in
 *   C (a sort finds duplicates), and written with the store's bulk load
 *   (COPY on PostgreSQL) in one transaction. */
#ifndef CADRE_DOMAIN_STAFF_IN_POST_H
#define CADRE_DOMAIN_STAFF_IN_POST_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "domain/actor.h"
#include "domain/import.h"
#include "domain/org.h"

struct store;

#define SIP_HEADER  "Month,Organisation code,Organisation name,Staff group,Nationality,FTE"
#define SIP_KEY_MAX 128

/* staff_in_post_month_parse: "2017-SEP" (as published) into 201709. */
int staff_in_post_month_parse(const char *s, size_t n, int *out, struct cadre_err *err);

/* staff_in_post_import: import the n files at paths, all or nothing (see
 * the design note).  res gets counts or the problems (CADRE_EINVAL, err
 * quoting the first).  Needs opt->audit_key unless dry. */
int staff_in_post_import(const struct actor *actor, struct store *db, const char *const *paths,
                         size_t n, const struct import_opts *opt, struct import_result *res,
                         struct cadre_err *err);

enum sip_by {
	SIP_BY_NONE = 0,
	SIP_BY_STAFF_GROUP,
	SIP_BY_NATIONALITY,
};

/* sip_group: one line of a breakdown. */
struct sip_group {
	char key[SIP_KEY_MAX];  /* staff group code, or the nationality */
	char name[SIP_KEY_MAX]; /* the staff group as published, or the nationality */
	double fte;
	int64_t rows;
};

/* sip_org: an organisation counted only in England's total. */
struct sip_org {
	char code[ORG_CODE_MAX];
	char name[ORG_NAME_MAX];
	double fte;
};

struct sip_kpi {
	struct org_node org;
	int month;
	double fte;            /* summed as published */
	int64_t orgs;          /* organisations with figures in the subtree */
	int64_t rows;          /* published rows summed */
	int64_t earliest_orgs; /* placed by earliest-known edges */
	enum sip_by by;
	struct sip_group *groups; /* by FTE, largest first */
	size_t ngroups;
	struct sip_org *unassigned; /* England only, by code */
	size_t nunassigned;
	double unassigned_fte;
};

/* staff_in_post_kpi: FTE for the node with this code at month, optionally
 * broken down.  CADRE_ENOTFOUND for an unknown node, one outside the
 * actor's scope, or no figures that month.  Free with staff_in_post_kpi_free. */
int staff_in_post_kpi(const struct actor *actor, struct store *db, const char *code, int month,
                      enum sip_by by, struct sip_kpi *out, struct cadre_err *err);

/* staff_in_post_kpi_free: release out's lists. */
void staff_in_post_kpi_free(struct sip_kpi *out);

#endif
