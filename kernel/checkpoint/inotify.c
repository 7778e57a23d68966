// SPDX-License-Identifier: GPL-2.0-only
/*
 * inotify instances (CKPT_REC_INOTIFY): their watches, each with its
 * descriptor, mask and the path of what it watches, where the next new
 * watch's descriptor is tried, and the events queued and not read yet,
 * exactly as read(2) would return them.
 *
 * A watch is kept on an inode, not a path; checkpoint finds a path to
 * it through a mount that shows it (the process's root or working
 * directory, a mount of the checkpointer's mount namespace, or the mount
 * of one of the process's open files), and checks that the path leads
 * back to that inode.  A watch on a deleted file, or on
 * one no such path leads to, is refused with its descriptor named.
 * Restart adds each watch again by that path, with the checks
 * inotify_add_watch(2) makes, as the restored process; the path is
 * looked up again, so a file replaced at that path since the checkpoint
 * is the one watched after restart.  The queued events are put back in
 * order; those of the time between the checkpoint and the restart (the
 * job was not there to see them) are not made up.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/dcache.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/inotify.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "internal.h"

/* Mounts of a watched inode's filesystem tried for a path to it */
#define CKPT_INOTIFY_MAX_MOUNTS		64

/* Queued events that are saved: inotify's default queue, names included */
#define CKPT_INOTIFY_MAX_EVENTS_LEN	(CKPT_MAX_RECORD / 2)

static bool ckpt_inotify_owns(struct ckpt_ctx *ctx, struct file *f, unsigned int fd)
{
	return is_inotify_file(f);
}

/* Does @p (a path of @inode by @mnt) lead back to @inode? */
static const char *ckpt_try_mount(struct vfsmount *mnt, struct dentry *dentry,
				  struct inode *inode, char *buf)
{
	struct path path = { .mnt = mnt, .dentry = dentry };
	struct path check;
	const char *p;
	bool same;

	if (mnt->mnt_sb != inode->i_sb)
		return NULL;
	p = d_path(&path, buf, PATH_MAX);
	if (IS_ERR(p) || *p != '/')
		return NULL;
	if (kern_path(p, 0, &check))
		return NULL;
	same = d_inode(check.dentry) == inode;
	path_put(&check);
	return same ? p : NULL;
}

/* A path to @inode, through a mount that shows it, in @buf; or NULL. */
static const char *ckpt_watch_path(struct task_struct *t, struct inode *inode, char *buf)
{
	struct path root = {}, pwd = {};
	const char *found = NULL;
	unsigned int fd = 0, skip;
	struct dentry *dentry;
	struct file *f;

	dentry = d_find_alias(inode);
	if (!dentry)
		return NULL;
	task_lock(t);
	if (t->fs) {
		get_fs_root(t->fs, &root);
		get_fs_pwd(t->fs, &pwd);
	}
	task_unlock(t);
	if (root.mnt)
		found = ckpt_try_mount(root.mnt, dentry, inode, buf);
	if (!found && pwd.mnt)
		found = ckpt_try_mount(pwd.mnt, dentry, inode, buf);
	path_put(&root);
	path_put(&pwd);
	for (skip = 0; !found && skip < CKPT_INOTIFY_MAX_MOUNTS; skip++) {
		struct vfsmount *mnt = mnt_find_by_dentry(dentry, skip);

		if (!mnt)
			break;
		found = ckpt_try_mount(mnt, dentry, inode, buf);
		mntput(mnt);
	}
	while (!found) {
		rcu_read_lock();
		f = task_lookup_next_fdget_rcu(t, &fd);
		rcu_read_unlock();
		if (!f)
			break;
		found = ckpt_try_mount(f->f_path.mnt, dentry, inode, buf);
		fput(f);
		fd++;
	}
	dput(dentry);
	return found;
}

