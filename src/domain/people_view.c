/* people_view: the staff list, a person's record and the subject access
 * export (see people_view.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "base/num.h"
#include "domain/audit.h"
#include "domain/people_view.h"
#include "domain/policy.h"
#include "store/store.h"

/* ---- statements -------------------------------------------------------- */

static const struct store_sql q_month = {
    .name = "pv_month",
    .sql = "SELECT MAX(month) FROM org_ancestor",
};

static const struct store_sql q_org_code = {
    .name = "pv_org_code",
    .sql = "SELECT id, code, name, kind FROM org WHERE code = $1",
};

static const struct store_sql q_org_id = {
    .name = "pv_org_id",
    .sql = "SELECT id, code, name, kind FROM org WHERE id = $1",
};

static const struct store_sql q_latest_extract = {
    .name = "pv_latest_extract",
    .sql = "SELECT MAX(extract_date) FROM staff_extract",
};

static const struct store_sql q_my_person = {
    .name = "pv_my_person",
    .sql = "SELECT person_id FROM account WHERE id = $1",
};

/* The list: $1 hierarchy month, $2 the organisation whose subtree is
 * listed, $3-$7 the filters (NULL: not given; $7 the day "on"), $8 the
 * scope (0 the subtree, 1 self, 2 reports), $9 the actor's person (0:
 * none), $10 the day a post must not have ended before (the day "on", else
 * the latest extract date: a fixed-term post ending next year is
 * current); the list adds $11/$12 the cursor (key, assignment id), $13
 * LIMIT, $14 OFFSET.
 * The recursive term is the reports relation of policy.c (open
 * assignments' manager references), UNION so a cycle in the data ends. */
#define PV_CTE                                                                                     \
	"WITH RECURSIVE r(pid) AS (SELECT CAST($9 AS BIGINT) UNION SELECT s2.person_id FROM r "    \
	"JOIN staff m ON m.person_id = r.pid JOIN assignment a2 ON a2.manager_staff_id = m.id "    \
	"AND a2.end_date IS NULL JOIN staff s2 ON s2.id = a2.staff_id) "
#define PV_FROM                                                                                    \
	"FROM org_ancestor x JOIN cost_centre c ON c.node_id = x.node_id "                         \
	"JOIN assignment a ON a.cost_centre_id = c.id JOIN staff s ON s.id = a.staff_id "          \
	"WHERE x.month = $1 AND x.ancestor_id = $2 "                                               \
	"AND (CAST($3 AS TEXT) IS NULL OR a.staff_group = $3) "                                    \
	"AND (CAST($4 AS TEXT) IS NULL OR a.grade = $4 OR a.grade_band = $4) "                     \
	"AND (CAST($5 AS TEXT) IS NULL OR s.profession = $5) "                                     \
	"AND (CAST($6 AS TEXT) IS NULL OR a.category = $6) "                                       \
	"AND (CAST($7 AS TEXT) IS NULL OR a.start_date <= $7) AND (a.end_date IS NULL OR "         \
	"a.end_date >= $10) "                                                                      \
	"AND ($8 = 0 OR ($8 = 1 AND s.person_id = $9) "                                            \
	"OR ($8 = 2 AND s.person_id <> $9 AND s.person_id IN (SELECT pid FROM r))) "
#define PV_COLS                                                                                    \
	"SELECT a.id, s.id, s.display_name, s.staff_ref, o.code, o.name, c.code, c.name, w.code, " \
	"w.name, a.position_ref, a.grade, a.staff_group, a.fte, a.category, a.start_date, "        \
	"a.end_date "
/* KEY and TYPE are SQL text pasted into string literals: they cannot be
 * parenthesised. */
/* NOLINTBEGIN(bugprone-macro-parentheses) */
#define PV_LIST(NAME, KEY, TYPE)                                                                   \
	{                                                                                          \
		.name = NAME,                                                                      \
		.sql = PV_CTE PV_COLS                                                              \
		    "FROM (SELECT a.id AS aid " PV_FROM "AND (CAST($11 AS " TYPE                   \
		    ") IS NULL OR " KEY " > $11 OR (" KEY " = $11 AND a.id > $12)) ORDER BY " KEY  \
		    ", a.id LIMIT $13 OFFSET $14) p "                                              \
		    "JOIN assignment a ON a.id = p.aid JOIN staff s ON s.id = a.staff_id "         \
		    "JOIN cost_centre c ON c.id = a.cost_centre_id JOIN org o ON o.id = a.org_id " \
		    "JOIN org w ON w.id = c.node_id ORDER BY " KEY ", a.id"                        \
	}

/* NOLINTEND(bugprone-macro-parentheses) */

#define KEY_NAME  "COALESCE(s.display_name, '')"
#define KEY_REF   "s.staff_ref"
#define KEY_GRADE "a.grade"
#define KEY_FTE   "a.fte"
#define KEY_START "a.start_date"

static const struct store_sql q_list[] = {
    [PEOPLE_SORT_NAME] = PV_LIST("pv_list_name", KEY_NAME, "TEXT"),
    [PEOPLE_SORT_STAFF_REF] = PV_LIST("pv_list_ref", KEY_REF, "TEXT"),
    [PEOPLE_SORT_GRADE] = PV_LIST("pv_list_grade", KEY_GRADE, "TEXT"),
    [PEOPLE_SORT_FTE] = PV_LIST("pv_list_fte", KEY_FTE, "DOUBLE PRECISION"),
    [PEOPLE_SORT_START] = PV_LIST("pv_list_start", KEY_START, "TEXT"),
};

static const struct store_sql q_count = {
    .name = "pv_count",
    .sql = PV_CTE "SELECT COUNT(*) " PV_FROM,
};

static const struct store_sql q_staff = {
    .name = "pv_staff",
    .sql = "SELECT s.id, s.org_id, s.staff_ref, s.person_id, s.birth_year, s.valid_from, "
           "s.display_name, s.sex, s.ethnic_category, s.disability, s.profession, "
           "s.registration_body, s.qualification_year, o.code, o.name, p.person_key "
           "FROM staff s JOIN org o ON o.id = s.org_id LEFT JOIN person p ON p.id = s.person_id "
           "WHERE s.id = $1",
};

static const struct store_sql q_staff_hist = {
    .name = "pv_staff_hist",
    .sql = "SELECT valid_from, valid_to, display_name, sex, ethnic_category, disability, "
           "profession, registration_body, qualification_year FROM staff_history "
           "WHERE staff_id = $1 ORDER BY valid_from",
};

