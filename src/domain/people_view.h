/* people_view: the staff list, a person's record and the subject access
 * export, for the web pages, the API and `cadre person export`.
 *
 * Design note
 * - Everything is returned as JSON (jansson), so the page, the API and the
 *   command show the same values; the page renders the same object.
 * - Scope.  The router has checked that the actor holds people.read at
 *   all; these functions narrow it (DESIGN.md, Information governance):
 *   a grant whose rule has scope "person" reaches the staff whose
 *   assignments sit under the grant's organisation, only when that
 *   organisation is a trust or below; scope "reports" reaches the people
 *   the account's person manages (directly and below); scope "self" the
 *   account's own person.  An account not linked to a staff record
 *   (account.person_id NULL) therefore sees nobody through reports or
 *   self.  A record outside the scope is CADRE_ENOTFOUND, like one that
 *   does not exist.
 * - The list is one row per assignment (a person with two posts is two
 *   rows), over one organisation's subtree at a time (the filter "org",
 *   by default the actor's first grant that reaches person-level data),
 *   with the assignment's current terms.  Paging is keyset (an opaque
 *   cursor: the sort key and the assignment id of the last row) or page
 *   numbers (OFFSET); the order is always (sort key, assignment id), so it
 *   is stable.  Queries walk org_ancestor -> cost_centre -> assignment by
 *   index (migration 0320).
 * - A person's record is keyed by staff.id (a person at one employer:
 *   staff references are unique only per employer).  Protected
 *   characteristics (birth year and age band, sex, ethnic category,
 *   disability) appear only for an actor holding people.protected.read
 *   over the record; the national identifier is never held (only its
 *   HMAC, person.person_key), so it never appears.
 * - Every read of a named record appends an audit entry (action
 *   people.read, object staff:ID) in the same write transaction as the
 *   read, so a record is never shown without its entry.  The export
 *   appends people.export the same way.  The list is not audited per row.
 * - The subject access export (people_view_export) holds everything Cadre
 *   holds about the person at that employer: the staff record and every
 *   attribute version (protected characteristics included: it is their
 *   own data), every assignment with every version of its terms, the
 *   pseudonymous person key, accounts linked to the person, and the audit
 *   entries about reads and exports of the record. */
#ifndef CADRE_DOMAIN_PEOPLE_VIEW_H
#define CADRE_DOMAIN_PEOPLE_VIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "domain/actor.h"

struct store;

#define PEOPLE_LIST_LIMIT_MAX     200
#define PEOPLE_LIST_LIMIT_DEFAULT 50
#define PEOPLE_LIST_PAGE_MAX      100000

enum people_sort {
	PEOPLE_SORT_NAME = 0, /* display name (none sorts first), then assignment id */
	PEOPLE_SORT_STAFF_REF,
	PEOPLE_SORT_GRADE,
	PEOPLE_SORT_FTE,
	PEOPLE_SORT_START,
};

/* people_query: the list's filters and paging.  Strings are borrowed;
 * NULL means "not given". */
struct people_query {
	const char *org;         /* ODS or node code; NULL: the default grant */
	const char *staff_group; /* NHS Digital staff group, "NURSE_HV" */
	const char *grade;       /* a grade "AFC-5-2" or a band "AFC-5" */
	const char *profession;  /* "nursing_adult" */
	const char *category;    /* permanent, fixed_term, bank, honorary, locum */
	const char *on;          /* YYYY-MM-DD: active that day; NULL: open posts */
	enum people_sort sort;
	size_t limit;       /* 1..PEOPLE_LIST_LIMIT_MAX; 0: the default */
	const char *cursor; /* the next_cursor of the previous page, or NULL */
	int64_t page;       /* 1..; ignored with a cursor; 0: 1 */
};

/* people_sort_parse: "name", "staff_ref", "grade", "fte", "start_date". */
bool people_sort_parse(const char *s, enum people_sort *out);

/* people_sort_name: the inverse of people_sort_parse. */
const char *people_sort_name(enum people_sort s);

/* people_list: one page of the list.  *out (the caller frees it with
 * json_decref): {"org":{code,name}, "scope":"org"|"reports"|"self"|"all",
 * "count":N matches, "limit", "page", "sort", "next_cursor" (or null),
 * "people":[{assignment_id, staff_id, name, staff_ref, org_code,
 * org_name, cost_centre, cost_centre_name, ward, ward_name, post, grade,
 * staff_group, fte, category, start_date, end_date}]}.  When the actor
 * holds people.read through no grant that reaches person-level data and
 * gives no org, *out is {"org":null, "count":0, "people":[], "reason":..}.
 * CADRE_EINVAL for a malformed filter or cursor: err says why and *field
 * (may be NULL) gets the parameter's name ("grade", "cursor").
 * CADRE_ENOTFOUND for an org unknown or outside the actor's grants;
 * CADRE_EPERM when a grant covers it but does not reach person level. */
int people_list(const struct actor *actor, struct store *db, const struct people_query *q,
                json_t **out, const char **field, struct cadre_err *err);

/* people_record_org: the organisation that stands for staff record
 * staff_id in the router's scope check: the ward or team of its first open
 * assignment (else of its latest), else its employer.  CADRE_ENOTFOUND
 * when there is no such record.  No actor: it answers only for the
 * router, which then asks the policy. */
int people_record_org(struct store *db, int64_t staff_id, int64_t *org_id, struct cadre_err *err);

/* people_record: staff record staff_id as the actor may see it, read and
 * audited (people.read, object "staff:ID") in one write transaction on
 * db (which must have none open), signed with audit_key at clk's time.
 * *out (caller frees): {"id", "staff_ref", "name", "org":{code,name},
 * "attributes":{valid_from, profession, registration_body,
 * qualification_year}, "attribute_history":[...], "protected": {birth_year,
 * age_band, sex, ethnic_category, disability} or null,
 * "protected_shown": bool, "manager": {staff_id, name, staff_ref, linked}
 * or null, "assignments":[{..., "terms_history":[...]}],
 * "grade_history":[{assignment_ref, grade, from, to}], "audit_seq"}.
 * CADRE_ENOTFOUND when absent or outside the scope (nothing audited). */
int people_record(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                  const struct clock *clk, int64_t staff_id, json_t **out, struct cadre_err *err);

/* people_export_fn: receives the export's text (canonical JSON, len
 * bytes) inside the transaction, after the audit entry is appended and
 * before it commits: a non-OK return rolls everything back (so a file that
 * could not be written leaves no entry claiming it was). */
typedef int (*people_export_fn)(const char *text, size_t len, void *arg, struct cadre_err *err);

/* people_export_staff_id: the staff id of (org code, staff_ref), for the
 * command line; CADRE_ENOTFOUND when absent or outside the actor's
 * people.export scope. */
int people_export_staff_id(const struct actor *actor, struct store *db, const char *org_code,
                           const char *staff_ref, int64_t *staff_id, struct cadre_err *err);

/* people_export: the subject access export of staff record staff_id (see
 * the design note), audited as people.export (payload: the export's
 * SHA-256 and section counts) and handed to deliver inside the same write
 * transaction.  The system actor, or an account holding people.export
 * over the record.  CADRE_ENOTFOUND when absent or outside the scope. */
int people_export(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                  const struct clock *clk, int64_t staff_id, people_export_fn deliver, void *arg,
                  struct cadre_err *err);

/* people_age_band: the NHS workforce age band of someone born in
 * birth_year, in year: "Under 21", "21-25", ..., "66-70", "71 and over". */
const char *people_age_band(int birth_year, int year);

#endif
