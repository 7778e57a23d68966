// SPDX-License-Identifier: GPL-2.0-only
/*
 * checkpoint(2): freeze a job, write its image, then let it run on,
 * leave it stopped, or kill it.
 *
 * A checkpoint that fails, for whatever reason (a full disk, a closed
 * pipe, an object that cannot be saved, a signal), thaws the process and
 * changes nothing else: the job runs on as if it had been stopped and
 * continued.  Killing (CKPT_KILL) happens only after the whole image,
 * trailer included, has been written.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/pid_namespace.h>
#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/tty.h>
#include <linux/utsname.h>

#include "internal.h"

static int ckpt_write_header(struct ckpt_ctx *ctx, unsigned int flags, pid_t root)
{
	struct ckpt_rec_header *h = &ctx->hdr;
	unsigned int i;

	memcpy(h->magic, CKPT_MAGIC, CKPT_MAGIC_LEN);
	h->version = CKPT_FORMAT_VERSION;
	h->page_size = PAGE_SIZE;
	h->nsig = _NSIG;
	h->rlim_nlimits = RLIM_NLIMITS;
	h->flags = flags;
	h->nr_tasks = ctx->nr_members;
	h->root_pid = root;
	h->digest = ctx->digest.alg;
	for (i = 0; i < ctx->nr_members; i++)
		if (!ctx->members[i].task->exit_state)
			h->nr_threads += ckpt_nr_threads(ctx->members[i].task);
	h->time_sec = ktime_get_real_seconds();
	down_read(&uts_sem);
	strscpy(h->release, utsname()->release, sizeof(h->release));
	strscpy(h->machine, utsname()->machine, sizeof(h->machine));
	up_read(&uts_sem);
	ckpt_arch_header(h);
	return ckpt_write_record(ctx, CKPT_REC_HEADER, h, sizeof(*h));
}

static int ckpt_write_threads(struct ckpt_ctx *ctx, struct task_struct **v, unsigned int n,
			      bool self)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		err = ckpt_write_thread(ctx, v[i], self);
		if (!err)
			err = ckpt_write_signal(ctx, v[i], i == 0);
		if (!err)
			err = ckpt_write_sched(ctx, v[i]);
		if (!err)
			err = ckpt_write_acct(ctx, v[i], i == 0);
	}
	return err;
}

static int ckpt_write_process(struct ckpt_ctx *ctx, const struct ckpt_member *m, bool self)
{
	struct ckpt_rec_task_end end = { .pid = m->pid };
	struct task_struct *p = m->task;
	struct task_struct **threads;
	bool files = false, fs = false;
	unsigned int n = 0;
	int err;

	ctx->subject = end.pid;
	if (p->exit_state) {
		err = ckpt_write_task(ctx, m, 0, false);
		if (!err)
			err = ckpt_write_acct(ctx, p, true);
		goto end;
	}
	if (ckpt_task_killed(p))
		return ckpt_err(ctx, -ESRCH, "was killed during the checkpoint");
	if (self) {
		threads = kmalloc(sizeof(*threads), GFP_KERNEL);
		if (threads)
			threads[n++] = get_task_struct(current);
	} else {
		threads = ckpt_get_threads(p, &n);
	}
	if (!threads)
		return -ENOMEM;
	if (!n || threads[0] != p) {
		err = ckpt_err(ctx, -ESRCH, "exited");
		goto out;
	}
	err = ckpt_check_unsaved(ctx, p, threads, n);
	if (!err)
		err = ckpt_write_task(ctx, m, n, self);
	if (!err)
		err = ckpt_write_cred(ctx, p);
	if (!err)
		err = ckpt_write_rlimits(ctx, p);
	if (!err)
		err = ckpt_write_shares(ctx, m, &files, &fs);
	if (!err && !fs)
		err = ckpt_write_fs(ctx, p);
	if (!err)
		err = ckpt_write_mm(ctx, p);
	if (!err)
		err = ckpt_write_sighand(ctx, p);
	if (!err)
		err = ckpt_write_ckptsig(ctx, p);
	if (!err)
		err = ckpt_write_timers(ctx, p);
	if (!err && !files)
		err = ckpt_write_files(ctx, p);
	if (!err)
		err = ckpt_write_threads(ctx, threads, n, self);
out:
	ckpt_put_threads(threads, n);
end:
	if (!err)
		err = ckpt_write_record(ctx, CKPT_REC_TASK_END, &end, sizeof(end));
	return err;
}

static void ckpt_act(struct ckpt_ctx *ctx, unsigned int flags)
{
	int sig = (flags & CKPT_ACTION_MASK) == CKPT_STOP ? SIGSTOP : SIGKILL;
	unsigned int i;

	if ((flags & CKPT_ACTION_MASK) == CKPT_CONTINUE)
		return;
	for (i = 0; i < ctx->nr_members; i++)
		if (!ctx->members[i].task->exit_state)
			do_send_sig_info(sig, SEND_SIG_PRIV, ctx->members[i].task, PIDTYPE_TGID);
}

/* The job named by @pid and @flags, frozen; or the caller alone. */
static int ckpt_get_job(struct ckpt_ctx *ctx, pid_t pid, unsigned int flags, bool *self)
{
	struct task_struct *t;

	*self = false;
	if (ctx->sigreq) {
		ctx->subject = pid;
		return ckpt_freeze_job(ctx, pid);
	}
	if ((flags & CKPT_SCOPE_MASK) != CKPT_PROCESS) {
		ctx->subject = pid;
		if (pid <= 0)
			return ckpt_err(ctx, -EINVAL,
					"a process group, session or tree is named by a positive id");
		return ckpt_freeze_job(ctx, pid);
	}
	if (pid) {
		rcu_read_lock();
		t = find_task_by_vpid(pid);
		*self = t && same_thread_group(t, current);
		rcu_read_unlock();
	} else {
		*self = true;
	}
	if (*self && (!pid || pid == task_tgid_vnr(current)))
		return ckpt_self_job(ctx);
	ctx->subject = pid;
	if (*self)
		return ckpt_err(ctx, -EINVAL, "is a thread, not a process");
	return ckpt_freeze_job(ctx, pid);
}