static const struct store_sql q_assignments = {
    .name = "pv_assignments",
    .sql = "SELECT a.id, a.assignment_ref, o.code, o.name, a.start_date, a.end_date, "
           "a.leaving_reason, a.valid_from, c.code, c.name, w.code, w.name, a.position_ref, "
           "a.occupation_code, a.esr_staff_group, a.grade, a.grade_band, a.staff_group, "
           "a.staff_group_basis, a.contracted_hours, a.fte, a.category, a.manager_staff_id, "
           "a.training_stage, a.leadership_level FROM assignment a "
           "JOIN org o ON o.id = a.org_id JOIN cost_centre c ON c.id = a.cost_centre_id "
           "JOIN org w ON w.id = c.node_id WHERE a.staff_id = $1 "
           "ORDER BY CASE WHEN a.end_date IS NULL THEN 0 ELSE 1 END, a.start_date, a.id",
};

static const struct store_sql q_terms_hist = {
    .name = "pv_terms_hist",
    .sql = "SELECT h.valid_from, h.valid_to, c.code, c.name, w.code, w.name, h.position_ref, "
           "h.occupation_code, h.esr_staff_group, h.grade, h.grade_band, h.staff_group, "
           "h.staff_group_basis, h.contracted_hours, h.fte, h.category, h.manager_staff_id, "
           "h.training_stage, h.leadership_level FROM assignment_history h "
           "JOIN cost_centre c ON c.id = h.cost_centre_id JOIN org w ON w.id = c.node_id "
           "WHERE h.assignment_id = $1 ORDER BY h.valid_from",
};

static const struct store_sql q_nodes_within = {
    .name = "pv_nodes_within",
    .sql = "SELECT COUNT(*) FROM assignment a JOIN cost_centre c ON c.id = a.cost_centre_id "
           "JOIN org_ancestor x ON x.node_id = c.node_id WHERE a.staff_id = $1 "
           "AND x.month = $2 AND x.ancestor_id = $3",
};

static const struct store_sql q_manager = {
    .name = "pv_manager",
    .sql = "SELECT id, display_name, staff_ref FROM staff WHERE id = $1",
};

static const struct store_sql q_record_node = {
    .name = "pv_record_node",
    .sql = "SELECT c.node_id FROM assignment a JOIN cost_centre c ON c.id = a.cost_centre_id "
           "WHERE a.staff_id = $1 ORDER BY CASE WHEN a.end_date IS NULL THEN 0 ELSE 1 END, "
           "a.end_date DESC, a.id LIMIT 1",
};

static const struct store_sql q_staff_org = {
    .name = "pv_staff_org",
    .sql = "SELECT org_id FROM staff WHERE id = $1",
};

static const struct store_sql q_staff_by_ref = {
    .name = "pv_staff_by_ref",
    .sql = "SELECT s.id FROM staff s JOIN org o ON o.id = s.org_id "
           "WHERE o.code = $1 AND s.staff_ref = $2",
};

static const struct store_sql q_audit_about = {
    .name = "pv_audit_about",
    .sql = "SELECT seq, at_us, actor, action FROM audit_entry WHERE object = $1 ORDER BY seq",
};

static const struct store_sql q_accounts = {
    .name = "pv_accounts",
    .sql = "SELECT id, email, name, created_at, disabled FROM account WHERE person_id = $1 "
           "ORDER BY id",
};

static const struct store_sql q_other_records = {
    .name = "pv_other_records",
    .sql = "SELECT COUNT(*) FROM staff WHERE person_id = $1 AND id <> $2",
};

/* ---- small helpers ------------------------------------------------------ */

static json_t *col_str(struct store_stmt *st, int col)
{
	return store_col_is_null(st, col) ? json_null() : json_string(store_col_text(st, col));
}

static json_t *col_int(struct store_stmt *st, int col)
{
	return store_col_is_null(st, col) ? json_null() : json_integer(store_col_i64(st, col));
}

static json_t *col_num(struct store_stmt *st, int col)
{
	return store_col_is_null(st, col) ? json_null() : json_real(store_col_double(st, col));
}

/* one_i64: run a statement whose first row's first column is a number;
 * *found false (and *v 0) when there is no row or it is NULL. */
static int one_i64(struct store_stmt *st, int64_t *v, bool *found, struct cadre_err *err)
{
	*v = 0;
	*found = false;
	int rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return CADRE_OK;
	if (rc != CADRE_OK)
		return rc;
	if (!store_col_is_null(st, 0)) {
		*v = store_col_i64(st, 0);
		*found = true;
	}
	store_reset(st);
	return CADRE_OK;
}

static int hier_month(struct store *db, int64_t *month, struct cadre_err *err)
{
	struct store_stmt *st;
	bool found = false;
	int rc = store_prepare(db, &q_month, &st, err);
	return rc == CADRE_OK ? one_i64(st, month, &found, err) : rc;
}

static int my_person(const struct actor *actor, struct store *db, int64_t *person,
                     struct cadre_err *err)
{
	*person = 0;
	if (actor->kind != ACTOR_USER)
		return CADRE_OK;
	struct store_stmt *st;
	bool found = false;
	int rc = store_prepare(db, &q_my_person, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, actor->user_id);
	return one_i64(st, person, &found, err);
}

struct pv_org {
	int64_t id;
	char code[32];
	char name[256];
	char kind[16];
};

/* org_read: by code (code != NULL) or id. */
static int org_read(struct store *db, const char *code, int64_t id, struct pv_org *o,
                    struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, code ? &q_org_code : &q_org_id, &st, err);
	if (rc != CADRE_OK)
		return rc;
	if (code)
		store_bind_str(st, 1, code);
	else
		store_bind_i64(st, 1, id);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no organisation %s", code ? code : "");
	if (rc != CADRE_OK)
		return rc;
	o->id = store_col_i64(st, 0);
	(void)snprintf(o->code, sizeof o->code, "%s", store_col_text(st, 1));
	(void)snprintf(o->name, sizeof o->name, "%s", store_col_text(st, 2));
	(void)snprintf(o->kind, sizeof o->kind, "%s", store_col_text(st, 3));
	store_reset(st);
	return CADRE_OK;
}

