/* people: the staff extract import (see people.h and docs/people.md). */
#include "domain/people.h"

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/date.h"
#include "base/mem.h"
#include "domain/people_fields.h"
#include "domain/wards.h"
#include "io/csv.h"
#include "store/store.h"

/* ---- columns and code lists --------------------------------------------------------- */

enum {
	C_REF = 0,
	C_STAFF,
	C_NI,
	C_NAME,
	C_MANAGER,
	C_ORG,
	C_CC,
	C_POSITION,
	C_OCC,
	C_ESR,
	C_GRADE,
	C_HOURS,
	C_FTE,
	C_CATEGORY,
	C_START,
	C_END,
	C_LEAVING,
	C_BIRTH,
	C_SEX,
	C_ETHNIC,
	C_DISABILITY,
	C_PROFESSION,
	C_REGBODY,
	C_QUAL,
	C_TRAINING,
	C_LEADERSHIP,
	C_EXTRACT,
};

static const char *const colnames[PEOPLE_NCOLS] = {
    "assignment_ref",
    "staff_ref",
    "national_identifier",
    "display_name",
    "manager_staff_ref",
    "org_code",
    "cost_centre_code",
    "position_ref",
    "occupation_code",
    "esr_staff_group",
    "grade",
    "contracted_hours",
    "fte",
    "assignment_category",
    "start_date",
    "end_date",
    "leaving_reason",
    "birth_year",
    "sex",
    "ethnic_category",
    "disability",
    "profession",
    "registration_body",
    "qualification_year",
    "training_stage",
    "leadership_level",
    "extract_date",
};

enum { CAT_PERMANENT = 0, CAT_FIXED, CAT_BANK, CAT_HONORARY, CAT_LOCUM };

static const char *const categories[] = {"permanent", "fixed_term", "bank", "honorary", "locum"};

static const char *const leaving_reasons[] = {
    "",
    "resignation_relocation",
    "resignation_work_life_balance",
    "resignation_promotion",
    "resignation_better_reward",
    "resignation_health",
    "resignation_other",
    "retirement_age",
    "retirement_flexi",
    "retirement_ill_health",
    "end_of_fixed_term",
    "end_of_rotation",
    "dismissal",
    "redundancy",
    "mutually_agreed_resignation",
    "death_in_service",
    "employee_transfer",
};

struct profession {
	const char *name;
	const char *body;
};

static const struct profession professions[] = {
    {"", ""},
    {"medicine", "GMC"},
    {"dentistry", "GDC"},
    {"nursing_adult", "NMC"},
    {"nursing_children", "NMC"},
    {"nursing_mental_health", "NMC"},
    {"nursing_learning_disabilities", "NMC"},
    {"midwifery", "NMC"},
    {"nursing_associate", "NMC"},
    {"paramedic", "HCPC"},
    {"physiotherapy", "HCPC"},
    {"occupational_therapy", "HCPC"},
    {"therapeutic_radiography", "HCPC"},
    {"speech_and_language_therapy", "HCPC"},
    {"dietetics", "HCPC"},
    {"podiatry", "HCPC"},
    {"operating_department_practice", "HCPC"},
    {"biomedical_science", "HCPC"},
    {"clinical_science", "HCPC"},
    {"practitioner_psychology", "HCPC"},
    {"pharmacy", "GPhC"},
    {"pharmacy_technician", "GPhC"},
    {"social_work", "SWE"},
    {"diagnostic_radiography", "HCPC"},
};

static const char *const bodies[] = {"GMC", "GDC", "NMC", "HCPC", "GPhC", "SWE"};

static const char *const stages[] = {
    "",    "FY1", "FY2", "CT1", "CT2", "CT3",           "ST1",        "ST2",     "ST3",
    "ST4", "ST5", "ST6", "ST7", "ST8", "preceptorship", "apprentice", "trainee",
};

static const char *const sexes[] = {"F", "M"};
static const char *const disabilities[] = {"yes", "no", "not_declared"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define NONE32   UINT32_MAX
#define OPEN_END INT32_MAX

static int list_find(const char *const *list, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0)
			return (int)i;
	return -1;
}

static int profession_find(const char *s, size_t len)
{
	for (size_t i = 1; i < NELEM(professions); i++)
		if (strlen(professions[i].name) == len && memcmp(professions[i].name, s, len) == 0)
			return (int)i;
	return -1;
}

/* ---- a string pool: NUL-terminated strings back to back, no alignment ------------- */

#define POOL_BLOCK ((size_t)4 * 1024 * 1024)

struct pool {
	char **blocks;
	size_t nblocks, balloc;
	size_t used; /* in the last block */
	size_t bytes;
};

static char *pool_take(struct pool *p, size_t n)
{
	if (!p->nblocks || p->used + n > POOL_BLOCK) {
		if (p->nblocks == p->balloc) {
			p->balloc = p->balloc ? p->balloc * 2 : 64;
			p->blocks = xreallocarray(p->blocks, p->balloc, sizeof *p->blocks);
		}
		p->blocks[p->nblocks++] = xmalloc(n > POOL_BLOCK ? n : POOL_BLOCK);
		p->used = 0;
	}
	char *s = p->blocks[p->nblocks - 1] + p->used;
	p->used += n;
	p->bytes += n;
	return s;
}

/* pool_add: the strings v[0..n-1] (lengths len[]) back to back, each with
 * its NUL; returns the first. */
static const char *pool_add(struct pool *p, const char *const *v, const size_t *len, int n)
{
	size_t total = 0;
	for (int i = 0; i < n; i++)
		total += len[i] + 1;
	char *s = pool_take(p, total);
	char *o = s;
	for (int i = 0; i < n; i++) {
		memcpy(o, v[i], len[i]);
		o[len[i]] = '\0';
		o += len[i] + 1;
	}
	return s;
}

static void pool_free(struct pool *p)
{
	for (size_t i = 0; i < p->nblocks; i++)
		free(p->blocks[i]);
	free(p->blocks);
	memset(p, 0, sizeof *p);
}

/* next_str: the string after s in a pool entry. */
static const char *next_str(const char *s)
{
	return s + strlen(s) + 1;
}

/* ---- staged data ---------------------------------------------------------------------- */

#define SF_KEY     1  /* has a national identifier */
#define SF_TOP     2  /* has a row without a manager */
#define SF_NEW     4  /* not held: insert */
#define SF_CHANGED 8  /* held, attributes changed */
#define SF_REPOINT 16 /* held without a key, now with one */
/* 32 unused */
#define SF_SAMEDATE 64  /* held attributes date from this extract: update in place */
#define SF_PHELD    128 /* person_id is held in the database */

/* stf: a staff record (a person at one employer) met in the file. */
struct stf {
	const char *s; /* staff_ref \0 display_name \0 */
	uint8_t key[16];
	uint32_t id;        /* held or assigned staff id */
	uint32_t person_id; /* held or assigned person id (the key's head holds it) */
	int32_t line;       /* its first row */
	uint32_t head;      /* first staff with the same key; NONE32 without a key */
	uint32_t next_key;  /* next staff with the same key */
	uint16_t org;
	int16_t birth;
	int16_t qual;
	uint8_t sex, ethnic, disab, prof;
	uint8_t flags;
};

#define AF_NEW     1
#define AF_TERMS   2  /* held, terms changed */
#define AF_FACTS   4  /* held, start/end/reason changed or reopened */
#define AF_SAME    8  /* held, nothing changed */
#define AF_SAMEDAY 16 /* held terms date from this extract: update in place */

/* arow: one assignment row. */
struct arow {
	const char *s;    /* assignment_ref \0 position_ref \0 manager_staff_ref \0 */
	uint32_t staff;   /* index into staff */
	uint32_t manager; /* index into staff, NONE32 */
	uint32_t cc;      /* index into the cost-centre index */
	int32_t line;
	int32_t start, end; /* days; end OPEN_END when open */
	uint16_t hours;     /* hundredths */
	uint16_t fte;       /* ten-thousandths */
	uint16_t grade;     /* index into grades */
	char occ[3];
	uint8_t esr; /* 1..99 */
	uint8_t category, leaving, training, leadership;
	uint8_t group;  /* index into ref.groups */
	uint8_t gflags; /* basis (1..3) | conflict << 2 */
	uint8_t flags;  /* AF_* */
};

struct grade_entry {
	char text[PF_GRADE_MAX];
	char band[PF_GRADE_MAX];
	struct pf_grade g;
};

struct org_entry {
	int64_t id;
	char code[ORG_CODE_MAX];
	int32_t first_line;
	int64_t rows;
	uint32_t top;          /* staff with no manager, NONE32 */
	char held_extract[11]; /* "" when none held */
	char held_first[11];
};

/* pend: a problem found after the parse, whose column is looked up by
 * reading the file again. */
struct pend {
	long line;
	int field;
	char reason[IMPORT_REASON_MAX];
};

/* change: a held assignment that changes. */
struct change {
	uint32_t row;
	int64_t id;
};

/* closing: a held open assignment the extract no longer lists. */
struct closing {
	int64_t id;
	int32_t end;
};

/* repoint: a held keyless staff record that now has a key. */
struct repoint {
	uint32_t staff;
	int64_t old_person;
};

struct pimp {
	const struct actor *actor;
	struct store *db;
	const char *path;
	const struct people_opts *opt;
	struct people_result *res;
	int64_t now;

	struct pf_ref ref;
	struct org_index orgix;
	struct wards_index cc;
	crypto_auth_hmacsha256_state hmac0;
	const uint8_t *pre_key; /* the current row's person key, made by the reader; NULL */

	struct pool pool;
	struct stf *staff;
	size_t nstaff, salloc;
	struct arow *rows;
	size_t nrows, ralloc;
	struct grade_entry *grades;
	size_t ngrades, galloc;
	struct org_entry *orgs;
	size_t norgs, oalloc;

	struct pf_index refix;   /* assignment_ref -> row */
	struct pf_index staffix; /* (org, staff_ref) -> staff */
	struct pf_index keyix;   /* person key -> head staff */
	struct pf_index gradeix; /* grade text -> grade */

	int last_org;    /* the organisation slot of the last row, -1 */
	int32_t extract; /* days; 0 until the first row */
	int extract_year;
	int32_t extract_line; /* the row that set it */
	bool extract_set;

	struct pend *pend;
	size_t npend;
	int64_t pend_more;

	int64_t generation;
	struct change *changes;
	size_t nchanges, challoc;
	struct closing *closes;
	size_t ncloses, clalloc;
	struct repoint *repoints;
	size_t nrepoints, rpalloc;
	int64_t staff_changed, persons_new_key;
};

/* debug_mem: with CADRE_TIMING set, the process's memory at a point and
 * the CPU time of this thread so far (the machine may be shared: CPU
 * time says where the work goes when elapsed time cannot). */
static void debug_mem(const char *where)
{
	if (!getenv("CADRE_TIMING"))
		return;
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
		(void)fprintf(stderr, "%s: cpu %.2f s\n", where,
		              (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return;
	char line[256];
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "VmHWM", 5) == 0)
			(void)fprintf(stderr, "%s: %s", where, line);
	(void)fclose(f);
}

static void *grow(void *v, size_t n, size_t *alloc, size_t size, size_t first)
{
	if (n < *alloc)
		return v;
	*alloc = *alloc ? *alloc * 2 : first;
	return xreallocarray(v, *alloc, size);
}

/* ---- problems ---------------------------------------------------------------------------- */

__attribute__((format(printf, 4, 5))) static void bad(struct pimp *P, const struct csv_field *fl,
                                                      int c, const char *fmt, ...)
{
	char reason[IMPORT_REASON_MAX];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	import_problem_add(&P->res->problems, P->path, fl[c].line, fl[c].col, "%s", reason);
}

/* pend_add: a problem at (line, field) whose column is found later. */
__attribute__((format(printf, 4, 5))) static void pend_add(struct pimp *P, long line, int field,
                                                           const char *fmt, ...)
{
	if (P->npend >= IMPORT_PROBLEMS_CAP) {
		P->pend_more++;
		return;
	}
	if (!P->pend)
		P->pend = xcalloc(IMPORT_PROBLEMS_CAP, sizeof *P->pend);
	struct pend *x = &P->pend[P->npend++];
	x->line = line;
	x->field = field;
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(x->reason, sizeof x->reason, fmt, ap);
	va_end(ap);
}

static int pend_cmp(const void *a, const void *b)
{
	const struct pend *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->field - y->field;
}

/* pend_resolve: read the file again to the last pending line, and add the
 * pending problems with their columns, in line order. */
static void pend_resolve(struct pimp *P)
{
	if (!P->npend && !P->pend_more)
		return;
	qsort(P->pend, P->npend, sizeof *P->pend, pend_cmp);
	long cols[IMPORT_PROBLEMS_CAP];
	long lines[IMPORT_PROBLEMS_CAP];
	for (size_t i = 0; i < P->npend; i++) {
		cols[i] = 0;
		lines[i] = P->pend[i].line;
	}
	FILE *f = fopen(P->path, "rb");
	struct csv_reader *r = NULL;
	struct cadre_err e;
	if (f && csv_reader_open_file(&r, f, NULL, &e) == CADRE_OK) {
		size_t k = 0;
		while (k < P->npend && csv_reader_next(r, &e) == CADRE_OK) {
			long line = csv_reader_line(r);
			while (k < P->npend && P->pend[k].line < line)
				k++;
			while (k < P->npend && P->pend[k].line == line) {
				const struct csv_field *fd =
				    csv_reader_field(r, (size_t)P->pend[k].field);
				if (fd) {
					lines[k] = fd->line;
					cols[k] = fd->col;
				}
				k++;
			}
		}
	}
	csv_reader_free(r);
	if (f)
		(void)fclose(f);
	for (size_t i = 0; i < P->npend; i++)
		import_problem_add(&P->res->problems, P->path, lines[i], cols[i], "%s",
		                   P->pend[i].reason);
	P->res->problems.more += P->pend_more;
	P->npend = 0;
	P->pend_more = 0;
}

/* ---- the person key ------------------------------------------------------------------------ */

#define PERSON_KEY_PREFIX "cadre-person-v1:"

