/* kaeru-photo's seccomp filter: see sandbox.h. */
#include "photo/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <unistd.h>

/* Files: opened or changed. */
static const int files[] = {
    SCMP_SYS(openat2),
    SCMP_SYS(creat),
    SCMP_SYS(open_by_handle_at),
    SCMP_SYS(name_to_handle_at),
    SCMP_SYS(unlink),
    SCMP_SYS(unlinkat),
    SCMP_SYS(rename),
    SCMP_SYS(renameat),
    SCMP_SYS(renameat2),
    SCMP_SYS(mkdir),
    SCMP_SYS(mkdirat),
    SCMP_SYS(rmdir),
    SCMP_SYS(link),
    SCMP_SYS(linkat),
    SCMP_SYS(symlink),
    SCMP_SYS(symlinkat),
    SCMP_SYS(chmod),
    SCMP_SYS(fchmodat),
    SCMP_SYS(chown),
    SCMP_SYS(fchown),
    SCMP_SYS(lchown),
    SCMP_SYS(fchownat),
    SCMP_SYS(truncate),
    SCMP_SYS(mknod),
    SCMP_SYS(mknodat),
    SCMP_SYS(chdir),
    SCMP_SYS(fchdir),
};
/* The network. */
static const int sockets[] = {
    SCMP_SYS(socket), SCMP_SYS(socketpair), SCMP_SYS(connect), SCMP_SYS(bind),
    SCMP_SYS(listen), SCMP_SYS(accept),     SCMP_SYS(accept4),
};
/* New processes (clone is judged by its flags below). */
static const int processes[] = {SCMP_SYS(fork), SCMP_SYS(vfork)};
/* What no photo needs and an attacker would: the process dies. */
static const int fatal[] = {
    SCMP_SYS(execve),
    SCMP_SYS(execveat),
    SCMP_SYS(process_vm_readv),
    SCMP_SYS(process_vm_writev),
    SCMP_SYS(bpf),
    SCMP_SYS(io_uring_setup),
    SCMP_SYS(io_uring_enter),
    SCMP_SYS(io_uring_register),
    SCMP_SYS(perf_event_open),
    SCMP_SYS(keyctl),
    SCMP_SYS(add_key),
    SCMP_SYS(request_key),
    SCMP_SYS(mount),
    SCMP_SYS(umount2),
    SCMP_SYS(pivot_root),
    SCMP_SYS(chroot),
    SCMP_SYS(unshare),
    SCMP_SYS(setns),
    SCMP_SYS(userfaultfd),
    SCMP_SYS(kexec_load),
    SCMP_SYS(init_module),
    SCMP_SYS(finit_module),
    SCMP_SYS(delete_module),
    SCMP_SYS(pidfd_open),
    SCMP_SYS(pidfd_getfd),
    SCMP_SYS(kcmp),
};

static int deny_all(scmp_filter_ctx ctx, uint32_t action, const int *calls, size_t n)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = seccomp_rule_add(ctx, action, calls[i], 0);
	return rc;
}

/* open and openat: refused; for a leak check only for writing or making a file (LeakSanitizer
 * reads /proc/self/maps and /proc/self/task at exit). */
static int deny_opens(scmp_filter_ctx ctx, bool leak_check)
{
	static const struct {
		int call;
		unsigned flags; /* the argument holding the flags */
	} opens[] = {{SCMP_SYS(open), 1}, {SCMP_SYS(openat), 2}};
	const uint32_t no = SCMP_ACT_ERRNO(EACCES);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof(opens) / sizeof(opens[0]); i++) {
		int call = opens[i].call;
		unsigned a = opens[i].flags;
		if (!leak_check) {
			rc = seccomp_rule_add(ctx, no, call, 0);
			continue;
		}
		struct scmp_arg_cmp wronly = {a, SCMP_CMP_MASKED_EQ, O_ACCMODE, O_WRONLY},
		                    rdwr = {a, SCMP_CMP_MASKED_EQ, O_ACCMODE, O_RDWR},
		                    creat = {a, SCMP_CMP_MASKED_EQ, O_CREAT, O_CREAT};
		rc = seccomp_rule_add(ctx, no, call, 1, wronly);
		if (rc == 0)
			rc = seccomp_rule_add(ctx, no, call, 1, rdwr);
		if (rc == 0)
			rc = seccomp_rule_add(ctx, no, call, 1, creat);
	}
	return rc;
}

#define DENY_ALL(ctx, action, calls) deny_all(ctx, action, calls, sizeof(calls) / sizeof(calls[0]))

bool photo_sandbox(bool leak_check)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		errno = ENOMEM;
		return false;
	}
	pid_t self = getpid();
	int rc = deny_opens(ctx, leak_check);
	if (rc == 0)
		rc = DENY_ALL(ctx, SCMP_ACT_ERRNO(EACCES), files);
	if (rc == 0)
		rc = DENY_ALL(ctx, SCMP_ACT_ERRNO(EACCES), sockets);
	if (rc == 0)
		rc = DENY_ALL(ctx, SCMP_ACT_KILL_PROCESS, fatal);
	if (rc == 0 && !leak_check)
		rc = DENY_ALL(ctx, SCMP_ACT_ERRNO(EPERM), processes);
	if (rc == 0 && !leak_check) /* a thread shares this process; anything else is another */
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
		                      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
	if (rc == 0 && !leak_check)
		rc = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(ptrace), 0);
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(kill), 1,
		                      SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)self));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(tgkill), 1,
		                      SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)self));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(tkill), 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0)
		errno = -rc;
	return rc == 0;
}
