#include "store/store.h"
#include "io/csv.h"
#include "web/page.h"
static const char *q = "INSERT INTO org (code) VALUES ($1)";
