/* people_fields: what the people-area importers (staff, cost centres,
 * establishment, temporary staffing) share: the cell types of
 * docs/formats.md, the grade code, the reference data they check against,
 * and a small open-addressing hash index.
 *
 * Design note
 * - Cell parsers take the cell's bytes and give a value or a reason.  The
 *   reason never quotes personal data (names, national identifiers); it
 *   quotes codes and numbers, cut to PF_SHOW_MAX bytes, so a 64 KiB cell
 *   cannot flood a report.
 * - Numbers are exact: decimals become integers scaled by 10^places
 *   (hours in hundredths, FTE in ten-thousandths, money in pence), never
 *   binary fractions, so "0.8000" checks against 30 hours exactly.
 * - The reference data (staff groups, ESR staff groups, occupation codes,
 *   medical grades, ethnic categories, AfC bands and pay points, Cadre's ESR
 *   to NHS Digital correspondence) is read once per import into struct
 *   pf_ref; it is small.
 * - pf_index maps keys to uint32 row numbers; the caller hashes and
 *   compares, so one index type serves every key shape without copying
 *   keys. */
#ifndef CADRE_DOMAIN_PEOPLE_FIELDS_H
#define CADRE_DOMAIN_PEOPLE_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <stdio.h>

#include "base/err.h"

struct store;

#define PF_SHOW_MAX   40  /* bytes of a value quoted in a reason */
#define PF_REASON_MAX 320 /* as IMPORT_REASON_MAX */
#define PF_CODE_MAX   30  /* the formats' code type */
#define PF_GROUP_MAX  24  /* a staff-group code, NUL included */
#define PF_GRADE_MAX  16  /* a grade code, NUL included */

/* ---- cells ---------------------------------------------------------------- */

/* pf_show: v (n bytes) for a reason: at most PF_SHOW_MAX bytes, cut on a
 * character boundary with "..." after, control characters as '?'. */
void pf_show(const char *v, size_t n, char *out, size_t outn);

/* pf_code_ok: the formats' code type: 1..max characters of [A-Za-z0-9_/.-],
 * starting with a letter or digit. */
bool pf_code_ok(const char *s, size_t n, size_t max);

/* pf_text_ok: UTF-8 text without control characters, at most max
 * characters; *s and *n are moved past a leading ' that neutralises
 * = + - @ (docs/formats.md, "Spreadsheet neutralisation"). */
bool pf_text_ok(const char **s, size_t *n, size_t max);

/* pf_date: YYYY-MM-DD, a real day in 1900-2099, as days since 1970-01-01. */
bool pf_date(const char *s, size_t n, int32_t *days);

/* pf_month: YYYY-MM (1900-2099) as yyyymm. */
bool pf_month(const char *s, size_t n, int *ym);

/* pf_int: ^-?[0-9]{1,15}$. */
bool pf_int(const char *s, size_t n, int64_t *v);

/* pf_decimal: ^-?[0-9]{1,15}(\.[0-9]{1,places})?$ scaled by 10^places. */
bool pf_decimal(const char *s, size_t n, int places, int64_t *v);

/* pf_money: ^-?[0-9]{1,15}\.[0-9]{2}$ (pounds, exactly two decimals) in
 * pence. */
bool pf_money(const char *s, size_t n, int64_t *pence);

/* pf_date_format: days as YYYY-MM-DD into out (11 bytes at least). */
void pf_date_format(int32_t days, char *out);

/* pf_date_month: the yyyymm of a day. */
int pf_date_month(int32_t days);

/* pf_month_end: the last day of yyyymm, as days. */
int32_t pf_month_end(int ym);

/* pf_date_fy: the financial year (2024 for 2024/25) of a day. */
int pf_date_fy(int32_t days);

/* ---- grades ---------------------------------------------------------------- */

enum pf_pay {
	PF_PAY_AFC = 1,
	PF_PAY_MED = 2,
	PF_PAY_VSM = 3,
};

/* pf_grade: a grade code taken apart. */
struct pf_grade {
	enum pf_pay pay;
	char band[8]; /* AfC band ("8a") or medical grade ("CONS"); "" for VSM */
	int point;    /* pay point or medical point; 0 when absent */
};

/* pf_grade_parse: the grade pattern of docs/formats.md; false when the text
 * does not have it. */
bool pf_grade_parse(const char *s, size_t n, struct pf_grade *g);

/* pf_grade_band: the grade without its point ("AFC-5", "MED-CONS", "VSM")
 * into out (PF_GRADE_MAX bytes). */
