// SPDX-License-Identifier: GPL-2.0-only
/*
 * The job and its freeze barrier.
 *
 * checkpoint(2)'s scope flags name a job: a process (with its threads),
 * a process group, a session, or a process and its descendants.  Every
 * thread of every process of the job is frozen (freeze.c) before any
 * state is read, so that the image is one instant of the whole job.
 *
 * Membership is decided once the job is frozen: a member that forks
 * while the barrier closes adds a process that is frozen in turn, and a
 * member that exits is saved as the zombie it became (or not at all, if
 * its parent outside the job reaped it).  The barrier is closed when a
 * pass over the job finds every thread frozen and nothing new.  A task
 * that stays in uninterruptible sleep for CKPT_FREEZE_TIMEOUT fails the
 * checkpoint, and everything frozen is thawed: the job runs on.
 *
 * A member's parent can reap it at any moment while it is a zombie and
 * the parent is not frozen (yet, or at all: a parent outside the job).
 * release_task() then unhashes its pids, under the tasklist_lock write
 * lock.  So a member's ids (pid, parent, group, session) are read once,
 * when it is collected with that lock held for reading, and kept in its
 * struct ckpt_member; nothing reads them from the task later.  A pass
 * that finds a member released since it was collected starts over, and
 * the barrier closes only on a collection in which every member is
 * still there.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/delay.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs_struct.h>
#include <linux/jiffies.h>
#include <linux/pid_namespace.h>
#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "internal.h"

#define CKPT_FREEZE_TIMEOUT	(10 * HZ)

static const char *const ckpt_scope_name[] = {
	[CKPT_PROCESS >> 2]	= "process",
	[CKPT_PGRP >> 2]	= "process group",
	[CKPT_SESSION >> 2]	= "session",
	[CKPT_TREE >> 2]	= "process tree",
};

static unsigned int ckpt_scope(struct ckpt_ctx *ctx)
{
	return ctx->flags & CKPT_SCOPE_MASK;
}

/**
 * ckpt_member_index - where a process is in the job
 * @ctx:	the checkpoint context
 * @p:		any task of the process
 *
 * Return: its index in @ctx->members, or -1 if it is not a member.
 */
int ckpt_member_index(struct ckpt_ctx *ctx, struct task_struct *p)
{
	unsigned int i;

	p = p->group_leader;
	for (i = 0; i < ctx->nr_members; i++)
		if (ctx->members[i].task == p)
			return i;
	return -1;
}

/* Does a live member before member @i share its file table (CLONE_FILES)? */
static bool ckpt_files_seen(struct ckpt_ctx *ctx, unsigned int i)
{
	struct files_struct *files = READ_ONCE(ctx->members[i].task->files);
	unsigned int j;

	for (j = 0; j < i; j++)
		if (!ctx->members[j].task->exit_state &&
		    READ_ONCE(ctx->members[j].task->files) == files)
			return true;
	return false;
}

/**
 * ckpt_walk_files - call a function on every descriptor of the job, and
 * on every file in flight to one of its unix sockets
 * @ctx:	the checkpoint context, with the job frozen
 * @fn:		called with each open file (referenced for the call) and @arg
 * @arg:	for @fn
 *
 * A file is passed once per descriptor on it, in member and fd order; a
 * file table that processes share (CLONE_FILES) is walked once; zombies
 * have none.  Then a file sent with SCM_RIGHTS to a unix socket that a
 * descriptor of the job is on, and not yet received, is passed once per
 * message that carries it: each holds a reference, as a descriptor does,
 * so that a kind counting the job's references on a file counts these.
 *
 * Return: 0, or the first non-zero value @fn returned.
 */
