// SPDX-License-Identifier: GPL-2.0-only
/*
 * pidfork(2): fork a child with a PID chosen by the caller.
 *
 * This is fork(2) with one extra fact decided by the caller: the number
 * the child gets in the PID namespace it is created in.  It rides on the
 * same mechanism as clone3()'s set_tid, so the PID allocator, not this
 * file, decides whether the number is free.  Restart uses the same path
 * to give restored tasks their original PIDs.
 */

#define pr_fmt(fmt) "pidfork: " fmt

#include <linux/capability.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/syscalls.h>

/**
 * sys_pidfork - fork with a chosen PID
 * @pid: the PID the child gets in the PID namespace it is created in
 *
 * The child is created as by fork(2).  Its PID in the caller's PID
 * namespace for children (the caller's own PID namespace unless it
 * called unshare(CLONE_NEWPID)) is exactly @pid; in any ancestor
 * namespaces it gets the next free number, as with fork(2).
 *
 * A number that still names a live or zombie task, a process group or a
 * session is in use: the PID allocator frees a number only when nothing
 * refers to it any more.
 *
 * Return: the child's PID in the parent, 0 in the child, or
 * -EINVAL if @pid <= 0 or @pid >= pid_max,
 * -EPERM if the caller lacks CAP_CHECKPOINT_RESTORE and CAP_SYS_ADMIN
 * in the user namespace owning its PID namespace,
 * -EEXIST if @pid is in use,
 * or any error fork(2) returns.
 */
SYSCALL_DEFINE1(pidfork, pid_t, pid)
{
	struct kernel_clone_args args = {
		.exit_signal	= SIGCHLD,
		.set_tid	= &pid,
		.set_tid_size	= 1,
	};

	if (pid <= 0 || pid >= READ_ONCE(pid_max))
		return -EINVAL;

	if (!checkpoint_restore_ns_capable(task_active_pid_ns(current)->user_ns))
		return -EPERM;

	return kernel_clone(&args);
}
