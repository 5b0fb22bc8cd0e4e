/* Webhook targets: a URL's parts, and whether kaeru may send to the addresses its host has. A
 * merchant must not reach the operator's internal network through kaeru: loopback, private,
 * link-local and other special addresses are refused unless the operator allows them. */
#ifndef KAERU_UTIL_URL_H
#define KAERU_UTIL_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define URL_HOST_MAX 253
#define URL_ADDR_MAX 46 /* INET6_ADDRSTRLEN */

struct url_target {
	bool https;
	char host[URL_HOST_MAX + 1]; /* without IPv6 brackets */
	unsigned port;
	char addr[URL_ADDR_MAX]; /* after url_resolve: the checked address to connect to */
};

/* Splits an absolute http(s) URL. false for other schemes, user info, a missing or overlong
 * host, a bad port, spaces or control characters. */
bool url_parse(const char *url, struct url_target *t);
/* Whether sa (AF_INET or AF_INET6) is an address on the public Internet. */
bool addr_is_public(const struct sockaddr *sa);
/* Resolves t->host and checks every address it has; on success t->addr is the first one.
 * Returns NULL, or why the target is refused (a static string). */
const char *url_resolve(struct url_target *t, bool allow_private);

#endif
