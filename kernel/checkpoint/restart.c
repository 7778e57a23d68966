// SPDX-License-Identifier: GPL-2.0-only
/*
 * restart(2): rebuild a checkpointed job from its image.
 *
 * The restarter reads the image header, then, for each process in image
 * order, its CKPT_REC_TASK record, and creates the process with its
 * original PID through kernel_clone() with set_tid, as pidfork(2) does.
 * The new task starts in ckpt_restore_proc(), in the kernel, and
 * rebuilds itself from its section of the stream: credentials, limits,
 * directories, address space, signal handlers, files, then the records
 * of its threads.  It creates its other threads the same way (with
 * CLONE_THREAD and their TIDs), each of which restores its own per-thread
 * state.  Then they all wait.  Processes are restored one after the
 * other, so that objects shared between them (pipes, files) are created
 * by the first and found by the others in the object table.
 *
 * Once every process is built, the restarter checks the trailer's
 * SHA-256, sets every thread's registers through the ptrace regsets,
 * rebuilds parent/child links, process groups and sessions (tree.c),
 * lets zombies die again, and releases the job, which continues from
 * where it was frozen.
 *
 * Until then no task has an exit signal, so if anything fails they all
 * exit and are reaped here without the restarter ever seeing them: a
 * failed restart leaves nothing behind.
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
	bool sha;
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
	if (h->digest != CKPT_HASH_XXH64 && h->digest != CKPT_HASH_SHA256)
		return ckpt_err(ctx, -ENOEXEC, "unknown image digest %u", h->digest);
	err = ckpt_digest_start(&ctx->digest, h->digest);
	if (err)
		return ckpt_err(ctx, err, "cannot set up the image's %s digest",
				ckpt_digest_name(h->digest));
	sha = h->digest == CKPT_HASH_SHA256;
	if (h->flags & ~CKPT_FLAGS_ALL || !!(h->flags & CKPT_DIGEST_SHA256) != sha ||
	    !h->nr_tasks || h->nr_tasks > CKPT_MAX_TASKS ||
	    h->root_pid <= 0 || memchr_inv(h->reserved, 0, sizeof(h->reserved)) ||
	    strnlen(h->release, sizeof(h->release)) == sizeof(h->release) ||
	    strnlen(h->machine, sizeof(h->machine)) == sizeof(h->machine))
		return ckpt_err(ctx, -ENOEXEC, "malformed image header");
	return ckpt_arch_check_header(ctx, h);
}

struct ckpt_ax {
	struct callback_head cb;
	unsigned long ax;
	struct file *exe;
};

static void ckpt_free_ax(struct ckpt_ax *w)
{
	if (w && w->exe)
		fput(w->exe);
	kfree(w);
}

/*
 * A task started with kernel_clone_args.fn gets ax cleared on its way to
 * user mode (ret_from_fork()).  This task work runs after that, before
 * any signal is delivered, and puts the saved value back.
 */
static void ckpt_set_ax(struct callback_head *cb)
{
	struct ckpt_ax *w = container_of(cb, struct ckpt_ax, cb);

	task_pt_regs(current)->ax = w->ax;
	/*
	 * A deleted executable becomes /proc/PID/exe only now: until the
	 * restart dropped its object table, it held the file open for
	 * writing, and an executable cannot be.  If the job itself has it
	 * open for writing, the link stays the restarter's.
	 */
	if (w->exe)
		replace_mm_exe_file(current->mm, w->exe);
	/* The restart's capability checks were not the job's (acct(2) ASU). */
	current->flags &= ~PF_SUPERPRIV;
	ckpt_free_ax(w);
}

/*
 * The end of every restored task's kernel part: wait for the
 * restarter's verdict, then return to user mode with @w's ax, or exit.
 */
