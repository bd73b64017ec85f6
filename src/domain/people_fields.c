/* people_fields: cells, grades, reference data and a hash index for the
 * people-area importers (see people_fields.h). */
#include "domain/people_fields.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/date.h"
#include "base/mem.h"
#include "domain/actor.h"
#include "domain/audit.h"
#include "store/store.h"

/* ---- cells ------------------------------------------------------------------- */

void pf_show(const char *v, size_t n, char *out, size_t outn)
{
	size_t o = 0;
	size_t i = 0;
	bool cut = false;
	while (i < n) {
		unsigned char c = (unsigned char)v[i];
		size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		if (i + len > n)
			len = n - i;
		if (i + len > PF_SHOW_MAX || o + len + 4 >= outn) {
			cut = true;
			break;
		}
		if (c < 0x20 || c == 0x7F)
			out[o++] = '?';
		else
			for (size_t k = 0; k < len; k++)
				out[o++] = v[i + k];
		i += len;
	}
	if (cut && o + 4 <= outn) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

static bool alnum(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

bool pf_code_ok(const char *s, size_t n, size_t max)
{
	if (n == 0 || n > max || !alnum((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!alnum(c) && c != '_' && c != '/' && c != '.' && c != '-')
			return false;
	}
	return true;
}

bool pf_text_ok(const char **s, size_t *n, size_t max)
{
	const char *p = *s;
	size_t len = *n;
	if (len >= 2 && p[0] == '\'' &&
	    (p[1] == '=' || p[1] == '+' || p[1] == '-' || p[1] == '@')) {
		p++;
		len--;
	}
	size_t chars = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x20 || c == 0x7F)
			return false;
		/* C1 controls U+0080..U+009F are C2 80..C2 9F */
		if (c == 0xC2 && i + 1 < len && (unsigned char)p[i + 1] < 0xA0)
			return false;
		if ((c & 0xC0) != 0x80)
			chars++;
	}
	if (chars > max)
		return false;
	*s = p;
	*n = len;
	return true;
}

static int num2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

bool pf_date(const char *s, size_t n, int32_t *days)
{
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !digit((unsigned char)s[i]))
			return false;
	struct date d = {num2(s) * 100 + num2(s + 2), num2(s + 5), num2(s + 8)};
	if (d.y < 1900 || d.y > 2099 || d.m < 1 || d.m > 12 || d.d < 1 ||
	    d.d > date_days_in_month(d.y, d.m))
		return false;
	*days = (int32_t)date_to_days(d);
	return true;
}

bool pf_month(const char *s, size_t n, int *ym)
{
	if (n != 7 || s[4] != '-')
		return false;
	for (int i = 0; i < 7; i++)
		if (i != 4 && !digit((unsigned char)s[i]))
			return false;
	int y = num2(s) * 100 + num2(s + 2);
	int m = num2(s + 5);
	if (y < 1900 || y > 2099 || m < 1 || m > 12)
		return false;
	*ym = y * 100 + m;
	return true;
}

/* digits: the value of s[0..n-1], all digits, 1..15 of them. */
static bool digits(const char *s, size_t n, int64_t *v)
{
	if (n == 0 || n > 15)
		return false;
	int64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (!digit((unsigned char)s[i]))
			return false;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return true;
}

bool pf_int(const char *s, size_t n, int64_t *v)
{
	bool neg = n > 0 && s[0] == '-';
	int64_t x;
	if (!digits(s + neg, n - neg, &x))
		return false;
	*v = neg ? -x : x;
	return true;
}

bool pf_decimal(const char *s, size_t n, int places, int64_t *v)
{
	bool neg = n > 0 && s[0] == '-';
	s += neg;
	n -= neg;
	const char *dot = memchr(s, '.', n);
	size_t ilen = dot ? (size_t)(dot - s) : n;
	int64_t ip, fp = 0;
	if (!digits(s, ilen, &ip))
		return false;
	int fdig = 0;
	if (dot) {
		size_t flen = n - ilen - 1;
		if (flen == 0 || flen > (size_t)places || !digits(dot + 1, flen, &fp))
			return false;
		fdig = (int)flen;
	}
	for (int i = fdig; i < places; i++)
		fp *= 10;
	int64_t scale = 1;
	for (int i = 0; i < places; i++)
		scale *= 10;
	int64_t x = ip * scale + fp;
	*v = neg ? -x : x;
	return true;
}

bool pf_money(const char *s, size_t n, int64_t *pence)
{
	if (n < 4 || s[n - 3] != '.')
		return false;
	return pf_decimal(s, n, 2, pence);
}

