/* assess_view: a read the results pages need that assess.h does not
 * offer: the default period of a peer benchmark.
 *
 * Design note
 * - /assess/benchmark/CODE without ?period= shows the latest period in
 *   which the organisation, or one below it, has a round that is no longer
 *   open: the period a benchmark has figures for.  It reveals nothing the
 *   benchmark itself would not (which periods have closed rounds), and the
 *   benchmark that follows checks the actor as always.
 * - Rounds by id are assess.h's (assess_round_org, assess_round_get). */
#ifndef CADRE_DOMAIN_ASSESS_VIEW_H
#define CADRE_DOMAIN_ASSESS_VIEW_H

#include "base/err.h"

struct store;

/* assess_view_latest_period: the latest period (2025 for 2025/26) in
 * which the organisation with code, or one below it, has a round that is
 * no longer open; 0 when there is none (or no such organisation). */
int assess_view_latest_period(struct store *db, const char *code, int *period,
                              struct cadre_err *err);

#endif
