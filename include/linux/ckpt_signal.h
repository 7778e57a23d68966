/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What checkpoint/restart keeps with a process (signal_struct->ckpt): the
 * SIG_CKPT and SIG_CKPT_KILL signal dispositions and the prctl()s, with
 * hooks into signal delivery, fork, exec, wait and prctl; and a restored
 * thread's earlier use, which taskstats takes off.  The implementation is
 * kernel/checkpoint/sigckpt.c and acct.c.
 */
#ifndef _LINUX_CKPT_SIGNAL_H
#define _LINUX_CKPT_SIGNAL_H

#include <linux/errno.h>
#include <linux/signal.h>
#include <linux/types.h>

struct signal_struct;
struct task_struct;
struct taskstats;

#ifdef CONFIG_CHECKPOINT

/* Is @handler one of the checkpoint dispositions? */
static inline bool ckpt_sig_handler(__sighandler_t handler)
{
	return handler == SIG_CKPT || handler == SIG_CKPT_KILL;
}

bool ckpt_signal(kernel_siginfo_t *info, __sighandler_t handler);
int ckpt_copy_signal(struct signal_struct *sig, struct signal_struct *parent);
void ckpt_free_signal(struct signal_struct *sig);
void ckpt_exec_signal(struct task_struct *t, bool secure);
bool ckpt_ended(struct signal_struct *sig);
int ckpt_prctl(int option, unsigned long arg2, unsigned long arg3,
	       unsigned long arg4, unsigned long arg5);
void ckpt_taskstats_run(struct taskstats *stats, struct task_struct *t, bool tgid);

#else

static inline bool ckpt_sig_handler(__sighandler_t handler)
{
	return false;
}

static inline bool ckpt_signal(kernel_siginfo_t *info, __sighandler_t handler)
{
	return false;
}

static inline int ckpt_copy_signal(struct signal_struct *sig, struct signal_struct *parent)
{
	return 0;
}

static inline void ckpt_free_signal(struct signal_struct *sig) { }
static inline void ckpt_exec_signal(struct task_struct *t, bool secure) { }

static inline bool ckpt_ended(struct signal_struct *sig)
{
	return false;
}

static inline int ckpt_prctl(int option, unsigned long arg2, unsigned long arg3,
			     unsigned long arg4, unsigned long arg5)
{
	return -EINVAL;
}

static inline void ckpt_taskstats_run(struct taskstats *stats, struct task_struct *t,
				      bool tgid) { }

#endif /* CONFIG_CHECKPOINT */

#endif /* _LINUX_CKPT_SIGNAL_H */
