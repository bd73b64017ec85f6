/* assess: self-assessment rounds: opening, inviting, answering, importing,
 * closing and signing off; automatic evidence; results, movement, action
 * plans, peer benchmarks and shared good practice.
 *
 * Design note (the rules in full: docs/toolkits.md)
 * - A round belongs to one organisation, one period (an NHS financial
 *   year, 2025 meaning 2025/26) and one toolkit, and is answered on the
 *   toolkit version current when it opened; later versions never change
 *   it.  Status: open -> closed -> signed_off.
 * - Respondents are invited into the round's groups (default: board
 *   members, senior leaders, line managers, workforce planners).  Today a
 *   respondent is an id given by the chief people officer (a group's
 *   selector is 'invited'); the staff extract will add selectors (by
 *   leadership level, by role) that fill a group from the extract, and the
 *   scoring, which sees only groups and respondents, will not change.
 * - Answers are drafts until the respondent submits; a respondent submits
 *   once.  Answers after close, a second submission, a score off the scale
 *   and an unknown statement are refused (CADRE_ECONFLICT for state,
 *   CADRE_EINVAL for content).  An offline CSV import is all-or-nothing with
 *   every problem as FILE:LINE:COLUMN.
 * - Closing freezes the automatic evidence (the registry below) into the
 *   round; signing off stores the results as signed (canonical JSON, its
 *   SHA-256) in an audited row.  Every change appends an audit entry in
 *   its own transaction.
 * - Results, status, benchmark and good practice are returned as JSON
 *   documents (jansson), the one shape the command line prints and the web
 *   pages render; the scoring itself is assess_results.h (pure).
 * - Permissions until accounts arrive: the system actor may do anything;
 *   a user needs a grant over the organisation or an ancestor, with role
 *   chief_people_officer to open, invite, close, plan actions and share,
 *   board_member to sign off, assessment_respondent (or
 *   chief_people_officer) to answer; any grant there to read. */
#ifndef CADRE_DOMAIN_ASSESS_H
#define CADRE_DOMAIN_ASSESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/audit.h"
#include "domain/import.h"
#include "domain/org.h"

struct store;

#define ASSESS_ID_MAX       64   /* respondent and group ids, NUL included */
#define ASSESS_NAME_MAX     200  /* a person's name as given, NUL included */
#define ASSESS_TEXT_MAX     4000 /* evidence, actions, notes, good practice: bytes */
#define ASSESS_GROUPS_MAX   12
#define ASSESS_INVITE_MAX   1000 /* respondents in one invitation */
#define ASSESS_IMPORT_MAX   ((size_t)16 * 1024 * 1024)
#define ASSESS_IMPORT_HDR   "respondent,group,statement,score,evidence"
#define ASSESS_RESULTS_FMT  "cadre-assess-results/1"
#define ASSESS_PRACTICE_MIN 4.0 /* a statement scored this or more may be shared */

/* assess_ref: which round: the organisation's ODS code, the financial
 * year (2025 for 2025/26) and the toolkit id (NULL: the organisation's
 * only round in that year). */
struct assess_ref {
	const char *org;
	int period;
	const char *toolkit;
};

/* assess_group_spec: a respondent group chosen for a round. */
struct assess_group_spec {
	const char *id;    /* [a-z0-9_-], 1..31 */
	const char *label; /* "Board members" */
};

/* the default groups: board, senior_leaders, line_managers,
 * workforce_planners */
extern const struct assess_group_spec assess_default_groups[];
extern const size_t assess_default_ngroups;

/* assess_open_req: what opening a round needs. */
struct assess_open_req {
	struct assess_ref ref;   /* toolkit NULL: the one toolkit for the org's level */
	int64_t toolkit_version; /* 0: the latest */
	const struct assess_group_spec *groups;
	size_t ngroups;        /* 0: the default groups */
	const char *opened_by; /* the chief people officer's name */
};

/* assess_open: open a round (CADRE_ECONFLICT when one exists for the
 * organisation, period and toolkit; CADRE_EINVAL when the toolkit does not
 * apply to the organisation's level).  *round_id (may be NULL) gets its id. */
int assess_open(const struct actor *actor, struct store *db, const unsigned char *key,
                const struct assess_open_req *req, const struct clock *clk, int64_t *round_id,
                struct cadre_err *err);

