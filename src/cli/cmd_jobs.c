/* cadre jobs */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>

#include "base/clock.h"
#include "base/date.h"
#include "cli/cli.h"
#include "cli_index.h"
#include "domain/actor.h"
#include "domain/db.h"
#include "domain/job.h"

struct jobs_out {
	struct cli *cli;
	bool json;
	int64_t n;
};

static void ts_or_dash(int64_t us, char *out)
{
	if (us)
		date_ts_format(us, out);
	else
		(void)snprintf(out, DATE_TS_SIZE, "-");
}

static int job_line(const struct job *j, void *arg, struct cadre_err *err)
{
	struct jobs_out *o = arg;
	char created[DATE_TS_SIZE], finished[DATE_TS_SIZE];
	ts_or_dash(j->created_us, created);
	ts_or_dash(j->finished_us, finished);
	if (!o->json) {
		(void)fprintf(o->cli->out,
		              "%" PRId64 "\t%s\t%s\t%s\t%" PRId64 "/%" PRId64 "\t%s\t%s\t%s\n",
		              j->id, job_state_name(j->state), j->kind, j->owner, j->done, j->total,
		              created, finished, j->message);
		o->n++;
		return CADRE_OK;
	}
	json_t *v = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "id", (json_int_t)j->id,
	                      "state", job_state_name(j->state), "kind", j->kind, "owner", j->owner,
	                      "done", (json_int_t)j->done, "total", (json_int_t)j->total, "message",
	                      j->message, "created", created);
	if (v) {
		json_object_set_new(v, "finished",
		                    j->finished_us ? json_string(finished) : json_null());
		json_object_set_new(v, "worker",
		                    j->lease_owner[0] ? json_string(j->lease_owner) : json_null());
		if (j->state == JOB_RUNNING) {
			char lease[DATE_TS_SIZE];
			date_ts_format(j->lease_expires_us, lease);
			json_object_set_new(v, "lease_expires", json_string(lease));
		}
	}
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(v);
	if (!s)
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "job %" PRId64 ": cannot be written as JSON", j->id);
	(void)fprintf(o->cli->out, "%s%s", o->n ? ",\n" : "[\n", s);
	free(s);
	o->n++;
	return CADRE_OK;
}

/* COMMAND: jobs
 * USAGE: cadre [--db DB] jobs [--json]
 * List the jobs, newest first, after marking abandoned ones interrupted.
 * A job whose worker stopped renewing its lease (it crashed, was killed,
 * or lost the database) is first marked `interrupted`; its uncommitted
 * work has already rolled back.  One line per job, tab-separated: id,
 * state (queued, running, done, failed, interrupted), kind, owner,
 * progress done/total, created and finished times (UTC), message.
 *   --json   a JSON array of objects, with the worker and, while running,
 *            the lease's expiry
 */
int cmd_jobs(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {0}};
	struct jobs_out o = {.cli = cli};
	int ch;
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'j')
			o.json = true;
		else
			return cli_usage_error(cli, "jobs", "unknown option '%s'",
			                       argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(cli, "jobs", "unexpected argument '%s'", argv[optind]);
	struct store *db = NULL;
	struct actor actor = actor_system("cli");
	int rc = cli_open_db(cli, &db);
	if (rc == CADRE_OK)
		rc = job_reap(&actor, db, clock_system(), NULL, &cli->err);
	if (rc == CADRE_OK)
		rc = job_list(&actor, db, job_line, &o, &cli->err);
	db_close(db);
	if (o.json && (rc == CADRE_OK || o.n > 0))
		(void)fputs(o.n ? "\n]\n" : "[]\n", cli->out);
	return rc;
}
