// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-process attributes: identity in the tree (pid, parent, process
 * group, session), comm, personality, nice, parent-death signal, exit
 * signal, umask, dumpable, no_new_privs, and whether it was stopped.
 * A process that has used System V semaphores with SEM_UNDO is refused:
 * the adjustments its exit would make are not saved.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/fs_struct.h>
#include <linux/ipc_ckpt.h>
#include <linux/personality.h>
#include <linux/pid_namespace.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>

#include "internal.h"

#define CKPT_TASK_FLAGS	(CKPT_TASK_STOPPED | CKPT_TASK_NO_NEW_PRIVS | CKPT_TASK_SELF | \
			 CKPT_TASK_ZOMBIE | CKPT_TASK_CTTY | CKPT_TASK_SUBREAPER)

/**
 * ckpt_write_task - write the CKPT_REC_TASK record of a process
 * @ctx:	the checkpoint context
 * @m:		the (frozen, or current) process, with the ids it was
 *		collected with: a zombie may have been reaped since
 * @nr_threads:	its threads in the image (0 for a zombie)
 * @self:	the process checkpoints itself
 *
 * Return: 0 or a negative errno.
 */
int ckpt_write_task(struct ckpt_ctx *ctx, const struct ckpt_member *m, unsigned int nr_threads,
		    bool self)
{
	struct task_struct *t = m->task;
	struct ckpt_rec_task rec = {
		.pid	= m->pid,
		.tgid	= m->pid,
		.ppid	= m->ppid,
		.pgid	= m->pgid,
		.sid	= m->sid,
	};

	rec.exit_signal = t->exit_signal;
	rec.pdeath_signal = t->pdeath_signal;
	rec.nice = task_nice(t);
	rec.personality = t->personality;
	task_lock(t);
	rec.umask = t->fs ? t->fs->umask : 0022;
	task_unlock(t);
	rec.nr_threads = nr_threads;
	if (t->exit_state) {
		rec.flags |= CKPT_TASK_ZOMBIE;
		rec.exit_code = t->exit_code;
		rec.umask = 0;
		goto out;
	}
	rec.dumpable = t->mm ? get_dumpable(t->mm) : 0;
	if (rec.dumpable > SUID_DUMP_USER)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"is dumpable %u (fs.suid_dumpable): restart can set only 0 or 1",
				rec.dumpable);
	/* What its exit would undo on semaphores of the IPC namespace. */
	if (sem_ckpt_has_undo(t))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"has System V semaphore adjustments to undo at exit (semop() with SEM_UNDO): not supported");
	if (ctx->tty && t->signal->tty == ctx->tty)
		rec.flags |= CKPT_TASK_CTTY;
	if (t->signal->is_child_subreaper)
		rec.flags |= CKPT_TASK_SUBREAPER;
	if (ckpt_task_stopped(t))
		rec.flags |= CKPT_TASK_STOPPED;
	if (task_no_new_privs(t))
		rec.flags |= CKPT_TASK_NO_NEW_PRIVS;
	if (self)
		rec.flags |= CKPT_TASK_SELF;
out:
	__get_task_comm(rec.comm, sizeof(rec.comm), t);
	return ckpt_write_record(ctx, CKPT_REC_TASK, &rec, sizeof(rec));
}

/**
 * ckpt_check_task - validate a CKPT_REC_TASK record before acting on it
 * @ctx:	the restart context
 * @rec:	the record
 *
 * Return: 0 or -ENOEXEC (with the reason logged).
 */
int ckpt_check_task(struct ckpt_ctx *ctx, const struct ckpt_rec_task *rec)
{
	const char *bad = NULL;
	int max = READ_ONCE(pid_max);

	if (rec->pid <= 0 || rec->pid >= max || rec->tgid != rec->pid)
		bad = "pid";
	else if (rec->ppid < 0 || rec->ppid >= max || rec->pgid < 0 || rec->pgid >= max ||
		 rec->sid < 0 || rec->sid >= max)
		bad = "parent, group or session id";
	else if (!valid_signal(rec->exit_signal) || rec->exit_signal == SIGKILL ||
		 rec->exit_signal == SIGSTOP)
		bad = "exit signal";
	else if (!valid_signal(rec->pdeath_signal))
		bad = "parent-death signal";
	else if (rec->nice < MIN_NICE || rec->nice > MAX_NICE)
		bad = "nice value";
	else if (rec->umask & ~0777)
		bad = "umask";
	else if (rec->dumpable > SUID_DUMP_USER)
		bad = "dumpable (PR_SET_DUMPABLE sets only 0 or 1)";
	else if ((rec->flags & CKPT_TASK_ZOMBIE) ? rec->nr_threads != 0 :
		 (rec->nr_threads < 1 || rec->nr_threads > CKPT_MAX_THREADS))
		bad = "thread count";
	else if (rec->flags & ~CKPT_TASK_FLAGS ||
		 ((rec->flags & CKPT_TASK_ZOMBIE) && (rec->flags & ~CKPT_TASK_ZOMBIE)))
		bad = "flags";
	else if (!(rec->flags & CKPT_TASK_ZOMBIE) && rec->exit_code)
		bad = "exit code";
	else if (strnlen(rec->comm, sizeof(rec->comm)) == sizeof(rec->comm))
		bad = "comm";
	if (bad)
		return ckpt_err(ctx, -ENOEXEC, "task record has a bad %s", bad);
	return 0;
}

/**
 * ckpt_read_task - apply a CKPT_REC_TASK record to the current task
 * @ctx:	the restart context
 * @rec:	the record, checked by ckpt_check_task()
 *
 * Runs in the task being restored.  The nice value is each thread's,
 * set with its own credentials from its CKPT_REC_SCHED (sched.c), not
 * here; no_new_privs can be set but not cleared.  The
 * parent-death signal and dumpable are set by the caller, after the
 * credentials are committed, since committing new ids resets them.
 *
 * Return: 0 or a negative errno.
 */
int ckpt_read_task(struct ckpt_ctx *ctx, const struct ckpt_rec_task *rec)
{
	if (!(rec->flags & CKPT_TASK_NO_NEW_PRIVS) && task_no_new_privs(current))
		return ckpt_err(ctx, -EPERM,
				"cannot clear no_new_privs inherited from the restarter");

	set_task_comm(current, rec->comm);
	current->personality = rec->personality;
	if (rec->flags & CKPT_TASK_NO_NEW_PRIVS)
		task_set_no_new_privs(current);
	if (rec->flags & CKPT_TASK_SUBREAPER) {
		current->signal->is_child_subreaper = 1;
		current->signal->has_child_subreaper = 1;
	}
	spin_lock(&current->fs->lock);
	current->fs->umask = rec->umask;
	spin_unlock(&current->fs->lock);
	return 0;
}