int ckpt_walk_files(struct ckpt_ctx *ctx, int (*fn)(struct ckpt_ctx *, struct file *, void *),
		    void *arg)
{
	struct ckpt_file_uses socks = {};
	unsigned int i;
	int err = 0;

	for (i = 0; i < ctx->nr_members && !err; i++) {
		struct task_struct *p = ctx->members[i].task;
		unsigned int fd = 0;
		struct file *f;

		if (p->exit_state || ckpt_files_seen(ctx, i))
			continue;
		for (; !err; fd++) {
			rcu_read_lock();
			f = task_lookup_next_fdget_rcu(p, &fd);
			rcu_read_unlock();
			if (!f)
				break;
			err = fn(ctx, f, arg);
			/* Not referenced: the frozen job's descriptors hold it. */
			if (!err && ckpt_is_unix_socket(f))
				err = ckpt_count_file_use(&socks, f);
			fput(f);
		}
	}
	for (i = 0; i < socks.nr && !err; i++)
		err = ckpt_unix_walk_in_flight(ctx, socks.v[i].file, fn, arg);
	ckpt_free_file_uses(&socks);
	return err;
}

/**
 * ckpt_outside_holder - a process outside the job with a descriptor on
 * an object, for a log line
 * @ctx:	the checkpoint context
 * @match:	is this file on the object?
 * @obj:	the object, passed to @match
 *
 * Context: takes the RCU read lock and each process's task_lock; @match
 * must not sleep.
 *
 * Return: the pid of one such process, or 0 if none was found.
 */
pid_t ckpt_outside_holder(struct ckpt_ctx *ctx, bool (*match)(struct file *f, const void *obj),
			  const void *obj)
{
	struct task_struct *p;
	pid_t found = 0;

	rcu_read_lock();
	for_each_process(p) {
		struct files_struct *files;
		struct fdtable *fdt;
		unsigned int fd;

		if (ckpt_member_index(ctx, p) >= 0)
			continue;
		task_lock(p);
		files = p->files;
		if (files) {
			fdt = files_fdtable(files);
			for (fd = 0; fd < fdt->max_fds && !found; fd++) {
				struct file *f = rcu_dereference_raw(fdt->fd[fd]);

				if (f && match(f, obj))
					found = task_pid_vnr(p);
			}
		}
		task_unlock(p);
		if (found)
			break;
	}
	rcu_read_unlock();
	return found;
}

/**
 * ckpt_job_mm - is an address space one of the job's?
 * @ctx:	the checkpoint context, with the job frozen
 * @mm:		the address space
 *
 * Return: true if a member of the job runs in @mm.
 */
bool ckpt_job_mm(struct ckpt_ctx *ctx, struct mm_struct *mm)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_members; i++)
		if (READ_ONCE(ctx->members[i].task->mm) == mm)
			return true;
	return false;
}

/**
 * ckpt_mm_holder - a process that runs in an address space, for a log
 * line
 * @mm: the address space
 *
 * Return: its pid in the caller's PID namespace, or 0 if none was found.
 */
pid_t ckpt_mm_holder(struct mm_struct *mm)
{
	struct task_struct *p;
	pid_t found = 0;

	rcu_read_lock();
	for_each_process(p) {
		task_lock(p);
		if (p->mm == mm)
			found = task_pid_vnr(p);
		task_unlock(p);
		if (found)
			break;
	}
	rcu_read_unlock();
	return found;
}

/**
 * ckpt_grow_array - make room in a kvmalloc'ed array
 * @v:		the array, or NULL
 * @size:	bytes per element
 * @nr:		elements in use, kept
 * @max:	room in @v, updated
 * @need:	the room wanted
 *
 * Return: 0 (the array has room for @need elements) or -ENOMEM (it is
 * left as it was).
 */
