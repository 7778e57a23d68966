// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pipes and FIFOs.
 *
 * A pipe is saved once (CKPT_REC_PIPE) with its capacity and the bytes
 * in it, copied out of its buffers without consuming them; each of the
 * job's descriptions of it is a CKPT_REC_FILE of kind PIPE (which end)
 * or FIFO (reopened by path).  At restart an anonymous pipe is created
 * with both ends, given its capacity and its bytes; the job's
 * descriptors take the ends they had, and an end no process of the job
 * held is closed when the restart completes.  So a pipe whose writers
 * have all exited gives its data, then end-of-file, and one whose
 * readers have all exited gives EPIPE, as before the checkpoint.
 *
 * A pipe is the job's only if no process outside the job can read or
 * write it: every open description of it must be held only through the
 * job's descriptors.  Otherwise the checkpoint is refused with the
 * name of the pipe and of an outside holder, since restarting the job
 * would silently cut that process off; CKPT_OUTSIDE_PIPES_BROKEN saves
 * it anyway, broken.  On descriptors 0-2, such a pipe is the job's
 * standard I/O and is inherited from the restarter instead (files.c).
 */

#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/magic.h>
#include <linux/namei.h>
#include <linux/pipe_fs_i.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "internal.h"

#define CKPT_MAX_PIPE_DATA	(CKPT_MAX_RECORD - sizeof(struct ckpt_rec_pipe))

static bool ckpt_is_fifo(struct file *f)
{
	return file_inode(f)->i_sb->s_magic != PIPEFS_MAGIC;
}

/* Does anything but the job's descriptors hold this pipe? */
static bool ckpt_held_outside(struct ckpt_ctx *ctx, struct ckpt_file_use *use)
{
	struct pipe_inode_info *pipe = get_pipe_info(use->file, false);
	unsigned int i, readers = 0, writers = 0;

	if (file_count(use->file) > use->refs)
		return true;
	for (i = 0; i < ctx->pipes.nr; i++) {
		struct file *f = ctx->pipes.v[i].file;

		if (get_pipe_info(f, false) != pipe)
			continue;
		readers += !!(f->f_mode & FMODE_READ);
		writers += !!(f->f_mode & FMODE_WRITE);
	}
	return READ_ONCE(pipe->readers) > readers || READ_ONCE(pipe->writers) > writers;
}

static int ckpt_pipe_file(struct ckpt_ctx *ctx, struct file *f, void *arg)
{
	if (S_ISFIFO(file_inode(f)->i_mode) && get_pipe_info(f, false))
		return ckpt_count_file_use(&ctx->pipes, f);
	return 0;
}

/*
 * Find the job's pipes and whether they are its own: count every
 * descriptor of the job on each pipe file; a file with more references
 * than that, or a pipe with more open ends than the job's, is held
 * outside the job.  The job is frozen, so the counts hold until the
 * image is written.
 */
static int ckpt_scan_pipes(struct ckpt_ctx *ctx)
{
	unsigned int i;
	int err;

	err = ckpt_walk_files(ctx, ckpt_pipe_file, NULL);
	/* Our own references from the walk are gone: count now. */
	for (i = 0; i < ctx->pipes.nr && !err; i++)
		ctx->pipes.v[i].outside = ckpt_held_outside(ctx, &ctx->pipes.v[i]);
	return err;
}

/**
 * ckpt_pipe_outside - is a pipe file of the job also held outside it?
 * @ctx:	the checkpoint context, after the pipes' scan
 * @f:		a pipe file a member holds
 *
 * Return: true if a process outside the job (or a descriptor in flight)
 * holds the file or the pipe.
 */
bool ckpt_pipe_outside(struct ckpt_ctx *ctx, struct file *f)
{
	struct ckpt_file_use *use = ckpt_find_file_use(&ctx->pipes, f);

	return !use || use->outside;
}

static void ckpt_release_pipes(struct ckpt_ctx *ctx)
{
	ckpt_free_file_uses(&ctx->pipes);
}

static bool ckpt_on_pipe(struct file *f, const void *pipe)
{
	return get_pipe_info(f, false) == pipe;
}

