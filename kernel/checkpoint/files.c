// SPDX-License-Identifier: GPL-2.0-only
/*
 * Open files and file descriptors.
 *
 * Each open file description is written once (CKPT_REC_FILE, with an
 * object id) and each descriptor refers to it (CKPT_REC_FD), so that
 * descriptors sharing one description (dup(2)) share it again after
 * restart, with one offset.
 *
 * What is supported: regular files and character devices other than
 * terminals, reopened by path with their flags and offset; directories,
 * by path at their read position; O_PATH descriptors of any file type,
 * by path (a symbolic link itself included); pipes and
 * FIFOs (pipe.c); descriptors on the job's controlling terminal (tty.c);
 * both sides of a pseudo-terminal whose master the job holds (pty.c);
 * and on descriptors 0, 1 and 2 anything else (another terminal, a pipe
 * held outside the job, a socket), which restart replaces with the
 * restarter's own descriptor.  Anything else is refused with the
 * reason, e.g. "fd 5 is a socket", and so is a file no path leads back
 * to (deleted, or on the kernel's internal shmem mount: a memfd).
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/net.h>
#include <linux/pipe_fs_i.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/major.h>
#include <net/sock.h>

#include "internal.h"

/**
 * ckpt_is_tty - is a file a terminal?
 * @f: the file
 *
 * Terminals are recognised by their device numbers (tty, console and
 * pty majors): the tty layer does not export a test on a struct file.
 * An O_PATH file on a terminal's node is a path, not a terminal.
 *
 * Return: true for a terminal.
 */
bool ckpt_is_tty(struct file *f)
{
	struct inode *inode = file_inode(f);
	unsigned int major = imajor(inode);

	return S_ISCHR(inode->i_mode) && !(f->f_mode & FMODE_PATH) &&
	       (major == TTY_MAJOR || major == TTYAUX_MAJOR ||
		(major >= UNIX98_PTY_MASTER_MAJOR &&
		 major < UNIX98_PTY_SLAVE_MAJOR + UNIX98_PTY_MAJOR_COUNT));
}

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

/**
 * ckpt_file_kind - what a file is, for a log line
 * @f:		the file
 * @buf:	room for a description that names it
 * @len:	size of @buf
 *
 * Return: a description ("a unix socket", "a memfd (memfd:cache)", "the
 * deleted file /dev/shm/sem.x"), in @buf or constant.
 */
const char *ckpt_file_kind(struct file *f, char *buf, size_t len)
{
	umode_t mode = file_inode(f)->i_mode;
	struct socket *sock;

	if (S_ISSOCK(mode)) {
		sock = sock_from_file(f);
		if (sock && sock->sk) {
			switch (sock->sk->sk_family) {
			case AF_UNIX:
				return "a unix socket";
			case AF_INET:
				return "an AF_INET socket";
			case AF_INET6:
				return "an AF_INET6 socket";
			}
		}
		return "a socket";
	}
	if (S_ISFIFO(mode))
		return "a pipe";
	if (S_ISDIR(mode) && !d_unlinked(f->f_path.dentry))
		return "a directory";
	if (ckpt_is_tty(f))
		return "a terminal";
	if (!S_ISREG(mode) && !S_ISCHR(mode) && !S_ISBLK(mode) && !S_ISDIR(mode)) {
		snprintf(buf, len, "an anonymous file (%pD)", f);
		return buf;
	}
	if (S_ISBLK(mode))
		return "a block device";
	if (shmem_file(f) && (f->f_path.mnt->mnt_flags & MNT_INTERNAL)) {
		const char *name = f->f_path.dentry->d_name.name;

		if (!strncmp(name, "memfd:", 6))
			snprintf(buf, len, "a memfd (%pD)", f);
		else if (!strncmp(name, "SYSV", 4))
			snprintf(buf, len, "System V shared memory (key %s)", name + 4);
		else
			snprintf(buf, len, "%s",
				 "shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS or /dev/zero)");
		return buf;
	}
	if (!(f->f_path.mnt->mnt_flags & MNT_INTERNAL)) {
		const char *what = S_ISDIR(mode) ? "the deleted directory " : "the deleted file ";
		size_t n = strlen(what);
		char *path = d_path(&f->f_path, buf, len);

		if (!IS_ERR(path) && path - buf >= n) {
			memmove(buf + n, path, strlen(path) + 1);
			memcpy(buf, what, n);
			return buf;
		}
	}
	return S_ISDIR(mode) ? "a deleted directory" : "a deleted file";
}

/* Tags, in the checkpoint's object table, a file saved as inherited. */
static void ckpt_inherited(void *f)
{
}

