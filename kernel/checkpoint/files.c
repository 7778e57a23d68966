// SPDX-License-Identifier: GPL-2.0-only
/*
 * Open files and file descriptors.
 *
 * Each open file description is written once (CKPT_REC_FILE, with an
 * object id) and each descriptor refers to it (CKPT_REC_FD), so that
 * descriptors sharing one description (dup(2)) share it again after
 * restart, with one offset.
 *
 * Each kind of open file has its ops (struct ckpt_file_ops) and one
 * entry in ckpt_file_kinds[] below.  A file is offered to the kinds in
 * that order, and the first that owns it writes its record; files.c
 * writes the parts every kind shares (id, status flags, access mode)
 * and the descriptors.  At restart the kind of a file record picks the
 * ops that open it, and a record of an object that files share (a
 * pipe, a pty) goes to the kind that names it as its @obj_rec.
 *
 * What is supported: regular files and character devices other than
 * terminals, directories and O_PATH descriptors, by path (path.c);
 * memfds and deleted files, with their contents (unlinked.c); pipes
 * and FIFOs (pipe.c); eventfds, signalfds, timerfds and epoll sets
 * (eventfd.c, signalfd.c, timerfd.c, epoll.c); inotify instances with
 * their watches and queued events (inotify.c); unix-domain sockets
 * whose peers are the job's too (unix.c); descriptors on the
 * job's controlling terminal (tty.c); both sides of a pseudo-terminal
 * whose master the job holds (pty.c); and on descriptors 0, 1 and 2
 * anything else (another terminal, a pipe held outside the job, a
 * socket), which restart replaces with the restarter's own descriptor.
 * Anything else is refused with the reason, e.g. "fd 5 is an AF_INET
 * socket".
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/dnotify.h>
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
	if (S_ISCHR(mode) && !ckpt_stateless_chr(f)) {
		snprintf(buf, len,
			 "the character device %pD (%u:%u), whose driver's state is not saved",
			 f, imajor(file_inode(f)), iminor(file_inode(f)));
		return buf;
	}
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

/*
 * On descriptors 0-2, a file no other kind saves is the job's standard
 * I/O, and restart gives the job the restarter's own descriptor.
 */
static bool ckpt_inherit_owns(struct ckpt_ctx *ctx, struct file *f, unsigned int fd)
{
	return fd <= 2;
}

static int ckpt_inherit_write(struct ckpt_ctx *ctx, struct ckpt_wfile *w)
{
	w->rec.kind = CKPT_FILE_INHERIT;
	return 0;
}

static struct file *ckpt_inherit_open(struct ckpt_ctx *ctx, const struct ckpt_rec_file *r,
				      const char *path)
{
	if (r->pos || r->size)
		return ERR_PTR(ckpt_err(ctx, -ENOEXEC, "file record %u is malformed", r->objid));
	return NULL;
}

static const struct ckpt_file_ops ckpt_inherit_file_ops = {
	.name		= "inherited standard descriptor",
	.kinds		= BIT(CKPT_FILE_INHERIT),
	.owns		= ckpt_inherit_owns,
	.write		= ckpt_inherit_write,
	.open		= ckpt_inherit_open,
};

/*
 * The kinds of open files, in the order a file is offered to them: the
 * first that owns it saves it.  O_PATH files come first (an O_PATH file
 * on a pty or a FIFO is a path), ptys before the controlling terminal
 * (whose scan leaves out the job's own ptys), and the standard
 * descriptors' fallback last.
 */
static const struct ckpt_file_ops *const ckpt_file_kinds[] = {
	&ckpt_dir_file_ops,
	&ckpt_unlinked_file_ops,
	&ckpt_pty_file_ops,
	&ckpt_pipe_file_ops,
	&ckpt_eventfd_file_ops,
	&ckpt_signalfd_file_ops,
	&ckpt_timerfd_file_ops,
	&ckpt_epoll_file_ops,
	&ckpt_unix_file_ops,
	&ckpt_inotify_file_ops,
	&ckpt_ctty_file_ops,
	&ckpt_reg_file_ops,
	&ckpt_inherit_file_ops,
};

/* The newest kind has a name in the uapi header, for the tools. */
static_assert(sizeof((const char *[]){ CKPT_FILE_NAMES }) == CKPT_FILE_MAX * sizeof(char *));