int ckpt_grow_array(void **v, size_t size, unsigned int nr, unsigned int *max,
		    unsigned int need)
{
	unsigned int room;
	void *n;

	if (need <= *max)
		return 0;
	room = max3(need, 2 * *max, 8U);
	n = kvmalloc_array(room, size, GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	if (*v)
		memcpy(n, *v, nr * size);
	kvfree(*v);
	*v = n;
	*max = room;
	return 0;
}

/**
 * ckpt_find_file_use - look up an open file in a table of the job's files
 * @uses:	the table
 * @f:		the file
 *
 * Return: its entry, or NULL.
 */
struct ckpt_file_use *ckpt_find_file_use(const struct ckpt_file_uses *uses, struct file *f)
{
	unsigned int i;

	for (i = 0; i < uses->nr; i++)
		if (uses->v[i].file == f)
			return &uses->v[i];
	return NULL;
}

/**
 * ckpt_count_file_use - count one more descriptor of the job on a file
 * @uses:	the table
 * @f:		the file; not referenced: the job is frozen, so its
 *		descriptors keep it open until the table is freed
 *
 * Return: 0 or -ENOMEM.
 */
int ckpt_count_file_use(struct ckpt_file_uses *uses, struct file *f)
{
	struct ckpt_file_use *use = ckpt_find_file_use(uses, f);
	int err;

	if (use) {
		use->refs++;
		return 0;
	}
	err = ckpt_grow_array((void **)&uses->v, sizeof(*uses->v), uses->nr, &uses->max,
			      uses->nr + 1);
	if (err)
		return err;
	uses->v[uses->nr++] = (struct ckpt_file_use){ .file = f, .refs = 1 };
	return 0;
}

/**
 * ckpt_free_file_uses - empty a table of the job's files
 * @uses: the table
 */
void ckpt_free_file_uses(struct ckpt_file_uses *uses)
{
	kvfree(uses->v);
	*uses = (struct ckpt_file_uses){};
}

static void ckpt_put_members(struct ckpt_ctx *ctx)
{
	while (ctx->nr_members)
		put_task_struct(ctx->members[--ctx->nr_members].task);
}

/*
 * Called with tasklist_lock held, so that @p (a leader found in the
 * tree) is not released under us: take its ids now.
 */
static bool ckpt_add_member(struct ckpt_ctx *ctx, struct task_struct *p)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct task_struct *parent = rcu_dereference(p->real_parent);
	struct ckpt_member *m;

	lockdep_assert_held(&tasklist_lock);
	if (ckpt_member_index(ctx, p) >= 0)
		return true;
	if (ctx->nr_members == CKPT_MAX_TASKS)
		return false;
	m = &ctx->members[ctx->nr_members++];
	*m = (struct ckpt_member){
		.task	= get_task_struct(p),
		.parent	= parent->group_leader,
		.pid	= task_tgid_nr_ns(p, ns),
		.ppid	= task_tgid_nr_ns(parent, ns),
		.pgid	= task_pgrp_nr_ns(p, ns),
		.sid	= task_session_nr_ns(p, ns),
		.reaper	= is_child_reaper(task_pid(p)),
	};
	return true;
}

/*
 * Has a member been released (reaped) since it was collected?  Its ids
 * are still the ones it had, but it is no longer part of the job.
 */
static bool ckpt_member_released(struct ckpt_ctx *ctx)
{
	unsigned int i;
	bool gone = false;

	read_lock(&tasklist_lock);
	for (i = 0; i < ctx->nr_members && !gone; i++)
		gone = !pid_alive(ctx->members[i].task);
	read_unlock(&tasklist_lock);
	return gone;
}

/*
 * Find the job's processes, with tasklist_lock held for reading so that
 * the tree and the groups do not change under the walk.
 */
