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

#include <stdbool.h>
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

/* ---- the rows behind the counts ------------------------------------------------------
 *
 * Each count of the report names its check (quality_check_names below);
 * quality_rows lists the rows behind one, a page at a time, in the order
 * of their key (organisation / staff reference / assignment, or
 * organisation / cost centre), so that a page is addressed by the key of
 * the last row of the one before (the cursor).  A row shows the staff
 * record's reference, the assignment, the cost centre and what the check
 * found; never a protected characteristic's value.  Listing staff records
 * needs people.read over the node; the checks about protected
 * characteristics (whose rows say whose record lacks one) need
 * people.protected.read as well (CADRE_EPERM without). */

#define QUALITY_PAGE_DEFAULT 50
#define QUALITY_PAGE_MAX     200
#define QUALITY_KEY_MAX      96

enum quality_check {
	QUALITY_OCCUPATION_UNLISTED = 0,
	QUALITY_OCCUPATION_CLOSED,
	QUALITY_GROUP_FALLBACK,
	QUALITY_GROUP_CONFLICTS,
	QUALITY_NO_IDENTIFIER,
	QUALITY_CC_NO_STAFF,
	QUALITY_CC_NO_BUDGET,
	QUALITY_ETHNICITY_NOT_STATED,
	QUALITY_ETHNICITY_NOT_KNOWN,
	QUALITY_DISABILITY_NOT_DECLARED,
	QUALITY_MANAGERS_NOT_IN_POST,
	QUALITY_CHECK_COUNT
};

/* quality_check_parse: the check named name ("occupation-unlisted",
 * "group-conflicts", ...); false for any other name. */
bool quality_check_parse(const char *name, enum quality_check *out);

/* quality_check_name / quality_check_title: the check's name in
 * addresses, and its title for people. */
const char *quality_check_name(enum quality_check c);
const char *quality_check_title(enum quality_check c);

/* quality_check_protected: the check is about protected characteristics. */
bool quality_check_protected(enum quality_check c);

/* quality_check_count: the report's count for check c. */
int64_t quality_check_count(const struct quality_report *r, enum quality_check c);

struct quality_row {
	char key[QUALITY_KEY_MAX]; /* the row's place in the order; the cursor */
	char org[16];              /* the employer's code */
	char staff_ref[32];        /* "" for cost-centre checks */
	char assignment[32];       /* "" for staff-record and cost-centre checks */
	char cost_centre[32];
	char detail[64]; /* what the check found: a code, "DOC_CONS vs ESR 03", "bank only" */
};

struct quality_rows {
	struct org_node org;
	char as_of[11];
	enum quality_check check;
	struct quality_row *v; /* this page */
	size_t n;
	int64_t total;                  /* rows in all */
	char next[QUALITY_KEY_MAX];     /* the cursor of the next page; "" on the last */
};

/* quality_rows: the rows behind check c for the node with this code on
 * as_of (NULL: the latest extract), those whose key sorts after `after`
 * (NULL or "": from the first), at most limit (1..QUALITY_PAGE_MAX).
 * CADRE_EINVAL for a bad limit; CADRE_EPERM without the permissions above;
 * CADRE_ENOTFOUND as quality_report.  Free with quality_rows_free. */
int quality_rows(const struct actor *actor, struct store *db, const char *code, const char *as_of,
                 enum quality_check c, const char *after, size_t limit, struct quality_rows *out,
                 struct cadre_err *err);

void quality_rows_free(struct quality_rows *r);

#endif
