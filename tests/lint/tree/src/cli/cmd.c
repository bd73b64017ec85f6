#include "domain/org.h"
#include "io/csv.h"
#include "store/migrate.h"
static int g(void) { return rand() % 6 + (int)localtime(0)->tm_hour; }
