// SPDX-License-Identifier: GPL-2.0-only
/*
 * restart(2): rebuild a checkpointed process from its image.
 *
 * The restarter reads the image header and the process's CKPT_REC_TASK
 * record, then creates the process with its original PID through
 * kernel_clone() with set_tid, as pidfork(2) does.  The new task starts
 * in ckpt_restore_child(), in the kernel, and rebuilds itself from its
 * section of the stream: credentials, limits, directories, address
 * space, signals, files.  It leaves its registers for the restarter and
 * waits.  The restarter reads and checks the trailer's SHA-256 and only
 * then sets the registers through the ptrace regsets and lets the task
 * return to user mode, where it continues from where it was frozen.
 *
 * Until then the task has no exit signal, so if anything fails it exits
 * and is reaped here without the restarter ever seeing it: a failed
 * restart leaves nothing behind.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/pid_namespace.h>
#include <linux/resource.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/task_work.h>
#include <uapi/linux/wait.h>

#include "internal.h"

static int ckpt_read_header(struct ckpt_ctx *ctx)
{
	struct ckpt_rec_header *h = &ctx->hdr;
	int err;

	err = ckpt_read_record_into(ctx, CKPT_REC_HEADER, h, sizeof(*h));
	if (err)
		return err;
	if (memcmp(h->magic, CKPT_MAGIC, CKPT_MAGIC_LEN))
		return ckpt_err(ctx, -ENOEXEC, "not a checkpoint image (bad magic)");
	if (h->version != CKPT_FORMAT_VERSION)
		return ckpt_err(ctx, -ENOEXEC, "image format version %u, this kernel reads %u",
				h->version, CKPT_FORMAT_VERSION);
	if (h->page_size != PAGE_SIZE || h->nsig != _NSIG || h->rlim_nlimits != RLIM_NLIMITS)
		return ckpt_err(ctx, -ENOEXEC,
				"image constants differ (page size %u, %u signals, %u rlimits)",
				h->page_size, h->nsig, h->rlim_nlimits);
	if (h->flags & ~CKPT_FLAGS_ALL || h->nr_tasks != 1 ||
	    memchr_inv(h->reserved, 0, sizeof(h->reserved)) ||
	    strnlen(h->release, sizeof(h->release)) == sizeof(h->release) ||
	    strnlen(h->machine, sizeof(h->machine)) == sizeof(h->machine))
		return ckpt_err(ctx, -ENOEXEC, "malformed image header");
	return ckpt_arch_check_header(ctx, h);
}

struct ckpt_ax {
	struct callback_head cb;
	unsigned long ax;
};

/*
 * A task started with kernel_clone_args.fn gets ax cleared on its way to
 * user mode (ret_from_fork()).  This task work runs after that, before
 * any signal is delivered, and puts the saved value back.
 */
static void ckpt_set_ax(struct callback_head *cb)
{
	struct ckpt_ax *w = container_of(cb, struct ckpt_ax, cb);

	task_pt_regs(current)->ax = w->ax;
	kfree(w);
}

static int ckpt_restore_self(struct ckpt_ctx *ctx, struct cred **new)
{
	struct ckpt_rec_task_end end;
	int err;

	err = ckpt_read_cred(ctx, new);
	if (!err)
		err = ckpt_read_rlimits(ctx);
	if (!err)
		err = ckpt_read_fs(ctx);
	if (!err)
		err = ckpt_read_mm(ctx);
	if (!err)
		err = ckpt_read_sighand(ctx);
	if (!err)
		err = ckpt_read_signal(ctx);
	if (!err)
		err = ckpt_read_files(ctx);
	if (!err)
		err = ckpt_read_thread(ctx);
	if (!err)
		err = ckpt_read_record_into(ctx, CKPT_REC_TASK_END, &end, sizeof(end));
	if (!err && (end.pid != ctx->task.pid || end.reserved))
		err = ckpt_err(ctx, -ENOEXEC, "task end record for pid %d", end.pid);
	if (!err)
		err = ckpt_read_task(ctx, &ctx->task);
	return err;
}

/*
 * The restored task's first code: rebuild itself, wait for the
 * restarter's verdict, then return to user mode (or exit).
 */
