/* quality: the data-quality report of the people area for a node of the
 * hierarchy on a day (docs/people.md, "Data quality").
 *
 * Design note
 * - Population: the assignments active on the day under the node (their
 *   cost centre's ward in its subtree that month), with the terms and
 *   attributes valid that day; "in post" is permanent, fixed-term or locum.
 * - Checks, each a count and, where it helps, a short list:
 *   occupation codes the reference data does not cover and closed codes;
 *   staff groups found by Cadre's ESR fallback, and ESR staff groups that
 *   conflict with an authoritative derivation; staff records without a
 *   national identifier (counted within their employer only); ledger cost
 *   centres with establishment but nobody in post, and cost centres with
 *   staff in post but no establishment, for the day's month; protected
 *   characteristics missing, as percentages of the staff records in post
 *   (ethnicity not stated or not known, disability not declared; religion
 *   and sexual orientation are not in the extract and are reported as not
 *   held); managers of in-post assignments who are not themselves in post
 *   that day (bank or honorary only, or no assignment active).
 * - Percentages are of staff records (a person employed by two
 *   organisations is two records: each employer's record is checked). */
#ifndef CADRE_DOMAIN_QUALITY_H
#define CADRE_DOMAIN_QUALITY_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "domain/actor.h"
#include "domain/org.h"

struct store;

#define QUALITY_LIST_MAX 20

struct quality_count {
	char what[48]; /* a code, a group pair, a cost centre, a staff reference */
	int64_t n;
};

struct quality_list {
	struct quality_count v[QUALITY_LIST_MAX];
	size_t n;      /* kept, largest first */
	int64_t total; /* distinct items in all */
};

struct quality_report {
	struct org_node org;
	char as_of[11];
	int month;
	int64_t assignments; /* active that day, every category */
	int64_t assignments_in_post;
	int64_t staff_in_post; /* staff records with an in-post assignment */
	/* codes */
	int64_t occupation_unlisted; /* assignments whose code no reference row covers */
	struct quality_list occupation_unlisted_codes;
	int64_t occupation_closed;
	struct quality_list occupation_closed_codes;
	/* staff groups */
	int64_t group_fallback; /* assignments */
	int64_t group_conflicts;
	struct quality_list conflicts; /* "DOC_CONS vs ESR 03" */
	/* identity */
	int64_t staff_without_identifier; /* staff records in post */
	/* ledger */
	int64_t cost_centres_no_staff;
	struct quality_list cost_centres_no_staff_list;
	int64_t cost_centres_no_budget;
	struct quality_list cost_centres_no_budget_list;
	/* protected characteristics, of staff records in post */
	int64_t ethnicity_not_stated; /* Z */
	int64_t ethnicity_not_known;  /* 99 */
	int64_t disability_not_declared;
	/* managers */
	int64_t managers; /* distinct managers of in-post assignments */
	int64_t managers_not_in_post;
	struct quality_list managers_not_in_post_list; /* "ORG/staff_ref (bank only)" */
};

/* quality_report: the report for the node with this code on as_of
 * ("YYYY-MM-DD"; NULL: the latest extract date held).  CADRE_ENOTFOUND for
 * an unknown node, one outside the actor's scope, or no extract held. */
int quality_report(const struct actor *actor, struct store *db, const char *code, const char *as_of,
                   struct quality_report *out, struct cadre_err *err);

/* quality_percent: 100 * n / of, rounded to one decimal place (0 when of
 * is 0), for the report's percentages. */
double quality_percent(int64_t n, int64_t of);

#endif