static int ckpt_wait_go(struct ckpt_ctx *ctx, struct ckpt_ax *w, int err)
{
	if (!err && !wait_for_completion_killable(&ctx->go) && !READ_ONCE(ctx->abort)) {
		ckpt_ctx_put(ctx);
		init_task_work(&w->cb, ckpt_set_ax);
		if (!task_work_add(current, &w->cb, TWA_SIGNAL))
			return 0;
	} else {
		ckpt_ctx_put(ctx);
	}
	ckpt_free_ax(w);
	do_exit(SIGKILL);
}

/* Per-thread state a thread restores on itself. */
static void ckpt_restore_thread_state(struct ckpt_rthread *th)
{
	ckpt_restore_rseq(&th->rec);
	ckpt_restore_thread_ids(&th->rec);
	ckpt_restore_restart_block(&th->rec);
}

/* A restored process's other threads start here. */
static int ckpt_restore_thread(void *arg)
{
	struct ckpt_rthread *th = arg;
	struct ckpt_rproc *proc = th->proc;
	struct ckpt_ctx *ctx = proc->ctx;
	struct ckpt_ax *w;
	int err = -ENOMEM;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (w) {
		w->ax = th->rec.regs.ax;
		commit_creds(get_new_cred(proc->cred));
		ckpt_restore_thread_state(th);
		err = ckpt_restore_signal(ctx, th);
		if (!err)
			err = ckpt_restore_sched(ctx, &th->sched, th->rec.tid, false);
		if (!err)
			err = ckpt_restore_acct(ctx, &th->acct, th->rec.tid, false);
	}
	if (err)
		cmpxchg(&proc->thread_err, 0, err);
	complete(&proc->threads_done);
	return ckpt_wait_go(ctx, w, err);
}

static int ckpt_read_task_end(struct ckpt_ctx *ctx, struct ckpt_rproc *proc)
{
	struct ckpt_rec_task_end end;
	int err;

	err = ckpt_read_record_into(ctx, CKPT_REC_TASK_END, &end, sizeof(end));
	if (!err && (end.pid != proc->rec.pid || end.reserved))
		err = ckpt_err(ctx, -ENOEXEC, "task end record for pid %d", end.pid);
	return err;
}

/*
 * What the process holds by path (its directories, mapped files and
 * executable, open files, FIFOs) is opened and checked with its own
 * credentials, as if it opened them itself: the restarter's rights do
 * not leak into the job.  Its limits are set with the restarter's, as
 * prlimit(2) from outside would.
 */
static int ckpt_read_held(struct ckpt_ctx *ctx, struct ckpt_rproc *proc)
{
	const struct cred *saved = override_creds(proc->cred);
	bool files, fs;
	int err;

	err = ckpt_read_shares(ctx, &files, &fs);
	if (!err && !fs)
		err = ckpt_read_fs(ctx);
	if (!err)
		err = ckpt_read_mm(ctx);
	if (!err)
		err = ckpt_read_sighand(ctx);
	if (!err)
		err = ckpt_read_ckptsig(ctx, proc);
	if (!err)
		err = ckpt_read_timers(ctx, &proc->timers);
	if (!err)
		err = ckpt_read_posix_timers(ctx, &proc->timers, &proc->ptimers);
	if (!err && !files)
		err = ckpt_read_files(ctx);
	revert_creds(saved);
	return err;
}

static int ckpt_read_process(struct ckpt_ctx *ctx, struct ckpt_rproc *proc)
{
	unsigned int i;
	int err;

	err = ckpt_read_cred(ctx, &proc->cred);
	if (!err)
		err = ckpt_read_rlimits(ctx, proc);
	if (!err)
		err = ckpt_read_held(ctx, proc);
	for (i = 0; i < proc->rec.nr_threads && !err; i++) {
		struct ckpt_rthread *th = &proc->threads[i];
		bool leader;
		unsigned int j;

		th->proc = proc;
		err = ckpt_read_thread(ctx, th);
		leader = th->rec.tid == proc->rec.pid;
		if (!err && leader != !i)
			err = ckpt_err(ctx, -ENOEXEC, "thread %d: the leader must come first",
				       th->rec.tid);
		for (j = 0; j < i && !err; j++)
			if (proc->threads[j].rec.tid == th->rec.tid)
				err = ckpt_err(ctx, -ENOEXEC, "thread %d appears twice",
					       th->rec.tid);
		if (!err)
			err = ckpt_read_signal(ctx, th, i == 0);
		if (!err)
			err = ckpt_read_sched(ctx, &th->sched, th->rec.tid);
		if (!err)
			err = ckpt_read_acct(ctx, &th->acct, th->rec.tid, i == 0);
	}
	if (!err)
		err = ckpt_check_acct(ctx, proc);
	if (!err)
		err = ckpt_read_task_end(ctx, proc);
	if (!err)
		err = ckpt_read_task(ctx, &proc->rec);
	return err;
}

