/* audit: docs/audit.md's test vectors, and the chain on both stores:
 * appends in the caller's transaction, concurrent appenders, tamper
 * detection naming the first bad entry, redaction, audited rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/date.h"
#include "domain/audit.h"
#include "domain/setting.h"
#include "testdomain.h"

/* ---- docs/audit.md, "Test vectors" -------------------------------------- */

static const char test_key_hex[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

struct vector {
	int64_t seq, at_us;
	const char *actor, *action, *object;
	const char *payload_json; /* parsed, then canonicalised by the code */
	const char *payload;      /* the canonical text expected */
	const char *payload_hash, *prev_hash, *hash, *mac;
};

static const struct vector vectors[] = {
    {1, INT64_C(1767225600000000), "system:cli", "org.import", "org:RXK",
     "{ \"rows\": 412, \"file_sha256\": "
     "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\" }",
     "{\"file_sha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\","
     "\"rows\":412}",
     "5aa8eb9c76b56ebfe33b46922221bd3c57e2c06bdc29ba4be94eddabef47d7fa",
     "0000000000000000000000000000000000000000000000000000000000000000",
     "c75d146b9a88099b5ece09379b82a55a52494429b0974c379971a68edc6369ec",
     "3fe55a6a221537c26bc449ca7efe5ce30e130956caf39c0dc267a103c7dcaab0"},
    {2, INT64_C(1767225601500000), "user:42", "grant.add", "user:7",
     "{\"role\":\"workforce_lead\",\"org\":\"RXK\"}",
     "{\"org\":\"RXK\",\"role\":\"workforce_lead\"}",
     "55d6603890868e85a22b4d28ed1ab06b0a1df4bec6b4716121eef5b39c9b5e2e",
     "c75d146b9a88099b5ece09379b82a55a52494429b0974c379971a68edc6369ec",
     "11135e1beb286225924181978bc99f815ca6e2c66230b107aa0727c0c48ef863",
     "e17a27f8b59daed3feda9aa33ac83aed677b416c5e2db86844b49c934656b06b"},
    {3, INT64_C(1767312000000001), "user:42", "decision.sign", "ward:T\xc5\xb7 Gwyn 7",
     "{\"outcome\":\"approved\",\"note\":\"Ward 7 \\u2014 establishment review\"}",
     "{\"note\":\"Ward 7 \xe2\x80\x94 establishment review\",\"outcome\":\"approved\"}",
     "9f664c5aab5b778d3a13ffe09f8dd3e668045b04822f82b290be3bb69d965176",
     "11135e1beb286225924181978bc99f815ca6e2c66230b107aa0727c0c48ef863",
     "c473f54d89d06897db1b7a38f256b2f774816c3d410eb5400ee79cca914d4ae4",
     "c98a093319584c2867a72a1ee4c94686fac8dfe330f2536477f752e844dd792b"},
};

static const char head_mac_3[] = "482647d59a87bc7e301c95f1216e8715efb6dce646b2f3121860673b0bc5c133";
static const char row_hash_setting[] =
    "d2d7d4bd009c392b99295d4af4943742f4cea7be07d20412a5ea3346b8725e43";

static void test_vectors(void **state)
{
	(void)state;
	struct cadre_err e;
	unsigned char key[AUDIT_KEY_BYTES];
	assert_int_equal(audit_key_parse(test_key_hex, key, &e), CADRE_OK);
	char prev[AUDIT_HEX_LEN + 1] =
	    "0000000000000000000000000000000000000000000000000000000000000000";
	for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		const struct vector *v = &vectors[i];
		json_t *p = json_loads(v->payload_json, 0, NULL);
		assert_non_null(p);
		char *text = NULL;
		size_t len = 0;
		assert_int_equal(audit_canonical_json(p, &text, &len, &e), CADRE_OK);
		assert_string_equal(text, v->payload);
		assert_int_equal(len, strlen(v->payload));
		struct audit_entry en = {.seq = v->seq,
		                         .at_us = v->at_us,
		                         .actor = v->actor,
		                         .action = v->action,
		                         .object = v->object};
		audit_sha256_hex(text, len, en.payload_hash);
		assert_string_equal(en.payload_hash, v->payload_hash);
		assert_string_equal(prev, v->prev_hash);
		memcpy(en.prev_hash, prev, sizeof prev);
		assert_int_equal(audit_entry_hash(&en, en.hash, &e), CADRE_OK);
		assert_string_equal(en.hash, v->hash);
		audit_entry_mac(key, en.seq, en.hash, en.mac);
		assert_string_equal(en.mac, v->mac);
		memcpy(prev, en.hash, sizeof prev);
		free(text);
		json_decref(p);
	}
	char mac[AUDIT_HEX_LEN + 1];
	audit_head_mac(key, 3, prev, mac);
	assert_string_equal(mac, head_mac_3);

	json_t *row = json_pack("{s:s, s:s, s:I}", "value", "8", "key", "retention.audit_years",
	                        "updated_at", (json_int_t)INT64_C(1767225600000000));
	char rh[AUDIT_HEX_LEN + 1];
	assert_int_equal(audit_row_digest("settings", row, rh, &e), CADRE_OK);
	assert_string_equal(rh, row_hash_setting);
	json_decref(row);
}