void pf_date_format(int32_t days, char *out)
{
	struct date d = date_from_days(days);
	int y = d.y;
	out[0] = (char)('0' + y / 1000 % 10);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + d.m / 10);
	out[6] = (char)('0' + d.m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d.d / 10);
	out[9] = (char)('0' + d.d % 10);
	out[10] = '\0';
}

int pf_date_month(int32_t days)
{
	return date_month_of(date_from_days(days));
}

int32_t pf_month_end(int ym)
{
	return (int32_t)date_to_days(date_month_last(ym));
}

int pf_date_fy(int32_t days)
{
	return date_fy_of(date_from_days(days));
}

/* ---- grades ------------------------------------------------------------------ */

static const char *const afc_bands[] = {"1", "2",  "3",  "4",  "5",  "6",
                                        "7", "8a", "8b", "8c", "8d", "9"};

/* point: "-[1-9][0-9]?" at s (n bytes left): its value, or 0 for none. */
static bool point_of(const char *s, size_t n, int *pt)
{
	if (n == 0) {
		*pt = 0;
		return true;
	}
	if (s[0] != '-' || n < 2 || n > 3 || s[1] < '1' || s[1] > '9')
		return false;
	if (n == 3 && !digit((unsigned char)s[2]))
		return false;
	*pt = n == 2 ? s[1] - '0' : num2(s + 1);
	return true;
}

bool pf_grade_parse(const char *s, size_t n, struct pf_grade *g)
{
	memset(g, 0, sizeof *g);
	if (n == 3 && memcmp(s, "VSM", 3) == 0) {
		g->pay = PF_PAY_VSM;
		return true;
	}
	if (n > 4 && memcmp(s, "AFC-", 4) == 0) {
		for (size_t b = 0; b < sizeof afc_bands / sizeof afc_bands[0]; b++) {
			size_t bl = strlen(afc_bands[b]);
			if (n >= 4 + bl && memcmp(s + 4, afc_bands[b], bl) == 0 &&
			    (n == 4 + bl || s[4 + bl] == '-') &&
			    point_of(s + 4 + bl, n - 4 - bl, &g->point)) {
				g->pay = PF_PAY_AFC;
				memcpy(g->band, afc_bands[b], bl + 1);
				return true;
			}
		}
		return false;
	}
	if (n > 4 && memcmp(s, "MED-", 4) == 0) {
		size_t i = 4;
		while (i < n && ((s[i] >= 'A' && s[i] <= 'Z') || digit((unsigned char)s[i])))
			i++;
		size_t gl = i - 4;
		if (gl < 2 || gl > 5 || !point_of(s + i, n - i, &g->point))
			return false;
		g->pay = PF_PAY_MED;
		memcpy(g->band, s + 4, gl);
		g->band[gl] = '\0';
		return true;
	}
	return false;
}

void pf_grade_band(const struct pf_grade *g, char *out)
{
	if (g->pay == PF_PAY_VSM)
		(void)snprintf(out, PF_GRADE_MAX, "VSM");
	else
		(void)snprintf(out, PF_GRADE_MAX, "%s-%s", g->pay == PF_PAY_AFC ? "AFC" : "MED",
		               g->band);
}

int pf_fulltime_hours100(enum pf_pay pay)
{
	return pay == PF_PAY_MED ? 4000 : 3750;
}

/* ---- reference data ---------------------------------------------------------- */

static const struct store_sql q_groups = {
    .name = "pf_groups",
    .sql = "SELECT code, is_total FROM staff_group ORDER BY code",
};
static const struct store_sql q_esr = {
    .name = "pf_esr",
    .sql = "SELECT code FROM esr_staff_group ORDER BY code",
};
static const struct store_sql q_ethnic = {
    .name = "pf_ethnic",
    .sql = "SELECT code FROM ethnic_category ORDER BY code",
};
static const struct store_sql q_bands = {
    .name = "pf_bands",
    .sql = "SELECT band FROM afc_band ORDER BY sort_order",
};
static const struct store_sql q_occ = {
    .name = "pf_occ",
    .sql = "SELECT code, rule, nhsd_staff_group_code, status, notes FROM occupation_code "
           "ORDER BY code",
};
static const struct store_sql q_med = {
    .name = "pf_med",
    .sql = "SELECT code, nhsd_staff_group_code FROM medical_grade ORDER BY code",
};
static const struct store_sql q_pay = {
    .name = "pf_pay",
    .sql = "SELECT financial_year, band, pay_point FROM afc_pay WHERE pay_point IS NOT NULL "
           "ORDER BY financial_year, band, pay_point",
};
static const struct store_sql q_map = {
    .name = "pf_esr_map",
    .sql = "SELECT esr_code, profession, pay_system, role, nhsd_staff_group_code "
           "FROM esr_staff_group_map ORDER BY esr_code, profession, pay_system, role, "
           "nhsd_staff_group_code",
};

