/* upload: imports from the browser and the API: a file stored with an
 * expiry, validated as a job (a dry run of its importer), then committed
 * (the real import, one transaction, audited) or discarded.
 *
 * Design note
 * - Storage: the file lives in the database (schema/0520_uploads.sql),
 *   base64 in chunks, so `cadre serve` keeps no state of its own and any
 *   server's worker can take the job.  The bytes are deleted when the
 *   upload is committed, discarded or expires; the upload row stays as the
 *   import history (who loaded what and when, its SHA-256, rows, outcome).
 * - Synchronous checks at upload (upload_check): empty, binary (a NUL
 *   byte; ZIP, gzip, PDF and old Excel signatures), JSON, and a header
 *   that is not the chosen kind's (naming the column, or the kind whose
 *   header it is).  Everything else is found by the validation job.
 * - States: queued -> validating -> valid | invalid; valid -> committing
 *   -> committed (back to valid when the database was busy, to invalid
 *   when the import refused the file); queued, validating, valid and
 *   invalid -> discarded, or expired once expires_us has passed.  Commit
 *   and discard are compare-and-set on the state inside one write
 *   transaction, so a double submit gets CADRE_ECONFLICT ("already
 *   committed"), never a second import.
 * - Scope: an upload belongs to an organisation: the first of the
 *   uploader's grants that holds imports.run (England for the system
 *   actor).  Every organisation code in the file must be in that subtree
 *   (else a problem at its line and column); national publications
 *   (sickness, staff in post) need a grant over England.  Reads and
 *   changes check imports.run over the upload's organisation; outside it
 *   is CADRE_ENOTFOUND, so existence is never revealed.
 * - The job: the worker (web/worker.c) claims it and calls
 *   upload_job_run, which writes the bytes to a private temporary file
 *   (mode 0600, removed at once after), scans it (UTF-8 and scope, with
 *   line and column), runs the kind's importer with dry_run (validate) or
 *   for real (commit) as the system actor "upload.ID", and records the
 *   outcome and every problem together with job_finish. */
#ifndef CADRE_DOMAIN_UPLOAD_H
#define CADRE_DOMAIN_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/job.h"
#include "domain/org.h"

struct store;

#define UPLOAD_KIND_MAX       32
#define UPLOAD_NAME_MAX       256
#define UPLOAD_MESSAGE_MAX    512
#define UPLOAD_TTL_DEFAULT_US ((int64_t)24 * 3600 * 1000000)
#define UPLOAD_MAX_DEFAULT    ((size_t)64 * 1024 * 1024)
#define UPLOAD_JOB_VALIDATE   "upload.validate"
#define UPLOAD_JOB_COMMIT     "upload.commit"
#define UPLOAD_PERMISSION     "imports.run"

/* upload_kind: an import format that can be uploaded. */
struct upload_kind {
	const char *id;     /* "establishment": the form value and ?kind= */
	const char *title;  /* "Funded establishment (finance ledger)" */
	const char *header; /* the header line it must start with; NULL: the importer checks */
	int org_col;        /* 0-based column of the organisation code; -1: none */
	bool national;      /* a national publication: needs a grant over England */
	const char *format; /* where it is described ("docs/formats.md section B") */
};

/* upload_kinds: every kind, in display order; *n gets the count. */
const struct upload_kind *upload_kinds(size_t *n);

/* upload_kind_find: the kind with this id, or NULL. */
const struct upload_kind *upload_kind_find(const char *id);

enum upload_state {
	UPLOAD_QUEUED = 1,
	UPLOAD_VALIDATING,
	UPLOAD_VALID,
	UPLOAD_INVALID,
	UPLOAD_COMMITTING,
	UPLOAD_COMMITTED,
	UPLOAD_DISCARDED,
	UPLOAD_EXPIRED,
};

/* upload_state_name: "queued", "validating", ...; "?" when unknown. */
const char *upload_state_name(enum upload_state s);

/* upload: one upload as read. */
struct upload {
	int64_t id;
	char kind[UPLOAD_KIND_MAX];
	char file_name[UPLOAD_NAME_MAX];
	int64_t size;
	char sha256[65];
	int64_t org_id;
	char org_code[ORG_CODE_MAX];
	char org_name[ORG_NAME_MAX];
	int64_t owner_id;
	char owner_label[ACTOR_LABEL_MAX];
	char owner_name[UPLOAD_NAME_MAX]; /* the account's name, else the label */
	enum upload_state state;
	int64_t job_id;
	int64_t rows;
	int64_t problems; /* found in all (stored: at most the importer's cap + scan's) */
	char message[UPLOAD_MESSAGE_MAX];
	int64_t created_us, expires_us, validated_us, committed_us;
	char committed_by[ACTOR_LABEL_MAX];
	int64_t audit_seq;
	int64_t progress_done, progress_total; /* the running job's */
};