static int ckpt_write_file(struct ckpt_ctx *ctx, struct file *f, unsigned int fd,
			   char *buf, u32 *objid)
{
	struct ckpt_rec_file rec = {};
	umode_t mode = file_inode(f)->i_mode;
	const char *path = NULL;
	char what[96];
	int err, pty;

	*objid = ckpt_obj_lookup_ptr(&ctx->objs, f);
	if (*objid && fd > 2 && ckpt_obj_lookup_kind(&ctx->objs, *objid, ckpt_inherited))
		return ckpt_err(ctx, -EOPNOTSUPP, "fd %u is %s: not supported", fd,
				ckpt_file_kind(f, what, sizeof(what)));
	if (*objid)
		return 0;

	pty = ckpt_is_tty(f) ? ckpt_write_pty_file(ctx, f, &rec) : 0;
	if (pty < 0)
		return pty;
	if ((f->f_mode & FMODE_PATH) || S_ISDIR(mode)) {
		/* An O_PATH file, whatever it names, is a path. */
		if (!ckpt_path_reopenable(f))
			return ckpt_err(ctx, -EOPNOTSUPP, "fd %u is %s: not supported", fd,
					ckpt_file_kind(f, what, sizeof(what)));
		path = d_path(&f->f_path, buf, PATH_MAX);
		if (IS_ERR(path))
			return ckpt_err(ctx, PTR_ERR(path), "fd %u: path unavailable", fd);
		rec.kind = f->f_mode & FMODE_PATH ? CKPT_FILE_OPATH : CKPT_FILE_DIR;
	} else if (pty) {
		/* A pty the job holds: rec is filled in. */
	} else if (S_ISFIFO(mode) && get_pipe_info(f, false) &&
	    !(fd <= 2 && ckpt_pipe_outside(ctx, f))) {
		err = ckpt_write_pipe_file(ctx, f, fd, &rec, &path, buf);
		if (err)
			return err;
	} else if (ckpt_is_tty(f) && ckpt_is_job_tty(ctx, f)) {
		rec.kind = CKPT_FILE_CTTY;
	} else if ((S_ISREG(mode) || (S_ISCHR(mode) && !ckpt_is_tty(f))) &&
		   ckpt_path_reopenable(f)) {
		path = d_path(&f->f_path, buf, PATH_MAX);
		if (IS_ERR(path))
			return ckpt_err(ctx, PTR_ERR(path), "fd %u: path unavailable", fd);
		rec.kind = S_ISREG(mode) ? CKPT_FILE_REG : CKPT_FILE_CHR;
	} else if (fd <= 2) {
		rec.kind = CKPT_FILE_INHERIT;
	} else {
		return ckpt_err(ctx, -EOPNOTSUPP, "fd %u is %s: not supported", fd,
				ckpt_file_kind(f, what, sizeof(what)));
	}
	rec.objid = ckpt_obj_new_id(&ctx->objs);
	err = ckpt_obj_add(&ctx->objs, f, rec.objid,
			   rec.kind == CKPT_FILE_INHERIT ? ckpt_inherited : NULL);
	if (err)
		return err;
	rec.flags = f->f_flags & CKPT_FILE_STATUS_FLAGS;
	rec.mode = (f->f_mode & FMODE_READ ? 1 : 0) | (f->f_mode & FMODE_WRITE ? 2 : 0);
	if (rec.kind == CKPT_FILE_REG || rec.kind == CKPT_FILE_DIR)
		rec.pos = f->f_pos;
	if (rec.kind == CKPT_FILE_REG)
		rec.size = i_size_read(file_inode(f));
	if (rec.kind == CKPT_FILE_OPATH)
		rec.size = mode & S_IFMT;
	*objid = rec.objid;
	return ckpt_write_record_str(ctx, CKPT_REC_FILE, &rec, sizeof(rec), path,
				     &rec.path_len);
}

/**
 * ckpt_write_files - write the open files and descriptors of a process
 * @ctx:	the checkpoint context
 * @t:		the frozen process
 *
 * The files stay referenced in @ctx's object table (without a reference
 * of their own: the process is frozen and holds them) until the image is
 * written.
 *
 * Return: 0, -EOPNOTSUPP for a descriptor that cannot be saved (with the
 * reason logged), or a negative errno.
 */
