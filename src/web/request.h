/* request: one HTTP request and the reply being built for it.
 *
 * Design note
 * - A request owns an arena: every string the request, its route's
 *   parameters, its parsed forms and its reply's headers hold lives there,
 *   freed in one call when the reply has gone.  No global request state:
 *   each worker thread handles its own request objects.
 * - The transports (server.c for libmicrohttpd, wire.c for one raw request
 *   on stdin in `cadre http`) fill the request line, headers and body; the
 *   router (router.h) does everything else, so both paths behave the same.
 * - The reply is built in a capped buffer (WEB_RESPONSE_MAX) and sent only
 *   when the handler has finished, so an error late in a handler still
 *   becomes a clean error page instead of half a page.
 * - Header values set on a reply are checked: a CR, LF, NUL or other
 *   control character (tab aside) is refused, so no value taken from input
 *   can split a header or start a second response.
 * - Handlers read parameters, the query and the form through accessors
 *   that parse on first use and refuse malformed input with a reason. */
#ifndef CADRE_WEB_REQUEST_H
#define CADRE_WEB_REQUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "web/form.h"
#include "web/multipart.h"

struct actor;
struct store;
struct web_app;
struct web_route;

#define WEB_REQUEST_ID_LEN      24 /* hex digits of 12 random bytes */
#define WEB_PARAMS_MAX          8
#define WEB_REQ_HEADERS_MAX     100
#define WEB_RESP_HEADERS_MAX    32 /* for handlers; the router has its own */
#define WEB_RESP_HEADERS_ROUTER 12
#define WEB_FIELD_ERRORS_MAX    50
#define WEB_HEADER_VALUE_MAX    ((size_t)8 * 1024)
#define WEB_TARGET_MAX          ((size_t)8 * 1024)
#define WEB_RESPONSE_MAX        ((size_t)16 * 1024 * 1024)
#define WEB_ADDR_MAX            64

struct web_header {
	const char *name;
	const char *value;
};

/* web_param: a path parameter from the route's pattern, percent-decoded;
 * num holds the value of an {name:int} parameter. */
struct web_param {
	const char *name;
	const char *value;
	int64_t num;
};

struct web_field_error {
	const char *field;
	const char *message;
};

struct web_request {
	struct arena arena;
	struct web_app *app;
	const char *method; /* "GET" */
	const char *target; /* the request-target as sent: "/orgs/RXK?tab=staff" */
	const char *path;   /* the target before '?', still percent-encoded */
	const char *query;  /* after '?', "" when none */
	struct web_header headers[WEB_REQ_HEADERS_MAX];
	size_t nheaders;
	bool too_many_headers;
	bool bad_header;  /* a name that is not a token, or a control character in a value */
	const char *body; /* NULL when there is none; owned by the transport */
	size_t body_len;
	char peer_addr[WEB_ADDR_MAX];   /* the address that connected */
	char client_addr[WEB_ADDR_MAX]; /* the client, after trusted proxies */
	bool tls;                       /* this connection is TLS */
	bool secure;                    /* the client reached Cadre over HTTPS */
	char id[WEB_REQUEST_ID_LEN + 1];
	const struct web_route *route; /* NULL until matched */
	bool head;                     /* a HEAD served by the GET route */
	struct web_param params[WEB_PARAMS_MAX];
	size_t nparams;
	const struct actor *actor; /* NULL: anonymous */
	void *auth;                /* the authn hook's own state for this request, or NULL */
	int64_t org_id;            /* the object's organisation; 0 for none */
	int64_t start_us;
	size_t body_max; /* the route's body cap, set by web_request_begin */
	/* the router's own state */
	struct store *db;
	bool db_read_tx;
	bool query_parsed;
	bool form_parsed;
	bool multipart_parsed;
	struct form query_form;
	struct form body_form;
	struct multipart_form body_multipart;
};

struct web_response {
	int status;               /* 200 unless set */
	const char *content_type; /* NULL: none */
	struct buf body;          /* capped at WEB_RESPONSE_MAX */
	struct web_header headers[WEB_RESP_HEADERS_MAX + WEB_RESP_HEADERS_ROUTER];
	size_t nheaders;
	struct web_field_error errors[WEB_FIELD_ERRORS_MAX];
	size_t nerrors;
	size_t more_errors;  /* field errors beyond the cap */
	int fail_status;     /* an HTTP status chosen by web_fail, or 0 */
	int retry_after;     /* seconds, for 503 */
	struct arena *arena; /* the request's */
};

/* web_request_init: an empty request with a fresh random id, timed from
 * now.  Free with web_request_free. */
void web_request_init(struct web_request *req, struct web_app *app);

/* web_request_free: release the arena (and so every string of the
 * request and its reply).  The body belongs to the transport. */
void web_request_free(struct web_request *req);

/* web_request_set_line: the method and the request-target, copied.
 * CADRE_EINVAL when the method is not a token of 1-16 characters or the
 * target is not origin-form ("/" then no space or control character) or is
 * longer than WEB_TARGET_MAX. */