static void hmac_init(crypto_auth_hmacsha256_state *st, const unsigned char *key)
{
	crypto_auth_hmacsha256_init(st, key, PEOPLE_KEY_BYTES);
	crypto_auth_hmacsha256_update(st, (const unsigned char *)PERSON_KEY_PREFIX,
	                              strlen(PERSON_KEY_PREFIX));
}

static void person_key16(const crypto_auth_hmacsha256_state *st0, const char *ni, size_t n,
                         uint8_t out[16])
{
	crypto_auth_hmacsha256_state st = *st0;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ni, n);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, mac, 16);
	sodium_memzero(mac, sizeof mac);
	sodium_memzero(&st, sizeof st);
}

void people_person_key(const unsigned char key[PEOPLE_KEY_BYTES], const char *ni, size_t n,
                       char out[33])
{
	crypto_auth_hmacsha256_state st;
	hmac_init(&st, key);
	uint8_t k[16];
	person_key16(&st, ni, n, k);
	sodium_memzero(&st, sizeof st);
	(void)sodium_bin2hex(out, 33, k, sizeof k);
}

/* ---- lookups ---------------------------------------------------------------------------------- */

static uint32_t ref_find(const struct pimp *P, const char *ref, size_t n, uint64_t h)
{
	struct pf_probe p = pf_index_probe(&P->refix, h);
	uint32_t i;
	while ((i = pf_index_next(&P->refix, &p)) != NONE32) {
		const char *s = P->rows[i].s;
		if (strlen(s) == n && memcmp(s, ref, n) == 0)
			return i;
	}
	return NONE32;
}

static uint64_t staff_hash(uint16_t org, const char *ref, size_t n)
{
	return pf_hash(ref, n, pf_hash(&org, sizeof org, PF_HASH_INIT));
}

static uint32_t staff_find(const struct pimp *P, uint16_t org, const char *ref, size_t n)
{
	struct pf_probe p = pf_index_probe(&P->staffix, staff_hash(org, ref, n));
	uint32_t i;
	while ((i = pf_index_next(&P->staffix, &p)) != NONE32) {
		const struct stf *s = &P->staff[i];
		if (s->org == org && strlen(s->s) == n && memcmp(s->s, ref, n) == 0)
			return i;
	}
	return NONE32;
}

static uint64_t key_hash(const uint8_t key[16])
{
	uint64_t h;
	memcpy(&h, key, sizeof h);
	return h;
}

static uint32_t key_find(const struct pimp *P, const uint8_t key[16])
{
	struct pf_probe p = pf_index_probe(&P->keyix, key_hash(key));
	uint32_t i;
	while ((i = pf_index_next(&P->keyix, &p)) != NONE32)
		if (memcmp(P->staff[i].key, key, 16) == 0)
			return i;
	return NONE32;
}

/* The three indexes are tens of megabytes and each lookup lands on a
 * random slot: the lookups wait on memory, not on the CPU.  So the slots a
 * row will probe are fetched a few rows ahead (a hint; a wrong guess costs
 * nothing but the fetch). */
#define PREFETCH_AHEAD 8

static void index_prefetch(const struct pf_index *ix, uint64_t h)
{
	if (ix->slot)
		__builtin_prefetch(&ix->slot[pf_index_probe(ix, h).i]);
}

/* row_prefetch: the slots the checks of row fl will probe. */
static void row_prefetch(const struct pimp *P, const struct csv_field *fl, const uint8_t *key)
{
	index_prefetch(&P->refix, pf_hash(fl[C_REF].s, fl[C_REF].len, PF_HASH_INIT));
	if (key)
		index_prefetch(&P->keyix, key_hash(key));
	/* rows come grouped by organisation: guess the last one */
	if (P->last_org >= 0) {
		const char *code = P->orgs[P->last_org].code;
		if (strlen(code) == fl[C_ORG].len && memcmp(code, fl[C_ORG].s, fl[C_ORG].len) == 0)
			index_prefetch(&P->staffix, staff_hash((uint16_t)P->last_org, fl[C_STAFF].s,
			                                       fl[C_STAFF].len));
	}
}

static int grade_find(struct pimp *P, const char *s, size_t n)
{
	uint64_t h = pf_hash(s, n, PF_HASH_INIT);
	struct pf_probe p = pf_index_probe(&P->gradeix, h);
	uint32_t i;
	while ((i = pf_index_next(&P->gradeix, &p)) != NONE32)
		if (strlen(P->grades[i].text) == n && memcmp(P->grades[i].text, s, n) == 0)
			return (int)i;
	return -1;
}

static int grade_get(struct pimp *P, const char *s, size_t n, const struct pf_grade *g)
{
	int known = grade_find(P, s, n);
	if (known >= 0)
		return known;
	uint64_t h = pf_hash(s, n, PF_HASH_INIT);
	if (P->ngrades >= UINT16_MAX)
		return -1;
	P->grades = grow(P->grades, P->ngrades, &P->galloc, sizeof *P->grades, 64);
	struct grade_entry *e = &P->grades[P->ngrades];
	memset(e, 0, sizeof *e);
	memcpy(e->text, s, n);
	e->g = *g;
	pf_grade_band(g, e->band);
	pf_index_put(&P->gradeix, h, (uint32_t)P->ngrades);
	return (int)P->ngrades++;
}

static int org_slot(struct pimp *P, const struct org_index_entry *e, int32_t line)
{
	/* rows come grouped by organisation: try the last one first */
	if (P->last_org >= 0 && P->orgs[P->last_org].id == e->id)
		return P->last_org;
	for (size_t i = 0; i < P->norgs; i++)
		if (P->orgs[i].id == e->id)
			return P->last_org = (int)i;
	if (P->norgs >= UINT16_MAX)
		return -1;
	P->orgs = grow(P->orgs, P->norgs, &P->oalloc, sizeof *P->orgs, 16);
	struct org_entry *o = &P->orgs[P->norgs];
	memset(o, 0, sizeof *o);
	o->id = e->id;
	(void)snprintf(o->code, sizeof o->code, "%s", e->code);
	o->first_line = line;
	o->top = NONE32;
	P->last_org = (int)P->norgs;
	return (int)P->norgs++;
}

/* ---- one row ---------------------------------------------------------------------------------- */

static bool empty(const struct csv_field *f)
{
	return f->len == 0;
}

static void show(const struct csv_field *f, char *out, size_t n)
{
	pf_show(f->s, f->len, out, n);
}

static bool code_field(struct pimp *P, const struct csv_field *fl, int c, size_t max, bool required)
{
	if (empty(&fl[c])) {
		if (required)
			bad(P, fl, c, "%s is empty", colnames[c]);
		return !required;
	}
	if (pf_code_ok(fl[c].s, fl[c].len, max))
		return true;
	char v[PF_SHOW_MAX * 2];
	show(&fl[c], v, sizeof v);
	bad(P, fl, c,
	    "%s '%s': not a code (1-%zu letters, digits, _ / . -, starting with a letter or "
	    "digit)",
	    colnames[c], v, max);
	return false;
}

