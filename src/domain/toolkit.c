/* toolkit: parsing, validating, storing and reading toolkit versions. */
#include "domain/toolkit.h"

#include <dirent.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/num.h"
#include "domain/assess.h"
#include "domain/audit.h"
#include "domain/import.h"
#include "domain/refdata.h"
#include "store/store.h"

/* ---- known frameworks ----------------------------------------------------------- */

#define FW_FACTORS 8

/* a framework whose factors and scale are fixed by its publication */
struct framework {
	const char *id;
	const char *factors[FW_FACTORS];
	const char *labels[TOOLKIT_SCALE_MAX];
};

static const struct framework frameworks[] = {
    {"nhsi-five-factor",
     {"leadership", "technology", "information-method-governance", "engagement-integration",
      "strategy"},
     {"not started", "emerging", "developing", "established", "leading"}},
    {"commissioning-competencies",
     {"understanding-need", "placements-capacity", "education-providers", "assuring-quality",
      "evaluating-outcomes"},
     {"not started", "emerging", "developing", "established", "leading"}},
};

static const struct framework *framework_find(const char *id)
{
	for (size_t i = 0; i < sizeof frameworks / sizeof frameworks[0]; i++)
		if (strcmp(frameworks[i].id, id) == 0)
			return &frameworks[i];
	return NULL;
}

/* ---- levels --------------------------------------------------------------------- */

unsigned toolkit_level_bit(const char *kind)
{
	if (!kind)
		return 0;
	if (strcmp(kind, "trust") == 0)
		return TOOLKIT_LEVEL_TRUST;
	if (strcmp(kind, "icb") == 0)
		return TOOLKIT_LEVEL_ICB;
	if (strcmp(kind, "region") == 0)
		return TOOLKIT_LEVEL_REGION;
	return 0;
}

void toolkit_levels_text(unsigned levels, char *out, size_t n)
{
	static const char *const words[] = {"trust", "icb", "region"};
	size_t used = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < 3; i++) {
		if (!(levels & (1u << i)))
			continue;
		int w = snprintf(out + used, n - used, "%s%s", used ? "," : "", words[i]);
		if (w < 0 || (size_t)w >= n - used)
			return;
		used += (size_t)w;
	}
}

/* ---- parsing -------------------------------------------------------------------- */

struct pctx {
	const char *name;
	struct arena *a;
	struct cadre_err *err;
};

static int perr(struct pctx *p, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int perr(struct pctx *p, const char *path, const char *fmt, ...)
{
	char reason[CADRE_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	if (path && *path)
		return cadre_err_set(p->err, CADRE_EINVAL, "%s: %s: %s", p->name, path, reason);
	return cadre_err_set(p->err, CADRE_EINVAL, "%s: %s", p->name, reason);
}

/* only_members: refuse members outside allowed (NULL-terminated) */
static int only_members(struct pctx *p, const char *path, json_t *obj, const char *const *allowed)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
	{
		(void)v;
		bool ok = false;
		for (size_t i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], k) == 0)
				ok = true;
		if (!ok) {
			char list[256] = "";
			size_t used = 0;
			for (size_t i = 0; allowed[i] && used < sizeof list; i++) {
				int w = snprintf(list + used, sizeof list - used, "%s%s",
				                 i ? ", " : "", allowed[i]);
				if (w < 0)
					break;
				used += (size_t)w;
			}
			return perr(p, path, "unknown member '%s' (expected: %s)", k, list);
		}
	}
	return CADRE_OK;
}

static bool id_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= TOOLKIT_ID_MAX || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

static bool source_key_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* get_text: a required (or optional, giving "") string member */
static int get_text(struct pctx *p, json_t *obj, const char *path, const char *member,
                    bool required, const char **out)
{
	char where[256];
	(void)snprintf(where, sizeof where, "%s%s%s", path, *path ? "." : "", member);
	json_t *v = json_object_get(obj, member);
	if (!v) {
		if (required)
			return perr(p, path, "'%s' is missing", member);
		*out = "";
		return CADRE_OK;
	}
	if (!json_is_string(v))
		return perr(p, where, "must be text");
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (strlen(s) != n)
		return perr(p, where, "holds a NUL character");
	if (n > TOOLKIT_TEXT_MAX)
		return perr(p, where, "longer than %d bytes", TOOLKIT_TEXT_MAX);
	if (required && blank(s))
		return perr(p, where, "is empty");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\n') || c == 0x7f)
			return perr(p, where, "holds a control character");
	}
	*out = arena_strndup(p->a, s, n);
	return CADRE_OK;
}

static int get_id(struct pctx *p, json_t *obj, const char *path, const char **out)
{
	int rc = get_text(p, obj, path, "id", true, out);
	if (rc != CADRE_OK)
		return rc;
	if (!id_ok(*out)) {
		char where[256];
		(void)snprintf(where, sizeof where, "%s%sid", path, *path ? "." : "");
		return perr(
		    p, where,
		    "'%s' is not an id: 1 to %d characters of a-z, 0-9 and '-', not starting "
		    "with '-'",
		    *out, TOOLKIT_ID_MAX - 1);
	}
	return CADRE_OK;
}

