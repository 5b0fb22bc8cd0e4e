/* bench/bare_serve.c — the bench's bare libfcgi responders' threads and socket (bare_serve.h). */
#define _POSIX_C_SOURCE 200809L

#include "bench/bare_serve.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int listen_fd = -1;
static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
	shutdown(listen_fd, SHUT_RDWR); /* wakes every blocked accept */
}

static void *worker(void *arg)
{
	const struct bare_handler *h = arg;
	void *state = h->setup ? h->setup() : NULL;
	FCGX_Request req;
	FCGX_InitRequest(&req, listen_fd, 0);
	while (!stopping && FCGX_Accept_r(&req) == 0) {
		h->answer(state, &req);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	if (h->teardown)
		h->teardown(state);
	return NULL;
}

int bare_serve(const struct bare_handler *h, int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s SOCKET [WORKERS]\n", h->name);
		return 2;
	}
	int workers = argc == 3 ? atoi(argv[2]) : 16;
	if (workers < 1 || workers > 1024) {
		fprintf(stderr, "%s: WORKERS must be 1 to 1024\n", h->name);
		return 2;
	}
	if (FCGX_Init() != 0)
		return 1;
	unlink(argv[1]);
	listen_fd = FCGX_OpenSocket(argv[1], 1024);
	if (listen_fd < 0) {
		fprintf(stderr, "%s: cannot listen on %s\n", h->name, argv[1]);
		return 1;
	}
	chmod(argv[1], 0666);

	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	pthread_t *threads = calloc((size_t)workers, sizeof(*threads));
	if (!threads)
		return 1;
	for (int i = 0; i < workers; i++)
		if (pthread_create(&threads[i], NULL, worker, (void *)h) != 0) {
			fprintf(stderr, "%s: cannot start worker %d\n", h->name, i);
			return 1;
		}
	for (int i = 0; i < workers; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	close(listen_fd);
	unlink(argv[1]);
	return 0;
}