/* Each field counts: changing any one byte of any field changes the hash,
 * and the length prefixes keep "ab"+"c" apart from "a"+"bc". */
static void test_layout_separates_fields(void **state)
{
	(void)state;
	struct cadre_err e;
	struct audit_entry a = {.seq = 1, .at_us = 5, .actor = "ab", .action = "c", .object = "x"};
	memcpy(a.payload_hash, vectors[0].payload_hash, AUDIT_HEX_LEN + 1);
	memcpy(a.prev_hash, vectors[0].prev_hash, AUDIT_HEX_LEN + 1);
	struct audit_entry b = a;
	b.actor = "a";
	b.action = "bc";
	char ha[AUDIT_HEX_LEN + 1], hb[AUDIT_HEX_LEN + 1];
	assert_int_equal(audit_entry_hash(&a, ha, &e), CADRE_OK);
	assert_int_equal(audit_entry_hash(&b, hb, &e), CADRE_OK);
	assert_string_not_equal(ha, hb);
	b = a;
	b.seq = 2;
	assert_int_equal(audit_entry_hash(&b, hb, &e), CADRE_OK);
	assert_string_not_equal(ha, hb);
	b = a;
	b.at_us = 6;
	assert_int_equal(audit_entry_hash(&b, hb, &e), CADRE_OK);
	assert_string_not_equal(ha, hb);

	/* malformed fields are refused, not hashed */
	b = a;
	b.prev_hash[0] = 'A';
	assert_int_equal(audit_entry_hash(&b, hb, &e), CADRE_EINVAL);
	b = a;
	b.payload_hash[63] = '\0';
	assert_int_equal(audit_entry_hash(&b, hb, &e), CADRE_EINVAL);
	b = a;
	b.seq = 0;
	assert_int_equal(audit_entry_hash(&b, hb, &e), CADRE_EINVAL);
	b = a;
	b.at_us = -1;
	assert_int_equal(audit_entry_hash(&b, hb, &e), CADRE_EINVAL);

	/* the entry and head signatures are domain-separated */
	unsigned char key[AUDIT_KEY_BYTES];
	assert_int_equal(audit_key_parse(test_key_hex, key, &e), CADRE_OK);
	char m1[AUDIT_HEX_LEN + 1], m2[AUDIT_HEX_LEN + 1];
	audit_entry_mac(key, 1, ha, m1);
	audit_head_mac(key, 1, ha, m2);
	assert_string_not_equal(m1, m2);
}

static void test_key_parse_and_json(void **state)
{
	(void)state;
	struct cadre_err e;
	unsigned char key[AUDIT_KEY_BYTES];
	assert_int_equal(audit_key_parse("00", key, &e), CADRE_EINVAL);
	assert_int_equal(
	    audit_key_parse("zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", key,
	                    &e),
	    CADRE_EINVAL);
	assert_int_equal(audit_key_parse(test_key_hex, key, &e), CADRE_OK);
	assert_int_equal(key[0], 0);
	assert_int_equal(key[31], 0x1f);

	char *t = NULL;
	json_t *arr = json_array();
	assert_int_equal(audit_canonical_json(arr, &t, NULL, &e), CADRE_EINVAL);
	assert_null(t);
	json_decref(arr);
	/* nested objects are sorted too; '/' is not escaped; controls are */
	json_t *o = json_loads("{\"b\":{\"z\":1,\"a\":[true,null]},\"a\":\"x/y\\n\"}", 0, NULL);
	assert_int_equal(audit_canonical_json(o, &t, NULL, &e), CADRE_OK);
	assert_string_equal(t, "{\"a\":\"x/y\\n\",\"b\":{\"a\":[true,null],\"z\":1}}");
	free(t);
	json_decref(o);
}

/* ---- on both stores ------------------------------------------------------ */