static void copy_col(char *dst, size_t n, struct store_stmt *st, int col)
{
	const char *s = store_col_is_null(st, col) ? "" : store_col_text(st, col);
	(void)snprintf(dst, n, "%s", s);
}

/* grow: make room for one more element in *v (count *n, capacity *alloc). */
static void *grow(void *v, size_t n, size_t *alloc, size_t size)
{
	if (n < *alloc)
		return v;
	*alloc = *alloc ? *alloc * 2 : 16;
	return xreallocarray(v, *alloc, size);
}

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++) {
		size_t i = 0;
		while (i < n && p[i] && (p[i] | 0x20) == (needle[i] | 0x20))
			i++;
		if (i == n)
			return true;
	}
	return false;
}

int pf_ref_load(struct store *db, struct pf_ref *r, struct cadre_err *err)
{
	memset(r, 0, sizeof *r);
	struct store_stmt *st;
	size_t alloc = 0;
	int rc = store_prepare(db, &q_groups, &st, err);
	while (rc == CADRE_OK && (rc = store_step(st, err)) == CADRE_OK) {
		r->groups = grow(r->groups, r->ngroups, &alloc, sizeof *r->groups);
		struct pf_group *g = &r->groups[r->ngroups++];
		copy_col(g->code, sizeof g->code, st, 0);
		g->is_total = store_col_i64(st, 1) != 0;
	}
	if (rc != CADRE_DONE)
		goto fail;
	alloc = 0;
	rc = store_prepare(db, &q_esr, &st, err);
	while (rc == CADRE_OK && (rc = store_step(st, err)) == CADRE_OK) {
		r->esr = grow(r->esr, r->nesr, &alloc, sizeof *r->esr);
		copy_col(r->esr[r->nesr++], sizeof r->esr[0], st, 0);
	}
	if (rc != CADRE_DONE)
		goto fail;
	alloc = 0;
	rc = store_prepare(db, &q_ethnic, &st, err);
	while (rc == CADRE_OK && (rc = store_step(st, err)) == CADRE_OK) {
		r->ethnic = grow(r->ethnic, r->nethnic, &alloc, sizeof *r->ethnic);
		copy_col(r->ethnic[r->nethnic++], sizeof r->ethnic[0], st, 0);
	}
	if (rc != CADRE_DONE)
		goto fail;
	alloc = 0;
	rc = store_prepare(db, &q_bands, &st, err);
	while (rc == CADRE_OK && (rc = store_step(st, err)) == CADRE_OK) {
		r->bands = grow(r->bands, r->nbands, &alloc, sizeof *r->bands);
		copy_col(r->bands[r->nbands++], sizeof r->bands[0], st, 0);
	}
	if (rc != CADRE_DONE)
		goto fail;
	alloc = 0;
	rc = store_prepare(db, &q_occ, &st, err);
	while (rc == CADRE_OK && (rc = store_step(st, err)) == CADRE_OK) {
		r->occ = grow(r->occ, r->nocc, &alloc, sizeof *r->occ);
		struct pf_occ *o = &r->occ[r->nocc++];
		memset(o, 0, sizeof *o);
		copy_col(o->code, sizeof o->code, st, 0);
		const char *rule = store_col_text(st, 1);
		o->rule = (char)(rule && rule[0] == 'p' ? 'p' : rule && rule[0] == 'n' ? 'n' : 'e');
		copy_col(o->group, sizeof o->group, st, 2);
		const char *status = store_col_is_null(st, 3) ? "" : store_col_text(st, 3);
		const char *notes = store_col_is_null(st, 4) ? "" : store_col_text(st, 4);
		o->closed = contains_ci(status, "closed") || contains_ci(status, "retired") ||
		            contains_ci(notes, "closed code");
	}
	if (rc != CADRE_DONE)
		goto fail;
	alloc = 0;
	rc = store_prepare(db, &q_med, &st, err);
	while (rc == CADRE_OK && (rc = store_step(st, err)) == CADRE_OK) {
		r->med = grow(r->med, r->nmed, &alloc, sizeof *r->med);
		struct pf_medgrade *m = &r->med[r->nmed++];
		copy_col(m->code, sizeof m->code, st, 0);
		copy_col(m->group, sizeof m->group, st, 1);
	}
	if (rc != CADRE_DONE)
		goto fail;
	alloc = 0;
	rc = store_prepare(db, &q_pay, &st, err);
	while (rc == CADRE_OK && (rc = store_step(st, err)) == CADRE_OK) {
		r->pay = grow(r->pay, r->npay, &alloc, sizeof *r->pay);
		struct pf_paypoint *p = &r->pay[r->npay++];
		const char *fy = store_col_text(st, 0);
		struct cadre_err e2;
		if (!fy || date_fy_parse(fy, strlen(fy), &p->fy, &e2) != CADRE_OK)
			p->fy = 0;
		copy_col(p->band, sizeof p->band, st, 1);
		p->point = (int)store_col_i64(st, 2);
		if (p->fy && (!r->pay_fy_min || p->fy < r->pay_fy_min))
			r->pay_fy_min = p->fy;
		if (p->fy > r->pay_fy_max)
			r->pay_fy_max = p->fy;
	}
	if (rc != CADRE_DONE)
		goto fail;
	alloc = 0;
	rc = store_prepare(db, &q_map, &st, err);
	while (rc == CADRE_OK && (rc = store_step(st, err)) == CADRE_OK) {
		r->map = grow(r->map, r->nmap, &alloc, sizeof *r->map);
		struct pf_esrmap *m = &r->map[r->nmap++];
		copy_col(m->esr, sizeof m->esr, st, 0);
		copy_col(m->profession, sizeof m->profession, st, 1);
		copy_col(m->pay, sizeof m->pay, st, 2);
		const char *role = store_col_text(st, 3);
		m->fallback = role && strcmp(role, "fallback") == 0;
		copy_col(m->group, sizeof m->group, st, 4);
	}
	if (rc != CADRE_DONE)
		goto fail;
	if (!r->ngroups) {
		pf_ref_free(r);
		return cadre_err_set(
		    err, CADRE_EINVAL,
		    "no staff groups in the reference data: run `cadre init` first");
	}
	return CADRE_OK;
fail:
	pf_ref_free(r);
	return rc;
}