/* person_level: may person-level data flow through a grant over o?  Only
 * at trust level or below (policy.h, scope person). */
static bool person_level(const struct pv_org *o)
{
	return strcmp(o->kind, "nation") != 0 && strcmp(o->kind, "region") != 0 &&
	       strcmp(o->kind, "icb") != 0;
}

enum pv_mode { PV_SUBTREE = 0, PV_SELF = 1, PV_REPORTS = 2, PV_NONE = 9 };

static const char *mode_name(enum pv_mode m)
{
	switch (m) {
	case PV_SUBTREE: return "org";
	case PV_SELF: return "self";
	case PV_REPORTS: return "reports";
	case PV_NONE: break;
	}
	return "none";
}

/* rule_mode: what a rule of scope s gives for people-level reading. */
static enum pv_mode rule_mode(const struct policy_rule *r, const struct pv_org *grant)
{
	if (!r || !r->allow)
		return PV_NONE;
	switch (r->scope) {
	case POLICY_SCOPE_PERSON: return person_level(grant) ? PV_SUBTREE : PV_NONE;
	case POLICY_SCOPE_SELF: return PV_SELF;
	case POLICY_SCOPE_REPORTS: return PV_REPORTS;
	default: return PV_NONE;
	}
}

/* list_mode: the best mode any grant of the actor gives over org (the
 * listed subtree).  *covered: some grant's subtree holds org at all. */
static int list_mode(const struct actor *actor, struct store *db, int64_t org, enum pv_mode *mode,
                     bool *covered, struct cadre_err *err)
{
	*mode = PV_NONE;
	*covered = false;
	if (actor_is_system(actor)) {
		*mode = PV_SUBTREE;
		*covered = true;
		return CADRE_OK;
	}
	for (size_t i = 0; i < actor->ngrants; i++) {
		const struct actor_grant *g = &actor->grants[i];
		bool within = false;
		int rc = policy_org_within(db, org, g->org_id, &within, err);
		if (rc != CADRE_OK)
			return rc;
		if (!within)
			continue;
		*covered = true;
		struct pv_org go;
		if ((rc = org_read(db, NULL, g->org_id, &go, err)) != CADRE_OK)
			return rc;
		enum pv_mode m = rule_mode(policy_rule_find(g->role, "people.read"), &go);
		if (m < *mode)
			*mode = m;
	}
	return CADRE_OK;
}

/* default_org: the first grant through which the actor reads people. */
static int default_org(const struct actor *actor, struct store *db, int64_t *org,
                       struct cadre_err *err)
{
	*org = 0;
	for (size_t i = 0; i < actor->ngrants; i++) {
		const struct actor_grant *g = &actor->grants[i];
		struct pv_org go;
		int rc = org_read(db, NULL, g->org_id, &go, err);
		if (rc != CADRE_OK)
			return rc;
		if (rule_mode(policy_rule_find(g->role, "people.read"), &go) != PV_NONE) {
			*org = g->org_id;
			return CADRE_OK;
		}
	}
	return CADRE_OK;
}

/* pv_staff: the scope-relevant facts of a staff record. */
struct pv_staff {
	int64_t id, org_id, person_id;
};

static int staff_facts(struct store *db, int64_t staff_id, struct pv_staff *s,
                       struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_staff, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, staff_id);
	rc = store_step(st, err);
	if (rc == CADRE_DONE)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such staff record");
	if (rc != CADRE_OK)
		return rc;
	s->id = store_col_i64(st, 0);
	s->org_id = store_col_i64(st, 1);
	s->person_id = store_col_i64(st, 3);
	store_reset(st);
	return CADRE_OK;
}

/* staff_under: does any assignment of s sit under org (or is s's employer
 * under it)? */
static int staff_under(struct store *db, const struct pv_staff *s, int64_t org, int64_t month,
                       bool *yes, struct cadre_err *err)
{
	int rc = policy_org_within(db, s->org_id, org, yes, err);
	if (rc != CADRE_OK || *yes)
		return rc;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_nodes_within, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, s->id);
	store_bind_i64(st, 2, month);
	store_bind_i64(st, 3, org);
	int64_t n;
	bool found = false;
	if ((rc = one_i64(st, &n, &found, err)) != CADRE_OK)
		return rc;
	*yes = n > 0;
	return CADRE_OK;
}

/* staff_allowed: may actor use permission on staff record s? */
static int staff_allowed(const struct actor *actor, struct store *db, const char *permission,
                         const struct pv_staff *s, bool *yes, struct cadre_err *err)
{
	*yes = actor_is_system(actor);
	if (*yes)
		return CADRE_OK;
	int64_t month, me;
	int rc = hier_month(db, &month, err);
	if (rc == CADRE_OK)
		rc = my_person(actor, db, &me, err);
	for (size_t i = 0; rc == CADRE_OK && i < actor->ngrants && !*yes; i++) {
		const struct actor_grant *g = &actor->grants[i];
		const struct policy_rule *r = policy_rule_find(g->role, permission);
		if (!r || !r->allow)
			continue;
		struct pv_org go;
		bool under = false;
		if ((rc = org_read(db, NULL, g->org_id, &go, err)) != CADRE_OK)
			break;
		if ((rc = staff_under(db, s, g->org_id, month, &under, err)) != CADRE_OK || !under)
			continue;
		switch (rule_mode(r, &go)) {
		case PV_SUBTREE: *yes = true; break;
		case PV_SELF: *yes = me != 0 && me == s->person_id; break;
		case PV_REPORTS:
			if (me != 0 && me != s->person_id)
				rc = policy_reports_contains(db, policy_reports_edges, me,
				                             s->person_id, yes, err);
			break;
		case PV_NONE: break;
		}
	}
	return rc;
}

/* ---- the list ----------------------------------------------------------- */

static const char *const sort_names[] = {
    [PEOPLE_SORT_NAME] = "name",        [PEOPLE_SORT_STAFF_REF] = "staff_ref",
    [PEOPLE_SORT_GRADE] = "grade",      [PEOPLE_SORT_FTE] = "fte",
    [PEOPLE_SORT_START] = "start_date",
};

bool people_sort_parse(const char *s, enum people_sort *out)
{
	for (size_t i = 0; i < sizeof sort_names / sizeof sort_names[0]; i++)
		if (s && strcmp(s, sort_names[i]) == 0) {
			*out = (enum people_sort)i;
			return true;
		}
	return false;
}

