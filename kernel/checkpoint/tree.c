// SPDX-License-Identifier: GPL-2.0-only
/*
 * The process tree, process groups and sessions of a restored job.
 *
 * Every restored process is created as a child of the restarter, in the
 * restarter's process group and session.  Once the whole job is built,
 * each process whose parent is in the job is moved under it, and the
 * groups and sessions are rebuilt with their ids:
 *
 *  - a session is recreated when its leader is in the job, or when the
 *    job is the whole session (CKPT_SESSION); its members then leave the
 *    restarter's session and have no controlling terminal (a new session
 *    starts without one).  Otherwise they stay in the restarter's
 *    session, like a job started from the restarter's shell;
 *  - a process group is the one whose leader is in the job; the group
 *    of a CKPT_PGRP job, or any group of a recreated session, whose
 *    leader had exited gets its id back, allocated without a process (as
 *    the group of a pipeline outlives its first command).  Members of a
 *    group whose leader was outside a process or tree job stay in the
 *    restarter's group.
 *
 * ckpt_tree_prepare() allocates what can fail; ckpt_tree_commit() then
 * links everything under tasklist_lock, as setsid(2) and setpgid(2) do.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/tty.h>

#include "internal.h"

static struct ckpt_rproc *ckpt_find_proc(struct ckpt_ctx *ctx, pid_t orig)
{
	unsigned int i;

	if (!orig)
		return NULL;
	for (i = 0; i < ctx->nr_procs; i++)
		if (ctx->procs[i].rec.pid == orig)
			return &ctx->procs[i];
	return NULL;
}

/* A group or session id already given a struct pid for this job. */
static struct pid *ckpt_known_pid(struct ckpt_ctx *ctx, pid_t orig, bool session)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_procs; i++) {
		struct ckpt_rproc *p = &ctx->procs[i];

		if (session && p->sid && p->rec.sid == orig)
			return p->sid;
		if (!session && p->pgrp && p->rec.pgid == orig)
			return p->pgrp;
	}
	return NULL;
}

/*
 * The struct pid for group or session id @orig: the leader's if it is
 * in the job, else one allocated with that number (or a new one, with
 * RESTART_NEW_PIDS, if it is taken).  A reference is returned.
 */
static struct pid *ckpt_group_pid(struct ckpt_ctx *ctx, pid_t orig, bool session)
{
	const char *what = session ? "session" : "process group";
	struct ckpt_rproc *leader = ckpt_find_proc(ctx, orig);
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct pid *pid;

	if (leader)
		return get_pid(task_pid(leader->task));
	pid = ckpt_known_pid(ctx, orig, session);
	if (pid)
		return get_pid(pid);
	/* Without CAP_CHECKPOINT_RESTORE, no id can be chosen: a new one. */
	pid = ctx->unprivileged ? ERR_PTR(-EEXIST) : alloc_pid(ns, &orig, 1);
	if (pid == ERR_PTR(-EEXIST) && (ctx->unprivileged || (ctx->flags & RESTART_NEW_PIDS))) {
		pid = alloc_pid(ns, NULL, 0);
		if (!IS_ERR(pid))
			ckpt_warn(ctx, "%s %d restored as %s %d (%s)", what, orig, what,
				  pid_vnr(pid), ckpt_new_pid_why(ctx, "its id was in use"));
	}
	if (pid == ERR_PTR(-EEXIST))
		return ERR_PTR(ckpt_err(ctx, -EBUSY, "%s %d exists outside the job", what, orig));
	if (IS_ERR(pid))
		return ERR_PTR(ckpt_err(ctx, PTR_ERR(pid), "cannot recreate %s %d (error %ld)",
					what, orig, PTR_ERR(pid)));
	/*
	 * alloc_pid()'s reference belongs to the tasks that will use it
	 * (the last one to leave frees it); this one is ours.
	 */
	ctx->new_pids[ctx->nr_new_pids++] = pid;
	return get_pid(pid);
}

/**
 * ckpt_tree_prepare - find or allocate the job's process groups and
 * sessions
 * @ctx: the restart context, with every process created
 *
 * Return: 0 or a negative errno with the reason logged; what was
 * allocated is released by ckpt_tree_release().
 */
