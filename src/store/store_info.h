/* store_info: the versions of the database libraries Cadre is linked with. */
#ifndef CADRE_STORE_INFO_H
#define CADRE_STORE_INFO_H

/* store_sqlite_version: "3.40.1". */
const char *store_sqlite_version(void);
/* store_libpq_version: libpq's version as a number, 150018 for 15.18. */
int store_libpq_version(void);

#endif
