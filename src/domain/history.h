/* history: the monthly history files of docs/formats.md section E (what
 * `cadre demo generate` writes for its 36 months, and what a trust can
 * give for its own past): organisation sickness absence in the
 * publication's columns, ward sickness absence, vacancies and temporary
 * staffing by organisation and staff group.
 *
 * Design note
 * - A file's kind is told by its header, which must be exactly one of the
 *   four of section E (a byte-order mark allowed); a file of another
 *   publication or import is named as such.
 * - Every row is checked (dates and months, codes, numbers in their exact
 *   decimal forms, a rate against its own numerator and denominator, a
 *   vacancy against establishment - contracted, the framework and locum
 *   rules of section C, the key unique in the file) and every problem
 *   reported as FILE:LINE:COLUMN (capped, "and N more").  Then, in one
 *   write transaction: codes resolved against the hierarchy (an unknown
 *   organisation, ward or staff group is a problem too), and only when
 *   there is no problem at all are the rows loaded, so nothing is ever
 *   half-written.
 * - Organisation sickness goes into sickness_absence, where the sickness
 *   KPI and SPC charts read the publication, recorded as a stat_import
 *   file (kind "sickness") marked synthetic when opt->synthetic.  A
 *   published figure always wins: a row whose organisation and month
 *   already hold a figure from a non-synthetic file is skipped (counted in
 *   rows_skipped), one held by a synthetic file is replaced.  When the
 *   file's months fall outside the hierarchy's materialised months (which
 *   follow the sickness months), the hierarchy is rebuilt and the per-node
 *   statistics recomputed in the same transaction (orgstats.h), so they
 *   never go stale.
 * - Ward sickness, vacancies and temporary staffing go into their own
 *   tables (schema 0310), recorded in history_import; a re-import replaces
 *   the rows of each organisation it holds over the months it holds.  Each
 *   organisation's monthly totals (history_totals, schema 0311, what the
 *   series of a trust and above read) are recomputed for those months in
 *   the same transaction.
 * - Each file is one import: one transaction and one audit entry
 *   ("import.history"). */
#ifndef CADRE_DOMAIN_HISTORY_H
#define CADRE_DOMAIN_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/import.h"

struct store;

enum history_kind {
	HISTORY_SICKNESS = 0,   /* sickness-absence.csv */
	HISTORY_SICKNESS_WARDS, /* sickness-absence-wards.csv */
	HISTORY_VACANCIES,      /* vacancies.csv */
	HISTORY_TEMPORARY,      /* temporary-staffing-history.csv */
	HISTORY_KINDS
};

struct history_opts {
	bool dry_run;                   /* check everything, write nothing */
	bool synthetic;                 /* the figures are generated (the demo) */
	const unsigned char *audit_key; /* required unless dry_run */
	const struct clock *clk;        /* NULL: the system clock */
};

struct history_result {
	enum history_kind kind;
	int64_t rows;          /* rows loaded */
	int64_t rows_skipped;  /* organisation sickness: a published figure held the month */
	int64_t rows_replaced; /* held rows the file replaced */
	int64_t orgs;          /* organisations in the file */
	int first_month, last_month;
	char sha256[65];
	bool rebuilt;      /* sickness: the file's months widened the hierarchy's */
	int64_t import_id; /* stat_import (sickness) or history_import row */
	int64_t audit_seq; /* 0 for a dry run */
	int64_t micros;
	struct import_problems problems; /* why it was rejected */
};

/* history_kind_name: "sickness", "sickness_wards", "vacancies",
 * "temporary_staffing" (static; NULL for an unknown value). */
const char *history_kind_name(enum history_kind k);

/* history_file_name: the demo's file name for the kind
 * ("sickness-absence.csv" ...; static). */
const char *history_file_name(enum history_kind k);

/* history_import: import one history file, its kind told by its header
 * (see the design note).  res (required) gets the counts, or the problems
 * when the file is rejected (CADRE_EINVAL, err quoting the first).  Only
 * the system actor imports. */
int history_import(const struct actor *actor, struct store *db, const char *path,
                   const struct history_opts *opt, struct history_result *res,
                   struct cadre_err *err);

/* history_import_dir: import each of the four files that dir holds, in the
 * order of enum history_kind, one import each; stops at the first that
 * fails.  res[k] is zeroed for a kind whose file is absent (present[k]
 * false).  CADRE_ENOTFOUND when dir holds none of them. */
int history_import_dir(const struct actor *actor, struct store *db, const char *dir,
                       const struct history_opts *opt, struct history_result res[HISTORY_KINDS],
                       bool present[HISTORY_KINDS], struct cadre_err *err);

#endif