static int parse_sources(struct pctx *p, json_t *root, struct toolkit *tk)
{
	json_t *src = json_object_get(root, "sources");
	if (!src)
		return perr(p, "",
		            "'sources' is missing: every toolkit says what its statements "
		            "draw on");
	if (!json_is_object(src) || json_object_size(src) == 0)
		return perr(p, "sources", "must be an object of KEY: citation, with one or more");
	tk->nsources = json_object_size(src);
	tk->sources = arena_alloc(p->a, tk->nsources * sizeof *tk->sources);
	size_t i = 0;
	const char *k;
	json_t *v;
	json_object_foreach(src, k, v)
	{
		char where[128];
		(void)snprintf(where, sizeof where, "sources.%s", k);
		if (!source_key_ok(k))
			return perr(p, where,
			            "a source key is 1 to 16 characters of A-Z, 0-9, '-'");
		if (!json_is_string(v) || blank(json_string_value(v)))
			return perr(p, where, "must be the citation, as text");
		tk->sources[i].key = arena_strdup(p->a, k);
		tk->sources[i].citation = arena_strdup(p->a, json_string_value(v));
		i++;
	}
	return CADRE_OK;
}

static int parse_scale(struct pctx *p, json_t *root, struct toolkit *tk)
{
	static const char *const members[] = {"value", "label", "description", NULL};
	json_t *sc = json_object_get(root, "scale");
	if (!sc)
		return perr(p, "", "'scale' is missing");
	if (!json_is_array(sc))
		return perr(p, "scale", "must be an array of scale points");
	size_t n = json_array_size(sc);
	if (n < 2 || n > TOOLKIT_SCALE_MAX)
		return perr(p, "scale", "has %zu points: a scale has 2 to %d", n,
		            TOOLKIT_SCALE_MAX);
	tk->nscale = n;
	tk->scale = arena_alloc(p->a, n * sizeof *tk->scale);
	for (size_t i = 0; i < n; i++) {
		char path[64];
		(void)snprintf(path, sizeof path, "scale[%zu]", i);
		json_t *pt = json_array_get(sc, i);
		if (!json_is_object(pt))
			return perr(p, path, "must be an object {value, label, description}");
		int rc = only_members(p, path, pt, members);
		if (rc != CADRE_OK)
			return rc;
		json_t *v = json_object_get(pt, "value");
		char where[80];
		(void)snprintf(where, sizeof where, "%s.value", path);
		if (!v || !json_is_integer(v))
			return perr(p, v ? where : path, "%s",
			            v ? "must be a whole number" : "'value' is missing");
		if (json_integer_value(v) != (json_int_t)i + 1)
			return perr(p, where,
			            "expected %zu, found %" JSON_INTEGER_FORMAT
			            ": scale values run 1, 2, 3 ... in order without gaps",
			            i + 1, json_integer_value(v));
		tk->scale[i].value = (int)(i + 1);
		if ((rc = get_text(p, pt, path, "label", true, &tk->scale[i].label)) != CADRE_OK)
			return rc;
		if ((rc = get_text(p, pt, path, "description", false, &tk->scale[i].description)) !=
		    CADRE_OK)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(tk->scale[j].label, tk->scale[i].label) == 0) {
				(void)snprintf(where, sizeof where, "%s.label", path);
				return perr(p, where, "label '%s' is used twice (also scale[%zu])",
				            tk->scale[i].label, j);
			}
	}
	return CADRE_OK;
}

static int parse_levels(struct pctx *p, json_t *root, struct toolkit *tk)
{
	json_t *lv = json_object_get(root, "levels");
	if (!lv)
		return perr(p, "",
		            "'levels' is missing: say which organisations the toolkit is for "
		            "(trust, icb, region)");
	if (!json_is_array(lv) || json_array_size(lv) == 0)
		return perr(p, "levels", "must be an array of one or more of trust, icb, region");
	for (size_t i = 0; i < json_array_size(lv); i++) {
		char path[32];
		(void)snprintf(path, sizeof path, "levels[%zu]", i);
		json_t *v = json_array_get(lv, i);
		unsigned bit = json_is_string(v) ? toolkit_level_bit(json_string_value(v)) : 0;
		if (!bit)
			return perr(p, path, "unknown level '%s': use trust, icb or region",
			            json_is_string(v) ? json_string_value(v) : "(not text)");
		if (tk->levels & bit)
			return perr(p, path, "level '%s' is listed twice", json_string_value(v));
		tk->levels |= bit;
	}
	return CADRE_OK;
}

static const struct toolkit_source *source_find(const struct toolkit *tk, const char *key)
{
	for (size_t i = 0; i < tk->nsources; i++)
		if (strcmp(tk->sources[i].key, key) == 0)
			return &tk->sources[i];
	return NULL;
}

/* string_list: an array of strings, each checked by check (NULL: any) */
static int string_list(struct pctx *p, json_t *arr, const char *path, bool required,
                       const char *const **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!arr) {
		if (required)
			return perr(p, path, "is missing");
		return CADRE_OK;
	}
	if (!json_is_array(arr))
		return perr(p, path, "must be an array of text");
	size_t k = json_array_size(arr);
	if (required && k == 0)
		return perr(p, path, "must name at least one");
	const char **v = arena_alloc(p->a, (k ? k : 1) * sizeof *v);
	for (size_t i = 0; i < k; i++) {
		json_t *e = json_array_get(arr, i);
		if (!json_is_string(e)) {
			char where[160];
			(void)snprintf(where, sizeof where, "%s[%zu]", path, i);
			return perr(p, where, "must be text");
		}
		v[i] = arena_strdup(p->a, json_string_value(e));
		for (size_t j = 0; j < i; j++)
			if (strcmp(v[j], v[i]) == 0) {
				char where[160];
				(void)snprintf(where, sizeof where, "%s[%zu]", path, i);
				return perr(p, where, "'%s' is listed twice", v[i]);
			}
	}
	*out = v;
	*n = k;
	return CADRE_OK;
}