const char *people_sort_name(enum people_sort s)
{
	return (size_t)s < sizeof sort_names / sizeof sort_names[0] ? sort_names[s] : "name";
}

/* charset: every byte of s (1..max bytes) is in set. */
static bool charset(const char *s, const char *set, size_t max)
{
	size_t n = strlen(s);
	return n >= 1 && n <= max && strspn(s, set) == n;
}

#define UPPER  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define LOWER  "abcdefghijklmnopqrstuvwxyz"
#define DIGITS "0123456789"

static int bad(const char **field, const char *name, struct cadre_err *err, const char *why)
{
	if (field)
		*field = name;
	return cadre_err_set(err, CADRE_EINVAL, "%s: %s", name, why);
}

static int check_query(const struct people_query *q, const char **field, struct cadre_err *err)
{
	if (q->org && !charset(q->org, UPPER DIGITS, 15))
		return bad(field, "org", err, "an organisation code is capital letters and digits");
	if (q->staff_group && !charset(q->staff_group, UPPER DIGITS "_", 32))
		return bad(field, "staff_group", err,
		           "a staff group code is capital letters and '_', for example NURSE_HV");
	if (q->grade && !charset(q->grade, UPPER DIGITS "-", 32))
		return bad(field, "grade", err,
		           "a grade is capital letters, digits and '-', for example AFC-5");
	if (q->profession && !charset(q->profession, LOWER DIGITS "_", 64))
		return bad(field, "profession", err,
		           "a profession is lower-case letters and '_', for example nursing_adult");
	if (q->category && strcmp(q->category, "permanent") != 0 &&
	    strcmp(q->category, "fixed_term") != 0 && strcmp(q->category, "bank") != 0 &&
	    strcmp(q->category, "honorary") != 0 && strcmp(q->category, "locum") != 0)
		return bad(field, "category", err,
		           "one of permanent, fixed_term, bank, honorary, locum");
	if (q->on) {
		struct date d;
		struct cadre_err e;
		if (strlen(q->on) != 10 || date_parse_iso(q->on, 10, &d, &e) != CADRE_OK)
			return bad(field, "on", err,
			           "a date as YYYY-MM-DD, for example 2025-03-31");
	}
	if (q->limit > PEOPLE_LIST_LIMIT_MAX)
		return bad(field, "limit", err, "a whole number from 1 to 200");
	if (q->page < 0 || q->page > PEOPLE_LIST_PAGE_MAX)
		return bad(field, "page", err, "a whole number from 1 to 100000");
	if ((size_t)q->sort >= sizeof sort_names / sizeof sort_names[0])
		return bad(field, "sort", err, "one of name, staff_ref, grade, fte, start_date");
	return CADRE_OK;
}

/* The cursor: "<sort>.<assignment id>.<hex of the sort key>". */
#define CURSOR_MAX 160

