// SPDX-License-Identifier: GPL-2.0-only
/*
 * Accounting continuity (CKPT_REC_ACCT): the CPU time, context switches,
 * page faults, block and character I/O counts and memory peaks of a job
 * carry over from one run to the next.
 *
 * A restored thread is a new task: its counters would start again from
 * zero, and a program that measures its own CPU time would see it jump
 * backwards.  So each thread's record holds what it had used, and the
 * leader's also what the process's exited threads and waited-for
 * children had used (the signal_struct's totals).  At restart each
 * thread adds its own to its counters (task_cputime_add() for the CPU
 * times, under the runqueue lock), and the leader adds the process's.
 * Then times(2), getrusage(2) (RUSAGE_SELF, _THREAD, _CHILDREN), the CPU
 * clocks, /proc/PID/stat and /proc/PID/io report every run.  RLIMIT_CPU,
 * ITIMER_VIRTUAL/PROF and POSIX CPU-clock timers are measured against the
 * same clocks, so they count cumulative time too: a running group CPU
 * timer (RLIMIT_CPU is set before the threads exist) is advanced by the
 * same amounts.
 *
 * BSD process accounting and taskstats are the exception, by design: the
 * record acct(2) writes when a restored process exits covers this run
 * only, and so do the taskstats of a restored thread or process (its
 * exit record and a query alike), so that the records of a job's runs
 * add up to its total (the "Stoll problem" of checkpointing batch jobs).
 * Each restored thread takes its earlier time off the process's
 * pacct_struct, which acct_collect() adds the thread's whole time to at
 * its exit; and leaves what it had used with its process (a struct
 * ckpt_acct_base, kept until the process is freed and keyed by the thread's
 * struct pid, which no other thread can have while it is referenced), for
 * taskstats to take off what it reports.  The flag acct(2) reports for a
 * process that forked and never called execve(2) (AFORK) is restored;
 * "used superuser privileges" (ASU) is this run's.
 *
 * What is this run's, by design: the start time (part of a process's
 * identity: a PID reused by another process is told apart by it), and
 * with it the elapsed time of acct(2) and /proc/PID/stat; scheduler
 * statistics (/proc/PID/schedstat, delays).  The I/O counters a kernel
 * does not keep (CONFIG_TASK_XACCT, CONFIG_TASK_IO_ACCOUNTING) are
 * dropped with a warning when an image from a kernel that kept them is
 * restarted on one that does not.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/acct.h>
#include <linux/ckpt_signal.h>
#include <linux/mm.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/sched/cputime.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/task_io_accounting_ops.h>
#include <linux/taskstats.h>

#include "internal.h"

#define CKPT_KIB_PER_PAGE	(PAGE_SIZE / 1024)

static void ckpt_get_ioac(struct ckpt_acct_counters *c, const struct task_io_accounting *ioac)
{
#ifdef CONFIG_TASK_XACCT
	c->rchar = ioac->rchar;
	c->wchar = ioac->wchar;
	c->syscr = ioac->syscr;
	c->syscw = ioac->syscw;
#endif
#ifdef CONFIG_TASK_IO_ACCOUNTING
	c->read_bytes = ioac->read_bytes;
	c->write_bytes = ioac->write_bytes;
	c->cancelled_write_bytes = ioac->cancelled_write_bytes;
#endif
}

/* A frozen (or the calling) thread's own counters. */
static void ckpt_get_thread(struct task_struct *t, struct ckpt_acct_counters *c)
{
	u64 utime, stime;

	task_cputime(t, &utime, &stime);
	c->utime = utime;
	c->stime = stime;
	c->gtime = task_gtime(t);
	c->runtime = task_sched_runtime(t);
	c->nvcsw = t->nvcsw;
	c->nivcsw = t->nivcsw;
	c->min_flt = t->min_flt;
	c->maj_flt = t->maj_flt;
	ckpt_get_ioac(c, &t->ioac);
}

