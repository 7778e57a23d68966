// SPDX-License-Identifier: GPL-2.0-only
/*
 * checkpoint(2): freeze a process, write its image, then let it run on,
 * leave it stopped, or kill it.
 *
 * A checkpoint that fails, for whatever reason (a full disk, a closed
 * pipe, an object that cannot be saved, a signal), thaws the process and
 * changes nothing else: it runs on as if it had been stopped and
 * continued.  Killing (CKPT_KILL) happens only after the whole image,
 * trailer included, has been written.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/pid_namespace.h>
#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>

#include "internal.h"

static int ckpt_write_header(struct ckpt_ctx *ctx, unsigned int flags)
{
	struct ckpt_rec_header *h = &ctx->hdr;

	memcpy(h->magic, CKPT_MAGIC, CKPT_MAGIC_LEN);
	h->version = CKPT_FORMAT_VERSION;
	h->page_size = PAGE_SIZE;
	h->nsig = _NSIG;
	h->rlim_nlimits = RLIM_NLIMITS;
	h->flags = flags;
	h->nr_tasks = 1;
	h->time_sec = ktime_get_real_seconds();
	down_read(&uts_sem);
	strscpy(h->release, utsname()->release, sizeof(h->release));
	strscpy(h->machine, utsname()->machine, sizeof(h->machine));
	up_read(&uts_sem);
	ckpt_arch_header(h);
	return ckpt_write_record(ctx, CKPT_REC_HEADER, h, sizeof(*h));
}

static int ckpt_write_process(struct ckpt_ctx *ctx, struct task_struct *t, bool self)
{
	struct ckpt_rec_task_end end = { .pid = task_pid_vnr(t) };
	int err;

	err = ckpt_write_task(ctx, t, self);
	if (!err)
		err = ckpt_write_cred(ctx, t);
	if (!err)
		err = ckpt_write_rlimits(ctx, t);
	if (!err)
		err = ckpt_write_fs(ctx, t);
	if (!err)
		err = ckpt_write_mm(ctx, t);
	if (!err)
		err = ckpt_write_sighand(ctx, t);
	if (!err)
		err = ckpt_write_signal(ctx, t);
	if (!err)
		err = ckpt_write_files(ctx, t);
	if (!err)
		err = ckpt_write_thread(ctx, t, self);
	if (!err)
		err = ckpt_write_record(ctx, CKPT_REC_TASK_END, &end, sizeof(end));
	return err;
}

/* Why @t cannot be checkpointed, or 0. */
static int ckpt_may_checkpoint(struct ckpt_ctx *ctx, struct task_struct *t, bool self)
{
	int nr_threads = get_nr_threads(t);

	if (t->flags & PF_KTHREAD)
		return ckpt_err(ctx, -EPERM, "is a kernel thread");
	if (is_child_reaper(task_pid(t)))
		return ckpt_err(ctx, -EPERM, "is the init process of its PID namespace");
	if (!self && !ptrace_may_access(t, PTRACE_MODE_ATTACH_REALCREDS))
		return ckpt_err(ctx, -EPERM, "permission denied (as for ptrace attach)");
	if (t->exit_state || (t->flags & PF_EXITING))
		return ckpt_err(ctx, -ESRCH, "is exiting");
	if (t->ptrace)
		return ckpt_err(ctx, -EBUSY, "is being traced");
	if (t->vfork_done)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"is a vfork() child sharing its parent's memory: not supported");
	if (nr_threads > 1)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"has %d threads: multi-threaded processes are not supported yet",
				nr_threads);
	if (!t->mm)
		return ckpt_err(ctx, -EINVAL, "has no address space");
	return 0;
}

/**
 * ckpt_checkpoint - checkpoint a process to the context's stream
 * @ctx:	the checkpoint context
 * @pid:	the process, in the caller's PID namespace; 0 for the caller
 * @flags:	CKPT_* flags, already validated
 *
 * Return: 0 or a negative errno; the reason for a failure is logged.
 */
int ckpt_checkpoint(struct ckpt_ctx *ctx, pid_t pid, unsigned int flags)
{
	struct task_struct *t;
	bool self;
	int err;

	if (pid) {
		t = find_get_task_by_vpid(pid);
		ctx->subject = pid;
		if (!t)
			return ckpt_err(ctx, -ESRCH, "no such process");
	} else {
		t = get_task_struct(current);
		ctx->subject = task_pid_vnr(t);
	}
	self = same_thread_group(t, current);
	if (t != t->group_leader) {
		err = ckpt_err(ctx, -EINVAL, "is a thread, not a process");
		goto out;
	}
	err = ckpt_may_checkpoint(ctx, t, self);
	if (err)
		goto out;
	if (!self) {
		err = ckpt_freeze(ctx, t);
		if (err)
			goto out;
	}

	err = ckpt_write_header(ctx, flags);
	if (!err)
		err = ckpt_write_process(ctx, t, self);
	if (!err)
		err = ckpt_write_trailer(ctx);

	if (!err && (flags & CKPT_ACTION_MASK) == CKPT_STOP)
		do_send_sig_info(SIGSTOP, SEND_SIG_PRIV, t, PIDTYPE_TGID);
	if (!err && (flags & CKPT_ACTION_MASK) == CKPT_KILL)
		do_send_sig_info(SIGKILL, SEND_SIG_PRIV, t, PIDTYPE_TGID);
	if (!self)
		ckpt_thaw(t);
out:
	put_task_struct(t);
	return err;
}
