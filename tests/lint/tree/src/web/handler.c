#include "store/store.h"
#include "domain/org.h"
#include <libpq-fe.h>

static const char *q = "SELECT name FROM org WHERE id = $1";

/* sprintf(buf, "in a comment is fine"); */
static void f(char *buf, const char *s)
{
	const char *msg = "strcpy( in a string is fine";
	sprintf(buf, "%s", s);
	strcat (buf, msg);
	int n = atoi(s);
	(void)snprintf(buf, 4, "%d", n);
	(void)fgets(buf, 4, stdin);
}
