/* JSON shapes of the API (see docs/openapi.yaml), built from records. Each returns a new
 * reference the caller owns. */
#ifndef KAERU_FCGI_RENDER_H
#define KAERU_FCGI_RENDER_H

#include "db/store.h"
#include "fcgi/http.h"

#include <jansson.h>

json_t *render_policy(const struct policy *p);
/* {slug, name, currency} */
json_t *render_merchant_brief(const struct merchant *m);
/* The stored order as the shop sent it. */
json_t *render_order(const struct order *o);
/* A JSON text stored by kaeru (an address, an event detail) back as JSON; null when NULL. */
json_t *render_stored_json(const char *text);
/* A return as its customer and staff see it, links included. */
json_t *render_return(struct req *r, const struct ret *ret, const struct merchant *m);

#endif