static void cursor_make(enum people_sort sort, int64_t id, const char *key, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%d.%" PRId64 ".", (int)sort, id);
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; key[i] && n >= 0 && (size_t)n + 3 < cap; i++) {
		out[n++] = hex[(unsigned char)key[i] >> 4];
		out[n++] = hex[(unsigned char)key[i] & 15];
	}
	if (n >= 0 && (size_t)n < cap)
		out[n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* cursor_parse: into *id and key (decoded, NUL-terminated). */
static int cursor_parse(const char *c, enum people_sort sort, int64_t *id, char *key, size_t cap,
                        const char **field, struct cadre_err *err)
{
	const char *why = "not a cursor this list gave (start again from the first page)";
	size_t len = strlen(c);
	const char *d1 = strchr(c, '.');
	const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	if (len > CURSOR_MAX || !d1 || !d2 || d1 != c + 1 || c[0] != '0' + (int)sort)
		return bad(field, "cursor", err, why);
	struct cadre_err e;
	if (num_parse_i64_range(d1 + 1, (size_t)(d2 - d1 - 1), 1, INT64_MAX, id, &e) != CADRE_OK)
		return bad(field, "cursor", err, why);
	const char *h = d2 + 1;
	size_t hn = strlen(h);
	if (hn % 2 || hn / 2 + 1 > cap)
		return bad(field, "cursor", err, why);
	for (size_t i = 0; i < hn / 2; i++) {
		int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return bad(field, "cursor", err, why);
		key[i] = (char)(hi * 16 + lo);
	}
	key[hn / 2] = '\0';
	if (sort == PEOPLE_SORT_FTE) {
		double v;
		if (num_parse_double(key, strlen(key), &v, &e) != CADRE_OK)
			return bad(field, "cursor", err, why);
	}
	return CADRE_OK;
}

static void bind_filters(struct store_stmt *st, int64_t month, int64_t org,
                         const struct people_query *q, enum pv_mode mode, int64_t me,
                         const char *day)
{
	store_bind_str(st, 10, day);
	store_bind_i64(st, 1, month);
	store_bind_i64(st, 2, org);
	store_bind_str(st, 3, q->staff_group);
	store_bind_str(st, 4, q->grade);
	store_bind_str(st, 5, q->profession);
	store_bind_str(st, 6, q->category);
	store_bind_str(st, 7, q->on);
	store_bind_i64(st, 8, (int64_t)mode);
	store_bind_i64(st, 9, me);
}

static json_t *list_row(struct store_stmt *st)
{
	json_t *o = json_object();
	json_object_set_new(o, "assignment_id", col_int(st, 0));
	json_object_set_new(o, "staff_id", col_int(st, 1));
	json_object_set_new(o, "name", col_str(st, 2));
	json_object_set_new(o, "staff_ref", col_str(st, 3));
	json_object_set_new(o, "org_code", col_str(st, 4));
	json_object_set_new(o, "org_name", col_str(st, 5));
	json_object_set_new(o, "cost_centre", col_str(st, 6));
	json_object_set_new(o, "cost_centre_name", col_str(st, 7));
	json_object_set_new(o, "ward", col_str(st, 8));
	json_object_set_new(o, "ward_name", col_str(st, 9));
	json_object_set_new(o, "post", col_str(st, 10));
	json_object_set_new(o, "grade", col_str(st, 11));
	json_object_set_new(o, "staff_group", col_str(st, 12));
	json_object_set_new(o, "fte", col_num(st, 13));
	json_object_set_new(o, "category", col_str(st, 14));
	json_object_set_new(o, "start_date", col_str(st, 15));
	json_object_set_new(o, "end_date", col_str(st, 16));
	return o;
}

/* sort_key: the row's sort key as text (for the cursor). */
static void sort_key(struct store_stmt *st, enum people_sort sort, char *out, size_t cap)
{
	switch (sort) {
	case PEOPLE_SORT_NAME:
		(void)snprintf(out, cap, "%s",
		               store_col_is_null(st, 2) ? "" : store_col_text(st, 2));
		break;
	case PEOPLE_SORT_STAFF_REF: (void)snprintf(out, cap, "%s", store_col_text(st, 3)); break;
	case PEOPLE_SORT_GRADE: (void)snprintf(out, cap, "%s", store_col_text(st, 11)); break;
	case PEOPLE_SORT_FTE: (void)snprintf(out, cap, "%.17g", store_col_double(st, 13)); break;
	case PEOPLE_SORT_START: (void)snprintf(out, cap, "%s", store_col_text(st, 15)); break;
	}
}

int people_list(const struct actor *actor, struct store *db, const struct people_query *q,
                json_t **out, const char **field, struct cadre_err *err)
{
	*out = NULL;
	if (field)
		*field = NULL;
	int rc = actor_check(actor, err);
	if (rc == CADRE_OK)
		rc = check_query(q, field, err);
	if (rc != CADRE_OK)
		return rc;
	size_t limit = q->limit ? q->limit : PEOPLE_LIST_LIMIT_DEFAULT;
	int64_t page = q->page ? q->page : 1;
	int64_t cur_id = 0;
	char cur_key[CURSOR_MAX];
	if (q->cursor && (rc = cursor_parse(q->cursor, q->sort, &cur_id, cur_key, sizeof cur_key,
	                                    field, err)) != CADRE_OK)
		return rc;
	struct pv_org org = {0};
	if (q->org) {
		if ((rc = org_read(db, q->org, 0, &org, err)) != CADRE_OK)
			return rc == CADRE_ENOTFOUND ? cadre_err_set(err, CADRE_ENOTFOUND,
			                                             "no organisation %s", q->org)
			                             : rc;
	} else {
		int64_t id = 0;
		if (!actor_is_system(actor) && (rc = default_org(actor, db, &id, err)) != CADRE_OK)
			return rc;
		if (!id) {
			*out = json_pack("{s:n, s:s, s:i, s:[], s:s}", "org", "scope", "none",
			                 "count", 0, "people", "reason",
			                 actor_is_system(actor)
			                     ? "name an organisation"
			                     : "none of your roles reaches named staff records "
			                       "(only grants over a trust or below do)");
			return *out ? CADRE_OK : cadre_err_set(err, CADRE_EINTERNAL, "JSON failed");
		}
		if ((rc = org_read(db, NULL, id, &org, err)) != CADRE_OK)
			return rc;
	}
	enum pv_mode mode;
	bool covered;
	if ((rc = list_mode(actor, db, org.id, &mode, &covered, err)) != CADRE_OK)
		return rc;
	if (!covered)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no organisation %s", org.code);
	if (mode == PV_NONE)
		return cadre_err_set(err, CADRE_EPERM,
		                     "your roles over %s do not reach named staff records",
		                     org.code);
	int64_t month, me;
	if ((rc = hier_month(db, &month, err)) != CADRE_OK ||
	    (rc = my_person(actor, db, &me, err)) != CADRE_OK)
		return rc;
	/* posts not ended before the day asked, else the latest extract */
	char day[16] = "0000-00-00";
	struct store_stmt *st;
	if (q->on)
		(void)snprintf(day, sizeof day, "%s", q->on);
	else {
		if ((rc = store_prepare(db, &q_latest_extract, &st, err)) != CADRE_OK)
			return rc;
		if ((rc = store_step(st, err)) == CADRE_OK) {
			if (!store_col_is_null(st, 0))
				(void)snprintf(day, sizeof day, "%s", store_col_text(st, 0));
			store_reset(st);
		} else if (rc != CADRE_DONE)
			return rc;
	}
	/* the count */
	if ((rc = store_prepare(db, &q_count, &st, err)) != CADRE_OK)
		return rc;
	bind_filters(st, month, org.id, q, mode, me, day);
	int64_t count;
	bool found = false;
	if ((rc = one_i64(st, &count, &found, err)) != CADRE_OK)
		return rc;
	/* the page: one more row than asked, to know whether there is another */
	if ((rc = store_prepare(db, &q_list[q->sort], &st, err)) != CADRE_OK)
		return rc;
	bind_filters(st, month, org.id, q, mode, me, day);
	if (q->cursor) {
		if (q->sort == PEOPLE_SORT_FTE)
			store_bind_double(st, 11, strtod(cur_key, NULL));
		else
			store_bind_str(st, 11, cur_key);
		store_bind_i64(st, 12, cur_id);
	}
	store_bind_i64(st, 13, (int64_t)limit + 1);
	store_bind_i64(st, 14, q->cursor ? 0 : (page - 1) * (int64_t)limit);
	json_t *rows = json_array();
	char next[CURSOR_MAX * 2 + 32] = "";
	size_t n = 0;
	bool more = false;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (n == limit) { /* the extra row: there is another page */
			more = true;
			store_reset(st);
			rc = CADRE_DONE;
			break;
		}
		json_array_append_new(rows, list_row(st));
		if (++n == limit) {
			char key[CURSOR_MAX];
			sort_key(st, q->sort, key, sizeof key);
			if (strlen(key) * 2 + 24 < CURSOR_MAX)
				cursor_make(q->sort, store_col_i64(st, 0), key, next, sizeof next);
		}
	}
	if (rc != CADRE_DONE) {
		json_decref(rows);
		return rc;
	}
	*out = json_object();
	json_object_set_new(*out, "org",
	                    json_pack("{s:s, s:s}", "code", org.code, "name", org.name));
	json_object_set_new(*out, "scope", json_string(mode_name(mode)));
	json_object_set_new(*out, "count", json_integer(count));
	json_object_set_new(*out, "limit", json_integer((json_int_t)limit));
	json_object_set_new(*out, "page", q->cursor ? json_null() : json_integer(page));
	json_object_set_new(*out, "sort", json_string(people_sort_name(q->sort)));
	json_object_set_new(*out, "next_cursor", more && next[0] ? json_string(next) : json_null());
	json_object_set_new(*out, "people", rows);
	return CADRE_OK;
}

