/* Photos in a process of their own: the reply kaeru-photo writes and kaeru-fcgi checks
 * (photo/protocol.c), and kaeru-fcgi's side of a run (fcgi/photo_child.c) against the real
 * kaeru-photo and against stand-ins that misbehave — hang, crash, exit in error, write nonsense
 * or without end. Whatever the child does, the parent answers, in bounded time and memory, and
 * leaves no child behind. And kaeru-photo's seccomp filter (photo/sandbox.h): what it refuses,
 * and that every format kaeru takes still renders under it as production runs it (no leak check
 * at exit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fcgi/photo_child.h"
#include "photo/protocol.h"
#include "photo/sandbox.h"
#include "util/config.h"
#include "util/mem.h"

/* ---- the reply ---- */

static const unsigned char JPEG_BYTES[] = {0xff, 0xd8, 0xff, 0xe0, 1, 2};
static const unsigned char WEBP_BYTES[] = {'R', 'I', 'F', 'F', 4, 0, 0, 0, 'W', 'E', 'B', 'P'};

/* A reply as kaeru-photo writes it: verdict, the original's size, and renditions of the
 * formats and widths given (JPEG_BYTES or WEBP_BYTES each), into out; its length. */
static size_t reply_of(unsigned char *out, enum photo_verdict v, int w, int h, size_t n,
                       const enum photo_format *formats, const int *widths)
{
	size_t at = PHOTO_REPLY_HEADER_LEN;
	for (size_t i = 0; i < n; i++) {
		const unsigned char *b = formats[i] == PHOTO_JPEG ? JPEG_BYTES : WEBP_BYTES;
		size_t len = formats[i] == PHOTO_JPEG ? sizeof(JPEG_BYTES) : sizeof(WEBP_BYTES);
		photo_rendition_header(out + at, formats[i], widths[i], widths[i] / 2 + 1, len);
		memcpy(out + at + PHOTO_RENDITION_HEADER_LEN, b, len);
		at += PHOTO_RENDITION_HEADER_LEN + len;
	}
	photo_reply_header(out, at, v, w, h, n);
	return at;
}

static void test_reply_parse(void **state)
{
	(void)state;
	static const enum photo_format two[] = {PHOTO_WEBP, PHOTO_JPEG};
	static const int widths[] = {400, 400};
	unsigned char good[256], b[256];
	size_t n = reply_of(good, PHOTO_OK, 600, 450, 2, two, widths);
	struct photo_reply r;
	assert_true(photo_reply_parse(good, n, &r));
	assert_int_equal(r.verdict, PHOTO_OK);
	assert_int_equal(r.width, 600);
	assert_int_equal(r.height, 450);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.r[1].format, PHOTO_JPEG);
	assert_int_equal(r.r[1].width, 400);
	assert_int_equal(r.r[1].len, sizeof(JPEG_BYTES));
	assert_memory_equal(r.r[1].bytes, JPEG_BYTES, sizeof(JPEG_BYTES));
	assert_int_equal(photo_reply_length(good), n);

	unsigned char refusal[PHOTO_REPLY_HEADER_LEN];
	photo_reply_header(refusal, sizeof(refusal), PHOTO_TOO_MANY_PIXELS, 0, 0, 0);
	assert_true(photo_reply_parse(refusal, sizeof(refusal), &r));
	assert_int_equal(r.verdict, PHOTO_TOO_MANY_PIXELS);
	assert_int_equal(r.n, 0);

	/* Each a field (the u32 at offset) of the good reply changed: every one is refused. The
	 * good reply: header 0-23, a WebP rendition's header 24-39 and bytes 40-51, a JPEG
	 * rendition's header 52-67 and bytes 68-73. */
	assert_int_equal(n, 74);
	static const struct {
		const char *what;
		size_t at;
		uint32_t value;
	} bad[] = {
	    {"magic", 0, 0x58585858},
	    {"total_len one short", 4, 73},
	    {"verdict out of range", 8, PHOTO_VERDICT__MAX},
	    {"a refusal with renditions", 8, PHOTO_BROKEN},
	    {"width 0", 12, 0},
	    {"width over the largest side", 12, PHOTO_SIDE_MAX + 1},
	    {"height 0", 16, 0},
	    {"count 9", 20, 9},
	    {"count 0 for OK", 20, 0},
	    {"count 1, bytes left over", 20, 1},
	    {"format out of range", 24, PHOTO_FORMAT__MAX},
	    {"rendition width 0", 28, 0},
	    {"rendition wider than the original", 28, 601},
	    {"rendition height 0", 32, 0},
	    {"rendition len past the end", 36, 1000},
	    {"rendition len one short", 36, 11},
	    {"WebP bytes that are not WebP", 40, 0},
	    {"JPEG bytes that are not JPEG", 68, 0},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(b, good, n);
		photo_put_le32(b + bad[i].at, bad[i].value);
		if (photo_reply_parse(b, n, &r))
			fail_msg("%s: taken", bad[i].what);
	}
	/* Lengths: a reply must be exactly as long as it says, and no longer than allowed. */
	assert_false(photo_reply_parse(good, n - 1, &r));
	memcpy(b, good, n);
	b[n] = 0;
	assert_false(photo_reply_parse(b, n + 1, &r));
	assert_false(photo_reply_parse(good, 3, &r));
	photo_reply_header(b, (size_t)PHOTO_REPLY_MAX + 1, PHOTO_OK, 1, 1, 1);
	assert_int_equal(photo_reply_length(b), 0);
	photo_reply_header(b, 10, PHOTO_OK, 1, 1, 1);
	assert_int_equal(photo_reply_length(b), 0);
}