static int ckpt_collect(struct ckpt_ctx *ctx, pid_t nr)
{
	enum pid_type type = ckpt_scope(ctx) == CKPT_PGRP ? PIDTYPE_PGID : PIDTYPE_SID;
	struct task_struct *p, *t, *c;
	unsigned int i;
	struct pid *pid;
	bool fits = true;

	ckpt_put_members(ctx);
	read_lock(&tasklist_lock);
	rcu_read_lock();
	switch (ckpt_scope(ctx)) {
	case CKPT_PROCESS:
	case CKPT_TREE:
		p = find_task_by_vpid(nr);
		if (!p || p != p->group_leader)
			break;
		fits = ckpt_add_member(ctx, p);
		for (i = 0; fits && ckpt_scope(ctx) == CKPT_TREE && i < ctx->nr_members; i++)
			for_each_thread(ctx->members[i].task, t)
				list_for_each_entry(c, &t->children, sibling)
					fits = fits && ckpt_add_member(ctx, c);
		break;
	default:
		pid = find_vpid(nr);
		do_each_pid_task(pid, type, p) {
			fits = fits && ckpt_add_member(ctx, p);
		} while_each_pid_task(pid, type, p);
		break;
	}
	rcu_read_unlock();
	read_unlock(&tasklist_lock);

	if (!fits)
		return ckpt_err(ctx, -E2BIG, "the job has more than %u processes",
				CKPT_MAX_TASKS);
	if (!ctx->nr_members) {
		if (ckpt_scope(ctx) == CKPT_PGRP || ckpt_scope(ctx) == CKPT_SESSION)
			return ckpt_err(ctx, -ESRCH, "no such %s",
					ckpt_scope_name[ckpt_scope(ctx) >> 2]);
		rcu_read_lock();
		p = find_task_by_vpid(nr);
		rcu_read_unlock();
		if (p)
			return ckpt_err(ctx, -EINVAL, "is a thread, not a process");
		return ckpt_err(ctx, -ESRCH, "no such process");
	}
	return 0;
}

/* Why member @m cannot be part of a checkpointed job, or 0. */

/* How many threads of the job use @p's file table, or its fs_struct. */
static int ckpt_job_threads_on(struct ckpt_ctx *ctx, struct task_struct *p, bool files)
{
	void *mine = files ? (void *)READ_ONCE(p->files) : (void *)READ_ONCE(p->fs);
	unsigned int i;
	int n = 0;

	for (i = 0; i < ctx->nr_members; i++) {
		struct task_struct *q = ctx->members[i].task;
		void *theirs = files ? (void *)READ_ONCE(q->files) : (void *)READ_ONCE(q->fs);

		if (!q->exit_state && theirs == mine)
			n += get_nr_threads(q);
	}
	return n;
}

/*
 * The image has one file table and one fs_struct (working directory,
 * root, umask) per process, which all its threads share again after
 * restart, and which processes of the job that share them (CLONE_FILES,
 * CLONE_FS without CLONE_THREAD) share again too (share.c).  A thread
 * that unshared either, or a table also used by a process outside the
 * job, would silently lose that: refuse it.
 */
static int ckpt_check_shared_tables(struct ckpt_ctx *ctx, struct task_struct *p)
{
	struct task_struct *t;
	pid_t tid = 0;
	bool fs = false;
	int users = 0;

	rcu_read_lock();
	for_each_thread(p, t) {
		if (t->exit_state || (t->flags & PF_EXITING))
			continue;
		if (READ_ONCE(t->files) != p->files || READ_ONCE(t->fs) != p->fs) {
			fs = READ_ONCE(t->fs) != p->fs;
			tid = task_pid_vnr(t);
			break;
		}
	}
	rcu_read_unlock();
	if (tid)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"thread %d has a %s of its own (unshare(2)): not supported", tid,
				fs ? "working directory and root" : "file table");
	task_lock(p);
	if (p->fs) {
		spin_lock(&p->fs->lock);
		users = p->fs->users;
		spin_unlock(&p->fs->lock);
	}
	task_unlock(p);
	if (users > ckpt_job_threads_on(ctx, p, false))
		return ckpt_err(ctx, -EBUSY,
				"shares its working directory, root and umask with a process outside the job (CLONE_FS)");
	if (atomic_read(&p->files->count) > ckpt_job_threads_on(ctx, p, true))
		return ckpt_err(ctx, -EBUSY,
				"shares its file table with a process outside the job (CLONE_FILES)");
	return 0;
}