/* ---- a person's record -------------------------------------------------- */

const char *people_age_band(int birth_year, int year)
{
	static const char *const bands[] = {"21-25", "26-30", "31-35", "36-40", "41-45",
	                                    "46-50", "51-55", "56-60", "61-65", "66-70"};
	int age = year - birth_year;
	if (age <= 20)
		return "Under 21";
	if (age >= 71)
		return "71 and over";
	return bands[(age - 21) / 5];
}

/* terms: the terms columns of an assignment or history row, from column
 * c0 (cost centre code) on, into o. */
static void put_terms(json_t *o, struct store_stmt *st, int c0)
{
	json_object_set_new(o, "cost_centre", col_str(st, c0));
	json_object_set_new(o, "cost_centre_name", col_str(st, c0 + 1));
	json_object_set_new(o, "ward", col_str(st, c0 + 2));
	json_object_set_new(o, "ward_name", col_str(st, c0 + 3));
	json_object_set_new(o, "post", col_str(st, c0 + 4));
	json_object_set_new(o, "occupation_code", col_str(st, c0 + 5));
	json_object_set_new(o, "esr_staff_group", col_str(st, c0 + 6));
	json_object_set_new(o, "grade", col_str(st, c0 + 7));
	json_object_set_new(o, "grade_band", col_str(st, c0 + 8));
	json_object_set_new(o, "staff_group", col_str(st, c0 + 9));
	json_object_set_new(o, "staff_group_basis", col_str(st, c0 + 10));
	json_object_set_new(o, "contracted_hours", col_num(st, c0 + 11));
	json_object_set_new(o, "fte", col_num(st, c0 + 12));
	json_object_set_new(o, "category", col_str(st, c0 + 13));
	json_object_set_new(o, "manager_staff_id", col_int(st, c0 + 14));
	json_object_set_new(o, "training_stage", col_str(st, c0 + 15));
	json_object_set_new(o, "leadership_level", col_int(st, c0 + 16));
}

/* build: the record of staff_id.  full: the export (protected
 * characteristics, the person key); otherwise protected says whether to
 * show them.  Manager links are checked against actor. */
static int build(const struct actor *actor, struct store *db, int64_t staff_id, bool full,
                 bool protected, int year, json_t **out, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_staff, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, staff_id);
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE
		           ? cadre_err_set(err, CADRE_ENOTFOUND, "no such staff record")
		           : rc;
	json_t *o = json_object();
	int64_t person_id = store_col_i64(st, 3);
	int birth_year = (int)store_col_i64(st, 4);
	json_object_set_new(o, "id", json_integer(staff_id));
	json_object_set_new(o, "staff_ref", col_str(st, 2));
	json_object_set_new(o, "name", col_str(st, 6));
	json_object_set_new(o, "org",
	                    json_pack("{s:s, s:s}", "code", store_col_text(st, 13), "name",
	                              store_col_text(st, 14)));
	json_object_set_new(o, "attributes",
	                    json_pack("{s:o, s:o, s:o, s:o}", "valid_from", col_str(st, 5),
	                              "profession", col_str(st, 10), "registration_body",
	                              col_str(st, 11), "qualification_year", col_int(st, 12)));
	if (full || protected)
		json_object_set_new(o, "protected",
		                    json_pack("{s:i, s:s, s:o, s:o, s:o}", "birth_year", birth_year,
		                              "age_band", people_age_band(birth_year, year), "sex",
		                              col_str(st, 7), "ethnic_category", col_str(st, 8),
		                              "disability", col_str(st, 9)));
	else
		json_object_set_new(o, "protected", json_null());
	json_object_set_new(o, "protected_shown", json_boolean(full || protected));
	if (full) {
		json_object_set_new(o, "person_key", col_str(st, 15));
		json_object_set_new(
		    o, "national_identifier",
		    json_string("not held: Cadre keeps only the person key, an HMAC "
		                "of it under the deployment's key"));
	}
	store_reset(st);
	/* attribute versions */
	json_t *hist = json_array();
	json_object_set_new(o, "attribute_history", hist);
	if ((rc = store_prepare(db, &q_staff_hist, &st, err)) != CADRE_OK)
		goto fail;
	store_bind_i64(st, 1, staff_id);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		json_t *h = json_pack(
		    "{s:o, s:o, s:o, s:o, s:o, s:o}", "valid_from", col_str(st, 0), "valid_to",
		    col_str(st, 1), "name", col_str(st, 2), "profession", col_str(st, 6),
		    "registration_body", col_str(st, 7), "qualification_year", col_int(st, 8));
		if (full || protected) {
			json_object_set_new(h, "sex", col_str(st, 3));
			json_object_set_new(h, "ethnic_category", col_str(st, 4));
			json_object_set_new(h, "disability", col_str(st, 5));
		}
		json_array_append_new(hist, h);
	}
	if (rc != CADRE_DONE)
		goto fail;
	/* assignments, then each one's earlier terms */
	json_t *as = json_array();
	json_object_set_new(o, "assignments", as);
	if ((rc = store_prepare(db, &q_assignments, &st, err)) != CADRE_OK)
		goto fail;
	store_bind_i64(st, 1, staff_id);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		json_t *a = json_object();
		json_object_set_new(a, "id", col_int(st, 0));
		json_object_set_new(a, "assignment_ref", col_str(st, 1));
		json_object_set_new(a, "org_code", col_str(st, 2));
		json_object_set_new(a, "org_name", col_str(st, 3));
		json_object_set_new(a, "start_date", col_str(st, 4));
		json_object_set_new(a, "end_date", col_str(st, 5));
		json_object_set_new(a, "leaving_reason", col_str(st, 6));
		json_object_set_new(a, "current", json_boolean(store_col_is_null(st, 5)));
		json_object_set_new(a, "valid_from", col_str(st, 7));
		put_terms(a, st, 8);
		json_array_append_new(as, a);
	}
	if (rc != CADRE_DONE)
		goto fail;
	json_t *grades = json_array();
	json_object_set_new(o, "grade_history", grades);
	int64_t manager = 0;
	size_t i;
	json_t *a;
	json_array_foreach(as, i, a)
	{
		json_t *th = json_array();
		json_object_set_new(a, "terms_history", th);
		if ((rc = store_prepare(db, &q_terms_hist, &st, err)) != CADRE_OK)
			goto fail;
		store_bind_i64(st, 1, json_integer_value(json_object_get(a, "id")));
		while ((rc = store_step(st, err)) == CADRE_OK) {
			json_t *h = json_pack("{s:o, s:o}", "valid_from", col_str(st, 0),
			                      "valid_to", col_str(st, 1));
			put_terms(h, st, 2);
			json_array_append_new(th, h);
		}
		if (rc != CADRE_DONE)
			goto fail;
		/* grade history: consecutive versions with one grade make one line */
		const char *ref = json_string_value(json_object_get(a, "assignment_ref"));
		json_t *last = NULL;
		size_t k;
		json_t *h;
		json_array_foreach(th, k, h)
		{
			const char *g = json_string_value(json_object_get(h, "grade"));
			if (last &&
			    strcmp(json_string_value(json_object_get(last, "grade")), g) == 0) {
				json_object_set(last, "to", json_object_get(h, "valid_to"));
				continue;
			}
			last = json_pack("{s:s, s:s, s:O, s:O}", "assignment_ref", ref, "grade", g,
			                 "from", json_object_get(h, "valid_from"), "to",
			                 json_object_get(h, "valid_to"));
			json_array_append_new(grades, last);
		}
		const char *g = json_string_value(json_object_get(a, "grade"));
		if (last && strcmp(json_string_value(json_object_get(last, "grade")), g) == 0)
			json_object_set(last, "to", json_object_get(a, "end_date"));
		else
			json_array_append_new(
			    grades, json_pack("{s:s, s:s, s:O, s:O}", "assignment_ref", ref,
			                      "grade", g, "from", json_object_get(a, "valid_from"),
			                      "to", json_object_get(a, "end_date")));
		/* the manager: of the first current assignment that names one */
		json_t *m = json_object_get(a, "manager_staff_id");
		if (!manager && json_is_true(json_object_get(a, "current")) && json_is_integer(m))
			manager = json_integer_value(m);
	}
	/* manager, linked when the actor may open their record */
	json_object_set_new(o, "manager", json_null());
	if (manager) {
		if ((rc = store_prepare(db, &q_manager, &st, err)) != CADRE_OK)
			goto fail;
		store_bind_i64(st, 1, manager);
		rc = store_step(st, err);
		if (rc == CADRE_OK) {
			json_t *m = json_pack("{s:I, s:o, s:o}", "staff_id", (json_int_t)manager,
			                      "name", col_str(st, 1), "staff_ref", col_str(st, 2));
			store_reset(st);
			json_object_set_new(o, "manager", m);
			struct pv_staff ms = {0};
			bool linked = false;
			if ((rc = staff_facts(db, manager, &ms, err)) != CADRE_OK ||
			    (rc = staff_allowed(actor, db, "people.read", &ms, &linked, err)) !=
			        CADRE_OK)
				goto fail;
			json_object_set_new(m, "linked", json_boolean(linked));
		} else if (rc != CADRE_DONE) {
			goto fail;
		}
	}
	json_object_set_new(o, "person_id_internal", json_integer(person_id));
	*out = o;
	return CADRE_OK;
