#include "domain/actor.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return false;
	}
	return true;
}

struct actor actor_system(const char *name)
{
	struct actor a = {.kind = ACTOR_SYSTEM};
	if (name_ok(name))
		(void)snprintf(a.label, sizeof a.label, "system:%s", name);
	return a;
}

struct actor actor_user(int64_t user_id, const struct actor_grant *grants, size_t ngrants)
{
	struct actor a = {.kind = ACTOR_USER, .user_id = user_id};
	if (user_id > 0)
		(void)snprintf(a.label, sizeof a.label, "user:%" PRId64, user_id);
	a.grants = ngrants ? grants : NULL;
	a.ngrants = grants ? ngrants : 0;
	return a;
}

const char *actor_label(const struct actor *a)
{
	return a->label;
}

bool actor_is_system(const struct actor *a)
{
	return a->kind == ACTOR_SYSTEM;
}

bool actor_has_grant(const struct actor *a, const char *role, int64_t org_id)
{
	for (size_t i = 0; i < a->ngrants; i++)
		if (a->grants[i].org_id == org_id && strcmp(a->grants[i].role, role) == 0)
			return true;
	return false;
}

int actor_check(const struct actor *a, struct cadre_err *err)
{
	if (!a)
		return cadre_err_set(err, CADRE_EINVAL, "no actor");
	size_t len = strnlen(a->label, sizeof a->label);
	if (len == 0 || len == sizeof a->label)
		return cadre_err_set(err, CADRE_EINVAL, "actor has no label");
	switch (a->kind) {
	case ACTOR_SYSTEM:
		if (strncmp(a->label, "system:", 7) != 0 || !name_ok(a->label + 7) ||
		    a->user_id != 0)
			return cadre_err_set(err, CADRE_EINVAL, "malformed system actor");
		break;
	case ACTOR_USER: {
		char want[ACTOR_LABEL_MAX];
		(void)snprintf(want, sizeof want, "user:%" PRId64, a->user_id);
		if (a->user_id <= 0 || strcmp(want, a->label) != 0)
			return cadre_err_set(err, CADRE_EINVAL, "malformed user actor");
		break;
	}
	default: return cadre_err_set(err, CADRE_EINVAL, "unknown actor kind %d", (int)a->kind);
	}
	if ((a->ngrants > 0) != (a->grants != NULL))
		return cadre_err_set(err, CADRE_EINVAL, "actor %s: grants and count disagree",
		                     a->label);
	for (size_t i = 0; i < a->ngrants; i++) {
		size_t rl = strnlen(a->grants[i].role, sizeof a->grants[i].role);
		if (rl == 0 || rl == sizeof a->grants[i].role)
			return cadre_err_set(err, CADRE_EINVAL, "actor %s: grant %zu has no role",
			                     a->label, i + 1);
	}
	return CADRE_OK;
}
