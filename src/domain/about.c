#include "domain/about.h"

#include <jansson.h>
#include <sodium.h>

#include "build_info.h"
#include "git_info.h"
#include "store/migrate.h"
#include "store/store_info.h"

/* about_schema_version: the newest migration this build carries. */
static int about_schema_version(void)
{
	return migrate_latest();
}

const char *about_version(void)
{
	return CADRE_VERSION;
}

int about_write_verbose(struct buf *out, struct cadre_err *err)
{
	int pq = store_libpq_version();
	const char *san = CADRE_SANITIZE;
	return buf_printf(out, err,
	                  "cadre: %s\n"
	                  "commit: %s\n"
	                  "build: %s, %s%s%s\n"
	                  "schema: %d\n"
	                  "sqlite: %s\n"
	                  "libpq: %d.%d\n"
	                  "libsodium: %s\n"
	                  "jansson: %s\n",
	                  CADRE_VERSION, CADRE_GIT, CADRE_BUILDTYPE, CADRE_COMPILER,
	                  san[0] && san[0] != 'n' ? ", sanitize=" : "",
	                  san[0] && san[0] != 'n' ? san : "", about_schema_version(),
	                  store_sqlite_version(), pq / 10000, pq % 100, sodium_version_string(),
	                  JANSSON_VERSION);
}
