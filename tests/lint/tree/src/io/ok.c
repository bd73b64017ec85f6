#include "base/buf.h"
/* Select the rows to delete from the file: prose, not SQL. */
static const char *t = "Select a trust";
