// SPDX-License-Identifier: GPL-2.0-only
/*
 * Resource limits.  Restart applies them with do_prlimit(), so raising a
 * hard limit needs CAP_SYS_RESOURCE exactly as setrlimit(2) does.
 *
 * The limits on what restart itself makes a process hold (its memory,
 * open files, queued signals) become the image's only once all of it is
 * in place: a process may be above its own soft limit, having lowered it
 * after it grew, and must still come back.  Until then their soft limit
 * is the hard one, the larger of the image's and the restarter's: no
 * more than the restarter may give itself with setrlimit(2).  Not
 * RLIMIT_MEMLOCK: memory locked beyond the process's own limit (locked
 * with CAP_IPC_LOCK, which it dropped) is refused, as mlock(2) would
 * refuse it.  Not RLIMIT_NPROC: it counts the user's processes, and a
 * process restored over it must stay marked so (execve(2) then fails).
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

/* Is @i a limit on what restart makes the process hold? */
static bool ckpt_rlimit_deferred(unsigned int i)
{
	switch (i) {
	case RLIMIT_FSIZE: case RLIMIT_DATA: case RLIMIT_STACK: case RLIMIT_NOFILE:
	case RLIMIT_AS: case RLIMIT_SIGPENDING:
		return true;
	}
	return false;
}

static int ckpt_set_rlimit(struct ckpt_ctx *ctx, const struct ckpt_rec_rlimits *rec,
			   unsigned int i, struct rlimit *r)
{
	int err = do_prlimit(current, i, r, NULL);

	if (err)
		ckpt_err(ctx, err, "RLIMIT_%s %llu/%llu: %s", ckpt_rlimit_names[i],
			 rec->rlim[i].cur, rec->rlim[i].max,
			 err == -EPERM ? "raising a hard limit needs CAP_SYS_RESOURCE" :
			 "invalid limit");
	return err;
}

/**
 * ckpt_read_rlimits - apply the CKPT_REC_RLIMITS record to current
 * @ctx:	the restart context
 * @proc:	the process; keeps the record for ckpt_apply_rlimits()
 *
 * Sets every limit but those on what restart makes the process hold,
 * whose soft limit stays at the hard one until ckpt_apply_rlimits().
 *
 * Return: 0, -ENOEXEC for a malformed record, or the error setrlimit(2)
 * would give (-EPERM to raise a hard limit without CAP_SYS_RESOURCE).
 */
int ckpt_read_rlimits(struct ckpt_ctx *ctx, struct ckpt_rproc *proc)
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

		if (r.rlim_cur > r.rlim_max) {
			err = ckpt_set_rlimit(ctx, rec, i, &r);
			break;
		}
		if (ckpt_rlimit_deferred(i)) {
			r.rlim_max = max(r.rlim_max, rlimit_max(i));
			r.rlim_cur = r.rlim_max;
		}
		err = ckpt_set_rlimit(ctx, rec, i, &r);
	}
out:
	if (err)
		kvfree(rec);
	else
		proc->rlimits = rec;
	return err;
}

/**
 * ckpt_apply_rlimits - give current the image's limits on what it holds
 * @ctx:	the restart context
 * @proc:	the process, restored with its threads
 *
 * Return: 0, or what the LSM says to lowering a limit.
 */
int ckpt_apply_rlimits(struct ckpt_ctx *ctx, struct ckpt_rproc *proc)
{
	const struct ckpt_rec_rlimits *rec = proc->rlimits;
	unsigned int i;
	int err = 0;

	for (i = 0; rec && i < RLIM_NLIMITS && !err; i++) {
		struct rlimit r = {
			.rlim_cur = rec->rlim[i].cur,
			.rlim_max = rec->rlim[i].max,
		};

		if (ckpt_rlimit_deferred(i))
			err = ckpt_set_rlimit(ctx, rec, i, &r);
	}
	return err;
}