void pf_ref_free(struct pf_ref *r)
{
	free(r->groups);
	free(r->esr);
	free(r->ethnic);
	free(r->bands);
	free(r->occ);
	free(r->med);
	free(r->pay);
	free(r->map);
	memset(r, 0, sizeof *r);
}

static bool eqn(const char *a, const char *s, size_t n)
{
	return strlen(a) == n && memcmp(a, s, n) == 0;
}

const struct pf_group *pf_group_find(const struct pf_ref *r, const char *code, size_t n)
{
	for (size_t i = 0; i < r->ngroups; i++)
		if (eqn(r->groups[i].code, code, n))
			return &r->groups[i];
	return NULL;
}

bool pf_esr_known(const struct pf_ref *r, const char *code, size_t n)
{
	for (size_t i = 0; i < r->nesr; i++)
		if (eqn(r->esr[i], code, n))
			return true;
	return false;
}

bool pf_ethnic_known(const struct pf_ref *r, const char *code, size_t n)
{
	for (size_t i = 0; i < r->nethnic; i++)
		if (eqn(r->ethnic[i], code, n))
			return true;
	return false;
}

const struct pf_medgrade *pf_medgrade_find(const struct pf_ref *r, const char *code)
{
	for (size_t i = 0; i < r->nmed; i++)
		if (strcmp(r->med[i].code, code) == 0)
			return &r->med[i];
	return NULL;
}

static bool band_known(const struct pf_ref *r, const char *band)
{
	for (size_t i = 0; i < r->nbands; i++)
		if (strcmp(r->bands[i], band) == 0)
			return true;
	return false;
}

/* pay_fy: the financial year whose pay table applies to fy: fy itself when
 * it has one, else the nearest year that has. */
static int pay_fy(const struct pf_ref *r, int fy)
{
	if (!r->pay_fy_max)
		return fy;
	int best = 0;
	for (size_t i = 0; i < r->npay; i++) {
		int y = r->pay[i].fy;
		if (y == fy)
			return fy;
		if (!best || abs(y - fy) < abs(best - fy) ||
		    (abs(y - fy) == abs(best - fy) && y < best))
			best = y;
	}
	return best;
}

