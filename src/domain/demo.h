/* demo: the synthetic demonstration data set (`cadre demo generate`) and its
 * calibration check (`cadre demo check`).
 *
 * Design note.  The generator writes the import files a trust would give
 * Cadre (docs/formats.md): an ESR-style staff extract, the cost-centre map,
 * the funded establishment and temporary staffing for the 12 months up to
 * the reference date, and 36 months of history (sickness absence by
 * organisation and ward, vacancies, temporary staffing).  Everything is
 * synthetic: no real person's data is used, names are drawn from lists of
 * common names and national identifiers can never be real NI numbers.
 *
 * Reproducibility: the output depends only on the seed, the reference date
 * and which organisations are generated, never on the machine.  Each
 * organisation is generated from its own random substreams (seed, purpose,
 * organisation code) and the cross-employer people of its ICS from the
 * (seed, "ics-pool", ICB) substream, so an organisation's rows are
 * byte-identical whether it is generated alone, with its ICS or with the
 * nation: the `ics` demo is exactly the `national` demo's rows for those
 * organisations.  All decisions use integer arithmetic (docs/demo.md).
 *
 * Calibration: organisation sizes, staff-group mix, sickness rates and
 * seasonality come from published figures (data/demo/); the rest are
 * stated assumptions.  demo_check measures a generated directory against
 * the targets.
 *
 * The generator reads and writes no database and touches no person's data,
 * so it takes no actor: it is a pure function of its options that writes
 * files where the caller says. */
#ifndef CADRE_DOMAIN_DEMO_H
#define CADRE_DOMAIN_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/err.h"
#include "base/progress.h"

enum demo_scale {
	DEMO_SCALE_TRUST,    /* one mid-size acute trust: DEMO_TRUST_ORG */
	DEMO_SCALE_ICS,      /* one ICS's organisations: DEMO_ICS_CODE */
	DEMO_SCALE_NATIONAL, /* every organisation in data/demo/org-fte-2024.csv */
};

#define DEMO_TRUST_ORG "RXC" /* East Sussex Healthcare NHS Trust, about 7,700 FTE */
#define DEMO_ICS_CODE  "QNX" /* Sussex: six trusts of all four kinds and the ICB */

/* The files written, in the fixed order the output hash uses. */
enum demo_file {
	DEMO_FILE_ORGANISATIONS,
	DEMO_FILE_COST_CENTRES,
	DEMO_FILE_STAFF,
	DEMO_FILE_ESTABLISHMENT,
	DEMO_FILE_TEMPORARY_STAFFING,
	DEMO_FILE_SICKNESS,
	DEMO_FILE_SICKNESS_WARDS,
	DEMO_FILE_VACANCIES,
	DEMO_FILE_TEMPORARY_STAFFING_HISTORY,
	DEMO_FILE_COUNT
};

/* demo_file_name: "staff.csv" and so on. */
const char *demo_file_name(int file);

struct demo_options {
	uint64_t seed;
	struct date as_of; /* the reference date; demo_default_as_of() */
	enum demo_scale scale;
	const char *orgs; /* NULL, or a comma-separated list of organisation
	                          codes: only those of the scale's organisations
	                          (each must belong to it), with the same rows as
	                          in the full scale */
};

/* demo_default_as_of: 2025-03-31, the end of 2024/25. */
struct date demo_default_as_of(void);

/* demo_scale_parse: "trust", "ics" or "national". */
int demo_scale_parse(const char *s, enum demo_scale *out, struct cadre_err *err);

struct demo_summary {
	size_t orgs;
	uint64_t persons;     /* person records written, counted per employer */
	uint64_t assignments; /* staff.csv rows */
	uint64_t rows[DEMO_FILE_COUNT];
	int64_t fte_x10000; /* staff in post FTE at the reference date */
	int64_t target_fte_x100;
};

/* demo_generate: write the demo files into dir (which must exist; files
 * there of the same names are replaced).  progress (may be NULL) counts
 * organisations.  sum (may be NULL) receives the counts.  Returns
 * CADRE_EINVAL for bad options (an unknown organisation, a date outside
 * 2000-2099), CADRE_EINTERNAL when a file cannot be written. */
int demo_generate(const struct demo_options *opt, const char *dir, struct progress *progress,
                  struct demo_summary *sum, struct cadre_err *err);

/* demo_check: read a generated directory (organisations.csv, staff.csv,
 * establishment.csv and temporary-staffing.csv) and compare its aggregates
 * with the calibration targets of docs/demo.md: every organisation's FTE in
 * post within 2% of its target; each staff group's share of FTE within 1
 * point of the 2018 mix (weighted by the organisation types present); the
 * minority-ethnic share overall, for doctors, nurses and midwives, by band
 * and for VSMs within the stated ranges; vacancy rates by group between 5%
 * and 12%.  Appends a readable report to out; *pass is true when every check
 * passes.  Returns CADRE_EINVAL for a file that is not a demo file. */
int demo_check(const char *dir, struct buf *out, bool *pass, struct cadre_err *err);

#endif
