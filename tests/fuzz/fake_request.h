/* A FastCGI request held in memory, for unit tests and fuzzers: its params, a body that
 * kaeru reads through libfcgi's stream calls, and the answer written into a buffer. */
#ifndef KAERU_TESTS_FAKE_REQUEST_H
#define KAERU_TESTS_FAKE_REQUEST_H

#include "fcgi/http.h"

#define FAKE_PARAMS_MAX 32

struct fake_request {
	FCGX_Request fcgx;
	FCGX_Stream in, out;
	char *envp[FAKE_PARAMS_MAX + 1];
	unsigned char *body;
	unsigned char *answer;
	size_t answer_cap;
	struct arena arena;
	struct config cfg;
	struct req req;
};

/* Sets f up with params ("NAME=value" strings, at most FAKE_PARAMS_MAX, NULL-terminated; they
 * are copied) and a body of len bytes (copied), and f->req ready for req_read(). */
void fake_request_init(struct fake_request *f, const char *const *params, const void *body,
                       size_t len);
/* The answer written so far (head and body), NUL-terminated; *len its length. */
const char *fake_answer(struct fake_request *f, size_t *len);
/* The status of the answer ("Status: 422 …"), or 0 when none was written. */
int fake_status(struct fake_request *f);
/* The answer's body (after the blank line), or "". */
const char *fake_body(struct fake_request *f);
/* Releases what init and the request took. */
void fake_request_free(struct fake_request *f);

#endif
