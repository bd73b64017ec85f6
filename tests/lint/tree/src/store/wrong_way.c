/* store reaching up into domain: the lint must catch this. */
#include "domain/org.h"
#include "../web/router.h"
#include "base/err.h"
#include <sqlite3.h>
