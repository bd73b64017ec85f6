/* err: the one status vocabulary of Cadre.
 *
 * Every fallible function returns an int status: CADRE_OK (0), CADRE_DONE (1,
 * end of input) or a negative CADRE_E* code.  The human reason travels in a
 * struct cadre_err passed as the last argument.  DESIGN.md maps each status to
 * a process exit code and an HTTP status; cadre_exit_code() and
 * cadre_http_status() are that table. */
#ifndef CADRE_BASE_ERR_H
#define CADRE_BASE_ERR_H

#include <stddef.h>

enum cadre_status {
	CADRE_OK = 0,
	CADRE_DONE = 1,
	CADRE_EUSAGE = -1,
	CADRE_EINVAL = -2,
	CADRE_ENOTFOUND = -3,
	CADRE_EPERM = -4,
	CADRE_ECONFLICT = -5,
	CADRE_EBUSY = -6,
	CADRE_EINTERNAL = -7,
};

#define CADRE_ERR_MSG_MAX 512

/* cadre_err: the status and reason of the last failure.  msg is always
 * NUL-terminated; an empty msg means no reason was given. */
struct cadre_err {
	int status;
	char msg[CADRE_ERR_MSG_MAX];
};

/* cadre_err_clear: reset err to CADRE_OK with no message. */
void cadre_err_clear(struct cadre_err *err);

/* cadre_err_set: record status and a printf-style reason in err (if err is
 * not NULL), truncating the reason to fit.  Returns status so callers can
 * write `return cadre_err_set(err, CADRE_EINVAL, "...")`. */
int cadre_err_set(struct cadre_err *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* cadre_err_prefix: put "prefix: " in front of err's message, for callers
 * that add context (a file name, a field) to a reason from below. */
void cadre_err_prefix(struct cadre_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* cadre_status_name: "ok", "done", "usage", "invalid", ... for logs. */
const char *cadre_status_name(int status);

/* cadre_exit_code: the process exit code for a status (0, 1 or 2). */
int cadre_exit_code(int status);

/* cadre_http_status: the HTTP status for a status (200, 400, 404, ...). */
int cadre_http_status(int status);

#endif