/* Append one watch to the record being built in *@rec (@len bytes so far). */
static int ckpt_add_watch(struct ckpt_ctx *ctx, struct ckpt_wfile *w, void **rec, size_t *len,
			  size_t *cap, const struct inotify_ckpt_watch *iw)
{
	struct ckpt_inotify_watch *cw;
	const char *path;
	size_t plen, need;

	path = ckpt_watch_path(w->task, iw->inode, w->buf);
	if (!path)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"fd %u: inotify watch %d is on %s inode %lu, which no path leads to: not supported",
				w->fd, iw->wd, iw->inode->i_nlink ? "an" : "a deleted",
				iw->inode->i_ino);
	plen = strlen(path) + 1;
	need = *len + sizeof(*cw) + ALIGN(plen, CKPT_ALIGN);
	if (need > CKPT_MAX_RECORD)
		return ckpt_err(ctx, -EFBIG, "fd %u: the inotify instance has too many watches",
				w->fd);
	if (need > *cap) {
		size_t ncap = max(need, 2 * *cap);
		void *n = kvrealloc(*rec, ncap, GFP_KERNEL);

		if (!n)
			return -ENOMEM;
		*rec = n;
		*cap = ncap;
	}
	cw = *rec + *len;
	memset(cw, 0, need - *len);
	cw->wd = iw->wd;
	cw->mask = iw->mask;
	cw->path_len = plen;
	memcpy(cw->path, path, plen);
	*len = need;
	return 0;
}

