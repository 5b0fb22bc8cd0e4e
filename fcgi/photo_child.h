/* kaeru-photo, run by kaeru-fcgi once per upload: the photo on its stdin, its renditions back on
 * its stdout (photo/protocol.h), within a wall-clock timeout and its own limits. kaeru-fcgi
 * itself never decodes an image. */
#ifndef KAERU_FCGI_PHOTO_CHILD_H
#define KAERU_FCGI_PHOTO_CHILD_H

#include "photo/protocol.h"
#include "util/config.h"
#include "util/mem.h"

/* How a run of kaeru-photo ended. */
enum photo_outcome {
	PHOTO_ANSWERED,    /* a reply, read and checked: its verdict says the rest */
	PHOTO_TOO_COSTLY,  /* killed for spending its CPU seconds: the image costs too much */
	PHOTO_FAILED,      /* it crashed, exited in error or replied nonsense: not an image kaeru
	                      can read */
	PHOTO_TIMED_OUT,   /* not done within the wall-clock timeout (the machine is busy, or the
	                      decoder stuck): killed; another try may work */
	PHOTO_UNAVAILABLE, /* it cannot be run here (missing, or cannot start), or it was stopped
	                      from outside (SIGTERM): another try may work */
	PHOTO_OUTCOME__MAX
};

/* Finds kaeru-photo — KAERU_PHOTO_PROGRAM, else beside this executable — and keeps the limits of
 * cfg for every run. Once, before any thread. 0, or -1 with a message on stderr. */
int photo_child_init(const struct config *cfg);
/* Runs kaeru-photo over len bytes of buf and waits for it, at most the timeout; the child is
 * always reaped. On PHOTO_ANSWERED, *out is its reply, the renditions' bytes in the arena. */
enum photo_outcome photo_child_render(struct arena *a, const void *buf, size_t len,
                                      struct photo_reply *out);
/* The wall-clock seconds and CPU seconds a run may take, for the answers that name them. */
unsigned photo_child_timeout(void);
unsigned photo_child_cpu_seconds(void);

#endif
