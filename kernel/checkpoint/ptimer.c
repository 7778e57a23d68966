// SPDX-License-Identifier: GPL-2.0-only
/*
 * A process's POSIX timers (timer_create(2)), in CKPT_REC_POSIX_TIMERS
 * after its CKPT_REC_TIMERS, which counts them and keeps the id that
 * timer_create(2) would try next.
 *
 * Each timer is saved with its id, its clock, how it notifies (signal,
 * value, target thread), the time left to its next expiry (or, for an
 * absolute CLOCK_REALTIME or CLOCK_TAI timer, the date), its interval,
 * its overrun counts, and whether its signal is queued.  A queued timer
 * signal belongs to its timer: it is saved here, not with the other
 * queued signals (signal.c), so that taking it after restart re-arms an
 * interval timer as before.
 *
 * The restored process recreates them with their ids, once its threads
 * exist (a timer may signal or time one of them) and every thread has
 * its signal mask back (a queued timer signal must find it blocked if
 * it was).  Refused: a timer on the CPU-time clock of another process,
 * and one that signals a process or thread outside the process (which
 * timer_create(2) does not allow anyway).
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/pid.h>
#include <linux/posix-timers.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "internal.h"

/* The thread of @t's process that @pid is, as its tid; 0 if none. */
static pid_t ckpt_ptimer_tid(struct task_struct *t, struct pid *pid)
{
	struct task_struct *p;
	pid_t tid = 0;

	rcu_read_lock();
	p = pid_task(pid, PIDTYPE_PID);
	if (p && same_thread_group(p, t))
		tid = task_pid_vnr(p);
	rcu_read_unlock();
	return tid;
}

/* A clock that times one thread: the thread that made it, or a tid. */
static bool ckpt_thread_clock(clockid_t clock)
{
	return clock == CLOCK_THREAD_CPUTIME_ID || (clock < 0 && CPUCLOCK_PERTHREAD(clock));
}

static int ckpt_ptimer_fill(struct ckpt_ctx *ctx, struct task_struct *t,
			    const struct posix_timer_state *st, struct ckpt_posix_timer *pt)
{
	bool thread_sig = st->notify & SIGEV_THREAD_ID;

	*pt = (struct ckpt_posix_timer){
		.id		= st->id,
		.clock		= st->clock,
		.notify		= st->notify,
		.signo		= st->signo,
		.value		= st->value,
		.value_ns	= st->value_left,
		.interval_ns	= st->interval,
		.overrun	= st->overrun,
		.overrun_last	= st->overrun_last,
		.flags		= (st->abs ? CKPT_PTIMER_ABS : 0) |
				  (st->pending ? CKPT_PTIMER_PENDING : 0),
		.pending_overrun = st->pending_overrun,
	};
	/* A CPU-time clock named by pid: only the process's own, or a thread's. */
	if (st->clock < 0 && CPUCLOCK_PID(st->clock) &&
	    (!st->cpu_pid || !ckpt_ptimer_tid(t, st->cpu_pid)))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"POSIX timer %d counts the CPU time of pid %d, outside the process: not supported",
				st->id, CPUCLOCK_PID(st->clock));
	if (thread_sig)
		pt->tid = ckpt_ptimer_tid(t, st->pid);
	else if (st->pid != task_tgid(t))
		pt->tid = -1;
	if (ckpt_thread_clock(st->clock))
		pt->cpu_tid = st->cpu_pid ? ckpt_ptimer_tid(t, st->cpu_pid) : 0;
	if (pt->tid < 0 || (thread_sig && !pt->tid) ||
	    (ckpt_thread_clock(st->clock) && !pt->cpu_tid))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"POSIX timer %d signals or times a task that has exited",
				st->id);
	return 0;
}

static void ckpt_ptimer_put(struct posix_timer_state *v, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		put_pid(v[i].pid);
		put_pid(v[i].cpu_pid);
	}
}

/**
 * ckpt_write_posix_timers - write the CKPT_REC_POSIX_TIMERS record of a
 * process, if it has POSIX timers
 * @ctx:	the checkpoint context
 * @t:		the frozen (or current) process
 * @nr:		how many it has, as counted for its CKPT_REC_TIMERS
 *
 * Return: 0, -EOPNOTSUPP for a timer that cannot be saved (logged), or a
 * negative errno.
 */
int ckpt_write_posix_timers(struct ckpt_ctx *ctx, struct task_struct *t, unsigned int nr)
{
	struct ckpt_rec_posix_timers *rec;
	struct posix_timer_state *v;
	unsigned int i, got;
	int err = 0;

	if (!nr)
		return 0;
	v = kvcalloc(nr, sizeof(*v), GFP_KERNEL);
	rec = kvzalloc(struct_size(rec, timers, nr), GFP_KERNEL);
	if (!v || !rec) {
		err = -ENOMEM;
		goto out;
	}
	got = posix_timers_save(t, v, nr);
	if (got != nr) {
		/* The process is frozen: its timers cannot come or go. */
		ckpt_ptimer_put(v, min(got, nr));
		err = ckpt_err(ctx, -EAGAIN, "its POSIX timers changed while frozen");
		goto out;
	}
	rec->nr = nr;
	for (i = 0; i < nr && !err; i++)
		err = ckpt_ptimer_fill(ctx, t, &v[i], &rec->timers[i]);
	ckpt_ptimer_put(v, nr);
	if (!err)
		err = ckpt_write_record(ctx, CKPT_REC_POSIX_TIMERS, rec,
					struct_size(rec, timers, nr));
out:
	kvfree(rec);
	kvfree(v);
	return err;
}