/* The process's: its exited threads', its children's, its memory's peaks. */
static void ckpt_get_process(struct task_struct *p, struct ckpt_rec_acct *rec)
{
	struct ckpt_acct_counters *e = &rec->exited, *c = &rec->children;
	struct signal_struct *sig = p->signal;
	struct mm_struct *mm;
	unsigned long flags;

	if (!lock_task_sighand(p, &flags))
		return;
	e->utime = sig->utime;
	e->stime = sig->stime;
	e->gtime = sig->gtime;
	e->runtime = sig->sum_sched_runtime;
	e->nvcsw = sig->nvcsw;
	e->nivcsw = sig->nivcsw;
	e->min_flt = sig->min_flt;
	e->maj_flt = sig->maj_flt;
	e->inblock = sig->inblock;
	e->oublock = sig->oublock;
	e->maxrss = (u64)sig->maxrss * CKPT_KIB_PER_PAGE;
	ckpt_get_ioac(e, &sig->ioac);
	c->utime = sig->cutime;
	c->stime = sig->cstime;
	c->gtime = sig->cgtime;
	c->nvcsw = sig->cnvcsw;
	c->nivcsw = sig->cnivcsw;
	c->min_flt = sig->cmin_flt;
	c->maj_flt = sig->cmaj_flt;
	c->inblock = sig->cinblock;
	c->oublock = sig->coublock;
	c->maxrss = (u64)sig->cmaxrss * CKPT_KIB_PER_PAGE;
	unlock_task_sighand(p, &flags);

	mm = get_task_mm(p);
	if (mm) {
		rec->hiwater_rss = (u64)get_mm_hiwater_rss(mm) * CKPT_KIB_PER_PAGE;
		rec->hiwater_vm = (u64)get_mm_hiwater_vm(mm) * CKPT_KIB_PER_PAGE;
		mmput(mm);
	}
}

/**
 * ckpt_write_acct - write the CKPT_REC_ACCT record of a thread
 * @ctx:	the checkpoint context
 * @t:		the thread: frozen, the caller, or a zombie leader
 * @leader:	@t is its process's first thread (or a zombie): the record
 *		also carries the process's totals
 *
 * Return: 0 or a negative errno.
 */
int ckpt_write_acct(struct ckpt_ctx *ctx, struct task_struct *t, bool leader)
{
	struct ckpt_rec_acct *rec;
	int err;

	rec = kzalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	ckpt_get_thread(t, &rec->self);
	if (t->flags & PF_FORKNOEXEC)
		rec->flags |= CKPT_ACCT_FORKNOEXEC;
	if (leader)
		ckpt_get_process(t, rec);
	err = ckpt_write_record(ctx, CKPT_REC_ACCT, rec, sizeof(*rec));
	kfree(rec);
	return err;
}

static bool ckpt_acct_times_ok(const struct ckpt_acct_counters *c)
{
	return c->utime <= CKPT_ACCT_MAX_NS && c->stime <= CKPT_ACCT_MAX_NS &&
	       c->gtime <= CKPT_ACCT_MAX_NS && c->runtime <= CKPT_ACCT_MAX_NS;
}

/**
 * ckpt_read_acct - read and check a thread's CKPT_REC_ACCT record
 * @ctx:	the restart context
 * @rec:	filled in
 * @tid:	the thread, for log lines
 * @leader:	the process's first thread (or a zombie), whose record may
 *		carry the process's totals
 *
 * Each time is bounded by CKPT_ACCT_MAX_NS, so that no sum the kernel
 * makes of them (a process's, its parent's) can wrap.
 *
 * Return: 0, or -ENOEXEC with the reason logged.
 */
