/* proxy: which reverse proxies are believed, and who the client is.
 *
 * Design note
 * - Behind a reverse proxy every connection comes from the proxy, so the
 *   client's address and scheme arrive in X-Forwarded-For and
 *   X-Forwarded-Proto.  Anyone can send those headers, so they are read
 *   only when the connecting peer is in server.trusted_proxies (addresses
 *   or CIDR blocks, IPv4 and IPv6).
 * - The client is the rightmost X-Forwarded-For address that is not itself
 *   a trusted proxy (each proxy appends the address it saw; entries to the
 *   left of the first untrusted one may be forged).  A malformed entry stops
 *   the walk at the last trusted hop.
 * - The scheme (X-Forwarded-Proto's last value) makes a request "secure",
 *   so cookies get Secure behind a TLS-terminating proxy.
 * - IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) count as IPv4. */
#ifndef CADRE_WEB_PROXY_H
#define CADRE_WEB_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct web_proxies;

/* web_proxies_parse: a comma-separated list of addresses and CIDR blocks
 * ("10.0.0.0/8, ::1"); NULL or "" trusts no one.  CADRE_EINVAL names a
 * malformed entry.  Free *out with web_proxies_free. */
int web_proxies_parse(const char *list, struct web_proxies **out, struct cadre_err *err);

/* web_proxies_free: NULL is allowed. */
void web_proxies_free(struct web_proxies *p);

/* web_proxies_contains: true when addr (text) is a trusted proxy. */
bool web_proxies_contains(const struct web_proxies *p, const char *addr);

/* web_proxies_client: the client's address (written to client, at most
 * clientsz bytes) given the peer's address and the X-Forwarded-For and
 * X-Forwarded-Proto header values (either may be NULL); *https is set true
 * when a trusted proxy says the client used https, else left alone. */
void web_proxies_client(const struct web_proxies *p, const char *peer, const char *xff,
                        const char *proto, char *client, size_t clientsz, bool *https);

#endif
