// SPDX-License-Identifier: GPL-2.0-only
/*
 * Working and root directories, saved as paths relative to the
 * checkpointer's root and looked up again relative to the restarter's.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/capability.h>
#include <linux/dcache.h>
#include <linux/fs_struct.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/slab.h>

#include "internal.h"

static char *ckpt_path(struct ckpt_ctx *ctx, const struct path *p, char *buf,
		       const char *what)
{
	char *s;

	if (d_unlinked(p->dentry)) {
		ckpt_err(ctx, -EOPNOTSUPP, "%s has been deleted: not supported", what);
		return ERR_PTR(-EOPNOTSUPP);
	}
	s = d_path(p, buf, PATH_MAX);
	if (IS_ERR(s))
		ckpt_err(ctx, PTR_ERR(s), "%s: path too long or unreachable", what);
	return s;
}

/**
 * ckpt_write_fs - write the CKPT_REC_FS record of a process
 * @ctx:	the checkpoint context
 * @t:		the process
 *
 * Return: 0, -EOPNOTSUPP for a deleted directory, or a negative errno.
 */
int ckpt_write_fs(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct path pwd, root;
	struct ckpt_rec_fs *rec;
	char *buf, *cwd, *rt;
	size_t lc, lr, len;
	int err;

	task_lock(t);
	if (!t->fs) {
		task_unlock(t);
		return ckpt_err(ctx, -ESRCH, "was killed during the checkpoint");
	}
	get_fs_pwd(t->fs, &pwd);
	get_fs_root(t->fs, &root);
	task_unlock(t);

	err = -ENOMEM;
	buf = kmalloc(2 * PATH_MAX, GFP_KERNEL);
	if (!buf)
		goto out;
	cwd = ckpt_path(ctx, &pwd, buf, "working directory");
	rt = IS_ERR(cwd) ? cwd : ckpt_path(ctx, &root, buf + PATH_MAX, "root directory");
	err = PTR_ERR_OR_ZERO(rt);
	if (IS_ERR(cwd))
		err = PTR_ERR(cwd);
	if (err)
		goto out;
	lc = strlen(cwd) + 1;
	lr = strlen(rt) + 1;
	len = sizeof(*rec) + lc + lr;
	rec = kmalloc(len, GFP_KERNEL);
	err = -ENOMEM;
	if (!rec)
		goto out;
	memset(rec, 0, sizeof(*rec));
	rec->cwd_len = lc;
	rec->root_len = lr;
	memcpy(rec->paths, cwd, lc);
	memcpy(rec->paths + lc, rt, lr);
	err = ckpt_write_record(ctx, CKPT_REC_FS, rec, len);
	kfree(rec);
out:
	kfree(buf);
	path_put(&pwd);
	path_put(&root);
	return err;
}

/**
 * ckpt_read_fs - apply the CKPT_REC_FS record to current
 * @ctx: the restart context
 *
 * Runs with the restored process's credentials: both directories are
 * looked up and checked as the process itself would.  Changing the root
 * directory needs the restarter's CAP_SYS_CHROOT, as chroot(2) does.
 *
 * Return: 0, -ENOEXEC for a malformed record, -ENOENT/-ENOTDIR when a
 * directory is gone, -EPERM, or another negative errno.
 */
int ckpt_read_fs(struct ckpt_ctx *ctx)
{
	struct ckpt_rec_fs *rec;
	const char *cwd, *rt;
	struct path root, pwd, cur;
	int err;

	rec = ckpt_read_record(ctx, CKPT_REC_FS, sizeof(*rec) + 4,
			       sizeof(*rec) + 2 * CKPT_MAX_PATH);
	if (IS_ERR(rec))
		return PTR_ERR(rec);
	err = -ENOEXEC;
	cwd = ckpt_rec_str(ctx, rec, rec->h.len, sizeof(*rec), rec->cwd_len,
			   "working directory");
	if (!cwd)
		goto out;
	rt = ckpt_rec_str(ctx, rec, rec->h.len, sizeof(*rec) + rec->cwd_len,
			  rec->root_len, "root directory");
	if (!rt)
		goto out;
	if (sizeof(*rec) + rec->cwd_len + rec->root_len != rec->h.len) {
		ckpt_err(ctx, err, "fs record has trailing bytes");
		goto out;
	}

	err = kern_path(rt, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &root);
	if (err) {
		ckpt_err(ctx, err, "root directory %s: cannot look it up (error %d)", rt, err);
		goto out;
	}
	get_fs_root(current->fs, &cur);
	if (!path_equal(&root, &cur)) {
		/* The restarter's right, not the process's (its real creds). */
		if (!has_ns_capability(current, current_user_ns(), CAP_SYS_CHROOT))
			err = ckpt_err(ctx, -EPERM, "root directory %s: needs CAP_SYS_CHROOT", rt);
		else
			set_fs_root(current->fs, &root);
	}
	path_put(&cur);
	path_put(&root);
	if (err)
		goto out;

	err = kern_path(cwd, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &pwd);
	if (err) {
		ckpt_err(ctx, err, "working directory %s: cannot look it up (error %d)", cwd, err);
		goto out;
	}
	err = path_permission(&pwd, MAY_EXEC | MAY_CHDIR);
	if (err)
		ckpt_err(ctx, err, "working directory %s: no search permission", cwd);
	else
		set_fs_pwd(current->fs, &pwd);
	path_put(&pwd);
out:
	kvfree(rec);
	return err;
}
