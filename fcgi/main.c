/* kaeru-fcgi: N worker threads, each with its own MariaDB connection and arena, accepting
 * FastCGI requests from nginx on one socket, and a few more on a second socket for sign-ins. No
 * state of its own: every process behind the same nginx and database is interchangeable.
 * SIGTERM/SIGINT: finish the requests in flight, then exit. */
#include "db/db.h"
#include "fcgi/handlers.h"
#include "fcgi/photo_child.h"
#include "util/config.h"

#include <errno.h>
#include <fcntl.h>
#include <fcgiapp.h>
#include <grp.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The sockets: the general one, and (KAERU_LOGIN_LISTEN) the one for sign-ins, served by a
 * pool of its own so that password checks never hold the workers that serve scans. */
enum pool_kind { POOL_GENERAL, POOL_LOGIN, POOL__MAX };
struct pool {
	int fd; /* -1: not listening */
	const char *path;
	int threads;
	const struct config *cfg;
};
static struct pool pools[POOL__MAX] = {{.fd = -1}, {.fd = -1}};
/* Set by the signal handler, read by every worker: a lock-free atomic is safe for both. */
static atomic_bool stopping;

static void on_stop(int sig)
{
	(void)sig;
	atomic_store(&stopping, true);
	for (int p = 0; p < POOL__MAX; p++) /* async-signal-safe: wakes every blocked accept */
		if (pools[p].fd >= 0)
			shutdown(pools[p].fd, SHUT_RDWR);
}

/* One thread of a pool: accepts on its socket, one request at a time, with its own MariaDB
 * connection and arena. */
static void *worker(void *arg)
{
	const struct pool *pool = arg;
	const struct config *cfg = pool->cfg;
	struct arena arena = {0};
	struct db db;
	if (db_open(&db, cfg, &arena) != KAERU_OK)
		fprintf(stderr, "kaeru-fcgi: database not reachable yet (%s); will retry\n",
		        db.last_error);
	FCGX_Request fcgx;
	FCGX_InitRequest(&fcgx, pool->fd, 0);
	while (!atomic_load(&stopping) && FCGX_Accept_r(&fcgx) == 0) {
		struct req r = {.fcgx = &fcgx,
		                .arena = &arena,
		                .db = &db,
		                .cfg = cfg,
		                .now = (int64_t)time(NULL)};
		db_sync_next(&db);
		if (req_read(&r))
			route_dispatch(&r);
		req_done(&r);
		FCGX_Finish_r(&fcgx);
		arena_reset(&arena);
	}
	FCGX_Free(&fcgx, 1);
	db_close(&db);
	db_thread_end();
	arena_free(&arena);
	return NULL;
}

/* The group the sockets get: KAERU_LISTEN_GROUP, else www-data when it exists (the group
 * nginx runs as on Debian), else ours ((gid_t)-1). 0, or -1 with a message. */
static int listen_group(const struct config *cfg, gid_t *gid)
{
	const char *name = cfg->listen_group && *cfg->listen_group ? cfg->listen_group : NULL;
	struct group *g = getgrnam(name ? name : "www-data");
	if (!g && name) {
		fprintf(stderr, "kaeru-fcgi: KAERU_LISTEN_GROUP %s: no such group\n", name);
		return -1;
	}
	*gid = g ? g->gr_gid : (gid_t)-1;
	return 0;
}

/* Listens on path ("/unix.sock" or "host:port"). A unix socket is created 0660 and given
 * group: only nginx's workers (and this user) may speak FastCGI to it, since whoever can
 * forges REMOTE_ADDR, HTTPS and Origin. The fd, or -1 with a message. */
