/* cadre person export */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "cli/cli.h"
#include "cli/keys.h"
#include "cli_index.h"
#include "domain/audit.h"
#include "domain/db.h"
#include "domain/people_view.h"

/* write_out: the export's file, written as a temporary file beside it
 * (mode 0600), flushed to disk and renamed over the target, so a reader
 * sees either no file or the whole export. */
struct write_out {
	const char *path;
	char sha[AUDIT_HEX_LEN + 1];
	size_t len;
};

static int write_atomic(const char *text, size_t len, void *arg, struct cadre_err *err)
{
	struct write_out *w = arg;
	size_t plen = strlen(w->path);
	char *tmp = malloc(plen + 16);
	if (!tmp)
		return cadre_err_set(err, CADRE_EINTERNAL, "out of memory");
	(void)snprintf(tmp, plen + 16, "%s.tmp-XXXXXX", w->path);
	mode_t old = umask(077);
	int fd = mkstemp(tmp);
	(void)umask(old);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return cadre_err_set(err, CADRE_EINVAL, "%s: cannot create: %s", w->path,
		                     strerror(e));
	}
	int rc = CADRE_OK;
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = cadre_err_set(err, CADRE_EINVAL, "%s: write failed: %s", w->path,
			                   strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	if (rc == CADRE_OK && (fchmod(fd, 0600) != 0 || fsync(fd) != 0))
		rc = cadre_err_set(err, CADRE_EINVAL, "%s: write failed: %s", w->path,
		                   strerror(errno));
	if (close(fd) != 0 && rc == CADRE_OK)
		rc = cadre_err_set(err, CADRE_EINVAL, "%s: close failed: %s", w->path,
		                   strerror(errno));
	if (rc == CADRE_OK && rename(tmp, w->path) != 0)
		rc = cadre_err_set(err, CADRE_EINVAL, "%s: cannot rename into place: %s", w->path,
		                   strerror(errno));
	if (rc != CADRE_OK)
		(void)unlink(tmp);
	free(tmp);
	if (rc == CADRE_OK) {
		audit_sha256_hex(text, len, w->sha);
		w->len = len;
	}
	return rc;
}

/* COMMAND: person export
 * USAGE: cadre person export --staff-ref REF --org CODE --out FILE [--format json]
 * Export everything Cadre holds about one person (subject access request).
 * Writes one JSON file: the staff record REF at employer CODE with every
 * version of its attributes (protected characteristics included: it is the
 * person's own data), every assignment with every version of its terms,
 * the pseudonymous person key (never the National Insurance number, which
 * Cadre does not hold), the accounts linked to the person and the audit
 * entries about reads and exports of the record.  The file is written to
 * a temporary file (mode 0600) and renamed into place; the export is
 * audited (people.export, with the file's SHA-256, as sha256sum prints it)
 * in the same transaction,
 * so a file that could not be written leaves no entry.  JSON is the only
 * format.
 */
int cmd_person_export(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"staff-ref", required_argument, NULL, 'r'},
	                                     {"org", required_argument, NULL, 'o'},
	                                     {"out", required_argument, NULL, 'f'},
	                                     {"format", required_argument, NULL, 'F'},
	                                     {0}};
	const char *ref = NULL, *org = NULL, *out = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': ref = optarg; break;
		case 'o': org = optarg; break;
		case 'f': out = optarg; break;
		case 'F':
			if (strcmp(optarg, "json") != 0)
				return cli_usage_error(cli, "person export",
				                       "--format: only json is supported");
			break;
		default:
			return cli_usage_error(cli, "person export", "unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, "person export", "unexpected argument '%s'",
		                       argv[optind]);
	if (!ref || !org || !out)
		return cli_usage_error(cli, "person export",
		                       "--staff-ref, --org and --out are required");
	if (!*ref || !*org || !*out)
		return cli_usage_error(cli, "person export", "empty --staff-ref, --org or --out");
	unsigned char key[AUDIT_KEY_BYTES];
	int rc = cli_audit_key(cli, key);
	if (rc != CADRE_OK)
		return rc;
	struct store *db = NULL;
	struct actor actor = actor_system("cli");
	struct write_out w = {.path = out};
	int64_t staff_id = 0;
	rc = cli_open_db(cli, &db);
	if (rc == CADRE_OK)
		rc = people_export_staff_id(&actor, db, org, ref, &staff_id, &cli->err);
	if (rc == CADRE_OK)
		rc = people_export(&actor, db, key, clock_system(), staff_id, write_atomic, &w,
		                   &cli->err);
	db_close(db);
	cli_key_wipe(key);
	if (rc != CADRE_OK)
		return rc;
	(void)fprintf(cli->out, "wrote %s (%zu bytes, SHA-256 %s); the export is audited\n", out,
	              w.len, w.sha);
	return CADRE_OK;
}