static int ckpt_may_checkpoint(struct ckpt_ctx *ctx, const struct ckpt_member *m)
{
	struct task_struct *p = m->task;
	bool self = same_thread_group(p, current);
	int i, err;

	ctx->subject = m->pid;
	if (p->flags & PF_KTHREAD)
		return ckpt_err(ctx, -EPERM, "is a kernel thread");
	if (m->reaper)
		return ckpt_err(ctx, -EPERM, "is the init process of its PID namespace");
	if (self && ckpt_scope(ctx) != CKPT_PROCESS && !ctx->sigreq)
		return ckpt_err(ctx, -EINVAL, "is the caller: the caller is a member of the job");
	if (!self && !ptrace_may_access(p, PTRACE_MODE_ATTACH_REALCREDS))
		return ckpt_err(ctx, -EPERM, "permission denied (as for ptrace attach)");
	if (p->ptrace)
		return ckpt_err(ctx, -EBUSY, "is being traced");
	if ((p->flags & PF_EXITING) && !p->exit_state) {
		/* On its way out: the barrier waits, and saves the zombie. */
		if (ckpt_scope(ctx) == CKPT_PROCESS)
			return ckpt_err(ctx, -ESRCH, "is exiting");
		return 0;
	}
	if (p->exit_state) {
		if (!thread_group_empty(p))
			return ckpt_err(ctx, -EOPNOTSUPP,
					"its main thread has exited while other threads run: not supported");
		if (ckpt_scope(ctx) == CKPT_PROCESS)
			return ckpt_err(ctx, -ESRCH, "is exiting");
		return 0;
	}
	if (get_nr_threads(p) > CKPT_MAX_THREADS)
		return ckpt_err(ctx, -EOPNOTSUPP, "has more than %u threads", CKPT_MAX_THREADS);
	if (p->vfork_done)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"is a vfork() child sharing its parent's memory: not supported");
	if (!p->mm)
		return ckpt_err(ctx, -EINVAL, "has no address space");
	err = ckpt_check_shared_tables(ctx, p);
	if (err)
		return err;
	for (i = 0; i < ctx->nr_members; i++) {
		struct task_struct *q = ctx->members[i].task;

		if (q != p && !q->exit_state && READ_ONCE(q->mm) == p->mm)
			return ckpt_err(ctx, -EOPNOTSUPP,
					"shares its memory with pid %d (CLONE_VM): not supported",
					ctx->members[i].pid);
	}
	return 0;
}

static bool ckpt_is_frozen_by_us(struct ckpt_ctx *ctx, struct task_struct *t)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_frozen; i++)
		if (ctx->frozen[i] == t)
			return true;
	return false;
}

/*
 * Freeze every live thread of the members that is not frozen yet.
 * Return: how many were added, or a negative errno.
 */
static int ckpt_freeze_members(struct ckpt_ctx *ctx)
{
	unsigned int i, count = 0;
	struct task_struct *t;
	int added = 0, err;

	for (i = 0; i < ctx->nr_members; i++)
		count += get_nr_threads(ctx->members[i].task) + 1;
	err = ckpt_grow_array((void **)&ctx->frozen, sizeof(*ctx->frozen), ctx->nr_frozen,
			      &ctx->max_frozen, ctx->nr_frozen + count);
	if (err)
		return err;

	rcu_read_lock();
	for (i = 0; i < ctx->nr_members; i++) {
		for_each_thread(ctx->members[i].task, t) {
			/* A checkpoint by signal runs in a thread of the job. */
			if (t->exit_state || t == current || ckpt_is_frozen_by_us(ctx, t))
				continue;
			if (ctx->nr_frozen == ctx->max_frozen) {
				/* Threads were created meanwhile: next pass. */
				added++;
				break;
			}
			ctx->frozen[ctx->nr_frozen++] = get_task_struct(t);
			ckpt_freeze_task(t);
			added++;
		}
	}
	rcu_read_unlock();
	return added;
}