/**
 * ckpt_new_pid_why - why a process, thread or group got a new id
 * @ctx:	the restart context
 * @taken:	the reason when the id was taken ("its PID was in use")
 *
 * Return: @taken, or why a restarter without CAP_CHECKPOINT_RESTORE
 * could not choose it.
 */
const char *ckpt_new_pid_why(struct ckpt_ctx *ctx, const char *taken)
{
	return ctx->unprivileged ? "choosing one needs CAP_CHECKPOINT_RESTORE" : taken;
}

/*
 * kernel_clone() with the TID the image gives, or, with RESTART_NEW_PIDS
 * and that TID taken, with a new one.  A restarter without
 * CAP_CHECKPOINT_RESTORE cannot choose a TID: every one is new.
 */
static pid_t ckpt_clone(struct ckpt_ctx *ctx, struct kernel_clone_args *args, pid_t *tid,
			const char *what)
{
	pid_t nr = -EEXIST;

	if (!ctx->unprivileged) {
		args->set_tid = tid;
		args->set_tid_size = 1;
		nr = kernel_clone(args);
	}
	if (nr == -EEXIST && (ctx->unprivileged || (ctx->flags & RESTART_NEW_PIDS))) {
		args->set_tid = NULL;
		args->set_tid_size = 0;
		nr = kernel_clone(args);
		if (nr > 0 && args->flags & CLONE_THREAD)
			ckpt_warn(ctx, "thread %d restored as thread %d (%s)", *tid, nr,
				  ckpt_new_pid_why(ctx, "its TID was in use"));
		else if (nr > 0)
			ckpt_warn(ctx, "restored as pid %d (%s)", nr,
				  ckpt_new_pid_why(ctx, "its PID was in use"));
	}
	if (nr == -EEXIST)
		return ckpt_err(ctx, -EBUSY, "PID %d is in use", *tid);
	if (nr < 0)
		return ckpt_err(ctx, nr, "cannot create %s %d (error %d)", what, *tid, nr);
	return nr;
}

/* Create the process's other threads and wait until they are ready. */
static int ckpt_start_threads(struct ckpt_ctx *ctx, struct ckpt_rproc *proc)
{
	struct kernel_clone_args args = {
		.flags		= CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
				  CLONE_THREAD | CLONE_SYSVSEM,
		.fn		= ckpt_restore_thread,
	};
	unsigned int i, started = 0;
	int err = 0;

	for (i = 1; i < proc->rec.nr_threads; i++) {
		struct ckpt_rthread *th = &proc->threads[i];
		pid_t nr;

		args.fn_arg = th;
		ckpt_ctx_get(ctx);
		nr = ckpt_clone(ctx, &args, &th->rec.tid, "thread");
		if (nr < 0) {
			ckpt_ctx_put(ctx);
			err = nr;
			break;
		}
		started++;
		th->task = find_get_task_by_vpid(nr);
	}
	while (started--)
		wait_for_completion(&proc->threads_done);
	for (i = 1; i < proc->rec.nr_threads && !err; i++)
		if (!proc->threads[i].task)
			err = ckpt_err(ctx, -ESRCH, "thread %d was killed during restart",
				       proc->threads[i].rec.tid);
	return err ?: READ_ONCE(proc->thread_err);
}

