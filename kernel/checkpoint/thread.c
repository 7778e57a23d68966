// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-thread identity kept by the kernel for the C library: the
 * CLONE_CHILD_SETTID and set_tid_address(2) pointers (the latter is how
 * pthread_join() learns that a thread has exited), the robust futex
 * list (how a mutex held by a dead thread is recovered), and the
 * thread's name.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/mutex.h>
#include <linux/sched.h>

#include <linux/sched/task_stack.h>
#include <linux/futex.h>

#include "internal.h"

/**
 * ckpt_save_thread_ids - record a frozen thread's futex pointers and name
 * @t:		the thread
 * @rec:	its CKPT_REC_THREAD record
 */
void ckpt_save_thread_ids(struct task_struct *t, struct ckpt_rec_thread *rec)
{
	rec->set_child_tid = (unsigned long)t->set_child_tid;
	rec->clear_child_tid = (unsigned long)t->clear_child_tid;
#ifdef CONFIG_FUTEX
	rec->robust_list = (unsigned long)t->robust_list;
	rec->robust_list_len = t->robust_list ? sizeof(*t->robust_list) : 0;
#endif
	__get_task_comm(rec->comm, sizeof(rec->comm), t);
}

/**
 * ckpt_check_thread_ids - validate what ckpt_save_thread_ids() recorded
 * @ctx:	the restart context
 * @rec:	the CKPT_REC_THREAD record
 *
 * Applies the checks set_robust_list(2) applies.
 *
 * Return: 0, or -ENOEXEC with the reason logged.
 */
int ckpt_check_thread_ids(struct ckpt_ctx *ctx, const struct ckpt_rec_thread *rec)
{
	if (rec->set_child_tid >= TASK_SIZE_MAX || rec->clear_child_tid >= TASK_SIZE_MAX ||
	    rec->robust_list >= TASK_SIZE_MAX)
		return ckpt_err(ctx, -ENOEXEC, "thread %d: futex pointer out of range", rec->tid);
#ifdef CONFIG_FUTEX
	if (rec->robust_list ? rec->robust_list_len != sizeof(struct robust_list_head) :
	    rec->robust_list_len)
		return ckpt_err(ctx, -ENOEXEC, "thread %d: bad robust list length %llu",
				rec->tid, rec->robust_list_len);
#else
	if (rec->robust_list)
		return ckpt_err(ctx, -EOPNOTSUPP, "uses robust futexes, which this kernel lacks");
#endif
	if (strnlen(rec->comm, sizeof(rec->comm)) == sizeof(rec->comm))
		return ckpt_err(ctx, -ENOEXEC, "thread %d: name not terminated", rec->tid);
	return 0;
}

/**
 * ckpt_restore_thread_ids - set current's futex pointers and name
 * @rec: the CKPT_REC_THREAD record, checked by ckpt_check_thread_ids()
 */
void ckpt_restore_thread_ids(const struct ckpt_rec_thread *rec)
{
	current->set_child_tid = (int __user *)(unsigned long)rec->set_child_tid;
	current->clear_child_tid = (int __user *)(unsigned long)rec->clear_child_tid;
#ifdef CONFIG_FUTEX
	current->robust_list = (struct robust_list_head __user *)(unsigned long)rec->robust_list;
#endif
	set_task_comm(current, rec->comm);
}
