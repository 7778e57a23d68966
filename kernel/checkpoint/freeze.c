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
 * and stays stopped.  A task in uninterruptible sleep is waited for, up
 * to CKPT_FREEZE_TIMEOUT.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/sched/jobctl.h>
#include <linux/sched/signal.h>

#include "internal.h"

#define CKPT_FREEZE_TIMEOUT	(10 * HZ)

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
 * Parked: asleep in do_freezer_trap() (which is the only place that
 * clears TIF_SIGPENDING while JOBCTL_TRAP_FREEZE is set, since
 * recalc_sigpending() keeps it set), or in a group stop; and off the CPU.
 */
static bool ckpt_parked(struct task_struct *t)
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
 * ckpt_freeze - stop a task at a point where its state can be read
 * @ctx:	the checkpoint context, for the reason of a failure
 * @t:		a task of another process, single-threaded
 *
 * Return: 0 with @t parked; else @t runs on as before and the result is
 * -ESRCH (it exited), -EINTR (the caller got a signal) or -ETIMEDOUT
 * (it stayed in uninterruptible sleep).
 */
int ckpt_freeze(struct ckpt_ctx *ctx, struct task_struct *t)
{
	unsigned long deadline = jiffies + CKPT_FREEZE_TIMEOUT;
	unsigned long flags;

	if (!lock_task_sighand(t, &flags))
		return ckpt_err(ctx, -ESRCH, "exited");
	t->jobctl |= JOBCTL_TRAP_FREEZE;
	signal_wake_up(t, false);
	unlock_task_sighand(t, &flags);

	while (!ckpt_parked(t)) {
		if (t->exit_state || (t->flags & PF_EXITING)) {
			ckpt_thaw(t);
			return ckpt_err(ctx, -ESRCH, "exited while being frozen");
		}
		if (signal_pending(current)) {
			ckpt_thaw(t);
			return ckpt_err(ctx, -EINTR, "interrupted by a signal while freezing");
		}
		if (time_after(jiffies, deadline)) {
			ckpt_thaw(t);
			return ckpt_err(ctx, -ETIMEDOUT,
					"did not stop within %u s (uninterruptible sleep in the kernel)",
					CKPT_FREEZE_TIMEOUT / HZ);
		}
		usleep_range(100, 1000);
	}
	return 0;
}