static int parse_statement(struct pctx *p, json_t *js, const char *path, struct toolkit *tk,
                           size_t factor, struct toolkit_statement *st)
{
	static const char *const members[] = {"id",       "text",          "sources", "levels",
	                                      "evidence", "evidence_hint", NULL};
	if (!json_is_object(js))
		return perr(p, path, "must be an object");
	int rc = only_members(p, path, js, members);
	if (rc == CADRE_OK)
		rc = get_id(p, js, path, &st->id);
	if (rc == CADRE_OK)
		rc = get_text(p, js, path, "text", true, &st->text);
	if (rc == CADRE_OK)
		rc = get_text(p, js, path, "evidence_hint", false, &st->evidence_hint);
	if (rc != CADRE_OK)
		return rc;
	st->factor = factor;
	char where[200];
	(void)snprintf(where, sizeof where, "%s.sources", path);
	if ((rc = string_list(p, json_object_get(js, "sources"), where, true, &st->sources,
	                      &st->nsources)) != CADRE_OK)
		return rc;
	for (size_t i = 0; i < st->nsources; i++)
		if (!source_find(tk, st->sources[i])) {
			(void)snprintf(where, sizeof where, "%s.sources[%zu]", path, i);
			return perr(p, where, "source '%s' is not declared in 'sources'",
			            st->sources[i]);
		}
	(void)snprintf(where, sizeof where, "%s.evidence", path);
	if ((rc = string_list(p, json_object_get(js, "evidence"), where, false, &st->evidence,
	                      &st->nevidence)) != CADRE_OK)
		return rc;
	for (size_t i = 0; i < st->nevidence; i++)
		if (!assess_evidence_find(st->evidence[i])) {
			(void)snprintf(where, sizeof where, "%s.evidence[%zu]", path, i);
			return perr(p, where,
			            "unknown evidence key '%s' (docs/toolkits.md lists the keys)",
			            st->evidence[i]);
		}
	/* a descriptor for every level of the scale, and no other */
	(void)snprintf(where, sizeof where, "%s.levels", path);
	json_t *lv = json_object_get(js, "levels");
	if (!lv)
		return perr(p, path, "'levels' is missing: describe each level of the scale");
	if (!json_is_object(lv))
		return perr(p, where, "must be an object {\"1\": descriptor, ...}");
	const char **d = arena_alloc(p->a, tk->nscale * sizeof *d);
	const char *k;
	json_t *v;
	json_object_foreach(lv, k, v)
	{
		char w2[220];
		(void)snprintf(w2, sizeof w2, "%s.%s", where, k);
		int64_t lvl = 0;
		struct cadre_err e2;
		if (num_parse_i64_range(k, strlen(k), 1, (int64_t)tk->nscale, &lvl, &e2) !=
		    CADRE_OK)
			return perr(p, w2, "'%s' is not a level of the scale 1 to %zu", k,
			            tk->nscale);
		if (d[lvl - 1])
			return perr(p, w2, "level %" PRId64 " is described twice", lvl);
		if (!json_is_string(v) || blank(json_string_value(v)))
			return perr(p, w2, "must be a descriptor, as text");
		if (strlen(json_string_value(v)) > TOOLKIT_TEXT_MAX)
			return perr(p, w2, "longer than %d bytes", TOOLKIT_TEXT_MAX);
		d[lvl - 1] = arena_strdup(p->a, json_string_value(v));
	}
	for (size_t i = 0; i < tk->nscale; i++)
		if (!d[i])
			return perr(p, where, "no descriptor for level %zu (%s)", i + 1,
			            tk->scale[i].label);
	st->descriptors = d;
	return CADRE_OK;
}

static int parse_factors(struct pctx *p, json_t *root, struct toolkit *tk)
{
	static const char *const members[] = {"id", "title", "description", "statements", NULL};
	json_t *fs = json_object_get(root, "factors");
	if (!fs)
		return perr(p, "", "'factors' is missing");
	if (!json_is_array(fs) || json_array_size(fs) == 0)
		return perr(p, "factors", "must be an array of one or more factors");
	size_t nf = json_array_size(fs);
	if (nf > TOOLKIT_FACTORS)
		return perr(p, "factors", "has %zu factors: at most %d", nf, TOOLKIT_FACTORS);
	size_t total = 0;
	for (size_t f = 0; f < nf; f++) {
		json_t *st = json_object_get(json_array_get(fs, f), "statements");
		if (json_is_array(st))
			total += json_array_size(st);
	}
	tk->nfactors = nf;
	tk->factors = arena_alloc(p->a, nf * sizeof *tk->factors);
	tk->statements = arena_alloc(p->a, (total ? total : 1) * sizeof *tk->statements);
	size_t ns = 0;
	for (size_t f = 0; f < nf; f++) {
		char path[64];
		(void)snprintf(path, sizeof path, "factors[%zu]", f);
		json_t *jf = json_array_get(fs, f);
		if (!json_is_object(jf))
			return perr(p, path, "must be an object");
		struct toolkit_factor *fa = &tk->factors[f];
		int rc = only_members(p, path, jf, members);
		if (rc == CADRE_OK)
			rc = get_id(p, jf, path, &fa->id);
		if (rc == CADRE_OK)
			rc = get_text(p, jf, path, "title", true, &fa->title);
		if (rc == CADRE_OK)
			rc = get_text(p, jf, path, "description", false, &fa->description);
		if (rc != CADRE_OK)
			return rc;
		for (size_t g = 0; g < f; g++)
			if (strcmp(tk->factors[g].id, fa->id) == 0) {
				char where[80];
				(void)snprintf(where, sizeof where, "%s.id", path);
				return perr(p, where,
				            "duplicate factor id '%s' (first at factors[%zu])",
				            fa->id, g);
			}
		json_t *sts = json_object_get(jf, "statements");
		char spath[80];
		(void)snprintf(spath, sizeof spath, "%s.statements", path);
		if (!sts)
			return perr(p, path, "'statements' is missing");
		if (!json_is_array(sts) || json_array_size(sts) == 0)
			return perr(p, spath, "must be an array of one or more statements");
		if (json_array_size(sts) > TOOLKIT_STATEMENTS)
			return perr(p, spath, "has %zu statements: at most %d per factor",
			            json_array_size(sts), TOOLKIT_STATEMENTS);
		fa->first = ns;
		for (size_t s = 0; s < json_array_size(sts); s++) {
			char stp[128];
			(void)snprintf(stp, sizeof stp, "%s[%zu]", spath, s);
			struct toolkit_statement *st = &tk->statements[ns];
			if ((rc = parse_statement(p, json_array_get(sts, s), stp, tk, f, st)) !=
			    CADRE_OK)
				return rc;
			for (size_t o = 0; o < ns; o++)
				if (strcmp(tk->statements[o].id, st->id) == 0) {
					const struct toolkit_statement *first = &tk->statements[o];
					char where[160];
					(void)snprintf(where, sizeof where, "%s.id", stp);
					return perr(p, where,
					            "duplicate statement id '%s' (first at "
					            "factors[%zu].statements[%zu])",
					            st->id, first->factor,
					            o - tk->factors[first->factor].first);
				}
			ns++;
		}
		fa->n = ns - fa->first;
	}
	tk->nstatements = ns;
	return CADRE_OK;
}

