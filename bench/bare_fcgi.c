/* bench/bare_fcgi.c — kaeru-bench-bare: the smallest libfcgi responder, the FastCGI ceiling of
 * ./kaeru bench. N threads (like kaeru-fcgi's workers) accept on one socket and answer every
 * request with a small fixed JSON; no database, no parsing, no allocation per request.
 *
 *   kaeru-bench-bare SOCKET [WORKERS]
 *
 * SIGTERM/SIGINT: stop accepting and exit. */
#define _POSIX_C_SOURCE 200809L

#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int listen_fd = -1;
static volatile sig_atomic_t stopping;

static const char answer[] = "Status: 200 OK\r\n"
                             "Content-Type: application/json\r\n"
                             "Cache-Control: no-store\r\n"
                             "\r\n"
                             "{\"status\":\"ok\",\"bench\":\"bare-fcgi\"}";

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
	shutdown(listen_fd, SHUT_RDWR); /* wakes every blocked accept */
}

static void *worker(void *arg)
{
	(void)arg;
	FCGX_Request req;
	FCGX_InitRequest(&req, listen_fd, 0);
	while (!stopping && FCGX_Accept_r(&req) == 0) {
		FCGX_PutStr(answer, (int)sizeof(answer) - 1, req.out);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: kaeru-bench-bare SOCKET [WORKERS]\n");
		return 2;
	}
	int workers = argc == 3 ? atoi(argv[2]) : 16;
	if (workers < 1 || workers > 1024) {
		fprintf(stderr, "kaeru-bench-bare: WORKERS must be 1 to 1024\n");
		return 2;
	}
	if (FCGX_Init() != 0)
		return 1;
	unlink(argv[1]);
	listen_fd = FCGX_OpenSocket(argv[1], 1024);
	if (listen_fd < 0) {
		fprintf(stderr, "kaeru-bench-bare: cannot listen on %s\n", argv[1]);
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
		if (pthread_create(&threads[i], NULL, worker, NULL) != 0) {
			fprintf(stderr, "kaeru-bench-bare: cannot start worker %d\n", i);
			return 1;
		}
	for (int i = 0; i < workers; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	close(listen_fd);
	unlink(argv[1]);
	return 0;
}