int ckpt_read_acct(struct ckpt_ctx *ctx, struct ckpt_rec_acct *rec, pid_t tid, bool leader)
{
	int err;

	err = ckpt_read_record_into(ctx, CKPT_REC_ACCT, rec, sizeof(*rec));
	if (err)
		return err;
	if (rec->flags & ~CKPT_ACCT_FLAGS_ALL || rec->reserved ||
	    rec->self.inblock || rec->self.oublock || rec->self.maxrss ||
	    rec->children.runtime ||
	    !ckpt_acct_times_ok(&rec->self) || !ckpt_acct_times_ok(&rec->exited) ||
	    !ckpt_acct_times_ok(&rec->children) ||
	    (!leader && (memchr_inv(&rec->exited, 0, sizeof(rec->exited)) ||
			 memchr_inv(&rec->children, 0, sizeof(rec->children)) ||
			 rec->hiwater_rss || rec->hiwater_vm)) ||
	    /* A zombie's sum; a live process's is ckpt_check_acct()'s. */
	    rec->self.utime + rec->exited.utime > CKPT_ACCT_MAX_NS ||
	    rec->self.stime + rec->exited.stime > CKPT_ACCT_MAX_NS ||
	    rec->self.gtime + rec->exited.gtime > CKPT_ACCT_MAX_NS ||
	    rec->self.runtime + rec->exited.runtime > CKPT_ACCT_MAX_NS)
		return ckpt_err(ctx, -ENOEXEC, "thread %d: malformed accounting record", tid);
	return 0;
}

/**
 * ckpt_check_acct - check a process's summed CPU times
 * @ctx:	the restart context
 * @proc:	the process, all of whose thread records are read
 *
 * Return: 0, or -ENOEXEC with the reason logged.
 */
int ckpt_check_acct(struct ckpt_ctx *ctx, const struct ckpt_rproc *proc)
{
	const struct ckpt_acct_counters *e = &proc->threads[0].acct.exited;
	u64 utime = e->utime, stime = e->stime, gtime = e->gtime, runtime = e->runtime;
	unsigned int i;

	/* Each term is at most 2^62 and checked before the next is added. */
	for (i = 0; i < proc->rec.nr_threads; i++) {
		const struct ckpt_acct_counters *c = &proc->threads[i].acct.self;

		if (utime > CKPT_ACCT_MAX_NS || stime > CKPT_ACCT_MAX_NS ||
		    gtime > CKPT_ACCT_MAX_NS || runtime > CKPT_ACCT_MAX_NS)
			break;
		utime += c->utime;
		stime += c->stime;
		gtime += c->gtime;
		runtime += c->runtime;
	}
	if (utime > CKPT_ACCT_MAX_NS || stime > CKPT_ACCT_MAX_NS ||
	    gtime > CKPT_ACCT_MAX_NS || runtime > CKPT_ACCT_MAX_NS)
		return ckpt_err(ctx, -ENOEXEC, "its CPU times add up to more than %llu ns",
				CKPT_ACCT_MAX_NS);
	return 0;
}

/* Add @c's I/O counters to @ioac (those this kernel keeps). */
static void ckpt_add_ioac(struct task_io_accounting *ioac, const struct ckpt_acct_counters *c)
{
#ifdef CONFIG_TASK_XACCT
	ioac->rchar += c->rchar;
	ioac->wchar += c->wchar;
	ioac->syscr += c->syscr;
	ioac->syscw += c->syscw;
#endif
#ifdef CONFIG_TASK_IO_ACCOUNTING
	ioac->read_bytes += c->read_bytes;
	ioac->write_bytes += c->write_bytes;
	ioac->cancelled_write_bytes += c->cancelled_write_bytes;
#endif
}

/* Warn about I/O counters of @c this kernel does not keep (may sleep). */
static void ckpt_warn_ioac(struct ckpt_ctx *ctx, const struct ckpt_acct_counters *c, pid_t tid)
{
	if (!IS_ENABLED(CONFIG_TASK_XACCT) && (c->rchar || c->wchar || c->syscr || c->syscw))
		ckpt_warn(ctx, "thread %d: its read/write counts are dropped: this kernel keeps none (CONFIG_TASK_XACCT)",
			  tid);
	if (!IS_ENABLED(CONFIG_TASK_IO_ACCOUNTING) &&
	    (c->read_bytes || c->write_bytes || c->cancelled_write_bytes))
		ckpt_warn(ctx, "thread %d: its storage I/O counts are dropped: this kernel keeps none (CONFIG_TASK_IO_ACCOUNTING)",
			  tid);
}

