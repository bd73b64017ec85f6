/* assess_invite: proposing a round's respondents from Cadre's data, for
 * assess_invite_propose (assess.h), which checks the actor first.
 *
 * Design note
 * - A group's rule comes from its id: board (accounts granted board_member
 *   over the organisation), workforce_planners (workforce_planner),
 *   senior_leaders (staff in post at leadership level 3 or 4, and
 *   accounts granted chief_people_officer, director_of_nursing or
 *   medical_director), leaders_l2 .. leaders_l4 (staff in post at that
 *   level), line_managers (staff in post who manage someone in post, and
 *   accounts granted line_manager or ward_manager).  Any other group has
 *   no rule: the chief people officer names its members.
 * - Staff are read from the organisation's own staff extract on its
 *   extract date: assignments active that day whose category is in post
 *   (permanent, fixed term, locum).  A member of staff whose person has an
 *   account is proposed by the account's email (so they can answer when
 *   they sign in); others by "staff-" and their staff reference.
 * - A person is proposed once: in the first group of the round's order
 *   whose rule takes them. */
#ifndef CADRE_DOMAIN_ASSESS_INVITE_H
#define CADRE_DOMAIN_ASSESS_INVITE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct store;

struct assess_invite_group {
	const char *id;
	const char *label;
};

/* assess_invite_candidates: the proposals for groups g[0..n-1] of a round
 * of organisation org_id; invited[0..ninvited-1] are the respondents
 * already invited (marked, never proposed again).  *out (the caller's):
 * [{id, label, rule, candidates [{id, name, source, invited}], more}];
 * as_of (11 bytes) gets the extract date read ("" when none). */
int assess_invite_candidates(struct store *db, int64_t org_id, const struct assess_invite_group *g,
                             size_t n, const char *const *invited, size_t ninvited, char *as_of,
                             json_t **out, struct cadre_err *err);

#endif
