// SPDX-License-Identifier: GPL-2.0-only
/*
 * Files reopened by path: regular files and the character devices that
 * keep no state per open file (CKPT_FILE_REG, _CHR: /dev/null, /dev/zero,
 * /dev/full, /dev/random, /dev/urandom), with their access mode, status
 * flags and offset; directories at their read position (CKPT_FILE_DIR);
 * and O_PATH descriptors of any file type (CKPT_FILE_OPATH), a symbolic
 * link itself included.
 *
 * The path is the one d_path() gives at checkpoint time, so a file
 * renamed since it was opened is found under its current name.  A file
 * no path leads back to (deleted, or on one of the kernel's internal
 * mounts: shared anonymous memory, a memfd, System V shared memory) is
 * not for these kinds.  A regular file whose size changed between
 * checkpoint and restart is reopened with a warning in the log: the job
 * may have meant it to grow.  One that changed type is refused.
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/major.h>
#include <linux/mount.h>
#include <linux/namei.h>

#include "internal.h"

/**
 * ckpt_path_reopenable - can restart open this file again by its path?
 * @f: the file
 *
 * Not if it was deleted, nor if it lives on a mount of the kernel's own
 * that no path leads to: the shmem behind MAP_SHARED|MAP_ANONYMOUS and
 * /dev/zero mappings, memfds, System V shared memory.  Their d_path()
 * ("/dev/zero (deleted)", "/memfd:x (deleted)") names nothing restart
 * could open.
 *
 * Return: true if the path d_path() gives leads to @f.
 */
bool ckpt_path_reopenable(struct file *f)
{
	return !(f->f_path.mnt->mnt_flags & MNT_INTERNAL) && !d_unlinked(f->f_path.dentry);
}

static int ckpt_file_path(struct ckpt_ctx *ctx, struct ckpt_wfile *w)
{
	char what[96];

	if (!ckpt_path_reopenable(w->file))
		return ckpt_err(ctx, -EOPNOTSUPP, "fd %u is %s: not supported", w->fd,
				ckpt_file_kind(w->file, what, sizeof(what)));
	w->path = d_path(&w->file->f_path, w->buf, PATH_MAX);
	if (IS_ERR(w->path))
		return ckpt_err(ctx, PTR_ERR(w->path), "fd %u: path unavailable", w->fd);
	return 0;
}

/**
 * ckpt_stateless_chr - is a file a character device that keeps nothing
 * per open file, so that a new open of it is the same?
 * @f: the file
 *
 * /dev/null, /dev/zero, /dev/full, /dev/random and /dev/urandom.  What
 * another driver keeps per open file (a FUSE connection, the interface
 * of a /dev/net/tun descriptor, /dev/kmsg's read position, a DRM
 * client's buffers) is not saved: those are refused.
 *
 * Return: true for one of those devices.
 */
bool ckpt_stateless_chr(struct file *f)
{
	struct inode *inode = file_inode(f);

	if (!S_ISCHR(inode->i_mode) || imajor(inode) != MEM_MAJOR)
		return false;
	switch (iminor(inode)) {
	case 3:		/* null */
	case 5:		/* zero */
	case 7:		/* full */
	case 8:		/* random */
	case 9:		/* urandom */
		return true;
	}
	return false;
}

static bool ckpt_reg_owns(struct ckpt_ctx *ctx, struct file *f, unsigned int fd)
{
	umode_t mode = file_inode(f)->i_mode;

	return (S_ISREG(mode) || ckpt_stateless_chr(f)) && ckpt_path_reopenable(f);
}

static int ckpt_reg_write(struct ckpt_ctx *ctx, struct ckpt_wfile *w)
{
	struct inode *inode = file_inode(w->file);

	if (S_ISREG(inode->i_mode)) {
		w->rec.kind = CKPT_FILE_REG;
		w->rec.pos = w->file->f_pos;
		w->rec.size = i_size_read(inode);
	} else {
		w->rec.kind = CKPT_FILE_CHR;
	}
	return ckpt_file_path(ctx, w);
}

