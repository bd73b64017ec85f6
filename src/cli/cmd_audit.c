/* cadre audit verify, cadre audit log, cadre audit redact */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/num.h"
#include "cli/cli.h"
#include "cli/keys.h"
#include "cli_index.h"
#include "domain/actor.h"
#include "domain/audit.h"
#include "domain/db.h"

/* COMMAND: audit verify
 * USAGE: cadre [--db DB] audit verify [--json]
 * Check the audit trail end to end; exit 1 naming the first bad entry.
 * Checks, in one consistent snapshot: that the entries run 1, 2, 3, ...
 * without a gap; that each names its predecessor's hash and that its own
 * hash matches its fields (docs/audit.md gives the byte layout); that each
 * payload not redacted matches its hash; that each audited live row (the
 * settings table, so far) matches its hash and the entry that last changed
 * it; and, with the audit key from the secrets file, each entry's and the
 * head's signature, which no one without the key can forge.
 * On success prints the number of entries, the head's sequence and hash
 * (the value to quote in an evidence pack), redacted payloads and rows
 * checked.  On failure prints e.g. `audit entry 17: payload hash does not
 * match` and exits 1.
 *   --json   the result as one JSON object
 */
int cmd_audit_verify(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {0}};
	bool json = false;
	int ch;
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'j')
			json = true;
		else
			return cli_usage_error(cli, "audit verify", "unknown option '%s'",
			                       argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(cli, "audit verify", "unexpected argument '%s'",
		                       argv[optind]);
	unsigned char key[AUDIT_KEY_BYTES];
	int rc = cli_audit_key(cli, key);
	if (rc != CADRE_OK)
		return rc;
	struct store *db = NULL;
	struct audit_verify_result res;
	struct actor actor = actor_system("cli");
	rc = cli_open_db(cli, &db);
	if (rc == CADRE_OK)
		rc = audit_verify(&actor, db, key, &res, &cli->err);
	db_close(db);
	cli_key_wipe(key);
	if (rc != CADRE_OK)
		return rc;
	if (json) {
		json_t *o = json_pack(
		    "{s:b, s:I, s:I, s:s, s:I, s:I, s:b}", "ok", res.ok, "entries",
		    (json_int_t)res.entries, "head_seq", (json_int_t)res.head_seq, "head_hash",
		    res.head_hash, "redacted", (json_int_t)res.redacted, "rows",
		    (json_int_t)res.rows, "signatures_checked", res.signed_checked);
		if (o && !res.ok) {
			json_object_set_new(o, "bad_entry", json_integer((json_int_t)res.bad_seq));
			json_object_set_new(o, "reason", json_string(res.reason));
		}
		char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		if (s)
			(void)fprintf(cli->out, "%s\n", s);
		free(s);
		json_decref(o);
	} else if (res.ok) {
		(void)fprintf(cli->out,
		              "audit trail verified: %" PRId64 " entr%s, head %" PRId64 " %s\n"
		              "redacted payloads: %" PRId64 "\n"
		              "audited rows checked: %" PRId64 "\n"
		              "signatures: checked with the audit key\n",
		              res.entries, res.entries == 1 ? "y" : "ies", res.head_seq,
		              res.head_hash, res.redacted, res.rows);
	}
	if (!res.ok)
		return cadre_err_set(&cli->err, CADRE_EINVAL, "%s", res.reason);
	return CADRE_OK;
}

struct log_out {
	struct cli *cli;
	bool json;
	int64_t n;
};

static int log_entry(const struct audit_entry *e, void *arg, struct cadre_err *err)
{
	struct log_out *l = arg;
	char when[DATE_TS_SIZE];
	date_ts_format(e->at_us, when);
	if (!l->json) {
		(void)fprintf(l->cli->out, "%" PRId64 "\t%s\t%s\t%s\t%s\t%.12s%s\n", e->seq, when,
		              e->actor, e->action, e->object, e->hash,
		              e->payload ? "" : "\tredacted");
		l->n++;
		return CADRE_OK;
	}
	json_t *o =
	    json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "seq", (json_int_t)e->seq, "time",
	              when, "actor", e->actor, "action", e->action, "object", e->object, "hash",
	              e->hash, "payload_hash", e->payload_hash, "redacted", e->payload == NULL);
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	if (!s)
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "audit entry %" PRId64 ": cannot be written as JSON", e->seq);
	(void)fprintf(l->cli->out, "%s%s", l->n ? ",\n" : "[\n", s);
	free(s);
	l->n++;
	return CADRE_OK;
}

