/* Settings of kaeru-fcgi and kaeru-admin: a KEY=VALUE file, then the environment on top. */
#ifndef KAERU_UTIL_CONFIG_H
#define KAERU_UTIL_CONFIG_H

#include <stddef.h>

#define SECRET_LEN 32

struct config {
	char *db_socket;   /* KAERU_DB_SOCKET: unix socket; wins over host/port when set */
	char *db_host;     /* KAERU_DB_HOST [127.0.0.1] */
	unsigned db_port;  /* KAERU_DB_PORT [3306] */
	char *db_user;     /* KAERU_DB_USER [kaeru] */
	char *db_password; /* KAERU_DB_PASSWORD [""] */
	char *db_name;     /* KAERU_DB_NAME [kaeru] */
	char *db_nodes; /* KAERU_DB_NODES: the other nodes of a Galera cluster, tried in order when
	                   the first is gone or not synced: "/path/to.sock,host:port,…" [none] */
	char *listen;   /* KAERU_LISTEN: "/path/to.sock" or "127.0.0.1:9000" */
	int workers;    /* KAERU_WORKERS [4], threads of kaeru-fcgi, one connection each */
	char *listen_group;    /* KAERU_LISTEN_GROUP [www-data when it exists]: owns the sockets,
	                          which are 0660 */
	char *login_listen;    /* KAERU_LOGIN_LISTEN: a second socket for POST /api/v1/session only
	                          [none: sign-ins share KAERU_LISTEN] */
	int login_workers;     /* KAERU_LOGIN_WORKERS [2], threads serving the login socket */
	unsigned db_timeout_s; /* KAERU_DB_TIMEOUT [10]: read and write timeout
	                                  (kaeru-admin: at least 3600) */
	unsigned db_connect_timeout_s; /* KAERU_DB_CONNECT_TIMEOUT [3] */
	char
	    *public_url; /* KAERU_PUBLIC_URL: scheme://host[:port], for absolute links; may be "" */
	int webhook_allow_private; /* KAERU_WEBHOOK_ALLOW_PRIVATE [0]: 1 lets webhooks reach
	                              loopback, private and link-local addresses (dev, tests) */
	int retry_base_s; /* KAERU_RETRY_BASE_SECONDS [15]: the first webhook retry's pause;
	                     each later one doubles it */
	char
	    *smtp_url; /* KAERU_SMTP_URL: smtp://host:port or smtps://… [none: no e-mail is sent] */
	char *mail_from; /* KAERU_MAIL_FROM: the sender address, shown with the merchant's name */
	char *photo_program;      /* KAERU_PHOTO_PROGRAM: kaeru-photo, which reads uploaded photos
	                             [kaeru-photo beside kaeru-fcgi] */
	unsigned photo_timeout_s; /* KAERU_PHOTO_TIMEOUT [30]: wall-clock seconds a photo may take
	                             to read; then kaeru-photo is killed and the upload is 503 */
	unsigned photo_cpu_s;     /* KAERU_PHOTO_CPU_SECONDS [20]: CPU seconds it may take; then
	                             the upload is 422. Below KAERU_PHOTO_TIMEOUT. */
	unsigned char secret[SECRET_LEN]; /* KAERU_SECRET (64 hex digits) or KAERU_SECRET_FILE */
	int have_secret;
};

/* Fills *c from the file at path (NULL: $KAERU_CONFIG, or none), then the environment.
 * Returns 0, or -1 with a message in err. Strings are owned by *c; config_free releases them. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);
void config_free(struct config *c);

#endif
