// SPDX-License-Identifier: GPL-2.0-only
/*
 * Resource limits.  Restart applies them with do_prlimit(), so raising a
 * hard limit needs CAP_SYS_RESOURCE exactly as setrlimit(2) does.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/resource.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "internal.h"

static const char * const ckpt_rlimit_names[RLIM_NLIMITS] = {
	"CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NPROC", "NOFILE",
	"MEMLOCK", "AS", "LOCKS", "SIGPENDING", "MSGQUEUE", "NICE", "RTPRIO",
	"RTTIME",
};

/**
 * ckpt_write_rlimits - write the CKPT_REC_RLIMITS record of a process
 * @ctx:	the checkpoint context
 * @t:		the process
 *
 * Return: 0 or a negative errno.
 */
int ckpt_write_rlimits(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_rec_rlimits *rec;
	size_t len = struct_size(rec, rlim, RLIM_NLIMITS);
	int i, err;

	rec = kzalloc(len, GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	rec->nr = RLIM_NLIMITS;
	task_lock(t->group_leader);
	for (i = 0; i < RLIM_NLIMITS; i++) {
		rec->rlim[i].cur = t->signal->rlim[i].rlim_cur;
		rec->rlim[i].max = t->signal->rlim[i].rlim_max;
	}
	task_unlock(t->group_leader);
	err = ckpt_write_record(ctx, CKPT_REC_RLIMITS, rec, len);
	kfree(rec);
	return err;
}

/**
 * ckpt_read_rlimits - apply the CKPT_REC_RLIMITS record to current
 * @ctx: the restart context
 *
 * Return: 0, -ENOEXEC for a malformed record, or the error setrlimit(2)
 * would give (-EPERM to raise a hard limit without CAP_SYS_RESOURCE).
 */
int ckpt_read_rlimits(struct ckpt_ctx *ctx)
{
	size_t len = struct_size_t(struct ckpt_rec_rlimits, rlim, RLIM_NLIMITS);
	struct ckpt_rec_rlimits *rec;
	int i, err = 0;

	rec = ckpt_read_record(ctx, CKPT_REC_RLIMITS, len, len);
	if (IS_ERR(rec))
		return PTR_ERR(rec);
	if (rec->nr != RLIM_NLIMITS) {
		err = ckpt_err(ctx, -ENOEXEC, "rlimits record has %u limits, expected %u",
			       rec->nr, RLIM_NLIMITS);
		goto out;
	}
	for (i = 0; i < RLIM_NLIMITS && !err; i++) {
		struct rlimit r = {
			.rlim_cur = rec->rlim[i].cur,
			.rlim_max = rec->rlim[i].max,
		};

		err = do_prlimit(current, i, &r, NULL);
		if (err)
			ckpt_err(ctx, err, "RLIMIT_%s %llu/%llu: %s", ckpt_rlimit_names[i],
				 rec->rlim[i].cur, rec->rlim[i].max,
				 err == -EPERM ? "raising a hard limit needs CAP_SYS_RESOURCE" :
				 "invalid limit");
	}
out:
	kvfree(rec);
	return err;
}
