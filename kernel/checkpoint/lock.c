// SPDX-License-Identifier: GPL-2.0-only
/*
 * File locks: POSIX (fcntl F_SETLK), open file description (F_OFD_SETLK)
 * and flock(2) locks, and leases.
 *
 * A lock is a promise to other processes, and a checkpoint breaks it:
 * between the checkpoint and the restart the file is unlocked, anyone
 * may change it, and the restored job would go on as if it had held the
 * lock all along (seed 000, section 3.4).  So, as Hibernator did, a job
 * that holds a lock is refused: checkpoint(2) fails with -EBUSY, naming
 * the process, the file and the lock, and the job runs on.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/filelock.h>
#include <linux/fs.h>

#include "internal.h"

/*
 * Is @c held by process @t, or through its open file @f?  A POSIX lock
 * belongs to a process's descriptor table, whatever file it was set
 * through (another process sharing that file does not hold it); an open
 * file description lock, a flock() lock and a lease belong to the file.
 */
static bool ckpt_lock_held(const struct file_lock_core *c, struct task_struct *t,
			   struct file *f)
{
	if ((c->flc_flags & FL_POSIX) && !(c->flc_flags & FL_OFDLCK))
		return c->flc_owner == (fl_owner_t)READ_ONCE(t->files);
	return c->flc_file == f;
}

/*
 * The first lock on @list held by @t or through @f, described in @what;
 * called with the lock context's flc_lock held.
 */
static bool ckpt_find_lock(struct list_head *list, struct task_struct *t, struct file *f,
			   char *what, size_t len)
{
	struct file_lock_core *c;

	list_for_each_entry(c, list, flc_list) {
		if (!ckpt_lock_held(c, t, f))
			continue;
		if (c->flc_flags & (FL_POSIX | FL_OFDLCK)) {
			struct file_lock *fl = container_of(c, struct file_lock, c);

			snprintf(what, len, "%s %s lock on bytes %lld-%lld",
				 c->flc_flags & FL_OFDLCK ? "an open file description" : "a POSIX",
				 lock_is_write(fl) ? "write" : "read", fl->fl_start, fl->fl_end);
		} else {
			snprintf(what, len, "%s (%s)",
				 c->flc_flags & FL_FLOCK ? "a flock() lock" : "a lease",
				 c->flc_type == F_WRLCK ? "exclusive" : "shared");
		}
		return true;
	}
	return false;
}

/**
 * ckpt_check_locks - refuse a file that a process of the job holds locked
 * @ctx:	the checkpoint context
 * @t:		the frozen process
 * @f:		one of its open files
 * @fd:		the descriptor @f is on, for the message
 *
 * Return: 0, or -EBUSY with the process, the file and the lock logged.
 */
int ckpt_check_locks(struct ckpt_ctx *ctx, struct task_struct *t, struct file *f,
		     unsigned int fd)
{
	struct file_lock_context *flctx = locks_inode_context(file_inode(f));
	char what[96];
	bool held;

	if (!flctx)
		return 0;
	spin_lock(&flctx->flc_lock);
	held = ckpt_find_lock(&flctx->flc_posix, t, f, what, sizeof(what)) ||
	       ckpt_find_lock(&flctx->flc_flock, t, f, what, sizeof(what)) ||
	       ckpt_find_lock(&flctx->flc_lease, t, f, what, sizeof(what));
	spin_unlock(&flctx->flc_lock);
	if (!held)
		return 0;
	return ckpt_err(ctx, -EBUSY, "fd %u (%pD): holds %s: file locks are not saved", fd, f,
			what);
}
