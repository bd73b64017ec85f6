/* cadre demo generate, cadre demo check */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/num.h"
#include "base/progress.h"
#include "cli/cli.h"
#include "cli_index.h"
#include "domain/demo.h"

static int need_dir(struct cli *cli, const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0)
		return cadre_err_set(&cli->err, CADRE_EINVAL, "--out '%s': %s", dir,
		                     strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cadre_err_set(&cli->err, CADRE_EINVAL, "--out '%s' is not a directory", dir);
	return CADRE_OK;
}

/* COMMAND: demo generate
 * USAGE: cadre demo generate --scale trust|ics|national --seed N --out DIR [--as-of YYYY-MM-DD] [--orgs CODE,...] [--quiet]
 * Write the synthetic demo data set: staff, establishment, temporary staffing and history.
 * The files (docs/formats.md) go into DIR, which must exist: organisations.csv,
 * cost-centres.csv, staff.csv (an ESR-style extract, one row per assignment),
 * establishment.csv and temporary-staffing.csv (the 12 months up to the
 * reference date), and 36 months of history: sickness-absence.csv,
 * sickness-absence-wards.csv, vacancies.csv, temporary-staffing-history.csv.
 *
 * --scale trust is one mid-size acute trust (RXC), ics one integrated care
 * system's organisations (QNX, Sussex), national every trust and ICB in the
 * 2024 sickness absence publication.  --as-of is the reference date
 * (default 2025-03-31).  --orgs restricts the scale to the organisations
 * listed, each with exactly the rows it has in the whole scale.  --quiet
 * prints nothing (no progress bar, no summary of the files written).
 *
 * The same seed gives byte-identical files on any machine.  Everything is
 * synthetic; see docs/demo.md for what is published and what is assumed.
 */
int cmd_demo_generate(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"scale", required_argument, NULL, 's'},
	                                     {"seed", required_argument, NULL, 'n'},
	                                     {"out", required_argument, NULL, 'o'},
	                                     {"as-of", required_argument, NULL, 'a'},
	                                     {"orgs", required_argument, NULL, 'g'},
	                                     {"quiet", no_argument, NULL, 'q'},
	                                     {0}};
	struct demo_options opt = {.as_of = demo_default_as_of(), .scale = DEMO_SCALE_TRUST};
	const char *scale = NULL, *seed = NULL, *dir = NULL;
	bool quiet = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': scale = optarg; break;
		case 'n': seed = optarg; break;
		case 'o': dir = optarg; break;
		case 'g': opt.orgs = optarg; break;
		case 'q': quiet = true; break;
		case 'a': {
			int rc = date_parse_iso(optarg, strlen(optarg), &opt.as_of, &cli->err);
			if (rc) {
				cadre_err_prefix(&cli->err, "--as-of '%s'", optarg);
				return rc;
			}
			break;
		}
		default:
			return cli_usage_error(cli, "demo generate", "unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, "demo generate", "unexpected argument '%s'",
		                       argv[optind]);
	if (!scale || !seed || !dir)
		return cli_usage_error(cli, "demo generate",
		                       "--scale, --seed and --out are required");
	int rc = demo_scale_parse(scale, &opt.scale, &cli->err);
	if (rc)
		return rc;
	int64_t seed_value = 0;
	rc = num_parse_i64_range(seed, strlen(seed), 0, INT64_MAX, &seed_value, &cli->err);
	opt.seed = (uint64_t)seed_value;
	if (rc) {
		cadre_err_prefix(&cli->err, "--seed '%s'", seed);
		return rc;
	}
	rc = need_dir(cli, dir);
	if (rc)
		return rc;
	struct progress_term bar;
	progress_term_init(&bar, "demo", NULL, quiet ? PROGRESS_OFF : PROGRESS_AUTO, NULL);
	struct demo_summary sum;
	rc = demo_generate(&opt, dir, &bar.progress, &sum, &cli->err);
	if (rc)
		return rc;
	if (!quiet) {
		(void)fprintf(
		    cli->out,
		    "%zu organisations, %llu assignments, %.1f FTE in post (target %.1f)\n",
		    sum.orgs, (unsigned long long)sum.assignments, (double)sum.fte_x10000 / 10000.0,
		    (double)sum.target_fte_x100 / 100.0);
		for (int i = 0; i < DEMO_FILE_COUNT; i++)
			(void)fprintf(cli->out, "  %-32s %10llu rows\n", demo_file_name(i),
			              (unsigned long long)sum.rows[i]);
	}
	return CADRE_OK;
}

/* COMMAND: demo check
 * USAGE: cadre demo check --out DIR
 * Compare a generated demo data set with its calibration targets.
 * Reads organisations.csv, staff.csv, establishment.csv and
 * temporary-staffing.csv from DIR and prints each organisation's FTE in
 * post against its target (within 2%), staff-group shares against the 2018
 * mix (within 1 point), the minority-ethnic share overall, by staff group,
 * by band and for VSMs against the stated ranges, and vacancy rates by
 * staff group (5% to 12%).  Exits 1 when a check fails.
 */
int cmd_demo_check(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"out", required_argument, NULL, 'o'}, {0}};
	const char *dir = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'o')
			dir = optarg;
		else
			return cli_usage_error(cli, "demo check", "unknown option '%s'",
			                       argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(cli, "demo check", "unexpected argument '%s'", argv[optind]);
	if (!dir)
		return cli_usage_error(cli, "demo check", "--out is required");
	int rc = need_dir(cli, dir);
	if (rc)
		return rc;
	struct buf report;
	buf_init(&report, (size_t)4 * 1024 * 1024);
	bool pass = false;
	rc = demo_check(dir, &report, &pass, &cli->err);
	if (!rc) {
		(void)fputs(buf_cstr(&report), cli->out);
		if (!pass)
			rc = cadre_err_set(&cli->err, CADRE_EINVAL,
			                   "the demo data in %s misses its calibration targets",
			                   dir);
	}
	buf_free(&report);
	return rc;
}
