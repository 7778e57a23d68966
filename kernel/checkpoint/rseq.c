// SPDX-License-Identifier: GPL-2.0-only
/*
 * Restartable sequences: a thread's rseq(2) registration.
 *
 * A restored task starts as a copy of the restarter and so inherits the
 * restarter's registration, whose address means nothing in the restored
 * address space: the kernel would write the CPU number there on the way
 * to user mode.  The registration is therefore part of the image and is
 * put back as rseq(2) would accept it; the task is then treated as
 * migrated, so that a critical section it was in is aborted.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/rseq.h>
#include <linux/sched.h>
#include <uapi/linux/rseq.h>

#include "internal.h"

#define CKPT_ORIG_RSEQ_SIZE	32

/**
 * ckpt_save_rseq - record a thread's rseq registration
 * @t:		the thread
 * @rec:	its CKPT_REC_THREAD record
 */
void ckpt_save_rseq(struct task_struct *t, struct ckpt_rec_thread *rec)
{
#ifdef CONFIG_RSEQ
	rec->rseq = (unsigned long)t->rseq;
	rec->rseq_len = t->rseq ? t->rseq_len : 0;
	rec->rseq_sig = t->rseq ? t->rseq_sig : 0;
#endif
}

/**
 * ckpt_check_rseq - validate a recorded rseq registration
 * @ctx:	the restart context
 * @rec:	the CKPT_REC_THREAD record
 *
 * Applies the rules rseq(2) applies to a registration.
 *
 * Return: 0, or -ENOEXEC with the reason logged.
 */
int ckpt_check_rseq(struct ckpt_ctx *ctx, const struct ckpt_rec_thread *rec)
{
	if (!rec->rseq) {
		if (rec->rseq_len || rec->rseq_sig)
			return ckpt_err(ctx, -ENOEXEC, "rseq length or signature without an area");
		return 0;
	}
	if (!IS_ENABLED(CONFIG_RSEQ))
		return ckpt_err(ctx, -EOPNOTSUPP, "uses rseq, which this kernel lacks");
	if (rec->rseq_len < CKPT_ORIG_RSEQ_SIZE || rec->rseq_len > PAGE_SIZE ||
	    (rec->rseq_len == CKPT_ORIG_RSEQ_SIZE &&
	     !IS_ALIGNED(rec->rseq, CKPT_ORIG_RSEQ_SIZE)) ||
	    (rec->rseq_len != CKPT_ORIG_RSEQ_SIZE &&
	     (!IS_ALIGNED(rec->rseq, __alignof__(struct rseq)) ||
	      rec->rseq_len < offsetof(struct rseq, end))) ||
	    rec->rseq >= TASK_SIZE || rec->rseq_len > TASK_SIZE - rec->rseq)
		return ckpt_err(ctx, -ENOEXEC, "bad rseq registration at %#llx (%u bytes)",
				rec->rseq, rec->rseq_len);
	return 0;
}

/**
 * ckpt_restore_rseq - register the recorded rseq area for current
 * @rec: the CKPT_REC_THREAD record, checked by ckpt_check_rseq()
 */
void ckpt_restore_rseq(const struct ckpt_rec_thread *rec)
{
#ifdef CONFIG_RSEQ
	current->rseq = (struct rseq __user *)(unsigned long)rec->rseq;
	current->rseq_len = rec->rseq_len;
	current->rseq_sig = rec->rseq_sig;
	rseq_migrate(current);
#endif
}
