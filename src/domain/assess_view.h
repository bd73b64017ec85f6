/* assess_view: small reads the results pages need that assess.h does not
 * offer: a round named by its id (the web addresses use ids).
 *
 * Design note
 * - The web pages address a round as /assess/rounds/ID; every other read
 *   (report, benchmark, actions) names it by organisation, period and
 *   toolkit (struct assess_ref).  assess_view_round turns the id into
 *   that reference; the domain call that follows checks the actor's right
 *   to the round again, so this read decides nothing about access.
 * - assess_view_round_org is for the router's ORG: lookup (no actor: the
 *   router then checks the permission against the organisation). */
#ifndef CADRE_DOMAIN_ASSESS_VIEW_H
#define CADRE_DOMAIN_ASSESS_VIEW_H

#include <stdint.h>

#include "base/err.h"
#include "domain/org.h"
#include "domain/toolkit.h"

struct store;

/* assess_view_round: a round as its id names it. */
struct assess_view_round {
	int64_t id;
	int64_t org_id;
	char org[ORG_CODE_MAX];
	int period; /* 2025 for 2025/26 */
	char toolkit[TOOLKIT_ID_MAX];
	char status[16]; /* open, closed, signed_off */
};

/* assess_view_round_org: the organisation of round id (CADRE_ENOTFOUND
 * when there is none). */
int assess_view_round_org(struct store *db, int64_t id, int64_t *org_id, struct cadre_err *err);

/* assess_view_round: round id into *out (CADRE_ENOTFOUND when there is
 * none).  No access check: the caller passes out's reference to an
 * assess.h function, which checks the actor. */
int assess_view_round(struct store *db, int64_t id, struct assess_view_round *out,
                      struct cadre_err *err);

/* assess_view_latest_period: the latest period (2025 for 2025/26) in
 * which the organisation with code, or one below it, has a round that is
 * no longer open; 0 when there is none.  For a benchmark's default period:
 * it reveals nothing the benchmark itself would not. */
int assess_view_latest_period(struct store *db, const char *code, int *period,
                              struct cadre_err *err);

#endif
