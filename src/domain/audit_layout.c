/* audit_layout: the byte layouts of docs/audit.md (entry hash, row hash,
 * signatures) and canonical JSON.  Pure: no database.  Change a layout only
 * with a new prefix version and new test vectors. */
#include "domain/audit.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

/* ---- pure computations ----------------------------------------------- */

void audit_sha256_hex(const void *p, size_t n, char out[AUDIT_HEX_LEN + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, p, n);
	sodium_bin2hex(out, AUDIT_HEX_LEN + 1, h, sizeof h);
}

static bool is_hex64(const char *s)
{
	if (!s)
		return false;
	for (int i = 0; i < AUDIT_HEX_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[AUDIT_HEX_LEN] == '\0';
}

/* one field: 4-byte big-endian length, then the bytes */
static int put_field(struct buf *b, const void *p, size_t n, struct cadre_err *err)
{
	if (n > UINT32_MAX)
		return cadre_err_set(err, CADRE_EINVAL, "audit field longer than 4 GiB");
	unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
	                        (unsigned char)(n >> 8), (unsigned char)n};
	int rc = buf_append(b, len, 4, err);
	if (rc == CADRE_OK && n > 0)
		rc = buf_append(b, p, n, err);
	return rc;
}

static int put_str(struct buf *b, const char *s, struct cadre_err *err)
{
	return put_field(b, s, strlen(s), err);
}

static int put_i64(struct buf *b, int64_t v, struct cadre_err *err)
{
	char d[24];
	int n = snprintf(d, sizeof d, "%" PRId64, v);
	return put_field(b, d, (size_t)n, err);
}

int audit_canonical_json(const json_t *v, char **out, size_t *len, struct cadre_err *err)
{
	*out = NULL;
	if (!json_is_object(v))
		return cadre_err_set(err, CADRE_EINVAL, "audit payload is not a JSON object");
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	if (!s)
		return cadre_err_set(err, CADRE_EINVAL, "audit payload cannot be written as JSON");
	size_t n = strlen(s);
	if (n > AUDIT_PAYLOAD_MAX) {
		free(s);
		return cadre_err_set(err, CADRE_EINVAL, "audit payload longer than %zu bytes",
		                     AUDIT_PAYLOAD_MAX);
	}
	*out = s;
	if (len)
		*len = n;
	return CADRE_OK;
}

int audit_entry_hash(const struct audit_entry *e, char out[AUDIT_HEX_LEN + 1],
                     struct cadre_err *err)
{
	if (e->seq < 1 || e->at_us < 0)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "audit entry %" PRId64 ": bad sequence or time", e->seq);
	if (!e->actor || !e->action || !e->object)
		return cadre_err_set(err, CADRE_EINVAL, "audit entry %" PRId64 ": missing field",
		                     e->seq);
	if (!is_hex64(e->payload_hash) || !is_hex64(e->prev_hash))
		return cadre_err_set(
		    err, CADRE_EINVAL,
		    "audit entry %" PRId64 ": a hash is not 64 lower-case hex digits", e->seq);
	struct buf b;
	buf_init(&b, (size_t)64 * 1024);
	int rc = buf_puts(&b, AUDIT_ENTRY_PREFIX, err);
	if (rc == CADRE_OK)
		rc = put_i64(&b, e->seq, err);
	if (rc == CADRE_OK)
		rc = put_i64(&b, e->at_us, err);
	if (rc == CADRE_OK)
		rc = put_str(&b, e->actor, err);
	if (rc == CADRE_OK)
		rc = put_str(&b, e->action, err);
	if (rc == CADRE_OK)
		rc = put_str(&b, e->object, err);
	if (rc == CADRE_OK)
		rc = put_str(&b, e->payload_hash, err);
	if (rc == CADRE_OK)
		rc = put_str(&b, e->prev_hash, err);
	if (rc == CADRE_OK)
		audit_sha256_hex(b.data, b.len, out);
	buf_free(&b);
	return rc;
}

/* one length-prefixed field into a running HMAC */
static void mac_field(crypto_auth_hmacsha256_state *st, const char *p, size_t n)
{
	unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
	                        (unsigned char)(n >> 8), (unsigned char)n};
	crypto_auth_hmacsha256_update(st, len, sizeof len);
	crypto_auth_hmacsha256_update(st, (const unsigned char *)p, n);
}

/* HMAC-SHA256 under key over prefix, then seq and hash as length-prefixed
 * fields (docs/audit.md, "Signatures"). */
static void seq_hash_mac(const unsigned char key[AUDIT_KEY_BYTES], const char *prefix, int64_t seq,
                         const char *hash, char out[AUDIT_HEX_LEN + 1])
{
	crypto_auth_hmacsha256_state st;
	char d[24];
	int dl = snprintf(d, sizeof d, "%" PRId64, seq);
	crypto_auth_hmacsha256_init(&st, key, AUDIT_KEY_BYTES);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)prefix, strlen(prefix));
	mac_field(&st, d, (size_t)dl);
	mac_field(&st, hash, strlen(hash));
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, AUDIT_HEX_LEN + 1, mac, sizeof mac);
	sodium_memzero(&st, sizeof st);
}

void audit_entry_mac(const unsigned char key[AUDIT_KEY_BYTES], int64_t seq, const char *hash,
                     char out[AUDIT_HEX_LEN + 1])
{
	seq_hash_mac(key, AUDIT_EMAC_PREFIX, seq, hash, out);
}

void audit_head_mac(const unsigned char key[AUDIT_KEY_BYTES], int64_t seq, const char *hash,
                    char out[AUDIT_HEX_LEN + 1])
{
	seq_hash_mac(key, AUDIT_HEAD_PREFIX, seq, hash, out);
}

int audit_key_parse(const char *hex, unsigned char key[AUDIT_KEY_BYTES], struct cadre_err *err)
{
	size_t bin_len = 0;
	const char *end = NULL;
	if (!hex || strlen(hex) != (size_t)2 * AUDIT_KEY_BYTES ||
	    sodium_hex2bin(key, AUDIT_KEY_BYTES, hex, strlen(hex), NULL, &bin_len, &end) != 0 ||
	    bin_len != AUDIT_KEY_BYTES || *end != '\0')
		return cadre_err_set(err, CADRE_EINVAL, "an audit key is 64 hex digits");
	return CADRE_OK;
}

int audit_row_digest(const char *table, const json_t *row, char out[AUDIT_HEX_LEN + 1],
                     struct cadre_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc = audit_canonical_json(row, &text, &len, err);
	if (rc != CADRE_OK)
		return rc;
	struct buf b;
	buf_init(&b, AUDIT_PAYLOAD_MAX + 1024);
	rc = buf_puts(&b, AUDIT_ROW_PREFIX, err);
	if (rc == CADRE_OK)
		rc = put_str(&b, table, err);
	if (rc == CADRE_OK)
		rc = put_field(&b, text, len, err);
	if (rc == CADRE_OK)
		audit_sha256_hex(b.data, b.len, out);
	buf_free(&b);
	free(text);
	return rc;
}
