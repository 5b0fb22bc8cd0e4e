#include "tests/fuzz/fake_request.h"

#include <stdlib.h>
#include <string.h>

static void reader_empty(FCGX_Stream *s)
{
	s->isClosed = 1; /* the whole body was there from the start */
}

/* The writer's buffer is full: double it, keeping what was written. */
static void writer_grow(FCGX_Stream *s, int do_close)
{
	struct fake_request *f = s->data;
	size_t used = (size_t)(s->wrNext - f->answer);
	if (do_close)
		return;
	f->answer_cap = f->answer_cap ? f->answer_cap * 2 : 4096;
	f->answer = xrealloc(f->answer, f->answer_cap + 1);
	s->wrNext = f->answer + used;
	s->stop = f->answer + f->answer_cap;
}

void fake_request_init(struct fake_request *f, const char *const *params, const void *body,
                       size_t len)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; params && params[i] && i < FAKE_PARAMS_MAX; i++)
		f->envp[i] = xstrdup(params[i]);
	f->body = xmalloc(len + 1);
	if (len)
		memcpy(f->body, body, len);
	f->in = (FCGX_Stream){.rdNext = f->body,
	                      .wrNext = f->body + len,
	                      .stop = f->body + len,
	                      .stopUnget = f->body,
	                      .isReader = 1,
	                      .fillBuffProc = reader_empty,
	                      .data = f};
	f->out = (FCGX_Stream){.emptyBuffProc = writer_grow, .data = f};
	writer_grow(&f->out, 0);
	f->fcgx.in = &f->in;
	f->fcgx.out = &f->out;
	f->fcgx.envp = f->envp;
	memset(f->cfg.secret, 7, sizeof(f->cfg.secret));
	f->cfg.have_secret = true;
	f->req =
	    (struct req){.fcgx = &f->fcgx, .arena = &f->arena, .cfg = &f->cfg, .now = 1790000000};
}

const char *fake_answer(struct fake_request *f, size_t *len)
{
	size_t n = (size_t)(f->out.wrNext - f->answer);
	f->answer[n] = '\0';
	if (len)
		*len = n;
	return (const char *)f->answer;
}

int fake_status(struct fake_request *f)
{
	const char *a = fake_answer(f, NULL);
	return strncmp(a, "Status: ", 8) == 0 ? atoi(a + 8) : 0;
}

const char *fake_body(struct fake_request *f)
{
	const char *a = fake_answer(f, NULL), *blank = strstr(a, "\r\n\r\n");
	return blank ? blank + 4 : "";
}

void fake_request_free(struct fake_request *f)
{
	req_done(&f->req);
	for (size_t i = 0; f->envp[i]; i++)
		free(f->envp[i]);
	free(f->body);
	free(f->answer);
	arena_free(&f->arena);
}