fail:
	json_decref(o);
	return rc;
}

int people_record_org(struct store *db, int64_t staff_id, int64_t *org_id, struct cadre_err *err)
{
	struct store_stmt *st;
	bool found = false;
	int rc = store_prepare(db, &q_record_node, &st, err);
	if (rc == CADRE_OK) {
		store_bind_i64(st, 1, staff_id);
		rc = one_i64(st, org_id, &found, err);
	}
	if (rc != CADRE_OK || found)
		return rc;
	if ((rc = store_prepare(db, &q_staff_org, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, staff_id);
	if ((rc = one_i64(st, org_id, &found, err)) != CADRE_OK)
		return rc;
	return found ? CADRE_OK : cadre_err_set(err, CADRE_ENOTFOUND, "no such staff record");
}

struct record_ctx {
	const struct actor *actor;
	const unsigned char *key;
	int64_t now_us;
	int64_t staff_id;
	json_t *out;
	/* the export */
	people_export_fn deliver;
	void *arg;
};

static int year_of(int64_t us)
{
	return date_ts_date(us).y;
}

static int record_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct record_ctx *c = arg;
	json_decref(c->out); /* a retried transaction starts again */
	c->out = NULL;
	struct pv_staff s = {0};
	bool may = false, prot = false;
	int rc = staff_facts(db, c->staff_id, &s, err);
	if (rc == CADRE_OK)
		rc = staff_allowed(c->actor, db, "people.read", &s, &may, err);
	if (rc != CADRE_OK)
		return rc;
	if (!may)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such staff record");
	if ((rc = staff_allowed(c->actor, db, "people.protected.read", &s, &prot, err)) != CADRE_OK)
		return rc;
	if ((rc = build(c->actor, db, c->staff_id, false, prot, year_of(c->now_us), &c->out,
	                err)) != CADRE_OK)
		return rc;
	json_object_del(c->out, "person_id_internal");
	char object[40];
	(void)snprintf(object, sizeof object, "staff:%" PRId64, c->staff_id);
	json_t *p =
	    json_pack("{s:I, s:b}", "staff_id", (json_int_t)c->staff_id, "protected_shown", prot);
	struct audit_change ch = {
	    .at_us = c->now_us, .action = "people.read", .object = object, .payload = p};
	int64_t seq = 0;
	rc = audit_append(c->actor, db, c->key, &ch, &seq, err);
	json_decref(p);
	if (rc == CADRE_OK)
		json_object_set_new(c->out, "audit_seq", json_integer(seq));
	return rc;
}

int people_record(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                  const struct clock *clk, int64_t staff_id, json_t **out, struct cadre_err *err)
{
	*out = NULL;
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!audit_key)
		return cadre_err_set(err, CADRE_EINTERNAL, "no audit key: reads cannot be audited");
	struct record_ctx c = {
	    .actor = actor, .key = audit_key, .now_us = clock_now(clk), .staff_id = staff_id};
	rc = store_tx_run(db, STORE_TX_WRITE, record_tx, &c, err);
	if (rc != CADRE_OK) {
		json_decref(c.out);
		return rc;
	}
	*out = c.out;
	return CADRE_OK;
}

/* ---- the subject access export ------------------------------------------ */