static const struct ckpt_file_ops *ckpt_kind_ops(u32 kind)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ckpt_file_kinds); i++)
		if (kind < 32 && ckpt_file_kinds[i]->kinds & BIT(kind))
			return ckpt_file_kinds[i];
	return NULL;
}

static const struct ckpt_file_ops *ckpt_obj_rec_ops(int type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ckpt_file_kinds); i++)
		if (type > 0 && ckpt_file_kinds[i]->obj_rec == type)
			return ckpt_file_kinds[i];
	return NULL;
}

/**
 * ckpt_scan_files - let each kind of file find the job's objects of
 * that kind before anything is written
 * @ctx: the checkpoint context, with the job frozen
 *
 * Return: 0, or the first kind's error (its reason logged).
 */
int ckpt_scan_files(struct ckpt_ctx *ctx)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(ckpt_file_kinds) && !err; i++)
		if (ckpt_file_kinds[i]->scan)
			err = ckpt_file_kinds[i]->scan(ctx);
	return err;
}

/**
 * ckpt_release_files - drop what ckpt_scan_files() found
 * @ctx: the checkpoint context
 */
void ckpt_release_files(struct ckpt_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ckpt_file_kinds); i++)
		if (ckpt_file_kinds[i]->release)
			ckpt_file_kinds[i]->release(ctx);
}

/**
 * ckpt_finish_files - let each kind of file finish its objects once
 * every process is restored and the image is read
 * @ctx: the restart context
 *
 * Context: the restarter, before the processes are linked into the
 * tree; may sleep.
 *
 * Return: 0, or the first kind's error (its reason logged).
 */
int ckpt_finish_files(struct ckpt_ctx *ctx)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(ckpt_file_kinds) && !err; i++)
		if (ckpt_file_kinds[i]->finish)
			err = ckpt_file_kinds[i]->finish(ctx);
	return err;
}

/**
 * ckpt_commit_files - let each kind of file finish its objects once the
 * restored processes are in their tree, groups and sessions
 * @ctx: the restart context
 *
 * Context: tasklist_lock held for writing.
 */
void ckpt_commit_files(struct ckpt_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ckpt_file_kinds); i++)
		if (ckpt_file_kinds[i]->commit)
			ckpt_file_kinds[i]->commit(ctx);
}

/*
 * Signal-driven I/O (F_SETOWN, F_SETOWN_EX, F_SETSIG, O_ASYNC) is not
 * saved: a restored file would send no SIGIO.  Refuse it.
 */
static int ckpt_check_owner(struct ckpt_ctx *ctx, struct file *f, unsigned int fd)
{
	struct fown_struct *fown = file_f_owner(f);
	bool set = f->f_flags & FASYNC;

	if (fown) {
		read_lock_irq(&fown->lock);
		set |= fown->pid || fown->signum;
		read_unlock_irq(&fown->lock);
	}
	if (set)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"fd %u has signal-driven I/O set up (F_SETOWN, F_SETSIG or O_ASYNC): not saved",
				fd);
	return 0;
}

