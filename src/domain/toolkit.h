/* toolkit: self-assessment toolkits as data: parsing, validation, versions.
 *
 * Design note (the file format in full: docs/toolkits.md)
 * - A toolkit is a JSON file under data/toolkits/ ("format":
 *   "cadre-toolkit/1"): an id, a version, the organisation levels it
 *   applies to (trust; icb; region), the sources its statements draw on, a
 *   maturity scale (1..N, a label each), and factors holding statements.
 *   Each statement has a stable id, its text, the sources it cites, a
 *   descriptor for every level of the scale, and optional automatic
 *   evidence keys (resolved by assess.h's evidence registry).  A new toolkit
 *   or a new version of one loads without code changes.
 * - Validation is strict, and every problem names the file and the JSON
 *   path ("five-factor.json: factors[1].statements[2].id: duplicate
 *   statement id 'tech-3' (first at factors[1].statements[0])"), or line
 *   and column for JSON syntax.  Unknown members are refused, so a typo
 *   does not silently drop a field.  A toolkit naming a known "framework"
 *   must hold exactly that framework's factors (and scale labels): the
 *   five factors of the NHS Improvement workforce-planning toolkit, or the
 *   five commissioning competencies.
 * - Versions: (id, version) is loaded once; loading the identical file
 *   again changes nothing, a different file under a loaded version is a
 *   conflict, and a new version must be higher than every loaded one.
 *   Statement ids are stable across versions: a statement may be added or
 *   retired, never moved to another factor; and every factor of the latest
 *   version must still be there.  Every version stays stored (its file, as
 *   loaded), so a round keeps the version it was answered on.
 * - A load is one write transaction with its audit entry ("toolkit.load"),
 *   so nothing is half-saved. */
#ifndef CADRE_DOMAIN_TOOLKIT_H
#define CADRE_DOMAIN_TOOLKIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "domain/actor.h"

struct store;

#define TOOLKIT_FORMAT     "cadre-toolkit/1"
#define TOOLKIT_ID_MAX     64 /* bytes, NUL included: toolkit, factor, statement ids */
#define TOOLKIT_SCALE_MAX  10
#define TOOLKIT_FILE_MAX   ((size_t)4 * 1024 * 1024)
#define TOOLKIT_TEXT_MAX   2000 /* bytes of one text */
#define TOOLKIT_FACTORS    16   /* at most */
#define TOOLKIT_STATEMENTS 20   /* at most, per factor */

/* organisation levels a toolkit applies to (bit set) */
#define TOOLKIT_LEVEL_TRUST  1u
#define TOOLKIT_LEVEL_ICB    2u
#define TOOLKIT_LEVEL_REGION 4u

struct toolkit_source {
	const char *key; /* "SIX" */
	const char *citation;
};

struct toolkit_scale_point {
	int value; /* 1..N */
	const char *label;
	const char *description; /* "" when none */
};

struct toolkit_statement {
	const char *id;
	const char *text;
	size_t factor; /* index into factors */
	const char *const *sources;
	size_t nsources;
	const char *const *descriptors; /* [nscale]: descriptors[i] for scale[i] */
	const char *const *evidence;    /* evidence keys */
	size_t nevidence;
	const char *evidence_hint; /* "" when none */
};

struct toolkit_factor {
	const char *id;
	const char *title;
	const char *description;
	size_t first; /* its statements are statements[first .. first + n - 1] */
	size_t n;
};

/* toolkit: one version, parsed.  Every string and array is owned by the
 * toolkit's arena; release with toolkit_free. */
struct toolkit {
	const char *id;
	int64_t version;
	const char *title;
	const char *description;
	const char *framework; /* "" when none */
	unsigned levels;       /* TOOLKIT_LEVEL_* */
	struct toolkit_source *sources;
	size_t nsources;
	struct toolkit_scale_point *scale;
	size_t nscale;
	struct toolkit_factor *factors;
	size_t nfactors;
	struct toolkit_statement *statements; /* in factor order */
	size_t nstatements;
	struct arena arena;
};