void pf_grade_band(const struct pf_grade *g, char *out);

/* pf_fulltime_hours100: full-time weekly hours in hundredths: 3750 for
 * AfC and VSM, 4000 for medical (10 programmed activities of 4 hours). */
int pf_fulltime_hours100(enum pf_pay pay);

/* ---- reference data ----------------------------------------------------- */

struct pf_occ {
	char code[4];
	char rule;                /* 'e' exact, 'p' prefix, 'n' numeric */
	char group[PF_GROUP_MAX]; /* "" when the row maps no group */
	bool closed;              /* a closed code or a retired matrix */
};

struct pf_medgrade {
	char code[8];
	char group[PF_GROUP_MAX]; /* "" when the reference data has none */
};

struct pf_paypoint {
	int fy;
	char band[4];
	int point;
};

struct pf_esrmap {
	char esr[4];
	char profession[40]; /* "*" any */
	char pay[4];         /* "*", "AFC", "MED", "VSM" */
	bool fallback;       /* role fallback; else consistent */
	char group[PF_GROUP_MAX];
};

struct pf_group {
	char code[PF_GROUP_MAX];
	bool is_total;
};

struct pf_ref {
	struct pf_group *groups;
	size_t ngroups;
	char (*esr)[4];
	size_t nesr;
	char (*ethnic)[4];
	size_t nethnic;
	char (*bands)[4];
	size_t nbands;
	struct pf_occ *occ;
	size_t nocc;
	struct pf_medgrade *med;
	size_t nmed;
	struct pf_paypoint *pay;
	size_t npay;
	struct pf_esrmap *map;
	size_t nmap;
	int pay_fy_min, pay_fy_max; /* the years with pay points */
};

/* pf_ref_load: read the reference data (inside any transaction or none).
 * An empty staff-group table is CADRE_EINVAL ("run cadre init"). */
int pf_ref_load(struct store *db, struct pf_ref *r, struct cadre_err *err);

/* pf_ref_free: release r's arrays. */
void pf_ref_free(struct pf_ref *r);

/* pf_group_find: the staff group of that code, or NULL. */
const struct pf_group *pf_group_find(const struct pf_ref *r, const char *code, size_t n);

/* pf_esr_known / pf_ethnic_known: the code is in the reference data. */
bool pf_esr_known(const struct pf_ref *r, const char *code, size_t n);
bool pf_ethnic_known(const struct pf_ref *r, const char *code, size_t n);

/* pf_medgrade_find: the medical grade of that code, or NULL. */
const struct pf_medgrade *pf_medgrade_find(const struct pf_ref *r, const char *code);

/* pf_grade_check: the grade's band, grade and pay point exist in the
 * reference data.  need_point: AfC must carry a pay point (staff) or must
 * not (ledger files, which budget by band).  days: the row's date, whose
 * financial year's pay table holds the points.  false with why set. */
bool pf_grade_check(const struct pf_ref *r, const struct pf_grade *g, const char *text, bool ledger,
                    int32_t days, char *why, size_t whyn);

/* pf_group_for_ledger: the ledger rule of docs/formats.md: a medical grade
 * carries its grade's NHS Digital group (and one without one is refused);
 * AfC and VSM never a DOC_ group; the group is a component (not a total,
 * not UNKNOWN).  false with why set. */
bool pf_group_for_ledger(const struct pf_ref *r, const char *group, size_t n,
                         const struct pf_grade *g, char *why, size_t whyn);

/* pf_occ_match: the occupation-code row that covers code: an exact row,
 * else the longest prefix row, else the numeric row for three digits.
 * NULL when none does. */
const struct pf_occ *pf_occ_match(const struct pf_ref *r, const char *code);

/* pf_occ_form_ok: three digits (medical and dental), or a matrix letter
 * followed by two capital letters or digits. */
bool pf_occ_form_ok(const char *s, size_t n);

/* pf_occ_enumerated: the reference data lists the codes of this code's
 * matrix one by one (exact rows and no prefix row for its first
 * character), so a code it lacks is unknown, not merely unmapped. */
bool pf_occ_enumerated(const struct pf_ref *r, const char *code);

/* pf_derivation: how a staff group was found. */
enum pf_basis {
	PF_BASIS_GRADE = 1,      /* the medical grade's group */
	PF_BASIS_OCCUPATION = 2, /* the occupation code's group */
	PF_BASIS_FALLBACK = 3,   /* Cadre's ESR staff group correspondence */
};

/* pf_basis_name: "grade", "occupation", "fallback". */
const char *pf_basis_name(enum pf_basis b);