bool pf_grade_check(const struct pf_ref *r, const struct pf_grade *g, const char *text, bool ledger,
                    int32_t days, char *why, size_t whyn)
{
	if (g->pay == PF_PAY_VSM)
		return true;
	if (g->pay == PF_PAY_MED) {
		if (pf_medgrade_find(r, g->band))
			return true;
		char list[256] = "";
		size_t o = 0;
		for (size_t i = 0; i < r->nmed && o + 12 < sizeof list; i++)
			o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "",
			                      r->med[i].code);
		(void)snprintf(why, whyn,
		               "grade '%s': %s is not a medical grade of the reference data (%s)",
		               text, g->band, list);
		return false;
	}
	if (!band_known(r, g->band)) {
		(void)snprintf(why, whyn, "grade '%s': band %s is not in data/pay/afc-bands.csv",
		               text, g->band);
		return false;
	}
	char band_level[PF_GRADE_MAX];
	pf_grade_band(g, band_level);
	if (ledger) {
		if (g->point) {
			(void)snprintf(
			    why, whyn,
			    "grade '%s': this file budgets by band: write %s without the "
			    "pay point",
			    text, band_level);
			return false;
		}
		return true;
	}
	if (!g->point) {
		(void)snprintf(why, whyn,
		               "grade '%s': an Agenda for Change grade needs its pay point (%s-1, "
		               "%s-2, ...)",
		               text, band_level, band_level);
		return false;
	}
	int fy = pay_fy(r, pf_date_fy(days));
	int lo = 0, hi = 0, count = 0;
	bool found = false;
	for (size_t i = 0; i < r->npay; i++) {
		const struct pf_paypoint *p = &r->pay[i];
		if (p->fy != fy || strcmp(p->band, g->band) != 0)
			continue;
		if (p->point == g->point)
			found = true;
		if (!count || p->point < lo)
			lo = p->point;
		if (p->point > hi)
			hi = p->point;
		count++;
	}
	if (found)
		return true;
	char fys[DATE_FY_SIZE];
	date_fy_format(fy, fys);
	if (!count)
		(void)snprintf(why, whyn, "grade '%s': band %s has no pay points in %s", text,
		               g->band, fys);
	else if (lo == hi)
		(void)snprintf(why, whyn, "grade '%s': band %s has pay point %d only in %s", text,
		               g->band, lo, fys);
	else
		(void)snprintf(why, whyn, "grade '%s': band %s has pay points %d-%d in %s", text,
		               g->band, lo, hi, fys);
	return false;
}

bool pf_group_for_ledger(const struct pf_ref *r, const char *group, size_t n,
                         const struct pf_grade *g, char *why, size_t whyn)
{
	char shown[PF_SHOW_MAX * 2];
	pf_show(group, n, shown, sizeof shown);
	const struct pf_group *sg = pf_group_find(r, group, n);
	if (!sg || sg->is_total || eqn("UNKNOWN", group, n)) {
		(void)snprintf(
		    why, whyn,
		    "staff_group '%s': not a staff-group code of the format (a component "
		    "of data/workforce/staff-groups.csv: NURSE_HV, DOC_CONS, ...; not a "
		    "total or UNKNOWN)",
		    shown);
		return false;
	}
	char gb[PF_GRADE_MAX];
	pf_grade_band(g, gb);
	if (g->pay == PF_PAY_MED) {
		const struct pf_medgrade *m = pf_medgrade_find(r, g->band);
		if (m && !m->group[0]) {
			(void)snprintf(
			    why, whyn,
			    "grade '%s': the reference data gives medical grade %s no NHS "
			    "Digital staff group yet (data/workforce/medical-grades.csv), "
			    "so it cannot be budgeted by staff group",
			    gb, g->band);
			return false;
		}
		if (m && strcmp(m->group, sg->code) != 0) {
			(void)snprintf(
			    why, whyn,
			    "staff_group '%s' does not go with grade '%s', whose staff group "
			    "is %s",
			    shown, gb, m->group);
			return false;
		}
		return true;
	}
	if (n > 4 && memcmp(group, "DOC_", 4) == 0) {
		(void)snprintf(why, whyn,
		               "staff_group '%s' is a doctors' group, but grade '%s' is not a "
		               "medical grade",
		               shown, gb);
		return false;
	}
	return true;
}

const struct pf_occ *pf_occ_match(const struct pf_ref *r, const char *code)
{
	const struct pf_occ *best = NULL;
	size_t best_len = 0;
	bool numeric = digit((unsigned char)code[0]) && digit((unsigned char)code[1]) &&
	               digit((unsigned char)code[2]);
	const struct pf_occ *num = NULL;
	for (size_t i = 0; i < r->nocc; i++) {
		const struct pf_occ *o = &r->occ[i];
		size_t len = strlen(o->code);
		if (o->rule == 'e' && strcmp(o->code, code) == 0)
			return o;
		if (o->rule == 'p' && len > best_len && strncmp(o->code, code, len) == 0) {
			best = o;
			best_len = len;
		}
		if (o->rule == 'n' && numeric)
			num = o;
	}
	return best ? best : num;
}

bool pf_occ_form_ok(const char *s, size_t n)
{
	if (n != 3)
		return false;
	unsigned char a = (unsigned char)s[0], b = (unsigned char)s[1], c = (unsigned char)s[2];
	bool up_or_digit_b = (b >= 'A' && b <= 'Z') || digit(b);
	bool up_or_digit_c = (c >= 'A' && c <= 'Z') || digit(c);
	if (digit(a))
		return digit(b) && digit(c);
	return a >= 'A' && a <= 'Z' && up_or_digit_b && up_or_digit_c;
}