static bool ni_ok(const char *s, size_t n)
{
	if (n != 9)
		return false;
	for (int i = 0; i < 2; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	for (int i = 2; i < 8; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[8] >= 'A' && s[8] <= 'D';
}

/* a parsed row before it is staged */
struct prow {
	struct pf_grade g;
	int org;
	uint32_t cc;
	int32_t start, end, extract;
	int64_t hours, fte, birth, qual, leadership;
	int category, leaving, training, sex, ethnic, disab, prof;
	uint8_t key[16];
	bool has_key;
	const char *name;
	size_t name_len;
	struct pf_derived derived;
	int esr;
};

static bool check_dates(struct pimp *P, const struct csv_field *fl, struct prow *x)
{
	bool ok = true;
	char v[PF_SHOW_MAX * 2];
	if (empty(&fl[C_EXTRACT])) {
		bad(P, fl, C_EXTRACT, "extract_date is empty");
		return false;
	}
	if (!pf_date(fl[C_EXTRACT].s, fl[C_EXTRACT].len, &x->extract)) {
		show(&fl[C_EXTRACT], v, sizeof v);
		bad(P, fl, C_EXTRACT,
		    "extract_date '%s': not a date (YYYY-MM-DD, a real day in 1900-2099)", v);
		x->extract = P->extract; /* the other checks go on with the file's */
		return false;
	}
	char ed[11] = "";
	if (!P->extract_set) {
		int32_t want;
		if (P->opt->expect_extract &&
		    (!pf_date(P->opt->expect_extract, strlen(P->opt->expect_extract), &want) ||
		     want != x->extract)) {
			pf_date_format(x->extract, ed);
			bad(P, fl, C_EXTRACT, "extract_date %s is not the --as-of date %s", ed,
			    P->opt->expect_extract);
			return false;
		}
		P->extract_year = date_from_days(x->extract).y;
		P->extract = x->extract;
		P->extract_line = (int32_t)fl[0].line;
		P->extract_set = true;
	} else if (x->extract != P->extract) {
		char first[11];
		pf_date_format(P->extract, first);
		pf_date_format(x->extract, ed);
		bad(P, fl, C_EXTRACT,
		    "extract_date %s differs from %s on line %ld: one extract date per file", ed,
		    first, (long)P->extract_line);
		x->extract = P->extract;
		return false;
	}
	if (empty(&fl[C_START])) {
		bad(P, fl, C_START, "start_date is empty");
		ok = false;
	} else if (!pf_date(fl[C_START].s, fl[C_START].len, &x->start)) {
		show(&fl[C_START], v, sizeof v);
		bad(P, fl, C_START,
		    "start_date '%s': not a date (YYYY-MM-DD, a real day in 1900-2099)", v);
		ok = false;
	} else if (x->start > x->extract) {
		pf_date_format(x->extract, ed);
		bad(P, fl, C_START, "start_date %.10s is after the extract date %s", fl[C_START].s,
		    ed);
		ok = false;
	}
	x->end = OPEN_END;
	if (!empty(&fl[C_END])) {
		if (!pf_date(fl[C_END].s, fl[C_END].len, &x->end)) {
			show(&fl[C_END], v, sizeof v);
			bad(P, fl, C_END,
			    "end_date '%s': not a date (YYYY-MM-DD, a real day in 1900-2099)", v);
			return false;
		}
		if (ok && x->end < x->start) {
			bad(P, fl, C_END, "end_date %.10s is before start_date %.10s", fl[C_END].s,
			    fl[C_START].s);
			ok = false;
		}
	}
	x->leaving = 0;
	if (!empty(&fl[C_LEAVING])) {
		x->leaving = list_find(leaving_reasons, NELEM(leaving_reasons), fl[C_LEAVING].s,
		                       fl[C_LEAVING].len);
		if (x->leaving <= 0) {
			show(&fl[C_LEAVING], v, sizeof v);
			bad(P, fl, C_LEAVING,
			    "leaving_reason '%s': not a leaving reason of docs/formats.md "
			    "(resignation_relocation, retirement_age, end_of_fixed_term, ...)",
			    v);
			return false;
		}
	}
	bool ended = x->end != OPEN_END && x->end <= x->extract;
	if (ended && !x->leaving) {
		bad(P, fl, C_LEAVING,
		    "leaving_reason is empty, but the assignment ended on %.10s, on or before the "
		    "extract date",
		    fl[C_END].s);
		ok = false;
	} else if (!ended && x->leaving) {
		bad(P, fl, C_LEAVING,
		    "leaving_reason '%s' is given, but the assignment has not ended by the extract "
		    "date",
		    leaving_reasons[x->leaving]);
		ok = false;
	}
	return ok;
}

static int grade_find(struct pimp *P, const char *s, size_t n);

/* check_grade: a grade seen before on a valid row is valid (the extract
 * date, whose financial year decides the pay points, is the file's). */
static bool check_grade(struct pimp *P, const struct csv_field *fl, struct prow *x)
{
	char v[PF_SHOW_MAX * 2];
	if (empty(&fl[C_GRADE])) {
		bad(P, fl, C_GRADE, "grade is empty");
		return false;
	}
	int known = grade_find(P, fl[C_GRADE].s, fl[C_GRADE].len);
	if (known >= 0) {
		x->g = P->grades[known].g;
		return true;
	}
	show(&fl[C_GRADE], v, sizeof v);
	if (!pf_grade_parse(fl[C_GRADE].s, fl[C_GRADE].len, &x->g)) {
		bad(P, fl, C_GRADE,
		    "grade '%s': not a grade code (AFC-<band>-<point>, MED-<grade>[-<point>] or "
		    "VSM)",
		    v);
		return false;
	}
	char why[IMPORT_REASON_MAX];
	if (!pf_grade_check(&P->ref, &x->g, v, false, x->extract, why, sizeof why)) {
		bad(P, fl, C_GRADE, "%s", why);
		return false;
	}
	return true;
}

static bool check_hours(struct pimp *P, const struct csv_field *fl, struct prow *x)
{
	char v[PF_SHOW_MAX * 2], w[PF_SHOW_MAX * 2];
	bool ok = true;
#define SHOW_HW() (show(&fl[C_HOURS], v, sizeof v), show(&fl[C_FTE], w, sizeof w))
	if (empty(&fl[C_HOURS])) {
		bad(P, fl, C_HOURS, "contracted_hours is empty");
		ok = false;
	} else if (!pf_decimal(fl[C_HOURS].s, fl[C_HOURS].len, 2, &x->hours)) {
		SHOW_HW();
		bad(P, fl, C_HOURS, "contracted_hours '%s': not a number with at most 2 decimals",
		    v);
		ok = false;
	} else if (x->hours < 0) {
		SHOW_HW();
		bad(P, fl, C_HOURS, "contracted_hours '%s': negative", v);
		ok = false;
	} else if (x->hours > 6000) {
		SHOW_HW();
		bad(P, fl, C_HOURS, "contracted_hours '%s': over 60 hours a week", v);
		ok = false;
	}
	if (empty(&fl[C_FTE])) {
		bad(P, fl, C_FTE, "fte is empty");
		return false;
	}
	if (!pf_decimal(fl[C_FTE].s, fl[C_FTE].len, 4, &x->fte)) {
		SHOW_HW();
		bad(P, fl, C_FTE, "fte '%s': not a number with at most 4 decimals", w);
		return false;
	}
	if (x->fte < 0) {
		SHOW_HW();
		bad(P, fl, C_FTE, "fte '%s': negative", w);
		return false;
	}
	if (x->fte > 15000) {
		SHOW_HW();
		bad(P, fl, C_FTE, "fte '%s': over 1.5", w);
		return false;
	}
	if (!ok || x->category < 0 || !x->g.pay)
		return ok;
	if (x->category == CAT_BANK || x->category == CAT_HONORARY) {
		if (x->hours) {
			SHOW_HW();
			bad(P, fl, C_HOURS, "contracted_hours '%s': a %s assignment has 0 hours", v,
			    categories[x->category]);
			return false;
		}
		if (x->fte) {
			SHOW_HW();
			bad(P, fl, C_FTE, "fte '%s': a %s assignment has 0 FTE", w,
			    categories[x->category]);
			return false;
		}
		return true;
	}
	int ft = pf_fulltime_hours100(x->g.pay);
	int64_t diff = x->fte * ft - x->hours * 10000; /* millionths of an hour */
	if (diff < 0)
		diff = -diff;
	if (diff > 10000) {
		int64_t expect = (x->hours * 10000 * 2 + ft) / ((int64_t)ft * 2); /* rounded */
		SHOW_HW();
		bad(P, fl, C_FTE,
		    "fte '%s' does not match contracted_hours '%s': full time is %d.%d hours a "
		    "week "
		    "for grade %.*s, so %s hours is %" PRId64 ".%04" PRId64 " FTE",
		    w, v, ft / 100, (ft % 100) / 10, (int)fl[C_GRADE].len, fl[C_GRADE].s, v,
		    expect / 10000, expect % 10000);
		return false;
	}
	return true;
}
#undef SHOW_HW

static bool check_person(struct pimp *P, const struct csv_field *fl, struct prow *x)
{
	char v[PF_SHOW_MAX * 2];
	bool ok = true;
	int ey = P->extract_year;
	x->has_key = false;
	if (!empty(&fl[C_NI])) {
		if (!ni_ok(fl[C_NI].s, fl[C_NI].len)) {
			bad(P, fl, C_NI,
			    "national_identifier: not a National Insurance number (two capital "
			    "letters, six digits, A-D; no spaces)");
			ok = false;
		} else {
			if (P->pre_key)
				memcpy(x->key, P->pre_key, 16);
			else
				person_key16(&P->hmac0, fl[C_NI].s, fl[C_NI].len, x->key);
			x->has_key = true;
		}
	}
	x->name = fl[C_NAME].s;
	x->name_len = fl[C_NAME].len;
	if (!pf_text_ok(&x->name, &x->name_len, 100)) {
		bad(P, fl, C_NAME,
		    "display_name: longer than 100 characters or holds a control character");
		ok = false;
	}
	if (empty(&fl[C_BIRTH])) {
		bad(P, fl, C_BIRTH, "birth_year is empty");
		ok = false;
	} else if (!pf_int(fl[C_BIRTH].s, fl[C_BIRTH].len, &x->birth) || x->birth < 1930 ||
	           x->birth > ey - 15) {
		show(&fl[C_BIRTH], v, sizeof v);
		bad(P, fl, C_BIRTH,
		    "birth_year '%s': not a year from 1930 to %d (the extract year - 15)", v,
		    ey - 15);
		ok = false;
	}
	x->sex = list_find(sexes, NELEM(sexes), fl[C_SEX].s, fl[C_SEX].len);
	if (x->sex < 0) {
		show(&fl[C_SEX], v, sizeof v);
		bad(P, fl, C_SEX, "sex '%s': F or M", v);
		ok = false;
	}
	x->ethnic = -1;
	for (size_t i = 0; i < P->ref.nethnic; i++)
		if (strlen(P->ref.ethnic[i]) == fl[C_ETHNIC].len &&
		    memcmp(P->ref.ethnic[i], fl[C_ETHNIC].s, fl[C_ETHNIC].len) == 0)
			x->ethnic = (int)i;
	if (x->ethnic < 0) {
		show(&fl[C_ETHNIC], v, sizeof v);
		bad(P, fl, C_ETHNIC,
		    "ethnic_category '%s': not an ETHNIC CATEGORY code "
		    "(data/workforce/ethnic-categories.csv: A-S, Z, 99)",
		    v);
		ok = false;
	}
	x->disab =
	    list_find(disabilities, NELEM(disabilities), fl[C_DISABILITY].s, fl[C_DISABILITY].len);
	if (x->disab < 0) {
		show(&fl[C_DISABILITY], v, sizeof v);
		bad(P, fl, C_DISABILITY, "disability '%s': yes, no or not_declared", v);
		ok = false;
	}
	x->prof = 0;
	if (!empty(&fl[C_PROFESSION])) {
		x->prof = profession_find(fl[C_PROFESSION].s, fl[C_PROFESSION].len);
		if (x->prof < 0) {
			show(&fl[C_PROFESSION], v, sizeof v);
			bad(P, fl, C_PROFESSION,
			    "profession '%s': not a profession of docs/formats.md (nursing_adult, "
			    "medicine, physiotherapy, ...)",
			    v);
			ok = false;
			x->prof = 0;
		}
	}
	if (x->prof > 0) {
		const char *body = professions[x->prof].body;
		if (empty(&fl[C_REGBODY])) {
			bad(P, fl, C_REGBODY,
			    "registration_body is empty, but profession is %s (%s)",
			    professions[x->prof].name, body);
			ok = false;
		} else if (strlen(body) != fl[C_REGBODY].len ||
		           memcmp(body, fl[C_REGBODY].s, fl[C_REGBODY].len) != 0) {
			show(&fl[C_REGBODY], v, sizeof v);
			bad(P, fl, C_REGBODY, "registration_body '%s' is not the body of %s (%s)",
			    v, professions[x->prof].name, body);
			ok = false;
		}
		if (empty(&fl[C_QUAL])) {
			bad(P, fl, C_QUAL, "qualification_year is empty, but profession is %s",
			    professions[x->prof].name);
			ok = false;
		}
	} else if (!empty(&fl[C_REGBODY]) && empty(&fl[C_PROFESSION])) {
		show(&fl[C_REGBODY], v, sizeof v);
		bad(P, fl, C_REGBODY, "registration_body '%s' is given without a profession", v);
		ok = false;
	}
	if (!empty(&fl[C_REGBODY]) &&
	    list_find(bodies, NELEM(bodies), fl[C_REGBODY].s, fl[C_REGBODY].len) < 0 && ok) {
		show(&fl[C_REGBODY], v, sizeof v);
		bad(P, fl, C_REGBODY, "registration_body '%s': GMC, GDC, NMC, HCPC, GPhC or SWE",
		    v);
		ok = false;
	}
	x->qual = 0;
	if (!empty(&fl[C_QUAL])) {
		show(&fl[C_QUAL], v, sizeof v);
		if (!pf_int(fl[C_QUAL].s, fl[C_QUAL].len, &x->qual)) {
			bad(P, fl, C_QUAL, "qualification_year '%s': not a year", v);
			ok = false;
		} else if (x->birth && (x->qual < x->birth + 16 || x->qual > ey)) {
			bad(P, fl, C_QUAL,
			    "qualification_year '%s': not from birth_year + 16 (%" PRId64
			    ") to the extract year (%d)",
			    v, x->birth + 16, ey);
			ok = false;
		}
	}
	return ok;
}

static bool check_post(struct pimp *P, const struct csv_field *fl, struct prow *x)
{
	char v[PF_SHOW_MAX * 2];
	bool ok = true;
	/* occupation code */
	if (empty(&fl[C_OCC])) {
		bad(P, fl, C_OCC, "occupation_code is empty");
		ok = false;
	} else if (!pf_occ_form_ok(fl[C_OCC].s, fl[C_OCC].len)) {
		show(&fl[C_OCC], v, sizeof v);
		bad(P, fl, C_OCC,
		    "occupation_code '%s': not an NHS occupation code (three digits, or a capital "
		    "letter and two capital letters or digits)",
		    v);
		ok = false;
	} else if (!pf_occ_match(&P->ref, fl[C_OCC].s) && pf_occ_enumerated(&P->ref, fl[C_OCC].s)) {
		show(&fl[C_OCC], v, sizeof v);
		bad(P, fl, C_OCC,
		    "occupation_code '%s': unknown: the reference data lists the %c codes one by "
		    "one "
		    "and this is not one of them (data/workforce/occupation-codes.csv)",
		    v, fl[C_OCC].s[0]);
		ok = false;
	}
	/* ESR staff group */
	x->esr = 0;
	if (empty(&fl[C_ESR])) {
		bad(P, fl, C_ESR, "esr_staff_group is empty");
		ok = false;
	} else if (fl[C_ESR].len != 2 || fl[C_ESR].s[0] < '0' || fl[C_ESR].s[0] > '9' ||
	           fl[C_ESR].s[1] < '0' || fl[C_ESR].s[1] > '9' ||
	           !pf_esr_known(&P->ref, fl[C_ESR].s, 2)) {
		show(&fl[C_ESR], v, sizeof v);
		bad(P, fl, C_ESR,
		    "esr_staff_group '%s': not an ESR staff group "
		    "(data/workforce/esr-staff-groups.csv: "
		    "01-10)",
		    v);
		ok = false;
	} else {
		x->esr = (fl[C_ESR].s[0] - '0') * 10 + (fl[C_ESR].s[1] - '0');
	}
	/* category */
	x->category =
	    list_find(categories, NELEM(categories), fl[C_CATEGORY].s, fl[C_CATEGORY].len);
	if (x->category < 0) {
		show(&fl[C_CATEGORY], v, sizeof v);
		bad(P, fl, C_CATEGORY,
		    "assignment_category '%s': not one of permanent, fixed_term, bank, honorary, "
		    "locum",
		    v);
		ok = false;
	} else if (x->category == CAT_LOCUM && x->g.pay && x->g.pay != PF_PAY_MED) {
		bad(P, fl, C_CATEGORY,
		    "assignment_category 'locum' needs a medical grade (MED-...), not %.*s",
		    (int)fl[C_GRADE].len, fl[C_GRADE].s);
		ok = false;
	}
	/* training stage */
	x->training = 0;
	if (!empty(&fl[C_TRAINING])) {
		x->training =
		    list_find(stages, NELEM(stages), fl[C_TRAINING].s, fl[C_TRAINING].len);
		show(&fl[C_TRAINING], v, sizeof v);
		if (x->training <= 0) {
			bad(P, fl, C_TRAINING,
			    "training_stage '%s': not FY1, FY2, CT1-CT3, ST1-ST8, preceptorship, "
			    "apprentice or trainee",
			    v);
			ok = false;
			x->training = 0;
		} else if (x->g.pay) {
			const char *st = stages[x->training];
			const char *need = NULL;
			if (strcmp(st, "FY1") == 0)
				need = "FY1";
			else if (strcmp(st, "FY2") == 0)
				need = "FY2";
			else if (st[0] == 'C' && st[1] == 'T')
				need = "CT";
			else if (st[0] == 'S' && st[1] == 'T')
				need = "STR";
			if (need && (x->g.pay != PF_PAY_MED || strcmp(x->g.band, need) != 0)) {
				bad(P, fl, C_TRAINING,
				    "training_stage '%s' needs grade MED-%s, not %.*s", v, need,
				    (int)fl[C_GRADE].len, fl[C_GRADE].s);
				ok = false;
			}
		}
	}
	/* leadership level */
	if (empty(&fl[C_LEADERSHIP])) {
		bad(P, fl, C_LEADERSHIP, "leadership_level is empty");
		ok = false;
	} else if (!pf_int(fl[C_LEADERSHIP].s, fl[C_LEADERSHIP].len, &x->leadership) ||
	           x->leadership < 0 || x->leadership > 4) {
		show(&fl[C_LEADERSHIP], v, sizeof v);
		bad(P, fl, C_LEADERSHIP, "leadership_level '%s': 0 to 4", v);
		ok = false;
	}
	return ok;
}

/* same_person: a later row of a staff record agrees with what its first
 * row said (national identifier, display name, birth year to
 * qualification year). */
static bool same_person(struct pimp *P, const struct csv_field *fl, const struct prow *x,
                        const struct stf *s)
{
	const char *ref = s->s;
	const char *org = P->orgs[s->org].code;
	bool skey = (s->flags & SF_KEY) != 0;
	if (skey != x->has_key || (skey && memcmp(s->key, x->key, 16) != 0)) {
		bad(P, fl, C_NI,
		    "national_identifier differs from line %ld for staff_ref %s of %s: one "
		    "person's rows agree",
		    (long)s->line, ref, org);
		return false;
	}
	const char *name = next_str(s->s);
	if (strlen(name) != x->name_len || memcmp(name, x->name, x->name_len) != 0) {
		bad(P, fl, C_NAME,
		    "display_name differs from line %ld for staff_ref %s of %s: one person's rows "
		    "agree",
		    (long)s->line, ref, org);
		return false;
	}
	if (s->birth != x->birth) {
		bad(P, fl, C_BIRTH,
		    "birth_year %" PRId64 " differs from %d on line %ld for staff_ref %s of %s: a "
		    "person's birth year never changes",
		    x->birth, s->birth, (long)s->line, ref, org);
		return false;
	}
	struct {
		int c;
		bool same;
		const char *was;
		const char *now;
	} attrs[] = {
	    {C_SEX, s->sex == x->sex, sexes[s->sex], sexes[x->sex]},
	    {C_ETHNIC, s->ethnic == x->ethnic, P->ref.ethnic[s->ethnic], P->ref.ethnic[x->ethnic]},
	    {C_DISABILITY, s->disab == x->disab, disabilities[s->disab], disabilities[x->disab]},
	    {C_PROFESSION, s->prof == x->prof, professions[s->prof].name,
	     professions[x->prof].name},
	};
	for (size_t i = 0; i < NELEM(attrs); i++)
		if (!attrs[i].same) {
			bad(P, fl, attrs[i].c,
			    "%s '%s' differs from '%s' on line %ld for staff_ref %s of %s: one "
			    "person's "
			    "rows agree",
			    colnames[attrs[i].c], attrs[i].now, attrs[i].was, (long)s->line, ref,
			    org);
			return false;
		}
	if (s->qual != x->qual) {
		bad(P, fl, C_QUAL,
		    "qualification_year differs from line %ld for staff_ref %s of %s: one person's "
		    "rows agree",
		    (long)s->line, ref, org);
		return false;
	}
	return true;
}

/* stage_staff: the staff record of this row: found (and checked against
 * its first row) or added.  NONE32 when the row is rejected. */
static uint32_t stage_staff(struct pimp *P, const struct csv_field *fl, const struct prow *x)
{
	uint16_t org = (uint16_t)x->org;
	uint32_t si = staff_find(P, org, fl[C_STAFF].s, fl[C_STAFF].len);
	if (si != NONE32) {
		return same_person(P, fl, x, &P->staff[si]) ? si : NONE32;
	}
	if (x->has_key) {
		/* one staff_ref per person within an organisation */
		uint32_t h = key_find(P, x->key);
		for (uint32_t k = h; k != NONE32; k = P->staff[k].next_key)
			if (P->staff[k].org == org) {
				bad(P, fl, C_NI,
				    "national_identifier is also that of staff_ref %s of %s (line "
				    "%ld): "
				    "one staff_ref per person within an organisation",
				    P->staff[k].s, P->orgs[org].code, (long)P->staff[k].line);
				return NONE32;
			}
	}
	if (P->nstaff >= NONE32 - 1)
		return NONE32;
	P->staff = grow(P->staff, P->nstaff, &P->salloc, sizeof *P->staff, 65536);
	si = (uint32_t)P->nstaff++;
	struct stf *s = &P->staff[si];
	memset(s, 0, sizeof *s);
	const char *v[2] = {fl[C_STAFF].s, x->name};
	size_t len[2] = {fl[C_STAFF].len, x->name_len};
	s->s = pool_add(&P->pool, v, len, 2);
	s->line = (int32_t)fl[0].line;
	s->org = org;
	s->birth = (int16_t)x->birth;
	s->qual = (int16_t)x->qual;
	s->sex = (uint8_t)x->sex;
	s->ethnic = (uint8_t)x->ethnic;
	s->disab = (uint8_t)x->disab;
	s->prof = (uint8_t)x->prof;
	s->head = NONE32;
	s->next_key = NONE32;
	s->flags = SF_NEW;
	if (x->has_key) {
		memcpy(s->key, x->key, 16);
		s->flags |= SF_KEY;
		uint32_t h = key_find(P, x->key);
		if (h == NONE32) {
			s->head = si;
			pf_index_put(&P->keyix, key_hash(x->key), si);
		} else {
			s->head = h;
			/* append to the head's list */
			uint32_t k = h;
			while (P->staff[k].next_key != NONE32)
				k = P->staff[k].next_key;
			P->staff[k].next_key = si;
		}
	}
	pf_index_put(&P->staffix, staff_hash(org, fl[C_STAFF].s, fl[C_STAFF].len), si);
	return si;
}

static void parse_row(struct pimp *P, const struct csv_field *fl)
{
	struct prow x;
	memset(&x, 0, sizeof x);
	x.category = -1;
	bool ok = true;
	char v[PF_SHOW_MAX * 2];
	/* the key first: a duplicate is reported even when the rest is bad */
	bool ref_ok = code_field(P, fl, C_REF, PF_CODE_MAX, true);
	uint64_t rh = 0;
	if (ref_ok) {
		rh = pf_hash(fl[C_REF].s, fl[C_REF].len, PF_HASH_INIT);
		uint32_t dup = ref_find(P, fl[C_REF].s, fl[C_REF].len, rh);
		if (dup != NONE32) {
			show(&fl[C_REF], v, sizeof v);
			bad(P, fl, C_REF,
			    "assignment_ref '%s' is listed twice (first at line %ld): one row per "
			    "assignment",
			    v, (long)P->rows[dup].line);
			return;
		}
	}
	ok &= ref_ok;
	ok &= code_field(P, fl, C_STAFF, PF_CODE_MAX, true);
	ok &= code_field(P, fl, C_MANAGER, PF_CODE_MAX, false);
	ok &= code_field(P, fl, C_POSITION, 40, true);
	/* organisation and cost centre */
	x.org = -1;
	if (code_field(P, fl, C_ORG, PF_CODE_MAX, true)) {
		char code[ORG_CODE_MAX + 1];
		size_t n = fl[C_ORG].len < ORG_CODE_MAX ? fl[C_ORG].len : ORG_CODE_MAX;
		memcpy(code, fl[C_ORG].s, n);
		code[n] = '\0';
		const struct org_index_entry *e =
		    fl[C_ORG].len < ORG_CODE_MAX ? org_index_find(&P->orgix, code) : NULL;
		if (!e || !wards_employer_kind(e->kind))
			show(&fl[C_ORG], v, sizeof v);
		if (!e) {
			bad(P, fl, C_ORG,
			    "org_code '%s': no such organisation (data/ods, or loaded "
			    "organisations)",
			    v);
			ok = false;
		} else if (!wards_employer_kind(e->kind)) {
			bad(P, fl, C_ORG, "org_code '%s' is a %s, not an employer", v, e->kind);
			ok = false;
		} else {
			x.org = org_slot(P, e, (int32_t)fl[0].line);
			if (x.org < 0) {
				bad(P, fl, C_ORG, "more than %d organisations in one file",
				    UINT16_MAX);
				ok = false;
			}
		}
	} else {
		ok = false;
	}
	if (code_field(P, fl, C_CC, PF_CODE_MAX, true)) {
		if (x.org >= 0) {
			const struct wards_cc *c =
			    wards_index_find(&P->cc, P->orgs[x.org].id, fl[C_CC].s, fl[C_CC].len);
			if (!c) {
				show(&fl[C_CC], v, sizeof v);
				bad(P, fl, C_CC,
				    "cost_centre_code '%s': not in the cost-centre map of %s "
				    "(import it "
				    "with `cadre import cost-centres`)",
				    v, P->orgs[x.org].code);
				ok = false;
			} else {
				x.cc = (uint32_t)(c - P->cc.v);
			}
		}
	} else {
		ok = false;
	}
	if (!check_dates(P, fl, &x)) {
		ok = false;
		if (!P->extract_set)
			goto stage_ref;
	}
	ok &= check_grade(P, fl, &x);
	ok &= check_post(P, fl, &x);
	ok &= check_hours(P, fl, &x);
	ok &= check_person(P, fl, &x);
	if (!ok)
		goto stage_ref;
	uint32_t si = stage_staff(P, fl, &x);
	if (si == NONE32)
		goto stage_ref;
	int gi = grade_get(P, fl[C_GRADE].s, fl[C_GRADE].len, &x.g);
	if (gi < 0) {
		bad(P, fl, C_GRADE, "more than %d distinct grades in one file", UINT16_MAX);
		goto stage_ref;
	}
	char occ[4] = {fl[C_OCC].s[0], fl[C_OCC].s[1], fl[C_OCC].s[2], '\0'};
	char esr[3] = {fl[C_ESR].s[0], fl[C_ESR].s[1], '\0'};
	pf_derive_group(&P->ref, occ, esr, &x.g, x.prof > 0 ? professions[x.prof].name : NULL,
	                &x.derived);
	const struct pf_group *grp =
	    pf_group_find(&P->ref, x.derived.group, strlen(x.derived.group));
	if (!grp) {
		bad(P, fl, C_OCC, "the derived staff group %s is not in the reference data",
		    x.derived.group);
		goto stage_ref;
	}
	const struct pf_occ *om = pf_occ_match(&P->ref, occ);
	P->res->occupation_unlisted += om == NULL;
	P->res->occupation_closed += om && om->closed;
	P->res->group_grade += x.derived.basis == PF_BASIS_GRADE;
	P->res->group_occupation += x.derived.basis == PF_BASIS_OCCUPATION;
	P->res->group_fallback += x.derived.basis == PF_BASIS_FALLBACK;
	P->res->group_conflicts += x.derived.conflict;
	if (empty(&fl[C_MANAGER]) && P->orgs[x.org].top == NONE32)
		P->orgs[x.org].top = si;
	P->orgs[x.org].rows++;
	P->rows = grow(P->rows, P->nrows, &P->ralloc, sizeof *P->rows, 65536);
	uint32_t ri = (uint32_t)P->nrows++;
	struct arow *a = &P->rows[ri];
	memset(a, 0, sizeof *a);
	const char *sv[3] = {fl[C_REF].s, fl[C_POSITION].s, fl[C_MANAGER].s};
	size_t sl[3] = {fl[C_REF].len, fl[C_POSITION].len, fl[C_MANAGER].len};
	a->s = pool_add(&P->pool, sv, sl, 3);
	a->staff = si;
	a->manager = NONE32;
	a->cc = x.cc;
	a->line = (int32_t)fl[0].line;
	a->start = x.start;
	a->end = x.end;
	a->hours = (uint16_t)x.hours;
	a->fte = (uint16_t)x.fte;
	a->grade = (uint16_t)gi;
	memcpy(a->occ, occ, 3);
	a->esr = (uint8_t)x.esr;
	a->category = (uint8_t)x.category;
	a->leaving = (uint8_t)x.leaving;
	a->training = (uint8_t)x.training;
	a->leadership = (uint8_t)x.leadership;
	a->group = (uint8_t)(grp - P->ref.groups);
	a->gflags = (uint8_t)(x.derived.basis | (x.derived.conflict ? 4 : 0));
	a->flags = AF_NEW;
	pf_index_put(&P->refix, rh, ri);
	return;
stage_ref:
	/* remember a bad row's reference too, so a duplicate of it is still
	 * reported; it carries no staff (never staged for writing) */
	if (ref_ok) {
		P->rows = grow(P->rows, P->nrows, &P->ralloc, sizeof *P->rows, 65536);
		uint32_t bi = (uint32_t)P->nrows++;
		struct arow *b = &P->rows[bi];
		memset(b, 0, sizeof *b);
		const char *bv[3] = {fl[C_REF].s, "", ""};
		size_t bl[3] = {fl[C_REF].len, 0, 0};
		b->s = pool_add(&P->pool, bv, bl, 3);
		b->staff = NONE32;
		b->manager = NONE32;
		b->line = (int32_t)fl[0].line;
		pf_index_put(&P->refix, rh, bi);
	}
}

/* ---- the file -------------------------------------------------------------------------------- */

#define HEADER_HELP "the 27 columns of docs/formats.md section A, in that order"

static bool check_header(struct pimp *P, const struct csv_field *fl, size_t n, long line)
{
	char v[PF_SHOW_MAX * 2];
	for (size_t i = 0; i < PEOPLE_NCOLS; i++) {
		if (i >= n) {
			import_problem_add(&P->res->problems, P->path, line, fl[n - 1].col,
			                   "header: column %zu '%s' is missing (" HEADER_HELP ")",
			                   i + 1, colnames[i]);
			return false;
		}
		if (strlen(colnames[i]) != fl[i].len ||
		    memcmp(colnames[i], fl[i].s, fl[i].len) != 0) {
			pf_show(fl[i].s, fl[i].len, v, sizeof v);
			import_problem_add(&P->res->problems, P->path, line, fl[i].col,
			                   "header: column %zu is '%s', expected '%s' (" HEADER_HELP
			                   ")",
			                   i + 1, v, colnames[i]);
			return false;
		}
	}
	if (n > PEOPLE_NCOLS) {
		pf_show(fl[PEOPLE_NCOLS].s, fl[PEOPLE_NCOLS].len, v, sizeof v);
		import_problem_add(&P->res->problems, P->path, line, fl[PEOPLE_NCOLS].col,
		                   "header: extra column %d '%s' (" HEADER_HELP ")",
		                   PEOPLE_NCOLS + 1, v);
		return false;
	}
	return true;
}

/* ---- the reader thread ----------------------------------------------------------------
 * The CSV parse and the person keys (an HMAC per row) need nothing from
 * the rows before them, so a second thread does them and hands the
 * records over in batches; the checks that compare rows stay on the main
 * thread, in file order.  The reader stops at the first error of the CSV
 * reader (the last batch carries it) or when the main thread asks. */

#define RB_RECORDS 1024
#define RB_QUEUE   8

struct rbatch {
	size_t nrec;
	size_t *first;      /* per record: its first field in fields */
	size_t *count;      /* per record: its number of fields */
	long *line;         /* per record: csv_reader_line */
	uint8_t (*key)[16]; /* per record: the person key, if has_key */
	bool *has_key;
	struct csv_field *fields;
	size_t *off; /* per field: its text's offset, until the batch is sent */
	size_t nfields, falloc;
	char *text;
	size_t tlen, talloc;
	/* the reader's status after the last record: CADRE_OK (more to come),
	 * CADRE_DONE or an error with its position */
	int status;
	struct cadre_err err;
	long err_line, err_col;
	struct rbatch *next;
};

struct rpipe {
	struct csv_reader *r;
	const crypto_auth_hmacsha256_state *hmac0;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv_full, cv_free;
	struct rbatch *full_head, *full_tail; /* filled, in order */
	struct rbatch *free_list;
	int nbatches; /* allocated */
	atomic_bool stop;
};

static void rbatch_free(struct rbatch *b)
{
	free(b->first);
	free(b->count);
	free(b->line);
	if (b->key)
		sodium_memzero(b->key, RB_RECORDS * sizeof *b->key);
	free(b->key);
	free(b->has_key);
	free(b->fields);
	free(b->off);
	free(b->text);
	free(b);
}

/* rpipe_take_free: a batch to fill (waits while RB_QUEUE are in use);
 * NULL when asked to stop. */
static struct rbatch *rpipe_take_free(struct rpipe *q)
{
	(void)pthread_mutex_lock(&q->mu);
	while (!q->free_list && q->nbatches >= RB_QUEUE && !atomic_load(&q->stop))
		(void)pthread_cond_wait(&q->cv_free, &q->mu);
	struct rbatch *b = NULL;
	if (!atomic_load(&q->stop)) {
		if (q->free_list) {
			b = q->free_list;
			q->free_list = b->next;
		} else {
			b = xcalloc(1, sizeof *b);
			b->first = xmalloc(RB_RECORDS * sizeof *b->first);
			b->count = xmalloc(RB_RECORDS * sizeof *b->count);
			b->line = xmalloc(RB_RECORDS * sizeof *b->line);
			b->key = xmalloc(RB_RECORDS * sizeof *b->key);
			b->has_key = xmalloc(RB_RECORDS * sizeof *b->has_key);
			b->falloc = (size_t)RB_RECORDS * PEOPLE_NCOLS;
			b->fields = xmalloc(b->falloc * sizeof *b->fields);
			b->off = xmalloc(b->falloc * sizeof *b->off);
			b->talloc = (size_t)RB_RECORDS * 256;
			b->text = xmalloc(b->talloc);
			q->nbatches++;
		}
	}
	(void)pthread_mutex_unlock(&q->mu);
	return b;
}

static void rpipe_put_full(struct rpipe *q, struct rbatch *b)
{
	b->next = NULL;
	(void)pthread_mutex_lock(&q->mu);
	if (q->full_tail)
		q->full_tail->next = b;
	else
		q->full_head = b;
	q->full_tail = b;
	(void)pthread_cond_signal(&q->cv_full);
	(void)pthread_mutex_unlock(&q->mu);
}

/* rbatch_add: copy the reader's current record into b. */
static void rbatch_add(struct rbatch *b, const struct csv_reader *r,
                       const crypto_auth_hmacsha256_state *hmac0, bool first_record)
{
	size_t n = csv_reader_count(r);
	const struct csv_field *fl = csv_reader_fields(r);
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++)
		bytes += fl[i].len + 1;
	if (b->tlen + bytes > b->talloc) {
		while (b->tlen + bytes > b->talloc)
			b->talloc *= 2;
		b->text = xrealloc(b->text, b->talloc);
	}
	if (b->nfields + n > b->falloc) {
		while (b->nfields + n > b->falloc)
			b->falloc *= 2;
		b->fields = xreallocarray(b->fields, b->falloc, sizeof *b->fields);
		b->off = xreallocarray(b->off, b->falloc, sizeof *b->off);
	}
	size_t k = b->nrec++;
	b->first[k] = b->nfields;
	b->count[k] = n;
	b->line[k] = csv_reader_line(r);
	for (size_t i = 0; i < n; i++) {
		b->fields[b->nfields] = fl[i];
		b->off[b->nfields++] = b->tlen;
		memcpy(b->text + b->tlen, fl[i].s, fl[i].len + 1);
		b->tlen += fl[i].len + 1;
	}
	b->has_key[k] = !first_record && n == PEOPLE_NCOLS && ni_ok(fl[C_NI].s, fl[C_NI].len);
	if (b->has_key[k])
		person_key16(hmac0, fl[C_NI].s, fl[C_NI].len, b->key[k]);
}

static void *rpipe_main(void *arg)
{
	struct rpipe *q = arg;
	bool first = true;
	for (;;) {
		struct rbatch *b = rpipe_take_free(q);
		if (!b)
			return NULL;
		b->nrec = b->nfields = b->tlen = 0;
		b->status = CADRE_OK;
		while (b->nrec < RB_RECORDS && b->tlen < (size_t)RB_RECORDS * 256) {
			int rc = csv_reader_next(q->r, &b->err);
			if (rc != CADRE_OK) {
				b->status = rc;
				if (rc != CADRE_DONE)
					(void)csv_reader_error_pos(q->r, &b->err_line, &b->err_col);
				break;
			}
			rbatch_add(b, q->r, q->hmac0, first);
			first = false;
		}
		for (size_t i = 0; i < b->nfields; i++)
			b->fields[i].s = b->text + b->off[i];
		int status = b->status;
		rpipe_put_full(q, b);
		if (status != CADRE_OK)
			return NULL;
		if (atomic_load(&q->stop))
			return NULL;
	}
}

/* rpipe_next: the next filled batch, in order (waits for it). */
static struct rbatch *rpipe_next(struct rpipe *q)
{
	(void)pthread_mutex_lock(&q->mu);
	while (!q->full_head)
		(void)pthread_cond_wait(&q->cv_full, &q->mu);
	struct rbatch *b = q->full_head;
	q->full_head = b->next;
	if (!q->full_head)
		q->full_tail = NULL;
	(void)pthread_mutex_unlock(&q->mu);
	return b;
}

static void rpipe_give_back(struct rpipe *q, struct rbatch *b)
{
	(void)pthread_mutex_lock(&q->mu);
	b->next = q->free_list;
	q->free_list = b;
	(void)pthread_cond_signal(&q->cv_free);
	(void)pthread_mutex_unlock(&q->mu);
}

/* rpipe_close: stop the reader (if it still runs), wait for it, free. */
static void rpipe_close(struct rpipe *q)
{
	(void)pthread_mutex_lock(&q->mu);
	atomic_store(&q->stop, true);
	(void)pthread_cond_broadcast(&q->cv_free);
	(void)pthread_mutex_unlock(&q->mu);
	(void)pthread_join(q->thread, NULL);
	for (struct rbatch *b = q->full_head, *nb; b; b = nb) {
		nb = b->next;
		rbatch_free(b);
	}
	for (struct rbatch *b = q->free_list, *nb; b; b = nb) {
		nb = b->next;
		rbatch_free(b);
	}
	(void)pthread_mutex_destroy(&q->mu);
	(void)pthread_cond_destroy(&q->cv_full);
	(void)pthread_cond_destroy(&q->cv_free);
}

static int parse_file(struct pimp *P, struct cadre_err *err)
{
	struct pf_file pf;
	int rc = pf_file_open(P->path, &pf, err);
	if (rc != CADRE_OK)
		return rc;
	struct rpipe q;
	memset(&q, 0, sizeof q);
	q.hmac0 = &P->hmac0;
	atomic_init(&q.stop, false);
	if ((rc = csv_reader_open_file(&q.r, pf.f, NULL, err)) != CADRE_OK) {
		pf_file_close(&pf);
		return rc;
	}
	(void)pthread_mutex_init(&q.mu, NULL);
	(void)pthread_cond_init(&q.cv_full, NULL);
	(void)pthread_cond_init(&q.cv_free, NULL);
	if (pthread_create(&q.thread, NULL, rpipe_main, &q) != 0) {
		(void)pthread_mutex_destroy(&q.mu);
		(void)pthread_cond_destroy(&q.cv_full);
		(void)pthread_cond_destroy(&q.cv_free);
		csv_reader_free(q.r);
		pf_file_close(&pf);
		return cadre_err_set(err, CADRE_EINTERNAL, "%s: cannot start the reader", P->path);
	}
	bool header = true, stop = false;
	long err_line = 0, err_col = 0;
	rc = CADRE_OK;
	while (rc == CADRE_OK && !stop) {
		struct rbatch *b = rpipe_next(&q);
		for (size_t k = 0; k < b->nrec && !stop; k++) {
			size_t n = b->count[k];
			const struct csv_field *fl = &b->fields[b->first[k]];
			if (header) {
				header = false;
				if (!check_header(P, fl, n, b->line[k]))
					stop = true;
				continue;
			}
			if (n != PEOPLE_NCOLS) {
				import_problem_add(&P->res->problems, P->path, fl[0].line,
				                   n > PEOPLE_NCOLS ? fl[PEOPLE_NCOLS].col
				                                    : fl[n - 1].col,
				                   "%zu fields, expected %d", n, PEOPLE_NCOLS);
				continue;
			}
			size_t ahead = k + PREFETCH_AHEAD;
			if (ahead < b->nrec && b->count[ahead] == PEOPLE_NCOLS)
				row_prefetch(P, &b->fields[b->first[ahead]],
				             b->has_key[ahead] ? b->key[ahead] : NULL);
			P->pre_key = b->has_key[k] ? b->key[k] : NULL;
			parse_row(P, fl);
			P->pre_key = NULL;
		}
		if (!stop && b->status != CADRE_OK) {
			rc = b->status;
			*err = b->err;
			err_line = b->err_line;
			err_col = b->err_col;
		}
		rpipe_give_back(&q, b);
	}
	rpipe_close(&q);
	if (rc == CADRE_DONE && header)
		import_problem_add(&P->res->problems, P->path, 0, 0, "empty file: no header");
	if (rc != CADRE_OK && rc != CADRE_DONE)
		import_problem_add(&P->res->problems, P->path, err_line, err_col, "%s",
		                   import_csv_reason(err->msg));
	csv_reader_free(q.r);
	rc = CADRE_OK;
	if (!import_problems_total(&P->res->problems))
		rc = pf_file_finish(&pf, err);
	(void)snprintf(P->res->sha256, sizeof P->res->sha256, "%s", pf.sha256);
	pf_file_close(&pf);
	if (rc == CADRE_OK && !header && !P->nrows && !import_problems_total(&P->res->problems))
		import_problem_add(&P->res->problems, P->path, 0, 0, "no assignments in the file");
	return rc;
}

/* ---- managers ------------------------------------------------------------------------------ */

static void check_managers(struct pimp *P)
{
	/* resolve */
	for (size_t i = 0; i < P->nrows; i++) {
		struct arow *a = &P->rows[i];
		if (a->staff == NONE32)
			continue;
		const char *mgr = next_str(next_str(a->s));
		const struct stf *s = &P->staff[a->staff];
		if (!*mgr) {
			uint32_t top = P->orgs[s->org].top;
			if (top != a->staff)
				pend_add(P, a->line, C_MANAGER,
				         "manager_staff_ref is empty, as it is for staff_ref %s "
				         "(line %ld): "
				         "only the top of %s (its chief executive) has no manager",
				         P->staff[top].s, (long)P->staff[top].line,
				         P->orgs[s->org].code);
			continue;
		}
		uint32_t m = staff_find(P, s->org, mgr, strlen(mgr));
		if (m == NONE32) {
			pend_add(
			    P, a->line, C_MANAGER,
			    "manager_staff_ref '%s': no one of %s has that staff_ref in this file",
			    mgr, P->orgs[s->org].code);
			continue;
		}
		if (m == a->staff) {
			pend_add(P, a->line, C_MANAGER,
			         "manager_staff_ref '%s' is the person themself", mgr);
			continue;
		}
		a->manager = m;
	}
	/* loops: staff -> manager edges, walked depth first with colours */
	size_t ns = P->nstaff;
	uint32_t *start = xcalloc(ns + 1, sizeof *start);
	for (size_t i = 0; i < P->nrows; i++)
		if (P->rows[i].manager != NONE32)
			start[P->rows[i].staff + 1]++;
	for (size_t s = 0; s < ns; s++)
		start[s + 1] += start[s];
	uint32_t *adj = xmalloc((start[ns] + 1) * sizeof *adj);
	uint32_t *adj_row = xmalloc((start[ns] + 1) * sizeof *adj_row);
	uint32_t *fill = xcalloc(ns + 1, sizeof *fill);
	for (size_t i = 0; i < P->nrows; i++) {
		const struct arow *a = &P->rows[i];
		if (a->manager == NONE32)
			continue;
		uint32_t k = start[a->staff] + fill[a->staff]++;
		adj[k] = a->manager;
		adj_row[k] = (uint32_t)i;
	}
	free(fill);
	uint8_t *colour = xcalloc(ns + 1, 1); /* 0 white, 1 on the path, 2 done */
	uint32_t *stack = xmalloc((ns + 1) * sizeof *stack);
	uint32_t *next = xmalloc((ns + 1) * sizeof *next);
	for (size_t root = 0; root < ns; root++) {
		if (colour[root])
			continue;
		size_t depth = 0;
		stack[depth] = (uint32_t)root;
		next[depth] = start[root];
		colour[root] = 1;
		depth++;
		while (depth) {
			uint32_t s = stack[depth - 1];
			if (next[depth - 1] == start[s + 1]) {
				colour[s] = 2;
				depth--;
				continue;
			}
			uint32_t k = next[depth - 1]++;
			uint32_t m = adj[k];
			if (colour[m] == 1) {
				const struct arow *a = &P->rows[adj_row[k]];
				pend_add(P, a->line, C_MANAGER,
				         "manager_staff_ref '%s': following managers from "
				         "staff_ref %s of %s "
				         "comes back to %s: managers never loop",
				         P->staff[m].s, P->staff[s].s,
				         P->orgs[P->staff[s].org].code, P->staff[m].s);
				continue;
			}
			if (colour[m] == 0) {
				colour[m] = 1;
				stack[depth] = m;
				next[depth] = start[m];
				depth++;
			}
		}
	}
	free(colour);
	free(stack);
	free(next);
	free(start);
	free(adj);
	free(adj_row);
}

/* ---- digests ---------------------------------------------------------------------------------- */

/* A 64-bit digest (SipHash-2-4 under a fixed key) of a record's canonical
 * text: fields joined by 0x1F.  It only detects change between imports. */
struct dig {
	char buf[1024];
	size_t n;
};

static void dig_add(struct dig *d, const char *s)
{
	size_t len = strlen(s);
	if (d->n + len + 1 > sizeof d->buf)
		len = sizeof d->buf - d->n - 1;
	memcpy(d->buf + d->n, s, len);
	d->n += len;
	d->buf[d->n++] = '\x1f';
}

static void dig_int(struct dig *d, int64_t v)
{
	char t[24];
	size_t n = sizeof t;
	t[--n] = '\0';
	uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
	do {
		t[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		t[--n] = '-';
	dig_add(d, t + n);
}

static int64_t dig_end(const struct dig *d)
{
	static const unsigned char k[crypto_shorthash_siphash24_KEYBYTES] = "cadre-digest-v1";
	unsigned char out[crypto_shorthash_siphash24_BYTES];
	crypto_shorthash_siphash24(out, (const unsigned char *)d->buf, d->n, k);
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | out[i];
	return (int64_t)(v >> 1); /* non-negative, fits every store */
}

static int64_t staff_digest(const struct pimp *P, const struct stf *s)
{
	struct dig d = {.n = 0};
	dig_add(&d, next_str(s->s));
	dig_add(&d, sexes[s->sex]);
	dig_add(&d, P->ref.ethnic[s->ethnic]);
	dig_add(&d, disabilities[s->disab]);
	dig_add(&d, professions[s->prof].name);
	dig_add(&d, professions[s->prof].body);
	dig_int(&d, s->qual);
	return dig_end(&d);
}

static const char *esr_text(const struct arow *a, char out[3])
{
	out[0] = (char)('0' + a->esr / 10);
	out[1] = (char)('0' + a->esr % 10);
	out[2] = '\0';
	return out;
}

static int64_t terms_digest(const struct pimp *P, const struct arow *a)
{
	struct dig d = {.n = 0};
	char occ[4] = {a->occ[0], a->occ[1], a->occ[2], '\0'};
	char esr[3];
	dig_add(&d, P->cc.v[a->cc].code);
	dig_add(&d, next_str(a->s));
	dig_add(&d, occ);
	dig_add(&d, esr_text(a, esr));
	dig_add(&d, P->grades[a->grade].text);
	dig_add(&d, P->ref.groups[a->group].code);
	dig_int(&d, a->gflags);
	dig_int(&d, a->hours);
	dig_int(&d, a->fte);
	dig_add(&d, categories[a->category]);
	dig_add(&d, a->manager == NONE32 ? "" : P->staff[a->manager].s);
	dig_add(&d, stages[a->training]);
	dig_int(&d, a->leadership);
	return dig_end(&d);
}

/* ---- the plan (outside the write lock) ------------------------------------------------------- */

static const struct store_sql q_extract_of = {
    .name = "people_extract_of",
    .sql = "SELECT first_extract_date, extract_date FROM staff_extract WHERE org_id = $1",
};

static const struct store_sql q_persons = {
    .name = "people_persons",
    .sql = "SELECT id, person_key FROM person WHERE person_key IS NOT NULL",
};

static const struct store_sql q_staff_of = {
    .name = "people_staff_of",
    .sql = "SELECT s.id, s.staff_ref, s.person_id, s.birth_year, s.attr_digest, s.valid_from, "
           "p.person_key FROM staff s JOIN person p ON p.id = s.person_id WHERE s.org_id = $1",
};

static const struct store_sql q_assignments = {
    .name = "people_assignments",
    .sql = "SELECT id, assignment_ref, org_id, start_date, end_date, leaving_reason, "
           "closed_import_id, terms_digest, valid_from FROM assignment",
};

static int org_index_of(const struct pimp *P, int64_t id)
{
	for (size_t i = 0; i < P->norgs; i++)
		if (P->orgs[i].id == id)
			return (int)i;
	return -1;
}

static int plan_extracts(struct pimp *P, struct cadre_err *err)
{
	char ed[11];
	pf_date_format(P->extract, ed);
	for (size_t o = 0; o < P->norgs; o++) {
		struct org_entry *e = &P->orgs[o];
		struct store_stmt *st;
		int rc = store_prepare(P->db, &q_extract_of, &st, err);
		if (rc != CADRE_OK)
			return rc;
		store_bind_i64(st, 1, e->id);
		rc = store_step(st, err);
		if (rc == CADRE_DONE)
			continue;
		if (rc != CADRE_OK)
			return rc;
		(void)snprintf(e->held_first, sizeof e->held_first, "%s", store_col_text(st, 0));
		(void)snprintf(e->held_extract, sizeof e->held_extract, "%s",
		               store_col_text(st, 1));
		store_reset(st);
		if (strcmp(ed, e->held_extract) < 0)
			pend_add(P, e->first_line, C_EXTRACT,
			         "extract_date %s is before the extract already held for %s (%s): "
			         "import extracts in date order",
			         ed, e->code, e->held_extract);
	}
	return CADRE_OK;
}

static int plan_persons(struct pimp *P, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(P->db, &q_persons, &st, err);
	if (rc != CADRE_OK)
		return rc;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		uint8_t k[16];
		size_t klen = 0;
		const char *hex = store_col_text(st, 1);
		if (sodium_hex2bin(k, sizeof k, hex, store_col_len(st, 1), NULL, &klen, NULL) !=
		        0 ||
		    klen != 16)
			continue;
		uint32_t h = key_find(P, k);
		int64_t pid = store_col_i64(st, 0);
		if (pid <= 0 || pid > (int64_t)UINT32_MAX - 1) {
			store_reset(st);
			return cadre_err_set(err, CADRE_EINTERNAL, "person id %lld out of range",
			                     (long long)pid);
		}
		if (h != NONE32) {
			P->staff[h].person_id = (uint32_t)pid;
			P->staff[h].flags |= SF_PHELD;
		}
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

static int plan_staff(struct pimp *P, struct cadre_err *err)
{
	char ed[11];
	pf_date_format(P->extract, ed);
	for (size_t o = 0; o < P->norgs; o++) {
		struct store_stmt *st;
		int rc = store_prepare(P->db, &q_staff_of, &st, err);
		if (rc != CADRE_OK)
			return rc;
		store_bind_i64(st, 1, P->orgs[o].id);
		while ((rc = store_step(st, err)) == CADRE_OK) {
			const char *ref = store_col_text(st, 1);
			uint32_t si = staff_find(P, (uint16_t)o, ref, store_col_len(st, 1));
			if (si == NONE32)
				continue;
			struct stf *s = &P->staff[si];
			int64_t sid = store_col_i64(st, 0);
			int64_t held_person = store_col_i64(st, 2);
			if (sid <= 0 || sid >= UINT32_MAX || held_person <= 0 ||
			    held_person >= UINT32_MAX) {
				store_reset(st);
				return cadre_err_set(err, CADRE_EINTERNAL, "staff id out of range");
			}
			s->id = (uint32_t)sid;
			s->flags &= (uint8_t)~SF_NEW;
			int64_t birth = store_col_i64(st, 3);
			if (birth != s->birth) {
				pend_add(P, s->line, C_BIRTH,
				         "birth_year %d differs from %" PRId64
				         " held for staff_ref %s of "
				         "%s: a person's birth year never changes",
				         s->birth, birth, s->s, P->orgs[o].code);
				continue;
			}
			bool held_key = !store_col_is_null(st, 6);
			if (held_key) {
				uint8_t k[16];
				size_t klen = 0;
				const char *hex = store_col_text(st, 6);
				bool same = (s->flags & SF_KEY) &&
				            sodium_hex2bin(k, sizeof k, hex, store_col_len(st, 6),
				                           NULL, &klen, NULL) == 0 &&
				            klen == 16 && memcmp(k, s->key, 16) == 0;
				if ((s->flags & SF_KEY) && !same) {
					pend_add(P, s->line, C_NI,
					         "national_identifier differs from the one held "
					         "for staff_ref "
					         "%s of %s: a person's identifier never changes",
					         s->s, P->orgs[o].code);
					continue;
				}
				if (!(s->flags & SF_KEY)) {
					/* the extract no longer gives it: keep the held person */
					s->person_id = (uint32_t)held_person;
					s->flags |= SF_PHELD;
				}
			} else if (s->flags & SF_KEY) {
				/* held without a key, now with one: joins the key's person */
				P->repoints = grow(P->repoints, P->nrepoints, &P->rpalloc,
				                   sizeof *P->repoints, 64);
				P->repoints[P->nrepoints++] = (struct repoint){si, held_person};
				s->flags |= SF_REPOINT;
			} else {
				s->person_id = (uint32_t)held_person;
				s->flags |= SF_PHELD;
			}
			if (store_col_i64(st, 4) != staff_digest(P, s)) {
				s->flags |= SF_CHANGED;
				if (strcmp(store_col_text(st, 5), ed) == 0)
					s->flags |= SF_SAMEDATE;
			}
		}
		if (rc != CADRE_DONE)
			return rc;
	}
	return CADRE_OK;
}

static bool same_text(struct store_stmt *st, int col, const char *s)
{
	if (store_col_is_null(st, col))
		return !s || !*s;
	return s && strcmp(store_col_text(st, col), s) == 0;
}

static int plan_assignments(struct pimp *P, struct cadre_err *err)
{
	char ed[11];
	pf_date_format(P->extract, ed);
	struct store_stmt *st;
	int rc = store_prepare(P->db, &q_assignments, &st, err);
	if (rc != CADRE_OK)
		return rc;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		const char *ref = store_col_text(st, 1);
		size_t n = store_col_len(st, 1);
		int64_t id = store_col_i64(st, 0);
		int64_t org = store_col_i64(st, 2);
		uint32_t ri = ref_find(P, ref, n, pf_hash(ref, n, PF_HASH_INIT));
		if (ri == NONE32) {
			/* not listed: close it if it is open and its employer is in the file */
			if (org_index_of(P, org) < 0)
				continue;
			int32_t held_end;
			bool open =
			    store_col_is_null(st, 4) ||
			    (pf_date(store_col_text(st, 4), store_col_len(st, 4), &held_end) &&
			     held_end >= P->extract);
			if (!open)
				continue;
			/* it ended before the extract date: the day before, unless it
			 * had not started by then */
			int32_t end = P->extract - 1, start;
			if (pf_date(store_col_text(st, 3), store_col_len(st, 3), &start) &&
			    start > end)
				end = start;
			P->closes =
			    grow(P->closes, P->ncloses, &P->clalloc, sizeof *P->closes, 1024);
			P->closes[P->ncloses++] = (struct closing){id, end};
			continue;
		}
		struct arow *a = &P->rows[ri];
		if (a->staff == NONE32)
			continue;
		const struct stf *s = &P->staff[a->staff];
		if (P->orgs[s->org].id != org) {
			import_problem_add(
			    &P->res->problems, P->path, a->line, 1,
			    "assignment_ref '%s' is held for another organisation: an "
			    "assignment never moves between employers",
			    a->s);
			continue;
		}
		a->flags &= (uint8_t)~AF_NEW;
		char sd[11], nd[11] = "";
		pf_date_format(a->start, sd);
		if (a->end != OPEN_END)
			pf_date_format(a->end, nd);
		bool facts = same_text(st, 3, sd) && same_text(st, 4, nd) &&
		             same_text(st, 5, leaving_reasons[a->leaving]) &&
		             store_col_is_null(st, 6);
		bool terms = store_col_i64(st, 7) == terms_digest(P, a);
		if (facts && terms) {
			a->flags |= AF_SAME;
			continue;
		}
		if (!facts)
			a->flags |= AF_FACTS;
		if (!terms) {
			a->flags |= AF_TERMS;
			if (strcmp(store_col_text(st, 8), ed) == 0)
				a->flags |= AF_SAMEDAY;
		}
		P->changes = grow(P->changes, P->nchanges, &P->challoc, sizeof *P->changes, 1024);
		P->changes[P->nchanges++] = (struct change){ri, id};
	}
	return rc == CADRE_DONE ? CADRE_OK : rc;
}

static int plan_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct pimp *P = arg;
	P->db = db;
	int rc = pf_generation(db, &P->generation, err);
	if (rc == CADRE_OK)
		rc = plan_extracts(P, err);
	if (rc == CADRE_OK)
		rc = plan_persons(P, err);
	if (rc == CADRE_OK)
		rc = plan_staff(P, err);
	if (rc == CADRE_OK)
		rc = plan_assignments(P, err);
	return rc;
}

/* ---- the write ---------------------------------------------------------------------------------- */

static const struct store_sql q_staff_hist = {
    .name = "people_staff_hist",
    .sql = "INSERT INTO staff_history (staff_id, valid_from, valid_to, display_name, sex, "
           "ethnic_category, disability, profession, registration_body, qualification_year, "
           "import_id) SELECT id, valid_from, $2, display_name, sex, ethnic_category, "
           "disability, profession, registration_body, qualification_year, import_id "
           "FROM staff WHERE id = $1",
};

static const struct store_sql q_staff_update = {
    .name = "people_staff_update",
    .sql = "UPDATE staff SET valid_from = $2, display_name = $3, sex = $4, ethnic_category = $5, "
           "disability = $6, profession = $7, registration_body = $8, qualification_year = $9, "
           "attr_digest = $10, import_id = $11 WHERE id = $1",
};

static const struct store_sql q_staff_person = {
    .name = "people_staff_person",
    .sql = "UPDATE staff SET person_id = $2 WHERE id = $1",
};

static const struct store_sql q_person_delete = {
    .name = "people_person_delete",
    .sql = "DELETE FROM person WHERE id = $1 AND person_key IS NULL "
           "AND NOT EXISTS (SELECT 1 FROM staff WHERE person_id = $1)",
};

static const struct store_sql q_asg_hist = {
    .name = "people_assignment_hist",
    .sql = "INSERT INTO assignment_history (assignment_id, valid_from, valid_to, cost_centre_id, "
           "position_ref, occupation_code, esr_staff_group, grade, grade_band, staff_group, "
           "staff_group_basis, staff_group_conflict, contracted_hours, fte, category, "
           "manager_staff_id, training_stage, leadership_level, import_id) "
           "SELECT id, valid_from, $2, cost_centre_id, position_ref, occupation_code, "
           "esr_staff_group, grade, grade_band, staff_group, staff_group_basis, "
           "staff_group_conflict, contracted_hours, fte, category, manager_staff_id, "
           "training_stage, leadership_level, import_id FROM assignment WHERE id = $1",
};

static const struct store_sql q_asg_terms = {
    .name = "people_assignment_terms",
    .sql = "UPDATE assignment SET valid_from = $2, cost_centre_id = $3, position_ref = $4, "
           "occupation_code = $5, esr_staff_group = $6, grade = $7, grade_band = $8, "
           "staff_group = $9, staff_group_basis = $10, staff_group_conflict = $11, "
           "contracted_hours = $12, fte = $13, category = $14, manager_staff_id = $15, "
           "training_stage = $16, leadership_level = $17, terms_digest = $18, import_id = $19 "
           "WHERE id = $1",
};

static const struct store_sql q_asg_facts = {
    .name = "people_assignment_facts",
    .sql = "UPDATE assignment SET start_date = $2, end_date = $3, leaving_reason = $4, "
           "closed_import_id = NULL WHERE id = $1",
};

static const struct store_sql q_asg_close = {
    .name = "people_assignment_close",
    .sql = "UPDATE assignment SET end_date = $2, closed_import_id = $3 WHERE id = $1",
};

static const struct store_sql q_extract_put = {
    .name = "people_extract_put",
    .sql = "INSERT INTO staff_extract (org_id, first_extract_date, extract_date, import_id) "
           "VALUES ($1, $2, $2, $3) ON CONFLICT (org_id) DO UPDATE SET "
           "extract_date = excluded.extract_date, import_id = excluded.import_id",
};

#define EARLIEST "1900-01-01"

static struct store_value vtext(const char *s)
{
	return STORE_V_TEXT(s, strlen(s));
}

static struct store_value vopt(const char *s)
{
	return s && *s ? STORE_V_TEXT(s, strlen(s)) : STORE_V_NULL;
}

static void bind_opt(struct store_stmt *st, int i, const char *s)
{
	if (s && *s)
		store_bind_str(st, i, s);
	else
		store_bind_null(st, i);
}

/* pkey: a new person to insert, sorted by key so that the key's unique
 * index grows at its end (HMACs are random: in file order every insert
 * would land on a random page of a large index). */
struct pkey {
	uint8_t key[16];
	uint32_t staff;
};

/* pkey_sort: v[0..n-1] by key: a counting pass on the first two bytes
 * (HMACs spread evenly over the 65,536 buckets: about 30 keys each for the
 * national extract) and an insertion sort within each bucket; tmp holds n. */
static void pkey_sort(struct pkey *v, struct pkey *tmp, size_t n)
{
	size_t *start = xcalloc(65537, sizeof *start);
	for (size_t i = 0; i < n; i++)
		start[((size_t)v[i].key[0] << 8 | v[i].key[1]) + 1]++;
	for (size_t b = 1; b <= 65536; b++)
		start[b] += start[b - 1];
	for (size_t i = 0; i < n; i++) {
		size_t b = (size_t)v[i].key[0] << 8 | v[i].key[1];
		tmp[start[b]++] = v[i];
	}
	/* start[b] is now the end of bucket b */
	size_t lo = 0;
	for (size_t b = 0; b < 65536; b++) {
		size_t hi = start[b];
		for (size_t i = lo + 1; i < hi; i++) {
			struct pkey x = tmp[i];
			size_t j = i;
			for (; j > lo && memcmp(tmp[j - 1].key, x.key, 16) > 0; j--)
				tmp[j] = tmp[j - 1];
			tmp[j] = x;
		}
		lo = hi;
	}
	free(start);
	memcpy(v, tmp, n * sizeof *v);
}

/* hex32: the 16-byte key as 32 lower-case hex digits (no secret here:
 * the key is what is stored) and a NUL. */
static void hex32(const uint8_t key[16], char out[33])
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < 16; i++) {
		out[2 * i] = digits[key[i] >> 4];
		out[2 * i + 1] = digits[key[i] & 15];
	}
	out[32] = '\0';
}