/**
 * ckpt_checkpoint - checkpoint a job to the context's stream
 * @ctx:	the checkpoint context
 * @pid:	the process, group, session or tree root, in the caller's
 *		PID namespace; 0 for the caller
 * @flags:	CKPT_* flags, already validated
 *
 * Return: 0 or a negative errno; the reason for a failure is logged.
 * Whatever the result, the job runs on afterwards unless @flags asked
 * for it to be stopped or killed and the image is complete.
 */
int ckpt_checkpoint(struct ckpt_ctx *ctx, pid_t pid, unsigned int flags)
{
	u32 alg = flags & CKPT_DIGEST_SHA256 ? CKPT_HASH_SHA256 : CKPT_HASH_XXH64;
	unsigned int i;
	bool self;
	int err;

	ctx->flags = flags;
	err = ckpt_digest_start(&ctx->digest, alg);
	if (err) {
		err = ckpt_err(ctx, err, "cannot set up the image's %s digest",
			       ckpt_digest_name(alg));
		goto out;
	}
	err = ckpt_get_job(ctx, pid, flags, &self);
	if (err)
		goto out;
	err = ckpt_scan_files(ctx);
	/* Only a job that runs on, and that the caller is not part of. */
	if (!err && (flags & CKPT_ACTION_MASK) == CKPT_CONTINUE && !(flags & CKPT_NO_COW) &&
	    !self && !ctx->sigreq)
		ckpt_cow_start(ctx);
	if (!err)
		err = ckpt_write_header(ctx, flags, self ? task_tgid_vnr(current) : pid);
	if (!err)
		err = ckpt_write_tty(ctx);
	for (i = 0; i < ctx->nr_members && !err; i++) {
		err = ckpt_write_process(ctx, &ctx->members[i], self);
		if (!err)
			err = ckpt_check_job(ctx);
	}
	/* The image's instant is taken: a copy-on-write checkpoint thaws here. */
	if (!err && ctx->spooling) {
		ckpt_thaw_job(ctx);
		ckpt_notify_end(ctx);
		err = ckpt_cow_end(ctx);
	}
	if (!err)
		err = ckpt_write_trailer(ctx);
	if (!err && ctx->sigreq)
		err = ckpt_sig_commit(ctx);
	if (!err && ctx->sigreq)
		ckpt_sig_act(ctx);
	else if (!err)
		ckpt_act(ctx, flags);
out:
	ckpt_thaw_job(ctx);
	ckpt_notify_end(ctx);
	ckpt_release_files(ctx);
	return err;
}
