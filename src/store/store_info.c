#include "store/store_info.h"

#include <libpq-fe.h>
#include <sqlite3.h>

const char *store_sqlite_version(void)
{
	return sqlite3_libversion();
}

int store_libpq_version(void)
{
	return PQlibVersion();
}