int ckpt_write_files(struct ckpt_ctx *ctx, struct task_struct *t)
{
	unsigned int fd = 0;
	struct file *f;
	char *buf;
	int err = 0;

	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		struct ckpt_rec_fd rec = {};

		rcu_read_lock();
		f = task_lookup_next_fdget_rcu(t, &fd);
		rcu_read_unlock();
		if (!f)
			break;

		if (fd >= CKPT_MAX_FILES) {
			fput(f);
			err = ckpt_err(ctx, -EOPNOTSUPP, "fd %u is too large", fd);
			break;
		}
		err = ckpt_check_locks(ctx, t, f, fd);
		if (!err)
			err = ckpt_write_file(ctx, f, fd, buf, &rec.objid);
		if (!err) {
			rec.fd = fd;
			task_lock(t);
			if (t->files) {
				rcu_read_lock();
				rec.cloexec = close_on_exec(fd, t->files);
				rcu_read_unlock();
			}
			task_unlock(t);
			err = ckpt_write_record(ctx, CKPT_REC_FD, &rec, sizeof(rec));
		}
		fput(f);
		if (err)
			break;
		fd++;
	}
	kfree(buf);
	return err;
}

static void ckpt_fput(void *f)
{
	fput(f);
}

/*
 * A directory (at its read position) or an O_PATH file, by path.  An
 * O_PATH file names exactly the dentry it was opened on, a symlink
 * included: the path is not followed at its end.
 */