static int ckpt_write_file(struct ckpt_ctx *ctx, struct task_struct *t, struct file *f,
			   unsigned int fd, bool in_flight, char *buf, u32 *objid)
{
	struct ckpt_wfile w = { .task = t, .file = f, .fd = fd, .buf = buf };
	const struct ckpt_file_ops *ops = NULL;
	char what[160];
	unsigned int i;
	u32 kind;
	int err;

	*objid = ckpt_obj_lookup_ptr(&ctx->objs, f, &kind);
	if (*objid && kind == CKPT_OBJ_INHERITED && (fd > 2 || in_flight))
		goto unsupported;
	if (*objid)
		return 0;

	/* A file in flight is on no descriptor, let alone a standard one. */
	for (i = 0; i < ARRAY_SIZE(ckpt_file_kinds) && !ops; i++)
		if (ckpt_file_kinds[i]->owns(ctx, f, in_flight ? UINT_MAX : fd))
			ops = ckpt_file_kinds[i];
	if (!ops || (in_flight && !ops->in_flight))
		goto unsupported;
	/*
	 * A restored directory would report no more changes: refuse it
	 * (before the owner, which F_NOTIFY sets too).
	 */
	if (dnotify_file_watched(f))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"fd %u has a directory notification (F_NOTIFY): not saved", fd);
	if (ops != &ckpt_inherit_file_ops) {
		err = ckpt_check_owner(ctx, f, fd);
		if (err)
			return err;
	}
	err = ops->write(ctx, &w);
	if (err)
		return err;
	if (WARN_ON_ONCE(!(ops->kinds & BIT(w.rec.kind)) ||
			 !(ops->path_kinds & BIT(w.rec.kind)) != !w.path))
		return -EINVAL;

	w.rec.objid = ckpt_obj_new_id(&ctx->objs);
	err = ckpt_obj_add(&ctx->objs, f, w.rec.objid,
			   w.rec.kind == CKPT_FILE_INHERIT ? CKPT_OBJ_INHERITED : CKPT_OBJ_FILE,
			   NULL);
	if (err)
		return err;
	w.rec.flags = f->f_flags & CKPT_FILE_STATUS_FLAGS;
	w.rec.mode = ckpt_file_mode(f);
	*objid = w.rec.objid;
	return ckpt_write_record_str(ctx, CKPT_REC_FILE, &w.rec, sizeof(w.rec), w.path,
				     &w.rec.path_len);

unsupported:
	if (in_flight)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"fd %u: %s is in flight (SCM_RIGHTS) on the unix socket: not supported",
				fd, ckpt_file_kind(f, what, sizeof(what)));
	return ckpt_err(ctx, -EOPNOTSUPP, "fd %u is %s: not supported", fd,
			ckpt_file_kind(f, what, sizeof(what)));
}

/**
 * ckpt_write_in_flight - write the record of a file in flight
 * @ctx:	the checkpoint context
 * @t:		the frozen process whose unix socket it is queued on
 * @f:		the file, sent with SCM_RIGHTS and not yet received
 * @sock_fd:	the descriptor of @t on that socket, for log lines
 *
 * A file in flight is written as any open file, once, but with no
 * descriptor: the message that carries it names its id, and restart
 * sends it again.  Only kinds whose @in_flight is set can be; a lock
 * held through the file is refused, since no descriptor would take it
 * back.
 *
 * Return: 0, or a negative errno with the reason logged.
 */
int ckpt_write_in_flight(struct ckpt_ctx *ctx, struct task_struct *t, struct file *f,
			 unsigned int sock_fd)
{
	char *buf;
	u32 objid;
	int err;

	err = ckpt_check_file_locks(ctx, f, sock_fd);
	if (err)
		return err;
	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	err = ckpt_write_file(ctx, t, f, sock_fd, true, buf, &objid);
	kfree(buf);
	return err;
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
			err = ckpt_write_file(ctx, t, f, fd, false, buf, &rec.objid);
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
	return err ?: ckpt_write_locks(ctx, t);
}

static bool ckpt_on_file(struct file *f, const void *file)
{
	return f == file;
}

/**
 * ckpt_check_held_outside - refuse a file that a process outside the
 * job also has a descriptor on
 * @ctx:	the checkpoint context
 * @w:		the file being written
 * @what:	what it is, for the log line
 *
 * For kinds whose object is the file itself (an eventfd, an epoll
 * set...): restart would give the job a file of its own, and the two
 * would silently part.
 *
 * Return: 0, or -EBUSY with the holder named.
 */
int ckpt_check_held_outside(struct ckpt_ctx *ctx, struct ckpt_wfile *w, const char *what)
{
	pid_t holder = ckpt_outside_holder(ctx, ckpt_on_file, w->file);

	if (holder)
		return ckpt_err(ctx, -EBUSY,
				"fd %u: the %s is also held by pid %d, outside the job",
				w->fd, what, holder);
	return 0;
}

/**
 * ckpt_set_status - give a file made at restart the job's O_NONBLOCK
 * and O_DIRECT
 * @f:		the file
 * @flags:	the status flags of its CKPT_REC_FILE
 */
void ckpt_set_status(struct file *f, unsigned int flags)
{
	spin_lock(&f->f_lock);
	f->f_flags = (f->f_flags & ~(O_NONBLOCK | O_DIRECT)) | (flags & (O_NONBLOCK | O_DIRECT));
	spin_unlock(&f->f_lock);
}