static int open_socket(const char *path, gid_t group)
{
	bool unix_socket = path[0] == '/';
	mode_t old = umask(0117); /* no moment at which the socket is open to others */
	int fd = FCGX_OpenSocket(path, 1024);
	umask(old);
	if (fd < 0) {
		fprintf(stderr, "kaeru-fcgi: cannot listen on %s\n", path);
		return -1;
	}
	/* kept from kaeru-photo (which is also given none but its pipes: photo_child.c) */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (!unix_socket)
		return fd;
	if (group != (gid_t)-1 && chown(path, (uid_t)-1, group) != 0) {
		fprintf(stderr, "kaeru-fcgi: cannot give %s to group %u: %s\n", path,
		        (unsigned)group, strerror(errno));
		close(fd);
		return -1;
	}
	if (chmod(path, 0660) != 0) {
		fprintf(stderr, "kaeru-fcgi: chmod %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void usage(void)
{
	fprintf(stderr, "usage: kaeru-fcgi [-c config-file]\n"
	                "Settings (file lines or environment): KAERU_LISTEN, KAERU_WORKERS,\n"
	                "KAERU_DB_SOCKET | KAERU_DB_HOST + KAERU_DB_PORT, KAERU_DB_USER,\n"
	                "KAERU_DB_PASSWORD, KAERU_DB_NAME, KAERU_SECRET | KAERU_SECRET_FILE,\n"
	                "KAERU_PUBLIC_URL, KAERU_LISTEN_GROUP, KAERU_DB_TIMEOUT,\n"
	                "KAERU_DB_CONNECT_TIMEOUT, KAERU_LOGIN_LISTEN, KAERU_LOGIN_WORKERS,\n"
	                "KAERU_PHOTO_PROGRAM, KAERU_PHOTO_TIMEOUT, KAERU_PHOTO_CPU_SECONDS.\n");
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "c:h")) != -1) {
		if (opt == 'c') {
			path = optarg;
		} else {
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	struct config cfg;
	char err[256];
	if (config_load(&cfg, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "kaeru-fcgi: %s\n", err);
		return 2;
	}
	if (!cfg.have_secret) {
		fprintf(stderr, "kaeru-fcgi: set KAERU_SECRET or KAERU_SECRET_FILE (64 hex digits, "
		                "the same for every process)\n");
		return 2;
	}
	if (sodium_init() < 0 || FCGX_Init() != 0) {
		fprintf(stderr, "kaeru-fcgi: cannot initialise libsodium or libfcgi\n");
		return 1;
	}
	db_library_init();
	/* A photo upload's body and kaeru-photo's reply (megabytes each, in the request's arena)
	 * are mapped and unmapped on their own. Left to glibc, the threshold rises after the first
	 * such free and later ones land in each worker thread's heap, whose top glibc keeps:
	 * 20 uploads of 12-megapixel photos left 21 MB of anonymous memory with 8 workers, 4 MB
	 * with this. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	/* Two malloc heaps a core, not one for each worker thread (glibc's default, up to
	 * eight a core): each heap keeps what its threads freed, so sixteen workers on two cores
	 * held sixteen heaps' worth of free pieces. Only as many threads as cores run at once. */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	mallopt(M_ARENA_MAX, (int)(cores > 0 ? 2 * cores : 4));
	if (photo_child_init(&cfg) != 0) /* kaeru-photo reads uploaded photos (photo_child.c) */
		return 2;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	gid_t group;
	if (listen_group(&cfg, &group) != 0)
		return 2;
	pools[POOL_GENERAL] = (struct pool){-1, cfg.listen, cfg.workers, &cfg};
	if (cfg.login_listen && *cfg.login_listen)
		pools[POOL_LOGIN] = (struct pool){-1, cfg.login_listen, cfg.login_workers, &cfg};
	for (int p = 0; p < POOL__MAX; p++)
		if (pools[p].path && (pools[p].fd = open_socket(pools[p].path, group)) < 0)
			return 1;

	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int total =
	    pools[POOL_GENERAL].threads + (pools[POOL_LOGIN].path ? pools[POOL_LOGIN].threads : 0);
	pthread_t *threads = xcalloc((size_t)total, sizeof(*threads));
	int started = 0;
	for (int p = 0; p < POOL__MAX; p++)
		for (int i = 0; pools[p].path && i < pools[p].threads; i++)
			if (pthread_create(&threads[started++], NULL, worker, &pools[p]) != 0) {
				fprintf(stderr, "kaeru-fcgi: cannot start worker %d\n", i);
				return 1;
			}
	fprintf(stderr, "kaeru-fcgi: %d workers on %s\n", cfg.workers, cfg.listen);
	if (pools[POOL_LOGIN].path)
		fprintf(stderr, "kaeru-fcgi: %d sign-in workers on %s\n", cfg.login_workers,
		        cfg.login_listen);
	for (int i = 0; i < total; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	for (int p = 0; p < POOL__MAX; p++) {
		if (!pools[p].path)
			continue;
		close(pools[p].fd);
		if (pools[p].path[0] == '/')
			unlink(pools[p].path);
	}
	db_library_end();
	config_free(&cfg);
	fprintf(stderr, "kaeru-fcgi: stopped\n");
	return 0;
}