/* check_framework: a toolkit naming a known framework holds exactly its
 * factors and scale */
static int check_framework(struct pctx *p, struct toolkit *tk)
{
	if (!*tk->framework)
		return CADRE_OK;
	const struct framework *fw = framework_find(tk->framework);
	if (!fw) {
		char known[200] = "";
		size_t used = 0;
		for (size_t i = 0; i < sizeof frameworks / sizeof frameworks[0]; i++) {
			int w = snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
			                 frameworks[i].id);
			if (w < 0 || (size_t)w >= sizeof known - used)
				break;
			used += (size_t)w;
		}
		return perr(p, "framework",
		            "unknown framework '%s' (known: %s; leave 'framework' out for a "
		            "toolkit of your own)",
		            tk->framework, known);
	}
	char list[256] = "";
	size_t used = 0;
	for (size_t i = 0; i < FW_FACTORS && fw->factors[i]; i++) {
		int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
		                 fw->factors[i]);
		if (w < 0 || (size_t)w >= sizeof list - used)
			break;
		used += (size_t)w;
	}
	for (size_t i = 0; i < FW_FACTORS && fw->factors[i]; i++)
		if (!toolkit_factor_find(tk, fw->factors[i], NULL))
			return perr(p, "factors", "factor '%s' is missing: framework %s has %s",
			            fw->factors[i], fw->id, list);
	for (size_t f = 0; f < tk->nfactors; f++) {
		bool ok = false;
		for (size_t i = 0; i < FW_FACTORS && fw->factors[i]; i++)
			if (strcmp(fw->factors[i], tk->factors[f].id) == 0)
				ok = true;
		if (!ok) {
			char where[64];
			(void)snprintf(where, sizeof where, "factors[%zu].id", f);
			return perr(p, where, "'%s' is not a factor of framework %s (%s)",
			            tk->factors[f].id, fw->id, list);
		}
	}
	size_t nl = 0;
	while (nl < TOOLKIT_SCALE_MAX && fw->labels[nl])
		nl++;
	if (tk->nscale != nl)
		return perr(p, "scale", "framework %s has a %zu-point scale, not %zu", fw->id, nl,
		            tk->nscale);
	for (size_t i = 0; i < nl; i++)
		if (strcmp(tk->scale[i].label, fw->labels[i]) != 0) {
			char where[64];
			(void)snprintf(where, sizeof where, "scale[%zu].label", i);
			return perr(p, where, "framework %s calls level %zu '%s', not '%s'", fw->id,
			            i + 1, fw->labels[i], tk->scale[i].label);
		}
	return CADRE_OK;
}

int toolkit_parse(const char *name, const char *text, size_t len, struct toolkit *tk,
                  struct cadre_err *err)
{
	static const char *const members[] = {"format",      "id",        "version", "title",
	                                      "description", "framework", "levels",  "sources",
	                                      "scale",       "factors",   NULL};
	memset(tk, 0, sizeof *tk);
	arena_init(&tk->arena, 0);
	struct pctx p = {.name = name, .a = &tk->arena, .err = err};
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	int rc;
	if (!root) {
		rc = cadre_err_set(err, CADRE_EINVAL, "%s:%d:%d: %s", name, je.line, je.column,
		                   je.text);
		goto fail;
	}
	if (!json_is_object(root)) {
		rc = perr(&p, "", "a toolkit file is one JSON object");
		goto fail;
	}
	if ((rc = only_members(&p, "", root, members)) != CADRE_OK)
		goto fail;
	const char *format = "";
	if ((rc = get_text(&p, root, "", "format", true, &format)) != CADRE_OK)
		goto fail;
	if (strcmp(format, TOOLKIT_FORMAT) != 0) {
		rc = perr(&p, "format", "'%s' is not a format this Cadre reads (%s)", format,
		          TOOLKIT_FORMAT);
		goto fail;
	}
	if ((rc = get_id(&p, root, "", &tk->id)) != CADRE_OK)
		goto fail;
	json_t *ver = json_object_get(root, "version");
	if (!ver || !json_is_integer(ver) || json_integer_value(ver) < 1 ||
	    json_integer_value(ver) > 1000000) {
		rc = perr(&p, ver ? "version" : "",
		          ver ? "must be a whole number from 1" : "'version' is missing");
		goto fail;
	}
	tk->version = (int64_t)json_integer_value(ver);
	if ((rc = get_text(&p, root, "", "title", true, &tk->title)) != CADRE_OK ||
	    (rc = get_text(&p, root, "", "description", false, &tk->description)) != CADRE_OK ||
	    (rc = get_text(&p, root, "", "framework", false, &tk->framework)) != CADRE_OK ||
	    (rc = parse_levels(&p, root, tk)) != CADRE_OK ||
	    (rc = parse_sources(&p, root, tk)) != CADRE_OK ||
	    (rc = parse_scale(&p, root, tk)) != CADRE_OK ||
	    (rc = parse_factors(&p, root, tk)) != CADRE_OK ||
	    (rc = check_framework(&p, tk)) != CADRE_OK)
		goto fail;
	json_decref(root);
	return CADRE_OK;
fail:
	json_decref(root);
	toolkit_free(tk);
	return rc;
}