static int ckpt_write_pipe(struct ckpt_ctx *ctx, struct pipe_inode_info *pipe, u32 objid)
{
	struct ckpt_rec_pipe rec = { .objid = objid };
	unsigned int i, mask;
	size_t len = 0;
	void *data;
	int err = 0;

	pipe_lock(pipe);
	mask = pipe->ring_size - 1;
	for (i = pipe->tail; i != pipe->head; i++)
		len += pipe->bufs[i & mask].len;
	rec.capacity = pipe->max_usage * PAGE_SIZE;
	if (len > CKPT_MAX_PIPE_DATA) {
		pipe_unlock(pipe);
		return ckpt_err(ctx, -EOPNOTSUPP, "a pipe holds %zu bytes, more than %zu",
				len, CKPT_MAX_PIPE_DATA);
	}
	data = kvmalloc(len ?: 1, GFP_KERNEL);
	if (!data) {
		pipe_unlock(pipe);
		return -ENOMEM;
	}
	len = 0;
	for (i = pipe->tail; i != pipe->head && !err; i++) {
		struct pipe_buffer *buf = &pipe->bufs[i & mask];
		void *src;

		err = pipe_buf_confirm(pipe, buf);
		if (err)
			break;
		src = kmap_local_page(buf->page);
		memcpy(data + len, src + buf->offset, buf->len);
		kunmap_local(src);
		len += buf->len;
	}
	pipe_unlock(pipe);
	if (err) {
		kvfree(data);
		return ckpt_err(ctx, err, "cannot read the data in a pipe (error %d)", err);
	}

	rec.data_len = len;
	err = ckpt_write_record_data(ctx, CKPT_REC_PIPE, &rec, sizeof(rec), data, len);
	kvfree(data);
	return err;
}

/*
 * A pipe or FIFO file of the job, unless it is held outside the job and
 * on a standard descriptor: then it is the job's standard I/O.
 */
static bool ckpt_pipe_owns(struct ckpt_ctx *ctx, struct file *f, unsigned int fd)
{
	return S_ISFIFO(file_inode(f)->i_mode) && get_pipe_info(f, false) &&
	       !(fd <= 2 && ckpt_pipe_outside(ctx, f));
}

/*
 * Fill in the file record of a pipe or FIFO end, writing the pipe's
 * record first if this is its first end in the image.  A pipe held
 * outside the job is refused (-EBUSY) with the reason.
 */
static int ckpt_write_pipe_file(struct ckpt_ctx *ctx, struct ckpt_wfile *w)
{
	struct file *f = w->file;
	struct pipe_inode_info *pipe = get_pipe_info(f, false);
	bool fifo = ckpt_is_fifo(f);
	const char *end = f->f_mode & FMODE_WRITE ?
		(f->f_mode & FMODE_READ ? "read-write" : "write") : "read";
	unsigned int fd = w->fd;
	u32 id;
	int err;

	if (ckpt_pipe_outside(ctx, f) && !(ctx->flags & CKPT_OUTSIDE_PIPES_BROKEN)) {
		pid_t holder = ckpt_outside_holder(ctx, ckpt_on_pipe, pipe);

		if (holder)
			return ckpt_err(ctx, -EBUSY,
					"fd %u: the %s end of %s %lu is also held by pid %d, outside the job",
					fd, end, fifo ? "FIFO" : "pipe", file_inode(f)->i_ino,
					holder);
		return ckpt_err(ctx, -EBUSY,
				"fd %u: the %s end of %s %lu is also held outside the job",
				fd, end, fifo ? "FIFO" : "pipe", file_inode(f)->i_ino);
	}
	if (fifo) {
		if (d_unlinked(f->f_path.dentry))
			return ckpt_err(ctx, -EOPNOTSUPP, "fd %u is a deleted FIFO", fd);
		w->path = d_path(&f->f_path, w->buf, PATH_MAX);
		if (IS_ERR(w->path))
			return ckpt_err(ctx, PTR_ERR(w->path), "fd %u: path unavailable", fd);
	} else if ((f->f_mode & (FMODE_READ | FMODE_WRITE)) == (FMODE_READ | FMODE_WRITE)) {
		return ckpt_err(ctx, -EOPNOTSUPP, "fd %u: a pipe open for reading and writing",
				fd);
	}

	id = ckpt_obj_lookup_ptr(&ctx->objs, pipe, NULL);
	if (!id) {
		id = ckpt_obj_new_id(&ctx->objs);
		err = ckpt_obj_add(&ctx->objs, pipe, id, CKPT_REC_PIPE, NULL);
		if (!err)
			err = ckpt_write_pipe(ctx, pipe, id);
		if (err)
			return err;
	}
	w->rec.kind = fifo ? CKPT_FILE_FIFO : CKPT_FILE_PIPE;
	w->rec.ref_id = id;
	return 0;
}