static int write_persons(struct pimp *P, int64_t *next_person, struct cadre_err *err)
{
	size_t n = 0;
	for (size_t i = 0; i < P->nstaff; i++) {
		const struct stf *s = &P->staff[i];
		n += ((s->flags & SF_KEY) && s->head == i && !(s->flags & SF_PHELD)) ||
		     (!(s->flags & SF_KEY) && !(s->flags & SF_PHELD));
	}
	struct pkey *v = xmalloc((n + 1) * sizeof *v);
	size_t nk = 0, nn = 0;
	for (size_t i = 0; i < P->nstaff; i++) {
		const struct stf *s = &P->staff[i];
		if ((s->flags & SF_KEY) && s->head == i && !(s->flags & SF_PHELD)) {
			memcpy(v[nk].key, s->key, 16);
			v[nk++].staff = (uint32_t)i;
		}
	}
	if (nk) {
		struct pkey *tmp = xmalloc(nk * sizeof *tmp);
		pkey_sort(v, tmp, nk);
		free(tmp);
	}
	/* keyless people (NULL keys sort first in the index) after them */
	for (size_t i = 0; i < P->nstaff; i++) {
		const struct stf *s = &P->staff[i];
		if (!(s->flags & SF_KEY) && !(s->flags & SF_PHELD)) {
			memset(v[nk + nn].key, 0, 16);
			v[nk + nn++].staff = (uint32_t)i;
		}
	}
	static const char *const cols[] = {"id", "person_key"};
	int rc = store_bulk_begin(P->db, "person", cols, 2, err);
	for (size_t k = 0; k < n && rc == CADRE_OK; k++) {
		struct stf *s = &P->staff[v[k].staff];
		s->person_id = (uint32_t)(*next_person)++;
		char hex[33];
		bool keyed = k < nk;
		if (keyed)
			hex32(s->key, hex);
		struct store_value row[2] = {STORE_V_I64(s->person_id),
		                             keyed ? STORE_V_TEXT(hex, 32) : STORE_V_NULL};
		rc = store_bulk_row(P->db, row, err);
	}
	free(v);
	if (rc != CADRE_OK)
		return rc;
	P->res->persons_new = (int64_t)n;
	/* staff with a key take their head's person */
	for (size_t i = 0; i < P->nstaff; i++) {
		struct stf *s = &P->staff[i];
		if ((s->flags & SF_KEY) && s->head != i)
			s->person_id = P->staff[s->head].person_id;
	}
	return store_bulk_end(P->db, NULL, err);
}