/**
 * ckpt_open_obj_file - the file of a record whose object is the file
 * itself (an eventfd, a timerfd...)
 * @ctx:	the restart context
 * @r:		the file record
 * @type:	the type of the object's record, which came before
 *
 * Return: the file, referenced, with the record's O_NONBLOCK; or an
 * ERR_PTR with the reason logged.
 */
struct file *ckpt_open_obj_file(struct ckpt_ctx *ctx, const struct ckpt_rec_file *r, u32 type)
{
	struct file *f = ckpt_obj_lookup(&ctx->objs, r->ref_id, type);

	/* The mode is the file's own: read-write, or read-only (inotify). */
	if (!f || r->pos || r->size || r->mode != ckpt_file_mode(f) ||
	    r->flags & ~(O_NONBLOCK | O_LARGEFILE))
		return ERR_PTR(ckpt_err(ctx, -ENOEXEC,
					"file record %u: malformed, or no %s %u before it",
					r->objid, ckpt_rec_name(type), r->ref_id));
	ckpt_set_status(f, r->flags);
	return get_file(f);
}

static void ckpt_fput(void *f)
{
	fput(f);
}

static int ckpt_read_file(struct ckpt_ctx *ctx)
{
	const struct ckpt_file_ops *ops;
	struct ckpt_rec_file *r;
	const char *path = NULL;
	struct file *f;
	bool opath;
	int err;

	r = ckpt_read_record(ctx, CKPT_REC_FILE, sizeof(*r), sizeof(*r) + CKPT_MAX_PATH);
	if (IS_ERR(r))
		return PTR_ERR(r);
	ops = ckpt_kind_ops(r->kind);
	if (!ops) {
		err = ckpt_err(ctx, -ENOEXEC, "file record %u has unknown kind %u", r->objid,
			       r->kind);
		goto out;
	}
	/* Only an O_PATH file has neither read nor write access. */
	opath = r->kind == CKPT_FILE_OPATH;
	if (!r->objid || r->mode > 3 || !r->mode != opath ||
	    r->flags & ~CKPT_FILE_STATUS_FLAGS || (r->ref_id && !ops->obj_rec) || r->pos < 0) {
		err = ckpt_err(ctx, -ENOEXEC, "file record %u is malformed", r->objid);
		goto out;
	}
	if (ops->path_kinds & BIT(r->kind)) {
		path = ckpt_rec_str(ctx, r, r->h.len, sizeof(*r), r->path_len, ops->name);
		if (!path || sizeof(*r) + r->path_len != r->h.len) {
			err = -ENOEXEC;
			goto out;
		}
	} else if (r->path_len || r->h.len != sizeof(*r)) {
		err = ckpt_err(ctx, -ENOEXEC, "file record %u is malformed", r->objid);
		goto out;
	}
	f = ops->open(ctx, r, path);
	if (IS_ERR(f)) {
		err = PTR_ERR(f);
		goto out;
	}
	if (f)
		err = ckpt_obj_add(&ctx->objs, f, r->objid, CKPT_OBJ_FILE, ckpt_fput);
	else
		err = ckpt_obj_add(&ctx->objs, ERR_PTR(-ENOENT), r->objid, CKPT_OBJ_INHERITED,
				   NULL);
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
	f = ckpt_obj_lookup(&ctx->objs, r.objid, CKPT_OBJ_FILE);
	if (!f)
		f = ckpt_obj_lookup(&ctx->objs, r.objid, CKPT_OBJ_INHERITED);
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
	for (;;) {
		const struct ckpt_file_ops *ops;

		type = ckpt_peek_type(ctx);
		ops = ckpt_obj_rec_ops(type);
		if (type == CKPT_REC_FILE)
			err = ckpt_read_file(ctx);
		else if (type == CKPT_REC_FD)
			err = ckpt_read_fd(ctx, &kept);
		else if (ops)
			err = ops->read(ctx);
		else
			break;
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
	for (fd = 0; fd < ARRAY_SIZE(ckpt_file_kinds) && !err; fd++)
		if (ckpt_file_kinds[fd]->settle)
			err = ckpt_file_kinds[fd]->settle(ctx);
	return err ?: ckpt_read_locks(ctx);
}