/**
 * struct ckpt_rpipe - restart: a pipe being rebuilt
 * @end:	anonymous pipe: its read and write ends
 * @holder:	FIFO: a read-write description that keeps its pipe while
 *		the job's ends are opened
 * @fifo:	the pipe is a FIFO's
 * @capacity:	bytes
 * @len:	bytes of @data
 * @data:	FIFO: the bytes to put in it once it is opened
 */
struct ckpt_rpipe {
	struct file *end[2];
	bool given[2];
	struct file *holder;
	bool fifo;
	u32 capacity;
	u32 len;
	void *data;
};

static void ckpt_rpipe_release(void *ptr)
{
	struct ckpt_rpipe *p = ptr;

	if (p->end[0])
		fput(p->end[0]);
	if (p->end[1])
		fput(p->end[1]);
	if (p->holder)
		fput(p->holder);
	kvfree(p->data);
	kfree(p);
}

/* Give a pipe its capacity and its bytes, through a file that writes it. */
static int ckpt_fill_pipe(struct ckpt_ctx *ctx, struct file *w, struct ckpt_rpipe *p,
			  const void *data)
{
	loff_t pos = 0;
	ssize_t n;
	long ret;

	if (p->capacity != pipe_fcntl(w, F_GETPIPE_SZ, 0)) {
		ret = pipe_fcntl(w, F_SETPIPE_SZ, p->capacity);
		if (ret < 0)
			return ckpt_err(ctx, ret, "cannot give a pipe %u bytes (error %ld)",
					p->capacity, ret);
	}
	if (!p->len)
		return 0;
	n = kernel_write(w, data, p->len, &pos);
	if (n != p->len)
		return ckpt_err(ctx, n < 0 ? n : -EIO, "cannot refill a pipe (error %zd)", n);
	return 0;
}