static int ckpt_restore_child(void *arg)
{
	struct ckpt_ctx *ctx = arg;
	struct cred *new = NULL;
	struct ckpt_ax *w;
	int err;

	w = kmalloc(sizeof(*w), GFP_KERNEL);
	err = w ? ckpt_restore_self(ctx, &new) : -ENOMEM;
	if (!err) {
		w->ax = ctx->regs->regs.ax;
		ckpt_restore_rseq(ctx->regs);
		commit_creds(new);
		new = NULL;
		set_dumpable(current->mm, ctx->task.dumpable);
		current->pdeath_signal = ctx->task.pdeath_signal;
		err = ckpt_queue_signals(ctx);
	}
	if (new)
		abort_creds(new);
	ctx->child_err = err;
	complete(&ctx->child_done);
	if (!err && !wait_for_completion_killable(&ctx->go) && !READ_ONCE(ctx->abort)) {
		ckpt_ctx_put(ctx);
		init_task_work(&w->cb, ckpt_set_ax);
		if (!task_work_add(current, &w->cb, TWA_SIGNAL))
			return 0;
	} else {
		ckpt_ctx_put(ctx);
	}
	kfree(w);
	do_exit(SIGKILL);
}

/*
 * Wait until the restored task sleeps, off the CPU, waiting for ctx->go:
 * only then may its registers be written.
 */
static int ckpt_wait_parked(struct ckpt_ctx *ctx, struct task_struct *child)
{
	while (!wait_task_inactive(child, TASK_UNINTERRUPTIBLE)) {
		if (child->exit_state || (child->flags & PF_EXITING))
			return ckpt_err(ctx, -ESRCH, "exited during restart");
		usleep_range(50, 200);
	}
	return 0;
}

/* Wait for a failed restored task to exit, and reap it. */
static void ckpt_reap(pid_t nr)
{
	long ret;

	do {
		ret = kernel_wait4(nr, NULL, __WALL, NULL);
		if (ret == -ERESTARTSYS || ret == -EINTR)
			usleep_range(500, 2000);
	} while (ret == -ERESTARTSYS || ret == -EINTR);
}

/**
 * ckpt_restart - restart the process held in the context's stream
 * @ctx:	the restart context
 * @flags:	RESTART_* flags, already validated
 *
 * Return: the PID of the restored process, a child of the caller; or a
 * negative errno, with the reason logged and nothing left behind.
 */
pid_t ckpt_restart(struct ckpt_ctx *ctx, unsigned int flags)
{
	struct kernel_clone_args args = {
		.exit_signal	= 0,
		.fn		= ckpt_restore_child,
		.fn_arg		= ctx,
		.set_tid_size	= 1,
	};
	struct task_struct *child;
	pid_t nr;
	int err;

	err = ckpt_read_header(ctx);
	if (!err)
		err = ckpt_read_record_into(ctx, CKPT_REC_TASK, &ctx->task, sizeof(ctx->task));
	if (!err)
		err = ckpt_check_task(ctx, &ctx->task);
	if (err)
		return err;
	ctx->subject = ctx->task.pid;

	args.set_tid = &ctx->task.pid;
	ckpt_ctx_get(ctx);
	nr = kernel_clone(&args);
	if (nr < 0) {
		ckpt_ctx_put(ctx);
		if (nr == -EEXIST)
			return ckpt_err(ctx, -EBUSY, "PID %d is in use", ctx->task.pid);
		return ckpt_err(ctx, nr, "cannot create the process (error %d)", nr);
	}
	child = find_get_task_by_vpid(nr);
	if (WARN_ON_ONCE(!child))
		return -ESRCH;

	if (wait_for_completion_killable(&ctx->child_done)) {
		/* The restarter is being killed: take the child with it. */
		send_sig(SIGKILL, child, 1);
		err = -EINTR;
		goto reap;
	}
	err = ctx->child_err;
	if (err)
		goto reap;

	err = ckpt_read_trailer(ctx);
	if (!err)
		err = ckpt_wait_parked(ctx, child);
	if (!err)
		err = ckpt_apply_thread(ctx, child);
	if (err) {
		WRITE_ONCE(ctx->abort, true);
		complete(&ctx->go);
		goto reap;
	}

	write_lock_irq(&tasklist_lock);
	child->exit_signal = ctx->task.exit_signal;
	write_unlock_irq(&tasklist_lock);
	if ((flags & RESTART_STOPPED) || (ctx->task.flags & CKPT_TASK_STOPPED))
		send_sig(SIGSTOP, child, 1);
	complete(&ctx->go);
	put_task_struct(child);
	return nr;
reap:
	ckpt_reap(nr);
	put_task_struct(child);
	return err;
}
