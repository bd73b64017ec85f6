#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cadre_err_clear(struct cadre_err *err)
{
	if (!err)
		return;
	err->status = CADRE_OK;
	err->msg[0] = '\0';
}

int cadre_err_set(struct cadre_err *err, int status, const char *fmt, ...)
{
	if (!err)
		return status;
	err->status = status;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		err->msg[0] = '\0';
	return status;
}

void cadre_err_prefix(struct cadre_err *err, const char *fmt, ...)
{
	if (!err)
		return;
	char prefix[CADRE_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* room for both in full, then truncated to fit msg */
	char joined[2 * CADRE_ERR_MSG_MAX + 2];
	if (err->msg[0])
		(void)snprintf(joined, sizeof joined, "%s: %s", prefix, err->msg);
	else
		(void)snprintf(joined, sizeof joined, "%s", prefix);
	memcpy(err->msg, joined, sizeof err->msg - 1);
	err->msg[sizeof err->msg - 1] = '\0';
}

const char *cadre_status_name(int status)
{
	switch (status) {
	case CADRE_OK: return "ok";
	case CADRE_DONE: return "done";
	case CADRE_EUSAGE: return "usage";
	case CADRE_EINVAL: return "invalid";
	case CADRE_ENOTFOUND: return "not-found";
	case CADRE_EPERM: return "forbidden";
	case CADRE_ECONFLICT: return "conflict";
	case CADRE_EBUSY: return "busy";
	case CADRE_EINTERNAL: return "internal";
	default: return "unknown";
	}
}

int cadre_exit_code(int status)
{
	if (status >= 0)
		return 0;
	if (status == CADRE_EUSAGE)
		return 2;
	return 1;
}

int cadre_http_status(int status)
{
	switch (status) {
	case CADRE_OK:
	case CADRE_DONE: return 200;
	case CADRE_EUSAGE:
	case CADRE_EINVAL: return 400;
	case CADRE_ENOTFOUND: return 404;
	case CADRE_EPERM: return 403;
	case CADRE_ECONFLICT: return 409;
	case CADRE_EBUSY: return 503;
	default: return 500;
	}
}