void toolkit_free(struct toolkit *tk)
{
	if (!tk)
		return;
	arena_free(&tk->arena);
	memset(tk, 0, sizeof *tk);
}

const struct toolkit_statement *toolkit_statement_find(const struct toolkit *tk, const char *id,
                                                       size_t *index)
{
	for (size_t i = 0; i < tk->nstatements; i++)
		if (strcmp(tk->statements[i].id, id) == 0) {
			if (index)
				*index = i;
			return &tk->statements[i];
		}
	return NULL;
}

const struct toolkit_factor *toolkit_factor_find(const struct toolkit *tk, const char *id,
                                                 size_t *index)
{
	for (size_t i = 0; i < tk->nfactors; i++)
		if (strcmp(tk->factors[i].id, id) == 0) {
			if (index)
				*index = i;
			return &tk->factors[i];
		}
	return NULL;
}

/* ---- storing ------------------------------------------------------------------- */

static const struct store_sql q_tk_get = {
    .name = "toolkit_get",
    .sql = "SELECT latest_version FROM toolkit WHERE id = $1",
};

static const struct store_sql q_tv_sha = {
    .name = "toolkit_version_sha",
    .sql = "SELECT sha256 FROM toolkit_version WHERE toolkit_id = $1 AND version = $2",
};

static const struct store_sql q_tk_put = {
    .name = "toolkit_put",
    .sql = "INSERT INTO toolkit (id, title, latest_version) VALUES ($1, $2, $3) "
           "ON CONFLICT (id) DO UPDATE SET title = excluded.title, "
           "latest_version = excluded.latest_version",
};

static const struct store_sql q_tv_insert = {
    .name = "toolkit_version_insert",
    .sql = "INSERT INTO toolkit_version (toolkit_id, version, title, levels, framework, "
           "file_name, sha256, body, loaded_us, actor) "
           "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
};

static const struct store_sql q_tv_stamp = {
    .name = "toolkit_version_stamp",
    .sql = "UPDATE toolkit_version SET audit_seq = $3 WHERE toolkit_id = $1 AND version = $2",
};

static const struct store_sql q_tf_insert = {
    .name = "toolkit_factor_insert",
    .sql = "INSERT INTO toolkit_factor (toolkit_id, version, factor_id, ord, title) "
           "VALUES ($1, $2, $3, $4, $5)",
};

static const struct store_sql q_ts_insert = {
    .name = "toolkit_statement_insert",
    .sql = "INSERT INTO toolkit_statement (toolkit_id, version, statement_id, factor_id, ord) "
           "VALUES ($1, $2, $3, $4, $5)",
};

static const struct store_sql q_prev_factors = {
    .name = "toolkit_prev_factors",
    .sql = "SELECT factor_id FROM toolkit_factor WHERE toolkit_id = $1 AND version = $2 "
           "ORDER BY ord",
};

static const struct store_sql q_stmt_factor = {
    .name = "toolkit_statement_factor",
    .sql = "SELECT factor_id, version FROM toolkit_statement "
           "WHERE toolkit_id = $1 AND statement_id = $2 ORDER BY version DESC LIMIT 1",
};

struct load_ctx {
	const struct actor *actor;
	const unsigned char *key;
	const struct toolkit *tk;
	const struct import_file *file;
	const char *name; /* the file's base name, for messages */
	int64_t now_us;
	struct toolkit_load_result *res;
};