/**
 * ckpt_count_posix_timers - how many POSIX timers a process has
 * @t:		the frozen (or current) process
 *
 * Return: the count, for its CKPT_REC_TIMERS.
 */
unsigned int ckpt_count_posix_timers(struct task_struct *t)
{
	return posix_timers_save(t, NULL, 0);
}

static bool ckpt_ptimer_ok(const struct ckpt_posix_timer *pt)
{
	int how = pt->notify & ~SIGEV_THREAD_ID;

	if (pt->id < 0 || pt->value_ns < 0 || pt->interval_ns < 0 ||
	    pt->flags & ~CKPT_PTIMER_FLAGS_ALL || pt->overrun < -1 || pt->overrun_last < 0)
		return false;
	if (how != SIGEV_SIGNAL && how != SIGEV_NONE)
		return false;
	if ((pt->notify & SIGEV_THREAD_ID) ? how != SIGEV_SIGNAL || pt->tid <= 0 : pt->tid)
		return false;
	if (how == SIGEV_SIGNAL && (pt->signo <= 0 || pt->signo > SIGRTMAX))
		return false;
	if (ckpt_thread_clock(pt->clock) != !!pt->cpu_tid || pt->cpu_tid < 0)
		return false;
	return !((pt->flags & CKPT_PTIMER_PENDING) && how == SIGEV_NONE);
}

/**
 * ckpt_read_posix_timers - read and check a CKPT_REC_POSIX_TIMERS record
 * @ctx:	the restart context
 * @timers:	the process's CKPT_REC_TIMERS, which says how many
 * @out:	the record, to kvfree(), once restored
 *
 * Return: 0, or -ENOEXEC for a malformed record (logged).
 */
int ckpt_read_posix_timers(struct ckpt_ctx *ctx, const struct ckpt_rec_timers *timers,
			   struct ckpt_rec_posix_timers **out)
{
	struct ckpt_rec_posix_timers *r;
	unsigned int i, j;

	*out = NULL;
	if (!timers->nr_posix)
		return 0;
	r = ckpt_read_record(ctx, CKPT_REC_POSIX_TIMERS, sizeof(*r),
			     struct_size(r, timers, CKPT_MAX_POSIX_TIMERS));
	if (IS_ERR(r))
		return PTR_ERR(r);
	if (r->nr != timers->nr_posix || r->reserved ||
	    r->h.len != struct_size(r, timers, r->nr))
		goto bad;
	for (i = 0; i < r->nr; i++) {
		if (!ckpt_ptimer_ok(&r->timers[i]))
			goto bad;
		for (j = 0; j < i; j++)
			if (r->timers[j].id == r->timers[i].id)
				goto bad;
	}
	*out = r;
	return 0;
bad:
	kvfree(r);
	return ckpt_err(ctx, -ENOEXEC, "POSIX timers record is malformed");
}

/* The pid of the restored thread that had @tid, or NULL. */
static struct pid *ckpt_ptimer_thread(struct ckpt_rproc *proc, pid_t tid)
{
	unsigned int i;

	for (i = 0; i < proc->rec.nr_threads; i++) {
		/* The leader is current; the others have their tasks. */
		struct task_struct *t = i ? proc->threads[i].task : current;

		if (proc->threads[i].rec.tid == tid && t)
			return task_pid(t);
	}
	return NULL;
}

/**
 * ckpt_restore_posix_timers - recreate the POSIX timers of the process
 * being restored
 * @ctx:	the restart context
 * @proc:	the process, which is current, with its threads created
 *
 * Return: 0, or a negative errno with the reason logged.
 */
int ckpt_restore_posix_timers(struct ckpt_ctx *ctx, struct ckpt_rproc *proc)
{
	struct ckpt_rec_posix_timers *r = proc->ptimers;
	unsigned int i;
	int err = 0;

	for (i = 0; r && i < r->nr && !err; i++) {
		const struct ckpt_posix_timer *pt = &r->timers[i];
		struct posix_timer_state st = {
			.id		= pt->id,
			.clock		= pt->clock,
			.notify		= pt->notify,
			.signo		= pt->signo,
			.value		= pt->value,
			.pid		= task_tgid(current),
			.interval	= pt->interval_ns,
			.value_left	= pt->value_ns,
			.abs		= pt->flags & CKPT_PTIMER_ABS,
			.overrun	= pt->overrun,
			.overrun_last	= pt->overrun_last,
			.pending	= pt->flags & CKPT_PTIMER_PENDING,
			.pending_overrun = pt->pending_overrun,
		};

		if (pt->tid)
			st.pid = ckpt_ptimer_thread(proc, pt->tid);
		if (pt->cpu_tid)
			st.cpu_pid = ckpt_ptimer_thread(proc, pt->cpu_tid);
		if (!st.pid || (pt->cpu_tid && !st.cpu_pid)) {
			err = ckpt_err(ctx, -ENOEXEC, "POSIX timer %d: no thread %d",
				       pt->id, pt->cpu_tid ? pt->cpu_tid : pt->tid);
			break;
		}
		err = posix_timer_restore(&st);
		if (err)
			ckpt_err(ctx, err, "cannot recreate POSIX timer %d (error %d)",
				 pt->id, err);
	}
	if (!err)
		current->signal->next_posix_timer_id = proc->timers.next_posix_id;
	kvfree(r);
	proc->ptimers = NULL;
	return err;
}