struct pf_derived {
	char group[PF_GROUP_MAX];
	enum pf_basis basis;
	bool conflict; /* authoritative and the ESR group does not agree */
};

/* pf_derive_group: the NHS Digital staff group of an assignment
 * (docs/people.md, "Staff group"). */
void pf_derive_group(const struct pf_ref *r, const char *occ, const char *esr,
                     const struct pf_grade *g, const char *profession, struct pf_derived *out);

/* ---- a hash index of row numbers -------------------------------------------- */

/* pf_hash: 64-bit FNV-1a of n bytes, continuing from h (start with
 * PF_HASH_INIT). */
#define PF_HASH_INIT UINT64_C(0xcbf29ce484222325)
uint64_t pf_hash(const void *p, size_t n, uint64_t h);

/* pf_index: open addressing over row numbers.  Each slot holds 32 bits of
 * the row's hash (which also choose the slot) and the row + 1 (0: empty),
 * side by side, so a probe touches one cache line.  The caller compares
 * keys: pf_index_next walks the rows stored under a hash. */
struct pf_slot {
	uint32_t hash;
	uint32_t row; /* row + 1; 0 is empty */
};

struct pf_index {
	struct pf_slot *slot;
	size_t cap; /* grown (doubled) at 3/4 full */
	size_t n;
};

/* pf_index_init: room for about expect rows before growing. */
void pf_index_init(struct pf_index *ix, size_t expect);
void pf_index_free(struct pf_index *ix);

/* pf_index_probe: start a walk over the rows stored under hash h. */
struct pf_probe {
	size_t i;
	uint32_t h;
};
struct pf_probe pf_index_probe(const struct pf_index *ix, uint64_t h);

/* pf_index_next: the next row with the probe's hash (UINT32_MAX at the
 * end, where pf_index_put would put a new one). */
uint32_t pf_index_next(const struct pf_index *ix, struct pf_probe *p);

/* pf_index_put: store row under hash h (the caller checked it is new). */
void pf_index_put(struct pf_index *ix, uint64_t h, uint32_t row);

/* ---- files, import records and the audit entry --------------------------- */

/* pf_file: a file read front to back through f while a thread hashes it
 * (SHA-256) through its own descriptor; pf_file_finish refuses a file whose
 * identity, size or modification time changed meanwhile, so the hash is of
 * the bytes parsed.  The file is never held in memory whole (a 100 MB line
 * is refused at the CSV reader's cap after reading about 1 MiB). */
struct pf_file {
	FILE *f;         /* read this */
	char sha256[65]; /* after pf_file_finish */
	uint64_t bytes;
	void *priv;
};

/* pf_file_open: open path for reading ("cannot open" errors name it). */
int pf_file_open(const char *path, struct pf_file *pf, struct cadre_err *err);

/* pf_file_finish: read what the parser left (nothing, normally) and fill
 * pf->sha256 with the hash of the whole file. */
int pf_file_finish(struct pf_file *pf, struct cadre_err *err);

/* pf_file_close: close and free (after finish or on an error path). */
void pf_file_close(struct pf_file *pf);

struct actor;

enum pf_table {
	PF_T_PERSON = 0,
	PF_T_STAFF,
	PF_T_ASSIGNMENT,
	PF_T_COST_CENTRE,
	PF_T_IMPORT,
};

/* pf_next_id: MAX(id) + 1 of one of the people-area tables. */
int pf_next_id(struct store *db, enum pf_table t, int64_t *id, struct cadre_err *err);

/* pf_import_record: a people_import row (kind: staff, cost_centres,
 * establishment, temporary_staffing) with id; bumps people_state's
 * generation. */
int pf_import_record(const struct actor *actor, struct store *db, int64_t id, const char *kind,
                     const char *path, const char *sha256, int64_t rows_read, int64_t rows_changed,
                     int64_t now_us, struct cadre_err *err);

/* pf_generation: people_state's generation. */
int pf_generation(struct store *db, int64_t *gen, struct cadre_err *err);

/* pf_import_audit: the import's one audit entry (action "import.KIND",
 * object "KIND:FILE"; payload: kind, file, sha256, rows and the members of
 * extra, a JSON object or NULL, not stolen), stamped on its people_import
 * row. */
int pf_import_audit(const struct actor *actor, struct store *db, const unsigned char *key,
                    const char *kind, const char *path, const char *sha256, int64_t rows,
                    const json_t *extra, int64_t import_id, int64_t now_us, int64_t *seq,
                    struct cadre_err *err);

#endif