/* check_versions: the rules against what is loaded already */
static int check_versions(struct store *db, struct load_ctx *c, int64_t latest,
                          struct cadre_err *err)
{
	const struct toolkit *tk = c->tk;
	struct store_stmt *st = NULL;
	int rc;
	if (tk->version < latest)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "%s: version %" PRId64
		                     " of %s is older than the latest loaded, %" PRId64
		                     ": give an edited toolkit a higher version",
		                     c->name, tk->version, tk->id, latest);
	/* every factor of the latest version is still there */
	if ((rc = store_prepare(db, &q_prev_factors, &st, err)) != CADRE_OK)
		return rc;
	store_bind_str(st, 1, tk->id);
	store_bind_i64(st, 2, latest);
	while ((rc = store_step(st, err)) == CADRE_OK) {
		const char *fid = store_col_text(st, 0);
		if (!toolkit_factor_find(tk, fid, NULL)) {
			rc = cadre_err_set(err, CADRE_EINVAL,
			                   "%s: factors: factor '%s' of version %" PRId64
			                   " is missing from version %" PRId64
			                   ": a new version keeps every factor",
			                   c->name, fid, latest, tk->version);
			store_reset(st);
			return rc;
		}
	}
	if (rc != CADRE_DONE)
		return rc;
	/* no statement moved between factors */
	for (size_t i = 0; i < tk->nstatements; i++) {
		const struct toolkit_statement *s = &tk->statements[i];
		if ((rc = store_prepare(db, &q_stmt_factor, &st, err)) != CADRE_OK)
			return rc;
		store_bind_str(st, 1, tk->id);
		store_bind_str(st, 2, s->id);
		rc = store_step(st, err);
		if (rc == CADRE_DONE)
			continue;
		if (rc != CADRE_OK)
			return rc;
		const char *was = store_col_text(st, 0);
		const char *now = tk->factors[s->factor].id;
		if (strcmp(was, now) != 0) {
			rc = cadre_err_set(
			    err, CADRE_EINVAL,
			    "%s: factors[%zu].statements[%zu]: statement '%s' is under factor '%s' "
			    "here but under '%s' in version %" PRId64
			    ": statement ids are stable, so a statement never moves between "
			    "factors "
			    "(give it a new id)",
			    c->name, s->factor, i - tk->factors[s->factor].first, s->id, now, was,
			    store_col_i64(st, 1));
			store_reset(st);
			return rc;
		}
		store_reset(st);
	}
	return CADRE_OK;
}

static int load_tx(struct store *db, void *arg, struct cadre_err *err)
{
	struct load_ctx *c = arg;
	const struct toolkit *tk = c->tk;
	struct store_stmt *st = NULL;
	int64_t latest = 0;
	int rc = store_prepare(db, &q_tk_get, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, tk->id);
	rc = store_step(st, err);
	if (rc == CADRE_OK) {
		latest = store_col_i64(st, 0);
		store_reset(st);
	} else if (rc != CADRE_DONE) {
		return rc;
	}
	/* the same version again */
	if ((rc = store_prepare(db, &q_tv_sha, &st, err)) != CADRE_OK)
		return rc;
	store_bind_str(st, 1, tk->id);
	store_bind_i64(st, 2, tk->version);
	rc = store_step(st, err);
	if (rc == CADRE_OK) {
		bool same = strcmp(store_col_text(st, 0), c->file->sha256) == 0;
		store_reset(st);
		if (!same)
			return cadre_err_set(
			    err, CADRE_ECONFLICT,
			    "%s: version %" PRId64 " of %s is already loaded from a "
			    "different file: give the edited toolkit version %" PRId64,
			    c->name, tk->version, tk->id, latest + 1);
		c->res->unchanged = true;
		return CADRE_OK;
	}
	if (rc != CADRE_DONE)
		return rc;
	if (latest && (rc = check_versions(db, c, latest, err)) != CADRE_OK)
		return rc;

	char levels[32];
	toolkit_levels_text(tk->levels, levels, sizeof levels);
	if ((rc = store_prepare(db, &q_tk_put, &st, err)) != CADRE_OK)
		return rc;
	store_bind_str(st, 1, tk->id);
	store_bind_str(st, 2, tk->title);
	store_bind_i64(st, 3, tk->version);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	if ((rc = store_prepare(db, &q_tv_insert, &st, err)) != CADRE_OK)
		return rc;
	store_bind_str(st, 1, tk->id);
	store_bind_i64(st, 2, tk->version);
	store_bind_str(st, 3, tk->title);
	store_bind_str(st, 4, levels);
	store_bind_str(st, 5, tk->framework);
	store_bind_str(st, 6, c->name);
	store_bind_str(st, 7, c->file->sha256);
	store_bind_text(st, 8, c->file->data, c->file->len);
	store_bind_i64(st, 9, c->now_us);
	store_bind_str(st, 10, actor_label(c->actor));
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	for (size_t f = 0; f < tk->nfactors; f++) {
		if ((rc = store_prepare(db, &q_tf_insert, &st, err)) != CADRE_OK)
			return rc;
		store_bind_str(st, 1, tk->id);
		store_bind_i64(st, 2, tk->version);
		store_bind_str(st, 3, tk->factors[f].id);
		store_bind_i64(st, 4, (int64_t)f + 1);
		store_bind_str(st, 5, tk->factors[f].title);
		if ((rc = store_exec(st, err)) != CADRE_OK)
			return rc;
	}
	for (size_t i = 0; i < tk->nstatements; i++) {
		if ((rc = store_prepare(db, &q_ts_insert, &st, err)) != CADRE_OK)
			return rc;
		store_bind_str(st, 1, tk->id);
		store_bind_i64(st, 2, tk->version);
		store_bind_str(st, 3, tk->statements[i].id);
		store_bind_str(st, 4, tk->factors[tk->statements[i].factor].id);
		store_bind_i64(st, 5, (int64_t)i + 1);
		if ((rc = store_exec(st, err)) != CADRE_OK)
			return rc;
	}
	char object[AUDIT_OBJECT_MAX];
	(void)snprintf(object, sizeof object, "toolkit:%s:v%" PRId64, tk->id, tk->version);
	json_t *payload = json_pack(
	    "{s:s, s:I, s:s, s:s, s:s, s:I, s:I}", "toolkit", tk->id, "version",
	    (json_int_t)tk->version, "file", c->name, "sha256", c->file->sha256, "levels", levels,
	    "factors", (json_int_t)tk->nfactors, "statements", (json_int_t)tk->nstatements);
	struct audit_change ch = {
	    .at_us = c->now_us, .action = "toolkit.load", .object = object, .payload = payload};
	int64_t seq = 0;
	rc = audit_append(c->actor, db, c->key, &ch, &seq, err);
	json_decref(payload);
	if (rc != CADRE_OK)
		return rc;
	if ((rc = store_prepare(db, &q_tv_stamp, &st, err)) != CADRE_OK)
		return rc;
	store_bind_str(st, 1, tk->id);
	store_bind_i64(st, 2, tk->version);
	store_bind_i64(st, 3, seq);
	if ((rc = store_exec(st, err)) != CADRE_OK)
		return rc;
	c->res->audit_seq = seq;
	return CADRE_OK;
}

