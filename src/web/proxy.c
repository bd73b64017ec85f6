/* proxy: trusted reverse proxies (see proxy.h). */
#include "web/proxy.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "base/num.h"

/* an address as 16 bytes: IPv4 as ::ffff:a.b.c.d */
struct addr16 {
	unsigned char b[16];
};

struct cidr {
	struct addr16 net;
	int bits; /* prefix length over the 16 bytes (IPv4 /n is 96 + n) */
};

struct web_proxies {
	struct cidr *list;
	size_t count;
};

static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* parse_addr: text to 16 bytes; *v4 says it was IPv4 (or IPv4-mapped). */
static bool parse_addr(const char *s, size_t n, struct addr16 *out, bool *v4)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	if (n == 0 || n >= sizeof tmp)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	unsigned char b4[4];
	if (inet_pton(AF_INET, tmp, b4) == 1) {
		memcpy(out->b, v4mapped, 12);
		memcpy(out->b + 12, b4, 4);
		*v4 = true;
		return true;
	}
	if (inet_pton(AF_INET6, tmp, out->b) == 1) {
		*v4 = memcmp(out->b, v4mapped, 12) == 0;
		return true;
	}
	return false;
}

static bool in_cidr(const struct cidr *c, const struct addr16 *a)
{
	int full = c->bits / 8;
	int rest = c->bits % 8;
	if (memcmp(c->net.b, a->b, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xffu << (8 - rest));
	return (c->net.b[full] & mask) == (a->b[full] & mask);
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

int web_proxies_parse(const char *list, struct web_proxies **out, struct cadre_err *err)
{
	struct web_proxies *p = xcalloc(1, sizeof *p);
	const char *s = list ? list : "";
	size_t alloc = 0;
	while (*s) {
		const char *e = strchr(s, ',');
		if (!e)
			e = s + strlen(s);
		const char *a = s;
		const char *b = e;
		trim(&a, &b);
		s = *e ? e + 1 : e;
		if (a == b)
			continue;
		const char *slash = memchr(a, '/', (size_t)(b - a));
		struct cidr c;
		bool v4;
		if (!parse_addr(a, (size_t)((slash ? slash : b) - a), &c.net, &v4))
			goto bad;
		int max = v4 ? 32 : 128;
		int64_t bits = max;
		if (slash) {
			struct cadre_err e2;
			if (num_parse_i64_range(slash + 1, (size_t)(b - slash - 1), 0, max, &bits,
			                        &e2) != CADRE_OK)
				goto bad;
		}
		c.bits = (int)bits + (v4 ? 96 : 0);
		if (p->count == alloc) {
			alloc = alloc ? alloc * 2 : 4;
			p->list = xreallocarray(p->list, alloc, sizeof *p->list);
		}
		p->list[p->count++] = c;
		continue;
	bad:
		(void)cadre_err_set(err, CADRE_EINVAL,
		                    "trusted proxies: '%.*s' is not an address or CIDR block",
		                    (int)(b - a > 60 ? 60 : b - a), a);
		web_proxies_free(p);
		return err->status;
	}
	*out = p;
	return CADRE_OK;
}

void web_proxies_free(struct web_proxies *p)
{
	if (!p)
		return;
	free(p->list);
	free(p);
}

static bool contains(const struct web_proxies *p, const struct addr16 *a)
{
	for (size_t i = 0; p && i < p->count; i++)
		if (in_cidr(&p->list[i], a))
			return true;
	return false;
}

bool web_proxies_contains(const struct web_proxies *p, const char *addr)
{
	struct addr16 a;
	bool v4;
	return addr && parse_addr(addr, strlen(addr), &a, &v4) && contains(p, &a);
}

/* format: the canonical text of a (IPv4 for mapped addresses). */
static void format(const struct addr16 *a, char *out, size_t outsz)
{
	char tmp[INET6_ADDRSTRLEN];
	const char *r;
	if (memcmp(a->b, v4mapped, 12) == 0)
		r = inet_ntop(AF_INET, a->b + 12, tmp, sizeof tmp);
	else
		r = inet_ntop(AF_INET6, a->b, tmp, sizeof tmp);
	(void)snprintf(out, outsz, "%s", r ? r : "");
}

void web_proxies_client(const struct web_proxies *p, const char *peer, const char *xff,
                        const char *proto, char *client, size_t clientsz, bool *https)
{
	struct addr16 a;
	bool v4;
	if (!peer || !parse_addr(peer, strlen(peer), &a, &v4)) {
		(void)snprintf(client, clientsz, "%s", peer ? peer : "");
		return;
	}
	format(&a, client, clientsz);
	if (!contains(p, &a))
		return;
	if (proto) {
		const char *last = strrchr(proto, ',');
		const char *s = last ? last + 1 : proto;
		const char *e = s + strlen(s);
		trim(&s, &e);
		if (e - s == 5 && strncasecmp(s, "https", 5) == 0)
			*https = true;
	}
	if (!xff)
		return;
	/* walk from the right while the hops are trusted proxies */
	const char *end = xff + strlen(xff);
	while (end > xff) {
		const char *start = end;
		while (start > xff && start[-1] != ',')
			start--;
		const char *s = start;
		const char *e = end;
		trim(&s, &e);
		struct addr16 hop;
		if (!parse_addr(s, (size_t)(e - s), &hop, &v4))
			return; /* malformed: keep the last trusted hop */
		format(&hop, client, clientsz);
		if (!contains(p, &hop))
			return;
		end = start > xff ? start - 1 : xff;
	}
}