/* ---- a run ---- */

static char dir[] = "/tmp/kaeru-photo-test-XXXXXX";

/* A stand-in for kaeru-photo: a shell script of body, in dir; its path (static). */
static const char *stand_in(const char *name, const char *body)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0755);
	return path;
}

/* Runs program over len bytes of buf with a timeout of timeout_s and one CPU second less; the
 * outcome. Asserts that no child is left, running or unreaped. */
static enum photo_outcome run(const char *program, unsigned timeout_s, const void *buf, size_t len,
                              struct arena *a, struct photo_reply *out)
{
	struct config cfg = {.photo_program = (char *)program,
	                     .photo_timeout_s = timeout_s,
	                     .photo_cpu_s = timeout_s - 1};
	assert_int_equal(photo_child_init(&cfg), 0);
	enum photo_outcome o = photo_child_render(a, buf, len, out);
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	return o;
}

/* A 3×2 grey PNG. */
static const unsigned char TINY_PNG[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00, 0x00, 0x00, 0x00, 0xb8, 0x1f, 0x39,
    0xc6, 0x00, 0x00, 0x00, 0x09, 0x70, 0x48, 0x59, 0x73, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x03,
    0xe8, 0x01, 0xb5, 0x7b, 0x52, 0x6b, 0x00, 0x00, 0x00, 0x0e, 0x49, 0x44, 0x41, 0x54, 0x08, 0x99,
    0x63, 0x88, 0x8a, 0x8a, 0x62, 0x00, 0x62, 0x00, 0x08, 0x78, 0x02, 0x1d, 0xa6, 0xaf, 0xfb, 0x22,
    0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

static void test_real_kaeru_photo(void **state)
{
	(void)state;
	struct arena a = {0};
	struct photo_reply r;
	assert_int_equal(run(KAERU_PHOTO_PATH, 30, TINY_PNG, sizeof(TINY_PNG), &a, &r),
	                 PHOTO_ANSWERED);
	assert_int_equal(r.verdict, PHOTO_OK);
	assert_int_equal(r.width, 3);
	assert_int_equal(r.height, 2);
	assert_int_equal(r.n, 2); /* its own width, as WebP and JPEG: never upscaled */
	assert_int_equal(r.r[0].format, PHOTO_WEBP);
	assert_int_equal(r.r[1].format, PHOTO_JPEG);
	assert_int_equal(run(KAERU_PHOTO_PATH, 30, "GIF89a", 6, &a, &r), PHOTO_ANSWERED);
	assert_int_equal(r.verdict, PHOTO_NOT_IMAGE);
	assert_int_equal(run(KAERU_PHOTO_PATH, 30, TINY_PNG, 40, &a, &r), PHOTO_ANSWERED);
	assert_int_equal(r.verdict, PHOTO_BROKEN);
	arena_free(&a);
}

/* Each format kaeru takes, made by libvips's own command line in dir and rendered by the real
 * kaeru-photo with the filter production puts on (LeakSanitizer off: it would need files). */
static void test_formats_under_the_filter(void **state)
{
	(void)state;
	static const struct {
		const char *ext, *then; /* then: a command run over the file, its path appended */
		int width, height;      /* the upright photo's */
	} formats[] = {
	    {"jpg", NULL, 64, 48},
	    {"jpg", "exiftool -q -overwrite_original -n -Orientation=6", 48, 64},
	    {"png", NULL, 64, 48},
	    {"webp", NULL, 64, 48},
	    {"heic", NULL, 64, 48},
	};
	const char *asan = getenv("ASAN_OPTIONS");
	char *saved = asan ? strdup(asan) : NULL;
	char options[512];
	snprintf(options, sizeof(options), "%s%sdetect_leaks=0", asan ? asan : "", asan ? ":" : "");
	setenv("ASAN_OPTIONS", options, 1);
	struct arena a = {0};
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char path[256], cmd[600];
		snprintf(path, sizeof(path), "%s/photo.%s", dir, formats[i].ext);
		snprintf(
		    cmd, sizeof(cmd),
		    "vips gaussnoise %s/noise.v 64 48 && vips copy %s/noise.v %s && rm %s/noise.v",
		    dir, dir, path, dir);
		assert_int_equal(system(cmd), 0);
		if (formats[i].then) {
			snprintf(cmd, sizeof(cmd), "%s %s", formats[i].then, path);
			assert_int_equal(system(cmd), 0);
		}
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		static unsigned char buf[1 << 20];
		size_t len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		unlink(path);
		struct photo_reply r;
		assert_int_equal(run(KAERU_PHOTO_PATH, 30, buf, len, &a, &r), PHOTO_ANSWERED);
		if (r.verdict != PHOTO_OK)
			fail_msg("a %s photo under the filter: verdict %d", formats[i].ext,
			         r.verdict);
		assert_int_equal(r.width, formats[i].width);
		assert_int_equal(r.height, formats[i].height);
	}
	if (saved)
		setenv("ASAN_OPTIONS", saved, 1);
	else
		unsetenv("ASAN_OPTIONS");
	free(saved);
	assert_int_equal(photo_child_init(&(struct config){.photo_program = KAERU_PHOTO_PATH,
	                                                   .photo_timeout_s = 30,
	                                                   .photo_cpu_s = 29}),
	                 0);
	arena_free(&a);
}

