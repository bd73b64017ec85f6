/* about: what this build of Cadre is: its version, the libraries it runs on
 * and the schema it expects.  Public facts, so no actor is needed. */
#ifndef CADRE_DOMAIN_ABOUT_H
#define CADRE_DOMAIN_ABOUT_H

#include "base/buf.h"

/* about_version: "0.1.0". */
const char *about_version(void);

/* about_write_verbose: append "key: value" lines describing the build,
 * libraries and schema to out. */
int about_write_verbose(struct buf *out, struct cadre_err *err);

#endif