bool pf_occ_enumerated(const struct pf_ref *r, const char *code)
{
	bool exact = false;
	for (size_t i = 0; i < r->nocc; i++) {
		const struct pf_occ *o = &r->occ[i];
		if (o->code[0] != code[0])
			continue;
		if (o->rule == 'p')
			return false;
		if (o->rule == 'e')
			exact = true;
	}
	return exact && !digit((unsigned char)code[0]);
}

const char *pf_basis_name(enum pf_basis b)
{
	switch (b) {
	case PF_BASIS_GRADE: return "grade";
	case PF_BASIS_OCCUPATION: return "occupation";
	case PF_BASIS_FALLBACK: return "fallback";
	}
	return "fallback";
}

static const char *pay_name(enum pf_pay p)
{
	return p == PF_PAY_MED ? "MED" : p == PF_PAY_VSM ? "VSM" : "AFC";
}

void pf_derive_group(const struct pf_ref *r, const char *occ, const char *esr,
                     const struct pf_grade *g, const char *profession, struct pf_derived *out)
{
	memset(out, 0, sizeof *out);
	const char *found = NULL;
	if (g->pay == PF_PAY_MED) {
		const struct pf_medgrade *m = pf_medgrade_find(r, g->band);
		if (m && m->group[0]) {
			found = m->group;
			out->basis = PF_BASIS_GRADE;
		}
	}
	if (!found) {
		const struct pf_occ *o = pf_occ_match(r, occ);
		if (o && o->group[0]) {
			const struct pf_group *sg = pf_group_find(r, o->group, strlen(o->group));
			if (sg && !sg->is_total) {
				found = sg->code;
				out->basis = PF_BASIS_OCCUPATION;
			}
		}
	}
	if (found) {
		(void)snprintf(out->group, sizeof out->group, "%s", found);
		bool ok = false;
		for (size_t i = 0; i < r->nmap && !ok; i++) {
			const struct pf_esrmap *m = &r->map[i];
			ok = !m->fallback && strcmp(m->esr, esr) == 0 &&
			     strcmp(m->group, found) == 0;
		}
		out->conflict = !ok;
		return;
	}
	const char *pay = pay_name(g->pay);
	const struct pf_esrmap *best = NULL;
	int best_score = -1;
	for (size_t i = 0; i < r->nmap; i++) {
		const struct pf_esrmap *m = &r->map[i];
		if (!m->fallback || strcmp(m->esr, esr) != 0)
			continue;
		bool prof_any = strcmp(m->profession, "*") == 0;
		bool pay_any = strcmp(m->pay, "*") == 0;
		if (!prof_any && (!profession || strcmp(m->profession, profession) != 0))
			continue;
		if (!pay_any && strcmp(m->pay, pay) != 0)
			continue;
		int score = (prof_any ? 0 : 2) + (pay_any ? 0 : 1);
		if (score > best_score) {
			best = m;
			best_score = score;
		}
	}
	(void)snprintf(out->group, sizeof out->group, "%s", best ? best->group : "UNKNOWN");
	out->basis = PF_BASIS_FALLBACK;
}

/* ---- hash index ------------------------------------------------------------------ */

