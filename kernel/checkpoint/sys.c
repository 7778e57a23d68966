// SPDX-License-Identifier: GPL-2.0-only
/*
 * The checkpoint(2) and restart(2) system calls: argument checks, then
 * one call into the subsystem.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/capability.h>
#include <linux/pid_namespace.h>
#include <linux/syscalls.h>

#include "internal.h"

/**
 * sys_checkpoint - save a process to a file descriptor
 * @pid:	the process; 0 for the caller itself
 * @fd:		where the image goes: a file, pipe or socket open for writing
 * @flags:	CKPT_CONTINUE, CKPT_STOP or CKPT_KILL
 * @logfd:	where reasons for a failure go, as text lines; -1 for none
 *
 * The caller needs the access ptrace(2) attach needs.
 *
 * Return: 0; for @pid 0, CKPT_RESTARTED in the restarted image.  Else
 * -EINVAL, -EBADF, -ESRCH, -EPERM, -EBUSY, -EOPNOTSUPP, -ETIMEDOUT,
 * -EINTR, or the error writing the image gave (-ENOSPC, -EPIPE...).
 */
SYSCALL_DEFINE4(checkpoint, pid_t, pid, int, fd, unsigned int, flags, int, logfd)
{
	struct ckpt_ctx *ctx;
	long ret;

	if (flags & ~CKPT_FLAGS_ALL || (flags & CKPT_ACTION_MASK) == CKPT_ACTION_MASK ||
	    pid < 0)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;

	ctx = ckpt_ctx_alloc(fd, logfd, FMODE_WRITE);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	ret = ckpt_checkpoint(ctx, pid, flags);
	ckpt_ctx_put(ctx);
	return ret;
}

/**
 * sys_restart - rebuild a process from an image
 * @fd:		where the image comes from, open for reading
 * @flags:	RESTART_STOPPED to leave the process stopped
 * @logfd:	where reasons for a failure and warnings go; -1 for none
 *
 * A caller with CAP_CHECKPOINT_RESTORE (or CAP_SYS_ADMIN) over its PID
 * namespace gets the job's PIDs back; any other caller gets new ones, and
 * nothing else that choosing needs the capability for (see
 * Documentation/checkpoint/checkpoint.rst, "Restart by an ordinary
 * user").  Either may restore only what it could set itself.
 *
 * Return: the PID of the restored process, a child of the caller; or
 * -EINVAL, -EBADF, -EPERM, -EBUSY (its PID is in use), -ENOEXEC (a
 * malformed or corrupted image) or the error met recreating it.
 */
SYSCALL_DEFINE3(restart, int, fd, unsigned int, flags, int, logfd)
{
	struct ckpt_ctx *ctx;
	long ret;

	if (flags & ~RESTART_FLAGS_ALL)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;

	ctx = ckpt_ctx_alloc(fd, logfd, FMODE_READ);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	ctx->unprivileged = !checkpoint_restore_ns_capable(task_active_pid_ns(current)->user_ns);
	ret = ckpt_restart(ctx, flags);
	ckpt_ctx_put(ctx);
	return ret;
}