/*
 * A zombie: take its counters (its parent adds them to its own when it
 * reaps it), wait for the restarter, then exit with the saved status.
 */
static int ckpt_restore_zombie(struct ckpt_ctx *ctx, struct ckpt_rproc *proc)
{
	int code = proc->rec.exit_code;
	struct ckpt_rec_acct *acct;
	int err = -ENOMEM;

	acct = kmalloc(sizeof(*acct), GFP_KERNEL);
	if (acct)
		err = ckpt_read_acct(ctx, acct, proc->rec.pid, true);
	if (!err)
		err = ckpt_restore_acct(ctx, acct, proc->rec.pid, true);
	kfree(acct);
	set_task_comm(current, proc->rec.comm);
	proc->err = err;
	complete(&proc->done);
	if (wait_for_completion_killable(&ctx->zgo) || READ_ONCE(ctx->abort))
		code = SIGKILL;
	ckpt_ctx_put(ctx);
	do_exit(code);
}

/* A restored process starts here, in the kernel. */
static int ckpt_restore_proc(void *arg)
{
	struct ckpt_rproc *proc = arg;
	struct ckpt_ctx *ctx = proc->ctx;
	struct ckpt_rthread *leader = &proc->threads[0];
	struct ckpt_ax *w;
	int err;

	if (proc->rec.flags & CKPT_TASK_ZOMBIE)
		return ckpt_restore_zombie(ctx, proc);

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	err = w ? ckpt_read_process(ctx, proc) : -ENOMEM;
	if (!err)
		err = ckpt_start_threads(ctx, proc);
	/* Before the CPU-time timers, which count from these clocks. */
	if (!err)
		err = ckpt_restore_acct(ctx, &leader->acct, leader->rec.tid, true);
	if (!err) {
		w->ax = leader->rec.regs.ax;
		swap(w->exe, proc->exe);
		ckpt_restore_thread_state(leader);
		ckpt_commit_cred(proc->cred);
		proc->cred = NULL;
		set_dumpable(current->mm, proc->rec.dumpable);
		current->pdeath_signal = proc->rec.pdeath_signal;
		ckpt_restore_timers(&proc->timers);
		err = ckpt_restore_signal(ctx, leader);
		if (!err)
			err = ckpt_restore_posix_timers(ctx, proc);
		if (!err)
			err = ckpt_restore_sched(ctx, &leader->sched, leader->rec.tid, true);
		/* Last: everything the limits count is in place. */
		if (!err)
			err = ckpt_apply_rlimits(ctx, proc);
	}
	proc->err = err;
	complete(&proc->done);
	return ckpt_wait_go(ctx, w, err);
}

/*
 * Wait until a restored task sleeps, off the CPU, waiting for ctx->go:
 * only then may its registers be written.
 */
static int ckpt_wait_parked(struct ckpt_ctx *ctx, struct task_struct *t)
{
	while (!wait_task_inactive(t, TASK_UNINTERRUPTIBLE)) {
		if (t->exit_state || ckpt_task_killed(t))
			return ckpt_err(ctx, -ESRCH, "was killed during restart");
		usleep_range(50, 200);
	}
	return 0;
}

/* Wait for a failed restored process to exit, and reap it. */
static void ckpt_reap(pid_t nr)
{
	long ret;

	do {
		ret = kernel_wait4(nr, NULL, __WALL, NULL);
		if (ret == -ERESTARTSYS || ret == -EINTR)
			usleep_range(500, 2000);
	} while (ret == -ERESTARTSYS || ret == -EINTR);
}

