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
 *
 * With CKPT_FILE_LOCKS the caller takes that on: each process's locks
 * are saved (CKPT_REC_LOCKS, after its descriptors), and the restored
 * process takes them back through its own descriptors, as it would with
 * fcntl(2) and flock(2), without waiting: a conflicting lock that another
 * process took meanwhile fails the restart, naming it.  Leases are
 * refused either way (their breaking needs the holder's cooperation).
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/filelock.h>
#include <linux/fs.h>
#include <linux/security.h>
#include <linux/slab.h>

#include "internal.h"

/*
 * Is @c held by process @t (if not NULL), or through its open file @f?
 * A POSIX lock belongs to a process's descriptor table, whatever file
 * it was set through (another process sharing that file does not hold
 * it); an open file description lock, a flock() lock and a lease belong
 * to the file.
 */
static bool ckpt_lock_held(const struct file_lock_core *c, struct task_struct *t,
			   struct file *f)
{
	if ((c->flc_flags & FL_POSIX) && !(c->flc_flags & FL_OFDLCK))
		return t && c->flc_owner == (fl_owner_t)READ_ONCE(t->files);
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
	held = ckpt_find_lock(&flctx->flc_lease, t, f, what, sizeof(what));
	if (!held && !(ctx->flags & CKPT_FILE_LOCKS))
		held = ckpt_find_lock(&flctx->flc_posix, t, f, what, sizeof(what)) ||
		       ckpt_find_lock(&flctx->flc_flock, t, f, what, sizeof(what));
	spin_unlock(&flctx->flc_lock);
	if (!held)
		return 0;
	if (ctx->flags & CKPT_FILE_LOCKS)
		return ckpt_err(ctx, -EBUSY, "fd %u (%pD): holds %s: leases are not saved",
				fd, f, what);
	return ckpt_err(ctx, -EBUSY,
			"fd %u (%pD): holds %s: file locks are saved only with CKPT_FILE_LOCKS (--file-locks)",
			fd, f, what);
}

/**
 * ckpt_check_file_locks - refuse a file in flight that holds a lock
 * @ctx:	the checkpoint context
 * @f:		the file, in flight (SCM_RIGHTS) on a unix socket of the job
 * @sock_fd:	the descriptor on that socket, for the message
 *
 * An open file description lock, a flock() lock or a lease held through
 * a file in flight would have no descriptor to be taken back through at
 * restart, with CKPT_FILE_LOCKS or without.
 *
 * Return: 0, or -EBUSY with the file and the lock logged.
 */
int ckpt_check_file_locks(struct ckpt_ctx *ctx, struct file *f, unsigned int sock_fd)
{
	struct file_lock_context *flctx = locks_inode_context(file_inode(f));
	char what[96];
	bool held;

	if (!flctx)
		return 0;
	/* With no process, only the locks that belong to the file match. */
	spin_lock(&flctx->flc_lock);
	held = ckpt_find_lock(&flctx->flc_lease, NULL, f, what, sizeof(what)) ||
	       ckpt_find_lock(&flctx->flc_posix, NULL, f, what, sizeof(what)) ||
	       ckpt_find_lock(&flctx->flc_flock, NULL, f, what, sizeof(what));
	spin_unlock(&flctx->flc_lock);
	if (!held)
		return 0;
	return ckpt_err(ctx, -EBUSY,
			"fd %u: %pD, in flight (SCM_RIGHTS) on the unix socket, holds %s: not supported",
			sock_fd, f, what);
}

/* Is @f on one of @t's descriptors? */
static bool ckpt_on_fd(struct task_struct *t, struct file *f)
{
	struct fdtable *fdt;
	bool found = false;
	unsigned int fd;

	rcu_read_lock();
	task_lock(t);
	if (t->files) {
		fdt = files_fdtable(t->files);
		for (fd = 0; fd < fdt->max_fds && !found; fd++)
			found = rcu_dereference_raw(fdt->fd[fd]) == f;
	}
	task_unlock(t);
	rcu_read_unlock();
	return found;
}

/**
 * ckpt_check_mapped_locks - refuse a lock held only through a mapping
 * @ctx:	the checkpoint context
 * @t:		the frozen process
 * @f:		the file of one of its mappings
 * @start:	where the mapping starts, for the message
 *
 * An open file description that a mapping alone keeps open keeps its
 * open file description and flock() locks and leases; no descriptor
 * leads to them, so they cannot be saved, even with CKPT_FILE_LOCKS.
 *
 * Context: under the mmap lock; takes the lock context's spinlock.
 * Return: 0, or -EBUSY with the mapping and the lock logged.
 */
int ckpt_check_mapped_locks(struct ckpt_ctx *ctx, struct task_struct *t, struct file *f,
			    unsigned long start)
{
	struct file_lock_context *flctx = locks_inode_context(file_inode(f));
	struct file_lock_core *c;
	bool held = false;

	if (!flctx)
		return 0;
	spin_lock(&flctx->flc_lock);
	list_for_each_entry(c, &flctx->flc_posix, flc_list)
		held = held || (c->flc_flags & FL_OFDLCK && c->flc_file == f);
	list_for_each_entry(c, &flctx->flc_flock, flc_list)
		held = held || c->flc_file == f;
	list_for_each_entry(c, &flctx->flc_lease, flc_list)
		held = held || c->flc_file == f;
	spin_unlock(&flctx->flc_lock);
	if (!held || ckpt_on_fd(t, f))
		return 0;
	return ckpt_err(ctx, -EBUSY,
			"mapping %#lx (%pD) holds a file lock through the mapping alone, with no descriptor: not saved",
			start, f);
}

/**
 * struct ckpt_wlocks - checkpoint: the locks of a process being saved
 * @rec:	the record, with room for @max locks
 * @max:	room in @rec
 * @files:	the files already looked at
 * @nr_files:	how many
 */
struct ckpt_wlocks {
	struct ckpt_rec_locks *rec;
	unsigned int max;
	struct file **files;
	unsigned int nr_files;
};

/* Has an earlier descriptor of the process been on this file (or inode)? */
static bool ckpt_seen(struct ckpt_wlocks *wl, struct file *f, bool inode)
{
	unsigned int i;

	for (i = 0; i < wl->nr_files; i++)
		if (inode ? file_inode(wl->files[i]) == file_inode(f) : wl->files[i] == f)
			return true;
	return false;
}

/*
 * Add the locks @t holds on @f's inode that a descriptor before @fd did
 * not: its POSIX locks once per inode, and the open file description and
 * flock() locks of @f once per file.  Return how many it would add, or
 * -1 when @wl has no room for them.
 */
static int ckpt_add_locks(struct ckpt_wlocks *wl, struct task_struct *t, struct file *f,
			  unsigned int fd)
{
	struct file_lock_context *flctx = locks_inode_context(file_inode(f));
	bool posix = !ckpt_seen(wl, f, true), own = !ckpt_seen(wl, f, false);
	struct list_head *lists[2];
	struct file_lock_core *c;
	unsigned int n = 0, i;

	if (!flctx || (!posix && !own))
		return 0;
	lists[0] = &flctx->flc_posix;
	lists[1] = &flctx->flc_flock;
	spin_lock(&flctx->flc_lock);
	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		list_for_each_entry(c, lists[i], flc_list) {
			struct file_lock *fl = container_of(c, struct file_lock, c);
			struct ckpt_lock *l;
			u16 kind;

			if (c->flc_flags & FL_FLOCK)
				kind = CKPT_LOCK_FLOCK;
			else if (c->flc_flags & FL_OFDLCK)
				kind = CKPT_LOCK_OFD;
			else
				kind = CKPT_LOCK_POSIX;
			if (kind == CKPT_LOCK_POSIX ?
			    !posix || c->flc_owner != (fl_owner_t)READ_ONCE(t->files) :
			    !own || c->flc_file != f)
				continue;
			if (wl->rec->nr + n >= wl->max) {
				n++;
				continue;
			}
			l = &wl->rec->locks[wl->rec->nr + n++];
			l->fd = fd;
			l->kind = kind;
			l->type = lock_is_write(fl) ? F_WRLCK : F_RDLCK;
			l->start = kind == CKPT_LOCK_FLOCK ? 0 : fl->fl_start;
			l->end = kind == CKPT_LOCK_FLOCK ? OFFSET_MAX : fl->fl_end;
		}
	}
	spin_unlock(&flctx->flc_lock);
	if (wl->rec->nr + n > wl->max)
		return -1;
	wl->rec->nr += n;
	return n;
}