int web_request_set_line(struct web_request *req, const char *method, size_t mlen,
                         const char *target, size_t tlen, struct cadre_err *err);

/* web_request_add_header: append a header (copied).  Past
 * WEB_REQ_HEADERS_MAX headers, sets too_many_headers instead (the router
 * answers 431); a name that is not a token or a value holding a control
 * character (tab aside) sets bad_header (400), whatever the transport let
 * through. */
void web_request_add_header(struct web_request *req, const char *name, size_t nlen,
                            const char *value, size_t vlen);

/* web_req_header: the first value of the header called name (any case), or
 * NULL. */
const char *web_req_header(const struct web_request *req, const char *name);

/* web_req_param: the path parameter called name, or NULL. */
const char *web_req_param(const struct web_request *req, const char *name);

/* web_req_param_int: the value of an {name:int} parameter (0 if absent). */
int64_t web_req_param_int(const struct web_request *req, const char *name);

/* web_req_query: the query string parsed as a form (form.h), on first use.
 * *out is owned by the request. */
int web_req_query(struct web_request *req, const struct form **out, struct cadre_err *err);

/* web_req_form: the body parsed as application/x-www-form-urlencoded.
 * CADRE_EINVAL when the body has another type or is malformed. */
int web_req_form(struct web_request *req, const struct form **out, struct cadre_err *err);

/* web_req_multipart: the body parsed as multipart/form-data with lim (NULL
 * for the defaults).  CADRE_EINVAL when it is not one or is malformed. */
int web_req_multipart(struct web_request *req, const struct multipart_limits *lim,
                      const struct multipart_form **out, struct cadre_err *err);

/* web_req_alloc: n zeroed bytes that live as long as the request. */
void *web_req_alloc(struct web_request *req, size_t n);

/* web_resp_init: an empty 200 reply whose strings go in arena a. */
void web_resp_init(struct web_response *resp, struct arena *a);

/* web_resp_free: release the body. */
void web_resp_free(struct web_response *resp);

/* web_resp_reset: forget everything set so far (status, headers, body,
 * field errors), for an error page that replaces a reply. */
void web_resp_reset(struct web_response *resp);

/* web_header_name_ok / web_header_value_ok: a header name is an RFC 9110
 * token; a value has no control character but tab (so no CR or LF) and is
 * at most WEB_HEADER_VALUE_MAX bytes. */
bool web_header_name_ok(const char *name);
bool web_header_value_ok(const char *value);

/* web_resp_header: set header name to value (copied), replacing any
 * earlier value of that name.  CADRE_EINVAL (nothing set) when either
 * fails the checks above; CADRE_EINTERNAL when the reply has
 * WEB_RESP_HEADERS_MAX headers already. */
int web_resp_header(struct web_response *resp, const char *name, const char *value,
                    struct cadre_err *err);

/* web_resp_header_router: web_resp_header for the router's own headers,
 * which may use WEB_RESP_HEADERS_ROUTER slots beyond the handlers' cap. */
int web_resp_header_router(struct web_response *resp, const char *name, const char *value,
                           struct cadre_err *err);

/* web_resp_get_header: the value set for name (any case), or NULL. */
const char *web_resp_get_header(const struct web_response *resp, const char *name);

/* web_resp_remove_header: drop name (any case) if set. */
void web_resp_remove_header(struct web_response *resp, const char *name);

/* Body builders.  Each fails with CADRE_EINTERNAL ("reply too large") at
 * the cap, which the router turns into a clean 500 page. */
int web_resp_write(struct web_response *resp, const void *p, size_t n, struct cadre_err *err);
int web_resp_puts(struct web_response *resp, const char *s, struct cadre_err *err);
int web_resp_printf(struct web_response *resp, struct cadre_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* web_resp_html: s with & < > " ' escaped for HTML text and attributes. */
int web_resp_html(struct web_response *resp, const char *s, struct cadre_err *err);

/* web_html_escape: append s to b escaped as web_resp_html does. */
int web_html_escape(struct buf *b, const char *s, struct cadre_err *err);

/* web_resp_field_error: record that field is wrong (message for people).
 * A handler that then returns CADRE_EINVAL gets a 422 listing them. */
void web_resp_field_error(struct web_response *resp, const char *field, const char *message);

/* web_fail: answer with a particular HTTP status (a 4xx the status table
 * has no word for, such as 415) and reason: sets err and returns
 * CADRE_EINVAL for the handler to return. */
int web_fail(struct web_response *resp, struct cadre_err *err, int http_status, const char *fmt,
             ...) __attribute__((format(printf, 4, 5)));

/* web_resp_redirect: a 303 See Other (or the given 3xx) to location, a
 * path on this site ("/orgs/RXK"); anything else is CADRE_EINVAL, so input
 * cannot make Cadre redirect elsewhere. */
int web_resp_redirect(struct web_response *resp, int status, const char *location,
                      struct cadre_err *err);

#endif