/* assess_invite: invite respondents ids[0..n-1] into group of an open
 * round.  An id already invited is a conflict (all or nothing). */
int assess_invite(const struct actor *actor, struct store *db, const unsigned char *key,
                  const struct assess_ref *ref, const char *group, const char *const *ids, size_t n,
                  const struct clock *clk, struct cadre_err *err);

/* assess_answer: save (as a draft) respondent's answer to statement:
 * score on the toolkit's scale, or 0 for skipped; evidence the
 * respondent's note (NULL or "" for none).  Saving again replaces it. */
int assess_answer(const struct actor *actor, struct store *db, const unsigned char *key,
                  const struct assess_ref *ref, const char *respondent, const char *statement,
                  int score, const char *evidence, const struct clock *clk, struct cadre_err *err);

/* assess_submit: submit respondent's answers (at least one).
 * CADRE_ECONFLICT when already submitted or the round is not open. */
int assess_submit(const struct actor *actor, struct store *db, const unsigned char *key,
                  const struct assess_ref *ref, const char *respondent, const struct clock *clk,
                  struct cadre_err *err);

/* assess_import_result: what an offline import did, or why it was refused. */
struct assess_import_result {
	int64_t rows;
	int64_t respondents; /* submitted by the file */
	int64_t invited;     /* of which new to the round */
	int64_t skipped;     /* answers left empty ("don't know") */
	char sha256[65];
	int64_t audit_seq;
	struct import_problems problems;
};

/* assess_import: import responses gathered offline (CSV with the header
 * ASSESS_IMPORT_HDR): each respondent's rows are their complete answers,
 * saved and submitted.  A respondent new to the round is invited into the
 * row's group.  Refused whole (CADRE_EINVAL, every problem in
 * res->problems as FILE:LINE:COLUMN) for any bad row. */
int assess_import(const struct actor *actor, struct store *db, const unsigned char *key,
                  const struct assess_ref *ref, const char *path, const struct clock *clk,
                  struct assess_import_result *res, struct cadre_err *err);

/* assess_close: close an open round, freezing its automatic evidence.
 * closed_by: the name of who closed it. */
int assess_close(const struct actor *actor, struct store *db, const unsigned char *key,
                 const struct assess_ref *ref, const char *closed_by, const struct clock *clk,
                 struct cadre_err *err);

/* assess_signoff_audit_table: the sign-off table's audit declaration
 * (round_id, signed_by, signed_us, results_sha256, results), for the
 * registry in audit_tables.c, so `cadre audit verify` checks live rows. */
extern const struct audit_table assess_signoff_audit_table;

/* assess_sign_off: a board member (by: their name) signs off a closed
 * round: the results document (assess_report_json's "results") is stored
 * in canonical form with its SHA-256, in an audited row.  sha256 (may be
 * NULL; 65 bytes) gets the hash. */
int assess_sign_off(const struct actor *actor, struct store *db, const unsigned char *key,
                    const struct assess_ref *ref, const char *by, const struct clock *clk,
                    char *sha256, struct cadre_err *err);

/* assess_status_json: the round and its participation by group (invited,
 * in progress, submitted), shown while it is open. *out: the caller's. */
int assess_status_json(const struct actor *actor, struct store *db, const struct assess_ref *ref,
                       json_t **out, struct cadre_err *err);

/* assess_report_json: {"results": ..., "signoff": ..., "actions": [...]}.
 * results is the document a board member signs (for a signed-off round,
 * exactly the stored one, its hash checked); signoff is null until then.
 * *out: the caller's. */
int assess_report_json(const struct actor *actor, struct store *db, const struct assess_ref *ref,
                       json_t **out, struct cadre_err *err);

/* assess_summary_markdown: the one-page board summary of a report as
 * Markdown, appended to out. */
int assess_summary_markdown(const json_t *report, struct buf *out, struct cadre_err *err);

/* assess_export_csv: a report's results as CSV (one row per overall,
 * factor, group and statement figure; the export writer's BOM, CRLF and
 * formula neutralisation), appended to out. */
int assess_export_csv(const json_t *report, struct buf *out, struct cadre_err *err);

/* assess_radar_html: a report's factor scores as a radar chart (this round
 * and, when there is one, the previous round), inline SVG followed by its
 * data table (io/chart.h), appended to out.  CADRE_EINVAL when a factor has
 * no score that may be shown. */