static int may_load(const struct actor *actor, struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!actor_is_system(actor))
		return cadre_err_set(err, CADRE_EPERM,
		                     "loading toolkits is for the system operator until roles "
		                     "arrive");
	return CADRE_OK;
}

int toolkit_load_file(const struct actor *actor, struct store *db, const unsigned char *key,
                      const char *path, const struct clock *clk, struct toolkit_load_result *res,
                      struct cadre_err *err)
{
	struct toolkit_load_result local;
	if (!res)
		res = &local;
	memset(res, 0, sizeof *res);
	int rc = may_load(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!key)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "loading a toolkit is audited: the audit "
		                     "key is needed");
	struct import_file file = {0};
	struct toolkit tk;
	if ((rc = import_file_read(path, TOOLKIT_FILE_MAX, &file, err)) != CADRE_OK)
		return rc;
	const char *name = import_basename(path);
	if ((rc = toolkit_parse(name, file.data, file.len, &tk, err)) != CADRE_OK) {
		import_file_free(&file);
		return rc;
	}
	(void)snprintf(res->id, sizeof res->id, "%s", tk.id);
	res->version = tk.version;
	res->factors = tk.nfactors;
	res->statements = tk.nstatements;
	memcpy(res->sha256, file.sha256, sizeof res->sha256);
	struct load_ctx c = {.actor = actor,
	                     .key = key,
	                     .tk = &tk,
	                     .file = &file,
	                     .name = name,
	                     .now_us = clock_now(clk),
	                     .res = res};
	rc = store_tx_run(db, STORE_TX_WRITE, load_tx, &c, err);
	toolkit_free(&tk);
	import_file_free(&file);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int toolkit_load_dir(const struct actor *actor, struct store *db, const unsigned char *key,
                     const char *dir, const struct clock *clk, size_t *loaded, size_t *unchanged,
                     struct cadre_err *err)
{
	size_t nl = 0, nu = 0;
	DIR *d = opendir(dir);
	if (!d)
		return cadre_err_set(err, CADRE_ENOTFOUND, "%s: cannot open the toolkits folder",
		                     dir);
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0 && n < 1000) {
			names = xreallocarray(names, n + 1, sizeof *names);
			names[n++] = xstrdup(e->d_name);
		}
	}
	(void)closedir(d);
	if (n)
		qsort(names, n, sizeof *names, name_cmp);
	int rc = CADRE_OK;
	for (size_t i = 0; i < n && rc == CADRE_OK; i++) {
		size_t plen = strlen(dir) + strlen(names[i]) + 2;
		char *path = xmalloc(plen);
		(void)snprintf(path, plen, "%s/%s", dir, names[i]);
		struct toolkit_load_result r;
		rc = toolkit_load_file(actor, db, key, path, clk, &r, err);
		if (rc == CADRE_OK) {
			if (r.unchanged)
				nu++;
			else
				nl++;
		}
		free(path);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc == CADRE_OK && n == 0)
		rc = cadre_err_set(err, CADRE_ENOTFOUND, "%s: no toolkit (*.json) found", dir);
	if (loaded)
		*loaded = nl;
	if (unchanged)
		*unchanged = nu;
	return rc;
}

int toolkit_find_dir(char *out, size_t n, struct cadre_err *err)
{
	char data[REFDATA_PATH_MAX * 2];
	int rc = refdata_find_dir(data, sizeof data, err);
	if (rc != CADRE_OK)
		return rc;
	int w = snprintf(out, n, "%s/toolkits", data);
	if (w < 0 || (size_t)w >= n)
		return cadre_err_set(err, CADRE_EINVAL, "the toolkits folder's path is too long");
	return CADRE_OK;
}

/* ---- reading -------------------------------------------------------------------- */

static const struct store_sql q_tv_body = {
    .name = "toolkit_version_body",
    .sql = "SELECT v.body, v.version FROM toolkit_version v JOIN toolkit t ON t.id = "
           "v.toolkit_id WHERE v.toolkit_id = $1 AND (v.version = $2 OR "
           "($2 = 0 AND v.version = t.latest_version))",
};

static int get_tx(struct store *db, const char *id, int64_t version, struct toolkit *tk,
                  struct cadre_err *err)
{
	struct store_stmt *st = NULL;
	int rc = store_prepare(db, &q_tv_body, &st, err);
	if (rc != CADRE_OK)
		return rc;
	store_bind_str(st, 1, id);
	store_bind_i64(st, 2, version);
	rc = store_step(st, err);
	if (rc == CADRE_DONE) {
		if (version)
			return cadre_err_set(err, CADRE_ENOTFOUND,
			                     "toolkit %s version %" PRId64 " is not loaded", id,
			                     version);
		return cadre_err_set(err, CADRE_ENOTFOUND,
		                     "toolkit %s is not loaded (cadre toolkit load FILE)", id);
	}
	if (rc != CADRE_OK)
		return rc;
	char name[TOOLKIT_ID_MAX + 32];
	(void)snprintf(name, sizeof name, "toolkit %s v%" PRId64, id, store_col_i64(st, 1));
	rc = toolkit_parse(name, store_col_text(st, 0), store_col_len(st, 0), tk, err);
	store_reset(st);
	return rc;
}

