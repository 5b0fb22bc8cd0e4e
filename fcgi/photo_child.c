/* Running kaeru-photo (photo/main.c) for an upload, from one of kaeru-fcgi's worker threads.
 *
 * posix_spawn (a vfork: nothing of kaeru-fcgi's memory is copied), no shell. The child gets
 * two pipes as stdin and stdout, kaeru-fcgi's stderr (its log), and nothing else: every other
 * descriptor — the FastCGI sockets, the MariaDB connections, other requests' — is closed in
 * the child (closefrom), whatever its close-on-exec flag. Its environment is empty but for the
 * sanitizers' options: the database password or the secret, should they be set in
 * kaeru-fcgi's, never reach a decoder.
 *
 * The body is written and the reply read in one poll loop, with the child's exit watched
 * through a pidfd, until the reply is whole and the child gone, or the wall-clock timeout: then
 * it is killed (SIGKILL). It is reaped in every case. What it answers is read into one arena
 * allocation of the size its header announces, at most PHOTO_REPLY_MAX, and checked field by
 * field (photo_reply_parse) before anything is kept. */
#include "fcgi/photo_child.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PHOTO_PROGRAM "kaeru-photo"
#define WRITE_CHUNK   (256 * 1024) /* the body goes out in pieces a pipe takes at once */

/* Set once by photo_child_init before any thread starts; only read after. */
static struct {
	char program[PATH_MAX];
	unsigned timeout_s, cpu_s;
	char *env[4]; /* the sanitizers' options, NULL-terminated */
} photo;

static const char *const passed_env[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"};
_Static_assert(sizeof(passed_env) / sizeof(passed_env[0]) < 4, "env has room for them");

int photo_child_init(const struct config *cfg)
{
	photo.timeout_s = cfg->photo_timeout_s;
	photo.cpu_s = cfg->photo_cpu_s;
	if (photo.cpu_s >= photo.timeout_s) {
		fprintf(
		    stderr,
		    "kaeru-fcgi: KAERU_PHOTO_CPU_SECONDS (%u) must be below KAERU_PHOTO_TIMEOUT "
		    "(%u): an image that costs too much is told apart by its CPU time\n",
		    photo.cpu_s, photo.timeout_s);
		return -1;
	}
	if (cfg->photo_program && *cfg->photo_program) {
		if (strlen(cfg->photo_program) >= sizeof(photo.program)) {
			fprintf(stderr, "kaeru-fcgi: KAERU_PHOTO_PROGRAM is too long\n");
			return -1;
		}
		strcpy(photo.program, cfg->photo_program);
	} else {
		/* beside kaeru-fcgi: installed together, built together */
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0) {
			fprintf(stderr, "kaeru-fcgi: /proc/self/exe: %s\n", strerror(errno));
			return -1;
		}
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (!slash)
			return -1;
		slash[1] = '\0';
		if (snprintf(photo.program, sizeof(photo.program), "%s%s", self, PHOTO_PROGRAM) >=
		    (int)sizeof(photo.program))
			return -1;
	}
	struct stat st;
	errno = 0;
	if (stat(photo.program, &st) != 0 || !S_ISREG(st.st_mode) ||
	    access(photo.program, X_OK) != 0) {
		fprintf(stderr,
		        "kaeru-fcgi: %s: %s — photos are read by kaeru-photo: install it beside "
		        "kaeru-fcgi or name it in KAERU_PHOTO_PROGRAM\n",
		        photo.program, errno ? strerror(errno) : "not a program");
		return -1;
	}
	for (size_t i = 0; photo.env[i]; i++) /* set again (the tests do) */
		free(photo.env[i]);
	size_t k = 0;
	for (size_t i = 0; i < sizeof(passed_env) / sizeof(passed_env[0]); i++) {
		const char *v = getenv(passed_env[i]);
		if (v) {
			size_t need = strlen(passed_env[i]) + strlen(v) + 2;
			photo.env[k] = xmalloc(need);
			snprintf(photo.env[k++], need, "%s=%s", passed_env[i], v);
		}
	}
	photo.env[k] = NULL;
	return 0;
}