static int write_staff(struct pimp *P, int64_t import_id, struct cadre_err *err)
{
	static const char *const cols[] = {"id",
	                                   "org_id",
	                                   "staff_ref",
	                                   "person_id",
	                                   "birth_year",
	                                   "valid_from",
	                                   "display_name",
	                                   "sex",
	                                   "ethnic_category",
	                                   "disability",
	                                   "profession",
	                                   "registration_body",
	                                   "qualification_year",
	                                   "attr_digest",
	                                   "import_id"};
	int64_t next;
	int rc = pf_next_id(P->db, PF_T_STAFF, &next, err);
	if (rc != CADRE_OK)
		return rc;
	if (next + (int64_t)P->nstaff >= (int64_t)UINT32_MAX)
		return cadre_err_set(err, CADRE_EINTERNAL, "staff ids beyond 2^32");
	for (size_t i = 0; i < P->nstaff; i++)
		if (P->staff[i].flags & SF_NEW)
			P->staff[i].id = (uint32_t)next++;
	if ((rc = store_bulk_begin(P->db, "staff", cols, 15, err)) != CADRE_OK)
		return rc;
	for (size_t i = 0; i < P->nstaff; i++) {
		const struct stf *s = &P->staff[i];
		if (!(s->flags & SF_NEW))
			continue;
		const struct profession *pr = &professions[s->prof];
		struct store_value v[15] = {
		    STORE_V_I64(s->id),
		    STORE_V_I64(P->orgs[s->org].id),
		    vtext(s->s),
		    STORE_V_I64(s->person_id),
		    STORE_V_I64(s->birth),
		    STORE_V_TEXT(EARLIEST, 10),
		    vopt(next_str(s->s)),
		    vtext(sexes[s->sex]),
		    vtext(P->ref.ethnic[s->ethnic]),
		    vtext(disabilities[s->disab]),
		    vopt(pr->name),
		    vopt(pr->body),
		    s->qual ? STORE_V_I64(s->qual) : STORE_V_NULL,
		    STORE_V_I64(staff_digest(P, s)),
		    STORE_V_I64(import_id),
		};
		if ((rc = store_bulk_row(P->db, v, err)) != CADRE_OK)
			return rc;
		P->res->staff_new++;
	}
	return store_bulk_end(P->db, NULL, err);
}

