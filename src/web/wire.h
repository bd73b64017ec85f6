/* wire: one HTTP/1.1 request as raw bytes in, the raw reply out, through
 * the same router as the server (`cadre http`, the HTTP tests, fuzzing).
 *
 * Design note
 * - The parser is strict where leniency breeds request smuggling: request
 *   line METHOD SP origin-form SP HTTP/1.x; header names are tokens with no
 *   space before the colon; folded (obs-fold) lines, bare CRs and control
 *   characters in values are refused; one Host header for HTTP/1.1; at most
 *   one Content-Length, and a body exactly that long with nothing after
 *   it.  Lines may end CR LF or LF (RFC 9112 §2.2).
 * - Caps: a request line of WEB_TARGET_MAX + 64 bytes, a header line of
 *   8 KiB, a header block of 64 KiB (431 beyond), 100 headers (431).
 * - Malformed input is answered like the server answers it: a 4xx reply
 *   with the usual headers and an error page, never a crash. */
#ifndef CADRE_WEB_WIRE_H
#define CADRE_WEB_WIRE_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "web/request.h"
#include "web/router.h"

#define WEB_WIRE_HEAD_MAX ((size_t)64 * 1024)
#define WEB_WIRE_LINE_MAX ((size_t)8 * 1024)

/* web_wire_parse: parse the request in data[0..n) into req (its body
 * points into data).  On failure returns CADRE_EINVAL with *http_status the
 * status to answer (400, 431 or 505) and err the reason. */
int web_wire_parse(const char *data, size_t n, struct web_request *req, int *http_status,
                   struct cadre_err *err);

/* web_wire_write: the reply as bytes: status line, headers, Content-Length
 * and (unless the request was HEAD) the body. */
int web_wire_write(const struct web_request *req, const struct web_response *resp, struct buf *out,
                   struct cadre_err *err);

/* web_wire_handle: parse data as one request from peer (an address, for
 * the trusted-proxy rules), run it through app, and append the raw reply
 * to out.  *status gets the reply's HTTP status. */
int web_wire_handle(struct web_app *app, const char *data, size_t n, const char *peer,
                    struct buf *out, int *status, struct cadre_err *err);

#endif
