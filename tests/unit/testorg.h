/* testorg: helpers for the organisation, reference data and published
 * statistics tests: where the project's files and the real NHS data are,
 * loading the reference data, counting rows, and capturing the log.
 * Header-only (static functions), like testdomain.h, which it builds on. */
#ifndef CADRE_TESTS_TESTORG_H
#define CADRE_TESTS_TESTORG_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "domain/refdata.h"
#include "store/store.h"
#include "testdomain.h"

/* testorg_root: the source tree (the test binary is ROOT/BUILD/tests/unit/). */
static inline const char *testorg_root(void)
{
	static char root[PATH_MAX];
	if (root[0])
		return root;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		fail_msg("readlink /proc/self/exe failed");
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	char up[PATH_MAX + 16];
	(void)snprintf(up, sizeof up, "%s/../../..", exe);
	if (!realpath(up, root))
		fail_msg("cannot resolve the source tree from %s", exe);
	return root;
}

/* testorg_path: ROOT/rel, malloc'd. */
static inline char *testorg_path(const char *rel)
{
	size_t n = strlen(testorg_root()) + strlen(rel) + 2;
	char *p = xmalloc(n);
	(void)snprintf(p, n, "%s/%s", testorg_root(), rel);
	return p;
}

/* testorg_shared: $CADRE_SHARED_DATA/rel, malloc'd; fails (never skips)
 * when the real data is absent. */
static inline char *testorg_shared(const char *rel)
{
	const char *d = getenv("CADRE_SHARED_DATA");
	if (!d || !*d)
		fail_msg("CADRE_SHARED_DATA is not set: the tests need the real NHS data");
	size_t n = strlen(d) + strlen(rel) + 2;
	char *p = xmalloc(n);
	(void)snprintf(p, n, "%s/%s", d, rel);
	if (access(p, R_OK) != 0)
		fail_msg("%s: missing (CADRE_SHARED_DATA)", p);
	return p;
}

/* testorg_load_refdata: load the project's data/ into t's database. */
static inline void testorg_load_refdata(struct testdomain *t, struct refdata_report *rep)
{
	struct cadre_err e;
	char *dir = testorg_path("data");
	FILE *quiet = tmpfile();
	log_set_output(quiet);
	int rc = refdata_load(&t->sys, t->db, dir, t->key, &t->clk.clock, rep, &e);
	log_set_output(NULL);
	(void)fclose(quiet);
	free(dir);
	if (rc != CADRE_OK)
		fail_msg("refdata_load: %s", e.msg);
}

/* testorg_sickness_paths: the nine real monthly sickness files. */
static inline void testorg_sickness_paths(char *paths[9])
{
	for (int m = 4; m <= 12; m++) {
		char rel[96];
		(void)snprintf(rel, sizeof rel,
		               "nhs-sickness-absence/nhs_sickness_absence_2024-%02d.csv", m);
		paths[m - 4] = testorg_shared(rel);
	}
}

static inline void testorg_free_paths(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
}

#endif