static int update_staff(struct pimp *P, int64_t import_id, struct cadre_err *err)
{
	char ed[11], dayb[11];
	pf_date_format(P->extract, ed);
	pf_date_format(P->extract - 1, dayb);
	int rc = CADRE_OK;
	for (size_t i = 0; i < P->nstaff && rc == CADRE_OK; i++) {
		const struct stf *s = &P->staff[i];
		if (s->flags & SF_NEW)
			continue;
		if (!(s->flags & SF_CHANGED)) {
			P->res->staff_unchanged += !(s->flags & SF_REPOINT);
			continue;
		}
		struct store_stmt *st;
		if (!(s->flags & SF_SAMEDATE)) {
			if ((rc = store_prepare(P->db, &q_staff_hist, &st, err)) != CADRE_OK)
				break;
			store_bind_i64(st, 1, s->id);
			store_bind_str(st, 2, dayb);
			if ((rc = store_exec(st, err)) != CADRE_OK)
				break;
		}
		if ((rc = store_prepare(P->db, &q_staff_update, &st, err)) != CADRE_OK)
			break;
		const struct profession *pr = &professions[s->prof];
		store_bind_i64(st, 1, s->id);
		store_bind_str(st, 2, ed);
		bind_opt(st, 3, next_str(s->s));
		store_bind_str(st, 4, sexes[s->sex]);
		store_bind_str(st, 5, P->ref.ethnic[s->ethnic]);
		store_bind_str(st, 6, disabilities[s->disab]);
		bind_opt(st, 7, pr->name);
		bind_opt(st, 8, pr->body);
		if (s->qual)
			store_bind_i64(st, 9, s->qual);
		else
			store_bind_null(st, 9);
		store_bind_i64(st, 10, staff_digest(P, s));
		store_bind_i64(st, 11, import_id);
		rc = store_exec(st, err);
		P->res->staff_changed++;
	}
	for (size_t i = 0; i < P->nrepoints && rc == CADRE_OK; i++) {
		const struct repoint *r = &P->repoints[i];
		const struct stf *s = &P->staff[r->staff];
		struct store_stmt *st;
		if ((rc = store_prepare(P->db, &q_staff_person, &st, err)) != CADRE_OK)
			break;
		store_bind_i64(st, 1, s->id);
		store_bind_i64(st, 2, s->person_id);
		if ((rc = store_exec(st, err)) != CADRE_OK)
			break;
		if ((rc = store_prepare(P->db, &q_person_delete, &st, err)) != CADRE_OK)
			break;
		store_bind_i64(st, 1, r->old_person);
		rc = store_exec(st, err);
		if (!(s->flags & SF_CHANGED))
			P->res->staff_changed++;
	}
	return rc;
}