/* Read the next process's CKPT_REC_TASK and create the process. */
static int ckpt_start_process(struct ckpt_ctx *ctx, struct ckpt_rproc *proc)
{
	struct kernel_clone_args args = {
		.exit_signal	= 0,
		.fn		= ckpt_restore_proc,
		.fn_arg		= proc,
	};
	unsigned int i;
	pid_t nr;
	int err;

	proc->ctx = ctx;
	init_completion(&proc->done);
	init_completion(&proc->threads_done);
	err = ckpt_read_record_into(ctx, CKPT_REC_TASK, &proc->rec, sizeof(proc->rec));
	if (!err)
		err = ckpt_check_task(ctx, &proc->rec);
	if (err)
		return err;
	ctx->subject = proc->rec.pid;
	for (i = 0; ctx->procs + i != proc; i++)
		if (ctx->procs[i].rec.pid == proc->rec.pid)
			return ckpt_err(ctx, -ENOEXEC, "process %d appears twice", proc->rec.pid);
	if (proc->rec.nr_threads) {
		proc->threads = kvcalloc(proc->rec.nr_threads, sizeof(*proc->threads),
					 GFP_KERNEL);
		if (!proc->threads)
			return -ENOMEM;
	}

	ckpt_ctx_get(ctx);
	nr = ckpt_clone(ctx, &args, &proc->rec.pid, "pid");
	if (nr < 0) {
		ckpt_ctx_put(ctx);
		return nr;
	}
	proc->nr = nr;
	proc->task = find_get_task_by_vpid(nr);
	ctx->nr_procs++;
	if (WARN_ON_ONCE(!proc->task))
		return -ESRCH;
	if (wait_for_completion_killable(&proc->done)) {
		/* The restarter is being killed: take the process with it. */
		send_sig(SIGKILL, proc->task, 1);
		return -EINTR;
	}
	if (proc->rec.flags & CKPT_TASK_ZOMBIE)
		return proc->err ?: ckpt_read_task_end(ctx, proc);
	return proc->err;
}

/*
 * Has a task of the job been killed (by a user, the OOM killer) while it
 * was being restored?  Its state is no longer the image's.
 */
static int ckpt_check_restored(struct ckpt_ctx *ctx)
{
	unsigned int i, j;

	for (i = 0; i < ctx->nr_procs; i++) {
		struct ckpt_rproc *proc = &ctx->procs[i];
		bool killed = ckpt_task_killed(proc->task);

		for (j = 1; j < proc->rec.nr_threads && !killed; j++)
			killed = proc->threads[j].task && ckpt_task_killed(proc->threads[j].task);
		if (killed) {
			ctx->subject = proc->rec.pid;
			return ckpt_err(ctx, -ESRCH, "was killed during restart");
		}
	}
	return 0;
}

/* Set every thread's registers, each thread being parked. */
static int ckpt_apply_registers(struct ckpt_ctx *ctx)
{
	unsigned int i, j;
	int err = 0;

	for (i = 0; i < ctx->nr_procs && !err; i++) {
		struct ckpt_rproc *proc = &ctx->procs[i];

		ctx->subject = proc->rec.pid;
		for (j = 0; j < proc->rec.nr_threads && !err; j++) {
			struct ckpt_rthread *th = &proc->threads[j];

			if (j == 0)
				th->task = get_task_struct(proc->task);
			err = ckpt_wait_parked(ctx, th->task);
			if (!err)
				err = ckpt_apply_thread(ctx, th);
		}
	}
	return err;
}

/*
 * Zombies exit first, with no exit signal: their parents see nothing
 * but a child to reap.  Then their exit signal is set back.
 */
static void ckpt_release_zombies(struct ckpt_ctx *ctx)
{
	unsigned int i;

	complete_all(&ctx->zgo);
	for (i = 0; i < ctx->nr_procs; i++) {
		struct ckpt_rproc *proc = &ctx->procs[i];

		if (!(proc->rec.flags & CKPT_TASK_ZOMBIE))
			continue;
		while (!READ_ONCE(proc->task->exit_state))
			usleep_range(50, 200);
		write_lock_irq(&tasklist_lock);
		proc->task->exit_signal = proc->rec.exit_signal;
		write_unlock_irq(&tasklist_lock);
	}
}