int assess_radar_html(const json_t *report, struct buf *out, struct cadre_err *err);

/* ---- action plan --------------------------------------------------------- */

/* assess_action_add: add an action on factor to the round's plan: owner
 * (a name), due date YYYY-MM-DD; status not_started.  *id (may be NULL)
 * gets its id. */
int assess_action_add(const struct actor *actor, struct store *db, const unsigned char *key,
                      const struct assess_ref *ref, const char *factor, const char *action,
                      const char *owner, const char *due, const struct clock *clk, int64_t *id,
                      struct cadre_err *err);

/* assess_action_update: set action id's status (not_started, in_progress,
 * done, dropped; NULL keeps it) and/or add a progress note (NULL: none). */
int assess_action_update(const struct actor *actor, struct store *db, const unsigned char *key,
                         int64_t id, const char *status, const char *note, const struct clock *clk,
                         struct cadre_err *err);

/* ---- good practice ------------------------------------------------------- */

/* assess_share: share evidence of good practice for a statement the
 * organisation scored ASSESS_PRACTICE_MIN or more in a closed or signed-off
 * round; named: whether others see the organisation's name.  Sharing again
 * replaces the text. */
int assess_share(const struct actor *actor, struct store *db, const unsigned char *key,
                 const struct assess_ref *ref, const char *statement, const char *text, bool named,
                 const char *by, const struct clock *clk, struct cadre_err *err);

/* assess_practice_json: shared good practice for a toolkit (statement
 * NULL: all), best score first; an organisation is named only when it
 * opted in. */
int assess_practice_json(const struct actor *actor, struct store *db, const char *toolkit,
                         const char *statement, json_t **out, struct cadre_err *err);

/* ---- peer benchmark ------------------------------------------------------ */

/* assess_benchmark_json: for the organisation and period: "organisations",
 * the named factor scores of the organisations below it (an ICB's trusts,
 * a region's trusts or ICBs) with each factor's distribution; and "self",
 * when it has its own round, its scores against each peer group above it
 * (its ICB's, its region's) with the other organisations anonymised:
 * values only, sorted per factor, suppressed under ASSESS_MIN_PEERS.
 * Rounds count once closed. */
int assess_benchmark_json(const struct actor *actor, struct store *db, const char *org, int period,
                          const char *toolkit, json_t **out, struct cadre_err *err);

/* ---- rounds by id, lists, questionnaires and invitations (the web) ------ */

/* assess_round_info: a round as the pages address it (by id). */
struct assess_round_info {
	int64_t id;
	int64_t org_id;
	char org[ORG_CODE_MAX];
	char org_name[ORG_NAME_MAX];
	int period;
	char toolkit[64];
	int64_t version;
	char status[16]; /* open, closed, signed_off */
};

/* assess_round_org: the organisation of round id (CADRE_ENOTFOUND when
 * there is none).  Plumbing for the router's scope check, which then
 * answers 404 for a round outside the actor's scope: no actor. */
int assess_round_org(struct store *db, int64_t id, int64_t *org_id, struct cadre_err *err);

/* assess_round_get: round id, for an actor with any grant over its
 * organisation (else CADRE_ENOTFOUND, as for no such round). */
int assess_round_get(const struct actor *actor, struct store *db, int64_t id,
                     struct assess_round_info *out, struct cadre_err *err);

/* assess_round_ref: the assess_ref naming r (pointing into r). */
struct assess_ref assess_round_ref(const struct assess_round_info *r);

/* assess_rounds_json: every round of an organisation the actor may read,
 * newest period first: [{id, org, org_name, org_kind, period, toolkit,
 * toolkit_version, toolkit_title, status, invited, in_progress, submitted}]
 * (participation in all, never by group).  *out: the caller's. */
int assess_rounds_json(const struct actor *actor, struct store *db, json_t **out,
                       struct cadre_err *err);

/* assess_self_respondent: the respondent id of the signed-in account (its
 * email address), into out.  CADRE_ENOTFOUND for the system actor or an
 * email that is not a respondent id. */
int assess_self_respondent(const struct actor *actor, struct store *db, char out[ASSESS_ID_MAX],
                           struct cadre_err *err);

/* assess_invitations_json: the open rounds the signed-in account is
 * invited to answer: [{id, org, org_name, period, toolkit, status, group,
 * state: not_started | in_progress | submitted}].  *out: the caller's. */