static int write_assignments(struct pimp *P, int64_t import_id, struct cadre_err *err)
{
	static const char *const cols[] = {"id",
	                                   "assignment_ref",
	                                   "staff_id",
	                                   "org_id",
	                                   "start_date",
	                                   "end_date",
	                                   "leaving_reason",
	                                   "valid_from",
	                                   "cost_centre_id",
	                                   "position_ref",
	                                   "occupation_code",
	                                   "esr_staff_group",
	                                   "grade",
	                                   "grade_band",
	                                   "staff_group",
	                                   "staff_group_basis",
	                                   "staff_group_conflict",
	                                   "contracted_hours",
	                                   "fte",
	                                   "category",
	                                   "manager_staff_id",
	                                   "training_stage",
	                                   "leadership_level",
	                                   "terms_digest",
	                                   "import_id"};
	int64_t next;
	int rc = pf_next_id(P->db, PF_T_ASSIGNMENT, &next, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = store_bulk_begin(P->db, "assignment", cols, 25, err)) != CADRE_OK)
		return rc;
	for (size_t i = 0; i < P->nrows; i++) {
		const struct arow *a = &P->rows[i];
		if (!(a->flags & AF_NEW) || a->staff == NONE32)
			continue;
		const struct stf *s = &P->staff[a->staff];
		const struct grade_entry *g = &P->grades[a->grade];
		char sd[11], nd[11], occ[4] = {a->occ[0], a->occ[1], a->occ[2], '\0'}, esr[3];
		pf_date_format(a->start, sd);
		if (a->end != OPEN_END)
			pf_date_format(a->end, nd);
		const char *basis = pf_basis_name((enum pf_basis)(a->gflags & 3));
		struct store_value v[25] = {
		    STORE_V_I64(next++),
		    vtext(a->s),
		    STORE_V_I64(s->id),
		    STORE_V_I64(P->orgs[s->org].id),
		    STORE_V_TEXT(sd, 10),
		    a->end != OPEN_END ? STORE_V_TEXT(nd, 10) : STORE_V_NULL,
		    vopt(leaving_reasons[a->leaving]),
		    STORE_V_TEXT(EARLIEST, 10),
		    STORE_V_I64(P->cc.v[a->cc].id),
		    vtext(next_str(a->s)),
		    STORE_V_TEXT(occ, 3),
		    STORE_V_TEXT(esr_text(a, esr), 2),
		    vtext(g->text),
		    vtext(g->band),
		    vtext(P->ref.groups[a->group].code),
		    vtext(basis),
		    STORE_V_I64((a->gflags & 4) ? 1 : 0),
		    STORE_V_DOUBLE((double)a->hours / 100.0),
		    STORE_V_DOUBLE((double)a->fte / 10000.0),
		    vtext(categories[a->category]),
		    a->manager == NONE32 ? STORE_V_NULL : STORE_V_I64(P->staff[a->manager].id),
		    vopt(stages[a->training]),
		    STORE_V_I64(a->leadership),
		    STORE_V_I64(terms_digest(P, a)),
		    STORE_V_I64(import_id),
		};
		if ((rc = store_bulk_row(P->db, v, err)) != CADRE_OK)
			return rc;
		P->res->assignments_new++;
	}
	return store_bulk_end(P->db, NULL, err);
}

