// SPDX-License-Identifier: GPL-2.0-only
/*
 * Signals: handlers (CKPT_REC_SIGHAND), and the thread's blocked mask,
 * alternate stack and queued signals with their siginfo (CKPT_REC_SIGNAL
 * followed by CKPT_REC_SIGINFO records), private and process-wide.
 *
 * A task frozen in sigsuspend() or ppoll() runs with a temporary mask
 * and its own mask saved; the image holds its own mask, since the
 * interrupted call is restarted and sets the temporary one again.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "internal.h"

/**
 * ckpt_write_sighand - write the CKPT_REC_SIGHAND record of a process
 * @ctx:	the checkpoint context
 * @t:		the process
 *
 * Return: 0 or a negative errno.
 */
int ckpt_write_sighand(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_rec_sighand *rec;
	size_t len = struct_size(rec, action, _NSIG);
	unsigned long flags;
	int i, err;

	rec = kzalloc(len, GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	rec->nr = _NSIG;
	if (!lock_task_sighand(t, &flags)) {
		kfree(rec);
		return ckpt_err(ctx, -ESRCH, "exited");
	}
	for (i = 0; i < _NSIG; i++) {
		const struct sigaction *sa = &t->sighand->action[i].sa;

		rec->action[i].handler = (unsigned long)sa->sa_handler;
		rec->action[i].flags = sa->sa_flags;
#ifdef __ARCH_HAS_SA_RESTORER
		rec->action[i].restorer = (unsigned long)sa->sa_restorer;
#endif
		rec->action[i].mask = sa->sa_mask.sig[0];
	}
	unlock_task_sighand(t, &flags);
	err = ckpt_write_record(ctx, CKPT_REC_SIGHAND, rec, len);
	kfree(rec);
	return err;
}

/**
 * ckpt_read_sighand - install the handlers of CKPT_REC_SIGHAND in current
 * @ctx: the restart context
 *
 * Each handler goes through do_sigaction(), as sigaction(2) would.
 *
 * Return: 0, -ENOEXEC for a malformed record, or a negative errno.
 */
int ckpt_read_sighand(struct ckpt_ctx *ctx)
{
	size_t len = struct_size_t(struct ckpt_rec_sighand, action, _NSIG);
	struct ckpt_rec_sighand *rec;
	int i, err = 0;

	rec = ckpt_read_record(ctx, CKPT_REC_SIGHAND, len, len);
	if (IS_ERR(rec))
		return PTR_ERR(rec);
	if (rec->nr != _NSIG) {
		err = ckpt_err(ctx, -ENOEXEC, "sighand record has %u signals, expected %u",
			       rec->nr, _NSIG);
		goto out;
	}
	for (i = 0; i < _NSIG && !err; i++) {
		const struct ckpt_sigaction *a = &rec->action[i];
		struct k_sigaction ka = {};
		int sig = i + 1;

		if (a->handler >= TASK_SIZE_MAX || a->restorer >= TASK_SIZE_MAX ||
		    a->flags > U32_MAX) {
			err = ckpt_err(ctx, -ENOEXEC, "signal %d: bad handler", sig);
			break;
		}
		if (sig_kernel_only(sig))
			continue;
		ka.sa.sa_handler = (__sighandler_t)(unsigned long)a->handler;
		ka.sa.sa_flags = a->flags;
#ifdef __ARCH_HAS_SA_RESTORER
		ka.sa.sa_restorer = (__sigrestore_t)(unsigned long)a->restorer;
#endif
		ka.sa.sa_mask.sig[0] = a->mask;
		err = do_sigaction(sig, &ka, NULL);
		if (err)
			ckpt_err(ctx, err, "signal %d: handler refused (error %d)", sig, err);
	}
out:
	kvfree(rec);
	return err;
}

static int ckpt_write_queue(struct ckpt_ctx *ctx, struct task_struct *t,
			    struct sigpending *pending, bool shared,
			    struct ckpt_rec_siginfo *recs, u32 *nr)
{
	struct sigqueue *q;

	list_for_each_entry(q, &pending->list, list) {
		/* A POSIX timer's own signal is saved with its timer (ptimer.c). */
		if (q->flags & SIGQUEUE_PREALLOC)
			continue;
		/* The request this checkpoint by signal serves (sigckpt.c). */
		if (ckpt_sig_pending_ignored(ctx, t, q->info.si_signo))
			continue;
		if (*nr >= CKPT_MAX_SIGINFO)
			return ckpt_err(ctx, -EOPNOTSUPP, "more than %u queued signals",
					CKPT_MAX_SIGINFO);
		recs[*nr].shared = shared;
		copy_siginfo_to_external((siginfo_t *)recs[*nr].info, &q->info);
		(*nr)++;
	}
	return 0;
}

/**
 * ckpt_write_signal - write the signal state of a thread
 * @ctx:	the checkpoint context
 * @t:		the thread
 * @leader:	@t is the first thread of its process in the image, whose
 *		record also carries the process-wide queue
 *
 * Return: 0, -EOPNOTSUPP for more than CKPT_MAX_SIGINFO queued signals,
 * or a negative errno.
 */
int ckpt_write_signal(struct ckpt_ctx *ctx, struct task_struct *t, bool leader)
{
	struct ckpt_rec_signal rec = {};
	struct ckpt_rec_siginfo *recs;
	unsigned long flags;
	u32 i, nr = 0;
	int err;

	recs = kvcalloc(CKPT_MAX_SIGINFO, sizeof(*recs), GFP_KERNEL);
	if (!recs)
		return -ENOMEM;
	if (!lock_task_sighand(t, &flags)) {
		kvfree(recs);
		return ckpt_err(ctx, -ESRCH, "exited");
	}
	rec.blocked = t->blocked.sig[0];
	rec.saved_sigmask = t->saved_sigmask.sig[0];
	if (test_tsk_restore_sigmask(t))
		rec.blocked = rec.saved_sigmask;
	rec.altstack_sp = t->sas_ss_sp;
	rec.altstack_size = t->sas_ss_size;
	rec.altstack_flags = t->sas_ss_flags;
	err = ckpt_write_queue(ctx, t, &t->pending, false, recs, &nr);
	if (!err && leader)
		err = ckpt_write_queue(ctx, t, &t->signal->shared_pending, true, recs, &nr);
	unlock_task_sighand(t, &flags);
	if (err)
		goto out;

	rec.nr_siginfo = nr;
	err = ckpt_write_record(ctx, CKPT_REC_SIGNAL, &rec, sizeof(rec));
	for (i = 0; i < nr && !err; i++)
		err = ckpt_write_record(ctx, CKPT_REC_SIGINFO, &recs[i], sizeof(recs[i]));
out:
	kvfree(recs);
	return err;
}

/**
 * ckpt_read_signal - read a thread's mask, alternate stack and queued
 * signals
 * @ctx:	the restart context
 * @th:		the thread, where to keep them
 * @leader:	@th is its process's first thread
 *
 * They are applied by ckpt_restore_signal() in the thread itself.
 *
 * Return: 0, -ENOEXEC for a malformed record, or a negative errno.
 */
int ckpt_read_signal(struct ckpt_ctx *ctx, struct ckpt_rthread *th, bool leader)
{
	struct ckpt_rec_signal *rec = &th->sig;
	unsigned int mode;
	u32 i;
	int err;

	err = ckpt_read_record_into(ctx, CKPT_REC_SIGNAL, rec, sizeof(*rec));
	if (err)
		return err;
	if (rec->nr_siginfo > CKPT_MAX_SIGINFO)
		return ckpt_err(ctx, -ENOEXEC, "%u queued signals is too many", rec->nr_siginfo);

	mode = rec->altstack_flags & ~SS_FLAG_BITS;
	if ((mode != SS_DISABLE && mode != SS_ONSTACK && mode) ||
	    rec->altstack_sp >= TASK_SIZE_MAX ||
	    rec->altstack_size > TASK_SIZE_MAX - rec->altstack_sp ||
	    (mode != SS_DISABLE && rec->altstack_size && rec->altstack_size < MINSIGSTKSZ))
		return ckpt_err(ctx, -ENOEXEC, "bad alternate signal stack");
	if (!rec->nr_siginfo)
		return 0;
	th->siginfo = kvcalloc(rec->nr_siginfo, sizeof(*th->siginfo), GFP_KERNEL);
	if (!th->siginfo)
		return -ENOMEM;
	for (i = 0; i < rec->nr_siginfo; i++) {
		struct ckpt_rec_siginfo *si = &th->siginfo[i];
		kernel_siginfo_t info;

		err = ckpt_read_record_into(ctx, CKPT_REC_SIGINFO, si, sizeof(*si));
		if (err)
			return err;
		memcpy(&info, si->info, sizeof(info));
		if (si->shared > 1 || (si->shared && !leader) || si->reserved ||
		    !valid_signal(info.si_signo) || !info.si_signo ||
		    sig_kernel_only(info.si_signo) ||
		    memchr_inv(si->info + sizeof(info), 0, sizeof(si->info) - sizeof(info)))
			return ckpt_err(ctx, -ENOEXEC, "bad queued signal %d", info.si_signo);
	}
	return 0;
}

/**
 * ckpt_restore_signal - apply what ckpt_read_signal() read to current
 * @ctx:	the restart context
 * @th:		current's record
 *
 * Sets the alternate stack and the mask, then queues each signal with
 * its siginfo, as rt_tgsigqueueinfo(2) would, to the thread or to the
 * process.  This is the thread's last step before it waits for the
 * restarter: a signal whose default action is fatal must not end the
 * restore half-way.
 *
 * Return: 0 or a negative errno.
 */
int ckpt_restore_signal(struct ckpt_ctx *ctx, struct ckpt_rthread *th)
{
	sigset_t blocked;
	u32 i;

	current->sas_ss_sp = th->sig.altstack_sp;
	current->sas_ss_size = th->sig.altstack_size;
	current->sas_ss_flags = th->sig.altstack_flags;
	blocked.sig[0] = th->sig.blocked;
	set_current_blocked(&blocked);

	for (i = 0; i < th->sig.nr_siginfo; i++) {
		const struct ckpt_rec_siginfo *si = &th->siginfo[i];
		kernel_siginfo_t info;
		int err;

		memcpy(&info, si->info, sizeof(info));
		err = do_send_sig_info(info.si_signo, &info, current,
				       si->shared ? PIDTYPE_TGID : PIDTYPE_PID);
		if (err)
			return ckpt_err(ctx, err, "queueing signal %d failed (error %d)",
					info.si_signo, err);
	}
	return 0;
}