static int ckpt_inotify_write(struct ckpt_ctx *ctx, struct ckpt_wfile *w)
{
	struct ckpt_rec_inotify *r;
	struct inotify_ckpt_watch iw;
	size_t len = sizeof(*r), cap = PAGE_SIZE;
	void *rec, *events = NULL;
	ssize_t elen;
	int wd = 1, err, more;

	err = ckpt_check_held_outside(ctx, w, "inotify instance");
	if (err)
		return err;
	rec = kvzalloc(cap, GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	r = rec;
	while ((more = inotify_ckpt_watch(w->file, wd, &iw)) > 0) {
		err = ckpt_add_watch(ctx, w, &rec, &len, &cap, &iw);
		iput(iw.inode);
		if (err)
			goto out;
		r = rec;
		if (++r->nr_watches > CKPT_MAX_INOTIFY_WATCHES) {
			err = ckpt_err(ctx, -EFBIG,
				       "fd %u: the inotify instance has too many watches", w->fd);
			goto out;
		}
		wd = iw.wd + 1;
		if (wd <= 0)
			break;
	}
	if (more < 0) {
		err = ckpt_err(ctx, -EBUSY, "fd %u: an inotify watch is going away", w->fd);
		goto out;
	}
	r->next_wd = inotify_ckpt_next_wd(w->file);

	/*
	 * The job is frozen, but events of other processes still come:
	 * size the copy, then take it, until it fits.
	 */
	elen = inotify_ckpt_events(w->file, NULL, 0);
	for (;;) {
		size_t size = elen;

		if (elen > CKPT_INOTIFY_MAX_EVENTS_LEN || len + elen > CKPT_MAX_RECORD) {
			err = ckpt_err(ctx, -EFBIG, "fd %u: too many inotify events queued",
				       w->fd);
			goto out;
		}
		kvfree(events);
		events = kvmalloc(size ?: 1, GFP_KERNEL);
		if (!events) {
			err = -ENOMEM;
			goto out;
		}
		elen = inotify_ckpt_events(w->file, events, size);
		if (elen <= size)
			break;
	}
	r->events_len = elen;
	r->objid = ckpt_obj_new_id(&ctx->objs);
	w->rec.kind = CKPT_FILE_INOTIFY;
	w->rec.ref_id = r->objid;
	err = ckpt_write_record_data(ctx, CKPT_REC_INOTIFY, rec, len, events, elen);
out:
	kvfree(events);
	kvfree(rec);
	return err;
}

static void ckpt_inotify_put(void *f)
{
	fput(f);
}

/* Add the record's watches to @f; @p and @end bound them. */
static int ckpt_inotify_watches(struct ckpt_ctx *ctx, struct file *f,
				const struct ckpt_rec_inotify *r, const void **pp, const void *end)
{
	const void *p = *pp;
	int prev = 0;
	u32 i;

	for (i = 0; i < r->nr_watches; i++) {
		const struct ckpt_inotify_watch *cw = p;
		struct path path;
		int err;

		if (end - p < sizeof(*cw) || cw->reserved || cw->wd <= prev ||
		    cw->path_len < 2 || cw->path_len > CKPT_MAX_PATH ||
		    end - p - sizeof(*cw) < ALIGN(cw->path_len, CKPT_ALIGN) ||
		    cw->path[0] != '/' || strnlen(cw->path, cw->path_len) != cw->path_len - 1)
			return ckpt_err(ctx, -ENOEXEC, "inotify record %u: malformed watch %u",
					r->objid, i);
		err = kern_path(cw->path, 0, &path);
		if (err)
			return ckpt_err(ctx, err, "inotify watch %d: cannot find %s (error %d)",
					cw->wd, cw->path, err);
		err = inotify_ckpt_add_watch(f, &path, cw->wd, cw->mask);
		path_put(&path);
		if (err == -EINVAL)
			return ckpt_err(ctx, -ENOEXEC, "inotify watch %d: bad mask %#x", cw->wd,
					cw->mask);
		if (err == -EEXIST)
			return ckpt_err(ctx, -EEXIST,
					"inotify watch %d: %s is watched by another watch already",
					cw->wd, cw->path);
		if (err)
			return ckpt_err(ctx, err,
					"inotify watch %d on %s: cannot add it (error %d)",
					cw->wd, cw->path, err);
		prev = cw->wd;
		p += sizeof(*cw) + ALIGN(cw->path_len, CKPT_ALIGN);
	}
	*pp = p;
	return 0;
}

/* Queue the record's events on @f again. */
static int ckpt_inotify_events(struct ckpt_ctx *ctx, struct file *f,
			       const struct ckpt_rec_inotify *r, const void *p)
{
	const void *end = p + r->events_len;

	while (p < end) {
		const struct inotify_event *ev = p;
		int err;

		if (end - p < sizeof(*ev) || ev->len > end - p - sizeof(*ev))
			return ckpt_err(ctx, -ENOEXEC, "inotify record %u: malformed events",
					r->objid);
		err = inotify_ckpt_queue(f, ev);
		if (err == -EINVAL)
			return ckpt_err(ctx, -ENOEXEC, "inotify record %u: malformed event",
					r->objid);
		if (err)
			return err;
		p += sizeof(*ev) + ev->len;
	}
	return 0;
}

static int ckpt_inotify_read(struct ckpt_ctx *ctx)
{
	struct ckpt_rec_inotify *r;
	const void *p, *end;
	struct file *f;
	int err;

	r = ckpt_read_record(ctx, CKPT_REC_INOTIFY, sizeof(*r), CKPT_MAX_RECORD);
	if (IS_ERR(r))
		return PTR_ERR(r);
	err = -ENOEXEC;
	if (!r->objid || r->nr_watches > CKPT_MAX_INOTIFY_WATCHES || r->next_wd > INT_MAX ||
	    r->events_len > r->h.len - sizeof(*r) || r->events_len % sizeof(struct inotify_event)) {
		ckpt_err(ctx, err, "inotify record %u is malformed", r->objid);
		goto out;
	}
	f = inotify_ckpt_file(0);
	if (IS_ERR(f)) {
		err = ckpt_err(ctx, PTR_ERR(f), "cannot create an inotify instance (error %ld)",
			       PTR_ERR(f));
		goto out;
	}
	err = ckpt_obj_add(&ctx->objs, f, r->objid, CKPT_REC_INOTIFY, ckpt_inotify_put);
	if (err) {
		fput(f);
		if (err == -EEXIST)
			err = ckpt_err(ctx, -ENOEXEC, "object id %u appears twice", r->objid);
		goto out;
	}
	p = r + 1;
	end = (void *)r + r->h.len - r->events_len;
	err = ckpt_inotify_watches(ctx, f, r, &p, end);
	if (!err && p != end)
		err = ckpt_err(ctx, -ENOEXEC, "inotify record %u has trailing bytes", r->objid);
	if (!err) {
		inotify_ckpt_set_next_wd(f, r->next_wd);
		err = ckpt_inotify_events(ctx, f, r, end);
	}
out:
	kvfree(r);
	return err;
}

static struct file *ckpt_inotify_open(struct ckpt_ctx *ctx, const struct ckpt_rec_file *r,
				      const char *unused)
{
	return ckpt_open_obj_file(ctx, r, CKPT_REC_INOTIFY);
}

const struct ckpt_file_ops ckpt_inotify_file_ops = {
	.name		= "inotify",
	.kinds		= BIT(CKPT_FILE_INOTIFY),
	.obj_rec	= CKPT_REC_INOTIFY,
	.in_flight	= true,
	.owns		= ckpt_inotify_owns,
	.write		= ckpt_inotify_write,
	.read		= ckpt_inotify_read,
	.open		= ckpt_inotify_open,
};