/* append vector i in its own transaction, as actor */
static int64_t append_vector(struct testdomain *t, size_t i)
{
	struct cadre_err e;
	const struct vector *v = &vectors[i];
	struct actor a =
	    strcmp(v->actor, "system:cli") == 0 ? actor_system("cli") : actor_user(42, NULL, 0);
	json_t *p = json_loads(v->payload_json, 0, NULL);
	struct audit_change ch = {
	    .at_us = v->at_us, .action = v->action, .object = v->object, .payload = p};
	int64_t seq = 0;
	assert_int_equal(store_tx_begin(t->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(audit_append(&a, t->db, t->key, &ch, &seq, &e), CADRE_OK);
	assert_int_equal(store_tx_commit(t->db, &e), CADRE_OK);
	json_decref(p);
	return seq;
}

static void append_all_vectors(struct testdomain *t)
{
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(append_vector(t, i), (int64_t)i + 1);
}

static void verify_ok(struct testdomain *t, int64_t entries)
{
	struct cadre_err e;
	struct audit_verify_result r;
	assert_int_equal(audit_verify(&t->sys, t->db, t->key, &r, &e), CADRE_OK);
	if (!r.ok)
		fail_msg("verify: %s", r.reason);
	assert_int_equal(r.entries, entries);
	assert_int_equal(r.head_seq, entries);
	assert_true(r.signed_checked);
}

/* verify must fail naming bad_seq with exactly reason */
static void verify_bad(struct testdomain *t, int64_t bad_seq, const char *reason)
{
	struct cadre_err e;
	struct audit_verify_result r;
	assert_int_equal(audit_verify(&t->sys, t->db, t->key, &r, &e), CADRE_OK);
	assert_false(r.ok);
	assert_string_equal(r.reason, reason);
	assert_int_equal(r.bad_seq, bad_seq);
}

static const struct store_sql q_stored = {
    .name = "t_stored",
    .sql = "SELECT e.hash, e.mac, e.payload_hash, e.prev_hash, p.payload, h.mac "
           "FROM audit_entry e JOIN audit_payload p ON p.seq = e.seq "
           "JOIN audit_head h ON h.id = 1 WHERE e.seq = $1",
};

/* The database holds exactly the vectors' hashes and signatures. */
static void test_db_matches_vectors(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	append_all_vectors(t);
	struct store_stmt *st;
	for (int64_t seq = 1; seq <= 3; seq++) {
		const struct vector *v = &vectors[seq - 1];
		assert_int_equal(store_prepare(t->db, &q_stored, &st, &e), CADRE_OK);
		store_bind_i64(st, 1, seq);
		assert_int_equal(store_step(st, &e), CADRE_OK);
		assert_string_equal(store_col_text(st, 0), v->hash);
		assert_string_equal(store_col_text(st, 1), v->mac);
		assert_string_equal(store_col_text(st, 2), v->payload_hash);
		assert_string_equal(store_col_text(st, 3), v->prev_hash);
		assert_string_equal(store_col_text(st, 4), v->payload);
		if (seq == 3)
			assert_string_equal(store_col_text(st, 5), head_mac_3);
		store_reset(st);
	}
	struct audit_verify_result r;
	assert_int_equal(audit_verify(&t->sys, t->db, t->key, &r, &e), CADRE_OK);
	assert_true(r.ok);
	assert_int_equal(r.entries, 3);
	assert_int_equal(r.head_seq, 3);
	assert_string_equal(r.head_hash, vectors[2].hash);
	assert_int_equal(r.redacted, 0);
}

static void test_empty_chain_verifies(void **state)
{
	struct testdomain *t = *state;
	verify_ok(t, 0);
}

/* A rolled-back change leaves no entry and no gap. */
static void test_append_in_callers_transaction(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	struct audit_change ch = {
	    .at_us = TESTDOMAIN_T0, .action = "grant.add", .object = "user:7"};
	/* outside a transaction: refused */
	assert_int_equal(audit_append(&t->sys, t->db, t->key, &ch, NULL, &e), CADRE_EINVAL);

	assert_int_equal(store_tx_begin(t->db, STORE_TX_WRITE, &e), CADRE_OK);
	int64_t seq = 0;
	assert_int_equal(audit_append(&t->sys, t->db, t->key, &ch, &seq, &e), CADRE_OK);
	assert_int_equal(seq, 1);
	assert_int_equal(store_tx_rollback(t->db, &e), CADRE_OK);
	verify_ok(t, 0);

	/* a change with its entry, rolled back together through a savepoint */
	assert_int_equal(store_tx_begin(t->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(setting_set(&t->sys, t->db, t->key, "a", "1", &t->clk.clock, &e),
	                 CADRE_OK);
	assert_int_equal(store_tx_rollback(t->db, &e), CADRE_OK);
	struct buf b;
	buf_init(&b, 64);
	assert_int_equal(setting_get(&t->sys, t->db, "a", &b, &e), CADRE_ENOTFOUND);
	buf_free(&b);
	verify_ok(t, 0);

	assert_int_equal(store_tx_begin(t->db, STORE_TX_WRITE, &e), CADRE_OK);
	assert_int_equal(audit_append(&t->sys, t->db, t->key, &ch, &seq, &e), CADRE_OK);
	assert_int_equal(store_tx_commit(t->db, &e), CADRE_OK);
	assert_int_equal(seq, 1);
	verify_ok(t, 1);

	/* bad inputs are refused before anything is written */
	assert_int_equal(store_tx_begin(t->db, STORE_TX_WRITE, &e), CADRE_OK);
	struct audit_change bad = ch;
	bad.action = "Grant Add";
	assert_int_equal(audit_append(&t->sys, t->db, t->key, &bad, NULL, &e), CADRE_EINVAL);
	bad = ch;
	bad.object = "";
	assert_int_equal(audit_append(&t->sys, t->db, t->key, &bad, NULL, &e), CADRE_EINVAL);
	bad = ch;
	bad.object = "a\nb";
	assert_int_equal(audit_append(&t->sys, t->db, t->key, &bad, NULL, &e), CADRE_EINVAL);
	assert_int_equal(audit_append(&t->sys, t->db, NULL, &ch, NULL, &e), CADRE_EINVAL);
	struct actor nobody = actor_system("");
	assert_int_equal(audit_append(&nobody, t->db, t->key, &ch, NULL, &e), CADRE_EINVAL);
	assert_int_equal(store_tx_commit(t->db, &e), CADRE_OK);
	verify_ok(t, 1);
}

static const struct store_sql q_setting_row = {
    .name = "t_setting_row",
    .sql = "SELECT s.row_hash, s.audit_seq, p.payload, e.action, e.object, e.actor "
           "FROM settings s JOIN audit_payload p ON p.seq = s.audit_seq "
           "JOIN audit_entry e ON e.seq = s.audit_seq WHERE s.key = $1",
};

/* An audited row carries its hash and its entry; the payload records both. */
static void test_audited_row(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	assert_int_equal(
	    setting_set(&t->sys, t->db, t->key, "retention.audit_years", "8", &t->clk.clock, &e),
	    CADRE_OK);
	struct store_stmt *st;
	assert_int_equal(store_prepare(t->db, &q_setting_row, &st, &e), CADRE_OK);
	store_bind_str(st, 1, "retention.audit_years");
	assert_int_equal(store_step(st, &e), CADRE_OK);
	/* the row hash of docs/audit.md's vector: same row, same time */
	assert_string_equal(store_col_text(st, 0), row_hash_setting);
	assert_int_equal(store_col_i64(st, 1), 1);
	assert_string_equal(store_col_text(st, 2),
	                    "{\"key\":\"retention.audit_years\",\"row\":{\"key\":"
	                    "\"retention.audit_years\",\"updated_at\":1767225600000000,"
	                    "\"value\":\"8\"},\"row_hash\":\""
	                    "d2d7d4bd009c392b99295d4af4943742f4cea7be07d20412a5ea3346b8725e43"
	                    "\",\"table\":\"settings\"}");
	assert_string_equal(store_col_text(st, 3), "setting.set");
	assert_string_equal(store_col_text(st, 4), "setting:retention.audit_years");
	assert_string_equal(store_col_text(st, 5), "system:cli");
	store_reset(st);

	/* the same value again: nothing changes, nothing is appended */
	clock_manual_advance(&t->clk, 1000000);
	assert_int_equal(
	    setting_set(&t->sys, t->db, t->key, "retention.audit_years", "8", &t->clk.clock, &e),
	    CADRE_OK);
	verify_ok(t, 1);
	assert_int_equal(
	    setting_set(&t->sys, t->db, t->key, "retention.audit_years", "10", &t->clk.clock, &e),
	    CADRE_OK);
	assert_int_equal(
	    setting_set(&t->sys, t->db, t->key, "site.name", "Tŷ Gwyn", &t->clk.clock, &e),
	    CADRE_OK);
	struct audit_verify_result r;
	assert_int_equal(audit_verify(&t->sys, t->db, t->key, &r, &e), CADRE_OK);
	assert_true(r.ok);
	assert_int_equal(r.entries, 3);
	assert_int_equal(r.rows, 2);
	struct buf b;
	buf_init(&b, 64);
	assert_int_equal(setting_get(&t->sys, t->db, "retention.audit_years", &b, &e), CADRE_OK);
	assert_string_equal(buf_cstr(&b), "10");
	buf_free(&b);

	assert_int_equal(setting_unset(&t->sys, t->db, t->key, "site.name", &t->clk.clock, &e),
	                 CADRE_OK);
	assert_int_equal(setting_unset(&t->sys, t->db, t->key, "site.name", &t->clk.clock, &e),
	                 CADRE_ENOTFOUND);
	assert_int_equal(audit_verify(&t->sys, t->db, t->key, &r, &e), CADRE_OK);
	assert_true(r.ok);
	assert_int_equal(r.entries, 4);
	assert_int_equal(r.rows, 1);

	/* only the operator changes settings for now; bad names and values */
	struct actor u = actor_user(42, NULL, 0);
	assert_int_equal(setting_set(&u, t->db, t->key, "a", "1", &t->clk.clock, &e), CADRE_EPERM);
	assert_int_equal(setting_set(&t->sys, t->db, t->key, "A", "1", &t->clk.clock, &e),
	                 CADRE_EINVAL);
	assert_int_equal(setting_set(&t->sys, t->db, t->key, "a", "\x01", &t->clk.clock, &e),
	                 CADRE_EINVAL);
	assert_int_equal(setting_set(&t->sys, t->db, t->key, "a", "\xff", &t->clk.clock, &e),
	                 CADRE_EINVAL);
	verify_ok(t, 4);
}

static const struct store_sql q_tamper_payload = {
    .name = "t_tamper_payload",
    .sql = "UPDATE audit_payload SET payload = '{\"org\":\"RXK\",\"role\":\"chief_executive\"}' "
           "WHERE seq = 2",
};

static void test_tamper_payload(void **state)
{
	struct testdomain *t = *state;
	append_all_vectors(t);
	verify_ok(t, 3);
	testdomain_exec(t->db, &q_tamper_payload);
	verify_bad(t, 2, "audit entry 2: payload hash does not match");
}

static const struct store_sql q_tamper_entry = {
    .name = "t_tamper_entry",
    .sql = "UPDATE audit_entry SET actor = 'user:43' WHERE seq = 2",
};

static void test_tamper_entry_field(void **state)
{
	struct testdomain *t = *state;
	append_all_vectors(t);
	testdomain_exec(t->db, &q_tamper_entry);
	verify_bad(t, 2, "audit entry 2: entry hash does not match");
}

static const struct store_sql q_tamper_row = {
    .name = "t_tamper_row",
    .sql = "UPDATE settings SET value = '1' WHERE key = 'retention.audit_years'",
};

static const struct store_sql q_tamper_row_hash = {
    .name = "t_tamper_row_hash",
    .sql = "UPDATE settings SET row_hash = $2 WHERE key = $1",
};

static const struct store_sql q_sneak_row = {
    .name = "t_sneak_row",
    .sql = "INSERT INTO settings (key, value, updated_at) VALUES ('backdoor', 'x', 0)",
};

/* A live row edited behind Cadre's back: caught, naming the entry that
 * last changed it; so is an edit that also recomputes the row's hash (the
 * chain's payload still holds the old one), and a row inserted directly. */
static void test_tamper_live_row(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	assert_int_equal(setting_set(&t->sys, t->db, t->key, "a.first", "x", &t->clk.clock, &e),
	                 CADRE_OK);
	assert_int_equal(
	    setting_set(&t->sys, t->db, t->key, "retention.audit_years", "8", &t->clk.clock, &e),
	    CADRE_OK);
	verify_ok(t, 2);
	testdomain_exec(t->db, &q_tamper_row);
	verify_bad(t, 2,
	           "audit entry 2: live row settings 'retention.audit_years' does not match its "
	           "hash (changed outside Cadre)");

	/* recompute the row hash as an attacker can (no key needed for that) */
	const struct audit_table *tb = audit_table_find("settings");
	assert_non_null(tb);
	char h[AUDIT_HEX_LEN + 1];
	assert_int_equal(audit_row_hash(t->db, tb, "retention.audit_years", h, NULL, &e), CADRE_OK);
	struct store_stmt *st;
	assert_int_equal(store_prepare(t->db, &q_tamper_row_hash, &st, &e), CADRE_OK);
	store_bind_str(st, 1, "retention.audit_years");
	store_bind_str(st, 2, h);
	assert_int_equal(store_exec(st, &e), CADRE_OK);
	verify_bad(t, 2,
	           "audit entry 2: does not record live row settings 'retention.audit_years' as "
	           "it is (changed outside Cadre)");

	testdomain_exec(t->db, &q_sneak_row);
	verify_bad(t, 0,
	           "settings 'backdoor': live row has no audit entry (changed outside Cadre)");
}

static const struct store_sql q_delete_payload2 = {
    .name = "t_delete_payload2",
    .sql = "DELETE FROM audit_payload WHERE seq = 2",
};
static const struct store_sql q_delete_entry2 = {
    .name = "t_delete_entry2",
    .sql = "DELETE FROM audit_entry WHERE seq = 2",
};
static const struct store_sql q_delete_payload3 = {
    .name = "t_delete_payload3",
    .sql = "DELETE FROM audit_payload WHERE seq = 3",
};
static const struct store_sql q_delete_entry3 = {
    .name = "t_delete_entry3",
    .sql = "DELETE FROM audit_entry WHERE seq = 3",
};

static void test_delete_entry(void **state)
{
	struct testdomain *t = *state;
	append_all_vectors(t);
	testdomain_exec(t->db, &q_delete_payload3);
	verify_bad(t, 3, "audit entry 3: payload missing");
	testdomain_exec(t->db, &q_delete_entry3);
	verify_bad(t, 3, "audit entry 3: missing (the head is at 3)");
	/* appending goes on from the head, leaving the hole in the middle */
	assert_int_equal(append_vector(t, 0), 4);
	verify_bad(t, 3, "audit entry 3: missing");
	testdomain_exec(t->db, &q_delete_payload2);
	testdomain_exec(t->db, &q_delete_entry2);
	verify_bad(t, 2, "audit entry 2: missing");
}

/* what an attacker without the key can read and rewrite */
struct copied {
	int64_t seq[8], at[8];
	char actor[8][64], action[8][64], object[8][128], payload[8][512];
	int n;
};

static int copy_entry(const struct audit_entry *en, void *arg, struct cadre_err *err)
{
	(void)err;
	struct copied *c = arg;
	int i = c->n++;
	c->seq[i] = en->seq;
	c->at[i] = en->at_us;
	(void)snprintf(c->actor[i], sizeof c->actor[i], "%s", en->actor);
	(void)snprintf(c->action[i], sizeof c->action[i], "%s", en->action);
	(void)snprintf(c->object[i], sizeof c->object[i], "%s", en->object);
	(void)snprintf(c->payload[i], sizeof c->payload[i], "%s", en->payload ? en->payload : "");
	return CADRE_OK;
}

static const struct store_sql q_rewrite_entry = {
    .name = "t_rewrite_entry",
    .sql = "UPDATE audit_entry SET payload_hash = $2, prev_hash = $3, hash = $4, mac = $5 "
           "WHERE seq = $1",
};
static const struct store_sql q_rewrite_payload = {
    .name = "t_rewrite_payload",
    .sql = "UPDATE audit_payload SET payload = $2 WHERE seq = $1",
};
static const struct store_sql q_rewrite_head = {
    .name = "t_rewrite_head",
    .sql = "UPDATE audit_head SET seq = $1, hash = $2, mac = $3 WHERE id = 1",
};

/* Rebuild the whole chain consistently from entry `from` on, with payload
 * `from` replaced, signing with wrong_key (NULL: keep the old signatures),
 * as a database administrator without the audit key could. */
static void rebuild_chain(struct testdomain *t, int from, const char *new_payload,
                          const unsigned char *wrong_key)
{
	struct cadre_err e;
	struct copied c = {0};
	assert_int_equal(audit_log(&t->sys, t->db, 0, copy_entry, &c, &e), CADRE_OK);
	(void)snprintf(c.payload[from - 1], sizeof c.payload[from - 1], "%s", new_payload);
	char prev[AUDIT_HEX_LEN + 1] =
	    "0000000000000000000000000000000000000000000000000000000000000000";
	struct store_stmt *st;
	for (int i = 0; i < c.n; i++) {
		struct audit_entry en = {.seq = c.seq[i],
		                         .at_us = c.at[i],
		                         .actor = c.actor[i],
		                         .action = c.action[i],
		                         .object = c.object[i]};
		audit_sha256_hex(c.payload[i], strlen(c.payload[i]), en.payload_hash);
		memcpy(en.prev_hash, prev, sizeof prev);
		assert_int_equal(audit_entry_hash(&en, en.hash, &e), CADRE_OK);
		memcpy(prev, en.hash, sizeof prev);
		if (c.seq[i] < from)
			continue;
		if (wrong_key)
			audit_entry_mac(wrong_key, en.seq, en.hash, en.mac);
		assert_int_equal(store_prepare(t->db, &q_rewrite_payload, &st, &e), CADRE_OK);
		store_bind_i64(st, 1, en.seq);
		store_bind_str(st, 2, c.payload[i]);
		assert_int_equal(store_exec(st, &e), CADRE_OK);
		assert_int_equal(store_prepare(t->db, &q_rewrite_entry, &st, &e), CADRE_OK);
		store_bind_i64(st, 1, en.seq);
		store_bind_str(st, 2, en.payload_hash);
		store_bind_str(st, 3, en.prev_hash);
		store_bind_str(st, 4, en.hash);
		if (wrong_key)
			store_bind_str(st, 5, en.mac);
		else
			store_bind_str(st, 5, vectors[i].mac); /* the old signature */
		assert_int_equal(store_exec(st, &e), CADRE_OK);
	}
	char mac[AUDIT_HEX_LEN + 1];
	audit_head_mac(wrong_key ? wrong_key : t->key, c.n, prev, mac);
	if (!wrong_key)
		(void)snprintf(mac, sizeof mac, "%s", head_mac_3); /* the old one */
	assert_int_equal(store_prepare(t->db, &q_rewrite_head, &st, &e), CADRE_OK);
	store_bind_i64(st, 1, c.n);
	store_bind_str(st, 2, prev);
	store_bind_str(st, 3, mac);
	assert_int_equal(store_exec(st, &e), CADRE_OK);
}

static void test_rebuilt_chain_without_key(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	append_all_vectors(t);
	unsigned char wrong[AUDIT_KEY_BYTES];
	memset(wrong, 0x5a, sizeof wrong);
	rebuild_chain(t, 2, "{\"org\":\"RXK\",\"role\":\"chief_executive\"}", wrong);
	/* the chain itself is consistent: only the key tells */
	struct audit_verify_result r;
	assert_int_equal(audit_verify(&t->sys, t->db, NULL, &r, &e), CADRE_OK);
	assert_true(r.ok);
	assert_false(r.signed_checked);
	verify_bad(t, 2, "audit entry 2: signature does not match the audit key");
}

static void test_rebuilt_chain_keeping_signatures(void **state)
{
	struct testdomain *t = *state;
	append_all_vectors(t);
	rebuild_chain(t, 2, "{\"org\":\"RXK\",\"role\":\"chief_executive\"}", NULL);
	verify_bad(t, 2, "audit entry 2: signature does not match the audit key");
}

static const struct store_sql q_truncate_head = {
    .name = "t_truncate_head",
    .sql = "UPDATE audit_head SET seq = 2, hash = $1, mac = $2 WHERE id = 1",
};

/* Cutting the tail off and moving the head back needs the key too. */
static void test_truncated_chain(void **state)
{
	struct testdomain *t = *state;
	append_all_vectors(t);
	testdomain_exec(t->db, &q_delete_payload3);
	testdomain_exec(t->db, &q_delete_entry3);
	unsigned char wrong[AUDIT_KEY_BYTES];
	memset(wrong, 0x5a, sizeof wrong);
	char mac[AUDIT_HEX_LEN + 1];
	audit_head_mac(wrong, 2, vectors[1].hash, mac);
	struct cadre_err e;
	struct store_stmt *st;
	assert_int_equal(store_prepare(t->db, &q_truncate_head, &st, &e), CADRE_OK);
	store_bind_str(st, 1, vectors[1].hash);
	store_bind_str(st, 2, mac);
	assert_int_equal(store_exec(st, &e), CADRE_OK);
	verify_bad(t, 0, "audit head (entry 2): signature does not match the audit key");
}

/* Redaction keeps the chain verifiable and is itself audited. */
static void test_redaction(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	append_all_vectors(t);
	assert_int_equal(
	    setting_set(&t->sys, t->db, t->key, "site.name", "Ysbyty Gwynedd", &t->clk.clock, &e),
	    CADRE_OK);
	assert_int_equal(
	    audit_redact(&t->sys, t->db, t->key, 2, "retention ended", &t->clk.clock, &e),
	    CADRE_OK);
	assert_int_equal(
	    audit_redact(&t->sys, t->db, t->key, 4, "retention ended", &t->clk.clock, &e),
	    CADRE_OK);
	struct audit_verify_result r;
	assert_int_equal(audit_verify(&t->sys, t->db, t->key, &r, &e), CADRE_OK);
	if (!r.ok)
		fail_msg("%s", r.reason);
	assert_int_equal(r.entries, 6);
	assert_int_equal(r.redacted, 2);
	assert_int_equal(r.rows, 1);
	struct copied c = {0};
	assert_int_equal(audit_log(&t->sys, t->db, 0, copy_entry, &c, &e), CADRE_OK);
	assert_int_equal(c.n, 6);
	assert_string_equal(c.payload[1], ""); /* redacted */
	assert_string_equal(c.action[4], "audit.redact");
	assert_string_equal(c.object[4], "audit:2");
	assert_string_equal(c.payload[4], "{\"reason\":\"retention ended\",\"seq\":2}");

	assert_int_equal(audit_redact(&t->sys, t->db, t->key, 2, "again", &t->clk.clock, &e),
	                 CADRE_ECONFLICT);
	assert_int_equal(audit_redact(&t->sys, t->db, t->key, 99, "x", &t->clk.clock, &e),
	                 CADRE_ENOTFOUND);
	assert_int_equal(audit_redact(&t->sys, t->db, t->key, 1, "", &t->clk.clock, &e),
	                 CADRE_EINVAL);
	struct actor u = actor_user(42, NULL, 0);
	assert_int_equal(audit_redact(&u, t->db, t->key, 1, "x", &t->clk.clock, &e), CADRE_EPERM);
	verify_ok(t, 6);
}

struct log_rows {
	int n;
	int64_t seq[8];
};

static int count_entry(const struct audit_entry *en, void *arg, struct cadre_err *err)
{
	(void)err;
	struct log_rows *l = arg;
	l->seq[l->n++] = en->seq;
	return CADRE_OK;
}

static int stop_at_two(const struct audit_entry *en, void *arg, struct cadre_err *err)
{
	(void)arg;
	if (en->seq == 2)
		return cadre_err_set(err, CADRE_EINVAL, "stop");
	return CADRE_OK;
}

static void test_log(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	append_all_vectors(t);
	struct log_rows l = {0};
	assert_int_equal(audit_log(&t->sys, t->db, vectors[1].at_us, count_entry, &l, &e),
	                 CADRE_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.seq[0], 2);
	assert_int_equal(l.seq[1], 3);
	struct copied c = {0};
	assert_int_equal(audit_log(&t->sys, t->db, 0, copy_entry, &c, &e), CADRE_OK);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.object[2], "ward:T\xc5\xb7 Gwyn 7");
	assert_string_equal(c.actor[1], "user:42");
	assert_int_equal(c.at[1], vectors[1].at_us);
	assert_int_equal(audit_log(&t->sys, t->db, 0, stop_at_two, NULL, &e), CADRE_EINVAL);
	assert_string_equal(e.msg, "stop");
	struct actor u = actor_user(42, NULL, 0);
	assert_int_equal(audit_log(&u, t->db, 0, count_entry, &l, &e), CADRE_EPERM);
	struct audit_verify_result r;
	assert_int_equal(audit_verify(&u, t->db, t->key, &r, &e), CADRE_EPERM);
}

/* ---- concurrent appenders ------------------------------------------------ */

#define PER_THREAD 20

struct appender {
	const struct testdomain *t;
	const char *name;
	int done;
	char err[CADRE_ERR_MSG_MAX];
};

static int append_one(struct store *db, void *arg, struct cadre_err *err)
{
	struct appender *a = arg;
	struct actor act = actor_system(a->name);
	struct audit_change ch = {
	    .at_us = TESTDOMAIN_T0 + a->done, .action = "test.append", .object = a->name};
	return audit_append(&act, db, a->t->key, &ch, NULL, err);
}

static void *appender_run(void *arg)
{
	struct appender *a = arg;
	struct cadre_err e;
	struct store *db = NULL;
	if (store_open(a->t->url, NULL, &db, &e) != CADRE_OK) {
		(void)snprintf(a->err, sizeof a->err, "%s", e.msg);
		return NULL;
	}
	for (int i = 0; i < PER_THREAD; i++) {
		if (store_tx_run(db, STORE_TX_WRITE, append_one, a, &e) != CADRE_OK) {
			(void)snprintf(a->err, sizeof a->err, "%s", e.msg);
			break;
		}
		a->done++;
	}
	store_close(db);
	return NULL;
}

static const struct store_sql q_count_by_actor = {
    .name = "t_count_by_actor",
    .sql = "SELECT count(*) FROM audit_entry WHERE actor = 'system:alpha'",
};

/* Two connections appending at once: a gap-free chain with every entry,
 * and an append that waits on another's open transaction goes after it. */
static void test_concurrent_appenders(void **state)
{
	struct testdomain *t = *state;
	struct cadre_err e;
	/* interleaved: A holds the head in an open transaction */
	struct audit_change ch = {.at_us = TESTDOMAIN_T0, .action = "test.first", .object = "x"};
	assert_int_equal(store_tx_begin(t->db, STORE_TX_WRITE, &e), CADRE_OK);
	int64_t seq = 0;
	assert_int_equal(audit_append(&t->sys, t->db, t->key, &ch, &seq, &e), CADRE_OK);
	assert_int_equal(seq, 1);
	struct appender b = {.t = t, .name = "beta"};
	pthread_t tb;
	assert_int_equal(pthread_create(&tb, NULL, appender_run, &b), 0);
	struct timespec pause = {0, 200 * 1000 * 1000};
	(void)nanosleep(&pause, NULL);
	assert_int_equal(store_tx_commit(t->db, &e), CADRE_OK);
	assert_int_equal(pthread_join(tb, NULL), 0);
	if (b.err[0])
		fail_msg("beta: %s", b.err);
	verify_ok(t, 1 + PER_THREAD);

	/* two at once */
	struct appender a1 = {.t = t, .name = "alpha"}, a2 = {.t = t, .name = "gamma"};
	pthread_t t1, t2;
	assert_int_equal(pthread_create(&t1, NULL, appender_run, &a1), 0);
	assert_int_equal(pthread_create(&t2, NULL, appender_run, &a2), 0);
	assert_int_equal(pthread_join(t1, NULL), 0);
	assert_int_equal(pthread_join(t2, NULL), 0);
	if (a1.err[0] || a2.err[0])
		fail_msg("alpha: %s; gamma: %s", a1.err, a2.err);
	verify_ok(t, 1 + 3 * PER_THREAD);
	assert_int_equal(testdomain_count(t->db, &q_count_by_actor), PER_THREAD);
}

/* each test on SQLite, then on PostgreSQL, named apart */
#define BOTH(f)                                                                                    \
	{#f "(sqlite)", f, testdomain_setup_sqlite, testdomain_teardown, NULL},                    \
	{                                                                                          \
#f "(postgresql)", f, testdomain_setup_pg, testdomain_teardown, NULL               \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors),
	    cmocka_unit_test(test_layout_separates_fields),
	    cmocka_unit_test(test_key_parse_and_json),
	    BOTH(test_db_matches_vectors),
	    BOTH(test_empty_chain_verifies),
	    BOTH(test_append_in_callers_transaction),
	    BOTH(test_audited_row),
	    BOTH(test_tamper_payload),
	    BOTH(test_tamper_entry_field),
	    BOTH(test_tamper_live_row),
	    BOTH(test_delete_entry),
	    BOTH(test_rebuilt_chain_without_key),
	    BOTH(test_rebuilt_chain_keeping_signatures),
	    BOTH(test_truncated_chain),
	    BOTH(test_redaction),
	    BOTH(test_log),
	    BOTH(test_concurrent_appenders),
	};
	return cmocka_run_group_tests_name("domain_audit", tests, NULL, NULL);
}