static struct file *ckpt_reg_open(struct ckpt_ctx *ctx, const struct ckpt_rec_file *r,
				  const char *path)
{
	bool reg = r->kind == CKPT_FILE_REG;
	struct file *f;
	loff_t pos;

	if (!reg && (r->pos || r->size))
		return ERR_PTR(ckpt_err(ctx, -ENOEXEC, "file record %u is malformed", r->objid));
	f = filp_open(path, ckpt_acc_mode(r->mode) | r->flags, 0);
	if (IS_ERR(f)) {
		ckpt_err(ctx, PTR_ERR(f), "cannot reopen %s (error %ld)", path, PTR_ERR(f));
		return f;
	}
	if (!reg != !S_ISREG(file_inode(f)->i_mode)) {
		fput(f);
		return ERR_PTR(ckpt_err(ctx, -ESTALE, "%s changed type since the checkpoint",
					path));
	}
	if (!reg)
		return f;
	pos = vfs_llseek(f, r->pos, SEEK_SET);
	if (pos != r->pos) {
		fput(f);
		return ERR_PTR(ckpt_err(ctx, pos < 0 ? pos : -EINVAL, "%s: cannot seek to %lld",
					path, r->pos));
	}
	if (i_size_read(file_inode(f)) != r->size)
		ckpt_warn(ctx, "%s was %llu bytes at checkpoint, is %lld now", path, r->size,
			  i_size_read(file_inode(f)));
	return f;
}

const struct ckpt_file_ops ckpt_reg_file_ops = {
	.name		= "regular file or device",
	.kinds		= BIT(CKPT_FILE_REG) | BIT(CKPT_FILE_CHR),
	.path_kinds	= BIT(CKPT_FILE_REG) | BIT(CKPT_FILE_CHR),
	.in_flight	= true,
	.owns		= ckpt_reg_owns,
	.write		= ckpt_reg_write,
	.open		= ckpt_reg_open,
};

/* An O_PATH file, whatever it names, is a path; so is a directory. */
static bool ckpt_dir_owns(struct ckpt_ctx *ctx, struct file *f, unsigned int fd)
{
	return (f->f_mode & FMODE_PATH) || S_ISDIR(file_inode(f)->i_mode);
}

static int ckpt_dir_write(struct ckpt_ctx *ctx, struct ckpt_wfile *w)
{
	if (w->file->f_mode & FMODE_PATH) {
		w->rec.kind = CKPT_FILE_OPATH;
		w->rec.size = file_inode(w->file)->i_mode & S_IFMT;
	} else {
		w->rec.kind = CKPT_FILE_DIR;
		w->rec.pos = w->file->f_pos;
	}
	return ckpt_file_path(ctx, w);
}

/*
 * A directory (at its read position) or an O_PATH file, by path.  An
 * O_PATH file names exactly the dentry it was opened on, a symlink
 * included: the path is not followed at its end.
 */
static struct file *ckpt_dir_open(struct ckpt_ctx *ctx, const struct ckpt_rec_file *r,
				  const char *path)
{
	bool opath = r->kind == CKPT_FILE_OPATH;
	struct file *f;
	umode_t type;
	loff_t pos;

	if (opath ? r->pos || r->size & ~(u64)S_IFMT : r->size)
		return ERR_PTR(ckpt_err(ctx, -ENOEXEC, "file record %u is malformed", r->objid));
	f = filp_open(path, opath ? O_PATH | O_NOFOLLOW : O_RDONLY | O_DIRECTORY | r->flags, 0);
	if (IS_ERR(f)) {
		ckpt_err(ctx, PTR_ERR(f), "cannot reopen %s (error %ld)", path, PTR_ERR(f));
		return f;
	}
	type = file_inode(f)->i_mode & S_IFMT;
	if (opath ? type != r->size : type != S_IFDIR) {
		fput(f);
		return ERR_PTR(ckpt_err(ctx, -ESTALE, "%s changed type since the checkpoint",
					path));
	}
	if (opath || !r->pos)
		return f;
	pos = vfs_llseek(f, r->pos, SEEK_SET);
	if (pos != r->pos) {
		fput(f);
		return ERR_PTR(ckpt_err(ctx, pos < 0 ? pos : -EINVAL,
					"%s: cannot seek the directory to %lld", path, r->pos));
	}
	return f;
}

const struct ckpt_file_ops ckpt_dir_file_ops = {
	.name		= "directory or O_PATH file",
	.kinds		= BIT(CKPT_FILE_DIR) | BIT(CKPT_FILE_OPATH),
	.path_kinds	= BIT(CKPT_FILE_DIR) | BIT(CKPT_FILE_OPATH),
	.in_flight	= true,
	.owns		= ckpt_dir_owns,
	.write		= ckpt_dir_write,
	.open		= ckpt_dir_open,
};