static void *nothing(void *arg)
{
	return arg;
}

/* What a filtered process may not do, each a bit of its exit status when it is refused. */
enum { NO_READ = 1, NO_WRITE = 2, NO_SOCKET = 4, NO_FORK = 8, NO_SIGNAL = 16, THREADS_RUN = 32 };

static int filtered_child(void)
{
	if (!photo_sandbox(false))
		_exit(100);
	int got = 0;
	if (open("/etc/hostname", O_RDONLY) < 0 && errno == EACCES)
		got |= NO_READ;
	char path[256];
	snprintf(path, sizeof(path), "%s/written", dir);
	if (open(path, O_WRONLY | O_CREAT, 0600) < 0 && errno == EACCES)
		got |= NO_WRITE;
	if (socket(AF_INET, SOCK_STREAM, 0) < 0 && errno == EACCES)
		got |= NO_SOCKET;
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0 && errno == EPERM)
		got |= NO_FORK;
	else if (pid > 0)
		waitpid(pid, NULL, 0);
	if (kill(getppid(), 0) < 0 && errno == EPERM)
		got |= NO_SIGNAL;
	pthread_t t;
	if (pthread_create(&t, NULL, nothing, NULL) == 0 && pthread_join(t, NULL) == 0)
		got |= THREADS_RUN;
	_exit(got); /* no exit handlers: LeakSanitizer's would need what is refused */
}

