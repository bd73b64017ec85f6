/* people: the ESR-style staff extract (docs/formats.md section A) and the
 * read-outs over it (staff summary).
 *
 * Design note (the rules in full: docs/people.md)
 * - Identity: a person is one row of `person`, keyed by the HMAC-SHA256 of
 *   their national identifier under the deployment's pseudonym key
 *   (truncated to 128 bits, hex), so one person is counted once across
 *   employers while the identifier itself is never stored.  A staff record
 *   is a person at one employer (org, staff_ref); an assignment one post.
 * - Dating: current attributes and terms carry valid_from; superseded ones
 *   move to staff_history / assignment_history with valid_to, so a report
 *   for a past date reads that date's values.  The first values seen apply
 *   from 1900-01-01.  Start and end dates are facts, not dated terms.
 * - The NHS Digital staff group is derived (people_fields.h
 *   pf_derive_group): from the medical grade, else from an occupation-code
 *   row that maps one, else from Cadre's ESR staff group correspondence,
 *   marked 'fallback'; a conflicting ESR staff group is reported only when
 *   the derivation is authoritative.
 * - Flow: parse and check the whole file streaming (never held whole in
 *   memory; staged compactly), then plan against the database in a read
 *   snapshot (who is new, changed, to close), all outside the write lock;
 *   then one write transaction applies the plan with bulk loads (COPY on
 *   PostgreSQL), recomputes the per-node statistics (orgstats.h), records
 *   the import and appends its one audit entry.  The plan is tied to the
 *   people tables' generation: if another import committed in between, the
 *   write refuses with CADRE_EBUSY and nothing is written.
 * - Re-import: rows update by assignment_ref; the open assignments of the
 *   employers in the file that it no longer lists are closed (end date the
 *   day before its extract date); other employers are untouched; an older
 *   extract than the one held is refused; the same data again changes
 *   nothing and writes nothing (no import row, no audit entry).
 * - All or nothing; every rejected row as FILE:LINE:COLUMN: reason (the
 *   first IMPORT_PROBLEMS_CAP, then "and N more"). */
#ifndef CADRE_DOMAIN_PEOPLE_H
#define CADRE_DOMAIN_PEOPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/import.h"
#include "domain/org.h"
#include "domain/orgstats.h"

struct store;

#define PEOPLE_NCOLS     27
#define PEOPLE_KEY_BYTES 32 /* the pseudonym key */
#define PEOPLE_HEADER                                                                              \
	"assignment_ref,staff_ref,national_identifier,display_name,manager_staff_ref,org_code,"    \
	"cost_centre_code,position_ref,occupation_code,esr_staff_group,grade,contracted_hours,"    \
	"fte,"                                                                                     \
	"assignment_category,start_date,end_date,leaving_reason,birth_year,sex,ethnic_category,"   \
	"disability,profession,registration_body,qualification_year,training_stage,"               \
	"leadership_level,extract_date"

struct people_opts {
	bool dry_run;                       /* check, plan and roll back */
	const char *expect_extract;         /* --as-of: every row's extract_date; NULL: any */
	const unsigned char *pseudonym_key; /* PEOPLE_KEY_BYTES; required */
	const unsigned char *audit_key;     /* required unless dry_run */
	const struct clock *clk;            /* NULL: the system clock */
};

struct people_result {
	int64_t rows; /* assignments in the file */
	int64_t orgs; /* employers in the file */
	char extract_date[11];
	char sha256[65];
	int64_t persons_new;
	int64_t staff_new, staff_changed, staff_unchanged;
	int64_t assignments_new, assignments_changed, assignments_unchanged;
	int64_t assignments_closed; /* open, of an employer in the file, not listed */
	int64_t group_grade, group_occupation, group_fallback; /* how groups were derived */
	int64_t group_conflicts;                               /* ESR group disagrees */
	int64_t occupation_unlisted;                           /* codes no reference row covers */
	int64_t occupation_closed; /* closed codes or a retired matrix */
	bool no_change;            /* nothing to write: nothing was */
	int64_t import_id;
	int64_t audit_seq;
	struct orgstats_report stats;
	int64_t micros, micros_check, micros_plan, micros_write;
	struct import_problems problems;
};

/* people_import: import the staff extract at path (see the design note).
 * CADRE_EINVAL with res->problems when the file is rejected; CADRE_EBUSY
 * when another import changed the staff meanwhile. */
int people_import(const struct actor *actor, struct store *db, const char *path,
                  const struct people_opts *opt, struct people_result *res, struct cadre_err *err);

/* people_person_key: the person key of a national identifier (n bytes):
 * HMAC-SHA256 under key of "cadre-person-v1:" and the identifier, its
 * first 16 bytes in lower-case hex (out: 33 bytes). */
void people_person_key(const unsigned char key[PEOPLE_KEY_BYTES], const char *ni, size_t n,
                       char out[33]);

/* ---- read-outs -------------------------------------------------------------------- */

enum people_by {
	PEOPLE_BY_NONE = 0,
	PEOPLE_BY_STAFF_GROUP,
	PEOPLE_BY_GRADE, /* the grade's band: AFC-5, MED-CONS, VSM */
	PEOPLE_BY_PROFESSION,
};

struct people_line {
	char key[48];      /* group code, grade band, profession ("none" when absent) */
	int64_t headcount; /* distinct people in this line */
	double fte;
	int64_t assignments;
	int64_t fallback_assignments; /* staff group by Cadre's fallback (staff-group lines) */
};

struct people_summary {
	struct org_node org;
	char as_of[11];
	int month;         /* the hierarchy month used */
	bool from_stats;   /* read from org_stats_staff (else computed) */
	int64_t headcount; /* distinct people in post */
	double fte;
	int64_t assignments;   /* in-post assignments counted */
	int64_t excluded_bank; /* bank assignments active that day, not counted */
	int64_t excluded_honorary;
	int64_t fallback_assignments;
	enum people_by by;
	struct people_line *lines; /* by key */
	size_t nlines;
};

/* people_summary: staff in post under the node with this code on as_of
 * ("YYYY-MM-DD"; NULL: the latest extract date held): headcount as
 * distinct people, FTE, optionally broken down.  Staff in post counts
 * permanent, fixed-term and locum assignments active that day (start <=
 * day <= end), never bank or honorary.  The month-end figures by staff
 * group come from org_stats_staff when they are current; other days and
 * breakdowns are computed from the staff tables.  CADRE_ENOTFOUND for an
 * unknown node or one outside the actor's scope.  Free with
 * people_summary_free. */
int people_summary(const struct actor *actor, struct store *db, const char *code, const char *as_of,
                   enum people_by by, struct people_summary *out, struct cadre_err *err);

void people_summary_free(struct people_summary *s);

/* people_latest_extract: the latest extract date held (out: 11 bytes; ""
 * when none). */
int people_latest_extract(const struct actor *actor, struct store *db, char *out,
                          struct cadre_err *err);

#endif