unsigned photo_child_timeout(void)
{
	return photo.timeout_s;
}

unsigned photo_child_cpu_seconds(void)
{
	return photo.cpu_s;
}

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The child's stdout as it is read: the header, then the reply it announces. */
struct reply_reader {
	unsigned char head[PHOTO_REPLY_HEADER_LEN];
	unsigned char *reply; /* in the arena, once the header is read */
	size_t total, got;
	bool bad; /* not a reply, or more than it announced */
};

/* Reads what fd has; false at its end (or on an error), true while it stays open. */
static bool reply_read(struct arena *a, struct reply_reader *rr, int fd)
{
	unsigned char extra[1];
	unsigned char *to = extra;
	size_t room = sizeof(extra);
	if (rr->got < PHOTO_REPLY_HEADER_LEN) {
		to = rr->head + rr->got;
		room = PHOTO_REPLY_HEADER_LEN - rr->got;
	} else if (rr->got < rr->total) {
		to = rr->reply + rr->got;
		room = rr->total - rr->got;
	}
	ssize_t n = read(fd, to, room);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		return false;
	if (to == extra) { /* past the length it announced */
		rr->bad = true;
		return false;
	}
	rr->got += (size_t)n;
	if (rr->got == PHOTO_REPLY_HEADER_LEN && !rr->reply) {
		rr->total = photo_reply_length(rr->head);
		if (!rr->total) {
			rr->bad = true;
			return false;
		}
		rr->reply = arena_alloc(a, rr->total);
		memcpy(rr->reply, rr->head, PHOTO_REPLY_HEADER_LEN);
	}
	return true;
}

/* Starts kaeru-photo with stdin from in_r and stdout to out_w; its pid, or -1 with errno. */
static pid_t spawn_photo(int in_r, int out_w)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_r, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out_w, STDOUT_FILENO);
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	posix_spawnattr_init(&at);
	/* no signal blocked, none ignored (kaeru-fcgi ignores SIGPIPE) */
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	char cpu[16];
	snprintf(cpu, sizeof(cpu), "%u", photo.cpu_s);
	char *argv[] = {PHOTO_PROGRAM, "--cpu-seconds", cpu, NULL};
	pid_t pid;
	int rc = posix_spawn(&pid, photo.program, &fa, &at, argv, photo.env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return pid;
}

/* The outcome of a child that ended by itself with status, having used cpu_ms of CPU. */
static enum photo_outcome ended(pid_t pid, int status, int64_t cpu_ms)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		/* SIGXCPU at its CPU limit, SIGKILL at the hard one a second later */
		if (sig == SIGXCPU || (sig == SIGKILL && cpu_ms >= (int64_t)photo.cpu_s * 1000)) {
			fprintf(stderr,
			        "kaeru-fcgi: kaeru-photo (pid %d) spent its %u CPU seconds\n",
			        (int)pid, photo.cpu_s);
			return PHOTO_TOO_COSTLY;
		}
		fprintf(stderr, "kaeru-fcgi: kaeru-photo (pid %d) died of signal %d (%s)\n",
		        (int)pid, sig, strsignal(sig));
		/* stopped from outside (the service stopping, an operator): not the photo's doing
		 */
		if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP)
			return PHOTO_UNAVAILABLE;
		return PHOTO_FAILED;
	}
	int code = WEXITSTATUS(status);
	if (code == 0)
		return PHOTO_ANSWERED;
	fprintf(stderr, "kaeru-fcgi: kaeru-photo (pid %d) exited with status %d\n", (int)pid, code);
	/* 126, 127: not executable, or a library missing (the loader's); its own: cannot work */
	return code == 126 || code == 127 || code == PHOTO_EXIT_UNUSABLE ? PHOTO_UNAVAILABLE
	                                                                 : PHOTO_FAILED;
}

