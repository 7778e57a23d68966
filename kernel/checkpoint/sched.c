// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scheduling attributes (CKPT_REC_SCHED): each thread's policy, nice
 * value, real-time priority, SCHED_DEADLINE parameters or the slice a
 * SCHED_OTHER/SCHED_BATCH thread asked for (sched_attr.sched_runtime),
 * its CPU
 * affinity, its I/O priority and timer slack, and the process's OOM
 * score adjustment.
 *
 * Each restored thread sets its own, with its own credentials, through
 * the calls a program would make: sched_setattr(2), sched_setaffinity(2),
 * ioprio_set(2), prctl(PR_SET_TIMERSLACK) and a write to
 * /proc/self/oom_score_adj.  So a job gets back no more than its user may
 * set: a real-time policy or a lower nice value needs CAP_SYS_NICE or
 * RLIMIT_RTPRIO/RLIMIT_NICE, a lower OOM score CAP_SYS_RESOURCE, and a
 * restart that cannot set one fails, naming it.
 *
 * Affinity is saved as a mask of CPU numbers, or as "every CPU" when the
 * thread may run on all of them, so that a job moved to a larger machine
 * uses it all.  A mask none of whose CPUs the restarting machine has (or
 * its cpuset allows) is not applied: the thread keeps the restarter's
 * affinity, with a warning on the log.
 *
 * Refused at checkpoint: utilization clamps (sched_setattr(2) with
 * SCHED_FLAG_UTIL_CLAMP), which are not saved.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/cpumask.h>
#include <linux/ioprio.h>
#include <linux/iocontext.h>
#include <linux/oom.h>
#include <linux/sched.h>
#include <linux/sched/deadline.h>
#include <linux/sched/prio.h>
#include <linux/sched/rt.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <uapi/linux/sched/types.h>

#include "internal.h"

/* The least runtime a deadline thread can have: 1 << DL_SCALE ns. */
#define CKPT_DL_MIN_RUNTIME	1024

static u32 ckpt_task_ioprio(struct task_struct *t)
{
#ifdef CONFIG_BLOCK
	u32 prio = 0;

	task_lock(t);
	if (t->io_context)
		prio = t->io_context->ioprio;
	task_unlock(t);
	return prio;
#else
	return 0;
#endif
}

/**
 * ckpt_write_sched - write the CKPT_REC_SCHED record of a frozen thread
 * @ctx:	the checkpoint context
 * @t:		the thread
 *
 * Return: 0, -EOPNOTSUPP for state that is not saved (the reason
 * logged), or a negative errno.
 */
int ckpt_write_sched(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_rec_sched *rec;
	unsigned int cpu;
	int err;

#ifdef CONFIG_UCLAMP_TASK
	if (t->uclamp_req[UCLAMP_MIN].user_defined || t->uclamp_req[UCLAMP_MAX].user_defined)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"thread %d has utilization clamps (SCHED_FLAG_UTIL_CLAMP): not saved",
				task_pid_vnr(t));
#endif
	rec = kzalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	rec->policy = READ_ONCE(t->policy);
	rec->nice = task_nice(t);
	if (rec->policy == SCHED_FIFO || rec->policy == SCHED_RR)
		rec->rt_priority = READ_ONCE(t->rt_priority);
	/* A fair thread's own slice (sched_attr.sched_runtime), if it set one. */
	if ((rec->policy == SCHED_NORMAL || rec->policy == SCHED_BATCH) && t->se.custom_slice)
		rec->dl_runtime = t->se.slice;
	if (rec->policy == SCHED_DEADLINE) {
		rec->dl_runtime = t->dl.dl_runtime;
		rec->dl_deadline = t->dl.dl_deadline;
		rec->dl_period = t->dl.dl_period;
		if (t->dl.flags & SCHED_FLAG_DL_OVERRUN)
			rec->flags |= CKPT_SCHED_DL_OVERRUN;
	}
	if (t->sched_reset_on_fork)
		rec->flags |= CKPT_SCHED_RESET_ON_FORK;
	rec->timer_slack_ns = t->timer_slack_ns;
	rec->default_timer_slack_ns = t->default_timer_slack_ns;
	rec->ioprio = ckpt_task_ioprio(t);
	rec->oom_score_adj = READ_ONCE(t->signal->oom_score_adj);
	rec->oom_score_adj_min = READ_ONCE(t->signal->oom_score_adj_min);
	if (cpumask_subset(cpu_possible_mask, &t->cpus_mask)) {
		rec->flags |= CKPT_SCHED_ALL_CPUS;
	} else {
		for_each_cpu(cpu, &t->cpus_mask) {
			if (cpu >= CKPT_MAX_CPUS) {
				err = ckpt_err(ctx, -EOPNOTSUPP,
					       "thread %d is bound to CPU %u: only CPUs below %u are saved",
					       task_pid_vnr(t), cpu, CKPT_MAX_CPUS);
				goto out;
			}
			rec->cpus[cpu / 64] |= 1ULL << (cpu % 64);
		}
	}
	err = ckpt_write_record(ctx, CKPT_REC_SCHED, rec, sizeof(*rec));