/* Rebuild the pipe of a CKPT_REC_PIPE record. */
static int ckpt_read_pipe(struct ckpt_ctx *ctx)
{
	struct ckpt_rec_pipe *rec;
	struct ckpt_rpipe *p;
	int err = -ENOEXEC;

	rec = ckpt_read_record(ctx, CKPT_REC_PIPE, sizeof(*rec), CKPT_MAX_RECORD);
	if (IS_ERR(rec))
		return PTR_ERR(rec);
	if (!rec->objid || rec->reserved || rec->data_len > rec->capacity ||
	    rec->h.len != sizeof(*rec) + rec->data_len ||
	    rec->capacity < PAGE_SIZE || !IS_ALIGNED(rec->capacity, PAGE_SIZE)) {
		err = ckpt_err(ctx, -ENOEXEC, "pipe record %u is malformed", rec->objid);
		goto out;
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	err = -ENOMEM;
	if (!p)
		goto out;
	p->capacity = rec->capacity;
	p->len = rec->data_len;
	/* A FIFO is known by its first file record; keep the bytes till then. */
	p->data = kvmalloc(p->len ?: 1, GFP_KERNEL);
	if (!p->data) {
		kfree(p);
		goto out;
	}
	memcpy(p->data, rec + 1, p->len);
	err = ckpt_obj_add(&ctx->objs, p, rec->objid, CKPT_REC_PIPE, ckpt_rpipe_release);
	if (err) {
		ckpt_rpipe_release(p);
		if (err == -EEXIST)
			err = ckpt_err(ctx, -ENOEXEC, "object id %u appears twice", rec->objid);
	}
out:
	kvfree(rec);
	return err;
}

static struct file *ckpt_open_fifo(struct ckpt_ctx *ctx, struct ckpt_rpipe *p,
				   const struct ckpt_rec_file *r, const char *path)
{
	struct file *f;
	int err;

	if (!p->holder) {
		/* Opening a FIFO for reading and writing does not wait. */
		f = filp_open(path, O_RDWR | O_NONBLOCK, 0);
		if (IS_ERR(f)) {
			ckpt_err(ctx, PTR_ERR(f), "cannot reopen FIFO %s (error %ld)", path,
				 PTR_ERR(f));
			return f;
		}
		if (!S_ISFIFO(file_inode(f)->i_mode) || !get_pipe_info(f, false)) {
			fput(f);
			return ERR_PTR(ckpt_err(ctx, -ESTALE, "%s is no longer a FIFO", path));
		}
		p->holder = f;
		err = ckpt_fill_pipe(ctx, f, p, p->data);
		if (err)
			return ERR_PTR(err);
	}
	f = filp_open(path, ckpt_acc_mode(r->mode) | O_NONBLOCK | (r->flags & ~O_NONBLOCK), 0);
	if (IS_ERR(f)) {
		ckpt_err(ctx, PTR_ERR(f), "cannot reopen FIFO %s (error %ld)", path, PTR_ERR(f));
		return f;
	}
	if (get_pipe_info(f, false) != get_pipe_info(p->holder, false)) {
		fput(f);
		return ERR_PTR(ckpt_err(ctx, -ESTALE, "%s changed during restart", path));
	}
	ckpt_set_status(f, r->flags);
	return f;
}

/*
 * An end of an anonymous pipe for a file record: the end create_pipe_files()
 * made, for the first record on it; for each other record, which was an
 * open file description of its own (an end reopened through
 * /proc/PID/fd/N), a new one on the same pipe, opened as that reopening
 * did.  Both ends exist, so the open does not wait.
 */
static struct file *ckpt_pipe_end(struct ckpt_ctx *ctx, struct ckpt_rpipe *p,
				  const struct ckpt_rec_file *r)
{
	unsigned int i = r->mode - 1;
	struct file *f;

	if (!p->given[i]) {
		p->given[i] = true;
		f = get_file(p->end[i]);
	} else {
		f = dentry_open(&p->end[i]->f_path, ckpt_acc_mode(r->mode) | O_NONBLOCK,
				current_cred());
		if (IS_ERR(f))
			return ERR_PTR(ckpt_err(ctx, PTR_ERR(f),
						"file %u: cannot open pipe %u again (error %ld)",
						r->objid, r->ref_id, PTR_ERR(f)));
	}
	ckpt_set_status(f, r->flags);
	return f;
}

/* The file of a PIPE or FIFO file record; @path is the FIFO's. */
static struct file *ckpt_open_pipe_file(struct ckpt_ctx *ctx, const struct ckpt_rec_file *r,
					const char *path)
{
	struct ckpt_rpipe *p;
	struct file *files[2];
	int err;

	if (r->pos || r->size)
		return ERR_PTR(ckpt_err(ctx, -ENOEXEC, "file record %u is malformed", r->objid));
	p = ckpt_obj_lookup(&ctx->objs, r->ref_id, CKPT_REC_PIPE);
	if (!p)
		return ERR_PTR(ckpt_err(ctx, -ENOEXEC, "file %u: unknown pipe %u", r->objid,
					r->ref_id));
	if (!p->end[0] && !p->holder)
		p->fifo = r->kind == CKPT_FILE_FIFO;
	if (p->fifo != !!(r->kind == CKPT_FILE_FIFO))
		return ERR_PTR(ckpt_err(ctx, -ENOEXEC, "pipe %u is both a FIFO and not",
					r->ref_id));
	if (p->fifo)
		return ckpt_open_fifo(ctx, p, r, path);
	if (r->mode == 3)
		return ERR_PTR(ckpt_err(ctx, -ENOEXEC, "file %u: a pipe end cannot be read-write",
					r->objid));
	if (!p->end[0]) {
		err = create_pipe_files(files, 0);
		if (err)
			return ERR_PTR(ckpt_err(ctx, err, "cannot create a pipe (error %d)", err));
		p->end[0] = files[0];
		p->end[1] = files[1];
		err = ckpt_fill_pipe(ctx, p->end[1], p, p->data);
		if (err)
			return ERR_PTR(err);
	}
	return ckpt_pipe_end(ctx, p, r);
}

const struct ckpt_file_ops ckpt_pipe_file_ops = {
	.name		= "pipe",
	.kinds		= BIT(CKPT_FILE_PIPE) | BIT(CKPT_FILE_FIFO),
	.path_kinds	= BIT(CKPT_FILE_FIFO),
	.obj_rec	= CKPT_REC_PIPE,
	.scan		= ckpt_scan_pipes,
	.release	= ckpt_release_pipes,
	.in_flight	= true,
	.owns		= ckpt_pipe_owns,
	.write		= ckpt_write_pipe_file,
	.read		= ckpt_read_pipe,
	.open		= ckpt_open_pipe_file,
};