/* "YYYY-MM-DD" (midnight UTC) or an RFC 3339 timestamp */
static int parse_since(const char *s, int64_t *out, struct cadre_err *err)
{
	size_t n = strlen(s);
	struct date d;
	if (n == 10) {
		int rc = date_parse_iso(s, n, &d, err);
		if (rc == CADRE_OK)
			*out = date_ts_from(d, 0, 0, 0, 0);
		return rc;
	}
	return date_ts_parse(s, n, out, err);
}

/* COMMAND: audit log
 * USAGE: cadre [--db DB] audit log [--since DATE] [--json]
 * List the audit trail's entries, oldest first.
 * One line per entry, tab-separated: sequence, time (UTC, RFC 3339),
 * actor, action, object, the first 12 hex digits of the entry's hash, and
 * `redacted` when its payload has been redacted.
 *   --since DATE   only entries at or after DATE: YYYY-MM-DD (midnight
 *                  UTC) or an RFC 3339 time such as 2026-01-01T09:00:00Z
 *   --json         a JSON array of objects (seq, time, actor, action,
 *                  object, hash, payload_hash, redacted)
 */
int cmd_audit_log(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'}, {"since", required_argument, NULL, 's'}, {0}};
	struct log_out l = {.cli = cli};
	int64_t since = INT64_MIN;
	int ch;
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'j') {
			l.json = true;
		} else if (ch == 's') {
			struct cadre_err perr;
			if (parse_since(optarg, &since, &perr) != CADRE_OK)
				return cli_usage_error(cli, "audit log", "--since '%s': %s", optarg,
				                       perr.msg);
		} else {
			return cli_usage_error(cli, "audit log",
			                       "unknown option or missing value '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, "audit log", "unexpected argument '%s'", argv[optind]);
	struct store *db = NULL;
	struct actor actor = actor_system("cli");
	int rc = cli_open_db(cli, &db);
	if (rc == CADRE_OK)
		rc = audit_log(&actor, db, since, log_entry, &l, &cli->err);
	db_close(db);
	if (l.json && (rc == CADRE_OK || l.n > 0))
		(void)fputs(l.n ? "\n]\n" : "[]\n", cli->out);
	return rc;
}

/* COMMAND: audit redact
 * USAGE: cadre [--db DB] audit redact SEQ --reason TEXT
 * Remove an entry's payload at the end of its retention period.
 * The payload's text is deleted; the entry keeps the payload's hash, so
 * the chain still verifies and `cadre audit verify` counts the entry as
 * redacted.  The redaction is itself appended to the trail (action
 * audit.redact, object audit:SEQ) with the reason, signed with the audit
 * key.
 *   --reason TEXT   why (the retention rule that applies), required
 */
int cmd_audit_redact(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"reason", required_argument, NULL, 'r'}, {0}};
	const char *reason = NULL;
	int ch;
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'r')
			reason = optarg;
		else
			return cli_usage_error(cli, "audit redact",
			                       "unknown option or missing value '%s'",
			                       argv[optind - 1]);
	}
	if (optind + 1 != argc)
		return cli_usage_error(cli, "audit redact", "name one entry by its sequence");
	if (!reason || !*reason)
		return cli_usage_error(cli, "audit redact", "--reason is required");
	int64_t seq;
	struct cadre_err perr;
	if (num_parse_i64_range(argv[optind], strlen(argv[optind]), 1, INT64_MAX, &seq, &perr) !=
	    CADRE_OK)
		return cli_usage_error(cli, "audit redact", "SEQ '%s': %s", argv[optind], perr.msg);
	unsigned char key[AUDIT_KEY_BYTES];
	int rc = cli_audit_key(cli, key);
	if (rc != CADRE_OK)
		return rc;
	struct store *db = NULL;
	struct actor actor = actor_system("cli");
	rc = cli_open_db(cli, &db);
	if (rc == CADRE_OK)
		rc = audit_redact(&actor, db, key, seq, reason, clock_system(), &cli->err);
	db_close(db);
	cli_key_wipe(key);
	if (rc == CADRE_OK)
		(void)fprintf(cli->out, "audit entry %" PRId64 ": payload redacted\n", seq);
	return rc;
}
