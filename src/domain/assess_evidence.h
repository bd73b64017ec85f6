/* assess_evidence: the automatic evidence providers that read the staff
 * extract, the establishment ledger and temporary staffing (the people
 * area), for the registry in assess.c (assess_evidence_providers[]).
 *
 * Design note
 * - Each provider takes the same figure the people area's read-outs give
 *   (quality_report, vacancy_report, tempstaff_report) for the
 *   organisation and a month of the period, never a figure of its own
 *   making, so the evidence beside a statement equals what `cadre
 *   quality` and `cadre kpi vacancies|temporary-staffing` print.  The
 *   rules (which day or month, when it is a concern) are in
 *   docs/toolkits.md, "Automatic evidence".
 * - The staff extract evidence is read on the latest extract date held,
 *   or the period's last day when the latest extract is later; the ledger
 *   evidence in the latest month at or before the period's end for which
 *   the organisation's subtree has establishment (or temporary staffing).
 * - No data is "not available: reason" with no value (ev_unavailable),
 *   never a made-up number. */
#ifndef CADRE_DOMAIN_ASSESS_EVIDENCE_H
#define CADRE_DOMAIN_ASSESS_EVIDENCE_H

#include "base/err.h"
#include "domain/actor.h"
#include "domain/assess.h"
#include "domain/org.h"

struct store;

/* the concern thresholds (docs/toolkits.md) */
#define ASSESS_EV_COMPLETE_MIN   95.0 /* % of records with an identifier */
#define ASSESS_EV_ETHNICITY_MAX  10.0 /* % unknown */
#define ASSESS_EV_DISABILITY_MAX 20.0 /* % not declared */
#define ASSESS_EV_RECONCILED_MIN 90.0 /* % of cost centres reconciled */

/* Each has the assess_evidence_fn signature; out is zeroed with its key
 * set by the caller (assess.c's evidence_for). */
int assess_ev_completeness(const struct actor *actor, struct store *db, const struct org_node *org,
                           int period, struct assess_evidence *out, struct cadre_err *err);
int assess_ev_ethnicity(const struct actor *actor, struct store *db, const struct org_node *org,
                        int period, struct assess_evidence *out, struct cadre_err *err);
int assess_ev_disability(const struct actor *actor, struct store *db, const struct org_node *org,
                         int period, struct assess_evidence *out, struct cadre_err *err);
int assess_ev_quality_findings(const struct actor *actor, struct store *db,
                               const struct org_node *org, int period, struct assess_evidence *out,
                               struct cadre_err *err);
int assess_ev_reconciled(const struct actor *actor, struct store *db, const struct org_node *org,
                         int period, struct assess_evidence *out, struct cadre_err *err);
int assess_ev_vacancy(const struct actor *actor, struct store *db, const struct org_node *org,
                      int period, struct assess_evidence *out, struct cadre_err *err);
int assess_ev_temporary(const struct actor *actor, struct store *db, const struct org_node *org,
                        int period, struct assess_evidence *out, struct cadre_err *err);

/* assess_ev_vacancy_rate: the vacancy rate of a report, in percent to two
 * decimals, as `cadre kpi vacancies` computes it (0 without establishment). */
double assess_ev_vacancy_rate(int64_t vacancy_fte10k, int64_t establishment_wte100);

#endif
