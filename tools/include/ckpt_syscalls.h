/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ckpt_syscalls.h - userspace wrappers for the checkpoint/restart
 * system calls.
 *
 * The C library has no wrappers for these calls, so programs (tests,
 * benchmarks, tools) call them through syscall(2).  The numbers are
 * taken from the installed kernel headers when they know them and
 * fall back to the x86_64 numbers otherwise.
 */
#ifndef _CKPT_SYSCALLS_H
#define _CKPT_SYSCALLS_H

#include <unistd.h>
#include <sys/syscall.h>
#include <sys/types.h>

#ifndef __NR_pidfork
#define __NR_pidfork 463
#endif

/*
 * pidfork - fork a child whose PID, in the PID namespace the child is
 * created in, is @pid.
 *
 * Returns the child's PID (as seen from the caller's PID namespace) in
 * the parent, 0 in the child, and -1 with errno set on failure.
 */
static inline pid_t pidfork(pid_t pid)
{
	return (pid_t)syscall(__NR_pidfork, pid);
}

#ifndef __NR_checkpoint
#define __NR_checkpoint 464
#endif
#ifndef __NR_restart
#define __NR_restart 465
#endif

/*
 * checkpoint - freeze process @pid (0: the caller), write its image to
 * @fd, then continue, stop or kill it as @flags (CKPT_*) say.  Reasons
 * for a failure are written as text lines to @logfd (-1: none).
 *
 * Returns 0; for pid 0, returns CKPT_RESTARTED when the image is
 * restarted.  On failure, -1 with errno set.
 */
static inline long checkpoint(pid_t pid, int fd, unsigned int flags, int logfd)
{
	return syscall(__NR_checkpoint, pid, fd, flags, logfd);
}

/*
 * restart - rebuild the process saved in the image read from @fd as a
 * child of the caller.  Reasons for a failure go to @logfd (-1: none).
 *
 * Returns the restored process's PID, or -1 with errno set.
 */
static inline pid_t restart(int fd, unsigned int flags, int logfd)
{
	return (pid_t)syscall(__NR_restart, fd, flags, logfd);
}

#endif /* _CKPT_SYSCALLS_H */
