#include "util/url.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool url_parse(const char *url, struct url_target *t)
{
	memset(t, 0, sizeof(*t));
	const char *p;
	if (strncmp(url, "https://", 8) == 0) {
		t->https = true;
		p = url + 8;
		t->port = 443;
	} else if (strncmp(url, "http://", 7) == 0) {
		p = url + 7;
		t->port = 80;
	} else {
		return false;
	}
	for (const char *c = url; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return false;
	size_t auth = strcspn(p, "/?#");
	if (memchr(p, '@', auth))
		return false;
	const char *host = p, *host_end, *port = NULL;
	if (*p == '[') {
		host = p + 1;
		host_end = memchr(host, ']', auth);
		if (!host_end)
			return false;
		if (host_end[1] == ':')
			port = host_end + 2;
		else if (host_end + 1 != p + auth)
			return false;
	} else {
		host_end = memchr(p, ':', auth);
		if (host_end)
			port = host_end + 1;
		else
			host_end = p + auth;
	}
	size_t hlen = (size_t)(host_end - host);
	if (hlen == 0 || hlen > URL_HOST_MAX)
		return false;
	memcpy(t->host, host, hlen);
	if (port) {
		size_t plen = (size_t)(p + auth - port);
		if (plen == 0 || plen > 5)
			return false;
		unsigned n = 0;
		for (size_t i = 0; i < plen; i++) {
			if (port[i] < '0' || port[i] > '9')
				return false;
			n = n * 10 + (unsigned)(port[i] - '0');
		}
		if (n == 0 || n > 65535)
			return false;
		t->port = n;
	}
	return true;
}

static bool v4_public(uint32_t a) /* host byte order */
{
	static const struct {
		uint32_t net;
		int bits;
	} special[] = {
	    {0x00000000, 8},  /* "this" network */
	    {0x0a000000, 8},  /* private */
	    {0x64400000, 10}, /* carrier-grade NAT */
	    {0x7f000000, 8},  /* loopback */
	    {0xa9fe0000, 16}, /* link-local (cloud metadata lives here) */
	    {0xac100000, 12}, /* private */
	    {0xc0000000, 24}, /* IETF protocol assignments */
	    {0xc0000200, 24}, /* documentation */
	    {0xc0a80000, 16}, /* private */
	    {0xc6120000, 15}, /* benchmarking */
	    {0xc6336400, 24}, /* documentation */
	    {0xcb007100, 24}, /* documentation */
	    {0xe0000000, 4},  /* multicast */
	    {0xf0000000, 4},  /* reserved, broadcast */
	};
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		uint32_t mask = special[i].bits ? ~0u << (32 - special[i].bits) : 0;
		if ((a & mask) == special[i].net)
			return false;
	}
	return true;
}

bool addr_is_public(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return v4_public(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
	if (sa->sa_family != AF_INET6)
		return false;
	const uint8_t *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
	static const uint8_t zero[12] = {0};
	if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0)
		return v4_public((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
		                 (uint32_t)b[14] << 8 | b[15]);
	if (memcmp(b, zero, 12) == 0)
		return false; /* ::, ::1 and the old IPv4-compatible addresses */
	if ((b[0] & 0xfe) == 0xfc)
		return false; /* unique local fc00::/7 */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return false; /* link-local fe80::/10 */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return false; /* site-local fec0::/10 */
	if (b[0] == 0xff)
		return false; /* multicast */
	if (b[0] == 0x20 && b[1] == 0x02)
		return v4_public((uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 | (uint32_t)b[4] << 8 |
		                 b[5]); /* 6to4 carries an IPv4 address */
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
		return false; /* documentation */
	return true;
}

const char *url_resolve(struct url_target *t, bool allow_private)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	char port[8];
	snprintf(port, sizeof(port), "%u", t->port);
	if (getaddrinfo(t->host, port, &hints, &res) != 0 || !res)
		return "its host does not resolve";
	const char *why = NULL;
	t->addr[0] = '\0';
	for (struct addrinfo *ai = res; ai && !why; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (!allow_private && !addr_is_public(ai->ai_addr))
			why = "its host has a loopback, private or link-local address";
		else if (!t->addr[0]) {
			const void *a =
			    ai->ai_family == AF_INET
			        ? (const void *)&((const struct sockaddr_in *)ai->ai_addr)->sin_addr
			        : (const void *)&((const struct sockaddr_in6 *)ai->ai_addr)
			              ->sin6_addr;
			inet_ntop(ai->ai_family, a, t->addr, sizeof(t->addr));
		}
	}
	freeaddrinfo(res);
	if (!why && !t->addr[0])
		why = "its host has no address";
	return why;
}
