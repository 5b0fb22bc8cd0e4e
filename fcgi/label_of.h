/* A return's 4×6 label as PDF, for the label endpoint and the "return started" e-mail. */
#ifndef KAERU_FCGI_LABEL_OF_H
#define KAERU_FCGI_LABEL_OF_H

#include "db/store.h"

#include <stdbool.h>

/* Renders the label of ret (its items loaded) for merchant m. On true, *pdf is malloc'd (the
 * caller frees) and *len its size; strings are built in arena. */
bool return_label_pdf(struct arena *arena, const struct ret *ret, const struct merchant *m,
                      unsigned char **pdf, size_t *len);

#endif
