#include "util/config.h"
#include "util/mem.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum key {
	KEY_DB_SOCKET,
	KEY_DB_HOST,
	KEY_DB_PORT,
	KEY_DB_USER,
	KEY_DB_PASSWORD,
	KEY_DB_NAME,
	KEY_LISTEN,
	KEY_WORKERS,
	KEY_PUBLIC_URL,
	KEY_SECRET,
	KEY_SECRET_FILE,
	KEY_LISTEN_GROUP,
	KEY_LOGIN_LISTEN,
	KEY_LOGIN_WORKERS,
	KEY_DB_TIMEOUT,
	KEY_DB_CONNECT_TIMEOUT,
	KEY_WEBHOOK_ALLOW_PRIVATE,
	KEY_RETRY_BASE_SECONDS,
	KEY_SMTP_URL,
	KEY_MAIL_FROM,
	KEY_DB_NODES,
	KEY_PHOTO_PROGRAM,
	KEY_PHOTO_TIMEOUT,
	KEY_PHOTO_CPU_SECONDS,
	KEY__MAX
};

static const char *const key_names[KEY__MAX] = {
    [KEY_DB_SOCKET] = "KAERU_DB_SOCKET",
    [KEY_DB_HOST] = "KAERU_DB_HOST",
    [KEY_DB_PORT] = "KAERU_DB_PORT",
    [KEY_DB_USER] = "KAERU_DB_USER",
    [KEY_DB_PASSWORD] = "KAERU_DB_PASSWORD",
    [KEY_DB_NAME] = "KAERU_DB_NAME",
    [KEY_LISTEN] = "KAERU_LISTEN",
    [KEY_WORKERS] = "KAERU_WORKERS",
    [KEY_PUBLIC_URL] = "KAERU_PUBLIC_URL",
    [KEY_SECRET] = "KAERU_SECRET",
    [KEY_SECRET_FILE] = "KAERU_SECRET_FILE",
    [KEY_LISTEN_GROUP] = "KAERU_LISTEN_GROUP",
    [KEY_LOGIN_LISTEN] = "KAERU_LOGIN_LISTEN",
    [KEY_LOGIN_WORKERS] = "KAERU_LOGIN_WORKERS",
    [KEY_DB_TIMEOUT] = "KAERU_DB_TIMEOUT",
    [KEY_DB_CONNECT_TIMEOUT] = "KAERU_DB_CONNECT_TIMEOUT",
    [KEY_WEBHOOK_ALLOW_PRIVATE] = "KAERU_WEBHOOK_ALLOW_PRIVATE",
    [KEY_RETRY_BASE_SECONDS] = "KAERU_RETRY_BASE_SECONDS",
    [KEY_SMTP_URL] = "KAERU_SMTP_URL",
    [KEY_MAIL_FROM] = "KAERU_MAIL_FROM",
    [KEY_DB_NODES] = "KAERU_DB_NODES",
    [KEY_PHOTO_PROGRAM] = "KAERU_PHOTO_PROGRAM",
    [KEY_PHOTO_TIMEOUT] = "KAERU_PHOTO_TIMEOUT",
    [KEY_PHOTO_CPU_SECONDS] = "KAERU_PHOTO_CPU_SECONDS",
};