/* upload_limits: how long an upload is kept and how large it may be. */
struct upload_limits {
	int64_t ttl_us;   /* 0: UPLOAD_TTL_DEFAULT_US */
	size_t max_bytes; /* 0: UPLOAD_MAX_DEFAULT */
};

/* upload_check: the synchronous checks on a file of kind k (see the
 * design note).  CADRE_EINVAL with a reason for people. */
int upload_check(const struct upload_kind *k, const char *data, size_t len, struct cadre_err *err);

/* upload_create: store len bytes at data (file_name: untrusted text for
 * display) as an upload of kind for actor and queue its validation job,
 * in one write transaction.  CADRE_EPERM when the actor holds
 * imports.run through no grant (or, for a national kind, none over
 * England); CADRE_EINVAL from upload_check or for a file over the limit.
 * *id gets the upload's id. */
int upload_create(const struct actor *actor, struct store *db, const struct upload_kind *kind,
                  const char *file_name, const char *data, size_t len,
                  const struct upload_limits *lim, const struct clock *clk, int64_t *id,
                  struct cadre_err *err);

/* upload_org_of: the organisation of upload id (no actor: for the
 * router's scope check, which answers 404 outside it).  CADRE_ENOTFOUND
 * when there is none. */
int upload_org_of(struct store *db, int64_t id, int64_t *org_id, struct cadre_err *err);

/* upload_get: upload id, if the actor may see it (else CADRE_ENOTFOUND).
 * An upload past its expiry that is not yet swept reads as expired. */
int upload_get(const struct actor *actor, struct store *db, int64_t id, const struct clock *clk,
               struct upload *out, struct cadre_err *err);

/* upload_fn: one upload for upload_list, valid during the call. */
typedef int (*upload_fn)(const struct upload *u, void *arg, struct cadre_err *err);

/* upload_list: the uploads the actor may see, newest first, with id below
 * before (0: from the newest), at most limit; *more (may be NULL) says
 * whether more follow (the next page's before is the last id given). */
int upload_list(const struct actor *actor, struct store *db, int64_t before, size_t limit,
                const struct clock *clk, upload_fn fn, void *arg, bool *more,
                struct cadre_err *err);

/* upload_problem: one stored problem. */
struct upload_problem {
	int64_t seq;
	int64_t line, col; /* 0 when they do not apply */
	char reason[512];
};

typedef int (*upload_problem_fn)(const struct upload_problem *p, void *arg, struct cadre_err *err);

/* upload_problems: the stored problems of upload id after seq after, at
 * most limit, in order; *more as for upload_list. */
int upload_problems(const struct actor *actor, struct store *db, int64_t id, int64_t after,
                    size_t limit, upload_problem_fn fn, void *arg, bool *more,
                    struct cadre_err *err);

/* upload_commit: ask for upload id to be imported: valid -> committing,
 * with its commit job queued, in one transaction.  CADRE_ECONFLICT with
 * the reason ("already committed", "still validating", "has problems",
 * "expired", "discarded") otherwise; an upload found past its expiry is
 * expired (its bytes deleted) first. */
int upload_commit(const struct actor *actor, struct store *db, int64_t id, const struct clock *clk,
                  struct cadre_err *err);

/* upload_refusal: why an upload in state s cannot be committed (commit)
 * or discarded, for people ("This upload was already committed: ...").
 * Static text. */
const char *upload_refusal(enum upload_state s, bool commit);

/* upload_discard: forget upload id's file (queued, validating, valid or
 * invalid -> discarded; the bytes deleted).  CADRE_ECONFLICT otherwise. */
int upload_discard(const struct actor *actor, struct store *db, int64_t id, const struct clock *clk,
                   struct cadre_err *err);

/* upload_expire: mark every upload past its expiry (and not committed,
 * committing, discarded or expired) expired and delete its bytes.  *n
 * (may be NULL) gets how many.  System actor only. */
int upload_expire(const struct actor *actor, struct store *db, const struct clock *clk, int64_t *n,
                  struct cadre_err *err);

/* upload_runner: what upload_job_run needs besides the job. */
struct upload_runner {
	const char *worker_id;              /* the lease owner */
	int64_t lease_ms;                   /* > 0 */
	const unsigned char *audit_key;     /* 32 bytes: commits are audited */
	const unsigned char *pseudonym_key; /* 32 bytes: staff extracts */
	const char *tmpdir;                 /* NULL: $TMPDIR or /tmp */
	const struct clock *clk;            /* NULL: the system clock */
};

/* upload_job_run: run job j (claimed by r->worker_id: kind
 * UPLOAD_JOB_VALIDATE or UPLOAD_JOB_COMMIT) to its end, recording the
 * upload's outcome together with job_finish.  System actor only.
 * CADRE_OK when the job ran (whatever the file's verdict); an error when
 * the job could not be recorded (a lost lease, the database). */
int upload_job_run(const struct actor *actor, struct store *db, const struct job *j,
                   const struct upload_runner *r, struct cadre_err *err);

#endif