/* Wait until every thread we froze is frozen, or has exited. */
static int ckpt_wait_frozen(struct ckpt_ctx *ctx, unsigned long deadline)
{
	unsigned int i = 0;

	while (i < ctx->nr_frozen) {
		struct task_struct *t = ctx->frozen[i];

		if (t->exit_state || ckpt_task_frozen(t)) {
			i++;
			continue;
		}
		if (ckpt_sig_interrupted(ctx))
			return ckpt_err(ctx, -EINTR, "interrupted by a signal while freezing");
		if (time_after(jiffies, deadline)) {
			ctx->subject = task_pid_vnr(t);
			return ckpt_err(ctx, -ETIMEDOUT,
					"did not stop within %u s (uninterruptible sleep in the kernel)",
					CKPT_FREEZE_TIMEOUT / HZ);
		}
		usleep_range(100, 1000);
	}
	return 0;
}

/*
 * Once the barrier is closed, @ctx->frozen keeps only the threads that
 * are parked: one that exited while the barrier closed (a member on its
 * way out) is not waited for again, and is saved as what it now is.
 */
static void ckpt_forget_exited(struct ckpt_ctx *ctx)
{
	unsigned int i, n = 0;

	for (i = 0; i < ctx->nr_frozen; i++) {
		struct task_struct *t = ctx->frozen[i];

		if (t->exit_state)
			put_task_struct(t);
		else
			ctx->frozen[n++] = t;
	}
	ctx->nr_frozen = n;
}

/**
 * ckpt_check_job - is every frozen thread of the job still there?
 * @ctx: the checkpoint context, its barrier closed
 *
 * A fatal signal takes a thread out of the barrier, and a job that lost
 * a thread while it was being saved cannot be restarted as it was.
 * Called after each process is written: the image is complete only if
 * the whole job stayed frozen until its trailer.
 *
 * Return: 0, or -ESRCH with the process logged.
 */
int ckpt_check_job(struct ckpt_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_frozen; i++) {
		struct task_struct *t = ctx->frozen[i];

		if (ckpt_task_killed(t)) {
			int m = ckpt_member_index(ctx, t);

			ctx->subject = m < 0 ? 0 : ctx->members[m].pid;
			return ckpt_err(ctx, -ESRCH, "was killed during the checkpoint");
		}
	}
	return 0;
}

/*
 * Image order: each process after its parent when the parent is in the
 * job; among the processes that can go next, the lowest pid first.
 */
static void ckpt_order_members(struct ckpt_ctx *ctx)
{
	struct ckpt_member *v = ctx->members;
	unsigned int i, j, done;

	for (done = 0; done < ctx->nr_members; done++) {
		int best = -1;

		for (i = done; i < ctx->nr_members; i++) {
			bool ready = true;

			for (j = done; j < ctx->nr_members && ready; j++)
				ready = j == i || v[j].task != v[i].parent;
			if (ready && (best < 0 || v[i].pid < v[best].pid))
				best = i;
		}
		if (best < 0)	/* cannot happen: parents form no cycle */
			best = done;
		swap(v[done], v[best]);
	}
}

/**
 * ckpt_self_job - make the caller, alone, the job
 * @ctx: the checkpoint context
 *
 * A process checkpointing itself is not frozen: it is the one running
 * checkpoint(2).  It must be single-threaded.
 *
 * Return: 0 or a negative errno with the reason logged.
 */
int ckpt_self_job(struct ckpt_ctx *ctx)
{
	int nr_threads = get_nr_threads(current);
	int err;

	ctx->subject = task_pid_vnr(current);
	if (nr_threads > 1)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"has %d threads: a process can checkpoint itself only single-threaded",
				nr_threads);
	if (current->vfork_done)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"is a vfork() child sharing its parent's memory: not supported");
	ctx->members = kvmalloc_array(1, sizeof(*ctx->members), GFP_KERNEL);
	if (!ctx->members)
		return -ENOMEM;
	read_lock(&tasklist_lock);
	rcu_read_lock();
	ckpt_add_member(ctx, current->group_leader);
	rcu_read_unlock();
	read_unlock(&tasklist_lock);
	err = ckpt_check_shared_tables(ctx, current);
	if (err)
		return err;
	return 0;
}