int people_export_staff_id(const struct actor *actor, struct store *db, const char *org_code,
                           const char *staff_ref, int64_t *staff_id, struct cadre_err *err)
{
	*staff_id = 0;
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st;
	bool found = false;
	if ((rc = store_prepare(db, &q_staff_by_ref, &st, err)) != CADRE_OK)
		return rc;
	store_bind_str(st, 1, org_code);
	store_bind_str(st, 2, staff_ref);
	if ((rc = one_i64(st, staff_id, &found, err)) != CADRE_OK)
		return rc;
	struct pv_staff s = {0};
	bool may = false;
	if (found && (rc = staff_facts(db, *staff_id, &s, err)) == CADRE_OK)
		rc = staff_allowed(actor, db, "people.export", &s, &may, err);
	if (rc != CADRE_OK)
		return rc;
	if (!found || !may) {
		*staff_id = 0;
		return cadre_err_set(err, CADRE_ENOTFOUND, "no staff record %s at %s", staff_ref,
		                     org_code);
	}
	return CADRE_OK;
}

static int export_extra(struct store *db, json_t *o, int64_t staff_id, int64_t person_id,
                        struct cadre_err *err)
{
	struct store_stmt *st;
	char object[40];
	(void)snprintf(object, sizeof object, "staff:%" PRId64, staff_id);
	json_t *audit = json_array();
	json_object_set_new(o, "audit_entries", audit);
	int rc = store_prepare(db, &q_audit_about, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, object);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		char when[DATE_TS_SIZE];
		date_ts_format(store_col_i64(st, 1), when);
		json_array_append_new(audit, json_pack("{s:I, s:s, s:s, s:s}", "seq",
		                                       (json_int_t)store_col_i64(st, 0), "at", when,
		                                       "actor", store_col_text(st, 2), "action",
		                                       store_col_text(st, 3)));
	}
	if (rc != CADRE_DONE)
		return rc;
	json_t *acc = json_array();
	json_object_set_new(o, "accounts", acc);
	if ((rc = store_prepare(db, &q_accounts, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, person_id);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		char when[DATE_TS_SIZE];
		date_ts_format(store_col_i64(st, 3), when);
		json_array_append_new(acc, json_pack("{s:I, s:s, s:s, s:s, s:b}", "id",
		                                     (json_int_t)store_col_i64(st, 0), "email",
		                                     store_col_text(st, 1), "name",
		                                     store_col_text(st, 2), "created_at", when,
		                                     "disabled", store_col_i64(st, 4) != 0));
	}
	if (rc != CADRE_DONE)
		return rc;
	if ((rc = store_prepare(db, &q_other_records, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, person_id);
	store_bind_i64(st, 2, staff_id);
	int64_t others;
	bool found = false;
	if ((rc = one_i64(st, &others, &found, err)) != CADRE_OK)
		return rc;
	json_object_set_new(o, "records_at_other_employers", json_integer(others));
	json_object_set_new(
	    o, "notes",
	    json_pack("[s, s, s]",
	              "records_at_other_employers counts this person's staff records held for "
	              "other employers (recognised by the person key); each employer answers for "
	              "its own records",
	              "assessments: self-assessment respondents are recorded by an identifier "
	              "given at invitation, not linked to staff records, so none are listed here",
	              "audit_entries are the entries whose object is this staff record: reads and "
	              "exports of it (who, when); imports are audited per file, not per person"));
	return CADRE_OK;
}

static int export_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct record_ctx *c = arg;
	json_decref(c->out);
	c->out = NULL;
	struct pv_staff s = {0};
	bool may = false;
	int rc = staff_facts(db, c->staff_id, &s, err);
	if (rc == CADRE_OK)
		rc = staff_allowed(c->actor, db, "people.export", &s, &may, err);
	if (rc != CADRE_OK)
		return rc;
	if (!may)
		return cadre_err_set(err, CADRE_ENOTFOUND, "no such staff record");
	json_t *rec = NULL;
	if ((rc = build(c->actor, db, c->staff_id, true, true, year_of(c->now_us), &rec, err)) !=
	    CADRE_OK)
		return rc;
	json_object_del(rec, "person_id_internal");
	c->out = json_object();
	char when[DATE_TS_SIZE];
	date_ts_format(c->now_us, when);
	json_object_set_new(c->out, "format", json_string("cadre-subject-access-v1"));
	json_object_set_new(c->out, "exported_at", json_string(when));
	json_object_set_new(c->out, "exported_by", json_string(actor_label(c->actor)));
	json_object_set_new(c->out, "record", rec);
	if ((rc = export_extra(db, c->out, c->staff_id, s.person_id, err)) != CADRE_OK)
		return rc;
	char *text = NULL;
	size_t len = 0;
	if ((rc = audit_canonical_json(c->out, &text, &len, err)) != CADRE_OK)
		return rc;
	char sha[AUDIT_HEX_LEN + 1];
	audit_sha256_hex(text, len, sha);
	char object[40];
	(void)snprintf(object, sizeof object, "staff:%" PRId64, c->staff_id);
	json_t *p = json_pack(
	    "{s:I, s:s, s:I, s:I, s:I}", "staff_id", (json_int_t)c->staff_id, "sha256", sha,
	    "assignments", (json_int_t)json_array_size(json_object_get(rec, "assignments")),
	    "attribute_versions",
	    (json_int_t)json_array_size(json_object_get(rec, "attribute_history")) + 1,
	    "audit_entries", (json_int_t)json_array_size(json_object_get(c->out, "audit_entries")));
	struct audit_change ch = {
	    .at_us = c->now_us, .action = "people.export", .object = object, .payload = p};
	rc = audit_append(c->actor, db, c->key, &ch, NULL, err);
	json_decref(p);
	if (rc == CADRE_OK)
		rc = c->deliver(text, len, c->arg, err);
	free(text);
	return rc;
}

int people_export(const struct actor *actor, struct store *db, const unsigned char *audit_key,
                  const struct clock *clk, int64_t staff_id, people_export_fn deliver, void *arg,
                  struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!audit_key)
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "no audit key: exports cannot be audited");
	struct record_ctx c = {.actor = actor,
	                       .key = audit_key,
	                       .now_us = clock_now(clk),
	                       .staff_id = staff_id,
	                       .deliver = deliver,
	                       .arg = arg};
	rc = store_tx_run(db, STORE_TX_WRITE, export_tx, &c, err);
	json_decref(c.out);
	return rc;
}
