#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/account.h"
#include "domain/audit.h"
#include "domain/session.h"
#include "domain/token.h"
#include "testauth.h"
#include "testdomain.h"

#define MINUTE (INT64_C(60) * 1000000)

static const struct session_limits limits = {.idle_us = 30 * MINUTE,
                                             .absolute_us = 12 * 60 * MINUTE};

/* ---- ids and tokens (no database) -------------------------------------- */

static void test_ids_and_csrf(void **state)
{
	(void)state;
	unsigned char id[SESSION_ID_BYTES], back[SESSION_ID_BYTES];
	char text[SESSION_ID_TEXT], token[SESSION_CSRF_TEXT];
	for (int i = 0; i < SESSION_ID_BYTES; i++)
		id[i] = (unsigned char)i;
	session_id_encode(id, text);
	assert_string_equal(text, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
	assert_true(session_id_decode(text, strlen(text), back));
	assert_memory_equal(id, back, SESSION_ID_BYTES);
	/* forged or damaged cookies */
	assert_false(session_id_decode(text, 42, back));
	assert_false(session_id_decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", 44, back));
	assert_false(session_id_decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+", 43, back));
	assert_false(session_id_decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH h", 43, back));
	assert_false(session_id_decode("", 0, back));

	/* test vectors: BLAKE2b-256 of "cadre-csrf-v1" keyed with the id
	 * (Python: hashlib.blake2b(b"cadre-csrf-v1", key=..., digest_size=32)) */
	session_csrf_token(id, token);
	assert_string_equal(token,
	                    "2798fee0e65c67af1aa7ea044e3359ab8917a511a845187fee325c907d910aef");
	unsigned char zero[SESSION_ID_BYTES] = {0};
	session_csrf_token(zero, token);
	assert_string_equal(token,
	                    "93eb2d24d7643ac242f002d60cd7ce501a9880ec96e38b321c657a54f3a67078");
	assert_true(session_csrf_matches(zero, token));
	assert_false(session_csrf_matches(id, token));
	token[63] = '9';
	assert_false(session_csrf_matches(zero, token));
	assert_false(session_csrf_matches(zero, ""));
	assert_false(session_csrf_matches(zero, NULL));
	assert_false(session_csrf_matches(
	    zero, "93eb2d24d7643ac242f002d60cd7ce501a9880ec96e38b321c657a54f3a670780"));

	unsigned char a[SESSION_ID_BYTES], b[SESSION_ID_BYTES];
	session_id_new(a);
	session_id_new(b);
	assert_memory_not_equal(a, b, SESSION_ID_BYTES);
}

/* ---- sessions on both stores ------------------------------------------- */

static struct session_sign_in sign_in(struct testdomain *t, const char *email, const char *pw,
                                      const char *addr, const unsigned char *old)
{
	struct cadre_err e;
	struct session_sign_in out;
	struct session_credentials c = {
	    .email = email, .password = pw, .client_addr = addr, .old_id = old};
	if (session_sign_in(t->db, t->key, &c, &t->clk.clock, &out, &e) != CADRE_OK)
		fail_msg("session_sign_in: %s", e.msg);
	return out;
}

static enum session_status resume(struct testdomain *t, const unsigned char *id, struct session *s)
{
	struct cadre_err e;
	enum session_status why = SESSION_ACTIVE;
	int rc = session_resume(t->db, id, &limits, &t->clk.clock, s, &why, &e);
	if (rc != CADRE_OK && rc != CADRE_ENOTFOUND)
		fail_msg("session_resume: %s", e.msg);
	if (rc == CADRE_OK)
		assert_int_equal(why, SESSION_ACTIVE);
	else
		assert_int_not_equal(why, SESSION_ACTIVE);
	return why;
}

static int64_t last_seen(struct testdomain *t)
{
	static const struct store_sql q = {
	    .name = "t_last_seen",
	    .sql = "SELECT MAX(last_seen_at) FROM session WHERE ended_at IS NULL",
	};
	return testdomain_count(t->db, &q);
}

static void test_sign_in_and_fixation(void **state)
{
	struct testdomain *t = *state;
	testauth_build(t);
	int64_t id = testauth_user(t, "ada@example.org", "administrator", "RT1");
	struct session s;

	/* a cookie the browser had before (planted, or a pre-session id) */
	unsigned char planted[SESSION_ID_BYTES];
	session_id_new(planted);
	struct session_sign_in in =
	    sign_in(t, "ADA@example.org ", TESTAUTH_PASSWORD, "10.0.0.1", planted);
	assert_int_equal(in.outcome, SESSION_SIGNED_IN);
	assert_int_equal(in.account_id, id);
	assert_memory_not_equal(in.id, planted, SESSION_ID_BYTES);
	assert_int_equal(resume(t, planted, &s), SESSION_UNKNOWN);
	assert_int_equal(resume(t, in.id, &s), SESSION_ACTIVE);
	assert_int_equal(s.who.account.id, id);
	assert_int_equal(s.who.ngrants, 1);
	assert_string_equal(s.who.grants[0].role, "administrator");
	assert_false(s.rotated);
	session_free(&s);

	/* signing in again from that session ends it: a new id every time */
	struct session_sign_in again =
	    sign_in(t, "ada@example.org", TESTAUTH_PASSWORD, "10.0.0.1", in.id);
	assert_int_equal(again.outcome, SESSION_SIGNED_IN);
	assert_memory_not_equal(again.id, in.id, SESSION_ID_BYTES);
	assert_int_equal(resume(t, in.id, &s), SESSION_ENDED);
	assert_int_equal(resume(t, again.id, &s), SESSION_ACTIVE);
	session_free(&s);

	/* the database holds the id's hash only */
	char text[SESSION_ID_TEXT], hash[AUDIT_HEX_LEN + 1];
	session_id_encode(again.id, text);
	audit_sha256_hex(again.id, SESSION_ID_BYTES, hash);
	static const struct store_sql q_raw = {
	    .name = "t_raw",
	    .sql = "SELECT COUNT(*) FROM session WHERE id_hash = $1",
	};
	struct cadre_err e;
	struct store_stmt *st;
	assert_int_equal(store_prepare(t->db, &q_raw, &st, &e), CADRE_OK);
	store_bind_str(st, 1, hash);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	assert_int_equal(store_col_i64(st, 0), 1);
	store_reset(st);
	assert_int_equal(store_prepare(t->db, &q_raw, &st, &e), CADRE_OK);
	store_bind_str(st, 1, text);
	assert_int_equal(store_step(st, &e), CADRE_OK);
	assert_int_equal(store_col_i64(st, 0), 0);
	store_reset(st);

	/* signing out ends it, audited */
	struct actor who = actor_user(id, NULL, 0);
	assert_int_equal(session_sign_out(&who, t->db, t->key, again.id, &t->clk.clock, &e),
	                 CADRE_OK);
	assert_int_equal(resume(t, again.id, &s), SESSION_ENDED);
	assert_int_equal(testauth_audit_count(t, "signin"), 2);
	assert_int_equal(testauth_audit_count(t, "signout"), 1);
	struct audit_verify_result res;
	assert_int_equal(audit_verify(&t->sys, t->db, t->key, &res, &e), CADRE_OK);
	assert_true(res.ok);
}

static void test_refusals(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	testauth_build(t);
	int64_t id = testauth_user(t, "ada@example.org", "administrator", "RT1");
	struct account_new nopw = {.email = "nopw@example.org", .name = "N", .org_code = "RT1"};
	assert_int_equal(account_add(&t->sys, t->db, t->key, &nopw, &t->clk.clock, NULL, &e),
	                 CADRE_OK);
	assert_int_equal(sign_in(t, "ada@example.org", "wrong password!", "10.0.0.1", NULL).outcome,
	                 SESSION_REFUSED);
	assert_int_equal(
	    sign_in(t, "nobody@example.org", TESTAUTH_PASSWORD, "10.0.0.2", NULL).outcome,
	    SESSION_REFUSED);
	assert_int_equal(sign_in(t, "not an email", TESTAUTH_PASSWORD, "10.0.0.3", NULL).outcome,
	                 SESSION_REFUSED);
	assert_int_equal(sign_in(t, "nopw@example.org", "", "10.0.0.4", NULL).outcome,
	                 SESSION_REFUSED);
	assert_int_equal(
	    account_set_disabled(&t->sys, t->db, t->key, id, true, &t->clk.clock, NULL, &e),
	    CADRE_OK);
	assert_int_equal(sign_in(t, "ada@example.org", TESTAUTH_PASSWORD, "10.0.0.5", NULL).outcome,
	                 SESSION_REFUSED);
	assert_int_equal(testauth_audit_count(t, "signin.fail"), 5);
	assert_int_equal(testauth_audit_count(t, "signin"), 0);
	static const struct store_sql q_reasons = {
	    .name = "t_reasons",
	    .sql =
	        "SELECT COUNT(*) FROM audit_entry a JOIN audit_payload p ON p.seq = a.seq "
	        "WHERE a.action = 'signin.fail' AND a.actor = 'system:web' AND ("
	        "(a.object = 'account:1' AND p.payload LIKE '%\"reason\":\"password\"%') OR "
	        "(a.object = 'account:unknown' AND p.payload LIKE '%\"reason\":\"unknown\"%') OR "
	        "(a.object = 'account:2' AND p.payload LIKE '%\"reason\":\"no-password\"%') OR "
	        "(a.object = 'account:1' AND p.payload LIKE '%\"reason\":\"disabled\"%'))",
	};
	assert_int_equal(testdomain_count(t->db, &q_reasons), 5);
	/* no session was made */
	static const struct store_sql q_sessions = {.name = "t_sessions",
	                                            .sql = "SELECT COUNT(*) FROM session"};
	assert_int_equal(testdomain_count(t->db, &q_sessions), 0);
}

static void test_expiry_and_touch(void **state)
{
	struct testdomain *t = *state;
	testauth_build(t);
	testauth_user(t, "ada@example.org", "administrator", "RT1");
	struct session s;
	struct session_sign_in in = sign_in(t, "ada@example.org", TESTAUTH_PASSWORD, "a", NULL);
	int64_t t0 = clock_now(&t->clk.clock);
	assert_int_equal(last_seen(t), t0);
	/* within a minute, nothing is written */
	clock_manual_advance(&t->clk, 59 * 1000000);
	assert_int_equal(resume(t, in.id, &s), SESSION_ACTIVE);
	assert_int_equal(s.last_seen_at, t0);
	session_free(&s);
	assert_int_equal(last_seen(t), t0);
	clock_manual_advance(&t->clk, 1000000);
	assert_int_equal(resume(t, in.id, &s), SESSION_ACTIVE);
	session_free(&s);
	assert_int_equal(last_seen(t), t0 + MINUTE);
	/* idle: 30 minutes after the last write, less a microsecond, is fine */
	clock_manual_advance(&t->clk, 30 * MINUTE - 1);
	assert_int_equal(resume(t, in.id, &s), SESSION_ACTIVE);
	session_free(&s);
	assert_int_equal(last_seen(t), t0 + 31 * MINUTE - 1);
	clock_manual_advance(&t->clk, 30 * MINUTE);
	assert_int_equal(resume(t, in.id, &s), SESSION_IDLE);
	assert_int_equal(resume(t, in.id, &s), SESSION_ENDED);

	/* absolute: active every 20 minutes, still ended 12 hours after sign-in */
	struct session_sign_in in2 = sign_in(t, "ada@example.org", TESTAUTH_PASSWORD, "a", NULL);
	int64_t start = clock_now(&t->clk.clock);
	while (clock_now(&t->clk.clock) + 20 * MINUTE < start + 12 * 60 * MINUTE) {
		clock_manual_advance(&t->clk, 20 * MINUTE);
		assert_int_equal(resume(t, in2.id, &s), SESSION_ACTIVE);
		session_free(&s);
	}
	clock_manual_set(&t->clk, start + 12 * 60 * MINUTE);
	assert_int_equal(resume(t, in2.id, &s), SESSION_EXPIRED);
	assert_int_equal(resume(t, in2.id, &s), SESSION_ENDED);
}

/* A change of privilege gives the session a new id; the old one ends. */
static void test_rotation(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	testauth_build(t);
	int64_t id = testauth_user(t, "ada@example.org", "staff_member", "RT1");
	struct session s;
	struct session_sign_in in = sign_in(t, "ada@example.org", TESTAUTH_PASSWORD, "a", NULL);
	assert_int_equal(account_grant(&t->sys, t->db, t->key, id, "administrator", "RT1",
	                               &t->clk.clock, NULL, &e),
	                 CADRE_OK);
	clock_manual_advance(&t->clk, 1000000);
	assert_int_equal(resume(t, in.id, &s), SESSION_ACTIVE);
	assert_true(s.rotated);
	assert_memory_not_equal(s.id, in.id, SESSION_ID_BYTES);
	assert_int_equal(s.who.ngrants, 2);
	unsigned char next[SESSION_ID_BYTES];
	memcpy(next, s.id, SESSION_ID_BYTES);
	session_free(&s);
	assert_int_equal(resume(t, in.id, &s), SESSION_ENDED);
	assert_int_equal(resume(t, next, &s), SESSION_ACTIVE);
	assert_false(s.rotated);
	session_free(&s);
	/* the absolute limit still counts from sign-in */
	clock_manual_advance(&t->clk, 12 * 60 * MINUTE);
	assert_int_equal(resume(t, next, &s), SESSION_EXPIRED);
	/* disabling ends the sessions at once */
	struct session_sign_in in3 = sign_in(t, "ada@example.org", TESTAUTH_PASSWORD, "a", NULL);
	assert_int_equal(
	    account_set_disabled(&t->sys, t->db, t->key, id, true, &t->clk.clock, NULL, &e),
	    CADRE_OK);
	assert_int_equal(resume(t, in3.id, &s), SESSION_ENDED);
}

static void test_throttling(void **state)
{
	struct testdomain *t = *state;
	testauth_build(t);
	testauth_user(t, "ada@example.org", "administrator", "RT1");
	/* five wrong passwords from anywhere lock the account for the window */
	for (int i = 0; i < SESSION_THROTTLE_ACCOUNT; i++) {
		char addr[16];
		(void)snprintf(addr, sizeof addr, "10.0.0.%d", i);
		assert_int_equal(
		    sign_in(t, "ada@example.org", "wrong password!", addr, NULL).outcome,
		    SESSION_REFUSED);
		clock_manual_advance(&t->clk, MINUTE);
	}
	struct session_sign_in r =
	    sign_in(t, "Ada@Example.org", TESTAUTH_PASSWORD, "10.9.9.9", NULL);
	assert_int_equal(r.outcome, SESSION_THROTTLED);
	/* the window began 5 minutes ago: 10 minutes left */
	assert_int_equal(r.retry_after_s, 10 * 60);
	assert_int_equal(testauth_audit_count(t, "signin.fail"), 6);
	/* an email with no account is throttled the same way */
	for (int i = 0; i < SESSION_THROTTLE_ACCOUNT; i++)
		assert_int_equal(sign_in(t, "ghost@example.org", "x", "10.1.0.1", NULL).outcome,
		                 SESSION_REFUSED);
	assert_int_equal(sign_in(t, "ghost@example.org", "x", "10.1.0.1", NULL).outcome,
	                 SESSION_THROTTLED);
	/* after the window the right password works and clears the count */
	clock_manual_advance(&t->clk, 10 * MINUTE);
	assert_int_equal(sign_in(t, "ada@example.org", TESTAUTH_PASSWORD, "10.9.9.9", NULL).outcome,
	                 SESSION_SIGNED_IN);
	for (int i = 0; i < SESSION_THROTTLE_ACCOUNT - 1; i++)
		assert_int_equal(sign_in(t, "ada@example.org", "wrong", "10.9.9.9", NULL).outcome,
		                 SESSION_REFUSED);
	assert_int_equal(sign_in(t, "ada@example.org", TESTAUTH_PASSWORD, "10.9.9.9", NULL).outcome,
	                 SESSION_SIGNED_IN);

	/* one address guessing many accounts */
	clock_manual_advance(&t->clk, 20 * MINUTE);
	for (int i = 0; i < SESSION_THROTTLE_ADDRESS; i++) {
		char email[32];
		(void)snprintf(email, sizeof email, "u%d@example.org", i);
		assert_int_equal(sign_in(t, email, "guess", "192.0.2.7", NULL).outcome,
		                 SESSION_REFUSED);
	}
	assert_int_equal(
	    sign_in(t, "ada@example.org", TESTAUTH_PASSWORD, "192.0.2.7", NULL).outcome,
	    SESSION_THROTTLED);
	/* another address is not held back */
	assert_int_equal(
	    sign_in(t, "ada@example.org", TESTAUTH_PASSWORD, "192.0.2.8", NULL).outcome,
	    SESSION_SIGNED_IN);
	struct cadre_err e;
	assert_int_equal(session_throttle_clear(&t->sys, t->db, &e), CADRE_OK);
	assert_int_equal(
	    sign_in(t, "ada@example.org", TESTAUTH_PASSWORD, "192.0.2.7", NULL).outcome,
	    SESSION_SIGNED_IN);
	struct actor user = actor_user(1, NULL, 0);
	assert_int_equal(session_throttle_clear(&user, t->db, &e), CADRE_EPERM);
}

static int count_tokens(const struct token_info *ti, void *arg, struct cadre_err *err)
{
	(void)ti;
	(void)err;
	(*(int *)arg)++;
	return CADRE_OK;
}

static void test_tokens(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	testauth_build(t);
	int64_t admin = testauth_user(t, "admin@example.org", "administrator", "Q1");
	int64_t client = testauth_user(t, "client@example.org", "workforce_planner", "RT1");
	int64_t other = testauth_user(t, "other@example.org", "workforce_planner", "RT3");
	struct account_identity aw;
	struct actor a = testauth_actor(t, admin, &aw);
	char secret[TOKEN_TEXT];
	int64_t tid;
	assert_int_equal(token_issue(&a, t->db, t->key, client, "nightly export", &t->clk.clock,
	                             secret, &tid, &e),
	                 CADRE_OK);
	assert_int_equal(strlen(secret), TOKEN_TEXT - 1);
	assert_int_equal(strncmp(secret, "cadre_", 6), 0);
	char unused[TOKEN_TEXT];
	assert_int_equal(
	    token_issue(&a, t->db, t->key, other, "x", &t->clk.clock, unused, NULL, &e),
	    CADRE_ENOTFOUND);
	assert_int_equal(
	    token_issue(&a, t->db, t->key, client, "", &t->clk.clock, unused, NULL, &e),
	    CADRE_EINVAL);
	struct account_identity who;
	assert_int_equal(token_authenticate(t->db, secret, &t->clk.clock, &who, &e), CADRE_OK);
	assert_int_equal(who.account.id, client);
	assert_int_equal(who.ngrants, 1);
	account_identity_free(&who);
	/* last use: written at most once a minute */
	static const struct store_sql q_used = {.name = "t_used",
	                                        .sql = "SELECT last_used_at FROM api_token"};
	int64_t t0 = clock_now(&t->clk.clock);
	assert_int_equal(testdomain_count(t->db, &q_used), t0);
	clock_manual_advance(&t->clk, 30 * 1000000);
	assert_int_equal(token_authenticate(t->db, secret, &t->clk.clock, &who, &e), CADRE_OK);
	account_identity_free(&who);
	assert_int_equal(testdomain_count(t->db, &q_used), t0);
	clock_manual_advance(&t->clk, 30 * 1000000);
	assert_int_equal(token_authenticate(t->db, secret, &t->clk.clock, &who, &e), CADRE_OK);
	account_identity_free(&who);
	assert_int_equal(testdomain_count(t->db, &q_used), t0 + MINUTE);
	/* the hash only */
	static const struct store_sql q_plain = {.name = "t_plain",
	                                         .sql = "SELECT COUNT(*) FROM api_token WHERE "
	                                                "token_hash LIKE 'cadre_%'"};
	assert_int_equal(testdomain_count(t->db, &q_plain), 0);
	/* wrong, damaged, revoked, disabled */
	char bad[TOKEN_TEXT];
	memcpy(bad, secret, sizeof bad);
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	assert_int_equal(token_authenticate(t->db, bad, &t->clk.clock, &who, &e), CADRE_ENOTFOUND);
	assert_int_equal(token_authenticate(t->db, "cadre_short", &t->clk.clock, &who, &e),
	                 CADRE_ENOTFOUND);
	int n = 0;
	assert_int_equal(token_list(&a, t->db, count_tokens, &n, &e), CADRE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(token_revoke(&a, t->db, t->key, tid, &t->clk.clock, &e), CADRE_OK);
	assert_int_equal(token_revoke(&a, t->db, t->key, tid, &t->clk.clock, &e), CADRE_OK);
	assert_int_equal(testauth_audit_count(t, "token.revoke"), 1);
	assert_int_equal(token_authenticate(t->db, secret, &t->clk.clock, &who, &e),
	                 CADRE_ENOTFOUND);
	char s2[TOKEN_TEXT];
	assert_int_equal(
	    token_issue(&t->sys, t->db, t->key, client, "second", &t->clk.clock, s2, NULL, &e),
	    CADRE_OK);
	assert_int_equal(
	    token_issue(&t->sys, t->db, t->key, other, "third", &t->clk.clock, unused, NULL, &e),
	    CADRE_OK);
	n = 0;
	assert_int_equal(token_list(&a, t->db, count_tokens, &n, &e), CADRE_OK);
	assert_int_equal(n, 2); /* not the one of the account outside the scope */
	n = 0;
	assert_int_equal(token_list(&t->sys, t->db, count_tokens, &n, &e), CADRE_OK);
	assert_int_equal(n, 3);
	assert_int_equal(
	    account_set_disabled(&t->sys, t->db, t->key, client, true, &t->clk.clock, NULL, &e),
	    CADRE_OK);
	assert_int_equal(token_authenticate(t->db, s2, &t->clk.clock, &who, &e), CADRE_ENOTFOUND);
	assert_int_equal(testauth_audit_count(t, "token.issue"), 3);
	account_identity_free(&aw);
}

#define BOTH(f)                                                                                    \
	cmocka_unit_test_setup_teardown(f, testdomain_setup_sqlite, testdomain_teardown),          \
	    cmocka_unit_test_setup_teardown(f, testdomain_setup_pg, testdomain_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ids_and_csrf),
	    BOTH(test_sign_in_and_fixation),
	    BOTH(test_refusals),
	    BOTH(test_expiry_and_touch),
	    BOTH(test_rotation),
	    BOTH(test_throttling),
	    BOTH(test_tokens),
	};
	return cmocka_run_group_tests_name("domain_session", tests, NULL, NULL);
}