static struct file *ckpt_open_path(struct ckpt_ctx *ctx, const struct ckpt_rec_file *r,
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

static int ckpt_read_file(struct ckpt_ctx *ctx)
{
	struct ckpt_rec_file *r;
	const char *path = NULL;
	struct file *f = NULL;
	int err = -ENOEXEC;
	bool opath;

	r = ckpt_read_record(ctx, CKPT_REC_FILE, sizeof(*r), sizeof(*r) + CKPT_MAX_PATH);
	if (IS_ERR(r))
		return PTR_ERR(r);
	/* Only an O_PATH file has neither read nor write access. */
	opath = r->kind == CKPT_FILE_OPATH;
	if (!r->objid || r->mode > 3 || !r->mode != opath || r->flags & ~CKPT_FILE_STATUS_FLAGS ||
	    (r->ref_id && r->kind != CKPT_FILE_PIPE && r->kind != CKPT_FILE_FIFO &&
	     r->kind != CKPT_FILE_PTY_MASTER && r->kind != CKPT_FILE_PTY_SLAVE) ||
	    r->pos < 0) {
		ckpt_err(ctx, err, "file record %u is malformed", r->objid);
		goto out;
	}
	switch (r->kind) {
	case CKPT_FILE_REG:
	case CKPT_FILE_CHR:
		path = ckpt_rec_str(ctx, r, r->h.len, sizeof(*r), r->path_len, "file");
		if (!path || sizeof(*r) + r->path_len != r->h.len)
			goto out;
		f = filp_open(path, ckpt_acc_mode(r->mode) | r->flags, 0);
		if (IS_ERR(f)) {
			err = PTR_ERR(f);
			ckpt_err(ctx, err, "cannot reopen %s (error %d)", path, err);
			goto out;
		}
		if (!(r->kind == CKPT_FILE_REG) != !S_ISREG(file_inode(f)->i_mode)) {
			fput(f);
			err = ckpt_err(ctx, -ESTALE, "%s changed type since the checkpoint", path);
			goto out;
		}
		if (r->kind == CKPT_FILE_REG) {
			loff_t pos = vfs_llseek(f, r->pos, SEEK_SET);

			if (pos != r->pos) {
				fput(f);
				err = ckpt_err(ctx, pos < 0 ? pos : -EINVAL,
					       "%s: cannot seek to %lld", path, r->pos);
				goto out;
			}
			if (i_size_read(file_inode(f)) != r->size)
				ckpt_warn(ctx, "%s was %llu bytes at checkpoint, is %lld now",
					  path, r->size, i_size_read(file_inode(f)));
		}
		break;
	case CKPT_FILE_DIR:
	case CKPT_FILE_OPATH:
		path = ckpt_rec_str(ctx, r, r->h.len, sizeof(*r), r->path_len, "file");
		if (!path || sizeof(*r) + r->path_len != r->h.len)
			goto out;
		f = ckpt_open_path(ctx, r, path);
		if (IS_ERR(f)) {
			err = PTR_ERR(f);
			goto out;
		}
		break;
	case CKPT_FILE_INHERIT:
		if (r->path_len || r->h.len != sizeof(*r))
			goto out;
		f = NULL;
		break;
	case CKPT_FILE_FIFO:
		path = ckpt_rec_str(ctx, r, r->h.len, sizeof(*r), r->path_len, "FIFO");
		if (!path || sizeof(*r) + r->path_len != r->h.len)
			goto out;
		fallthrough;
	case CKPT_FILE_PIPE:
		if (r->kind == CKPT_FILE_PIPE && (r->path_len || r->h.len != sizeof(*r)))
			goto out;
		f = ckpt_open_pipe_file(ctx, r, path);
		if (IS_ERR(f)) {
			err = PTR_ERR(f);
			goto out;
		}
		break;
	case CKPT_FILE_PTY_MASTER:
	case CKPT_FILE_PTY_SLAVE:
		if (r->path_len || r->h.len != sizeof(*r))
			goto out;
		f = ckpt_open_pty_file(ctx, r);
		if (IS_ERR(f)) {
			err = PTR_ERR(f);
			goto out;
		}
		break;
	case CKPT_FILE_CTTY:
		if (r->path_len || r->h.len != sizeof(*r))
			goto out;
		f = ckpt_open_ctty(ctx, r->mode, r->flags);
		if (IS_ERR(f)) {
			err = PTR_ERR(f);
			goto out;
		}
		break;
	default:
		ckpt_err(ctx, err, "file record %u has unknown kind %u", r->objid, r->kind);
		goto out;
	}
	err = ckpt_obj_add(&ctx->objs, f ?: ERR_PTR(-ENOENT), r->objid, f ? ckpt_fput : NULL);
	if (err) {
		if (f)
			fput(f);
		if (err == -EEXIST)
			err = ckpt_err(ctx, -ENOEXEC, "file id %u appears twice", r->objid);
	}
out:
	kvfree(r);
	return err;
}

static int ckpt_read_fd(struct ckpt_ctx *ctx, unsigned long *kept)
{
	struct ckpt_rec_fd r;
	struct file *f;
	int err;

	err = ckpt_read_record_into(ctx, CKPT_REC_FD, &r, sizeof(r));
	if (err)
		return err;
	f = ckpt_obj_lookup_kind(&ctx->objs, r.objid, ckpt_fput);
	if (!f)
		f = ckpt_obj_lookup_kind(&ctx->objs, r.objid, NULL);
	if (!f || r.cloexec > 1 || r.reserved || r.fd >= CKPT_MAX_FILES)
		return ckpt_err(ctx, -ENOEXEC, "fd %u: malformed record or unknown file %u",
				r.fd, r.objid);
	if (IS_ERR(f)) {
		/* CKPT_FILE_INHERIT: keep the restarter's descriptor. */
		if (r.fd > 2)
			return ckpt_err(ctx, -ENOEXEC, "fd %u cannot be inherited", r.fd);
		__set_bit(r.fd, kept);
		set_close_on_exec(r.fd, r.cloexec);
		return 0;
	}
	if (r.fd <= 2)
		__set_bit(r.fd, kept);
	err = replace_fd(r.fd, f, r.cloexec ? O_CLOEXEC : 0);
	if (err < 0)
		return ckpt_err(ctx, err, "cannot install fd %u (error %d)", r.fd, err);
	return 0;
}

/**
 * ckpt_read_files - restore current's descriptors from the image
 * @ctx: the restart context
 *
 * Runs in the task being restored, which holds a copy of the
 * restarter's descriptors: descriptors 0-2 saved as inherited stay, all
 * others are closed, then each saved descriptor is installed.
 *
 * Return: 0, -ENOEXEC for a malformed record, or the error of the file
 * that could not be reopened (logged).
 */
int ckpt_read_files(struct ckpt_ctx *ctx)
{
	unsigned long kept = 0;
	unsigned int fd;
	int type, err;

	err = __close_range(3, ~0U, 0);
	if (err)
		return err;
	/* For CKPT_FILE_CTTY when the restarter has no terminal. */
	ctx->cur->stdio[0] = fget(0);
	ctx->cur->stdio[1] = fget(1);
	while ((type = ckpt_peek_type(ctx)) == CKPT_REC_FILE || type == CKPT_REC_FD ||
	       type == CKPT_REC_PIPE || type == CKPT_REC_PTY) {
		if (type == CKPT_REC_FILE)
			err = ckpt_read_file(ctx);
		else if (type == CKPT_REC_PIPE)
			err = ckpt_read_pipe(ctx);
		else if (type == CKPT_REC_PTY)
			err = ckpt_read_pty(ctx);
		else
			err = ckpt_read_fd(ctx, &kept);
		if (err)
			break;
	}
	for (fd = 0; fd < 2; fd++) {
		if (ctx->cur->stdio[fd])
			fput(ctx->cur->stdio[fd]);
		ctx->cur->stdio[fd] = NULL;
	}
	if (err)
		return err;
	if (type < 0)
		return type;
	for (fd = 0; fd <= 2; fd++)
		if (!test_bit(fd, &kept))
			close_fd(fd);
	return 0;
}
