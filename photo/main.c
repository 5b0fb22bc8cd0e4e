/* kaeru-photo: one uploaded photo in, its renditions out (photo/protocol.h), then exit.
 * kaeru-fcgi runs it once per upload (fcgi/photo_child.c) so that the image decoders — the
 * classic target of hostile files — and the hundred libraries libvips brings run in a process
 * that holds nothing else: no socket, no secret, no other request. Before it reads a byte it
 * bounds itself: CPU seconds (argument, else PHOTO_CPU_SECONDS), address space, no core file,
 * and death with the thread that started it; once libvips has started and the upload is read,
 * before a decoder sees a byte, a seccomp filter leaves it no file, socket, process or signal
 * to reach anything but its own pipes (photo/sandbox.h).
 *
 *   kaeru-photo [--cpu-seconds N]  < upload  > reply
 *
 * Exit 0 with a reply (whatever its verdict); PHOTO_EXIT_USAGE, PHOTO_EXIT_UNUSABLE
 * (photo/protocol.h), or 1 when the reply cannot be written. */
#include "photo/protocol.h"
#include "photo/render.h"
#include "photo/sandbox.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <vips/vips.h>

/* CPU seconds an upload may take when kaeru-fcgi names none: the six renditions of a
 * 40-megapixel HEIC, the slowest photo kaeru takes, took 14 s of one core of the 2-core EPYC
 * machine kaeru is measured on (HEIC has no shrink-on-load: each one decodes it whole). */
#define PHOTO_CPU_SECONDS 20
/* Address space the decoders may map beyond what is mapped when kaeru-photo starts (its code
 * and libraries; under AddressSanitizer, its shadow too): the largest photo kaeru takes needs
 * about 320 MB (a 40-megapixel HEIC decoded whole). */
#define PHOTO_MEMORY_MAX (1024L * 1024 * 1024)

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* Whether LeakSanitizer checks this process at exit: built with AddressSanitizer and not told
 * otherwise by its options (the tests run a strict filter with detect_leaks=0). */
static bool leak_check_at_exit(void)
{
	if (!UNDER_ASAN)
		return false;
	static const char *const options[] = {"ASAN_OPTIONS", "LSAN_OPTIONS"};
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		const char *v = getenv(options[i]);
		if (v && (strstr(v, "detect_leaks=0") || strstr(v, "detect_leaks=false")))
			return false;
	}
	return true;
}

/* Bytes of address space mapped now, from /proc/self/statm; 0 when unknown. */
static rlim_t mapped_now(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long pages = 0;
	if (f) {
		if (fscanf(f, "%lu", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE);
}

/* The bounds of this process. 0, or -1 with a message. */
static int bound_self(unsigned cpu_seconds)
{
	/* SIGXCPU (fatal) at the soft limit; SIGKILL a second later should it be caught. */
	struct rlimit cpu = {cpu_seconds, cpu_seconds + 1};
	struct rlimit as = {mapped_now() + PHOTO_MEMORY_MAX, mapped_now() + PHOTO_MEMORY_MAX};
	struct rlimit core = {0, 0}; /* a crash on a hostile file leaves no image of it on disk */
	if (setrlimit(RLIMIT_CPU, &cpu) != 0 || setrlimit(RLIMIT_AS, &as) != 0 ||
	    setrlimit(RLIMIT_CORE, &core) != 0) {
		fprintf(stderr, "kaeru-photo: setrlimit: %s\n", strerror(errno));
		return -1;
	}
	/* Gone with the kaeru-fcgi thread that started it: nobody would read the reply. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	return 0;
}

/* Reads fd to its end into buf (cap bytes); the bytes read, or -1 on an error or when there are
 * more than cap. */
static ssize_t read_all(int fd, unsigned char *buf, size_t cap)
{
	size_t got = 0;
	for (;;) {
		ssize_t n = read(fd, buf + got, cap + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return (ssize_t)got;
		got += (size_t)n;
		if (got > cap)
			return -1;
	}
}

static bool write_all(int fd, const void *p, size_t len)
{
	const unsigned char *b = p;
	while (len) {
		ssize_t n = write(fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		b += n;
		len -= (size_t)n;
	}
	return true;
}

/* Writes the reply of r to fd. */
static bool reply_write(int fd, const struct photo_reply *r)
{
	size_t total = PHOTO_REPLY_HEADER_LEN;
	for (size_t i = 0; i < r->n; i++)
		total += PHOTO_RENDITION_HEADER_LEN + r->r[i].len;
	if (total > PHOTO_REPLY_MAX) {
		fprintf(stderr, "kaeru-photo: renditions of %zu bytes: more than a reply holds\n",
		        total);
		return false;
	}
	unsigned char head[PHOTO_REPLY_HEADER_LEN];
	photo_reply_header(head, total, r->verdict, r->width, r->height, r->n);
	if (!write_all(fd, head, sizeof(head)))
		return false;
	for (size_t i = 0; i < r->n; i++) {
		unsigned char rh[PHOTO_RENDITION_HEADER_LEN];
		photo_rendition_header(rh, r->r[i].format, r->r[i].width, r->r[i].height,
		                       r->r[i].len);
		if (!write_all(fd, rh, sizeof(rh)) || !write_all(fd, r->r[i].bytes, r->r[i].len))
			return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	unsigned cpu_seconds = PHOTO_CPU_SECONDS;
	if (argc == 3 && strcmp(argv[1], "--cpu-seconds") == 0) {
		char *end;
		unsigned long n = strtoul(argv[2], &end, 10);
		if (*end || n < 1 || n > 3600) {
			fprintf(stderr, "kaeru-photo: --cpu-seconds: 1 to 3600\n");
			return PHOTO_EXIT_USAGE;
		}
		cpu_seconds = (unsigned)n;
	} else if (argc != 1) {
		fprintf(stderr, "usage: kaeru-photo [--cpu-seconds N] < image > reply\n");
		return PHOTO_EXIT_USAGE;
	}
	if (bound_self(cpu_seconds) != 0)
		return PHOTO_EXIT_UNUSABLE;
	unsigned char *in = malloc(PHOTO_INPUT_MAX + 1);
	ssize_t len = in ? read_all(STDIN_FILENO, in, PHOTO_INPUT_MAX) : -1;
	if (len < 0) {
		fprintf(stderr, "kaeru-photo: no image of at most %d bytes on stdin\n",
		        PHOTO_INPUT_MAX);
		free(in);
		return PHOTO_EXIT_USAGE;
	}
	if (!photo_library_init(argv[0])) {
		fprintf(stderr, "kaeru-photo: cannot start libvips: %s\n", vips_error_buffer());
		free(in);
		return PHOTO_EXIT_UNUSABLE;
	}
	if (!photo_sandbox(leak_check_at_exit())) {
		fprintf(stderr, "kaeru-photo: cannot put on its seccomp filter: %s\n",
		        strerror(errno));
		free(in);
		return PHOTO_EXIT_UNUSABLE;
	}
	struct photo_reply r;
	photo_render(in, (size_t)len, &r);
	free(in);
	bool written = reply_write(STDOUT_FILENO, &r);
	photo_render_free(&r);
	vips_shutdown();
	if (!written) {
		fprintf(stderr, "kaeru-photo: reply not written: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
