/* kaeru-photo's seccomp filter (libseccomp), put on once libvips has started and the upload is
 * read, before the first decoder sees a byte. A decoder taken over by a hostile file could
 * otherwise do what kaeru-photo's user may: read kaeru's configuration (the database's password)
 * and hand it back inside a rendition that the shop then publishes, connect out, start a shell,
 * signal or trace kaeru-fcgi, write files. With the filter it may only compute, map memory, run
 * threads and use the pipes it was given:
 *   - opening any file, and changing any (unlink, rename, mkdir, chmod, truncate, …): EACCES;
 *   - sockets (socket, socketpair, connect, bind, listen, accept): EACCES;
 *   - new processes (fork, vfork, a clone without CLONE_THREAD): EPERM; clone3, whose flags a
 *     filter cannot see: ENOSYS, so that glibc makes its threads with clone;
 *   - a signal to any process but itself (kill, tgkill elsewhere): EPERM;
 *   - execve, execveat, ptrace, process_vm_readv/writev, and the kernel's other doors (bpf,
 *     io_uring, perf_event_open, keyctl, mount, unshare, setns, …): the process is killed.
 * For LeakSanitizer's check at exit (test builds under AddressSanitizer, unless the sanitizer's
 * options turn it off) opening a file to read, ptrace and a clone without CLONE_THREAD stay open:
 * it reads /proc/self/maps and stops the world with them. */
#ifndef KAERU_PHOTO_SANDBOX_H
#define KAERU_PHOTO_SANDBOX_H

#include <stdbool.h>

/* Puts the filter on this process for good (and no_new_privs), leaving what a leak check at exit
 * needs when leak_check. false, with errno, when the kernel or libseccomp refused it:
 * kaeru-photo then renders nothing. */
bool photo_sandbox(bool leak_check);

#endif