struct get_ctx {
	const char *id;
	int64_t version;
	struct toolkit *tk;
};

static int get_tx_fn(struct store *db, void *arg, struct cadre_err *err)
{
	struct get_ctx *g = arg;
	return get_tx(db, g->id, g->version, g->tk, err);
}

int toolkit_get(const struct actor *actor, struct store *db, const char *id, int64_t version,
                struct toolkit *tk, struct cadre_err *err)
{
	memset(tk, 0, sizeof *tk);
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	if (!id || !id_ok(id))
		return cadre_err_set(err, CADRE_EINVAL, "'%s' is not a toolkit id", id ? id : "");
	struct get_ctx g = {.id = id, .version = version, .tk = tk};
	if (store_tx_depth(db) > 0)
		return get_tx(db, id, version, tk, err);
	return store_tx_run(db, STORE_TX_READ, get_tx_fn, &g, err);
}

static const struct store_sql q_latest_levels = {
    .name = "toolkit_latest_levels",
    .sql = "SELECT v.toolkit_id, v.levels FROM toolkit t JOIN toolkit_version v "
           "ON v.toolkit_id = t.id AND v.version = t.latest_version ORDER BY t.id",
};

/* levels_has: "icb,region" holds "icb" */
static bool levels_has(const char *levels, const char *kind)
{
	size_t k = strlen(kind);
	for (const char *p = levels; *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (n == k && strncmp(p, kind, k) == 0)
			return true;
		p += n + (comma ? 1 : 0);
	}
	return false;
}

int toolkit_for_level(const struct actor *actor, struct store *db, const char *kind, char *out,
                      struct cadre_err *err)
{
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st = NULL;
	if ((rc = store_prepare(db, &q_latest_levels, &st, err)) != CADRE_OK)
		return rc;
	size_t found = 0;
	char names[256] = "";
	size_t used = 0;
	out[0] = '\0';
	while ((rc = store_step(st, err)) == CADRE_OK) {
		if (!levels_has(store_col_text(st, 1), kind))
			continue;
		if (!found)
			(void)snprintf(out, TOOLKIT_ID_MAX, "%s", store_col_text(st, 0));
		int w = snprintf(names + used, sizeof names - used, "%s%s", found ? ", " : "",
		                 store_col_text(st, 0));
		if (w > 0 && (size_t)w < sizeof names - used)
			used += (size_t)w;
		found++;
	}
	if (rc != CADRE_DONE)
		return rc;
	if (found == 0)
		return cadre_err_set(err, CADRE_ENOTFOUND,
		                     "no loaded toolkit applies to a %s (cadre toolkit load)",
		                     kind);
	if (found > 1)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "%zu toolkits apply to a %s (%s): choose one with --toolkit",
		                     found, kind, names);
	return CADRE_OK;
}

static const struct store_sql q_list = {
    .name = "toolkit_list",
    .sql = "SELECT v.toolkit_id, v.version, t.latest_version, v.title, v.levels, v.framework, "
           "v.file_name, v.sha256, v.loaded_us, "
           "(SELECT COUNT(*) FROM toolkit_factor f WHERE f.toolkit_id = v.toolkit_id AND "
           "f.version = v.version), "
           "(SELECT COUNT(*) FROM toolkit_statement s WHERE s.toolkit_id = v.toolkit_id AND "
           "s.version = v.version), "
           "(SELECT COUNT(*) FROM assess_round r WHERE r.toolkit_id = v.toolkit_id AND "
           "r.toolkit_version = v.version) "
           "FROM toolkit_version v JOIN toolkit t ON t.id = v.toolkit_id "
           "ORDER BY v.toolkit_id, v.version",
};

int toolkit_list(const struct actor *actor, struct store *db, struct toolkit_info **out, size_t *n,
                 struct cadre_err *err)
{
	*out = NULL;
	*n = 0;
	int rc = actor_check(actor, err);
	if (rc != CADRE_OK)
		return rc;
	struct store_stmt *st = NULL;
	if ((rc = store_prepare(db, &q_list, &st, err)) != CADRE_OK)
		return rc;
	struct toolkit_info *v = NULL;
	size_t k = 0;
	while ((rc = store_step(st, err)) == CADRE_OK) {
		v = xreallocarray(v, k + 1, sizeof *v);
		struct toolkit_info *t = &v[k++];
		memset(t, 0, sizeof *t);
		(void)snprintf(t->id, sizeof t->id, "%s", store_col_text(st, 0));
		t->version = store_col_i64(st, 1);
		t->latest = t->version == store_col_i64(st, 2);
		(void)snprintf(t->title, sizeof t->title, "%s", store_col_text(st, 3));
		(void)snprintf(t->levels, sizeof t->levels, "%s", store_col_text(st, 4));
		(void)snprintf(t->framework, sizeof t->framework, "%s", store_col_text(st, 5));
		(void)snprintf(t->file, sizeof t->file, "%s", store_col_text(st, 6));
		(void)snprintf(t->sha256, sizeof t->sha256, "%s", store_col_text(st, 7));
		t->loaded_us = store_col_i64(st, 8);
		t->factors = store_col_i64(st, 9);
		t->statements = store_col_i64(st, 10);
		t->rounds = store_col_i64(st, 11);
	}
	if (rc != CADRE_DONE) {
		free(v);
		return rc;
	}
	*out = v;
	*n = k;
	return CADRE_OK;
}