static void test_the_filter_refuses(void **state)
{
	(void)state;
	int status;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		filtered_child();
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status),
	                 NO_READ | NO_WRITE | NO_SOCKET | NO_FORK | NO_SIGNAL | THREADS_RUN);
	char path[256];
	snprintf(path, sizeof(path), "%s/written", dir);
	assert_int_equal(access(path, F_OK), -1);

	/* a program started: the process is killed by the kernel */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (!photo_sandbox(false))
			_exit(100);
		char *const argv[] = {"/bin/true", NULL};
		execv("/bin/true", argv);
		_exit(101);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

static void test_misbehaving_children(void **state)
{
	(void)state;
	/* The wall-clock timeout is 2 s; the child that spends its CPU second (its own limit, as
	 * kaeru-photo sets one) is given 30, so that it gets that second on a busy machine. */
	static const struct {
		const char *what, *script;
		enum photo_outcome want;
	} cases[] = {
	    {"hangs without reading", "exec /bin/sleep 60", PHOTO_TIMED_OUT},
	    {"reads, then hangs", "/bin/cat >/dev/null; exec /bin/sleep 60", PHOTO_TIMED_OUT},
	    {"spends its CPU second", "ulimit -S -t 1; while :; do :; done", PHOTO_TOO_COSTLY},
	    {"crashes", "kill -SEGV $$", PHOTO_FAILED},
	    {"is stopped from outside", "kill -TERM $$", PHOTO_UNAVAILABLE},
	    {"exits in error", "exit 1", PHOTO_FAILED},
	    {"exits 0 without a reply", "exit 0", PHOTO_FAILED},
	    {"writes what is not a reply", "/bin/cat", PHOTO_FAILED},
	    {"announces more than a reply may hold",
	     "printf "
	     "'KPH1\\001\\000\\000\\005\\000\\000\\000\\000\\001\\000\\000\\000\\001\\000\\000"
	     "\\000\\001\\000\\000\\000'",
	     PHOTO_FAILED},
	    {"writes past the length it announced",
	     "printf "
	     "'KPH1\\030\\000\\000\\000\\001\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000"
	     "\\000\\000\\000\\000\\000'; exec /usr/bin/yes",
	     PHOTO_FAILED},
	    {"announces a reply and never ends it",
	     "printf 'KPH1\\000\\000\\001\\000'; exec /bin/sleep 60", PHOTO_TIMED_OUT},
	    {"cannot start (its library missing)", "exit 127", PHOTO_UNAVAILABLE},
	};
	unsigned char body[300 * 1024]; /* more than a pipe holds: the writes must not block */
	memset(body, 'x', sizeof(body));
	struct arena a = {0};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct photo_reply r;
		unsigned timeout = cases[i].want == PHOTO_TOO_COSTLY ? 30 : 2;
		enum photo_outcome got =
		    run(stand_in("child", cases[i].script), timeout, body, sizeof(body), &a, &r);
		if (got != cases[i].want)
			fail_msg("%s: outcome %d, want %d", cases[i].what, got, cases[i].want);
		assert_true(arena_held(&a) < 1024 * 1024); /* never what was announced */
		arena_reset(&a);
	}
	arena_free(&a);
	/* Not there, or not executable: kaeru-fcgi refuses to start rather than fail each photo. */
	struct config cfg = {.photo_program = dir, .photo_timeout_s = 2, .photo_cpu_s = 1};
	assert_int_equal(photo_child_init(&cfg), -1);
	cfg.photo_program = "/nonexistent/kaeru-photo";
	assert_int_equal(photo_child_init(&cfg), -1);
	cfg = (struct config){
	    .photo_program = KAERU_PHOTO_PATH, .photo_timeout_s = 2, .photo_cpu_s = 2};
	assert_int_equal(photo_child_init(&cfg), -1); /* CPU seconds must be below the timeout */
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* as kaeru-fcgi does: a child gone shows as EPIPE */
	if (!mkdtemp(dir))
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reply_parse),
	    cmocka_unit_test(test_real_kaeru_photo),
	    cmocka_unit_test(test_formats_under_the_filter),
	    cmocka_unit_test(test_the_filter_refuses),
	    cmocka_unit_test(test_misbehaving_children),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	char path[256];
	snprintf(path, sizeof(path), "%s/child", dir);
	unlink(path);
	rmdir(dir);
	return failed;
}