uint64_t pf_hash(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

void pf_index_init(struct pf_index *ix, size_t expect)
{
	size_t cap = expect + expect / 3 + 64;
	ix->slot = xcalloc(cap, sizeof *ix->slot);
	ix->cap = cap;
	ix->n = 0;
}

void pf_index_free(struct pf_index *ix)
{
	free(ix->slot);
	memset(ix, 0, sizeof *ix);
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

/* slot_of: the home slot of 32 stored bits in cap slots (a multiply, not
 * a power-of-two mask, so the capacity can be sized to the rows). */
static size_t slot_of(uint32_t m, size_t cap)
{
	return (size_t)(((uint64_t)m * (uint64_t)cap) >> 32);
}

/* The slot of a row is taken from the same 32 bits that are stored, so the
 * index can grow without the rows' full hashes. */
struct pf_probe pf_index_probe(const struct pf_index *ix, uint64_t h)
{
	uint32_t m = (uint32_t)(mix(h) >> 32);
	struct pf_probe p = {slot_of(m, ix->cap), m};
	return p;
}

uint32_t pf_index_next(const struct pf_index *ix, struct pf_probe *p)
{
	const struct pf_slot *sl = ix->slot;
	while (sl[p->i].row) {
		size_t i = p->i;
		if (++p->i == ix->cap)
			p->i = 0;
		if (sl[i].hash == p->h)
			return sl[i].row - 1;
	}
	return UINT32_MAX;
}

static void put_raw(struct pf_index *ix, uint32_t m, uint32_t row)
{
	size_t i = slot_of(m, ix->cap);
	while (ix->slot[i].row)
		if (++i == ix->cap)
			i = 0;
	ix->slot[i].hash = m;
	ix->slot[i].row = row + 1;
}

void pf_index_put(struct pf_index *ix, uint64_t h, uint32_t row)
{
	if ((ix->n + 1) * 4 > ix->cap * 3) {
		struct pf_slot *os = ix->slot;
		size_t ocap = ix->cap;
		ix->cap = ocap * 2;
		ix->slot = xcalloc(ix->cap, sizeof *ix->slot);
		for (size_t i = 0; i < ocap; i++)
			if (os[i].row)
				put_raw(ix, os[i].hash, os[i].row - 1);
		free(os);
	}
	put_raw(ix, (uint32_t)(mix(h) >> 32), row);
	ix->n++;
}

/* ---- files ------------------------------------------------------------------------ */

/* The parser reads the file through f; a thread reads it again through its
 * own descriptor and hashes it, so the SHA-256 costs no time on the
 * parser's path.  The file's identity, size and modification time are
 * compared before and after: a file that changed while it was read is
 * refused, so the hash is the hash of the bytes parsed. */
struct hashing {
	int fd;
	crypto_hash_sha256_state st;
	uint64_t bytes;
	int error; /* errno of a failed read, 0 */
	atomic_int stop;
	pthread_t thread;
	bool started;
	struct stat before;
};

static void *hashing_main(void *arg)
{
	struct hashing *h = arg;
	enum { CHUNK = 1 << 20 };
	unsigned char *buf = xmalloc(CHUNK);
	for (;;) {
		if (atomic_load(&h->stop))
			break;
		ssize_t n = read(h->fd, buf, CHUNK);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			h->error = errno;
			break;
		}
		if (n == 0)
			break;
		crypto_hash_sha256_update(&h->st, buf, (unsigned long long)n);
		h->bytes += (uint64_t)n;
	}
	free(buf);
	return NULL;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static void hashing_stop(struct hashing *h)
{
	if (h->started) {
		atomic_store(&h->stop, 1);
		(void)pthread_join(h->thread, NULL);
		h->started = false;
	}
	if (h->fd >= 0)
		(void)close(h->fd);
	h->fd = -1;
}

int pf_file_open(const char *path, struct pf_file *pf, struct cadre_err *err)
{
	memset(pf, 0, sizeof *pf);
	FILE *f = fopen(path, "rb");
	if (!f)
		return cadre_err_set(err, errno == ENOENT ? CADRE_ENOTFOUND : CADRE_EINVAL,
		                     "%s: cannot open: %s", path, strerror(errno));
	struct hashing *h = xcalloc(1, sizeof *h);
	h->fd = -1;
	if (fstat(fileno(f), &h->before) != 0 || !S_ISREG(h->before.st_mode)) {
		(void)fclose(f);
		free(h);
		return cadre_err_set(err, CADRE_EINVAL, "%s: not a regular file", path);
	}
	struct stat sb;
	h->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (h->fd < 0 || fstat(h->fd, &sb) != 0 || !same_file(&sb, &h->before)) {
		if (h->fd >= 0)
			(void)close(h->fd);
		(void)fclose(f);
		free(h);
		return cadre_err_set(err, CADRE_EINVAL, "%s: cannot read it twice", path);
	}
	crypto_hash_sha256_init(&h->st);
	atomic_init(&h->stop, 0);
	if (pthread_create(&h->thread, NULL, hashing_main, h) != 0) {
		(void)close(h->fd);
		(void)fclose(f);
		free(h);
		return cadre_err_set(err, CADRE_EINTERNAL, "%s: cannot start the hash", path);
	}
	h->started = true;
	pf->f = f;
	pf->priv = h;
	return CADRE_OK;
}

int pf_file_finish(struct pf_file *pf, struct cadre_err *err)
{
	struct hashing *h = pf->priv;
	if (h->started) {
		(void)pthread_join(h->thread, NULL);
		h->started = false;
	}
	struct stat after;
	if (h->error || fstat(fileno(pf->f), &after) != 0)
		return cadre_err_set(err, CADRE_EINTERNAL, "read failed: %s",
		                     strerror(h->error ? h->error : errno));
	if (!same_file(&h->before, &after) || h->bytes != (uint64_t)after.st_size)
		return cadre_err_set(
		    err, CADRE_EINVAL,
		    "the file changed while it was being read: nothing was written");
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&h->st, d);
	(void)sodium_bin2hex(pf->sha256, sizeof pf->sha256, d, sizeof d);
	pf->bytes = h->bytes;
	return CADRE_OK;
}

void pf_file_close(struct pf_file *pf)
{
	struct hashing *h = pf->priv;
	if (h) {
		hashing_stop(h);
		free(h);
	}
	if (pf->f)
		(void)fclose(pf->f);
	pf->f = NULL;
	pf->priv = NULL;
}

/* ---- import records ---------------------------------------------------------------- */

static const struct store_sql q_next_person = {"pf_next_person",
                                               "SELECT COALESCE(MAX(id), 0) + 1 FROM person", NULL};
static const struct store_sql q_next_staff = {"pf_next_staff",
                                              "SELECT COALESCE(MAX(id), 0) + 1 FROM staff", NULL};
static const struct store_sql q_next_assignment = {
    "pf_next_assignment", "SELECT COALESCE(MAX(id), 0) + 1 FROM assignment", NULL};
static const struct store_sql q_next_cc = {
    "pf_next_cost_centre", "SELECT COALESCE(MAX(id), 0) + 1 FROM cost_centre", NULL};
static const struct store_sql q_next_import = {
    "pf_next_import", "SELECT COALESCE(MAX(id), 0) + 1 FROM people_import", NULL};

static const struct store_sql q_import_insert = {
    .name = "pf_import_insert",
    .sql = "INSERT INTO people_import (id, kind, file_name, sha256, rows_read, rows_changed, "
           "imported_us, actor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
};

static const struct store_sql q_generation_bump = {
    .name = "pf_generation_bump",
    .sql = "UPDATE people_state SET generation = generation + 1 WHERE id = 1",
};

static const struct store_sql q_generation = {
    .name = "pf_generation",
    .sql = "SELECT generation FROM people_state WHERE id = 1",
};

static const struct store_sql q_import_seq = {
    .name = "pf_import_seq",
    .sql = "UPDATE people_import SET audit_seq = $1 WHERE id = $2",
};

int pf_next_id(struct store *db, enum pf_table t, int64_t *id, struct cadre_err *err)
{
	static const struct store_sql *const q[] = {&q_next_person, &q_next_staff,
	                                            &q_next_assignment, &q_next_cc, &q_next_import};
	struct store_stmt *st;
	int rc = store_prepare(db, q[t], &st, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE ? cadre_err_set(err, CADRE_EINTERNAL, "no next id") : rc;
	*id = store_col_i64(st, 0);
	store_reset(st);
	return CADRE_OK;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int pf_import_record(const struct actor *actor, struct store *db, int64_t id, const char *kind,
                     const char *path, const char *sha256, int64_t rows_read, int64_t rows_changed,
                     int64_t now_us, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_import_insert, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, id);
	store_bind_str(st, 2, kind);
	store_bind_str(st, 3, base_name(path));
	store_bind_str(st, 4, sha256);
	store_bind_i64(st, 5, rows_read);
	store_bind_i64(st, 6, rows_changed);
	store_bind_i64(st, 7, now_us);
	store_bind_str(st, 8, actor_label(actor));
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	if ((rc = store_prepare(db, &q_generation_bump, &st, err)) != CADRE_OK)
		return rc;
	return store_exec(st, err);
}

int pf_generation(struct store *db, int64_t *gen, struct cadre_err *err)
{
	struct store_stmt *st;
	int rc = store_prepare(db, &q_generation, &st, err);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = store_step(st, err)) != CADRE_OK)
		return rc == CADRE_DONE ? cadre_err_set(err, CADRE_EINTERNAL, "no people_state row")
		                        : rc;
	*gen = store_col_i64(st, 0);
	store_reset(st);
	return CADRE_OK;
}

int pf_import_audit(const struct actor *actor, struct store *db, const unsigned char *key,
                    const char *kind, const char *path, const char *sha256, int64_t rows,
                    const json_t *extra, int64_t import_id, int64_t now_us, int64_t *seq,
                    struct cadre_err *err)
{
	json_t *payload = json_pack("{s:s, s:s, s:s, s:I}", "kind", kind, "file", base_name(path),
	                            "sha256", sha256, "rows", (json_int_t)rows);
	if (extra)
		(void)json_object_update(payload, (json_t *)extra);
	char action[AUDIT_ACTION_MAX];
	char object[AUDIT_OBJECT_MAX];
	(void)snprintf(action, sizeof action, "import.%s", kind);
	(void)snprintf(object, sizeof object, "%s:%s", kind, base_name(path));
	struct audit_change ch = {
	    .at_us = now_us, .action = action, .object = object, .payload = payload};
	int rc = audit_append(actor, db, key, &ch, seq, err);
	json_decref(payload);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st;
	if ((rc = store_prepare(db, &q_import_seq, &st, err)) != CADRE_OK)
		return rc;
	store_bind_i64(st, 1, *seq);
	store_bind_i64(st, 2, import_id);
	return store_exec(st, err);
}