/* The leader adds the process's totals and its memory's peaks. */
static void ckpt_restore_process_acct(struct ckpt_ctx *ctx, const struct ckpt_rec_acct *rec,
				      pid_t tid)
{
	const struct ckpt_acct_counters *e = &rec->exited, *c = &rec->children;
	struct task_struct *p = current;
	struct signal_struct *sig = p->signal;
	struct mm_struct *mm = p->mm;

	ckpt_warn_ioac(ctx, e, tid);
	spin_lock_irq(&p->sighand->siglock);
	write_seqlock(&sig->stats_lock);
	sig->utime += e->utime;
	sig->stime += e->stime;
	sig->gtime += e->gtime;
	sig->sum_sched_runtime += e->runtime;
	sig->nvcsw += e->nvcsw;
	sig->nivcsw += e->nivcsw;
	sig->min_flt += e->min_flt;
	sig->maj_flt += e->maj_flt;
	sig->inblock += e->inblock;
	sig->oublock += e->oublock;
	sig->maxrss = max_t(u64, sig->maxrss, e->maxrss / CKPT_KIB_PER_PAGE);
	ckpt_add_ioac(&sig->ioac, e);
	sig->cutime += c->utime;
	sig->cstime += c->stime;
	sig->cgtime += c->gtime;
	sig->cnvcsw += c->nvcsw;
	sig->cnivcsw += c->nivcsw;
	sig->cmin_flt += c->min_flt;
	sig->cmaj_flt += c->maj_flt;
	sig->cinblock += c->inblock;
	sig->coublock += c->oublock;
	sig->cmaxrss = max_t(u64, sig->cmaxrss, c->maxrss / CKPT_KIB_PER_PAGE);
	write_sequnlock(&sig->stats_lock);
	spin_unlock_irq(&p->sighand->siglock);
	/* The exited threads' time is part of the group's CPU clock. */
	account_group_user_time(p, e->utime);
	account_group_system_time(p, e->stime);
	account_group_exec_runtime(p, e->runtime);

	if (mm) {
		mmap_write_lock(mm);
		mm->hiwater_rss = max_t(u64, mm->hiwater_rss, rec->hiwater_rss / CKPT_KIB_PER_PAGE);
		mm->hiwater_vm = max_t(u64, mm->hiwater_vm, rec->hiwater_vm / CKPT_KIB_PER_PAGE);
		mmap_write_unlock(mm);
	}
}

/* Leave what @t had used before this run with its process, for taskstats. */
static int ckpt_add_base(struct task_struct *t, const struct ckpt_acct_counters *c)
{
	struct ckpt_acct_base *base;

	if (!memchr_inv(c, 0, sizeof(*c)))
		return 0;
	base = kmalloc(sizeof(*base), GFP_KERNEL_ACCOUNT);
	if (!base)
		return -ENOMEM;
	base->pid = get_task_pid(t, PIDTYPE_PID);
	base->used = *c;
	if (ckpt_sig_add_base(t, base)) {
		put_pid(base->pid);
		kfree(base);
		return -ENOMEM;
	}
	return 0;
}

/**
 * ckpt_restore_acct - add a thread's (and process's) earlier counters
 * @ctx:	the restart context
 * @rec:	the record, checked by ckpt_read_acct()
 * @tid:	the thread, for log lines
 * @leader:	current is its process's leader (or a zombie): the
 *		process's totals are added too
 *
 * Call it before the process's CPU-time timers are armed again: they
 * count from the clocks this sets.  (The restore's own capability checks
 * do not count as the thread's use of superuser privileges, acct(2)'s
 * ASU: PF_SUPERPRIV is cleared on the way back to user mode.)
 *
 * Context: the restored thread, before it returns to user mode.
 * Return: 0, or -ENOMEM with nothing changed.
 */