/* A whole number in [lo, hi], or -1. */
static long number_in(const char *v, long lo, long hi)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	return errno || end == v || *end || n < lo || n > hi ? -1 : n;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int parse_secret(struct config *c, const char *v)
{
	size_t n = strlen(v);
	while (n && isspace((unsigned char)v[n - 1]))
		n--;
	if (n != SECRET_LEN * 2)
		return -1;
	for (size_t i = 0; i < SECRET_LEN; i++) {
		int hi = hexval(v[2 * i]), lo = hexval(v[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		c->secret[i] = (unsigned char)(hi << 4 | lo);
	}
	c->have_secret = 1;
	return 0;
}

static int apply(struct config *c, enum key k, const char *v, char *err, size_t errlen)
{
	char *end;
	long n;
	switch (k) {
	case KEY_DB_SOCKET:
		set_str(&c->db_socket, v);
		return 0;
	case KEY_DB_HOST:
		set_str(&c->db_host, v);
		return 0;
	case KEY_DB_PORT:
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || *end || n <= 0 || n > 65535)
			break;
		c->db_port = (unsigned)n;
		return 0;
	case KEY_DB_USER:
		set_str(&c->db_user, v);
		return 0;
	case KEY_DB_PASSWORD:
		set_str(&c->db_password, v);
		return 0;
	case KEY_DB_NAME:
		set_str(&c->db_name, v);
		return 0;
	case KEY_DB_NODES:
		set_str(&c->db_nodes, v);
		return 0;
	case KEY_LISTEN:
		set_str(&c->listen, v);
		return 0;
	case KEY_WORKERS:
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || *end || n < 1 || n > 1024)
			break;
		c->workers = (int)n;
		return 0;
	case KEY_PUBLIC_URL:
		set_str(&c->public_url, v);
		return 0;
	case KEY_SMTP_URL:
		set_str(&c->smtp_url, v);
		return 0;
	case KEY_MAIL_FROM:
		if (strchr(v, '<') || strchr(v, '>') || strchr(v, ' ') || !strchr(v, '@'))
			break;
		set_str(&c->mail_from, v);
		return 0;
	case KEY_WEBHOOK_ALLOW_PRIVATE:
		if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0 && *v)
			break;
		c->webhook_allow_private = strcmp(v, "1") == 0;
		return 0;
	case KEY_RETRY_BASE_SECONDS:
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || *end || n < 1 || n > 3600)
			break;
		c->retry_base_s = (int)n;
		return 0;
	case KEY_SECRET:
		if (parse_secret(c, v) == 0)
			return 0;
		snprintf(err, errlen, "KAERU_SECRET must be %d hex digits", SECRET_LEN * 2);
		return -1;
	case KEY_LISTEN_GROUP:
		set_str(&c->listen_group, v);
		return 0;
	case KEY_LOGIN_LISTEN:
		set_str(&c->login_listen, v);
		return 0;
	case KEY_LOGIN_WORKERS:
		if ((n = number_in(v, 1, 64)) < 0)
			break;
		c->login_workers = (int)n;
		return 0;
	case KEY_DB_TIMEOUT:
		if ((n = number_in(v, 1, 3600)) < 0)
			break;
		c->db_timeout_s = (unsigned)n;
		return 0;
	case KEY_DB_CONNECT_TIMEOUT:
		if ((n = number_in(v, 1, 3600)) < 0)
			break;
		c->db_connect_timeout_s = (unsigned)n;
		return 0;
	case KEY_PHOTO_PROGRAM:
		set_str(&c->photo_program, v);
		return 0;
	case KEY_PHOTO_TIMEOUT:
		if ((n = number_in(v, 2, 3600)) < 0)
			break;
		c->photo_timeout_s = (unsigned)n;
		return 0;
	case KEY_PHOTO_CPU_SECONDS:
		if ((n = number_in(v, 1, 3600)) < 0)
			break;
		c->photo_cpu_s = (unsigned)n;
		return 0;
	case KEY_SECRET_FILE: {
		FILE *f = fopen(v, "r");
		char buf[256] = "";
		if (!f || !fgets(buf, sizeof(buf), f) || parse_secret(c, buf) != 0) {
			if (f)
				fclose(f);
			snprintf(err, errlen, "KAERU_SECRET_FILE %s: need %d hex digits", v,
			         SECRET_LEN * 2);
			return -1;
		}
		fclose(f);
		return 0;
	}
	default:
		abort();
	}
	snprintf(err, errlen, "%s: bad value \"%s\"", key_names[k], v);
	return -1;
}

static int key_find(const char *name)
{
	for (int k = 0; k < KEY__MAX; k++)
		if (strcmp(key_names[k], name) == 0)
			return k;
	return -1;
}

static int load_file(struct config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char line[1024];
	int lineno = 0, rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		lineno++;
		char *p = line, *eq;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '#' || *p == '\0')
			continue;
		p[strcspn(p, "\r\n")] = '\0';
		if (!(eq = strchr(p, '='))) {
			snprintf(err, errlen, "%s:%d: expected KEY=VALUE", path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		int k = key_find(p);
		if (k < 0) {
			snprintf(err, errlen, "%s:%d: unknown setting %s", path, lineno, p);
			rc = -1;
			break;
		}
		rc = apply(c, (enum key)k, eq + 1, err, errlen);
	}
	fclose(f);
	return rc;
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->db_host = xstrdup("127.0.0.1");
	c->db_port = 3306;
	c->db_user = xstrdup("kaeru");
	c->db_password = xstrdup("");
	c->db_name = xstrdup("kaeru");
	c->listen = xstrdup("127.0.0.1:9000");
	c->public_url = xstrdup("");
	c->workers = 4;
	c->login_workers = 2;
	c->db_timeout_s = 10;
	c->db_connect_timeout_s = 3;
	c->retry_base_s = 15;
	c->photo_timeout_s = 30;
	c->photo_cpu_s = 20;
	if (!path)
		path = getenv("KAERU_CONFIG");
	if (path && *path && load_file(c, path, err, errlen) != 0)
		return -1;
	for (int k = 0; k < KEY__MAX; k++) {
		const char *v = getenv(key_names[k]);
		if (v && apply(c, (enum key)k, v, err, errlen) != 0)
			return -1;
	}
	return 0;
}

void config_free(struct config *c)
{
	free(c->db_socket);
	free(c->db_host);
	free(c->db_user);
	free(c->db_password);
	free(c->db_name);
	free(c->listen);
	free(c->public_url);
	free(c->listen_group);
	free(c->login_listen);
	free(c->smtp_url);
	free(c->mail_from);
	free(c->db_nodes);
	free(c->photo_program);
	memset(c, 0, sizeof(*c));
}