/* toolkit_level_bit: TOOLKIT_LEVEL_* for "trust", "icb", "region" (or an
 * organisation kind); 0 for anything else. */
unsigned toolkit_level_bit(const char *kind);

/* toolkit_levels_text: "trust" or "icb,region" into out (n bytes). */
void toolkit_levels_text(unsigned levels, char *out, size_t n);

/* toolkit_parse: parse and validate len bytes of JSON text (pure: no
 * database; previous versions are checked at load).  name prefixes every
 * message ("five-factor.json").  On success tk holds the toolkit (free it
 * with toolkit_free); on failure tk holds nothing to free. */
int toolkit_parse(const char *name, const char *text, size_t len, struct toolkit *tk,
                  struct cadre_err *err);

/* toolkit_free: release tk's arena. */
void toolkit_free(struct toolkit *tk);

/* toolkit_statement_find: the statement with id, or NULL; *index (may be
 * NULL) gets its index. */
const struct toolkit_statement *toolkit_statement_find(const struct toolkit *tk, const char *id,
                                                       size_t *index);

/* toolkit_factor_find: the factor with id, or NULL. */
const struct toolkit_factor *toolkit_factor_find(const struct toolkit *tk, const char *id,
                                                 size_t *index);

/* toolkit_load_result: what a load did. */
struct toolkit_load_result {
	char id[TOOLKIT_ID_MAX];
	int64_t version;
	bool unchanged; /* the identical file was already loaded */
	size_t factors, statements;
	char sha256[65];
	int64_t audit_seq; /* 0 when unchanged */
};

/* toolkit_load_file: read, validate and store the toolkit file at path
 * (see the design note), in one write transaction audited with key.
 * The checks against earlier versions (missing factor, moved statement,
 * version order) run inside the transaction.  res may be NULL. */
int toolkit_load_file(const struct actor *actor, struct store *db, const unsigned char *key,
                      const char *path, const struct clock *clk, struct toolkit_load_result *res,
                      struct cadre_err *err);

/* toolkit_load_dir: toolkit_load_file for every *.json file in dir, in
 * name order; the first failure stops (earlier files stay loaded, each in
 * its own transaction).  *loaded / *unchanged (may be NULL) get counts. */
int toolkit_load_dir(const struct actor *actor, struct store *db, const unsigned char *key,
                     const char *dir, const struct clock *clk, size_t *loaded, size_t *unchanged,
                     struct cadre_err *err);

/* toolkit_find_dir: the shipped toolkits folder: the reference data folder
 * (refdata_find_dir) followed by /toolkits. */
int toolkit_find_dir(char *out, size_t n, struct cadre_err *err);

/* toolkit_get: version `version` of toolkit id (0: the latest), parsed
 * from the file as loaded.  CADRE_ENOTFOUND when absent.  Free with
 * toolkit_free. */
int toolkit_get(const struct actor *actor, struct store *db, const char *id, int64_t version,
                struct toolkit *tk, struct cadre_err *err);

/* toolkit_for_level: the id of the one toolkit whose latest version
 * applies to the organisation kind (into out, TOOLKIT_ID_MAX bytes).
 * CADRE_ENOTFOUND when none applies, CADRE_EINVAL naming them when several
 * do (the caller must choose). */
int toolkit_for_level(const struct actor *actor, struct store *db, const char *kind, char *out,
                      struct cadre_err *err);

/* toolkit_info: one loaded version, for lists. */
struct toolkit_info {
	char id[TOOLKIT_ID_MAX];
	int64_t version;
	bool latest;
	char title[256];
	char levels[32]; /* "trust", "icb,region" */
	char framework[64];
	int64_t factors, statements;
	char file[256];
	char sha256[65];
	int64_t loaded_us;
	int64_t rounds; /* rounds answered on this version */
};

/* toolkit_list: every loaded version, by id then version; *out (free())
 * holds *n entries. */
int toolkit_list(const struct actor *actor, struct store *db, struct toolkit_info **out, size_t *n,
                 struct cadre_err *err);

#endif