out:
	kfree(rec);
	return err;
}

/**
 * ckpt_read_sched - read and check a thread's CKPT_REC_SCHED record
 * @ctx:	the restart context
 * @rec:	filled in
 * @tid:	the thread, for log lines
 *
 * Return: 0, or -ENOEXEC with the reason logged.
 */
int ckpt_read_sched(struct ckpt_ctx *ctx, struct ckpt_rec_sched *rec, pid_t tid)
{
	bool rt, dl, fair;
	int err;

	err = ckpt_read_record_into(ctx, CKPT_REC_SCHED, rec, sizeof(*rec));
	if (err)
		return err;
	rt = rec->policy == SCHED_FIFO || rec->policy == SCHED_RR;
	dl = rec->policy == SCHED_DEADLINE;
	fair = rec->policy == SCHED_NORMAL || rec->policy == SCHED_BATCH;
	if ((rec->policy != SCHED_NORMAL && rec->policy != SCHED_BATCH &&
	     rec->policy != SCHED_IDLE && !rt && !dl) ||
	    rec->flags & ~CKPT_SCHED_FLAGS_ALL ||
	    ((rec->flags & CKPT_SCHED_DL_OVERRUN) && !dl) ||
	    rec->nice < MIN_NICE || rec->nice > MAX_NICE ||
	    (rt ? rec->rt_priority < 1 || rec->rt_priority > MAX_RT_PRIO - 1 :
	     rec->rt_priority != 0) ||
	    (!dl && (rec->dl_deadline || rec->dl_period)) ||
	    /* What sched_setattr(2) takes: runtime <= deadline <= period (0: deadline). */
	    (dl && (rec->dl_runtime < CKPT_DL_MIN_RUNTIME || rec->dl_deadline < rec->dl_runtime ||
		    (rec->dl_period && rec->dl_period < rec->dl_deadline) ||
		    (rec->dl_deadline | rec->dl_period) >> 63)) ||
	    (!dl && !fair && rec->dl_runtime) ||
	    (fair && rec->dl_runtime && (rec->dl_runtime < NSEC_PER_MSEC / 10 ||
					 rec->dl_runtime > NSEC_PER_MSEC * 100)) ||
	    rec->oom_score_adj < OOM_SCORE_ADJ_MIN || rec->oom_score_adj > OOM_SCORE_ADJ_MAX ||
	    rec->oom_score_adj_min < OOM_SCORE_ADJ_MIN ||
	    rec->oom_score_adj_min > OOM_SCORE_ADJ_MAX ||
	    rec->timer_slack_ns > ULONG_MAX || rec->default_timer_slack_ns > ULONG_MAX ||
	    ((rec->flags & CKPT_SCHED_ALL_CPUS) && memchr_inv(rec->cpus, 0, sizeof(rec->cpus))))
		return ckpt_err(ctx, -ENOEXEC, "thread %d: malformed scheduling record", tid);
	return 0;
}

static const char *ckpt_policy_name(u32 policy)
{
	static const char *const names[] = {
		[SCHED_NORMAL] = "SCHED_OTHER", [SCHED_FIFO] = "SCHED_FIFO",
		[SCHED_RR] = "SCHED_RR", [SCHED_BATCH] = "SCHED_BATCH",
		[SCHED_IDLE] = "SCHED_IDLE", [SCHED_DEADLINE] = "SCHED_DEADLINE",
	};

	return policy < ARRAY_SIZE(names) && names[policy] ? names[policy] : "?";
}

static int ckpt_restore_affinity(struct ckpt_ctx *ctx, const struct ckpt_rec_sched *rec,
				 pid_t tid)
{
	cpumask_var_t mask;
	unsigned int cpu;
	int err;

	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	if (rec->flags & CKPT_SCHED_ALL_CPUS) {
		cpumask_copy(mask, cpu_possible_mask);
	} else {
		for (cpu = 0; cpu < CKPT_MAX_CPUS && cpu < nr_cpu_ids; cpu++)
			if (rec->cpus[cpu / 64] & (1ULL << (cpu % 64)))
				cpumask_set_cpu(cpu, mask);
	}
	err = -EINVAL;
	if (cpumask_intersects(mask, cpu_possible_mask))
		err = sched_setaffinity(0, mask);
	if (err == -EINVAL) {
		ckpt_warn(ctx, "thread %d: none of the CPUs of its affinity is usable here: it keeps the restarter's",
			  tid);
		err = 0;
	} else if (err) {
		err = ckpt_err(ctx, err, "thread %d: cannot set its CPU affinity (error %d)",
			       tid, err);
	}
	free_cpumask_var(mask);
	return err;
}

