/* demo: choose the organisations, generate each in turn and stream its rows
 * to the files; only one organisation is held in memory at a time. */
#include "domain/demo.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "domain/demo_internal.h"

struct date demo_default_as_of(void)
{
	return (struct date){2025, 3, 31};
}

int demo_scale_parse(const char *s, enum demo_scale *out, struct cadre_err *err)
{
	if (strcmp(s, "trust") == 0)
		*out = DEMO_SCALE_TRUST;
	else if (strcmp(s, "ics") == 0)
		*out = DEMO_SCALE_ICS;
	else if (strcmp(s, "national") == 0)
		*out = DEMO_SCALE_NATIONAL;
	else
		return cadre_err_set(err, CADRE_EINVAL,
		                     "scale '%s': expected trust, ics or national", s);
	return CADRE_OK;
}

static bool in_scale(const struct demo_org_row *row, enum demo_scale scale)
{
	switch (scale) {
	case DEMO_SCALE_TRUST: return strcmp(row->code, DEMO_TRUST_ORG) == 0;
	case DEMO_SCALE_ICS: return strcmp(row->icb, DEMO_ICS_CODE) == 0;
	default: return true;
	}
}

static int row_index(const char *code, size_t len)
{
	for (size_t i = 0; i < demo_org_row_count; i++)
		if (strlen(demo_org_rows[i].code) == len &&
		    memcmp(demo_org_rows[i].code, code, len) == 0)
			return (int)i;
	return -1;
}

/* select: which rows of demo_org_rows to generate */
static int select_orgs(const struct demo_options *opt, bool *sel, size_t *count,
                       struct cadre_err *err)
{
	*count = 0;
	for (size_t i = 0; i < demo_org_row_count; i++)
		sel[i] = in_scale(&demo_org_rows[i], opt->scale);
	if (!opt->orgs) {
		for (size_t i = 0; i < demo_org_row_count; i++)
			*count += sel[i];
		return CADRE_OK;
	}
	bool *want = xcalloc(demo_org_row_count, sizeof *want);
	const char *p = opt->orgs;
	int rc = CADRE_OK;
	for (;;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		int i = row_index(p, len);
		if (len == 0) {
			rc = cadre_err_set(err, CADRE_EINVAL, "--orgs: empty organisation code");
			break;
		}
		if (i < 0) {
			rc = cadre_err_set(err, CADRE_EINVAL,
			                   "--orgs: '%.*s' is not an organisation of the demo "
			                   "(data/demo/org-fte-2024.csv)",
			                   (int)(len > 40 ? 40 : len), p);
			break;
		}
		if (!sel[i]) {
			rc =
			    cadre_err_set(err, CADRE_EINVAL,
			                  "--orgs: '%.*s' is not in the chosen scale", (int)len, p);
			break;
		}
		want[i] = true;
		if (!c)
			break;
		p = c + 1;
	}
	if (!rc) {
		for (size_t i = 0; i < demo_org_row_count; i++) {
			sel[i] = want[i];
			*count += want[i];
		}
	}
	free(want);
	return rc;
}

int demo_generate(const struct demo_options *opt, const char *dir, struct progress *progress,
                  struct demo_summary *sum, struct cadre_err *err)
{
	if (!date_valid(opt->as_of) || opt->as_of.y < 2000 || opt->as_of.y > 2099)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "reference date must be a real date in 2000-2099");
	bool *sel = xcalloc(demo_org_row_count, sizeof *sel);
	size_t count = 0;
	int rc = select_orgs(opt, sel, &count, err);
	if (rc) {
		free(sel);
		return rc;
	}
	struct demo_summary local;
	if (!sum)
		sum = &local;
	memset(sum, 0, sizeof *sum);
	struct demo_pool *pools = xcalloc(demo_ics_name_count, sizeof *pools);
	bool *built = xcalloc(demo_ics_name_count, sizeof *built);
	struct demo_out out;
	rc = demo_out_open(&out, dir, err);
	size_t done = 0;
	for (size_t i = 0; i < demo_org_row_count && !rc; i++) {
		if (!sel[i])
			continue;
		const struct demo_org_row *row = &demo_org_rows[i];
		int icb = demo_icb_index(row->icb);
		const struct demo_pool *pool = NULL;
		if (icb >= 0) {
			if (!built[icb]) {
				demo_pool_build(&pools[icb], opt->seed, icb, opt->as_of);
				built[icb] = true;
			}
			pool = &pools[icb];
		}
		struct demo_org o;
		memset(&o, 0, sizeof o);
		o.row = row;
		o.index = (int32_t)i;
		o.icb_index = icb;
		o.seed = opt->seed;
		o.as_of = opt->as_of;
		demo_org_generate(&o, pool);
		rc = demo_out_org(&out, &o, sum, err);
		demo_org_free(&o);
		progress_update(progress, ++done, count);
	}
	int crc = demo_out_close(&out, err);
	if (!rc)
		rc = crc;
	progress_end(progress);
	for (size_t i = 0; i < DEMO_FILE_COUNT; i++)
		sum->rows[i] = out.rows[i];
	for (size_t i = 0; i < demo_ics_name_count; i++)
		demo_pool_free(&pools[i]);
	free(pools);
	free(built);
	free(sel);
	return rc;
}