int ckpt_restore_acct(struct ckpt_ctx *ctx, const struct ckpt_rec_acct *rec, pid_t tid,
		      bool leader)
{
	const struct ckpt_acct_counters *c = &rec->self;
	struct task_struct *t = current;
	int err;

	err = ckpt_add_base(t, c);
	if (err)
		return err;
	task_cputime_add(t, c->utime, c->stime, c->gtime, c->runtime);
	/* Only this thread, on this CPU, changes these while it runs. */
	preempt_disable();
	t->nvcsw += c->nvcsw;
	t->nivcsw += c->nivcsw;
	t->min_flt += c->min_flt;
	t->maj_flt += c->maj_flt;
	preempt_enable();
	ckpt_warn_ioac(ctx, c, tid);
	ckpt_add_ioac(&t->ioac, c);
	if (leader)
		ckpt_restore_process_acct(ctx, rec, tid);
#ifdef CONFIG_BSD_PROCESS_ACCT
	/*
	 * acct_collect() adds this thread's whole time at its exit: take
	 * off what earlier runs used (unsigned, so the sum comes out as
	 * this run's).
	 */
	spin_lock_irq(&t->sighand->siglock);
	t->signal->pacct.ac_utime -= c->utime;
	t->signal->pacct.ac_stime -= c->stime;
	t->signal->pacct.ac_minflt -= c->min_flt;
	t->signal->pacct.ac_majflt -= c->maj_flt;
	spin_unlock_irq(&t->sighand->siglock);
#endif
	if (!(rec->flags & CKPT_ACCT_FORKNOEXEC))
		t->flags &= ~PF_FORKNOEXEC;
	return 0;
}

static u64 ckpt_sub(u64 a, u64 b)
{
	return a > b ? a - b : 0;
}

/**
 * ckpt_taskstats_run - make a restored thread's taskstats this run's only
 * @stats:	what taskstats filled in for @t, or added @t to
 * @t:		the thread
 * @tgid:	@stats is its process's sum (the CPU times and context
 *		switches), not @t's own
 *
 * Takes off what @t had used before its restart, so that the taskstats
 * records of a job's runs add up to its total, like its acct(2) records.
 *
 * Context: any; @t's signal_struct held (a reference on @t, or its
 * siglock).  Takes no lock.
 */
void ckpt_taskstats_run(struct taskstats *stats, struct task_struct *t, bool tgid)
{
	const struct ckpt_acct_counters *u = NULL;
	const struct ckpt_acct_base *base;
	struct pid *pid = READ_ONCE(t->thread_pid);

	for (base = ckpt_sig_bases(t->signal); base && pid; base = base->next)
		if (base->pid == pid) {
			u = &base->used;
			break;
		}
	if (!u)
		return;
	stats->ac_utime = ckpt_sub(stats->ac_utime, div_u64(u->utime, NSEC_PER_USEC));
	stats->ac_stime = ckpt_sub(stats->ac_stime, div_u64(u->stime, NSEC_PER_USEC));
	stats->nvcsw = ckpt_sub(stats->nvcsw, u->nvcsw);
	stats->nivcsw = ckpt_sub(stats->nivcsw, u->nivcsw);
	if (tgid)
		return;
	stats->ac_utimescaled = ckpt_sub(stats->ac_utimescaled, div_u64(u->utime, NSEC_PER_USEC));
	stats->ac_stimescaled = ckpt_sub(stats->ac_stimescaled, div_u64(u->stime, NSEC_PER_USEC));
	stats->ac_minflt = ckpt_sub(stats->ac_minflt, u->min_flt);
	stats->ac_majflt = ckpt_sub(stats->ac_majflt, u->maj_flt);
	/* taskstats rounds these down to a KiB (KB_MASK) */
	stats->read_char = ckpt_sub(stats->read_char, round_down(u->rchar, 1024));
	stats->write_char = ckpt_sub(stats->write_char, round_down(u->wchar, 1024));
	stats->read_syscalls = ckpt_sub(stats->read_syscalls, round_down(u->syscr, 1024));
	stats->write_syscalls = ckpt_sub(stats->write_syscalls, round_down(u->syscw, 1024));
	stats->read_bytes = ckpt_sub(stats->read_bytes, round_down(u->read_bytes, 1024));
	stats->write_bytes = ckpt_sub(stats->write_bytes, round_down(u->write_bytes, 1024));
	stats->cancelled_write_bytes = ckpt_sub(stats->cancelled_write_bytes,
						round_down(u->cancelled_write_bytes, 1024));
}
