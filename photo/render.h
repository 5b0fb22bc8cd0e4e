/* kaeru-photo's work: an uploaded image read with libvips into upright renditions without
 * metadata. render.c says why libvips and what is kept. */
#ifndef KAERU_PHOTO_RENDER_H
#define KAERU_PHOTO_RENDER_H

#include "photo/protocol.h"

#include <stddef.h>

/* Starts libvips, once: no operation cache, one thread, only the loaders kaeru takes. false
 * when it cannot start. */
bool photo_library_init(const char *argv0);
/* Reads buf (len bytes) and makes its renditions into *out: its kind by magic, its size in
 * pixels from the header before any pixel is decoded, then every rendition. The verdict is also
 * out->verdict; on PHOTO_OK the renditions' bytes are g_malloc'd, photo_render_free gives
 * them back. */
enum photo_verdict photo_render(const void *buf, size_t len, struct photo_reply *out);
void photo_render_free(struct photo_reply *r);

#endif