enum photo_outcome photo_child_render(struct arena *a, const void *buf, size_t len,
                                      struct photo_reply *out)
{
	int in[2] = {-1, -1}, outp[2] = {-1, -1};
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(outp, O_CLOEXEC) != 0) {
		fprintf(stderr, "kaeru-fcgi: pipe for kaeru-photo: %s\n", strerror(errno));
		close_fd(&in[0]);
		close_fd(&in[1]);
		return PHOTO_UNAVAILABLE;
	}
	pid_t pid = spawn_photo(in[0], outp[1]);
	int spawn_errno = errno;
	close_fd(&in[0]);
	close_fd(&outp[1]);
	int pidfd = pid > 0 ? pidfd_open(pid, 0) : -1;
	if (pid <= 0 || pidfd < 0) {
		fprintf(stderr, "kaeru-fcgi: cannot run %s: %s\n", photo.program,
		        strerror(pid <= 0 ? spawn_errno : errno));
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		close_fd(&in[1]);
		close_fd(&outp[0]);
		return PHOTO_UNAVAILABLE;
	}
	/* ours alone non-blocking: the child's ends are descriptions of their own */
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(outp[0], F_SETFL, O_NONBLOCK);

	int64_t deadline = now_ms() + (int64_t)photo.timeout_s * 1000;
	struct reply_reader rr = {.reply = NULL};
	size_t sent = 0;
	bool exited = false, timed_out = false;
	int status = 0;
	struct rusage ru = {0};
	if (len == 0)
		close_fd(&in[1]);
	while (!exited || outp[0] >= 0) {
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		struct pollfd p[3];
		nfds_t n = 0;
		int at_in = -1, at_out = -1, at_pid = -1;
		if (in[1] >= 0)
			p[at_in = (int)n++] = (struct pollfd){.fd = in[1], .events = POLLOUT};
		if (outp[0] >= 0)
			p[at_out = (int)n++] = (struct pollfd){.fd = outp[0], .events = POLLIN};
		if (!exited)
			p[at_pid = (int)n++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
		if (poll(p, n, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			timed_out = true; /* cannot wait for it: it is killed below */
			break;
		}
		if (at_in >= 0 && p[at_in].revents) {
			size_t chunk = len - sent < WRITE_CHUNK ? len - sent : WRITE_CHUNK;
			ssize_t w = write(in[1], (const unsigned char *)buf + sent, chunk);
			if (w > 0)
				sent += (size_t)w;
			/* EPIPE: it stopped reading; its reply or its status says why */
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || sent == len)
				close_fd(&in[1]);
		}
		if (at_out >= 0 && p[at_out].revents && !reply_read(a, &rr, outp[0])) {
			close_fd(&outp[0]);
			if (rr.bad)
				break;
		}
		if (at_pid >= 0 && p[at_pid].revents && wait4(pid, &status, WNOHANG, &ru) == pid)
			exited = true;
	}
	close_fd(&in[1]);
	close_fd(&outp[0]);
	if (!exited) {
		kill(pid, SIGKILL);
		while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
			;
	}
	close(pidfd);

	if (timed_out) {
		fprintf(stderr, "kaeru-fcgi: kaeru-photo (pid %d) not done in %u s: killed\n",
		        (int)pid, photo.timeout_s);
		return PHOTO_TIMED_OUT;
	}
	if (rr.bad) {
		fprintf(stderr, "kaeru-fcgi: kaeru-photo (pid %d) wrote what is not a reply\n",
		        (int)pid);
		return PHOTO_FAILED;
	}
	int64_t cpu_ms = (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	                 (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
	enum photo_outcome o = ended(pid, status, cpu_ms);
	if (o == PHOTO_ANSWERED &&
	    (!rr.reply || rr.got != rr.total || !photo_reply_parse(rr.reply, rr.got, out))) {
		fprintf(stderr, "kaeru-fcgi: kaeru-photo (pid %d) replied %zu bytes, not a reply\n",
		        (int)pid, rr.got);
		return PHOTO_FAILED;
	}
	return o;
}
