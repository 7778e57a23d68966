// SPDX-License-Identifier: GPL-2.0-only
/*
 * The freeze barrier: stop a task at a known point before reading any
 * of its state.
 *
 * This uses the machinery the cgroup v2 freezer uses: JOBCTL_TRAP_FREEZE
 * plus signal_wake_up().  A task running in user mode is interrupted; a
 * task sleeping interruptibly in a system call is woken, and the call
 * returns -ERESTART*; either way the task parks in do_freezer_trap() on
 * its way back to user mode, inside get_signal(), with its user
 * registers in pt_regs.  No signal is dequeued while the trap bit is set,
 * so pending signals stay pending.  Thawing clears the bit; the task
 * then finishes get_signal() and the interrupted call is restarted, as
 * after a stop and continue.
 *
 * A task in a group stop (SIGSTOP) is already parked at the same point
 * and stays stopped.  A task in uninterruptible sleep parks when it
 * comes out of it; job.c bounds the wait and builds the barrier over
 * every task of a job from these primitives.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/sched/jobctl.h>
#include <linux/sched/signal.h>

#include "internal.h"

/**
 * ckpt_task_stopped - is a task in a group stop?
 * @t: the task
 *
 * Return: true if @t is stopped by SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU.
 */
bool ckpt_task_stopped(struct task_struct *t)
{
	return READ_ONCE(t->__state) & __TASK_STOPPED;
}

/*
 * Frozen: asleep in do_freezer_trap() (which is the only place that
 * clears TIF_SIGPENDING while JOBCTL_TRAP_FREEZE is set, since
 * recalc_sigpending() keeps it set), or in a group stop; and off the CPU.
 */
/**
 * ckpt_task_frozen - has a task stopped where its state can be read?
 * @t: a task given to ckpt_freeze_task()
 *
 * Return: true when @t is parked off the CPU in the freezer trap or in
 * a group stop.
 */
bool ckpt_task_frozen(struct task_struct *t)
{
	unsigned int state;
	unsigned long flags;
	bool parked = false;

	if (!lock_task_sighand(t, &flags))
		return false;
	state = READ_ONCE(t->__state);
	if (state & __TASK_STOPPED)
		parked = true;
	else if (state == (TASK_INTERRUPTIBLE | TASK_FREEZABLE) &&
		 (t->jobctl & JOBCTL_TRAP_FREEZE) &&
		 !test_tsk_thread_flag(t, TIF_SIGPENDING))
		parked = true;
	unlock_task_sighand(t, &flags);
	return parked && wait_task_inactive(t, state);
}

/**
 * ckpt_task_killed - has a fatal signal come to a frozen task?
 * @t: a task given to ckpt_freeze_task(), referenced
 *
 * SIGKILL (from a user or the OOM killer) takes a task out of the freezer
 * trap, as it takes one out of a group stop, and the task exits: its
 * state is no longer there to save.  Once this is true it stays true.
 *
 * Return: true if @t is exiting or its thread group is being killed.
 */
bool ckpt_task_killed(struct task_struct *t)
{
	return (READ_ONCE(t->flags) & PF_EXITING) || fatal_signal_pending(t) ||
	       (READ_ONCE(t->signal->flags) & SIGNAL_GROUP_EXIT);
}

/**
 * ckpt_thaw - let a task frozen by ckpt_freeze() run again
 * @t: the task
 *
 * A task that was in a group stop stays stopped.
 */
void ckpt_thaw(struct task_struct *t)
{
	unsigned long flags;

	if (!lock_task_sighand(t, &flags))
		return;
	t->jobctl &= ~JOBCTL_TRAP_FREEZE;
	wake_up_process(t);
	unlock_task_sighand(t, &flags);
}

/**
 * ckpt_freeze_task - ask a task to stop at the freeze point
 * @t: the task
 *
 * Return: false if @t is already past exit_signals() and cannot stop.
 */
bool ckpt_freeze_task(struct task_struct *t)
{
	unsigned long flags;

	if (!lock_task_sighand(t, &flags))
		return false;
	t->jobctl |= JOBCTL_TRAP_FREEZE;
	signal_wake_up(t, false);
	unlock_task_sighand(t, &flags);
	return true;
}