/**
 * ckpt_freeze_job - find the job named by checkpoint(2) and freeze it
 * @ctx:	the checkpoint context (@ctx->flags holds the scope)
 * @nr:		the pid argument, in the caller's PID namespace
 *
 * Return: 0 with every thread of every member frozen and @ctx->members
 * in image order; or a negative errno with the reason logged and
 * everything thawed again.
 */
int ckpt_freeze_job(struct ckpt_ctx *ctx, pid_t nr)
{
	unsigned long deadline = jiffies + CKPT_FREEZE_TIMEOUT;
	unsigned int i;
	int added, err;

	ctx->members = kvmalloc_array(CKPT_MAX_TASKS, sizeof(*ctx->members), GFP_KERNEL);
	if (!ctx->members)
		return -ENOMEM;
	err = ckpt_collect(ctx, nr);
	if (!err)
		err = ckpt_notify_job(ctx);
	if (err)
		goto fail;
	do {
		err = ckpt_collect(ctx, nr);
		for (i = 0; !err && i < ctx->nr_members; i++)
			err = ckpt_may_checkpoint(ctx, &ctx->members[i]);
		if (err)
			goto fail;
		ctx->subject = nr;
		added = ckpt_freeze_members(ctx);
		if (added < 0) {
			err = added;
			goto fail;
		}
		err = ckpt_wait_frozen(ctx, deadline);
		if (err)
			goto fail;
	} while (added || ckpt_member_released(ctx));
	ckpt_order_members(ctx);
	ckpt_forget_exited(ctx);
	ctx->subject = ctx->members[0].pid;
	return 0;
fail:
	ckpt_thaw_job(ctx);
	return err;
}

/**
 * ckpt_thaw_job - thaw what ckpt_freeze_job() froze, and forget the job
 * @ctx: the checkpoint context
 */
void ckpt_thaw_job(struct ckpt_ctx *ctx)
{
	while (ctx->nr_frozen) {
		struct task_struct *t = ctx->frozen[--ctx->nr_frozen];

		ckpt_thaw(t);
		put_task_struct(t);
	}
	kvfree(ctx->frozen);
	ctx->frozen = NULL;
	ctx->max_frozen = 0;
	if (ctx->members)
		ckpt_put_members(ctx);
	kvfree(ctx->members);
	ctx->members = NULL;
}

/**
 * ckpt_nr_threads - how many live threads a frozen process has
 * @p: the process
 *
 * Return: the number of its threads that have not exited, as
 * ckpt_get_threads() returns them.
 */
unsigned int ckpt_nr_threads(struct task_struct *p)
{
	struct task_struct *t;
	unsigned int n = 0;

	rcu_read_lock();
	for_each_thread(p, t)
		n += !t->exit_state;
	rcu_read_unlock();
	return n;
}

/**
 * ckpt_get_threads - the live threads of a frozen process
 * @p:		the process
 * @nr:		set to how many
 *
 * Return: an array of referenced threads, the leader first, to release
 * with ckpt_put_threads(); or NULL (no memory).
 */
struct task_struct **ckpt_get_threads(struct task_struct *p, unsigned int *nr)
{
	unsigned int max = get_nr_threads(p) + 1, n = 0;
	struct task_struct **v, *t;

	v = kvmalloc_array(max, sizeof(*v), GFP_KERNEL);
	if (!v)
		return NULL;
	rcu_read_lock();
	for_each_thread(p, t) {
		if (t->exit_state || n == max)
			continue;
		v[n++] = get_task_struct(t);
	}
	rcu_read_unlock();
	*nr = n;
	return v;
}

/**
 * ckpt_put_threads - release what ckpt_get_threads() returned
 * @v:		the array
 * @nr:		its length
 */
void ckpt_put_threads(struct task_struct **v, unsigned int nr)
{
	while (nr)
		put_task_struct(v[--nr]);
	kvfree(v);
}
