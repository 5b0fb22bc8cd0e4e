/* bench/bare_serve.h — what the bench's bare libfcgi responders share (kaeru-bench-bare,
 * kaeru-bench-lookup): N threads accepting on one socket until SIGTERM or SIGINT. */
#ifndef KAERU_BENCH_BARE_SERVE_H
#define KAERU_BENCH_BARE_SERVE_H

#include <fcgiapp.h>

/* Per thread: setup(arg) once (NULL: no state; it may exit the process when it cannot start),
 * answer(state, req) for each request, teardown(state) when stopping. */
struct bare_handler {
	const char *name; /* the program's name, for its messages */
	void *(*setup)(void);
	void (*answer)(void *state, FCGX_Request *req);
	void (*teardown)(void *state);
};

/* Runs the responder of argv (SOCKET [WORKERS], 16 by default): opens SOCKET (mode 0666), starts
 * the threads and waits for them. The process's exit status: 0, 1 when it could not start, 2 on
 * bad arguments. */
int bare_serve(const struct bare_handler *h, int argc, char **argv);

#endif
