/* bench/bare_fcgi.c — kaeru-bench-bare: the smallest libfcgi responder, the FastCGI ceiling of
 * ./kaeru bench. N threads (like kaeru-fcgi's workers) accept on one socket and answer every
 * request with a small fixed JSON; no database, no parsing, no allocation per request.
 *
 *   kaeru-bench-bare SOCKET [WORKERS]
 *
 * SIGTERM/SIGINT: stop accepting and exit. */
#include "bench/bare_serve.h"

static const char answer[] = "Status: 200 OK\r\n"
                             "Content-Type: application/json\r\n"
                             "Cache-Control: no-store\r\n"
                             "\r\n"
                             "{\"status\":\"ok\",\"bench\":\"bare-fcgi\"}";

static void fixed_answer(void *state, FCGX_Request *req)
{
	(void)state;
	FCGX_PutStr(answer, (int)sizeof(answer) - 1, req->out);
}

int main(int argc, char **argv)
{
	static const struct bare_handler h = {.name = "kaeru-bench-bare", .answer = fixed_answer};
	return bare_serve(&h, argc, argv);
}
