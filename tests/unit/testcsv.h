/* testcsv: the tests' own reading of the demo's CSV files, to compute the
 * totals the read-outs must agree with independently of the code under
 * test (the people-area importers and read-outs are not used here; the
 * generic CSV reader is).  Header-only. */
#ifndef CADRE_TESTS_TESTCSV_H
#define CADRE_TESTS_TESTCSV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "io/csv.h"

/* tc_table: every row of a CSV file as strings (header dropped). */
struct tc_table {
	char ***rows;
	size_t n;
	size_t ncols;
};

static inline void tc_read(const char *path, struct tc_table *t)
{
	memset(t, 0, sizeof *t);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	struct csv_reader *r;
	struct cadre_err e;
	if (csv_reader_open_file(&r, f, NULL, &e) != CADRE_OK)
		fail_msg("%s: %s", path, e.msg);
	bool header = true;
	size_t alloc = 0;
	while (csv_reader_next(r, &e) == CADRE_OK) {
		size_t n = csv_reader_count(r);
		if (header) {
			header = false;
			t->ncols = n;
			continue;
		}
		if (t->n == alloc) {
			alloc = alloc ? alloc * 2 : 1024;
			t->rows = xreallocarray(t->rows, alloc, sizeof *t->rows);
		}
		char **row = xcalloc(n, sizeof *row);
		for (size_t i = 0; i < n; i++)
			row[i] = xstrdup(csv_reader_field(r, i)->s);
		t->rows[t->n++] = row;
	}
	csv_reader_free(r);
	(void)fclose(f);
}

static inline void tc_free(struct tc_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		for (size_t c = 0; c < t->ncols; c++)
			free(t->rows[i][c]);
		free(t->rows[i]);
	}
	free(t->rows);
	memset(t, 0, sizeof *t);
}

/* tc_scaled: "12.34" with `places` decimals as an integer (1234). */
static inline long long tc_scaled(const char *s, int places)
{
	long long sign = 1, ip = 0, fp = 0;
	if (*s == '-') {
		sign = -1;
		s++;
	}
	while (*s >= '0' && *s <= '9')
		ip = ip * 10 + (*s++ - '0');
	int d = 0;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9' && d < places; d++)
			fp = fp * 10 + (*s++ - '0');
	for (; d < places; d++)
		fp *= 10;
	long long scale = 1;
	for (int i = 0; i < places; i++)
		scale *= 10;
	return sign * (ip * scale + fp);
}

/* tc_in_post: a staff.csv row (docs/formats.md A) is staff in post on day
 * (YYYY-MM-DD): permanent, fixed term or locum, started, not ended. */
static inline bool tc_in_post(char **row, const char *day)
{
	const char *cat = row[13];
	bool counted = strcmp(cat, "permanent") == 0 || strcmp(cat, "fixed_term") == 0 ||
	               strcmp(cat, "locum") == 0;
	return counted && strcmp(row[14], day) <= 0 && (!row[15][0] || strcmp(row[15], day) >= 0);
}

/* tc_active: any category, started and not ended on day. */
static inline bool tc_active(char **row, const char *day)
{
	return strcmp(row[14], day) <= 0 && (!row[15][0] || strcmp(row[15], day) >= 0);
}

#endif
