/* Customer e-mail: the messages kaeru-worker sends, composed as MIME (text and HTML
 * alternatives, the label attached) and sent through libcurl's SMTP. */
#ifndef KAERU_WORKER_MAIL_H
#define KAERU_WORKER_MAIL_H

#include "db/events.h"
#include "util/config.h"

#include <stdbool.h>
#include <stddef.h>

/* An RFC 2047 encoded-word sequence (=?UTF-8?B?…?=, each word at most 75 characters, never
 * splitting a character) for s, in arena; s itself when it is printable ASCII. */
char *mail_header_word(struct arena *a, const char *s);

/* Composes and sends e-mail job for its return. Returns true when the server took it; else
 * why in err. */
bool mail_send(struct db *db, const struct config *cfg, const struct email_job *job, char *err,
               size_t errlen);

#endif