static int ckpt_grow_locks(struct ckpt_wlocks *wl, unsigned int want)
{
	struct ckpt_rec_locks *rec;

	if (want > CKPT_MAX_LOCKS)
		return -EOPNOTSUPP;
	rec = kvzalloc(struct_size(rec, locks, want), GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	if (wl->rec) {
		memcpy(rec, wl->rec, struct_size(rec, locks, wl->rec->nr));
		kvfree(wl->rec);
	}
	wl->rec = rec;
	wl->max = want;
	return 0;
}

/**
 * ckpt_write_locks - write the CKPT_REC_LOCKS record of a process, with
 * CKPT_FILE_LOCKS, if it holds locks
 * @ctx:	the checkpoint context
 * @t:		the frozen process, whose descriptors are written
 *
 * Return: 0, -EOPNOTSUPP for more than CKPT_MAX_LOCKS locks (logged), or
 * a negative errno.
 */
int ckpt_write_locks(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_wlocks wl = {};
	unsigned int fd = 0, max_files = 0, before;
	u32 kind;
	struct file *f;
	int err = 0;

	if (!(ctx->flags & CKPT_FILE_LOCKS))
		return 0;
	err = ckpt_grow_locks(&wl, 16);
	for (; !err; fd++) {
		rcu_read_lock();
		f = task_lookup_next_fdget_rcu(t, &fd);
		rcu_read_unlock();
		if (!f)
			break;
		before = wl.rec->nr;
		while (!err && ckpt_add_locks(&wl, t, f, fd) < 0)
			err = ckpt_grow_locks(&wl, wl.max * 2);
		/* Restart gives it the restarter's file: the lock would go there. */
		if (!err && wl.rec->nr > before && ckpt_obj_lookup_ptr(&ctx->objs, f, &kind) &&
		    kind == CKPT_OBJ_INHERITED)
			err = ckpt_err(ctx, -EBUSY,
				       "fd %u (%pD): holds a lock on a standard file that restart replaces with its own: not saved",
				       fd, f);
		if (!err && wl.nr_files == max_files)
			err = ckpt_grow_array((void **)&wl.files, sizeof(*wl.files), wl.nr_files,
					      &max_files, wl.nr_files + 1);
		/* Not referenced: the frozen process holds it. */
		if (!err)
			wl.files[wl.nr_files++] = f;
		fput(f);
	}
	if (err == -EOPNOTSUPP)
		err = ckpt_err(ctx, err, "holds more than %u file locks", CKPT_MAX_LOCKS);
	if (!err && wl.rec->nr)
		err = ckpt_write_record(ctx, CKPT_REC_LOCKS, wl.rec,
					struct_size(wl.rec, locks, wl.rec->nr));
	kvfree(wl.rec);
	kvfree(wl.files);
	return err;
}

/* Who holds a lock that conflicts with @fl on @f, for the log line. */
static pid_t ckpt_lock_holder(struct file *f, const struct flock *fl, bool ofd)
{
	struct flock test = *fl;

	if (fcntl_getlk(f, ofd ? F_OFD_GETLK : F_GETLK, &test) || test.l_type == F_UNLCK)
		return 0;
	return test.l_pid;
}

static int ckpt_take_flock(struct file *f, int type)
{
	struct file_lock fl;
	int err;

	locks_init_lock(&fl);
	fl.c.flc_file = f;
	fl.c.flc_owner = f;
	fl.c.flc_pid = current->tgid;
	fl.c.flc_flags = FL_FLOCK;
	fl.c.flc_type = type;
	fl.fl_end = OFFSET_MAX;
	err = security_file_lock(f, type);
	if (err)
		return err;
	if (f->f_op->flock)
		err = f->f_op->flock(f, F_SETLK, &fl);
	else
		err = locks_lock_file_wait(f, &fl);
	locks_release_private(&fl);
	return err;
}

static bool ckpt_lock_ok(const struct ckpt_lock *l)
{
	if (l->fd < 0 || (l->type != F_RDLCK && l->type != F_WRLCK))
		return false;
	if (l->kind == CKPT_LOCK_FLOCK)
		return !l->start && l->end == OFFSET_MAX;
	return (l->kind == CKPT_LOCK_POSIX || l->kind == CKPT_LOCK_OFD) &&
	       l->start >= 0 && l->end >= l->start;
}

/* Is @f open for a lock of @type? */
static bool ckpt_lock_access(struct file *f, int type)
{
	return !(f->f_mode & FMODE_PATH) &&
	       (f->f_mode & (type == F_WRLCK ? FMODE_WRITE : FMODE_READ));
}

struct ckpt_lock_pick {
	struct inode *inode;
	int type;
};

static int ckpt_pick_fd(const void *arg, struct file *f, unsigned int fd)
{
	const struct ckpt_lock_pick *pick = arg;

	return file_inode(f) == pick->inode && ckpt_lock_access(f, pick->type) ? fd + 1 : 0;
}

/* Take one lock back through the restored process's descriptor. */
static int ckpt_take_lock(struct ckpt_ctx *ctx, const struct ckpt_lock *l)
{
	static const char *const kinds[] = {
		[CKPT_LOCK_POSIX] = "POSIX", [CKPT_LOCK_OFD] = "open file description",
		[CKPT_LOCK_FLOCK] = "flock()",
	};
	struct flock fl = {
		.l_type = l->type,
		.l_whence = SEEK_SET,
		.l_start = l->start,
		.l_len = l->end == OFFSET_MAX ? 0 : l->end - l->start + 1,
	};
	struct file *f = fget_raw(l->fd);
	pid_t holder = 0;
	int fd = l->fd;
	int err;

	if (!f)
		return ckpt_err(ctx, -ENOEXEC, "locks record: no fd %d", l->fd);
	/*
	 * A POSIX lock is the process's, on the file: take it through a
	 * descriptor open for the access it needs (the one the record names
	 * may be read-only), as there was one when it was taken.
	 */
	if (l->kind == CKPT_LOCK_POSIX && !ckpt_lock_access(f, l->type)) {
		struct ckpt_lock_pick pick = { .inode = file_inode(f), .type = l->type };
		int other = iterate_fd(current->files, 0, ckpt_pick_fd, &pick) - 1;

		fput(f);
		f = other >= 0 ? fget_raw(other) : NULL;
		if (!f)
			return ckpt_err(ctx, -ENOEXEC,
					"locks record: fd %d is not open for a %s lock", l->fd,
					l->type == F_WRLCK ? "write" : "read");
		fd = other;
	}
	if (l->kind == CKPT_LOCK_FLOCK)
		err = ckpt_take_flock(f, l->type);
	else
		err = fcntl_setlk(fd, f, l->kind == CKPT_LOCK_OFD ? F_OFD_SETLK : F_SETLK, &fl);
	if ((err == -EAGAIN || err == -EACCES) && l->kind != CKPT_LOCK_FLOCK)
		holder = ckpt_lock_holder(f, &fl, l->kind == CKPT_LOCK_OFD);
	if (err && holder)
		ckpt_err(ctx, err,
			 "fd %d (%pD): cannot take back its %s %s lock on bytes %lld-%lld: pid %d holds a conflicting lock",
			 l->fd, f, kinds[l->kind], l->type == F_WRLCK ? "write" : "read",
			 l->start, l->end, holder);
	else if (err)
		ckpt_err(ctx, err, "fd %d (%pD): cannot take back its %s %s lock (error %d)",
			 l->fd, f, kinds[l->kind], l->type == F_WRLCK ? "write" : "read", err);
	fput(f);
	return err;
}

/**
 * ckpt_read_locks - take back the file locks of the process being
 * restored, if its image has them
 * @ctx:	the restart context, the process's descriptors in place
 *
 * Return: 0, or a negative errno with the reason logged (a conflicting
 * lock held by another process names it).
 */
int ckpt_read_locks(struct ckpt_ctx *ctx)
{
	struct ckpt_rec_locks *r;
	unsigned int i;
	int err = 0, type;

	type = ckpt_peek_type(ctx);
	if (type != CKPT_REC_LOCKS)
		return type < 0 ? type : 0;
	r = ckpt_read_record(ctx, CKPT_REC_LOCKS, struct_size(r, locks, 1),
			     struct_size(r, locks, CKPT_MAX_LOCKS));
	if (IS_ERR(r))
		return PTR_ERR(r);
	if (!r->nr || r->nr > CKPT_MAX_LOCKS || r->reserved ||
	    r->h.len != struct_size(r, locks, r->nr)) {
		err = ckpt_err(ctx, -ENOEXEC, "locks record is malformed");
		goto out;
	}
	for (i = 0; i < r->nr && !err; i++)
		if (!ckpt_lock_ok(&r->locks[i]))
			err = ckpt_err(ctx, -ENOEXEC, "locks record: lock %u is malformed", i);
	for (i = 0; i < r->nr && !err; i++)
		err = ckpt_take_lock(ctx, &r->locks[i]);
out:
	kvfree(r);
	return err;
}