static int update_assignments(struct pimp *P, int64_t import_id, struct cadre_err *err)
{
	char ed[11], dayb[11];
	pf_date_format(P->extract, ed);
	pf_date_format(P->extract - 1, dayb);
	int rc = CADRE_OK;
	for (size_t i = 0; i < P->nchanges && rc == CADRE_OK; i++) {
		const struct change *c = &P->changes[i];
		const struct arow *a = &P->rows[c->row];
		struct store_stmt *st;
		if (a->flags & AF_TERMS) {
			if (!(a->flags & AF_SAMEDAY)) {
				if ((rc = store_prepare(P->db, &q_asg_hist, &st, err)) != CADRE_OK)
					break;
				store_bind_i64(st, 1, c->id);
				store_bind_str(st, 2, dayb);
				if ((rc = store_exec(st, err)) != CADRE_OK)
					break;
			}
			if ((rc = store_prepare(P->db, &q_asg_terms, &st, err)) != CADRE_OK)
				break;
			const struct grade_entry *g = &P->grades[a->grade];
			char occ[4] = {a->occ[0], a->occ[1], a->occ[2], '\0'}, esr[3];
			store_bind_i64(st, 1, c->id);
			store_bind_str(st, 2, ed);
			store_bind_i64(st, 3, P->cc.v[a->cc].id);
			store_bind_str(st, 4, next_str(a->s));
			store_bind_str(st, 5, occ);
			store_bind_str(st, 6, esr_text(a, esr));
			store_bind_str(st, 7, g->text);
			store_bind_str(st, 8, g->band);
			store_bind_str(st, 9, P->ref.groups[a->group].code);
			store_bind_str(st, 10, pf_basis_name((enum pf_basis)(a->gflags & 3)));
			store_bind_i64(st, 11, (a->gflags & 4) ? 1 : 0);
			store_bind_double(st, 12, (double)a->hours / 100.0);
			store_bind_double(st, 13, (double)a->fte / 10000.0);
			store_bind_str(st, 14, categories[a->category]);
			if (a->manager == NONE32)
				store_bind_null(st, 15);
			else
				store_bind_i64(st, 15, P->staff[a->manager].id);
			bind_opt(st, 16, stages[a->training]);
			store_bind_i64(st, 17, a->leadership);
			store_bind_i64(st, 18, terms_digest(P, a));
			store_bind_i64(st, 19, import_id);
			if ((rc = store_exec(st, err)) != CADRE_OK)
				break;
		}
		if (a->flags & AF_FACTS) {
			char sd[11], nd[11];
			pf_date_format(a->start, sd);
			if ((rc = store_prepare(P->db, &q_asg_facts, &st, err)) != CADRE_OK)
				break;
			store_bind_i64(st, 1, c->id);
			store_bind_str(st, 2, sd);
			if (a->end != OPEN_END) {
				pf_date_format(a->end, nd);
				store_bind_str(st, 3, nd);
			} else {
				store_bind_null(st, 3);
			}
			bind_opt(st, 4, leaving_reasons[a->leaving]);
			if ((rc = store_exec(st, err)) != CADRE_OK)
				break;
		}
		P->res->assignments_changed++;
	}
	for (size_t i = 0; i < P->ncloses && rc == CADRE_OK; i++) {
		struct store_stmt *st;
		if ((rc = store_prepare(P->db, &q_asg_close, &st, err)) != CADRE_OK)
			break;
		char end[11];
		pf_date_format(P->closes[i].end, end);
		store_bind_i64(st, 1, P->closes[i].id);
		store_bind_str(st, 2, end);
		store_bind_i64(st, 3, import_id);
		rc = store_exec(st, err);
		P->res->assignments_closed++;
	}
	return rc;
}

static int write_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct pimp *P = arg;
	struct people_result *res = P->res;
	P->db = db;
	res->persons_new = res->staff_new = res->staff_changed = res->staff_unchanged = 0;
	res->stats.rows = 0;
	res->assignments_new = res->assignments_changed = res->assignments_closed = 0;
	res->audit_seq = 0;
	int64_t gen;
	int rc = pf_generation(db, &gen, err);
	if (rc != CADRE_OK)
		return rc;
	if (gen != P->generation)
		return cadre_err_set(err, CADRE_EBUSY,
		                     "another import changed the staff while this one was being "
		                     "checked: nothing was written; run it again");
	/* held ids stay; new ones are assigned here (again, on a retry) */
	for (size_t i = 0; i < P->nstaff; i++) {
		struct stf *s = &P->staff[i];
		if (!(s->flags & SF_PHELD))
			s->person_id = 0;
		if (s->flags & SF_NEW)
			s->id = 0;
	}
	int64_t import_id, next_person;
	if ((rc = pf_next_id(db, PF_T_IMPORT, &import_id, err)) != CADRE_OK ||
	    (rc = pf_next_id(db, PF_T_PERSON, &next_person, err)) != CADRE_OK)
		return rc;
	if (next_person + (int64_t)P->nstaff >= (int64_t)UINT32_MAX)
		return cadre_err_set(err, CADRE_EINTERNAL, "person ids beyond 2^32");
	res->import_id = import_id;
	int64_t t = clock_mono_us();
	int64_t tt[6];
	tt[0] = clock_mono_us();
	if ((rc = write_persons(P, &next_person, err)) != CADRE_OK)
		return rc;
	tt[1] = clock_mono_us();
	debug_mem("persons");
	if ((rc = write_staff(P, import_id, err)) != CADRE_OK ||
	    (rc = update_staff(P, import_id, err)) != CADRE_OK)
		return rc;
	tt[2] = clock_mono_us();
	debug_mem("staff");
	if ((rc = write_assignments(P, import_id, err)) != CADRE_OK ||
	    (rc = update_assignments(P, import_id, err)) != CADRE_OK)
		return rc;
	tt[3] = clock_mono_us();
	debug_mem("assignments");
	if (getenv("CADRE_TIMING"))
		(void)fprintf(stderr, "persons %lld ms, staff %lld ms, assignments %lld ms\n",
		              (long long)(tt[1] - tt[0]) / 1000, (long long)(tt[2] - tt[1]) / 1000,
		              (long long)(tt[3] - tt[2]) / 1000);
	res->assignments_unchanged = res->rows - res->assignments_new - res->assignments_changed;
	char ed[11];
	pf_date_format(P->extract, ed);
	for (size_t o = 0; o < P->norgs; o++) {
		struct store_stmt *st;
		if ((rc = store_prepare(db, &q_extract_put, &st, err)) != CADRE_OK)
			return rc;
		store_bind_i64(st, 1, P->orgs[o].id);
		store_bind_str(st, 2, ed);
		store_bind_i64(st, 3, import_id);
		if ((rc = store_exec(st, err)) != CADRE_OK)
			return rc;
	}
	int64_t changed = res->persons_new + res->staff_new + res->staff_changed +
	                  res->assignments_new + res->assignments_changed + res->assignments_closed;
	/* the staged rows are written: their memory goes to the statistics */
	free(P->rows);
	free(P->staff);
	pool_free(&P->pool);
	P->rows = NULL;
	P->staff = NULL;
	P->nrows = P->nstaff = 0;
	if ((rc = pf_import_record(P->actor, db, import_id, "staff", P->path, res->sha256,
	                           res->rows, changed, P->now, err)) != CADRE_OK)
		return rc;
	debug_mem("written");
	if ((rc = orgstats_staff_refresh(P->actor, db, P->opt->clk, &res->stats, err)) != CADRE_OK)
		return rc;
	debug_mem("statistics");
	res->micros_write = clock_mono_us() - t;
	if (P->opt->dry_run)
		return CADRE_OK;
	json_t *orgs = json_object();
	for (size_t o = 0; o < P->norgs; o++)
		json_object_set_new(orgs, P->orgs[o].code, json_integer(P->orgs[o].rows));
	json_t *extra = json_pack(
	    "{s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "extract_date", ed,
	    "organisations", orgs, "persons_new", (json_int_t)res->persons_new, "staff_new",
	    (json_int_t)res->staff_new, "staff_changed", (json_int_t)res->staff_changed,
	    "assignments_new", (json_int_t)res->assignments_new, "assignments_changed",
	    (json_int_t)res->assignments_changed, "assignments_closed",
	    (json_int_t)res->assignments_closed, "staff_group_fallback",
	    (json_int_t)res->group_fallback, "staff_group_conflicts",
	    (json_int_t)res->group_conflicts, "occupation_codes_unlisted",
	    (json_int_t)res->occupation_unlisted);
	rc = pf_import_audit(P->actor, db, P->opt->audit_key, "staff", P->path, res->sha256,
	                     res->rows, extra, import_id, P->now, &res->audit_seq, err);
	json_decref(extra);
	return rc;
}

/* nothing_to_do: the same data again: no new or changed row, nothing to
 * close and every employer's extract date already held. */
static bool nothing_to_do(const struct pimp *P)
{
	if (P->nchanges || P->ncloses || P->nrepoints)
		return false;
	for (size_t i = 0; i < P->nstaff; i++)
		if (P->staff[i].flags & (SF_NEW | SF_CHANGED))
			return false;
	for (size_t i = 0; i < P->nrows; i++)
		if (P->rows[i].flags & AF_NEW)
			return false;
	char ed[11];
	pf_date_format(P->extract, ed);
	for (size_t o = 0; o < P->norgs; o++)
		if (strcmp(P->orgs[o].held_extract, ed) != 0)
			return false;
	return true;
}

/* ---- the import ---------------------------------------------------------------------------------- */

static void pimp_free(struct pimp *P)
{
	pf_ref_free(&P->ref);
	org_index_free(&P->orgix);
	wards_index_free(&P->cc);
	sodium_memzero(&P->hmac0, sizeof P->hmac0);
	pool_free(&P->pool);
	free(P->staff);
	free(P->rows);
	free(P->grades);
	free(P->orgs);
	pf_index_free(&P->refix);
	pf_index_free(&P->staffix);
	pf_index_free(&P->keyix);
	pf_index_free(&P->gradeix);
	free(P->pend);
	free(P->changes);
	free(P->closes);
	free(P->repoints);
}

static int load_reference(struct pimp *P, struct store *db, struct cadre_err *err)
{
	int rc = pf_ref_load(db, &P->ref, err);
	if (rc == CADRE_OK)
		rc = org_index_load(P->actor, db, &P->orgix, err);
	if (rc == CADRE_OK)
		rc = wards_index_load(P->actor, db, &P->cc, err);
	return rc;
}

int people_import(const struct actor *actor, struct store *db, const char *path,
                  const struct people_opts *opt, struct people_result *res, struct cadre_err *err)
{
	memset(res, 0, sizeof *res);
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!actor_is_system(actor))
		return cadre_err_set(err, CADRE_EPERM, "only the system imports staff extracts");
	if (!opt->pseudonym_key)
		return cadre_err_set(
		    err, CADRE_EINVAL,
		    "no pseudonym key: national identifiers are kept only as HMACs "
		    "under it (set secrets.pseudonym_key)");
	if (!opt->dry_run && !opt->audit_key)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "no audit key: an import is audited (set secrets.audit_key)");
	if (opt->expect_extract) {
		int32_t d;
		if (!pf_date(opt->expect_extract, strlen(opt->expect_extract), &d))
			return cadre_err_set(err, CADRE_EUSAGE, "--as-of '%s': expected YYYY-MM-DD",
			                     opt->expect_extract);
	}
	int64_t t0 = clock_mono_us();
	struct pimp *P = xcalloc(1, sizeof *P);
	P->actor = actor;
	P->db = db;
	P->path = path;
	P->opt = opt;
	P->res = res;
	P->now = clock_now(opt->clk);
	P->last_org = -1;
	hmac_init(&P->hmac0, opt->pseudonym_key);
	/* size the indexes to the file: an extract row is 150 bytes or more */
	struct stat sb;
	size_t expect = stat(path, &sb) == 0 && sb.st_size > 0 ? (size_t)sb.st_size / 150 : 1024;
	pf_index_init(&P->refix, expect);
	pf_index_init(&P->staffix, expect);
	pf_index_init(&P->keyix, expect);
	pf_index_init(&P->gradeix, 64);
	if ((rc = load_reference(P, db, err)) != CADRE_OK)
		goto out;
	if ((rc = parse_file(P, err)) != CADRE_OK)
		goto out;
	res->rows = 0;
	for (size_t i = 0; i < P->nrows; i++)
		res->rows += P->rows[i].staff != NONE32;
	res->orgs = (int64_t)P->norgs;
	if (P->extract_set)
		pf_date_format(P->extract, res->extract_date);
	debug_mem("parsed");
	if (!import_problems_total(&res->problems))
		check_managers(P);
	debug_mem("managers");
	pend_resolve(P);
	if (import_problems_total(&res->problems)) {
		rc = import_problems_fail(&res->problems, err);
		goto out;
	}
	res->micros_check = clock_mono_us() - t0;
	/* the plan, in one read snapshot */
	int64_t t1 = clock_mono_us();
	if ((rc = store_tx_run(db, STORE_TX_READ, plan_tx, P, err)) != CADRE_OK)
		goto out;
	pend_resolve(P);
	res->micros_plan = clock_mono_us() - t1;
	if (import_problems_total(&res->problems)) {
		rc = import_problems_fail(&res->problems, err);
		goto out;
	}
	if (nothing_to_do(P)) {
		res->no_change = true;
		res->assignments_unchanged = res->rows;
		for (size_t i = 0; i < P->nstaff; i++)
			res->staff_unchanged++;
		goto out;
	}
	/* the refs map and the key map are no longer needed */
	pf_index_free(&P->refix);
	pf_index_free(&P->keyix);
	pf_index_free(&P->staffix);
	/* One attempt, not store_tx_run's retries: the staged rows are freed
	 * inside the transaction once written, before the statistics need
	 * their memory.  BEGIN waits busy_timeout for the write lock. */
	if ((rc = store_tx_begin(db, STORE_TX_WRITE, err)) != CADRE_OK)
		goto out;
	rc = write_tx(db, P, err);
	if (rc == CADRE_OK && !opt->dry_run) {
		rc = store_tx_commit(db, err);
		debug_mem("committed");
	} else {
		struct cadre_err e2;
		int rb = store_tx_rollback(db, &e2);
		if (rc == CADRE_OK && rb != CADRE_OK) {
			*err = e2;
			rc = rb;
		}
	}
out:
	pimp_free(P);
	free(P);
	res->micros = clock_mono_us() - t0;
	return rc;
}