static void ckpt_free_procs(struct ckpt_ctx *ctx)
{
	unsigned int i, j;

	for (i = 0; ctx->procs && i < ctx->hdr.nr_tasks; i++) {
		struct ckpt_rproc *proc = &ctx->procs[i];

		for (j = 0; proc->threads && j < proc->rec.nr_threads; j++) {
			if (proc->threads[j].task)
				put_task_struct(proc->threads[j].task);
			kvfree(proc->threads[j].xstate);
			kvfree(proc->threads[j].siginfo);
		}
		kvfree(proc->threads);
		kvfree(proc->ptimers);
		kvfree(proc->rlimits);
		if (proc->exe)
			fput(proc->exe);
		if (proc->cred)
			abort_creds(proc->cred);
		if (proc->task)
			put_task_struct(proc->task);
	}
	kvfree(ctx->procs);
	ctx->procs = NULL;
}

/**
 * ckpt_restart - restart the job held in the context's stream
 * @ctx:	the restart context
 * @flags:	RESTART_* flags, already validated
 *
 * Return: the PID of the job's first process (the one checkpoint(2) was
 * given, for a process or a tree), a child of the caller; or a negative
 * errno, with the reason logged and nothing left behind.
 */
pid_t ckpt_restart(struct ckpt_ctx *ctx, unsigned int flags)
{
	unsigned int i;
	pid_t ret;
	int err;

	ctx->flags = flags;
	err = ckpt_read_header(ctx);
	if (err)
		return err;
	ctx->procs = kvcalloc(ctx->hdr.nr_tasks, sizeof(*ctx->procs), GFP_KERNEL);
	if (!ctx->procs)
		return -ENOMEM;
	err = ckpt_read_tty(ctx);
	for (i = 0; i < ctx->hdr.nr_tasks && !err; i++) {
		ctx->cur = &ctx->procs[i];
		err = ckpt_start_process(ctx, ctx->cur);
	}
	ctx->cur = NULL;
	ctx->subject = 0;
	if (!err)
		err = ckpt_read_trailer(ctx, ckpt_check_restored);
	if (!err)
		err = ckpt_apply_registers(ctx);
	if (!err)
		err = ckpt_finish_files(ctx);
	if (!err)
		err = ckpt_tree_prepare(ctx);
	if (err)
		goto abort;

	/* Nothing fails from here on. */
	ckpt_tree_commit(ctx);
	for (i = 0; i < ctx->nr_procs; i++) {
		struct ckpt_rproc *proc = &ctx->procs[i];

		if (!(proc->rec.flags & CKPT_TASK_ZOMBIE) &&
		    ((flags & RESTART_STOPPED) || (proc->rec.flags & CKPT_TASK_STOPPED)))
			do_send_sig_info(SIGSTOP, SEND_SIG_PRIV, proc->task, PIDTYPE_TGID);
	}
	ckpt_release_zombies(ctx);
	/*
	 * The restored tasks have what they need from the object table.  Drop
	 * it now, before any of them runs again, so that a pipe end no task
	 * of the job held is closed by then (and its other end gives EPIPE or
	 * end of file at once), whichever task drops the last reference to
	 * the context.
	 */
	ckpt_obj_destroy(&ctx->objs);
	complete_all(&ctx->go);
	ckpt_notify_restarted(ctx);
	ret = ctx->procs[0].nr;
	for (i = 0; i < ctx->nr_procs; i++)
		if (ctx->procs[i].rec.pid == ctx->hdr.root_pid)
			ret = ctx->procs[i].nr;
	ckpt_tree_release(ctx, true);
	ckpt_free_procs(ctx);
	ckpt_log_release(ctx);
	return ret;

abort:
	/* The reason a task being killed could not write itself. */
	ckpt_log_release(ctx);
	WRITE_ONCE(ctx->abort, true);
	complete_all(&ctx->zgo);
	complete_all(&ctx->go);
	for (i = 0; i < ctx->nr_procs; i++)
		ckpt_reap(ctx->procs[i].nr);
	ckpt_tree_release(ctx, false);
	ckpt_free_procs(ctx);
	return err;
}