int assess_invitations_json(const struct actor *actor, struct store *db, json_t **out,
                            struct cadre_err *err);

/* assess_questionnaire_json: respondent's questionnaire for the round:
 * {round, respondent, group, state, submitted_at, scale [{value, label,
 * description}], factors [{id, title, description, statements [{id, text,
 * hint, levels [{value, label, descriptor}], score (0 skipped, null not
 * answered), evidence_note, evidence [{key, title, available, value,
 * unit, concern, text, source}]}]}], answered, statements}.  The
 * respondent answers for themselves (assess_self_respondent) or a chief
 * people officer for them; not invited is CADRE_ENOTFOUND. */
int assess_questionnaire_json(const struct actor *actor, struct store *db,
                              const struct assess_ref *ref, const char *respondent, json_t **out,
                              struct cadre_err *err);

/* assess_invite_propose: the people Cadre's data proposes for each group of
 * an open round (chief people officer): from accounts (by role, granted
 * over the organisation) and the staff extract (leadership level; line
 * managers: staff who manage someone in post), by group id (docs/
 * toolkits.md, "Inviting from Cadre's data"):
 * {round, as_of, groups [{id, label, rule, candidates [{id, name, source,
 * invited, elsewhere}], more}]}.  A person is proposed in the first group
 * of the round's order that takes them; one already invited is marked.
 * *out: the caller's. */
int assess_invite_propose(const struct actor *actor, struct store *db, const struct assess_ref *ref,
                          json_t **out, struct cadre_err *err);

#define ASSESS_PROPOSE_MAX 200 /* candidates listed per group */

/* the groups with leadership levels offered when opening a round:
 * leaders_l4, leaders_l3, leaders_l2 (see assess_invite.c) */
extern const struct assess_group_spec assess_level_groups[];
extern const size_t assess_level_ngroups;

/* ---- automatic evidence ------------------------------------------------- */

/* assess_evidence: one evidence key resolved for an organisation and
 * period.  When !available, text says "not available yet: reason" (or
 * "not available: reason" when the data could exist but is missing) and
 * no value is given: never a made-up number. */
struct assess_evidence {
	char key[48];
	bool available;
	bool has_value;
	double value;
	char unit[16];  /* "%", "FTE" */
	bool concern;   /* the data contradicts a good score (rule per key) */
	char text[400]; /* the figure in words, with its period */
	char source[200];
};

typedef int (*assess_evidence_fn)(const struct actor *actor, struct store *db,
                                  const struct org_node *org, int period,
                                  struct assess_evidence *out, struct cadre_err *err);

/* assess_evidence_provider: an entry of the registry. */
struct assess_evidence_provider {
	const char *key;
	const char *title;
	bool live;             /* computed from data Cadre holds today */
	assess_evidence_fn fn; /* NULL when not live */
	const char *reason;    /* when not live: why not yet */
};

extern const struct assess_evidence_provider assess_evidence_providers[];
extern const size_t assess_evidence_nproviders;

/* assess_evidence_find: the provider for key, or NULL. */
const struct assess_evidence_provider *assess_evidence_find(const char *key);

/* assess_evidence_resolve: resolve key for organisation org (ODS code) in
 * period.  A provider with no data fills out with available false. */
int assess_evidence_resolve(const struct actor *actor, struct store *db, const char *org,
                            int period, const char *key, struct assess_evidence *out,
                            struct cadre_err *err);

/* ---- demo ---------------------------------------------------------------- */

/* assess_demo_seed: completed, signed-off rounds for the organisations
 * orgs[0..norgs-1] in every period of periods[0..nperiods-1] (trusts: the
 * five-factor toolkit wfp-five-factor; ICBs and regions: the commissioning
 * competencies edu-commissioning, latest period only), with plausible
 * responses drawn deterministically from seed (rng substreams per
 * organisation and period), plus a few actions and shared good practice.
 * Loads the shipped toolkits first when they are not loaded.  Rounds that
 * already exist are left alone. */
int assess_demo_seed(const struct actor *actor, struct store *db, const unsigned char *key,
                     const char *const *orgs, size_t norgs, const int *periods, size_t nperiods,
                     uint64_t seed, const struct clock *clk, struct cadre_err *err);

#endif