int ckpt_tree_prepare(struct ckpt_ctx *ctx)
{
	bool whole_session = (ctx->hdr.flags & CKPT_SCOPE_MASK) == CKPT_SESSION;
	unsigned int i;

	/*
	 * A parent in the job comes before its children in the image: the
	 * links form a forest, never a cycle (which exit would chase).
	 */
	for (i = 0; i < ctx->nr_procs; i++) {
		struct ckpt_rproc *parent = ckpt_find_proc(ctx, ctx->procs[i].rec.ppid);

		if (parent && parent >= &ctx->procs[i])
			return ckpt_err(ctx, -ENOEXEC, "process %d comes before its parent %d",
					ctx->procs[i].rec.pid, parent->rec.pid);
	}
	ctx->new_pids = kcalloc(2 * ctx->nr_procs, sizeof(*ctx->new_pids), GFP_KERNEL);
	if (!ctx->new_pids)
		return -ENOMEM;
	for (i = 0; i < ctx->nr_procs; i++) {
		struct ckpt_rproc *p = &ctx->procs[i];
		struct pid *pid;

		ctx->subject = p->rec.pid;
		if (p->rec.sid && (ckpt_find_proc(ctx, p->rec.sid) ||
				   (whole_session && p->rec.sid == ctx->hdr.root_pid))) {
			pid = ckpt_group_pid(ctx, p->rec.sid, true);
			if (IS_ERR(pid))
				return PTR_ERR(pid);
			p->sid = pid;
		}
		if (!p->rec.pgid)
			continue;
		/*
		 * A group is the job's if its leader is, if the job is that
		 * group, or if its session is recreated; a process in another
		 * group (whose leader was outside a process or tree job)
		 * stays in the restarter's.
		 */
		if (!p->sid && !ckpt_find_proc(ctx, p->rec.pgid) &&
		    (ctx->hdr.flags & CKPT_SCOPE_MASK) != CKPT_PGRP)
			continue;
		pid = ckpt_group_pid(ctx, p->rec.pgid, false);
		if (IS_ERR(pid))
			return PTR_ERR(pid);
		p->pgrp = pid;
	}
	ctx->subject = 0;
	return 0;
}

/**
 * ckpt_tree_commit - link the restored processes into their tree,
 * groups and sessions, and apply the controlling terminal's state
 * @ctx: the restart context, after ckpt_tree_prepare()
 */
void ckpt_tree_commit(struct ckpt_ctx *ctx)
{
	struct tty_struct **old_tty;
	struct pid *fg = NULL;
	unsigned int i;

	old_tty = kcalloc(ctx->nr_procs, sizeof(*old_tty), GFP_KERNEL | __GFP_NOFAIL);
	write_lock_irq(&tasklist_lock);
	for (i = 0; i < ctx->nr_procs; i++) {
		struct ckpt_rproc *p = &ctx->procs[i];
		struct ckpt_rproc *parent = ckpt_find_proc(ctx, p->rec.ppid);
		struct task_struct *t = p->task;

		if (parent) {
			list_move_tail(&t->sibling, &parent->task->children);
			t->real_parent = parent->task;
			t->parent = parent->task;
			t->parent_exec_id = parent->task->self_exec_id;
		}
		if (p->sid && task_session(t) != p->sid) {
			change_pid(t, PIDTYPE_SID, p->sid);
			spin_lock(&t->sighand->siglock);
			old_tty[i] = t->signal->tty;
			t->signal->tty = NULL;
			spin_unlock(&t->sighand->siglock);
		}
		if (p->sid && p->rec.pid == p->rec.sid)
			t->signal->leader = 1;
		if (p->pgrp && task_pgrp(t) != p->pgrp)
			change_pid(t, PIDTYPE_PGID, p->pgrp);
		if (!(p->rec.flags & CKPT_TASK_ZOMBIE))
			t->exit_signal = p->rec.exit_signal;
		if (ctx->have_tty && ctx->ttyrec.tty.fg_pgrp &&
		    p->rec.pgid == ctx->ttyrec.tty.fg_pgrp && !p->sid)
			fg = task_pgrp(t);
	}
	ckpt_commit_files(ctx);
	fg = get_pid(fg);
	write_unlock_irq(&tasklist_lock);

	for (i = 0; i < ctx->nr_procs; i++)
		tty_kref_put(old_tty[i]);
	kfree(old_tty);
	ckpt_apply_tty(ctx, fg);
	put_pid(fg);
}

/**
 * ckpt_tree_release - drop the references ckpt_tree_prepare() took
 * @ctx:	the restart context
 * @committed:	ckpt_tree_commit() ran
 *
 * A group or session id allocated for a restart that then failed is
 * freed here, since no task took it.
 */
void ckpt_tree_release(struct ckpt_ctx *ctx, bool committed)
{
	unsigned int i;

	for (i = 0; ctx->procs && i < ctx->nr_procs; i++) {
		put_pid(ctx->procs[i].sid);
		put_pid(ctx->procs[i].pgrp);
		ctx->procs[i].sid = NULL;
		ctx->procs[i].pgrp = NULL;
	}
	for (i = 0; !committed && i < ctx->nr_new_pids; i++)
		free_pid(ctx->new_pids[i]);
	kfree(ctx->new_pids);
	ctx->new_pids = NULL;
	ctx->nr_new_pids = 0;
}