static int ckpt_restore_oom(struct ckpt_ctx *ctx, const struct ckpt_rec_sched *rec)
{
	struct signal_struct *sig = current->signal;
	bool admin = capable(CAP_SYS_RESOURCE);
	short min;

	/* What a write to /proc/self/oom_score_adj would let it set. */
	if (rec->oom_score_adj < READ_ONCE(sig->oom_score_adj_min) && !admin)
		return ckpt_err(ctx, -EPERM,
				"oom_score_adj %d is below the restarter's minimum %d (needs CAP_SYS_RESOURCE)",
				rec->oom_score_adj, READ_ONCE(sig->oom_score_adj_min));
	min = admin ? rec->oom_score_adj_min :
		      max_t(short, rec->oom_score_adj_min, READ_ONCE(sig->oom_score_adj_min));
	WRITE_ONCE(sig->oom_score_adj, rec->oom_score_adj);
	WRITE_ONCE(sig->oom_score_adj_min, min_t(short, min, rec->oom_score_adj));
	return 0;
}

/**
 * ckpt_restore_sched - give current the attributes of its CKPT_REC_SCHED
 * @ctx:	the restart context
 * @rec:	the record, checked by ckpt_read_sched()
 * @tid:	the thread, for log lines
 * @leader:	current is its process's leader, which sets the process's
 *		OOM score adjustment
 *
 * Context: the restored thread, with its credentials committed.
 *
 * Return: 0, or a negative errno with the attribute that could not be
 * set logged.
 */
int ckpt_restore_sched(struct ckpt_ctx *ctx, const struct ckpt_rec_sched *rec, pid_t tid,
		       bool leader)
{
	struct sched_attr attr = {
		.size		= sizeof(attr),
		.sched_policy	= rec->policy,
		.sched_nice	= rec->nice,
		.sched_priority	= rec->rt_priority,
		.sched_runtime	= rec->dl_runtime,
		.sched_deadline	= rec->dl_deadline,
		.sched_period	= rec->dl_period,
	};
	int err;

	if (rec->flags & CKPT_SCHED_RESET_ON_FORK)
		attr.sched_flags |= SCHED_FLAG_RESET_ON_FORK;
	if (rec->flags & CKPT_SCHED_DL_OVERRUN)
		attr.sched_flags |= SCHED_FLAG_DL_OVERRUN;
	err = ckpt_restore_affinity(ctx, rec, tid);
	if (err)
		return err;
	/*
	 * sched_setattr(2) sets the nice value of SCHED_OTHER and
	 * SCHED_BATCH only; an idle, real-time or deadline thread keeps one
	 * too (it comes back into effect with a fair policy): set it first,
	 * as setpriority(2) would.
	 */
	if (rec->nice < task_nice(current) && !can_nice(current, rec->nice))
		return ckpt_err(ctx, -EPERM,
				"thread %d: nice %d is below the restarter's (needs CAP_SYS_NICE or RLIMIT_NICE)",
				tid, rec->nice);
	set_user_nice(current, rec->nice);
#ifdef CONFIG_BLOCK
	if (rec->ioprio != (ckpt_task_ioprio(current))) {
		err = ioprio_check_cap(rec->ioprio);
		if (!err)
			err = set_task_ioprio(current, rec->ioprio);
		if (err)
			return ckpt_err(ctx, err,
					"thread %d: cannot set its I/O priority %#x (error %d)",
					tid, rec->ioprio, err);
	}
#else
	if (rec->ioprio)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"thread %d has an I/O priority, which this kernel lacks (CONFIG_BLOCK)",
				tid);
#endif
	/* Set as a real-time task, the slack is 0: set it first. */
	current->default_timer_slack_ns = rec->default_timer_slack_ns;
	current->timer_slack_ns = rec->timer_slack_ns;
	err = sched_setattr(current, &attr);
	if (err)
		return ckpt_err(ctx, err,
				"thread %d: cannot set its scheduling policy %s, nice %d, priority %u (error %d)",
				tid, ckpt_policy_name(rec->policy), rec->nice, rec->rt_priority,
				err);
	return leader ? ckpt_restore_oom(ctx, rec) : 0;
}
